/*
 * serve_metrics.c - pg_media serve's operations endpoints: /healthz (is the
 * database reachable through each pool, and how busy is it) and /metrics
 * (counters in the Prometheus text exposition format 0.0.4).
 *
 * The counters are process-wide and updated under one mutex when a request
 * completes or a pool wait ends: a few additions per request, nothing that
 * grows with traffic (statuses are kept per code, and HTTP codes are a
 * small fixed set).
 */
#include "serve.h"
#include "serve_cache.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Upper bounds (seconds) of the latency histogram's buckets; +Inf is implied. */
static const double latency_bounds[] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
};
#define N_BOUNDS (sizeof(latency_bounds) / sizeof(latency_bounds[0]))

/* Every counter /metrics reports. */
static struct
{
	pthread_mutex_t mu;
	uint64_t	by_status[600];	/* completed requests by HTTP status (100-599) */
	uint64_t	aborted;		/* requests the client gave up on */
	uint64_t	bytes_sent;		/* response body bytes */
	uint64_t	latency_buckets[N_BOUNDS + 1];	/* the last is +Inf */
	double		latency_sum;
	uint64_t	pool_waits;		/* pool_get() calls that found every connection busy */
	double		pool_wait_seconds;
	uint64_t	health_checks_failed;
	int64_t		uploads_in_progress;	/* resumable uploads begun and not yet ended */
	uint64_t	read_retries[READ_RETRY_PRIMARY_UNAVAILABLE + 1];	/* by ReadRetry */
}			metrics = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* Counts one completed request: its status, body bytes and latency. */
void
metrics_request_done(int status, uint64_t bytes, double seconds, bool aborted)
{
	size_t		b = 0;

	while (b < N_BOUNDS && seconds > latency_bounds[b])
		b++;
	pthread_mutex_lock(&metrics.mu);
	if (status >= 100 && status < 600)
		metrics.by_status[status]++;
	if (aborted)
		metrics.aborted++;
	metrics.bytes_sent += bytes;
	metrics.latency_buckets[b]++;
	metrics.latency_sum += seconds;
	pthread_mutex_unlock(&metrics.mu);
}

/* Counts one wait for a pool connection and how long it took. */
void
metrics_pool_waited(double seconds)
{
	pthread_mutex_lock(&metrics.mu);
	metrics.pool_waits++;
	metrics.pool_wait_seconds += seconds;
	pthread_mutex_unlock(&metrics.mu);
}

/* Moves the resumable-uploads-in-progress gauge by delta (+1 begun, -1 ended). */
void
metrics_upload_delta(int delta)
{
	pthread_mutex_lock(&metrics.mu);
	metrics.uploads_in_progress += delta;
	pthread_mutex_unlock(&metrics.mu);
}

/* Counts one 404 of the read pool asked again of the primary, by what came of it. */
void
metrics_read_retried(ReadRetry outcome)
{
	pthread_mutex_lock(&metrics.mu);
	metrics.read_retries[outcome]++;
	pthread_mutex_unlock(&metrics.mu);
}

/* Appends printf-style text to a growing buffer; false when out of memory. */
static bool __attribute__((format(printf, 3, 4)))
append(char **buf, size_t *len, const char *fmt,...)
{
	va_list		ap;
	int			n;
	char	   *grown;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (grown = realloc(*buf, *len + n + 1)) == NULL)
		return false;
	va_start(ap, fmt);
	vsnprintf(grown + *len, n + 1, fmt, ap);
	va_end(ap);
	*buf = grown;
	*len += n;
	return true;
}

/* The number of pool connections lent out now. */
static int
pool_busy_count(Pool *p)
{
	int			busy = 0;

	pthread_mutex_lock(&p->mu);
	for (int i = 0; i < p->n; i++)
		busy += p->busy[i];
	pthread_mutex_unlock(&p->mu);
	return busy;
}

/* Appends the content cache's counters (serve_cache.h); false when out of memory. */
static bool
append_cache(char **buf, size_t *len)
{
	CacheStats	cs;

	cache_stats(&cs);
	return append(buf, len, "# HELP pg_media_cache_hits_total Bodies sent from the content cache.\n"
				  "# TYPE pg_media_cache_hits_total counter\n"
				  "pg_media_cache_hits_total %llu\n"
				  "# HELP pg_media_cache_misses_total Bodies whose content was not in the cache (read from the database).\n"
				  "# TYPE pg_media_cache_misses_total counter\n"
				  "pg_media_cache_misses_total %llu\n"
				  "# HELP pg_media_cache_fills_total Contents added to the cache, their SHA-256 verified.\n"
				  "# TYPE pg_media_cache_fills_total counter\n"
				  "pg_media_cache_fills_total %llu\n"
				  "# HELP pg_media_cache_fill_failures_total Fills discarded: SHA-256 or size not the file's, or a write error.\n"
				  "# TYPE pg_media_cache_fill_failures_total counter\n"
				  "pg_media_cache_fill_failures_total %llu\n"
				  "# HELP pg_media_cache_evictions_total Entries removed to make room (least recently used first).\n"
				  "# TYPE pg_media_cache_evictions_total counter\n"
				  "pg_media_cache_evictions_total %llu\n"
				  "# HELP pg_media_cache_bytes Bytes of content in the cache.\n"
				  "# TYPE pg_media_cache_bytes gauge\n"
				  "pg_media_cache_bytes %lld\n"
				  "# HELP pg_media_cache_entries Contents in the cache.\n"
				  "# TYPE pg_media_cache_entries gauge\n"
				  "pg_media_cache_entries %lld\n"
				  "# HELP pg_media_cache_capacity_bytes The cache's cap (--cache-size; 0: no cache).\n"
				  "# TYPE pg_media_cache_capacity_bytes gauge\n"
				  "pg_media_cache_capacity_bytes %lld\n",
				  (unsigned long long) cs.hits, (unsigned long long) cs.misses,
				  (unsigned long long) cs.fills, (unsigned long long) cs.fill_failures,
				  (unsigned long long) cs.evictions, (long long) cs.bytes, (long long) cs.entries,
				  cs.enabled ? (long long) cs.capacity : 0LL);
}

/*
 * The /metrics text: a snapshot of the counters taken under the mutex, so
 * one scrape is consistent (a histogram's count equals its +Inf bucket).
 */
static char *
metrics_text(void)
{
	char	   *buf = NULL;
	size_t		len = 0;
	uint64_t	cumulative = 0;
	int			active;
	bool		ok = true;

	pthread_mutex_lock(&server.mu);
	active = server.active;
	pthread_mutex_unlock(&server.mu);

	pthread_mutex_lock(&metrics.mu);
	ok &= append(&buf, &len, "# HELP pg_media_http_requests_total HTTP requests completed, by status code.\n"
				 "# TYPE pg_media_http_requests_total counter\n");
	for (int s = 100; s < 600 && ok; s++)
		if (metrics.by_status[s])
			ok &= append(&buf, &len, "pg_media_http_requests_total{code=\"%d\"} %llu\n", s,
						 (unsigned long long) metrics.by_status[s]);
	ok &= append(&buf, &len, "# HELP pg_media_http_requests_aborted_total Requests the client closed before the response ended.\n"
				 "# TYPE pg_media_http_requests_aborted_total counter\n"
				 "pg_media_http_requests_aborted_total %llu\n", (unsigned long long) metrics.aborted);
	ok &= append(&buf, &len, "# HELP pg_media_http_response_bytes_total Response body bytes sent.\n"
				 "# TYPE pg_media_http_response_bytes_total counter\n"
				 "pg_media_http_response_bytes_total %llu\n", (unsigned long long) metrics.bytes_sent);
	ok &= append(&buf, &len, "# HELP pg_media_http_request_duration_seconds Time from a request's first byte to the end of its response.\n"
				 "# TYPE pg_media_http_request_duration_seconds histogram\n");
	for (size_t b = 0; b <= N_BOUNDS && ok; b++)
	{
		cumulative += metrics.latency_buckets[b];
		if (b < N_BOUNDS)
			ok &= append(&buf, &len, "pg_media_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
						 latency_bounds[b], (unsigned long long) cumulative);
		else
			ok &= append(&buf, &len, "pg_media_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
						 (unsigned long long) cumulative);
	}
	ok &= append(&buf, &len, "pg_media_http_request_duration_seconds_sum %.6f\n"
				 "pg_media_http_request_duration_seconds_count %llu\n",
				 metrics.latency_sum, (unsigned long long) cumulative);
	ok &= append(&buf, &len, "# HELP pg_media_pool_waits_total Requests that waited for a database connection.\n"
				 "# TYPE pg_media_pool_waits_total counter\n"
				 "pg_media_pool_waits_total %llu\n"
				 "# HELP pg_media_pool_wait_seconds_total Time requests spent waiting for a database connection.\n"
				 "# TYPE pg_media_pool_wait_seconds_total counter\n"
				 "pg_media_pool_wait_seconds_total %.6f\n",
				 (unsigned long long) metrics.pool_waits, metrics.pool_wait_seconds);
	ok &= append(&buf, &len, "# HELP pg_media_health_checks_failed_total /healthz answers that were not 200.\n"
				 "# TYPE pg_media_health_checks_failed_total counter\n"
				 "pg_media_health_checks_failed_total %llu\n",
				 (unsigned long long) metrics.health_checks_failed);
	ok &= append(&buf, &len, "# HELP pg_media_uploads_in_progress Resumable uploads begun through this server and not yet finished or aborted.\n"
				 "# TYPE pg_media_uploads_in_progress gauge\n"
				 "pg_media_uploads_in_progress %lld\n", (long long) metrics.uploads_in_progress);
	if (server.read_pool.n > 0)
		ok &= append(&buf, &len, "# HELP pg_media_read_retries_total Not-found answers of the read pool asked again of the primary, by outcome.\n"
					 "# TYPE pg_media_read_retries_total counter\n"
					 "pg_media_read_retries_total{outcome=\"found\"} %llu\n"
					 "pg_media_read_retries_total{outcome=\"not_found\"} %llu\n"
					 "pg_media_read_retries_total{outcome=\"primary_unavailable\"} %llu\n",
					 (unsigned long long) metrics.read_retries[READ_RETRY_FOUND],
					 (unsigned long long) metrics.read_retries[READ_RETRY_NOT_FOUND],
					 (unsigned long long) metrics.read_retries[READ_RETRY_PRIMARY_UNAVAILABLE]);
	pthread_mutex_unlock(&metrics.mu);

	ok &= append(&buf, &len, "# HELP pg_media_pool_connections Database connections in the pool.\n"
				 "# TYPE pg_media_pool_connections gauge\n"
				 "pg_media_pool_connections %d\n"
				 "# HELP pg_media_pool_connections_busy Database connections lent to a request now.\n"
				 "# TYPE pg_media_pool_connections_busy gauge\n"
				 "pg_media_pool_connections_busy %d\n"
				 "# HELP pg_media_http_requests_in_flight Requests being answered now (this scrape included).\n"
				 "# TYPE pg_media_http_requests_in_flight gauge\n"
				 "pg_media_http_requests_in_flight %d\n",
				 server.pool.n, pool_busy_count(&server.pool), active);
	if (server.read_pool.n > 0)
		ok &= append(&buf, &len, "# HELP pg_media_read_pool_connections Database connections in the read pool (--read-dbname).\n"
					 "# TYPE pg_media_read_pool_connections gauge\n"
					 "pg_media_read_pool_connections %d\n"
					 "# HELP pg_media_read_pool_connections_busy Read pool connections lent to a request now.\n"
					 "# TYPE pg_media_read_pool_connections_busy gauge\n"
					 "pg_media_read_pool_connections_busy %d\n",
					 server.read_pool.n, pool_busy_count(&server.read_pool));

	ok &= append_cache(&buf, &len);
	if (!ok)
	{
		free(buf);
		return NULL;
	}
	return buf;
}

/* GET /metrics: the counters in Prometheus' text format. */
enum MHD_Result
serve_metrics(struct MHD_Connection *c, Request *rq)
{
	char	   *text = metrics_text();
	struct MHD_Response *resp;

	if (text == NULL)
		return respond_text(c, rq, 500, "out of memory\n");
	resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL)
	{
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	rq->bytes = rq->head ? 0 : strlen(text);
	return queue_response(c, rq, 200, resp);
}

/*
 * Checks one pool for /healthz: a connection within two seconds that
 * answers a query needing the extension.  Returns "ok" or what failed;
 * *standby says whether the server that answered is in recovery.
 */
static const char *
pool_health(Pool *p, bool *standby)
{
	int			slot = pool_try_get(p, 2.0);
	const char *state = "ok";
	PGresult   *res;

	*standby = false;
	if (slot < 0)
		return "no free connection within 2 s";
	res = pool_exec(p, slot, "SELECT pg_catalog.pg_is_in_recovery() FROM pg_catalog.pg_extension"
					" WHERE " PG_MEDIA_EXTENSIONS_WHERE, 0, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		state = PQresultStatus(res) == PGRES_TUPLES_OK ? "pg_media is not installed" : "unreachable";
	else
		*standby = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	pool_put(p, slot);
	return state;
}

/*
 * GET /healthz: each pool's state.  Without a read pool: 200 when the
 * primary's pool answers, else 503.  With one (--read-dbname), the status
 * follows the read pool, which serves what a load balancer sends here:
 * 200 "ok" when both answer, 200 "degraded" when only the read pool does
 * (files are served, uploads get 503), 503 "unavailable" when the read
 * pool does not.  The body says what failed.
 */
enum MHD_Result
serve_healthz(struct MHD_Connection *c, Request *rq)
{
	char		body[512];
	size_t		used;
	bool		standby;
	bool		read_standby = false;
	const char *database = pool_health(&server.pool, &standby);
	const char *read_database = server.read_pool.n > 0 ? pool_health(&server.read_pool, &read_standby) : NULL;
	bool		serving = strcmp(read_database ? read_database : database, "ok") == 0;
	int			status = serving ? 200 : 503;
	struct MHD_Response *resp;

	if (status != 200)
	{
		pthread_mutex_lock(&metrics.mu);
		metrics.health_checks_failed++;
		pthread_mutex_unlock(&metrics.mu);
	}
	used = snprintf(body, sizeof(body),
					"{\"status\": \"%s\", \"database\": \"%s\", \"pool\": {\"size\": %d, \"busy\": %d}",
					!serving ? "unavailable" : strcmp(database, "ok") != 0 ? "degraded" : "ok",
					database, server.pool.n, pool_busy_count(&server.pool));
	if (read_database && used < sizeof(body))
		used += snprintf(body + used, sizeof(body) - used,
						 ", \"read_database\": \"%s\", \"read_pool\": {\"size\": %d, \"busy\": %d, \"standby\": %s}",
						 read_database, server.read_pool.n, pool_busy_count(&server.read_pool),
						 read_standby ? "true" : "false");
	if (used < sizeof(body))
		snprintf(body + used, sizeof(body) - used, "}\n");
	resp = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	rq->bytes = rq->head ? 0 : strlen(body);
	return queue_response(c, rq, status, resp);
}
