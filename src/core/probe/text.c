/*
 * probe/text.c - text formats, tried last: SVG, HTML, XHTML, XML, JSON,
 * RTF, XBM, XPM and plain text.
 *
 * Following the WHATWG MIME Sniffing ideas: a byte order mark is skipped,
 * then leading whitespace; markup is recognised by case-insensitive tag
 * checks.  Unlike the WHATWG HTML table this walks an XML prolog (the
 * declaration, processing instructions, comments, a doctype) to the root
 * element, so an <svg> root is found after them, and an HTML page with an
 * inline <svg> stays text/html.  All of it looks at no more than the first
 * MM_TEXT_PREFIX bytes (converted to ASCII for UTF-16).
 *
 * HTML, XHTML, XML and SVG set active_content: scripts could run in them.
 * SVG's width and height become display pixels (px, unitless, pt, pc, mm,
 * cm, in, em, ex; a percentage or a missing value falls back to the
 * viewBox, keeping its aspect ratio).
 */
#include <string.h>

#include "probe/scan.h"

/* Prolog constructs (comments, PIs, doctype) walked before the root. */
#define TEXT_MAX_PROLOG 256

/* Attributes looked at in the root element's start tag. */
#define TEXT_MAX_ATTRS 256

/* Longest element or attribute name we compare. */
#define TEXT_MAX_NAME 64

/* Nesting depth the JSON validator follows. */
#define JSON_MAX_DEPTH 512

/* UTF-16 code units converted for sniffing. */
#define UTF16_UNITS 8192

/* Largest SVG size in pixels we report (larger is unknown). */
#define SVG_MAX_PX 1.0e9

/* The markup kinds the sniffer tells apart. */
typedef enum text_markup
{
	MK_NONE,
	MK_HTML,
	MK_XHTML,
	MK_XML,
	MK_SVG
} text_markup;

/* A bounded view of the text. */
typedef struct text_view
{
	const uint8_t *p;
	size_t		len;
	int			prefix;			/* the file goes on past len */
} text_view;

/* An attribute value found in the root start tag. */
typedef struct text_attr
{
	const uint8_t *v;
	size_t		len;
	int			found;
} text_attr;

/* Whether c is XML/HTML whitespace. */
static int
text_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Whether c may appear in an element or attribute name. */
static int
text_namechar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		c == '_' || c == ':' || c == '-' || c == '.';
}

/* Skips whitespace from pos. */
static size_t
text_skip_space(const text_view *t, size_t pos)
{
	while (pos < t->len && text_space(t->p[pos]))
		pos++;
	return pos;
}

/* Finds the ASCII string s at or after pos; returns its offset or len. */
static size_t
text_find(const text_view *t, size_t pos, const char *s)
{
	size_t		n = strlen(s);

	for (; pos < t->len && t->len - pos >= n; pos++)
		if (t->p[pos] == (uint8_t) s[0] && memcmp(t->p + pos, s, n) == 0)
			return pos;
	return t->len;
}

/*
 * Whether the byte is a WHATWG "binary data byte" (a control character
 * that text does not contain).
 */
static int
text_binary_byte(uint8_t c)
{
	return c <= 0x08 || c == 0x0B || (c >= 0x0E && c <= 0x1A) || (c >= 0x1C && c <= 0x1F);
}

/*
 * Whether p[0..len) is UTF-8 without binary bytes; when prefix is set a
 * sequence cut off by the end of the buffer is accepted.
 */
static int
text_utf8_ok(const uint8_t *p, size_t len, int prefix)
{
	size_t		i = 0;

	while (i < len)
	{
		uint8_t		c = p[i];
		int			n;
		uint32_t	cp;
		uint32_t	min;
		int			k;

		if (c < 0x80)
		{
			if (text_binary_byte(c))
				return 0;
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
		{
			n = 1;
			cp = c & 0x1F;
			min = 0x80;
		}
		else if (c >= 0xE0 && c <= 0xEF)
		{
			n = 2;
			cp = c & 0x0F;
			min = 0x800;
		}
		else if (c >= 0xF0 && c <= 0xF4)
		{
			n = 3;
			cp = c & 0x07;
			min = 0x10000;
		}
		else
			return 0;
		for (k = 1; k <= n; k++)
		{
			if (i + k >= len)
				return prefix;	/* cut off by the buffer's end */
			if ((p[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += n + 1;
	}
	return 1;
}

/* ---- markup ---- */

/*
 * Skips a doctype's body from pos (just after "<!DOCTYPE") to past its
 * closing '>', stepping over quoted strings and an internal subset.
 * Returns len when it does not end inside the buffer.
 */
static size_t
text_skip_doctype(const text_view *t, size_t pos)
{
	int			subset = 0;
	uint8_t		quote = 0;

	for (; pos < t->len; pos++)
	{
		uint8_t		c = t->p[pos];

		if (quote)
		{
			if (c == quote)
				quote = 0;
		}
		else if (c == '"' || c == '\'')
			quote = c;
		else if (c == '[')
			subset = 1;
		else if (c == ']')
			subset = 0;
		else if (c == '>' && !subset)
			return pos + 1;
	}
	return t->len;
}

/* Reads a name at pos into its length; 0 when none. */
static size_t
text_name_len(const text_view *t, size_t pos)
{
	size_t		n = 0;

	while (pos + n < t->len && n <= TEXT_MAX_NAME && text_namechar(t->p[pos + n]))
		n++;
	return n > TEXT_MAX_NAME ? 0 : n;
}

/* Whether the element name (n bytes at p) is one the WHATWG HTML table names. */
static int
text_html_tag(const uint8_t *p, size_t n)
{
	static const char *const tags[] = {
		"html", "head", "body", "script", "iframe", "h1", "div", "font", "table",
		"a", "style", "title", "b", "br", "p", "meta", "link", NULL
	};
	int			i;

	for (i = 0; tags[i]; i++)
		if (mm_ascii_ieq(p, n, tags[i]))
			return 1;
	return 0;
}

/*
 * Walks the root element's start tag attributes from pos (after its name),
 * collecting width, height, viewBox and whether an xmlns attribute
 * appears.
 */
static void
text_root_attrs(const text_view *t, size_t pos, text_attr *width, text_attr *height,
				text_attr *viewbox, int *xmlns)
{
	int			i;

	for (i = 0; i < TEXT_MAX_ATTRS; i++)
	{
		size_t		nlen;
		size_t		npos;
		const uint8_t *v = NULL;
		size_t		vlen = 0;

		pos = text_skip_space(t, pos);
		if (pos >= t->len || t->p[pos] == '>' || t->p[pos] == '/')
			return;
		npos = pos;
		while (pos < t->len && !text_space(t->p[pos]) && t->p[pos] != '=' &&
			   t->p[pos] != '>' && t->p[pos] != '/')
			pos++;
		nlen = pos - npos;
		if (nlen == 0)
			return;
		pos = text_skip_space(t, pos);
		if (pos < t->len && t->p[pos] == '=')
		{
			pos = text_skip_space(t, pos + 1);
			if (pos >= t->len)
				return;
			if (t->p[pos] == '"' || t->p[pos] == '\'')
			{
				uint8_t		q = t->p[pos++];
				size_t		vstart = pos;

				while (pos < t->len && t->p[pos] != q)
					pos++;
				if (pos >= t->len)
					return;		/* value runs past the buffer */
				v = t->p + vstart;
				vlen = pos - vstart;
				pos++;
			}
			else
			{
				size_t		vstart = pos;

				while (pos < t->len && !text_space(t->p[pos]) && t->p[pos] != '>')
					pos++;
				v = t->p + vstart;
				vlen = pos - vstart;
			}
		}
		if (v == NULL)
			continue;
		if (nlen == 5 && memcmp(t->p + npos, "width", 5) == 0 && !width->found)
			*width = (text_attr) {v, vlen, 1};
		else if (nlen == 6 && memcmp(t->p + npos, "height", 6) == 0 && !height->found)
			*height = (text_attr) {v, vlen, 1};
		else if (nlen == 7 && memcmp(t->p + npos, "viewBox", 7) == 0 && !viewbox->found)
			*viewbox = (text_attr) {v, vlen, 1};
		else if (nlen >= 5 && memcmp(t->p + npos, "xmlns", 5) == 0 &&
				 (nlen == 5 || t->p[npos + 5] == ':'))
			*xmlns = 1;
	}
}

/* ---- SVG lengths ---- */

/*
 * Parses a decimal number (sign, digits, fraction, exponent) at p[*pos]
 * without strtod, whose result would depend on the C locale.  Returns 1
 * and *v on success.
 */
static int
svg_number(const uint8_t *p, size_t len, size_t *pos, double *v)
{
	size_t		i = *pos;
	double		x = 0;
	double		scale = 1;
	int			neg = 0;
	int			digits = 0;
	int			exp = 0;
	int			eneg = 0;

	if (i < len && (p[i] == '+' || p[i] == '-'))
		neg = p[i++] == '-';
	while (i < len && p[i] >= '0' && p[i] <= '9')
	{
		if (x < 1e300)
			x = x * 10 + (p[i] - '0');
		i++;
		digits++;
	}
	if (i < len && p[i] == '.')
	{
		i++;
		while (i < len && p[i] >= '0' && p[i] <= '9')
		{
			if (scale > 1e-300)
			{
				scale /= 10;
				x += (p[i] - '0') * scale;
			}
			i++;
			digits++;
		}
	}
	if (digits == 0)
		return 0;
	if (i + 1 < len && (p[i] == 'e' || p[i] == 'E') &&
		((p[i + 1] >= '0' && p[i + 1] <= '9') ||
		 ((p[i + 1] == '+' || p[i + 1] == '-') && i + 2 < len && p[i + 2] >= '0' && p[i + 2] <= '9')))
	{
		i++;
		if (p[i] == '+' || p[i] == '-')
			eneg = p[i++] == '-';
		while (i < len && p[i] >= '0' && p[i] <= '9')
		{
			if (exp < 1000)
				exp = exp * 10 + (p[i] - '0');
			i++;
		}
		while (exp-- > 0 && x != 0 && x < 1e300)
			x = eneg ? x / 10 : x * 10;
	}
	*v = neg ? -x : x;
	*pos = i;
	return 1;
}

/*
 * Converts an SVG length attribute to CSS pixels.  Returns 1 with *px,
 * 0 when absent or unparseable, 2 for a percentage (use the viewBox).
 */
static int
svg_length(const text_attr *a, double *px)
{
	static const struct
	{
		const char *unit;
		double		factor;
	}			units[] = {
		{"px", 1.0}, {"pt", 96.0 / 72.0}, {"pc", 16.0}, {"mm", 96.0 / 25.4},
		{"cm", 96.0 / 2.54}, {"in", 96.0}, {"em", 16.0}, {"ex", 8.0}
	};
	size_t		pos = 0;
	size_t		end;
	double		v;
	size_t		i;

	if (!a->found)
		return 0;
	while (pos < a->len && text_space(a->v[pos]))
		pos++;
	if (!svg_number(a->v, a->len, &pos, &v))
		return 0;
	end = a->len;
	while (end > pos && text_space(a->v[end - 1]))
		end--;
	if (end == pos)
	{
		*px = v;
		return 1;
	}
	if (end - pos == 1 && a->v[pos] == '%')
		return 2;
	if (end - pos != 2)
		return 0;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
	{
		if (mm_ascii_ieq(a->v + pos, 2, units[i].unit))
		{
			*px = v * units[i].factor;
			return 1;
		}
	}
	return 0;
}

/* Parses a viewBox "min-x min-y width height"; 1 with *w, *h when valid. */
static int
svg_viewbox(const text_attr *a, double *w, double *h)
{
	double		v[4];
	size_t		pos = 0;
	int			i;

	if (!a->found)
		return 0;
	for (i = 0; i < 4; i++)
	{
		while (pos < a->len && (text_space(a->v[pos]) || a->v[pos] == ','))
			pos++;
		if (!svg_number(a->v, a->len, &pos, &v[i]))
			return 0;
	}
	if (!(v[2] > 0 && v[3] > 0))
		return 0;
	*w = v[2];
	*h = v[3];
	return 1;
}

/*
 * Rounds a pixel size to an integer (at least 1: a positive size never
 * becomes 0), or -1 when not a sensible size.
 */
static int64_t
svg_px(double v)
{
	if (!(v > 0) || v > SVG_MAX_PX)
		return -1;
	return v < 1.5 ? 1 : (int64_t) (v + 0.5);
}

/* Works out the SVG display size from width, height and viewBox. */
static void
svg_size(const text_attr *width, const text_attr *height, const text_attr *viewbox,
		 mm_probe *out)
{
	double		w = 0;
	double		h = 0;
	double		vw = 0;
	double		vh = 0;
	int			hw = svg_length(width, &w) == 1 && w > 0;
	int			hh = svg_length(height, &h) == 1 && h > 0;
	int			hv = svg_viewbox(viewbox, &vw, &vh);

	if (hv)
	{
		if (hw && !hh)
			h = w * vh / vw;
		else if (hh && !hw)
			w = h * vw / vh;
		else if (!hw && !hh)
		{
			w = vw;
			h = vh;
		}
		hw = hh = 1;
	}
	if (hw && hh)
	{
		out->width = svg_px(w);
		out->height = svg_px(h);
	}
}

/*
 * Sniffs markup: walks the prolog to the root element and decides HTML,
 * XHTML, XML or SVG.  For SVG, also the display size.
 */
static text_markup
text_markup_sniff(const text_view *t, mm_probe *out)
{
	size_t		pos = text_skip_space(t, 0);
	int			xml_decl = 0;
	int			comment = 0;
	int			doctype_html = 0;
	int			doctype_svg = 0;
	size_t		root = 0;
	size_t		rlen = 0;
	int			i;
	text_attr	width = {NULL, 0, 0};
	text_attr	height = {NULL, 0, 0};
	text_attr	viewbox = {NULL, 0, 0};
	int			xmlns = 0;

	if (pos >= t->len || t->p[pos] != '<')
		return MK_NONE;
	for (i = 0; i < TEXT_MAX_PROLOG; i++)
	{
		pos = text_skip_space(t, pos);
		if (pos + 1 >= t->len || t->p[pos] != '<')
			break;
		if (t->p[pos + 1] == '?')
		{
			if (mm_ascii_iprefix(t->p + pos, t->len - pos, "<?xml") &&
				pos + 5 < t->len && (text_space(t->p[pos + 5]) || t->p[pos + 5] == '?'))
				xml_decl = 1;
			pos = text_find(t, pos + 2, "?>");
			if (pos >= t->len)
				break;
			pos += 2;
		}
		else if (mm_ascii_iprefix(t->p + pos, t->len - pos, "<!--"))
		{
			comment = 1;
			pos = text_find(t, pos + 4, "-->");
			if (pos >= t->len)
				break;
			pos += 3;
		}
		else if (mm_ascii_iprefix(t->p + pos, t->len - pos, "<!DOCTYPE"))
		{
			size_t		npos = text_skip_space(t, pos + 9);
			size_t		n = text_name_len(t, npos);

			if (mm_ascii_ieq(t->p + npos, n, "html"))
				doctype_html = 1;
			else if (mm_ascii_ieq(t->p + npos, n, "svg") ||
					 (n > 4 && mm_ascii_ieq(t->p + npos + n - 4, 4, ":svg")))
				doctype_svg = 1;
			pos = text_skip_doctype(t, pos + 9);
		}
		else if ((rlen = text_name_len(t, pos + 1)) > 0 &&
				 (pos + 1 + rlen >= t->len || text_space(t->p[pos + 1 + rlen]) ||
				  t->p[pos + 1 + rlen] == '>' || t->p[pos + 1 + rlen] == '/'))
		{
			root = pos + 1;
			break;
		}
		else
		{
			rlen = 0;
			break;
		}
	}

	if (rlen > 0)
	{
		const uint8_t *name = t->p + root;

		text_root_attrs(t, root + rlen, &width, &height, &viewbox, &xmlns);
		if (mm_ascii_ieq(name, rlen, "svg") ||
			(rlen > 4 && mm_ascii_ieq(name + rlen - 4, 4, ":svg")))
		{
			svg_size(&width, &height, &viewbox, out);
			return MK_SVG;
		}
		/* an html root is XHTML only in an XML document */
		if (mm_ascii_ieq(name, rlen, "html"))
			return xml_decl ? MK_XHTML : MK_HTML;
		if (text_html_tag(name, rlen) && !xml_decl)
			return MK_HTML;
		if (xml_decl || xmlns || doctype_svg)
			return MK_XML;
		if (doctype_html || comment)
			return MK_HTML;		/* WHATWG: "<!--" sniffs as HTML */
		return MK_NONE;
	}
	/* no root element inside the buffer */
	if (doctype_html)
		return MK_HTML;
	if (xml_decl || doctype_svg)
		return MK_XML;
	if (comment)
		return MK_HTML;			/* WHATWG: "<!--" sniffs as HTML */
	return MK_NONE;
}

/* ---- JSON ---- */

/* JSON validator state: a bounded stack of open containers. */
typedef struct json_state
{
	const uint8_t *p;
	size_t		len;
	size_t		pos;
	int			depth;
	uint8_t		stack[JSON_MAX_DEPTH];
} json_state;

/* Result of scanning one token. */
enum
{
	JSON_BAD = 0,
	JSON_OK = 1,
	JSON_CUT = 2				/* the buffer ended inside it */
};

/* Scans a string from the opening quote at pos. */
static int
json_string(json_state *j)
{
	size_t		i = j->pos + 1;

	while (i < j->len)
	{
		uint8_t		c = j->p[i];

		if (c == '"')
		{
			j->pos = i + 1;
			return JSON_OK;
		}
		if (c < 0x20)
			return JSON_BAD;
		if (c == '\\')
		{
			int			k;

			if (i + 1 >= j->len)
				return JSON_CUT;
			c = j->p[i + 1];
			if (c == 'u')
			{
				for (k = 2; k < 6; k++)
				{
					uint8_t		h;

					if (i + k >= j->len)
						return JSON_CUT;
					h = j->p[i + k];
					if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F')))
						return JSON_BAD;
				}
				i += 6;
				continue;
			}
			if (!strchr("\"\\/bfnrt", c) || c == 0)
				return JSON_BAD;
			i += 2;
			continue;
		}
		i++;
	}
	return JSON_CUT;
}

/* Scans a number at pos: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int
json_number(json_state *j)
{
	size_t		i = j->pos;
	const uint8_t *p = j->p;
	size_t		n;

	if (i < j->len && p[i] == '-')
		i++;
	if (i >= j->len)
		return JSON_CUT;
	if (p[i] == '0')
		i++;
	else if (p[i] >= '1' && p[i] <= '9')
	{
		while (i < j->len && p[i] >= '0' && p[i] <= '9')
			i++;
	}
	else
		return JSON_BAD;
	if (i < j->len && p[i] == '.')
	{
		n = ++i;
		while (i < j->len && p[i] >= '0' && p[i] <= '9')
			i++;
		if (i >= j->len)
			return JSON_CUT;
		if (i == n)
			return JSON_BAD;
	}
	if (i < j->len && (p[i] == 'e' || p[i] == 'E'))
	{
		i++;
		if (i < j->len && (p[i] == '+' || p[i] == '-'))
			i++;
		n = i;
		while (i < j->len && p[i] >= '0' && p[i] <= '9')
			i++;
		if (i >= j->len)
			return JSON_CUT;
		if (i == n)
			return JSON_BAD;
	}
	if (i >= j->len)
		return JSON_CUT;
	j->pos = i;
	return JSON_OK;
}

/* Scans a literal (true, false, null) at pos. */
static int
json_literal(json_state *j)
{
	static const char *const lits[] = {"true", "false", "null"};
	int			k;

	for (k = 0; k < 3; k++)
	{
		size_t		n = strlen(lits[k]);
		size_t		avail = j->len - j->pos;

		if (j->p[j->pos] != (uint8_t) lits[k][0])
			continue;
		if (avail < n)
			return memcmp(j->p + j->pos, lits[k], avail) == 0 ? JSON_CUT : JSON_BAD;
		if (memcmp(j->p + j->pos, lits[k], n) != 0)
			return JSON_BAD;
		j->pos += n;
		return JSON_OK;
	}
	return JSON_BAD;
}

/*
 * Validates JSON whose top level is an object or array.  With prefix set,
 * a buffer that ends inside the document is accepted as long as nothing
 * before the end is wrong.
 */
static int
json_valid(const uint8_t *p, size_t len, int prefix)
{
	json_state	j;
	enum
	{
		J_VALUE, J_VALUE_OR_END, J_KEY, J_KEY_OR_END, J_COLON, J_AFTER
	}			expect = J_VALUE;
	size_t		steps;

	j.p = p;
	j.len = len;
	j.pos = 0;
	j.depth = 0;
	for (steps = 0; steps <= len; steps++)
	{
		uint8_t		c;
		int			r = JSON_OK;

		while (j.pos < len && text_space(p[j.pos]) && p[j.pos] != '\f')
			j.pos++;
		if (j.pos >= len)
			return prefix ? steps > 0 : (j.depth == 0 && expect == J_AFTER);
		c = p[j.pos];
		if (steps == 0 && c != '{' && c != '[')
			return 0;
		switch (expect)
		{
			case J_AFTER:
				if (j.depth == 0)
					return 0;	/* something after the top-level value */
				if (c == ',')
				{
					expect = j.stack[j.depth - 1] == '{' ? J_KEY : J_VALUE;
					j.pos++;
				}
				else if ((c == '}' || c == ']') && j.stack[j.depth - 1] == (c == '}' ? '{' : '['))
				{
					j.depth--;
					j.pos++;
				}
				else
					return 0;
				break;
			case J_COLON:
				if (c != ':')
					return 0;
				j.pos++;
				expect = J_VALUE;
				break;
			case J_KEY_OR_END:
			case J_KEY:
				if (c == '}' && expect == J_KEY_OR_END)
				{
					j.depth--;
					j.pos++;
					expect = J_AFTER;
					break;
				}
				if (c != '"')
					return 0;
				r = json_string(&j);
				expect = J_COLON;
				break;
			case J_VALUE_OR_END:
				if (c == ']')
				{
					j.depth--;
					j.pos++;
					expect = J_AFTER;
					break;
				}
				/* FALLTHROUGH */
			case J_VALUE:
				if (c == '{' || c == '[')
				{
					if (j.depth >= JSON_MAX_DEPTH)
						return 0;
					j.stack[j.depth++] = c;
					j.pos++;
					expect = c == '{' ? J_KEY_OR_END : J_VALUE_OR_END;
					break;
				}
				if (c == '"')
					r = json_string(&j);
				else if (c == '-' || (c >= '0' && c <= '9'))
					r = json_number(&j);
				else
					r = json_literal(&j);
				expect = J_AFTER;
				break;
		}
		if (r == JSON_BAD)
			return 0;
		if (r == JSON_CUT)
			return prefix;
	}
	return 0;
}

/* ---- XBM, XPM ---- */

/* Skips whitespace and C comments from pos. */
static size_t
text_skip_c_space(const text_view *t, size_t pos)
{
	int			i;

	for (i = 0; i < 64; i++)
	{
		pos = text_skip_space(t, pos);
		if (pos + 1 < t->len && t->p[pos] == '/' && t->p[pos + 1] == '*')
		{
			pos = text_find(t, pos + 2, "*/");
			if (pos >= t->len)
				return pos;
			pos += 2;
		}
		else
			break;
	}
	return pos;
}

/* Reads a decimal integer at *pos (at most 9 digits); -1 when none. */
static int64_t
text_int(const text_view *t, size_t *pos)
{
	int64_t		v = 0;
	int			nd = 0;

	*pos = text_skip_space(t, *pos);
	while (*pos < t->len && t->p[*pos] >= '0' && t->p[*pos] <= '9' && nd < 9)
	{
		v = v * 10 + (t->p[(*pos)++] - '0');
		nd++;
	}
	return nd ? v : -1;
}

/*
 * XBM: C source whose first statement is "#define <name>_width <n>", then
 * "#define <name>_height <n>".
 */
static int
text_xbm(const text_view *t, mm_probe *out)
{
	size_t		pos = text_skip_c_space(t, 0);
	int64_t		w = -1;
	int64_t		h = -1;
	int			line;

	if (!mm_ascii_iprefix(t->p + pos, t->len - pos, "#define "))
		return 0;
	for (line = 0; line < 8 && pos < t->len; line++)
	{
		size_t		npos;
		size_t		nend;

		pos = text_skip_space(t, pos);
		if (!mm_ascii_iprefix(t->p + pos, t->len - pos, "#define "))
			break;
		npos = text_skip_space(t, pos + 8);
		nend = npos;
		while (nend < t->len && text_namechar(t->p[nend]))
			nend++;
		pos = nend;
		if (nend - npos >= 6 && memcmp(t->p + nend - 6, "_width", 6) == 0)
			w = text_int(t, &pos);
		else if (nend - npos >= 7 && memcmp(t->p + nend - 7, "_height", 7) == 0)
			h = text_int(t, &pos);
		while (pos < t->len && t->p[pos] != '\n')
			pos++;
	}
	if (w < 0 || h < 0)
		return 0;
	mm_probe_set_type(out, "image/x-xbitmap");
	mm_set_size(out, w, h);
	return 1;
}

/*
 * XPM: "/ * XPM * /" then a C array whose first string is "w h ncolors
 * chars_per_pixel"; XPM2 ("! XPM2") puts that line second.
 */
static int
text_xpm(const text_view *t, mm_probe *out)
{
	size_t		pos = text_skip_space(t, 0);
	int64_t		w;
	int64_t		h;

	if (mm_ascii_iprefix(t->p + pos, t->len - pos, "/* XPM */"))
	{
		size_t		brace = text_find(t, pos, "{");

		pos = brace < t->len ? text_find(t, brace, "\"") : t->len;
		if (pos < t->len)
			pos++;
	}
	else if (mm_ascii_iprefix(t->p + pos, t->len - pos, "! XPM2"))
	{
		while (pos < t->len && t->p[pos] != '\n')
			pos++;
	}
	else
		return 0;
	mm_probe_set_type(out, "image/x-xpixmap");
	if (pos >= t->len)
		return 1;
	w = text_int(t, &pos);
	h = text_int(t, &pos);
	if (w >= 0 && h >= 0)
		mm_set_size(out, w, h);
	return 1;
}

/* ---- the probe ---- */

/* Sets the type for a markup kind. */
static void
text_set_markup(text_markup mk, mm_probe *out)
{
	int64_t		w = out->width;
	int64_t		h = out->height;

	switch (mk)
	{
		case MK_SVG:
			mm_probe_set_type(out, "image/svg+xml");
			out->width = w;
			out->height = h;
			break;
		case MK_HTML:
			mm_probe_set_type(out, "text/html");
			break;
		case MK_XHTML:
			mm_probe_set_type(out, "application/xhtml+xml");
			break;
		case MK_XML:
			mm_probe_set_type(out, "application/xml");
			break;
		case MK_NONE:
			return;
	}
	out->active_content = 1;
}

/*
 * UTF-16 with a byte order mark: the first UTF16_UNITS code units are
 * narrowed to ASCII (anything else becomes 0x80) and sniffed for markup;
 * otherwise it is plain text.
 */
static int
text_utf16(const uint8_t *p, size_t len, int le, mm_probe *out)
{
	uint8_t		buf[UTF16_UNITS];
	size_t		n = 0;
	size_t		i;
	text_view	t;
	text_markup mk;

	for (i = 2; i + 1 < len && n < sizeof(buf); i += 2)
	{
		uint16_t	cu = le ? mm_le16(p + i) : mm_be16(p + i);

		buf[n++] = cu < 0x80 ? (uint8_t) cu : 0x80;
	}
	t.p = buf;
	t.len = n;
	t.prefix = 1;
	out->width = out->height = -1;
	mk = text_markup_sniff(&t, out);
	if (mk != MK_NONE)
		text_set_markup(mk, out);
	else
		mm_probe_set_type(out, "text/plain");
	mm_probe_add_str(out, "charset", le ? "utf-16le" : "utf-16be");
	return MM_FMT_YES;
}

/*
 * Probes text: UTF-16 by its BOM; else markup when the first non-blank
 * byte is "<"; else, for UTF-8 without binary bytes, JSON, RTF, XBM, XPM
 * or plain text.  Binary heads are rejected before more bytes are asked for.
 */
int
mm_probe_text(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	size_t		n = src->size < MM_TEXT_PREFIX ? (size_t) src->size : MM_TEXT_PREFIX;
	size_t		bom = 0;
	size_t		first;
	size_t		i;
	const uint8_t *p;
	mm_src_status st;
	text_view	t;
	text_markup mk;

	if (headlen == 0)
		return MM_FMT_NO;
	if (headlen >= 2 && ((head[0] == 0xFE && head[1] == 0xFF) || (head[0] == 0xFF && head[1] == 0xFE)))
	{
		if ((p = mm_peek(src, 0, n, &st)) == NULL)
			return st == MM_SRC_NEED ? MM_FMT_NEED : MM_FMT_NO;
		return text_utf16(p, n, head[0] == 0xFF, out);
	}
	if (headlen >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF)
		bom = 3;

	/* cheap rejections on the head before asking for more bytes */
	for (first = bom; first < headlen && text_space(head[first]); first++)
		;
	if (first >= headlen || head[first] != '<')
	{
		for (i = bom; i < headlen; i++)
			if (text_binary_byte(head[i]))
				return MM_FMT_NO;
		if (!text_utf8_ok(head + bom, headlen - bom, headlen < src->size))
			return MM_FMT_NO;
	}

	if ((p = mm_peek(src, 0, n, &st)) == NULL)
		return st == MM_SRC_NEED ? MM_FMT_NEED : MM_FMT_NO;
	t.p = p + bom;
	t.len = n - bom;
	t.prefix = n < src->size;

	mk = text_markup_sniff(&t, out);
	if (mk != MK_NONE)
	{
		text_set_markup(mk, out);
		if (bom)
			mm_probe_add_str(out, "charset", "utf-8");
		return MM_FMT_YES;
	}
	out->width = out->height = -1;

	/* everything below is text: no binary bytes, valid UTF-8 */
	if (!text_utf8_ok(t.p, t.len, t.prefix) || t.len == 0)
		return MM_FMT_NO;
	first = text_skip_space(&t, 0);
	if (first < t.len && (t.p[first] == '{' || t.p[first] == '[') &&
		json_valid(t.p + first, t.len - first, t.prefix))
	{
		mm_probe_set_type(out, "application/json");
		return MM_FMT_YES;
	}
	if (t.len - first >= 6 && memcmp(t.p + first, "{\\rtf1", 6) == 0)
	{
		mm_probe_set_type(out, "application/rtf");
		return MM_FMT_YES;
	}
	if (text_xbm(&t, out) || text_xpm(&t, out))
		return MM_FMT_YES;
	mm_probe_set_type(out, "text/plain");
	mm_probe_add_str(out, "charset", "utf-8");
	return MM_FMT_YES;
}
