/*
 * manifest.h - the pg_media manifest: a text file, written at backup time,
 * that lists every file's id, SHA-256 and size, so that a restore can be
 * checked against it (pg_media verify --manifest).
 *
 * Format, version 1 (README, "Backups and restores"):
 *
 *   #pg_media-manifest<TAB>1<TAB>database=D<TAB>created=T<TAB>files=N<TAB>bytes=B[<TAB>owner=O]
 *   id<TAB>sha256<TAB>byte_size<TAB>name<TAB>owner<TAB>owner_scope<TAB>created_at
 *   one line per file, in id order, in PostgreSQL's COPY text format
 *
 * The file lines are exactly what COPY (SELECT * FROM media.manifest()) TO
 * STDOUT writes (backslash escapes for tab, newline, carriage return and
 * backslash), so a manifest can also be made with psql; without the first
 * two lines it has the default columns and no file count to check.  Readers
 * of version 1 find columns by the names of the second line and ignore
 * header fields and columns they do not know.
 */
#ifndef PG_MEDIA_MANIFEST_H
#define PG_MEDIA_MANIFEST_H

#include "pg_media_cli.h"

#define MANIFEST_MAGIC "#pg_media-manifest"
#define MANIFEST_VERSION 1
/* the columns written, in media.manifest()'s order */
#define MANIFEST_COLUMNS_SQL "id, sha256, byte_size, name, owner, owner_scope, created_at"
/* longest line read: a name is at most 255 bytes, an owner a setting's value */
#define MANIFEST_MAX_LINE (64 * 1024)
#define MANIFEST_MAX_FIELDS 32

/* What the first line of a manifest says. */
typedef struct ManifestHeader
{
	bool		present;		/* false: a bare COPY of media.manifest() */
	int			version;
	char		database[256];
	char		created[64];
	int64_t		files;			/* -1 when unknown */
	int64_t		bytes;			/* -1 when unknown */
	char		owner[256];		/* "" when the manifest is of every visible file */
} ManifestHeader;

/* One file of a manifest; the strings live until the next manifest_next(). */
typedef struct ManifestEntry
{
	int64_t		id;
	int64_t		size;
	const char *sha256;			/* 64 lower-case hex digits */
	const char *name;			/* "" when the manifest has no name column */
} ManifestEntry;

/* A manifest being read, one line at a time. */
typedef struct ManifestReader
{
	FILE	   *f;
	const char *path;
	char	   *line;			/* MANIFEST_MAX_LINE + 1 bytes */
	bool		pending;		/* line holds a file line not yet returned */
	int64_t		line_no;
	int			col_id;
	int			col_sha256;
	int			col_size;
	int			col_name;		/* -1 when absent */
	int64_t		last_id;
	int64_t		files_read;
	int64_t		bytes_read;
	ManifestHeader header;
} ManifestReader;

extern bool manifest_open(ManifestReader *r, const char *path);
extern int	manifest_next(ManifestReader *r, ManifestEntry *e);
extern void manifest_close(ManifestReader *r);
extern int	manifest_write(const ConnOpts *opts, const char *path, bool allow_empty);

#endif							/* PG_MEDIA_MANIFEST_H */
