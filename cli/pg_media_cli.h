/*
 * pg_media_cli.h - shared declarations of the pg_media command-line tool.
 *
 * The tool talks to a database that has the pg_media extension through
 * libpq only, with the SQL API (media.upload_*, media.read, media.http, ...),
 * so it needs no more privileges than an application role.
 */
#ifndef PG_MEDIA_CLI_H
#define PG_MEDIA_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <getopt.h>

#include <libpq-fe.h>

#define PG_MEDIA_CLI_VERSION "0.1.0"

/* Exit codes, the same for every subcommand. */
#define EXIT_OK			0		/* everything done */
#define EXIT_SOME_FAILED 1		/* some files failed (or verification failed) */
#define EXIT_USAGE		2		/* bad command line */
#define EXIT_FATAL		3		/* cannot connect, or another fatal error */

/* Connection options common to every subcommand (all optional). */
typedef struct ConnOpts
{
	const char *dbname;			/* -d: a database name, conninfo string or URI */
	const char *host;			/* -h */
	const char *port;			/* -p */
	const char *user;			/* -U */
	bool		quiet;			/* -q: only errors and the summary */
	bool		verbose;		/* -v: also the files skipped as unchanged */
} ConnOpts;

/*
 * The long options every subcommand accepts; each subcommand's table ends
 * with COMMON_LONG_OPTIONS and its short option string starts with
 * COMMON_SHORT_OPTIONS.
 */
#define OPT_HELP 1000
#define COMMON_SHORT_OPTIONS "d:h:p:U:qv"
#define COMMON_LONG_OPTIONS \
	{"dbname", required_argument, NULL, 'd'}, \
	{"host", required_argument, NULL, 'h'}, \
	{"port", required_argument, NULL, 'p'}, \
	{"username", required_argument, NULL, 'U'}, \
	{"quiet", no_argument, NULL, 'q'}, \
	{"verbose", no_argument, NULL, 'v'}, \
	{"help", no_argument, NULL, OPT_HELP}, \
	{NULL, 0, NULL, 0}

#define COMMON_OPTIONS_HELP \
	"Connection options (libpq: PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD,\n" \
	"~/.pgpass and PGSERVICE work as usual; no password is ever taken on the\n" \
	"command line):\n" \
	"  -d, --dbname=CONNSTR   database name, conninfo string or postgresql:// URI\n" \
	"  -h, --host=HOST        server host or socket directory\n" \
	"  -p, --port=PORT        server port\n" \
	"  -U, --username=USER    database user\n" \
	"  -q, --quiet            print only errors and the summary\n" \
	"  -v, --verbose          print more (e.g. each file skipped as unchanged)\n" \
	"      --help             show this help and exit\n" \
	"\n" \
	"Exit status: 0 ok, 1 some files failed, 2 usage error, 3 connection or fatal error.\n"

extern const char *progname;

/* main.c */
extern int	common_option(ConnOpts *opts, int c, const char *arg,
						  void (*help) (void));
extern void pg_fatal_usage(const char *fmt,...) __attribute__((format(printf, 1, 2), noreturn));
extern void log_error(const char *fmt,...) __attribute__((format(printf, 1, 2)));

/* db.c */
extern PGconn *db_connect(const ConnOpts *opts, const char *appname);
extern void db_require_extension(PGconn *conn);
extern PGresult *db_exec(PGconn *conn, const char *sql, int nparams,
						 const char *const *values, const int *lengths,
						 const int *formats, int result_format);
extern bool db_ok(PGresult *res);
extern char *db_error_text(PGconn *conn, PGresult *res);
extern bool db_command(PGconn *conn, const char *sql);
extern bool db_lost(PGconn *conn);
extern int64_t db_get_int64(PGresult *res, int row, int col);
extern char *db_quote_qualified(PGconn *conn, const char *name);
extern int	db_chunk_size(PGconn *conn);

/* progress.c */
typedef struct Progress
{
	bool		tty;			/* draw a bar on stderr, else print log lines */
	bool		quiet;
	const char *verb;			/* "imported", "exported" */
	int64_t		total_files;
	int64_t		total_bytes;
	int64_t		done_files;
	int64_t		done_bytes;
	double		start;
	double		last_draw;
	bool		drawn;			/* a bar is on the screen */
} Progress;

extern void progress_init(Progress *p, const char *verb, int64_t files,
						  int64_t bytes, bool quiet);
extern void progress_bytes(Progress *p, int64_t bytes, const char *current);
extern void progress_file_done(Progress *p);
extern void progress_log(Progress *p, const char *fmt,...) __attribute__((format(printf, 2, 3)));
extern void progress_error(Progress *p, const char *fmt,...) __attribute__((format(printf, 2, 3)));
extern void progress_finish(Progress *p);
extern double now_seconds(void);
extern char *format_bytes(int64_t bytes, char *buf, size_t len);

/* subcommands */
extern int	cmd_import(int argc, char **argv);
extern int	cmd_export(int argc, char **argv);
extern int	cmd_verify(int argc, char **argv);
extern int	cmd_stats(int argc, char **argv);
extern int	cmd_serve(int argc, char **argv);

/* db.c: writes one CSV field (a manifest or map row), quoted when it needs to be */
extern void csv_field(FILE *f, const char *s, bool last);

#endif							/* PG_MEDIA_CLI_H */
