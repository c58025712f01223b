-- media.decode_base64() and media.encode_base64()
SELECT media.decode_base64('') = '' AS empty,
       media.decode_base64('Zg==') = 'f'::bytea AS f,
       media.decode_base64('Zm8=') = 'fo'::bytea AS fo,
       media.decode_base64('Zm9v') = 'foo'::bytea AS foo,
       media.decode_base64('Zm9vYg==') = 'foob'::bytea AS foob,
       media.decode_base64('Zm9vYmE=') = 'fooba'::bytea AS fooba,
       media.decode_base64('Zm9vYmFy') = 'foobar'::bytea AS foobar;

-- padding optional, URL-safe alphabet, whitespace anywhere, data: URLs
SELECT media.decode_base64('Zm9vYg') = 'foob'::bytea AS unpadded,
       media.decode_base64('-_8') = '\xfbff'::bytea AS url_safe,
       media.decode_base64('+/8=') = '\xfbff'::bytea AS standard,
       media.decode_base64(E' Zm9v\n YmFy \r\n') = 'foobar'::bytea AS whitespace,
       media.decode_base64('data:image/png;base64,iVBORw0KGgo=') = '\x89504e470d0a1a0a'::bytea AS data_url,
       media.decode_base64('DATA:text/plain;charset=utf-8;BASE64,aGk=') = 'hi'::bytea AS data_url_params;

-- PostgreSQL's own encode() output (wrapped at 76 columns) decodes the same
SELECT media.decode_base64(encode(b, 'base64')) = b AS pg_encode_ok,
       encode(b, 'base64') LIKE E'%\n%' AS was_wrapped
  FROM (SELECT decode(repeat('00ff10ab', 200), 'hex') AS b) s;

-- round trips in every mode
SELECT bool_and(media.decode_base64(media.encode_base64(b)) = b) AS std,
       bool_and(media.decode_base64(media.encode_base64(b, true, false)) = b) AS url_unpadded,
       bool_and(media.decode_base64(media.encode_base64(b, false, false)) = b) AS std_unpadded,
       bool_and(media.decode_base64(media.encode_base64(b, true, true)) = b) AS url_padded,
       bool_and(media.encode_base64(b) = replace(encode(b, 'base64'), E'\n', '')) AS same_as_encode
  FROM (SELECT substring(decode(repeat('f0e1d2c3b4a59687', 40), 'hex') FROM 1 FOR n) AS b
          FROM generate_series(0, 300) n) s;
SELECT media.encode_base64('\xfbff'::bytea, true, false) AS url, media.encode_base64('\xfbff'::bytea) AS std;

-- invalid input: SQLSTATE 22P03 and the offset of the first bad byte
\set VERBOSITY default
SELECT media.decode_base64('Zm9v!mFy');
SELECT media.decode_base64('Zm9vYmFy=');
SELECT media.decode_base64('Zm=9v');
SELECT media.decode_base64('Zm9vY');
SELECT media.decode_base64('ab+_');
SELECT media.decode_base64('data:image/png,iVBORw0KGgo=');
SELECT media.decode_base64(E'Zm9v\u00e9');
\set VERBOSITY sqlstate
SELECT media.decode_base64('Zm9v!mFy');
\set VERBOSITY default

-- put_base64 stores the decoded bytes
SELECT media.put_base64('data:image/gif;base64,' || encode('\x47494638396105000400800000000000ffffff2c0000000005000400000204848fa90b003b'::bytea, 'base64'), 'dot.gif') AS gif_id \gset
SELECT mime_type, width, height, byte_size FROM media.files WHERE id = :gif_id;
SELECT media.put_base64('not base64!');
SELECT count(*) AS files_with_bad_base64 FROM media.files WHERE name = 'dot.gif' AND id <> :gif_id;
