#!/bin/bash
# test/quality/run.sh - the quality bar of issue 14: every image of the public test suites
# Debian ships (installed by scripts/install-deps.sh test), of the shared corpus and a set
# generated here is transformed by the core (mm_transform, PNG, BOX x BOX, default 256) and by
# vipsthumbnail (--size BOXxBOX>, i.e. never enlarged, like the core); quality.c compares
# them: size within 1 px, PSNR >= 30 dB (RGB composited on white); known-failures.tsv names the
# files known to miss the bar, with the cause.  Mode contain for every
# suite, cover (vipsthumbnail --smartcrop centre) too for the corpus and the generated set.
# Suites that are not installed, and the corpus when absent, are skipped; the generated set
# always runs.  Prints TAP (one test per suite and mode); exits 1 when any test failed.
#   test/quality/run.sh               (from anywhere; make test runs it in stage "quality")
#   SUITES="generated corpus" test/quality/run.sh    only these
set -u
cd "$(dirname "$0")" || exit 2
box=${BOX:-256}
corpus=${PG_MEDIA_CORPUS:-$(cd ../.. && pwd)/../shared/corpus}
tmp=$(mktemp -d /tmp/pg_media_quality.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
command -v vipsthumbnail >/dev/null || { echo "Bail out! vipsthumbnail (libvips-tools) is not installed"; exit 1; }
make -s build/quality >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; echo "Bail out! cannot build test/quality/quality"; exit 1; }

go=/usr/share/go-1.19/src
xi=/usr/share/gocode/src/golang.org/x/image/testdata
pixbuf=/usr/libexec/installed-tests/gdk-pixbuf/test-images
sdl=/usr/libexec/installed-tests/SDL2_image
image_ext='.*\.(png|gif|jpe?g|bmp|tiff?|webp|avif|heic|heif|jxl|ico|cur|tga|ppm|pnm|pgm|pbm|xpm|xcf|pcx|qoi|svg|icns)$'
wanted() { [ -z "${SUITES:-}" ] || case " $SUITES " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# files.tsv: SUITE <TAB> MODES <TAB> PATH
: >"$tmp/files.tsv"
# add_dir SUITE MODES DIR [find options]: the image files under DIR, when DIR exists
add_dir() {
  local suite=$1 modes=$2 dir=$3; shift 3
  wanted "$suite" && [ -d "$dir" ] || return 0
  find "$dir" "$@" -type f -regextype posix-extended -iregex "$image_ext" | LC_ALL=C sort |
    sed "s|^|$suite\t$modes\t|" >>"$tmp/files.tsv"
}
if wanted corpus && [ -f "$corpus/MANIFEST.tsv" ]; then
  while IFS=$'\t' read -r path _ _ _ _ mime valid _; do
    case "$mime" in image/*) [ "$valid" = yes ] && printf 'corpus\tcontain cover\t%s\n' "$corpus/$path" ;; esac
  done <"$corpus/MANIFEST.tsv" >>"$tmp/files.tsv"
fi
add_dir pngsuite contain "$go/image/png/testdata/pngsuite" -maxdepth 1
add_dir go-image contain "$go/image/testdata" -maxdepth 1
add_dir go-image contain "$go/image/png/testdata" -maxdepth 1
add_dir go-x-image contain "$xi" -maxdepth 1
add_dir gdk-pixbuf contain "$pixbuf"
add_dir sdl2-image contain "$sdl"

# the generated set: deterministic images (ImageMagick) covering depths, alpha, CMYK, TIFF layouts
if wanted generated; then
  g=$tmp/gen; mkdir -p "$g"
  im() { convert "$@" 2>>"$tmp/gen.log" || echo "could not generate ${*: -1}" >>"$tmp/gen.log"; }
  base=(-seed 7 -size 640x427 plasma:fractal -blur 0x1)
  im "${base[@]}" "$g/rgb8.png"
  im "${base[@]}" -depth 16 "$g/rgb16.png"
  im "${base[@]}" -colorspace gray -depth 16 "$g/gray16.png"
  im "${base[@]}" \( -size 640x427 gradient:white-black \) -alpha off -compose copy_opacity -composite "$g/rgba8.png"
  im "${base[@]}" \( -size 640x427 gradient:white-black \) -alpha off -compose copy_opacity -composite -depth 16 "$g/rgba16.png"
  im "${base[@]}" -quality 92 "$g/rgb.jpg"
  im "${base[@]}" -colorspace CMYK -quality 92 "$g/cmyk.jpg"
  im "${base[@]}" -colorspace CMYK -depth 8 -compress lzw "$g/cmyk8.tif"
  im "${base[@]}" -colorspace CMYK -depth 16 -compress zip "$g/cmyk16.tif"
  im "${base[@]}" -colorspace CMYK -depth 16 -define tiff:tile-geometry=128x128 -compress zip "$g/cmyk16-tiled.tif"
  im "${base[@]}" -depth 16 -compress zip "$g/rgb16.tif"
  im "${base[@]}" -depth 8 "$g/rgb8.tif"
  im "${base[@]}" -define tiff:tile-geometry=128x128 -compress zip "$g/tiled.tif"
  im "${base[@]}" -define tiff:rows-per-strip=16 -compress lzw "$g/strips.tif"
  im "${base[@]}" -colors 200 "$g/palette.gif"
  im "${base[@]}" -type truecolor "$g/rgb24.bmp"
  im "${base[@]}" -quality 90 "$g/lossy.webp"
  im -size 300x1200 gradient:red-blue -rotate 0 "$g/tall.png"
  im -size 3000x40 gradient:green-yellow "$g/wide.png"
  im -size 200x150 xc:orange "$g/small.png"
  for f in "$g"/*; do printf 'generated\tcontain cover\t%s\n' "$f"; done >>"$tmp/files.tsv"
  [ -s "$tmp/gen.log" ] && sed 's/^/# generated: /' "$tmp/gen.log"
fi

echo "# listing and generating: ${SECONDS} s"
# vipsthumbnail in batches (one process draws many files): each source is linked as
# in/N.EXT so that its output out-MODE/N.png cannot clash; list.tsv is quality's input
mkdir -p "$tmp/in" "$tmp/out-contain" "$tmp/out-cover"
: >"$tmp/list.tsv"
# one line per file: SUITE MODES PATH SHA256 CLAIMED; a file already listed (the corpus holds
# some files of the suites) is compared once.  vipsthumbnail runs only on formats the core
# claims (the others need ImageMagick's loader, slow to start, and some of gdk-pixbuf's
# broken files hang it): quality counts them apart.
cut -f3 "$tmp/files.tsv" >"$tmp/paths"
tr '\n' '\0' <"$tmp/paths" | xargs -0 -r sha256sum | cut -c1-64 >"$tmp/sums"
./build/quality --claimed <"$tmp/paths" >"$tmp/claimed"
paste "$tmp/files.tsv" "$tmp/sums" "$tmp/claimed" | awk -F'\t' '!seen[$4]++' >"$tmp/unique.tsv"
# refs.tsv: SHA256 <TAB> the expected pixels of the image's first frame, for the suites that ship
# them; quality.c judges by them where libvips deviates (gdk-pixbuf's GIF test suite: NAME.conf
# names "input" and frame0's "pixels", raw RGBA)
: >"$tmp/refs.tsv"
for conf in "$pixbuf"/gif-test-suite/*.conf; do
  [ -f "$conf" ] || continue
  input=$(sed -n 's/^input = //p' "$conf"); pixels=$(sed -n '/^\[frame0\]/,$ s/^pixels = //p' "$conf" | head -1)
  d=${conf%/*}
  [ -f "$d/$input" ] && [ -f "$d/$pixels" ] && printf '%s\t%s\n' "$(sha256sum <"$d/$input" | cut -c1-64)" "$d/$pixels" >>"$tmp/refs.tsv"
done
# golang.org/x/image: NAME.bmp is drawn as NAME.png
for bmp in "$xi"/*.bmp; do
  [ -f "${bmp%.bmp}.png" ] && printf '%s\t%s\n' "$(sha256sum <"$bmp" | cut -c1-64)" "${bmp%.bmp}.png" >>"$tmp/refs.tsv"
done
# one perl process links each source as in/N.EXT (so that vipsthumbnail's out-MODE/N.png cannot
# clash) and writes vipsthumbnail's inputs (in-MODE.list) and quality's (list.tsv)
perl -e '
  my ($tmp) = @ARGV; my (%ref, %in, $n);
  open(my $r, "<", "$tmp/refs.tsv") or die; while (<$r>) { chomp; my ($s, $p) = split /\t/; $ref{$s} //= $p }
  open(my $u, "<", "$tmp/unique.tsv") or die; open(my $l, ">", "$tmp/list.tsv") or die;
  open(my $su, ">", "$tmp/suites.list") or die;
  while (<$u>) {
    chomp; my ($suite, $modes, $path, $sum, $claimed) = split /\t/; $n++;
    my ($ext) = $path =~ m{[^/]\.([^./]+)$}; $ext //= "bin";
    symlink($path, "$tmp/in/$n.$ext") or die "symlink $path: $!";
    print $su "$suite\n";
    for my $m (split / /, $modes) {
      if ($claimed eq "yes") { open(my $f, ">>", "$tmp/in-$m.list") or die; print $f "$tmp/in/$n.$ext\n" }
      print $l join("\t", $suite, $m, $path, "$tmp/out-$m/$n.png", $ref{$sum} // ()), "\n";
    }
  }' "$tmp" || { echo "Bail out! cannot list the files"; exit 1; }
# vips_batch MODE FILE...: one vipsthumbnail for the files; when it dies on one of them
# (a signal) or hangs (some of gdk-pixbuf's broken files), each file that has no output yet
# is drawn alone, with a shorter timeout
vips_batch() {
  local m=$1 f rc crop=(); shift
  [ "$m" = cover ] && crop=(--smartcrop centre)
  timeout 15 vipsthumbnail --size "${box}x${box}>" "${crop[@]}" -o "$tmp/out-$m/%s.png[bitdepth=8]" "$@" 2>>"$tmp/vips.log"
  rc=$?; [ $rc -lt 124 ] && return
  for f in "$@"; do
    f=${f##*/}; [ -f "$tmp/out-$m/${f%.*}.png" ] && continue
    timeout 5 vipsthumbnail --size "${box}x${box}>" "${crop[@]}" -o "$tmp/out-$m/%s.png[bitdepth=8]" "$tmp/in/$f" 2>>"$tmp/vips.log" ||
      echo "# vipsthumbnail failed or timed out on ${f}" >>"$tmp/vips.log"
  done
}
echo "# linking: ${SECONDS} s"
for m in contain cover; do
  [ -f "$tmp/in-$m.list" ] || continue
  mapfile -t inputs <"$tmp/in-$m.list"
  for ((i = 0; i < ${#inputs[@]}; i += 20)); do vips_batch $m "${inputs[@]:i:20}"; done
done
echo "# vipsthumbnail: ${SECONDS} s"
echo "# $(cat "$tmp/suites.list" | sort | uniq -c | awk '{printf "%s%s %s", sep, $2, $1; sep=", "}') files"
./build/quality "$box" "$tmp" "$tmp/list.tsv" known-failures.tsv
