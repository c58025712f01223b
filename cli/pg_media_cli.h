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
#define EXIT_FATAL		3		/* cannot connect, or another fatal error (import:
								 * an error every file would meet) */

/*
 * pg_media verify --manifest: the sum of the kinds of problem found (so
 * 4 + 8 + 16 = 28 is "some missing, some damaged, some extra"); 1, 2 and 3
 * keep their meaning above.
 */
#define EXIT_MISSING	4		/* files of the manifest not in the database */
#define EXIT_DAMAGED	8		/* files whose SHA-256, size or stored bytes differ */
#define EXIT_EXTRA		16		/* files in the database, not in the manifest */
#define EXIT_INTEGRITY	32		/* media.check_integrity() found problems */

/* Connection options common to every subcommand (all optional). */
typedef struct ConnOpts
{
	const char *dbname;			/* -d: a database name, conninfo string or URI */
	const char *host;			/* -h */
	const char *port;			/* -p */
	const char *user;			/* -U */
	bool		quiet;			/* -q: only errors and the summary */
	bool		verbose;		/* -v: also the files skipped as unchanged */
	const char *owner;			/* --owner: media.owner for the session, or NULL */
} ConnOpts;

/*
 * The long options every subcommand accepts; each subcommand's table ends
 * with COMMON_LONG_OPTIONS and its short option string starts with
 * COMMON_SHORT_OPTIONS.
 */
#define OPT_HELP 1000
#define OPT_OWNER 1001
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

/*
 * --owner, for the subcommands that work on one owner's files (import,
 * export, verify, stats): put OWNER_LONG_OPTION before COMMON_LONG_OPTIONS
 * and OWNER_OPTION_HELP in the help; common_option() handles it.
 */
#define OWNER_LONG_OPTION {"owner", required_argument, NULL, OPT_OWNER}
#define OWNER_OPTION_HELP \
	"      --owner=NAME       work as owner NAME: sets media.owner for the session\n" \
	"                         (required under media.isolation = 'setting'); only\n" \
	"                         NAME's files are seen, and import stores them as NAME's\n"

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
	"Exit status: 0 ok, 1 some files failed, 2 usage error, 3 connection or fatal error\n" \
	"(for import also an error every file would meet, which stops it at the first).\n"

extern const char *progname;

/* main.c */
extern int	common_option(ConnOpts *opts, int c, const char *arg,
						  void (*help) (void));
extern void pg_fatal_usage(const char *fmt,...) __attribute__((format(printf, 1, 2), noreturn));
extern long int_option(const char *option, const char *arg, long min, long max);
extern void log_error(const char *fmt,...) __attribute__((format(printf, 1, 2)));
extern void log_hint(const char *fmt,...) __attribute__((format(printf, 1, 2)));

/* db.c */

/* What db_connect_media() found out about the session's owner settings. */
typedef struct MediaSession
{
	char		isolation[16];	/* media.isolation: "none", "role", "setting" ("" unknown) */
	bool		owner_set;		/* media.owner is set (--owner, PGOPTIONS, ALTER ROLE) */
	char		role[128];		/* current_user */
	bool		read_only;		/* transaction_read_only: a standby, or
								 * default_transaction_read_only */
} MediaSession;

/* A failed statement's error, split so that a caller can classify it. */
typedef struct DbError
{
	char		sqlstate[6];	/* "" when there is none (a lost connection) */
	char		text[2048];		/* the message and its detail, one line */
	char		hint[1024];		/* the server's hint, or "" */
} DbError;

extern PGconn *db_open(const ConnOpts *opts, const char *appname);
extern PGconn *db_connect(const ConnOpts *opts, const char *appname);
extern PGconn *db_connect_to(const ConnOpts *opts, const char *appname, const char *what);
extern bool db_session_setup(PGconn *conn, const ConnOpts *opts, MediaSession *session,
							 DbError *err);
/*
 * The databases the tool works with: pg_media's, or a router of pg_media
 * shards (pg_media_router, which has the same media.* functions); a WHERE
 * clause over pg_catalog.pg_extension.
 */
#define PG_MEDIA_EXTENSIONS_WHERE "extname IN ('pg_media', 'pg_media_router')"

extern void db_require_extension(PGconn *conn);
extern PGconn *db_connect_media(const ConnOpts *opts, const char *appname, bool storing,
								MediaSession *session);
extern bool db_no_owner(const MediaSession *session);
extern bool db_warn_no_owner(const MediaSession *session);
extern const char *db_owner_condition(const ConnOpts *opts);
extern void db_error_capture(PGconn *conn, PGresult *res, DbError *err);
extern bool db_error_is_setup(const char *sqlstate);
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

/* verify.c */
extern int64_t verify_integrity(PGconn *conn, bool verbose);

/* verify_manifest.c */
extern int	verify_manifest(const ConnOpts *opts, const char *path, bool quick, bool allow_empty);

/* subcommands */
extern int	cmd_import(int argc, char **argv);
extern int	cmd_export(int argc, char **argv);
extern int	cmd_verify(int argc, char **argv);
extern int	cmd_stats(int argc, char **argv);
extern int	cmd_serve(int argc, char **argv);
extern int	cmd_move_owner(int argc, char **argv);

/* db.c: writes one CSV field (a manifest or map row), quoted when it needs to be */
extern void csv_field(FILE *f, const char *s, bool last);

#endif							/* PG_MEDIA_CLI_H */
