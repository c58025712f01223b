/* fuzz_parser_pdf.c - libFuzzer harness for mm_probe_pdf() alone (see parser_one.h). */
#define PARSER mm_probe_pdf
#include "parser_one.h"
