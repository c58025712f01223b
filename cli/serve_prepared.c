/*
 * serve_prepared.c - pg_media serve: statements prepared once per database
 * session (PQprepare), then run with PQexecPrepared, so a request's
 * statement is neither parsed nor planned again.
 *
 * Which sessions have a statement is kept by connection and backend process
 * id: a connection that was reset (PQreset, a new backend) prepares it
 * again.  Should a statement be missing all the same (SQLSTATE 26000), it is
 * prepared and run once more.
 */
#include "serve.h"

#include <string.h>

#define MAX_SESSIONS 256		/* connections remembered per statement */

/* A session that has the statement. */
typedef struct PreparedIn
{
	const PGconn *conn;
	int			backend_pid;
} PreparedIn;

/* The sessions of each statement (statements are few: a small fixed table). */
static struct
{
	pthread_mutex_t mu;
	struct
	{
		const PreparedStatement *st;
		PreparedIn	in[MAX_SESSIONS];
		int			n;
	}			stmts[4];
}			prepared = {.mu = PTHREAD_MUTEX_INITIALIZER};

/*
 * The record of statement st's sessions, found or added; NULL when the
 * table is full (then the statement is prepared every time: slower, right).
 */
static PreparedIn *
session_record(const PreparedStatement *st, const PGconn *conn, bool *known)
{
	int			pid = PQbackendPID(conn);
	PreparedIn *rec = NULL;

	*known = false;
	pthread_mutex_lock(&prepared.mu);
	for (size_t s = 0; s < sizeof(prepared.stmts) / sizeof(prepared.stmts[0]); s++)
	{
		if (prepared.stmts[s].st != NULL && prepared.stmts[s].st != st)
			continue;
		prepared.stmts[s].st = st;
		for (int i = 0; i < prepared.stmts[s].n && rec == NULL; i++)
			if (prepared.stmts[s].in[i].conn == conn)
				rec = &prepared.stmts[s].in[i];
		if (rec == NULL && prepared.stmts[s].n < MAX_SESSIONS)
		{
			rec = &prepared.stmts[s].in[prepared.stmts[s].n++];
			rec->conn = conn;
			rec->backend_pid = 0;
		}
		break;
	}
	if (rec)
		*known = rec->backend_pid == pid && pid != 0;
	pthread_mutex_unlock(&prepared.mu);
	return rec;
}

/* Prepares st on conn and records it; the failed result, or NULL. */
static PGresult *
prepare_on(PGconn *conn, const PreparedStatement *st, PreparedIn *rec)
{
	PGresult   *res = PQprepare(conn, st->name, st->sql, st->nparams, NULL);

	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return res;
	PQclear(res);
	if (rec)
	{
		pthread_mutex_lock(&prepared.mu);
		rec->backend_pid = PQbackendPID(conn);
		pthread_mutex_unlock(&prepared.mu);
	}
	return NULL;
}

/* Did the statement fail because the session does not have it (26000)? */
static bool
statement_missing(const PGresult *res)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	return state != NULL && strcmp(state, "26000") == 0;
}

/*
 * Runs prepared statement st on conn (a connection borrowed from a pool),
 * preparing it first where the session has not got it; once more after a
 * reconnect when the connection turns out to be lost.
 */
PGresult *
exec_prepared(PGconn *conn, const PreparedStatement *st, const char *const *values,
			  int result_format)
{
	PGresult   *res = NULL;

	for (int attempt = 0; attempt < 2; attempt++)
	{
		bool		known;
		PreparedIn *rec;

		if (PQstatus(conn) != CONNECTION_OK)
			PQreset(conn);
		rec = session_record(st, conn, &known);
		if (!known && (res = prepare_on(conn, st, rec)) != NULL)
		{
			if (PQstatus(conn) != CONNECTION_BAD || attempt == 1)
				return res;
			PQclear(res);
			continue;
		}
		res = PQexecPrepared(conn, st->name, st->nparams, values, NULL, NULL, result_format);
		if (PQstatus(conn) != CONNECTION_BAD && !statement_missing(res))
			return res;
		if (rec && statement_missing(res))
		{
			pthread_mutex_lock(&prepared.mu);
			rec->backend_pid = 0;
			pthread_mutex_unlock(&prepared.mu);
		}
		if (attempt == 0)
			PQclear(res);
	}
	return res;
}
