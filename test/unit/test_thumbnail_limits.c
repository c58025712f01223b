/*
 * test_thumbnail_limits.c - the resource limits of mm_thumbnail(): pixel
 * and byte limits refuse before allocating, and the memory budget
 * (max_memory) refuses whole-image buffers from the header and is never
 * passed (peak bytes measured by the counting allocator of mm_alloc.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "mm_test.h"
#include "mm_encode.h"
#include "mm_thumb.h"

/* A PNG file with just an IHDR claiming w x h, an IDAT and an IEND. */
static uint8_t *
png_header_only(uint32_t w, uint32_t h, size_t *len)
{
	bb			b = {NULL, 0, 0};
	uint8_t		ihdr[17] = {'I', 'H', 'D', 'R'};
	uint8_t		idat[4 + 11] = {'I', 'D', 'A', 'T', 0x78, 0x9c, 0x63, 0, 0, 0, 1, 0, 1, 0, 0};
	uint8_t		be[4];
	uint32_t	crc;

	ihdr[4] = (uint8_t) (w >> 24);
	ihdr[5] = (uint8_t) (w >> 16);
	ihdr[6] = (uint8_t) (w >> 8);
	ihdr[7] = (uint8_t) w;
	ihdr[8] = (uint8_t) (h >> 24);
	ihdr[9] = (uint8_t) (h >> 16);
	ihdr[10] = (uint8_t) (h >> 8);
	ihdr[11] = (uint8_t) h;
	ihdr[12] = 8;
	ihdr[13] = 6;				/* RGBA */
	bb_put(&b, "\x89PNG\r\n\x1a\n", 8);
	bb_put(&b, "\0\0\0\x0d", 4);
	bb_put(&b, ihdr, 17);
	crc = (uint32_t) crc32(0, ihdr, 17);
	be[0] = (uint8_t) (crc >> 24);
	be[1] = (uint8_t) (crc >> 16);
	be[2] = (uint8_t) (crc >> 8);
	be[3] = (uint8_t) crc;
	bb_put(&b, be, 4);
	bb_put(&b, "\0\0\0\x0b", 4);
	bb_put(&b, idat, sizeof(idat));
	crc = (uint32_t) crc32(0, idat, sizeof(idat));
	be[0] = (uint8_t) (crc >> 24);
	be[1] = (uint8_t) (crc >> 16);
	be[2] = (uint8_t) (crc >> 8);
	be[3] = (uint8_t) crc;
	bb_put(&b, be, 4);
	bb_put(&b, "\0\0\0\0IEND\xae\x42\x60\x82", 12);
	*len = b.len;
	return b.p;
}

/* Sets the size in a JPEG's SOFn marker. */
static void
jpeg_patch_size(uint8_t *p, size_t len, unsigned w, unsigned h)
{
	size_t		i;

	for (i = 2; i + 9 < len; i++)
		if (p[i] == 0xFF && (p[i + 1] == 0xC0 || p[i + 1] == 0xC2))
		{
			p[i + 5] = (uint8_t) (h >> 8);
			p[i + 6] = (uint8_t) h;
			p[i + 7] = (uint8_t) (w >> 8);
			p[i + 8] = (uint8_t) w;
			return;
		}
}

/* Pixel and byte limits refuse before allocating. */
static void
test_limits(void)
{
	alloc_stats s;
	char		err[256];
	size_t		len;
	uint8_t    *p;
	mm_img_status st;

	/* PNG claiming 100000 x 100000 with a 10^8 pixel limit */
	p = png_header_only(100000, 100000, &len);
	memset(&s, 0, sizeof(s));
	st = limited(p, len, 100000000, 0, &s, NULL, err, sizeof(err));
	MM_CHECK(st == MM_IMG_TOO_BIG, "PNG 100000x100000: too big (%s: %s)", mm_img_status_name(st), err);
	MM_CHECK(s.biggest < 65536 && s.total < 262144,
			 "PNG 100000x100000: refused before any big allocation (biggest %zu, total %zu)",
			 s.biggest, s.total);
	MM_CHECK(s.live == 0, "PNG 100000x100000: everything freed");
	free(p);

	/* the same header within the limit gets to decode (and fails on data) */
	p = png_header_only(2000, 2000, &len);
	memset(&s, 0, sizeof(s));
	st = limited(p, len, 100000000, 0, &s, NULL, err, sizeof(err));
	MM_CHECK(st == MM_IMG_CORRUPT, "PNG 2000x2000 with one byte of data: corrupt (%s)",
			 mm_img_status_name(st));
	MM_CHECK(s.live == 0, "PNG 2000x2000: everything freed");
	free(p);

	/* GIF screen of 65535 x 65535 */
	{
		bb			b = {NULL, 0, 0};

		bb_put(&b, "GIF89a\xff\xff\xff\xff\x00\x00\x00", 13);
		bb_put(&b, "\x2c\0\0\0\0\x01\0\x01\0\0\x02\x02\x44\x01\0\x3b", 16);
		memset(&s, 0, sizeof(s));
		st = limited(b.p, b.len, 100000000, 0, &s, NULL, err, sizeof(err));
		MM_CHECK(st == MM_IMG_TOO_BIG && s.biggest < 65536 && s.live == 0,
				 "GIF 65535x65535: too big before allocating (%s, biggest %zu)",
				 mm_img_status_name(st), s.biggest);
		free(b.p);
	}

	/* BMP of 100000 x 100000 */
	p = make_bmp(64, 32, 24, 0, &len);
	p[18] = 0xA0;
	p[19] = 0x86;
	p[20] = 0x01;				/* width 100000 */
	p[22] = 0xA0;
	p[23] = 0x86;
	p[24] = 0x01;				/* height 100000 */
	memset(&s, 0, sizeof(s));
	st = limited(p, len, 100000000, 0, &s, NULL, err, sizeof(err));
	MM_CHECK(st == MM_IMG_TOO_BIG && s.biggest < 65536 && s.live == 0,
			 "BMP 100000x100000: too big before allocating (%s, biggest %zu)",
			 mm_img_status_name(st), s.biggest);
	free(p);

	/* JPEG whose SOF claims 60000 x 60000 */
	{
		img			src = gradient_image(64, 48);
		jpeg_opts	o = {80, 0, 0, 2, 2, 0, 0, 0};

		p = make_jpeg(&src, &o, &len);
		jpeg_patch_size(p, len, 60000, 60000);
		memset(&s, 0, sizeof(s));
		st = limited(p, len, 100000000, 0, &s, NULL, err, sizeof(err));
		MM_CHECK(st == MM_IMG_TOO_BIG && s.biggest < 65536 && s.live == 0,
				 "JPEG 60000x60000: too big before decoding (%s: %s)", mm_img_status_name(st), err);
		free(p);
		o.progressive = 1;
		p = make_jpeg(&src, &o, &len);
		jpeg_patch_size(p, len, 60000, 60000);
		st = limited(p, len, 100000000, 0, &s, NULL, err, sizeof(err));
		MM_CHECK(st == MM_IMG_TOO_BIG, "progressive JPEG 60000x60000: too big (%s)",
				 mm_img_status_name(st));
		free(p);
		free(src.px);
	}

	/* max_bytes: an interlaced PNG must be held whole, a plain one need not */
	p = make_png(1000, 1000, PNG_COLOR_TYPE_RGB_ALPHA, 8, 1, 0, &len);
	memset(&s, 0, sizeof(s));
	st = limited(p, len, 0, 1000000, &s, NULL, err, sizeof(err));
	MM_CHECK(st == MM_IMG_TOO_BIG && s.biggest <= 1000000 && s.live == 0,
			 "interlaced 1000x1000 RGBA PNG over a 1 MB cap: too big (%s, biggest %zu)",
			 mm_img_status_name(st), s.biggest);
	free(p);
	p = make_png(1000, 1000, PNG_COLOR_TYPE_RGB_ALPHA, 8, 0, 0, &len);
	memset(&s, 0, sizeof(s));
	st = limited(p, len, 0, 1000000, &s, NULL, err, sizeof(err));
	MM_CHECK(st == MM_IMG_OK && s.biggest <= 1000000 && s.live == 0,
			 "plain 1000x1000 RGBA PNG streams under a 1 MB cap (%s, biggest %zu)",
			 mm_img_status_name(st), s.biggest);
	free(p);

	/* a pixel limit below the image */
	p = make_png(100, 100, PNG_COLOR_TYPE_RGB, 8, 0, 0, &len);
	st = limited(p, len, 9999, 0, &s, NULL, err, sizeof(err));
	MM_CHECK(st == MM_IMG_TOO_BIG, "100x100 over a 9999-pixel limit: too big");
	st = limited(p, len, 10000, 0, &s, NULL, err, sizeof(err));
	MM_CHECK(st == MM_IMG_OK, "100x100 at a 10000-pixel limit: ok");
	free(p);
}

/* Runs a thumbnail under a memory budget with fresh counts. */
static mm_img_status
budgeted(const uint8_t *src, size_t len, uint64_t max_memory, alloc_stats *stats,
		 char *err, size_t errlen)
{
	memset(stats, 0, sizeof(*stats));
	return limited_budget(src, len, 0, 0, max_memory, stats, NULL, err, errlen);
}

/*
 * The memory budget (max_memory): whole-image buffers are estimated from
 * the header and refused before allocating; what fits decodes; the peak
 * never passes the budget.
 */
static void
test_budget(void)
{
	alloc_stats s;
	char		err[256];
	size_t		len;
	uint8_t    *p;
	mm_img_status st;
	const uint64_t mb = 1024 * 1024;

	/* the 69-byte attack: an interlaced RGBA PNG claiming 10000 x 10000 (400 MB held whole) */
	p = png_header_only(10000, 10000, &len);
	p[8 + 4 + 4 + 12] = 1;		/* interlace method: Adam7 */
	{
		uint32_t	crc = (uint32_t) crc32(0, p + 12, 17);

		p[29] = (uint8_t) (crc >> 24);
		p[30] = (uint8_t) (crc >> 16);
		p[31] = (uint8_t) (crc >> 8);
		p[32] = (uint8_t) crc;
	}
	st = budgeted(p, len, 64 * mb, &s, err, sizeof(err));
	MM_CHECK(st == MM_IMG_TOO_BIG && s.peak < mb && s.live == 0 && strstr(err, "interlaced PNG") != NULL,
			 "interlaced 10000x10000 PNG (%zu bytes) under a 64 MB budget: refused before allocating (%s, peak %zu: %s)",
			 len, mm_img_status_name(st), s.peak, err);
	free(p);

	/* an interlaced 1000 x 1000 RGBA PNG (4 MB whole): fits 64 MB, not 2 MB */
	p = make_png(1000, 1000, PNG_COLOR_TYPE_RGB_ALPHA, 8, 1, 0, &len);
	st = budgeted(p, len, 64 * mb, &s, err, sizeof(err));
	MM_CHECK(st == MM_IMG_OK && s.peak <= 64 * mb && s.live == 0,
			 "interlaced 1000x1000 PNG under a 64 MB budget: ok (%s, peak %zu)", mm_img_status_name(st), s.peak);
	st = budgeted(p, len, 2 * mb, &s, err, sizeof(err));
	MM_CHECK(st == MM_IMG_TOO_BIG && s.peak <= 2 * mb && s.live == 0,
			 "interlaced 1000x1000 PNG under a 2 MB budget: refused (%s, peak %zu)", mm_img_status_name(st), s.peak);
	free(p);

	/* a progressive JPEG claiming 8000 x 8000: 3 x 64 MB of coefficients, estimated from the header */
	{
		img			src = gradient_image(64, 48);
		jpeg_opts	o = {80, 0, 0, 1, 1, 0, 0, 0};

		o.progressive = 1;
		p = make_jpeg(&src, &o, &len);
		jpeg_patch_size(p, len, 8000, 8000);
		st = budgeted(p, len, 64 * mb, &s, err, sizeof(err));
		MM_CHECK(st == MM_IMG_TOO_BIG && s.peak < mb && s.live == 0 && strstr(err, "coefficient") != NULL,
				 "progressive 8000x8000 JPEG under a 64 MB budget: refused from the header (%s, peak %zu: %s)",
				 mm_img_status_name(st), s.peak, err);
		free(p);
		p = make_jpeg(&src, &o, &len);
		st = budgeted(p, len, 64 * mb, &s, err, sizeof(err));
		MM_CHECK(st == MM_IMG_OK && s.live == 0, "progressive 64x48 JPEG under a 64 MB budget: ok (%s)",
				 mm_img_status_name(st));
		free(p);
		free(src.px);
	}
}

/* Runs this file's groups and prints the TAP plan. */
int
main(void)
{
	test_limits();
	test_budget();
	return mm_test_done();
}
