/*
 * test_poster.c - unit tests of video posters (video/poster.h) on the
 * small videos of data/ (make_videos.sh rebuilds them).
 *
 * The frame chosen is told by its colour: h264.mp4 turns from red to
 * green at 1 s (the poster is taken at 1 s), vp9.webm from blue to yellow
 * at 0.2 s (10% of its 2 s), onekey.mp4 has one key frame (red) at the
 * start and none after 0.3 s.  The quadrant videos show orientation (the
 * display matrix of rot.mp4), codecs (H.264, MPEG-4 Part 2, HEVC, AV1)
 * and containers (MOV, MKV, MP4); sar.mp4 its pixel aspect ratio.  Also:
 * every resize mode and output format, errors (truncated, a declared size
 * over the limit, an unsupported codec, audio only, every prefix of a
 * file), the memory budget, the interrupt callback at every poll, a read
 * callback that fails, reads kept inside the file, and leaks through the
 * allocator hook.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "image/spec.h"
#include "video/poster.h"
#include "mm_test.h"
#include "mm_alloc.h"
#include "mm_rgba.h"

static const uint8_t YELLOW[3] = {255, 255, 0};

/* An mm_video_io over memory that checks its reads and can fail after a number of them. */
typedef struct test_io
{
	const uint8_t *data;
	size_t		len;
	long		reads;
	long		fail_after;		/* fail the Nth read (0: never) */
	int			out_of_range;	/* a read asked for bytes outside the file */
	size_t		biggest;		/* the longest read */
} test_io;

/* The test reader: memory, with the checks above. */
static int64_t
test_read(void *arg, uint64_t offset, uint8_t *buf, size_t len)
{
	test_io    *t = arg;

	t->reads++;
	if (t->fail_after > 0 && t->reads >= t->fail_after)
		return -1;
	if (offset > t->len || len > t->len - offset)
		t->out_of_range = 1;
	if (len > t->biggest)
		t->biggest = len;
	if (offset >= t->len)
		return 0;
	if (len > t->len - offset)
		len = t->len - offset;
	memcpy(buf, t->data + offset, len);
	return (int64_t) len;
}

/* One poster: its status, message, info and (PNG output) decoded pixels. */
typedef struct result
{
	mm_img_status st;
	char		err[256];
	mm_thumb_info info;
	rgba		im;
	uint8_t    *out;			/* the encoded output (non-PNG formats) */
	size_t		out_len;
	size_t		live;			/* bytes left allocated through the hook */
	int			bad;			/* output on failure, no message, or an undecodable PNG */
} result;

/*
 * Makes the poster of data/name as spec x with base's limits (NULL: the
 * defaults) and the counting allocator; io (optional) gets the reader's
 * record.  PNG results are decoded into r->im.
 */
static void
poster_of(const char *name, const mm_xform *x, const mm_limits *base, result *r, test_io *io_out)
{
	alloc_stats st;
	mm_alloc	a = {hook_alloc, hook_free, &st};
	mm_limits	lim;
	test_io		t;
	mm_video_io io;
	size_t		len = 0;
	uint8_t    *src = load(name, &len);

	memset(r, 0, sizeof(*r));
	memset(&st, 0, sizeof(st));
	memset(&t, 0, sizeof(t));
	if (io_out != NULL)
		t.fail_after = io_out->fail_after;
	if (base != NULL)
		lim = *base;
	else
		memset(&lim, 0, sizeof(lim));
	lim.alloc = &a;
	if (src == NULL)
	{
		r->st = MM_IMG_FAILED;
		snprintf(r->err, sizeof(r->err), "data/%s missing", name);
		return;
	}
	t.data = src;
	t.len = len;
	io.read = test_read;
	io.size = len;
	io.arg = &t;
	r->st = mm_video_transform(&io, x, &lim, &r->out, &r->out_len, &r->info, r->err, sizeof(r->err));
	if (r->st == MM_IMG_OK)
	{
		if (x->format == MM_THUMB_PNG)
			r->bad = png_to_rgba(r->out, r->out_len, &r->im) != 0;
		else
		{
			uint8_t    *copy = malloc(r->out_len);

			memcpy(copy, r->out, r->out_len);
			mm_img_free(&lim, r->out);
			r->out = copy;
			r->live = st.live;
			free(src);
			if (io_out != NULL)
				*io_out = t;
			return;
		}
		mm_img_free(&lim, r->out);
		r->out = NULL;
	}
	else
		r->bad = r->out != NULL || r->out_len != 0 || r->err[0] == '\0';
	r->live = st.live;
	free(src);
	if (io_out != NULL)
		*io_out = t;
}

/* Frees what poster_of kept. */
static void
result_free(result *r)
{
	free(r->im.px);
	free(r->out);
	r->im.px = NULL;
	r->out = NULL;
}

/* A spec: a box, a resize mode and a format. */
static mm_xform
spec(int w, int h, mm_resize resize, mm_thumb_format fmt)
{
	mm_xform	x;

	mm_xform_init(&x);
	x.width = w;
	x.height = h;
	x.resize = resize;
	x.format = fmt;
	return x;
}

/* Whether the centre pixel of a decoded result is near colour c. */
static int
centre_is(const rgba *im, const uint8_t *c)
{
	const uint8_t *p = im->px + ((size_t) (im->h / 2) * im->w + im->w / 2) * 4;
	int			i;

	for (i = 0; i < 3; i++)
		if (abs((int) p[i] - (int) c[i]) > 48)
			return 0;
	return 1;
}

/* Checks the common outcome of a call: output or message, nothing leaked. */
static void
check_clean(const char *what, const result *r)
{
	MM_CHECK(!r->bad, "%s: %s", what, r->st == MM_IMG_OK ? "the output decodes" :
			 "no output and a message on failure");
	MM_CHECK(r->live == 0, "%s: nothing left allocated (%zu bytes)", what, r->live);
}

/*
 * poster_of() with default limits, checking that the poster was made and
 * the call was clean; true when r holds a decoded poster.
 */
static int
poster_made(const char *name, const mm_xform *x, result *r)
{
	poster_of(name, x, NULL, r, NULL);
	MM_CHECK(r->st == MM_IMG_OK, "%s: poster made (%s)", name, r->st == MM_IMG_OK ? "ok" : r->err);
	check_clean(name, r);
	return r->st == MM_IMG_OK && !r->bad;
}

/* The frame chosen: its colour tells its time. */
static void
test_frame_time(void)
{
	static const struct
	{
		const char *file;
		const char *decoder;
		const uint8_t *colour;
		const char *why;
	}			cases[] = {
		{"h264.mp4", "h264", GREEN, "the key frame at 1 s (red before it)"},
		{"vp9.webm", "vp9", YELLOW, "the key frame at 10% of 2 s (blue before it)"},
		{"onekey.mp4", "h264", RED, "no key frame after 0.3 s: the first one"},
		{"onekey.mkv", "h264", RED, "no cues, no duration: read again from the start, the first one"},
		{"nosize.mp4", "h264", GREEN, "no size in the sample entry: the decoder's"},
	};
	mm_xform	x = spec(64, 64, MM_RESIZE_CONTAIN, MM_THUMB_PNG);
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		result		r;

		if (poster_made(cases[i].file, &x, &r))
		{
			MM_CHECK(r.im.w == 64 && r.im.h == 48, "%s: 64x48 (got %dx%d)", cases[i].file, r.im.w, r.im.h);
			MM_CHECK(centre_is(&r.im, cases[i].colour), "%s: %s", cases[i].file, cases[i].why);
			MM_CHECK(r.info.decoder == MM_DEC_VIDEO && strcmp(r.info.decoder_name, cases[i].decoder) == 0,
					 "%s: decoded by %s (got %s)", cases[i].file, cases[i].decoder, r.info.decoder_name);
		}
		result_free(&r);
	}
}

/* Codecs, containers, the display matrix and the pixel aspect ratio, by the quadrants. */
static void
test_quadrants(void)
{
	static const struct
	{
		const char *file;
		const char *decoder;
		int			w;
		int			h;
		int			orientation;
		const uint8_t *q[4];	/* TL TR BL BR */
	}			cases[] = {
		{"quad.mov", "h264", 64, 48, 1, {RED, GREEN, BLUE, WHITE}},
		{"quad.mkv", "mpeg4", 64, 48, 1, {RED, GREEN, BLUE, WHITE}},
		{"quad-hevc.mp4", "hevc", 64, 48, 1, {RED, GREEN, BLUE, WHITE}},
		{"quad-av1.mp4", "libdav1d", 64, 48, 1, {RED, GREEN, BLUE, WHITE}},
		/* FFmpeg's own tool shows it turned anti-clockwise: EXIF orientation 8 */
		{"rot.mp4", "h264", 48, 64, 8, {GREEN, WHITE, RED, BLUE}},
		{"sar.mp4", "h264", 128, 48, 1, {RED, GREEN, BLUE, WHITE}},
	};
	mm_xform	x = spec(256, 256, MM_RESIZE_CONTAIN, MM_THUMB_PNG);
	size_t		i;
	int			q;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		result		r;

		if (!poster_made(cases[i].file, &x, &r))
		{
			result_free(&r);
			continue;
		}
		MM_CHECK(r.im.w == cases[i].w && r.im.h == cases[i].h && r.info.src_width == cases[i].w &&
				 r.info.src_height == cases[i].h, "%s: shown %dx%d (got %dx%d, source %dx%d)",
				 cases[i].file, cases[i].w, cases[i].h, r.im.w, r.im.h, r.info.src_width, r.info.src_height);
		MM_CHECK(r.info.orientation == cases[i].orientation, "%s: orientation %d (got %d)",
				 cases[i].file, cases[i].orientation, r.info.orientation);
		MM_CHECK(strcmp(r.info.decoder_name, cases[i].decoder) == 0, "%s: decoded by %s (got %s)",
				 cases[i].file, cases[i].decoder, r.info.decoder_name);
		for (q = 0; q < 4; q++)
			MM_CHECK(quadrant_is(&r.im, q % 2, q / 2, cases[i].q[q]), "%s: quadrant %d has its colour",
					 cases[i].file, q);
		result_free(&r);
	}
}

/* Every resize mode and output format goes through the image pipeline. */
static void
test_modes_and_formats(void)
{
	static const struct
	{
		mm_resize	resize;
		int			bw;
		int			bh;
		int			w;
		int			h;
	}			modes[] = {
		{MM_RESIZE_CONTAIN, 32, 32, 32, 24},
		{MM_RESIZE_COVER, 32, 32, 32, 32},
		{MM_RESIZE_FILL, 20, 40, 20, 40},
	};
	static const struct
	{
		mm_thumb_format fmt;
		mm_img_decoder sniffed;
	}			formats[] = {
		{MM_THUMB_JPEG, MM_DEC_JPEG}, {MM_THUMB_WEBP, MM_DEC_WEBP},
		{MM_THUMB_WEBP_LOSSLESS, MM_DEC_WEBP}, {MM_THUMB_AVIF, MM_DEC_AVIF},
		{MM_THUMB_AUTO, MM_DEC_JPEG},
	};
	size_t		i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
	{
		mm_xform	x = spec(modes[i].bw, modes[i].bh, modes[i].resize, MM_THUMB_PNG);
		result		r;

		poster_of("quad.mov", &x, NULL, &r, NULL);
		check_clean("resize mode", &r);
		MM_CHECK(r.st == MM_IMG_OK && r.im.w == modes[i].w && r.im.h == modes[i].h,
				 "resize %d into %dx%d gives %dx%d (got %dx%d)", (int) modes[i].resize,
				 modes[i].bw, modes[i].bh, modes[i].w, modes[i].h, r.im.w, r.im.h);
		if (r.st == MM_IMG_OK && modes[i].resize == MM_RESIZE_FILL)
			MM_CHECK(quadrant_is(&r.im, 0, 0, RED) && quadrant_is(&r.im, 1, 1, WHITE),
					 "fill stretches the whole picture");
		result_free(&r);
	}
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
	{
		mm_xform	x = spec(32, 32, MM_RESIZE_CONTAIN, formats[i].fmt);
		result		r;

		poster_of("vp9.webm", &x, NULL, &r, NULL);
		check_clean("output format", &r);
		MM_CHECK(r.st == MM_IMG_OK && mm_img_sniff(r.out, r.out_len) == formats[i].sniffed &&
				 r.info.out_width == 32 && r.info.out_height == 24,
				 "format %d: a 32x24 image of the right type (%s)", (int) formats[i].fmt,
				 r.st == MM_IMG_OK ? "ok" : r.err);
		result_free(&r);
	}
}

/* Files that give no poster, each with its status. */
static void
test_refusals(void)
{
	static const struct
	{
		const char *file;
		mm_img_status st;
		const char *in_message;
	}			cases[] = {
		{"trunc.mp4", MM_IMG_CORRUPT, "moov atom not found"},
		{"big.mp4", MM_IMG_TOO_BIG, "65535x65535"},
		{"mjpeg.mov", MM_IMG_UNSUPPORTED, "mjpeg"},
		{"audio.m4a", MM_IMG_UNSUPPORTED, "no video stream"},
		{"q.heic", MM_IMG_UNSUPPORTED, "not an MP4"},
	};
	mm_xform	x = spec(64, 64, MM_RESIZE_CONTAIN, MM_THUMB_PNG);
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		result		r;

		poster_of(cases[i].file, &x, NULL, &r, NULL);
		check_clean(cases[i].file, &r);
		MM_CHECK(r.st == cases[i].st && strstr(r.err, cases[i].in_message) != NULL,
				 "%s: %s, saying \"%s\" (got %s: %s)", cases[i].file, mm_img_status_name(cases[i].st),
				 cases[i].in_message, mm_img_status_name(r.st), r.err);
		result_free(&r);
	}
}

/* The size and memory limits. */
static void
test_limits(void)
{
	mm_xform	x = spec(64, 64, MM_RESIZE_CONTAIN, MM_THUMB_PNG);
	mm_limits	lim;
	result		r;

	memset(&lim, 0, sizeof(lim));
	lim.max_pixels = 64 * 48 - 1;
	poster_of("h264.mp4", &x, &lim, &r, NULL);
	check_clean("max_pixels", &r);
	MM_CHECK(r.st == MM_IMG_TOO_BIG, "a 64x48 video over max_pixels %d is too big (got %s: %s)",
			 64 * 48 - 1, mm_img_status_name(r.st), r.err);
	result_free(&r);

	memset(&lim, 0, sizeof(lim));
	lim.max_memory = 1 << 20;
	poster_of("h264.mp4", &x, &lim, &r, NULL);
	check_clean("budget", &r);
	MM_CHECK(r.st == MM_IMG_TOO_BIG && strstr(r.err, "budget") != NULL,
			 "the decoder's memory is charged to a 1 MB budget and refused (got %s: %s)",
			 mm_img_status_name(r.st), r.err);
	result_free(&r);

	memset(&lim, 0, sizeof(lim));
	lim.max_memory = 16 << 20;
	poster_of("h264.mp4", &x, &lim, &r, NULL);
	check_clean("budget", &r);
	MM_CHECK(r.st == MM_IMG_OK, "a 16 MB budget is enough (%s)", r.st == MM_IMG_OK ? "ok" : r.err);
	result_free(&r);
}

/* The interrupt callback stops the call at every poll, and the call cleans up. */
static void
test_interrupts(void)
{
	mm_xform	x = spec(64, 64, MM_RESIZE_CONTAIN, MM_THUMB_PNG);
	mm_limits	lim;
	int_state	is;
	result		r;
	long		polls;
	long		n;
	int			all_stopped = 1;
	int			all_clean = 1;

	memset(&lim, 0, sizeof(lim));
	memset(&is, 0, sizeof(is));
	is.stop_after = 1000000;
	lim.interrupted = interrupt_cb;
	lim.arg = &is;
	poster_of("h264.mp4", &x, &lim, &r, NULL);
	polls = is.calls;
	MM_CHECK(r.st == MM_IMG_OK && polls > 10, "the interrupt callback is polled (%ld times)", polls);
	result_free(&r);
	for (n = 0; n < polls; n++)
	{
		memset(&is, 0, sizeof(is));
		is.stop_after = n;
		poster_of("h264.mp4", &x, &lim, &r, NULL);
		if (r.st != MM_IMG_INTERRUPTED)
			all_stopped = 0;
		if (r.bad || r.live != 0)
			all_clean = 0;
		result_free(&r);
	}
	MM_CHECK(all_stopped, "stopping at any of the %ld polls interrupts the call", polls);
	MM_CHECK(all_clean, "an interrupted call leaves nothing allocated and gives no output");
}

/* The read callback: reads stay inside the file, and a failing read fails the call. */
static void
test_reads(void)
{
	mm_xform	x = spec(64, 64, MM_RESIZE_CONTAIN, MM_THUMB_PNG);
	test_io		t;
	result		r;
	long		reads;
	long		n;
	int			all_failed = 1;

	memset(&t, 0, sizeof(t));
	poster_of("h264.mp4", &x, NULL, &r, &t);
	reads = t.reads;
	MM_CHECK(r.st == MM_IMG_OK && !t.out_of_range && t.biggest <= 64 * 1024,
			 "%ld reads, none outside the file, none over 64 kB (biggest %zu)", reads, t.biggest);
	result_free(&r);
	for (n = 1; n <= reads; n++)
	{
		memset(&t, 0, sizeof(t));
		t.fail_after = n;
		poster_of("h264.mp4", &x, NULL, &r, &t);
		if (r.st != MM_IMG_CORRUPT || r.bad || r.live != 0)
			all_failed = 0;
		result_free(&r);
	}
	MM_CHECK(all_failed, "a read failing at any of the %ld reads fails the call as corrupt, cleanly", reads);
}

/* Every prefix of two files: a poster or an error, never a crash or a leak. */
static void
test_prefixes(void)
{
	static const char *const files[] = {"vp9.webm", "quad.mov"};
	mm_xform	x = spec(32, 32, MM_RESIZE_CONTAIN, MM_THUMB_PNG);
	size_t		f;

	for (f = 0; f < 2; f++)
	{
		size_t		len = 0;
		uint8_t    *src = load(files[f], &len);
		size_t		cut;
		int			clean = 1;
		int			ok = 0;

		if (src == NULL)
		{
			MM_CHECK(0, "data/%s present", files[f]);
			continue;
		}
		for (cut = 0; cut < len; cut += 7)
		{
			alloc_stats st;
			mm_alloc	a = {hook_alloc, hook_free, &st};
			mm_limits	lim;
			mm_video_memory mem;
			mm_video_io io;
			uint8_t    *out = NULL;
			size_t		out_len = 0;
			char		err[256];
			mm_img_status s;

			memset(&st, 0, sizeof(st));
			memset(&lim, 0, sizeof(lim));
			lim.alloc = &a;
			mm_video_io_memory(&io, &mem, src, cut);
			s = mm_video_transform(&io, &x, &lim, &out, &out_len, NULL, err, sizeof(err));
			if (s == MM_IMG_OK)
				ok++;
			else if ((s != MM_IMG_CORRUPT && s != MM_IMG_UNSUPPORTED) || out != NULL || err[0] == '\0')
				clean = 0;
			mm_img_free(&lim, out);
			if (st.live != 0)
				clean = 0;
		}
		MM_CHECK(clean, "%s: every prefix gives a poster (%d) or a corrupt/unsupported error, leaving nothing",
				 files[f], ok);
		free(src);
	}
}

/* Which heads are videos. */
static void
test_sniff(void)
{
	static const struct
	{
		const char *file;
		mm_video_container c;
	}			cases[] = {
		{"h264.mp4", MM_VIDEO_ISOBMFF}, {"quad.mov", MM_VIDEO_ISOBMFF}, {"audio.m4a", MM_VIDEO_ISOBMFF},
		{"vp9.webm", MM_VIDEO_MATROSKA}, {"quad.mkv", MM_VIDEO_MATROSKA},
		{"q.heic", MM_VIDEO_NONE}, {"q.avif", MM_VIDEO_NONE}, {"q.jxl", MM_VIDEO_NONE},
	};
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		size_t		len = 0;
		uint8_t    *src = load(cases[i].file, &len);

		MM_CHECK(src != NULL && mm_video_sniff(src, len < MM_VIDEO_SNIFF_LEN ? len : MM_VIDEO_SNIFF_LEN) == cases[i].c,
				 "%s sniffs as container %d", cases[i].file, (int) cases[i].c);
		free(src);
	}
	MM_CHECK(mm_video_sniff(NULL, 0) == MM_VIDEO_NONE && mm_video_sniff((const uint8_t *) "\0\0\0\x08", 4) == MM_VIDEO_NONE,
			 "nothing and a bare box size are not videos");
}

int
main(void)
{
	test_sniff();
	test_frame_time();
	test_quadrants();
	test_modes_and_formats();
	test_refusals();
	test_limits();
	test_interrupts();
	test_reads();
	test_prefixes();
	return mm_test_done();
}
