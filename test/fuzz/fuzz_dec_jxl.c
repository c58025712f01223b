/*
 * fuzz_dec_jxl.c - libFuzzer harness for the JPEG XL decoder
 * (image/dec_jxl.c, libjxl) through mm_thumbnail().
 *
 * Only inputs that the core sniffs as JPEG XL are decoded.  Limits and
 * findings as in fuzz_image.h.  libjxl is not instrumented: coverage guides
 * the fuzzer through the core's side only.
 */
#include "fuzz_image.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_one_decoder(data, size, MM_DEC_JXL);
}
