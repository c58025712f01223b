/*
 * image/internal.h - what the image core's files share: the per-call context
 * (limits, allocator, first error), the row sink that decoders feed, and
 * the decoders, resampler and encoders themselves.
 *
 * Decoders push rows top to bottom into a sink; the sink (the thumbnail
 * pipeline) resamples them as they come, so a non-interlaced image is never
 * held whole.  Every failure is recorded once in the context: the first
 * status and message win, later ones are ignored.
 */
#ifndef MM_IMAGE_INTERNAL_H
#define MM_IMAGE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "image/image.h"

/* State of one API call. */
typedef struct mm_img_ctx
{
	uint64_t	max_pixels;
	uint64_t	max_bytes;
	uint64_t	max_memory;		/* budget of bytes held at once (UINT64_MAX: none) */
	uint64_t	in_use;			/* bytes held now through the allocator */
	int			(*interrupted) (void *arg);
	void	   *int_arg;
	mm_alloc	alloc;
	mm_img_status status;		/* first failure, MM_IMG_OK until then */
	char	   *errbuf;
	size_t		errlen;
} mm_img_ctx;

/* Fills in ctx from lim (NULL for defaults) and the error buffer. */
void		mm_img_ctx_init(mm_img_ctx *ctx, const mm_limits *lim,
							char *errbuf, size_t errlen);

/* Records a failure (only the first one is kept) and returns its status. */
mm_img_status mm_img_fail(mm_img_ctx *ctx, mm_img_status status, const char *fmt,...)
#if defined(__GNUC__)
			__attribute__((format(printf, 3, 4)))
#endif
			;

/*
 * Allocates size bytes, refusing more than max_bytes or what would pass the
 * memory budget; NULL after mm_img_fail.  The block carries its size (so
 * mm_img_release can return it to the budget).
 */
void	   *mm_img_alloc(mm_img_ctx *ctx, size_t size);

/*
 * Like mm_img_alloc, but a plain block of the caller's allocator (no size
 * header) that can be handed out as a result: encoded outputs.  Release
 * with mm_img_release_out and the same size.
 */
void	   *mm_img_alloc_out(mm_img_ctx *ctx, size_t size);
void		mm_img_release_out(mm_img_ctx *ctx, void *ptr, size_t size);

/*
 * Refuses (MM_IMG_TOO_BIG, with what in the message) a whole-image buffer
 * of need bytes that the budget cannot hold, before it is allocated.
 */
mm_img_status mm_img_check_budget(mm_img_ctx *ctx, uint64_t need, const char *what);

/*
 * Charges (and later gives back) bytes a library allocates outside the
 * core's allocator, so the budget still bounds the call.
 */
mm_img_status mm_img_reserve(mm_img_ctx *ctx, uint64_t bytes, const char *what);
void		mm_img_unreserve(mm_img_ctx *ctx, uint64_t bytes);

/* Allocates n * size bytes with the product overflow-checked. */
void	   *mm_img_alloc_array(mm_img_ctx *ctx, size_t n, size_t size);

/* mm_img_alloc with the block zeroed: every per-call state struct starts so. */
void	   *mm_img_zalloc(mm_img_ctx *ctx, size_t size);

/* Frees what mm_img_alloc returned (NULL is fine). */
void		mm_img_release(mm_img_ctx *ctx, void *ptr);

/* Checks that a w x h image is within max_pixels (and w, h > 0). */
mm_img_status mm_img_check_size(mm_img_ctx *ctx, uint64_t w, uint64_t h);

/* Polls the interrupt callback; non-zero (after mm_img_fail) to stop. */
int			mm_img_poll(mm_img_ctx *ctx);

/* What a decoder knows once it has read the header. */
typedef struct mm_img_header
{
	int			width;			/* stored size */
	int			height;
	int			has_alpha;
	int			orientation;	/* 1-8 */
} mm_img_header;

/*
 * Where a decoder's rows go.  header() is called once the header is read
 * and the size checked; it returns the smallest stored size worth decoding
 * (JPEG may decode at any size between that and the stored size).  start()
 * gives the size and channels (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA) of the
 * rows that follow; row() then gets each row of w * nch bytes, top first.
 * A non-zero return (after mm_img_fail) stops the decoder.
 */
typedef struct mm_img_sink mm_img_sink;
struct mm_img_sink
{
	mm_img_status (*header) (mm_img_sink *sink, const mm_img_header *hdr,
							 int *want_w, int *want_h);
	mm_img_status (*start) (mm_img_sink *sink, int w, int h, int nch);
	mm_img_status (*row) (mm_img_sink *sink, const uint8_t *row);
	void	   *arg;
};

/* The decoders: each reads src[0..len) and feeds sink. */
mm_img_status mm_img_decode_jpeg(mm_img_ctx *ctx, const uint8_t *src, size_t len,
								 mm_img_sink *sink, int *scale);
mm_img_status mm_img_decode_png(mm_img_ctx *ctx, const uint8_t *src, size_t len,
								mm_img_sink *sink);
mm_img_status mm_img_decode_gif(mm_img_ctx *ctx, const uint8_t *src, size_t len,
								mm_img_sink *sink);
mm_img_status mm_img_decode_bmp(mm_img_ctx *ctx, const uint8_t *src, size_t len,
								mm_img_sink *sink);
mm_img_status mm_img_decode_webp(mm_img_ctx *ctx, const uint8_t *src, size_t len,
								 mm_img_sink *sink);
mm_img_status mm_img_decode_tiff(mm_img_ctx *ctx, const uint8_t *src, size_t len,
								 mm_img_sink *sink);
mm_img_status mm_img_decode_heif(mm_img_ctx *ctx, const uint8_t *src, size_t len,
								 mm_img_sink *sink);	/* HEIC and AVIF */
/*
 * The largest picture the HEVC or AV1 streams of a HEIF file would decode,
 * from their parameter sets, and the largest codec picture alone
 * (image/heif_coded.c); 0 x 0 when none.
 */
mm_img_status mm_heif_coded_size(mm_img_ctx *ctx, const uint8_t *src, size_t len,
								 const char *what, uint64_t *w, uint64_t *h,
								 uint64_t *coded_max);
mm_img_status mm_img_decode_jxl(mm_img_ctx *ctx, const uint8_t *src, size_t len,
								mm_img_sink *sink);

/*
 * CMYK to 8-bit RGB through the embedded ICC profile or libvips' fallback
 * profile (image/cmyk.c, lcms2): mm_cmyk_open takes the profile (NULL/0:
 * none; a broken one falls back), bytes 1 or 2 per sample, stride samples a
 * pixel (four inks first), inverted when 0 is full ink; NULL after
 * mm_img_fail.  mm_cmyk_row converts w pixels into a separate RGB row.
 */
typedef struct mm_cmyk mm_cmyk;
mm_cmyk    *mm_cmyk_open(mm_img_ctx *ctx, const uint8_t *icc, size_t icc_len, int bytes,
						 int stride, int inverted);
void		mm_cmyk_row(mm_cmyk *t, const void *in, uint8_t *rgb, uint32_t w);
void		mm_cmyk_close(mm_cmyk *t);

/* libvips' fallback CMYK profile, reduced (image/cmyk_profile.c, generated). */
extern const unsigned char mm_cmyk_fallback_icc[];
extern const size_t mm_cmyk_fallback_icc_len;

/*
 * A source of rows for the transform pipeline: decodes something into
 * sink (calling header, start, then every row), filling in info's decoder
 * and decoder_name (and jpeg_scale when it shrinks on load).  Failures go
 * through mm_img_fail on ctx.
 */
typedef mm_img_status (*mm_img_decode_fn) (mm_img_ctx *ctx, void *arg, mm_img_sink *sink,
										   mm_thumb_info *info);

/*
 * mm_transform for any source of rows (image/thumbnail.c): checks x, runs
 * decode(ctx, arg, ...) into the scaling sink, then orients, crops and
 * encodes as mm_transform does.  Video posters (video/poster.c) use it.
 */
mm_img_status mm_transform_decoded(mm_img_decode_fn decode, void *arg, const struct mm_xform *x,
								   const mm_limits *lim, uint8_t **out, size_t *out_len,
								   mm_thumb_info *info, char *errbuf, size_t errlen);

/*
 * For decoders whose library holds the whole image (image/whole.c): pass
 * a packed image of rows stride bytes apart to the sink, polling before
 * each row.  (Library-held memory is charged with mm_img_reserve.)
 */
mm_img_status mm_img_feed_rows(mm_img_ctx *ctx, mm_img_sink *sink, const uint8_t *px,
							   int w, int h, int nch, size_t stride);

/* The same for the next rows of an image already started (a band of a tiled image). */
mm_img_status mm_img_feed_band(mm_img_ctx *ctx, mm_img_sink *sink, const uint8_t *px,
							   int rows, size_t stride);

/*
 * A sink in front of another that averages k x k blocks of an RGB image
 * (k the largest whole factor keeping it at least want_w x want_h; 1, a
 * plain pass-through, for alpha or when under 2): image/whole.c.  Feed
 * b->sink; release with mm_box_shrink_free.
 */
typedef struct mm_box_shrink
{
	mm_img_sink sink;
	mm_img_sink *next;
	mm_img_ctx *ctx;
	int			want_w;
	int			want_h;
	int			k;
	int			w;
	int			h;
	int			nch;
	int			ow;
	int			y;				/* rows received */
	int			rows_in;		/* of the block row being summed */
	uint32_t   *acc;
	uint8_t    *out;
} mm_box_shrink;

void		mm_box_shrink_init(mm_box_shrink *b, mm_img_ctx *ctx, mm_img_sink *next,
							   int want_w, int want_h);
void		mm_box_shrink_free(mm_box_shrink *b);

/* A streaming separable resampler (see image/resample.c). */
typedef struct mm_resampler mm_resampler;

mm_resampler *mm_resample_new(mm_img_ctx *ctx, int sw, int sh, int nch,
							  int dw, int dh, uint8_t *dst);
mm_img_status mm_resample_row(mm_resampler *r, const uint8_t *row);
int			mm_resample_done(const mm_resampler *r);
void		mm_resample_free(mm_resampler *r);

/* An 8-bit image in memory, rows packed. */
typedef struct mm_raster
{
	int			w;
	int			h;
	int			nch;
	uint8_t    *px;
} mm_raster;

/*
 * Turns a stored image into its display image for EXIF orientation o,
 * replacing img's pixels (orientation 1 leaves img as it is).
 */
mm_img_status mm_img_orient(mm_img_ctx *ctx, mm_raster *img, int o);

/*
 * The sizes of a transform (image/geometry.c): the display image w x h is
 * scaled to *scaled_w x *scaled_h, of which the *crop_w x *crop_h window is
 * kept (smaller only for cover); never larger than w x h.
 */
void		mm_xform_geometry(int w, int h, int box_w, int box_h, mm_resize r,
							  int *scaled_w, int *scaled_h, int *crop_w, int *crop_h);

/*
 * Chooses the crop_w x crop_h window of img that gravity g keeps
 * (image/smartcrop.c): centred, or around what draws attention (libvips'
 * attention: edges, skin tones, saturated colour), or the most detailed
 * part (luma entropy).  crop_w, crop_h are at most img's size.
 */
mm_img_status mm_crop_choose(mm_img_ctx *ctx, const mm_raster *img, int crop_w, int crop_h,
							 mm_gravity g, int *left, int *top);

/* Keeps the crop_w x crop_h window at left, top of img, in place. */
void		mm_img_crop(mm_raster *img, int left, int top, int crop_w, int crop_h);

/* The red, green, blue and alpha of a pixel of nch (1-4) channels. */
static inline void
mm_px_rgba(const uint8_t *p, int nch, uint8_t rgba[4])
{
	rgba[0] = p[0];
	rgba[1] = nch >= 3 ? p[1] : p[0];
	rgba[2] = nch >= 3 ? p[2] : p[0];
	rgba[3] = nch == 2 ? p[1] : (nch == 4 ? p[3] : 255);
}

struct mm_xform;

/*
 * The first half of mm_transform() (image/thumbnail.c): recognizes the
 * format, decodes (shrinking JPEGs on load), scales as rows arrive to
 * x's box and resize mode, orients, crops for cover.  *img gets the
 * result, allocated in ctx (release img->px with mm_img_release); x's
 * format and quality are not looked at.  info is reset and filled in.
 */
mm_img_status mm_img_scaled(mm_img_ctx *ctx, const uint8_t *src, size_t len,
							const struct mm_xform *x, mm_thumb_info *info, mm_raster *img);

/* Composites an alpha raster on white, in place (2 -> 1, 4 -> 3 channels). */
void		mm_img_flatten(mm_raster *img);

/* The encoders: *out is allocated with ctx's allocator. */
mm_img_status mm_img_encode_jpeg(mm_img_ctx *ctx, const mm_raster *img, int quality,
								 uint8_t **out, size_t *out_len);
mm_img_status mm_img_encode_png(mm_img_ctx *ctx, const mm_raster *img,
								uint8_t **out, size_t *out_len);
mm_img_status mm_img_encode_webp(mm_img_ctx *ctx, const mm_raster *img, int quality,
								 int lossless, uint8_t **out, size_t *out_len);
mm_img_status mm_img_encode_avif(mm_img_ctx *ctx, const mm_raster *img, int quality,
								 uint8_t **out, size_t *out_len);

/* A growable output buffer through ctx's allocator. */
typedef struct mm_outbuf
{
	mm_img_ctx *ctx;
	uint8_t    *data;
	size_t		len;
	size_t		cap;
} mm_outbuf;

/* Makes room for at least extra more bytes; non-zero on failure. */
int			mm_outbuf_reserve(mm_outbuf *b, size_t extra);

#endif
