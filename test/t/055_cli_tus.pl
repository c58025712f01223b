# tus 1.0 resumable uploads on `pg_media serve` (/uploads/):
# (a) the protocol with curl: OPTIONS, creation with metadata, HEAD offsets
#     that are the database's, PATCH at a wrong offset (409), checksum
#     mismatch (460, nothing kept), the PATCH that finishes (Upload-File-Id),
#     termination (404 afterwards), Upload-Expires from --upload-expiry,
#     413 beyond media.max_upload_size or Upload-Length, 423 while another
#     session writes the upload, creation-with-upload;
# (b) tus-js-client in Node: a 50 MB upload killed midway, resumed by a
#     second run from the stored URL at the offset the database
#     acknowledged, stored byte for byte, with the server's memory bounded;
# (c) tus-js-client in headless Chromium (playwright-core, as 052);
# (d) signed upload tokens (media.sign_upload()): uploads as the owner a
#     token names, up to its max_bytes, on a server running as an
#     application role under "setting" isolation; the Upload URL is no
#     credential (another owner's token: 404, none: 401, a GET signature:
#     401); expired or altered tokens and URL signatures replayed as
#     tokens (and tokens as URL signatures): 403; key rotation; and
#     tus-js-client in Node carrying the token in its headers.
use strict;
use warnings;
use Digest::SHA qw(sha256_hex sha256_base64);
use JSON::PP;
use Time::HiRes qw(usleep);
use Time::Local qw(timegm);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
BEGIN { unshift @INC, "$ENV{PG_MEDIA_SRC}/test/cli"; }
use CliTest;

plan skip_all => 'curl is not installed (apt-get install curl, or cli/install-deps.sh)'
  unless have_program('curl');

my $src = $ENV{PG_MEDIA_SRC};
my $node = PostgreSQL::Test::Cluster->new('cli_tus');
$node->init;
# log_parameter_max_length: the test framework logs every statement; not
# the 50 MB of parts as hex as well
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'pg_media'\nmedia.max_upload_size = '60MB'\n"
	  . "log_parameter_max_length = 0\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION pg_media');
my $tmp = PostgreSQL::Test::Utils::tempdir;

sub sql { return $node->safe_psql('postgres', $_[0]); }

my $token = 'tus-test-token-0123456789';
my $srv = start_server($node, $tmp, env => { PG_MEDIA_UPLOAD_TOKEN => $token },
	args => [ '--upload-expiry', '2 hours' ]);
my $base = $srv->{base};
my @auth = ('-H', "Authorization: Bearer $token", '-H', 'Tus-Resumable: 1.0.0');
my @octets = ('-H', 'Content-Type: application/offset+octet-stream');

# curl with a body from a string (written to a file: bytes as they are)
sub send_body
{
	my ($url, $bytes, @extra) = @_;
	my $file = "$tmp/body.bin";
	open my $fh, '>:raw', $file or die $!;
	print $fh $bytes;
	close $fh;
	return curl_get($url, '--data-binary', "\@$file", @extra);
}

sub patch
{
	my ($loc, $offset, $bytes, @extra) = @_;
	return send_body("$base$loc", $bytes, '-X', 'PATCH', @auth, @octets,
		'-H', "Upload-Offset: $offset", @extra);
}

sub head { return curl_get("$base$_[0]", '-I', @auth); }

# the uploads-in-progress gauge of /metrics
sub uploads_gauge
{
	my (undef, undef, $text) = curl_get("$base/metrics");
	return $text =~ /^pg_media_uploads_in_progress (\d+)$/m ? $1 : 'missing';
}

sub create
{
	my ($length, @extra) = @_;
	return curl_get("$base/uploads/", '-X', 'POST', @auth, '-H', "Upload-Length: $length", @extra);
}

# the upload id of a Location
sub upload_id { my ($id) = $_[0] =~ m{^/uploads/(\d+)-\d+$}; return $id; }

# seconds from now to an HTTP date
sub seconds_until
{
	my ($date) = @_;
	my %mon = (Jan => 0, Feb => 1, Mar => 2, Apr => 3, May => 4, Jun => 5, Jul => 6,
		Aug => 7, Sep => 8, Oct => 9, Nov => 10, Dec => 11);
	my ($d, $m, $y, $H, $M, $S) =
	  ($date // '') =~ /^\w{3}, (\d\d) (\w{3}) (\d{4}) (\d\d):(\d\d):(\d\d) GMT$/
	  or return undef;
	return timegm($S, $M, $H, $d, $mon{$m}, $y) - time;
}

# --- (a) the protocol ---
my ($status, $h, $body) = curl_get("$base/uploads/", '-X', 'OPTIONS');
is($status, 204, 'OPTIONS /uploads/: 204');
is($h->{'tus-version'}, '1.0.0', 'Tus-Version');
is(join(',', sort split /,/, $h->{'tus-extension'} // ''),
	'checksum,creation,creation-with-upload,expiration,termination', 'Tus-Extension: the five extensions');
is($h->{'tus-max-size'}, 60 * 1024 * 1024, 'Tus-Max-Size is media.max_upload_size');
is($h->{'tus-checksum-algorithm'}, 'sha256', 'Tus-Checksum-Algorithm: sha256');

($status) = curl_get("$base/uploads/", '-X', 'POST', '-H', 'Tus-Resumable: 1.0.0', '-H', 'Upload-Length: 5');
is($status, 401, 'creation without the token: 401');
($status, $h) = curl_get("$base/uploads/", '-X', 'POST', '-H', "Authorization: Bearer $token",
	'-H', 'Upload-Length: 5');
is($status, 412, 'creation without Tus-Resumable: 412');
is($h->{'tus-version'}, '1.0.0', 'and the 412 names the version');
($status) = create(60 * 1024 * 1024 + 1);
is($status, 413, 'Upload-Length beyond media.max_upload_size: 413');
($status) = curl_get("$base/uploads/", '-X', 'POST', @auth);
is($status, 400, 'creation without Upload-Length: 400');

($status, $h) = create(11, '-H', 'Upload-Metadata: filename aGVsbG8udHh0,filetype dGV4dC9wbGFpbg==');
is($status, 201, 'creation: 201');
my $loc = $h->{location} // '';
like($loc, qr{^/uploads/\d+-11$}, "Location /uploads/{upload id}-{length} ($loc)");
is($h->{'tus-resumable'}, '1.0.0', 'Tus-Resumable in the answer');
is($h->{'upload-offset'}, 0, 'Upload-Offset 0');
my $left = seconds_until($h->{'upload-expires'});
ok(defined $left && abs($left - 7200) < 120, "Upload-Expires is --upload-expiry (2 hours) ahead ($h->{'upload-expires'})");
my $id = upload_id($loc);
ok($id && $id > 4294967296, 'the upload id is one of media.upload_begin()\'s random numbers (52 bits), not a sequence');
is(sql("SELECT media.upload_status($id)"), 0, 'the database has the upload, empty');
is(uploads_gauge(), 1, '/metrics: one upload in progress');

($status, $h) = head($loc);
is($status, 200, 'HEAD: 200');
is($h->{'upload-offset'}, 0, 'HEAD: Upload-Offset 0');
is($h->{'upload-length'}, 11, 'HEAD: Upload-Length 11');
is($h->{'cache-control'}, 'no-store', 'HEAD: Cache-Control: no-store');

($status, $h) = patch($loc, 0, 'hello');
is($status, 204, 'PATCH at offset 0: 204');
is($h->{'upload-offset'}, 5, 'Upload-Offset 5');
ok(defined seconds_until($h->{'upload-expires'}), 'the PATCH answer has Upload-Expires');
is(sql("SELECT media.upload_status($id)"), 5, 'the database acknowledged 5 bytes');
($status, $h) = head($loc);
is($h->{'upload-offset'}, 5, 'HEAD says what the database says');

($status) = patch($loc, 0, 'hello');
is($status, 409, 'PATCH at a wrong offset: 409');
($status) = send_body("$base$loc", ' world', '-X', 'PATCH', @auth, '-H', 'Upload-Offset: 5',
	'-H', 'Content-Type: text/plain');
is($status, 415, 'PATCH without application/offset+octet-stream: 415');
($status) = patch($loc, 5, ' world', '-H', 'Upload-Checksum: md5 XrY7u+Ae7tCTyyK7j1rNww==');
is($status, 400, 'an Upload-Checksum algorithm other than sha256: 400');
($status, $h, $body) = patch($loc, 5, ' world', '-H', 'Upload-Checksum: sha256 ' . sha256_base64(' worlX') . '=');
is($status, 460, 'checksum mismatch: 460');
is(sql("SELECT media.upload_status($id)"), 5, 'nothing of the mismatched body was kept');
($status) = patch($loc, 5, ' world and more');
is($status, 413, 'a body beyond Upload-Length: 413');
is(sql("SELECT media.upload_status($id)"), 5, 'and nothing of it was kept');

# another session writes the upload: 423, not interleaved bytes
my $bg = $node->background_psql('postgres');
$bg->query_safe("SELECT pg_advisory_lock($id)");
($status) = patch($loc, 5, ' world');
is($status, 423, 'PATCH while another request writes the upload: 423');
$bg->query_safe("SELECT pg_advisory_unlock($id)");
$bg->quit;

($status, $h) = patch($loc, 5, ' world', '-H', 'Upload-Checksum: sha256 ' . sha256_base64(' world') . '=');
is($status, 204, 'the last PATCH, with a matching checksum: 204');
is($h->{'upload-offset'}, 11, 'Upload-Offset 11');
my $file = $h->{'upload-file-id'} // 0;
like($file, qr/^\d+$/, "the finishing PATCH answers Upload-File-Id ($file)");
is(sql("SELECT name || ' ' || declared_type || ' ' || byte_size || ' ' || encode(sha256, 'hex') FROM media.files WHERE id = $file"),
	'hello.txt text/plain 11 ' . sha256_hex('hello world'),
	'the file is stored, named and typed from Upload-Metadata');
($status, undef, $body) = curl_get("$base/media/$file");
is($body, 'hello world', 'and GET /media/{Upload-File-Id} serves it');
($status) = head($loc);
is($status, 404, 'HEAD of a finished upload: 404');
is(uploads_gauge(), 0, '/metrics: none in progress once it is finished');

# termination
($status, $h) = create(1000);
my $gone = $h->{location} // '';
patch($gone, 0, 'x' x 100);
($status) = curl_get("$base$gone", '-X', 'DELETE', @auth);
is($status, 204, 'DELETE: 204');
is(uploads_gauge(), 0, '/metrics: none in progress once it is terminated');
($status) = head($gone);
is($status, 404, 'HEAD after DELETE: 404');
($status) = patch($gone, 100, 'y');
is($status, 404, 'PATCH after DELETE: 404');
($status) = curl_get("$base$gone", '-X', 'DELETE', @auth);
is($status, 404, 'DELETE again: 404');

# creation-with-upload, and a zero-length file
($status, $h) = send_body("$base/uploads/", 'whole', '-X', 'POST', @auth, @octets, '-H', 'Upload-Length: 5');
is($status, 201, 'creation-with-upload: 201');
ok($h->{'upload-file-id'} && $h->{'upload-offset'} == 5, 'the whole file in the POST: finished at once');
($status, $h) = create(0);
ok($status == 201 && $h->{'upload-file-id'}, 'an empty file is finished at creation');
is(sql('SELECT count(*) FROM media.uploads'), 0, 'no upload is left behind');
is(uploads_gauge(), 0, '/metrics: uploads finished at creation never count as in progress');

# --- (b) tus-js-client in Node: killed midway, resumed ---
my $tus_installed = -d "$src/test/cli/node_modules/tus-js-client";
SKIP:
{
	skip 'node or tus-js-client is missing (cli/install-deps.sh runs npm ci in test/cli)', 9
	  unless have_program('node') && $tus_installed;
	my $big = "$tmp/fifty.bin";
	system("head -c 52428800 /dev/urandom > $big") == 0 or die 'cannot make the file';
	my $want = Digest::SHA->new(256)->addfile($big, 'b')->hexdigest;
	my $urlfile = "$tmp/fifty.url";
	my ($out, $err) = ('', '');
	local $ENV{PG_MEDIA_UPLOAD_TOKEN} = $token;
	my $run = IPC::Run::start([ 'node', "$src/test/cli/tus_upload.mjs", "$base/uploads/", $big, $urlfile ],
		'>', \$out, '2>', \$err, IPC::Run::timeout(120));
	my $sent = 0;
	for (1 .. 1200)
	{
		$run->pump_nb;
		($sent) = $out =~ /.*^progress (\d+)$/ms;
		last if ($sent // 0) >= 20 * 1024 * 1024 || !$run->pumpable;
		usleep(50_000);
	}
	$run->signal('KILL');
	eval { $run->finish };
	ok(($sent // 0) >= 20 * 1024 * 1024, "the first run was killed midway (after $sent bytes sent)")
	  or diag("$out\n$err");
	my $url = -r $urlfile ? slurp_file($urlfile) : '';
	my ($fid) = $url =~ m{/uploads/(\d+)-52428800$};
	ok($fid, "the first run stored the upload's URL ($url)");
	# the server notices the dropped connection and logs the PATCH as aborted
	for (1 .. 300)
	{
		last if slurp_file($srv->{log}) =~ m{PATCH /uploads/$fid-\d+ .* aborted$}m;
		usleep(100_000);
	}
	my $acked = sql("SELECT media.upload_status($fid)");
	ok($acked > 0 && $acked < 52428800, "the database acknowledged part of it ($acked bytes)");
	($status, $h) = head("/uploads/$fid-52428800");
	is($h->{'upload-offset'}, $acked, 'HEAD reports the acknowledged offset');

	($out, $err) = ('', '');
	IPC::Run::run([ 'node', "$src/test/cli/tus_upload.mjs", "$base/uploads/", $big, $urlfile, 'resume' ],
		'>', \$out, '2>', \$err, IPC::Run::timeout(120));
	my ($first_patch) = $out =~ /^request PATCH (\d+)$/m;
	is($first_patch, $acked, 'the second run resumed at that byte') or diag("$out\n$err");
	my ($done) = $out =~ /^done (\d+)$/m;
	ok($done, "the resumed upload completed (file $done)") or diag("$out\n$err");
	is(sql("SELECT byte_size || ' ' || encode(sha256, 'hex') FROM media.files WHERE id = " . ($done // 0)),
		"52428800 $want", "the stored file's sha256 is the source's");
	is(sql("SELECT count(*) FROM media.uploads"), 0, 'the upload is gone once finished');
	my $pid = $srv->{h}{KIDS}[0]{PID};
	my ($hwm) = slurp_file("/proc/$pid/status") =~ /^VmHWM:\s+(\d+) kB/m;
	ok($hwm && $hwm < 64 * 1024, "serve's peak memory stayed bounded: VmHWM $hwm kB < 64 MB");
}

# --- (c) tus-js-client in headless Chromium ---
my $chromium = $ENV{CHROMIUM} // '/usr/bin/chromium';
SKIP:
{
	skip "no Chromium at $chromium, node, playwright-core or tus-js-client", 4
	  unless -x $chromium && have_program('node') && $tus_installed
	  && -d "$src/test/cli/node_modules/playwright-core";
	my ($out, $err) = ('', '');
	local $ENV{PG_MEDIA_UPLOAD_TOKEN} = $token;
	my $ok = IPC::Run::run([ 'node', "$src/test/cli/tus_browser.mjs", $base, 3_000_000 ],
		'>', \$out, '2>', \$err, IPC::Run::timeout(120));
	ok($ok, 'headless Chromium ran the upload') or diag("$out\n$err");
	my ($json) = $out =~ /^(\{.*\})$/m;
	my $res = $json ? decode_json($json) : { errors => ['no result'] };
	is_deeply($res->{errors}, [], 'no page errors');
	ok(($res->{patches} // 0) >= 3, "the browser sent the file in PATCHes of 1 MiB ($res->{patches})");
	my $bid = $res->{fileId} // 0;
	$bid = 0 unless $bid =~ /^\d+$/;
	is(sql("SELECT name || ' ' || declared_type || ' ' || byte_size || ' ' || encode(sha256, 'hex') FROM media.files WHERE id = $bid"),
		'from-the-browser.bin application/x-test 3000000 ' . ($res->{sha256} // '?'),
		'the browser\'s file is stored with its name, type and sha256');
}

is(stop_server($srv), 0, 'the server stops cleanly');

# --- (d) signed upload tokens ---
my $k1 = 'k1:first-secret-0123456789abcdef';
my $k2 = 'k2:second-secret-0123456789abcdef';
sql("ALTER SYSTEM SET media.url_signing_keys = '$k1'");
sql('SELECT pg_reload_conf()');
sql(q{
CREATE ROLE app LOGIN;
ALTER ROLE app SET media.isolation = 'setting';
GRANT USAGE ON SCHEMA media TO app;
GRANT SELECT ON media.files TO app;
GRANT EXECUTE ON FUNCTION media.upload_begin(text, text, jsonb), media.upload_append(bigint, bytea),
  media.upload_status(bigint), media.upload_finish(bigint), media.upload_abort(bigint),
  media.sign_upload(interval, text, bigint), media.sign_url(bigint, interval, text, text) TO app;
});

# the application's SQL, as app
sub app_sql
{
	return $node->safe_psql('postgres', $_[0], connstr => $node->connstr('postgres') . ' user=app');
}
sub sign_upload { return app_sql("SELECT media.sign_upload($_[0])"); }

# a key file of mode 600
sub key_file
{
	my ($name, $text) = @_;
	my $path = "$tmp/$name";
	open my $fh, '>', $path or die $!;
	print $fh "$text\n";
	close $fh;
	chmod 0600, $path;
	return $path;
}

# requests with a token (undef: no Authorization)
sub as_token
{
	my ($tok) = @_;
	return ('-H', 'Tus-Resumable: 1.0.0', defined $tok ? ('-H', "Authorization: Bearer $tok") : ());
}
sub create_as { my ($tok, $length) = @_; return curl_get("$base/uploads/", '-X', 'POST', as_token($tok), '-H', "Upload-Length: $length"); }
sub patch_as
{
	my ($tok, $loc, $offset, $bytes) = @_;
	return send_body("$base$loc", $bytes, '-X', 'PATCH', as_token($tok), @octets, '-H', "Upload-Offset: $offset");
}
sub head_as { return curl_get("$base$_[1]", '-I', as_token($_[0])); }
sub delete_as { return curl_get("$base$_[1]", '-X', 'DELETE', as_token($_[0])); }

$srv = start_server($node, $tmp, env => { PG_MEDIA_UPLOAD_TOKEN => $token },
	args => [ '-U', 'app', '--pool', '2', '--signing-keys', key_file('k1.keys', $k1) ]);
$base = $srv->{base};

my $alice = sign_upload("'1 hour', 'alice', max_bytes => 1000");
like($alice, qr/^pgmu1\.\d+\.1000\.YWxpY2U\.k1\.[\w-]{43}$/, "media.sign_upload(): $alice");
my $bob = sign_upload("'1 hour', owner => 'bob'");
($status, $h) = create_as($alice, 11);
is($status, 201, 'creation with alice\'s signed upload token: 201');
my $aloc = $h->{location} // '';
my $aid = upload_id($aloc) // 0;
($status, $h) = patch_as($alice, $aloc, 0, 'hello');
is("$status $h->{'upload-offset'}", '204 5', 'alice PATCHes her upload: 204, offset 5');

# what someone who sees alice's Upload URL can do: nothing
($status) = head_as($bob, $aloc);
is($status, 404, 'HEAD of alice\'s Upload URL with bob\'s token: 404');
($status) = patch_as($bob, $aloc, 5, ' bobby');
is($status, 404, 'PATCH of it with bob\'s token: 404');
($status) = delete_as($bob, $aloc);
is($status, 404, 'DELETE of it with bob\'s token: 404');
($status) = head_as(undef, $aloc);
is($status, 401, 'HEAD of it without a token: 401');
($status) = patch_as(undef, $aloc, 5, ' anon!');
is($status, 401, 'PATCH of it without a token: 401');
($status) = head_as($token, $aloc);
is($status, 403, 'HEAD of it with the trusted uploader\'s token (the role\'s own owner, no media.owner under setting isolation): 403');
my $get_sig = app_sql("SELECT media.sign_url(1, '1 hour', owner => 'alice')") =~ s/^[^?]*//r;
($status) = curl_get("$base$aloc$get_sig", '-I', '-H', 'Tus-Resumable: 1.0.0');
is($status, 401, 'HEAD of it with alice\'s GET signature in the query: 401');
is(app_sql("SET media.owner = 'alice'; SELECT media.upload_status($aid)"), 5, 'alice\'s upload is untouched: 5 bytes');
($status, $h) = patch_as($alice, $aloc, 5, ' world');
my $afile = $h->{'upload-file-id'} // 0;
ok($status == 204 && $afile, "alice finishes it: 204, file $afile");
is(sql("SELECT owner || ' ' || owner_scope || ' ' || byte_size FROM media.files WHERE id = $afile"),
	'alice setting 11', 'the file is alice\'s (owner_scope setting), as the token says');

# max_bytes: at creation, and at every PATCH (the length in the URL is the client's word)
($status, $h, $body) = create_as($alice, 1001);
is($status, 413, 'Upload-Length beyond the token\'s max_bytes: 413');
like($body, qr/upload token/, 'the answer names the token');
my $small = sign_upload("'1 hour', 'alice', 10");
($status, $h) = create_as($small, 10);
my $sloc = $h->{location} // '';
(my $forged = $sloc) =~ s/-10$/-5000/;
($status) = patch_as($small, $forged, 0, 'x' x 20);
is($status, 413, 'PATCH through a forged Upload-Length beyond max_bytes: 413');
is(app_sql("SET media.owner = 'alice'; SELECT media.upload_status(" . (upload_id($sloc) // 0) . ')'), 0,
	'nothing was written');
($status) = delete_as($small, $sloc);
is($status, 204, 'alice ends it: 204');

# expired, altered, other purposes: 403
my $brief = sign_upload("'1 second', 'alice'");
sleep 2;
($status, $h, $body) = create_as($brief, 5);
is($status, 403, 'an expired upload token: 403');
like($body, qr/expired/, 'the answer says it expired');
my %altered = (
	'the owner' => $alice =~ s/\.YWxpY2U\./.Ym9i./r,
	'max_bytes' => $alice =~ s/\.1000\./.1000000./r,
	'max_bytes, dropped' => $alice =~ s/\.1000\./.-./r,
	'exp' => $alice =~ s/^pgmu1\.(\d+)/'pgmu1.' . ($1 + 60)/er,
	'the signature' => $alice =~ s/(.)$/$1 eq 'A' ? 'B' : 'A'/er,
	'the key id' => $alice =~ s/\.k1\./.k9./r,
	'the length' => substr($alice, 0, -1));
for my $what (sort keys %altered)
{
	($status, $h, $body) = create_as($altered{$what}, 5);
	is($status, 403, "an upload token with $what altered: 403 ($body)" =~ s/\n//r);
}
my $read_url = app_sql("SELECT media.sign_url($afile, '1 hour', owner => 'alice')");
my ($rexp, $rsig) = $read_url =~ /exp=(\d+).*sig=([\w-]+)/;
($status) = create_as("pgmu1.$rexp.-.YWxpY2U.k1.$rsig", 5);
is($status, 403, 'a GET signature replayed as an upload token (same exp, owner and key): 403');
my $no_max = sign_upload("'1 hour', 'alice'");
my ($texp, $tsig) = $no_max =~ /^pgmu1\.(\d+)\..*\.([\w-]{43})$/;
($status) = curl_get("$base/media/$afile?exp=$texp&own=alice&kid=k1&sig=$tsig");
is($status, 403, 'an upload token\'s signature replayed as a GET signature: 403');
($status) = curl_get("$base$read_url");
is($status, 200, 'while the GET URL itself serves alice\'s file: 200');
($status) = send_body("$base/media", 'plain', '-X', 'POST', '-H', "Authorization: Bearer $alice");
is($status, 403, 'an upload token on POST /media (not a tus route): 403');

# red team (session 18): what a token holder can try
($status, $h, $body) = curl_get("$base/uploads/", '-X', 'POST', as_token($alice), '-H', 'Upload-Defer-Length: 1');
is($status, 400, 'Upload-Defer-Length with a max_bytes token: 400 (no deferred length to escape max_bytes)');
($status, $h, $body) = send_body("$base/uploads/", 'y' x 1500, '-X', 'POST', as_token($alice), @octets,
	'-H', 'Upload-Length: 1000');
is($status, 413, 'creation-with-upload: a body beyond Upload-Length (and max_bytes): 413');
is(sql("SELECT count(*) FROM media.files WHERE owner = 'alice' AND byte_size > 1000"), 0,
	'no file beyond max_bytes');
($status, $h) = send_body("$base/uploads/", 'z' x 1000, '-X', 'POST', as_token($alice), @octets,
	'-H', 'Upload-Length: 1000');
my $once = $h->{'upload-file-id'} // '';
ok($status == 201 && $once, "creation-with-upload of exactly max_bytes: 201, file $once");
($status, $h) = create_as($alice, 1000);
is($status, 201, 'the same token after its upload finished: another upload (a token is not single-use; max_bytes is per upload)');
delete_as($alice, $h->{location} // '');
# a token that expires while its upload is under way: the next PATCH is refused, a fresh token
# of the same owner resumes at the byte the database acknowledged
my $short = sign_upload("'2 seconds', 'alice'");
($status, $h) = create_as($short, 10);
my $rloc = $h->{location} // '';
($status, $h) = patch_as($short, $rloc, 0, 'abcde');
is("$status " . ($h->{'upload-offset'} // ''), '204 5', 'half an upload with a short-lived token');
sleep 3;
($status, $h, $body) = patch_as($short, $rloc, 5, 'fghij');
ok($status == 403 && $body =~ /expired/, 'the token expired: the next PATCH is 403');
my $fresh = sign_upload("'1 hour', 'alice'");
($status, $h) = head_as($fresh, $rloc);
is("$status " . ($h->{'upload-offset'} // ''), '200 5', 'a fresh token of the same owner: HEAD says offset 5');
($status, $h) = patch_as($fresh, $rloc, 5, 'fghij');
my $rfile = $h->{'upload-file-id'} // 0;
ok($status == 204 && $rfile, "and resumes it to the end: 204, file $rfile");
is(sql("SELECT owner || ' ' || byte_size FROM media.files WHERE id = $rfile"), 'alice 10', 'alice\'s, 10 bytes');

# tus-js-client carries the token in its headers, on every request
SKIP:
{
	skip 'node or tus-js-client is missing', 2 unless have_program('node') && $tus_installed;
	my $file = "$tmp/signed.bin";
	system("head -c 3000000 /dev/urandom > $file") == 0 or die 'cannot make the file';
	my ($out, $err) = ('', '');
	local $ENV{PG_MEDIA_UPLOAD_TOKEN} = sign_upload("'1 hour', 'carol', 3000000");
	IPC::Run::run([ 'node', "$src/test/cli/tus_upload.mjs", "$base/uploads/", $file, "$tmp/signed.url" ],
		'>', \$out, '2>', \$err, IPC::Run::timeout(120));
	my ($done) = $out =~ /^done (\d+)$/m;
	ok($done, "tus-js-client uploaded with a signed token in its headers (file $done)") or diag("$out\n$err");
	is(sql("SELECT owner || ' ' || byte_size || ' ' || encode(sha256, 'hex') FROM media.files WHERE id = " . ($done // 0)),
		'carol 3000000 ' . Digest::SHA->new(256)->addfile($file, 'b')->hexdigest, 'stored as carol, byte for byte');
}
stop_server($srv);

# rotation: k2 signs, k1 still verifies; then k1 is removed
my $old = sign_upload("'1 hour', 'alice'");
sql("ALTER SYSTEM SET media.url_signing_keys = '$k2,$k1'");
sql('SELECT pg_reload_conf()');
my $new = sign_upload("'1 hour', 'alice'");
like($new, qr/\.k2\.[\w-]{43}$/, 'after rotation media.sign_upload() signs with k2');
$srv = start_server($node, $tmp, args => [ '-U', 'app', '--signing-keys', key_file('both.keys', "$k2,$k1") ]);
$base = $srv->{base};
($status) = create_as($old, 0);
is($status, 201, 'rotation: a k1 token works while both keys are configured');
($status) = create_as($new, 0);
is($status, 201, 'rotation: a k2 token works');
($status) = create_as('not-the-trusted-token', 0);
is($status, 401, 'with no PG_MEDIA_UPLOAD_TOKEN, other bearer credentials: 401');
stop_server($srv);
$srv = start_server($node, $tmp, args => [ '-U', 'app', '--signing-keys', key_file('k2.keys', $k2) ]);
$base = $srv->{base};
($status, $h, $body) = create_as($old, 0);
is($status, 403, 'rotation: the k1 token fails once k1 is removed');
like($body, qr/key this server does not hold/, 'the answer says why');
($status) = create_as($new, 0);
is($status, 201, 'rotation: the k2 token still works');
stop_server($srv);
$node->stop;
done_testing();
