# Issue 15: signed URLs and transforms by URL on pg_media serve, over real HTTP with curl.
#   - serve runs as one application role under "setting" isolation; a URL signed by
#     media.sign_url(id, expires_in, variant, owner) is served as media.owner = owner: a private
#     file with no application route (200), expired (403), each field altered (403), owner A's
#     URL cannot read owner B's file, the owner never leaks to the next request on the pooled
#     connection, key rotation (two keys valid, then the old one removed), the key file's mode,
#     --signing-keys-from-db, --require-signed, and PGOPTIONS cannot change the keys;
#   - /media/{id}/w_W,h_H,c_..,f_..: the natural sizes of the images (decoded here), f_auto by
#     Accept with "Vary: Accept" (on 200, 304 and 406), the derivative's ETag and 304, the
#     allow-list (400), and the caching rules (private; a signed URL's max-age within its validity);
#   - the same transforms as query parameters (/media/{id}?w=..&h=..&c=..&f=..): the same
#     answer, ETag and signature as the path form; unknown or repeated parameters: 400;
#   - /media/{id}/thumbnail honours signatures (as the transform w_W,h_H,f_jpeg) and
#     --require-signed like /media/{id}.
use strict;
use warnings;
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PgMediaTest;
BEGIN { unshift @INC, "$ENV{PG_MEDIA_SRC}/test/cli"; }
use CliTest;

plan skip_all => 'curl is not installed (apt-get install curl, or cli/install-deps.sh)'
  unless have_program('curl');

my $k1 = 'k1:first-secret-0123456789abcdef';
my $k2 = 'k2:second-secret-0123456789abcdef';
my $node = media_node('cli_signed',
	conf => "media.thumbnail_sizes = '320x320,64x64'\nmedia.url_signing_keys = '$k1'\n");
my $tmp = PostgreSQL::Test::Utils::tempdir;
sub sql { return $node->safe_psql('postgres', $_[0]); }

create_app_role($node);

# the application's SQL: as app, under setting isolation
sub app_sql
{
	my ($sql, %o) = @_;
	my ($out, $err);
	local $ENV{PGOPTIONS} = $o{pgoptions} if defined $o{pgoptions};
	my $rc = $node->psql('postgres', $sql, stdout => \$out, stderr => \$err,
		connstr => $node->connstr('postgres') . ' user=app');
	return wantarray ? ($rc, $out, $err) : $out;
}

# a file of owner (hex literal), stored the way the application would store it
sub put_as
{
	my ($owner, $bytes, $name) = @_;
	my $hex = unpack('H*', $bytes);
	return sql("SET media.isolation = 'setting'; SET media.owner = '$owner';"
		  . " SELECT media.put('\\x$hex'::bytea, '$name')");
}

my $photo = make_png(400, 300, 200, 30, 30);
my $alice_img = put_as('alice', $photo, 'alice.png');
my $bob_img = put_as('bob', make_png(50, 40, 10, 200, 10), 'bob.png');
my $big = PgMediaTest::gen_bytes('signed', 5 * 1024 * 1024 + 333);
my $alice_big = put_as('alice', $big, 'big.bin');

sub sign { return scalar app_sql("SELECT media.sign_url($_[0])"); }

# the natural size of a PNG, JPEG, WebP or AVIF image: (type, width, height)
sub image_size
{
	my ($b) = @_;
	return ('png', unpack('NN', substr($b, 16, 8))) if substr($b, 0, 8) eq "\x89PNG\r\n\x1a\n";
	if (substr($b, 0, 2) eq "\xFF\xD8")
	{
		my $i = 2;
		while ($i + 9 < length $b)
		{
			my ($marker, $len) = unpack('xCn', substr($b, $i, 4));
			return ('jpeg', reverse unpack('nn', substr($b, $i + 5, 4)))
			  if $marker >= 0xC0 && $marker <= 0xCF && $marker != 0xC4 && $marker != 0xC8 && $marker != 0xCC;
			$i += 2 + $len;
		}
		return ('jpeg', 0, 0);
	}
	if (substr($b, 0, 4) eq 'RIFF' && substr($b, 8, 4) eq 'WEBP')
	{
		my $fourcc = substr($b, 12, 4);
		if ($fourcc eq 'VP8 ')
		{
			my ($w, $h) = unpack('vv', substr($b, 26, 4));
			return ('webp', $w & 0x3FFF, $h & 0x3FFF);
		}
		if ($fourcc eq 'VP8L')
		{
			my $bits = unpack('V', substr($b, 21, 4));
			return ('webp', ($bits & 0x3FFF) + 1, (($bits >> 14) & 0x3FFF) + 1);
		}
		if ($fourcc eq 'VP8X')
		{
			my @w = unpack('C6', substr($b, 24, 6));
			return ('webp', 1 + ($w[0] | $w[1] << 8 | $w[2] << 16), 1 + ($w[3] | $w[4] << 8 | $w[5] << 16));
		}
	}
	if (substr($b, 4, 8) eq 'ftypavif' && (my $at = index($b, 'ispe')) > 0)
	{
		return ('avif', unpack('NN', substr($b, $at + 8, 8)));
	}
	return ('unknown', 0, 0);
}

# a key file of mode 600
sub key_file
{
	my ($name, $text) = @_;
	my $path = "$tmp/$name";
	open my $fh, '>', $path or die $!;
	print $fh $text;
	close $fh;
	chmod 0600, $path;
	return $path;
}
my $keys_k1 = key_file('k1.keys', "# the keys of pg_media serve\n$k1\n");

my $srv = start_server($node, $tmp, args => [ '-U', 'app', '--pool', '1', '--signing-keys', $keys_k1 ]);
my $base = $srv->{base};
unlike(${ $srv->{err} }, qr/warning: media.isolation/, 'serve as app (setting isolation) does not warn about isolation');

# --- a private file through a signed URL -------------------------------------------------------
my $url = sign("$alice_img, '1 hour', owner => 'alice'");
like($url, qr{^/media/$alice_img\?exp=\d+&own=alice&kid=k1&sig=[\w-]{43}$}, "media.sign_url(): $url");
my ($status, $h, $body) = curl_get("$base$url");
is($status, 200, 'a private file through its signed URL: 200');
ok($body eq $photo, 'the body is the stored file');
like($h->{'cache-control'}, qr/^private, max-age=(\d+)$/, "Cache-Control of a signed private file: $h->{'cache-control'}");
my ($age) = ($h->{'cache-control'} // '') =~ /max-age=(\d+)/;
ok(defined $age && $age <= 3600 && $age >= 3500, 'max-age is within the URL\'s remaining validity');
($status) = curl_get("$base/media/$alice_img");
is($status, 404, 'the same file without a signature: 404 (the owner did not leak on the pooled connection)');
($status, $h) = curl_get("$base$url", '-I');
is($status, 200, 'HEAD through a signed URL: 200');
my $big_url = sign("$alice_big, '1 hour', owner => 'alice'");
($status, $h, $body) = curl_get("$base$big_url");
ok($status == 200 && $body eq $big, 'a 5 MB file streamed in chunks, each read as the signed owner');
($status, $h, $body) = curl_get("$base$big_url", '-H', 'Range: bytes=4200000-5300000');
ok($status == 206 && $body eq substr($big, 4200000, 1100001), 'a range of it: 206 with the right bytes');
($status) = curl_get("$base/media/$alice_big", '-H', 'Range: bytes=4200000-5300000');
is($status, 404, 'and unsigned: 404');

# --- altered and expired URLs: 403 -------------------------------------------------------------
my %tampered = (
	'the signature' => $url =~ s/sig=(.)/'sig=' . ($1 eq 'A' ? 'B' : 'A')/er,
	'the id' => $url =~ s{/media/$alice_img}{'/media/' . $bob_img}er,
	'the owner' => $url =~ s/own=alice/own=bob/r,
	'the owner, dropped' => $url =~ s/own=alice&//r,
	'exp, later' => $url =~ s/exp=(\d+)/'exp=' . ($1 + 3600)/er,
	'the key id' => $url =~ s/kid=k1/kid=k9/r,
	'a variant added' => $url =~ s{\?}{/w_64,h_64,c_fill?}r,
	'no exp' => $url =~ s/exp=\d+&//r);
for my $what (sort keys %tampered)
{
	($status, $h, $body) = curl_get("$base$tampered{$what}");
	is($status, 403, "$what altered: 403 ($body)" =~ s/\n//r);
}
my $short = sign("$alice_img, '1 second', owner => 'alice'");
($status) = curl_get("$base$short");
is($status, 200, 'a URL valid for 1 second works at once');
sleep 3;
($status, $h, $body) = curl_get("$base$short");
is($status, 403, 'and is refused once expired: 403');
like($body, qr/expired/, 'the answer says it expired');

# --- owners ------------------------------------------------------------------------------------
($status) = curl_get("$base" . sign("$bob_img, '1 hour', owner => 'alice'"));
is($status, 404, 'owner alice\'s signed URL for bob\'s file: 404 (alice cannot see it)');
($status, $h, $body) = curl_get("$base" . sign("$bob_img, '1 hour', owner => 'bob'"));
is($status, 200, 'bob\'s signed URL for his file: 200');
($status) = curl_get("$base" . sign("$alice_img, '1 hour'"));
is($status, 404, 'a signed URL without an owner does not reach a private file: 404');

# --- transforms by URL -------------------------------------------------------------------------
my $v_url = sign("$alice_img, '1 hour', 'w=320,h=320,resize=cover,format=png', 'alice'");
like($v_url, qr{^/media/$alice_img/w_320,h_320,c_cover,f_png\?}, "a signed transform URL: $v_url");
($status, $h, $body) = curl_get("$base$v_url");
is($status, 200, 'a signed transform: 200');
# never enlarged: the 400x300 source covers the 320x320 box as 320x300 (cropped, not scaled up)
is(join('x', image_size($body)), 'pngx320x300', 'w_320,h_320,c_cover,f_png: a 320x300 PNG');
my $etag = $h->{etag};
my $get_length = length $body;
($status, $h) = curl_get("$base$v_url", '-I');
is("$status $h->{'content-length'}", "200 $get_length", 'HEAD of the transform: 200 with the Content-Length of its GET');
like($etag // '', qr{^W/"[0-9a-f]{64}"$}, 'the weak ETag of the derivative');
($status, $h, $body) = curl_get("$base$v_url", '-H', "If-None-Match: $etag");
is($status, 304, 'If-None-Match with it: 304');
is($body, '', 'no body');
ok(!defined $h->{'content-length'}, 'a 304 has no Content-Length');
my %sizes = ('w_320,h_320' => 'jpegx320x240', 'w_320,h_320,c_fill,f_webp' => 'webpx320x300', 'w_64,h_64,c_fill,f_webp' => 'webpx64x64',
	'w_64,h_64,c_cover,g_attention,f_png' => 'pngx64x64', 'w_64,h_64,f_jpeg,q_50' => 'jpegx64x48');
for my $spec (sort keys %sizes)
{
	# the file's own signed URL with the transform put in its path
	my $u = $url =~ s{\?}{/$spec?}r;
	my $signed = app_sql("SELECT media.sign_url($alice_img, '1 hour', '"
		  . ($spec =~ s/c_/resize=/r =~ s/g_/gravity=/r =~ s/f_/format=/r =~ s/q_/q=/r =~ s/([wh])_/$1=/gr)
		  . "', 'alice')");
	($status, $h, $body) = curl_get("$base$signed");
	is($status . ' ' . join('x', image_size($body)), "200 $sizes{$spec}", "$spec: $sizes{$spec}");
	($status) = curl_get("$base$u");
	is($status, 403, "$spec: the file's own signature does not cover the transform: 403");
}
# f_auto: by Accept, with Vary
my $auto = sign("$alice_img, '1 hour', 'w=320,h=320,format=auto', 'alice'");
like($auto, qr{/w_320,h_320,c_contain,f_auto\?}, 'f_auto is in the signed URL');
for my $case ([ 'image/avif,image/webp,image/apng,image/*,*/*;q=0.8', 'avif', 'image/avif' ],
	[ 'image/webp,*/*', 'webp', 'image/webp' ], [ '*/*', 'jpeg', 'image/jpeg' ])
{
	my ($accept, $kind, $type) = @$case;
	($status, $h, $body) = curl_get("$base$auto", '-H', "Accept: $accept");
	my ($got, $w, $hh) = image_size($body);
	is("$status $h->{'content-type'} $got ${w}x$hh", "200 $type $kind 320x240", "f_auto with Accept: $accept gives $type 320x240");
	is($h->{vary} // '', 'Accept', 'Vary: Accept');
}
($status, $h) = curl_get("$base$auto", '-H', 'Accept: text/html');
is($status, 406, 'f_auto with an Accept of none of the formats: 406');
is($h->{vary} // '', 'Accept', 'the 406 says Vary: Accept too');
($status, $h) = curl_get("$base$auto", '-H', 'Accept: image/webp,*/*');
my $webp_etag = $h->{etag} // '';
($status, $h) = curl_get("$base$auto", '-H', 'Accept: image/webp,*/*', '-H', "If-None-Match: $webp_etag");
is("$status " . ($h->{vary} // ''), '304 Accept', 'a 304 of f_auto says Vary: Accept');
($status, $h) = curl_get("$base" . $auto =~ s{\?}{x?}r);
is("$status " . ($h->{vary} // ''), '400 ', 'an invalid transform (f_autox) has no Vary');

# --- transforms by query parameters: the same answer as the path form ---------------------------
my $v_query = $v_url =~ s/^[^?]*\?//r;
my $q_url = "/media/$alice_img?w=320&h=320&c=cover&f=png&$v_query";
($status, $h, $body) = curl_get("$base$q_url");
is("$status " . join('x', image_size($body)), '200 pngx320x300', 'the query form, with the path form\'s signature: a 320x300 PNG');
is($h->{etag} // '', $etag, 'the same ETag as the path form');
($status, $h) = curl_get("$base/media/$alice_img?f=png&h=320&c=cover&w=320&$v_query", '-H', "If-None-Match: $etag");
is($status, 304, 'in another order, If-None-Match with the path form\'s ETag: 304');
($status, $h, $body) = curl_get("$base/media/$alice_img?w=64&h=64&" . ($url =~ s/^[^?]*\?//r));
is($status, 403, 'the file\'s own signature does not cover a query transform: 403');
($status, $h, $body) = curl_get("$base/media/$alice_img?w=320&h=320&f=auto&" . ($auto =~ s/^[^?]*\?//r), '-H', 'Accept: image/webp');
is("$status $h->{'content-type'} " . ($h->{vary} // ''), '200 image/webp Accept', '?f=auto with the signature of f_auto: WebP by Accept, Vary: Accept');
for my $case ([ 'w=320&h=320&w=64', qr/"w" is given twice/ ], [ 'w=320&h=320&x=1', qr/unknown query parameter "x"/ ],
	[ 'w=320&h=320&c=stretch', qr/invalid transform/ ], [ 'w=320', qr/invalid transform/ ],
	[ 'w=320,q_5&h=320', qr/letters and digits/ ], [ 'w=&h=320', qr/letters and digits/ ])
{
	($status, $h, $body) = curl_get("$base/media/$alice_img?$case->[0]");
	ok($status == 400 && $body =~ $case->[1], "?$case->[0]: 400 ($body)" =~ s/\n//r);
}
($status, $h, $body) = curl_get("$base/media/$alice_img/w_320,h_320?w=64&h=64");
is($status, 400, 'a transform in both the path and the query: 400');
($status, $h, $body) = curl_get("$base$url&exp=1");
ok($status == 400 && $body =~ /"exp" is given twice/, 'a signed URL with exp twice: 400');
($status) = curl_get("$base" . $url =~ s/\?/?v=2&/r);
is($status, 200, 'a plain file URL ignores an unknown parameter (cache-busting ?v=2): 200');

# red team (session 18): parameter smuggling, and what the signature covers
for my $case ([ 'w=9999999999999999&h=320', 'a huge width' ], [ 'w=-320&h=320', 'a negative width' ],
	[ 'w=320%2Ch_64&h=320', 'an encoded comma in a value' ],
	[ 'w=320&h=320&c=cover%26w%3D64', 'an encoded & and = in a value' ],
	[ 'w=320&h=320&W=64', 'a key in another case' ], [ 'w=320&h=320&w', 'a key without a value, twice' ])
{
	($status, undef, $body) = curl_get("$base/media/$alice_img?$case->[0]");
	is($status, 400, "$case->[1] (?$case->[0]): 400");
}
for my $path ('w_99999999999999999999,h_320', 'w_-320,h_320', 'w_320,h_320,w_64', 'w_320,,h_320')
{
	($status) = curl_get("$base/media/$alice_img/$path");
	is($status, 400, "the path transform $path: 400");
}
($status) = curl_get("$base/media/$alice_img?w=320&h=320&c=cover&g=attention&f=png&$v_query");
is($status, 403, 'a signed transform with a gravity added: 403 (the signature covers what is computed)');
($status) = curl_get("$base/media/$alice_img?w=320&h=320&f=auto&q=50&" . ($auto =~ s/^[^?]*\?//r), '-H', 'Accept: image/webp');
is($status, 403, 'a signed f_auto transform with q added: 403');
($status, $h) = curl_get("$base/media/$alice_img?w=320&h=320&c=cover&f=png&q=50&$v_query");
is("$status " . ($h->{etag} // ''), "200 $etag", 'q added to a PNG (lossless: q is not part of it): 200, the same derivative');
($status, $h) = curl_get("$base/media/$alice_img/f_png,c_cover,h_320,w_320?$v_query");
is("$status " . ($h->{etag} // ''), "200 $etag", 'the same transform written in another order: the signed canonical spec, 200, same ETag');
($status, $h) = curl_get("$base/media/$alice_img/w_320%2Ch_320%2Cc_cover%2Cf_png?$v_query");
ok($status == 400 || ($status == 200 && ($h->{etag} // '') eq $etag),
	"encoded commas in the path: $status (never another computation than the signed one)");

# --- the thumbnail route honours signatures (signed as w_W,h_H,f_jpeg) -------------------------
my $thumb_sig = app_sql("SELECT media.sign_url($alice_img, '1 hour', 'w=64,h=64,format=jpeg', 'alice')") =~ s/^[^?]*\?//r;
($status, $h, $body) = curl_get("$base/media/$alice_img/thumbnail?w=64&h=64&$thumb_sig");
is("$status " . join('x', image_size($body)), '200 jpegx64x48', 'a signed thumbnail of a private file: 200, 64x48');
like($h->{'cache-control'} // '', qr/^private, max-age=\d+$/, 'with a signed answer\'s Cache-Control');
($status) = curl_get("$base/media/$alice_img/thumbnail?w=320&h=320&$thumb_sig");
is($status, 403, 'the 64x64 signature does not cover a 320x320 thumbnail: 403');
($status) = curl_get("$base/media/$alice_img/thumbnail?w=64&h=64&" . ($url =~ s/^[^?]*\?//r));
is($status, 403, 'nor does the file\'s own signature: 403');
($status) = curl_get("$base/media/$alice_img/thumbnail?w=64&h=64");
is($status, 404, 'unsigned, alice\'s private thumbnail is not found: 404');
($status) = curl_get("$base/media/$alice_img/thumbnail?w=64&h=64&c=cover");
is($status, 400, 'the thumbnail route takes w and h only: 400');
($status, $h) = curl_get("$base$v_url");
ok(!defined $h->{vary}, 'a fixed format has no Vary: Accept');

# --- in Chromium: <img> of signed transform URLs decode at their natural sizes --------------------
my $src = $ENV{PG_MEDIA_SRC};
my $chromium = $ENV{CHROMIUM} // '/usr/bin/chromium';
SKIP:
{
	skip 'no Chromium, node 20+ or playwright-core in test/cli (cli/install-deps.sh)', 7
	  unless -x $chromium && have_program('node') && -d "$src/test/cli/node_modules/playwright-core"
	  && system('node', '-e', 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)') == 0;
	my %urls = (
		a_auto_64 => sign("$alice_img, '1 hour', 'w=64,h=64,format=auto', 'alice'"),
		query_auto_64 => sign("$alice_img, '1 hour', 'w=64,h=64,format=auto', 'alice'")
		  =~ s{/w_64,h_64,c_contain,f_auto\?}{?w=64&h=64&f=auto&}r,
		b_auto_320 => $auto,
		cover_png => $v_url,
		fill_webp => sign("$alice_img, '1 hour', 'w=64,h=64,resize=fill,format=webp', 'alice'"));
	my ($nout, $nerr) = ('', '');
	my $spec = JSON::PP->new->canonical->encode({ images => \%urls, srcset => [ $urls{a_auto_64}, $auto ] });
	my $ran = IPC::Run::run([ 'node', "$src/test/cli/transforms.mjs", $base, $spec ],
		'>', \$nout, '2>', \$nerr, IPC::Run::timeout(120));
	my ($json) = $nout =~ /^(\{.*\})$/m;
	my $res = $json ? JSON::PP::decode_json($json) : { errors => ["no result: $nerr"] };
	ok($ran && !@{ $res->{errors} }, 'headless Chromium loaded the page') or diag("$nout\n$nerr");
	my %want = (a_auto_64 => '64x48 image/avif', query_auto_64 => '64x48 image/avif', b_auto_320 => '320x240 image/avif',
		cover_png => '320x300 image/png', fill_webp => '64x64 image/webp');
	for my $n (sort keys %want)
	{
		my $i = $res->{images}{$n} // {};
		is(($i->{w} // 0) . 'x' . ($i->{h} // 0) . ' ' . ($i->{type} // '?'), $want{$n},
			"Chromium decodes <img src=$n> at its natural size ($want{$n}; f_auto by Chromium's Accept)");
	}
	my $set = $res->{srcset} // {};
	ok(($set->{src} // '') eq "$base$auto" && ($set->{w} // 0) . 'x' . ($set->{h} // 0) eq '160x120',
		'<img srcset="w_64 1x, w_320 2x"> at device scale 2 takes the 320 one (320x240 at density 2: 160x120 CSS pixels)')
	  or diag(JSON::PP::encode_json($set));
}

# unsigned transforms follow the privacy rules, and the allow-list
($status) = curl_get("$base/media/$alice_img/w_320,h_320");
is($status, 404, 'an unsigned transform of a private file: 404');
($status, $h, $body) = curl_get("$base" . sign("$alice_img, '1 hour', owner => 'alice'") =~ s{\?}{/w_100,h_100?}r);
is($status, 403, 'a box outside media.thumbnail_sizes with a signature for another variant: 403');
($status, $h, $body) = curl_get("$base/media/$alice_img/w_320,h_320,c_stretch");
is($status, 400, 'an invalid transform: 400');

# --- the same setting read from the database, and --require-signed ------------------------------
stop_server($srv);
my $mode_644 = key_file('644.keys', "$k1\n");
chmod 0644, $mode_644;
my ($rc, $out, $err) = run_cli($node, [ 'serve', '-U', 'app', '--listen', '127.0.0.1:0', '--signing-keys', $mode_644 ]);
ok($rc != 0 && $err =~ /group or others/, 'a key file others may read is refused') or diag($err);
($rc, $out, $err) = run_cli($node, [ 'serve', '-U', 'app', '--listen', '127.0.0.1:0', '--signing-keys-from-db' ]);
ok($rc != 0 && $err =~ /cannot read media.url_signing_keys/, 'app may not read media.url_signing_keys') or diag($err);

# a superuser's serve (isolation none: every file visible, as before this issue)
$srv = start_server($node, $tmp, args => [ '--signing-keys-from-db' ]);
$base = $srv->{base};
like(${ $srv->{err} }, qr/warning: media.isolation is '\w*' for this role, so the owner a signed URL or upload token names/,
	'a serve whose role does not have setting isolation warns that signed owners do not keep files apart');
($status) = curl_get("$base$url");
is($status, 200, '--signing-keys-from-db (a superuser\'s serve): the signed URL verifies');
($status, $h, $body) = curl_get("$base/media/$alice_img/w_320,h_320");
is("$status " . join('x', image_size($body)), '200 jpegx320x240', 'unsigned access works as before: an unsigned transform, 200');
is($h->{'cache-control'}, 'private, no-cache', 'a private file\'s transform: Cache-Control private, no-cache');
($status, $h, $body) = curl_get("$base/media/$alice_img/w_100,h_100");
is($status, 400, 'a box outside media.thumbnail_sizes: 400');
like($body, qr/not in media.thumbnail_sizes/, 'the answer names the allow-list');
sql("SELECT media.set_public($alice_img, true)");
($status, $h, $body) = curl_get("$base" . sign("$alice_img, '1 hour', 'w=64,h=64'"));
like($h->{'cache-control'} // '', qr/^public, max-age=(3[0-5]\d\d|3600)$/, "a signed URL of a public file: $h->{'cache-control'}");
($status, $h, $body) = curl_get("$base/media/$alice_img/w_64,h_64");
is($h->{'cache-control'} // '', 'public, max-age=31536000, immutable', 'unsigned, the public file\'s rule');
sql("SELECT media.set_public($alice_img, false)");
stop_server($srv);

$srv = start_server($node, $tmp, args => [ '--signing-keys-from-db', '--require-signed' ]);
$base = $srv->{base};
($status) = curl_get("$base$url");
is($status, 200, '--require-signed: a signed URL: 200');
($status) = curl_get("$base/media/$alice_img");
is($status, 403, '--require-signed: an unsigned request: 403');
($status) = curl_get("$base/media/$alice_img/thumbnail?w=64&h=64");
is($status, 403, '--require-signed: the unsigned thumbnail route: 403');
($status, $h, $body) = curl_get("$base/media/$alice_img/thumbnail?w=64&h=64&$thumb_sig");
is("$status " . join('x', image_size($body)), '200 jpegx64x48', '--require-signed: a signed thumbnail: 200');
stop_server($srv);

# --- rotation: k2 first, k1 still valid; then k1 removed ---------------------------------------
sql("ALTER SYSTEM SET media.url_signing_keys = '$k2,$k1'");
sql('SELECT pg_reload_conf()');
my $new_url = sign("$alice_img, '1 hour', owner => 'alice'");
like($new_url, qr/&kid=k2&/, 'after rotation media.sign_url() signs with k2');
$srv = start_server($node, $tmp, args => [ '-U', 'app', '--signing-keys', key_file('both.keys', "$k2,$k1") ]);
($status) = curl_get("$srv->{base}$url");
is($status, 200, 'rotation: a URL signed with k1 verifies while both keys are configured');
($status) = curl_get("$srv->{base}$new_url");
is($status, 200, 'rotation: a URL signed with k2 verifies');
stop_server($srv);
$srv = start_server($node, $tmp, args => [ '-U', 'app', '--signing-keys', key_file('k2.keys', "$k2\n") ]);
($status, $h, $body) = curl_get("$srv->{base}$url");
is($status, 403, 'rotation: the k1 URL fails once k1 is removed');
($status) = curl_get("$srv->{base}$new_url");
is($status, 200, 'rotation: the k2 URL still verifies');
stop_server($srv);

# --- the keys stay the administrator's: PGOPTIONS and SET refused, not readable ------------------
($rc, $out, $err) = app_sql('SELECT 1', pgoptions => "-c media.url_signing_keys=evil:0123456789abcdef0");
ok($rc != 0 && $err =~ /permission denied to set parameter "media.url_signing_keys"/,
	'PGOPTIONS cannot set media.url_signing_keys') or diag($err);
($rc, $out, $err) = app_sql("SET media.url_signing_keys = 'evil:0123456789abcdef0'");
ok($rc != 0 && $err =~ /permission denied/, 'nor can SET');
($rc, $out, $err) = app_sql('SHOW media.url_signing_keys');
ok($rc != 0 && $err =~ /must be superuser|privileges of pg_read_all_settings/, 'nor SHOW it') or diag($err);
like(sign("$alice_img, '1 hour'"), qr/&kid=k2&/, 'the administrator\'s keys are in force');

done_testing();
