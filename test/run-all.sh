#!/bin/bash
# make test: every test pg_media has, with one summary line at the end.
#
#   1. unit tests of the pure-C core (test/unit, TAP), then again under ASan + UBSan
#   2. a short run of every libFuzzer harness, built with ASan + UBSan (test/fuzz;
#      FUZZ_SECONDS, default 10)
#   3. pg_regress (sql/ + expected/) against a throwaway cluster
#   4. TAP tests (test/t/*.pl) with PostgreSQL::Test::Cluster, run as the postgres user
#
# Installs what is missing first (as root, on Debian 12).  The last line is
# "N passed, N failed"; the exit status is non-zero when anything failed.
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
passed=0
failed=0
log_dir=$(mktemp -d /tmp/pg_media_test.XXXXXX)
chmod 755 "$log_dir"

say() { printf '\n=== %s\n' "$*"; }

# Counts TAP "ok" / "not ok" lines of a log into passed/failed.
count_tap() {
  local ok bad
  ok=$(grep -cE '^[[:space:]]*ok [0-9]+' "$1")
  bad=$(grep -cE '^[[:space:]]*not ok [0-9]+' "$1")
  passed=$((passed + ok))
  failed=$((failed + bad))
  echo "--- $2: $ok passed, $bad failed"
}

# A step that could not run at all counts as one failure.
step_failed() {
  failed=$((failed + 1))
  echo "--- $1: could not run (see above)"
}

say "installing dependencies"
if [ "$(id -u)" = 0 ]; then
  # the Dockerfile runs the "build" step; run it here too so CI exercises it
  { ./scripts/install-deps.sh build && ./scripts/install-deps.sh test; } || { echo "dependency installation failed"; exit 1; }
fi

say "building and installing pg_media"
if make -s >"$log_dir/build.log" 2>&1 && { [ "$(id -u)" != 0 ] || make -s install >>"$log_dir/build.log" 2>&1; }; then
  echo "built"
else
  cat "$log_dir/build.log"; step_failed build
fi

say "unit tests of the pure-C core"
make -s -C test/unit run >"$log_dir/unit.log" 2>&1
unit_rc=$?
grep -E '^(not ok|# )' "$log_dir/unit.log"
count_tap "$log_dir/unit.log" "unit"
if [ "$unit_rc" != 0 ] && ! grep -qE '^not ok' "$log_dir/unit.log"; then
  grep -E 'error|Error' "$log_dir/unit.log" | head -20; step_failed "unit tests (build or run)"
fi

say "unit tests again under AddressSanitizer and UBSan"
make -s -C test/unit run SANITIZE=1 >"$log_dir/unit-san.log" 2>&1
san_rc=$?
grep -E '^not ok|runtime error|AddressSanitizer' "$log_dir/unit-san.log" | head -20
ok=$(grep -cE '^ok [0-9]+' "$log_dir/unit-san.log")
if [ "$san_rc" = 0 ] && ! grep -qE 'runtime error|AddressSanitizer' "$log_dir/unit-san.log"; then
  passed=$((passed + 1)); echo "--- sanitized unit run: clean ($ok assertions)"
else
  failed=$((failed + 1)); echo "--- sanitized unit run: FAILED"
fi

say "fuzzing each harness for ${FUZZ_SECONDS:-10} s"
if make -s -C test/fuzz all >"$log_dir/fuzz-build.log" 2>&1; then
  # the harnesses over whole modules get FUZZ_SECONDS each, the one-parser
  # harnesses (fuzz_parser_*) PARSER_FUZZ_SECONDS each
  (cd test/fuzz && ./run.sh "${FUZZ_SECONDS:-10}" $(ls fuzz_*.c | grep -v '^fuzz_parser_' | sed "s/\.c$//")) 2>&1 | tee "$log_dir/fuzz.log"
  (cd test/fuzz && ./run.sh "${PARSER_FUZZ_SECONDS:-3}" $(ls fuzz_parser_*.c | sed "s/\.c$//")) 2>&1 | tee -a "$log_dir/fuzz.log"
  count_tap "$log_dir/fuzz.log" "fuzz"
else
  tail -30 "$log_dir/fuzz-build.log"; step_failed "fuzz build"
fi

say "pg_regress"
pgdir="$log_dir/regress-cluster"
port=$((54000 + RANDOM % 1000))
if ./scripts/cluster.sh start "$pgdir" "$port"; then
  make -s installcheck PGHOST="$pgdir" PGPORT="$port" PGUSER=postgres >"$log_dir/regress.log" 2>&1
  cat "$log_dir/regress.log"
  ok=$(grep -cE '\.\.\. ok|^ok [0-9]+' "$log_dir/regress.log")
  bad=$(grep -cE '\.\.\. FAILED|^not ok [0-9]+' "$log_dir/regress.log")
  passed=$((passed + ok)); failed=$((failed + bad))
  echo "--- pg_regress: $ok passed, $bad failed"
  [ "$bad" = 0 ] || cat regression.diffs 2>/dev/null | head -200
  ./scripts/cluster.sh stop "$pgdir"
else
  step_failed "pg_regress cluster"
fi

say "TAP tests"
pgxs=$(dirname "$(dirname "$(dirname "$(pg_config --pgxs)")")")
tapdir="$log_dir/tap"
mkdir -p "$tapdir"
[ "$(id -u)" = 0 ] && chown -R postgres:postgres "$tapdir"
run_as() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
(cd "$tapdir" && run_as env PATH="$(pg_config --bindir):$PATH" TESTDIR="$tapdir" \
   PG_REGRESS="$pgxs/src/test/regress/pg_regress" \
   PG_MEDIA_SRC="$top" PG_MEDIA_CORPUS="$top/../shared/corpus" \
   prove -v -I "$pgxs/src/test/perl" -I "$top/test/t" ${TAP_TESTS_ONLY:-} "$top"/test/t/*.pl) \
   >"$log_dir/tap.log" 2>&1
grep -vE '^[[:space:]]*ok [0-9]+' "$log_dir/tap.log" | tail -40
count_tap "$log_dir/tap.log" "TAP"
grep -q 'Result: PASS' "$log_dir/tap.log" || { grep -q 'Result: FAIL' "$log_dir/tap.log" && grep -q 'not ok' "$log_dir/tap.log" || step_failed "TAP (a script died: see $tapdir)"; }

echo
echo "logs: $log_dir"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
