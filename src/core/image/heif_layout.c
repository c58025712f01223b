/*
 * image/heif_layout.c - the items of a HEIF file as dec_heif.c needs them
 * to decode a grid tile by tile: the meta box's parts, item locations,
 * a grid's descriptor and tiles, an item's transformations as an EXIF
 * orientation, and a one-item HEIF file for one tile.
 *
 * Why: libheif 1.15 decodes a grid (every iPhone photo is a grid of
 * 512x512 HEVC tiles) by pasting every tile into a full-size planar RGB
 * image and then converting that to interleaved RGB: about 8 bytes a pixel,
 * 100 MB for 12 megapixels, in one call that cannot be interrupted.  Its
 * tiles are hidden items that heif_context_get_image_handle() does not
 * hand out, so each tile is copied into a small file of its own (its data
 * and its own properties, the item visible and primary) that libheif
 * decodes exactly as it decodes the tile inside the grid.  Every read is
 * bounded by its box; every count is checked against what it indexes.
 */
#include "image/heif.h"

#include <string.h>

#include "util/source.h"

/* Finds the first meta box of the file and its parts; 0 when there is none. */
int
mm_heif_meta_find(const uint8_t *src, size_t len, mm_heif_meta *m)
{
	size_t		pos = 0;
	mm_iso_box	box;

	memset(m, 0, sizeof(*m));
	m->file = src;
	m->file_len = len;
	while (mm_iso_next(src, len, &pos, &box))
	{
		size_t		mpos = 4;	/* meta is a FullBox */
		mm_iso_box	c;

		if (box.type != MM_FOURCC('m', 'e', 't', 'a'))
			continue;
		while (mm_iso_next(box.data, box.len, &mpos, &c))
			switch (c.type)
			{
				case MM_FOURCC('i', 'p', 'r', 'p'):
					m->iprp = c;
					m->have_iprp = 1;
					break;
				case MM_FOURCC('i', 'i', 'n', 'f'):
					m->iinf = c;
					m->have_iinf = c.len >= 6;
					break;
				case MM_FOURCC('i', 'l', 'o', 'c'):
					m->iloc = c;
					m->have_iloc = 1;
					break;
				case MM_FOURCC('i', 'd', 'a', 't'):
					m->idat = c;
					m->have_idat = 1;
					break;
				case MM_FOURCC('i', 'r', 'e', 'f'):
					m->iref = c;
					m->have_iref = 1;
					break;
				case MM_FOURCC('p', 'i', 't', 'm'):
					if (c.len >= 6)
					{
						m->primary = c.data[0] == 0 ? mm_be16(c.data + 4)
							: (c.len >= 8 ? mm_be32(c.data + 4) : 0);
						m->have_primary = 1;
					}
					break;
			}
		return 1;				/* libheif reads the first meta box */
	}
	return 0;
}

/* Reads an n-byte (0-8) big-endian field at *q of p/len; *err past the end. */
static uint64_t
iloc_field(const uint8_t *p, size_t len, size_t *q, int n, int *err)
{
	uint64_t	v = 0;
	int			i;

	if ((size_t) n > len - (*q < len ? *q : len))
	{
		*err = 1;
		return 0;
	}
	for (i = 0; i < n; i++)
		v = (v << 8) | p[(*q)++];
	return v;
}

/* Calls fn for each item of iloc (versions 0-2); see heif.h. */
int
mm_heif_iloc_each(const mm_iso_box *iloc, int (*fn) (const mm_heif_extents *e, void *arg), void *arg)
{
	const uint8_t *p = iloc->data;
	size_t		len = iloc->len;
	size_t		q = 6;
	int			version;
	int			off_size;
	int			len_size;
	int			base_size;
	int			idx_size;
	uint32_t	items;
	uint32_t	i;
	int			err = 0;
	mm_heif_extents e;

	if (len < 8 || p[0] > 2)
		return -1;
	version = p[0];
	off_size = p[4] >> 4;
	len_size = p[4] & 15;
	base_size = p[5] >> 4;
	idx_size = version >= 1 ? p[5] & 15 : 0;
	items = (uint32_t) iloc_field(p, len, &q, version < 2 ? 2 : 4, &err);
	for (i = 0; i < items && !err; i++)
	{
		uint32_t	k;
		int			r;

		e.id = (uint32_t) iloc_field(p, len, &q, version < 2 ? 2 : 4, &err);
		e.method = version >= 1 ? (int) (iloc_field(p, len, &q, 2, &err) & 15) : 0;
		iloc_field(p, len, &q, 2, &err);	/* data_reference_index */
		e.base = iloc_field(p, len, &q, base_size, &err);
		e.n = (uint32_t) iloc_field(p, len, &q, 2, &err);
		for (k = 0; k < e.n && !err; k++)
		{
			iloc_field(p, len, &q, idx_size, &err);
			e.off[k < HEIF_MAX_EXTENTS ? k : 0] = iloc_field(p, len, &q, off_size, &err);
			e.len[k < HEIF_MAX_EXTENTS ? k : 0] = iloc_field(p, len, &q, len_size, &err);
		}
		if (err)
			break;
		r = fn(&e, arg);
		if (r != 0)
			return r;
	}
	return err ? -1 : 0;
}

/* The item data of an item's extents, joined when there are several; see heif.h. */
mm_img_status
mm_heif_item_data(mm_img_ctx *ctx, const mm_heif_meta *m, const mm_heif_extents *e,
				  const uint8_t **p, size_t *n, uint8_t **joined)
{
	const uint8_t *area = e->method == 1 ? (m->have_idat ? m->idat.data : NULL) : m->file;
	uint64_t	area_len = e->method == 1 ? (m->have_idat ? m->idat.len : 0) : m->file_len;
	uint64_t	total = 0;
	uint32_t	i;

	*joined = NULL;
	if (area == NULL || e->method > 1 || e->n == 0 || e->n > HEIF_MAX_EXTENTS || e->base > area_len)
		return MM_IMG_CORRUPT;	/* libheif refuses data outside the file */
	for (i = 0; i < e->n; i++)
		if (e->off[i] > area_len - e->base || e->len[i] > area_len - (e->base + e->off[i]) ||
			(e->len[i] == 0 && e->n > 1))
			return MM_IMG_CORRUPT;
		else
			total += e->len[i] ? e->len[i] : area_len - (e->base + e->off[i]);
	if (e->n == 1)
	{
		*p = area + e->base + e->off[0];
		*n = (size_t) total;
		return MM_IMG_OK;
	}
	*joined = mm_img_alloc(ctx, (size_t) total);
	if (*joined == NULL)
		return ctx->status;
	total = 0;
	for (i = 0; i < e->n; i++)
	{
		memcpy(*joined + total, area + e->base + e->off[i], (size_t) e->len[i]);
		total += e->len[i];
	}
	*p = *joined;
	*n = (size_t) total;
	return MM_IMG_OK;
}

/* iloc_each callback: copies the extents of the item looked for. */
static int
find_extents(const mm_heif_extents *e, void *arg)
{
	mm_heif_extents *want = arg;

	if (e->id != want->id)
		return 0;
	*want = *e;
	return 1;
}

/* Where item id's data lies (iloc); 1 when found. */
int
mm_heif_item_extents(const mm_heif_meta *m, uint32_t id, mm_heif_extents *e)
{
	memset(e, 0, sizeof(*e));
	e->id = id;
	return m->have_iloc && mm_heif_iloc_each(&m->iloc, find_extents, e) == 1;
}

/* The item type (infe version 2 or 3) of item id; 0 when not listed. */
static uint32_t
item_type(const mm_heif_meta *m, uint32_t id)
{
	size_t		pos;
	mm_iso_box	infe;

	if (!m->have_iinf)
		return 0;
	pos = m->iinf.data[0] == 0 ? 6 : 8;	/* FullBox + entry_count */
	while (pos <= m->iinf.len && mm_iso_next(m->iinf.data, m->iinf.len, &pos, &infe))
	{
		const uint8_t *q = infe.data;

		if (infe.type != MM_FOURCC('i', 'n', 'f', 'e') || infe.len < 12 || q[0] < 2 ||
			(q[0] > 2 && infe.len < 14))
			continue;
		if ((q[0] == 2 ? mm_be16(q + 4) : mm_be32(q + 4)) == id)
			return mm_be32(q + (q[0] == 2 ? 8 : 10));
	}
	return 0;
}

/* Whether an item type is a coded image libheif decodes on its own. */
static int
is_coded(uint32_t type)
{
	return type == MM_FOURCC('h', 'v', 'c', '1') || type == MM_FOURCC('a', 'v', '0', '1');
}

/* Reads the dimg references of item id into g->tiles; 1 when they do not fit the grid. */
static int
grid_tiles(mm_img_ctx *ctx, const mm_heif_meta *m, uint32_t id, mm_heif_grid *g)
{
	size_t		pos = 4;
	int			wide = m->iref.len > 0 && m->iref.data[0] == 1;
	size_t		idlen = wide ? 4 : 2;
	mm_iso_box	ref;
	size_t		count = (size_t) g->rows * (size_t) g->cols;
	size_t		k;

	while (mm_iso_next(m->iref.data, m->iref.len, &pos, &ref))
	{
		if (ref.type != MM_FOURCC('d', 'i', 'm', 'g') || ref.len < idlen + 2 ||
			(wide ? mm_be32(ref.data) : mm_be16(ref.data)) != id)
			continue;
		if (mm_be16(ref.data + idlen) != count || ref.len < idlen + 2 + count * idlen)
			return 1;
		g->tiles = mm_img_alloc_array(ctx, count, sizeof(uint32_t));
		if (g->tiles == NULL)
			return -1;
		for (k = 0; k < count; k++)
		{
			const uint8_t *q = ref.data + idlen + 2 + k * idlen;

			g->tiles[k] = wide ? mm_be32(q) : mm_be16(q);
			if (!is_coded(item_type(m, g->tiles[k])) || mm_heif_orientation(m, g->tiles[k]) != 1)
				return 1;		/* a tile that is itself derived or transformed */
		}
		return 0;
	}
	return 1;
}

/* Reads grid item id; see heif.h. */
mm_img_status
mm_heif_grid_read(mm_img_ctx *ctx, const mm_heif_meta *m, uint32_t id, mm_heif_grid *g)
{
	mm_heif_extents e;
	const uint8_t *p;
	size_t		n;
	uint8_t    *joined;
	int			r = 1;

	memset(g, 0, sizeof(*g));
	if (item_type(m, id) != MM_FOURCC('g', 'r', 'i', 'd') || !m->have_iref ||
		!mm_heif_item_extents(m, id, &e) ||
		mm_heif_item_data(ctx, m, &e, &p, &n, &joined) != MM_IMG_OK)
		return ctx->status;		/* MM_IMG_OK (no tiles) unless an allocation failed */
	if (n >= 8 && p[0] == 0 && n >= (size_t) ((p[1] & 1) ? 12 : 8))
	{
		g->rows = p[2] + 1;
		g->cols = p[3] + 1;
		g->width = (p[1] & 1) ? mm_be32(p + 4) : mm_be16(p + 4);
		g->height = (p[1] & 1) ? mm_be32(p + 8) : mm_be16(p + 6);
		r = grid_tiles(ctx, m, id, g);
	}
	mm_img_release(ctx, joined);
	if (r != 0)
	{
		mm_img_release(ctx, g->tiles);
		g->tiles = NULL;
	}
	return ctx->status;
}

/* The EXIF orientations as maps of (x, y) to (a x + b y, c x + d y). */
static const int8_t orient_map[9][4] = {
	{0, 0, 0, 0},
	{1, 0, 0, 1}, {-1, 0, 0, 1}, {-1, 0, 0, -1}, {1, 0, 0, -1},
	{0, 1, 1, 0}, {0, -1, 1, 0}, {0, -1, -1, 0}, {0, 1, -1, 0}
};

/* Orientation after applying step to an image already turned by o. */
static int
orient_then(int o, int step)
{
	const int8_t *t = orient_map[o];
	const int8_t *s = orient_map[step];
	int8_t		r[4];
	int			k;

	r[0] = s[0] * t[0] + s[1] * t[2];
	r[1] = s[0] * t[1] + s[1] * t[3];
	r[2] = s[2] * t[0] + s[3] * t[2];
	r[3] = s[2] * t[1] + s[3] * t[3];
	for (k = 1; k <= 8; k++)
		if (memcmp(orient_map[k], r, 4) == 0)
			return k;
	return 1;					/* not reached: the maps form a group */
}

/* The property boxes of item id, in ipma's order; see heif.h. */
int
mm_heif_item_props(const mm_heif_meta *m, uint32_t id, mm_iso_box *prop)
{
	size_t		pos = 0;
	mm_iso_box	c;
	mm_iso_box	ipco = {0, NULL, 0};
	int			have_ipco = 0;
	unsigned	idx[ISO_MAX_PROPS];
	int			nidx = 0;
	int			n = 0;
	int			i;

	while (m->have_iprp && mm_iso_next(m->iprp.data, m->iprp.len, &pos, &c))
		if (c.type == MM_FOURCC('i', 'p', 'c', 'o') && !have_ipco)
		{
			ipco = c;
			have_ipco = 1;
		}
		else if (c.type == MM_FOURCC('i', 'p', 'm', 'a') && nidx == 0)
			nidx = mm_iso_ipma_find(c.data, c.len, id, idx);
	if (!have_ipco)
		return -1;
	for (i = 0; i < nidx; i++)
		if (idx[i] != 0 && mm_iso_ipco_get(ipco.data, ipco.len, idx[i], &prop[n]))
			n++;
	return n;
}

/* The transformations of item id as an EXIF orientation; see heif.h. */
int
mm_heif_orientation(const mm_heif_meta *m, uint32_t id)
{
	static const int irot_step[4] = {1, 8, 3, 6};	/* irot turns anti-clockwise */
	mm_iso_box	prop[ISO_MAX_PROPS];
	int			n = mm_heif_item_props(m, id, prop);
	int			o = 1;
	int			i;

	for (i = 0; i < n; i++)
	{
		if (prop[i].len < 1)
			continue;
		if (prop[i].type == MM_FOURCC('c', 'l', 'a', 'p'))
			return 0;
		if (prop[i].type == MM_FOURCC('i', 'r', 'o', 't'))
			o = orient_then(o, irot_step[prop[i].data[0] & 3]);
		else if (prop[i].type == MM_FOURCC('i', 'm', 'i', 'r'))	/* libheif: axis 0 swaps top and bottom */
			o = orient_then(o, (prop[i].data[0] & 1) ? 2 : 4);
	}
	return o;
}

/* A byte writer over a buffer sized in advance. */
typedef struct writer
{
	uint8_t    *p;
	size_t		n;
} writer;

/* Appends len bytes. */
static void
put(writer *w, const void *src, size_t len)
{
	memcpy(w->p + w->n, src, len);
	w->n += len;
}

/* Appends a big-endian field of size bytes (1, 2 or 4). */
static void
put_be(writer *w, uint32_t v, int size)
{
	while (size-- > 0)
		w->p[w->n++] = (uint8_t) (v >> (8 * size));
}

/* Appends a box header for a payload of len bytes (FullBox: version 0 and flags). */
static void
put_box(writer *w, const char *type, size_t len, int full, uint32_t flags)
{
	put_be(w, (uint32_t) (8 + (full ? 4 : 0) + len), 4);
	put(w, type, 4);
	if (full)
		put_be(w, flags, 4);
}

/* The one-item HEIF file of item id; see heif.h. */
mm_img_status
mm_heif_item_file(mm_img_ctx *ctx, const mm_heif_meta *m, uint32_t id, uint8_t **out, size_t *out_len)
{
	uint32_t	type = item_type(m, id);
	int			av1 = type == MM_FOURCC('a', 'v', '0', '1');
	mm_heif_extents e;
	const uint8_t *data;
	size_t		dlen;
	uint8_t    *joined;
	mm_iso_box	prop[ISO_MAX_PROPS];
	int			nkept = mm_heif_item_props(m, id, prop);
	size_t		ipco_len = 0;
	size_t		ipma_len;
	size_t		iprp_len;
	size_t		meta_len;
	writer		w;
	int			i;

	*out = NULL;
	if (!is_coded(type) || nkept < 0 || !mm_heif_item_extents(m, id, &e) ||
		mm_heif_item_data(ctx, m, &e, &data, &dlen, &joined) != MM_IMG_OK)
		return ctx->status != MM_IMG_OK ? ctx->status :
			mm_img_fail(ctx, MM_IMG_CORRUPT, "HEIF: grid tile %u cannot be found", (unsigned) id);
	/* the item's own properties only (renumbered 1..n): a file's ipco is not copied per tile */
	for (i = 0; i < nkept; i++)
		ipco_len += 8 + prop[i].len;
	ipma_len = 4 + 4 + 2 + 1 + 2 * (size_t) nkept;
	iprp_len = 8 + ipco_len + 8 + ipma_len;
	meta_len = 4 + (12 + 21) + (12 + 2) + (12 + 2 + 12 + 9) + (8 + iprp_len) + (12 + 20);
	*out_len = 24 + (8 + meta_len) + 8 + dlen;
	if (dlen > 0xFFFF0000u || ipco_len > 0xFFFF0000u - dlen || (*out = mm_img_alloc(ctx, *out_len)) == NULL)
	{
		mm_img_release(ctx, joined);
		return ctx->status != MM_IMG_OK ? ctx->status :
			mm_img_fail(ctx, MM_IMG_TOO_BIG, "HEIF: grid tile %u is too large", (unsigned) id);
	}
	w.p = *out;
	w.n = 0;
	put_box(&w, "ftyp", 16, 0, 0);
	put(&w, av1 ? "avif\0\0\0\0mif1avif" : "heic\0\0\0\0mif1heic", 16);
	put_box(&w, "meta", meta_len - 4, 1, 0);
	put_box(&w, "hdlr", 21, 1, 0);
	put(&w, "\0\0\0\0pict\0\0\0\0\0\0\0\0\0\0\0\0\0", 21);
	put_box(&w, "pitm", 2, 1, 0);
	put_be(&w, 1, 2);
	put_box(&w, "iinf", 2 + 12 + 9, 1, 0);
	put_be(&w, 1, 2);
	put_box(&w, "infe", 9, 1, 2 << 24);	/* version 2, visible */
	put_be(&w, 1, 2);
	put_be(&w, 0, 2);
	put_be(&w, type, 4);
	put(&w, "", 1);
	put_box(&w, "iprp", iprp_len, 0, 0);
	put_box(&w, "ipco", ipco_len, 0, 0);
	for (i = 0; i < nkept; i++)
	{
		put_be(&w, (uint32_t) (8 + prop[i].len), 4);
		put_be(&w, prop[i].type, 4);
		put(&w, prop[i].data, prop[i].len);
	}
	put_box(&w, "ipma", ipma_len - 4, 1, 1);	/* version 0, 16-bit indices */
	put_be(&w, 1, 4);
	put_be(&w, 1, 2);
	put_be(&w, (uint32_t) nkept, 1);
	for (i = 0; i < nkept; i++)
		put_be(&w, (uint32_t) (i + 1), 2);
	put_box(&w, "iloc", 20, 1, 1 << 24);	/* version 1: 4-byte offsets and lengths */
	put_be(&w, 0x4400, 2);
	put_be(&w, 1, 2);
	put_be(&w, 1, 2);			/* item 1 */
	put_be(&w, 0, 2);			/* construction method 0 */
	put_be(&w, 0, 2);
	put_be(&w, 1, 2);			/* one extent */
	put_be(&w, (uint32_t) (w.n + 8 + 8), 4);
	put_be(&w, (uint32_t) dlen, 4);
	put_box(&w, "mdat", dlen, 0, 0);
	put(&w, data, dlen);
	mm_img_release(ctx, joined);
	return MM_IMG_OK;
}
