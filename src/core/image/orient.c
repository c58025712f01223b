/*
 * image/orient.c - turning a decoded (stored) image into the image as it
 * is meant to be seen: the eight EXIF orientations, and compositing alpha
 * on white for formats without alpha.
 *
 * Both run on the thumbnail, after scaling, so they touch few pixels.
 */
#include "image/internal.h"

#include <string.h>

/*
 * Replaces img by its display image for EXIF orientation o (1-8).  Stored
 * pixel (x, y) of a w x h image goes to display (X, Y):
 *   1 (x, y)        2 (w-1-x, y)        3 (w-1-x, h-1-y)   4 (x, h-1-y)
 *   5 (y, x)        6 (h-1-y, x)        7 (h-1-y, w-1-x)   8 (y, w-1-x)
 * 5-8 swap the width and height.
 */
mm_img_status
mm_img_orient(mm_img_ctx *ctx, mm_raster *img, int o)
{
	int			w = img->w;
	int			h = img->h;
	int			nch = img->nch;
	int			dw = (o >= 5 && o <= 8) ? h : w;
	uint8_t    *out;
	int			x;
	int			y;

	if (o < 2 || o > 8)
		return MM_IMG_OK;
	out = mm_img_alloc_array(ctx, (size_t) w * h, (size_t) nch);
	if (out == NULL)
		return ctx->status;
	for (y = 0; y < h; y++)
	{
		const uint8_t *src = img->px + (size_t) y * w * nch;

		if (mm_img_poll(ctx))
		{
			mm_img_release(ctx, out);
			return ctx->status;
		}
		for (x = 0; x < w; x++)
		{
			int			X;
			int			Y;

			switch (o)
			{
				case 2:
					X = w - 1 - x;
					Y = y;
					break;
				case 3:
					X = w - 1 - x;
					Y = h - 1 - y;
					break;
				case 4:
					X = x;
					Y = h - 1 - y;
					break;
				case 5:
					X = y;
					Y = x;
					break;
				case 6:
					X = h - 1 - y;
					Y = x;
					break;
				case 7:
					X = h - 1 - y;
					Y = w - 1 - x;
					break;
				default:
					X = y;
					Y = w - 1 - x;
					break;
			}
			memcpy(out + ((size_t) Y * dw + X) * nch, src + (size_t) x * nch, nch);
		}
	}
	mm_img_release(ctx, img->px);
	img->px = out;
	if (o >= 5)
	{
		img->w = h;
		img->h = w;
	}
	return MM_IMG_OK;
}

/*
 * Composites gray+alpha or RGBA pixels on a white background, in place,
 * dropping the alpha channel: out = c * a + 255 * (1 - a).
 */
void
mm_img_flatten(mm_raster *img)
{
	size_t		n = (size_t) img->w * img->h;
	int			nc = img->nch - 1;
	uint8_t    *p = img->px;
	size_t		i;
	int			c;

	if (img->nch != 2 && img->nch != 4)
		return;
	for (i = 0; i < n; i++)
	{
		const uint8_t *s = img->px + i * img->nch;
		unsigned	a = s[nc];

		for (c = 0; c < nc; c++)
			p[c] = (uint8_t) ((s[c] * a + 255u * (255u - a) + 127u) / 255u);
		p += nc;
	}
	img->nch = nc;
}
