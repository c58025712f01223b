-- media.put(), media.get(), media.read(), media.parts()
SET media.owner = 'tester';

-- a 3x2 PNG, declared by the client as a JPEG: the bytes decide
SELECT '\x89504e470d0a1a0a0000000d49484452000000030000000208020000001216f14d0000001c49444154789c6360d008a85870e283840303bb7e78fdf2f3dfe5dd01450f0780be6add9d0000000049454e44ae426082'::bytea AS png \gset
SELECT media.put(:'png', 'holiday/photo.JPG', 'image/jpeg', '{"album": "summer"}') AS png_id \gset
SELECT name, original_name, declared_type, mime_type, media_type, byte_size, width, height,
       duration_ms, encode(sha256, 'hex') = encode(sha256(:'png'::bytea), 'hex') AS sha_ok,
       etag = '"' || encode(sha256, 'hex') || '"' AS etag_ok, is_compressed, attrs, owner,
       scan_status, created_at = updated_at AS fresh
  FROM media.files WHERE id = :png_id;
SELECT media.get(:png_id) = :'png'::bytea AS same_bytes;

-- the same bytes again: a second file row, one stored copy
SELECT media.put(:'png', 'copy.png') AS png_id2 \gset
SELECT count(*) AS files, count(DISTINCT blob_id) AS blobs FROM media.files WHERE id IN (:png_id, :png_id2);
SELECT count(*) AS chunk_rows FROM media.chunks c JOIN media.files f ON f.blob_id = c.blob_id WHERE f.id = :png_id;

-- a GIF and a JPEG header, sniffed and sized from their bytes
SELECT media.put('\x47494638396105000400800000000000ffffff2c0000000005000400000204848fa90b003b', 'a.png') AS gif_id \gset
SELECT media.put('\xffd8ffe000104a46494600010100000100010000ffc000110801e0028003012200021101031101ffd9', 'b') AS jpg_id \gset
SELECT id = :gif_id AS is_gif, name, mime_type, media_type, width, height
  FROM media.files WHERE id IN (:gif_id, :jpg_id) ORDER BY id;

-- names: no directory parts, no control characters, at most 255 bytes
CREATE FUNCTION stored_name(client_name text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    new_id bigint := media.put('x', client_name);
BEGIN
    RETURN (SELECT f.name FROM media.files f WHERE f.id = new_id);
END $$;
SELECT stored_name('../../etc/passwd');
SELECT stored_name(E'C:\\Users\\me\\report\x01.pdf');
SELECT stored_name(E'\u202Egnp.exe');
SELECT stored_name('..');
SELECT stored_name(NULL);
SELECT octet_length(n), n LIKE '%.jpeg' AS kept_extension
  FROM stored_name(repeat('é', 300) || '.jpeg') n;
DROP FUNCTION stored_name(text);

-- an empty file
SELECT media.put('', 'empty.txt') AS empty_id \gset
SELECT byte_size, mime_type, media.get(:empty_id) = '' AS empty FROM media.files WHERE id = :empty_id;
SELECT media.read(:empty_id, 0, 10) = '' AS empty_read;

-- a file of many chunks
SET media.chunk_size = '8kB';
SELECT decode(string_agg(lpad(to_hex((i * 7 + i / 256) % 256), 2, '0'), ''), 'hex') AS big
  FROM generate_series(0, 99999) i \gset
SELECT media.put(:'big', 'big.bin') AS big_id \gset
RESET media.chunk_size;
SELECT mime_type, byte_size FROM media.files WHERE id = :big_id;
SELECT count(*) AS chunks, min(size), max(size), sum(size)
  FROM media.chunks c JOIN media.files f ON f.blob_id = c.blob_id WHERE f.id = :big_id;
SELECT media.get(:big_id) = :'big'::bytea AS whole_ok;

-- ranges: within a chunk, across chunks, clamped at the end, empty past it
SELECT media.read(:big_id, 10, 20) = substring(:'big'::bytea FROM 11 FOR 20) AS within;
SELECT media.read(:big_id, 8000, 20000) = substring(:'big'::bytea FROM 8001 FOR 20000) AS across;
SELECT length(media.read(:big_id, 99990, 100)) AS clamped,
       media.read(:big_id, 99990, 100) = substring(:'big'::bytea FROM 99991) AS clamped_ok;
SELECT length(media.read(:big_id, 100000, 10)) AS at_end, length(media.read(:big_id, 5000000000, 10)) AS past_end;
SELECT length(media.read(:big_id, 0, 0)) AS zero_length;
SELECT media.read(:big_id, -1, 10);
SELECT media.read(:big_id, 0, -10);

-- parts: in order, contiguous, and together the whole file
SELECT count(*) AS parts, min(start) AS first, bool_and(length(data) > 0) AS nonempty
  FROM media.parts(:big_id);
SELECT string_agg(data, ''::bytea ORDER BY start) = :'big'::bytea AS parts_ok FROM media.parts(:big_id);
SELECT bool_and(start = coalesce(prev_end, 0)) AS contiguous
  FROM (SELECT start, lag(start + length(data)) OVER (ORDER BY start) AS prev_end FROM media.parts(:big_id)) p;
SELECT count(*) FROM media.parts(:empty_id);

-- limits: a file over media.max_file_size is refused whole, with a hint
SET media.max_file_size = 50000;
SELECT media.get(:big_id);
SELECT media.put(:'big');
SELECT length(media.read(:big_id, 0, 40000)) AS small_read_ok;
SELECT count(*) FROM media.parts(:big_id);
RESET media.max_file_size;

-- errors
SELECT media.put(NULL);
SELECT media.get(-42);
-- not found is P0002 (no_data_found), for files and uploads alike
SELECT try('SELECT media.get(-42)');
SELECT try('SELECT media.upload_status(-42)');
SELECT media.read(123456789, 0, 1);
SELECT * FROM media.parts(123456789);

-- the ported view
SELECT file_name, mime_type, file_size, media_type, is_compressed, compression_quality,
       duration, dimensions
  FROM media.media_files WHERE id IN (:png_id, :gif_id, :empty_id) ORDER BY id;
