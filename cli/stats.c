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
		   "\n"
		   COMMON_OPTIONS_HELP);
}

/* pg_media stats */
int
cmd_stats(int argc, char **argv)
{
	static const struct option long_options[] = {
		{"json", no_argument, NULL, 1},
		COMMON_LONG_OPTIONS
	};
	ConnOpts	opts = {0};
	bool		json = false;
	PGconn	   *conn;
	PGresult   *res;
	int			c;
	char		b1[32],
				b2[32];
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

	conn = db_connect(&opts, "pg_media stats");
	db_require_extension(conn);

	if (json)
	{
		res = PQexec(conn,
					 "WITH f AS (SELECT * FROM media.files),"
					 " b AS (SELECT DISTINCT ON (blob_id) blob_id, byte_size FROM f)"
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
		if (!db_ok(res))
		{
			log_error("%s", db_error_text(conn, res));
			return EXIT_FATAL;
		}
		printf("%s\n", PQgetvalue(res, 0, 0));
		PQclear(res);
		PQfinish(conn);
		return EXIT_OK;
	}

	res = PQexec(conn,
				 "SELECT media_type, count(*), sum(byte_size), count(DISTINCT blob_id)"
				 " FROM media.files GROUP BY 1 ORDER BY 1");
	if (!db_ok(res))
	{
		log_error("%s", db_error_text(conn, res));
		return EXIT_FATAL;
	}
	printf("%-10s %10s %14s %12s\n", "type", "files", "bytes", "");
	for (int r = 0; r < PQntuples(res); r++)
		printf("%-10s %10s %14s %12s\n", PQgetvalue(res, r, 0), PQgetvalue(res, r, 1),
			   PQgetvalue(res, r, 2), format_bytes(db_get_int64(res, r, 2), b1, sizeof(b1)));
	PQclear(res);

	res = PQexec(conn,
				 "WITH b AS (SELECT DISTINCT ON (blob_id) blob_id, byte_size FROM media.files)"
				 " SELECT (SELECT count(*) FROM media.files),"
				 " (SELECT coalesce(sum(byte_size), 0) FROM media.files),"
				 " (SELECT count(*) FROM b), (SELECT coalesce(sum(byte_size), 0) FROM b)");
	if (!db_ok(res))
	{
		log_error("%s", db_error_text(conn, res));
		return EXIT_FATAL;
	}
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
	res = PQexec(conn,
				 "SELECT count(*), coalesce(sum(received), 0) FROM media.uploads");
	if (db_ok(res))
		printf("uploads in progress: %s (%s received)\n", PQgetvalue(res, 0, 0),
			   format_bytes(db_get_int64(res, 0, 1), b1, sizeof(b1)));
	PQclear(res);
	PQfinish(conn);
	return EXIT_OK;
}
