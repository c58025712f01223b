/*
 * test_thumbnail_jpeg.c - unit tests of mm_thumbnail() on JPEG input and of
 * mm_jpeg_optimize(): every JPEG flavor (sampling, progressive,
 * arithmetic, gray, CMYK, YCCK), the eight EXIF orientations (the red
 * top-left quadrant must land top left), tiny JPEGs, shrink-on-load, and
 * lossless optimization (same pixels, not larger, markers kept).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "mm_test.h"
#include "mm_encode.h"
#include "mm_thumb.h"

/* Whether needle occurs in hay (memmem is not C99). */
static int
contains(const uint8_t *hay, size_t n, const void *needle, size_t k)
{
	size_t		i;

	for (i = 0; k <= n && i <= n - k; i++)
		if (memcmp(hay + i, needle, k) == 0)
			return 1;
	return 0;
}

/* JPEG flavors: sampling, progressive, arithmetic, gray, CMYK, YCCK. */
static void
test_jpeg_variants(void)
{
	static const struct
	{
		const char *name;
		int			nch;
		jpeg_opts	o;
	}			v[] = {
		{"baseline 4:4:4", 3, {90, 0, 0, 1, 1, 0, 0, 0}},
		{"baseline 4:2:2", 3, {90, 0, 0, 2, 1, 0, 0, 0}},
		{"baseline 4:2:0", 3, {90, 0, 0, 2, 2, 0, 0, 0}},
		{"baseline 4:4:0", 3, {90, 0, 0, 1, 2, 0, 0, 0}},
		{"baseline 4:1:1", 3, {90, 0, 0, 4, 1, 0, 0, 0}},
		{"progressive 4:2:0", 3, {90, 1, 0, 2, 2, 0, 0, 0}},
		{"progressive 4:4:4", 3, {90, 1, 0, 1, 1, 0, 0, 0}},
		{"arithmetic 4:2:0", 3, {90, 0, 1, 2, 2, 0, 0, 0}},
		{"grayscale", 1, {90, 0, 0, 1, 1, 0, 0, 0}},
		{"progressive grayscale", 1, {90, 1, 0, 1, 1, 0, 0, 0}},
		{"CMYK (Adobe)", 4, {90, 0, 0, 1, 1, 0, 1, 0}},
		{"YCCK (Adobe)", 4, {90, 0, 0, 2, 2, 0, 2, 0}},
		/* markers: a 64-byte APP2 "ICC profile" of junk, which must fall back */
		{"CMYK (Adobe), broken ICC profile", 4, {90, 0, 0, 1, 1, 0, 1, 1}},
	};
	size_t		i;
	int			big;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		for (big = 0; big <= 1; big++)
		{
			/* 480x320 into a 60 box is decoded with DCT scaling at 2/8 */
			int			w = big ? 480 : 120;
			int			h = big ? 320 : 80;
			img			src = quadrant_image(w, h, 1, v[i].nch);
			size_t		len;
			uint8_t    *jpg = make_jpeg(&src, &v[i].o, &len);
			char		what[64];
			mm_thumb_info info;
			img			t;

			snprintf(what, sizeof(what), "JPEG %s %dx%d", v[i].name, w, h);
			t = thumb_check(what, jpg, len, 60, 60, MM_THUMB_JPEG, w, h, &info);
			MM_CHECK(info.jpeg_scale == (big ? 2 : 8), "%s: decoded at %d/8", what,
					 info.jpeg_scale);
			if (t.px != NULL)
			{
				if (v[i].nch == 1)
				{
					static const int gray[4] = {60, 120, 180, 240};
					int			q;

					for (q = 0; q < 4; q++)
					{
						const uint8_t *p = img_at(&t, (q % 2) ? 45 : 15, (q / 2) ? 30 : 10);

						MM_CHECK(abs(p[0] - gray[q]) <= 12 && p[0] == p[1] && p[1] == p[2],
								 "%s: quadrant %d gray %d (got %d)", what, q, gray[q], p[0]);
					}
				}
				else
					check_quadrants_of(what, &t, 48, v[i].nch == 4);
				free(t.px);
			}
			t = thumb_check(what, jpg, len, 60, 60, MM_THUMB_PNG, w, h, NULL);
			free(t.px);
			free(jpg);
			free(src.px);
		}
}

/* The eight EXIF orientations: the red quadrant must land top left. */
static void
test_orientation(void)
{
	int			o;

	for (o = 1; o <= 8; o++)
	{
		img			src = quadrant_image(64, 48, o, 3);
		jpeg_opts	opts = {95, 0, 0, 1, 1, o, 0, 0};
		size_t		len;
		uint8_t    *jpg = make_jpeg(&src, &opts, &len);
		char		what[64];
		mm_thumb_info info;
		img			t;

		snprintf(what, sizeof(what), "EXIF orientation %d", o);
		t = thumb_check(what, jpg, len, 32, 32, MM_THUMB_JPEG, 64, 48, &info);
		MM_CHECK(info.orientation == o, "%s: reported as applied (%d)", what, info.orientation);
		if (t.px != NULL)
		{
			MM_CHECK(t.w == 32 && t.h == 24, "%s: display size 32x24 (got %dx%d)", what, t.w, t.h);
			check_quadrants(what, &t, 48);
			free(t.px);
		}
		snprintf(what, sizeof(what), "EXIF orientation %d to PNG", o);
		t = thumb_check(what, jpg, len, 32, 32, MM_THUMB_PNG, 64, 48, NULL);
		if (t.px != NULL)
		{
			check_quadrants(what, &t, 48);
			free(t.px);
		}
		free(jpg);
		free(src.px);
	}
}

/*
 * JPEGs smaller than 8x8 (1x1 to 7x7, and 5x3) keep their pixels: a tiny
 * JPEG in a big box is decoded at full size, not at 7/8 (whose rounded-up
 * size equals the full one but shows the block's padding, squeezed).  The
 * PNG thumbnail must equal libjpeg's own full decode within 1.
 */
static void
test_tiny_jpeg(void)
{
	static const int sizes[][2] = {{1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 5}, {6, 6}, {7, 7}, {5, 3}};
	size_t		i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
	{
		int			w = sizes[i][0];
		int			h = sizes[i][1];
		img			src = img_new(w, h, 3);
		jpeg_opts	opts = {95, 0, 0, 1, 1, 0, 0, 0};
		size_t		len;
		uint8_t    *jpg;
		img			ref;
		img			t;
		int			nc;
		int			x;
		int			y;
		int			worst = 0;
		char		what[64];

		for (y = 0; y < h; y++)
			for (x = 0; x < w; x++)
			{
				uint8_t    *p = img_at(&src, x, y);

				p[0] = (uint8_t) (40 + x * 30);
				p[1] = (uint8_t) (220 - y * 30);
				p[2] = (uint8_t) ((x + y) % 2 ? 200 : 60);
			}
		jpg = make_jpeg(&src, &opts, &len);
		snprintf(what, sizeof(what), "tiny JPEG %dx%d", w, h);
		t = thumb_check(what, jpg, len, 64, 64, MM_THUMB_PNG, w, h, NULL);
		if (t.px != NULL && decode_jpeg(jpg, len, 0, &ref, &nc) == 0)
		{
			for (y = 0; y < h && t.w == w && t.h == h; y++)
				for (x = 0; x < w; x++)
				{
					int			c;

					for (c = 0; c < 3; c++)
					{
						int			d = abs(img_at(&t, x, y)[c] - img_at(&ref, x, y)[c]);

						if (d > worst)
							worst = d;
					}
				}
			MM_CHECK(t.w == w && t.h == h && worst <= 1,
					 "%s: thumbnail equals libjpeg's full decode (%dx%d, worst difference %d)",
					 what, t.w, t.h, worst);
			free(ref.px);
		}
		free(t.px);
		free(jpg);
		free(src.px);
	}
}

/* JPEG shrink-on-load picks the smallest DCT scale above twice the target. */
static void
test_shrink_on_load(void)
{
	img			src = gradient_image(2000, 1500);
	jpeg_opts	opts = {85, 0, 0, 2, 2, 0, 0, 0};
	size_t		len;
	uint8_t    *jpg = make_jpeg(&src, &opts, &len);
	mm_thumb_info info;
	img			t;
	img			small;
	uint8_t    *sjpg;

	t = thumb_check("shrink 2000x1500 -> 100", jpg, len, 100, 100, MM_THUMB_JPEG, 2000, 1500, &info);
	MM_CHECK(info.jpeg_scale == 1 && info.decoded_width == 250 && info.decoded_height == 188,
			 "shrink-on-load at 1/8 (got %d/8, %dx%d)", info.jpeg_scale,
			 info.decoded_width, info.decoded_height);
	MM_CHECK(t.px != NULL && t.w == 100 && t.h == 75, "100x75 thumbnail");
	free(t.px);
	t = thumb_check("shrink 2000x1500 -> 600", jpg, len, 600, 600, MM_THUMB_JPEG, 2000, 1500, &info);
	MM_CHECK(info.jpeg_scale == 5 && info.decoded_width == 1250,
			 "shrink-on-load at 5/8 for a 600 box (got %d/8, %dx%d)", info.jpeg_scale,
			 info.decoded_width, info.decoded_height);
	free(t.px);
	free(jpg);
	free(src.px);

	/* never enlarged */
	small = gradient_image(200, 150);
	sjpg = make_jpeg(&small, &opts, &len);
	t = thumb_check("small source", sjpg, len, 256, 256, MM_THUMB_JPEG, 200, 150, &info);
	MM_CHECK(t.px != NULL && t.w == 200 && t.h == 150 && info.jpeg_scale == 8,
			 "a 200x150 source keeps its size in a 256 box");
	free(t.px);
	t = thumb_check("1-pixel box", sjpg, len, 1, 1, MM_THUMB_PNG, 200, 150, &info);
	MM_CHECK(t.px != NULL && t.w == 1 && t.h == 1, "a 1x1 box gives 1x1");
	free(t.px);
	t = thumb_check("thin box", sjpg, len, 1000, 2, MM_THUMB_PNG, 200, 150, &info);
	MM_CHECK(t.px != NULL && t.w == 3 && t.h == 2, "a 1000x2 box gives 3x2 (got %dx%d)",
			 t.w, t.h);
	free(t.px);
	free(sjpg);
	free(small.px);
}

/* Decodes a JPEG to its native components; NULL px on failure. */
static img
raw_pixels(const uint8_t *p, size_t len)
{
	img			im = {0, 0, 0, NULL};

	if (decode_jpeg(p, len, 1, &im, NULL) != 0)
		im.px = NULL;
	return im;
}

/* mm_jpeg_optimize: same pixels, not larger, markers kept. */
static void
test_optimize(void)
{
	static const struct
	{
		const char *name;
		int			nch;
		jpeg_opts	o;
	}			v[] = {
		{"baseline 4:2:0 with EXIF, ICC, COM", 3, {92, 0, 0, 2, 2, 6, 0, 1}},
		{"baseline 4:4:4", 3, {75, 0, 0, 1, 1, 0, 0, 0}},
		{"progressive", 3, {85, 1, 0, 2, 2, 0, 0, 1}},
		{"arithmetic", 3, {85, 0, 1, 2, 1, 0, 0, 0}},
		{"grayscale", 1, {85, 0, 0, 1, 1, 0, 0, 1}},
		{"CMYK", 4, {85, 0, 0, 1, 1, 0, 1, 0}},
		{"YCCK", 4, {85, 0, 0, 2, 2, 0, 2, 1}},
	};
	size_t		i;
	int			prog;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
	{
		img			src = v[i].nch == 3 ? gradient_image(301, 203) : quadrant_image(301, 203, 1, v[i].nch);
		size_t		len;
		uint8_t    *jpg = make_jpeg(&src, &v[i].o, &len);
		img			a = raw_pixels(jpg, len);

		for (prog = 0; prog <= 1; prog++)
		{
			uint8_t    *out = NULL;
			size_t		olen = 0;
			int			optimized = -1;
			char		err[256];
			mm_img_status st;
			img			b;

			st = mm_jpeg_optimize(jpg, len, prog, NULL, &out, &olen, &optimized, err, sizeof(err));
			MM_CHECK(st == MM_IMG_OK && out != NULL && olen <= len && (optimized == 0 || olen < len),
					 "optimize %s%s: ok, %zu -> %zu bytes (%s)", v[i].name,
					 prog ? " to progressive" : "", len, olen, st ? err : "");
			if (st != MM_IMG_OK)
				continue;
			if (!optimized)
				MM_CHECK(olen == len && memcmp(out, jpg, len) == 0,
						 "optimize %s: no gain gives the input back", v[i].name);
			b = raw_pixels(out, olen);
			MM_CHECK(a.px != NULL && b.px != NULL && a.w == b.w && a.h == b.h && a.nch == b.nch &&
					 memcmp(a.px, b.px, (size_t) a.w * a.h * a.nch) == 0,
					 "optimize %s%s: decoded pixels identical", v[i].name,
					 prog ? " to progressive" : "");
			if (v[i].o.markers)
				MM_CHECK(contains(out, olen, "ICC_PROFILE", 11) &&
						 contains(out, olen, "made by test_thumbnail", 22),
						 "optimize %s: ICC and COM markers kept", v[i].name);
			if (v[i].o.exif_o)
			{
				mm_thumb_info info;
				uint8_t    *t;
				size_t		tlen;

				MM_CHECK(contains(out, olen, "Exif\0\0", 6), "optimize %s: EXIF kept", v[i].name);
				if (mm_thumbnail(out, olen, 64, 64, MM_THUMB_JPEG, 0, NULL, &t, &tlen, &info,
								 NULL, 0) == MM_IMG_OK)
					free(t);
				MM_CHECK(info.orientation == v[i].o.exif_o, "optimize %s: orientation still read",
						 v[i].name);
			}
			free(b.px);
			free(out);
		}
		free(a.px);
		free(jpg);
		free(src.px);
	}

	/* errors, limits, interrupts */
	{
		img			src = gradient_image(300, 200);
		jpeg_opts	o = {85, 0, 0, 2, 2, 0, 0, 0};
		size_t		len;
		uint8_t    *jpg = make_jpeg(&src, &o, &len);
		uint8_t    *out = NULL;
		size_t		olen;
		int			optimized;
		char		err[256];
		mm_img_status st;
		alloc_stats s;
		mm_alloc	a = {hook_alloc, hook_free, &s};
		int_state	is = {0, 2};
		mm_limits	lim;

		st = mm_jpeg_optimize((const uint8_t *) "\x89PNG\r\n\x1a\n", 8, 0, NULL, &out, &olen,
							  &optimized, err, sizeof(err));
		MM_CHECK(st == MM_IMG_UNSUPPORTED && out == NULL, "optimize: not a JPEG");
		st = mm_jpeg_optimize(jpg, len / 2, 0, NULL, &out, &olen, &optimized, err, sizeof(err));
		MM_CHECK(st == MM_IMG_CORRUPT && out == NULL, "optimize: truncated JPEG is corrupt (%s)", err);
		memset(&lim, 0, sizeof(lim));
		memset(&s, 0, sizeof(s));
		lim.max_pixels = 10000;
		lim.alloc = &a;
		st = mm_jpeg_optimize(jpg, len, 0, &lim, &out, &olen, &optimized, err, sizeof(err));
		MM_CHECK(st == MM_IMG_TOO_BIG && out == NULL && s.live == 0,
				 "optimize: 300x200 over a 10000-pixel limit");
		lim.max_pixels = 0;
		lim.max_bytes = 100000;
		st = mm_jpeg_optimize(jpg, len, 0, &lim, &out, &olen, &optimized, err, sizeof(err));
		MM_CHECK(st == MM_IMG_TOO_BIG && out == NULL && s.live == 0,
				 "optimize: coefficients over a 100 kB memory cap (%s: %s)",
				 mm_img_status_name(st), err);
		lim.max_bytes = 0;
		lim.interrupted = interrupt_cb;
		lim.arg = &is;
		st = mm_jpeg_optimize(jpg, len, 1, &lim, &out, &olen, &optimized, err, sizeof(err));
		MM_CHECK(st == MM_IMG_INTERRUPTED && out == NULL && s.live == 0,
				 "optimize: interrupted");
		lim.interrupted = NULL;
		st = mm_jpeg_optimize(jpg, len, 1, &lim, &out, &olen, &optimized, err, sizeof(err));
		MM_CHECK(st == MM_IMG_OK && s.live >= olen && s.live > 0,
				 "optimize: output from the caller's allocator");
		if (st == MM_IMG_OK)
			mm_img_free(&lim, out);
		MM_CHECK(s.live == 0, "optimize: all freed");
		free(jpg);
		free(src.px);
	}
}

/* Runs this file's groups and prints the TAP plan. */
int
main(void)
{
	test_jpeg_variants();
	test_orientation();
	test_shrink_on_load();
	test_tiny_jpeg();
	test_optimize();
	return mm_test_done();
}
