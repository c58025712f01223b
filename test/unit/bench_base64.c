/*
 * bench_base64.c - micro-benchmark of the base64 decoder and encoder.
 *
 * Not a test (the Makefile runs only test_*.c).  Build and run with:
 *   cc -O2 -std=c99 -I../../src/core -o /tmp/bench_base64 bench_base64.c \
 *      ../../src/core/util/base64.c && /tmp/bench_base64 [MB]
 * Decodes MB (default 12) of base64 text, unwrapped and wrapped at 76
 * columns as PostgreSQL's encode() writes it, and for comparison runs a
 * copy of the character-at-a-time loop of PostgreSQL's decode(x, 'base64').
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/base64.h"

/* Seconds since an arbitrary point. */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* PostgreSQL's b64_decode (src/backend/utils/adt/encode.c), errors elided. */
static size_t
pg_style_decode(const char *src, size_t len, unsigned char *dst)
{
	static signed char lookup[256];
	static int	init;
	const char *srcend = src + len,
			   *s = src;
	unsigned char *p = dst;
	char		c;
	int			b = 0;
	unsigned long buf = 0;
	int			pos = 0,
				end = 0;

	if (!init)
	{
		const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		int			i;

		memset(lookup, -1, sizeof(lookup));
		for (i = 0; i < 64; i++)
			lookup[(unsigned char) a[i]] = (signed char) i;
		init = 1;
	}
	while (s < srcend)
	{
		c = *s++;
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			continue;
		if (c == '=')
		{
			if (!end)
			{
				if (pos == 2)
					end = 1;
				else if (pos == 3)
					end = 2;
				else
					return 0;
			}
			b = 0;
		}
		else
		{
			b = -1;
			if (c > 0 && c < 127)
				b = lookup[(unsigned char) c];
			if (b < 0)
				return 0;
		}
		buf = (buf << 6) + b;
		pos++;
		if (pos == 4)
		{
			*p++ = (buf >> 16) & 255;
			if (end == 0 || end > 1)
				*p++ = (buf >> 8) & 255;
			if (end == 0 || end > 2)
				*p++ = buf & 255;
			buf = 0;
			pos = 0;
		}
	}
	return p - dst;
}

/* Runs one decoder over text several times and prints the best MB/s. */
static void
bench(const char *what, const char *text, size_t tlen, uint8_t *out,
	  size_t want, int pg)
{
	double		best = 1e9;
	int			r;

	for (r = 0; r < 7; r++)
	{
		size_t		n = 0;
		size_t		err = 0;
		double		t0 = now();

		if (pg)
			n = pg_style_decode(text, tlen, out);
		else if (mm_base64_decode(text, tlen, out, &n, &err) != MM_B64_OK)
		{
			printf("%s: decode failed at %zu\n", what, err);
			return;
		}
		t0 = now() - t0;
		if (n != want)
		{
			printf("%s: wrong length %zu\n", what, n);
			return;
		}
		if (t0 < best)
			best = t0;
	}
	printf("%-44s %8.0f MB/s of base64 text (%.2f ms)\n", what,
		   tlen / best / 1e6, best * 1e3);
}

int
main(int argc, char **argv)
{
	size_t		mb = argc > 1 ? (size_t) atoi(argv[1]) : 12;
	size_t		tlen = mb * 1000 * 1000;
	size_t		n = tlen / 4 * 3;
	uint8_t    *data = malloc(n);
	size_t		elen = mm_base64_encoded_len(n, 1);
	char	   *enc = malloc(elen);
	char	   *wrapped = malloc(elen + elen / 76 + 1);
	uint8_t    *out = malloc(mm_base64_decoded_max(elen + elen / 76 + 1));
	size_t		w = 0;
	size_t		i;
	double		t0;

	for (i = 0; i < n; i++)
		data[i] = (uint8_t) (i * 2654435761u >> 13);
	t0 = now();
	mm_base64_encode(data, n, enc, 0, 1);
	t0 = now() - t0;
	printf("%-44s %8.0f MB/s of base64 text\n", "encode", elen / t0 / 1e6);
	for (i = 0; i < elen; i++)
	{
		if (i > 0 && i % 76 == 0)
			wrapped[w++] = '\n';
		wrapped[w++] = enc[i];
	}

	bench("mm_base64_decode, one line", enc, elen, out, n, 0);
	bench("mm_base64_decode, 76-column lines", wrapped, w, out, n, 0);
	bench("PostgreSQL-style loop, one line", enc, elen, out, n, 1);
	bench("PostgreSQL-style loop, 76-column lines", wrapped, w, out, n, 1);
	free(data);
	free(enc);
	free(wrapped);
	free(out);
	return 0;
}
