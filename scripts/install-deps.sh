#!/bin/sh
# Installs what pg_media needs to build and test on Debian 12 (run as root).
# Used by `make demo`, `make test`, .ci/run and the Dockerfile, so every path
# exercises the same steps. Idempotent: it installs only what is missing.
#
#   scripts/install-deps.sh build   # compiler, server headers, zlib/libpng/libjpeg/libwebp/libtiff/libheif/libjxl,
#                                   # FFmpeg's libavformat/libavcodec/libavutil/libswscale, lcms2
#   scripts/install-deps.sh test    # build + server + TAP test needs, including the README's
#                                   # app examples run as apps (test/apps: Flask, ffmpeg, and
#                                   # express/pg/pg-cursor from npm, npm ci there)
#   scripts/install-deps.sh scale   # test + pg_auto_failover and PL/Proxy for make test-scale (test/scale)
#   scripts/install-deps.sh bench   # test + libvips-dev for bench/image_inproc.c, heif-enc for its HEIC photo,
#                                   # nginx, wrk and ffmpeg for bench/serve_nginx.sh, libpq-dev,
#                                   # libmagickwand-dev and linux-perf for bench/client_bench.c
set -eu

what=${1:-test}
pgmajor=${PGMAJOR:-15}

need=""
add() { for p in "$@"; do
          dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need="$need $p"
        done; }

add make gcc libc6-dev pkg-config zlib1g-dev libpng-dev libjpeg62-turbo-dev libwebp-dev libtiff-dev
# HEIC and AVIF (libheif with libde265, dav1d and aom built in) and JPEG XL thumbnails
add libheif-dev libjxl-dev
# video posters: FFmpeg's demuxers, decoders and scaler (src/core/video)
add libavformat-dev libavcodec-dev libavutil-dev libswscale-dev
# CMYK JPEG/TIFF to sRGB through ICC profiles (src/core/image/cmyk.c)
add liblcms2-dev
if [ "$what" = test ] || [ "$what" = demo ] || [ "$what" = bench ] || [ "$what" = scale ]; then
  add postgresql-$pgmajor libipc-run-perl procps libvips-tools imagemagick time python3-psycopg
fi
# the in-process libvips baseline of make bench (bench/image_inproc.c), and heif-enc
# (libheif-examples) for its HEIC test photo (bench/make_images.sh)
if [ "$what" = bench ]; then add libvips-dev libheif-examples; fi
# bench/client_bench.c: a libpq client with libvips and ImageMagick (MagickWand) in process;
# perf to profile the backend while it runs (issue 17)
if [ "$what" = bench ]; then add libpq-dev libmagickwand-dev linux-perf; fi
# bench/serve_nginx.sh: pg_media serve against nginx, driven by wrk, with a video made by ffmpeg
if [ "$what" = bench ]; then add nginx wrk ffmpeg curl; fi
# make test-scale: failover with pg_auto_failover, sharding by owner with PL/Proxy
if [ "$what" = scale ]; then add postgresql-$pgmajor-auto-failover pg-auto-failover-cli postgresql-$pgmajor-plproxy; fi
if [ "$what" = test ] || [ "$what" = scale ]; then
  # test/t/054_app_video.pl, 060_readme_examples.pl: the README's Flask app, and the video it plays
  add python3-flask python3-psycopg-pool ffmpeg
  # test/quality: public image test suites that Debian ships (Go's PngSuite and image
  # testdata, golang.org/x/image's TIFF/WebP/BMP testdata, gdk-pixbuf's and SDL2_image's test images)
  add golang-1.19-src golang-golang-x-image-dev gdk-pixbuf-tests libsdl2-image-tests
fi

apt_updated=no
apt_install() {
  [ "$apt_updated" = yes ] || { apt-get update -qq >/dev/null; apt_updated=yes; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if [ -n "$need" ]; then
  [ "$(id -u)" = 0 ] || { echo "install-deps: missing packages:$need (run as root)" >&2; exit 1; }
  echo "install-deps: installing$need"
  apt_install $need
fi

# The server headers must match the installed server exactly (PGXS and the
# server share ABI details), so pin postgresql-server-dev to its version.
if ! dpkg-query -W -f='${Status}' postgresql-$pgmajor 2>/dev/null | grep -q "install ok installed"; then
  # No server package (e.g. the postgres Docker image, which ships its own):
  # take whatever server-dev matches the server binaries on the PATH.
  srv=""
else
  srv=$(dpkg-query -W -f='${Version}' postgresql-$pgmajor)
fi
dev=$(dpkg-query -W -f='${Version}' postgresql-server-dev-$pgmajor 2>/dev/null || true)
if [ -n "$srv" ] && [ "$dev" != "$srv" ]; then
  [ "$(id -u)" = 0 ] || { echo "install-deps: need postgresql-server-dev-$pgmajor=$srv (run as root)" >&2; exit 1; }
  echo "install-deps: installing postgresql-server-dev-$pgmajor=$srv"
  apt_install "postgresql-server-dev-$pgmajor=$srv"
elif [ -z "$srv" ] && [ -z "$dev" ]; then
  apt_install "postgresql-server-dev-$pgmajor"
fi

# the command-line tool (cli/): libpq and libmicrohttpd; for tests also curl,
# Chromium and playwright-core
if [ "$what" = build ]; then
  "$(dirname "$0")/../cli/install-deps.sh" build
else
  "$(dirname "$0")/../cli/install-deps.sh" test
fi

# the README's Express example (test/apps): express, pg and pg-cursor as package-lock.json pins them
apps=$(cd "$(dirname "$0")/../test/apps" && pwd)
if { [ "$what" = test ] || [ "$what" = scale ]; } && [ ! -f "$apps/node_modules/pg-cursor/package.json" ]; then
  echo "install-deps: npm ci in test/apps (express, pg, pg-cursor)"
  (cd "$apps" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  chmod -R a+rX "$apps/node_modules"
fi
exit 0
