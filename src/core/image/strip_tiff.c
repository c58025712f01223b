/*
 * image/strip_tiff.c - removing location from one TIFF structure: the body
 * of an EXIF block (JPEG APP1, PNG eXIf, WebP EXIF) or a whole TIFF file.
 *
 * The GPS IFD pointer (tag 0x8825) may sit in IFD0, in the Exif IFD
 * (0x8769), in IFD1 (the thumbnail's) or in any IFD of a TIFF file's chain;
 * every IFD reachable that way (at most MAX_IFDS, each once) is searched.
 * When a GPS IFD lies wholly in the block and overlaps no IFD, it and the
 * values it points to are zeroed; the pointer entry then leaves its IFD
 * (later entries move up, the count drops by one), as it does when it
 * points into another IFD (hostile).  A GPS IFD beyond the block (an
 * upload's first window) is left alone, pointer included.  An XMP packet in tag 700 has its
 * GPS properties blanked.  Every offset is checked before use.
 */
#include <string.h>

#include "image/strip_internal.h"
#include "probe/exif.h"
#include "util/source.h"

#define MAX_IFD_ENTRIES 1024
#define MAX_IFDS 32
#define MAX_PASSES 64
#define TAG_EXIF_IFD 0x8769
#define TAG_INTEROP_IFD 0xA005
#define TAG_GPS_IFD 0x8825
#define TAG_XMP 700

/* A TIFF structure being edited. */
typedef struct tiff_block
{
	uint8_t    *p;
	size_t		len;
	int			le;				/* "II" byte order */
	uint32_t	ifd[MAX_IFDS];	/* IFDs found, each checked to lie in the block */
	uint32_t	ifd_end[MAX_IFDS];	/* end of each IFD (entries and next offset) */
	int			nifd;
} tiff_block;

/* Reads a 16- or 32-bit value at off in the block's byte order (caller checked bounds). */
static uint32_t
rd16(const tiff_block *t, size_t off)
{
	return t->le ? mm_le16(t->p + off) : mm_be16(t->p + off);
}

static uint32_t
rd32(const tiff_block *t, size_t off)
{
	return t->le ? mm_le32(t->p + off) : mm_be32(t->p + off);
}

/* Writes a 16-bit value at off in the block's byte order. */
static void
wr16(tiff_block *t, size_t off, uint32_t v)
{
	uint8_t    *q = t->p + off;

	q[t->le ? 0 : 1] = (uint8_t) v;
	q[t->le ? 1 : 0] = (uint8_t) (v >> 8);
}

/* Is [off, off+n) inside the block? */
static int
in_block(const tiff_block *t, uint64_t off, uint64_t n)
{
	return off <= t->len && n <= t->len - off;
}

/*
 * Entry count of the IFD at off when the whole IFD (count, entries, next
 * offset) lies in the block and is not absurdly large; -1 otherwise.
 */
static int64_t
ifd_count(const tiff_block *t, uint64_t off)
{
	uint32_t	n;

	if (!in_block(t, off, 2))
		return -1;
	n = rd16(t, (size_t) off);
	if (n > MAX_IFD_ENTRIES || !in_block(t, off + 2, (uint64_t) n * 12 + 4))
		return -1;
	return n;
}

/* Does [off, off+n) overlap any IFD found? */
static int
overlaps_ifd(const tiff_block *t, uint64_t off, uint64_t n)
{
	int			k;

	for (k = 0; k < t->nifd; k++)
		if (off < t->ifd_end[k] && t->ifd[k] < off + n)
			return 1;
	return 0;
}

/* Adds the IFD at off to the list unless it is invalid, known, overlapping, or the list is full. */
static void
add_ifd(tiff_block *t, uint64_t off)
{
	int64_t		n = ifd_count(t, off);

	if (n < 0 || off == 0 || t->nifd >= MAX_IFDS)
		return;
	/* an IFD seen before, or one overlapping it (hostile: editing one would corrupt the other) */
	if (overlaps_ifd(t, off, 2 + (uint64_t) n * 12 + 4))
		return;
	t->ifd[t->nifd] = (uint32_t) off;
	t->ifd_end[t->nifd] = (uint32_t) (off + 2 + (uint64_t) n * 12 + 4);
	t->nifd++;
}

/*
 * Collects IFD0, the IFD chain after it and the Exif and Interoperability
 * IFDs any of them points to: every IFD a GPS pointer may be found in.
 */
static void
collect_ifds(tiff_block *t, uint32_t ifd0)
{
	int			k;

	add_ifd(t, ifd0);
	for (k = 0; k < t->nifd; k++)
	{
		uint32_t	off = t->ifd[k];
		uint32_t	n = rd16(t, off);
		uint32_t	i;

		for (i = 0; i < n; i++)
		{
			size_t		e = (size_t) off + 2 + (size_t) i * 12;
			uint32_t	tag = rd16(t, e);

			if ((tag == TAG_EXIF_IFD || tag == TAG_INTEROP_IFD) && rd32(t, e + 4) == 1)
				add_ifd(t, rd32(t, e + 8));
		}
		add_ifd(t, rd32(t, (size_t) off + 2 + (size_t) n * 12));
	}
}

/* Size in bytes of an entry's values, 0 for unknown types (BigTIFF's included). */
static uint64_t
entry_size(const tiff_block *t, size_t e)
{
	uint32_t	type = rd16(t, e + 2);

	if (type > 13)
		return 0;
	return (uint64_t) mm_tiff_type_size((uint16_t) type) * rd32(t, e + 4);
}

/*
 * Zeroes the GPS IFD at gps and the values its entries point to that lie
 * in the block and overlap no IFD.  Returns 1 when it did; 0, changing
 * nothing, when the "GPS IFD" overlaps another IFD (a hostile pointer: its
 * entry is still dropped); -1, changing nothing, when it is not wholly in
 * the block (beyond an upload's first window: the pointer stays, so
 * nothing claims a removal that did not happen).
 */
static int
zero_gps_ifd(tiff_block *t, uint32_t gps)
{
	int64_t		m = ifd_count(t, gps);
	int64_t		i;

	if (m < 0)
		return -1;
	if (overlaps_ifd(t, gps, 2 + (uint64_t) m * 12 + 4))
		return 0;
	for (i = 0; i < m; i++)
	{
		size_t		e = (size_t) gps + 2 + (size_t) i * 12;
		uint64_t	size = entry_size(t, e);
		uint32_t	voff = rd32(t, e + 8);

		if (size > 4 && in_block(t, voff, size) && !overlaps_ifd(t, voff, size))
			memset(t->p + voff, 0, (size_t) size);
	}
	memset(t->p + gps, 0, (size_t) m * 12 + 6);
	return 1;
}

/* Blanks GPS properties in the XMP packet an entry (tag 700) points to. */
static int
strip_xmp_entry(tiff_block *t, size_t e)
{
	uint64_t	size = entry_size(t, e);
	uint32_t	voff = rd32(t, e + 8);

	if (size <= 4 || !in_block(t, voff, size) || overlaps_ifd(t, voff, size))
		return 0;
	return mm_strip_xmp(t->p + voff, (size_t) size);
}

/*
 * Edits one IFD: removes its GPS pointer entries (zeroing what they point
 * to) and blanks GPS in its XMP packet.
 */
static int
strip_ifd(tiff_block *t, uint32_t off)
{
	int64_t		count = ifd_count(t, off);
	uint32_t	n = count > 0 ? (uint32_t) count : 0;
	uint32_t	i = 0;
	int			removed = 0;

	while (i < n)
	{
		size_t		e = (size_t) off + 2 + (size_t) i * 12;
		uint32_t	tag = rd16(t, e);

		if (tag == TAG_XMP)
			removed |= strip_xmp_entry(t, e);
		if (tag != TAG_GPS_IFD || zero_gps_ifd(t, rd32(t, e + 8)) < 0)
		{
			i++;
			continue;
		}
		/* later entries and the next-IFD offset move up; the freed slot is zeroed */
		memmove(t->p + e, t->p + e + 12, (size_t) (n - i - 1) * 12 + 4);
		memset(t->p + (size_t) off + 2 + (size_t) (n - 1) * 12 + 4, 0, 12);
		n--;
		wr16(t, off, n);
		removed |= MM_STRIP_EXIF_GPS;
	}
	return removed;
}

/*
 * One pass over a TIFF structure: collects its IFDs, then edits each.
 * Returns the MM_STRIP_* flags of what it removed.
 */
static int
strip_pass(uint8_t *p, size_t len)
{
	tiff_block	t;
	int			removed = 0;
	int			k;

	memset(&t, 0, sizeof(t));
	t.p = p;
	t.len = len;
	t.le = p[0] == 'I';
	collect_ifds(&t, rd32(&t, 4));
	for (k = 0; k < t.nifd; k++)
		removed |= strip_ifd(&t, t.ifd[k]);
	return removed;
}

/*
 * Removes location from a TIFF structure; see image/strip_internal.h.
 * Dropping a pointer entry shrinks its IFD, which can un-hide a block that
 * overlapped the IFD before (so was left alone): passes repeat until one
 * removes nothing, so that the result is final (a second call finds
 * nothing).  Every productive pass removes something, so this ends; the
 * pass count is capped all the same.
 */
int
mm_strip_tiff(uint8_t *p, size_t len)
{
	int			removed = 0;
	int			pass;
	int			r;

	if (len < 8 || !((p[0] == 'I' && p[1] == 'I') || (p[0] == 'M' && p[1] == 'M')))
		return 0;
	if ((p[0] == 'I' ? mm_le16(p + 2) : mm_be16(p + 2)) != 42)
		return 0;
	for (pass = 0; pass < MAX_PASSES && (r = strip_pass(p, len)) != 0; pass++)
		removed |= r;
	return removed;
}
