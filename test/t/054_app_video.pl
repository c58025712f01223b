# Large media through an app's own route: the README's two app examples (Express with
# node-postgres and pg-cursor, Flask with psycopg), run exactly as README.md writes them
# (test/apps/app_express.mjs, test/apps/app_flask.py). Each stores a 200 MB H.264/AAC video made
# here with ffmpeg (POST /media, media.upload_*), then, from a fresh app process, serves it to
# headless Chromium through the README's page (/watch/:id): the video plays, seeks to 80% and
# plays on from there, and the app's peak RSS (VmHWM) stays under 64 MB above its RSS before the
# first request. The app's access log shows that every range request was answered 206 with at
# most media.max_range_size bytes. A third process serves a download without Range: the whole
# file, streamed. Upload and download memory are printed too, and bounded by half the file (a
# route that held the body whole would need all of it).
use strict;
use warnings;
use Digest::SHA;
use IO::Socket::INET;
use IPC::Run;
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep time);
use PgMediaTest;

my $src = $ENV{PG_MEDIA_SRC} // '.';
# the README whose examples run (another one only to try new examples before they are merged)
my $readme = $ENV{PG_MEDIA_README} // "$src/README.md";
my $chromium = $ENV{CHROMIUM} // '/usr/bin/chromium';
my $python = '/usr/bin/python3';
my $mb = 1024 * 1024;
my $max_extra = 64 * $mb;

plan skip_all => "no Chromium at $chromium (cli/install-deps.sh test installs it)" unless -x $chromium;
plan skip_all => 'no ffmpeg (scripts/install-deps.sh test installs it)' unless in_path('ffmpeg');
plan skip_all => 'no curl' unless in_path('curl');
plan skip_all => 'node 20 or later is not installed'
  unless in_path('node')
  && system('node', '-e', 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)') == 0;
plan skip_all => 'playwright-core is not installed in test/cli (cli/install-deps.sh test runs npm ci there)'
  unless -d "$src/test/cli/node_modules/playwright-core";
plan skip_all => 'express, pg and pg-cursor are not installed in test/apps (scripts/install-deps.sh test runs npm ci there)'
  unless -d "$src/test/apps/node_modules/pg-cursor" && -d "$src/test/apps/node_modules/express";
plan skip_all => 'python3-flask, python3-psycopg or python3-psycopg-pool is not installed'
  unless system($python, '-c', 'import flask, psycopg, psycopg_pool') == 0;

my $tmp = PostgreSQL::Test::Utils::tempdir();
my ($video, $video_sha) = make_video("$tmp/video.mp4");

my $node = media_node('app_video');
$node->safe_psql('postgres', readme_roles_sql() . q{
  CREATE ROLE regress_flask LOGIN IN ROLE media_writer;
  ALTER ROLE regress_flask SET media.isolation = 'setting';
  CREATE ROLE regress_express LOGIN IN ROLE media_writer;
});
# media.max_range_size in bytes (its default, 8 MB, where the server predates the setting: the
# range assertions below then show what that server does)
my $cap = $node->safe_psql('postgres', q{SELECT coalesce((SELECT setting::bigint FROM pg_settings
  WHERE name = 'media.max_range_size' AND unit = 'B'), 8 * 1024 * 1024)});
cmp_ok($cap, '<', -s $video, "media.max_range_size (" . ($cap / $mb) . " MB) is smaller than the video");

# The Flask app's stand-in sign-in is the X-User header (test/apps/app_flask.py); the files it
# stores belong to that user (media.isolation = 'setting'), and the browser sends the header too.
my %apps = (
	flask => { cmd => [ $python, "$src/test/apps/app_flask.py" ], role => 'regress_flask',
		headers => [ 'X-User=user-1' ] },
	express => { cmd => [ 'node', "$src/test/apps/app_express.mjs" ], role => 'regress_express',
		headers => [] });

for my $name (sort keys %apps)
{
	my $app = $apps{$name};
	my @hdr = map { ('-H', s/=/: /r) } @{ $app->{headers} };

	# upload: POST /media in a process of its own, so that its memory is measured alone
	my $srv = start_app($name, $app);
	my $t0 = time;
	my ($code, $out) = curl('-X', 'POST', '--data-binary', "\@$video", '-H', 'Content-Type: video/mp4',
		'-H', 'X-File-Name: big.mp4', @hdr, "$srv->{base}/media");
	my ($id) = $code == 201 && $out =~ /"id"\s*:\s*"?(\d+)/ ? ($1) : (0);
	ok($id, sprintf("$name: POST /media stores the %d MB video (%.1f s)", (-s $video) / $mb, time - $t0))
	  or diag("status $code: $out");
	my $upload_extra = app_extra_memory($srv);
	stop_app($srv);
	is($node->safe_psql('postgres', "SELECT byte_size || ' ' || encode(sha256, 'hex') || ' ' || mime_type "
			  . "FROM media.files WHERE id = $id"),
		(-s $video) . " $video_sha video/mp4", "$name: it is stored whole and typed from its bytes");
	diag(sprintf("$name: upload of %d MB: app peak RSS %.1f MB above its RSS before the request",
			(-s $video) / $mb, $upload_extra / $mb));
	# the route sends the body on in 1 MB parts; held whole, the body alone would be the file's size
	cmp_ok($upload_extra, '<', (-s $video) / 2, "$name: the upload route does not hold the body whole");

	# playing, from a fresh process: Chromium plays and seeks; curl asks HEAD, bytes=0- and a 304
	$srv = start_app($name, $app);
	$t0 = time;
	my ($ok, $nout, $nerr) = run_node([ "$src/test/apps/video_browser.mjs", "$srv->{base}/watch/$id",
			@{ $app->{headers} } ], 120);
	my ($json) = $nout =~ /^(\{.*\})$/m;
	my $res = $json ? decode_json($json) : { error => "no result: $nout $nerr" };
	is($res->{error}, undef, "$name: Chromium loads the video through the README's page")
	  or diag($nerr);
	cmp_ok($res->{played}{to} // 0, '>=', ($res->{played}{from} // 0) + 1,
		"$name: it plays (currentTime $res->{played}{from} -> " . ($res->{played}{to} // '?') . ')');
	ok($res->{seek}{seeked}, "$name: it seeks to 80% ($res->{seek}{target} s of $res->{duration})");
	cmp_ok($res->{seek}{to} // 0, '>=', ($res->{seek}{target} // 1e9) + 1 - 0.25,
		"$name: and plays on from there (currentTime " . ($res->{seek}{from} // '?') . ' -> '
		  . ($res->{seek}{to} // '?') . ')');
	is_deeply($res->{errors} // ['none reported'], [], "$name: no page errors");
	my $play_seconds = time - $t0;

	my ($head_code, $head) = curl('-I', @hdr, "$srv->{base}/media/$id");
	like($head, qr/^content-length: ${\ -s $video}\r?$/mi, "$name: HEAD gives the whole length ($head_code)");
	my ($etag) = $head =~ /^etag: (\S+)\r?$/mi;
	($code, $out) = curl('-D', "$tmp/headers", '-H', 'Range: bytes=0-', @hdr, "$srv->{base}/media/$id");
	my ($content_range) = slurp_file("$tmp/headers") =~ /^content-range: (.*?)\r?$/mi;
	is("$code " . ($content_range // '-') . ' ' . length($out), "206 bytes 0-" . ($cap - 1) . '/' . (-s $video) . " $cap",
		"$name: an open-ended range (bytes=0-) gets the first media.max_range_size bytes");
	($code) = curl('-H', "If-None-Match: " . ($etag // '"none"'), @hdr, "$srv->{base}/media/$id");
	is($code, 304, "$name: If-None-Match with the ETag gives 304");

	my $serve_extra = app_extra_memory($srv);
	stop_app($srv);
	diag(sprintf("$name: playing and seeking the %d MB video (%.1f s): app peak RSS "
			  . "%.1f MB above its RSS before the first request", (-s $video) / $mb, $play_seconds,
			$serve_extra / $mb));
	cmp_ok($serve_extra, '<', $max_extra, sprintf("$name: the app stays under %d MB extra memory (%.1f MB)",
			$max_extra / $mb, $serve_extra / $mb));

	# every answer to the video's range requests: 206 with at most media.max_range_size bytes
	# (leaving out requests the browser gave up before the app answered: status "-")
	my @ranges = grep { m{^GET /media/$id "bytes=[^"]*" (?!- )} } split /\n/, slurp_file($srv->{log});
	my @bad = grep { !/" 206 (\d+) / || $1 > $cap } @ranges;
	ok(@ranges >= 3 && !@bad, sprintf("$name: the %d range requests (the browser's, curl's) were all answered 206 "
			  . "with at most %d MB", scalar @ranges, $cap / $mb))
	  or diag(join("\n", @bad ? @bad : @ranges));

	# a download without Range, from a fresh process: the route streams the whole file
	$srv = start_app($name, $app);
	$t0 = time;
	my ($dl_code, $dl_sha, $dl_size) = download("$srv->{base}/media/$id", @hdr);
	is("$dl_code $dl_size $dl_sha", "200 " . (-s $video) . " $video_sha",
		sprintf("$name: a GET without Range streams the whole file (%.1f s)", time - $t0));
	my $download_extra = app_extra_memory($srv);
	stop_app($srv);
	diag(sprintf("$name: download of the %d MB video without Range: app peak RSS %.1f MB above its "
			  . "RSS before the request", (-s $video) / $mb, $download_extra / $mb));
	cmp_ok($download_extra, '<', (-s $video) / 2, "$name: the download is streamed, not held whole");
}

$node->stop;
done_testing();

# Is a program on the PATH?
sub in_path
{
	my ($prog) = @_;
	return grep { -x "$_/$prog" } split /:/, $ENV{PATH};
}

# Makes a video of at least 200 MB (100 s of 640x360 noise at 16 Mbit/s, H.264 with AAC sound,
# moov first) that Chromium plays; returns its path and SHA-256. Noise keeps the bitrate up
# with x264's fastest preset.
sub make_video
{
	my ($path) = @_;
	my $t0 = time;
	my ($out, $err) = ('', '');
	IPC::Run::run([ 'ffmpeg', '-hide_banner', '-loglevel', 'error', '-y',
			'-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', '640x360', '-r', '25', '-i', '/dev/urandom',
			'-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '100',
			'-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '16M', '-maxrate', '16M', '-bufsize', '16M',
			'-g', '50', '-c:a', 'aac', '-b:a', '128k', '-movflags', '+faststart', $path ],
		'>', \$out, '2>', \$err, IPC::Run::timeout(300))
	  or die "ffmpeg failed: $err";
	my $size = -s $path // 0;
	cmp_ok($size, '>=', 200_000_000, sprintf("ffmpeg made a %.0f MB video (%.1f s)", $size / 1e6, time - $t0));
	return ($path, Digest::SHA->new(256)->addfile($path)->hexdigest);
}

# Starts an app from the README on a free port, connected to $node as $app->{role}; waits until
# it listens and records its RSS then. Returns {h, pid, base, log, rss}.
sub start_app
{
	my ($name, $app) = @_;
	my $port = PostgreSQL::Test::Cluster::get_free_port();
	my $log = "$tmp/$name-$port.log";
	my ($out, $err) = ('', '');
	local %ENV = (%ENV, PGHOST => $node->host, PGPORT => $node->port, PGDATABASE => 'postgres',
		PGUSER => $app->{role});
	my $h = IPC::Run::start([ @{ $app->{cmd} }, $readme, $port, $log ], '<', \undef, '>', \$out,
		'2>', \$err, IPC::Run::timeout(600));
	my $listening;
	for (1 .. 200)
	{
		$h->pump_nb;
		last unless $h->pumpable;
		last if $out =~ /^pid \d+$/m
		  && ($listening = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port));
		usleep(50_000);
	}
	die "$name app did not start: $out $err" unless $listening;
	close $listening;
	my ($pid) = $out =~ /^pid (\d+)$/m;
	return { h => $h, pid => $pid, base => "http://127.0.0.1:$port", log => $log, err => \$err,
		rss => proc_kb($pid, 'VmRSS') * 1024 };
}

# Stops an app (SIGTERM) and waits for it.
sub stop_app
{
	my ($srv) = @_;
	$srv->{h}->signal('TERM');
	eval { $srv->{h}->finish; };
	note("app stderr: ${ $srv->{err} }") if ${ $srv->{err} } ne '';
}

# Peak RSS of an app process above its RSS before its first request, in bytes.
sub app_extra_memory
{
	my ($srv) = @_;
	return proc_kb($srv->{pid}, 'VmHWM') * 1024 - $srv->{rss};
}

# A field of /proc/PID/status, in kB.
sub proc_kb
{
	my ($pid, $field) = @_;
	my $status = slurp_file("/proc/$pid/status");
	$status =~ /^$field:\s+(\d+) kB/m or die "no $field for process $pid";
	return $1;
}

# Runs curl; returns (HTTP status, body or, with -I, the headers).
sub curl
{
	my @args = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run([ 'curl', '-sS', '--noproxy', '*', '--max-time', '120', '-w', '\n%{http_code}', @args ],
		'>', \$out, '2>', \$err, IPC::Run::timeout(150));
	$out =~ s/\n(\d{3})$// or return (0, $err);
	return ($1, $out);
}

# GETs a URL into a file; returns (HTTP status, SHA-256 of the body, its size) and removes the file.
sub download
{
	my ($url, @args) = @_;
	my $file = "$tmp/download";
	my ($out, $err) = ('', '');
	IPC::Run::run([ 'curl', '-sS', '--noproxy', '*', '--max-time', '120', '-o', $file, '-w', '%{http_code}',
			@args, $url ], '>', \$out, '2>', \$err, IPC::Run::timeout(150));
	my $size = -s $file // 0;
	my $sha = $size ? Digest::SHA->new(256)->addfile($file)->hexdigest : '';
	unlink $file;
	return ($out, $sha, $size);
}

# Runs node with arguments; returns (success, stdout, stderr).
sub run_node
{
	my ($args, $timeout) = @_;
	my ($out, $err) = ('', '');
	my $ok = IPC::Run::run([ 'node', @$args ], '>', \$out, '2>', \$err, IPC::Run::timeout($timeout));
	return ($ok, $out, $err);
}
