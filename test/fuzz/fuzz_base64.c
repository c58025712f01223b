/*
 * fuzz_base64.c - libFuzzer harness for the base64 decoder and encoder.
 *
 * 1. Decodes the input into a buffer of exactly mm_base64_decoded_max bytes
 *    (so ASan sees any overrun) and compares status, error offset and output
 *    with a deliberately simple character-at-a-time reference decoder that
 *    implements the rules of util/base64.h independently of the fast path.
 * 2. Encodes the input in all four modes and checks that decoding gives it
 *    back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/base64.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reference: whitespace as the decoder defines it. */
static int
ref_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Reference: the value of c, and which alphabet it needs (1 std, 2 url). */
static int
ref_value(uint8_t c, int *alpha)
{
	*alpha = 0;
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '/')
		*alpha = 1;
	if (c == '-' || c == '_')
		*alpha = 2;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Reference: case-insensitive match of s with a lower-case word. */
static int
ref_ieq(const uint8_t *s, const char *w, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		uint8_t		c = s[i];

		if (c >= 'A' && c <= 'Z')
			c += 32;
		if (c != (uint8_t) w[i])
			return 0;
	}
	return 1;
}

/* Reference: where the base64 text starts (after a data: prefix). */
static size_t
ref_prefix(const uint8_t *s, size_t n)
{
	size_t		i = 0;
	size_t		j;

	while (i < n && ref_space(s[i]))
		i++;
	if (n - i < 5 || !ref_ieq(s + i, "data:", 5))
		return 0;
	for (j = i + 5; j < n; j++)
	{
		if (s[j] == ',')
			break;
	}
	if (j == n || j < i + 5 + 7 || !ref_ieq(s + j - 7, ";base64", 7))
		return 0;
	return j + 1;
}

/* Reference decoder: one character at a time, checking everything in order. */
static mm_b64_status
ref_decode(const uint8_t *s, size_t n, uint8_t *out, size_t *outlen, size_t *err)
{
	int			q[4];
	int			k = 0;
	int			first_alpha = 0;
	size_t		gstart = 0;
	size_t		o = 0;
	size_t		i;

	for (i = ref_prefix(s, n); i < n; i++)
	{
		int			alpha;
		int			v;

		if (ref_space(s[i]))
			continue;
		if (s[i] == '=')
		{
			size_t		j = i + 1;

			if (k < 2)
			{
				*err = i;
				return MM_B64_BAD_PADDING;
			}
			if (k == 2)
			{
				while (j < n && ref_space(s[j]))
					j++;
				if (j == n)
				{
					*err = i;
					return MM_B64_BAD_PADDING;
				}
				if (s[j] != '=')
				{
					*err = j;
					return MM_B64_BAD_PADDING;
				}
				j++;
			}
			for (; j < n; j++)
			{
				if (!ref_space(s[j]))
				{
					*err = j;
					return MM_B64_BAD_PADDING;
				}
			}
			break;
		}
		v = ref_value(s[i], &alpha);
		if (v < 0)
		{
			*err = i;
			return MM_B64_BAD_CHAR;
		}
		if (alpha != 0)
		{
			if (first_alpha != 0 && alpha != first_alpha)
			{
				*err = i;
				return MM_B64_MIXED_ALPHABET;
			}
			first_alpha = alpha;
		}
		if (k == 0)
			gstart = i;
		q[k++] = v;
		if (k == 4)
		{
			out[o++] = (uint8_t) ((q[0] << 2) | (q[1] >> 4));
			out[o++] = (uint8_t) ((q[1] << 4) | (q[2] >> 2));
			out[o++] = (uint8_t) ((q[2] << 6) | q[3]);
			k = 0;
		}
	}
	if (k == 1)
	{
		*err = gstart;
		return MM_B64_BAD_LENGTH;
	}
	if (k >= 2)
		out[o++] = (uint8_t) ((q[0] << 2) | (q[1] >> 4));
	if (k == 3)
		out[o++] = (uint8_t) ((q[1] << 4) | (q[2] >> 2));
	*outlen = o;
	return MM_B64_OK;
}

/* Decodes the input with both decoders and encodes/decodes it in 4 modes. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t		max = mm_base64_decoded_max(size);
	uint8_t    *out = malloc(max ? max : 1);
	uint8_t    *ref = malloc(max ? max : 1);
	size_t		outlen = 0;
	size_t		reflen = 0;
	size_t		err = 0;
	size_t		referr = 0;
	mm_b64_status st;
	mm_b64_status refst;
	int			mode;

	if (out == NULL || ref == NULL)
		abort();
	st = mm_base64_decode((const char *) data, size, out, &outlen, &err);
	refst = ref_decode(data, size, ref, &reflen, &referr);
	if (st != refst)
		abort();
	if (st == MM_B64_OK)
	{
		if (outlen > max || outlen != reflen || memcmp(out, ref, outlen) != 0)
			abort();
	}
	else if (err >= size || err != referr)
		abort();
	free(out);
	free(ref);

	for (mode = 0; mode < 4; mode++)
	{
		int			url = mode & 1;
		int			padded = mode >> 1;
		size_t		elen = mm_base64_encoded_len(size, padded);
		char	   *enc = malloc(elen ? elen : 1);
		uint8_t    *back;

		if (enc == NULL)
			abort();
		mm_base64_encode(data, size, enc, url, padded);
		back = malloc(mm_base64_decoded_max(elen) ? mm_base64_decoded_max(elen) : 1);
		if (back == NULL)
			abort();
		if (mm_base64_decode(enc, elen, back, &outlen, &err) != MM_B64_OK ||
			outlen != size || (size > 0 && memcmp(back, data, size) != 0))
			abort();
		free(back);
		free(enc);
	}
	return 0;
}
