# Logical replication of pg_media's tables: a subscriber with the extension
# created and a subscription to media.blobs, chunks, files and uploads ends
# up with exactly the publisher's files, bytes and storage rows -- after the
# initial sync, and after puts, an upload in parts and removals made while
# replicating (the removed content's blob and chunks go on both sides).
use strict;
use warnings;
use Time::HiRes qw(time);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgMediaTest;

my $t0 = time;
my $pub = media_node('publisher', allows_streaming => 'logical');
my $sub = media_node('subscriber');
my $sub_log_start = -s $sub->logfile;    # the log of this run only
my $fx = store_fixture($pub);
note sprintf('fixture: %d files (%d from the corpus), %d spanning several chunks',
	scalar @{ $fx->{files} }, $fx->{corpus}, scalar @{ $fx->{multi} });
cmp_ok(scalar @{ $fx->{multi} }, '>=', 5, 'the publisher holds several multi-chunk files');
is(storage_counts($sub), '0|0|0|0', 'the subscriber starts with empty tables');

# compares the subscriber with the publisher
sub compare_nodes
{
	my ($when) = @_;
	my $p_files = file_rows($pub);
	my $s_files = file_rows($sub);
	cmp_ok(scalar @$p_files, '>=', 50, "$when: the publisher has the files");
	is_deeply($s_files, $p_files,
		"$when: the subscriber has the same files (id, name, type, size, sha256, md5(media.get()))");
	my $p_rows = storage_rows($pub);
	my $s_rows = storage_rows($sub);
	for my $table (qw(files blobs chunks uploads))
	{
		is_deeply($s_rows->{$table}, $p_rows->{$table}, "$when: media.$table rows are identical");
	}
	is(storage_counts($sub), storage_counts($pub), "$when: file, blob, chunk and upload counts match");
	is($sub->safe_psql('postgres', 'SELECT count(*), count(*) FILTER (WHERE ok) FROM media.verify()'),
		scalar(@$p_files) . '|' . scalar(@$p_files), "$when: media.verify() is ok for every file on the subscriber");
	is(orphan_counts($sub), '0|0', "$when: no orphan blob or chunk on the subscriber");
}

$pub->safe_psql('postgres',
	'CREATE PUBLICATION media_pub FOR TABLE media.blobs, media.chunks, media.files, media.uploads');
my $connstr = $pub->connstr . ' dbname=postgres';
$sub->safe_psql('postgres', "CREATE SUBSCRIPTION media_sub CONNECTION '$connstr' PUBLICATION media_pub");
my $t = time;
$sub->wait_for_subscription_sync($pub, 'media_sub');
note sprintf('initial sync in %.1f s', time - $t);
compare_nodes('after the initial sync');

# --- changes while replicating ---
my @new;
push @new, $pub->safe_psql('postgres',
	"SET media.chunk_size = '64kB'; SELECT media.put(" . sql_bytea(gen_bytes('live-1', 400_000)) . ", 'live-1.bin')");
push @new, $pub->safe_psql('postgres',
	'SELECT media.put(' . sql_bytea(gen_bytes('live-2', 3_000_000)) . ", 'live-2.bin')");
push @new, $pub->safe_psql('postgres',
	"SET media.chunk_size = '64kB'; SELECT media.put(" . sql_bytea(gen_text('live-3', 250_000)) . ", 'live-3.txt')");
# the same bytes as a fixture file: a new file row on the existing blob
push @new, $pub->safe_psql('postgres',
	'SELECT media.put(' . sql_bytea($fx->{sample}{bytes}) . ", 'live-dup.bin')");

# an upload in parts, its chunks moved to the final blob at the end
my $upbytes = gen_bytes('live-upload', 333_333);
my $up = $pub->safe_psql('postgres', "SELECT media.upload_begin('live-upload.bin')");
for my $part ([ 0, 100_000 ], [ 100_000, 133_333 ], [ 233_333, 100_000 ])
{
	$pub->safe_psql('postgres', "SET media.chunk_size = '64kB'; SELECT media.upload_append($up, "
		  . sql_bytea(substr($upbytes, $part->[0], $part->[1])) . ')');
}
# the subscriber sees the upload in progress
$pub->wait_for_catchup('media_sub');
is($sub->safe_psql('postgres', "SELECT received FROM media.uploads WHERE id = $up"), '333333',
	'the upload in progress is replicated');
push @new, $pub->safe_psql('postgres', "SELECT media.upload_finish($up)");
is($pub->safe_psql('postgres', "SELECT encode(sha256, 'hex') FROM media.files WHERE id = $new[-1]"),
	Digest::SHA::sha256_hex($upbytes), 'the upload is stored with the right hash on the publisher');

# another upload, aborted
my $ab = $pub->safe_psql('postgres', "SELECT media.upload_begin('aborted.bin')");
$pub->safe_psql('postgres', "SELECT media.upload_append($ab, " . sql_bytea(gen_bytes('aborted', 70_000)) . ')');
$pub->safe_psql('postgres', "SELECT media.upload_abort($ab)");

# removals: a multi-chunk file with content of its own, and one of the duplicate pair
my ($victim, $victim_blob) = split /\|/, $pub->safe_psql('postgres',
	'SELECT f.id, f.blob_id FROM media.files f WHERE f.id IN (' . join(',', @{ $fx->{multi} }) . ')
	   AND (SELECT count(*) FROM media.files g WHERE g.blob_id = f.blob_id) = 1 ORDER BY f.id LIMIT 1');
like($victim // '', qr/^\d+$/, 'a multi-chunk file with content of its own is picked for removal');
my $victim_chunks = $sub->safe_psql('postgres', "SELECT count(*) FROM media.chunks WHERE blob_id = $victim_blob");
cmp_ok($victim_chunks, '>', 1, "the subscriber has the removed file's chunks before the removal");
is($pub->safe_psql('postgres', "SELECT media.remove($victim)"), 't', 'a multi-chunk file is removed');
my ($dup_a, $dup_b) = @{ $fx->{dup} };
my $dup_blob = $pub->safe_psql('postgres', "SELECT blob_id FROM media.files WHERE id = $dup_b");
is($pub->safe_psql('postgres', "SELECT media.remove($dup_a)"), 't', 'one of the duplicate pair is removed');
# an empty file removed with a plain DELETE
$pub->safe_psql('postgres', "DELETE FROM media.files WHERE id = $fx->{empty}");
is($pub->safe_psql('postgres', 'SELECT count(*) FROM media.blobs WHERE byte_size = 0'), '0',
	'deleting the empty file frees its blob on the publisher');

$t = time;
$pub->wait_for_catchup('media_sub');
note sprintf('catch-up in %.1f s', time - $t);
compare_nodes('after puts, uploads and removals');

is($sub->safe_psql('postgres',
	"SELECT (SELECT count(*) FROM media.blobs WHERE id = $victim_blob), (SELECT count(*) FROM media.chunks WHERE blob_id = $victim_blob)"),
	'0|0', "the removed file's blob and chunks are gone on the subscriber");
is($sub->safe_psql('postgres', "SELECT count(*) FROM media.files WHERE id IN ($victim, $dup_a, $fx->{empty})"),
	'0', 'the removed files are gone on the subscriber');
is($sub->safe_psql('postgres', "SELECT blob_id, md5(media.get(id)) FROM media.files WHERE id = $dup_b"),
	$dup_blob . '|' . $pub->safe_psql('postgres', "SELECT md5(media.get($dup_b)) "),
	'the remaining duplicate keeps the shared blob on the subscriber');
is($sub->safe_psql('postgres', "SELECT count(*) FROM media.files WHERE id IN (" . join(',', @new) . ')'),
	scalar @new, 'the files stored while replicating are on the subscriber');
is($sub->safe_psql('postgres', "SELECT count(*) FROM media.uploads WHERE id IN ($up, $ab)"), '0',
	'the finished and the aborted upload are gone on the subscriber');

# the subscriber's apply worker is still running (no error loop)
is($sub->safe_psql('postgres',
	q{SELECT count(*) FROM pg_stat_subscription WHERE subname = 'media_sub' AND pid IS NOT NULL}),
	'1', 'the apply worker is running');
my $sublog = slurp_file($sub->logfile, $sub_log_start);
unlike($sublog, qr/ERROR:/, 'the subscriber logged no error');

note sprintf('total %.1f s', time - $t0);
done_testing();
