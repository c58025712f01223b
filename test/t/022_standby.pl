# Streaming replication and failover: a hot standby serves every file the
# primary has -- media.get(), read(), parts() and http() (200, 206, 304 and
# HEAD) give the same bytes, statuses and headers as on the primary, for
# multi-chunk files (media.chunk_size = 64kB and the 1MB default) and a
# compressed text file; every writing call fails on the standby with a
# clear read-only error (SQLSTATE 25006), not a crash.  Then the primary
# fails, the standby is promoted: no committed file is lost (same files,
# same sha256 set, all verify), an upload in progress resumes and finishes,
# and new puts work with ids continuing past the replicated ones.
use strict;
use warnings;
use Digest::SHA qw(sha256_hex);
use Time::HiRes qw(time);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgMediaTest qw(:DEFAULT sql_gen_bytes integrity_counts integrity_clean sqlstate_of server_problems);

my $t0 = time;
my $primary = media_node('sb_primary', allows_streaming => 1, conf => "log_error_verbosity = verbose\n");
$primary->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('sb_standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->start;

my $fx = store_fixture($primary, corpus => 20);
note sprintf('fixture: %d files (%d from the corpus), %d spanning several chunks',
	scalar @{ $fx->{files} }, $fx->{corpus}, scalar @{ $fx->{multi} });
# a file in 1MB chunks (the default chunk size)
my $big = $primary->safe_psql('postgres', 'SELECT media.put(' . sql_gen_bytes('sb-big', 3_500_000) . ", 'big.bin')");
# an upload in progress, to resume after the failover
my $pending = $primary->safe_psql('postgres', "SELECT media.upload_begin('sb-pending.bin')");
$primary->safe_psql('postgres', "SET media.chunk_size = '64kB'; SELECT media.upload_append($pending, "
	  . sql_gen_bytes('sb-pending', 150_000) . ')');
cmp_ok($primary->safe_psql('postgres', 'SELECT count(*) FROM media.files WHERE is_compressed'), '>=', 1,
	'the primary holds a compressed file');
cmp_ok($primary->safe_psql('postgres',
	"SELECT count(*) FROM media.files f WHERE (SELECT count(*) FROM media.chunks c WHERE c.blob_id = f.blob_id) > 1"),
	'>=', 5, 'the primary holds several multi-chunk files');

my $t = time;
$primary->wait_for_catchup($standby, 'replay');
note sprintf('standby caught up in %.1f s', time - $t);
is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 't', 'the standby is in recovery (hot standby)');

# everything a reader can get, one line per file
my $serve_sql = q{
SELECT f.id, f.byte_size, f.is_compressed,
       md5(media.get(f.id)),
       encode(sha256(media.get(f.id)), 'hex') = encode(f.sha256, 'hex'),
       (SELECT md5(string_agg(p.data, ''::bytea ORDER BY p.start)) || ':' || count(*) FROM media.parts(f.id) p),
       md5(media.read(f.id, 65530, 20)),
       md5(media.read(f.id, greatest(f.byte_size - 100, 0), 1000)),
       md5(media.read(f.id, f.byte_size, 10)),
       h.status, h.headers::text, md5(h.body),
       r.status, r.headers::text, md5(r.body),
       n.status, n.headers::text, n.body IS NULL,
       hd.status, hd.headers::text, hd.body IS NULL
  FROM media.files f,
       LATERAL media.http(f.id) h,
       LATERAL media.http(f.id, 'bytes=10-70000') r,
       LATERAL media.http(f.id, NULL, f.etag) n,
       LATERAL media.http(f.id, NULL, NULL, 'HEAD') hd
 ORDER BY f.id};
my @p_serve = split /\n/, $primary->safe_psql('postgres', $serve_sql);
my @s_serve = split /\n/, $standby->safe_psql('postgres', $serve_sql);
my $nfiles = $primary->safe_psql('postgres', 'SELECT count(*) FROM media.files');
is(scalar @s_serve, $nfiles, "the standby serves all $nfiles files");
is_deeply(\@s_serve, \@p_serve,
	'get/read/parts/http (200, 206, 304, HEAD): same bytes, statuses and headers on the standby as on the primary');
is(scalar(grep { (split /\|/)[4] ne 't' } @s_serve), 0, 'on the standby, media.get() of every file hashes to its sha256');
my %status = map { my @c = split /\|/; ($c[9] . '/' . $c[12] . '/' . $c[15] . '/' . $c[18]) => 1 } @s_serve;
ok($status{'200/206/304/200'}, 'statuses include 200, 206, 304 and HEAD 200') or diag(join(' ', keys %status));
is($standby->safe_psql('postgres', 'SELECT status FROM media.http(987654321)'), '404', 'a missing id is a 404 on the standby');
is($standby->safe_psql('postgres', 'SELECT count(*), count(*) FILTER (WHERE ok) FROM media.verify()'),
	"$nfiles|$nfiles", 'media.verify() runs on the standby and every file is ok');
is($standby->safe_psql('postgres', "SELECT media.upload_status($pending)"), '150000',
	'media.upload_status() works on the standby');

# thumbnails of stored images, when media.thumbnail(bigint, integer, integer) exists:
# the standby computes them (it cannot cache them) and gets the primary's bytes
SKIP:
{
	skip 'media.thumbnail(bigint, integer, integer) does not exist (yet)', 3
	  unless $primary->safe_psql('postgres', q{SELECT EXISTS (SELECT 1 FROM pg_proc p
		WHERE p.pronamespace = 'media'::regnamespace AND p.proname = 'thumbnail' AND p.pronargs >= 3
		  AND p.pronargs - p.pronargdefaults <= 3 AND p.proargtypes[0] = 'bigint'::regtype)}) eq 't';
	my @images = split /\n/, $primary->safe_psql('postgres',
		q{SELECT id FROM media.files WHERE mime_type IN ('image/jpeg', 'image/png', 'image/gif', 'image/bmp')
		  ORDER BY id LIMIT 4});
	my $derivatives = $standby->safe_psql('postgres', 'SELECT count(*) FROM media.derivatives');
	my $list = join(',', @images, 0);
	my $thumbs = "SELECT id, md5(media.thumbnail(id, 48, 48)) FROM media.files WHERE id IN ($list) ORDER BY id";
	my ($state, $s_thumbs, $err) = sqlstate_of($standby, 'postgres', $thumbs);
	is($state, '', 'the standby makes thumbnails of ' . scalar(@images) . ' stored images') or diag($err);
	is($standby->safe_psql('postgres', 'SELECT count(*) FROM media.derivatives'), $derivatives,
		'without caching them');
	is($s_thumbs, $primary->safe_psql('postgres', $thumbs), 'the same bytes as the primary makes');
	$primary->wait_for_catchup($standby, 'replay');
}

# --- writes on the standby: a read-only error, never a crash ---
my $start_time = $standby->safe_psql('postgres', 'SELECT pg_postmaster_start_time()');
my $log_offset = -s $standby->logfile;
my $some = $fx->{files}[0]{id};
my %writes = (
	'put of new bytes' => q{SELECT media.put('\x0102030405', 'ro.bin')},
	'put of stored bytes (dedup)' => 'SELECT media.put(media.get(' . $fx->{sample}{id} . "), 'ro-dup.bin')",
	'put_base64' => q{SELECT media.put_base64('AQIDBA==', 'ro.b64')},
	'upload_begin' => q{SELECT media.upload_begin('ro-up.bin')},
	'upload_append' => "SELECT media.upload_append($pending, '\\x00'::bytea)",
	'upload_finish' => "SELECT media.upload_finish($pending)",
	'upload_abort' => "SELECT media.upload_abort($pending)",
	'remove' => "SELECT media.remove($some)",
	'DELETE FROM media.files' => "DELETE FROM media.files WHERE id = $some",
	'set_scan_result' => "SELECT media.set_scan_result($some, true)",
	'cleanup_uploads' => q{SELECT media.cleanup_uploads('0 seconds')},
	'UPDATE media.files' => "UPDATE media.files SET name = 'x' WHERE id = $some",
);
for my $what (sort keys %writes)
{
	my ($state, $out, $err) = sqlstate_of($standby, 'postgres', $writes{$what});
	is($state, '25006', "standby: $what fails with 25006") or diag($err);
	like($err, qr/read-only transaction|during recovery/, "standby: $what says the server is read-only");
}
is($standby->safe_psql('postgres', 'SELECT pg_postmaster_start_time()'), $start_time,
	'the standby did not restart');
my @problems = server_problems($standby, $log_offset);
is(scalar @problems, 0, 'no crash or internal error in the standby log') or diag(join("\n", @problems));
is($standby->safe_psql('postgres', "SELECT media.upload_status($pending)"), '150000',
	'the upload is untouched by the refused writes');

# --- failover ---
my $p_rows = file_rows($primary);
my $p_shas = $primary->safe_psql('postgres', "SELECT string_agg(DISTINCT encode(sha256, 'hex'), ',') FROM media.files");
my $p_counts = storage_counts($primary);
my ($p_max_file, $p_max_blob) = split /\|/,
  $primary->safe_psql('postgres', 'SELECT (SELECT max(id) FROM media.files), (SELECT max(id) FROM media.blobs)');
$primary->wait_for_catchup($standby, 'replay');
$primary->stop('immediate');
$t = time;
$standby->promote;
ok($standby->poll_query_until('postgres', 'SELECT NOT pg_is_in_recovery()'), 'the standby is promoted');
note sprintf('promoted in %.1f s', time - $t);

is_deeply(file_rows($standby), $p_rows, 'after failover: the same files (id, name, type, size, sha256, md5 of media.get())');
is($standby->safe_psql('postgres', "SELECT string_agg(DISTINCT encode(sha256, 'hex'), ',') FROM media.files"), $p_shas,
	'after failover: the same set of sha256');
is(storage_counts($standby), $p_counts, 'after failover: the same file, blob, chunk and upload counts');
is_deeply(integrity_counts($standby), integrity_clean(), 'after failover: all verify, no orphan or incomplete content');

my $out = $standby->safe_psql('postgres', "SET media.chunk_size = '64kB';\n"
	  . "SELECT media.upload_append($pending, " . sql_gen_bytes('sb-pending', 100_000, 150_000) . ");\n"
	  . "SELECT media.upload_finish($pending) AS fid \\gset\n"
	  . "SELECT :fid, byte_size, encode(sha256, 'hex'), (SELECT ok FROM media.verify(:fid)) FROM media.files WHERE id = :fid");
my ($fid, $rest) = split /\|/, (split /\n/, $out)[-1], 2;
is($rest, '250000|' . sha256_hex(gen_bytes('sb-pending', 250_000)) . '|t',
	'the upload begun on the old primary resumes and finishes on the new one');
cmp_ok($fid, '>', $p_max_file, 'its file id continues past the replicated ids');

my $new = $standby->safe_psql('postgres', 'SELECT media.put(' . sql_gen_bytes('sb-after', 200_000) . ", 'after.bin')");
cmp_ok($new, '>', $fid, 'a new put on the promoted node gets the next id');
is($standby->safe_psql('postgres', "SELECT count(*) FROM media.blobs b JOIN media.files f ON f.blob_id = b.id"
	  . " WHERE f.id = $new AND b.sha256 IS NOT NULL"), '1',
	'its new blob is stored with an id of its own (blob ids are random)');
my $blobs = $standby->safe_psql('postgres', 'SELECT count(*) FROM media.blobs');
my $again = $standby->safe_psql('postgres', "SELECT media.put(media.get($fx->{sample}{id}), 'again.bin')");
is($standby->safe_psql('postgres', 'SELECT count(*) FROM media.blobs'), $blobs,
	'storing replicated content again adds no blob (dedup across the failover)');
is($standby->safe_psql('postgres', "SELECT ok FROM media.verify($new) UNION ALL SELECT ok FROM media.verify($again)"),
	"t\nt", 'the new files verify');
is($standby->safe_psql('postgres', "SELECT media.remove($again), media.remove($new)"), 't|t', 'and can be removed');
is_deeply(integrity_counts($standby), integrity_clean(), 'the promoted node stays sound');
@problems = server_problems($standby);
is(scalar @problems, 0, 'no crash or internal error in the log of the promoted node') or diag(join("\n", @problems));

note sprintf('total %.1f s', time - $t0);
done_testing();
