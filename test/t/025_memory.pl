# Memory stays bounded by a chunk for a 1.5 GB file: an upload of 1536 parts
# of 1 MiB (made server-side, as in 002_large_upload.pl) in one backend, and
# full reads with media.parts() -- as a set-returning function in the select
# list and in FROM (as the README shows it), each through a cursor -- and
# media.verify(), each in a fresh backend, all peak (VmHWM, which counts the
# shared buffers a backend touched: shared_buffers = 32MB) under 100 MB.
# media.get() of it is refused with SQLSTATE 54000 and a hint naming
# media.parts(); media.http() answers 200 without a body, and 206s of at most
# media.max_range_size (8 MB) anywhere in it, in a backend under 100 MB.
# Timings, VmHWM, RssAnon and the temporary file bytes of each read are noted.
#
# Part i (1-based) is decode(repeat(md5(i::text), 65536), 'hex'): the 16
# bytes of md5(i) repeated 65536 times.
use strict;
use warnings;
use Digest::MD5 qw(md5_hex);
use Digest::SHA;
use IPC::Run;
use Time::HiRes qw(time);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgMediaTest qw(:DEFAULT proc_memory sqlstate_of server_problems);

my $nparts = 1536;
my $part_len = 1024 * 1024;
my $total = $nparts * $part_len;    # 1,610,612,736 bytes
my $limit_kb = 100 * 1024;
my $t0 = time;
my $node = media_node('memory',
	conf => "shared_buffers = 32MB\nautovacuum = off\nlog_error_verbosity = verbose\n"
	  . "log_min_messages = log\nlog_temp_files = 0\nlog_checkpoints = off\n");

# --- sessions: psql with a script fed piece by piece; \echo marks the end of each piece ---
sub open_session
{
	my $s = { in => '', out => '', err => '', n => 0 };
	$s->{h} = IPC::Run::start([ 'psql', '-XAtq', '-d', $node->connstr('postgres') ],
		'<', \$s->{in}, '>', \$s->{out}, '2>', \$s->{err}, IPC::Run::timeout(600));
	$s->{pid} = run_in($s, 'SELECT pg_backend_pid()');
	return $s;
}

# sends sql, waits for it to finish; returns (output, seconds); errors stay in {err}
sub send_sql
{
	my ($s, $sql) = @_;
	my $mark = 'DONE-' . ++$s->{n};
	$sql .= ';' unless $sql =~ /(;|\\\w+)\s*$/;
	$s->{in} .= "$sql\n\\echo $mark\n";
	$s->{h}->pump_nb;
	return $mark;
}

sub wait_for
{
	my ($s, $mark, $t) = @_;
	$s->{h}->pump until $s->{out} =~ /^\Q$mark\E$/m;
	(my $out = $s->{out}) =~ s/^\Q$mark\E\n//m;
	$s->{out} = '';
	chomp $out;
	return wantarray ? ($out, time - $t) : $out;
}

sub run_in { my ($s, $sql) = @_; my $t = time; return wait_for($s, send_sql($s, $sql), $t); }

sub close_session { my ($s) = @_; $s->{in} .= "\\q\n"; $s->{h}->finish; }

# bytes of temporary files logged (log_temp_files = 0) since a log offset
sub temp_bytes_since
{
	my ($offset) = @_;
	my $log = slurp_file($node->logfile, $offset);
	my $bytes = 0;
	$bytes += $1 while $log =~ /temporary file: path "[^"]*", size (\d+)/g;
	return $bytes;
}

sub part_bytes { return pack('H*', md5_hex($_[0])) x ($part_len / 16) }

# --- the upload: every part its own statement, one backend ---
my $up_s = open_session();
like($up_s->{pid}, qr/^\d+$/, 'the uploading session has a backend pid');
my $up = run_in($up_s, q{SELECT media.upload_begin('big-1536.bin', NULL, '{"test": "memory"}')});
like($up, qr/^\d+$/, 'upload_begin returns an id');
my $t = time;
# the appends run while this process computes the expected SHA-256
my $mark = send_sql($up_s, qq{SELECT format('SELECT media.upload_append(%s, decode(repeat(md5(%s::text), 65536), ''hex''))', $up, i)
  FROM generate_series(1, $nparts) i \\gexec});
my $sha = Digest::SHA->new(256);
$sha->add(part_bytes($_)) for 1 .. $nparts;
my $expected_sha = $sha->hexdigest;
note sprintf('expected SHA-256 computed in %.1f s (during the appends)', time - $t);
my ($out, $append_secs) = wait_for($up_s, $mark, $t);
my @received = grep { /^\d+$/ } split /\n/, $out;
is($up_s->{err}, '', 'no append failed');
is_deeply(\@received, [ map { $_ * $part_len } 1 .. $nparts ], "$nparts appends, each reporting the bytes received so far");
note sprintf('%d appends of 1 MiB in %.1f s (%.1f MB/s)', $nparts, $append_secs, $total / 1e6 / $append_secs);
is(run_in($up_s, "SELECT media.upload_status($up)"), $total, 'upload_status after the appends');
my ($fid, $finish_secs) = run_in($up_s, "SELECT media.upload_finish($up)");
like($fid, qr/^\d+$/, 'upload_finish returns a file id');
my ($hwm, $anon) = proc_memory($up_s->{pid});
note sprintf('upload_finish in %.1f s; uploading backend: VmHWM %d kB, RssAnon %d kB', $finish_secs, $hwm, $anon);
cmp_ok($hwm, '<', $limit_kb, 'the uploading backend peaked under 100 MB (VmHWM)');
close_session($up_s);

is($node->safe_psql('postgres', "SELECT byte_size, encode(sha256, 'hex') FROM media.files WHERE id = $fid"),
	"$total|$expected_sha", 'the file has 1.5 GB and the right SHA-256');
my $nchunks = $node->safe_psql('postgres',
	"SELECT count(*) FROM media.chunks c JOIN media.files f ON f.blob_id = c.blob_id WHERE f.id = $fid");
is($node->safe_psql('postgres',
	"SELECT sum(c.size) FROM media.chunks c JOIN media.files f ON f.blob_id = c.blob_id WHERE f.id = $fid"),
	$total, "its $nchunks chunks add up to its size");

# --- full reads, each in a fresh backend, through a cursor ---
my %forms = (
	'select list' => "SELECT (p).start, length((p).data) FROM (SELECT media.parts($fid) AS p) q",
	'FROM' => "SELECT start, length(data) FROM media.parts($fid)",
);
for my $form ('select list', 'FROM')
{
	my $s = open_session();
	my $log_offset = -s $node->logfile;
	run_in($s, "BEGIN;\nDECLARE c CURSOR FOR $forms{$form};");
	my ($first, $first_secs) = run_in($s, 'FETCH 1 FROM c');
	is($first, "0|$part_len", "parts() in the $form: the first part comes first");
	my ($rest, $rest_secs) = run_in($s, "FETCH ALL FROM c;\nCLOSE c;\nCOMMIT;");
	my @rest = split /\n/, $rest;
	is(scalar(@rest) . ' ' . $rest[-1], ($nchunks - 1) . ' ' . ($total - $part_len) . "|$part_len",
		"parts() in the $form: then all the other parts, to the end");
	($hwm, $anon) = proc_memory($s->{pid});
	my $temp = temp_bytes_since($log_offset);
	note sprintf('parts() in the %s through a cursor: first row after %.1f s, all %d parts after %.1f s; '
		  . 'VmHWM %d kB, RssAnon %d kB; temporary files %.0f MB',
		$form, $first_secs, $nchunks, $first_secs + $rest_secs, $hwm, $anon, $temp / 1e6);
	is($s->{err}, '', "parts() in the $form: no error") or diag($s->{err});
	cmp_ok($hwm, '<', $limit_kb, "parts() in the $form: the reading backend peaked under 100 MB (VmHWM)");
	close_session($s);
}
# the whole stream, checked in the select-list form
my $s = open_session();
my ($sum, $secs) = run_in($s, "SELECT count(*), sum(length(d)), min(st), max(st), md5(string_agg(md5(d), '' ORDER BY st))
  FROM (SELECT (p).start AS st, (p).data AS d FROM (SELECT media.parts($fid) AS p) q) r");
($hwm, $anon) = proc_memory($s->{pid});
my $md5s = join('', map { md5_hex(part_bytes($_)) } 1 .. $nparts);
is($sum, join('|', $nchunks, $total, 0, $total - $part_len, md5_hex($md5s)),
	'media.parts() returns every part, in order, with the right bytes');
note sprintf('full media.parts() stream with per-part md5: %.1f s; VmHWM %d kB, RssAnon %d kB', $secs, $hwm, $anon);
cmp_ok($hwm, '<', $limit_kb, 'that backend too peaked under 100 MB (VmHWM)');
my $verify;
($verify, $secs) = run_in($s, "SELECT id, ok FROM media.verify($fid)");
($hwm, $anon) = proc_memory($s->{pid});
is($verify, "$fid|t", 'media.verify() recomputes the SHA-256 and finds it ok');
note sprintf('media.verify(): %.1f s; VmHWM %d kB, RssAnon %d kB', $secs, $hwm, $anon);
cmp_ok($hwm, '<', $limit_kb, 'media.verify() stays under 100 MB (VmHWM)');
close_session($s);

# --- whole-file reads are refused ---
my ($state, undef, $err) = sqlstate_of($node, 'postgres', "SELECT length(media.get($fid))");
is($state, '54000', 'media.get() of the 1.5 GB file fails with SQLSTATE 54000');
like($err, qr/HINT:.*media\.parts\(\)/, 'with a hint naming media.parts()');
# --- media.http() of it: never more than media.max_range_size (8 MB) per call (issue 13) ---
# bytes [first, first + len) of the file, from its parts
sub range_bytes
{
	my ($first, $len) = @_;
	my $bytes = '';
	for (my $i = int($first / $part_len); length($bytes) < $len + ($first % $part_len); $i++)
	{
		$bytes .= part_bytes($i + 1);
	}
	return substr($bytes, $first % $part_len, $len);
}
my $cap = 8 * 1024 * 1024;
is($node->safe_psql('postgres', "SELECT status, headers->>'Content-Length', headers->>'Accept-Ranges', body IS NULL FROM media.http($fid)"),
	"200|$total|bytes|t", 'media.http() of the whole file: 200 with its headers and no body (the application streams media.parts())');
for my $case ([ 'bytes=0-', 0 ], [ 'bytes=1500000000-', 1500000000 ], [ 'bytes=-200000000', $total - 200000000 ])
{
	my ($range, $first) = @$case;
	my $last = $first + $cap - 1;
	my $rs = open_session();
	my ($got, $secs) = run_in($rs, "SELECT status, headers->>'Content-Range', length(body), md5(body) FROM media.http($fid, '$range')");
	($hwm, $anon) = proc_memory($rs->{pid});
	is($got, "206|bytes $first-$last/$total|$cap|" . md5_hex(range_bytes($first, $cap)),
		"media.http() of $range: a 206 of the first 8 MB from $first, with the right bytes");
	note sprintf('media.http(%s): %.2f s; VmHWM %d kB, RssAnon %d kB', $range, $secs, $hwm, $anon);
	cmp_ok($hwm, '<', $limit_kb, "media.http() of $range: that backend peaked under 100 MB (VmHWM)");
	close_session($rs);
}
is($node->safe_psql('postgres', "SELECT status, headers->>'Content-Range', md5(body) FROM media.http($fid, 'bytes=1610612000-')"),
	'206|bytes 1610612000-1610612735/1610612736|' . md5_hex(substr(part_bytes($nparts), 1610612000 - ($nparts - 1) * $part_len)),
	'media.http() serves a range at the end of it whole (it is shorter than the cap)');

my @problems = server_problems($node);
is(scalar @problems, 0, 'no backend crash or internal error in the server log') or diag(join("\n", @problems));
note sprintf('total %.1f s', time - $t0);
done_testing();
