/*
 * fuzz_dec_tiff.c - libFuzzer harness for the TIFF decoder (libtiff from memory: strips, tiles, every photometric libtiff reads) through mm_thumbnail(): see
 * fuzz_image.h for the limits and what counts as a finding.  Seeds: the
 * files test/unit/test_webp_tiff writes (seeds/fuzz_dec_tiff) and the shared
 * corpus's files of the format (run.sh).
 */
#include "fuzz_image.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_one_decoder(data, size, MM_DEC_TIFF);
}
