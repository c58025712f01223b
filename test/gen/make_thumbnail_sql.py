#!/usr/bin/env python3
"""Writes sql/thumbnail.sql: thumbnails of hand-built PNG and BMP images and of
JPEGs made from them in the test itself.  Run from the repository root:
    python3 test/gen/make_thumbnail_sql.py > sql/thumbnail.sql"""
import struct, zlib

def png_chunk(t, d):
    return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)

def png(w, h, ct, depth, rows, extra=b''):
    ihdr = struct.pack('>IIBBBBB', w, h, depth, ct, 0, 0, 0)
    raw = b''.join(b'\0' + r for r in rows)
    return (b'\x89PNG\r\n\x1a\n' + png_chunk(b'IHDR', ihdr) + extra +
            png_chunk(b'IDAT', zlib.compress(raw, 9)) + png_chunk(b'IEND', b''))

def rgb_rows(w, h):
    # red in the top-left quadrant, blue elsewhere, a soft gradient on top
    rows = []
    for y in range(h):
        r = bytearray()
        for x in range(w):
            if x < w // 2 and y < h // 2:
                r += bytes([230, 20 + (x % 16), 20])
            else:
                r += bytes([20, 40 + (y % 16), 220])
        rows.append(bytes(r))
    return rows

def rgba_rows(w, h):
    return [bytes(sum(([200, 100, 50, 0 if x < w // 2 else 255] for x in range(w)), [])) for y in range(h)]

def bmp(w, h):
    row = ((w * 3 + 3) // 4) * 4
    data = b''
    for y in range(h):                       # bottom-up
        line = bytearray()
        for x in range(w):
            line += bytes([200, 120, 40])    # BGR
        data += bytes(line) + b'\0' * (row - w * 3)
    info = struct.pack('<IiiHHIIiiII', 40, w, h, 1, 24, 0, len(data), 2835, 2835, 0, 0)
    return b'BM' + struct.pack('<IHHI', 14 + 40 + len(data), 0, 0, 54) + info + data

fixtures = {
    'rgb': png(400, 200, 2, 8, rgb_rows(400, 200)),
    'rgba': png(120, 80, 6, 8, rgba_rows(120, 80)),
    'palette': png(64, 32, 3, 8, [bytes([(x // 8) % 3 for x in range(64)]) for _ in range(32)],
                   extra=png_chunk(b'PLTE', b'\xff\x00\x00\x00\xff\x00\x00\x00\xff') + png_chunk(b'tRNS', b'\x80')),
    'gray16': png(50, 100, 0, 16, [b''.join(struct.pack('>H', (x * 1300) & 0xffff) for x in range(50)) for _ in range(100)]),
    'bomb': png(100000, 100000, 2, 8, [b'']),
    'bmp': bmp(50, 40),
}
exif6 = (b'\xff\xe1' + struct.pack('>H', 8 + 26) + b'Exif\0\0' + b'MM\x00\x2a\x00\x00\x00\x08' + b'\x00\x01' +
         b'\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00' + b'\x00\x00\x00\x00')

# A 96x64 baseline JPEG written by libjpeg with its default (not optimized)
# Huffman tables, quality 92: what many cameras and apps produce.
PLAIN_JPEG_HEX = ('ffd8ffe000104a46494600010100000100010000ffdb004300030202020202030202020303030304060404040404080606050609080a0a090809090a0c0f0c0a0b0e0b09090d110d0e0f101011100a0c12131210130f101010ffdb00430103030304030408040408100b090b1010101010101010101010101010101010101010101010101010101010101010101010101010101010101010101010101010ffc00011080040006003012200021101031101ffc4001f0000010501010101010100000000000000000102030405060708090a0bffc400b5100002010303020403050504040000017d01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffc4001f0100030101010101010101010000000000000102030405060708090a0bffc400b51100020102040403040705040400010277000102031104052131061241510761711322328108144291a1b1c109233352f0156272d10a162434e125f11718191a262728292a35363738393a434445464748494a535455565758595a636465666768696a737475767778797a82838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae2e3e4e5e6e7e8e9eaf2f3f4f5f6f7f8f9faffda000c03010002110311003f00f03d3ed3a715d2e9f69d38aa5a7da74e2ba6d3ed3a715f88e33107fa0b8fc56e5dd3ed3a715d2e9f69d38aa7a7da74e2ba5d3ed3a715f298cc41f138fc56e5dd3ed3a715d2e9f69d38aa7a7da74e2ba5d3ed3a715f2b8cc41f138fc56e790e9f69d38ae9b4fb4e9c552d3ed3a715d369f69d38aff4ff0019883fc86c7e2b72ee9f69d38ae974fb4e9c552d3ed3a715c0fed23f193fe14cf8117fb1e7d9e27d777c1a3eeb6f3523d853ce99b3851b15c6d07765d932aca1f1e150c362336c5c30585579cdd97eadf92576df449b3e730f84c56798ea79760d5ea54765fab76be895db7d126cf08fdb23e34cbe21d78fc22f0cdecc9a5e8d2ffc4ea48674315f5d6119623b7276c2410c0b0fdee414062563f3de9f69d38aa7a7da74e2ba5d3ed3a715fd2596e5b87e1fc0430186da3bbeb293de4fd5fdcac96891fd719465185e17cb29e5984da2b57d6527f149efab7e6ecad15a247bc69f69d38ae974fb4e9c553d3ed3a715d2e9f69d38aff21319883fd2cc7e2b72ee9f69d38ae974fb4e9c553d3ed3a715d2e9f69d38af94c6620f89c7e2b72ee9f69d38ae974fb4e9c553d3ed3a715d369f69d38af95c6620f8ac7e2b73c834fb4e9c574da7da74e2a9e9f69d38ae974fb4e9c57fa7f8cc41fe4363f15b90eabad683e0ed06f3c4de27d4a1d3b4bd3e2f3ae6e66276a2e70000396624855500b33100024815f9b1f137e226b3f17fc777de37d620fb37da76c56b66b33c89696e83091296fc59880a0bbbb055dd8af6bfdb23e34cbe21d78fc22f0cdecc9a5e8d2ffc4ea48674315f5d6119623b7276c2410c0b0fdee414062563f3de9f69d38afd8bc3de1cfecac27f6ae297ef6aaf77fbb0dd7ce5a37d95968ee8fdf7c2ce13fec5c0bceb191fdfd75eeafe5a6f55f39e8def68f2ad1f322ee9f69d38ae9b4fb4e9c552d3ed3a715d2e9f69d38afabc6620fb5c7e2b72ee9f69d38ae9b4fb4e9c552d3ed3a715d369f69d38af95c6620f89c7e2b72e69f69d38ae9b4fb4e9c552d3ed3a715d369f69d38af95c6620f8ac7e2b72e69f69d38ae9b4fb4e9c552d3ed3a715d369f69d38af94c6620f8ac7e2b72e69f69d38ae07f691f8c9ff000a67c08bfd8f3ecf13ebbbe0d1f75b79a91ec29e74cd9c28d8ae3683bb2ec995650f8f45d575ad07c1da0de789bc4fa943a7697a7c5e75cdccc4ed45ce000072cc490aaa0166620004902bf363e26fc44d67e2ff008eefbc6fac41f66fb4ed8ad6cd667912d2dd0612252df8b31014177760abbb15ebf0470e7fac38ff00ac6257fb3d2b397694ba47cfbcb7d3476e64cf77c3ae13ff005ab33fad62e37c35169cafb4e5f661aeebacb7f77476e64ce6b4fb4e9c574ba7da74e2a9e9f69d38ae9b4fb4e9c57eed8cc41fd2b8fc56e5cd3ed3a715d369f69d38aa5a7da74e2ba6d3ed3a715f2b8cc41f138fc56e5cd3ed3a715d369f69d38aa5a7da74e2ba6d3ed3a715f2b8cc41f158fc56e5cd3ed3a715d369f69d38aa5a7da74e2ba6d3ed3a715f298cc41f138fc56e5dd3ed3a715d2e9f69d38aa5a7da74e2b81fda47e327fc299f022ff63cfb3c4faeef8347dd6de6a47b0a79d33670a362b8da0eecbb2655943e3c2a186c466d8b860b0aaf39bb2fd5bf24aedbe89367ce61f098acf31d4f2ec1abd4a8ecbf56ed7d12bb6fa24d9e11fb647c6997c43af1f845e19bd9934bd1a5ff0089d490ce862bebac232c476e4ed848218161fbdc8280c4ac7e7bd3ed3a7154f4fb4e9c574ba7da74e2bfa4b2dcb70fc3f8086030db4777d6527bc9fabfb9592d123fae328ca30bc2f9653cb309b456afaca4fe293df56fcdd95a2b448bba7da74e2ba5d3ed3a7154f4fb4e9c574da7da74e2bcdc6620f1f1f8adcb9a7da74e2ba6d3ed3a7154b4fb4e9c574da7da74e2be5719883e2b1f8adcffd9')

out = ['-- media.thumbnail(): fit the box, keep the display aspect, never enlarge, cache by content',
       '-- (generated by test/gen/make_thumbnail_sql.py)',
       'CREATE TEMP TABLE img (name text PRIMARY KEY, content bytea);']
for k, v in fixtures.items():
    out.append("INSERT INTO img VALUES ('%s', '\\x%s');" % (k, v.hex()))
out.append("INSERT INTO img VALUES ('plain-jpeg', '\\x%s');" % PLAIN_JPEG_HEX)
out.append("-- a JPEG made here from the RGB PNG, and the same JPEG with EXIF orientation 6 (rotate 90° clockwise)")
out.append("INSERT INTO img SELECT 'jpeg', media.thumbnail(content, 400, 200, 'jpeg') FROM img WHERE name = 'rgb';")
out.append("INSERT INTO img SELECT 'jpeg-rot6', '\\xffd8'::bytea || '\\x%s'::bytea || substring(content FROM 3) FROM img WHERE name = 'jpeg';" % exif6.hex())
out += r'''
-- every source: what the probe says, and the thumbnail's size in a 64x64 box
SELECT name, media.sniff(content) AS source_type,
       (media.probe(content)->>'width') || 'x' || (media.probe(content)->>'height') AS display_size,
       media.sniff(media.thumbnail(content, 64, 64)) AS jpeg_out,
       (media.probe(media.thumbnail(content, 64, 64))->>'width') || 'x' ||
       (media.probe(media.thumbnail(content, 64, 64))->>'height') AS fits_64,
       media.sniff(media.thumbnail(content, 64, 64, 'png')) AS png_out
  FROM img WHERE name <> 'bomb' ORDER BY name;

-- never enlarged: a box bigger than the image keeps its size
SELECT (media.probe(t)->>'width') || 'x' || (media.probe(t)->>'height') AS size
  FROM img, media.thumbnail(content, 1000, 1000, 'png') t WHERE name = 'rgba';
-- a thin box: fits inside it, aspect kept, at least one pixel
SELECT name, (media.probe(t)->>'width') || 'x' || (media.probe(t)->>'height') AS size
  FROM img, media.thumbnail(content, 1000, 3) t WHERE name IN ('rgb', 'jpeg-rot6') ORDER BY name;

-- orientation: the red quadrant of the stored image is top-left; after a 90°
-- clockwise rotation it is top-right.  px() reads the leftmost (x = 0) or
-- rightmost (x = -1) pixel of the first row of an 8-bit RGB PNG, undoing the
-- row's filter (for the first row, Up is None and Paeth is Sub).
CREATE FUNCTION px(png bytea, x int) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    at int := position('IDAT'::bytea IN png);
    len int := (get_byte(png, at - 3) << 8) + get_byte(png, at - 2);
    raw bytea := media.inflate(substring(png FROM at + 4 FOR len));
    filter int := get_byte(raw, 0);
    prev int[] := ARRAY[0, 0, 0];
    cur int[] := ARRAY[0, 0, 0];
    i int;
    c int;
BEGIN
    IF x < 0 THEN
        x := (get_byte(png, 18) << 8) + get_byte(png, 19) - 1;   -- IHDR width - 1
    END IF;
    FOR i IN 0..x LOOP
        FOR c IN 1..3 LOOP
            cur[c] := get_byte(raw, 1 + 3 * i + c - 1);
            IF filter IN (1, 4) THEN
                cur[c] := (cur[c] + prev[c]) % 256;
            ELSIF filter = 3 THEN
                cur[c] := (cur[c] + prev[c] / 2) % 256;
            END IF;
        END LOOP;
        prev := cur;
    END LOOP;
    RETURN CASE WHEN cur[1] > cur[3] THEN 'red' ELSE 'blue' END;
END $$;
SELECT name, (media.probe(t)->>'width') || 'x' || (media.probe(t)->>'height') AS size,
       px(t, 0) AS top_left, px(t, -1) AS top_right
  FROM img, media.thumbnail(content, 8, 8, 'png') t WHERE name IN ('rgb', 'jpeg', 'jpeg-rot6') ORDER BY name;

-- alpha: kept in PNG, composited on white in JPEG
SELECT media.probe(media.thumbnail(content, 32, 32, 'png'))->>'has_alpha' AS png_alpha,
       media.probe(media.thumbnail(content, 32, 32, 'jpeg'))->>'components' AS jpeg_components
  FROM img WHERE name = 'rgba';

-- errors, each with its SQLSTATE, and no partial result
\set VERBOSITY sqlstate
SELECT media.thumbnail(content, 64, 64) FROM img WHERE name = 'bomb';
SELECT media.thumbnail('hello'::bytea, 64, 64);
SELECT media.thumbnail(substring(content FROM 1 FOR 200), 64, 64) FROM img WHERE name = 'rgb';
SELECT media.thumbnail(content, 0, 64) FROM img WHERE name = 'rgb';
SELECT media.thumbnail(content, 64, 100000) FROM img WHERE name = 'rgb';
SELECT media.thumbnail(content, 64, 64, 'gif') FROM img WHERE name = 'rgb';
\set VERBOSITY default
SELECT media.thumbnail(content, 64, 64) FROM img WHERE name = 'bomb';
SET media.max_pixels = 1000;
SELECT media.thumbnail(content, 64, 64) FROM img WHERE name = 'rgb';
RESET media.max_pixels;

-- stored files: the second call returns the cached bytes
SELECT media.put(content, 'photo.jpg') AS photo FROM img WHERE name = 'jpeg-rot6' \gset
SELECT count(*) AS cached_before FROM media.derivatives;
SELECT media.thumbnail(:photo, 100, 100) = media.thumbnail(content, 100, 100) AS same_as_uncached
  FROM img WHERE name = 'jpeg-rot6';
SELECT spec, mime_type, width, height, byte_size > 0 AS has_bytes FROM media.derivatives ORDER BY spec;
SELECT media.thumbnail(:photo, 100, 100) IS NOT NULL AS second_call;
SELECT count(*) AS cached_after_second_call FROM media.derivatives;
SET media.thumbnail_quality = 40;
SELECT length(media.thumbnail(:photo, 100, 100)) < (SELECT byte_size FROM media.derivatives WHERE spec LIKE '%q82') AS lower_quality_is_smaller;
RESET media.thumbnail_quality;
SELECT media.thumbnail(:photo, 100, 100, 'png') IS NOT NULL AS png;
SELECT spec FROM media.derivatives ORDER BY spec;

-- the cache serves every file with the same content
SELECT media.put(content, 'same-bytes.jpg') AS twin FROM img WHERE name = 'jpeg-rot6' \gset
SELECT media.thumbnail(:twin, 100, 100) = media.thumbnail(:photo, 100, 100) AS shared, count(*) AS cached
  FROM media.derivatives;

-- a read-only transaction computes without caching (as a hot standby does)
BEGIN READ ONLY;
SELECT length(media.thumbnail(:photo, 48, 48)) > 0 AS computed;
SELECT count(*) AS cached FROM media.derivatives WHERE spec LIKE 'thumbnail 48x48%';
COMMIT;

-- removing the source removes its derivatives (once no file has those bytes)
SELECT media.remove(:photo) AS removed;
SELECT count(*) AS still_cached FROM media.derivatives;
SELECT media.remove(:twin) AS removed;
SELECT count(*) AS cached_after_removal FROM media.derivatives;
SELECT count(*) AS orphan_blobs FROM media.blobs b
 WHERE NOT EXISTS (SELECT 1 FROM media.files f WHERE f.blob_id = b.id)
   AND NOT EXISTS (SELECT 1 FROM media.derivatives d WHERE d.blob_id = b.id);
SELECT media.thumbnail(:photo, 100, 100);

-- lossless JPEG optimization on put (opt-in): smaller or unchanged, same pixels
SET media.optimize_jpeg = progressive;
SELECT media.put(content, 'optimized.jpg') AS opt FROM img WHERE name = 'plain-jpeg' \gset
RESET media.optimize_jpeg;
SELECT attrs ? 'jpeg_optimized' AS optimized, (attrs->>'original_size')::int = length(content) AS original_size_recorded,
       byte_size < length(content) AS smaller, media.probe(media.get(:opt))->>'progressive' AS progressive
  FROM media.files f, img i WHERE f.id = :opt AND i.name = 'plain-jpeg';
SELECT media.thumbnail(media.get(:opt), 96, 64, 'png') = media.thumbnail(content, 96, 64, 'png') AS same_pixels
  FROM img WHERE name = 'plain-jpeg';
SELECT media.put(content, 'as-is.jpg') AS asis FROM img WHERE name = 'plain-jpeg' \gset
SELECT attrs ? 'jpeg_optimized' AS optimized_by_default, media.get(:asis) = content AS unchanged
  FROM media.files f, img i WHERE f.id = :asis AND i.name = 'plain-jpeg';
DELETE FROM media.files WHERE id IN (:opt, :asis);
DROP FUNCTION px(bytea, int);
'''.split('\n')
print('\n'.join(out))
