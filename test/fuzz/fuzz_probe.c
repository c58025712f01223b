/*
 * fuzz_probe.c - libFuzzer harness for the format probes (mm_probe_source
 * and every probe it dispatches to).
 *
 * 1. Probes the input from one exact-size heap copy (mm_probe_buffer) and
 *    checks the result's invariants: a MIME and media type, a bounded
 *    detail list with NUL-terminated strings, sizes -1 or positive.
 * 2. Probes it again through a windowed source holding only a head window
 *    (its length picked from the input's size, 1 byte to 64 KB) and serving
 *    each NEED with a window of exactly the requested bytes.  Every window
 *    is its own exact-size heap copy, so ASan catches a probe that reads
 *    past a window through an mm_peek pointer.  When that finishes within
 *    the source's window limit, the result must equal the first one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts (a finding) when cond is false. */
static void
require(int cond)
{
	if (!cond)
		abort();
}

/* Checks the invariants every probe result must keep. */
static void
check_result(const mm_probe *p)
{
	int			i;

	require(p->mime != NULL && p->media_type != NULL);
	require(strlen(p->mime) > 0 && strchr(p->mime, '/') != NULL);
	require(p->ndetails >= 0 && p->ndetails <= MM_PROBE_MAX_DETAILS);
	require(p->width == -1 || p->width > 0);
	require(p->height == -1 || p->height > 0);
	require(p->duration_ms >= -1);
	require(p->active_content == 0 || p->active_content == 1);
	for (i = 0; i < p->ndetails; i++)
	{
		const mm_detail *d = &p->details[i];

		require(d->key != NULL && d->key[0] != '\0');
		require(d->kind == MM_DETAIL_INT || d->kind == MM_DETAIL_BOOL || d->kind == MM_DETAIL_STR);
		if (d->kind == MM_DETAIL_STR)
			require(memchr(d->s, '\0', sizeof(d->s)) != NULL);
		if (d->kind == MM_DETAIL_BOOL)
			require(d->i == 0 || d->i == 1);
	}
}

/* Whether two results are identical. */
static int
same_result(const mm_probe *a, const mm_probe *b)
{
	int			i;

	if (strcmp(a->mime, b->mime) != 0 || strcmp(a->media_type, b->media_type) != 0 ||
		a->width != b->width || a->height != b->height || a->duration_ms != b->duration_ms ||
		a->active_content != b->active_content || a->ndetails != b->ndetails)
		return 0;
	for (i = 0; i < a->ndetails; i++)
	{
		if (strcmp(a->details[i].key, b->details[i].key) != 0 ||
			a->details[i].kind != b->details[i].kind || a->details[i].i != b->details[i].i ||
			strcmp(a->details[i].s, b->details[i].s) != 0)
			return 0;
	}
	return 1;
}

/* An exact-size heap copy of data[off..off+len) (1 byte when empty). */
static uint8_t *
copy_window(const uint8_t *data, uint64_t off, size_t len)
{
	uint8_t    *w = malloc(len ? len : 1);

	require(w != NULL);
	if (len)
		memcpy(w, data + off, len);
	return w;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t heads[] = {1, 13, 512, 4096, 4097, 65536};
	uint8_t    *whole;
	uint8_t    *wins[MM_SOURCE_MAX_WINDOWS];
	int			nwins = 0;
	mm_probe	a;
	mm_probe	b;
	mm_source	src;
	size_t		head;
	int			round;
	int			done = 0;

	whole = copy_window(data, 0, size);
	mm_probe_buffer(whole, size, &a);
	check_result(&a);
	free(whole);

	/* the windowed path: a head window, then exactly what NEED asks for */
	head = heads[size % (sizeof(heads) / sizeof(heads[0]))];
	if (head > size)
		head = size;
	mm_source_init(&src, size);
	if (head > 0)
	{
		wins[nwins] = copy_window(data, 0, head);
		require(mm_source_add(&src, 0, wins[nwins], head) == 0);
		nwins++;
	}
	for (round = 0; round < 64; round++)
	{
		if (mm_probe_source(&src, &b) == MM_PROBE_OK)
		{
			done = 1;
			break;
		}
		/* a NEED names bytes that exist and are not all in the windows */
		require(src.need && src.need_off < size && src.need_len > 0 &&
				src.need_len <= size - src.need_off);
		if (nwins >= MM_SOURCE_MAX_WINDOWS)
			break;
		wins[nwins] = copy_window(data, src.need_off, src.need_len);
		require(mm_source_add(&src, src.need_off, wins[nwins], src.need_len) == 0);
		nwins++;
	}
	if (done)
	{
		check_result(&b);
		require(same_result(&a, &b));
	}
	while (nwins > 0)
		free(wins[--nwins]);
	return 0;
}
