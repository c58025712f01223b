/*
 * serve_variant.c - pg_media serve: GET/HEAD /media/{id} and its variants.
 * A derived image is named by the URL form of the transform spec
 * (src/core/image/spec.h), in the path, /media/42/w_320,h_320,c_cover,f_auto,
 * or as query parameters, /media/42?w=320&h=320&c=cover&f=auto: both read
 * to the same canonical spec, so they are the same answer (ETag, caching,
 * signature) and a page can put either in <img srcset>.
 *
 * The answer is media.http(id, NULL, If-None-Match, method, spec): only the
 * boxes of media.thumbnail_sizes (others are 400), a weak ETag of the
 * derivative and 304, the source file's caching rule (private stays
 * private).  f_auto is resolved here from the Accept header (AVIF, WebP,
 * else JPEG or PNG; 406 when none is acceptable) and every answer to it,
 * 406 and 304 included, says "Vary: Accept".  A signed URL covers the spec
 * as written (its canonical text), before the Accept header resolves it.
 *
 * Query parameters: w, h, c, g, f and q (a transform), exp, own, kid and
 * sig (a signed URL); each at most once (400).  A request with a
 * transform takes no other parameter (400); a plain file URL ignores
 * unknown ones, so cache-busting URLs (?v=2) keep working.
 */
#include "serve_sign.h"

#include <string.h>

#include "image/spec.h"

/* The query parameters serve reads under /media/{id}; bit i is KNOWN_PARAMS[i]. */
static const char *const known_params[] = {"w", "h", "c", "g", "f", "q", "exp", "own", "kid", "sig"};
#define TRANSFORM_PARAMS 6			/* the first six: a transform */

/* What the query of a /media/{id} request holds. */
typedef struct MediaQuery
{
	char		spec[128];		/* the transform in URL form, or "": 6 x ",k_" + 16 fit */
	size_t		len;
	unsigned	seen;			/* a bit per known parameter given */
	char		unknown[48];	/* the first unknown parameter, or "" */
	char		error[160];		/* the first other problem, or "" */
} MediaQuery;

/* Is s a parameter value a transform takes: 1 to 16 letters and digits? */
static bool
plain_value(const char *s)
{
	size_t		n = s ? strlen(s) : 0;

	if (n == 0 || n > 16)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

/* libmicrohttpd's iterator over the query: records each parameter in a MediaQuery. */
static enum MHD_Result
read_param(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	MediaQuery *q = cls;
	size_t		i;

	(void) kind;
	for (i = 0; i < sizeof(known_params) / sizeof(known_params[0]); i++)
		if (strcmp(key, known_params[i]) == 0)
			break;
	if (i == sizeof(known_params) / sizeof(known_params[0]))
	{
		if (q->unknown[0] == '\0')
			snprintf(q->unknown, sizeof(q->unknown), "%.40s", key);
		return MHD_YES;
	}
	if (q->error[0])
		return MHD_YES;
	if (q->seen & (1u << i))
		snprintf(q->error, sizeof(q->error), "query parameter \"%s\" is given twice\n", key);
	else if (i < TRANSFORM_PARAMS && !plain_value(value))
		snprintf(q->error, sizeof(q->error),
				 "query parameter \"%s\" needs a value of letters and digits, e.g. %s=320\n", key, key);
	else if (i < TRANSFORM_PARAMS)
		q->len += snprintf(q->spec + q->len, sizeof(q->spec) - q->len, "%s%s_%s",
						   q->len ? "," : "", key, value);
	q->seen |= 1u << i;
	return MHD_YES;
}

/* The 400 of a transform: its text, what is wrong, an example. */
static enum MHD_Result
invalid_transform(struct MHD_Connection *c, Request *rq, const char *spec, const char *err)
{
	char		msg[400];

	snprintf(msg, sizeof(msg), "invalid transform \"%.60s\": %s (e.g. w_320,h_320,c_cover,f_auto, "
			 "or ?w=320&h=320&c=cover&f=auto)\n", spec, err);
	return respond_text(c, rq, 400, msg);
}

/* Serves a transform (URL form, from the path or the query); see the file comment. */
static enum MHD_Result
serve_variant(struct MHD_Connection *c, Request *rq, const char *id, const char *spec)
{
	const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	mm_xform	x;
	char		err[160];
	char		as_written[MM_XFORM_TEXT_MAX];
	char		resolved[MM_XFORM_TEXT_MAX];
	const char *values[4];
	const char *refusal;
	PGresult   *res;
	int			slot;
	int			status;
	struct MHD_Response *resp;

	mm_xform_init(&x);
	if (mm_xform_parse_url(spec, strlen(spec), &x, err, sizeof(err)) != 0 ||
		mm_xform_canonical(&x, as_written, sizeof(as_written)) < 0)
		return invalid_transform(c, rq, spec, err);
	if (x.format == MM_THUMB_AUTO)
		rq->vary = "Accept";	/* on every answer from here on, 403 and 406 included */
	refusal = sign_refusal(c, rq, id, as_written);
	if (refusal)
		return respond_text(c, rq, 403, refusal);
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
	return queue_response(c, rq, status, resp);
}

/*
 * GET/HEAD /media/{id}[/{sub}]: reads the query, then serves the file, its
 * thumbnail (sub "thumbnail") or the transform of the path or the query.
 */
enum MHD_Result
serve_media(struct MHD_Connection *c, Request *rq, const char *id, const char *sub)
{
	MediaQuery	q = {.len = 0};
	bool		thumbnail = sub && strcmp(sub, "thumbnail") == 0;
	char		msg[200];
	const char *refusal;

	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, read_param, &q);
	if (q.error[0])
		return respond_text(c, rq, 400, q.error);
	if (thumbnail && (q.unknown[0] || (q.seen & ((1u << TRANSFORM_PARAMS) - 1) & ~3u)))
		return respond_text(c, rq, 400, "the thumbnail route takes w and h (and a signed URL's exp, own, "
							"kid and sig); for more, use /media/{id}?w=..&h=..&c=..&f=..\n");
	if (thumbnail)
		return serve_thumbnail(c, rq, id);	/* its own w and h, signed as w_W,h_H,f_jpeg */
	if (sub && q.len)
		return respond_text(c, rq, 400, "a transform is given both in the path and in the query: give one\n");
	if ((sub || q.len) && q.unknown[0])
	{
		snprintf(msg, sizeof(msg), "unknown query parameter \"%s\": a transform takes w, h, c, g, f and q, "
				 "a signed URL exp, own, kid and sig\n", q.unknown);
		return respond_text(c, rq, 400, msg);
	}
	if (sub || q.len)
		return serve_variant(c, rq, id, sub ? sub : q.spec);
	refusal = sign_refusal(c, rq, id, NULL);
	if (refusal)
		return respond_text(c, rq, 403, refusal);
	return serve_file(c, rq, id);
}
