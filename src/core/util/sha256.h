/*
 * util/sha256.h - incremental SHA-256 whose state can be saved and restored.
 *
 * Resumable uploads hash each part as it arrives and keep the running state
 * in a table row between calls, so the state must be plain bytes.  Uses the
 * x86 SHA extensions when the CPU has them, portable C otherwise.
 */
#ifndef MM_UTIL_SHA256_H
#define MM_UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define MM_SHA256_DIGEST_LEN 32
#define MM_SHA256_STATE_LEN 108		/* bytes of a saved state */

typedef struct mm_sha256
{
	uint32_t	h[8];
	uint64_t	total;			/* bytes hashed so far */
	uint8_t		buf[64];		/* pending bytes: total % 64 of them */
} mm_sha256;

void		mm_sha256_init(mm_sha256 *ctx);
void		mm_sha256_update(mm_sha256 *ctx, const void *data, size_t len);
void		mm_sha256_final(mm_sha256 *ctx, uint8_t out[MM_SHA256_DIGEST_LEN]);

/*
 * One-shot digest of a buffer, called as mm_sha256(data, len, out).  C does
 * not let a function share the name of the mm_sha256 type, so the function
 * is mm_sha256_digest and the function-like macro (which only expands when
 * the name is followed by '(') keeps the short spelling.
 */
void		mm_sha256_digest(const void *data, size_t len, uint8_t out[MM_SHA256_DIGEST_LEN]);
#define mm_sha256(data, len, out) mm_sha256_digest((data), (len), (out))

/* Serializes ctx into exactly MM_SHA256_STATE_LEN bytes (portable byte order). */
void		mm_sha256_save(const mm_sha256 *ctx, uint8_t out[MM_SHA256_STATE_LEN]);

/* Restores a saved state; returns 0, or -1 if the bytes are not a saved state. */
int			mm_sha256_load(mm_sha256 *ctx, const uint8_t *in, size_t len);

/* "sha-ni" or "portable": which compression function this process uses. */
const char *mm_sha256_impl(void);

/*
 * For unit tests only: on != 0 makes this process use the portable code even
 * where SHA-NI is available, so the two can be compared; 0 restores the
 * normal choice.
 */
void		mm_sha256_force_portable(int on);

#endif
