/*
 * verify.c - pg_media verify: recompute stored files' SHA-256 on the
 * server (media.verify) and report the ones that do not match.
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
		   "\n"
		   "Runs media.verify(), which re-reads each file's content on the server and\n"
		   "compares its SHA-256 with the stored one; lists the files that differ.\n"
		   "Exit status 1 if any file failed, or if there was no file to verify (a\n"
		   "wrong database or role, or media.owner missing) unless --allow-empty.\n"
		   "\n"
		   "Options:\n"
		   "      --id=N             verify this file only\n"
		   "      --allow-empty      exit 0 when there is no file to verify\n"
		   OWNER_OPTION_HELP
		   "\n"
		   COMMON_OPTIONS_HELP);
}

/* pg_media verify */
int
cmd_verify(int argc, char **argv)
{
	static const struct option long_options[] = {
		{"id", required_argument, NULL, 1},
		{"allow-empty", no_argument, NULL, 2},
		OWNER_LONG_OPTION,
		COMMON_LONG_OPTIONS
	};
	ConnOpts	opts = {0};
	MediaSession session;
	bool		allow_empty = false;
	char		sql[1024];
	const char *id = NULL;
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
	}
	if (optind < argc)
		pg_fatal_usage("unexpected argument \"%s\"", argv[optind]);

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
	if (id != NULL && checked == 0)
	{
		log_error("media file %s does not exist (or is not visible to this role)", id);
		PQfinish(conn);
		return EXIT_SOME_FAILED;
	}
	printf("verified %lld files in %.1f s: %lld ok, %lld failed\n",
		   (long long) checked, now_seconds() - start,
		   (long long) (checked - bad), (long long) bad);
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
	return bad ? EXIT_SOME_FAILED : EXIT_OK;
}
