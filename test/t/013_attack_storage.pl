# Issue 12, attacks 3, 4 and 5 replayed against a cluster set up as the README says:
#   3. dedup leaks existence across owners (a shared, older blob_id; a faster put);
#   4. a caller who may only read (or an anonymous client of pg_media serve) grows
#      media.derivatives without bound by asking for thumbnails of many sizes;
#   5. quotas ignore uploads in progress, and concurrent sessions pass a quota together.
# Each part fails on 0.2.0 before issue 12 (shared blob, sequential ids, 50 cached sizes,
# 16 unfinished 5 MB uploads under a 2,000-byte quota, a racing session passing the quota).
use strict;
use warnings;
use Time::HiRes qw(usleep);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgMediaTest;
BEGIN { unshift @INC, "$ENV{PG_MEDIA_SRC}/test/cli"; }
use CliTest;

my $node = media_node('attack_storage', conf => "shared_preload_libraries = 'pg_media'\n",
	extension => 0);
$node->safe_psql('postgres', q{
CREATE EXTENSION pg_media;
-- the README's roles; alice and bob are isolated owners, viewer may only read
} . readme_roles_sql() . q{
CREATE ROLE viewer LOGIN IN ROLE media_reader;
CREATE ROLE alice LOGIN IN ROLE media_writer;
CREATE ROLE bob LOGIN IN ROLE media_writer;
ALTER ROLE alice SET media.isolation = 'role';
ALTER ROLE bob SET media.isolation = 'role';
});

sub sql { return $node->safe_psql('postgres', $_[0]); }
my ($rc, $out, $err);

# psql as a login role: (exit code, stdout, stderr)
sub as_role
{
	my ($role, $sql) = @_;
	my ($out, $err);
	my $rc = $node->psql('postgres', $sql, stdout => \$out, stderr => \$err,
		extra_params => [ '-U', $role, '-v', 'VERBOSITY=verbose' ]);
	return ($rc, $out, $err);
}

# stdout of psql as a login role, dying on error
sub as_role_ok
{
	my ($role, $sql) = @_;
	my ($rc, $out, $err) = as_role($role, $sql);
	die "as $role: $sql: $err" if $rc != 0;
	return $out;
}

sub put_as { my ($role, $bytes, $name) = @_; return as_role_ok($role, 'SELECT media.put(' . sql_bytea($bytes) . ", '$name')"); }
sub blob_of { return sql("SELECT blob_id FROM media.files WHERE id = $_[0]"); }

# --- 3. dedup across owners cannot be observed --------------------------------------------------
my $secret = gen_bytes('alice-secret', 40_000);
my $alice_file = put_as('alice', $secret, 'secret.bin');
my $n1 = put_as('bob', gen_bytes('bob-new-1', 40_000), 'n1.bin');
my $bob_copy = put_as('bob', $secret, 'guess.bin');
my $n2 = put_as('bob', gen_bytes('bob-new-2', 40_000), 'n2.bin');
is(as_role_ok('bob', "SELECT count(*) FROM media.files WHERE id = $alice_file"), '0',
	'bob cannot see alice\'s file (role isolation)');
isnt(blob_of($bob_copy), blob_of($alice_file),
	'3: bob\'s put of alice\'s bytes stores a blob of its own (media.dedup auto = owner under isolation)');
is(sql("SELECT count(DISTINCT blob_id) FROM media.files WHERE sha256 = sha256(" . sql_bytea($secret) . ')'), '2',
	'3: two owners\' equal bytes are two blobs');

# blob ids say nothing about age: a run of new blobs is not a sequence
my @ids = map { as_role_ok('bob', "SELECT blob_id FROM media.files WHERE id = "
		  . put_as('bob', gen_bytes("run-$_", 100), "run$_.bin")) } 1 .. 20;
my $ascending = grep { $ids[$_] > $ids[ $_ - 1 ] } 1 .. $#ids;
ok($ascending < $#ids, "3: 20 new blob ids are not increasing ($ascending of $#ids steps up)");
ok(!(grep { $_ < 2**40 } @ids), '3: blob ids are random 63-bit numbers, not a counter');
my ($bob_n1, $bob_dup, $bob_n2) = map { as_role_ok('bob', "SELECT blob_id FROM media.files WHERE id = $_") }
  ($n1, $bob_copy, $n2);
note("bob's blob ids: new $bob_n1, guessed $bob_dup, new $bob_n2");

# the upload path keeps owners apart too
my $up = as_role_ok('bob', q{SELECT media.upload_begin('guess2.bin')});
as_role_ok('bob', "SELECT media.upload_append($up, " . sql_bytea(substr($secret, 0, 30_000)) . ')');
as_role_ok('bob', "SELECT media.upload_append($up, " . sql_bytea(substr($secret, 30_000)) . ')');
my $bob_upload_copy = as_role_ok('bob', "SELECT media.upload_finish($up)");
is(blob_of($bob_upload_copy), blob_of($bob_copy), '3: bob\'s upload of the same bytes shares bob\'s own blob');
isnt(blob_of($bob_upload_copy), blob_of($alice_file), '3: ... and not alice\'s');

# the thumbnail cache is per blob: bob's request is not a cache hit on alice's thumbnail
my $png = make_png(40, 30, 200, 10, 10);
my $alice_img = put_as('alice', $png, 'a.png');
as_role_ok('alice', "SELECT length(media.thumbnail($alice_img, 64, 64))");
my $bob_img = put_as('bob', $png, 'b.png');
as_role_ok('bob', "SELECT length(media.thumbnail($bob_img, 64, 64))");
is(sql(q{SELECT count(*) FROM media.derivatives WHERE spec LIKE 'w=64,h=64,%'}), '2',
	'3: bob\'s thumbnail of alice\'s bytes is computed and cached apart (no cache-hit timing)');

# --- 4. derivatives are bounded ------------------------------------------------------------------
# viewer may only read (isolation none: it sees alice's image); 50 sizes of one image
sql('DELETE FROM media.derivatives');
for my $s (10 .. 59)
{
	as_role_ok('viewer', "SELECT length(media.thumbnail($alice_img, $s, $s))");
}
is(sql('SELECT count(*) FROM media.derivatives'), '0',
	'4: 50 thumbnail sizes a reader asks for, none in media.thumbnail_sizes: nothing cached');
as_role_ok('viewer', "SELECT length(media.thumbnail($alice_img, 128, 128)), length(media.thumbnail($alice_img, 128, 128, 'png'))");
is(sql('SELECT count(*) FROM media.derivatives'), '2', '4: a listed size is cached (jpeg and png)');
# anonymous HTTP clients of pg_media serve: 50 sizes cache nothing
SKIP:
{
	skip 'curl is not installed', 2 unless have_program('curl');
	my $tmp = PostgreSQL::Test::Utils::tempdir;
	sql('DELETE FROM media.derivatives');
	my $srv = start_server($node, $tmp);
	my $ok = 0;
	for my $s (10 .. 59)
	{
		my ($status) = curl_get("$srv->{base}/media/$alice_img/thumbnail?w=$s&h=$s");
		$ok++ if $status == 200;
	}
	is($ok, 50, '4: serve answers 50 thumbnail sizes');
	is(sql('SELECT count(*) FROM media.derivatives'), '0', '4: ... and media.derivatives did not grow');
	stop_server($srv);
}

# --- 5. quotas count uploads in progress; racing sessions cannot pass them ---------------------
sql(q{INSERT INTO media.quotas (owner, owner_scope, max_bytes) VALUES ('bob', 'role', NULL)});   # bob: a login role (role isolation)
my $bob_used = sql(q{SELECT coalesce(sum(byte_size), 0) FROM media.files WHERE owner = 'bob'});
sql("UPDATE media.quotas SET max_bytes = $bob_used + 2000 WHERE owner = 'bob'");
my ($passed, $refused) = (0, 0);
for my $i (1 .. 16)
{
	my $u = as_role_ok('bob', "SELECT media.upload_begin('big$i.bin')");
	($rc, $out, $err) = as_role('bob', "SELECT media.upload_append($u, decode(repeat('ab', 5 * 1024 * 1024), 'hex'))");
	$rc == 0 ? $passed++ : $refused++;
	like($err, qr/53400.*storage quota of owner "bob" exceeded/s, '5: a 5 MB part over a 2,000-byte quota: 53400')
	  if $i == 1;
}
is("$passed/$refused", '0/16', '5: 16 unfinished 5 MB uploads under a 2,000-byte quota: all refused');
sql(q{DELETE FROM media.blobs b USING media.uploads u WHERE u.blob_id = b.id AND u.owner = 'bob'});

my $u1 = as_role_ok('bob', q{SELECT media.upload_begin('part1.bin')});
as_role_ok('bob', "SELECT media.upload_append($u1, decode(repeat('cd', 1500), 'hex'))");
($rc, $out, $err) = as_role('bob', "SELECT media.upload_append(media.upload_begin('part2.bin'), decode(repeat('ef', 1500), 'hex'))");
like($err, qr/53400/, '5: a second upload cannot take the bytes a first one holds');
($rc, $out, $err) = as_role('bob', 'SELECT media.put(' . sql_bytea(gen_bytes('small', 1000)) . ')');
like($err, qr/uploads in progress 1500,/, '5: put() counts bytes held by uploads in progress');
is(as_role_ok('bob', "SELECT media.upload_status($u1)"), '1500', '5: the first upload is intact');
sql(q{DELETE FROM media.blobs b USING media.uploads u WHERE u.blob_id = b.id AND u.owner = 'bob'});

# Two sessions of bob race: the first adds 1,500 bytes in an open transaction, the second
# tries 1,500 more (an upload part, then a put) and must wait for the first, then be refused.
sub race
{
	my ($second_sql, $label) = @_;
	my $s1 = $node->background_psql('postgres', extra_params => [ '-U', 'bob' ], on_error_stop => 0);
	my $s2 = $node->background_psql('postgres', extra_params => [ '-U', 'bob' ], on_error_stop => 0);
	my $a = $s1->query_safe(q{SELECT media.upload_begin('race1.bin')});
	$s1->query_safe("BEGIN; SELECT media.upload_append($a, decode(repeat('12', 1500), 'hex'))");
	$s2->query_until(qr/sent/, "\\echo sent\n$second_sql;\n\\echo finished\n");
	my $waited = 0;
	for (1 .. 100)
	{
		$s2->{run}->pump_nb;
		last if $s2->{stdout} =~ /finished/;
		if (sql(q{SELECT count(*) FROM pg_stat_activity WHERE usename = 'bob' AND wait_event_type = 'Lock'}) > 0)
		{
			$waited = 1;
			last;
		}
		usleep(100_000);
	}
	$s1->query_safe('COMMIT');
	$s2->query('SELECT 1');
	my $s2_err = $s2->{stderr};
	$s1->quit;
	$s2->quit;
	ok($waited, "5: race ($label): the second session waits for the first's quota lock");
	like($s2_err, qr/storage quota of owner "bob" exceeded/, "5: race ($label): the second session is refused");
	my $held = sql(q{SELECT (SELECT coalesce(sum(received), 0) FROM media.uploads WHERE owner = 'bob')
	                      + (SELECT coalesce(sum(byte_size), 0) FROM media.files WHERE owner = 'bob')
	                      - (SELECT max_bytes FROM media.quotas WHERE owner = 'bob') + 2000});
	ok($held <= 2000, "5: race ($label): bob holds $held bytes against a 2,000-byte quota");
	sql(q{DELETE FROM media.blobs b USING media.uploads u WHERE u.blob_id = b.id AND u.owner = 'bob'});
}
race("SELECT media.upload_append(media.upload_begin('race2.bin'), decode(repeat('34', 1500), 'hex'))", 'two uploads');
race('SELECT media.put(' . sql_bytea(gen_bytes('race-put', 1500)) . ')', 'upload and put');

# within the quota, uploads still work and finish
my $u = as_role_ok('bob', q{SELECT media.upload_begin('fits.bin')});
as_role_ok('bob', "SELECT media.upload_append($u, decode(repeat('56', 900), 'hex'))");
as_role_ok('bob', "SELECT media.upload_append($u, decode(repeat('78', 900), 'hex'))");
my $fits = as_role_ok('bob', "SELECT media.upload_finish($u)");
is(sql("SELECT byte_size FROM media.files WHERE id = $fits"), '1800', '5: an upload within the quota finishes');
sql(q{DELETE FROM media.quotas WHERE owner = 'bob'});

# --- the administrator's settings (after the replays above: 0.2.0 before issue 12 has none) ---
# (3) media.dedup: global shares content across owners (the administrator's choice, for
# storage), and only a superuser may choose it
sql(q{ALTER ROLE alice SET media.dedup = 'global'; ALTER ROLE bob SET media.dedup = 'global'});
my $shared = gen_bytes('shared-global', 30_000);
my $ga = put_as('alice', $shared, 'g.bin');
my $gb = put_as('bob', $shared, 'g.bin');
is(blob_of($ga), blob_of($gb), '3: media.dedup = global: two owners\' equal bytes share one blob');
sql(q{ALTER ROLE alice RESET media.dedup; ALTER ROLE bob RESET media.dedup});
($rc, $out, $err) = as_role('bob', q{SET media.dedup = 'global'});
like($err, qr/42501/, '3: an ordinary role cannot SET media.dedup (42501)');
is(sql(q{SELECT setting FROM pg_settings WHERE name = 'media.dedup'}), 'auto', 'media.dedup defaults to auto');

# (4) the cache's settings are the administrator's; the cap holds with least-recently-used eviction
($rc, $out, $err) = as_role('viewer', q{SET media.thumbnail_sizes = '1x1,2x2'});
like($err, qr/42501/, '4: an ordinary role cannot change media.thumbnail_sizes (42501)');
($rc, $out, $err) = as_role('viewer', q{SET media.max_derivatives_size = '1TB'});
like($err, qr/42501/, '4: an ordinary role cannot change media.max_derivatives_size (42501)');
($rc, $out, $err) = $node->psql('postgres', q{SET media.thumbnail_sizes = '64x64,banana'});
like($err, qr/invalid value for parameter "media.thumbnail_sizes"/, '4: a malformed size list is refused');

# the cap: many images at a listed size stay within media.max_derivatives_size
sql(q{ALTER SYSTEM SET media.max_derivatives_size = '8kB'; SELECT pg_reload_conf()});
my @imgs = map { put_as('alice', make_png(40, 30, $_, 255 - $_, 7 * $_ % 256), "c$_.png") } 1 .. 40;
sub derivative_count { return sql('SELECT count(*) FROM media.derivatives'); }
# fill the cache until the first eviction
my $next = 0;
while ($next < @imgs)
{
	my $count = derivative_count();
	as_role_ok('viewer', "SELECT length(media.thumbnail($imgs[$next++], 64, 64))");
	last if derivative_count() <= $count;
}
ok($next < @imgs, "4: the 8 kB cap is reached after $next thumbnails: the cache evicts");
# age everything in creation order, then use the oldest one: least recently used is no
# longer least recently created
sql(q{UPDATE media.derivatives SET last_used_at = created_at - interval '1 hour'});
my $oldest = sql(q{SELECT f.id FROM media.derivatives d JOIN media.blobs b ON b.sha256 = d.source_sha256
                     JOIN media.files f ON f.blob_id = b.id ORDER BY d.created_at LIMIT 1});
as_role_ok('viewer', "SELECT length(media.thumbnail($oldest, 64, 64))");
as_role_ok('viewer', "SELECT length(media.thumbnail($_, 64, 64))") for @imgs[$next .. $next + 1];
my ($rows, $bytes) = split /\|/, sql('SELECT count(*), coalesce(sum(byte_size), 0) FROM media.derivatives');
ok($bytes <= 8192 && $rows > 1, "4: $next + 2 images' thumbnails: the cache holds $rows of them in $bytes bytes (cap 8 kB)");
is(sql("SELECT count(*) FROM media.derivatives d JOIN media.blobs b ON b.sha256 = d.source_sha256
         JOIN media.files f ON f.blob_id = b.id WHERE f.id = $oldest"), '1',
	'4: the oldest thumbnail, used again, survives eviction (least recently used go first)');
# a reader that keeps asking for new listed sizes and images cannot push the cache past the cap
as_role_ok('viewer', 'SELECT count(length(media.thumbnail(i, 256, 256))) FROM unnest(ARRAY['
	  . join(',', @imgs) . ']::bigint[]) AS i');
is(sql('SELECT coalesce(sum(byte_size), 0) <= 8192 FROM media.derivatives'), 't',
	'4: after 40 more thumbnails the cache still holds at most 8 kB');
is(orphan_counts($node), '0|0', '4: evicted thumbnails free their blobs and chunks');
sql(q{ALTER SYSTEM RESET media.max_derivatives_size; SELECT pg_reload_conf()});

$node->stop;
done_testing();
