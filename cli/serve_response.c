/*
 * serve_response.c - pg_media serve: GET/HEAD /media/{id}.  One statement,
 * media.serve_lookup() (prepared once per pooled session), gives status and
 * headers (those of media.http(id, Range, If-None-Match, 'HEAD')), the
 * content's cache key, and the content itself when it is small and probably
 * not cached.  The body then comes from the content-addressed cache
 * (serve_cache.h) with sendfile(), or from that statement, or is streamed in
 * ranges of media.chunk_size, each one media.read() on a pooled connection,
 * while it fills the cache.  Also the helpers every route answers with (text
 * answers, database errors).
 */
#include "serve_sign.h"
#include "serve_cache.h"

#include <arpa/inet.h>
#include <endian.h>
#include <unistd.h>
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
 * Reads up to n bytes of file id from offset off into buf, never across a
 * chunk boundary (each read touches one chunk), with media.read() on a
 * connection borrowed for that read only, as rq's signed owner when it has
 * one.  Returns the bytes read, or -1 (logged).
 */
ssize_t
read_content(Request *rq, const char *id, int64_t off, int64_t n, char *buf)
{
	char		off_txt[32];
	char		len_txt[32];
	const char *values[3] = {id, off_txt, len_txt};
	PGresult   *res;
	Pool	   *pool = read_pool_for(rq);
	int			slot;
	ssize_t		got;

	if (n > server.read_size - off % server.read_size)
		n = server.read_size - off % server.read_size;
	snprintf(off_txt, sizeof(off_txt), "%lld", (long long) off);
	snprintf(len_txt, sizeof(len_txt), "%lld", (long long) n);
	slot = pool_get(pool);
	res = pool_exec_as(pool, slot, rq, "SELECT media.read($1::bigint, $2::bigint, $3::integer)", 3, values, 1);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 ||
		PQgetlength(res, 0, 0) == 0)
	{
		fprintf(stderr, "%s serve: reading file %s at %lld: %s", progname, id, (long long) off,
				PQresultStatus(res) == PGRES_TUPLES_OK ? "the content ended early\n" :
				PQresultErrorMessage(res));
		PQclear(res);
		pool_put(pool, slot);
		return -1;
	}
	got = PQgetlength(res, 0, 0);
	if (got > n)
		got = (ssize_t) n;
	memcpy(buf, PQgetvalue(res, 0, 0), got);
	PQclear(res);
	pool_put(pool, slot);
	return got;
}

/*
 * The content reader of a streamed body: the bytes at pos of the response
 * (rq->first + pos of the file), up to one chunk (read_content()).
 */
ssize_t
read_body(void *cls, uint64_t pos, char *buf, size_t max)
{
	Request    *rq = cls;
	int64_t		n = rq->length - (int64_t) pos;
	ssize_t		got;

	if (n <= 0)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if ((uint64_t) n > max)
		n = (int64_t) max;
	got = read_content(rq, rq->id, rq->first + (int64_t) pos, n, buf);
	if (got < 0)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	rq->bytes += got;
	return got;
}

/* serve's statement for GET/HEAD /media/{id}: see media.serve_lookup() in sql/pg_media.sql. */
#define LOOKUP_SQL "SELECT status, headers, blob_id, sha256, byte_size, body" \
	" FROM media.serve_lookup($1::bigint, $2, $3, $4::integer)"
static const PreparedStatement lookup_statement = {"pg_media_serve_lookup", LOOKUP_SQL, 4};

/* A body streamed from the database, and the cache fill it feeds, if any. */
typedef struct StreamedBody
{
	Request    *rq;
	CacheFill  *fill;
} StreamedBody;

/*
 * The content reader of a streamed body that fills the cache: read_body(),
 * each chunk also written to the fill, which ends (kept when whole and
 * verified) with the last byte or the first error.
 */
static ssize_t
read_body_filling(void *cls, uint64_t pos, char *buf, size_t max)
{
	StreamedBody *sb = cls;
	ssize_t		got = read_body(sb->rq, pos, buf, max);

	if (sb->fill == NULL)
		return got;
	if (got > 0)
		cache_fill_write(sb->fill, pos, buf, (size_t) got);
	if (got <= 0 || cache_fill_complete(sb->fill))
	{
		cache_fill_end(sb->fill);
		sb->fill = NULL;
	}
	return got;
}

/* Frees a streamed body when libmicrohttpd is done with it: an unfinished fill leaves nothing. */
static void
streamed_body_free(void *cls)
{
	StreamedBody *sb = cls;

	if (sb->fill)
		cache_fill_end(sb->fill);
	free(sb);
}

/*
 * A response streamed from the database by read_body(), never whole in
 * memory; fill_key (or NULL) names the content it covers whole, to cache
 * as it goes.
 */
static struct MHD_Response *
streamed_response(Request *rq, const char *id, int64_t first, int64_t length,
				  const CacheKey *fill_key)
{
	StreamedBody *sb = calloc(1, sizeof(StreamedBody));
	struct MHD_Response *resp;

	if (sb == NULL)
		return NULL;
	snprintf(rq->id, sizeof(rq->id), "%s", id);
	rq->first = first;
	rq->length = length;
	sb->rq = rq;
	if (fill_key && !rq->head)
		sb->fill = cache_fill_begin(fill_key, length);
	resp = MHD_create_response_from_callback((uint64_t) length, server.read_size,
											 read_body_filling, sb, streamed_body_free);
	if (resp == NULL)
		streamed_body_free(sb);
	return resp;
}

/* Caches a content read whole with the headers (a miss's fill in the same round trip). */
static void
fill_from_body(const CacheKey *key, const char *body, int64_t size)
{
	CacheFill  *fill = cache_fill_begin(key, size);

	if (fill)
	{
		cache_fill_write(fill, 0, body, (size_t) size);
		cache_fill_end(fill);
	}
}

/* Reads the content key and size of a lookup's row; false when it has none. */
static bool
lookup_key(PGresult *res, CacheKey *key, int64_t *size)
{
	uint64_t	v;

	if (PQgetisnull(res, 0, 2) || PQgetisnull(res, 0, 3) || PQgetisnull(res, 0, 4) ||
		PQgetlength(res, 0, 2) != 8 || PQgetlength(res, 0, 3) != 32 || PQgetlength(res, 0, 4) != 8)
		return false;
	memcpy(&v, PQgetvalue(res, 0, 2), 8);
	key->blob_id = (int64_t) be64toh(v);
	memcpy(key->sha256, PQgetvalue(res, 0, 3), 32);
	memcpy(&v, PQgetvalue(res, 0, 4), 8);
	*size = (int64_t) be64toh(v);
	return *size > 0;
}

/*
 * The response for a 200 or 206 of bytes [first, first + length) of a file:
 * from the cache (sendfile), else from the body read with the headers (and
 * cached), else streamed from the database (and cached when it is the whole
 * content; a range of it starts a background fill, serve_fill.c).
 */
static struct MHD_Response *
content_response(Request *rq, const char *id, PGresult *res, int64_t first, int64_t length)
{
	CacheKey	key;
	int64_t		size = 0;
	bool		keyed = lookup_key(res, &key, &size) && first >= 0 && first + length <= size;
	int			fd = -1;
	struct MHD_Response *resp;

	if (keyed)
		cache_remember(strtoll(id, NULL, 10), &key);
	if (!rq->head && keyed && (fd = cache_open(&key, size)) >= 0)
	{
		resp = MHD_create_response_from_fd_at_offset64((uint64_t) length, fd, (uint64_t) first);
		if (resp == NULL)
			close(fd);
		rq->bytes = (uint64_t) length;
		return resp;
	}
	if (!PQgetisnull(res, 0, 5) && keyed && PQgetlength(res, 0, 5) == size)
	{
		/* a small content, read whole with the headers */
		fill_from_body(&key, PQgetvalue(res, 0, 5), size);
		rq->bytes = (uint64_t) length;
		return MHD_create_response_from_buffer((size_t) length, PQgetvalue(res, 0, 5) + first,
											   MHD_RESPMEM_MUST_COPY);
	}
	if (keyed && !rq->head && !(first == 0 && length == size))
		fill_in_background(rq, id, &key, size);	/* a Range covers part of it */
	return streamed_response(rq, id, first, length,
							 keyed && first == 0 && length == size ? &key : NULL);
}

/*
 * GET/HEAD /media/{id}: media.serve_lookup() gives status and headers, the
 * content's cache key and, for a GET of a small file not known to be cached,
 * the content; content_response() picks where the body comes from.  A file
 * the database refuses (removed, another owner's, not yet scanned) is
 * answered as the database says, whatever the cache holds.
 */
enum MHD_Result
serve_file(struct MHD_Connection *c, Request *rq, const char *id)
{
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
	values[3] = !rq->head && !cache_probably_has(strtoll(id, NULL, 10)) ? SMALL_BODY_TXT : "0";
	slot = read_exec_statement(rq, &lookup_statement, values, 1, &res);
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
	if ((status == 200 || status == 206) && length > 0)
		resp = content_response(rq, id, res, first, length);
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
	if (resp == NULL)
	{
		PQclear(res);
		return respond_text(c, rq, 500, "out of memory\n");
	}
	headers = strdup(PQgetisnull(res, 0, 1) ? "" : PQgetvalue(res, 0, 1));
	add_headers_text(resp, headers, NULL, NULL);
	free(headers);
	PQclear(res);
	return queue_response(c, rq, status, resp);
}
