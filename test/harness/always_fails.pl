# Used by test/harness/run.sh only: one passing and one failing assertion.
use strict;
use warnings;
use Test::More tests => 2;
ok(1, 'this one passes');
ok(0, 'harness self-test: this one fails on purpose');
