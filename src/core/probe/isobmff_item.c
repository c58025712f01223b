/*
 * probe/isobmff_item.c - the item properties of HEIF and AVIF images: the
 * primary item (pitm), its property associations (iprp/ipma) and the
 * properties themselves in iprp/ipco (ispe size, irot rotation, clap clean
 * aperture, av1C/hvcC codec).
 */
#include "probe/isobmff.h"

#define ISO_MAX_IPMA		65536	/* ipma entries looked at */

/* Returns the ipco child with 1-based index idx, or 0 when absent. */
int
mm_iso_ipco_get(const uint8_t *p, size_t len, unsigned idx, mm_iso_box *out)
{
	size_t		pos = 0;
	unsigned	n;

	for (n = 1; n <= ISO_MAX_CHILDREN && mm_iso_next(p, len, &pos, out); n++)
		if (n == idx)
			return 1;
	return 0;
}

/* Applies one property of the primary item (ispe, irot, clap, codec config). */
static void
iso_apply_property(const mm_iso_box *b, mm_iso_info *info, int *have_ispe,
				   int64_t *clap_w, int64_t *clap_h)
{
	switch (b->type)
	{
		case MM_FOURCC('i', 's', 'p', 'e'):
			if (!*have_ispe && b->len >= 12)
			{
				info->img_width = mm_be32(b->data + 4);
				info->img_height = mm_be32(b->data + 8);
				*have_ispe = 1;
			}
			break;
		case MM_FOURCC('i', 'r', 'o', 't'):
			if (b->len >= 1)
				info->img_rotation = (4 - (b->data[0] & 3)) % 4 * 90;	/* irot is anti-clockwise */
			break;
		case MM_FOURCC('c', 'l', 'a', 'p'):
			if (b->len >= 16)
			{
				uint32_t	wn = mm_be32(b->data),
							wd = mm_be32(b->data + 4),
							hn = mm_be32(b->data + 8),
							hd = mm_be32(b->data + 12);

				if (wd != 0 && hd != 0 && (int32_t) wn > 0 && (int32_t) hn > 0 &&
					(int32_t) wd > 0 && (int32_t) hd > 0)
				{
					*clap_w = (int64_t) (wn / wd);
					*clap_h = (int64_t) (hn / hd);
				}
			}
			break;
		case MM_FOURCC('a', 'v', '1', 'C'):
			if (info->img_codec == 0)
				info->img_codec = MM_FOURCC('a', 'v', '0', '1');
			break;
		case MM_FOURCC('h', 'v', 'c', 'C'):
			if (info->img_codec == 0)
				info->img_codec = MM_FOURCC('h', 'v', 'c', '1');
			break;
	}
}

/*
 * Reads ipma and returns the property indices (1-based) associated with
 * item_id, at most ISO_MAX_PROPS of them; 0 when the item has none.
 */
int
mm_iso_ipma_find(const uint8_t *p, size_t len, uint32_t item_id, unsigned *props)
{
	size_t		pos = 8;
	uint32_t	count,
				i;
	int			version,
				wide;

	if (len < 8)
		return 0;
	version = p[0];
	wide = p[3] & 1;
	count = mm_be32(p + 4);
	for (i = 0; i < count && i < ISO_MAX_IPMA; i++)
	{
		uint32_t	id;
		unsigned	nassoc,
					j;
		size_t		idlen = version < 1 ? 2 : 4;
		size_t		alen = wide ? 2 : 1;

		if (len - pos < idlen + 1)
			return 0;
		id = idlen == 2 ? mm_be16(p + pos) : mm_be32(p + pos);
		nassoc = p[pos + idlen];
		pos += idlen + 1;
		if (len - pos < (size_t) nassoc * alen)
			return 0;
		if (id == item_id)
		{
			int			n = 0;

			for (j = 0; j < nassoc && n < ISO_MAX_PROPS; j++)
				props[n++] = wide ? (mm_be16(p + pos + j * 2) & 0x7fff)
					: (unsigned) (p[pos + j] & 0x7f);
			return n;
		}
		pos += (size_t) nassoc * alen;
	}
	return 0;
}

/*
 * Parses a HEIF/AVIF meta box held in memory: the primary item (pitm), its
 * property associations (iprp/ipma) and the associated properties in
 * iprp/ipco.  Without a usable primary item the first ispe is taken.
 */
void
mm_iso_parse_meta(const uint8_t *p, size_t len, mm_iso_info *info)
{
	size_t		pos = 0;
	mm_iso_box		b;
	int			n;
	uint32_t	primary = 0;
	int			have_primary = 0;
	const uint8_t *ipco = NULL;
	size_t		ipco_len = 0;
	const uint8_t *ipma[4];
	size_t		ipma_len[4];
	int			nipma = 0;
	unsigned	props[ISO_MAX_PROPS];
	int			nprops = 0;
	int			have_ispe = 0;
	int64_t		clap_w = -1,
				clap_h = -1;
	int			i;

	/* a full box: version and flags come first */
	if (len < 4)
		return;
	p += 4;
	len -= 4;
	for (n = 0; n < ISO_MAX_CHILDREN && mm_iso_next(p, len, &pos, &b); n++)
	{
		if (b.type == MM_FOURCC('p', 'i', 't', 'm') && b.len >= 6)
		{
			primary = b.data[0] == 0 ? mm_be16(b.data + 4)
				: (b.len >= 8 ? mm_be32(b.data + 4) : 0);
			have_primary = 1;
		}
		else if (b.type == MM_FOURCC('i', 'p', 'r', 'p'))
		{
			size_t		ppos = 0;
			mm_iso_box		c;
			int			m;

			for (m = 0; m < ISO_MAX_CHILDREN && mm_iso_next(b.data, b.len, &ppos, &c); m++)
			{
				if (c.type == MM_FOURCC('i', 'p', 'c', 'o') && ipco == NULL)
				{
					ipco = c.data;
					ipco_len = c.len;
				}
				else if (c.type == MM_FOURCC('i', 'p', 'm', 'a') && nipma < 4)
				{
					ipma[nipma] = c.data;
					ipma_len[nipma++] = c.len;
				}
			}
		}
	}
	if (ipco == NULL)
		return;
	if (have_primary)
		for (i = 0; i < nipma && nprops == 0; i++)
			nprops = mm_iso_ipma_find(ipma[i], ipma_len[i], primary, props);
	for (i = 0; i < nprops; i++)
	{
		mm_iso_box		prop;

		if (props[i] != 0 && mm_iso_ipco_get(ipco, ipco_len, props[i], &prop))
			iso_apply_property(&prop, info, &have_ispe, &clap_w, &clap_h);
	}
	if (!have_ispe)
	{
		/* no primary item's ispe: take the first one */
		size_t		ppos = 0;
		mm_iso_box		c;
		int			m;

		for (m = 0; m < ISO_MAX_CHILDREN && mm_iso_next(ipco, ipco_len, &ppos, &c); m++)
			if (c.type == MM_FOURCC('i', 's', 'p', 'e'))
			{
				iso_apply_property(&c, info, &have_ispe, &clap_w, &clap_h);
				break;
			}
	}
	if (have_ispe && clap_w > 0 && clap_h > 0 &&
		clap_w <= info->img_width && clap_h <= info->img_height)
	{
		info->img_width = clap_w;
		info->img_height = clap_h;
	}
	if (have_ispe && (info->img_rotation == 90 || info->img_rotation == 270))
	{
		int64_t		tmp = info->img_width;

		info->img_width = info->img_height;
		info->img_height = tmp;
	}
}
