/*
 * verify_manifest.c - pg_media verify --manifest FILE: the restore drill.
 * Compares a manifest written at backup time (manifest.h) with the files
 * the database holds, and reports each file MISSING (in the manifest, not
 * in the database), EXTRA (in the database, not in the manifest) or DAMAGED
 * (another SHA-256 or size than the manifest's, or, unless --quick, stored
 * bytes that no longer hash to the file's SHA-256: media.verify()).
 *
 * Both sides are read in id order and merged, one line and one cursor row
 * at a time, so neither the manifest nor the database's list is held in
 * memory.  The database side is one REPEATABLE READ snapshot of
 * media.manifest(), read as the connecting role.
 */
#include "manifest.h"

#include <string.h>

/* the database's files are fetched this many at a time */
#define FETCH_FILES "FETCH 1000 FROM manifest_check"

/* The database's files, read from a cursor. */
typedef struct DbFiles
{
	PGconn	   *conn;
	PGresult   *res;
	int			row;
} DbFiles;

/* Counts of a comparison. */
typedef struct Tally
{
	int64_t		db_files;
	int64_t		ok;
	int64_t		missing;
	int64_t		extra;
	int64_t		damaged;
} Tally;

/*
 * Moves to the database's next file (columns id, sha256, byte_size, name,
 * content ok), FETCH_FILES at a time.  Returns 1, 0 at the end, -1 on an error (logged).
 */
static int
db_next(DbFiles *d)
{
	if (d->res && ++d->row < PQntuples(d->res))
		return 1;
	if (d->res && PQntuples(d->res) == 0)
		return 0;
	PQclear(d->res);
	d->res = PQexec(d->conn, FETCH_FILES);
	if (!db_ok(d->res))
	{
		log_error("reading the database's files: %s", db_error_text(d->conn, d->res));
		d->res = NULL;
		return -1;
	}
	d->row = 0;
	return PQntuples(d->res) > 0 ? 1 : 0;
}

/* Prints one file's line: "KIND file ID (NAME, SIZE bytes): WHY", control characters of NAME as '?'. */
static void
report(const char *kind, int64_t id, const char *name, int64_t size, const char *why)
{
	printf("%s file %lld (", kind, (long long) id);
	for (const char *p = name; *p; p++)
		putchar((unsigned char) *p < 0x20 || *p == 0x7f ? '?' : *p);
	printf(", %lld bytes): %s\n", (long long) size, why);
}

/* Compares a file both sides have; counts it as ok or damaged. */
static void
compare_file(const ManifestEntry *m, PGresult *res, int row, bool quick, bool verbose,
			 Tally *t)
{
	const char *sha = PQgetvalue(res, row, 1);
	int64_t		size = db_get_int64(res, row, 2);
	const char *name = PQgetvalue(res, row, 3);
	char		why[256];

	if (strcmp(sha, m->sha256) != 0)
		snprintf(why, sizeof(why), "its SHA-256 differs from the manifest's (database %.12s..., manifest %.12s...)",
				 sha, m->sha256);
	else if (size != m->size)
		snprintf(why, sizeof(why), "its size differs from the manifest's (%lld bytes)",
				 (long long) m->size);
	else if (!quick && strcmp(PQgetvalue(res, row, 4), "t") != 0)
		snprintf(why, sizeof(why), "its stored bytes do not match its SHA-256 (re-hashed on the server)");
	else
	{
		t->ok++;
		if (verbose)
			report("ok", m->id, name, size, "matches the manifest");
		return;
	}
	t->damaged++;
	report("DAMAGED", m->id, name, size, why);
}

/*
 * Merges the manifest with the database's files (both in id order).
 * Returns false when either side failed (error logged).
 */
static bool
merge(ManifestReader *r, DbFiles *d, bool quick, bool verbose, Tally *t)
{
	ManifestEntry m;
	int			have_m = manifest_next(r, &m);
	int			have_d = db_next(d);

	while ((have_m == 1 || have_d == 1) && have_m >= 0 && have_d >= 0)
	{
		int64_t		db_id = have_d == 1 ? db_get_int64(d->res, d->row, 0) : 0;

		if (have_d != 1 || (have_m == 1 && m.id < db_id))
		{
			t->missing++;
			report("MISSING", m.id, m.name, m.size, "in the manifest, not in the database");
			have_m = manifest_next(r, &m);
			continue;
		}
		t->db_files++;
		if (have_m != 1 || db_id < m.id)
		{
			t->extra++;
			report("EXTRA", db_id, PQgetvalue(d->res, d->row, 3), db_get_int64(d->res, d->row, 2),
				   "in the database, not in the manifest");
		}
		else
		{
			compare_file(&m, d->res, d->row, quick, verbose, t);
			have_m = manifest_next(r, &m);
		}
		have_d = db_next(d);
	}
	PQclear(d->res);
	d->res = NULL;
	return have_m >= 0 && have_d >= 0;
}

/*
 * Is the manifest of the same files as this run: written with the same
 * --owner, or both without?  Logs the mismatch.
 */
static bool
same_owner(const ManifestReader *r, const ConnOpts *opts)
{
	const char *want = opts->owner ? opts->owner : "";

	if (!r->header.present || strcmp(r->header.owner, want) == 0)
		return true;
	if (r->header.owner[0])
		log_error("\"%s\" lists the files of owner \"%s\" only: pass --owner \"%s\"", r->path,
				  r->header.owner, r->header.owner);
	else
		log_error("\"%s\" lists every file, not only owner \"%s\"'s: leave out --owner", r->path, want);
	return false;
}

/* Opens the cursor over the database's files, in one read-only snapshot. */
static bool
open_db_files(PGconn *conn, const ConnOpts *opts, bool quick)
{
	char		sql[1024];

	if (!db_command(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"))
		return false;
	snprintf(sql, sizeof(sql),
			 "DECLARE manifest_check NO SCROLL CURSOR FOR"
			 " SELECT m.id, m.sha256, m.byte_size, m.name, %s"
			 " FROM media.manifest() m WHERE %s ORDER BY m.id",
			 quick ? "true" : "(SELECT v.ok FROM media.verify(m.id) v)",
			 db_owner_condition(opts));
	return db_command(conn, sql);
}

/*
 * pg_media verify --manifest FILE.  Exit code: 0 when every file matches,
 * else the sum of EXIT_MISSING, EXIT_DAMAGED, EXIT_EXTRA and
 * EXIT_INTEGRITY for the kinds of problem found; 1 when there was nothing
 * to compare (unless allow_empty); 3 for an unreadable or incomplete
 * manifest or a database error.
 */
int
verify_manifest(const ConnOpts *opts, const char *path, bool quick, bool allow_empty)
{
	ManifestReader r;
	MediaSession session;
	DbFiles		d = {0};
	Tally		t = {0};
	int64_t		integrity;
	double		start = now_seconds();
	int			rc = EXIT_OK;

	if (!manifest_open(&r, path) || !same_owner(&r, opts))
		return EXIT_FATAL;
	d.conn = db_connect_media(opts, "pg_media verify", false, &session);
	db_warn_no_owner(&session);
	if (!open_db_files(d.conn, opts, quick) || !merge(&r, &d, quick, opts->verbose, &t))
	{
		log_error("the comparison with \"%s\" stopped there", r.path);
		manifest_close(&r);
		return EXIT_FATAL;
	}
	PQclear(PQexec(d.conn, "COMMIT"));
	integrity = verify_integrity(d.conn, opts->verbose);
	printf("verified database \"%s\" against %s", PQdb(d.conn), r.path);
	if (r.header.present)
		printf(" (written %s from database \"%s\")", r.header.created, r.header.database);
	printf(": %lld files listed, %lld in the database; %lld ok, %lld missing, %lld extra, "
		   "%lld damaged%s (%s, %.1f s)\n",
		   (long long) r.files_read, (long long) t.db_files, (long long) t.ok,
		   (long long) t.missing, (long long) t.extra, (long long) t.damaged,
		   integrity > 0 ? ", storage integrity problems" : "",
		   quick ? "sizes and SHA-256 compared, contents not re-hashed" : "contents re-hashed",
		   now_seconds() - start);
	if (!r.header.present)
		fprintf(stderr, "%s: warning: %s has no header: whether it is complete cannot be checked\n",
				progname, r.path);
	manifest_close(&r);
	if (t.missing)
		rc |= EXIT_MISSING;
	if (t.damaged)
		rc |= EXIT_DAMAGED;
	if (t.extra)
		rc |= EXIT_EXTRA;
	if (integrity > 0)
		rc |= EXIT_INTEGRITY;
	if (r.files_read == 0 && t.db_files == 0 && rc == EXIT_OK && !allow_empty)
	{
		log_error("nothing to compare: the manifest lists no file and role \"%s\" sees none",
				  session.role);
		log_hint("pass --allow-empty when no file is expected");
		rc = EXIT_SOME_FAILED;
	}
	PQfinish(d.conn);
	return rc;
}
