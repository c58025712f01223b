/*
 * probe/image_misc.c - rarer image formats with simple headers: SGI (IRIS
 * RGB), Sun raster, GIMP XCF, OpenEXR and Apple ICNS.
 *
 * MIME types follow libmagic's spelling (none of these has a WHATWG one).
 */
#include <string.h>

#include "probe/scan.h"

/* Attributes looked at in an OpenEXR header. */
#define EXR_MAX_ATTRIBUTES 256

/* Longest attribute name or type (long-name files allow 255 bytes). */
#define EXR_MAX_NAME 255

/* Elements looked at in an ICNS file. */
#define ICNS_MAX_ELEMENTS 256

/* SGI image: magic 474, storage, bytes per channel, dimension, x, y, z. */
static int
probe_sgi(const uint8_t *head, size_t headlen, mm_probe *out)
{
	int			dim;
	int64_t		ysize;

	if (headlen < 12 || mm_be16(head) != 474 || head[2] > 1 || (head[3] != 1 && head[3] != 2))
		return MM_FMT_NO;
	dim = mm_be16(head + 4);
	if (dim < 1 || dim > 3)
		return MM_FMT_NO;
	mm_probe_set_type(out, "image/x-sgi");
	ysize = dim == 1 ? 1 : mm_be16(head + 8);
	mm_set_size(out, mm_be16(head + 6), ysize);
	mm_probe_add_int(out, "bit_depth", 8 * head[3]);
	mm_probe_add_int(out, "components", dim == 3 ? mm_be16(head + 10) : 1);
	mm_probe_add_bool(out, "rle", head[2] == 1);
	return MM_FMT_YES;
}

/* Sun raster: magic 59 A6 6A 95, then big-endian width, height, depth. */
static int
probe_sunras(const uint8_t *head, size_t headlen, mm_probe *out)
{
	static const uint8_t magic[4] = {0x59, 0xA6, 0x6A, 0x95};

	if (headlen < 4 || memcmp(head, magic, 4) != 0)
		return MM_FMT_NO;
	mm_probe_set_type(out, "image/x-sun-raster");
	if (headlen < 16)
		return MM_FMT_YES;
	mm_set_size(out, mm_be32(head + 4) <= 0x7fffffffu ? (int64_t) mm_be32(head + 4) : -1,
				mm_be32(head + 8) <= 0x7fffffffu ? (int64_t) mm_be32(head + 8) : -1);
	mm_probe_add_int(out, "bit_depth", mm_be32(head + 12));
	return MM_FMT_YES;
}

/* GIMP XCF: "gimp xcf " + version + NUL, then width, height, base type. */
static int
probe_xcf(const uint8_t *head, size_t headlen, mm_probe *out)
{
	static const char *const modes[3] = {"rgb", "gray", "palette"};
	uint32_t	mode;

	if (headlen < 9 || memcmp(head, "gimp xcf ", 9) != 0)
		return MM_FMT_NO;
	mm_probe_set_type(out, "image/x-xcf");
	if (headlen < 26 || head[13] != 0)
		return MM_FMT_YES;
	mm_set_size(out, mm_be32(head + 14) <= 0x7fffffffu ? (int64_t) mm_be32(head + 14) : -1,
				mm_be32(head + 18) <= 0x7fffffffu ? (int64_t) mm_be32(head + 18) : -1);
	mode = mm_be32(head + 22);
	if (mode < 3)
		mm_probe_add_str(out, "color_space", modes[mode]);
	return MM_FMT_YES;
}

/*
 * Length of the NUL-terminated string at p (n bytes available), or -1 when
 * no NUL comes within EXR_MAX_NAME bytes.
 */
static int
exr_strlen(const uint8_t *p, size_t n)
{
	size_t		i;

	for (i = 0; i < n && i <= EXR_MAX_NAME; i++)
		if (p[i] == 0)
			return (int) i;
	return -1;
}

/*
 * OpenEXR: magic 76 2F 31 01, a version word, then attributes (name, type,
 * size, value) up to an empty name.  displayWindow (box2i: xmin, ymin,
 * xmax, ymax) is the display size; dataWindow stands in when it is absent.
 */
static int
probe_exr(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	static const uint8_t magic[4] = {0x76, 0x2F, 0x31, 0x01};
	uint64_t	off = 8;
	int64_t		disp[2] = {-1, -1};
	int64_t		data[2] = {-1, -1};
	int			i;

	if (headlen < 8 || memcmp(head, magic, 4) != 0)
		return MM_FMT_NO;
	mm_probe_set_type(out, "image/x-exr");
	if (head[5] & 0x02)
		mm_probe_add_bool(out, "tiled", 1);
	if (head[5] & 0x10)
		mm_probe_add_bool(out, "multipart", 1);

	for (i = 0; i < EXR_MAX_ATTRIBUTES; i++)
	{
		uint8_t		a[2 * (EXR_MAX_NAME + 1) + 4];
		size_t		n = sizeof(a);
		int			nlen;
		int			tlen;
		uint32_t	size;
		mm_src_status st;

		if (off >= src->size)
			break;
		if (n > src->size - off)
			n = (size_t) (src->size - off);
		if ((st = mm_read(src, off, a, n)) != MM_SRC_OK)
		{
			if (st == MM_SRC_NEED)
				return mm_fmt_need(src, MM_NEED_HEADER);
			break;
		}
		if ((nlen = exr_strlen(a, n)) <= 0)
			break;				/* end of header, or garbage */
		if ((tlen = exr_strlen(a + nlen + 1, n - nlen - 1)) < 0 || (size_t) (nlen + tlen + 6) > n)
			break;
		size = mm_le32(a + nlen + tlen + 2);
		if (size == 16 && tlen == 5 && memcmp(a + nlen + 1, "box2i", 5) == 0 &&
			(nlen == 10 || nlen == 13))
		{
			uint8_t		v[16];
			int64_t    *dst = nlen == 13 ? disp : data;

			if ((st = mm_read(src, off + nlen + tlen + 6, v, 16)) == MM_SRC_NEED)
				return mm_fmt_need(src, MM_NEED_HEADER);
			if (st == MM_SRC_OK && ((nlen == 13 && memcmp(a, "displayWindow", 13) == 0) ||
									(nlen == 10 && memcmp(a, "dataWindow", 10) == 0)))
			{
				/* inclusive bounds; int64 keeps max - min + 1 from overflowing */
				dst[0] = (int64_t) (int32_t) mm_le32(v + 8) - (int32_t) mm_le32(v) + 1;
				dst[1] = (int64_t) (int32_t) mm_le32(v + 12) - (int32_t) mm_le32(v + 4) + 1;
			}
		}
		off += (uint64_t) nlen + tlen + 6 + size;
		if (disp[0] > 0 && data[0] > 0)
			break;				/* both found: the rest does not matter */
	}
	if (disp[0] > 0 && disp[1] > 0)
		mm_set_size(out, disp[0], disp[1]);
	else
		mm_set_size(out, data[0], data[1]);
	return MM_FMT_YES;
}

/* The icon edge length of an ICNS element type, or 0 when not an image. */
static int
icns_type_size(const uint8_t *t)
{
	static const struct
	{
		char		type[5];
		int			size;
	}			types[] = {
		{"ICON", 32}, {"ICN#", 32}, {"icm#", 16}, {"icm4", 16}, {"icm8", 16},
		{"ics#", 16}, {"ics4", 16}, {"ics8", 16}, {"is32", 16}, {"icl4", 32},
		{"icl8", 32}, {"il32", 32}, {"ich#", 48}, {"ich4", 48}, {"ich8", 48},
		{"ih32", 48}, {"it32", 128}, {"icp4", 16}, {"icp5", 32}, {"icp6", 64},
		{"ic07", 128}, {"ic08", 256}, {"ic09", 512}, {"ic10", 1024},
		{"ic11", 32}, {"ic12", 64}, {"ic13", 256}, {"ic14", 512},
		{"icsb", 18}, {"icsB", 36}, {"sb24", 24}, {"SB24", 48}
	};
	size_t		i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (memcmp(t, types[i].type, 4) == 0)
			return types[i].size;
	return 0;
}

/*
 * Apple ICNS: "icns", total length, then (type, length) elements.  A "TOC "
 * element first lists the others (type, length pairs), which saves walking
 * over the image data; otherwise the elements are walked, asking for large
 * windows since each element header follows a whole image.
 */
static int
probe_icns(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	uint64_t	end;
	uint64_t	off = 8;
	int			best = 0;
	int			i;
	int			toc_entries = -1;

	if (headlen < 8 || memcmp(head, "icns", 4) != 0)
		return MM_FMT_NO;
	mm_probe_set_type(out, "image/x-icns");
	end = mm_be32(head + 4);
	if (end > src->size)
		end = src->size;
	if (headlen >= 16 && end >= 16 && memcmp(head + 8, "TOC ", 4) == 0 && mm_be32(head + 12) >= 8)
	{
		toc_entries = (int) ((mm_be32(head + 12) - 8) / 8);
		off = 16;
	}
	for (i = 0; i < ICNS_MAX_ELEMENTS && off + 8 <= end; i++)
	{
		uint8_t		e[8];
		uint32_t	len;
		int			s;
		mm_src_status st;

		if (toc_entries >= 0 && i >= toc_entries)
			break;
		if ((st = mm_read(src, off, e, 8)) != MM_SRC_OK)
		{
			if (st == MM_SRC_NEED)
				return mm_fmt_need(src, MM_NEED_CHUNK);
			break;
		}
		len = mm_be32(e + 4);
		if (len < 8)
			break;				/* would not advance */
		if ((s = icns_type_size(e)) > best)
			best = s;
		off += toc_entries >= 0 ? 8 : len;
	}
	if (best > 0)
		mm_set_size(out, best, best);
	return MM_FMT_YES;
}

/* Probes SGI, Sun raster, XCF, OpenEXR and ICNS, in that order. */
int
mm_probe_image_misc(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	int			r;

	if ((r = probe_sgi(head, headlen, out)) != MM_FMT_NO)
		return r;
	if ((r = probe_sunras(head, headlen, out)) != MM_FMT_NO)
		return r;
	if ((r = probe_xcf(head, headlen, out)) != MM_FMT_NO)
		return r;
	if ((r = probe_exr(src, head, headlen, out)) != MM_FMT_NO)
		return r;
	return probe_icns(src, head, headlen, out);
}
