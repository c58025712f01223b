/*
 * import.c - pg_media import: store the files of folders, resumably.
 *
 * Each file is streamed in parts through media.upload_begin/append/finish
 * (a file that fits in one part goes through media.put in one statement),
 * so memory stays bounded by a part whatever the file's size.  A map table
 * records path -> file id with the size and mtime seen, so a second run
 * skips what is already there; the upload in progress for a path is
 * recorded in the same row, so a run that was interrupted (Ctrl-C, a crash,
 * a lost connection) resumes that file where the server says it stopped
 * (media.upload_status), or aborts it when the file changed meanwhile.
 * Every step that moves a file from "uploading" to "imported" commits in
 * the same statement as the map row, so no file is ever imported twice.
 */
#include "pg_media_cli.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_MAP_TABLE "public.media_import_map"
#define MAX_PART_SIZE (64 * 1024 * 1024)

/* A file found by the walk. */
typedef struct FileEntry
{
	char	   *key;			/* the path recorded in the map (absolute) */
	char	   *open_path;		/* what to open: key, or a symlink's target */
	char	   *rel;			/* path relative to its root, for names */
	int64_t		size;
	int64_t		mtime_us;		/* microseconds since the Unix epoch */
} FileEntry;

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
	IMPORT_FAILED,
	IMPORT_INTERRUPTED,
	IMPORT_FATAL
} ImportResult;

typedef struct ImportState
{
	PGconn	   *conn;
	ConnOpts	opts;
	char	   *map_table;		/* quoted, possibly schema-qualified */
	const char *attrs;			/* --attrs JSON object, or NULL */
	bool		name_from_path;
	int			part_size;
	int64_t		limit;			/* --limit: files to import, 0 = all */
	FILE	   *csv;			/* --map FILE, or NULL */
	char	  **roots;			/* the roots' real paths */
	int			nroots;
	char	   *buf;			/* one part */
	Progress	prog;
	int64_t		imported;
	int64_t		unchanged;
	int64_t		skipped;
	int64_t		failed;
	int64_t		bytes_sent;
	double		start;
} ImportState;

static volatile sig_atomic_t interrupted = 0;

/* SIGINT/SIGTERM: finish the current part, then stop (a second one kills). */
static void
on_signal(int signo)
{
	(void) signo;
	interrupted = 1;
}

/* Prints the help of pg_media import. */
static void
import_help(void)
{
	printf("pg_media import: store files and folders in the database.\n"
		   "\n"
		   "Usage:\n"
		   "  pg_media import [OPTION]... DIR|FILE...\n"
		   "\n"
		   "Walks each folder (symbolic links are followed only when their target lies\n"
		   "inside one of the given folders; devices, FIFOs and sockets are skipped) and\n"
		   "streams every file in parts through media.upload_begin/append/finish.  A map\n"
		   "table records path -> file id; files already imported with the same size and\n"
		   "modification time are skipped, so running the same command again after\n"
		   "Ctrl-C or a crash resumes without duplicates (a file interrupted mid-upload\n"
		   "continues where the server stopped).\n"
		   "\n"
		   "Options:\n"
		   "      --map-table=NAME   map table (default %s; created if missing)\n"
		   "      --map=FILE         also write the path -> id map of this run as CSV\n"
		   "      --name-from=WHAT   stored name: \"basename\" (default) or \"path\" (the path\n"
		   "                         relative to the given folder; the server keeps its last\n"
		   "                         component as the name and the whole as original_name)\n"
		   "      --attrs=JSON       a JSON object stored in each file's attrs (source_path\n"
		   "                         is always added)\n"
		   "      --part-size=BYTES  upload part size (default: media.chunk_size; k/M suffixes)\n"
		   "      --limit=N          stop after importing N files (run again to continue)\n"
		   "\n"
		   COMMON_OPTIONS_HELP, DEFAULT_MAP_TABLE);
}

/* Adds a file to the list (copies the strings). */
static void
list_add(FileList *list, const char *key, const char *open_path,
		 const char *rel, const struct stat *st)
{
	FileEntry  *e;

	if (list->n == list->cap)
	{
		list->cap = list->cap ? list->cap * 2 : 256;
		list->items = realloc(list->items, list->cap * sizeof(FileEntry));
		if (list->items == NULL)
		{
			log_error("out of memory");
			exit(EXIT_FATAL);
		}
	}
	e = &list->items[list->n++];
	e->key = strdup(key);
	e->open_path = strdup(open_path);
	e->rel = strdup(rel);
	e->size = st->st_size;
	e->mtime_us = (int64_t) st->st_mtim.tv_sec * 1000000 + st->st_mtim.tv_nsec / 1000;
}

/* Is path (a real path) one of the roots or inside one of them? */
static bool
inside_roots(ImportState *st, const char *path)
{
	for (int i = 0; i < st->nroots; i++)
	{
		size_t		len = strlen(st->roots[i]);

		if (strncmp(path, st->roots[i], len) == 0 &&
			(path[len] == '\0' || path[len] == '/' || strcmp(st->roots[i], "/") == 0))
			return true;
	}
	return false;
}

/* A word for a file type that is not imported. */
static const char *
special_kind(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	return "not a regular file";
}

/* Joins a and b with a slash into a malloc'd string. */
static char *
path_join(const char *a, const char *b)
{
	size_t		len = strlen(a) + strlen(b) + 2;
	char	   *out = malloc(len);

	if (out == NULL)
	{
		log_error("out of memory");
		exit(EXIT_FATAL);
	}
	if (*a == '\0')
		snprintf(out, len, "%s", b);
	else if (strcmp(a, "/") == 0)
		snprintf(out, len, "/%s", b);
	else
		snprintf(out, len, "%s/%s", a, b);
	return out;
}

/*
 * Adds the files under dir (a real path) to the list, in name order.  rel is
 * dir relative to its root.  Never follows a symbolic link out of the roots
 * nor into a directory (which is walked from its own place if inside).
 */
static void
walk_dir(ImportState *st, const char *dir, const char *rel, FileList *list)
{
	struct dirent **names;
	int			n = scandir(dir, &names, NULL, alphasort);

	if (n < 0)
	{
		progress_error(&st->prog, "cannot read folder \"%s\": %s", dir, strerror(errno));
		st->failed++;
		return;
	}
	for (int i = 0; i < n; i++)
	{
		const char *name = names[i]->d_name;
		char	   *full;
		char	   *sub;
		struct stat sb;

		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		{
			free(names[i]);
			continue;
		}
		full = path_join(dir, name);
		sub = path_join(rel, name);
		if (lstat(full, &sb) != 0)
		{
			progress_error(&st->prog, "cannot stat \"%s\": %s", full, strerror(errno));
			st->failed++;
		}
		else if (S_ISDIR(sb.st_mode))
			walk_dir(st, full, sub, list);
		else if (S_ISREG(sb.st_mode))
			list_add(list, full, full, sub, &sb);
		else if (S_ISLNK(sb.st_mode))
		{
			char	   *target = realpath(full, NULL);
			struct stat tb;

			if (target == NULL)
			{
				progress_log(&st->prog, "skipped %s: broken symbolic link", full);
				st->skipped++;
			}
			else if (!inside_roots(st, target))
			{
				progress_log(&st->prog, "skipped %s: symbolic link to %s, outside the folders being imported",
							 full, target);
				st->skipped++;
			}
			else if (stat(target, &tb) == 0 && S_ISREG(tb.st_mode))
				list_add(list, full, target, sub, &tb);
			else if (stat(target, &tb) == 0 && S_ISDIR(tb.st_mode))
			{
				if (st->opts.verbose)
					progress_log(&st->prog, "skipped %s: symbolic link to folder %s (imported from there)",
								 full, target);
				st->skipped++;
			}
			else
			{
				progress_log(&st->prog, "skipped %s: symbolic link to %s", full,
							 special_kind(tb.st_mode));
				st->skipped++;
			}
			free(target);
		}
		else
		{
			progress_log(&st->prog, "skipped %s: %s", full, special_kind(sb.st_mode));
			st->skipped++;
		}
		free(full);
		free(sub);
		free(names[i]);
	}
	free(names);
}

/* Creates the map table if missing (and adds upload_id to an older one). */
static void
ensure_map_table(ImportState *st)
{
	char		sql[2048];

	snprintf(sql, sizeof(sql),
			 "CREATE TABLE IF NOT EXISTS %s (\n"
			 "    path text PRIMARY KEY,\n"
			 "    file_id bigint,\n"
			 "    size bigint,\n"
			 "    mtime timestamptz,\n"
			 "    imported_at timestamptz,\n"
			 "    upload_id bigint)",
			 st->map_table);
	/* quiet the NOTICE "relation already exists, skipping" */
	PQclear(PQexec(st->conn, "SET client_min_messages = warning"));
	if (!db_command(st->conn, sql))
	{
		log_error("cannot use the map table %s (choose another with --map-table)", st->map_table);
		exit(EXIT_FATAL);
	}
	snprintf(sql, sizeof(sql), "ALTER TABLE %s ADD COLUMN IF NOT EXISTS upload_id bigint",
			 st->map_table);
	if (!db_command(st->conn, sql))
		exit(EXIT_FATAL);
}

/*
 * Reads up to len bytes, retrying short reads; returns the count (less
 * than len only at end of file) or -1 with errno set.
 */
static ssize_t
read_full(int fd, char *buf, size_t len)
{
	size_t		got = 0;

	while (got < len)
	{
		ssize_t		r = read(fd, buf + got, len - got);

		if (r < 0)
		{
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		got += r;
	}
	return (ssize_t) got;
}

/* Formats microseconds since the epoch as an ISO 8601 UTC timestamp. */
static void
format_us(int64_t us, char *buf, size_t len)
{
	time_t		secs = (time_t) (us / 1000000);
	struct tm	tm;

	gmtime_r(&secs, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf + strlen(buf), len - strlen(buf), ".%06lld+00", (long long) (us % 1000000));
}

/* Appends a row to the --map CSV, if one was asked for. */
static void
csv_row(ImportState *st, const FileEntry *e, const char *file_id, const char *imported_at)
{
	char		size[32];
	char		mtime[64];

	if (st->csv == NULL)
		return;
	snprintf(size, sizeof(size), "%lld", (long long) e->size);
	format_us(e->mtime_us, mtime, sizeof(mtime));
	csv_field(st->csv, e->key, false);
	csv_field(st->csv, file_id, false);
	csv_field(st->csv, size, false);
	csv_field(st->csv, mtime, false);
	csv_field(st->csv, imported_at, true);
}

/* The name sent to the server for a file. */
static const char *
file_name(ImportState *st, const FileEntry *e)
{
	const char *slash;

	if (st->name_from_path)
		return e->rel;
	slash = strrchr(e->rel, '/');
	return slash ? slash + 1 : e->rel;
}

/*
 * After a failed upload: aborts it (its bytes are freed) and makes the map
 * row forget it, so that the next run starts the file afresh.
 */
static void
forget_upload(ImportState *st, const FileEntry *e, const char *upload_id)
{
	const char *values[2] = {upload_id, e->key};
	char		sql[512];

	if (db_lost(st->conn))
		return;
	if (upload_id)
		PQclear(db_exec(st->conn, "SELECT media.upload_abort($1::bigint)",
						1, values, NULL, NULL, 0));
	snprintf(sql, sizeof(sql),
			 "WITH d AS (DELETE FROM %s WHERE path = $1 AND file_id IS NULL)"
			 " UPDATE %s SET upload_id = NULL, size = NULL, mtime = NULL WHERE path = $1",
			 st->map_table, st->map_table);
	PQclear(db_exec(st->conn, sql, 1, values + 1, NULL, NULL, 0));
}

/* Reports a failed statement of a file; tells a lost connection apart. */
static ImportResult
file_failed(ImportState *st, const FileEntry *e, PGresult *res, const char *what)
{
	progress_error(&st->prog, "%s: %s: %s", e->key, what, db_error_text(st->conn, res));
	if (db_lost(st->conn))
		return IMPORT_FATAL;
	return IMPORT_FAILED;
}

/*
 * Imports one file.  Looks it up in the map first (unchanged -> skip; an
 * upload left by an interrupted run -> resume or abort it), then stores
 * it with media.put (one part) or media.upload_* (several).
 */
static ImportResult
import_one(ImportState *st, FileEntry *e)
{
	char		sql[2048];
	char		size_txt[32];
	char		mtime_txt[32];
	char		upload_id[32] = "";
	const char *values[6];
	int			lengths[6];
	int			formats[6];
	PGresult   *res;
	int64_t		offset = 0;
	bool		resume = false;
	bool		stale_upload = false;
	int64_t		row_size = -1;
	int64_t		row_mtime = -1;
	int			fd;
	struct stat sb;
	const char *name = file_name(st, e);

	/* 1. what the map knows about this path */
	snprintf(sql, sizeof(sql),
			 "SELECT m.file_id, m.size, (extract(epoch FROM m.mtime) * 1000000)::bigint,"
			 " m.upload_id, EXISTS (SELECT 1 FROM media.files f WHERE f.id = m.file_id),"
			 " m.imported_at"
			 " FROM %s m WHERE m.path = $1", st->map_table);
	values[0] = e->key;
	res = db_exec(st->conn, sql, 1, values, NULL, NULL, 0);
	if (!db_ok(res))
		return file_failed(st, e, res, "looking up the map table");
	if (PQntuples(res) == 1)
	{
		row_size = PQgetisnull(res, 0, 1) ? -1 : db_get_int64(res, 0, 1);
		row_mtime = PQgetisnull(res, 0, 2) ? -1 : db_get_int64(res, 0, 2);
		if (PQgetisnull(res, 0, 3) && !PQgetisnull(res, 0, 0) &&
			strcmp(PQgetvalue(res, 0, 4), "t") == 0 &&
			row_size == e->size && row_mtime == e->mtime_us)
		{
			if (st->opts.verbose)
				progress_log(&st->prog, "unchanged %s (file %s)", e->key, PQgetvalue(res, 0, 0));
			csv_row(st, e, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 5));
			PQclear(res);
			return IMPORT_UNCHANGED;
		}
		if (!PQgetisnull(res, 0, 3))
		{
			snprintf(upload_id, sizeof(upload_id), "%s", PQgetvalue(res, 0, 3));
			stale_upload = true;
		}
	}
	PQclear(res);

	/* 2. open it without following a link (a symlink was resolved by the walk) */
	fd = open(e->open_path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
	{
		progress_error(&st->prog, "%s: cannot open: %s", e->key, strerror(errno));
		return IMPORT_FAILED;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
	{
		progress_error(&st->prog, "%s: not a regular file", e->key);
		close(fd);
		return IMPORT_FAILED;
	}
	e->size = sb.st_size;
	e->mtime_us = (int64_t) sb.st_mtim.tv_sec * 1000000 + sb.st_mtim.tv_nsec / 1000;
	snprintf(size_txt, sizeof(size_txt), "%lld", (long long) e->size);
	snprintf(mtime_txt, sizeof(mtime_txt), "%lld", (long long) e->mtime_us);

	/* 3. an upload left by an interrupted run: resume it, or drop it */
	if (stale_upload)
	{
		values[0] = upload_id;
		if (row_size == e->size && row_mtime == e->mtime_us)
		{
			res = db_exec(st->conn, "SELECT media.upload_status($1::bigint)",
						  1, values, NULL, NULL, 0);
			if (db_ok(res) && PQntuples(res) == 1 &&
				db_get_int64(res, 0, 0) <= e->size &&
				lseek(fd, (off_t) db_get_int64(res, 0, 0), SEEK_SET) >= 0)
			{
				offset = db_get_int64(res, 0, 0);
				resume = true;
				progress_log(&st->prog, "resuming %s at byte %lld of %lld", e->key,
							 (long long) offset, (long long) e->size);
				progress_bytes(&st->prog, offset, NULL);
			}
			PQclear(res);
		}
		if (!resume)
		{
			/* the file changed, or the server no longer has the upload */
			PQclear(db_exec(st->conn, "SELECT media.upload_abort($1::bigint)",
							1, values, NULL, NULL, 0));
			upload_id[0] = '\0';
		}
		if (db_lost(st->conn))
		{
			close(fd);
			progress_error(&st->prog, "connection lost: %s", PQerrorMessage(st->conn));
			return IMPORT_FATAL;
		}
	}

	/* 4. a file that fits in one part: media.put and the map row in one statement */
	if (!resume && e->size <= st->part_size)
	{
		ssize_t		n = read_full(fd, st->buf, st->part_size + 1);

		if (n < 0)
		{
			progress_error(&st->prog, "%s: cannot read: %s", e->key, strerror(errno));
			close(fd);
			return IMPORT_FAILED;
		}
		if (n <= st->part_size)
		{
			close(fd);
			snprintf(size_txt, sizeof(size_txt), "%lld", (long long) n);
			e->size = n;
			snprintf(sql, sizeof(sql),
					 "INSERT INTO %s AS m (path, file_id, size, mtime, imported_at, upload_id)"
					 " VALUES ($1, media.put($2::bytea, $3, NULL,"
					 "   coalesce($4::jsonb, '{}') || jsonb_build_object('source_path', $7::text)),"
					 "   $5::bigint, timestamptz 'epoch' + $6::bigint * interval '1 microsecond', now(), NULL)"
					 " ON CONFLICT (path) DO UPDATE SET file_id = excluded.file_id, size = excluded.size,"
					 "   mtime = excluded.mtime, imported_at = excluded.imported_at, upload_id = NULL"
					 " RETURNING m.file_id, m.imported_at",
					 st->map_table);
			{
				const char *v[7] = {e->key, st->buf, name, st->attrs, size_txt, mtime_txt, e->rel};
				int			l[7] = {0, (int) n, 0, 0, 0, 0, 0};
				int			f[7] = {0, 1, 0, 0, 0, 0, 0};

				res = db_exec(st->conn, sql, 7, v, l, f, 0);
			}
			if (!db_ok(res))
				return file_failed(st, e, res, "not stored");
			csv_row(st, e, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
			if (!st->prog.tty || st->opts.verbose)
				progress_log(&st->prog, "imported %s -> file %s (%lld bytes)", e->key,
							 PQgetvalue(res, 0, 0), (long long) n);
			PQclear(res);
			st->bytes_sent += n;
			progress_bytes(&st->prog, n, name);
			return IMPORT_DONE;
		}
		/* it grew past one part since the walk: stream it */
		if (lseek(fd, 0, SEEK_SET) < 0)
		{
			progress_error(&st->prog, "%s: cannot seek: %s", e->key, strerror(errno));
			close(fd);
			return IMPORT_FAILED;
		}
	}

	/* 5. begin an upload, recorded in the map row in the same statement */
	if (!resume)
	{
		snprintf(sql, sizeof(sql),
				 "WITH u AS (SELECT media.upload_begin($2, NULL,"
				 "   coalesce($3::jsonb, '{}') || jsonb_build_object('source_path', $6::text)) AS id)"
				 " INSERT INTO %s AS m (path, size, mtime, upload_id)"
				 " SELECT $1, $4::bigint, timestamptz 'epoch' + $5::bigint * interval '1 microsecond', u.id FROM u"
				 " ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime = excluded.mtime,"
				 "   upload_id = excluded.upload_id"
				 " RETURNING m.upload_id",
				 st->map_table);
		values[0] = e->key;
		values[1] = name;
		values[2] = st->attrs;
		values[3] = size_txt;
		values[4] = mtime_txt;
		values[5] = e->rel;
		res = db_exec(st->conn, sql, 6, values, NULL, NULL, 0);
		if (!db_ok(res))
		{
			close(fd);
			return file_failed(st, e, res, "cannot begin the upload");
		}
		snprintf(upload_id, sizeof(upload_id), "%s", PQgetvalue(res, 0, 0));
		PQclear(res);
	}

	/* 6. the parts, each appended in its own transaction */
	for (;;)
	{
		ssize_t		n = read_full(fd, st->buf, st->part_size);
		int64_t		received;

		if (n < 0)
		{
			progress_error(&st->prog, "%s: cannot read: %s", e->key, strerror(errno));
			close(fd);
			forget_upload(st, e, upload_id);
			return IMPORT_FAILED;
		}
		if (n == 0)
			break;
		values[0] = upload_id;
		values[1] = st->buf;
		lengths[0] = 0;
		lengths[1] = (int) n;
		formats[0] = 0;
		formats[1] = 1;
		res = db_exec(st->conn, "SELECT media.upload_append($1::bigint, $2::bytea)",
					  2, values, lengths, formats, 0);
		if (!db_ok(res))
		{
			ImportResult r = file_failed(st, e, res, "upload refused");

			close(fd);
			if (r != IMPORT_FATAL)
				forget_upload(st, e, upload_id);
			return r;
		}
		received = db_get_int64(res, 0, 0);
		PQclear(res);
		if (received != offset + n)
		{
			progress_error(&st->prog, "%s: the server has %lld bytes of the upload, expected %lld",
						   e->key, (long long) received, (long long) (offset + n));
			close(fd);
			forget_upload(st, e, upload_id);
			return IMPORT_FAILED;
		}
		offset += n;
		st->bytes_sent += n;
		progress_bytes(&st->prog, n, name);
		if (n < st->part_size)
			break;
		if (interrupted)
		{
			close(fd);
			progress_log(&st->prog, "interrupted %s at byte %lld (the next run resumes it)",
						 e->key, (long long) offset);
			return IMPORT_INTERRUPTED;
		}
	}
	close(fd);

	/* 7. finish, and record the file id in the same statement */
	snprintf(sql, sizeof(sql),
			 "WITH f AS (SELECT media.upload_finish($2::bigint) AS id)"
			 " UPDATE %s m SET file_id = f.id, upload_id = NULL, size = $3::bigint,"
			 "   imported_at = now() FROM f WHERE m.path = $1"
			 " RETURNING m.file_id, m.imported_at",
			 st->map_table);
	snprintf(size_txt, sizeof(size_txt), "%lld", (long long) offset);
	values[0] = e->key;
	values[1] = upload_id;
	values[2] = size_txt;
	res = db_exec(st->conn, sql, 3, values, NULL, NULL, 0);
	if (!db_ok(res) || PQntuples(res) != 1)
	{
		ImportResult r;

		if (db_ok(res))
		{
			PQclear(res);
			progress_error(&st->prog, "%s: its map row vanished during the upload", e->key);
			r = IMPORT_FAILED;
		}
		else
			r = file_failed(st, e, res, "not stored");
		if (r != IMPORT_FATAL)
			forget_upload(st, e, upload_id);
		return r;
	}
	e->size = offset;
	csv_row(st, e, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
	if (!st->prog.tty || st->opts.verbose)
		progress_log(&st->prog, "imported %s -> file %s (%lld bytes)", e->key,
					 PQgetvalue(res, 0, 0), (long long) offset);
	PQclear(res);
	return IMPORT_DONE;
}

/* Parses a size such as 65536, 64k or 1M; -1 if invalid. */
static long long
parse_size(const char *s)
{
	char	   *end;
	long long	v = strtoll(s, &end, 10);

	if (end == s || v < 0)
		return -1;
	if (*end == 'k' || *end == 'K')
		v *= 1024, end++;
	else if (*end == 'm' || *end == 'M')
		v *= 1024 * 1024, end++;
	if (*end == 'B' || *end == 'b')
		end++;
	return *end ? -1 : v;
}

/* pg_media import */
int
cmd_import(int argc, char **argv)
{
	static const struct option long_options[] = {
		{"map-table", required_argument, NULL, 1},
		{"map", required_argument, NULL, 2},
		{"name-from", required_argument, NULL, 3},
		{"attrs", required_argument, NULL, 4},
		{"part-size", required_argument, NULL, 5},
		{"limit", required_argument, NULL, 6},
		COMMON_LONG_OPTIONS
	};
	ImportState st;
	const char *map_table = DEFAULT_MAP_TABLE;
	const char *csv_path = NULL;
	long long	part_size = 0;
	FileList	list = {0};
	int64_t		total_bytes = 0;
	bool		stopped = false;
	bool		fatal = false;
	int			c;
	struct sigaction sa;
	char		b1[32],
				b2[32];
	double		elapsed;

	memset(&st, 0, sizeof(st));
	while ((c = getopt_long(argc, argv, COMMON_SHORT_OPTIONS, long_options, NULL)) != -1)
	{
		if (common_option(&st.opts, c, optarg, import_help))
			continue;
		switch (c)
		{
			case 1:
				map_table = optarg;
				break;
			case 2:
				csv_path = optarg;
				break;
			case 3:
				if (strcmp(optarg, "path") == 0)
					st.name_from_path = true;
				else if (strcmp(optarg, "basename") != 0)
					pg_fatal_usage("--name-from must be \"path\" or \"basename\"");
				break;
			case 4:
				st.attrs = optarg;
				break;
			case 5:
				part_size = parse_size(optarg);
				if (part_size < 1024 || part_size > MAX_PART_SIZE)
					pg_fatal_usage("--part-size must be between 1k and 64M");
				break;
			case 6:
				st.limit = strtoll(optarg, NULL, 10);
				if (st.limit <= 0)
					pg_fatal_usage("--limit must be a positive number");
				break;
		}
	}
	if (optind >= argc)
		pg_fatal_usage("no folder or file to import");

	/* the roots, as real paths, before anything is walked */
	st.roots = calloc(argc - optind, sizeof(char *));
	progress_init(&st.prog, "imported", 0, 0, st.opts.quiet);
	for (int i = optind; i < argc; i++)
	{
		char	   *real = realpath(argv[i], NULL);

		if (real == NULL)
		{
			progress_error(&st.prog, "cannot access \"%s\": %s", argv[i], strerror(errno));
			st.failed++;
			continue;
		}
		st.roots[st.nroots++] = real;
	}

	st.conn = db_connect(&st.opts, "pg_media import");
	db_require_extension(st.conn);
	st.map_table = db_quote_qualified(st.conn, map_table);
	if (st.map_table == NULL)
		pg_fatal_usage("invalid --map-table name \"%s\"", map_table);
	if (st.attrs)
	{
		const char *v[1] = {st.attrs};
		PGresult   *res = db_exec(st.conn, "SELECT jsonb_typeof($1::jsonb) = 'object'",
								  1, v, NULL, NULL, 0);

		if (!db_ok(res) || strcmp(PQgetvalue(res, 0, 0), "t") != 0)
		{
			if (!db_ok(res))
				db_error_text(st.conn, res);
			else
				PQclear(res);
			pg_fatal_usage("--attrs must be a JSON object");
		}
		PQclear(res);
	}
	st.part_size = part_size ? (int) part_size : db_chunk_size(st.conn);
	st.buf = malloc(st.part_size + 1);
	if (st.buf == NULL)
	{
		log_error("out of memory");
		return EXIT_FATAL;
	}
	ensure_map_table(&st);
	/* one import per map table at a time, or two could upload the same file */
	{
		const char *v[1] = {st.map_table};
		PGresult   *res = db_exec(st.conn,
								  "SELECT pg_try_advisory_lock(hashtext('pg_media import ' || $1::regclass::oid::text))",
								  1, v, NULL, NULL, 0);

		if (!db_ok(res) || strcmp(PQgetvalue(res, 0, 0), "t") != 0)
		{
			if (db_ok(res))
				PQclear(res);
			else
				db_error_text(st.conn, res);
			log_error("another pg_media import is running with the map table %s", st.map_table);
			return EXIT_FATAL;
		}
		PQclear(res);
	}
	if (csv_path)
	{
		st.csv = fopen(csv_path, "w");
		if (st.csv == NULL)
		{
			log_error("cannot write \"%s\": %s", csv_path, strerror(errno));
			return EXIT_FATAL;
		}
		fputs("path,file_id,size,mtime,imported_at\n", st.csv);
	}

	/* walk everything first, so the progress bar knows the totals */
	for (int i = 0; i < st.nroots; i++)
	{
		struct stat sb;
		const char *base = strrchr(st.roots[i], '/');

		if (stat(st.roots[i], &sb) != 0)
		{
			progress_error(&st.prog, "cannot stat \"%s\": %s", st.roots[i], strerror(errno));
			st.failed++;
		}
		else if (S_ISDIR(sb.st_mode))
			walk_dir(&st, st.roots[i], "", &list);
		else if (S_ISREG(sb.st_mode))
			list_add(&list, st.roots[i], st.roots[i], base && base[1] ? base + 1 : st.roots[i], &sb);
		else
		{
			progress_log(&st.prog, "skipped %s: %s", st.roots[i], special_kind(sb.st_mode));
			st.skipped++;
		}
	}
	for (size_t i = 0; i < list.n; i++)
		total_bytes += list.items[i].size;
	st.prog.total_files = (int64_t) list.n;
	st.prog.total_bytes = total_bytes;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART | SA_RESETHAND;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	st.start = now_seconds();
	for (size_t i = 0; i < list.n && !stopped; i++)
	{
		FileEntry  *e = &list.items[i];
		int64_t		before = st.prog.done_bytes;

		if (interrupted)
		{
			stopped = true;
			break;
		}
		switch (import_one(&st, e))
		{
			case IMPORT_DONE:
				st.imported++;
				break;
			case IMPORT_UNCHANGED:
				st.unchanged++;
				break;
			case IMPORT_FAILED:
				st.failed++;
				break;
			case IMPORT_INTERRUPTED:
				stopped = true;
				break;
			case IMPORT_FATAL:
				fatal = stopped = true;
				break;
		}
		/* keep the bar's byte count whole for files skipped or failed */
		if (st.prog.done_bytes < before + e->size)
			progress_bytes(&st.prog, before + e->size - st.prog.done_bytes, NULL);
		progress_file_done(&st.prog);
		if (st.limit > 0 && st.imported >= st.limit && i + 1 < list.n && !stopped)
		{
			progress_log(&st.prog, "stopped after %lld files (--limit); run again to continue",
						 (long long) st.imported);
			break;
		}
	}
	progress_finish(&st.prog);
	if (st.csv)
		fclose(st.csv);

	elapsed = now_seconds() - st.start;
	printf("%s%lld imported (%s in %.1f s, %s/s), %lld unchanged, %lld skipped, %lld failed\n",
		   stopped && !fatal ? "interrupted: " : "",
		   (long long) st.imported, format_bytes(st.bytes_sent, b1, sizeof(b1)), elapsed,
		   format_bytes(elapsed > 0 ? (int64_t) (st.bytes_sent / elapsed) : 0, b2, sizeof(b2)),
		   (long long) st.unchanged, (long long) st.skipped, (long long) st.failed);
	if (stopped && !fatal)
		printf("run the same command again to resume\n");
	fflush(stdout);
	PQfinish(st.conn);
	if (fatal)
		return EXIT_FATAL;
	return (st.failed > 0 || stopped) ? EXIT_SOME_FAILED : EXIT_OK;
}
