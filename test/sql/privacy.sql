-- location privacy: GPS data leaves photos on ingest (media.strip_location, on by default)
-- a JPEG header whose EXIF has IFD0 {Orientation, GPS pointer} and a GPS IFD
-- {LatitudeRef "N", Latitude 52/1 31/1 1234/100}; the APP1 segment is bytes 3..104
SELECT '\xffd8ffe100644578696600004d4d002a00000008000201120003000000010001000088250004000000010000002600000000000200010002000000024e0000000002000500000003000000440000000000000034000000010000001f00000001000004d200000064ffc00011080030004003012200021101031101ffd9'::bytea AS photo \gset
LOAD 'pg_media';
SHOW media.strip_location;
SELECT position('\x0000003400000001'::bytea IN :'photo'::bytea) > 0 AS fixture_has_latitude;

SELECT media.put(:'photo', 'phone.jpg') AS cleaned \gset
SELECT mime_type, width, height, byte_size, attrs,
       sha256 <> sha256(:'photo'::bytea) AS hash_of_cleaned_bytes,
       sha256 = sha256(media.get(:cleaned)) AS hash_matches_content
  FROM media.files WHERE id = :cleaned;
SELECT position('\x0000003400000001'::bytea IN media.get(:cleaned)) AS latitude_at,
       position('\x8825'::bytea IN media.get(:cleaned)) AS gps_pointer_at,
       length(media.get(:cleaned)) = length(:'photo'::bytea) AS same_length,
       substring(media.get(:cleaned) FROM 105) = substring(:'photo'::bytea FROM 105) AS image_data_untouched,
       substring(media.get(:cleaned) FROM 1 FOR 20) = substring(:'photo'::bytea FROM 1 FOR 20) AS header_untouched;
SELECT * FROM media.verify(:cleaned) v WHERE NOT v.ok;

-- the same through a resumable upload
SELECT media.upload_begin('upload.jpg') AS up \gset
SELECT media.upload_append(:up, substring(:'photo'::bytea FROM 1 FOR 50)) AS received;
SELECT media.upload_append(:up, substring(:'photo'::bytea FROM 51)) AS received;
SELECT media.upload_finish(:up) AS uploaded \gset
SELECT attrs, media.get(:uploaded) = media.get(:cleaned) AS same_as_put,
       blob_id = (SELECT blob_id FROM media.files WHERE id = :cleaned) AS shares_blob
  FROM media.files WHERE id = :uploaded;
SELECT * FROM media.verify(:uploaded) v WHERE NOT v.ok;

-- off: the bytes are kept exactly
SET media.strip_location = off;
SELECT media.put(:'photo', 'kept.jpg') AS kept \gset
RESET media.strip_location;
SELECT attrs, media.get(:kept) = :'photo'::bytea AS unchanged FROM media.files WHERE id = :kept;

-- a photo without location data is stored as it came
SELECT media.put('\xffd8ffe000104a46494600010100000100010000ffc000110801e0028003012200021101031101ffd9', 'plain.jpg') AS plain \gset
SELECT attrs, media.get(:plain) = '\xffd8ffe000104a46494600010100000100010000ffc000110801e0028003012200021101031101ffd9'::bytea AS unchanged
  FROM media.files WHERE id = :plain;

DELETE FROM media.files WHERE id IN (:cleaned, :uploaded, :kept, :plain);
