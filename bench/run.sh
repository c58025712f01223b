#!/usr/bin/env bash
# bench/run.sh - pg_media benchmarks (`make bench` runs it from the repo root).
#
# Builds and installs the extension if needed, starts ONE throwaway cluster,
# runs every measurement against a baseline measured in the same run on the
# same server, writes bench/results.md and prints it.  The cluster is stopped
# and removed on exit.
#
# Timing is server-side: bench.run() runs the statements of a comparison
# interleaved, once as a warm-up, then REPS times each, and bench.med() gives
# the median of the clock_timestamp() deltas in ms.  Results are reduced to a
# scalar (length(), a returned id) so nothing large is shipped to the client.
#
# Environment knobs: BENCH_PORT (default 54329), BENCH_KEEP=1 keeps the
# cluster directory after exit (for investigation), BENCH_NO_BUILD=1 skips
# the build and benchmarks the installed extension, BENCH_ONLY=a,b runs only
# those sections (storage, base64, put, read, client, probe, images, jpegopt,
# text, cli, serve, capacity), BENCH_IMAGE_REPS (default 11) sets the reps of the in-process image
# comparisons.
set -euo pipefail

# want SECTION: whether BENCH_ONLY (unset: everything) asks for the section
want() { [ -z "${BENCH_ONLY:-}" ] || [[ ",$BENCH_ONLY," == *",$1,"* ]]; }

cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=$ROOT/bench/results.md
PORT=${BENCH_PORT:-54329}
T_START=$(date +%s)

# --- build and install ------------------------------------------------------
if [ "$(id -u)" = 0 ]; then
  "$ROOT/scripts/install-deps.sh" bench >&2   # libvips-tools/-dev, imagemagick, time for the comparisons
fi
if [ "${BENCH_NO_BUILD:-0}" = 1 ]; then
  echo "== BENCH_NO_BUILD=1: using the installed pg_media as is" >&2
else
  echo "== building pg_media" >&2
  make -s >&2
  if [ "$(id -u)" = 0 ]; then
    make -s install >&2
  fi
fi

# --- one throwaway cluster --------------------------------------------------
DIR=$(mktemp -d /tmp/pg_media_bench.XXXXXX)
cleanup() {
  "$ROOT/scripts/cluster.sh" stop "$DIR" || true
  if [ "${BENCH_KEEP:-0}" != 1 ]; then rm -rf "$DIR"; else echo "kept $DIR" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== starting cluster in $DIR (port $PORT)" >&2
"$ROOT/scripts/cluster.sh" start "$DIR" "$PORT"
# settings for the benchmark (on top of scripts/cluster.sh's: fsync off, wal_level logical)
cat >>"$DIR/data/postgresql.conf" <<CONF
shared_buffers = 256MB
max_wal_size = 8GB
checkpoint_timeout = 1h
autovacuum = off
jit = off
CONF
"$ROOT/scripts/cluster.sh" stop "$DIR"
"$ROOT/scripts/cluster.sh" start "$DIR" "$PORT"

PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h "$DIR" -p "$PORT" -U postgres -d postgres)
psql_q() { "${PSQL[@]}" -At "$@"; }
RUN=("${PSQL[@]}" -o /dev/null)   # for the measurement scripts: results go to bench.results

# --- input data (files the server reads with pg_read_binary_file) ----------
IN=$DIR/in
mkdir -p "$IN/jpeg"
head -c $((12 * 1024 * 1024)) /dev/urandom >"$IN/rand12.bin"
head -c $((20 * 1024 * 1024)) /dev/urandom >"$IN/rand20.bin"
head -c $((100 * 1024 * 1024)) /dev/urandom >"$IN/rand100.bin"
CORPUS=${PG_MEDIA_CORPUS:-$ROOT/../shared/corpus}
NJPEG=0
if [ -f "$CORPUS/MANIFEST.tsv" ]; then
  while IFS= read -r p; do
    [ -f "$CORPUS/$p" ] || continue
    NJPEG=$((NJPEG + 1))
    cp "$CORPUS/$p" "$IN/jpeg/$NJPEG.jpg"
  done < <(awk -F'\t' 'NR > 1 && $6 == "image/jpeg" && $7 == "yes" { print $1 }' "$CORPUS/MANIFEST.tsv")
fi
if [ "$NJPEG" = 0 ]; then
  STORAGE_SOURCE="random bytes (corpus absent): 64 files of 160 KB"
  for i in $(seq 1 64); do head -c 163840 /dev/urandom >"$IN/jpeg/$i.jpg"; done
  NJPEG=64
else
  STORAGE_SOURCE="$NJPEG real JPEG files (valid=yes) from $CORPUS"
fi
[ "$(id -u)" = 0 ] && chown -R postgres:postgres "$IN"

# --- harness ----------------------------------------------------------------
"${RUN[@]}" <<'SQL'
CREATE EXTENSION pg_media;
CREATE SCHEMA bench;

-- every timing, for the details section
CREATE TABLE bench.timings (label text, reps int, min_ms float8, median_ms float8, max_ms float8);

-- the rows of the results table, in order
CREATE TABLE bench.results (
    ord         serial,
    measurement text,
    media       text,
    baseline    text,
    ratio       text,
    goal        text,
    met         text
);

-- every rep of every timing
CREATE TABLE bench.samples (label text, rep int, ms float8);

-- Times plpgsql statements, interleaved: each rep runs stmts[1], stmts[2],
-- ... in turn (so background load hits all sides alike), after one warm-up
-- round (rep 0, not recorded).  The statements are compiled into a
-- temporary plpgsql function: static SQL, planned once, variables passed by
-- reference, so a rep pays neither for parsing nor for copying its input.
-- A statement can use _i (rep number, 0 for the warm-up: to vary content per
-- rep), _t text and _b bytea (the given inputs, detoasted into memory once,
-- before timing), and _x bigint, a sink: `_x := length(expr)` computes expr
-- fully and ships nothing.  Each rep is timed with clock_timestamp().
CREATE FUNCTION bench.run(labels text[], stmts text[], reps int,
                          t text DEFAULT NULL, b bytea DEFAULT NULL)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    body text := '';
BEGIN
    FOR k IN 1..array_length(stmts, 1) LOOP
        body := body || format($s$
        t0 := clock_timestamp();
        %s;
        t1 := clock_timestamp();
        IF _i > 0 THEN
            INSERT INTO bench.samples VALUES (%L, _i, extract(epoch FROM t1 - t0) * 1000);
        END IF;$s$, stmts[k], labels[k]);
    END LOOP;
    EXECUTE format($f$
CREATE OR REPLACE FUNCTION pg_temp.bench_body(reps int, _t text, _b bytea) RETURNS void
LANGUAGE plpgsql AS $body$
DECLARE
    t0 timestamptz;
    t1 timestamptz;
    _x bigint;
BEGIN
    _t := _t || '';
    _b := _b || ''::bytea;
    FOR _i IN 0..reps LOOP%s
    END LOOP;
END
$body$ $f$, body);
    EXECUTE 'SELECT pg_temp.bench_body($1, $2, $3)' USING reps, t, b;
    INSERT INTO bench.timings
        SELECT label, count(*), min(ms), percentile_cont(0.5) WITHIN GROUP (ORDER BY ms), max(ms)
          FROM bench.samples WHERE label = ANY (labels) GROUP BY label
         ORDER BY array_position(labels, label);
END
$$;

-- The median ms of a timing.
CREATE FUNCTION bench.med(label text) RETURNS float8 LANGUAGE sql AS
$$ SELECT median_ms FROM bench.timings t WHERE t.label = med.label $$;

-- Stops the run when a sanity check fails.
CREATE FUNCTION bench.check(ok boolean, msg text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF ok IS NOT TRUE THEN RAISE EXCEPTION 'bench sanity check failed: %', msg; END IF;
END
$$;

-- Appends a result row.  ratio/goal/met are given by the caller.
CREATE FUNCTION bench.add(measurement text, media text, baseline text,
                          ratio float8, goal text, met boolean)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO bench.results (measurement, media, baseline, ratio, goal, met)
    VALUES (measurement, media, baseline,
            CASE WHEN ratio IS NULL THEN '-' ELSE to_char(ratio, 'FM999990.000') END,
            goal, CASE WHEN met IS NULL THEN '-' WHEN met THEN 'yes' ELSE 'no' END);
$$;

CREATE FUNCTION bench.ms(x float8) RETURNS text LANGUAGE sql AS
$$ SELECT CASE WHEN x < 10 THEN to_char(x, 'FM9990.000') ELSE to_char(x, 'FM999990.0') END || ' ms' $$;
CREATE FUNCTION bench.mib(x float8) RETURNS text LANGUAGE sql AS
$$ SELECT to_char(x / 1048576.0, 'FM999990.00') || ' MiB' $$;

-- total on-disk size (all forks, TOAST, indexes) of pg_media's content tables
CREATE FUNCTION bench.media_bytes() RETURNS bigint LANGUAGE sql AS $$
    SELECT pg_total_relation_size('media.chunks') + pg_total_relation_size('media.blobs')
         + pg_total_relation_size('media.files')
$$;

-- input data, held in tables so each measurement can load it into memory
CREATE TABLE bench.data (name text PRIMARY KEY, b bytea);
ALTER TABLE bench.data ALTER COLUMN b SET STORAGE EXTERNAL;
SQL

"${RUN[@]}" -v in="$IN" <<'SQL'
INSERT INTO bench.data VALUES
    ('rand12',  pg_read_binary_file(:'in' || '/rand12.bin')),
    ('rand20',  pg_read_binary_file(:'in' || '/rand20.bin')),
    ('rand100', pg_read_binary_file(:'in' || '/rand100.bin'));
SQL

if want storage; then
# =========================================================================
# 4. on-disk storage: pg_media vs base64 TEXT vs bytea (run first, while
#    pg_media's tables hold nothing else)
# =========================================================================
echo "== storage" >&2
"${RUN[@]}" -v in="$IN" -v njpeg="$NJPEG" <<'SQL'
CREATE TABLE bench.jpeg_src AS
    SELECT i AS n, i || '.jpg' AS name,
           pg_read_binary_file(:'in' || '/jpeg/' || i || '.jpg') AS data
      FROM generate_series(1, :njpeg) i;
-- each file several times, each copy with a distinct 8-byte suffix so that
-- nothing deduplicates, up to 100 MiB in all
CREATE TABLE bench.jpeg_copies AS
SELECT name, data FROM (
    SELECT r, n, format('copy%s-%s', r, name) AS name, data || int8send(r) AS data,
           sum(length(data) + 8) OVER (ORDER BY r, n) AS running
      FROM bench.jpeg_src, generate_series(1::bigint, 100) r) s
 WHERE running <= 100 * 1048576
 ORDER BY r, n;

-- the hand-made design: base64 in a TEXT column (no line breaks, as a
-- browser's data: URL or JSON upload gives it), and the same with bytea
CREATE TABLE public.media_files_b64 (
    id bigserial PRIMARY KEY, file_name text NOT NULL, mime_type text NOT NULL,
    file_size bigint NOT NULL, file_data text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE public.media_files_b64_wrapped (LIKE public.media_files_b64 INCLUDING ALL);
CREATE TABLE public.media_files_bytea (
    id bigserial PRIMARY KEY, file_name text NOT NULL, mime_type text NOT NULL,
    file_size bigint NOT NULL, file_data bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now());

SELECT count(media.put(data, name)) FROM bench.jpeg_copies \g /dev/null
INSERT INTO public.media_files_b64 (file_name, mime_type, file_size, file_data)
    SELECT name, 'image/jpeg', length(data), translate(encode(data, 'base64'), E'\n', '')
      FROM bench.jpeg_copies;
INSERT INTO public.media_files_b64_wrapped (file_name, mime_type, file_size, file_data)
    SELECT name, 'image/jpeg', length(data), encode(data, 'base64') FROM bench.jpeg_copies;
INSERT INTO public.media_files_bytea (file_name, mime_type, file_size, file_data)
    SELECT name, 'image/jpeg', length(data), data FROM bench.jpeg_copies;
VACUUM (ANALYZE) media.chunks, media.blobs, media.files,
                 public.media_files_b64, public.media_files_b64_wrapped, public.media_files_bytea;
CHECKPOINT;

SELECT count(*) AS nfiles, sum(length(data)) AS raw_bytes,
       bench.media_bytes() AS media,
       pg_total_relation_size('public.media_files_b64') AS b64,
       pg_total_relation_size('public.media_files_bytea') AS bya,
       pg_total_relation_size('public.media_files_b64_wrapped') AS b64w,
       (SELECT count(*) FROM media.files) AS media_files,
       (SELECT count(*) FROM media.blobs) AS media_blobs,
       (SELECT count(*) FROM media.files WHERE mime_type = 'image/jpeg') AS media_jpeg,
       (SELECT sum(byte_size) FROM media.files) AS media_stored
  FROM bench.jpeg_copies \gset
SELECT bench.add(format('storage: %s files, %s of JPEG bytes (%s blobs, %s sniffed image/jpeg, %s bytes kept by pg_media) vs base64 TEXT column',
                        :nfiles, bench.mib(:raw_bytes), :media_blobs, :media_jpeg,
                        CASE WHEN :media_stored = :raw_bytes THEN 'all' ELSE :media_stored || ' of ' || :raw_bytes END),
                 bench.mib(:media), bench.mib(:b64), :media::float8 / :b64, '≈ 0.75 or better (<= 0.76)',
                 :media::float8 / :b64 <= 0.76);
SELECT bench.add('storage: same files vs base64 TEXT with newlines every 76 chars (encode() output)',
                 bench.mib(:media), bench.mib(:b64w), :media::float8 / :b64w, '≈ 0.75 or better (<= 0.76)',
                 :media::float8 / :b64w <= 0.76);
SELECT bench.add('storage: same files vs plain bytea column (overhead of chunking + metadata)',
                 bench.mib(:media), bench.mib(:bya), :media::float8 / :bya, 'info (size ratio)', NULL);
CREATE TABLE bench.storage AS
SELECT c.oid::regclass::text AS relation,
       pg_relation_size(c.oid) AS heap,
       coalesce(pg_total_relation_size(c.reltoastrelid), 0) AS toast,
       pg_indexes_size(c.oid) AS indexes,
       pg_total_relation_size(c.oid) - pg_relation_size(c.oid) - pg_indexes_size(c.oid)
         - coalesce(pg_total_relation_size(c.reltoastrelid), 0) AS fsm_vm,
       pg_total_relation_size(c.oid) AS total,
       c.reltuples::bigint AS rows
  FROM pg_class c
 WHERE c.oid IN ('media.chunks'::regclass, 'media.blobs'::regclass, 'media.files'::regclass,
                 'public.media_files_b64'::regclass, 'public.media_files_b64_wrapped'::regclass,
                 'public.media_files_bytea'::regclass);
SELECT bench.add('storage: raw bytes / pg_media size', bench.mib(:raw_bytes), bench.mib(:media),
                 :raw_bytes::float8 / :media, 'info', NULL);
SQL
fi

if want base64; then
# =========================================================================
# 1. base64 decoding of 12 MiB: media.decode_base64 vs decode(t, 'base64')
# =========================================================================
echo "== base64" >&2
"${RUN[@]}" <<'SQL'
CREATE TABLE bench.b64 AS
    SELECT encode(b, 'base64') AS wrapped, translate(encode(b, 'base64'), E'\n', '') AS flat
      FROM bench.data WHERE name = 'rand12';
ALTER TABLE bench.b64 ALTER COLUMN wrapped SET STORAGE EXTERNAL, ALTER COLUMN flat SET STORAGE EXTERNAL;
-- both decoders must agree on the bytes
SELECT bool_and(media.decode_base64(wrapped) = d.b AND media.decode_base64(flat) = d.b
                AND decode(wrapped, 'base64') = d.b AND decode(flat, 'base64') = d.b) AS same
  FROM bench.b64, bench.data d WHERE d.name = 'rand12' \gset
SELECT bench.check(:'same'::boolean, 'the decoders disagree on the bytes');

SELECT bench.run(ARRAY['decode_base64, wrapped', 'decode(base64), wrapped', 'harness: octet_length, wrapped'],
                 ARRAY['_x := length(media.decode_base64(_t))', '_x := length(decode(_t, ''base64''))',
                       '_x := octet_length(_t)'], 21, wrapped) FROM bench.b64;
SELECT bench.run(ARRAY['decode_base64, flat', 'decode(base64), flat', 'harness: octet_length, flat'],
                 ARRAY['_x := length(media.decode_base64(_t))', '_x := length(decode(_t, ''base64''))',
                       '_x := octet_length(_t)'], 21, flat) FROM bench.b64;
SELECT bench.med('decode_base64, wrapped') AS m_w, bench.med('decode(base64), wrapped') AS p_w,
       bench.med('decode_base64, flat') AS m_f, bench.med('decode(base64), flat') AS p_f \gset
SELECT bench.add('decode 12 MiB as base64 with newlines every 76 chars (PostgreSQL encode() output); ratio = speed-up',
                 bench.ms(:m_w), bench.ms(:p_w), :p_w / :m_w, '>= 4x faster', :p_w / :m_w >= 4);
SELECT bench.add('decode 12 MiB as base64 without newlines; ratio = speed-up',
                 bench.ms(:m_f), bench.ms(:p_f), :p_f / :m_f, '>= 4x faster', :p_f / :m_f >= 4);
SQL
fi

if want put; then
# =========================================================================
# 3. put() of 20 MiB vs INSERT of the same bytea into a bigserial table
# 5. dedup: the same 20 MiB a second time
# =========================================================================
echo "== put / insert / dedup" >&2
"${RUN[@]}" <<'SQL'
CREATE TABLE public.plain_files (id bigserial PRIMARY KEY, data bytea NOT NULL);
SELECT count(*) AS blobs0 FROM media.blobs \gset
-- each rep stores new content on both sides: the first 8 bytes are the rep number
SELECT bench.run(ARRAY['put 20 MiB (new content)', 'INSERT 20 MiB bytea', 'harness: overlay 20 MiB alone'],
         ARRAY['_x := media.put(overlay(_b PLACING substring(sha256(int8send(_i)) FOR 8) FROM 1 FOR 8))',
               'INSERT INTO public.plain_files (data) VALUES (overlay(_b PLACING substring(sha256(int8send(_i)) FOR 8) FROM 1 FOR 8)) RETURNING id INTO _x',
               '_x := length(overlay(_b PLACING substring(sha256(int8send(_i)) FOR 8) FROM 1 FOR 8))'],
         9, NULL, b)
  FROM bench.data WHERE name = 'rand20';
SELECT bench.med('put 20 MiB (new content)') AS put, bench.med('INSERT 20 MiB bytea') AS ins \gset
SELECT count(*) - :blobs0 AS new_blobs FROM media.blobs \gset
SELECT bench.add(format('put() 20 MiB vs INSERT into bigserial table (%s new blobs for 10 puts); ratio = put throughput / INSERT throughput', :new_blobs),
                 bench.ms(:put) || ' (' || round(20 * 1000 / :put) || ' MiB/s)',
                 bench.ms(:ins) || ' (' || round(20 * 1000 / :ins) || ' MiB/s)',
                 :ins / :put, '>= 0.6', :ins / :put >= 0.6 AND :new_blobs = 10);

-- dedup: size added by the first put of a new 20 MiB, then by the same again
CHECKPOINT;
SELECT bench.media_bytes() AS s0 \gset
SELECT media.put(overlay(b PLACING substring(sha256(int8send(1000000)) FOR 8) FROM 1 FOR 8)) FROM bench.data WHERE name = 'rand20' \g /dev/null
SELECT bench.media_bytes() AS s1 \gset
SELECT media.put(overlay(b PLACING substring(sha256(int8send(1000000)) FOR 8) FROM 1 FOR 8)) FROM bench.data WHERE name = 'rand20' \g /dev/null
SELECT bench.media_bytes() AS s2 \gset
-- time of a put whose content is already stored (the warm-up stores it once)
SELECT bench.run(ARRAY['put 20 MiB (already stored)', 'put 20 MiB (new content, 2nd series)'],
         ARRAY['_x := media.put(overlay(_b PLACING substring(sha256(int8send(2000000)) FOR 8) FROM 1 FOR 8))',
               '_x := media.put(overlay(_b PLACING substring(sha256(int8send(3000000 + _i)) FOR 8) FROM 1 FOR 8))'],
         9, NULL, b)
  FROM bench.data WHERE name = 'rand20';
SELECT bench.med('put 20 MiB (already stored)') AS dup, bench.med('put 20 MiB (new content, 2nd series)') AS put2 \gset
SELECT bench.add('dedup: put() of 20 MiB already stored vs first put() of new 20 MiB (time); ratio = dup / first',
                 bench.ms(:dup), bench.ms(:put2), :dup / :put2, '< 1 (no rewrite)', :dup / :put2 < 1);
SELECT bench.add('dedup: bytes added on disk by the second put() vs the first (one more media.files row only)',
                 (:s2 - :s1) || ' B', (:s1 - :s0) || ' B', (:s2 - :s1)::float8 / (:s1 - :s0),
                 '~0 (< 0.001)', (:s2 - :s1)::float8 / (:s1 - :s0) < 0.001);
SQL
fi

if want read; then
# =========================================================================
# 2. media.read() of 64 KiB at 90 MiB vs media.get() of a 100 MiB file
# =========================================================================
echo "== read / get" >&2
"${RUN[@]}" <<'SQL'
SELECT media.put(b, 'big.bin') AS big FROM bench.data WHERE name = 'rand100' \gset
VACUUM (ANALYZE) media.chunks, media.blobs, media.files;
SELECT media.read(:big, 90 * 1048576, 65536) = substring(b FROM 90 * 1048576 + 1 FOR 65536)
       AND media.get(:big) = b AS ok
  FROM bench.data WHERE name = 'rand100' \gset
SELECT bench.check(:'ok'::boolean, 'media.read()/media.get() returned wrong bytes');
SELECT bench.run(ARRAY['read 64 KiB at 90 MiB', 'get 100 MiB'],
         ARRAY[format('_x := length(media.read(%s, 90 * 1048576, 65536))', :big),
               format('_x := length(media.get(%s))', :big)], 11);
SELECT bench.med('read 64 KiB at 90 MiB') AS rd, bench.med('get 100 MiB') AS gt \gset
SELECT bench.add('read() 64 KiB at offset 90 MiB vs get() of the whole 100 MiB file; ratio = read / get',
                 bench.ms(:rd), bench.ms(:gt), :rd / :gt, '<= 0.02', :rd / :gt <= 0.02);
SQL
fi

if want client; then
# pg_media as applications call it: a libpq client, each side its own statements (issue 17)
echo "== client: put/upload/put_base64/get/read/parts/transform from a libpq client" >&2
"$ROOT/bench/client.sh" "$DIR" "$PORT" "$IN"
fi

# =========================================================================
# >>> HOOK: further measurements go here. <<<
# Each section runs against the same cluster ("${RUN[@]}" <<'SQL' ... SQL, input
# files in $IN, bench.data for in-memory inputs, bench.run() + bench.med()
# for timings) and appends its rows with
#   SELECT bench.add(measurement, media_text, baseline_text, ratio, goal_text, met_bool);
# =========================================================================

if want probe; then
# =========================================================================
# 6. probing a stored file reads slices: a 2 GB video costs about what a
#    2 MB one does.  The corpus MP4 with a giant 'free' box between ftyp and
#    the rest, so its moov sits 2 GB into the file.
# =========================================================================
MP4="$CORPUS/golang-github-gabriel-vasile-mimetype-dev/mp4.mp4"
if [ -f "$MP4" ]; then
  echo "== probe: 2 GB vs 2 MB MP4 (moov 2 GB into the file)" >&2
  for mib in 2 2048; do
    perl -e 'my ($in, $out, $mib) = @ARGV; open my $f, "<:raw", $in or die; local $/; my $d = <$f>;
             my $fsz = unpack("N", substr($d, 0, 4)); my $pad = $mib * 1048576 - length($d) - 16;
             open my $h, ">:raw", "$out.head" or die; print $h substr($d, 0, $fsz), pack("N", 1), "free", pack("Q>", $pad + 16);
             open my $t, ">:raw", "$out.tail" or die; print $t substr($d, $fsz); print "$pad\n";' \
         "$MP4" "$IN/video$mib" "$mib" >"$IN/video$mib.pad"
  done
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$IN"
  "${RUN[@]}" -v in="$IN" -v pad2="$(cat "$IN/video2.pad")" -v pad2048="$(cat "$IN/video2048.pad")" <<'SQL'
CREATE FUNCTION bench.padded_upload(name text, head bytea, pad bigint, tail bytea) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    up bigint := media.upload_begin(name);
    zeros bytea := decode(repeat('00', 1048576), 'hex');
    sent bigint := 0;
BEGIN
    PERFORM media.upload_append(up, head);
    WHILE sent < pad LOOP
        PERFORM media.upload_append(up, substring(zeros FROM 1 FOR least(1048576, pad - sent)::int));
        sent := sent + least(1048576, pad - sent);
    END LOOP;
    PERFORM media.upload_append(up, tail);
    RETURN media.upload_finish(up);
END $$;
CREATE TABLE bench.videos AS
SELECT 'small' AS which, bench.padded_upload('small.mp4', pg_read_binary_file(:'in' || '/video2.head'), :pad2,
                                             pg_read_binary_file(:'in' || '/video2.tail')) AS id
UNION ALL
SELECT 'large', bench.padded_upload('large.mp4', pg_read_binary_file(:'in' || '/video2048.head'), :pad2048,
                                    pg_read_binary_file(:'in' || '/video2048.tail'));
SELECT bench.check((SELECT count(*) FROM media.files f JOIN bench.videos v ON v.id = f.id
                     WHERE f.mime_type = 'video/mp4' AND f.width = 560 AND f.duration_ms = 5568) = 2,
                   'both padded videos probe as the 560x320 5.568 s MP4');
DO $$
DECLARE s bigint := (SELECT id FROM bench.videos WHERE which = 'small');
        l bigint := (SELECT id FROM bench.videos WHERE which = 'large');
BEGIN
    PERFORM bench.run(ARRAY['probe_file 2 MiB MP4', 'probe_file 2 GiB MP4'],
                      ARRAY[format('_x := length(media.probe_file(%s)::text)', s),
                            format('_x := length(media.probe_file(%s)::text)', l)], 15);
END $$;
SELECT bench.add(format('probe_file() of a stored %s MP4 (moov 2 GiB in) vs the same MP4 padded to %s; ratio = large / small',
                        pg_size_pretty((SELECT byte_size FROM media.files WHERE id = (SELECT id FROM bench.videos WHERE which = 'large'))),
                        pg_size_pretty((SELECT byte_size FROM media.files WHERE id = (SELECT id FROM bench.videos WHERE which = 'small')))),
                 bench.ms(bench.med('probe_file 2 GiB MP4')), bench.ms(bench.med('probe_file 2 MiB MP4')),
                 bench.med('probe_file 2 GiB MP4') / bench.med('probe_file 2 MiB MP4'), '~1 (<= 2)',
                 bench.med('probe_file 2 GiB MP4') / bench.med('probe_file 2 MiB MP4') <= 2);
DELETE FROM media.files WHERE id IN (SELECT id FROM bench.videos);
CHECKPOINT;
SQL
else
  psql_q -c "SELECT bench.add('probe_file() 2 GiB vs 2 MiB MP4', 'skipped: shared corpus absent', '-', NULL, '~1', NULL)" >/dev/null
fi
fi

if want images; then
# =========================================================================
# 7. images: the speed bar of issue 14 (pg_media's image core against
#    libvips in one process, the five cases), the backend's peak memory for
#    the 24 MP JPEG, a thumbnail through SQL vs an ImageMagick process, and
#    the derivative cache.
# =========================================================================
echo "== images: test photos (bench/make_images.sh)" >&2
IMG=$IN/images
"$ROOT/bench/make_images.sh" "$IMG" >"$IN/images.tsv"
IMG_SOURCE=$(cut -f3 "$IN/images.tsv" | head -1)
BIG=$IMG/photo24.jpg
vipsthumbnail "$IMG/photo12.jpg" -s 320 -o "$IMG/small.jpg[Q=90]"
[ "$(id -u)" = 0 ] && chown -R postgres:postgres "$IMG"

# pg_media's image core against libvips, both called in this one process
# (bench/image_inproc.c): neither side pays a process start or a library load;
# interleaved, order swapped every round, medians of BENCH_IMAGE_REPS.
echo "== images: in process, pg_media vs libvips" >&2
make -s -C "$ROOT/bench" image_inproc >&2
IMAGE_REPS=${BENCH_IMAGE_REPS:-11}
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
"$ROOT/bench/build/image_inproc" "$IMAGE_REPS" \
  contain "$BIG" 256 contain "$IMG/photo12.heic" 256 contain "$IMG/photo12.webp" 256 \
  contain "$IMG/photo12.png" 256 cover-centre "$IMG/photo12.jpg" 128 \
  cover-attention "$IMG/photo12.jpg" 128 >"$IN/inproc.tsv"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
psql_q -c "CREATE TABLE bench.speed (ord serial, what text, pg_ms float8, vips_ms float8,
                                     pg_cpu float8, vips_cpu float8, pg_size text, vips_size text)"
while IFS=$'\t' read -r mode file box pg_ms vips_ms _ pg_cpu vips_cpu _ pg_size vips_size; do
  case "$mode $(basename "$file")" in
    "contain photo24.jpg") what="24 MP JPEG (6000x4000, q90, 4:2:0) → $box px" ;;
    "contain photo12.heic") what="12 MP HEIC (4032x3024, one HEVC image, q50) → $box px" ;;
    "contain photo12.webp") what="12 MP WebP (4032x3024, lossy q80) → $box px" ;;
    "contain photo12.png") what="4000x3000 PNG (8-bit RGB) → $box px" ;;
    "cover-centre photo12.jpg") what="cover-crop 1:1 of a 12 MP JPEG (4032x3024) → $box px, gravity centre (vips crop=centre)" ;;
    "cover-attention photo12.jpg") what="the same, gravity attention (vips crop=attention; extra, not one of the five)" ;;
    *) what="$mode $file $box" ;;
  esac
  psql_q -v what="$what" -v p="$pg_ms" -v v="$vips_ms" -v pc="$pg_cpu" -v vc="$vips_cpu" \
         -v ps="$pg_size" -v vs="$vips_size" >/dev/null <<'SQL'
INSERT INTO bench.speed (what, pg_ms, vips_ms, pg_cpu, vips_cpu, pg_size, vips_size)
VALUES (:'what', :p, :v, :pc, :vc, :'ps', :'vs');
SQL
done <"$IN/inproc.tsv"

# the stored photos: the 24 MP JPEG, and a small one to warm a backend up with
"${RUN[@]}" -v big="$BIG" -v small="$IMG/small.jpg" <<'SQL'
CREATE TABLE bench.photo AS SELECT media.put(pg_read_binary_file(:'big'), 'photo24.jpg') AS id;
CREATE TABLE bench.small_photo AS SELECT media.put(pg_read_binary_file(:'small'), 'small.jpg') AS id;
-- one number of the backend's /proc/self/status, in kB
CREATE FUNCTION bench.proc_kb(field text) RETURNS bigint LANGUAGE sql AS
$$ SELECT substring(pg_read_file('/proc/self/status') FROM field || ':\s*(\d+) kB')::bigint $$;
-- the smallest media.max_decode_memory (MB) under which the transform of id succeeds:
-- the peak the core's allocator accounts (its own buffers, libjpeg's, the output)
CREATE FUNCTION bench.min_budget_mb(id bigint) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
    FOR mb IN 1..64 LOOP
        BEGIN
            PERFORM set_config('media.max_decode_memory', mb || 'MB', true);
            PERFORM length(media.transform(id, 256, 256, format => 'jpeg', quality => 80));
            RETURN mb;
        EXCEPTION WHEN program_limit_exceeded OR out_of_memory THEN
            NULL;                       -- over the budget: try the next size
        END;
    END LOOP;
    RETURN NULL;
END $$;
CREATE TABLE bench.memory (hwm0 bigint, rss0 bigint, hwm1 bigint, rss1 bigint, anon1 bigint,
                           shmem1 bigint, budget_mb int);
SQL

# Backend peak memory of media.transform(id, 256, 256) of the stored 24 MP JPEG, in a
# fresh backend warmed up by one transform of a small stored JPEG (code, catalogs,
# caches); 256x256 is taken out of media.thumbnail_sizes for the session, so nothing
# is cached and the call does the whole work: read the file from the chunk store,
# decode at 1/8 scale, resample, encode.  VmHWM (the peak resident set) before and
# after, so the difference is what the call added at its peak: its memory and the
# shared buffers it touched for the first time (the file's chunks).
echo "== images: backend peak memory" >&2
"${RUN[@]}" <<'SQL'
SET media.thumbnail_sizes = '64x64';
SELECT length(media.transform(id, 48, 48, format => 'jpeg')) FROM bench.small_photo;
SELECT bench.proc_kb('VmHWM') AS hwm0, bench.proc_kb('VmRSS') AS rss0 \gset
SELECT length(media.transform(id, 256, 256, format => 'jpeg', quality => 80)) FROM bench.photo;
SELECT bench.proc_kb('VmHWM') AS hwm1, bench.proc_kb('VmRSS') AS rss1,
       bench.proc_kb('RssAnon') AS anon1, bench.proc_kb('RssShmem') AS shmem1 \gset
INSERT INTO bench.memory VALUES (:hwm0, :rss0, :hwm1, :rss1, :anon1, :shmem1, NULL);
SQL
"${RUN[@]}" <<'SQL'
SET media.thumbnail_sizes = '64x64';
UPDATE bench.memory SET budget_mb = bench.min_budget_mb((SELECT id FROM bench.photo));
SQL

# pg_media: five calls in one session (as an app with a connection pool makes
# them), each timed by psql's \timing: the file read, the thumbnail and the round
# trip, not the connection.  vips and ImageMagick: one process each, as a web app
# would run them.
median5() {  # median wall time in ms of 5 runs of a command (after one warm-up)
  local t=() s e i
  "$@" >/dev/null 2>&1
  for i in 1 2 3 4 5; do
    s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N)
    t+=($(( (e - s) / 1000 )))
  done
  printf '%s\n' "${t[@]}" | sort -n | sed -n 3p | awk '{printf "%.1f", $1 / 1000}'
}
peak_kb() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
PGM_MS=$("${PSQL[@]}" -At <<SQL | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -5 | sort -n | sed -n 3p
SELECT length(media.thumbnail(pg_read_binary_file('$BIG'), 256, 256));
\timing on
SELECT length(media.thumbnail(pg_read_binary_file('$BIG'), 256, 256));
SELECT length(media.thumbnail(pg_read_binary_file('$BIG'), 256, 256));
SELECT length(media.thumbnail(pg_read_binary_file('$BIG'), 256, 256));
SELECT length(media.thumbnail(pg_read_binary_file('$BIG'), 256, 256));
SELECT length(media.thumbnail(pg_read_binary_file('$BIG'), 256, 256));
SQL
)
IM_MS=$(median5 convert "$BIG" -thumbnail 256x256 "$IN/im_thumb.jpg")
VIPS_KB=$(VIPS_CONCURRENCY=1 peak_kb vipsthumbnail "$BIG" -s 256 -o "$IN/vips_thumb.jpg")
IM_KB=$(peak_kb convert "$BIG" -thumbnail 256x256 "$IN/im_thumb.jpg")
psql_q -v pgm="$PGM_MS" -v im="$IM_MS" -v vipskb="$VIPS_KB" -v imkb="$IM_KB" >/dev/null <<'SQL'
SELECT bench.add('thumbnail of a 24 MP JPEG to 256 px through SQL (media.thumbnail(bytea) in an open session: file read + thumbnail + round trip, median of 5) vs an ImageMagick convert -thumbnail process (ImageMagick has no in-process API cheap to call from here: noted as a process); ratio = pg_media / ImageMagick',
                 :'pgm' || ' ms', :'im' || ' ms', :pgm::float8 / :im::float8, '<= 0.5', :pgm::float8 <= 0.5 * :im::float8);
SELECT bench.add('peak memory of the 24 MP JPEG to 256 px: the backend''s peak resident set (VmHWM) after media.transform(id) (see the speed bar) vs a vipsthumbnail process''s (max RSS; each whole process: binary, libraries, the file)',
                 bench.mib(hwm1 * 1024.0), round(:vipskb / 1024.0, 1) || ' MiB', hwm1::float8 / :vipskb, 'info', NULL)
  FROM bench.memory;
SELECT bench.add('peak memory: ImageMagick convert max RSS (for reference)', '-', round(:imkb / 1024.0, 1) || ' MiB', NULL, 'info', NULL);
SQL
"${RUN[@]}" <<'SQL'
DO $$
DECLARE id bigint := (SELECT p.id FROM bench.photo p);
        t0 timestamptz;
        first_ms float8;
BEGIN
    t0 := clock_timestamp();
    PERFORM media.thumbnail(id, 256, 256);
    first_ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
    INSERT INTO bench.timings VALUES ('thumbnail(id) first call (makes and caches)', 1, first_ms, first_ms, first_ms);
    PERFORM bench.run(ARRAY['thumbnail(id) cached call'], ARRAY[format('_x := length(media.thumbnail(%s, 256, 256))', id)], 15);
    PERFORM bench.add('thumbnail(id) second call (cached row) vs first call (decode + resize + encode); ratio = cached / first',
                      bench.ms(bench.med('thumbnail(id) cached call')), bench.ms(first_ms),
                      bench.med('thumbnail(id) cached call') / first_ms, '<< 1', bench.med('thumbnail(id) cached call') < 0.1 * first_ms);
END $$;
SQL
fi

if want jpegopt; then
# lossless JPEG optimization over the corpus JPEGs
"${RUN[@]}" -v in="$IN" -v n="$NJPEG" <<'SQL'
SET media.optimize_jpeg = progressive;
CREATE TABLE bench.optimized AS
SELECT media.put(pg_read_binary_file(:'in' || '/jpeg/' || i || '.jpg') || '\x'::bytea, 'o' || i || '.jpg') AS id
  FROM generate_series(1, :n) i;
RESET media.optimize_jpeg;
SELECT bench.add(format('lossless JPEG optimization (media.optimize_jpeg = progressive) on %s JPEGs: %s re-encoded smaller, pixels identical; bytes stored vs original',
                        count(*), count(*) FILTER (WHERE f.attrs ? 'jpeg_optimized')),
                 bench.mib(sum(f.byte_size)), bench.mib(sum(coalesce((f.attrs->>'original_size')::bigint, f.byte_size))),
                 sum(f.byte_size)::float8 / sum(coalesce((f.attrs->>'original_size')::bigint, f.byte_size)), 'info (saving)', NULL)
  FROM bench.optimized o JOIN media.files f ON f.id = o.id;
SQL
fi

if want text; then
# compression of a text corpus: the licence texts every Debian system has
TEXTS=$IN/texts
mkdir -p "$TEXTS"
find /usr/share/doc /usr/share/common-licenses -type f \( -name copyright -o -path '*common-licenses*' \) -size -200k 2>/dev/null |
  head -3000 | while IFS= read -r f; do cp "$f" "$TEXTS/$(echo "$f" | md5sum | cut -c1-16).txt"; done
[ "$(id -u)" = 0 ] && chown -R postgres:postgres "$TEXTS"
ls "$TEXTS" >"$IN/texts.list"
"${RUN[@]}" -v in="$IN" <<'SQL'
CREATE TABLE bench.textlist (name text);
\set listfile :in '/texts.list'
COPY bench.textlist FROM :'listfile';
CREATE TABLE bench.texts AS
SELECT media.put(pg_read_binary_file(:'in' || '/texts/' || name), name) AS id FROM bench.textlist;
SELECT bench.add(format('storage of %s text files (Debian licence texts, %s, deduplicated to %s distinct) vs their raw bytes; stored = deflated chunk data',
                        count(*), bench.mib(sum(f.byte_size)), count(DISTINCT f.blob_id)),
                 bench.mib((SELECT sum(length(c.data)) FROM media.chunks c WHERE c.blob_id IN (SELECT blob_id FROM media.files f2 JOIN bench.texts t2 ON t2.id = f2.id))),
                 bench.mib((SELECT sum(b.byte_size) FROM media.blobs b WHERE b.id IN (SELECT blob_id FROM media.files f2 JOIN bench.texts t2 ON t2.id = f2.id))),
                 (SELECT sum(length(c.data)) FROM media.chunks c WHERE c.blob_id IN (SELECT blob_id FROM media.files f2 JOIN bench.texts t2 ON t2.id = f2.id))::float8
                 / (SELECT sum(b.byte_size) FROM media.blobs b WHERE b.id IN (SELECT blob_id FROM media.files f2 JOIN bench.texts t2 ON t2.id = f2.id)),
                 '< 0.9 (>= 10% saved)',
                 (SELECT sum(length(c.data)) FROM media.chunks c WHERE c.blob_id IN (SELECT blob_id FROM media.files f2 JOIN bench.texts t2 ON t2.id = f2.id))::float8
                 / (SELECT sum(b.byte_size) FROM media.blobs b WHERE b.id IN (SELECT blob_id FROM media.files f2 JOIN bench.texts t2 ON t2.id = f2.id)) < 0.9)
  FROM bench.texts t JOIN media.files f ON f.id = t.id;
SQL
fi


# --- report -------------------------------------------------------------------
CPU=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
[ -n "$CPU" ] || CPU=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -1)
PGVER=$(psql_q -c "SELECT version()")
SETTINGS=$(psql_q -c "LOAD 'pg_media'" -c "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name)
                        FROM pg_settings WHERE name IN ('shared_buffers', 'fsync', 'wal_level', 'max_wal_size',
                        'autovacuum', 'jit', 'synchronous_commit', 'full_page_writes', 'media.chunk_size',
                        'media.max_file_size', 'media.compression', 'media.strip_location')")
CHUNK=$(psql_q -c "LOAD 'pg_media'" -c "SHOW media.chunk_size")
T_END=$(date +%s)

{
  echo "# pg_media benchmarks"
  echo
  echo "| measurement | pg_media | baseline | ratio | goal | met |"
  echo "|---|---|---|---|---|---|"
  psql_q -c "SELECT format('| %s | %s | %s | %s | %s | %s |', measurement, media, baseline, ratio, goal, met)
                FROM bench.results ORDER BY ord"
  if want images; then
    echo
    echo "## Speed bar (issue 14): pg_media's image core vs libvips, in one process"
    echo
    echo "| case | pg_media | libvips | ratio | CPU: pg_media | CPU: libvips | CPU ratio | goal | met | outputs |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    psql_q -c "SELECT format('| %s | %s | %s | %s | %s | %s | %s | <= 1.0 | %s | %s, %s |', what,
                      bench.ms(pg_ms), bench.ms(vips_ms), to_char(pg_ms / vips_ms, 'FM990.00'),
                      bench.ms(pg_cpu), bench.ms(vips_cpu), to_char(pg_cpu / vips_cpu, 'FM990.00'),
                      CASE WHEN pg_ms <= vips_ms AND pg_cpu <= vips_cpu THEN 'yes'
                           WHEN pg_ms <= vips_ms THEN 'wall time only'
                           WHEN pg_cpu <= vips_cpu THEN 'CPU time only' ELSE 'no' END, pg_size, vips_size)
                 FROM bench.speed ORDER BY ord"
    psql_q -c "SELECT format('| backend peak memory, 24 MP JPEG → 256 px: media.transform(id) of the stored file in a fresh backend (warmed up by a small transform, nothing cached): the backend''s peak resident set (VmHWM) after the call | %s | - | - | | | | < 32 MiB | %s | VmHWM %s before the call, +%s for it (its memory and the shared buffers it touched first); after it RssAnon %s, RssShmem %s; core allocator peak <= %s MiB (the smallest media.max_decode_memory under which the call works) |',
                      bench.mib(hwm1 * 1024.0), CASE WHEN hwm1 < 32 * 1024 THEN 'yes' ELSE 'no' END,
                      bench.mib(hwm0 * 1024.0), bench.mib((hwm1 - hwm0) * 1024.0), bench.mib(anon1 * 1024.0),
                      bench.mib(shmem1 * 1024.0), coalesce(budget_mb::text, '?'))
                 FROM bench.memory"
    echo
    echo "Each case: a BOX x BOX JPEG (quality 80) made by mm_transform() (what media.transform() runs)"
    echo "and by libvips' vips_thumbnail_buffer() + JPEG save, like with like (contain = vips' default;"
    echo "cover gravity centre = crop=centre; attention = crop=attention), one thread each"
    echo "(vips_concurrency_set(1)), libvips' cache off; $IMAGE_REPS rounds after a warm-up, pg_media and"
    echo "libvips alternating and the order swapped each round; medians of wall time and of process CPU"
    echo "time (all threads; not inflated by waiting for a CPU on a busy machine, which wall time is)."
    echo "Ratio = pg_media / libvips; met = both ratios <= 1.0, else which one is. Photos made by bench/make_images.sh from"
    echo "$IMG_SOURCE. Load average before/after: $LOAD_BEFORE / $LOAD_AFTER (nproc $(nproc))."
  fi
  echo
  echo "## How measured"
  echo
  echo "One throwaway cluster, one run: pg_media and every baseline on the same server, ratios only"
  echo "against baselines from this run. Timings are server-side: \`bench.run()\` compiles the statements"
  echo "of a comparison into a temporary plpgsql function that runs them interleaved (A, B, A, B, ...) once"
  echo "as a warm-up and then N times each, timing each with clock_timestamp(); the table gives medians."
  echo "Inputs are random bytes (12, 20, 100 MiB) detoasted into plpgsql variables before timing and passed"
  echo "by reference (static SQL, planned once), so no rep pays for parsing, detoasting or copying its"
  echo "input; every result is reduced to \`length(...)\` or a returned id assigned to a variable, so it is"
  echo "fully computed and nothing large goes to the client. Both sides of a comparison get the same input"
  echo "and the same per-rep work: put() and INSERT both overwrite the first 8 bytes with 8 bytes of"
  echo "sha256(rep), so each rep stores new content (checked: one new blob per put) and neither side sees"
  echo "compressible bytes. Base64 input is PostgreSQL's own \`encode(b, 'base64')\` (newline every 76"
  echo "chars) and the same without newlines; \`octet_length(_t)\` on the same variable is timed as the"
  echo "harness floor. Sizes are \`pg_total_relation_size\` (heap, TOAST, indexes, FSM/VM) after VACUUM and"
  echo "CHECKPOINT, with pg_media's tables holding only the storage set (measured first); pg_media ="
  echo "media.chunks + media.blobs + media.files. Storage input: $STORAGE_SOURCE, each"
  echo "stored several times with a distinct 8-byte suffix so nothing deduplicates, up to 100 MiB. The"
  echo "base64 baseline is the hand-made design, \`media_files(file_name, mime_type, file_size, file_data"
  echo "text, created_at)\`, holding base64 without line breaks (as data: URLs arrive) and, second row, with"
  echo "encode()'s line breaks; the bytea table has the same columns with \`file_data bytea\`. Base64 is"
  echo "exactly 4/3 of the bytes and both sides pay the same TOAST page overhead, so 0.75 is the floor for"
  echo "any uncompressed store of incompressible bytes; \"≈ 0.75\" is checked as <= 0.76, the rest being"
  echo "pg_media's per-file rows (media.files, media.blobs and their indexes; see the breakdown below)."
  echo "\"harness:\" timings are the cost of the measuring statement's own input handling, paid by both sides."
  if want client; then
    echo
    echo "Rows starting \"client:\" are measured differently, as applications call pg_media: by"
    echo "bench/client_bench (libpq, parameters and results in binary format), each side its own"
    echo "statement(s) from the client, client wall time per call, sides interleaved (order reversed every"
    echo "other round) after a warm-up call each; medians. \"CPU\" is the backend's CPU time (all its"
    echo "threads, /proc/PID/task/*/schedstat) plus the client's per call, which waiting for a CPU on a"
    echo "loaded machine does not inflate. Every put/INSERT stores new content (first 8 bytes a counter)."
  fi
  echo
  echo "Server settings: $SETTINGS (on top of initdb defaults; fsync off and wal_level come from scripts/cluster.sh)."
  echo
  echo "## Timings (ms)"
  echo
  echo "| timing | reps | min | median | max |"
  echo "|---|---|---|---|---|"
  psql_q -c "SELECT format('| %s | %s | %s | %s | %s |', label, reps, round(min_ms::numeric, 3),
                       round(median_ms::numeric, 3), round(max_ms::numeric, 3)) FROM bench.timings"
  if want storage; then
    echo
    echo "## Storage breakdown (bytes)"
    echo
    echo "| relation | rows | heap | TOAST | indexes | FSM+VM | total |"
    echo "|---|---|---|---|---|---|---|"
    psql_q -c "SELECT format('| %s | %s | %s | %s | %s | %s | %s |', relation, rows, heap, toast, indexes, fsm_vm, total)
                 FROM bench.storage ORDER BY relation"
  fi
  echo
  echo "## Machine"
  echo
  echo "- nproc: $(nproc)"
  echo "- CPU: $CPU"
  echo "- PostgreSQL: $PGVER"
  echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "- pg_media commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ' (src has uncommitted changes)')"
  echo "- bench run time: $((T_END - T_START)) s"
} >"$OUT"

cat "$OUT"

# --- the command-line tool: pg_media import vs psql \copy (its own cluster) --
if want cli && { [ -x "$ROOT/cli/pg_media" ] || make -s -C "$ROOT/cli" >/dev/null 2>&1; }; then
  echo >&2
  echo "== pg_media import vs psql \\copy" >&2
  BENCH_RESULTS="$OUT" "$ROOT/bench/cli_import.sh" || echo "bench/cli_import.sh failed" >&2
fi

# --- pg_media serve vs nginx (its own cluster) ---------------------------------
if want serve && { [ -x "$ROOT/cli/pg_media" ] || make -s -C "$ROOT/cli" >/dev/null 2>&1; }; then
  echo >&2
  echo "== pg_media serve vs nginx" >&2
  BENCH_RESULTS="$OUT" "$ROOT/bench/serve_nginx.sh" || echo "bench/serve_nginx.sh failed" >&2
fi

# --- the capacity model's figures: WAL per byte, replication lag, backups (its own clusters)
if want capacity; then
  echo >&2
  echo "== capacity (bench/capacity.sh)" >&2
  BENCH_RESULTS="$OUT" "$ROOT/bench/capacity.sh" || echo "bench/capacity.sh failed" >&2
fi
