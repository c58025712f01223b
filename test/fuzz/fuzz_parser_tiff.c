/* fuzz_parser_tiff.c - libFuzzer harness for mm_probe_tiff() alone (see parser_one.h). */
#define PARSER mm_probe_tiff
#include "parser_one.h"
