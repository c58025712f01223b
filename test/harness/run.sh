#!/bin/bash
# Tests of make test's harness (test/run-all.sh, test/tap.sh), in TAP: a failed assertion or a
# script that dies is counted and named, an unknown stage is refused, and a checkout the postgres
# user cannot read fails fast with one clear line.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
n=0; bad=0
check() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; bad=$((bad + 1)); fi; }
tmp=$(mktemp -d /tmp/pg_media_harness.XXXXXX); chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT

PROVE_TESTS=test/harness/always_fails.pl "$top/test/run-all.sh" tap >"$tmp/fails.log" 2>&1; rc=$?
check "a failing TAP assertion makes the run fail" '[ $rc != 0 ]'
check "it is counted: last line says 1 passed, 1 failed" '[ "$(tail -1 "$tmp/fails.log")" = "1 passed, 1 failed" ]'
check "its name is listed among the failures" 'grep -q "^  tap: .*always_fails.pl: not ok 2 - harness self-test: this one fails on purpose" "$tmp/fails.log"'

PROVE_TESTS=test/harness/dies.pl "$top/test/run-all.sh" tap >"$tmp/dies.log" 2>&1; rc=$?
check "a TAP script that dies makes the run fail" '[ $rc != 0 ]'
check "it counts as a failure" 'tail -1 "$tmp/dies.log" | grep -qE "^1 passed, [1-9][0-9]* failed$"'
check "the dead script is named" 'grep -q "dies.pl" <(sed -n "/^failed:/,\$p" "$tmp/dies.log")'
check "with the message it died with, from its regress_log" \
  'grep -q "dies.pl died or stopped early: harness self-test: dying on purpose at .* line [0-9]*\.$" <(sed -n "/^failed:/,\$p" "$tmp/dies.log")'

"$top/test/run-all.sh" no-such-stage >"$tmp/stage.log" 2>&1; rc=$?
check "an unknown stage is refused with exit 2" '[ $rc = 2 ] && grep -q "unknown stage .no-such-stage." "$tmp/stage.log"'

# PostgreSQL's rule: every role a regression test creates is named regress_*, so that
# make installcheck against a real server never creates or drops a role such as "app"
others=$(grep -hoiE '(create|drop|alter) (role|user|group) +(if (not )?exists +)?[a-z_0-9"]+' "$top"/test/sql/*.sql |
         awk '{print tolower($NF)}' | grep -v '^"\?regress_' | sort -u | tr '\n' ' ')
check "regression tests create only regress_* roles${others:+ (not: $others)}" '[ -z "$others" ]'

if [ "$(id -u)" = 0 ]; then
  # a clone inside a folder only root may enter, as a private home folder would be
  mkdir -p "$tmp/private"; chmod 700 "$tmp/private"
  git clone -q "$top" "$tmp/private/pg_media" 2>/dev/null || cp -a "$top" "$tmp/private/pg_media"
  start=$(date +%s)
  (cd "$tmp/private/pg_media" && make -s test) >"$tmp/private.log" 2>&1; rc=$?
  took=$(( $(date +%s) - start ))
  check "make test in a checkout postgres cannot read fails" '[ $rc != 0 ]'
  check "... within 30 s (took ${took} s)" '[ $took -lt 30 ]'
  check "... saying so in one clear line" 'grep -q "the postgres user cannot read $tmp/private/pg_media" "$tmp/private.log"'
  check "... before installing or building anything" '! grep -qE "installing dependencies|building" "$tmp/private.log"'
  # make demo on a machine without ../shared: it makes its own media
  (cd "$top" && PG_MEDIA_CORPUS=/nonexistent make -s demo) >"$tmp/demo.log" 2>&1; rc=$?
  check "make demo without the shared corpus passes" '[ $rc = 0 ] && tail -1 "$tmp/demo.log" | grep -q "^demo passed"'
  check "... and shows active content refused with its error" 'grep -q "ERROR: .*active content is not accepted" "$tmp/demo.log"'
else
  for i in 1 2 3 4 5 6; do n=$((n + 1)); echo "ok $n # SKIP not root: postgres is not involved"; done
fi
echo "1..$n"
[ $bad = 0 ]
