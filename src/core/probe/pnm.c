/*
 * probe/pnm.c - Netpbm: PBM (P1, P4), PGM (P2, P5), PPM (P3, P6), PAM (P7),
 * and xv's thumbnails ("P7 332": 8-bit RGB 3-3-2 pixels, not PAM).
 *
 * "P" and a digit is weak evidence, so the magic must be followed by
 * whitespace or a comment and the width must parse as a decimal number;
 * otherwise the bytes are left to the text probe.  The header is read from
 * the first MM_HEAD_LEN bytes only; "#" comments may appear between fields.
 * MIME types are spelled as libmagic does (there is no WHATWG spelling).
 */
#include <string.h>

#include "probe/scan.h"

/* Digits accepted in one number: more would not fit in int64. */
#define PNM_MAX_DIGITS 18

/* A cursor over the header bytes. */
typedef struct pnm_cur
{
	const uint8_t *p;
	size_t		len;
	size_t		pos;
} pnm_cur;

/* Whether c is Netpbm whitespace. */
static int
pnm_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Skips whitespace and "#" comments (to the end of the line). */
static void
pnm_skip(pnm_cur *c)
{
	while (c->pos < c->len)
	{
		if (pnm_space(c->p[c->pos]))
			c->pos++;
		else if (c->p[c->pos] == '#')
		{
			while (c->pos < c->len && c->p[c->pos] != '\n' && c->p[c->pos] != '\r')
				c->pos++;
		}
		else
			break;
	}
}

/*
 * Reads a decimal number after optional whitespace and comments.  Returns
 * 1 and *v, or 0 when no digits are there or there are too many.
 */
static int
pnm_number(pnm_cur *c, int64_t *v)
{
	int			ndigits = 0;

	pnm_skip(c);
	*v = 0;
	while (c->pos < c->len && c->p[c->pos] >= '0' && c->p[c->pos] <= '9')
	{
		if (++ndigits > PNM_MAX_DIGITS)
			return 0;
		*v = *v * 10 + (c->p[c->pos] - '0');
		c->pos++;
	}
	return ndigits > 0;
}

/* Bits needed for samples up to maxval (1..65535 in valid files). */
static int
pnm_bits(int64_t maxval)
{
	int			bits = 0;

	while (maxval > 0 && bits < 64)
	{
		bits++;
		maxval >>= 1;
	}
	return bits;
}

/*
 * Whether the line at c starts with keyword kw followed by whitespace; on
 * success the cursor is moved past the keyword.
 */
static int
pnm_keyword(pnm_cur *c, const char *kw)
{
	size_t		n = strlen(kw);

	if (c->len - c->pos <= n || memcmp(c->p + c->pos, kw, n) != 0 || !pnm_space(c->p[c->pos + n]))
		return 0;
	c->pos += n;
	return 1;
}

/* Parses a PAM header: KEYWORD value lines up to ENDHDR. */
static void
pnm_pam(pnm_cur *c, mm_probe *out)
{
	int64_t		w = -1;
	int64_t		h = -1;
	int64_t		v;
	int			lines;

	for (lines = 0; lines < 64 && c->pos < c->len; lines++)
	{
		pnm_skip(c);
		if (pnm_keyword(c, "ENDHDR"))
			break;
		if (pnm_keyword(c, "WIDTH") && pnm_number(c, &v))
			w = v;
		else if (pnm_keyword(c, "HEIGHT") && pnm_number(c, &v))
			h = v;
		else if (pnm_keyword(c, "DEPTH") && pnm_number(c, &v))
			mm_probe_add_int(out, "components", v);
		else if (pnm_keyword(c, "MAXVAL") && pnm_number(c, &v))
			mm_probe_add_int(out, "bit_depth", pnm_bits(v));
		else if (pnm_keyword(c, "TUPLTYPE"))
		{
			pnm_skip(c);
			if (mm_ascii_iprefix(c->p + c->pos, c->len - c->pos, "RGB_ALPHA") ||
				mm_ascii_iprefix(c->p + c->pos, c->len - c->pos, "GRAYSCALE_ALPHA"))
				mm_probe_add_bool(out, "has_alpha", 1);
		}
		/* on to the next line */
		while (c->pos < c->len && c->p[c->pos] != '\n')
			c->pos++;
	}
	mm_set_size(out, w, h);
}

/* Probes Netpbm: magic, then the decimal header fields in head. */
int
mm_probe_pnm(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	pnm_cur		c;
	int			kind;
	int64_t		w;
	int64_t		h;
	int64_t		maxval;
	static const char *const mimes[8] = {
		NULL,
		"image/x-portable-bitmap", "image/x-portable-greymap", "image/x-portable-pixmap",
		"image/x-portable-bitmap", "image/x-portable-greymap", "image/x-portable-pixmap",
		"image/x-portable-arbitrarymap"
	};

	(void) src;
	if (headlen < 3 || head[0] != 'P' || head[1] < '1' || head[1] > '7' ||
		!(pnm_space(head[2]) || head[2] == '#'))
		return MM_FMT_NO;
	kind = head[1] - '0';
	c.p = head;
	c.len = headlen;
	c.pos = 2;

	if (kind == 7 && headlen >= 6 && memcmp(head + 2, " 332", 4) == 0)
	{
		/* not PAM: xv's thumbnail, "P7 332", comments, then width height maxval */
		mm_probe_set_type(out, "image/x-xv-thumbnail");
		c.pos = 6;
		if (pnm_number(&c, &w) && pnm_number(&c, &h))
			mm_set_size(out, w, h);
		return MM_FMT_YES;
	}
	if (kind == 7)
	{
		mm_probe_set_type(out, mimes[7]);
		pnm_pam(&c, out);
		return MM_FMT_YES;
	}
	if (!pnm_number(&c, &w))
		return MM_FMT_NO;
	mm_probe_set_type(out, mimes[kind]);
	if (!pnm_number(&c, &h))
		return MM_FMT_YES;
	mm_set_size(out, w, h);
	mm_probe_add_bool(out, "binary", kind >= 4);
	if (kind == 1 || kind == 4)
		mm_probe_add_int(out, "bit_depth", 1);
	else if (pnm_number(&c, &maxval))
		mm_probe_add_int(out, "bit_depth", pnm_bits(maxval));
	return MM_FMT_YES;
}
