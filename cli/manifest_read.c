/*
 * manifest_read.c - reading a pg_media manifest (manifest.h has the format)
 * one line at a time, so that its size does not bound memory: each line is
 * checked (fields, an id in increasing order, a SHA-256 of 64 hex digits, a
 * size) and, at the end, the count of files and bytes against the header's,
 * so a truncated or edited manifest is an error, not a short comparison.
 */
#include "manifest.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Logs "pg_media: error: FILE:LINE: message". */
static void
manifest_error(const ManifestReader *r, const char *fmt,...) __attribute__((format(printf, 2, 3)));
static void
manifest_error(const ManifestReader *r, const char *fmt,...)
{
	char		msg[1024];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_error("%s:%lld: %s", r->path, (long long) r->line_no, msg);
}

/*
 * Reads the next line into r->line without its line end.  Returns 1, 0 at
 * the end of the file, -1 on a read error or a line longer than
 * MANIFEST_MAX_LINE (error logged).
 */
static int
read_line(ManifestReader *r)
{
	size_t		len;

	if (fgets(r->line, MANIFEST_MAX_LINE + 1, r->f) == NULL)
	{
		if (ferror(r->f))
		{
			log_error("cannot read \"%s\": %s", r->path, strerror(errno));
			return -1;
		}
		return 0;
	}
	r->line_no++;
	len = strlen(r->line);
	if (len > 0 && r->line[len - 1] == '\n')
		r->line[--len] = '\0';
	else if (len < MANIFEST_MAX_LINE && !feof(r->f))
	{
		/* fgets went on to a line end that strlen() does not reach */
		manifest_error(r, "line holds a NUL byte: not a text manifest");
		return -1;
	}
	else if (!feof(r->f))
	{
		manifest_error(r, "line longer than %d bytes", MANIFEST_MAX_LINE);
		return -1;
	}
	/* a raw carriage return is never data (COPY writes \r), only a CRLF line end */
	if (len > 0 && r->line[len - 1] == '\r')
		r->line[--len] = '\0';
	return 1;
}

/* Splits line at tabs, in place; returns the number of fields (at most max). */
static int
split_fields(char *line, char **fields, int max)
{
	int			n = 0;

	fields[n++] = line;
	for (char *p = line; *p && n < max; p++)
	{
		if (*p == '\t')
		{
			*p = '\0';
			fields[n++] = p + 1;
		}
	}
	return n;
}

/*
 * Undoes COPY's text escapes in place (\b \f \n \r \t \v \\, octal \ooo,
 * hex \xhh; any other \c is c).  \N, a null, becomes "".
 */
static void
unescape_copy(char *s)
{
	static const char letters[] = "bfnrtv";
	static const char controls[] = "\b\f\n\r\t\v";
	char	   *out = s;

	if (strcmp(s, "\\N") == 0)
	{
		*s = '\0';
		return;
	}
	while (*s)
	{
		int			v = 0,
					n = 0;

		if (*s != '\\' || s[1] == '\0')
		{
			*out++ = *s++;
			continue;
		}
		s++;
		if (*s != '\0' && strchr(letters, *s) != NULL)
			*out++ = controls[strchr(letters, *s++) - letters];
		else if (*s == 'x')
		{
			s++;
			while (n < 2 && isxdigit((unsigned char) *s))
			{
				v = v * 16 + (isdigit((unsigned char) *s) ? *s - '0' : tolower((unsigned char) *s) - 'a' + 10);
				s++, n++;
			}
			*out++ = n ? (char) v : 'x';
		}
		else
		{
			while (n < 3 && *s >= '0' && *s <= '7')
			{
				v = v * 8 + (*s - '0');
				s++, n++;
			}
			*out++ = n ? (char) v : *s++;
		}
	}
	*out = '\0';
}

/* Parses a whole decimal number >= min into *v. */
static bool
parse_int64(const char *s, int64_t min, int64_t *v)
{
	char	   *end;
	long long	x;

	if (!isdigit((unsigned char) *s))
		return false;
	errno = 0;
	x = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || x < min)
		return false;
	*v = x;
	return true;
}

/* Reads the key=value fields of the first line after the magic and the version. */
static bool
parse_header_fields(ManifestReader *r, char **fields, int n)
{
	ManifestHeader *h = &r->header;

	for (int i = 2; i < n; i++)
	{
		char	   *eq = strchr(fields[i], '=');

		if (eq == NULL)
			continue;
		*eq++ = '\0';
		unescape_copy(eq);
		if (strcmp(fields[i], "database") == 0)
			snprintf(h->database, sizeof(h->database), "%s", eq);
		else if (strcmp(fields[i], "created") == 0)
			snprintf(h->created, sizeof(h->created), "%s", eq);
		else if (strcmp(fields[i], "owner") == 0)
			snprintf(h->owner, sizeof(h->owner), "%s", eq);
		else if ((strcmp(fields[i], "files") == 0 && !parse_int64(eq, 0, &h->files)) ||
				 (strcmp(fields[i], "bytes") == 0 && !parse_int64(eq, 0, &h->bytes)))
		{
			manifest_error(r, "bad %s count \"%s\" in the header", fields[i], eq);
			return false;
		}
	}
	return true;
}

/* Reads the column names line: where id, sha256, byte_size and name are. */
static bool
parse_columns(ManifestReader *r)
{
	char	   *fields[MANIFEST_MAX_FIELDS];
	int			n;

	if (read_line(r) != 1)
	{
		if (!ferror(r->f))
			manifest_error(r, "the column names line is missing");
		return false;
	}
	n = split_fields(r->line, fields, MANIFEST_MAX_FIELDS);
	r->col_id = r->col_sha256 = r->col_size = r->col_name = -1;
	for (int i = 0; i < n; i++)
	{
		if (strcmp(fields[i], "id") == 0)
			r->col_id = i;
		else if (strcmp(fields[i], "sha256") == 0)
			r->col_sha256 = i;
		else if (strcmp(fields[i], "byte_size") == 0)
			r->col_size = i;
		else if (strcmp(fields[i], "name") == 0)
			r->col_name = i;
	}
	if (r->col_id < 0 || r->col_sha256 < 0 || r->col_size < 0)
	{
		manifest_error(r, "the column names must include id, sha256 and byte_size");
		return false;
	}
	return true;
}

/*
 * Opens a manifest ("-": standard input) and reads its header, or takes a
 * file without one (a bare COPY of media.manifest(): its first line starts
 * with an id) with the default columns.  False (error logged) when it is
 * not a manifest this program reads.
 */
bool
manifest_open(ManifestReader *r, const char *path)
{
	char	   *fields[MANIFEST_MAX_FIELDS];
	int			n;
	int			got;
	int64_t		version = 0;

	memset(r, 0, sizeof(*r));
	r->path = strcmp(path, "-") == 0 ? "standard input" : path;
	r->header.files = r->header.bytes = -1;
	r->f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	r->line = malloc(MANIFEST_MAX_LINE + 1);
	if (r->f == NULL || r->line == NULL)
	{
		log_error("cannot open \"%s\": %s", r->path, strerror(errno));
		return false;
	}
	got = read_line(r);
	if (got <= 0)
	{
		if (got == 0)
			log_error("\"%s\" is empty: not a pg_media manifest", r->path);
		return false;
	}
	if (isdigit((unsigned char) r->line[0]))
	{
		/* the columns of media.manifest(), no count to check */
		r->col_id = 0, r->col_sha256 = 1, r->col_size = 2, r->col_name = 3;
		r->pending = true;
		return true;
	}
	n = split_fields(r->line, fields, MANIFEST_MAX_FIELDS);
	if (strcmp(fields[0], MANIFEST_MAGIC) != 0 || n < 2 ||
		!parse_int64(fields[1], 1, &version))
	{
		manifest_error(r, "not a pg_media manifest (the first line must start with \"%s\" and a version)",
					   MANIFEST_MAGIC);
		return false;
	}
	r->header.present = true;
	if (version > MANIFEST_VERSION)
	{
		manifest_error(r, "manifest format version %lld is newer than this pg_media reads (%d)",
					   (long long) version, MANIFEST_VERSION);
		return false;
	}
	r->header.version = (int) version;
	return parse_header_fields(r, fields, n) && parse_columns(r);
}

/* At the end of the file: do the files and bytes read add up to the header's counts? */
static bool
check_totals(ManifestReader *r)
{
	if (r->header.files >= 0 && r->files_read != r->header.files)
	{
		log_error("\"%s\" is incomplete or altered: its header lists %lld files, it holds %lld",
				  r->path, (long long) r->header.files, (long long) r->files_read);
		return false;
	}
	if (r->header.bytes >= 0 && r->bytes_read != r->header.bytes)
	{
		log_error("\"%s\" is incomplete or altered: its header counts %lld bytes, its files %lld",
				  r->path, (long long) r->header.bytes, (long long) r->bytes_read);
		return false;
	}
	return true;
}

/*
 * Reads the next file line into *e.  Returns 1, 0 at the end (after
 * checking the header's counts), -1 on a bad line or an incomplete
 * manifest (error logged).
 */
int
manifest_next(ManifestReader *r, ManifestEntry *e)
{
	char	   *fields[MANIFEST_MAX_FIELDS];
	int			n;
	int			need;
	char	   *sha;

	if (r->pending)
		r->pending = false;
	else
	{
		int			got = read_line(r);

		if (got <= 0)
			return got == 0 ? (check_totals(r) ? 0 : -1) : -1;
	}
	n = split_fields(r->line, fields, MANIFEST_MAX_FIELDS);
	need = r->col_id > r->col_sha256 ? r->col_id : r->col_sha256;
	need = (need > r->col_size ? need : r->col_size) + 1;
	if (n < need || n < r->col_name + 1)
	{
		manifest_error(r, "%d fields, expected at least %d", n, need > r->col_name + 1 ? need : r->col_name + 1);
		return -1;
	}
	if (!parse_int64(fields[r->col_id], 1, &e->id))
	{
		manifest_error(r, "bad file id \"%s\"", fields[r->col_id]);
		return -1;
	}
	if (e->id <= r->last_id)
	{
		manifest_error(r, "file ids must increase (id %lld after %lld): sort the manifest by id",
					   (long long) e->id, (long long) r->last_id);
		return -1;
	}
	sha = fields[r->col_sha256];
	for (char *p = sha; *p; p++)
		*p = tolower((unsigned char) *p);
	if (strlen(sha) != 64 || strspn(sha, "0123456789abcdef") != 64)
	{
		manifest_error(r, "bad SHA-256 \"%s\" (64 hex digits expected)", sha);
		return -1;
	}
	if (!parse_int64(fields[r->col_size], 0, &e->size) || e->size > INT64_MAX - r->bytes_read)
	{
		manifest_error(r, "bad byte_size \"%s\"", fields[r->col_size]);
		return -1;
	}
	e->sha256 = sha;
	e->name = "";
	if (r->col_name >= 0)
	{
		unescape_copy(fields[r->col_name]);
		e->name = fields[r->col_name];
	}
	r->last_id = e->id;
	r->files_read++;
	r->bytes_read += e->size;
	return 1;
}

/* Closes the manifest (not standard input) and frees the line buffer. */
void
manifest_close(ManifestReader *r)
{
	if (r->f && r->f != stdin)
		fclose(r->f);
	free(r->line);
	r->line = NULL;
}
