/*
 * serve_read.c - pg_media serve: which pool a read uses, and the rule for a
 * replica that lags.
 *
 * GET/HEAD /media/{id}, its transforms and its thumbnails read through the
 * read pool (--read-dbname, e.g. a multi-host connection string with
 * target_session_attrs=prefer-standby) when there is one, else through the
 * primary's; uploads and settings always use the primary's.  A replica has
 * not yet replayed a file the primary has just stored: it answers 404.
 * read_exec() then asks the primary once, and serves the primary's answer
 * when it gives one; the rest of that request (the chunks of a streamed
 * body) reads from the primary too.  When the primary does not answer (it
 * is down, or no connection of its pool comes free within a few seconds)
 * the replica's 404 stands, and for a few seconds no other 404 waits for the
 * primary: the file appears once the replica has replayed it.
 */
#include "serve_sign.h"

#include <arpa/inet.h>
#include <string.h>

#define PRIMARY_WAIT_SECONDS 5.0	/* for a primary connection, to retry a 404 */
#define PRIMARY_BACKOFF_SECONDS 5.0 /* no retry this long after the primary failed one */
#define INT4_TYPE_OID 23

static pthread_mutex_t backoff_mu = PTHREAD_MUTEX_INITIALIZER;
static double primary_retry_after;	/* now_seconds() before which 404s are not retried */

/*
 * The pool the reads of rq use: chosen at its first read (the read pool
 * when there is one), changed only by read_exec() when the primary answered
 * in the replica's place.
 */
Pool *
read_pool_for(Request *rq)
{
	if (rq->pool == NULL)
		rq->pool = server.read_pool.n > 0 ? &server.read_pool : &server.pool;
	return rq->pool;
}

/*
 * Does res say "no such file"?  Either the error P0002, or one row whose
 * first column "status" (media.http()'s, binary int4) is 404.
 */
static bool
says_not_found(const PGresult *res)
{
	const char *state;

	if (res == NULL)
		return false;
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		return PQntuples(res) == 1 && PQnfields(res) >= 1 &&
			strcmp(PQfname(res, 0), "status") == 0 && PQftype(res, 0) == INT4_TYPE_OID &&
			PQfformat(res, 0) == 1 && PQgetlength(res, 0, 0) == 4 &&
			ntohl(*(const uint32_t *) PQgetvalue(res, 0, 0)) == 404;
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	return state != NULL && strcmp(state, "P0002") == 0;
}

/*
 * Is this connection on a hot standby?  The server reports in_hot_standby
 * (PostgreSQL 14 and later, updated on promotion); a server that does not
 * is taken for one.  A read pool that has fallen back to the primary (no
 * standby answered) need not ask the primary again.
 */
static bool
on_standby(PGconn *conn)
{
	const char *hot = PQparameterStatus(conn, "in_hot_standby");

	return hot == NULL || strcmp(hot, "off") != 0;
}

/* Did the server answer the statement (rows, or an error of its own), the connection intact? */
static bool
server_answered(PGconn *conn, const PGresult *res)
{
	return res != NULL && PQstatus(conn) == CONNECTION_OK &&
		(PQresultStatus(res) == PGRES_TUPLES_OK ||
		 PQresultErrorField(res, PG_DIAG_SQLSTATE) != NULL);
}

/* Is the primary worth asking now (not within the back-off after it failed)? */
static bool
primary_retry_allowed(void)
{
	bool		allowed;

	pthread_mutex_lock(&backoff_mu);
	allowed = now_seconds() >= primary_retry_after;
	pthread_mutex_unlock(&backoff_mu);
	return allowed;
}

/* Starts the back-off after the primary failed to answer a retry. */
static void
primary_back_off(void)
{
	pthread_mutex_lock(&backoff_mu);
	primary_retry_after = now_seconds() + PRIMARY_BACKOFF_SECONDS;
	pthread_mutex_unlock(&backoff_mu);
}

/*
 * Runs statement st on slot of pool p for rq: prepared once per session
 * (exec_prepared()) when it has a name and rq runs as the role's own owner;
 * as the request's signed owner (pool_exec_as(), unprepared) otherwise.
 */
static PGresult *
exec_statement(Pool *p, int slot, const Request *rq, const PreparedStatement *st,
			   const char *const *values, int result_format)
{
	if (st->name != NULL && rq->grant.owner == NULL)
		return exec_prepared(p->conns[slot], st, values, result_format);
	return pool_exec_as(p, slot, rq, st->sql, st->nparams, values, result_format);
}

/*
 * Runs a read statement of rq on its read pool (exec_statement()); a "not
 * found" from a read pool whose connection is on a standby is asked once
 * more of the primary (see the file comment).  *res gets the answer;
 * returns the slot of rq->pool it came from, which the caller gives back
 * with pool_put(rq->pool, slot) once done with the connection.
 */
int
read_exec_statement(Request *rq, const PreparedStatement *st, const char *const *values,
					int result_format, PGresult **res)
{
	Pool	   *p = read_pool_for(rq);
	int			slot = pool_get(p);
	int			primary_slot;
	PGresult   *primary_res;

	*res = exec_statement(p, slot, rq, st, values, result_format);
	if (p == &server.pool || !says_not_found(*res) || !on_standby(p->conns[slot]))
		return slot;
	primary_slot = primary_retry_allowed() ? pool_try_get(&server.pool, PRIMARY_WAIT_SECONDS) : -1;
	if (primary_slot < 0)
	{
		metrics_read_retried(READ_RETRY_PRIMARY_UNAVAILABLE);
		return slot;
	}
	primary_res = exec_statement(&server.pool, primary_slot, rq, st, values, result_format);
	if (!server_answered(server.pool.conns[primary_slot], primary_res))
	{
		PQclear(primary_res);
		pool_put(&server.pool, primary_slot);
		primary_back_off();
		metrics_read_retried(READ_RETRY_PRIMARY_UNAVAILABLE);
		return slot;
	}
	metrics_read_retried(says_not_found(primary_res) ? READ_RETRY_NOT_FOUND : READ_RETRY_FOUND);
	PQclear(*res);
	pool_put(p, slot);
	*res = primary_res;
	rq->pool = &server.pool;
	return primary_slot;
}

/* read_exec_statement() of an unprepared statement's text. */
int
read_exec(Request *rq, const char *sql, int nparams, const char *const *values,
		  int result_format, PGresult **res)
{
	PreparedStatement st = {NULL, sql, nparams};

	return read_exec_statement(rq, &st, values, result_format, res);
}
