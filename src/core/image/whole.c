/*
 * image/whole.c - what the decoders share whose library hands back the
 * whole image at once (libheif, libjxl): accounting for memory the library
 * allocates on its own, and feeding a packed image to the sink row by row.
 *
 * Such a library cannot allocate through the core's allocator (libheif) or
 * only partly does (libjxl), so the memory it will hold is estimated from
 * the header and charged to the budget before it decodes: a header that
 * asks for more than the budget is refused before any pixel is decoded,
 * and the core's own allocations during the decode see what is left.
 *
 * Such a library also decodes at full size (JPEG can decode at 1/2..1/8),
 * so a box filter can stand in for that: mm_box_shrink averages k x k
 * blocks, k the largest whole factor that keeps the image at least the
 * size the pipeline asked for (twice the target), before the Lanczos
 * resampler sees it, as libvips' shrink does before its reduce.
 */
#include "image/internal.h"

#include <string.h>

/*
 * Passes rows rows of px (stride bytes apart) to a sink already started,
 * polling the interrupt callback before each row.
 */
mm_img_status
mm_img_feed_band(mm_img_ctx *ctx, mm_img_sink *sink, const uint8_t *px, int rows, size_t stride)
{
	int			y;

	for (y = 0; y < rows; y++)
	{
		if (mm_img_poll(ctx))
			return ctx->status;
		if (sink->row(sink, px + (size_t) y * stride) != MM_IMG_OK)
			return ctx->status;
	}
	return MM_IMG_OK;
}

/*
 * Starts the sink for a w x h image of nch channels and passes it the rows
 * of px (stride bytes apart), top first, polling the interrupt callback
 * before each row.
 */
mm_img_status
mm_img_feed_rows(mm_img_ctx *ctx, mm_img_sink *sink, const uint8_t *px,
				 int w, int h, int nch, size_t stride)
{
	if (stride < (size_t) w * (size_t) nch)
		return mm_img_fail(ctx, MM_IMG_FAILED, "the decoded rows are shorter than the image");
	if (sink->start(sink, w, h, nch) != MM_IMG_OK)
		return ctx->status;
	return mm_img_feed_band(ctx, sink, px, h, stride);
}

/* Sink: the image's size is known; choose the factor and start the next sink. */
static mm_img_status
shrink_start(mm_img_sink *sink, int w, int h, int nch)
{
	mm_box_shrink *b = sink->arg;
	int			kx = b->want_w > 0 ? w / b->want_w : 1;
	int			ky = b->want_h > 0 ? h / b->want_h : 1;

	b->k = kx < ky ? kx : ky;
	if (b->k < 2 || nch != 3)
		b->k = 1;				/* alpha is left to the resampler, which weighs it */
	b->w = w;
	b->h = h;
	b->nch = nch;
	b->ow = (w + b->k - 1) / b->k;
	if (b->k > 1)
	{
		b->acc = mm_img_alloc_array(b->ctx, (size_t) b->ow * (size_t) nch, sizeof(uint32_t));
		b->out = mm_img_alloc_array(b->ctx, (size_t) b->ow, (size_t) nch);
		if (b->acc == NULL || b->out == NULL)
			return b->ctx->status;
		memset(b->acc, 0, (size_t) b->ow * nch * sizeof(uint32_t));
	}
	return b->next->start(b->next, b->ow, (h + b->k - 1) / b->k, nch);
}

/* Sink: one row; every k rows (and at the end) the averaged row goes on. */
static mm_img_status
shrink_row(mm_img_sink *sink, const uint8_t *row)
{
	mm_box_shrink *b = sink->arg;
	int			ox;
	int			c;

	if (b->k == 1)
		return b->next->row(b->next, row);
	for (ox = 0; ox < b->ow; ox++)
	{
		int			x0 = ox * b->k;
		int			x1 = x0 + b->k < b->w ? x0 + b->k : b->w;
		uint32_t   *a = b->acc + (size_t) ox * 3;
		const uint8_t *p = row + (size_t) x0 * 3;
		int			x;

		for (x = x0; x < x1; x++, p += 3)
		{
			a[0] += p[0];
			a[1] += p[1];
			a[2] += p[2];
		}
	}
	b->y++;
	if (++b->rows_in < b->k && b->y < b->h)
		return MM_IMG_OK;
	for (ox = 0; ox < b->ow; ox++)
	{
		uint32_t	n = (uint32_t) ((ox * b->k + b->k <= b->w ? b->k : b->w - ox * b->k) * b->rows_in);

		for (c = 0; c < 3; c++)
			b->out[ox * 3 + c] = (uint8_t) ((b->acc[ox * 3 + c] + n / 2) / n);
	}
	memset(b->acc, 0, (size_t) b->ow * 3 * sizeof(uint32_t));
	b->rows_in = 0;
	return b->next->row(b->next, b->out);
}

/* Sets b up as a sink in front of next; see internal.h. */
void
mm_box_shrink_init(mm_box_shrink *b, mm_img_ctx *ctx, mm_img_sink *next, int want_w, int want_h)
{
	memset(b, 0, sizeof(*b));
	b->ctx = ctx;
	b->next = next;
	b->want_w = want_w;
	b->want_h = want_h;
	b->k = 1;
	b->sink.header = next->header;
	b->sink.start = shrink_start;
	b->sink.row = shrink_row;
	b->sink.arg = b;
}

/* Frees what the box shrink allocated. */
void
mm_box_shrink_free(mm_box_shrink *b)
{
	mm_img_release(b->ctx, b->acc);
	mm_img_release(b->ctx, b->out);
	b->acc = NULL;
	b->out = NULL;
}
