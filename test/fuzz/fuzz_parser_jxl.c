/* fuzz_parser_jxl.c - libFuzzer harness for mm_probe_jxl() alone (see parser_one.h). */
#define PARSER mm_probe_jxl
#include "parser_one.h"
