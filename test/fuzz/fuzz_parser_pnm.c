/* fuzz_parser_pnm.c - libFuzzer harness for mm_probe_pnm() alone (see parser_one.h). */
#define PARSER mm_probe_pnm
#include "parser_one.h"
