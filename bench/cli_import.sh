#!/bin/bash
# bench/cli_import.sh - throughput of `pg_media import` against `psql \copy` of the
# same bytes into a plain bytea table (the fastest bulk path PostgreSQL has).
#
#   bench/cli_import.sh                  ~200 MB (CLI_BENCH_MB to change), prints a report
#   BENCH_RESULTS=bench/results.md bench/cli_import.sh   also appends the report there
#
# The folder holds incompressible files like media: three quarters of the bytes in
# 4 MiB files (streamed in parts through media.upload_*), the rest in 64 KiB files
# (one media.put each).  \copy loads one hex line per file.  Each side runs twice,
# alternately, on a throwaway cluster (scripts/cluster.sh); the best run of each
# counts.  The goal is a ratio (import throughput / \copy throughput) of at least 0.8.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
mb=${CLI_BENCH_MB:-200}
work=$(mktemp -d /tmp/pg_media_cli_bench.XXXXXX)
chmod 755 "$work"
port=$((55000 + RANDOM % 1000))
pgdir="$work/pg"

cleanup() {
  "$top/scripts/cluster.sh" stop "$pgdir" || true
  rm -rf "$work"
}
trap cleanup EXIT

make -s -C cli >/dev/null
"$top/scripts/cluster.sh" start "$pgdir" "$port"
export PGHOST="$pgdir" PGPORT="$port" PGUSER=postgres PGDATABASE=postgres
psql -qX -c "CREATE EXTENSION pg_media" -c "CREATE TABLE raw (data bytea)"

# the data: incompressible bytes, 3/4 in 4 MiB files, 1/4 in 64 KiB files
mkdir -p "$work/data/big" "$work/data/small"
nbig=$((mb * 3 / 4 / 4))
nsmall=$((mb * 1024 / 4 / 64))
for i in $(seq 1 "$nbig"); do head -c 4194304 /dev/urandom >"$work/data/big/f$i.bin"; done
for i in $(seq 1 "$nsmall"); do head -c 65536 /dev/urandom >"$work/data/small/f$i.bin"; done
bytes=$(find "$work/data" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
files=$((nbig + nsmall))
# one COPY text line per file: \\x and the hex digits (not timed)
find "$work/data" -type f | sort | while read -r f; do
  perl -e 'local $/; binmode STDIN; print "\\\\x", unpack("H*", <STDIN>), "\n"' <"$f"
done >"$work/hex.txt"

# resets the database between runs, so each starts from the same state
reset_db() {
  PGOPTIONS='-c client_min_messages=warning' psql -qX -c "DELETE FROM media.files" -c "DROP TABLE IF EXISTS bench_map" \
       -c "TRUNCATE raw" -c "VACUUM" -c "CHECKPOINT" >/dev/null
}

# prints the seconds a command takes
seconds() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}'
}

best_copy=""
best_import=""
for run in 1 2; do
  reset_db
  t=$(seconds psql -qX -c "\\copy raw FROM '$work/hex.txt'")
  best_copy=$(awk -v a="$t" -v b="${best_copy:-1e9}" 'BEGIN {print (a < b) ? a : b}')
  reset_db
  t=$(seconds "$top/cli/pg_media" import -q --map-table bench_map "$work/data")
  best_import=$(awk -v a="$t" -v b="${best_import:-1e9}" 'BEGIN {print (a < b) ? a : b}')
done

# check both loaded everything
stored=$(psql -qXAt -c "SELECT coalesce(sum(byte_size), 0) FROM media.files")
[ "$stored" = "$bytes" ] || { echo "import stored $stored bytes, expected $bytes" >&2; exit 1; }

report=$(awk -v b="$bytes" -v f="$files" -v c="$best_copy" -v i="$best_import" 'BEGIN {
  mbs = b / 1048576;
  printf "## pg_media import vs psql \\copy\n\n";
  printf "%d files, %.1f MB (3/4 in 4 MiB files, 1/4 in 64 KiB files), best of 2 runs each\n\n", f, mbs;
  printf "| loader | seconds | MB/s |\n|---|---|---|\n";
  printf "| psql \\copy (hex lines into a bytea table) | %.2f | %.1f |\n", c, mbs / c;
  printf "| pg_media import (upload_* in parts / put) | %.2f | %.1f |\n\n", i, mbs / i;
  printf "ratio (import / \\copy throughput): %.2f (goal >= 0.8)\n", c / i;
}')
echo "$report"
if [ -n "${BENCH_RESULTS:-}" ]; then
  printf '\n%s\n' "$report" >>"$BENCH_RESULTS"
fi
