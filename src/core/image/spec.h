/*
 * image/spec.h - the one transform spec: what media.transform(), the
 * thumbnail shorthands, the HTTP answer and the derivative cache key all
 * describe, with its text form.
 *
 * Text form (parsed by mm_xform_parse, written by mm_xform_canonical):
 * comma- (or '&'-) separated key=value pairs, in any order, keys and names
 * case-insensitive:
 *   w | width        1..max_box                                  (required)
 *   h | height       1..max_box                                  (required)
 *   resize | fit     contain (default) | cover | fill
 *   gravity          centre (default; center) | attention | entropy  (cover)
 *   format | f       auto (default) | jpeg (jpg) | png | webp | webp-lossless | avif
 *   q | quality      1..100 (lossy formats; default: the caller's)
 * The canonical text always lists w, h, resize; gravity only for cover;
 * format; q only when given and the format can be lossy (jpeg, webp, avif, auto):
 *   "w=256,h=256,resize=cover,gravity=attention,format=webp,q=80"
 * so two spellings of one transform give one text, the cache key.
 *
 * URL form (a path segment of pg_media serve, /media/{id}/w_320,h_320,c_cover):
 * comma-separated key_value items, no blanks, keys
 *   w, h, c (resize), g (gravity), f (format), q (quality)
 * with the values above; it parses into the same mm_xform, so its
 * canonical text is the same cache key.  mm_xform_url_text writes it:
 *   "w_320,h_320,c_cover,f_auto"  (g and q only when not the default)
 */
#ifndef MM_IMAGE_SPEC_H
#define MM_IMAGE_SPEC_H

#include <stddef.h>

#include "image/image.h"

/* The longest canonical text, with its NUL. */
#define MM_XFORM_TEXT_MAX 96

/* A transform spec. */
typedef struct mm_xform
{
	int			width;			/* the box */
	int			height;
	mm_resize	resize;
	mm_gravity	gravity;		/* used by cover only */
	mm_thumb_format format;		/* MM_THUMB_AUTO: see mm_xform_negotiate */
	int			quality;		/* 1..100; 0 = not given */
} mm_xform;

/* Sets x to the defaults: contain, centre, auto, quality not given, no box. */
void		mm_xform_init(mm_xform *x);

/* Names to values (case-insensitive, with the aliases above); 0 when unknown. */
int			mm_xform_resize_from_name(const char *name, size_t len, mm_resize *out);
int			mm_xform_gravity_from_name(const char *name, size_t len, mm_gravity *out);
int			mm_xform_format_from_name(const char *name, size_t len, mm_thumb_format *out);

/* The canonical names. */
const char *mm_xform_resize_name(mm_resize r);
const char *mm_xform_gravity_name(mm_gravity g);
const char *mm_xform_format_name(mm_thumb_format f);

/* The MIME type of an output format (NULL for AUTO). */
const char *mm_xform_format_mime(mm_thumb_format f);

/* Can this format be lossy (so quality applies)? AUTO can (it may be JPEG). */
int			mm_xform_format_lossy(mm_thumb_format f);

/*
 * Parses the text form text[0..len) over x (which keeps what the text does
 * not set: call mm_xform_init first).  Returns 0, or -1 with a message in
 * err for an unknown or repeated key, a bad name or number, a missing
 * width or height; the ranges are mm_xform_check's.
 */
int			mm_xform_parse(const char *text, size_t len, mm_xform *x, char *err, size_t errlen);

/* Parses the URL form text[0..len) over x, like mm_xform_parse. */
int			mm_xform_parse_url(const char *text, size_t len, mm_xform *x, char *err, size_t errlen);

/*
 * Writes the URL form of x into buf; returns its length, or -1 when buf is
 * too small.
 */
int			mm_xform_url_text(const mm_xform *x, char *buf, size_t buflen);

/*
 * Checks the box (1..max_box on each side) and quality (0 or 1..100).
 * Returns 0, or -1 with a message in err.
 */
int			mm_xform_check(const mm_xform *x, int max_box, char *err, size_t errlen);

/*
 * Resolves format AUTO for an Accept value (accept NULL: no header): AVIF,
 * WebP, JPEG only, PNG only, or stays AUTO (JPEG, PNG when the image has
 * alpha) (util/accept.h).  Other formats are left alone.  Returns 0, or
 * -1 when the value accepts none of them (x stays AUTO: an HTTP server
 * may answer 406, SQL uses AUTO anyway).
 */
int			mm_xform_negotiate(mm_xform *x, const char *accept, size_t len);

/*
 * Writes the canonical text of x into buf (q only when given: the glue
 * always gives it before caching, so a cache key names its quality;
 * pg_media serve signs and forwards a URL's spec as written, without q
 * when the URL has none, which media.http() then fills in); returns its
 * length, or -1 when buf is too small.
 */
int			mm_xform_canonical(const mm_xform *x, char *buf, size_t buflen);

#endif
