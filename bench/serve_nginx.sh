#!/bin/bash
# bench/serve_nginx.sh - pg_media serve against nginx (Debian's, sendfile on, the
# same files on disk) on loopback, driven by the same load tool (wrk, with a Lua
# script that cycles through the URLs; each run lasts a fixed time, DURATION).
#
#   bench/serve_nginx.sh                          prints a report
#   BENCH_RESULTS=bench/results.md bench/serve_nginx.sh   also appends it there
#
# Files: 200 images of 20-200 kB (the shared corpus' images in that range, then
# JPEGs made from corpus images with vipsthumbnail until there are 200; without
# the corpus, generated JPEGs) and one 200 MB video (ffmpeg, testsrc2, H.264).
# Both servers serve every file at /media/{id}. For each concurrency (1, 4, 16)
# the two servers run alternately, ROUNDS times (default 3), and the medians of
# requests/s, p99 latency and bytes/s are compared: ratio = pg_media / nginx.
# Goals (issue 15): >= 0.5x nginx's requests/s for the images at concurrency 16,
# >= 0.8x its throughput for the video.
#
# pg_media serve runs with its content cache (--cache-size 1G, a private folder
# under $TMPDIR): every request still asks the database whether it may be
# answered (one prepared statement), the bytes come from the cache with
# sendfile(). Before the timed runs each server gets one untimed GET of every
# file (nginx: the page cache; pg_media: the page cache and its content cache),
# so both are measured warm; the report ends with the cache's counters and the
# load average, since the machine is shared.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
rounds=${ROUNDS:-3}
duration=${DURATION:-8}   # seconds per image run
work=$(mktemp -d /tmp/pg_media_serve_bench.XXXXXX)
chmod 755 "$work"
pgport=$((55000 + RANDOM % 1000))
ngport=$((pgport + 1000))
mdport=$((pgport + 2000))
pgdir="$work/pg"
corpus=${PG_MEDIA_CORPUS:-$top/../shared/corpus}

for tool in wrk nginx vipsthumbnail ffmpeg curl; do
  command -v "$tool" >/dev/null || { echo "serve_nginx: $tool is missing (scripts/install-deps.sh bench)" >&2; exit 1; }
done

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  "$top/scripts/cluster.sh" stop "$pgdir" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

make -s -C cli >/dev/null
"$top/scripts/cluster.sh" start "$pgdir" "$pgport" >/dev/null
export PGHOST="$pgdir" PGPORT="$pgport" PGUSER=postgres PGDATABASE=postgres
psql -qX -c "CREATE EXTENSION pg_media"

# --- the files ------------------------------------------------------------------
mkdir -p "$work/in/img" "$work/in/video"
n=0
if [ -f "$corpus/MANIFEST.tsv" ]; then
  while IFS= read -r p; do
    s=$(stat -c %s "$corpus/$p")
    if [ "$s" -ge 20000 ] && [ "$s" -le 200000 ] && [ "$n" -lt 200 ]; then
      n=$((n + 1)); cp "$corpus/$p" "$work/in/img/$n.${p##*.}"
    fi
  done < <(awk -F'\t' 'NR > 1 && $6 ~ /^image\// && $6 != "image/svg+xml" && $7 == "yes" { print $1 }' "$corpus/MANIFEST.tsv")
  # more: JPEGs made from corpus photos at sizes that land in 20-200 kB
  width=320
  while [ "$n" -lt 200 ] && [ "$width" -le 1600 ]; do
    while IFS= read -r p && [ "$n" -lt 200 ]; do
      out="$work/in/img/$((n + 1)).jpg"
      vipsthumbnail "$corpus/$p" --size "${width}x" -o "$out[Q=85]" 2>/dev/null || continue
      s=$(stat -c %s "$out")
      if [ "$s" -ge 20000 ] && [ "$s" -le 200000 ]; then n=$((n + 1)); else rm -f "$out"; fi
    done < <(awk -F'\t' 'NR > 1 && ($6 == "image/jpeg" || $6 == "image/png") && $7 == "yes" && $4 >= 800 { print $1 }' "$corpus/MANIFEST.tsv")
    width=$((width + 160))
  done
fi
while [ "$n" -lt 200 ]; do   # no corpus (or too few): generated photos-like noise
  n=$((n + 1))
  convert -size 480x360 plasma:fractal -quality 85 "$work/in/img/$n.jpg"
done
ffmpeg -loglevel error -f lavfi -i "testsrc2=size=1920x1080:rate=30" -c:v libx264 -preset ultrafast \
  -qp 8 -pix_fmt yuv420p -fs 200M -movflags +faststart -y "$work/in/video/video.mp4"
"$top/cli/pg_media" import -q --map-table public.served "$work/in" >/dev/null
img_bytes=$(find "$work/in/img" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
video_bytes=$(stat -c %s "$work/in/video/video.mp4")

# nginx's folder: the same bytes at the same paths, /media/{id}
mkdir -p "$work/www/media"
psql -qXAt -F ' ' -c "SELECT file_id, path FROM served" | while read -r id path; do
  cp "$path" "$work/www/media/$id"
done
psql -qXAt -c "SELECT 'http://127.0.0.1:PORT/media/' || s.file_id FROM served s JOIN media.files f ON f.id = s.file_id
               WHERE s.path LIKE '%/img/%' ORDER BY s.file_id" >"$work/img.urls"
video_id=$(psql -qXAt -c "SELECT file_id FROM served WHERE path LIKE '%/video.mp4'")
psql -qX -c "UPDATE media.files SET is_public = true"   # both serve them publicly cacheable

cat >"$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx.err warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$ngport;
    root $work/www;
    location /media/ { etag on; add_header Cache-Control "public, max-age=31536000, immutable"; }
  }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"
"$top/cli/pg_media" serve --pool 4 --cache-size "${CACHE_SIZE:-1G}" --listen "127.0.0.1:$mdport" \
  --access-log /dev/null 2>"$work/serve.err" &
pids+=($!)
for _ in $(seq 1 100); do grep -q "listening on" "$work/serve.err" 2>/dev/null && break; sleep 0.1; done

# wrk's script: cycle through the URL file from a random start, and print
# "rps p99_ms bytes_per_s" when done
cat >"$work/cycle.lua" <<'LUA'
local urls, i = {}, 0
function init(args)
  for line in io.lines(args[1]) do urls[#urls + 1] = line:gsub("^http://[^/]+", "") end
  i = math.random(#urls) - 1
end
function request()
  i = i % #urls + 1
  return wrk.format("GET", urls[i])
end
function response(status, headers, body)
  if status ~= 200 then io.stderr:write("status " .. status .. "\n") end
end
function done(summary, latency, requests)
  local s = summary.duration / 1e6
  io.write(string.format("RESULT %.1f %.3f %.0f\n", summary.requests / s,
    latency:percentile(99) / 1000, summary.bytes / s))
end
LUA

# One wrk run; prints "rps p99_ms bytes_per_s".
run_wrk() {
  local port=$1 urls=$2 conc=$3 threads=2
  [ "$conc" -lt 2 ] && threads=1
  sed "s/PORT/$port/" "$urls" >"$work/urls.$port"
  wrk -t "$threads" -c "$conc" -d "${duration}s" --timeout 60s -s "$work/cycle.lua" "http://127.0.0.1:$port" \
    -- "$work/urls.$port" 2>>"$work/wrk.err" | sed -n 's/^RESULT //p'
}
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# the untimed warm-up: every file once from each server
for port in "$ngport" "$mdport"; do
  sed "s/PORT/$port/" "$work/img.urls" | while read -r u; do curl -s --noproxy '*' -o /dev/null "$u"; done
  curl -s --noproxy '*' -o /dev/null "http://127.0.0.1:$port/media/$video_id"
done
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

report="$work/report.md"
{
  echo
  echo "## pg_media serve vs nginx (bench/serve_nginx.sh)"
  echo
  echo "200 images ($((img_bytes / 200 / 1024)) kB on average) and one video of $((video_bytes / 1048576)) MB, each served by nginx"
  echo "(sendfile on, files on disk, access log off) and by \`pg_media serve --pool 4 --cache-size ${CACHE_SIZE:-1G}\`"
  echo "(its content cache; each request still asks the database); one untimed GET of every file first; wrk on loopback"
  echo "(GETs cycling through the files from a random start), runs of ${duration} s, the two servers alternating,"
  echo "$rounds rounds, medians. $(nproc) cores, shared by client, servers and PostgreSQL."
  echo
  echo "Images: wrk, requests/s and p99 latency. Video: that many curl processes each GET the whole video at"
  echo "once; the rate is all bytes over the wall time, the latency column the slowest download (ms)."
  echo
  echo "| load | concurrency | nginx | pg_media | ratio | nginx p99/last ms | pg_media p99/last ms | latency ratio | goal | met |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
} >"$report"
# One round of the video: conc curl processes each GET the whole video at once;
# prints "bytes_per_s slowest_ms" (all bytes over the wall time, and the longest download).
run_video() {
  local port=$1 conc=$2 t0 t1 curls=()
  t0=$(date +%s.%N)
  for _ in $(seq 1 "$conc"); do
    curl -s --noproxy '*' -o /dev/null -w '%{size_download} %{time_total}\n' \
      "http://127.0.0.1:$port/media/$video_id" >>"$work/v.$port" &
    curls+=($!)
  done
  wait "${curls[@]}"   # not the server running in the background
  t1=$(date +%s.%N)
  awk -v t="$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')" -v want="$video_bytes" \
    '{b += $1; if ($2 > m) m = $2; if ($1 != want) bad++} END {if (bad) print "short download" > "/dev/stderr"; printf "%.0f %.1f\n", b / t, m * 1000}' "$work/v.$port"
  rm -f "$work/v.$port"
}

# One row of the table: ROUNDS alternating runs of RUNNER PORT CONC against
# each server, the medians of the two numbers a run prints (rate, latency),
# the ratios, and the goal when this is the row it applies to.
compare() {
  local label=$1 unit=$2 scale=$3 conc=$4 goal_conc=$5 goal=$6 runner=$7
  local n_rate m_rate n_lat m_lat met="-" shown="-"
  : >"$work/r.nginx"; : >"$work/r.media"
  for _ in $(seq 1 "$rounds"); do
    "$runner" "$ngport" "$conc" >>"$work/r.nginx"
    "$runner" "$mdport" "$conc" >>"$work/r.media"
  done
  n_rate=$(awk '{print $1}' "$work/r.nginx" | median); m_rate=$(awk '{print $1}' "$work/r.media" | median)
  n_lat=$(awk '{print $2}' "$work/r.nginx" | median); m_lat=$(awk '{print $2}' "$work/r.media" | median)
  if [ "$conc" = "$goal_conc" ]; then
    shown=">= $goal"; met=$(awk -v a="$m_rate" -v b="$n_rate" -v g="$goal" 'BEGIN {print (a / b >= g) ? "yes" : "no"}')
  fi
  awk -v l="$label" -v u="$unit" -v s="$scale" -v c="$conc" -v nr="$n_rate" -v mr="$m_rate" \
      -v np="$n_lat" -v mp="$m_lat" -v g="$shown" -v m="$met" \
    'BEGIN {printf "| %s | %s | %.0f %s | %.0f %s | %.2f | %.1f | %.1f | %.1f | %s | %s |\n",
            l, c, nr / s, u, mr / s, u, mr / nr, np, mp, mp / np, g, m}' >>"$report"
}
img_run() { run_wrk "$1" "$work/img.urls" "$2"; }

for conc in 1 4 16; do compare images req/s 1 "$conc" 16 0.5 img_run; done
for conc in ${VIDEO_CONC:-1 4 16}; do compare video MB/s 1048576 "$conc" 1 0.8 run_video; done
{
  echo
  echo "Load average (1, 5, 15 min) before the timed runs: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "pg_media serve's cache at the end: $(curl -s --noproxy '*' "http://127.0.0.1:$mdport/metrics" |
    awk '/^pg_media_cache_(hits|misses|fills|bytes|evictions)(_total)? / {sub(/^pg_media_cache_/, ""); printf "%s%s %s", sep, $1, $2; sep = ", "}')."
} >>"$report"
[ -s "$work/wrk.err" ] && { echo; echo "wrk reported: $(sort "$work/wrk.err" | uniq -c | head -5 | tr '\n' ';')"; } >>"$report"
cat "$report"
if [ -n "${BENCH_RESULTS:-}" ]; then cat "$report" >>"$BENCH_RESULTS"; fi
