/*
 * fuzz_dec.h - what the image harnesses share: an allocation-counting
 * mm_alloc, and (for the single-decoder harnesses fuzz_dec_*.c) one
 * mm_thumbnail() call under small limits.
 *
 * Limits: 4 Mpx, 64 MB per allocation, a 96 MB budget, a 64x64 box; the
 * last input byte picks JPEG or PNG output.  A finding (abort) is a
 * thumbnail outside the box, an output or no message on failure, or
 * anything still allocated after the call.
 */
#ifndef FUZZ_DEC_H
#define FUZZ_DEC_H

#include <stdint.h>
#include <stdlib.h>

#include "image/image.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Live allocations made through the hook. */
static long fuzz_live;

/* Allocation hook. */
static void *
fuzz_alloc(void *arg, size_t n)
{
	void	   *p = malloc(n ? n : 1);

	(void) arg;
	if (p != NULL)
		fuzz_live++;
	return p;
}

/* Free hook. */
static void
fuzz_free(void *arg, void *p)
{
	(void) arg;
	if (p != NULL)
		fuzz_live--;
	free(p);
}

/* Aborts (a finding) when cond is false. */
static void
fuzz_require(int cond)
{
	if (!cond)
		abort();
}

/* Makes a thumbnail of data and checks the outcome. */
static inline void
fuzz_dec_thumbnail(const uint8_t *data, size_t size)
{
	mm_alloc	a = {fuzz_alloc, fuzz_free, NULL};
	mm_limits	lim = {4000000, (uint64_t) 64 << 20, NULL, NULL, &a, (uint64_t) 96 << 20};
	uint8_t    *out = NULL;
	size_t		out_len = 0;
	mm_thumb_info info;
	char		err[256];
	mm_img_status st;

	fuzz_live = 0;
	st = mm_thumbnail(data, size, 64, 64, (data[size - 1] & 1) ? MM_THUMB_PNG : MM_THUMB_JPEG,
					  75, &lim, &out, &out_len, &info, err, sizeof(err));
	if (st == MM_IMG_OK)
	{
		fuzz_require(out != NULL && out_len > 0);
		fuzz_require(info.out_width >= 1 && info.out_width <= 64);
		fuzz_require(info.out_height >= 1 && info.out_height <= 64);
		mm_img_free(&lim, out);
	}
	else
		fuzz_require(out == NULL && out_len == 0 && err[0] != '\0');
	fuzz_require(fuzz_live == 0);
}

#endif
