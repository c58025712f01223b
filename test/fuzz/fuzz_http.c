/*
 * fuzz_http.c - libFuzzer harness for Range and If-None-Match evaluation
 * and the range cap.
 *
 * Input layout: byte 0 is a shift and bytes 1..8 a little-endian size, so
 * sizes of every magnitude (0 included) occur; the rest is split at the
 * first two '\n' into a Range value, an If-None-Match value and an ETag.
 * Each part is copied into its own exact-size heap buffer so ASan catches
 * any read past the length the parser was given.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/http.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Returns a heap copy of p[0..n) (NUL-terminated when nul is set). */
static char *
copy_part(const uint8_t *p, size_t n, int nul)
{
	char	   *c = malloc(n + (nul ? 1 : 0) + (n == 0 && !nul ? 1 : 0));

	if (c == NULL)
		abort();
	if (n > 0)
		memcpy(c, p, n);
	if (nul)
		c[n] = '\0';
	return c;
}

/* Does hay[0..n) contain needle[0..m)? */
static int
contains(const char *hay, size_t n, const char *needle, size_t m)
{
	size_t		i;

	if (m > n)
		return 0;
	for (i = 0; i + m <= n; i++)
	{
		if (memcmp(hay + i, needle, m) == 0)
			return 1;
	}
	return 0;
}

/*
 * Parses up to 18 digits at s[*i..n) (so the value fits); returns -1 when
 * there is no digit or too many.
 */
static int64_t
ref_num(const char *s, size_t n, size_t *i)
{
	int64_t		v = 0;
	size_t		start = *i;

	while (*i < n && s[*i] >= '0' && s[*i] <= '9' && *i - start < 18)
		v = v * 10 + (s[(*i)++] - '0');
	if (*i == start || (*i < n && s[*i] >= '0' && s[*i] <= '9'))
		return -1;
	return v;
}

/*
 * For the canonical forms "bytes=A-B", "bytes=A-" and "bytes=-N" with small
 * numbers, computes the expected answer directly from RFC 9110 and compares;
 * anything else is not checked (returns 1).
 */
static int
ref_range_agrees(const char *s, size_t n, uint64_t size, mm_range_result r,
				 uint64_t first, uint64_t last)
{
	size_t		i = 6;
	int64_t		a = -1;
	int64_t		b = -1;

	if (n < 8 || memcmp(s, "bytes=", 6) != 0)
		return 1;
	if (s[i] == '-')
	{
		i++;
		b = ref_num(s, n, &i);
		if (b < 0 || i != n)
			return 1;
		if (size == 0 || b == 0)
			return r == MM_RANGE_UNSATISFIABLE;
		return r == MM_RANGE_PARTIAL && last == size - 1 &&
			first == ((uint64_t) b >= size ? 0 : size - (uint64_t) b);
	}
	a = ref_num(s, n, &i);
	if (a < 0 || i >= n || s[i] != '-')
		return 1;
	i++;
	if (i < n)
	{
		b = ref_num(s, n, &i);
		if (b < 0 || i != n)
			return 1;
		if (a > b)
			return r == MM_RANGE_NONE;
	}
	if (size == 0 || (uint64_t) a >= size)
		return r == MM_RANGE_UNSATISFIABLE;
	return r == MM_RANGE_PARTIAL && first == (uint64_t) a &&
		last == ((b < 0 || (uint64_t) b >= size) ? size - 1 : (uint64_t) b);
}

/* Evaluates the parts and checks the invariants of both functions. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t	fsize = 0;
	const uint8_t *rest;
	const uint8_t *nl1;
	const uint8_t *nl2 = NULL;
	size_t		restlen;
	size_t		rlen;
	size_t		ilen;
	size_t		elen;
	char	   *range;
	char	   *inm;
	char	   *etag;
	uint64_t	first = 0;
	uint64_t	last = 0;
	mm_range_result r;
	int			i;
	int			m;

	if (size < 9)
		return 0;
	for (i = 0; i < 8; i++)
		fsize |= (uint64_t) data[1 + i] << (8 * i);
	fsize >>= data[0] & 63;
	rest = data + 9;
	restlen = size - 9;

	nl1 = memchr(rest, '\n', restlen);
	rlen = nl1 ? (size_t) (nl1 - rest) : restlen;
	if (nl1)
		nl2 = memchr(nl1 + 1, '\n', restlen - rlen - 1);
	ilen = nl1 ? (nl2 ? (size_t) (nl2 - nl1 - 1) : restlen - rlen - 1) : 0;
	elen = nl2 ? restlen - rlen - ilen - 2 : 0;

	range = copy_part(rest, rlen, 0);
	inm = copy_part(nl1 ? nl1 + 1 : rest, ilen, 0);
	etag = copy_part(nl2 ? nl2 + 1 : rest, elen, 1);

	r = mm_http_range(range, rlen, fsize, &first, &last);
	if (r != MM_RANGE_NONE && r != MM_RANGE_PARTIAL && r != MM_RANGE_UNSATISFIABLE)
		abort();
	if (r == MM_RANGE_PARTIAL && !(first <= last && last < fsize))
		abort();
	if (r != MM_RANGE_NONE && memchr(range, '=', rlen) == NULL)
		abort();
	if (!ref_range_agrees(range, rlen, fsize, r, first, last))
		abort();
	if (r == MM_RANGE_PARTIAL)
	{
		/* the cap keeps the start, never grows the range, sends exactly min(length, cap) */
		uint64_t	cap = (uint64_t) data[0] * 977 + (fsize >> (data[0] & 31));
		uint64_t	capped = mm_http_range_limit(first, last, cap);
		uint64_t	want = cap == 0 ? 1 : cap;

		if (capped < first || capped > last ||
			(capped != last && capped - first + 1 != want) ||
			(capped == last && last - first >= want))
			abort();
	}

	m = mm_http_etag_matches(inm, ilen, etag);
	if (m != 0 && m != 1)
		abort();
	if (m)
	{
		const char *opaque = etag;
		size_t		olen = strlen(etag);
		size_t		a = 0;
		size_t		b = ilen;

		if (olen >= 2 && opaque[0] == 'W' && opaque[1] == '/')
		{
			opaque += 2;
			olen -= 2;
		}
		while (a < b && (inm[a] == ' ' || inm[a] == '\t'))
			a++;
		while (b > a && (inm[b - 1] == ' ' || inm[b - 1] == '\t'))
			b--;
		/* a match is "*" alone or a member holding our opaque tag */
		if (!(b - a == 1 && inm[a] == '*') && !contains(inm, ilen, opaque, olen))
			abort();
	}
	/* the same call again gives the same answer (no hidden state) */
	if (mm_http_etag_matches(inm, ilen, etag) != m)
		abort();

	free(range);
	free(inm);
	free(etag);
	return 0;
}
