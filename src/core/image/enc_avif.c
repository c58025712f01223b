/*
 * image/enc_avif.c - AVIF encoding with libheif's AV1 encoder (libaom in
 * Debian's libheif 1.15): quality 1-100, speed 9 (libheif's fastest aom
 * setting, about as fast as libavif's speed 10 in our measurement, see the
 * README), one thread, 4:2:0, alpha kept as an alpha plane.
 *
 * libheif rather than libavif: it is already linked to decode HEIC and
 * AVIF, so AVIF out costs no further library.  The pixels are copied into
 * a libheif image (whatever the raster's channels); the file is written
 * through a heif_writer into a buffer from the core's allocator.  libheif
 * and libaom allocate their own working memory with malloc (no allocator
 * hook) and offer no cancel: the interrupt callback is polled before and
 * after the encoding, which takes milliseconds at thumbnail sizes.
 */
#include "image/internal.h"

#include <string.h>

#include <libheif/heif.h>

#define AVIF_SPEED 9

/* The writer: appends the file to the core's output buffer. */
static struct heif_error
avif_write(struct heif_context *hc, const void *data, size_t size, void *userdata)
{
	mm_outbuf  *buf = userdata;
	struct heif_error ok = {heif_error_Ok, heif_suberror_Unspecified, "ok"};
	struct heif_error full = {heif_error_Encoding_error, heif_suberror_Cannot_write_output_data,
	"the output could not be stored"};

	(void) hc;
	if (mm_outbuf_reserve(buf, size) != 0)
		return full;
	memcpy(buf->data + buf->len, data, size);
	buf->len += size;
	return ok;
}

/* Makes a libheif RGB or RGBA image holding the raster's pixels; NULL on failure. */
static struct heif_image *
avif_image(mm_img_ctx *ctx, const mm_raster *img)
{
	int			alpha = img->nch == 2 || img->nch == 4;
	int			out_nch = alpha ? 4 : 3;
	struct heif_image *him = NULL;
	struct heif_error err;
	uint8_t    *plane;
	int			stride;
	int			x;
	int			y;

	err = heif_image_create(img->w, img->h, heif_colorspace_RGB,
							alpha ? heif_chroma_interleaved_RGBA : heif_chroma_interleaved_RGB, &him);
	if (err.code == heif_error_Ok)
		err = heif_image_add_plane(him, heif_channel_interleaved, img->w, img->h, 8);
	if (err.code != heif_error_Ok)
	{
		mm_img_fail(ctx, MM_IMG_FAILED, "AVIF encoder: %s", err.message);
		if (him)
			heif_image_release(him);
		return NULL;
	}
	plane = heif_image_get_plane(him, heif_channel_interleaved, &stride);
	for (y = 0; y < img->h; y++)
	{
		const uint8_t *src = img->px + (size_t) y * img->w * img->nch;
		uint8_t    *dst = plane + (size_t) y * stride;

		for (x = 0; x < img->w; x++)
		{
			uint8_t		c[4];

			mm_px_rgba(src + (size_t) x * img->nch, img->nch, c);
			memcpy(dst + (size_t) x * out_nch, c, out_nch);
		}
	}
	return him;
}

/* Sets up the AV1 encoder: quality, speed, one thread. */
static struct heif_error
avif_configure(struct heif_encoder *enc, int quality)
{
	struct heif_error err = heif_encoder_set_lossy_quality(enc, quality);

	if (err.code == heif_error_Ok)
		err = heif_encoder_set_parameter_integer(enc, "speed", AVIF_SPEED);
	if (err.code == heif_error_Ok)
		err = heif_encoder_set_parameter_integer(enc, "threads", 1);
	return err;
}

/* Encodes a 1-4 channel raster as AVIF at quality 1-100 into *out. */
mm_img_status
mm_img_encode_avif(mm_img_ctx *ctx, const mm_raster *img, int quality,
				   uint8_t **out, size_t *out_len)
{
	struct heif_context *hc;
	struct heif_encoder *enc = NULL;
	struct heif_image *him;
	struct heif_writer writer = {1, avif_write};
	struct heif_error err;
	mm_outbuf	buf;

	memset(&buf, 0, sizeof(buf));
	buf.ctx = ctx;
	if (mm_img_poll(ctx))
		return ctx->status;
	him = avif_image(ctx, img);
	if (him == NULL)
		return ctx->status;
	hc = heif_context_alloc();
	if (hc == NULL)
	{
		heif_image_release(him);
		return mm_img_fail(ctx, MM_IMG_NOMEM, "libheif could not allocate a context");
	}
	err = heif_context_get_encoder_for_format(hc, heif_compression_AV1, &enc);
	if (err.code == heif_error_Ok)
		err = avif_configure(enc, quality);
	if (err.code == heif_error_Ok)
		err = heif_context_encode_image(hc, him, enc, NULL, NULL);
	if (err.code == heif_error_Ok && !mm_img_poll(ctx))
		err = heif_context_write(hc, &writer, &buf);
	if (err.code != heif_error_Ok)
		mm_img_fail(ctx, err.code == heif_error_Memory_allocation_error ? MM_IMG_NOMEM : MM_IMG_FAILED,
					"AVIF encoder: %s", err.message);
	if (enc != NULL)
		heif_encoder_release(enc);
	heif_image_release(him);
	heif_context_free(hc);
	if (ctx->status != MM_IMG_OK)
	{
		mm_img_release_out(ctx, buf.data, buf.cap);
		return ctx->status;
	}
	*out = buf.data;
	*out_len = buf.len;
	return MM_IMG_OK;
}
