/*
 * test_http.c - unit tests of Range evaluation, If-None-Match matching and
 * the Cache-Control rule.
 */
#include <string.h>

#include "util/http.h"
#include "mm_test.h"

/* Evaluates a Range value against size and checks the outcome. */
static void
check_range(const char *value, uint64_t size, mm_range_result want,
			uint64_t want_first, uint64_t want_last)
{
	uint64_t	first = 77;
	uint64_t	last = 77;
	mm_range_result r = mm_http_range(value, strlen(value), size, &first, &last);
	int			ok = r == want;

	if (ok && want == MM_RANGE_PARTIAL)
		ok = first == want_first && last == want_last;
	MM_CHECK(ok, "Range \"%s\" size %llu -> %d %llu-%llu", value,
			 (unsigned long long) size, (int) r,
			 (unsigned long long) first, (unsigned long long) last);
}

#define NONE(v, size) check_range((v), (size), MM_RANGE_NONE, 0, 0)
#define UNSAT(v, size) check_range((v), (size), MM_RANGE_UNSATISFIABLE, 0, 0)
#define PART(v, size, a, b) check_range((v), (size), MM_RANGE_PARTIAL, (a), (b))

/* The three range forms and their edges. */
static void
test_range_forms(void)
{
	PART("bytes=0-99", 1000, 0, 99);
	PART("bytes=100-", 1000, 100, 999);
	PART("bytes=-100", 1000, 900, 999);
	PART("bytes=0-0", 1000, 0, 0);
	PART("bytes=999-999", 1000, 999, 999);
	PART("bytes=999-", 1000, 999, 999);
	PART("bytes=0-", 1, 0, 0);
	PART("bytes=500-5000", 1000, 500, 999);	/* last clamped */
	PART("bytes=-1000", 1000, 0, 999);
	PART("bytes=-5000", 1000, 0, 999);	/* suffix larger than size */
	PART("bytes=-1", 1, 0, 0);
	UNSAT("bytes=1000-", 1000);
	UNSAT("bytes=1000-2000", 1000);
	UNSAT("bytes=-0", 1000);
	UNSAT("bytes=-000", 1000);
	UNSAT("bytes=0-", 0);			/* empty representation */
	UNSAT("bytes=-5", 0);
	UNSAT("bytes=0-0", 0);
	NONE("bytes=5-4", 1000);		/* a > b is invalid */
	NONE("bytes=5-4", 0);			/* invalid before unsatisfiable */
	PART("bytes=007-0010", 1000, 7, 10);	/* leading zeros */
}

/* Syntax: units, whitespace, lists, junk. */
static void
test_range_syntax(void)
{
	NONE("", 1000);
	NONE("bytes", 1000);
	NONE("bytes=", 1000);
	NONE("bytes=-", 1000);
	NONE("bytes=a-b", 1000);
	NONE("bytes=1-2x", 1000);
	NONE("bytes=+1-2", 1000);
	NONE("bytes=1--2", 1000);
	NONE("bytes=--2", 1000);
	NONE("bytes=1-2-3", 1000);
	NONE("bytes 0-1", 1000);
	NONE("items=0-1", 1000);		/* another unit */
	NONE("bytesx=0-1", 1000);
	NONE("byte=0-1", 1000);
	NONE("bytes=0-1,2-3", 1000);	/* several ranges */
	NONE("bytes=0-1, -5", 1000);
	NONE("bytes=0-1,,5-", 1000);
	NONE("bytes=0x10-", 1000);
	NONE("bytes=1e3-", 5000);
	NONE("bytes=0-1;", 1000);
	PART("BYTES=0-1", 1000, 0, 1);	/* unit case-insensitive */
	PART("Bytes=0-1", 1000, 0, 1);
	PART("  bytes = 2 - 5  ", 1000, 2, 5);	/* optional whitespace */
	PART("bytes=\t-10\t", 1000, 990, 999);
	PART("bytes=0-1,", 1000, 0, 1);	/* empty list elements ignored */
	PART("bytes=, ,0-1, ", 1000, 0, 1);
	NONE("bytes=,", 1000);			/* no range at all */
	{
		uint64_t	a;
		uint64_t	b;

		MM_CHECK(mm_http_range("bytes=0-1\0junk", 14, 1000, &a, &b) == MM_RANGE_NONE,
				 "embedded NUL is invalid");
		MM_CHECK(mm_http_range("bytes=0-1junk", 9, 1000, &a, &b) == MM_RANGE_PARTIAL &&
				 a == 0 && b == 1, "only len bytes are read");
		MM_CHECK(mm_http_range(NULL, 0, 1000, &a, &b) == MM_RANGE_NONE, "NULL value");
	}
}

/* Numbers beyond uint64. */
static void
test_range_overflow(void)
{
	/* 2^64 - 1 and 2^64 */
	PART("bytes=0-18446744073709551615", 1000, 0, 999);
	PART("bytes=0-18446744073709551616", 1000, 0, 999);	/* last overflows: clamped */
	PART("bytes=10-99999999999999999999999999999", 1000, 10, 999);
	UNSAT("bytes=18446744073709551616-", 1000);	/* first overflows: >= size */
	UNSAT("bytes=99999999999999999999999-", UINT64_MAX);
	UNSAT("bytes=18446744073709551615-", UINT64_MAX);
	UNSAT("bytes=18446744073709551616-18446744073709551617", 1000);
	NONE("bytes=18446744073709551617-18446744073709551616", 1000);	/* a > b exactly */
	NONE("bytes=99999999999999999999999-5", 1000);
	NONE("bytes=100000000000000000000-99999999999999999999", 1000);
	PART("bytes=-18446744073709551616", 1000, 0, 999);	/* suffix overflows: whole */
	PART("bytes=-99999999999999999999999", UINT64_MAX, 0, UINT64_MAX - 1);
	PART("bytes=18446744073709551614-", UINT64_MAX, UINT64_MAX - 1, UINT64_MAX - 1);
	PART("bytes=0000000000000000000000000001-2", 1000, 1, 2);
}

/* Checks one If-None-Match evaluation. */
static void
check_inm(const char *value, const char *etag, int want)
{
	MM_CHECK(mm_http_etag_matches(value, strlen(value), etag) == want,
			 "If-None-Match %s vs %s -> %d", value, etag ? etag : "NULL", want);
}

/* If-None-Match: *, lists, weak tags, malformed members. */
static void
test_etag(void)
{
	const char *e = "\"abc\"";

	check_inm("\"abc\"", e, 1);
	check_inm("\"abd\"", e, 0);
	check_inm("*", e, 1);
	check_inm("  *  ", e, 1);
	check_inm("*", NULL, 0);
	check_inm("W/\"abc\"", e, 1);	/* weak comparison */
	check_inm("\"abc\"", "W/\"abc\"", 1);
	check_inm("w/\"abc\"", e, 0);	/* "W/" is case-sensitive */
	check_inm("\"x\", \"abc\"", e, 1);
	check_inm("\"x\",W/\"abc\"", e, 1);
	check_inm("\"x\" ,\t\"y\"", e, 0);
	check_inm(" , ,\"abc\", ", e, 1);
	check_inm("\"a,b\", \"abc\"", e, 1);	/* comma inside a tag */
	check_inm("\"a,b\"", "\"a,b\"", 1);
	check_inm("abc", e, 0);			/* unquoted */
	check_inm("\"abc", e, 0);		/* unterminated */
	check_inm("\"abc\"x", e, 0);		/* junk after the tag */
	check_inm("\"abc\"x, \"abc\"", e, 1);	/* malformed member skipped */
	check_inm("bad, \"abc\"", e, 1);
	check_inm("\"a b\", \"abc\"", e, 1);	/* space is not etagc */
	check_inm("\"x\", *", e, 0);		/* '*' only alone */
	check_inm("W/ \"abc\"", e, 0);
	check_inm("\"\"", "\"\"", 1);		/* empty opaque tag */
	check_inm("\"\"", e, 0);
	check_inm("", e, 0);
	check_inm("\"ab\"", e, 0);
	check_inm("\"abcd\"", e, 0);
	check_inm("\"\xc3\xa9\"", "\"\xc3\xa9\"", 1);	/* obs-text */
	check_inm("\"abc\"", "abc", 0);	/* our own tag malformed */
	MM_CHECK(mm_http_etag_matches("\"abc\"junk", 5, e) == 1, "only len bytes are read");
	MM_CHECK(mm_http_etag_matches(NULL, 0, e) == 0, "NULL value");
}

/* Checks the Cache-Control value for a status and a file's public flag. */
static void
check_cache(int status, int is_public, const char *want)
{
	const char *got = mm_http_cache_control(status, is_public);

	MM_CHECK(got != NULL && strcmp(got, want) == 0, "Cache-Control for %d public=%d: \"%s\", want \"%s\"",
			 status, is_public, got ? got : "(null)", want);
}

/*
 * Who may cache what (RFC 9111): a public file anywhere for a year; a file
 * that is not public never in a shared cache and never reused unchecked;
 * an answer that is not about a file (404, errors) nowhere.
 */
static void
test_cache_control(void)
{
	static const int file_statuses[] = {200, 206, 304, 416};
	static const int other_statuses[] = {400, 401, 403, 404, 405, 412, 413, 415, 423, 500, 501, 503};

	for (size_t i = 0; i < sizeof(file_statuses) / sizeof(file_statuses[0]); i++)
	{
		check_cache(file_statuses[i], 1, "public, max-age=31536000, immutable");
		check_cache(file_statuses[i], 0, "private, no-cache");
		check_cache(file_statuses[i], 7, "public, max-age=31536000, immutable");	/* any non-zero */
	}
	for (size_t i = 0; i < sizeof(other_statuses) / sizeof(other_statuses[0]); i++)
	{
		check_cache(other_statuses[i], 1, "no-store");
		check_cache(other_statuses[i], 0, "no-store");
	}
	/* a private answer never names a directive that lets a shared cache store it */
	MM_CHECK(strstr(mm_http_cache_control(200, 0), "public") == NULL &&
			 strstr(mm_http_cache_control(200, 0), "s-maxage") == NULL &&
			 strstr(mm_http_cache_control(200, 0), "immutable") == NULL,
			 "the private rule names no shared-cache directive");
}

/*
 * The range cap: a range longer than max keeps its start and is cut to max
 * bytes; one that fits is untouched; no sum overflows near UINT64_MAX.
 */
static void
test_range_limit(void)
{
	const uint64_t mb8 = 8388608;
	uint64_t	first = 0;
	uint64_t	last = 0;

	/* "bytes=0-" of a 200 MB file: the browser's first request for a video */
	MM_CHECK(mm_http_range("bytes=0-", 8, 209715200, &first, &last) == MM_RANGE_PARTIAL &&
			 mm_http_range_limit(first, last, mb8) == mb8 - 1, "bytes=0- of 200 MB -> 0-8388607");
	/* "bytes=N-" near the end: what is left fits */
	MM_CHECK(mm_http_range("bytes=209715000-", 16, 209715200, &first, &last) == MM_RANGE_PARTIAL &&
			 mm_http_range_limit(first, last, mb8) == 209715199, "bytes=N- near the end is whole");
	/* a suffix longer than the cap: its first max bytes */
	MM_CHECK(mm_http_range("bytes=-20000000", 15, 209715200, &first, &last) == MM_RANGE_PARTIAL &&
			 first == 189715200 && mm_http_range_limit(first, last, mb8) == 189715200 + mb8 - 1,
			 "a long suffix keeps its start");
	MM_CHECK(mm_http_range_limit(10, 19, 10) == 19, "exactly max bytes fit");
	MM_CHECK(mm_http_range_limit(10, 20, 10) == 19, "max + 1 bytes are cut to max");
	MM_CHECK(mm_http_range_limit(10, 10, 1) == 10, "one byte under a cap of one");
	MM_CHECK(mm_http_range_limit(10, 20, 1) == 10, "a cap of one sends one byte");
	MM_CHECK(mm_http_range_limit(10, 20, 0) == 10, "a cap of 0 is taken as 1");
	MM_CHECK(mm_http_range_limit(0, UINT64_MAX, UINT64_MAX) == UINT64_MAX - 1,
			 "0-UINT64_MAX is one byte too long for a cap of UINT64_MAX");
	MM_CHECK(mm_http_range_limit(UINT64_MAX - 5, UINT64_MAX, UINT64_MAX) == UINT64_MAX,
			 "no overflow at the top");
	MM_CHECK(mm_http_range_limit(UINT64_MAX - 5, UINT64_MAX, 2) == UINT64_MAX - 4,
			 "a cut near the top");
}

int
main(void)
{
	test_range_forms();
	test_range_limit();
	test_range_syntax();
	test_range_overflow();
	test_etag();
	test_cache_control();
	return mm_test_done();
}
