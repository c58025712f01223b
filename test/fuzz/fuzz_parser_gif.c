/* fuzz_parser_gif.c - libFuzzer harness for mm_probe_gif() alone (see parser_one.h). */
#define PARSER mm_probe_gif
#include "parser_one.h"
