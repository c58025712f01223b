/*
 * image/enc_webp.c - WebP encoding with libwebp: lossy (VP8, alpha kept
 * losslessly beside it) at a quality of 1-100, or lossless (VP8L).
 *
 * Speed before the last percent of size: method 2 for lossy (libwebp's
 * default, 4, searches longer for a slightly smaller file), and the
 * lossless preset of level 1 (of 0-9).  The pixels are written straight into the
 * picture's ARGB buffer (whatever the raster's channels), the encoded
 * bytes go through a custom writer into a buffer from the core's
 * allocator, and the progress hook polls the interrupt callback so a
 * cancel stops libwebp between rows of macroblocks.  libwebp's own working
 * memory (about 10 bytes a pixel) comes from malloc: it offers no
 * allocator hook; its size is bounded by the raster, itself bounded by
 * max_pixels.
 */
#include "image/internal.h"

#include <string.h>

#include <webp/encode.h>

/* The custom writer: appends to the core's output buffer. */
static int
webp_write(const uint8_t *data, size_t size, const WebPPicture *pic)
{
	mm_outbuf  *buf = pic->custom_ptr;

	if (mm_outbuf_reserve(buf, size) != 0)
		return 0;
	memcpy(buf->data + buf->len, data, size);
	buf->len += size;
	return 1;
}

/* The progress hook: 0 (stop) when the call was interrupted. */
static int
webp_progress(int percent, const WebPPicture *pic)
{
	mm_outbuf  *buf = pic->custom_ptr;

	(void) percent;
	return mm_img_poll(buf->ctx) == 0;
}

/* Copies the raster into the picture's ARGB rows. */
static void
fill_argb(WebPPicture *pic, const mm_raster *img)
{
	int			x;
	int			y;

	for (y = 0; y < img->h; y++)
	{
		const uint8_t *src = img->px + (size_t) y * img->w * img->nch;
		uint32_t   *dst = pic->argb + (size_t) y * pic->argb_stride;

		for (x = 0; x < img->w; x++)
		{
			uint8_t		c[4];

			mm_px_rgba(src + (size_t) x * img->nch, img->nch, c);
			dst[x] = (uint32_t) c[3] << 24 | (uint32_t) c[0] << 16 | (uint32_t) c[1] << 8 | c[2];
		}
	}
}

/* The message of a libwebp encoding error. */
static const char *
webp_error_name(WebPEncodingError e)
{
	switch (e)
	{
		case VP8_ENC_ERROR_OUT_OF_MEMORY:
		case VP8_ENC_ERROR_BITSTREAM_OUT_OF_MEMORY:
			return "out of memory";
		case VP8_ENC_ERROR_BAD_DIMENSION:
			return "the image is too large for WebP (16383 pixels a side at most)";
		case VP8_ENC_ERROR_BAD_WRITE:
			return "the output could not be stored";
		case VP8_ENC_ERROR_USER_ABORT:
			return "interrupted";
		default:
			return "libwebp failed";
	}
}

/*
 * Encodes a 1-4 channel raster as WebP (lossy at quality 1-100, or
 * lossless) into *out (context's allocator).
 */
mm_img_status
mm_img_encode_webp(mm_img_ctx *ctx, const mm_raster *img, int quality, int lossless,
				   uint8_t **out, size_t *out_len)
{
	WebPConfig	config;
	WebPPicture pic;
	mm_outbuf	buf;
	int			ok;

	memset(&buf, 0, sizeof(buf));
	buf.ctx = ctx;
	if (img->w > WEBP_MAX_DIMENSION || img->h > WEBP_MAX_DIMENSION)
		return mm_img_fail(ctx, MM_IMG_BAD_ARG, "WebP images are at most %d pixels a side",
						   WEBP_MAX_DIMENSION);
	if (!WebPConfigInit(&config) || !WebPPictureInit(&pic))
		return mm_img_fail(ctx, MM_IMG_FAILED, "libwebp version mismatch");
	if (lossless)
	{
		if (!WebPConfigLosslessPreset(&config, 1))
			return mm_img_fail(ctx, MM_IMG_FAILED, "libwebp refused the lossless preset");
	}
	else
	{
		config.quality = (float) quality;
		config.method = 2;
	}
	config.thread_level = 0;
	pic.use_argb = 1;
	pic.width = img->w;
	pic.height = img->h;
	if (!WebPPictureAlloc(&pic))
		return mm_img_fail(ctx, MM_IMG_NOMEM, "libwebp could not allocate a %dx%d picture",
						   img->w, img->h);
	fill_argb(&pic, img);
	pic.writer = webp_write;
	pic.custom_ptr = &buf;
	pic.progress_hook = webp_progress;
	ok = WebPEncode(&config, &pic);
	if (!ok)
	{
		if (ctx->status == MM_IMG_OK)
			mm_img_fail(ctx, pic.error_code == VP8_ENC_ERROR_OUT_OF_MEMORY ? MM_IMG_NOMEM : MM_IMG_FAILED,
						"WebP encoder: %s", webp_error_name(pic.error_code));
		WebPPictureFree(&pic);
		mm_img_release_out(ctx, buf.data, buf.cap);
		return ctx->status;
	}
	WebPPictureFree(&pic);
	*out = buf.data;
	*out_len = buf.len;
	return MM_IMG_OK;
}
