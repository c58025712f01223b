/*
 * image/dec_heif.c - HEIC and AVIF decoding for thumbnails through libheif
 * (Debian's libheif1 decodes HEVC with libde265 and AV1 with dav1d or aom).
 *
 * The file is read from memory without a copy and its primary image is
 * decoded to interleaved 8-bit RGB or RGBA (10- and 12-bit sources are
 * converted by libheif).  libheif applies the HEIF transformative
 * properties (irot, imir, clap) itself; the HEIF specification makes
 * those the authority on orientation, so an EXIF orientation in the file
 * is not applied on top (an iPhone photo carries both, and applying both
 * would turn it twice).  libvips does the same.
 *
 * Bounds.  libheif allocates on its own (C++ new and malloc), so its memory
 * cannot go through the core's allocator.  Instead: the codec streams' own
 * picture sizes are read first (image/heif_coded.c: libheif 1.15 does not
 * hold them to ispe) and checked against max_pixels; libheif refuses an
 * ispe side over the pixel limit while it reads the file
 * (heif_context_set_maximum_image_size_limit); the primary image's ispe
 * size and its displayed size are then checked against max_pixels, and
 * the memory the decode will hold (estimated per pixel from the largest
 * of those sizes, the bit depth and alpha) is charged to the budget before
 * heif_decode_image() runs, so an oversized header is refused before any
 * pixel is decoded.  The decoded size is checked again afterwards.  Grid tiles are decoded on the
 * calling thread (heif_context_set_max_decoding_threads 0) and AV1 by aom,
 * which decodes on the calling thread (dav1d would start a thread per
 * core, and libheif 1.15's dav1d plugin leaks its input on some damaged
 * streams: the fuzzer found it).  libde265 still runs one worker thread,
 * so every asynchronous signal is blocked while libheif runs: its threads
 * inherit that mask and never take a signal meant for the PostgreSQL
 * backend, which gets pending signals (a cancel) as soon as libheif
 * returns.
 *
 * Cancel.  libheif 1.15 cannot stop a decode once started, so the
 * interrupt callback is polled before reading, before and after decoding,
 * and before every row passed to the sink; a cancel waits for at most one
 * heif_decode_image() call (see the README for measured times).
 * Errors come back as heif_error values; nothing longjmps.
 */
#define _POSIX_C_SOURCE 200809L

#include "image/internal.h"

#include <signal.h>
#include <string.h>

#include <libheif/heif.h>

/* libheif's own refusal of a side over this, whatever max_pixels says */
#define HEIF_MAX_SIDE 32768

typedef struct heif_dec
{
	mm_img_ctx *ctx;
	const char *what;			/* "HEIF" or "AVIF", for messages */
	int			avif;
	struct heif_context *hctx;
	struct heif_image_handle *handle;
	struct heif_image *img;
	uint64_t	reserved;		/* bytes charged to the budget for libheif */
} heif_dec;

/* Maps a libheif error to a status and records it with libheif's message. */
static mm_img_status
heif_fail(heif_dec *d, struct heif_error err, const char *doing)
{
	mm_img_status st;
	const char *msg = err.message != NULL && err.message[0] != '\0' ? err.message : "failed";
	size_t		n = strlen(msg);

	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		n--;				/* libheif ends some messages with a newline */
	switch (err.code)
	{
		case heif_error_Memory_allocation_error:
			st = err.subcode == heif_suberror_Security_limit_exceeded ? MM_IMG_TOO_BIG : MM_IMG_NOMEM;
			break;
		case heif_error_Unsupported_filetype:
		case heif_error_Unsupported_feature:
			st = MM_IMG_UNSUPPORTED;
			break;
		default:
			st = MM_IMG_CORRUPT;
			break;
	}
	return mm_img_fail(d->ctx, st, "%s: %s %.*s", d->what, doing, (int) n, msg);
}

/*
 * Blocks every asynchronous signal for the calling thread (threads that
 * libheif's decoders start inherit the mask); *old gets the mask to put
 * back.  Signals a fault raises (SIGSEGV, SIGBUS, SIGFPE, SIGILL) stay open.
 */
static void
block_signals(sigset_t *old)
{
	sigset_t	all;

	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGILL);
	pthread_sigmask(SIG_BLOCK, &all, old);
}

/* Puts back the mask block_signals() saved. */
static void
restore_signals(const sigset_t *old)
{
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

/*
 * Bytes libheif holds at once to decode an image of pixels: the codec's decoded
 * planes with its reference picture, libheif's planar RGB (and alpha)
 * conversion, a transformed (rotated) copy and the interleaved RGB(A)
 * result, two bytes a sample above 8 bits; aom keeps bordered frame
 * buffers on top.  Measured peaks of a 12 Mpx image (whole process, in
 * bytes per pixel: HEIC 8-bit 8.3, HEIC 10-bit 12.3, AVIF 8-bit through
 * aom 18.6) stay below this.
 */
static uint64_t
heif_memory_estimate(uint64_t pixels, int bits, int alpha, int avif)
{
	uint64_t	sample = bits > 8 ? 2 : 1;
	uint64_t	per_px = sample * (9 + (alpha ? 1 : 0) + (avif ? 6 : 0)) + (alpha ? 8 : 6);

	return pixels * per_px + ((uint64_t) 4 << 20);
}

/* Reads the file, checks the primary image's sizes and charges its memory. */
static mm_img_status
heif_open(heif_dec *d, const uint8_t *src, size_t len, mm_img_header *hdr)
{
	struct heif_error err;
	uint64_t	side = d->ctx->max_pixels < HEIF_MAX_SIDE ? d->ctx->max_pixels : HEIF_MAX_SIDE;
	int			iw;
	int			ih;
	int			bits;
	uint64_t	cw = 0;
	uint64_t	ch = 0;
	uint64_t	area;

	/* the codec streams' own sizes: libheif does not hold them to ispe */
	if (mm_heif_coded_size(d->ctx, src, len, d->what, &cw, &ch) != MM_IMG_OK)
		return d->ctx->status;
	if (cw > 0 && mm_img_check_size(d->ctx, cw, ch) != MM_IMG_OK)
		return d->ctx->status;
	d->hctx = heif_context_alloc();
	if (d->hctx == NULL)
		return mm_img_fail(d->ctx, MM_IMG_NOMEM, "%s: libheif could not start", d->what);
	heif_context_set_maximum_image_size_limit(d->hctx, (int) side);
	heif_context_set_max_decoding_threads(d->hctx, 0);
	err = heif_context_read_from_memory_without_copy(d->hctx, src, len, NULL);
	if (err.code != heif_error_Ok)
		return heif_fail(d, err, "the file could not be read:");
	err = heif_context_get_primary_image_handle(d->hctx, &d->handle);
	if (err.code != heif_error_Ok)
		return heif_fail(d, err, "no primary image:");

	/* the stored size (ispe) and the displayed size (after irot and clap) */
	iw = heif_image_handle_get_ispe_width(d->handle);
	ih = heif_image_handle_get_ispe_height(d->handle);
	if (iw < 0 || ih < 0 ||
		mm_img_check_size(d->ctx, (uint64_t) iw, (uint64_t) ih) != MM_IMG_OK)
		return mm_img_fail(d->ctx, MM_IMG_CORRUPT, "%s: the image has no valid size", d->what);
	hdr->width = heif_image_handle_get_width(d->handle);
	hdr->height = heif_image_handle_get_height(d->handle);
	if (hdr->width < 0 || hdr->height < 0 ||
		mm_img_check_size(d->ctx, (uint64_t) hdr->width, (uint64_t) hdr->height) != MM_IMG_OK)
		return mm_img_fail(d->ctx, MM_IMG_CORRUPT, "%s: the image has no valid size", d->what);
	hdr->has_alpha = heif_image_handle_has_alpha_channel(d->handle) ? 1 : 0;
	hdr->orientation = 1;		/* libheif applies irot/imir; EXIF is not applied again */
	bits = heif_image_handle_get_luma_bits_per_pixel(d->handle);

	area = (uint64_t) iw * (uint64_t) ih;
	if ((uint64_t) hdr->width * (uint64_t) hdr->height > area)
		area = (uint64_t) hdr->width * (uint64_t) hdr->height;
	if (cw * ch > area)
		area = cw * ch;
	d->reserved = heif_memory_estimate(area, bits, hdr->has_alpha, d->avif);
	if (mm_img_reserve(d->ctx, d->reserved, d->avif ? "the AVIF image" : "the HEIF image") != MM_IMG_OK)
	{
		d->reserved = 0;
		return d->ctx->status;
	}
	return MM_IMG_OK;
}

/* Decodes the primary image to interleaved 8-bit RGB(A). */
static mm_img_status
heif_decode_primary(heif_dec *d, int alpha)
{
	struct heif_decoding_options *opt;
	struct heif_error err;

	opt = heif_decoding_options_alloc();
	if (opt == NULL)
		return mm_img_fail(d->ctx, MM_IMG_NOMEM, "%s: libheif could not start", d->what);
	opt->ignore_transformations = 0;
	opt->convert_hdr_to_8bit = 1;
	if (d->avif)
		opt->decoder_id = "aom";	/* single-threaded; see the file comment */
	err = heif_decode_image(d->handle, &d->img, heif_colorspace_RGB,
							alpha ? heif_chroma_interleaved_RGBA : heif_chroma_interleaved_RGB,
							opt);
	heif_decoding_options_free(opt);
	if (err.code != heif_error_Ok)
		return heif_fail(d, err, "the image could not be decoded:");
	return MM_IMG_OK;
}

/* Reads, decodes and passes on the primary image; see the file comment. */
static mm_img_status
heif_run(heif_dec *d, const uint8_t *src, size_t len, mm_img_sink *sink)
{
	mm_img_header hdr;
	sigset_t	old;
	mm_img_status st;
	int			want_w;
	int			want_h;
	int			nch;
	int			w;
	int			h;
	int			stride = 0;
	const uint8_t *px;

	memset(&hdr, 0, sizeof(hdr));
	if (mm_img_poll(d->ctx))
		return d->ctx->status;
	block_signals(&old);
	st = heif_open(d, src, len, &hdr);
	restore_signals(&old);
	if (st != MM_IMG_OK)
		return st;
	want_w = hdr.width;
	want_h = hdr.height;
	if (sink->header(sink, &hdr, &want_w, &want_h) != MM_IMG_OK)
		return d->ctx->status;
	if (mm_img_poll(d->ctx))
		return d->ctx->status;

	block_signals(&old);
	st = heif_decode_primary(d, hdr.has_alpha);
	restore_signals(&old);
	if (st != MM_IMG_OK)
		return st;
	if (mm_img_poll(d->ctx))
		return d->ctx->status;

	nch = hdr.has_alpha ? 4 : 3;
	w = heif_image_get_width(d->img, heif_channel_interleaved);
	h = heif_image_get_height(d->img, heif_channel_interleaved);
	px = heif_image_get_plane_readonly(d->img, heif_channel_interleaved, &stride);
	if (px == NULL || w < 1 || h < 1 || stride < 1 ||
		heif_image_get_bits_per_pixel(d->img, heif_channel_interleaved) != 8 * nch)
		return mm_img_fail(d->ctx, MM_IMG_CORRUPT, "%s: libheif returned no usable pixels", d->what);
	if (mm_img_check_size(d->ctx, (uint64_t) w, (uint64_t) h) != MM_IMG_OK)
		return d->ctx->status;
	return mm_img_feed_rows(d->ctx, sink, px, w, h, nch, (size_t) stride);
}

/* Decodes the HEIC or AVIF image in src into sink (AVIF when the brand says so). */
mm_img_status
mm_img_decode_heif(mm_img_ctx *ctx, const uint8_t *src, size_t len, mm_img_sink *sink)
{
	heif_dec	d;
	mm_img_status st;

	memset(&d, 0, sizeof(d));
	d.ctx = ctx;
	d.avif = mm_img_sniff(src, len) == MM_DEC_AVIF;
	d.what = d.avif ? "AVIF" : "HEIF";
	st = heif_run(&d, src, len, sink);
	if (d.img != NULL)
		heif_image_release(d.img);
	if (d.handle != NULL)
		heif_image_handle_release(d.handle);
	if (d.hctx != NULL)
		heif_context_free(d.hctx);
	mm_img_unreserve(ctx, d.reserved);
	return st;
}
