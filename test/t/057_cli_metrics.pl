# pg_media serve's operations endpoints, scraped as a monitoring system
# would: /metrics parsed line by line against the Prometheus text format
# 0.0.4 (every sample belongs to a declared family, histograms cumulative
# and consistent), the counters moving by exactly what the requests sent,
# pool waits counted when clients outnumber connections; /healthz 200 while
# the database answers and 503 once it is down, and 200 again after.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
BEGIN { unshift @INC, "$ENV{PG_MEDIA_SRC}/test/cli"; }
use CliTest;

plan skip_all => 'curl is not installed (apt-get install curl, or cli/install-deps.sh)'
  unless have_program('curl');

my $node = PostgreSQL::Test::Cluster->new('cli_metrics');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'pg_media'\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION pg_media');
my $tmp = PostgreSQL::Test::Utils::tempdir;

my $png = make_png(40, 30, 10, 120, 240);
my $id = $node->safe_psql('postgres',
	"SELECT media.put('\\x" . unpack('H*', $png) . "'::bytea, 'a.png')");
my $srv = start_server($node, $tmp, args => [ '--pool', '1' ]);
my $base = $srv->{base};

# Parses one scrape; returns {family => type} and {"name{labels}" => value},
# failing the test on any line that is not valid exposition text.
sub scrape
{
	my ($status, $h, $body) = curl_get("$base/metrics");
	is($status, 200, '/metrics: 200');
	like($h->{'content-type'}, qr{^text/plain; version=0\.0\.4}, '/metrics: the exposition format');
	my (%type, %sample, @bad);
	for my $line (split /\n/, $body)
	{
		if ($line =~ /^# HELP (\w+) \S.*$/) { next; }
		if ($line =~ /^# TYPE (\w+) (counter|gauge|histogram)$/) { $type{$1} = $2; next; }
		if ($line =~ /^(\w+)(\{(?:\w+="[^"\\]*",?)*\})? (-?[0-9.e+-]+)$/)
		{
			my ($name, $labels, $v) = ($1, $2 // '', $3);
			my $family = $name;
			$family =~ s/_(bucket|sum|count)$// unless exists $type{$name};
			push @bad, "sample before its TYPE: $line" unless exists $type{$family};
			$sample{"$name$labels"} = $v;
			next;
		}
		push @bad, $line;
	}
	is_deeply(\@bad, [], 'every line is valid exposition text');
	return (\%type, \%sample);
}

my ($type, $m0) = scrape();
is($type->{pg_media_http_requests_total}, 'counter', 'requests by status: a counter');
is($type->{pg_media_http_request_duration_seconds}, 'histogram', 'latency: a histogram');
is($type->{pg_media_pool_connections}, 'gauge', 'pool size: a gauge');
is($m0->{pg_media_pool_connections}, 1, 'the pool size is --pool');
is($m0->{pg_media_http_requests_in_flight}, 1, 'in flight: the scrape itself');
ok(exists $m0->{pg_media_uploads_in_progress}, 'uploads in progress are reported');

# three 200s, one 404, one 405: the counters move by exactly that
curl_get("$base/media/$id") for 1 .. 3;
curl_get("$base/media/999999");
curl_get("$base/metrics", '-X', 'POST');
my (undef, $m1) = scrape();
my $d = sub { ($m1->{ $_[0] } // 0) - ($m0->{ $_[0] } // 0) };
is($d->('pg_media_http_requests_total{code="200"}'), 4, '200s: three files and one scrape');
is($d->('pg_media_http_requests_total{code="404"}'), 1, 'one 404');
is($d->('pg_media_http_requests_total{code="405"}'), 1, 'one 405 (POST /metrics)');
cmp_ok($d->('pg_media_http_response_bytes_total'), '>=', 3 * length($png),
	'bytes sent include the three bodies');
my $count = $m1->{pg_media_http_request_duration_seconds_count};
is($m1->{'pg_media_http_request_duration_seconds_bucket{le="+Inf"}'}, $count,
	'histogram: the +Inf bucket is the count');
my ($prev, $monotonic) = (0, 1);
for my $k (sort { $a->[0] <=> $b->[0] } map { /le="([0-9.e+-]+)"/ ? [ $1, $_ ] : () } keys %$m1)
{
	$monotonic = 0 if $m1->{ $k->[1] } < $prev;
	$prev = $m1->{ $k->[1] };
}
ok($monotonic, 'histogram buckets are cumulative');
my $done = 0;
$done += $m1->{$_} for grep { /^pg_media_http_requests_total\{/ } keys %$m1;
is($count, $done, 'every completed request is in the histogram once');

# one connection, eight parallel clients: the first holds it, stuck behind a lock
# another session keeps on media.files for two seconds, so the others wait for it
my ($lock_out, $lock_err) = ('', '');
my $locker = IPC::Run::start(
	[ 'psql', '-X', '-h', $node->host, '-p', $node->port, '-d', 'postgres', '-c',
	  'BEGIN; LOCK TABLE media.files; SELECT pg_sleep(2); COMMIT;' ],
	'>', \$lock_out, '2>', \$lock_err);
$node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM pg_locks WHERE relation = 'media.files'::regclass AND mode = 'AccessExclusiveLock' AND granted")
  or die 'the lock was not taken';
my @pids;
for (1 .. 8)
{
	my $pid = fork;
	if ($pid == 0)
	{
		exec('curl', '-s', '-o', '/dev/null', '--noproxy', '*', "$base/media/$id?$_") or exit 1;
	}
	push @pids, $pid;
}
waitpid($_, 0) for @pids;
$locker->finish;
my (undef, $m2) = scrape();
cmp_ok($m2->{pg_media_pool_waits_total}, '>', 0, 'clients outnumbering the pool are counted as waits');
cmp_ok($m2->{pg_media_pool_wait_seconds_total}, '>', 0, 'and their waiting time');

# /healthz follows the database
my ($status, $h, $body) = curl_get("$base/healthz");
is($status, 200, '/healthz: 200 while the database answers');
like($body, qr/"status": "ok".*"pool": \{"size": 1, "busy": \d\}/, '/healthz: pool state');
is($h->{'cache-control'}, 'no-store', '/healthz is never cached');
$node->stop('fast');
($status, $h, $body) = curl_get("$base/healthz");
is($status, 503, '/healthz: 503 with the database down');
like($body, qr/"database": "unreachable"/, 'and says what failed');
$node->start;
($status) = curl_get("$base/healthz");
is($status, 200, '/healthz: 200 again once the database is back (the connection is remade)');
my (undef, $m3) = scrape();
is($m3->{pg_media_health_checks_failed_total}, 1, 'the failed check is counted');

is(stop_server($srv), 0, 'serve stops cleanly');
done_testing();
