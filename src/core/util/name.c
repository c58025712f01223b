/*
 * util/name.c - sanitizing client-supplied file names (pure C, no PostgreSQL).
 *
 * The input may be long and arbitrary, so nothing is copied before the
 * output is decided: a small iterator walks the last path component and
 * yields the characters that survive filtering, and two passes over it
 * (measure, then copy) give the trimmed and truncated result without a
 * heap allocation.
 */
#include "util/name.h"

#include <stdint.h>
#include <string.h>

#define NAME_EXT_MAX 16			/* bytes of extension kept, the dot included */

/* Walks the kept characters of in[pos..end). */
typedef struct name_iter
{
	const unsigned char *in;
	size_t		pos;
	size_t		end;
} name_iter;

/*
 * Decodes one UTF-8 sequence at s[0..n) strictly (no overlong forms, no
 * surrogates, nothing above U+10FFFF).  Returns its length and sets *cp, or
 * returns 0 when s does not start with a valid sequence.
 */
static size_t
name_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t	c = s[0];
	size_t		len;
	uint32_t	min;
	size_t		i;

	if (c < 0x80)
	{
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF)
	{
		len = 2;
		min = 0x80;
		c &= 0x1F;
	}
	else if (c >= 0xE0 && c <= 0xEF)
	{
		len = 3;
		min = 0x800;
		c &= 0x0F;
	}
	else if (c >= 0xF0 && c <= 0xF4)
	{
		len = 4;
		min = 0x10000;
		c &= 0x07;
	}
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++)
	{
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

/*
 * Characters dropped even though they are valid: controls (C0, DEL, C1),
 * the line and paragraph separators, and the bidirectional controls that
 * can make a name display as something else ("txt.exe" shown as
 * "exe.txt"): embeddings/overrides, isolates and the implicit marks.
 */
static int
name_is_dropped(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
		return 1;
	if (cp >= 0x2028 && cp <= 0x202E)	/* LS, PS, LRE, RLE, PDF, LRO, RLO */
		return 1;
	if (cp >= 0x2066 && cp <= 0x2069)	/* LRI, RLI, FSI, PDI */
		return 1;
	if (cp == 0x200E || cp == 0x200F || cp == 0x061C)	/* LRM, RLM, ALM */
		return 1;
	return 0;
}

/*
 * Advances to the next kept character: sets *start and *len to its bytes in
 * the input and returns its first byte (an ASCII value, or >= 0x80 for a
 * multibyte character); returns -1 at the end.  Invalid bytes are skipped
 * one at a time.
 */
static int
name_next(name_iter *it, size_t *start, size_t *len)
{
	while (it->pos < it->end)
	{
		uint32_t	cp = 0;
		size_t		n = name_utf8_decode(it->in + it->pos, it->end - it->pos, &cp);

		if (n == 0)
		{
			it->pos++;
			continue;
		}
		it->pos += n;
		if (name_is_dropped(cp))
			continue;
		*start = it->pos - n;
		*len = n;
		return it->in[*start];
	}
	return -1;
}

/* Is c (from name_next) a space or a dot, the characters trimmed at the ends? */
static int
name_is_trimmed(int c)
{
	return c == ' ' || c == '.';
}

/*
 * Copies the kept characters of in[from..to) into out[*o..) while they fit
 * in limit bytes in total.  Returns nonzero when all of them fitted.
 */
static int
name_copy(const unsigned char *in, size_t from, size_t to, char *out,
		  size_t *o, size_t limit)
{
	name_iter	it;
	size_t		s;
	size_t		n;

	it.in = in;
	it.pos = from;
	it.end = to;
	while (name_next(&it, &s, &n) >= 0)
	{
		if (n > limit - *o)
			return 0;
		memcpy(out + *o, in + s, n);
		*o += n;
	}
	return 1;
}

/* Removes trailing spaces and dots from out[0..*o). */
static void
name_trim_end(char *out, size_t *o)
{
	while (*o > 0 && name_is_trimmed((unsigned char) out[*o - 1]))
		(*o)--;
}

/*
 * Sanitizes a file name as documented in util/name.h.  The first pass finds
 * the trimmed range, its kept length and the last dot; the second copies,
 * keeping the extension when the stem must be shortened.
 */
size_t
mm_sanitize_name(const char *in, size_t inlen, char *out)
{
	const unsigned char *s = (const unsigned char *) in;
	size_t		comp = 0;
	size_t		i;
	name_iter	it;
	size_t		cs;
	size_t		cn;
	int			c;
	size_t		first = 0;		/* input offset of the first kept non-trimmed char */
	size_t		last_end = 0;	/* input offset just past the last one */
	int			have = 0;
	size_t		kept = 0;		/* kept bytes from first up to the current char */
	size_t		kept_len = 0;	/* kept bytes in [first, last_end) */
	size_t		dot = 0;		/* input offset of the last '.' after first */
	size_t		dot_kept = 0;	/* kept bytes in [first, dot) */
	int			have_dot = 0;
	size_t		cand = 0;		/* the last '.' seen so far, and its dot_kept */
	size_t		cand_kept = 0;
	int			have_cand = 0;
	size_t		o = 0;

	out[0] = '\0';
	if (in == NULL)
		return 0;

	/* the last path component; separators are ASCII, so never inside UTF-8 */
	for (i = 0; i < inlen; i++)
	{
		if (s[i] == '/' || s[i] == '\\')
			comp = i + 1;
	}

	it.in = s;
	it.pos = comp;
	it.end = inlen;
	while ((c = name_next(&it, &cs, &cn)) >= 0)
	{
		if (!have)
		{
			if (name_is_trimmed(c))
				continue;
			have = 1;
			first = cs;
		}
		if (c == '.')
		{
			have_cand = 1;
			cand = cs;
			cand_kept = kept;
		}
		kept += cn;
		if (!name_is_trimmed(c))
		{
			last_end = cs + cn;
			kept_len = kept;
			if (have_cand)
			{
				/* the last dot before the last kept char starts the extension */
				have_dot = 1;
				dot = cand;
				dot_kept = cand_kept;
			}
		}
	}
	if (!have)
		return 0;

	if (kept_len <= MM_NAME_MAX)
		name_copy(s, first, last_end, out, &o, MM_NAME_MAX);
	else if (have_dot && kept_len - dot_kept <= NAME_EXT_MAX)
	{
		/* shorten the stem, then append the extension */
		name_copy(s, first, dot, out, &o, MM_NAME_MAX - (kept_len - dot_kept));
		name_trim_end(out, &o);
		name_copy(s, dot, last_end, out, &o, MM_NAME_MAX);
	}
	else
	{
		name_copy(s, first, last_end, out, &o, MM_NAME_MAX);
		name_trim_end(out, &o);
	}
	out[o] = '\0';
	return o;
}
