/*
 * serve_authorize.h - pg_media serve: who may upload, and as which owner.
 *
 * Every upload route (POST /media, the tus routes under /uploads/) asks
 * serve_authorize_upload() before it touches the database.  The answer is
 * an UploadGrant: allowed or not (with the HTTP status to refuse with) and
 * the owner the upload's statements run as.  The owner is applied to the
 * pooled connection by grant_enter() and undone by grant_leave(), so the
 * next request on that connection runs as the role's own owner again.
 *
 * Authorizers are tried in the order of the table in serve_authorize.c;
 * the first that recognises the request's credentials decides.  Today
 * there is one: the PG_MEDIA_UPLOAD_TOKEN bearer token of a trusted
 * uploader (owner: the database role's own).  Another way to authorise
 * (a signed URL naming its owner) is one more entry in that table: a
 * function of type UploadAuthorizer.  (UploadGrant itself is in serve.h,
 * since a Request holds one.)
 */
#ifndef PG_MEDIA_SERVE_AUTHORIZE_H
#define PG_MEDIA_SERVE_AUTHORIZE_H

#include "serve.h"

/*
 * One way to authorise an upload.  Returns false when the request carries
 * no credentials of its kind (the next authorizer is asked); true when it
 * decided, with *grant filled in (allowed, or refused with a status).
 */
typedef bool (*UploadAuthorizer) (struct MHD_Connection *c, const Request *rq,
								  UploadGrant *grant);

/* Asks the authorizers in turn; a request none recognises is refused with 401. */
extern void serve_authorize_upload(struct MHD_Connection *c, const Request *rq,
								   UploadGrant *grant);

/* Frees what a grant holds. */
extern void grant_free(UploadGrant *grant);

/* Runs the connection in slot as the grant's owner; false (and *res) on a failed statement. */
extern bool grant_enter(int slot, const UploadGrant *grant, PGresult **res);

/* Undoes grant_enter(), before the connection goes back to the pool. */
extern void grant_leave(int slot, const UploadGrant *grant);

#endif							/* PG_MEDIA_SERVE_AUTHORIZE_H */
