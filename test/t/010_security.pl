# Security as an application sees it: a non-superuser does the whole
# workflow over its own login with the README's grants, two owners cannot
# reach each other's files, and a stand-in virus scanner works through
# scripts/media-scan.sh.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgMediaTest;

my $src = $ENV{PG_MEDIA_SRC} or die "PG_MEDIA_SRC is not set";
my $node = PostgreSQL::Test::Cluster->new('security');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'pg_media'\n");
$node->start;
$node->safe_psql('postgres', q{
CREATE EXTENSION pg_media;
-- the README's roles
} . readme_roles_sql() . q{
CREATE ROLE web LOGIN IN ROLE media_writer;
CREATE ROLE viewer LOGIN IN ROLE media_reader;
CREATE ROLE alice LOGIN IN ROLE media_writer;
CREATE ROLE bob LOGIN IN ROLE media_writer;
ALTER ROLE alice SET media.isolation = 'role';
ALTER ROLE bob SET media.isolation = 'role';
});

# psql as a given login role; returns (exit code, stdout, stderr)
sub as_role
{
	my ($role, $sql) = @_;
	my ($out, $err);
	my $rc = $node->psql('postgres', $sql, stdout => \$out, stderr => \$err,
		extra_params => [ '-U', $role ]);
	return ($rc, $out, $err);
}

# --- the whole workflow as the non-superuser "web" ---
my ($rc, $out, $err) = as_role('web', q{SELECT rolsuper FROM pg_roles WHERE rolname = current_user});
is($out, 'f', 'the application role is not a superuser');

($rc, $out, $err) = as_role('web', q{SELECT media.put('\x47494638396105000400800000000000ffffff2c0000000005000400000204848fa90b003b', 'dot.gif')});
is($rc, 0, 'web stores a file with put()') or diag($err);
my $gif = $out;
($rc, $out, $err) = as_role('web', qq{SELECT mime_type || ' ' || width || 'x' || height || ' ' || owner FROM media.files WHERE id = $gif});
is($out, 'image/gif 5x4 web', 'the file is sniffed and owned by web');

($rc, $out, $err) = as_role('web', q{
SELECT media.upload_begin('big.bin') AS up \gset
SELECT media.upload_append(:up, decode(repeat('ab', 100000), 'hex'));
SELECT media.upload_append(:up, decode(repeat('cd', 50000), 'hex'));
SELECT media.upload_finish(:up);
});
is($rc, 0, 'web uploads a file in parts') or diag($err);
my ($big) = (split /\n/, $out)[-1];
($rc, $out, $err) = as_role('web', qq{SELECT byte_size, sha256 = sha256(decode(repeat('ab', 100000) || repeat('cd', 50000), 'hex')) FROM media.files WHERE id = $big});
is($out, '150000|t', 'the upload has the right size and hash');

($rc, $out, $err) = as_role('web', qq{SELECT length(media.get($big)), length(media.read($big, 99990, 20)), (SELECT count(*) FROM media.parts($big)), (SELECT status FROM media.http($big, 'bytes=0-9'))});
is($out, '150000|20|2|206', 'web reads whole, ranges, parts (one per appended part) and HTTP');
($rc, $out, $err) = as_role('web', q{SELECT bool_and(ok), count(*) FROM media.verify()});
is($out, 't|2', 'web verifies its files');

($rc, $out, $err) = as_role('viewer', qq{SELECT length(media.get($gif)), (SELECT status FROM media.http($gif))});
is($out, '37|200', 'the read-only role serves files');
($rc, $out, $err) = as_role('viewer', q{SELECT media.put('\x00')});
like($err, qr/permission denied for function put/, 'the read-only role cannot store files');
($rc, $out, $err) = as_role('viewer', q{SELECT count(*) FROM media.chunks});
like($err, qr/permission denied for table chunks/, 'the storage tables are closed to application roles');

($rc, $out, $err) = as_role('web', qq{SELECT media.remove($gif)});
is($out, 't', 'web removes its file');
my $left = $node->safe_psql('postgres', q{SELECT count(*) FROM media.blobs b WHERE NOT EXISTS (SELECT 1 FROM media.files f WHERE f.blob_id = b.id)});
is($left, '0', 'no blob is left without a file');

# --- two owners under role isolation, as real logins ---
($rc, $out, $err) = as_role('alice', q{SELECT media.put('\x5345435245542d414c494345', 'diary.txt')});
my $secret = $out;
is($rc, 0, 'alice stores a file') or diag($err);
($rc, $out, $err) = as_role('bob', q{SELECT media.put('\x5345435245542d414c494345', 'guess.txt')});
my $bobs = $out;
($rc, $out, $err) = as_role('bob', q{SELECT count(*) FROM media.files});
is($out, '1', 'bob sees only his own file, though his bytes equal alice\'s');
($rc, $out, $err) = as_role('bob', qq{SELECT media.get($secret)});
like($err, qr/media file $secret does not exist/, 'bob cannot read alice\'s file by id');
($rc, $out, $err) = as_role('bob', qq{SELECT status FROM media.http($secret)});
is($out, '404', 'media.http() answers 404 to bob');
($rc, $out, $err) = as_role('bob', qq{SELECT media.remove($secret)});
is($out, 'f', 'bob cannot remove alice\'s file');
($rc, $out, $err) = as_role('bob', q{SET media.isolation = 'none'; SELECT count(*) FROM media.files});
like($err, qr/permission denied to set parameter "media.isolation"/,
	'bob cannot turn isolation off in a fresh session (pg_media is preloaded: its settings are real from the start)');
($rc, $out, $err) = as_role('bob', q{SELECT media.sniff('x'); SET media.isolation = 'none'});
like($err, qr/permission denied to set parameter "media.isolation"/, 'nor once it is loaded');
# ... nor through the command-line tool, which runs as bob too
my $cli = "$src/cli/pg_media";
SKIP:
{
	skip 'the pg_media command-line tool is not built (make -C cli)', 4 unless -x $cli;
	my $exp = "$PostgreSQL::Test::Utils::tmp_check/bob-export";
	my ($cout, $cerr) = ('', '');
	IPC::Run::run([ $cli, 'export', '--to', $exp, '-h', $node->host, '-p', $node->port,
			'-U', 'bob', '-d', 'postgres', '-q' ], '>', \$cout, '2>', \$cerr);
	opendir my $dh, $exp or die "no export folder: $cerr";
	my @exported = grep { !/^\./ && $_ ne 'manifest.csv' } readdir $dh;
	closedir $dh;
	is_deeply(\@exported, ['guess.txt'], 'pg_media export as bob writes only bob\'s file');
	my $manifest = slurp_file("$exp/manifest.csv");
	unlike($manifest, qr/diary/, 'and its manifest does not name alice\'s');
	IPC::Run::run([ $cli, 'verify', '--id', $secret, '-h', $node->host, '-p', $node->port,
			'-U', 'bob', '-d', 'postgres' ], '>', \$cout, '2>', \$cerr);
	unlike($cout . $cerr, qr/\bok\b.*$secret|$secret.*\bok\b/i, 'pg_media verify as bob does not vouch for alice\'s file');
	IPC::Run::run([ $cli, 'stats', '-h', $node->host, '-p', $node->port, '-U', 'bob', '-d', 'postgres' ],
		'>', \$cout, '2>', \$cerr);
	like($cout, qr/\b1\b/, 'pg_media stats as bob counts his one file') or diag($cout . $cerr);
}
($rc, $out, $err) = as_role('bob', qq{SELECT media.remove($bobs)});
($rc, $out, $err) = as_role('alice', qq{SELECT convert_from(media.get($secret), 'UTF8')});
is($out, 'SECRET-ALICE', 'alice still reads her file after bob removed his copy');

# --- quarantine with a stand-in scanner ---
$node->safe_psql('postgres', q{
CREATE ROLE scanner LOGIN;
GRANT USAGE ON SCHEMA media TO scanner;
GRANT SELECT, UPDATE (scan_status, scan_detail, scanned_at) ON media.files TO scanner;
GRANT EXECUTE ON FUNCTION media.set_scan_result(bigint, boolean, text) TO scanner;
ALTER ROLE web SET media.require_scan = on;
});
($rc, $out, $err) = as_role('web', q{SELECT media.put(convert_to('hello', 'UTF8'), 'ok.txt')});
my $ok_file = $out;
my $eicar = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
($rc, $out, $err) = as_role('web', "SELECT media.put(convert_to('$eicar', 'UTF8'), 'eicar.com')");
my $bad_file = $out;
($rc, $out, $err) = as_role('web', qq{SELECT media.get($ok_file)});
like($err, qr/scan status is "pending"/, 'a pending file is not served');

my $scanner = "$PostgreSQL::Test::Utils::tmp_check/fake-scanner.sh";
open my $fh, '>', $scanner or die $!;
print $fh "#!/bin/sh\nif grep -q EICAR-STANDARD-ANTIVIRUS-TEST-FILE \"\$1\"; then echo \"\$1: Eicar-Signature FOUND\"; exit 1; fi\necho \"\$1: OK\"\n";
close $fh;
chmod 0755, $scanner;
my ($sout, $serr) = ('', '');
my $ok = IPC::Run::run([ "$src/scripts/media-scan.sh", '-h', $node->host, '-p', $node->port,
		'-U', 'scanner', '-d', 'postgres' ], '>', \$sout, '2>', \$serr,
	init => sub { $ENV{SCANNER} = $scanner });
ok($ok, 'the scan script ran') or diag($serr);
like($sout, qr/scanned 2, infected 1/, 'it scanned both pending files');
($rc, $out, $err) = as_role('web', qq{SELECT convert_from(media.get($ok_file), 'UTF8')});
is($out, 'hello', 'the clean file is served after the scan');
($rc, $out, $err) = as_role('web', qq{SELECT status FROM media.http($bad_file)});
like($err, qr/scan status is "infected"/, 'the infected file is never served');
my $detail = $node->safe_psql('postgres', qq{SELECT scan_detail FROM media.files WHERE id = $bad_file});
like($detail, qr/Eicar-Signature FOUND/, 'the scanner\'s verdict is recorded');

# --- search_path hijacking through a login role's own schema ---
$node->safe_psql('postgres', q{
CREATE SCHEMA web AUTHORIZATION web;
ALTER ROLE web RESET media.require_scan;
});
($rc, $out, $err) = as_role('web', q{
CREATE FUNCTION web.yes(bigint, bigint) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR web.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = web.yes);
CREATE FUNCTION web.sha256(bytea) RETURNS bytea LANGUAGE sql AS 'SELECT ''\x00''::bytea';
SET search_path = web, pg_catalog;
SELECT media.put('\x01020304', 'a') AS a \gset
SELECT length(media.get(:a)), (SELECT count(*) FROM media.verify(:a) WHERE ok);
});
is($rc, 0, 'hostile objects in the caller\'s own schema do not break pg_media') or diag($err);
like($out, qr/^4\|1$/m, 'reads and verify give the right answers under a hostile search_path');

done_testing();
