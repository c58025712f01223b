/* fuzz_parser_font.c - libFuzzer harness for mm_probe_font() alone (see parser_one.h). */
#define PARSER mm_probe_font
#include "parser_one.h"
