/*
 * fuzz_dec_heif.c - libFuzzer harness for the HEIC and AVIF decoder
 * (image/dec_heif.c, libheif) through mm_thumbnail().
 *
 * Only inputs that the core sniffs as HEIC or AVIF are decoded, so the
 * fuzzer stays on this decoder.  Limits are small (4 Mpx, 64 MB per
 * allocation, a 96 MB budget) so that a lying header is refused rather
 * than decoded.  Findings: a crash, anything left allocated, an output on
 * failure, or a thumbnail outside the box.  libheif and its codecs are not
 * instrumented: coverage guides the fuzzer through the core's side only.
 */
#include "fuzz_image.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (mm_img_sniff(data, size) == MM_DEC_AVIF)
		return fuzz_one_decoder(data, size, MM_DEC_AVIF);
	return fuzz_one_decoder(data, size, MM_DEC_HEIF);
}
