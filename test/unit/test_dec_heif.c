/*
 * test_dec_heif.c - unit tests of the HEIC, AVIF (libheif) and JPEG XL
 * (libjxl) decoders through mm_thumbnail().
 *
 * The images are the 64x48 four-colour files of data/ (make_heif_jxl.sh
 * rebuilds them): red top left, green top right, blue bottom left, white
 * bottom right.  Each thumbnail is written as PNG, decoded again and its
 * quadrants checked, so orientation (irot, imir, an EXIF orientation that
 * must not be applied on top of irot, a JPEG XL orientation), alpha and
 * 10-bit sources show.  Truncated files, a header over the pixel limit
 * and over the memory budget (refused before anything is decoded), the
 * interrupt callback and leaks through the allocator hook are tested too,
 * and files whose codec stream or grid canvas is larger than their ispe
 * says (one found by fuzz_dec_heif).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "image/image.h"
#include "mm_test.h"
#include "mm_alloc.h"
#include "mm_rgba.h"

/* The alpha at the centre of quadrant (qx, qy). */
static int
quadrant_alpha(const rgba *im, int qx, int qy)
{
	int			x = im->w / 4 + qx * im->w / 2;
	int			y = im->h / 4 + qy * im->h / 2;

	return im->px[((size_t) y * im->w + x) * 4 + 3];
}

/*
 * Thumbnails data/name into a box of box x box as PNG with the counting
 * allocator on top of base's limits; *live gets the bytes still allocated
 * afterwards and, on success, *out the decoded thumbnail.  No checks: see
 * thumb_file().
 */
static mm_img_status
thumb_quiet(const char *name, int box, const mm_limits *base, rgba *out, mm_thumb_info *info,
			char *err, size_t errlen, size_t *live, int *bad_output)
{
	alloc_stats st;
	mm_alloc	a = {hook_alloc, hook_free, &st};
	mm_limits	lim;
	uint8_t    *src;
	size_t		len = 0;
	uint8_t    *o = NULL;
	size_t		olen = 0;
	mm_img_status s;

	memset(&st, 0, sizeof(st));
	memset(out, 0, sizeof(*out));
	if (base != NULL)
		lim = *base;
	else
		memset(&lim, 0, sizeof(lim));
	lim.alloc = &a;
	*bad_output = 0;
	src = load(name, &len);
	if (src == NULL)
	{
		snprintf(err, errlen, "data/%s missing", name);
		*live = 0;
		return MM_IMG_FAILED;
	}
	s = mm_thumbnail(src, len, box, box, MM_THUMB_PNG, 0, &lim, &o, &olen, info, err, errlen);
	if (s == MM_IMG_OK)
	{
		*bad_output = png_to_rgba(o, olen, out) != 0;
		mm_img_free(&lim, o);
	}
	else
		*bad_output = o != NULL || olen != 0 || err[0] == '\0';
	*live = st.live;
	free(src);
	return s;
}

/* thumb_quiet(), checking the output (or its absence) and that nothing leaks. */
static mm_img_status
thumb_file(const char *name, int box, const mm_limits *base, rgba *out, mm_thumb_info *info,
		   char *err, size_t errlen)
{
	size_t		live;
	int			bad;
	mm_img_status s = thumb_quiet(name, box, base, out, info, err, errlen, &live, &bad);

	MM_CHECK(!bad, "%s: %s", name, s == MM_IMG_OK ? "the thumbnail is a valid PNG" :
			 "no output and a message on failure");
	MM_CHECK(live == 0, "%s: nothing left allocated (%zu bytes)", name, live);
	return s;
}

/* An expected display image: size, quadrant colours (TL TR BL BR), alpha. */
typedef struct expect
{
	const char *file;
	const char *decoder;
	int			w;
	int			h;
	const uint8_t *q[4];
	int			alpha;			/* right half transparent */
} expect;

/* Checks one file's thumbnail (box 64, so no scaling) against e. */
static void
check_image(const expect *e)
{
	rgba		im;
	mm_thumb_info info;
	char		err[256];
	mm_img_status s = thumb_file(e->file, 64, NULL, &im, &info, err, sizeof(err));

	MM_CHECK(s == MM_IMG_OK, "%s decodes (%s)", e->file, s == MM_IMG_OK ? "ok" : err);
	if (s != MM_IMG_OK)
		return;
	MM_CHECK(strcmp(info.decoder_name, e->decoder) == 0, "%s: decoder %s (got %s)", e->file,
			 e->decoder, info.decoder_name);
	MM_CHECK(im.w == e->w && im.h == e->h && info.src_width == e->w && info.src_height == e->h,
			 "%s: %dx%d (got %dx%d, source %dx%d)", e->file, e->w, e->h, im.w, im.h,
			 info.src_width, info.src_height);
	if (im.w == e->w && im.h == e->h)
	{
		/* with alpha the right half is transparent: its colour is not checked */
		MM_CHECK(quadrant_is(&im, 0, 0, e->q[0]) && quadrant_is(&im, 0, 1, e->q[2]) &&
				 (e->alpha || (quadrant_is(&im, 1, 0, e->q[1]) && quadrant_is(&im, 1, 1, e->q[3]))),
				 "%s: quadrant colours as displayed", e->file);
		if (e->alpha)
			MM_CHECK(info.has_alpha && im.alpha && quadrant_alpha(&im, 0, 0) > 200 &&
					 quadrant_alpha(&im, 1, 1) < 55, "%s: left opaque, right transparent", e->file);
		else
			MM_CHECK(!info.has_alpha && quadrant_alpha(&im, 1, 1) == 255, "%s: no alpha", e->file);
	}
	free(im.px);
}

/* The display images of every test file. */
static void
test_images(void)
{
	static const expect cases[] = {
		{"q.heic", "heif", 64, 48, {RED, GREEN, BLUE, WHITE}, 0},
		{"q10.heic", "heif", 64, 48, {RED, GREEN, BLUE, WHITE}, 0},
		{"qa.heic", "heif", 64, 48, {RED, GREEN, BLUE, WHITE}, 1},
		{"q.avif", "avif", 64, 48, {RED, GREEN, BLUE, WHITE}, 0},
		{"q10.avif", "avif", 64, 48, {RED, GREEN, BLUE, WHITE}, 0},
		{"qa.avif", "avif", 64, 48, {RED, GREEN, BLUE, WHITE}, 1},
		/* irot 270 anti-clockwise (90 clockwise) and EXIF 6: turned once */
		{"rot.heic", "heif", 48, 64, {BLUE, RED, WHITE, GREEN}, 0},
		{"rot1.heic", "heif", 48, 64, {GREEN, WHITE, RED, BLUE}, 0},
		/* imir axis 0: libheif swaps top and bottom; axis 1 left and right */
		{"mir.heic", "heif", 64, 48, {BLUE, WHITE, RED, GREEN}, 0},
		{"mirh.heic", "heif", 64, 48, {GREEN, RED, WHITE, BLUE}, 0},
		/* 10-bit and mirrored (libheif 1.15 cannot mirror above 8 bits: the core turns it) */
		{"mir10.heic", "heif", 64, 48, {BLUE, WHITE, RED, GREEN}, 0},
		/* irot 90 anti-clockwise, then imir axis 1 (left and right swap) */
		{"rotmir10.heic", "heif", 48, 64, {WHITE, GREEN, BLUE, RED}, 0},
		/* grids of hidden 16x16 or 20x20 tiles (20: the last ones clipped), decoded tile by tile */
		{"grid.heic", "heif", 64, 48, {RED, GREEN, BLUE, WHITE}, 0},
		{"gridrot.heic", "heif", 48, 64, {BLUE, RED, WHITE, GREEN}, 0},
		{"gridmir10.heic", "heif", 64, 48, {GREEN, RED, WHITE, BLUE}, 0},
		{"q.jxl", "jxl", 64, 48, {RED, GREEN, BLUE, WHITE}, 0},
		{"qa.jxl", "jxl", 64, 48, {RED, GREEN, BLUE, WHITE}, 1},
		/* JPEG XL orientation 6, applied by the core to the thumbnail */
		{"q6.jxl", "jxl", 48, 64, {BLUE, RED, WHITE, GREEN}, 0},
	};
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_image(&cases[i]);
}

/*
 * Stops name's thumbnail (box, lim whose interrupt state is is) at each
 * poll from..to-1: how many of those runs did not end interrupted, with
 * no output and nothing left allocated.
 */
static int
bad_stops(const char *name, int box, const mm_limits *lim, int_state *is, long from, long to)
{
	long		n;
	int			bad = 0;
	int			bad_output;
	size_t		live;
	rgba		im;
	mm_thumb_info info;
	char		err[256];

	for (n = from; n < to; n++)
	{
		is->calls = 0;
		is->stop_after = n;
		if (thumb_quiet(name, box, lim, &im, &info, err, sizeof(err), &live,
						&bad_output) != MM_IMG_INTERRUPTED || live != 0 || bad_output)
			bad++;
		free(im.px);
	}
	return bad;
}

/*
 * gridthumb.heic: a 1024x768 grid of 256x256 tiles, irot 90 anti-clockwise,
 * with a 96x72 thumbnail.  A 64 px box uses the thumbnail (as libvips
 * does: it is at least the target size); a 100 px box does not (the
 * thumbnail is smaller than 100x75) and decodes the grid tile by tile,
 * within a budget the whole image would not fit (1024x768 at libheif's
 * 15 bytes a pixel is 16 MB), box-shrunk on the way (whole.c); the
 * interrupt is polled between tiles.
 */
static void
test_grid_thumbnail(void)
{
	rgba		im;
	mm_thumb_info info;
	char		err[256];
	mm_img_status s;
	mm_limits	lim;
	int_state	is = {0, 1000000};

	s = thumb_file("gridthumb.heic", 64, NULL, &im, &info, err, sizeof(err));
	MM_CHECK(s == MM_IMG_OK && info.decoded_width == 96 && info.decoded_height == 72 &&
			 info.src_width == 768 && info.src_height == 1024 && im.w == 48 && im.h == 64 &&
			 quadrant_is(&im, 0, 0, GREEN) && quadrant_is(&im, 1, 0, WHITE) &&
			 quadrant_is(&im, 0, 1, RED) && quadrant_is(&im, 1, 1, BLUE),
			 "gridthumb.heic to 64 px: from its 96x72 thumbnail, turned (decoded %dx%d, %s)",
			 info.decoded_width, info.decoded_height, s == MM_IMG_OK ? "ok" : err);
	free(im.px);
	memset(&lim, 0, sizeof(lim));
	lim.max_memory = (uint64_t) 6 << 20;
	lim.interrupted = interrupt_cb;
	lim.arg = &is;
	s = thumb_file("gridthumb.heic", 100, &lim, &im, &info, err, sizeof(err));
	/* 1024x768 box-shrunk by 5 (the most that keeps twice the 100x75 target): 205x154 */
	MM_CHECK(s == MM_IMG_OK && info.decoded_width == 205 && info.decoded_height == 154 &&
			 im.w == 75 && im.h == 100 && quadrant_is(&im, 0, 0, GREEN) && quadrant_is(&im, 1, 0, WHITE) &&
			 quadrant_is(&im, 0, 1, RED) && quadrant_is(&im, 1, 1, BLUE),
			 "gridthumb.heic to 100 px: its 12 tiles one at a time within 6 MB, shrunk by 5 (decoded %dx%d, %s)",
			 info.decoded_width, info.decoded_height, s == MM_IMG_OK ? "ok" : err);
	free(im.px);
	/* the same with the thumbnail's ispe saying 40x30 over its 96x72 stream: not used */
	s = thumb_file("gridthumbliar.heic", 40, NULL, &im, &info, err, sizeof(err));
	MM_CHECK(s == MM_IMG_OK && info.decoded_width == 86 && info.decoded_height == 64 && im.w == 30 && im.h == 40,
			 "gridthumbliar.heic: a thumbnail whose stream is larger than it says is not used (decoded %dx%d, %s)",
			 info.decoded_width, info.decoded_height, s == MM_IMG_OK ? "ok" : err);
	free(im.px);
	s = thumb_file("gridthumb.heic", 40, NULL, &im, &info, err, sizeof(err));
	MM_CHECK(s == MM_IMG_OK && info.decoded_width == 96 && info.decoded_height == 72,
			 "gridthumb.heic to 40 px: its 96x72 thumbnail (decoded %dx%d, %s)",
			 info.decoded_width, info.decoded_height, s == MM_IMG_OK ? "ok" : err);
	free(im.px);
	/* a 4032x3024 grid of 512x512 tiles (irot 270), as an iPhone writes it, within 64 MB */
	memset(&lim, 0, sizeof(lim));
	lim.max_memory = (uint64_t) 64 << 20;
	s = thumb_file("q12grid.heic", 256, &lim, &im, &info, err, sizeof(err));
	MM_CHECK(s == MM_IMG_OK && im.w == 192 && im.h == 256 && quadrant_is(&im, 0, 0, BLUE) &&
			 quadrant_is(&im, 1, 0, RED) && quadrant_is(&im, 0, 1, WHITE) && quadrant_is(&im, 1, 1, GREEN),
			 "q12grid.heic (12 Mpx grid) to 256 px within a 64 MB budget, turned once (%dx%d, %s)",
			 im.w, im.h, s == MM_IMG_OK ? "ok" : err);
	free(im.px);
	lim.max_memory = (uint64_t) 6 << 20;
	lim.interrupted = interrupt_cb;
	lim.arg = &is;
	{
		long		total = is.calls;
		/* polls before reading and decoding, then before each of the first row's tiles */
		int			bad = bad_stops("gridthumb.heic", 100, &lim, &is, 1, total < 16 ? total : 16);

		MM_CHECK(total > 768 && bad == 0,
				 "gridthumb.heic: stopped at each of its first polls among the tiles, leaking nothing (%ld polls, %d bad)",
				 total, bad);
	}
}

/* Orientation reported, scaling, a gray JPEG XL. */
static void
test_details(void)
{
	rgba		im;
	mm_thumb_info info;
	char		err[256];
	mm_img_status s;

	/* irot 270 is reported as the orientation 6 it amounts to (the pixels above show EXIF's 6 is not applied on top) */
	s = thumb_file("rot.heic", 64, NULL, &im, &info, err, sizeof(err));
	MM_CHECK(s == MM_IMG_OK && info.orientation == 6,
			 "rot.heic: irot 270 anti-clockwise reported as orientation 6 (%d)", info.orientation);
	free(im.px);
	test_grid_thumbnail();
	s = thumb_file("q6.jxl", 64, NULL, &im, &info, err, sizeof(err));
	MM_CHECK(s == MM_IMG_OK && info.orientation == 6, "q6.jxl: orientation 6 reported (%d)",
			 info.orientation);
	free(im.px);
	s = thumb_file("q.heic", 16, NULL, &im, &info, err, sizeof(err));
	MM_CHECK(s == MM_IMG_OK && im.w == 16 && im.h == 12 && quadrant_is(&im, 0, 0, RED) &&
			 quadrant_is(&im, 1, 1, WHITE), "q.heic scaled into 16x16: 16x12, colours kept");
	free(im.px);
	s = thumb_file("rot.heic", 16, NULL, &im, &info, err, sizeof(err));
	MM_CHECK(s == MM_IMG_OK && im.w == 12 && im.h == 16 && quadrant_is(&im, 0, 0, BLUE),
			 "rot.heic scaled into 16x16: 12x16, blue top left");
	free(im.px);
	s = thumb_file("qg.jxl", 64, NULL, &im, &info, err, sizeof(err));
	MM_CHECK(s == MM_IMG_OK && im.w == 64 && im.h == 48, "qg.jxl (gray) decodes, 64x48");
	if (s == MM_IMG_OK)
	{
		const uint8_t *tl = im.px + ((size_t) 12 * 64 + 16) * 4;
		const uint8_t *br = im.px + ((size_t) 36 * 64 + 48) * 4;

		MM_CHECK(tl[0] == tl[1] && tl[1] == tl[2] && tl[0] > 40 && tl[0] < 120 && br[0] > 230,
				 "qg.jxl: gray levels of red (%d) and white (%d)", tl[0], br[0]);
	}
	free(im.px);
}

/*
 * Decodes data/name cut after 0, step, 2 step, ... bytes; returns how many
 * cuts did not fail as corrupt or unsupported (-1 when the file is missing).
 */
static int
bad_truncations(const char *name, size_t step)
{
	uint8_t    *src;
	size_t		len = 0;
	size_t		cut;
	int			bad = 0;
	char		err[256];

	src = load(name, &len);
	if (src == NULL)
		return -1;
	for (cut = 0; cut < len; cut += step)
	{
		uint8_t    *o = NULL;
		size_t		olen = 0;
		mm_img_status s = mm_thumbnail(src, cut, 64, 64, MM_THUMB_PNG, 0, NULL, &o, &olen, NULL,
									   err, sizeof(err));

		if (s == MM_IMG_OK)
			free(o);
		if (s != MM_IMG_CORRUPT && s != MM_IMG_UNSUPPORTED)
			bad++;
	}
	free(src);
	return bad;
}

/* Damaged files and headers over the limits, refused before decoding. */
static void
test_refusals(void)
{
	rgba		im;
	mm_thumb_info info;
	char		err[256];
	mm_img_status s;
	mm_limits	lim;

	s = thumb_file("trunc.heic", 64, NULL, &im, &info, err, sizeof(err));
	MM_CHECK(s == MM_IMG_CORRUPT, "trunc.heic: corrupt (%s: %s)", mm_img_status_name(s), err);

	/* big.heic says 4000x3000 in ispe: refused from the header */
	memset(&lim, 0, sizeof(lim));
	lim.max_pixels = 1000000;
	s = thumb_file("big.heic", 64, &lim, &im, &info, err, sizeof(err));
	MM_CHECK(s == MM_IMG_TOO_BIG && strstr(err, "4000x3000") != NULL,
			 "big.heic over max_pixels: too big from ispe (%s)", err);
	memset(&lim, 0, sizeof(lim));
	lim.max_memory = (uint64_t) 32 << 20;
	s = thumb_file("big.heic", 64, &lim, &im, &info, err, sizeof(err));
	MM_CHECK(s == MM_IMG_TOO_BIG && strstr(err, "memory budget") != NULL,
			 "big.heic over a 32 MB budget: refused before decoding (%s)", err);
	{
		/* the stream itself is 64x48: had it been decoded, the call would succeed */
		int_state	is = {0, 1000000};

		lim.interrupted = interrupt_cb;
		lim.arg = &is;
		s = thumb_file("big.heic", 64, &lim, &im, &info, err, sizeof(err));
		MM_CHECK(s == MM_IMG_TOO_BIG && is.calls == 1,
				 "big.heic: refused with one poll, before heif_decode_image (%ld polls)", is.calls);
	}
	{
		/* the HEVC stream's own size counts, whatever ispe says */
		int_state	is = {0, 1000000};

		memset(&lim, 0, sizeof(lim));
		lim.max_pixels = 1000000;
		lim.interrupted = interrupt_cb;
		lim.arg = &is;
		s = thumb_file("liar.heic", 64, &lim, &im, &info, err, sizeof(err));
		MM_CHECK(s == MM_IMG_TOO_BIG && strstr(err, "4000x3000") != NULL && is.calls == 1,
				 "liar.heic (ispe 64x48, stream 4000x3000) over 1 Mpx: refused before decoding (%s)", err);
		is.calls = 0;
		s = thumb_file("gridbomb.heic", 64, NULL, &im, &info, err, sizeof(err));
		MM_CHECK(s == MM_IMG_TOO_BIG && strstr(err, "12288x9472") != NULL,
				 "gridbomb.heic (ispe 72x48, grid canvas 12288x9472): refused before decoding (%s)", err);
		s = thumb_file("grid1.heic", 64, NULL, &im, &info, err, sizeof(err));
		MM_CHECK(s == MM_IMG_OK && im.w >= 1 && im.h >= 1, "grid1.heic (a 1x1 grid) decodes (%s)",
				 s == MM_IMG_OK ? "ok" : err);
		free(im.px);
		s = thumb_file("liar.heic", 64, NULL, &im, &info, err, sizeof(err));
		MM_CHECK(s == MM_IMG_OK, "liar.heic within the default limit decodes (%s)", s == MM_IMG_OK ? "ok" : err);
		free(im.px);
	}
	memset(&lim, 0, sizeof(lim));
	lim.max_pixels = 1000;
	s = thumb_file("q.jxl", 64, &lim, &im, &info, err, sizeof(err));
	MM_CHECK(s == MM_IMG_TOO_BIG && strstr(err, "64x48") != NULL,
			 "q.jxl over 1000 pixels: too big at the basic info (%s)", err);
	s = thumb_file("q.avif", 64, &lim, &im, &info, err, sizeof(err));
	MM_CHECK(s == MM_IMG_TOO_BIG, "q.avif over 1000 pixels: too big (%s)", err);

	MM_CHECK(bad_truncations("q.jxl", 1) == 0, "every truncation of q.jxl is refused");
	MM_CHECK(bad_truncations("q.heic", 7) == 0, "every 7th truncation of q.heic is refused");
}

/* The interrupt callback stops both decoders at any poll, leaking nothing. */
static void
test_interrupt(void)
{
	static const char *const files[] = {"q.heic", "qa.avif", "q.jxl", "qa.jxl"};
	size_t		i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
	{
		long		total;
		int			bad;
		rgba		im;
		mm_thumb_info info;
		char		err[256];
		mm_limits	lim;
		int_state	is = {0, 1000000};

		memset(&lim, 0, sizeof(lim));
		lim.interrupted = interrupt_cb;
		lim.arg = &is;
		if (thumb_file(files[i], 64, &lim, &im, &info, err, sizeof(err)) != MM_IMG_OK)
			continue;
		free(im.px);
		total = is.calls;
		bad = bad_stops(files[i], 64, &lim, &is, 0, total);
		MM_CHECK(total > 48 && bad == 0, "%s: stopped at each of its %ld polls, leaking nothing (%d were not)",
				 files[i], total, bad);
	}
}

int
main(void)
{
	test_images();
	test_details();
	test_refusals();
	test_interrupt();
	return mm_test_done();
}
