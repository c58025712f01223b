# Concurrency, with pgbench (8 clients, 2 threads, a bounded number of
# transactions per client) and custom scripts:
#  (a) the same bytes stored by every client at once, by media.put() and by
#      media.upload_begin/append/finish: exactly one blob holds them, every
#      file shares it and verifies, no upload or provisional blob is left;
#  (b) put/remove races on shared content (autocommit, as applications
#      usually call pg_media): clients keep storing the same few contents
#      and removing random files of their own, so contents are freed and
#      stored anew while others attach to them.  No failed transaction, no
#      deadlock, no serialization failure; afterwards no file is missing
#      content, no blob is unreferenced, no chunk is stray;
#  (b') the same race in REPEATABLE READ: the errors are noted (40001 is
#      expected there; see the report for what else happens) and only the
#      soundness of storage afterwards is asserted;
#  (c) transactions that touch several shared contents: (c1) "replace a
#      file" (put the new content, remove an old file) in one transaction,
#      (c2) removing all of a client's files in one statement while others
#      put.  Deadlocks (40P01) are counted and noted, not asserted; any
#      other error fails; storage must be sound afterwards;
#  (d) the window between put() attaching a file to a stored content and
#      remove() freeing it, step by step in two sessions, in READ COMMITTED
#      and REPEATABLE READ: a file committed after the remover's snapshot,
#      or while it waits, keeps the content; a put that waits for a free
#      stores the content anew (READ COMMITTED) or fails with 40001
#      (REPEATABLE READ); storage stays sound.
use strict;
use warnings;
use IPC::Run;
use Time::HiRes qw(time usleep);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgMediaTest qw(:DEFAULT integrity_counts integrity_clean server_problems);

my $t0 = time;
my $node = media_node('concurrency',
	conf => "log_error_verbosity = verbose\nmax_connections = 40\ndeadlock_timeout = 200ms\n");
my $clients = 8;
my $dir = PostgreSQL::Test::Utils::tempdir;

# Runs pgbench with scripts { name => [weight, text] }; returns
# { rc, out, err, processed, failed, serialization, deadlock, log }.
sub run_pgbench
{
	my ($label, $scripts, $tx, %opts) = @_;
	my @files;
	for my $name (sort keys %$scripts)
	{
		my ($weight, $text) = @{ $scripts->{$name} };
		my $path = "$dir/$label-$name.sql";
		PostgreSQL::Test::Utils::append_to_file($path, $text);
		push @files, '-f', "$path\@$weight";
	}
	my ($out, $err) = ('', '');
	my $log_offset = -s $node->logfile;
	local $ENV{PGOPTIONS} = $opts{pgoptions} if $opts{pgoptions};
	my $t = time;
	my $ok = IPC::Run::run(
		[ 'pgbench', '-n', '-c', $clients, '-j', 2, '-t', $tx, '--failures-detailed', @files,
		  '-h', $node->host, '-p', $node->port, 'postgres' ],
		'>', \$out, '2>', \$err, IPC::Run::timeout(240));
	my %r = (rc => $?, out => $out, err => $err, secs => time - $t);
	($r{processed}) = $out =~ /number of transactions actually processed: (\d+)/;
	($r{failed}) = $out =~ /number of failed transactions: (\d+)/;
	($r{serialization}) = $out =~ /number of serialization failures: (\d+)/;
	($r{deadlock}) = $out =~ /number of deadlock failures: (\d+)/;
	$r{log} = slurp_file($node->logfile, $log_offset);
	my %states;
	$states{$1}++ while $r{log} =~ /ERROR:\s+([0-9A-Z]{5}):/g;
	$r{states} = \%states;
	note sprintf('%s: %s/%d transactions in %.1f s; failed %s (serialization %s, deadlock %s); errors logged: %s',
		$label, $r{processed} // '?', $clients * $tx, $r{secs}, $r{failed} // '?', $r{serialization} // '?',
		$r{deadlock} // '?', join(', ', map { "$_ x$states{$_}" } sort keys %states) || 'none');
	return \%r;
}

# --- (a) identical content, stored by every client at once ---
my $same = q{decode(repeat(md5('same'), 12500), 'hex')};    # 200000 bytes, 4 chunks of 64kB
my $r = run_pgbench('same', {
	put => [ 1, qq{SET media.chunk_size = '64kB';
SELECT media.put($same, 'same-put.bin');
} ],
	upload => [ 1, q{SET media.chunk_size = '64kB';
SELECT media.upload_begin('same-up.bin') AS up \gset
SELECT media.upload_append(:up, decode(repeat(md5('same'), 5000), 'hex'));
SELECT media.upload_append(:up, decode(repeat(md5('same'), 7500), 'hex'));
SELECT media.upload_finish(:up);
} ] }, 25);
is($r->{rc}, 0, '(a) pgbench exits 0') or diag("$r->{out}\n$r->{err}");
is($r->{processed}, $clients * 25, '(a) every transaction was processed');
is($r->{failed}, 0, '(a) no failed transaction');
is_deeply($r->{states}, {}, '(a) the server logged no error') or diag($r->{log});
my $nsame = $node->safe_psql('postgres', q{SELECT count(*) FROM media.files WHERE name IN ('same-put.bin', 'same-up.bin')});
is($nsame, $clients * 25, '(a) one file per transaction');
is($node->safe_psql('postgres', "SELECT count(*) FROM media.blobs WHERE sha256 = sha256($same)"), '1',
	'(a) exactly one blob holds the content');
is($node->safe_psql('postgres', q{SELECT count(DISTINCT blob_id), count(DISTINCT sha256), min(byte_size), max(byte_size)
	FROM media.files WHERE name IN ('same-put.bin', 'same-up.bin')}), '1|1|200000|200000',
	'(a) every file, put or uploaded, points at that blob');
is($node->safe_psql('postgres', q{SELECT count(*) FROM media.verify() v JOIN media.files f USING (id)
	WHERE v.ok AND f.name IN ('same-put.bin', 'same-up.bin')}), $nsame, '(a) every file verifies');
is($node->safe_psql('postgres', 'SELECT (SELECT count(*) FROM media.uploads), (SELECT count(*) FROM media.blobs WHERE sha256 IS NULL)'),
	'0|0', '(a) no upload and no provisional blob is left');
is_deeply(integrity_counts($node), integrity_clean(), '(a) storage is sound');

# --- (b) put/remove races on shared content ---
# twelve contents of 1..4 chunks of 64kB; each client names its files
# race-<client> and keeps two or three of them, removing a random one of its
# own after each store: a content's last file is removed often, so contents
# are freed and stored anew all the time while other clients attach to them
my $ncontents = 12;
sub content_sql { my ($k) = @_; return "decode(repeat(md5('shared-' || $k), 4096 * (1 + $k % 4)), 'hex')"; }
my $content = content_sql(':k');
my $trim = q{SELECT media.remove(id) FROM (SELECT id, count(*) OVER () AS n FROM media.files
  WHERE name = 'race-' || :client_id || '.bin') f WHERE n >= 3 ORDER BY random() LIMIT 1;};
my %race = (
	put => [ 5, qq{SET media.chunk_size = '64kB';
\\set k random(1, $ncontents)
SELECT media.put($content, 'race-' || :client_id || '.bin');
$trim
} ],
	upload => [ 2, qq{SET media.chunk_size = '64kB';
\\set k random(1, $ncontents)
SELECT media.upload_begin('race-' || :client_id || '.bin') AS up \\gset
SELECT media.upload_append(:up, substring($content FROM 1 FOR 50000));
SELECT media.upload_append(:up, substring($content FROM 50001));
SELECT media.upload_finish(:up);
$trim
} ]);
# blobs inserted so far (blob ids are random, so their maximum says nothing); pgbench's clients
# have exited, so their counts are flushed to the statistics
my $max_blob_sql = q{SELECT n_tup_ins FROM pg_stat_user_tables WHERE relid = 'media.blobs'::regclass};

# the race's files: each has one of the shared contents, and no content has two blobs
sub race_checks
{
	my ($label) = @_;
	is($node->safe_psql('postgres', q{
		SELECT count(*) FROM media.files f
		 WHERE f.name LIKE 'race-%'
		   AND f.sha256 NOT IN (SELECT sha256(} . content_sql('k') . qq{) FROM generate_series(1, $ncontents) k)}), '0',
		"$label: every race file holds one of the shared contents");
	is($node->safe_psql('postgres', q{SELECT count(*) FROM (SELECT sha256 FROM media.files WHERE name LIKE 'race-%'
		GROUP BY sha256 HAVING count(DISTINCT blob_id) > 1) x}), '0', "$label: each content is in one blob");
	is_deeply(integrity_counts($node), integrity_clean(),
		"$label: every file verifies and is fully covered; no orphan blob, provisional blob or stray chunk");
}

my $blobs_before = $node->safe_psql('postgres', $max_blob_sql);
$r = run_pgbench('race', \%race, 150);
is($r->{rc}, 0, '(b) pgbench exits 0') or diag("$r->{out}\n$r->{err}");
is($r->{processed}, $clients * 150, '(b) every transaction was processed');
is($r->{failed}, 0, '(b) no failed transaction');
is($r->{serialization}, 0, '(b) no serialization failure');
is($r->{deadlock}, 0, '(b) no deadlock failure');
unlike($r->{log}, qr/deadlock detected/, '(b) no "deadlock detected" in the server log');
is_deeply($r->{states}, {}, '(b) the server logged no error at all') or diag($r->{log});
my $left = $node->safe_psql('postgres', q{SELECT count(*), count(DISTINCT blob_id) FROM media.files WHERE name LIKE 'race-%'});
my $created = $node->safe_psql('postgres', $max_blob_sql) - $blobs_before;
note "(b) race files left: $left (files|blobs); blobs created during the race: $created";
cmp_ok($created, '>', 2 * $ncontents, '(b) contents were freed and stored anew many times (the race is exercised)');
race_checks('(b)');

# --- (b') the same race in REPEATABLE READ: only soundness is asserted ---
$node->safe_psql('postgres', q{DELETE FROM media.files WHERE name LIKE 'race-%'});
$blobs_before = $node->safe_psql('postgres', $max_blob_sql);
$r = run_pgbench('race_rr', \%race, 100, pgoptions => '-c default_transaction_isolation=repeatable\\ read');
my $aborted = () = $r->{err} =~ /aborted in command/g;
note sprintf("(b') REPEATABLE READ: pgbench exit %d, %s of %d transactions done, %s failed "
	  . '(serialization %s, deadlock %s), %d clients aborted by other errors',
	$r->{rc} >> 8, $r->{processed} // '?', $clients * 100, $r->{failed} // '?', $r->{serialization} // '?',
	$r->{deadlock} // '?', $aborted);
note "(b') $_" for grep { /aborted in command/ } split /\n/, $r->{err};
note sprintf("(b') errors logged: %s; blobs created: %d",
	join(', ', map { "$_ x$r->{states}{$_}" } sort keys %{ $r->{states} }) || 'none',
	$node->safe_psql('postgres', $max_blob_sql) - $blobs_before);
race_checks("(b')");

# --- (c) transactions that free or attach several contents: measured, then soundness ---
# (c1) "replace a file" in one transaction: put the new content, remove an old file
$r = run_pgbench('replace', {
	replace => [ 1, qq{SET media.chunk_size = '64kB';
\\set k random(1, 3)
\\set o random(1, 3)
BEGIN;
SELECT media.put($content, 'race-' || :client_id || '.bin');
SELECT media.remove(id) FROM media.files WHERE name = 'race-' || :client_id || '.bin'
   AND sha256 = sha256(} . content_sql(':o') . q{) ORDER BY random() LIMIT 1;
COMMIT;
} ] }, 15);
is($r->{rc}, 0, '(c1) pgbench exits 0 (no client aborted)') or diag("$r->{out}\n$r->{err}");
is(join(',', grep { $_ ne '40P01' } sort keys %{ $r->{states} }), '', '(c1) no error other than deadlocks') or diag($r->{log});
note sprintf('(c1) replace in one transaction: %d of %d transactions failed with a deadlock (40P01)',
	$r->{deadlock} // 0, $clients * 15);
race_checks('(c1)');

# (c2) all of a client's files removed in one statement, while others put
$r = run_pgbench('bulk', {
	put => [ 3, qq{SET media.chunk_size = '64kB';
\\set k random(1, 4)
SELECT media.put($content, 'race-' || :client_id || '.bin');
} ],
	removeall => [ 1, q{SELECT count(media.remove(id)) FROM media.files WHERE name = 'race-' || :client_id || '.bin';
} ] }, 60);
is($r->{rc}, 0, '(c2) pgbench exits 0 (no client aborted)') or diag("$r->{out}\n$r->{err}");
is(join(',', grep { $_ ne '40P01' } sort keys %{ $r->{states} }), '', '(c2) no error other than deadlocks') or diag($r->{log});
note sprintf('(c2) bulk remove in one statement: %d of %d transactions failed with a deadlock (40P01)',
	$r->{deadlock} // 0, $clients * 60);
race_checks('(c2)');

# --- (d) put() attaching to a content while remove() frees it, step by step ---
my $window = q{decode(repeat(md5('window'), 6000), 'hex')};    # 96000 bytes, 2 chunks of 64kB
my $window_md5 = $node->safe_psql('postgres', "SELECT md5($window)");

# waits until session pid waits for a lock; false after 10 s
sub waits_for_lock
{
	my ($pid) = @_;
	for (1 .. 100)
	{
		return 1 if $node->safe_psql('postgres',
			"SELECT count(*) FROM pg_stat_activity WHERE pid = $pid AND wait_event_type = 'Lock'") > 0;
		usleep(100_000);
	}
	return 0;
}

# sends sql to a session without waiting for it to finish
sub send_sql
{
	my ($session, $sql) = @_;
	$session->query_until(qr/sent/, "\\echo sent\n$sql;\n");
}

# the window content's files (count, each reading back whole) and sound storage
sub window_checks
{
	my ($label, $files) = @_;
	my ($rc, $out, $err) = psql_ok($node, 'postgres', qq{SELECT count(*), count(*) FILTER (WHERE md5(media.get(id)) = '$window_md5')
		FROM media.files WHERE name LIKE 'window-%'});
	is($rc ? $err : $out, "$files|$files", "$label: $files window file(s), each reading back whole");
	is_deeply(integrity_counts($node), integrity_clean(), "$label: storage is sound");
	$node->safe_psql('postgres', q{DELETE FROM media.files WHERE name LIKE 'window-%'});
}

for my $iso ('read committed', 'repeatable read')
{
	my $remover = $node->background_psql('postgres', on_error_stop => 0);
	my $putter = $node->background_psql('postgres', on_error_stop => 0);
	my $putter_pid = $putter->query_safe('SELECT pg_backend_pid()');
	my $remover_pid = $remover->query_safe('SELECT pg_backend_pid()');
	my $put = "SELECT media.put($window, 'window-new.bin')";

	# (d1) a file attached after the remover's snapshot, before its remove
	my $old = $node->safe_psql('postgres', "SELECT media.put($window, 'window-old.bin')");
	$remover->query_safe("BEGIN ISOLATION LEVEL $iso; SELECT count(*) FROM media.files");
	$putter->query_safe($put);
	$remover->query_safe("SELECT media.remove($old); COMMIT");
	window_checks("(d1) $iso: a file committed after the remover's snapshot keeps the content", 1);

	# (d2) a put holding the content (uncommitted) while the remover frees it: the remover waits
	$old = $node->safe_psql('postgres', "SELECT media.put($window, 'window-old.bin')");
	$remover->query_safe("BEGIN ISOLATION LEVEL $iso; SELECT count(*) FROM media.files");
	$putter->query_safe("BEGIN; $put");
	send_sql($remover, "SELECT media.remove($old)");
	ok(waits_for_lock($remover_pid), "(d2) $iso: the remover waits for the put holding the content");
	$putter->query_safe('COMMIT');
	$remover->query('COMMIT');
	is($remover->{stderr}, '', "(d2) $iso: the remover finishes without an error");
	$remover->{stderr} = '';
	window_checks("(d2) $iso: a file committed while the remover waited keeps the content", 1);

	# (d3) the remover has freed the content (uncommitted) when a put wants it: the put waits
	$old = $node->safe_psql('postgres', "SELECT media.put($window, 'window-old.bin')");
	$putter->query_safe("BEGIN ISOLATION LEVEL $iso; SELECT count(*) FROM media.files");
	$remover->query_safe("BEGIN; SELECT media.remove($old)");
	send_sql($putter, $put);
	ok(waits_for_lock($putter_pid), "(d3) $iso: the put waits for the remover");
	$remover->query_safe('COMMIT');
	$putter->query('COMMIT');
	if ($iso eq 'read committed')
	{
		is($putter->{stderr}, '', "(d3) $iso: the put stores the content anew");
		window_checks("(d3) $iso: the new file has its own blob", 1);
	}
	else
	{
		like($putter->{stderr}, qr/could not serialize access/, "(d3) $iso: the put fails with a serialization failure (retry)");
		window_checks("(d3) $iso: nothing is left behind", 0);
	}
	$putter->{stderr} = '';
	$_->quit for $remover, $putter;
}

my @problems = server_problems($node);
is(scalar @problems, 0, 'no backend crash, PANIC or internal error in the server log') or diag(join("\n", @problems));
note sprintf('total %.1f s', time - $t0);
done_testing();
