-- media.transform(): contain, cover and fill; format negotiation; the spec's
-- canonical text as the cache key; media.thumbnail() as its shorthand
CREATE TEMP TABLE src (name text PRIMARY KEY, content bytea);
-- 120x80 gray JPEG with a red block near the right edge; 60x40 PNG with alpha
INSERT INTO src VALUES ('photo', '\xffd8ffe000104a46494600010100000100010000ffdb0043000503040404030504040405050506070c08070707070f0b0b090c110f1212110f111113161c1713141a1511111821181a1d1d1f1f1f13172224221e241c1e1f1effdb0043010505050706070e08080e1e1411141e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1effc00011080050007803012200021101031101ffc4001800010101010100000000000000000000000005060407ffc40032100100000305020b0900000000000000000001020503041112130651141516313541447383b2c2244253616592a3d2e2ffc4001801010101010100000000000000000000000006050704ffc4002311010001030500020301000000000000000001020305040611123121415171b1d1ffda000c03010002110311003f00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000975eabf15e8fb3eb6ae6f7f2e1861f28ef4be577d3ff0037f26def62f13d2cba7f5baebf6afd545157c471f51f875edafb5f15aec55ad46a2d76ae7b733daa8f2a98fa988f21b7a1d778cef73d8705d2cb6719f36a66eb8430e686f11b61fa5ad7b88f9a51a78fbd5deb3dab9e6511bbb1da6c7e4a6c69a9eb4f113c7333efee665b201ed4c00000000000000032fb7bd8bc4f4b2ef41abd2aef53d2d79ed65d3c70c918439f0df08ee7072569ff001af5f74bfab0b598fbd76f555d3e4ff8eadb6b776371d8cb5a6bf33da9e79e239f6a99fe4a5ec3f4b5af711f34a2fd2a8b75a75e26b7b0b4b69a69a4c9184f1846186308f5421b868e82c5562d74afd46eeac9d8c9e42751a7e7af111f31c78fffd9');
INSERT INTO src VALUES ('alpha', '\x89504e470d0a1a0a0000000d494844520000003c000000280806000000a2bb99ff000000524944415468deedd2c10d00101444c195086d6b9b0b6538fcd90e5e66db4d560aadefcc940a3e19214c983061c2840913264c98b06097264c983061c2840913264c58b04b13264c983061c284091326fc710f69d9291d433cfa990000000049454e44ae426082');
CREATE FUNCTION size_of(img bytea) RETURNS text LANGUAGE sql AS
  $$ SELECT (media.probe(img)->>'width') || 'x' || (media.probe(img)->>'height') $$;

-- every resize mode's output size, for a wide and a tall box (never enlarged)
SELECT r AS resize, box,
       size_of(media.transform(content, w, h, resize => r, format => 'png')) AS out_size
  FROM src, unnest(ARRAY['contain', 'cover', 'fill']) r,
       (VALUES ('100x100', 100, 100), ('50x150', 50, 150), ('200x200', 200, 200)) b(box, w, h)
 WHERE name = 'photo' ORDER BY r, box;
-- cover crops by gravity: the window that keeps the red block is not the middle one
SELECT g AS gravity, size_of(t) AS out_size,
       t = media.transform(content, 40, 80, resize => 'cover', format => 'png') AS same_as_centre
  FROM src, unnest(ARRAY['centre', 'attention', 'entropy']) g,
       media.transform(content, 40, 80, resize => 'cover', gravity => g, format => 'png') t
 WHERE name = 'photo' ORDER BY g;

-- output formats, each recognized by the probe
SELECT f AS format, media.sniff(t) AS mime, size_of(t) AS out_size
  FROM src, unnest(ARRAY['jpeg', 'png', 'webp', 'webp-lossless', 'avif']) f,
       media.transform(content, 64, 64, format => f) t
 WHERE name = 'photo' ORDER BY f;

-- format 'auto' by the Accept header value (no value: JPEG, or PNG for alpha)
SELECT name, coalesce(a, '(none)') AS accept, media.sniff(media.transform(content, 32, 32, accept => a)) AS mime
  FROM src, unnest(ARRAY[NULL,
                         'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8',
                         'image/webp,image/apng,image/*,*/*;q=0.8',
                         'image/avif;q=0,image/webp;q=0.5,image/jpeg',
                         '*/*',
                         'image/png',
                         'text/html']) a
 ORDER BY name, accept;
-- an explicit format is kept whatever the Accept value
SELECT media.sniff(media.transform(content, 32, 32, format => 'png', accept => 'image/avif')) AS explicit
  FROM src WHERE name = 'photo';
-- NULL box: NULL result, as for a strict function
SELECT media.transform(content, NULL, 32) IS NULL AS null_width FROM src WHERE name = 'photo';

-- the canonical spec: one text for every spelling, what does not apply left out
SELECT s AS spelled, media.transform_spec(s) AS canonical
  FROM unnest(ARRAY['w=256,h=256',
                    'h=256 & W=256 & fit=COVER & gravity=center & f=jpg & quality=82',
                    'w=256,h=256,resize=cover,gravity=centre,format=jpeg,q=82',
                    'w=64,h=64,format=png,q=10,gravity=entropy',
                    'w=64,h=64,resize=fill,format=webp-lossless']) s;
SELECT media.transform_spec('w=64,h=64', 'image/avif,image/webp,*/*') AS negotiated;

-- errors: 22023 with a detail or hint saying what is allowed
SELECT media.transform(content, 64, 64, quality => 0) FROM src WHERE name = 'photo';
SELECT media.transform(content, 64, 64, quality => 101) FROM src WHERE name = 'photo';
SELECT media.transform(content, 64, 64, quality => -5) FROM src WHERE name = 'photo';
SELECT media.transform(content, 0, 64) FROM src WHERE name = 'photo';
SELECT media.transform(content, 64, 64, resize => 'crop') FROM src WHERE name = 'photo';
SELECT media.transform(content, 64, 64, gravity => 'north') FROM src WHERE name = 'photo';
SELECT media.transform(content, 64, 64, format => 'gif') FROM src WHERE name = 'photo';
SELECT media.transform_spec('w=64,h=64,dpr=2');
SELECT media.transform_spec('w=64');
SELECT media.transform_spec('w=64,h=64,q=500');
-- the quality bounds themselves are allowed
SELECT length(media.transform(content, 16, 16, format => 'webp', quality => 1)) > 0 AS q1,
       length(media.transform(content, 16, 16, format => 'avif', quality => 100)) > 0 AS q100
  FROM src WHERE name = 'photo';

-- stored files: cached under the canonical spec, whatever the spelling
SET media.thumbnail_sizes = '64x64';
SELECT media.put(content, 'photo.jpg') AS photo FROM src WHERE name = 'photo' \gset
SELECT count(*) AS cached_before FROM media.derivatives;
SELECT size_of(media.transform(:photo, 64, 64, resize => 'cover', gravity => 'attention', format => 'webp')) AS first_call;
SELECT spec, mime_type, width, height FROM media.derivatives ORDER BY spec;
-- the same spec spelled differently: a cache hit (no new row, the same bytes)
SELECT media.transform(:photo, 64, 64, 'COVER', 'WebP', 82, 'attention') =
       media.transform(:photo, 64, 64, resize => 'cover', gravity => 'attention', format => 'webp') AS same_bytes;
SELECT count(*) AS cached_after_respelling FROM media.derivatives;
-- format auto for a WebP-accepting client shares the 'format=webp' entry
SELECT media.transform(:photo, 64, 64, resize => 'cover', gravity => 'attention', accept => 'image/webp,*/*') =
       media.transform(:photo, 64, 64, resize => 'cover', gravity => 'attention', format => 'webp') AS auto_shares_entry;
SELECT count(*) AS cached_after_auto FROM media.derivatives;
-- media.thumbnail() is media.transform() with contain: one entry for both
SELECT media.thumbnail(:photo, 64, 64) = media.transform(:photo, 64, 64, format => 'jpeg') AS thumbnail_is_transform,
       media.thumbnail(:photo, 64, 64) = media.thumbnail(content, 64, 64) AS same_as_uncached
  FROM src WHERE name = 'photo';
SELECT spec, mime_type, width, height FROM media.derivatives ORDER BY spec;
-- boxes outside media.thumbnail_sizes are computed, never cached, in every mode
SELECT size_of(media.transform(:photo, 65, 65, resize => 'fill')) AS unlisted;
SELECT count(*) AS cached_after_unlisted FROM media.derivatives;
-- the budget applies to every transform: a result over media.max_derivatives_size is not kept
SET media.max_derivatives_size = '1kB';
SELECT size_of(t) AS over_budget, length(t) > 1024 AS larger_than_cap
  FROM media.transform(:photo, 64, 64, format => 'png') t;
SELECT count(*) AS png_cached FROM media.derivatives WHERE spec LIKE '%format=png%';
RESET media.max_derivatives_size;
RESET media.thumbnail_sizes;
SELECT media.remove(:photo) AS removed;
SELECT count(*) AS cached_after_removal FROM media.derivatives;
DROP FUNCTION size_of(bytea);
