/*
 * serve_authorize.h - pg_media serve: who may upload, and as which owner;
 * and the one way a request runs as the owner of its Grant.
 *
 * Every upload route (POST /media, the tus routes under /uploads/) asks
 * serve_authorize_upload() before it touches the database.  The answer is
 * a Grant (serve.h): allowed or not (with the HTTP status to refuse with),
 * the owner the upload's statements run as and the most bytes it may have.
 * A read of a signed URL gets its Grant from sign_refusal() (serve_sign.h).
 *
 * Whichever route made it, a Grant's owner is applied to a pooled
 * connection by grant_enter() and undone by grant_leave() (or, for one
 * statement, both around it by pool_exec_as()), so the next request on
 * that connection runs as the role's own owner again.
 *
 * Authorizers are tried in the order of the table in serve_authorize.c;
 * the first that recognises the request's credentials decides:
 *   1. a signed upload token, "Authorization: Bearer pgmu1...."
 *      (media.sign_upload(); serve_sign.c): its owner, its max_bytes,
 *      on the tus routes only;
 *   2. the PG_MEDIA_UPLOAD_TOKEN bearer token of a trusted uploader
 *      (owner: the database role's own).
 */
#ifndef PG_MEDIA_SERVE_AUTHORIZE_H
#define PG_MEDIA_SERVE_AUTHORIZE_H

#include "serve.h"

/*
 * One way to authorise an upload.  Returns false when the request carries
 * no credentials of its kind (the next authorizer is asked); true when it
 * decided, with *grant filled in (allowed, or refused with a status).
 */
typedef bool (*UploadAuthorizer) (struct MHD_Connection *c, const Request *rq, Grant *grant);

/* Asks the authorizers in turn; a request none recognises is refused with 401. */
extern void serve_authorize_upload(struct MHD_Connection *c, const Request *rq, Grant *grant);

/* Frees what a grant holds. */
extern void grant_free(Grant *grant);

/*
 * Runs the connection in slot as the grant's owner (for its session, until
 * grant_leave()); false (and *res, the failed statement) when it cannot.
 */
extern bool grant_enter(Pool *p, int slot, const Grant *grant, PGresult **res);

/*
 * Undoes grant_enter(), before the connection goes back to the pool; a
 * connection that cannot be reset to no owner is reconnected (a new
 * session has none), so an owner never outlives its request.
 */
extern void grant_leave(Pool *p, int slot, const Grant *grant);

/*
 * Runs one statement as the request's grant: grant_enter(), the
 * statement, grant_leave() (pool_exec() itself when the grant has no
 * owner).  NULL or a failed result like PQexecParams().
 */
extern PGresult *pool_exec_as(Pool *p, int slot, const Request *rq, const char *sql, int nparams,
							  const char *const *values, int result_format);

#endif							/* PG_MEDIA_SERVE_AUTHORIZE_H */
