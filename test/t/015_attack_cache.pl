# Issue 12, attack 10: a shared cache must never hand one user's private file to another.
#
# The attack, replayed: an app-style route (one database role, the signed-in user set per
# request as media.owner under media.isolation = 'setting', the answer from media.http())
# behind nginx with the README's caching recipe, whose cache is keyed by URL.  alice fetches
# her private file, then bob asks for the same URL.  With "Cache-Control: public" (before
# this fix) nginx stored alice's answer and served it to bob from the cache; now a file is
# private unless its owner calls media.set_public(), private answers say "private,
# no-cache", nginx does not store them, and bob's request reaches the app, which says 404.
# A public file is still cached (a second request is a cache HIT that never reaches the app).
#
# Needs nginx (cli/install-deps.sh test installs it); runs it as the test's own user on a
# loopback port, with its own configuration, cache and temporary directories.
use strict;
use warnings;
use IO::Socket::INET;
use File::Temp ();
use IPC::Run;
use JSON::PP;
use MIME::Base64;
use POSIX ();
use Time::HiRes qw(usleep);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgMediaTest;

my $nginx = (grep { -x $_ } '/usr/sbin/nginx', '/usr/bin/nginx')[0];
plan skip_all => 'nginx is not installed (apt-get install nginx, or cli/install-deps.sh test)'
  unless $nginx;
plan skip_all => 'curl is not installed' unless system('curl --version >/dev/null 2>&1') == 0;

# until the preload requirement (issue 12, item 1) is merged, this node asks for it itself
my $node = media_node('attack_cache', conf => "shared_preload_libraries = 'pg_media'\n");
$node->safe_psql('postgres', q{
-- the app: one login role, the README's writer grants, users told apart by media.owner
CREATE ROLE app LOGIN;
GRANT USAGE ON SCHEMA media TO app;
GRANT SELECT ON media.files TO app;
GRANT EXECUTE ON FUNCTION media.put(bytea, text, text, jsonb) TO app;
GRANT UPDATE (name, attrs) ON media.files TO app;
ALTER ROLE app SET media.isolation = 'setting';
});
# the right to publish (no such function or column before the fix: psql_ok, not safe_psql)
my ($grant_rc, undef, $grant_err) = psql_ok($node, 'postgres', q{
GRANT EXECUTE ON FUNCTION media.set_public(bigint, boolean) TO app;
GRANT UPDATE (is_public) ON media.files TO app;
});
is($grant_rc, 0, 'the app may publish files: EXECUTE on media.set_public, UPDATE (is_public)')
  or diag($grant_err);

# Runs sql as the app for a signed-in user; returns its output.
sub as_user
{
	my ($user, $sql) = @_;
	return $node->safe_psql('postgres',
		"SELECT set_config('media.owner', " . PgMediaTest::sql_text($user) . ", false);\n$sql",
		extra_params => [ '-U', 'app' ]);
}

# alice's private 3 MB file (several of nginx's 1 MB slices), a small private one, and a
# photo she publishes; bob's own file
my $secret = gen_bytes('alice-secret', 3 * 1024 * 1024 + 123);
my $note = gen_bytes('alice-note', 5000);
my $photo = gen_bytes('alice-photo', 20000);
my $bobs = gen_bytes('bob-file', 4000);
(my $secret_id) = as_user('alice', 'SELECT media.put(' . sql_bytea($secret) . ", 'secret.bin')") =~ /(\d+)\s*$/;
(my $note_id) = as_user('alice', 'SELECT media.put(' . sql_bytea($note) . ", 'note.bin')") =~ /(\d+)\s*$/;
(my $photo_id) = as_user('alice', 'SELECT media.put(' . sql_bytea($photo) . ", 'photo.bin')") =~ /(\d+)\s*$/;
(my $bob_id) = as_user('bob', 'SELECT media.put(' . sql_bytea($bobs) . ", 'bob.bin')") =~ /(\d+)\s*$/;
ok($secret_id && $note_id && $photo_id && $bob_id, 'files stored for alice and bob');

my $dir = PostgreSQL::Test::Utils::tempdir;

# The header fields of an HTTP message head: { lower-case name => value }.
sub header_fields
{
	my ($head) = @_;
	my %h;
	my @pairs = $head =~ /^([\w-]+):[ \t]*(.*?)\r?$/mg;
	while (my ($k, $v) = splice(@pairs, 0, 2))
	{
		$h{ lc $k } = $v;
	}
	return \%h;
}

# A free loopback port in 57600-57699 (the range this test may use).
sub free_port
{
	my %taken = map { $_ => 1 } @_;
	for my $try (1 .. 200)
	{
		my $port = 57600 + int(rand(100));
		next if $taken{$port};
		my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $port,
			Proto => 'tcp', ReuseAddr => 1, Listen => 1);
		next unless $s;
		close $s;
		return $port;
	}
	die 'no free port in 57600-57699';
}

# --- the app-style route --------------------------------------------------------------------
# GET/HEAD /media/{id}: the user from "Cookie: user=NAME" (none: anonymous), then one query,
# exactly like the README's Express and psycopg routes.  Each request it serves is
# counted in app.log, so the test can tell a cache hit (the app never saw it) from a miss.
my $app_port = free_port();
my $app_log = "$dir/app.log";
my $listener = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $app_port,
	Proto => 'tcp', ReuseAddr => 1, Listen => 16) or die "app listen: $!";
my $app_pid = fork() // die "fork: $!";
if ($app_pid == 0)
{
	my %reason = (200 => 'OK', 206 => 'Partial Content', 304 => 'Not Modified',
		404 => 'Not Found', 416 => 'Range Not Satisfiable', 500 => 'Internal Server Error');
	while (my $c = $listener->accept)
	{
		my $head = '';
		while ($head !~ /\r\n\r\n/)
		{
			my $n = sysread($c, $head, 4096, length $head);
			last unless $n;
		}
		my ($method, $path) = $head =~ /^(\S+) (\S+)/;
		my %h = %{ header_fields($head) };
		my ($user) = ($h{cookie} // '') =~ /\buser=(\w+)/;
		my ($id) = ($path // '') =~ m{^/media/(\d+)$};
		my ($status, $headers, $body) = (404, { 'Cache-Control' => 'no-store' }, '');
		if (defined $id)
		{
			my ($out, $err) = ('', '');
			# psql variables (:'x') quote the request's values safely; -c would not expand them
			my $script = "SELECT set_config('media.owner', :'user', false) \\g /dev/null\n"
			  . "SELECT status, headers::text, encode(body, 'base64') FROM media.http(:'id'::bigint,"
			  . " nullif(:'range', ''), nullif(:'inm', ''), :'method');\n";
			IPC::Run::run([ 'psql', '-X', '-q', '-A', '-t', '-F', "\x1f", '-v', 'ON_ERROR_STOP=1',
				'-h', $node->host, '-p', $node->port, '-U', 'app', '-d', 'postgres',
				'-v', "user=" . ($user // ''), '-v', "id=$id", '-v', 'range=' . ($h{range} // ''),
				'-v', 'inm=' . ($h{'if-none-match'} // ''), '-v', "method=$method" ],
				'<', \$script, '>', \$out, '2>', \$err);
			if (my ($st, $json, $b64) = $out =~ /^(\d+)\x1f(.*?)\x1f(.*)$/s)
			{
				($status, $headers, $body) = ($st, decode_json($json), decode_base64($b64 =~ s/\s+//gr));
			}
			else
			{
				($status, $body) = (500, $err);
			}
		}
		open my $log, '>>', $app_log;
		printf $log "%s %s user=%s range=%s -> %d\n", $method, $path, $user // '-', $h{range} // '-', $status;
		close $log;
		my $resp = "HTTP/1.1 $status " . ($reason{$status} // 'Status') . "\r\nConnection: close\r\n";
		$resp .= "$_: $headers->{$_}\r\n" for sort keys %$headers;
		$resp .= 'Content-Length: ' . length($body) . "\r\n"
		  unless exists $headers->{'Content-Length'} || $status == 304;
		$resp .= "\r\n";
		$resp .= $body unless $method eq 'HEAD' || $status == 304;
		print $c $resp;
		close $c;
	}
	POSIX::_exit(0);
}
close $listener;

# --- nginx with the README's caching recipe (its "location /media/" block, verbatim) ----------
my $nginx_port = free_port($app_port);
mkdir "$dir/$_" for qw(cache client_body proxy fastcgi uwsgi scgi);
my $recipe = <<'NGINX';
location /media/ {
    limit_except GET HEAD { deny all; }
    proxy_pass http://pg_media;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_buffering on;                    # nginx absorbs slow clients
    slice 1m;                              # cache big videos in 1 MB ranges
    proxy_set_header Range $slice_range;
    proxy_cache media;
    proxy_cache_key $uri$slice_range;
    # no proxy_cache_valid and no proxy_ignore_headers: the answer's Cache-Control decides.
    # "public, max-age=31536000, immutable" (public files) is kept for a year;
    # "private, no-cache" (every other file) and "no-store" (404, errors) are never stored.
    proxy_cache_lock on;
}
NGINX
open my $conf, '>', "$dir/nginx.conf" or die $!;
print $conf <<"CONF";
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 64; }
http {
    access_log $dir/access.log;
    client_body_temp_path $dir/client_body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    proxy_cache_path $dir/cache levels=1:2 keys_zone=media:10m max_size=1g inactive=30d use_temp_path=off;
    upstream pg_media { server 127.0.0.1:$app_port; keepalive 16; }
    server {
        listen 127.0.0.1:$nginx_port;
        add_header X-Cache-Status \$upstream_cache_status always;
$recipe
    }
}
CONF
close $conf;
my ($nginx_out, $nginx_err) = ('', '');
my $nginx_h = IPC::Run::start([ $nginx, '-p', "$dir/", '-e', "$dir/error.log", '-c', "$dir/nginx.conf" ],
	'<', \undef, '>', \$nginx_out, '2>', \$nginx_err);
my $up = 0;
for (1 .. 100)
{
	my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$nginx_port", Proto => 'tcp');
	if ($s) { $up = 1; close $s; last; }
	usleep(100_000);
}
ok($up, "nginx is up on 127.0.0.1:$nginx_port in front of the app on $app_port")
  or diag($nginx_err, slurp_file("$dir/error.log"));

# GET (or HEAD with -I) through nginx as a user; returns (status, {header => value}, body).
sub fetch
{
	my ($user, $path, @extra) = @_;
	my ($fh, $bodyfile) = File::Temp::tempfile(DIR => $dir);
	close $fh;
	my ($out, $err) = ('', '');
	IPC::Run::run([ 'curl', '-s', '-o', $bodyfile, '-D', '-', @extra,
		($user ? ('-H', "Cookie: user=$user") : ()), "http://127.0.0.1:$nginx_port$path" ],
		'<', \undef, '>', \$out, '2>', \$err);
	my ($status) = $out =~ m{^HTTP/\S+ (\d+)};
	my $body = slurp_file($bodyfile);
	unlink $bodyfile;
	return ($status // 0, header_fields($out), $body);
}

# How many requests the app has served so far.
sub app_requests
{
	return 0 unless -f $app_log;
	my @lines = split /\n/, slurp_file($app_log);
	return scalar @lines;
}

my ($status, $h, $body, $before);

# --- the attack: alice's private file, then bob at the same URL -------------------------------
($status, $h, $body) = fetch('alice', "/media/$secret_id");
is($status, 200, 'alice gets her private 3 MB file through nginx');
ok($body eq $secret, 'byte-identical (assembled from 1 MB slices)');
is($h->{'cache-control'}, 'private, no-cache', 'marked private');
($status, $h, $body) = fetch('alice', "/media/$secret_id");
isnt($h->{'x-cache-status'}, 'HIT', "alice's second request is not served from the shared cache");
$before = app_requests();
($status, $h, $body) = fetch('bob', "/media/$secret_id");
is($status, 404, "bob at the same URL: 404, not alice's file from the cache");
ok(index($body, substr($secret, 0, 4096)) < 0, "and no byte of alice's file in bob's answer");
is($h->{'cache-control'}, 'no-store', 'the 404 is not stored either');
ok(app_requests() > $before, "bob's request reached the app, which asked the database as bob");
($status, $h, $body) = fetch('', "/media/$secret_id");
is($status, 404, 'an anonymous request: 404');

# the other ways in: a range, HEAD, a revalidation with alice's ETag, a small file (one slice)
my $secret_etag = $node->safe_psql('postgres', "SELECT etag FROM media.files WHERE id = $secret_id");
($status, $h, $body) = fetch('alice', "/media/$secret_id", '-H', 'Range: bytes=1048000-1049000');
is($status, 206, 'alice: a range across a slice boundary: 206');
ok($body eq substr($secret, 1048000, 1001), 'the bytes of the range');
is($h->{'cache-control'}, 'private, no-cache', 'the 206 is private too');
($status, $h, $body) = fetch('bob', "/media/$secret_id", '-H', 'Range: bytes=1048000-1049000');
is($status, 404, 'bob, same range: 404');
($status, $h) = fetch('alice', "/media/$secret_id", '-I');
is("$status $h->{'cache-control'}", '200 private, no-cache', 'alice: HEAD is private too');
($status, $h, $body) = fetch('bob', "/media/$secret_id", '-H', "If-None-Match: $secret_etag");
is($status, 404, "bob revalidating with alice's ETag: 404, not 304 (no stored answer to confirm)");
($status, $h, $body) = fetch('alice', "/media/$note_id");
ok($status == 200 && $body eq $note, "alice: her small private file");
($status, $h, $body) = fetch('bob', "/media/$note_id");
ok($status == 404 && index($body, substr($note, 0, 1000)) < 0, 'bob: 404 for it');

# what nginx keeps on disk: nothing of alice's private files
my $stored = '';
for my $f (split /\n/, `find $dir/cache -type f`)
{
	$stored .= slurp_file($f);
}
ok(index($stored, substr($secret, 0, 4096)) < 0 && index($stored, substr($secret, 2 * 1048576, 4096)) < 0
	  && index($stored, substr($note, 0, 1000)) < 0,
	"nginx's cache holds no byte of alice's private files");

# --- publishing: an explicit choice of the file's owner -------------------------------------
# (psql, not safe_psql: before the fix there is no is_public, and these fail instead of dying)
my ($rc, $out, $err) = psql_ok($node, 'postgres', 'SELECT count(*) FROM media.files WHERE is_public');
is($out, '0', 'no file is public until someone says so, even under isolation') or diag($err);
($rc, $out, $err) = psql_ok($node, 'postgres',
	"SELECT set_config('media.owner', 'bob', false); SELECT media.set_public($photo_id, true)",
	extra_params => [ '-U', 'app' ]);
like($out, qr/\bf$/, "bob cannot publish alice's file (it does not exist for him)") or diag($err);
($rc, $out, $err) = psql_ok($node, 'postgres',
	"SELECT set_config('media.owner', 'alice', false); SELECT media.set_public($photo_id, true)",
	extra_params => [ '-U', 'app' ]);
like($out, qr/\bt$/, 'alice publishes her photo with media.set_public()') or diag($err);
($rc, $out) = psql_ok($node, 'postgres', "SELECT string_agg(id::text, ',') FROM media.files WHERE is_public");
is($out, $photo_id, 'only that file is public');

# --- a public file is cached, and served from the cache -------------------------------------
($status, $h, $body) = fetch('alice', "/media/$photo_id");
ok($status == 200 && $body eq $photo, 'alice gets her public photo');
is($h->{'cache-control'}, 'public, max-age=31536000, immutable', 'marked public and immutable');
$before = app_requests();
($status, $h, $body) = fetch('bob', "/media/$photo_id");
ok($status == 200 && $body eq $photo, 'anyone with the URL gets a public file');
is($h->{'x-cache-status'}, 'HIT', 'from the cache');
is(app_requests(), $before, 'without reaching the app');
($status, $h, $body) = fetch('', "/media/$photo_id", '-H', 'Range: bytes=100-199');
ok($status == 206 && $body eq substr($photo, 100, 100), 'a range of it, from the cache too');
is(app_requests(), $before, 'still without reaching the app');

# bob's own file: he sees it, alice does not
($status, $h, $body) = fetch('bob', "/media/$bob_id");
ok($status == 200 && $body eq $bobs, 'bob gets his own private file');
($status, $h, $body) = fetch('alice', "/media/$bob_id");
is($status, 404, 'and alice does not, even right after bob');

$nginx_h->signal('QUIT');
$nginx_h->finish;
kill 'TERM', $app_pid;
waitpid($app_pid, 0);
done_testing();
