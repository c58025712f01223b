/*
 * probe/png.c - PNG and APNG.
 *
 * The size, bit depth and colour type come from IHDR; the chunks between
 * IHDR and the first IDAT tell whether the image is animated (acTL), has
 * transparency (tRNS) or carries an EXIF orientation (eXIf, which browsers
 * honour only before the image data).  APNG stays image/png, as browsers
 * sniff it, with animated=true.
 */
#include <string.h>

#include "probe/exif.h"
#include "probe/scan.h"

/* Chunks looked at before the first IDAT. */
#define PNG_MAX_CHUNKS 512

static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

/* The name of a PNG colour type, or NULL for an invalid one. */
static const char *
png_color_name(int color_type)
{
	switch (color_type)
	{
		case 0:
			return "gray";
		case 2:
			return "rgb";
		case 3:
			return "palette";
		case 4:
			return "gray_alpha";
		case 6:
			return "rgba";
		default:
			return NULL;
	}
}

/*
 * Reports the 13 bytes of IHDR data d into *out.  Returns the colour type,
 * or -1 when it is not a valid one.
 */
static int
png_ihdr(const uint8_t *d, mm_probe *out)
{
	uint32_t	w = mm_be32(d);
	uint32_t	h = mm_be32(d + 4);
	int			depth = d[8];
	int			ct = d[9];
	const char *name = png_color_name(ct);

	/* the spec limits both to 2^31-1; larger values are reported as unknown */
	mm_set_size(out, w <= 0x7fffffffu ? (int64_t) w : -1, h <= 0x7fffffffu ? (int64_t) h : -1);
	mm_probe_add_int(out, "bit_depth", depth);
	if (name)
		mm_probe_add_str(out, "color_type", name);
	mm_probe_add_bool(out, "interlaced", d[12] == 1);
	return name ? ct : -1;
}

/* Probes PNG/APNG: IHDR, then the chunks before the first IDAT. */
int
mm_probe_png(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	uint64_t	off;
	int			ct;
	int			i;
	int			alpha;
	int			orientation = 0;
	int			seen_actl = 0;
	uint32_t	frames = 0;
	uint8_t		ch[8];
	uint8_t		d[13];
	mm_src_status st;

	if (headlen < 8 || memcmp(head, png_sig, 8) != 0)
		return MM_FMT_NO;
	mm_probe_set_type(out, "image/png");

	/* IHDR comes first; Apple's CgBI variant puts a CgBI chunk before it */
	off = 8;
	if ((st = mm_read(src, off, ch, 8)) != MM_SRC_OK)
		return st == MM_SRC_NEED ? MM_FMT_NEED : MM_FMT_YES;
	if (memcmp(ch + 4, "CgBI", 4) == 0)
	{
		off += 12 + (uint64_t) mm_be32(ch);
		if ((st = mm_read(src, off, ch, 8)) != MM_SRC_OK)
			return st == MM_SRC_NEED ? MM_FMT_NEED : MM_FMT_YES;
	}
	if (memcmp(ch + 4, "IHDR", 4) != 0 || mm_be32(ch) < 13)
		return MM_FMT_YES;
	if ((st = mm_read(src, off + 8, d, 13)) != MM_SRC_OK)
		return st == MM_SRC_NEED ? MM_FMT_NEED : MM_FMT_YES;
	ct = png_ihdr(d, out);
	alpha = (ct == 4 || ct == 6);

	/* walk the chunks before the image data */
	off += 12 + (uint64_t) mm_be32(ch);
	for (i = 0; i < PNG_MAX_CHUNKS; i++)
	{
		uint32_t	len;

		st = mm_read(src, off, ch, 8);
		if (st == MM_SRC_NEED)
			return mm_fmt_need(src, MM_NEED_HEADER);
		if (st != MM_SRC_OK)
			break;				/* truncated: report what we have */
		len = mm_be32(ch);
		if (len > 0x7fffffffu || memcmp(ch + 4, "IDAT", 4) == 0 ||
			memcmp(ch + 4, "IEND", 4) == 0)
			break;
		if (memcmp(ch + 4, "tRNS", 4) == 0)
			alpha = 1;
		else if (memcmp(ch + 4, "acTL", 4) == 0 && len >= 8 && !seen_actl)
		{
			uint8_t		a[8];

			if ((st = mm_read(src, off + 8, a, 8)) == MM_SRC_NEED)
				return mm_fmt_need(src, MM_NEED_HEADER);
			if (st == MM_SRC_OK)
			{
				seen_actl = 1;
				frames = mm_be32(a);
			}
		}
		else if (memcmp(ch + 4, "eXIf", 4) == 0 && orientation == 0)
		{
			if (mm_exif_orientation(src, off + 8, len, &orientation) == MM_TIFF_NEED)
				return mm_fmt_need(src, MM_NEED_HEADER);
		}
		off += 12 + (uint64_t) len;
	}

	mm_probe_add_bool(out, "has_alpha", alpha);
	if (seen_actl)
	{
		mm_probe_add_int(out, "frames", frames);
		mm_probe_add_bool(out, "animated", frames > 1);
	}
	else
		mm_probe_add_bool(out, "animated", 0);
	mm_apply_orientation(out, orientation);
	return MM_FMT_YES;
}
