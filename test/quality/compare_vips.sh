#!/bin/bash
# compare_vips.sh [FILE...] - thumbnails of the core (test/tools/thumb.c)
# against libvips' vipsthumbnail, at 256x256: the size must match within one
# pixel and the PSNR (test/tools/psnr.c, RGB composited on white) must be at
# least 30 dB.  Where the two pick sizes a pixel apart, vips is run again
# forced to our size for the PSNR.  Without arguments: every valid WebP and
# TIFF of the shared corpus (../shared/corpus, or $PG_MEDIA_CORPUS).
# Prints one line per file and a summary; exits 1 when any file fails.
#   run from the repository root:  test/quality/compare_vips.sh
set -u
cd "$(dirname "$0")/../.." || exit 2
box=${BOX:-256}
corpus=${PG_MEDIA_CORPUS:-$(pwd)/../shared/corpus}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v vipsthumbnail >/dev/null || { echo "vipsthumbnail (libvips-tools) is not installed" >&2; exit 2; }

# the core, optimized, linked into the tool
cc -O2 -std=c99 -Isrc/core -Itest/unit -o "$tmp/thumb" test/tools/thumb.c src/core/*/*.c \
	-lpng -ljpeg -lz -lwebpdemux -lwebp -ltiff -lm || exit 2
cc -O2 -o "$tmp/psnr" test/tools/psnr.c -lpng -lm || exit 2

files=("$@")
if [ ${#files[@]} -eq 0 ]; then
	[ -f "$corpus/MANIFEST.tsv" ] || { echo "no corpus at $corpus" >&2; exit 2; }
	while IFS=$'\t' read -r path _ _ _ _ mime valid _; do
		[ "$valid" = yes ] && { [ "$mime" = image/webp ] || [ "$mime" = image/tiff ]; } && files+=("$corpus/$path")
	done < "$corpus/MANIFEST.tsv"
fi

png_size() { vipsheader -f width "$1" | tr '\n' x; vipsheader -f height "$1"; }
n=0; bad=0; min=999
for f in "${files[@]}"; do
	n=$((n + 1))
	if ! ours=$("$tmp/thumb" "$f" "$tmp/ours.png" "$box" 2>&1); then
		echo "FAIL $f: ours: $ours"; bad=$((bad + 1)); continue
	fi
	if ! vipsthumbnail "$f" --size "${box}x${box}>" -o "$tmp/vips.png" 2>/dev/null; then
		echo "FAIL $f: vipsthumbnail failed"; bad=$((bad + 1)); continue
	fi
	os=$(png_size "$tmp/ours.png"); vs=$(png_size "$tmp/vips.png")
	ow=${os%x*}; oh=${os#*x}; vw=${vs%x*}; vh=${vs#*x}
	dw=$((ow - vw)); dh=$((oh - vh))
	if [ ${dw#-} -gt 1 ] || [ ${dh#-} -gt 1 ]; then
		echo "FAIL $f: ours $os, vips $vs"; bad=$((bad + 1)); continue
	fi
	[ "$os" = "$vs" ] || vipsthumbnail "$f" --size "${ow}x${oh}!" -o "$tmp/vips.png" 2>/dev/null
	p=$("$tmp/psnr" "$tmp/ours.png" "$tmp/vips.png")
	[ "$p" = inf ] && p=99
	if awk -v p="$p" 'BEGIN { exit !(p >= 30) }'; then verdict=ok; else verdict=FAIL; bad=$((bad + 1)); fi
	awk -v p="$p" -v m="$min" 'BEGIN { exit !(p < m) }' && min=$p
	echo "$verdict $f: ours $os, vips $vs, PSNR $p dB"
done
echo "# $n files, $((n - bad)) within one pixel and 30 dB of vipsthumbnail, lowest PSNR $min dB (99 = identical)"
[ $bad -eq 0 ]
