/*
 * fuzz_dec_webp.c - libFuzzer harness for the WebP decoder (libwebp and libwebpdemux: still, alpha, animated first frame) through mm_thumbnail(): see
 * fuzz_image.h for the limits and what counts as a finding.  Seeds: the
 * files test/unit/test_webp_tiff writes (seeds/fuzz_dec_webp) and the shared
 * corpus's files of the format (run.sh).
 */
#include "fuzz_image.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_one_decoder(data, size, MM_DEC_WEBP);
}
