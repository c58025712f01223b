/*
 * serve_sign.h - pg_media serve's signed URLs and upload tokens: the keys
 * (a file or the database's media.url_signing_keys), the check of a
 * request's signature or token (each gives the request's Grant, run as by
 * serve_authorize.h), and the Cache-Control of a signed answer.  What is
 * signed: src/core/util/signed_url.h.
 */
#ifndef PG_MEDIA_SERVE_SIGN_H
#define PG_MEDIA_SERVE_SIGN_H

#include "serve_authorize.h"

#include "util/signed_url.h"

/*
 * Loads the keys from path: a regular file that neither group nor others
 * may read or write (like ~/.pgpass), holding id:secret items.  Exits with
 * EXIT_FATAL on any problem; a file with no key is one too.
 */
extern void sign_load_keys_file(const char *path, mm_sign_keys *keys);

/*
 * Loads the keys from the database's media.url_signing_keys (the role of
 * serve must be allowed to read it: a superuser or pg_read_all_settings).
 * Exits with EXIT_FATAL when it cannot, or when it holds no key.
 */
extern void sign_load_keys_setting(PGconn *conn, mm_sign_keys *keys);

/*
 * Warns (once, at start) when the role's media.isolation is not 'setting':
 * then the owner a signed URL or upload token names does not keep one
 * owner's files and uploads from another's.
 */
extern void sign_warn_isolation(PGconn *conn);

/*
 * Admits or refuses a read of file id (variant: the canonical text of its
 * transform spec, or NULL) by its exp, own, kid and sig query arguments.
 * A valid signature sets rq->grant's owner and until.  Returns NULL to go
 * on, or the reason to answer 403 with (an unsigned request under
 * --require-signed included).
 */
extern const char *sign_refusal(struct MHD_Connection *c, Request *rq, const char *id,
								const char *variant);

/*
 * The authorizer of a signed upload token (an UploadAuthorizer of
 * serve_authorize.h): recognises "Authorization: Bearer pgmu1....";
 * allows it on the tus routes while its signature is valid and unexpired
 * (403 otherwise), as its owner and up to its max_bytes.
 */
extern bool authorize_signed_upload(struct MHD_Connection *c, const Request *rq, Grant *grant);

/*
 * For a signed request: rewrites the answer's Cache-Control so that no
 * cache keeps it past the URL's expiry ("public" or "private" as the
 * file's rule says, max-age the seconds left; no-store stays).
 */
extern void sign_cache_control(struct MHD_Response *resp, const Request *rq);

#endif							/* PG_MEDIA_SERVE_SIGN_H */
