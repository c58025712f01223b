/*
 * verify.c - pg_media verify: recompute stored files' SHA-256 on the
 * server (media.verify) and report the ones that do not match, then check
 * the storage tables (media.check_integrity, when the extension has it).
 * With --manifest FILE it compares a backup's manifest instead
 * (verify_manifest.c).
 */
#include "pg_media_cli.h"

#include <stdlib.h>
#include <string.h>

/* Prints the help of pg_media verify. */
static void
verify_help(void)
{
	printf("pg_media verify: check the integrity of stored files.\n"
		   "\n"
		   "Usage:\n"
		   "  pg_media verify [--id N] [OPTION]...\n"
		   "  pg_media verify --manifest FILE [--quick] [OPTION]...\n"
		   "\n"
		   "Runs media.verify(), which re-reads each file's content on the server and\n"
		   "compares its SHA-256 with the stored one; lists the files that differ.  Then\n"
		   "runs media.check_integrity() when the extension has it (files without\n"
		   "content, content whose parts do not add up, orphaned content).\n"
		   "Exit status 1 if any file failed or the storage has problems, or if there\n"
		   "was no file to verify (a wrong database or role, or media.owner missing)\n"
		   "unless --allow-empty.\n"
		   "\n"
		   "With --manifest FILE (written at backup time by pg_media export\n"
		   "--manifest-only, \"-\" for standard input), the restore drill: every file of\n"
		   "the manifest is looked up by id and each problem printed as a line\n"
		   "  MISSING  in the manifest, not in the database\n"
		   "  EXTRA    in the database, not in the manifest\n"
		   "  DAMAGED  another SHA-256 or size than the manifest's, or (unless --quick)\n"
		   "           stored bytes that no longer match the file's SHA-256\n"
		   "then a summary.  Exit status: 0 when everything matches; otherwise the sum of\n"
		   "  4 some files missing, 8 some damaged, 16 some extra, 32 storage integrity\n"
		   "  problems (so 28 = missing + damaged + extra);\n"
		   "1 when the manifest lists no file and the database has none (unless\n"
		   "--allow-empty); 3 when the manifest is unreadable, incomplete (fewer files or\n"
		   "bytes than its header says) or the database fails.\n"
		   "\n"
		   "Options:\n"
		   "      --id=N             verify this file only\n"
		   "      --manifest=FILE    compare with a manifest (see above)\n"
		   "      --quick            with --manifest: compare SHA-256 and sizes only, do\n"
		   "                         not re-hash the stored bytes\n"
		   "      --allow-empty      exit 0 when there is no file to verify\n"
		   OWNER_OPTION_HELP
		   "\n"
		   COMMON_OPTIONS_HELP);
}

/*
 * Runs media.check_integrity() when the extension has it (it lists
 * problems of the storage tables that no file's check sees: orphaned
 * content left by a failed restore, files without content) and prints
 * each problem, the first 100 of them; rows are read one at a time
 * (single-row mode).  Returns the number of problems, or -1 when the check
 * did not run (not installed, or refused: a warning says why).
 */
int64_t
verify_integrity(PGconn *conn, bool verbose)
{
	PGresult   *res = PQexec(conn, "SELECT pg_catalog.to_regprocedure('media.check_integrity()') IS NOT NULL");
	int64_t		problems = 0;
	bool		failed = false;

	if (!db_ok(res) || strcmp(PQgetvalue(res, 0, 0), "t") != 0)
	{
		if (verbose)
			fprintf(stderr, "%s: storage integrity not checked: this version of the extension "
					"has no media.check_integrity()\n", progname);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	if (!PQsendQuery(conn, "SELECT problem, table_name, id, detail FROM media.check_integrity()") ||
		!PQsetSingleRowMode(conn))
		failed = true;
	while ((res = PQgetResult(conn)) != NULL)
	{
		if (PQresultStatus(res) == PGRES_SINGLE_TUPLE)
		{
			if (++problems <= 100)
				printf("INTEGRITY %s: %s %s: %s\n", PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1),
					   PQgetisnull(res, 0, 2) ? "-" : PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3));
		}
		else if (!db_ok(res))
		{
			fprintf(stderr, "%s: warning: storage integrity not checked: %s\n", progname,
					db_error_text(conn, res));
			failed = true;
			continue;
		}
		PQclear(res);
	}
	if (failed)
		return -1;
	if (problems > 100)
		printf("INTEGRITY ... and %lld more problems\n", (long long) (problems - 100));
	return problems;
}

/* pg_media verify */
int
cmd_verify(int argc, char **argv)
{
	static const struct option long_options[] = {
		{"id", required_argument, NULL, 1},
		{"allow-empty", no_argument, NULL, 2},
		{"manifest", required_argument, NULL, 3},
		{"quick", no_argument, NULL, 4},
		OWNER_LONG_OPTION,
		COMMON_LONG_OPTIONS
	};
	ConnOpts	opts = {0};
	MediaSession session;
	bool		allow_empty = false;
	char		sql[1024];
	const char *id = NULL;
	const char *manifest = NULL;
	bool		quick = false;
	int64_t		integrity;
	PGconn	   *conn;
	PGresult   *res;
	const char *values[1];
	int			c;
	int64_t		checked = 0;
	int64_t		bad = 0;
	double		start;

	while ((c = getopt_long(argc, argv, COMMON_SHORT_OPTIONS, long_options, NULL)) != -1)
	{
		if (common_option(&opts, c, optarg, verify_help))
			continue;
		if (c == 1)
		{
			char	   *end;

			id = optarg;
			if (strtoll(id, &end, 10) <= 0 || *end != '\0')
				pg_fatal_usage("--id must be a file id (a positive number)");
		}
		else if (c == 2)
			allow_empty = true;
		else if (c == 3)
			manifest = optarg;
		else if (c == 4)
			quick = true;
	}
	if (optind < argc)
		pg_fatal_usage("unexpected argument \"%s\"", argv[optind]);
	if (manifest && id)
		pg_fatal_usage("--id and --manifest cannot be combined");
	if (quick && !manifest)
		pg_fatal_usage("--quick needs --manifest");
	if (manifest)
		return verify_manifest(&opts, manifest, quick, allow_empty);

	conn = db_connect_media(&opts, "pg_media verify", false, &session);
	start = now_seconds();
	values[0] = id;
	if (opts.owner)
		/* one owner's files, whatever the role may see besides */
		snprintf(sql, sizeof(sql),
				 "SELECT v.id, v.ok, f.name, f.byte_size"
				 " FROM media.files f CROSS JOIN LATERAL media.verify(f.id) v"
				 " WHERE %s AND ($1::bigint IS NULL OR f.id = $1::bigint) ORDER BY v.id",
				 db_owner_condition(&opts));
	else
		snprintf(sql, sizeof(sql),
				 "SELECT v.id, v.ok, f.name, f.byte_size"
				 " FROM media.verify($1::bigint) v LEFT JOIN media.files f ON f.id = v.id"
				 " ORDER BY v.id");
	res = db_exec(conn, sql, 1, values, NULL, NULL, 0);
	if (!db_ok(res))
	{
		log_error("media.verify failed: %s", db_error_text(conn, res));
		PQfinish(conn);
		return EXIT_SOME_FAILED;
	}
	for (int r = 0; r < PQntuples(res); r++)
	{
		checked++;
		if (strcmp(PQgetvalue(res, r, 1), "t") != 0)
		{
			bad++;
			printf("FAILED file %s (%s, %s bytes): content does not match its SHA-256\n",
				   PQgetvalue(res, r, 0), PQgetvalue(res, r, 2), PQgetvalue(res, r, 3));
		}
		else if (opts.verbose)
			printf("ok file %s (%s)\n", PQgetvalue(res, r, 0), PQgetvalue(res, r, 2));
	}
	PQclear(res);
	integrity = id ? -1 : verify_integrity(conn, opts.verbose);
	if (id != NULL && checked == 0)
	{
		log_error("media file %s does not exist (or is not visible to this role)", id);
		PQfinish(conn);
		return EXIT_SOME_FAILED;
	}
	printf("verified %lld files in %.1f s: %lld ok, %lld failed\n",
		   (long long) checked, now_seconds() - start,
		   (long long) (checked - bad), (long long) bad);
	if (integrity >= 0)
		printf("storage integrity (media.check_integrity): %lld problems\n", (long long) integrity);
	if (checked == 0 && !allow_empty)
	{
		/* an empty result is more often a wrong database or role than an empty store */
		log_error("no files to verify: role \"%s\" sees no file in database \"%s\"%s%s%s",
				  session.role, PQdb(conn),
				  opts.owner ? " of owner \"" : "", opts.owner ? opts.owner : "",
				  opts.owner ? "\"" : "");
		if (!db_warn_no_owner(&session))
			log_hint("check the database (-d), the role (-U) and --owner; pass --allow-empty "
					 "when no file is expected");
		PQfinish(conn);
		return EXIT_SOME_FAILED;
	}
	PQfinish(conn);
	return bad || integrity > 0 ? EXIT_SOME_FAILED : EXIT_OK;
}
