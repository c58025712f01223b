/*
 * test_thumbnail_png_gif_bmp.c - unit tests of mm_thumbnail() on PNG, GIF
 * and BMP input: every PNG color type and bit depth, tRNS, 16-bit and
 * interlaced; hand-made GIFs (palette, transparency, interlace, local
 * table, offsets, composed frames); every supported BMP layout; alpha kept
 * in PNG output and composited on white in JPEG output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "mm_test.h"
#include "mm_encode.h"
#include "mm_thumb.h"

/* Expected left/right halves of make_png() images: 0 transparent. */
static const uint8_t *
png_expect(int ctype, int trns, int right)
{
	switch (ctype)
	{
		case PNG_COLOR_TYPE_GRAY:
			return right ? WHITE : (trns ? NULL : BLACK);
		case PNG_COLOR_TYPE_GRAY_ALPHA:
			return right ? BLACK : NULL;
		case PNG_COLOR_TYPE_RGB:
		case PNG_COLOR_TYPE_PALETTE:
			return right ? BLUE : (trns ? NULL : RED);
		default:
			return right ? BLUE : NULL;
	}
}

/* Every PNG color type and bit depth, tRNS, 16-bit, interlaced. */
static void
test_png_variants(void)
{
	static const struct
	{
		int			ctype;
		int			depth;
		int			trns;
	}			v[] = {
		{PNG_COLOR_TYPE_GRAY, 1, 0}, {PNG_COLOR_TYPE_GRAY, 2, 0},
		{PNG_COLOR_TYPE_GRAY, 4, 0}, {PNG_COLOR_TYPE_GRAY, 8, 0},
		{PNG_COLOR_TYPE_GRAY, 16, 0}, {PNG_COLOR_TYPE_GRAY, 8, 1},
		{PNG_COLOR_TYPE_GRAY, 16, 1}, {PNG_COLOR_TYPE_GRAY, 2, 1},
		{PNG_COLOR_TYPE_GRAY_ALPHA, 8, 0}, {PNG_COLOR_TYPE_GRAY_ALPHA, 16, 0},
		{PNG_COLOR_TYPE_RGB, 8, 0}, {PNG_COLOR_TYPE_RGB, 16, 0},
		{PNG_COLOR_TYPE_RGB, 8, 1}, {PNG_COLOR_TYPE_RGB, 16, 1},
		{PNG_COLOR_TYPE_RGB_ALPHA, 8, 0}, {PNG_COLOR_TYPE_RGB_ALPHA, 16, 0},
		{PNG_COLOR_TYPE_PALETTE, 1, 0}, {PNG_COLOR_TYPE_PALETTE, 2, 0},
		{PNG_COLOR_TYPE_PALETTE, 4, 0}, {PNG_COLOR_TYPE_PALETTE, 8, 0},
		{PNG_COLOR_TYPE_PALETTE, 8, 1}, {PNG_COLOR_TYPE_PALETTE, 4, 1},
	};
	size_t		i;
	int			inter;
	int			fmt;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		for (inter = 0; inter <= 1; inter++)
			for (fmt = 0; fmt <= 1; fmt++)
			{
				size_t		len;
				uint8_t    *png = make_png(64, 32, v[i].ctype, v[i].depth, inter, v[i].trns, &len);
				char		what[96];
				img			t;
				int			side;
				int			alpha_src = v[i].trns || (v[i].ctype & PNG_COLOR_MASK_ALPHA);

				snprintf(what, sizeof(what), "PNG type %d depth %d%s%s to %s", v[i].ctype,
						 v[i].depth, v[i].trns ? " tRNS" : "", inter ? " interlaced" : "",
						 fmt ? "PNG" : "JPEG");
				t = thumb_check(what, png, len, 16, 16, fmt ? MM_THUMB_PNG : MM_THUMB_JPEG,
								64, 32, NULL);
				if (t.px != NULL)
				{
					MM_CHECK(t.w == 16 && t.h == 8, "%s: 16x8", what);
					for (side = 0; side <= 1; side++)
					{
						const uint8_t *want = png_expect(v[i].ctype, v[i].trns, side);
						const uint8_t *p = img_at(&t, side ? 13 : 2, 4);

						if (want == NULL && fmt)
							MM_CHECK(p[3] <= 8, "%s: %s side transparent (alpha %d)", what,
									 side ? "right" : "left", p[3]);
						else if (want == NULL)
							MM_CHECK(near(p, WHITE, 3, 12), "%s: %s side white (got %d,%d,%d)",
									 what, side ? "right" : "left", p[0], p[1], p[2]);
						else
							MM_CHECK(near(p, want, 3, fmt ? 10 : 40) && p[3] >= 247,
									 "%s: %s side color (got %d,%d,%d,%d)", what,
									 side ? "right" : "left", p[0], p[1], p[2], p[3]);
					}
					free(t.px);
				}
				if (fmt)
				{
					uint8_t    *out;
					size_t		olen;
					img			dec;
					int			had_alpha = -1;

					if (mm_thumbnail(png, len, 16, 16, MM_THUMB_PNG, 0, NULL, &out, &olen,
									 NULL, NULL, 0) == MM_IMG_OK)
					{
						if (decode_png(out, olen, &dec, &had_alpha) == 0)
							free(dec.px);
						free(out);
					}
					MM_CHECK(had_alpha == alpha_src, "%s: alpha %s in the output", what,
							 alpha_src ? "kept" : "absent");
				}
				free(png);
			}
}

/* Hand-made GIFs: palette, transparency, interlace, local table, offsets. */
static void
test_gif(void)
{
	int			fmt;

	for (fmt = 0; fmt <= 1; fmt++)
	{
		mm_thumb_format f = fmt ? MM_THUMB_PNG : MM_THUMB_JPEG;
		const char *fn = fmt ? "PNG" : "JPEG";
		int			variant;

		for (variant = 0; variant < 4; variant++)
		{
			int			trns = variant == 2;
			int			inter = variant == 1;
			int			local = variant == 3;
			size_t		len;
			uint8_t    *gif = make_gif(40, 30, 0, 0, 40, 30, trns, inter, local, &len);
			char		what[64];
			img			t;

			snprintf(what, sizeof(what), "GIF %s to %s",
					 trns ? "transparent" : inter ? "interlaced" : local ? "local palette" : "plain",
					 fn);
			t = thumb_check(what, gif, len, 20, 20, f, 40, 30, NULL);
			if (t.px != NULL)
			{
				const uint8_t *br = img_at(&t, 16, 12);

				MM_CHECK(near(img_at(&t, 4, 3), RED, 3, fmt ? 4 : 40), "%s: red top left", what);
				MM_CHECK(near(img_at(&t, 16, 3), BLUE, 3, fmt ? 4 : 40), "%s: blue top right", what);
				if (!trns)
					MM_CHECK(near(br, GREEN, 3, fmt ? 4 : 40), "%s: green bottom right", what);
				else if (fmt)
					MM_CHECK(br[3] == 0, "%s: transparent bottom right (alpha %d)", what, br[3]);
				else
					MM_CHECK(near(br, WHITE, 3, 12), "%s: white bottom right", what);
				free(t.px);
			}
			free(gif);
		}
	}

	/* a frame inside a bigger screen: the rest is transparent */
	{
		size_t		len;
		uint8_t    *gif = make_gif(40, 30, 10, 10, 20, 10, 0, 0, 0, &len);
		img			t = thumb_check("GIF frame inside the screen", gif, len, 40, 40,
									MM_THUMB_PNG, 40, 30, NULL);

		if (t.px != NULL)
		{
			MM_CHECK(img_at(&t, 2, 2)[3] == 0, "GIF: outside the frame is transparent");
			MM_CHECK(near(img_at(&t, 12, 12), RED, 4, 0), "GIF: frame pixels in place");
			MM_CHECK(near(img_at(&t, 25, 12), BLUE, 4, 0), "GIF: frame right half in place");
			free(t.px);
		}
		free(gif);
	}
}

/*
 * A GIF89a whose first frame is several images with no delay: four 1x1
 * tiles of a 2x2 screen (red, green, blue, white) compose one picture,
 * while full-screen images without delays are an animation whose first
 * frame is the first image (white dot on black).  Both files are from
 * gdk-pixbuf's GIF test suite (images-combine.gif, gif87a-animation.gif).
 */
static void
test_gif_composed(void)
{
	static const uint8_t tiles[] = {
		0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x02, 0x00, 0x02, 0x00, 0xf2, 0x01,
		0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0xff,
		0x00, 0x00, 0x00, 0xff, 0x00, 0xff, 0xff, 0xff, 0x00, 0xff, 0xff, 0xff,
		0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x03,
		0x02, 0x28, 0x09, 0x00, 0x2c, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01,
		0x00, 0x00, 0x03, 0x02, 0x38, 0x09, 0x00, 0x2c, 0x00, 0x00, 0x01, 0x00,
		0x01, 0x00, 0x01, 0x00, 0x00, 0x03, 0x02, 0x48, 0x09, 0x00, 0x2c, 0x01,
		0x00, 0x01, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x03, 0x02, 0x18, 0x09,
		0x00, 0x3b
	};
	static const uint8_t frames[] = {
		0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x02, 0x00, 0x02, 0x00, 0xf0, 0x00,
		0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0x2c, 0x00, 0x00, 0x00, 0x00,
		0x02, 0x00, 0x02, 0x00, 0x00, 0x02, 0x02, 0x0c, 0x5e, 0x00, 0x2c, 0x00,
		0x00, 0x00, 0x00, 0x02, 0x00, 0x02, 0x00, 0x00, 0x02, 0x03, 0x44, 0x00,
		0x05, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x02, 0x00, 0x00,
		0x02, 0x02, 0x84, 0x53, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00,
		0x02, 0x00, 0x00, 0x02, 0x03, 0x04, 0x02, 0x05, 0x00, 0x3b
	};
	static const uint8_t black[4] = {0, 0, 0, 255};
	img			t = thumb_check("GIF of four tiles without delays", tiles, sizeof(tiles), 2, 2,
								MM_THUMB_PNG, 2, 2, NULL);

	if (t.px != NULL)
	{
		MM_CHECK(near(img_at(&t, 0, 0), RED, 4, 0) && near(img_at(&t, 1, 0), GREEN, 4, 0) &&
				 near(img_at(&t, 0, 1), BLUE, 4, 0) && near(img_at(&t, 1, 1), WHITE, 4, 0),
				 "GIF: tiles without delays compose the first frame");
		free(t.px);
	}
	t = thumb_check("GIF animation without delays", frames, sizeof(frames), 2, 2, MM_THUMB_PNG,
					2, 2, NULL);
	if (t.px != NULL)
	{
		MM_CHECK(near(img_at(&t, 0, 0), WHITE, 4, 0) && near(img_at(&t, 1, 0), black, 4, 0) &&
				 near(img_at(&t, 1, 1), black, 4, 0),
				 "GIF: full-screen images without delays are frames: the first one is shown");
		free(t.px);
	}
}

/* An OS/2 2.x BMP compressed with Huffman 1D is refused, naming what is unsupported. */
static void
test_bmp_os2_huffman(void)
{
	size_t		len;
	uint8_t    *bmp = make_bmp(64, 32, 24, 0, &len);
	uint8_t    *out = NULL;
	size_t		olen = 0;
	char		err[256];
	mm_img_status st;

	bmp[14] = 64;				/* a 64-byte OS/2 2.x header ... */
	bmp[30] = 3;				/* ... whose compression 3 is Huffman 1D, not bit fields */
	st = mm_thumbnail(bmp, len, 16, 16, MM_THUMB_PNG, 0, NULL, &out, &olen, NULL, err, sizeof(err));
	MM_CHECK(st == MM_IMG_UNSUPPORTED && strstr(err, "OS/2") != NULL && strstr(err, "Huffman 1D") != NULL,
			 "OS/2 2.x BMP with Huffman 1D: unsupported, and the message says so (%s)", err);
	if (st == MM_IMG_OK)
		free(out);
	free(bmp);
}

/* Hand-made BMPs of every supported layout. */
static void
test_bmp(void)
{
	static const struct
	{
		const char *name;
		int			h;
		int			bpp;
		int			kind;
	}			v[] = {
		{"24-bit", 32, 24, 0}, {"24-bit top-down", -32, 24, 0},
		{"32-bit", 32, 32, 0}, {"16-bit 555", 32, 16, 0},
		{"8-bit palette", 32, 8, 0}, {"4-bit palette", 32, 4, 0},
		{"1-bit palette", 32, 1, 0}, {"V5 bit fields 565", 32, 16, 1},
		{"V5 bit fields 32 with alpha", 32, 32, 1}, {"OS/2 core 24-bit", 32, 24, 2},
		{"OS/2 core 8-bit", 32, 8, 2}, {"RLE8", 32, 8, 3},
		{"OS/2 2.x 16-byte header 24-bit", 32, 24, 4}, {"OS/2 2.x 16-byte header 8-bit", 32, 8, 4},
	};
	size_t		i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
	{
		size_t		len;
		uint8_t    *bmp = make_bmp(64, v[i].h, v[i].bpp, v[i].kind, &len);
		char		what[64];
		img			t;

		snprintf(what, sizeof(what), "BMP %s", v[i].name);
		t = thumb_check(what, bmp, len, 16, 16, MM_THUMB_PNG, 64, 32, NULL);
		if (t.px != NULL)
		{
			const uint8_t *l = img_at(&t, 2, 4);
			const uint8_t *r = img_at(&t, 13, 4);

			MM_CHECK(near(l, RED, 3, 4) && near(r, BLUE, 3, 4), "%s: red | blue (got %d,%d,%d | %d,%d,%d)",
					 what, l[0], l[1], l[2], r[0], r[1], r[2]);
			if (v[i].kind == 1 && v[i].bpp == 32)
				MM_CHECK(l[3] == 255 && abs(r[3] - 128) <= 2, "%s: alpha kept (%d, %d)",
						 what, l[3], r[3]);
			free(t.px);
		}
		free(bmp);
	}
	test_bmp_os2_huffman();
}

/* Alpha: kept in PNG output, composited on white in JPEG output. */
static void
test_alpha(void)
{
	size_t		len;
	uint8_t    *png = make_png(64, 32, PNG_COLOR_TYPE_RGB_ALPHA, 8, 0, 0, &len);
	mm_thumb_info info;
	uint8_t    *out;
	size_t		olen;
	mm_img_status st;

	st = mm_thumbnail(png, len, 32, 32, MM_THUMB_AUTO, 0, NULL, &out, &olen, &info, NULL, 0);
	MM_CHECK(st == MM_IMG_OK && info.format == MM_THUMB_PNG && info.has_alpha &&
			 olen > 8 && memcmp(out, "\x89PNG", 4) == 0, "AUTO gives PNG for an image with alpha");
	if (st == MM_IMG_OK)
		free(out);
	free(png);
	png = make_png(64, 32, PNG_COLOR_TYPE_RGB, 8, 0, 0, &len);
	st = mm_thumbnail(png, len, 32, 32, MM_THUMB_AUTO, 0, NULL, &out, &olen, &info, NULL, 0);
	MM_CHECK(st == MM_IMG_OK && info.format == MM_THUMB_JPEG && !info.has_alpha &&
			 olen > 3 && out[0] == 0xFF && out[1] == 0xD8, "AUTO gives JPEG for an opaque image");
	if (st == MM_IMG_OK)
		free(out);
	free(png);

	/* premultiplied filtering: a transparent red next to opaque blue stays blue */
	{
		img			t;

		png = make_png(64, 32, PNG_COLOR_TYPE_RGB_ALPHA, 8, 0, 0, &len);
		t = thumb_check("alpha edge", png, len, 16, 16, MM_THUMB_PNG, 64, 32, NULL);
		if (t.px != NULL)
		{
			const uint8_t *p = img_at(&t, 8, 4);

			MM_CHECK(p[0] <= 8 && p[2] >= 247, "no color bleeds from transparent pixels (%d,%d,%d,%d)",
					 p[0], p[1], p[2], p[3]);
			free(t.px);
		}
		free(png);
	}
}

/* Runs this file's groups and prints the TAP plan. */
int
main(void)
{
	test_png_variants();
	test_gif();
	test_gif_composed();
	test_bmp();
	test_alpha();
	return mm_test_done();
}
