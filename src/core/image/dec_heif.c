/*
 * image/dec_heif.c - HEIC and AVIF decoding for thumbnails through libheif
 * (Debian's libheif1 decodes HEVC with libde265 and AV1 with dav1d or aom).
 *
 * The file is read from memory without a copy; its primary image is
 * decoded to interleaved 8-bit RGB or RGBA (10- and 12-bit sources are
 * converted by libheif).  Three ways, cheapest first:
 *  - an embedded thumbnail at least the target size (with the image's
 *    aspect ratio and transformations) is decoded instead, as libvips does;
 *  - a grid without alpha (every iPhone photo: 512x512 HEVC tiles) is
 *    decoded tile by tile, one row of tiles at a time into a band of the
 *    canvas's width that goes to the sink before the next row
 *    (image/heif_layout.c makes each hidden tile a file libheif decodes on
 *    its own), so libheif holds one tile and the core one band;
 *  - anything else (a single coded picture, a grid with alpha or crop) is
 *    decoded whole by libheif, which holds it at full size.
 * The HEIF transformations irot and imir become the EXIF-style orientation
 * the pipeline applies to the small result (libheif 1.15 cannot mirror
 * above 8 bits; a grid's tiles are not transformed one by one); only an
 * image with a clap crop is left to libheif to transform.  The HEIF
 * specification makes those properties the authority on orientation, so
 * an EXIF orientation in the file is not applied on top (an iPhone photo
 * carries both).  libvips does the same.  libheif's full-size output then
 * goes through a box filter (whole.c) to twice the target, as JPEG's
 * scaled IDCT would.
 *
 * Bounds.  libheif allocates on its own (C++ new and malloc), so its memory
 * cannot go through the core's allocator.  Instead: the codec streams' own
 * picture sizes are read first (image/heif_coded.c: libheif 1.15 does not
 * hold them to ispe) and checked against max_pixels; libheif refuses an
 * ispe side over the pixel limit while it reads the file
 * (heif_context_set_maximum_image_size_limit); the primary image's ispe
 * size and its displayed size are then checked against max_pixels, and
 * the memory libheif will hold (estimated per pixel from the largest of
 * those sizes, or of the largest tile or the thumbnail when only that is
 * decoded) is charged to the budget before it decodes, so an oversized
 * header is refused before any pixel is decoded.  Decoded sizes are
 * checked again.  Grid tiles are decoded on the calling thread
 * (heif_context_set_max_decoding_threads 0) and AV1 by aom, which decodes
 * on the calling thread (dav1d would start a thread per core, and libheif
 * 1.15's dav1d plugin leaks its input on some damaged streams: the fuzzer
 * found it).  libde265 still runs one worker thread, so every asynchronous
 * signal is blocked while libheif runs: its threads inherit that mask and
 * never take a signal meant for the PostgreSQL backend, which gets pending
 * signals (a cancel) as soon as libheif returns.
 *
 * Cancel.  libheif 1.15 cannot stop a decode once started (its progress
 * callbacks return nothing), so the interrupt callback is polled between
 * libheif calls: before reading, before decoding, before every grid tile
 * and before every row passed to the sink.  A cancel waits for one tile
 * of a grid, but for a whole heif_decode_image() of a single coded picture.
 * Errors come back as heif_error values; nothing longjmps.
 */
#define _POSIX_C_SOURCE 200809L

#include "image/heif.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
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
	struct heif_image_handle *handle;	/* the primary image */
	struct heif_image_handle *thumb;	/* an embedded thumbnail used instead */
	struct heif_image *img;
	uint64_t	reserved;		/* bytes charged to the budget for libheif */
	mm_heif_meta meta;
	mm_heif_grid grid;			/* tiles != NULL: decoded tile by tile */
	int			orientation;	/* irot/imir as EXIF's; 0: libheif applies them (clap) */
	int			bits;
	uint64_t	area;			/* largest size the file states for the primary image */
	uint64_t	coded_max;		/* largest codec picture (a tile of a grid) */
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

/* Starts a libheif context on the file in src/len with the decoder's limits. */
static mm_img_status
heif_context_start(heif_dec *d, const uint8_t *src, size_t len, struct heif_context **hctx)
{
	uint64_t	side = d->ctx->max_pixels < HEIF_MAX_SIDE ? d->ctx->max_pixels : HEIF_MAX_SIDE;
	struct heif_error err;

	*hctx = heif_context_alloc();
	if (*hctx == NULL)
		return mm_img_fail(d->ctx, MM_IMG_NOMEM, "%s: libheif could not start", d->what);
	heif_context_set_maximum_image_size_limit(*hctx, (int) side);
	heif_context_set_max_decoding_threads(*hctx, 0);
	err = heif_context_read_from_memory_without_copy(*hctx, src, len, NULL);
	if (err.code != heif_error_Ok)
		return heif_fail(d, err, "the file could not be read:");
	return MM_IMG_OK;
}

/*
 * Reads the file and checks the primary image's sizes; works out whether
 * it is decoded tile by tile (a grid without alpha or crop whose canvas is
 * its ispe size) and who applies its transformations.
 */
static mm_img_status
heif_open(heif_dec *d, const uint8_t *src, size_t len, mm_img_header *hdr)
{
	struct heif_error err;
	int			iw;
	int			ih;
	uint64_t	cw = 0;
	uint64_t	ch = 0;

	/* the codec streams' own sizes: libheif does not hold them to ispe */
	if (mm_heif_coded_size(d->ctx, src, len, d->what, &cw, &ch, &d->coded_max) != MM_IMG_OK)
		return d->ctx->status;
	if (cw > 0 && mm_img_check_size(d->ctx, cw, ch) != MM_IMG_OK)
		return d->ctx->status;
	if (heif_context_start(d, src, len, &d->hctx) != MM_IMG_OK)
		return d->ctx->status;
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
	hdr->orientation = 1;		/* EXIF's orientation is not applied on top of irot/imir */
	d->bits = heif_image_handle_get_luma_bits_per_pixel(d->handle);
	d->area = (uint64_t) iw * (uint64_t) ih;
	if ((uint64_t) hdr->width * (uint64_t) hdr->height > d->area)
		d->area = (uint64_t) hdr->width * (uint64_t) hdr->height;
	if (cw * ch > d->area)
		d->area = cw * ch;

	/* irot/imir become an orientation the pipeline applies to the small result */
	if (mm_heif_meta_find(src, len, &d->meta) && d->meta.have_primary)
		d->orientation = mm_heif_orientation(&d->meta, d->meta.primary);
	if (d->orientation == 0)
		return MM_IMG_OK;
	hdr->width = iw;
	hdr->height = ih;
	hdr->orientation = d->orientation;
	if (hdr->has_alpha)
		return MM_IMG_OK;
	if (mm_heif_grid_read(d->ctx, &d->meta, d->meta.primary, &d->grid) != MM_IMG_OK)
		return d->ctx->status;
	if (d->grid.tiles != NULL && (d->grid.width != (uint32_t) iw || d->grid.height != (uint32_t) ih))
	{
		mm_img_release(d->ctx, d->grid.tiles);
		d->grid.tiles = NULL;
	}
	return MM_IMG_OK;
}

/*
 * The embedded thumbnail to decode instead of the primary image, as
 * libvips does: one at least as large as the target (want_w x want_h is
 * twice the target when the target is under half the image), with the
 * image's aspect ratio and transformations, and whose codec stream is no
 * more than twice its stated size each way; the smallest such one.  Its
 * budget charge is its stated or coded size, whichever is larger.
 */
static void
heif_pick_thumbnail(heif_dec *d, const mm_img_header *hdr, int want_w, int want_h)
{
	heif_item_id ids[8];
	int			n;
	int			i;
	uint64_t	best = UINT64_MAX;

	if (d->orientation == 0 || hdr->has_alpha || want_w >= hdr->width || want_h >= hdr->height)
		return;
	n = heif_image_handle_get_list_of_thumbnail_IDs(d->handle, ids, 8);
	for (i = 0; i < n && i < 8; i++)
	{
		struct heif_image_handle *th = NULL;
		int64_t		tw;
		int64_t		tht;
		uint64_t	coded = 0;

		if (heif_image_handle_get_thumbnail(d->handle, ids[i], &th).code != heif_error_Ok || th == NULL)
			continue;
		tw = heif_image_handle_get_ispe_width(th);
		tht = heif_image_handle_get_ispe_height(th);
		if (tw > 0 && tht > 0 && 2 * tw >= want_w && 2 * tht >= want_h &&
			(uint64_t) (tw * tht) < best && tw < hdr->width &&
			llabs(tw * hdr->height - tht * hdr->width) <= (hdr->width > hdr->height ? hdr->width : hdr->height) &&
			mm_heif_orientation(&d->meta, ids[i]) == d->orientation &&
			mm_heif_item_coded_area(d->ctx, &d->meta, ids[i], d->what, &coded) == MM_IMG_OK &&
			coded <= (uint64_t) (2 * tw) * (uint64_t) (2 * tht))
		{
			/* its codec stream is about its stated size (not a small ispe over a large picture) */
			if (d->thumb != NULL)
				heif_image_handle_release(d->thumb);
			d->thumb = th;
			best = (uint64_t) (tw * tht);
			d->area = coded > best ? coded : best;
			d->bits = heif_image_handle_get_luma_bits_per_pixel(th);
			continue;
		}
		heif_image_handle_release(th);
	}
}

/*
 * Decodes the image of handle to interleaved 8-bit RGB(A) in *img; its
 * transformations applied by libheif unless the orientation is ours.
 */
static mm_img_status
heif_decode_handle(heif_dec *d, struct heif_image_handle *handle, int alpha, struct heif_image **img)
{
	struct heif_decoding_options *opt;
	struct heif_error err;

	opt = heif_decoding_options_alloc();
	if (opt == NULL)
		return mm_img_fail(d->ctx, MM_IMG_NOMEM, "%s: libheif could not start", d->what);
	opt->ignore_transformations = d->orientation != 0;
	opt->convert_hdr_to_8bit = 1;
	if (d->avif)
		opt->decoder_id = "aom";	/* single-threaded; see the file comment */
	err = heif_decode_image(handle, img, heif_colorspace_RGB,
							alpha ? heif_chroma_interleaved_RGBA : heif_chroma_interleaved_RGB,
							opt);
	heif_decoding_options_free(opt);
	if (err.code != heif_error_Ok)
		return heif_fail(d, err, "the image could not be decoded:");
	return MM_IMG_OK;
}

/* The interleaved 8-bit pixels of a decoded image of nch channels; NULL after mm_img_fail. */
static const uint8_t *
heif_pixels(heif_dec *d, const struct heif_image *img, int nch, int *w, int *h, int *stride)
{
	const uint8_t *px;

	*w = heif_image_get_width(img, heif_channel_interleaved);
	*h = heif_image_get_height(img, heif_channel_interleaved);
	px = heif_image_get_plane_readonly(img, heif_channel_interleaved, stride);
	if (px == NULL || *w < 1 || *h < 1 || *stride < *w * nch ||
		heif_image_get_bits_per_pixel(img, heif_channel_interleaved) != 8 * nch)
	{
		mm_img_fail(d->ctx, MM_IMG_CORRUPT, "%s: libheif returned no usable pixels", d->what);
		return NULL;
	}
	if (mm_img_check_size(d->ctx, (uint64_t) *w, (uint64_t) *h) != MM_IMG_OK)
		return NULL;
	return px;
}

/*
 * Decodes grid tile id alone (from a one-item copy of the file: libheif
 * hands out no handle for a grid's hidden tiles) into *img; *ispe_w x
 * *ispe_h is the tile's stated size, which places it on the canvas (the
 * coded picture may be larger: libheif pastes it clipped the same way).
 */
static mm_img_status
heif_decode_tile(heif_dec *d, uint32_t id, struct heif_image **img, int *ispe_w, int *ispe_h)
{
	uint8_t    *file = NULL;
	size_t		flen = 0;
	struct heif_context *tctx = NULL;
	struct heif_image_handle *th = NULL;
	sigset_t	old;
	mm_img_status st;

	if (mm_heif_item_file(d->ctx, &d->meta, id, &file, &flen) != MM_IMG_OK)
		return d->ctx->status;
	block_signals(&old);
	st = heif_context_start(d, file, flen, &tctx);
	if (st == MM_IMG_OK)
	{
		struct heif_error err = heif_context_get_primary_image_handle(tctx, &th);

		if (err.code != heif_error_Ok)
			st = heif_fail(d, err, "a grid tile could not be read:");
	}
	if (st == MM_IMG_OK)
	{
		*ispe_w = heif_image_handle_get_ispe_width(th);
		*ispe_h = heif_image_handle_get_ispe_height(th);
		st = heif_decode_handle(d, th, 0, img);
	}
	if (th != NULL)
		heif_image_handle_release(th);
	if (tctx != NULL)
		heif_context_free(tctx);
	restore_signals(&old);
	mm_img_release(d->ctx, file);
	return st;
}

/* Copies a decoded tile's rows into the band at column x0 (clipped to the canvas). */
static void
heif_paste(uint8_t *band, int gw, int rows, int x0, const uint8_t *px, int tw, int stride)
{
	int			cw = x0 + tw > gw ? gw - x0 : tw;
	int			y;

	for (y = 0; y < rows; y++)
		memcpy(band + ((size_t) y * gw + x0) * 3, px + (size_t) y * stride, (size_t) cw * 3);
}

/*
 * Decodes a grid one row of tiles at a time: each tile alone (libheif's
 * memory: one tile's), pasted into a band of the canvas's width, which
 * goes to the sink before the next row; the interrupt is polled between
 * tiles.  Every tile must state the first one's size and decode to at
 * least that, and the tiles must cover the canvas.
 */
static mm_img_status
heif_decode_grid(heif_dec *d, mm_img_sink *sink)
{
	const mm_heif_grid *g = &d->grid;
	int			gw = (int) g->width;
	int			gh = (int) g->height;
	int			tw = 0;
	int			th = 0;
	int			y0 = 0;
	int			r;
	uint8_t    *band = NULL;
	mm_img_status st = MM_IMG_OK;

	if (sink->start(sink, gw, gh, 3) != MM_IMG_OK)
		return d->ctx->status;
	for (r = 0; r < g->rows && y0 < gh && st == MM_IMG_OK; r++)
	{
		int			c;
		int			rows;

		for (c = 0; c < g->cols && st == MM_IMG_OK; c++)
		{
			struct heif_image *img = NULL;
			const uint8_t *px = NULL;
			int			w = 0;
			int			h = 0;
			int			iw = 0;
			int			ih = 0;
			int			stride;

			if (mm_img_poll(d->ctx))
				st = d->ctx->status;
			else if ((st = heif_decode_tile(d, g->tiles[r * g->cols + c], &img, &iw, &ih)) == MM_IMG_OK &&
					 (px = heif_pixels(d, img, 3, &w, &h, &stride)) == NULL)
				st = d->ctx->status;
			else if (st == MM_IMG_OK && band == NULL)
			{
				tw = iw;
				th = ih;
				if (tw < 1 || th < 1 || (int64_t) tw * g->cols < gw || (int64_t) th * g->rows < gh)
					st = mm_img_fail(d->ctx, MM_IMG_CORRUPT, "%s: the grid's tiles do not cover its canvas", d->what);
				else if ((band = mm_img_alloc_array(d->ctx, (size_t) gw * (size_t) th, 3)) == NULL)
					st = d->ctx->status;
			}
			if (st == MM_IMG_OK && (iw != tw || ih != th || w < tw || h < th))
				st = mm_img_fail(d->ctx, MM_IMG_CORRUPT, "%s: the grid's tiles differ in size", d->what);
			if (st == MM_IMG_OK && c * tw < gw)
				heif_paste(band, gw, th < gh - y0 ? th : gh - y0, c * tw, px, tw, stride);
			if (img != NULL)
				heif_image_release(img);
		}
		rows = th < gh - y0 ? th : gh - y0;
		if (st == MM_IMG_OK)
			st = mm_img_feed_band(d->ctx, sink, band, rows, (size_t) gw * 3);
		y0 += rows;
	}
	mm_img_release(d->ctx, band);
	return st;
}

/* Decodes the primary image (or the thumbnail chosen) whole and passes it on. */
static mm_img_status
heif_decode_whole(heif_dec *d, mm_img_sink *sink, int alpha)
{
	sigset_t	old;
	mm_img_status st;
	int			nch = alpha ? 4 : 3;
	int			w;
	int			h;
	int			stride;
	const uint8_t *px;

	block_signals(&old);
	st = heif_decode_handle(d, d->thumb != NULL ? d->thumb : d->handle, alpha, &d->img);
	restore_signals(&old);
	if (st != MM_IMG_OK)
		return st;
	if (mm_img_poll(d->ctx))
		return d->ctx->status;
	px = heif_pixels(d, d->img, nch, &w, &h, &stride);
	if (px == NULL)
		return d->ctx->status;
	return mm_img_feed_rows(d->ctx, sink, px, w, h, nch, (size_t) stride);
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
	mm_box_shrink shrink;
	char		what[96];

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
	heif_pick_thumbnail(d, &hdr, want_w, want_h);
	if (d->ctx->status != MM_IMG_OK)
		return d->ctx->status;
	if (d->thumb == NULL && d->grid.tiles != NULL)
		d->area = d->coded_max > 0 ? d->coded_max : 1;	/* libheif holds one tile at a time */
	d->reserved = heif_memory_estimate(d->area, d->bits, hdr.has_alpha, d->avif);
	if (d->thumb == NULL && d->grid.tiles == NULL)
		snprintf(what, sizeof(what), "the %s image (%dx%d, decoded whole by libheif)",
				 d->what, hdr.width, hdr.height);
	else
		snprintf(what, sizeof(what), "the %s image", d->what);
	if (mm_img_reserve(d->ctx, d->reserved, what) != MM_IMG_OK)
	{
		d->reserved = 0;
		return d->ctx->status;
	}
	if (mm_img_poll(d->ctx))
		return d->ctx->status;
	/* libheif decodes at full size: a box filter brings it to want_w x want_h first */
	mm_box_shrink_init(&shrink, d->ctx, sink, want_w, want_h);
	if (d->thumb == NULL && d->grid.tiles != NULL)
		st = heif_decode_grid(d, &shrink.sink);
	else
		st = heif_decode_whole(d, &shrink.sink, hdr.has_alpha);
	mm_box_shrink_free(&shrink);
	return st;
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
	if (d.thumb != NULL)
		heif_image_handle_release(d.thumb);
	if (d.handle != NULL)
		heif_image_handle_release(d.handle);
	if (d.hctx != NULL)
		heif_context_free(d.hctx);
	mm_img_release(ctx, d.grid.tiles);
	mm_img_unreserve(ctx, d.reserved);
	return st;
}
