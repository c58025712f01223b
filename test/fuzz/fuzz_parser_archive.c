/* fuzz_parser_archive.c - libFuzzer harness for mm_probe_archive() alone (see parser_one.h). */
#define PARSER mm_probe_archive
#include "parser_one.h"
