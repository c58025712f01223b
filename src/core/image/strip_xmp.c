/*
 * image/strip_xmp.c - blanking location properties in an XMP packet.
 *
 * XMP writes the GPS position as exif:GPSLatitude, exif:GPSLongitude,
 * exif:GPSAltitude... either as attributes of rdf:Description
 * (exif:GPSLatitude="48,51.5N") or as elements
 * (<exif:GPSLatitude>48,51.5N</exif:GPSLatitude>).  Any property whose
 * local name starts with "GPS" (any case, any namespace prefix: cameras
 * and drones use their own) is overwritten with spaces: the whole
 * attribute, or the whole element from its start tag to its end tag.
 * Whitespace is allowed in both places, so the packet stays well-formed
 * XML and keeps its length (XMP packets reserve padding for in-place
 * edits).  A malformed property loses at least its name.  The scan reads
 * only inside the packet and its cost is bounded (SCAN_BUDGET).
 */
#include <string.h>

#include "image/strip_internal.h"


/* A byte of an XML name (ASCII part; other bytes end the name). */
static int
name_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		c == '_' || c == '-' || c == '.' || c >= 0x80;
}

/* XML whitespace. */
static int
space_char(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Is p[at..at+3) "gps" in any case? */
static int
is_gps(const uint8_t *p, size_t len, size_t at)
{
	return at + 3 <= len && (p[at] | 0x20) == 'g' && (p[at + 1] | 0x20) == 'p' &&
		(p[at + 2] | 0x20) == 's';
}

/*
 * The bytes the end-finding scans below may still look at, over the whole
 * packet: a hostile packet of many unterminated candidates costs at most
 * this much, then candidates are blanked without looking for their end.
 */
#define SCAN_BUDGET ((size_t) 16 * 1024 * 1024)

/* Where a scan from pos may look: up to len, or less when the budget is short. */
static size_t
scan_limit(size_t len, size_t pos, size_t *budget)
{
	size_t		n = len - pos < *budget ? len - pos : *budget;

	*budget -= n;
	return pos + n;
}

/*
 * End (one past the '>') of the tag whose name ends at pos, skipping quoted
 * attribute values; 0 when the packet (or the budget) ends first.
 */
static size_t
tag_end(const uint8_t *p, size_t len, size_t pos, size_t *budget)
{
	uint8_t		quote = 0;
	size_t		limit = scan_limit(len, pos, budget);

	for (; pos < limit; pos++)
	{
		if (quote)
		{
			if (p[pos] == quote)
				quote = 0;
		}
		else if (p[pos] == '"' || p[pos] == '\'')
			quote = p[pos];
		else if (p[pos] == '>')
			return pos + 1;
	}
	return 0;
}

/*
 * End of the element whose start tag ends at after: after itself for an
 * empty-element tag, else one past its end tag "</name>"; 0 if none.
 */
static size_t
element_end(const uint8_t *p, size_t len, size_t after, const uint8_t *name, size_t nlen,
			size_t *budget)
{
	size_t		pos;
	size_t		limit;

	if (p[after - 2] == '/')
		return after;
	limit = scan_limit(len, after, budget);
	for (pos = after; pos + nlen + 3 <= limit; pos++)
		if (p[pos] == '<' && p[pos + 1] == '/' && memcmp(p + pos + 2, name, nlen) == 0 &&
			p[pos + 2 + nlen] == '>')
			return pos + nlen + 3;
	return 0;
}

/*
 * End of the attribute value that starts after name (ending at pos):
 * optional spaces, '=', optional spaces, a quoted value; 0 if it is not one.
 */
static size_t
attribute_end(const uint8_t *p, size_t len, size_t pos, size_t *budget)
{
	uint8_t		quote;
	size_t		limit;

	while (pos < len && space_char(p[pos]))
		pos++;
	if (pos >= len || p[pos] != '=')
		return 0;
	pos++;
	while (pos < len && space_char(p[pos]))
		pos++;
	if (pos >= len || (p[pos] != '"' && p[pos] != '\''))
		return 0;
	quote = p[pos++];
	limit = scan_limit(len, pos, budget);
	while (pos < limit && p[pos] != quote)
		pos++;
	return pos < limit ? pos + 1 : 0;
}

/*
 * End of what to blank for the GPS property whose name is p[start..stop):
 * the whole element (from its '<' at start - 1) or attribute; when that is
 * malformed, the start tag or just the name, so that every GPS name goes
 * and a second pass finds nothing more.
 */
static size_t
property_end(const uint8_t *p, size_t len, size_t start, size_t stop, size_t *budget)
{
	size_t		end;

	if (p[start - 1] == '<')
	{
		size_t		after = tag_end(p, len, stop, budget);

		if (after == 0)
			return stop;
		end = element_end(p, len, after, p + start, stop - start, budget);
		return end ? end : after;
	}
	end = attribute_end(p, len, stop, budget);
	return end ? end : stop;
}

/* Blanks every GPS property of an XMP packet; see image/strip_internal.h. */
int
mm_strip_xmp(uint8_t *p, size_t len)
{
	size_t		colon;
	size_t		budget = SCAN_BUDGET;
	int			removed = 0;

	for (colon = 1; colon < len; colon++)
	{
		size_t		start = colon;
		size_t		stop = colon + 4;
		size_t		end;

		if (p[colon] != ':' || !is_gps(p, len, colon + 1))
			continue;
		while (start > 0 && name_char(p[start - 1]))
			start--;
		if (start == colon || start == 0 || (p[start - 1] != '<' && !space_char(p[start - 1])))
			continue;			/* not a qualified name at a tag or attribute position */
		while (stop < len && name_char(p[stop]))
			stop++;
		end = property_end(p, len, start, stop, &budget);
		if (p[start - 1] == '<')
			start--;
		memset(p + start, ' ', end - start);
		removed = MM_STRIP_XMP_GPS;
		colon = end - 1;
	}
	return removed;
}

/* Length of the XMP namespace header of a JPEG APP1 segment (0 when absent). */
size_t
mm_xmp_prefix_len(const uint8_t *p, size_t len)
{
	static const char xmp[] = "http://ns.adobe.com/xap/1.0/";
	static const char ext[] = "http://ns.adobe.com/xmp/extension/";

	if (len >= sizeof(xmp) && memcmp(p, xmp, sizeof(xmp)) == 0)
		return sizeof(xmp);
	if (len >= sizeof(ext) && memcmp(p, ext, sizeof(ext)) == 0)
		return sizeof(ext);
	return 0;
}
