/*
 * probe/text.c - text formats, tried last: SVG, HTML, XHTML, XML, JSON,
 * RTF, XBM, XPM and plain text (markup in probe/text_markup.c, JSON in
 * probe/text_json.c, RTF/XBM/XPM in probe/text_legacy.c).
 *
 * Following the WHATWG MIME Sniffing ideas: a byte order mark is skipped,
 * then leading whitespace; text starting with "<" is sniffed as markup,
 * other UTF-8 without binary bytes as JSON, then the legacy formats, then
 * plain text.  All of it looks at no more than the first MM_TEXT_PREFIX
 * bytes (converted to ASCII for UTF-16).
 *
 * HTML, XHTML, XML and SVG set active_content: scripts could run in them.
 */
#include "probe/text.h"

/* UTF-16 code units converted for sniffing. */
#define UTF16_UNITS 8192

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

/*
 * Whether p[2..len) (after the byte order mark) is UTF-16 text: no code
 * unit that is a binary data byte (NUL and the other controls text does not
 * hold), no non-character U+FFFE/U+FFFF, every surrogate in a proper pair.
 * When prefix is set a pair cut off by the buffer's end is accepted.
 * As libmagic's looks_ucs16(): a BOM alone does not make binary data text.
 */
static int
text_utf16_ok(const uint8_t *p, size_t len, int le, int prefix)
{
	size_t		i;

	for (i = 2; i + 1 < len; i += 2)
	{
		uint16_t	cu = le ? mm_le16(p + i) : mm_be16(p + i);

		if ((cu < 0x80 && text_binary_byte((uint8_t) cu)) || cu == 0xFFFE || cu == 0xFFFF)
			return 0;
		if (cu >= 0xDC00 && cu <= 0xDFFF)
			return 0;			/* a low surrogate without its high one */
		if (cu >= 0xD800 && cu <= 0xDBFF)
		{
			uint16_t	lo;

			if (i + 3 >= len)
				return prefix;
			lo = le ? mm_le16(p + i + 2) : mm_be16(p + i + 2);
			if (lo < 0xDC00 || lo > 0xDFFF)
				return 0;
			i += 2;
		}
	}
	return 1;
}

/* ---- the probe ---- */

/* Sets the type for a markup kind. */
static void
text_set_markup(mm_text_markup mk, mm_probe *out)
{
	int64_t		w = out->width;
	int64_t		h = out->height;

	switch (mk)
	{
		case MM_MARKUP_SVG:
			mm_probe_set_type(out, "image/svg+xml");
			out->width = w;
			out->height = h;
			break;
		case MM_MARKUP_HTML:
			mm_probe_set_type(out, "text/html");
			break;
		case MM_MARKUP_XHTML:
			mm_probe_set_type(out, "application/xhtml+xml");
			break;
		case MM_MARKUP_XML:
			mm_probe_set_type(out, "application/xml");
			break;
		case MM_MARKUP_NONE:
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
	mm_text_view	t;
	mm_text_markup mk;

	for (i = 2; i + 1 < len && n < sizeof(buf); i += 2)
	{
		uint16_t	cu = le ? mm_le16(p + i) : mm_be16(p + i);

		buf[n++] = cu < 0x80 ? (uint8_t) cu : 0x80;
	}
	t.p = buf;
	t.len = n;
	t.prefix = 1;
	out->width = out->height = -1;
	mk = mm_text_markup_sniff(&t, out);
	if (mk != MM_MARKUP_NONE)
		text_set_markup(mk, out);
	else
		mm_probe_set_type(out, "text/plain");
	mm_probe_add_str(out, "charset", le ? "utf-16le" : "utf-16be");
	return MM_FMT_YES;
}

/*
 * Probes text: UTF-16 by its BOM when the code units after it are text;
 * else markup when the first non-blank byte is "<"; else, for UTF-8 without
 * binary bytes, JSON, RTF, XBM, XPM or plain text.  Binary heads are rejected before more bytes are asked for.
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
	mm_text_view	t;
	mm_text_markup mk;

	if (headlen == 0)
		return MM_FMT_NO;
	if (headlen >= 2 && ((head[0] == 0xFE && head[1] == 0xFF) || (head[0] == 0xFF && head[1] == 0xFE)))
	{
		if ((p = mm_peek(src, 0, n, &st)) == NULL)
			return st == MM_SRC_NEED ? MM_FMT_NEED : MM_FMT_NO;
		if (!text_utf16_ok(p, n, head[0] == 0xFF, n < src->size))
			return MM_FMT_NO;
		return text_utf16(p, n, head[0] == 0xFF, out);
	}
	if (headlen >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF)
		bom = 3;

	/* cheap rejections on the head before asking for more bytes */
	for (first = bom; first < headlen && mm_text_space(head[first]); first++)
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

	mk = mm_text_markup_sniff(&t, out);
	if (mk != MM_MARKUP_NONE)
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
	first = mm_text_skip_space(&t, 0);
	if (first < t.len && (t.p[first] == '{' || t.p[first] == '[') &&
		mm_text_json_valid(t.p + first, t.len - first, t.prefix))
	{
		mm_probe_set_type(out, "application/json");
		return MM_FMT_YES;
	}
	if (mm_text_legacy(&t, first, out))
		return MM_FMT_YES;
	mm_probe_set_type(out, "text/plain");
	mm_probe_add_str(out, "charset", "utf-8");
	return MM_FMT_YES;
}
