/*
 * image/placeholder.c - the placeholder of an encoded image: a ThumbHash
 * and the dominant colour of its display image, for a page to paint before
 * the image arrives.
 *
 * The image goes through the thumbnail pipeline (image/thumbnail.c) with a
 * box of MM_THUMBHASH_MAX_SIDE, so JPEGs are decoded at 1/8 scale when they
 * are large enough and no full-size image is held (apart from the formats
 * whose libraries hold it: image/whole.c), under the caller's limits.
 */
#include "image/thumbhash.h"

#include <string.h>

#include "image/internal.h"
#include "image/spec.h"

/* Copies an image of nch channels into rgba (4 bytes a pixel), w * h pixels. */
static void
to_rgba(const mm_raster *img, uint8_t *rgba)
{
	size_t		n = (size_t) img->w * img->h;

	for (size_t i = 0; i < n; i++)
		mm_px_rgba(img->px + i * img->nch, img->nch, rgba + i * 4);
}

mm_img_status
mm_placeholder_make(const uint8_t *src, size_t len, const mm_limits *lim,
					mm_placeholder *out, char *errbuf, size_t errlen)
{
	mm_img_ctx	ctx;
	mm_xform	x;
	mm_thumb_info info;
	mm_raster	img;
	uint8_t    *rgba;
	mm_img_status st;

	mm_img_ctx_init(&ctx, lim, errbuf, errlen);
	if (out == NULL)
		return mm_img_fail(&ctx, MM_IMG_BAD_ARG, "no output");
	memset(out, 0, sizeof(*out));
	mm_xform_init(&x);
	x.width = MM_THUMBHASH_MAX_SIDE;
	x.height = MM_THUMBHASH_MAX_SIDE;
	st = mm_img_scaled(&ctx, src, len, &x, &info, &img);
	if (st != MM_IMG_OK)
		return st;
	if (img.w > MM_THUMBHASH_MAX_SIDE || img.h > MM_THUMBHASH_MAX_SIDE || img.nch < 1 || img.nch > 4)
		st = mm_img_fail(&ctx, MM_IMG_FAILED, "the scaled image is %dx%d", img.w, img.h);
	else if ((rgba = mm_img_alloc_array(&ctx, (size_t) img.w * img.h, 4)) == NULL)
		st = ctx.status;
	else
	{
		to_rgba(&img, rgba);
		out->hash_len = mm_thumbhash_encode(img.w, img.h, rgba, out->hash);
		out->has_colour = mm_dominant_colour(img.w, img.h, rgba, out->colour) == 0;
		mm_img_release(&ctx, rgba);
		if (out->hash_len == 0)
			st = mm_img_fail(&ctx, MM_IMG_FAILED, "the placeholder could not be encoded");
	}
	mm_img_release(&ctx, img.px);
	if (st != MM_IMG_OK)
		memset(out, 0, sizeof(*out));
	return st;
}
