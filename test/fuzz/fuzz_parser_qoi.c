/* fuzz_parser_qoi.c - libFuzzer harness for mm_probe_qoi() alone (see parser_one.h). */
#define PARSER mm_probe_qoi
#include "parser_one.h"
