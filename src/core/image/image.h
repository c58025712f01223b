/*
 * image/image.h - thumbnails of JPEG, PNG, GIF, BMP, WebP and TIFF images, and lossless
 * re-encoding of JPEG files (pure C: libjpeg, libpng, zlib).
 *
 * Every size read from a header is checked against the caller's limits
 * before anything is allocated for it, every allocation the core makes (and
 * libpng's and zlib's) goes through one allocator that refuses a single
 * allocation above max_bytes, and long loops poll an interrupt callback.
 * Library errors are caught with setjmp inside the core and come back as a
 * status with the library's message; nothing longjmps out of this API and
 * nothing aborts.
 */
#ifndef MM_IMAGE_IMAGE_H
#define MM_IMAGE_IMAGE_H

#include <stddef.h>
#include <stdint.h>

typedef enum mm_img_status
{
	MM_IMG_OK = 0,
	MM_IMG_BAD_ARG,				/* invalid parameter (box, quality, NULL) */
	MM_IMG_UNSUPPORTED,			/* no decoder for it, or a variant not handled */
	MM_IMG_CORRUPT,				/* damaged or truncated data */
	MM_IMG_TOO_BIG,				/* over max_pixels, or an allocation over max_bytes */
	MM_IMG_NOMEM,				/* the allocator returned NULL */
	MM_IMG_INTERRUPTED,			/* lim->interrupted returned non-zero */
	MM_IMG_FAILED				/* an encoder failed (should not happen) */
} mm_img_status;

/*
 * Optional allocator.  alloc returns NULL on failure (it must not longjmp);
 * free accepts NULL.  Encoded outputs are allocated with it too, so free
 * them with mm_img_free() or the same free function.
 */
typedef struct mm_alloc
{
	void	   *(*alloc) (void *arg, size_t size);
	void		(*free) (void *arg, void *ptr);
	void	   *arg;
} mm_alloc;

/*
 * Limits of one call.  A zero max_pixels or max_bytes means the built-in
 * default (MM_IMG_DEFAULT_MAX_PIXELS, MM_IMG_DEFAULT_MAX_BYTES).
 *
 * max_pixels bounds the stored size of the source (width * height, checked
 * from the header before any allocation) and the size of every
 * intermediate image.  max_bytes bounds every single allocation, and the
 * total that libjpeg may use for whole-image buffers (progressive JPEG
 * coefficients).  interrupted, when set, is polled at least once per
 * decoded or resampled row; a non-zero answer stops the operation, frees
 * everything and returns MM_IMG_INTERRUPTED.  It must not longjmp.
 *
 * max_memory, when not zero, is the call's memory budget: the bytes the
 * core holds at once (its own allocations, libpng's and zlib's, encoded
 * output) and the memory libjpeg may use.  Whole-image buffers (an
 * interlaced PNG, a progressive JPEG's coefficients) are estimated from
 * the header and refused (MM_IMG_TOO_BIG) before anything is allocated
 * for them, and any allocation that would pass the budget is refused.
 */
typedef struct mm_limits
{
	uint64_t	max_pixels;
	uint64_t	max_bytes;
	int			(*interrupted) (void *arg);
	void	   *arg;
	const mm_alloc *alloc;		/* NULL: malloc and free */
	uint64_t	max_memory;		/* 0: no budget beyond max_bytes per allocation */
} mm_limits;

#define MM_IMG_DEFAULT_MAX_PIXELS	((uint64_t) 100000000)	/* 100 Mpx */
#define MM_IMG_DEFAULT_MAX_BYTES	((uint64_t) 512 * 1024 * 1024)

typedef enum mm_thumb_format
{
	MM_THUMB_JPEG = 0,
	MM_THUMB_PNG = 1,
	MM_THUMB_AUTO = 2,			/* PNG when the source has alpha, else JPEG */
	MM_THUMB_WEBP = 3,			/* lossy WebP (alpha kept) */
	MM_THUMB_WEBP_LOSSLESS = 4,
	MM_THUMB_AVIF = 5			/* AV1 in HEIF, through libheif (alpha kept) */
} mm_thumb_format;

/* How a transform fits the image to its box (image/spec.h, image/geometry.c). */
typedef enum mm_resize
{
	MM_RESIZE_CONTAIN = 0,		/* fit inside the box, aspect kept */
	MM_RESIZE_COVER,			/* fill the box, aspect kept, overflow cropped */
	MM_RESIZE_FILL				/* stretch to the box */
} mm_resize;

/* Which part of the image cover keeps (image/smartcrop.c). */
typedef enum mm_gravity
{
	MM_GRAVITY_CENTRE = 0,
	MM_GRAVITY_ATTENTION,		/* edges, skin tones and saturated colour, as libvips */
	MM_GRAVITY_ENTROPY			/* the most detailed window (luma histogram entropy) */
} mm_gravity;

typedef enum mm_img_decoder
{
	MM_DEC_NONE = 0,
	MM_DEC_JPEG,
	MM_DEC_PNG,
	MM_DEC_GIF,
	MM_DEC_BMP,
	MM_DEC_WEBP,
	MM_DEC_TIFF,
	MM_DEC_HEIF,				/* HEIC (HEVC in HEIF), through libheif */
	MM_DEC_AVIF,				/* AV1 in HEIF, through libheif */
	MM_DEC_JXL,
	MM_DEC_VIDEO				/* a still of a video, through FFmpeg (video/poster.h) */
} mm_img_decoder;

/* What mm_thumbnail() did. */
typedef struct mm_thumb_info
{
	int			src_width;		/* display size of the source (EXIF applied) */
	int			src_height;
	int			decoded_width;	/* size the decoder produced (JPEG DCT scaling) */
	int			decoded_height;
	int			out_width;		/* size of the thumbnail */
	int			out_height;
	int			orientation;	/* EXIF orientation applied, 1 (none) to 8 */
	int			jpeg_scale;		/* JPEG decoded at jpeg_scale/8, else 8 */
	int			has_alpha;		/* the source has an alpha channel */
	mm_thumb_format format;		/* the format written (never AUTO) */
	int			crop_left;		/* cover: the window kept of the scaled image */
	int			crop_top;
	mm_img_decoder decoder;
	const char *decoder_name;	/* "jpeg", "png", "gif", "bmp", "webp", "tiff", "heif", "avif", "jxl",
								 * or a video's FFmpeg decoder ("h264", "vp9", ...) (static) */
} mm_thumb_info;

/*
 * Makes a thumbnail of the image in src[0..len): the display image (EXIF
 * orientation applied) scaled to fit box_w x box_h keeping its aspect
 * ratio, never enlarged, at least 1x1.  fmt picks JPEG (alpha composited on
 * white, quality 1-100, 0 for 80) or PNG (alpha kept).  On success *out is
 * the encoded thumbnail, allocated with lim->alloc (or malloc), and
 * *out_len its length.  info (optional) is filled in as far as known, also
 * on failure.  errbuf (optional) gets a message on failure.  lim may be
 * NULL for the defaults.
 */
mm_img_status mm_thumbnail(const uint8_t *src, size_t len, int box_w, int box_h,
						   mm_thumb_format fmt, int quality, const mm_limits *lim,
						   uint8_t **out, size_t *out_len, mm_thumb_info *info,
						   char *errbuf, size_t errlen);

struct mm_xform;

/*
 * The general form of mm_thumbnail: the display image scaled and, for
 * cover, cropped as the spec x says (image/spec.h; its box must be at
 * least 1x1, its quality 0 for 80 or 1-100), never enlarged, encoded in
 * x->format (AUTO: JPEG, or PNG when the source has alpha).
 * mm_thumbnail(...) is mm_transform with resize contain.
 */
mm_img_status mm_transform(const uint8_t *src, size_t len, const struct mm_xform *x,
						   const mm_limits *lim, uint8_t **out, size_t *out_len,
						   mm_thumb_info *info, char *errbuf, size_t errlen);

/*
 * Re-encodes a JPEG losslessly (same DCT coefficients, so the same decoded
 * pixels) with optimized Huffman tables, progressive when asked, keeping
 * every APPn and COM marker (EXIF, ICC, XMP).  *out gets the smaller of the
 * result and the input: *optimized is 1 when it is the re-encoded stream
 * and 0 when it is a copy of the input (re-encoding saved nothing).
 */
mm_img_status mm_jpeg_optimize(const uint8_t *src, size_t len, int progressive,
							   const mm_limits *lim, uint8_t **out, size_t *out_len,
							   int *optimized, char *errbuf, size_t errlen);

/* Frees an output of this API with the allocator of lim (NULL: free()). */
void		mm_img_free(const mm_limits *lim, void *ptr);

/* A short name for a status ("ok", "corrupt", ...). */
const char *mm_img_status_name(mm_img_status status);

/* Which decoder the magic bytes of src select (MM_DEC_NONE when none). */
mm_img_decoder mm_img_sniff(const uint8_t *src, size_t len);

#endif
