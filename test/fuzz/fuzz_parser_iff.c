/* fuzz_parser_iff.c - libFuzzer harness for mm_probe_iff() alone (see parser_one.h). */
#define PARSER mm_probe_iff
#include "parser_one.h"
