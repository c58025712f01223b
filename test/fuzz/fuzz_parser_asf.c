/* fuzz_parser_asf.c - libFuzzer harness for mm_probe_asf() alone (see parser_one.h). */
#define PARSER mm_probe_asf
#include "parser_one.h"
