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
#include "fuzz_image.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mm_alloc	a = {count_alloc, count_free, NULL};
	mm_limits	lim = {4000000, (uint64_t) 64 << 20, NULL, NULL, &a};
	uint8_t    *out = NULL;
	size_t		out_len = 0;
	char		err[256];
	int			sel = size > 0 ? data[size - 1] : 0;
	int			optimized = -1;
	mm_img_status st;

	fuzz_thumbnail_one(data, size, 64, (sel & 1) ? MM_THUMB_PNG : MM_THUMB_JPEG, &lim);

	st = mm_jpeg_optimize(data, size, (sel >> 1) & 1, &lim, &out, &out_len, &optimized,
						  err, sizeof(err));
	if (st == MM_IMG_OK)
	{
		require(out != NULL && out_len > 0 && out_len <= size);
		require(optimized == 1 || (out_len == size && memcmp(out, data, size) == 0));
		mm_img_free(&lim, out);
	}
	else
		require(out == NULL);
	require(live == 0);
	return 0;
}
