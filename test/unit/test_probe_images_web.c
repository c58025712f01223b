/*
 * test_probe_images.c - unit tests of the image probes on hand-made files,
 * well-formed and hostile: truncated, huge and zero sizes, IFD cycles,
 * EXIF orientation, APNG, CMYK JPEG, and NEED round trips for data stored
 * far from the head.
 */
#include <stdio.h>

#include "mm_bytes.h"
#include "mm_test.h"

#define NONE INT64_MIN

/* ---- PNG ---- */

/* Appends a PNG chunk (CRC left zero: the probe does not check it). */
static void
png_chunk(bb *b, const char *type, const void *data, uint32_t len)
{
	bb_be32(b, len);
	bb_str(b, type);
	bb_put(b, data, len);
	bb_be32(b, 0);
}

/* Appends the PNG signature and an IHDR. */
static void
png_start(bb *b, uint32_t w, uint32_t h, int depth, int ct, int interlace)
{
	static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	bb			ihdr = {0};

	bb_put(b, sig, 8);
	bb_be32(&ihdr, w);
	bb_be32(&ihdr, h);
	bb_u8(&ihdr, depth);
	bb_u8(&ihdr, ct);
	bb_u8(&ihdr, 0);
	bb_u8(&ihdr, 0);
	bb_u8(&ihdr, interlace);
	png_chunk(b, "IHDR", ihdr.p, 13);
	bb_reset(&ihdr);
}

/* A big-endian TIFF/EXIF block whose IFD0 holds one orientation entry. */
static void
exif_block(bb *b, int orientation)
{
	bb_str(b, "MM");
	bb_be16(b, 42);
	bb_be32(b, 8);
	bb_be16(b, 1);
	bb_be16(b, 0x0112);
	bb_be16(b, 3);
	bb_be32(b, 1);
	bb_be16(b, orientation);
	bb_be16(b, 0);
	bb_be32(b, 0);
}

/* PNG: sizes, colour types, APNG, eXIf orientation, truncation. */
static void
test_png(void)
{
	bb			b = {0};
	bb			e = {0};
	mm_probe	p;
	uint8_t		actl[8] = {0, 0, 0, 3, 0, 0, 0, 0};

	png_start(&b, 3, 2, 8, 6, 0);
	png_chunk(&b, "IDAT", "x", 1);
	png_chunk(&b, "IEND", "", 0);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "image/png") == 0 && strcmp(p.media_type, "image") == 0,
			 "png: image/png");
	MM_CHECK(p.width == 3 && p.height == 2, "png: 3x2");
	MM_CHECK(detail_int(&p, "bit_depth", NONE) == 8 && strcmp(detail_str(&p, "color_type"), "rgba") == 0 &&
			 detail_int(&p, "has_alpha", NONE) == 1 && detail_int(&p, "animated", NONE) == 0,
			 "png: 8-bit rgba, alpha, not animated");
	bb_reset(&b);

	/* palette + tRNS + Adam7 */
	png_start(&b, 10, 10, 4, 3, 1);
	png_chunk(&b, "PLTE", "abc", 3);
	png_chunk(&b, "tRNS", "\0", 1);
	png_chunk(&b, "IDAT", "x", 1);
	probe_bytes(&b, &p);
	MM_CHECK(detail_int(&p, "has_alpha", NONE) == 1 && detail_int(&p, "interlaced", NONE) == 1 &&
			 strcmp(detail_str(&p, "color_type"), "palette") == 0, "png: palette, tRNS alpha, interlaced");
	bb_reset(&b);

	/* APNG: acTL before IDAT */
	png_start(&b, 100, 50, 8, 2, 0);
	png_chunk(&b, "acTL", actl, 8);
	png_chunk(&b, "IDAT", "x", 1);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "image/png") == 0 && detail_int(&p, "animated", NONE) == 1 &&
			 detail_int(&p, "frames", NONE) == 3, "apng: image/png, animated, 3 frames");
	bb_reset(&b);

	/* eXIf orientation 6 before IDAT: display size swaps */
	png_start(&b, 40, 20, 8, 2, 0);
	exif_block(&e, 6);
	png_chunk(&b, "eXIf", e.p, (uint32_t) e.len);
	png_chunk(&b, "IDAT", "x", 1);
	probe_bytes(&b, &p);
	MM_CHECK(p.width == 20 && p.height == 40 && detail_int(&p, "orientation", NONE) == 6 &&
			 detail_int(&p, "stored_width", NONE) == 40 && detail_int(&p, "stored_height", NONE) == 20,
			 "png: eXIf orientation 6 swaps to 20x40");
	bb_reset(&b);
	bb_reset(&e);

	/* truncated after the signature */
	png_start(&b, 5, 5, 8, 2, 0);
	mm_probe_buffer(b.p, 8, &p);
	MM_CHECK(strcmp(p.mime, "image/png") == 0 && p.width == -1 && p.height == -1,
			 "png: signature only -> image/png, size unknown");
	mm_probe_buffer(b.p, 20, &p);
	MM_CHECK(strcmp(p.mime, "image/png") == 0 && p.width == -1, "png: IHDR cut short");
	bb_reset(&b);

	/* huge and zero sizes */
	png_start(&b, 0x7fffffffu, 0x7fffffffu, 8, 0, 0);
	probe_bytes(&b, &p);
	MM_CHECK(p.width == 0x7fffffff && p.height == 0x7fffffff, "png: 2^31-1 square reported as data");
	bb_reset(&b);
	png_start(&b, 0xffffffffu, 0, 8, 0, 0);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "image/png") == 0 && p.width == -1 && p.height == -1,
			 "png: out-of-range and zero sizes are unknown");
	bb_reset(&b);

	/* a chunk length that points past the end, and a 2^31 length */
	png_start(&b, 7, 7, 8, 0, 0);
	bb_be32(&b, 0x7ffffff0u);
	bb_str(&b, "tEXt");
	probe_bytes(&b, &p);
	MM_CHECK(p.width == 7 && p.height == 7, "png: chunk running past the end");
	bb_reset(&b);
}

/* ---- JPEG ---- */

/* Appends a marker segment with a body. */
static void
jpeg_seg(bb *b, int marker, const void *body, size_t len)
{
	bb_u8(b, 0xFF);
	bb_u8(b, marker);
	bb_be16(b, (unsigned) len + 2);
	bb_put(b, body, len);
}

/* Appends a SOFn for w x h with ncomp components (ids 1..n or given). */
static void
jpeg_sof(bb *b, int marker, int w, int h, int ncomp, const char *ids)
{
	bb			s = {0};
	int			i;

	bb_u8(&s, 8);
	bb_be16(&s, h);
	bb_be16(&s, w);
	bb_u8(&s, ncomp);
	for (i = 0; i < ncomp; i++)
	{
		bb_u8(&s, ids ? (uint8_t) ids[i] : i + 1);
		bb_u8(&s, 0x11);
		bb_u8(&s, 0);
	}
	jpeg_seg(b, marker, s.p, s.len);
	bb_reset(&s);
}

/* Appends an SOS and a few entropy bytes and EOI. */
static void
jpeg_end(bb *b)
{
	static const uint8_t sos[] = {1, 1, 0, 0, 63, 0};

	jpeg_seg(b, 0xDA, sos, sizeof(sos));
	bb_str(b, "\x12\x34\xff\x00\x56");
	bb_u8(b, 0xFF);
	bb_u8(b, 0xD9);
}

/* An Adobe APP14 body with transform t. */
static void
jpeg_adobe(bb *b, int t)
{
	uint8_t		a[12] = {'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0};

	a[11] = (uint8_t) t;
	jpeg_seg(b, 0xEE, a, sizeof(a));
}

/* JPEG: SOF variants, EXIF orientation, Adobe colour transforms, junk. */
static void
test_jpeg(void)
{
	bb			b = {0};
	bb			e = {0};
	mm_probe	p;

	bb_u8(&b, 0xFF);
	bb_u8(&b, 0xD8);
	jpeg_seg(&b, 0xE0, "JFIF\0\1\1\0\0\1\0\1\0\0", 14);
	jpeg_sof(&b, 0xC0, 30, 20, 3, NULL);
	jpeg_end(&b);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "image/jpeg") == 0 && p.width == 30 && p.height == 20,
			 "jpeg: baseline 30x20");
	MM_CHECK(detail_int(&p, "progressive", NONE) == 0 && strcmp(detail_str(&p, "color_space"), "ycbcr") == 0 &&
			 detail_int(&p, "components", NONE) == 3, "jpeg: baseline ycbcr, 3 components");
	bb_reset(&b);

	/* EXIF orientation 6 + progressive: display size swaps */
	bb_u8(&b, 0xFF);
	bb_u8(&b, 0xD8);
	bb_str(&e, "Exif");
	bb_u8(&e, 0);
	bb_u8(&e, 0);
	exif_block(&e, 6);
	jpeg_seg(&b, 0xE1, e.p, e.len);
	jpeg_sof(&b, 0xC2, 30, 20, 3, NULL);
	jpeg_end(&b);
	probe_bytes(&b, &p);
	MM_CHECK(p.width == 20 && p.height == 30 && detail_int(&p, "orientation", NONE) == 6 &&
			 detail_int(&p, "stored_width", NONE) == 30 && detail_int(&p, "stored_height", NONE) == 20,
			 "jpeg: EXIF orientation 6 -> display 20x30, stored 30x20");
	MM_CHECK(detail_int(&p, "progressive", NONE) == 1, "jpeg: SOF2 is progressive");
	bb_reset(&b);
	bb_reset(&e);

	/* orientation 3 does not swap */
	bb_u8(&b, 0xFF);
	bb_u8(&b, 0xD8);
	bb_str(&e, "Exif");
	bb_fill(&e, 0, 2);
	exif_block(&e, 3);
	jpeg_seg(&b, 0xE1, e.p, e.len);
	jpeg_sof(&b, 0xC0, 30, 20, 3, NULL);
	probe_bytes(&b, &p);
	MM_CHECK(p.width == 30 && p.height == 20 && detail_int(&p, "orientation", NONE) == 3 &&
			 detail_int(&p, "stored_width", NONE) == NONE, "jpeg: orientation 3 keeps 30x20");
	bb_reset(&b);
	bb_reset(&e);

	/* CMYK: Adobe transform 0, 4 components; YCCK: transform 2 */
	bb_u8(&b, 0xFF);
	bb_u8(&b, 0xD8);
	jpeg_adobe(&b, 0);
	jpeg_sof(&b, 0xC0, 8, 8, 4, NULL);
	jpeg_end(&b);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(detail_str(&p, "color_space"), "cmyk") == 0 && detail_int(&p, "components", NONE) == 4 &&
			 detail_int(&p, "adobe_transform", NONE) == 0, "jpeg: CMYK (Adobe transform 0)");
	bb_reset(&b);
	bb_u8(&b, 0xFF);
	bb_u8(&b, 0xD8);
	jpeg_adobe(&b, 2);
	jpeg_sof(&b, 0xC1, 8, 8, 4, NULL);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(detail_str(&p, "color_space"), "ycck") == 0, "jpeg: YCCK (Adobe transform 2)");
	bb_reset(&b);

	/* RGB: Adobe transform 0 with 3 components, or component ids R G B */
	bb_u8(&b, 0xFF);
	bb_u8(&b, 0xD8);
	jpeg_adobe(&b, 0);
	jpeg_sof(&b, 0xC0, 8, 8, 3, NULL);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(detail_str(&p, "color_space"), "rgb") == 0, "jpeg: RGB via Adobe transform 0");
	bb_reset(&b);
	bb_u8(&b, 0xFF);
	bb_u8(&b, 0xD8);
	jpeg_sof(&b, 0xC0, 8, 8, 3, "RGB");
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(detail_str(&p, "color_space"), "rgb") == 0, "jpeg: RGB via component ids");
	bb_reset(&b);

	/* stray bytes and fill before a marker, then grayscale SOF */
	bb_u8(&b, 0xFF);
	bb_u8(&b, 0xD8);
	jpeg_seg(&b, 0xE0, "JFIF\0\1\1\0\0\1\0\1\0\0", 14);
	bb_str(&b, "\x01\x02\x03\xff\xff");
	jpeg_sof(&b, 0xC0, 64, 48, 1, NULL);
	probe_bytes(&b, &p);
	MM_CHECK(p.width == 64 && p.height == 48 && strcmp(detail_str(&p, "color_space"), "gray") == 0,
			 "jpeg: resyncs over junk, grayscale");
	bb_reset(&b);

	/* hostile EXIF: 65535 entries claimed, first-IFD offset far outside */
	bb_u8(&b, 0xFF);
	bb_u8(&b, 0xD8);
	bb_str(&e, "Exif");
	bb_fill(&e, 0, 2);
	bb_str(&e, "II");
	bb_le16(&e, 42);
	bb_le32(&e, 0xFFFFFFF0u);
	jpeg_seg(&b, 0xE1, e.p, e.len);
	bb_reset(&e);
	bb_str(&e, "Exif");
	bb_fill(&e, 0, 2);
	bb_str(&e, "II");
	bb_le16(&e, 42);
	bb_le32(&e, 8);
	bb_le16(&e, 65535);
	bb_fill(&e, 0x12, 30);
	jpeg_seg(&b, 0xE1, e.p, e.len);
	jpeg_sof(&b, 0xC0, 5, 6, 3, NULL);
	probe_bytes(&b, &p);
	MM_CHECK(p.width == 5 && p.height == 6 && detail_int(&p, "orientation", NONE) == NONE,
			 "jpeg: hostile EXIF ignored");
	bb_reset(&b);
	bb_reset(&e);

	/* truncated: magic only, and a SOF cut short */
	bb_str(&b, "\xff\xd8\xff");
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "image/jpeg") == 0 && p.width == -1, "jpeg: magic only");
	bb_reset(&b);
	bb_u8(&b, 0xFF);
	bb_u8(&b, 0xD8);
	jpeg_sof(&b, 0xC0, 30, 20, 3, NULL);
	mm_probe_buffer(b.p, 8, &p);
	MM_CHECK(strcmp(p.mime, "image/jpeg") == 0 && p.width == -1, "jpeg: SOF cut short");
	bb_reset(&b);

	/* zero height (to be given by DNL) is unknown */
	bb_u8(&b, 0xFF);
	bb_u8(&b, 0xD8);
	jpeg_sof(&b, 0xC0, 30, 0, 3, NULL);
	probe_bytes(&b, &p);
	MM_CHECK(p.width == 30 && p.height == -1, "jpeg: zero height unknown");
	bb_reset(&b);
}

/* ---- GIF ---- */

/* Appends a GIF header with a 2-entry global colour table. */
static void
gif_start(bb *b, int w, int h)
{
	bb_str(b, "GIF89a");
	bb_le16(b, w);
	bb_le16(b, h);
	bb_u8(b, 0x80);				/* global table of 2 entries */
	bb_u8(b, 0);
	bb_u8(b, 0);
	bb_fill(b, 0, 6);
}

/* Appends a graphic control extension and a 1x1 image. */
static void
gif_frame(bb *b, int delay_cs, int transparent)
{
	bb_str(b, "\x21\xf9\x04");
	bb_u8(b, transparent ? 1 : 0);
	bb_le16(b, delay_cs);
	bb_u8(b, 0);
	bb_u8(b, 0);
	bb_u8(b, 0x2C);
	bb_le16(b, 0);
	bb_le16(b, 0);
	bb_le16(b, 1);
	bb_le16(b, 1);
	bb_u8(b, 0);
	bb_u8(b, 2);				/* LZW minimum code size */
	bb_str(b, "\x02\x44\x01");
	bb_u8(b, 0);
}

/* GIF: frames, delays, transparency, zero and maximal sizes. */
static void
test_gif(void)
{
	bb			b = {0};
	mm_probe	p;

	gif_start(&b, 20, 10);
	gif_frame(&b, 10, 0);
	gif_frame(&b, 25, 1);
	bb_u8(&b, 0x3B);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "image/gif") == 0 && p.width == 20 && p.height == 10, "gif: 20x10");
	MM_CHECK(detail_int(&p, "frames", NONE) == 2 && detail_int(&p, "animated", NONE) == 1 &&
			 p.duration_ms == 350 && detail_int(&p, "has_alpha", NONE) == 1,
			 "gif: 2 frames, animated, 350 ms, transparency");
	mm_probe_buffer(b.p, 13, &p);
	MM_CHECK(p.width == 20 && p.height == 10 && detail_int(&p, "frames", NONE) == 0,
			 "gif: header only, no frames");
	bb_reset(&b);

	gif_start(&b, 0, 0);
	gif_frame(&b, 0, 0);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "image/gif") == 0 && p.width == -1 && p.height == -1 &&
			 detail_int(&p, "frames", NONE) == 1 && detail_int(&p, "animated", NONE) == 0,
			 "gif: zero size unknown; no trailer, 1 frame");
	bb_reset(&b);

	gif_start(&b, 65535, 65535);
	bb_u8(&b, 0x21);
	bb_u8(&b, 0xFE);
	bb_u8(&b, 200);				/* sub-block claims 200 bytes, file ends */
	probe_bytes(&b, &p);
	MM_CHECK(p.width == 65535 && p.height == 65535, "gif: max size, truncated comment");
	bb_reset(&b);
}

/* ---- WebP ---- */

/* Appends a RIFF/WEBP header; the RIFF size is fixed up by webp_done. */
static void
webp_start(bb *b)
{
	bb_str(b, "RIFF");
	bb_le32(b, 0);
	bb_str(b, "WEBP");
}

/* Sets the RIFF size from the buffer length. */
static void
webp_done(bb *b)
{
	bb_set_le32(b, 4, (uint32_t) b->len - 8);
}

/* WebP: lossy, lossless and animated extended files. */
static void
test_webp(void)
{
	bb			b = {0};
	mm_probe	p;
	uint32_t	bits;
	int			i;

	/* lossy: frame tag, start code, 14-bit sizes */
	webp_start(&b);
	bb_str(&b, "VP8 ");
	bb_le32(&b, 10);
	bb_put(&b, "\x30\x01\x00\x9d\x01\x2a", 6);
	bb_le16(&b, 300 | 0x4000);	/* scale bits must be masked off */
	bb_le16(&b, 200);
	webp_done(&b);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "image/webp") == 0 && p.width == 300 && p.height == 200 &&
			 strcmp(detail_str(&p, "codec"), "vp8") == 0, "webp: lossy 300x200 vp8");
	bb_reset(&b);

	/* lossless: signature, 14-bit width-1, height-1, alpha bit */
	webp_start(&b);
	bb_str(&b, "VP8L");
	bb_le32(&b, 5);
	bb_u8(&b, 0x2F);
	bits = (uint32_t) (75 - 1) | ((uint32_t) (100 - 1) << 14) | (1u << 28);
	bb_le32(&b, bits);
	bb_u8(&b, 0);
	webp_done(&b);
	probe_bytes(&b, &p);
	MM_CHECK(p.width == 75 && p.height == 100 && strcmp(detail_str(&p, "codec"), "vp8l") == 0 &&
			 detail_int(&p, "has_alpha", NONE) == 1, "webp: lossless 75x100 vp8l alpha");
	bb_reset(&b);

	/* extended + animation: two ANMF frames */
	webp_start(&b);
	bb_str(&b, "VP8X");
	bb_le32(&b, 10);
	bb_u8(&b, 0x12);			/* alpha + animation */
	bb_fill(&b, 0, 3);
	bb_put(&b, "\x3f\x01\x00", 3);	/* 320 - 1 */
	bb_put(&b, "\xef\x00\x00", 3);	/* 240 - 1 */
	bb_str(&b, "ANIM");
	bb_le32(&b, 6);
	bb_fill(&b, 0, 6);
	for (i = 0; i < 2; i++)
	{
		bb_str(&b, "ANMF");
		bb_le32(&b, 16 + 8 + 2);
		bb_fill(&b, 0, 12);
		bb_put(&b, "\x64\x00\x00", 3);	/* 100 ms */
		bb_u8(&b, 0);
		bb_str(&b, "VP8L");
		bb_le32(&b, 2);
		bb_fill(&b, 0, 2);
	}
	webp_done(&b);
	probe_bytes(&b, &p);
	MM_CHECK(p.width == 320 && p.height == 240 && detail_int(&p, "frames", NONE) == 2 &&
			 detail_int(&p, "animated", NONE) == 1 && p.duration_ms == 200 &&
			 strcmp(detail_str(&p, "codec"), "vp8l") == 0 && detail_int(&p, "has_alpha", NONE) == 1,
			 "webp: VP8X animation 320x240, 2 frames, 200 ms");
	/* a RIFF size larger than the file, cut inside the second frame */
	mm_probe_buffer(b.p, b.len - 10, &p);
	MM_CHECK(p.width == 320 && detail_int(&p, "frames", NONE) == 2, "webp: truncated animation");
	bb_reset(&b);
}

/* ---- BMP, ICO ---- */

/* BMP and ICO/CUR, and a TGA that looks like a CUR. */
static void
test_bmp_ico(void)
{
	bb			b = {0};
	mm_probe	p;

	bb_str(&b, "BM");
	bb_le32(&b, 0);
	bb_le32(&b, 0);
	bb_le32(&b, 54);
	bb_le32(&b, 40);
	bb_le32(&b, 16);
	bb_le32(&b, (uint32_t) -12);	/* top-down */
	bb_le16(&b, 1);
	bb_le16(&b, 24);
	bb_le32(&b, 0);
	bb_fill(&b, 0, 20);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "image/bmp") == 0 && p.width == 16 && p.height == 12 &&
			 detail_int(&p, "top_down", NONE) == 1 && detail_int(&p, "bit_depth", NONE) == 24,
			 "bmp: 16x12 top-down 24-bit");
	/* INT32_MIN height cannot overflow */
	bb_set_le32(&b, 22, 0x80000000u);
	probe_bytes(&b, &p);
	MM_CHECK(p.height == 2147483648LL, "bmp: INT32_MIN height -> 2^31");
	/* an unknown DIB header size is not a BMP */
	bb_set_le32(&b, 14, 41);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "image/bmp") != 0, "bmp: unknown header size rejected");
	bb_reset(&b);

	/* OS/2 core header */
	bb_str(&b, "BM");
	bb_fill(&b, 0, 12);
	bb_le32(&b, 12);
	bb_le16(&b, 7);
	bb_le16(&b, 9);
	bb_le16(&b, 1);
	bb_le16(&b, 8);
	probe_bytes(&b, &p);
	MM_CHECK(p.width == 7 && p.height == 9, "bmp: OS/2 core 7x9");
	bb_reset(&b);

	/* ICO with a 32x32 and a "0" (=256) entry */
	bb_le16(&b, 0);
	bb_le16(&b, 1);
	bb_le16(&b, 2);
	bb_put(&b, "\x20\x20\x00\x00", 4);
	bb_le16(&b, 1);
	bb_le16(&b, 32);
	bb_le32(&b, 8);
	bb_le32(&b, 38);
	bb_put(&b, "\x00\x00\x00\x00", 4);
	bb_le16(&b, 1);
	bb_le16(&b, 32);
	bb_le32(&b, 8);
	bb_le32(&b, 46);
	bb_fill(&b, 0, 16);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "image/x-icon") == 0 && p.width == 256 && p.height == 256 &&
			 detail_int(&p, "images", NONE) == 2 && detail_int(&p, "cursor", NONE) == NONE,
			 "ico: largest entry 256x256");
	/* the same as a cursor */
	b.p[2] = 2;
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "image/x-icon") == 0 && detail_int(&p, "cursor", NONE) == 1, "cur: cursor=true");
	/* image offset past the end: not an icon */
	bb_set_le32(&b, 18, 100000);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "image/x-icon") != 0, "ico: entry outside the file rejected");
	bb_reset(&b);

	/* a true-colour TGA also starts 00 00 02 00: must stay a TGA */
	bb_put(&b, "\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00", 12);
	bb_le16(&b, 4);
	bb_le16(&b, 3);
	bb_u8(&b, 24);
	bb_u8(&b, 0);
	bb_fill(&b, 0x55, 36);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "image/x-tga") == 0 && p.width == 4 && p.height == 3,
			 "tga: 00 00 02 00 header is TGA 4x3, not CUR");
	bb_fill(&b, 0, 8);
	bb_str(&b, "TRUEVISION-XFILE.");
	bb_u8(&b, 0);
	b.p[16] = 7;				/* odd depth: accepted only thanks to the footer */
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "image/x-tga") == 0 && detail_int(&p, "tga2", NONE) == 1, "tga: v2 footer");
	bb_reset(&b);
}

/* ---- TIFF ---- */

/* Appends a little-endian IFD entry. */
static void
tiff_entry(bb *b, int tag, int type, uint32_t count, uint32_t value)
{
	bb_le16(b, tag);
	bb_le16(b, type);
	bb_le32(b, count);
	if (type == 3 && count == 1)
	{
		bb_le16(b, value);
		bb_le16(b, 0);
	}
	else
		bb_le32(b, value);
}

/* TIFF: orientation, out-of-line values, IFD cycles, BigTIFF. */
static void
test_tiff(void)
{
	bb			b = {0};
	mm_probe	p;
	size_t		next_at;

	/* IFD0 at 8: 5 entries, next -> IFD1 at 80; IFD1 next -> IFD0 (cycle) */
	bb_str(&b, "II");
	bb_le16(&b, 42);
	bb_le32(&b, 8);
	bb_le16(&b, 5);
	tiff_entry(&b, 256, 4, 1, 640);
	tiff_entry(&b, 257, 3, 1, 480);
	tiff_entry(&b, 258, 3, 3, 200);	/* 3 SHORTs out of line at 200 */
	tiff_entry(&b, 262, 3, 1, 2);
	tiff_entry(&b, 274, 3, 1, 6);
	next_at = b.len;
	bb_le32(&b, 80);
	bb_fill(&b, 0, 80 - b.len);
	bb_le16(&b, 1);
	tiff_entry(&b, 256, 3, 1, 10);
	bb_le32(&b, 8);
	bb_fill(&b, 0, 200 - b.len);
	bb_le16(&b, 16);
	bb_le16(&b, 16);
	bb_le16(&b, 16);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "image/tiff") == 0 && p.width == 480 && p.height == 640,
			 "tiff: orientation 6 -> display 480x640");
	MM_CHECK(detail_int(&p, "bit_depth", NONE) == 16 && strcmp(detail_str(&p, "color_space"), "rgb") == 0,
			 "tiff: 16-bit rgb (BitsPerSample out of line)");
	MM_CHECK(detail_int(&p, "pages", NONE) == 2, "tiff: IFD cycle ends the page walk at 2 pages");

	/* IFD0 pointing at itself */
	bb_set_le32(&b, next_at, 8);
	probe_bytes(&b, &p);
	MM_CHECK(detail_int(&p, "pages", NONE) == 1, "tiff: self-cycle counts 1 page");

	/* next IFD outside the file */
	bb_set_le32(&b, next_at, 0xFFFFFFF0u);
	probe_bytes(&b, &p);
	MM_CHECK(detail_int(&p, "pages", NONE) == 1 && p.width == 480, "tiff: next IFD outside the file");

	/* first IFD outside the file */
	bb_set_le32(&b, 4, 0x7FFFFFFFu);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "image/tiff") == 0 && p.width == -1, "tiff: IFD0 outside -> size unknown");
	bb_reset(&b);

	/* BigTIFF, big-endian */
	bb_str(&b, "MM");
	bb_be16(&b, 43);
	bb_be16(&b, 8);
	bb_be16(&b, 0);
	bb_be32(&b, 0);
	bb_be32(&b, 16);
	bb_be32(&b, 0);
	bb_be32(&b, 2);
	bb_be16(&b, 256);
	bb_be16(&b, 16);			/* LONG8 */
	bb_be32(&b, 0);
	bb_be32(&b, 1);
	bb_be32(&b, 0);
	bb_be32(&b, 3000);
	bb_be16(&b, 257);
	bb_be16(&b, 3);
	bb_be32(&b, 0);
	bb_be32(&b, 1);
	bb_be16(&b, 2000);
	bb_fill(&b, 0, 6);
	bb_fill(&b, 0, 8);
	probe_bytes(&b, &p);
	MM_CHECK(p.width == 3000 && p.height == 2000 && detail_int(&p, "bigtiff", NONE) == 1 &&
			 detail_int(&p, "pages", NONE) == 1, "tiff: BigTIFF 3000x2000");
	bb_reset(&b);
}

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

/* ---- NEED: bytes stored far from the head ---- */

/* NEED round trips for data stored far from the head window. */
static void
test_need(void)
{
	bb			b = {0};
	mm_probe	p;
	mm_source	src;
	int			rounds;
	size_t		i;

	/* a GIF whose frames sit after a 300 KB comment */
	gif_start(&b, 5, 6);
	bb_u8(&b, 0x21);
	bb_u8(&b, 0xFE);
	for (i = 0; i < 1200; i++)
	{
		bb_u8(&b, 255);
		bb_fill(&b, 'c', 255);
	}
	bb_u8(&b, 0);
	gif_frame(&b, 10, 0);
	gif_frame(&b, 10, 0);
	gif_frame(&b, 10, 0);
	bb_u8(&b, 0x3B);

	mm_source_init(&src, b.len);
	mm_source_add(&src, 0, b.p, 65536);
	MM_CHECK(mm_probe_source(&src, &p) == MM_PROBE_NEED_DATA && src.need &&
			 src.need_off >= 65536 - 255 && src.need_off < b.len,
			 "need: gif frames past the head window -> NEED_DATA at %llu", (unsigned long long) src.need_off);
	MM_CHECK(src.need_len >= 65536, "need: the request is widened for the walk (%zu bytes)", src.need_len);
	MM_CHECK(mm_source_add(&src, src.need_off, b.p + src.need_off, src.need_len) == 0 &&
			 mm_probe_source(&src, &p) == MM_PROBE_OK, "need: OK after adding the window");
	MM_CHECK(detail_int(&p, "frames", NONE) == 3 && p.width == 5, "need: 3 frames counted after NEED");
	rounds = probe_windowed(b.p, b.len, 4096, &p);
	MM_CHECK(rounds >= 1 && detail_int(&p, "frames", NONE) == 3, "need: windowed loop, %d rounds", rounds);
	bb_reset(&b);

	/* a TIFF whose first IFD is 200 KB into the file */
	bb_str(&b, "II");
	bb_le16(&b, 42);
	bb_le32(&b, 200000);
	bb_fill(&b, 0, 200000 - 8);
	bb_le16(&b, 2);
	tiff_entry(&b, 256, 3, 1, 123);
	tiff_entry(&b, 257, 3, 1, 45);
	bb_le32(&b, 0);
	mm_source_init(&src, b.len);
	mm_source_add(&src, 0, b.p, 65536);
	MM_CHECK(mm_probe_source(&src, &p) == MM_PROBE_NEED_DATA && src.need_off == 200000,
			 "need: tiff IFD far away -> NEED_DATA at 200000");
	MM_CHECK(mm_source_add(&src, src.need_off, b.p + src.need_off, b.len - 200000) == 0 &&
			 mm_probe_source(&src, &p) == MM_PROBE_OK && p.width == 123 && p.height == 45,
			 "need: tiff 123x45 after adding the window");
	bb_reset(&b);

	/* a JPEG whose SOF follows 2 APP segments of 60 KB */
	bb_u8(&b, 0xFF);
	bb_u8(&b, 0xD8);
	for (i = 0; i < 2; i++)
	{
		bb_u8(&b, 0xFF);
		bb_u8(&b, 0xE2);
		bb_be16(&b, 60000);
		bb_fill(&b, 'i', 60000 - 2);
	}
	jpeg_sof(&b, 0xC0, 77, 88, 3, NULL);
	jpeg_end(&b);
	rounds = probe_windowed(b.p, b.len, 65536, &p);
	MM_CHECK(rounds == 1 && p.width == 77 && p.height == 88, "need: jpeg SOF at 120 KB, %d round", rounds);
	bb_reset(&b);
}

/* Runs every group and prints the TAP plan. */
int
main(void)
{
	test_png();
	test_jpeg();
	test_gif();
	test_webp();
	test_bmp_ico();
	test_tiff();
	test_misc();
	test_need();
	return mm_test_done();
}
