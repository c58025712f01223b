-- pg_media_shard_setup.sql: makes a database with pg_media shard number :shard of a pg_media
-- router (issue 16; docs/scale-out.md, "Sharding by owner").  Run it as a superuser on each shard:
--
--     psql -d SHARD_DB -v shard=N -v ON_ERROR_STOP=1 -f sql/router/pg_media_shard_setup.sql
--
-- then, on the router: CREATE EXTENSION pg_media_router CASCADE;
--                      SELECT media_router.configure(ARRAY['<shard 0 connstr>', '<shard 1>', ...]);
--
-- The router connects as media_router (the user of its user mapping): an application role that
-- may name any owner (media.isolation = 'setting'), with the privileges of the README's
-- media_writer plus sign_url and set_public.  Give it a password, or trust it from the router's
-- host only, in pg_hba.conf.

\if :{?shard}
\else
  \echo 'pass the shard number: psql -v shard=N -f pg_media_shard_setup.sql'
  \quit
\endif

SELECT media.configure_shard(:shard) AS next_file_id;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'media_router') THEN
        CREATE ROLE media_router LOGIN;
    END IF;
END
$$;
ALTER ROLE media_router SET media.isolation = 'setting';
GRANT USAGE ON SCHEMA media TO media_router;
GRANT SELECT ON media.files TO media_router;
GRANT DELETE, UPDATE (name, attrs, is_public) ON media.files TO media_router;
GRANT EXECUTE ON FUNCTION media.put(bytea, text, text, jsonb), media.put_base64(text, text, text, jsonb),
      media.upload_begin(text, text, jsonb), media.upload_append(bigint, bytea),
      media.upload_finish(bigint), media.upload_abort(bigint), media.remove(bigint),
      media.set_public(bigint, boolean), media.sign_url(bigint, interval, text, text) TO media_router;
