/*
 * serve.c - pg_media serve: an HTTP server for stored files (libmicrohttpd).
 *
 *   GET|HEAD /media/{id}                        the file, with media.http() semantics
 *   GET|HEAD /media/{id}/thumbnail?w=W&h=H      media.thumbnail() when it exists, else 501
 *   POST /media                                 an upload, when PG_MEDIA_UPLOAD_TOKEN is set
 *
 * Every answer's status and headers come from media.http(id, Range,
 * If-None-Match, 'HEAD') (ETag, 304, 206, 416, Cache-Control, nosniff,
 * Content-Disposition, CSP for active content).  A small body is read in the
 * same statement; a larger one is streamed to the client in ranges of
 * media.chunk_size through libmicrohttpd's content-reader callback, each
 * range one media.read() on a pooled connection, so memory per request stays
 * bounded by a chunk whatever the file's size and a slow client holds no
 * database connection between ranges.
 *
 * Threads: libmicrohttpd runs one thread per HTTP connection; a pool of
 * --pool libpq connections is shared, each used by one request at a time.
 * SIGINT/SIGTERM stop accepting, let requests in flight finish (up to
 * --shutdown-timeout seconds), then close everything.
 */
#include "pg_media_cli.h"

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "util/http.h"
#include "util/sha256.h"

#define SMALL_BODY_TXT "4194304"	/* bytes of body read with the headers, in one statement */

/* A fixed set of libpq connections, each lent to one request at a time. */
typedef struct Pool
{
	PGconn	  **conns;
	bool	   *busy;
	int			n;
	pthread_mutex_t mu;
	pthread_cond_t cv;
} Pool;

typedef struct Server
{
	Pool		pool;
	int			read_size;		/* media.chunk_size */
	FILE	   *log;
	pthread_mutex_t log_mu;
	const char *token;			/* PG_MEDIA_UPLOAD_TOKEN, or NULL: no uploads */
	pthread_mutex_t mu;
	pthread_cond_t idle;
	int			active;			/* requests in flight */
} Server;

/* One HTTP request, from its headers to the end of its response. */
typedef struct Request
{
	Server	   *srv;
	double		t0;
	char		method[8];
	char	   *path;
	char	   *range;			/* the Range header, for the log */
	int			status;
	uint64_t	bytes;			/* body bytes produced */
	bool		head;
	/* a streamed body */
	char		id[24];
	int64_t		first;
	int64_t		length;
	/* an upload (POST /media) */
	int			slot;			/* pool connection held, or -1 */
	char		upload_id[24];
	char	   *buf;
	size_t		buflen;
	int64_t		received;
	int			fail_status;	/* an error to answer once the body is read */
	char	   *fail_message;
} Request;

static Server server;

/* Prints the help of pg_media serve. */
static void
serve_help(void)
{
	printf("pg_media serve: an HTTP server for the stored files.\n"
		   "\n"
		   "Usage:\n"
		   "  pg_media serve [--listen HOST:PORT] [OPTION]...\n"
		   "\n"
		   "Routes:\n"
		   "  GET|HEAD /media/{id}                     the file: ETag, If-None-Match -> 304,\n"
		   "                                           Range -> 206 or 416, Cache-Control,\n"
		   "                                           nosniff (the headers of media.http())\n"
		   "  GET|HEAD /media/{id}/thumbnail?w=W&h=H   a thumbnail, when the database has\n"
		   "                                           media.thumbnail(); else 501\n"
		   "  POST /media                              store the request body (raw; name from\n"
		   "                                           X-File-Name or ?name=): only when the\n"
		   "                                           environment has PG_MEDIA_UPLOAD_TOKEN,\n"
		   "                                           with \"Authorization: Bearer TOKEN\"\n"
		   "\n"
		   "Options:\n"
		   "      --listen=HOST:PORT     address to listen on (default 127.0.0.1:8080;\n"
		   "                             [::1]:PORT for IPv6; port 0 picks a free one)\n"
		   "      --pool=N               database connections (default 4)\n"
		   "      --max-connections=N    HTTP connections at once (default 64)\n"
		   "      --access-log=FILE      append the access log to FILE (default stderr)\n"
		   "      --shutdown-timeout=S   on SIGINT/SIGTERM, wait up to S seconds for\n"
		   "                             requests in flight (default 30)\n"
		   "\n"
		   "The access log has one line per request: time, client, method, path, Range\n"
		   "header, status, body bytes, duration.  Put a reverse proxy (nginx) in front\n"
		   "for TLS and caching; the server is meant for a trusted network.\n"
		   "\n"
		   COMMON_OPTIONS_HELP);
}

/* Borrows a connection, waiting for one; reconnects one that was lost. */
static int
pool_get(Pool *p)
{
	int			slot = -1;

	pthread_mutex_lock(&p->mu);
	for (;;)
	{
		for (int i = 0; i < p->n; i++)
			if (!p->busy[i])
			{
				slot = i;
				break;
			}
		if (slot >= 0)
			break;
		pthread_cond_wait(&p->cv, &p->mu);
	}
	p->busy[slot] = true;
	pthread_mutex_unlock(&p->mu);
	if (PQstatus(p->conns[slot]) != CONNECTION_OK)
		PQreset(p->conns[slot]);
	return slot;
}

/* Returns a borrowed connection. */
static void
pool_put(Pool *p, int slot)
{
	pthread_mutex_lock(&p->mu);
	p->busy[slot] = false;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

/*
 * Runs a read-only statement on a pooled connection, once more after a
 * reconnect if the connection turns out to have been lost (a server
 * restart, an idle timeout).
 */
static PGresult *
pool_exec(int slot, const char *sql, int nparams, const char *const *values,
		  int result_format)
{
	PGconn	   *conn = server.pool.conns[slot];
	PGresult   *res = PQexecParams(conn, sql, nparams, NULL, values, NULL, NULL, result_format);

	if (PQstatus(conn) == CONNECTION_BAD)
	{
		PQclear(res);
		PQreset(conn);
		res = PQexecParams(conn, sql, nparams, NULL, values, NULL, NULL, result_format);
	}
	return res;
}

/*
 * An HTTP status for a failed statement, from its SQLSTATE.  upload tells
 * a refused upload (422) from a bad request parameter (400).
 */
static int
http_status_for(PGconn *conn, PGresult *res, bool upload)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	if (PQstatus(conn) == CONNECTION_BAD || state == NULL)
		return 503;
	if (strcmp(state, "42501") == 0 || strcmp(state, "55000") == 0)
		return 403;				/* no privilege; file not scanned or infected */
	if (strcmp(state, "54000") == 0)
		return 413;				/* larger than the server accepts */
	if (strncmp(state, "53", 2) == 0)
		return 507;				/* quota, too many uploads */
	if (strncmp(state, "22", 2) == 0)
		return upload ? 422 : 400;	/* refused content, bad parameter */
	if (strcmp(state, "42883") == 0 || strcmp(state, "0A000") == 0)
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
static void
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
static enum MHD_Result
queue(struct MHD_Connection *c, Request *rq, int status, struct MHD_Response *resp)
{
	enum MHD_Result r;

	rq->status = status;
	r = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return r;
}

/* Answers with a short text body (errors, 404, 501, ...). */
static enum MHD_Result
respond_text(struct MHD_Connection *c, Request *rq, int status, const char *text)
{
	size_t		len = strlen(text);
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *) text,
																MHD_RESPMEM_MUST_COPY);

	MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (status == 405)
		MHD_add_response_header(resp, "Allow", server.token ? "GET, HEAD, POST" : "GET, HEAD");
	if (status == 401)
		MHD_add_response_header(resp, "WWW-Authenticate", "Bearer");
	rq->bytes = rq->head ? 0 : len;
	return queue(c, rq, status, resp);
}

/* Answers a failed statement: the server's message for 4xx, a generic one for 5xx. */
static enum MHD_Result
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
static ssize_t
read_body(void *cls, uint64_t pos, char *buf, size_t max)
{
	Request    *rq = cls;
	int64_t		off = rq->first + (int64_t) pos;
	int64_t		n = rq->length - (int64_t) pos;
	char		off_txt[32];
	char		len_txt[32];
	const char *values[3] = {rq->id, off_txt, len_txt};
	PGresult   *res;
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
	slot = pool_get(&server.pool);
	res = pool_exec(slot, "SELECT media.read($1::bigint, $2::bigint, $3::integer)", 3, values, 1);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 ||
		PQgetlength(res, 0, 0) == 0)
	{
		fprintf(stderr, "%s serve: reading file %s at %lld: %s", progname, rq->id, (long long) off,
				PQresultStatus(res) == PGRES_TUPLES_OK ? "the content ended early\n" :
				PQresultErrorMessage(res));
		PQclear(res);
		pool_put(&server.pool, slot);
		return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	got = PQgetlength(res, 0, 0);
	if ((size_t) got > max)
		got = (ssize_t) max;
	memcpy(buf, PQgetvalue(res, 0, 0), got);
	PQclear(res);
	pool_put(&server.pool, slot);
	rq->bytes += got;
	return got;
}

/*
 * GET/HEAD /media/{id}: media.http(.., 'HEAD') gives status and headers
 * (and, in the same statement, a body of up to 4 MiB); a larger body is
 * streamed by read_body().
 */
static enum MHD_Result
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
	slot = pool_get(&server.pool);
	res = pool_exec(slot, sql, 4, values, 1);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
	{
		enum MHD_Result r = respond_db_error(c, rq, server.pool.conns[slot], res, false);

		pool_put(&server.pool, slot);
		return r;
	}
	pool_put(&server.pool, slot);
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
	return queue(c, rq, status, resp);
}

/* The MIME type of an image from its first bytes (the formats thumbnails come in). */
static const char *
image_type(const unsigned char *b, size_t len)
{
	if (len >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF)
		return "image/jpeg";
	if (len >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	if (len >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WEBP", 4) == 0)
		return "image/webp";
	if (len >= 6 && (memcmp(b, "GIF87a", 6) == 0 || memcmp(b, "GIF89a", 6) == 0))
		return "image/gif";
	return "application/octet-stream";
}

/*
 * Serves a thumbnail given as bytes: 200 with its type, an ETag of its
 * SHA-256 (304 when If-None-Match matches) and one-year caching.
 */
static enum MHD_Result
respond_bytes(struct MHD_Connection *c, Request *rq, const unsigned char *body, size_t len,
			  const char *type)
{
	const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
	uint8_t		digest[MM_SHA256_DIGEST_LEN];
	char		etag[2 * MM_SHA256_DIGEST_LEN + 3];
	struct MHD_Response *resp;
	int			status = 200;

	mm_sha256(body, len, digest);
	etag[0] = '"';
	for (int i = 0; i < MM_SHA256_DIGEST_LEN; i++)
		snprintf(etag + 1 + 2 * i, 3, "%02x", digest[i]);
	snprintf(etag + 1 + 2 * MM_SHA256_DIGEST_LEN, 2, "\"");
	if (inm && mm_http_etag_matches(inm, strlen(inm), etag))
	{
		status = 304;
		resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024, read_body, rq, NULL);
	}
	else
	{
		resp = MHD_create_response_from_buffer(len, (void *) body, MHD_RESPMEM_MUST_COPY);
		MHD_add_response_header(resp, "Content-Type", type ? type : image_type(body, len));
		rq->bytes = rq->head ? 0 : len;
	}
	MHD_add_response_header(resp, "ETag", etag);
	MHD_add_response_header(resp, "Cache-Control", "public, max-age=31536000, immutable");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	return queue(c, rq, status, resp);
}

/*
 * GET/HEAD /media/{id}/thumbnail?w=&h=: answers 501 unless the database has
 * media.thumbnail(bigint, integer, integer [, format text]).  Its result is served the way
 * its declared type says: a (status, headers, body) record like
 * media.http() is passed through; a bigint is the id of a stored file,
 * served as /media/{id}; bytes (a bytea, or a record with a bytea column and
 * maybe a mime_type/content_type column) are served with an ETag of their
 * SHA-256.
 */
static enum MHD_Result
serve_thumbnail(struct MHD_Connection *c, Request *rq, const char *id)
{
	const char *w = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "w");
	const char *h = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "h");
	const char *values[3] = {id, w, h};
	char	   *end;
	PGresult   *res;
	int			slot;
	char		kind[512];
	bool		http_like;
	long		wv = w ? strtol(w, &end, 10) : 0;

	if (w == NULL || *w == '\0' || *end != '\0' || wv < 1 || wv > 10000 ||
		h == NULL || *h == '\0' || strtol(h, &end, 10) < 1 || *end != '\0' ||
		strtol(h, NULL, 10) > 10000)
		return respond_text(c, rq, 400, "w and h must be whole numbers from 1 to 10000\n");

	slot = pool_get(&server.pool);
	res = pool_exec(slot,
					"SELECT pg_catalog.pg_get_function_result(p.oid) FROM pg_catalog.pg_proc p"
					" WHERE p.proname = 'thumbnail'"
					"   AND p.pronamespace = 'media'::pg_catalog.regnamespace"
					"   AND p.proargtypes[0] = 'pg_catalog.int8'::pg_catalog.regtype"
					"   AND p.pronargs - p.pronargdefaults <= 3 AND p.pronargs >= 3"
					" LIMIT 1", 0, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		enum MHD_Result r = respond_db_error(c, rq, server.pool.conns[slot], res, false);

		pool_put(&server.pool, slot);
		return r;
	}
	if (PQntuples(res) == 0)
	{
		PQclear(res);
		pool_put(&server.pool, slot);
		return respond_text(c, rq, 501, "thumbnails are not available: this database's pg_media has no media.thumbnail()\n");
	}
	snprintf(kind, sizeof(kind), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	http_like = strstr(kind, "headers") && strstr(kind, "status");

	res = pool_exec(slot, http_like ?
					"SELECT t.status,"
					" (SELECT string_agg(key || ': ' || value, E'\\n') FROM jsonb_each_text(t.headers)),"
					" t.body FROM media.thumbnail($1::bigint, $2::integer, $3::integer) t" :
					"SELECT * FROM media.thumbnail($1::bigint, $2::integer, $3::integer) t",
					3, values, 1);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		enum MHD_Result r = respond_db_error(c, rq, server.pool.conns[slot], res, false);

		pool_put(&server.pool, slot);
		return r;
	}
	pool_put(&server.pool, slot);
	if (PQntuples(res) == 0)
	{
		PQclear(res);
		return respond_text(c, rq, 404, "no thumbnail\n");
	}

	if (http_like)
	{
		/* status (int4), headers as "Key: Value" lines, body: binary format */
		int			status = (int) ntohl(*(uint32_t *) PQgetvalue(res, 0, 0));
		char	   *headers = strdup(PQgetisnull(res, 0, 1) ? "" : PQgetvalue(res, 0, 1));
		size_t		len = PQgetisnull(res, 0, 2) ? 0 : PQgetlength(res, 0, 2);
		struct MHD_Response *resp;

		if (status == 404)
		{
			free(headers);
			PQclear(res);
			return respond_text(c, rq, 404, "no thumbnail\n");
		}
		if (status == 304)
			resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024, read_body, rq, NULL);
		else
			resp = MHD_create_response_from_buffer(len, PQgetvalue(res, 0, 2), MHD_RESPMEM_MUST_COPY);
		rq->bytes = rq->head || status == 304 ? 0 : len;
		add_headers_text(resp, headers, NULL, NULL);
		free(headers);
		PQclear(res);
		return queue(c, rq, status, resp);
	}
	if (PQnfields(res) == 1 && PQftype(res, 0) == 20)	/* int8: a stored file's id */
	{
		char		file_id[24];

		if (PQgetisnull(res, 0, 0))
		{
			PQclear(res);
			return respond_text(c, rq, 404, "no thumbnail\n");
		}
		snprintf(file_id, sizeof(file_id), "%lld",
				 (long long) be64toh(*(uint64_t *) PQgetvalue(res, 0, 0)));
		PQclear(res);
		return serve_file(c, rq, file_id);
	}
	{
		/* bytes: the first bytea column; a type from a mime_type/content_type column */
		int			data_col = -1;
		int			type_col = -1;
		char		type[128] = "";
		enum MHD_Result r;

		for (int i = 0; i < PQnfields(res); i++)
		{
			if (PQftype(res, i) == 17 && data_col < 0)	/* bytea */
				data_col = i;
			if ((strcmp(PQfname(res, i), "mime_type") == 0 ||
				 strcmp(PQfname(res, i), "content_type") == 0) && PQftype(res, i) == 25)
				type_col = i;
		}
		if (data_col < 0)
		{
			PQclear(res);
			return respond_text(c, rq, 501, "media.thumbnail() returns a type this server does not know\n");
		}
		if (PQgetisnull(res, 0, data_col))
		{
			PQclear(res);
			return respond_text(c, rq, 404, "no thumbnail\n");
		}
		if (type_col >= 0 && !PQgetisnull(res, 0, type_col) &&
			strpbrk(PQgetvalue(res, 0, type_col), "\r\n") == NULL)
			snprintf(type, sizeof(type), "%s", PQgetvalue(res, 0, type_col));
		r = respond_bytes(c, rq, (const unsigned char *) PQgetvalue(res, 0, data_col),
						  PQgetlength(res, 0, data_col), type[0] ? type : NULL);
		PQclear(res);
		return r;
	}
}

/* Compares two strings in time independent of where they differ. */
static bool
token_equal(const char *a, const char *b)
{
	size_t		la = strlen(a);
	size_t		lb = strlen(b);
	unsigned char diff = la != lb;

	for (size_t i = 0; i < la; i++)
		diff |= (unsigned char) a[i] ^ (unsigned char) b[i % (lb ? lb : 1)];
	return diff == 0;
}

/* Records an upload error to answer once the body has been read. */
static void
upload_fail(Request *rq, int status, const char *msg)
{
	if (rq->fail_status)
		return;
	rq->fail_status = status;
	rq->fail_message = strdup(msg);
}

/* Records a failed statement of an upload. */
static void
upload_fail_db(Request *rq, PGresult *res)
{
	PGconn	   *conn = server.pool.conns[rq->slot];
	int			status = http_status_for(conn, res, true);
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char		msg[1200];

	fprintf(stderr, "%s serve: upload: %s", progname,
			res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res) : PQerrorMessage(conn));
	snprintf(msg, sizeof(msg), "%s\n", status < 500 && primary ? primary : "internal error");
	PQclear(res);
	upload_fail(rq, status, msg);
}

/* Sends the buffered part of an upload with media.upload_append(). */
static void
upload_flush(Request *rq)
{
	const char *values[2] = {rq->upload_id, rq->buf};
	int			lengths[2] = {0, (int) rq->buflen};
	int			formats[2] = {0, 1};
	PGresult   *res;

	if (rq->buflen == 0 || rq->fail_status)
		return;
	res = PQexecParams(server.pool.conns[rq->slot],
					   "SELECT media.upload_append($1::bigint, $2::bytea)",
					   2, NULL, values, lengths, formats, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		upload_fail_db(rq, res);
		return;
	}
	PQclear(res);
	rq->received += rq->buflen;
	rq->buflen = 0;
}

/* Gives up an upload in progress (its bytes are freed) and the connection. */
static void
upload_release(Request *rq)
{
	if (rq->slot < 0)
		return;
	if (rq->upload_id[0])
	{
		const char *values[1] = {rq->upload_id};

		PQclear(PQexecParams(server.pool.conns[rq->slot], "SELECT media.upload_abort($1::bigint)",
							 1, NULL, values, NULL, NULL, 0));
		rq->upload_id[0] = '\0';
	}
	pool_put(&server.pool, rq->slot);
	rq->slot = -1;
}

/*
 * POST /media: the first call (headers only) checks the token and begins
 * the upload; the next ones append the body in parts; the last one
 * finishes it and answers 201 with the new id.
 */
static enum MHD_Result
handle_upload(struct MHD_Connection *c, Request *rq, const char *upload_data,
			  size_t *upload_data_size, bool first_call)
{
	if (first_call)
	{
		const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
		const char *name = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-File-Name");
		const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
		const char *values[3];
		PGresult   *res;

		if (server.token == NULL)
			return respond_text(c, rq, 405, "uploads are not enabled (set PG_MEDIA_UPLOAD_TOKEN)\n");
		if (auth == NULL || strncmp(auth, "Bearer ", 7) != 0 || !token_equal(auth + 7, server.token))
			return respond_text(c, rq, 401, "a valid \"Authorization: Bearer\" token is required\n");
		if (name == NULL)
			name = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "name");
		rq->buf = malloc(server.read_size);
		if (rq->buf == NULL)
			return respond_text(c, rq, 500, "out of memory\n");
		rq->slot = pool_get(&server.pool);
		values[0] = name;
		values[1] = type;
		values[2] = "{\"source\": \"pg_media serve\"}";
		res = PQexecParams(server.pool.conns[rq->slot],
						   "SELECT media.upload_begin($1, $2, $3::jsonb)",
						   3, NULL, values, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_TUPLES_OK)
		{
			enum MHD_Result r = respond_db_error(c, rq, server.pool.conns[rq->slot], res, true);

			upload_release(rq);
			return r;
		}
		snprintf(rq->upload_id, sizeof(rq->upload_id), "%s", PQgetvalue(res, 0, 0));
		PQclear(res);
		return MHD_YES;
	}
	if (rq->slot < 0)
		return MHD_YES;			/* answered already (refused) */
	if (*upload_data_size > 0)
	{
		size_t		left = *upload_data_size;

		while (left > 0 && !rq->fail_status)
		{
			size_t		n = server.read_size - rq->buflen;

			if (n > left)
				n = left;
			memcpy(rq->buf + rq->buflen, upload_data, n);
			rq->buflen += n;
			upload_data += n;
			left -= n;
			if (rq->buflen == (size_t) server.read_size)
				upload_flush(rq);
		}
		*upload_data_size = 0;	/* consumed (or discarded after a failure) */
		return MHD_YES;
	}

	/* the whole body has arrived */
	upload_flush(rq);
	if (!rq->fail_status)
	{
		const char *values[1] = {rq->upload_id};
		PGresult   *res = PQexecParams(server.pool.conns[rq->slot],
									   "SELECT media.upload_finish($1::bigint)",
									   1, NULL, values, NULL, NULL, 0);

		if (PQresultStatus(res) == PGRES_TUPLES_OK)
		{
			char		body[128];
			char		location[64];
			struct MHD_Response *resp;

			snprintf(body, sizeof(body), "{\"id\": %s, \"size\": %lld}\n", PQgetvalue(res, 0, 0),
					 (long long) rq->received);
			snprintf(location, sizeof(location), "/media/%s", PQgetvalue(res, 0, 0));
			PQclear(res);
			rq->upload_id[0] = '\0';	/* finished: nothing to abort */
			upload_release(rq);
			resp = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_COPY);
			MHD_add_response_header(resp, "Content-Type", "application/json");
			MHD_add_response_header(resp, "Location", location);
			MHD_add_response_header(resp, "Cache-Control", "no-store");
			rq->bytes = strlen(body);
			return queue(c, rq, 201, resp);
		}
		upload_fail_db(rq, res);
	}
	upload_release(rq);
	return respond_text(c, rq, rq->fail_status, rq->fail_message ? rq->fail_message : "upload failed\n");
}

/* Is s a file id: 1 to 18 digits (always a valid bigint)? */
static bool
is_id(const char *s, size_t len)
{
	if (len == 0 || len > 18)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* libmicrohttpd's access handler: routes each request. */
static enum MHD_Result
handle_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			   const char *version, const char *upload_data, size_t *upload_data_size,
			   void **con_cls)
{
	Request    *rq = *con_cls;
	bool		first_call = false;
	bool		get_or_head;

	if (rq == NULL)
	{
		const char *range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_RANGE);

		rq = calloc(1, sizeof(Request));
		if (rq == NULL)
			return MHD_NO;
		rq->srv = &server;
		rq->t0 = now_seconds();
		rq->slot = -1;
		snprintf(rq->method, sizeof(rq->method), "%s", method);
		rq->path = strdup(url);
		rq->range = range ? strdup(range) : NULL;
		rq->head = strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
		*con_cls = rq;
		pthread_mutex_lock(&server.mu);
		server.active++;
		pthread_mutex_unlock(&server.mu);
		first_call = true;
	}
	get_or_head = strcmp(method, MHD_HTTP_METHOD_GET) == 0 || rq->head;

	if (strcmp(url, "/media") == 0 && strcmp(method, MHD_HTTP_METHOD_POST) == 0)
		return handle_upload(c, rq, upload_data, upload_data_size, first_call);
	if (first_call)
		return MHD_YES;			/* answer on the next call, once the request is whole */
	if (*upload_data_size > 0)
	{
		*upload_data_size = 0;	/* a body nobody asked for */
		return MHD_YES;
	}

	if (strncmp(url, "/media/", 7) == 0)
	{
		const char *rest = url + 7;
		size_t		idlen = strcspn(rest, "/");
		char		id[24];

		if (is_id(rest, idlen) && (rest[idlen] == '\0' || strcmp(rest + idlen, "/thumbnail") == 0))
		{
			if (!get_or_head)
				return respond_text(c, rq, 405, "method not allowed\n");
			snprintf(id, sizeof(id), "%.*s", (int) idlen, rest);
			if (rest[idlen] == '\0')
				return serve_file(c, rq, id);
			return serve_thumbnail(c, rq, id);
		}
	}
	if (strcmp(url, "/media") == 0)
		return respond_text(c, rq, 405, "method not allowed\n");
	return respond_text(c, rq, 404, "not found\n");
}

/* Writes s to f with control characters, spaces and quotes escaped as %XX. */
static void
log_escaped(FILE *f, const char *s)
{
	for (; *s; s++)
	{
		unsigned char ch = (unsigned char) *s;

		if (ch <= 0x20 || ch == 0x7f || ch == '"' || ch == '%')
			fprintf(f, "%%%02X", ch);
		else
			fputc(ch, f);
	}
}

/*
 * libmicrohttpd's completion callback: writes the access log line, gives
 * up an unfinished upload, frees the request and counts it done.
 */
static void
request_completed(void *cls, struct MHD_Connection *c, void **con_cls,
				  enum MHD_RequestTerminationCode toe)
{
	Request    *rq = *con_cls;
	const union MHD_ConnectionInfo *info;
	char		client[INET6_ADDRSTRLEN] = "-";
	char		when[64];
	struct timespec ts;
	struct tm	tm;

	if (rq == NULL)
		return;
	upload_release(rq);

	info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (info && info->client_addr)
	{
		const struct sockaddr *sa = info->client_addr;

		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *) sa)->sin_addr, client, sizeof(client));
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *) sa)->sin6_addr, client, sizeof(client));
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);

	pthread_mutex_lock(&server.log_mu);
	fprintf(server.log, "%s.%03ldZ %s %s ", when, ts.tv_nsec / 1000000, client, rq->method);
	log_escaped(server.log, rq->path ? rq->path : "-");
	fputs(" \"", server.log);
	log_escaped(server.log, rq->range ? rq->range : "-");
	fprintf(server.log, "\" %d %llu %.1fms%s\n", rq->status ? rq->status : 500,
			(unsigned long long) rq->bytes, (now_seconds() - rq->t0) * 1000,
			toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
	fflush(server.log);
	pthread_mutex_unlock(&server.log_mu);

	free(rq->path);
	free(rq->range);
	free(rq->buf);
	free(rq->fail_message);
	free(rq);
	*con_cls = NULL;

	pthread_mutex_lock(&server.mu);
	if (--server.active == 0)
		pthread_cond_broadcast(&server.idle);
	pthread_mutex_unlock(&server.mu);
}

/* Parses HOST:PORT, [V6]:PORT or PORT into a socket address. */
static bool
parse_listen(const char *spec, struct sockaddr_storage *addr, socklen_t *len)
{
	char		host[256] = "127.0.0.1";
	const char *port;
	struct addrinfo hints = {0};
	struct addrinfo *ai;
	const char *colon = strrchr(spec, ':');

	if (spec[0] == '[')
	{
		const char *close = strchr(spec, ']');

		if (close == NULL || close[1] != ':' || (size_t) (close - spec - 1) >= sizeof(host))
			return false;
		snprintf(host, sizeof(host), "%.*s", (int) (close - spec - 1), spec + 1);
		port = close + 2;
	}
	else if (colon)
	{
		if ((size_t) (colon - spec) >= sizeof(host))
			return false;
		snprintf(host, sizeof(host), "%.*s", (int) (colon - spec), spec);
		port = colon + 1;
	}
	else
		port = spec;
	if (*port == '\0' || strspn(port, "0123456789") != strlen(port) || atoi(port) > 65535)
		return false;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	if (getaddrinfo(host, port, &hints, &ai) != 0)
		return false;
	memcpy(addr, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return true;
}

/* libmicrohttpd's own error messages go to stderr. */
static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s serve: ", progname);
	vfprintf(stderr, fmt, ap);
}

/* pg_media serve */
int
cmd_serve(int argc, char **argv)
{
	static const struct option long_options[] = {
		{"listen", required_argument, NULL, 1},
		{"pool", required_argument, NULL, 2},
		{"access-log", required_argument, NULL, 3},
		{"shutdown-timeout", required_argument, NULL, 4},
		{"max-connections", required_argument, NULL, 5},
		COMMON_LONG_OPTIONS
	};
	ConnOpts	opts = {0};
	const char *listen = "127.0.0.1:8080";
	const char *access_log = NULL;
	int			pool_size = 4;
	int			shutdown_timeout = 30;
	int			max_connections = 64;
	struct sockaddr_storage addr;
	socklen_t	addrlen;
	struct MHD_Daemon *daemon;
	const union MHD_DaemonInfo *dinfo;
	sigset_t	sigs;
	int			signo;
	int			c;
	char		host[INET6_ADDRSTRLEN] = "?";
	unsigned	flags;

	while ((c = getopt_long(argc, argv, COMMON_SHORT_OPTIONS, long_options, NULL)) != -1)
	{
		if (common_option(&opts, c, optarg, serve_help))
			continue;
		switch (c)
		{
			case 1:
				listen = optarg;
				break;
			case 2:
				pool_size = atoi(optarg);
				if (pool_size < 1 || pool_size > 100)
					pg_fatal_usage("--pool must be between 1 and 100");
				break;
			case 3:
				access_log = optarg;
				break;
			case 4:
				shutdown_timeout = atoi(optarg);
				if (shutdown_timeout < 0)
					pg_fatal_usage("--shutdown-timeout must not be negative");
				break;
			case 5:
				max_connections = atoi(optarg);
				if (max_connections < 1)
					pg_fatal_usage("--max-connections must be positive");
				break;
		}
	}
	if (optind < argc)
		pg_fatal_usage("unexpected argument \"%s\"", argv[optind]);
	if (!parse_listen(listen, &addr, &addrlen))
		pg_fatal_usage("--listen must be HOST:PORT, [IPV6]:PORT or PORT, not \"%s\"", listen);

	server.token = getenv("PG_MEDIA_UPLOAD_TOKEN");
	if (server.token && *server.token == '\0')
		server.token = NULL;
	if (server.token && strlen(server.token) < 16)
	{
		log_error("PG_MEDIA_UPLOAD_TOKEN must be at least 16 characters long");
		return EXIT_USAGE;
	}
	server.log = stderr;
	if (access_log && (server.log = fopen(access_log, "a")) == NULL)
	{
		log_error("cannot open the access log \"%s\": %s", access_log, strerror(errno));
		return EXIT_FATAL;
	}
	pthread_mutex_init(&server.log_mu, NULL);
	pthread_mutex_init(&server.mu, NULL);
	pthread_cond_init(&server.idle, NULL);
	pthread_mutex_init(&server.pool.mu, NULL);
	pthread_cond_init(&server.pool.cv, NULL);

	/* the pool: every connection made now, so a bad setup fails at once */
	server.pool.n = pool_size;
	server.pool.conns = calloc(pool_size, sizeof(PGconn *));
	server.pool.busy = calloc(pool_size, sizeof(bool));
	for (int i = 0; i < pool_size; i++)
		server.pool.conns[i] = db_connect(&opts, "pg_media serve");
	db_require_extension(server.pool.conns[0]);
	server.read_size = db_chunk_size(server.pool.conns[0]);

	/* signals are taken by this thread alone, with sigwait() */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ITC |
		MHD_USE_ERROR_LOG;
	if (addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	daemon = MHD_start_daemon(flags, 0, NULL, NULL, handle_request, NULL,
							  MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
							  MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &addr,
							  MHD_OPTION_NOTIFY_COMPLETED, request_completed, NULL,
							  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) 60,
							  MHD_OPTION_CONNECTION_LIMIT, (unsigned int) max_connections,
							  MHD_OPTION_END);
	if (daemon == NULL)
	{
		log_error("cannot listen on %s: %s", listen, strerror(errno));
		return EXIT_FATAL;
	}
	dinfo = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
	if (addr.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *) &addr)->sin_addr, host, sizeof(host));
	else
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *) &addr)->sin6_addr, host, sizeof(host));
	fprintf(stderr, "%s serve: listening on http://%s%s%s:%u/ (pool %d, uploads %s)\n",
			progname, addr.ss_family == AF_INET6 ? "[" : "", host,
			addr.ss_family == AF_INET6 ? "]" : "", dinfo ? dinfo->port : 0, pool_size,
			server.token ? "enabled" : "disabled");
	fflush(stderr);

	sigwait(&sigs, &signo);

	/* graceful: stop accepting, let requests in flight finish, then close */
	{
		MHD_socket lsock = MHD_quiesce_daemon(daemon);
		struct timespec deadline;
		int			waiting;

		pthread_mutex_lock(&server.mu);
		waiting = server.active;
		pthread_mutex_unlock(&server.mu);
		fprintf(stderr, "%s serve: %s received, finishing %d request(s) in flight\n",
				progname, signo == SIGINT ? "SIGINT" : "SIGTERM", waiting);
		clock_gettime(CLOCK_REALTIME, &deadline);
		deadline.tv_sec += shutdown_timeout;
		pthread_mutex_lock(&server.mu);
		while (server.active > 0)
			if (pthread_cond_timedwait(&server.idle, &server.mu, &deadline) == ETIMEDOUT)
				break;
		waiting = server.active;
		pthread_mutex_unlock(&server.mu);
		if (waiting > 0)
			fprintf(stderr, "%s serve: %d request(s) still running after %d s, closing them\n",
					progname, waiting, shutdown_timeout);
		MHD_stop_daemon(daemon);
		if (lsock != MHD_INVALID_SOCKET)
			close(lsock);
	}
	for (int i = 0; i < pool_size; i++)
		PQfinish(server.pool.conns[i]);
	if (server.log != stderr)
		fclose(server.log);
	fprintf(stderr, "%s serve: stopped\n", progname);
	return EXIT_OK;
}
