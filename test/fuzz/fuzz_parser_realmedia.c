/* fuzz_parser_realmedia.c - libFuzzer harness for mm_probe_realmedia() alone (see parser_one.h). */
#define PARSER mm_probe_realmedia
#include "parser_one.h"
