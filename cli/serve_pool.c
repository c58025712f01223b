/*
 * serve_pool.c - pg_media serve: a fixed set of libpq connections, each
 * lent to one request at a time, so that many HTTP connections share a few
 * database connections and a slow client holds none between ranges.  A
 * server has one pool on the primary (server.pool) and, with --read-dbname,
 * one on the read replicas (server.read_pool; serve_read.c picks).
 */
#include "serve.h"

#include <poll.h>
#include <stdlib.h>
#include <time.h>

/*
 * Opens the pool's size connections now, so that a bad setup (no server,
 * wrong password, no extension) fails at start rather than on the first
 * request; exits with EXIT_FATAL if one cannot be made.  appname is the
 * application_name the connections show (unless opts sets one); what names
 * the pool in that error ("the read database (--read-dbname)").
 */
void
pool_open(Pool *p, const ConnOpts *opts, int size, const char *appname, const char *what)
{
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->n = size;
	p->conns = calloc(size, sizeof(PGconn *));
	p->busy = calloc(size, sizeof(bool));
	if (p->conns == NULL || p->busy == NULL)
	{
		log_error("out of memory");
		exit(EXIT_FATAL);
	}
	for (int i = 0; i < size; i++)
		p->conns[i] = db_connect_to(opts, appname, what);
	db_require_extension(p->conns[0]);
}

/* Closes every connection of the pool (once no request uses it). */
void
pool_close(Pool *p)
{
	for (int i = 0; i < p->n; i++)
		PQfinish(p->conns[i]);
	free(p->conns);
	free(p->busy);
	p->conns = NULL;
	p->busy = NULL;
	p->n = 0;
}

/* A free slot of the pool, or -1 (called with p->mu held). */
static int
free_slot(Pool *p)
{
	for (int i = 0; i < p->n; i++)
		if (!p->busy[i])
			return i;
	return -1;
}

/*
 * Is the connection usable as far as can be told without a round trip?
 * An idle connection the server has written to, or closed, is not: that
 * is the FATAL message and end of a server that shut down or a session
 * that was terminated while it sat in the pool (serve asks for nothing
 * else that the server would send unasked).
 */
static bool
conn_usable(PGconn *conn)
{
	struct pollfd pfd = {.fd = PQsocket(conn), .events = POLLIN};

	if (PQstatus(conn) != CONNECTION_OK || pfd.fd < 0)
		return false;
	return poll(&pfd, 1, 0) == 0;
}

/*
 * Borrows a connection, waiting for one at most timeout seconds (a negative
 * timeout waits for ever); -1 when none came free in time.  A wait is
 * counted in the metrics.  A connection that was lost is reconnected,
 * also one the server closed while it sat idle in the pool (a restart, a
 * failover), so that the request does not fail on it.
 */
int
pool_try_get(Pool *p, double timeout)
{
	int			slot;
	double		t0 = 0;

	pthread_mutex_lock(&p->mu);
	slot = free_slot(p);
	if (slot < 0)
	{
		struct timespec until;

		t0 = now_seconds();
		clock_gettime(CLOCK_REALTIME, &until);
		if (timeout >= 0)
		{
			until.tv_sec += (time_t) timeout;
			until.tv_nsec += (long) ((timeout - (time_t) timeout) * 1e9);
			if (until.tv_nsec >= 1000000000L)
			{
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
		}
		while ((slot = free_slot(p)) < 0)
		{
			if (timeout < 0)
				pthread_cond_wait(&p->cv, &p->mu);
			else if (pthread_cond_timedwait(&p->cv, &p->mu, &until) != 0 &&
					 (slot = free_slot(p)) < 0)
				break;
		}
	}
	if (slot >= 0)
		p->busy[slot] = true;
	pthread_mutex_unlock(&p->mu);
	if (t0 > 0)
		metrics_pool_waited(now_seconds() - t0);
	if (slot >= 0 && !conn_usable(p->conns[slot]))
		PQreset(p->conns[slot]);
	return slot;
}

/* Borrows a connection, waiting as long as it takes. */
int
pool_get(Pool *p)
{
	return pool_try_get(p, -1);
}

/* Returns a borrowed connection. */
void
pool_put(Pool *p, int slot)
{
	pthread_mutex_lock(&p->mu);
	p->busy[slot] = false;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

/*
 * Runs a read-only statement on connection slot of pool p, once more after
 * a reconnect if the connection turns out to have been lost (a server
 * restart, an idle timeout; with a multi-host connection string libpq may
 * then pick another host, e.g. the primary when the replica is down).
 */
PGresult *
pool_exec(Pool *p, int slot, const char *sql, int nparams, const char *const *values,
		  int result_format)
{
	PGconn	   *conn = p->conns[slot];
	PGresult   *res = PQexecParams(conn, sql, nparams, NULL, values, NULL, NULL, result_format);

	if (PQstatus(conn) == CONNECTION_BAD)
	{
		PQclear(res);
		PQreset(conn);
		res = PQexecParams(conn, sql, nparams, NULL, values, NULL, NULL, result_format);
	}
	return res;
}

