#!/bin/bash
# Runs the TAP tests of test/t with prove, for `make installcheck` and `make test`.
#
#   test/tap.sh                     every test/t/*.pl
#   PROVE_TESTS="test/t/050_cli.pl 051" test/tap.sh    only these (paths or name prefixes)
#   TAP_DIR=test/scale test/tap.sh  the multi-node tests of make test-scale instead
#
# The tests start their own clusters (PostgreSQL::Test::Cluster), and PostgreSQL refuses to run
# as root, so as root they run as the postgres user, who must be able to read this checkout.
# Exits non-zero when a test fails or cannot run.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bindir=$(pg_config --bindir)
pgxs=$(dirname "$(dirname "$(dirname "$(pg_config --pgxs)")")")

run_as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

"$top/test/check-readable.sh" || exit 2

tap_dir=${TAP_DIR:-test/t}
tests=()
for t in ${PROVE_TESTS:-}; do
  case "$t" in
    */*) tests+=("$top/${t#./}") ;;
    *)   for f in "$top/$tap_dir/$t"*.pl; do [ -f "$f" ] && tests+=("$f"); done ;;
  esac
done
[ -n "${PROVE_TESTS:-}" ] || tests=("$top/$tap_dir"/*.pl)
[ ${#tests[@]} -gt 0 ] || { echo "tap.sh: no TAP test matches PROVE_TESTS='${PROVE_TESTS:-}'" >&2; exit 2; }

testdir=$(mktemp -d /tmp/pg_media_tap.XXXXXX)
chmod 755 "$testdir"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$testdir"
cd "$testdir"
run_as_postgres env PATH="$bindir:$PATH" TESTDIR="$testdir" \
  PG_REGRESS="$pgxs/src/test/regress/pg_regress" \
  PG_MEDIA_SRC="$top" PG_MEDIA_CORPUS="${PG_MEDIA_CORPUS:-$top/../shared/corpus}" \
  prove ${PROVE_FLAGS:--v} -I "$pgxs/src/test/perl" -I "$top/test/t" "${tests[@]}"
rc=$?
echo "tap.sh: logs in $testdir"
exit $rc
