/*
 * image/strip.c - in-place removal of EXIF GPS data from JPEG, PNG and WebP.
 *
 * Works on a whole file in memory.  Every offset read from the file is
 * checked against the block it belongs to before use, IFD entry counts are
 * capped, and nothing changes unless the whole GPS structure was found
 * well-formed, so a hostile EXIF block is either cleaned or left as it was.
 */
#include <string.h>
#include <zlib.h>

#include "image/strip.h"
#include "probe/exif.h"

#define MAX_IFD_ENTRIES 1024
#define MAX_JPEG_SEGMENTS 4096
#define MAX_CHUNKS 100000

/* A TIFF structure (the body of an EXIF block) being edited. */
typedef struct tiff_block
{
	uint8_t    *p;
	size_t		len;
	int			le;				/* "II" byte order */
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

	if (t->le)
	{
		q[0] = (uint8_t) v;
		q[1] = (uint8_t) (v >> 8);
	}
	else
	{
		q[0] = (uint8_t) (v >> 8);
		q[1] = (uint8_t) v;
	}
}

/*
 * Size in bytes of one value of a TIFF field type; 0 for unknown types and
 * for BigTIFF's 8-byte types (16-18), which an EXIF block cannot hold.
 */
static size_t
type_size(uint32_t type)
{
	return type > 13 ? 0 : mm_tiff_type_size((uint16_t) type);
}

/* Is [off, off+n) inside the block? */
static int
in_block(const tiff_block *t, uint64_t off, uint64_t n)
{
	return off <= t->len && n <= t->len - off;
}

/*
 * Removes the GPS IFD from one TIFF structure.  Returns the number of GPS
 * entries removed, 0 when there is none or anything is malformed.
 */
static int
strip_tiff(uint8_t *p, size_t len)
{
	tiff_block	t = {p, len, 0};
	uint32_t	ifd0,
				n,
				i,
				gps = 0,
				m;
	size_t		entry = 0;
	int			found = 0;

	if (len < 8)
		return 0;
	if (p[0] == 'I' && p[1] == 'I')
		t.le = 1;
	else if (!(p[0] == 'M' && p[1] == 'M'))
		return 0;
	if (rd16(&t, 2) != 42)
		return 0;
	ifd0 = rd32(&t, 4);
	if (!in_block(&t, ifd0, 2))
		return 0;
	n = rd16(&t, ifd0);
	if (n > MAX_IFD_ENTRIES || !in_block(&t, (uint64_t) ifd0 + 2, (uint64_t) n * 12 + 4))
		return 0;
	for (i = 0; i < n; i++)
	{
		size_t		e = (size_t) ifd0 + 2 + (size_t) i * 12;

		if (rd16(&t, e) == 0x8825)
		{
			entry = e;
			gps = rd32(&t, e + 8);
			found = 1;
			break;
		}
	}
	if (!found || gps == ifd0 || !in_block(&t, gps, 2))
		return 0;
	m = rd16(&t, gps);
	if (m > MAX_IFD_ENTRIES || !in_block(&t, (uint64_t) gps + 2, (uint64_t) m * 12 + 4))
		return 0;
	/* the GPS IFD must not overlap IFD0, or zeroing it would damage IFD0 */
	if ((uint64_t) gps < (uint64_t) ifd0 + 2 + (uint64_t) n * 12 + 4 &&
		(uint64_t) ifd0 < (uint64_t) gps + 2 + (uint64_t) m * 12 + 4)
		return 0;

	/* zero the values stored outside the GPS entries, when they lie in the block */
	for (i = 0; i < m; i++)
	{
		size_t		e = (size_t) gps + 2 + (size_t) i * 12;
		uint64_t	size = (uint64_t) type_size(rd16(&t, e + 2)) * rd32(&t, e + 4);
		uint32_t	voff = rd32(&t, e + 8);

		if (size > 4 && in_block(&t, voff, size) &&
			!((uint64_t) voff < (uint64_t) ifd0 + 2 + (uint64_t) n * 12 + 4 &&
			  (uint64_t) ifd0 < (uint64_t) voff + size))
			memset(p + voff, 0, (size_t) size);
	}
	memset(p + gps, 0, (size_t) m * 12 + 6);

	/* drop the pointer entry: later entries and the next-IFD offset move up */
	memmove(p + entry, p + entry + 12, (size_t) ifd0 + 2 + (size_t) n * 12 + 4 - (entry + 12));
	memset(p + (size_t) ifd0 + 2 + (size_t) (n - 1) * 12 + 4, 0, 12);
	wr16(&t, ifd0, n - 1);
	return m > 0 ? (int) m : 1;
}

/* Length of an "Exif\0\0" prefix at p (0 when absent). */
static size_t
exif_prefix(const uint8_t *p, size_t len)
{
	return (len >= 6 && memcmp(p, "Exif\0\0", 6) == 0) ? 6 : 0;
}

/* JPEG: every APP1 "Exif" segment before the image data. */
static int
strip_jpeg(uint8_t *buf, size_t len)
{
	size_t		pos = 2;
	int			removed = 0;
	int			segments;

	for (segments = 0; segments < MAX_JPEG_SEGMENTS && pos + 4 <= len; segments++)
	{
		uint8_t		marker;
		size_t		seglen;

		if (buf[pos] != 0xFF)
			break;
		marker = buf[pos + 1];
		if (marker == 0xFF)
		{
			pos++;				/* fill byte */
			continue;
		}
		if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01)
		{
			pos += 2;
			continue;
		}
		if (marker == 0xDA || marker == 0xD9)
			break;				/* image data: metadata is over */
		seglen = ((size_t) buf[pos + 2] << 8) | buf[pos + 3];
		if (seglen < 2 || seglen > len - pos - 2)
			break;
		if (marker == 0xE1 && exif_prefix(buf + pos + 4, seglen - 2))
			removed += strip_tiff(buf + pos + 10, seglen - 8);
		pos += 2 + seglen;
	}
	return removed;
}

/* PNG: the eXIf chunk, whose CRC is then recomputed. */
static int
strip_png(uint8_t *buf, size_t len)
{
	size_t		pos = 8;
	int			removed = 0;
	int			chunks;

	for (chunks = 0; chunks < MAX_CHUNKS && pos + 12 <= len; chunks++)
	{
		uint32_t	clen = mm_be32(buf + pos);

		if (clen > len - pos - 12)
			break;
		if (memcmp(buf + pos + 4, "eXIf", 4) == 0)
		{
			size_t		pre = exif_prefix(buf + pos + 8, clen);
			int			r = strip_tiff(buf + pos + 8 + pre, clen - pre);

			if (r > 0)
			{
				uLong		crc = crc32(0L, buf + pos + 4, (uInt) clen + 4);

				buf[pos + 8 + clen] = (uint8_t) (crc >> 24);
				buf[pos + 9 + clen] = (uint8_t) (crc >> 16);
				buf[pos + 10 + clen] = (uint8_t) (crc >> 8);
				buf[pos + 11 + clen] = (uint8_t) crc;
				removed += r;
			}
		}
		if (memcmp(buf + pos + 4, "IEND", 4) == 0)
			break;
		pos += (size_t) clen + 12;
	}
	return removed;
}

/* WebP: the RIFF "EXIF" chunk. */
static int
strip_webp(uint8_t *buf, size_t len)
{
	size_t		pos = 12;
	int			removed = 0;
	int			chunks;

	for (chunks = 0; chunks < MAX_CHUNKS && pos + 8 <= len; chunks++)
	{
		uint32_t	clen = (uint32_t) buf[pos + 4] | ((uint32_t) buf[pos + 5] << 8) |
			((uint32_t) buf[pos + 6] << 16) | ((uint32_t) buf[pos + 7] << 24);

		if (clen > len - pos - 8)
			break;
		if (memcmp(buf + pos, "EXIF", 4) == 0)
		{
			size_t		pre = exif_prefix(buf + pos + 8, clen);

			removed += strip_tiff(buf + pos + 8 + pre, clen - pre);
		}
		pos += 8 + (size_t) clen + (clen & 1);
	}
	return removed;
}

int
mm_strip_location(uint8_t *buf, size_t len)
{
	if (len >= 4 && buf[0] == 0xFF && buf[1] == 0xD8 && buf[2] == 0xFF)
		return strip_jpeg(buf, len);
	if (len >= 8 && memcmp(buf, "\x89PNG\r\n\x1a\n", 8) == 0)
		return strip_png(buf, len);
	if (len >= 12 && memcmp(buf, "RIFF", 4) == 0 && memcmp(buf + 8, "WEBP", 4) == 0)
		return strip_webp(buf, len);
	return 0;
}
