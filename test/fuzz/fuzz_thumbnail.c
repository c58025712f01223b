/*
 * fuzz_thumbnail.c - libFuzzer harness for the image core: mm_transform()
 * (every decoder, the resampler, orientation, every resize mode and
 * gravity, the JPEG, PNG and WebP encoders) and mm_jpeg_optimize().
 *
 * Limits are small (4 Mpx, 64 MB per allocation, a 64x64 box) so that a
 * lying header is refused rather than allocated.  The last input byte
 * picks the output format, the resize mode, the gravity and whether the
 * optimizer writes progressive.  (AVIF output is left to the unit tests:
 * libaom's encoder would slow every run down more than it adds.)
 * Every allocation goes through a counting hook: anything still allocated
 * after a call, an output on failure, or a thumbnail outside the box is a
 * finding.
 */
#include "fuzz_image.h"
#include "image/spec.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mm_alloc	a = {count_alloc, count_free, NULL};
	mm_limits	lim = {4000000, (uint64_t) 64 << 20, NULL, NULL, &a};
	uint8_t    *out = NULL;
	size_t		out_len = 0;
	mm_thumb_info info;
	char		err[256];
	int			sel = size > 0 ? data[size - 1] : 0;
	int			optimized = -1;
	static const mm_thumb_format formats[4] = {MM_THUMB_JPEG, MM_THUMB_PNG, MM_THUMB_WEBP,
	MM_THUMB_WEBP_LOSSLESS};
	mm_xform	x;
	mm_img_status st;

	live = 0;
	mm_xform_init(&x);
	x.width = 64;
	x.height = 64;
	x.quality = 75;
	x.format = formats[(sel & 1) | ((sel >> 5) & 2)];
	x.resize = (mm_resize) (((sel >> 2) & 3) % 3);
	x.gravity = (mm_gravity) (((sel >> 4) & 1) + ((sel >> 7) & 1));
	st = mm_transform(data, size, &x, &lim, &out, &out_len, &info, err, sizeof(err));
	if (st == MM_IMG_OK)
	{
		require(out != NULL && out_len > 0);
		require(info.out_width >= 1 && info.out_width <= 64);
		require(info.out_height >= 1 && info.out_height <= 64);
		require(info.out_width <= info.src_width && info.out_height <= info.src_height);
		mm_img_free(&lim, out);
	}
	else
		require(out == NULL && out_len == 0 && err[0] != '\0');
	require(live == 0);

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
