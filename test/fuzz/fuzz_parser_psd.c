/* fuzz_parser_psd.c - libFuzzer harness for mm_probe_psd() alone (see parser_one.h). */
#define PARSER mm_probe_psd
#include "parser_one.h"
