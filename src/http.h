/*
 * http.h - the pieces of media.http()'s answers that http.c (a file) and
 * http_variant.c (a derived image of it) share: the request's arguments,
 * headers, and the (status, headers, body) record.
 */
#ifndef MEDIA_HTTP_H
#define MEDIA_HTTP_H

#include "pg_media.h"

/* media.http()'s request arguments after the id. */
typedef struct HttpRequest
{
	const char *range;			/* Range value, or NULL */
	size_t		range_len;
	const char *inm;			/* If-None-Match value, or NULL */
	size_t		inm_len;
	bool		head;			/* HEAD: headers only */
} HttpRequest;

extern void http_add_header(StringInfo buf, const char *key, const char *value);
extern char *http_content_disposition(const char *kind, const char *name);
extern void http_add_cache_headers(StringInfo h, const MediaFile *file, const char *etag, int status);
extern Datum http_result(FunctionCallInfo fcinfo, int status, StringInfo headers, bytea *body);

/* http_variant.c */
struct mm_xform;
extern void media_check_variant(const char *text, size_t len, struct mm_xform *x);
extern Datum http_variant_response(FunctionCallInfo fcinfo, const HttpRequest *rq,
								   const MediaFile *file, const char *variant, size_t variant_len);

#endif
