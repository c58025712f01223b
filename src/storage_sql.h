/*
 * storage_sql.h - every statement the glue runs through SPI (spi_util.h),
 * in one place to audit.
 *
 * Every name is schema-qualified and every operator is pg_catalog's, so the
 * caller's search_path cannot change what these statements mean even where
 * they run as the caller.
 */
#ifndef STORAGE_SQL_H
#define STORAGE_SQL_H

/* A file row; is_public came in 0.2.0: a 0.1.0 catalog (not yet updated) reads false */
#define SQL_LOOKUP_FILE_AS(is_public) \
	"SELECT id, blob_id, byte_size, name, mime_type, etag, scan_status, created_at, sha256, " \
	is_public "  FROM media.files WHERE id OPERATOR(pg_catalog.=) $1"
#define SQL_LOOKUP_FILE SQL_LOOKUP_FILE_AS("is_public")
#define SQL_LOOKUP_FILE_0_1_0 SQL_LOOKUP_FILE_AS("false")

#define SQL_NEW_BLOB \
	"INSERT INTO media.blobs (byte_size) VALUES (0) RETURNING id"

#define SQL_FIND_BLOB \
	"SELECT id FROM media.blobs WHERE sha256 OPERATOR(pg_catalog.=) $1 FOR KEY SHARE"

#define SQL_CLAIM_BLOB \
	"INSERT INTO media.blobs (sha256, byte_size) VALUES ($1, $2)" \
	"  ON CONFLICT (sha256) DO NOTHING RETURNING id"

#define SQL_INSERT_CHUNK \
	"INSERT INTO media.chunks (blob_id, start, size, deflated, data) VALUES ($1, $2, $3, $4, $5)"

/* The chunks overlapping [$2, $3), starting with the one that holds byte $2. */
#define SQL_READ_RANGE \
	"SELECT c.start, c.size, c.deflated, c.data FROM media.chunks c" \
	" WHERE c.blob_id OPERATOR(pg_catalog.=) $1 AND c.start OPERATOR(pg_catalog.<) $3" \
	"   AND c.start OPERATOR(pg_catalog.>=) (SELECT COALESCE(pg_catalog.max(s.start), 0)" \
	"         FROM media.chunks s WHERE s.blob_id OPERATOR(pg_catalog.=) $1" \
	"          AND s.start OPERATOR(pg_catalog.<=) $2)" \
	" ORDER BY c.start"

#define SQL_NEXT_CHUNK \
	"SELECT start, size, deflated, data FROM media.chunks" \
	" WHERE blob_id OPERATOR(pg_catalog.=) $1 AND start OPERATOR(pg_catalog.>=) $2" \
	" ORDER BY start LIMIT 1"

#define SQL_BLOB_COMPRESSED \
	"SELECT pg_catalog.bool_or(deflated) FROM media.chunks WHERE blob_id OPERATOR(pg_catalog.=) $1"

/* Locks a blob against new references (they take FOR KEY SHARE) before it is freed (release.c). */
#define SQL_LOCK_BLOB \
	"SELECT 1 FROM media.blobs WHERE id OPERATOR(pg_catalog.=) $1 FOR UPDATE"

/* Does a file or derivative refer to blob $1?  (release.c asks with the latest snapshot.) */
#define SQL_BLOB_IN_USE \
	"SELECT EXISTS (SELECT 1 FROM media.files WHERE blob_id OPERATOR(pg_catalog.=) $1)" \
	"    OR EXISTS (SELECT 1 FROM media.derivatives WHERE blob_id OPERATOR(pg_catalog.=) $1)"

#define SQL_DELETE_UPLOAD_OF_BLOB \
	"DELETE FROM media.uploads WHERE blob_id OPERATOR(pg_catalog.=) $1"

/* What was derived from a content, keyed by its blob's key $1 */
#define SQL_DELETE_DERIVATIVES_OF \
	"DELETE FROM media.derivatives WHERE source_sha256 OPERATOR(pg_catalog.=) $1"

#define SQL_DELETE_BLOB \
	"DELETE FROM media.blobs WHERE id OPERATOR(pg_catalog.=) $1"

/* A new file row; the placeholder columns came in 0.2.0 (issue 14): a 0.1.0 catalog gets the first form */
#define SQL_INSERT_FILE_WITH(more_columns, more_values) \
	"INSERT INTO media.files (blob_id, name, original_name, declared_type, mime_type," \
	"   media_type, byte_size, width, height, duration_ms, sha256, etag, attrs, probe, owner," \
	"   scan_status, is_compressed" more_columns ")" \
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17" more_values ")" \
	" RETURNING id"
#define SQL_INSERT_FILE SQL_INSERT_FILE_WITH("", "")
#define SQL_INSERT_FILE_PLACEHOLDER SQL_INSERT_FILE_WITH(", placeholder, dominant_color", ", $18, $19")

/* The placeholder of another file of the same blob (the same bytes in the same dedup scope). */
#define SQL_PLACEHOLDER_OF_BLOB \
	"SELECT placeholder, dominant_color FROM media.files" \
	" WHERE blob_id OPERATOR(pg_catalog.=) $1 AND placeholder IS NOT NULL LIMIT 1"

/* Read as the caller: privileges and row-level security decide whether the row exists. */
#define SQL_FILE_PLACEHOLDER \
	"SELECT placeholder FROM media.files WHERE id OPERATOR(pg_catalog.=) $1"

/* The next images without a placeholder, after id $1 (media.refresh_placeholders()). */
#define SQL_FILES_WITHOUT_PLACEHOLDER \
	"SELECT id, blob_id, byte_size FROM media.files" \
	" WHERE placeholder IS NULL AND media_type OPERATOR(pg_catalog.=) 'image'" \
	"   AND id OPERATOR(pg_catalog.>) $1 ORDER BY id LIMIT $2"

#define SQL_SET_PLACEHOLDER \
	"UPDATE media.files SET placeholder = $2, dominant_color = $3 WHERE id OPERATOR(pg_catalog.=) $1"

#define SQL_NEW_UPLOAD \
	"INSERT INTO media.uploads (id, blob_id, owner, name, declared_type, attrs, hash_state)" \
	" VALUES ($1, $2, $3, $4, $5, COALESCE($6, '{}'::pg_catalog.jsonb), $7)"

/*
 * An owner is the pair (owner, owner_scope): the name $n in the namespace
 * of the session (media.owner_scope(), issue 12 item 2).  A 0.1.0 catalog,
 * not yet updated with ALTER EXTENSION pg_media UPDATE, has one namespace
 * and no owner_scope column, so each statement that compares owners is
 * built both ways (OWNER_STATEMENTS) and storage_owner_scoped() picks one.
 */
#define SQL_OWNER_SCOPED(n) \
	" owner OPERATOR(pg_catalog.=) $" #n " AND owner_scope OPERATOR(pg_catalog.=) media.owner_scope()"
#define SQL_OWNER_UNSCOPED(n) \
	" owner OPERATOR(pg_catalog.=) $" #n
#define OWNER_STATEMENTS(sql, nargs, ...) \
	{{sql(SQL_OWNER_UNSCOPED), nargs, {__VA_ARGS__}}, {sql(SQL_OWNER_SCOPED), nargs, {__VA_ARGS__}}}

/* The caller's own upload, locked so parts are appended one at a time. */
#define SQL_LOCK_UPLOAD(SQL_OWNER_IS) \
	"SELECT blob_id, received, hash_state, name, declared_type, attrs, compress FROM media.uploads" \
	" WHERE id OPERATOR(pg_catalog.=) $1 AND" SQL_OWNER_IS(2) " FOR UPDATE"

#define SQL_UPLOAD_STATUS(SQL_OWNER_IS) \
	"SELECT received FROM media.uploads" \
	" WHERE id OPERATOR(pg_catalog.=) $1 AND" SQL_OWNER_IS(2)

#define SQL_UPLOAD_PROGRESS \
	"UPDATE media.uploads SET received = $2, hash_state = $3, compress = $4, attrs = $5, updated_at = pg_catalog.now()" \
	" WHERE id OPERATOR(pg_catalog.=) $1"

/* Moves an upload's chunks to the blob that now holds its content (TOAST data is not copied). */
#define SQL_MOVE_CHUNKS \
	"UPDATE media.chunks SET blob_id = $2 WHERE blob_id OPERATOR(pg_catalog.=) $1"

#define SQL_DELETE_CHUNKS \
	"DELETE FROM media.chunks WHERE blob_id OPERATOR(pg_catalog.=) $1"

/* The chunks of a blob that start before byte $2 (an upload's first window). */
#define SQL_DELETE_HEAD_CHUNKS \
	"DELETE FROM media.chunks WHERE blob_id OPERATOR(pg_catalog.=) $1 AND start OPERATOR(pg_catalog.<) $2"

#define SQL_SET_BLOB_SIZE \
	"UPDATE media.blobs SET byte_size = $2 WHERE id OPERATOR(pg_catalog.=) $1"

#define SQL_REMOVE_FILE \
	"DELETE FROM media.files WHERE id OPERATOR(pg_catalog.=) $1"

/* Files to verify, as the caller sees them: one ($1) or all ($1 null). */
#define SQL_FILES_TO_VERIFY \
	"SELECT id, blob_id, byte_size, sha256 FROM media.files" \
	" WHERE $1 IS NULL OR id OPERATOR(pg_catalog.=) $1 ORDER BY id"

/* pg_media's advisory-lock key space: 'pgm' */
#define SQL_LOCK_OWNER \
	"SELECT pg_catalog.pg_advisory_xact_lock(7366509, pg_catalog.hashtext($1))"

/* An owner's quota and use: max_bytes, max_files, bytes in files, files, bytes in uploads in progress. */
#define SQL_QUOTA_USAGE(SQL_OWNER_IS) \
	"SELECT q.max_bytes, q.max_files," \
	"       (SELECT COALESCE(pg_catalog.sum(f.byte_size), 0)::bigint FROM media.files f" \
	"         WHERE" SQL_OWNER_IS(1) ")," \
	"       (SELECT pg_catalog.count(*) FROM media.files f WHERE" SQL_OWNER_IS(1) ")," \
	"       (SELECT COALESCE(pg_catalog.sum(u.received), 0)::bigint FROM media.uploads u" \
	"         WHERE" SQL_OWNER_IS(1) ")" \
	"  FROM media.quotas q WHERE" SQL_OWNER_IS(1)

#define SQL_HAS_QUOTA(SQL_OWNER_IS) \
	"SELECT 1 FROM media.quotas WHERE" SQL_OWNER_IS(1)

#define SQL_OPEN_UPLOADS(SQL_OWNER_IS) \
	"SELECT pg_catalog.count(*) FROM media.uploads WHERE" SQL_OWNER_IS(1)

/* The cached derivative $2 of the content of blob $1 (keyed by that blob's key). */
#define SQL_FIND_DERIVATIVE \
	"SELECT d.blob_id, d.byte_size FROM media.derivatives d JOIN media.blobs b" \
	"    ON d.source_sha256 OPERATOR(pg_catalog.=) b.sha256" \
	" WHERE b.id OPERATOR(pg_catalog.=) $1 AND d.spec OPERATOR(pg_catalog.=) $2"

/* Marks a derivative used, at most once a minute (least-recently-used eviction). */
#define SQL_TOUCH_DERIVATIVE \
	"UPDATE media.derivatives d SET last_used_at = pg_catalog.now() FROM media.blobs b" \
	" WHERE b.id OPERATOR(pg_catalog.=) $1 AND d.source_sha256 OPERATOR(pg_catalog.=) b.sha256" \
	"   AND d.spec OPERATOR(pg_catalog.=) $2" \
	"   AND d.last_used_at OPERATOR(pg_catalog.<)" \
	"       (pg_catalog.now() OPERATOR(pg_catalog.-) '1 minute'::pg_catalog.interval)"

/* The key of a source blob, locked against being freed while a derivative of it goes in. */
#define SQL_SOURCE_BLOB_KEY \
	"SELECT sha256 FROM media.blobs WHERE id OPERATOR(pg_catalog.=) $1 AND sha256 IS NOT NULL" \
	" FOR KEY SHARE"

/* Serializes additions to the derivative cache ('pgm' + 1: its own key space). */
#define SQL_LOCK_DERIVATIVES \
	"SELECT pg_catalog.pg_advisory_xact_lock(7366510, 0)"

/*
 * Evicts derivatives, least recently used (by order_col) first, until the
 * rest hold at most $1 bytes.
 */
#define SQL_EVICT_DERIVATIVES(order_col) \
	"DELETE FROM media.derivatives d USING" \
	" (SELECT source_sha256, spec, pg_catalog.sum(byte_size)" \
	"         OVER (ORDER BY " order_col " DESC, source_sha256, spec) AS kept" \
	"    FROM media.derivatives) r" \
	" WHERE r.kept OPERATOR(pg_catalog.>) $1::pg_catalog.numeric" \
	"   AND d.source_sha256 OPERATOR(pg_catalog.=) r.source_sha256" \
	"   AND d.spec OPERATOR(pg_catalog.=) r.spec"

#define SQL_INSERT_DERIVATIVE \
	"INSERT INTO media.derivatives (source_sha256, spec, blob_id, mime_type, width, height, byte_size)" \
	" VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING"

#endif
