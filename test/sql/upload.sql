-- resumable uploads: media.upload_begin/append/status/finish/abort
SET media.owner = 'tester';
SET media.chunk_size = '16kB';
-- upload ids are random: errors that name one go through try() (install.sql),
-- which shows them with the id masked
SELECT decode(string_agg(lpad(to_hex((i * 13 + i / 251) % 256), 2, '0'), ''), 'hex') AS body
  FROM generate_series(0, 59999) i \gset

SELECT media.upload_begin('movie.bin', 'video/mp4', '{"by": "test"}') AS up \gset
SELECT media.upload_status(:up) AS received;
SELECT media.upload_append(:up, substring(:'body'::bytea FROM 1 FOR 10000)) AS received;
SELECT media.upload_append(:up, substring(:'body'::bytea FROM 10001 FOR 35000)) AS received;
-- an empty part changes nothing and reports progress (how a client resumes)
SELECT media.upload_append(:up, '') AS received;
SELECT media.upload_status(:up) AS received;
SELECT media.upload_append(:up, substring(:'body'::bytea FROM 45001)) AS received;
SELECT count(*) AS upload_chunks, max(size) AS largest
  FROM media.chunks c JOIN media.uploads u ON u.blob_id = c.blob_id WHERE u.id = :up;
SELECT media.upload_finish(:up) AS file_id \gset

SELECT name, original_name, declared_type, mime_type, byte_size, attrs,
       sha256 = sha256(:'body'::bytea) AS sha_ok
  FROM media.files WHERE id = :file_id;
SELECT media.get(:file_id) = :'body'::bytea AS bytes_ok;
SELECT media.read(:file_id, 44990, 20) = substring(:'body'::bytea FROM 44991 FOR 20) AS range_ok;
SELECT count(*) AS uploads_left FROM media.uploads;
SELECT count(*) AS unhashed_blobs FROM media.blobs WHERE sha256 IS NULL;

-- the upload is gone once finished
SELECT try(format('SELECT media.upload_append(%s, %L)', :up, '\x00'));
SELECT try(format('SELECT media.upload_finish(%s)', :up));
SELECT try(format('SELECT media.upload_status(%s)', :up));

-- the same content uploaded again is stored once
SELECT count(*) AS blobs_before FROM media.blobs \gset
SELECT media.upload_begin('again.bin') AS up2 \gset
SELECT media.upload_append(:up2, :'body'::bytea) AS received;
SELECT media.upload_finish(:up2) AS file_id2 \gset
SELECT count(*) - :blobs_before AS new_blobs FROM media.blobs;
SELECT a.blob_id = b.blob_id AS shared FROM media.files a, media.files b WHERE a.id = :file_id AND b.id = :file_id2;
SELECT media.get(:file_id2) = :'body'::bytea AS bytes_ok;

-- ...and so is content first stored with put() then uploaded
SELECT media.put('\x0102030405', 'five.bin') AS put_id \gset
SELECT media.upload_begin() AS up3 \gset
SELECT media.upload_append(:up3, '\x0102'), media.upload_append(:up3, '\x030405');
SELECT media.upload_finish(:up3) AS file_id3 \gset
SELECT a.blob_id = b.blob_id AS shared FROM media.files a, media.files b WHERE a.id = :put_id AND b.id = :file_id3;
SELECT name FROM media.files WHERE id = :file_id3;

-- an aborted upload leaves nothing behind
SELECT media.upload_begin('gone.bin') AS up4 \gset
SELECT media.upload_append(:up4, substring(:'body'::bytea FROM 1 FOR 40000)) AS received;
SELECT try(format('SELECT media.upload_abort(%s)', :up4));
SELECT count(*) AS uploads_left FROM media.uploads;
SELECT count(*) AS unhashed_blobs FROM media.blobs WHERE sha256 IS NULL;
SELECT try(format('SELECT media.upload_abort(%s)', :up4));

-- an empty upload
SELECT media.upload_begin('nothing') AS up5 \gset
SELECT media.upload_finish(:up5) AS empty_id \gset
SELECT byte_size, mime_type FROM media.files WHERE id = :empty_id;

-- ids cannot be guessed: random, not sequential
SELECT media.upload_begin() AS a, media.upload_begin() AS b \gset
SELECT abs(:a - :b) > 1000 AS not_sequential, :a > 0 AND :b > 0 AS positive;
SELECT media.upload_abort(:a), media.upload_abort(:b);

-- another owner cannot see, extend, finish or abort the upload
SELECT media.upload_begin('mine') AS up6 \gset
SET media.owner = 'someone-else';
SELECT try(format('SELECT media.upload_append(%s, %L)', :up6, '\x00'));
SELECT try(format('SELECT media.upload_status(%s)', :up6));
SELECT try(format('SELECT media.upload_finish(%s)', :up6));
SELECT try(format('SELECT media.upload_abort(%s)', :up6));
SET media.owner = 'tester';
SELECT media.upload_status(:up6) AS still_there;
SELECT try(format('SELECT media.upload_abort(%s)', :up6));

-- media.max_upload_size
SET media.max_upload_size = '1MB';
SELECT media.upload_begin('huge') AS up7 \gset
SELECT media.upload_append(:up7, decode(repeat('00', 600000), 'hex')) AS received;
SELECT media.upload_append(:up7, decode(repeat('00', 600000), 'hex'));
SELECT media.upload_status(:up7) AS received;
SELECT media.upload_abort(:up7);
RESET media.max_upload_size;

-- nulls and unknown ids
SELECT media.upload_append(NULL, '\x00') IS NULL AS strict;
SELECT media.upload_finish(42);
