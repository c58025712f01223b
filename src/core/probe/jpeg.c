/*
 * probe/jpeg.c - JPEG (JFIF, EXIF, Adobe).
 *
 * Walks the marker segments from SOI to the first SOS: the first SOFn gives
 * size, precision, components and the coding process; APP1 "Exif" gives
 * the orientation (5-8 swap width and height: the display size); APP14
 * "Adobe" gives the colour transform that tells RGB from YCbCr and CMYK
 * from YCCK.
 */
#include <string.h>

#include "probe/exif.h"
#include "probe/scan.h"

/* Marker segments looked at before giving up on finding SOS. */
#define JPEG_MAX_SEGMENTS 1024

/* Stray bytes skipped while looking for the next marker. */
#define JPEG_MAX_RESYNC 4096

/* What the segments before the first scan said. */
typedef struct jpeg_info
{
	int			have_sof;
	int			sof;			/* marker byte, 0xC0..0xCF */
	int			precision;
	int64_t		width;
	int64_t		height;
	int			ncomp;
	uint8_t		comp_id[4];
	int			jfif;
	int			adobe_transform;	/* -1 when no APP14 Adobe */
	int			orientation;
} jpeg_info;

/* Whether marker m is a start-of-frame (SOF0-SOF15 without DHT, JPG, DAC). */
static int
jpeg_is_sof(int m)
{
	return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

/* Reads the SOF segment body at off (len bytes) into *ji. */
static int
jpeg_read_sof(mm_source *src, uint64_t off, uint32_t len, jpeg_info *ji)
{
	uint8_t		b[6 + 3 * 4];
	mm_src_status st;
	int			i;
	size_t		want;

	if (len < 6)
		return MM_FMT_YES;
	want = len < sizeof(b) ? len : sizeof(b);
	if ((st = mm_read(src, off, b, want)) != MM_SRC_OK)
		return st == MM_SRC_NEED ? MM_FMT_NEED : MM_FMT_YES;
	ji->have_sof = 1;
	ji->precision = b[0];
	ji->height = mm_be16(b + 1);
	ji->width = mm_be16(b + 3);
	ji->ncomp = b[5];
	for (i = 0; i < 4 && i < ji->ncomp && (size_t) (6 + 3 * i) < want; i++)
		ji->comp_id[i] = b[6 + 3 * i];
	return MM_FMT_YES;
}

/* Reads an APPn segment body we care about: JFIF, Exif, Adobe. */
static int
jpeg_read_app(mm_source *src, int marker, uint64_t off, uint32_t len, jpeg_info *ji)
{
	uint8_t		b[12];
	mm_src_status st;

	if (len < 5)
		return MM_FMT_YES;
	if ((st = mm_read(src, off, b, len < sizeof(b) ? len : sizeof(b))) != MM_SRC_OK)
		return st == MM_SRC_NEED ? MM_FMT_NEED : MM_FMT_YES;
	if (marker == 0xE0 && memcmp(b, "JFIF\0", 5) == 0)
		ji->jfif = 1;
	else if (marker == 0xE1 && len >= 14 && memcmp(b, "Exif\0", 5) == 0 && ji->orientation == 0)
	{
		/* TIFF header follows "Exif\0\0"; the block ends with the segment */
		if (mm_exif_orientation(src, off + 6, len - 6, &ji->orientation) == MM_TIFF_NEED)
			return MM_FMT_NEED;
	}
	else if (marker == 0xEE && len >= 12 && memcmp(b, "Adobe", 5) == 0)
		ji->adobe_transform = b[11];
	return MM_FMT_YES;
}

/* Reports what the header said. */
static void
jpeg_report(const jpeg_info *ji, mm_probe *out)
{
	const char *cs = NULL;
	int			sof = ji->sof;

	if (!ji->have_sof)
		return;
	mm_set_size(out, ji->width, ji->height);
	mm_probe_add_int(out, "bit_depth", ji->precision);
	mm_probe_add_int(out, "components", ji->ncomp);
	mm_probe_add_bool(out, "progressive", sof == 0xC2 || sof == 0xC6 || sof == 0xCA || sof == 0xCE);
	if (sof == 0xC3 || sof == 0xC7 || sof == 0xCB || sof == 0xCF)
		mm_probe_add_bool(out, "lossless", 1);
	if (sof >= 0xC9)
		mm_probe_add_bool(out, "arithmetic", 1);
	if (ji->ncomp == 1)
		cs = "gray";
	else if (ji->ncomp == 3)
	{
		if (ji->adobe_transform == 0)
			cs = "rgb";
		else if (ji->adobe_transform < 0 && !ji->jfif &&
				 ji->comp_id[0] == 'R' && ji->comp_id[1] == 'G' && ji->comp_id[2] == 'B')
			cs = "rgb";
		else
			cs = "ycbcr";
	}
	else if (ji->ncomp == 4)
		cs = ji->adobe_transform == 2 ? "ycck" : "cmyk";
	if (cs)
		mm_probe_add_str(out, "color_space", cs);
	if (ji->adobe_transform >= 0)
		mm_probe_add_int(out, "adobe_transform", ji->adobe_transform);
	mm_apply_orientation(out, ji->orientation);
}

/*
 * Finds the marker at or after *off, skipping 0xFF fill bytes and (up to a
 * cap) stray bytes as lenient decoders do; *off ends past the marker.
 */
static mm_src_status
jpeg_next_marker(mm_source *src, uint64_t *off, int *marker)
{
	uint8_t		b[2];
	int			skipped;
	mm_src_status st;

	for (skipped = 0; skipped <= JPEG_MAX_RESYNC; skipped++)
	{
		if ((st = mm_read(src, *off, b, 2)) != MM_SRC_OK)
			return st;
		if (b[0] == 0xFF && b[1] != 0xFF && b[1] != 0x00)
		{
			*marker = b[1];
			*off += 2;
			return MM_SRC_OK;
		}
		(*off)++;
	}
	return MM_SRC_EOF;
}

/* Walks the segments from SOI to the first scan, collecting *ji. */
static int
jpeg_walk(mm_source *src, jpeg_info *ji)
{
	uint64_t	off = 2;
	int			nseg;
	int			r;

	for (nseg = 0; nseg < JPEG_MAX_SEGMENTS; nseg++)
	{
		uint8_t		b[2];
		int			marker;
		uint32_t	len;
		mm_src_status st;

		if ((st = jpeg_next_marker(src, &off, &marker)) != MM_SRC_OK)
			return st == MM_SRC_NEED ? MM_FMT_NEED : MM_FMT_YES;
		if (marker == 0xD9 || marker == 0xDA)
			break;				/* EOI or start of scan: header over */
		if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8))
			continue;			/* no length field */
		if ((st = mm_read(src, off, b, 2)) != MM_SRC_OK)
			return st == MM_SRC_NEED ? MM_FMT_NEED : MM_FMT_YES;
		len = mm_be16(b);
		if (len < 2)
			break;
		if (jpeg_is_sof(marker) && !ji->have_sof)
		{
			ji->sof = marker;
			if ((r = jpeg_read_sof(src, off + 2, len - 2, ji)) == MM_FMT_NEED)
				return r;
		}
		else if (marker == 0xE0 || marker == 0xE1 || marker == 0xEE)
		{
			if ((r = jpeg_read_app(src, marker, off + 2, len - 2, ji)) == MM_FMT_NEED)
				return r;
		}
		off += len;
	}
	return MM_FMT_YES;
}

/* Probes JPEG (FF D8 FF, as WHATWG): walks the header segments. */
int
mm_probe_jpeg(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	jpeg_info	ji;
	int			r;

	if (headlen < 3 || head[0] != 0xFF || head[1] != 0xD8 || head[2] != 0xFF)
		return MM_FMT_NO;
	mm_probe_set_type(out, "image/jpeg");
	memset(&ji, 0, sizeof(ji));
	ji.adobe_transform = -1;
	r = jpeg_walk(src, &ji);
	/* a marker segment is at most 64 KB: one round trip covers it */
	if (r == MM_FMT_NEED)
		mm_need_widen(src, MM_NEED_HEADER);
	jpeg_report(&ji, out);
	return r;
}
