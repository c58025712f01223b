/*
 * test_probe_images_bmp_tiff.c - unit tests of the BMP, ICO/CUR and TIFF
 * probes on hand-made files: orientation, out-of-line values, IFD cycles,
 * BigTIFF, and a TGA that looks like a CUR.
 */
#include <stdio.h>

#include "mm_bytes.h"
#include "mm_test.h"
#include "mm_image_bytes.h"

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

/* Runs this file's groups and prints the TAP plan. */
int
main(void)
{
	test_bmp_ico();
	test_tiff();
	return mm_test_done();
}
