/* fuzz_parser_mpeg.c - libFuzzer harness for mm_probe_mpeg() alone (see parser_one.h). */
#define PARSER mm_probe_mpeg
#include "parser_one.h"
