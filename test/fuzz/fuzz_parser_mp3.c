/* fuzz_parser_mp3.c - libFuzzer harness for mm_probe_mp3() alone (see parser_one.h). */
#define PARSER mm_probe_mp3
#include "parser_one.h"
