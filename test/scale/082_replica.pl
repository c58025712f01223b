# Reads from a streaming replica: pg_media serve with --read-dbname (a
# multi-host string, target_session_attrs=prefer-standby) serves GET/HEAD,
# transforms and thumbnails from the standby and stores uploads on the
# primary (-d).  Shown here:
#   - every file is served byte-identical, by the standby's sessions (its
#     pg_stat_activity), none by the primary's;
#   - a transform is computed on the standby and cached nowhere (the same box
#     is cached by a writable primary, not by a read-only transaction there);
#   - the lag rule: a file the standby has not replayed (replay paused) is
#     asked again of the primary and served; with the primary down it is 404
#     until the standby has replayed it, then 200;
#   - the primary down: reads keep working (same bytes), uploads get 503,
#     /healthz says "degraded" with 200;
#   - the standby down: the read pool reconnects to the primary (prefer-standby
#     falls back to any host) and reads keep working.
use strict;
use warnings;
use Digest::SHA qw(sha256_hex);
use Time::HiRes qw(time);
use IPC::Run ();
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgMediaTest qw(:DEFAULT sql_gen_bytes);
BEGIN { unshift @INC, "$ENV{PG_MEDIA_SRC}/test/cli"; }
use CliTest;

plan skip_all => 'curl is not installed (apt-get install curl)' unless have_program('curl');

my $t0 = time;
my $primary = media_node('rp_primary', allows_streaming => 1);
my $fx = store_fixture($primary, corpus => 6);
my %want = map { $_->{id} => $_->{sha256} } @{ $fx->{files} };
# larger than what serve reads with the headers (4 MiB): streamed in chunks from the standby
my $big = $primary->safe_psql('postgres',
	'SELECT media.put(' . sql_gen_bytes('rp-big', 5_000_000) . ", 'big.bin')");
$want{$big} = sha256_hex(gen_bytes('rp-big', 5_000_000));
my $png = make_png(200, 150, 200, 40, 40);
my $img = $primary->safe_psql('postgres',
	"SELECT media.put('\\x" . unpack('H*', $png) . "'::bytea, 'red.png')");
$want{$img} = sha256_hex($png);

$primary->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('rp_standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->start;
$primary->wait_for_catchup($standby, 'replay');
note sprintf('%d files stored, standby streaming after %.1f s', scalar keys %want, time - $t0);

my $tmp = PostgreSQL::Test::Utils::tempdir;
my $token = 'replica-token-0123456789';
my $read_dbname = sprintf(
	'host=%s,%s port=%d,%d dbname=postgres target_session_attrs=prefer-standby connect_timeout=5'
	  . ' application_name=rp_reads',
	$standby->host, $primary->host, $standby->port, $primary->port);
my $srv = start_server($primary, $tmp,
	args => [ '--pool', '2', '--read-pool', '3', '--read-dbname', $read_dbname ],
	env => { PG_MEDIA_UPLOAD_TOKEN => $token });
my $base = $srv->{base};

# GETs every file; the ids whose answer is not 200 with the stored bytes
sub wrong_answers
{
	my @bad;
	for my $id (sort { $a <=> $b } keys %want)
	{
		my ($status, undef, $body) = curl_get("$base/media/$id");
		push @bad, "$id: $status" unless $status == 200 && sha256_hex($body) eq $want{$id};
	}
	return \@bad;
}

# a counter of /metrics (0 when absent)
sub metric
{
	my ($name) = @_;
	my (undef, undef, $body) = curl_get("$base/metrics");
	return $body =~ /^\Q$name\E (\S+)$/m ? $1 : 0;
}

# the read retries of every outcome
sub retries
{
	my (undef, undef, $body) = curl_get("$base/metrics");
	my $n = 0;
	$n += $1 while $body =~ /^pg_media_read_retries_total\{[^}]*\} (\d+)$/mg;
	return $n;
}

# uploads a file through serve (POST /media); returns (status, new id)
sub upload
{
	my ($name, $bytes) = @_;
	my $path = "$tmp/$name";
	die "$path exists" if -e $path;
	PostgreSQL::Test::Utils::append_to_file($path, $bytes);
	my ($status, undef, $body) = curl_get("$base/media", '-H', "Authorization: Bearer $token",
		'-H', "X-File-Name: $name", '-H', 'Content-Type: application/octet-stream',
		'--data-binary', "\@$path");
	return ($status, $body =~ /"id": (\d+)/ ? $1 : undef);
}

my $reads_sql = q{SELECT count(*) FROM pg_stat_activity
  WHERE application_name = 'rp_reads'};
my $file_reads_sql = $reads_sql
  . q{ AND (query LIKE '%media.serve_lookup(%' OR query LIKE '%media.http(%' OR query LIKE '%media.read(%')};

# --- reads go to the standby ---
my ($status, $h, $body) = curl_get("$base/healthz");
is($status, 200, '/healthz: 200 with both pools up');
like($body, qr/"status": "ok".*"read_database": "ok", "read_pool": \{"size": 3, "busy": \d, "standby": true\}/,
	'/healthz reports both pools, the read pool on a standby');
is($standby->safe_psql('postgres', $reads_sql), 3, 'the read pool\'s 3 connections are on the standby');
is($primary->safe_psql('postgres', $reads_sql), 0, 'none on the primary');
is_deeply(wrong_answers(), [], scalar(keys %want) . ' files served byte-identical (one of 5 MB, streamed)');
cmp_ok($standby->safe_psql('postgres', $file_reads_sql), '>=', 1,
	'they were read on the standby (its read-pool sessions ran media.serve_lookup()/media.read())');
is($primary->safe_psql('postgres',
	q{SELECT count(*) FROM pg_stat_activity WHERE (query LIKE '%media.serve_lookup(%' OR query LIKE '%media.http(%')}
	  . q{ AND pid <> pg_backend_pid()}),
	0, 'no session of the primary ran media.serve_lookup() or media.http()');
($status, $h) = curl_get("$base/media/$big", '-I');
is($status, 200, 'HEAD from the standby: 200');
is($h->{'content-length'}, 5_000_000, 'with the Content-Length');

# --- transforms on the standby: computed, cached nowhere ---
my $derivatives = 'SELECT count(*) FROM media.derivatives';
is($primary->safe_psql('postgres', $derivatives), 0, 'no derivative is cached yet');
my ($t_status, $t_h, $transform) = curl_get("$base/media/$img/w_64,h_64");
is($t_status, 200, 'a transform (w_64,h_64, a media.thumbnail_sizes box) from the standby: 200');
like($t_h->{'content-type'} // '', qr{^image/}, 'an image');
my (undef, undef, $again) = curl_get("$base/media/$img/w_64,h_64");
is($again, $transform, 'asked again: computed again, the same bytes');
($status, $h) = curl_get("$base/media/$img/thumbnail?w=64&h=64");
is($status, 200, 'a thumbnail (/thumbnail?w=64&h=64) from the standby: 200');
is(metric('pg_media_http_requests_total{code="500"}'), 0, 'no request failed (no write on the standby was tried)');
is($standby->safe_psql('postgres', $derivatives), 0, 'the standby cached nothing');
is($primary->safe_psql('postgres', $derivatives), 0, 'nor did the primary (it was not asked)');
my ($rc, $out, $err) = psql_ok($primary, 'postgres',
	"SET default_transaction_read_only = on; SELECT length(media.thumbnail($img, 64, 64)) > 0");
is("$rc $out", '0 t', 'on the primary, a read-only transaction computes the same box') or diag($err);
is($primary->safe_psql('postgres', $derivatives), 0, 'without caching it');
$primary->safe_psql('postgres', "SELECT media.thumbnail($img, 64, 64)");
is($primary->safe_psql('postgres', $derivatives), 1, 'a writable transaction caches it (so the box is a cached one)');
$primary->safe_psql('postgres', 'DELETE FROM media.derivatives');

# --- the lag rule: a 404 of the standby is asked again of the primary ---
$primary->wait_for_catchup($standby, 'replay');
$standby->safe_psql('postgres', 'SELECT pg_wal_replay_pause()');
$standby->poll_query_until('postgres', q{SELECT pg_get_wal_replay_pause_state() = 'paused'})
  or die 'replay did not pause';
my $fresh_bytes = make_png(120, 90, 20, 160, 60);
my ($up_status, $fresh) = upload('fresh.png', $fresh_bytes);
is($up_status, 201, 'an upload (on the primary) while the standby\'s replay is paused: 201');
is($standby->safe_psql('postgres', "SELECT status FROM media.http($fresh)"), 404,
	'the standby has not replayed it: its media.http() says 404');
my $t = time;
($status, undef, $body) = curl_get("$base/media/$fresh");
my $retried_ms = 1000 * (time - $t);
is($status, 200, 'GET of the file: 200, the standby\'s 404 retried on the primary');
is(sha256_hex($body), sha256_hex($fresh_bytes), 'with its bytes');
is(metric('pg_media_read_retries_total{outcome="found"}'), 1, 'counted: one retry found the file');
($status, $h) = curl_get("$base/media/$fresh/w_64,h_64");
is($status, 200, 'a transform of it: 200, retried on the primary too');
like($h->{'content-type'} // '', qr{^image/}, 'an image');
is(metric('pg_media_read_retries_total{outcome="found"}'), 2, 'counted: two retries found the file');
my $primary_cached = $primary->safe_psql('postgres', $derivatives);
is($primary_cached, 1, 'the writable primary cached that transform');

# what the retry costs: 20 GETs of the unreplayed file, interleaved with 20 of a
# replayed one of similar size, on one keep-alive connection (medians, for the docs)
{
	my ($times, $curl_err) = ('', '');
	IPC::Run::run([ 'curl', '-sS', '--noproxy', '*', '-w', '%{time_total}\n',
			map { ('-o', '/dev/null', "$base/media/$fresh", '-o', '/dev/null', "$base/media/$img") } 1 .. 20 ],
		'>', \$times, '2>', \$curl_err, IPC::Run::timeout(120));
	my @t = split /\n/, $times;
	my $median = sub { my @s = sort { $a <=> $b } @_; 1000 * $s[ int(@s / 2) ] };
	note sprintf('GET latency, median of 20: %.2f ms retried on the primary, %.2f ms from the standby'
		  . ' (first GET with the retry: %.1f ms, curl start included)',
		$median->(@t[ grep { $_ % 2 == 0 } 0 .. $#t ]), $median->(@t[ grep { $_ % 2 } 0 .. $#t ]),
		$retried_ms);
}
($status) = curl_get("$base/media/987654321");
is($status, 404, 'an id neither has: 404');
is(metric('pg_media_read_retries_total{outcome="not_found"}'), 1, 'after one retry that found nothing');

# the primary goes down before the standby has replayed a new file
my $late_bytes = gen_bytes('rp-late', 100_000);
my $late;
($up_status, $late) = upload('late.bin', $late_bytes);
is($up_status, 201, 'another upload while replay is paused: 201');
$primary->wait_for_catchup($standby, 'flush');    # received, not replayed
$primary->stop('fast');
($status) = curl_get("$base/media/$late");
is($status, 404, 'the primary down and the file not replayed: 404 (the documented lag)');
is(metric('pg_media_read_retries_total{outcome="primary_unavailable"}'), 1,
	'counted as a retry the primary could not answer');
$t = time;
$standby->safe_psql('postgres', 'SELECT pg_wal_replay_resume()');
$standby->poll_query_until('postgres', "SELECT status = 200 FROM media.http($late)")
  or die 'the standby did not replay the file';
note sprintf('the standby replayed it %.2f s after replay resumed', time - $t);
($status, undef, $body) = curl_get("$base/media/$late");
is($status, 200, 'once the standby has replayed it: 200');
is(sha256_hex($body), sha256_hex($late_bytes), 'with its bytes');
$want{$fresh} = sha256_hex($fresh_bytes);
$want{$late} = sha256_hex($late_bytes);

# --- the primary down: reads keep working, writes fail cleanly ---
is_deeply(wrong_answers(), [], 'the primary down: all ' . scalar(keys %want) . ' files still served byte-identical');
(undef, undef, $again) = curl_get("$base/media/$img/w_64,h_64");
is($again, $transform, 'and the transform, the same bytes');
($up_status) = upload('refused.bin', 'x' x 1000);
is($up_status, 503, 'an upload: 503');
($status) = curl_get("$base/uploads/", '-X', 'POST', '-H', "Authorization: Bearer $token",
	'-H', 'Tus-Resumable: 1.0.0', '-H', 'Upload-Length: 5');
is($status, 503, 'a tus upload creation: 503');
($status, undef, $body) = curl_get("$base/healthz");
is($status, 200, '/healthz: 200 (files are served)');
like($body, qr/"status": "degraded", "database": "unreachable".*"read_database": "ok"/,
	'and "degraded": the primary is unreachable');
is($standby->safe_psql('postgres', $derivatives), $primary_cached,
	'the standby holds only the derivative the primary cached (replayed): it computed its own without caching');

# --- the primary back, the standby down: the read pool moves to the primary ---
$primary->start;
($up_status, my $after) = upload('after.bin', gen_bytes('rp-after', 70_000));
is($up_status, 201, 'the primary back: uploads work again');
$want{$after} = sha256_hex(gen_bytes('rp-after', 70_000));
$primary->wait_for_catchup($standby, 'replay');
$standby->stop('fast');
is_deeply(wrong_answers(), [], 'the standby down: every file served, the read pool reconnected to the primary');
cmp_ok($primary->safe_psql('postgres', $reads_sql), '>=', 1, 'the read pool\'s sessions are on the primary now');
my $retries_before = retries();
($status) = curl_get("$base/media/987654321");
is($status, 404, 'a missing id: 404');
is(retries(), $retries_before, 'without a retry (the read pool is on the primary already)');
(undef, undef, $again) = curl_get("$base/media/$img/w_64,h_64");
is($again, $transform, 'the transform made by the primary: the same bytes as the standby made');
($status, undef, $body) = curl_get("$base/healthz");
is($status, 200, '/healthz: 200');
like($body, qr/"status": "ok".*"read_pool": \{"size": 3, "busy": \d, "standby": false\}/,
	'the read pool is on a server that is not a standby');

is(stop_server($srv), 0, 'serve stops cleanly');
note sprintf('082_replica: %.1f s', time - $t0);
done_testing();
