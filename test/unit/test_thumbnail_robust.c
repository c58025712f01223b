/*
 * test_thumbnail_robust.c - mm_thumbnail() on every decoder path when
 * things go wrong: the interrupt callback stops it cleanly, allocation
 * failures at every point leave nothing allocated, truncated and
 * corrupted inputs give errors (never crashes or leaks), the truncation
 * policy, and bad arguments and unknown formats.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "mm_test.h"
#include "mm_encode.h"
#include "mm_thumb.h"

/* A set of small valid inputs of every decoder path, for the tests below. */
typedef struct sample
{
	const char *name;
	uint8_t    *p;
	size_t		len;
	int			rows;			/* decoded rows (for the polling count) */
} sample;

#define NSAMPLES 8

/* Builds the samples (free them with free_samples). */
static void
make_samples(sample *s)
{
	img			src = gradient_image(200, 150);
	jpeg_opts	base = {85, 0, 0, 2, 2, 0, 0, 0};
	jpeg_opts	prog = {85, 1, 0, 2, 2, 0, 0, 0};

	s[0].name = "baseline JPEG";
	s[0].p = make_jpeg(&src, &base, &s[0].len);
	s[0].rows = 150;
	s[1].name = "progressive JPEG";
	s[1].p = make_jpeg(&src, &prog, &s[1].len);
	s[1].rows = 150;
	s[2].name = "PNG";
	s[2].p = make_png(200, 150, PNG_COLOR_TYPE_RGB_ALPHA, 8, 0, 0, &s[2].len);
	s[2].rows = 150;
	s[3].name = "interlaced PNG";
	s[3].p = make_png(200, 150, PNG_COLOR_TYPE_PALETTE, 4, 1, 1, &s[3].len);
	s[3].rows = 150;
	s[4].name = "GIF";
	s[4].p = make_gif(200, 150, 0, 0, 200, 150, 1, 0, 0, &s[4].len);
	s[4].rows = 150;
	s[5].name = "interlaced GIF";
	s[5].p = make_gif(200, 150, 0, 0, 200, 150, 0, 1, 1, &s[5].len);
	s[5].rows = 150;
	s[6].name = "BMP";
	s[6].p = make_bmp(200, 150, 24, 0, &s[6].len);
	s[6].rows = 150;
	s[7].name = "RLE8 BMP";
	s[7].p = make_bmp(200, 150, 8, 3, &s[7].len);
	s[7].rows = 150;
	free(src.px);
}

/* Frees the samples. */
static void
free_samples(sample *s)
{
	int			i;

	for (i = 0; i < NSAMPLES; i++)
		free(s[i].p);
}

/* The interrupt callback stops every decoder cleanly. */
static void
test_interrupt(const sample *s)
{
	int			i;

	for (i = 0; i < NSAMPLES; i++)
	{
		alloc_stats st;
		int_state	is;
		char		err[128];
		mm_img_status r;
		long		stops[3] = {0, 3, 60};
		int			k;

		memset(&st, 0, sizeof(st));
		memset(&is, 0, sizeof(is));
		is.stop_after = 1000000;
		r = limited(s[i].p, s[i].len, 0, 0, &st, &is, err, sizeof(err));
		MM_CHECK(r == MM_IMG_OK && is.calls >= s[i].rows,
				 "%s: polled at least once per row (%ld polls for %d rows)", s[i].name,
				 is.calls, s[i].rows);
		for (k = 0; k < 3; k++)
		{
			memset(&st, 0, sizeof(st));
			memset(&is, 0, sizeof(is));
			is.stop_after = stops[k];
			r = limited(s[i].p, s[i].len, 0, 0, &st, &is, err, sizeof(err));
			MM_CHECK(r == MM_IMG_INTERRUPTED && st.live == 0 && is.calls == stops[k] + 1,
					 "%s: interrupted after %ld polls, everything freed (%s, %zu bytes live)",
					 s[i].name, stops[k], mm_img_status_name(r), st.live);
		}
	}
}

/* Allocation failures at every point leave nothing allocated. */
static void
test_alloc_failures(const sample *s)
{
	int			i;

	for (i = 0; i < NSAMPLES; i++)
	{
		long		n;
		int			clean = 1;
		int			nomem = 0;
		long		total;
		alloc_stats st;
		char		err[128];

		memset(&st, 0, sizeof(st));
		limited(s[i].p, s[i].len, 0, 0, &st, NULL, err, sizeof(err));
		total = st.count;
		for (n = 1; n <= total; n++)
		{
			mm_img_status r;

			memset(&st, 0, sizeof(st));
			st.fail_after = n;
			r = limited(s[i].p, s[i].len, 0, 0, &st, NULL, err, sizeof(err));
			if (st.live != 0 || r == MM_IMG_OK)
				clean = 0;
			if (r == MM_IMG_NOMEM)
				nomem++;
		}
		MM_CHECK(clean && nomem == total,
				 "%s: each of %ld allocations failing gives out-of-memory and frees all (%d)",
				 s[i].name, total, nomem);
	}
}

/* A small deterministic PRNG for the corruption tests. */
static uint32_t
lcg(uint32_t *state)
{
	*state = *state * 1664525u + 1013904223u;
	return *state >> 8;
}

/* Truncated and corrupted inputs give errors, never crashes or leaks. */
static void
test_corrupt(const sample *s)
{
	int			i;
	uint32_t	seed = 12345;

	for (i = 0; i < NSAMPLES; i++)
	{
		alloc_stats st;
		char		err[128];
		mm_img_status r;
		size_t		cut;
		int			leaks = 0;
		int			k;
		uint8_t    *copy = malloc(s[i].len);

		memset(&st, 0, sizeof(st));
		/* the policy for every format: a truncated file is refused, saying so */
		r = limited(s[i].p, s[i].len / 2, 0, 0, &st, NULL, err, sizeof(err));
		MM_CHECK(r == MM_IMG_CORRUPT && st.live == 0 && strstr(err, "truncated") != NULL,
				 "%s cut in half: refused as truncated (%s: %s)",
				 s[i].name, mm_img_status_name(r), err);
		for (cut = 0; cut < s[i].len; cut += 1 + s[i].len / 97)
		{
			memset(&st, 0, sizeof(st));
			r = limited(s[i].p, cut, 0, 0, &st, NULL, err, sizeof(err));
			if (st.live != 0)
				leaks++;
		}
		MM_CHECK(leaks == 0, "%s truncated at ~100 points: no crash, no leak", s[i].name);
		leaks = 0;
		for (k = 0; k < 300; k++)
		{
			int			flips = 1 + (int) (lcg(&seed) % 4);
			int			f;

			memcpy(copy, s[i].p, s[i].len);
			for (f = 0; f < flips; f++)
				copy[lcg(&seed) % s[i].len] = (uint8_t) lcg(&seed);
			memset(&st, 0, sizeof(st));
			r = limited(copy, s[i].len, 0, 0, &st, NULL, err, sizeof(err));
			if (st.live != 0)
				leaks++;
		}
		MM_CHECK(leaks == 0, "%s with 300 random corruptions: no crash, no leak", s[i].name);
		free(copy);
	}
}

/*
 * Thumbnails src cut by `cut` bytes at its end into PNG; returns the status
 * and, on success, the output (malloc'd) in *out and *olen.
 */
static mm_img_status
thumb_cut(const uint8_t *src, size_t len, size_t cut, uint8_t **out, size_t *olen, char *err,
		  size_t errlen)
{
	*out = NULL;
	*olen = 0;
	err[0] = '\0';
	return mm_thumbnail(src, len - cut, 32, 32, MM_THUMB_PNG, 0, NULL, out, olen, NULL, err, errlen);
}

/*
 * The truncation policy, the same for every format: a file whose end is
 * cut off but whose pixels are all there is decoded exactly as the whole
 * file (a PNG cut inside its last CRC or IEND, a single-scan JPEG without
 * its EOI marker, a GIF without its trailer); a file missing pixel data is
 * refused with "... truncated", never drawn in part.  A progressive JPEG
 * cannot tell a missing EOI from missing scans, so it is refused.
 */
static void
test_truncation_policy(const sample *s)
{
	static const struct
	{
		int			sample;
		size_t		cut;
		int			ok;
	}			v[] = {
		{2, 12, 1}, {2, 14, 1}, {2, 16, 1}, {2, 17, 0},	/* PNG: IEND, CRC, one data byte */
		{0, 1, 1}, {0, 2, 1}, {0, 3, 0}, {0, 40, 0},	/* baseline JPEG: EOI, then scan data */
		{1, 2, 0},				/* progressive JPEG without EOI */
		{4, 1, 1}, {4, 3, 1},	/* GIF: trailer, terminator and the end code's byte, */
		{4, 40, 0},				/* then image data */
		{6, 1, 0},				/* BMP: one pixel byte */
	};
	size_t		i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
	{
		const sample *x = &s[v[i].sample];
		uint8_t    *whole,
				   *cut;
		size_t		wlen,
					clen;
		char		err[256];
		mm_img_status st;

		(void) thumb_cut(x->p, x->len, 0, &whole, &wlen, err, sizeof(err));
		st = thumb_cut(x->p, x->len, v[i].cut, &cut, &clen, err, sizeof(err));
		if (v[i].ok)
			MM_CHECK(st == MM_IMG_OK && whole != NULL && clen == wlen && memcmp(cut, whole, wlen) == 0,
					 "%s without its last %zu bytes: decoded as the whole file (%s %s)", x->name,
					 v[i].cut, mm_img_status_name(st), err);
		else
			MM_CHECK(st == MM_IMG_CORRUPT && strstr(err, "truncated") != NULL,
					 "%s without its last %zu bytes: refused as truncated (%s: %s)", x->name,
					 v[i].cut, mm_img_status_name(st), err);
		free(whole);
		free(cut);
	}
}

/* Arguments and unknown formats. */
static void
test_args(const sample *s)
{
	uint8_t    *out = (uint8_t *) "x";
	size_t		olen = 99;
	char		err[128];
	mm_img_status st;

	st = mm_thumbnail(s[0].p, s[0].len, 0, 64, MM_THUMB_JPEG, 80, NULL, &out, &olen, NULL,
					  err, sizeof(err));
	MM_CHECK(st == MM_IMG_BAD_ARG && out == NULL && olen == 0, "a 0-wide box is refused");
	st = mm_thumbnail(s[0].p, s[0].len, 64, 64, MM_THUMB_JPEG, 101, NULL, &out, &olen, NULL,
					  err, sizeof(err));
	MM_CHECK(st == MM_IMG_BAD_ARG, "quality 101 is refused");
	st = mm_thumbnail(s[0].p, s[0].len, 64, 64, MM_THUMB_JPEG, 80, NULL, NULL, &olen, NULL,
					  err, sizeof(err));
	MM_CHECK(st == MM_IMG_BAD_ARG, "no output pointer is refused");
	st = mm_thumbnail((const uint8_t *) "", 0, 64, 64, MM_THUMB_JPEG, 80, NULL, &out, &olen,
					  NULL, err, sizeof(err));
	MM_CHECK(st == MM_IMG_UNSUPPORTED, "empty input: unsupported");
	st = mm_thumbnail((const uint8_t *) "hello, world", 12, 64, 64, MM_THUMB_JPEG, 80, NULL,
					  &out, &olen, NULL, err, sizeof(err));
	MM_CHECK(st == MM_IMG_UNSUPPORTED && strlen(err) > 0, "text: unsupported (%s)", err);
	MM_CHECK(mm_img_sniff(s[0].p, s[0].len) == MM_DEC_JPEG &&
			 mm_img_sniff(s[2].p, s[2].len) == MM_DEC_PNG &&
			 mm_img_sniff(s[4].p, s[4].len) == MM_DEC_GIF &&
			 mm_img_sniff(s[6].p, s[6].len) == MM_DEC_BMP, "formats are sniffed from magic bytes");
	MM_CHECK(strcmp(mm_img_status_name(MM_IMG_TOO_BIG), "too big") == 0, "status names");
}

/* Runs this file's groups and prints the TAP plan. */
int
main(void)
{
	sample		s[NSAMPLES];

	make_samples(s);
	test_interrupt(s);
	test_alloc_failures(s);
	test_corrupt(s);
	test_truncation_policy(s);
	test_args(s);
	free_samples(s);
	return mm_test_done();
}
