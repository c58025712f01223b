# Issue 12, items 1 and 9: no role without the right privilege can change an administrator's
# setting by any route.  pg_media requires shared_preload_libraries = 'pg_media': then its
# superuser-only settings are real from postmaster start, a client's "-c" is refused at
# connection time and SET, set_config, RESET and function SET clauses are refused by
# PostgreSQL.  Without preload every policy-dependent function refuses to run (55000).
#
# For every superuser-only media.* setting (read from pg_settings, so settings added later are
# covered too) the ordinary login "bob" tries PGOPTIONS, options=-c in the conninfo, SET,
# set_config, RESET and a function's SET clause; the administrator's value (ALTER ROLE,
# ALTER DATABASE or ALTER SYSTEM) stays in force.  Then attack 1 of the issue is replayed.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgMediaTest;

my $node = media_node('attack_settings');
$node->safe_psql('postgres', q{
CREATE ROLE media_writer;
GRANT USAGE ON SCHEMA media TO media_writer;
GRANT SELECT, DELETE ON media.files TO media_writer;
GRANT EXECUTE ON FUNCTION media.put(bytea, text, text, jsonb), media.remove(bigint),
      media.upload_begin(text, text, jsonb), media.upload_append(bigint, bytea),
      media.upload_abort(bigint) TO media_writer;
CREATE ROLE alice LOGIN IN ROLE media_writer;
CREATE ROLE bob LOGIN IN ROLE media_writer;
});

# psql as bob: (exit code, stdout, stderr).  conn_options goes into the conninfo's options,
# pgoptions into the PGOPTIONS environment variable.
sub as_bob
{
	my ($sql, %o) = @_;
	my ($out, $err);
	local $ENV{PGOPTIONS} = $o{pgoptions} if defined $o{pgoptions};
	my $connstr = $node->connstr('postgres') . ' user=bob';
	$connstr .= " options='$o{conn_options}'" if defined $o{conn_options};
	my $rc = $node->psql('postgres', $sql, stdout => \$out, stderr => \$err,
		connstr => $connstr, on_error_stop => $o{on_error_stop} // 1);
	return ($rc, $out, $err);
}

# --- every superuser-only setting ---------------------------------------------------------
my @settings = split /\n/, $node->safe_psql('postgres', q{
SELECT name || '|' || vartype || '|' || coalesce(boot_val, '') || '|' || coalesce(min_val, '') || '|'
       || coalesce(max_val, '') || '|' || coalesce(array_to_string(enumvals, ','), '')
  FROM pg_settings WHERE name LIKE 'media.%' AND context = 'superuser' ORDER BY name});
cmp_ok(scalar(@settings), '>=', 12, 'pg_settings lists pg_media\'s superuser-only settings: '
	  . join(', ', map { (split /\|/)[0] } @settings));
ok((grep { /^media\.(isolation|require_scan|max_upload_size)\|/ } @settings) == 3,
	'attack 1\'s three settings are among them');

my @where = ('ALTER ROLE bob SET %s = %s', 'ALTER DATABASE postgres SET %s = %s', 'ALTER SYSTEM SET %s = %s');
my $i = 0;
for my $line (@settings)
{
	my ($name, $type, $boot, $min, $max, $enums) = split /\|/, $line, -1;
	# an administrator's value that is not the default, and an attacker's that differs from it
	my ($admin, $attack);
	if ($type eq 'bool') { $admin = $boot eq 'on' ? 'off' : 'on'; $attack = $boot; }
	elsif ($type eq 'enum')
	{
		($admin) = grep { $_ ne $boot } split /,/, $enums;
		$attack = $boot;
	}
	elsif ($type eq 'integer' || $type eq 'real')
	{
		$admin = $min ne $boot ? $min : $min + 1;
		$attack = $max ne $admin ? $max : $boot;
	}
	else
	{
		# a string setting: its default is the one value known to be valid; PostgreSQL checks
		# the privilege before the value, so any attacker's value shows the refusal
		$admin = $boot;
		$attack = $boot eq 'x' ? 'y' : 'x';
	}
	my $how = sprintf($where[$i++ % 3], $name, "'$admin'");
	$node->safe_psql('postgres', $how);
	$node->safe_psql('postgres', 'SELECT pg_reload_conf()');
	# pg_settings.setting: the value in the setting's base unit, as the administrator wrote it
	my $value_sql = "SELECT setting FROM pg_settings WHERE name = '$name'";
	my ($rc, $out, $err) = as_bob($value_sql);
	is($out, $admin, "$name: the administrator's value is in force for bob ($how)");
	my $admin_shown = $admin;

	# connection options and PGOPTIONS: refused at connection time, or without effect
	for my $route ([ 'PGOPTIONS', pgoptions => "-c $name=$attack" ],
		[ 'options=-c in the conninfo', conn_options => "-c $name=$attack" ])
	{
		my ($label, %o) = @$route;
		($rc, $out, $err) = as_bob($value_sql, %o);
		ok(($rc != 0 && $err =~ /permission denied to set parameter "\Q$name\E"/) || ($rc == 0 && $out eq $admin_shown),
			"$name: bob's $label \"-c $name=$attack\" is refused ("
			  . ($rc ? (split /\n/, $err)[0] : "value $out") . ')');
	}

	# SET, set_config, RESET and a function's SET clause inside a session
	for my $try ([ 'SET', "SET $name = '$attack'" ],
		[ 'set_config', "SELECT set_config('$name', '$attack', false)" ],
		[ 'SET LOCAL', "BEGIN; SET LOCAL $name = '$attack'; COMMIT" ],
		[ 'RESET', "RESET $name" ],
		[ 'RESET ALL', 'RESET ALL' ],
		[ 'a function\'s SET clause',
			"CREATE FUNCTION pg_temp.f() RETURNS text LANGUAGE sql SET $name = '$attack' AS \$\$SELECT current_setting('$name')\$\$; SELECT pg_temp.f()" ])
	{
		my ($label, $sql) = @$try;
		($rc, $out, $err) = as_bob("$sql;\nSELECT 'now:' || setting FROM pg_settings WHERE name = '$name'", on_error_stop => 0);
		my ($now) = $out =~ /now:(.*)$/m;
		my $refused = $label eq 'RESET ALL' || $err =~ /permission denied to set parameter "\Q$name\E"/;
		ok($refused && defined $now && $now eq $admin_shown,
			"$name: bob's $label is refused and the administrator's value stays ($admin_shown)")
		  or diag("out: $out\nerr: $err");
	}
	$node->safe_psql('postgres', sprintf($how =~ s/ SET .*//r . ' RESET %s', $name));
	$node->safe_psql('postgres', 'SELECT pg_reload_conf()');
}

# --- attack 1, replayed exactly -----------------------------------------------------------
$node->safe_psql('postgres', q{
ALTER ROLE alice SET media.isolation = 'role';
ALTER ROLE bob SET media.isolation = 'role';
ALTER ROLE bob SET media.require_scan = on;
ALTER ROLE bob SET media.max_upload_size = '1MB';
});
my $alice_file = $node->safe_psql('postgres', q{SELECT media.put('alice''s secret'::bytea, 'secret.txt')},
	connstr => $node->connstr('postgres') . ' user=alice');
my ($rc, $out, $err) = as_bob("SHOW media.isolation; SELECT encode(media.get($alice_file), 'escape'); SELECT media.remove($alice_file)",
	conn_options => '-c media.isolation=none');
isnt($rc, 0, 'attack 1: bob with options=\'-c media.isolation=none\' cannot connect');
like($err, qr/FATAL:  permission denied to set parameter "media.isolation"/, 'attack 1: the refusal names the setting');
unlike($out // '', qr/secret/, 'attack 1: nothing of alice\'s file reaches bob');
($rc, $out, $err) = as_bob("SELECT media.get($alice_file)", pgoptions => '-c media.isolation=none');
like($err, qr/FATAL:  permission denied to set parameter "media.isolation"/,
	'attack 1: bob with PGOPTIONS=-c media.isolation=none cannot connect');
($rc, $out, $err) = as_bob("SELECT media.get($alice_file)");
like($err, qr/media file $alice_file does not exist/, 'attack 1: plain bob cannot read alice\'s file');
($rc, $out, $err) = as_bob("SELECT media.remove($alice_file)", on_error_stop => 0);
my $still;
$node->psql('postgres', "SELECT encode(media.get($alice_file), 'escape')", stdout => \$still);
is($still, "alice's secret",
	'attack 1: alice\'s file is still there after bob\'s remove()');

# require_scan: an EICAR-like stand-in stays pending and is not served
my $eicar = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$PG-MEDIA-EICAR-STAND-IN-NOT-A-VIRUS$H+H*';
($rc, $out, $err) = as_bob("SELECT media.put(convert_to('$eicar', 'UTF8'), 'eicar-attack.com')",
	conn_options => '-c media.require_scan=off');
like($err, qr/FATAL:  permission denied to set parameter "media.require_scan"/,
	'attack 1: bob cannot turn media.require_scan off at connection');
is($node->safe_psql('postgres', q{SELECT count(*) FROM media.files WHERE name = 'eicar-attack.com' AND scan_status = 'clean'}),
	'0', 'attack 1: no EICAR stand-in was stored clean');
($rc, $out, $err) = as_bob("SELECT media.put(convert_to('$eicar', 'UTF8'), 'eicar.com')");
my $eicar_id = $out;
is($node->safe_psql('postgres', "SELECT scan_status FROM media.files WHERE id = $eicar_id"), 'pending',
	'attack 1: the EICAR stand-in is stored pending, not clean');
($rc, $out, $err) = as_bob("SELECT media.get($eicar_id)");
like($err, qr/is not available: its scan status is "pending"/, 'attack 1: and is not served');

# max_upload_size: a 3 MB part under a 1 MB cap
($rc, $out, $err) = as_bob(q{SELECT media.upload_append(media.upload_begin('big.bin'), decode(repeat('00', 3145728), 'hex'))},
	pgoptions => '-c media.max_upload_size=0');
like($err, qr/FATAL:  permission denied to set parameter "media.max_upload_size"/,
	'attack 1: bob cannot lift media.max_upload_size at connection');
is($node->safe_psql('postgres', q{SELECT count(*) FROM media.uploads WHERE received > 1048576}), '0',
	'attack 1: no upload holds more than the 1 MB cap');
($rc, $out, $err) = as_bob(q{SELECT media.upload_append(media.upload_begin('big.bin'), decode(repeat('00', 3145728), 'hex'))});
like($err, qr/upload would exceed media.max_upload_size \(1 MB\)/, 'attack 1: a 3 MB part is refused under a 1 MB cap');

# --- item 9: the README's ALTER SYSTEM works in a fresh session ---------------------------
($rc, $out, $err) = $node->psql('postgres', 'ALTER SYSTEM SET media.require_scan = on');
is($rc, 0, 'item 9: ALTER SYSTEM SET media.require_scan = on works in a fresh session') or diag($err);
$node->safe_psql('postgres', 'SELECT pg_reload_conf()');
is($node->safe_psql('postgres', 'SHOW media.require_scan'), 'on', 'item 9: a new session has it');
$node->safe_psql('postgres', 'ALTER SYSTEM RESET media.require_scan');
$node->stop;

# --- without preload: every policy-dependent function refuses (55000 and a hint) -------------
my $plain = media_node('attack_settings_nopreload', preload => 0);
$plain->safe_psql('postgres', q{
CREATE ROLE carol LOGIN;
GRANT USAGE ON SCHEMA media TO carol;
GRANT SELECT ON media.files TO carol;
GRANT EXECUTE ON FUNCTION media.put(bytea, text, text, jsonb) TO carol;
});
is($plain->safe_psql('postgres', q{SELECT extversion FROM pg_extension WHERE extname = 'pg_media'}),
	$plain->safe_psql('postgres', q{SELECT default_version FROM pg_available_extensions WHERE name = 'pg_media'}),
	'without preload: CREATE EXTENSION still works');
for my $call ([ 'put', q{SELECT media.put('\x00')} ],
	[ 'get', 'SELECT media.get(1)' ],
	[ 'read', 'SELECT media.read(1, 0, 1)' ],
	[ 'http', 'SELECT * FROM media.http(1)' ],
	[ 'remove', 'SELECT media.remove(1)' ],
	[ 'verify', 'SELECT * FROM media.verify()' ],
	[ 'upload_begin', 'SELECT media.upload_begin()' ],
	[ 'inflate', q{SELECT media.inflate(media.deflate('\x00'))} ],
	[ 'thumbnail of a bytea', q{SELECT media.thumbnail('\x89504e47'::bytea, 8, 8)} ],
	[ 'owner_scope', 'SELECT media.owner_scope()' ],
	[ 'visible_owner', q{SELECT media.visible_owner('x', 'role')} ])
{
	my ($label, $sql) = @$call;
	my ($rc2, $out2, $err2) = $plain->psql('postgres', "\\set VERBOSITY verbose\n$sql");
	ok($rc2 != 0 && $err2 =~ /ERROR:  55000: pg_media must be loaded through shared_preload_libraries/
		  && $err2 =~ /HINT:  Add pg_media to shared_preload_libraries in postgresql.conf/,
		"without preload: $label refuses with 55000 and the hint") or diag($err2);
}
# row-level security passes the same check: a non-superuser reading media.files
$plain->safe_psql('postgres', q{SET session_replication_role = replica;
INSERT INTO media.blobs (id, sha256, byte_size) VALUES (1, sha256(''), 0);
INSERT INTO media.files (blob_id, name, mime_type, media_type, byte_size, sha256, etag, owner, owner_scope)
  VALUES (1, 'x', 'application/octet-stream', 'other', 0, sha256(''), '"x"', 'carol', 'role')});
($rc, $out, $err) = $plain->psql('postgres', 'SELECT count(*) FROM media.files',
	connstr => $plain->connstr('postgres') . ' user=carol');
like($err, qr/pg_media must be loaded through shared_preload_libraries/, 'without preload: a role under row-level security cannot read media.files');
# pure functions keep working
is($plain->safe_psql('postgres', q{SELECT media.sniff('\x89504e470d0a1a0a'::bytea)}), 'image/png',
	'without preload: sniff() (pure) works');
is($plain->safe_psql('postgres', q{SELECT encode(media.decode_base64('aGk='), 'escape')}), 'hi',
	'without preload: decode_base64() (pure) works');
is($plain->safe_psql('postgres', q{SELECT probe->>'mime_type' FROM (SELECT media.probe('\x89504e470d0a1a0a'::bytea) AS probe) p}),
	'image/png', 'without preload: probe() of a bytea (pure) works');
# a client's -c cannot change anything here either, since nothing runs
($rc, $out, $err) = $plain->psql('postgres', 'SELECT media.put(\'\x00\')',
	connstr => $plain->connstr('postgres') . " user=carol options='-c media.isolation=none'");
like($err, qr/pg_media must be loaded through shared_preload_libraries/, 'without preload: -c media.isolation=none gains nothing');

# pg_dump / pg_restore work without preload (files stored while it was preloaded)
$plain->append_conf('postgresql.conf', "shared_preload_libraries = 'pg_media'\n");
$plain->restart;
$plain->safe_psql('postgres', q{DELETE FROM media.files; DELETE FROM media.blobs;
SELECT media.put('dump me'::bytea, 'd.txt')});
$plain->append_conf('postgresql.conf', "shared_preload_libraries = ''\n");
$plain->restart;
my $dump = $plain->basedir . '/media.dump';
command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-d', $plain->connstr('postgres') ], 'without preload: pg_dump works');
$plain->safe_psql('postgres', 'CREATE DATABASE restored');
command_ok([ 'pg_restore', '-d', $plain->connstr('restored'), $dump ], 'without preload: pg_restore works');
$plain->append_conf('postgresql.conf', "shared_preload_libraries = 'pg_media'\n");
$plain->restart;
is($plain->safe_psql('restored', q{SELECT encode(media.get(id), 'escape') || ' ' || owner_scope FROM media.files}),
	'dump me role', 'the restored file reads back once preloaded again');
$plain->stop;
done_testing();
