/*
 * test_signed_url.c - unit tests of HMAC-SHA256 (RFC 4231's vectors, fed
 * whole and in pieces), the constant-time comparison, key lists, the
 * signed URLs of pg_media serve (each field tampered, the expiry boundary,
 * key rotation) and the URL form of the transform spec.
 */
#include <stdio.h>
#include <string.h>

#include "image/spec.h"
#include "util/hmac.h"
#include "util/signed_url.h"
#include "mm_test.h"

/* Lower-case hex of n bytes into out (2n + 1 bytes). */
static void
to_hex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* Checks one RFC 4231 case (want: hex, maybe truncated), one-shot and byte by byte. */
static void
check_hmac(const char *name, const uint8_t *key, size_t klen, const void *msg, size_t mlen,
		   const char *want)
{
	uint8_t		mac[MM_SHA256_DIGEST_LEN];
	char		hex[2 * MM_SHA256_DIGEST_LEN + 1];
	mm_hmac_ctx ctx;

	mm_hmac_sha256(key, klen, msg, mlen, mac);
	to_hex(mac, sizeof(mac), hex);
	MM_CHECK(strncmp(hex, want, strlen(want)) == 0, "RFC 4231 %s: %s", name, hex);

	mm_hmac_sha256_init(&ctx, key, klen);
	for (size_t i = 0; i < mlen; i++)
		mm_hmac_sha256_update(&ctx, (const uint8_t *) msg + i, 1);
	mm_hmac_sha256_final(&ctx, mac);
	to_hex(mac, sizeof(mac), hex);
	MM_CHECK(strncmp(hex, want, strlen(want)) == 0, "RFC 4231 %s, fed byte by byte", name);
}

/* RFC 4231 section 4, test cases 1 to 7 (case 5 is truncated to 128 bits). */
static void
test_rfc4231(void)
{
	uint8_t		k[131];
	uint8_t		d[50];

	memset(k, 0x0b, 20);
	check_hmac("case 1", k, 20, "Hi There", 8,
			   "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	check_hmac("case 2", (const uint8_t *) "Jefe", 4, "what do ya want for nothing?", 28,
			   "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	memset(k, 0xaa, 20);
	memset(d, 0xdd, 50);
	check_hmac("case 3", k, 20, d, 50,
			   "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
	for (int i = 0; i < 25; i++)
		k[i] = (uint8_t) (i + 1);
	memset(d, 0xcd, 50);
	check_hmac("case 4", k, 25, d, 50,
			   "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
	memset(k, 0x0c, 20);
	check_hmac("case 5", k, 20, "Test With Truncation", 20, "a3b6167473100ee06e0c796c2955552b");
	memset(k, 0xaa, 131);
	check_hmac("case 6", k, 131, "Test Using Larger Than Block-Size Key - Hash Key First", 54,
			   "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
	check_hmac("case 7", k, 131,
			   "This is a test using a larger than block-size key and a larger than block-size data."
			   " The key needs to be hashed before being used by the HMAC algorithm.", 152,
			   "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

/* The comparison: equal, a difference in the first and in the last byte, empty. */
static void
test_equal(void)
{
	MM_CHECK(mm_equal_const_time("abcdef", "abcdef", 6) == 1, "equal bytes compare equal");
	MM_CHECK(mm_equal_const_time("Xbcdef", "abcdef", 6) == 0, "a difference in the first byte");
	MM_CHECK(mm_equal_const_time("abcdeX", "abcdef", 6) == 0, "a difference in the last byte");
	MM_CHECK(mm_equal_const_time("a", "b", 0) == 1, "no bytes compare equal");
}

/* Parses keys, expecting success (n keys) or failure. */
static void
check_keys(const char *text, int want_n, const char *what)
{
	mm_sign_keys keys;
	char		err[160] = "";
	int			rc = mm_sign_keys_parse(text, strlen(text), &keys, err, sizeof(err));

	if (want_n < 0)
		MM_CHECK(rc == -1 && err[0] != '\0' && keys.n == 0, "keys refused: %s (%s)", what, err);
	else
		MM_CHECK(rc == 0 && keys.n == want_n, "keys read: %s (%d keys%s%s)", what, keys.n,
				 err[0] ? ", " : "", err);
}

/* Key lists: separators, comments, and what is refused. */
static void
test_keys(void)
{
	mm_sign_keys keys;

	check_keys("", 0, "empty: no keys");
	check_keys("k1:0123456789abcdef", 1, "one key");
	check_keys(" k2:0123456789abcdefXYZ , k1:0123456789abcdef ", 2, "two keys, blanks");
	check_keys("# keys of pg_media serve, rotated 2026-12\nk2:0123456789abcdefXYZ\r\n\nk1:0123456789abcdef\n",
			   2, "a key file with a comment, CRLF and an empty line");
	check_keys("k1:short", -1, "a secret under 16 bytes");
	check_keys("k1", -1, "no colon");
	check_keys(":0123456789abcdef", -1, "an empty id");
	check_keys("k 1:0123456789abcdef", -1, "a blank in the id");
	check_keys("k1:0123456789ab\tcdef", -1, "a tab in the secret");
	check_keys("k1:0123456789abcdef,k1:fedcba9876543210", -1, "an id given twice");
	check_keys("a:0123456789abcdef,b:0123456789abcdef,c:0123456789abcdef,d:0123456789abcdef,"
			   "e:0123456789abcdef,f:0123456789abcdef,g:0123456789abcdef,h:0123456789abcdef,"
			   "i:0123456789abcdef", -1, "nine keys");
	mm_sign_keys_parse("k2:0123456789abcdefXYZ,k1:0123456789abcdef", 42, &keys, NULL, 0);
	MM_CHECK(keys.n == 2 && strcmp(keys.key[0].id, "k2") == 0 && keys.key[0].secret_len == 19,
			 "the first key is key[0] (the one that signs)");
	mm_sign_keys_clear(&keys);
	MM_CHECK(keys.n == 0 && keys.key[0].secret[0] == 0, "clearing wipes the secrets");
}

/* Signing, then each field altered, the expiry boundary and rotation. */
static void
test_sign_verify(void)
{
	mm_sign_keys old_only;
	mm_sign_keys both;
	mm_sign_keys new_only;
	mm_signed_fields f = {"123", "w=320,h=320,resize=cover,gravity=centre,format=auto",
	1800000000, "alice", MM_SIGN_READ, 0};
	mm_signed_fields g;
	char		sig[MM_SIGN_SIG_LEN + 1];
	char		bad[MM_SIGN_SIG_LEN + 1];
	char		url[512];
	int			n;

	const char *k_old = "old:0123456789abcdef";
	const char *k_both = "new:fedcba9876543210-new,old:0123456789abcdef";
	const char *k_new = "new:fedcba9876543210-new";

	mm_sign_keys_parse(k_old, strlen(k_old), &old_only, NULL, 0);
	mm_sign_keys_parse(k_both, strlen(k_both), &both, NULL, 0);
	mm_sign_keys_parse(k_new, strlen(k_new), &new_only, NULL, 0);

	mm_sign_fields(&old_only.key[0], &f, sig);
	MM_CHECK(strlen(sig) == MM_SIGN_SIG_LEN && strspn(sig, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == MM_SIGN_SIG_LEN,
			 "a signature is 43 base64url characters: %s", sig);
	MM_CHECK(mm_sign_verify(&old_only, "old", sig, &f, 1700000000) == MM_SIGN_OK, "a signed URL verifies");

	{
		/* each field altered in turn: the signature no longer matches */
		const mm_signed_fields altered[] = {
			{"124", f.variant, f.expires, f.owner, MM_SIGN_READ, 0},
			{f.id, "w=640,h=640,resize=cover,gravity=centre,format=auto", f.expires, f.owner, MM_SIGN_READ, 0},
			{f.id, NULL, f.expires, f.owner, MM_SIGN_READ, 0},
			{f.id, f.variant, f.expires + 1, f.owner, MM_SIGN_READ, 0},
			{f.id, f.variant, f.expires, "bob", MM_SIGN_READ, 0},
			{f.id, f.variant, f.expires, NULL, MM_SIGN_READ, 0},
			{f.id, f.variant, f.expires, "", MM_SIGN_READ, 0},
		};
		const char *what[] = {"another id", "another variant", "the variant dropped (the original)",
		"a later exp", "another owner", "the owner dropped", "an empty owner"};

		for (size_t i = 0; i < sizeof(altered) / sizeof(altered[0]); i++)
			MM_CHECK(mm_sign_verify(&old_only, "old", sig, &altered[i], 1700000000) == MM_SIGN_BAD_SIGNATURE,
					 "%s is refused", what[i]);
	}
	for (int i = 0; i < MM_SIGN_SIG_LEN; i += 7)
	{
		memcpy(bad, sig, sizeof(bad));
		bad[i] = bad[i] == 'A' ? 'B' : 'A';
		MM_CHECK(mm_sign_verify(&old_only, "old", bad, &f, 1700000000) == MM_SIGN_BAD_SIGNATURE,
				 "signature character %d altered is refused", i);
	}
	MM_CHECK(mm_sign_verify(&old_only, "old", "abc", &f, 1700000000) == MM_SIGN_MALFORMED, "a short signature is malformed");
	MM_CHECK(mm_sign_verify(&old_only, NULL, sig, &f, 1700000000) == MM_SIGN_MALFORMED, "no kid is malformed");
	MM_CHECK(mm_sign_verify(&old_only, "new", sig, &f, 1700000000) == MM_SIGN_UNKNOWN_KEY, "an unknown kid is refused");

	MM_CHECK(mm_sign_verify(&old_only, "old", sig, &f, f.expires) == MM_SIGN_OK, "valid at exp itself");
	MM_CHECK(mm_sign_verify(&old_only, "old", sig, &f, f.expires + 1) == MM_SIGN_EXPIRED, "expired one second after exp");

	MM_CHECK(mm_sign_verify(&both, "old", sig, &f, 1700000000) == MM_SIGN_OK, "rotation: the old key's URL verifies while both keys are in force");
	mm_sign_fields(&both.key[0], &f, sig);
	MM_CHECK(mm_sign_verify(&both, "new", sig, &f, 1700000000) == MM_SIGN_OK, "rotation: the first (new) key signs and verifies");
	MM_CHECK(mm_sign_verify(&both, "old", sig, &f, 1700000000) == MM_SIGN_BAD_SIGNATURE, "rotation: a new signature under the old kid is refused");
	mm_sign_fields(&old_only.key[0], &f, sig);
	MM_CHECK(mm_sign_verify(&new_only, "old", sig, &f, 1700000000) == MM_SIGN_UNKNOWN_KEY, "rotation: the old key's URL fails once the old key is removed");

	g = f;
	g.owner = "ann & bob/ü";
	n = mm_sign_url_path(&old_only.key[0], &g, "w_320,h_320,c_cover,f_auto", url, sizeof(url));
	mm_sign_fields(&old_only.key[0], &g, sig);
	MM_CHECK(n > 0 && strncmp(url, "/media/123/w_320,h_320,c_cover,f_auto?exp=1800000000&own=ann%20%26%20bob%2F%C3%BC&kid=old&sig=", 94) == 0
			 && strcmp(url + n - MM_SIGN_SIG_LEN, sig) == 0, "the signed path: %s", url);
	MM_CHECK(mm_sign_url_path(&old_only.key[0], &g, NULL, url, 40) == -1, "a short buffer is refused");
	g.owner = NULL;
	n = mm_sign_url_path(&old_only.key[0], &g, NULL, url, sizeof(url));
	MM_CHECK(n > 0 && strncmp(url, "/media/123?exp=1800000000&kid=old&sig=", 38) == 0, "without owner or variant: %s", url);
}

/* exp: digits only, bounded. */
static void
test_expires(void)
{
	int64_t		v = 0;

	MM_CHECK(mm_sign_parse_expires("1800000000", &v) == 0 && v == 1800000000, "exp reads");
	MM_CHECK(mm_sign_parse_expires("", &v) == -1, "an empty exp is refused");
	MM_CHECK(mm_sign_parse_expires("-1", &v) == -1, "a negative exp is refused");
	MM_CHECK(mm_sign_parse_expires("18e9", &v) == -1, "a non-digit is refused");
	MM_CHECK(mm_sign_parse_expires("999999999999", &v) == -1, "12 digits are refused");
}

/* Parses a URL form and checks its canonical text (want NULL: refused). */
static void
check_url_form(const char *text, const char *want)
{
	mm_xform	x;
	char		err[128] = "";
	char		canon[MM_XFORM_TEXT_MAX] = "";
	int			rc;

	mm_xform_init(&x);
	rc = mm_xform_parse_url(text, strlen(text), &x, err, sizeof(err));
	if (rc == 0)
		mm_xform_canonical(&x, canon, sizeof(canon));
	if (want == NULL)
		MM_CHECK(rc == -1 && err[0], "URL form \"%s\" refused: %s", text, err);
	else
		MM_CHECK(rc == 0 && strcmp(canon, want) == 0, "URL form \"%s\" -> %s%s", text, canon, err);
}

/* The URL form of the transform spec and its writer. */
static void
test_url_form(void)
{
	mm_xform	x;
	mm_xform	y;
	char		url[64];
	char		a[MM_XFORM_TEXT_MAX];
	char		b[MM_XFORM_TEXT_MAX];

	check_url_form("w_320,h_320,c_cover,f_auto", "w=320,h=320,resize=cover,gravity=centre,format=auto");
	check_url_form("f_webp,h_200,w_100", "w=100,h=200,resize=contain,format=webp");
	check_url_form("w_64,h_64,c_cover,g_attention,f_jpg,q_75", "w=64,h=64,resize=cover,gravity=attention,format=jpeg,q=75");
	check_url_form("W_64,H_64,C_FILL,F_PNG", "w=64,h=64,resize=fill,format=png");
	check_url_form("w_320", NULL);
	check_url_form("w_320,h_320,", NULL);
	check_url_form("w_320,,h_320", NULL);
	check_url_form("w_320,h_320,w_640", NULL);
	check_url_form("w=320,h=320", NULL);
	check_url_form("w_320,h_320,x_1", NULL);
	check_url_form("w_320,h_320,c_stretch", NULL);
	check_url_form("w_320,h_320,q_0", NULL);
	check_url_form("w_320,h_320,q_1234567", NULL);
	check_url_form("w_ 320,h_320", NULL);
	check_url_form("width_320,h_320", NULL);

	mm_xform_init(&x);
	mm_xform_parse("w=320,h=200,resize=cover,gravity=entropy,format=avif,q=60", 57, &x, NULL, 0);
	MM_CHECK(mm_xform_url_text(&x, url, sizeof(url)) > 0 && strcmp(url, "w_320,h_200,c_cover,g_entropy,f_avif,q_60") == 0,
			 "URL text: %s", url);
	mm_xform_init(&y);
	mm_xform_parse_url(url, strlen(url), &y, NULL, 0);
	mm_xform_canonical(&x, a, sizeof(a));
	mm_xform_canonical(&y, b, sizeof(b));
	MM_CHECK(strcmp(a, b) == 0, "the URL text reads back to the same canonical text");
	MM_CHECK(mm_xform_url_text(&x, url, 10) == -1, "a short buffer is refused");
}

/* Signs an upload token for owner and max, checks its shape, and reads it back into f. */
static int
token_round_trip(const mm_sign_key *key, const char *owner, int64_t max, char *tok,
				 mm_signed_fields *f, mm_sign_token_parts *parts)
{
	mm_signed_fields g = {NULL, NULL, 1800000000, owner, MM_SIGN_UPLOAD, max};
	int			n = mm_sign_upload_token(key, &g, tok, MM_SIGN_TOKEN_MAX + 1);

	if (n < 0)
		return -1;
	return mm_sign_upload_token_parse(tok, (size_t) n, f, parts);
}

/* Upload tokens: the shape, a round trip, each field altered, the purposes kept apart. */
static void
test_upload_token(void)
{
	mm_sign_keys keys;
	mm_signed_fields f;
	mm_signed_fields url = {"42", NULL, 1800000000, "alice", MM_SIGN_READ, 0};
	char		tok[MM_SIGN_TOKEN_MAX + 1];
	char		bad[MM_SIGN_TOKEN_MAX + 1];
	mm_sign_token_parts t;
	char	   *own = t.owner;
	char	   *kid = t.kid;
	char	   *sig = t.sig;
	char		url_sig[MM_SIGN_SIG_LEN + 1];
	char		long_owner[MM_SIGN_OWNER_MAX + 2];
	static const char *broken[] = {
		"", "pgmu1.", "pgmu2.1800000000.-.YWxpY2U.k.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"pgmu1.1800000000.-..k.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"pgmu1.1800000000.0.YWxpY2U.k.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"pgmu1.1800000000.012.YWxpY2U.k.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"pgmu1.1800000000.1234567890123456789.YWxpY2U.k.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"pgmu1.18e8.-.YWxpY2U.k.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"pgmu1.1800000000.-.YWxp+2U.k.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"pgmu1.1800000000.-.YQBi.k.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",	/* "a\0b" */
		"pgmu1.1800000000.-.YWxpY2U..AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"pgmu1.1800000000.-.YWxpY2U.k.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"pgmu1.1800000000.-.YWxpY2U.k/x.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"pgmu1.1800000000.-.YWxpY2U.k.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	};

	mm_sign_keys_parse("new:0123456789abcdef-new,old:0123456789abcdef-old", 49, &keys, NULL, 0);
	MM_CHECK(token_round_trip(&keys.key[1], "alice", 1048576, tok, &f, &t) == 0,
			 "a token reads back: %s", tok);
	MM_CHECK(strncmp(tok, "pgmu1.1800000000.1048576.YWxpY2U.old.", 37) == 0 &&
			 strlen(tok) == 37 + MM_SIGN_SIG_LEN, "the token's shape: %s", tok);
	MM_CHECK(f.purpose == MM_SIGN_UPLOAD && f.expires == 1800000000 && f.max_bytes == 1048576 &&
			 strcmp(f.owner, "alice") == 0 && strcmp(kid, "old") == 0, "its fields");
	MM_CHECK(mm_sign_verify(&keys, kid, sig, &f, 1800000000) == MM_SIGN_OK, "it verifies under the old key (rotation)");
	MM_CHECK(mm_sign_verify(&keys, kid, sig, &f, 1800000001) == MM_SIGN_EXPIRED, "one second past exp: expired");
	f.max_bytes = 1048577;
	MM_CHECK(mm_sign_verify(&keys, kid, sig, &f, 0) == MM_SIGN_BAD_SIGNATURE, "max altered: refused");
	f.max_bytes = 0;
	MM_CHECK(mm_sign_verify(&keys, kid, sig, &f, 0) == MM_SIGN_BAD_SIGNATURE, "max dropped: refused");
	f.max_bytes = 1048576;
	f.owner = "bob";
	MM_CHECK(mm_sign_verify(&keys, kid, sig, &f, 0) == MM_SIGN_BAD_SIGNATURE, "owner altered: refused");
	f.owner = own;
	f.expires++;
	MM_CHECK(mm_sign_verify(&keys, kid, sig, &f, 0) == MM_SIGN_BAD_SIGNATURE, "exp altered: refused");

	/* the purposes: a URL's signature is not a token's, nor a token's a URL's */
	mm_sign_fields(&keys.key[0], &url, url_sig);
	MM_CHECK(token_round_trip(&keys.key[0], "alice", 0, tok, &f, &t) == 0 &&
			 strstr(tok, ".-.YWxpY2U.new.") != NULL, "a token without max: %s", tok);
	MM_CHECK(strcmp(sig, url_sig) != 0, "a token's signature differs from a URL's of the same exp and owner");
	f.purpose = MM_SIGN_READ;
	f.id = "42";
	MM_CHECK(mm_sign_verify(&keys, kid, sig, &f, 0) == MM_SIGN_BAD_SIGNATURE, "a token's signature does not verify a URL");
	url.purpose = MM_SIGN_UPLOAD;
	MM_CHECK(mm_sign_verify(&keys, "new", url_sig, &url, 0) == MM_SIGN_BAD_SIGNATURE, "a URL's signature does not verify a token");

	/* owners: any byte but NUL, base64url; bounded */
	MM_CHECK(token_round_trip(&keys.key[0], "ann b/\xc3\xbc&x.=1", 5, tok, &f, &t) == 0 &&
			 strcmp(own, "ann b/\xc3\xbc&x.=1") == 0 && strchr(tok + 6, '=') == NULL, "an owner of any bytes: %s", tok);
	memset(long_owner, 'o', MM_SIGN_OWNER_MAX);
	long_owner[MM_SIGN_OWNER_MAX] = '\0';
	MM_CHECK(token_round_trip(&keys.key[0], long_owner, MM_SIGN_MAX_BYTES_MAX, tok, &f, &t) == 0 &&
			 strcmp(own, long_owner) == 0 && f.max_bytes == MM_SIGN_MAX_BYTES_MAX &&
			 strlen(tok) <= MM_SIGN_TOKEN_MAX, "the longest owner and the largest max: %zu characters", strlen(tok));
	MM_CHECK(token_round_trip(&keys.key[0], "alice", MM_SIGN_MAX_BYTES_MAX + 1, tok, &f, &t) == -1,
			 "a 19-digit max is refused");
	long_owner[MM_SIGN_OWNER_MAX] = 'o';
	long_owner[MM_SIGN_OWNER_MAX + 1] = '\0';
	MM_CHECK(token_round_trip(&keys.key[0], long_owner, 1, tok, &f, &t) == -1, "a longer owner is refused");
	MM_CHECK(token_round_trip(&keys.key[0], "", 1, tok, &f, &t) == -1, "an empty owner is refused");
	url.owner = NULL;
	MM_CHECK(mm_sign_upload_token(&keys.key[0], &url, tok, sizeof(tok)) == -1, "no owner: no token");
	url.owner = "alice";
	url.purpose = MM_SIGN_READ;
	MM_CHECK(mm_sign_upload_token(&keys.key[0], &url, tok, sizeof(tok)) == -1, "a URL's fields make no token");
	url.purpose = MM_SIGN_UPLOAD;
	MM_CHECK(mm_sign_upload_token(&keys.key[0], &url, tok, 20) == -1, "a short buffer is refused");

	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++)
		MM_CHECK(mm_sign_upload_token_parse(broken[i], strlen(broken[i]), &f, &t) == -1,
				 "malformed token %zu refused: %s", i, broken[i]);
	MM_CHECK(token_round_trip(&keys.key[0], "alice", 7, tok, &f, &t) == 0, "a token again");
	memcpy(bad, tok, sizeof(bad));
	MM_CHECK(mm_sign_upload_token_parse(bad, strlen(bad) - 1, &f, &t) == -1, "a token cut short is refused");
	MM_CHECK(mm_sign_upload_token_parse(NULL, 0, &f, &t) == -1, "NULL is refused");
	mm_sign_keys_clear(&keys);
}

int
main(void)
{
	test_rfc4231();
	test_equal();
	test_keys();
	test_sign_verify();
	test_expires();
	test_url_form();
	test_upload_token();
	return mm_test_done();
}
