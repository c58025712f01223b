/*
 * test_placeholder.c - mm_placeholder_make() (src/core/image/placeholder.c):
 * the ThumbHash and dominant colour of an encoded image, through the
 * thumbnail pipeline, under the caller's limits.
 *
 * The images are encoded here with the core's own PNG and JPEG encoders, so
 * the expected pixels are known: an image that already fits the 100 px box
 * must give exactly the hash of its own pixels (nothing resampled).
 */
#include <stdlib.h>
#include <string.h>

#include "mm_test.h"
#include "image/internal.h"
#include "image/thumbhash.h"

/* A w x h image of nch channels: a flat colour, or a gradient when flat is 0. */
static uint8_t *
picture(int w, int h, int nch, int flat, const uint8_t rgba[4])
{
	uint8_t    *px = malloc((size_t) w * h * nch);

	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
		{
			uint8_t    *p = px + ((size_t) y * w + x) * nch;

			for (int c = 0; c < nch; c++)
				p[c] = flat ? rgba[c] : (uint8_t) ((x * 255 / w + y * 97 / h + c * 60) % 256);
		}
	return px;
}

/* Encodes a picture as PNG (jpeg 0) or JPEG; *len gets the length. */
static uint8_t *
encode(int w, int h, int nch, int flat, const uint8_t rgba[4], int jpeg, size_t *len)
{
	mm_img_ctx	ctx;
	mm_raster	img = {w, h, nch, picture(w, h, nch, flat, rgba)};
	uint8_t    *out = NULL;
	mm_img_status st;

	mm_img_ctx_init(&ctx, NULL, NULL, 0);
	st = jpeg ? mm_img_encode_jpeg(&ctx, &img, 95, &out, len) : mm_img_encode_png(&ctx, &img, &out, len);
	free(img.px);
	return st == MM_IMG_OK ? out : NULL;
}

/* An interrupt callback that always says stop. */
static int
always(void *arg)
{
	(void) arg;
	return 1;
}

int
main(void)
{
	static const uint8_t red[4] = {255, 0, 0, 255};
	static const uint8_t clear[4] = {10, 20, 30, 0};
	mm_placeholder ph;
	mm_limits	lim;
	char		err[256];
	size_t		len;
	uint8_t    *src;
	uint8_t		px[MM_THUMBHASH_OUT_SIDE * MM_THUMBHASH_OUT_SIDE * 4];
	int			w,
				h;

	/* a solid red PNG larger than the box: red, landscape */
	src = encode(300, 200, 3, 1, red, 0, &len);
	MM_CHECK(mm_placeholder_make(src, len, NULL, &ph, err, sizeof(err)) == MM_IMG_OK, "red PNG: placeholder made");
	MM_CHECK(ph.has_colour && ph.colour[0] == 255 && ph.colour[1] == 0 && ph.colour[2] == 0,
			 "red PNG: dominant colour #%02x%02x%02x", ph.colour[0], ph.colour[1], ph.colour[2]);
	w = h = 0;
	if (ph.hash_len < 5 || mm_thumbhash_decode(ph.hash, ph.hash_len, px, &w, &h) != 0)
		w = h = 0;
	MM_CHECK(w == 32 && h < 32, "red PNG: the hash decodes landscape (%dx%d)", w, h);
	MM_CHECK(px[0] > 200 && px[1] < 40 && px[2] < 40, "red PNG: the hash decodes red (%d,%d,%d)", px[0], px[1], px[2]);

	/* a JPEG large enough to be decoded at 1/8 scale: still red */
	free(src);
	src = encode(1600, 1200, 3, 1, red, 1, &len);
	MM_CHECK(mm_placeholder_make(src, len, NULL, &ph, err, sizeof(err)) == MM_IMG_OK, "red JPEG: placeholder made");
	MM_CHECK(ph.has_colour && ph.colour[0] >= 250 && ph.colour[1] <= 5 && ph.colour[2] <= 5,
			 "red JPEG: dominant colour near red #%02x%02x%02x", ph.colour[0], ph.colour[1], ph.colour[2]);

	/* an image that fits the box: the hash of exactly its pixels (RGBA) */
	free(src);
	src = encode(80, 60, 4, 0, NULL, 0, &len);
	{
		uint8_t    *rgba = picture(80, 60, 4, 0, NULL);
		uint8_t		direct[MM_THUMBHASH_MAX_LEN];
		size_t		n = mm_thumbhash_encode(80, 60, rgba, direct);

		MM_CHECK(mm_placeholder_make(src, len, NULL, &ph, err, sizeof(err)) == MM_IMG_OK &&
				 ph.hash_len == n && memcmp(ph.hash, direct, n) == 0,
				 "80x60 RGBA PNG: the hash of its own pixels (%zu bytes)", n);
		free(rgba);
	}

	/* fully transparent: a hash but no dominant colour */
	free(src);
	src = encode(40, 40, 4, 1, clear, 0, &len);
	MM_CHECK(mm_placeholder_make(src, len, NULL, &ph, err, sizeof(err)) == MM_IMG_OK && ph.hash_len > 0 && !ph.has_colour,
			 "transparent PNG: a hash, no dominant colour");

	/* failures leave nothing behind */
	MM_CHECK(mm_placeholder_make(src, len / 2, NULL, &ph, err, sizeof(err)) == MM_IMG_CORRUPT && ph.hash_len == 0,
			 "truncated PNG: corrupt (%s), no hash", err);
	MM_CHECK(mm_placeholder_make((const uint8_t *) "%PDF-1.4 hello", 14, NULL, &ph, err, sizeof(err)) == MM_IMG_UNSUPPORTED,
			 "not an image: unsupported");
	memset(&lim, 0, sizeof(lim));
	lim.max_pixels = 1000;
	MM_CHECK(mm_placeholder_make(src, len, &lim, &ph, err, sizeof(err)) == MM_IMG_TOO_BIG && ph.hash_len == 0,
			 "40x40 over max_pixels 1000: too big (%s)", err);
	memset(&lim, 0, sizeof(lim));
	lim.interrupted = always;
	MM_CHECK(mm_placeholder_make(src, len, &lim, &ph, err, sizeof(err)) == MM_IMG_INTERRUPTED,
			 "interrupted: stops");
	MM_CHECK(mm_placeholder_make(src, len, NULL, NULL, err, sizeof(err)) == MM_IMG_BAD_ARG, "no output: bad argument");
	free(src);
	return mm_test_done();
}
