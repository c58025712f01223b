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

#define SQL_LOOKUP_FILE \
	"SELECT id, blob_id, byte_size, name, mime_type, etag, scan_status, created_at, sha256" \
	"  FROM media.files WHERE id OPERATOR(pg_catalog.=) $1"

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

#define SQL_DELETE_BLOB \
	"DELETE FROM media.blobs WHERE id OPERATOR(pg_catalog.=) $1"

#define SQL_INSERT_FILE \
	"INSERT INTO media.files (blob_id, name, original_name, declared_type, mime_type," \
	"   media_type, byte_size, width, height, duration_ms, sha256, etag, attrs, probe, owner," \
	"   scan_status, is_compressed)" \
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id"

#define SQL_NEW_UPLOAD \
	"INSERT INTO media.uploads (id, blob_id, owner, name, declared_type, attrs, hash_state)" \
	" VALUES ($1, $2, $3, $4, $5, COALESCE($6, '{}'::pg_catalog.jsonb), $7)"

/* The caller's own upload, locked so parts are appended one at a time. */
#define SQL_LOCK_UPLOAD \
	"SELECT blob_id, received, hash_state, name, declared_type, attrs, compress FROM media.uploads" \
	" WHERE id OPERATOR(pg_catalog.=) $1 AND owner OPERATOR(pg_catalog.=) $2 FOR UPDATE"

#define SQL_UPLOAD_STATUS \
	"SELECT received FROM media.uploads" \
	" WHERE id OPERATOR(pg_catalog.=) $1 AND owner OPERATOR(pg_catalog.=) $2"

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

#define SQL_QUOTA_USAGE \
	"SELECT q.max_bytes, q.max_files," \
	"       (SELECT COALESCE(pg_catalog.sum(f.byte_size), 0)::bigint FROM media.files f" \
	"         WHERE f.owner OPERATOR(pg_catalog.=) $1)," \
	"       (SELECT pg_catalog.count(*) FROM media.files f WHERE f.owner OPERATOR(pg_catalog.=) $1)" \
	"  FROM media.quotas q WHERE q.owner OPERATOR(pg_catalog.=) $1"

#define SQL_HAS_QUOTA \
	"SELECT 1 FROM media.quotas WHERE owner OPERATOR(pg_catalog.=) $1"

#define SQL_OPEN_UPLOADS \
	"SELECT pg_catalog.count(*) FROM media.uploads WHERE owner OPERATOR(pg_catalog.=) $1"

#define SQL_FIND_DERIVATIVE \
	"SELECT blob_id, byte_size FROM media.derivatives" \
	" WHERE source_sha256 OPERATOR(pg_catalog.=) $1 AND spec OPERATOR(pg_catalog.=) $2"

#define SQL_INSERT_DERIVATIVE \
	"INSERT INTO media.derivatives (source_sha256, spec, blob_id, mime_type, width, height, byte_size)" \
	" VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING"

#endif
