/* fuzz_parser_jpeg.c - libFuzzer harness for mm_probe_jpeg() alone (see parser_one.h). */
#define PARSER mm_probe_jpeg
#include "parser_one.h"
