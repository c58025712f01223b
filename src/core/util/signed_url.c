/*
 * util/signed_url.c - key lists, signatures and checks of the signed URLs
 * of pg_media serve (util/signed_url.h).
 */
#include "util/signed_url.h"

#include <stdio.h>
#include <string.h>

#include "util/base64.h"
#include "util/errmsg.h"
#include "util/hmac.h"

#define SIGN_DOMAIN "pg_media-url-v1\n"
#define SIGN_UPLOAD_DOMAIN "pg_media-upload-v1\n"

/* May c appear in a key id? */
static int
key_id_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		c == '_' || c == '-' || c == '.';
}

/* Is c a blank around items? */
static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Reads one "id:secret" item s[0..n) (trimmed, not empty) into key. */
static int
parse_key(const char *s, size_t n, mm_sign_key *key, char *err, size_t errlen)
{
	const char *colon = memchr(s, ':', n);
	size_t		idlen;
	size_t		slen;
	size_t		i;

	if (colon == NULL)
		return mm_errmsg(err, errlen, "a key is \"id:secret\"; an item has no ':'");
	idlen = (size_t) (colon - s);
	slen = n - idlen - 1;
	if (idlen == 0 || idlen > MM_SIGN_KEY_ID_MAX)
		return mm_errmsg(err, errlen, "a key id has 1 to %d characters", MM_SIGN_KEY_ID_MAX);
	for (i = 0; i < idlen; i++)
		if (!key_id_char(s[i]))
			return mm_errmsg(err, errlen, "a key id has only letters, digits, '_', '-' and '.'");
	if (slen < MM_SIGN_SECRET_MIN || slen > MM_SIGN_SECRET_MAX)
		return mm_errmsg(err, errlen, "the secret of key \"%.*s\" must have %d to %d bytes, not %zu",
						  (int) idlen, s, MM_SIGN_SECRET_MIN, MM_SIGN_SECRET_MAX, slen);
	for (i = 0; i < slen; i++)
		if ((unsigned char) colon[1 + i] < 0x21 || colon[1 + i] == 0x7f)
			return mm_errmsg(err, errlen, "the secret of key \"%.*s\" holds a blank or control character",
							  (int) idlen, s);
	memcpy(key->id, s, idlen);
	key->id[idlen] = '\0';
	memcpy(key->secret, colon + 1, slen);
	key->secret_len = slen;
	return 0;
}

/* Reads a key list; see util/signed_url.h. */
int
mm_sign_keys_parse(const char *text, size_t len, mm_sign_keys *keys, char *err, size_t errlen)
{
	size_t		i = 0;

	memset(keys, 0, sizeof(*keys));
	while (text != NULL && i < len)
	{
		size_t		end = i;
		size_t		a = i;
		size_t		b;
		int			k;

		while (end < len && text[end] != ',' && text[end] != '\n')
			end++;
		b = end;
		while (a < b && is_space(text[a]))
			a++;
		while (b > a && is_space(text[b - 1]))
			b--;
		if (a < b && text[a] == '#')
		{
			/* a comment runs to the end of its line, commas and all */
			while (end < len && text[end] != '\n')
				end++;
			i = end + 1;
			continue;
		}
		i = end + 1;
		if (a == b)
			continue;
		if (keys->n == MM_SIGN_MAX_KEYS)
		{
			mm_sign_keys_clear(keys);
			return mm_errmsg(err, errlen, "at most %d keys", MM_SIGN_MAX_KEYS);
		}
		if (parse_key(text + a, b - a, &keys->key[keys->n], err, errlen) != 0)
		{
			mm_sign_keys_clear(keys);
			return -1;
		}
		for (k = 0; k < keys->n; k++)
			if (strcmp(keys->key[k].id, keys->key[keys->n].id) == 0)
			{
				mm_errmsg(err, errlen, "key id \"%s\" is given twice", keys->key[k].id);
				mm_sign_keys_clear(keys);
				return -1;
			}
		keys->n++;
	}
	return 0;
}

/* Wipes the secrets. */
void
mm_sign_keys_clear(mm_sign_keys *keys)
{
	volatile uint8_t *p = (volatile uint8_t *) keys;
	size_t		n = sizeof(*keys);

	while (n--)
		*p++ = 0;
}

/* Adds a NUL-terminated string to an HMAC. */
static void
hmac_add(mm_hmac_ctx *ctx, const char *s)
{
	mm_hmac_sha256_update(ctx, s, strlen(s));
}

/* The MAC of the fields under key (the texts of util/signed_url.h, by purpose). */
static void
fields_mac(const mm_sign_key *key, const mm_signed_fields *f, uint8_t mac[MM_SHA256_DIGEST_LEN])
{
	mm_hmac_ctx ctx;
	char		number[32];
	int			upload = f->purpose == MM_SIGN_UPLOAD;

	mm_hmac_sha256_init(&ctx, key->secret, key->secret_len);
	hmac_add(&ctx, upload ? SIGN_UPLOAD_DOMAIN : SIGN_DOMAIN);
	hmac_add(&ctx, key->id);
	hmac_add(&ctx, "\n");
	if (!upload)
	{
		hmac_add(&ctx, f->id);
		hmac_add(&ctx, "\n");
		hmac_add(&ctx, f->variant ? f->variant : "");
		hmac_add(&ctx, "\n");
	}
	snprintf(number, sizeof(number), "%lld", (long long) f->expires);
	hmac_add(&ctx, number);
	hmac_add(&ctx, "\n");
	if (upload)
	{
		if (f->max_bytes > 0)
			snprintf(number, sizeof(number), "%lld", (long long) f->max_bytes);
		hmac_add(&ctx, f->max_bytes > 0 ? number : "-");
		hmac_add(&ctx, "\n");
	}
	hmac_add(&ctx, f->owner ? "=" : "-");
	if (f->owner)
		hmac_add(&ctx, f->owner);
	mm_hmac_sha256_final(&ctx, mac);
}

/* Signs the fields; see util/signed_url.h. */
void
mm_sign_fields(const mm_sign_key *key, const mm_signed_fields *f, char sig[MM_SIGN_SIG_LEN + 1])
{
	uint8_t		mac[MM_SHA256_DIGEST_LEN];

	fields_mac(key, f, mac);
	mm_base64_encode(mac, sizeof(mac), sig, 1, 0);
	sig[MM_SIGN_SIG_LEN] = '\0';
}

/*
 * Appends s to buf at *pos (counting what does not fit, so the caller can
 * tell), percent-encoding all but RFC 3986's unreserved characters when
 * encode is set.
 */
static void
append(char *buf, size_t buflen, size_t *pos, const char *s, int encode)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;

		if (!encode || key_id_char((char) c) || c == '~')
		{
			if (*pos + 1 < buflen)
				buf[*pos] = (char) c;
			(*pos)++;
			continue;
		}
		if (*pos + 3 < buflen)
		{
			buf[*pos] = '%';
			buf[*pos + 1] = hex[c >> 4];
			buf[*pos + 2] = hex[c & 15];
		}
		*pos += 3;
	}
}

/* Writes the signed path and query; see util/signed_url.h. */
int
mm_sign_url_path(const mm_sign_key *key, const mm_signed_fields *f, const char *url_variant,
				 char *buf, size_t buflen)
{
	char		sig[MM_SIGN_SIG_LEN + 1];
	size_t		pos;
	int			n;

	if (buflen == 0)
		return -1;
	mm_sign_fields(key, f, sig);
	n = snprintf(buf, buflen, "/media/%s%s%s?exp=%lld", f->id, url_variant ? "/" : "",
				 url_variant ? url_variant : "", (long long) f->expires);
	if (n < 0 || (size_t) n >= buflen)
		return -1;
	pos = (size_t) n;
	if (f->owner)
	{
		append(buf, buflen, &pos, "&own=", 0);
		append(buf, buflen, &pos, f->owner, 1);
	}
	if (pos >= buflen)
		return -1;
	n = snprintf(buf + pos, buflen - pos, "&kid=%s&sig=%s", key->id, sig);
	if (n < 0 || (size_t) n >= buflen - pos)
		return -1;
	return (int) (pos + (size_t) n);
}

/* Writes an upload token; see util/signed_url.h. */
int
mm_sign_upload_token(const mm_sign_key *key, const mm_signed_fields *f, char *buf, size_t buflen)
{
	char		sig[MM_SIGN_SIG_LEN + 1];
	char		owner[((MM_SIGN_OWNER_MAX + 2) / 3) * 4 + 1];
	char		max[24] = "-";
	size_t		olen = f->owner ? strlen(f->owner) : 0;
	size_t		elen;
	int			n;

	if (f->purpose != MM_SIGN_UPLOAD || olen == 0 || olen > MM_SIGN_OWNER_MAX || f->expires < 0 ||
		f->max_bytes < 0 || f->max_bytes > MM_SIGN_MAX_BYTES_MAX)
		return -1;
	elen = mm_base64_encoded_len(olen, 0);
	mm_base64_encode((const uint8_t *) f->owner, olen, owner, 1, 0);
	owner[elen] = '\0';
	if (f->max_bytes > 0)
		snprintf(max, sizeof(max), "%lld", (long long) f->max_bytes);
	mm_sign_fields(key, f, sig);
	n = snprintf(buf, buflen, MM_SIGN_TOKEN_PREFIX "%lld.%s.%s.%s.%s", (long long) f->expires, max,
				 owner, key->id, sig);
	if (n < 0 || (size_t) n >= buflen)
		return -1;
	return n;
}

/* Is c a character of base64url? */
static int
base64url_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		c == '_' || c == '-';
}

/*
 * Reads the next '.'-ended field of s[*pos..len) into out (outlen bytes
 * with its NUL); -1 when there is no '.' or the field does not fit.
 */
static int
next_field(const char *s, size_t len, size_t *pos, char *out, size_t outlen)
{
	const char *dot = memchr(s + *pos, '.', len - *pos);
	size_t		n;

	if (dot == NULL)
		return -1;
	n = (size_t) (dot - (s + *pos));
	if (n >= outlen)
		return -1;
	memcpy(out, s + *pos, n);
	out[n] = '\0';
	*pos += n + 1;
	return 0;
}

/* Reads an upload token; see util/signed_url.h. */
int
mm_sign_upload_token_parse(const char *token, size_t len, mm_signed_fields *f,
						   mm_sign_token_parts *parts)
{
	char	   *owner = parts->owner;
	char	   *kid = parts->kid;
	char	   *sig = parts->sig;
	static const size_t prefix = sizeof(MM_SIGN_TOKEN_PREFIX) - 1;
	char		exp[MM_SIGN_EXPIRES_MAX + 1];
	char		max[20];
	char		owner64[((MM_SIGN_OWNER_MAX + 2) / 3) * 4 + 1];
	uint8_t		raw[((MM_SIGN_OWNER_MAX + 2) / 3) * 3];	/* what owner64 can decode to */
	size_t		pos = prefix;
	size_t		olen;
	size_t		bad;
	size_t		klen;
	size_t		i;

	memset(f, 0, sizeof(*f));
	if (token == NULL || len > MM_SIGN_TOKEN_MAX || len < prefix ||
		memcmp(token, MM_SIGN_TOKEN_PREFIX, prefix) != 0 ||
		next_field(token, len, &pos, exp, sizeof(exp)) != 0 ||
		next_field(token, len, &pos, max, sizeof(max)) != 0 ||
		next_field(token, len, &pos, owner64, sizeof(owner64)) != 0 ||
		mm_sign_parse_expires(exp, &f->expires) != 0)
		return -1;
	/* the rest is kid "." sig: the signature is the last MM_SIGN_SIG_LEN characters */
	if (len - pos < MM_SIGN_SIG_LEN + 2 || token[len - MM_SIGN_SIG_LEN - 1] != '.')
		return -1;
	klen = len - pos - MM_SIGN_SIG_LEN - 1;
	if (klen > MM_SIGN_KEY_ID_MAX)
		return -1;
	for (i = 0; i < klen; i++)
		if (!key_id_char(token[pos + i]))
			return -1;
	memcpy(kid, token + pos, klen);
	kid[klen] = '\0';
	memcpy(sig, token + len - MM_SIGN_SIG_LEN, MM_SIGN_SIG_LEN);
	sig[MM_SIGN_SIG_LEN] = '\0';
	for (i = 0; i < MM_SIGN_SIG_LEN; i++)
		if (!base64url_char(sig[i]))
			return -1;
	if (strcmp(max, "-") != 0)
	{
		/* 1 to 18 digits, no leading zero: always an int64, never 0 */
		if (max[0] < '1' || max[0] > '9' || strlen(max) > 18)
			return -1;
		for (i = 0; max[i]; i++)
		{
			if (max[i] < '0' || max[i] > '9')
				return -1;
			f->max_bytes = f->max_bytes * 10 + (max[i] - '0');
		}
	}
	olen = strlen(owner64);
	if (olen == 0)
		return -1;
	for (i = 0; i < olen; i++)
		if (!base64url_char(owner64[i]))
			return -1;
	if (mm_base64_decoded_max(olen) > sizeof(raw) ||
		mm_base64_decode(owner64, olen, raw, &olen, &bad) != MM_B64_OK ||
		olen == 0 || olen > MM_SIGN_OWNER_MAX || memchr(raw, '\0', olen) != NULL)
		return -1;
	memcpy(owner, raw, olen);
	owner[olen] = '\0';
	f->owner = owner;
	f->purpose = MM_SIGN_UPLOAD;
	return 0;
}

/* Reads exp; see util/signed_url.h. */
int
mm_sign_parse_expires(const char *text, int64_t *out)
{
	int64_t		v = 0;
	size_t		i;

	if (text == NULL || text[0] == '\0')
		return -1;
	for (i = 0; text[i]; i++)
	{
		if (i == MM_SIGN_EXPIRES_MAX || text[i] < '0' || text[i] > '9')
			return -1;
		v = v * 10 + (text[i] - '0');
	}
	*out = v;
	return 0;
}

/* Checks a URL's signature and expiry; see util/signed_url.h. */
mm_sign_status
mm_sign_verify(const mm_sign_keys *keys, const char *kid, const char *sig,
			   const mm_signed_fields *f, int64_t now)
{
	const mm_sign_key *key = NULL;
	char		want[MM_SIGN_SIG_LEN + 1];
	int			k;
	int			same;

	if (kid == NULL || sig == NULL || (f->id == NULL && f->purpose == MM_SIGN_READ) ||
		strlen(sig) != MM_SIGN_SIG_LEN)
		return MM_SIGN_MALFORMED;
	for (k = 0; k < keys->n; k++)
		if (strcmp(keys->key[k].id, kid) == 0)
			key = &keys->key[k];
	if (key == NULL)
		return MM_SIGN_UNKNOWN_KEY;
	mm_sign_fields(key, f, want);
	same = mm_equal_const_time(want, sig, MM_SIGN_SIG_LEN);
	memset(want, 0, sizeof(want));
	if (!same)
		return MM_SIGN_BAD_SIGNATURE;
	if (now > f->expires)
		return MM_SIGN_EXPIRED;
	return MM_SIGN_OK;
}

/* Describes a status. */
const char *
mm_sign_status_text(mm_sign_status status)
{
	switch (status)
	{
		case MM_SIGN_OK:
			return "the signature is valid";
		case MM_SIGN_MALFORMED:
			return "the URL's kid, sig or exp is missing or malformed";
		case MM_SIGN_UNKNOWN_KEY:
			return "the URL is signed with a key that is not in force";
		case MM_SIGN_BAD_SIGNATURE:
			return "the signature does not match the URL";
		case MM_SIGN_EXPIRED:
			return "the URL has expired";
	}
	return "?";
}
