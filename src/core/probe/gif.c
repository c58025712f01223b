/*
 * probe/gif.c - GIF87a and GIF89a.
 *
 * The display size is the logical screen size.  Frames are counted by
 * walking the block structure (extensions and image descriptors, each
 * followed by length-prefixed sub-blocks) up to MM_SCAN_LIMIT bytes into
 * the file; a walk cut short by that limit reports animated (when two
 * frames were seen) but no frame count.
 */
#include <string.h>

#include "probe/scan.h"

/* Blocks (extensions + images) walked at most. */
#define GIF_MAX_BLOCKS 1000000

/* State of the block walk. */
typedef struct gif_walk
{
	int64_t		frames;
	int64_t		delay_cs;		/* sum of frame delays, 1/100 s */
	int			transparent;
	int			interlaced;		/* first frame */
	int			complete;		/* reached the trailer or end of file */
} gif_walk;

/*
 * Skips a chain of data sub-blocks starting at *off (each a length byte and
 * that many bytes, ended by a zero length).  Returns MM_SRC_OK with *off past
 * the terminator, or EOF/NEED.  The walk never passes MM_SCAN_LIMIT.
 */
static mm_src_status
gif_skip_subblocks(mm_source *src, uint64_t *off)
{
	uint8_t		n;
	mm_src_status st;
	uint64_t	i;

	/* each sub-block is at least one byte: the limit bounds the count too */
	for (i = 0; i < MM_SCAN_LIMIT; i++)
	{
		if (*off >= MM_SCAN_LIMIT)
			return MM_SRC_EOF;
		if ((st = mm_read(src, *off, &n, 1)) != MM_SRC_OK)
			return st;
		*off += 1 + (uint64_t) n;
		if (n == 0)
			return MM_SRC_OK;
	}
	return MM_SRC_EOF;
}

/*
 * Walks the blocks after the header and global colour table.  Returns
 * MM_FMT_NEED (with the request widened for the rest of the walk) or
 * MM_FMT_YES.
 */
static int
gif_walk_blocks(mm_source *src, uint64_t off, gif_walk *w)
{
	long		nblocks;
	mm_src_status st = MM_SRC_OK;

	for (nblocks = 0; nblocks < GIF_MAX_BLOCKS; nblocks++)
	{
		uint8_t		b[10];

		if (off >= MM_SCAN_LIMIT)
			return MM_FMT_YES;	/* cut short: frame count unknown */
		if ((st = mm_read(src, off, b, 1)) != MM_SRC_OK)
			break;
		if (b[0] == 0x3B)
		{
			w->complete = 1;	/* trailer */
			return MM_FMT_YES;
		}
		if (b[0] == 0x21)
		{
			/* extension: label, then sub-blocks */
			if ((st = mm_read(src, off + 1, b, 1)) != MM_SRC_OK)
				break;
			if (b[0] == 0xF9)
			{
				uint8_t		g[6];

				/* graphic control: size 4, flags, delay, transparent index */
				if ((st = mm_read(src, off + 2, g, 6)) != MM_SRC_OK)
					break;
				if (g[0] == 4)
				{
					w->delay_cs += mm_le16(g + 2);
					if (g[1] & 1)
						w->transparent = 1;
				}
			}
			off += 2;
			if ((st = gif_skip_subblocks(src, &off)) != MM_SRC_OK)
				break;
		}
		else if (b[0] == 0x2C)
		{
			/* image descriptor: 9 bytes, local colour table, LZW size, data */
			if ((st = mm_read(src, off, b, 10)) != MM_SRC_OK)
				break;
			if (w->frames == 0)
				w->interlaced = (b[9] & 0x40) != 0;
			w->frames++;
			off += 10;
			if (b[9] & 0x80)
				off += 3 * ((uint64_t) 1 << ((b[9] & 7) + 1));
			off += 1;			/* LZW minimum code size */
			if ((st = gif_skip_subblocks(src, &off)) != MM_SRC_OK)
				break;
		}
		else
		{
			w->complete = 1;	/* junk where a block should start: stop */
			return MM_FMT_YES;
		}
	}
	if (st == MM_SRC_NEED)
	{
		mm_need_widen(src, MM_NEED_CHUNK);
		return MM_FMT_NEED;
	}
	/* end of file (a truncated GIF) counts as complete; the scan limit not */
	if (st == MM_SRC_EOF && off < MM_SCAN_LIMIT)
		w->complete = 1;
	return MM_FMT_YES;
}

/* Probes GIF: the logical screen size, then the block walk for frames. */
int
mm_probe_gif(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	gif_walk	w;
	uint64_t	off;
	int			r;

	if (headlen < 6 || (memcmp(head, "GIF87a", 6) != 0 && memcmp(head, "GIF89a", 6) != 0))
		return MM_FMT_NO;
	mm_probe_set_type(out, "image/gif");
	if (headlen < 13)
		return MM_FMT_YES;
	mm_set_size(out, mm_le16(head + 6), mm_le16(head + 8));
	mm_probe_add_str(out, "version", head[3] == '8' && head[4] == '7' ? "87a" : "89a");

	off = 13;
	if (head[10] & 0x80)
		off += 3 * ((uint64_t) 1 << ((head[10] & 7) + 1));
	memset(&w, 0, sizeof(w));
	r = gif_walk_blocks(src, off, &w);
	if (r == MM_FMT_NEED)
		return r;
	mm_probe_add_bool(out, "interlaced", w.interlaced);
	mm_probe_add_bool(out, "has_alpha", w.transparent);
	if (w.complete)
	{
		mm_probe_add_int(out, "frames", w.frames);
		mm_probe_add_bool(out, "animated", w.frames > 1);
		if (w.frames > 1)
			out->duration_ms = w.delay_cs * 10;
	}
	else if (w.frames > 1)
		mm_probe_add_bool(out, "animated", 1);
	return MM_FMT_YES;
}
