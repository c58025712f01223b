/*
 * serve_upload.c - pg_media serve: POST /media, an upload streamed into
 * media.upload_begin/append/finish in parts of media.chunk_size, allowed
 * to whom serve_authorize_upload() allows (the PG_MEDIA_UPLOAD_TOKEN
 * bearer token), as the owner it names.
 */
#include "serve_authorize.h"

#include <stdlib.h>
#include <string.h>

/* Records an upload error to answer once the body has been read. */
static void
upload_fail(Request *rq, int status, const char *msg)
{
	if (rq->fail_status)
		return;
	rq->fail_status = status;
	rq->fail_message = strdup(msg);
}

/* Records a failed statement of an upload. */
static void
upload_fail_db(Request *rq, PGresult *res)
{
	PGconn	   *conn = server.pool.conns[rq->slot];
	int			status = http_status_for(conn, res, true);
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char		msg[1200];

	fprintf(stderr, "%s serve: upload: %s", progname,
			res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res) : PQerrorMessage(conn));
	snprintf(msg, sizeof(msg), "%s\n", status < 500 && primary ? primary : "internal error");
	PQclear(res);
	upload_fail(rq, status, msg);
}

/* Sends the buffered part of an upload with media.upload_append(). */
static void
upload_flush(Request *rq)
{
	const char *values[2] = {rq->upload_id, rq->buf};
	int			lengths[2] = {0, (int) rq->buflen};
	int			formats[2] = {0, 1};
	PGresult   *res;

	if (rq->buflen == 0 || rq->fail_status)
		return;
	res = PQexecParams(server.pool.conns[rq->slot],
					   "SELECT media.upload_append($1::bigint, $2::bytea)",
					   2, NULL, values, lengths, formats, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		upload_fail_db(rq, res);
		return;
	}
	PQclear(res);
	rq->received += rq->buflen;
	rq->buflen = 0;
}

/* Gives up an upload in progress (its bytes are freed) and the connection. */
void
upload_release(Request *rq)
{
	if (rq->slot < 0)
		return;
	if (rq->upload_id[0])
	{
		const char *values[1] = {rq->upload_id};

		PQclear(PQexecParams(server.pool.conns[rq->slot], "SELECT media.upload_abort($1::bigint)",
							 1, NULL, values, NULL, NULL, 0));
		rq->upload_id[0] = '\0';
	}
	grant_leave(&server.pool, rq->slot, &rq->grant);
	pool_put(&server.pool, rq->slot);
	rq->slot = -1;
}

/*
 * POST /media: the first call (headers only) checks the token and begins
 * the upload; the next ones append the body in parts; the last one
 * finishes it and answers 201 with the new id.
 */
enum MHD_Result
handle_upload(struct MHD_Connection *c, Request *rq, const char *upload_data,
			  size_t *upload_data_size, bool first_call)
{
	if (first_call)
	{
		const char *name = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-File-Name");
		const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
		const char *values[3];
		PGresult   *res;

		serve_authorize_upload(c, rq, &rq->grant);
		if (rq->grant.status)
			return respond_text(c, rq, rq->grant.status, rq->grant.reason);
		if (name == NULL)
			name = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "name");
		rq->buf = malloc(server.read_size);
		if (rq->buf == NULL)
			return respond_text(c, rq, 500, "out of memory\n");
		rq->slot = pool_get(&server.pool);
		values[0] = name;
		values[1] = type;
		values[2] = "{\"source\": \"pg_media serve\"}";
		if (grant_enter(&server.pool, rq->slot, &rq->grant, &res))
			res = PQexecParams(server.pool.conns[rq->slot],
							   "SELECT media.upload_begin($1, $2, $3::jsonb)",
							   3, NULL, values, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_TUPLES_OK)
		{
			enum MHD_Result r = respond_db_error(c, rq, server.pool.conns[rq->slot], res, true);

			upload_release(rq);
			return r;
		}
		snprintf(rq->upload_id, sizeof(rq->upload_id), "%s", PQgetvalue(res, 0, 0));
		PQclear(res);
		return MHD_YES;
	}
	if (rq->slot < 0)
		return MHD_YES;			/* answered already (refused) */
	if (*upload_data_size > 0)
	{
		size_t		left = *upload_data_size;

		while (left > 0 && !rq->fail_status)
		{
			size_t		n = server.read_size - rq->buflen;

			if (n > left)
				n = left;
			memcpy(rq->buf + rq->buflen, upload_data, n);
			rq->buflen += n;
			upload_data += n;
			left -= n;
			if (rq->buflen == (size_t) server.read_size)
				upload_flush(rq);
		}
		*upload_data_size = 0;	/* consumed (or discarded after a failure) */
		return MHD_YES;
	}

	/* the whole body has arrived */
	upload_flush(rq);
	if (!rq->fail_status)
	{
		const char *values[1] = {rq->upload_id};
		PGresult   *res = PQexecParams(server.pool.conns[rq->slot],
									   "SELECT media.upload_finish($1::bigint)",
									   1, NULL, values, NULL, NULL, 0);

		if (PQresultStatus(res) == PGRES_TUPLES_OK)
		{
			char		body[128];
			char		location[64];
			struct MHD_Response *resp;

			snprintf(body, sizeof(body), "{\"id\": %s, \"size\": %lld}\n", PQgetvalue(res, 0, 0),
					 (long long) rq->received);
			snprintf(location, sizeof(location), "/media/%s", PQgetvalue(res, 0, 0));
			PQclear(res);
			rq->upload_id[0] = '\0';	/* finished: nothing to abort */
			upload_release(rq);
			resp = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_COPY);
			MHD_add_response_header(resp, "Content-Type", "application/json");
			MHD_add_response_header(resp, "Location", location);
			MHD_add_response_header(resp, "Cache-Control", "no-store");
			rq->bytes = strlen(body);
			return queue_response(c, rq, 201, resp);
		}
		upload_fail_db(rq, res);
	}
	upload_release(rq);
	return respond_text(c, rq, rq->fail_status, rq->fail_message ? rq->fail_message : "upload failed\n");
}
