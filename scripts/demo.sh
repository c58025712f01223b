#!/bin/bash
# make demo: on a fresh Debian 12 machine (as root), install what is missing,
# build and install pg_media, start a throwaway cluster, store real media,
# and show what pg_media knows about them, a file written back out, a range
# read and dedup.  DEMO_KEEP=1 leaves the cluster running afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Installing what is missing"
if [ "$(id -u)" = 0 ]; then ./scripts/install-deps.sh test; else echo "(not root: assuming dependencies are installed)"; fi

step "Building and installing pg_media"
make -s all cli
if [ "$(id -u)" = 0 ]; then make -s install-all; fi
echo "installed into $(pg_config --pkglibdir); the command-line tool is $(command -v pg_media || echo cli/pg_media)"

step "Starting a throwaway PostgreSQL $(pg_config --version | awk '{print $2}') cluster"
dir=/tmp/pg_media_demo
port=55499
./scripts/cluster.sh stop "$dir" 2>/dev/null || true
rm -rf "$dir"
./scripts/cluster.sh start "$dir" "$port"
[ "${DEMO_KEEP:-0}" = 1 ] || trap './scripts/cluster.sh stop "$dir"' EXIT
psql_() { psql -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres "$@"; }
echo "running in $dir (port $port)"
psql_ -c "CREATE EXTENSION pg_media"
psql_ -c "\\dx pg_media"

# Real media: from the shared corpus when present, otherwise from files every
# Debian system has, otherwise made here.
corpus="${PG_MEDIA_CORPUS:-$top/../shared/corpus}"
files=()
if [ -d "$corpus" ]; then
  for f in \
    desktop-base/plasma/look-and-feel/org.debian.desktop/contents/previews/fullscreenpreview.jpg \
    desktop-base/desktop-base/softwaves-theme/grub/grub-16x9.png \
    golang-github-gabriel-vasile-mimetype-dev/apng.png \
    gdk-pixbuf-tests/gif-test-suite/255-codes.gif \
    gnome-backgrounds/vnc-l.webp \
    alsa-utils/Front_Center.wav \
    forensics-samples-files/audio1/debian.ogg \
    forensics-samples-files/audio1/debian.mp3 \
    golang-github-gabriel-vasile-mimetype-dev/mp4.mp4 \
    golang-github-gabriel-vasile-mimetype-dev/webm.webm \
    forensics-samples-files/text1/a-text.docx \
    forensics-samples-files/text1/a-text-pass-peanuts.pdf; do
    [ -f "$corpus/$f" ] && files+=("$corpus/$f")
  done
fi
if [ ${#files[@]} = 0 ]; then
  echo "(shared corpus not found: making images with ImageMagick and taking text from this system)"
  gen="$dir/generated"; mkdir -p "$gen"
  if command -v convert >/dev/null 2>&1; then
    convert logo: -quality 85 "$gen/logo.jpg" && convert rose: "$gen/rose.png" &&
      convert logo: -resize 50% "$gen/logo.webp" && convert rose: "$gen/rose.gif" ||
      echo "(ImageMagick could not make every image)"
  fi
  for f in "$gen"/* /usr/share/pixmaps/debian-logo.png /usr/share/doc/*/copyright; do
    [ -f "$f" ] && files+=("$f")
    [ ${#files[@]} -ge 8 ] && break
  done
fi

step "Storing ${#files[@]} files the way a web app's upload route would (base64 from the client)"
for f in "${files[@]}"; do
  # the client's claimed type is deliberately wrong: pg_media trusts the bytes
  { printf "SELECT media.put_base64('"; base64 -w0 "$f"
    printf "', :'name', 'application/x-client-guess');\n"; } | psql_ -v name="$(basename "$f")" >/dev/null
  echo "stored $(basename "$f") ($(stat -c %s "$f") bytes)"
done

step "A larger file through the resumable upload API, 256 kB per part"
big=$(ls -S "${files[@]}" | head -1)
up=$(echo "SELECT media.upload_begin(:'name')" | psql_ -At -v name="$(basename "$big").copy")
split -b 262144 -d "$big" "$dir/part."
for p in "$dir"/part.*; do
  got=$({ printf "SELECT media.upload_append($up, media.decode_base64('"; base64 -w0 "$p"
           printf "'));\n"; } | psql_ -At)
  printf '  appended %-10s received %s bytes\n' "$(basename "$p")" "$got"
done
big_id=$(psql_ -At -c "SELECT media.upload_finish($up)")
echo "upload finished as file $big_id"

step "Active content: an SVG (a browser runs scripts in it) is refused by default"
svg="$dir/logo.svg"
if [ -d "$corpus" ] && [ -f "$corpus/desktop-base/desktop-base/debian-logos/logo-text-version.svg" ]; then
  cp "$corpus/desktop-base/desktop-base/debian-logos/logo-text-version.svg" "$svg"
else
  printf '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><script>alert(1)</script><rect width="64" height="64"/></svg>\n' >"$svg"
fi
put_svg() {  # $1: SQL run first in the same transaction
  { printf 'BEGIN;\n%s\nSELECT media.put_base64(\x27' "$1"; base64 -w0 "$svg"
    printf "', :'name');\nCOMMIT;\n"; } | psql -X -q -At -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -v name="$(basename "$svg")"
}
if refusal=$(put_svg "\\set VERBOSITY verbose" 2>&1); then
  echo "an SVG was accepted while media.allow_active_content is off"; exit 1
fi
echo "$refusal" | grep -E '^(ERROR|DETAIL|HINT)' | sed 's/^/  /'
echo "$refusal" | grep -q "active content" || { echo "the SVG was refused for another reason"; exit 1; }
echo "An administrator may allow it; it is then served inert (as an attachment, or under a CSP sandbox):"
svg_id=$(put_svg "SET LOCAL media.allow_active_content = on;")
psql_ -c "SELECT headers->>'Content-Type' AS type, headers->>'Content-Security-Policy' AS csp,
                 headers->>'Content-Disposition' AS disposition, headers->>'X-Content-Type-Options' AS nosniff
            FROM media.http($svg_id, NULL, NULL, 'HEAD')"

step "What pg_media knows about them (sniffed and probed from the bytes)"
psql_ -c "SELECT id, name, mime_type, media_type, byte_size AS bytes, width, height,
                 duration_ms, declared_type, left(etag, 14) || '…\"' AS etag
            FROM media.files ORDER BY id"

step "Dedup: the upload above has the same bytes as an earlier file"
psql_ -c "SELECT count(*) AS files, count(DISTINCT blob_id) AS stored_contents,
                 pg_size_pretty(sum(byte_size)) AS logical_size,
                 (SELECT pg_size_pretty(sum(byte_size)) FROM media.blobs) AS stored_size
            FROM media.files"

step "Writing file 1 back out and comparing it with the original"
mkdir -p "$top/demo-out"
name=$(psql_ -At -c "SELECT name FROM media.files WHERE id = 1")
psql_ -At -c "SELECT encode(media.get(1), 'base64')" | base64 -d >"$top/demo-out/$name"
if cmp -s "$top/demo-out/$name" "${files[0]}"; then
  echo "demo-out/$name is byte-identical to ${files[0]#$top/../}"
else
  echo "demo-out/$name DIFFERS from the original"; exit 1
fi

step "Serving: an HTTP range request (video seeking) and a revalidation"
video=$(psql_ -At -c "SELECT coalesce(min(id) FILTER (WHERE media_type = 'video'), $big_id) FROM media.files")
psql_ -c "SELECT status, headers->>'Content-Type' AS type, headers->>'Content-Range' AS range,
                 length(body) AS body_bytes
            FROM media.http($video, 'bytes=1000-1999')"
etag=$(psql_ -At -c "SELECT etag FROM media.files WHERE id = $big_id")
echo "SELECT status, body IS NULL AS no_body FROM media.http($big_id, NULL, :'etag')" | psql_ -v etag="$etag"
psql_ -c "SELECT jsonb_pretty(headers) AS \"headers of a 200\" FROM media.http(1, NULL, NULL, 'HEAD')"

step "Integrity: every file's SHA-256 recomputed"
psql_ -c "SELECT count(*) AS files, count(*) FILTER (WHERE ok) AS verified FROM media.verify()"

step "The command-line tool (on PATH after make install): stats and verify"
cli=$(command -v pg_media || echo "$top/cli/pg_media")
"$cli" stats -h "$dir" -p "$port" -U postgres -d postgres
"$cli" verify -h "$dir" -p "$port" -U postgres -d postgres

nfiles=$(psql_ -At -c "SELECT count(*) FROM media.files")
nblobs=$(psql_ -At -c "SELECT count(DISTINCT blob_id) FROM media.files")
bad=$(psql_ -At -c "SELECT count(*) FILTER (WHERE NOT ok) FROM media.verify()")
[ "$bad" = 0 ] || { echo "demo: $bad files failed verification"; exit 1; }
echo
echo "demo passed: $nfiles files stored as $nblobs contents, one uploaded in parts, file 1 read back byte-identical, active content refused then served inert, all $nfiles verified"

if [ "${DEMO_KEEP:-0}" = 1 ]; then
  echo; echo "The cluster keeps running: psql -h $dir -p $port -U postgres"
fi
