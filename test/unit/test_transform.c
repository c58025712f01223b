/*
 * test_transform.c - unit tests of the transform spec (text form, names,
 * checks, negotiation, canonical text), the geometry of contain, cover and
 * fill, the crop window of each gravity on synthetic images (an object in
 * a corner must be kept), mm_transform() end to end, and the WebP and AVIF
 * encoders, whose output is decoded again with libwebp and libheif.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <libheif/heif.h>
#include <webp/decode.h>

#include "image/internal.h"
#include "image/spec.h"
#include "mm_test.h"

/* ---------------------------------------------------------------- spec */

/* Parses text over the defaults and checks its canonical text (q defaults to 80). */
static void
check_canonical(const char *text, const char *want)
{
	mm_xform	x;
	char		err[128] = "";
	char		out[MM_XFORM_TEXT_MAX] = "";
	int			rc;

	mm_xform_init(&x);
	rc = mm_xform_parse(text, strlen(text), &x, err, sizeof(err));
	if (rc == 0 && x.quality == 0)
		x.quality = 80;
	if (rc == 0)
		rc = mm_xform_check(&x, 8192, err, sizeof(err));
	if (rc == 0)
		rc = mm_xform_canonical(&x, out, sizeof(out)) < 0 ? -1 : 0;
	MM_CHECK(rc == 0 && strcmp(out, want) == 0, "\"%s\" -> \"%s\" (want \"%s\") %s", text, out, want, err);
}

/* Checks that text is refused, with a message containing what. */
static void
check_refused(const char *text, const char *what)
{
	mm_xform	x;
	char		err[128] = "";
	int			rc;

	mm_xform_init(&x);
	rc = mm_xform_parse(text, strlen(text), &x, err, sizeof(err));
	if (rc == 0)
		rc = mm_xform_check(&x, 8192, err, sizeof(err));
	MM_CHECK(rc == -1 && strstr(err, what) != NULL, "\"%s\" refused: %s", text, err);
}

/* Spellings of one transform give one text; what does not apply is left out. */
static void
test_spec_text(void)
{
	check_canonical("w=256,h=256", "w=256,h=256,resize=contain,format=auto,q=80");
	check_canonical("w=256,h=256,resize=cover,gravity=attention,format=webp,q=80",
					"w=256,h=256,resize=cover,gravity=attention,format=webp,q=80");
	check_canonical(" format = WebP & HEIGHT=256&width=256 & q=80 & fit=Cover&gravity=attention ",
					"w=256,h=256,resize=cover,gravity=attention,format=webp,q=80");
	check_canonical("w=10,h=20,resize=cover", "w=10,h=20,resize=cover,gravity=centre,format=auto,q=80");
	check_canonical("w=10,h=20,resize=cover,gravity=center", "w=10,h=20,resize=cover,gravity=centre,format=auto,q=80");
	/* gravity only counts for cover, q only for a lossy format */
	check_canonical("w=10,h=20,gravity=entropy,format=png,q=50", "w=10,h=20,resize=contain,format=png");
	check_canonical("w=10,h=20,resize=fill,format=webp-lossless,q=3", "w=10,h=20,resize=fill,format=webp-lossless");
	check_canonical("w=1,h=8192,f=jpg,quality=100", "w=1,h=8192,resize=contain,format=jpeg,q=100");
	check_canonical("w=64,h=64,format=avif,q=1,,", "w=64,h=64,resize=contain,format=avif,q=1");

	check_refused("w=256", "must give w and h");
	check_refused("h=2", "must give w and h");
	check_refused("w=2,h=2,w=3", "w is given twice");
	check_refused("w=2,width=3,h=2", "w is given twice");
	check_refused("w=2,h=2,dpr=2", "unknown key \"dpr\"");
	check_refused("w=2,h=2,resize=crop", "invalid value \"crop\" for resize");
	check_refused("w=2,h=2,gravity=north", "invalid value \"north\" for gravity");
	check_refused("w=2,h=2,format=gif", "invalid value \"gif\" for format");
	check_refused("w=-2,h=2", "invalid value \"-2\" for w");
	check_refused("w=2x,h=2", "invalid value \"2x\" for w");
	check_refused("w=1234567,h=2", "invalid value");
	check_refused("w=2,h=2,cover", "is not key=value");
	check_refused("w=0,h=2", "between 1 and 8192");
	check_refused("w=8193,h=2", "between 1 and 8192");
	check_refused("w=2,h=2,q=101", "Quality must be between 1 and 100");
	check_refused("w=2,h=2,q=", "invalid value \"\" for q");
	check_refused("w=2,h=2,q=0", "invalid value \"0\" for q");
}

/* Format auto against Accept values; explicit formats are left alone. */
static void
test_spec_negotiate(void)
{
	static const struct
	{
		const char *accept;
		mm_thumb_format want;
		int			rc;
	}			cases[] = {
		{NULL, MM_THUMB_AUTO, 0},
		{"image/avif,image/webp,*/*", MM_THUMB_AVIF, 0},
		{"image/webp,*/*;q=0.8", MM_THUMB_WEBP, 0},
		{"*/*", MM_THUMB_AUTO, 0},
		{"image/png", MM_THUMB_PNG, 0},
		{"image/jpeg", MM_THUMB_JPEG, 0},
		{"text/html", MM_THUMB_AUTO, -1},
	};
	size_t		i;
	mm_xform	x;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		int			rc;

		mm_xform_init(&x);
		rc = mm_xform_negotiate(&x, cases[i].accept, cases[i].accept ? strlen(cases[i].accept) : 0);
		MM_CHECK(rc == cases[i].rc && x.format == cases[i].want, "auto with Accept %s -> %s (rc %d)",
				 cases[i].accept ? cases[i].accept : "(none)", mm_xform_format_name(x.format), rc);
	}
	mm_xform_init(&x);
	x.format = MM_THUMB_PNG;
	MM_CHECK(mm_xform_negotiate(&x, "image/avif", 10) == 0 && x.format == MM_THUMB_PNG,
			 "an explicit format is kept whatever the Accept value");
	MM_CHECK(strcmp(mm_xform_format_mime(MM_THUMB_WEBP_LOSSLESS), "image/webp") == 0 &&
			 strcmp(mm_xform_format_mime(MM_THUMB_AVIF), "image/avif") == 0 &&
			 mm_xform_format_mime(MM_THUMB_AUTO) == NULL, "MIME types of the formats");
}

/* ------------------------------------------------------------ geometry */

/* Checks the scaled size and window of one mode. */
static void
check_geometry(int w, int h, int bw, int bh, mm_resize r, int sw, int sh, int cw, int ch)
{
	int			a,
				b,
				c,
				d;

	mm_xform_geometry(w, h, bw, bh, r, &a, &b, &c, &d);
	MM_CHECK(a == sw && b == sh && c == cw && d == ch, "%s %dx%d in %dx%d: scaled %dx%d window %dx%d (want %dx%d, %dx%d)",
			 mm_xform_resize_name(r), w, h, bw, bh, a, b, c, d, sw, sh, cw, ch);
}

/* contain fits, cover covers and crops, fill stretches; nothing grows. */
static void
test_geometry(void)
{
	check_geometry(4000, 3000, 256, 256, MM_RESIZE_CONTAIN, 256, 192, 256, 192);
	check_geometry(4000, 3000, 256, 256, MM_RESIZE_COVER, 341, 256, 256, 256);
	check_geometry(4000, 3000, 256, 256, MM_RESIZE_FILL, 256, 256, 256, 256);
	check_geometry(3000, 4000, 100, 50, MM_RESIZE_COVER, 100, 133, 100, 50);
	check_geometry(3000, 4000, 100, 50, MM_RESIZE_CONTAIN, 38, 50, 38, 50);
	check_geometry(1000, 10, 64, 64, MM_RESIZE_COVER, 1000, 10, 64, 10);
	check_geometry(1000, 10, 64, 64, MM_RESIZE_CONTAIN, 64, 1, 64, 1);
	/* smaller than the box: never enlarged */
	check_geometry(100, 50, 256, 256, MM_RESIZE_CONTAIN, 100, 50, 100, 50);
	check_geometry(100, 50, 256, 256, MM_RESIZE_COVER, 100, 50, 100, 50);
	check_geometry(100, 50, 256, 256, MM_RESIZE_FILL, 100, 50, 100, 50);
	check_geometry(100, 50, 80, 80, MM_RESIZE_COVER, 100, 50, 80, 50);
	check_geometry(100, 400, 200, 200, MM_RESIZE_FILL, 100, 200, 100, 200);
	check_geometry(1, 1, 5, 5, MM_RESIZE_COVER, 1, 1, 1, 1);
}

/* ---------------------------------------------------------- crop window */

/* A w x h raster of nch channels, uninitialised (test code: aborts when out of memory). */
static mm_raster
raster_new(int w, int h, int nch)
{
	mm_raster	r;

	r.w = w;
	r.h = h;
	r.nch = nch;
	r.px = malloc((size_t) w * h * nch);
	if (r.px == NULL)
		abort();
	return r;
}

/* A w x h RGB raster of flat gray. */
static mm_raster
gray_raster(int w, int h)
{
	mm_raster	r = raster_new(w, h, 3);

	memset(r.px, 128, (size_t) w * h * 3);
	return r;
}

/* Paints an s x s square at x, y: saturated red, or random noise. */
static void
paint_square(mm_raster *r, int x0, int y0, int s, int noise)
{
	uint32_t	seed = 12345;
	int			x;
	int			y;

	for (y = y0; y < y0 + s; y++)
		for (x = x0; x < x0 + s; x++)
		{
			uint8_t    *p = r->px + ((size_t) y * r->w + x) * 3;

			if (noise)
			{
				seed = seed * 1103515245u + 12345u;
				p[0] = p[1] = p[2] = (uint8_t) (seed >> 24);
			}
			else
			{
				p[0] = 230;
				p[1] = 20;
				p[2] = 20;
			}
		}
}

/* Chooses a window and checks that it holds the square at x0, y0 of side s. */
static void
check_window(const char *what, const mm_raster *r, int cw, int ch, mm_gravity g,
			 int x0, int y0, int s)
{
	mm_img_ctx	ctx;
	int			left = -1;
	int			top = -1;
	mm_img_status st;

	mm_img_ctx_init(&ctx, NULL, NULL, 0);
	st = mm_crop_choose(&ctx, r, cw, ch, g, &left, &top);
	MM_CHECK(st == MM_IMG_OK && left >= 0 && top >= 0 && left + cw <= r->w && top + ch <= r->h &&
			 left <= x0 && x0 + s <= left + cw && top <= y0 && y0 + s <= top + ch,
			 "%s: %s window %dx%d at %d,%d holds the square at %d,%d", what,
			 mm_xform_gravity_name(g), cw, ch, left, top, x0, y0);
}

/* An object in a corner: attention and entropy keep it, centre does not. */
static void
test_crop_choice(void)
{
	mm_raster	wide = gray_raster(300, 100);
	mm_raster	tall = gray_raster(90, 240);
	mm_raster	both = gray_raster(200, 200);
	mm_img_ctx	ctx;
	mm_img_status st;
	int			left;
	int			top;

	paint_square(&wide, 265, 60, 24, 0);
	check_window("red square bottom right of 300x100", &wide, 100, 100, MM_GRAVITY_ATTENTION, 265, 60, 24);
	paint_square(&tall, 4, 6, 20, 0);
	check_window("red square top left of 90x240", &tall, 90, 90, MM_GRAVITY_ATTENTION, 4, 6, 20);
	paint_square(&both, 150, 5, 30, 0);
	check_window("red square top right of 200x200", &both, 64, 64, MM_GRAVITY_ATTENTION, 150, 5, 30);

	memset(wide.px, 128, (size_t) wide.w * wide.h * 3);
	paint_square(&wide, 8, 30, 40, 1);
	check_window("noise left of 300x100", &wide, 100, 100, MM_GRAVITY_ENTROPY, 8, 30, 40);
	memset(tall.px, 128, (size_t) tall.w * tall.h * 3);
	paint_square(&tall, 40, 190, 45, 1);
	check_window("noise bottom of 90x240", &tall, 90, 90, MM_GRAVITY_ENTROPY, 40, 190, 45);
	memset(both.px, 128, (size_t) both.w * both.h * 3);
	paint_square(&both, 140, 150, 40, 1);
	check_window("noise bottom right of 200x200", &both, 64, 64, MM_GRAVITY_ENTROPY, 140, 150, 40);

	mm_img_ctx_init(&ctx, NULL, NULL, 0);
	st = mm_crop_choose(&ctx, &wide, 100, 100, MM_GRAVITY_CENTRE, &left, &top);
	MM_CHECK(st == MM_IMG_OK && left == 100 && top == 0, "centre: the middle window (%d,%d)", left, top);
	/* the whole image: nothing to choose */
	st = mm_crop_choose(&ctx, &both, 200, 200, MM_GRAVITY_ATTENTION, &left, &top);
	MM_CHECK(st == MM_IMG_OK && left == 0 && top == 0, "a window the size of the image is the image");

	/* the crop keeps the right pixels */
	memset(both.px, 0, (size_t) both.w * both.h * 3);
	both.px[((size_t) 50 * 200 + 70) * 3] = 99;
	mm_img_crop(&both, 70, 50, 10, 5);
	MM_CHECK(both.w == 10 && both.h == 5 && both.px[0] == 99 && both.px[3] == 0, "mm_img_crop moves the window to the top left");
	free(wide.px);
	free(tall.px);
	free(both.px);
}

/* ------------------------------------------------------------ end to end */

/* A w x h RGBA gradient raster (alpha a constant or a ramp). */
static mm_raster
gradient_rgba(int w, int h, int alpha_ramp)
{
	mm_raster	r = raster_new(w, h, 4);
	int			x;
	int			y;

	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
		{
			uint8_t    *p = r.px + ((size_t) y * w + x) * 4;

			p[0] = (uint8_t) (x * 255 / (w - 1));
			p[1] = (uint8_t) (y * 255 / (h - 1));
			p[2] = (uint8_t) ((x + y) * 127 / (w + h));
			p[3] = alpha_ramp ? (uint8_t) (64 + x * 191 / (w - 1)) : 255;
		}
	return r;
}

/* Encodes a raster as PNG with the core's encoder (malloc'ed). */
static uint8_t *
png_of(const mm_raster *r, size_t *len)
{
	mm_img_ctx	ctx;
	uint8_t    *out = NULL;

	mm_img_ctx_init(&ctx, NULL, NULL, 0);
	if (mm_img_encode_png(&ctx, r, &out, len) != MM_IMG_OK)
		abort();
	return out;
}

/* The PSNR of a against b, both n bytes. */
static double
psnr(const uint8_t *a, const uint8_t *b, size_t n)
{
	double		se = 0.0;
	size_t		i;

	for (i = 0; i < n; i++)
		se += (double) (a[i] - b[i]) * (a[i] - b[i]);
	if (se == 0.0)
		return 99.0;
	return 10.0 * log10(255.0 * 255.0 * n / se);
}

/* Runs mm_transform on src with spec text; returns the output (malloc'ed). */
static uint8_t *
transform(const uint8_t *src, size_t len, const char *spec, size_t *out_len, mm_thumb_info *info)
{
	mm_xform	x;
	uint8_t    *out = NULL;
	char		err[200] = "";
	mm_img_status st;

	mm_xform_init(&x);
	if (mm_xform_parse(spec, strlen(spec), &x, err, sizeof(err)) != 0)
		abort();
	st = mm_transform(src, len, &x, NULL, &out, out_len, info, err, sizeof(err));
	MM_CHECK(st == MM_IMG_OK, "transform \"%s\": %s %s", spec, mm_img_status_name(st), err);
	return out;
}

/* A 64x48 RGBA gradient with an alpha ramp and its PNG: the encoders' input. */
typedef struct rgba_source
{
	mm_raster	r;
	uint8_t    *png;
	size_t		len;
} rgba_source;

/* Makes the encoders' input. */
static rgba_source
rgba_source_new(void)
{
	rgba_source s;

	s.r = gradient_rgba(64, 48, 1);
	s.png = png_of(&s.r, &s.len);
	return s;
}

/* Frees it. */
static void
rgba_source_free(rgba_source *s)
{
	free(s->png);
	free(s->r.px);
}

/* Every mode's output size, through the whole pipeline. */
static void
test_modes(void)
{
	mm_raster	r = gradient_rgba(120, 80, 0);
	size_t		len;
	uint8_t    *png = png_of(&r, &len);
	static const struct
	{
		const char *spec;
		int			w;
		int			h;
	}			cases[] = {
		{"w=60,h=60,format=png", 60, 40},
		{"w=60,h=60,resize=cover,format=png", 60, 60},
		{"w=60,h=60,resize=cover,gravity=attention,format=png", 60, 60},
		{"w=60,h=60,resize=cover,gravity=entropy,format=png", 60, 60},
		{"w=60,h=60,resize=fill,format=png", 60, 60},
		{"w=30,h=70,resize=cover,format=png", 30, 70},
		{"w=500,h=500,resize=cover,format=png", 120, 80},
		{"w=100,h=10,resize=fill,format=png", 100, 10},
	};
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		mm_thumb_info info;
		size_t		olen = 0;
		uint8_t    *out = transform(png, len, cases[i].spec, &olen, &info);

		MM_CHECK(out != NULL && info.out_width == cases[i].w && info.out_height == cases[i].h &&
				 olen > 8 && memcmp(out, "\x89PNG", 4) == 0,
				 "%s: %dx%d (want %dx%d)", cases[i].spec, info.out_width, info.out_height,
				 cases[i].w, cases[i].h);
		free(out);
	}
	free(png);
	free(r.px);
}

/* Lossy and lossless WebP, decoded again with libwebp. */
static void
test_webp(void)
{
	rgba_source src = rgba_source_new();
	size_t		olen;
	int			w = 0;
	int			h = 0;
	uint8_t    *out;
	uint8_t    *dec;
	mm_thumb_info info;

	out = transform(src.png, src.len, "w=64,h=64,format=webp-lossless", &olen, &info);
	dec = out ? WebPDecodeRGBA(out, olen, &w, &h) : NULL;
	MM_CHECK(dec != NULL && w == 64 && h == 48 && memcmp(dec, src.r.px, (size_t) 64 * 48 * 4) == 0,
			 "lossless WebP decodes to the same RGBA pixels (%dx%d)", w, h);
	WebPFree(dec);
	free(out);

	out = transform(src.png, src.len, "w=64,h=64,format=webp,q=90", &olen, &info);
	dec = out ? WebPDecodeRGBA(out, olen, &w, &h) : NULL;
	MM_CHECK(dec != NULL && w == 64 && h == 48 && memcmp(out, "RIFF", 4) == 0 && memcmp(out + 8, "WEBP", 4) == 0,
			 "lossy WebP decodes (%dx%d)", w, h);
	if (dec != NULL)
	{
		double		p = psnr(dec, src.r.px, (size_t) 64 * 48 * 4);

		MM_CHECK(p > 30.0, "lossy WebP at q=90 keeps the pixels: PSNR %.1f dB", p);
		MM_CHECK(dec[3] < 80 && dec[(64 * 48 - 1) * 4 + 3] > 240, "lossy WebP keeps alpha (%d, %d)",
				 dec[3], dec[(64 * 48 - 1) * 4 + 3]);
	}
	WebPFree(dec);
	free(out);
	rgba_source_free(&src);
}

/* AVIF, decoded again with libheif; alpha kept. */
static void
test_avif(void)
{
	rgba_source src = rgba_source_new();
	size_t		olen = 0;
	mm_thumb_info info;
	uint8_t    *out = transform(src.png, src.len, "w=64,h=64,format=avif,q=90", &olen, &info);
	struct heif_context *hc = heif_context_alloc();
	struct heif_image_handle *hh = NULL;
	struct heif_image *img = NULL;
	struct heif_error err;
	int			ok = 0;

	err = heif_context_read_from_memory_without_copy(hc, out, olen, NULL);
	if (err.code == heif_error_Ok)
		err = heif_context_get_primary_image_handle(hc, &hh);
	if (err.code == heif_error_Ok)
		err = heif_decode_image(hh, &img, heif_colorspace_RGB, heif_chroma_interleaved_RGBA, NULL);
	if (err.code == heif_error_Ok)
	{
		int			stride;
		const uint8_t *plane = heif_image_get_plane_readonly(img, heif_channel_interleaved, &stride);
		uint8_t    *packed = malloc((size_t) 64 * 48 * 4);
		int			y;
		double		p;

		for (y = 0; y < 48; y++)
			memcpy(packed + (size_t) y * 64 * 4, plane + (size_t) y * stride, 64 * 4);
		p = psnr(packed, src.r.px, (size_t) 64 * 48 * 4);
		ok = heif_image_get_width(img, heif_channel_interleaved) == 64 &&
			heif_image_get_height(img, heif_channel_interleaved) == 48;
		MM_CHECK(ok, "AVIF decodes at 64x48");
		MM_CHECK(p > 30.0, "AVIF at q=90 keeps the pixels: PSNR %.1f dB", p);
		MM_CHECK(heif_image_handle_has_alpha_channel(hh) && packed[3] < 90, "AVIF keeps alpha (%d)", packed[3]);
		free(packed);
		heif_image_release(img);
	}
	else
		MM_CHECK(0, "AVIF decodes: %s", err.message);
	MM_CHECK(olen > 12 && memcmp(out + 4, "ftypavif", 8) == 0, "the AVIF has the avif brand");
	if (hh)
		heif_image_handle_release(hh);
	heif_context_free(hc);
	free(out);
	rgba_source_free(&src);
}

int
main(void)
{
	test_spec_text();
	test_spec_negotiate();
	test_geometry();
	test_crop_choice();
	test_modes();
	test_webp();
	test_avif();
	return mm_test_done();
}
