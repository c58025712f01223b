/*
 * export.c - pg_media export: write stored files back out to a folder.
 *
 * Each file is read in ranges with media.read() (memory bounded by one
 * range), written under its sanitized name (mm_sanitize_name: one path
 * component, no control characters, no dot files) with openat(O_EXCL |
 * O_NOFOLLOW) in the target folder, so an export never overwrites a file
 * nor writes outside the folder; a taken name gets " (2)", " (3)", ...  The
 * SHA-256 of what was written is checked against the stored one, and a
 * manifest.csv lists id, name, path, size, sha256 and mime_type.
 */
#include "manifest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/name.h"
#include "util/sha256.h"

typedef struct ExportState
{
	PGconn	   *conn;
	ConnOpts	opts;
	int			dirfd;
	int			read_size;
	Progress	prog;
	FILE	   *manifest;
	int64_t		exported;
	int64_t		failed;
	int64_t		bytes;
} ExportState;

/* Prints the help of pg_media export. */
static void
export_help(void)
{
	printf("pg_media export: write stored files to a folder.\n"
		   "\n"
		   "Usage:\n"
		   "  pg_media export --to DIR [--where CONDITION] [OPTION]...\n"
		   "  pg_media export --manifest-only FILE|- [OPTION]...\n"
		   "\n"
		   "Writes each file under its stored name, sanitized (one path component, no\n"
		   "control characters); a name already taken gets \" (2)\", \" (3)\", ...  Nothing\n"
		   "is overwritten and nothing is written outside DIR (created if missing).  Each\n"
		   "file's SHA-256 is checked as it is written.  DIR/manifest.csv lists id, name,\n"
		   "path (relative to DIR), size, sha256 and mime_type.\n"
		   "\n"
		   "Options:\n"
		   "      --to=DIR           target folder (required)\n"
		   "      --where=CONDITION  an SQL condition over media.files, e.g.\n"
		   "                         \"media_type = 'image' AND created_at > '2024-01-01'\".\n"
		   "                         It is pasted into the query as it is: trusted input\n"
		   "                         from the operator, with the connecting role's rights.\n"
		   "      --manifest=NAME    manifest file name in DIR (default manifest.csv)\n"
		   "      --manifest-only=FILE  write no file: only the manifest of every file\n"
		   "                         (id, SHA-256, size, name, owner; a versioned text\n"
		   "                         format) to FILE, or to standard output for \"-\", for\n"
		   "                         pg_media verify --manifest after a restore.  Exit\n"
		   "                         status 1 when there is no file to list, unless\n"
		   "                         --allow-empty\n"
		   "      --allow-empty      with --manifest-only: write a manifest of no file\n"
		   OWNER_OPTION_HELP
		   "\n"
		   COMMON_OPTIONS_HELP);
}

/*
 * Creates name in dirfd exclusively, or "stem (2).ext", "stem (3).ext", ...
 * when it is taken.  Writes the name used into out (MM_NAME_MAX + 1 bytes)
 * and returns the descriptor, or -1 with errno set.
 */
static int
create_unique(int dirfd, const char *name, char *out)
{
	const char *dot = strrchr(name, '.');
	size_t		stem_len;
	const char *ext;

	/* a leading dot is not an extension (sanitized names have none anyway) */
	if (dot == NULL || dot == name || strlen(dot) > 17)
		dot = name + strlen(name);
	stem_len = dot - name;
	ext = dot;
	for (int i = 1; i < 100000; i++)
	{
		int			fd;

		if (i == 1)
			snprintf(out, MM_NAME_MAX + 1, "%s", name);
		else
		{
			char		suffix[16];
			size_t		keep = stem_len;

			snprintf(suffix, sizeof(suffix), " (%d)", i);
			/* stay within MM_NAME_MAX, cutting the stem on a UTF-8 boundary */
			while (keep > 0 && keep + strlen(suffix) + strlen(ext) > MM_NAME_MAX)
			{
				keep--;
				while (keep > 0 && ((unsigned char) name[keep] & 0xC0) == 0x80)
					keep--;
			}
			snprintf(out, MM_NAME_MAX + 1, "%.*s%s%s", (int) keep, name, suffix, ext);
		}
		fd = openat(dirfd, out, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	errno = EEXIST;
	return -1;
}

/* Writes all of buf; false with errno set on failure. */
static bool
write_full(int fd, const char *buf, size_t len)
{
	while (len > 0)
	{
		ssize_t		w = write(fd, buf, len);

		if (w < 0)
		{
			if (errno == EINTR)
				continue;
			return false;
		}
		buf += w;
		len -= w;
	}
	return true;
}

/* Lower-case hex of a digest. */
static void
hex_digest(const uint8_t *d, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < MM_SHA256_DIGEST_LEN; i++)
	{
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[2 * MM_SHA256_DIGEST_LEN] = '\0';
}

/*
 * Exports one file (a row of id, name, byte_size, sha256 hex, mime_type)
 * inside a savepoint, so that a file the server refuses to read (e.g. not
 * scanned yet) does not end the export.  Returns false if it failed.
 */
static bool
export_one(ExportState *st, PGresult *row, int r)
{
	const char *id = PQgetvalue(row, r, 0);
	const char *stored = PQgetvalue(row, r, 1);
	int64_t		size = db_get_int64(row, r, 2);
	const char *sha = PQgetvalue(row, r, 3);
	char		name[MM_NAME_MAX + 1];
	char		used[MM_NAME_MAX + 1];
	char		size_txt[32];
	char		got_hex[2 * MM_SHA256_DIGEST_LEN + 1];
	uint8_t		digest[MM_SHA256_DIGEST_LEN];
	mm_sha256	ctx;
	int64_t		pos = 0;
	int			fd;
	const char *error = NULL;
	char		errbuf[1024];

	if (mm_sanitize_name(stored, strlen(stored), name) == 0)
		snprintf(name, sizeof(name), "file-%s", id);
	fd = create_unique(st->dirfd, name, used);
	if (fd < 0)
	{
		progress_error(&st->prog, "file %s: cannot create \"%s\": %s", id, name, strerror(errno));
		return false;
	}

	PQclear(PQexec(st->conn, "SAVEPOINT export_file"));
	mm_sha256_init(&ctx);
	while (pos < size && error == NULL)
	{
		char		pos_txt[32];
		char		len_txt[32];
		const char *values[3] = {id, pos_txt, len_txt};
		int64_t		want = size - pos < st->read_size ? size - pos : st->read_size;
		PGresult   *res;
		int			got;

		snprintf(pos_txt, sizeof(pos_txt), "%lld", (long long) pos);
		snprintf(len_txt, sizeof(len_txt), "%lld", (long long) want);
		res = db_exec(st->conn, "SELECT media.read($1::bigint, $2::bigint, $3::integer)",
					  3, values, NULL, NULL, 1);
		if (!db_ok(res))
		{
			snprintf(errbuf, sizeof(errbuf), "%s", db_error_text(st->conn, res));
			error = errbuf;
			break;
		}
		got = PQgetlength(res, 0, 0);
		if (got == 0)
			error = "the file's content ended early";
		else if (!write_full(fd, PQgetvalue(res, 0, 0), got))
		{
			snprintf(errbuf, sizeof(errbuf), "cannot write \"%s\": %s", used, strerror(errno));
			error = errbuf;
		}
		else
		{
			mm_sha256_update(&ctx, PQgetvalue(res, 0, 0), got);
			pos += got;
			progress_bytes(&st->prog, got, used);
		}
		PQclear(res);
	}
	if (error == NULL)
	{
		mm_sha256_final(&ctx, digest);
		hex_digest(digest, got_hex);
		if (strcmp(got_hex, sha) != 0)
			error = "the SHA-256 of the bytes read differs from the stored one";
	}
	if (error == NULL && fsync(fd) != 0)
	{
		snprintf(errbuf, sizeof(errbuf), "cannot write \"%s\": %s", used, strerror(errno));
		error = errbuf;
	}
	if (close(fd) != 0 && error == NULL)
	{
		snprintf(errbuf, sizeof(errbuf), "cannot write \"%s\": %s", used, strerror(errno));
		error = errbuf;
	}
	PQclear(PQexec(st->conn, error ? "ROLLBACK TO SAVEPOINT export_file" : "RELEASE SAVEPOINT export_file"));
	if (error)
	{
		progress_error(&st->prog, "file %s (%s): %s", id, stored, error);
		unlinkat(st->dirfd, used, 0);
		return false;
	}
	snprintf(size_txt, sizeof(size_txt), "%lld", (long long) size);
	csv_field(st->manifest, id, false);
	csv_field(st->manifest, stored, false);
	csv_field(st->manifest, used, false);
	csv_field(st->manifest, size_txt, false);
	csv_field(st->manifest, sha, false);
	csv_field(st->manifest, PQgetvalue(row, r, 4), true);
	if (st->opts.verbose)
		progress_log(&st->prog, "exported file %s -> %s", id, used);
	st->bytes += size;
	return true;
}

/* pg_media export */
int
cmd_export(int argc, char **argv)
{
	static const struct option long_options[] = {
		{"to", required_argument, NULL, 1},
		{"where", required_argument, NULL, 2},
		{"manifest", required_argument, NULL, 3},
		{"manifest-only", required_argument, NULL, 4},
		{"allow-empty", no_argument, NULL, 5},
		OWNER_LONG_OPTION,
		COMMON_LONG_OPTIONS
	};
	ExportState st;
	MediaSession session;
	const char *to = NULL;
	const char *where = "true";
	const char *manifest = "manifest.csv";
	const char *manifest_only = NULL;
	bool		allow_empty = false;
	char		manifest_used[MM_NAME_MAX + 1];
	char		sql[8192];
	PGresult   *res;
	int			c;
	int			fd;
	double		start;
	char		b1[32],
				b2[32];

	memset(&st, 0, sizeof(st));
	while ((c = getopt_long(argc, argv, COMMON_SHORT_OPTIONS, long_options, NULL)) != -1)
	{
		if (common_option(&st.opts, c, optarg, export_help))
			continue;
		switch (c)
		{
			case 1:
				to = optarg;
				break;
			case 2:
				where = optarg;
				break;
			case 3:
				manifest = optarg;
				if (strchr(manifest, '/') || *manifest == '\0' || *manifest == '.')
					pg_fatal_usage("--manifest must be a plain file name");
				break;
			case 4:
				manifest_only = optarg;
				if (*manifest_only == '\0')
					pg_fatal_usage("--manifest-only needs a file name, or \"-\"");
				break;
			case 5:
				allow_empty = true;
				break;
		}
	}
	if (manifest_only)
	{
		/* a manifest lists every file the role sees: --where would make it partial */
		if (to || strcmp(where, "true") != 0 || strcmp(manifest, "manifest.csv") != 0)
			pg_fatal_usage("--manifest-only cannot be combined with --to, --where or --manifest");
		if (optind < argc)
			pg_fatal_usage("unexpected argument \"%s\"", argv[optind]);
		return manifest_write(&st.opts, manifest_only, allow_empty);
	}
	if (allow_empty)
		pg_fatal_usage("--allow-empty goes with --manifest-only");
	if (to == NULL)
		pg_fatal_usage("--to DIR is required");
	if (optind < argc)
		pg_fatal_usage("unexpected argument \"%s\"", argv[optind]);
	if (strlen(where) > 4096)
		pg_fatal_usage("--where is too long");

	if (mkdir(to, 0755) != 0 && errno != EEXIST)
	{
		log_error("cannot create folder \"%s\": %s", to, strerror(errno));
		return EXIT_FATAL;
	}
	st.dirfd = open(to, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (st.dirfd < 0)
	{
		log_error("cannot open folder \"%s\": %s", to, strerror(errno));
		return EXIT_FATAL;
	}

	st.conn = db_connect_media(&st.opts, "pg_media export", false, &session);
	db_warn_no_owner(&session);
	st.read_size = db_chunk_size(st.conn);

	/* one snapshot for the whole export; a cursor keeps the client's memory small */
	if (!db_command(st.conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"))
		return EXIT_FATAL;
	snprintf(sql, sizeof(sql),
			 "SELECT count(*), coalesce(sum(byte_size), 0) FROM media.files WHERE (%s) AND %s",
			 where, db_owner_condition(&st.opts));
	/* PQexecParams: one statement only, whatever --where holds */
	res = db_exec(st.conn, sql, 0, NULL, NULL, NULL, 0);
	if (!db_ok(res))
	{
		log_error("--where: %s", db_error_text(st.conn, res));
		return EXIT_FATAL;
	}
	progress_init(&st.prog, "exported", db_get_int64(res, 0, 0), db_get_int64(res, 0, 1),
				  st.opts.quiet);
	PQclear(res);
	snprintf(sql, sizeof(sql),
			 "DECLARE export_files NO SCROLL CURSOR FOR"
			 " SELECT id, name, byte_size, encode(sha256, 'hex'), mime_type"
			 " FROM media.files WHERE (%s) AND %s ORDER BY id", where, db_owner_condition(&st.opts));
	res = db_exec(st.conn, sql, 0, NULL, NULL, NULL, 0);
	if (!db_ok(res))
	{
		log_error("--where: %s", db_error_text(st.conn, res));
		return EXIT_FATAL;
	}
	PQclear(res);

	/* the manifest takes its name first, so no exported file can take it */
	fd = create_unique(st.dirfd, manifest, manifest_used);
	if (fd < 0 || (st.manifest = fdopen(fd, "w")) == NULL)
	{
		log_error("cannot create \"%s/%s\": %s", to, manifest, strerror(errno));
		return EXIT_FATAL;
	}
	fputs("id,name,path,size,sha256,mime_type\n", st.manifest);

	start = now_seconds();
	for (;;)
	{
		int			n;

		res = PQexec(st.conn, "FETCH 100 FROM export_files");
		if (!db_ok(res))
		{
			log_error("%s", db_error_text(st.conn, res));
			fclose(st.manifest);
			return EXIT_FATAL;
		}
		n = PQntuples(res);
		for (int r = 0; r < n; r++)
		{
			if (export_one(&st, res, r))
				st.exported++;
			else
			{
				st.failed++;
				if (db_lost(st.conn))
				{
					log_error("connection lost");
					fclose(st.manifest);
					return EXIT_FATAL;
				}
			}
			progress_file_done(&st.prog);
		}
		PQclear(res);
		if (n == 0)
			break;
	}
	PQclear(PQexec(st.conn, "COMMIT"));
	progress_finish(&st.prog);
	if (fclose(st.manifest) != 0)
	{
		log_error("cannot write the manifest: %s", strerror(errno));
		st.failed++;
	}
	{
		double		elapsed = now_seconds() - start;

		printf("%lld exported (%s in %.1f s, %s/s) to %s, %lld failed; manifest: %s\n",
			   (long long) st.exported, format_bytes(st.bytes, b1, sizeof(b1)), elapsed,
			   format_bytes(elapsed > 0 ? (int64_t) (st.bytes / elapsed) : 0, b2, sizeof(b2)),
			   to, (long long) st.failed, manifest_used);
	}
	PQfinish(st.conn);
	close(st.dirfd);
	return st.failed ? EXIT_SOME_FAILED : EXIT_OK;
}
