/*
 * import_map.c - pg_media import: the map table, path -> file id with the
 * size and mtime seen and the upload in progress, which makes a run
 * resumable; and the --map CSV.
 *
 * The map table is checked before anything is walked or imported: an
 * existing one must be writable by the role, a missing one must be
 * creatable where it would go.  PostgreSQL 15 no longer lets every role
 * create tables in "public", where the default map table lives, so the
 * usual failure is said in one error that names --map-table.
 */
#include "import.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAP_TABLE_HINT \
	"choose a table in a schema the role may create tables in, or an existing table it " \
	"may read and write, with --map-table schema.table"

/* Reports why the map table cannot be used, with a hint, and exits. */
__attribute__((noreturn)) static void
map_table_fail(const ImportState *st, const char *why, const char *hint)
{
	log_error("cannot use the map table %s: %s", st->map_table_arg, why);
	log_hint("%s", hint ? hint : MAP_TABLE_HINT);
	exit(EXIT_FATAL);
}

/*
 * Runs a catalog query about the map table, whose name is $1; reports the
 * failure as the map table's and exits if it fails.
 */
static PGresult *
map_table_query(const ImportState *st, const char *sql)
{
	const char *values[1] = {st->map_table};
	PGresult   *res = db_exec(st->conn, sql, 1, values, NULL, NULL, 0);

	if (!db_ok(res))
		map_table_fail(st, db_error_text(st->conn, res), NULL);
	return res;
}

/*
 * Checks an existing map table: the role needs SELECT, INSERT, UPDATE and
 * DELETE on it; a table made by an older version gets the upload_id column
 * (which needs its owner).  Returns false if the table does not exist.
 */
static bool
map_table_check_existing(ImportState *st)
{
	char		why[1024];
	PGresult   *res;
	bool		writable;
	bool		has_upload_id;

	res = map_table_query(st,
						  "SELECT pg_catalog.has_table_privilege(c.oid, 'SELECT')"
						  "   AND pg_catalog.has_table_privilege(c.oid, 'INSERT')"
						  "   AND pg_catalog.has_table_privilege(c.oid, 'UPDATE')"
						  "   AND pg_catalog.has_table_privilege(c.oid, 'DELETE'),"
						  " EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid"
						  "   AND a.attname = 'upload_id' AND NOT a.attisdropped)"
						  " FROM pg_catalog.pg_class c WHERE c.oid = pg_catalog.to_regclass($1)");
	if (PQntuples(res) == 0)
	{
		PQclear(res);
		return false;
	}
	writable = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	has_upload_id = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
	PQclear(res);
	if (!writable)
	{
		char		hint[1024];

		snprintf(why, sizeof(why),
				 "role \"%s\" needs SELECT, INSERT, UPDATE and DELETE on it", st->session.role);
		snprintf(hint, sizeof(hint),
				 "GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO %s; or " MAP_TABLE_HINT,
				 st->map_table, st->session.role);
		map_table_fail(st, why, hint);
	}
	if (!has_upload_id)
	{
		char		sql[1024];

		snprintf(sql, sizeof(sql), "ALTER TABLE %s ADD COLUMN IF NOT EXISTS upload_id bigint",
				 st->map_table);
		res = PQexec(st->conn, sql);
		if (!db_ok(res))
		{
			snprintf(why, sizeof(why), "it has no upload_id column and adding it failed: %s",
					 db_error_text(st->conn, res));
			map_table_fail(st, why, "have the table's owner run ALTER TABLE ... ADD COLUMN upload_id bigint");
		}
		PQclear(res);
	}
	return true;
}

/*
 * Creates a missing map table, after checking that its schema exists and
 * that the role may create tables there (CREATE on the schema), so that the
 * common case, PostgreSQL 15's "public" without CREATE for ordinary roles,
 * gets a clear error instead of "permission denied for schema public".
 */
static void
map_table_create(ImportState *st)
{
	char		why[1024];
	char		sql[1024];
	PGresult   *res;

	res = map_table_query(st,
						  "SELECT s.name, n.oid IS NOT NULL,"
						  " n.oid IS NOT NULL AND pg_catalog.has_schema_privilege(n.oid, 'CREATE')"
						  " FROM (SELECT CASE WHEN pg_catalog.array_length(pg_catalog.parse_ident($1), 1) = 2"
						  "   THEN (pg_catalog.parse_ident($1))[1] ELSE pg_catalog.current_schema() END AS name) s"
						  " LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = s.name");
	if (PQgetisnull(res, 0, 0))
	{
		PQclear(res);
		map_table_fail(st, "it does not exist, and search_path names no schema to create it in", NULL);
	}
	if (strcmp(PQgetvalue(res, 0, 1), "t") != 0)
	{
		snprintf(why, sizeof(why), "schema \"%s\" does not exist", PQgetvalue(res, 0, 0));
		PQclear(res);
		map_table_fail(st, why, NULL);
	}
	if (strcmp(PQgetvalue(res, 0, 2), "t") != 0)
	{
		snprintf(why, sizeof(why),
				 "it does not exist, and role \"%s\" may not create it: no CREATE privilege on schema \"%s\"%s",
				 st->session.role, PQgetvalue(res, 0, 0),
				 strcmp(PQgetvalue(res, 0, 0), "public") == 0 ?
				 " (since PostgreSQL 15 only the database owner has it by default)" : "");
		PQclear(res);
		map_table_fail(st, why, NULL);
	}
	PQclear(res);

	snprintf(sql, sizeof(sql),
			 "CREATE TABLE IF NOT EXISTS %s (\n"
			 "    path text PRIMARY KEY,\n"
			 "    file_id bigint,\n"
			 "    size bigint,\n"
			 "    mtime timestamptz,\n"
			 "    imported_at timestamptz,\n"
			 "    upload_id bigint)",
			 st->map_table);
	res = PQexec(st->conn, sql);
	if (!db_ok(res))
	{
		DbError		err;

		db_error_capture(st->conn, res, &err);
		/* a read-only server: no other table would do better */
		map_table_fail(st, err.text,
					   strcmp(err.sqlstate, "25006") == 0 ? import_setup_hint(st, &err) : NULL);
	}
	PQclear(res);
}

/*
 * Makes sure the map table can be used, before anything is imported:
 * checks an existing one, or creates a missing one.  Exits with a clear
 * error and a --map-table hint when it cannot.
 */
void
map_table_prepare(ImportState *st)
{
	/* quiet NOTICEs such as "relation already exists, skipping" */
	PQclear(PQexec(st->conn, "SET client_min_messages = warning"));
	if (!map_table_check_existing(st))
		map_table_create(st);
}

/*
 * Takes the map table's advisory lock for the session: one import per map
 * table at a time, or two could upload the same file.  Exits if another
 * import holds it; returns false with the error in *err if the statement
 * failed (a lost connection, which a reconnect retries).
 */
bool
map_table_lock(ImportState *st, DbError *err)
{
	const char *v[1] = {st->map_table};
	PGresult   *res = db_exec(st->conn,
							  "SELECT pg_try_advisory_lock(hashtext('pg_media import ' || $1::regclass::oid::text))",
							  1, v, NULL, NULL, 0);

	if (!db_ok(res))
	{
		db_error_capture(st->conn, res, err);
		return false;
	}
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0)
	{
		PQclear(res);
		log_error("another pg_media import is running with the map table %s", st->map_table);
		exit(EXIT_FATAL);
	}
	PQclear(res);
	return true;
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
void
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

/*
 * After a failed upload: aborts it (its bytes are freed) and makes the map
 * row forget it, so that the next run starts the file afresh.
 */
void
forget_upload(ImportState *st, const FileEntry *e, const char *upload_id)
{
	const char *values[2] = {upload_id, e->key};
	char		sql[512];

	if (db_lost(st->conn))
		return;
	if (upload_id && upload_id[0])
		PQclear(db_exec(st->conn, "SELECT media.upload_abort($1::bigint)",
						1, values, NULL, NULL, 0));
	snprintf(sql, sizeof(sql),
			 "WITH d AS (DELETE FROM %s WHERE path = $1 AND file_id IS NULL)"
			 " UPDATE %s SET upload_id = NULL, size = NULL, mtime = NULL WHERE path = $1",
			 st->map_table, st->map_table);
	PQclear(db_exec(st->conn, sql, 1, values + 1, NULL, NULL, 0));
}
