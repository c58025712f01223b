/*
 * image/dec_webp.c - WebP decoding for thumbnails through libwebp.
 *
 * Lossy, lossless and alpha WebP, and the first frame of an animated one
 * (found with libwebpdemux and drawn on its transparent canvas).  The
 * canvas size is checked against max_pixels from the header, before
 * libwebp is asked for anything.  When the sink allows it, libwebp scales
 * on load (its area-averaging rescaler), so a 24 Mpx photo made into a
 * 256-pixel thumbnail is never held at full size.
 *
 * libwebp decodes into a buffer the core allocated (external memory), but
 * keeps its own working memory with malloc (it has no allocator hook):
 * a few macroblock rows for lossy data, the whole image as 32-bit ARGB for
 * lossless data, a byte per pixel (and up to four for its lossless
 * coding) for an alpha plane.  That memory is estimated from the header
 * and charged to the budget (mm_img_reserve) before decoding starts.
 *
 * libwebp has no row callback, so the data is fed to its incremental
 * decoder in slices (WebPIUpdate, no copy); between slices the finished
 * rows go to the sink and the interrupt callback is polled.  libwebp
 * reports errors by status, never by longjmp.
 */
#include "image/internal.h"

#include <string.h>

#include <webp/decode.h>
#include <webp/demux.h>

#include "probe/exif.h"
#include "util/source.h"

/*
 * Compressed bytes fed to libwebp between two interrupt polls: 1/64 of the
 * frame's data, at least 4 kB.  Not a fixed 4 kB: libwebp's lossless
 * decoder goes back to its last checkpoint at each call that runs out of
 * data, so 5,000 calls over a 20 MB lossless frame took 2.7 times one
 * decode; 64 calls cost about one decode, and each still decodes about
 * 1/64 of the image.
 */
#define WEBP_SLICE_MIN 4096
#define WEBP_SLICES 64

/* The frame to decode, and where it sits on the canvas. */
typedef struct webp_frame
{
	const uint8_t *data;		/* VP8/VP8L bitstream (with its ALPH chunk) */
	size_t		len;
	int			canvas_w;
	int			canvas_h;
	int			x;				/* offset of the frame on the canvas */
	int			y;
	int			w;				/* size of the frame */
	int			h;
	int			orientation;	/* from an EXIF chunk, 1 when none */
} webp_frame;

typedef struct webp_dec
{
	mm_img_ctx *ctx;
	mm_img_sink *sink;
	webp_frame f;
	WebPDecoderConfig config;
	WebPIDecoder *idec;
	WebPDemuxer *demux;
	uint8_t    *pixels;			/* libwebp's output, ow x oh x nch */
	uint8_t    *row;			/* one canvas row, for a frame smaller than its canvas */
	uint64_t	reserved;		/* libwebp's own memory charged to the budget */
} webp_dec;

/* The EXIF orientation (1-8) of the demuxed file, 1 when it has none. */
static int
webp_orientation(WebPDemuxer *demux)
{
	WebPChunkIterator chunk;
	int			o = 1;

	if (!WebPDemuxGetChunk(demux, "EXIF", 1, &chunk))
		return 1;
	if (chunk.chunk.size >= 8)
	{
		mm_source	s;
		const uint8_t *p = chunk.chunk.bytes;
		size_t		n = chunk.chunk.size;
		int			v = 0;

		/* some writers keep JPEG's "Exif\0\0" prefix */
		if (n >= 14 && memcmp(p, "Exif\0\0", 6) == 0)
		{
			p += 6;
			n -= 6;
		}
		mm_source_init_mem(&s, p, n);
		if (mm_exif_orientation(&s, 0, n, &v) == MM_TIFF_OK && v >= 1 && v <= 8)
			o = v;
	}
	WebPDemuxReleaseChunkIterator(&chunk);
	return o;
}

/*
 * Finds what to decode: the whole file for a still image, the first frame
 * of an animation; and the canvas size, checked against max_pixels before
 * libwebpdemux indexes the frames.
 */
static mm_img_status
webp_locate(webp_dec *d, const uint8_t *src, size_t len)
{
	WebPBitstreamFeatures feat;
	WebPData	data;
	WebPIterator iter;
	int			extended;

	if (WebPGetFeatures(src, len, &feat) != VP8_STATUS_OK)
		return mm_img_fail(d->ctx, MM_IMG_CORRUPT, "WebP: the header is damaged or truncated");
	if (mm_img_check_size(d->ctx, (uint64_t) feat.width, (uint64_t) feat.height) != MM_IMG_OK)
		return d->ctx->status;
	memset(&d->f, 0, sizeof(d->f));
	d->f.data = src;
	d->f.len = len;
	d->f.canvas_w = d->f.w = feat.width;
	d->f.canvas_h = d->f.h = feat.height;
	d->f.orientation = 1;
	extended = len >= 21 && memcmp(src + 12, "VP8X", 4) == 0;
	if (!extended)
		return MM_IMG_OK;
	/* EXIF flag (orientation) or an animation: the chunks must be indexed */
	if (!feat.has_animation && (src[20] & 0x08) == 0)
		return MM_IMG_OK;
	data.bytes = src;
	data.size = len;
	d->demux = WebPDemux(&data);
	if (d->demux == NULL)
		return mm_img_fail(d->ctx, MM_IMG_CORRUPT, "WebP: the file's chunks are damaged");
	d->f.orientation = webp_orientation(d->demux);
	if (!feat.has_animation)
		return MM_IMG_OK;
	if (!WebPDemuxGetFrame(d->demux, 1, &iter))
		return mm_img_fail(d->ctx, MM_IMG_CORRUPT, "WebP: the animation has no frame");
	d->f.data = iter.fragment.bytes;
	d->f.len = iter.fragment.size;
	d->f.x = iter.x_offset;
	d->f.y = iter.y_offset;
	d->f.w = iter.width;
	d->f.h = iter.height;
	WebPDemuxReleaseIterator(&iter);
	if (d->f.w < 1 || d->f.h < 1 || d->f.x < 0 || d->f.y < 0 ||
		d->f.w > d->f.canvas_w - d->f.x || d->f.h > d->f.canvas_h - d->f.y)
		return mm_img_fail(d->ctx, MM_IMG_CORRUPT, "WebP: the first frame lies outside the canvas");
	return MM_IMG_OK;
}

/*
 * What libwebp mallocs itself to decode a w x h frame to an ow-wide
 * output: the whole image as ARGB for lossless data, an alpha plane and
 * its lossless decoding for lossy data with alpha, a few macroblock rows
 * and the rescaler's rows otherwise (a generous per-column figure), plus
 * fixed tables.
 */
static uint64_t
webp_library_memory(const WebPBitstreamFeatures *feat, uint64_t w, uint64_t h, uint64_t ow)
{
	uint64_t	need = (uint64_t) 1 << 20;

	need += 96 * w + 64 * ow;
	if (feat->format == 2)
		need += 4 * w * h;
	else if (feat->has_alpha)
		need += 5 * w * h;
	return need;
}

/* Sends output rows [from, to) to the sink, on the canvas when the frame is smaller. */
static mm_img_status
webp_emit(webp_dec *d, int from, int to, int nch, int ow)
{
	int			y;

	for (y = from; y < to; y++)
	{
		const uint8_t *row = d->pixels + (size_t) y * ow * nch;

		if (d->row != NULL)
		{
			/* rows above the frame were sent already; this row pads it with transparency */
			memset(d->row, 0, (size_t) d->f.canvas_w * 4);
			memcpy(d->row + (size_t) d->f.x * 4, row, (size_t) ow * 4);
			row = d->row;
		}
		if (d->sink->row(d->sink, row) != MM_IMG_OK)
			return d->ctx->status;
	}
	return MM_IMG_OK;
}

/* Sends n transparent canvas rows (above or below a smaller first frame). */
static mm_img_status
webp_blank_rows(webp_dec *d, int n)
{
	memset(d->row, 0, (size_t) d->f.canvas_w * 4);
	while (n-- > 0)
	{
		if (mm_img_poll(d->ctx))
			return d->ctx->status;
		if (d->sink->row(d->sink, d->row) != MM_IMG_OK)
			return d->ctx->status;
	}
	return MM_IMG_OK;
}

/*
 * Feeds the frame to libwebp's incremental decoder a slice at a time,
 * passing finished rows on and polling for an interrupt in between.
 */
static mm_img_status
webp_feed(webp_dec *d, int nch, int ow, int oh)
{
	size_t		fed = 0;
	size_t		slice = d->f.len / WEBP_SLICES > WEBP_SLICE_MIN ? d->f.len / WEBP_SLICES : WEBP_SLICE_MIN;
	int			sent = 0;

	d->idec = WebPIDecode(NULL, 0, &d->config);
	if (d->idec == NULL)
		return mm_img_fail(d->ctx, MM_IMG_NOMEM, "WebP: the decoder could not start");
	for (;;)
	{
		VP8StatusCode vs;
		int			last_y = 0;

		if (mm_img_poll(d->ctx))
			return d->ctx->status;
		fed = d->f.len - fed > slice ? fed + slice : d->f.len;
		vs = WebPIUpdate(d->idec, d->f.data, fed);
		if (vs != VP8_STATUS_OK && vs != VP8_STATUS_SUSPENDED)
			return mm_img_fail(d->ctx, vs == VP8_STATUS_UNSUPPORTED_FEATURE ? MM_IMG_UNSUPPORTED :
							   vs == VP8_STATUS_OUT_OF_MEMORY ? MM_IMG_NOMEM : MM_IMG_CORRUPT,
							   "WebP: the image data is damaged (libwebp status %d)", (int) vs);
		if (WebPIDecodedArea(d->idec, NULL, NULL, NULL, &last_y) == NULL)
			last_y = 0;
		if (last_y > oh)
			last_y = oh;
		if (last_y > sent && webp_emit(d, sent, last_y, nch, ow) != MM_IMG_OK)
			return d->ctx->status;
		if (last_y > sent)
			sent = last_y;
		if (vs == VP8_STATUS_OK)
			break;
		if (fed == d->f.len)
			return mm_img_fail(d->ctx, MM_IMG_CORRUPT, "WebP: the image data ends early");
	}
	if (sent != oh)
		return mm_img_fail(d->ctx, MM_IMG_CORRUPT, "WebP: the image data ends early");
	return MM_IMG_OK;
}

/*
 * Decodes the located frame: asks the sink how small it may be, sets up
 * libwebp (scaled when the frame is the whole canvas), charges the memory
 * to the budget, then streams the rows.
 */
static mm_img_status
webp_run(webp_dec *d)
{
	WebPBitstreamFeatures *feat = &d->config.input;
	mm_img_header hdr;
	int			whole = d->f.w == d->f.canvas_w && d->f.h == d->f.canvas_h;
	int			want_w;
	int			want_h;
	int			ow;
	int			oh;
	int			nch;
	uint64_t	stride;
	uint64_t	lib_memory;

	if (!WebPInitDecoderConfig(&d->config))
		return mm_img_fail(d->ctx, MM_IMG_FAILED, "WebP: libwebp version mismatch");
	if (WebPGetFeatures(d->f.data, d->f.len, feat) != VP8_STATUS_OK)
		return mm_img_fail(d->ctx, MM_IMG_CORRUPT, "WebP: the frame header is damaged");
	if (feat->width != d->f.w || feat->height != d->f.h)
		return mm_img_fail(d->ctx, MM_IMG_CORRUPT, "WebP: the frame's size does not match its header");

	memset(&hdr, 0, sizeof(hdr));
	hdr.width = d->f.canvas_w;
	hdr.height = d->f.canvas_h;
	hdr.has_alpha = feat->has_alpha || !whole;
	hdr.orientation = d->f.orientation;
	want_w = hdr.width;
	want_h = hdr.height;
	if (d->sink->header(d->sink, &hdr, &want_w, &want_h) != MM_IMG_OK)
		return d->ctx->status;

	nch = hdr.has_alpha ? 4 : 3;
	ow = d->f.w;
	oh = d->f.h;
	if (whole && (want_w < ow || want_h < oh))
	{
		ow = want_w;
		oh = want_h;
		d->config.options.use_scaling = 1;
		d->config.options.scaled_width = ow;
		d->config.options.scaled_height = oh;
	}
	stride = (uint64_t) ow * nch;
	if (mm_img_check_budget(d->ctx, stride * oh, "the WebP image") != MM_IMG_OK)
		return d->ctx->status;
	d->pixels = mm_img_alloc_array(d->ctx, (size_t) oh, (size_t) stride);
	if (d->pixels == NULL)
		return d->ctx->status;
	if (!whole)
	{
		d->row = mm_img_alloc_array(d->ctx, (size_t) d->f.canvas_w, 4);
		if (d->row == NULL)
			return d->ctx->status;
	}
	lib_memory = webp_library_memory(feat, (uint64_t) d->f.w, (uint64_t) d->f.h, (uint64_t) ow);
	if (mm_img_reserve(d->ctx, lib_memory, "the WebP decoder's working memory") != MM_IMG_OK)
		return d->ctx->status;
	d->reserved = lib_memory;

	d->config.output.colorspace = nch == 4 ? MODE_RGBA : MODE_RGB;
	d->config.output.is_external_memory = 1;
	d->config.output.u.RGBA.rgba = d->pixels;
	d->config.output.u.RGBA.stride = (int) stride;
	d->config.output.u.RGBA.size = (size_t) stride * oh;

	if (d->sink->start(d->sink, whole ? ow : d->f.canvas_w, whole ? oh : d->f.canvas_h,
					   nch) != MM_IMG_OK)
		return d->ctx->status;
	if (!whole && webp_blank_rows(d, d->f.y) != MM_IMG_OK)
		return d->ctx->status;
	if (webp_feed(d, nch, ow, oh) != MM_IMG_OK)
		return d->ctx->status;
	if (!whole && webp_blank_rows(d, d->f.canvas_h - d->f.y - d->f.h) != MM_IMG_OK)
		return d->ctx->status;
	return MM_IMG_OK;
}

/* Decodes the WebP in src (the first frame of an animation) into sink. */
mm_img_status
mm_img_decode_webp(mm_img_ctx *ctx, const uint8_t *src, size_t len, mm_img_sink *sink)
{
	webp_dec   *d;
	mm_img_status status;

	d = mm_img_zalloc(ctx, sizeof(*d));
	if (d == NULL)
		return ctx->status;
	d->ctx = ctx;
	d->sink = sink;
	status = webp_locate(d, src, len);
	if (status == MM_IMG_OK)
		status = webp_run(d);
	if (d->idec != NULL)
		WebPIDelete(d->idec);
	WebPDemuxDelete(d->demux);
	mm_img_unreserve(ctx, d->reserved);
	mm_img_release(ctx, d->row);
	mm_img_release(ctx, d->pixels);
	mm_img_release(ctx, d);
	return status;
}
