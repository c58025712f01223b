/*
 * image/enc_png.c - PNG encoding of thumbnails with libpng: 8-bit gray,
 * gray+alpha, RGB or RGBA, zlib level 6, adaptive filtering.
 *
 * Output goes to a growable buffer from the core's allocator; libpng's
 * own memory goes through that allocator as well, and its errors longjmp
 * back to the setjmp here (image/png_guard.c).
 */
#include "image/png.h"

#include <string.h>

typedef struct png_enc
{
	mm_png_guard guard;			/* libpng's structs, errors and memory */
	mm_img_ctx *ctx;
	mm_outbuf	buf;
	const mm_raster *img;
} png_enc;

/* Appends libpng's output to the buffer. */
static void
enc_write(png_structp png, png_bytep data, size_t n)
{
	png_enc    *e = png_get_io_ptr(png);

	if (mm_outbuf_reserve(&e->buf, n) != 0)
		png_error(png, "out of memory");
	memcpy(e->buf.data + e->buf.len, data, n);
	e->buf.len += n;
}

/* Nothing to flush in memory. */
static void
enc_flush(png_structp png)
{
	(void) png;
}

/* Does the encoding; every libpng error lands back at the setjmp here. */
static mm_img_status
enc_run(png_enc *e)
{
	static const int ctypes[5] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA,
	PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA};
	const mm_raster *img = e->img;
	int			y;

	if (setjmp(e->guard.jb))
		return e->ctx->status != MM_IMG_OK ? e->ctx->status : MM_IMG_FAILED;
	if (mm_png_guard_create(&e->guard, 1) != MM_IMG_OK)
		return e->ctx->status;
	png_set_write_fn(e->guard.png, e, enc_write, enc_flush);
	png_set_IHDR(e->guard.png, e->guard.info, (png_uint_32) img->w, (png_uint_32) img->h, 8,
				 ctypes[img->nch], PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
				 PNG_FILTER_TYPE_DEFAULT);
	png_set_compression_level(e->guard.png, 6);
	png_set_filter(e->guard.png, PNG_FILTER_TYPE_BASE, PNG_ALL_FILTERS);
	png_write_info(e->guard.png, e->guard.info);
	for (y = 0; y < img->h; y++)
	{
		if (mm_img_poll(e->ctx))
			return e->ctx->status;
		png_write_row(e->guard.png, img->px + (size_t) y * img->w * img->nch);
	}
	png_write_end(e->guard.png, e->guard.info);
	return MM_IMG_OK;
}

/* Encodes a 1-4 channel raster as PNG into *out (context's allocator). */
mm_img_status
mm_img_encode_png(mm_img_ctx *ctx, const mm_raster *img, uint8_t **out, size_t *out_len)
{
	png_enc    *e;
	mm_img_status status;

	if (img->nch < 1 || img->nch > 4)
		return mm_img_fail(ctx, MM_IMG_FAILED, "PNG output needs 1 to 4 channels");
	e = mm_img_zalloc(ctx, sizeof(*e));
	if (e == NULL)
		return ctx->status;
	e->ctx = ctx;
	e->buf.ctx = ctx;
	e->img = img;
	mm_png_guard_init(&e->guard, ctx, MM_IMG_FAILED, "PNG encoder");
	status = enc_run(e);
	mm_png_guard_destroy(&e->guard);
	if (status == MM_IMG_OK)
	{
		*out = e->buf.data;
		*out_len = e->buf.len;
	}
	else
		mm_img_release_out(ctx, e->buf.data, e->buf.cap);
	mm_img_release(ctx, e);
	return status;
}
