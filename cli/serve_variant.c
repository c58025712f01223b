/*
 * serve_variant.c - pg_media serve: GET/HEAD /media/{id}/{transform}, a
 * derived image named in the URL form of the transform spec
 * (src/core/image/spec.h), e.g. /media/42/w_320,h_320,c_cover,f_auto, so a
 * page can put transforms in <img srcset>.
 *
 * The answer is media.http(id, NULL, If-None-Match, method, spec): only the
 * boxes of media.thumbnail_sizes (others are 400), a weak ETag of the
 * derivative and 304, the source file's caching rule (private stays
 * private).  f_auto is resolved here from the Accept header (AVIF, WebP,
 * else JPEG or PNG; 406 when none is acceptable) and the answer says
 * "Vary: Accept".  A signed URL covers the spec as written, before the
 * Accept header resolves it.
 */
#include "serve_sign.h"

#include <string.h>

#include "image/spec.h"

/* Serves a transform URL; see the file comment. */
enum MHD_Result
serve_variant(struct MHD_Connection *c, Request *rq, const char *id, const char *spec)
{
	const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	mm_xform	x;
	char		err[160];
	char		msg[400];
	char		as_written[MM_XFORM_TEXT_MAX];
	char		resolved[MM_XFORM_TEXT_MAX];
	const char *values[4];
	const char *refusal;
	bool		by_accept;
	PGresult   *res;
	int			slot;
	int			status;
	struct MHD_Response *resp;

	mm_xform_init(&x);
	if (mm_xform_parse_url(spec, strlen(spec), &x, err, sizeof(err)) != 0 ||
		mm_xform_canonical(&x, as_written, sizeof(as_written)) < 0)
	{
		snprintf(msg, sizeof(msg), "invalid transform \"%.60s\": %s (e.g. w_320,h_320,c_cover,f_auto)\n",
				 spec, err);
		return respond_text(c, rq, 400, msg);
	}
	refusal = sign_refusal(c, rq, id, as_written);
	if (refusal)
		return respond_text(c, rq, 403, refusal);
	by_accept = x.format == MM_THUMB_AUTO;
	if (mm_xform_negotiate(&x, accept, accept ? strlen(accept) : 0) != 0)
		return respond_text(c, rq, 406, "the Accept header accepts none of AVIF, WebP, JPEG and PNG\n");
	if (mm_xform_canonical(&x, resolved, sizeof(resolved)) < 0)
		return respond_text(c, rq, 400, "invalid transform\n");

	values[0] = id;
	values[1] = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
	values[2] = rq->head ? "HEAD" : "GET";
	values[3] = resolved;
	slot = read_exec(rq,
					 "SELECT h.status,"
					 " (SELECT string_agg(key || ': ' || value, E'\\n') FROM jsonb_each_text(h.headers)),"
					 " h.body FROM media.http($1::bigint, NULL, $2, $3, $4) h",
					 4, values, 1, &res);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
	{
		enum MHD_Result r = respond_db_error(c, rq, rq->pool->conns[slot], res, false);

		pool_put(rq->pool, slot);
		return r;
	}
	pool_put(rq->pool, slot);
	resp = http_row_response(rq, res, &status);
	PQclear(res);
	if (resp == NULL)
		return respond_text(c, rq, 404, "media file not found\n");
	if (by_accept)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept");
	return queue_response(c, rq, status, resp);
}
