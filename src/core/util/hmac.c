/*
 * util/hmac.c - HMAC-SHA256 and a constant-time comparison (util/hmac.h).
 */
#include "util/hmac.h"

#include <string.h>

/* Overwrites secret bytes in a way the compiler may not drop. */
static void
wipe(void *p, size_t n)
{
	volatile uint8_t *v = p;

	while (n--)
		*v++ = 0;
}

/*
 * HMAC(K, m) = H((K' ^ opad) || H((K' ^ ipad) || m)), K' the key padded
 * to a block (a key longer than a block is hashed first).
 */
void
mm_hmac_sha256_init(mm_hmac_ctx *ctx, const void *key, size_t key_len)
{
	uint8_t		block[MM_HMAC_BLOCK] = {0};
	uint8_t		inner_pad[MM_HMAC_BLOCK];
	size_t		i;

	if (key_len > MM_HMAC_BLOCK)
		mm_sha256(key, key_len, block);
	else if (key_len > 0)
		memcpy(block, key, key_len);
	for (i = 0; i < MM_HMAC_BLOCK; i++)
	{
		inner_pad[i] = block[i] ^ 0x36;
		ctx->outer_pad[i] = block[i] ^ 0x5c;
	}
	mm_sha256_init(&ctx->inner);
	mm_sha256_update(&ctx->inner, inner_pad, MM_HMAC_BLOCK);
	wipe(block, sizeof(block));
	wipe(inner_pad, sizeof(inner_pad));
}

/* Adds message bytes. */
void
mm_hmac_sha256_update(mm_hmac_ctx *ctx, const void *data, size_t len)
{
	mm_sha256_update(&ctx->inner, data, len);
}

/* Finishes the outer hash; the context (key material) is wiped. */
void
mm_hmac_sha256_final(mm_hmac_ctx *ctx, uint8_t out[MM_SHA256_DIGEST_LEN])
{
	uint8_t		inner[MM_SHA256_DIGEST_LEN];
	mm_sha256	outer;

	mm_sha256_final(&ctx->inner, inner);
	mm_sha256_init(&outer);
	mm_sha256_update(&outer, ctx->outer_pad, MM_HMAC_BLOCK);
	mm_sha256_update(&outer, inner, sizeof(inner));
	mm_sha256_final(&outer, out);
	wipe(inner, sizeof(inner));
	wipe(ctx, sizeof(*ctx));
}

/* One-shot HMAC-SHA256. */
void
mm_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
			   uint8_t out[MM_SHA256_DIGEST_LEN])
{
	mm_hmac_ctx ctx;

	mm_hmac_sha256_init(&ctx, key, key_len);
	mm_hmac_sha256_update(&ctx, msg, msg_len);
	mm_hmac_sha256_final(&ctx, out);
}

/* Compares without an early exit; see util/hmac.h. */
int
mm_equal_const_time(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a;
	const volatile uint8_t *y = b;
	uint8_t		diff = 0;
	size_t		i;

	for (i = 0; i < n; i++)
		diff |= x[i] ^ y[i];
	return diff == 0;
}
