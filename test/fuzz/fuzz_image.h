/*
 * fuzz_image.h - what the image harnesses share: a counting allocator hook
 * (anything still allocated after a call is a finding), require(), and one
 * mm_thumbnail() call whose result is checked against the box; and the
 * body of the single-decoder harnesses (fuzz_dec_*.c).
 */
#ifndef FUZZ_IMAGE_H
#define FUZZ_IMAGE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"

/* Aborts (a finding) when cond is false. */
static void
require(int cond)
{
	if (!cond)
		abort();
}

/* Counts live allocations made through the hook. */
static long live;

/* Allocation hook. */
static void *
count_alloc(void *arg, size_t n)
{
	void	   *p = malloc(n ? n : 1);

	(void) arg;
	if (p != NULL)
		live++;
	return p;
}

/* Free hook. */
static void
count_free(void *arg, void *p)
{
	(void) arg;
	if (p != NULL)
		live--;
	free(p);
}

/*
 * Thumbnails data into a box x box square with lim (whose allocator must
 * be the counting hook) and checks the outcome: a thumbnail inside the
 * box and no larger than the source, or an error with a message and no
 * output; nothing left allocated either way.
 */
static mm_img_status
fuzz_thumbnail_one(const uint8_t *data, size_t size, int box, mm_thumb_format fmt,
				   const mm_limits *lim)
{
	uint8_t    *out = NULL;
	size_t		out_len = 0;
	mm_thumb_info info;
	char		err[256];
	mm_img_status st;

	live = 0;
	st = mm_thumbnail(data, size, box, box, fmt, 75, lim, &out, &out_len, &info, err, sizeof(err));
	if (st == MM_IMG_OK)
	{
		require(out != NULL && out_len > 0);
		require(info.out_width >= 1 && info.out_width <= box);
		require(info.out_height >= 1 && info.out_height <= box);
		require(info.out_width <= info.src_width && info.out_height <= info.src_height);
		mm_img_free(lim, out);
	}
	else
		require(out == NULL && out_len == 0 && err[0] != '\0');
	require(live == 0);
	return st;
}

/* Polls left before the interrupt callback says stop (negative: never). */
static long polls_left;

/* Interrupt callback: stops once polls_left runs out. */
static int
fuzz_interrupted(void *arg)
{
	(void) arg;
	if (polls_left < 0)
		return 0;
	return polls_left-- == 0;
}

/*
 * One input for the harness of one decoder: inputs another decoder would
 * take are skipped.  Limits are small (1 Mpx, 64 MB per allocation, a
 * 48 MB budget) so a lying header is refused rather than allocated; the
 * last byte picks the output format and, for one input in five, after how
 * many polls the call is interrupted.
 */
static int
fuzz_one_decoder(const uint8_t *data, size_t size, mm_img_decoder decoder)
{
	mm_alloc	a = {count_alloc, count_free, NULL};
	mm_limits	lim = {1000000, (uint64_t) 64 << 20, fuzz_interrupted, NULL, &a, (uint64_t) 48 << 20};
	int			sel = size > 0 ? data[size - 1] : 0;
	mm_img_status st;

	if (mm_img_sniff(data, size) != decoder)
		return 0;
	polls_left = size % 5 == 0 ? sel * 3 : -1;
	st = fuzz_thumbnail_one(data, size, 64, (sel & 1) ? MM_THUMB_PNG : MM_THUMB_JPEG, &lim);
	require(st != MM_IMG_INTERRUPTED || size % 5 == 0);
	return 0;
}

#endif
