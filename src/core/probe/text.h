/*
 * probe/text.h - what the text probes share (private to probe/text*.c):
 * the bounded view of the text being sniffed, the markup kinds, small
 * character helpers, and the entry points of the markup, JSON and legacy
 * text sniffers that mm_probe_text() (probe/text.c) calls in turn.
 */
#ifndef MM_PROBE_TEXT_H
#define MM_PROBE_TEXT_H

#include <string.h>

#include "probe/scan.h"

/* The markup kinds the sniffer tells apart. */
typedef enum mm_text_markup
{
	MM_MARKUP_NONE,
	MM_MARKUP_HTML,
	MM_MARKUP_XHTML,
	MM_MARKUP_XML,
	MM_MARKUP_SVG
} mm_text_markup;

/* A bounded view of the text. */
typedef struct mm_text_view
{
	const uint8_t *p;
	size_t		len;
	int			prefix;			/* the file goes on past len */
} mm_text_view;

/* Whether c is XML/HTML whitespace. */
static inline int
mm_text_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Whether c may appear in an element or attribute name. */
static inline int
mm_text_namechar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		c == '_' || c == ':' || c == '-' || c == '.';
}

/* Skips whitespace from pos. */
static inline size_t
mm_text_skip_space(const mm_text_view *t, size_t pos)
{
	while (pos < t->len && mm_text_space(t->p[pos]))
		pos++;
	return pos;
}

/* Finds the ASCII string s at or after pos; returns its offset or len. */
static inline size_t
mm_text_find(const mm_text_view *t, size_t pos, const char *s)
{
	size_t		n = strlen(s);

	for (; pos < t->len && t->len - pos >= n; pos++)
		if (t->p[pos] == (uint8_t) s[0] && memcmp(t->p + pos, s, n) == 0)
			return pos;
	return t->len;
}

/*
 * Sniffs markup (probe/text_markup.c): walks the prolog to the root element
 * and decides HTML, XHTML, XML or SVG; for SVG also sets the display size.
 */
mm_text_markup mm_text_markup_sniff(const mm_text_view *t, mm_probe *out);

/*
 * Validates JSON whose top level is an object or array (probe/text_json.c);
 * with prefix set, a buffer that ends inside the document is accepted as
 * long as nothing before the end is wrong.
 */
int			mm_text_json_valid(const uint8_t *p, size_t len, int prefix);

/*
 * Recognises the legacy text formats (probe/text_legacy.c): RTF from its
 * "{\rtf1" at first (the first non-blank byte), then XBM and XPM.  Returns 1
 * after filling in *out, 0 when the text is none of them.
 */
int			mm_text_legacy(const mm_text_view *t, size_t first, mm_probe *out);

#endif
