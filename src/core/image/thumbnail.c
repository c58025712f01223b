/*
 * image/thumbnail.c - mm_transform() and mm_thumbnail(): recognize the
 * format, decode (shrinking JPEGs on load), scale as rows arrive (to fit
 * the box, to cover it, or to fill it: image/geometry.c), orient, crop for
 * cover (image/smartcrop.c), encode.  mm_img_scaled() is all but the
 * encoding, for callers that want the pixels (image/placeholder.c).
 *
 * The target size is computed from the display size (EXIF orientation
 * applied) and mapped back to the stored orientation, so the image is
 * scaled as stored and only the small result is rotated.  For JPEG the
 * decoder is asked for at least twice the target size, which lets libjpeg
 * skip most of the inverse DCT work while leaving the Lanczos filter
 * enough pixels to anti-alias properly.
 */
#include "image/internal.h"

#include <string.h>

#include "image/spec.h"
#include "util/source.h"

/* State of one thumbnail: the sink's view of the pipeline. */
typedef struct thumb
{
	mm_img_ctx *ctx;
	int			box_w;
	int			box_h;
	mm_resize	resize;
	mm_gravity	gravity;
	int			crop_w;			/* the window kept, display orientation */
	int			crop_h;
	mm_thumb_info *info;
	int			orientation;
	int			tw;				/* target size, stored orientation */
	int			th;
	mm_resampler *rs;
	mm_raster	img;			/* the scaled image, stored orientation */
} thumb;

/*
 * Sink: the header is known.  Works out the display size, the target
 * size and crop window (image/geometry.c), and how small the decoder may
 * go (twice the target).
 */
static mm_img_status
thumb_header(mm_img_sink *sink, const mm_img_header *hdr, int *want_w, int *want_h)
{
	thumb	   *t = sink->arg;
	int			swap = hdr->orientation >= 5 && hdr->orientation <= 8;
	int			dw = swap ? hdr->height : hdr->width;
	int			dh = swap ? hdr->width : hdr->height;
	int			TW;
	int			TH;

	t->orientation = hdr->orientation >= 1 && hdr->orientation <= 8 ? hdr->orientation : 1;
	t->info->src_width = dw;
	t->info->src_height = dh;
	t->info->orientation = t->orientation;
	t->info->has_alpha = hdr->has_alpha;
	mm_xform_geometry(dw, dh, t->box_w, t->box_h, t->resize, &TW, &TH, &t->crop_w, &t->crop_h);
	t->tw = swap ? TH : TW;
	t->th = swap ? TW : TH;
	if (mm_img_check_size(t->ctx, (uint64_t) t->tw, (uint64_t) t->th) != MM_IMG_OK)
		return t->ctx->status;
	*want_w = t->tw > hdr->width / 2 ? hdr->width : 2 * t->tw;
	*want_h = t->th > hdr->height / 2 ? hdr->height : 2 * t->th;
	return MM_IMG_OK;
}

/* Sink: rows of w x h with nch channels follow; set up the resampler. */
static mm_img_status
thumb_start(mm_img_sink *sink, int w, int h, int nch)
{
	thumb	   *t = sink->arg;

	if (mm_img_check_size(t->ctx, (uint64_t) w, (uint64_t) h) != MM_IMG_OK)
		return t->ctx->status;
	t->info->decoded_width = w;
	t->info->decoded_height = h;
	if (t->tw > w)
		t->tw = w;
	if (t->th > h)
		t->th = h;
	t->img.w = t->tw;
	t->img.h = t->th;
	t->img.nch = nch;
	t->img.px = mm_img_alloc_array(t->ctx, (size_t) t->tw * t->th, (size_t) nch);
	if (t->img.px == NULL)
		return t->ctx->status;
	t->rs = mm_resample_new(t->ctx, w, h, nch, t->tw, t->th, t->img.px);
	if (t->rs == NULL)
		return t->ctx->status;
	return MM_IMG_OK;
}

/* Sink: the next row. */
static mm_img_status
thumb_row(mm_img_sink *sink, const uint8_t *row)
{
	thumb	   *t = sink->arg;

	return mm_resample_row(t->rs, row);
}

/*
 * HEIC or AVIF from an ISOBMFF ftyp box: its major brand, or for the
 * general brands (mif1, msf1) the first avif/avis or HEVC brand among the
 * compatible ones; MM_DEC_NONE for other ISOBMFF files (MP4, ...).
 */
static mm_img_decoder
sniff_heif(const uint8_t *src, size_t len)
{
	static const char *const heic[] = {"heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs"};
	uint32_t	size;
	size_t		pos;
	size_t		i;

	if (len < 16 || memcmp(src + 4, "ftyp", 4) != 0)
		return MM_DEC_NONE;
	size = mm_be32(src);
	if (size < 16 || size > len)
		size = (uint32_t) (len < 4096 ? len : 4096);
	for (pos = 8; pos + 4 <= size; pos += (pos == 8 ? 8 : 4))
	{
		if (memcmp(src + pos, "avif", 4) == 0 || memcmp(src + pos, "avis", 4) == 0)
			return MM_DEC_AVIF;
		for (i = 0; i < sizeof(heic) / sizeof(heic[0]); i++)
			if (memcmp(src + pos, heic[i], 4) == 0)
				return MM_DEC_HEIF;
	}
	return MM_DEC_NONE;
}

/* Which decoder the first bytes of src call for. */
mm_img_decoder
mm_img_sniff(const uint8_t *src, size_t len)
{
	if (src == NULL)
		return MM_DEC_NONE;
	if (len >= 3 && src[0] == 0xFF && src[1] == 0xD8 && src[2] == 0xFF)
		return MM_DEC_JPEG;
	if (len >= 8 && memcmp(src, "\x89PNG\r\n\x1a\n", 8) == 0)
		return MM_DEC_PNG;
	if (len >= 6 && (memcmp(src, "GIF87a", 6) == 0 || memcmp(src, "GIF89a", 6) == 0))
		return MM_DEC_GIF;
	if (len >= 18 && src[0] == 'B' && src[1] == 'M')
	{
		uint32_t	hs = mm_le32(src + 14);

		if (hs == 12 || (hs >= 16 && hs <= 64 && hs % 4 == 0) || hs == 108 || hs == 124)
			return MM_DEC_BMP;
	}
	if (len >= 16 && memcmp(src, "RIFF", 4) == 0 && memcmp(src + 8, "WEBPVP8", 7) == 0)
		return MM_DEC_WEBP;
	if (len >= 8 && (memcmp(src, "II*\0", 4) == 0 || memcmp(src, "MM\0*", 4) == 0 ||
					 memcmp(src, "II+\0", 4) == 0 || memcmp(src, "MM\0+", 4) == 0))
		return MM_DEC_TIFF;
	if (len >= 2 && src[0] == 0xFF && src[1] == 0x0A)
		return MM_DEC_JXL;
	if (len >= 12 && memcmp(src, "\0\0\0\x0CJXL \r\n\x87\n", 12) == 0)
		return MM_DEC_JXL;
	return sniff_heif(src, len);
}

/* The decoder's name for mm_thumb_info. */
static const char *
decoder_name(mm_img_decoder d)
{
	switch (d)
	{
		case MM_DEC_JPEG:
			return "jpeg";
		case MM_DEC_PNG:
			return "png";
		case MM_DEC_GIF:
			return "gif";
		case MM_DEC_BMP:
			return "bmp";
		case MM_DEC_WEBP:
			return "webp";
		case MM_DEC_TIFF:
			return "tiff";
		case MM_DEC_HEIF:
			return "heif";
		case MM_DEC_AVIF:
			return "avif";
		case MM_DEC_JXL:
			return "jxl";
		case MM_DEC_VIDEO:
			return "video";
		case MM_DEC_NONE:
			break;
	}
	return "none";
}

/*
 * Cover: keeps the window gravity chooses of the scaled, oriented image
 * (the window is clamped to the image, which a JPEG decoded smaller than
 * asked could make smaller than planned).
 */
static mm_img_status
crop_window(thumb *t)
{
	int			cw = t->crop_w < t->img.w ? t->crop_w : t->img.w;
	int			ch = t->crop_h < t->img.h ? t->crop_h : t->img.h;
	int			left;
	int			top;

	if (cw < 1 || ch < 1 || (cw == t->img.w && ch == t->img.h))
		return MM_IMG_OK;
	if (mm_crop_choose(t->ctx, &t->img, cw, ch, t->gravity, &left, &top) != MM_IMG_OK)
		return t->ctx->status;
	mm_img_crop(&t->img, left, top, cw, ch);
	t->info->crop_left = left;
	t->info->crop_top = top;
	return MM_IMG_OK;
}

/* Encodes the result in format fmt (not AUTO). */
static mm_img_status
encode(mm_img_ctx *ctx, mm_raster *img, mm_thumb_format fmt, int quality,
	   uint8_t **out, size_t *out_len)
{
	switch (fmt)
	{
		case MM_THUMB_JPEG:
			mm_img_flatten(img);
			return mm_img_encode_jpeg(ctx, img, quality, out, out_len);
		case MM_THUMB_WEBP:
		case MM_THUMB_WEBP_LOSSLESS:
			return mm_img_encode_webp(ctx, img, quality, fmt == MM_THUMB_WEBP_LOSSLESS, out, out_len);
		case MM_THUMB_AVIF:
			return mm_img_encode_avif(ctx, img, quality, out, out_len);
		default:
			return mm_img_encode_png(ctx, img, out, out_len);
	}
}

/* What decode_buffer() reads: an image in memory. */
typedef struct buffer_source
{
	const uint8_t *src;
	size_t		len;
} buffer_source;

/* Decodes an image in memory with the decoder its magic bytes select. */
static mm_img_status
decode_buffer(mm_img_ctx *ctx, void *arg, mm_img_sink *sink, mm_thumb_info *info)
{
	const buffer_source *b = arg;
	const uint8_t *src = b->src;
	size_t		len = b->len;

	if (src == NULL && len > 0)
		return mm_img_fail(ctx, MM_IMG_BAD_ARG, "no input");
	info->decoder = mm_img_sniff(src, len);
	info->decoder_name = decoder_name(info->decoder);
	switch (info->decoder)
	{
		case MM_DEC_JPEG:
			return mm_img_decode_jpeg(ctx, src, len, sink, &info->jpeg_scale);
		case MM_DEC_PNG:
			return mm_img_decode_png(ctx, src, len, sink);
		case MM_DEC_GIF:
			return mm_img_decode_gif(ctx, src, len, sink);
		case MM_DEC_BMP:
			return mm_img_decode_bmp(ctx, src, len, sink);
		case MM_DEC_WEBP:
			return mm_img_decode_webp(ctx, src, len, sink);
		case MM_DEC_TIFF:
			return mm_img_decode_tiff(ctx, src, len, sink);
		case MM_DEC_HEIF:
		case MM_DEC_AVIF:
			return mm_img_decode_heif(ctx, src, len, sink);
		case MM_DEC_JXL:
			return mm_img_decode_jxl(ctx, src, len, sink);
		default:
			return mm_img_fail(ctx, MM_IMG_UNSUPPORTED,
							   "not a JPEG, PNG, GIF, BMP, WebP, TIFF, HEIC, AVIF or JPEG XL image");
	}
}

/*
 * Decodes what decode feeds the sink into t->img (scaling as rows arrive),
 * then orients it and, for cover, crops it.
 */
static mm_img_status
thumb_decode(thumb *t, mm_img_decode_fn decode, void *arg)
{
	mm_img_ctx *ctx = t->ctx;
	mm_thumb_info *info = t->info;
	mm_img_sink sink;
	mm_img_status st;

	sink.header = thumb_header;
	sink.start = thumb_start;
	sink.row = thumb_row;
	sink.arg = t;
	st = decode(ctx, arg, &sink, info);
	if (st != MM_IMG_OK)
		return ctx->status != MM_IMG_OK ? ctx->status : st;
	if (t->rs == NULL || !mm_resample_done(t->rs))
		return mm_img_fail(ctx, MM_IMG_CORRUPT, "the image data ended early");
	mm_resample_free(t->rs);
	t->rs = NULL;

	if (mm_img_orient(ctx, &t->img, t->orientation) != MM_IMG_OK)
		return ctx->status;
	if (crop_window(t) != MM_IMG_OK)
		return ctx->status;
	info->out_width = t->img.w;
	info->out_height = t->img.h;
	return MM_IMG_OK;
}

/* Sets info to what is known before anything is decoded. */
static void
info_reset(mm_thumb_info *info)
{
	memset(info, 0, sizeof(*info));
	info->orientation = 1;
	info->jpeg_scale = 8;
	info->decoder_name = "none";
}

/*
 * Decodes (through decode), scales, orients and crops as x says, without
 * encoding: *img is the result, allocated in ctx.
 */
static mm_img_status
scaled_from(mm_img_ctx *ctx, mm_img_decode_fn decode, void *arg, const mm_xform *x,
			mm_thumb_info *info, mm_raster *img)
{
	thumb		t;
	mm_img_status st;

	info_reset(info);
	memset(img, 0, sizeof(*img));
	if (x->width < 1 || x->height < 1)
		return mm_img_fail(ctx, MM_IMG_BAD_ARG, "the box must be at least 1x1");
	if ((unsigned) x->resize > MM_RESIZE_FILL || (unsigned) x->gravity > MM_GRAVITY_ENTROPY)
		return mm_img_fail(ctx, MM_IMG_BAD_ARG, "unknown resize mode or gravity");

	memset(&t, 0, sizeof(t));
	t.ctx = ctx;
	t.box_w = x->width;
	t.box_h = x->height;
	t.resize = x->resize;
	t.gravity = x->gravity;
	t.info = info;
	t.orientation = 1;
	st = thumb_decode(&t, decode, arg);
	mm_resample_free(t.rs);
	if (st != MM_IMG_OK)
	{
		mm_img_release(ctx, t.img.px);
		return st;
	}
	*img = t.img;
	return MM_IMG_OK;
}

/* Decodes, scales, orients and crops without encoding; see image/internal.h. */
mm_img_status
mm_img_scaled(mm_img_ctx *ctx, const uint8_t *src, size_t len, const mm_xform *x,
			  mm_thumb_info *info, mm_raster *img)
{
	buffer_source b = {src, len};

	return scaled_from(ctx, decode_buffer, &b, x, info, img);
}

/*
 * Transforms what decode feeds the pipeline's sink as x says; see
 * image/internal.h.
 */
mm_img_status
mm_transform_decoded(mm_img_decode_fn decode, void *arg, const mm_xform *x, const mm_limits *lim,
					 uint8_t **out, size_t *out_len, mm_thumb_info *info, char *errbuf, size_t errlen)
{
	mm_img_ctx	ctx;
	mm_thumb_info dummy;
	mm_raster	img;
	mm_thumb_format fmt;
	mm_img_status st;
	int			quality;

	mm_img_ctx_init(&ctx, lim, errbuf, errlen);
	if (info == NULL)
		info = &dummy;
	info_reset(info);
	if (out == NULL || out_len == NULL || x == NULL)
		return mm_img_fail(&ctx, MM_IMG_BAD_ARG, "no output pointer or spec");
	*out = NULL;
	*out_len = 0;
	if ((unsigned) x->format > MM_THUMB_AVIF)
		return mm_img_fail(&ctx, MM_IMG_BAD_ARG, "unknown output format");
	quality = x->quality == 0 ? 80 : x->quality;
	if (quality < 1 || quality > 100)
		return mm_img_fail(&ctx, MM_IMG_BAD_ARG, "quality must be between 1 and 100");

	st = scaled_from(&ctx, decode, arg, x, info, &img);
	info->format = x->format;
	if (st != MM_IMG_OK)
		return st;
	fmt = x->format;
	if (fmt == MM_THUMB_AUTO)
		fmt = (img.nch == 2 || img.nch == 4) ? MM_THUMB_PNG : MM_THUMB_JPEG;
	info->format = fmt;
	st = encode(&ctx, &img, fmt, quality, out, out_len);
	mm_img_release(&ctx, img.px);
	if (st != MM_IMG_OK)
	{
		*out = NULL;
		*out_len = 0;
	}
	return st;
}

/* Transforms an image; see image/image.h. */
mm_img_status
mm_transform(const uint8_t *src, size_t len, const mm_xform *x, const mm_limits *lim,
			 uint8_t **out, size_t *out_len, mm_thumb_info *info, char *errbuf, size_t errlen)
{
	buffer_source b = {src, len};

	return mm_transform_decoded(decode_buffer, &b, x, lim, out, out_len, info, errbuf, errlen);
}

/* Makes a thumbnail (mm_transform with resize contain); see image/image.h. */
mm_img_status
mm_thumbnail(const uint8_t *src, size_t len, int box_w, int box_h,
			 mm_thumb_format fmt, int quality, const mm_limits *lim,
			 uint8_t **out, size_t *out_len, mm_thumb_info *info,
			 char *errbuf, size_t errlen)
{
	mm_xform	x;

	mm_xform_init(&x);
	x.width = box_w;
	x.height = box_h;
	x.format = fmt;
	x.quality = quality;
	return mm_transform(src, len, &x, lim, out, out_len, info, errbuf, errlen);
}
