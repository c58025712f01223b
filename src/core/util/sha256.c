/*
 * util/sha256.c - incremental SHA-256 (FIPS 180-4) with a savable state.
 *
 * Two compression functions: portable C, and the x86-64 SHA extensions
 * (SHA-NI), compiled with a target attribute so the rest of the file needs
 * no special flags.  The choice is made once, at first use, from the CPU's
 * feature bits; that probe is the file's only mutable global state (plus a
 * switch the unit tests use to compare the two implementations).
 */
#include "util/sha256.h"

#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define MM_SHA_NI 1
#include <cpuid.h>
#include <immintrin.h>
#endif

static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

static const uint8_t sha256_magic[4] = {'M', 'M', 'S', '1'};

typedef void (*sha256_blocks_fn) (uint32_t h[8], const uint8_t *p, size_t nblocks);

/* Reads a big-endian 32-bit word. */
static inline uint32_t
sha256_load_be32(const uint8_t *p)
{
	return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) |
		((uint32_t) p[2] << 8) | p[3];
}

/* Writes a big-endian 32-bit word. */
static inline void
sha256_store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t) (v >> 24);
	p[1] = (uint8_t) (v >> 16);
	p[2] = (uint8_t) (v >> 8);
	p[3] = (uint8_t) v;
}

/* Rotates a 32-bit word right by n (0 < n < 32). */
static inline uint32_t
sha256_ror(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

/*
 * Portable compression of nblocks 64-byte blocks: the FIPS 180-4 round
 * function with a 16-word rolling message schedule.
 */
static void
sha256_blocks_portable(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
	while (nblocks--)
	{
		uint32_t	w[16];
		uint32_t	a = h[0],
					b = h[1],
					c = h[2],
					d = h[3],
					e = h[4],
					f = h[5],
					g = h[6],
					hh = h[7];
		int			t;

		for (t = 0; t < 64; t++)
		{
			uint32_t	wt;
			uint32_t	t1;
			uint32_t	t2;

			if (t < 16)
				wt = w[t] = sha256_load_be32(p + 4 * t);
			else
			{
				uint32_t	w15 = w[(t - 15) & 15];
				uint32_t	w2 = w[(t - 2) & 15];
				uint32_t	s0 = sha256_ror(w15, 7) ^ sha256_ror(w15, 18) ^ (w15 >> 3);
				uint32_t	s1 = sha256_ror(w2, 17) ^ sha256_ror(w2, 19) ^ (w2 >> 10);

				wt = w[t & 15] = w[t & 15] + s0 + w[(t - 7) & 15] + s1;
			}
			t1 = hh + (sha256_ror(e, 6) ^ sha256_ror(e, 11) ^ sha256_ror(e, 25)) +
				((e & f) ^ (~e & g)) + sha256_k[t] + wt;
			t2 = (sha256_ror(a, 2) ^ sha256_ror(a, 13) ^ sha256_ror(a, 22)) +
				((a & b) ^ (a & c) ^ (b & c));
			hh = g;
			g = f;
			f = e;
			e = d + t1;
			d = c;
			c = b;
			b = a;
			a = t1 + t2;
		}
		h[0] += a;
		h[1] += b;
		h[2] += c;
		h[3] += d;
		h[4] += e;
		h[5] += f;
		h[6] += g;
		h[7] += hh;
		p += 64;
	}
}

#ifdef MM_SHA_NI

/*
 * Four rounds with the SHA-NI instructions: msg holds W[t..t+3], and ki the
 * index of K[t].  sha256rnds2 does two rounds on the low half, so the high
 * half is shuffled down for the second pair.
 */
#define SHANI_ROUNDS4(msg, ki) \
	do { \
		__m128i		m_ = _mm_add_epi32((msg), \
			_mm_loadu_si128((const __m128i *) (sha256_k + (ki)))); \
		st1 = _mm_sha256rnds2_epu32(st1, st0, m_); \
		m_ = _mm_shuffle_epi32(m_, 0x0E); \
		st0 = _mm_sha256rnds2_epu32(st0, st1, m_); \
	} while (0)

/*
 * Next 4 message words from the previous 16 (m0 oldest .. m3 newest):
 * W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16].
 */
#define SHANI_SCHEDULE(m0, m1, m2, m3) \
	_mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32((m0), (m1)), \
									   _mm_alignr_epi8((m3), (m2), 4)), (m3))

/*
 * SHA-NI compression of nblocks 64-byte blocks.  The state lives in two
 * registers in the ABEF/CDGH order the instructions expect.
 */
__attribute__((target("sha,sse4.1")))
static void
sha256_blocks_shani(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
	const __m128i bswap = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11,
									   4, 5, 6, 7, 0, 1, 2, 3);
	__m128i		st0;
	__m128i		st1;
	__m128i		tmp;

	/* h[0..3] = DCBA, h[4..7] = HGFE (lane 0 first) -> ABEF, CDGH */
	tmp = _mm_loadu_si128((const __m128i *) &h[0]);
	st1 = _mm_loadu_si128((const __m128i *) &h[4]);
	tmp = _mm_shuffle_epi32(tmp, 0xB1);		/* CDAB */
	st1 = _mm_shuffle_epi32(st1, 0x1B);		/* EFGH */
	st0 = _mm_alignr_epi8(tmp, st1, 8);		/* ABEF */
	st1 = _mm_blend_epi16(st1, tmp, 0xF0);	/* CDGH */

	while (nblocks--)
	{
		__m128i		save0 = st0;
		__m128i		save1 = st1;
		__m128i		m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) p), bswap);
		__m128i		m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) (p + 16)), bswap);
		__m128i		m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) (p + 32)), bswap);
		__m128i		m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) (p + 48)), bswap);
		int			t;

		SHANI_ROUNDS4(m0, 0);
		SHANI_ROUNDS4(m1, 4);
		SHANI_ROUNDS4(m2, 8);
		SHANI_ROUNDS4(m3, 12);
		for (t = 16; t < 64; t += 16)
		{
			m0 = SHANI_SCHEDULE(m0, m1, m2, m3);
			SHANI_ROUNDS4(m0, t);
			m1 = SHANI_SCHEDULE(m1, m2, m3, m0);
			SHANI_ROUNDS4(m1, t + 4);
			m2 = SHANI_SCHEDULE(m2, m3, m0, m1);
			SHANI_ROUNDS4(m2, t + 8);
			m3 = SHANI_SCHEDULE(m3, m0, m1, m2);
			SHANI_ROUNDS4(m3, t + 12);
		}
		st0 = _mm_add_epi32(st0, save0);
		st1 = _mm_add_epi32(st1, save1);
		p += 64;
	}

	/* ABEF, CDGH -> DCBA, HGFE */
	tmp = _mm_shuffle_epi32(st0, 0x1B);		/* FEBA */
	st1 = _mm_shuffle_epi32(st1, 0xB1);		/* DCHG */
	st0 = _mm_blend_epi16(tmp, st1, 0xF0);	/* DCBA */
	st1 = _mm_alignr_epi8(st1, tmp, 8);		/* HGFE */
	_mm_storeu_si128((__m128i *) &h[0], st0);
	_mm_storeu_si128((__m128i *) &h[4], st1);
}
#endif							/* MM_SHA_NI */

/*
 * The one-time CPU probe: 0 = not yet probed, 1 = portable, 2 = SHA-NI.
 * Probing twice gives the same answer, so a race between threads is benign.
 */
static int	sha256_probe_result;
static int	sha256_portable_forced;

/* Probes the CPU once and returns the SHA-NI/portable choice. */
static int
sha256_probe(void)
{
	if (sha256_probe_result == 0)
	{
		int			r = 1;

#ifdef MM_SHA_NI
		unsigned int eax,
					ebx,
					ecx,
					edx;

		/* CPUID.1:ECX bit 19 = SSE4.1, CPUID.(7,0):EBX bit 29 = SHA */
		if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & (1u << 19)) &&
			__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) &&
			(ebx & (1u << 29)))
			r = 2;
#endif
		sha256_probe_result = r;
	}
	return sha256_probe_result;
}

/* Compresses nblocks blocks with the implementation chosen for this CPU. */
static void
sha256_blocks(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
#ifdef MM_SHA_NI
	if (!sha256_portable_forced && sha256_probe() == 2)
	{
		sha256_blocks_shani(h, p, nblocks);
		return;
	}
#endif
	sha256_blocks_portable(h, p, nblocks);
}

/* For tests: makes this process use the portable code (on != 0) or not. */
void
mm_sha256_force_portable(int on)
{
	sha256_portable_forced = on;
}

/* Names the compression function in use. */
const char *
mm_sha256_impl(void)
{
#ifdef MM_SHA_NI
	if (!sha256_portable_forced && sha256_probe() == 2)
		return "sha-ni";
#endif
	return "portable";
}

/* Starts a hash with the FIPS 180-4 initial values. */
void
mm_sha256_init(mm_sha256 *ctx)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
	};

	memcpy(ctx->h, iv, sizeof(iv));
	ctx->total = 0;
	memset(ctx->buf, 0, sizeof(ctx->buf));
}

/*
 * Adds len bytes: tops up the pending block, compresses whole blocks
 * straight from data, keeps the rest pending.
 */
void
mm_sha256_update(mm_sha256 *ctx, const void *data, size_t len)
{
	const uint8_t *p = (const uint8_t *) data;
	size_t		used = (size_t) (ctx->total % 64);

	if (len == 0)
		return;
	ctx->total += (uint64_t) len;
	if (used > 0)
	{
		size_t		take = 64 - used;

		if (take > len)
			take = len;
		memcpy(ctx->buf + used, p, take);
		p += take;
		len -= take;
		if (used + take < 64)
			return;
		sha256_blocks(ctx->h, ctx->buf, 1);
	}
	if (len >= 64)
	{
		sha256_blocks(ctx->h, p, len / 64);
		p += len - len % 64;
		len %= 64;
	}
	if (len > 0)
		memcpy(ctx->buf, p, len);
}

/*
 * Pads with 0x80, zeros and the bit length, writes the digest and wipes
 * the context.
 */
void
mm_sha256_final(mm_sha256 *ctx, uint8_t out[MM_SHA256_DIGEST_LEN])
{
	size_t		used = (size_t) (ctx->total % 64);
	uint64_t	bits = ctx->total * 8;	/* the length mod 2^64, as FIPS 180-4 */
	int			i;

	ctx->buf[used++] = 0x80;
	if (used > 56)
	{
		memset(ctx->buf + used, 0, 64 - used);
		sha256_blocks(ctx->h, ctx->buf, 1);
		used = 0;
	}
	memset(ctx->buf + used, 0, 56 - used);
	for (i = 0; i < 8; i++)
		ctx->buf[56 + i] = (uint8_t) (bits >> (56 - 8 * i));
	sha256_blocks(ctx->h, ctx->buf, 1);
	for (i = 0; i < 8; i++)
		sha256_store_be32(out + 4 * i, ctx->h[i]);
	memset(ctx, 0, sizeof(*ctx));
}

/* Hashes one buffer (callers spell it mm_sha256(), see util/sha256.h). */
void
mm_sha256_digest(const void *data, size_t len, uint8_t out[MM_SHA256_DIGEST_LEN])
{
	mm_sha256	ctx;

	mm_sha256_init(&ctx);
	mm_sha256_update(&ctx, data, len);
	mm_sha256_final(&ctx, out);
}

/*
 * Saves "MMS1", h[8] and total big-endian, then the 64-byte buffer with the
 * bytes past the pending ones zeroed, so equal states save equal bytes.
 */
void
mm_sha256_save(const mm_sha256 *ctx, uint8_t out[MM_SHA256_STATE_LEN])
{
	size_t		used = (size_t) (ctx->total % 64);
	int			i;

	memcpy(out, sha256_magic, 4);
	for (i = 0; i < 8; i++)
		sha256_store_be32(out + 4 + 4 * i, ctx->h[i]);
	sha256_store_be32(out + 36, (uint32_t) (ctx->total >> 32));
	sha256_store_be32(out + 40, (uint32_t) ctx->total);
	memcpy(out + 44, ctx->buf, used);
	memset(out + 44 + used, 0, 64 - used);
}

/* Restores a state written by mm_sha256_save after checking length and magic. */
int
mm_sha256_load(mm_sha256 *ctx, const uint8_t *in, size_t len)
{
	int			i;

	if (in == NULL || len != MM_SHA256_STATE_LEN ||
		memcmp(in, sha256_magic, 4) != 0)
		return -1;
	for (i = 0; i < 8; i++)
		ctx->h[i] = sha256_load_be32(in + 4 + 4 * i);
	ctx->total = ((uint64_t) sha256_load_be32(in + 36) << 32) |
		sha256_load_be32(in + 40);
	memcpy(ctx->buf, in + 44, 64);
	return 0;
}
