/*
 * probe/exif.c - bounded reader for TIFF-structured data (TIFF files and EXIF).
 */
#include "probe/exif.h"
#include "probe/scan.h"

/* Size in bytes of one value of TIFF field type type; see probe/exif.h. */
unsigned
mm_tiff_type_size(uint16_t type)
{
	switch (type)
	{
		case 1:					/* BYTE */
		case 2:					/* ASCII */
		case 6:					/* SBYTE */
		case 7:					/* UNDEFINED */
			return 1;
		case 3:					/* SHORT */
		case 8:					/* SSHORT */
			return 2;
		case 4:					/* LONG */
		case 9:					/* SLONG */
		case 11:				/* FLOAT */
		case 13:				/* IFD */
			return 4;
		case 5:					/* RATIONAL */
		case 10:				/* SRATIONAL */
		case 12:				/* DOUBLE */
		case 16:				/* LONG8 */
		case 17:				/* SLONG8 */
		case 18:				/* IFD8 */
			return 8;
		default:
			return 0;
	}
}

/* Reads an unsigned integer of n (1, 2, 4 or 8) bytes in t's byte order. */
static uint64_t
tiff_uint(const mm_tiff *t, const uint8_t *p, unsigned n)
{
	switch (n)
	{
		case 1:
			return p[0];
		case 2:
			return t->le ? mm_le16(p) : mm_be16(p);
		case 4:
			return t->le ? mm_le32(p) : mm_be32(p);
		default:
			return t->le ? mm_le64(p) : mm_be64(p);
	}
}

/* Maps a source status to a TIFF status. */
static mm_tiff_status
tiff_status(mm_src_status st)
{
	if (st == MM_SRC_NEED)
		return MM_TIFF_NEED;
	return st == MM_SRC_OK ? MM_TIFF_OK : MM_TIFF_BAD;
}

/*
 * Copies len bytes at off (relative to the header) after checking that they
 * lie inside the structure: every offset in the data is attacker-chosen.
 */
static mm_tiff_status
tiff_read(mm_tiff *t, uint64_t off, void *buf, size_t len)
{
	if (off > t->len || len > t->len - off)
		return MM_TIFF_BAD;
	return tiff_status(mm_read(t->src, t->base + off, buf, len));
}

/* Reads and checks the TIFF (or BigTIFF) header; see probe/exif.h. */
mm_tiff_status
mm_tiff_open(mm_tiff *t, mm_source *src, uint64_t base, uint64_t len, uint64_t *ifd0)
{
	uint8_t		h[16];
	mm_tiff_status st;
	uint16_t	version;

	t->src = src;
	t->base = base;
	t->len = len;
	t->big = 0;
	*ifd0 = 0;
	if ((st = tiff_read(t, 0, h, 8)) != MM_TIFF_OK)
		return st;
	if (h[0] == 'I' && h[1] == 'I')
		t->le = 1;
	else if (h[0] == 'M' && h[1] == 'M')
		t->le = 0;
	else
		return MM_TIFF_BAD;
	version = (uint16_t) tiff_uint(t, h + 2, 2);
	if (version == 42)
	{
		*ifd0 = tiff_uint(t, h + 4, 4);
		return MM_TIFF_OK;
	}
	if (version != 43)
		return MM_TIFF_BAD;
	/* BigTIFF: offset size 8, a zero word, then an 8-byte first offset */
	if ((st = tiff_read(t, 0, h, 16)) != MM_TIFF_OK)
		return st;
	if (tiff_uint(t, h + 4, 2) != 8 || tiff_uint(t, h + 6, 2) != 0)
		return MM_TIFF_BAD;
	t->big = 1;
	*ifd0 = tiff_uint(t, h + 8, 8);
	return MM_TIFF_OK;
}

/* Whether TIFF field type type holds integers (whose first value we use). */
static int
tiff_type_is_int(uint16_t type)
{
	switch (type)
	{
		case 1:
		case 3:
		case 4:
		case 6:
		case 8:
		case 9:
		case 13:
		case 16:
		case 17:
		case 18:
			return 1;
		default:
			return 0;
	}
}

/*
 * Resolves the first value of one IFD entry: inline in the entry's value
 * field when it fits, else at the offset that field holds (bounds-checked).
 */
static mm_tiff_status
tiff_first_value(mm_tiff *t, const uint8_t *e, mm_tiff_tag *tag)
{
	unsigned	vsize = t->big ? 8 : 4;
	const uint8_t *field = e + (t->big ? 12 : 8);
	unsigned	tsize = mm_tiff_type_size(tag->type);
	uint8_t		buf[8];
	mm_tiff_status st;

	tag->value = 0;
	if (!tiff_type_is_int(tag->type) || tag->count == 0)
		return MM_TIFF_OK;		/* not an integer we use */
	if (tag->count <= vsize / tsize)
	{
		tag->value = tiff_uint(t, field, tsize);
		return MM_TIFF_OK;
	}
	st = tiff_read(t, tiff_uint(t, field, vsize), buf, tsize);
	if (st == MM_TIFF_OK)
		tag->value = tiff_uint(t, buf, tsize);
	else if (st == MM_TIFF_BAD)
		tag->found = 0;			/* points outside: treat as absent */
	return st == MM_TIFF_NEED ? st : MM_TIFF_OK;
}

/*
 * Reads one IFD with at most MM_IFD_MAX_ENTRIES entries, every offset
 * checked against the structure; see probe/exif.h.
 */
mm_tiff_status
mm_tiff_read_ifd(mm_tiff *t, uint64_t off, mm_tiff_tag *tags, int ntags, uint64_t *next)
{
	uint8_t		buf[8];
	unsigned	esize = t->big ? 20 : 12;
	unsigned	csize = t->big ? 8 : 2;
	uint64_t	count;
	uint64_t	n;
	uint64_t	i;
	uint64_t	entries_off;
	const uint8_t *ents;
	mm_src_status sst;
	mm_tiff_status st;
	int			k;

	*next = 0;
	for (k = 0; k < ntags; k++)
		tags[k].found = 0;
	if ((st = tiff_read(t, off, buf, csize)) != MM_TIFF_OK)
		return st;
	count = tiff_uint(t, buf, csize);
	n = count < MM_IFD_MAX_ENTRIES ? count : MM_IFD_MAX_ENTRIES;
	entries_off = off + csize;	/* off <= len, csize small: no overflow */
	if (entries_off > t->len || n * esize > t->len - entries_off)
		return MM_TIFF_BAD;
	ents = NULL;
	if (ntags > 0 && n > 0 && (ents = mm_peek(t->src, t->base + entries_off, (size_t) (n * esize), &sst)) == NULL)
		return tiff_status(sst);

	for (i = 0; ents != NULL && i < n; i++)
	{
		const uint8_t *e = ents + i * esize;
		uint16_t	tag = (uint16_t) tiff_uint(t, e, 2);

		for (k = 0; k < ntags; k++)
		{
			if (tags[k].tag != tag || tags[k].found)
				continue;
			tags[k].found = 1;
			tags[k].type = (uint16_t) tiff_uint(t, e + 2, 2);
			tags[k].count = tiff_uint(t, e + 4, t->big ? 8 : 4);
			if ((st = tiff_first_value(t, e, &tags[k])) != MM_TIFF_OK)
				return st;
		}
	}

	/* the next-IFD offset follows all count entries, not just the capped n */
	if (count > (t->len - entries_off) / esize)
		return MM_TIFF_OK;		/* truncated IFD: no next */
	st = tiff_read(t, entries_off + count * esize, buf, t->big ? 8 : 4);
	if (st == MM_TIFF_OK)
		*next = tiff_uint(t, buf, t->big ? 8 : 4);
	return st == MM_TIFF_NEED ? st : MM_TIFF_OK;
}

/* Looks up tag 0x0112 in IFD0 only: no IFD chain is followed. */
mm_tiff_status
mm_exif_orientation(mm_source *src, uint64_t base, uint64_t len, int *orientation)
{
	mm_tiff		t;
	uint64_t	ifd0;
	uint64_t	next;
	mm_tiff_tag tag = {0x0112, 0, 0, 0, 0};
	mm_tiff_status st;

	*orientation = 0;
	if ((st = mm_tiff_open(&t, src, base, len, &ifd0)) != MM_TIFF_OK)
		return st;
	if ((st = mm_tiff_read_ifd(&t, ifd0, &tag, 1, &next)) != MM_TIFF_OK)
		return st;
	if (tag.found && tag.count >= 1 && (tag.type == 3 || tag.type == 4) &&
		tag.value >= 1 && tag.value <= 8)
		*orientation = (int) tag.value;
	return MM_TIFF_OK;
}

/* Turns stored size into display size for orientations 5-8; see probe/exif.h. */
void
mm_apply_orientation(mm_probe *out, int orientation)
{
	int64_t		w = out->width;

	if (orientation < 1 || orientation > 8)
		return;
	mm_probe_add_int(out, "orientation", orientation);
	if (orientation < 5)
		return;
	mm_probe_add_int(out, "stored_width", out->width);
	mm_probe_add_int(out, "stored_height", out->height);
	out->width = out->height;
	out->height = w;
}
