# Video posters (issue 14): media.transform() of every video of the shared
# corpus (MANIFEST.tsv, video/* rows; skipped without the corpus): MP4, MOV,
# 3GP, WebM and MKV files give a poster that fits the box with the display
# aspect ratio (as ffprobe gives it: pixel aspect ratio applied) and matches, within 25 dB PSNR, the frame FFmpeg's own tool
# shows at the key frame posters are taken at (the first at or after
# min(1 s, 10% of the duration), else the last before it); the other
# containers are refused with SQLSTATE 0A000.  Then a generated 72 MB video
# of 10 s with a single key frame, stored in 64 kB chunks, whose poster
# makes the backend read some 60 MB through the chunk store: it is made
# with media.max_file_size at 1 MB (so the file is never read whole) and
# the backend's peak memory stays under 100 MB; statement_timeout and
# pg_cancel_backend() stop it with SQLSTATE 57014 within a second.  With a
# chunk deleted, the chunk store's error (XX001), raised inside FFmpeg's
# read callback, comes out as it was raised, a PL/pgSQL handler catches it
# and the session goes on; the server log shows no crash.
use strict;
use warnings;
use File::Temp qw(tempdir);
use MIME::Base64 qw(decode_base64);
use Time::HiRes qw(time usleep);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgMediaTest qw(:DEFAULT sqlstate_of server_problems);

my $corpus = $ENV{PG_MEDIA_CORPUS} // '';
my $src = $ENV{PG_MEDIA_SRC} or die "PG_MEDIA_SRC is not set";
my $box = 128;
my $node = media_node('posters', conf => "shared_buffers = 32MB\n");
my $dir = tempdir(DIR => $PostgreSQL::Test::Utils::tmp_check, CLEANUP => 1);
chmod 0755, $dir;
my $have_ffmpeg = system('sh', '-c', 'command -v ffmpeg && command -v ffprobe >/dev/null 2>&1') == 0;

# width and height from a PNG's IHDR
sub png_size
{
	my ($bytes) = @_;
	return (0, 0) unless length($bytes) > 24 && substr($bytes, 1, 3) eq 'PNG';
	return unpack('NN', substr($bytes, 16, 8));
}

# The display size of a video by ffprobe: its stored size with the pixel aspect
# ratio applied, turned for a display matrix of a quarter turn.
sub display_size
{
	my ($file) = @_;
	my $info = run_out('ffprobe', '-v', 'error', '-select_streams', 'v:0', '-show_entries',
		'stream=width,height,sample_aspect_ratio:stream_side_data=rotation', '-of', 'default=nw=1', $file);
	my ($w) = $info =~ /^width=(\d+)/m;
	my ($h) = $info =~ /^height=(\d+)/m;
	my ($sn, $sd) = $info =~ /^sample_aspect_ratio=(\d+):(\d+)/m;
	my ($rot) = $info =~ /^rotation=(-?\d+)/m;
	$w = int($w * $sn / $sd + 0.5) if $sn && $sd;
	($w, $h) = ($h, $w) if defined $rot && abs($rot) % 180 == 90;
	return ($w, $h);
}

# the output of a command (dies when it fails)
sub run_out
{
	my @cmd = @_;
	open my $p, '-|', @cmd or die "$cmd[0]: $!";
	local $/;
	my $out = <$p>;
	close $p or die "@cmd failed";
	return $out;
}

# The time (seconds from the file's start) of the key frame a poster is taken
# at, by FFmpeg's ffprobe: the first at or after min(1 s, 10% of the video
# stream's duration, else the file's), else the last before it.
sub poster_time
{
	my ($file) = @_;
	my $info = run_out('ffprobe', '-v', 'error', '-select_streams', 'v:0', '-show_entries',
		'stream=start_time,duration:format=start_time,duration', '-of', 'default=nw=1', $file);
	my ($st_start) = $info =~ /^start_time=([\d.]+)/m;
	my @durs = $info =~ /^duration=([\d.]+)/mg;
	my ($fmt_start) = ($info =~ /^start_time=([\d.]+)/mg)[-1];
	my $dur = $durs[0];
	my $at = 1.0;
	$at = $dur / 10 if defined $dur && $dur > 0 && $dur / 10 < 1;
	$at += $st_start // 0;
	my @keys = grep { /^[\d.]+$/ } split /\n/,
	  run_out('ffprobe', '-v', 'error', '-select_streams', 'v:0', '-skip_frame', 'nokey',
		'-show_entries', 'frame=pts_time', '-of', 'csv=p=0', $file);
	my ($after) = grep { $_ >= $at - 0.0005 } @keys;
	my $t = $after // $keys[-1] // 0;
	return $t - ($fmt_start // 0);
}

SKIP:
{
	skip "shared corpus not found at '$corpus'", 5 unless -f "$corpus/MANIFEST.tsv";
	skip 'ffmpeg is not installed', 5 unless $have_ffmpeg;
	system('cc', '-O2', '-o', "$dir/psnr", "$src/test/tools/psnr.c", '-lpng', '-lm') == 0
	  or BAIL_OUT('cannot build test/tools/psnr.c');
	open my $mf, '<', "$corpus/MANIFEST.tsv" or die $!;
	<$mf>;
	my (@posters, @refused);
	while (<$mf>)
	{
		chomp;
		my ($path, $pkg, $format, $w, $h, $mime, $valid) = split /\t/, $_, -1;
		next unless $valid eq 'yes' && $mime =~ m{^video/};
		if ($mime =~ m{^video/(mp4|quicktime|3gpp|webm|x-matroska)$}) { push @posters, [$path] }
		else { push @refused, $path }
	}
	close $mf;
	my ($made, $fits, $same_frame, @bad) = (0, 0, 0);
	for my $f (@posters)
	{
		my ($path) = @$f;
		my $full = "$corpus/$path";
		my ($w, $h) = display_size($full);
		(my $lit = $full) =~ s/'/''/g;
		my ($rc, $out, $err) = $node->psql('postgres', qq{
SELECT media.put(pg_read_binary_file('$lit'), 'clip') AS id \\gset
SELECT encode(media.transform(:id, $box, $box, format => 'png'), 'base64')});
		if ($rc != 0) { push @bad, "$path: $err"; next }
		my $png = decode_base64($out);
		my ($tw, $th) = png_size($png);
		next unless $tw > 0;
		$made++;
		# contain: one side fills the box (or the whole picture is smaller), aspect within a pixel
		if (($tw == $box || $th == $box || ($tw == $w && $th == $h))
			&& (abs($tw * $h / $w - $th) <= 1 || abs($th * $w / $h - $tw) <= 1))
		{
			$fits++;
		}
		else { push @bad, "$path: ${tw}x$th for ${w}x$h" }
		open my $o, '>:raw', "$dir/ours.png" or die $!;
		print $o $png;
		close $o;
		my $t = poster_time($full);
		# (no -ss for the first frame: ffmpeg finds no frame after a seek in some files)
		system('ffmpeg', '-v', 'error', '-y', ($t > 0.0005 ? ('-ss', sprintf('%.6f', $t)) : ()), '-i', $full, '-frames:v', '1',
			'-vf', "scale=${tw}:${th}:flags=lanczos", "$dir/ref.png") == 0
		  or do { push @bad, "$path: ffmpeg failed"; next };
		my $psnr = `$dir/psnr $dir/ours.png $dir/ref.png`;
		chomp $psnr;
		$psnr = 999 if $psnr eq 'inf';
		note(sprintf('%s: %dx%d poster of the key frame at %.3f s, PSNR %s dB against ffmpeg', $path, $tw, $th, $t, $psnr));
		if ($psnr =~ /^[\d.]+$/ && $psnr >= 25) { $same_frame++ } else { push @bad, "$path: PSNR '$psnr' at $t s" }
	}
	my $refused_ok = 0;
	for my $path (@refused)
	{
		(my $lit = "$corpus/$path") =~ s/'/''/g;
		my ($state, $out, $err) = sqlstate_of($node, 'postgres',
			"SELECT media.put(pg_read_binary_file('$lit'), 'other') AS id \\gset\nSELECT media.transform(:id, $box, $box)");
		if ($state eq '0A000') { $refused_ok++ } else { push @bad, "$path: SQLSTATE '$state' $err" }
	}
	diag(join("\n", @bad)) if @bad;
	cmp_ok(scalar(@posters), '>=', 5, scalar(@posters) . ' corpus MP4, MOV, 3GP, WebM and MKV videos');
	is($made, scalar(@posters), 'every one gives a poster');
	is($fits, scalar(@posters), "every poster fits the ${box}x$box box with the display aspect ratio");
	is($same_frame, scalar(@posters), 'every poster is the frame ffmpeg shows at the key frame chosen (PSNR >= 25 dB)');
	is($refused_ok, scalar(@refused), scalar(@refused) . ' videos in other containers (MPEG-PS, Ogg, ASF, FLV) are refused with 0A000');
}

SKIP:
{
	skip 'ffmpeg is not installed', 13 unless $have_ffmpeg;
	# 10 s of noise at a high bitrate, one key frame: the poster (at 1 s) finds no key
	# frame after it and reads the stream up to its end for one
	system('ffmpeg', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=640x360:r=25,noise=alls=100:allf=t',
		'-t', '10', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '8', '-g', '1000',
		'-keyint_min', '1000', '-pix_fmt', 'yuv420p', "$dir/long.mp4") == 0
	  or BAIL_OUT('ffmpeg could not make the long video');
	chmod 0644, "$dir/long.mp4";
	my $size = -s "$dir/long.mp4";
	my $id = $node->safe_psql('postgres', qq{
SET media.chunk_size = '64kB';
SELECT media.put(pg_read_binary_file('$dir/long.mp4'), 'long.mp4')});
	my $offset = -s $node->logfile;

	# a fresh backend: the poster with whole-file reads refused, then its peak memory
	my $t0 = time;
	my ($rc, $out, $err) = $node->psql('postgres', qq{
SET media.max_file_size = '1MB';
SELECT length(media.transform($id, 64, 64, format => 'png')) > 0;
SELECT substring(pg_read_file('/proc/self/status') FROM 'VmHWM:\\s*(\\d+) kB')});
	my $took = time - $t0;
	my ($made, $hwm) = split /\n/, $out;
	is($made, 't', sprintf('the poster of a %.0f MB video is made with media.max_file_size at 1 MB', $size / 1e6))
	  or diag($err);
	note(sprintf('poster of the %d-byte video in %.2f s; backend VmHWM %s kB', $size, $took, $hwm // '?'));
	cmp_ok($hwm // 1e9, '<', 100 * 1024, 'the backend stays under 100 MB (the file is read a chunk at a time)');

	# statement_timeout: canceled within a second of the timeout, with 57014
	$t0 = time;
	my ($state, undef, $err2) = sqlstate_of($node, 'postgres', qq{
SET statement_timeout = '100ms';
SELECT media.transform($id, 48, 48, format => 'png')});
	my $stopped = time - $t0;
	is($state, '57014', 'statement_timeout stops a poster with SQLSTATE 57014') or diag($err2);
	cmp_ok($stopped, '<', 1.1, sprintf('within a second of the timeout (%.2f s)', $stopped));
	cmp_ok($took, '>', 0.25, sprintf('(the uncanceled poster took %.2f s, longer than the timeout)', $took));

	# pg_cancel_backend() from another session
	my $h = $node->background_psql('postgres', on_error_stop => 0);
	my $pid = $h->query_safe('SELECT pg_backend_pid()');
	$h->query_until(qr/start/, "\\echo start\nSELECT media.transform($id, 40, 40, format => 'png');\n");
	usleep(150_000);
	$node->safe_psql('postgres', "SELECT pg_cancel_backend($pid)");
	$t0 = time;
	my $res = $h->query('SELECT 1');
	like($h->{stderr}, qr/canceling statement due to user request/, 'pg_cancel_backend() stops a poster');
	cmp_ok(time - $t0, '<', 1.0, 'and the session is usable again at once');
	$h->quit;

	is($node->safe_psql('postgres', "SELECT length(media.transform($id, 32, 32)) > 0"), 't',
		'the same poster completes afterwards');

	# a chunk in the middle gone: the chunk store's error, raised inside FFmpeg's read
	# callback, is carried out of FFmpeg and raised again with its own SQLSTATE (XX001);
	# caught by a PL/pgSQL handler, the session goes on (its SPI state and user restored)
	$node->safe_psql('postgres', qq{
DELETE FROM media.chunks c USING media.files f
 WHERE f.id = $id AND c.blob_id = f.blob_id
   AND c.start = (SELECT max(start) FROM media.chunks WHERE blob_id = f.blob_id AND start < f.byte_size / 2)});
	($state, undef, $err2) = sqlstate_of($node, 'postgres', "SELECT media.transform($id, 50, 50, format => 'png')");
	is($state, 'XX001', 'a read error inside FFmpeg comes out as the chunk store raised it') or diag($err2);
	like($err2, qr/stored content is missing bytes at offset/, 'with its message');
	my ($rc2, $out2, $err3) = $node->psql('postgres', qq{
DO \$\$ BEGIN PERFORM media.transform($id, 51, 51);
EXCEPTION WHEN data_corrupted THEN RAISE NOTICE 'caught %', SQLSTATE; END \$\$;
SELECT media.read($id, 0, 8) = substring(pg_read_binary_file('$dir/long.mp4', 0, 8) FROM 1 FOR 8);});
	like($err3, qr/NOTICE:\s+caught XX001/, 'a PL/pgSQL handler catches it') or diag($err3);
	is($out2, 't', 'and the same session reads the chunk store again') or diag($err3);
	is(join("\n", server_problems($node, $offset)), '', 'no crash, PANIC or XX000 in the server log');
}

done_testing();
