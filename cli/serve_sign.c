/*
 * serve_sign.c - pg_media serve's signed URLs (serve_sign.h): keys, the
 * check of a request, statements as the signed owner, Cache-Control.
 */
#include "serve_sign.h"

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
	switch (st)
	{
		case MM_SIGN_OK:
			break;
		case MM_SIGN_MALFORMED:
			return "the URL's signature is malformed\n";
		case MM_SIGN_UNKNOWN_KEY:
			return "the URL is signed with a key this server does not hold\n";
		case MM_SIGN_BAD_SIGNATURE:
			return "the URL's signature does not match it\n";
		case MM_SIGN_EXPIRED:
			return "the URL has expired\n";
	}
	rq->signed_until = f.expires;
	if (f.owner)
	{
		rq->owner = strdup(f.owner);
		if (rq->owner == NULL)
			return "out of memory\n";
	}
	return NULL;
}

/* Ends the transaction of pool_exec_as(): COMMIT after success, else ROLLBACK. */
static void
end_transaction(PGconn *conn, bool ok)
{
	PGresult   *res = PQexec(conn, ok ? "COMMIT" : "ROLLBACK");

	PQclear(res);
	/* whatever happened, the connection goes back to the pool outside a transaction */
	if (PQtransactionStatus(conn) != PQTRANS_IDLE && PQstatus(conn) == CONNECTION_OK)
		PQclear(PQexec(conn, "ROLLBACK"));
}

/* Runs a statement as the signed owner; see serve_sign.h. */
PGresult *
pool_exec_as(int slot, const Request *rq, const char *sql, int nparams,
			 const char *const *values, int result_format)
{
	PGconn	   *conn = server.pool.conns[slot];
	PGresult   *res;
	char	   *owner;
	char	   *begin;

	if (rq->owner == NULL)
		return pool_exec(slot, sql, nparams, values, result_format);
	if (PQstatus(conn) != CONNECTION_OK)
		PQreset(conn);
	owner = PQescapeLiteral(conn, rq->owner, strlen(rq->owner));
	if (owner == NULL)
		return NULL;			/* answered 503, like a lost connection */
	begin = malloc(strlen(owner) + 96);
	if (begin == NULL)
	{
		PQfreemem(owner);
		return NULL;
	}
	/* one round trip: BEGIN, then media.owner for this transaction only */
	sprintf(begin, "BEGIN; SELECT pg_catalog.set_config('media.owner', %s, true)", owner);
	PQfreemem(owner);
	res = PQexec(conn, begin);
	free(begin);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		end_transaction(conn, false);
		return res;
	}
	PQclear(res);
	res = PQexecParams(conn, sql, nparams, NULL, values, NULL, NULL, result_format);
	end_transaction(conn, PQresultStatus(res) == PGRES_TUPLES_OK);
	return res;
}

/* Rewrites Cache-Control for a signed answer; see serve_sign.h. */
void
sign_cache_control(struct MHD_Response *resp, const Request *rq)
{
	const char *old = MHD_get_response_header(resp, "Cache-Control");
	char	   *copy;
	char		value[64];
	int64_t		left = rq->signed_until - (int64_t) time(NULL);

	if (rq->signed_until == 0 || old == NULL || strncmp(old, "no-store", 8) == 0)
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
