/*
 * probe/tga.c - Truevision TGA.
 *
 * TGA has no magic number, only an optional "TRUEVISION-XFILE." footer, so
 * the 18-byte header must be self-consistent: a known image type, a colour
 * map type of 0 or 1 that fits the image type, a pixel depth that fits the
 * image type, non-zero sizes and a file long enough for the header, the ID
 * field and the colour map.  The probe runs late (after every format with
 * a magic number), and text never has the 0/1 colour map byte.
 */
#include <string.h>

#include "probe/scan.h"

/* Whether depth is plausible for TGA image type type (without RLE bit). */
static int
tga_depth_ok(int type, int depth)
{
	switch (type)
	{
		case 1:					/* colour-mapped */
			return depth == 8 || depth == 16;
		case 2:					/* true-colour */
			return depth == 15 || depth == 16 || depth == 24 || depth == 32;
		case 3:					/* greyscale */
			return depth == 8 || depth == 16;
		default:
			return 0;
	}
}

/* Probes TGA: the footer, or a self-consistent header. */
int
mm_probe_tga(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	int			idlen;
	int			cmap_type;
	int			type;
	int			base;
	int			cmap_len;
	int			cmap_depth;
	int			depth;
	int			desc;
	int64_t		w;
	int64_t		h;
	uint64_t	min_size;
	uint8_t		foot[18];
	int			footer = 0;

	if (headlen < 18)
		return MM_FMT_NO;
	idlen = head[0];
	cmap_type = head[1];
	type = head[2];
	base = type & ~8;
	cmap_len = mm_le16(head + 5);
	cmap_depth = head[7];
	w = mm_le16(head + 12);
	h = mm_le16(head + 14);
	depth = head[16];
	desc = head[17];

	if (cmap_type > 1 || (type != 1 && type != 2 && type != 3 && type != 9 &&
						  type != 10 && type != 11))
		return MM_FMT_NO;

	/* TGA 2.0 files end with an 18-byte footer naming the format */
	if (src->size >= 18 + 26)
	{
		mm_src_status st = mm_read(src, src->size - 18, foot, 18);

		if (st == MM_SRC_NEED)
			return MM_FMT_NEED;
		footer = st == MM_SRC_OK && memcmp(foot, "TRUEVISION-XFILE.", 17) == 0;
	}

	/* without the footer, the header alone must be convincing */
	if (!footer)
	{
		if (!tga_depth_ok(base, depth) || w == 0 || h == 0 || (desc & 0xC0) != 0)
			return MM_FMT_NO;
		if (cmap_type == 1 && cmap_depth != 15 && cmap_depth != 16 && cmap_depth != 24 &&
			cmap_depth != 32)
			return MM_FMT_NO;
		if (cmap_type == 0 && (cmap_len != 0 || (cmap_depth != 0 && base != 1)))
			return MM_FMT_NO;
		min_size = 18 + (uint64_t) idlen +
			(cmap_type ? (uint64_t) cmap_len * ((cmap_depth + 7) / 8) : 0);
		if (src->size < min_size + 1)
			return MM_FMT_NO;
	}

	mm_probe_set_type(out, "image/x-tga");
	mm_set_size(out, w, h);
	mm_probe_add_int(out, "bit_depth", depth);
	mm_probe_add_bool(out, "rle", (type & 8) != 0);
	mm_probe_add_bool(out, "has_alpha", (desc & 0x0F) != 0);
	if (footer)
		mm_probe_add_bool(out, "tga2", 1);
	return MM_FMT_YES;
}
