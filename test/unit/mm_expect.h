/*
 * mm_expect.h - the one-line check of a probe result (MIME, display size,
 * duration) that the probe unit tests share.  Include after mm_test.h.
 */
#ifndef MM_EXPECT_H
#define MM_EXPECT_H

#include <string.h>

#include "probe/probe.h"

/* Checks MIME, size and duration of a result in one line. */
static void
expect(const mm_probe *p, const char *mime, int64_t w, int64_t h, int64_t ms, const char *what)
{
	MM_CHECK(strcmp(p->mime, mime) == 0 && p->width == w && p->height == h && p->duration_ms == ms,
			 "%s: %s %lldx%lld %lldms (got %s %lldx%lld %lldms)", what, mime,
			 (long long) w, (long long) h, (long long) ms, p->mime,
			 (long long) p->width, (long long) p->height, (long long) p->duration_ms);
}

#endif
