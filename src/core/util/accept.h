/*
 * util/accept.h - HTTP Accept header values (RFC 9110 section 12.5.1):
 * the q-value a value gives a media type, and the image format a transform
 * with format 'auto' answers with.
 */
#ifndef MM_UTIL_ACCEPT_H
#define MM_UTIL_ACCEPT_H

#include <stddef.h>

/*
 * The q-value, in thousandths (0..1000), that the Accept value
 * accept[0..len) gives the media type type ("image/webp"), taken from the
 * most specific range that matches it: "image/webp" before "image/ *"
 * before "* / *" (media-type parameters other than q are ignored; among
 * equally specific ranges the highest q counts).  -1 when no range
 * matches.  With exact_only, only a range naming the type itself counts.
 * Types compare case-insensitively; malformed members (no '/', a bad
 * q-value) are skipped; a member without q has q=1.
 */
int			mm_accept_q(const char *accept, size_t len, const char *type, int exact_only);

/* The answer of mm_accept_image(). */
typedef enum mm_accept_image_choice
{
	MM_ACCEPT_AVIF = 0,			/* image/avif */
	MM_ACCEPT_WEBP,				/* image/webp */
	MM_ACCEPT_JPEG_OR_PNG,		/* JPEG, or PNG when the image has alpha */
	MM_ACCEPT_JPEG,				/* JPEG only (PNG is not acceptable) */
	MM_ACCEPT_PNG,				/* PNG only (JPEG is not acceptable) */
	MM_ACCEPT_NONE				/* none of them is acceptable */
} mm_accept_image_choice;

/*
 * The image format to answer an Accept value with (accept NULL: no Accept
 * header, so anything is acceptable: JPEG or PNG).  AVIF and WebP are
 * candidates only when named exactly (a client sending "* / *" may not
 * decode them), JPEG and PNG also through "image/ *" and "* / *".  The
 * candidate with the highest q wins; ties go to AVIF, then WebP, then
 * JPEG/PNG.  q=0 means not acceptable.
 */
mm_accept_image_choice mm_accept_image(const char *accept, size_t len);

#endif
