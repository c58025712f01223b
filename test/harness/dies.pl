# Used by test/harness/run.sh only: plans three assertions and dies after one.
use strict;
use warnings;
use Test::More tests => 3;
ok(1, 'before the crash');
die "harness self-test: dying on purpose\n";
