-- owner isolation (row-level security), dedup across owners, quotas
CREATE ROLE regress_alice;
CREATE ROLE regress_bob;
CREATE ROLE regress_app;
GRANT USAGE ON SCHEMA media TO regress_alice, regress_bob, regress_app;
GRANT SELECT, DELETE, UPDATE (name, attrs) ON media.files TO regress_alice, regress_bob, regress_app;
GRANT SELECT ON media.media_files TO regress_alice, regress_bob, regress_app;
GRANT EXECUTE ON FUNCTION media.put(bytea, text, text, jsonb), media.remove(bigint),
      media.upload_begin(text, text, jsonb), media.upload_append(bigint, bytea),
      media.upload_finish(bigint), media.upload_abort(bigint) TO regress_alice, regress_bob, regress_app;

-- isolation by role: each login role sees, reads and removes only its own files (a login
-- is what SET SESSION AUTHORIZATION switches; SET ROLE does not change the owner)
ALTER ROLE regress_alice SET media.isolation = 'role';
ALTER ROLE regress_bob SET media.isolation = 'role';
SET media.isolation = 'role';
SET SESSION AUTHORIZATION regress_alice;
SELECT media.put('\x0a0a0a0a', 'regress_alice-secret.txt') AS alice_file \gset
-- media.owner cannot charge a file to someone else under role isolation
SET media.owner = 'regress_bob';
SELECT media.put('\x0b0b', 'still-alice.txt') AS alice_file2 \gset
RESET media.owner;
SELECT owner, count(*) FROM media.files GROUP BY owner ORDER BY owner;
RESET SESSION AUTHORIZATION;

SET SESSION AUTHORIZATION regress_bob;
-- bob stores the very same bytes: dedup shares the blob, not alice's row
SELECT media.put('\x0a0a0a0a', 'regress_bob-copy.txt') AS bob_file \gset
SELECT count(*) AS bob_sees, bool_and(owner = 'regress_bob') AS only_his FROM media.files;
SELECT count(*) AS bob_sees_in_view FROM media.media_files;
SELECT media.get(:alice_file);
SELECT media.read(:alice_file, 0, 1);
SELECT * FROM media.parts(:alice_file);
SELECT status FROM media.http(:alice_file);
SELECT * FROM media.verify(:alice_file);
SELECT media.remove(:alice_file) AS removed_alices;
UPDATE media.files SET name = 'pwned' WHERE id = :alice_file;
-- knowing the SHA-256 gives nothing either
SELECT count(*) FROM media.files WHERE sha256 = sha256('\x0a0a0a0a');
SELECT media.get(:bob_file) AS own_bytes;
RESET SESSION AUTHORIZATION;

SET SESSION AUTHORIZATION regress_alice;
SELECT name FROM media.files WHERE id = :alice_file;
SELECT media.get(:alice_file) AS alices_bytes;
RESET SESSION AUTHORIZATION;

-- removing bob's copy keeps alice's content
SET SESSION AUTHORIZATION regress_bob;
SELECT media.remove(:bob_file) AS removed;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_alice;
SELECT media.get(:alice_file) AS still_there;
RESET SESSION AUTHORIZATION;

-- one database role for the app, the user set per transaction
ALTER ROLE regress_app SET media.isolation = 'setting';
SET media.isolation = 'setting';
SET ROLE regress_app;
SELECT media.put('\x01');
BEGIN;
SET LOCAL media.owner = 'user-1';
SELECT media.put('\x0101', 'u1.bin') AS u1 \gset
COMMIT;
BEGIN;
SET LOCAL media.owner = 'user-2';
SELECT media.put('\x0202', 'u2.bin') AS u2 \gset
SELECT name FROM media.files ORDER BY id;
SELECT status FROM media.http(:u1);
SELECT media.read(:u1, 0, 10);
COMMIT;
-- without media.owner nothing is visible
SELECT count(*) FROM media.files;
-- uploads belong to their owner too
BEGIN;
SET LOCAL media.owner = 'user-1';
SELECT media.upload_begin('u1-upload') AS up \gset
COMMIT;
BEGIN;
SET LOCAL media.owner = 'user-2';
SELECT try(format('SELECT media.upload_append(%s, %L)', :up, '\x00'));
ROLLBACK;
BEGIN;
SET LOCAL media.owner = 'user-1';
SELECT media.upload_abort(:up);
COMMIT;
RESET ROLE;

-- a non-superuser cannot switch isolation off
SET ROLE regress_bob;
SET media.isolation = 'none';
RESET ROLE;

-- quotas: bytes and files per owner
RESET media.isolation;
INSERT INTO media.quotas VALUES ('carol', 10, 2, 'setting');
SET media.owner = 'carol';
SELECT media.put('\x0102030405', 'q1') IS NOT NULL AS stored;
SELECT media.put('\x010203040506', 'q2');
SELECT media.put('\x01', 'q3') IS NOT NULL AS stored;
SELECT media.put('\x02', 'q4');
SELECT media.upload_begin('q5') AS q5 \gset
SELECT media.upload_append(:q5, '\x03') AS received;
SELECT media.upload_finish(:q5);
SELECT media.upload_abort(:q5);
SELECT count(*) AS files, sum(byte_size) AS bytes FROM media.files WHERE owner = 'carol';
UPDATE media.quotas SET max_bytes = NULL, max_files = NULL WHERE owner = 'carol';
SELECT media.put('\x02', 'q4') IS NOT NULL AS stored_without_limits;

-- open uploads per owner are capped
SET media.max_open_uploads = 2;
SELECT media.upload_begin() IS NOT NULL AS first, media.upload_begin() IS NOT NULL AS second;
SELECT media.upload_begin();
SELECT media.cleanup_uploads('1 hour') AS cleaned_recent;
SELECT media.cleanup_uploads('-1 second') AS cleaned_all;
SELECT count(*) AS uploads_left FROM media.uploads WHERE owner = 'carol';
SELECT count(*) AS unhashed_blobs FROM media.blobs WHERE sha256 IS NULL;
RESET media.max_open_uploads;
RESET media.owner;

DELETE FROM media.files WHERE owner IN ('regress_alice', 'regress_bob', 'carol', 'user-1', 'user-2');
DELETE FROM media.quotas;
REVOKE ALL ON media.files, media.media_files FROM regress_alice, regress_bob, regress_app;
REVOKE ALL ON FUNCTION media.put(bytea, text, text, jsonb), media.remove(bigint),
      media.upload_begin(text, text, jsonb), media.upload_append(bigint, bytea),
      media.upload_finish(bigint), media.upload_abort(bigint) FROM regress_alice, regress_bob, regress_app;
REVOKE ALL ON SCHEMA media FROM regress_alice, regress_bob, regress_app;
DROP ROLE regress_alice;
DROP ROLE regress_bob;
DROP ROLE regress_app;
