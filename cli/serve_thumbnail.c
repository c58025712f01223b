/*
 * serve_thumbnail.c - pg_media serve: GET/HEAD /media/{id}/thumbnail,
 * served the way the database's media.thumbnail() answers (an HTTP-like
 * record, a file id, or bytes).  Signed like the transform it is,
 * w_W,h_H,f_jpeg (media.thumbnail()'s default format), and run as the
 * signed owner; under --require-signed an unsigned request gets 403.
 */
#include "serve_sign.h"

#include <arpa/inet.h>
#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "image/spec.h"
#include "util/http.h"
#include "util/sha256.h"

/*
 * The canonical text of the transform a thumbnail of w x h is, what its
 * signature covers; false when it does not read (w and h are checked
 * numbers, so never in practice).
 */
static bool
thumbnail_variant(const char *w, const char *h, char canonical[MM_XFORM_TEXT_MAX])
{
	char		spec[64];
	mm_xform	x;

	snprintf(spec, sizeof(spec), "w_%s,h_%s,f_jpeg", w, h);
	mm_xform_init(&x);
	return mm_xform_parse_url(spec, strlen(spec), &x, NULL, 0) == 0 &&
		mm_xform_canonical(&x, canonical, MM_XFORM_TEXT_MAX) >= 0;
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
 * SHA-256 (304 when If-None-Match matches) and the source file's
 * Cache-Control (source_cache, from media.http(); when the database gave
 * none, the rule for a file that is not public).
 */
static enum MHD_Result
respond_bytes(struct MHD_Connection *c, Request *rq, const unsigned char *body, size_t len,
			  const char *type, const char *source_cache)
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
	MHD_add_response_header(resp, "Cache-Control",
							source_cache ? source_cache : mm_http_cache_control(status, 0));
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	return queue_response(c, rq, status, resp);
}

/*
 * The response for a (status, headers, body) row like media.http()'s (the
 * headers as "Key: Value" lines, the body whole, binary format), with its
 * status in *status; NULL for a 404 (or no memory), which the caller
 * answers in its words.  A 304 gets no Content-Length (RFC 9110 8.6); a
 * HEAD the one its GET would have.
 */
struct MHD_Response *
http_row_response(Request *rq, PGresult *res, int *status)
{
	char	   *headers;
	size_t		len = PQgetisnull(res, 0, 2) ? 0 : PQgetlength(res, 0, 2);
	struct MHD_Response *resp;

	int64_t		head_length = 0;

	*status = (int) ntohl(*(uint32_t *) PQgetvalue(res, 0, 0));
	if (*status == 404)
		return NULL;
	headers = strdup(PQgetisnull(res, 0, 1) ? "" : PQgetvalue(res, 0, 1));
	if (headers == NULL)
		return NULL;
	if (rq->head && *status == 200)
	{
		/* HEAD: the Content-Length of the GET, from the headers (the reader is never called) */
		char	   *copy = strdup(headers);

		if (copy)
			add_headers_text(NULL, copy, &head_length, NULL);
		free(copy);
	}
	if (*status == 304)
		resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024, read_body, rq, NULL);
	else if (head_length > 0)
		resp = MHD_create_response_from_callback((uint64_t) head_length, 1024, read_body, rq, NULL);
	else
		resp = MHD_create_response_from_buffer(len, PQgetvalue(res, 0, 2), MHD_RESPMEM_MUST_COPY);
	rq->bytes = rq->head || *status == 304 ? 0 : len;
	add_headers_text(resp, headers, NULL, NULL);
	free(headers);
	return resp;
}

/*
 * GET/HEAD /media/{id}/thumbnail?w=&h=: answers 403 to a request its
 * signature does not cover (sign_refusal()), 501 unless the database has
 * media.thumbnail(bigint, integer, integer [, format text]).  Its result is served the way
 * its declared type says: a (status, headers, body) record like
 * media.http() is passed through; a bigint is the id of a stored file,
 * served as /media/{id}; bytes (a bytea, or a record with a bytea column and
 * maybe a mime_type/content_type column) are served with an ETag of their
 * SHA-256 and the caching rule of the source file: the Cache-Control that
 * media.http() gives it, read in the same statement, so a thumbnail of a
 * file that is not public never lands in a shared cache.
 */
enum MHD_Result
serve_thumbnail(struct MHD_Connection *c, Request *rq, const char *id)
{
	const char *w = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "w");
	const char *h = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "h");
	const char *values[3] = {id, w, h};
	char	   *end;
	PGresult   *res;
	Pool	   *pool = read_pool_for(rq);
	int			slot;
	char		kind[512];
	char		variant[MM_XFORM_TEXT_MAX];
	const char *refusal;
	bool		http_like;
	long		wv = w ? strtol(w, &end, 10) : 0;

	if (w == NULL || *w == '\0' || *end != '\0' || wv < 1 || wv > 10000 ||
		h == NULL || *h == '\0' || strtol(h, &end, 10) < 1 || *end != '\0' ||
		strtol(h, NULL, 10) > 10000)
		return respond_text(c, rq, 400, "w and h must be whole numbers from 1 to 10000\n");
	if (!thumbnail_variant(w, h, variant))
		return respond_text(c, rq, 400, "w and h do not make a transform\n");
	refusal = sign_refusal(c, rq, id, variant);
	if (refusal)
		return respond_text(c, rq, 403, refusal);

	slot = pool_get(pool);
	res = pool_exec(pool, slot,
					"SELECT pg_catalog.pg_get_function_result(p.oid) FROM pg_catalog.pg_proc p"
					" WHERE p.proname = 'thumbnail'"
					"   AND p.pronamespace = 'media'::pg_catalog.regnamespace"
					"   AND p.proargtypes[0] = 'pg_catalog.int8'::pg_catalog.regtype"
					"   AND p.pronargs - p.pronargdefaults <= 3 AND p.pronargs >= 3"
					" LIMIT 1", 0, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		enum MHD_Result r = respond_db_error(c, rq, pool->conns[slot], res, false);

		pool_put(pool, slot);
		return r;
	}
	pool_put(pool, slot);
	if (PQntuples(res) == 0)
	{
		PQclear(res);
		return respond_text(c, rq, 501, "thumbnails are not available: this database's pg_media has no media.thumbnail()\n");
	}
	snprintf(kind, sizeof(kind), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	http_like = strstr(kind, "headers") && strstr(kind, "status");

	slot = read_exec(rq, http_like ?
					 "SELECT t.status,"
					 " (SELECT string_agg(key || ': ' || value, E'\\n') FROM jsonb_each_text(t.headers)),"
					 " t.body FROM media.thumbnail($1::bigint, $2::integer, $3::integer) t" :
					 "SELECT t.*, (SELECT s.headers OPERATOR(pg_catalog.->>) 'Cache-Control'"
					 "   FROM media.http($1::bigint, NULL, NULL, 'HEAD') s) AS source_cache_control"
					 " FROM media.thumbnail($1::bigint, $2::integer, $3::integer) t",
					 3, values, 1, &res);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		enum MHD_Result r = respond_db_error(c, rq, rq->pool->conns[slot], res, false);

		pool_put(rq->pool, slot);
		return r;
	}
	pool_put(rq->pool, slot);
	if (PQntuples(res) == 0)
	{
		PQclear(res);
		return respond_text(c, rq, 404, "no thumbnail\n");
	}

	if (http_like)
	{
		int			status;
		struct MHD_Response *resp = http_row_response(rq, res, &status);

		PQclear(res);
		if (resp == NULL)
			return respond_text(c, rq, 404, "no thumbnail\n");
		return queue_response(c, rq, status, resp);
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
		int			cache_col = PQfnumber(res, "source_cache_control");
		char		type[128] = "";
		char		cache[128] = "";
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
		if (cache_col >= 0 && !PQgetisnull(res, 0, cache_col) &&
			strpbrk(PQgetvalue(res, 0, cache_col), "\r\n") == NULL)
			snprintf(cache, sizeof(cache), "%s", PQgetvalue(res, 0, cache_col));
		r = respond_bytes(c, rq, (const unsigned char *) PQgetvalue(res, 0, data_col),
						  PQgetlength(res, 0, data_col), type[0] ? type : NULL,
						  cache[0] ? cache : NULL);
		PQclear(res);
		return r;
	}
}
