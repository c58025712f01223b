-- media.transform(): contain, cover and fill; format negotiation; the spec's
-- canonical text as the cache key; media.thumbnail() as its shorthand
CREATE TEMP TABLE src (name text PRIMARY KEY, content bytea);
-- 120x80 noisy gray JPEG with a red block near the right edge; 60x40 PNG with alpha
INSERT INTO src VALUES ('photo', '\xffd8ffe000104a46494600010100000100010000ffdb00430006040506050406060506070706080a100a0a09090a140e0f0c1017141818171416161a1d251f1a1b231c1616202c20232627292a29191f2d302d283025282928ffdb0043010707070a080a130a0a13281a161a2828282828282828282828282828282828282828282828282828282828282828282828282828282828282828282828282828ffc00011080050007803012200021101031101ffc400190001010101010100000000000000000000010002060405ffc40036100100010303010506040407000000000001110002211231415103226171f004050613819142a1b1c1143252d11523343573e1f1ffc4001a010101000301010000000000000000000000010204050607ffc400231100020202010402030000000000000000000103110204310512214106517181b1ffda000c03010002110311003f0035399307856801843bac4c65de87f9634923eb3d282312281e9a0436a964182449c7d3f5aadb42f4888e6adc57ff00694215928020622ec9e14c608211849e4a2d47523871837eb5168336cc6c78ef568136c4e30f046285b40bae94fa66b43a57f10b2b3b5137681c39ccf153c8a00d533b0087914db3a412e9ebd3d62834f21dd277c4d6bbb0cdce718c1e5401132dce3ab52e900c33005325b86d6dd5818d9a2f22d937dcceff005a00489d6903b3bd580cdcc3cd26abbbd9463cb7aaeb9cb39e08fed4411a3f9484deaa83bcb041c45558869be0c2b236c75c92e296079f39aa6e6eb8271c478fa6896d8154e9e1592058b73a73d3ae69595da7ef45974ef610f0cc537e0dd25ccbbf8d02b651aae6e531cd65ba35698489c3b94b971bc7e2e29c44a6a37976aa289257bb26d9e95068b8b7006f187ce9348703d23c38ace5948ba366233e750706a0b2db88f293155b65b337393101d3145c4b68604fe63d7eb4db6c5b110a30d10fc9316a40c0efc565dcb554eb095a3170e92d7698a8666221ddda3f3a2f028c90a25db1bf3148a5d6bbc31a5a6e34f56d99deab5efea255fa50516d20e5dc87e95565712b97c368aa89593b6cd1b24c4f11b6f59835c4dd3822dda92e8eedb8b761d9a1b9736938e78a214265b8663f4a216125e2779ad11a44890dc92800b7002b2b3fbd53203331de52022269c2325378ac4e789c4335305dd5499f1e2a728857286fca75eb51a1b6e7f170cf3577754da49d7fbd65754a75d973ebed442bc0ba9b9733e1ebe952c5e24cf97e54f782eb7af3254db3d93fd59987f4a5844a02b11e58acb741bcda3d76fafd29b8d086e0bb7ef469b776e3baecef44054d42976187355b6ca1ab4a9989dfc288825b5baed98e79ad6350309181e94299b627ba6788dfef552bcaf7a3efbd5425599bbba0c233b7e54c69b56dc713c3c55a5ba6e198ddccd698b8582030f4a304e9d0bd388acda25c92f249bcfa8a730410748fde889b52d9fa7a8a22947734acdd199a06e8232184b4ad5aba8885d9969b60b5093f5a13902e9921cbebcaa08329219cd05d7181f2c454dbab17b0311416592e4907a5236976525360dea9b26e89f1236a00ba5e86ee6afa165dddc4970f429526ebae2704d128ba8ee9185a6d6e499fc8c7a9a9443c1ef5f7aff87fca9ecbe69da0fe3d3a623c3c6be73f134bfe931ff2ff00d567e2ddbd92487bdfb573d5c8d9d996395e38ba5fa3e89d0ba1e8ede84734d1de4eedde5eb26bd33aef74fbdff8eedefecbe4fcb8b754eb99c86d1e3557cbf8509f78769be3b25938c9556f6a4d9671f765e59e63e41a30ea6e38b5f1ac697dbfed9d4e5bb0c6db3bc536e2db84f07af3d7ef45a37382e83797ed459deb5195760e9d2b64e1fa2b22d888c3b0fef489b96cbbc47d7d79d04371210f5cd2904c0c657d734044843043cf355a32daa2f28f4ab4923bf4ebb55747667776de29c0f1417e521b88220db3e9a91b82608eb13eb35a2261b917839a257496ec26debd62889436de18d4a49b2958b74ea407cf97d66b4bfd263cb8a9c634cf826de39a146d986f32bf4a488cdacb9dfef40a5bfe613cfd6b21176156163a539073ff001710fb241c5dfb573b5dafbcbddfd97b7e8f9cf696dd64c694257ccaf1bf0ffb1aa5bda7b46f04dc67f2ae5ece9c9248f3c783df745f9069e9e8e104adf72bbf1f6db3c1f0a7fb8f6bd7e531f72aafb1ec1ee9ec3d8fb4bbb5ec9ed6ebf4c45d711bcf43a555b7a90e51c7db97279cebbbd0ef6db9a17e292fa3ffd9');
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
SELECT media.transform_spec('w=64,h=64,q=0');
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
