-- Placeholders (issue 14): a ThumbHash and dominant colour for every image stored,
-- media.placeholder_url() rendering one as a PNG data URL, media.refresh_placeholders()
CREATE TEMP TABLE ph_img (name text PRIMARY KEY, content bytea);
-- a solid red 64x48 PNG, a solid blue 30x60 PNG, a solid green 40x40 GIF
INSERT INTO ph_img VALUES
  ('red.png', '\x89504e470d0a1a0a0000000d49484452000000400000003008020000002e29eb48000000404944415478daedcf410900000800b1eb5f5a2bf815062bb0a65e4b40404040404040404040404040404040404040404040404040404040404040404040e06a01a5c1f4a6b11cfbb60000000049454e44ae426082'),
  ('blue.png', '\x89504e470d0a1a0a0000000d494844520000001e0000003c0802000000fe369dc80000002e4944415478daedcc310d000008c0b0f9370d2a784893deade68c5aad56abd56ab55aad56abd56ab55aad563fab17c92f01626a9d09b60000000049454e44ae426082'),
  ('green.gif', '\x47494638396128002800f0000000ff0000000021f90400000000002c0000000028002800000227848fa9cbed0fa39cb4da8bb3debcfb0f86e24896e689a6eacab6ee0bc7f24cd7f68de7face2305003b');
-- the red image as JPEG and as lossless WebP
INSERT INTO ph_img SELECT 'red.jpg', media.transform(content, 64, 48, format => 'jpeg', quality => 95) FROM ph_img WHERE name = 'red.png';
INSERT INTO ph_img SELECT 'red.webp', media.transform(content, 64, 48, format => 'webp-lossless') FROM ph_img WHERE name = 'red.png';

-- within 8 of each channel of the expected colour
CREATE FUNCTION ph_near(color text, expected text) RETURNS boolean LANGUAGE sql AS $$
    SELECT bool_and(abs(('x' || substr(color, i, 2))::bit(8)::int - ('x' || substr(expected, i, 2))::bit(8)::int) <= 8)
      FROM generate_series(2, 6, 2) i
$$;
-- the width x height of the PNG a data URL holds
CREATE FUNCTION ph_png_size(url text) RETURNS text LANGUAGE sql AS $$
    SELECT (p->>'mime_type') || ' ' || (p->>'width') || 'x' || (p->>'height')
      FROM media.probe(media.decode_base64(url)) p
$$;

SHOW media.placeholders;
CREATE TEMP TABLE ph_ids AS
SELECT name, media.put(content, name) AS id FROM ph_img;
-- every image has a placeholder; the dominant colour is the image's colour
SELECT i.name, f.mime_type, f.placeholder IS NOT NULL AS has_placeholder,
       octet_length(f.placeholder) BETWEEN 8 AND 36 AS hash_length_ok, f.dominant_color,
       ph_near(f.dominant_color, CASE WHEN i.name LIKE 'red%' THEN '#ff0000'
                                      WHEN i.name LIKE 'blue%' THEN '#0000ff' ELSE '#00ff00' END) AS near_expected
  FROM ph_ids i JOIN media.files f ON f.id = i.id ORDER BY i.name;
-- the exact colour of the lossless ones
SELECT i.name, f.dominant_color FROM ph_ids i JOIN media.files f ON f.id = i.id
 WHERE i.name IN ('red.png', 'red.webp', 'blue.png', 'green.gif') ORDER BY i.name;
-- the same pixels give the same hash, whatever the lossless format
SELECT count(DISTINCT f.placeholder) AS red_lossless_hashes
  FROM ph_ids i JOIN media.files f ON f.id = i.id WHERE i.name IN ('red.png', 'red.webp');

-- rendered back: a PNG data URL of at most 32 px, with the image's aspect
SELECT i.name, left(media.placeholder_url(i.id), 22) AS prefix,
       ph_png_size(media.placeholder_url(i.id)) AS rendered,
       media.placeholder_url(i.id) = media.placeholder_url(f.placeholder) AS same_as_hash_form
  FROM ph_ids i JOIN media.files f ON f.id = i.id ORDER BY i.name;

-- not an image, or an image that does not decode: stored, without a placeholder
SELECT media.put(convert_to('just some text', 'UTF8'), 'note.txt') AS text_id \gset
SELECT media.put(substring(content FROM 1 FOR 60), 'cut.png') AS cut_id FROM ph_img WHERE name = 'red.png' \gset
SELECT name, mime_type, media_type, placeholder, dominant_color FROM media.files
 WHERE id IN (:text_id, :cut_id) ORDER BY id;
SELECT media.placeholder_url(:text_id) IS NULL AS no_url;
-- an image over media.max_pixels: stored, without a placeholder
SET media.max_pixels = 1000;
SELECT media.put(content || '\x00'::bytea, 'big.png') AS big_id FROM ph_img WHERE name = 'red.png' \gset
RESET media.max_pixels;
SELECT placeholder IS NULL AS no_placeholder, width, height FROM media.files WHERE id = :big_id;

-- a resumable upload gets one too
SELECT media.upload_begin('up.gif') AS up \gset
SELECT media.upload_append(:up, content) > 0 AS appended FROM ph_img WHERE name = 'green.gif';
SELECT media.upload_finish(:up) AS up_id \gset
SELECT dominant_color, placeholder = (SELECT f.placeholder FROM ph_ids i JOIN media.files f ON f.id = i.id
                                      WHERE i.name = 'green.gif') AS same_hash
  FROM media.files WHERE id = :up_id;

-- a second file of stored bytes copies the first one's placeholder (no decode): shown by
-- giving the first a different valid hash, which the copy then carries
UPDATE media.files SET placeholder = (SELECT f.placeholder FROM ph_ids i JOIN media.files f ON f.id = i.id
                                      WHERE i.name = 'blue.png')
 WHERE id = (SELECT id FROM ph_ids WHERE name = 'red.png');
SELECT media.put(content, 'red-again.png') AS again_id FROM ph_img WHERE name = 'red.png' \gset
SELECT f.placeholder = b.placeholder AS copied FROM media.files f, media.files b
 WHERE f.id = :again_id AND b.id = (SELECT id FROM ph_ids WHERE name = 'blue.png');

-- the columns hold only what pg_media writes
\set VERBOSITY sqlstate
UPDATE media.files SET dominant_color = 'red' WHERE id = :again_id;
UPDATE media.files SET placeholder = 'not a hash!' WHERE id = :again_id;
\set VERBOSITY default

-- bad placeholder text: 22023
\set VERBOSITY sqlstate
SELECT media.placeholder_url('not base64!');
SELECT media.placeholder_url('AAAA');
SELECT media.placeholder_url(repeat('A', 100));
SELECT media.placeholder_url(repeat('A', 40));
\set VERBOSITY default
SELECT media.placeholder_url('AAAA');
SELECT media.placeholder_url(NULL::text) IS NULL AS strict;
SELECT media.placeholder_url(-1);

-- media.placeholders = off: images stored without; refresh_placeholders() fills them in later
SET media.placeholders = off;
SELECT media.put(content, 'later.png') AS later_id FROM ph_img WHERE name = 'blue.png' \gset
SELECT media.put(content || '\x0001'::bytea, 'later2.png') AS later2_id FROM ph_img WHERE name = 'red.png' \gset
SELECT name, placeholder, dominant_color FROM media.files WHERE id IN (:later_id, :later2_id) ORDER BY id;
RESET media.placeholders;
-- one file at a time: it returns the last id it looked at, then null when none is left
SELECT media.refresh_placeholders(1, :later_id - 1) = :later_id AS first_batch;
SELECT name, placeholder IS NOT NULL AS filled, dominant_color
  FROM media.files WHERE id IN (:later_id, :later2_id) ORDER BY id;
SELECT media.refresh_placeholders(10, :later_id) AS last_looked_at \gset
SELECT :last_looked_at >= :later2_id AS went_past;
SELECT dominant_color FROM media.files WHERE id = :later2_id;
SELECT media.refresh_placeholders(10, :last_looked_at) IS NULL AS done;
-- undecodable images are passed over, not retried forever
SELECT count(*) AS left_without FROM media.files WHERE id IN (:cut_id, :big_id) AND placeholder IS NULL;
SELECT media.refresh_placeholders() IS NOT NULL AS looked_at_them;
-- the image refused under a lower media.max_pixels gets one now; the damaged one never
SELECT name, placeholder IS NOT NULL AS filled FROM media.files WHERE id IN (:cut_id, :big_id) ORDER BY id;
SELECT media.refresh_placeholders(1000, :cut_id - 1) IS NOT NULL AS looked_again;
SELECT placeholder IS NULL AS still_none FROM media.files WHERE id = :cut_id;
SELECT media.refresh_placeholders(0);

-- owner isolation: the id form reads media.files as the caller; refresh is for administrators
CREATE ROLE regress_ph_alice;
CREATE ROLE regress_ph_bob;
GRANT USAGE ON SCHEMA media TO regress_ph_alice, regress_ph_bob;
GRANT SELECT ON media.files TO regress_ph_alice, regress_ph_bob;
GRANT EXECUTE ON FUNCTION media.put(bytea, text, text, jsonb) TO regress_ph_alice, regress_ph_bob;
SELECT content AS blue FROM ph_img WHERE name = 'blue.png' \gset
SET media.isolation = 'role';
SET SESSION AUTHORIZATION regress_ph_alice;
SELECT media.put(:'blue', 'alice.png') AS alice_id \gset
SELECT dominant_color, left(media.placeholder_url(:alice_id), 22) AS alice_sees FROM media.files WHERE id = :alice_id;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_ph_bob;
\set VERBOSITY sqlstate
SELECT media.placeholder_url(:alice_id);
SELECT media.refresh_placeholders();
\set VERBOSITY default
RESET SESSION AUTHORIZATION;
RESET media.isolation;
DELETE FROM media.files WHERE owner LIKE 'regress_ph_%';
DROP OWNED BY regress_ph_alice, regress_ph_bob;
DROP ROLE regress_ph_alice, regress_ph_bob;
