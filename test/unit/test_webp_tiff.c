/*
 * test_webp_tiff.c - unit tests of the WebP and TIFF decoders through
 * mm_thumbnail().
 *
 * Images are made here: WebP with libwebp's encoder (lossy, lossless,
 * alpha) and libwebpmux (an EXIF orientation chunk, animations whose first
 * frame covers the canvas or only part of it); TIFF with libtiff (strips
 * and tiles, 8 and 16 bits, gray, RGB, RGBA, palette, CMYK, LZW/Deflate/
 * JPEG, two pages, the Orientation tag).  Each has a red top-left quadrant
 * on blue; the thumbnail is decoded again and checked for size, colors,
 * alpha and orientation.  Then hostile headers (65535x65535 and a huge
 * lossless WebP: refused before anything big is allocated), the memory
 * budget, truncation, interrupts and failing allocations (no leak, no
 * output), and every valid WebP and TIFF of the shared corpus when present.
 *
 * The files are made by mm_webp_tiff.h; MM_WRITE_SAMPLES=dir writes them
 * there (fuzz seeds and the fixtures of test/sql/formats_webp_tiff.sql
 * come from them).
 */
#define _POSIX_C_SOURCE 200809L	/* mkstemp, in mm_webp_tiff.h */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "image/image.h"
#include "mm_test.h"
#include "mm_alloc.h"
#include "mm_cmyk.h"
#include "mm_file.h"
#include "mm_webp_tiff.h"

/* A decoded thumbnail: RGBA pixels. */
typedef struct rgba
{
	int			w;
	int			h;
	uint8_t    *px;
} rgba;

/* ------------------------------------------------------------- checking */

static alloc_stats stats;
static long polls;
static long stop_after;

/* Interrupt callback: stops after stop_after polls (never when negative). */
static int
stop_after_polls(void *arg)
{
	(void) arg;
	polls++;
	return stop_after >= 0 && polls > stop_after;
}

/* mm_thumbnail() of s with counting allocator, optional budget and interrupt. */
static mm_img_status
thumb(const sample *s, int box, uint64_t max_pixels, uint64_t max_memory,
	  uint8_t **out, size_t *out_len, mm_thumb_info *info, char *err)
{
	mm_alloc	a = {hook_alloc, hook_free, &stats};
	mm_limits	lim;

	memset(&lim, 0, sizeof(lim));
	lim.max_pixels = max_pixels;
	lim.max_memory = max_memory;
	lim.alloc = &a;
	lim.interrupted = stop_after_polls;
	polls = 0;
	return mm_thumbnail(s->data, s->len, box, box, MM_THUMB_PNG, 0, &lim, out, out_len, info,
						err, 256);
}

/* Decodes a PNG thumbnail to RGBA (px NULL when it cannot). */
static rgba
decode_png(const uint8_t *p, size_t n)
{
	png_image	img;
	rgba		r = {0, 0, NULL};

	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_memory(&img, p, n))
		return r;
	img.format = PNG_FORMAT_RGBA;
	r.px = malloc(PNG_IMAGE_SIZE(img));
	if (!png_image_finish_read(&img, NULL, r.px, 0, NULL))
	{
		free(r.px);
		r.px = NULL;
		return r;
	}
	r.w = (int) img.width;
	r.h = (int) img.height;
	return r;
}

/* Whether pixel (x, y) of im is within tol of color c (and of alpha a, when a >= 0). */
static int
pixel_is(const rgba *im, int x, int y, const uint8_t *c, int a, int tol)
{
	const uint8_t *p = im->px + ((size_t) y * im->w + x) * 4;
	int			i;

	for (i = 0; i < 3 && c != NULL; i++)
		if (abs(p[i] - c[i]) > tol)
			return 0;
	return a < 0 || abs(p[3] - a) <= tol;
}

/*
 * Thumbnails s into a box with no limits and decodes the PNG into *im:
 * checks that it was made by decoder at ew x eh and that nothing is left
 * allocated.  Returns 1 when *im is there to look at (free im->px).
 */
static int
made(const sample *s, int box, int ew, int eh, const char *decoder, mm_thumb_info *info, rgba *im)
{
	uint8_t    *out = NULL;
	size_t		out_len = 0;
	char		err[256];
	mm_img_status st;

	memset(&stats, 0, sizeof(stats));
	memset(im, 0, sizeof(*im));
	stop_after = -1;
	st = thumb(s, box, 0, 0, &out, &out_len, info, err);
	MM_CHECK(st == MM_IMG_OK && strcmp(info->decoder_name, decoder) == 0,
			 "%s: thumbnail made by the %s decoder (%s%s%s)", s->name, decoder,
			 mm_img_status_name(st), st ? ": " : "", st ? err : "");
	if (st != MM_IMG_OK)
		return 0;
	*im = decode_png(out, out_len);
	hook_free(&stats, out);
	MM_CHECK(stats.live == 0, "%s: nothing left allocated (%zu bytes)", s->name, stats.live);
	MM_CHECK(im->px != NULL && im->w == ew && im->h == eh, "%s: %dx%d thumbnail (got %dx%d)",
			 s->name, ew, eh, im->w, im->h);
	return im->px != NULL && im->w == ew && im->h == eh;
}

/* The colors a CMYK sample shows: RED and BLUE as inks through the fallback profile. */
static uint8_t CMYK_RED[3];
static uint8_t CMYK_BLUE[3];

/*
 * Checks the thumbnail of s (see made()): red in display quadrant
 * (qx, qy), blue (or transparent, with alpha) in the opposite one, red and
 * blue being the colors expected there.
 */
static void
check_thumb_of(const sample *s, int box, int ew, int eh, const char *decoder, int qx, int qy,
			   int alpha, int tol, const uint8_t *red, const uint8_t *blue)
{
	mm_thumb_info info;
	rgba		im;

	if (made(s, box, ew, eh, decoder, &info, &im))
	{
		int			rx = qx ? ew - 1 - ew / 8 : ew / 8;
		int			ry = qy ? eh - 1 - eh / 8 : eh / 8;
		int			bx = qx ? ew / 8 : ew - 1 - ew / 8;
		int			by = qy ? eh / 8 : eh - 1 - eh / 8;

		MM_CHECK(pixel_is(&im, rx, ry, red, -1, tol), "%s: red where the red quadrant is shown", s->name);
		MM_CHECK(pixel_is(&im, bx, by, alpha ? NULL : blue, alpha ? 0 : -1, tol),
				 "%s: %s in the opposite quadrant", s->name, alpha ? "transparent" : "blue");
		MM_CHECK(info.has_alpha == (alpha != 0), "%s: has_alpha %d", s->name, alpha);
	}
	free(im.px);
}

/* check_thumb_of for the pure RED and BLUE. */
static void
check_thumb(const sample *s, int box, int ew, int eh, const char *decoder, int qx, int qy,
			int alpha, int tol)
{
	check_thumb_of(s, box, ew, eh, decoder, qx, qy, alpha, tol, RED, BLUE);
}

/* Checks a gray TIFF's thumbnail: its light (200) top-left and dark (40) bottom-right quadrants. */
static void
check_gray(const sample *s, int box, int ew, int eh)
{
	mm_thumb_info info;
	rgba		im;
	static const uint8_t light[3] = {200, 200, 200};
	static const uint8_t dark[3] = {40, 40, 40};

	if (made(s, box, ew, eh, "tiff", &info, &im))
		MM_CHECK(pixel_is(&im, ew / 8, eh / 8, light, -1, 3) &&
				 pixel_is(&im, ew - 1 - ew / 8, eh - 1 - eh / 8, dark, -1, 3),
				 "%s: gray levels kept (16-bit scaled to 8)", s->name);
	free(im.px);
}

/* ------------------------------------------------------------------ tests */

#define N_SAMPLES 32
static sample samples[N_SAMPLES];
static int	n_samples;

/* Keeps s for the truncation, interrupt and allocation tests. */
static const sample *
keep(sample s)
{
	if (n_samples < N_SAMPLES)
		samples[n_samples++] = s;
	return &samples[n_samples - 1];
}

/* WebP: lossy, lossless, alpha, EXIF orientation, animations. */
static void
test_webp(void)
{
	check_thumb(keep(webp_still("lossy.webp", 160, 120, 0, 0)), 64, 64, 48, "webp", 0, 0, 0, 24);
	check_thumb(keep(webp_still("lossless.webp", 160, 120, 1, 0)), 64, 64, 48, "webp", 0, 0, 0, 3);
	check_thumb(keep(webp_still("lossy-alpha.webp", 160, 120, 0, 1)), 64, 64, 48, "webp", 0, 0, 1, 24);
	check_thumb(keep(webp_still("lossless-alpha.webp", 160, 120, 1, 1)), 64, 64, 48, "webp", 0, 0, 1, 3);
	/* not scaled: smaller than the box */
	check_thumb(keep(webp_still("small.webp", 30, 20, 1, 0)), 64, 30, 20, "webp", 0, 0, 0, 3);
	/* orientation 6: the stored top-left shows top right, and the size turns */
	check_thumb(keep(webp_exif("exif6.webp", 160, 120, 6)), 64, 48, 64, "webp", 1, 0, 0, 24);
	/* the first frame of an animation, not the green second one */
	check_thumb(keep(webp_anim("anim.webp", 160, 120, 0, 0, 160, 120)), 64, 64, 48, "webp", 0, 0, 0, 24);
	{
		/* a first frame on part of the canvas: transparent around it */
		const sample *s = keep(webp_anim("anim-partial.webp", 80, 60, 20, 16, 40, 28));
		mm_thumb_info info;
		rgba		im;

		if (made(s, 80, 80, 60, "webp", &info, &im))
		{
			MM_CHECK(pixel_is(&im, 2, 2, NULL, 0, 0) && pixel_is(&im, 77, 57, NULL, 0, 0),
					 "anim-partial.webp: transparent outside the first frame");
			MM_CHECK(pixel_is(&im, 25, 20, RED, 255, 24) && pixel_is(&im, 55, 40, BLUE, 255, 24),
					 "anim-partial.webp: the frame's pixels at its offset");
		}
		free(im.px);
	}
}

/* The TIFF of o at 16 bits a sample, in strips (named strips) and in 32x32 tiles (named tiles). */
static void
check_16bit(tiff_opts o, const char *strips, const char *tiles)
{
	o.bps = 16;
	o.tile = 0;
	check_thumb_of(keep(tiff_file(strips, o)), 48, 48, 32, "tiff", 0, 0, 0, 2,
				   o.kind == 'k' ? CMYK_RED : RED, o.kind == 'k' ? CMYK_BLUE : BLUE);
	o.tile = 32;
	check_thumb_of(keep(tiff_file(tiles, o)), 48, 48, 32, "tiff", 0, 0, 0, 2,
				   o.kind == 'k' ? CMYK_RED : RED, o.kind == 'k' ? CMYK_BLUE : BLUE);
}

/*
 * Checks a CMYK TIFF's thumbnail (CMYK_RED, CMYK_BLUE) without keeping it:
 * with a large ICCProfile tag behind the pixels, a copy cut to 2/3 is
 * still whole, so test_failures' truncation check does not apply.
 */
static void
check_cmyk_once(sample s)
{
	check_thumb_of(&s, 48, 48, 32, "tiff", 0, 0, 0, 2, CMYK_RED, CMYK_BLUE);
	free(s.data);
}

/* The big-endian 16-bit number at p. */
static uint32_t
be16_at(const uint8_t *p)
{
	return (uint32_t) p[0] << 8 | p[1];
}

/*
 * A usable embedded profile is used: the fallback profile with the
 * lightness output curve of its A2B table (lut16Type, 'mft2') halved draws
 * darker colors, and the TIFF carrying it shows them.
 */
static void
test_tiff_icc_used(tiff_opts o)
{
	static uint8_t dim[64 * 1024];
	size_t		n = mm_cmyk_fallback_icc_len;
	uint8_t		red[3];
	uint8_t		blue[3];
	uint32_t	count;
	uint32_t	i;
	sample		s;

	MM_CHECK(n <= sizeof(dim), "the fallback profile fits the test's copy");
	if (n > sizeof(dim))
		return;
	memcpy(dim, mm_cmyk_fallback_icc, n);
	count = be16_at(dim + 128) << 16 | be16_at(dim + 130);
	for (i = 0; i < count && 144 + 12 * i <= n; i++)
	{
		const uint8_t *e = dim + 132 + 12 * i;
		uint32_t	off = be16_at(e + 4) << 16 | be16_at(e + 6);
		uint32_t	size = be16_at(e + 8) << 16 | be16_at(e + 10);
		uint32_t	entries;
		uint32_t	k;

		if (memcmp(e, "A2B1", 4) != 0 || off + size > n || size < 52 ||
			memcmp(dim + off, "mft2", 4) != 0)
			continue;
		/* output tables close the tag: out channels x entries x 2 bytes, L first */
		entries = be16_at(dim + off + 50);
		for (k = 0; k < entries && (uint64_t) dim[off + 9] * entries * 2 <= size; k++)
		{
			uint8_t    *v = dim + off + size - (size_t) dim[off + 9] * entries * 2 + 2 * k;
			uint32_t	x = be16_at(v) / 2;

			v[0] = (uint8_t) (x >> 8);
			v[1] = (uint8_t) x;
		}
	}
	mm_cmyk_expect_with(dim, mm_cmyk_fallback_icc_len, RED, red);
	mm_cmyk_expect_with(dim, mm_cmyk_fallback_icc_len, BLUE, blue);
	MM_CHECK(abs(red[0] - CMYK_RED[0]) + abs(red[1] - CMYK_RED[1]) + abs(red[2] - CMYK_RED[2]) > 30,
			 "a darker A2B table draws another red (%d,%d,%d vs %d,%d,%d)", red[0], red[1], red[2],
			 CMYK_RED[0], CMYK_RED[1], CMYK_RED[2]);
	o.icc = dim;
	o.icc_len = (uint32_t) mm_cmyk_fallback_icc_len;
	o.bps = 8;
	s = tiff_file("cmyk-icc-dim.tif", o);
	check_thumb_of(&s, 48, 48, 32, "tiff", 0, 0, 0, 2, red, blue);
	free(s.data);
}

/*
 * CMYK TIFFs whose ICCProfile tag is unusable (junk, the fallback profile
 * cut short, an RGB profile) fall back to the fallback profile; the
 * fallback profile itself embedded gives the same colors.
 */
static void
test_tiff_icc(tiff_opts o)
{
	static uint8_t junk[200];
	static uint8_t rgb_icc[600];
	size_t		i;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t) (i * 37 + 11);
	/* an RGB display profile: a valid ICC header of the wrong color space */
	memcpy(rgb_icc, mm_cmyk_fallback_icc, 128);
	memcpy(rgb_icc + 16, "RGB ", 4);
	rgb_icc[0] = 0;
	rgb_icc[1] = 0;
	rgb_icc[2] = sizeof(rgb_icc) >> 8;
	rgb_icc[3] = sizeof(rgb_icc) & 255;
	o.icc = junk;
	o.icc_len = sizeof(junk);
	check_thumb_of(keep(tiff_file("cmyk-icc-junk.tif", o)), 48, 48, 32, "tiff", 0, 0, 0, 2,
				   CMYK_RED, CMYK_BLUE);
	o.icc = mm_cmyk_fallback_icc;
	o.icc_len = (uint32_t) mm_cmyk_fallback_icc_len / 2;
	check_cmyk_once(tiff_file("cmyk-icc-cut.tif", o));
	o.icc = rgb_icc;
	o.icc_len = sizeof(rgb_icc);
	check_cmyk_once(tiff_file("cmyk-icc-rgb.tif", o));
	o.icc_len = (uint32_t) mm_cmyk_fallback_icc_len;
	o.icc = mm_cmyk_fallback_icc;
	o.bps = 16;
	check_cmyk_once(tiff_file("cmyk16-icc.tif", o));
	test_tiff_icc_used(o);
}

/* TIFF: layouts, depths, color models, pages, orientation. */
static void
test_tiff(void)
{
	tiff_opts	o = {96, 64, 'c', 8, 0, 0, 0, 0, 1, NULL, 0};

	check_thumb(keep(tiff_file("strip-rgb8.tif", o)), 48, 48, 32, "tiff", 0, 0, 0, 2);
	o.rows_per_strip = 5;
	o.compression = COMPRESSION_LZW;
	check_thumb(keep(tiff_file("strip5-lzw.tif", o)), 48, 48, 32, "tiff", 0, 0, 0, 2);
	o.rows_per_strip = 0;
	o.tile = 16;
	o.compression = COMPRESSION_ADOBE_DEFLATE;
	check_thumb(keep(tiff_file("tile-deflate.tif", o)), 48, 48, 32, "tiff", 0, 0, 0, 2);
	o.tile = 0;
	check_16bit(o, "rgb16.tif", "tile-rgb16.tif");
	o.kind = 'a';
	check_thumb(keep(tiff_file("rgba.tif", o)), 48, 48, 32, "tiff", 0, 0, 1, 2);
	o.kind = 'k';
	check_thumb_of(keep(tiff_file("cmyk.tif", o)), 48, 48, 32, "tiff", 0, 0, 0, 2, CMYK_RED, CMYK_BLUE);
	/* 16-bit CMYK, which libtiff's RGBA interface refuses */
	check_16bit(o, "cmyk16.tif", "tile-cmyk16.tif");
	test_tiff_icc(o);
	o.kind = 'p';
	o.compression = COMPRESSION_NONE;
	check_thumb(keep(tiff_file("palette.tif", o)), 48, 48, 32, "tiff", 0, 0, 0, 2);
	o.kind = 'c';
	o.compression = COMPRESSION_JPEG;
	check_thumb(keep(tiff_file("jpeg.tif", o)), 48, 48, 32, "tiff", 0, 0, 0, 24);
	o.compression = COMPRESSION_LZW;	/* small files: they are SQL fixtures too */
	o.pages = 2;
	check_thumb(keep(tiff_file("two-pages.tif", o)), 48, 48, 32, "tiff", 0, 0, 0, 2);
	o.pages = 1;
	o.orientation = ORIENTATION_RIGHTTOP;	/* 6 */
	check_thumb(keep(tiff_file("orient6.tif", o)), 48, 32, 48, "tiff", 1, 0, 0, 2);
	o.orientation = ORIENTATION_BOTRIGHT;	/* 3 */
	check_thumb(keep(tiff_file("orient3.tif", o)), 48, 48, 32, "tiff", 1, 1, 0, 2);
	o.orientation = 0;
	o.kind = 'g';
	check_gray(keep(tiff_file("gray8.tif", o)), 48, 48, 32);
	o.bps = 16;
	check_gray(keep(tiff_file("gray16.tif", o)), 48, 48, 32);
}

/* A little-endian TIFF header and IFD declaring w x h RGB, with one tiny strip. */
static sample
tiff_hostile(uint32_t w, uint32_t h)
{
	static uint8_t b[256];
	/* tag, type (3 SHORT, 4 LONG), count, value */
	const uint32_t e[][4] = {
		{256, 4, 1, w}, {257, 4, 1, h}, {258, 3, 1, 8}, {259, 3, 1, 1}, {262, 3, 1, 2},
		{273, 4, 1, 200}, {277, 3, 1, 3}, {278, 4, 1, h}, {279, 4, 1, 16}};
	int			n = (int) (sizeof(e) / sizeof(e[0]));
	int			i;
	sample		s;

	memset(b, 0, sizeof(b));
	memcpy(b, "II*\0\x08\0\0\0", 8);
	b[8] = (uint8_t) n;
	for (i = 0; i < n; i++)
	{
		uint8_t    *p = b + 10 + i * 12;

		p[0] = (uint8_t) e[i][0];
		p[1] = (uint8_t) (e[i][0] >> 8);
		p[2] = (uint8_t) e[i][1];
		p[4] = (uint8_t) e[i][2];
		p[8] = (uint8_t) e[i][3];
		p[9] = (uint8_t) (e[i][3] >> 8);
		p[10] = (uint8_t) (e[i][3] >> 16);
		p[11] = (uint8_t) (e[i][3] >> 24);
	}
	s.name = "hostile.tif";
	s.data = b;
	s.len = 216;
	return s;
}

/*
 * A WebP declaring a w x h image around 1x1 pixels of data: an animated
 * VP8X canvas (anim set), else a lossless bitstream header.
 */
static sample
webp_hostile(uint32_t w, uint32_t h, int anim)
{
	static uint8_t bufs[2][256];
	uint8_t    *b = bufs[anim != 0];
	sample		one = webp_still("tmp", 1, 1, 1, 0);
	size_t		body = one.len - 12;	/* the VP8L chunk */
	sample		s;

	s.name = anim ? "hostile-canvas.webp" : "hostile-lossless.webp";
	if (!anim)
	{
		/* VP8L: 0x2f, then width-1 and height-1 in 14 bits each */
		uint32_t	bits = (w - 1) | ((h - 1) << 14);

		memcpy(b, one.data, one.len);
		b[21] = (uint8_t) bits;
		b[22] = (uint8_t) (bits >> 8);
		b[23] = (uint8_t) (bits >> 16);
		b[24] = (uint8_t) ((b[24] & 0xF0) | ((bits >> 24) & 0x0F));
		s.data = b;
		s.len = one.len;
		free(one.data);
		return s;
	}
	memcpy(b, "RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0", 20);
	memset(b + 20, 0, 10);
	b[20] = 0x02;				/* animation: the canvas is all libwebp reads first */
	b[24] = (uint8_t) (w - 1);
	b[25] = (uint8_t) ((w - 1) >> 8);
	b[26] = (uint8_t) ((w - 1) >> 16);
	b[27] = (uint8_t) (h - 1);
	b[28] = (uint8_t) ((h - 1) >> 8);
	b[29] = (uint8_t) ((h - 1) >> 16);
	memcpy(b + 30, one.data + 12, body);
	b[4] = (uint8_t) (30 + body - 8);
	free(one.data);
	s.data = b;
	s.len = 30 + body;
	return s;
}

/* Hostile sizes are refused before anything big is allocated; the budget bounds libwebp's own memory. */
static void
test_limits(void)
{
	const sample hostile[] = {tiff_hostile(65535, 65535), webp_hostile(65535, 65535, 1),
	webp_hostile(16384, 16384, 0)};
	uint8_t    *out;
	size_t		len;
	mm_thumb_info info;
	char		err[256];
	int			i;
	sample		big;
	mm_img_status st;

	stop_after = -1;
	for (i = 0; i < 3; i++)
	{
		const char *size = i < 2 ? "65535x65535" : "16384x16384";

		memset(&stats, 0, sizeof(stats));
		st = thumb(&hostile[i], 64, 0, 0, &out, &len, &info, err);
		MM_CHECK(st == MM_IMG_TOO_BIG && strstr(err, size) != NULL,
				 "%s: %s refused as too big (%s: %s)", hostile[i].name, size,
				 mm_img_status_name(st), err);
		MM_CHECK(stats.biggest < 4096 && stats.live == 0,
				 "%s: refused before allocating (largest block %zu bytes)", hostile[i].name, stats.biggest);
	}
	/* lossless keeps the whole image as 32-bit ARGB inside libwebp: 1000x1000 needs 4 MB */
	big = webp_still("big-lossless.webp", 1000, 1000, 1, 0);
	memset(&stats, 0, sizeof(stats));
	st = thumb(&big, 64, 0, 2u << 20, &out, &len, &info, err);
	MM_CHECK(st == MM_IMG_TOO_BIG && strstr(err, "WebP decoder") != NULL,
			 "a 1000x1000 lossless WebP over a 2 MB budget is refused (%s)", err);
	MM_CHECK(stats.live == 0, "nothing left allocated after the refusal");
	st = thumb(&big, 64, 0, 16u << 20, &out, &len, &info, err);
	MM_CHECK(st == MM_IMG_OK, "the same WebP within a 16 MB budget (%s)", st ? err : "ok");
	if (st == MM_IMG_OK)
		hook_free(&stats, out);
	MM_CHECK(stats.peak < (8u << 20), "the core's own peak stays small (%zu bytes): libwebp scaled on load",
			 stats.peak);
	st = thumb(&big, 64, 999999, 0, &out, &len, &info, err);
	MM_CHECK(st == MM_IMG_TOO_BIG, "max_pixels below 1000x1000 refuses it (%s)", err);
	free(big.data);
}

/* Truncated copies, interrupts and failing allocations: an error, no output, no leak. */
static void
test_failures(void)
{
	int			i;

	for (i = 0; i < n_samples; i++)
	{
		const sample *s = &samples[i];
		sample		cut = *s;
		uint8_t    *out = NULL;
		size_t		len = 0;
		mm_thumb_info info;
		char		err[256];
		mm_img_status st;
		long		k;
		int			bad = 0;

		stop_after = -1;
		memset(&stats, 0, sizeof(stats));
		cut.len = s->len * 2 / 3;
		st = thumb(&cut, 64, 0, 0, &out, &len, &info, err);
		MM_CHECK(st == MM_IMG_CORRUPT && out == NULL && stats.live == 0,
				 "%s cut to 2/3: corrupt, no output, no leak (%s: %s)", s->name,
				 mm_img_status_name(st), err);
		for (k = 0; k < 6; k++)
		{
			stop_after = k * 7;
			memset(&stats, 0, sizeof(stats));
			st = thumb(s, 64, 0, 0, &out, &len, &info, err);
			if (st != MM_IMG_INTERRUPTED || out != NULL || stats.live != 0)
				bad++;
		}
		MM_CHECK(bad == 0, "%s: interrupted after 0-35 polls: stops cleanly", s->name);
		stop_after = -1;
		bad = 0;
		for (k = 1; k < 12; k++)
		{
			memset(&stats, 0, sizeof(stats));
			stats.fail_after = k;
			st = thumb(s, 64, 0, 0, &out, &len, &info, err);
			if (st == MM_IMG_OK)
				hook_free(&stats, out);
			else if (st != MM_IMG_NOMEM || out != NULL)
				bad++;
			if (stats.live != 0)
				bad++;
		}
		MM_CHECK(bad == 0, "%s: allocation failures give out-of-memory and no leak", s->name);
	}
}

/* Every valid WebP and TIFF of the shared corpus thumbnails into 256x256. */
static void
test_corpus(void)
{
	const char *dir = getenv("MM_CORPUS_DIR");
	char		path[1024];
	char		line[4096];
	FILE	   *mf;
	int			total = 0;
	int			ok = 0;

	if (dir == NULL)
		dir = "../../../shared/corpus";
	snprintf(path, sizeof(path), "%s/MANIFEST.tsv", dir);
	mf = fopen(path, "r");
	if (mf == NULL)
	{
		MM_CHECK(1, "corpus WebP/TIFF # SKIP no corpus at %s", dir);
		return;
	}
	while (fgets(line, sizeof(line), mf) != NULL)
	{
		char	   *f[8];
		char	   *p = line;
		int			n;
		sample		s;
		uint8_t    *out = NULL;
		size_t		len = 0;
		mm_thumb_info info;
		char		err[256];
		mm_img_status st;

		for (n = 0; n < 8; n++)
		{
			f[n] = p;
			p = p ? strchr(p, '\t') : NULL;
			if (p)
				*p++ = '\0';
		}
		if (f[6] == NULL || strncmp(f[6], "yes", 3) != 0 || f[5] == NULL ||
			(strcmp(f[5], "image/webp") != 0 && strcmp(f[5], "image/tiff") != 0))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, f[0]);
		s.name = f[0];
		s.data = read_file(path, &s.len);
		if (s.data == NULL)
			continue;
		total++;
		stop_after = -1;
		memset(&stats, 0, sizeof(stats));
		st = thumb(&s, 256, 0, 0, &out, &len, &info, err);
		if (st == MM_IMG_OK && info.out_width <= 256 && info.out_height <= 256 &&
			info.src_width == atoi(f[3]) && info.src_height == atoi(f[4]))
			ok++;
		else
			printf("# corpus: %s: %s %s (%dx%d)\n", f[0], mm_img_status_name(st), err,
				   info.src_width, info.src_height);
		if (st == MM_IMG_OK)
			hook_free(&stats, out);
		free(s.data);
	}
	fclose(mf);
	MM_CHECK(total > 0 && ok == total, "corpus: %d of %d valid WebP/TIFF files thumbnailed at their manifest size",
			 ok, total);
}

int
main(void)
{
	int			i;

	mm_cmyk_expect(RED, CMYK_RED);
	mm_cmyk_expect(BLUE, CMYK_BLUE);
	test_webp();
	test_tiff();
	test_limits();
	test_failures();
	test_corpus();
	for (i = 0; i < n_samples; i++)
		free(samples[i].data);
	return mm_test_done();
}
