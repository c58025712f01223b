/*
 * mm_alloc.h - a counting allocator for the unit tests: plugged in as the
 * core's mm_alloc (or zlib hooks), it tracks live and peak bytes and can
 * fail the Nth allocation; and an interrupt callback that says stop after
 * a given number of polls.
 */
#ifndef MM_ALLOC_H
#define MM_ALLOC_H

#include <stdint.h>
#include <stdlib.h>

/* Counts what goes through the mm_alloc hook. */
typedef struct alloc_stats
{
	size_t		live;
	size_t		peak;			/* most bytes live at once */
	size_t		biggest;
	size_t		total;
	long		count;
	long		fail_after;		/* fail the Nth allocation (0: never) */
} alloc_stats;

/* Allocation hook with a size header, so live bytes can be tracked. */
static void *
hook_alloc(void *arg, size_t size)
{
	alloc_stats *s = arg;
	size_t	   *p;

	s->count++;
	if (s->fail_after > 0 && s->count >= s->fail_after)
		return NULL;
	p = malloc(size + 16);
	if (p == NULL)
		return NULL;
	p[0] = size;
	s->live += size;
	if (s->live > s->peak)
		s->peak = s->live;
	s->total += size;
	if (size > s->biggest)
		s->biggest = size;
	return (uint8_t *) p + 16;
}

/* Free hook matching hook_alloc. */
static void
hook_free(void *arg, void *ptr)
{
	alloc_stats *s = arg;
	size_t	   *p;

	if (ptr == NULL)
		return;
	p = (size_t *) ((uint8_t *) ptr - 16);
	s->live -= p[0];
	free(p);
}

/* Interrupt callback state: says stop once it has been asked stop_after times. */
typedef struct int_state
{
	long		calls;
	long		stop_after;
} int_state;

/* The interrupt callback (mm_limits.interrupted). */
static int
interrupt_cb(void *arg)
{
	int_state  *s = arg;

	return ++s->calls > s->stop_after;
}

#endif
