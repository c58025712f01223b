/* fuzz_parser_matroska.c - libFuzzer harness for mm_probe_matroska() alone (see parser_one.h). */
#define PARSER mm_probe_matroska
#include "parser_one.h"
