-- The Docker image's init (Dockerfile: COPY into /docker-entrypoint-initdb.d/): the official
-- image's entrypoint runs it once, on first start, in POSTGRES_DB as the superuser.  A dump of a
-- pg_media database restores into the result (test/t/070_backups.pl runs this very file): the
-- dump's CREATE EXTENSION IF NOT EXISTS pg_media then finds the extension already there.
CREATE EXTENSION IF NOT EXISTS pg_media;
