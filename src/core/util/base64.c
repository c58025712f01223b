/*
 * util/base64.c - base64 decoding and encoding (pure C, no PostgreSQL).
 *
 * Decoding has two paths.  The fast path turns 4 alphabet characters into 3
 * bytes with one 32-bit table per character position: the four looked-up
 * words are ORed together, giving the 3 output bytes in memory order in the
 * low 24 bits and error/alphabet flags in the top byte.  It runs over
 * stretches free of whitespace and padding and checks the error bit once per
 * 16 characters.  Whatever it refuses (whitespace, '=', the tail, an invalid
 * byte) goes through the slow path, which handles one character at a time
 * and knows exact error offsets.  Both alphabets are accepted by the tables;
 * alphabet mixing is detected from flags and its offset found by a rescan.
 */
#include "util/base64.h"

#include <string.h>

/* Flags in the top byte of a decoding table word. */
#define B64_ERR		0x01000000u	/* not an alphabet character */
#define B64_STD		0x02000000u	/* '+' or '/': only in the standard alphabet */
#define B64_URL		0x04000000u	/* '-' or '_': only in the URL-safe alphabet */

/* The 6-bit value of character c in either alphabet, 64 if it has none. */
#define B64V(c) \
	((c) >= 'A' && (c) <= 'Z' ? (c) - 'A' : \
	 (c) >= 'a' && (c) <= 'z' ? (c) - 'a' + 26 : \
	 (c) >= '0' && (c) <= '9' ? (c) - '0' + 52 : \
	 (c) == '+' || (c) == '-' ? 62 : \
	 (c) == '/' || (c) == '_' ? 63 : 64)

/* The alphabet flag of character c. */
#define B64F(c) \
	((c) == '+' || (c) == '/' ? B64_STD : \
	 (c) == '-' || (c) == '_' ? B64_URL : 0u)

/*
 * Table words for a character in group position 0..3.  With the decoded
 * 24-bit group a:b:c:d (6 bits each), output byte 0 is a<<2|b>>4, byte 1 is
 * (b&15)<<4|c>>2 and byte 2 is (c&3)<<6|d; each position contributes its
 * bits to bytes 0..2 of a little-endian word.
 */
#define B64T0(c) (B64V(c) > 63 ? B64_ERR : \
	((uint32_t) B64V(c) << 2) | B64F(c))
#define B64T1(c) (B64V(c) > 63 ? B64_ERR : \
	((uint32_t) B64V(c) >> 4) | (((uint32_t) B64V(c) & 15) << 12) | B64F(c))
#define B64T2(c) (B64V(c) > 63 ? B64_ERR : \
	(((uint32_t) B64V(c) >> 2) << 8) | (((uint32_t) B64V(c) & 3) << 22) | B64F(c))
#define B64T3(c) (B64V(c) > 63 ? B64_ERR : \
	((uint32_t) B64V(c) << 16) | B64F(c))

#define B64ROW(F, b) \
	F((b) + 0), F((b) + 1), F((b) + 2), F((b) + 3), \
	F((b) + 4), F((b) + 5), F((b) + 6), F((b) + 7), \
	F((b) + 8), F((b) + 9), F((b) + 10), F((b) + 11), \
	F((b) + 12), F((b) + 13), F((b) + 14), F((b) + 15)
#define B64TABLE(F) \
	B64ROW(F, 0), B64ROW(F, 16), B64ROW(F, 32), B64ROW(F, 48), \
	B64ROW(F, 64), B64ROW(F, 80), B64ROW(F, 96), B64ROW(F, 112), \
	B64ROW(F, 128), B64ROW(F, 144), B64ROW(F, 160), B64ROW(F, 176), \
	B64ROW(F, 192), B64ROW(F, 208), B64ROW(F, 224), B64ROW(F, 240)

static const uint32_t b64_dec0[256] = {B64TABLE(B64T0)};
static const uint32_t b64_dec1[256] = {B64TABLE(B64T1)};
static const uint32_t b64_dec2[256] = {B64TABLE(B64T2)};
static const uint32_t b64_dec3[256] = {B64TABLE(B64T3)};

static const char b64_std_alphabet[64] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url_alphabet[64] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && \
	__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define B64_LITTLE_ENDIAN 1
#endif

/*
 * Bounds the decoded size: 3 bytes per full group of 4, 1 or 2 for a final
 * group of 2 or 3.  Divides before multiplying, so it cannot overflow.
 */
size_t
mm_base64_decoded_max(size_t srclen)
{
	return (srclen / 4) * 3 + ((srclen % 4) * 3) / 4;
}

/* True for the ASCII whitespace the decoder skips. */
static inline int
b64_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		c == '\f' || c == '\v';
}

/* ASCII lower-casing for the case-insensitive parts of a data: prefix. */
static inline unsigned char
b64_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char) (c + 32) : c;
}

/* Does s[0..n) equal the lower-case ASCII word w, ignoring case? */
static int
b64_equal_ci(const unsigned char *s, const char *w, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		if (b64_lower(s[i]) != (unsigned char) w[i])
			return 0;
	}
	return 1;
}

/*
 * Returns where the base64 text starts: after leading whitespace, and after
 * a "data:<anything but ','>;base64," prefix when there is one.  Anything
 * that only resembles a prefix is left to fail as base64 (at its ':').
 */
static size_t
b64_skip_prefix(const unsigned char *s, size_t len)
{
	size_t		i = 0;
	size_t		comma;

	while (i < len && b64_is_space(s[i]))
		i++;
	if (len - i < 5 || !b64_equal_ci(s + i, "data:", 5))
		return 0;
	for (comma = i + 5; comma < len && s[comma] != ','; comma++)
		;
	if (comma == len || comma - (i + 5) < 7 ||
		!b64_equal_ci(s + comma - 7, ";base64", 7))
		return 0;
	return comma + 1;
}

/*
 * Finds the first character of s[start..end) that belongs only to the
 * alphabet other than the one first used; returns end when there is none.
 */
static size_t
b64_find_mixed(const unsigned char *s, size_t start, size_t end)
{
	uint32_t	first = 0;
	size_t		i;

	for (i = start; i < end; i++)
	{
		uint32_t	f = B64F(s[i]);

		if (f == 0)
			continue;
		if (first == 0)
			first = f;
		else if (f != first)
			return i;
	}
	return end;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(B64_NO_AVX2)
#define B64_HAVE_AVX2_PATH 1
#include <immintrin.h>

/* Does this CPU have AVX2?  Asked once; the answer never changes. */
static int
b64_cpu_has_avx2(void)
{
	static int	known = -1;

	if (known < 0)
	{
		__builtin_cpu_init();
		known = __builtin_cpu_supports("avx2") ? 1 : 0;
	}
	return known;
}

/*
 * AVX2 fast path: decodes 32 characters into 24 bytes per step.  A block
 * with bytes outside the alphabets is decoded up to its last whole group
 * before the first such byte; when that byte starts a run of whitespace
 * at a group boundary (the line breaks of wrapped base64), the run is
 * skipped and the loop goes on, otherwise it stops and the scalar code
 * finds out what the byte is.  It writes 32 bytes per step, so it runs
 * only while 32 more output bytes fit.  Sets the alphabet flags of what it
 * decoded in *acc.
 */
__attribute__((target("avx2")))
static void
b64_decode_avx2(const unsigned char *s, size_t len, size_t *ip,
				uint8_t *out, size_t *op, size_t omax, uint32_t *acc)
{
	size_t		i = *ip;
	size_t		o = *op;
	const __m256i pack_pairs = _mm256_set1_epi32(0x01400140);
	const __m256i pack_quads = _mm256_set1_epi32(0x00011000);
	const __m256i order = _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,
										   2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
	const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 3, 7);
	uint32_t	std_seen = 0;
	uint32_t	url_seen = 0;

	while (len - i >= 32 && omax - o >= 32)
	{
		__m256i		v = _mm256_loadu_si256((const __m256i *) (s + i));
		__m256i		upper = _mm256_and_si256(_mm256_cmpgt_epi8(v, _mm256_set1_epi8('A' - 1)),
											 _mm256_cmpgt_epi8(_mm256_set1_epi8('Z' + 1), v));
		__m256i		lower = _mm256_and_si256(_mm256_cmpgt_epi8(v, _mm256_set1_epi8('a' - 1)),
											 _mm256_cmpgt_epi8(_mm256_set1_epi8('z' + 1), v));
		__m256i		digit = _mm256_and_si256(_mm256_cmpgt_epi8(v, _mm256_set1_epi8('0' - 1)),
											 _mm256_cmpgt_epi8(_mm256_set1_epi8('9' + 1), v));
		__m256i		plus = _mm256_cmpeq_epi8(v, _mm256_set1_epi8('+'));
		__m256i		slash = _mm256_cmpeq_epi8(v, _mm256_set1_epi8('/'));
		__m256i		minus = _mm256_cmpeq_epi8(v, _mm256_set1_epi8('-'));
		__m256i		under = _mm256_cmpeq_epi8(v, _mm256_set1_epi8('_'));
		__m256i		std = _mm256_or_si256(plus, slash);
		__m256i		url = _mm256_or_si256(minus, under);
		__m256i		valid = _mm256_or_si256(_mm256_or_si256(upper, lower),
											_mm256_or_si256(digit, _mm256_or_si256(std, url)));
		uint32_t	valid_bits = (uint32_t) _mm256_movemask_epi8(valid);
		uint32_t	keep_bits = 0xFFFFFFFFu;
		size_t		whole = 32;
		__m256i		shift;
		__m256i		packed;

		if (valid_bits != 0xFFFFFFFFu)
		{
			/* decode only the whole groups before the first foreign byte */
			whole = (size_t) __builtin_ctz(~valid_bits) & ~(size_t) 3;
			keep_bits = whole == 0 ? 0 : (0xFFFFFFFFu >> (32 - whole));
		}
		if (whole > 0)
		{
			std_seen |= (uint32_t) _mm256_movemask_epi8(std) & keep_bits;
			url_seen |= (uint32_t) _mm256_movemask_epi8(url) & keep_bits;

			/* character -> 6-bit value: add the offset of its class */
			shift = _mm256_and_si256(upper, _mm256_set1_epi8(-'A'));
			shift = _mm256_or_si256(shift, _mm256_and_si256(lower, _mm256_set1_epi8(26 - 'a')));
			shift = _mm256_or_si256(shift, _mm256_and_si256(digit, _mm256_set1_epi8(52 - '0')));
			shift = _mm256_or_si256(shift, _mm256_and_si256(plus, _mm256_set1_epi8(62 - '+')));
			shift = _mm256_or_si256(shift, _mm256_and_si256(minus, _mm256_set1_epi8(62 - '-')));
			shift = _mm256_or_si256(shift, _mm256_and_si256(slash, _mm256_set1_epi8(63 - '/')));
			shift = _mm256_or_si256(shift, _mm256_and_si256(under, _mm256_set1_epi8(63 - '_')));

			/* four sextets -> 24 bits per 32-bit word, then 12 bytes per lane */
			packed = _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_add_epi8(v, shift), pack_pairs),
									   pack_quads);
			packed = _mm256_shuffle_epi8(packed, order);
			packed = _mm256_permutevar8x32_epi32(packed, lanes);
			_mm256_storeu_si256((__m256i *) (out + o), packed);
			i += whole;
			o += whole / 4 * 3;
		}
		if (whole == 32)
			continue;
		/* at a group boundary: whitespace is skipped, anything else is the scalar code's */
		if ((size_t) __builtin_ctz(~valid_bits) != whole || !b64_is_space(s[i]))
			break;
		while (i < len && b64_is_space(s[i]))
			i++;
	}
	if (std_seen)
		*acc |= B64_STD;
	if (url_seen)
		*acc |= B64_URL;
	*ip = i;
	*op = o;
}
#endif

/*
 * Fast path: decodes whole groups at s[*ip..) while they contain only
 * alphabet characters, stopping at the first group that does not.  Uses
 * 4-byte stores, so it only runs while 4 more output bytes fit in omax.
 * Returns the ORed flags of the groups it decoded.
 */
static uint32_t
b64_decode_fast(const unsigned char *s, size_t len, size_t *ip,
				uint8_t *out, size_t *op, size_t omax)
{
	size_t		i = *ip;
	size_t		o = *op;
	uint32_t	acc = 0;

#ifdef B64_HAVE_AVX2_PATH
	if (b64_cpu_has_avx2())
		b64_decode_avx2(s, len, &i, out, &o, omax, &acc);
#endif

	/* 16 characters at a time, the error bit checked once */
	while (len - i >= 16 && omax - o >= 16)
	{
		uint32_t	w0 = b64_dec0[s[i]] | b64_dec1[s[i + 1]] |
			b64_dec2[s[i + 2]] | b64_dec3[s[i + 3]];
		uint32_t	w1 = b64_dec0[s[i + 4]] | b64_dec1[s[i + 5]] |
			b64_dec2[s[i + 6]] | b64_dec3[s[i + 7]];
		uint32_t	w2 = b64_dec0[s[i + 8]] | b64_dec1[s[i + 9]] |
			b64_dec2[s[i + 10]] | b64_dec3[s[i + 11]];
		uint32_t	w3 = b64_dec0[s[i + 12]] | b64_dec1[s[i + 13]] |
			b64_dec2[s[i + 14]] | b64_dec3[s[i + 15]];
		uint32_t	all = w0 | w1 | w2 | w3;

		if (all & B64_ERR)
			break;
#ifdef B64_LITTLE_ENDIAN
		memcpy(out + o, &w0, 4);
		memcpy(out + o + 3, &w1, 4);
		memcpy(out + o + 6, &w2, 4);
		memcpy(out + o + 9, &w3, 4);
#else
		out[o] = (uint8_t) w0;
		out[o + 1] = (uint8_t) (w0 >> 8);
		out[o + 2] = (uint8_t) (w0 >> 16);
		out[o + 3] = (uint8_t) w1;
		out[o + 4] = (uint8_t) (w1 >> 8);
		out[o + 5] = (uint8_t) (w1 >> 16);
		out[o + 6] = (uint8_t) w2;
		out[o + 7] = (uint8_t) (w2 >> 8);
		out[o + 8] = (uint8_t) (w2 >> 16);
		out[o + 9] = (uint8_t) w3;
		out[o + 10] = (uint8_t) (w3 >> 8);
		out[o + 11] = (uint8_t) (w3 >> 16);
#endif
		acc |= all;
		i += 16;
		o += 12;
	}

	/* then group by group up to the first group it cannot take */
	while (len - i >= 4 && omax - o >= 4)
	{
		uint32_t	w = b64_dec0[s[i]] | b64_dec1[s[i + 1]] |
			b64_dec2[s[i + 2]] | b64_dec3[s[i + 3]];

		if (w & B64_ERR)
			break;
#ifdef B64_LITTLE_ENDIAN
		memcpy(out + o, &w, 4);
#else
		out[o] = (uint8_t) w;
		out[o + 1] = (uint8_t) (w >> 8);
		out[o + 2] = (uint8_t) (w >> 16);
#endif
		acc |= w;
		i += 4;
		o += 3;
	}
	*ip = i;
	*op = o;
	return acc;
}

/* Writes the bytes of a final group of n (2 or 3) sextets. */
static size_t
b64_emit_partial(const uint8_t q[4], int n, uint8_t *out)
{
	out[0] = (uint8_t) ((q[0] << 2) | (q[1] >> 4));
	if (n == 2)
		return 1;
	out[1] = (uint8_t) (((q[1] & 15) << 4) | (q[2] >> 2));
	return 2;
}

/*
 * Checks what follows a final group's first '=' at s[i]: the second '='
 * when the group has 2 characters, then only whitespace.  Returns OK or
 * BAD_PADDING with *err set.
 */
static mm_b64_status
b64_check_padding(const unsigned char *s, size_t len, size_t i, int n,
				  size_t *err)
{
	size_t		j = i + 1;

	if (n == 2)
	{
		while (j < len && b64_is_space(s[j]))
			j++;
		if (j == len)
		{
			*err = i;			/* "==" cut short: the lone '=' is wrong */
			return MM_B64_BAD_PADDING;
		}
		if (s[j] != '=')
		{
			*err = j;
			return MM_B64_BAD_PADDING;
		}
		j++;
	}
	for (; j < len; j++)
	{
		if (!b64_is_space(s[j]))
		{
			*err = j;
			return MM_B64_BAD_PADDING;
		}
	}
	return MM_B64_OK;
}

/*
 * Decodes, ignoring alphabet mixing (the caller checks that).  Alternates
 * the fast path with the slow path, which takes one character at a time
 * until it has completed a group, so the fast path resumes group-aligned.
 * On error returns the status with *err set to the offending offset.
 */
static mm_b64_status
b64_decode_mixed_ok(const unsigned char *s, size_t len, size_t start,
					uint8_t *out, size_t *outlen, size_t *err,
					uint32_t *flags)
{
	size_t		omax = mm_base64_decoded_max(len);
	size_t		i = start;
	size_t		o = 0;
	size_t		group_start = 0;
	uint32_t	acc = 0;
	uint8_t		q[4];
	int			n = 0;

	for (;;)
	{
		acc |= b64_decode_fast(s, len, &i, out, &o, omax);

		/* slow path: to the end of the next group (or the input) */
		for (; i < len; i++)
		{
			unsigned char c = s[i];
			uint32_t	w = b64_dec3[c];

			if (!(w & B64_ERR))
			{
				if (n == 0)
					group_start = i;
				q[n++] = (uint8_t) (w >> 16);
				acc |= w;
				if (n == 4)
				{
					out[o] = (uint8_t) ((q[0] << 2) | (q[1] >> 4));
					out[o + 1] = (uint8_t) (((q[1] & 15) << 4) | (q[2] >> 2));
					out[o + 2] = (uint8_t) (((q[2] & 3) << 6) | q[3]);
					o += 3;
					n = 0;
					i++;
					break;
				}
			}
			else if (b64_is_space(c))
			{
				/* between groups (a line break): back to the fast path */
				if (n == 0)
				{
					while (i < len && b64_is_space(s[i]))
						i++;
					break;
				}
				continue;
			}
			else if (c == '=')
			{
				mm_b64_status st;

				if (n < 2)
				{
					*err = i;	/* no group, or one of 1 char, needs no '=' */
					*flags = acc;
					return MM_B64_BAD_PADDING;
				}
				st = b64_check_padding(s, len, i, n, err);
				*flags = acc;
				if (st != MM_B64_OK)
					return st;
				o += b64_emit_partial(q, n, out + o);
				*outlen = o;
				return MM_B64_OK;
			}
			else
			{
				*err = i;
				*flags = acc;
				return MM_B64_BAD_CHAR;
			}
		}
		if (i >= len)
			break;
	}

	*flags = acc;
	if (n == 1)
	{
		*err = group_start;
		return MM_B64_BAD_LENGTH;
	}
	if (n > 1)
		o += b64_emit_partial(q, n, out + o);
	*outlen = o;
	return MM_B64_OK;
}

/*
 * Decodes base64 text as documented in util/base64.h.  Any error that the
 * main pass finds is checked against an earlier alphabet mix, so err_offset
 * always names the first offending byte.
 */
mm_b64_status
mm_base64_decode(const char *src, size_t srclen,
				 uint8_t *out, size_t *outlen, size_t *err_offset)
{
	const unsigned char *s = (const unsigned char *) src;
	size_t		start;
	size_t		err = 0;
	size_t		n = 0;
	size_t		mixed;
	uint32_t	flags = 0;
	mm_b64_status st;

	*outlen = 0;
	*err_offset = 0;
	if (srclen == 0)
		return MM_B64_OK;

	start = b64_skip_prefix(s, srclen);
	st = b64_decode_mixed_ok(s, srclen, start, out, &n, &err, &flags);
	if (st != MM_B64_OK || ((flags & B64_STD) && (flags & B64_URL)))
	{
		/*
		 * Alphabet characters up to the error count, and so does a dangling
		 * final character (BAD_LENGTH), which is one too.
		 */
		size_t		scan_end = st == MM_B64_OK ? srclen :
			(st == MM_B64_BAD_LENGTH ? err + 1 : err);

		mixed = b64_find_mixed(s, start, scan_end);
		if (mixed < scan_end)
		{
			*err_offset = mixed;
			return MM_B64_MIXED_ALPHABET;
		}
	}
	if (st != MM_B64_OK)
	{
		*err_offset = err;
		return st;
	}
	*outlen = n;
	return MM_B64_OK;
}

/* Describes a decoding status for error messages. */
const char *
mm_base64_status_text(mm_b64_status status)
{
	switch (status)
	{
		case MM_B64_OK:
			return "ok";
		case MM_B64_BAD_CHAR:
			return "invalid character";
		case MM_B64_BAD_PADDING:
			return "invalid padding";
		case MM_B64_BAD_LENGTH:
			return "invalid length (a final group of one character)";
		case MM_B64_MIXED_ALPHABET:
			return "mixed standard and URL-safe alphabets";
	}
	return "unknown error";
}

/*
 * Length of the encoding of n bytes: 4 per 3 (padded), or 2 or 3 characters
 * for a final 1 or 2 bytes unpadded.  SIZE_MAX when it does not fit.
 */
size_t
mm_base64_encoded_len(size_t n, int padded)
{
	size_t		groups = n / 3;
	size_t		rem = n % 3;
	size_t		tail;

	tail = rem == 0 ? 0 : (padded ? 4 : rem + 1);
	if (groups > SIZE_MAX / 4 || tail > SIZE_MAX - groups * 4)
		return SIZE_MAX;
	return groups * 4 + tail;
}

/*
 * Encodes 3 bytes to 4 characters at a time, then the final 1 or 2 bytes
 * with or without padding.
 */
void
mm_base64_encode(const uint8_t *src, size_t n, char *out,
				 int url_safe, int padded)
{
	const char *a = url_safe ? b64_url_alphabet : b64_std_alphabet;
	size_t		i = 0;
	size_t		o = 0;

	for (; n - i >= 3; i += 3)
	{
		uint32_t	v = ((uint32_t) src[i] << 16) |
			((uint32_t) src[i + 1] << 8) | src[i + 2];

		out[o] = a[v >> 18];
		out[o + 1] = a[(v >> 12) & 63];
		out[o + 2] = a[(v >> 6) & 63];
		out[o + 3] = a[v & 63];
		o += 4;
	}
	if (n - i == 1)
	{
		out[o++] = a[src[i] >> 2];
		out[o++] = a[(src[i] & 3) << 4];
		if (padded)
		{
			out[o++] = '=';
			out[o++] = '=';
		}
	}
	else if (n - i == 2)
	{
		out[o++] = a[src[i] >> 2];
		out[o++] = a[((src[i] & 3) << 4) | (src[i + 1] >> 4)];
		out[o++] = a[(src[i + 1] & 15) << 2];
		if (padded)
			out[o++] = '=';
	}
}
