/* fuzz_parser_tga.c - libFuzzer harness for mm_probe_tga() alone (see parser_one.h). */
#define PARSER mm_probe_tga
#include "parser_one.h"
