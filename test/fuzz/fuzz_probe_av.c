/*
 * fuzz_probe_av.c - libFuzzer harness for the probes (aimed at the audio/
 * video ones, but every probe runs since mm_probe_source tries them all).
 *
 * Each input is probed twice:
 *   1. from one buffer (mm_probe_buffer): the result must be sane (a MIME
 *      type, sizes and duration >= -1, details well formed);
 *   2. through a windowed source that starts with only a head and a tail
 *      window (their sizes taken from the input's length) and answers each
 *      NEED with exactly the bytes asked for, as the glue does, for up to
 *      16 rounds.  Every NEED must ask for bytes inside the file that the
 *      windows do not already hold.  When the probe finishes within the
 *      rounds, its result must equal the buffer probe's.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe.h"

#define MAX_ROUNDS 16

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Are two probe results identical? */
static int
same_result(const mm_probe *a, const mm_probe *b)
{
	int			i;

	if (strcmp(a->mime, b->mime) != 0 || strcmp(a->media_type, b->media_type) != 0 ||
		a->width != b->width || a->height != b->height ||
		a->duration_ms != b->duration_ms || a->active_content != b->active_content ||
		a->ndetails != b->ndetails)
		return 0;
	for (i = 0; i < a->ndetails; i++)
		if (strcmp(a->details[i].key, b->details[i].key) != 0 ||
			a->details[i].kind != b->details[i].kind || a->details[i].i != b->details[i].i ||
			strcmp(a->details[i].s, b->details[i].s) != 0)
			return 0;
	return 1;
}

/* Aborts unless the result is well formed. */
static void
check_sane(const mm_probe *p)
{
	int			i;

	if (p->mime == NULL || p->mime[0] == '\0' || p->media_type == NULL ||
		p->width < -1 || p->height < -1 || p->duration_ms < -1 ||
		p->ndetails < 0 || p->ndetails > MM_PROBE_MAX_DETAILS)
	{
		fprintf(stderr, "insane result: %s %lldx%lld %lld ms, %d details\n",
				p->mime ? p->mime : "(null)", (long long) p->width, (long long) p->height,
				(long long) p->duration_ms, p->ndetails);
		abort();
	}
	for (i = 0; i < p->ndetails; i++)
		if (p->details[i].key == NULL || memchr(p->details[i].s, '\0', sizeof(p->details[i].s)) == NULL)
			abort();
}

/* Is [off, off+len) entirely covered by the union of the source's windows? */
static int
covered(const mm_source *src, uint64_t off, size_t len)
{
	uint64_t	pos = off,
				end = off + len;
	int			progress = 1;

	while (pos < end && progress)
	{
		int			i;

		progress = 0;
		for (i = 0; i < src->nwindows; i++)
		{
			const mm_window *w = &src->win[i];

			if (pos >= w->off && pos < w->off + w->len)
			{
				pos = w->off + w->len;
				progress = 1;
			}
		}
	}
	return pos >= end;
}

/* Probes through a head and a tail window, answering NEEDs from data. */
static void
probe_windowed(const uint8_t *data, size_t size, size_t hw, size_t tw, const mm_probe *want)
{
	mm_source	src;
	mm_probe	got;
	int			rounds = 0;

	mm_source_init(&src, size);
	if (hw > size)
		hw = size;
	if (tw > size - hw)
		tw = size - hw;
	if (hw > 0)
		mm_source_add(&src, 0, data, hw);
	if (tw > 0)
		mm_source_add(&src, size - tw, data + size - tw, tw);
	for (;;)
	{
		mm_probe_status st = mm_probe_source(&src, &got);

		if (st == MM_PROBE_OK)
			break;
		if (!src.need || src.need_len == 0 || src.need_off > size ||
			src.need_len > size - src.need_off)
		{
			fprintf(stderr, "bad NEED %llu+%zu (size %zu)\n",
					(unsigned long long) src.need_off, src.need_len, size);
			abort();
		}
		if (src.need_len <= 64 * 1024 * 1024 && covered(&src, src.need_off, src.need_len) &&
			src.nwindows > 0)
		{
			/* mm_peek wants one window; a union of windows is a legitimate miss */
			int			i,
						one = 0;

			for (i = 0; i < src.nwindows; i++)
				if (src.need_off >= src.win[i].off &&
					src.need_off - src.win[i].off + src.need_len <= src.win[i].len)
					one = 1;
			if (one)
			{
				fprintf(stderr, "NEED for bytes a window already holds: %llu+%zu\n",
						(unsigned long long) src.need_off, src.need_len);
				abort();
			}
		}
		if (++rounds > MAX_ROUNDS ||
			mm_source_add(&src, src.need_off, data + src.need_off, src.need_len) != 0)
			return;				/* the glue would give up here too */
	}
	check_sane(&got);
	if (!same_result(want, &got))
	{
		fprintf(stderr, "windowed (%zu+%zu, %d rounds) %s %lldx%lld %lld ms, %d details\n"
				"   buffer %s %lldx%lld %lld ms, %d details\n", hw, tw, rounds,
				got.mime, (long long) got.width, (long long) got.height,
				(long long) got.duration_ms, got.ndetails,
				want->mime, (long long) want->width, (long long) want->height,
				(long long) want->duration_ms, want->ndetails);
		abort();
	}
}

/* Probes the input from a buffer and through two window layouts. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mm_probe	want;
	uint8_t    *copy;

	/* an exact-size copy, so a read past the end is caught */
	copy = malloc(size ? size : 1);
	if (copy == NULL)
		return 0;
	if (size)
		memcpy(copy, data, size);
	mm_probe_buffer(copy, size, &want);
	check_sane(&want);
	probe_windowed(copy, size, size / 3, size / 4, &want);
	probe_windowed(copy, size, 16, 16, &want);
	free(copy);
	return 0;
}
