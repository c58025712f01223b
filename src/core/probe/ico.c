/*
 * probe/ico.c - Windows icons (ICO) and cursors (CUR).
 *
 * Both are image/x-icon as browsers sniff them (cursor=true for CUR).  The
 * size reported is the largest entry in the directory: a width or height
 * byte of 0 means 256, and an entry holding a PNG is measured by the PNG's
 * own IHDR, which may say more than 256.
 */
#include <string.h>

#include "probe/scan.h"

/* Directory entries looked at. */
#define ICO_MAX_ENTRIES 256

/* Entries whose embedded PNG header is read (each may cost a round trip). */
#define ICO_MAX_PNG_LOOKUPS 4

/*
 * Reads the PNG header of an entry whose image data is at off (size bytes);
 * returns MM_FMT_NEED, or MM_FMT_YES with *w,*h set when it is a PNG.
 */
static int
ico_png_size(mm_source *src, uint64_t off, uint32_t size, int64_t *w, int64_t *h)
{
	static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	uint8_t		b[24];
	mm_src_status st;

	if (size < sizeof(b))
		return MM_FMT_YES;
	if ((st = mm_read(src, off, b, sizeof(b))) != MM_SRC_OK)
		return st == MM_SRC_NEED ? MM_FMT_NEED : MM_FMT_YES;
	if (memcmp(b, sig, 8) == 0 && memcmp(b + 12, "IHDR", 4) == 0 &&
		mm_be32(b + 16) <= 0x7fffffffu && mm_be32(b + 20) <= 0x7fffffffu)
	{
		*w = mm_be32(b + 16);
		*h = mm_be32(b + 20);
	}
	return MM_FMT_YES;
}

/* Probes ICO/CUR: a plausible directory, reporting its largest entry. */
int
mm_probe_ico(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	int			cursor;
	int			count;
	int			n;
	int			i;
	int64_t		best_w = 0;
	int64_t		best_h = 0;
	int			best_bpp = 0;
	int			lookups = 0;

	if (headlen < 6 || head[0] != 0 || head[1] != 0 || head[3] != 0 ||
		(head[2] != 1 && head[2] != 2))
		return MM_FMT_NO;
	cursor = head[2] == 2;
	count = mm_le16(head + 4);
	/*
	 * Four bytes are weak evidence (a TGA can start 00 00 02 00), so the
	 * first directory entry must make sense: reserved byte 0 (or 255, as
	 * some writers put), a non-empty image stored after the directory.
	 */
	if (count < 1 || headlen < 22 || (head[9] != 0 && head[9] != 255) ||
		mm_le32(head + 14) == 0 || mm_le32(head + 18) < 6 + 16 * (uint32_t) count ||
		mm_le32(head + 18) >= src->size)
		return MM_FMT_NO;
	mm_probe_set_type(out, "image/x-icon");
	if (cursor)
		mm_probe_add_bool(out, "cursor", 1);
	mm_probe_add_int(out, "images", count);

	n = count < ICO_MAX_ENTRIES ? count : ICO_MAX_ENTRIES;
	for (i = 0; i < n; i++)
	{
		uint8_t		e[16];
		int64_t		w;
		int64_t		h;
		int			bpp;
		mm_src_status st;
		int			r;

		if ((st = mm_read(src, 6 + 16 * (uint64_t) i, e, 16)) != MM_SRC_OK)
		{
			if (st == MM_SRC_NEED)
				return MM_FMT_NEED;
			break;
		}
		w = e[0] ? e[0] : 256;
		h = e[1] ? e[1] : 256;
		bpp = cursor ? 0 : mm_le16(e + 6);
		/* a 0 ("256 or more") entry may be a PNG that says how big it is */
		if ((e[0] == 0 || e[1] == 0) && lookups++ < ICO_MAX_PNG_LOOKUPS &&
			(r = ico_png_size(src, mm_le32(e + 12), mm_le32(e + 8), &w, &h)) == MM_FMT_NEED)
			return r;
		/* largest area wins; among equals, the deepest */
		if (w * h > best_w * best_h || (w * h == best_w * best_h && bpp > best_bpp))
		{
			best_w = w;
			best_h = h;
			best_bpp = bpp;
		}
	}
	if (best_w > 0)
	{
		mm_set_size(out, best_w, best_h);
		if (best_bpp > 0)
			mm_probe_add_int(out, "bit_depth", best_bpp);
	}
	return MM_FMT_YES;
}
