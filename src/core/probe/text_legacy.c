/*
 * probe/text_legacy.c - the older text formats the text probe recognises
 * once the text is neither markup nor JSON: RTF ("{\\rtf1"), X BitMap
 * (XBM, C "#define" lines) and X PixMap (XPM and XPM2, with their size).
 */
#include "probe/text.h"

/* Skips whitespace and C comments from pos. */
static size_t
text_skip_c_space(const mm_text_view *t, size_t pos)
{
	int			i;

	for (i = 0; i < 64; i++)
	{
		pos = mm_text_skip_space(t, pos);
		if (pos + 1 < t->len && t->p[pos] == '/' && t->p[pos + 1] == '*')
		{
			pos = mm_text_find(t, pos + 2, "*/");
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
text_int(const mm_text_view *t, size_t *pos)
{
	int64_t		v = 0;
	int			nd = 0;

	*pos = mm_text_skip_space(t, *pos);
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
text_xbm(const mm_text_view *t, mm_probe *out)
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

		pos = mm_text_skip_space(t, pos);
		if (!mm_ascii_iprefix(t->p + pos, t->len - pos, "#define "))
			break;
		npos = mm_text_skip_space(t, pos + 8);
		nend = npos;
		while (nend < t->len && mm_text_namechar(t->p[nend]))
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
text_xpm(const mm_text_view *t, mm_probe *out)
{
	size_t		pos = mm_text_skip_space(t, 0);
	int64_t		w;
	int64_t		h;

	if (mm_ascii_iprefix(t->p + pos, t->len - pos, "/* XPM */"))
	{
		size_t		brace = mm_text_find(t, pos, "{");

		pos = brace < t->len ? mm_text_find(t, brace, "\"") : t->len;
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

/* Recognises RTF, XBM or XPM; see probe/text.h. */
int
mm_text_legacy(const mm_text_view *t, size_t first, mm_probe *out)
{
	if (t->len - first >= 6 && memcmp(t->p + first, "{\\rtf1", 6) == 0)
	{
		mm_probe_set_type(out, "application/rtf");
		return 1;
	}
	return text_xbm(t, out) || text_xpm(t, out);
}
