# pg_media serve over real HTTP with curl: every status (200, 206 for the
# three range forms, 304, 404, 405, 416, 501, HEAD), bodies byte-identical
# whether read with the headers or streamed in chunks, parallel requests on
# a pool smaller than the clients, the access log, the authenticated upload,
# and a graceful shutdown that lets a slow download finish.
use strict;
use warnings;
use Time::HiRes qw(usleep);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
BEGIN { unshift @INC, "$ENV{PG_MEDIA_SRC}/test/cli"; }
use CliTest;

plan skip_all => 'curl is not installed (apt-get install curl, or cli/install-deps.sh)'
  unless have_program('curl');

my $node = PostgreSQL::Test::Cluster->new('cli_serve');
$node->init;
$node->append_conf('postgresql.conf', "media.chunk_size = '256kB'\nshared_preload_libraries = 'pg_media'\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION pg_media');
my $tmp = PostgreSQL::Test::Utils::tempdir;

sub sql { return $node->safe_psql('postgres', $_[0]); }

# bytes that look random
sub noise
{
	my ($len, $seed) = @_;
	my $s = $seed;
	my $out = '';
	while (length $out < $len)
	{
		$s = ($s * 1103515245 + 12345) % 4294967296;
		$out .= pack('N', $s ^ ($s >> 7));
	}
	return substr($out, 0, $len);
}

sub write_file
{
	my ($path, $bytes) = @_;
	open my $fh, '>:raw', $path or die "$path: $!";
	print $fh $bytes;
	close $fh;
}

# the files: a small image (body read with the headers) and a 6 MB file
# (streamed in chunks of media.chunk_size, 256 kB here)
my $png = make_png(40, 30, 10, 120, 240);
my $big = noise(6 * 1024 * 1024 + 777, 11);
mkdir "$tmp/files";
write_file("$tmp/files/small.png", $png);
write_file("$tmp/files/big.bin", $big);
# for the graceful shutdown: large enough to outlast the sockets' buffers at 3 MB/s
mkdir "$tmp/slow";
write_file("$tmp/slow/huge.bin", $big x 3);
my ($rc, $out, $err) = run_cli($node, [ 'import', '--map-table', 'public.served', "$tmp/files" ]);
is($rc, 0, 'the files are imported') or diag($err);
my $img = sql(q{SELECT file_id FROM served WHERE path LIKE '%/small.png'});
my $bin = sql(q{SELECT file_id FROM served WHERE path LIKE '%/big.bin'});
($rc, $out, $err) = run_cli($node, [ 'import', '--map-table', 'public.served', "$tmp/slow" ]);
my $huge = sql(q{SELECT file_id FROM served WHERE path LIKE '%/huge.bin'});
my $etag = sql(qq{SELECT etag FROM media.files WHERE id = $img});
my $big_etag = sql(qq{SELECT etag FROM media.files WHERE id = $bin});

my $srv = start_server($node, $tmp, args => [ '--pool', '2' ]);
my $base = $srv->{base};

# --- 200 ---
my ($status, $h, $body) = curl_get("$base/media/$img");
is($status, 200, 'GET /media/{id}: 200');
ok($body eq $png, 'the body is the stored file');
is($h->{'content-type'}, 'image/png', 'Content-Type from the bytes');
is($h->{etag}, $etag, 'ETag');
is($h->{'cache-control'}, 'private, no-cache', 'Cache-Control: a file is private until made public');
is($h->{'x-content-type-options'}, 'nosniff', 'nosniff');
is($h->{'accept-ranges'}, 'bytes', 'Accept-Ranges');
is($h->{'content-length'}, length($png), 'Content-Length');

($status, $h, $body) = curl_get("$base/media/$bin");
is($status, 200, 'a large file: 200');
ok($body eq $big, 'a large file is streamed whole and byte-identical');
is($h->{'content-length'}, length($big), 'with its Content-Length');

# --- 206: bytes=a-b, a-, -n; across chunk boundaries ---
($status, $h, $body) = curl_get("$base/media/$img", '-H', 'Range: bytes=0-9');
is($status, 206, 'Range bytes=0-9: 206');
is($body, substr($png, 0, 10), 'the first ten bytes');
is($h->{'content-range'}, 'bytes 0-9/' . length($png), 'Content-Range');
($status, $h, $body) = curl_get("$base/media/$bin", '-H', 'Range: bytes=262000-1048700');
is($status, 206, 'a range across chunk boundaries: 206');
ok($body eq substr($big, 262000, 1048700 - 262000 + 1), 'the bytes of the range');
($status, $h, $body) = curl_get("$base/media/$bin", '-H', 'Range: bytes=1000000-');
is($status, 206, 'Range bytes=a-: 206');
ok($body eq substr($big, 1000000), 'from a to the end (streamed)');
is($h->{'content-range'}, 'bytes 1000000-' . (length($big) - 1) . '/' . length($big), 'its Content-Range');
($status, $h, $body) = curl_get("$base/media/$bin", '-H', 'Range: bytes=-500');
is($status, 206, 'Range bytes=-n: 206');
ok($body eq substr($big, -500), 'the last n bytes');

# --- 304 ---
($status, $h, $body) = curl_get("$base/media/$img", '-H', "If-None-Match: $etag");
is($status, 304, 'If-None-Match with the ETag: 304');
is($body, '', 'no body');
is($h->{etag}, $etag, 'the 304 has the ETag');
is($h->{'cache-control'}, 'private, no-cache', 'and the same caching rule as the 200');
isnt($h->{'content-length'} // '', '0', 'and no "Content-Length: 0"');
($status, $h, $body) = curl_get("$base/media/$img", '-H', "If-None-Match: \"x\", W/$etag");
is($status, 304, 'a weak ETag in a list matches too');
($status, $h, $body) = curl_get("$base/media/$img", '-H', 'If-None-Match: "other"');
is($status, 200, 'another ETag: 200');

# --- 404, 405, 416, 501 ---
($status, $h, $body) = curl_get("$base/media/987654321");
is($status, 404, 'an unknown id: 404');
is($h->{'cache-control'}, 'no-store', 'a 404 is not cached');
($status) = curl_get("$base/media/abc");
is($status, 404, 'a non-numeric id: 404');
($status) = curl_get("$base/media/99999999999999999999999");
is($status, 404, 'an id beyond bigint: 404');
($status) = curl_get("$base/elsewhere");
is($status, 404, 'another path: 404');
($status, $h) = curl_get("$base/media/$img", '-X', 'DELETE');
is($status, 405, 'DELETE: 405');
is($h->{allow}, 'GET, HEAD', 'with Allow');
($status, $h, $body) = curl_get("$base/media/$img", '-H', 'Range: bytes=999999-');
is($status, 416, 'a range past the end: 416');
is($h->{'content-range'}, 'bytes */' . length($png), 'with Content-Range bytes */size');
($status, $h, $body) = curl_get("$base/media/$img/thumbnail?w=16&h=16");
is($status, 200, 'thumbnail route: 200');
is($h->{'content-type'}, 'image/jpeg', 'the thumbnail is a JPEG');
is(substr($body, 0, 2), "\xff\xd8", 'and its body is one');
my $thumb_etag = $h->{etag};
ok(defined $thumb_etag && $thumb_etag ne $etag, 'with an ETag of its own');
is($h->{'cache-control'}, 'private, no-cache', 'the thumbnail of a private file is private');
($status, $h) = curl_get("$base/media/$img/thumbnail?w=16&h=16", '-H', "If-None-Match: $thumb_etag");
is($status, 304, 'and revalidated: 304');
is($h->{'cache-control'}, 'private, no-cache', 'its 304 too');

# --- a public file: every answer about it may be cached anywhere ---
is(sql("SELECT media.set_public($img, true)"), 't', 'media.set_public() makes the image public');
($status, $h) = curl_get("$base/media/$img");
is($h->{'cache-control'}, 'public, max-age=31536000, immutable', 'a public file: 200 public, immutable');
($status, $h) = curl_get("$base/media/$img", '-H', 'Range: bytes=0-9');
is("$status $h->{'cache-control'}", '206 public, max-age=31536000, immutable', 'its 206 too');
($status, $h) = curl_get("$base/media/$img", '-H', "If-None-Match: $etag");
is("$status $h->{'cache-control'}", '304 public, max-age=31536000, immutable', 'its 304 too');
($status, $h) = curl_get("$base/media/$img", '-I');
is("$status $h->{'cache-control'}", '200 public, max-age=31536000, immutable', 'its HEAD too');
($status, $h) = curl_get("$base/media/$img/thumbnail?w=16&h=16");
is("$status $h->{'cache-control'}", '200 public, max-age=31536000, immutable',
	'and its thumbnail follows it');
($status, $h) = curl_get("$base/media/$img/thumbnail?w=16&h=16", '-H', "If-None-Match: $thumb_etag");
is("$status $h->{'cache-control'}", '304 public, max-age=31536000, immutable', 'the thumbnail\'s 304 too');
is(sql("SELECT media.set_public($img, false)"), 't', 'and private again');
($status, $h) = curl_get("$base/media/$img/thumbnail?w=16&h=16");
is($h->{'cache-control'}, 'private, no-cache', 'its thumbnail is private again');
($status, $h) = curl_get("$base/media/$img", '-H', 'Range: bytes=999999-');
is("$status $h->{'cache-control'}", '416 private, no-cache', 'a 416 follows the file too');
($status, $h, $body) = curl_get("$base/media/$img/thumbnail?w=16&h=16&format=png");
ok($status == 200 || $status == 400, 'a format parameter is answered (' . $status . ')');
($status) = curl_get("$base/media/$img/thumbnail?w=0&h=x");
is($status, 400, 'thumbnail with a bad size: 400');

# --- HEAD ---
($status, $h, $body) = curl_get("$base/media/$bin", '-I');
is($status, 200, 'HEAD: 200');
is($h->{'content-length'}, length($big), 'HEAD has the full Content-Length');
# (curl -I saves the headers as the body: no file bytes may follow them)
ok(length($body) < 1000 && $body !~ /\r\n\r\n./s, 'HEAD has no body');
($status, $h) = curl_get("$base/media/$bin", '-I', '-H', 'Range: bytes=10-19');
is($status, 206, 'HEAD with a range: 206');
is($h->{'content-length'}, 10, 'with the range\'s length');

# --- parallel requests, more than the pool's connections ---
my @args;
for my $i (1 .. 6)
{
	push @args, '-o', "$tmp/par$i.bin", "$base/media/$bin";
}
IPC::Run::run([ 'curl', '-sS', '--noproxy', '*', '-Z', '--parallel-max', '6', @args ],
	'>', \my $pout, '2>', \my $perr, IPC::Run::timeout(120));
my $ok = 0;
for my $i (1 .. 6)
{
	open my $fh, '<:raw', "$tmp/par$i.bin" or next;
	local $/;
	$ok++ if <$fh> eq $big;
}
is($ok, 6, 'six parallel downloads through a pool of two connections are all complete');

# --- the access log ---
usleep(100_000);
my $log = slurp_file($srv->{log});
like($log, qr/^\S+Z 127\.0\.0\.1 GET \/media\/$img "bytes=0-9" 206 10 [\d.]+ms$/m,
	'the access log has time, client, method, path, Range, status and bytes');
like($log, qr/ HEAD \/media\/$bin "-" 200 0 /, 'HEAD requests are logged with 0 body bytes');
like($log, qr/ GET \/media\/987654321 "-" 404 /, '404s are logged');
my $lines = () = $log =~ /\n/g;
ok($lines >= 20, "one line per request ($lines)");

# --- graceful shutdown: a slow download in flight finishes ---
my ($slow_out, $slow_err) = ('', '');
my $slow = IPC::Run::start([ 'curl', '-sS', '--noproxy', '*', '--limit-rate', '3M', '-o', "$tmp/slow.bin",
		'-w', '%{http_code}', "$base/media/$huge" ], '>', \$slow_out, '2>', \$slow_err,
	IPC::Run::timeout(60));
my $seen = 0;
for (1 .. 100)
{
	usleep(50_000);
	$seen = 1, last if -s "$tmp/slow.bin";
}
ok($seen, 'the slow download has started');
$srv->{h}->signal('TERM');
usleep(300_000);
($status) = curl_get("$base/media/$img", '--max-time', '2');
isnt($status, 200, 'no new request is served once shutting down');
$slow->finish;
is($slow_out, '200', 'the download in flight completed with 200');
ok(-s "$tmp/slow.bin" == 3 * length($big) && slurp_file("$tmp/slow.bin") eq $big x 3, 'and is whole');
$srv->{h}->finish;
is($? >> 8, 0, 'the server exits 0 after SIGTERM');
like(${ $srv->{err} }, qr/SIGTERM received, finishing 1 request\(s\) in flight.*stopped/s,
	'it waited for the request in flight');

# --- authenticated upload ---
my $token = 'test-token-0123456789abcdef';
$srv = start_server($node, $tmp, env => { PG_MEDIA_UPLOAD_TOKEN => $token });
$base = $srv->{base};
($status, $h, $body) = curl_get("$base/media", '--data-binary', "\@$tmp/files/small.png");
is($status, 401, 'an upload without the token: 401');
is($h->{'www-authenticate'}, 'Bearer', 'with WWW-Authenticate');
($status) = curl_get("$base/media", '-H', 'Authorization: Bearer wrong-token-0123456789',
	'--data-binary', "\@$tmp/files/small.png");
is($status, 401, 'a wrong token: 401');
($status, $h, $body) = curl_get("$base/media", '-H', "Authorization: Bearer $token",
	'-H', 'X-File-Name: uploaded.bin', '-H', 'Content-Type: application/octet-stream',
	'--data-binary', "\@$tmp/files/big.bin");
is($status, 201, 'an upload with the token: 201');
my ($new_id) = $body =~ /"id": (\d+)/;
is($h->{location}, "/media/$new_id", 'with Location');
is(sql(qq{SELECT name || ' ' || byte_size || ' ' || (sha256 = (SELECT sha256 FROM media.files WHERE id = $bin)) FROM media.files WHERE id = $new_id}),
	'uploaded.bin ' . length($big) . ' true', 'the uploaded file is stored whole, in parts');
write_file("$tmp/page.html", "<html><script>alert(1)</script></html>");
($status, $h, $body) = curl_get("$base/media?name=page.html", '-H', "Authorization: Bearer $token",
	'--data-binary', "\@$tmp/page.html");
is($status, 415, 'an upload of active content the server refuses: 415 (SQLSTATE PM415)');
like($body, qr/active content is not accepted/, 'with the reason');
is(sql('SELECT count(*) FROM media.uploads'), '0', 'refused and finished uploads leave nothing behind');
# --- a port in use: exit 3, and the messages name that port (libmicrohttpd said "port 0") ---
{
	my $port = $srv->{port};
	my ($o, $e) = ('', '');
	IPC::Run::run([ cli_path(), 'serve', '-h', $node->host, '-p', $node->port, '-d', 'postgres',
			'--listen', "127.0.0.1:$port", '--cache-size', '0' ], '>', \$o, '2>', \$e, IPC::Run::timeout(60));
	is($? >> 8, 3, 'a second serve on the same port: exit 3');
	ok($e =~ /^pg_media: error: cannot listen on 127\.0\.0\.1:$port: Address already in use$/m && $e !~ /port 0\b/,
		'and says which port is in use (never "port 0")') or diag($e);
}
is(stop_server($srv, 'INT'), 0, 'the server exits 0 after SIGINT');

# --- --read-dbname that reaches no server: serve does not start, and says which string failed ---
{
	my ($o, $e) = ('', '');
	IPC::Run::run([ cli_path(), 'serve', '-h', $node->host, '-p', $node->port, '-d', 'postgres',
			'--listen', '127.0.0.1:0', '--read-dbname', "host=$tmp/no-such-socket-dir port=1" ],
		'>', \$o, '2>', \$e, IPC::Run::timeout(60));
	is($? >> 8, 3, '--read-dbname that reaches no server: exit 3');
	like($e, qr/^pg_media: error: could not connect to the read database \(--read-dbname\): /m,
		'and the error names the read database, not "the database" (whose -d is fine)');
}

$node->stop;
done_testing();
