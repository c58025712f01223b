/*
 * db.c - libpq helpers shared by the subcommands.
 */
#include "pg_media_cli.h"

#include <stdlib.h>
#include <string.h>

/*
 * Connects with the usual libpq rules: -d may be a database name, a
 * conninfo string or a URI, and whatever it does not say comes from -h/-p/-U
 * and then from the environment (PGHOST, PGPASSWORD, ~/.pgpass, ...).  No
 * password is ever prompted for or taken from the command line.  Exits with
 * EXIT_FATAL when the connection fails.
 */
PGconn *
db_connect(const ConnOpts *opts, const char *appname)
{
	const char *keywords[8];
	const char *values[8];
	int			n = 0;
	PGconn	   *conn;

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

	conn = PQconnectdbParams(keywords, values, 1);
	if (conn == NULL || PQstatus(conn) != CONNECTION_OK)
	{
		log_error("could not connect to the database: %s",
				  conn ? PQerrorMessage(conn) : "out of memory");
		exit(EXIT_FATAL);
	}
	return conn;
}

/* Exits with EXIT_FATAL unless the pg_media extension is installed. */
void
db_require_extension(PGconn *conn)
{
	PGresult   *res = db_exec(conn,
							  "SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_media'",
							  0, NULL, NULL, NULL, 0);

	if (!db_ok(res))
	{
		log_error("%s", db_error_text(conn, res));
		exit(EXIT_FATAL);
	}
	if (PQntuples(res) != 1)
	{
		log_error("the pg_media extension is not installed in database \"%s\" (CREATE EXTENSION pg_media)",
				  PQdb(conn));
		exit(EXIT_FATAL);
	}
	PQclear(res);
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
 * The error of a failed statement as one line plus detail and hint, in a
 * static buffer; clears res.
 */
char *
db_error_text(PGconn *conn, PGresult *res)
{
	static char buf[2048];
	const char *msg = NULL;
	const char *detail = NULL;
	const char *hint = NULL;
	size_t		len;

	if (res)
	{
		msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
		hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
	}
	if (msg == NULL)
		msg = res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res) : PQerrorMessage(conn);
	snprintf(buf, sizeof(buf), "%s%s%s%s", msg,
			 detail ? " (" : "", detail ? detail : "", detail ? ")" : "");
	if (hint)
	{
		len = strlen(buf);
		snprintf(buf + len, sizeof(buf) - len, " Hint: %s", hint);
	}
	/* one line: libpq messages end with a newline */
	len = strlen(buf);
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			*p = ' ';
	PQclear(res);
	return buf;
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
 * or 1 MiB when it cannot be read.  The setting exists once pg_media's
 * library is loaded, which calling any of its functions does.
 */
int
db_chunk_size(PGconn *conn)
{
	PGresult   *res;
	int			size = 1024 * 1024;

	PQclear(PQexec(conn, "SELECT media.sniff('\\x'::bytea)"));
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
