/*
 * util/base64.h - base64 decoding and encoding for pg_media (pure C, no PostgreSQL).
 *
 * The decoder accepts what applications actually send: the standard (+/) or
 * URL-safe (-_) alphabet, with or without '=' padding, ASCII whitespace and
 * newlines anywhere (PostgreSQL's own encode() output wraps at 76 columns),
 * and an optional "data:<type>[;param...];base64," prefix.  Anything else is
 * an error that names the offset of the first offending byte.
 */
#ifndef MM_UTIL_BASE64_H
#define MM_UTIL_BASE64_H

#include <stddef.h>
#include <stdint.h>

typedef enum mm_b64_status
{
	MM_B64_OK = 0,
	MM_B64_BAD_CHAR,		/* a byte outside the alphabet (err_offset names it) */
	MM_B64_BAD_PADDING,		/* '=' in the wrong place, or data after padding */
	MM_B64_BAD_LENGTH,		/* a final group of a single character */
	MM_B64_MIXED_ALPHABET	/* both '+' or '/' and '-' or '_' appear */
} mm_b64_status;

/* Upper bound on the decoded size of srclen input bytes (never overflows). */
size_t		mm_base64_decoded_max(size_t srclen);

/*
 * Decodes src[0..srclen) into out, which must hold mm_base64_decoded_max(srclen)
 * bytes.  Sets *outlen on success; on failure sets *err_offset to the offset in
 * src of the first byte that makes the input invalid (for BAD_LENGTH, the
 * offset of the dangling character).
 */
mm_b64_status mm_base64_decode(const char *src, size_t srclen,
							   uint8_t *out, size_t *outlen, size_t *err_offset);

/* A short English description of a status, e.g. "invalid character". */
const char *mm_base64_status_text(mm_b64_status status);

/* Length of the encoding of n bytes; SIZE_MAX if it would overflow. */
size_t		mm_base64_encoded_len(size_t n, int padded);

/* Encodes n bytes into out (mm_base64_encoded_len bytes, no NUL, no newlines). */
void		mm_base64_encode(const uint8_t *src, size_t n, char *out,
							 int url_safe, int padded);

#endif
