# The pg_media command-line tool: import of a real folder tree (nested
# folders, duplicates, an unreadable file, a FIFO, symbolic links inside and
# outside the tree, a file the server refuses), an import interrupted by
# --limit and by SIGINT mid-upload and then resumed without duplicates,
# export round trip (byte-identical, no overwriting), verify, stats, and the
# exit codes.  Then, in a database of its own: verify of no file (fails
# unless --allow-empty), --owner under media.isolation = 'setting' (each
# subcommand sees exactly that owner's files, also as a superuser), the
# early stop at the first file when every file would fail the same way
# (media.owner not set, a read-only session), and the map table's
# privileges (no CREATE on public: one error naming --map-table).
use strict;
use warnings;
use Cwd ();
use File::Compare qw(compare);
use File::Path qw(make_path);
use JSON::PP;
use POSIX qw(mkfifo);
use Time::HiRes qw(usleep);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
BEGIN { unshift @INC, "$ENV{PG_MEDIA_SRC}/test/cli"; }
use CliTest;

my $node = PostgreSQL::Test::Cluster->new('cli');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'pg_media'\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION pg_media');
my $tmp = PostgreSQL::Test::Utils::tempdir;

# writes bytes to a file, creating its folder
sub put_file
{
	my ($path, $bytes) = @_;
	(my $dir = $path) =~ s{/[^/]*$}{};
	make_path($dir);
	open my $fh, '>:raw', $path or die "$path: $!";
	print $fh $bytes;
	close $fh;
}

# bytes that look random (so nothing compresses or deduplicates by accident)
sub noise
{
	my ($len, $seed) = @_;
	my $s = $seed;
	my $out = '';
	while (length $out < $len)
	{
		$s = ($s * 1103515245 + 12345) % 4294967296;
		$out .= pack('N', $s ^ ($s >> 7));
	}
	return substr($out, 0, $len);
}

sub sql { return $node->safe_psql('postgres', $_[0]); }

# --- the tree ---
my $tree = "$tmp/uploads";
my $png_a = make_png(37, 23, 200, 30, 30);
put_file("$tree/photos/2023/summer/a.png", $png_a);
put_file("$tree/photos/b.png", make_png(64, 48, 30, 200, 30));
put_file("$tree/dup/a copy.png", $png_a);    # same bytes as a.png
put_file("$tree/docs/readme.txt", "hello from pg_media\n");
put_file("$tree/media/nested/deeper/still/big.bin", noise(3 * 1024 * 1024 + 12345, 7));
put_file("$tree/docs/na\x{c3}\x{af}ve caf\x{c3}\x{a9}.txt", "unicode name\n");
put_file("$tree/empty.txt", '');
put_file("$tree/page.html", "<html><body><script>alert(1)</script></body></html>\n");
put_file("$tree/secret/unreadable.bin", noise(1000, 3));
chmod 0000, "$tree/secret/unreadable.bin";
put_file("$tmp/outside/private.txt", "must not be imported\n");
symlink("$tmp/outside/private.txt", "$tree/docs/escape.txt") or die $!;
symlink("../photos/b.png", "$tree/dup/b-link.png") or die $!;
symlink("$tmp/outside", "$tree/outside-dir") or die $!;
mkfifo("$tree/pipe", 0644) or die "mkfifo: $!";
my $corpus = ($ENV{PG_MEDIA_CORPUS} // '/work/shared/corpus') . '/golang-github-gabriel-vasile-mimetype-dev';
my $have_corpus = -r "$corpus/jpg.jpg";
if ($have_corpus)
{
	for my $f (qw(jpg.jpg webm.webm))
	{
		open my $in, '<:raw', "$corpus/$f" or die $!;
		local $/;
		put_file("$tree/zcorpus/$f", <$in>);
	}
}
my $unreadable_really = !open(my $probe, '<', "$tree/secret/unreadable.bin");
my $root = Cwd::realpath($tree);

# --- usage and exit codes ---
my ($rc, $out, $err) = run_cli($node, ['--help'], no_conn => 1);
is($rc, 0, 'pg_media --help exits 0');
like($out, qr/import.*export.*verify.*stats.*serve/s, '--help lists the commands');
for my $cmd (qw(import export verify stats serve))
{
	($rc, $out, $err) = run_cli($node, [ $cmd, '--help' ], no_conn => 1);
	ok($rc == 0 && $out =~ /Usage:\n  pg_media $cmd/ && $out =~ /PGPASSWORD/,
		"pg_media $cmd --help");
	like($out, qr/--owner=NAME/, "pg_media $cmd --help lists --owner")
	  if $cmd =~ /^(import|export|verify|stats)$/;
	like($out, qr{^  GET /healthz .*^  GET /metrics }ms, 'pg_media serve --help lists /healthz and /metrics')
	  if $cmd eq 'serve';
}
($rc, $out, $err) = run_cli($node, [ 'import', '--bogus' ], no_conn => 1);
is($rc, 2, 'an unknown option exits 2');
($rc, $out, $err) = run_cli($node, ['frobnicate'], no_conn => 1);
is($rc, 2, 'an unknown command exits 2');
($rc, $out, $err) = run_cli($node, ['import'], no_conn => 1);
is($rc, 2, 'import without a folder exits 2');
# a whole-number option given a word, a number with trailing letters or an
# overflowing number is a usage error, never read as 0 or as its leading digits
# (before the fix these went on to connect: to port 1 here, exit 3)
for my $bad ([ 'serve', '--shutdown-timeout', 'abc' ], [ 'serve', '--read-pool', '8x' ],
	[ 'serve', '--pool', '99999999999999999999' ], [ 'serve', '--max-connections', '10x' ],
	[ 'import', '--limit', '5x', $tree ])
{
	($rc, $out, $err) = run_cli($node, [ @$bad, '-h', $node->host, '-p', '1',
			($bad->[0] eq 'serve' ? ('--listen', '127.0.0.1:0') : ()) ],
		no_conn => 1, timeout => 30);
	ok($rc == 2 && $err =~ /^pg_media: error: \Q$bad->[1]\E must be a whole number from \d+ to \d+, not "\Q$bad->[2]\E"$/m,
		"@$bad[0..2]: exit 2 and one line that says so");
}
# a --listen port past 65535 is refused, also one that wraps around in an int (2^32 + 1: port 1)
for my $bad ('127.0.0.1:65536', '127.0.0.1:4294967297', '99999999999999999999')
{
	($rc, $out, $err) = run_cli($node, [ 'serve', '-h', $node->host, '-p', '1', '--listen', $bad ],
		no_conn => 1, timeout => 30);
	ok($rc == 2 && $err =~ /^pg_media: error: --listen must be HOST:PORT, \[IPV6\]:PORT or PORT, not "\Q$bad\E"$/m,
		"serve --listen $bad: exit 2");
}
# move-owner with an empty OWNER ("$OWNER" unset in a script) is a usage error, not a move of
# owner "" that ends with exit 0 (before the fix it went on to connect: port 1, exit 3)
($rc, $out, $err) = run_cli($node, [ 'move-owner', '', '--to', '1', '-h', $node->host, '-p', '1' ], no_conn => 1);
ok($rc == 2 && $err =~ /^pg_media: error: the OWNER to move must not be empty$/m, 'move-owner "": exit 2');
# an --upload-expiry PostgreSQL does not read: one line (no "ERROR:" or CONTEXT of the server's)
($rc, $out, $err) = run_cli($node, [ 'serve', '--listen', '127.0.0.1:0', '--upload-expiry', 'bogus' ], timeout => 30);
ok($rc == 2 && $err eq qq{pg_media: error: --upload-expiry "bogus": invalid input syntax for type interval: "bogus"\n},
	'serve --upload-expiry bogus: exit 2 and one line');
($rc, $out, $err) = run_cli($node, [ 'stats', '-h', $node->host, '-p', '1', '-d', 'postgres' ], no_conn => 1);
is($rc, 3, 'a connection failure exits 3');
like($err, qr/could not connect/, 'and says so');

# --- an import stopped by --limit, then one stopped by SIGINT in mid-upload ---
($rc, $out, $err) = run_cli($node, [ 'import', '--limit', '2', $tree ]);
like($out, qr/stopped after 2 files \(--limit\)/, '--limit stops the import after 2 files');
is(sql('SELECT count(*) FROM media_import_map WHERE file_id IS NOT NULL'), '2',
	'the map table records the 2 files');
is(sql('SELECT count(*) FROM media.files'), '2', 'and only they are stored');

# Hold back uploads (upload_begin inserts into media.uploads) with a lock, so
# that the SIGINT arrives while big.bin is being uploaded, deterministically.
my ($lock_out, $lock_err) = ('', '');
my $locker = IPC::Run::start(
	[ 'psql', '-X', '-h', $node->host, '-p', $node->port, '-d', 'postgres', '-c',
	  'BEGIN; LOCK TABLE media.uploads IN SHARE MODE; SELECT pg_sleep(3); COMMIT;' ],
	'>', \$lock_out, '2>', \$lock_err);
$node->poll_query_until('postgres',
	q{SELECT count(*) > 0 FROM pg_locks WHERE relation = 'media.uploads'::regclass AND mode = 'ShareLock' AND granted})
  or die 'the lock was not taken';
my ($imp_out, $imp_err) = ('', '');
my $importer = IPC::Run::start(
	[ cli_path(), 'import', '-h', $node->host, '-p', $node->port, '-d', 'postgres',
	  '--part-size', '64k', '--map', "$tmp/map-interrupted.csv", $tree ],
	'>', \$imp_out, '2>', \$imp_err, IPC::Run::timeout(120));
$node->poll_query_until('postgres',
	q{SELECT count(*) > 0 FROM pg_stat_activity WHERE query LIKE '%media.upload_begin%' AND wait_event_type = 'Lock'})
  or die 'the import did not wait for the lock';
$importer->signal('INT');
$importer->finish;
my $imp_rc = $? >> 8;
$locker->finish;
is($imp_rc, 1, 'an interrupted import exits 1');
like($imp_out, qr/interrupted \Q$root\E\/media\/nested\/deeper\/still\/big\.bin at byte 65536/,
	'SIGINT stops the import after the part being sent');
like($imp_out, qr/^interrupted: .*run the same command again to resume/ms, 'and tells how to resume');
is(sql(qq{SELECT upload_id IS NOT NULL, file_id IS NULL FROM media_import_map WHERE path = '$root/media/nested/deeper/still/big.bin'}),
	't|t', 'the map records the upload in progress');
is(sql('SELECT count(*), sum(received) FROM media.uploads'), '1|65536', 'the server kept the bytes received');

# --- the full import, resuming ---
($rc, $out, $err) = run_cli($node, [ 'import', '--map', "$tmp/map.csv", '--attrs', '{"batch": "test"}', $tree ]);
is($rc, 1, 'the import exits 1: some files failed');
like($out, qr/resuming \Q$root\E\/media\/nested\/deeper\/still\/big\.bin at byte 65536 of 3158073/,
	'the interrupted upload is resumed where the server stopped');
like($out, qr/skipped \Q$root\E\/docs\/escape\.txt: symbolic link to .*outside the folders being imported/,
	'a symbolic link out of the tree is skipped with a message');
like($out, qr/skipped \Q$root\E\/pipe: a FIFO/, 'a FIFO is skipped');
is(sql(q{SELECT count(*) FROM media.files WHERE sha256 = sha256(convert_to(E'must not be imported\\n', 'UTF8'))}),
	'0', 'nothing outside the tree is stored');
like($err, qr/page\.html: not stored: active content is not accepted/, 'a file the server refuses is reported');
SKIP:
{
	skip 'running as root: chmod 000 does not stop reading', 1 unless $unreadable_really;
	like($err, qr/unreadable\.bin: cannot open: Permission denied/, 'an unreadable file is reported');
}
my $expect_failed = $unreadable_really ? 2 : 1;
my $expect_files = 8 + ($have_corpus ? 2 : 0) + ($unreadable_really ? 0 : 1);
like($out, qr/^(\d+) imported .* 5 unchanged, 3 skipped, $expect_failed failed$/m, 'the summary counts every kind');
is(sql('SELECT count(*) FROM media.uploads'), '0', 'no upload is left behind');

my $files = sql('SELECT count(*) FROM media.files');
is($files, $expect_files, 'every importable file is stored once');
is(sql('SELECT count(*), count(DISTINCT file_id) FROM media_import_map WHERE file_id IS NOT NULL'),
	"$expect_files|$expect_files", 'one map row and one id per path: no duplicates');
is(sql(qq{SELECT f.byte_size FROM media_import_map m JOIN media.files f ON f.id = m.file_id WHERE m.path = '$root/media/nested/deeper/still/big.bin'}),
	3 * 1024 * 1024 + 12345, 'the resumed file has its full size');
is(sql(qq{SELECT count(DISTINCT f.blob_id) FROM media_import_map m JOIN media.files f ON f.id = m.file_id
        WHERE m.path IN ('$root/photos/2023/summer/a.png', '$root/dup/a copy.png')}), '1',
	'duplicates share one stored content');
is(sql(qq{SELECT f.width || 'x' || f.height || ' ' || f.mime_type FROM media_import_map m JOIN media.files f ON f.id = m.file_id WHERE m.path = '$root/photos/2023/summer/a.png'}),
	'37x23 image/png', 'the server probed the image');
is(sql(qq{SELECT f.name || ' ' || (f.attrs->>'source_path') FROM media_import_map m JOIN media.files f ON f.id = m.file_id WHERE m.path = '$root/dup/b-link.png'}),
	'b-link.png dup/b-link.png', 'a link inside the tree is imported under its own name');
is(sql(qq{SELECT (f.attrs->>'batch') || ' ' || (f.attrs->>'source_path') FROM media_import_map m JOIN media.files f ON f.id = m.file_id WHERE m.path = '$root/photos/2023/summer/a.png'}),
	'test photos/2023/summer/a.png', '--attrs and the source path are stored in attrs');

open my $csv, '<', "$tmp/map.csv" or die $!;
my @csv = <$csv>;
close $csv;
is($csv[0], "path,file_id,size,mtime,imported_at\n", 'the CSV map has a header');
is(scalar(@csv) - 1, $expect_files, 'and a row per stored file');

# --- a second run skips everything; a changed file is imported anew ---
($rc, $out, $err) = run_cli($node, [ 'import', $tree ]);
like($out, qr/^0 imported .* $expect_files unchanged/m, 'a second run imports nothing');
is(sql('SELECT count(*) FROM media.files'), $expect_files, 'and stores nothing twice');
put_file("$tree/docs/readme.txt", "hello again, changed\n");
utime(time + 5, time + 5, "$tree/docs/readme.txt");
($rc, $out, $err) = run_cli($node, [ 'import', $tree ]);
like($out, qr/^1 imported .* @{[$expect_files - 1]} unchanged/m, 'a changed file is imported again');
is(sql(qq{SELECT convert_from(media.get(file_id), 'UTF8') FROM media_import_map WHERE path = '$root/docs/readme.txt'}),
	"hello again, changed\n", 'and the map points at its new content');

# --- one import per map table at a time ---
my $holder = IPC::Run::start(
	[ 'psql', '-X', '-h', $node->host, '-p', $node->port, '-d', 'postgres', '-c',
	  q{SELECT pg_advisory_lock(hashtext('pg_media import ' || 'media_import_map'::regclass::oid::text)), pg_sleep(1.5)} ],
	'>', \my $hold_out, '2>', \my $hold_err);
$node->poll_query_until('postgres', q{SELECT count(*) > 0 FROM pg_locks WHERE locktype = 'advisory' AND granted})
  or die 'no advisory lock';
($rc, $out, $err) = run_cli($node, [ 'import', $tree ]);
is($rc, 3, 'a second import on the same map table at once exits 3');
like($err, qr/another pg_media import is running/, 'and says why');
$holder->finish;

# --- verify and stats ---
($rc, $out, $err) = run_cli($node, ['verify']);
is($rc, 0, 'verify exits 0');
like($out, qr/verified @{[$expect_files + 1]} files .*: @{[$expect_files + 1]} ok, 0 failed/, 'verify checks every file');
($rc, $out, $err) = run_cli($node, ['stats']);
like($out, qr/^image\s+\d+/m, 'stats has a row per media type');
like($out, qr/distinct contents: \d+/, 'stats counts distinct contents');
like($out, qr/dedup savings: /, 'stats reports dedup savings');
($rc, $out, $err) = run_cli($node, [ 'stats', '--json' ]);
my $stats = decode_json($out);
is($stats->{files}, $expect_files + 1, 'stats --json counts the files');
ok($stats->{dedup_saved_bytes} >= length($png_a), 'stats --json counts the bytes dedup saves');

# --- export round trip ---
my $outdir = "$tmp/export";
($rc, $out, $err) = run_cli($node, [ 'export', '--to', $outdir ]);
is($rc, 0, 'export exits 0') or diag($err);
like($out, qr/^@{[$expect_files + 1]} exported .* 0 failed; manifest: manifest\.csv/m, 'export writes every file');
my %path_of = map { split /\|/ } split /\n/,
  sql(q{SELECT file_id, path FROM media_import_map WHERE file_id IS NOT NULL});
open my $mf, '<', "$outdir/manifest.csv" or die $!;
my $header = <$mf>;
is($header, "id,name,path,size,sha256,mime_type\n", 'the manifest has its columns');
my ($same, $rows, %names) = (0, 0);
while (my $line = <$mf>)
{
	chomp $line;
	my @f;
	push @f, defined($1) ? $1 =~ s/""/"/gr : $2 while $line =~ /\G(?:"((?:[^"]|"")*)"|([^,]*))(?:,|$)/g;
	$rows++;
	$names{ $f[2] }++;
	my $src = $path_of{ $f[0] };
	next unless defined $src;    # the old readme.txt content has no path now
	$same++ if compare("$outdir/$f[2]", $src) == 0 && -s "$outdir/$f[2]" == $f[3];
}
close $mf;
is($rows, $expect_files + 1, 'the manifest lists every file');
is($same, $expect_files, 'every exported file is byte-identical to its source');
ok(-e "$outdir/readme.txt" && -e "$outdir/readme (2).txt", 'a taken name gets " (2)"');
ok(-e "$outdir/naïve café.txt", 'a UTF-8 name is kept');

# exporting again into the same folder overwrites nothing
my $before = -s "$outdir/b.png";
($rc, $out, $err) = run_cli($node, [ 'export', '--to', $outdir, '--where', q{media_type = 'image' AND width = 64} ]);
is($rc, 0, 'export --where exits 0');
like($out, qr/^2 exported .* manifest: manifest \(2\)\.csv/m, '--where selects the files; a new manifest name');
ok(-e "$outdir/b (2).png" && -s "$outdir/b.png" == $before, 'existing files are not overwritten');
# a symbolic link planted in the target folder is never written through
mkdir "$tmp/export2";
symlink("$tmp/victim.png", "$tmp/export2/b.png") or die $!;
($rc, $out, $err) = run_cli($node, [ 'export', '--to', "$tmp/export2", '--where', q{media_type = 'image' AND width = 64} ]);
ok($rc == 0 && !-e "$tmp/victim.png" && -s "$tmp/export2/b (2).png",
	'a symbolic link in the target folder is not followed: the file gets another name');
($rc, $out, $err) = run_cli($node, [ 'export', '--to', $outdir, '--where', 'true; DROP TABLE media_import_map' ]);
isnt($rc, 0, 'a --where with a second statement fails');
is(sql('SELECT count(*) > 0 FROM media_import_map'), 't', 'and runs nothing');

# --- verify finds a corrupted file ---
my $victim = sql(qq{SELECT file_id FROM media_import_map WHERE path = '$root/media/nested/deeper/still/big.bin'});
sql(qq{UPDATE media.chunks SET data = overlay(data placing '\\x00ff'::bytea from 10) WHERE blob_id = (SELECT blob_id FROM media.files WHERE id = $victim) AND start = 0});
($rc, $out, $err) = run_cli($node, ['verify']);
is($rc, 1, 'verify exits 1 when a file is corrupted');
like($out, qr/FAILED file $victim \(big\.bin, 3158073 bytes\)/, 'and names it');
($rc, $out, $err) = run_cli($node, [ 'verify', '--id', $victim ]);
is($rc, 1, 'verify --id checks one file');

# --- --owner, the early stop, the map table's privileges, verify of nothing ---
# A database of its own, so the counts above stay as they are.
$node->safe_psql('postgres', 'CREATE DATABASE regress_owners');
my $grants = q{
	GRANT USAGE ON SCHEMA media TO %1$s;
	GRANT SELECT ON media.files TO %1$s;
	GRANT EXECUTE ON FUNCTION media.put(bytea, text, text, jsonb), media.upload_begin(text, text, jsonb),
	  media.upload_append(bigint, bytea), media.upload_finish(bigint), media.upload_abort(bigint) TO %1$s;
};
$node->safe_psql('regress_owners', 'CREATE EXTENSION pg_media;'
	  . 'CREATE ROLE regress_app LOGIN; CREATE ROLE regress_importer LOGIN;'
	  . sprintf($grants, 'regress_app') . sprintf($grants, 'regress_importer')
	  . q{ALTER ROLE regress_app IN DATABASE regress_owners SET media.isolation = 'setting';}
	  . 'CREATE SCHEMA regress_maps AUTHORIZATION regress_app;');
sub osql { return $node->safe_psql('regress_owners', $_[0]); }

# runs pg_media CMD as role user on regress_owners
sub cli_as
{
	my ($user, $cmd, @args) = @_;
	return run_cli($node, [ $cmd, '-d', 'regress_owners', '-U', $user, @args ]);
}

# verify of an empty database says so and fails, unless --allow-empty
($rc, $out, $err) = cli_as('postgres', 'verify');
is($rc, 1, 'verify of a database with no file exits 1');
like($err, qr/no files to verify: role "postgres" sees no file in database "regress_owners"/,
	'and says there was nothing to verify');
($rc, $out, $err) = cli_as('postgres', 'verify', '--allow-empty');
is($rc, 0, 'verify --allow-empty of no file exits 0');
like($out, qr/verified 0 files/, 'and reports 0 files');

# folders for two owners
my %owner_files = (alice => [qw(a1.txt a2.txt a3.txt)], bob => [qw(b1.txt b2.txt)]);
for my $o (keys %owner_files)
{
	put_file("$tmp/owners/$o/$_", "$o owns $_\n") for @{ $owner_files{$o} };
}
put_file("$tmp/owners/alice/zz.png", make_png(9, 9, 1, 2, 3));
push @{ $owner_files{alice} }, 'zz.png';

# under 'setting' isolation without --owner: one error, at the first file, nothing stored
($rc, $out, $err) = cli_as('regress_app', 'import', '--map-table', 'regress_maps.alice', "$tmp/owners/alice");
is($rc, 3, 'import under setting isolation without --owner exits 3');
my @errors = $err =~ /^pg_media: error: /mg;
is(scalar(@errors), 1, 'with one error, not one per file') or diag($err);
like($err, qr/import stopped at \S+\/a1\.txt: media\.owner is not set.* 3 other file\(s\) were not tried/,
	'the error names the first file and says the others were not tried');
like($err, qr/^pg_media: hint: .*--owner NAME/m, 'the hint names --owner');
like($out, qr/^stopped: 0 imported .* 1 failed$/m, 'the summary says the import stopped');
is(osql('SELECT count(*) FROM media.files'), '0', 'no file is stored');
is(osql('SELECT count(*) FROM regress_maps.alice'), '0', 'and the map table records none');

# --owner: each owner's files stored as theirs
($rc, $out, $err) = cli_as('regress_app', 'import', '--owner', 'alice', '--map-table', 'regress_maps.alice',
	"$tmp/owners/alice");
is($rc, 0, 'import --owner alice exits 0') or diag($err);
($rc, $out, $err) = cli_as('regress_app', 'import', '--owner', 'bob', '--map-table', 'regress_maps.bob',
	"$tmp/owners/bob");
is($rc, 0, 'import --owner bob exits 0') or diag($err);
is(osql(q{SELECT string_agg(owner || ':' || name, ',' ORDER BY owner, name) FROM media.files}),
	join(',', (map {"alice:$_"} sort @{ $owner_files{alice} }), (map {"bob:$_"} sort @{ $owner_files{bob} })),
	'every file is stored under the owner given with --owner');
($rc, $out, $err) = cli_as('regress_app', 'import', '--owner', 'alice', '--map-table', 'regress_maps.alice',
	"$tmp/owners/alice");
like($out, qr/^0 imported .* 4 unchanged/m, 'a second import --owner alice finds its files unchanged');

# export, verify and stats --owner see exactly that owner's files
for my $as (qw(regress_app postgres))
{
	my $dir = "$tmp/owners-export-$as";
	($rc, $out, $err) = cli_as($as, 'export', '--owner', 'alice', '--to', $dir);
	is($rc, 0, "export --owner alice as $as exits 0") or diag($err);
	my $dh;
	my @got = opendir($dh, $dir) ? sort grep { !/^\./ && $_ ne 'manifest.csv' } readdir $dh : ();
	is(join(',', @got), join(',', sort @{ $owner_files{alice} }), "export --owner alice as $as writes alice's files only");
	($rc, $out, $err) = cli_as($as, 'verify', '--owner', 'bob');
	ok($rc == 0 && $out =~ /verified 2 files .*: 2 ok, 0 failed/, "verify --owner bob as $as checks bob's 2 files")
	  or diag("$out $err");
	($rc, $out, $err) = cli_as($as, 'stats', '--owner', 'alice', '--json');
	is(eval { decode_json($out)->{files} }, 4, "stats --owner alice as $as counts alice's 4 files");
}
($rc, $out, $err) = cli_as('regress_app', 'stats', '--json');
is(eval { decode_json($out)->{files} }, 0, 'without --owner, setting isolation shows no file');
like($err, qr/media\.owner is not set, so no file is visible.*\n.*hint: .*--owner NAME/, 'and the tool says why');
($rc, $out, $err) = cli_as('regress_app', 'verify');
ok($rc == 1 && $err =~ /no files to verify/ && $err =~ /--owner NAME/,
	'verify without --owner under setting isolation fails and names --owner');

# the default map table in public: PostgreSQL 15 gives ordinary roles no CREATE there
my $before_files = osql('SELECT count(*) FROM media.files');
($rc, $out, $err) = cli_as('regress_importer', 'import', "$tmp/owners/bob");
is($rc, 3, 'import with the default map table and no CREATE on public exits 3');
like($err, qr/cannot use the map table public\.media_import_map: .*no CREATE privilege on schema "public"/,
	'the error says the role may not create the map table in public');
like($err, qr/^pg_media: hint: .*--map-table schema\.table/m, 'the hint names --map-table schema.table');
is(scalar(() = $err =~ /^pg_media: error: /mg), 1, 'in one error');
unlike($out, qr/imported|skipped/, 'before anything is walked or imported');
is(osql('SELECT count(*) FROM media.files'), $before_files, 'nothing is stored');
# a map table an administrator made in public, with the role's grants, is used as it is
osql(q{CREATE TABLE public.media_import_map (path text PRIMARY KEY, file_id bigint, size bigint,
         mtime timestamptz, imported_at timestamptz, upload_id bigint);
       GRANT SELECT, INSERT, UPDATE, DELETE ON public.media_import_map TO regress_importer});
($rc, $out, $err) = cli_as('regress_importer', 'import', "$tmp/owners/bob");
is($rc, 0, 'a map table made for the role in public is used without CREATE on public') or diag($err);
is(osql('SELECT count(*) FROM public.media_import_map WHERE file_id IS NOT NULL'), '2', 'and records the files');

# a read-only session: one error at the first file, with a hint
put_file("$tmp/owners/ro/$_.txt", "read-only $_\n") for 1 .. 3;
($rc, $out, $err) = run_cli($node, [ 'import', '-d', 'regress_owners', "$tmp/owners/ro" ],
	env => { PGOPTIONS => '-c default_transaction_read_only=on' });
is($rc, 3, 'import in a read-only session exits 3');
like($err, qr/import stopped at \S+\/1\.txt: cannot execute \S+ in a read-only transaction/,
	'it stops at the first file');
is(scalar(() = $err =~ /^pg_media: error: /mg), 1, 'with one error');
like($err, qr/^pg_media: hint: .*read-only/m, 'and a hint about the read-only server');

# a role without the writer grants: one error at the first file, naming them
osql(q{CREATE ROLE regress_reader LOGIN; GRANT USAGE ON SCHEMA media TO regress_reader;
       GRANT SELECT ON media.files TO regress_reader;
       GRANT SELECT, INSERT, UPDATE, DELETE ON public.media_import_map TO regress_reader});
($rc, $out, $err) = cli_as('regress_reader', 'import', "$tmp/owners/ro");
is($rc, 3, 'import by a role without EXECUTE on media.put exits 3');
like($err, qr/import stopped at \S+\/1\.txt: permission denied for function put; .* 2 other file\(s\) were not tried/,
	'it stops at the first file');
is(scalar(() = $err =~ /^pg_media: error: /mg), 1, 'with one error');
like($err, qr/^pg_media: hint: role "regress_reader" needs the media_writer grants/m, 'and a hint naming the grants');

# --owner under 'role' isolation cannot store files for someone else
osql(q{ALTER ROLE regress_importer IN DATABASE regress_owners SET media.isolation = 'role'});
($rc, $out, $err) = cli_as('regress_importer', 'import', '--owner', 'alice', '--map-table', 'public.media_import_map',
	"$tmp/owners/alice");
ok($rc == 3 && $err =~ /--owner "alice" cannot be used: media\.isolation is "role"/,
	'import --owner for another owner under role isolation is refused');

chmod 0644, "$tree/secret/unreadable.bin";
$node->stop;
done_testing();
