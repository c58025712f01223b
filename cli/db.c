/*
 * db.c - libpq helpers shared by the subcommands.
 */
#include "pg_media_cli.h"

#include <stdlib.h>
#include <string.h>

/*
 * Opens a connection with the usual libpq rules: -d may be a database name,
 * a conninfo string or a URI (several hosts and target_session_attrs
 * included), and whatever it does not say comes from -h/-p/-U and then from
 * the environment (PGHOST, PGPASSWORD, ~/.pgpass, ...).  No password is ever
 * prompted for or taken from the command line.  Returns the connection,
 * which the caller checks with PQstatus (NULL only when out of memory); the
 * same options give the same connection string, so a reconnect after a
 * failover (import_retry.c) finds the new primary the same way.
 */
PGconn *
db_open(const ConnOpts *opts, const char *appname)
{
	const char *keywords[8];
	const char *values[8];
	int			n = 0;

	if (opts->host)
	{
		keywords[n] = "host";
		values[n++] = opts->host;
	}
	if (opts->port)
	{
		keywords[n] = "port";
		values[n++] = opts->port;
	}
	if (opts->user)
	{
		keywords[n] = "user";
		values[n++] = opts->user;
	}
	keywords[n] = "fallback_application_name";
	values[n++] = appname;
	/* dbname last: with expand_dbname its conninfo/URI overrides the above */
	if (opts->dbname)
	{
		keywords[n] = "dbname";
		values[n++] = opts->dbname;
	}
	keywords[n] = NULL;
	values[n] = NULL;
	return PQconnectdbParams(keywords, values, 1);
}

/*
 * Connects (db_open); exits with EXIT_FATAL when the connection fails,
 * saying which connection it was (what: "the database", or serve's "the read
 * database (--read-dbname)", so that an operator knows which string to fix).
 */
PGconn *
db_connect_to(const ConnOpts *opts, const char *appname, const char *what)
{
	PGconn	   *conn = db_open(opts, appname);

	if (conn == NULL || PQstatus(conn) != CONNECTION_OK)
	{
		log_error("could not connect to %s: %s", what,
				  conn ? PQerrorMessage(conn) : "out of memory");
		exit(EXIT_FATAL);
	}
	return conn;
}

/* Connects to the database of the options (db_connect_to); exits on failure. */
PGconn *
db_connect(const ConnOpts *opts, const char *appname)
{
	return db_connect_to(opts, appname, "the database");
}

/*
 * Is the pg_media extension installed in the connected database (or the
 * router of pg_media shards, pg_media_router, which has the same
 * functions)?  False with the reason in *err (the query's error, or "not
 * installed" with SQLSTATE 42704 and what to run).
 */
static bool
db_check_extension(PGconn *conn, DbError *err)
{
	PGresult   *res = db_exec(conn,
							  "SELECT 1 FROM pg_catalog.pg_extension WHERE " PG_MEDIA_EXTENSIONS_WHERE,
							  0, NULL, NULL, NULL, 0);

	if (!db_ok(res))
	{
		db_error_capture(conn, res, err);
		return false;
	}
	if (PQntuples(res) != 1)
	{
		PQclear(res);
		snprintf(err->sqlstate, sizeof(err->sqlstate), "42704");
		snprintf(err->text, sizeof(err->text),
				 "the pg_media extension is not installed in database \"%s\" (CREATE EXTENSION pg_media)",
				 PQdb(conn));
		err->hint[0] = '\0';
		return false;
	}
	PQclear(res);
	return true;
}

/* Exits with EXIT_FATAL unless the pg_media extension (or pg_media_router) is installed. */
void
db_require_extension(PGconn *conn)
{
	DbError		err;

	if (!db_check_extension(conn, &err))
	{
		log_error("%s", err.text);
		exit(EXIT_FATAL);
	}
}

/*
 * Loads pg_media's library in the session, so that its settings
 * (media.chunk_size, media.isolation, ...) exist: calling any of its
 * functions does.  A failure is left to the statements that follow.
 */
static void
db_load_library(PGconn *conn)
{
	PQclear(PQexec(conn, "SELECT media.sniff('\\x'::bytea)"));
}

/*
 * Prepares a new session for the subcommands: checks the extension, loads
 * its library and applies --owner: media.owner is set for the whole session
 * (set_config(.., false)), so every statement and transaction of the run
 * works as that owner; under media.isolation = 'setting' that decides which
 * files the server shows and whose new files are.  Fills *session.  Returns
 * false with the error in *err (also when the connection is lost, which a
 * reconnecting caller retries); exits for nothing.
 */
bool
db_session_setup(PGconn *conn, const ConnOpts *opts, MediaSession *session, DbError *err)
{
	PGresult   *res;

	if (!db_check_extension(conn, err))
		return false;
	db_load_library(conn);
	if (opts->owner)
	{
		const char *values[1] = {opts->owner};

		res = db_exec(conn, "SELECT pg_catalog.set_config('media.owner', $1, false)",
					  1, values, NULL, NULL, 0);
		if (!db_ok(res))
		{
			char		text[sizeof(err->text)];

			db_error_capture(conn, res, err);
			snprintf(text, sizeof(text), "cannot set media.owner: %.2000s", err->text);
			memcpy(err->text, text, sizeof(text));
			return false;
		}
		PQclear(res);
	}
	res = PQexec(conn,
				 "SELECT coalesce(pg_catalog.current_setting('media.isolation', true), ''),"
				 " coalesce(pg_catalog.current_setting('media.owner', true), '') <> '',"
				 " current_user, pg_catalog.current_setting('transaction_read_only') = 'on'");
	if (!db_ok(res))
	{
		db_error_capture(conn, res, err);
		return false;
	}
	snprintf(session->isolation, sizeof(session->isolation), "%s", PQgetvalue(res, 0, 0));
	session->owner_set = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
	snprintf(session->role, sizeof(session->role), "%s", PQgetvalue(res, 0, 2));
	session->read_only = strcmp(PQgetvalue(res, 0, 3), "t") == 0;
	PQclear(res);
	return true;
}

/*
 * Connects (db_connect) and prepares the session (db_session_setup).  Under
 * media.isolation = 'role' the server ignores media.owner and stores new
 * files as the connecting role, so a storing command (import) for another
 * owner is refused instead of storing them under the wrong name.  Fills
 * *session; exits with EXIT_FATAL on failure.
 */
PGconn *
db_connect_media(const ConnOpts *opts, const char *appname, bool storing,
				 MediaSession *session)
{
	PGconn	   *conn = db_connect(opts, appname);
	DbError		err;

	if (!db_session_setup(conn, opts, session, &err))
	{
		log_error("%s%s%s", err.text, err.hint[0] ? " Hint: " : "", err.hint);
		exit(EXIT_FATAL);
	}
	if (storing && opts->owner && strcmp(session->isolation, "role") == 0 &&
		strcmp(opts->owner, session->role) != 0)
	{
		log_error("--owner \"%s\" cannot be used: media.isolation is \"role\" for role \"%s\", "
				  "so the server stores new files as that role's, whatever media.owner says",
				  opts->owner, session->role);
		log_hint("connect as the owner's role (-U %s), or leave out --owner", opts->owner);
		exit(EXIT_FATAL);
	}
	return conn;
}

/*
 * Does this session see no file and may it store none, because
 * media.isolation is 'setting' and media.owner is not set?  Callers use it
 * to point at --owner.
 */
bool
db_no_owner(const MediaSession *session)
{
	return strcmp(session->isolation, "setting") == 0 && !session->owner_set;
}

/*
 * Warns, with a hint naming --owner, when the session sees no file because
 * media.isolation is 'setting' and media.owner is not set (the server then
 * shows an empty media.files rather than an error).  Returns whether it
 * warned.
 */
bool
db_warn_no_owner(const MediaSession *session)
{
	if (!db_no_owner(session))
		return false;
	fprintf(stderr, "%s: warning: media.isolation is 'setting' for role \"%s\" and media.owner "
			"is not set, so no file is visible\n", progname, session->role);
	log_hint("pass --owner NAME to work on the files of owner NAME");
	return true;
}

/*
 * The SQL condition over media.files (or media.uploads) that keeps the
 * files of --owner: the server's row-level security already does so under
 * media.isolation = 'setting', but not under 'none', nor for a role that
 * bypasses it (a superuser), and --owner means "that owner's files" in
 * every case; in the namespace the server gives that setting ("setting"
 * unless isolation is by role), so a login role of the same name is not
 * matched.  "true" without --owner.
 */
const char *
db_owner_condition(const ConnOpts *opts)
{
	return opts->owner ? "(owner = pg_catalog.current_setting('media.owner')"
		" AND owner_scope = media.owner_scope())" : "true";
}

/* PQexecParams with the argument order this tool uses. */
PGresult *
db_exec(PGconn *conn, const char *sql, int nparams,
		const char *const *values, const int *lengths, const int *formats,
		int result_format)
{
	return PQexecParams(conn, sql, nparams, NULL, values, lengths, formats,
						result_format);
}

/* Did the statement succeed?  Clears a failed result's status only. */
bool
db_ok(PGresult *res)
{
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

	return st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK;
}

/*
 * Makes a message one line: the trailing newline dropped, each newline and
 * tab (libpq indents its continuation lines) and each run of them a single
 * space.
 */
static void
one_line(char *text)
{
	char	   *out = text;
	size_t		len;

	for (const char *p = text; *p; p++)
	{
		char		c = (*p == '\n' || *p == '\t') ? ' ' : *p;

		if (c != ' ' || out == text || out[-1] != ' ')
			*out++ = c;
	}
	*out = '\0';
	len = strlen(text);
	while (len > 0 && text[len - 1] == ' ')
		text[--len] = '\0';
}

/*
 * Splits the error of a failed statement into its SQLSTATE, one line of
 * message and detail, and the hint; clears res.  A lost connection has no
 * SQLSTATE, and its text is libpq's message.
 */
void
db_error_capture(PGconn *conn, PGresult *res, DbError *err)
{
	const char *msg = NULL;
	const char *detail = NULL;
	const char *hint = NULL;
	const char *state = NULL;

	if (res)
	{
		msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
		hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	}
	if (msg == NULL)
		msg = res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res) : PQerrorMessage(conn);
	snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", state ? state : "");
	snprintf(err->text, sizeof(err->text), "%s%s%s%s", msg,
			 detail ? " (" : "", detail ? detail : "", detail ? ")" : "");
	snprintf(err->hint, sizeof(err->hint), "%s", hint ? hint : "");
	one_line(err->text);
	PQclear(res);
}

/*
 * The error of a failed statement as one line plus detail and hint, in a
 * static buffer; clears res.
 */
char *
db_error_text(PGconn *conn, PGresult *res)
{
	static char buf[sizeof(((DbError *) 0)->text) + sizeof(((DbError *) 0)->hint) + 8];
	DbError		err;

	db_error_capture(conn, res, &err);
	snprintf(buf, sizeof(buf), "%s%s%s", err.text, err.hint[0] ? " Hint: " : "", err.hint);
	return buf;
}

/*
 * Is an error of this SQLSTATE one that every statement of the same kind
 * would meet again, whatever the data sent: a matter of setup, not of the
 * file?  Privileges and media.owner not set (class 42: 42501 and the
 * like, also missing functions or tables; class 28, authorization), a
 * read-only server or
 * transaction (25006), an object in the wrong state (class 55), a missing
 * schema (class 3F), a full disk (53100) or an exhausted quota or upload
 * cap (53400).  Bad bytes (class 22), a file too large (54000), a
 * serialization failure (40001) and internal errors are not: the next file
 * may well succeed.
 */
bool
db_error_is_setup(const char *sqlstate)
{
	if (sqlstate == NULL || strlen(sqlstate) != 5)
		return false;
	return strncmp(sqlstate, "42", 2) == 0 || strncmp(sqlstate, "28", 2) == 0 ||
		strcmp(sqlstate, "25006") == 0 ||
		strncmp(sqlstate, "55", 2) == 0 || strncmp(sqlstate, "3F", 2) == 0 ||
		strcmp(sqlstate, "53100") == 0 || strcmp(sqlstate, "53400") == 0;
}

/* Runs a statement without parameters; false (with the error logged) if it fails. */
bool
db_command(PGconn *conn, const char *sql)
{
	PGresult   *res = PQexec(conn, sql);

	if (!db_ok(res))
	{
		log_error("%s", db_error_text(conn, res));
		return false;
	}
	PQclear(res);
	return true;
}

/* Has the connection to the server been lost? */
bool
db_lost(PGconn *conn)
{
	return PQstatus(conn) == CONNECTION_BAD;
}

/* A bigint column of a text-format result (0 when null). */
int64_t
db_get_int64(PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return 0;
	return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

/*
 * Quotes a possibly schema-qualified table name given by the operator
 * ("name" or "schema.name") as identifiers.  The result is malloc'd; NULL
 * when the name is not of that form.
 */
char *
db_quote_qualified(PGconn *conn, const char *name)
{
	const char *dot = strchr(name, '.');
	char	   *schema = NULL;
	char	   *rel;
	char	   *out;
	size_t		len;

	if (*name == '\0' || (dot && (dot == name || dot[1] == '\0' || strchr(dot + 1, '.'))))
		return NULL;
	if (dot)
	{
		char	   *s = strndup(name, dot - name);

		schema = PQescapeIdentifier(conn, s, strlen(s));
		free(s);
		rel = PQescapeIdentifier(conn, dot + 1, strlen(dot + 1));
	}
	else
		rel = PQescapeIdentifier(conn, name, strlen(name));
	if (rel == NULL || (dot && schema == NULL))
		return NULL;
	len = strlen(rel) + (schema ? strlen(schema) + 1 : 0) + 1;
	out = malloc(len);
	if (out == NULL)
		return NULL;
	snprintf(out, len, "%s%s%s", schema ? schema : "", schema ? "." : "", rel);
	PQfreemem(schema);
	PQfreemem(rel);
	return out;
}

/*
 * media.chunk_size in bytes (the size new content is stored in parts of),
 * or 1 MiB when it cannot be read.
 */
int
db_chunk_size(PGconn *conn)
{
	PGresult   *res;
	int			size = 1024 * 1024;

	db_load_library(conn);
	res = PQexec(conn,
				 "SELECT pg_catalog.pg_size_bytes(pg_catalog.current_setting('media.chunk_size', true))");
	if (db_ok(res) && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
	{
		long long	v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);

		if (v >= 8192 && v <= 64LL * 1024 * 1024)
			size = (int) v;
	}
	PQclear(res);
	return size;
}

/* Writes one CSV field, quoted when it needs to be. */
void
csv_field(FILE *f, const char *s, bool last)
{
	if (strpbrk(s, ",\"\r\n") != NULL)
	{
		fputc('"', f);
		for (; *s; s++)
		{
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	}
	else
		fputs(s, f);
	fputc(last ? '\n' : ',', f);
}
