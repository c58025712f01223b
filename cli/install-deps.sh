#!/bin/sh
# Installs what the pg_media command-line tool (cli/) needs on Debian 12, as root.
# Idempotent: installs only what is missing, runs apt-get update at most once.
#
#   cli/install-deps.sh build   libpq-dev, libmicrohttpd-dev, pkg-config, make, gcc
#   cli/install-deps.sh test    build + curl, chromium (HTTP and browser tests), nginx
#                               (the caching-proxy test, 015_attack_cache.pl) and
#                               playwright-core, thumbhash and tus-js-client from npm in
#                               test/cli (npm ci; it never downloads a browser: the
#                               tests use /usr/bin/chromium)
set -eu

what=${1:-test}
top=$(cd "$(dirname "$0")/.." && pwd)

need=""
add() {
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need="$need $p"
  done
}

add make gcc libc6-dev pkg-config libpq-dev libmicrohttpd-dev
if [ "$what" = test ]; then
  add curl chromium nginx
  # node and npm: any install will do (Debian's npm package, or NodeSource's nodejs)
  command -v npm >/dev/null 2>&1 || add npm
fi

if [ -n "$need" ]; then
  [ "$(id -u)" = 0 ] || { echo "cli/install-deps: missing packages:$need (run as root)" >&2; exit 1; }
  echo "cli/install-deps: installing$need"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null
fi

# npm ci again whenever a dependency of test/cli/package.json is missing
npm_missing() {
  for m in playwright-core thumbhash tus-js-client; do
    [ -f "$top/test/cli/node_modules/$m/package.json" ] || return 0
  done
  return 1
}
if [ "$what" = test ] && npm_missing; then
  echo "cli/install-deps: npm ci in test/cli (playwright-core, thumbhash, tus-js-client)"
  (cd "$top/test/cli" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  chmod -R a+rX "$top/test/cli/node_modules"
fi
exit 0
