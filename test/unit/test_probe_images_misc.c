/*
 * test_probe_images_misc.c - unit tests of the less common image probes on
 * hand-made files: PSD, QOI, PNM/PAM, JPEG XL, SGI, Sun raster, XCF,
 * OpenEXR, ICNS.
 */
#include <stdio.h>

#include "mm_bytes.h"
#include "mm_test.h"
#include "mm_image_bytes.h"

/* ---- the rest ---- */

/* A little bit writer for JPEG XL headers (LSB first). */
typedef struct bitw
{
	uint8_t		b[64];
	size_t		pos;
} bitw;

/* Appends the n low bits of v, least significant first. */
static void
bits_put(bitw *w, uint32_t v, int n)
{
	int			i;

	for (i = 0; i < n; i++, w->pos++)
		if ((v >> i) & 1)
			w->b[w->pos >> 3] |= (uint8_t) (1 << (w->pos & 7));
}

/* PSD, QOI, PNM/PAM, JPEG XL, SGI, Sun raster, XCF, OpenEXR, ICNS. */
static void
test_misc(void)
{
	bb			b = {0};
	mm_probe	p;
	bitw		w;

	/* PSD */
	bb_str(&b, "8BPS");
	bb_be16(&b, 1);
	bb_fill(&b, 0, 6);
	bb_be16(&b, 4);
	bb_be32(&b, 400);
	bb_be32(&b, 640);
	bb_be16(&b, 8);
	bb_be16(&b, 3);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "image/vnd.adobe.photoshop") == 0 && p.width == 640 && p.height == 400 &&
			 detail_int(&p, "has_alpha", NONE) == 1, "psd: 640x400 RGB + alpha");
	bb_reset(&b);

	/* QOI */
	bb_str(&b, "qoif");
	bb_be32(&b, 12);
	bb_be32(&b, 34);
	bb_u8(&b, 4);
	bb_u8(&b, 0);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "image/qoi") == 0 && p.width == 12 && p.height == 34 &&
			 detail_int(&p, "has_alpha", NONE) == 1, "qoi: 12x34 rgba");
	bb_reset(&b);

	/* PNM with comments, PAM, and a huge height */
	bb_str(&b, "P6#c\n# more\n 10\t#x\n 20 255\n");
	bb_fill(&b, 0, 16);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "image/x-portable-pixmap") == 0 && p.width == 10 && p.height == 20 &&
			 detail_int(&p, "bit_depth", NONE) == 8, "ppm: comments between fields, 10x20");
	bb_reset(&b);
	bb_str(&b, "P2\n3 99999999999\n65535\n1 2 3\n");
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "image/x-portable-greymap") == 0 && p.height == 99999999999LL &&
			 detail_int(&p, "bit_depth", NONE) == 16, "pgm: huge height reported as data");
	bb_reset(&b);
	bb_str(&b, "P7\nWIDTH 4\nHEIGHT 5\nDEPTH 4\nMAXVAL 255\nTUPLTYPE RGB_ALPHA\nENDHDR\n");
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "image/x-portable-arbitrarymap") == 0 && p.width == 4 && p.height == 5 &&
			 detail_int(&p, "has_alpha", NONE) == 1, "pam: 4x5 RGB_ALPHA");
	bb_reset(&b);
	bb_str(&b, "P1 is not an image, just text\n");
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "text/plain") == 0, "pnm: 'P1 is ...' is text");
	bb_reset(&b);

	/* JPEG XL bare codestream: 30x20, all-default metadata */
	memset(&w, 0, sizeof(w));
	bits_put(&w, 0, 1);			/* not small */
	bits_put(&w, 0, 2);			/* selector 0: 9 bits */
	bits_put(&w, 20 - 1, 9);
	bits_put(&w, 0, 3);			/* ratio 0: explicit width */
	bits_put(&w, 0, 2);
	bits_put(&w, 30 - 1, 9);
	bits_put(&w, 1, 1);			/* all_default */
	bb_str(&b, "\xff\x0a");
	bb_put(&b, w.b, 8);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "image/jxl") == 0 && p.width == 30 && p.height == 20, "jxl: codestream 30x20");
	bb_reset(&b);

	/* small size (8 high, ratio 16:9 -> 14 wide), orientation 6, animation */
	memset(&w, 0, sizeof(w));
	bits_put(&w, 1, 1);			/* small */
	bits_put(&w, 0, 5);			/* (0+1)*8 = 8 */
	bits_put(&w, 5, 3);			/* 16:9 */
	bits_put(&w, 0, 1);			/* not all_default */
	bits_put(&w, 1, 1);			/* extra_fields */
	bits_put(&w, 5, 3);			/* orientation 6 */
	bits_put(&w, 0, 1);			/* no intrinsic size */
	bits_put(&w, 0, 1);			/* no preview */
	bits_put(&w, 1, 1);			/* animation */
	bits_put(&w, 0, 2);			/* tps numerator 100 */
	bits_put(&w, 0, 2);			/* tps denominator 1 */
	bits_put(&w, 0, 2);			/* loops 0 */
	bits_put(&w, 0, 1);			/* no timecodes */
	bits_put(&w, 0, 1);			/* integer samples */
	bits_put(&w, 1, 2);			/* 10 bits */
	bits_put(&w, 1, 1);			/* modular 16-bit ok */
	bits_put(&w, 1, 2);			/* one extra channel */
	bits_put(&w, 1, 1);			/* d_alpha */
	bb_str(&b, "\xff\x0a");
	bb_put(&b, w.b, 8);
	probe_bytes(&b, &p);
	MM_CHECK(p.width == 8 && p.height == 14 && detail_int(&p, "orientation", NONE) == 6 &&
			 detail_int(&p, "animated", NONE) == 1 && detail_int(&p, "bit_depth", NONE) == 10 &&
			 detail_int(&p, "has_alpha", NONE) == 1, "jxl: 14x8 orientation 6 -> 8x14, animated, alpha");
	/* the same header cut to 1 byte: no size, no crash */
	mm_probe_buffer(b.p, 3, &p);
	MM_CHECK(strcmp(p.mime, "image/jxl") == 0 && p.width == -1, "jxl: truncated codestream");
	bb_reset(&b);

	/* SGI, Sun raster, XCF */
	bb_be16(&b, 474);
	bb_u8(&b, 0);
	bb_u8(&b, 1);
	bb_be16(&b, 3);
	bb_be16(&b, 32);
	bb_be16(&b, 16);
	bb_be16(&b, 3);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "image/x-sgi") == 0 && p.width == 32 && p.height == 16, "sgi: 32x16");
	bb_reset(&b);
	bb_str(&b, "\x59\xa6\x6a\x95");
	bb_be32(&b, 33);
	bb_be32(&b, 44);
	bb_be32(&b, 24);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "image/x-sun-raster") == 0 && p.width == 33 && p.height == 44, "sun raster: 33x44");
	bb_reset(&b);
	bb_str(&b, "gimp xcf v011");
	bb_u8(&b, 0);
	bb_be32(&b, 800);
	bb_be32(&b, 600);
	bb_be32(&b, 0);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "image/x-xcf") == 0 && p.width == 800 && p.height == 600, "xcf: 800x600");
	bb_reset(&b);

	/* OpenEXR: dataWindow and a different displayWindow */
	bb_str(&b, "\x76\x2f\x31\x01");
	bb_put(&b, "\x02\x00\x00\x00", 4);
	bb_str(&b, "dataWindow");
	bb_u8(&b, 0);
	bb_str(&b, "box2i");
	bb_u8(&b, 0);
	bb_le32(&b, 16);
	bb_le32(&b, 10);
	bb_le32(&b, 10);
	bb_le32(&b, 19);
	bb_le32(&b, 29);
	bb_str(&b, "displayWindow");
	bb_u8(&b, 0);
	bb_str(&b, "box2i");
	bb_u8(&b, 0);
	bb_le32(&b, 16);
	bb_le32(&b, 0);
	bb_le32(&b, 0);
	bb_le32(&b, 99);
	bb_le32(&b, 49);
	bb_u8(&b, 0);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "image/x-exr") == 0 && p.width == 100 && p.height == 50,
			 "exr: displayWindow 100x50");
	/* extreme window bounds do not overflow */
	bb_set_le32(&b, 8 + 11 + 6 + 4 + 8, 0x7FFFFFFF);
	bb_set_le32(&b, 8 + 11 + 6 + 4, 0x80000000u);
	b.len = 8 + 11 + 6 + 4 + 16;
	bb_u8(&b, 0);
	probe_bytes(&b, &p);
	MM_CHECK(p.width == 4294967296LL && p.height == 20, "exr: INT32 extremes -> 2^32 wide");
	bb_reset(&b);

	/* ICNS, including a zero-length element that must not loop */
	bb_str(&b, "icns");
	bb_be32(&b, 8 + 8 + 8 + 8);
	bb_str(&b, "ic07");
	bb_be32(&b, 8);
	bb_str(&b, "ic08");
	bb_be32(&b, 8);
	bb_str(&b, "ic09");
	bb_be32(&b, 0);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "image/x-icns") == 0 && p.width == 256 && p.height == 256,
			 "icns: largest 256, a zero-length element stops the walk");
	bb_reset(&b);

	/* ICNS with a table of contents: the elements need not be walked */
	bb_str(&b, "icns");
	bb_be32(&b, 0);
	bb_str(&b, "TOC ");
	bb_be32(&b, 8 + 2 * 8);
	bb_str(&b, "ic07");
	bb_be32(&b, 100);
	bb_str(&b, "ic10");
	bb_be32(&b, 200000);
	bb_fill(&b, 0, 300000);
	bb_set_be32(&b, 4, (uint32_t) b.len);
	mm_probe_buffer(b.p, 28, &p);
	MM_CHECK(strcmp(p.mime, "image/x-icns") == 0 && p.width == 128, "icns: TOC cut short after ic07");
	probe_bytes(&b, &p);
	MM_CHECK(p.width == 1024 && p.height == 1024, "icns: TOC lists ic10 -> 1024");
	MM_CHECK(probe_windowed(b.p, b.len, 4096, &p) == 0 && p.width == 1024, "icns: TOC needs no NEED round");
	bb_reset(&b);
}

/* Runs this file's groups and prints the TAP plan. */
int
main(void)
{
	test_misc();
	return mm_test_done();
}
