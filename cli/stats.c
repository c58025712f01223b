/*
 * stats.c - pg_media stats: what is stored, by media type, and what
 * deduplication saves.  Reads media.files only (what the connecting role
 * may see), so it needs no access to the storage tables.
 */
#include "pg_media_cli.h"

#include <stdlib.h>
#include <string.h>

/* Prints the help of pg_media stats. */
static void
stats_help(void)
{
	printf("pg_media stats: counts and bytes of the stored files.\n"
		   "\n"
		   "Usage:\n"
		   "  pg_media stats [OPTION]...\n"
		   "\n"
		   "Prints the files and bytes by media type, the distinct contents (files with\n"
		   "the same bytes share one), the bytes deduplication saves, and the uploads in\n"
		   "progress when the role may see them.  Counts what the role can see in\n"
		   "media.files.\n"
		   "\n"
		   "Options:\n"
		   "      --json             print one JSON object instead of a table\n"
		   OWNER_OPTION_HELP
		   "\n"
		   COMMON_OPTIONS_HELP);
}

/*
 * Runs one statement over f, the media.files rows of --owner (all that the
 * role sees without it): "WITH f AS (...)" is put in front of body, which
 * may add CTEs of its own after a comma.  Exits on failure.
 */
static PGresult *
stats_query(PGconn *conn, const ConnOpts *opts, const char *body)
{
	char		sql[2048];
	PGresult   *res;

	snprintf(sql, sizeof(sql), "WITH f AS (SELECT * FROM media.files WHERE %s)%s",
			 db_owner_condition(opts), body);
	res = PQexec(conn, sql);
	if (db_ok(res))
		return res;
	log_error("%s", db_error_text(conn, res));
	exit(EXIT_FATAL);
}

/* pg_media stats */
int
cmd_stats(int argc, char **argv)
{
	static const struct option long_options[] = {
		{"json", no_argument, NULL, 1},
		OWNER_LONG_OPTION,
		COMMON_LONG_OPTIONS
	};
	ConnOpts	opts = {0};
	MediaSession session;
	bool		json = false;
	PGconn	   *conn;
	PGresult   *res;
	int			c;
	char		b1[32],
				b2[32];
	char		sql[512];
	int64_t		files,
				bytes,
				blobs,
				stored;

	while ((c = getopt_long(argc, argv, COMMON_SHORT_OPTIONS, long_options, NULL)) != -1)
	{
		if (common_option(&opts, c, optarg, stats_help))
			continue;
		if (c == 1)
			json = true;
	}
	if (optind < argc)
		pg_fatal_usage("unexpected argument \"%s\"", argv[optind]);

	conn = db_connect_media(&opts, "pg_media stats", false, &session);
	db_warn_no_owner(&session);

	if (json)
	{
		res = stats_query(conn, &opts,
						  ", b AS (SELECT DISTINCT ON (blob_id) blob_id, byte_size FROM f)"
						  " SELECT jsonb_build_object("
						  "  'by_type', coalesce((SELECT jsonb_object_agg(media_type, jsonb_build_object("
						  "      'files', n, 'bytes', s)) FROM (SELECT media_type, count(*) n,"
						  "      sum(byte_size) s FROM f GROUP BY 1) t), '{}'),"
						  "  'files', (SELECT count(*) FROM f),"
						  "  'bytes', (SELECT coalesce(sum(byte_size), 0) FROM f),"
						  "  'distinct_contents', (SELECT count(*) FROM b),"
						  "  'stored_bytes', (SELECT coalesce(sum(byte_size), 0) FROM b),"
						  "  'dedup_saved_bytes', (SELECT coalesce(sum(byte_size), 0) FROM f)"
						  "      - (SELECT coalesce(sum(byte_size), 0) FROM b))");
		printf("%s\n", PQgetvalue(res, 0, 0));
		PQclear(res);
		PQfinish(conn);
		return EXIT_OK;
	}

	res = stats_query(conn, &opts,
					  " SELECT media_type, count(*), sum(byte_size), count(DISTINCT blob_id)"
					  " FROM f GROUP BY 1 ORDER BY 1");
	printf("%-10s %10s %14s %12s\n", "type", "files", "bytes", "");
	for (int r = 0; r < PQntuples(res); r++)
		printf("%-10s %10s %14s %12s\n", PQgetvalue(res, r, 0), PQgetvalue(res, r, 1),
			   PQgetvalue(res, r, 2), format_bytes(db_get_int64(res, r, 2), b1, sizeof(b1)));
	PQclear(res);

	res = stats_query(conn, &opts,
					  ", b AS (SELECT DISTINCT ON (blob_id) blob_id, byte_size FROM f)"
					  " SELECT (SELECT count(*) FROM f),"
					  " (SELECT coalesce(sum(byte_size), 0) FROM f),"
					  " (SELECT count(*) FROM b), (SELECT coalesce(sum(byte_size), 0) FROM b)");
	files = db_get_int64(res, 0, 0);
	bytes = db_get_int64(res, 0, 1);
	blobs = db_get_int64(res, 0, 2);
	stored = db_get_int64(res, 0, 3);
	PQclear(res);
	printf("%-10s %10lld %14lld %12s\n", "total", (long long) files, (long long) bytes,
		   format_bytes(bytes, b1, sizeof(b1)));
	printf("\ndistinct contents: %lld (%s stored)\n", (long long) blobs,
		   format_bytes(stored, b1, sizeof(b1)));
	printf("dedup savings: %s (%.1f%% of the files' bytes)\n",
		   format_bytes(bytes - stored, b2, sizeof(b2)),
		   bytes > 0 ? 100.0 * (bytes - stored) / bytes : 0.0);

	/* uploads in progress: only roles with access to media.uploads see them */
	snprintf(sql, sizeof(sql),
			 "SELECT count(*), coalesce(sum(received), 0) FROM media.uploads WHERE %s",
			 db_owner_condition(&opts));
	res = PQexec(conn, sql);
	if (db_ok(res))
		printf("uploads in progress: %s (%s received)\n", PQgetvalue(res, 0, 0),
			   format_bytes(db_get_int64(res, 0, 1), b1, sizeof(b1)));
	PQclear(res);
	PQfinish(conn);
	return EXIT_OK;
}
