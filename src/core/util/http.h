/*
 * util/http.h - the HTTP rules media.http() and the CLI server apply
 * (RFC 9110, RFC 9111): byte ranges, entity-tag matching and who may cache
 * a response.
 */
#ifndef MM_UTIL_HTTP_H
#define MM_UTIL_HTTP_H

#include <stddef.h>
#include <stdint.h>

typedef enum mm_range_result
{
	MM_RANGE_NONE = 0,			/* no Range header, or one to ignore: send 200 */
	MM_RANGE_PARTIAL,			/* send 206 with *first..*last (inclusive) */
	MM_RANGE_UNSATISFIABLE		/* send 416 with "bytes * /size" */
} mm_range_result;

/*
 * Is s[0..n) the token word (lower-case ASCII), ignoring ASCII case?  HTTP
 * compares range units and most parameter names this way (RFC 9110 5.6.2).
 */
int			mm_http_token_is(const char *s, size_t n, const char *word);

/*
 * Evaluates a Range header value for a representation of size bytes.
 * Understands one range of the forms "bytes=a-b", "bytes=a-" and
 * "bytes=-n" (optional whitespace around tokens, unit case-insensitive);
 * b past the end is clamped.  A syntactically invalid header, another unit,
 * or several ranges yield MM_RANGE_NONE (RFC 9110 lets a server ignore
 * Range).  a > b is invalid (NONE); a >= size, or a suffix of 0, or any
 * range of an empty representation is UNSATISFIABLE.
 */
mm_range_result mm_http_range(const char *value, size_t len, uint64_t size,
							  uint64_t *first, uint64_t *last);

/*
 * The last byte a 206 sends for the range first..last (inclusive) when one
 * response may carry at most max bytes: last itself when the range fits,
 * else first + max - 1.  The start is kept, so the Content-Range tells the
 * client where the next request begins (RFC 9110 15.3.7: a server may send
 * a subset of what was asked; browsers and curl continue from there).  An
 * open-ended "bytes=N-" and a suffix "bytes=-N" are shortened alike.  max
 * of 0 is taken as 1.
 */
uint64_t	mm_http_range_limit(uint64_t first, uint64_t last, uint64_t max);

/*
 * Does an If-None-Match value match etag (a quoted strong tag such as
 * "\"abc\"")?  Uses weak comparison as RFC 9110 requires for
 * If-None-Match: "*" matches, W/"x" matches "x", lists are comma-separated
 * with optional whitespace.  Malformed members are skipped.
 */
int			mm_http_etag_matches(const char *value, size_t len, const char *etag);

/*
 * The Cache-Control value of a response with this status about a file that
 * is public (is_public != 0) or not (RFC 9111):
 * - 200, 206, 304 and 416 describe the file, so they follow its rule: a
 *   public file's bytes never change under its id, "public, max-age=31536000,
 *   immutable" lets every cache keep them; a file that is not public gets
 *   "private, no-cache": no shared cache (proxy, CDN) may store it, and a
 *   browser may keep it only if it asks the server again (If-None-Match)
 *   before each reuse, so the server decides who sees it every time.
 * - every other status (404 for a file the caller may not see, errors) says
 *   "no-store": its answer depends on who asks.
 * No Vary is needed: the answer for one URL differs between requesters only
 * for files that are not public, and those are never reused unchecked.
 */
const char *mm_http_cache_control(int status, int is_public);

#endif
