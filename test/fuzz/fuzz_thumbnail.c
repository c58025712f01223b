/*
 * fuzz_thumbnail.c - libFuzzer harness for the image core: mm_thumbnail()
 * (every decoder, the resampler, orientation and both encoders) and
 * mm_jpeg_optimize().
 *
 * Limits are small (4 Mpx, 64 MB per allocation, a 64x64 box) so that a
 * lying header is refused rather than allocated.  The last input byte
 * picks the output format and whether the optimizer writes progressive.
 * Every allocation goes through a counting hook: anything still allocated
 * after a call, an output on failure, or a thumbnail outside the box is a
 * finding.
 */
#include <string.h>

#include "fuzz_dec.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mm_alloc	a = {fuzz_alloc, fuzz_free, NULL};
	mm_limits	lim = {4000000, (uint64_t) 64 << 20, NULL, NULL, &a};
	uint8_t    *out = NULL;
	size_t		out_len = 0;
	mm_thumb_info info;
	char		err[256];
	int			sel = size > 0 ? data[size - 1] : 0;
	int			optimized = -1;
	mm_img_status st;

	fuzz_live = 0;
	st = mm_thumbnail(data, size, 64, 64, (sel & 1) ? MM_THUMB_PNG : MM_THUMB_JPEG,
					  75, &lim, &out, &out_len, &info, err, sizeof(err));
	if (st == MM_IMG_OK)
	{
		fuzz_require(out != NULL && out_len > 0);
		fuzz_require(info.out_width >= 1 && info.out_width <= 64);
		fuzz_require(info.out_height >= 1 && info.out_height <= 64);
		fuzz_require(info.out_width <= info.src_width && info.out_height <= info.src_height);
		mm_img_free(&lim, out);
	}
	else
		fuzz_require(out == NULL && out_len == 0 && err[0] != '\0');
	fuzz_require(fuzz_live == 0);

	st = mm_jpeg_optimize(data, size, (sel >> 1) & 1, &lim, &out, &out_len, &optimized,
						  err, sizeof(err));
	if (st == MM_IMG_OK)
	{
		fuzz_require(out != NULL && out_len > 0 && out_len <= size);
		fuzz_require(optimized == 1 || (out_len == size && memcmp(out, data, size) == 0));
		mm_img_free(&lim, out);
	}
	else
		fuzz_require(out == NULL);
	fuzz_require(fuzz_live == 0);
	return 0;
}
