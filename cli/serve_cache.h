/*
 * serve_cache.h - pg_media serve's content-addressed cache: files' bytes in
 * a local folder, sent with sendfile(), so a request for cached content
 * costs one small statement (the authorisation) and no bytes from the
 * database.
 *
 * Key: the BLOB (blob id and the content's SHA-256), never the SHA-256
 * alone.  Under per-owner dedup two owners' files with the same bytes are two
 * blobs, so they are two entries: a hit never tells owner A that owner B
 * stored the same bytes (a timing side channel).  A blob's bytes never change
 * (media.files_guard_update forbids it), so entries are never invalidated;
 * whether a request may see the file is asked of the database every time
 * (media.serve_lookup()), before the cache is looked at.
 *
 * Fill: the bytes streamed from the database are written to a temporary file
 * of that fill (".fill-..."), hashed as they go; at the end the SHA-256 and
 * the size must be the file row's, then the file is renamed into place.  A
 * partial, failed or corrupt fill leaves nothing, and one fill per blob runs
 * at a time (a concurrent miss streams from the database without filling).
 *
 * Size: --cache-size caps the bytes of entries and fills in progress; the
 * least recently used entries are removed to make room.  An entry being sent
 * when it is removed is still sent whole (its descriptor is open).
 *
 * The folder holds private files' bytes: it must be the process user's and
 * closed to group and others (mode 700).  Its entries are removed when serve
 * starts and stops (a crash may leave an incomplete entry, so none is
 * trusted after a restart).  A serve holds a lock on its folder until it
 * exits, so a second serve refuses the folder (it would empty the first's
 * entries), and a start removes the default folders under $TMPDIR that
 * killed serves left (no serve holds their lock).
 */
#ifndef PG_MEDIA_SERVE_CACHE_H
#define PG_MEDIA_SERVE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CACHE_DEFAULT_SIZE ((int64_t) 512 * 1024 * 1024)	/* --cache-size's default */

/* What an entry is the content of: a blob, and that content's SHA-256. */
typedef struct CacheKey
{
	int64_t		blob_id;
	uint8_t		sha256[32];
} CacheKey;

/* A fill in progress (serve_cache.c). */
typedef struct CacheFill CacheFill;

/* The counters /metrics reports. */
typedef struct CacheStats
{
	bool		enabled;
	uint64_t	hits;			/* requests sent from an entry */
	uint64_t	misses;			/* requests whose content had no entry */
	uint64_t	fills;			/* entries made */
	uint64_t	fill_failures;	/* fills discarded: wrong SHA-256 or size, write error */
	uint64_t	evictions;		/* entries removed to make room */
	int64_t		bytes;			/* bytes of entries now */
	int64_t		entries;
	int64_t		capacity;		/* --cache-size */
} CacheStats;

/*
 * Sets the cache up: dir (NULL: a new private folder under $TMPDIR, removed
 * at stop), capacity in bytes (0: no cache).  Returns false, having said
 * why, when the folder cannot be used.
 */
extern bool cache_start(const char *dir, int64_t capacity);

/* Removes every entry (and the private folder); at stop. */
extern void cache_stop(void);

extern bool cache_enabled(void);

/*
 * Parses a --cache-size value: bytes, or a number with k, M or G (1024
 * based); -1 when it is not one.
 */
extern int64_t cache_parse_size(const char *text);

/*
 * A hint, before the database is asked: was file id's content cached the
 * last time it was served?  (The mapping is remembered by cache_remember;
 * the answer only decides whether the lookup also fetches a small body.)
 */
extern bool cache_probably_has(int64_t file_id);
extern void cache_remember(int64_t file_id, const CacheKey *key);

/*
 * A descriptor of the entry for key holding size bytes, or -1 (a miss).
 * Counts a hit or a miss and marks the entry recently used.
 */
extern int	cache_open(const CacheKey *key, int64_t size);

/*
 * Starts filling the entry for key (size bytes); NULL when it will not be
 * cached (disabled, larger than the cache, a fill of it in progress, no
 * room, or the folder refuses).  Then cache_fill_write() with the bytes in
 * order from offset 0, and cache_fill_end() always, which keeps the entry
 * only if all size bytes came and their SHA-256 is key's.
 */
extern CacheFill *cache_fill_begin(const CacheKey *key, int64_t size);
extern void cache_fill_write(CacheFill *fill, uint64_t offset, const void *buf, size_t len);
extern bool cache_fill_complete(const CacheFill *fill);
extern bool cache_fill_end(CacheFill *fill);

/* A consistent snapshot of the counters. */
extern void cache_stats(CacheStats *out);

#endif							/* PG_MEDIA_SERVE_CACHE_H */
