# Point-in-time recovery: a base backup (pg_basebackup) plus archived WAL,
# replayed to a named restore point (pg_create_restore_point) and to a
# recovery_target_time, gives exactly the files that existed at the target:
# files committed before it exist, have their bytes and verify; files
# committed after it do not exist; files removed after it are back with
# their content; an upload in progress at the target is resumable with the
# bytes it had then.  A replay to the end of the archive gives the
# primary's final state, so the archive really holds the later changes.
use strict;
use warnings;
use Digest::SHA qw(sha256_hex);
use Time::HiRes qw(time);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgMediaTest qw(:DEFAULT sql_gen_bytes integrity_counts integrity_clean server_problems);

my $t0 = time;
my $primary = PostgreSQL::Test::Cluster->new('pitr_primary');
$primary->init(has_archiving => 1, allows_streaming => 1);
$primary->append_conf('postgresql.conf', "log_statement = none\nlog_min_messages = warning\nshared_preload_libraries = 'pg_media'\n");
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION pg_media');

# in the base backup
my $fx = store_fixture($primary, corpus => 10);
note sprintf('fixture: %d files (%d from the corpus), %d spanning several chunks',
	scalar @{ $fx->{files} }, $fx->{corpus}, scalar @{ $fx->{multi} });
my $t = time;
$primary->backup('base');
note sprintf('base backup in %.1f s', time - $t);

sub put
{
	my ($node, $seed, $len, $name) = @_;
	return $node->safe_psql('postgres',
		"SET media.chunk_size = '64kB'; SELECT media.put(" . sql_gen_bytes($seed, $len) . ", '$name')");
}

# --- before the target: only in the archived WAL ---
my %before;
for my $i (1 .. 6)
{
	my $len = $i * 61_000 + 17;
	$before{"pitr-before-$i.bin"} = put($primary, "before-$i", $len, "pitr-before-$i.bin");
}
my $pending_total = 250_000;
my $pending = $primary->safe_psql('postgres', "SELECT media.upload_begin('pitr-pending.bin')");
$primary->safe_psql('postgres', "SET media.chunk_size = '64kB'; SELECT media.upload_append($pending, "
	  . sql_gen_bytes('pending', 100_000) . ')');
$primary->safe_psql('postgres', "SELECT media.upload_append($pending, " . sql_gen_bytes('pending', 60_000, 100_000) . ')');

# --- the target ---
my $at_target = file_rows($primary);
my $uploads_at_target = $primary->safe_psql('postgres', 'SELECT id, received FROM media.uploads ORDER BY id');
my $counts_at_target = storage_counts($primary);
is_deeply(integrity_counts($primary), integrity_clean(), 'the primary is sound at the target');
$primary->safe_psql('postgres', q{SELECT pg_create_restore_point('before_changes')});
my $target_time = $primary->safe_psql('postgres', 'SELECT clock_timestamp()');
note "target: restore point before_changes, time $target_time; $counts_at_target files|blobs|chunks|uploads";

# --- after the target ---
my %after;
for my $i (1 .. 4)
{
	$after{"pitr-after-$i.bin"} = put($primary, "after-$i", $i * 83_000 + 5, "pitr-after-$i.bin");
}
# the same bytes as a file from before: a new file on the old blob
$after{'pitr-after-dup.bin'} = put($primary, 'before-2', 2 * 61_000 + 17, 'pitr-after-dup.bin');
$primary->safe_psql('postgres', "SELECT media.upload_append($pending, "
	  . sql_gen_bytes('pending', $pending_total - 160_000, 160_000) . ')');
$after{'pitr-pending.bin'} = $primary->safe_psql('postgres', "SELECT media.upload_finish($pending)");
my $late_up = $primary->safe_psql('postgres', "SELECT media.upload_begin('pitr-late.bin')");
$primary->safe_psql('postgres', "SELECT media.upload_append($late_up, '\\x0102'::bytea)");

# removals: files from the backup and from before the target; both of the duplicate pair
my @removed = (@{ $fx->{dup} }, @{ $fx->{multi} }[ 0, 1 ], $before{'pitr-before-1.bin'},
	$before{'pitr-before-3.bin'});
for my $id (@removed)
{
	is($primary->safe_psql('postgres', "SELECT media.remove($id)"), 't', "file $id removed after the target");
}
$primary->safe_psql('postgres', "DELETE FROM media.files WHERE id = $fx->{empty}");
push @removed, $fx->{empty};
my $final = file_rows($primary);
is_deeply(integrity_counts($primary), integrity_clean(), 'the primary is sound after the changes');
cmp_ok(scalar @$final, '!=', scalar @$at_target, 'the changes after the target change the set of files');

# archive everything
my $walfile = $primary->safe_psql('postgres', 'SELECT pg_walfile_name(pg_current_wal_lsn())');
$primary->safe_psql('postgres', 'SELECT pg_switch_wal()');
ok($primary->poll_query_until('postgres', "SELECT '$walfile' <= last_archived_wal FROM pg_stat_archiver"),
	'the WAL of the changes is archived');

# a node restored from the base backup and the archive, to the given target
sub restore_to
{
	my ($name, $conf) = @_;
	my $t = time;
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init_from_backup($primary, 'base', has_restoring => 1, standby => 0);
	# archive_mode off: a promoted copy would otherwise archive its new timeline
	# into the primary's archive, and a later replay would follow that timeline
	$node->append_conf('postgresql.conf', "log_min_messages = log\narchive_mode = off\nrecovery_target_action = 'promote'\n$conf");
	$node->start;
	ok($node->poll_query_until('postgres', 'SELECT NOT pg_is_in_recovery()'), "$name: recovery ends and the node is promoted");
	note sprintf('%s: restored in %.1f s', $name, time - $t);
	return $node;
}

# the state at the target, compared file by file
sub check_at_target
{
	my ($node, $label) = @_;
	my $rows = file_rows($node);
	is_deeply($rows, $at_target,
		"$label: exactly the files of the target (id, name, type, size, sha256, md5 of media.get())");
	is($node->safe_psql('postgres', 'SELECT count(*), count(*) FILTER (WHERE ok) FROM media.verify()'),
		scalar(@$at_target) . '|' . scalar(@$at_target), "$label: every file verifies");
	my %names = map { (split /\|/)[1] => 1 } @$rows;
	is(scalar(grep { $names{$_} } keys %before), scalar keys %before, "$label: the files put before the target exist");
	is(scalar(grep { $names{$_} } keys %after), 0, "$label: no file put after the target exists");
	my %ids = map { (split /\|/)[0] => 1 } @$rows;
	is(scalar(grep { $ids{$_} } @removed), scalar @removed, "$label: the files removed after the target are back");
	is($node->safe_psql('postgres', 'SELECT count(*) FROM media.verify() WHERE ok AND id IN (' . join(',', @removed) . ')'),
		scalar @removed, "$label: ... and verify");
	is($node->safe_psql('postgres', 'SELECT id, received FROM media.uploads ORDER BY id'), $uploads_at_target,
		"$label: uploads in progress as at the target");
	is(storage_counts($node), $counts_at_target, "$label: file, blob, chunk and upload counts as at the target");
	is_deeply(integrity_counts($node), integrity_clean(), "$label: no orphan, no incomplete file or upload");

	# the upload in progress resumes from where it was at the target
	is($node->safe_psql('postgres', "SELECT media.upload_status($pending)"), '160000',
		"$label: the pending upload has the 160000 bytes it had at the target");
	my $out = $node->safe_psql('postgres', "SET media.chunk_size = '64kB';\n"
		  . "SELECT media.upload_append($pending, " . sql_gen_bytes('pending', $pending_total - 160_000, 160_000) . ");\n"
		  . "SELECT media.upload_finish($pending) AS fid \\gset\n"
		  . "SELECT byte_size, encode(sha256, 'hex'), (SELECT ok FROM media.verify(:fid)) FROM media.files WHERE id = :fid");
	is((split /\n/, $out)[-1], "$pending_total|" . sha256_hex(gen_bytes('pending', $pending_total)) . '|t',
		"$label: resumed and finished, it has the right bytes");
	my $max = $node->safe_psql('postgres', 'SELECT max(id) FROM media.files');
	my $id = put($node, $node->name . '-new', 70_000, $node->name . '-new.bin');
	cmp_ok($id, '>', $max, "$label: a new put gets a new id");
	is_deeply(integrity_counts($node), integrity_clean(), "$label: still sound after new writes");
}

my $by_name = restore_to('pitr_name', "recovery_target_name = 'before_changes'\n");
check_at_target($by_name, 'restore point');
my $log = slurp_file($by_name->logfile);
like($log, qr/recovery stopping at restore point "before_changes"/, 'restore point: recovery stopped at the restore point');
$by_name->stop;

my $by_time = restore_to('pitr_time', "recovery_target_time = '$target_time'\n");
check_at_target($by_time, 'target time');
like(slurp_file($by_time->logfile), qr/recovery stopping before commit of transaction/,
	'target time: recovery stopped before the first later commit');
$by_time->stop;

# to the end of the archive: the primary's final state
my $full = restore_to('pitr_end', '');
is_deeply(file_rows($full), $final, 'end of archive: exactly the primary\'s final files');
is($full->safe_psql('postgres', 'SELECT count(*) FROM media.files WHERE id IN (' . join(',', @removed) . ')'), '0',
	'end of archive: the removed files stay removed');
is_deeply(integrity_counts($full), integrity_clean(), 'end of archive: sound');
$full->stop;

for my $node ($primary, $by_name, $by_time, $full)
{
	my @problems = server_problems($node);
	is(scalar @problems, 0, $node->name . ': no crash, PANIC or internal error in the log') or diag(join("\n", @problems));
}
note sprintf('total %.1f s', time - $t0);
done_testing();
