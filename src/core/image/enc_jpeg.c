/*
 * image/enc_jpeg.c - JPEG encoding of thumbnails with libjpeg: the given
 * quality, 4:2:0 chroma subsampling, optimized Huffman tables.
 *
 * The output goes into a buffer from the core's allocator through the
 * core's libjpeg destination manager (image/jpeg_guard.c), and grows
 * geometrically.  libjpeg errors come back to the setjmp here.
 */
#include "image/jpeg.h"

#include <string.h>

typedef struct jpeg_enc
{
	mm_jpeg_guard guard;
	struct jpeg_compress_struct cinfo;
	mm_jpeg_dest dest;
	int			created;
	mm_outbuf	buf;
	const mm_raster *img;
	int			quality;
} jpeg_enc;

/* Does the encoding; every libjpeg error lands back at the setjmp here. */
static mm_img_status
enc_run(jpeg_enc *e)
{
	j_compress_ptr cinfo = &e->cinfo;
	const mm_raster *img = e->img;

	mm_jpeg_guard_init(&e->guard, e->buf.ctx, MM_IMG_FAILED, 0);
	cinfo->err = &e->guard.pub;
	if (setjmp(e->guard.jb))
		return e->buf.ctx->status != MM_IMG_OK ? e->buf.ctx->status : MM_IMG_FAILED;
	jpeg_create_compress(cinfo);
	e->created = 1;
	mm_jpeg_guard_attach(&e->guard, (j_common_ptr) cinfo);
	mm_jpeg_dest_attach(&e->dest, cinfo, &e->buf, 16384);
	cinfo->image_width = (JDIMENSION) img->w;
	cinfo->image_height = (JDIMENSION) img->h;
	cinfo->input_components = img->nch;
	cinfo->in_color_space = img->nch == 1 ? JCS_GRAYSCALE : JCS_RGB;
	jpeg_set_defaults(cinfo);
	jpeg_set_quality(cinfo, e->quality, TRUE);
	cinfo->optimize_coding = TRUE;
	if (img->nch == 3)
	{
		/* 4:2:0: luma 2x2, chroma 1x1 (jpeg_set_defaults' choice, made explicit) */
		cinfo->comp_info[0].h_samp_factor = 2;
		cinfo->comp_info[0].v_samp_factor = 2;
		cinfo->comp_info[1].h_samp_factor = 1;
		cinfo->comp_info[1].v_samp_factor = 1;
		cinfo->comp_info[2].h_samp_factor = 1;
		cinfo->comp_info[2].v_samp_factor = 1;
	}
	jpeg_start_compress(cinfo, TRUE);
	while (cinfo->next_scanline < cinfo->image_height)
	{
		JSAMPROW	row[1];

		if (mm_img_poll(e->buf.ctx))
			return e->buf.ctx->status;
		row[0] = img->px + (size_t) cinfo->next_scanline * img->w * img->nch;
		jpeg_write_scanlines(cinfo, row, 1);
	}
	jpeg_finish_compress(cinfo);
	return MM_IMG_OK;
}

/*
 * Encodes a gray or RGB raster as JPEG at quality 1-100 into *out (from
 * the context's allocator).
 */
mm_img_status
mm_img_encode_jpeg(mm_img_ctx *ctx, const mm_raster *img, int quality,
				   uint8_t **out, size_t *out_len)
{
	jpeg_enc   *e;
	mm_img_status status;

	if (img->nch != 1 && img->nch != 3)
		return mm_img_fail(ctx, MM_IMG_FAILED, "JPEG output needs gray or RGB pixels");
	e = mm_img_zalloc(ctx, sizeof(*e));
	if (e == NULL)
		return ctx->status;
	e->buf.ctx = ctx;
	e->img = img;
	e->quality = quality;
	status = enc_run(e);
	if (e->created)
		jpeg_destroy_compress(&e->cinfo);
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
