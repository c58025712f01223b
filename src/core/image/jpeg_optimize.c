/*
 * image/jpeg_optimize.c - lossless JPEG re-encoding: the DCT coefficients are
 * read and written back unchanged (libjpeg's transcoding API, as jpegtran
 * does it) with optimized Huffman tables and, when asked, a progressive
 * scan script, so the decoded pixels stay identical while the file
 * usually gets 5-15% smaller.  Every APPn and COM marker (JFIF, EXIF, ICC,
 * XMP, Adobe) is copied, so no metadata is lost; a JFIF header is written
 * only when the input had one.
 *
 * The coefficient buffer for the whole image is held in memory; libjpeg's
 * total is capped at max_bytes, and the size is checked against max_pixels
 * from the header before libjpeg allocates it.
 */
#include "image/jpeg.h"

#include <string.h>

typedef struct jpeg_opt
{
	mm_jpeg_guard guard;
	struct jpeg_decompress_struct src;
	struct jpeg_compress_struct dst;
	mm_jpeg_dest dest;
	int			src_created;
	int			dst_created;
	mm_img_ctx *ctx;
	mm_outbuf	buf;
	const uint8_t *in;
	size_t		in_len;
	int			progressive;
} jpeg_opt;

/* Whether marker m is a JFIF APP0 (kind 0) or an Adobe APP14 (kind 1). */
static int
marker_is(jpeg_saved_marker_ptr m, int kind)
{
	if (kind == 0)
		return m->marker == JPEG_APP0 && m->data_length >= 5 &&
			memcmp(m->data, "JFIF\0", 5) == 0;
	return m->marker == JPEG_APP0 + 14 && m->data_length >= 5 &&
		memcmp(m->data, "Adobe", 5) == 0;
}

/* Does the transcoding; every libjpeg error lands back at the setjmp here. */
static mm_img_status
opt_run(jpeg_opt *o)
{
	j_decompress_ptr src = &o->src;
	j_compress_ptr dst = &o->dst;
	jvirt_barray_ptr *coef;
	jpeg_saved_marker_ptr m;
	int			i;

	mm_jpeg_guard_init(&o->guard, o->ctx, MM_IMG_CORRUPT, 1);
	src->err = &o->guard.pub;
	dst->err = &o->guard.pub;
	if (setjmp(o->guard.jb))
		return o->ctx->status != MM_IMG_OK ? o->ctx->status : MM_IMG_CORRUPT;
	jpeg_create_decompress(src);
	o->src_created = 1;
	mm_jpeg_guard_attach(&o->guard, (j_common_ptr) src);
	if (o->in_len > 0xFFFFFFFFu)
		return mm_img_fail(o->ctx, MM_IMG_TOO_BIG, "the JPEG file is too large");
	jpeg_mem_src(src, o->in, (unsigned long) o->in_len);
	jpeg_save_markers(src, JPEG_COM, 0xFFFF);
	for (i = 0; i < 16; i++)
		jpeg_save_markers(src, JPEG_APP0 + i, 0xFFFF);
	jpeg_read_header(src, TRUE);
	if (mm_img_check_size(o->ctx, src->image_width, src->image_height) != MM_IMG_OK ||
		mm_jpeg_check_coefficients(&o->guard, src) != MM_IMG_OK)
		return o->ctx->status;
	coef = jpeg_read_coefficients(src);

	jpeg_create_compress(dst);
	o->dst_created = 1;
	mm_jpeg_guard_attach(&o->guard, (j_common_ptr) dst);
	/* the output buffer starts at about half the input's size */
	mm_jpeg_dest_attach(&o->dest, dst, &o->buf, o->in_len / 2 + 4096);
	jpeg_copy_critical_parameters(src, dst);
	dst->write_JFIF_header = src->saw_JFIF_marker;
	dst->optimize_coding = TRUE;
	if (o->progressive)
		jpeg_simple_progression(dst);
	jpeg_write_coefficients(dst, coef);
	for (m = src->marker_list; m != NULL; m = m->next)
	{
		if ((dst->write_JFIF_header && marker_is(m, 0)) ||
			(dst->write_Adobe_marker && marker_is(m, 1)))
			continue;
		jpeg_write_marker(dst, m->marker, m->data, m->data_length);
	}
	jpeg_finish_compress(dst);
	return MM_IMG_OK;
}

/* Re-encodes a JPEG losslessly; see image/image.h. */
mm_img_status
mm_jpeg_optimize(const uint8_t *src, size_t len, int progressive,
				 const mm_limits *lim, uint8_t **out, size_t *out_len,
				 int *optimized, char *errbuf, size_t errlen)
{
	mm_img_ctx	ctx;
	jpeg_opt   *o;
	mm_img_status st;

	mm_img_ctx_init(&ctx, lim, errbuf, errlen);
	if (out == NULL || out_len == NULL)
		return mm_img_fail(&ctx, MM_IMG_BAD_ARG, "no output pointer");
	*out = NULL;
	*out_len = 0;
	if (optimized != NULL)
		*optimized = 0;
	if (src == NULL || len < 3 || src[0] != 0xFF || src[1] != 0xD8 || src[2] != 0xFF)
		return mm_img_fail(&ctx, src == NULL ? MM_IMG_BAD_ARG : MM_IMG_UNSUPPORTED,
						   "not a JPEG file");
	o = mm_img_zalloc(&ctx, sizeof(*o));
	if (o == NULL)
		return ctx.status;
	o->ctx = &ctx;
	o->buf.ctx = &ctx;
	o->in = src;
	o->in_len = len;
	o->progressive = progressive;
	st = opt_run(o);
	if (o->dst_created)
		jpeg_destroy_compress(&o->dst);
	if (o->src_created)
		jpeg_destroy_decompress(&o->src);
	if (st == MM_IMG_OK && o->buf.len < len)
	{
		*out = o->buf.data;
		*out_len = o->buf.len;
		if (optimized != NULL)
			*optimized = 1;
	}
	else
	{
		mm_img_release_out(&ctx, o->buf.data, o->buf.cap);
		if (st == MM_IMG_OK)
		{
			/* no gain: hand back the input */
			*out = mm_img_alloc_out(&ctx, len);
			if (*out == NULL)
				st = ctx.status;
			else
			{
				memcpy(*out, src, len);
				*out_len = len;
			}
		}
	}
	mm_img_release(&ctx, o);
	return st;
}
