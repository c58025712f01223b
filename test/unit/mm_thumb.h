/*
 * mm_thumb.h - running and checking thumbnails in the thumbnail unit tests
 * (test_thumbnail_*.c): the quadrant test image (red, green / blue, white)
 * stored for each EXIF orientation, a gradient picture, decoding a
 * thumbnail again and checking its size, aspect ratio, quadrant colors and
 * alpha, and a thumbnail run under limits with the counting allocator.
 */
#ifndef MM_THUMB_H
#define MM_THUMB_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "image/image.h"
#include "mm_test.h"
#include "mm_alloc.h"
#include "mm_cmyk.h"
#include "mm_encode.h"

/* Whether two colors differ by at most tol in each of n channels. */
static inline int
near(const uint8_t *a, const uint8_t *b, int n, int tol)
{
	int			i;

	for (i = 0; i < n; i++)
		if (abs((int) a[i] - (int) b[i]) > tol)
			return 0;
	return 1;
}

static const uint8_t RED[4] = {255, 0, 0, 255};
static const uint8_t GREEN[4] = {0, 255, 0, 255};
static const uint8_t BLUE[4] = {0, 0, 255, 255};
static const uint8_t WHITE[4] = {255, 255, 255, 255};
static const uint8_t BLACK[4] = {0, 0, 0, 255};

/* Quadrant colors of the orientation test image: red, green / blue, white. */
static inline const uint8_t *
quadrant(int X, int Y, int W, int H)
{
	if (Y < H / 2)
		return X < W / 2 ? RED : GREEN;
	return X < W / 2 ? BLUE : WHITE;
}

/* Display position of stored pixel (x, y) of a w x h image, orientation o. */
static inline void
orient_map(int o, int x, int y, int w, int h, int *X, int *Y)
{
	switch (o)
	{
		case 2:
			*X = w - 1 - x;
			*Y = y;
			break;
		case 3:
			*X = w - 1 - x;
			*Y = h - 1 - y;
			break;
		case 4:
			*X = x;
			*Y = h - 1 - y;
			break;
		case 5:
			*X = y;
			*Y = x;
			break;
		case 6:
			*X = h - 1 - y;
			*Y = x;
			break;
		case 7:
			*X = h - 1 - y;
			*Y = w - 1 - x;
			break;
		case 8:
			*X = y;
			*Y = w - 1 - x;
			break;
		default:
			*X = x;
			*Y = y;
			break;
	}
}

/* Absolute value of a double. */
static inline double
fabs_d(double v)
{
	return v < 0 ? -v : v;
}

/* ------------------------------------------------------ thumbnail check */

/*
 * Decodes a thumbnail (JPEG or PNG, per fmt) into RGBA; returns 0 on
 * success and says whether the file had alpha.
 */
static inline int
decode_thumb(const uint8_t *p, size_t len, mm_thumb_format fmt, img *out, int *had_alpha)
{
	img			rgb;
	size_t		i;

	if (fmt == MM_THUMB_PNG)
		return decode_png(p, len, out, had_alpha);
	if (decode_jpeg(p, len, 0, &rgb, NULL) != 0)
		return -1;
	*out = img_new(rgb.w, rgb.h, 4);
	for (i = 0; i < (size_t) rgb.w * rgb.h; i++)
	{
		memcpy(out->px + i * 4, rgb.px + i * 3, 3);
		out->px[i * 4 + 3] = 255;
	}
	free(rgb.px);
	if (had_alpha != NULL)
		*had_alpha = 0;
	return 0;
}

/*
 * Makes a thumbnail of src into box and decodes it: checks the status,
 * that the result decodes, fits the box, is no larger than the display
 * size and keeps its aspect ratio within a pixel.  Returns the decoded
 * RGBA thumbnail (px NULL on failure).
 */
static inline img
thumb_check(const char *what, const uint8_t *src, size_t len, int box_w, int box_h,
			mm_thumb_format fmt, int disp_w, int disp_h, mm_thumb_info *info_out)
{
	uint8_t    *out = NULL;
	size_t		out_len = 0;
	mm_thumb_info info;
	char		err[256];
	mm_img_status st;
	img			im = {0, 0, 0, NULL};
	int			ok;
	double		aspect_w;
	double		aspect_h;

	st = mm_thumbnail(src, len, box_w, box_h, fmt, 90, NULL, &out, &out_len, &info,
					  err, sizeof(err));
	MM_CHECK(st == MM_IMG_OK, "%s: thumbnail ok (%s%s%s)", what, mm_img_status_name(st),
			 st ? ": " : "", st ? err : "");
	if (info_out != NULL)
		*info_out = info;
	if (st != MM_IMG_OK)
		return im;
	ok = decode_thumb(out, out_len, fmt, &im, NULL) == 0;
	MM_CHECK(ok, "%s: output decodes", what);
	free(out);
	if (!ok)
	{
		im.px = NULL;
		return im;
	}
	MM_CHECK(info.src_width == disp_w && info.src_height == disp_h,
			 "%s: source display size %dx%d (want %dx%d)", what,
			 info.src_width, info.src_height, disp_w, disp_h);
	/* aspect within one pixel: the other side computed from each side */
	aspect_h = (double) disp_h * im.w / disp_w;
	aspect_w = (double) disp_w * im.h / disp_h;
	MM_CHECK(im.w >= 1 && im.h >= 1 && im.w <= box_w && im.h <= box_h &&
			 im.w <= disp_w && im.h <= disp_h &&
			 (fabs_d(aspect_h - im.h) <= 1.0 || fabs_d(aspect_w - im.w) <= 1.0) &&
			 (im.w == box_w || im.h == box_h || (im.w == disp_w && im.h == disp_h)) &&
			 im.w == info.out_width && im.h == info.out_height,
			 "%s: %dx%d fits %dx%d with the aspect of %dx%d", what, im.w, im.h,
			 box_w, box_h, disp_w, disp_h);
	return im;
}

/*
 * Checks the colors at the centers of the four quadrants of a thumbnail
 * (red, green, blue, white; as CMYK inks through the fallback profile when
 * cmyk is set).
 */
static inline void
check_quadrants_of(const char *what, const img *im, int tol, int cmyk)
{
	static const char *names[4] = {"top-left red", "top-right green",
	"bottom-left blue", "bottom-right white"};
	const uint8_t *want[4] = {RED, GREEN, BLUE, WHITE};
	uint8_t		inked[4][3];
	int			q;

	for (q = 0; q < 4 && cmyk; q++)
	{
		mm_cmyk_expect(want[q], inked[q]);
		want[q] = inked[q];
	}

	for (q = 0; q < 4; q++)
	{
		int			x = (q % 2) ? im->w * 3 / 4 : im->w / 4;
		int			y = (q / 2) ? im->h * 3 / 4 : im->h / 4;
		const uint8_t *p = img_at(im, x, y);

		MM_CHECK(near(p, want[q], 3, tol), "%s: %s (got %d,%d,%d)", what, names[q],
				 p[0], p[1], p[2]);
	}
}

/* Checks the four quadrants' pure colors (see check_quadrants_of). */
static inline void
check_quadrants(const char *what, const img *im, int tol)
{
	check_quadrants_of(what, im, tol, 0);
}

/* The quadrant test image as stored for orientation o (display w x h). */
static inline img
quadrant_image(int dw, int dh, int o, int nch)
{
	int			swap = o >= 5;
	int			sw = swap ? dh : dw;
	int			sh = swap ? dw : dh;
	img			im = img_new(sw, sh, nch);
	int			x;
	int			y;

	for (y = 0; y < sh; y++)
		for (x = 0; x < sw; x++)
		{
			int			X;
			int			Y;
			const uint8_t *c;
			uint8_t    *p = img_at(&im, x, y);

			orient_map(o, x, y, sw, sh, &X, &Y);
			c = quadrant(X, Y, dw, dh);
			if (nch == 3)
				memcpy(p, c, 3);
			else if (nch == 1)
				p[0] = c == RED ? 60 : c == GREEN ? 120 : c == BLUE ? 180 : 240;
			else
			{
				/* Adobe (inverted) CMYK: 255 means no ink */
				p[0] = (uint8_t) c[0];
				p[1] = (uint8_t) c[1];
				p[2] = (uint8_t) c[2];
				p[3] = 255;
			}
		}
	return im;
}

/* A smooth test picture (gradients) of w x h RGB. */
static inline img
gradient_image(int w, int h)
{
	img			im = img_new(w, h, 3);
	int			x;
	int			y;

	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
		{
			uint8_t    *p = img_at(&im, x, y);

			p[0] = (uint8_t) (x * 255 / (w - 1));
			p[1] = (uint8_t) (y * 255 / (h - 1));
			p[2] = (uint8_t) (((x + y) / 8) % 2 ? 200 : 50);
		}
	return im;
}

/* Runs a thumbnail with limits (max_memory too) and the counting allocator. */
static inline mm_img_status
limited_budget(const uint8_t *src, size_t len, uint64_t max_pixels, uint64_t max_bytes,
			   uint64_t max_memory, alloc_stats *stats, int_state *is, char *err, size_t errlen)
{
	mm_alloc	a = {hook_alloc, hook_free, stats};
	mm_limits	lim;
	uint8_t    *out = NULL;
	size_t		olen = 0;
	mm_img_status st;

	memset(&lim, 0, sizeof(lim));
	lim.max_pixels = max_pixels;
	lim.max_bytes = max_bytes;
	lim.max_memory = max_memory;
	lim.alloc = &a;
	if (is != NULL)
	{
		lim.interrupted = interrupt_cb;
		lim.arg = is;
	}
	st = mm_thumbnail(src, len, 64, 64, MM_THUMB_JPEG, 80, &lim, &out, &olen, NULL, err, errlen);
	if (st == MM_IMG_OK)
		mm_img_free(&lim, out);
	else if (out != NULL)
		st = MM_IMG_FAILED;		/* an error must not leave an output */
	return st;
}

/* Runs a thumbnail with pixel and byte limits and the counting allocator. */
static inline mm_img_status
limited(const uint8_t *src, size_t len, uint64_t max_pixels, uint64_t max_bytes,
		alloc_stats *stats, int_state *is, char *err, size_t errlen)
{
	return limited_budget(src, len, max_pixels, max_bytes, 0, stats, is, err, errlen);
}

#endif
