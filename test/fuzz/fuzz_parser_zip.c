/* fuzz_parser_zip.c - libFuzzer harness for mm_probe_zip() alone (see parser_one.h). */
#define PARSER mm_probe_zip
#include "parser_one.h"
