# Crash safety: streams of media.put(), media.remove() and media.upload_*()
# calls in background psql sessions are cut off by an immediate shutdown
# (every backend killed, no shutdown checkpoint; crash recovery at the next
# start), while an upload sits unfinished with some parts appended and a
# transaction that has written chunks is still open.  After crash recovery:
#   - every acknowledged put/finish is there with the right bytes and
#     verifies, every acknowledged remove stayed removed, nothing that was
#     never sent exists;
#   - uploads are never half-visible: each is either gone (finished or never
#     begun) or resumable with upload_status() at an acknowledged boundary
#     (at most one in-flight part beyond the last acknowledgement), and
#     resuming and finishing them gives the right file;
#   - the uncommitted transaction left nothing behind;
#   - no orphan blob, chunk or provisional blob, no file whose chunks do not
#     cover its byte_size -- and that check is shown to catch each kind of
#     damage on a deliberately corrupted copy of the database.
#
# Acknowledgements are recorded client-side: each call runs in BEGIN ...
# COMMIT and psql prints "ACK ..." (\warn) only after COMMIT has returned.
use strict;
use warnings;
use Digest::SHA qw(sha256_hex);
use IPC::Run;
use List::Util qw(sum);
use Time::HiRes qw(time sleep);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgMediaTest qw(:DEFAULT sql_gen_bytes integrity_counts integrity_clean sqlstate_of server_problems);

my $t0 = time;
my $node = media_node('crash', conf => "log_error_verbosity = verbose\n");
my $nstreams = 3;      # put/remove streams
my $nitems = 300;      # per stream: far more than can run before the crash
my $min_acks = 25;     # per stream, before the crash

# --- what each stream sends, and what it should yield ---

# put j of stream s: (seed, length); every 7th is one of 3 contents shared by all streams
sub put_item
{
	my ($s, $j) = @_;
	return ("shared-" . ($j % 3), 150_000 + $j % 3) if $j % 7 == 0;
	return ("s$s-$j", 1 + ($s * 1_000_003 + $j * 7919) % 400_000);
}

# parts of stream upload u: [offset, length] ...
sub upload_parts
{
	my ($u) = @_;
	my @parts;
	my $off = 0;
	for my $i (1 .. 3 + $u % 3)
	{
		my $len = 20_000 + ($u * 7919 + $i * 104_729) % 70_000;
		push @parts, [ $off, $len ];
		$off += $len;
	}
	return @parts;
}

sub upload_total { my @p = upload_parts($_[0]); return $p[-1][0] + $p[-1][1]; }

my @idle_parts = ([ 0, 70_000 ], [ 70_000, 65_536 ], [ 135_536, 40_000 ]);
my $idle_total = 300_000;

# --- sessions: psql processes fed a script, their output kept ---
my @sessions;

# psql writes its output straight into files (kept for a post-mortem), so
# nothing a client printed can be lost in a pipe when the server dies
sub start_session
{
	my ($name, $script) = @_;
	my $base = "$PostgreSQL::Test::Utils::tmp_check/020_crash_client_$name";
	my $s = { name => $name, in => $script, err => '', errfile => "$base.stderr" };
	$s->{h} = IPC::Run::start(
		[ 'psql', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('postgres') ],
		'<', \$s->{in}, '>', "$base.stdout", '2>', $s->{errfile},
		IPC::Run::timeout(180));
	push @sessions, $s;
	return $s;
}

sub read_client { my ($s) = @_; $s->{err} = -e $s->{errfile} ? slurp_file($s->{errfile}) : ''; }

sub pump_all
{
	for my $s (@sessions)
	{
		eval { $s->{h}->pump_nb if $s->{h}->pumpable; 1 };
		read_client($s);
	}
}

# pumps until cond() holds; false on timeout
sub pump_until_cond
{
	my ($cond, $secs) = @_;
	my $deadline = time + $secs;
	while (time < $deadline)
	{
		pump_all();
		return 1 if $cond->();
		sleep 0.05;
	}
	return 0;
}

# acknowledgements go to stderr with \warn (unbuffered)
sub acks { my ($s, $kind) = @_; return grep { /^ACK $kind / } split /\n/, $s->{err}; }

my $set_chunk = "SET media.chunk_size = '64kB';\nSELECT pg_backend_pid() AS pid \\gset\n\\warn PID :pid\n";

# an upload left unfinished, idle, with three parts appended and acknowledged
my $script = $set_chunk . "BEGIN;\nSELECT media.upload_begin('crash-idle.bin') AS iup \\gset\nCOMMIT;\n\\warn ACK ibegin :iup\n";
for my $p (@idle_parts)
{
	$script .= "BEGIN;\nSELECT media.upload_append(:iup, " . sql_gen_bytes('idle', $p->[1], $p->[0])
	  . ") AS ircv \\gset\nCOMMIT;\n\\warn ACK iappend :ircv\n";
}
$script .= "\\warn IDLE\n";
my $idle = start_session('idle-upload', $script);

# a transaction that writes a multi-chunk file and an upload part, and stays
# open.  It runs as an owner of its own: media.put() and upload_begin() take
# a transaction-scoped lock per owner (quota bookkeeping, even with no quota
# set), so an open transaction that has stored a file blocks every other
# put/upload_begin/upload_finish of the same owner until it ends.
$script = $set_chunk . "SET media.owner = 'crash-open';\nBEGIN;\n"
  . "SELECT media.put(" . sql_gen_bytes('uncommitted', 1_000_000) . ", 'crash-uncommitted.bin') AS tid \\gset\n"
  . "SELECT media.upload_begin('crash-uncommitted-up.bin') AS tup \\gset\n"
  . "SELECT media.upload_append(:tup, " . sql_gen_bytes('uncommitted-up', 200_000) . ") AS trcv \\gset\n"
  . "SELECT count(*) AS tchunks FROM media.chunks c JOIN media.files f ON f.blob_id = c.blob_id WHERE f.id = :tid \\gset\n"
  . "\\warn WRITTEN :tid :tup :trcv :tchunks\n";
my $open = start_session('open-transaction', $script);

ok(pump_until_cond(sub { $idle->{err} =~ /^IDLE$/m && $open->{err} =~ /^WRITTEN /m }, 60),
	'the idle upload and the open transaction are set up')
  or diag("idle: $idle->{err}\nopen: $open->{err}");
my ($idle_up) = $idle->{err} =~ /^ACK ibegin (\d+)$/m;
my @idle_acks = map { /(\d+)$/ ? $1 : () } acks($idle, 'iappend');
is_deeply(\@idle_acks, [ 70_000, 135_536, 175_536 ], 'the idle upload acknowledged three parts');
my ($t_file, $t_up, $t_rcv, $t_chunks) = $open->{err} =~ /^WRITTEN (\d+) (\d+) (\d+) (\d+)$/m;
cmp_ok($t_chunks // 0, '>', 1, "the open transaction has written its file's chunks (" . ($t_chunks // '?') . ')');
is($t_rcv, 200_000, 'the open transaction has appended an upload part');
my ($open_pid) = $open->{err} =~ /^PID (\d+)$/m;
is($node->safe_psql('postgres',
	"SELECT state, backend_xid IS NOT NULL FROM pg_stat_activity WHERE pid = $open_pid"),
	'idle in transaction|t', 'that transaction is open, holds an xid and has not committed');

# redo starts here: the crash recovery replays everything below
$node->safe_psql('postgres', 'CHECKPOINT');

# put/remove streams
for my $s (1 .. $nstreams)
{
	$script = $set_chunk;
	for my $j (1 .. $nitems)
	{
		my ($seed, $len) = put_item($s, $j);
		$script .= "BEGIN;\nSELECT media.put(" . sql_gen_bytes($seed, $len) . ", 'crash-s$s-$j.bin') AS id \\gset\n"
		  . "COMMIT;\n\\warn ACK put s$s-$j :id\n";
		if ($j % 5 == 0)
		{
			my $k = $j - 3;
			$script .= "BEGIN;\nSELECT media.remove(id) AS gone FROM media.files WHERE name = 'crash-s$s-$k.bin' \\gset\n"
			  . "COMMIT;\n\\warn ACK remove s$s-$k :gone\n";
		}
	}
	$script .= "\\warn DONE\n";
	start_session("stream-$s", $script);
}
# an upload stream: begin, parts, finish, over and over
$script = $set_chunk;
for my $u (1 .. 100)
{
	$script .= "BEGIN;\nSELECT media.upload_begin('crash-up-$u.bin') AS up \\gset\nCOMMIT;\n\\warn ACK begin up-$u :up\n";
	for my $p (upload_parts($u))
	{
		$script .= "BEGIN;\nSELECT media.upload_append(:up, " . sql_gen_bytes("up-$u", $p->[1], $p->[0])
		  . ") AS rcv \\gset\nCOMMIT;\n\\warn ACK append up-$u :rcv\n";
	}
	$script .= "BEGIN;\nSELECT media.upload_finish(:up) AS fid \\gset\nCOMMIT;\n\\warn ACK finish up-$u :fid\n";
}
$script .= "\\warn DONE\n";
my $ustream = start_session('upload-stream', $script);
my @streams = grep { $_->{name} =~ /^stream-/ } @sessions;

my $t = time;
ok(pump_until_cond(sub {
	(!grep { acks($_, 'put') < $min_acks } @streams) && acks($ustream, 'finish') >= 5 }, 120),
	"every stream has at least $min_acks acknowledged puts and five finished uploads");
my $active = $node->safe_psql('postgres',
	q{SELECT count(*) FILTER (WHERE state = 'active'), count(*) FILTER (WHERE state LIKE 'idle in transaction%')
	    FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()});
pump_all();
is(scalar(grep { $_->{err} =~ /^DONE$/m } @streams, $ustream), 0, 'no stream has finished: the crash interrupts them all');
is(join('', map { grep { !/^(ACK|IDLE|WRITTEN|DONE|PID) / && !/^(IDLE|DONE)$/ } split /^/, $_->{err} } @sessions), '',
	'no session reported an error before the crash');

# --- the crash ---
$node->stop('immediate');
note sprintf('crashed after %.1f s of streaming; sessions active/idle in transaction just before: %s',
	time - $t, $active);
# the streams' psql exits by itself on the lost connection; the idle ones are told to quit
$_->{in} .= "\\q\n" for $idle, $open;
for my $s (@sessions)
{
	eval { $s->{h}->finish; 1 } or eval { $s->{h}->kill_kill; 1 };
	read_client($s);
}
my $log_offset = -s $node->logfile;
$node->start;
like(slurp_file($node->logfile, $log_offset), qr/not properly shut down; automatic recovery in progress/,
	'the restart ran crash recovery');

# --- acknowledged puts and removes ---
my (%acked, %removed, %inflight);
for my $s (1 .. $nstreams)
{
	my ($stream) = grep { $_->{name} eq "stream-$s" } @sessions;
	my $last = 0;
	for (acks($stream, 'put'))
	{
		my ($j, $id) = /^ACK put s$s-(\d+) (\d+)$/ or next;
		$acked{"s$s-$j"} = { id => $id, s => $s, j => $j };
		$last = $j if $j > $last;
	}
	for (acks($stream, 'remove'))
	{
		my ($k, $gone) = /^ACK remove s$s-(\d+) (\S+)$/ or next;
		$removed{"s$s-$k"} = $gone;
	}
	# the call after the last acknowledgement may or may not have committed
	$inflight{"s$s-" . ($last + 1)} = 1;
	$inflight{"s$s-" . ($last - 3)} = 1 if ($last % 5 == 0);    # its remove
}
my $nacked = keys %acked;
note sprintf('%d puts and %d removes acknowledged before the crash', $nacked, scalar keys %removed);
is(scalar(grep { $_ ne 't' } values %removed), 0, 'every acknowledged remove returned true');

my %now = map { my @f = split /\|/; ($f[0] => { id => $f[1], size => $f[2], sha => $f[3] }) }
  split /\n/, $node->safe_psql('postgres',
	q{SELECT substring(name FROM '^crash-(s\d+-\d+)\.bin$'), id, byte_size, encode(sha256, 'hex')
	    FROM media.files WHERE name ~ '^crash-s\d+-\d+\.bin$'});
my (@missing, @wrong);
for my $key (sort keys %acked)
{
	next if exists $removed{$key};
	my $a = $acked{$key};
	my ($seed, $len) = put_item($a->{s}, $a->{j});
	my $f = $now{$key};
	if (!$f) { push @missing, $key; next; }
	push @wrong, $key
	  unless $f->{id} == $a->{id} && $f->{size} == $len && $f->{sha} eq sha256_hex(gen_bytes($seed, $len));
}
is(scalar @missing, 0, "every acknowledged put that was not removed survived the crash ($nacked acknowledged)")
  or diag("missing: @missing");
is(scalar @wrong, 0, 'each has the acknowledged id, its size and the SHA-256 of the bytes sent')
  or diag("wrong: @wrong");
my @resurrected = grep { exists $now{$_} } keys %removed;
is(scalar @resurrected, 0, 'no acknowledged remove was undone') or diag("back: @resurrected");
my @unexpected = grep { !exists $acked{$_} && !exists $inflight{$_} } keys %now;
is(scalar @unexpected, 0, 'no file exists that was not acknowledged or in flight') or diag("unexpected: @unexpected");
my @ids = map { $_->{id} } values %now;
is($node->safe_psql('postgres',
	'SELECT count(*) FROM media.verify() v WHERE v.ok AND v.id IN (' . join(',', @ids, 0) . ')'),
	scalar @ids, 'every surviving put verifies (media.verify)');

# --- the upload stream: every upload is gone, finished, or resumable at an acknowledged boundary ---
my (%ubegun, %ulast, %ufinished);
for (split /\n/, $ustream->{err})
{
	if (/^ACK begin up-(\d+) (\d+)$/) { $ubegun{$1} = $2; $ulast{$1} = 0; }
	elsif (/^ACK append up-(\d+) (\d+)$/) { $ulast{$1} = $2; }
	elsif (/^ACK finish up-(\d+) (\d+)$/) { $ufinished{$1} = $2; }
}
my @ubegun = sort { $a <=> $b } keys %ubegun;
my $unext = (@ubegun ? $ubegun[-1] : 0) + 1;    # begun perhaps, never acknowledged
note sprintf('upload stream: %d uploads begun, %d finished, before the crash', scalar @ubegun, scalar keys %ufinished);
my (@ubad, @resumed);
for my $u (@ubegun, $unext)
{
	my @parts = upload_parts($u);
	my $total = upload_total($u);
	my $sha = sha256_hex(gen_bytes("up-$u", $total));
	my $file = $node->safe_psql('postgres',
		"SELECT id, byte_size, encode(sha256, 'hex') FROM media.files WHERE name = 'crash-up-$u.bin'");
	if (!exists $ubegun{$u})
	{
		# its begin was in flight: nothing, or an empty upload nobody knows the id of
		push @ubad, "up-$u: a file exists" if $file ne '';
		next;
	}
	my $up = $ubegun{$u};
	my $received = $node->safe_psql('postgres', "SELECT received FROM media.uploads WHERE id = $up");
	if (exists $ufinished{$u})
	{
		push @ubad, "up-$u: finished but the upload row is back" if $received ne '';
		push @ubad, "up-$u: finished file is '$file'" if $file ne "$ufinished{$u}|$total|$sha";
		next;
	}
	if ($received eq '')
	{
		# only a finish in flight may have taken it away, then with the whole content
		push @ubad, "up-$u: upload gone and no complete file ('$file')"
		  unless $file =~ /^\d+\|$total\|$sha$/ && $ulast{$u} == $total;
		next;
	}
	push @ubad, "up-$u: also a file" if $file ne '';
	my @bounds = (0, map { $_->[0] + $_->[1] } @parts);
	my ($at) = grep { $bounds[$_] == $ulast{$u} } 0 .. $#bounds;
	push @ubad, "up-$u: received $received, acknowledged $ulast{$u}"
	  unless defined $at && ($received == $ulast{$u} || ($at < $#bounds && $received == $bounds[ $at + 1 ]));
	my $status = $node->safe_psql('postgres', "SELECT media.upload_status($up)");
	push @ubad, "up-$u: upload_status $status, received $received" unless $status eq $received;
	push @resumed, [ $u, $up, $received, $total, $sha ];
}
is(scalar @ubad, 0, 'stream uploads: each is finished, gone with its finish, or resumable at an acknowledged boundary')
  or diag(join("\n", @ubad));
# (whether the crash caught the stream between two uploads is a matter of timing;
# the idle upload above is the deterministic unfinished one)
note sprintf('stream uploads left in progress by the crash: %d', scalar @resumed);

# resume and finish them, and the idle one
is($node->safe_psql('postgres', "SELECT media.upload_status($idle_up)"), $idle_acks[-1],
	'the idle upload kept exactly its acknowledged bytes (upload_status)');
push @resumed, [ 'idle', $idle_up, $idle_acks[-1], $idle_total, sha256_hex(gen_bytes('idle', $idle_total)) ];
for my $r (@resumed)
{
	my ($u, $up, $from, $total, $sha) = @$r;
	my $seed = $u eq 'idle' ? 'idle' : "up-$u";
	my $out = $node->safe_psql('postgres',
		"SET media.chunk_size = '64kB';\n"
		  . ($from < $total ? "SELECT media.upload_append($up, " . sql_gen_bytes($seed, $total - $from, $from) . ");\n" : '')
		  . "SELECT media.upload_finish($up) AS fid \\gset\n"
		  . "SELECT byte_size, encode(sha256, 'hex'), (SELECT ok FROM media.verify(:fid)) FROM media.files WHERE id = :fid");
	my @lines = split /\n/, $out;
	is($lines[-1], "$total|$sha|t", "upload $u resumed at $from, finished: right size and SHA-256, verifies");
}

# --- the open transaction left nothing ---
is($node->safe_psql('postgres', q{SELECT count(*) FROM media.files WHERE name LIKE 'crash-uncommitted%'}),
	'0', 'the uncommitted put is absent');
is($node->safe_psql('postgres',
	'SELECT count(*) FROM media.blobs WHERE sha256 = sha256(' . sql_gen_bytes('uncommitted', 1_000_000) . ')'),
	'0', 'its content has no blob');
my ($state) = sqlstate_of($node, 'postgres', "SET media.owner = 'crash-open'; SELECT media.upload_status($t_up)");
is($state, 'P0002', 'the upload begun in the uncommitted transaction does not exist (P0002)');
is($node->safe_psql('postgres', "SELECT count(*) FROM media.uploads WHERE id = $t_up"), '0',
	'and has no row');

# --- storage is sound ---
is_deeply(integrity_counts($node), integrity_clean(),
	'no orphan blob, provisional blob or chunk; every file and upload is fully covered by its chunks; all verify');
my $max_id = $node->safe_psql('postgres', 'SELECT max(id) FROM media.files');
my $new_id = $node->safe_psql('postgres', 'SELECT media.put(' . sql_gen_bytes('after-crash', 5000) . ", 'after.bin')");
cmp_ok($new_id, '>', $max_id, 'a new put after recovery gets a new, higher id');
is($node->safe_psql('postgres', "SELECT ok FROM media.verify($new_id)"), 't', 'and verifies');

# --- the check catches damage: a corrupted copy ---
$node->safe_psql('postgres', 'CREATE DATABASE damaged TEMPLATE postgres');
is_deeply(integrity_counts($node, 'damaged'), integrity_clean(), 'the copy starts out sound');
my ($victim, $vblob) = split /\|/, $node->safe_psql('damaged', q{
	SELECT f.id, f.blob_id FROM media.files f
	 WHERE (SELECT count(*) FROM media.chunks c WHERE c.blob_id = f.blob_id) > 2
	   AND (SELECT count(*) FROM media.files g WHERE g.blob_id = f.blob_id) = 1
	 ORDER BY f.id LIMIT 1});
like($victim // '', qr/^\d+$/, 'a file with several chunks of its own is picked');
$node->safe_psql('damaged', "DELETE FROM media.chunks WHERE blob_id = $vblob
	AND start = (SELECT min(start) FROM media.chunks WHERE blob_id = $vblob AND start > 0)");
my $expect = integrity_clean();
$expect->{incomplete_files} = 1;
$expect->{verify_failures} = 1;
is_deeply(integrity_counts($node, 'damaged'), $expect, 'a deleted middle chunk: incomplete file and verify failure');
$node->safe_psql('damaged', q{INSERT INTO media.blobs (sha256, byte_size) VALUES (sha256('stray'), 5)});
$expect->{orphan_blobs} = 1;
is_deeply(integrity_counts($node, 'damaged'), $expect, 'a blob nobody refers to: orphan blob');
$node->safe_psql('damaged', q{INSERT INTO media.blobs (byte_size) VALUES (0)});
$expect->{orphan_provisional_blobs} = 1;
is_deeply(integrity_counts($node, 'damaged'), $expect, 'a provisional blob without an upload: counted');
$node->safe_psql('damaged', "SELECT media.upload_begin('damaged.bin') AS d \\gset\n"
	  . "SELECT media.upload_append(:d, '\\x00010203'::bytea);\n"
	  . "UPDATE media.uploads SET received = 5 WHERE id = :d");
$expect->{incomplete_uploads} = 1;
is_deeply(integrity_counts($node, 'damaged'), $expect, 'an upload whose chunks fall short of received: counted');
# triggers (foreign-key cascades included) off, as a careless restore might do
my $other = $node->safe_psql('damaged', "SELECT blob_id FROM media.files WHERE id <> $victim ORDER BY id LIMIT 1");
$node->safe_psql('damaged', "SET session_replication_role = replica; DELETE FROM media.blobs WHERE id = $other");
my $got = integrity_counts($node, 'damaged');
cmp_ok($got->{orphan_chunks}, '>=', 1, "a blob deleted without its cascade: orphan chunks ($got->{orphan_chunks})");
cmp_ok($got->{file_blob_mismatch}, '>=', 1, 'and files pointing at a missing blob');
$node->safe_psql('postgres', 'DROP DATABASE damaged');

my @problems = server_problems($node);
is(scalar @problems, 0, 'the server log shows no crash of a backend, PANIC or internal error')
  or diag(join("\n", @problems));
note sprintf('total %.1f s', time - $t0);
done_testing();
