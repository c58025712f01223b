/*
 * image/dec_jxl.c - JPEG XL decoding for thumbnails through libjxl.
 *
 * libjxl's event API is driven here on one thread (no parallel runner).
 * Input is given in slices so that control comes back between them: the
 * interrupt callback is polled at every event and every slice.  At the
 * basic info the size is checked against max_pixels and the memory the
 * decode holds is charged to the budget, before any pixel buffer exists.
 * The first frame (animations are coalesced, so it is the first displayed
 * image) is decoded to 8-bit gray, gray+alpha, RGB or RGBA into one buffer
 * from the core's allocator, then passed to the sink row by row.
 *
 * Orientation is kept (JxlDecoderSetKeepOrientation): libjxl returns the
 * stored image and its orientation (the EXIF values 1-8) goes to the
 * sink, so the small thumbnail is turned, not the full image.
 *
 * Memory: libjxl's memory manager is the core's allocator, so what libjxl
 * allocates through it counts against max_bytes and the budget.  libjxl
 * 0.7 allocates its image planes with its own aligned allocator, so those
 * are covered by the estimate charged at the basic info instead.
 */
#include "image/internal.h"

#include <string.h>

#include <jxl/decode.h>

/*
 * Input given to libjxl at once; each slice gives control back.  4 kB kept
 * the longest wait between polls of a 12 Mpx file near 100 ms (64 kB: 250-
 * 400 ms) for no measurable cost; a single libjxl call on one small slice
 * can still run long (a fuzzed 863-byte file of 39 layers: 1.2 s).
 */
#define JXL_SLICE ((size_t) 4096)

typedef struct jxl_dec
{
	mm_img_ctx *ctx;
	mm_img_sink *sink;
	JxlDecoder *dec;
	JxlPixelFormat fmt;
	mm_img_header hdr;
	uint8_t    *px;				/* the decoded first frame */
	size_t		stride;
	uint64_t	reserved;		/* bytes charged to the budget for libjxl's planes */
} jxl_dec;

/* libjxl's allocator: the core's, within max_bytes and the budget. */
static void *
jxl_alloc(void *opaque, size_t size)
{
	return mm_img_alloc((mm_img_ctx *) opaque, size);
}

/* libjxl's free. */
static void
jxl_free(void *opaque, void *address)
{
	mm_img_release((mm_img_ctx *) opaque, address);
}

/*
 * Bytes libjxl 0.7 holds in its own planes for a w x h image of nch
 * channels: float planes for every channel, with room for the
 * intermediate buffers of a VarDCT frame.
 */
static uint64_t
jxl_memory_estimate(uint64_t w, uint64_t h, int nch)
{
	return w * h * (uint64_t) nch * 4 * 3 + ((uint64_t) 4 << 20);
}

/* The basic info: checks the size, charges the memory, tells the sink. */
static mm_img_status
jxl_basic_info(jxl_dec *d)
{
	JxlBasicInfo bi;
	int			want_w;
	int			want_h;
	int			nch;

	if (JxlDecoderGetBasicInfo(d->dec, &bi) != JXL_DEC_SUCCESS)
		return mm_img_fail(d->ctx, MM_IMG_CORRUPT, "JPEG XL: no basic info");
	if (mm_img_check_size(d->ctx, bi.xsize, bi.ysize) != MM_IMG_OK)
		return d->ctx->status;
	nch = (bi.num_color_channels == 1 ? 1 : 3) + (bi.alpha_bits > 0 ? 1 : 0);
	/* libjxl holds a plane for every extra channel (depth, spot colours), not only alpha */
	d->reserved = jxl_memory_estimate(bi.xsize, bi.ysize,
									  (int) (bi.num_color_channels == 1 ? 1 : 3) +
									  (int) (bi.num_extra_channels < 256 ? bi.num_extra_channels : 256));
	if (mm_img_reserve(d->ctx, d->reserved, "the JPEG XL image") != MM_IMG_OK)
	{
		d->reserved = 0;
		return d->ctx->status;
	}
	d->fmt.num_channels = (uint32_t) nch;
	d->fmt.data_type = JXL_TYPE_UINT8;
	d->fmt.endianness = JXL_NATIVE_ENDIAN;
	d->fmt.align = 0;
	d->hdr.width = (int) bi.xsize;
	d->hdr.height = (int) bi.ysize;
	d->hdr.has_alpha = bi.alpha_bits > 0;
	d->hdr.orientation = bi.orientation >= 1 && bi.orientation <= 8 ? (int) bi.orientation : 1;
	want_w = d->hdr.width;
	want_h = d->hdr.height;
	if (d->sink->header(d->sink, &d->hdr, &want_w, &want_h) != MM_IMG_OK)
		return d->ctx->status;
	return MM_IMG_OK;
}

/* libjxl wants the output buffer: one packed image from the core's allocator. */
static mm_img_status
jxl_out_buffer(jxl_dec *d)
{
	size_t		size;

	if (d->px != NULL)
		return mm_img_fail(d->ctx, MM_IMG_CORRUPT, "JPEG XL: a second output buffer was asked for");
	if (JxlDecoderImageOutBufferSize(d->dec, &d->fmt, &size) != JXL_DEC_SUCCESS)
		return mm_img_fail(d->ctx, MM_IMG_CORRUPT, "JPEG XL: no output buffer size");
	d->stride = (size_t) d->hdr.width * d->fmt.num_channels;
	if (size != d->stride * (size_t) d->hdr.height)
		return mm_img_fail(d->ctx, MM_IMG_CORRUPT, "JPEG XL: unexpected output buffer size");
	d->px = mm_img_alloc(d->ctx, size);
	if (d->px == NULL)
		return d->ctx->status;
	if (JxlDecoderSetImageOutBuffer(d->dec, &d->fmt, d->px, size) != JXL_DEC_SUCCESS)
		return mm_img_fail(d->ctx, MM_IMG_CORRUPT, "JPEG XL: the output buffer was refused");
	return MM_IMG_OK;
}

/*
 * Drives the decoder through its events up to the first full frame,
 * giving input a slice at a time.
 */
static mm_img_status
jxl_run(jxl_dec *d, const uint8_t *src, size_t len)
{
	size_t		given = 0;		/* bytes of src handed to libjxl so far */

	if (JxlDecoderSubscribeEvents(d->dec, JXL_DEC_BASIC_INFO | JXL_DEC_FULL_IMAGE) != JXL_DEC_SUCCESS ||
		JxlDecoderSetParallelRunner(d->dec, NULL, NULL) != JXL_DEC_SUCCESS ||
		JxlDecoderSetKeepOrientation(d->dec, JXL_TRUE) != JXL_DEC_SUCCESS ||
		JxlDecoderSetCoalescing(d->dec, JXL_TRUE) != JXL_DEC_SUCCESS)
		return mm_img_fail(d->ctx, MM_IMG_FAILED, "JPEG XL: the decoder could not be set up");
	for (;;)
	{
		JxlDecoderStatus js;

		if (mm_img_poll(d->ctx))
			return d->ctx->status;
		js = JxlDecoderProcessInput(d->dec);
		if (d->ctx->status != MM_IMG_OK)
			return d->ctx->status;	/* the allocator refused */
		switch (js)
		{
			case JXL_DEC_NEED_MORE_INPUT:
				{
					size_t		unread = JxlDecoderReleaseInput(d->dec);
					size_t		from = given - unread;
					size_t		n;

					if (given == len)
						return mm_img_fail(d->ctx, MM_IMG_CORRUPT, "JPEG XL: the file is truncated");
					n = len - given < JXL_SLICE ? len - given : JXL_SLICE;
					given += n;
					if (JxlDecoderSetInput(d->dec, src + from, given - from) != JXL_DEC_SUCCESS)
						return mm_img_fail(d->ctx, MM_IMG_FAILED, "JPEG XL: input refused");
					if (given == len)
						JxlDecoderCloseInput(d->dec);
					break;
				}
			case JXL_DEC_BASIC_INFO:
				if (jxl_basic_info(d) != MM_IMG_OK)
					return d->ctx->status;
				break;
			case JXL_DEC_NEED_IMAGE_OUT_BUFFER:
				if (jxl_out_buffer(d) != MM_IMG_OK)
					return d->ctx->status;
				break;
			case JXL_DEC_FULL_IMAGE:
				if (d->px == NULL)
					return mm_img_fail(d->ctx, MM_IMG_CORRUPT, "JPEG XL: a frame without pixels");
				return MM_IMG_OK;
			case JXL_DEC_SUCCESS:
				return mm_img_fail(d->ctx, MM_IMG_CORRUPT, "JPEG XL: the file has no image");
			case JXL_DEC_ERROR:
				return mm_img_fail(d->ctx, MM_IMG_CORRUPT, "JPEG XL: the data is invalid");
			default:
				return mm_img_fail(d->ctx, MM_IMG_UNSUPPORTED, "JPEG XL: unexpected decoder event %d",
								   (int) js);
		}
	}
}

/* Decodes the JPEG XL image in src (bare codestream or container) into sink. */
mm_img_status
mm_img_decode_jxl(mm_img_ctx *ctx, const uint8_t *src, size_t len, mm_img_sink *sink)
{
	JxlMemoryManager mm = {ctx, jxl_alloc, jxl_free};
	jxl_dec		d;
	mm_img_status st;

	memset(&d, 0, sizeof(d));
	d.ctx = ctx;
	d.sink = sink;
	d.dec = JxlDecoderCreate(&mm);
	if (d.dec == NULL)
		return ctx->status != MM_IMG_OK ? ctx->status :
			mm_img_fail(ctx, MM_IMG_NOMEM, "JPEG XL: libjxl could not start");
	st = jxl_run(&d, src, len);
	JxlDecoderDestroy(d.dec);
	mm_img_unreserve(ctx, d.reserved);	/* libjxl's planes are gone */
	if (st == MM_IMG_OK)
		st = mm_img_feed_rows(ctx, sink, d.px, d.hdr.width, d.hdr.height,
							  (int) d.fmt.num_channels, d.stride);
	mm_img_release(ctx, d.px);
	return st;
}
