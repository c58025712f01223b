#!/usr/bin/env bash
# bench/make_images.sh DIR - writes the photographs of the thumbnail speed bar into DIR:
#
#   photo24.jpg   6000x4000 JPEG, quality 90, 4:2:0 (as a camera writes it)
#   photo12.jpg   4032x3024 JPEG, quality 90, 4:2:0 (a 12 MP phone photo)
#   photo12.heic  4032x3024 HEIC (HEVC, heif-enc quality 50, as an iPhone writes it; one
#                 coded image, not a grid of 512x512 tiles: heif-enc of libheif 1.15 cannot tile)
#   photo12.webp  4032x3024 lossy WebP, quality 80
#   photo12.png   4000x3000 8-bit RGB PNG
#
# The content is a real phone photo of the shared corpus (Xiaomi Mi A3, 4000x3000), scaled to
# each size with Lanczos and given a little luma grain (Gaussian, sigma ~3 levels), so the
# scaled-up pixels carry sensor-like detail rather than the smoothness of an enlargement;
# without the corpus, ImageMagick's plasma fractal with the same grain stands in.  Flat or
# smooth images would flatter every codec and resampler; this does not.
# Prints one line per file: name, size in bytes, and where its content came from.
set -euo pipefail

OUTDIR=$1
CORPUS=${PG_MEDIA_CORPUS:-$(cd "$(dirname "$0")/../.." && pwd)/shared/corpus}
PHOTO=$CORPUS/forensics-samples-files/pic1/IMG_20200827_231612.jpg
mkdir -p "$OUTDIR"
cd "$OUTDIR"

# photo_at W H OUT.png: the source content at W x H with grain, as 8-bit RGB PNG
photo_at() {
  if [ -f "$PHOTO" ]; then
    convert "$PHOTO" -strip -filter Lanczos -resize "${1}x${2}!" \
      -seed 14 -attenuate 0.25 +noise Gaussian -depth 8 -define png:compression-level=1 "PNG24:$3"
  else
    convert -seed 14 -size "${1}x${2}" plasma:fractal -blur 0x1 \
      -attenuate 0.25 +noise Gaussian -depth 8 -define png:compression-level=1 "PNG24:$3"
  fi
}
SOURCE=$([ -f "$PHOTO" ] && echo "corpus photo $PHOTO" || echo "ImageMagick plasma:fractal (corpus absent)")

photo_at 6000 4000 base24.png
photo_at 4032 3024 base12.png
photo_at 4000 3000 photo12.png

convert base24.png -quality 90 -sampling-factor 2x2 photo24.jpg
convert base12.png -quality 90 -sampling-factor 2x2 photo12.jpg
vips copy base12.png "photo12.webp[Q=80]"
if command -v heif-enc >/dev/null; then
  heif-enc -q 50 -o photo12.heic base12.png >/dev/null
else
  vips copy base12.png "photo12.heic[Q=50,compression=hevc]"
fi
rm -f base24.png base12.png
for f in photo24.jpg photo12.jpg photo12.heic photo12.webp photo12.png; do
  printf '%s\t%s\t%s\n' "$f" "$(stat -c %s "$f")" "$SOURCE"
done
