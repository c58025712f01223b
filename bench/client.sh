#!/usr/bin/env bash
# bench/client.sh - the client part of make bench (BENCH_ONLY=client): pg_media
# measured as applications call it, by bench/client_bench (a libpq client,
# binary parameters, each side its own statements, interleaved, medians),
# against the cluster bench/run.sh started.  Appends its rows to bench.results
# and its timings to bench.timings.
#
#   bench/client.sh SOCKET_DIR PORT WORK_DIR
#
# BENCH_CLIENT_REPS (default 9) sets the rounds, BENCH_CLIENT_PARTS (default
# put,base64,read,images) the parts.  The photos come from bench/make_images.sh
# (made in WORK_DIR/images unless there).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SOCK=$1 PORT=$2 WORK=$3
REPS=${BENCH_CLIENT_REPS:-9}
PARTS=${BENCH_CLIENT_PARTS:-put,base64,read,images}
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres -d postgres)

make -s -C "$ROOT/bench" client_bench >&2
IMG=$WORK/images
if [[ ",$PARTS," == *",images,"* ]] && [ ! -f "$IMG/photo12.png" ]; then
  "$ROOT/bench/make_images.sh" "$IMG" >/dev/null
fi
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
"$ROOT/bench/build/client_bench" "host=$SOCK port=$PORT user=postgres dbname=postgres" "$REPS" "$PARTS" \
  contain "$IMG/photo24.jpg" 256 contain "$IMG/photo12.heic" 256 contain "$IMG/photo12.webp" 256 \
  contain "$IMG/photo12.png" 256 cover-centre "$IMG/photo12.jpg" 128 >"$WORK/client.tsv"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

grep '^R' "$WORK/client.tsv" | cut -f2- >"$WORK/client_rows.tsv"
grep '^T' "$WORK/client.tsv" | cut -f2-6 >"$WORK/client_timings.tsv"
[ "$(id -u)" = 0 ] && chown postgres "$WORK"/client_*.tsv
"${PSQL[@]}" -v rows="$WORK/client_rows.tsv" -v timings="$WORK/client_timings.tsv" \
  -v load="$LOAD_BEFORE / $LOAD_AFTER" -v reps="$REPS" <<'SQL'
CREATE TEMP TABLE client_rows (measurement text, media text, baseline text, ratio text, goal text, met text);
COPY client_rows FROM :'rows';
INSERT INTO bench.results (measurement, media, baseline, ratio, goal, met)
SELECT measurement || format(' [median of %s, interleaved; load %s]', :reps, :'load'), media, baseline, ratio, goal, met
  FROM client_rows;
CREATE TEMP TABLE client_timings (label text, reps int, min_ms float8, median_ms float8, max_ms float8);
COPY client_timings FROM :'timings';
INSERT INTO bench.timings SELECT 'client: ' || label, reps, min_ms, median_ms, max_ms FROM client_timings;
SQL
