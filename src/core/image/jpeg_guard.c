/*
 * image/jpeg_guard.c - libjpeg's error, warning and progress callbacks and
 * its destination manager for the image core.
 *
 * libjpeg reports a fatal error by calling error_exit, which must not
 * return; ours records the message in the call's context and longjmps to
 * the setjmp of the core function that is driving libjpeg, which then
 * destroys the libjpeg object and frees its own buffers.  Warnings about
 * corrupt entropy-coded data (premature end of data, bad Huffman codes,
 * a marker in the middle of a scan) mean the pixels are partly garbage:
 * with strict set they are errors too.  The progress monitor, which
 * libjpeg calls once per iMCU row and per scan, polls the interrupt
 * callback and stops files with absurd numbers of progressive scans.
 * The destination manager hands libjpeg the free space of a growable
 * buffer and grows it when libjpeg has filled it.
 */
#include "image/jpeg.h"

#include <limits.h>
#include <string.h>

#include <jerror.h>

/* The guard owning libjpeg object cinfo. */
static mm_jpeg_guard *
guard_of(j_common_ptr cinfo)
{
	return (mm_jpeg_guard *) cinfo->err;
}

/* Records a failure with its message and jumps back into the core. */
void
mm_jpeg_guard_throw(j_common_ptr cinfo, mm_img_status status, const char *msg)
{
	mm_jpeg_guard *g = guard_of(cinfo);

	mm_img_fail(g->ctx, status, "%s", msg);
	longjmp(g->jb, 1);
}

/*
 * libjpeg's fatal error: formats its message and jumps back.  Running out
 * of the memory cap (libjpeg asks for a backing store it does not have)
 * is reported as too big, not as corrupt data.
 */
static void
guard_error_exit(j_common_ptr cinfo)
{
	mm_jpeg_guard *g = guard_of(cinfo);
	char		buf[JMSG_LENGTH_MAX];
	mm_img_status status = g->fail_status;

	(*cinfo->err->format_message) (cinfo, buf);
	if (cinfo->err->msg_code == JERR_NO_BACKING_STORE)
	{
		snprintf(buf, sizeof(buf), "the JPEG needs more than %llu bytes of memory",
				 (unsigned long long) g->ctx->max_bytes);
		status = MM_IMG_TOO_BIG;
	}
	else if (cinfo->err->msg_code == JERR_OUT_OF_MEMORY)
		status = MM_IMG_NOMEM;
	else if (cinfo->err->msg_code == JERR_IMAGE_TOO_BIG ||
			 cinfo->err->msg_code == JERR_WIDTH_OVERFLOW)
		status = MM_IMG_TOO_BIG;
	mm_jpeg_guard_throw(cinfo, status, buf);
}

/*
 * libjpeg's warnings and trace messages.  Trace messages are dropped;
 * warnings that mean damaged image data are errors in strict mode, others
 * (extraneous bytes before a marker, odd JFIF versions) are counted only.
 */
static void
guard_emit_message(j_common_ptr cinfo, int msg_level)
{
	mm_jpeg_guard *g = guard_of(cinfo);
	char		buf[JMSG_LENGTH_MAX];

	if (msg_level >= 0)
		return;
	cinfo->err->num_warnings++;
	if (!g->strict)
		return;
	switch (cinfo->err->msg_code)
	{
		case JWRN_JPEG_EOF:
			/* worded as the PNG, GIF and BMP decoders word a truncated file */
			mm_jpeg_guard_throw(cinfo, MM_IMG_CORRUPT, "the JPEG file is truncated");
			break;
		case JWRN_HIT_MARKER:
		case JWRN_HUFF_BAD_CODE:
		case JWRN_ARITH_BAD_CODE:
		case JWRN_MUST_RESYNC:
		case JWRN_BOGUS_PROGRESSION:
			(*cinfo->err->format_message) (cinfo, buf);
			mm_jpeg_guard_throw(cinfo, MM_IMG_CORRUPT, buf);
			break;
		default:
			break;
	}
}

/* libjpeg would print messages to stderr; the core prints nothing. */
static void
guard_output_message(j_common_ptr cinfo)
{
	(void) cinfo;
}

/*
 * Called by libjpeg while it works: stops on an interrupt request and on
 * a progressive JPEG with more than MM_JPEG_MAX_SCANS scans (each scan can
 * make libjpeg walk the whole coefficient buffer).
 */
static void
guard_progress(j_common_ptr cinfo)
{
	mm_jpeg_guard *g = guard_of(cinfo);

	if (cinfo->is_decompressor &&
		((j_decompress_ptr) cinfo)->input_scan_number > MM_JPEG_MAX_SCANS)
		mm_jpeg_guard_throw(cinfo, MM_IMG_CORRUPT, "the JPEG has too many scans");
	if (mm_img_poll(g->ctx))
		longjmp(g->jb, 1);
}

/* Sets up the error manager for a call; see image/jpeg.h. */
void
mm_jpeg_guard_init(mm_jpeg_guard *g, mm_img_ctx *ctx, mm_img_status fail_status, int strict)
{
	memset(g, 0, sizeof(*g));
	jpeg_std_error(&g->pub);
	g->pub.error_exit = guard_error_exit;
	g->pub.emit_message = guard_emit_message;
	g->pub.output_message = guard_output_message;
	g->progress.progress_monitor = guard_progress;
	g->ctx = ctx;
	g->fail_status = fail_status;
	g->strict = strict;
}

/*
 * Hooks the progress monitor into a created libjpeg object and caps the
 * memory libjpeg may use for whole-image buffers at max_bytes and what the
 * memory budget has left (beyond it libjpeg asks for a backing store,
 * which fails).
 */
void
mm_jpeg_guard_attach(mm_jpeg_guard *g, j_common_ptr cinfo)
{
	uint64_t	left = g->ctx->max_memory - g->ctx->in_use;
	uint64_t	cap = g->ctx->max_bytes < left ? g->ctx->max_bytes : left;

	cinfo->progress = &g->progress;
	cinfo->mem->max_memory_to_use = cap > (uint64_t) LONG_MAX ? LONG_MAX : (long) cap;
}

/* Estimates the coefficient buffers from the header; see image/jpeg.h. */
mm_img_status
mm_jpeg_check_coefficients(mm_jpeg_guard *g, j_decompress_ptr cinfo)
{
	uint64_t	need = 0;
	int			c;

	for (c = 0; c < cinfo->num_components; c++)
	{
		jpeg_component_info *comp = &cinfo->comp_info[c];

		/* one block of 64 JCOEFs per 8x8 block, rows padded to the iMCU height */
		need += (uint64_t) comp->width_in_blocks *
			((uint64_t) comp->height_in_blocks + (uint64_t) comp->v_samp_factor) *
			sizeof(JBLOCK);
	}
	return mm_img_check_budget(g->ctx, need, "the JPEG's coefficient buffer");
}

/* The destination manager of libjpeg object cinfo. */
static mm_jpeg_dest *
dest_of(j_compress_ptr cinfo)
{
	return (mm_jpeg_dest *) cinfo->dest;
}

/* Gives libjpeg the free space of the output buffer, after the first reserve. */
static void
dest_init(j_compress_ptr cinfo)
{
	mm_jpeg_dest *d = dest_of(cinfo);

	if (mm_outbuf_reserve(d->buf, d->first) != 0)
		mm_jpeg_guard_throw((j_common_ptr) cinfo, MM_IMG_NOMEM, "out of memory");
	d->pub.next_output_byte = d->buf->data + d->buf->len;
	d->pub.free_in_buffer = d->buf->cap - d->buf->len;
}

/* The buffer is full (libjpeg wrote all of it): grow it. */
static boolean
dest_empty(j_compress_ptr cinfo)
{
	mm_jpeg_dest *d = dest_of(cinfo);

	d->buf->len = d->buf->cap;
	if (mm_outbuf_reserve(d->buf, d->buf->cap) != 0)
		mm_jpeg_guard_throw((j_common_ptr) cinfo, MM_IMG_NOMEM, "out of memory");
	d->pub.next_output_byte = d->buf->data + d->buf->len;
	d->pub.free_in_buffer = d->buf->cap - d->buf->len;
	return TRUE;
}

/* Records how much of the buffer libjpeg filled. */
static void
dest_term(j_compress_ptr cinfo)
{
	mm_jpeg_dest *d = dest_of(cinfo);

	d->buf->len = d->buf->cap - d->pub.free_in_buffer;
}

/* Points cinfo's output at buf; see image/jpeg.h. */
void
mm_jpeg_dest_attach(mm_jpeg_dest *d, j_compress_ptr cinfo, mm_outbuf *buf, size_t first)
{
	memset(d, 0, sizeof(*d));
	d->pub.init_destination = dest_init;
	d->pub.empty_output_buffer = dest_empty;
	d->pub.term_destination = dest_term;
	d->buf = buf;
	d->first = first;
	cinfo->dest = &d->pub;
}
