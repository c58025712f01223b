# The shared media corpus through the server: every valid file's MIME type
# and display size as put() stores them, and every file -- valid or not --
# through probe(), put() and verify() with no crash, no internal error
# (SQLSTATE XX000) and no server restart.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $corpus = $ENV{PG_MEDIA_CORPUS} // '';
my $src = $ENV{PG_MEDIA_SRC} or die "PG_MEDIA_SRC is not set";
if (!-f "$corpus/MANIFEST.tsv")
{
	plan skip_all => "shared corpus not found at '$corpus' (see ../shared/corpus/SOURCES.tsv to fetch it)";
}

my $node = PostgreSQL::Test::Cluster->new('corpus');
$node->init;
$node->append_conf('postgresql.conf', "log_min_messages = warning\nshared_preload_libraries = 'pg_media'\n");
$node->start;
$node->safe_psql('postgres', q{CREATE EXTENSION pg_media; SET media.allow_active_content = on;});
my $started = $node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()');

# MANIFEST.tsv and the MIME aliases (manifest spelling -> pg_media spelling)
my %alias;
open my $af, '<', "$src/test/corpus/mime-aliases.tsv" or die $!;
while (<$af>)
{
	next if /^#/ || !/\S/;
	chomp;
	my ($from, $to) = split /\t/;
	$alias{$from} = $to;
}
close $af;

open my $mf, '<', "$corpus/MANIFEST.tsv" or die $!;
my $header = <$mf>;
my @rows;
while (<$mf>)
{
	chomp;
	my %r;
	@r{qw(path pkg format width height mime valid note)} = split /\t/, $_, -1;
	push @rows, \%r;
}
close $mf;

# Load every file through pg_read_binary_file (the server reads the corpus),
# store it with put() and probe it, in one session; errors are caught per file.
$node->safe_psql('postgres', q{
CREATE TABLE corpus (path text PRIMARY KEY, valid boolean, expected_mime text,
                     width bigint, height bigint, swap boolean,
                     file_id bigint, probe jsonb, sqlstate text, message text);
CREATE FUNCTION load_corpus_file(p text, full_path text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    content bytea := pg_read_binary_file(full_path);
    fid bigint;
BEGIN
    UPDATE corpus SET probe = media.probe(content) WHERE path = p;
    fid := media.put(content, p);
    UPDATE corpus SET file_id = fid WHERE path = p;
EXCEPTION WHEN OTHERS THEN
    UPDATE corpus SET sqlstate = SQLSTATE, message = SQLERRM WHERE path = p;
END $$;
SET media.allow_active_content = on;
});
my $sql = "SET media.allow_active_content = on;\n";
for my $r (@rows)
{
	my $swap = ($r->{note} =~ /displays as/) ? 'true' : 'false';
	my $mime = $alias{ $r->{mime} } // $r->{mime};
	my ($p, $full) = ($r->{path}, "$corpus/$r->{path}");
	s/'/''/g for ($p, $full, $mime);
	my $w = $r->{width} =~ /^\d+$/ ? $r->{width} : 'NULL';
	my $h = $r->{height} =~ /^\d+$/ ? $r->{height} : 'NULL';
	$sql .= "INSERT INTO corpus (path, valid, expected_mime, width, height, swap) VALUES "
	  . "('$p', " . ($r->{valid} eq 'yes' ? 'true' : 'false') . ", '$mime', $w, $h, $swap);\n"
	  . "SELECT load_corpus_file('$p', '$full');\n";
}
my ($rc, $out, $err) = $node->psql('postgres', $sql);
is($rc, 0, 'every corpus file went through probe() and put() in one session') or diag($err);

my $n = $node->safe_psql('postgres', 'SELECT count(*) FROM corpus');
is($n, scalar(@rows), "all $n manifest rows were loaded");

my $internal = $node->safe_psql('postgres',
	q{SELECT string_agg(path || ': ' || message, E'\n') FROM corpus WHERE sqlstate = 'XX000'});
is($internal, '', 'no file raised an internal error (SQLSTATE XX000)');
my $failed_valid = $node->safe_psql('postgres',
	q{SELECT string_agg(path || ': ' || sqlstate || ' ' || message, E'\n') FROM corpus WHERE valid AND sqlstate IS NOT NULL});
is($failed_valid, '', 'every valid file was stored');

is($node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()'), $started,
	'the server never restarted');
my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal|server process .* was terminated/, 'no backend crashed');

# MIME types and display sizes of the valid files, as stored in media.files
my $mime_stats = $node->safe_psql('postgres', q{
SELECT count(*) FILTER (WHERE f.mime_type = c.expected_mime) || '/' || count(*)
  FROM corpus c JOIN media.files f ON f.id = c.file_id WHERE c.valid});
my ($mime_ok, $mime_all) = split m{/}, $mime_stats;
my $mime_misses = $node->safe_psql('postgres', q{
SELECT string_agg(c.path || ': ' || f.mime_type || ' (expected ' || c.expected_mime || ')', E'\n')
  FROM corpus c JOIN media.files f ON f.id = c.file_id WHERE c.valid AND f.mime_type <> c.expected_mime});
cmp_ok($mime_ok / $mime_all, '>=', 0.99, "stored MIME type as expected for $mime_ok of $mime_all valid files (goal 99%)")
  or diag($mime_misses);
note("corpus MIME: $mime_ok/$mime_all valid files");

my $size_stats = $node->safe_psql('postgres', q{
SELECT count(*) FILTER (WHERE (f.width, f.height) =
         (CASE WHEN c.swap THEN c.height ELSE c.width END, CASE WHEN c.swap THEN c.width ELSE c.height END))
       || '/' || count(*)
  FROM corpus c JOIN media.files f ON f.id = c.file_id
 WHERE c.valid AND c.width IS NOT NULL AND c.expected_mime LIKE 'image/%'});
my ($size_ok, $size_all) = split m{/}, $size_stats;
my $size_misses = $node->safe_psql('postgres', q{
SELECT string_agg(c.path || ': ' || coalesce(f.width::text, '?') || 'x' || coalesce(f.height::text, '?')
                  || ' (expected ' || c.width || 'x' || c.height || CASE WHEN c.swap THEN ' swapped' ELSE '' END || ')', E'\n')
  FROM corpus c JOIN media.files f ON f.id = c.file_id
 WHERE c.valid AND c.width IS NOT NULL AND c.expected_mime LIKE 'image/%'
   AND (f.width, f.height) IS DISTINCT FROM
       (CASE WHEN c.swap THEN c.height ELSE c.width END, CASE WHEN c.swap THEN c.width ELSE c.height END)});
is($size_ok, $size_all, "display size as expected for $size_ok of $size_all valid images (goal 100%)")
  or diag($size_misses);
note("corpus display size: $size_ok/$size_all valid images");

# every stored file reads back intact
my $bad = $node->safe_psql('postgres', q{SELECT count(*) FROM media.verify() WHERE NOT ok});
is($bad, '0', 'every stored corpus file verifies');
my $roundtrip = $node->safe_psql('postgres', q{
SELECT count(*) FROM corpus c JOIN media.files f ON f.id = c.file_id
 WHERE c.valid AND f.sha256 <> sha256(pg_read_binary_file(}
	. $node->safe_psql('postgres', "SELECT quote_literal('$corpus/')") . q{ || c.path))
   AND NOT (f.attrs ? 'location_removed')});
is($roundtrip, '0', 'stored bytes equal the files (photos that carried GPS data excepted)');

done_testing();
