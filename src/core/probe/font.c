/*
 * probe/font.c - fonts: TrueType (font/ttf), OpenType with CFF outlines
 * (font/otf), TrueType/OpenType collections (font/collection), WOFF and
 * WOFF2, spelled as the WHATWG font signature table and IANA do.
 *
 * The sfnt version 00 01 00 00 is weak evidence, so the table directory
 * must look right: a sane table count whose first tag is printable ASCII.
 */
#include <string.h>

#include "probe/scan.h"

/* Tables a real sfnt has at most (the format allows 65535). */
#define FONT_MAX_TABLES 1024

/* Whether the four bytes at p are a plausible table tag. */
static int
font_tag_ok(const uint8_t *p)
{
	int			i;

	for (i = 0; i < 4; i++)
		if (p[i] < 0x20 || p[i] > 0x7E)
			return 0;
	return 1;
}

/*
 * Whether the sfnt header at head looks real: table count 1..FONT_MAX_TABLES,
 * and when the first table record is in head, a printable tag.
 */
static int
font_sfnt_ok(const uint8_t *head, size_t headlen)
{
	uint16_t	ntables;

	if (headlen < 12)
		return 0;
	ntables = mm_be16(head + 4);
	if (ntables == 0 || ntables > FONT_MAX_TABLES)
		return 0;
	return headlen < 16 || font_tag_ok(head + 12);
}

/* Probes fonts by the WHATWG font signatures, checking sfnt headers. */
int
mm_probe_font(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	static const uint8_t tt[4] = {0x00, 0x01, 0x00, 0x00};

	(void) src;
	if (headlen < 4)
		return MM_FMT_NO;
	if ((memcmp(head, tt, 4) == 0 || memcmp(head, "true", 4) == 0) && font_sfnt_ok(head, headlen))
	{
		mm_probe_set_type(out, "font/ttf");
		mm_probe_add_int(out, "tables", mm_be16(head + 4));
		return MM_FMT_YES;
	}
	if (memcmp(head, "OTTO", 4) == 0 && font_sfnt_ok(head, headlen))
	{
		mm_probe_set_type(out, "font/otf");
		mm_probe_add_int(out, "tables", mm_be16(head + 4));
		return MM_FMT_YES;
	}
	if (memcmp(head, "ttcf", 4) == 0 && headlen >= 12)
	{
		uint16_t	major = mm_be16(head + 4);

		if (major != 1 && major != 2)
			return MM_FMT_NO;
		mm_probe_set_type(out, "font/collection");
		mm_probe_add_int(out, "fonts", mm_be32(head + 8));
		return MM_FMT_YES;
	}
	if (memcmp(head, "wOFF", 4) == 0 || memcmp(head, "wOF2", 4) == 0)
	{
		mm_probe_set_type(out, head[3] == 'F' ? "font/woff" : "font/woff2");
		if (headlen >= 14)
		{
			const uint8_t *flavor = head + 4;

			if (memcmp(flavor, "OTTO", 4) == 0)
				mm_probe_add_str(out, "flavor", "cff");
			else if (memcmp(flavor, tt, 4) == 0 || memcmp(flavor, "true", 4) == 0)
				mm_probe_add_str(out, "flavor", "truetype");
			mm_probe_add_int(out, "tables", mm_be16(head + 12));
		}
		return MM_FMT_YES;
	}
	return MM_FMT_NO;
}
