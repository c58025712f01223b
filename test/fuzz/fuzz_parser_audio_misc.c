/* fuzz_parser_audio_misc.c - libFuzzer harness for mm_probe_audio_misc() alone (see parser_one.h). */
#define PARSER mm_probe_audio_misc
#include "parser_one.h"
