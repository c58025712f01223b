/* fuzz_parser_text.c - libFuzzer harness for mm_probe_text() alone (see parser_one.h). */
#define PARSER mm_probe_text
#include "parser_one.h"
