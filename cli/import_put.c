/*
 * import_put.c - pg_media import: one file.
 *
 * A file that fits in one part goes through media.put in one statement,
 * together with its map row; a larger one is streamed in parts through
 * media.upload_begin/append/finish, so memory stays bounded by a part
 * whatever the file's size.  The upload in progress is recorded in the map
 * row, so a run that was interrupted (Ctrl-C, a crash, a lost connection)
 * resumes that file where the server says it stopped (media.upload_status),
 * or aborts it when the file changed meanwhile.  Every step that moves a
 * file from "uploading" to "imported" commits in the same statement as the
 * map row, so no file is ever imported twice.
 */
#include "import.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What the map table says about a path that needs importing. */
typedef struct MapRow
{
	int64_t		size;			/* size recorded, -1 if none */
	int64_t		mtime_us;		/* mtime recorded, -1 if none */
	char		upload_id[32];	/* an upload left by an interrupted run, or "" */
} MapRow;

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

/* The name sent to the server for a file. */
static const char *
file_name(const ImportState *st, const FileEntry *e)
{
	const char *slash;

	if (st->name_from_path)
		return e->rel;
	slash = strrchr(e->rel, '/');
	return slash ? slash + 1 : e->rel;
}

/*
 * Reports a failed statement of a file and says what the run should do: a
 * lost connection or a server that stopped being a writable primary
 * (import_error_is_lost) gives IMPORT_LOST, the error kept in
 * st->lost_error for the reconnect (import_retry.c) to report; an error
 * that does not depend on the file (db_error_is_setup: privileges,
 * media.owner not set, a read-only session, ...) stops the run, kept in
 * st->setup_error for the caller to report once (IMPORT_SETUP_FAILED); any
 * other error fails this file only.  writes: the statement writes, so after
 * a lost connection its commit is in doubt (st->commit_in_doubt).
 */
static ImportResult
file_failed(ImportState *st, const FileEntry *e, PGresult *res, const char *what, bool writes)
{
	DbError		err;

	db_error_capture(st->conn, res, &err);
	if (import_error_is_lost(st, &err))
	{
		snprintf(st->lost_error.text, sizeof(st->lost_error.text), "%s: %s: %.1900s",
				 e->key, what, err.text);
		snprintf(st->lost_error.sqlstate, sizeof(st->lost_error.sqlstate), "%s", err.sqlstate);
		st->commit_in_doubt = writes;
		return IMPORT_LOST;
	}
	if (db_error_is_setup(err.sqlstate))
	{
		st->setup_error = err;
		st->setup_file = e->key;
		return IMPORT_SETUP_FAILED;
	}
	progress_error(&st->prog, "%s: %s: %s%s%s", e->key, what, err.text,
				   err.hint[0] ? " Hint: " : "", err.hint);
	return IMPORT_FAILED;
}

/*
 * Step 1: what the map knows about this path.  Returns false when the file
 * needs no import (unchanged since it was imported, and its file still
 * there for this owner) or the lookup failed, with the outcome in *result;
 * else true, with the map row's size, mtime and upload in *row.
 */
static bool
map_lookup(ImportState *st, const FileEntry *e, MapRow *row, ImportResult *result)
{
	char		sql[1024];
	const char *values[1] = {e->key};
	PGresult   *res;

	row->size = -1;
	row->mtime_us = -1;
	row->upload_id[0] = '\0';
	snprintf(sql, sizeof(sql),
			 "SELECT m.file_id, m.size, (extract(epoch FROM m.mtime) * 1000000)::bigint,"
			 " m.upload_id, EXISTS (SELECT 1 FROM media.files f WHERE f.id = m.file_id AND %s),"
			 " m.imported_at"
			 " FROM %s m WHERE m.path = $1", db_owner_condition(&st->opts), st->map_table);
	res = db_exec(st->conn, sql, 1, values, NULL, NULL, 0);
	if (!db_ok(res))
	{
		*result = file_failed(st, e, res, "looking up the map table", false);
		return false;
	}
	if (PQntuples(res) == 1)
	{
		row->size = PQgetisnull(res, 0, 1) ? -1 : db_get_int64(res, 0, 1);
		row->mtime_us = PQgetisnull(res, 0, 2) ? -1 : db_get_int64(res, 0, 2);
		if (PQgetisnull(res, 0, 3) && !PQgetisnull(res, 0, 0) &&
			strcmp(PQgetvalue(res, 0, 4), "t") == 0 &&
			row->size == e->size && row->mtime_us == e->mtime_us)
		{
			if (st->opts.verbose)
				progress_log(&st->prog, "unchanged %s (file %s)", e->key, PQgetvalue(res, 0, 0));
			csv_row(st, e, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 5));
			PQclear(res);
			*result = IMPORT_UNCHANGED;
			return false;
		}
		if (!PQgetisnull(res, 0, 3))
			snprintf(row->upload_id, sizeof(row->upload_id), "%s", PQgetvalue(res, 0, 3));
	}
	PQclear(res);
	return true;
}

/*
 * Step 2: opens the file without following a link (a symlink was resolved
 * by the walk) and refreshes its size and mtime.  Returns the descriptor,
 * or -1 with the failure reported.
 */
static int
open_file(ImportState *st, FileEntry *e)
{
	struct stat sb;
	int			fd = open(e->open_path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
	{
		progress_error(&st->prog, "%s: cannot open: %s", e->key, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
	{
		progress_error(&st->prog, "%s: not a regular file", e->key);
		close(fd);
		return -1;
	}
	e->size = sb.st_size;
	e->mtime_us = (int64_t) sb.st_mtim.tv_sec * 1000000 + sb.st_mtim.tv_nsec / 1000;
	return fd;
}

/*
 * Step 3: an upload left by an interrupted run.  Resumes it (fd positioned
 * and *offset set to what the server has) when the file is unchanged and
 * the server still has it; else aborts it and clears row->upload_id.
 * Returns false if the connection was lost (st->lost_error says how).
 */
static bool
resume_or_drop(ImportState *st, const FileEntry *e, int fd, MapRow *row, int64_t *offset)
{
	const char *values[1] = {row->upload_id};
	bool		resume = false;
	PGresult   *res;

	if (row->size == e->size && row->mtime_us == e->mtime_us)
	{
		res = db_exec(st->conn, "SELECT media.upload_status($1::bigint)",
					  1, values, NULL, NULL, 0);
		if (db_ok(res) && PQntuples(res) == 1 &&
			db_get_int64(res, 0, 0) <= e->size &&
			lseek(fd, (off_t) db_get_int64(res, 0, 0), SEEK_SET) >= 0)
		{
			*offset = db_get_int64(res, 0, 0);
			resume = true;
			progress_log(&st->prog, "resuming %s at byte %lld of %lld", e->key,
						 (long long) *offset, (long long) e->size);
			progress_bytes(&st->prog, *offset, NULL);
		}
		PQclear(res);
	}
	if (!resume)
	{
		/* the file changed, or the server no longer has the upload */
		PQclear(db_exec(st->conn, "SELECT media.upload_abort($1::bigint)",
						1, values, NULL, NULL, 0));
		row->upload_id[0] = '\0';
	}
	if (db_lost(st->conn))
	{
		snprintf(st->lost_error.text, sizeof(st->lost_error.text),
				 "%s: resuming its upload: %.1900s", e->key, PQerrorMessage(st->conn));
		st->lost_error.sqlstate[0] = '\0';
		st->commit_in_doubt = false;
		return false;
	}
	return true;
}

/*
 * A file's size and mtime (microseconds) as text, the parameters its map
 * row is written with (32 bytes each).
 */
static void
size_mtime_params(const FileEntry *e, char *size_txt, char *mtime_txt)
{
	snprintf(size_txt, 32, "%lld", (long long) e->size);
	snprintf(mtime_txt, 32, "%lld", (long long) e->mtime_us);
}

/* Logs a stored file (unless a progress bar shows it) and adds it to the CSV. */
static void
report_stored(ImportState *st, const FileEntry *e, PGresult *res)
{
	csv_row(st, e, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
	if (!st->prog.tty || st->opts.verbose)
		progress_log(&st->prog, "imported %s -> file %s (%lld bytes)", e->key,
					 PQgetvalue(res, 0, 0), (long long) e->size);
}

/*
 * Step 4: a file that fits in one part: media.put and the map row in one
 * statement.  Returns true with the outcome in *result (fd closed), or
 * false when the file grew past one part since the walk (fd rewound, to be
 * streamed).
 */
static bool
put_whole(ImportState *st, FileEntry *e, int fd, ImportResult *result)
{
	char		sql[2048];
	char		size_txt[32];
	char		mtime_txt[32];
	ssize_t		n = read_full(fd, st->buf, st->part_size + 1);
	PGresult   *res;

	if (n < 0)
	{
		progress_error(&st->prog, "%s: cannot read: %s", e->key, strerror(errno));
		close(fd);
		*result = IMPORT_FAILED;
		return true;
	}
	if (n > st->part_size)
	{
		if (lseek(fd, 0, SEEK_SET) >= 0)
			return false;
		progress_error(&st->prog, "%s: cannot seek: %s", e->key, strerror(errno));
		close(fd);
		*result = IMPORT_FAILED;
		return true;
	}
	close(fd);
	e->size = n;
	size_mtime_params(e, size_txt, mtime_txt);
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
		const char *v[7] = {e->key, st->buf, file_name(st, e), st->attrs, size_txt, mtime_txt, e->rel};
		int			l[7] = {0, (int) n, 0, 0, 0, 0, 0};
		int			f[7] = {0, 1, 0, 0, 0, 0, 0};

		res = db_exec(st->conn, sql, 7, v, l, f, 0);
	}
	if (!db_ok(res))
	{
		*result = file_failed(st, e, res, "not stored", true);
		return true;
	}
	report_stored(st, e, res);
	PQclear(res);
	st->bytes_sent += n;
	progress_bytes(&st->prog, n, file_name(st, e));
	*result = IMPORT_DONE;
	return true;
}

/*
 * Step 5: begins an upload, recorded in the map row in the same statement;
 * its id goes to upload_id (32 bytes).
 */
static ImportResult
begin_upload(ImportState *st, const FileEntry *e, char *upload_id)
{
	char		sql[2048];
	char		size_txt[32];
	char		mtime_txt[32];
	const char *values[6];
	PGresult   *res;

	size_mtime_params(e, size_txt, mtime_txt);
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
	values[1] = file_name(st, e);
	values[2] = st->attrs;
	values[3] = size_txt;
	values[4] = mtime_txt;
	values[5] = e->rel;
	res = db_exec(st->conn, sql, 6, values, NULL, NULL, 0);
	if (!db_ok(res))
		return file_failed(st, e, res, "cannot begin the upload", true);
	snprintf(upload_id, 32, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return IMPORT_DONE;
}

/*
 * Step 6: sends the rest of the file from *offset, each part appended in
 * its own transaction; stops after the part in flight on SIGINT/SIGTERM
 * (the next run resumes).  IMPORT_DONE when everything was sent.
 */
static ImportResult
send_parts(ImportState *st, const FileEntry *e, int fd, const char *upload_id, int64_t *offset)
{
	for (;;)
	{
		ssize_t		n = read_full(fd, st->buf, st->part_size);
		const char *values[2] = {upload_id, st->buf};
		int			lengths[2] = {0, 0};
		int			formats[2] = {0, 1};
		int64_t		received;
		PGresult   *res;

		if (n < 0)
		{
			progress_error(&st->prog, "%s: cannot read: %s", e->key, strerror(errno));
			forget_upload(st, e, upload_id);
			return IMPORT_FAILED;
		}
		if (n == 0)
			return IMPORT_DONE;
		lengths[1] = (int) n;
		res = db_exec(st->conn, "SELECT media.upload_append($1::bigint, $2::bytea)",
					  2, values, lengths, formats, 0);
		if (!db_ok(res))
		{
			ImportResult r = file_failed(st, e, res, "upload refused", true);

			if (r != IMPORT_LOST)
				forget_upload(st, e, upload_id);
			return r;
		}
		received = db_get_int64(res, 0, 0);
		PQclear(res);
		if (received != *offset + n)
		{
			progress_error(&st->prog, "%s: the server has %lld bytes of the upload, expected %lld",
						   e->key, (long long) received, (long long) (*offset + n));
			forget_upload(st, e, upload_id);
			return IMPORT_FAILED;
		}
		*offset += n;
		st->bytes_sent += n;
		progress_bytes(&st->prog, n, file_name(st, e));
		if (n < st->part_size)
			return IMPORT_DONE;
		if (import_interrupted)
		{
			progress_log(&st->prog, "interrupted %s at byte %lld (the next run resumes it)",
						 e->key, (long long) *offset);
			return IMPORT_INTERRUPTED;
		}
	}
}

/* Step 7: finishes the upload and records the file id in the same statement. */
static ImportResult
finish_upload(ImportState *st, FileEntry *e, const char *upload_id, int64_t size)
{
	char		sql[1024];
	char		size_txt[32];
	const char *values[3] = {e->key, upload_id, size_txt};
	PGresult   *res;
	ImportResult r;

	snprintf(sql, sizeof(sql),
			 "WITH f AS (SELECT media.upload_finish($2::bigint) AS id)"
			 " UPDATE %s m SET file_id = f.id, upload_id = NULL, size = $3::bigint,"
			 "   imported_at = now() FROM f WHERE m.path = $1"
			 " RETURNING m.file_id, m.imported_at",
			 st->map_table);
	snprintf(size_txt, sizeof(size_txt), "%lld", (long long) size);
	res = db_exec(st->conn, sql, 3, values, NULL, NULL, 0);
	if (db_ok(res) && PQntuples(res) == 1)
	{
		e->size = size;
		report_stored(st, e, res);
		PQclear(res);
		return IMPORT_DONE;
	}
	if (db_ok(res))
	{
		PQclear(res);
		progress_error(&st->prog, "%s: its map row vanished during the upload", e->key);
		r = IMPORT_FAILED;
	}
	else
		r = file_failed(st, e, res, "not stored", true);
	if (r != IMPORT_LOST)
		forget_upload(st, e, upload_id);
	return r;
}

/*
 * Imports one file: skips it if the map says it is unchanged, resumes or
 * drops an upload left by an interrupted run, then stores it with
 * media.put (one part) or media.upload_* (several).
 */
ImportResult
import_one(ImportState *st, FileEntry *e)
{
	MapRow		row;
	ImportResult r;
	int64_t		offset = 0;
	int			fd;

	if (!map_lookup(st, e, &row, &r))
		return r;
	fd = open_file(st, e);
	if (fd < 0)
		return IMPORT_FAILED;
	if (row.upload_id[0] && !resume_or_drop(st, e, fd, &row, &offset))
	{
		close(fd);
		return IMPORT_LOST;
	}
	if (row.upload_id[0] == '\0')
	{
		if (e->size <= st->part_size && put_whole(st, e, fd, &r))
			return r;
		r = begin_upload(st, e, row.upload_id);
		if (r != IMPORT_DONE)
		{
			close(fd);
			return r;
		}
	}
	r = send_parts(st, e, fd, row.upload_id, &offset);
	close(fd);
	if (r != IMPORT_DONE)
		return r;
	return finish_upload(st, e, row.upload_id, offset);
}
