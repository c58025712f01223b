#!/bin/sh
# Rebuilds the HEIC, AVIF and JPEG XL test images of test_dec_heif.c and
# test/sql/formats_heif.sql (committed; this needs ImageMagick, libheif-examples,
# libavif-bin, libvips-tools and libjxl-tools).  Every image is 64x48 with four
# 32x24 quadrants, red top left, green top right, blue bottom left, white
# bottom right, so a test can tell its orientation.
#   q.heic q.avif       8-bit                 q10.heic q10.avif  10-bit
#   qa.heic qa.avif     alpha: the right half transparent
#   rot.heic            iPhone style: irot 270 degrees anti-clockwise AND an EXIF
#                       orientation 6; displayed 48x64 with blue top left
#   rot1.heic           irot 90 degrees anti-clockwise: green top left
#   mir.heic mirh.heic  imir axis 0 (libheif: top and bottom swap) and axis 1
#   big.heic            q.heic with every ispe saying 4000x3000
#   trunc.heic          q.heic cut after 600 bytes
#   liar.heic           a 4000x3000 HEVC stream behind ispe boxes saying 64x48
#   gridbomb.heic       found by fuzz_dec_heif (kept as it is, not rebuilt here): a
#                       72x48 ispe over a 1x1 grid whose canvas is 12288x9472
#   grid1.heic          gridbomb.heic with the canvas set to 64x64 (built here)
#   mir10.heic          q10.heic with imir axis 0 (libheif 1.15 cannot mirror 10 bits itself)
#   rotmir10.heic       q10.heic with irot 90 anti-clockwise, then imir axis 1
#   grid.heic           a 4x3 grid of hidden 16x16 tiles (heif_grid.py, as an iPhone lays out)
#   gridrot.heic        a grid of 20x20 tiles (the last ones clipped), irot 270
#   gridmir10.heic      a 10-bit grid of 16x16 tiles, imir axis 1
#   gridthumb.heic      the quadrants at 1024x768, 256x256 tiles, irot 90, a 96x72 thumbnail
#   gridthumbliar.heic  gridthumb.heic with the thumbnail's ispe saying 40x30 (its stream is 96x72)
#   q12grid.heic        the quadrants at 4032x3024, 512x512 tiles, irot 270 (an iPhone photo's layout)
#   q.jxl qa.jxl qg.jxl lossy RGB, lossless RGBA, gray; q6.jxl orientation 6
set -eu
here=$(cd "$(dirname "$0")" && pwd)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cd "$t"
convert -size 32x24 xc:red -size 32x24 xc:lime +append \
        \( -size 32x24 xc:blue -size 32x24 xc:white +append \) -append PNG24:q.png
convert q.png \( -size 64x48 xc:black -fill white -draw "rectangle 0,0 31,47" \) \
        -alpha off -compose copy_opacity -composite PNG32:qa.png
convert q.png -depth 16 PNG48:q16.png
convert q.png -quality 95 q.jpg
# the JPEG with an EXIF orientation 6 (big-endian TIFF, one IFD0 entry)
python3 - <<'PY'
import struct
d = open('q.jpg', 'rb').read()
tiff = b'MM\x00\x2a' + struct.pack('>IH', 8, 1) + struct.pack('>HHIHH', 0x112, 3, 1, 6, 0) + struct.pack('>I', 0)
app1 = b'Exif\x00\x00' + tiff
open('q6.jpg', 'wb').write(d[:2] + b'\xff\xe1' + struct.pack('>H', len(app1) + 2) + app1 + d[2:])
PY
heif-enc -q 90 -o q.heic q.png
heif-enc -q 90 -b 10 -o q10.heic q16.png
heif-enc -q 90 -o qa.heic qa.png
heif-enc -q 90 -o q6.heic q6.jpg
vips heifsave q.png q.avif --compression av1 --Q 90
avifenc -d 10 -y 420 --min 10 --max 20 -c rav1e q16.png q10.avif >/dev/null
avifenc -d 8 --min 10 --max 20 qa.png qa.avif >/dev/null
python3 "$here/heif_props.py" q6.heic rot.heic irot=3
python3 "$here/heif_props.py" q.heic rot1.heic irot=1
python3 "$here/heif_props.py" q.heic mir.heic imir=0
python3 "$here/heif_props.py" q.heic mirh.heic imir=1
convert -size 4000x3000 xc:'#3366cc' PNG24:flat.png
heif-enc -q 50 -o flat.heic flat.png
python3 - "$here" <<'PY'
import struct, sys

def patch_ispe(src, dst, w, h):
    """Copies src to dst with every ispe box saying w x h."""
    d = bytearray(open(src, 'rb').read())
    i = d.find(b'ispe')
    while i >= 0:
        d[i + 8:i + 16] = struct.pack('>II', w, h)
        i = d.find(b'ispe', i + 4)
    open(dst, 'wb').write(bytes(d))

patch_ispe('q.heic', 'big.heic', 4000, 3000)
patch_ispe('flat.heic', 'liar.heic', 64, 48)
open('trunc.heic', 'wb').write(open('q.heic', 'rb').read()[:600])
g = bytearray(open('%s/gridbomb.heic' % sys.argv[1], 'rb').read())
i = g.find(b'idat')
g[i + 4:i + 12] = bytes([0, 0, 0, 0, 0, 64, 0, 64])
open('grid1.heic', 'wb').write(bytes(g))
PY
python3 "$here/heif_props.py" q10.heic mir10.heic imir=0
python3 "$here/heif_props.py" q10.heic rotmir10.heic irot=1 imir=1
python3 "$here/heif_grid.py" q.png grid.heic tile=16 q=90
python3 "$here/heif_grid.py" q.png gridrot.heic tile=20 q=90 irot=3
python3 "$here/heif_grid.py" q16.png gridmir10.heic tile=16 q=90 bits=10 imir=1
convert q.png -filter point -resize 1024x768 PNG24:q1024.png
python3 "$here/heif_grid.py" q1024.png gridthumb.heic tile=256 q=60 thumb=96 irot=1
python3 - <<'PY'
import struct
d = bytearray(open('gridthumb.heic', 'rb').read())
i = d.find(b'ispe' + bytes(4) + struct.pack('>II', 96, 72))
d[i + 8:i + 16] = struct.pack('>II', 40, 30)
open('gridthumbliar.heic', 'wb').write(bytes(d))
PY
convert q.png -filter point -resize 4032x3024 PNG24:q12.png
python3 "$here/heif_grid.py" q12.png q12grid.heic tile=512 q=50 irot=3
cjxl -q 90 q.png q.jxl 2>/dev/null
cjxl -d 0 qa.png qa.jxl 2>/dev/null
convert q.png -colorspace gray PNG8:qg.png
cjxl -q 90 qg.png qg.jxl 2>/dev/null
cjxl q6.jpg q6.jxl 2>/dev/null
cp q.heic q10.heic qa.heic rot.heic rot1.heic mir.heic mirh.heic big.heic trunc.heic liar.heic grid1.heic \
   q.avif q10.avif qa.avif q.jxl qa.jxl qg.jxl q6.jxl mir10.heic rotmir10.heic grid.heic \
   gridrot.heic gridmir10.heic gridthumb.heic gridthumbliar.heic q12grid.heic "$here/"
