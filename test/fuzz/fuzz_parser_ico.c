/* fuzz_parser_ico.c - libFuzzer harness for mm_probe_ico() alone (see parser_one.h). */
#define PARSER mm_probe_ico
#include "parser_one.h"
