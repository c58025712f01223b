# Sharding by owner with PL/Proxy (issue 16): three shards (three clusters with pg_media, made
# shards 0..2 with sql/router/pg_media_shard_setup.sql) and a router (a fourth cluster without
# pg_media, with CREATE EXTENSION pg_media_router).  Files of 50 owners are stored through the
# router (SQL put, and pg_media import with uploads in parts), and the test shows:
#   - each owner's files are on exactly one shard, the one the router gives the owner;
#   - every file id names its shard (id >> 52) and upload ids do too: calls route without a lookup;
#   - every file reads back through the router byte-identical: SQL (get, read, http) and
#     pg_media serve --dbname router with curl (signed URLs, one per file's owner);
#   - owners are kept apart (one owner cannot read another's file through the router);
#   - pg_media move-owner moves one owner to another shard: refused while it has an upload in
#     progress, stopped by a failure half-way (nothing switched, nothing lost), run again to the
#     end (files copied before are not copied twice), the source emptied, the ids unchanged and
#     served from the new shard, new files of the owner stored there; writes wait during a move;
#   - attacks (router-findings.md): a role without USAGE on media, a role under media.isolation =
#     'role', forged ids; a move cancelled then run again after the owner removed a file and made
#     one private; a crash between the switch and the delete; two moves at once; a REPEATABLE READ
#     write older than a move.
use strict;
use warnings;
use Digest::SHA qw(sha256_hex);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgMediaTest;
BEGIN { unshift @INC, "$ENV{PG_MEDIA_SRC}/test/cli"; }
use CliTest;

plan skip_all => 'curl is not installed (apt-get install curl, or cli/install-deps.sh)'
  unless have_program('curl');
plan skip_all => 'PL/Proxy is not installed (scripts/install-deps.sh scale)'
  unless -f `pg_config --sharedir` =~ s/\s+$//r . '/extension/plproxy.control';

my $src = $ENV{PG_MEDIA_SRC};
my $key = 'k1:shard-test-secret-0123456789abcdef';
my $tmp = PostgreSQL::Test::Utils::tempdir;

# --- three shards and a router
my @shards;
for my $n (0 .. 2)
{
	my $node = media_node("shard$n",
		conf => "media.chunk_size = '64kB'\nmedia.url_signing_keys = '$key'\nmax_connections = 40\n");
	my ($rc, $out, $err) = run_cli_psql($node, '-v', "shard=$n", '-f', "$src/sql/router/pg_media_shard_setup.sql");
	is($rc, 0, "shard $n set up with pg_media_shard_setup.sql") or diag($err);
	push @shards, $node;
}
my $router = PostgreSQL::Test::Cluster->new('router');
$router->init;
$router->append_conf('postgresql.conf', "log_min_messages = warning\n");
$router->start;
$router->safe_psql('postgres', 'CREATE EXTENSION pg_media_router CASCADE');
my $connstrs = join(',', map { "'host=" . $_->host . ' port=' . $_->port . " dbname=postgres'" } @shards);
is($router->safe_psql('postgres', "SELECT media_router.configure(ARRAY[$connstrs])"), 3, 'the router has 3 shards');
is($router->safe_psql('postgres', q{SELECT count(*) FROM pg_extension WHERE extname = 'pg_media'}), 0,
	'the router database has no pg_media');
is(join(',', map { $_->safe_psql('postgres', 'SELECT media.shard()') } @shards), '0,1,2', 'media.shard() of each shard');

sub rsql { return $router->safe_psql('postgres', $_[0]); }
sub shard_sql { return $shards[ $_[0] ]->safe_psql('postgres', $_[1]); }

# psql on a node's postgres database with more arguments
sub run_cli_psql
{
	my ($node, @args) = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', $node->host, '-p', $node->port,
			'-d', 'postgres', @args ], '>', \$out, '2>', \$err);
	return ($? >> 8, $out, $err);
}

# --- files of 50 owners through the router (SQL): 2 or 3 files each, some spanning many chunks
my %content;    # id => bytes
my %owner_of;   # id => owner
my @owners = map { sprintf('user%02d', $_) } 1 .. 50;
my $sql = '';
for my $i (0 .. $#owners)
{
	my $o = $owners[$i];
	$sql .= "SET media.owner = '$o';\n";
	for my $k (1 .. 2 + $i % 2)
	{
		my $bytes = gen_bytes("$o/$k", 1000 + (($i * 7919 + $k * 104729) % 150_000));
		$sql .= "SELECT '$o', media.put(" . sql_bytea($bytes) . ", '$o-$k.bin');\n";
		push @{ $content{pending} }, $bytes;
	}
}
my $t0 = time;
my @stored = split /\n/, rsql($sql);
my @pending = @{ delete $content{pending} };
is(scalar @stored, scalar @pending, scalar(@pending) . ' files of 50 owners stored through the router');
for my $row (@stored)
{
	my ($o, $id) = split /\|/, $row;
	$owner_of{$id} = $o;
	$content{$id} = shift @pending;
}
note('stored in ' . (time - $t0) . ' s');

# --- pg_media import through the router: one owner's files, a large one in upload parts
mkdir "$tmp/import";
my $big = gen_bytes('import/big', 300_000);
my $small = gen_bytes('import/small', 5_000);
for ([ 'big.bin', $big ], [ 'small.bin', $small ])
{
	open my $fh, '>:raw', "$tmp/import/$_->[0]" or die $!;
	print $fh $_->[1];
	close $fh;
}
my ($rc, $out, $err) = run_cli($router,
	[ 'import', '--owner', 'user07', '--part-size', '64k', '--map-table', 'public.imported', "$tmp/import" ]);
is($rc, 0, 'pg_media import --owner user07 through the router') or diag($err);
for my $row (split /\n/, rsql(q{SELECT file_id, path FROM imported}))
{
	my ($id, $path) = split /\|/, $row;
	$owner_of{$id} = 'user07';
	$content{$id} = $path =~ /big/ ? $big : $small;
}
is(scalar keys %content, scalar(@stored) + 2, 'the imported files are recorded');

# --- where the files are: each owner on exactly one shard, the one the router names
sub placement
{
	my %where;    # owner => { shard => count }
	for my $n (0 .. 2)
	{
		for my $row (split /\n/, shard_sql($n, q{SELECT owner, count(*) FROM media.files GROUP BY owner}))
		{
			my ($o, $c) = split /\|/, $row;
			$where{$o}{$n} = $c;
		}
	}
	return \%where;
}
my $where = placement();
my %expected_count;
$expected_count{ $owner_of{$_} }++ for keys %owner_of;
my @misplaced = grep {
	my $o = $_;
	my @on = keys %{ $where->{$o} // {} };
	@on != 1 || $where->{$o}{ $on[0] } != $expected_count{$o}
	  || $on[0] != rsql("SELECT media_router.owner_shard('$o')")
} @owners;
is("@misplaced", '', "each of the 50 owners' files are all on one shard, the router's owner_shard()");
my %per_shard;
$per_shard{ (keys %{ $where->{$_} })[0] }++ for @owners;
is(scalar keys %per_shard, 3, 'the owners are spread over the 3 shards: '
	  . join(', ', map { "shard $_: $per_shard{$_}" } sort keys %per_shard));

# ids name their shard: every file on shard n has id >> 52 = n, and the router holds no id table
my $wrong_ids = 0;
$wrong_ids += shard_sql($_, "SELECT count(*) FROM media.files WHERE id >> 52 <> $_") for 0 .. 2;
is($wrong_ids, 0, 'every file id names its shard (id >> 52)');
is(rsql('SELECT count(*) FROM media_router.moved_files'), 0, 'no routing table: ids route by their bits');
my $up = rsql(q{SET media.owner = 'user01'; SELECT media.upload_begin('u.bin')});
is($up >> 52, rsql(q{SELECT media_router.owner_shard('user01')}), 'an upload id names its shard too');
rsql("SET media.owner = 'user01'; SELECT media.upload_abort($up)");

# --- every file back through the router, byte-identical (SHA-256 of media.get() and of media.read())
sub check_reads_sql
{
	my ($label) = @_;
	my @bad;
	my %by_owner;
	push @{ $by_owner{ $owner_of{$_} } }, $_ for keys %owner_of;
	my $q = '';
	for my $o (sort keys %by_owner)
	{
		$q .= "SET media.owner = '$o';\n";
		$q .= "SELECT $_, encode(sha256(media.get($_)), 'hex'), encode(sha256(media.read($_, 0, 1000000)), 'hex');\n"
		  for @{ $by_owner{$o} };
	}
	for my $row (split /\n/, rsql($q))
	{
		my ($id, $get, $read) = split /\|/, $row;
		my $want = sha256_hex($content{$id});
		push @bad, $id unless $get eq $want && $read eq $want;
	}
	is("@bad", '', "$label: every file (" . scalar(keys %owner_of) . ') read back byte-identical with media.get() and media.read()');
}
check_reads_sql('through the router');
my $some = (sort { $a <=> $b } grep { $owner_of{$_} eq 'user07' } keys %owner_of)[0];
is(rsql(qq{SET media.owner = 'user07'; SELECT status || ' ' || (headers->>'Content-Length') FROM media.http($some, 'bytes=0-99', NULL, 'GET')}),
	'206 100', 'media.http() with a Range through the router');
($rc, $out, $err) = $router->psql('postgres', qq{SET media.owner = 'user08'; SELECT media.get($some)});
like($err, qr/does not exist/, "another owner cannot read user07's file through the router");

# the router's privileges are pg_media's: writing needs a grant
rsql(q{CREATE ROLE app LOGIN; GRANT USAGE ON SCHEMA media TO app});
($rc, $out, $err) = $router->psql('postgres', q{SET media.owner = 'user09'; SELECT media.put('x'::bytea)},
	extra_params => [ '-U', 'app' ]);
like($err, qr/permission denied for function put/, 'a role without the grant cannot store through the router');
rsql(q{GRANT EXECUTE ON FUNCTION media.put(bytea, text, text, jsonb) TO app});
($rc, $out, $err) = $router->psql('postgres', q{SET media.owner = 'user09'; SELECT media.remove(media.put('x'::bytea))},
	extra_params => [ '-U', 'app' ]);
like($err, qr/permission denied for function remove/, 'granted put, it stores; remove still needs its own grant');

# --- attacks on owner isolation through the router (router-findings.md)
my $user01_file = (sort { $a <=> $b } grep { $owner_of{$_} eq 'user01' } keys %owner_of)[0];
# R1: reading needs USAGE on schema media; a role without it must not list an owner's files by
# calling the SECURITY DEFINER function behind the router's media.files view
rsql(q{CREATE ROLE outsider LOGIN});
($rc, $out, $err) = $router->psql('postgres',
	q{SET media.owner = 'user01'; SELECT count(*) FROM media_router.session_files()}, extra_params => [ '-U', 'outsider' ]);
like($err, qr/permission denied/, 'a role without USAGE on schema media cannot list an owner\'s files (media_router.session_files())')
  or diag("out: $out");
rsql(q{GRANT SELECT ON media.files TO app});
is($router->safe_psql('postgres', q{SET media.owner = 'user01'; SELECT count(*) FROM media.files}, extra_params => [ '-U', 'app' ]),
	$expected_count{user01}, 'a role granted USAGE on media and SELECT on media.files lists the owner\'s files');
# R2: an administrator's media.isolation = 'role' for a login role is not silently dropped on the
# router (which only knows media.owner): the role may not pick another owner with SET or -c
rsql(q{CREATE ROLE alice LOGIN; GRANT USAGE ON SCHEMA media TO alice; GRANT SELECT ON media.files TO alice;
	ALTER ROLE alice SET media.isolation = 'role'});
for my $try ([ 'SET', "SET media.owner = 'user01'; SET media.isolation = 'setting';", {} ],
	[ 'PGOPTIONS', '', { PGOPTIONS => '-c media.owner=user01 -c media.isolation=setting' } ])
{
	my ($how, $set, $env) = @$try;
	local %ENV = (%ENV, %$env);
	($rc, $out, $err) = $router->psql('postgres', "$set SELECT octet_length(media.get($user01_file))",
		extra_params => [ '-U', 'alice' ]);
	like($err, qr/media\.isolation/, "a role under media.isolation = 'role' cannot read another owner's file through the router ($how)")
	  or diag("out: $out");
	($rc, $out, $err) = $router->psql('postgres', "$set SELECT count(*) FROM media.files", extra_params => [ '-U', 'alice' ]);
	like($err, qr/media\.isolation/, "... nor list another owner's files ($how)") or diag("out: $out");
}
# ids with forged shard bits (negative, or a shard the router does not have) find no file
for my $forged ('-1', (5 << 52) + 1, '9223372036854775807')
{
	($rc, $out, $err) = $router->psql('postgres', "SET media.owner = 'user01'; SELECT media.get($forged)");
	like($err, qr/does not exist/, "a forged id $forged finds no file");
}

# --- pg_media serve against the router: every file by a signed URL of its owner
open my $kf, '>', "$tmp/keys" or die $!;
print $kf "$key\n";
close $kf;
chmod 0600, "$tmp/keys";
my $srv = start_server($router, $tmp, args => [ '--pool', '3', '--signing-keys', "$tmp/keys" ]);

sub check_serve
{
	my ($label) = @_;
	my $q = '';
	$q .= "SELECT $_, media.sign_url($_, '1 hour', NULL, '$owner_of{$_}');\n" for sort keys %owner_of;
	my @bad;
	for my $row (split /\n/, rsql($q))
	{
		my ($id, $path) = split /\|/, $row;
		my ($status, $h, $body) = curl_get("$srv->{base}$path");
		push @bad, "$id:$status" unless $status == 200 && $body eq $content{$id};
	}
	is("@bad", '', "$label: pg_media serve -d router serves every file byte-identical");
}
check_serve('before the move');

# --- move-owner
my $mover = 'user07';
my $from = rsql("SELECT media_router.owner_shard('$mover')");
my $to = ($from + 1) % 3;
my @moved_ids = sort { $a <=> $b } grep { $owner_of{$_} eq $mover } keys %owner_of;
shard_sql($from, "INSERT INTO media.quotas VALUES ('$mover', 10000000, 100, 'setting')");

is(rsql(qq{SET media.owner = '$mover'; SELECT media.set_public($moved_ids[1], true)}), 't', 'one of the files is public before the move');
# an upload in progress stops it before anything is copied
my $open = rsql(qq{SET media.owner = '$mover'; SELECT media.upload_begin('open.bin')});
($rc, $out, $err) = run_cli($router, [ 'move-owner', $mover, '--to', $to ]);
ok($rc == 3 && $err =~ /uploads in progress/, 'move-owner refuses while the owner has an upload in progress')
  or diag("rc $rc: $err");
($rc, $out, $err) = $router->psql('postgres', qq{SET media.owner = '$mover'; SELECT media.put('x'::bytea)});
like($err, qr/is being moved to shard $to/, 'writes of the owner wait during the move (55006)');
is(rsql(qq{SET media.owner = '$mover'; SELECT octet_length(media.get($moved_ids[0]))}), length($content{ $moved_ids[0] }),
	'reads of the owner go on during the move');
rsql(qq{SET media.owner = '$mover'; SELECT media.upload_abort($open)});

# a failure half-way: the target refuses the owner's last file
shard_sql($to, qq{
CREATE FUNCTION public.refuse_one() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN RAISE EXCEPTION 'refused by the test'; END \$\$;
CREATE TRIGGER refuse_one BEFORE INSERT ON media.files FOR EACH ROW WHEN (NEW.id = $moved_ids[-1])
    EXECUTE FUNCTION public.refuse_one();
});
($rc, $out, $err) = run_cli($router, [ 'move-owner', $mover, '--to', $to ]);
ok($rc == 1 && $err =~ /refused by the test/ && $err =~ /nothing was switched/,
	'a failure half-way (the target refuses a file): move-owner stops, nothing switched')
  or diag("rc $rc: $out $err");
is(shard_sql($from, "SELECT count(*) FROM media.files WHERE owner = '$mover'"), scalar @moved_ids,
	'after the failure every file is still on the source');
is(rsql("SELECT media_router.owner_shard('$mover')"), $from, 'and the router still sends the owner there');
check_reads_sql('after the failed move');
shard_sql($to, 'DROP TRIGGER refuse_one ON media.files');

# M1: the move is given up (media_router.move_cancel()) and the owner goes on: it removes a file
# and takes back the public flag of another, both already copied to the target by the failed
# run.  Run again later, the move must not bring those stale copies back.
is(rsql("SELECT media_router.move_cancel('$mover')"), 't', 'media_router.move_cancel() gives the move up');
my $gone = shift @moved_ids;
is(rsql(qq{SET media.owner = '$mover'; SELECT media.remove($gone)}), 't', 'after the cancel the owner removes a file the failed run had copied');
delete $content{$gone};
delete $owner_of{$gone};
is(rsql(qq{SET media.owner = '$mover'; SELECT media.set_public($moved_ids[0], false)}), 't',
	'and makes a file private again that was public when the failed run copied it');

# run again: completes, without copying twice what the first run copied
my $t1 = time;
($rc, $out, $err) = run_cli($router, [ 'move-owner', $mover, '--to', $to ]);
is($rc, 0, "move-owner $mover --to $to") or diag($err);
my $n = scalar @moved_ids;
my $again = $n - 2;
like($out, qr/$n files \(\d+ bytes\) from the other shards on shard $to, 2 copied by this run, verified; $n deleted on the old shards; ids unchanged/,
	"the second run copied only the file the first could not and the one changed since ($again were already there, unchanged)") or diag($out);
note('move-owner took ' . (time - $t1) . ' s');

$where = placement();
is(join(',', keys %{ $where->{$mover} }), $to, "all of $mover\'s files are on shard $to, none left on shard $from");
is(shard_sql($to, "SELECT string_agg(id::text, ',' ORDER BY id) FROM media.files WHERE owner = '$mover'"),
	join(',', @moved_ids), 'with the same ids');
is(shard_sql($from, "SELECT count(*) FROM media.blobs b WHERE NOT EXISTS (SELECT 1 FROM media.files f WHERE f.blob_id = b.id)"
	. " AND NOT EXISTS (SELECT 1 FROM media.uploads u WHERE u.blob_id = b.id)"), 0,
	'the source freed their content');
is(shard_sql($to, "SELECT count(*) FROM media.check_integrity()"), 0, 'the target passes media.check_integrity()');
is(shard_sql($to, "SELECT count(*) FROM media.files WHERE id = $gone"), 0, 'the file removed after the cancel is not on the target');
is(shard_sql($to, "SELECT is_public FROM media.files WHERE id = $moved_ids[0]"), 'f', 'the file made private after the cancel is still private');
is(shard_sql($to, "SELECT max_bytes FROM media.quotas WHERE owner = '$mover'") . '/'
	  . shard_sql($from, "SELECT count(*) FROM media.quotas WHERE owner = '$mover'"), '10000000/0',
	'the quota moved with the owner');
is(rsql("SELECT count(*) FROM media_router.moved_files WHERE shard = $to"), scalar @moved_ids,
	'the router routes the moved ids (which still name the old shard) to the new one');
check_reads_sql('after the move');
check_serve('after the move');

# new files of the moved owner go to the new shard, with ids that name it
my $new = rsql(qq{SET media.owner = '$mover'; SELECT media.put('after the move'::bytea)});
is($new >> 52, $to, 'a new file of the moved owner is stored on the new shard');
is(rsql(qq{SET media.owner = '$mover'; SELECT convert_from(media.get($new), 'UTF8')}), 'after the move', 'and reads back');

# media.files through the router: the owner's files, from its shard (what pg_media export reads)
is(rsql(qq{SET media.owner = '$mover'; SELECT count(*) FROM media.files}), scalar(@moved_ids) + 1,
	'media.files through the router lists the owner\'s files');
($rc, $out, $err) = run_cli($router, [ 'verify', '--owner', $mover ]);
is($rc, 0, 'pg_media verify --owner through the router') or diag($err);

# --- M2: a crash after the switch, before the originals are deleted (the old shard refuses the
# delete), then the owner removes a file on its new shard: the move run again finishes the
# cleanup and does not bring the removed file back from the old shard
my $crasher = 'user08';
my $c_from = rsql("SELECT media_router.owner_shard('$crasher')");
my $c_to = ($c_from + 1) % 3;
my @c_ids = sort { $a <=> $b } grep { $owner_of{$_} eq $crasher } keys %owner_of;
shard_sql($c_from, q{
CREATE FUNCTION public.refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'crash before the delete (test)'; END $$;
CREATE TRIGGER refuse_delete BEFORE DELETE ON media.files FOR EACH STATEMENT EXECUTE FUNCTION public.refuse_delete();
});
($rc, $out, $err) = run_cli($router, [ 'move-owner', $crasher, '--to', $c_to ]);
ok($rc != 0 && $err =~ /crash before the delete/, 'move-owner stopped after the switch, before deleting on the old shard')
  or diag("rc $rc: $out $err");
shard_sql($c_from, 'DROP TRIGGER refuse_delete ON media.files');
is(rsql("SELECT media_router.owner_shard('$crasher')"), $c_to, 'the owner was switched to the new shard');
my $c_gone = shift @c_ids;
is(rsql(qq{SET media.owner = '$crasher'; SELECT media.remove($c_gone)}), 't', 'the owner then removes a file (on the new shard)');
delete $content{$c_gone};
delete $owner_of{$c_gone};
($rc, $out, $err) = run_cli($router, [ 'move-owner', $crasher, '--to', $c_to ]);
is($rc, 0, 'move-owner run again after the crash') or diag($err);
is(shard_sql($c_from, "SELECT count(*) FROM media.files WHERE owner = '$crasher'"), 0,
	'it deleted what the crash left on the old shard');
is(shard_sql($c_to, "SELECT string_agg(id::text, ',' ORDER BY id) FROM media.files WHERE owner = '$crasher'"),
	join(',', @c_ids), 'and did not bring back the file removed after the switch');

# --- M3: two runs of move-owner for the same owner at once: no file lost or twice, and the owner
# can write afterwards
my $racer = 'user09';
my $r_to = (rsql("SELECT media_router.owner_shard('$racer')") + 1) % 3;
my @r_ids = sort { $a <=> $b } grep { $owner_of{$_} eq $racer } keys %owner_of;
my @runs;
for (1 .. 2)
{
	my ($o, $e) = ('', '');
	my $h = IPC::Run::start([ cli_path(), 'move-owner', '-h', $router->host, '-p', $router->port, '-d', 'postgres',
			$racer, '--to', $r_to ], '>', \$o, '2>', \$e, IPC::Run::timeout(120));
	push @runs, [ $h, \$o, \$e ];
}
my @r_rc;
for my $r (@runs)
{
	$r->[0]->finish;
	push @r_rc, $r->[0]->result(0);
	note("concurrent move-owner: exit " . $r_rc[-1] . ": ${ $r->[1] } ${ $r->[2] }");
}
ok((grep { $_ == 0 } @r_rc), 'of two concurrent move-owner runs for one owner, one ends the move (exits ' . join(',', @r_rc) . ')');
$where = placement();
is(join(',', map { "$_:$where->{$racer}{$_}" } sort keys %{ $where->{$racer} }), "$r_to:" . scalar(@r_ids),
	'each of its files is on the new shard once, none left elsewhere');
my $r_new = rsql(qq{SET media.owner = '$racer'; SELECT media.put('after two moves'::bytea)});
is($r_new >> 52, $r_to, 'the owner can write after the concurrent runs, on the new shard');
$content{$r_new} = 'after two moves';
$owner_of{$r_new} = $racer;
check_reads_sql('after the crash and the concurrent moves');

# --- M3b: a run that fails after another run switched the owner (emulated: the switch is made
# while the target holds the run's first copy for 3 s) says where the owner is now
my $late = 'user12';
my $s_from = rsql("SELECT media_router.owner_shard('$late')");
my $s_to = ($s_from + 1) % 3;
shard_sql($s_to, qq{
CREATE FUNCTION public.pause_refuse() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN PERFORM pg_sleep(3); RAISE EXCEPTION 'refused after a pause (test)'; END \$\$;
CREATE TRIGGER pause_refuse BEFORE INSERT ON media.files FOR EACH ROW WHEN (NEW.owner = '$late')
    EXECUTE FUNCTION public.pause_refuse();
});
my ($s_out, $s_err) = ('', '');
my $s_run = IPC::Run::start([ cli_path(), 'move-owner', '-h', $router->host, '-p', $router->port, '-d', 'postgres',
		$late, '--to', $s_to ], '>', \$s_out, '2>', \$s_err, IPC::Run::timeout(60));
sleep 1;
rsql("SELECT media_router.move_finish('$late', $s_to, '{}')");    # what the other run's switch does
$s_run->finish;
like($s_err, qr/the router sends the owner to shard $s_to\b/,
	'a run stopped after another run switched the owner names the shard the owner is on now') or diag($s_err);
shard_sql($s_to, 'DROP TRIGGER pause_refuse ON media.files');
($rc, $out, $err) = run_cli($router, [ 'move-owner', $late, '--to', $s_to ]);
is($rc, 0, 'run again, the move completes (the files follow the owner)') or diag($err);
check_reads_sql('after the emulated switch by another run');

# --- M5: the target already has another owner's file with the id of a file to move (two files
# with one id): move-owner stops and leaves that file alone
my $clash = 'user11';
my $k_to = (rsql("SELECT media_router.owner_shard('$clash')") + 1) % 3;
my $k_id = (sort { $a <=> $b } grep { $owner_of{$_} eq $clash } keys %owner_of)[0];
shard_sql($k_to, qq{INSERT INTO media.files SELECT (jsonb_populate_record(NULL::media.files,
    to_jsonb(f) || jsonb_build_object('id', ${k_id}::bigint))).* FROM media.files f
    WHERE f.owner <> '$clash' ORDER BY f.id LIMIT 1});
my $planted = shard_sql($k_to, "SELECT owner FROM media.files WHERE id = $k_id");
($rc, $out, $err) = run_cli($router, [ 'move-owner', $clash, '--to', $k_to ]);
ok($rc == 1 && $err =~ /has a file of another owner with this id/, 'move-owner stops on another owner\'s file with the same id')
  or diag("rc $rc: $out $err");
is(shard_sql($k_to, "SELECT owner FROM media.files WHERE id = $k_id"), $planted, 'and leaves that file as it was');
rsql("SELECT media_router.move_cancel('$clash')");
shard_sql($k_to, "DELETE FROM media.files WHERE id = $k_id");

# --- M4: a REPEATABLE READ router transaction whose snapshot is older than a move must not write
# the owner's new file on the old shard (where the owner's lists would never show it)
my $late_owner = 'user10';
my $l_from = rsql("SELECT media_router.owner_shard('$late_owner')");
my $l_to = ($l_from + 1) % 3;
my $session = $router->background_psql('postgres', on_error_stop => 0);
$session->query_safe(qq{BEGIN ISOLATION LEVEL REPEATABLE READ; SET LOCAL media.owner = '$late_owner'; SELECT 1});
($rc, $out, $err) = run_cli($router, [ 'move-owner', $late_owner, '--to', $l_to ]);
is($rc, 0, "move-owner $late_owner while a REPEATABLE READ transaction of the owner is open") or diag($err);
$session->query(q{SELECT media.put('written in an older snapshot'::bytea)});
like($session->{stderr}, qr/read committed/, 'its write through the router is refused (it would go by the old routing)');
$session->query('ROLLBACK');
$session->quit;
is(shard_sql($l_from, "SELECT count(*) FROM media.files WHERE owner = '$late_owner'"), 0,
	'and no file of the owner was written on the old shard');

stop_server($srv);
done_testing();
