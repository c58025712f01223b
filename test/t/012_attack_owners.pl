# Issue 12, items 2 and 6: owners cannot be borrowed.
#   2. The two isolation modes have separate owner namespaces: an application under "setting"
#      isolation that sets media.owner = 'alice' cannot reach the files the login role alice
#      stored under "role" isolation (nor the reverse), and quotas and uploads follow the same
#      namespaces.  0.1.0 rows are sorted into the namespaces by the update.
#   6. A file stored after SET ROLE to a shared group role is charged to the session's login
#      role, so the other members of the group can neither see nor remove it.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgMediaTest;

my $node = media_node('attack_owners');
$node->safe_psql('postgres', q{
CREATE ROLE media_writer NOLOGIN;
GRANT USAGE ON SCHEMA media TO media_writer;
GRANT SELECT, DELETE ON media.files TO media_writer;
GRANT EXECUTE ON FUNCTION media.put(bytea, text, text, jsonb), media.remove(bigint),
      media.upload_begin(text, text, jsonb), media.upload_append(bigint, bytea),
      media.upload_finish(bigint), media.upload_abort(bigint) TO media_writer;
-- logins under role isolation, members of the shared group role
CREATE ROLE alice LOGIN IN ROLE media_writer;
CREATE ROLE bob LOGIN IN ROLE media_writer;
ALTER ROLE alice SET media.isolation = 'role';
ALTER ROLE bob SET media.isolation = 'role';
-- the application's one login, under setting isolation
CREATE ROLE app LOGIN IN ROLE media_writer;
ALTER ROLE app SET media.isolation = 'setting';
});

# psql as the superuser that does not die on an error (this test also runs against code
# without owner namespaces, to show it fails there): stdout, or the error
sub admin_sql
{
	my ($sql, $db) = @_;
	my ($out, $err);
	$node->psql($db // 'postgres', $sql, stdout => \$out, stderr => \$err);
	return $err ? "ERROR: $err" : $out;
}

# psql as a login role: (exit code, stdout, stderr)
sub as_role
{
	my ($role, $sql) = @_;
	my ($out, $err);
	my $rc = $node->psql('postgres', $sql, stdout => \$out, stderr => \$err,
		connstr => $node->connstr('postgres') . " user=$role", on_error_stop => 0);
	return ($rc, $out, $err);
}

# --- item 2: role and setting namespaces --------------------------------------------------
my ($rc, $alice_file, $err) = as_role('alice', q{SELECT media.put('alice-private'::bytea, 'a.txt')});
like($alice_file, qr/^\d+$/, 'alice (role isolation) stores a file') or diag($err);

my ($out);
($rc, $out, $err) = as_role('app', qq{BEGIN; SET LOCAL media.owner = 'alice';
SELECT 'rows:' || count(*) FROM media.files;
SELECT encode(media.get($alice_file), 'escape');
COMMIT;});
like($out, qr/rows:0/, 'item 2: the app with media.owner = \'alice\' sees none of alice\'s rows');
unlike($out, qr/alice-private/, 'item 2: and cannot read her file with media.get()');
like($err, qr/media file $alice_file does not exist/, 'item 2: get() says the file does not exist');
($rc, $out, $err) = as_role('app', qq{BEGIN; SET LOCAL media.owner = 'alice'; SELECT media.remove($alice_file); COMMIT;});
is($node->safe_psql('postgres', "SELECT count(*) FROM media.files WHERE id = $alice_file"), '1',
	'item 2: nor remove it');

# the reverse: the app's user "bob" is not the login role bob
my $app_file;
($rc, $app_file, $err) = as_role('app', q{BEGIN; SET LOCAL media.owner = 'bob'; SELECT media.put('app-user-bob'::bytea, 'b.txt'); COMMIT;});
like($app_file, qr/^\d+$/, 'the app stores a file for its user "bob"') or diag($err);
($rc, $out, $err) = as_role('bob', qq{SELECT 'rows:' || count(*) FROM media.files; SELECT encode(media.get($app_file), 'escape')});
like($out, qr/rows:0/, 'item 2: the login role bob sees none of the app user bob\'s files');
unlike($out, qr/app-user-bob/, 'item 2: and cannot read them');
is(admin_sql("SELECT owner || '/' || owner_scope FROM media.files WHERE id IN ($alice_file, $app_file) ORDER BY id"),
	"alice/role\nbob/setting", 'the two files are in different namespaces');

# uploads: an upload alice began is not the app user alice's
my $up;
($rc, $up, $err) = as_role('alice', q{SELECT media.upload_begin('u.bin')});
($rc, $out, $err) = as_role('app', qq{BEGIN; SET LOCAL media.owner = 'alice'; SELECT media.upload_append($up, '\\x00'); COMMIT;});
like($err, qr/upload $up does not exist/, 'item 2: the app user alice cannot append to the login alice\'s upload');

# quotas: a quota for the app user "alice" does not limit the login role alice, and back
admin_sql(q{INSERT INTO media.quotas (owner, owner_scope, max_files) VALUES ('alice', 'setting', 0)});
($rc, $out, $err) = as_role('alice', q{SELECT media.put('\x01'::bytea) IS NOT NULL});
is($out, 't', 'item 2: the app user alice\'s quota does not limit the login alice') or diag($err);
($rc, $out, $err) = as_role('app', q{BEGIN; SET LOCAL media.owner = 'alice'; SELECT media.put('\x02'::bytea); COMMIT;});
like($err, qr/file quota of owner "alice" exceeded/, 'item 2: it limits the app user alice');
admin_sql(q{INSERT INTO media.quotas (owner, owner_scope, max_files) VALUES ('bob', 'role', 0)});
($rc, $out, $err) = as_role('app', q{BEGIN; SET LOCAL media.owner = 'bob'; SELECT media.put('\x03'::bytea) IS NOT NULL; COMMIT;});
like($out, qr/^t$/m, 'item 2: the login bob\'s quota does not limit the app user bob') or diag($err);
($rc, $out, $err) = as_role('bob', q{SELECT media.put('\x04'::bytea)});
like($err, qr/file quota of owner "bob" exceeded/, 'item 2: it limits the login bob');
$node->safe_psql('postgres', 'DELETE FROM media.quotas');

# --- item 6: SET ROLE to a shared group role ------------------------------------------------
my $group_file;
($rc, $group_file, $err) = as_role('alice', q{SET ROLE media_writer; SELECT media.put('stored-under-set-role'::bytea, 'g.txt')});
like($group_file, qr/^\d+$/, 'alice stores a file after SET ROLE media_writer') or diag($err);
is($node->safe_psql('postgres', "SELECT owner FROM media.files WHERE id = $group_file"), 'alice',
	'item 6: it is charged to alice\'s login, not to the shared media_writer');
($rc, $out, $err) = as_role('bob', qq{SET ROLE media_writer; SELECT encode(media.get($group_file), 'escape')});
unlike($out, qr/stored-under-set-role/, 'item 6: bob, another member, cannot read it under SET ROLE media_writer');
like($err, qr/media file $group_file does not exist/, 'item 6: for bob it does not exist');
($rc, $out, $err) = as_role('bob', qq{SET ROLE media_writer; SELECT media.remove($group_file)});
is($node->safe_psql('postgres', "SELECT count(*) FROM media.files WHERE id = $group_file"), '1',
	'item 6: nor remove it');
($rc, $out, $err) = as_role('alice', qq{SET ROLE media_writer; SELECT encode(media.get($group_file), 'escape'); RESET ROLE; SELECT 'n:' || count(*) FROM media.files WHERE id = $group_file});
like($out, qr/stored-under-set-role/, 'item 6: alice reads it under SET ROLE');
like($out, qr/n:1/, 'item 6: and sees it without SET ROLE too (a role sees its login\'s files)');
# a SECURITY DEFINER wrapper owned by the group does not make the group the owner either
$node->safe_psql('postgres', q{
CREATE FUNCTION public.store_for_me(bytea) RETURNS bigint LANGUAGE sql SECURITY DEFINER
  SET search_path = pg_catalog AS $$ SELECT media.put($1) $$;
ALTER FUNCTION public.store_for_me(bytea) OWNER TO media_writer;
GRANT EXECUTE ON FUNCTION public.store_for_me(bytea) TO alice});
($rc, $out, $err) = as_role('alice', q{SELECT public.store_for_me('via-definer'::bytea)});
is($node->safe_psql('postgres', "SELECT owner FROM media.files WHERE id = " . ($out =~ /^(\d+)/ ? $1 : 0)), 'alice',
	'item 6: a SECURITY DEFINER function owned by the group charges the caller\'s login') or diag($err);

# --- migration of 0.1.0 rows ----------------------------------------------------------------
my @versions = split /\n/, $node->safe_psql('postgres', q{SELECT version FROM pg_available_extension_versions WHERE name = 'pg_media' AND version = '0.1.0'});
SKIP:
{
	skip 'no 0.1.0 install script', 3 unless @versions;
	$node->safe_psql('postgres', 'CREATE DATABASE old');
	$node->safe_psql('old', q{CREATE EXTENSION pg_media VERSION '0.1.0';
SET media.owner = 'user-7'; SELECT media.put('\x07'::bytea);
SET media.owner = 'alice'; SELECT media.put('\x08'::bytea);
RESET media.owner; SELECT media.put('\x09'::bytea);
INSERT INTO media.quotas VALUES ('user-7', 100, 10), ('alice', 100, 10);
SET media.owner = 'user-7'; SELECT media.upload_begin()});
	$node->safe_psql('old', 'ALTER EXTENSION pg_media UPDATE');
	is(admin_sql(q{SELECT string_agg(owner || '/' || owner_scope, ' ' ORDER BY id) FROM media.files}, 'old'),
		'user-7/setting alice/role postgres/role', 'migration: owners that are role names become "role", others "setting"');
	is(admin_sql(q{SELECT string_agg(owner || '/' || owner_scope, ' ' ORDER BY owner) FROM media.quotas}, 'old'),
		'alice/role user-7/setting', 'migration: quotas follow the same rule');
	is(admin_sql(q{SELECT string_agg(owner || '/' || owner_scope, ' ') FROM media.uploads}, 'old'),
		'user-7/setting', 'migration: uploads in progress too');
}

$node->stop;
done_testing();
