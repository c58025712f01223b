# pg_media serve as a browser sees it: headless Chromium (Debian's
# chromium, driven by playwright-core from test/cli) loads a page of <img>
# and <video> elements served by `pg_media serve`; every image must decode
# at the size pg_media probed, every video must load and seek, the access
# log must show 206 answers to the video's range requests, and a
# screenshot is saved under the test's tmp_check directory.
use strict;
use warnings;
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
BEGIN { unshift @INC, "$ENV{PG_MEDIA_SRC}/test/cli"; }
use CliTest;

my $src = $ENV{PG_MEDIA_SRC};
my $chromium = $ENV{CHROMIUM} // '/usr/bin/chromium';
plan skip_all => "no Chromium at $chromium (apt-get install chromium, or cli/install-deps.sh)"
  unless -x $chromium;
plan skip_all => 'node is not installed' unless have_program('node');
plan skip_all => 'playwright-core needs node 20 or later'
  unless system('node', '-e', 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)') == 0;
plan skip_all => 'playwright-core is not installed in test/cli (cli/install-deps.sh runs npm ci there)'
  unless -d "$src/test/cli/node_modules/playwright-core";

my $node = PostgreSQL::Test::Cluster->new('cli_browser');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'pg_media'\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION pg_media');
my $tmp = PostgreSQL::Test::Utils::tempdir;

sub sql { return $node->safe_psql('postgres', $_[0]); }

# images made here (sizes known) and, when the corpus is there, a JPEG and two videos
mkdir "$tmp/media";
my %want = ('red.png' => [ 120, 80 ], 'green.png' => [ 33, 77 ], 'blue.png' => [ 300, 20 ]);
my %colour = ('red.png' => [ 220, 40, 40 ], 'green.png' => [ 40, 200, 60 ], 'blue.png' => [ 40, 60, 220 ]);
for my $f (keys %want)
{
	open my $fh, '>:raw', "$tmp/media/$f" or die $!;
	print $fh make_png(@{ $want{$f} }, @{ $colour{$f} });
	close $fh;
}
my $corpus = ($ENV{PG_MEDIA_CORPUS} // '/work/shared/corpus') . '/golang-github-gabriel-vasile-mimetype-dev';
my @videos;
if (-r "$corpus/webm.webm" && -r "$corpus/mp4.mp4")
{
	for my $f (qw(jpg.jpg webm.webm mp4.mp4))
	{
		open my $in, '<:raw', "$corpus/$f" or die $!;
		open my $out, '>:raw', "$tmp/media/$f" or die $!;
		local $/;
		print {$out} <$in>;
	}
}
else
{
	diag("the corpus ($corpus) is absent: the video part is skipped");
}
my ($rc, $out, $err) = run_cli($node, [ 'import', '--map-table', 'served', "$tmp/media" ]);
is($rc, 0, 'the images and videos are imported') or diag($err);
my %id = map { my ($p, $i) = split /\|/; $p =~ s{.*/}{}; ($p => $i) }
  split /\n/, sql('SELECT path, file_id FROM served');
my @images = grep { /\.(png|jpg)$/ } sort keys %id;
@videos = grep { /\.(webm|mp4)$/ } sort keys %id;

my $srv = start_server($node, $tmp);
my $spec = encode_json({ images => [ map { $id{$_} + 0 } @images ],
		videos => [ map { $id{$_} + 0 } @videos ] });
my $shot = "$PostgreSQL::Test::Utils::tmp_check/cli_browser.png";
my ($nout, $nerr) = ('', '');
my $ok = IPC::Run::run([ 'node', "$src/test/cli/browser.mjs", $srv->{base}, $spec, $shot ],
	'>', \$nout, '2>', \$nerr, IPC::Run::timeout(120));
ok($ok, 'headless Chromium ran the page') or diag("$nout\n$nerr");
my ($json) = $nout =~ /^(\{.*\})$/m;
my $res = $json ? decode_json($json) : { images => {}, videos => {}, errors => ['no result'] };
is_deeply($res->{errors}, [], 'no page errors');

for my $f (@images)
{
	my $dims = sql("SELECT width || 'x' || height FROM media.files WHERE id = $id{$f}");
	my $got = $res->{images}{ $id{$f} } // {};
	is(($got->{w} // 0) . 'x' . ($got->{h} // 0), $dims,
		"$f decodes in the browser at the size pg_media stored ($dims)");
	is($dims, join('x', @{ $want{$f} }), "and that is the size it was made with") if $want{$f};
}

SKIP:
{
	skip 'no videos (corpus absent)', 4 * 2 + 1 unless @videos;
	for my $f (@videos)
	{
		my $v = $res->{videos}{ $id{$f} } // {};
		ok(!$v->{error} && $v->{duration} && $v->{duration} > 0, "$f loads in the browser (duration $v->{duration})")
		  or diag(encode_json($v));
		ok($v->{seeked}, "$f seeks");
		ok(abs(($v->{currentTime} // -1) - ($v->{target} // 0)) < 0.5, "$f is at the time it was seeked to");
		my $dims = sql("SELECT width || 'x' || height FROM media.files WHERE id = $id{$f}");
		is(($v->{width} // 0) . 'x' . ($v->{height} // 0), $dims, "$f plays at the size pg_media probed");
	}
	my $log = slurp_file($srv->{log});
	my $ranges = () = $log =~ m{ GET /media/(?:@{[ join '|', map { $id{$_} } @videos ]}) "bytes=[^"]*" 206 }g;
	ok($ranges >= scalar(@videos), "the videos were fetched with range requests answered 206 ($ranges)");
}

ok(-s $shot && slurp_file($shot) =~ /^\x89PNG/, "a screenshot was saved ($shot)");
is(stop_server($srv), 0, 'the server stops cleanly');
$node->stop;
done_testing();
