/*
 * util/source.c - the windowed read-at-offset view parsers work on.
 *
 * Reads are satisfied from up to MM_SOURCE_MAX_WINDOWS in-memory slices of a
 * file; a read that the slices do not cover records the bytes it wanted so
 * the caller can fetch them and rerun the parser.  Every range is checked
 * for overflow before any arithmetic on it.
 */
#include "util/source.h"

#include <string.h>

/* Starts a source of the given size with no windows and no pending need. */
void
mm_source_init(mm_source *src, uint64_t size)
{
	memset(src, 0, sizeof(*src));
	src->size = size;
}

/* Starts a source whose single window is the whole file. */
void
mm_source_init_mem(mm_source *src, const uint8_t *data, size_t len)
{
	mm_source_init(src, (uint64_t) len);
	if (len > 0)
		mm_source_add(src, 0, data, len);
}

/*
 * Adds the window data[0..len) at file offset off.  Refuses a full table,
 * a NULL buffer and a window that overflows or runs past the file's end.
 * An empty window is accepted and ignored.
 */
int
mm_source_add(mm_source *src, uint64_t off, const uint8_t *data, size_t len)
{
	if (off > src->size || (uint64_t) len > src->size - off)
		return -1;
	if (len == 0)
		return 0;
	if (data == NULL || src->nwindows >= MM_SOURCE_MAX_WINDOWS)
		return -1;
	src->win[src->nwindows].off = off;
	src->win[src->nwindows].len = len;
	src->win[src->nwindows].data = data;
	src->nwindows++;
	return 0;
}

/*
 * Returns the index of the window that holds byte pos and reaches furthest
 * past it, or -1 when no window holds it.
 */
static int
source_find(const mm_source *src, uint64_t pos)
{
	int			best = -1;
	uint64_t	best_end = 0;
	int			i;

	for (i = 0; i < src->nwindows; i++)
	{
		const mm_window *w = &src->win[i];
		uint64_t	wend = w->off + (uint64_t) w->len;	/* <= size, checked in add */

		if (pos >= w->off && pos < wend && wend > best_end)
		{
			best = i;
			best_end = wend;
		}
	}
	return best;
}

/* Records the first read that the windows could not satisfy. */
static void
source_set_need(mm_source *src, uint64_t off, size_t len)
{
	if (!src->need)
	{
		src->need = 1;
		src->need_off = off;
		src->need_len = len;
	}
}

/*
 * Checks that [off, off+len) lies inside the file: EOF when it overflows or
 * runs past the end.
 */
static mm_src_status
source_check_range(const mm_source *src, uint64_t off, size_t len)
{
	if (off > src->size || (uint64_t) len > src->size - off)
		return MM_SRC_EOF;
	return MM_SRC_OK;
}

/*
 * Copies len bytes at off into buf, taking each piece from a window that
 * holds it, so adjacent or overlapping windows serve a read together.  The
 * coverage is checked before anything is copied: all or nothing.
 */
mm_src_status
mm_read(mm_source *src, uint64_t off, void *buf, size_t len)
{
	uint64_t	end;
	uint64_t	pos;
	int			pass;

	if (source_check_range(src, off, len) != MM_SRC_OK)
		return MM_SRC_EOF;
	end = off + (uint64_t) len;

	/* pass 0 checks coverage, pass 1 copies */
	for (pass = 0; pass < 2; pass++)
	{
		for (pos = off; pos < end;)
		{
			int			i = source_find(src, pos);
			const mm_window *w;
			uint64_t	wend;
			uint64_t	stop;

			if (i < 0)
			{
				source_set_need(src, off, len);
				return MM_SRC_NEED;
			}
			w = &src->win[i];
			wend = w->off + (uint64_t) w->len;
			stop = wend < end ? wend : end;
			if (pass == 1)
				memcpy((uint8_t *) buf + (pos - off), w->data + (pos - w->off),
					   (size_t) (stop - pos));
			pos = stop;
		}
	}
	return MM_SRC_OK;
}

/*
 * Returns a pointer to len bytes at off inside a single window.  A zero-length
 * peek inside the file succeeds with a pointer that must not be read.
 */
const uint8_t *
mm_peek(mm_source *src, uint64_t off, size_t len, mm_src_status *status)
{
	static const uint8_t empty[1] = {0};
	mm_src_status dummy;
	int			i;

	if (status == NULL)
		status = &dummy;
	if (source_check_range(src, off, len) != MM_SRC_OK)
	{
		*status = MM_SRC_EOF;
		return NULL;
	}
	*status = MM_SRC_OK;
	if (len == 0)
		return empty;
	for (i = 0; i < src->nwindows; i++)
	{
		const mm_window *w = &src->win[i];

		if (off >= w->off && (uint64_t) len <= w->len &&
			off - w->off <= (uint64_t) w->len - len)
			return w->data + (off - w->off);
	}
	source_set_need(src, off, len);
	*status = MM_SRC_NEED;
	return NULL;
}
