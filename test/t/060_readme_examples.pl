# The README's application examples, run as an application team would: the Flask and psycopg
# example (taken from README.md as written, driven by Flask's test client) stores a file under
# media.isolation = 'setting' for one signed-in user and serves it back, the file survives the
# connection (it was committed), and only that user sees it. test/t/054_app_video.pl runs the
# same example, and the Express one, as servers with a 200 MB video in Chromium.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgMediaTest;

my $src = $ENV{PG_MEDIA_SRC} // '.';
# the README whose examples run (another one only to try new examples before they are merged)
my $readme = $ENV{PG_MEDIA_README} // "$src/README.md";
my $python = '/usr/bin/python3';
plan skip_all => 'python3-psycopg, python3-psycopg-pool or python3-flask is not installed'
  unless system($python, '-c', 'import psycopg, psycopg_pool, flask') == 0;

my $node = media_node('readme');
$node->safe_psql('postgres', q{
  CREATE ROLE regress_webapp LOGIN;
  GRANT USAGE ON SCHEMA media TO regress_webapp;
  GRANT SELECT ON media.files TO regress_webapp;
  GRANT EXECUTE ON FUNCTION media.upload_begin(text, text, jsonb), media.upload_append(bigint, bytea),
    media.upload_finish(bigint) TO regress_webapp;
  ALTER ROLE regress_webapp SET media.isolation = 'setting';
});
my $png = pack('H*', '89504e470d0a1a0a0000000d49484452000000030000000208020000001216f14d0000001c49444154789c6360d008a85870e283840303bb7e78fdf2f3dfe5dd01450f0780be6add9d0000000049454e44ae426082');
my $file = PostgreSQL::Test::Utils::tempdir() . '/avatar.png';
open(my $fh, '>:raw', $file) or die $!;
print $fh $png;
close $fh;

my $conninfo = $node->connstr('postgres') . ' user=regress_webapp';
my ($out, $err) = run_python($readme, 'user-42', $file);
like($out, qr/^(\d+) 200 ${\ length($png)}$/, "the README's Flask and psycopg example stores and serves the file ($out)")
  or diag($err);
my ($id) = $out =~ /^(\d+)/;
$id //= 0;

# committed: another connection sees it, as user-42 only
is($node->safe_psql('postgres', "SELECT owner || ' ' || byte_size FROM media.files WHERE id = $id"),
	'user-42 ' . length($png), 'the upload was committed, owned by the signed-in user');
is($node->safe_psql('postgres', "BEGIN; SELECT set_config('media.owner', 'user-7', true); "
	  . "SELECT count(*) FROM media.files WHERE id = $id; COMMIT",
	  extra_params => [ '-U', 'regress_webapp' ]),
	"user-7\n0", 'another user of the app does not see it');

# the statement the README warns about: SET LOCAL takes no parameters in psycopg 3
my ($o, $e) = run_python_code($conninfo,
	'with conn.transaction(): conn.execute("SET LOCAL media.owner = %s", ("user-42",))');
like($e, qr/syntax error/, 'SET LOCAL media.owner = %s is a syntax error with psycopg 3, as the README says');

$node->stop;
done_testing();

# Runs test/apps/readme_python.py as regress_webapp; returns (stdout, stderr).
sub run_python
{
	my @args = @_;
	my ($stdout, $stderr) = ('', '');
	local %ENV = (%ENV, PGHOST => $node->host, PGPORT => $node->port, PGDATABASE => 'postgres',
		PGUSER => 'regress_webapp');
	IPC::Run::run([ $python, "$src/test/apps/readme_python.py", @args ], '>', \$stdout, '2>', \$stderr);
	chomp $stdout;
	return ($stdout, $stderr);
}

# Runs a few lines of Python with conn connected; returns (stdout, stderr).
sub run_python_code
{
	my ($conninfo, $code) = @_;
	my ($stdout, $stderr) = ('', '');
	IPC::Run::run([ $python, '-c', "import sys, psycopg\nconn = psycopg.connect(sys.argv[1])\n$code", $conninfo ],
		'>', \$stdout, '2>', \$stderr);
	return ($stdout, $stderr);
}
