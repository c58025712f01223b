# The restore drill: pg_media export --manifest-only writes a manifest (the
# format of README "Backups and restores"; its file lines are exactly
# COPY (SELECT * FROM media.manifest()) TO STDOUT), and pg_media verify
# --manifest compares it with a database.  Over some 2,500 files (so the
# comparison crosses the database cursor's batches): a dump restored from
# backup time matches; after deleting one file, damaging the stored bytes of
# another and adding a third, verify reports exactly those three, by id,
# with exit code 4 + 8 + 16; an empty restore reports every file missing;
# truncated, edited, unsorted and foreign manifests are refused (exit 3);
# media.manifest() lists what the caller may see; and plain verify runs
# media.check_integrity() when the extension has it.
use strict;
use warnings;
use Digest::SHA qw(sha256_hex);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgMediaTest;
BEGIN { unshift @INC, "$ENV{PG_MEDIA_SRC}/test/cli"; }
use CliTest;

my $node = media_node('manifest', conf => "media.chunk_size = '64kB'\n");
my $tmp = PostgreSQL::Test::Utils::tempdir;
my ($rc, $out, $err);

sub sql { return $node->safe_psql($_[1] // 'postgres', $_[0]); }

sub slurp
{
	open my $fh, '<:raw', $_[0] or die "$_[0]: $!";
	local $/;
	return scalar <$fh>;
}

sub spew
{
	my ($path, $text) = @_;
	open my $fh, '>:raw', $path or die "$path: $!";
	print $fh $text;
	close $fh;
}

# the problem lines of a verify --manifest run, sorted: "KIND ID"
sub problems
{
	my ($text) = @_;
	return join(', ', sort map { /^(MISSING|EXTRA|DAMAGED) file (\d+)/ ? "$1 $2" : () } split /\n/, $text);
}

# --- the files: 2,500 small ones, a PNG, and one of 3 MB in 64 kB chunks ---
sql(q{SELECT media.put(convert_to('small file ' || g, 'UTF8'), 'small-' || g || '.txt')
        FROM generate_series(1, 2500) g});
my $png = make_png(40, 30, 10, 200, 90);
sql(sprintf(q{SELECT media.put('\x%s'::bytea, 'green.png')}, unpack('H*', $png)));
my $big = sql(sprintf(q{SELECT media.put('\x%s'::bytea, 'big.bin')}, unpack('H*', gen_bytes(5, 3 * 1024 * 1024 + 7))));
my $files = sql('SELECT count(*) FROM media.files');
my $bytes = sql('SELECT sum(byte_size) FROM media.files');
is($files, 2502, '2502 files stored');

# --- the manifest ---
($rc, $out, $err) = run_cli($node, [ 'export', '--manifest-only', "$tmp/backup.manifest" ]);
is($rc, 0, 'export --manifest-only exits 0') or diag($err);
like($out, qr/manifest of 2502 files .* of database "postgres" written to \Q$tmp\E\/backup\.manifest/,
	'and says what it wrote');
ok(!-e "$tmp/backup.manifest.partial", 'no partial file is left');
my $manifest = slurp("$tmp/backup.manifest");
my @lines = split /\n/, $manifest;
like($lines[0], qr/^#pg_media-manifest\t1\tdatabase=postgres\tcreated=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\tfiles=2502\tbytes=$bytes$/,
	'the first line names the format, its version, the database, the time, the files and the bytes');
is($lines[1], join("\t", qw(id sha256 byte_size name owner owner_scope created_at)), 'the second line names the columns');
is(scalar(@lines) - 2, 2502, 'one line per file');
my $copy = $node->safe_psql('postgres',
	q{SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; COPY (SELECT * FROM media.manifest()) TO STDOUT});
is(join("\n", @lines[ 2 .. $#lines ]), $copy, 'the file lines are COPY (SELECT * FROM media.manifest()) TO STDOUT');
my ($big_line) = grep {/^$big\t/} @lines;
is((split /\t/, $big_line)[1], sha256_hex(gen_bytes(5, 3 * 1024 * 1024 + 7)), "the big file's line has its SHA-256");
($rc, $out, $err) = run_cli($node, [ 'export', '--manifest-only', '-' ]);
(my $stdout_manifest = $out) =~ s/\tcreated=[^\t]*//;
(my $file_manifest = $manifest) =~ s/\tcreated=[^\t]*//;
ok($rc == 0 && $stdout_manifest eq $file_manifest, 'export --manifest-only - writes the same to standard output')
  or diag($err);
like($err, qr/manifest of 2502 files/, 'with the summary on standard error');

# --- a dump taken with the manifest restores to a database that matches it ---
my $dump = "$tmp/backup.dump";
$node->command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-h', $node->host, '-p', $node->port, 'postgres' ],
	'pg_dump -Fc at backup time');
sql('CREATE DATABASE restored');
$node->command_ok([ 'pg_restore', '-d', 'restored', '-h', $node->host, '-p', $node->port, $dump ],
	'pg_restore into a new database');
($rc, $out, $err) = run_cli($node, [ 'verify', '--manifest', "$tmp/backup.manifest", '-d', 'restored' ]);
is($rc, 0, 'verify --manifest of the restored database exits 0') or diag("$out\n$err");
like($out, qr/2502 files listed, 2502 in the database; 2502 ok, 0 missing, 0 extra, 0 damaged \(contents re-hashed/,
	'and every file matches, contents re-hashed');

# --- delete one file, damage one, add one ---
my $deleted = 1500;    # in the cursor's second batch
is(sql("SELECT media.remove($deleted)"), 't', "file $deleted removed");
sql(qq{UPDATE media.chunks SET data = overlay(data placing '\\x00ff'::bytea from 10)
        WHERE blob_id = (SELECT blob_id FROM media.files WHERE id = $big) AND start = 65536});
my $extra = sql(q{SELECT media.put('\x0102030405'::bytea, 'late.bin')});
($rc, $out, $err) = run_cli($node, [ 'verify', '--manifest', "$tmp/backup.manifest" ]);
is($rc, 4 + 8 + 16, 'verify --manifest exits 28: missing (4) + damaged (8) + extra (16)') or diag($err);
is(problems($out), join(', ', sort "MISSING $deleted", "DAMAGED $big", "EXTRA $extra"),
	'exactly the deleted, the damaged and the extra file are reported, by id');
like($out, qr/^MISSING file $deleted \(small-$deleted\.txt, \d+ bytes\): in the manifest, not in the database$/m,
	'the missing file with its name');
like($out, qr/^DAMAGED file $big \(big\.bin, 3145735 bytes\): its stored bytes do not match its SHA-256/m,
	'the damaged file, found by re-hashing');
like($out, qr/^EXTRA file $extra \(late\.bin, 5 bytes\): in the database, not in the manifest$/m, 'the extra file');
like($out, qr/2502 files listed, 2502 in the database; 2500 ok, 1 missing, 1 extra, 1 damaged/, 'the summary counts them');

($rc, $out, $err) = run_cli($node, [ 'verify', '--manifest', "$tmp/backup.manifest", '--quick' ]);
is($rc, 4 + 16, '--quick exits 20: the damage to the bytes is not looked for');
is(problems($out), join(', ', sort "MISSING $deleted", "EXTRA $extra"), '--quick reports the missing and the extra file');
like($out, qr/contents not re-hashed/, 'and says it did not re-hash');

# a manifest whose SHA-256 for a file differs: damaged even with --quick
(my $edited = $manifest) =~ s/^(7\t)([0-9a-f])/$1 . ($2 eq '0' ? '1' : '0')/me;
spew("$tmp/edited.manifest", $edited);
($rc, $out, $err) = run_cli($node, [ 'verify', '--manifest', "$tmp/edited.manifest", '--quick' ]);
is($rc, 28, 'a file whose SHA-256 differs from the manifest is damaged, even with --quick');
like($out, qr/^DAMAGED file 7 \(small-7\.txt, \d+ bytes\): its SHA-256 differs from the manifest's/m, 'and named');

# --- an empty restore: every file missing ---
sql('CREATE DATABASE restored_empty');
sql('CREATE EXTENSION pg_media', 'restored_empty');
($rc, $out, $err) = run_cli($node, [ 'verify', '--manifest', "$tmp/backup.manifest", '-d', 'restored_empty' ]);
is($rc, 4, 'verify --manifest of a database restored empty exits 4 (missing)');
my @missing = $out =~ /^MISSING file (\d+) /mg;
is(join(',', @missing), join(',', map { (split /\t/)[0] } @lines[ 2 .. $#lines ]),
	'every file of the manifest is reported missing, by id');
like($out, qr/2502 files listed, 0 in the database; 0 ok, 2502 missing/, 'the summary says so');

# names are read back from COPY's escapes; control characters are printed as '?'
(my $renamed = $manifest) =~ s/^(2\t[0-9a-f]{64}\t\d+\t)[^\t]*/${1}back\\\\slash\\ttab/m;
spew("$tmp/renamed.manifest", $renamed);
($rc, $out, $err) = run_cli($node, [ 'verify', '--manifest', "$tmp/renamed.manifest", '-d', 'restored_empty' ]);
like($out, qr/^MISSING file 2 \(back\\slash\?tab, /m, 'a name with COPY escapes is unescaped, control characters shown as ?')
  or diag($out);

# --- manifests that cannot be trusted are refused (exit 3) ---
spew("$tmp/truncated.manifest", join("\n", @lines[ 0 .. $#lines - 1 ]) . "\n");
($rc, $out, $err) = run_cli($node, [ 'verify', '--manifest', "$tmp/truncated.manifest", '-d', 'restored' ]);
is($rc, 3, 'a manifest with a line missing exits 3');
like($err, qr/is incomplete or altered: its header lists 2502 files, it holds 2501/, 'and says it is incomplete');
(my $resized = $manifest) =~ s/^(9\t[0-9a-f]{64}\t)(\d+)/$1 . ($2 + 1)/me;
spew("$tmp/resized.manifest", $resized);
($rc, $out, $err) = run_cli($node, [ 'verify', '--manifest', "$tmp/resized.manifest", '-d', 'restored' ]);
ok($rc == 3 && $err =~ /its header counts $bytes bytes/, 'a size edited without the header exits 3');
spew("$tmp/unsorted.manifest", join("\n", @lines[ 0, 1, 3, 2, 4 .. $#lines ]) . "\n");
($rc, $out, $err) = run_cli($node, [ 'verify', '--manifest', "$tmp/unsorted.manifest", '-d', 'restored' ]);
ok($rc == 3 && $err =~ /unsorted\.manifest:4: file ids must increase \(id 1 after 2\)/, 'an unsorted manifest exits 3')
  or diag($err);
(my $newer = $manifest) =~ s/^(#pg_media-manifest\t)1/${1}2/;
spew("$tmp/newer.manifest", $newer);
($rc, $out, $err) = run_cli($node, [ 'verify', '--manifest', "$tmp/newer.manifest", '-d', 'restored' ]);
ok($rc == 3 && $err =~ /format version 2 is newer than this pg_media reads \(1\)/, 'a newer format version exits 3');
spew("$tmp/other.csv", "id,name,path\n1,a,b\n");
($rc, $out, $err) = run_cli($node, [ 'verify', '--manifest', "$tmp/other.csv", '-d', 'restored' ]);
ok($rc == 3 && $err =~ /not a pg_media manifest/, 'a file that is not a manifest exits 3');
($rc, $out, $err) = run_cli($node, [ 'verify', '--manifest', "$tmp/none", '-d', 'restored' ]);
ok($rc == 3 && $err =~ /cannot open/, 'a manifest that does not exist exits 3');

# a bare COPY of media.manifest() (no header) is read, with a warning
spew("$tmp/bare.manifest", "$copy\n");
($rc, $out, $err) = run_cli($node, [ 'verify', '--manifest', "$tmp/bare.manifest", '--quick' ]);
is($rc, 20, 'a bare COPY of media.manifest() is compared (missing + extra)');
like($err, qr/has no header: whether it is complete cannot be checked/, 'with a warning that its count is unknown');
($rc, $out, $err) = run_cli($node, [ 'verify', '--manifest', '-', '--quick' ], stdin => $manifest);
is($rc, 20, 'verify --manifest - reads standard input');

# usage errors
($rc, $out, $err) = run_cli($node, [ 'verify', '--quick' ]);
is($rc, 2, '--quick without --manifest is a usage error');
($rc, $out, $err) = run_cli($node, [ 'verify', '--manifest', "$tmp/backup.manifest", '--id', '3' ]);
is($rc, 2, '--id with --manifest is a usage error');
($rc, $out, $err) = run_cli($node, [ 'export', '--manifest-only', "$tmp/x", '--to', "$tmp/y" ]);
is($rc, 2, '--manifest-only with --to is a usage error');
($rc, $out, $err) = run_cli($node, [ 'verify', '--help' ], no_conn => 1);
like($out, qr/4 some files missing, 8 some damaged, 16 some extra, 32 storage integrity/, 'verify --help documents the exit codes');

# --- visibility: media.manifest() lists what the caller may see ---
sql('CREATE DATABASE regress_owned');
sql(q{CREATE EXTENSION pg_media;
      CREATE ROLE regress_app LOGIN; CREATE ROLE regress_ops LOGIN;
      GRANT USAGE ON SCHEMA media TO regress_app, regress_ops;
      GRANT SELECT ON media.files TO regress_app, regress_ops;
      GRANT EXECUTE ON FUNCTION media.put(bytea, text, text, jsonb) TO regress_app;
      ALTER ROLE regress_app IN DATABASE regress_owned SET media.isolation = 'setting';
      ALTER ROLE regress_ops IN DATABASE regress_owned SET media.isolation = 'none';}, 'regress_owned');
for my $owner (qw(bob carol))
{
	$node->safe_psql('regress_owned',
		"SELECT set_config('media.owner', '$owner', false); SELECT media.put(convert_to('$owner' || g, 'UTF8'), '$owner-' || g) FROM generate_series(1, 3) g",
		extra_params => [ '-U', 'regress_app' ]);
}
is($node->safe_psql('regress_owned', q{SELECT set_config('media.owner', 'bob', false);
                                        SELECT string_agg(name, ',' ORDER BY id) FROM media.manifest()},
		extra_params => [ '-U', 'regress_app' ]) =~ s/^bob\n//r,
	'bob-1,bob-2,bob-3', "under setting isolation, media.manifest() lists the owner's files only");
is(scalar(split /\n/, $node->safe_psql('regress_owned', 'COPY (SELECT * FROM media.manifest()) TO STDOUT',
			extra_params => [ '-U', 'regress_ops' ])),
	6, 'an operations role under isolation none lists every file with COPY ... TO STDOUT');
($rc, $out, $err) = run_cli($node, [ 'export', '--manifest-only', "$tmp/bob.manifest", '-d', 'regress_owned',
		'-U', 'regress_app', '--owner', 'bob' ]);
is($rc, 0, 'export --manifest-only --owner bob exits 0') or diag($err);
like(slurp("$tmp/bob.manifest"), qr/^#pg_media-manifest\t1\t.*\tfiles=3\t.*\towner=bob\n/, "its header says it is bob's 3 files");
($rc, $out, $err) = run_cli($node, [ 'verify', '--manifest', "$tmp/bob.manifest", '-d', 'regress_owned', '-U', 'regress_ops' ]);
ok($rc == 3 && $err =~ /lists the files of owner "bob" only: pass --owner "bob"/,
	"verify of bob's manifest without --owner exits 3 and names --owner");
($rc, $out, $err) = run_cli($node, [ 'verify', '--manifest', "$tmp/bob.manifest", '-d', 'regress_owned', '-U', 'regress_ops',
		'--owner', 'bob' ]);
ok($rc == 0 && $out =~ /3 files listed, 3 in the database; 3 ok/, "and with --owner bob it matches, as the operations role")
  or diag("$out\n$err");
($rc, $out, $err) = run_cli($node, [ 'export', '--manifest-only', "$tmp/nobody.manifest", '-d', 'regress_owned',
		'-U', 'regress_app' ]);
ok($rc == 1 && $err =~ /no files to list/ && !-e "$tmp/nobody.manifest",
	'a manifest of no file (media.owner not set) is refused with exit 1, and not written');

# --- empty on both sides ---
($rc, $out, $err) = run_cli($node, [ 'export', '--manifest-only', "$tmp/empty.manifest", '-d', 'restored_empty', '--allow-empty' ]);
is($rc, 0, 'export --manifest-only --allow-empty writes a manifest of no file');
($rc, $out, $err) = run_cli($node, [ 'verify', '--manifest', "$tmp/empty.manifest", '-d', 'restored_empty' ]);
ok($rc == 1 && $err =~ /nothing to compare/, 'verify of an empty manifest against no file exits 1');
($rc, $out, $err) = run_cli($node, [ 'verify', '--manifest', "$tmp/empty.manifest", '-d', 'restored_empty', '--allow-empty' ]);
is($rc, 0, 'and 0 with --allow-empty');

# --- plain verify and media.check_integrity() ---
my $has_check = sql(q{SELECT to_regprocedure('media.check_integrity()') IS NOT NULL});
if ($has_check eq 't')
{
	($rc, $out, $err) = run_cli($node, [ 'verify', '-d', 'restored' ]);
	ok($rc == 0 && $out =~ /storage integrity \(media\.check_integrity\): 0 problems/,
		'plain verify runs media.check_integrity(): no problem in the restored database') or diag("$out\n$err");
	# what a failed parallel restore left: content that no file refers to
	sql(q{INSERT INTO media.blobs (sha256, byte_size) VALUES (sha256('orphan'), 6)}, 'restored_empty');
	($rc, $out, $err) = run_cli($node, [ 'verify', '-d', 'restored_empty', '--allow-empty' ]);
	ok($rc == 1 && $out =~ /^INTEGRITY /m, 'plain verify reports an orphaned blob and exits 1') or diag("$out\n$err");
	($rc, $out, $err) = run_cli($node, [ 'verify', '--manifest', "$tmp/backup.manifest", '-d', 'restored_empty' ]);
	is($rc, 4 + 32, 'verify --manifest adds 32 for storage integrity problems');
	# a role without EXECUTE on it: the files are checked, the storage check is skipped, saying so
	($rc, $out, $err) = run_cli($node, [ 'verify', '-d', 'regress_owned', '-U', 'regress_ops' ]);
	ok($rc == 0 && $err =~ /warning: storage integrity not checked: permission denied/,
		'a role that may not run media.check_integrity() gets a warning, and the files are verified') or diag("$out\n$err");
}
else
{
	($rc, $out, $err) = run_cli($node, [ 'verify', '-d', 'restored' ]);
	ok($rc == 0 && $out !~ /integrity/i, 'without media.check_integrity() plain verify checks the files only');
}
done_testing();
