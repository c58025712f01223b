# Issue 15 ("Speed"): pg_media serve's content-addressed cache, over real HTTP with curl.
#   - a second GET is a cache hit (the /metrics counters say so) and byte-identical, with the
#     same status and headers as the first (ETag, Cache-Control, Content-Type); If-None-Match
#     still gives 304; Range is answered from the cache with the right bytes;
#   - a file larger than a chunk is cached while it streams; a download the client gives up on
#     leaves neither an entry nor a temporary file; a Range of an uncached file fills the cache
#     in the background;
#   - eviction keeps the folder under --cache-size, least recently used first;
#   - a removed file is a 404 although its bytes are still in the folder;
#   - content whose bytes do not have the file's SHA-256 (damaged in the database) is never
#     cached: no entry, a fill failure counted, the next request a miss again;
#   - owners (setting isolation, signed URLs): the cache never answers for the database: an
#     unsigned request or another owner's signed URL for a cached file is a 404, and under
#     per-owner dedup bob's file with alice's bytes is another entry (a miss, not a hit);
#   - a cache folder open to group or others is refused; --cache-size=0 serves without one.
#   - red team (session 18): Range answers identical from the cache and the database (suffix,
#     past the end, multiple, malformed); concurrent first GETs; an entry evicted while sent; a
#     file larger than the cache; a signed private file's answers never public, and no 304/416
#     oracle of another owner's ETag; a file-size limit (a full disk) does not kill serve; a
#     SIGKILLed serve's default folder is removed by the next start; one --cache-dir per serve
#     (locked); a symlinked or world-writable --cache-dir is refused.
use strict;
use warnings;
use Time::HiRes qw(usleep);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgMediaTest;
BEGIN { unshift @INC, "$ENV{PG_MEDIA_SRC}/test/cli"; }
use CliTest;

plan skip_all => 'curl is not installed (apt-get install curl, or cli/install-deps.sh)'
  unless have_program('curl');

my $k1 = 'k1:cache-secret-0123456789abcdef';
my $node = media_node('cli_cache', conf => "media.url_signing_keys = '$k1'\nmedia.dedup = 'owner'\n");
my $tmp = PostgreSQL::Test::Utils::tempdir;
sub sql { return $node->safe_psql('postgres', $_[0]); }

# a file stored as the superuser (no owner isolation), or as an application's owner
sub put
{
	my ($bytes, $name, $owner) = @_;
	my $set = defined $owner ? "SET media.isolation = 'setting'; SET media.owner = '$owner'; " : '';
	return sql($set . "SELECT media.put('\\x" . unpack('H*', $bytes) . "'::bytea, '$name')");
}

# the /metrics counters of one server: {name => value}
sub metrics
{
	my ($base) = @_;
	my (undef, undef, $body) = curl_get("$base/metrics");
	my %m = map { /^(\w+) (\S+)$/ ? ($1 => $2) : () } split /\n/, $body;
	return \%m;
}

# the names and total size of a cache folder's files
sub folder
{
	my ($dir) = @_;
	opendir my $d, $dir or die "$dir: $!";
	my @names = grep { !/^\.\.?$/ } readdir $d;
	closedir $d;
	my $bytes = 0;
	$bytes += -s "$dir/$_" for @names;
	return (\@names, $bytes);
}

# the name of a file's entry: e-BLOB-SHA256
sub entry_of
{
	my ($id) = @_;
	return sql("SELECT 'e-' || blob_id || '-' || encode(sha256, 'hex') FROM media.files WHERE id = $id");
}

# runs serve with more arguments; returns its exit code (undef: it kept running, then was killed)
# and its stderr
sub serve_exit
{
	my ($e, $o) = ('', '');
	my $h = IPC::Run::start([ cli_path(), 'serve', '-h', $node->host, '-p', $node->port, '-d', 'postgres',
			'--listen', '127.0.0.1:0', @_ ], '>', \$o, '2>', \$e, IPC::Run::timeout(15));
	my $code = eval { $h->finish; $? >> 8 };
	$h->kill_kill unless defined $code;
	return ($code, $e);
}

my $small = PgMediaTest::gen_bytes('cache-small', 50_000);
# larger than the 4 MB a lookup reads with the headers: streamed in 1 MB chunks
my $big = PgMediaTest::gen_bytes('cache-big', 4 * 1024 * 1024 + 4321);
my $small_id = put($small, 'small.bin');
my $big_id = put($big, 'big.bin');

# --- hits, bytes, headers, Range, 304 ----------------------------------------------------------
my $dir = "$tmp/cache";
my $srv = start_server($node, $tmp, args => [ '--pool', '2', '--cache-dir', $dir, '--cache-size', '400k' ]);
my $base = $srv->{base};
is((stat $dir)[2] & 07777, 0700, 'the cache folder is made mode 700');

my $m0 = metrics($base);
my ($s1, $h1, $b1) = curl_get("$base/media/$small_id");
my ($s2, $h2, $b2) = curl_get("$base/media/$small_id");
my $m1 = metrics($base);
ok($s1 == 200 && $b1 eq $small, 'first GET: 200, the stored bytes');
ok($s2 == 200 && $b2 eq $small, 'second GET: 200, byte-identical');
is($m1->{pg_media_cache_misses_total} - $m0->{pg_media_cache_misses_total}, 1, 'the first GET was a miss');
is($m1->{pg_media_cache_hits_total} - $m0->{pg_media_cache_hits_total}, 1, 'the second GET was a hit');
is($m1->{pg_media_cache_fills_total}, 1, 'one fill');
is($m1->{pg_media_cache_bytes}, length $small, 'the cache holds the file\'s bytes');
my ($names) = folder($dir);
is_deeply($names, [ entry_of($small_id) ], 'the folder holds one entry, named by blob and SHA-256');
delete $_->{date} for $h1, $h2;
is_deeply($h2, $h1, 'a hit has the same headers as the miss (ETag, Cache-Control, Content-Type, ...)');
like($h1->{etag} // '', qr/^"[0-9a-f]{64}"$/, "the ETag: $h1->{etag}");

my ($s, $h, $b) = curl_get("$base/media/$small_id", '-H', 'Range: bytes=1000-1999');
ok($s == 206 && $b eq substr($small, 1000, 1000), 'Range from the cache: 206 with the right bytes');
is($h->{'content-range'}, 'bytes 1000-1999/50000', 'with its Content-Range');
($s, $h, $b) = curl_get("$base/media/$small_id", '-H', 'Range: bytes=49990-');
ok($s == 206 && $b eq substr($small, 49990), 'a suffix range from the cache');
($s, $h, $b) = curl_get("$base/media/$small_id", '-H', "If-None-Match: $h1->{etag}");
ok($s == 304 && $b eq '' && !defined $h->{'content-length'}, 'If-None-Match of a cached file: 304, no body');
($s, $h, $b) = curl_get("$base/media/$small_id", '-H', 'Range: bytes=60000-');
is($s, 416, 'an unsatisfiable Range of a cached file: 416');
($s, $h, $b) = curl_get("$base/media/$small_id", '-I');
ok($s == 200 && $h->{'content-length'} == 50_000, 'HEAD: 200 with the Content-Length');
my $m2 = metrics($base);
is($m2->{pg_media_cache_hits_total} - $m1->{pg_media_cache_hits_total}, 2, 'the two ranges were hits');

# --- a file of several chunks, cached while it streams; an abandoned download -------------------
my $srv_big_dir = "$tmp/cache-big";
my $srv2 = start_server($node, $tmp, args => [ '--pool', '2', '--cache-dir', $srv_big_dir, '--cache-size', '10M' ]);
# the client gives up while the server waits for the first chunk (another session holds
# media.chunks locked for three seconds): the fill has begun and cannot end whole
my ($lock_out, $lock_err) = ('', '');
my $locker = IPC::Run::start(
	[ 'psql', '-X', '-h', $node->host, '-p', $node->port, '-d', 'postgres', '-c',
	  'BEGIN; LOCK TABLE media.chunks; SELECT pg_sleep(3); COMMIT;' ],
	'>', \$lock_out, '2>', \$lock_err);
$node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM pg_locks WHERE relation = 'media.chunks'::regclass AND mode = 'AccessExclusiveLock' AND granted")
  or die 'the lock was not taken';
($s, undef, $b) = curl_get("$srv2->{base}/media/$big_id", '--max-time', '1');
ok(length($b) < length($big), 'the client gave up before the download ended (' . length($b) . ' bytes)');
my ($left) = folder($srv_big_dir);
ok(scalar(grep { /^\.fill-/ } @$left) == 1, 'meanwhile a fill is in progress');
$locker->finish;
my $tries = 0;
do { usleep(200_000); ($left) = folder($srv_big_dir); } while (@$left && ++$tries < 50);
is_deeply($left, [], 'the abandoned fill left nothing in the folder (no entry, no temporary file)');
($s, undef, $b) = curl_get("$srv2->{base}/media/$big_id");
ok($s == 200 && $b eq $big, 'a 4 MB file streamed from the database: the stored bytes');
($names) = folder($srv_big_dir);
is_deeply($names, [ entry_of($big_id) ], 'and cached while it streamed');
($s, undef, $b) = curl_get("$srv2->{base}/media/$big_id");
ok($s == 200 && $b eq $big, 'the next GET: byte-identical');
($s, $h, $b) = curl_get("$srv2->{base}/media/$big_id", '-H', 'Range: bytes=1048000-1049999');
ok($s == 206 && $b eq substr($big, 1048000, 2000), 'a range across a chunk boundary, from the cache');
my $mb = metrics($srv2->{base});
is("$mb->{pg_media_cache_hits_total} $mb->{pg_media_cache_fills_total}", '2 1',
	'two hits, one fill (the abandoned one is not a fill)');
is(stop_server($srv2), 0, 'serve stops');
ok(!-e "$srv_big_dir/" . entry_of($big_id), 'a stop removes the entries');

# a Range of an uncached file (a video player's first request) fills the cache in the background
my $srv5 = start_server($node, $tmp, args => [ '--pool', '2', '--cache-dir', $srv_big_dir ]);
($s, $h, $b) = curl_get("$srv5->{base}/media/$big_id", '-H', 'Range: bytes=3000000-3000999');
ok($s == 206 && $b eq substr($big, 3000000, 1000), 'a Range of an uncached 4 MB file: 206, from the database');
$tries = 0;
usleep(200_000) until -e "$srv_big_dir/" . entry_of($big_id) || ++$tries > 100;
ok(-e "$srv_big_dir/" . entry_of($big_id), 'the whole content was cached in the background');
($s, $h, $b) = curl_get("$srv5->{base}/media/$big_id", '-H', 'Range: bytes=4000000-');
ok($s == 206 && $b eq substr($big, 4000000), 'the next Range: the right bytes');
$mb = metrics($srv5->{base});
is("$mb->{pg_media_cache_hits_total} $mb->{pg_media_cache_fills_total}", '1 1', 'from the cache (a hit; one fill)');
is(stop_server($srv5), 0, 'serve stops');

# --- a removed file: 404 though its bytes are cached --------------------------------------------
my $gone = PgMediaTest::gen_bytes('cache-gone', 30_000);
my $gone_id = put($gone, 'gone.bin');
($s, undef, $b) = curl_get("$base/media/$gone_id");
ok($s == 200 && $b eq $gone, 'a file served (and cached)');
my $gone_entry = entry_of($gone_id);
ok(-e "$dir/$gone_entry", 'its entry is in the folder');
sql("SELECT media.remove($gone_id)");
($s) = curl_get("$base/media/$gone_id");
is($s, 404, 'removed: 404');
ok(-e "$dir/$gone_entry", 'although its bytes are still cached');

# --- content damaged in the database is not cached ----------------------------------------------
my $bad = PgMediaTest::gen_bytes('cache-bad', 40_000);
my $bad_id = put($bad, 'bad.bin');
my $bad_entry = entry_of($bad_id);
sql("UPDATE media.chunks SET data = overlay(data PLACING '\\x00'::bytea FROM 7 FOR 1)"
	  . " WHERE blob_id = (SELECT blob_id FROM media.files WHERE id = $bad_id)");
my $mc0 = metrics($base);
($s, undef, $b) = curl_get("$base/media/$bad_id");
ok($s == 200 && $b ne $bad && length($b) == length($bad), 'a damaged file is served as the database has it');
($s, undef, $b) = curl_get("$base/media/$bad_id");
my $mc1 = metrics($base);
ok(!-e "$dir/$bad_entry", 'but never cached');
is($mc1->{pg_media_cache_fill_failures_total} - $mc0->{pg_media_cache_fill_failures_total}, 2,
	'both fills failed their SHA-256 check');
is($mc1->{pg_media_cache_misses_total} - $mc0->{pg_media_cache_misses_total}, 2, 'and the second GET was a miss too');
($names) = folder($dir);
is(scalar(grep { /^\.fill-/ } @$names), 0, 'no temporary file is left');

# --- eviction under --cache-size 400k -------------------------------------------------------------
my @ids = map { put(PgMediaTest::gen_bytes("cache-evict-$_", 60_000), "e$_.bin") } 1 .. 10;
my $max_seen = 0;
for my $id (@ids)
{
	($s) = curl_get("$base/media/$id");
	my (undef, $bytes) = folder($dir);
	$max_seen = $bytes if $bytes > $max_seen;
}
my $me = metrics($base);
cmp_ok($max_seen, '<=', 400 * 1024, "the folder never grew past the cap ($max_seen bytes at most)");
cmp_ok($me->{pg_media_cache_evictions_total}, '>=', 4, "entries were evicted ($me->{pg_media_cache_evictions_total})");
my (undef, $bytes) = folder($dir);
is($me->{pg_media_cache_bytes}, $bytes, 'the bytes gauge is the folder\'s size');
ok(-e "$dir/" . entry_of($ids[-1]) && !-e "$dir/" . entry_of($ids[0]),
	'the most recent file is cached, the least recent was evicted');
# a file larger than --cache-size (4 MB under 400k): served whole from the database, never cached,
# and nothing evicted for it
($s, undef, $b) = curl_get("$base/media/$big_id");
my $me2 = metrics($base);
ok($s == 200 && $b eq $big, 'a file larger than --cache-size: 200, every byte');
is("$me2->{pg_media_cache_fills_total} $me2->{pg_media_cache_evictions_total} $me2->{pg_media_cache_entries}",
	"$me->{pg_media_cache_fills_total} $me->{pg_media_cache_evictions_total} $me->{pg_media_cache_entries}",
	'not cached, no entry evicted for it');
is(stop_server($srv), 0, 'serve stops');

# --- owners: setting isolation and signed URLs ----------------------------------------------------
create_app_role($node);
my $secret = PgMediaTest::gen_bytes('cache-secret', 20_000);
my $alice_id = put($secret, 'a.bin', 'alice');
my $bob_id = put($secret, 'b.bin', 'bob');
isnt(entry_of($alice_id), entry_of($bob_id), 'alice\'s and bob\'s equal bytes are two blobs (per-owner dedup)');
sub sign
{
	return $node->safe_psql('postgres', "SELECT media.sign_url($_[0])",
		connstr => $node->connstr('postgres') . ' user=app');
}
my $keys = "$tmp/keys";
open my $kf, '>', $keys or die $!;
print $kf "$k1\n";
close $kf;
chmod 0600, $keys;
my $odir = "$tmp/cache-owners";
my $srv3 = start_server($node, $tmp,
	args => [ '-U', 'app', '--pool', '2', '--signing-keys', $keys, '--cache-dir', $odir ]);
my $alice_url = sign("$alice_id, '1 hour', owner => 'alice'");
($s, undef, $b) = curl_get("$srv3->{base}$alice_url") for 1 .. 2;
ok($s == 200 && $b eq $secret, 'alice\'s signed URL, twice: 200');
my $mo0 = metrics($srv3->{base});
is($mo0->{pg_media_cache_hits_total}, 1, 'the second was a hit');
($s) = curl_get("$srv3->{base}/media/$alice_id");
is($s, 404, 'the cached file unsigned: 404');
($s) = curl_get("$srv3->{base}" . sign("$alice_id, '1 hour', owner => 'bob'"));
is($s, 404, 'bob\'s signed URL for alice\'s cached file: 404');
($s) = curl_get("$srv3->{base}" . ($alice_url =~ s/own=alice/own=bob/r));
is($s, 403, 'alice\'s URL with the owner altered: 403');
($s, undef, $b) = curl_get("$srv3->{base}" . sign("$bob_id, '1 hour', owner => 'bob'"));
ok($s == 200 && $b eq $secret, 'bob\'s own file with the same bytes: 200');
my $mo1 = metrics($srv3->{base});
is($mo1->{pg_media_cache_hits_total} - $mo0->{pg_media_cache_hits_total}, 0,
	'not a hit on alice\'s entry (no timing side channel between owners)');
is($mo1->{pg_media_cache_entries}, 2, 'two entries: one per blob');
# what a shared cache (a CDN) in front sees of a private file's signed answers, from the cache:
# never public, so it never hands them to another user
(undef, $h) = curl_get("$srv3->{base}$alice_url");
my $alice_etag = $h->{etag} // '';
for my $case ([ '200', [] ], [ '206', [ '-H', 'Range: bytes=-10' ] ], [ '416', [ '-H', 'Range: bytes=99999-' ] ],
	[ '304', [ '-H', "If-None-Match: $alice_etag" ] ])
{
	($s, $h) = curl_get("$srv3->{base}$alice_url", @{ $case->[1] });
	ok($s == $case->[0] && ($h->{'cache-control'} // '') =~ /^private, max-age=\d+$/,
		"a signed private file's $s from the cache: Cache-Control " . ($h->{'cache-control'} // 'none'));
}
# the ETag is the content's SHA-256: another owner must not learn whether it matches (a 304 or a
# 416 instead of a 404 would be an oracle of alice's content)
my $bob_on_alice = sign("$alice_id, '1 hour', owner => 'bob'");
for my $case ([ 'If-None-Match', [ '-H', "If-None-Match: $alice_etag" ] ], [ 'an unsatisfiable Range', [ '-H', 'Range: bytes=99999-' ] ])
{
	($s, $h) = curl_get("$srv3->{base}$bob_on_alice", @{ $case->[1] });
	ok($s == 404 && ($h->{'cache-control'} // '') eq 'no-store', "bob's signed URL for alice's cached file with $case->[0]: $s, no-store");
}
is(stop_server($srv3), 0, 'serve stops');

# --- the folder's mode; no cache ----------------------------------------------------------------
mkdir "$tmp/open" or die $!;
chmod 0755, "$tmp/open";
my ($code, $err) = serve_exit('--cache-dir', "$tmp/open");
ok(defined $code && $code != 0, 'a cache folder open to others: serve refuses to start');
like($err, qr/mode 0755; run chmod 700/, 'and says why');
# a shared folder (sticky, writable by all: /tmp): chmod 700 on it is not the fix to suggest
mkdir "$tmp/shared" or die $!;
chmod 01777, "$tmp/shared";
($code, $err) = serve_exit('--cache-dir', "$tmp/shared");
ok(defined $code && $code != 0, 'a shared cache folder (mode 1777): serve refuses to start');
ok($err =~ /mode 1777; it is shared or another user's: give a folder of its own/ && $err !~ /chmod 700/,
	'and asks for a folder of its own rather than chmod 700 on a shared one');
my $srv4 = start_server($node, $tmp, args => [ '--cache-size', '0' ]);
($s, undef, $b) = curl_get("$srv4->{base}/media/$small_id") for 1 .. 2;
ok($s == 200 && $b eq $small, '--cache-size=0: served from the database');
my $mn = metrics($srv4->{base});
is("$mn->{pg_media_cache_hits_total} $mn->{pg_media_cache_capacity_bytes}", '0 0', 'no cache: no hits, capacity 0');
is(stop_server($srv4), 0, 'serve stops');


# --- red team (session 18): what a shared cache (a CDN), a crash and an ops team meet ------------
sub slurp { open my $f, '<:raw', $_[0] or return ''; local $/; my $d = <$f>; return $d // ''; }

# Range answers: from the cache and from the database (--cache-size 0), the same status, headers
# and bytes, for suffix ranges, ranges past the end, multiple ranges, malformed ones
my $rc_dir = "$tmp/cache-ranges";
my $rc = start_server($node, $tmp, args => [ '--pool', '2', '--cache-dir', $rc_dir, '--cache-size', '5M' ]);
my $rd = start_server($node, $tmp, args => [ '--pool', '2', '--cache-size', '0' ]);
curl_get("$rc->{base}/media/$small_id");
for my $range ('bytes=0-0', 'bytes=-100', 'bytes=-60000', 'bytes=49900-60000', 'bytes=60000-',
	'bytes=0-1,5-6', 'bytes=-0', 'bytes=5-2', 'bytes=49999-49999', 'items=0-5', 'bytes=00-01')
{
	my ($cs, $ch, $cb) = curl_get("$rc->{base}/media/$small_id", '-H', "Range: $range");
	my ($ds, $dh, $db) = curl_get("$rd->{base}/media/$small_id", '-H', "Range: $range");
	delete $_->{date} for $ch, $dh;
	ok($cs == $ds && $cb eq $db, "Range $range: $cs, the same bytes from the cache and the database");
	is_deeply($ch, $dh, "Range $range: the same headers");
}
my $mr = metrics($rc->{base});
cmp_ok($mr->{pg_media_cache_hits_total}, '>=', 5, "the cache answered the satisfiable ranges ($mr->{pg_media_cache_hits_total} hits)");
is(stop_server($rd), 0, 'the server without a cache stops');

# two first requests for the same 4 MB file at once: one fills, both get every byte
my @par;
for my $n (1 .. 2)
{
	my ($o, $e) = ('', '');
	push @par, IPC::Run::start([ 'curl', '-sS', '--noproxy', '*', '-o', "$tmp/par$n", "$rc->{base}/media/$big_id" ],
		'>', \$o, '2>', \$e);
}
$_->finish for @par;
ok(slurp("$tmp/par1") eq $big && slurp("$tmp/par2") eq $big, 'two concurrent first GETs of a 4 MB file: both byte-identical');
$mr = metrics($rc->{base});
is($mr->{pg_media_cache_fills_total}, 2, 'one fill of it (and the small file\'s)');
ok(-e "$rc_dir/" . entry_of($big_id), 'the file is cached');
($names) = folder($rc_dir);
is(scalar(grep { /^\.fill-/ } @$names), 0, 'no temporary file is left');

# an entry evicted while a slow client reads it is still sent whole
my ($slow_out, $slow_err) = ('', '');
my $slow = IPC::Run::start([ 'curl', '-sS', '--noproxy', '*', '--limit-rate', '2M', '-o', "$tmp/slow",
		"$rc->{base}/media/$big_id" ], '>', \$slow_out, '2>', \$slow_err);
usleep(300_000);
my $pusher_id = put(PgMediaTest::gen_bytes('cache-pusher', 1_200_000), 'pusher.bin');
($s, undef, $b) = curl_get("$rc->{base}/media/$pusher_id");
ok(!-e "$rc_dir/" . entry_of($big_id), 'meanwhile a 1.2 MB file evicted it');
$slow->finish;
ok(slurp("$tmp/slow") eq $big, 'the slow client of the evicted entry got every byte');
is(stop_server($rc), 0, 'serve stops');

# a crash (SIGKILL) with the default folder under $TMPDIR: the next start removes what it left
my $tdir = "$tmp/tmpdir";
mkdir $tdir or die $!;
my $k1s = start_server($node, $tmp, args => [ '--pool', '1' ], env => { TMPDIR => $tdir });
curl_get("$k1s->{base}/media/$small_id");
my @priv = glob("$tdir/pg_media-cache.*");
ok(@priv == 1 && -e "$priv[0]/" . entry_of($small_id), 'the default folder under $TMPDIR holds the entry');
stop_server($k1s, 'KILL');
ok(-e "$priv[0]/" . entry_of($small_id), 'a SIGKILL leaves it on disk');
utime(time - 3600, time - 3600, $priv[0]);
my $k2s = start_server($node, $tmp, args => [ '--pool', '1' ], env => { TMPDIR => $tdir });
ok(!-e $priv[0], 'the next start removes the folder the killed serve left (private bytes)');
my @live = glob("$tdir/pg_media-cache.*");
is(scalar @live, 1, 'only the running serve\'s folder remains');
utime(time - 3600, time - 3600, $live[0]);
my $k3s = start_server($node, $tmp, args => [ '--pool', '1' ], env => { TMPDIR => $tdir });
ok(-d $live[0], 'another serve\'s start leaves a running serve\'s folder alone');
is(stop_server($k3s) + stop_server($k2s), 0, 'both stop');
is_deeply([ glob("$tdir/pg_media-cache.*") ], [], 'and remove their folders');

# one --cache-dir, two serves: the second refuses (it would empty the first's entries)
my $shared = "$tmp/cache-shared";
my $sh1 = start_server($node, $tmp, args => [ '--pool', '1', '--cache-dir', $shared ]);
curl_get("$sh1->{base}/media/$small_id");
($code, $err) = serve_exit('--cache-dir', $shared);
ok(defined $code && $code != 0, 'a second serve on the same --cache-dir refuses to start');
like($err, qr/in use by another pg_media serve/, 'and says why');
ok(-e "$shared/" . entry_of($small_id), 'the first serve\'s entry is untouched');
stop_server($sh1, 'KILL');
open my $partial, '>', "$shared/.fill-1-2-3" or die $!;	# a fill the kill cut short
close $partial;
my $sh2 = start_server($node, $tmp, args => [ '--pool', '1', '--cache-dir', $shared ]);
ok(!-e "$shared/" . entry_of($small_id) && !-e "$shared/.fill-1-2-3",
	'after a SIGKILL the next start empties the folder (entries and unfinished fills)');
is(stop_server($sh2), 0, 'serve stops');

# a --cache-dir that is a symbolic link is refused
mkdir "$tmp/real-cache", 0700 or die $!;
symlink "$tmp/real-cache", "$tmp/link-cache" or die $!;
($code, $err) = serve_exit('--cache-dir', "$tmp/link-cache");
ok(defined $code && $code != 0, 'a --cache-dir that is a symbolic link: serve refuses to start');
like($err, qr/cannot open the cache folder/, "and says why");
# a file-size limit (systemd's LimitFSIZE=, ulimit -f) below a file's size: the fill's write fails
# as on a full disk; the client still gets every byte, the fill is discarded, serve lives on
my $fport = PostgreSQL::Test::Cluster::get_free_port();
my ($fout, $ferr) = ('', '');
my $fsrv = IPC::Run::start([ 'sh', '-c', 'ulimit -f 64 && exec "$0" "$@"', cli_path(), 'serve', '-h', $node->host,
		'-p', $node->port, '-d', 'postgres', '--listen', "127.0.0.1:$fport", '--cache-dir', "$tmp/cache-fsize" ],
	'<', \undef, '>', \$fout, '2>', \$ferr, IPC::Run::timeout(120));
for (1 .. 200) { $fsrv->pump_nb; last if $ferr =~ /listening on/ || !$fsrv->pumpable; usleep(50_000); }
my $fbytes = PgMediaTest::gen_bytes('cache-fsize', 200_000);
my $fid = put($fbytes, 'fsize.bin');
($s, undef, $b) = curl_get("http://127.0.0.1:$fport/media/$fid");
ok($s == 200 && $b eq $fbytes, 'a fill past the file-size limit (a full disk): the client gets every byte');
my $mf = metrics("http://127.0.0.1:$fport");
is($mf->{pg_media_cache_fill_failures_total} // 'serve is gone', 1, 'the fill failed and was counted');
($names) = folder("$tmp/cache-fsize");
is_deeply($names, [], 'and left nothing in the folder');
$fsrv->signal('TERM');
eval { $fsrv->finish; };
is($?, 0, 'serve stops normally (SIGXFSZ did not kill it)');

# another user's world-writable folder (/tmp: root's, mode 1777)
($code, $err) = serve_exit('--cache-dir', '/tmp');
ok(defined $code && $code != 0 && $err =~ /must belong to this user/, '--cache-dir /tmp (root\'s, mode 1777): refused');

is_deeply([ PgMediaTest::server_problems($node) ], [], 'the server log shows no crash');
done_testing();
