-- media.configure_shard() (issue 16): file ids carry the shard number in bits 52..62, and making
-- a database a shard again (as after restoring it from a dump) never hands out an id a second
-- time, even when the files with the last ids were removed or moved to another shard since.
SELECT media.configure_shard(3) = 3::bigint << 52 AS first_id_names_shard_3;
SELECT media.shard();
CREATE TEMP TABLE shard_ids AS
  SELECT media.put(convert_to('shard file ' || n, 'UTF8')) AS id FROM generate_series(1, 3) n;
SELECT count(*) FILTER (WHERE id >> 52 = 3) AS ids_on_shard_3 FROM shard_ids;
-- the last file goes (removed, or moved away by pg_media move-owner)
SELECT media.remove(max(id)) FROM shard_ids;
SELECT media.configure_shard(3) > (SELECT max(id) FROM shard_ids) AS next_id_after_every_given_id;
SELECT media.put('new after configure_shard'::bytea) > (SELECT max(id) FROM shard_ids) AS new_id_is_new;
-- back to shard 0 for the tests that follow
SELECT count(*) FROM (SELECT media.remove(id) FROM media.files WHERE id >> 52 = 3) r;
SELECT media.configure_shard(0) < 1::bigint << 52 AS back_on_shard_0;
SELECT media.shard();
