# Hostile input through the server, each answered with a clean result or a
# clear error of the right SQLSTATE -- never a crash, an internal error
# (XX000) or a runaway allocation:
#   - decompression bombs for media.inflate() (54000 over media.max_inflated_size,
#     also at its largest setting), truncated and garbage zlib streams (22P03);
#   - images declaring huge dimensions (PNG, JPEG, GIF, BMP, WebP) through
#     media.probe() and media.put(), and media.thumbnail() when it exists;
#   - truncated uploads (finish after partial appends gives a file of what was
#     received), calls after finish or abort, calls in the wrong order, and
#     another owner's upload ids (P0002 naming the id);
#   - negative and huge ranges for media.read() (22023 / empty) and
#     media.http() (416 / 200);
#   - every invalid file of the shared corpus (MANIFEST.tsv valid=no) through
#     media.probe(), media.put() and media.thumbnail() when it exists.
# Throughout, pg_postmaster_start_time() must not change and the server log
# (log_error_verbosity = verbose, so SQLSTATEs are logged) must show no
# process terminated by a signal and no XX000.
use strict;
use warnings;
use Compress::Zlib;
use Digest::MD5 qw(md5_hex);
use Digest::SHA qw(sha256_hex);
use File::Basename qw(basename);
use File::Spec;
use IPC::Run;
use Time::HiRes qw(time);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgMediaTest qw(:DEFAULT sql_gen_bytes sqlstate_of server_problems proc_memory);

my $t0 = time;
my $node = media_node('hostile', conf => "log_error_verbosity = verbose\n");
my $start_time = $node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()');
my $log_offset = -s $node->logfile;

sub still_up
{
	my ($label) = @_;
	is($node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()'), $start_time,
		"$label: the server did not restart");
}

# asserts the SQLSTATE of sql (and, optionally, that the message matches)
sub state_is
{
	my ($sql, $want, $label, $msg_like) = @_;
	my ($state, $out, $err) = sqlstate_of($node, 'postgres', $sql);
	is($state, $want, "$label: SQLSTATE " . ($want eq '' ? 'none (success)' : $want)) or diag($err);
	like($err, $msg_like, "$label: the message says so") if $msg_like;
	return $out;
}

# --- decompression bombs ---
sub zlib_bomb
{
	my ($mb) = @_;
	my ($d) = deflateInit(-Level => Z_BEST_COMPRESSION);
	my $zero = "\0" x (1024 * 1024);
	my $out = '';
	for (1 .. $mb)
	{
		my ($o) = $d->deflate($zero);
		$out .= $o;
	}
	my ($o) = $d->flush();
	return $out . $o;
}
my $t = time;
my $bomb50 = zlib_bomb(50);
my $bomb1200 = zlib_bomb(1200);
note sprintf('bombs: 50 MB in %d bytes, 1200 MB in %d bytes (made in %.1f s)', length $bomb50, length $bomb1200, time - $t);

state_is('SET media.max_inflated_size = 1048576; SELECT length(media.inflate(' . sql_bytea($bomb50) . '))',
	'54000', 'inflate of a 50 MB bomb with media.max_inflated_size = 1MB', qr/exceed media\.max_inflated_size/);
state_is('SELECT length(media.inflate(' . sql_bytea($bomb50) . '))', '',
	'the same 50 MB stream under the default limit (64MB) inflates');
state_is('SELECT length(media.inflate(' . sql_bytea($bomb1200) . '))', '54000',
	'inflate of a 1200 MB bomb under the default limit');
# the same bomb at the largest setting: refused, and the memory given back
# (the backend is kept alive to read its /proc status after the error)
{
	my ($in, $out, $err) = ("\\set VERBOSITY verbose\nSELECT pg_backend_pid() AS pid \\gset\n\\warn PID :pid\n"
		  . "SET media.max_inflated_size = 1073741818;\n"
		  . 'SELECT length(media.inflate(' . sql_bytea($bomb1200) . "));\n\\warn DONE\n", '', '');
	my $h = IPC::Run::start([ 'psql', '-XAtq', '-d', $node->connstr('postgres') ],
		'<', \$in, '>', \$out, '2>', \$err, IPC::Run::timeout(120));
	$t = time;
	$h->pump until $err =~ /^DONE$/m;
	my ($pid) = $err =~ /^PID (\d+)$/m;
	my ($hwm, $anon) = proc_memory($pid);
	note sprintf('1200 MB bomb at the largest media.max_inflated_size: %.1f s, backend VmHWM %d kB, RssAnon %d kB after',
		time - $t, $hwm, $anon);
	like($err, qr/ERROR:\s+54000:/, 'inflate of a 1200 MB bomb at the largest media.max_inflated_size: 54000')
	  or diag($err);
	cmp_ok($anon, '<', 100 * 1024, 'the backend gave the inflated memory back (RssAnon under 100 MB after the error)');
	$in .= "\\q\n";
	$h->finish;
}
state_is(q{SELECT media.inflate('\x789c'::bytea)}, '22P03', 'inflate of a truncated zlib stream');
state_is(q{SELECT media.inflate('\x00112233445566'::bytea)}, '22P03', 'inflate of garbage');
still_up('after the bombs');

# --- images declaring huge dimensions ---
sub png_chunk { my ($type, $data) = @_; return pack('N', length $data) . $type . $data . pack('N', crc32($type . $data)); }
sub png_with
{
	my ($w, $h, %o) = @_;
	my $png = "\x89PNG\r\n\x1a\n" . png_chunk('IHDR', pack('NNCCCCC', $w, $h, 8, 2, 0, 0, 0));
	$png .= $o{idat} // png_chunk('IDAT', compress("\0\0\0\0"));
	return $png . png_chunk('IEND', '');
}
my $jpeg_huge = pack('H*', 'ffd8ffe000104a46494600010100000100010000'
	  . 'ffc0001108ffffffff03012200021101031101' . 'ffda000c03010002110311003f00' . '00' x 16 . 'ffd9');
my $gif_huge = 'GIF89a' . pack('vvCCC', 0xffff, 0xffff, 0x80, 0, 0) . "\0\0\0\xff\xff\xff"
  . "\x2c" . pack('vvvvC', 0, 0, 0xffff, 0xffff, 0) . "\x02\x02\x44\x01\x00\x3b";
my $bmp_huge = 'BM' . pack('VVV', 70, 0, 54) . pack('VVVvvVVVVVV', 40, 0x7fffffff, 0x80000000, 1, 24, 0, 0, 0, 0, 0, 0)
  . "\0" x 16;
my $webp_huge = 'RIFF' . pack('V', 22) . 'WEBPVP8X' . pack('V', 10) . "\x00\x00\x00\x00" . "\xff\xff\xff" . "\xff\xff\xff" . "\0" x 4;
# [bytes, declared width, declared height]: probes may report the declared
# size or null (unknown), nothing else
my %huge = (
	'png 2^31-1 x 2^31-1' => [ png_with(0x7fffffff, 0x7fffffff), 2147483647, 2147483647 ],
	'png 2^32-1 x 2^32-1' => [ png_with(0xffffffff, 0xffffffff), 4294967295, 4294967295 ],
	'png with a 2 GB IDAT length' => [ png_with(100000, 100000, idat => pack('N', 0x7fffffff) . 'IDAT' . "\0" x 64),
		100000, 100000 ],
	'jpeg 65535 x 65535' => [ $jpeg_huge, 65535, 65535 ],
	'gif 65535 x 65535' => [ $gif_huge, 65535, 65535 ],
	'bmp 2^31-1 x -2^31 (top-down)' => [ $bmp_huge, 2147483647, 2147483648 ],
	'webp 2^24 x 2^24' => [ $webp_huge, 16777216, 16777216 ],
);
# media.thumbnail(bytea, integer, integer [, more arguments with defaults])
my $has_thumbnail = $node->safe_psql('postgres', q{
	SELECT EXISTS (SELECT 1 FROM pg_proc p
	                WHERE p.pronamespace = 'media'::regnamespace AND p.proname = 'thumbnail'
	                  AND p.pronargs >= 3 AND p.pronargs - p.pronargdefaults <= 3
	                  AND p.proargtypes[0] = 'bytea'::regtype AND p.proargtypes[1] = 'integer'::regtype
	                  AND p.proargtypes[2] = 'integer'::regtype)});
note $has_thumbnail eq 't' ? 'media.thumbnail(bytea, integer, integer) exists: it is tested too'
  : 'media.thumbnail(bytea, integer, integer) does not exist (yet): not tested';
for my $what (sort keys %huge)
{
	my ($bytes, $dw, $dh) = @{ $huge{$what} };
	my $lit = sql_bytea($bytes);
	my $probe = state_is("SELECT p->>'mime_type', p->>'width', p->>'height' FROM media.probe($lit) p", '', "probe of a $what");
	my ($mime, $w, $h) = split /\|/, $probe // '', -1;
	$_ //= '' for $mime, $w, $h;
	ok(($w eq '' || $w == $dw) && ($h eq '' || $h == $dh),
		"probe of a $what: $mime " . ($w || 'null') . ' x ' . ($h || 'null') . ', the declared size or null');
	my $id = state_is("SELECT media.put($lit, 'huge.bin')", '', "put of a $what");
	if (($id // '') =~ /^\d+$/)
	{
		my $col = sub { $_[0] eq '' || $_[0] > 2147483647 ? 'null' : $_[0] };
		is($node->safe_psql('postgres', "SELECT md5(media.get($id)), COALESCE(width::text, 'null'), COALESCE(height::text, 'null')
			FROM media.files WHERE id = $id"), md5_hex($bytes) . '|' . $col->($w) . '|' . $col->($h),
			"put of a $what: stored byte for byte; width and height as probed (null beyond integer)");
	}
	if ($has_thumbnail eq 't')
	{
		my ($state, undef, $err) = sqlstate_of($node, 'postgres', "SELECT length(media.thumbnail($lit, 64, 64))");
		ok($state !~ /^(XX|58)|no SQLSTATE/, "thumbnail of a $what: no internal error (" . ($state || 'ok') . ')')
		  or diag($err);
	}
}
still_up('after the huge images');

# --- truncated uploads ---
my $corpus = $ENV{PG_MEDIA_CORPUS} // '';
my ($jpeg_path) = -f "$corpus/MANIFEST.tsv"
  ? grep { -s "$corpus/$_" > 20_000 } map { (split /\t/)[0] } grep { /\tjpeg\t.*\tyes\t/ } split /\n/, slurp_file("$corpus/MANIFEST.tsv")
  : ();
my $jpeg = $jpeg_path ? slurp_file("$corpus/$jpeg_path") : $jpeg_huge . gen_bytes('jpeg-tail', 30_000);
note 'truncated upload of ' . ($jpeg_path // 'a generated JPEG') . ' (' . length($jpeg) . ' bytes)';
my $cut = int(length($jpeg) * 0.4);
my $up = $node->safe_psql('postgres', "SELECT media.upload_begin('truncated.jpg')");
$node->safe_psql('postgres', "SELECT media.upload_append($up, " . sql_bytea(substr($jpeg, 0, 5000)) . ')');
is($node->safe_psql('postgres', "SELECT media.upload_append($up, " . sql_bytea(substr($jpeg, 5000, $cut - 5000)) . ')'),
	$cut, 'a JPEG is appended partially');
my $fid = state_is("SELECT media.upload_finish($up)", '', 'upload_finish of a truncated JPEG');
my ($size, $sha, $mime, $removed) = split /\|/, $node->safe_psql('postgres',
	"SELECT byte_size, encode(sha256, 'hex'), mime_type, attrs ? 'location_removed' FROM media.files WHERE id = $fid");
is($size, $cut, "the file holds what was received ($cut bytes, $mime)");
is($sha, sha256_hex(substr($jpeg, 0, $cut)), 'byte for byte') if $removed eq 'f';
is($node->safe_psql('postgres', "SELECT ok FROM media.verify($fid)"), 't', 'and verifies');
state_is("SELECT media.upload_append($up, '\\x00'::bytea)", 'P0002', 'append after finish', qr/upload $up does not exist/);
state_is("SELECT media.upload_finish($up)", 'P0002', 'finish twice', qr/upload $up does not exist/);
state_is("SELECT media.upload_status($up)", 'P0002', 'status after finish', qr/upload $up does not exist/);

# --- calls in the wrong order ---
my $never = 1234567890123;
state_is("SELECT media.upload_append($never, '\\x00'::bytea)", 'P0002', 'append before begin', qr/upload $never does not exist/);
state_is("SELECT media.upload_finish($never)", 'P0002', 'finish before begin', qr/upload $never does not exist/);
state_is('SELECT media.upload_append(-1, \'\\x00\'::bytea)', 'P0002', 'append to a negative id', qr/upload -1 does not exist/);
my $ab = $node->safe_psql('postgres', "SELECT media.upload_begin('aborted.bin')");
$node->safe_psql('postgres', "SELECT media.upload_append($ab, '\\x0102'::bytea)");
state_is("SELECT media.upload_abort($ab)", '', 'abort');
state_is("SELECT media.upload_append($ab, '\\x00'::bytea)", 'P0002', 'append after abort', qr/upload $ab does not exist/);
state_is("SELECT media.upload_finish($ab)", 'P0002', 'finish after abort', qr/upload $ab does not exist/);
state_is("SELECT media.upload_abort($ab)", 'P0002', 'abort twice', qr/upload $ab does not exist/);
my $empty = $node->safe_psql('postgres', "SELECT media.upload_begin('nothing.bin')");
my $eid = state_is("SELECT media.upload_finish($empty)", '', 'finish with no part appended');
is($node->safe_psql('postgres', "SELECT byte_size FROM media.files WHERE id = $eid"), '0', 'gives an empty file');

# --- another owner's upload ---
my $alice = $node->safe_psql('postgres', "SET media.owner = 'alice'; SELECT media.upload_begin('alice.bin')");
$node->safe_psql('postgres', "SET media.owner = 'alice'; SELECT media.upload_append($alice, '\\x0102030405'::bytea)");
for my $call ("upload_append($alice, '\\x00'::bytea)", "upload_status($alice)", "upload_finish($alice)", "upload_abort($alice)")
{
	(my $fn = $call) =~ s/\(.*//;
	state_is("SET media.owner = 'mallory'; SELECT media.$call", 'P0002', "$fn of alice's upload as mallory",
		qr/upload $alice does not exist/);
}
state_is("SELECT media.upload_status($alice)", 'P0002', "upload_status of alice's upload as the default owner");
is($node->safe_psql('postgres', "SET media.owner = 'alice'; SELECT media.upload_status($alice)"), '5',
	"alice's upload is untouched");
my $aid = $node->safe_psql('postgres', "SET media.owner = 'alice'; SELECT media.upload_finish($alice)");
is($node->safe_psql('postgres', "SELECT owner, byte_size FROM media.files WHERE id = $aid"), 'alice|5',
	'and alice can finish it');
still_up('after the upload misuse');

# --- ranges ---
my $rid = $node->safe_psql('postgres', 'SELECT media.put(' . sql_gen_bytes('ranges', 200_000) . ", 'ranges.bin')");
state_is("SELECT media.read($rid, -1, 10)", '22023', 'read with a negative start', qr/start must not be negative/);
state_is("SELECT media.read($rid, 0, -1)", '22023', 'read with a negative length', qr/length must not be negative/);
state_is("SELECT media.read($rid, -9223372036854775808, -2147483648)", '22023', 'read with the most negative start and length');
is($node->safe_psql('postgres', "SELECT length(media.read($rid, 9223372036854775807, 2147483647)),
	length(media.read($rid, 4611686018427387904, 10)), length(media.read($rid, 200000, 1)),
	md5(media.read($rid, 199995, 2147483647)) = md5(substring(media.get($rid) FROM 199996))"),
	'0|0|0|t', 'read past the end is empty; a huge length is clamped to the end');
my %ranges = (
	'bytes=99999999999999999999-' => 416,
	'bytes=18446744073709551615-18446744073709551615' => 416,
	'bytes=9223372036854775807-' => 416,
	'bytes=200000-' => 416,
	'bytes=-0' => 416,
	'garbage' => 200,
	'bytes=abc' => 200,
	'bytes=--5' => 200,
	'bytes=1-2-3' => 200,
	'bytes=5-2' => 200,
	'' => 200,
	'bytes=0-99999999999999999999' => 206,
	'bytes=-99999999999999999999' => 206,
	'bytes=199990-' => 206,
);
for my $range (sort keys %ranges)
{
	my $out = state_is("SELECT status, md5(body), headers->>'Content-Range' FROM media.http($rid, '$range')", '',
		"http with Range '$range'");
	my ($status, $md5, $crange) = split /\|/, $out // '', -1;
	is($status, $ranges{$range}, "http with Range '$range': $ranges{$range}");
	if ($status eq '206' && $crange =~ m{^bytes (\d+)-(\d+)/200000$})
	{
		is($md5, $node->safe_psql('postgres', "SELECT md5(media.read($rid, $1, $2 - $1 + 1))"),
			"http with Range '$range': the body is bytes $1-$2");
	}
}
state_is("SELECT status FROM media.http($rid, NULL, NULL, 'DELETE')", '22023', 'http with an unsupported method');
state_is("SELECT status FROM media.http($rid, repeat('bytes=0-1,', 100000), repeat('\"x\", ', 100000))", '',
	'http with a 1 MB Range and If-None-Match');
still_up('after the ranges');

# --- the invalid files of the shared corpus ---
SKIP:
{
	skip "no corpus at '$corpus' (PG_MEDIA_CORPUS)", 5 unless -f "$corpus/MANIFEST.tsv";
	my @lines = split /\n/, slurp_file("$corpus/MANIFEST.tsv");
	shift @lines;
	my @invalid = grep { -f "$corpus/$_" }
	  map { my @f = split /\t/, $_, -1; ($f[6] // '') eq 'no' ? $f[0] : () } @lines;
	my $script = "\\set VERBOSITY verbose\nSET media.allow_active_content = on;\n";
	my $n = 0;
	for my $path (@invalid)
	{
		$n++;
		my $file = "pg_read_binary_file(\$p\$" . File::Spec->rel2abs("$corpus/$path") . "\$p\$)";
		$script .= "\\warn CALL $n probe\nSELECT media.probe($file) IS NOT NULL;\n";
		$script .= "\\warn CALL $n put\nSELECT media.put($file, \$p\$" . basename($path) . "\$p\$) > 0;\n";
		$script .= "\\warn CALL $n thumbnail\nSELECT length(media.thumbnail($file, 64, 64)) >= 0;\n"
		  if $has_thumbnail eq 't';
	}
	$script .= "\\warn END\n";
	$t = time;
	my ($rc, $out, $err) = psql_ok($node, 'postgres', $script, on_error_stop => 0);
	my (%states, %by_call);
	my $call = '';
	for my $line (split /\n/, $err)
	{
		if ($line =~ /^CALL (\d+) (\w+)$/) { $call = "$1 $2"; next; }
		if ($line =~ /^(?:psql:\S+ )?(ERROR|FATAL|PANIC):\s+([0-9A-Z]{5}):/) { $states{$2}++; $by_call{$call} = $2; }
	}
	my %calls;
	$calls{ (split / /)[1] }++ for keys %by_call;
	note sprintf('%d invalid corpus files, %d calls in %.1f s; errors by SQLSTATE: %s; by function: %s',
		scalar @invalid, $n * ($has_thumbnail eq 't' ? 3 : 2), time - $t,
		join(', ', map { "$_ x$states{$_}" } sort keys %states) || 'none',
		join(', ', map { "$_ x$calls{$_}" } sort keys %calls) || 'none');
	like($err, qr/^END$/m, 'every invalid corpus file was processed (the session was not cut off)') or diag($err);
	my $answers = () = $out =~ /^t$/mg;
	is($answers + scalar(keys %by_call), $n * ($has_thumbnail eq 't' ? 3 : 2),
		"each call gave a result or an error ($answers results)");
	is(scalar(grep { /^XX|^58/ } keys %states), 0, 'no internal or system error (XX000, 58xxx) for an invalid corpus file')
	  or diag(join("\n", map { "call $_: $by_call{$_} $invalid[(split / /)[0] - 1]" } grep { $by_call{$_} =~ /^XX|^58/ } sort keys %by_call));
	is(scalar(grep { /probe$/ } keys %by_call), 0, 'media.probe() accepts every invalid corpus file')
	  or diag(join("\n", map { "$_: $by_call{$_} $invalid[(split / /)[0] - 1]" } grep { /probe$/ } sort keys %by_call));
	still_up('after the invalid corpus files');
}

my @problems = server_problems($node, $log_offset);
is(scalar @problems, 0, 'the server log shows no process terminated by a signal and no XX000') or diag(join("\n", @problems));
note sprintf('total %.1f s', time - $t0);
done_testing();
