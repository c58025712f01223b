/*
 * probe/tiff.c - TIFF and BigTIFF.
 *
 * The first IFD gives size, samples, compression and orientation (5-8 swap
 * width and height into the display size).  The next-IFD chain is followed
 * to count pages: at most TIFF_MAX_PAGES IFDs, each inside the first
 * MM_SCAN_LIMIT bytes, never one offset twice (a cyclic chain ends the
 * walk); a chain cut short by those limits reports no page count.
 */
#include <string.h>

#include "probe/exif.h"
#include "probe/scan.h"

/* IFDs followed at most when counting pages. */
#define TIFF_MAX_PAGES 64

/* How a chain walk ended. */
typedef enum tiff_chain
{
	TIFF_CHAIN_END,				/* next offset 0, or one that does not parse */
	TIFF_CHAIN_CUT,				/* a limit stopped it */
	TIFF_CHAIN_NEED
} tiff_chain;

/* The name of a TIFF compression scheme, or NULL. */
static const char *
tiff_compression_name(uint64_t c)
{
	switch (c)
	{
		case 1:
			return "none";
		case 2:
			return "ccitt_rle";
		case 3:
			return "ccitt_g3";
		case 4:
			return "ccitt_g4";
		case 5:
			return "lzw";
		case 6:
			return "ojpeg";
		case 7:
			return "jpeg";
		case 8:
		case 32946:
			return "deflate";
		case 32773:
			return "packbits";
		case 34712:
			return "jpeg2000";
		case 50000:
			return "zstd";
		case 50001:
			return "webp";
		default:
			return NULL;
	}
}

/* The colour space a TIFF PhotometricInterpretation stands for, or NULL. */
static const char *
tiff_photometric_name(uint64_t p)
{
	switch (p)
	{
		case 0:
		case 1:
			return "gray";
		case 2:
			return "rgb";
		case 3:
			return "palette";
		case 4:
			return "mask";
		case 5:
			return "cmyk";
		case 6:
			return "ycbcr";
		case 8:
		case 9:
		case 10:
			return "lab";
		default:
			return NULL;
	}
}

/*
 * Follows the next-IFD chain from next (the second IFD); *pages counts
 * IFDs including the first.  A visited list makes cycles end the walk.
 */
static tiff_chain
tiff_count_pages(mm_tiff *t, uint64_t ifd0, uint64_t next, int64_t *pages)
{
	uint64_t	visited[TIFF_MAX_PAGES];
	int			nvisited = 0;
	int			i;

	visited[nvisited++] = ifd0;
	*pages = 1;
	while (next != 0)
	{
		uint64_t	off = next;
		mm_tiff_status st;

		for (i = 0; i < nvisited; i++)
			if (visited[i] == off)
				return TIFF_CHAIN_END;	/* a cycle: each IFD counted once */
		if (off >= t->len)
			return TIFF_CHAIN_END;	/* points outside: the chain is broken */
		if (nvisited >= TIFF_MAX_PAGES || t->base + off >= MM_SCAN_LIMIT)
			return TIFF_CHAIN_CUT;
		st = mm_tiff_read_ifd(t, off, NULL, 0, &next);
		if (st == MM_TIFF_NEED)
		{
			mm_need_widen(t->src, MM_NEED_CHUNK);
			return TIFF_CHAIN_NEED;
		}
		if (st != MM_TIFF_OK)
			return TIFF_CHAIN_END;
		visited[nvisited++] = off;
		(*pages)++;
	}
	return TIFF_CHAIN_END;
}

/* Reports the first IFD's tags. */
static void
tiff_report(const mm_tiff_tag *tags, mm_probe *out)
{
	const char *name;
	int			alpha = 0;

	/* tags: 0 width, 1 length, 2 bits, 3 compression, 4 photometric,
	 * 5 orientation, 6 samples, 7 extra samples, 8 tile width */
	mm_set_size(out, tags[0].found ? (int64_t) tags[0].value : -1,
				tags[1].found ? (int64_t) tags[1].value : -1);
	if (tags[2].found)
		mm_probe_add_int(out, "bit_depth", (int64_t) tags[2].value);
	if (tags[6].found)
		mm_probe_add_int(out, "components", (int64_t) tags[6].value);
	if (tags[3].found && (name = tiff_compression_name(tags[3].value)) != NULL)
		mm_probe_add_str(out, "compression", name);
	if (tags[4].found && (name = tiff_photometric_name(tags[4].value)) != NULL)
		mm_probe_add_str(out, "color_space", name);
	if (tags[7].found && (tags[7].value == 1 || tags[7].value == 2))
		alpha = 1;
	mm_probe_add_bool(out, "has_alpha", alpha);
	mm_probe_add_bool(out, "tiled", tags[8].found);
	if (tags[5].found && tags[5].value >= 1 && tags[5].value <= 8)
		mm_apply_orientation(out, (int) tags[5].value);
}

/* Probes TIFF/BigTIFF: the first IFD, then the page chain. */
int
mm_probe_tiff(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	mm_tiff		t;
	static const uint16_t wanted[9] = {256, 257, 258, 259, 262, 274, 277, 338, 322};
	mm_tiff_tag tags[9];
	uint64_t	ifd0;
	uint64_t	next;
	int64_t		pages;
	mm_tiff_status st;
	tiff_chain	chain;
	int			i;

	if (headlen < 4 ||
		!((memcmp(head, "II", 2) == 0 && (head[2] == 42 || head[2] == 43) && head[3] == 0) ||
		  (memcmp(head, "MM", 2) == 0 && head[2] == 0 && (head[3] == 42 || head[3] == 43))))
		return MM_FMT_NO;
	mm_probe_set_type(out, "image/tiff");
	memset(tags, 0, sizeof(tags));
	for (i = 0; i < 9; i++)
		tags[i].tag = wanted[i];

	st = mm_tiff_open(&t, src, 0, src->size, &ifd0);
	if (st == MM_TIFF_OK)
		st = mm_tiff_read_ifd(&t, ifd0, tags, 9, &next);
	if (st == MM_TIFF_NEED)
		return mm_fmt_need(src, MM_NEED_HEADER);
	if (st != MM_TIFF_OK)
		return MM_FMT_YES;		/* TIFF magic, broken structure */
	if (t.big)
		mm_probe_add_bool(out, "bigtiff", 1);
	tiff_report(tags, out);

	chain = tiff_count_pages(&t, ifd0, next, &pages);
	if (chain == TIFF_CHAIN_NEED)
		return MM_FMT_NEED;
	if (chain == TIFF_CHAIN_END)
		mm_probe_add_int(out, "pages", pages);
	return MM_FMT_YES;
}
