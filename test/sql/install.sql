-- CREATE EXTENSION pg_media (run by pg_regress --load-extension) creates
-- schema media with its tables, view, functions and settings.
-- The extension is labelled with pg_catalog (as plpgsql is) and owns schema
-- media, so pg_dump leaves the schema to CREATE EXTENSION and a restore into
-- a database that already has pg_media does not trip over CREATE SCHEMA.
SELECT e.extname, e.extversion, e.extrelocatable, n.nspname AS label_schema
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
 WHERE e.extname = 'pg_media';
SELECT pg_describe_object(d.classid, d.objid, d.objsubid) AS member, d.deptype
  FROM pg_depend d JOIN pg_extension e ON d.refobjid = e.oid
 WHERE e.extname = 'pg_media' AND d.refclassid = 'pg_extension'::regclass
   AND d.classid = 'pg_namespace'::regclass;

SELECT c.relname, c.relkind
  FROM pg_class c
 WHERE c.relnamespace = 'media'::regnamespace AND c.relkind IN ('r', 'v')
 ORDER BY 1;

-- every table is a configuration table (pg_dump carries its rows) ...
SELECT unnest(extconfig)::regclass::text AS config FROM pg_extension
 WHERE extname = 'pg_media' ORDER BY 1;

-- ... and has a primary key (logical replication needs one)
SELECT c.relname,
       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) AS has_pk
  FROM pg_class c
 WHERE c.relnamespace = 'media'::regnamespace AND c.relkind = 'r'
 ORDER BY 1;

-- ... and no foreign key to another of them: pg_restore -j loads their rows in parallel, in any
-- order (the triggers of src/release.c keep them consistent instead)
SELECT count(*) AS foreign_keys FROM pg_constraint
 WHERE contype = 'f' AND connamespace = 'media'::regnamespace;

-- chunk bytes are stored out of line and never re-compressed by TOAST
SELECT attname, attstorage FROM pg_attribute
 WHERE attrelid = 'media.chunks'::regclass AND attname = 'data';

-- the columns of media.files
SELECT column_name, data_type FROM information_schema.columns
 WHERE table_schema = 'media' AND table_name = 'files' ORDER BY ordinal_position;

-- the view that ports the common hand-made design over
SELECT column_name, data_type FROM information_schema.columns
 WHERE table_schema = 'media' AND table_name = 'media_files' ORDER BY ordinal_position;

-- every function, with its signature and result
SELECT p.oid::regprocedure AS function, pg_get_function_result(p.oid) AS returns,
       p.provolatile AS volatility, p.prosecdef AS security_definer
  FROM pg_proc p
 WHERE p.pronamespace = 'media'::regnamespace
 ORDER BY p.oid::regprocedure::text;

-- media.files can be referenced by an application's tables
CREATE TABLE app_posts (id serial PRIMARY KEY, photo bigint REFERENCES media.files (id));
DROP TABLE app_posts;

-- settings (known once the library is loaded), and the reserved prefix
LOAD 'pg_media';
SHOW media.max_file_size;
SHOW media.chunk_size;
SHOW media.max_upload_size;
SHOW media.owner;
SET media.no_such_setting = 1;

-- a helper for later tests: runs sql and reports "ok" or its SQLSTATE and
-- message, with long numbers (random upload ids) masked
CREATE FUNCTION try(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || regexp_replace(SQLERRM, '\d{6,}', 'N');
END $$;
