-- media.sign_url() (issue 15): signed paths for pg_media serve, the superuser-only keys
-- (media.url_signing_keys) and the errors, each with its SQLSTATE.
\set VERBOSITY sqlstate
-- no key configured: 55000
SELECT media.sign_url(42, '10 minutes');
\set VERBOSITY default
-- a key list that does not read is refused when set; the detail names a key by its id only
SET media.url_signing_keys = 'k1:tooshort';
SET media.url_signing_keys = 'k1:0123456789abcdef,k1:fedcba9876543210';
SET media.url_signing_keys = 'k2:second-secret-0123456789, k1:first-secret-0123456789';
-- the shape: the first key signs; exp is now + expires_in (unix seconds)
SELECT media.sign_url(42, '10 minutes') ~ '^/media/42\?exp=[0-9]{10}&kid=k2&sig=[A-Za-z0-9_-]{43}$' AS shape;
SELECT substring(media.sign_url(42, '10 minutes') FROM 'exp=([0-9]+)')::bigint - extract(epoch FROM clock_timestamp())::bigint
       BETWEEN 599 AND 601 AS expires_in_ten_minutes;
SELECT regexp_replace(media.sign_url(42, '1 hour', 'w=64, h=64, resize=cover', 'alice'), 'exp=[0-9]+|sig=[A-Za-z0-9_-]+', '…', 'g') AS with_variant_and_owner;
SELECT regexp_replace(media.sign_url(42, '1 hour', variant => 'h=64,w=64,format=webp,q=70,resize=cover,gravity=attention'),
                      'exp=[0-9]+|sig=[A-Za-z0-9_-]+', '…', 'g') AS url_form;
SELECT regexp_replace(media.sign_url(7, '1 day', owner => 'ann b/ü&x=1'), 'exp=[0-9]+|sig=[A-Za-z0-9_-]+', '…', 'g') AS owner_encoded;
-- two owners, two signatures
SELECT substring(media.sign_url(42, '1 hour', NULL, 'alice') FROM 'sig=(.*)$')
       <> substring(media.sign_url(42, '1 hour', NULL, 'bob') FROM 'sig=(.*)$') AS owner_is_signed;
SELECT media.sign_url(NULL, '1 hour') IS NULL AS null_id, media.sign_url(1, NULL) IS NULL AS null_expiry;
-- errors: 22023 for every bad argument
\set VERBOSITY sqlstate
SELECT media.sign_url(42, '0 seconds');
SELECT media.sign_url(42, '-5 minutes');
SELECT media.sign_url(42, '2 years');
SELECT media.sign_url(42, '1 hour', 'w=100,h=100');
SELECT media.sign_url(42, '1 hour', 'w=64,h=64,resize=stretch');
SELECT media.sign_url(42, '1 hour', NULL, '');
\set VERBOSITY default
SELECT media.sign_url(42, '1 hour', 'w=100,h=100');

-- a role that is not a superuser: may sign once granted EXECUTE, never sees or sets the keys
CREATE ROLE regress_signer;
SET ROLE regress_signer;
\set VERBOSITY sqlstate
SELECT media.sign_url(42, '10 minutes');
\set VERBOSITY default
RESET ROLE;
GRANT USAGE ON SCHEMA media TO regress_signer;
GRANT EXECUTE ON FUNCTION media.sign_url(bigint, interval, text, text) TO regress_signer;
SET ROLE regress_signer;
SELECT media.sign_url(42, '10 minutes') ~ '&kid=k2&sig=' AS signs_with_k2;
\set VERBOSITY sqlstate
SHOW media.url_signing_keys;
SELECT current_setting('media.url_signing_keys');
SET media.url_signing_keys = 'evil:0123456789abcdef';
SELECT set_config('media.url_signing_keys', 'evil:0123456789abcdef', false);
RESET media.url_signing_keys;
\set VERBOSITY default
SELECT count(*) AS rows_in_pg_settings FROM pg_settings WHERE name = 'media.url_signing_keys';
SELECT count(*) AS settings_showing_a_secret FROM pg_settings WHERE setting LIKE '%secret-0123456789%';
SELECT media.sign_url(42, '10 minutes') ~ '&kid=k2&sig=' AS still_k2;
RESET ROLE;
REVOKE ALL ON SCHEMA media FROM regress_signer;
REVOKE ALL ON FUNCTION media.sign_url(bigint, interval, text, text) FROM regress_signer;
DROP ROLE regress_signer;

-- media.sign_upload() (issue 15): a token for serve's tus routes, signed with the first key
SELECT media.sign_upload('1 hour', 'alice', 1048576) ~ '^pgmu1\.[0-9]{10}\.1048576\.YWxpY2U\.k2\.[A-Za-z0-9_-]{43}$' AS token_shape;
SELECT split_part(media.sign_upload('10 minutes', owner => 'ann b/ü'), '.', 3) AS no_max,
       convert_from(decode(translate(split_part(media.sign_upload('10 minutes', 'ann b/ü'), '.', 4), '-_', '+/') || '=', 'base64'), 'UTF8') AS owner_decoded;
SELECT split_part(media.sign_upload('10 minutes', 'alice'), '.', 2)::bigint - extract(epoch FROM clock_timestamp())::bigint
       BETWEEN 599 AND 601 AS expires_in_ten_minutes;
SELECT media.sign_upload(NULL, 'alice') IS NULL AS null_expiry;
\set VERBOSITY sqlstate
SELECT media.sign_upload('1 hour', NULL);
SELECT media.sign_upload('1 hour', '');
SELECT media.sign_upload('1 hour', repeat('x', 257));
SELECT media.sign_upload('1 hour', 'alice', 0);
SELECT media.sign_upload('1 hour', 'alice', -1);
SELECT media.sign_upload('1 hour', 'alice', 1000000000000000000);
SELECT media.sign_upload('0 seconds', 'alice');
SELECT media.sign_upload('400 days', 'alice');
\set VERBOSITY default
SELECT media.sign_upload('1 hour', NULL);
SELECT length(media.sign_upload('1 hour', repeat('x', 256), 999999999999999999)) AS longest_token;
-- EXECUTE is not PUBLIC's
CREATE ROLE regress_uploader;
SET ROLE regress_uploader;
\set VERBOSITY sqlstate
SELECT media.sign_upload('1 hour', 'alice');
\set VERBOSITY default
RESET ROLE;
DROP ROLE regress_uploader;
RESET media.url_signing_keys;
