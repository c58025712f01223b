/*
 * image/dec_jpeg.c - JPEG decoding for thumbnails, with shrink-on-load.
 *
 * libjpeg can run the inverse DCT at m/8 of the full size (m = 1..8) for
 * little more than the cost of entropy decoding, so a 6000x4000 photo made
 * into a 256-pixel thumbnail is decoded at 750x500 and never held at full
 * size.  The sink says how small the decoded image may be; we pick the
 * smallest m that reaches it.  Grayscale stays one channel; CMYK and YCCK
 * (which libjpeg turns into CMYK) are converted to RGB through the APP2
 * ICC profile or the fallback CMYK profile (image/cmyk.c), read inverted
 * when an Adobe APP14 marker says Photoshop stored them so.  The EXIF
 * orientation comes from the first APP1 "Exif" block through mm_exif's
 * bounded TIFF reader.  A single-scan JPEG missing only its EOI marker is
 * decoded; one missing scan data is refused as truncated (dec_fill_input).
 */
#include "image/jpeg.h"

#include <jerror.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "probe/exif.h"
#include "util/source.h"

typedef struct jpeg_dec
{
	mm_jpeg_guard guard;
	struct jpeg_decompress_struct cinfo;
	struct jpeg_source_mgr srcmgr;	/* the file, then an EOI marker (see dec_fill) */
	int			single_scan;	/* set once the header says one scan */
	int			at_end;			/* the file has been handed out */
	int			created;
	mm_img_ctx *ctx;
	const uint8_t *src;
	size_t		len;
	mm_img_sink *sink;
	uint8_t    *row;
	uint8_t    *rgb;			/* CMYK: the row converted to RGB */
	mm_cmyk    *cmyk;			/* CMYK: the colour converter */
	int			scale;
} jpeg_dec;

/* Hands the whole file to libjpeg at once. */
static void
dec_init_source(j_decompress_ptr cinfo)
{
	(void) cinfo;
}

/*
 * Called when libjpeg has read the whole file and wants more.  A single-
 * scan JPEG that lacks only its EOI marker holds every pixel (libvips
 * draws it): it gets an EOI marker, silently; if its scan data is really
 * cut short, libjpeg then meets that marker inside the scan and warns that
 * data is missing, which refuses the file as before.  A multi-scan
 * (progressive) JPEG could end cleanly after any scan, so for it, and for
 * a second request, running out is the "truncated" warning, and libjpeg
 * gets its usual fake EOI.
 */
static boolean
dec_fill_input(j_decompress_ptr cinfo)
{
	static const JOCTET eoi[2] = {0xFF, JPEG_EOI};
	jpeg_dec   *d = (jpeg_dec *) ((char *) cinfo - offsetof(jpeg_dec, cinfo));

	if (!d->single_scan || d->at_end)
		WARNMS(cinfo, JWRN_JPEG_EOF);
	d->at_end = 1;
	cinfo->src->next_input_byte = eoi;
	cinfo->src->bytes_in_buffer = 2;
	return TRUE;
}

/* Skips n bytes; skipping past the end is what fill_input_buffer handles. */
static void
dec_skip_input(j_decompress_ptr cinfo, long n)
{
	struct jpeg_source_mgr *s = cinfo->src;

	if (n <= 0)
		return;
	while ((size_t) n > s->bytes_in_buffer)
	{
		n -= (long) s->bytes_in_buffer;
		(void) (*s->fill_input_buffer) (cinfo);
	}
	s->next_input_byte += n;
	s->bytes_in_buffer -= (size_t) n;
}

/* Nothing to release: the file is the caller's. */
static void
dec_term_source(j_decompress_ptr cinfo)
{
	(void) cinfo;
}

/* Points libjpeg at the file through the source manager above. */
static void
dec_set_source(jpeg_dec *d)
{
	d->srcmgr.init_source = dec_init_source;
	d->srcmgr.fill_input_buffer = dec_fill_input;
	d->srcmgr.skip_input_data = dec_skip_input;
	d->srcmgr.resync_to_restart = jpeg_resync_to_restart;
	d->srcmgr.term_source = dec_term_source;
	d->srcmgr.next_input_byte = d->src;
	d->srcmgr.bytes_in_buffer = d->len;
	d->cinfo.src = &d->srcmgr;
}

/* The EXIF orientation (1-8) from the saved APP1 markers, 1 when none. */
static int
exif_orientation(j_decompress_ptr cinfo)
{
	jpeg_saved_marker_ptr m;

	for (m = cinfo->marker_list; m != NULL; m = m->next)
	{
		mm_source	s;
		int			o = 0;

		if (m->marker != JPEG_APP0 + 1 || m->data_length < 14 ||
			memcmp(m->data, "Exif\0\0", 6) != 0)
			continue;
		mm_source_init_mem(&s, m->data + 6, m->data_length - 6);
		if (mm_exif_orientation(&s, 0, m->data_length - 6, &o) == MM_TIFF_OK && o >= 1 && o <= 8)
			return o;
		return 1;
	}
	return 1;
}

/*
 * Whether a dimension of n pixels decoded at m/8 still holds want pixels
 * of picture: n * m / 8 >= want, without rounding up.  libjpeg's output is
 * ceil(n * m / 8) pixels, but the last one is partly the block's padding:
 * judged by that rounded size, a 5-pixel JPEG would be decoded at 7/8 into
 * 5 pixels that show 5.7 pixels of picture and padding, squeezed (18-25 dB
 * off); judged exactly, images that small are decoded at full size.
 */
static int
scale_reaches(uint64_t n, int m, int want)
{
	return n * (uint64_t) m >= (uint64_t) want * 8;
}

/*
 * Sets up the CMYK converter from the APP2 ICC profile (none, or a broken
 * one: the fallback profile) and the row it writes RGB into.
 */
static mm_img_status
jpeg_start_cmyk(jpeg_dec *d)
{
	JOCTET	   *icc = NULL;
	unsigned int icc_len = 0;

	if (!jpeg_read_icc_profile(&d->cinfo, &icc, &icc_len))
		icc_len = 0;
	d->cmyk = mm_cmyk_open(d->ctx, icc, icc_len, 1, 4, d->cinfo.saw_Adobe_marker);
	free(icc);					/* libjpeg allocated it with malloc */
	if (d->cmyk == NULL)
		return d->ctx->status;
	d->rgb = mm_img_alloc_array(d->ctx, d->cinfo.output_width, 3);
	return d->rgb != NULL ? MM_IMG_OK : d->ctx->status;
}

/*
 * Does the decoding; every libjpeg error lands back at the setjmp here.
 * All state lives in *d (not in locals), so nothing is lost to longjmp.
 */
static mm_img_status
jpeg_run(jpeg_dec *d)
{
	j_decompress_ptr cinfo = &d->cinfo;
	mm_img_header hdr;
	int			want_w;
	int			want_h;
	int			m;
	int			nch;

	mm_jpeg_guard_init(&d->guard, d->ctx, MM_IMG_CORRUPT, 1);
	cinfo->err = &d->guard.pub;
	if (setjmp(d->guard.jb))
	{
		/* damage met after the file ran out is its end missing */
		if (d->at_end && d->ctx->status == MM_IMG_CORRUPT && d->ctx->errbuf != NULL &&
			d->ctx->errlen > 0)
			snprintf(d->ctx->errbuf, d->ctx->errlen, "the JPEG file is truncated");
		return d->ctx->status != MM_IMG_OK ? d->ctx->status : MM_IMG_CORRUPT;
	}
	jpeg_create_decompress(cinfo);
	d->created = 1;
	mm_jpeg_guard_attach(&d->guard, (j_common_ptr) cinfo);
	if (d->len > 0xFFFFFFFFu)
		return mm_img_fail(d->ctx, MM_IMG_TOO_BIG, "the JPEG file is too large");
	dec_set_source(d);
	jpeg_save_markers(cinfo, JPEG_APP0 + 1, 0xFFFF);
	jpeg_save_markers(cinfo, JPEG_APP0 + 2, 0xFFFF);	/* ICC_PROFILE chunks, for CMYK */
	jpeg_read_header(cinfo, TRUE);
	d->single_scan = !jpeg_has_multiple_scans(cinfo);
	if (mm_img_check_size(d->ctx, cinfo->image_width, cinfo->image_height) != MM_IMG_OK)
		return d->ctx->status;
	/* progressive: libjpeg keeps every coefficient of the image until the last scan */
	if (jpeg_has_multiple_scans(cinfo) && mm_jpeg_check_coefficients(&d->guard, cinfo) != MM_IMG_OK)
		return d->ctx->status;

	memset(&hdr, 0, sizeof(hdr));
	hdr.width = (int) cinfo->image_width;
	hdr.height = (int) cinfo->image_height;
	hdr.orientation = exif_orientation(cinfo);
	want_w = hdr.width;
	want_h = hdr.height;
	if (d->sink->header(d->sink, &hdr, &want_w, &want_h) != MM_IMG_OK)
		return d->ctx->status;

	for (m = 1; m < 8; m++)
		if (scale_reaches(cinfo->image_width, m, want_w) &&
			scale_reaches(cinfo->image_height, m, want_h))
			break;
	d->scale = m;
	cinfo->scale_num = (unsigned) m;
	cinfo->scale_denom = 8;
	switch (cinfo->jpeg_color_space)
	{
		case JCS_GRAYSCALE:
			cinfo->out_color_space = JCS_GRAYSCALE;
			nch = 1;
			break;
		case JCS_CMYK:
		case JCS_YCCK:
			cinfo->out_color_space = JCS_CMYK;
			nch = 3;
			break;
		default:
			cinfo->out_color_space = JCS_RGB;
			nch = 3;
			break;
	}
	jpeg_calc_output_dimensions(cinfo);
	if (mm_img_check_size(d->ctx, cinfo->output_width, cinfo->output_height) != MM_IMG_OK)
		return d->ctx->status;
	jpeg_start_decompress(cinfo);
	d->row = mm_img_alloc_array(d->ctx, cinfo->output_width,
								(size_t) cinfo->output_components);
	if (d->row == NULL)
		return d->ctx->status;
	if (cinfo->out_color_space == JCS_CMYK && jpeg_start_cmyk(d) != MM_IMG_OK)
		return d->ctx->status;
	if (d->sink->start(d->sink, (int) cinfo->output_width, (int) cinfo->output_height,
					   nch) != MM_IMG_OK)
		return d->ctx->status;
	while (cinfo->output_scanline < cinfo->output_height)
	{
		JSAMPROW	rows[1];

		if (mm_img_poll(d->ctx))
			return d->ctx->status;
		rows[0] = d->row;
		if (jpeg_read_scanlines(cinfo, rows, 1) != 1)
			return mm_img_fail(d->ctx, MM_IMG_CORRUPT, "the JPEG data ends early");
		if (d->cmyk != NULL)
			mm_cmyk_row(d->cmyk, d->row, d->rgb, cinfo->output_width);
		if (d->sink->row(d->sink, d->cmyk != NULL ? d->rgb : d->row) != MM_IMG_OK)
			return d->ctx->status;
	}
	return MM_IMG_OK;
}

/*
 * Decodes the JPEG in src into sink, shrinking on load as far as the sink
 * allows; *scale gets m of the m/8 scaling used.
 */
mm_img_status
mm_img_decode_jpeg(mm_img_ctx *ctx, const uint8_t *src, size_t len, mm_img_sink *sink,
				   int *scale)
{
	jpeg_dec   *d;
	mm_img_status status;

	d = mm_img_zalloc(ctx, sizeof(*d));
	if (d == NULL)
		return ctx->status;
	d->ctx = ctx;
	d->src = src;
	d->len = len;
	d->sink = sink;
	d->scale = 8;
	status = jpeg_run(d);
	if (d->created)
		jpeg_destroy_decompress(&d->cinfo);
	mm_img_release(ctx, d->row);
	mm_img_release(ctx, d->rgb);
	mm_cmyk_close(d->cmyk);
	if (scale != NULL)
		*scale = d->scale;
	mm_img_release(ctx, d);
	return status;
}
