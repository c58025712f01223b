/*
 * probe/bmp.c - Windows and OS/2 bitmaps ("BM").
 *
 * "BM" alone is weak evidence (text can start with it), so the DIB header
 * size must be one of the known ones.  OS/2 1.x core headers hold 16-bit
 * sizes, all later ones signed 32-bit; a negative height means a top-down
 * bitmap and the display height is its absolute value.
 */
#include <string.h>

#include "probe/scan.h"

/*
 * Whether n is the size of a known DIB header: OS/2 1.x core (12), OS/2
 * 2.x (16 to 64, a Windows info header cut short; among them Windows' V1
 * to V3 of 40, 52 and 56), V4 (108) or V5 (124).
 */
static int
bmp_known_header(uint32_t n)
{
	return n == 12 || (n >= 16 && n <= 64 && n % 4 == 0) || n == 108 || n == 124;
}

/* The name of a BI_* compression value. */
static const char *
bmp_compression_name(uint32_t c)
{
	switch (c)
	{
		case 0:
			return "none";
		case 1:
			return "rle8";
		case 2:
			return "rle4";
		case 3:
			return "bitfields";
		case 4:
			return "jpeg";
		case 5:
			return "png";
		case 6:
			return "alphabitfields";
		default:
			return NULL;
	}
}

/* Probes BMP: "BM" and a known DIB header, whose fields are in head. */
int
mm_probe_bmp(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	uint32_t	hsize;
	int64_t		w;
	int64_t		h;
	int			bpp;
	uint32_t	comp = 0;
	const char *cname;

	(void) src;
	if (headlen < 18 || head[0] != 'B' || head[1] != 'M')
		return MM_FMT_NO;
	hsize = mm_le32(head + 14);
	if (!bmp_known_header(hsize))
		return MM_FMT_NO;
	mm_probe_set_type(out, "image/bmp");
	if (hsize == 12)
	{
		if (headlen < 26)
			return MM_FMT_YES;
		w = mm_le16(head + 18);
		h = mm_le16(head + 20);
		bpp = mm_le16(head + 24);
	}
	else
	{
		if (headlen < 30)
			return MM_FMT_YES;
		w = (int32_t) mm_le32(head + 18);
		h = (int32_t) mm_le32(head + 22);
		bpp = mm_le16(head + 28);
		if (headlen >= 34 && hsize >= 20)	/* a 16-byte OS/2 2.x header stops before it */
			comp = mm_le32(head + 30);
		if (h < 0)
		{
			h = -h;				/* int64: no overflow even for INT32_MIN */
			mm_probe_add_bool(out, "top_down", 1);
		}
	}
	mm_set_size(out, w, h);
	mm_probe_add_int(out, "bit_depth", bpp);
	if ((cname = bmp_compression_name(comp)) != NULL)
		mm_probe_add_str(out, "compression", cname);
	/* an alpha mask: V3+ headers (>= 56 bytes) hold one after R, G, B masks */
	if (bpp == 32 && hsize >= 56 && headlen >= 58)
		mm_probe_add_bool(out, "has_alpha", mm_le32(head + 54) != 0);
	else
		mm_probe_add_bool(out, "has_alpha", 0);
	return MM_FMT_YES;
}
