# Failover with pg_auto_failover (issue 16): a monitor and two nodes on this
# machine, pg_media preloaded on both; `pg_media import` of 200 files and a
# 100 MB file through a multi-host connection string with
# target_session_attrs=read-write; the primary is killed (its pg_autoctl
# processes with SIGKILL, its postgres with an immediate stop, as a crashed
# machine would) while the 100 MB file is being uploaded.  The import must
# reconnect to the promoted node by itself and finish: every file stored
# exactly once (count, distinct SHA-256 and the exact set of SHA-256 against
# the files on disk), the big upload resumed at a byte > 0 that is at least
# what the old primary had acknowledged before the kill (so not restarted);
# `pg_media verify` passes on the new primary and, once pg_autoctl has made
# the old primary a secondary again, on it too (read-only).
#
# The monitor's health checks are made fast (1 s period, 3 s unhealthy
# timeout) so that the failover takes seconds, not the default minute; the
# time from the kill to the import's reconnect is printed as a diag line.
use strict;
use warnings;
use Digest::SHA;
use File::Path qw(make_path);
use IPC::Run;
use Time::HiRes qw(time usleep);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
BEGIN { unshift @INC, "$ENV{PG_MEDIA_SRC}/test/cli"; }
use CliTest;

my $pg_autoctl = (grep { -x $_ } map { "$_/pg_autoctl" } split(/:/, $ENV{PATH}), '/usr/bin')[0];
plan skip_all => 'pg_autoctl (pg-auto-failover-cli, postgresql-15-auto-failover) is not installed'
  unless $pg_autoctl;

my $base = PostgreSQL::Test::Utils::tempdir;
# pg_autoctl keeps its configuration and state under XDG_CONFIG_HOME / XDG_DATA_HOME
$ENV{XDG_CONFIG_HOME} = "$base/config";
$ENV{XDG_DATA_HOME}   = "$base/data";
# PostgreSQL::Test::Cluster points PGHOST at a socket folder of its own; pg_autoctl would look
# for its servers' sockets there: let it use its defaults, as in production
delete $ENV{$_} for qw(PGDATA PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGOPTIONS);
my $log_dir = $PostgreSQL::Test::Utils::log_path;
my %port = map { $_ => PostgreSQL::Test::Cluster::get_free_port() } qw(monitor node1 node2);
my %pgdata = map { $_ => "$base/$_" } qw(monitor node1 node2);
my %keeper;    # name => IPC::Run harness of its `pg_autoctl run`
my $monitor_uri = "postgres://autoctl_node\@127.0.0.1:$port{monitor}/pg_auto_failover?sslmode=disable";
my $both = "host=127.0.0.1,127.0.0.1 port=$port{node1},$port{node2} user=postgres dbname=postgres"
  . " target_session_attrs=read-write connect_timeout=3";

# Runs a command quietly (its output in the test's log); true if it exits 0.
sub quietly
{
	my (@cmd) = @_;
	return IPC::Run::run(\@cmd, '>>', "$log_dir/commands.log", '2>&1', IPC::Run::timeout(60));
}

# Stops every pg_autoctl and postgres this test started, whatever state the test died in:
# the keepers first (or they would restart their postgres), then any postgres left.
sub stop_all
{
	for my $name (keys %keeper)
	{
		eval { quietly($pg_autoctl, 'stop', '--pgdata', $pgdata{$name}, '--immediate'); };
	}
	for my $name (keys %keeper)
	{
		eval { $keeper{$name}->kill_kill(grace => 5) if $keeper{$name}->pumpable; };
	}
	%keeper = ();
	for my $name (keys %pgdata)
	{
		eval { quietly('pg_ctl', '-D', $pgdata{$name}, '-m', 'immediate', 'stop') }
		  if -f "$pgdata{$name}/postmaster.pid";
	}
}
# keep the test's exit status: END runs with it in $?
END { local $?; stop_all(); }

# Runs a pg_autoctl command to its end; dies with its output if it fails.
sub autoctl
{
	my (@args) = @_;
	my $out = '';
	IPC::Run::run([ $pg_autoctl, @args ], '>&', \$out, IPC::Run::timeout(120))
	  or die "pg_autoctl @args failed:\n$out";
	return $out;
}

# Starts `pg_autoctl run` for a node in the background, its output in the test's log folder.
sub keeper_start
{
	my ($name, $suffix) = @_;
	$keeper{$name} = IPC::Run::start([ $pg_autoctl, 'run', '--pgdata', $pgdata{$name} ],
		'>&', "$log_dir/pg_autoctl_$name" . ($suffix // '') . '.log');
}

# psql on a node (by port) through TCP; returns stdout, dies on failure.
sub psql_port
{
	my ($port, $sql, $db) = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run([ 'psql', '-X', '-At', '-v', 'ON_ERROR_STOP=1',
		"host=127.0.0.1 port=$port user=postgres dbname=" . ($db // 'postgres'), '-c', $sql ],
		'>', \$out, '2>', \$err, IPC::Run::timeout(60))
	  or die "psql on port $port failed: $err";
	chomp $out;
	return $out;
}

# The states the monitor reports, "node1=primary node2=secondary".
sub states
{
	my $out = eval {
		psql_port($port{monitor},
			"SELECT string_agg(nodename || '=' || reportedstate || '/' || goalstate, ' ' ORDER BY nodename)"
			  . ' FROM pgautofailover.node', 'pg_auto_failover');
	};
	return $out // '';
}

# Waits until states() matches re; returns the seconds waited, dies after timeout.  An optional
# nudge (a code ref) runs every 3 s while it waits.
sub wait_states
{
	my ($re, $timeout, $what, $nudge) = @_;
	my $start = time;
	my $nudged = $start;
	while (time - $start < $timeout)
	{
		return time - $start if states() =~ $re;
		if ($nudge && time - $nudged >= 3)
		{
			$nudge->();
			$nudged = time;
		}
		usleep(200_000);
	}
	die "timed out after $timeout s waiting for $what; states: " . states();
}

# Waits until the server on port accepts connections to db; dies after 60 s.
sub wait_ready
{
	my ($port, $db) = @_;
	for (1 .. 600)
	{
		return if eval { psql_port($port, 'SELECT 1', $db) };
		usleep(100_000);
	}
	die "the server on port $port did not start";
}

# Appends postgresql.conf lines to a node made by pg_autoctl create; they come after its
# include of postgresql-auto-failover.conf, so they win.
sub append_conf
{
	my ($name, $text) = @_;
	open my $fh, '>>', "$pgdata{$name}/postgresql.conf" or die $!;
	print $fh $text;
	close $fh;
}

my $t0 = time;

# --- the monitor, with health checks fast enough for a test ---
autoctl('create', 'monitor', '--pgdata', $pgdata{monitor}, '--pgport', $port{monitor},
	'--hostname', '127.0.0.1', '--auth', 'trust', '--no-ssl');
# PG_MEDIA_FAILOVER_DEFAULTS=1 keeps pg_auto_failover's default timings (to measure them;
# the failover then takes about a minute, and --retry-for 120 covers it)
my $fast = !$ENV{PG_MEDIA_FAILOVER_DEFAULTS};
append_conf('monitor', "listen_addresses = '127.0.0.1'\nshared_buffers = '64MB'\n");
append_conf('monitor', <<"CONF") if $fast;
pgautofailover.health_check_period = 1000
pgautofailover.health_check_timeout = 1000
pgautofailover.health_check_max_retries = 1
pgautofailover.health_check_retry_delay = 500
pgautofailover.node_considered_unhealthy_timeout = 3000
pgautofailover.primary_demote_timeout = 5000
pgautofailover.startup_grace_period = 2000
CONF
keeper_start('monitor');
wait_ready($port{monitor}, 'pg_auto_failover');

# --- node1 (it becomes the primary), pg_media preloaded ---
# pg_autoctl's own settings (postgresql-auto-failover.conf) preload pg_stat_statements and size
# shared_buffers for the whole machine; the lines appended here come after them and win.  node2
# is a pg_basebackup of node1, so it gets the same postgresql.conf.
autoctl('create', 'postgres', '--pgdata', $pgdata{node1}, '--pgport', $port{node1},
	'--hostname', '127.0.0.1', '--name', 'node1', '--auth', 'trust', '--no-ssl',
	'--monitor', $monitor_uri);
append_conf('node1', <<"CONF");
shared_preload_libraries = 'pg_stat_statements,pg_media'
listen_addresses = '127.0.0.1'
shared_buffers = '128MB'
log_min_messages = warning
CONF
keeper_start('node1');
wait_states(qr/node1=single\/single/, 60, 'node1 to be a single primary');
wait_ready($port{node1});
psql_port($port{node1}, 'CREATE EXTENSION pg_media');

# --- node2: a secondary of node1 ---
autoctl('create', 'postgres', '--pgdata', $pgdata{node2}, '--pgport', $port{node2},
	'--hostname', '127.0.0.1', '--name', 'node2', '--auth', 'trust', '--no-ssl',
	'--monitor', $monitor_uri);
keeper_start('node2');
wait_states(qr/node1=primary\/primary node2=secondary\/secondary/, 90,
	'node1 primary and node2 secondary');
wait_ready($port{node2});
is(psql_port($port{node2}, "SELECT current_setting('shared_preload_libraries') ~ 'pg_media',"
	  . " pg_is_in_recovery(), current_setting('synchronous_standby_names') <> ''"),
	't|t|f', 'node2 is a hot standby with pg_media preloaded');
like(psql_port($port{node1}, 'SHOW synchronous_standby_names'), qr/pgautofailover_standby/,
	'node1 replicates synchronously to node2 (a commit acknowledged is on both)');
my $uri = autoctl('show', 'uri', '--pgdata', $pgdata{monitor}, '--formation', 'default');
like($uri, qr/127\.0\.0\.1:$port{node1},127\.0\.0\.1:$port{node2}\/.*target_session_attrs=read-write/,
	'pg_autoctl show uri gives the multi-host read-write connection string the import uses');
diag(sprintf('monitor and two nodes up in %.1f s', time - $t0));

# --- the files: 100 before the big one, the big one, 100 after (walk order is sorted) ---
my $tree = "$base/import";
my %expected;    # sha256 hex => path
my $seq = 0;
for my $dir (qw(a z))
{
	make_path("$tree/$dir");
	for my $i (1 .. 100)
	{
		my $path = sprintf('%s/%s/f%03d.bin', $tree, $dir, $i);
		# distinct bytes of 1 kB .. 200 kB: no two files deduplicate
		my $bytes = 'pg_media failover ' . $seq++ . "\n" . ("x$i" x (300 + ($i * 977) % 100_000));
		open my $fh, '>:raw', $path or die $!;
		print $fh $bytes;
		close $fh;
		$expected{ Digest::SHA::sha256_hex($bytes) } = $path;
	}
}
make_path("$tree/m");
my $big = "$tree/m/big.bin";
my $big_size = 100 * 1024 * 1024;
IPC::Run::run([ 'head', '-c', $big_size, '/dev/urandom' ], '>', $big) or die "head: $?";
my $big_sha = Digest::SHA->new(256)->addfile($big, 'b')->hexdigest;
$expected{$big_sha} = $big;
is(scalar(keys %expected), 201, '201 files of distinct content to import');

# --- the import, in the background ---
my ($out, $err) = ('', '');
my $import_start = time;
my $import = IPC::Run::start([ cli_path(), 'import', '-d', $both, '--part-size', '1M',
	'--retry-for', '120', '--map-table', 'public.failover_map', $tree ],
	'>', \$out, '2>', \$err, IPC::Run::timeout(240));

# kill node1 once it has acknowledged 30 MB of the big file
my $acked = 0;
my $stored_before = 0;
my $deadline = time + 120;
while (time < $deadline)
{
	$import->pump_nb;
	my $row = eval {
		psql_port($port{node1},
			"SELECT coalesce(max(media.upload_status(upload_id)), 0), count(file_id)"
			  . " FROM public.failover_map");
	} // '0|0';
	($acked, $stored_before) = split /\|/, $row;
	last if $acked >= 30 * 1024 * 1024;
	die "the import ended before the kill: $out $err" unless $import->pumpable;
	usleep(100_000);
}
cmp_ok($acked, '>=', 30 * 1024 * 1024, "the big upload reached $acked bytes on node1");
is($stored_before, 100, 'the 100 files before it were stored');

my $kill_time = time;
my $supervisor = $keeper{node1}->{KIDS}[0]{PID};
my @children = split ' ', `pgrep -P $supervisor`;
kill 'KILL', $supervisor, @children;
quietly('pg_ctl', '-D', $pgdata{node1}, '-m', 'immediate', 'stop') or die 'could not stop node1';
$keeper{node1}->finish;
delete $keeper{node1};
diag(sprintf('node1 killed at %.1f s of the import, %d bytes of the big file acknowledged',
	$kill_time - $import_start, $acked));

my $promoted = wait_states(qr/node2=(wait_primary|primary)\/(wait_primary|primary)/, 150,
	'node2 to be promoted');
diag(sprintf('the monitor promoted node2 %.1f s after the kill', $promoted));

$import->finish;
my $rc = $? >> 8;
my $import_secs = time - $import_start;
diag(sprintf('import finished in %.1f s', $import_secs));
is($rc, 0, 'the import exits 0 after the failover') or diag("stdout:\n$out\nstderr:\n$err");
my $log = "$out\n$err";
diag("the import said: $_") for grep { /connection lost|no longer writable|reconnected|resuming/ } split /\n/, $log;
like($log, qr/connection lost \(.*big\.bin/, 'it says it lost the connection during the big file');
ok($log =~ /reconnected to 127\.0\.0\.1:(\d+) after ([\d.]+) s/, 'it says it reconnected');
my ($to_port, $reconnect_secs) = ($1 // 0, $2 // 0);
is($to_port, $port{node2}, 'to the promoted node (node2)');
diag("the import reconnected $reconnect_secs s after it lost the connection");
ok($log =~ /resuming \S+big\.bin at byte (\d+) of $big_size/, 'the big upload resumed');
my $resumed_at = $1 // 0;
cmp_ok($resumed_at, '>=', $acked,
	"at byte $resumed_at: not restarted, and no acknowledged byte lost (>= $acked)");
cmp_ok($resumed_at, '<', $big_size, 'before its end');
like($out, qr/^201 imported .* 0 unchanged, 0 skipped, 0 failed$/m, 'the summary: 201 imported');

# --- every file exactly once on the new primary ---
is(psql_port($port{node2}, 'SELECT pg_is_in_recovery()'), 'f', 'node2 is the primary');
is(psql_port($port{node2}, 'SELECT count(*), count(DISTINCT sha256) FROM media.files'),
	'201|201', '201 files, 201 distinct SHA-256: none lost, none twice');
my %stored = map { $_ => 1 } split /\n/,
  psql_port($port{node2}, "SELECT encode(sha256, 'hex') FROM media.files");
is_deeply([ sort keys %stored ], [ sort keys %expected ], 'exactly the SHA-256 of the files on disk');
is(psql_port($port{node2}, "SELECT byte_size, encode(sha256, 'hex') FROM media.files WHERE name = 'big.bin'"),
	"$big_size|$big_sha", 'the 100 MB file: its size and SHA-256 match');
is(psql_port($port{node2},
		'SELECT count(*), count(DISTINCT file_id), count(*) FILTER (WHERE upload_id IS NOT NULL)'
		  . ' FROM public.failover_map'),
	'201|201|0', 'the map table: 201 paths, 201 distinct files, no upload left open');
is(psql_port($port{node2}, 'SELECT count(*) FROM media.uploads'), '0', 'no upload left on the server');

my ($vrc, $vout, $verr) = (0, '', '');
IPC::Run::run([ cli_path(), 'verify', '-d', $both ], '>', \$vout, '2>', \$verr,
	IPC::Run::timeout(120));
$vrc = $? >> 8;
is($vrc, 0, 'pg_media verify passes on the new primary') or diag("$vout\n$verr");
like($vout, qr/^verified 201 files .*: 201 ok, 0 failed$/m, 'it verified the 201 files');
like($vout, qr/^storage integrity \(media\.check_integrity\): 0 problems$/m, 'storage integrity: 0 problems');

# --- node1 rejoins: pg_autoctl rewinds it and makes it a secondary of node2 ---
# pg_autoctl 2.0 first runs the crashed node's crash recovery as a standby, then pg_rewind; that
# pg_rewind sometimes finds the node not yet cleanly shut down, fails ("standby mode is not
# supported by single-user servers") and pg_autoctl falls back to a pg_basebackup of node2.  A
# pg_basebackup waits for node2's next checkpoint, spread over checkpoint_timeout x
# checkpoint_completion_target (4.5 min by default): what an operator does then, and this test
# does every 3 s while it waits, is run CHECKPOINT on the new primary (docs/scale-out.md).
keeper_start('node1', '_rejoined');
my $rejoin = wait_states(qr/node1=secondary\/secondary node2=primary\/primary/, 120,
	'node1 to rejoin as secondary', sub { eval { psql_port($port{node2}, 'CHECKPOINT') } });
my $rejoin_log = slurp_file("$log_dir/pg_autoctl_node1_rejoined.log");
diag(sprintf('node1 rejoined as a secondary in %.1f s, %s', $rejoin,
	$rejoin_log =~ /Failed to rewind/
	? 'by pg_basebackup (pg_rewind failed: ' . ($rejoin_log =~ /FATAL:\s+(.*)/ ? $1 : '?') . ')'
	: 'by pg_rewind'));
wait_ready($port{node1});
my $primary_lsn = psql_port($port{node2}, 'SELECT pg_current_wal_lsn()');
my $caught_up = 0;
for (1 .. 300)
{
	$caught_up = (eval { psql_port($port{node1}, "SELECT pg_last_wal_replay_lsn() >= '$primary_lsn'") } // '') eq 't';
	last if $caught_up;
	usleep(100_000);
}
ok($caught_up, 'node1 replayed everything node2 had');
is(psql_port($port{node1}, 'SELECT pg_is_in_recovery(), count(*), count(DISTINCT sha256) FROM media.files'),
	't|201|201', 'node1 is a standby with the 201 files');
IPC::Run::run([ cli_path(), 'verify', '-h', '127.0.0.1', '-p', $port{node1}, '-U', 'postgres',
		'-d', 'postgres' ], '>', \$vout, '2>', \$verr, IPC::Run::timeout(120));
$vrc = $? >> 8;
is($vrc, 0, 'pg_media verify passes on the old primary, now a read-only standby') or diag("$vout\n$verr");
like($vout, qr/^verified 201 files .*: 201 ok, 0 failed$/m, 'it verified the 201 files there too');
like($vout, qr/^storage integrity \(media\.check_integrity\): 0 problems$/m,
	'storage integrity on the standby: 0 problems');

diag(sprintf('whole test: %.1f s', time - $t0));
stop_all();
done_testing();
