#!/bin/bash
# bench/dedup_tradeoff.sh - what media.dedup costs and what it leaks (issue 12, item 3).
#
#   bench/dedup_tradeoff.sh        (run with the extension installed; prints a report)
#
# Two owners (alice, bob; media.isolation = setting) each store the same corpus
# ($PG_MEDIA_CORPUS, default /work/shared/corpus, as listed in its MANIFEST.tsv) once under
# media.dedup = global and once under owner: the storage each setting needs.  Then the side
# channel: the time of bob's put() of 4 MiB that alice already stored (a duplicate) against a
# put of 4 MiB nobody stored (new), alternately, median of 7 each, under each setting.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
corpus=${PG_MEDIA_CORPUS:-/work/shared/corpus}
work=$(mktemp -d /tmp/pg_media_dedup_bench.XXXXXX)
chmod 755 "$work"
port=$((55000 + RANDOM % 1000))
pgdir="$work/pg"

cleanup() {
  "$top/scripts/cluster.sh" stop "$pgdir" >/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$top/scripts/cluster.sh" start "$pgdir" "$port" >/dev/null
export PGHOST="$pgdir" PGPORT="$port" PGUSER=postgres PGDATABASE=postgres
q() { psql -XAtq -v ON_ERROR_STOP=1 "$@"; }

# the corpus's paths, as a VALUES list the server reads with pg_read_binary_file()
paths=$(awk -F'\t' -v dir="$corpus" 'NR > 1 { printf "%s(%s)", (n++ ? "," : ""), "'\''" dir "/" $1 "'\''" }' \
  "$corpus/MANIFEST.tsv")
files=$(awk 'NR > 1' "$corpus/MANIFEST.tsv" | wc -l)

for mode in global owner; do
  q -c "CREATE DATABASE bench_$mode"
  q -d "bench_$mode" <<SQL
CREATE EXTENSION pg_media;
ALTER DATABASE bench_$mode SET media.isolation = 'setting';
ALTER DATABASE bench_$mode SET media.dedup = '$mode';
-- files put() refuses (active content) are skipped
CREATE FUNCTION try_put(p text) RETURNS bigint LANGUAGE plpgsql AS \$\$
BEGIN
  RETURN media.put(pg_read_binary_file(p), p);
EXCEPTION WHEN OTHERS THEN
  RETURN NULL;
END \$\$;
SQL
  for owner in alice bob; do
    q -d "bench_$mode" -c "SET media.owner = '$owner'" \
      -c "SELECT count(try_put(p)) FROM (VALUES $paths) AS v(p)" >/dev/null
  done
  stored=$(q -d "bench_$mode" -c "SELECT (SELECT count(*) FROM media.files) || ' files, ' || pg_size_pretty(sum(byte_size)) || ' in ' || count(*) || ' blobs; media.chunks '
                                      || pg_size_pretty(pg_total_relation_size('media.chunks')) FROM media.blobs")
  # 14 incompressible contents of 4 MiB; alice stores 1-7, bob then stores 1-7 (duplicates) and 8-14 (new)
  times=$(q -d "bench_$mode" <<'SQL'
CREATE TABLE c AS
SELECT k, (SELECT string_agg(sha256(int4send(g) || int4send(k)), '') FROM generate_series(1, 131072) g) AS b
  FROM generate_series(1, 14) k;
CREATE FUNCTION timed_put(o text, content bytea) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz;
BEGIN
  PERFORM set_config('media.owner', o, false);
  t0 := clock_timestamp();
  PERFORM media.put(content);
  RETURN extract(epoch FROM clock_timestamp() - t0) * 1000;
END $$;
SELECT count(timed_put('alice', b)) FROM c WHERE k <= 7 \gset
CREATE TABLE t (kind text, ms float8);
DO $$
BEGIN
  FOR i IN 1 .. 7 LOOP    -- alternately, so drift affects both alike
    INSERT INTO t SELECT 'dup', timed_put('bob', b) FROM c WHERE k = i;
    INSERT INTO t SELECT 'new', timed_put('bob', b) FROM c WHERE k = i + 7;
  END LOOP;
END $$;
SELECT format('duplicate %s ms, new %s ms, ratio new/duplicate %s',
              round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE kind = 'dup')::numeric, 1),
              round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE kind = 'new')::numeric, 1),
              round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE kind = 'new') /
                     percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE kind = 'dup'))::numeric, 2))
  FROM t;
SQL
)
  echo "media.dedup = $mode: corpus ($files files) stored by alice and by bob: $stored"
  echo "media.dedup = $mode: bob's put of 4 MiB (median of 7): $times"
done
