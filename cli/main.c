/*
 * main.c - pg_media: the command-line tool of the pg_media extension.
 *
 *   pg_media import DIR|FILE...    store files (resumable, skips unchanged ones,
 *                                  reconnects across a failover)
 *   pg_media export --to DIR       write stored files back out, with a manifest
 *   pg_media export --manifest-only FILE   only the manifest of every file (no bytes)
 *   pg_media verify [--id N]       recompute and compare every SHA-256
 *   pg_media verify --manifest FILE        the restore drill: compare with a manifest
 *   pg_media stats                 counts, bytes, dedup savings
 *   pg_media serve                 an HTTP server for /media/{id}
 *   pg_media move-owner OWNER --to SHARD   move an owner's files between shards
 *
 * This file dispatches to the subcommands and handles the options they
 * share.
 */
#include "pg_media_cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *progname = "pg_media";

/* Prints the top-level help. */
static void
usage(FILE *out)
{
	fprintf(out,
			"pg_media: store, export, verify and serve media files kept in PostgreSQL\n"
			"(the pg_media extension).\n"
			"\n"
			"Usage:\n"
			"  pg_media COMMAND [OPTION]...\n"
			"\n"
			"Commands:\n"
			"  import DIR|FILE...   store files and folders (resumable; skips unchanged files;\n"
			"                       reconnects and goes on across a failover: --retry-for)\n"
			"  export --to DIR      write stored files to a folder, with manifest.csv\n"
			"  export --manifest-only FILE\n"
			"                       write the manifest of every file (id, SHA-256, size), no bytes\n"
			"  verify [--id N]      recompute every file's SHA-256 and report mismatches\n"
			"  verify --manifest FILE\n"
			"                       after a restore: report files missing, extra or damaged\n"
			"  stats                counts and bytes by media type, dedup savings\n"
			"  serve                HTTP server: GET/HEAD /media/{id} with ETag, Range, 304\n"
			"  move-owner OWNER --to SHARD\n"
			"                       move an owner's files to another shard of a router\n"
			"\n"
			"Run \"pg_media COMMAND --help\" for a command's options.\n"
			"\n"
			"With a primary and standbys (pg_auto_failover, streaming replication), name\n"
			"every node and let libpq find the primary:\n"
			"  -d 'host=node1,node2 port=5432,5432 dbname=app target_session_attrs=read-write'\n"
			"\n"
			COMMON_OPTIONS_HELP);
}

/*
 * Handles an option every subcommand shares.  Returns 1 if c was one of
 * them, 0 if not (the caller handles it); exits for --help and for an
 * unknown option.
 */
int
common_option(ConnOpts *opts, int c, const char *arg, void (*help) (void))
{
	switch (c)
	{
		case 'd':
			opts->dbname = arg;
			return 1;
		case 'h':
			opts->host = arg;
			return 1;
		case 'p':
			opts->port = arg;
			return 1;
		case 'U':
			opts->user = arg;
			return 1;
		case 'q':
			opts->quiet = true;
			return 1;
		case 'v':
			opts->verbose = true;
			return 1;
		case OPT_OWNER:
			if (*arg == '\0')
				pg_fatal_usage("--owner must not be empty");
			opts->owner = arg;
			return 1;
		case OPT_HELP:
			help();
			exit(EXIT_OK);
		case '?':
			/* getopt has printed what was wrong */
			fprintf(stderr, "Try \"%s --help\" for more information.\n", progname);
			exit(EXIT_USAGE);
	}
	return 0;
}

/* Reports a command-line error and exits with the usage exit code. */
void
pg_fatal_usage(const char *fmt,...)
{
	va_list		ap;

	fprintf(stderr, "%s: error: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry \"%s --help\" for more information.\n", progname);
	exit(EXIT_USAGE);
}

/*
 * The value of a whole-number option (--pool, --shutdown-timeout, --limit,
 * ...): all of arg must be a decimal number from min to max, else a usage
 * error (atoi() would take "abc" as 0 and "8x" as 8 without a word).
 */
long
int_option(const char *option, const char *arg, long min, long max)
{
	char	   *end;
	long		v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (end == arg || *end != '\0' || errno != 0 || v < min || v > max)
		pg_fatal_usage("%s must be a whole number from %ld to %ld, not \"%s\"", option, min, max, arg);
	return v;
}

/* Prints "pg_media: KIND: message" on stderr: one line of the tool's log. */
static void
log_line(const char *kind, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: %s: ", progname, kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* Prints "pg_media: error: ..." on stderr. */
void
log_error(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	log_line("error", fmt, ap);
	va_end(ap);
}

/*
 * Prints "pg_media: hint: ..." on stderr: what to do about the error just
 * reported (the form PostgreSQL's own tools use).
 */
void
log_hint(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	log_line("hint", fmt, ap);
	va_end(ap);
}

/* Dispatches to the subcommand named by argv[1]. */
int
main(int argc, char **argv)
{
	static const struct
	{
		const char *name;
		int			(*fn) (int, char **);
	}			commands[] =
	{
		{"import", cmd_import},
		{"export", cmd_export},
		{"verify", cmd_verify},
		{"stats", cmd_stats},
		{"serve", cmd_serve},
		{"move-owner", cmd_move_owner},
	};

	if (argc < 2)
	{
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0)
	{
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
	{
		printf("pg_media (pg_media extension) %s\n", PG_MEDIA_CLI_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
	{
		if (strcmp(argv[1], commands[i].name) == 0)
		{
			optind = 1;
			return commands[i].fn(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "%s: error: unknown command \"%s\"\n", progname, argv[1]);
	fprintf(stderr, "Try \"%s --help\" for more information.\n", progname);
	return EXIT_USAGE;
}
