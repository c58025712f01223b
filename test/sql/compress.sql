-- compression: per-chunk deflate for types that compress, range reads that stay
-- cheap, and media.deflate() / media.inflate() with a cap against bombs
SELECT media.inflate(media.deflate(convert_to(repeat('pg_media ', 1000), 'UTF8'))) = convert_to(repeat('pg_media ', 1000), 'UTF8') AS round_trip,
       length(media.deflate(convert_to(repeat('pg_media ', 1000), 'UTF8'))) < 100 AS small,
       media.inflate(media.deflate('')) = '' AS empty,
       media.inflate(media.deflate('\x00ff', 1)) = '\x00ff' AS level_1,
       media.inflate(media.deflate('\x00ff', 9)) = '\x00ff' AS level_9;
SELECT media.deflate('x', 0);
SELECT media.deflate('x', 10);
SELECT media.inflate('\x00010203');
SELECT media.inflate(substring(media.deflate(convert_to(repeat('abc', 1000), 'UTF8')) FROM 1 FOR 10));
-- a bomb: 5 MB of zeros in a few kilobytes is refused at the cap, not allocated
SELECT length(media.deflate(decode(repeat('00', 5000000), 'hex'))) < 10000 AS tiny_bomb \gset
SET media.max_inflated_size = '1MB';
SELECT media.inflate(media.deflate(decode(repeat('00', 5000000), 'hex')));
SELECT length(media.inflate(media.deflate(decode(repeat('00', 1048576), 'hex')))) AS exactly_the_cap;
RESET media.max_inflated_size;

-- text is stored deflated, chunk by chunk, and reads back exactly
SET media.chunk_size = '16kB';
SELECT convert_to(string_agg('line ' || i || ': the quick brown fox jumps over the lazy dog' || E'\n', ''), 'UTF8') AS doc
  FROM generate_series(1, 5000) i \gset
SELECT media.put(:'doc', 'log.txt') AS doc_id \gset
SELECT mime_type, byte_size, is_compressed FROM media.files WHERE id = :doc_id;
SELECT count(*) AS chunks, count(*) FILTER (WHERE deflated) AS deflated,
       sum(size) AS raw_bytes, sum(length(data)) < sum(size) / 4 AS much_smaller
  FROM media.chunks c JOIN media.files f ON f.blob_id = c.blob_id WHERE f.id = :doc_id;
SELECT media.get(:doc_id) = :'doc'::bytea AS whole_ok;
SELECT bool_and(media.read(:doc_id, s, n) = substring(:'doc'::bytea FROM s + 1 FOR n)) AS ranges_ok
  FROM (VALUES (0, 10), (16380, 10), (16384, 16384), (16000, 40000), (length(:'doc'::bytea) - 5, 100)) r(s, n);
SELECT string_agg(data, ''::bytea ORDER BY start) = :'doc'::bytea AS parts_ok FROM media.parts(:doc_id);
SELECT ok FROM media.verify(:doc_id);
SELECT status, headers->>'Content-Length' AS length, body = substring(:'doc'::bytea FROM 20001 FOR 100) AS body_ok
  FROM media.http(:doc_id, 'bytes=20000-20099');

-- the same through an upload: decided from the first part's type
SELECT media.upload_begin('upload.txt') AS up \gset
SELECT media.upload_append(:up, substring(:'doc'::bytea FROM 1 FOR 30000)) > 0 AS appended;
SELECT media.upload_append(:up, substring(:'doc'::bytea FROM 30001)) > 0 AS appended;
SELECT media.upload_finish(:up) AS up_id \gset
SELECT is_compressed, blob_id = (SELECT blob_id FROM media.files WHERE id = :doc_id) AS deduplicated
  FROM media.files WHERE id = :up_id;
SELECT media.get(:up_id) = :'doc'::bytea AS upload_ok;

-- compressed formats are stored as they are
SELECT media.put('\x89504e470d0a1a0a0000000d49484452000000030000000208020000001216f14d0000001c49444154789c6360d008a85870e283840303bb7e78fdf2f3dfe5dd01450f0780be6add9d0000000049454e44ae426082' || decode(repeat('00', 50000), 'hex'), 'padded.png') AS png_id \gset
SELECT mime_type, is_compressed, (SELECT bool_or(deflated) FROM media.chunks c WHERE c.blob_id = f.blob_id) AS any_deflated
  FROM media.files f WHERE id = :png_id;

-- a type that usually compresses, whose parts do not shrink by 10%, stays raw:
-- a WAV of white noise (SHA-256 output as samples)
SELECT '\x5249464624fa000057415645666d74201000000001000100401f0000401f0000010008006461746100fa0000'::bytea
       || (SELECT string_agg(sha256(i::text::bytea), ''::bytea) FROM generate_series(1, 2000) i) AS noise \gset
SELECT media.put(:'noise', 'noise.wav') AS noise_id \gset
SELECT mime_type, byte_size, is_compressed FROM media.files WHERE id = :noise_id;
-- while hex text does shrink (4 bits of 8 carry information)
SELECT media.put(convert_to(encode(:'noise'::bytea, 'hex'), 'UTF8'), 'noise.hex') AS hex_id \gset
SELECT mime_type, is_compressed FROM media.files WHERE id = :hex_id;

-- media.compression = off stores bytes as they come
SET media.compression = off;
SELECT media.put(:'doc' || '\x0a'::bytea, 'raw.txt') AS raw_id \gset
RESET media.compression;
SELECT is_compressed FROM media.files WHERE id = :raw_id;
RESET media.chunk_size;

-- a damaged compressed chunk is reported, not returned
SELECT blob_id AS doc_blob FROM media.files WHERE id = :doc_id \gset
UPDATE media.chunks SET data = '\x789c0000' WHERE blob_id = :doc_blob AND start = 16384;
\set VERBOSITY terse
SELECT length(media.read(:doc_id, 16384, 10));
\set VERBOSITY default
SELECT ok FROM media.verify(:doc_id);
DELETE FROM media.files WHERE id IN (:doc_id, :up_id, :png_id, :noise_id, :hex_id, :raw_id);
