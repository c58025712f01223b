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
 */
#include "image/internal.h"

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
