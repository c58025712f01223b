# The TAP part of `make installcheck` against a running server (the one PGHOST/PGPORT name):
# the extension installs in a scratch database, stores a file and reads it back.
# It uses plain Test::More, since PostgreSQL::Test::Utils clears PGHOST and PGPORT.
use strict;
use warnings;
use Test::More;

my $db = "pg_media_installcheck_$$";
sub psql { my ($sql, $dbname) = @_;
  my $out = qx(psql -X -At -v ON_ERROR_STOP=1 -d '$dbname' -c "$sql" 2>&1);
  chomp $out; return ($? == 0, $out); }

my ($ok, $out) = psql('SELECT 1', 'postgres');
plan skip_all => "no server to install-check against: $out" unless $ok;
# pg_media refuses to work unless the server preloads it (README "Install")
($ok, $out) = psql('SHOW shared_preload_libraries', 'postgres');
plan skip_all => "the server does not preload pg_media (shared_preload_libraries = '$out'): "
  . "add shared_preload_libraries = 'pg_media' to its postgresql.conf and restart it"
  unless $ok && grep { $_ eq 'pg_media' } map { s/^\s+|\s+$//gr =~ s/^"|"$//gr } split /,/, $out;

ok((psql("CREATE DATABASE $db", 'postgres'))[0], 'scratch database created');
($ok, $out) = psql('CREATE EXTENSION pg_media; SELECT extversion FROM pg_extension WHERE extname = \'pg_media\'', $db);
ok($ok, "CREATE EXTENSION pg_media in the running server ($out)");
# two statements: get() is STABLE, so within put()'s statement it would not see the new row
($ok, $out) = psql("SELECT media.put('hello installcheck'::bytea, 'a.txt')", $db);
like($out, qr/^\d+$/, "a file stored (id $out)");
my $id = $out;
($ok, $out) = psql("SELECT encode(media.get($id), 'escape')", $db);
is($out, 'hello installcheck', 'and read back');
($ok, $out) = psql('SELECT count(*) FILTER (WHERE ok) || \'/\' || count(*) FROM media.verify()', $db);
is($out, '1/1', 'verify finds the file intact');
ok((psql("DROP DATABASE $db", 'postgres'))[0], 'scratch database dropped');
done_testing();
