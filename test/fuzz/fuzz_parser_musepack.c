/* fuzz_parser_musepack.c - libFuzzer harness for mm_probe_musepack() alone (see parser_one.h). */
#define PARSER mm_probe_musepack
#include "parser_one.h"
