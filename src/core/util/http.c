/*
 * util/http.c - Range and If-None-Match evaluation (RFC 9110), the cap on
 * the bytes of one 206, and the Cache-Control rule (RFC 9111), pure C.
 *
 * Both parsers work on a (pointer, length) view of the header value, never
 * read past it, and treat anything outside the grammar as "no header"
 * (Range) or as a member to skip (If-None-Match), as RFC 9110 allows.
 * Numbers are digit strings of any length: their values saturate at
 * UINT64_MAX, and comparisons between two of them are exact.
 */
#include "util/http.h"

#include <string.h>

/* A parsed decimal number: its saturated value and its digits. */
typedef struct http_num
{
	uint64_t	value;			/* UINT64_MAX when it does not fit */
	const char *digits;			/* the digit string without leading zeros */
	size_t		ndigits;
} http_num;

/* True for optional whitespace (OWS: space or horizontal tab). */
static inline int
http_is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* Advances p over OWS up to end. */
static const char *
http_skip_ows(const char *p, const char *end)
{
	while (p < end && http_is_ows(*p))
		p++;
	return p;
}

/*
 * Parses 1*DIGIT at *pp; returns 0 when there is no digit.  The value
 * saturates instead of wrapping, and the digit span is kept so that two
 * numbers too large for uint64 still compare correctly.
 */
static int
http_parse_num(const char **pp, const char *end, http_num *num)
{
	const char *p = *pp;
	uint64_t	v = 0;

	if (p >= end || *p < '0' || *p > '9')
		return 0;
	while (p < end && *p == '0')
		p++;
	num->digits = p;
	while (p < end && *p >= '0' && *p <= '9')
	{
		unsigned	d = (unsigned) (*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			v = UINT64_MAX;
		else
			v = v * 10 + d;
		p++;
	}
	num->ndigits = (size_t) (p - num->digits);
	num->value = v;
	*pp = p;
	return 1;
}

/* Compares two parsed numbers exactly: <0, 0 or >0. */
static int
http_num_cmp(const http_num *a, const http_num *b)
{
	if (a->ndigits != b->ndigits)
		return a->ndigits < b->ndigits ? -1 : 1;
	return memcmp(a->digits, b->digits, a->ndigits);
}

/* The case-insensitive token comparison documented in util/http.h. */
int
mm_http_token_is(const char *s, size_t n, const char *word)
{
	size_t		i;

	if (n != strlen(word))
		return 0;
	for (i = 0; i < n; i++)
	{
		char		c = s[i];

		if (c >= 'A' && c <= 'Z')
			c = (char) (c + 32);
		if (c != word[i])
			return 0;
	}
	return 1;
}

/*
 * Evaluates a Range header as documented in util/http.h: syntax first (one
 * range-spec in a list that may hold empty elements), then the range
 * against size.
 */
mm_range_result
mm_http_range(const char *value, size_t len, uint64_t size,
			  uint64_t *first, uint64_t *last)
{
	const char *p = value;
	const char *end;
	const char *unit;
	int			nspecs = 0;
	int			suffix = 0;
	int			has_last = 0;
	http_num	a;
	http_num	b;

	*first = 0;
	*last = 0;
	if (value == NULL)
		return MM_RANGE_NONE;
	end = value + len;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));

	/* range-unit OWS "=" */
	p = http_skip_ows(p, end);
	unit = p;
	while (p < end && *p != '=' && !http_is_ows(*p))
		p++;
	if (!mm_http_token_is(unit, (size_t) (p - unit), "bytes"))
		return MM_RANGE_NONE;
	p = http_skip_ows(p, end);
	if (p == end || *p != '=')
		return MM_RANGE_NONE;
	p++;

	/* 1#range-spec: empty list elements are ignored (RFC 9110 5.6.1) */
	for (;;)
	{
		p = http_skip_ows(p, end);
		if (p == end)
			break;
		if (*p == ',')
		{
			p++;
			continue;
		}
		if (++nspecs > 1)
			return MM_RANGE_NONE;
		if (*p == '-')
		{
			p = http_skip_ows(p + 1, end);
			if (!http_parse_num(&p, end, &b))
				return MM_RANGE_NONE;
			suffix = 1;
		}
		else
		{
			if (!http_parse_num(&p, end, &a))
				return MM_RANGE_NONE;
			p = http_skip_ows(p, end);
			if (p == end || *p != '-')
				return MM_RANGE_NONE;
			p = http_skip_ows(p + 1, end);
			has_last = http_parse_num(&p, end, &b);
		}
		p = http_skip_ows(p, end);
		if (p != end && *p != ',')
			return MM_RANGE_NONE;
	}
	if (nspecs != 1)
		return MM_RANGE_NONE;
	if (has_last && http_num_cmp(&a, &b) > 0)
		return MM_RANGE_NONE;

	/* the range against the representation */
	if (size == 0)
		return MM_RANGE_UNSATISFIABLE;
	if (suffix)
	{
		if (b.value == 0)
			return MM_RANGE_UNSATISFIABLE;
		*first = b.value >= size ? 0 : size - b.value;
		*last = size - 1;
		return MM_RANGE_PARTIAL;
	}
	if (a.value >= size)
		return MM_RANGE_UNSATISFIABLE;
	*first = a.value;
	*last = (!has_last || b.value >= size) ? size - 1 : b.value;
	return MM_RANGE_PARTIAL;
}

/* The range cap documented in util/http.h; never overflows. */
uint64_t
mm_http_range_limit(uint64_t first, uint64_t last, uint64_t max)
{
	if (max == 0)
		max = 1;
	if (last < first || last - first < max)
		return last;
	return first + (max - 1);
}

/* etagc = %x21 / %x23-7E / obs-text (%x80-FF) */
static inline int
http_is_etagc(char ch)
{
	unsigned char c = (unsigned char) ch;

	return c == 0x21 || (c >= 0x23 && c != 0x7F);
}

/*
 * Parses an entity-tag at *pp: [ "W/" ] DQUOTE *etagc DQUOTE.  On success
 * sets *tag and *taglen to the opaque-tag (quotes included), advances *pp
 * and returns 1; returns 0 and leaves *pp at the offending byte otherwise.
 */
static int
http_parse_etag(const char **pp, const char *end, const char **tag,
				size_t *taglen)
{
	const char *p = *pp;
	const char *q;

	if (end - p >= 2 && p[0] == 'W' && p[1] == '/')
		p += 2;
	if (p == end || *p != '"')
	{
		*pp = p;
		return 0;
	}
	q = p + 1;
	while (q < end && http_is_etagc(*q))
		q++;
	if (q == end || *q != '"')
	{
		*pp = q;
		return 0;
	}
	*tag = p;
	*taglen = (size_t) (q + 1 - p);
	*pp = q + 1;
	return 1;
}

/*
 * Weak comparison of an If-None-Match value with etag.  "*" alone matches
 * any representation; otherwise each well-formed member's opaque-tag is
 * compared with etag's, and a malformed member is skipped up to the next
 * comma.
 */
int
mm_http_etag_matches(const char *value, size_t len, const char *etag)
{
	const char *p;
	const char *end;
	const char *mine;
	const char *etag_end;
	size_t		minelen;

	if (value == NULL || etag == NULL)
		return 0;
	p = etag;
	etag_end = etag + strlen(etag);
	if (!http_parse_etag(&p, etag_end, &mine, &minelen) || p != etag_end)
		return 0;

	end = value + len;
	p = http_skip_ows(value, end);
	while (end > p && http_is_ows(end[-1]))
		end--;
	if (end - p == 1 && *p == '*')
		return 1;

	while (p < end)
	{
		const char *tag;
		size_t		taglen;

		if (http_is_ows(*p) || *p == ',')
		{
			p++;
			continue;
		}
		if (http_parse_etag(&p, end, &tag, &taglen))
		{
			p = http_skip_ows(p, end);
			if (p == end || *p == ',')
			{
				if (taglen == minelen && memcmp(tag, mine, taglen) == 0)
					return 1;
				continue;
			}
		}
		/* malformed: resume after the next comma */
		while (p < end && *p != ',')
			p++;
	}
	return 0;
}

/* The caching rule documented in util/http.h: by status, then by file. */
const char *
mm_http_cache_control(int status, int is_public)
{
	switch (status)
	{
		case 200:
		case 206:
		case 304:
		case 416:
			return is_public ? "public, max-age=31536000, immutable" : "private, no-cache";
		default:
			return "no-store";
	}
}
