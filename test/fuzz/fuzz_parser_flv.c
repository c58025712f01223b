/* fuzz_parser_flv.c - libFuzzer harness for mm_probe_flv() alone (see parser_one.h). */
#define PARSER mm_probe_flv
#include "parser_one.h"
