-- media.http(): a serve route in one call
SELECT decode(string_agg(lpad(to_hex(i % 256), 2, '0'), ''), 'hex') AS body
  FROM generate_series(0, 999) i \gset
SELECT media.put(:'body', 'clip one.bin') AS id \gset
SELECT etag FROM media.files WHERE id = :id \gset

-- 200 with every header
SELECT status, length(body) AS body_length, body = :'body'::bytea AS body_ok,
       headers - 'ETag' - 'Last-Modified' AS headers,
       headers->>'ETag' = :'etag' AS etag_ok,
       headers->>'Last-Modified' ~ '^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$' AS date_ok
  FROM media.http(:id);

-- 304 for a matching If-None-Match: exact, in a list, weak, *
SELECT status, body IS NULL AS no_body, headers ? 'ETag' AS has_etag FROM media.http(:id, NULL, :'etag');
SELECT status FROM media.http(:id, NULL, '"nope", ' || :'etag');
SELECT status FROM media.http(:id, NULL, 'W/' || :'etag');
SELECT status FROM media.http(:id, NULL, '*');
SELECT status FROM media.http(:id, NULL, '"something-else"');

-- 206 for bytes=a-b, a-, -n
SELECT status, headers->>'Content-Range' AS range, headers->>'Content-Length' AS length,
       body = substring(:'body'::bytea FROM 11 FOR 10) AS body_ok
  FROM media.http(:id, 'bytes=10-19');
SELECT status, headers->>'Content-Range' AS range, body = substring(:'body'::bytea FROM 991) AS body_ok
  FROM media.http(:id, 'bytes=990-');
SELECT status, headers->>'Content-Range' AS range, body = substring(:'body'::bytea FROM 996) AS body_ok
  FROM media.http(:id, 'bytes=-5');
SELECT status, headers->>'Content-Range' AS range FROM media.http(:id, 'bytes=900-5000');
SELECT status, headers->>'Content-Range' AS range FROM media.http(:id, 'bytes=-5000');

-- 416 for unsatisfiable ranges
SELECT status, headers->>'Content-Range' AS range, body IS NULL AS no_body FROM media.http(:id, 'bytes=1000-');
SELECT status FROM media.http(:id, 'bytes=-0');

-- malformed or multiple ranges are ignored: 200
SELECT status FROM media.http(:id, 'bytes=5-2');
SELECT status FROM media.http(:id, 'items=0-10');
SELECT status FROM media.http(:id, 'bytes=0-1,5-6');

-- If-None-Match wins over Range
SELECT status FROM media.http(:id, 'bytes=0-1', :'etag');

-- HEAD: the same status and headers, no body
SELECT status, body IS NULL AS no_body, headers->>'Content-Length' AS length FROM media.http(:id, NULL, NULL, 'HEAD');
SELECT status, body IS NULL AS no_body FROM media.http(:id, 'bytes=0-9', NULL, 'head');
SELECT status FROM media.http(:id, NULL, NULL, 'POST');

-- 404 for a file that does not exist (or that the caller cannot see)
SELECT status, body IS NULL AS no_body, headers FROM media.http(987654321);
SELECT status FROM media.http(NULL);

-- names with quotes and non-ASCII characters are safe in Content-Disposition
SELECT media.put('x', E'r\u00e9sum\u00e9 "final".txt') AS named \gset
SELECT headers->>'Content-Disposition' AS disposition FROM media.http(:named);

-- active content (accepted only when allowed) is served inert
SET media.allow_active_content = on;
SELECT media.put('<!DOCTYPE html><html><script>alert(1)</script></html>', 'page.html') AS page \gset
SELECT headers->>'Content-Type' AS type, headers->>'Content-Disposition' LIKE 'attachment;%' AS attachment,
       headers->>'Content-Security-Policy' AS csp
  FROM media.http(:page);
RESET media.allow_active_content;

-- a file over media.max_file_size is served in ranges, not whole: without a Range,
-- 200 with its headers and no body (the application streams media.parts(); see http_range)
SET media.max_file_size = 500;
SELECT status, headers->>'Content-Length' AS length, body IS NULL AS stream_it FROM media.http(:id);
SELECT status, length(body) FROM media.http(:id, 'bytes=0-99');
RESET media.max_file_size;

-- who may cache it: a file is private until made public (media.set_public())
SELECT is_public FROM media.files WHERE id = :id;
SELECT s.status, headers->>'Cache-Control' AS cache_control, headers ? 'Vary' AS vary
  FROM (VALUES ('200', NULL, NULL, 'GET'), ('206', 'bytes=0-9', NULL, 'GET'),
               ('304', NULL, :'etag', 'GET'), ('416', 'bytes=5000-', NULL, 'GET'),
               ('HEAD', NULL, NULL, 'HEAD')) AS s(status, r, inm, m),
       media.http(:id, s.r, s.inm, s.m) ORDER BY 1;
SELECT media.set_public(:id, true);
SELECT s.status, headers->>'Cache-Control' AS cache_control, headers ? 'Vary' AS vary
  FROM (VALUES ('200', NULL, NULL, 'GET'), ('206', 'bytes=0-9', NULL, 'GET'),
               ('304', NULL, :'etag', 'GET'), ('416', 'bytes=5000-', NULL, 'GET'),
               ('HEAD', NULL, NULL, 'HEAD')) AS s(status, r, inm, m),
       media.http(:id, s.r, s.inm, s.m) ORDER BY 1;
SELECT headers->>'Cache-Control' AS other_file_stays_private FROM media.http(:named);
SELECT media.set_public(:id, false);
SELECT headers->>'Cache-Control' AS private_again FROM media.http(:id);
SELECT media.set_public(987654321, true) AS no_such_file;
SELECT media.set_public(:id, NULL) AS null_changes_nothing;
SELECT is_public FROM media.files WHERE id = :id;
-- a reader may not publish: set_public is not granted to PUBLIC, nor UPDATE (is_public)
CREATE ROLE regress_http_reader;
GRANT USAGE ON SCHEMA media TO regress_http_reader;
GRANT SELECT ON media.files TO regress_http_reader;
SET ROLE regress_http_reader;
\set VERBOSITY terse
SELECT media.set_public(:id, true);
UPDATE media.files SET is_public = true WHERE id = :id;
\set VERBOSITY default
SELECT headers->>'Cache-Control' AS reader_sees_private FROM media.http(:id);
RESET ROLE;
-- a writer granted both may, through either
GRANT EXECUTE ON FUNCTION media.set_public(bigint, boolean) TO regress_http_reader;
GRANT UPDATE (is_public) ON media.files TO regress_http_reader;
SET ROLE regress_http_reader;
SELECT media.set_public(:id, true);
UPDATE media.files SET is_public = false WHERE id = :id;
RESET ROLE;
SELECT is_public FROM media.files WHERE id = :id;
REVOKE ALL ON media.files FROM regress_http_reader;
REVOKE ALL ON FUNCTION media.set_public(bigint, boolean) FROM regress_http_reader;
REVOKE ALL ON SCHEMA media FROM regress_http_reader;
DROP ROLE regress_http_reader;
-- the README's policy recipes around is_public
SELECT media.set_public(:id, true);
CREATE ROLE regress_http_server;
GRANT USAGE ON SCHEMA media TO regress_http_server;
GRANT SELECT ON media.files TO regress_http_server;
-- a serve role that may serve only public files
CREATE POLICY files_public_only ON media.files AS RESTRICTIVE FOR SELECT
    TO regress_http_server USING (is_public);
SET ROLE regress_http_server;
SELECT status, headers->>'Cache-Control' AS public_file FROM media.http(:id);
SELECT status, headers->>'Cache-Control' AS private_file FROM media.http(:named);
RESET ROLE;
DROP POLICY files_public_only ON media.files;
-- public files readable by every role, even under isolation
SET media.isolation = 'role';
SET SESSION AUTHORIZATION regress_http_server;  -- role isolation follows the login role
SELECT count(*) AS visible_under_role_isolation FROM media.files;
RESET SESSION AUTHORIZATION;
CREATE POLICY files_public_read ON media.files FOR SELECT USING (is_public);
SET SESSION AUTHORIZATION regress_http_server;  -- role isolation follows the login role
SELECT status, headers->>'Cache-Control' AS public_file FROM media.http(:id);
SELECT status AS private_file FROM media.http(:named);
RESET SESSION AUTHORIZATION;
DROP POLICY files_public_read ON media.files;
RESET media.isolation;
SELECT media.set_public(:id, false);
REVOKE ALL ON media.files FROM regress_http_server;
REVOKE ALL ON SCHEMA media FROM regress_http_server;
DROP ROLE regress_http_server;
