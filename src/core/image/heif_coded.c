/*
 * image/heif_coded.c - the sizes of the pictures coded inside a HEIC or
 * AVIF file, read before libheif decodes anything.
 *
 * libheif 1.15 checks the ispe property against its limits but hands the
 * codec stream to libde265 or aom as it is, and the stream says its own
 * size: a 72x48 ispe in front of a 9472x12288 HEVC sequence parameter set
 * made libde265 decode 116 Mpx for 55 s with 690 MB before any size could
 * be checked (fuzz_dec_heif found it).  So every HEVC sequence parameter
 * set (in hvcC properties and in the NAL units of every hvc1 item) and
 * every AV1 sequence header (in av1C properties and the OBUs of every av01
 * item) is read here, with the canvas of every grid and overlay item (a
 * 72x48 ispe over a 9472x12288 grid made libheif paste 116 Mpx of tiles
 * for 30 s: found the same way), and the largest picture is returned.  A
 * grid or overlay is refused when its images times the largest codec
 * picture pass max_pixels (it decodes each one), or when it is made of grids.
 * A parameter set that cannot be read is an error: what libheif would pass
 * to the codec must be known.  Everything is bounded by the file: items
 * and extents are counted, every read is checked against its buffer.
 */
#include "image/heif.h"

#include <string.h>

#include "probe/isobmff.h"
#include "util/source.h"

#define CODED_MAX_ITEMS		4096	/* hvc1/av01 items looked at */
#define SPS_PREFIX			512		/* RBSP bytes that reach pic_height */

/* An MSB-first bit reader; err is set when a read runs past the end. */
typedef struct bits
{
	const uint8_t *p;
	size_t		len;
	size_t		pos;			/* in bits */
	int			err;
} bits;

/* Reads n (0-32) bits. */
static uint32_t
bits_get(bits *b, int n)
{
	uint32_t	v = 0;

	while (n-- > 0)
	{
		if (b->pos >= b->len * 8)
		{
			b->err = 1;
			return 0;
		}
		v = (v << 1) | ((b->p[b->pos / 8] >> (7 - b->pos % 8)) & 1);
		b->pos++;
	}
	return v;
}

/* Skips n bits. */
static void
bits_skip(bits *b, size_t n)
{
	if (n > b->len * 8 - (b->pos < b->len * 8 ? b->pos : b->len * 8))
		b->err = 1;
	b->pos += n;
}

/* Reads an unsigned Exp-Golomb code (HEVC ue(v)); err past 31 leading zeros. */
static uint32_t
bits_ue(bits *b)
{
	int			zeros = 0;

	while (!b->err && bits_get(b, 1) == 0)
		if (++zeros > 31)
		{
			b->err = 1;
			return 0;
		}
	return ((zeros == 32 ? 0 : (1u << zeros)) - 1) + bits_get(b, zeros);
}

/* The largest coded picture seen, and whether something could not be read. */
typedef struct coded
{
	uint64_t	max_area;
	uint64_t	max_w;
	uint64_t	max_h;
	uint64_t	max_coded;		/* largest codec picture (a tile of a grid) */
	uint64_t	max_refs;		/* most images one grid or overlay is made of */
	int			bad;
	int			nested;			/* a grid or overlay made of grids or overlays */
} coded;

/* Records a picture size (a codec's, or a canvas's when canvas is set). */
static void
coded_note(coded *c, uint64_t w, uint64_t h, int canvas)
{
	if (!canvas && w * h > c->max_coded)
		c->max_coded = w * h;
	if (w * h > c->max_area)
	{
		c->max_area = w * h;
		c->max_w = w;
		c->max_h = h;
	}
}

/*
 * Reads pic_width/height_in_luma_samples from an HEVC SPS NAL unit (header
 * included): emulation prevention bytes are dropped from the first
 * SPS_PREFIX bytes, then profile_tier_level is skipped (H.265 7.3.2.2).
 */
static void
hevc_sps(const uint8_t *nal, size_t n, coded *c)
{
	uint8_t		rbsp[SPS_PREFIX];
	size_t		r = 0;
	size_t		i;
	int			zeros = 0;
	bits		b;
	uint32_t	sub_layers;
	int			sub_profile[8];
	int			sub_level[8];
	uint32_t	k;
	uint32_t	w;
	uint32_t	h;

	for (i = 2; i < n && r < sizeof(rbsp); i++)
	{
		if (zeros >= 2 && nal[i] == 3)
		{
			zeros = 0;
			continue;
		}
		zeros = nal[i] == 0 ? zeros + 1 : 0;
		rbsp[r++] = nal[i];
	}
	memset(&b, 0, sizeof(b));
	b.p = rbsp;
	b.len = r;
	bits_skip(&b, 4);			/* sps_video_parameter_set_id */
	sub_layers = bits_get(&b, 3);
	bits_skip(&b, 1 + 88 + 8);	/* nesting flag, general profile, general level */
	for (k = 0; k < sub_layers && k < 8; k++)
	{
		sub_profile[k] = (int) bits_get(&b, 1);
		sub_level[k] = (int) bits_get(&b, 1);
	}
	if (sub_layers > 0)
		bits_skip(&b, 2 * (8 - sub_layers));
	for (k = 0; k < sub_layers && k < 8; k++)
		bits_skip(&b, (sub_profile[k] ? 88 : 0) + (sub_level[k] ? 8 : 0));
	bits_ue(&b);				/* sps_seq_parameter_set_id */
	if (bits_ue(&b) == 3)		/* chroma_format_idc */
		bits_skip(&b, 1);
	w = bits_ue(&b);
	h = bits_ue(&b);
	if (b.err || sub_layers > 6)
		c->bad = 1;
	else
		coded_note(c, w, h, 0);
}

/* Reads an AV1 leb128 value at *pos of p/len; err when it runs out or overflows. */
static uint64_t
leb128(const uint8_t *p, size_t len, size_t *pos, int *err)
{
	uint64_t	v = 0;
	int			i;

	for (i = 0; i < 8; i++)
	{
		if (*pos >= len)
			break;
		v |= (uint64_t) (p[*pos] & 0x7F) << (7 * i);
		if (!(p[(*pos)++] & 0x80))
			return v;
	}
	*err = 1;
	return 0;
}

/* Reads max_frame_width/height from an AV1 sequence header OBU payload (AV1 5.5). */
static void
av1_sequence_header(const uint8_t *p, size_t n, coded *c)
{
	bits		b;
	int			timing;
	int			decoder_model = 0;
	int			delay_present;
	uint32_t	delay_len = 0;
	uint32_t	ops;
	uint32_t	k;
	int			wbits;
	int			hbits;
	uint32_t	w;
	uint32_t	h;

	memset(&b, 0, sizeof(b));
	b.p = p;
	b.len = n;
	bits_skip(&b, 3 + 1);		/* seq_profile, still_picture */
	if (bits_get(&b, 1))		/* reduced_still_picture_header */
		bits_skip(&b, 5);
	else
	{
		timing = (int) bits_get(&b, 1);
		if (timing)
		{
			bits_skip(&b, 64);
			if (bits_get(&b, 1))	/* equal_picture_interval */
				bits_ue(&b);	/* uvlc: same leading-zeros code */
			decoder_model = (int) bits_get(&b, 1);
			if (decoder_model)
			{
				delay_len = bits_get(&b, 5) + 1;
				bits_skip(&b, 32 + 5 + 5);
			}
		}
		delay_present = (int) bits_get(&b, 1);
		ops = bits_get(&b, 5) + 1;
		for (k = 0; k < ops && !b.err; k++)
		{
			bits_skip(&b, 12);
			if (bits_get(&b, 5) > 7)
				bits_skip(&b, 1);
			if (decoder_model && bits_get(&b, 1))
				bits_skip(&b, 2 * delay_len + 1);
			if (delay_present && bits_get(&b, 1))
				bits_skip(&b, 4);
		}
	}
	wbits = (int) bits_get(&b, 4) + 1;
	hbits = (int) bits_get(&b, 4) + 1;
	w = bits_get(&b, wbits);
	h = bits_get(&b, hbits);
	if (b.err)
		c->bad = 1;
	else
		coded_note(c, (uint64_t) w + 1, (uint64_t) h + 1, 0);
}

/* Walks AV1 OBUs (with or without size fields) for sequence headers. */
static void
scan_obus(const uint8_t *p, size_t len, coded *c)
{
	size_t		pos = 0;

	while (pos < len && !c->bad)
	{
		uint8_t		hdr = p[pos++];
		int			type = (hdr >> 3) & 15;
		uint64_t	size = len - pos;
		int			err = 0;

		if (hdr & 4)			/* obu_extension_flag */
			pos++;
		if (pos > len)
			break;
		if (hdr & 2)			/* obu_has_size_field */
			size = leb128(p, len, &pos, &err);
		if (err || size > len - pos)
			break;				/* the codec refuses what does not parse either */
		if (type == 1)
			av1_sequence_header(p + pos, (size_t) size, c);
		pos += (size_t) size;
	}
}

/*
 * Reads the NAL unit at *pos of p/len behind its lensize-byte length
 * (a length past the end is cut to it, as libheif passes it on) and parses
 * it when it is an SPS; 0 when no unit is left.
 */
static int
next_nal(const uint8_t *p, size_t len, size_t *pos, int lensize, coded *c)
{
	size_t		n;

	if (len - *pos < (size_t) lensize || c->bad)
		return 0;
	n = lensize == 4 ? mm_be32(p + *pos) : mm_be16(p + *pos);
	*pos += (size_t) lensize;
	if (n > len - *pos)
		n = len - *pos;
	if (n >= 2 && ((p[*pos] >> 1) & 0x3F) == 33)
		hevc_sps(p + *pos, n, c);
	*pos += n;
	return 1;
}

/* Walks 4-byte length-prefixed HEVC NAL units (as libheif passes them) for SPSs. */
static void
scan_nals(const uint8_t *p, size_t len, coded *c)
{
	size_t		pos = 0;

	while (next_nal(p, len, &pos, 4, c))
		;
}

/* The SPSs of an hvcC property's NAL unit arrays (2-byte lengths). */
static void
scan_hvcc(const uint8_t *p, size_t len, coded *c)
{
	size_t		pos = 23;
	unsigned	arrays;
	unsigned	a;
	unsigned	i;

	if (len < 23)
		return;
	arrays = p[22];
	for (a = 0; a < arrays && len - pos >= 3; a++)
	{
		unsigned	count = mm_be16(p + pos + 1);

		pos += 3;
		for (i = 0; i < count; i++)
			if (!next_nal(p, len, &pos, 2, c))
				return;
	}
}

/* Every hvcC and av1C property of iprp/ipco. */
static void
scan_properties(const uint8_t *iprp, size_t len, coded *c)
{
	size_t		pos = 0;
	mm_iso_box	ipco;

	while (mm_iso_next(iprp, len, &pos, &ipco))
	{
		size_t		ppos = 0;
		mm_iso_box	prop;

		if (ipco.type != MM_FOURCC('i', 'p', 'c', 'o'))
			continue;
		while (mm_iso_next(ipco.data, ipco.len, &ppos, &prop))
			if (prop.type == MM_FOURCC('h', 'v', 'c', 'C'))
				scan_hvcc(prop.data, prop.len, c);
			else if (prop.type == MM_FOURCC('a', 'v', '1', 'C') && prop.len > 4)
				scan_obus(prop.data + 4, prop.len - 4, c);
	}
}

/* Item kinds that matter here. */
#define KIND_OTHER	0
#define KIND_HEVC	1			/* hvc1: HEVC NAL units */
#define KIND_AV1	2			/* av01: AV1 OBUs */
#define KIND_GRID	3			/* grid: a canvas of tiles */
#define KIND_OVERLAY 4			/* iovl: a canvas of overlaid images */

/* One item of iinf. */
typedef struct item
{
	uint32_t	id;
	int			kind;
} item;

/* The kind of an item type. */
static int
item_kind(uint32_t type)
{
	switch (type)
	{
		case MM_FOURCC('h', 'v', 'c', '1'):
			return KIND_HEVC;
		case MM_FOURCC('a', 'v', '0', '1'):
			return KIND_AV1;
		case MM_FOURCC('g', 'r', 'i', 'd'):
			return KIND_GRID;
		case MM_FOURCC('i', 'o', 'v', 'l'):
			return KIND_OVERLAY;
	}
	return KIND_OTHER;
}

/* Fills items[0..*n) (at most max) from iinf's infe boxes of version 2 and 3. */
static void
read_items(const mm_iso_box *iinf, item *items, size_t max, size_t *n)
{
	size_t		pos = iinf->data[0] == 0 ? 6 : 8;	/* FullBox + entry_count */
	mm_iso_box	infe;

	*n = 0;
	if (iinf->len < pos)
		return;
	while (*n < max && mm_iso_next(iinf->data, iinf->len, &pos, &infe))
	{
		const uint8_t *q = infe.data;

		if (infe.type != MM_FOURCC('i', 'n', 'f', 'e') || infe.len < 12 || q[0] < 2 ||
			(q[0] > 2 && infe.len < 14))
			continue;
		items[*n].id = q[0] == 2 ? mm_be16(q + 4) : mm_be32(q + 4);
		items[*n].kind = item_kind(mm_be32(q + (q[0] == 2 ? 8 : 10)));
		(*n)++;
	}
}

/* The kind of item id (KIND_OTHER when not listed). */
static int
kind_of(const item *items, size_t n, uint32_t id)
{
	size_t		i;

	for (i = 0; i < n; i++)
		if (items[i].id == id)
			return items[i].kind;
	return KIND_OTHER;
}

/*
 * The 'dimg' references of iref: how many images each grid or overlay is
 * made of (the most goes to c->max_refs), and whether one of them is a grid
 * or overlay itself (c->nested: the work would multiply).
 */
static void
scan_derivations(const mm_iso_box *iref, const item *items, size_t n, coded *c)
{
	size_t		pos = 4;
	int			wide = iref->len > 0 && iref->data[0] == 1;
	mm_iso_box	ref;

	while (mm_iso_next(iref->data, iref->len, &pos, &ref))
	{
		size_t		idlen = wide ? 4 : 2;
		uint32_t	count;
		uint32_t	k;

		if (ref.type != MM_FOURCC('d', 'i', 'm', 'g') || ref.len < idlen + 2)
			continue;
		count = mm_be16(ref.data + idlen);
		if (count > c->max_refs)
			c->max_refs = count;
		for (k = 0; k < count && idlen + 2 + (k + 1) * idlen <= ref.len; k++)
		{
			const uint8_t *q = ref.data + idlen + 2 + k * idlen;
			int			kind = kind_of(items, n, wide ? mm_be32(q) : mm_be16(q));

			if (kind == KIND_GRID || kind == KIND_OVERLAY)
				c->nested = 1;
		}
	}
}

/* The canvas size of a grid or overlay item's data (HEIF 6.6.2.3). */
static void
scan_canvas(const uint8_t *p, size_t len, int kind, coded *c)
{
	size_t		at = kind == KIND_GRID ? 4 : 2 + 8;	/* after rows/columns, or fill colour */
	int			wide;

	if (len < 2)
	{
		c->bad = 1;
		return;
	}
	wide = p[1] & 1;
	if (len < at + (wide ? 8 : 4))
	{
		c->bad = 1;
		return;
	}
	if (wide)
		coded_note(c, mm_be32(p + at), mm_be32(p + at + 4), 1);
	else
		coded_note(c, mm_be16(p + at), mm_be16(p + at + 2), 1);
}

/* What scan_items() needs: the meta box's parts and its items' kinds. */
typedef struct meta_parts
{
	mm_img_ctx *ctx;
	const mm_heif_meta *meta;
	item	   *items;
	size_t		nitems;
	size_t		seen;
	coded	   *c;
} meta_parts;

/* Reads the sizes in one item's data, by its kind. */
static void
scan_data(const uint8_t *p, size_t len, int kind, coded *c)
{
	if (kind == KIND_HEVC)
		scan_nals(p, len, c);
	else if (kind == KIND_AV1)
		scan_obus(p, len, c);
	else
		scan_canvas(p, len, kind, c);
}

/*
 * iloc callback: scans one item's data (its extents joined, as libheif
 * joins them before the codec sees them); data outside the file is left
 * to libheif, which refuses it.  Non-zero stops the walk.
 */
static int
scan_item(const mm_heif_extents *e, void *arg)
{
	meta_parts *m = arg;
	int			codec = kind_of(m->items, m->nitems, e->id);
	const uint8_t *p;
	size_t		n;
	uint8_t    *joined;

	if (++m->seen > CODED_MAX_ITEMS)
		return 1;
	if (codec == KIND_OTHER || e->method > 1 || e->n == 0)
		return 0;
	if (e->n > HEIF_MAX_EXTENTS)
	{
		m->c->bad = 1;			/* more pieces than we follow: refuse, do not guess */
		return 1;
	}
	if (mm_heif_item_data(m->ctx, m->meta, e, &p, &n, &joined) != MM_IMG_OK)
	{
		if (m->ctx->status != MM_IMG_OK)
			m->c->bad = 1;
		return m->c->bad;
	}
	scan_data(p, n, codec, m->c);
	mm_img_release(m->ctx, joined);
	return m->c->bad;
}

/*
 * Finds the largest picture the codec streams of the HEIF file in src
 * would decode: *w x *h (0 x 0 when no parameter set was found), and the
 * largest codec picture alone in *coded_max (a grid tile's).
 * MM_IMG_CORRUPT (recorded, naming what) when a parameter set cannot be read.
 */
mm_img_status
mm_heif_coded_size(mm_img_ctx *ctx, const uint8_t *src, size_t len, const char *what,
				   uint64_t *w, uint64_t *h, uint64_t *coded_max)
{
	coded		c;
	mm_heif_meta meta;
	meta_parts	m;

	memset(&c, 0, sizeof(c));
	memset(&m, 0, sizeof(m));
	m.ctx = ctx;
	m.meta = &meta;
	m.c = &c;
	mm_heif_meta_find(src, len, &meta);
	if (meta.have_iprp)
		scan_properties(meta.iprp.data, meta.iprp.len, &c);
	if (meta.have_iinf && !c.bad)
	{
		m.items = mm_img_alloc_array(ctx, CODED_MAX_ITEMS, sizeof(item));
		if (m.items == NULL)
			return ctx->status;
		read_items(&meta.iinf, m.items, CODED_MAX_ITEMS, &m.nitems);
		if (meta.have_iref)
			scan_derivations(&meta.iref, m.items, m.nitems, &c);
		if (meta.have_iloc && m.nitems > 0)
			mm_heif_iloc_each(&meta.iloc, scan_item, &m);
		mm_img_release(ctx, m.items);
	}
	if (ctx->status != MM_IMG_OK)
		return ctx->status;
	if (c.bad)
		return mm_img_fail(ctx, MM_IMG_CORRUPT, "%s: a codec parameter set could not be read", what);
	if (c.nested)
		return mm_img_fail(ctx, MM_IMG_UNSUPPORTED, "%s: a grid or overlay made of grids or overlays", what);
	/* a grid decodes each of its tiles: the work is their count times the largest tile */
	if (c.max_refs > 0 && c.max_coded > ctx->max_pixels / c.max_refs)
		return mm_img_fail(ctx, MM_IMG_TOO_BIG,
						   "%s: a grid or overlay of %llu images of up to %llu pixels each is over the limit of %llu pixels",
						   what, (unsigned long long) c.max_refs, (unsigned long long) c.max_coded,
						   (unsigned long long) ctx->max_pixels);
	*w = c.max_w;
	*h = c.max_h;
	*coded_max = c.max_coded;
	return MM_IMG_OK;
}

/* The largest picture of item id's own configuration and data; see heif.h. */
mm_img_status
mm_heif_item_coded_area(mm_img_ctx *ctx, const mm_heif_meta *m, uint32_t id, const char *what,
						uint64_t *area)
{
	mm_iso_box	prop[ISO_MAX_PROPS];
	int			n = mm_heif_item_props(m, id, prop);
	int			kind = KIND_OTHER;
	mm_heif_extents e;
	coded		c;
	int			i;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < n; i++)
		if (prop[i].type == MM_FOURCC('h', 'v', 'c', 'C'))
		{
			scan_hvcc(prop[i].data, prop[i].len, &c);
			kind = KIND_HEVC;
		}
		else if (prop[i].type == MM_FOURCC('a', 'v', '1', 'C') && prop[i].len > 4)
		{
			scan_obus(prop[i].data + 4, prop[i].len - 4, &c);
			kind = KIND_AV1;
		}
	if (kind != KIND_OTHER && mm_heif_item_extents(m, id, &e))
	{
		const uint8_t *p;
		size_t		len;
		uint8_t    *joined;

		if (mm_heif_item_data(ctx, m, &e, &p, &len, &joined) == MM_IMG_OK)
		{
			scan_data(p, len, kind, &c);
			mm_img_release(ctx, joined);
		}
		else if (ctx->status != MM_IMG_OK)
			return ctx->status;
	}
	if (c.bad)
		return mm_img_fail(ctx, MM_IMG_CORRUPT, "%s: a codec parameter set could not be read", what);
	*area = c.max_coded;
	return MM_IMG_OK;
}
