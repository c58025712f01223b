#!/bin/bash
# test/package/run.sh: the Debian packages, built, linted, installed and used.
#
#   1. installs dpkg-dev, fakeroot, lintian and the Build-Depends of debian/control
#      (apt-get build-dep) when missing, under /tmp/pg_media_apt.lock
#   2. copies the checkout to a temporary folder (the build never touches the tree) and runs
#      `dpkg-buildpackage -us -uc -b` there; checks what each package holds and depends on
#   3. lintian on the source and binary packages: no error (warnings are printed)
#   4. under /tmp/pg_media_install.lock: removes the hand-built files (`make uninstall`,
#      the tool), installs both packages with dpkg -i, starts a throwaway cluster,
#      CREATE EXTENSION pg_media, a put/get round trip, an update from the oldest packaged
#      version, `pg_media --help` and `pg_media stats` from a plain PATH; then removes the
#      packages and puts the hand-built files back (`make install`)
#
# Runs as root (it installs packages); prints TAP ("ok N - ...", "1..N") and exits non-zero
# when a test failed.  PKG_TEST_KEEP=1 keeps the temporary folder.
set -u
cd "$(dirname "$0")/../.."
top=$(pwd)

if [ "$(id -u)" != 0 ]; then
  echo "1..0 # SKIP not root"
  exit 0
fi

tests=0
failures=0
# Prints one TAP result: pass DESCRIPTION, or fail DESCRIPTION.
pass() { tests=$((tests + 1)); echo "ok $tests - $*"; }
fail() { tests=$((tests + 1)); failures=$((failures + 1)); echo "not ok $tests - $*"; }
# Runs a command and reports it as one test: check DESCRIPTION COMMAND...
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
# Prints a file as TAP comments.
diag_file() { sed 's/^/# /' "$1"; }
# Ends the run: the plan, then the exit status.
finish() {
  echo "1..$tests"
  [ "${PKG_TEST_KEEP:-}" = 1 ] && echo "# kept $work" || rm -rf "$work"
  [ "$failures" = 0 ]
  exit
}

work=$(mktemp -d /tmp/pg_media_pkg.XXXXXX)
chmod 755 "$work"
log=$work/log
mkdir "$log"

# ---------------------------------------------------------------- 1. tools and Build-Depends
# Installs the named Debian packages that are missing, under the shared apt lock.
apt_install_missing() {
  local missing="" p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  [ -z "$missing" ] && return 0
  echo "# installing$missing"
  flock /tmp/pg_media_apt.lock sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends $missing" >>"$log/apt.log" 2>&1
}

# The copy: the files git knows plus new files it does not ignore (uncommitted edits
# included, build products left out); a plain copy when there is no git.
mkdir "$work/src"
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
  status_before=$(git -C "$top" status --porcelain)
  git -C "$top" ls-files -z -c -o --exclude-standard | (cd "$top" && xargs -0 cp -a --parents -t "$work/src" 2>"$log/copy.log")
else
  status_before=""
  (cd "$top" && tar -c --exclude=./.git . | tar -x -C "$work/src")
fi

if apt_install_missing dpkg-dev fakeroot lintian &&
   { (cd "$work/src" && dpkg-checkbuilddeps) >/dev/null 2>&1 ||
     flock /tmp/pg_media_apt.lock sh -c "cd '$work/src' && DEBIAN_FRONTEND=noninteractive \
       apt-get build-dep -y -qq --no-install-recommends ./" >>"$log/apt.log" 2>&1; }; then
  pass "packaging tools and Build-Depends installed"
else
  tail -20 "$log/apt.log" | sed 's/^/# /'
  fail "packaging tools and Build-Depends installed"
  finish
fi

# ---------------------------------------------------------------- 2. build
pkgver=$(cd "$work/src" && dpkg-parsechangelog -S Version)
arch=$(dpkg --print-architecture)
extpkg=$(sed -n 's/^Package: \(postgresql-[0-9]*-pg-media\)$/\1/p' "$work/src/debian/control" | head -1)
pgmajor=$(echo "$extpkg" | cut -d- -f2)
ext_deb=$work/${extpkg}_${pkgver}_$arch.deb
cli_deb=$work/pg-media-cli_${pkgver}_$arch.deb

started=$(date +%s)
# the source package too, so that lintian checks debian/control, copyright and changelog
(cd "$work" && dpkg-source -b src && cd src && dpkg-buildpackage -us -uc -b -j2) >"$log/build.log" 2>&1
build_rc=$?
echo "# build took $(($(date +%s) - started)) s"
if [ "$build_rc" = 0 ] && [ -f "$ext_deb" ] && [ -f "$cli_deb" ]; then
  pass "dpkg-buildpackage -us -uc -b builds $extpkg and pg-media-cli $pkgver"
else
  tail -40 "$log/build.log" | sed 's/^/# /'
  fail "dpkg-buildpackage -us -uc -b builds $extpkg and pg-media-cli $pkgver"
  finish
fi

if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
  check "the build left the checkout as it was" [ "$(git -C "$top" status --porcelain)" = "$status_before" ]
fi

# what the extension's control file says is the version the package must carry
control_version=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" "$top/pg_media.control")
check "package version $pkgver is the extension's default_version ($control_version)" \
  [ "$pkgver" = "$control_version" ]

dpkg-deb -c "$ext_deb" | awk '{print $6}' | sed 's|^\./|/|' >"$log/ext.files"
dpkg-deb -c "$cli_deb" | awk '{print $6}' | sed 's|^\./|/|' >"$log/cli.files"
pkglibdir=/usr/lib/postgresql/$pgmajor/lib
extdir=/usr/share/postgresql/$pgmajor/extension
check "$extpkg holds the library, the control file and the install script" \
  eval 'grep -qxF "$pkglibdir/pg_media.so" "$log/ext.files" && grep -qxF "$extdir/pg_media.control" "$log/ext.files" &&
        grep -qxF "$extdir/pg_media--$control_version.sql" "$log/ext.files"'
# The regular files of both packages that exist on disk.
package_files_on_disk() {
  local f
  cat "$log/ext.files" "$log/cli.files" | while read -r f; do [ -f "$f" ] && echo "$f"; done
}

if grep -E '/bin/' "$log/ext.files" | sed 's/^/# /' | grep .; then
  fail "$extpkg holds no program (the tool is in pg-media-cli)"
else
  pass "$extpkg holds no program (the tool is in pg-media-cli)"
fi
check "pg-media-cli holds /usr/bin/pg_media and nothing of the extension" \
  eval 'grep -qxF /usr/bin/pg_media "$log/cli.files" && ! grep -q "^/usr/lib/postgresql\|^/usr/share/postgresql/" "$log/cli.files"'

ext_depends=$(dpkg-deb -f "$ext_deb" Depends)
cli_depends=$(dpkg-deb -f "$cli_deb" Depends)
echo "# $extpkg Depends: $ext_depends"
echo "# pg-media-cli Depends: $cli_depends"
check "$extpkg depends on postgresql-$pgmajor and the image libraries, not on libpq or libmicrohttpd" \
  eval '[[ "$ext_depends" == *"postgresql-$pgmajor "* && "$ext_depends" == *libpng16* &&
          "$ext_depends" == *libjpeg62* && "$ext_depends" != *libpq* && "$ext_depends" != *microhttpd* ]]'
check "pg-media-cli depends on libpq and libmicrohttpd, not on a server" \
  eval '[[ "$cli_depends" == *libpq5* && "$cli_depends" == *microhttpd* && "$cli_depends" != *postgresql-* ]]'

# ---------------------------------------------------------------- 3. lintian
# (as nobody: lintian need not, and would rather not, run as root)
runuser -u nobody -- lintian --fail-on error --display-info "$work"/pg-media_"$pkgver".dsc "$work"/pg-media_"$pkgver"_"$arch".changes \
  >"$log/lintian.log" 2>&1
lintian_rc=$?
diag_file "$log/lintian.log"
check "lintian reports no error ($(grep -c '^W:' "$log/lintian.log") warnings, $(grep -c '^I:' "$log/lintian.log") notes)" \
  [ "$lintian_rc" = 0 ]

# ---------------------------------------------------------------- 4. installed and used
started=$(date +%s)
# (a caller that already holds the lock, such as a developer's locked make test, says so with
# PG_MEDIA_INSTALL_LOCK_HELD=1)
exec 9>/tmp/pg_media_install.lock
[ -n "${PG_MEDIA_INSTALL_LOCK_HELD:-}" ] || flock 9
echo "# waited $(($(date +%s) - started)) s for /tmp/pg_media_install.lock"
started=$(date +%s)

bindir=$(pg_config --bindir)
# The files a hand-built install leaves: the extension's and the tool's.
hand_built_files() {
  ls -d "$(pg_config --pkglibdir)/pg_media.so" "$(pg_config --pkglibdir)/bitcode/pg_media" \
        "$(pg_config --sharedir)"/extension/pg_media.control "$(pg_config --sharedir)"/extension/pg_media--*.sql \
        "$bindir/pg_media" /usr/local/bin/pg_media 2>/dev/null
}
for p in "$extpkg" pg-media-cli; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    echo "# $p was installed before this test: removing it"
    dpkg -r "$p" >>"$log/dpkg.log" 2>&1
  fi
done
installed_before=$(hand_built_files)
echo "$installed_before" | sed '/^$/d; s/^/# hand-built before the test: /'

(make -s uninstall && make -s -C cli uninstall && rm -f "$bindir/pg_media" /usr/local/bin/pg_media) >"$log/uninstall.log" 2>&1
left=$(hand_built_files; package_files_on_disk)
if [ -z "$left" ]; then
  pass "make uninstall removed the hand-built files"
else
  echo "$left" | sed 's/^/# still there: /'
  fail "make uninstall removed the hand-built files"
fi

dpkg -i "$ext_deb" "$cli_deb" >"$log/dpkg.log" 2>&1
dpkg_rc=$?
[ "$dpkg_rc" = 0 ] || diag_file "$log/dpkg.log"
check "dpkg -i installs both packages" [ "$dpkg_rc" = 0 ]
check "the extension's files on disk are the package's" \
  eval '[ "$(dpkg -S "$(pg_config --pkglibdir)/pg_media.so" 2>/dev/null | cut -d: -f1)" = "$extpkg" ]'
# the package installs what `make install` does for the extension (every released
# script and upgrade script included), the tool aside
if [ -n "$installed_before" ]; then
  check "$extpkg installs the same extension files as make install" \
    eval '[ "$(hand_built_files | grep -v "/bin/pg_media$")" = "$(echo "$installed_before" | grep -v "/bin/pg_media$")" ]'
fi

db=$(mktemp -d /tmp/pg_media_pkgdb.XXXXXX)
chmod 755 "$db"
port=$((57200 + RANDOM % 100))
if "$top/scripts/cluster.sh" start "$db/c" "$port" >"$log/cluster.log" 2>&1; then
  psql_out=$(psql -X -A -t -q -v ON_ERROR_STOP=1 -h "$db/c" -p "$port" -U postgres -d postgres 2>&1 <<'SQL'
CREATE EXTENSION pg_media;
SELECT extversion FROM pg_extension WHERE extname = 'pg_media';
SELECT '\x89504e470d0a1a0a0000000d49484452000000030000000208020000001216f14d0000001c49444154789c6360d008a85870e283840303bb7e78fdf2f3dfe5dd01450f0780be6add9d0000000049454e44ae426082'::bytea AS png \gset
SELECT media.put(:'png', 'photo.png') AS id \gset
SELECT media.get(:id) = :'png'::bytea, mime_type, width, height FROM media.files WHERE id = :id;
SQL
  )
  echo "$psql_out" | sed 's/^/# psql: /'
  check "CREATE EXTENSION pg_media installs version $control_version" \
    eval '[ "$(echo "$psql_out" | sed -n 1p)" = "$control_version" ]'
  check "a file put with media.put comes back byte for byte, probed as a 3x2 PNG" \
    eval '[ "$(echo "$psql_out" | sed -n 2p)" = "t|image/png|3|2" ]'

  help_out=$(env -i PATH=/usr/bin:/bin pg_media --help 2>&1)
  help_rc=$?
  check "pg_media --help from PATH=/usr/bin:/bin runs /usr/bin/pg_media" \
    eval '[ "$help_rc" = 0 ] && [ "$(env -i PATH=/usr/bin:/bin sh -c "command -v pg_media")" = /usr/bin/pg_media ] &&
          echo "$help_out" | grep -q "^Usage:"'
  stats_out=$(env -i PATH=/usr/bin:/bin pg_media stats --json -h "$db/c" -p "$port" -U postgres -d postgres 2>&1)
  echo "# pg_media stats: $stats_out"
  check "pg_media stats counts the stored file" \
    eval 'echo "$stats_out" | grep -q "\"files\": 1"'

  # the oldest version the package ships, updated along the packaged upgrade scripts
  upgrade_out=$(psql -X -A -t -q -v ON_ERROR_STOP=1 -h "$db/c" -p "$port" -U postgres -d postgres 2>&1 <<'SQL'
CREATE DATABASE pkg_upgrade;
\c pkg_upgrade
SELECT version AS oldest FROM pg_available_extension_versions
 WHERE name = 'pg_media' ORDER BY string_to_array(version, '.')::int[] LIMIT 1 \gset
CREATE EXTENSION pg_media VERSION :'oldest';
ALTER EXTENSION pg_media UPDATE;
SELECT :'oldest' || ' ' || extversion FROM pg_extension WHERE extname = 'pg_media';
SQL
  )
  echo "$upgrade_out" | sed 's/^/# psql: /'
  check "ALTER EXTENSION pg_media UPDATE from the oldest packaged version ($(echo "$upgrade_out" | cut -d' ' -f1)) reaches $control_version" \
    eval '[ "$(echo "$upgrade_out" | cut -d" " -f2)" = "$control_version" ]'
else
  diag_file "$db/c/server.log" 2>/dev/null || diag_file "$log/cluster.log"
  fail "throwaway cluster on port $port started"
fi
"$top/scripts/cluster.sh" stop "$db/c"
rm -rf "$db"

dpkg -r "$extpkg" pg-media-cli >>"$log/dpkg.log" 2>&1
dpkg_rc=$?
check "dpkg -r removes both packages" [ "$dpkg_rc" = 0 ]
check "no file of the packages is left" eval '[ -z "$(package_files_on_disk)" ]'

if [ -n "$installed_before" ]; then
  make -s install >"$log/reinstall.log" 2>&1
  reinstall_rc=$?
  [ "$reinstall_rc" = 0 ] || tail -20 "$log/reinstall.log" | sed 's/^/# /'
  check "make install puts the hand-built files back" [ "$reinstall_rc" = 0 ]
  check "the same hand-built files are installed as before the test" [ "$(hand_built_files)" = "$installed_before" ]
fi
flock -u 9
echo "# held /tmp/pg_media_install.lock for $(($(date +%s) - started)) s"
finish
