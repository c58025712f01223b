-- media.http() for a thumbnail of a file: its fifth argument, the variant (issue 13).
-- (Runs after the tests that print file ids, as it adds files.)
SELECT 'x'::bytea AS body \gset
SELECT media.put(:'body', 'not an image.bin') AS id \gset
SELECT etag FROM media.files WHERE id = :id \gset
SET media.thumbnail_sizes = '16x16,64x64';
SELECT media.put('\x89504e470d0a1a0a0000000d49484452000000280000001e0802000000d1bfcb8a0000002f4944415478daedcd310d0000080431e4bc7f15c8c2032c0c4d6ebdb43a597758bbc06030180c0683c1603018fc171e9b0320cc14d128a70000000049454e44ae426082'::bytea,
                 'two halves.png') AS photo \gset
-- the ETag: weak, from the source's SHA-256 and the thumbnail's spec, the same on every server
SELECT 'W/"' || encode(sha256(sha256(media.get(:photo)) || convert_to('w=16,h=16,resize=contain,format=png', 'UTF8')), 'hex') || '"'
       AS png16_etag \gset
SELECT status, headers - 'ETag' - 'Last-Modified' - 'Content-Length' AS headers, headers->>'ETag' = :'png16_etag' AS etag_ok,
       headers->>'Content-Length' = length(body)::text AS length_ok,
       substring(body FROM 1 FOR 8) = '\x89504e470d0a1a0a'::bytea AS is_png,
       body = media.thumbnail(:photo, 16, 16, 'png') AS same_as_thumbnail
  FROM media.http(:photo, NULL, NULL, 'GET', 'w=16,h=16,format=png');
-- cached once, in the cache media.thumbnail() uses
SELECT d.spec, d.mime_type, d.width, d.height FROM media.derivatives d
  JOIN media.blobs b ON b.sha256 = d.source_sha256 JOIN media.files f ON f.blob_id = b.id
 WHERE f.id = :photo ORDER BY 1;
-- every spelling of one variant has the same ETag; another format another
SELECT headers->>'ETag' = :'png16_etag' AS same_etag
  FROM media.http(:photo, NULL, NULL, 'GET', ' H = 016, w=16 ,Format=PNG');
SELECT status, headers->>'Content-Type' AS type, headers->>'ETag' <> :'png16_etag' AS other_etag,
       headers->>'Content-Disposition' AS disposition, substring(body FROM 1 FOR 3) = '\xffd8ff'::bytea AS is_jpeg
  FROM media.http(:photo, NULL, NULL, 'GET', 'w=16,h=16');
-- 304 when If-None-Match holds the ETag (exact, weak, in a list), before any image work
SELECT status, body IS NULL AS no_body, headers - 'Last-Modified' - 'ETag' AS headers,
       headers->>'ETag' = :'png16_etag' AS etag_ok
  FROM media.http(:photo, NULL, :'png16_etag', 'GET', 'w=16,h=16,format=png');
SELECT status FROM media.http(:photo, NULL, '"x", ' || substring(:'png16_etag' FROM 3), 'GET', 'w=16,h=16,format=png');
SELECT status FROM media.http(:photo, NULL, :'png16_etag', 'GET', 'w=16,h=16,format=jpeg');
SELECT status FROM media.http(:photo, NULL, :'etag', 'GET', 'w=16,h=16,format=png');  -- the file's ETag is not the thumbnail's
-- no image is decoded for a 304: a file that is not an image answers it too
SELECT status AS not_decoded
  FROM media.http(:id, NULL, 'W/"' || encode(sha256(sha256(media.get(:id)) || convert_to('w=16,h=16,resize=contain,format=auto,q=82', 'UTF8')), 'hex') || '"',
                  'GET', 'w=16,h=16');
-- the JPEG quality is part of the spec, so of the ETag
SELECT headers->>'ETag' AS q82_etag FROM media.http(:photo, NULL, NULL, 'HEAD', 'w=16,h=16') \gset
SET media.thumbnail_quality = 50;
SELECT headers->>'ETag' <> :'q82_etag' AS new_etag FROM media.http(:photo, NULL, NULL, 'HEAD', 'w=16,h=16');
RESET media.thumbnail_quality;
-- HEAD: the same headers, no body; a Range is ignored (a thumbnail comes whole)
SELECT status, body IS NULL AS no_body,
       headers = (SELECT headers FROM media.http(:photo, NULL, NULL, 'GET', 'w=16,h=16,format=png')) AS same_headers
  FROM media.http(:photo, NULL, NULL, 'HEAD', 'w=16,h=16,format=png');
SELECT status, headers ? 'Content-Range' AS has_range, body = media.thumbnail(:photo, 16, 16, 'png') AS whole
  FROM media.http(:photo, 'bytes=0-9', NULL, 'GET', 'w=16,h=16,format=png');
-- a NULL variant is the file itself; a file that does not exist is a 404 as ever
SELECT status, headers = (SELECT headers FROM media.http(:photo)) AS same_headers
  FROM media.http(:photo, NULL, NULL, 'GET', NULL);
SELECT status, body IS NULL AS no_body FROM media.http(987654321, NULL, NULL, 'GET', 'w=16,h=16');
-- who may cache it: the source file's rule, on 200 and 304
SELECT headers->>'Cache-Control' AS private_200 FROM media.http(:photo, NULL, NULL, 'GET', 'w=64,h=64');
SELECT media.set_public(:photo, true);
SELECT headers->>'Cache-Control' AS public_200 FROM media.http(:photo, NULL, NULL, 'GET', 'w=64,h=64');
SELECT status, headers->>'Cache-Control' AS public_304
  FROM media.http(:photo, NULL, :'png16_etag', 'HEAD', 'w=16,h=16,format=png');
SELECT media.set_public(:photo, false);
SELECT status, headers->>'Cache-Control' AS private_304
  FROM media.http(:photo, NULL, :'png16_etag', 'GET', 'w=16,h=16,format=png');
-- refused with 22023 (an application answers 400): a box not in media.thumbnail_sizes, a bad variant
SELECT media.thumbnail(:photo, 32, 32) IS NOT NULL AS thumbnail_makes_any_size;
SELECT status FROM media.http(:photo, NULL, NULL, 'GET', 'w=32,h=32');
\set VERBOSITY sqlstate
SELECT status FROM media.http(:photo, NULL, NULL, 'GET', 'w=32,h=32');
SELECT status FROM media.http(:photo, NULL, NULL, 'GET', 'w=16');
\set VERBOSITY default
-- a variant is a transform spec (media.transform_spec()): any mode and format of a listed box
SELECT status FROM media.http(:photo, NULL, NULL, 'GET', 'w=16,h=16,resize=cover');
SELECT status FROM media.http(:photo, NULL, NULL, 'GET', 'w=16,h=16,format=gif');
SELECT status FROM media.http(:photo, NULL, NULL, 'GET', 'w=9000,h=16');
SELECT status FROM media.http(:photo, NULL, NULL, 'POST', 'w=16,h=16');
-- a file that is not an image: 0A000 as from media.thumbnail() (415)
\set VERBOSITY sqlstate
SELECT status FROM media.http(:id, NULL, NULL, 'GET', 'w=16,h=16');
\set VERBOSITY default
-- an empty list serves no variant
SET media.thumbnail_sizes = '';
\set VERBOSITY terse
SELECT status FROM media.http(:photo, NULL, NULL, 'GET', 'w=16,h=16,format=png');
\set VERBOSITY default
RESET media.thumbnail_sizes;
SELECT media.remove(:photo);
SELECT media.remove(:id);
