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
 * edits).  The scan is linear and reads only inside the packet.
 */
#include <string.h>

#include "image/strip_internal.h"

/* Bounds that keep a hostile packet's cost linear: candidates looked at, bytes searched for an end. */
#define MAX_PROPERTIES 1024
#define MAX_TAG_SCAN 65536

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
 * End (one past the '>') of the tag whose name ends at pos, skipping quoted
 * attribute values; 0 when the packet ends first.
 */
static size_t
tag_end(const uint8_t *p, size_t len, size_t pos)
{
	uint8_t		quote = 0;
	size_t		limit = len - pos > MAX_TAG_SCAN ? pos + MAX_TAG_SCAN : len;

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
 * End of the element whose start tag ends at after: after itself for
 * an empty-element tag, else one past its end tag "</name>"; 0 if none.
 */
static size_t
element_end(const uint8_t *p, size_t len, size_t after, const uint8_t *name, size_t nlen)
{
	size_t		pos;
	size_t		limit = len - after > MAX_TAG_SCAN ? after + MAX_TAG_SCAN : len;

	if (p[after - 2] == '/')
		return after;
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
attribute_end(const uint8_t *p, size_t len, size_t pos)
{
	uint8_t		quote;

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
	while (pos < len && p[pos] != quote)
		pos++;
	return pos < len ? pos + 1 : 0;
}

/* Blanks every GPS property of an XMP packet; see image/strip_internal.h. */
int
mm_strip_xmp(uint8_t *p, size_t len)
{
	size_t		colon;
	int			removed = 0;
	int			edited = 0;

	for (colon = 1; colon < len && edited < MAX_PROPERTIES; colon++)
	{
		size_t		start = colon;
		size_t		stop = colon + 4;
		size_t		end;

		if (p[colon] != ':' || !is_gps(p, len, colon + 1))
			continue;
		while (start > 0 && name_char(p[start - 1]))
			start--;
		if (start == colon || start == 0)
			continue;
		while (stop < len && name_char(p[stop]))
			stop++;
		edited++;				/* every candidate counts: the scans below are bounded per candidate */
		if (p[start - 1] == '<')
		{
			size_t		after = tag_end(p, len, stop);

			end = after ? element_end(p, len, after, p + start, stop - start) : 0;
			start--;
		}
		else if (space_char(p[start - 1]))
			end = attribute_end(p, len, stop);
		else
			continue;
		if (end == 0)
			continue;
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
