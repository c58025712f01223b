#!/bin/sh
# Checks that the postgres user can read this checkout, which the test servers (run as postgres,
# since PostgreSQL refuses root) and the TAP tests need.  Prints one line and fails if not.
top=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" = 0 ] || exit 0
if ! runuser -u postgres -- test -r "$top/test/t/PgMediaTest.pm" 2>/dev/null ||
   ! runuser -u postgres -- test -x "$top/test/t" 2>/dev/null; then
  echo "make test: the postgres user cannot read $top (the test servers run as postgres, since PostgreSQL refuses to run as root): give it read access (chmod o+rx on the checkout and each parent folder) or clone the checkout somewhere readable such as /tmp" >&2
  exit 1
fi
exit 0
