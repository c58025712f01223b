/* fuzz_parser_png.c - libFuzzer harness for mm_probe_png() alone (see parser_one.h). */
#define PARSER mm_probe_png
#include "parser_one.h"
