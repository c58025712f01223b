/*
 * test_strip.c - mm_strip_location(): GPS data leaves JPEG, PNG and WebP
 * EXIF blocks, nothing else changes, and a JPEG decodes to the same pixels.
 */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <jpeglib.h>
#include <zlib.h>

#include "probe/probe.h"
#include "image/strip.h"
#include "mm_test.h"

/* Appends n bytes to a growing buffer. */
static void
put(uint8_t *buf, size_t *len, const void *p, size_t n)
{
	if (n > 0)
		memcpy(buf + *len, p, n);
	*len += n;
}

/*
 * A big-endian TIFF block: IFD0 {Orientation=6, GPS pointer}, then a GPS IFD
 * {LatitudeRef "N", Latitude 3 rationals stored out of line}.
 */
static size_t
make_exif_tiff(uint8_t *t)
{
	static const uint8_t tiff[] = {
		'M', 'M', 0, 42, 0, 0, 0, 8,
		/* IFD0 at 8: 2 entries */
		0, 2,
		0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0,	/* Orientation = 6 */
		0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 38,	/* GPS IFD at 38 */
		0, 0, 0, 0,				/* next IFD */
		/* GPS IFD at 38: 2 entries */
		0, 2,
		0x00, 0x01, 0, 2, 0, 0, 0, 2, 'N', 0, 0, 0,	/* GPSLatitudeRef */
		0x00, 0x02, 0, 5, 0, 0, 0, 3, 0, 0, 0, 68,	/* GPSLatitude at 68 */
		0, 0, 0, 0,
		/* at 68: 52/1 31/1 1234/100 */
		0, 0, 0, 52, 0, 0, 0, 1, 0, 0, 0, 31, 0, 0, 0, 1, 0, 0, 0x04, 0xD2, 0, 0, 0, 100
	};

	memcpy(t, tiff, sizeof(tiff));
	return sizeof(tiff);
}

/* Encodes a small gradient image as a baseline JPEG into a malloc'd buffer. */
static uint8_t *
make_jpeg(unsigned long *len)
{
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr err;
	unsigned char *out = NULL;
	JSAMPLE		row[32 * 3];
	int			x;

	c.err = jpeg_std_error(&err);
	jpeg_create_compress(&c);
	jpeg_mem_dest(&c, &out, len);
	c.image_width = 32;
	c.image_height = 16;
	c.input_components = 3;
	c.in_color_space = JCS_RGB;
	jpeg_set_defaults(&c);
	jpeg_start_compress(&c, TRUE);
	while (c.next_scanline < c.image_height)
	{
		JSAMPROW	r = row;

		for (x = 0; x < 32 * 3; x++)
			row[x] = (JSAMPLE) ((x * 5 + c.next_scanline * 11) & 0xFF);
		jpeg_write_scanlines(&c, &r, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	return out;
}

/* Decodes a JPEG to RGB; returns a malloc'd pixel buffer of *n bytes. */
static uint8_t *
decode_jpeg(const uint8_t *buf, size_t len, size_t *n)
{
	struct jpeg_decompress_struct d;
	struct jpeg_error_mgr err;
	uint8_t    *pix;
	size_t		stride;

	d.err = jpeg_std_error(&err);
	jpeg_create_decompress(&d);
	jpeg_mem_src(&d, (unsigned char *) buf, (unsigned long) len);
	jpeg_read_header(&d, TRUE);
	jpeg_start_decompress(&d);
	stride = (size_t) d.output_width * d.output_components;
	*n = stride * d.output_height;
	pix = malloc(*n);
	while (d.output_scanline < d.output_height)
	{
		JSAMPROW	r = pix + stride * d.output_scanline;

		jpeg_read_scanlines(&d, &r, 1);
	}
	jpeg_finish_decompress(&d);
	jpeg_destroy_decompress(&d);
	return pix;
}

/* Is the byte pattern pat anywhere in buf? */
static int
contains(const uint8_t *buf, size_t len, const void *pat, size_t plen)
{
	size_t		i;

	for (i = 0; i + plen <= len; i++)
		if (memcmp(buf + i, pat, plen) == 0)
			return 1;
	return 0;
}

static void
test_jpeg(void)
{
	unsigned long jlen;
	uint8_t    *jpeg = make_jpeg(&jlen);
	uint8_t    *with = malloc(jlen + 200);
	uint8_t		tiff[200];
	size_t		tlen = make_exif_tiff(tiff);
	size_t		len = 0;
	uint8_t		app1[4];
	uint8_t    *orig;
	size_t		n1,
				n2,
				i,
				diff_outside = 0;
	uint8_t    *p1,
			   *p2;
	mm_probe	probe;
	static const uint8_t lat[] = {0, 0, 0, 52, 0, 0, 0, 1};
	static const uint8_t gps_tag[] = {0x88, 0x25};

	/* SOI, APP1 Exif, then the rest of the encoder's JPEG */
	put(with, &len, jpeg, 2);
	app1[0] = 0xFF;
	app1[1] = 0xE1;
	app1[2] = (uint8_t) ((tlen + 8) >> 8);
	app1[3] = (uint8_t) (tlen + 8);
	put(with, &len, app1, 4);
	put(with, &len, "Exif\0\0", 6);
	put(with, &len, tiff, tlen);
	put(with, &len, jpeg + 2, jlen - 2);
	orig = malloc(len);
	memcpy(orig, with, len);

	MM_CHECK(contains(with, len, lat, sizeof(lat)), "fixture: the JPEG carries a GPS latitude");
	MM_CHECK(mm_strip_location(with, len) == 2, "JPEG: two GPS entries removed");
	MM_CHECK(!contains(with, len, lat, sizeof(lat)), "JPEG: the latitude values are gone");
	MM_CHECK(!contains(with + 12, tlen, gps_tag, sizeof(gps_tag)), "JPEG: IFD0 no longer points to a GPS IFD");
	for (i = 0; i < len; i++)
		if (with[i] != orig[i] && (i < 12 || i >= 12 + tlen))
			diff_outside++;
	MM_CHECK(diff_outside == 0, "JPEG: no byte outside the EXIF block changed (%zu did)", diff_outside);
	mm_probe_buffer(with, len, &probe);
	MM_CHECK(strcmp(probe.mime, "image/jpeg") == 0 && probe.width == 16 && probe.height == 32,
			 "JPEG: still a JPEG, orientation 6 kept (display %lldx%lld)",
			 (long long) probe.width, (long long) probe.height);
	p1 = decode_jpeg(orig, len, &n1);
	p2 = decode_jpeg(with, len, &n2);
	MM_CHECK(n1 == n2 && n1 > 0 && memcmp(p1, p2, n1) == 0, "JPEG: decoded pixels are identical");
	MM_CHECK(mm_strip_location(with, len) == 0, "JPEG: a second pass finds nothing");
	free(p1);
	free(p2);
	free(orig);
	free(with);
	free(jpeg);
}

/* Writes a PNG chunk with a correct CRC. */
static void
png_chunk(uint8_t *buf, size_t *len, const char *type, const uint8_t *data, size_t n)
{
	uint8_t		hdr[8];
	uLong		crc;

	hdr[0] = (uint8_t) (n >> 24);
	hdr[1] = (uint8_t) (n >> 16);
	hdr[2] = (uint8_t) (n >> 8);
	hdr[3] = (uint8_t) n;
	memcpy(hdr + 4, type, 4);
	put(buf, len, hdr, 8);
	put(buf, len, data, n);
	crc = crc32(crc32(0L, (const Bytef *) type, 4), data, (uInt) n);
	hdr[0] = (uint8_t) (crc >> 24);
	hdr[1] = (uint8_t) (crc >> 16);
	hdr[2] = (uint8_t) (crc >> 8);
	hdr[3] = (uint8_t) crc;
	put(buf, len, hdr, 4);
}

static void
test_png(void)
{
	uint8_t		buf[512];
	uint8_t		tiff[200];
	size_t		tlen = make_exif_tiff(tiff);
	size_t		len = 0;
	static const uint8_t ihdr[13] = {0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0};
	static const uint8_t lat[] = {0, 0, 0, 52, 0, 0, 0, 1};
	size_t		exif_at;
	uLong		crc;
	uint32_t	stored;

	put(buf, &len, "\x89PNG\r\n\x1a\n", 8);
	png_chunk(buf, &len, "IHDR", ihdr, sizeof(ihdr));
	exif_at = len;
	png_chunk(buf, &len, "eXIf", tiff, tlen);
	png_chunk(buf, &len, "IEND", NULL, 0);
	MM_CHECK(mm_strip_location(buf, len) == 2, "PNG: two GPS entries removed from eXIf");
	MM_CHECK(!contains(buf, len, lat, sizeof(lat)), "PNG: the latitude values are gone");
	crc = crc32(0L, buf + exif_at + 4, (uInt) tlen + 4);
	stored = ((uint32_t) buf[exif_at + 8 + tlen] << 24) | ((uint32_t) buf[exif_at + 9 + tlen] << 16) |
		((uint32_t) buf[exif_at + 10 + tlen] << 8) | buf[exif_at + 11 + tlen];
	MM_CHECK(stored == (uint32_t) crc, "PNG: the eXIf CRC was recomputed");
}

static void
test_webp(void)
{
	uint8_t		buf[512];
	uint8_t		tiff[200];
	size_t		tlen = make_exif_tiff(tiff);
	size_t		len = 0;
	uint8_t		hdr[8];
	static const uint8_t lat[] = {0, 0, 0, 52, 0, 0, 0, 1};
	static const uint8_t vp8x[10] = {0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0};

	put(buf, &len, "RIFF\0\0\0\0WEBP", 12);
	put(buf, &len, "VP8X\x0a\0\0\0", 8);
	put(buf, &len, vp8x, sizeof(vp8x));
	memcpy(hdr, "EXIF", 4);
	hdr[4] = (uint8_t) tlen;
	hdr[5] = hdr[6] = hdr[7] = 0;
	put(buf, &len, hdr, 8);
	put(buf, &len, tiff, tlen);
	MM_CHECK(mm_strip_location(buf, len) == 2, "WebP: two GPS entries removed from the EXIF chunk");
	MM_CHECK(!contains(buf, len, lat, sizeof(lat)), "WebP: the latitude values are gone");
}

static void
test_hostile(void)
{
	uint8_t		tiff[200];
	size_t		tlen = make_exif_tiff(tiff);
	uint8_t		buf[256];
	size_t		len = 0;
	uint8_t		copy[256];
	static const uint8_t soi_app1[] = {0xFF, 0xD8, 0xFF, 0xE1};

	/* a GPS pointer that points back at IFD0 must not be followed */
	put(buf, &len, soi_app1, 4);
	buf[len++] = (uint8_t) ((tlen + 8) >> 8);
	buf[len++] = (uint8_t) (tlen + 8);
	put(buf, &len, "Exif\0\0", 6);
	tiff[31] = 8;				/* GPS IFD offset := 8 (IFD0 itself) */
	put(buf, &len, tiff, tlen);
	memcpy(copy, buf, len);
	MM_CHECK(mm_strip_location(buf, len) == 0 && memcmp(buf, copy, len) == 0,
			 "hostile: a GPS pointer to IFD0 leaves the file untouched");

	/* a GPS IFD running past the block */
	make_exif_tiff(tiff);
	tiff[31] = (uint8_t) (tlen - 4);
	memcpy(buf + 12, tiff, tlen);
	memcpy(copy, buf, len);
	MM_CHECK(mm_strip_location(buf, len) == 0 && memcmp(buf, copy, len) == 0,
			 "hostile: a GPS IFD past the block leaves the file untouched");

	/* a segment length past the end, and truncations at every length */
	{
		size_t		cut;
		int			ok = 1;

		for (cut = 0; cut < len; cut++)
		{
			uint8_t    *t = malloc(cut ? cut : 1);

			memcpy(t, buf, cut);
			if (mm_strip_location(t, cut) < 0)
				ok = 0;
			free(t);
		}
		MM_CHECK(ok, "hostile: every truncation is handled");
	}
	MM_CHECK(mm_strip_location((uint8_t *) "GIF89a", 6) == 0, "other formats are left alone");
}

int
main(void)
{
	test_jpeg();
	test_png();
	test_webp();
	test_hostile();
	return mm_test_done();
}
