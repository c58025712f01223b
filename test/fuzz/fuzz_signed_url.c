/*
 * fuzz_signed_url.c - libFuzzer harness for what pg_media serve reads from
 * a URL and its configuration: the URL form of the transform spec, key
 * lists and the signed-URL check.
 *
 * The input is copied into an exact-size heap buffer (ASan catches a read
 * past the length given) and read three ways.  Checks the invariants:
 *   - a URL form that parses reads back from its own URL text and from its
 *     canonical text (text form) to the same canonical text;
 *   - a key list that parses has ids and secrets within bounds, and what
 *     its first key signs verifies under it, but not with a character of
 *     the signature changed nor one second past exp;
 *   - split at newlines into kid, sig, id, variant, owner and exp, the
 *     input verifies only if it carries the signature of those fields;
 *   - read as an upload token, it parses only into bounded fields that sign
 *     back into a token reading the same, verifies only with the signature
 *     of those fields, and never as a URL's signature.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/spec.h"
#include "util/signed_url.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The URL form: parse, then the two round trips. */
static void
check_url_form(const char *text, size_t size)
{
	mm_xform	x;
	mm_xform	y;
	mm_xform	z;
	char		canon[MM_XFORM_TEXT_MAX];
	char		again[MM_XFORM_TEXT_MAX];
	char		url[MM_XFORM_TEXT_MAX];
	char		err[128];

	mm_xform_init(&x);
	if (mm_xform_parse_url(text, size, &x, err, sizeof(err)) != 0)
		return;
	if (x.width < 0 || x.height < 0 || mm_xform_canonical(&x, canon, sizeof(canon)) < 0 ||
		mm_xform_url_text(&x, url, sizeof(url)) < 0)
		abort();
	mm_xform_init(&y);
	if (mm_xform_parse_url(url, strlen(url), &y, NULL, 0) != 0 ||
		mm_xform_canonical(&y, again, sizeof(again)) < 0 || strcmp(canon, again) != 0)
		abort();
	mm_xform_init(&z);
	if (mm_xform_parse(canon, strlen(canon), &z, NULL, 0) != 0 ||
		mm_xform_canonical(&z, again, sizeof(again)) < 0 || strcmp(canon, again) != 0)
		abort();
}

/* A key list: bounds, then sign and verify with its first key. */
static void
check_keys(const char *text, size_t size)
{
	mm_sign_keys keys;
	mm_signed_fields f = {"42", "w=64,h=64,resize=cover,gravity=centre,format=auto", 2000000000, "o",
	MM_SIGN_READ, 0};
	char		sig[MM_SIGN_SIG_LEN + 1];
	char		err[160];
	int			k;

	if (mm_sign_keys_parse(text, size, &keys, err, sizeof(err)) != 0)
	{
		if (keys.n != 0)
			abort();
		return;
	}
	for (k = 0; k < keys.n; k++)
		if (strlen(keys.key[k].id) == 0 || strlen(keys.key[k].id) > MM_SIGN_KEY_ID_MAX ||
			keys.key[k].secret_len < MM_SIGN_SECRET_MIN || keys.key[k].secret_len > MM_SIGN_SECRET_MAX)
			abort();
	if (keys.n > 0)
	{
		mm_sign_fields(&keys.key[0], &f, sig);
		if (mm_sign_verify(&keys, keys.key[0].id, sig, &f, f.expires) != MM_SIGN_OK)
			abort();
		if (mm_sign_verify(&keys, keys.key[0].id, sig, &f, f.expires + 1) != MM_SIGN_EXPIRED)
			abort();
		sig[size % MM_SIGN_SIG_LEN] = sig[size % MM_SIGN_SIG_LEN] == 'A' ? 'B' : 'A';
		if (mm_sign_verify(&keys, keys.key[0].id, sig, &f, 0) != MM_SIGN_BAD_SIGNATURE)
			abort();
	}
	mm_sign_keys_clear(&keys);
}

/* Fields from the input, checked against one key. */
static void
check_fields(const char *text, size_t size)
{
	static const char key_text[] = "k1:0123456789abcdef";
	mm_sign_keys keys;
	char	   *copy = malloc(size + 1);
	char	   *field[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
	char		want[MM_SIGN_SIG_LEN + 1];
	mm_signed_fields f = {0};
	mm_sign_status st;
	int			n = 0;
	char	   *p;

	if (copy == NULL)
		abort();
	memcpy(copy, text, size);
	copy[size] = '\0';
	for (p = copy; n < 6; n++)
	{
		char	   *nl = strchr(p, '\n');

		field[n] = p;
		if (nl == NULL)
		{
			n++;
			break;
		}
		*nl = '\0';
		p = nl + 1;
	}
	mm_sign_keys_parse(key_text, sizeof(key_text) - 1, &keys, NULL, 0);
	f.id = field[2] ? field[2] : "";
	f.variant = field[3] && field[3][0] ? field[3] : NULL;
	f.owner = field[4];
	if (field[5] == NULL || mm_sign_parse_expires(field[5], &f.expires) != 0)
		f.expires = 0;
	st = mm_sign_verify(&keys, field[0], field[1], &f, 0);
	if (st == MM_SIGN_OK)
	{
		mm_sign_fields(&keys.key[0], &f, want);
		if (strcmp(field[0], "k1") != 0 || strcmp(want, field[1]) != 0)
			abort();
	}
	(void) mm_sign_status_text(st);
	free(copy);
}

/* An upload token: bounded fields, a round trip, the signature and the purposes. */
static void
check_token(const char *text, size_t size)
{
	static const char key_text[] = "k1:0123456789abcdef";
	mm_sign_keys keys;
	mm_signed_fields f;
	mm_signed_fields g;
	mm_sign_token_parts a;		/* read from the input */
	mm_sign_token_parts b;		/* read from the token signed again */
	char		token[MM_SIGN_TOKEN_MAX + 1];
	char		want[MM_SIGN_SIG_LEN + 1];
	int			n;

	if (mm_sign_upload_token_parse(text, size, &f, &a) != 0)
		return;
	if (f.purpose != MM_SIGN_UPLOAD || f.owner != a.owner || strlen(a.owner) == 0 ||
		strlen(a.owner) > MM_SIGN_OWNER_MAX || strlen(a.kid) == 0 || strlen(a.kid) > MM_SIGN_KEY_ID_MAX ||
		strlen(a.sig) != MM_SIGN_SIG_LEN || f.max_bytes < 0 || f.max_bytes > MM_SIGN_MAX_BYTES_MAX ||
		f.expires < 0)
		abort();
	mm_sign_keys_parse(key_text, sizeof(key_text) - 1, &keys, NULL, 0);
	n = mm_sign_upload_token(&keys.key[0], &f, token, sizeof(token));
	if (n < 0 || mm_sign_upload_token_parse(token, (size_t) n, &g, &b) != 0 ||
		strcmp(a.owner, b.owner) != 0 || f.expires != g.expires || f.max_bytes != g.max_bytes ||
		strcmp(b.kid, "k1") != 0 || mm_sign_verify(&keys, b.kid, b.sig, &g, g.expires) != MM_SIGN_OK)
		abort();
	mm_sign_fields(&keys.key[0], &f, want);
	if (mm_sign_verify(&keys, a.kid, a.sig, &f, 0) == MM_SIGN_OK &&
		(strcmp(a.kid, "k1") != 0 || strcmp(want, a.sig) != 0))
		abort();
	g.purpose = MM_SIGN_READ;
	g.id = "1";
	if (mm_sign_verify(&keys, b.kid, b.sig, &g, 0) != MM_SIGN_BAD_SIGNATURE)
		abort();
}

/* Reads the input four ways. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *text = malloc(size ? size : 1);

	if (text == NULL)
		abort();
	if (size > 0)
		memcpy(text, data, size);
	check_url_form(text, size);
	check_keys(text, size);
	check_fields(text, size);
	check_token(text, size);
	free(text);
	return 0;
}
