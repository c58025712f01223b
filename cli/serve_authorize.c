/*
 * serve_authorize.c - pg_media serve: the authorizers of uploads (see
 * serve_authorize.h) and the owner a granted upload runs as.
 */
#include "serve_authorize.h"

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

/*
 * The trusted uploader: "Authorization: Bearer PG_MEDIA_UPLOAD_TOKEN".
 * Recognises any Bearer credentials; the upload then runs as the database
 * role's own owner.
 */
static bool
authorize_upload_token(struct MHD_Connection *c, const Request *rq, UploadGrant *grant)
{
	const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);

	if (auth == NULL || strncmp(auth, "Bearer ", 7) != 0)
		return false;
	if (server.token == NULL)
	{
		grant->status = 405;
		grant->reason = "uploads are not enabled (set PG_MEDIA_UPLOAD_TOKEN)\n";
	}
	else if (!token_equal(auth + 7, server.token))
	{
		grant->status = 401;
		grant->reason = "a valid \"Authorization: Bearer\" token is required\n";
	}
	return true;
}

/* The authorizers, asked in this order; the first that recognises the request decides. */
static const UploadAuthorizer authorizers[] = {
	authorize_upload_token,
};

/*
 * Asks each authorizer in turn; a request that none recognises is refused:
 * 401 (send credentials), or 405 when this server takes no uploads at all.
 */
void
serve_authorize_upload(struct MHD_Connection *c, const Request *rq, UploadGrant *grant)
{
	memset(grant, 0, sizeof(*grant));
	for (size_t i = 0; i < sizeof(authorizers) / sizeof(authorizers[0]); i++)
		if (authorizers[i] (c, rq, grant))
			return;
	grant->status = server.token ? 401 : 405;
	grant->reason = server.token ? "a valid \"Authorization: Bearer\" token is required\n" :
		"uploads are not enabled (set PG_MEDIA_UPLOAD_TOKEN)\n";
}

/* Frees the owner a grant holds. */
void
grant_free(UploadGrant *grant)
{
	free(grant->owner);
	grant->owner = NULL;
}

/*
 * Sets media.owner for the session of the pooled connection when the grant
 * names an owner (a grant without one runs as the role's own owner).
 */
bool
grant_enter(int slot, const UploadGrant *grant, PGresult **res)
{
	const char *values[1] = {grant->owner};

	*res = NULL;
	if (grant->owner == NULL)
		return true;
	*res = PQexecParams(server.pool.conns[slot], "SELECT pg_catalog.set_config('media.owner', $1, false)",
						1, NULL, values, NULL, NULL, 0);
	if (PQresultStatus(*res) != PGRES_TUPLES_OK)
		return false;
	PQclear(*res);
	*res = NULL;
	return true;
}

/* Resets media.owner to the session's default after a grant with an owner. */
void
grant_leave(int slot, const UploadGrant *grant)
{
	if (grant->owner != NULL)
		PQclear(PQexec(server.pool.conns[slot], "RESET media.owner"));
}
