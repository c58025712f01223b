-- media.remove(), media.verify(), and the rules that keep storage consistent
SELECT media.put('\x00112233445566778899', 'a.bin') AS a \gset
SELECT media.put('\x00112233445566778899', 'b.bin') AS b \gset
SELECT blob_id AS blob FROM media.files WHERE id = :a \gset

-- removing one of two files that share content keeps the content
SELECT media.remove(:a) AS removed;
SELECT count(*) AS blob_rows FROM media.blobs WHERE id = :blob;
SELECT media.get(:b) = '\x00112233445566778899'::bytea AS still_readable;

-- removing the last one frees the content in the same transaction
BEGIN;
SELECT media.remove(:b) AS removed;
SELECT count(*) AS blob_rows FROM media.blobs WHERE id = :blob;
SELECT count(*) AS chunk_rows FROM media.chunks WHERE blob_id = :blob;
ROLLBACK;
SELECT media.remove(:b) AS removed;
SELECT count(*) AS blob_rows FROM media.blobs WHERE id = :blob;
SELECT count(*) AS chunk_rows FROM media.chunks WHERE blob_id = :blob;
SELECT media.remove(:b) AS removed_again;
SELECT media.remove(NULL) IS NULL AS strict;

-- a plain DELETE frees content just the same
SELECT media.put('\xdeadbeef', 'c.bin') AS c \gset
SELECT blob_id AS cblob FROM media.files WHERE id = :c \gset
DELETE FROM media.files WHERE id = :c;
SELECT count(*) AS blob_rows FROM media.blobs WHERE id = :cblob;

-- no blob is left without a file, and no chunk without a blob
SELECT count(*) AS orphan_blobs FROM media.blobs b
 WHERE b.sha256 IS NOT NULL AND NOT EXISTS (SELECT 1 FROM media.files f WHERE f.blob_id = b.id);
SELECT count(*) AS orphan_chunks FROM media.chunks c
 WHERE NOT EXISTS (SELECT 1 FROM media.blobs b WHERE b.id = c.blob_id);

-- verify recomputes SHA-256 and notices damage
SET media.chunk_size = '8kB';
SELECT media.put(decode(repeat('0123456789abcdef', 2000), 'hex'), 'v.bin') AS v \gset
RESET media.chunk_size;
SELECT id = :v AS is_v, ok FROM media.verify(:v);
SELECT count(*) AS checked, bool_and(ok) AS all_ok FROM media.verify();
SELECT blob_id AS vblob FROM media.files WHERE id = :v \gset
UPDATE media.chunks SET data = decode(repeat('00', size), 'hex') WHERE blob_id = :vblob AND start = 8192;
SELECT id = :v AS is_v, ok FROM media.verify(:v);
DELETE FROM media.chunks WHERE blob_id = :vblob AND start = 8192;
SELECT id = :v AS is_v, ok FROM media.verify(:v);
\set VERBOSITY terse
SELECT media.get(:v);
SELECT count(*) FROM media.parts(:v);
\set VERBOSITY default
SELECT * FROM media.verify(-1);
DELETE FROM media.files WHERE id = :v;

-- content is immutable; names and attributes are not
SELECT media.put('\x0a0b0c', 'd.bin') AS d \gset
\set VERBOSITY terse
UPDATE media.files SET byte_size = 1 WHERE id = :d;
UPDATE media.files SET sha256 = sha256('x') WHERE id = :d;
\set VERBOSITY default
SELECT updated_at AS before FROM media.files WHERE id = :d \gset
UPDATE media.files SET name = 'renamed.bin', attrs = '{"k": 1}' WHERE id = :d;
SELECT name, attrs, updated_at > :'before'::timestamptz AS touched FROM media.files WHERE id = :d;

-- TRUNCATE would strand content: refused
TRUNCATE media.files;
