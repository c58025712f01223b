/*
 * test_probe_images_web.c - unit tests of the PNG, JPEG, GIF and WebP
 * probes on hand-made files, well-formed and hostile: truncated, huge and
 * zero sizes, EXIF orientation, APNG, CMYK JPEG, animation.
 */
#include <stdio.h>

#include "mm_bytes.h"
#include "mm_test.h"
#include "mm_image_bytes.h"

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

/* Runs this file's groups and prints the TAP plan. */
int
main(void)
{
	test_png();
	test_jpeg();
	test_gif();
	test_webp();
	return mm_test_done();
}
