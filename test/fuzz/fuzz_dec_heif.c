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
#include "fuzz_dec.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mm_img_decoder d = mm_img_sniff(data, size);

	if (d != MM_DEC_HEIF && d != MM_DEC_AVIF)
		return 0;
	fuzz_dec_thumbnail(data, size);
	return 0;
}
