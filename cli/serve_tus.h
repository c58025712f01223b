/*
 * serve_tus.h - pg_media serve: resumable uploads with the tus 1.0 protocol
 * (https://tus.io/protocols/resumable-upload) under /uploads/.
 *
 *   OPTIONS /uploads/        Tus-Version, Tus-Extension, Tus-Max-Size, Tus-Checksum-Algorithm
 *   POST    /uploads/        creation (Upload-Length, Upload-Metadata filename/filetype),
 *                            with a body: creation-with-upload
 *   HEAD    /uploads/{U}     Upload-Offset (what the database acknowledged), Upload-Length
 *   PATCH   /uploads/{U}     appends at Upload-Offset (409 elsewhere); Upload-Checksum
 *                            "sha256 <base64>" (460 on a mismatch, nothing kept); the
 *                            PATCH that completes the upload finishes it: Upload-File-Id
 *   DELETE  /uploads/{U}     termination (media.upload_abort)
 *
 * {U} is "{upload id}-{Upload-Length}": the upload id is media.upload_begin()'s
 * random 63-bit number, honoured only for the owner that began it.
 *
 * Every request but OPTIONS carries its credentials (serve_authorize.h):
 * the trusted uploader's token, or a signed upload token naming an owner.
 * The Upload URL itself is no credential: a request for it with another
 * owner's token finds no such upload (404, and no lock taken), one with
 * none is refused (401), so seeing another user's Upload URL lets nobody
 * read, extend or end that upload.
 */
#ifndef PG_MEDIA_SERVE_TUS_H
#define PG_MEDIA_SERVE_TUS_H

#include "serve.h"

#include "util/sha256.h"

#define TUS_VERSION "1.0.0"
#define TUS_PREFIX "/uploads"
#define TUS_CONTENT_TYPE "application/offset+octet-stream"

/* Reads Tus-Max-Size and the expiry (an interval) at start; false on a bad interval. */
extern bool tus_configure(PGconn *conn, const char *expiry);

/* Is url one of the tus routes (/uploads, /uploads/...)? */
extern bool tus_route(const char *url);

/* The access handler of the tus routes (the arguments are libmicrohttpd's). */
extern enum MHD_Result tus_handle(struct MHD_Connection *c, Request *rq, const char *url,
								  const char *method, const char *upload_data,
								  size_t *upload_data_size, bool first_call);

/* Ends a tus request: an open transaction rolled back, the connection returned. */
extern void tus_release(Request *rq);

/* serve_tus_headers.c: the protocol's headers */
extern bool header_int64(struct MHD_Connection *c, const char *name, int64_t *out);
extern bool parse_upload_path(const char *rest, char *id_text, size_t size, int64_t *length);
extern void http_date_after(int64_t seconds, char *buf, size_t size);
extern bool tus_version_ok(struct MHD_Connection *c);
extern bool has_body(struct MHD_Connection *c);
extern bool content_type_ok(struct MHD_Connection *c);
extern bool parse_checksum(struct MHD_Connection *c, uint8_t want[MM_SHA256_DIGEST_LEN],
						   bool *present, const char **error);
extern bool parse_metadata(const char *md, char **name, char **type, const char **error);

#endif							/* PG_MEDIA_SERVE_TUS_H */
