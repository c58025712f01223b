/*
 * serve_tus.c - pg_media serve: tus 1.0 resumable uploads under /uploads/
 * (the routes are listed in serve_tus.h), backed by media.upload_begin,
 * upload_append, upload_status, upload_finish and upload_abort.
 *
 * A request body is never held whole: it is cut into parts of
 * media.chunk_size, each appended with one media.upload_append() as soon as
 * it is full, so memory per upload is one part and every part the database
 * has acknowledged survives a dropped connection (HEAD then reports it and
 * the client resumes there).  A body with Upload-Checksum is appended in
 * one transaction instead, committed only when its SHA-256 matches, so a
 * mismatch (460) leaves the upload as it was.  While a PATCH writes, it
 * holds a session advisory lock on the upload id, so a second writer of the
 * same upload gets 423 rather than interleaving its bytes.
 *
 * Upload-Expires is the time of the answer plus --upload-expiry: what
 * media.cleanup_uploads(older_than) removes, run with the same interval.
 */
#include "serve_tus.h"
#include "serve_authorize.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define TUS_EXTENSIONS "creation,creation-with-upload,termination,expiration,checksum"
#define TUS_STATUS_CHECKSUM_MISMATCH 460

/* The state of one tus request that reads or writes an upload. */
typedef struct TusRequest
{
	char		upload_id[24];	/* media.upload_begin()'s id, as text */
	int64_t		length;			/* Upload-Length */
	int64_t		offset;			/* bytes the database has acknowledged */
	int64_t		start_offset;	/* the offset before this request's body */
	int			slot;			/* pool connection held, or -1 */
	bool		creating;		/* POST: the upload is aborted if the request fails */
	bool		locked;			/* holds the upload's advisory lock */
	bool		in_transaction; /* a checksummed body, appended in one transaction */
	bool		checksum;		/* Upload-Checksum was given */
	uint8_t		want[MM_SHA256_DIGEST_LEN];
	mm_sha256	hash;
	char	   *buf;			/* the part being filled (media.chunk_size bytes) */
	size_t		buflen;
	int			fail_status;	/* an error to answer once the body is read */
	char		fail_message[256];
	char		file_id[24];	/* the new file, once finished */
} TusRequest;

/*
 * A response with a short text body and the headers every tus answer
 * carries (Tus-Resumable, Cache-Control: no-store); the caller adds the
 * rest and queues it.
 */
static struct MHD_Response *
tus_response(int status, const char *text)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), (void *) text,
																MHD_RESPMEM_MUST_COPY);

	MHD_add_response_header(resp, "Tus-Resumable", TUS_VERSION);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (*text)
		MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8");
	if (status == 412)
		MHD_add_response_header(resp, "Tus-Version", TUS_VERSION);
	if (status == 401)
		MHD_add_response_header(resp, "WWW-Authenticate", "Bearer");
	return resp;
}

/* Answers with a tus response of a short text. */
static enum MHD_Result
tus_answer(struct MHD_Connection *c, Request *rq, int status, const char *text)
{
	struct MHD_Response *resp = tus_response(status, text);

	if (status == 405)
		MHD_add_response_header(resp, "Allow", strcmp(rq->path, TUS_PREFIX) == 0 ||
								strcmp(rq->path, TUS_PREFIX "/") == 0 ?
								"OPTIONS, POST" : "OPTIONS, HEAD, PATCH, DELETE");
	rq->bytes = rq->head ? 0 : strlen(text);
	return queue_response(c, rq, status, resp);
}

/* Records an error to answer once the body has been read (the first one wins). */
static void
tus_fail(TusRequest *tr, int status, const char *fmt,...)
{
	va_list		ap;

	if (tr->fail_status)
		return;
	tr->fail_status = status;
	va_start(ap, fmt);
	vsnprintf(tr->fail_message, sizeof(tr->fail_message), fmt, ap);
	va_end(ap);
}

/*
 * Records a failed statement (and clears res): its HTTP status, the
 * server's message for a 4xx, a generic one for a 5xx.
 */
static void
tus_fail_db(Request *rq, TusRequest *tr, PGresult *res)
{
	PGconn	   *conn = server.pool.conns[tr->slot];
	int			status = http_status_for(conn, res, true);
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	fprintf(stderr, "%s serve: %s %s: %s", progname, rq->method, rq->path,
			res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res) : PQerrorMessage(conn));
	tus_fail(tr, status, "%s\n", status < 500 && primary ? primary :
			 status == 503 ? "database unavailable" : "internal error");
	PQclear(res);
}

/*
 * Runs one statement on the request's connection; on success returns its
 * first value as an int64 (0 when it has none) and true, else records the
 * failure and returns false.
 */
static bool
tus_exec(Request *rq, TusRequest *tr, const char *sql, int nparams, const char *const *values,
		 const int *lengths, const int *formats, int64_t *result)
{
	PGresult   *res = PQexecParams(server.pool.conns[tr->slot], sql, nparams, NULL, values,
								   lengths, formats, 0);
	ExecStatusType st = PQresultStatus(res);

	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
	{
		tus_fail_db(rq, tr, res);
		return false;
	}
	if (result)
		*result = st == PGRES_TUPLES_OK && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0) ?
			strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
	PQclear(res);
	return true;
}

/* Runs a statement that takes the upload id as its only parameter. */
static bool
tus_exec_upload(Request *rq, TusRequest *tr, const char *sql, int64_t *result)
{
	const char *values[1] = {tr->upload_id};

	return tus_exec(rq, tr, sql, 1, values, NULL, NULL, result);
}

/* Creates the request's tus state and borrows a connection, as the grant's owner. */
static TusRequest *
tus_start(Request *rq)
{
	TusRequest *tr = calloc(1, sizeof(TusRequest));
	PGresult   *res;

	if (tr == NULL)
		return NULL;
	rq->tus = tr;
	tr->slot = pool_get(&server.pool);
	if (!grant_enter(&server.pool, tr->slot, &rq->grant, &res))
		tus_fail_db(rq, tr, res);
	return tr;
}

/*
 * Starts a request on the upload its path names ("{id}-{length}", after
 * /uploads/); NULL once it has answered (404 for a path that names none).
 */
static TusRequest *
tus_start_upload(struct MHD_Connection *c, Request *rq, const char *rest, enum MHD_Result *answer)
{
	char		id[24];
	int64_t		length;
	TusRequest *tr;

	if (!parse_upload_path(rest, id, sizeof(id), &length))
	{
		*answer = tus_answer(c, rq, 404, "no such upload\n");
		return NULL;
	}
	if ((tr = tus_start(rq)) == NULL)
	{
		*answer = tus_answer(c, rq, 500, "out of memory\n");
		return NULL;
	}
	memcpy(tr->upload_id, id, sizeof(tr->upload_id));
	tr->length = length;
	return tr;
}

/*
 * Ends a tus request: rolls back an unfinished checksummed body, aborts an
 * upload whose creation did not complete, releases the advisory lock and
 * returns the connection.  Called once the answer is queued, and by the
 * completion callback for a request cut short.
 */
void
tus_release(Request *rq)
{
	TusRequest *tr = rq->tus;

	if (tr == NULL)
		return;
	if (tr->slot >= 0)
	{
		PGconn	   *conn = server.pool.conns[tr->slot];

		if (tr->in_transaction)
			PQclear(PQexec(conn, "ROLLBACK"));
		if (tr->creating)
		{
			const char *values[1] = {tr->upload_id};

			PQclear(PQexecParams(conn, "SELECT media.upload_abort($1::bigint)", 1, NULL, values,
								 NULL, NULL, 0));
		}
		if (tr->locked)
		{
			const char *values[1] = {tr->upload_id};

			PQclear(PQexecParams(conn, "SELECT pg_catalog.pg_advisory_unlock($1::bigint)", 1, NULL,
								 values, NULL, NULL, 0));
		}
		grant_leave(&server.pool, tr->slot, &rq->grant);
		pool_put(&server.pool, tr->slot);
	}
	free(tr->buf);
	free(tr);
	rq->tus = NULL;
}

/* Answers the request's recorded failure and ends it. */
static enum MHD_Result
tus_answer_failure(struct MHD_Connection *c, Request *rq)
{
	TusRequest *tr = rq->tus;
	enum MHD_Result r = tus_answer(c, rq, tr->fail_status, tr->fail_message);

	tus_release(rq);
	return r;
}

/*
 * The headers of a POST or PATCH are settled: unless they failed, makes
 * ready to take the body at tr->offset (a part buffer and, for a
 * checksummed body, a transaction); a failure is answered at once, before
 * the client sends the body.
 */
static enum MHD_Result
tus_expect_body(struct MHD_Connection *c, Request *rq, TusRequest *tr)
{
	tr->start_offset = tr->offset;
	mm_sha256_init(&tr->hash);
	if (!tr->fail_status && (tr->buf = malloc(server.read_size)) == NULL)
		tus_fail(tr, 500, "out of memory\n");
	if (!tr->fail_status && tr->checksum && tus_exec(rq, tr, "BEGIN", 0, NULL, NULL, NULL, NULL))
		tr->in_transaction = true;
	if (tr->fail_status)
		return tus_answer_failure(c, rq);
	return MHD_YES;
}

/* Appends the filled part with media.upload_append(); the database's count is the offset. */
static void
tus_flush(Request *rq, TusRequest *tr)
{
	const char *values[2] = {tr->upload_id, tr->buf};
	int			lengths[2] = {0, (int) tr->buflen};
	int			formats[2] = {0, 1};

	if (tr->buflen == 0 || tr->fail_status)
		return;
	if (tus_exec(rq, tr, "SELECT media.upload_append($1::bigint, $2::bytea)", 2, values, lengths,
				 formats, &tr->offset))
		tr->buflen = 0;
}

/* Takes the next piece of a body: fills the part, appending each one that is full. */
static void
tus_receive(Request *rq, TusRequest *tr, const char *data, size_t size)
{
	while (size > 0 && !tr->fail_status)
	{
		size_t		n = (size_t) server.read_size - tr->buflen;

		if (n > size)
			n = size;
		if ((int64_t) n > tr->length - tr->offset - (int64_t) tr->buflen)
		{
			tus_fail(tr, 413, "the body goes beyond Upload-Length (%lld bytes)\n",
					 (long long) tr->length);
			break;
		}
		memcpy(tr->buf + tr->buflen, data, n);
		if (tr->checksum)
			mm_sha256_update(&tr->hash, data, n);
		tr->buflen += n;
		data += n;
		size -= n;
		if (tr->buflen == (size_t) server.read_size)
			tus_flush(rq, tr);
	}
}

/*
 * The body has arrived: appends the last part, settles a checksummed body
 * (commit on a match; rollback and 460 on a mismatch) and, when the upload
 * is complete, finishes it into a file.  A file the database refuses (4xx)
 * is aborted: no retry could store it.
 */
static void
tus_close_body(Request *rq, TusRequest *tr)
{
	int64_t		file_id;

	tus_flush(rq, tr);
	if (tr->checksum && !tr->fail_status)
	{
		uint8_t		got[MM_SHA256_DIGEST_LEN];

		mm_sha256_final(&tr->hash, got);
		if (memcmp(got, tr->want, sizeof(got)) != 0)
			tus_fail(tr, TUS_STATUS_CHECKSUM_MISMATCH,
					 "checksum mismatch: the body's sha256 is not Upload-Checksum's; nothing was kept\n");
	}
	if (tr->in_transaction)
	{
		tr->in_transaction = false;
		if (tr->fail_status)
			PQclear(PQexec(server.pool.conns[tr->slot], "ROLLBACK"));
		else
			(void) tus_exec(rq, tr, "COMMIT", 0, NULL, NULL, NULL, NULL);
		if (tr->fail_status)
			tr->offset = tr->start_offset;
	}
	if (tr->fail_status || tr->offset != tr->length)
		return;
	if (tus_exec_upload(rq, tr, "SELECT media.upload_finish($1::bigint)", &file_id))
	{
		snprintf(tr->file_id, sizeof(tr->file_id), "%lld", (long long) file_id);
		tr->creating = false;
	}
	else if (tr->fail_status < 500)
		tr->creating = true;	/* refused for good: tus_release() aborts it */
}

/* Adds the headers of an upload's progress: Upload-Offset, Upload-Expires or Upload-File-Id. */
static void
add_progress_headers(struct MHD_Response *resp, const TusRequest *tr)
{
	char		buf[64];

	snprintf(buf, sizeof(buf), "%lld", (long long) tr->offset);
	MHD_add_response_header(resp, "Upload-Offset", buf);
	if (tr->file_id[0])
		MHD_add_response_header(resp, "Upload-File-Id", tr->file_id);
	else if (server.upload_expiry > 0)
	{
		http_date_after(server.upload_expiry, buf, sizeof(buf));
		MHD_add_response_header(resp, "Upload-Expires", buf);
	}
}

/* Answers a body that was taken in whole: 201 to a POST, 204 to a PATCH. */
static enum MHD_Result
tus_answer_body(struct MHD_Connection *c, Request *rq, bool created)
{
	TusRequest *tr = rq->tus;
	struct MHD_Response *resp;
	enum MHD_Result r;

	tus_close_body(rq, tr);
	if (tr->fail_status)
		return tus_answer_failure(c, rq);
	resp = tus_response(created ? 201 : 204, "");
	add_progress_headers(resp, tr);
	if (created)
	{
		char		location[96];

		snprintf(location, sizeof(location), TUS_PREFIX "/%s-%lld", tr->upload_id,
				 (long long) tr->length);
		MHD_add_response_header(resp, "Location", location);
		tr->creating = false;
	}
	/* the /metrics gauge: an upload begins at its 201, ends with its file */
	if (created != (tr->file_id[0] != '\0'))
		metrics_upload_delta(created ? 1 : -1);
	r = queue_response(c, rq, created ? 201 : 204, resp);
	tus_release(rq);
	return r;
}

/*
 * POST /uploads/ (creation): checks Upload-Length against
 * media.max_upload_size (413), begins the upload with the metadata's
 * filename and filetype, and takes a body when there is one
 * (creation-with-upload).
 */
static enum MHD_Result
tus_create(struct MHD_Connection *c, Request *rq)
{
	const char *md = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Upload-Metadata");
	const char *error = NULL;
	char	   *name = NULL;
	char	   *type = NULL;
	int64_t		length;
	TusRequest *tr;
	const char *values[3];
	PGresult   *res;

	if (MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Upload-Defer-Length"))
		return tus_answer(c, rq, 400, "Upload-Defer-Length is not supported: send Upload-Length\n");
	if (!header_int64(c, "Upload-Length", &length))
		return tus_answer(c, rq, 400, "Upload-Length (a number of bytes) is required\n");
	if (server.upload_max > 0 && length > server.upload_max)
		return tus_answer(c, rq, 413, "Upload-Length is larger than Tus-Max-Size (media.max_upload_size)\n");
	if (rq->grant.max_bytes > 0 && length > rq->grant.max_bytes)
		return tus_answer(c, rq, 413, "Upload-Length is larger than the upload token allows\n");
	if (has_body(c) && !content_type_ok(c))
		return tus_answer(c, rq, 415, "a body needs Content-Type: " TUS_CONTENT_TYPE "\n");
	if (!parse_metadata(md, &name, &type, &error))
	{
		free(name);
		free(type);
		return tus_answer(c, rq, 400, error);
	}
	tr = tus_start(rq);
	if (tr == NULL)
		return tus_answer(c, rq, 500, "out of memory\n");
	tr->length = length;
	if (!parse_checksum(c, tr->want, &tr->checksum, &error))
		tus_fail(tr, 400, "%s", error);
	values[0] = name;
	values[1] = type;
	values[2] = "{\"source\": \"pg_media serve (tus)\"}";
	if (!tr->fail_status)
	{
		res = PQexecParams(server.pool.conns[tr->slot], "SELECT media.upload_begin($1, $2, $3::jsonb)",
						   3, NULL, values, NULL, NULL, 0);
		if (PQresultStatus(res) == PGRES_TUPLES_OK)
		{
			snprintf(tr->upload_id, sizeof(tr->upload_id), "%s", PQgetvalue(res, 0, 0));
			tr->creating = true;
			PQclear(res);
		}
		else
			tus_fail_db(rq, tr, res);
	}
	free(name);
	free(type);
	return tus_expect_body(c, rq, tr);
}

/*
 * PATCH /uploads/{U}, headers: checks the upload's length against the
 * grant's max_bytes (413; the length in {U} is the client's word, so the
 * limit is applied at every PATCH, which never writes past that length),
 * takes the upload's advisory lock (423 when another request writes it)
 * and checks Upload-Offset against what the database acknowledged (409
 * when they differ).
 */
static enum MHD_Result
tus_patch_start(struct MHD_Connection *c, Request *rq, const char *rest)
{
	TusRequest *tr;
	const char *error = NULL;
	int64_t		offset;
	int64_t		locked = 0;
	enum MHD_Result answer;

	if (!content_type_ok(c))
		return tus_answer(c, rq, 415, "PATCH needs Content-Type: " TUS_CONTENT_TYPE "\n");
	if (!header_int64(c, "Upload-Offset", &offset))
		return tus_answer(c, rq, 400, "Upload-Offset (a number of bytes) is required\n");
	if ((tr = tus_start_upload(c, rq, rest, &answer)) == NULL)
		return answer;
	if (rq->grant.max_bytes > 0 && tr->length > rq->grant.max_bytes)
		tus_fail(tr, 413, "the upload is larger than the upload token allows\n");
	if (!tr->fail_status && !parse_checksum(c, tr->want, &tr->checksum, &error))
		tus_fail(tr, 400, "%s", error);
	/* the lock only once the upload is known to be this owner's (404 otherwise) */
	if (!tr->fail_status &&
		tus_exec_upload(rq, tr, "SELECT pg_catalog.pg_try_advisory_lock($1::bigint)::int"
						" FROM media.upload_status($1::bigint)", &locked))
	{
		tr->locked = locked == 1;
		if (!tr->locked)
			tus_fail(tr, 423, "another request is writing this upload; try again\n");
	}
	if (!tr->fail_status &&
		tus_exec_upload(rq, tr, "SELECT media.upload_status($1::bigint)", &tr->offset) &&
		tr->offset != offset)
		tus_fail(tr, 409, "Upload-Offset is %lld but the upload has %lld bytes\n",
				 (long long) offset, (long long) tr->offset);
	return tus_expect_body(c, rq, tr);
}

/* HEAD /uploads/{U}: Upload-Offset from media.upload_status(), and Upload-Length. */
static enum MHD_Result
tus_head(struct MHD_Connection *c, Request *rq, const char *rest)
{
	TusRequest *tr;
	struct MHD_Response *resp;
	enum MHD_Result r;
	char		buf[32];

	if ((tr = tus_start_upload(c, rq, rest, &r)) == NULL)
		return r;
	if (tr->fail_status ||
		!tus_exec_upload(rq, tr, "SELECT media.upload_status($1::bigint)", &tr->offset))
		return tus_answer_failure(c, rq);
	resp = tus_response(200, "");
	snprintf(buf, sizeof(buf), "%lld", (long long) tr->offset);
	MHD_add_response_header(resp, "Upload-Offset", buf);
	snprintf(buf, sizeof(buf), "%lld", (long long) tr->length);
	MHD_add_response_header(resp, "Upload-Length", buf);
	r = queue_response(c, rq, 200, resp);
	tus_release(rq);
	return r;
}

/* DELETE /uploads/{U} (termination): media.upload_abort(); 204, or 404 when there is none. */
static enum MHD_Result
tus_delete(struct MHD_Connection *c, Request *rq, const char *rest)
{
	TusRequest *tr;
	enum MHD_Result r;

	if ((tr = tus_start_upload(c, rq, rest, &r)) == NULL)
		return r;
	if (tr->fail_status ||
		!tus_exec_upload(rq, tr, "SELECT media.upload_abort($1::bigint)", NULL))
		return tus_answer_failure(c, rq);
	metrics_upload_delta(-1);
	r = tus_answer(c, rq, 204, "");
	tus_release(rq);
	return r;
}

/* OPTIONS: what this server supports (no credentials needed, as for a CORS preflight). */
static enum MHD_Result
tus_options(struct MHD_Connection *c, Request *rq)
{
	struct MHD_Response *resp = tus_response(204, "");
	char		buf[32];

	MHD_add_response_header(resp, "Tus-Version", TUS_VERSION);
	MHD_add_response_header(resp, "Tus-Extension", TUS_EXTENSIONS);
	MHD_add_response_header(resp, "Tus-Checksum-Algorithm", "sha256");
	if (server.upload_max > 0)
	{
		snprintf(buf, sizeof(buf), "%lld", (long long) server.upload_max);
		MHD_add_response_header(resp, "Tus-Max-Size", buf);
	}
	return queue_response(c, rq, 204, resp);
}

/*
 * The tus routes.  POST and PATCH are checked on their first call (headers
 * only), so a refusal comes before the body is sent; their body then
 * arrives in pieces, and the last call answers.  The other methods answer
 * once the request is whole.
 */
enum MHD_Result
tus_handle(struct MHD_Connection *c, Request *rq, const char *url, const char *method,
		   const char *upload_data, size_t *upload_data_size, bool first_call)
{
	const char *rest = url + strlen(TUS_PREFIX);
	bool		collection = rest[0] == '\0' || strcmp(rest, "/") == 0;
	bool		post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
	bool		patch = strcmp(method, "PATCH") == 0;

	if (!first_call && (post || patch) && rq->tus)
	{
		if (*upload_data_size > 0)
		{
			tus_receive(rq, rq->tus, upload_data, *upload_data_size);
			*upload_data_size = 0;	/* consumed (or discarded after a failure) */
			return MHD_YES;
		}
		return tus_answer_body(c, rq, post);
	}
	if (first_call && (post || patch) && collection == post)
	{
		if (!tus_version_ok(c))
			return tus_answer(c, rq, 412, "Tus-Resumable: " TUS_VERSION " is required\n");
		serve_authorize_upload(c, rq, &rq->grant);
		if (rq->grant.status)
			return tus_answer(c, rq, rq->grant.status, rq->grant.reason);
		return post ? tus_create(c, rq) : tus_patch_start(c, rq, rest + 1);
	}
	if (first_call)
		return MHD_YES;			/* answer on the next call, once the request is whole */
	if (*upload_data_size > 0)
	{
		*upload_data_size = 0;	/* a body nobody asked for */
		return MHD_YES;
	}
	if (rq->status)
		return MHD_YES;			/* answered already */
	if (strcmp(method, MHD_HTTP_METHOD_OPTIONS) == 0)
		return tus_options(c, rq);
	if (collection || !(rq->head || strcmp(method, MHD_HTTP_METHOD_DELETE) == 0))
		return tus_answer(c, rq, 405, "method not allowed\n");
	if (!tus_version_ok(c))
		return tus_answer(c, rq, 412, "Tus-Resumable: " TUS_VERSION " is required\n");
	serve_authorize_upload(c, rq, &rq->grant);
	if (rq->grant.status)
		return tus_answer(c, rq, rq->grant.status, rq->grant.reason);
	return rq->head ? tus_head(c, rq, rest + 1) : tus_delete(c, rq, rest + 1);
}

/*
 * Reads what the tus answers announce, once at start: Tus-Max-Size from
 * media.max_upload_size (as the server's configuration sets it for this
 * role), and the seconds of expiry (an interval such as '1 day': what
 * media.cleanup_uploads(older_than) is run with; '0' announces none).
 * False, with a message, for an interval PostgreSQL does not read.
 */
bool
tus_configure(PGconn *conn, const char *expiry)
{
	const char *values[1] = {expiry};
	PGresult   *res = PQexecParams(conn,
								   "SELECT extract(epoch FROM $1::interval)::bigint,"
								   " (SELECT setting::bigint * 1048576 FROM pg_catalog.pg_settings"
								   "   WHERE name = 'media.max_upload_size')",
								   1, NULL, values, NULL, NULL, 0);

	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
	{
		/* one line: the server's message without its "ERROR:" and CONTEXT lines */
		log_error("--upload-expiry \"%s\": %s", expiry, db_error_text(conn, res));
		return false;
	}
	server.upload_expiry = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	server.upload_max = PQgetisnull(res, 0, 1) ? 0 : strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	PQclear(res);
	if (server.upload_expiry < 0)
	{
		log_error("--upload-expiry must not be negative");
		return false;
	}
	return true;
}
