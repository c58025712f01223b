/*
 * fuzz_thumbhash.c - libFuzzer harness for ThumbHash placeholders.
 *
 * 1. Decodes the input as a hash (hashes come back from SQL callers): it must
 *    be refused or give a 1..32 x 1..32 image, reading nothing past the input
 *    (the input is copied to a buffer of exactly its size, so ASan sees it).
 * 2. Takes the input as the pixels of a small RGBA image (side from the
 *    first byte), encodes it, and checks that the hash decodes.
 * 3. Takes the input as an encoded image and makes its placeholder
 *    (mm_placeholder_make(): the thumbnail pipeline to 100 px, then the
 *    hash), under small limits: a hash that decodes, or an error and no
 *    hash; nothing left allocated either way.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/thumbhash.h"
#include "fuzz_image.h"

/* Step 3: the placeholder of data as an encoded image. */
static void
fuzz_placeholder(const uint8_t *data, size_t size)
{
	mm_alloc	a = {count_alloc, count_free, NULL};
	mm_limits	lim = {1000000, (uint64_t) 64 << 20, NULL, NULL, &a, (uint64_t) 48 << 20};
	mm_placeholder ph;
	uint8_t		px[MM_THUMBHASH_OUT_SIDE * MM_THUMBHASH_OUT_SIDE * 4];
	char		err[256];
	int			w,
				h;

	live = 0;
	if (mm_placeholder_make(data, size, &lim, &ph, err, sizeof(err)) == MM_IMG_OK)
		require(ph.hash_len >= 5 && ph.hash_len <= MM_THUMBHASH_MAX_LEN &&
				mm_thumbhash_decode(ph.hash, ph.hash_len, px, &w, &h) == 0);
	else
		require(ph.hash_len == 0 && err[0] != '\0');
	require(live == 0);
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t    *copy = malloc(size ? size : 1);
	uint8_t		px[MM_THUMBHASH_OUT_SIDE * MM_THUMBHASH_OUT_SIDE * 4];
	uint8_t		hash[MM_THUMBHASH_MAX_LEN],
				rgb[3];
	int			w,
				h;

	memcpy(copy, data, size);
	if (mm_thumbhash_decode(copy, size, px, &w, &h) == 0 &&
		(w < 1 || h < 1 || w > MM_THUMBHASH_OUT_SIDE || h > MM_THUMBHASH_OUT_SIDE))
		abort();
	free(copy);

	if (size >= 1)
	{
		int			side_w = 1 + data[0] % 16;
		size_t		npx = (size - 1) / 4;
		int			side_h = side_w ? (int) (npx / (size_t) side_w) : 0;

		if (side_h >= 1)
		{
			size_t		n;

			if (side_h > MM_THUMBHASH_MAX_SIDE)
				side_h = MM_THUMBHASH_MAX_SIDE;
			n = mm_thumbhash_encode(side_w, side_h, data + 1, hash);
			if (n < 5 || n > MM_THUMBHASH_MAX_LEN || mm_thumbhash_decode(hash, n, px, &w, &h) != 0)
				abort();
			(void) mm_dominant_colour(side_w, side_h, data + 1, rgb);
		}
	}
	if (mm_img_sniff(data, size) != MM_DEC_NONE)
		fuzz_placeholder(data, size);
	return 0;
}
