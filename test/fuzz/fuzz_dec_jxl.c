/*
 * fuzz_dec_jxl.c - libFuzzer harness for the JPEG XL decoder
 * (image/dec_jxl.c, libjxl) through mm_thumbnail().
 *
 * Only inputs that the core sniffs as JPEG XL are decoded.  Limits and
 * findings as in fuzz_dec.h.  libjxl is not instrumented: coverage guides
 * the fuzzer through the core's side only.
 */
#include "fuzz_dec.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (mm_img_sniff(data, size) != MM_DEC_JXL)
		return 0;
	fuzz_dec_thumbnail(data, size);
	return 0;
}
