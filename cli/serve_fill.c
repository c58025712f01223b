/*
 * serve_fill.c - pg_media serve: cache fills in the background.  A request
 * of a Range (a video player's) covers part of a content, so the stream
 * that answers it cannot fill the cache; a background thread reads the whole
 * content instead, chunk by chunk like a streamed body (read_content()), as
 * the same owner as the request that the database just allowed, and the
 * fill keeps it only if its SHA-256 is the file's (serve_cache.h).
 *
 * At most MAX_BACKGROUND_FILLS run at once (more ranges of other contents
 * are served without), each holding a pooled connection only while it reads
 * a chunk; at stop they end after the chunk they are reading.
 */
#include "serve.h"
#include "serve_cache.h"

#include <stdlib.h>
#include <string.h>

#define MAX_BACKGROUND_FILLS 1

/* One background fill: the file, as whom it is read, and the fill. */
typedef struct BackgroundFill
{
	Request		rq;				/* only its owner is used, by read_content() */
	char		id[24];
	int64_t		size;
	CacheFill  *fill;
} BackgroundFill;

static struct
{
	pthread_mutex_t mu;
	pthread_cond_t ended;
	int			running;
	bool		stopping;
}			background = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, false};

/* Is the server stopping (so fills end now)? */
static bool
stopping(void)
{
	bool		s;

	pthread_mutex_lock(&background.mu);
	s = background.stopping;
	pthread_mutex_unlock(&background.mu);
	return s;
}

/* Frees a background fill and counts it ended. */
static void
background_fill_free(BackgroundFill *bf)
{
	if (bf)
	{
		if (bf->fill)
			cache_fill_end(bf->fill);
		free(bf->rq.grant.owner);
		free(bf);
	}
	pthread_mutex_lock(&background.mu);
	background.running--;
	pthread_cond_broadcast(&background.ended);
	pthread_mutex_unlock(&background.mu);
}

/* The thread of a background fill: the content from offset 0 to its end, one chunk at a time. */
static void *
background_fill_run(void *arg)
{
	BackgroundFill *bf = arg;
	char	   *buf = malloc((size_t) server.read_size);
	int64_t		off = 0;

	while (buf && off < bf->size && !stopping())
	{
		int64_t		want = bf->size - off < server.read_size ? bf->size - off : server.read_size;
		ssize_t		got = read_content(&bf->rq, bf->id, off, want, buf);

		if (got <= 0)
			break;
		cache_fill_write(bf->fill, (uint64_t) off, buf, (size_t) got);
		off += got;
		if (cache_fill_complete(bf->fill))
			break;
	}
	free(buf);
	background_fill_free(bf);
	return NULL;
}

/*
 * Starts filling key's entry (size bytes of file id) in the background, read
 * as rq's owner; does nothing when enough fills run already, the content is
 * being filled or cannot be cached.
 */
void
fill_in_background(const Request *rq, const char *id, const struct CacheKey *key, int64_t size)
{
	BackgroundFill *bf;
	pthread_t	thread;
	pthread_attr_t attr;
	bool		started = false;

	if (!cache_enabled())
		return;
	pthread_mutex_lock(&background.mu);
	if (background.stopping || background.running >= MAX_BACKGROUND_FILLS)
	{
		pthread_mutex_unlock(&background.mu);
		return;
	}
	background.running++;
	pthread_mutex_unlock(&background.mu);

	bf = calloc(1, sizeof(BackgroundFill));
	if (bf && (rq->grant.owner == NULL || (bf->rq.grant.owner = strdup(rq->grant.owner)) != NULL) &&
		(bf->fill = cache_fill_begin(key, size)) != NULL)
	{
		bf->rq.srv = &server;
		bf->rq.slot = -1;
		bf->rq.pool = rq->pool;		/* the pool its lookup was answered by */
		snprintf(bf->id, sizeof(bf->id), "%s", id);
		bf->size = size;
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		started = pthread_create(&thread, &attr, background_fill_run, bf) == 0;
		pthread_attr_destroy(&attr);
	}
	if (!started)
		background_fill_free(bf);
}

/* At stop: no new background fill; waits for those running to end their chunk. */
void
fill_background_stop(void)
{
	pthread_mutex_lock(&background.mu);
	background.stopping = true;
	while (background.running > 0)
		pthread_cond_wait(&background.ended, &background.mu);
	pthread_mutex_unlock(&background.mu);
}
