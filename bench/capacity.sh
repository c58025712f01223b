#!/usr/bin/env bash
# bench/capacity.sh - the measured part of the capacity model (issue 16, docs/scale-out.md):
#
#   1. WAL bytes written per stored byte: media.put() of the corpus files (or, without the
#      corpus, of generated files), of incompressible and of compressible generated files, and
#      one big file through media.upload_*, each right after a CHECKPOINT (so the full-page
#      images of every page touched first count), with wal_compression off, pglz, lz4, zstd;
#      pg_waldump --stats of the range says where the bytes go.
#   2. Replication lag under a sustained ingest: a streaming standby, CAP_INGEST_SECONDS of
#      media.put() at full speed from two sessions, pg_stat_replication sampled every second;
#      then a second standby, made before the ingest and started after it: WAL replay speed.
#   3. Base backup and restore of what the ingest stored: pg_basebackup, copy + start to
#      consistent; pg_dump -Fd -j2 and pg_restore -j2; each extrapolated linearly to 10 GB.
#
#   bench/capacity.sh                      about 5-8 minutes, prints a report
#   BENCH_RESULTS=bench/results.md ...     also appends the report there (make bench does)
#
# Knobs: CAP_PORT (first of three ports, default 57500), CAP_INGEST_SECONDS (60),
# CAP_MAX_MB (stop the ingest at this many MiB stored, default 3072), CAP_UPLOAD_MB (128),
# CAP_DUMP_OPTS (pg_dump's compression, default -Z0), CAP_CATALOGUE_ROWS (300000),
# CAP_WAL_SETS (which WAL sets with which wal_compression methods, see below),
# CAP_READY_FILE (touched once the extension is created, after which the installed
# extension files are no longer read: a caller holding the install lock may let it go).
# The clusters run with fsync on and wal_level replica (a production setting, unlike
# scripts/cluster.sh's test defaults).  Everything lives under one temporary directory,
# removed on exit.  Uses the installed pg_media (run `make install` first; make bench does).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN=$(pg_config --bindir)
PORT=${CAP_PORT:-57500}
INGEST_S=${CAP_INGEST_SECONDS:-60}
MAX_MB=${CAP_MAX_MB:-3072}
UPLOAD_MB=${CAP_UPLOAD_MB:-128}
# -Z0: media does not compress, and gzip of the dump's hex text is CPU-bound (9 MiB/s here)
DUMP_OPTS=${CAP_DUMP_OPTS:--Z0}
CORPUS=$(realpath -m "${PG_MEDIA_CORPUS:-$ROOT/../shared/corpus}")
WORK=$(mktemp -d /tmp/pg_media_capacity.XXXXXX)
chmod 755 "$WORK"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$WORK"
PRI=$WORK/primary
STB=$WORK/standby
LATE=$WORK/late
RST=$WORK/restore
IN=$WORK/in
T_START=$(date +%s)

# as_pg CMD...: runs a command as the postgres user when we are root (servers refuse root)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# stops a cluster whose data directory is DIR/data, if it runs
stop_cluster() { [ -f "$1/data/postmaster.pid" ] && as_pg "$BIN/pg_ctl" -D "$1/data" -m immediate -w stop >/dev/null 2>&1 || true; }

cleanup() {
  [ -n "${INGEST_PIDS:-}" ] && kill $INGEST_PIDS 2>/dev/null || true
  stop_cluster "$RST"
  stop_cluster "$STB"
  stop_cluster "$LATE"
  stop_cluster "$PRI"
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# psql against the primary (database $DB, default postgres), quiet, unaligned
q() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$PRI" -p "$PORT" -U postgres -d "${DB:-postgres}" "$@"; }

# seconds since the epoch, with fractions
now() { date +%s.%N; }
# elapsed T0: seconds since T0, 2 decimals
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
# wait_true SQL-COMMAND-PREFIX...: runs the psql command every 0.2 s until it prints t (at most 10 min)
wait_true() {
  local n=0
  until [ "$("$@" 2>/dev/null)" = t ]; do
    n=$((n + 1))
    [ $n -lt 3000 ] || { echo "capacity.sh: gave up waiting for: $*" >&2; exit 1; }
    sleep 0.2
  done
}
# size in bytes of a directory tree
dir_bytes() { du -sb "$1" | cut -f1; }

# progress on stderr, with the seconds since the start
log() { echo "== [$(($(date +%s) - T_START)) s] $*" >&2; }

REPORT=$WORK/report.md
say() { printf '%s\n' "$*" | tee -a "$REPORT" >&2; }

# --- the primary -------------------------------------------------------------
log "primary cluster in $PRI (port $PORT)"
"$ROOT/scripts/cluster.sh" start "$PRI" "$PORT"
cat >>"$PRI/data/postgresql.conf" <<CONF
# capacity.sh: production-like durability and WAL
fsync = on
wal_level = replica
full_page_writes = on
synchronous_commit = on
shared_buffers = 256MB
max_wal_size = 16GB
checkpoint_timeout = 30min
wal_keep_size = 4GB
autovacuum = off
jit = off
CONF
as_pg "$BIN/pg_ctl" -D "$PRI/data" -m fast -w restart >/dev/null
# the extension in template1: every database made below has it without reading the
# installed files again
DB=template1 q -c "CREATE EXTENSION pg_media"
[ -n "${CAP_READY_FILE:-}" ] && touch "$CAP_READY_FILE"
q -c "CREATE DATABASE ingest"

# --- input files ----------------------------------------------------------------
log "input files"
mkdir -p "$IN/corpus" "$IN/rand" "$IN/text" "$IN/small"
NCORPUS=0
if [ -f "$CORPUS/MANIFEST.tsv" ]; then
  while IFS= read -r p; do
    [ -f "$CORPUS/$p" ] || continue
    NCORPUS=$((NCORPUS + 1))
    cp "$CORPUS/$p" "$IN/corpus/$NCORPUS-$(basename "$p")"
  done < <(awk -F'\t' 'NR > 1 { print $1 }' "$CORPUS/MANIFEST.tsv")
  CORPUS_SET="the $NCORPUS corpus files (real media of every kind, $CORPUS)"
else
  # no corpus: a mixed stand-in, 3/4 incompressible, 1/4 text
  for i in $(seq 1 48); do head -c $((i * 12345 + 20000)) /dev/urandom >"$IN/corpus/$i.bin"; done
  NCORPUS=48
  CORPUS_SET="48 generated files (corpus absent)"
fi
# incompressible: 48 files of 2 MiB (like photos); the upload source; the ingest source
for i in $(seq 1 48); do head -c $((2 * 1048576)) /dev/urandom >"$IN/rand/$i.bin"; done
# small: 320 files of 64 KiB (thumbnails, icons, documents)
for i in $(seq 1 320); do head -c 65536 /dev/urandom >"$IN/small/$i.bin"; done
head -c $((UPLOAD_MB * 1048576)) /dev/urandom >"$IN/big.bin"
head -c $((64 * 1048576)) /dev/urandom >"$IN/ingest.bin"
# compressible: Debian's copyright texts, concatenated, in files of 256 KiB (at most 64)
find /usr/share/doc /usr/share/common-licenses -type f \( -name copyright -o -path '*common-licenses*' \) \
     -size -200k -print0 2>/dev/null | sort -z | xargs -0 cat 2>/dev/null | head -c $((16 * 1048576)) |
  split -b 262144 -d -a 3 --additional-suffix=.txt - "$IN/text/t"
[ "$(id -u)" = 0 ] && chown -R postgres:postgres "$IN"

# one psql script per data set: each file one media.put() (one transaction each, as an
# application stores them), SUFFIX appended to each file's bytes (new content); the big
# file through upload_begin / append (1 MiB parts, the CLI's default) / finish
put_script() { for f in "$1"/*; do printf "SELECT media.put(pg_read_binary_file('%s')%s, '%s') \\\\g /dev/null\n" "$f" "${2:-}" "$(basename "$f")"; done; }
put_script "$IN/corpus" >"$WORK/corpus.sql"
put_script "$IN/rand" >"$WORK/rand.sql"
put_script "$IN/text" >"$WORK/text.sql"
put_script "$IN/small" >"$WORK/small.sql"
{
  echo "SELECT media.upload_begin('big.bin') AS up \\gset"
  for i in $(seq 0 $((UPLOAD_MB - 1))); do
    printf "SELECT media.upload_append(:up, pg_read_binary_file('%s', %d, 1048576)) \\\\g /dev/null\n" "$IN/big.bin" $((i * 1048576))
  done
  echo "SELECT media.upload_finish(:up) \\g /dev/null"
} >"$WORK/upload.sql"

# ==============================================================================
# 1. WAL per stored byte
# ==============================================================================
say "## Capacity (bench/capacity.sh, issue 16)"
say ""
say "### WAL written per stored byte"
say ""
say "Each set is stored right after a CHECKPOINT into a fresh database (fsync on, full_page_writes on,"
say "wal_level replica), one session. WAL = pg_wal_lsn_diff over the set (every record, full-page"
say "images, commits); content = the bytes of the new blobs (distinct content, before pg_media's deflate)."
say ""
say "| set | wal_compression | files | content | WAL | WAL / content | full-page images | seconds | content MiB/s |"
say "|---|---|---|---|---|---|---|---|---|"
WALDUMP_OUT=$WORK/waldump.txt
: >"$WALDUMP_OUT"
# the largest record types of a pg_waldump --stats=record output on stdin, and the totals
waldump_summary() {
  awk '$1 ~ /\// || $1 == "Total" { gsub(/\([^)]*\)|\[[^]]*\]/, ""); if ($5 > 0) print $1, $2, $3, $4, $5 }' |
    sort -k5,5 -n -r | head -8 |
    awk '{ printf "%-24s %8d records %12d record bytes %10d FPI bytes\n", $1, $2, $3, $4 }'
}
# catalogue: a database that already holds CAP_CATALOGUE_ROWS files (synthetic rows: 1-byte
# content, random SHA-256 and blob ids, so its indexes have their real size), where each new
# file touches index pages that were last written before the checkpoint (full-page images)
CAT_ROWS=${CAP_CATALOGUE_ROWS:-300000}
log "WAL: a catalogue of $CAT_ROWS files"
DB=postgres q -c "CREATE DATABASE catalogue_base"
DB=catalogue_base q <<SQL
WITH b AS (INSERT INTO media.blobs (sha256, byte_size)
             SELECT sha256(int8send(i)), 1 FROM generate_series(1, $CAT_ROWS) i RETURNING id, sha256),
     c AS (INSERT INTO media.chunks (blob_id, start, size, data) SELECT id, 0, 1, '\x00' FROM b)
INSERT INTO media.files (blob_id, name, mime_type, media_type, byte_size, sha256, etag, owner)
SELECT id, 'old.bin', 'application/octet-stream', 'other', 1, sha256, encode(sha256, 'hex'), current_user FROM b;
VACUUM ANALYZE;
SQL
cat_index_mb=$(DB=catalogue_base q -c "SELECT round(sum(pg_relation_size(indexrelid)) / 1048576.0, 1) FROM pg_index
                                      WHERE indrelid IN ('media.files'::regclass, 'media.blobs'::regclass, 'media.chunks'::regclass)")
# the wal_compression methods this build accepts (lz4 and zstd are build options)
WAL_METHODS_BUILT=" $(q -c "SELECT array_to_string(enumvals, ' ') FROM pg_settings WHERE name = 'wal_compression'") "
for spec in ${CAP_WAL_SETS:-corpus:off rand:off text:off upload:off small:off,pglz,lz4,zstd catalogue:off,pglz,lz4,zstd}; do
  set=${spec%%:*}
  for method in $(echo "${spec#*:}" | tr , ' '); do
    if [[ "$WAL_METHODS_BUILT" != *" $method "* ]]; then
      say "| $set | $method | - | - | - | - | - | - | (not in this build) |"
      continue
    fi
    db="wal_${method}_$set"
    log "WAL: $set, wal_compression $method"
    if [ "$set" = catalogue ]; then
      q -c "CREATE DATABASE $db TEMPLATE catalogue_base STRATEGY FILE_COPY"
      script=small
    else
      q -c "CREATE DATABASE $db"
      script=$set
    fi
    opts="-c wal_compression=$method -c media.allow_active_content=on"
    start=$(DB=$db q -c "CHECKPOINT" -c "SELECT pg_current_wal_insert_lsn()")
    blobs0=$(DB=$db q -c "SELECT coalesce(sum(byte_size), 0) FROM media.blobs")
    files0=$(DB=$db q -c "SELECT count(*) FROM media.files")
    t=$(now)
    # a file pg_media refuses (a damaged one in the corpus) is left out, not fatal
    PGOPTIONS="$opts" DB=$db q -v ON_ERROR_STOP=0 -f "$WORK/$script.sql" 2>>"$WORK/refused.log"
    secs=$(elapsed "$t")
    end=$(DB=$db q -c "SELECT pg_current_wal_insert_lsn()")
    read -r files content wal < <(DB=$db q -F ' ' -c "SELECT (SELECT count(*) - $files0 FROM media.files),
           (SELECT coalesce(sum(byte_size), 0) - $blobs0 FROM media.blobs), pg_wal_lsn_diff('$end', '$start')")
    stats=$(as_pg "$BIN/pg_waldump" -p "$PRI/data/pg_wal" -s "$start" -e "$end" --stats=record 2>/dev/null || true)
    fpi=$(printf '%s\n' "$stats" | awk '$1 == "Total" { gsub(/\[[^]]*\]/, ""); print $4 }')
    if [ "$method" = off ]; then
      { echo "--- $set, wal_compression off: $start .. $end"; printf '%s\n' "$stats" | waldump_summary; } >>"$WALDUMP_OUT"
    fi
    say "$(awk -v s="$set" -v m="$method" -v f="$files" -v c="$content" -v w="$wal" -v p="${fpi:-0}" -v t="$secs" 'BEGIN {
           printf "| %s | %s | %d | %.2f MiB | %.2f MiB | %.3f | %.2f MiB | %.1f | %.1f |", s, m, f, c / 1048576, w / 1048576,
                  (c > 0 ? w / c : 0), p / 1048576, t, c / 1048576 / t }')"
    q -c "DROP DATABASE $db"
  done
done
q -c "DROP DATABASE catalogue_base"
say ""
say "Sets: corpus = $CORPUS_SET, $(grep -c ERROR "$WORK/refused.log" || true) refusals in all runs"
say "(files pg_media refuses are left out); rand = 48 files of 2 MiB of random bytes (media.put);"
say "text = Debian copyright texts in files of 256 KiB (deflated by pg_media: WAL below 1 per content"
say "byte); upload = one ${UPLOAD_MB} MiB random file through media.upload_begin/append (1 MiB parts, one"
say "transaction each)/finish; small = 320 files of 64 KiB of random bytes; catalogue = the small"
say "files stored into a database that already holds $CAT_ROWS files (synthetic rows with random"
say "SHA-256 and blob ids: $cat_index_mb MiB of indexes on files, blobs and chunks), so each new file"
say "touches index pages last written before the checkpoint: full-page images, which wal_compression"
say "compresses."
say ""
say "pg_waldump --stats=record of each range (wal_compression off), largest record types first:"
say ""
say '```'
tee -a "$REPORT" <"$WALDUMP_OUT" >&2
say '```'

# ==============================================================================
# 2. replication lag under a sustained ingest
# ==============================================================================
# make_standby DIR PORT SLOT: a streaming standby of the primary in DIR (not started)
make_standby() {
  as_pg mkdir -p "$1"
  as_pg "$BIN/pg_basebackup" -h "$PRI" -p "$PORT" -U postgres -D "$1/data" -X stream -c fast -R -C -S "$3"
  printf "port = %s\nunix_socket_directories = '%s'\nhot_standby = on\n" "$2" "$1" >>"$1/data/postgresql.conf"
}
log "standbys"
make_standby "$STB" $((PORT + 1)) capacity
as_pg "$BIN/pg_ctl" -D "$STB/data" -l "$STB/server.log" -w -t 120 start >/dev/null
# a second standby, started only after the ingest: how fast WAL is replayed (what a restore
# from a base backup and archived WAL, or a replica that fell behind, goes through)
make_standby "$LATE" $((PORT + 2)) capacity_late

# the ingest: two sessions, each a loop of media.put() of 2 MiB of new content (a slice of a
# random file and a counter), committing each, until the time is up or its share of CAP_MAX_MB
ingest_session() {
  DB=ingest q -c "DO \$\$
DECLARE
  deadline timestamptz := clock_timestamp() + interval '$INGEST_S seconds';
  stored bigint := 0;
  i bigint := 0;
BEGIN
  WHILE clock_timestamp() < deadline AND stored < $((MAX_MB / 2)) * 1048576::bigint LOOP
    PERFORM media.put(pg_read_binary_file('$IN/ingest.bin', (i * 1048583 + $1 * 7919) % (62 * 1048576), 2097144)
                      || int8send($1 * 1000000000 + i), 'ingest.bin');
    stored := stored + 2097152;
    i := i + 1;
    COMMIT;
  END LOOP;
END \$\$"
}
log "ingest for ${INGEST_S}s with a standby, sampling lag"
lsn0=$(q -c "SELECT pg_current_wal_lsn()")
t0=$(now)
ingest_session 1 &
p1=$!
ingest_session 2 &
p2=$!
INGEST_PIDS="$p1 $p2"
: >"$WORK/lag.tsv"
while kill -0 $p1 2>/dev/null || kill -0 $p2 2>/dev/null; do
  q -F ' ' -c "SELECT coalesce(extract(epoch FROM write_lag), 0), coalesce(extract(epoch FROM flush_lag), 0),
                      coalesce(extract(epoch FROM replay_lag), 0),
                      pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)
                 FROM pg_stat_replication WHERE application_name <> 'pg_basebackup'" >>"$WORK/lag.tsv" || true
  sleep 1
done
wait $p1 $p2
INGEST_PIDS=
ingest_s=$(elapsed "$t0")
lsn1=$(q -c "SELECT pg_current_wal_lsn()")
# catch-up: until the standby has replayed everything
t_catch=$(now)
wait_true q -c "SELECT coalesce(bool_and(pg_wal_lsn_diff('$lsn1', replay_lsn) <= 0), false) FROM pg_stat_replication
                WHERE application_name <> 'pg_basebackup'"
catchup_s=$(elapsed "$t_catch")
read -r ing_files ing_bytes ing_wal < <(DB=ingest q -F ' ' -c "SELECT count(*), coalesce(sum(byte_size), 0),
       pg_wal_lsn_diff('$lsn1', '$lsn0') FROM media.files")
standby_files=$(psql -X -At -h "$STB" -p $((PORT + 1)) -U postgres -d ingest -c "SELECT count(*) FROM media.files")

# median and max of column N of lag.tsv
lag_stat() { cut -d' ' -f"$1" "$WORK/lag.tsv" | sort -g | awk '{ v[NR] = $1 } END {
  if (NR == 0) { print "- -"; exit } m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print m, v[NR] }'; }
read -r wl_med wl_max < <(lag_stat 1)
read -r fl_med fl_max < <(lag_stat 2)
read -r rl_med rl_max < <(lag_stat 3)
read -r bl_med bl_max < <(lag_stat 4)
say ""
say "### Replication lag under a sustained ingest"
say ""
say "$(awk -v f="$ing_files" -v b="$ing_bytes" -v w="$ing_wal" -v s="$ingest_s" -v n="$(wc -l <"$WORK/lag.tsv")" 'BEGIN {
  printf "Ingest: two sessions of media.put() of 2 MiB files (new content each, one transaction each) for %.1f s:\n", s;
  printf "%d files, %.1f MiB stored = %.1f MiB/s of content, %.1f MiB/s of WAL (%.3f WAL per content byte); %d samples (one a second).", f, b / 1048576, b / 1048576 / s, w / 1048576 / s, w / b, n }')"
say ""
say "| lag (pg_stat_replication) | median | max |"
say "|---|---|---|"
say "| write_lag | ${wl_med} s | ${wl_max} s |"
say "| flush_lag | ${fl_med} s | ${fl_max} s |"
say "| replay_lag | ${rl_med} s | ${rl_max} s |"
say "$(awk -v m="$bl_med" -v x="$bl_max" 'BEGIN { printf "| bytes not yet replayed (current_wal_lsn - replay_lsn) | %.2f MiB | %.2f MiB |", m / 1048576, x / 1048576 }')"
say ""
say "After the ingest the standby had replayed everything in ${catchup_s} s; it shows $standby_files of $ing_files files."
stop_cluster "$STB"
rm -rf "$STB"
q -c "SELECT pg_drop_replication_slot('capacity')" >/dev/null

log "replay of the ingest's WAL by the late standby"
t=$(now)
as_pg "$BIN/pg_ctl" -D "$LATE/data" -l "$LATE/server.log" -w -t 600 start >/dev/null
wait_true psql -X -At -h "$LATE" -p $((PORT + 2)) -U postgres -d postgres \
  -c "SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '$lsn1') >= 0"
replay_s=$(elapsed "$t")
stop_cluster "$LATE"
rm -rf "$LATE"
q -c "SELECT pg_drop_replication_slot('capacity_late')" >/dev/null
say "$(awk -v w="$ing_wal" -v s="$replay_s" 'BEGIN { printf "A standby started after the ingest (from a base backup taken before it) replayed its %.1f MiB of WAL in %.1f s: %.1f MiB/s of WAL replay (streamed from the primary, one startup process).", w / 1048576, s, w / 1048576 / s }')"

# ==============================================================================
# 3. base backup, restore, pg_dump / pg_restore of what the ingest stored
# ==============================================================================
log "backups"
q -c "CHECKPOINT"
db_bytes=$(q -c "SELECT sum(pg_database_size(datname)) FROM pg_database")
media_bytes=$(DB=ingest q -c "SELECT coalesce(sum(byte_size), 0) FROM media.blobs")
# per10 SECONDS BYTES: seconds per 10 GiB at this rate
per10() { awk -v s="$1" -v b="$2" 'BEGIN { printf "%.0f s (%.1f min) at %.1f MiB/s", s * 10 * 1073741824 / b, s * 10 * 1073741824 / b / 60, b / 1048576 / s }'; }

as_pg mkdir -p "$RST"
t=$(now)
as_pg "$BIN/pg_basebackup" -h "$PRI" -p "$PORT" -U postgres -D "$WORK/basebackup" -X stream -c fast
bb_s=$(elapsed "$t")
bb_bytes=$(dir_bytes "$WORK/basebackup")
bb_wal=$(dir_bytes "$WORK/basebackup/pg_wal")
# restore: copy the backup into place (as from backup storage), then start it until it is
# consistent and accepts connections
t=$(now)
as_pg cp -a "$WORK/basebackup" "$RST/data"
sync -f "$RST/data"
cp_s=$(elapsed "$t")
rm -rf "$WORK/basebackup"
cat >>"$RST/data/postgresql.conf" <<CONF
port = $((PORT + 2))
unix_socket_directories = '$RST'
CONF
t=$(now)
as_pg "$BIN/pg_ctl" -D "$RST/data" -l "$RST/server.log" -w -t 600 start >/dev/null
start_s=$(elapsed "$t")
rst_files=$(psql -X -At -h "$RST" -p $((PORT + 2)) -U postgres -d ingest -c "SELECT count(*) FROM media.files")
stop_cluster "$RST"
rm -rf "$RST"

# logical: pg_dump -Fd -j2 (default compression) and pg_restore -j2 into a new database
as_pg mkdir -p "$WORK/dump"
log "pg_dump, pg_restore"
t=$(now)
as_pg "$BIN/pg_dump" -h "$PRI" -p "$PORT" -U postgres -Fd -j2 $DUMP_OPTS -f "$WORK/dump/ingest" ingest
dump_s=$(elapsed "$t")
dump_bytes=$(dir_bytes "$WORK/dump/ingest")
q -c "CREATE DATABASE restored TEMPLATE template0"
t=$(now)
as_pg "$BIN/pg_restore" -h "$PRI" -p "$PORT" -U postgres -j2 --exit-on-error -d restored "$WORK/dump/ingest"
restore_s=$(elapsed "$t")
rm -rf "$WORK/dump"
restored_bytes=$(DB=restored q -c "SELECT coalesce(sum(byte_size), 0) FROM media.files")
DB=restored q -c "SELECT count(*) FROM media.check_integrity()" >"$WORK/integrity"

say ""
say "### Backup and restore"
say ""
say "$(awk -v d="$db_bytes" -v m="$media_bytes" 'BEGIN { printf "The cluster after the ingest: %.2f GiB on disk (all databases), %.2f GiB of media content.", d / 1073741824, m / 1073741824 }')"
say ""
say "| step | seconds | bytes | per 10 GiB (linear) |"
say "|---|---|---|---|"
say "| pg_basebackup -X stream -c fast (plain) | $bb_s | $bb_bytes | $(per10 "$bb_s" "$bb_bytes") |"
say "| restore: copy the base backup into place and sync (read from the page cache) | $cp_s | $bb_bytes | $(per10 "$cp_s" "$bb_bytes") |"
say "| restore: start it until consistent (replays the $bb_wal bytes of WAL in the backup) | $start_s | $bb_bytes | - (depends on the WAL to replay: see the replay speed above) |"
say "| pg_dump -Fd -j2 $DUMP_OPTS | $dump_s | $dump_bytes (dump) | $(per10 "$dump_s" "$db_bytes") of database |"
say "| pg_restore -j2 into a new database | $restore_s | $restored_bytes (files' bytes) | $(per10 "$restore_s" "$db_bytes") of database |"
say ""
say "The restored base backup shows $rst_files of $ing_files files; the pg_restore'd database $(DB=restored q -c "SELECT count(*) FROM media.files") files and $(cat "$WORK/integrity") problems in media.check_integrity()."

# --- machine -------------------------------------------------------------------
disk=$(df -P "$WORK" | awk 'NR == 2 { print $1 }')
dev=$(basename "$disk")
rot=$(cat "/sys/block/$dev/queue/rotational" 2>/dev/null || echo "?")
say ""
say "Machine: nproc $(nproc), $(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -1), $(free -g | awk '/^Mem:/ { print $2 }') GiB RAM;"
say "data on $disk (rotational=$rot as the guest sees it); load average at the end $(cut -d' ' -f1-3 /proc/loadavg);"
say "$(q -c "SELECT version()" | cut -d, -f1); $(date -u '+%Y-%m-%d %H:%M UTC'); run time $(($(date +%s) - T_START)) s."

if [ -n "${BENCH_RESULTS:-}" ]; then
  printf '\n' >>"$BENCH_RESULTS"
  cat "$REPORT" >>"$BENCH_RESULTS"
fi
cat "$REPORT"
