/*
 * util/hmac.h - HMAC-SHA256 (RFC 2104, FIPS 198-1) over the core's SHA-256,
 * one-shot or fed in pieces, and a comparison of secrets whose time does
 * not depend on where they differ.  Used to sign and check the URLs of
 * pg_media serve (util/signed_url.h).
 */
#ifndef MM_UTIL_HMAC_H
#define MM_UTIL_HMAC_H

#include <stddef.h>
#include <stdint.h>

#include "util/sha256.h"

#define MM_HMAC_BLOCK 64		/* SHA-256's block size */

/* An HMAC-SHA256 in progress. */
typedef struct mm_hmac_ctx
{
	mm_sha256	inner;			/* H((K' ^ ipad) || message so far) */
	uint8_t		outer_pad[MM_HMAC_BLOCK];	/* K' ^ opad */
} mm_hmac_ctx;

/* Starts an HMAC under key[0..key_len) (any length). */
void		mm_hmac_sha256_init(mm_hmac_ctx *ctx, const void *key, size_t key_len);

/* Adds message bytes. */
void		mm_hmac_sha256_update(mm_hmac_ctx *ctx, const void *data, size_t len);

/* Writes the MAC and wipes ctx. */
void		mm_hmac_sha256_final(mm_hmac_ctx *ctx, uint8_t out[MM_SHA256_DIGEST_LEN]);

/* HMAC-SHA256 of msg[0..msg_len) under key[0..key_len), in one call. */
void		mm_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
						   uint8_t out[MM_SHA256_DIGEST_LEN]);

/*
 * Returns 1 when a[0..n) equals b[0..n), else 0, reading every byte of both
 * whatever they hold, so the time taken tells nothing about where they differ.
 */
int			mm_equal_const_time(const void *a, const void *b, size_t n);

#endif
