/* fuzz_parser_webp.c - libFuzzer harness for mm_probe_webp() alone (see parser_one.h). */
#define PARSER mm_probe_webp
#include "parser_one.h"
