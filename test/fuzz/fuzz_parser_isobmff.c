/* fuzz_parser_isobmff.c - libFuzzer harness for mm_probe_isobmff() alone (see parser_one.h). */
#define PARSER mm_probe_isobmff
#include "parser_one.h"
