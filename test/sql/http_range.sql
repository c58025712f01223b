-- media.http() never sends more than media.max_range_size bytes (issue 13)
SELECT setting, unit, context, min_val FROM pg_settings WHERE name = 'media.max_range_size';
SHOW media.max_range_size;

-- a 192 kB file in 8 kB chunks, served under a 64 kB cap: 3 x the cap
SET media.chunk_size = '8kB';
SET media.max_range_size = '64kB';
SELECT string_agg(sha256(int4send(i)), '' ORDER BY i) AS big FROM generate_series(0, 6143) i \gset
SELECT media.put(:'big', 'big.bin') AS big_id \gset
SELECT etag AS big_etag FROM media.files WHERE id = :big_id \gset
SELECT byte_size, (SELECT count(*) FROM media.chunks c JOIN media.files f ON f.blob_id = c.blob_id
                    WHERE f.id = :big_id) AS chunks
  FROM media.files WHERE id = :big_id;

-- a browser's first request for a <video>: bytes=0- gets the first 64 kB, not the file
SELECT status, headers->>'Content-Range' AS range, headers->>'Content-Length' AS length,
       length(body) AS body_length, body = substring(:'big'::bytea FROM 1 FOR 65536) AS body_ok,
       headers->>'ETag' = :'big_etag' AS etag_ok, headers->>'Accept-Ranges' AS accept_ranges
  FROM media.http(:big_id, 'bytes=0-');

-- the browser continues from each Content-Range until the end: three requests, every byte once
WITH RECURSIVE browser(n, next, got) AS (
    SELECT 0, 0::bigint, ''::bytea
  UNION ALL
    SELECT b.n + 1, split_part(split_part(r.headers->>'Content-Range', '-', 2), '/', 1)::bigint + 1,
           b.got || r.body
      FROM browser b, media.http(:big_id, 'bytes=' || b.next || '-') r
     WHERE b.next < 196608 AND r.status = 206)
SELECT max(n) AS requests, max(length(got)) AS bytes,
       (SELECT got FROM browser ORDER BY n DESC LIMIT 1) = :'big'::bytea AS same_bytes
  FROM browser;

-- bytes=N- near the end: what is left fits, so it comes whole
SELECT status, headers->>'Content-Range' AS range, headers->>'Content-Length' AS length,
       body = substring(:'big'::bytea FROM 196001) AS body_ok
  FROM media.http(:big_id, 'bytes=196000-');
-- bytes=N- in the middle of a chunk, far from the start: cut to the cap
SELECT status, headers->>'Content-Range' AS range,
       body = substring(:'big'::bytea FROM 100001 FOR 65536) AS body_ok
  FROM media.http(:big_id, 'bytes=100000-');
-- an explicit range longer than the cap keeps its start
SELECT status, headers->>'Content-Range' AS range, headers->>'Content-Length' AS length,
       body = substring(:'big'::bytea FROM 101 FOR 65536) AS body_ok
  FROM media.http(:big_id, 'bytes=100-150000');
-- one exactly as long as the cap, and one byte longer
SELECT status, headers->>'Content-Range' AS range FROM media.http(:big_id, 'bytes=1-65536');
SELECT status, headers->>'Content-Range' AS range FROM media.http(:big_id, 'bytes=1-65537');

-- suffix ranges: a short one whole, a long one from its start, cut to the cap
SELECT status, headers->>'Content-Range' AS range, body = substring(:'big'::bytea FROM 196109) AS body_ok
  FROM media.http(:big_id, 'bytes=-500');
SELECT status, headers->>'Content-Range' AS range, headers->>'Content-Length' AS length,
       body = substring(:'big'::bytea FROM 96609 FOR 65536) AS body_ok
  FROM media.http(:big_id, 'bytes=-100000');
SELECT status, headers->>'Content-Range' AS range FROM media.http(:big_id, 'bytes=-999999999');

-- HEAD: the same capped headers, no body
SELECT status, headers->>'Content-Range' AS range, headers->>'Content-Length' AS length, body IS NULL AS no_body
  FROM media.http(:big_id, 'bytes=0-', NULL, 'HEAD');

-- without a Range, a file larger than the cap: 200, the whole file's headers, no body
-- (the application streams media.parts() when a GET gets status 200 and a NULL body)
SELECT status, headers->>'Content-Length' AS length, headers->>'Accept-Ranges' AS accept_ranges,
       headers->>'ETag' = :'big_etag' AS etag_ok, headers->>'Content-Type' AS type,
       headers->>'Cache-Control' AS cache_control, body IS NULL AS stream_it
  FROM media.http(:big_id);
SELECT status, headers = (SELECT headers FROM media.http(:big_id)) AS same_headers_as_get, body IS NULL AS no_body
  FROM media.http(:big_id, NULL, NULL, 'HEAD');
SELECT string_agg(data, '' ORDER BY start) = :'big'::bytea AS parts_give_the_file,
       max(length(data)) AS largest_part
  FROM media.parts(:big_id);
-- a malformed or multiple Range is ignored (RFC 9110): the same 200 without a body
SELECT status, body IS NULL AS stream_it FROM media.http(:big_id, 'bytes=0-1,5-6');
-- 304 and 416 are unchanged
SELECT status, body IS NULL AS no_body FROM media.http(:big_id, NULL, :'big_etag');
SELECT status, headers->>'Content-Range' AS range FROM media.http(:big_id, 'bytes=196608-');

-- a file no larger than the cap still comes whole, with its body
SELECT media.put(substring(:'big'::bytea FROM 1 FOR 65536), 'fits.bin') AS fits_id \gset
SELECT status, headers->>'Content-Length' AS length, length(body) AS body_length
  FROM media.http(:fits_id);
SELECT media.put(substring(:'big'::bytea FROM 1 FOR 65537), 'one-over.bin') AS over_id \gset
SELECT status, headers->>'Content-Length' AS length, body IS NULL AS stream_it
  FROM media.http(:over_id);
SELECT media.put(''::bytea, 'empty.bin') AS empty_id \gset
SELECT status, headers->>'Content-Length' AS length, length(body) AS body_length
  FROM media.http(:empty_id);

-- a file above media.max_file_size (an error before 0.2.0) is served in ranges, and
-- the smaller of the two settings is the cap
SET media.max_file_size = 100000;
\set VERBOSITY terse
SELECT length(media.get(:big_id));
\set VERBOSITY default
SELECT status, headers->>'Content-Range' AS range, body = substring(:'big'::bytea FROM 1 FOR 65536) AS body_ok
  FROM media.http(:big_id, 'bytes=0-');
SELECT status, headers->>'Content-Length' AS length, body IS NULL AS stream_it FROM media.http(:big_id);
SET media.max_file_size = 30000;
SELECT status, headers->>'Content-Range' AS range, length(body) AS body_length
  FROM media.http(:big_id, 'bytes=0-');
SELECT status, headers->>'Content-Range' AS range, length(body) AS body_length
  FROM media.http(:big_id, 'bytes=-40000');
SELECT status, headers->>'Content-Length' AS length, body IS NULL AS stream_it FROM media.http(:fits_id);
RESET media.max_file_size;

-- the setting: at least 64 kB, superuser-only (it bounds each backend's memory)
\set VERBOSITY terse
SET media.max_range_size = 1000;
CREATE ROLE regress_range_reader;
SET ROLE regress_range_reader;
SET media.max_range_size = '1GB';
RESET ROLE;
\set VERBOSITY default
DROP ROLE regress_range_reader;
RESET media.max_range_size;
RESET media.chunk_size;

-- with the default cap (8 MB) the 192 kB file comes whole again
SELECT status, length(body) AS body_length FROM media.http(:big_id);
SELECT status, headers->>'Content-Range' AS range FROM media.http(:big_id, 'bytes=0-');

SELECT media.remove(:big_id), media.remove(:fits_id), media.remove(:over_id), media.remove(:empty_id);
