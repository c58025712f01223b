-- privileges: the storage tables are closed to application roles, and the
-- functions cannot be hijacked through search_path
CREATE ROLE regress_media_reader;
CREATE ROLE regress_media_writer;
GRANT USAGE ON SCHEMA media TO regress_media_reader, regress_media_writer;
GRANT SELECT ON media.files, media.media_files TO regress_media_reader, regress_media_writer;
GRANT EXECUTE ON FUNCTION media.put(bytea, text, text, jsonb) TO regress_media_writer;
GRANT DELETE ON media.files TO regress_media_writer;
GRANT EXECUTE ON FUNCTION media.remove(bigint) TO regress_media_writer;

SET ROLE regress_media_writer;
SELECT media.put('\x4142434445', 'w.txt') AS w \gset
-- charged to the session's login role, not to the shared role SET ROLE switched to
SELECT owner FROM media.files WHERE id = :w;
SELECT media.get(:w) AS bytes;
-- the storage tables are not readable or writable
SELECT count(*) FROM media.blobs;
SELECT count(*) FROM media.chunks;
SELECT count(*) FROM media.uploads;
INSERT INTO media.files (blob_id, name, mime_type, media_type, byte_size, sha256, etag, owner)
  VALUES (1, 'x', 'x', 'other', 0, sha256(''), '"x"', 'x');
RESET ROLE;

SET ROLE regress_media_reader;
SELECT media.read(:w, 1, 3) AS bytes;
SELECT status FROM media.http(:w);
-- writing functions are not granted to PUBLIC
SELECT media.put('\x00');
SELECT media.upload_begin();
SELECT media.remove(:w);
DELETE FROM media.files WHERE id = :w;
RESET ROLE;

-- a hostile operator in a schema the caller puts first changes nothing
CREATE SCHEMA hostile;
CREATE FUNCTION hostile.always_true(bigint, bigint) RETURNS boolean
  LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR hostile.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = hostile.always_true);
CREATE FUNCTION hostile.max(bigint) RETURNS bigint LANGUAGE sql AS 'SELECT 0::bigint';
SET search_path = hostile, pg_catalog, public;
SELECT media.get(:w) AS bytes;
SELECT media.read(:w, 2, 2) AS bytes;
SELECT count(*) AS verified FROM media.verify(:w);
RESET search_path;
DROP SCHEMA hostile CASCADE;

SET ROLE regress_media_writer;
SELECT media.remove(:w) AS removed;
RESET ROLE;
REVOKE ALL ON media.files, media.media_files FROM regress_media_reader, regress_media_writer;
REVOKE ALL ON FUNCTION media.put(bytea, text, text, jsonb), media.remove(bigint) FROM regress_media_writer;
REVOKE ALL ON SCHEMA media FROM regress_media_reader, regress_media_writer;
DROP ROLE regress_media_reader;
DROP ROLE regress_media_writer;
