/* fuzz_parser_ogg.c - libFuzzer harness for mm_probe_ogg() alone (see parser_one.h). */
#define PARSER mm_probe_ogg
#include "parser_one.h"
