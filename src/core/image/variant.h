/*
 * image/variant.h - the variant spec: which derived image of a stored file
 * an HTTP request asks for, as text an application passes through from its
 * URL, e.g. "w=256,h=256,format=jpeg" (media.http()'s variant argument).
 *
 * Grammar (ASCII, at most MM_VARIANT_MAX_LEN bytes):
 *   variant = param *( "," param )        ; no empty items
 *   param   = OWS key OWS "=" OWS value OWS
 *   key     = "w" / "h" / "format"        ; case-insensitive, each at most once
 *   value   = 1*( ALPHA / DIGIT )
 * w and h are required, whole numbers 1..max_side (leading zeros allowed);
 * format is "jpeg" (also "jpg", the default) or "png", case-insensitive.
 * Any other key is refused, so a misspelt parameter never silently gives
 * another image; later versions add keys (resize, quality, gravity, ...).
 * The normalised form (mm_variant_format()) is the same for every spelling
 * of one variant: "w=256,h=256,format=jpeg".
 */
#ifndef MM_IMAGE_VARIANT_H
#define MM_IMAGE_VARIANT_H

#include <stddef.h>
#include <stdint.h>

#include "image/image.h"

#define MM_VARIANT_MAX_LEN 256

typedef struct mm_variant
{
	int			width;			/* w: the box's width */
	int			height;			/* h: the box's height */
	mm_thumb_format format;		/* format: MM_THUMB_JPEG or MM_THUMB_PNG */
} mm_variant;

/*
 * Parses s[0..len) into *v.  Returns 0, or -1 with a one-sentence reason in
 * err (when errlen > 0); *v is then unspecified.  max_side bounds w and h.
 */
int			mm_variant_parse(const char *s, size_t len, int max_side, mm_variant *v,
							 char *err, size_t errlen);

/*
 * Writes the normalised form of v into buf (NUL-terminated, truncated to
 * n - 1 bytes); returns the length it needs without the NUL.
 */
size_t		mm_variant_format(const mm_variant *v, char *buf, size_t n);

#endif
