/* fuzz_parser_flac.c - libFuzzer harness for mm_probe_flac() alone (see parser_one.h). */
#define PARSER mm_probe_flac
#include "parser_one.h"
