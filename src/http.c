/*
 * http.c - media.http(): a complete HTTP response for a file, so an
 * application's serve route is one SQL call.
 *
 * 200 with the caching and safety headers (Cache-Control by the file's
 * is_public flag, media.set_public()); 304 when If-None-Match matches;
 * 206 for a satisfiable single Range; 416 for an unsatisfiable one; 404 for
 * a file the caller cannot see.  Range and entity-tag rules come from the
 * pure-C core (util/http.c), shared with the command-line server.
 *
 * No body is larger than media_response_cap() (media.max_range_size): a
 * longer range is cut to it from its start (the client continues from the
 * Content-Range), and a file larger than it gets a 200 whose body is NULL,
 * which the application streams with media.parts().  So one call holds at
 * most one range and one chunk, whatever the file's size.
 *
 * With its variant argument, media.http() answers for a thumbnail of the
 * file instead (http_variant.c), with the same caching rule.
 */
#include "storage.h"
#include "http.h"

#include "access/htup_details.h"
#include "common/jsonapi.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/timestamp.h"

#include "util/http.h"

PG_FUNCTION_INFO_V1(media_http);

/* Appends "key": "value" to a JSON object under construction. */
void
http_add_header(StringInfo buf, const char *key, const char *value)
{
	if (buf->len > 1)
		appendStringInfoChar(buf, ',');
	escape_json(buf, key);
	appendStringInfoChar(buf, ':');
	escape_json(buf, value);
}

/* An IMF-fixdate (RFC 9110 5.6.7), e.g. "Sun, 06 Nov 1994 08:49:37 GMT". */
static char *
http_date(TimestampTz t)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct pg_tm tm;
	fsec_t		fsec;

	if (timestamp2tm(t, NULL, &tm, &fsec, NULL, NULL) != 0)
		return pstrdup("Thu, 01 Jan 1970 00:00:00 GMT");
	return psprintf("%s, %02d %s %04d %02d:%02d:%02d GMT",
					days[j2day(date2j(tm.tm_year, tm.tm_mon, tm.tm_mday))],
					tm.tm_mday, months[tm.tm_mon - 1], tm.tm_year,
					tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/*
 * Content-Disposition for a stored name (RFC 6266): an ASCII fallback in
 * filename= and the exact UTF-8 name percent-encoded in filename*=.
 */
char *
http_content_disposition(const char *kind, const char *name)
{
	StringInfoData buf;
	const unsigned char *p;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%s; filename=\"", kind);
	for (p = (const unsigned char *) name; *p; p++)
		appendStringInfoChar(&buf, (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\') ? '_' : *p);
	appendStringInfoString(&buf, "\"; filename*=UTF-8''");
	for (p = (const unsigned char *) name; *p; p++)
	{
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
			strchr("!#$&+-.^_`|~", *p) != NULL)
			appendStringInfoChar(&buf, *p);
		else
			appendStringInfo(&buf, "%%%02X", *p);
	}
	return buf.data;
}

/* Is this an active-content type a browser could run scripts in? */
static bool
is_active_content(const char *mime)
{
	return strcmp(mime, "text/html") == 0 || strcmp(mime, "application/xhtml+xml") == 0 ||
		strcmp(mime, "application/xml") == 0 || strcmp(mime, "text/xml") == 0 ||
		strcmp(mime, "image/svg+xml") == 0;
}

/*
 * Headers every response about an existing file (or a variant of it, whose
 * etag is its own) carries: validators, and who may cache it (util/http.c:
 * public files anywhere, the others never in a shared cache); status is the
 * response's.
 */
void
http_add_cache_headers(StringInfo h, const MediaFile *file, const char *etag, int status)
{
	http_add_header(h, "ETag", etag);
	http_add_header(h, "Last-Modified", http_date(file->created_at));
	http_add_header(h, "Cache-Control", mm_http_cache_control(status, file->is_public));
}

/* Headers that describe the representation: type, safety, disposition. */
static void
add_content_headers(StringInfo h, const MediaFile *file)
{
	http_add_header(h, "Content-Type", file->mime_type);
	http_add_header(h, "X-Content-Type-Options", "nosniff");
	http_add_header(h, "Accept-Ranges", "bytes");
	if (strcmp(file->mime_type, "image/svg+xml") == 0)
	{
		/* an SVG displays as an image but its scripts must never run */
		http_add_header(h, "Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox");
		http_add_header(h, "Content-Disposition", http_content_disposition("inline", file->name));
	}
	else if (is_active_content(file->mime_type))
	{
		http_add_header(h, "Content-Security-Policy", "default-src 'none'; sandbox");
		http_add_header(h, "Content-Disposition", http_content_disposition("attachment", file->name));
	}
	else
		http_add_header(h, "Content-Disposition", http_content_disposition("inline", file->name));
}

/* Builds the (status, headers, body) record. */
Datum
http_result(FunctionCallInfo fcinfo, int status, StringInfo headers, bytea *body)
{
	TupleDesc	desc;
	Datum		values[3];
	bool		nulls[3] = {false, false, body == NULL};

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "pg_media: media.http must return a composite type");
	appendStringInfoChar(headers, '}');
	values[0] = Int32GetDatum(status);
	values[1] = DirectFunctionCall1(jsonb_in, CStringGetDatum(headers->data));
	values[2] = PointerGetDatum(body);
	return HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls));
}

/* A text argument as a C string and length, or NULL. */
static char *
arg_cstring(FunctionCallInfo fcinfo, int n, size_t *len)
{
	text	   *t;

	if (PG_NARGS() <= n || PG_ARGISNULL(n))
		return NULL;
	t = PG_GETARG_TEXT_PP(n);
	*len = VARSIZE_ANY_EXHDR(t);
	return VARDATA_ANY(t);
}

/*
 * Reads media.http()'s request arguments (range, if_none_match, method);
 * a method other than GET or HEAD is refused (22023).
 */
static void
http_request_args(FunctionCallInfo fcinfo, HttpRequest *rq)
{
	size_t		method_len = 0;
	const char *method = arg_cstring(fcinfo, 3, &method_len);

	rq->range = arg_cstring(fcinfo, 1, &rq->range_len);
	rq->inm = arg_cstring(fcinfo, 2, &rq->inm_len);
	rq->head = false;
	if (method != NULL)
	{
		if (method_len == 4 && pg_strncasecmp(method, "HEAD", 4) == 0)
			rq->head = true;
		else if (!(method_len == 3 && pg_strncasecmp(method, "GET", 3) == 0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unsupported HTTP method \"%.*s\"", (int) Min(method_len, 32), method),
					 errhint("media.http() answers GET and HEAD.")));
	}
}

/*
 * media.http(id bigint, range text, if_none_match text [, method text [, variant text]])
 * RETURNS TABLE(status integer, headers jsonb, body bytea)
 *
 * With a variant (not NULL), the answer is about that derived image of the
 * file (http_variant.c); otherwise about the file's own bytes.
 */
Datum
media_http(PG_FUNCTION_ARGS)
{
	StringInfoData h;
	MediaFile	file;
	HttpRequest rq;
	size_t		variant_len = 0;
	const char *variant = arg_cstring(fcinfo, 4, &variant_len);
	uint64		first = 0;
	uint64		last = 0;
	int64		cap = media_response_cap();

	http_request_args(fcinfo, &rq);
	initStringInfo(&h);
	appendStringInfoChar(&h, '{');

	if (PG_ARGISNULL(0) || !storage_file_lookup(PG_GETARG_INT64(0), &file))
	{
		http_add_header(&h, "Content-Type", "text/plain; charset=utf-8");
		http_add_header(&h, "X-Content-Type-Options", "nosniff");
		http_add_header(&h, "Cache-Control", mm_http_cache_control(404, false));
		return http_result(fcinfo, 404, &h, NULL);
	}
	media_check_servable(&file, false);
	if (variant != NULL)
		return http_variant_response(fcinfo, &rq, &file, variant, variant_len);

	if (rq.inm != NULL && mm_http_etag_matches(rq.inm, rq.inm_len, file.etag))
	{
		http_add_cache_headers(&h, &file, file.etag, 304);
		return http_result(fcinfo, 304, &h, NULL);
	}

	switch (rq.range ? mm_http_range(rq.range, rq.range_len, (uint64) file.byte_size, &first, &last)
			: MM_RANGE_NONE)
	{
		case MM_RANGE_PARTIAL:
			{
				int64		n;

				last = mm_http_range_limit(first, last, (uint64) cap);
				n = (int64) (last - first + 1);
				add_content_headers(&h, &file);
				http_add_cache_headers(&h, &file, file.etag, 206);
				http_add_header(&h, "Content-Range",
						   psprintf("bytes " UINT64_FORMAT "-" UINT64_FORMAT "/" INT64_FORMAT,
									first, last, file.byte_size));
				http_add_header(&h, "Content-Length", psprintf(INT64_FORMAT, n));
				return http_result(fcinfo, 206, &h,
								   rq.head ? NULL : media_read_bytes(&file, (int64) first, n));
			}
		case MM_RANGE_UNSATISFIABLE:
			http_add_cache_headers(&h, &file, file.etag, 416);
			http_add_header(&h, "Content-Range", psprintf("bytes */" INT64_FORMAT, file.byte_size));
			http_add_header(&h, "Content-Length", "0");
			return http_result(fcinfo, 416, &h, NULL);
		case MM_RANGE_NONE:
			break;
	}

	/*
	 * 200: the headers describe the whole file; the body comes with them
	 * only when it fits in one response.  A GET answered 200 with a NULL
	 * body tells the application to stream the file with media.parts().
	 */
	add_content_headers(&h, &file);
	http_add_cache_headers(&h, &file, file.etag, 200);
	http_add_header(&h, "Content-Length", psprintf(INT64_FORMAT, file.byte_size));
	return http_result(fcinfo, 200, &h,
					   rq.head || file.byte_size > cap ? NULL : media_read_bytes(&file, 0, file.byte_size));
}
