-- quarantine (media.require_scan) and active content
CREATE ROLE regress_scanner;
CREATE ROLE regress_webapp;
GRANT USAGE ON SCHEMA media TO regress_scanner, regress_webapp;
GRANT SELECT ON media.files TO regress_scanner, regress_webapp;
GRANT UPDATE (scan_status, scan_detail, scanned_at) ON media.files TO regress_scanner;
GRANT EXECUTE ON FUNCTION media.set_scan_result(bigint, boolean, text) TO regress_scanner;

SET media.require_scan = on;
SELECT media.put('just some uploaded text', 'notes.txt') AS clean_one \gset
SELECT media.put(convert_to('X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*', 'UTF8'), 'eicar.com') AS bad_one \gset
RESET media.require_scan;
SELECT id = :clean_one AS is_clean_one, scan_status FROM media.files WHERE id IN (:clean_one, :bad_one) ORDER BY id;

-- nothing is served while pending
SET ROLE regress_webapp;
SELECT media.get(:clean_one);
SELECT media.read(:clean_one, 0, 4);
SELECT status FROM media.http(:clean_one);
SELECT count(*) FROM media.parts(:clean_one);
-- with its own SQLSTATE: PM423 while the scan is pending
SELECT try(format('SELECT media.get(%s)', :clean_one));
RESET ROLE;

-- the scanner reads pending content through parts() and records verdicts
SET ROLE regress_scanner;
SELECT id, string_agg(data, ''::bytea ORDER BY start) LIKE '%EICAR%'::bytea AS infected
  FROM media.files f, media.parts(f.id) p
 WHERE f.scan_status = 'pending' GROUP BY id ORDER BY id;
SELECT media.set_scan_result(:clean_one, true);
SELECT media.set_scan_result(:bad_one, false, 'Eicar-Signature');
SELECT media.set_scan_result(-1, true) AS unknown_file;
SELECT media.get(:clean_one);
RESET ROLE;

SELECT id = :clean_one AS is_clean_one, scan_status, scan_detail, scanned_at IS NOT NULL AS scanned
  FROM media.files WHERE id IN (:clean_one, :bad_one) ORDER BY id;
SET ROLE regress_webapp;
SELECT media.get(:clean_one);
SELECT status FROM media.http(:bad_one);
-- PM403 once the scanner found a threat
SELECT try(format('SELECT media.get(%s)', :bad_one));
-- only scanners may record verdicts
SELECT media.set_scan_result(:bad_one, true);
RESET ROLE;

-- active content: HTML, XHTML, XML and SVG are refused unless allowed ...
SELECT media.put('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>', 'x.jpg', 'image/jpeg');
SELECT media.put('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>', 'logo.svg', 'image/svg+xml');
SELECT media.put('<?xml version="1.0"?><note><to>x</to></note>', 'n.xml');
SELECT media.upload_begin('page.png') AS up \gset
SELECT media.upload_append(:up, '<html><script>alert(1)</script></html>') AS received;
SELECT media.upload_finish(:up);
-- refused with its own SQLSTATE, PM415 (22023 stays for invalid arguments)
SELECT try(format('SELECT media.upload_finish(%s)', :up));
SELECT try($$SELECT media.put('<svg xmlns="http://www.w3.org/2000/svg"/>'::bytea)$$);
SELECT try(format('SELECT media.upload_abort(%s)', :up));
-- ... and when allowed, stored as what they are and served inert
SET media.allow_active_content = on;
SELECT media.put('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>', 'logo.png', 'image/png') AS svg \gset
SELECT media.put('<!doctype html><html><script>alert(1)</script></html>', 'x.jpg', 'image/jpeg') AS html \gset
RESET media.allow_active_content;
SELECT name, declared_type, mime_type FROM media.files WHERE id IN (:svg, :html) ORDER BY id;
SELECT headers->>'Content-Type' AS type, headers->>'Content-Security-Policy' AS csp,
       split_part(headers->>'Content-Disposition', ';', 1) AS disposition,
       headers->>'X-Content-Type-Options' AS nosniff
  FROM media.http(:svg);
SELECT headers->>'Content-Type' AS type, headers->>'Content-Security-Policy' AS csp,
       split_part(headers->>'Content-Disposition', ';', 1) AS disposition,
       headers->>'X-Content-Type-Options' AS nosniff
  FROM media.http(:html);
-- a non-superuser cannot allow active content for itself
SET ROLE regress_webapp;
SET media.allow_active_content = on;
RESET ROLE;

DELETE FROM media.files WHERE id IN (:clean_one, :bad_one, :svg, :html);
REVOKE ALL ON media.files FROM regress_scanner, regress_webapp;
REVOKE ALL ON FUNCTION media.set_scan_result(bigint, boolean, text) FROM regress_scanner;
REVOKE ALL ON SCHEMA media FROM regress_scanner, regress_webapp;
DROP ROLE regress_scanner;
DROP ROLE regress_webapp;
