/*
 * probe/scan.h - small helpers shared by the image and document probes.
 *
 * Limits for the walks that run far into a file (GIF and WebP frames, TIFF
 * pages, ZIP central directories) and the way such a walk asks for more
 * bytes: a walk that leaves the windows widens the source's pending request
 * so that one round trip through the caller serves many later reads.
 */
#ifndef MM_PROBE_SCAN_H
#define MM_PROBE_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "probe/formats.h"

/* Sequential walks (frame counting) stop at this file offset. */
#define MM_SCAN_LIMIT		((uint64_t) 8 * 1024 * 1024)

/* A sequential walk that runs out of windows asks for this many bytes. */
#define MM_NEED_CHUNK		((uint64_t) 1024 * 1024)

/*
 * A header walk (chunks, segments, boxes, attributes) that runs out of
 * windows asks for at least this many bytes, so that the following small
 * reads fall into the same new window.
 */
#define MM_NEED_HEADER		((uint64_t) 64 * 1024)

/* The text-like formats look at no more than this prefix of the file. */
#define MM_TEXT_PREFIX		((size_t) 64 * 1024)

/*
 * Widens the pending NEED request of src to len bytes (clipped to the end of
 * the file), so that a walk which will read on from need_off gets all those
 * bytes in one window instead of one round trip per small read.
 */
static inline void
mm_need_widen(mm_source *src, uint64_t len)
{
	uint64_t	room;

	if (!src->need || src->need_off >= src->size)
		return;
	room = src->size - src->need_off;
	if (len > room)
		len = room;
	if (len > (uint64_t) src->need_len && len <= (uint64_t) SIZE_MAX)
		src->need_len = (size_t) len;
}

/* Widens the pending request to at least len bytes and returns MM_FMT_NEED. */
static inline int
mm_fmt_need(mm_source *src, uint64_t len)
{
	mm_need_widen(src, len);
	return MM_FMT_NEED;
}

/*
 * Stores a header's width and height as data: positive values are reported
 * as they are (never used for anything else), zero or negative ones as
 * unknown (-1).
 */
static inline void
mm_set_size(mm_probe *out, int64_t width, int64_t height)
{
	out->width = width > 0 ? width : -1;
	out->height = height > 0 ? height : -1;
}

/* ASCII-only case folding, independent of the C locale. */
static inline int
mm_ascii_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* Whether len bytes at p equal the ASCII string s, ignoring ASCII case. */
static inline int
mm_ascii_ieq(const uint8_t *p, size_t len, const char *s)
{
	size_t		i;

	for (i = 0; i < len; i++)
	{
		if (s[i] == '\0' || mm_ascii_lower(p[i]) != mm_ascii_lower((unsigned char) s[i]))
			return 0;
	}
	return s[len] == '\0';
}

/* Whether the ASCII string s is a case-insensitive prefix of p[0..len). */
static inline int
mm_ascii_iprefix(const uint8_t *p, size_t len, const char *s)
{
	size_t		i;

	for (i = 0; s[i] != '\0'; i++)
	{
		if (i >= len || mm_ascii_lower(p[i]) != mm_ascii_lower((unsigned char) s[i]))
			return 0;
	}
	return 1;
}

#endif
