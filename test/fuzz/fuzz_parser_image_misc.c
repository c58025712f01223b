/* fuzz_parser_image_misc.c - libFuzzer harness for mm_probe_image_misc() alone (see parser_one.h). */
#define PARSER mm_probe_image_misc
#include "parser_one.h"
