# CliTest.pm - helpers shared by the TAP tests of the pg_media command-line
# tool (test/t/05x_cli*.pl): running it against a PostgreSQL::Test::Cluster,
# making small images, starting `pg_media serve` and asking it with curl.
package CliTest;

use strict;
use warnings;
use Exporter 'import';
use Compress::Zlib ();
use File::Temp ();
use IPC::Run ();
use Time::HiRes qw(usleep);
use Test::More;

our @EXPORT = qw(cli_path run_cli make_png start_server stop_server curl_get have_program
  create_app_role);

my $src = $ENV{PG_MEDIA_SRC} or die "PG_MEDIA_SRC is not set";
my @servers;    # harnesses of servers started, stopped at exit if a test dies

END
{
	for my $h (@servers)
	{
		eval { $h->kill_kill(grace => 5) if $h->pumpable; };
	}
}

# The pg_media program: the one built in cli/, else the one on the PATH.
sub cli_path
{
	return "$src/cli/pg_media" if -x "$src/cli/pg_media";
	for my $dir (split /:/, $ENV{PATH})
	{
		return "$dir/pg_media" if -x "$dir/pg_media";
	}
	die "pg_media is not built: run make -C cli";
}

# Is a program on the PATH?
sub have_program
{
	my ($name) = @_;
	for my $dir (split /:/, $ENV{PATH})
	{
		return 1 if -x "$dir/$name";
	}
	return 0;
}

# Runs pg_media with the node's connection options; returns (exit code, stdout, stderr).
# %opts: stdin => string, timeout => seconds, env => {NAME => value}.
sub run_cli
{
	my ($node, $args, %opts) = @_;
	my ($out, $err) = ('', '');
	my $in = $opts{stdin} // '';
	my @cmd = (cli_path(), @$args);
	# connection options after the subcommand (all subcommands take them)
	splice @cmd, 2, 0, '-h', $node->host, '-p', $node->port, '-d', 'postgres'
	  if @$args && $args->[0] !~ /^-/ && !$opts{no_conn};
	local %ENV = (%ENV, %{ $opts{env} // {} });
	IPC::Run::run(\@cmd, '<', \$in, '>', \$out, '2>', \$err,
		IPC::Run::timeout($opts{timeout} // 120));
	return ($? >> 8, $out, $err);
}

# A PNG of w x h pixels of one colour (8-bit RGB), made with zlib.
sub make_png
{
	my ($w, $h, $r, $g, $b) = @_;
	my $chunk = sub {
		my ($type, $data) = @_;
		return pack('N', length $data) . $type . $data
		  . pack('N', Compress::Zlib::crc32($type . $data));
	};
	my $row = "\0" . (pack('CCC', $r, $g, $b) x $w);
	my $idat = Compress::Zlib::compress($row x $h);
	return "\x89PNG\r\n\x1a\n"
	  . $chunk->('IHDR', pack('NNCCCCC', $w, $h, 8, 2, 0, 0, 0))
	  . $chunk->('IDAT', $idat)
	  . $chunk->('IEND', '');
}

# Starts `pg_media serve` on a free port; returns a hash with the harness,
# base URL, access log path and a ref to its stderr.  Waits until it listens.
sub start_server
{
	my ($node, $tmp, %opts) = @_;
	my $port = PostgreSQL::Test::Cluster::get_free_port();
	my $log = "$tmp/access-$port.log";
	my $err = '';
	my $out = '';
	my @cmd = (cli_path(), 'serve', '-h', $node->host, '-p', $node->port, '-d', 'postgres',
		'--listen', "127.0.0.1:$port", '--access-log', $log, @{ $opts{args} // [] });
	local %ENV = (%ENV, %{ $opts{env} // {} });
	my $h = IPC::Run::start(\@cmd, '<', \undef, '>', \$out, '2>', \$err,
		IPC::Run::timeout(300));
	for (1 .. 200)
	{
		$h->pump_nb;
		last if $err =~ /listening on/;
		last unless $h->pumpable;
		usleep(50_000);
	}
	push @servers, $h;
	die "pg_media serve did not start: $err" unless $err =~ /listening on/;
	return { h => $h, base => "http://127.0.0.1:$port", log => $log, err => \$err, port => $port };
}

# Stops the server with a signal (TERM by default) and returns its exit code.
sub stop_server
{
	my ($srv, $signal) = @_;
	$srv->{h}->signal($signal // 'TERM');
	$srv->{h}->finish;
	return $? >> 8;
}

# Makes the login role "app" of an application that serves many owners with one role:
# "setting" isolation (media.owner names the owner), reading media.files, signing URLs.
sub create_app_role
{
	my ($node) = @_;
	$node->safe_psql('postgres', q{
CREATE ROLE app LOGIN;
ALTER ROLE app SET media.isolation = 'setting';
GRANT USAGE ON SCHEMA media TO app;
GRANT SELECT ON media.files TO app;
GRANT EXECUTE ON FUNCTION media.sign_url(bigint, interval, text, text) TO app;
});
	return;
}

# GET (or another method) with curl; returns (status, {lower-case header => value}, body).
# @extra: more curl arguments (e.g. -H 'Range: bytes=0-9', -I).
sub curl_get
{
	my ($url, @extra) = @_;
	my ($out, $err) = ('', '');
	my ($fh, $bodyfile) = File::Temp::tempfile(UNLINK => 1);
	close $fh;
	IPC::Run::run([ 'curl', '-sS', '--noproxy', '*', '-D', '-', '-o', $bodyfile,
			'--max-time', '60', @extra, $url ],
		'>', \$out, '2>', \$err, IPC::Run::timeout(90));
	note("curl $url: $err") if $err ne '';
	my %headers;
	my $status = 0;
	for my $line (split /\r?\n/, $out)
	{
		if ($line =~ m{^HTTP/\S+ (\d+)})
		{
			$status = $1;
			%headers = ();
		}
		elsif ($line =~ /^([^:]+):\s*(.*)$/)
		{
			$headers{ lc $1 } = $2;
		}
	}
	open my $in, '<:raw', $bodyfile or die $!;
	local $/;
	my $body = <$in> // '';
	close $in;
	unlink $bodyfile;
	return ($status, \%headers, $body);
}

1;
