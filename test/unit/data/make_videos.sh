#!/bin/sh
# Rebuilds the video test files of test_poster.c, test/sql/poster.sql and the
# fuzz_poster seeds (committed; this needs ffmpeg and ImageMagick).  Each is a
# few KB:
#   h264.mp4    64x48 H.264, 5 fps, 12 s: red for the first second, then green;
#               a key frame every second, moov at the end: the poster (at 1 s,
#               since 10% of 12 s is more) is green
#   vp9.webm    64x48 VP9, 10 fps, 2 s: blue for 0.2 s, then yellow; a key frame
#               every 0.2 s: the poster (10% of 2 s = 0.2 s) is yellow
#   onekey.mp4  64x48 H.264, 3 s, one key frame (red), green from 0.1 s: no key
#               frame after 0.3 s, so the poster is the first one, red
#   onekey.mkv  the same in Matroska written to a pipe: no cues (the seeks fail) and
#               no duration (the poster is looked for at 1 s)
#   quad.mov    64x48 H.264 in QuickTime, four 32x24 quadrants: red top left,
#               green top right, blue bottom left, white bottom right
#   quad.mkv    the same in MPEG-4 Part 2 in Matroska;  quad-hevc.mp4  HEVC;
#   quad-av1.mp4  AV1 (decoded by libdav1d)
#   rot.mp4     quad.mov's picture with a display matrix turning it 90 degrees
#               clockwise: shown 48x64, blue top left
#   sar.mp4     the quadrants stored 64x48 with a pixel aspect ratio of 2:1:
#               shown 128x48
#   trunc.mp4   h264.mp4 cut in half: its moov (at the end) is missing
#   big.mp4     h264.mp4 whose avc1 sample entry says 65535x65535
#   nosize.mp4  h264.mp4 whose avc1 sample entry says 0x0 (as some 3GP writers do):
#               the decoder finds 64x48
#   mjpeg.mov   Motion JPEG: a codec posters are not made of
#   audio.m4a   0.2 s of AAC only: no video stream
set -eu
here=$(cd "$(dirname "$0")" && pwd)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cd "$t"
ff() { ffmpeg -hide_banner -loglevel error -y "$@"; }
x264="-c:v libx264 -preset veryslow -crf 30 -sc_threshold 0 -pix_fmt yuv420p"
convert -size 32x24 xc:red -size 32x24 xc:lime +append \
        \( -size 32x24 xc:blue -size 32x24 xc:white +append \) -append PNG24:q.png

ff -f lavfi -i "color=red:s=64x48:r=5:d=1" -f lavfi -i "color=lime:s=64x48:r=5:d=11" \
   -filter_complex "[0][1]concat=n=2:v=1[v]" -map "[v]" $x264 -g 5 -keyint_min 5 h264.mp4
ff -f lavfi -i "color=blue:s=64x48:r=10:d=0.2" -f lavfi -i "color=yellow:s=64x48:r=10:d=1.8" \
   -filter_complex "[0][1]concat=n=2:v=1[v]" -map "[v]" -c:v libvpx-vp9 -crf 40 -b:v 0 \
   -g 2 -keyint_min 2 -pix_fmt yuv420p vp9.webm
ff -f lavfi -i "color=red:s=64x48:r=10:d=0.1" -f lavfi -i "color=lime:s=64x48:r=10:d=2.9" \
   -filter_complex "[0][1]concat=n=2:v=1[v]" -map "[v]" $x264 -g 1000 -keyint_min 1000 onekey.mp4
ff -i onekey.mp4 -c copy -f matroska - >onekey.mkv
ff -loop 1 -framerate 10 -i q.png -t 2 $x264 -g 10 quad.mov
ff -loop 1 -framerate 10 -i q.png -t 2 -c:v mpeg4 -q:v 3 -g 10 quad.mkv
ff -loop 1 -framerate 10 -i q.png -t 2 -c:v libx265 -x265-params log-level=none -crf 30 \
   -g 10 -pix_fmt yuv420p -tag:v hvc1 quad-hevc.mp4
ff -loop 1 -framerate 10 -i q.png -t 2 -c:v libaom-av1 -cpu-used 8 -crf 40 -g 10 \
   -pix_fmt yuv420p quad-av1.mp4
ff -i quad.mov -c copy -metadata:s:v rotate=90 rot.mp4
ff -loop 1 -framerate 10 -i q.png -t 2 -vf setsar=2 $x264 -g 10 sar.mp4
ff -loop 1 -framerate 10 -i q.png -t 1 -c:v mjpeg -q:v 5 mjpeg.mov
ff -f lavfi -i "sine=frequency=440:duration=0.2" -c:a aac -b:a 16k audio.m4a
head -c "$(( $(stat -c %s h264.mp4) / 2 ))" h264.mp4 >trunc.mp4
python3 - <<'PY'
d = bytearray(open('h264.mp4', 'rb').read())
i = d.index(b'avc1', d.index(b'stsd'))
d[i + 28:i + 32] = b'\xff\xff\xff\xff'  # width and height of the sample entry
open('big.mp4', 'wb').write(d)
d[i + 28:i + 32] = b'\0\0\0\0'
open('nosize.mp4', 'wb').write(d)
PY
for f in h264.mp4 vp9.webm onekey.mp4 onekey.mkv nosize.mp4 quad.mov quad.mkv quad-hevc.mp4 quad-av1.mp4 rot.mp4 \
         sar.mp4 trunc.mp4 big.mp4 mjpeg.mov audio.m4a; do
  cp "$f" "$here/$f"
done
