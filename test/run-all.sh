#!/bin/bash
# make test: every test pg_media has, with one summary line at the end.
#
#   test/run-all.sh                    every stage, in the order below
#   test/run-all.sh regress tap        only these stages (also: make test STAGES="regress tap")
#
# Stages:
#   build     install what is missing (as root, on Debian 12), build and install pg_media
#   unit      unit tests of the pure-C core (test/unit, TAP)
#   unit-san  the same under AddressSanitizer + UBSan
#   quality   the transform against vipsthumbnail on the corpus, Debian's image test suites and
#             generated images: size within 1 px, PSNR >= 30 dB (test/quality/run.sh, TAP)
#   regress   pg_regress (test/sql, test/expected) through `make installcheck` against a
#             throwaway cluster; the installcheck also runs one TAP file, to prove it runs them
#   tap       TAP tests (test/t/*.pl; PROVE_TESTS="050_cli 051" restricts them)
#   harness   tests of this harness itself (a checkout postgres cannot read fails fast)
#   package   the Debian packages (test/package/run.sh), as root only
#   fuzz      a short run of every libFuzzer harness (FUZZ_SECONDS, default 10 for whole
#             modules; PARSER_FUZZ_SECONDS, default 3, for one-parser harnesses)
# The SQL stages run before fuzzing so their verdict comes early.  The last line is
# "N passed, N failed", after the names of the failed tests; the exit status is non-zero
# when anything failed.
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
all_stages="build unit unit-san quality regress tap harness package fuzz"
# not part of make test's default run: the multi-node tests of make test-scale (test/scale/*.pl)
extra_stages="scale"
stages=${*:-$all_stages}
for s in $stages; do
  case " $all_stages $extra_stages " in *" $s "*) ;; *) echo "run-all.sh: unknown stage '$s' (stages: $all_stages $extra_stages)" >&2; exit 2 ;; esac
done
wants() { case " $stages " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

passed=0
failed=0
failures=()
log_dir=$(mktemp -d /tmp/pg_media_test.XXXXXX)
chmod 755 "$log_dir"

say() { printf '\n=== %s\n' "$*"; }

# Counts TAP "ok" / "not ok" lines of a log into passed/failed and remembers the failed ones,
# each with the test file prove was running (its "path/NNN_name.pl .." header) when known.
count_tap() {
  local log=$1 stage=$2 ok bad line
  ok=$(grep -cE '^[[:space:]]*ok [0-9]+' "$log")
  bad=$(grep -cE '^[[:space:]]*not ok [0-9]+' "$log")
  passed=$((passed + ok))
  failed=$((failed + bad))
  while IFS= read -r line; do failures+=("$stage: $line"); done < <(
    awk '/^[^ ].*\.(pl|c) \.\./ { file = $1 } /^# test_/ { file = $2 }
         /^[[:space:]]*not ok [0-9]+/ { sub(/^[[:space:]]*/, ""); print (file ? file ": " : "") $0 }' "$log")
  echo "--- $stage: $ok passed, $bad failed"
}

# A step that could not run at all counts as one failure.
step_failed() {
  failed=$((failed + 1))
  failures+=("$1: could not run (see above)")
  echo "--- $1: could not run (see above)"
}

# The test servers run as postgres: say so at once when it cannot read the checkout.
if wants regress || wants tap || wants scale; then
  ./test/check-readable.sh || { echo; echo "0 passed, 1 failed"; exit 1; }
fi

if wants build; then
  say "installing dependencies"
  if [ "$(id -u)" = 0 ]; then
    # the Dockerfile runs the "build" step; run it here too so CI exercises it
    deps_group=test; wants scale && deps_group=scale
    { ./scripts/install-deps.sh build && ./scripts/install-deps.sh $deps_group; } || { echo "dependency installation failed"; exit 1; }
  fi
  say "building and installing pg_media"
  if make -s all cli >"$log_dir/build.log" 2>&1 &&
     { [ "$(id -u)" != 0 ] || make -s install-all >>"$log_dir/build.log" 2>&1; }; then
    echo "built"
  else
    cat "$log_dir/build.log"; step_failed build
  fi
fi

if wants unit; then
  say "unit tests of the pure-C core"
  make -s -j2 -C test/unit run >"$log_dir/unit.log" 2>&1
  unit_rc=$?
  grep -E '^(not ok|# )' "$log_dir/unit.log"
  count_tap "$log_dir/unit.log" "unit"
  if [ "$unit_rc" != 0 ] && ! grep -qE '^not ok' "$log_dir/unit.log"; then
    grep -E 'error|Error' "$log_dir/unit.log" | head -20; step_failed "unit tests (build or run)"
  fi
fi

if wants unit-san; then
  say "unit tests again under AddressSanitizer and UBSan"
  make -s -j2 -C test/unit run SANITIZE=1 >"$log_dir/unit-san.log" 2>&1
  san_rc=$?
  grep -E '^not ok|runtime error|AddressSanitizer' "$log_dir/unit-san.log" | head -20
  ok=$(grep -cE '^ok [0-9]+' "$log_dir/unit-san.log")
  if [ "$san_rc" = 0 ] && ! grep -qE 'runtime error|AddressSanitizer' "$log_dir/unit-san.log"; then
    passed=$((passed + 1)); echo "--- sanitized unit run: clean ($ok assertions)"
  else
    failed=$((failed + 1)); failures+=("unit-san: sanitized unit run (see $log_dir/unit-san.log)")
    echo "--- sanitized unit run: FAILED"
  fi
fi

if wants quality; then
  say "quality bar: the transform against vipsthumbnail"
  ./test/quality/run.sh >"$log_dir/quality.log" 2>&1
  rc=$?
  grep -vE '^ok [0-9]+' "$log_dir/quality.log" | grep -E '^(not ok|# FAIL|Bail out)' | head -60
  grep -E '^(ok|not ok) [0-9]+' "$log_dir/quality.log"
  count_tap "$log_dir/quality.log" "quality"
  if [ "$rc" != 0 ] && ! grep -qE '^not ok' "$log_dir/quality.log"; then step_failed "quality (see $log_dir/quality.log)"; fi
fi

if wants regress; then
  say "pg_regress (make installcheck)"
  pgdir="$log_dir/regress-cluster"
  port=$((54000 + RANDOM % 1000))
  if ./scripts/cluster.sh start "$pgdir" "$port"; then
    make -s installcheck PGHOST="$pgdir" PGPORT="$port" PGUSER=postgres \
         PROVE_TESTS=test/t/000_installcheck.pl >"$log_dir/regress.log" 2>&1
    rc=$?
    cat "$log_dir/regress.log"
    ok=$(grep -cE '\.\.\. ok|^ok [0-9]+' "$log_dir/regress.log")
    bad=$(grep -cE '\.\.\. FAILED|^not ok [0-9]+' "$log_dir/regress.log")
    passed=$((passed + ok)); failed=$((failed + bad))
    while IFS= read -r line; do failures+=("regress: $line"); done < <(
      grep -E '\.\.\. FAILED|^not ok [0-9]+' "$log_dir/regress.log" | sed 's/^[[:space:]]*//')
    echo "--- pg_regress and installcheck TAP: $ok passed, $bad failed"
    [ "$bad" = 0 ] || head -200 regression.diffs 2>/dev/null
    if [ "$rc" != 0 ] && [ "$bad" = 0 ]; then step_failed "make installcheck (exit $rc)"; fi
    ./scripts/cluster.sh stop "$pgdir"
  else
    step_failed "pg_regress cluster"
  fi
fi

# The message a TAP script died with (": ..."), from its regress_log in the folder tap.sh names in
# its last line; PostgreSQL::Test::Utils sends a script's stderr there, so without this the
# reason is only on the machine that ran it (a CI log shows the summary).
died_reason() {
  local log=$1 script=$2 dir reason
  dir=$(sed -n 's/^tap\.sh: logs in //p' "$log" | tail -1)
  reason=$(grep -E ' at .* line [0-9]+\.$' "$dir/tmp_check/log/regress_log_$(basename "$script" .pl)" 2>/dev/null | tail -1)
  [ -n "$reason" ] && echo ": $reason"
}

# Runs the TAP tests of one folder (test/tap.sh with TAP_DIR) as stage $1 and counts them.  A
# script that died, or ran fewer tests than it planned, prints no "not ok": prove's summary names
# it with "Failed: 0"; each counts as one failure.
run_tap_stage() {
  local stage=$1 dir=$2 what=$3 log="$log_dir/$1.log" rc line
  TAP_DIR=$dir PROVE_TESTS="${PROVE_TESTS:-}" ./test/tap.sh >"$log" 2>&1
  rc=$?
  grep -vE '^[[:space:]]*ok [0-9]+' "$log" | tail -40
  count_tap "$log" "$stage"
  while IFS= read -r line; do
    script=$(echo "$line" | sed "s/ *(Wstat.*//")
    failed=$((failed + 1)); failures+=("$stage: $script died or stopped early$(died_reason "$log" "$script")")
  done < <(grep -E '^[^ ].*\.pl +\(Wstat: .*Failed: 0\)$' "$log")
  if [ "$rc" != 0 ] && ! grep -qE '^[[:space:]]*not ok [0-9]+|^[^ ].*\.pl +\(Wstat: ' "$log"; then
    step_failed "$what (exit $rc; see $log)"
  fi
}

if wants tap; then
  say "TAP tests"
  run_tap_stage tap test/t TAP
fi

if wants scale; then
  say "multi-node tests: failover, replicas, sharding (test/scale)"
  run_tap_stage scale test/scale "scale tests"
fi

if wants harness; then
  say "tests of the test harness"
  ./test/harness/run.sh >"$log_dir/harness.log" 2>&1
  rc=$?
  cat "$log_dir/harness.log"
  count_tap "$log_dir/harness.log" "harness"
  if [ "$rc" != 0 ] && ! grep -qE '^not ok' "$log_dir/harness.log"; then step_failed harness; fi
fi

if wants package; then
  say "Debian packages"
  if [ -x test/package/run.sh ]; then
    ./test/package/run.sh >"$log_dir/package.log" 2>&1
    rc=$?
    grep -vE '^ok [0-9]+' "$log_dir/package.log" | tail -30
    count_tap "$log_dir/package.log" "package"
    if [ "$rc" != 0 ] && ! grep -qE '^not ok' "$log_dir/package.log"; then step_failed package; fi
  else
    echo "(no test/package/run.sh)"
  fi
fi

if wants fuzz; then
  say "fuzzing each harness for ${FUZZ_SECONDS:-10} s"
  if make -s -j2 -C test/fuzz all >"$log_dir/fuzz-build.log" 2>&1; then
    # the harnesses over whole modules get FUZZ_SECONDS each, the one-parser
    # harnesses (fuzz_parser_*) PARSER_FUZZ_SECONDS each
    (cd test/fuzz && ./run.sh "${FUZZ_SECONDS:-10}" $(ls fuzz_*.c | grep -v '^fuzz_parser_' | sed "s/\.c$//")) 2>&1 | tee "$log_dir/fuzz.log"
    (cd test/fuzz && ./run.sh "${PARSER_FUZZ_SECONDS:-3}" $(ls fuzz_parser_*.c | sed "s/\.c$//")) 2>&1 | tee -a "$log_dir/fuzz.log"
    count_tap "$log_dir/fuzz.log" "fuzz"
  else
    tail -30 "$log_dir/fuzz-build.log"; step_failed "fuzz build"
  fi
fi

echo
echo "logs: $log_dir"
if [ ${#failures[@]} -gt 0 ]; then
  echo "failed:"
  printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
