/*
 * test_strip.c - mm_strip_location(): GPS data leaves JPEG, PNG and WebP
 * EXIF blocks, nothing else changes, and a JPEG decodes to the same pixels.
 */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <jpeglib.h>
#include <zlib.h>
#include <png.h>

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
	MM_CHECK(mm_strip_location(with, len) == MM_STRIP_EXIF_GPS, "JPEG: the GPS IFD removed");
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
	MM_CHECK(mm_strip_location(buf, len) == MM_STRIP_EXIF_GPS, "PNG: the GPS IFD removed from eXIf");
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
	MM_CHECK(mm_strip_location(buf, len) == MM_STRIP_EXIF_GPS, "WebP: the GPS IFD removed from the EXIF chunk");
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

	/* a GPS pointer that points back at IFD0: dropped, IFD0 not zeroed */
	put(buf, &len, soi_app1, 4);
	buf[len++] = (uint8_t) ((tlen + 8) >> 8);
	buf[len++] = (uint8_t) (tlen + 8);
	put(buf, &len, "Exif\0\0", 6);
	tiff[33] = 8;				/* GPS IFD offset := 8 (IFD0 itself) */
	put(buf, &len, tiff, tlen);
	memcpy(copy, buf, len);
	{
		int			first = mm_strip_location(buf, len);
		int			second = mm_strip_location(buf, len);

		MM_CHECK(first == MM_STRIP_EXIF_GPS && second == 0 && buf[12 + 9] == 1 &&
				 memcmp(buf + 12 + 10, copy + 12 + 10, 12) == 0,
				 "hostile: a GPS pointer to IFD0 is dropped, IFD0 is not zeroed (%d, %d, count %d)",
				 first, second, buf[12 + 9]);
	}

	/* a GPS IFD running past the block */
	make_exif_tiff(tiff);
	tiff[33] = (uint8_t) (tlen - 4);
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

/*
 * A big-endian TIFF block whose GPS pointer is in the Exif IFD (where = 1)
 * or in IFD1 (where = 2), never in IFD0: IFD0 {ExifIFD} -> IFD1, Exif IFD
 * at 26, IFD1 at 44, GPS IFD at 62 {LatitudeRef, Latitude at 92}.
 */
static size_t
make_exif_tiff_deep(uint8_t *t, int where)
{
	static const uint8_t tiff[] = {
		'M', 'M', 0, 42, 0, 0, 0, 8,
		0, 1, 0x87, 0x69, 0, 4, 0, 0, 0, 1, 0, 0, 0, 26, 0, 0, 0, 44,	/* IFD0 */
		0, 1, 0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 62, 0, 0, 0, 0,	/* Exif IFD */
		0, 1, 0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 62, 0, 0, 0, 0,	/* IFD1 */
		0, 2,
		0x00, 0x01, 0, 2, 0, 0, 0, 2, 'N', 0, 0, 0,
		0x00, 0x02, 0, 5, 0, 0, 0, 3, 0, 0, 0, 92,
		0, 0, 0, 0,
		0, 0, 0, 52, 0, 0, 0, 1, 0, 0, 0, 31, 0, 0, 0, 1, 0, 0, 0x04, 0xD2, 0, 0, 0, 100
	};

	memcpy(t, tiff, sizeof(tiff));
	/* the other IFD's entry becomes an ImageWidth (tag 0x0100) */
	t[where == 1 ? 46 : 28] = 0x01;
	t[where == 1 ? 47 : 29] = 0x00;
	return sizeof(tiff);
}

static const char xmp_packet[] =
	"<?xpacket begin=\"\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>"
	"<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">"
	"<rdf:Description rdf:about=\"\" xmlns:exif=\"http://ns.adobe.com/exif/1.0/\""
	" exif:GPSLatitude=\"48,51.5N\" exif:GPSLongitude='2,17.4E' tiff:Orientation=\"1\">"
	"<exif:GPSAltitude>35/1</exif:GPSAltitude><exif:GPSTimeStamp/>"
	"<drone-dji:GpsLatitude>48.858</drone-dji:GpsLatitude><dc:title>Paris</dc:title>"
	"</rdf:Description></rdf:RDF></x:xmpmeta>"
	"                                <?xpacket end=\"w\"?>";

/* Does the XMP text no longer hold any GPS property, but keep the rest? */
static int
xmp_clean(const uint8_t *buf, size_t len)
{
	return !contains(buf, len, "GPS", 3) && !contains(buf, len, "Gps", 3) &&
		!contains(buf, len, "48,51.5N", 8) && !contains(buf, len, "35/1", 4) &&
		contains(buf, len, "tiff:Orientation=\"1\"", 20) && contains(buf, len, "<dc:title>Paris</dc:title>", 26) &&
		contains(buf, len, "</rdf:Description>", 18);
}

/* A JPEG with one APP1 segment holding prefix then body. */
static uint8_t *
jpeg_with_app1(const uint8_t *jpeg, size_t jlen, const void *prefix, size_t plen,
			   const void *body, size_t blen, size_t *len)
{
	uint8_t    *buf = malloc(jlen + plen + blen + 8);
	uint8_t		app1[4] = {0xFF, 0xE1, (uint8_t) ((plen + blen + 2) >> 8), (uint8_t) (plen + blen + 2)};

	*len = 0;
	put(buf, len, jpeg, 2);
	put(buf, len, app1, 4);
	put(buf, len, prefix, plen);
	put(buf, len, body, blen);
	put(buf, len, jpeg + 2, jlen - 2);
	return buf;
}

/* Strips a JPEG, expecting flags, and checks its decoded pixels did not change. */
static void
check_jpeg_strip(uint8_t *buf, size_t len, int flags, const char *what)
{
	uint8_t    *orig = malloc(len);
	uint8_t    *p1,
			   *p2;
	size_t		n1,
				n2;
	int			got;

	memcpy(orig, buf, len);
	got = mm_strip_location(buf, len);
	MM_CHECK(got == flags, "%s: removed flags %d (expected %d)", what, got, flags);
	p1 = decode_jpeg(orig, len, &n1);
	p2 = decode_jpeg(buf, len, &n2);
	MM_CHECK(n1 == n2 && n1 > 0 && memcmp(p1, p2, n1) == 0, "%s: decoded pixels are identical", what);
	MM_CHECK(mm_strip_location(buf, len) == 0, "%s: a second pass finds nothing", what);
	free(p1);
	free(p2);
	free(orig);
}

/* GPS pointers in the Exif IFD and IFD1, behind an "Exif\0\xff" header; XMP in APP1. */
static void
test_jpeg_deep(void)
{
	unsigned long jlen;
	uint8_t    *jpeg = make_jpeg(&jlen);
	uint8_t		tiff[200];
	static const uint8_t lat[] = {0, 0, 0, 52, 0, 0, 0, 1};
	static const uint8_t gps_tag[] = {0x88, 0x25};
	int			where;

	for (where = 1; where <= 2; where++)
	{
		size_t		tlen = make_exif_tiff_deep(tiff, where);
		size_t		len;
		uint8_t    *buf = jpeg_with_app1(jpeg, jlen, where == 1 ? "Exif\0\0" : "Exif\0\xff", 6, tiff, tlen, &len);
		const char *what = where == 1 ? "JPEG GPS in the Exif IFD" : "JPEG GPS in IFD1, Exif\\0\\xff header";

		MM_CHECK(contains(buf, len, lat, sizeof(lat)), "%s: fixture carries a latitude", what);
		check_jpeg_strip(buf, len, MM_STRIP_EXIF_GPS, what);
		MM_CHECK(!contains(buf, len, lat, sizeof(lat)) && !contains(buf + 12, tlen, gps_tag, 2),
				 "%s: the latitude and the pointer are gone", what);
		free(buf);
	}
	{
		size_t		len;
		uint8_t    *buf = jpeg_with_app1(jpeg, jlen, "http://ns.adobe.com/xap/1.0/", 29,
										 xmp_packet, sizeof(xmp_packet) - 1, &len);

		check_jpeg_strip(buf, len, MM_STRIP_XMP_GPS, "JPEG XMP");
		MM_CHECK(xmp_clean(buf, len), "JPEG XMP: GPS properties blanked, the rest kept");
		free(buf);
	}
	free(jpeg);
}

/* A 4x3 RGB PNG from libpng, malloc'd. */
static uint8_t *
make_png(size_t *len)
{
	png_image	img;
	uint8_t		px[4 * 3 * 3];
	png_alloc_size_t size = 0;
	uint8_t    *out;
	size_t		i;

	for (i = 0; i < sizeof(px); i++)
		px[i] = (uint8_t) (i * 37);
	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	img.width = 4;
	img.height = 3;
	img.format = PNG_FORMAT_RGB;
	png_image_write_to_memory(&img, NULL, &size, 0, px, 0, NULL);
	out = malloc(size);
	png_image_write_to_memory(&img, out, &size, 0, px, 0, NULL);
	*len = size;
	return out;
}

/* Decodes a PNG to RGB with libpng (NULL when it fails, e.g. on a bad CRC). */
static uint8_t *
decode_png(const uint8_t *buf, size_t len, size_t *n)
{
	png_image	img;
	uint8_t    *px;

	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_memory(&img, buf, len))
		return NULL;
	img.format = PNG_FORMAT_RGB;
	*n = PNG_IMAGE_SIZE(img);
	px = malloc(*n);
	if (!png_image_finish_read(&img, NULL, px, 0, NULL))
	{
		free(px);
		return NULL;
	}
	return px;
}

/* ImageMagick's raw profile text: "\nexif\n   LEN\n" and hex, 72 digits a line. */
static size_t
raw_profile_text(uint8_t *out, const char *name, const uint8_t *data, size_t n)
{
	size_t		len = (size_t) sprintf((char *) out, "\n%s\n%8zu", name, n);
	size_t		i;

	for (i = 0; i < n; i++)
	{
		if (i % 36 == 0)
			out[len++] = '\n';
		len += (size_t) sprintf((char *) out + len, "%02x", data[i]);
	}
	out[len++] = '\n';
	return len;
}

/* A PNG with one extra chunk (type, data) right after IHDR. */
static uint8_t *
png_with_chunk(const char *type, const uint8_t *data, size_t n, size_t *len)
{
	size_t		plen;
	uint8_t    *png = make_png(&plen);
	uint8_t    *buf = malloc(plen + n + 12);

	*len = 0;
	put(buf, len, png, 33);		/* signature and IHDR */
	png_chunk(buf, len, type, data, n);
	put(buf, len, png + 33, plen - 33);
	free(png);
	return buf;
}

/* Strips a PNG, expecting flags; checks libpng decodes the same pixels (CRCs right). */
static void
check_png_strip(uint8_t *buf, size_t len, int flags, const char *what)
{
	size_t		n1 = 0,
				n2 = 0;
	uint8_t    *p1 = decode_png(buf, len, &n1);
	uint8_t    *p2;
	int			got = mm_strip_location(buf, len);

	MM_CHECK(got == flags, "%s: removed flags %d (expected %d)", what, got, flags);
	p2 = decode_png(buf, len, &n2);
	MM_CHECK(p1 && p2 && n1 == n2 && memcmp(p1, p2, n1) == 0,
			 "%s: libpng decodes identical pixels (CRC valid)", what);
	MM_CHECK(mm_strip_location(buf, len) == 0, "%s: a second pass finds nothing", what);
	free(p1);
	free(p2);
}

/* ImageMagick raw profiles (tEXt, zTXt, iTXt) and XMP in iTXt. */
static void
test_png_text(void)
{
	uint8_t		exif[256];
	uint8_t		text[2048];
	uint8_t		data[4096];
	size_t		tlen,
				n,
				len;
	uint8_t    *buf;
	static const char key[] = "Raw profile type exif";
	static const char hexlat[] = "0000003400000001";	/* 52/1 as hex digits */

	memcpy(exif, "Exif\0\0", 6);
	tlen = 6 + make_exif_tiff_deep(exif + 6, 1);
	n = raw_profile_text(text, "exif", exif, tlen);

	/* tEXt */
	memcpy(data, key, sizeof(key));
	memcpy(data + sizeof(key), text, n);
	buf = png_with_chunk("tEXt", data, sizeof(key) + n, &len);
	MM_CHECK(contains(buf, len, hexlat, 16), "PNG raw profile: fixture carries the hex latitude");
	check_png_strip(buf, len, MM_STRIP_PNG_RAW_PROFILE, "PNG tEXt raw profile");
	MM_CHECK(!contains(buf, len, hexlat, 16) && contains(buf, len, key, sizeof(key) - 1),
			 "PNG tEXt raw profile: the latitude digits are gone, the chunk kept");
	free(buf);

	/* zTXt: compressed, so the chunk is replaced by a same-length comment */
	{
		uLongf		zlen = sizeof(data) - sizeof(key) - 1;

		memcpy(data, key, sizeof(key));
		data[sizeof(key)] = 0;
		compress2(data + sizeof(key) + 1, &zlen, text, n, 9);
		buf = png_with_chunk("zTXt", data, sizeof(key) + 1 + zlen, &len);
		check_png_strip(buf, len, MM_STRIP_PNG_RAW_PROFILE, "PNG zTXt raw profile");
		MM_CHECK(!contains(buf, len, "zTXt", 4) && contains(buf, len, "location removed", 16),
				 "PNG zTXt raw profile: the chunk became a comment");
		free(buf);
	}

	/* iTXt XMP, uncompressed */
	{
		static const char xkey[] = "XML:com.adobe.xmp";
		size_t		d = 0;

		put(data, &d, xkey, sizeof(xkey));
		put(data, &d, "\0\0\0\0", 4);	/* not compressed, method, empty language, empty keyword */
		put(data, &d, xmp_packet, sizeof(xmp_packet) - 1);
		buf = png_with_chunk("iTXt", data, d - 1, &len);
		check_png_strip(buf, len, MM_STRIP_XMP_GPS, "PNG iTXt XMP");
		MM_CHECK(xmp_clean(buf, len), "PNG iTXt XMP: GPS properties blanked, the rest kept");
		free(buf);
	}
	/* a text chunk with another keyword is left alone */
	{
		static const char other[] = "Comment";

		memcpy(data, other, sizeof(other));
		memcpy(data + sizeof(other), text, n);
		buf = png_with_chunk("tEXt", data, sizeof(other) + n, &len);
		MM_CHECK(mm_strip_location(buf, len) == 0 && contains(buf, len, hexlat, 16),
				 "PNG: hex in an ordinary comment is not a profile");
		free(buf);
	}
}

/* WebP XMP chunk; a TIFF file with GPS and an XMP tag. */
static void
test_webp_xmp_and_tiff(void)
{
	uint8_t		buf[2048];
	size_t		len = 0;
	uint8_t		hdr[8] = {'X', 'M', 'P', ' ', (uint8_t) (sizeof(xmp_packet) - 1), (uint8_t) ((sizeof(xmp_packet) - 1) >> 8), 0, 0};

	put(buf, &len, "RIFF\0\0\0\0WEBP", 12);
	put(buf, &len, hdr, 8);
	put(buf, &len, xmp_packet, sizeof(xmp_packet) - 1);
	MM_CHECK(mm_strip_location(buf, len) == MM_STRIP_XMP_GPS && xmp_clean(buf, len),
			 "WebP XMP chunk: GPS properties blanked");

	/* TIFF file: IFD0 {Orientation, GPS pointer, XMLPacket at 116}, the XMP after the GPS values */
	{
		uint8_t		t[2048];
		size_t		tlen = make_exif_tiff(t);
		size_t		xlen = sizeof(xmp_packet) - 1;
		static const uint8_t lat[] = {0, 0, 0, 52, 0, 0, 0, 1};

		/* IFD0 grows to 3 entries: rebuild it after the existing data */
		static const uint8_t ifd[] = {
			0, 3,
			0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0,
			0x02, 0xBC, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,	/* XMLPacket: count, offset set below */
			0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 38,
			0, 0, 0, 0
		};
		size_t		ifd_at = tlen;
		size_t		xmp_at = tlen + sizeof(ifd);

		memcpy(t + ifd_at, ifd, sizeof(ifd));
		t[ifd_at + 2 + 12 + 6] = (uint8_t) (xlen >> 8);
		t[ifd_at + 2 + 12 + 7] = (uint8_t) xlen;
		t[ifd_at + 2 + 12 + 10] = (uint8_t) (xmp_at >> 8);
		t[ifd_at + 2 + 12 + 11] = (uint8_t) xmp_at;
		memcpy(t + xmp_at, xmp_packet, xlen);
		t[7] = (uint8_t) ifd_at;	/* IFD0 now the new one */
		len = xmp_at + xlen;
		MM_CHECK(mm_strip_location(t, len) == (MM_STRIP_EXIF_GPS | MM_STRIP_XMP_GPS),
				 "TIFF file: GPS IFD and XMP GPS removed");
		MM_CHECK(!contains(t, len, lat, sizeof(lat)) && xmp_clean(t, len),
				 "TIFF file: no latitude left in either");
	}
}

/* Only a leading window of the file: metadata inside it is cleaned, beyond it left alone. */
static void
test_window(void)
{
	unsigned long jlen;
	uint8_t    *jpeg = make_jpeg(&jlen);
	uint8_t		tiff[200];
	size_t		tlen = make_exif_tiff(tiff);
	size_t		len;
	uint8_t    *buf = jpeg_with_app1(jpeg, jlen, "Exif\0\0", 6, tiff, tlen, &len);
	uint8_t    *copy = malloc(len);
	static const uint8_t lat[] = {0, 0, 0, 52, 0, 0, 0, 1};

	memcpy(copy, buf, len);
	MM_CHECK(mm_strip_location(buf, 12 + tlen - 1) == 0 && memcmp(buf, copy, len) == 0,
			 "window: an EXIF block cut by the window's end is left alone");
	MM_CHECK(mm_strip_location(buf, 12 + tlen) == MM_STRIP_EXIF_GPS && !contains(buf, len, lat, sizeof(lat)),
			 "window: an EXIF block inside the window is cleaned");
	free(copy);
	free(buf);
	free(jpeg);
}

int
main(void)
{
	test_jpeg();
	test_jpeg_deep();
	test_png();
	test_png_text();
	test_webp();
	test_webp_xmp_and_tiff();
	test_window();
	test_hostile();
	return mm_test_done();
}
