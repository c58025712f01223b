/*
 * util/accept.c - Accept header evaluation (RFC 9110 section 12.5.1).
 *
 * Accept = #( media-range [ weight ] ), media-range = ( "* / *" /
 * type "/ *" / type "/" subtype ) *( OWS ";" OWS parameter ), weight =
 * OWS ";" OWS "q=" qvalue.  The value is walked member by member without
 * copying; a comma inside a quoted parameter value does not end a member.
 */
#include "util/accept.h"

#include <string.h>

/* One member of an Accept value, as parsed. */
typedef struct accept_range
{
	const char *type;			/* type[0..type_len) */
	size_t		type_len;
	const char *subtype;
	size_t		subtype_len;
	int			q;				/* thousandths */
} accept_range;

/* Is c a tchar (RFC 9110 token character)? */
static int
is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Skips optional whitespace (SP, HTAB) from s[*i] on. */
static void
skip_ows(const char *s, size_t n, size_t *i)
{
	while (*i < n && (s[*i] == ' ' || s[*i] == '\t'))
		(*i)++;
}

/* Reads a token at s[*i]; returns its length (0: none). */
static size_t
read_token(const char *s, size_t n, size_t *i)
{
	size_t		start = *i;

	while (*i < n && is_tchar((unsigned char) s[*i]))
		(*i)++;
	return *i - start;
}

/*
 * Reads a qvalue: "0" [ "." 0*3DIGIT ] or "1" [ "." 0*3("0") ]; returns it
 * in thousandths, or -1 when s[0..n) is not exactly one.
 */
static int
parse_qvalue(const char *s, size_t n)
{
	size_t		i;
	int			q;
	int			scale = 100;

	if (n == 0 || (s[0] != '0' && s[0] != '1'))
		return -1;
	q = (s[0] - '0') * 1000;
	if (n == 1)
		return q;
	if (s[1] != '.' || n > 5)
		return -1;
	for (i = 2; i < n; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return -1;
		q += (s[i] - '0') * scale;
		scale /= 10;
	}
	return q > 1000 ? -1 : q;
}

/*
 * Reads a parameter value (token or quoted-string) at s[*i]; sets *v and
 * *vlen to the token (quoted strings are not unquoted: q never is one).
 * Returns 0 when there is none or the quoted string is not closed.
 */
static int
read_param_value(const char *s, size_t n, size_t *i, const char **v, size_t *vlen)
{
	*v = s + *i;
	if (*i < n && s[*i] == '"')
	{
		(*i)++;
		while (*i < n && s[*i] != '"')
		{
			if (s[*i] == '\\' && *i + 1 < n)
				(*i)++;
			(*i)++;
		}
		if (*i >= n)
			return 0;
		(*i)++;
		*vlen = (size_t) (s + *i - *v);
		return 1;
	}
	*vlen = read_token(s, n, i);
	return *vlen > 0;
}

/*
 * Parses the member starting at s[*i] into r and leaves *i after its
 * comma (or at n).  Returns 1 when the member is well formed, 0 when it
 * is to be skipped (empty or malformed).
 */
static int
next_range(const char *s, size_t n, size_t *i, accept_range *r)
{
	int			ok = 1;
	int			seen_q = 0;

	skip_ows(s, n, i);
	r->type = s + *i;
	r->type_len = read_token(s, n, i);
	r->q = 1000;
	if (r->type_len == 0 || *i >= n || s[*i] != '/')
		ok = 0;
	else
	{
		(*i)++;
		r->subtype = s + *i;
		r->subtype_len = read_token(s, n, i);
		if (r->subtype_len == 0)
			ok = 0;
	}
	while (ok)
	{
		const char *name;
		size_t		name_len;
		const char *v;
		size_t		vlen;

		skip_ows(s, n, i);
		if (*i >= n || s[*i] != ';')
			break;
		(*i)++;
		skip_ows(s, n, i);
		name = s + *i;
		name_len = read_token(s, n, i);
		if (name_len == 0 || *i >= n || s[*i] != '=')
		{
			ok = 0;
			break;
		}
		(*i)++;
		if (!read_param_value(s, n, i, &v, &vlen))
			ok = 0;
		/* the first q is the weight; parameters after it are accept-ext */
		else if (!seen_q && name_len == 1 && (name[0] == 'q' || name[0] == 'Q'))
		{
			r->q = parse_qvalue(v, vlen);
			seen_q = 1;
			if (r->q < 0)
				ok = 0;
		}
	}
	skip_ows(s, n, i);
	if (*i < n && s[*i] != ',')
		ok = 0;
	/* skip to the end of this member, stepping over quoted strings */
	while (*i < n && s[*i] != ',')
	{
		if (s[*i] == '"')
		{
			(*i)++;
			while (*i < n && s[*i] != '"')
				*i += (s[*i] == '\\' && *i + 1 < n) ? 2 : 1;
		}
		if (*i < n)
			(*i)++;
	}
	if (*i < n)
		(*i)++;
	return ok;
}

/* Does a[0..n) equal the NUL-terminated b, ignoring ASCII case? */
static int
equals_ci(const char *a, size_t n, const char *b, size_t bn)
{
	size_t		k;

	if (n != bn)
		return 0;
	for (k = 0; k < n; k++)
	{
		unsigned char x = (unsigned char) a[k];
		unsigned char y = (unsigned char) b[k];

		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if (x != y)
			return 0;
	}
	return 1;
}

/*
 * How specifically range r names type/subtype: 3 exactly, 2 by type/ *,
 * 1 by * / *, 0 not at all.
 */
static int
specificity(const accept_range *r, const char *type, size_t tlen,
			const char *subtype, size_t slen)
{
	int			star_sub = r->subtype_len == 1 && r->subtype[0] == '*';

	if (r->type_len == 1 && r->type[0] == '*')
		return star_sub ? 1 : 0;
	if (!equals_ci(r->type, r->type_len, type, tlen))
		return 0;
	if (star_sub)
		return 2;
	return equals_ci(r->subtype, r->subtype_len, subtype, slen) ? 3 : 0;
}

/* The q-value accept gives type; see util/accept.h. */
int
mm_accept_q(const char *accept, size_t len, const char *type, int exact_only)
{
	const char *slash = type ? strchr(type, '/') : NULL;
	size_t		i = 0;
	int			best_spec = 0;
	int			best_q = -1;

	if (accept == NULL || slash == NULL)
		return -1;
	while (i < len)
	{
		accept_range r = {0};
		int			spec;

		if (!next_range(accept, len, &i, &r))
			continue;
		spec = specificity(&r, type, (size_t) (slash - type), slash + 1, strlen(slash + 1));
		if (spec == 0 || (exact_only && spec < 3) || spec < best_spec)
			continue;
		if (spec > best_spec || r.q > best_q)
			best_q = r.q;
		best_spec = spec;
	}
	return best_q;
}

/* The image format to answer with; see util/accept.h. */
mm_accept_image_choice
mm_accept_image(const char *accept, size_t len)
{
	int			avif;
	int			webp;
	int			jpeg;
	int			png;
	int			legacy;

	if (accept == NULL)
		return MM_ACCEPT_JPEG_OR_PNG;
	avif = mm_accept_q(accept, len, "image/avif", 1);
	webp = mm_accept_q(accept, len, "image/webp", 1);
	jpeg = mm_accept_q(accept, len, "image/jpeg", 0);
	png = mm_accept_q(accept, len, "image/png", 0);
	legacy = jpeg > png ? jpeg : png;
	if (avif > 0 && avif >= webp && avif >= legacy)
		return MM_ACCEPT_AVIF;
	if (webp > 0 && webp >= legacy)
		return MM_ACCEPT_WEBP;
	if (jpeg > 0 && png > 0)
		return MM_ACCEPT_JPEG_OR_PNG;
	if (jpeg > 0)
		return MM_ACCEPT_JPEG;
	if (png > 0)
		return MM_ACCEPT_PNG;
	return MM_ACCEPT_NONE;
}
