/*
 * manifest_write.c - pg_media export --manifest-only: write the manifest of
 * every file the role sees (manifest.h has the format), without their bytes.
 *
 * The header's counts and the file lines come from one REPEATABLE READ
 * snapshot, so they agree.  The lines are streamed with COPY ... TO STDOUT:
 * libpq holds one row at a time, whatever the number of files.  A manifest
 * written to a file goes to FILE.partial first and is renamed once complete
 * and on disk, so a FILE that exists is a whole manifest.
 */
#include "manifest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Writes s with COPY's text escapes for backslash, tab, newline and carriage return. */
static void
write_escaped(FILE *f, const char *s)
{
	for (; *s; s++)
	{
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\t')
			fputs("\\t", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '\r')
			fputs("\\r", f);
		else
			fputc(*s, f);
	}
}

/*
 * Writes the two header lines: format, database, time (UTC), file count,
 * bytes and --owner; then the column names.
 */
static void
write_header(FILE *f, PGresult *info, const ConnOpts *opts)
{
	fprintf(f, "%s\t%d\tdatabase=", MANIFEST_MAGIC, MANIFEST_VERSION);
	write_escaped(f, PQgetvalue(info, 0, 0));
	fprintf(f, "\tcreated=%s\tfiles=%s\tbytes=%s", PQgetvalue(info, 0, 1),
			PQgetvalue(info, 0, 2), PQgetvalue(info, 0, 3));
	if (opts->owner)
	{
		fputs("\towner=", f);
		write_escaped(f, opts->owner);
	}
	fputc('\n', f);
	for (const char *c = MANIFEST_COLUMNS_SQL; *c; c++)
	{
		if (c[0] == ',' && c[1] == ' ')
		{
			fputc('\t', f);
			c++;
		}
		else
			fputc(*c, f);
	}
	fputc('\n', f);
}

/*
 * Streams the file lines of COPY (...) TO STDOUT into f.  Returns the
 * number of lines, or -1 (error logged).
 */
static int64_t
copy_lines(PGconn *conn, FILE *f, const ConnOpts *opts)
{
	char		sql[1024];
	PGresult   *res;
	char	   *buf;
	int			len;
	int64_t		lines = 0;

	snprintf(sql, sizeof(sql), "COPY (SELECT " MANIFEST_COLUMNS_SQL
			 " FROM media.manifest() WHERE %s ORDER BY id) TO STDOUT",
			 db_owner_condition(opts));
	res = PQexec(conn, sql);
	if (PQresultStatus(res) != PGRES_COPY_OUT)
	{
		log_error("%s", db_error_text(conn, res));
		return -1;
	}
	PQclear(res);
	while ((len = PQgetCopyData(conn, &buf, 0)) > 0)
	{
		fwrite(buf, 1, len, f);
		PQfreemem(buf);
		lines++;
	}
	res = PQgetResult(conn);
	if (len == -2 || !db_ok(res))
	{
		log_error("%s", db_error_text(conn, res));
		return -1;
	}
	PQclear(res);
	return lines;
}

/* Flushes, syncs and closes the manifest file; false (error logged) on failure. */
static bool
finish_file(FILE *f, const char *path)
{
	bool		ok = fflush(f) == 0 && !ferror(f) && fsync(fileno(f)) == 0;

	if (fclose(f) != 0)
		ok = false;
	if (!ok)
		log_error("cannot write \"%s\": %s", path, strerror(errno));
	return ok;
}

/*
 * pg_media export --manifest-only PATH ("-": standard output).  Exit code:
 * 0 written, 1 no file to list (unless allow_empty: an empty manifest is
 * more often a wrong database or role than an empty store, and would later
 * "verify" an empty restore), 3 a connection, query or write error.
 */
int
manifest_write(const ConnOpts *opts, const char *path, bool allow_empty)
{
	bool		to_stdout = strcmp(path, "-") == 0;
	MediaSession session;
	PGconn	   *conn;
	PGresult   *info;
	char		sql[1024];
	char		partial[4096];
	FILE	   *f;
	int64_t		files;
	int64_t		lines;
	bool		ok = false;
	char		b1[32];

	if (!to_stdout && snprintf(partial, sizeof(partial), "%s.partial", path) >= (int) sizeof(partial))
		pg_fatal_usage("--manifest-only: the file name is too long");
	conn = db_connect_media(opts, "pg_media export", false, &session);
	db_warn_no_owner(&session);
	/* the server formats created_at; make that the same for every manifest */
	if (!db_command(conn, "SET TimeZone = 'UTC'") || !db_command(conn, "SET DateStyle = 'ISO, YMD'") ||
		!db_command(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"))
		return EXIT_FATAL;
	snprintf(sql, sizeof(sql),
			 "SELECT pg_catalog.current_database(),"
			 " pg_catalog.to_char(pg_catalog.now(), 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
			 " pg_catalog.count(*), coalesce(pg_catalog.sum(byte_size), 0)"
			 " FROM media.manifest() WHERE %s", db_owner_condition(opts));
	info = db_exec(conn, sql, 0, NULL, NULL, NULL, 0);
	if (!db_ok(info))
	{
		log_error("media.manifest() failed: %s", db_error_text(conn, info));
		return EXIT_FATAL;
	}
	files = db_get_int64(info, 0, 2);
	if (files == 0 && !allow_empty)
	{
		log_error("no files to list: role \"%s\" sees no file in database \"%s\"",
				  session.role, PQdb(conn));
		log_hint("check the database (-d), the role (-U) and --owner; pass --allow-empty "
				 "when no file is expected");
		return EXIT_SOME_FAILED;
	}
	f = to_stdout ? stdout : fopen(partial, "w");
	if (f == NULL)
	{
		log_error("cannot create \"%s\": %s", partial, strerror(errno));
		return EXIT_FATAL;
	}
	write_header(f, info, opts);
	lines = copy_lines(conn, f, opts);
	if (lines >= 0 && lines != files)
	{
		log_error("media.manifest() gave %lld files, its count %lld", (long long) lines,
				  (long long) files);
		lines = -1;
	}
	if (to_stdout)
	{
		ok = lines >= 0 && fflush(f) == 0 && !ferror(f);
		if (lines >= 0 && !ok)
			log_error("cannot write to standard output: %s", strerror(errno));
	}
	else if (lines < 0)
		fclose(f);
	else
		ok = finish_file(f, partial);
	if (ok && !to_stdout && rename(partial, path) != 0)
	{
		log_error("cannot rename \"%s\" to \"%s\": %s", partial, path, strerror(errno));
		ok = false;
	}
	if (!ok)
	{
		if (!to_stdout)
			unlink(partial);
		return EXIT_FATAL;
	}
	PQclear(PQexec(conn, "COMMIT"));
	/* with "-" standard output is the manifest: the summary goes to standard error */
	fprintf(to_stdout ? stderr : stdout, "manifest of %lld files (%s) of database \"%s\" written to %s\n",
			(long long) files, format_bytes(db_get_int64(info, 0, 3), b1, sizeof(b1)),
			PQgetvalue(info, 0, 0), to_stdout ? "standard output" : path);
	PQclear(info);
	PQfinish(conn);
	return EXIT_OK;
}
