/*
 * import.h - what the files of pg_media import share.
 *
 *   import.c        options, the run over the files, the early stop, the summary
 *   import_walk.c   the folder walk: which files are imported, and which are not
 *   import_map.c    the map table (checked before anything is imported) and the
 *                   --map CSV
 *   import_put.c    one file: media.put, or media.upload_* in parts, resumed
 *   import_retry.c  a lost connection or a failover: reconnect, try the file again
 */
#ifndef PG_MEDIA_IMPORT_H
#define PG_MEDIA_IMPORT_H

#include "pg_media_cli.h"

#include <signal.h>
#include <sys/stat.h>

#define DEFAULT_MAP_TABLE "public.media_import_map"
#define MAX_PART_SIZE (64 * 1024 * 1024)
#define DEFAULT_RETRY_FOR 120	/* --retry-for: seconds to try to reconnect */

/* A file found by the walk. */
typedef struct FileEntry
{
	char	   *key;			/* the path recorded in the map (absolute) */
	char	   *open_path;		/* what to open: key, or a symlink's target */
	char	   *rel;			/* path relative to its root, for names */
	int64_t		size;
	int64_t		mtime_us;		/* microseconds since the Unix epoch */
} FileEntry;

/* The files to import, in walk order. */
typedef struct FileList
{
	FileEntry  *items;
	size_t		n;
	size_t		cap;
} FileList;

/* What import_one() did with a file. */
typedef enum ImportResult
{
	IMPORT_DONE,
	IMPORT_UNCHANGED,
	IMPORT_FAILED,				/* this file failed; go on with the next */
	IMPORT_SETUP_FAILED,		/* failed for a reason every file would meet: stop */
	IMPORT_INTERRUPTED,
	IMPORT_LOST					/* the connection is lost, or the server is no
								 * longer a writable primary (a failover):
								 * reconnect and try the file again */
} ImportResult;

/* One run of pg_media import. */
typedef struct ImportState
{
	PGconn	   *conn;
	ConnOpts	opts;
	MediaSession session;		/* media.isolation and media.owner as found */
	char	   *map_table;		/* quoted, possibly schema-qualified */
	const char *map_table_arg;	/* as given (for messages) */
	const char *attrs;			/* --attrs JSON object, or NULL */
	bool		name_from_path;
	int			part_size;
	int64_t		limit;			/* --limit: files to import, 0 = all */
	FILE	   *csv;			/* --map FILE, or NULL */
	char	  **roots;			/* the roots' real paths */
	int			nroots;
	char	   *buf;			/* one part */
	Progress	prog;
	DbError		setup_error;	/* the error of IMPORT_SETUP_FAILED */
	const char *setup_file;		/* the file it happened on */
	int			retry_for;		/* --retry-for: seconds to try to reconnect, 0 = never */
	DbError		lost_error;		/* the error of IMPORT_LOST */
	bool		commit_in_doubt;	/* IMPORT_LOST came from a statement that writes:
									 * it may have committed */
	int64_t		reconnects;
	int64_t		imported;
	int64_t		unchanged;
	int64_t		skipped;
	int64_t		failed;
	int64_t		bytes_sent;
	double		start;
} ImportState;

/* set by SIGINT/SIGTERM: finish the current part, then stop */
extern volatile sig_atomic_t import_interrupted;

/* import.c */
extern const char *import_setup_hint(const ImportState *st, const DbError *err);

/* import_walk.c */
extern void walk_roots(ImportState *st, FileList *list);

/* import_map.c */
extern void map_table_prepare(ImportState *st);
extern bool map_table_lock(ImportState *st, DbError *err);
extern void csv_row(ImportState *st, const FileEntry *e, const char *file_id,
					const char *imported_at);
extern void forget_upload(ImportState *st, const FileEntry *e, const char *upload_id);

/* import_put.c */
extern ImportResult import_one(ImportState *st, FileEntry *e);

/* import_retry.c */
extern bool import_error_is_lost(const ImportState *st, const DbError *err);
extern bool import_session_ready(ImportState *st, DbError *err);
extern ImportResult import_one_retrying(ImportState *st, FileEntry *e);

#endif							/* PG_MEDIA_IMPORT_H */
