/* fuzz_parser_bmp.c - libFuzzer harness for mm_probe_bmp() alone (see parser_one.h). */
#define PARSER mm_probe_bmp
#include "parser_one.h"
