# pg_dump and restore carry pg_media's files whole: plain (-Fp, psql) and
# custom (-Fc, pg_restore) dumps of node A restored into fresh databases of
# node B give the same files (ids, names, types, sizes, hashes, bytes), the
# same storage rows, no orphans, a resumable upload still resumable, and
# identity sequences positioned so new files get new ids and dedup against
# the restored content.
use strict;
use warnings;
use Time::HiRes qw(time);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgMediaTest;

my $t0 = time;
my $node_a = media_node('dump_a');
my $fx = store_fixture($node_a);
note sprintf('fixture: %d files (%d from the corpus), %d spanning several chunks',
	scalar @{ $fx->{files} }, $fx->{corpus}, scalar @{ $fx->{multi} });

# an upload left in progress: it must survive the dump and finish afterwards
my $pending_bytes = gen_bytes('pending-upload', 90_000);
my $pending = $node_a->safe_psql('postgres',
	"SELECT media.upload_begin('pending.bin', NULL, '{\"fixture\": \"pending\"}')");
$node_a->safe_psql('postgres', "SET media.chunk_size = '64kB'; SELECT media.upload_append($pending, "
	  . sql_bytea(substr($pending_bytes, 0, 70_000)) . ')');

my $a_files = file_rows($node_a);
my $a_rows = storage_rows($node_a);
my $a_counts = storage_counts($node_a);
my $a_max_id = $node_a->safe_psql('postgres', 'SELECT max(id) FROM media.files');
cmp_ok(scalar @$a_files, '>=', 50, 'node A holds the fixture');
is(orphan_counts($node_a), '0|0', 'node A has no orphan blob or chunk before the dump');
is($node_a->safe_psql('postgres', 'SELECT count(*) FILTER (WHERE NOT ok) FROM media.verify()'),
	'0', 'node A verifies before the dump');

my $node_b = media_node('dump_b', extension => 0);
my $dir = PostgreSQL::Test::Utils::tempdir;

my %dump = (
	plain => [ "$dir/media.sql", [ '-Fp' ] ],
	custom => [ "$dir/media.dump", [ '-Fc' ] ],
);
for my $format ('plain', 'custom')
{
	my ($file, $flags) = @{ $dump{$format} };
	my $db = "restored_$format";
	my $t = time;
	my ($ok, $err) = run_cmd('pg_dump', @$flags, '-d', $node_a->connstr('postgres'), '-f', $file);
	ok($ok, "pg_dump $format") or diag($err);
	is($err, '', "pg_dump $format prints no warning");
	note sprintf('%s dump: %d bytes in %.1f s', $format, -s $file, time - $t);

	$node_b->safe_psql('postgres', "CREATE DATABASE $db");
	$t = time;
	if ($format eq 'plain')
	{
		($ok, $err) = run_cmd('psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1',
			'-d', $node_b->connstr($db), '-f', $file);
	}
	else
	{
		($ok, $err) = run_cmd('pg_restore', '--exit-on-error', '-d', $node_b->connstr($db), $file);
	}
	ok($ok, "restore of the $format dump") or diag($err);
	unlike($err, qr/(ERROR|WARNING|FATAL)/, "restore of the $format dump reports no error or warning")
	  or diag($err);
	note sprintf('%s restore: %.1f s', $format, time - $t);

	my $b_files = file_rows($node_b, $db);
	is(scalar @$b_files, scalar @$a_files, "$format: as many files as on node A");
	is_deeply($b_files, $a_files,
		"$format: every file has the same id, name, mime_type, byte_size, sha256 and md5(media.get())");
	my $b_rows = storage_rows($node_b, $db);
	for my $table (qw(files blobs chunks uploads))
	{
		is_deeply($b_rows->{$table}, $a_rows->{$table}, "$format: media.$table rows are identical");
	}
	is(storage_counts($node_b, $db), $a_counts, "$format: file, blob, chunk and upload counts match");
	is($node_b->safe_psql($db, 'SELECT count(*), count(*) FILTER (WHERE ok) FROM media.verify()'),
		scalar(@$a_files) . '|' . scalar(@$a_files), "$format: media.verify() is ok for every file");
	is(orphan_counts($node_b, $db), '0|0', "$format: no orphan blob and no orphan chunk");
	is($node_b->safe_psql($db, q{SELECT extversion FROM pg_extension WHERE extname = 'pg_media'}),
		$node_a->safe_psql('postgres', q{SELECT extversion FROM pg_extension WHERE extname = 'pg_media'}),
		"$format: the extension is installed by the restore, at the source's version");

	# the multi-chunk files, read back in ranges and parts
	my $multi = join(',', @{ $fx->{multi} });
	is($node_b->safe_psql($db, qq{
		SELECT count(*) FROM media.files f
		 WHERE f.id IN ($multi)
		   AND (SELECT md5(string_agg(data, ''::bytea ORDER BY start)) FROM media.parts(f.id))
		       = md5(media.get(f.id))
		   AND media.read(f.id, 65530, 20) = substring(media.get(f.id) FROM 65531 FOR 20)}),
		scalar @{ $fx->{multi} }, "$format: multi-chunk files stream and read across chunk boundaries");

	# the upload left in progress resumes and finishes on the restored copy
	is($node_b->safe_psql($db, "SELECT media.upload_status($pending)"), '70000',
		"$format: the pending upload kept its progress");
	my $fin = $node_b->safe_psql($db, "SET media.chunk_size = '64kB'; SELECT media.upload_append($pending, "
		  . sql_bytea(substr($pending_bytes, 70_000)) . "); SELECT media.upload_finish($pending)");
	my (undef, $pending_id) = split /\n/, $fin;
	is($node_b->safe_psql($db, "SELECT byte_size, encode(sha256, 'hex') FROM media.files WHERE id = $pending_id"),
		'90000|' . Digest::SHA::sha256_hex($pending_bytes), "$format: the resumed upload has the right bytes");
	cmp_ok($pending_id, '>', $a_max_id, "$format: the resumed upload gets a new file id");

	# new content after the restore: a fresh id, no clash with restored blobs
	my $blobs_before = $node_b->safe_psql($db, 'SELECT count(*) FROM media.blobs');
	my ($rc, $new_id, $perr) = psql_ok($node_b, $db,
		'SELECT media.put(' . sql_bytea(gen_bytes("after-restore-$format", 5000)) . ", 'new.bin')");
	is($rc, 0, "$format: media.put() of new content works after the restore") or diag($perr);
	cmp_ok($new_id, '>', $a_max_id, "$format: the new file's id is above every restored id");
	cmp_ok($new_id, '>', $pending_id, "$format: ids keep increasing");
	is($node_b->safe_psql($db, 'SELECT count(*) FROM media.blobs') - $blobs_before, 1,
		"$format: new content gets one new blob");

	# content already stored before the dump: deduplicated against the restore
	$blobs_before = $node_b->safe_psql($db, 'SELECT count(*) FROM media.blobs');
	($rc, my $again, $perr) = psql_ok($node_b, $db,
		'SELECT media.put(' . sql_bytea($fx->{sample}{bytes}) . ", 'again.bin')");
	is($rc, 0, "$format: media.put() of restored content works") or diag($perr);
	is($node_b->safe_psql($db, 'SELECT count(*) FROM media.blobs'), $blobs_before,
		"$format: storing restored content again adds no blob");
	is($node_b->safe_psql($db, "SELECT a.blob_id = b.blob_id FROM media.files a, media.files b
		WHERE a.id = $again AND b.id = $fx->{sample}{id}"), 't',
		"$format: the new file shares the restored file's blob");
	is(orphan_counts($node_b, $db), '0|0', "$format: still no orphans after new writes");
}

note sprintf('total %.1f s', time - $t0);
done_testing();
