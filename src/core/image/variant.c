/*
 * image/variant.c - parsing and normalising a variant spec (image/variant.h).
 *
 * Works on a (pointer, length) view, never reads past it, and refuses
 * anything outside the grammar with a reason, since a variant comes from a
 * URL and picks what the server computes.
 */
#include "image/variant.h"
#include "util/http.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int	variant_error(char *err, size_t errlen, const char *fmt,...)
#if defined(__GNUC__)
			__attribute__((format(printf, 3, 4)))
#endif
			;

/* Writes a formatted reason into err and returns -1. */
static int
variant_error(char *err, size_t errlen, const char *fmt,...)
{
	va_list		ap;

	if (err != NULL && errlen > 0)
	{
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* True for a byte of a key or value token. */
static int
is_token_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Advances *p over spaces and tabs up to end. */
static void
skip_ows(const char **p, const char *end)
{
	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
}

/* Reads a token at *p: its start and length; 0 when there is none. */
static size_t
read_token(const char **p, const char *end, const char **tok)
{
	*tok = *p;
	while (*p < end && is_token_char(**p))
		(*p)++;
	return (size_t) (*p - *tok);
}

/* A box side 1..max_side from a token of digits; -1 when it is not one. */
static int
read_side(const char *s, size_t n, int max_side)
{
	long		v = 0;
	size_t		i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
		if (v > max_side)
			return -1;
	}
	return v >= 1 ? (int) v : -1;
}

/* Parses a variant spec as documented in image/variant.h. */
int
mm_variant_parse(const char *s, size_t len, int max_side, mm_variant *v,
				 char *err, size_t errlen)
{
	const char *p = s;
	const char *end;
	int			seen_w = 0,
				seen_h = 0,
				seen_format = 0;

	if (s == NULL || v == NULL)
		return variant_error(err, errlen, "The variant is missing.");
	if (len > MM_VARIANT_MAX_LEN)
		return variant_error(err, errlen, "A variant has at most %d bytes.", MM_VARIANT_MAX_LEN);
	end = s + len;
	v->width = 0;
	v->height = 0;
	v->format = MM_THUMB_JPEG;

	for (;;)
	{
		const char *key;
		const char *val;
		size_t		keylen;
		size_t		vallen;

		skip_ows(&p, end);
		keylen = read_token(&p, end, &key);
		skip_ows(&p, end);
		if (keylen == 0 || p == end || *p != '=')
			return variant_error(err, errlen,
								 "Each item of a variant is key=value, separated by commas (e.g. \"w=256,h=256,format=jpeg\").");
		p++;
		skip_ows(&p, end);
		vallen = read_token(&p, end, &val);
		skip_ows(&p, end);
		if (vallen == 0 || (p != end && *p != ','))
			return variant_error(err, errlen,
								 "The value of \"%.*s\" must be letters or digits, followed by a comma or the end.",
								 (int) keylen, key);

		if (mm_http_token_is(key, keylen, "w") || mm_http_token_is(key, keylen, "h"))
		{
			int			is_w = key[0] == 'w' || key[0] == 'W';
			int			side = read_side(val, vallen, max_side);

			if ((is_w && seen_w++) || (!is_w && seen_h++))
				return variant_error(err, errlen, "\"%c\" is given twice.", is_w ? 'w' : 'h');
			if (side < 0)
				return variant_error(err, errlen, "%c must be a whole number from 1 to %d.",
									 is_w ? 'w' : 'h', max_side);
			if (is_w)
				v->width = side;
			else
				v->height = side;
		}
		else if (mm_http_token_is(key, keylen, "format"))
		{
			if (seen_format++)
				return variant_error(err, errlen, "\"format\" is given twice.");
			if (mm_http_token_is(val, vallen, "jpeg") || mm_http_token_is(val, vallen, "jpg"))
				v->format = MM_THUMB_JPEG;
			else if (mm_http_token_is(val, vallen, "png"))
				v->format = MM_THUMB_PNG;
			else
				return variant_error(err, errlen, "format must be jpeg or png.");
		}
		else
			return variant_error(err, errlen, "Unknown key \"%.*s\": a variant has w, h and format.",
								 (int) (keylen > 32 ? 32 : keylen), key);

		if (p == end)
			break;
		p++;					/* the comma */
	}
	if (!seen_w || !seen_h)
		return variant_error(err, errlen, "A variant needs both w and h.");
	return 0;
}

/* The normalised form: every key, in a fixed order, lower case. */
size_t
mm_variant_format(const mm_variant *v, char *buf, size_t n)
{
	int			r = snprintf(buf, n, "w=%d,h=%d,format=%s", v->width, v->height,
							 v->format == MM_THUMB_PNG ? "png" : "jpeg");

	return r < 0 ? 0 : (size_t) r;
}
