/*
 * import_retry.c - pg_media import across a lost connection or a failover.
 *
 * When the connection is lost (the server died, restarted, or a failover
 * manager such as pg_auto_failover stopped it), or the server is no longer
 * a writable primary, import reconnects with the same connection options
 * (libpq tries the hosts of a multi-host connection string in order, and
 * target_session_attrs=read-write makes it pass over standbys, so it finds
 * the promoted node), for up to --retry-for seconds with a growing pause,
 * then tries the same file again from the start of import_one():
 *
 *   - a file stored with media.put commits in the same statement as its
 *     map row, so either both are on the new primary (the map says
 *     "unchanged": it is not stored again) or neither is (it is stored
 *     once); the same holds for media.upload_begin and media.upload_finish;
 *   - a file streamed in parts: each media.upload_append commits on its
 *     own, and the retry asks media.upload_status how many bytes the
 *     server acknowledged and continues from there (import_put.c's
 *     resume_or_drop), so the parts already sent are not sent again.
 *
 * A commit acknowledged by a primary that died before its standby had it
 * cannot be lost here because pg_auto_failover's two-node setup replicates
 * synchronously; were it lost (asynchronous replication), the map row is
 * lost with it and the file is stored again once, on the new primary.
 */
#include "import.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

/* a file whose import loses the connection this often stops the run */
#define MAX_LOSSES_PER_FILE 5
/* the pause between connection attempts grows up to this (seconds) */
#define MAX_RETRY_PAUSE 2.0

/*
 * Is this error of a statement of the run one that a reconnect may cure?
 * A lost connection (libpq's own errors have no SQLSTATE), class 08
 * (connection exception), 57P01-57P03 (the server shuts down, crashed, or
 * cannot accept connections yet), and 25006 (read-only) when the session
 * started read-write: the primary was demoted under it.  A session that
 * started read-only (a standby, default_transaction_read_only) keeps 25006
 * as the setup error it is.
 */
bool
import_error_is_lost(const ImportState *st, const DbError *err)
{
	if (db_lost(st->conn))
		return true;
	if (strncmp(err->sqlstate, "08", 2) == 0 || strcmp(err->sqlstate, "57P01") == 0 ||
		strcmp(err->sqlstate, "57P02") == 0 || strcmp(err->sqlstate, "57P03") == 0)
		return true;
	return strcmp(err->sqlstate, "25006") == 0 && !st->session.read_only;
}

/*
 * Prepares st->conn, a new connection, for the run: the extension, the
 * session settings (--owner), NOTICEs quieted and the map table's advisory
 * lock.  A read-only session is refused with 25006 (a standby that was not
 * passed over: target_session_attrs is not read-write, or no host is
 * promoted yet).  Returns false with the error in *err.
 */
bool
import_session_ready(ImportState *st, DbError *err)
{
	MediaSession session;

	if (!db_session_setup(st->conn, &st->opts, &session, err))
		return false;
	if (session.read_only)
	{
		snprintf(err->sqlstate, sizeof(err->sqlstate), "25006");
		snprintf(err->text, sizeof(err->text), "server %s:%s is read-only (a standby)",
				 PQhost(st->conn), PQport(st->conn));
		return false;
	}
	st->session = session;
	PQclear(PQexec(st->conn, "SET client_min_messages = warning"));
	return map_table_lock(st, err);
}

/* Sleeps for seconds (a signal ends it early). */
static void
pause_for(double seconds)
{
	struct timespec ts;

	ts.tv_sec = (time_t) seconds;
	ts.tv_nsec = (long) ((seconds - (double) ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

/*
 * Reconnects after st->lost_error: drops the old connection, then tries the
 * same connection options until a session is ready (import_session_ready)
 * or --retry-for seconds have passed, pausing 0.25 s, 0.5 s, 1 s, then
 * MAX_RETRY_PAUSE between attempts (a promotion is noticed within 2 s),
 * with one last attempt at the deadline.  Says what it does on the log.
 * Returns false (the run stops) when the time is up or on SIGINT/SIGTERM.
 */
static bool
import_reconnect(ImportState *st)
{
	double		start = now_seconds();
	double		pause = 0.25;
	DbError		err = {0};

	progress_log(&st->prog, "%s (%s); reconnecting for up to %d s",
				 strcmp(st->lost_error.sqlstate, "25006") == 0 ?
				 "the server is no longer writable" : "connection lost",
				 st->lost_error.text, st->retry_for);
	PQfinish(st->conn);
	for (int attempt = 1;; attempt++)
	{
		double		waited;

		st->conn = db_open(&st->opts, "pg_media import");
		if (st->conn && PQstatus(st->conn) == CONNECTION_OK)
		{
			if (import_session_ready(st, &err))
			{
				st->reconnects++;
				progress_log(&st->prog, "reconnected to %s:%s after %.1f s (attempt %d)",
							 PQhost(st->conn), PQport(st->conn), now_seconds() - start, attempt);
				return true;
			}
		}
		else if (st->conn)
			db_error_capture(st->conn, NULL, &err);
		else
			snprintf(err.text, sizeof(err.text), "out of memory");
		PQfinish(st->conn);
		st->conn = NULL;
		waited = now_seconds() - start;
		if (import_interrupted || waited >= st->retry_for)
			break;
		/* the last attempt at the deadline */
		pause_for(pause < st->retry_for - waited ? pause : st->retry_for - waited);
		pause = pause * 2 > MAX_RETRY_PAUSE ? MAX_RETRY_PAUSE : pause * 2;
	}
	if (!import_interrupted)
		progress_error(&st->prog, "could not reconnect within %d s (--retry-for): %s",
					   st->retry_for, err.text);
	return false;
}

/*
 * Imports one file (import_one) and, when that loses the connection,
 * reconnects and tries the file again, up to MAX_LOSSES_PER_FILE times.  A
 * file the retry finds already stored (its put or finish committed just
 * before the connection was lost) counts as imported, and says so.
 */
ImportResult
import_one_retrying(ImportState *st, FileEntry *e)
{
	int64_t		done_bytes = st->prog.done_bytes;
	bool		in_doubt = false;
	int			losses = 0;

	for (;;)
	{
		ImportResult r;

		st->commit_in_doubt = false;
		r = import_one(st, e);
		if (r == IMPORT_UNCHANGED && in_doubt)
		{
			progress_log(&st->prog, "%s was stored before the connection was lost: "
						 "not stored again", e->key);
			return IMPORT_DONE;
		}
		if (r != IMPORT_LOST)
			return r;
		in_doubt = in_doubt || st->commit_in_doubt;
		if (st->retry_for <= 0)
		{
			progress_error(&st->prog, "connection lost: %s", st->lost_error.text);
			return r;
		}
		if (++losses > MAX_LOSSES_PER_FILE)
		{
			progress_error(&st->prog, "%s: the connection was lost %d times while importing "
						   "it; stopping", e->key, losses);
			return r;
		}
		if (!import_reconnect(st))
			return import_interrupted ? IMPORT_INTERRUPTED : r;
		/* the retry counts this file's bytes again */
		st->prog.done_bytes = done_bytes;
	}
}
