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
 */
#ifndef PG_MEDIA_SERVE_TUS_H
#define PG_MEDIA_SERVE_TUS_H

#include "serve.h"

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

#endif							/* PG_MEDIA_SERVE_TUS_H */
