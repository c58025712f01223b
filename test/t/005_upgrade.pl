# Upgrades (like contrib's oldextversions): install every released version, store files of
# several kinds, ALTER EXTENSION pg_media UPDATE, and show the files intact and the catalog
# identical to a fresh install of the current version.  Released install scripts are frozen:
# their SHA-256 must match sql/released.sha256.
use strict;
use warnings;
use Digest::SHA qw(sha256_hex);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgMediaTest;

my $src = $ENV{PG_MEDIA_SRC} // '.';

# --- released scripts are never edited -------------------------------------------------------
open(my $fh, '<', "$src/sql/released.sha256") or die "sql/released.sha256: $!";
my @released;
while (my $line = <$fh>)
{
	next if $line =~ /^\s*(#|$)/;
	my ($hash, $file) = split ' ', $line;
	open(my $sf, '<:raw', "$src/sql/$file") or die "sql/$file: $!";
	my $bytes = do { local $/; <$sf> };
	is(sha256_hex($bytes), $hash, "released script sql/$file is unchanged");
	push @released, $1 if $file =~ /^pg_media--([0-9.]+)\.sql$/;
}
ok(scalar(@released) >= 1, 'at least one released version: ' . join(', ', @released));

my $node = media_node('upgrade', extension => 0);
my $current = $node->safe_psql('postgres',
	"SELECT default_version FROM pg_available_extensions WHERE name = 'pg_media'");

# Everything an update could change, one sorted line per object: tables and columns (type,
# default, nullability, storage), constraints, indexes, policies, grants, comments, functions,
# views with their options, triggers, sequences, extension members and configuration tables.
my $catalog_sql = <<'SQL';
WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'pg_media'),
members AS (
  SELECT pg_describe_object(classid, objid, objsubid) AS what
    FROM pg_depend WHERE refclassid = 'pg_extension'::regclass AND refobjid = (SELECT oid FROM ext)
     AND deptype = 'e'),
rels AS (SELECT c.oid, c.relname, c.relkind, c.reloptions, c.relacl, c.relrowsecurity,
                c.relforcerowsecurity
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'media'),
lines AS (
  SELECT 'member ' || what FROM members
  UNION ALL
  SELECT format('relation %s kind=%s options=%s acl=%s rls=%s/%s comment=%s', relname, relkind,
                reloptions, relacl, relrowsecurity, relforcerowsecurity, obj_description(oid, 'pg_class'))
    FROM rels
  UNION ALL
  SELECT format('column %s.%s #%s %s default=%s notnull=%s storage=%s acl=%s comment=%s',
                r.relname, a.attname, a.attnum, format_type(a.atttypid, a.atttypmod),
                pg_get_expr(d.adbin, d.adrelid), a.attnotnull, a.attstorage, a.attacl,
                col_description(r.oid, a.attnum))
    FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_attrdef d ON d.adrelid = r.oid AND d.adnum = a.attnum
  UNION ALL
  SELECT format('constraint %s %s %s', r.relname, c.conname, pg_get_constraintdef(c.oid))
    FROM pg_constraint c JOIN rels r ON r.oid = c.conrelid
  UNION ALL
  SELECT format('index %s', pg_get_indexdef(i.indexrelid))
    FROM pg_index i JOIN rels r ON r.oid = i.indrelid
  UNION ALL
  SELECT format('policy %s %s %s %s roles=%s using=%s check=%s', tablename, policyname, permissive,
                cmd, roles, qual, with_check)
    FROM pg_policies WHERE schemaname = 'media'
  UNION ALL
  SELECT format('trigger %s', pg_get_triggerdef(t.oid))
    FROM pg_trigger t JOIN rels r ON r.oid = t.tgrelid WHERE NOT t.tgisinternal
  UNION ALL
  SELECT format('view %s %s', r.relname, pg_get_viewdef(r.oid)) FROM rels r WHERE r.relkind = 'v'
  UNION ALL
  SELECT format('function %s acl=%s comment=%s def=%s', p.oid::regprocedure, p.proacl,
                obj_description(p.oid, 'pg_proc'), pg_get_functiondef(p.oid))
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
   WHERE n.nspname = 'media' AND p.prokind IN ('f', 'p')
  UNION ALL
  SELECT format('schema %s acl=%s comment=%s', nspname, nspacl, obj_description(oid, 'pg_namespace'))
    FROM pg_namespace WHERE nspname = 'media'
  UNION ALL
  SELECT format('extension namespace=%s relocatable=%s', extnamespace::regnamespace, extrelocatable)
    FROM pg_extension WHERE extname = 'pg_media'
  UNION ALL
  SELECT format('extension depends on %s (%s)', pg_describe_object(refclassid, refobjid, refobjsubid), deptype)
    FROM pg_depend WHERE classid = 'pg_extension'::regclass AND objid = (SELECT oid FROM ext)
  UNION ALL
  SELECT format('config %s condition=%s', c::regclass, e.extcondition[i])
    FROM pg_extension e, unnest(e.extconfig) WITH ORDINALITY AS u(c, i)
   WHERE e.extname = 'pg_media'
)
SELECT string_agg(l, E'\n' ORDER BY l) FROM lines AS t(l);
SQL

# Reports the first lines where two catalog listings differ, to make a failure readable.
sub catalog_diff
{
	my ($a, $b) = @_;
	my %in_a = map { $_ => 1 } split /\n/, $a;
	my %in_b = map { $_ => 1 } split /\n/, $b;
	my @only_a = grep { !$in_b{$_} } sort keys %in_a;
	my @only_b = grep { !$in_a{$_} } sort keys %in_b;
	return join("\n", (map { "only after update: $_" } @only_a[0 .. ($#only_a < 9 ? $#only_a : 9)]),
		(map { "only in fresh install: $_" } @only_b[0 .. ($#only_b < 9 ? $#only_b : 9)]));
}

$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('fresh', 'CREATE EXTENSION pg_media');
my $fresh_catalog = $node->safe_psql('fresh', $catalog_sql);
like($fresh_catalog, qr/^view media_files /m, 'the catalog listing sees the view');
like($fresh_catalog, qr/^policy files /m, 'the catalog listing sees the policies');

for my $old (grep { $_ ne $current } @released)
{
	my $db = 'from_' . ($old =~ s/\./_/gr);
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, "CREATE EXTENSION pg_media VERSION '$old'");
	is($node->safe_psql($db, "SELECT extversion FROM pg_extension WHERE extname = 'pg_media'"),
		$old, "$old installed");

	my $fx = store_fixture($node, db => $db, corpus => 30, prefix => "up$old");
	# a thumbnail in the derivative cache and an upload left unfinished
	my ($image) = grep { $_->{kind} =~ /(jpeg|png|gif)$/ } @{ $fx->{files} };
	$node->safe_psql($db, "SELECT length(media.thumbnail($image->{id}, 64, 64))") if $image;    # a cached size
	# and one under the key the 0.1.0 library wrote (this library writes the spec's canonical text)
	$node->safe_psql($db, "INSERT INTO media.derivatives (source_sha256, spec, blob_id, mime_type, width, height, byte_size)"
		  . " SELECT source_sha256, 'thumbnail 64x64 png', blob_id, mime_type, width, height, byte_size"
		  . " FROM media.derivatives LIMIT 1") if $image;
	my $upload = $node->safe_psql($db,
		"SELECT media.upload_begin('unfinished.bin'); ");
	$node->safe_psql($db, "SELECT media.upload_append($upload, " . sql_bytea(gen_bytes('unfinished-1', 70_000)) . ')');
	my $rows_before = file_rows($node, $db);
	my $storage_before = storage_counts($node, $db);

	$node->safe_psql($db, 'ALTER EXTENSION pg_media UPDATE');
	is($node->safe_psql($db, "SELECT extversion FROM pg_extension WHERE extname = 'pg_media'"),
		$current, "$old updated to $current");

	is_deeply(file_rows($node, $db), $rows_before, "$old -> $current: every file row and its bytes unchanged");
	is(storage_counts($node, $db), $storage_before, "$old -> $current: storage rows unchanged");
	my $bad = 0;
	for my $f (@{ $fx->{files} })
	{
		my $got = $node->safe_psql($db, "SELECT encode(sha256(media.get($f->{id})), 'hex')");
		$bad++ unless $got eq $f->{sha256};
	}
	is($bad, 0, "$old -> $current: all " . scalar(@{ $fx->{files} }) . ' files read back byte-identical to what was sent');
	is($node->safe_psql($db, 'SELECT count(*) FILTER (WHERE NOT ok) FROM media.verify()'), '0',
		"$old -> $current: media.verify() finds no damage");
	is($node->safe_psql($db, "SELECT count(*) FROM media.media_files"),
		$node->safe_psql($db, "SELECT count(*) FROM media.files"), "$old -> $current: the media_files view works");
	$node->safe_psql($db, "SELECT media.upload_append($upload, " . sql_bytea(gen_bytes('unfinished-2', 5_000)) . ')');
	my $finished = $node->safe_psql($db, "SELECT media.upload_finish($upload)");
	is($node->safe_psql($db, "SELECT byte_size FROM media.files WHERE id = $finished"), '75000',
		"$old -> $current: an upload begun before the update finishes after it");
	if ($image)
	{
		is($node->safe_psql($db, "SELECT count(*) > 0 FROM media.derivatives"), 't',
			"$old -> $current: cached thumbnails kept");
		is($node->safe_psql($db, "SELECT string_agg(spec, ' ' ORDER BY spec) FROM media.derivatives"),
			'w=64,h=64,resize=contain,format=jpeg,q=82 w=64,h=64,resize=contain,format=png',
			"$old -> $current: a 0.1.0 cache key is renamed to the spec's canonical text");
	}

	# placeholders (issue 14): none for files stored before; the README's backfill loop makes them
	is($node->safe_psql($db, 'SELECT count(*) FROM media.files WHERE placeholder IS NOT NULL'), '0',
		"$old -> $current: files stored before the update have no placeholder yet");
	$node->safe_psql($db, q{DO $$ DECLARE last bigint := 0;
BEGIN LOOP last := media.refresh_placeholders(7, last); EXIT WHEN last IS NULL; COMMIT; END LOOP; END $$});
	is($node->safe_psql($db, "SELECT count(*) FROM media.files WHERE mime_type IN ('image/jpeg', 'image/png', 'image/gif')"
		  . ' AND placeholder IS NULL'), '0', "$old -> $current: media.refresh_placeholders() gave every JPEG, PNG and GIF one");
	is($node->safe_psql($db, "SELECT count(*) FROM media.files WHERE media_type <> 'image' AND placeholder IS NOT NULL"),
		'0', "$old -> $current: and nothing else");

	my $updated_catalog = $node->safe_psql($db, $catalog_sql);
	ok($updated_catalog eq $fresh_catalog, "$old -> $current: catalog identical to a fresh $current install")
	  or diag(catalog_diff($updated_catalog, $fresh_catalog));

	# the same chain in an empty database
	my $empty = "${db}_empty";
	$node->safe_psql('postgres', "CREATE DATABASE $empty");
	$node->safe_psql($empty, "CREATE EXTENSION pg_media VERSION '$old'; ALTER EXTENSION pg_media UPDATE");
	my $empty_catalog = $node->safe_psql($empty, $catalog_sql);
	ok($empty_catalog eq $fresh_catalog, "$old -> $current in an empty database: catalog identical")
	  or diag(catalog_diff($empty_catalog, $fresh_catalog));
}

# a fresh install of the current version works as the updated one does
my $fx = store_fixture($node, db => 'fresh', corpus => 5, prefix => 'fresh');
is($node->safe_psql('fresh', 'SELECT count(*) FILTER (WHERE NOT ok) FROM media.verify()'), '0',
	"fresh $current install stores and verifies files");

$node->stop;
done_testing();
