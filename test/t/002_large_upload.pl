# A file over 1 GB goes through media.upload_begin/append/finish one 1 MiB
# part per statement, and comes back through media.parts(), media.read() and
# media.verify(), with each backend's peak memory (VmHWM) under 100 MB;
# media.get() refuses it with SQLSTATE 54000 and a hint at media.parts().
#
# Each part is made server-side, so the client sends no gigabyte of SQL:
# part i (1-based) is decode(repeat(md5(i::text), 65536), 'hex'), i.e. the
# 16 bytes of md5(i) repeated 65536 times.
use strict;
use warnings;
use Digest::MD5 qw(md5_hex);
use Digest::SHA;
use List::Util qw(min);
use Time::HiRes qw(time);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgMediaTest;

my $nparts = 1100;
my $part_len = 1024 * 1024;
my $total = $nparts * $part_len;    # 1,153,433,600 bytes
my $limit_kb = 100 * 1024;          # 100 MB
my $t0 = time;

# shared_buffers small enough that VmHWM (which counts the shared pages a
# backend touched) says something about the backend's own memory
my $node = media_node('large', conf => "shared_buffers = 32MB\nautovacuum = off\n");

sub part_bytes { return pack('H*', md5_hex($_[0])) x ($part_len / 16) }

# bytes [off, off+len) of the file
sub expected_range
{
	my ($off, $len) = @_;
	my $out = '';
	while ($len > 0)
	{
		my $i = int($off / $part_len) + 1;
		my $r = $off % $part_len;
		my $n = min($part_len - $r, $len);
		$out .= substr(part_bytes($i), $r, $n);
		$off += $n;
		$len -= $n;
	}
	return $out;
}

# peak and current anonymous memory of a backend, in kB
sub backend_memory
{
	my ($pid) = @_;
	my $status = slurp_file("/proc/$pid/status");
	my ($hwm) = $status =~ /^VmHWM:\s+(\d+) kB/m;
	my ($anon) = $status =~ /^RssAnon:\s+(\d+) kB/m;
	return ($hwm, $anon);
}

my $t = time;
my $sha = Digest::SHA->new(256);
$sha->add(part_bytes($_)) for 1 .. $nparts;
my $expected_sha = $sha->hexdigest;
note sprintf('expected SHA-256 %s computed in %.1f s', $expected_sha, time - $t);

# --- the upload, every part its own statement, all in one backend ---
my $session = $node->background_psql('postgres', timeout => 900);
my $pid = $session->query_safe('SELECT pg_backend_pid()');
like($pid, qr/^\d+$/, 'the uploading session has a backend pid');
my $up = $session->query_safe(q{SELECT media.upload_begin('big.bin', NULL, '{"test": "large"}')});
like($up, qr/^\d+$/, 'upload_begin returns an id');

$t = time;
# \gexec runs each generated statement on its own, in autocommit
my $out = $session->query_until(qr/^appends done\n/m, qq{
SELECT format('SELECT media.upload_append(%s, decode(repeat(md5(%s::text), 65536), ''hex''))', $up, i)
  FROM generate_series(1, $nparts) i \\gexec
\\echo appends done
});
my $append_secs = time - $t;
my @received = grep { /^\d+$/ } split /\n/, $out;
is(scalar @received, $nparts, "$nparts appends ran");
is_deeply(\@received, [ map { $_ * $part_len } 1 .. $nparts ],
	'each append reports the bytes received so far');
note sprintf('%d appends in %.1f s (%.1f MB/s)', $nparts, $append_secs, $total / 1e6 / $append_secs);
is($session->query_safe("SELECT media.upload_status($up)"), $total, 'upload_status after the appends');
is($session->query_safe('SELECT pg_backend_pid()'), $pid, 'one backend did all the appends');

$t = time;
my $id = $session->query_safe("SELECT media.upload_finish($up)");
like($id, qr/^\d+$/, 'upload_finish returns a file id');
note sprintf('upload_finish in %.1f s', time - $t);
my ($hwm, $anon) = backend_memory($pid);
note "uploading backend: VmHWM $hwm kB, RssAnon $anon kB";
cmp_ok($hwm, '<', $limit_kb, 'the uploading backend peaked under 100 MB (VmHWM)');
$session->quit;

is($node->safe_psql('postgres', "SELECT byte_size, encode(sha256, 'hex') FROM media.files WHERE id = $id"),
	"$total|$expected_sha", 'the file has the right size and SHA-256');
is($node->safe_psql('postgres', 'SELECT count(*) FROM media.uploads'), '0', 'the upload is gone');
is($node->safe_psql('postgres', 'SELECT count(*) FROM media.blobs WHERE sha256 IS NULL'), '0',
	'no provisional blob is left');
my $nchunks = $node->safe_psql('postgres',
	"SELECT count(*) FROM media.chunks c JOIN media.files f ON f.blob_id = c.blob_id WHERE f.id = $id");
is($node->safe_psql('postgres',
	"SELECT sum(c.size) FROM media.chunks c JOIN media.files f ON f.blob_id = c.blob_id WHERE f.id = $id"),
	$total, "the file's chunks add up to its size ($nchunks chunks)");

# --- streaming it back with media.parts() in a fresh backend ---
$session = $node->background_psql('postgres', timeout => 900);
$pid = $session->query_safe('SELECT pg_backend_pid()');
$t = time;
my $parts = $session->query_safe(qq{
SELECT count(*), sum(length(d)), min(s), max(s)
  FROM (SELECT (p).start AS s, (p).data AS d
          FROM (SELECT media.parts(id) AS p FROM media.files WHERE id = $id) q) r});
note sprintf('media.parts() streamed in %.1f s', time - $t);
is($parts, join('|', $nchunks, $total, 0, $total - $part_len), 'media.parts() returns every part, in full');
($hwm, $anon) = backend_memory($pid);
note "streaming backend: VmHWM $hwm kB, RssAnon $anon kB";
cmp_ok($hwm, '<', $limit_kb, 'the streaming backend peaked under 100 MB (VmHWM)');
$session->quit;

# --- media.get() refuses it ---
$t = time;
my ($rc, $gout, $gerr) = psql_ok($node, 'postgres', "\\set VERBOSITY verbose\nSELECT length(media.get($id))");
isnt($rc, 0, 'media.get() of a file over media.max_file_size fails');
like($gerr, qr/ERROR:\s+54000:/, 'with SQLSTATE 54000 (program_limit_exceeded)');
like($gerr, qr/HINT:.*media\.parts\(\)/, 'and a hint pointing at media.parts()');
note sprintf('media.get() refused in %.1f s', time - $t);

# --- verify and ranges ---
$t = time;
is($node->safe_psql('postgres', "SELECT id, ok FROM media.verify($id)"), "$id|t",
	'media.verify() recomputes the SHA-256 and finds it ok');
note sprintf('media.verify() in %.1f s', time - $t);

for my $range ([ 1_100_000_000, 65536 ], [ 5 * $part_len - 100, 1000 ], [ $total - 10, 100 ])
{
	my ($off, $len) = @$range;
	my $want = expected_range($off, min($len, $total - $off));
	is($node->safe_psql('postgres', "SELECT encode(media.read($id, $off, $len), 'hex')"),
		unpack('H*', $want), "media.read() of $len bytes at offset $off");
}

note sprintf('total %.1f s', time - $t0);
done_testing();
