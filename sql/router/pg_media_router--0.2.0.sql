/* pg_media_router--0.2.0.sql: the router database of pg_media shards (issue 16) */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION pg_media_router CASCADE" to load this file. \quit

/*
 * Sharding by owner with PL/Proxy
 * -------------------------------
 * The router is a database without pg_media.  Its schema media has the
 * functions pg_media serve and the pg_media tool call, with pg_media's names
 * and signatures; each runs the same pg_media function on one shard, a
 * database with pg_media (docs/scale-out.md, "Sharding by owner"):
 *
 *   calls that create (put, put_base64, upload_begin) and the owner's lists
 *     (media.files, manifest, verify()) go to the owner's shard:
 *     media_router.owners when the owner was moved, else hashtext(owner)
 *     modulo the number of shards;
 *   calls by file id go to the shard the id names (id >> 52: each shard's
 *     ids carry its number, media.configure_shard()), or to the one
 *     media_router.moved_files gives for a file pg_media move-owner moved;
 *   calls by upload id go to the shard the id names (upload ids carry it
 *     too, and a move waits for an owner's uploads to end).
 *
 * The owner is the router session's media.owner (an application sets it
 * per transaction, as on one database); PL/Proxy opens its own connections
 * to the shards, which do not carry settings, so each proxy function takes
 * the owner as its first argument and the query it sends sets media.owner
 * on the shard (set_config(.., true): for that call only) before pg_media's
 * function runs, inside that function's first argument so that it is
 * evaluated first.  The shards see one role, the user of the user mapping
 * media_router.configure() creates, with media.isolation = 'setting': like
 * an application's role on one database, it may name any owner, so only
 * roles trusted to choose the owner get EXECUTE on the writing functions
 * here, as on pg_media.  Files stored through the router are in the
 * 'setting' namespace.
 *
 * Each call through the router is its own transaction on the shard
 * (PL/Proxy sends it in autocommit): a put() made inside a router
 * transaction that then rolls back stays stored on the shard.
 */

CREATE SCHEMA media;
CREATE SCHEMA media_router;
REVOKE ALL ON SCHEMA media_router FROM PUBLIC;

-- Routing tables -------------------------------------------------------------

CREATE TABLE media_router.shards (
    shard    integer PRIMARY KEY CHECK (shard BETWEEN 0 AND 2046),
    connstr  text NOT NULL
);
COMMENT ON TABLE media_router.shards IS
  'the shards, numbered from 0 with no gap; media_router.configure() writes it and the PL/Proxy cluster pg_media_shards';

CREATE TABLE media_router.owners (
    owner      text PRIMARY KEY,
    shard      integer NOT NULL,
    moving_to  integer
);
COMMENT ON TABLE media_router.owners IS
  'owners not on the shard their hash gives (moved by pg_media move-owner); moving_to: a move is under way, their writes wait';

CREATE TABLE media_router.moved_files (
    id     bigint PRIMARY KEY,
    shard  integer NOT NULL
);
COMMENT ON TABLE media_router.moved_files IS
  'files kept under their id on a shard the id does not name (moved by pg_media move-owner)';

SELECT pg_catalog.pg_extension_config_dump('media_router.shards', '');
SELECT pg_catalog.pg_extension_config_dump('media_router.owners', '');
SELECT pg_catalog.pg_extension_config_dump('media_router.moved_files', '');

/*
 * Makes the listed databases the shards 0, 1, ... (each must have run
 * media.configure_shard(n) with its position): the PL/Proxy cluster
 * pg_media_shards (modular_mapping, so any number of shards) and the user
 * mapping its connections use (user, and password when given; .pgpass
 * works too).  Run it again to change a connection string; a different
 * number of shards moves every owner not in media_router.owners to another
 * shard, so it is refused while files are routed by hash unless
 * keep_owners names them all (README: move or pin them first).
 */
CREATE FUNCTION media_router.configure(connstrs text[], shard_user text DEFAULT 'media_router',
                                       shard_password text DEFAULT NULL)
RETURNS integer LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    options text := 'modular_mapping ''1''';
    old_count integer := (SELECT count(*) FROM media_router.shards);
    n integer := coalesce(array_length(connstrs, 1), 0);
BEGIN
    IF n = 0 OR n > 2047 THEN
        RAISE EXCEPTION 'a router needs from 1 to 2047 shards, not %', n
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF old_count > 0 AND old_count <> n THEN
        RAISE EXCEPTION 'the router has % shards; a different number would send owners to other shards', old_count
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Add shards by moving owners to them (pg_media move-owner), after pinning every owner in media_router.owners.';
    END IF;
    DELETE FROM media_router.shards;
    FOR i IN 1 .. n LOOP
        INSERT INTO media_router.shards VALUES (i - 1, connstrs[i]);
        options := options || format(', p%s %L', i - 1, connstrs[i]);
    END LOOP;
    DROP SERVER IF EXISTS pg_media_shards CASCADE;
    EXECUTE format('CREATE SERVER pg_media_shards FOREIGN DATA WRAPPER plproxy OPTIONS (%s)', options);
    EXECUTE format('CREATE USER MAPPING FOR PUBLIC SERVER pg_media_shards OPTIONS (user %L%s)', shard_user,
                   CASE WHEN shard_password IS NULL THEN '' ELSE format(', password %L', shard_password) END);
    RETURN n;
END
$$;
COMMENT ON FUNCTION media_router.configure(text[], text, text) IS
  'makes the databases of connstrs shards 0, 1, ...: the PL/Proxy cluster pg_media_shards and its user mapping';

-- Routing --------------------------------------------------------------------

/* The shard of an owner's files: its row in media_router.owners, else its hash. */
CREATE FUNCTION media_router.owner_shard(owner text)
RETURNS integer LANGUAGE sql STABLE STRICT SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce((SELECT o.shard FROM media_router.owners o WHERE o.owner = owner_shard.owner),
                    ((hashtext(owner_shard.owner) & 2147483647)
                     % nullif((SELECT count(*) FROM media_router.shards), 0))::integer)
$$;

/* The shard of a file: the one its id names (id >> 52), unless it was moved. */
CREATE FUNCTION media_router.file_shard(id bigint)
RETURNS integer LANGUAGE sql STABLE STRICT SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce((SELECT m.shard FROM media_router.moved_files m WHERE m.id = file_shard.id),
                    (file_shard.id >> 52)::integer)
$$;

/* The shard of an upload: the one its id names. */
CREATE FUNCTION media_router.upload_shard(id bigint)
RETURNS integer LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT (id >> 52)::integer
$$;

/*
 * The media.isolation an administrator gave the session's login role in
 * this database (ALTER ROLE / ALTER DATABASE ... SET; the most specific
 * wins, as at login).  Not current_setting(): the router has no pg_media,
 * so there media.isolation is a placeholder that any client's SET or -c
 * changes.
 */
CREATE FUNCTION media_router.configured_isolation()
RETURNS text LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT substr(c, length('media.isolation=') + 1)
      FROM pg_db_role_setting s CROSS JOIN LATERAL unnest(s.setconfig) c
     WHERE s.setrole IN (0, (SELECT r.oid FROM pg_roles r WHERE r.rolname = session_user))
       AND s.setdatabase IN (0, (SELECT d.oid FROM pg_database d WHERE d.datname = current_database()))
       AND c LIKE 'media.isolation=%'
     ORDER BY s.setrole <> 0 DESC, s.setdatabase <> 0 DESC
     LIMIT 1
$$;

/*
 * The owner of this router session: media.owner, which must be set (the
 * router knows no other owner).  42501, as pg_media under
 * media.isolation = 'setting'.  Refused (42501) for a login role an
 * administrator put under media.isolation = 'role': the router keeps owners
 * apart by media.owner only, which every role may set, so it cannot give
 * that role the isolation it has on one database.
 */
CREATE FUNCTION media_router.session_owner()
RETURNS text LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    owner text := nullif(current_setting('media.owner', true), '');
BEGIN
    IF media_router.configured_isolation() = 'role' THEN
        RAISE EXCEPTION 'the pg_media router cannot keep the files of role "%" apart: its media.isolation is ''role''', session_user
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'The router knows an owner only by media.owner (''setting'' isolation), which every role may set.',
                  HINT = 'Reach the router through an application role trusted to name owners, or signed URLs (pg_media serve).';
    END IF;
    IF owner IS NULL THEN
        RAISE EXCEPTION 'media.owner is not set'
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'The pg_media router sends each call to the shard of the owner named by media.owner.',
                  HINT = 'Run SET LOCAL media.owner = ''<user id>'' at the start of each transaction.';
    END IF;
    RETURN owner;
END
$$;

/*
 * The session's owner, for a call that writes: refused with 55006 (object
 * in use; try again) while pg_media move-owner moves that owner, so no file
 * is added or removed behind the copy.  Refused (0A000) outside read
 * committed: a REPEATABLE READ or SERIALIZABLE snapshot can predate a move,
 * and would send the write to the owner's old shard.
 */
CREATE FUNCTION media_router.writing_owner()
RETURNS text LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    who text := media_router.session_owner();
    target integer;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'the pg_media router writes only in read committed transactions, not in %',
                        current_setting('transaction_isolation')
            USING ERRCODE = 'feature_not_supported',
                  DETAIL = 'The owner''s shard is read in the transaction''s snapshot, which can be older than a move of the owner (pg_media move-owner).',
                  HINT = 'Write through the router in read committed (the default); each call is its own transaction on the shard anyway.';
    END IF;
    -- held to the end of the transaction: media_router.move_begin() waits for the writes under way
    PERFORM pg_advisory_xact_lock_shared(hashtext('pg_media move-owner ' || who));
    target := (SELECT o.moving_to FROM media_router.owners o WHERE o.owner = who);
    IF target IS NOT NULL THEN
        RAISE EXCEPTION 'owner "%" is being moved to shard %', who, target
            USING ERRCODE = 'object_in_use',
                  DETAIL = 'pg_media move-owner is copying this owner''s files; they can be read but not changed meanwhile.',
                  HINT = 'Try again when the move has finished.';
    END IF;
    RETURN who;
END
$$;

-- Moving an owner (pg_media move-owner, cli/move_owner.c) -------------------

/*
 * Step 1 of a move: the owner's writes through the router stop (55006)
 * until move_finish() or move_cancel(); the writes already under way are
 * waited for (the advisory lock writing_owner() holds while it writes).
 * Returns the shard the owner's files are on now.  Running it again for the
 * same target (a move restarted) is allowed; for another target it is not.
 */
CREATE FUNCTION media_router.move_begin(owner text, target integer)
RETURNS integer LANGUAGE plpgsql VOLATILE STRICT SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    current integer := media_router.owner_shard(owner);
    pending integer := (SELECT o.moving_to FROM media_router.owners o WHERE o.owner = move_begin.owner);
BEGIN
    IF NOT EXISTS (SELECT 1 FROM media_router.shards s WHERE s.shard = target) THEN
        RAISE EXCEPTION 'shard % does not exist', target
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'The shards are listed in media_router.shards.';
    END IF;
    IF pending IS NOT NULL AND pending <> target THEN
        RAISE EXCEPTION 'owner "%" is already being moved to shard %', owner, pending
            USING ERRCODE = 'object_in_use',
                  HINT = 'Finish that move (run pg_media move-owner again with its --to), or cancel it with media_router.move_cancel().';
    END IF;
    INSERT INTO media_router.owners AS o (owner, shard, moving_to) VALUES (owner, current, target)
        ON CONFLICT ON CONSTRAINT owners_pkey DO UPDATE SET moving_to = target;
    PERFORM pg_advisory_xact_lock(hashtext('pg_media move-owner ' || owner));
    RETURN current;
END
$$;
COMMENT ON FUNCTION media_router.move_begin(text, integer) IS
  'pg_media move-owner, step 1: stops the owner''s writes through the router; returns its shard';

/*
 * The switch of a move, once every file (ids) is on the target and
 * verified there: the ids route to the target (media_router.moved_files,
 * unless they name it), so does the owner, and its writes resume.
 * Restartable: running it again changes nothing.
 */
CREATE FUNCTION media_router.move_finish(owner text, target integer, ids bigint[])
RETURNS bigint LANGUAGE plpgsql VOLATILE STRICT SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    hashed integer := ((hashtext(owner) & 2147483647) % (SELECT count(*) FROM media_router.shards))::integer;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM media_router.owners o
                    WHERE o.owner = move_finish.owner AND o.moving_to = target) THEN
        RAISE EXCEPTION 'owner "%" is not being moved to shard %', owner, target
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'pg_media move-owner begins a move with media_router.move_begin().';
    END IF;
    INSERT INTO media_router.moved_files AS m (id, shard)
        SELECT i, target FROM unnest(ids) i WHERE i >> 52 <> target
        ON CONFLICT ON CONSTRAINT moved_files_pkey DO UPDATE SET shard = target;
    DELETE FROM media_router.moved_files m WHERE m.id = ANY (ids) AND m.id >> 52 = target;
    IF hashed = target THEN
        DELETE FROM media_router.owners o WHERE o.owner = move_finish.owner;
    ELSE
        UPDATE media_router.owners o SET shard = target, moving_to = NULL WHERE o.owner = move_finish.owner;
    END IF;
    RETURN coalesce(array_length(ids, 1), 0);
END
$$;
COMMENT ON FUNCTION media_router.move_finish(text, integer, bigint[]) IS
  'pg_media move-owner, the switch: the moved files and the owner route to the target; writes resume';

/* Ends a move that will not be finished: the owner stays where it is and may write again. */
CREATE FUNCTION media_router.move_cancel(owner text)
RETURNS boolean LANGUAGE sql VOLATILE STRICT SET search_path = pg_catalog, pg_temp AS $$
    WITH done AS (
        UPDATE media_router.owners o SET moving_to = NULL
         WHERE o.owner = move_cancel.owner AND o.moving_to IS NOT NULL RETURNING 1)
    SELECT count(*) > 0 FROM done
$$;
COMMENT ON FUNCTION media_router.move_cancel(text) IS
  'gives up a move that pg_media move-owner began: the owner''s writes resume on its shard (files copied to the target stay there unused until deleted)';

-- Proxy functions: one per pg_media function, the owner first ---------------

/*
 * Creates the pair for pg_media's function media.<name>(<args>) (as
 * pg_media declares them: defaults, OUT parameters): the PL/Proxy function
 * media_router.<name>(as_owner, <args>), routed by route and sending
 * SELECT * FROM media.<name>(...) with media.owner set on the shard while
 * its first argument is evaluated (so before the function runs); and the
 * router's media.<name>(<args>), which calls it with the session's owner
 * (owner_function: session_owner, or writing_owner for calls that write).
 * A function that writes (for_writers) is revoked from PUBLIC, as on
 * pg_media: grant it to the roles trusted to name the owner.  Used by this
 * script only, then dropped.
 */
CREATE FUNCTION media_router.create_route(name text, args text, returns text, route text,
                                          owner_function text, strict boolean, for_writers boolean)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    plain_args text := regexp_replace(args, '\s+DEFAULT\s+[^,]+', '', 'g');
    names text[] := ARRAY(SELECT split_part(btrim(a), ' ', 1)
                            FROM unnest(string_to_array(plain_args, ',')) a
                           WHERE btrim(a) !~ '^OUT ');
    owned text := format('CASE WHEN pg_catalog.set_config(''media.owner'', as_owner, true) IS NULL'
                         ' THEN NULL ELSE %s END', names[1]);
BEGIN
    EXECUTE format('CREATE FUNCTION media_router.%I(as_owner text, %s) RETURNS %s LANGUAGE plproxy AS %L',
                   name, plain_args, returns,
                   format(E'\n    CLUSTER ''pg_media_shards'';\n    RUN ON media_router.%s;\n    SELECT * FROM media.%I(%s);\n',
                          route, name,
                          array_to_string(owned || names[2:], ', ')));
    EXECUTE format('CREATE FUNCTION media.%I(%s) RETURNS %s LANGUAGE sql VOLATILE %s SECURITY DEFINER'
                   ' SET search_path = pg_catalog, pg_temp AS %L',
                   name, args, returns, CASE WHEN strict THEN 'STRICT' ELSE '' END,
                   format('SELECT * FROM media_router.%I(media_router.%I(), %s)', name, owner_function,
                          array_to_string(names, ', ')));
    IF for_writers THEN
        EXECUTE format('REVOKE ALL ON FUNCTION media.%I(%s) FROM PUBLIC', name, plain_args);
    END IF;
END
$$;

-- Ingest
SELECT media_router.create_route('put', 'content bytea, name text DEFAULT NULL, declared_type text DEFAULT NULL, attrs jsonb DEFAULT ''{}''',
                                 'bigint', 'owner_shard(as_owner)', 'writing_owner', false, true);
SELECT media_router.create_route('put_base64', 'content text, name text DEFAULT NULL, declared_type text DEFAULT NULL, attrs jsonb DEFAULT ''{}''',
                                 'bigint', 'owner_shard(as_owner)', 'writing_owner', false, true);
SELECT media_router.create_route('upload_begin', 'name text DEFAULT NULL, declared_type text DEFAULT NULL, attrs jsonb DEFAULT ''{}''',
                                 'bigint', 'owner_shard(as_owner)', 'writing_owner', false, true);
SELECT media_router.create_route('upload_append', 'upload bigint, part bytea', 'bigint', 'upload_shard(upload)', 'session_owner', true, true);
SELECT media_router.create_route('upload_status', 'upload bigint', 'bigint', 'upload_shard(upload)', 'session_owner', true, false);
SELECT media_router.create_route('upload_finish', 'upload bigint', 'bigint', 'upload_shard(upload)', 'session_owner', true, true);
SELECT media_router.create_route('upload_abort', 'upload bigint', 'void', 'upload_shard(upload)', 'session_owner', true, true);
-- Reading
SELECT media_router.create_route('get', 'id bigint', 'bytea', 'file_shard(id)', 'session_owner', true, false);
SELECT media_router.create_route('read', 'id bigint, start bigint, length integer', 'bytea', 'file_shard(id)', 'session_owner', true, false);
SELECT media_router.create_route('parts', 'id bigint, OUT start bigint, OUT data bytea', 'SETOF record',
                                 'file_shard(id)', 'session_owner', true, false);
SELECT media_router.create_route('http', 'id bigint, range text, if_none_match text, method text, variant text, '
                                         'OUT status integer, OUT headers jsonb, OUT body bytea',
                                 'record', 'file_shard(id)', 'session_owner', false, false);
-- pg_media serve's one statement per GET/HEAD /media/{id} (its content cache's lookup)
SELECT media_router.create_route('serve_lookup', 'id bigint, range text, if_none_match text, body_max integer DEFAULT 0, '
                                                 'OUT status integer, OUT headers text, OUT blob_id bigint, '
                                                 'OUT sha256 bytea, OUT byte_size bigint, OUT body bytea',
                                 'SETOF record', 'file_shard(id)', 'session_owner', false, false);
-- Transforms
SELECT media_router.create_route('thumbnail', 'id bigint, width integer, height integer, format text DEFAULT ''jpeg''',
                                 'bytea', 'file_shard(id)', 'session_owner', true, false);
SELECT media_router.create_route('transform', 'id bigint, width integer, height integer, resize text DEFAULT ''contain'', '
                                              'format text DEFAULT ''auto'', quality integer DEFAULT NULL, '
                                              'gravity text DEFAULT ''centre'', accept text DEFAULT NULL',
                                 'bytea', 'file_shard(id)', 'session_owner', false, false);
SELECT media_router.create_route('placeholder_url', 'id bigint', 'text', 'file_shard(id)', 'session_owner', true, false);
SELECT media_router.create_route('probe_file', 'id bigint', 'jsonb', 'file_shard(id)', 'session_owner', true, false);
-- Maintenance
SELECT media_router.create_route('remove', 'id bigint', 'boolean', 'file_shard(id)', 'writing_owner', true, true);
SELECT media_router.create_route('set_public', 'id bigint, public boolean', 'boolean', 'file_shard(id)', 'writing_owner', true, true);
DROP FUNCTION media_router.create_route(text, text, text, text, text, boolean, boolean);

-- The calls whose shape differs: verify (one file, or the owner's), sign_url (the URL's owner),
-- and the owner's lists, which filter by owner on the shard.

CREATE FUNCTION media_router.verify_file(as_owner text, id bigint, OUT id bigint, OUT ok boolean)
RETURNS SETOF record LANGUAGE plproxy AS $$
    CLUSTER 'pg_media_shards';
    RUN ON media_router.file_shard(id);
    SELECT v.id, v.ok
      FROM media.verify(CASE WHEN pg_catalog.set_config('media.owner', as_owner, true) IS NULL THEN NULL ELSE id END) v;
$$;

CREATE FUNCTION media_router.verify_owner(as_owner text, OUT id bigint, OUT ok boolean)
RETURNS SETOF record LANGUAGE plproxy AS $$
    CLUSTER 'pg_media_shards';
    RUN ON media_router.owner_shard(as_owner);
    SELECT v.id, v.ok
      FROM media.verify(CASE WHEN pg_catalog.set_config('media.owner', as_owner, true) IS NULL THEN NULL ELSE NULL::bigint END) v;
$$;

CREATE FUNCTION media_router.sign_url(as_owner text, id bigint, expires_in interval, variant text, url_owner text)
RETURNS text LANGUAGE plproxy AS $$
    CLUSTER 'pg_media_shards';
    RUN ON media_router.file_shard(id);
    SELECT media.sign_url(CASE WHEN pg_catalog.set_config('media.owner', as_owner, true) IS NULL THEN NULL ELSE id END,
                          expires_in, variant, url_owner) AS sign_url;
$$;

CREATE FUNCTION media_router.manifest(as_owner text, OUT id bigint, OUT sha256 text, OUT byte_size bigint,
                                      OUT name text, OUT owner text, OUT owner_scope text,
                                      OUT created_at timestamptz)
RETURNS SETOF record LANGUAGE plproxy AS $$
    CLUSTER 'pg_media_shards';
    RUN ON media_router.owner_shard(as_owner);
    SELECT m.id, m.sha256, m.byte_size, m.name, m.owner, m.owner_scope, m.created_at
      FROM (SELECT pg_catalog.set_config('media.owner', as_owner, true) AS o OFFSET 0) s
     CROSS JOIN LATERAL (SELECT x.* FROM media.manifest() x WHERE x.owner = s.o OFFSET 0) m;
$$;

/*
 * A row of media.files as pg_media 0.2.0 has it: what the router's
 * media.files view shows (the owner's files, from its shard).
 */
CREATE TYPE media_router.file AS (
    id bigint, blob_id bigint, name text, original_name text, declared_type text, mime_type text,
    media_type text, byte_size bigint, width integer, height integer, duration_ms bigint, sha256 bytea,
    etag text, is_compressed boolean, attrs jsonb, probe jsonb, owner text, scan_status text,
    scan_detail text, scanned_at timestamptz, created_at timestamptz, updated_at timestamptz,
    is_public boolean, owner_scope text, placeholder text, dominant_color text);

CREATE FUNCTION media_router.files(as_owner text)
RETURNS SETOF media_router.file LANGUAGE plproxy AS $$
    CLUSTER 'pg_media_shards';
    RUN ON media_router.owner_shard(as_owner);
    SELECT f.id, f.blob_id, f.name, f.original_name, f.declared_type, f.mime_type, f.media_type, f.byte_size,
           f.width, f.height, f.duration_ms, f.sha256, f.etag, f.is_compressed, f.attrs, f.probe, f.owner,
           f.scan_status, f.scan_detail, f.scanned_at, f.created_at, f.updated_at, f.is_public, f.owner_scope,
           f.placeholder, f.dominant_color
      FROM (SELECT pg_catalog.set_config('media.owner', as_owner, true) AS o OFFSET 0) s
     CROSS JOIN LATERAL (SELECT x.* FROM media.files x WHERE x.owner = s.o OFFSET 0) f;
$$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA media_router FROM PUBLIC;

-- The router's media schema: pg_media's names and signatures ----------------
-- SECURITY DEFINER: the proxy functions connect through the extension
-- owner's user mapping; what a role may call is decided by the grants below.

CREATE FUNCTION media.owner_scope() RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'setting'::text $$;
COMMENT ON FUNCTION media.owner_scope() IS
  'the owner namespace of files stored through the router: always setting (media.owner)';

/* The files of the session's owner; none when media.owner is not set (as row-level security shows them). */
CREATE FUNCTION media_router.session_files() RETURNS SETOF media_router.file
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF coalesce(current_setting('media.owner', true), '') <> '' THEN
        RETURN QUERY SELECT * FROM media_router.files(media_router.session_owner());
    END IF;
END
$$;
-- EXECUTE for the view's readers, who need no USAGE on media_router (the view
-- names the function already): so only USAGE on media, as for every read, opens it
GRANT EXECUTE ON FUNCTION media_router.session_files() TO PUBLIC;

CREATE VIEW media.files AS SELECT * FROM media_router.session_files();
COMMENT ON VIEW media.files IS
  'the files of the owner named by media.owner, read from its shard (what pg_media export, verify and stats read)';

-- pg_media's shorter forms of media.http()
CREATE FUNCTION media.http(id bigint, range text DEFAULT NULL, if_none_match text DEFAULT NULL,
                           OUT status integer, OUT headers jsonb, OUT body bytea)
RETURNS record LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT * FROM media.http(id, range, if_none_match, 'GET', NULL)
$$;

CREATE FUNCTION media.http(id bigint, range text, if_none_match text, method text,
                           OUT status integer, OUT headers jsonb, OUT body bytea)
RETURNS record LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT * FROM media.http(id, range, if_none_match, method, NULL)
$$;

CREATE FUNCTION media.manifest(OUT id bigint, OUT sha256 text, OUT byte_size bigint, OUT name text,
                               OUT owner text, OUT owner_scope text, OUT created_at timestamptz)
RETURNS SETOF record LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT * FROM media_router.manifest(media_router.session_owner())
$$;

CREATE FUNCTION media.sign_url(id bigint, expires_in interval, variant text DEFAULT NULL,
                               owner text DEFAULT NULL)
RETURNS text LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT media_router.sign_url(coalesce(owner, media_router.session_owner()), id, expires_in, variant, owner)
$$;

CREATE FUNCTION media.verify(id bigint DEFAULT NULL, OUT id bigint, OUT ok boolean)
RETURNS SETOF record LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT * FROM media_router.verify_owner(media_router.session_owner()) WHERE $1 IS NULL
    UNION ALL
    SELECT * FROM media_router.verify_file(media_router.session_owner(), $1) WHERE $1 IS NOT NULL
$$;

-- sign_url, like the writing functions: for the roles granted it (a URL it
-- signs reads as any owner).  Reading needs USAGE on schema media, which no
-- role has until granted, as on pg_media.
REVOKE ALL ON FUNCTION media.sign_url(bigint, interval, text, text) FROM PUBLIC;
