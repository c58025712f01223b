/*
 * serve_cache.c - pg_media serve's content-addressed cache (serve_cache.h):
 * the folder, the index of entries (a hash table and a least-recently-used
 * list, under one mutex), fills, eviction and the counters.
 */
#include "serve_cache.h"
#include "pg_media_cli.h"

#include "util/sha256.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define N_BUCKETS 16384			/* hash chains of the index (a power of two) */
#define N_HINTS 8192			/* file id -> key hints (a power of two) */
#define ENTRY_PREFIX "e-"		/* names of entries: e-BLOB-SHA256HEX */
#define FILL_PREFIX ".fill-"	/* names of fills in progress */
#define NAME_MAX_LEN 96
#define PRIVATE_PREFIX "pg_media-cache."	/* the default folders, under $TMPDIR */
#define STALE_AFTER_SECONDS 60	/* a default folder unlocked this long belongs to no serve */

/* One cached content: a file in the folder. */
typedef struct Entry
{
	CacheKey	key;
	int64_t		size;
	struct Entry *chain;		/* next in its hash bucket */
	struct Entry *newer;		/* the LRU list, most recent first */
	struct Entry *older;
} Entry;

/* A fill in progress (serve_cache.h). */
struct CacheFill
{
	CacheKey	key;
	int64_t		size;
	int64_t		written;
	int			fd;
	bool		failed;
	mm_sha256	sha;
	char		tmp[NAME_MAX_LEN];
	CacheFill  *next;			/* the list of fills in progress */
};

/* The file id -> content key a request last found (a hint; see serve_cache.h). */
typedef struct Hint
{
	int64_t		file_id;		/* 0: empty */
	CacheKey	key;
} Hint;

static struct
{
	pthread_mutex_t mu;
	bool		enabled;
	int			dirfd;
	char	   *dir;
	bool		private_dir;	/* made by cache_start(), removed by cache_stop() */
	int64_t		capacity;
	int64_t		bytes;			/* of entries */
	int64_t		reserved;		/* of fills in progress */
	int64_t		entries;
	Entry	  **buckets;
	Entry	   *newest;
	Entry	   *oldest;
	CacheFill  *fills;
	Hint	   *hints;
	uint64_t	fill_serial;
	uint64_t	hits, misses, fills_done, fill_failures, evictions;
}			cache = {.mu = PTHREAD_MUTEX_INITIALIZER, .dirfd = -1};

/* The hash bucket of a key (blob ids are random, the SHA-256 is too). */
static size_t
bucket_of(const CacheKey *key)
{
	uint64_t	h;

	memcpy(&h, key->sha256, sizeof(h));
	h ^= (uint64_t) key->blob_id * 0x9E3779B97F4A7C15ULL;
	return (size_t) (h >> 40) & (N_BUCKETS - 1);
}

static bool
key_equal(const CacheKey *a, const CacheKey *b)
{
	return a->blob_id == b->blob_id && memcmp(a->sha256, b->sha256, sizeof(a->sha256)) == 0;
}

/* The file name of key's entry: e-BLOB-SHA256HEX. */
static void
entry_name(const CacheKey *key, char *name)
{
	int			n = snprintf(name, NAME_MAX_LEN, ENTRY_PREFIX "%lld-", (long long) key->blob_id);

	for (int i = 0; i < 32; i++)
		n += snprintf(name + n, NAME_MAX_LEN - n, "%02x", key->sha256[i]);
}

/* The entry for key, or NULL (cache.mu held). */
static Entry *
find_entry(const CacheKey *key)
{
	for (Entry *e = cache.buckets[bucket_of(key)]; e; e = e->chain)
		if (key_equal(&e->key, key))
			return e;
	return NULL;
}

/* Takes e out of the LRU list (cache.mu held). */
static void
lru_unlink(Entry *e)
{
	if (e->newer)
		e->newer->older = e->older;
	else
		cache.newest = e->older;
	if (e->older)
		e->older->newer = e->newer;
	else
		cache.oldest = e->newer;
	e->newer = e->older = NULL;
}

/* Puts e at the most recently used end (cache.mu held). */
static void
lru_push(Entry *e)
{
	e->older = cache.newest;
	e->newer = NULL;
	if (cache.newest)
		cache.newest->newer = e;
	cache.newest = e;
	if (cache.oldest == NULL)
		cache.oldest = e;
}

/* Drops e from the index and, when unlink_file, its file (cache.mu held). */
static void
drop_entry(Entry *e, bool unlink_file)
{
	Entry	  **p = &cache.buckets[bucket_of(&e->key)];
	char		name[NAME_MAX_LEN];

	while (*p != e)
		p = &(*p)->chain;
	*p = e->chain;
	lru_unlink(e);
	cache.bytes -= e->size;
	cache.entries--;
	if (unlink_file)
	{
		entry_name(&e->key, name);
		unlinkat(cache.dirfd, name, 0);
	}
	free(e);
}

/*
 * Removes the least recently used entries until size more bytes fit under
 * the capacity (cache.mu held); false when they cannot (fills in progress
 * hold the rest).
 */
static bool
make_room(int64_t size)
{
	while (cache.bytes + cache.reserved + size > cache.capacity && cache.oldest)
	{
		drop_entry(cache.oldest, true);
		cache.evictions++;
	}
	return cache.bytes + cache.reserved + size <= cache.capacity;
}

/* Removes the files of entries and fills from a folder (a start, a stop). */
static void
remove_entry_files(int folder)
{
	int			fd = dup(folder);
	DIR		   *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (d == NULL)
	{
		if (fd >= 0)
			close(fd);
		return;
	}
	rewinddir(d);				/* the duplicate shares the folder's read position */
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, ENTRY_PREFIX, strlen(ENTRY_PREFIX)) == 0 ||
			strncmp(de->d_name, FILL_PREFIX, strlen(FILL_PREFIX)) == 0)
			unlinkat(folder, de->d_name, 0);
	closedir(d);
}

/*
 * Opens the folder: made if missing (mode 700); refused unless it is a
 * folder of this user that group and others cannot enter.
 */
static bool
open_folder(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
	{
		log_error("cannot make the cache folder \"%s\": %s", dir, strerror(errno));
		return false;
	}
	cache.dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (cache.dirfd < 0 || fstat(cache.dirfd, &st) != 0)
	{
		log_error("cannot open the cache folder \"%s\": %s", dir, strerror(errno));
		return false;
	}
	if (st.st_uid != geteuid() || (st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
	{
		/* chmod is the fix only for a folder of this user that no one else writes in (not /tmp) */
		bool		shared = st.st_uid != geteuid() || (st.st_mode & (S_ISVTX | S_IWGRP | S_IWOTH)) != 0;

		log_error("the cache folder \"%s\" holds private files' bytes: it must belong to this "
				  "user and be closed to group and others (mode %04o; %s)",
				  dir, (unsigned) (st.st_mode & 07777),
				  shared ? "it is shared or another user's: give a folder of its own, a path that "
				  "does not exist yet, which serve makes with mode 700"
				  : "run chmod 700 on it");
		return false;
	}
	/* held until exit (a crash included): a second serve would empty this one's entries */
	if (flock(cache.dirfd, LOCK_EX | LOCK_NB) != 0)
	{
		log_error("the cache folder \"%s\" is in use by another pg_media serve: give each its own "
				  "--cache-dir", dir);
		return false;
	}
	return true;
}

/*
 * Removes the default folders (PRIVATE_PREFIX) under tmp that a serve
 * killed before its stop left, with the private bytes they hold: this
 * user's, mode 700, locked by no running serve (open_folder()) and not
 * changed for STALE_AFTER_SECONDS (a serve that has just made its folder
 * may not have locked it yet).
 */
static void
remove_stale_private_folders(const char *tmp)
{
	DIR		   *d = opendir(tmp);
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL)
	{
		struct stat st;
		int			fd;

		if (strncmp(de->d_name, PRIVATE_PREFIX, strlen(PRIVATE_PREFIX)) != 0)
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0 && st.st_uid == geteuid() && (st.st_mode & 07777) == 0700 &&
			st.st_mtime < time(NULL) - STALE_AFTER_SECONDS && flock(fd, LOCK_EX | LOCK_NB) == 0)
		{
			remove_entry_files(fd);
			if (unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) == 0)
				fprintf(stderr, "%s serve: removed the cache folder \"%s/%s\" that a serve "
						"stopped without its clean-up left\n", progname, tmp, de->d_name);
		}
		close(fd);
	}
	closedir(d);
}

/* Sets the cache up; see serve_cache.h. */
bool
cache_start(const char *dir, int64_t capacity)
{
	char	   *made = NULL;

	if (capacity <= 0)
		return true;
	if (dir == NULL)
	{
		const char *tmp = getenv("TMPDIR");
		size_t		len;

		if (tmp == NULL || *tmp == '\0')
			tmp = "/tmp";
		len = strlen(tmp) + 32;
		made = malloc(len);
		if (made == NULL)
			return false;
		remove_stale_private_folders(tmp);
		snprintf(made, len, "%s/" PRIVATE_PREFIX "XXXXXX", tmp);
		if (mkdtemp(made) == NULL)
		{
			log_error("cannot make a cache folder in \"%s\": %s (give --cache-dir, or --cache-size=0)",
					  tmp, strerror(errno));
			free(made);
			return false;
		}
		cache.private_dir = true;
	}
	cache.dir = made ? made : strdup(dir);
	cache.buckets = calloc(N_BUCKETS, sizeof(Entry *));
	cache.hints = calloc(N_HINTS, sizeof(Hint));
	if (cache.dir == NULL || cache.buckets == NULL || cache.hints == NULL)
	{
		log_error("out of memory");
		return false;
	}
	if (!open_folder(cache.dir))
		return false;
	remove_entry_files(cache.dirfd);
	cache.capacity = capacity;
	cache.enabled = true;
	return true;
}

/* Removes every entry (and a private folder); see serve_cache.h. */
void
cache_stop(void)
{
	if (!cache.enabled)
		return;
	pthread_mutex_lock(&cache.mu);
	cache.enabled = false;
	while (cache.oldest)
		drop_entry(cache.oldest, false);
	remove_entry_files(cache.dirfd);
	pthread_mutex_unlock(&cache.mu);
	close(cache.dirfd);
	if (cache.private_dir)
		rmdir(cache.dir);
}

bool
cache_enabled(void)
{
	return cache.enabled;
}

/* Parses a --cache-size value; see serve_cache.h. */
int64_t
cache_parse_size(const char *text)
{
	char	   *end;
	long long	n;
	int			shift = 0;

	errno = 0;
	n = strtoll(text, &end, 10);
	if (errno != 0 || end == text || n < 0)
		return -1;
	if (*end == 'k' || *end == 'K')
		shift = 10;
	else if (*end == 'M')
		shift = 20;
	else if (*end == 'G')
		shift = 30;
	else if (*end != '\0')
		return -1;
	if (shift && (end[1] != '\0' && strcmp(end + 1, "B") != 0))
		return -1;
	if (n > (INT64_MAX >> shift))
		return -1;
	return (int64_t) n << shift;
}

/* Was file id's content cached when last served?  See serve_cache.h. */
bool
cache_probably_has(int64_t file_id)
{
	Hint	   *h;
	bool		found;

	if (!cache.enabled)
		return false;
	pthread_mutex_lock(&cache.mu);
	h = &cache.hints[(uint64_t) file_id & (N_HINTS - 1)];
	found = h->file_id == file_id && find_entry(&h->key) != NULL;
	pthread_mutex_unlock(&cache.mu);
	return found;
}

/* Remembers file id's content key; see serve_cache.h. */
void
cache_remember(int64_t file_id, const CacheKey *key)
{
	Hint	   *h;

	if (!cache.enabled)
		return;
	pthread_mutex_lock(&cache.mu);
	h = &cache.hints[(uint64_t) file_id & (N_HINTS - 1)];
	h->file_id = file_id;
	h->key = *key;
	pthread_mutex_unlock(&cache.mu);
}

/* A descriptor of key's entry, or -1; see serve_cache.h. */
int
cache_open(const CacheKey *key, int64_t size)
{
	char		name[NAME_MAX_LEN];
	Entry	   *e;
	int			fd = -1;

	if (!cache.enabled)
		return -1;
	pthread_mutex_lock(&cache.mu);
	e = find_entry(key);
	if (e && e->size == size)
	{
		entry_name(key, name);
		/* opened under the mutex, so an eviction cannot come in between */
		fd = openat(cache.dirfd, name, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
		{
			lru_unlink(e);
			lru_push(e);
		}
		else
			drop_entry(e, false);	/* its file was removed behind our back */
	}
	if (fd >= 0)
		cache.hits++;
	else
		cache.misses++;
	pthread_mutex_unlock(&cache.mu);
	return fd;
}

/* Starts a fill; see serve_cache.h. */
CacheFill *
cache_fill_begin(const CacheKey *key, int64_t size)
{
	CacheFill  *fill;
	bool		taken = false;

	if (!cache.enabled || size <= 0 || size > cache.capacity)
		return NULL;
	fill = calloc(1, sizeof(CacheFill));
	if (fill == NULL)
		return NULL;
	pthread_mutex_lock(&cache.mu);
	for (CacheFill *f = cache.fills; f; f = f->next)
		taken |= key_equal(&f->key, key);
	if (taken || find_entry(key) != NULL || !make_room(size))
	{
		pthread_mutex_unlock(&cache.mu);
		free(fill);
		return NULL;
	}
	cache.reserved += size;
	fill->key = *key;
	fill->size = size;
	fill->next = cache.fills;
	cache.fills = fill;
	snprintf(fill->tmp, sizeof(fill->tmp), FILL_PREFIX "%lld-%d-%llu", (long long) key->blob_id,
			 (int) getpid(), (unsigned long long) ++cache.fill_serial);
	pthread_mutex_unlock(&cache.mu);

	mm_sha256_init(&fill->sha);
	fill->fd = openat(cache.dirfd, fill->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fill->fd < 0)
	{
		fprintf(stderr, "%s serve: cannot make a cache file in \"%s\": %s\n", progname, cache.dir,
				strerror(errno));
		fill->failed = true;
		cache_fill_end(fill);
		return NULL;
	}
	return fill;
}

/* Adds the next bytes to a fill; see serve_cache.h. */
void
cache_fill_write(CacheFill *fill, uint64_t offset, const void *buf, size_t len)
{
	const char *p = buf;
	size_t		left = len;

	if (fill->failed)
		return;
	if ((int64_t) offset != fill->written || (int64_t) len > fill->size - fill->written)
	{
		fill->failed = true;	/* not the next bytes of the content */
		return;
	}
	while (left > 0)
	{
		ssize_t		n = write(fill->fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
		{
			fprintf(stderr, "%s serve: writing a cache file in \"%s\": %s\n", progname, cache.dir,
					n < 0 ? strerror(errno) : "no space written");
			fill->failed = true;
			return;
		}
		p += n;
		left -= (size_t) n;
	}
	mm_sha256_update(&fill->sha, buf, len);
	fill->written += (int64_t) len;
}

/* Have all the content's bytes come? */
bool
cache_fill_complete(const CacheFill *fill)
{
	return fill->failed || fill->written == fill->size;
}

/*
 * Ends a fill: a complete one whose SHA-256 is its key's is renamed into
 * place and indexed; anything else is removed.  Returns whether the entry
 * was made.
 */
bool
cache_fill_end(CacheFill *fill)
{
	uint8_t		digest[32];
	char		name[NAME_MAX_LEN];
	bool		whole = !fill->failed && fill->written == fill->size;
	bool		ok = false;
	Entry	   *e = NULL;

	if (whole)
	{
		mm_sha256_final(&fill->sha, digest);
		ok = memcmp(digest, fill->key.sha256, sizeof(digest)) == 0;
		if (!ok)
			fprintf(stderr, "%s serve: the content of blob %lld read from the database does not "
					"have its SHA-256; not cached\n", progname, (long long) fill->key.blob_id);
	}
	if (fill->fd >= 0 && close(fill->fd) != 0)
		ok = false;
	entry_name(&fill->key, name);
	if (ok && (e = malloc(sizeof(Entry))) == NULL)
		ok = false;
	if (ok && renameat(cache.dirfd, fill->tmp, cache.dirfd, name) != 0)
		ok = false;
	if (!ok && fill->fd >= 0)
		unlinkat(cache.dirfd, fill->tmp, 0);

	pthread_mutex_lock(&cache.mu);
	for (CacheFill **p = &cache.fills; *p; p = &(*p)->next)
		if (*p == fill)
		{
			*p = fill->next;
			break;
		}
	cache.reserved -= fill->size;
	if (ok && cache.enabled)
	{
		e->key = fill->key;
		e->size = fill->size;
		e->chain = cache.buckets[bucket_of(&e->key)];
		cache.buckets[bucket_of(&e->key)] = e;
		lru_push(e);
		cache.bytes += e->size;
		cache.entries++;
		cache.fills_done++;
		e = NULL;
	}
	else if (!ok && (whole || fill->failed))
		cache.fill_failures++;
	pthread_mutex_unlock(&cache.mu);
	if (e != NULL && ok)
		unlinkat(cache.dirfd, name, 0);	/* the cache stopped meanwhile */
	free(e);
	free(fill);
	return ok;
}

/* A snapshot of the counters; see serve_cache.h. */
void
cache_stats(CacheStats *out)
{
	pthread_mutex_lock(&cache.mu);
	out->enabled = cache.enabled;
	out->hits = cache.hits;
	out->misses = cache.misses;
	out->fills = cache.fills_done;
	out->fill_failures = cache.fill_failures;
	out->evictions = cache.evictions;
	out->bytes = cache.bytes;
	out->entries = cache.entries;
	out->capacity = cache.capacity;
	pthread_mutex_unlock(&cache.mu);
}
