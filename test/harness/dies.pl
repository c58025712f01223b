# Used by test/harness/run.sh only: plans three assertions and dies after one.  It loads
# PostgreSQL::Test::Utils as the real tests do, which sends the die message to the script's
# regress_log, where run-all.sh must find it for its summary.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More tests => 3;
ok(1, 'before the crash');
die "harness self-test: dying on purpose";
