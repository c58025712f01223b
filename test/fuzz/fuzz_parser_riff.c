/* fuzz_parser_riff.c - libFuzzer harness for mm_probe_riff() alone (see parser_one.h). */
#define PARSER mm_probe_riff
#include "parser_one.h"
