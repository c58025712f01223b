/*
 * serve_response.c - pg_media serve: GET/HEAD /media/{id}.  Status and
 * headers come from media.http(id, Range, If-None-Match, 'HEAD'); a small
 * body is read in the same statement, a larger one is streamed in ranges of
 * media.chunk_size, each one media.read() on a pooled connection.  Also the
 * helpers every route answers with (text answers, database errors).
 */
#include "serve_sign.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/http.h"

#define SMALL_BODY_TXT "4194304"	/* bytes of body read with the headers, in one statement */

/*
 * An HTTP status for a failed statement, from its SQLSTATE (the README's
 * "Error codes" table).  pg_media's own class PM carries the HTTP status in
 * its digits (PM415 active content, PM423 not yet scanned, PM403 infected).
 * upload tells a refused upload (422) from a bad request parameter (400).
 */
int
http_status_for(PGconn *conn, PGresult *res, bool upload)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	if (PQstatus(conn) == CONNECTION_BAD || state == NULL)
		return 503;
	if (strncmp(state, "PM", 2) == 0 && state[2] >= '1' && state[2] <= '5' &&
		state[3] >= '0' && state[3] <= '9' && state[4] >= '0' && state[4] <= '9' && state[5] == '\0')
		return atoi(state + 2);
	if (strcmp(state, "P0002") == 0)
		return 404;				/* no such file or upload */
	if (strcmp(state, "42501") == 0)
		return 403;				/* no privilege */
	if (strcmp(state, "54000") == 0)
		return 413;				/* larger than the server accepts */
	if (strncmp(state, "53", 2) == 0)
		return 507;				/* quota, too many uploads */
	if (strcmp(state, "0A000") == 0)
		return 415;				/* a format this operation does not support */
	if (strncmp(state, "22", 2) == 0)
		return upload ? 422 : 400;	/* refused content, bad parameter */
	if (strcmp(state, "42883") == 0)
		return 501;
	return 500;
}

/* Adds a header unless it is one libmicrohttpd manages itself. */
static void
add_header(struct MHD_Response *resp, const char *key, const char *value)
{
	if (strcasecmp(key, "Content-Length") == 0 || strcasecmp(key, "Connection") == 0 ||
		strcasecmp(key, "Transfer-Encoding") == 0 || strcasecmp(key, "Date") == 0)
		return;
	/* a header value never spans lines */
	if (strpbrk(value, "\r\n") || strpbrk(key, "\r\n: "))
		return;
	MHD_add_response_header(resp, key, value);
}

/*
 * Adds the headers of media.http(), given as "Key: Value" lines, and
 * returns the values of Content-Length and Content-Range's first byte.
 */
void
add_headers_text(struct MHD_Response *resp, char *text, int64_t *length, int64_t *first)
{
	char	   *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
	{
		char	   *sep = strstr(line, ": ");

		if (sep == NULL)
			continue;
		*sep = '\0';
		if (length && strcasecmp(line, "Content-Length") == 0)
			*length = strtoll(sep + 2, NULL, 10);
		if (first && strcasecmp(line, "Content-Range") == 0 && strncmp(sep + 2, "bytes ", 6) == 0)
			*first = strtoll(sep + 8, NULL, 10);
		if (resp)
			add_header(resp, line, sep + 2);
	}
}

/* Queues a response and records its status for the log. */
enum MHD_Result
queue_response(struct MHD_Connection *c, Request *rq, int status, struct MHD_Response *resp)
{
	enum MHD_Result r;

	rq->status = status;
	sign_cache_control(resp, rq);
	if (rq->vary)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, rq->vary);
	r = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return r;
}

/* Answers with a short text body (errors, 404, 501, ...). */
enum MHD_Result
respond_text(struct MHD_Connection *c, Request *rq, int status, const char *text)
{
	size_t		len = strlen(text);
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *) text,
																MHD_RESPMEM_MUST_COPY);

	MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Cache-Control", mm_http_cache_control(status, 0));
	if (status == 405)
		MHD_add_response_header(resp, "Allow", server.token ? "GET, HEAD, POST" : "GET, HEAD");
	if (status == 401)
		MHD_add_response_header(resp, "WWW-Authenticate", "Bearer");
	rq->bytes = rq->head ? 0 : len;
	return queue_response(c, rq, status, resp);
}

/* Answers a failed statement: the server's message for 4xx, a generic one for 5xx. */
enum MHD_Result
respond_db_error(struct MHD_Connection *c, Request *rq, PGconn *conn, PGresult *res,
				 bool upload)
{
	int			status = http_status_for(conn, res, upload);
	char		msg[1200];
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	fprintf(stderr, "%s serve: %s %s: %s", progname, rq->method, rq->path,
			res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res) : PQerrorMessage(conn));
	if (status < 500 && primary)
		snprintf(msg, sizeof(msg), "%s\n", primary);
	else
		snprintf(msg, sizeof(msg), "%s\n", status == 503 ? "database unavailable" : "internal error");
	PQclear(res);
	return respond_text(c, rq, status, msg);
}

/*
 * The content reader of a streamed body: the bytes at pos of the response
 * (rq->first + pos of the file), up to one chunk, read with media.read() on a
 * connection borrowed for that read only.
 */
ssize_t
read_body(void *cls, uint64_t pos, char *buf, size_t max)
{
	Request    *rq = cls;
	int64_t		off = rq->first + (int64_t) pos;
	int64_t		n = rq->length - (int64_t) pos;
	char		off_txt[32];
	char		len_txt[32];
	const char *values[3] = {rq->id, off_txt, len_txt};
	PGresult   *res;
	Pool	   *pool = read_pool_for(rq);
	int			slot;
	ssize_t		got;

	if (n <= 0)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if ((uint64_t) n > max)
		n = (int64_t) max;
	/* stop at a chunk boundary, so that each read touches one chunk */
	if (n > server.read_size - off % server.read_size)
		n = server.read_size - off % server.read_size;
	snprintf(off_txt, sizeof(off_txt), "%lld", (long long) off);
	snprintf(len_txt, sizeof(len_txt), "%lld", (long long) n);
	slot = pool_get(pool);
	res = pool_exec_as(pool, slot, rq, "SELECT media.read($1::bigint, $2::bigint, $3::integer)", 3, values, 1);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 ||
		PQgetlength(res, 0, 0) == 0)
	{
		fprintf(stderr, "%s serve: reading file %s at %lld: %s", progname, rq->id, (long long) off,
				PQresultStatus(res) == PGRES_TUPLES_OK ? "the content ended early\n" :
				PQresultErrorMessage(res));
		PQclear(res);
		pool_put(pool, slot);
		return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	got = PQgetlength(res, 0, 0);
	if ((size_t) got > max)
		got = (ssize_t) max;
	memcpy(buf, PQgetvalue(res, 0, 0), got);
	PQclear(res);
	pool_put(pool, slot);
	rq->bytes += got;
	return got;
}

/*
 * GET/HEAD /media/{id}: media.http(.., 'HEAD') gives status and headers
 * (and, in the same statement, a body of up to 4 MiB); a larger body is
 * streamed by read_body().
 */
enum MHD_Result
serve_file(struct MHD_Connection *c, Request *rq, const char *id)
{
	static const char *sql =
		"SELECT h.status,"
		" (SELECT string_agg(key || ': ' || value, E'\\n') FROM jsonb_each_text(h.headers)),"
		" CASE WHEN $4::boolean AND h.status IN (200, 206)"
		"   AND (h.headers->>'Content-Length')::bigint BETWEEN 1 AND " SMALL_BODY_TXT
		" THEN media.read($1::bigint,"
		"   coalesce(substring(h.headers->>'Content-Range' FROM '^bytes ([0-9]+)-')::bigint, 0),"
		"   (h.headers->>'Content-Length')::integer) END"
		" FROM media.http($1::bigint, $2, $3, 'HEAD') h";
	const char *values[4];
	PGresult   *res;
	int			slot;
	int			status;
	struct MHD_Response *resp;
	int64_t		length = 0;
	int64_t		first = 0;
	char	   *headers;

	values[0] = id;
	values[1] = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_RANGE);
	values[2] = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
	values[3] = rq->head ? "f" : "t";
	slot = read_exec(rq, sql, 4, values, 1, &res);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
	{
		enum MHD_Result r = respond_db_error(c, rq, rq->pool->conns[slot], res, false);

		pool_put(rq->pool, slot);
		return r;
	}
	pool_put(rq->pool, slot);
	status = (int) ntohl(*(uint32_t *) PQgetvalue(res, 0, 0));
	headers = strdup(PQgetisnull(res, 0, 1) ? "" : PQgetvalue(res, 0, 1));
	add_headers_text(NULL, headers, &length, &first);
	free(headers);

	if (status == 404)
	{
		PQclear(res);
		return respond_text(c, rq, 404, "media file not found\n");
	}
	if ((status == 200 || status == 206) && length > 0 && !PQgetisnull(res, 0, 2))
	{
		/* a small body, read with the headers */
		resp = MHD_create_response_from_buffer(PQgetlength(res, 0, 2), PQgetvalue(res, 0, 2),
											   MHD_RESPMEM_MUST_COPY);
		rq->bytes = PQgetlength(res, 0, 2);
	}
	else if ((status == 200 || status == 206) && length > 0)
	{
		/* a large body (or HEAD): streamed in chunks, never whole in memory */
		snprintf(rq->id, sizeof(rq->id), "%s", id);
		rq->first = first;
		rq->length = length;
		resp = MHD_create_response_from_callback((uint64_t) length, server.read_size,
												 read_body, rq, NULL);
	}
	else if (status == 304)
	{
		/*
		 * A 304 must not say "Content-Length: 0" (RFC 9110 8.6), which
		 * libmicrohttpd adds to a response of known size: give it none.
		 */
		resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024, read_body, rq, NULL);
	}
	else
		resp = MHD_create_response_from_buffer(0, (void *) "", MHD_RESPMEM_PERSISTENT);
	headers = strdup(PQgetisnull(res, 0, 1) ? "" : PQgetvalue(res, 0, 1));
	add_headers_text(resp, headers, NULL, NULL);
	free(headers);
	PQclear(res);
	return queue_response(c, rq, status, resp);
}
