/*
 * image/thumbhash.h - ThumbHash placeholders: a 25-byte-at-most summary of a
 * small image from which a page paints a blurred preview before the image
 * arrives (the ThumbHash format by Evan Wallace, as the npm package
 * "thumbhash" writes and reads it), and the image's dominant colour.
 *
 * The hash functions are pure C with no allocation: the caller hands in a
 * small RGBA image (at most MM_THUMBHASH_MAX_SIDE on each side) and gets the
 * hash back in a fixed buffer.  mm_placeholder_make() makes that image from
 * an encoded one with the thumbnail pipeline (image/placeholder.c), under
 * the caller's limits and allocator.  Decoding checks the hash's length
 * against what its header announces before reading it, since hashes come
 * back from SQL callers.
 */
#ifndef MM_IMAGE_THUMBHASH_H
#define MM_IMAGE_THUMBHASH_H

#include <stddef.h>
#include <stdint.h>

#include "image/image.h"

#define MM_THUMBHASH_MAX_LEN	25	/* 6 header bytes + 38 four-bit factors */
#define MM_THUMBHASH_MAX_SIDE	100 /* the format's own limit on the input */
#define MM_THUMBHASH_OUT_SIDE	32	/* the longer side of a decoded placeholder */

/*
 * Encodes the w x h RGBA image rgba (rows packed, 4 bytes a pixel) as a
 * ThumbHash into hash[0..MM_THUMBHASH_MAX_LEN); returns its length, or 0
 * when w or h is outside 1..MM_THUMBHASH_MAX_SIDE.
 */
size_t		mm_thumbhash_encode(int w, int h, const uint8_t *rgba,
								uint8_t hash[MM_THUMBHASH_MAX_LEN]);

/*
 * Decodes a ThumbHash into rgba (room for MM_THUMBHASH_OUT_SIDE squared
 * pixels, 4 bytes each), *w x *h pixels with the hash's approximate aspect
 * ratio.  Returns 0, or -1 when len is shorter than the header says the
 * hash is (nothing past len is read).
 */
int			mm_thumbhash_decode(const uint8_t *hash, size_t len, uint8_t *rgba,
								int *w, int *h);

/*
 * The dominant colour of the w x h RGBA image: the mean colour of the most
 * populated cell of a 16-level-per-channel histogram, pixels weighted by
 * their alpha.  rgb gets the colour; returns 0, or -1 when every pixel is
 * fully transparent (no colour dominates).
 */
int			mm_dominant_colour(int w, int h, const uint8_t *rgba, uint8_t rgb[3]);

/*
 * Renders a ThumbHash as a PNG (the decoded placeholder), *out allocated
 * with lim's allocator like mm_thumbnail()'s output.  MM_IMG_CORRUPT when
 * the hash is truncated.
 */
mm_img_status mm_thumbhash_png(const uint8_t *hash, size_t len, const mm_limits *lim,
							   uint8_t **out, size_t *out_len, char *errbuf, size_t errlen);

/* The placeholder of an image: its ThumbHash and dominant colour. */
typedef struct mm_placeholder
{
	uint8_t		hash[MM_THUMBHASH_MAX_LEN];
	size_t		hash_len;
	int			has_colour;		/* 0 when every pixel is fully transparent */
	uint8_t		colour[3];		/* the dominant colour, red green blue */
} mm_placeholder;

/*
 * The placeholder of the encoded image src[0..len) (image/placeholder.c):
 * the display image (EXIF orientation applied) decoded through the
 * thumbnail pipeline to fit MM_THUMBHASH_MAX_SIDE square (JPEGs shrunk on
 * load), under lim's limits and allocator, then hashed and its dominant
 * colour taken.  The statuses of mm_thumbnail(); out is zeroed on failure.
 */
mm_img_status mm_placeholder_make(const uint8_t *src, size_t len, const mm_limits *lim,
								  mm_placeholder *out, char *errbuf, size_t errlen);

#endif
