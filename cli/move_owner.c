/*
 * move_owner.c - pg_media move-owner OWNER --to SHARD: moves an owner's
 * files to another shard of a pg_media router (sql/router/), with their
 * ids kept, in an order that loses no file and can be run again after any
 * failure:
 *
 *   1. the router stops the owner's writes (media_router.move_begin());
 *   2. on every other shard holding files of the owner: each file, its
 *      content (blob and chunks, or the target's blob with the same key)
 *      and its row, copied to the target in one transaction per file, then
 *      media.verify() there and the SHA-256 and size compared with the
 *      source's;
 *   3. the router sends those ids and the owner to the target
 *      (media_router.move_finish(): the ids go to media_router.moved_files,
 *      since they still name the old shard), and writes resume;
 *   4. the files are deleted on the sources (their content is freed with
 *      the last file that uses it).
 *
 * A file already on the target (a restarted move) is verified, not copied
 * again.  The owner's quota row goes with the files.  Uploads in progress
 * stop the move before anything is copied: their ids name the source.
 *
 * The tool connects to the router as given (-d ...), and to each shard
 * with its connection string in media_router.shards plus -U: a role that
 * owns pg_media's tables there (it reads and writes media.blobs and
 * media.chunks directly).
 */
#include "pg_media_cli.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SHARDS 2047

/* What a move does, and what it found. */
typedef struct Move
{
	const ConnOpts *opts;
	const char *owner;
	int			target;
	int			nshards;
	char	  **connstrs;		/* by shard number */
	PGconn	   *router;
	PGconn	   *to;
	int64_t		files;			/* copied or found on the target, verified */
	int64_t		copied;			/* of which copied by this run */
	int64_t		bytes;
} Move;

/* Prints the help of pg_media move-owner. */
static void
move_owner_help(void)
{
	printf("pg_media move-owner: move an owner's files to another shard of a pg_media router.\n"
		   "\n"
		   "Usage:\n"
		   "  pg_media move-owner OWNER --to SHARD [OPTION]... -d ROUTER\n"
		   "\n"
		   "Copies every file of OWNER (media.owner, the 'setting' namespace) from the\n"
		   "other shards to shard SHARD with the same ids, verifies each one's SHA-256\n"
		   "there, switches the router (the owner's files and new files go to SHARD),\n"
		   "then deletes them on the old shard.  The owner's writes through the router\n"
		   "wait (SQLSTATE 55006) until the switch; reads go on.  After a failure, run\n"
		   "it again: files already copied are verified, not copied twice.\n"
		   "\n"
		   "It connects to the router (-d) and to each shard with its connection string\n"
		   "in media_router.shards plus -U, a role that owns pg_media's tables there.\n"
		   "\n"
		   "Options:\n"
		   "      --to=SHARD         the shard number to move the owner to\n"
		   "\n"
		   COMMON_OPTIONS_HELP);
}

/* Runs a statement with text parameters; exits with EXIT_FATAL when it fails. */
static PGresult *
must_exec(PGconn *conn, const char *what, const char *sql, int n, const char *const *values)
{
	PGresult   *res = db_exec(conn, sql, n, values, NULL, NULL, 0);

	if (db_ok(res))
		return res;
	log_error("%s: %s", what, db_error_text(conn, res));
	exit(EXIT_FATAL);
}

/* Connects to shard number shard, as -U when given (it comes after the connection string, so it wins). */
static PGconn *
connect_shard(const Move *mv, int shard)
{
	const char *keywords[4];
	const char *values[4];
	int			n = 0;
	PGconn	   *conn;

	keywords[n] = "dbname";
	values[n++] = mv->connstrs[shard];
	if (mv->opts->user)
	{
		keywords[n] = "user";
		values[n++] = mv->opts->user;
	}
	keywords[n] = "application_name";
	values[n++] = "pg_media move-owner";
	keywords[n] = NULL;
	values[n] = NULL;
	conn = PQconnectdbParams(keywords, values, 1);
	if (conn == NULL || PQstatus(conn) != CONNECTION_OK)
	{
		log_error("could not connect to shard %d: %s", shard,
				  conn ? PQerrorMessage(conn) : "out of memory");
		exit(EXIT_FATAL);
	}
	return conn;
}

/* Reads the shards' connection strings from the router. */
static void
load_shards(Move *mv)
{
	PGresult   *res = must_exec(mv->router, "reading media_router.shards",
								"SELECT shard, connstr FROM media_router.shards ORDER BY shard", 0, NULL);

	mv->nshards = PQntuples(res);
	if (mv->nshards == 0 || mv->nshards > MAX_SHARDS)
	{
		log_error("the router has %d shards", mv->nshards);
		log_hint("set them up with media_router.configure()");
		exit(EXIT_FATAL);
	}
	mv->connstrs = calloc(mv->nshards, sizeof(char *));
	for (int i = 0; mv->connstrs && i < mv->nshards; i++)
		mv->connstrs[i] = strdup(PQgetvalue(res, i, 1));
	if (mv->connstrs == NULL)
	{
		log_error("out of memory");
		exit(EXIT_FATAL);
	}
	PQclear(res);
	if (mv->target < 0 || mv->target >= mv->nshards)
		pg_fatal_usage("--to %d: the router's shards are 0 to %d", mv->target, mv->nshards - 1);
}

/*
 * Runs a statement in which a failure ends the file's copy; prints why.
 * Its results come in binary (bytes as they are; numbers are selected as
 * text::bytea, so their digits).
 */
static PGresult *
copy_step(PGconn *conn, const char *what, const char *id, const char *sql, int n,
		  const char *const *values, const int *lengths, const int *formats)
{
	PGresult   *res = db_exec(conn, sql, n, values, lengths, formats, 1);

	if (db_ok(res))
		return res;
	log_error("file %s: %s: %s", id, what, db_error_text(conn, res));
	return NULL;
}

/*
 * Copies the chunks of blob from_blob (source) into blob to_blob (target),
 * one chunk at a time (memory: one chunk), in binary.
 */
static bool
copy_chunks(PGconn *from, PGconn *to, const char *id, const char *from_blob, const char *to_blob)
{
	char		next[32] = "0";

	for (;;)
	{
		const char *src[2] = {from_blob, next};
		PGresult   *chunk = copy_step(from, "reading a chunk", id,
									  "SELECT c.start::text::bytea AS start_digits, c.size::text::bytea, c.deflated::text::bytea, c.data"
									  " FROM media.chunks c WHERE c.blob_id = $1::bigint AND c.start >= $2::bigint"
									  " ORDER BY c.start LIMIT 1", 2, src, NULL, NULL);
		PGresult   *res;

		if (chunk == NULL)
			return false;
		if (PQntuples(chunk) == 0)
		{
			PQclear(chunk);
			return true;
		}
		{
			const char *v[5] = {to_blob, PQgetvalue(chunk, 0, 0), PQgetvalue(chunk, 0, 1),
			PQgetvalue(chunk, 0, 2), PQgetvalue(chunk, 0, 3)};
			int			l[5] = {0, 0, 0, 0, PQgetlength(chunk, 0, 3)};
			int			f[5] = {0, 0, 0, 0, 1};

			res = copy_step(to, "writing a chunk", id,
							"INSERT INTO media.chunks (blob_id, start, size, deflated, data)"
							" VALUES ($1::bigint, $2::bigint, $3::integer, $4::boolean, $5::bytea)",
							5, v, l, f);
			snprintf(next, sizeof(next), "%lld",
					 atoll(PQgetvalue(chunk, 0, 0)) + atoll(PQgetvalue(chunk, 0, 1)));
		}
		PQclear(chunk);
		if (res == NULL)
			return false;
		PQclear(res);
	}
}

/*
 * Copies file id (its row, as JSON) and its content from the source to the
 * target, in one transaction on the target: the target's blob with the same
 * key when it has one (dedup), else a new blob with the source's chunks.
 * replace: the target has a stale copy of the row (an earlier move), which
 * goes in the same transaction.
 */
static bool
copy_file(PGconn *from, PGconn *to, const char *id, bool replace)
{
	const char *v[2] = {id, NULL};
	PGresult   *src = copy_step(from, "reading the file", id,
								"SELECT convert_to(row_to_json(f)::text, 'UTF8'), b.sha256, b.byte_size::text::bytea, f.blob_id::text::bytea"
								" FROM media.files f JOIN media.blobs b ON b.id = f.blob_id WHERE f.id = $1::bigint",
								1, v, NULL, NULL);
	PGresult   *res;
	char		blob[32] = "";
	bool		ok = false;

	if (src == NULL || PQntuples(src) != 1)
	{
		if (src)
			log_error("file %s: not found on the source, or its blob is missing", id);
		PQclear(src);
		return false;
	}
	if (!db_command(to, "BEGIN"))
		goto done;
	if (replace)
	{
		res = copy_step(to, "dropping its stale copy", id,
						"DELETE FROM media.files WHERE id = $1::bigint", 1, v, NULL, NULL);
		if (res == NULL)
			goto rollback;
		PQclear(res);
	}
	{
		const char *k[2] = {PQgetvalue(src, 0, 1), PQgetvalue(src, 0, 2)};
		int			kl[2] = {PQgetlength(src, 0, 1), 0};
		int			kf[2] = {1, 0};

		/* the content may be there already: dedup, or a move restarted */
		res = copy_step(to, "looking for its content", id,
						"WITH found AS (SELECT id FROM media.blobs WHERE sha256 = $1 FOR KEY SHARE),"
						" made AS (INSERT INTO media.blobs (sha256, byte_size)"
						"   SELECT $1, $2::bigint WHERE NOT EXISTS (SELECT 1 FROM found) RETURNING id)"
						" SELECT id::text::bytea, false FROM found UNION ALL SELECT id::text::bytea, true FROM made",
						2, k, kl, kf);
		if (res == NULL)
			goto rollback;
		snprintf(blob, sizeof(blob), "%s", PQgetvalue(res, 0, 0));
		if (PQgetvalue(res, 0, 1)[0] && !copy_chunks(from, to, id, PQgetvalue(src, 0, 3), blob))
		{
			PQclear(res);
			goto rollback;
		}
		PQclear(res);
	}
	v[0] = PQgetvalue(src, 0, 0);
	v[1] = blob;
	{
		int			l[2] = {PQgetlength(src, 0, 0), 0};
		int			f[2] = {1, 0};

		res = copy_step(to, "writing its row", id,
						"INSERT INTO media.files SELECT * FROM jsonb_populate_record(NULL::media.files,"
						" convert_from($1, 'UTF8')::jsonb || jsonb_build_object('blob_id', $2::bigint))",
						2, v, l, f);
	}
	if (res == NULL)
		goto rollback;
	PQclear(res);
	ok = db_command(to, "COMMIT");
	goto done;
rollback:
	db_command(to, "ROLLBACK");
done:
	PQclear(src);
	return ok;
}

/*
 * Has the target file id with the source's SHA-256 and size, and do its
 * stored bytes hash to them (media.verify())?
 */
static bool
verified_on_target(Move *mv, PGconn *from, const char *id)
{
	const char *v[1] = {id};
	PGresult   *a = copy_step(from, "reading its checksum", id,
							  "SELECT sha256, byte_size::text::bytea FROM media.files WHERE id = $1::bigint",
							  1, v, NULL, NULL);
	PGresult   *b = copy_step(mv->to, "verifying it on the target", id,
							  "SELECT f.sha256, f.byte_size::text::bytea, v.ok::text::bytea"
							  " FROM media.files f CROSS JOIN LATERAL media.verify(f.id) v WHERE f.id = $1::bigint",
							  1, v, NULL, NULL);
	bool		ok = a && b && PQntuples(a) == 1 && PQntuples(b) == 1 &&
		PQgetlength(a, 0, 0) == PQgetlength(b, 0, 0) &&
		memcmp(PQgetvalue(a, 0, 0), PQgetvalue(b, 0, 0), PQgetlength(a, 0, 0)) == 0 &&
		strcmp(PQgetvalue(a, 0, 1), PQgetvalue(b, 0, 1)) == 0 &&
		strcmp(PQgetvalue(b, 0, 2), "true") == 0;

	if (ok)
		mv->bytes += atoll(PQgetvalue(a, 0, 1));
	PQclear(a);
	PQclear(b);
	return ok;
}

/*
 * What the target has of a file: nothing, the source's row as it is, a
 * stale copy, or another owner's file with the same id (never replaced).
 */
typedef enum TargetCopy
{
	TARGET_NONE,
	TARGET_SAME,
	TARGET_STALE,
	TARGET_FOREIGN
} TargetCopy;

/*
 * Is file id on the target already (a restarted move), with the source's
 * row?  A copy left by a move that was cancelled can be older than the
 * source's row (renamed, made private since): that one is copied again.
 */
static TargetCopy
target_copy(Move *mv, PGconn *from, const char *id)
{
	const char *v[2] = {id, NULL};
	PGresult   *src = must_exec(from, "reading a file on the source",
								"SELECT row_to_json(f)::text FROM media.files f WHERE f.id = $1::bigint", 1, v);
	PGresult   *res;
	TargetCopy	found;

	if (PQntuples(src) != 1)
	{
		PQclear(src);
		return TARGET_NONE;		/* gone meanwhile: copy_file() says so */
	}
	v[1] = PQgetvalue(src, 0, 0);
	res = must_exec(mv->to, "looking for a file on the target",
					"SELECT CASE WHEN (t.owner, t.owner_scope) IS DISTINCT FROM (s.owner, s.owner_scope) THEN 'foreign'"
					" WHEN t IS NOT DISTINCT FROM s THEN 'same' ELSE 'stale' END FROM media.files t CROSS JOIN LATERAL"
					" jsonb_populate_record(NULL::media.files, $2::jsonb || jsonb_build_object('blob_id', t.blob_id)) s"
					" WHERE t.id = $1::bigint", 2, v);
	found = PQntuples(res) == 0 ? TARGET_NONE
		: strcmp(PQgetvalue(res, 0, 0), "same") == 0 ? TARGET_SAME
		: strcmp(PQgetvalue(res, 0, 0), "stale") == 0 ? TARGET_STALE : TARGET_FOREIGN;
	PQclear(res);
	PQclear(src);
	return found;
}

/*
 * Of the owner's files on shard (ids, an array's text), the stale copies an
 * earlier move left there: those the router does not read on that shard.
 * They are never read and must not be copied.  One array's text, a new
 * string.
 */
static char *
stale_files(Move *mv, int shard, const char *ids)
{
	char		shard_txt[16];
	const char *v[2] = {ids, shard_txt};
	PGresult   *res;
	char	   *stale;

	snprintf(shard_txt, sizeof(shard_txt), "%d", shard);
	res = must_exec(mv->router, "asking the router which copies it reads",
					"SELECT coalesce(array_agg(i ORDER BY i), '{}')::text FROM unnest($1::bigint[]) i"
					" WHERE media_router.file_shard(i) <> $2::integer", 2, v);
	stale = strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (stale == NULL)
	{
		log_error("out of memory");
		exit(EXIT_FATAL);
	}
	return stale;
}

/*
 * Of the owner's files on shard (ids, an array's text), the live ones: those
 * the router reads on that shard, as rows in id order.
 */
static PGresult *
live_files(Move *mv, int shard, const char *ids)
{
	char		shard_txt[16];
	const char *v[2] = {ids, shard_txt};

	snprintf(shard_txt, sizeof(shard_txt), "%d", shard);
	return must_exec(mv->router, "asking the router which copies it reads",
					 "SELECT i FROM unnest($1::bigint[]) i WHERE media_router.file_shard(i) = $2::integer ORDER BY i",
					 2, v);
}

/*
 * Step 2 on one source shard: copies and verifies each of the owner's files
 * the router reads there; returns their ids as the text of an array
 * ("{1,2}"), or NULL when a file could not be copied or verified (nothing is
 * switched then).  *stale: the ids of the stale copies there (stale_files()).
 */
static char *
copy_from_shard(Move *mv, PGconn *from, int shard, char **stale)
{
	const char *v[1] = {mv->owner};
	PGresult   *res = must_exec(from, "counting the owner's uploads",
								"SELECT count(*) FROM media.uploads WHERE owner = $1 AND owner_scope = 'setting'", 1, v);
	char	   *list = NULL;
	size_t		len = 0;
	FILE	   *out;

	if (strcmp(PQgetvalue(res, 0, 0), "0") != 0)
	{
		log_error("owner \"%s\" has %s uploads in progress on shard %d; their ids name that shard",
				  mv->owner, PQgetvalue(res, 0, 0), shard);
		log_hint("let them finish or abort them (media.upload_abort()), then run pg_media move-owner again; "
				 "media_router.move_cancel('%s') lets the owner write meanwhile", mv->owner);
		exit(EXIT_FATAL);
	}
	PQclear(res);
	res = must_exec(from, "listing the owner's files",
					"SELECT coalesce(array_agg(id), '{}')::text FROM media.files"
					" WHERE owner = $1 AND owner_scope = 'setting'", 1, v);
	{
		PGresult   *live = live_files(mv, shard, PQgetvalue(res, 0, 0));

		*stale = stale_files(mv, shard, PQgetvalue(res, 0, 0));
		PQclear(res);
		res = live;
	}
	out = open_memstream(&list, &len);
	if (out == NULL)
	{
		log_error("out of memory");
		exit(EXIT_FATAL);
	}
	fputc('{', out);
	for (int r = 0; r < PQntuples(res); r++)
	{
		const char *id = PQgetvalue(res, r, 0);
		TargetCopy	copy = target_copy(mv, from, id);
		bool		there = copy == TARGET_SAME;

		if (copy == TARGET_FOREIGN)
		{
			log_error("file %s: shard %d has a file of another owner with this id", id, mv->target);
			log_hint("two files share the id (a shard restored and reconfigured without its sequence?); "
					 "look at both before moving this owner there");
			goto failed;
		}

		if (!there && !copy_file(from, mv->to, id, copy == TARGET_STALE))
			goto failed;
		if (!verified_on_target(mv, from, id))
		{
			log_error("file %s: the copy on shard %d does not match the original", id, mv->target);
			goto failed;
		}
		mv->files++;
		mv->copied += !there;
		if (mv->opts->verbose)
			printf("file %s: %s shard %d to shard %d\n", id, there ? "already copied from" : "copied from",
				   shard, mv->target);
		fprintf(out, "%s%s", r ? "," : "", id);
	}
	fputc('}', out);
	fclose(out);
	PQclear(res);
	return list;
failed:
	fclose(out);
	free(list);
	PQclear(res);
	return NULL;
}

/*
 * The owner's quota row goes with its files: written on the target before
 * the switch (delete_on_source() removes the source's after it).
 */
static void
copy_quota(Move *mv, PGconn *from)
{
	const char *v[1] = {mv->owner};
	PGresult   *res = must_exec(from, "reading the owner's quota",
								"SELECT row_to_json(q)::text FROM media.quotas q"
								" WHERE owner = $1 AND owner_scope = 'setting'", 1, v);

	if (PQntuples(res) == 1)
	{
		v[0] = PQgetvalue(res, 0, 0);
		PQclear(must_exec(mv->to, "writing the owner's quota",
						  "INSERT INTO media.quotas SELECT * FROM jsonb_populate_record(NULL::media.quotas, $1::jsonb)"
						  " ON CONFLICT ON CONSTRAINT quotas_pkey DO UPDATE"
						  " SET max_bytes = excluded.max_bytes, max_files = excluded.max_files", 1, v));
	}
	PQclear(res);
}

/* Step 4 on one source: deletes the moved files (ids, an array's text) and the owner's quota row. */
static int64_t
delete_on_source(Move *mv, PGconn *from, const char *ids)
{
	const char *v[2] = {ids, mv->owner};
	PGresult   *res = must_exec(from, "deleting the moved files on the source",
								"WITH gone AS (DELETE FROM media.files WHERE id = ANY ($1::bigint[])"
								"   AND owner = $2 AND owner_scope = 'setting' RETURNING 1),"
								" quota AS (DELETE FROM media.quotas WHERE owner = $2 AND owner_scope = 'setting')"
								" SELECT count(*) FROM gone", 2, v);
	int64_t		n = atoll(PQgetvalue(res, 0, 0));

	PQclear(res);
	return n;
}

/*
 * Before the switch: deletes on the target the owner's files there that
 * the router does not read there and that this move does not bring (stale
 * copies a cancelled move left: files the owner removed since), so that
 * they do not come back in the owner's lists.  ids: the moved ones.
 */
static void
drop_stale_on_target(Move *mv, const char *ids)
{
	const char *v[2] = {mv->owner, ids};
	PGresult   *res = must_exec(mv->to, "listing the owner's files on the target",
								"SELECT coalesce(array_agg(id), '{}')::text FROM media.files"
								" WHERE owner = $1 AND owner_scope = 'setting' AND id <> ALL ($2::bigint[])", 2, v);
	char	   *stale = stale_files(mv, mv->target, PQgetvalue(res, 0, 0));

	PQclear(res);
	v[1] = stale;
	res = must_exec(mv->to, "deleting stale copies on the target",
					"WITH gone AS (DELETE FROM media.files WHERE id = ANY ($2::bigint[])"
					"   AND owner = $1 AND owner_scope = 'setting' RETURNING 1)"
					" SELECT count(*) FROM gone", 2, v);
	if (strcmp(PQgetvalue(res, 0, 0), "0") != 0)
		printf("owner \"%s\": %s stale copies left by an earlier move deleted on shard %d\n",
			   mv->owner, PQgetvalue(res, 0, 0), mv->target);
	PQclear(res);
	free(stale);
}

/*
 * The shard the router sends the owner to now: after a failure, not
 * necessarily the one this run began from (another run may have switched it).
 */
static int
router_owner_shard(Move *mv)
{
	const char *v[1] = {mv->owner};
	PGresult   *res = must_exec(mv->router, "asking the router for the owner's shard",
								"SELECT media_router.owner_shard($1)", 1, v);
	int			shard = atoi(PQgetvalue(res, 0, 0));

	PQclear(res);
	return shard;
}

/* "{1,2}" and "{3}" made one array's text "{1,2,3}", in a new string. */
static char *
join_id_lists(const char *a, const char *b)
{
	size_t		la = strlen(a),
				lb = strlen(b);
	char	   *out = malloc(la + lb + 1);

	if (out == NULL)
	{
		log_error("out of memory");
		exit(EXIT_FATAL);
	}
	memcpy(out, a, la - 1);		/* without its '}' */
	out[la - 1] = '\0';
	if (la > 2 && lb > 2)
		strcat(out, ",");
	strcat(out, b + 1);			/* without its '{' */
	return out;
}

/* pg_media move-owner OWNER --to SHARD */
int
cmd_move_owner(int argc, char **argv)
{
	static const struct option long_options[] = {
		{"to", required_argument, NULL, 1},
		COMMON_LONG_OPTIONS
	};
	ConnOpts	opts = {0};
	Move		mv = {.opts = &opts, .target = -1};
	PGconn	  **sources;
	char	  **lists;
	char	  **stale;
	char	   *all = NULL;
	char		target_txt[16];
	int64_t		deleted = 0;
	int			from_shard,
				c;

	while ((c = getopt_long(argc, argv, COMMON_SHORT_OPTIONS, long_options, NULL)) != -1)
	{
		if (common_option(&opts, c, optarg, move_owner_help))
			continue;
		if (c == 1)
		{
			char	   *end;
			long		n = strtol(optarg, &end, 10);

			if (*optarg == '\0' || *end != '\0' || n < 0 || n >= MAX_SHARDS)
				pg_fatal_usage("--to: \"%s\" is not a shard number", optarg);
			mv.target = (int) n;
		}
	}
	if (optind != argc - 1)
		pg_fatal_usage(optind < argc ? "one OWNER, not more" : "the OWNER to move is missing");
	if (mv.target < 0)
		pg_fatal_usage("--to SHARD is missing");
	mv.owner = argv[optind];
	if (*mv.owner == '\0')		/* e.g. "$OWNER" unset in a script: no owner's files would move */
		pg_fatal_usage("the OWNER to move must not be empty");

	mv.router = db_connect(&opts, "pg_media move-owner");
	load_shards(&mv);
	snprintf(target_txt, sizeof(target_txt), "%d", mv.target);
	{
		const char *v[2] = {mv.owner, target_txt};
		PGresult   *res = must_exec(mv.router, "beginning the move",
									"SELECT media_router.move_begin($1, $2::integer)", 2, v);

		from_shard = atoi(PQgetvalue(res, 0, 0));
		PQclear(res);
	}
	if (!opts.quiet)
		printf("owner \"%s\": on shard %d, moving to shard %d; its writes wait until the switch\n",
			   mv.owner, from_shard, mv.target);

	/* step 2: every other shard, so that a restarted move also finds what an earlier one left */
	mv.to = connect_shard(&mv, mv.target);
	sources = calloc(mv.nshards, sizeof(PGconn *));
	lists = calloc(mv.nshards, sizeof(char *));
	stale = calloc(mv.nshards, sizeof(char *));
	all = strdup("{}");
	if (sources == NULL || lists == NULL || stale == NULL || all == NULL)
	{
		log_error("out of memory");
		return EXIT_FATAL;
	}
	for (int s = 0; s < mv.nshards; s++)
	{
		char	   *joined;

		if (s == mv.target)
			continue;
		sources[s] = connect_shard(&mv, s);
		lists[s] = copy_from_shard(&mv, sources[s], s, &stale[s]);
		if (lists[s] == NULL)
		{
			log_error("nothing was switched by this run: the router sends the owner to shard %d",
					  router_owner_shard(&mv));
			log_hint("run pg_media move-owner again once the cause is fixed, or media_router.move_cancel('%s')",
					 mv.owner);
			return EXIT_SOME_FAILED;
		}
		copy_quota(&mv, sources[s]);
		joined = join_id_lists(all, lists[s]);
		free(all);
		all = joined;
	}

	drop_stale_on_target(&mv, all);

	/* step 3: the switch */
	{
		const char *v[3] = {mv.owner, target_txt, all};

		PQclear(must_exec(mv.router, "switching the router",
						  "SELECT media_router.move_finish($1, $2::integer, $3::bigint[])", 3, v));
	}

	/* step 4: only now the originals go */
	for (int s = 0; s < mv.nshards; s++)
	{
		if (sources[s] == NULL)
			continue;
		char	   *gone = join_id_lists(lists[s], stale[s]);	/* stale copies: never read */

		deleted += delete_on_source(&mv, sources[s], gone);
		PQfinish(sources[s]);
		free(gone);
		free(lists[s]);
		free(stale[s]);
	}
	printf("owner \"%s\": %lld files (%lld bytes) from the other shards on shard %d, %lld copied by this run,"
		   " verified; %lld deleted on the old shards; ids unchanged\n",
		   mv.owner, (long long) mv.files, (long long) mv.bytes, mv.target, (long long) mv.copied,
		   (long long) deleted);
	free(all);
	free(sources);
	free(lists);
	free(stale);
	PQfinish(mv.to);
	PQfinish(mv.router);
	return EXIT_OK;
}
