#!/bin/bash
# Scans pg_media files waiting in quarantine (media.require_scan = on) and
# records each verdict with media.set_scan_result().
#
#   SCANNER='clamdscan --fdpass --no-summary' scripts/media-scan.sh [psql connection options]
#
# SCANNER is any command that takes a file path and exits 0 for clean, 1 for
# infected (clamscan/clamdscan's convention), anything else for "could not
# scan" (the file then stays pending and is retried next run).  Connect as a
# role that may read pending files and record verdicts: SELECT on
# media.files, UPDATE (scan_status, scan_detail, scanned_at) on media.files,
# and EXECUTE on media.set_scan_result.  Content streams chunk by chunk
# through media.parts(), so files of any size work.
set -euo pipefail
scanner=${SCANNER:-clamdscan --fdpass --no-summary}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
psql_() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }

scanned=0 infected=0 failed=0
for id in $(psql_ "$@" -c "SELECT id FROM media.files WHERE scan_status = 'pending' ORDER BY id"); do
  # one base64 line per stored part; each decodes on its own
  psql_ "$@" -c "SELECT replace(encode((p).data, 'base64'), E'\\n', '') FROM (SELECT media.parts($id) AS p) s" |
    while IFS= read -r line; do printf '%s' "$line" | base64 -d; done >"$tmp/file"
  set +e
  verdict=$($scanner "$tmp/file" 2>&1)
  rc=$?
  set -e
  verdict=${verdict//$tmp\/file/file $id}
  case $rc in
    0) psql_ "$@" -v id="$id" <<<"SELECT media.set_scan_result(:id, true, NULL)" >/dev/null ;;
    1) psql_ "$@" -v id="$id" -v detail="${verdict:0:500}" \
             <<<"SELECT media.set_scan_result(:id, false, :'detail')" >/dev/null
       infected=$((infected + 1)) ;;
    *) echo "file $id: scanner failed (exit $rc): $verdict" >&2; failed=$((failed + 1)); continue ;;
  esac
  scanned=$((scanned + 1))
done
echo "scanned $scanned, infected $infected, could not scan $failed"
[ "$failed" = 0 ]
