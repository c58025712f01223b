/*
 * image/strip.c - in-place removal of location data from JPEG, PNG, WebP
 * and TIFF: finds the metadata blocks of each container and hands them to
 * the editors of image/strip_tiff.c (EXIF), strip_xmp.c (XMP) and
 * strip_png.c (PNG text chunks).
 *
 * Works on the file's bytes in memory, whole or only its first window (an
 * upload's header region): a block that runs past the end of buf is left
 * alone.  Every offset read from the file is checked before use.
 */
#include <string.h>
#include <zlib.h>

#include "image/strip_internal.h"
#include "util/source.h"

#define MAX_JPEG_SEGMENTS 4096
#define MAX_CHUNKS 100000

/*
 * Length of an EXIF block's "Exif\0" prefix and the pad byte after it (0
 * when absent).  The pad byte is usually 0, but some writers put 0xFF there.
 */
size_t
mm_exif_prefix_len(const uint8_t *p, size_t len)
{
	return (len >= 6 && memcmp(p, "Exif\0", 5) == 0) ? 6 : 0;
}

/* Removes location from the EXIF block (with or without its prefix) in p[0..len). */
static int
strip_exif_block(uint8_t *p, size_t len)
{
	size_t		pre = mm_exif_prefix_len(p, len);

	return mm_strip_tiff(p + pre, len - pre);
}

/* One JPEG APP1 segment's payload: an EXIF block or an XMP packet. */
static int
strip_app1(uint8_t *p, size_t len)
{
	size_t		pre;

	if (mm_exif_prefix_len(p, len) > 0)
		return strip_exif_block(p, len);
	if ((pre = mm_xmp_prefix_len(p, len)) > 0)
		return mm_strip_xmp(p + pre, len - pre);
	return 0;
}

/* JPEG: every APP1 segment (EXIF, XMP, extended XMP) before the image data. */
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
		if (marker == 0xE1)
			removed |= strip_app1(buf + pos + 4, seglen - 2);
		pos += 2 + seglen;
	}
	return removed;
}

/* Rewrites the CRC of the PNG chunk at pos (length clen) after an edit. */
static void
png_fix_crc(uint8_t *buf, size_t pos, uint32_t clen)
{
	uLong		crc = crc32(0L, buf + pos + 4, (uInt) clen + 4);

	buf[pos + 8 + clen] = (uint8_t) (crc >> 24);
	buf[pos + 9 + clen] = (uint8_t) (crc >> 16);
	buf[pos + 10 + clen] = (uint8_t) (crc >> 8);
	buf[pos + 11 + clen] = (uint8_t) crc;
}

/* PNG: the eXIf chunk and the text chunks; each edited chunk's CRC is recomputed. */
static int
strip_png(uint8_t *buf, size_t len)
{
	size_t		pos = 8;
	int			removed = 0;
	int			chunks;

	for (chunks = 0; chunks < MAX_CHUNKS && pos + 12 <= len; chunks++)
	{
		uint32_t	clen = mm_be32(buf + pos);
		uint8_t    *type = buf + pos + 4;
		int			r = 0;

		if (clen > len - pos - 12)
			break;

		if (memcmp(type, "eXIf", 4) == 0)
			r = strip_exif_block(buf + pos + 8, clen);
		else if (memcmp(type, "tEXt", 4) == 0 || memcmp(type, "zTXt", 4) == 0 ||
				 memcmp(type, "iTXt", 4) == 0)
			r = mm_strip_png_text(type, buf + pos + 8, clen);
		if (r)
		{
			png_fix_crc(buf, pos, clen);
			removed |= r;
		}
		if (memcmp(buf + pos + 4, "IEND", 4) == 0)
			break;
		pos += (size_t) clen + 12;
	}
	return removed;
}

/* WebP: the RIFF "EXIF" and "XMP " chunks. */
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
			removed |= strip_exif_block(buf + pos + 8, clen);
		else if (memcmp(buf + pos, "XMP ", 4) == 0)
			removed |= mm_strip_xmp(buf + pos + 8, clen);
		pos += 8 + (size_t) clen + (clen & 1);
	}
	return removed;
}

/* Removes location from the image in buf; see image/strip.h. */
int
mm_strip_location(uint8_t *buf, size_t len)
{
	if (len >= 4 && buf[0] == 0xFF && buf[1] == 0xD8 && buf[2] == 0xFF)
		return strip_jpeg(buf, len);
	if (len >= 8 && memcmp(buf, "\x89PNG\r\n\x1a\n", 8) == 0)
		return strip_png(buf, len);
	if (len >= 12 && memcmp(buf, "RIFF", 4) == 0 && memcmp(buf + 8, "WEBP", 4) == 0)
		return strip_webp(buf, len);
	if (len >= 8 && (memcmp(buf, "II*\0", 4) == 0 || memcmp(buf, "MM\0*", 4) == 0))
		return mm_strip_tiff(buf, len);
	return 0;
}
