/*
 * import.c - pg_media import: store the files of folders, resumably.
 *
 * The run: the options, the map table checked (import_map.c), every folder
 * walked first so that the progress bar knows the totals (import_walk.c),
 * then each file stored in turn (import_put.c) and a summary.  A file that
 * fails is reported and the run goes on; an error that every file would
 * meet (no privilege, media.owner not set, a read-only server) stops the
 * run at the first file with one error that says what to do.  A lost
 * connection or a failover makes it reconnect and go on (import_retry.c).
 */
#include "import.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

volatile sig_atomic_t import_interrupted = 0;

/* SIGINT/SIGTERM: finish the current part, then stop (a second one kills). */
static void
on_signal(int signo)
{
	(void) signo;
	import_interrupted = 1;
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
		   "A file the server refuses (bad bytes, too large, active content) is reported\n"
		   "and the import goes on; an error that every file would meet (no privilege,\n"
		   "media.owner not set, a read-only server) stops it at the first file.  Photos\n"
		   "lose their location data (media.strip_location), so they are stored with\n"
		   "other bytes than the originals.\n"
		   "\n"
		   "Options:\n"
		   "      --map-table=NAME   map table, schema.table (default %s;\n"
		   "                         created if missing, which needs CREATE on its schema)\n"
		   "      --map=FILE         also write the path -> id map of this run as CSV\n"
		   "      --name-from=WHAT   stored name: \"basename\" (default) or \"path\" (the path\n"
		   "                         relative to the given folder; the server keeps its last\n"
		   "                         component as the name and the whole as original_name)\n"
		   "      --attrs=JSON       a JSON object stored in each file's attrs (source_path\n"
		   "                         is always added)\n"
		   "      --part-size=BYTES  upload part size (default: media.chunk_size; k/M suffixes)\n"
		   "      --limit=N          stop after importing N files (run again to continue)\n"
		   "      --retry-for=SECONDS\n"
		   "                         when the connection is lost or the server stops being\n"
		   "                         a writable primary (a failover), reconnect for up to\n"
		   "                         SECONDS (default %d; 0: stop at once) and go on: a\n"
		   "                         file whose commit is in doubt is looked up in the map\n"
		   "                         table before it is stored again, an upload continues\n"
		   "                         from the byte the server acknowledged.  Give several\n"
		   "                         hosts and target_session_attrs=read-write in -d so the\n"
		   "                         promoted standby is found\n"
		   OWNER_OPTION_HELP
		   "\n"
		   COMMON_OPTIONS_HELP, DEFAULT_MAP_TABLE, DEFAULT_RETRY_FOR);
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

/*
 * What to do about an error that every file would meet (db_error_is_setup),
 * for the one error the run ends with: --owner when media.owner is missing
 * under 'setting' isolation, the writer grants for a privilege error, the
 * primary for a read-only server; else the server's own hint, or NULL.
 */
const char *
import_setup_hint(const ImportState *st, const DbError *err)
{
	static char hint[1024];

	if (strcmp(err->sqlstate, "42501") == 0 && db_no_owner(&st->session))
		return "media.isolation is 'setting' for this role, so every file needs an owner: "
			"run the import with --owner NAME, NAME being the owner the files are for";
	if (strcmp(err->sqlstate, "42501") == 0 && err->hint[0] == '\0')
	{
		snprintf(hint, sizeof(hint),
				 "role \"%s\" needs the media_writer grants of the README's \"Roles and "
				 "privileges\": USAGE on schema media, SELECT on media.files, EXECUTE on "
				 "media.put and media.upload_begin/append/finish/abort",
				 st->session.role);
		return hint;
	}
	if (strcmp(err->sqlstate, "25006") == 0)
		return "the server or this session is read-only (a standby, or "
			"default_transaction_read_only): import into the primary with a read-write session";
	return err->hint[0] ? err->hint : NULL;
}

/* Reports, once, the error that stopped the run (IMPORT_SETUP_FAILED). */
static void
report_setup_failure(const ImportState *st, size_t left)
{
	const char *hint = import_setup_hint(st, &st->setup_error);

	log_error("import stopped at %s: %s; this error does not depend on the file, so the "
			  "%zu other file(s) were not tried", st->setup_file, st->setup_error.text, left);
	if (hint)
		log_hint("%s", hint);
}

/*
 * Parses the command line into st (and the map table and CSV names);
 * returns the index of the first folder or file.  Exits on a usage error.
 */
static int
parse_options(ImportState *st, int argc, char **argv, const char **csv_path,
			  long long *part_size)
{
	static const struct option long_options[] = {
		{"map-table", required_argument, NULL, 1},
		{"map", required_argument, NULL, 2},
		{"name-from", required_argument, NULL, 3},
		{"attrs", required_argument, NULL, 4},
		{"part-size", required_argument, NULL, 5},
		{"limit", required_argument, NULL, 6},
		{"retry-for", required_argument, NULL, 7},
		OWNER_LONG_OPTION,
		COMMON_LONG_OPTIONS
	};
	int			c;

	st->map_table_arg = DEFAULT_MAP_TABLE;
	st->retry_for = DEFAULT_RETRY_FOR;
	while ((c = getopt_long(argc, argv, COMMON_SHORT_OPTIONS, long_options, NULL)) != -1)
	{
		if (common_option(&st->opts, c, optarg, import_help))
			continue;
		switch (c)
		{
			case 1:
				st->map_table_arg = optarg;
				break;
			case 2:
				*csv_path = optarg;
				break;
			case 3:
				if (strcmp(optarg, "path") == 0)
					st->name_from_path = true;
				else if (strcmp(optarg, "basename") != 0)
					pg_fatal_usage("--name-from must be \"path\" or \"basename\"");
				break;
			case 4:
				st->attrs = optarg;
				break;
			case 5:
				*part_size = parse_size(optarg);
				if (*part_size < 1024 || *part_size > MAX_PART_SIZE)
					pg_fatal_usage("--part-size must be between 1k and 64M");
				break;
			case 6:
				st->limit = int_option("--limit", optarg, 1, LONG_MAX);
				break;
			case 7:
				{
					char	   *end;
					long		v = strtol(optarg, &end, 10);

					if (end == optarg || *end != '\0' || v < 0 || v > 86400)
						pg_fatal_usage("--retry-for must be a number of seconds from 0 to 86400");
					st->retry_for = (int) v;
				}
				break;
		}
	}
	if (optind >= argc)
		pg_fatal_usage("no folder or file to import");
	return optind;
}

/* Exits with a usage error unless --attrs (when given) is a JSON object. */
static void
check_attrs(ImportState *st)
{
	const char *v[1] = {st->attrs};
	PGresult   *res;

	if (st->attrs == NULL)
		return;
	res = db_exec(st->conn, "SELECT jsonb_typeof($1::jsonb) = 'object'", 1, v, NULL, NULL, 0);
	if (!db_ok(res) || strcmp(PQgetvalue(res, 0, 0), "t") != 0)
	{
		if (!db_ok(res))
			db_error_text(st->conn, res);
		else
			PQclear(res);
		pg_fatal_usage("--attrs must be a JSON object");
	}
	PQclear(res);
}

/*
 * Imports the listed files in turn, counting what happened to each.
 * Returns the outcome that ended the run early (interrupted, setup
 * failure, lost connection), or IMPORT_DONE.
 */
static ImportResult
import_all(ImportState *st, FileList *list)
{
	for (size_t i = 0; i < list->n; i++)
	{
		FileEntry  *e = &list->items[i];
		int64_t		before = st->prog.done_bytes;
		ImportResult r;

		if (import_interrupted)
			return IMPORT_INTERRUPTED;
		r = import_one_retrying(st, e);
		switch (r)
		{
			case IMPORT_DONE:
				st->imported++;
				break;
			case IMPORT_UNCHANGED:
				st->unchanged++;
				break;
			case IMPORT_FAILED:
				st->failed++;
				break;
			case IMPORT_SETUP_FAILED:
				st->failed++;
				progress_finish(&st->prog);
				report_setup_failure(st, list->n - i - 1);
				return r;
			case IMPORT_INTERRUPTED:
			case IMPORT_LOST:
				return r;
		}
		/* keep the bar's byte count whole for files skipped or failed */
		if (st->prog.done_bytes < before + e->size)
			progress_bytes(&st->prog, before + e->size - st->prog.done_bytes, NULL);
		progress_file_done(&st->prog);
		if (st->limit > 0 && st->imported >= st->limit && i + 1 < list->n)
		{
			progress_log(&st->prog, "stopped after %lld files (--limit); run again to continue",
						 (long long) st->imported);
			break;
		}
	}
	return IMPORT_DONE;
}

/* pg_media import */
int
cmd_import(int argc, char **argv)
{
	ImportState st;
	const char *csv_path = NULL;
	long long	part_size = 0;
	FileList	list = {0};
	int64_t		total_bytes = 0;
	int			first;
	ImportResult end;
	bool		stopped;
	struct sigaction sa;
	char		b1[32],
				b2[32];
	double		elapsed;

	memset(&st, 0, sizeof(st));
	first = parse_options(&st, argc, argv, &csv_path, &part_size);

	/* the roots, as real paths, before anything is walked */
	st.roots = calloc(argc - first, sizeof(char *));
	if (st.roots == NULL)
	{
		log_error("out of memory");
		return EXIT_FATAL;
	}
	progress_init(&st.prog, "imported", 0, 0, st.opts.quiet);
	for (int i = first; i < argc; i++)
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

	st.conn = db_connect_media(&st.opts, "pg_media import", true, &st.session);
	st.map_table = db_quote_qualified(st.conn, st.map_table_arg);
	if (st.map_table == NULL)
		pg_fatal_usage("invalid --map-table name \"%s\"", st.map_table_arg);
	check_attrs(&st);
	st.part_size = part_size ? (int) part_size : db_chunk_size(st.conn);
	st.buf = malloc(st.part_size + 1);
	if (st.buf == NULL)
	{
		log_error("out of memory");
		return EXIT_FATAL;
	}
	map_table_prepare(&st);
	if (!map_table_lock(&st, &st.lost_error))
	{
		log_error("cannot lock the map table %s: %s", st.map_table_arg, st.lost_error.text);
		return EXIT_FATAL;
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

	walk_roots(&st, &list);
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
	end = import_all(&st, &list);
	progress_finish(&st.prog);
	if (st.csv)
		fclose(st.csv);

	stopped = end == IMPORT_INTERRUPTED;
	elapsed = now_seconds() - st.start;
	printf("%s%lld imported (%s in %.1f s, %s/s), %lld unchanged, %lld skipped, %lld failed\n",
		   stopped ? "interrupted: " : end == IMPORT_SETUP_FAILED ? "stopped: " : "",
		   (long long) st.imported, format_bytes(st.bytes_sent, b1, sizeof(b1)), elapsed,
		   format_bytes(elapsed > 0 ? (int64_t) (st.bytes_sent / elapsed) : 0, b2, sizeof(b2)),
		   (long long) st.unchanged, (long long) st.skipped, (long long) st.failed);
	if (st.reconnects > 0)
		printf("reconnected %lld time(s) after a lost connection (see the log above)\n",
			   (long long) st.reconnects);
	if (stopped)
		printf("run the same command again to resume\n");
	fflush(stdout);
	PQfinish(st.conn);
	if (end == IMPORT_LOST || end == IMPORT_SETUP_FAILED)
		return EXIT_FATAL;
	return (st.failed > 0 || stopped) ? EXIT_SOME_FAILED : EXIT_OK;
}
