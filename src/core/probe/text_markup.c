/*
 * probe/text_markup.c - markup sniffing for the text probe: SVG, HTML,
 * XHTML and XML.
 *
 * Markup is recognised by case-insensitive tag checks.  Unlike the WHATWG
 * HTML table this walks an XML prolog (the declaration, processing
 * instructions, comments, a doctype) to the root element, so an <svg> root
 * is found after them, and an HTML page with an inline <svg> stays
 * text/html.  SVG's width and height become display pixels (px, unitless,
 * pt, pc, mm, cm, in, em, ex; a percentage or a missing value falls back to
 * the viewBox, keeping its aspect ratio).
 */
#include "probe/text.h"

/* Prolog constructs (comments, PIs, doctype) walked before the root. */
#define TEXT_MAX_PROLOG 256

/* Attributes looked at in the root element's start tag. */
#define TEXT_MAX_ATTRS 256

/* Longest element or attribute name we compare. */
#define TEXT_MAX_NAME 64

/* Largest SVG size in pixels we report (larger is unknown). */
#define SVG_MAX_PX 1.0e9

/* An attribute value found in the root start tag. */
typedef struct text_attr
{
	const uint8_t *v;
	size_t		len;
	int			found;
} text_attr;

/*
 * Skips a doctype's body from pos (just after "<!DOCTYPE") to past its
 * closing '>', stepping over quoted strings and an internal subset.
 * Returns len when it does not end inside the buffer.
 */
static size_t
text_skip_doctype(const mm_text_view *t, size_t pos)
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
text_name_len(const mm_text_view *t, size_t pos)
{
	size_t		n = 0;

	while (pos + n < t->len && n <= TEXT_MAX_NAME && mm_text_namechar(t->p[pos + n]))
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
text_root_attrs(const mm_text_view *t, size_t pos, text_attr *width, text_attr *height,
				text_attr *viewbox, int *xmlns)
{
	int			i;

	for (i = 0; i < TEXT_MAX_ATTRS; i++)
	{
		size_t		nlen;
		size_t		npos;
		const uint8_t *v = NULL;
		size_t		vlen = 0;

		pos = mm_text_skip_space(t, pos);
		if (pos >= t->len || t->p[pos] == '>' || t->p[pos] == '/')
			return;
		npos = pos;
		while (pos < t->len && !mm_text_space(t->p[pos]) && t->p[pos] != '=' &&
			   t->p[pos] != '>' && t->p[pos] != '/')
			pos++;
		nlen = pos - npos;
		if (nlen == 0)
			return;
		pos = mm_text_skip_space(t, pos);
		if (pos < t->len && t->p[pos] == '=')
		{
			pos = mm_text_skip_space(t, pos + 1);
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

				while (pos < t->len && !mm_text_space(t->p[pos]) && t->p[pos] != '>')
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
	while (pos < a->len && mm_text_space(a->v[pos]))
		pos++;
	if (!svg_number(a->v, a->len, &pos, &v))
		return 0;
	end = a->len;
	while (end > pos && mm_text_space(a->v[end - 1]))
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
		while (pos < a->len && (mm_text_space(a->v[pos]) || a->v[pos] == ','))
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
mm_text_markup
mm_text_markup_sniff(const mm_text_view *t, mm_probe *out)
{
	size_t		pos = mm_text_skip_space(t, 0);
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
		return MM_MARKUP_NONE;
	for (i = 0; i < TEXT_MAX_PROLOG; i++)
	{
		pos = mm_text_skip_space(t, pos);
		if (pos + 1 >= t->len || t->p[pos] != '<')
			break;
		if (t->p[pos + 1] == '?')
		{
			if (mm_ascii_iprefix(t->p + pos, t->len - pos, "<?xml") &&
				pos + 5 < t->len && (mm_text_space(t->p[pos + 5]) || t->p[pos + 5] == '?'))
				xml_decl = 1;
			pos = mm_text_find(t, pos + 2, "?>");
			if (pos >= t->len)
				break;
			pos += 2;
		}
		else if (mm_ascii_iprefix(t->p + pos, t->len - pos, "<!--"))
		{
			comment = 1;
			pos = mm_text_find(t, pos + 4, "-->");
			if (pos >= t->len)
				break;
			pos += 3;
		}
		else if (mm_ascii_iprefix(t->p + pos, t->len - pos, "<!DOCTYPE"))
		{
			size_t		npos = mm_text_skip_space(t, pos + 9);
			size_t		n = text_name_len(t, npos);

			if (mm_ascii_ieq(t->p + npos, n, "html"))
				doctype_html = 1;
			else if (mm_ascii_ieq(t->p + npos, n, "svg") ||
					 (n > 4 && mm_ascii_ieq(t->p + npos + n - 4, 4, ":svg")))
				doctype_svg = 1;
			pos = text_skip_doctype(t, pos + 9);
		}
		else if ((rlen = text_name_len(t, pos + 1)) > 0 &&
				 (pos + 1 + rlen >= t->len || mm_text_space(t->p[pos + 1 + rlen]) ||
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
			return MM_MARKUP_SVG;
		}
		/* an html root is XHTML only in an XML document */
		if (mm_ascii_ieq(name, rlen, "html"))
			return xml_decl ? MM_MARKUP_XHTML : MM_MARKUP_HTML;
		if (text_html_tag(name, rlen) && !xml_decl)
			return MM_MARKUP_HTML;
		if (xml_decl || xmlns || doctype_svg)
			return MM_MARKUP_XML;
		if (doctype_html || comment)
			return MM_MARKUP_HTML;		/* WHATWG: "<!--" sniffs as HTML */
		return MM_MARKUP_NONE;
	}
	/* no root element inside the buffer */
	if (doctype_html)
		return MM_MARKUP_HTML;
	if (xml_decl || doctype_svg)
		return MM_MARKUP_XML;
	if (comment)
		return MM_MARKUP_HTML;			/* WHATWG: "<!--" sniffs as HTML */
	return MM_MARKUP_NONE;
}
