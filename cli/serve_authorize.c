/*
 * serve_authorize.c - pg_media serve: the authorizers of uploads (see
 * serve_authorize.h) and the one way a request runs as its grant's owner.
 */
#include "serve_authorize.h"
#include "serve_sign.h"

#include <stdlib.h>
#include <string.h>

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

/* Refuses an upload: 401 (send valid credentials), or 405 when this server takes none. */
static void
refuse_upload(Grant *grant)
{
	bool		enabled = server.token != NULL || server.sign_keys != NULL;

	grant->status = enabled ? 401 : 405;
	grant->reason = enabled ? "a valid \"Authorization: Bearer\" token is required\n" :
		"uploads are not enabled (set PG_MEDIA_UPLOAD_TOKEN, or give --signing-keys for upload tokens)\n";
}

/*
 * The trusted uploader: "Authorization: Bearer PG_MEDIA_UPLOAD_TOKEN".
 * Recognises any Bearer credentials (a signed token was recognised
 * before); the upload then runs as the database role's own owner.
 */
static bool
authorize_upload_token(struct MHD_Connection *c, const Request *rq, Grant *grant)
{
	const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);

	(void) rq;
	if (auth == NULL || strncmp(auth, "Bearer ", 7) != 0)
		return false;
	if (server.token == NULL || !token_equal(auth + 7, server.token))
		refuse_upload(grant);
	return true;
}

/* The authorizers, asked in this order; the first that recognises the request decides. */
static const UploadAuthorizer authorizers[] = {
	authorize_signed_upload,
	authorize_upload_token,
};

/* Asks each authorizer in turn; a request that none recognises is refused. */
void
serve_authorize_upload(struct MHD_Connection *c, const Request *rq, Grant *grant)
{
	memset(grant, 0, sizeof(*grant));
	for (size_t i = 0; i < sizeof(authorizers) / sizeof(authorizers[0]); i++)
		if (authorizers[i] (c, rq, grant))
			return;
	refuse_upload(grant);
}

/* Frees the owner a grant holds. */
void
grant_free(Grant *grant)
{
	free(grant->owner);
	grant->owner = NULL;
}

/*
 * Sets media.owner for the session of the pooled connection when the grant
 * names an owner (a grant without one runs as the role's own owner).
 */
bool
grant_enter(Pool *p, int slot, const Grant *grant, PGresult **res)
{
	const char *values[1] = {grant->owner};

	*res = NULL;
	if (grant->owner == NULL)
		return true;
	*res = PQexecParams(p->conns[slot], "SELECT pg_catalog.set_config('media.owner', $1, false)",
						1, NULL, values, NULL, NULL, 0);
	if (PQresultStatus(*res) != PGRES_TUPLES_OK)
		return false;
	PQclear(*res);
	*res = NULL;
	return true;
}

/*
 * Resets media.owner to the session's default after a grant with an owner:
 * out of any transaction first; when even that fails, a new session.
 */
void
grant_leave(Pool *p, int slot, const Grant *grant)
{
	PGconn	   *conn = p->conns[slot];
	PGresult   *res;

	if (grant->owner == NULL)
		return;
	if (PQtransactionStatus(conn) == PQTRANS_INTRANS || PQtransactionStatus(conn) == PQTRANS_INERROR)
		PQclear(PQexec(conn, "ROLLBACK"));
	res = PQexec(conn, "RESET media.owner");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
	{
		fprintf(stderr, "%s serve: cannot reset media.owner, reconnecting: %s", progname,
				PQerrorMessage(conn));
		PQreset(conn);
	}
	PQclear(res);
}

/* Runs one statement as the request's grant; see serve_authorize.h. */
PGresult *
pool_exec_as(Pool *p, int slot, const Request *rq, const char *sql, int nparams,
			 const char *const *values, int result_format)
{
	PGresult   *res;

	if (rq->grant.owner == NULL)
		return pool_exec(p, slot, sql, nparams, values, result_format);
	if (!grant_enter(p, slot, &rq->grant, &res))
	{
		grant_leave(p, slot, &rq->grant);
		return res;
	}
	/* no retry after a reconnect: a new session would not run as the owner */
	res = PQexecParams(p->conns[slot], sql, nparams, NULL, values, NULL, NULL, result_format);
	grant_leave(p, slot, &rq->grant);
	return res;
}
