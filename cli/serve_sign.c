/*
 * serve_sign.c - pg_media serve's signed URLs and upload tokens
 * (serve_sign.h): keys, the check of a request, Cache-Control.
 */
#include "serve_sign.h"
#include "serve_tus.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define KEY_FILE_MAX 65536			/* bytes of a key file, at most */

/* Parses a key list or exits, naming where it came from. */
static void
parse_keys_or_exit(const char *text, size_t len, const char *where, mm_sign_keys *keys)
{
	char		err[160];

	if (mm_sign_keys_parse(text, len, keys, err, sizeof(err)) != 0)
	{
		log_error("%s: %s", where, err);
		exit(EXIT_FATAL);
	}
	if (keys->n == 0)
	{
		log_error("%s holds no key (id:secret)", where);
		exit(EXIT_FATAL);
	}
}

/* Loads the keys from a file; see serve_sign.h. */
void
sign_load_keys_file(const char *path, mm_sign_keys *keys)
{
	int			fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	char	   *buf;
	ssize_t		got;
	size_t		len = 0;

	if (fd < 0 || fstat(fd, &st) != 0)
	{
		log_error("cannot open the signing keys \"%s\": %s", path, strerror(errno));
		exit(EXIT_FATAL);
	}
	if (!S_ISREG(st.st_mode))
	{
		log_error("the signing keys \"%s\" are not a regular file", path);
		exit(EXIT_FATAL);
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO))
	{
		log_error("the signing keys \"%s\" may be read or written by group or others (mode %04o); "
				  "run chmod 600 on it", path, (unsigned) (st.st_mode & 07777));
		exit(EXIT_FATAL);
	}
	buf = malloc(KEY_FILE_MAX + 1);
	if (buf == NULL)
	{
		log_error("out of memory");
		exit(EXIT_FATAL);
	}
	while (len <= KEY_FILE_MAX && (got = read(fd, buf + len, KEY_FILE_MAX + 1 - len)) > 0)
		len += (size_t) got;
	close(fd);
	if (len > KEY_FILE_MAX)
	{
		log_error("the signing keys \"%s\" are larger than %d bytes", path, KEY_FILE_MAX);
		exit(EXIT_FATAL);
	}
	parse_keys_or_exit(buf, len, path, keys);
	memset(buf, 0, len);
	free(buf);
}

/* Loads the keys from media.url_signing_keys; see serve_sign.h. */
void
sign_load_keys_setting(PGconn *conn, mm_sign_keys *keys)
{
	PGresult   *res = PQexec(conn, "SELECT pg_catalog.current_setting('media.url_signing_keys')");

	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
	{
		log_error("cannot read media.url_signing_keys (a superuser, or a member of "
				  "pg_read_all_settings, may): %s", PQresultErrorMessage(res));
		PQclear(res);
		exit(EXIT_FATAL);
	}
	parse_keys_or_exit(PQgetvalue(res, 0, 0), PQgetlength(res, 0, 0), "media.url_signing_keys", keys);
	memset(PQgetvalue(res, 0, 0), 0, PQgetlength(res, 0, 0));
	PQclear(res);
}

/* Warns when media.isolation does not keep owners apart; see serve_sign.h. */
void
sign_warn_isolation(PGconn *conn)
{
	PGresult   *res = PQexec(conn, "SELECT coalesce(pg_catalog.current_setting('media.isolation', true), '')");

	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
		strcmp(PQgetvalue(res, 0, 0), "setting") != 0)
	{
		fprintf(stderr, "%s: warning: media.isolation is '%s' for this role, so the owner a signed URL "
				"or upload token names does not keep owners' files apart\n", progname, PQgetvalue(res, 0, 0));
		log_hint("ALTER ROLE <serve's role> SET media.isolation = 'setting'");
	}
	PQclear(res);
}

/*
 * Why a signature is refused, for a URL or an upload token; NULL for
 * MM_SIGN_OK.
 */
static const char *
sign_reason(mm_sign_status st, bool token)
{
	switch (st)
	{
		case MM_SIGN_OK:
			return NULL;
		case MM_SIGN_MALFORMED:
			return token ? "the upload token is malformed\n" : "the URL's signature is malformed\n";
		case MM_SIGN_UNKNOWN_KEY:
			return token ? "the upload token is signed with a key this server does not hold\n" :
				"the URL is signed with a key this server does not hold\n";
		case MM_SIGN_BAD_SIGNATURE:
			return token ? "the upload token's signature does not match it\n" :
				"the URL's signature does not match it\n";
		case MM_SIGN_EXPIRED:
			return token ? "the upload token has expired\n" : "the URL has expired\n";
	}
	return "the signature is refused\n";
}

/* Gives the grant a copy of owner (NULL: none); false when out of memory. */
static bool
grant_owner(Grant *grant, const char *owner)
{
	if (owner == NULL)
		return true;
	grant->owner = strdup(owner);
	return grant->owner != NULL;
}

/* Checks a request's signature; see serve_sign.h. */
const char *
sign_refusal(struct MHD_Connection *c, Request *rq, const char *id, const char *variant)
{
	const char *sig = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "sig");
	const char *exp = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "exp");
	mm_signed_fields f = {id, variant, 0, NULL, MM_SIGN_READ, 0};
	mm_sign_status st;

	if (sig == NULL)
		return rq->srv->require_signed ? "this server answers signed URLs only\n" : NULL;
	if (rq->srv->sign_keys == NULL)
		return "this server has no signing keys: signed URLs are not accepted\n";
	f.owner = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "own");
	if (mm_sign_parse_expires(exp, &f.expires) != 0)
		st = MM_SIGN_MALFORMED;
	else
		st = mm_sign_verify(rq->srv->sign_keys, MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "kid"),
							sig, &f, (int64_t) time(NULL));
	if (st != MM_SIGN_OK)
		return sign_reason(st, false);
	rq->grant.until = f.expires;
	return grant_owner(&rq->grant, f.owner) ? NULL : "out of memory\n";
}

/* The authorizer of signed upload tokens; see serve_sign.h. */
bool
authorize_signed_upload(struct MHD_Connection *c, const Request *rq, Grant *grant)
{
	static const char bearer[] = "Bearer " MM_SIGN_TOKEN_PREFIX;
	const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	mm_sign_token_parts parts;
	mm_signed_fields f;
	mm_sign_status st;

	if (auth == NULL || strncmp(auth, bearer, sizeof(bearer) - 1) != 0)
		return false;
	grant->status = 403;
	if (!tus_route(rq->path))
		grant->reason = "an upload token is for the tus routes (/uploads/) only\n";
	else if (server.sign_keys == NULL)
		grant->reason = "this server has no signing keys: upload tokens are not accepted\n";
	else
	{
		auth += 7;
		if (mm_sign_upload_token_parse(auth, strlen(auth), &f, &parts) != 0)
			st = MM_SIGN_MALFORMED;
		else
			st = mm_sign_verify(server.sign_keys, parts.kid, parts.sig, &f, (int64_t) time(NULL));
		grant->reason = sign_reason(st, true);
		if (st == MM_SIGN_OK && !grant_owner(grant, f.owner))
		{
			grant->status = 500;
			grant->reason = "out of memory\n";
		}
		else if (st == MM_SIGN_OK)
		{
			grant->status = 0;
			grant->until = f.expires;
			grant->max_bytes = f.max_bytes;
		}
		memset(&parts, 0, sizeof(parts));
	}
	return true;
}

/* Rewrites Cache-Control for a signed answer; see serve_sign.h. */
void
sign_cache_control(struct MHD_Response *resp, const Request *rq)
{
	const char *old = MHD_get_response_header(resp, "Cache-Control");
	char	   *copy;
	char		value[64];
	int64_t		left = rq->grant.until - (int64_t) time(NULL);

	if (rq->grant.until == 0 || old == NULL || strncmp(old, "no-store", 8) == 0)
		return;
	if (left < 0)
		left = 0;
	snprintf(value, sizeof(value), "%s, max-age=%lld",
			 strncmp(old, "public", 6) == 0 ? "public" : "private", (long long) left);
	copy = strdup(old);
	if (copy == NULL)
		return;
	MHD_del_response_header(resp, "Cache-Control", copy);
	free(copy);
	MHD_add_response_header(resp, "Cache-Control", value);
}
