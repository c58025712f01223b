# pg_media import across lost connections, on one node (the failover test
# with pg_auto_failover is test/scale/080_failover.pl):
#   - its backend terminated (57P01) three times: while it stores the small
#     files, in the middle of a file uploaded in parts, and once more among
#     the small files after it: it reconnects each time, the upload resumes
#     at a byte > 0 (the one media.upload_status acknowledges), and every
#     file is stored exactly once;
#   - the server turned read-only under it (default_transaction_read_only,
#     as pg_auto_failover does to a node it is promoting): 25006 makes it
#     reconnect, and it waits until the server is writable again;
#   - a commit in doubt (committed locally while waiting for a synchronous
#     standby that does not exist, the backend terminated in that wait, so
#     no answer came): the retry finds the file stored and does not store
#     it again;
#   - --retry-for 0: it stops at the lost connection (exit 3), and the next
#     run finishes without storing a file twice;
#   - the server down for longer than --retry-for: it gives up after that
#     long (exit 3) with an error that says so.
use strict;
use warnings;
use Digest::SHA qw(sha256_hex);
use File::Path qw(make_path);
use IPC::Run;
use Time::HiRes qw(time usleep);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgMediaTest;
BEGIN { unshift @INC, "$ENV{PG_MEDIA_SRC}/test/cli"; }
use CliTest;

# allows_streaming: max_wal_senders > 0, so that a commit waits for synchronous_standby_names
my $node = media_node('reconnect', allows_streaming => 1);
my $tmp = PostgreSQL::Test::Utils::tempdir;
my $poll = $node->background_psql('postgres');
# it stays writable when the server is made read-only below
$poll->query_safe('SET default_transaction_read_only = off');

sub sql { return $node->safe_psql('postgres', $_[0]); }

# Writes count files of distinct content under dir; returns { sha256 hex => path }.
sub make_files
{
	my ($dir, $count, $size, $tag) = @_;
	my %sha;
	make_path($dir);
	for my $i (1 .. $count)
	{
		my $bytes = "$tag $i\n" . (chr(65 + $i % 26) x ($size + $i * 101));
		my $path = sprintf('%s/f%03d.bin', $dir, $i);
		open my $fh, '>:raw', $path or die $!;
		print $fh $bytes;
		close $fh;
		$sha{ sha256_hex($bytes) } = $path;
	}
	return \%sha;
}

# Starts pg_media import of dir with map table map in the background.
sub start_import
{
	my ($dir, $map, $out, $err, @opts) = @_;
	# its application_name is then its own, "pg_media import" (the test sets PGAPPNAME)
	local $ENV{PGAPPNAME};
	delete $ENV{PGAPPNAME};
	return IPC::Run::start([ cli_path(), 'import', '-h', $node->host, '-p', $node->port,
		'-d', 'postgres', '--map-table', $map, @opts, $dir ],
		'>', $out, '2>', $err, IPC::Run::timeout(180));
}

# Pumps the import until its map table exists and the query (on the polling session) returns
# true; false if the import ended first or 60 s passed.
sub wait_until
{
	my ($import, $map, $sql) = @_;
	my $start = time;
	while (time - $start < 60)
	{
		$import->pump_nb;
		return 1 if $poll->query_safe("SELECT to_regclass('$map') IS NOT NULL") eq 't'
		  && $poll->query_safe($sql) eq 't';
		return 0 unless $import->pumpable;
		usleep(20_000);
	}
	return 0;
}

# Terminates the import's backend (57P01 for it, as when a server shuts down).
sub terminate_import
{
	return $poll->query_safe(
		"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
		  . " WHERE application_name = 'pg_media import'");
}

# (exit code) of a finished harness
sub finish_rc
{
	my ($h) = @_;
	$h->finish;
	return $? >> 8;
}

# --- three terminations during one run ---
my $tree = "$tmp/tree";
my %want = (%{ make_files("$tree/a", 100, 60_000, 'a') }, %{ make_files("$tree/z", 100, 2_000, 'z') });
make_path("$tree/m");
system("head -c 16777216 /dev/urandom > $tree/m/big.bin") == 0 or die 'head failed';
my $big_sha = Digest::SHA->new(256)->addfile("$tree/m/big.bin", 'b')->hexdigest;
$want{$big_sha} = "$tree/m/big.bin";

my ($out, $err) = ('', '');
my $import = start_import($tree, 'public.map1', \$out, \$err, '--part-size', '256k', '--retry-for', '30');
my @when = (
	[ 'among the first small files',
	  "SELECT count(file_id) >= 20 FROM public.map1" ],
	[ 'in the middle of the upload',
	  "SELECT coalesce(max(media.upload_status(upload_id)), 0) >= 4 * 1024 * 1024 FROM public.map1" ],
	[ 'among the small files after it',
	  "SELECT count(file_id) >= 110 FROM public.map1" ]);
for my $w (@when)
{
	my ($what, $cond) = @$w;
	ok(wait_until($import, 'public.map1', $cond)
		  && terminate_import() == 1,
		"the import's backend terminated $what");
}
is(finish_rc($import), 0, 'the import exits 0') or diag("$out\n$err");
my $log = "$out\n$err";
my @reconnects = $log =~ /^reconnected to \S+ after [\d.]+ s/mg;
is(scalar @reconnects, 3, 'it reconnected three times') or diag($log);
ok($log =~ /^resuming \S+big\.bin at byte (\d+) of 16777216$/m && $1 >= 4 * 1024 * 1024,
	'the upload resumed at the acknowledged byte (' . ($1 // 'none') . '), not from 0');
like($out, qr/^201 imported .*, 0 unchanged, 0 skipped, 0 failed$/m, 'the summary: 201 imported');
like($out, qr/^reconnected 3 time\(s\) after a lost connection/m, 'and says it reconnected 3 times');
is(sql('SELECT count(*), count(DISTINCT sha256) FROM media.files'), '201|201',
	'201 files, 201 distinct SHA-256: none twice');
is_deeply([ sort split /\n/, sql("SELECT encode(sha256, 'hex') FROM media.files") ],
	[ sort keys %want ], 'exactly the files of the tree, the 16 MB one included');
is(sql('SELECT count(*), count(DISTINCT file_id), count(upload_id) FROM public.map1'), '201|201|0',
	'the map: 201 paths to 201 files, no upload left open');
is(sql('SELECT count(*) FROM media.uploads'), 0, 'no upload left on the server');

# --- the server turns read-only under it, then writable again ---
my $ro = make_files("$tmp/ro", 60, 30_000, 'ro');
($out, $err) = ('', '');
$import = start_import("$tmp/ro", 'public.map2', \$out, \$err, '--retry-for', '30');
ok(wait_until($import, 'public.map2', 'SELECT count(file_id) >= 10 FROM public.map2'), 'the second import is under way');
$poll->query_safe('ALTER SYSTEM SET default_transaction_read_only = on');
$poll->query_safe('SELECT pg_reload_conf()');
my $waited = 0;
for (1 .. 1500)
{
	$import->pump_nb;
	$waited = 1, last if $out =~ /reconnecting for up to/;
	usleep(20_000);
}
ok($waited, 'a read-only server (25006) makes it reconnect') or diag("$out\n$err");
usleep(1_500_000);
$poll->query_safe('ALTER SYSTEM RESET default_transaction_read_only');
$poll->query_safe('SELECT pg_reload_conf()');
is(finish_rc($import), 0, 'and it finishes once the server is writable again') or diag("$out\n$err");
like($out, qr/^the server is no longer writable \(.*cannot execute \S+ in a read-only transaction\); reconnecting/m,
	'the log says why');
like($out, qr/^reconnected to \S+ after ([\d.]+) s \(attempt ([2-9]|\d\d+)\)/m,
	'after several attempts (a read-only session is not taken)');
is(sql("SELECT count(*) FROM media.files WHERE sha256 IN (SELECT decode(h, 'hex') FROM unnest('{" . join(',', keys %$ro) . "}'::text[]) h)"),
	60, 'the 60 files, once each');

# --- a commit in doubt: committed on the server, the connection lost before the answer ---
# A commit waiting for a synchronous standby that does not exist has committed locally; a
# backend terminated in that wait never answers.  The retry must find the file stored.
my $doubt = make_files("$tmp/doubt", 100, 30_000, 'doubt');
($out, $err) = ('', '');
$import = start_import("$tmp/doubt", 'public.map5', \$out, \$err, '--retry-for', '30');
ok(wait_until($import, 'public.map5', 'SELECT count(file_id) >= 3 FROM public.map5'),
	'a third import is under way');
$poll->query_safe("ALTER SYSTEM SET synchronous_standby_names = 'nobody'");
$poll->query_safe('SELECT pg_reload_conf()');
ok(wait_until($import, 'public.map5',
		"SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'pg_media import'"
		  . " AND wait_event = 'SyncRep')"),
	'a commit of the import waits for the (missing) synchronous standby');
my $in_doubt = $poll->query_safe('SELECT count(*) FROM public.map5 WHERE file_id IS NOT NULL');
is(terminate_import(), 1, "its backend terminated in that wait ($in_doubt files committed)");
$poll->query_safe('ALTER SYSTEM RESET synchronous_standby_names');
$poll->query_safe('SELECT pg_reload_conf()');
is(finish_rc($import), 0, 'the import exits 0') or diag("$out\n$err");
like($out, qr/^\S+\/doubt\/f\d+\.bin was stored before the connection was lost: not stored again$/m,
	'the retry found the file in doubt stored, and did not store it again');
like($out, qr/^100 imported /m, 'the summary counts it as imported: 100 imported');
is(sql('SELECT count(*) FROM media.files WHERE sha256 IN (SELECT decode(h, \'hex\') FROM unnest(\'{'
	  . join(',', keys %$doubt) . '}\'::text[]) h)'), 100, 'the 100 files, once each');

# --- --retry-for 0: the run stops; the next one finishes, none twice ---
my $r0 = make_files("$tmp/r0", 80, 30_000, 'r0');
($out, $err) = ('', '');
$import = start_import("$tmp/r0", 'public.map3', \$out, \$err, '--retry-for', '0');
ok(wait_until($import, 'public.map3', 'SELECT count(file_id) >= 10 FROM public.map3') && terminate_import() == 1,
	'an import with --retry-for 0 terminated');
is(finish_rc($import), 3, 'exits 3');
like($err, qr/error: connection lost: /, 'with "connection lost"');
my $stored = sql('SELECT count(*) FROM public.map3 WHERE file_id IS NOT NULL');
cmp_ok($stored, '<', 80, "it stopped there ($stored of 80 stored)");
my ($rc) = run_cli($node, [ 'import', '--map-table', 'public.map3', "$tmp/r0" ]);
is($rc, 0, 'the next run exits 0');
is(sql("SELECT count(*), count(DISTINCT f.sha256) FROM public.map3 m JOIN media.files f ON f.id = m.file_id"),
	'80|80', 'and the 80 files are stored once each');

# --- the server down longer than --retry-for ---
make_files("$tmp/down", 60, 30_000, 'down');
($out, $err) = ('', '');
$import = start_import("$tmp/down", 'public.map4', \$out, \$err, '--retry-for', '3');
ok(wait_until($import, 'public.map4', 'SELECT count(file_id) >= 10 FROM public.map4'), 'an import with --retry-for 3 under way');
$poll->quit;
$node->stop('immediate');
my $t = time;
is(finish_rc($import), 3, 'the server down: exits 3');
my $gave_up = time - $t;
ok($gave_up >= 2.5 && $gave_up < 20, sprintf('after about --retry-for (%.1f s)', $gave_up));
like($err, qr/error: could not reconnect within 3 s \(--retry-for\): /, 'saying it could not reconnect');
$node->start;

done_testing();
