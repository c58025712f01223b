/*
 * bench/client_bench.h - the harness of bench/client_bench: a libpq client
 * that times pg_media and its baselines as an application calls them.
 */
#ifndef CLIENT_BENCH_H
#define CLIENT_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#define CB_INT8OID	20
#define CB_TEXTOID	25
#define CB_BYTEAOID 17

/* One timed call of a side: its wall time in ms (rep 0 is the warm-up). */
typedef double (*cb_side_fn) (void *arg, int rep);

/* One side of a comparison and, after cb_run_group(), its median. */
typedef struct cb_side
{
	const char *label;
	cb_side_fn	fn;
	void	   *arg;
	double		median;			/* wall time, ms */
	double		cpu_median;		/* CPU time of the backend and the client, ms */
} cb_side;

extern PGconn *cb_conn;
extern int	cb_reps;

/* Wall-clock milliseconds (CLOCK_MONOTONIC). */
double		cb_now(void);

/* Runs sides interleaved: a warm-up call each, then cb_reps rounds; sets their medians (wall, CPU). */
void		cb_run_group(cb_side *sides, int n);

/*
 * Runs sql with n parameters, all sent in binary format (types[i] their
 * type oids, vals/lens their bytes), results in binary when result_binary;
 * exits with the server's message when it fails.
 */
PGresult   *cb_exec(const char *sql, int n, const uint32_t *types, const char *const *vals,
					const int *lens, int result_binary);

/* An int8 parameter's binary form (8 bytes, network order) in buf. */
const char *cb_int8(int64_t v, char buf[8]);

/* The first column of the first row of a text-format result as an integer. */
int64_t		cb_result_int(PGresult *res);

/*
 * Prints a result row for side a (pg_media) against side b (the baseline):
 * both wall medians (with throughput when bytes > 0) and CPU medians, the
 * wall ratio (b/a when higher_better, a throughput or speed-up, else a/b),
 * the CPU ratio the same way, the goal, and met: the wall ratio against
 * limit (>= when higher_better, else <=), or "-" when limit < 0 (info).
 */
void		cb_report(const char *measurement, const cb_side *a, const cb_side *b, double bytes,
					  int higher_better, const char *goal, double limit);

/* The image comparisons (client_images.c): MODE FILE BOX triples from argv. */
void		cb_images(int ncase, char **cases);

#endif
