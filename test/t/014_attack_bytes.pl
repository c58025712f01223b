# Issue 12, attacks 7 and 8, replayed against a server: hostile bytes.
#
# Attack 7: location survived in PNG "Raw profile type exif" text chunks,
# JPEG GPS pointers in the Exif IFD or IFD1, behind an "Exif\0\xff" header,
# TIFF files, XMP packets (JPEG APP1, PNG iTXt) and every upload above
# media.max_file_size.  Each file is built here, stored through media.put()
# and through media.upload_*() (the big one with a reconnect and resume in
# the middle), and must come back with no GPS bytes, the same length, the
# same decoded pixels (thumbnails of the original and of the stored bytes,
# at full size, are equal) and attrs.location_removed naming what went.
#
# Attack 8: a 69-byte interlaced PNG declaring 10000 x 10000 RGBA made one
# backend allocate 400 MB and ignore a 300 ms statement_timeout; a
# progressive JPEG declaring 8000 x 8000 needs 384 MB of coefficients;
# media.deflate() of 128 MB honoured a timeout only when zlib was done.  Now the
# images are refused with 54000 before allocating (backend VmHWM stays far
# below the image, read from /proc as in 025_memory.pl) and the deflate is
# cancelled within a second.
use strict;
use warnings;
use Compress::Zlib;
use Digest::SHA qw(sha256_hex);
use Time::HiRes qw(time);
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgMediaTest qw(:DEFAULT sqlstate_of server_problems proc_memory);

my $node = media_node('attack_bytes',
	conf => "shared_preload_libraries = 'pg_media'\nshared_buffers = 16MB\n"
	  . "log_error_verbosity = verbose\n");
my $log_offset = -s $node->logfile;

sub sq { return $node->safe_psql('postgres', $_[0]) }
sub hex_of { return unpack('H*', $_[0]) }
sub lit { return "'\\x" . hex_of($_[0]) . "'::bytea" }

# --- building files ---

sub png_chunk
{
	my ($type, $data) = @_;
	return pack('N', length $data) . $type . $data . pack('N', crc32($type . $data));
}

# an RGB PNG of w x h with deterministic pixels; extra chunks go after IHDR
sub make_png
{
	my ($w, $h, @extra) = @_;
	my $raw = '';
	for my $y (0 .. $h - 1)
	{
		$raw .= "\0" . join('', map { chr(($_ * 37 + $y * 11) & 255) } 0 .. 3 * $w - 1);
	}
	return "\x89PNG\r\n\x1a\n"
	  . png_chunk('IHDR', pack('NNCCCCC', $w, $h, 8, 2, 0, 0, 0))
	  . join('', @extra)
	  . png_chunk('IDAT', compress($raw))
	  . png_chunk('IEND', '');
}

# Big-endian TIFF structure: IFD0 {ExifIFD} -> IFD1, Exif IFD, IFD1, GPS IFD
# {LatitudeRef N, Latitude 52/1 31/1 1234/100}; the GPS pointer sits in the
# Exif IFD ($where = 'exif') or in IFD1 ($where = 'ifd1'), never in IFD0.
my $lat_bytes = pack('N6', 52, 1, 31, 1, 1234, 100);
sub exif_tiff
{
	my ($where) = @_;
	my $gps_in_exif = $where eq 'exif' ? 0x8825 : 0x0100;
	my $gps_in_ifd1 = $where eq 'ifd1' ? 0x8825 : 0x0100;
	return "MM\0\x2a" . pack('N', 8)
	  . pack('n', 1) . pack('nnNN', 0x8769, 4, 1, 26) . pack('N', 44)
	  . pack('n', 1) . pack('nnNN', $gps_in_exif, 4, 1, 62) . pack('N', 0)
	  . pack('n', 1) . pack('nnNN', $gps_in_ifd1, 4, 1, 62) . pack('N', 0)
	  . pack('n', 2) . pack('nnNa4', 1, 2, 2, "N\0\0\0") . pack('nnNN', 2, 5, 3, 92) . pack('N', 0)
	  . $lat_bytes;
}

my $xmp = '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
  . '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
  . '<rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/"'
  . ' exif:GPSLatitude="48,51.5N" exif:GPSLongitude="2,17.4E">'
  . '<exif:GPSAltitude>35/1</exif:GPSAltitude><dc:title>Paris</dc:title>'
  . '</rdf:Description></rdf:RDF></x:xmpmeta>' . (' ' x 64) . '<?xpacket end="w"?>';

sub app1 { my ($body) = @_; return "\xff\xe1" . pack('n', length($body) + 2) . $body }

# a baseline JPEG of the PNG's pixels, made by the server itself
my $base_png = make_png(64, 48);
my $jpeg = pack('H*', sq("SELECT encode(media.thumbnail(" . lit($base_png) . ", 64, 48, 'jpeg'), 'hex')"));
ok(substr($jpeg, 0, 2) eq "\xff\xd8", 'fixture: the server made a JPEG');
sub jpeg_with { return substr($jpeg, 0, 2) . join('', @_) . substr($jpeg, 2) }

# a TIFF file: 4 x 4 gray, one strip, GPS IFD and an XMP packet (tag 700)
sub make_tiff
{
	my $pixels = join('', map { chr($_ * 16) } 0 .. 15);
	my @entries = (
		[ 256, 3, 1, 4 << 16 ], [ 257, 3, 1, 4 << 16 ], [ 258, 3, 1, 8 << 16 ],
		[ 259, 3, 1, 1 << 16 ], [ 262, 3, 1, 1 << 16 ], [ 273, 4, 1, 'STRIP' ],
		[ 277, 3, 1, 1 << 16 ], [ 278, 3, 1, 4 << 16 ], [ 279, 4, 1, 16 ],
		[ 700, 1, length($xmp), 'XMP' ], [ 0x8825, 4, 1, 'GPS' ]);
	my $ifd_len = 2 + 12 * @entries + 4;
	my $gps_at = 8 + $ifd_len;
	my $gps = pack('n', 2) . pack('nnNa4', 1, 2, 2, "N\0\0\0") . pack('nnNN', 2, 5, 3, $gps_at + 30) . pack('N', 0) . $lat_bytes;
	my $xmp_at = $gps_at + length $gps;
	my $strip_at = $xmp_at + length $xmp;
	my %at = (STRIP => $strip_at, XMP => $xmp_at, GPS => $gps_at);
	my $ifd = pack('n', scalar @entries)
	  . join('', map { pack('nnNN', $_->[0], $_->[1], $_->[2], $_->[3] =~ /^\d+$/ ? $_->[3] : $at{ $_->[3] }) } @entries)
	  . pack('N', 0);
	return ("MM\0\x2a" . pack('N', 8) . $ifd . $gps . $xmp . $pixels, $strip_at);
}

my $hexlat = '000000340000000100';    # 52/1 in a raw profile's hex digits
sub raw_profile
{
	my ($data) = @_;
	my $hex = hex_of($data);
	$hex =~ s/(.{72})/$1\n/g;
	return "\nexif\n" . sprintf('%8d', length $data) . "\n$hex\n";
}

my ($tiff, $strip_at) = make_tiff();
my %files = (
	'png-raw-profile' => [ make_png(64, 48, png_chunk('tEXt', "Raw profile type exif\0" . raw_profile("Exif\0\0" . exif_tiff('exif')))),
		'png-raw-profile', 'png' ],
	'png-ztxt-raw-profile' => [ make_png(64, 48, png_chunk('zTXt', "Raw profile type exif\0\0" . compress(raw_profile("Exif\0\0" . exif_tiff('ifd1'))))),
		'png-raw-profile', 'png' ],
	'png-itxt-xmp' => [ make_png(64, 48, png_chunk('iTXt', "XML:com.adobe.xmp\0\0\0\0\0" . $xmp)), 'xmp-gps', 'png' ],
	'jpeg-exif-ifd' => [ jpeg_with(app1("Exif\0\0" . exif_tiff('exif'))), 'exif-gps', 'jpeg' ],
	'jpeg-ifd1-exif-ff' => [ jpeg_with(app1("Exif\0\xff" . exif_tiff('ifd1'))), 'exif-gps', 'jpeg' ],
	'jpeg-xmp' => [ jpeg_with(app1("http://ns.adobe.com/xap/1.0/\0" . $xmp)), 'xmp-gps', 'jpeg' ],
	'tiff' => [ $tiff, 'exif-gps', 'tiff' ],);

# the location bytes a file must not keep
sub location_left
{
	my ($bytes) = @_;
	my @left;
	push @left, 'GPS latitude' if index($bytes, $lat_bytes) >= 0;
	push @left, 'raw profile latitude' if index($bytes, $hexlat) >= 0;
	push @left, 'XMP GPS' if $bytes =~ /GPS(Latitude|Longitude|Altitude)|48,51\.5N/;
	push @left, 'compressed raw profile' if $bytes =~ /zTXt/;
	return join(', ', @left);
}

# decoded pixels, compared through a full-size PNG thumbnail made by the server
sub pixels
{
	my ($bytes, $w, $h) = @_;
	return sq("SELECT md5(media.thumbnail(" . lit($bytes) . ", $w, $h, 'png'))");
}

sub upload_file
{
	my ($bytes, $part) = @_;
	my $id = sq("SELECT media.upload_begin('f', NULL, NULL)");
	for (my $o = 0; $o < length $bytes; $o += $part)
	{
		sq("SELECT media.upload_append($id, " . lit(substr($bytes, $o, $part)) . ')');
	}
	return sq("SELECT media.upload_finish($id)");
}

for my $name (sort keys %files)
{
	my ($bytes, $what, $kind) = @{ $files{$name} };
	isnt(location_left($bytes), '', "$name: the fixture carries location");
	for my $path ('put', 'upload')
	{
		my $id = $path eq 'put'
		  ? sq("SELECT media.put(" . lit($bytes) . ", '$name')")
		  : upload_file($bytes, 2000);
		my ($stored_hex, $attrs, $sha_ok) = split /\|/,
		  sq("SELECT encode(media.get($id), 'hex'), attrs->'location_removed', sha256 = sha256(media.get($id)) FROM media.files WHERE id = $id");
		my $stored = pack('H*', $stored_hex);
		is(location_left($stored), '', "$name via $path: no location left");
		is(length($stored), length($bytes), "$name via $path: same length");
		like($attrs // '', qr/"\Q$what\E"/, "$name via $path: attrs.location_removed names $what ($attrs)");
		is($sha_ok, 't', "$name via $path: sha256 is that of the stored bytes");
		if ($kind eq 'tiff')
		{
			is(substr($stored, $strip_at), substr($bytes, $strip_at), "$name via $path: the strip (pixels) is untouched");
		}
		else
		{
			is(pixels($stored, 64, 48), pixels($bytes, 64, 48), "$name via $path: decoded pixels unchanged");
		}
	}
}

# --- an upload far above media.max_file_size, with a reconnect and a resume ---
{
	my $big = jpeg_with(app1("Exif\0\0" . exif_tiff('exif')), app1("http://ns.adobe.com/xap/1.0/\0" . $xmp));
	my $head_len = length $big;
	$big .= join('', map { chr(($_ * 7919) & 255) } 0 .. 3 * 1024 * 1024);    # trailing bytes after EOI
	my $part = 300 * 1000;
	sq("ALTER SYSTEM SET media.max_file_size = '1MB'");
	sq('SELECT pg_reload_conf()');
	my $id = sq("SELECT media.upload_begin('big.jpg', NULL, NULL)");
	my $o = 0;
	for (1 .. 5) { sq("SELECT media.upload_append($id, " . lit(substr($big, $o, $part)) . ')'); $o += $part; }
	# a new connection asks where to go on, and sends the rest from there
	my $resume = sq("SELECT media.upload_status($id)");
	is($resume, $o, "big upload: status after 5 parts is $o (the acknowledged bytes)");
	while ($resume < length $big)
	{
		$resume = sq("SELECT media.upload_append($id, " . lit(substr($big, $resume, $part)) . ')');
	}
	my $fid = sq("SELECT media.upload_finish($id)");
	my ($size, $sha, $attrs) = split /\|/,
	  sq("SELECT byte_size, encode(sha256, 'hex'), attrs FROM media.files WHERE id = $fid");
	my $stored = join('', map { pack('H*', $_) }
		  split /\n/, sq("SELECT encode(data, 'hex') FROM media.parts($fid) ORDER BY start"));
	is($size, length $big, 'big upload: same length');
	is(location_left(substr($stored, 0, $head_len)), '', 'big upload: no location left in the metadata');
	is(sha256_hex($stored), $sha, 'big upload: sha256 is that of the stored bytes');
	is(substr($stored, $head_len), substr($big, $head_len), 'big upload: the bytes after the header are untouched');
	like($attrs, qr/"location_removed": \["exif-gps", "xmp-gps"\]/, "big upload: attrs say what was removed ($attrs)");
	is(sq("SELECT count(*) FROM media.verify($fid) WHERE NOT ok"), '0', 'big upload: media.verify() agrees');
	is(pixels(substr($stored, 0, $head_len), 64, 48), pixels($jpeg, 64, 48), 'big upload: decoded pixels unchanged');
	sq('ALTER SYSTEM RESET media.max_file_size');
	sq('SELECT pg_reload_conf()');
}

# --- attack 8: decoding memory and cancel ---

# runs sql in a fresh backend; returns (SQLSTATE or '', seconds, VmHWM kB of that backend)
sub measured
{
	my ($sql, $timeout) = @_;
	$timeout //= '300ms';
	my $script = "\\set VERBOSITY verbose\nSET statement_timeout = '$timeout';\n"
	  . "SELECT pg_backend_pid() \\gset\n$sql;\n"
	  . "RESET statement_timeout;\nSELECT pg_backend_pid() AS pid \\gset\n"
	  . "SELECT pg_sleep(0);\n\\o /dev/null\n\\echo PID :pid\n";
	# the backend's peak memory is read while the session is still open
	my ($in, $out, $err) = ('', '', '');
	my $h = IPC::Run::start([ 'psql', '-XAtq', '-v', 'ON_ERROR_STOP=0', '-d', $node->connstr('postgres') ],
		'<', \$in, '>', \$out, '2>', \$err, IPC::Run::timeout(300));
	my $t = time;
	$in .= $script;
	$h->pump until $out =~ /PID (\d+)/;
	my $secs = time - $t;
	my ($pid) = $out =~ /PID (\d+)/;
	my ($hwm) = proc_memory($pid);
	$in .= "\\q\n";
	$h->finish;
	my ($state) = $err =~ /ERROR:\s+([0-9A-Z]{5}):/;
	return ($state // '', $secs, $hwm, $err);
}

{
	# 69 bytes: signature, IHDR (10000 x 10000 RGBA, Adam7), a tiny IDAT, IEND
	my $bomb = "\x89PNG\r\n\x1a\n" . png_chunk('IHDR', pack('NNCCCCC', 10000, 10000, 8, 6, 0, 0, 1))
	  . png_chunk('IDAT', compress('')) . png_chunk('IEND', '');
	cmp_ok(length $bomb, '<=', 69, 'the interlaced PNG bomb is ' . length($bomb) . ' bytes');
	my ($state, $secs, $hwm, $err) = measured('SELECT length(media.thumbnail(' . lit($bomb) . ", 64, 64, 'png'))");
	is($state, '54000', 'interlaced 10000x10000 PNG: 54000 (program limit exceeded)');
	like($err, qr/max_decode_memory/, 'interlaced PNG: the hint names media.max_decode_memory');
	cmp_ok($hwm, '<', 100 * 1024, "interlaced PNG: the backend's VmHWM stays under 100 MB ($hwm kB)");
	cmp_ok($secs, '<', 1.0, sprintf('interlaced PNG: answered within a second (%.2f s)', $secs));

	# a progressive JPEG (the lossless optimizer makes one of a bigger JPEG) whose SOF2 claims 8000 x 8000
	my $big_jpeg = sq("SELECT encode(media.thumbnail(" . lit(make_png(256, 256)) . ", 256, 256, 'jpeg'), 'hex')");
	my $prog_id = sq("SET media.optimize_jpeg = 'progressive'; SELECT media.put('\\x$big_jpeg'::bytea)");
	my $prog = pack('H*', sq("SELECT encode(media.get($prog_id), 'hex')"));
	my $sof = index($prog, "\xff\xc2");
	ok($sof > 0, 'fixture: a progressive JPEG');
	substr($prog, $sof + 5, 4) = pack('nn', 8000, 8000);
	($state, $secs, $hwm) = measured('SELECT length(media.thumbnail(' . lit($prog) . ", 64, 64, 'png'))");
	is($state, '54000', 'progressive 8000x8000 JPEG: 54000 from its header');
	cmp_ok($hwm, '<', 100 * 1024, "progressive JPEG: VmHWM under 100 MB ($hwm kB)");

	# media.deflate() of 128 MB of text at level 9 (about 5 s of zlib work) under a 2 s
	# statement_timeout.  Fetching the 128 MB value alone takes about 1 s (and honours a
	# cancel), so a 300 ms timeout would fire before zlib starts: 2 s lets zlib run for
	# about a second first.  Uncancellable, the statement ends only when zlib is done.
	sq("CREATE TABLE big (data bytea); ALTER TABLE big ALTER data SET STORAGE EXTERNAL;"
		  . "INSERT INTO big SELECT textsend(repeat(string_agg(md5(i::text), E'\\n'), 42)) FROM generate_series(1, 100000) i");
	is(sq('SELECT length(data) > 128 * 1024 * 1024 FROM big'), 't', 'fixture: 128 MB of text');
	($state, $secs) = measured('SELECT length(media.deflate(data, 9)) FROM big', '2s');
	is($state, '57014', 'deflate of 128 MB: canceled by statement_timeout (57014)');
	cmp_ok($secs, '<', 2.5, sprintf('deflate of 128 MB: canceled within 0.5 s of the 2 s timeout (%.2f s)', $secs));

	# media.inflate(): round trip, and a bomb over the cap is still 54000
	is(sq("SELECT media.inflate(media.deflate(convert_to('hello', 'UTF8'))) = convert_to('hello', 'UTF8')"), 't',
		'inflate: round trip into palloc memory');
	($state) = sqlstate_of($node, 'postgres',
		"SET media.max_inflated_size = 1048576; SELECT length(media.inflate(media.deflate(convert_to(repeat('a', 2000000), 'UTF8'))))");
	is($state, '54000', 'inflate over media.max_inflated_size: 54000');
}

is(join("\n", server_problems($node, $log_offset)), '', 'no crash, no internal error in the server log');
$node->stop;
done_testing();
