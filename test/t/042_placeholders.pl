# Placeholders of the shared corpus (issue 14): every image file of the corpus, valid or
# damaged, is stored (a placeholder never fails an ingest); every one that the thumbnail
# pipeline decodes got a placeholder and nothing else did; and each stored ThumbHash, decoded
# by the reference implementation (npm "thumbhash", in test/cli), gives the same RGBA pixels
# as the PNG that media.placeholder_url() renders (within 1 of 255: cos() may differ in its
# last bit between C and JavaScript).
use strict;
use warnings;
use File::Temp qw(tempdir);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgMediaTest;

my $corpus = $ENV{PG_MEDIA_CORPUS} // '';
my $src = $ENV{PG_MEDIA_SRC} or die "PG_MEDIA_SRC is not set";

plan skip_all => "shared corpus not found at '$corpus'" unless -f "$corpus/MANIFEST.tsv";

my $node = media_node('placeholders');

# every image of the corpus but SVG (active content, refused by default), at most 32 MB
open my $mf, '<', "$corpus/MANIFEST.tsv" or die $!;
<$mf>;
my @files;
while (<$mf>)
{
	chomp;
	my ($path, $pkg, $format, $w, $h, $mime, $valid) = split /\t/, $_, -1;
	next unless $mime =~ m{^image/} && $mime ne 'image/svg+xml';
	next unless -s "$corpus/$path" && -s "$corpus/$path" <= 32 * 1024 * 1024;
	push @files, { path => $path, valid => $valid };
}
close $mf;

$node->safe_psql('postgres', 'CREATE TABLE corpus (path text PRIMARY KEY, valid boolean, id bigint)');
my $sql = '';
for my $f (@files)
{
	(my $lit = "$corpus/$f->{path}") =~ s/'/''/g;
	(my $name = $f->{path}) =~ s/'/''/g;
	$sql .= "INSERT INTO corpus SELECT '$name', " . ($f->{valid} eq 'yes' ? 'true' : 'false')
	  . ", media.put(pg_read_binary_file('$lit'), '$name');\n";
}
my ($rc, $out, $err) = $node->psql('postgres', $sql);
my @errors = grep { /ERROR/ } split /\n/, $err;
is(scalar(@errors), 0, scalar(@files) . ' corpus image files stored, none refused') or diag(join("\n", @errors[0 .. 9]));
is($node->safe_psql('postgres', 'SELECT count(*) FROM corpus'), scalar(@files), 'every one has a files row');

# decodable: the same pipeline at the same limits makes a 100 px thumbnail of it
$node->safe_psql('postgres', q{
CREATE FUNCTION decodes(id bigint) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    PERFORM media.transform(media.get(id), 100, 100, format => 'png');
    RETURN true;
EXCEPTION WHEN OTHERS THEN
    RETURN false;
END $$});
my ($decodable, $with, $agree, $valid_with) = split /\|/, $node->safe_psql('postgres', q{
SELECT count(*) FILTER (WHERE d), count(*) FILTER (WHERE f.placeholder IS NOT NULL),
       count(*) FILTER (WHERE d = (f.placeholder IS NOT NULL)),
       count(*) FILTER (WHERE c.valid AND f.placeholder IS NOT NULL)
  FROM corpus c JOIN media.files f ON f.id = c.id, decodes(c.id) d});
cmp_ok($decodable, '>', 200, "$decodable corpus images decode");
is($agree, scalar(@files), "every decodable image got a placeholder, and no other ($with placeholders, $valid_with of valid files)")
  or diag($node->safe_psql('postgres', q{
SELECT c.path || ': decodes ' || decodes(c.id) || ', placeholder ' || (f.placeholder IS NOT NULL)
  FROM corpus c JOIN media.files f ON f.id = c.id WHERE decodes(c.id) <> (f.placeholder IS NOT NULL) LIMIT 10}));
# the hash's alpha flag (bit 7 of its third byte) off: an opaque image, which has a dominant colour
is($node->safe_psql('postgres', q{
SELECT count(*) FROM media.files WHERE placeholder IS NOT NULL AND dominant_color IS NULL
   AND get_byte(decode(placeholder, 'base64'), 2) & 128 = 0}), '0', 'every opaque image has a dominant colour');

SKIP:
{
	my $ref_ok = system("cd '$src/test/cli' && node -e \"import('thumbhash')\" >/dev/null 2>&1") == 0;
	skip 'node or npm thumbhash (test/cli: npm ci) is missing', 3 unless $ref_ok;
	my $tmp = tempdir(DIR => $PostgreSQL::Test::Utils::tmp_check, CLEANUP => 1);
	my $rows = $node->safe_psql('postgres', q{
SELECT f.id || E'\t' || f.placeholder || E'\t' || media.placeholder_url(f.id)
  FROM corpus c JOIN media.files f ON f.id = c.id WHERE f.placeholder IS NOT NULL ORDER BY c.path});
	open my $o, '>', "$tmp/rows.tsv" or die $!;
	print $o "$rows\n";
	close $o;
	my @lines = split /\n/, `cd '$src/test/cli' && node thumbhash_ref.mjs compare '$tmp/rows.tsv'`;
	my @same = grep { /^\S+ \d+ \d+ [01]$/ } @lines;
	my @other = grep { !/^\S+ \d+ \d+ [01]$/ } @lines;
	is(scalar(@lines), $with, "the reference decoded all $with stored placeholders");
	is(scalar(@same), $with, 'each renders to the reference\'s pixels (size equal, every RGBA byte within 1)')
	  or diag(join("\n", @other[0 .. ($#other < 9 ? $#other : 9)]));
	my ($max) = sort { $b <=> $a } map { (split / /)[3] } @lines;
	note("largest RGBA difference from the reference over $with placeholders: " . ($max // 'none'));
	ok(scalar(grep { !/^\S+ 32 \d+ \d$/ && !/^\S+ \d+ 32 \d$/ } @same) == 0, 'every rendering is 32 px on its longer side');
}

$node->stop;
done_testing();
