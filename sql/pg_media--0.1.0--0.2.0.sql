/* pg_media--0.1.0--0.2.0.sql: upgrade from 0.1.0 (ALTER EXTENSION pg_media UPDATE TO '0.2.0') */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "ALTER EXTENSION pg_media UPDATE TO '0.2.0'" to load this file. \quit

/*
 * 0.1.0 made media_files by dynamic SQL, choosing its options by server
 * version; 0.2.0 requires PostgreSQL 15 and creates it plainly.  Setting the
 * options again leaves a view made by 0.1.0 on any server exactly as 0.2.0
 * makes it.
 */
ALTER VIEW @extschema@.media_files SET (security_barrier, security_invoker);

-- Issue 12, items 3, 4 and 5 ------------------------------------------------

/*
 * 3: new blobs get random 63-bit ids, so a file's blob_id no longer tells
 * whether its content was already stored (an older number) or by whom.
 * Existing blobs keep their ids.  Their sha256 keys are plain content
 * hashes, i.e. global dedup scope, which is how 0.1.0 stored them.
 */
ALTER EXTENSION pg_media DROP SEQUENCE @extschema@.blobs_id_seq;   -- leaves pg_dump's config list
ALTER TABLE @extschema@.blobs ALTER COLUMN id DROP IDENTITY;
ALTER TABLE @extschema@.blobs ALTER COLUMN id SET DEFAULT
    (('x' OPERATOR(pg_catalog.||) pg_catalog.encode(
        pg_catalog.sha256(pg_catalog.uuid_send(pg_catalog.gen_random_uuid())), 'hex'))::bit(63))::bigint;
COMMENT ON COLUMN @extschema@.blobs.sha256 IS
  'dedup key: the content''s SHA-256 (shared by every owner), or under media.dedup = owner a SHA-256 of it and the owner';

/* 4: derivatives are evicted least recently used first (media.max_derivatives_size). */
ALTER TABLE @extschema@.derivatives
    ADD COLUMN last_used_at timestamptz NOT NULL DEFAULT pg_catalog.now();
COMMENT ON TABLE @extschema@.derivatives IS
  'pg_media: cached thumbnails and other results derived from a content, keyed by (its blob''s sha256 key, spec)';

/* 5: quotas count uploads in progress. */
COMMENT ON TABLE @extschema@.quotas IS
  'pg_media: per-owner limits checked by put(), upload_append() and upload_finish(); null means no limit';

-- Issue 12, item 10: who may cache a file --------------------------------------------------------
/*
 * media.http() said "Cache-Control: public" for every file, so a shared cache
 * (nginx, a CDN) could hand one owner's file to anyone.  Files now say
 * "private" unless made public.  Files stored under 0.1.0 become private (the
 * column's default): nobody chose to publish them, and a private answer is at
 * worst cached less.  Publish the ones that really are public with
 * media.set_public(id, true) or UPDATE media.files SET is_public = true.
 */
ALTER TABLE @extschema@.files ADD COLUMN is_public boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN @extschema@.files.is_public IS
  'anyone with the URL may see it: media.http() lets shared caches keep it (set with media.set_public())';

CREATE FUNCTION @extschema@.set_public(id bigint, public boolean)
RETURNS boolean LANGUAGE sql VOLATILE STRICT SET search_path = pg_catalog, pg_temp AS $$
    WITH marked AS (
        UPDATE @extschema@.files
           SET is_public = set_public.public
         WHERE files.id OPERATOR(pg_catalog.=) set_public.id
        RETURNING 1)
    SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 FROM marked
$$;
COMMENT ON FUNCTION @extschema@.set_public(bigint, boolean) IS
  'makes a file public (shared caches may keep its HTTP responses) or not; true when the file exists';
REVOKE ALL ON FUNCTION @extschema@.set_public(bigint, boolean) FROM PUBLIC;

-- Issue 12, items 2 and 6: separate owner namespaces ('role' and 'setting')
/*
 * Owner namespaces.  An owner is either a login role (owner_scope 'role')
 * or an application's user named by media.owner (owner_scope 'setting');
 * row-level security, uploads and quotas compare the pair.  0.1.0 kept one
 * namespace, so existing rows are sorted by name: an owner that is the name
 * of an existing role becomes 'role', every other owner 'setting' (README,
 * "Owner namespaces", says how to move a row the rule put in the wrong one).
 */
CREATE FUNCTION @extschema@.owner_scope() RETURNS text
AS 'MODULE_PATHNAME', 'media_owner_scope' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.owner_scope() IS
  'the owner namespace (role or setting) of files this session stores';

ALTER TABLE @extschema@.files ADD COLUMN owner_scope text;
ALTER TABLE @extschema@.files DISABLE TRIGGER files_guard_update;
UPDATE @extschema@.files
   SET owner_scope = CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = owner)
                          THEN 'role' ELSE 'setting' END;
ALTER TABLE @extschema@.files ENABLE TRIGGER files_guard_update;
ALTER TABLE @extschema@.files
    ALTER COLUMN owner_scope SET DEFAULT @extschema@.owner_scope(),
    ALTER COLUMN owner_scope SET NOT NULL,
    ADD CONSTRAINT files_owner_scope_check CHECK (owner_scope IN ('role', 'setting'));

ALTER TABLE @extschema@.uploads ADD COLUMN owner_scope text;
UPDATE @extschema@.uploads
   SET owner_scope = CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = owner)
                          THEN 'role' ELSE 'setting' END;
ALTER TABLE @extschema@.uploads
    ALTER COLUMN owner_scope SET DEFAULT @extschema@.owner_scope(),
    ALTER COLUMN owner_scope SET NOT NULL,
    ADD CONSTRAINT uploads_owner_scope_check CHECK (owner_scope IN ('role', 'setting'));

ALTER TABLE @extschema@.quotas DROP CONSTRAINT quotas_pkey;
ALTER TABLE @extschema@.quotas ADD COLUMN owner_scope text;
UPDATE @extschema@.quotas
   SET owner_scope = CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = owner)
                          THEN 'role' ELSE 'setting' END;
ALTER TABLE @extschema@.quotas
    ALTER COLUMN owner SET NOT NULL,
    ALTER COLUMN owner_scope SET NOT NULL,
    ADD CONSTRAINT quotas_owner_scope_check CHECK (owner_scope IN ('role', 'setting')),
    ADD CONSTRAINT quotas_pkey PRIMARY KEY (owner, owner_scope);
COMMENT ON TABLE @extschema@.quotas IS
  'pg_media: per-owner limits checked by put(), upload_append() and upload_finish(); null means no limit; owner_scope role or setting';

DROP POLICY files_owner_isolation ON @extschema@.files;
DROP FUNCTION @extschema@.visible_owner(text);
CREATE FUNCTION @extschema@.visible_owner(owner text, owner_scope text) RETURNS boolean
AS 'MODULE_PATHNAME', 'media_visible_owner' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.visible_owner(text, text) IS
  'the row-level security test on media.files: may this session see files of this owner in this namespace?';
CREATE POLICY files_owner_isolation ON @extschema@.files
    USING (@extschema@.visible_owner(owner, owner_scope))
    WITH CHECK (@extschema@.visible_owner(owner, owner_scope));

CREATE OR REPLACE FUNCTION @extschema@.files_guard_update() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NEW.blob_id IS DISTINCT FROM OLD.blob_id OR NEW.sha256 IS DISTINCT FROM OLD.sha256
       OR NEW.byte_size IS DISTINCT FROM OLD.byte_size OR NEW.etag IS DISTINCT FROM OLD.etag
       OR NEW.id IS DISTINCT FROM OLD.id OR NEW.owner IS DISTINCT FROM OLD.owner
       OR NEW.owner_scope IS DISTINCT FROM OLD.owner_scope THEN
        RAISE EXCEPTION 'the content of media file % cannot be changed', OLD.id
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Store the new content with media.put() and point your rows at the new id.';
    END IF;
    NEW.updated_at := pg_catalog.now();
    RETURN NEW;
END
$$;

-- Issue 13: the schema media belongs to the extension -------------------------

/*
 * 0.1.0's control file named media as the extension's schema, so CREATE
 * EXTENSION made the schema, outside the extension.  pg_dump then wrote a
 * CREATE SCHEMA media of its own before CREATE EXTENSION IF NOT EXISTS, and
 * a restore into a database that already had pg_media (as the Docker image
 * makes it) failed on it, the whole restore with pg_restore -1.  0.2.0 is
 * labelled with pg_catalog, as plpgsql is, and creates media in its install
 * script, which makes the schema an extension member that pg_dump leaves to
 * CREATE EXTENSION.  PostgreSQL has no command to move a fixed-schema
 * extension, and refuses to ADD its own schema to it, so an updated 0.1.0
 * database gets the same catalog state directly: the extension's namespace,
 * its dependency on that namespace (none on pg_catalog, which is pinned), and
 * the membership of media.  The 005 upgrade test compares the result with a
 * fresh install.
 */
DELETE FROM pg_catalog.pg_depend
 WHERE classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
   AND objid OPERATOR(pg_catalog.=) (SELECT oid FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'pg_media')
   AND refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_namespace'::pg_catalog.regclass
   AND refobjid OPERATOR(pg_catalog.=) '@extschema@'::pg_catalog.regnamespace;
UPDATE pg_catalog.pg_extension SET extnamespace = 'pg_catalog'::pg_catalog.regnamespace
 WHERE extname OPERATOR(pg_catalog.=) 'pg_media';
INSERT INTO pg_catalog.pg_depend (classid, objid, objsubid, refclassid, refobjid, refobjsubid, deptype)
SELECT 'pg_catalog.pg_namespace'::pg_catalog.regclass, '@extschema@'::pg_catalog.regnamespace, 0,
       'pg_catalog.pg_extension'::pg_catalog.regclass, e.oid, 0, 'e'
  FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'pg_media';

-- Issue 13/14: backups and restores (no foreign keys among pg_media's tables) ----

/*
 * pg_restore -j loads the rows of extension tables in parallel, in any
 * order, and the foreign keys CREATE EXTENSION had made refused the files
 * and chunks that arrived before their blobs.  The tables keep no foreign
 * keys among themselves; release_blob (now in C, src/release.c) checks a
 * blob's references as PostgreSQL's key checks do, blob_freed does what ON
 * DELETE CASCADE did and refuses what ON DELETE NO ACTION refused, and
 * check_integrity() lists what a restore or a hand edit broke.
 */
ALTER TABLE media.chunks DROP CONSTRAINT chunks_blob_id_fkey;
ALTER TABLE media.files DROP CONSTRAINT files_blob_id_fkey;
ALTER TABLE media.uploads DROP CONSTRAINT uploads_blob_id_fkey;
ALTER TABLE media.derivatives DROP CONSTRAINT derivatives_blob_id_fkey;

CREATE OR REPLACE FUNCTION media.release_blob() RETURNS trigger
AS 'MODULE_PATHNAME', 'media_release_blob' LANGUAGE C;

DROP TRIGGER blobs_drop_derivatives ON media.blobs;
DROP FUNCTION media.drop_derivatives();
CREATE FUNCTION media.blob_freed() RETURNS trigger
AS 'MODULE_PATHNAME', 'media_blob_freed' LANGUAGE C;
CREATE TRIGGER blobs_freed AFTER DELETE ON media.blobs
    FOR EACH ROW EXECUTE FUNCTION media.blob_freed();

CREATE FUNCTION media.check_integrity(OUT problem text, OUT table_name text, OUT id bigint,
                                      OUT detail text)
RETURNS SETOF record LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    WITH tiles AS (
        SELECT c.blob_id, c.start, c.size,
               COALESCE(sum(c.size::bigint) OVER (PARTITION BY c.blob_id ORDER BY c.start
                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS expected_start
          FROM media.chunks c),
    extent AS (
        SELECT t.blob_id, sum(t.size::bigint) AS total, bool_and(t.start = t.expected_start) AS contiguous
          FROM tiles t GROUP BY t.blob_id),
    found (problem, table_name, id, detail) AS (
        SELECT 'file_without_blob', 'files', f.id, format('blob %s does not exist', f.blob_id)
          FROM media.files f WHERE NOT EXISTS (SELECT 1 FROM media.blobs b WHERE b.id = f.blob_id)
        UNION ALL
        SELECT 'file_size_mismatch', 'files', f.id,
               format('the file has %s bytes, its blob %s %s', f.byte_size, b.id, b.byte_size)
          FROM media.files f JOIN media.blobs b ON b.id = f.blob_id WHERE b.byte_size <> f.byte_size
        UNION ALL
        SELECT 'blob_incomplete', 'blobs', b.id,
               format('%s bytes expected, the chunks hold %s%s', COALESCE(u.received, b.byte_size),
                      COALESCE(e.total, 0), CASE WHEN COALESCE(e.contiguous, true) THEN '' ELSE ' with gaps or overlaps' END)
          FROM media.blobs b
          LEFT JOIN media.uploads u ON u.blob_id = b.id
          LEFT JOIN extent e ON e.blob_id = b.id
         WHERE COALESCE(e.total, 0) <> COALESCE(u.received, b.byte_size) OR NOT COALESCE(e.contiguous, true)
        UNION ALL
        SELECT 'chunk_without_blob', 'chunks', e.blob_id, format('%s bytes in chunks of a blob that does not exist', e.total)
          FROM extent e WHERE NOT EXISTS (SELECT 1 FROM media.blobs b WHERE b.id = e.blob_id)
        UNION ALL
        SELECT 'upload_without_blob', 'uploads', u.id, format('blob %s does not exist', u.blob_id)
          FROM media.uploads u WHERE NOT EXISTS (SELECT 1 FROM media.blobs b WHERE b.id = u.blob_id)
        UNION ALL
        SELECT 'derivative_without_blob', 'derivatives', d.blob_id,
               format('%s of content %s: its blob does not exist', d.spec, encode(d.source_sha256, 'hex'))
          FROM media.derivatives d WHERE NOT EXISTS (SELECT 1 FROM media.blobs b WHERE b.id = d.blob_id)
        UNION ALL
        SELECT 'derivative_without_source', 'derivatives', d.blob_id,
               format('%s of content %s, which is no longer stored', d.spec, encode(d.source_sha256, 'hex'))
          FROM media.derivatives d WHERE NOT EXISTS (SELECT 1 FROM media.blobs b WHERE b.sha256 = d.source_sha256)
        UNION ALL
        SELECT 'unreferenced_blob', 'blobs', b.id, format('%s bytes that no file, derivative or upload uses', b.byte_size)
          FROM media.blobs b
         WHERE NOT EXISTS (SELECT 1 FROM media.files f WHERE f.blob_id = b.id)
           AND NOT EXISTS (SELECT 1 FROM media.derivatives d WHERE d.blob_id = b.id)
           AND NOT EXISTS (SELECT 1 FROM media.uploads u WHERE u.blob_id = b.id))
    SELECT * FROM found ORDER BY table_name, id, problem
$$;
COMMENT ON FUNCTION media.check_integrity() IS
  'one row per problem in pg_media''s storage (none when sound): run it after a restore';
REVOKE ALL ON FUNCTION media.check_integrity() FROM PUBLIC;

-- Issue 13: the restore drill's manifest ------------------------------------

/* Every file the caller can see, for pg_media export --manifest-only and verify --manifest. */
CREATE FUNCTION media.manifest(OUT id bigint, OUT sha256 text, OUT byte_size bigint,
                               OUT name text, OUT owner text, OUT owner_scope text,
                               OUT created_at timestamptz)
RETURNS SETOF record LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT f.id, pg_catalog.encode(f.sha256, 'hex'), f.byte_size, f.name, f.owner,
           f.owner_scope, f.created_at
      FROM media.files f
     ORDER BY f.id
$$;
COMMENT ON FUNCTION media.manifest() IS
  'every file the caller can see, in id order: id, SHA-256 (hex), size, name, owner; what pg_media verify --manifest compares';

-- Issue 13: media.http() for a variant (a thumbnail) of a file ---------------

/*
 * A fifth argument, variant, turns media.http()'s answer into one about a
 * thumbnail of the file, so an application's thumbnail route is one query.
 * VOLATILE, unlike the file's forms: it may add the thumbnail to the cache.
 */
CREATE FUNCTION media.http(id bigint, range text, if_none_match text, method text, variant text,
                           OUT status integer, OUT headers jsonb, OUT body bytea)
RETURNS record AS 'MODULE_PATHNAME', 'media_http' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION media.http(bigint, text, text, text, text) IS
  'media.http() for a variant of the file, e.g. ''w=256,h=256,format=jpeg'' (a thumbnail of a box in media.thumbnail_sizes, cached); NULL: the file itself';

-- Issue 14: the transform spec -------------------------------------------------

CREATE FUNCTION media.transform(id bigint, width integer, height integer,
                                resize text DEFAULT 'contain', format text DEFAULT 'auto',
                                quality integer DEFAULT NULL, gravity text DEFAULT 'centre',
                                accept text DEFAULT NULL)
RETURNS bytea AS 'MODULE_PATHNAME', 'media_transform_file' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION media.transform(bigint, integer, integer, text, text, integer, text, text) IS
  'a derived image of a stored image: contain, cover (cropped by gravity) or fill the box, in a format chosen for accept; cached under the spec''s canonical text';

CREATE FUNCTION media.transform(content bytea, width integer, height integer,
                                resize text DEFAULT 'contain', format text DEFAULT 'auto',
                                quality integer DEFAULT NULL, gravity text DEFAULT 'centre',
                                accept text DEFAULT NULL)
RETURNS bytea AS 'MODULE_PATHNAME', 'media_transform_bytes' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION media.transform(bytea, integer, integer, text, text, integer, text, text) IS
  'a derived image of image bytes: orientation applied, never enlarged; resize contain, cover or fill; format auto, jpeg, png, webp, webp-lossless or avif';

CREATE FUNCTION media.transform_spec(spec text, accept text DEFAULT NULL)
RETURNS text AS 'MODULE_PATHNAME', 'media_transform_spec' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION media.transform_spec(text, text) IS
  'the canonical text of a transform spec such as ''w=256,h=256,resize=cover'' (the derivative cache key)';

COMMENT ON FUNCTION media.thumbnail(bigint, integer, integer, text) IS
  'media.transform(id, width, height, format => format): fits the box, cached for the next call';
COMMENT ON FUNCTION media.thumbnail(bytea, integer, integer, text) IS
  'media.transform(content, width, height, format => format): fits the box, orientation applied, aspect kept, never enlarged';

-- 0.1.0 cached thumbnails under 'thumbnail WxH jpeg qN' and 'thumbnail WxH png';
-- the key is now the spec's canonical text, and media.thumbnail() makes the same
-- bytes under it, so the cached ones are renamed (kept warm).  One that the new
-- key already names (made by this library before the update) is dropped.
WITH renamed AS (
    SELECT source_sha256, spec AS old_spec,
           pg_catalog.regexp_replace(pg_catalog.regexp_replace(spec,
               '^thumbnail (\d+)x(\d+) png$', 'w=\1,h=\2,resize=contain,format=png'),
               '^thumbnail (\d+)x(\d+) jpeg q(\d+)$', 'w=\1,h=\2,resize=contain,format=jpeg,q=\3') AS new_spec
      FROM media.derivatives
     WHERE spec OPERATOR(pg_catalog.~) '^thumbnail \d+x\d+ (jpeg q\d+|png)$')
UPDATE media.derivatives d SET spec = r.new_spec
  FROM renamed r
 WHERE d.source_sha256 OPERATOR(pg_catalog.=) r.source_sha256 AND d.spec OPERATOR(pg_catalog.=) r.old_spec
   AND NOT EXISTS (SELECT 1 FROM media.derivatives n
                    WHERE n.source_sha256 OPERATOR(pg_catalog.=) r.source_sha256
                      AND n.spec OPERATOR(pg_catalog.=) r.new_spec);
DELETE FROM media.derivatives WHERE spec OPERATOR(pg_catalog.~~) 'thumbnail %';

-- Issue 14: placeholders ------------------------------------------------------

/*
 * Images get a placeholder at ingest: a ThumbHash (base64) and the dominant
 * colour.  Files stored before keep null until media.refresh_placeholders()
 * fills them in (README, "Placeholders").
 */
ALTER TABLE media.files
    ADD COLUMN placeholder text CONSTRAINT files_placeholder_check
        CHECK (octet_length(placeholder) BETWEEN 8 AND 36 AND placeholder ~ '^[A-Za-z0-9+/]+={0,2}$'),
    ADD COLUMN dominant_color text CONSTRAINT files_dominant_color_check
        CHECK (dominant_color ~ '^#[0-9a-f]{6}$');
COMMENT ON COLUMN media.files.placeholder IS
  'an image''s ThumbHash (base64), made at ingest: a page paints it (media.placeholder_url()) before the image arrives; null when none';
COMMENT ON COLUMN media.files.dominant_color IS
  'an image''s dominant colour, ''#rrggbb'', made at ingest with the placeholder; null when none';

CREATE FUNCTION media.placeholder_url(hash text)
RETURNS text AS 'MODULE_PATHNAME', 'media_placeholder_url' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION media.placeholder_url(text) IS
  'a ThumbHash placeholder (base64, as in media.files.placeholder) as a PNG data URL: ''data:image/png;base64,...''';

CREATE FUNCTION media.placeholder_url(id bigint)
RETURNS text AS 'MODULE_PATHNAME', 'media_placeholder_url_file' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION media.placeholder_url(bigint) IS
  'the placeholder of a file as a PNG data URL; null when the file has none';

CREATE FUNCTION media.refresh_placeholders(max_files integer DEFAULT 1000, after_id bigint DEFAULT 0)
RETURNS bigint AS 'MODULE_PATHNAME', 'media_refresh_placeholders' LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION media.refresh_placeholders(integer, bigint) IS
  'gives placeholders to up to max_files images after after_id stored without one; returns the last id looked at (pass it as after_id next), null when done';
REVOKE ALL ON FUNCTION media.refresh_placeholders(integer, bigint) FROM PUBLIC;

-- Issue 15: signed URLs
CREATE FUNCTION media.sign_url(id bigint, expires_in interval, variant text DEFAULT NULL,
                               owner text DEFAULT NULL)
RETURNS text AS 'MODULE_PATHNAME', 'media_sign_url' LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION media.sign_url(bigint, interval, text, text) IS
  'a signed /media/{id}[/{variant}] path and query that pg_media serve answers until it expires, as media.owner = owner (keys: media.url_signing_keys)';
REVOKE ALL ON FUNCTION media.sign_url(bigint, interval, text, text) FROM PUBLIC;

-- Issue 15: signed upload tokens for the tus routes of pg_media serve
CREATE FUNCTION media.sign_upload(expires_in interval, owner text, max_bytes bigint DEFAULT NULL)
RETURNS text AS 'MODULE_PATHNAME', 'media_sign_upload' LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION media.sign_upload(interval, text, bigint) IS
  'a token for pg_media serve''s tus uploads (/uploads/, sent as Authorization: Bearer): uploads as media.owner = owner, of at most max_bytes, until it expires (keys: media.url_signing_keys)';
REVOKE ALL ON FUNCTION media.sign_upload(interval, text, bigint) FROM PUBLIC;

-- Issue 15: serve's content-addressed cache (one lookup per request)
/*
 * pg_media serve's per-request question (issue 15, "Speed"): the answer of
 * media.http(id, range, if_none_match, 'HEAD') with its headers as
 * "Key: Value" lines, plus the key of the file's content (blob_id and the
 * content's SHA-256, both immutable for a file id) for serve's
 * content-addressed cache, and the whole content when it is at most body_max
 * bytes (so a cache miss fills in the same round trip).  Run as the caller:
 * the file row is the one media.http() saw, under the same privileges and
 * row-level security, so a removed or hidden file is a 404 here as there.
 * One SELECT in LANGUAGE sql, so the planner inlines it and a prepared
 * statement keeps its plan (a set-returning function, so that it can be
 * inlined; it returns one row).
 */
CREATE FUNCTION media.serve_lookup(id bigint, range text, if_none_match text, body_max integer DEFAULT 0,
                                   OUT status integer, OUT headers text, OUT blob_id bigint,
                                   OUT sha256 bytea, OUT byte_size bigint, OUT body bytea)
RETURNS SETOF record LANGUAGE sql STABLE PARALLEL SAFE ROWS 1
AS $$
SELECT h.status,
       (SELECT pg_catalog.string_agg(e.key OPERATOR(pg_catalog.||) ': ' OPERATOR(pg_catalog.||) e.value, E'\n')
          FROM pg_catalog.jsonb_each_text(h.headers) e),
       f.blob_id, f.sha256, f.byte_size,
       CASE WHEN f.byte_size OPERATOR(pg_catalog.>) 0 AND f.byte_size OPERATOR(pg_catalog.<=) $4
            THEN media.read($1, 0, f.byte_size::integer) END
  FROM media.http($1, $2, $3, 'HEAD') h
  LEFT JOIN media.files f
    ON f.id OPERATOR(pg_catalog.=) $1 AND h.status OPERATOR(pg_catalog.=) ANY ('{200,206}'::integer[])
$$;
COMMENT ON FUNCTION media.serve_lookup(bigint, text, text, integer) IS
  'pg_media serve''s one statement per request: media.http()''s status and headers (as lines), the content''s cache key (blob_id, sha256), its size, and the content itself when at most body_max bytes';

-- Issue 16: shards
/*
 * Shards (issue 16): a database that is one shard of a PL/Proxy router
 * (sql/router/) gives file ids and upload ids that carry its number in bits
 * 52..62, so the router sends a call for an id to its shard without looking
 * it up.  configure_shard() makes this database shard number `shard`: its
 * files' identity sequence runs from shard << 52 (from 1 for shard 0, so an
 * existing database becomes shard 0 with its ids unchanged) to the next
 * shard's first id; media.shard() reads the number back from the sequence.
 * Run it again after restoring a shard from a dump (pg_dump keeps the
 * sequence's position, not its bounds).
 */
CREATE FUNCTION media.shard()
RETURNS integer AS 'MODULE_PATHNAME', 'media_shard' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION media.shard() IS
  'this database''s shard number (0 unless media.configure_shard() said otherwise): the bits of its ids above bit 52';

CREATE FUNCTION media.configure_shard(shard integer)
RETURNS bigint LANGUAGE plpgsql VOLATILE STRICT SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    first_id bigint;
    last_id  bigint;
    next_id  bigint;
    sequence text := pg_get_serial_sequence('media.files', 'id');
    position bigint;
BEGIN
    IF shard NOT BETWEEN 0 AND 2046 THEN
        RAISE EXCEPTION 'shard number % is out of range', shard
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Shards are numbered from 0 to 2046.';
    END IF;
    -- the shift is MEDIA_SHARD_SHIFT of src/shard.c
    first_id := greatest(shard::bigint << 52, 1);
    last_id := ((shard::bigint + 1) << 52) - 1;
    SELECT coalesce(max(f.id) + 1, first_id) INTO next_id
      FROM media.files f WHERE f.id BETWEEN first_id AND last_id;
    -- nor below an id the sequence gave already (a file removed or moved to another shard since,
    -- whose id the router may still send here or to where it went; pg_dump keeps the position)
    EXECUTE format('SELECT last_value + is_called::integer FROM %s', sequence) INTO position;
    IF position BETWEEN first_id AND last_id + 1 THEN
        next_id := greatest(next_id, position);
    END IF;
    EXECUTE format('ALTER SEQUENCE %s MINVALUE %s MAXVALUE %s START WITH %s RESTART WITH %s',
                   sequence, first_id, last_id, next_id, next_id);
    RETURN next_id;
END
$$;
COMMENT ON FUNCTION media.configure_shard(integer) IS
  'makes this database shard number shard (0 to 2046) of a PL/Proxy router: new file and upload ids carry the number; returns the next file id';
REVOKE ALL ON FUNCTION media.configure_shard(integer) FROM PUBLIC;
