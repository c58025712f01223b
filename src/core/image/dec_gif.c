/*
 * image/dec_gif.c - GIF decoding for thumbnails: the first frame on its
 * logical screen, with its local or global palette and transparency.
 *
 * The LZW decoder is the classic one (a 4096-entry prefix/suffix table, a
 * string stack bounded by the table size, deferred clear when the table is
 * full).  It stops at the frame's pixel count however many codes remain,
 * rejects codes that are not yet in the table, and polls the interrupt
 * callback once per decoded row.  The frame and the screen are both checked
 * against max_pixels before the frame's index buffer (one byte per pixel)
 * is allocated.  Pixels the data does not cover (an early end code, a frame
 * smaller than the screen) are transparent; data running off the end of
 * the file is an error.  Images with no delay are shown for no time: when
 * the first image has none, more follow and the file is not marked as an
 * animation (no loop extension), the first frame is what they compose (see
 * compose_frame: GIFs that tile a picture from images with a palette each,
 * as gdk-pixbuf's GIF test suite expects).
 */
#include "image/internal.h"
#include "util/source.h"

#include <string.h>

#define LZW_MAX 4096

typedef struct gif_dec
{
	mm_img_ctx *ctx;
	const uint8_t *p;
	size_t		len;
	size_t		pos;
	/* bit reader over the image data sub-blocks */
	size_t		blk_left;
	int			blk_end;		/* the zero-length terminator was read */
	uint32_t	bits;
	int			nbits;
	/* the frame */
	int			fx;
	int			fy;
	int			fw;
	int			fh;
	int			interlaced;
	uint8_t    *index;			/* fw * fh palette indices */
	uint64_t	npix;			/* pixels decoded, in data order */
	uint16_t	prefix[LZW_MAX];
	uint8_t		suffix[LZW_MAX];
	uint8_t		first[LZW_MAX];
	uint8_t		stack[LZW_MAX];
} gif_dec;

/* Reads the next byte of the file; -1 at its end. */
static int
next_byte(gif_dec *g)
{
	if (g->pos >= g->len)
		return -1;
	return g->p[g->pos++];
}

/*
 * Reads a code of n bits from the image data.  Returns the code, -1 at
 * the data's terminator (no more codes) or -2 when the file ends first.
 */
static int
read_code(gif_dec *g, int n)
{
	while (g->nbits < n)
	{
		int			b;

		if (g->blk_left == 0)
		{
			if (g->blk_end)
				return -1;
			b = next_byte(g);
			if (b < 0)
				return -2;
			if (b == 0)
			{
				g->blk_end = 1;
				return -1;
			}
			g->blk_left = (size_t) b;
		}
		b = next_byte(g);
		if (b < 0)
			return -2;
		g->blk_left--;
		g->bits |= (uint32_t) b << g->nbits;
		g->nbits += 8;
	}
	{
		int			code = (int) (g->bits & ((1u << n) - 1));

		g->bits >>= n;
		g->nbits -= n;
		return code;
	}
}

/* Skips data sub-blocks up to and including the terminator; -1 at EOF. */
static int
skip_blocks(gif_dec *g)
{
	for (;;)
	{
		int			n = next_byte(g);

		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		if ((size_t) n > g->len - g->pos)
			return -1;
		g->pos += (size_t) n;
	}
}

/* The data-order row index of display row y of the frame. */
static int
data_row(const gif_dec *g, int y)
{
	int			h = g->fh;
	int			n0 = (h + 7) / 8;
	int			n1 = (h + 3) / 8;
	int			n2 = (h + 1) / 4;

	if (!g->interlaced)
		return y;
	if (y % 8 == 0)
		return y / 8;
	if (y % 8 == 4)
		return n0 + y / 8;
	if (y % 4 == 2)
		return n0 + n1 + y / 4;
	return n0 + n1 + n2 + y / 2;
}

/*
 * Decodes the LZW data of the frame into g->index, in data order mapped
 * to display rows (interlaced frames come in four passes).
 */
static mm_img_status
lzw_decode(gif_dec *g, int min_size)
{
	static const int pass_start[4] = {0, 4, 2, 1};
	static const int pass_step[4] = {8, 8, 4, 2};
	int			clear = 1 << min_size;
	int			eoi = clear + 1;
	int			next = clear + 2;
	int			size = min_size + 1;
	int			prev = -1;
	int			x = 0;
	int			row = 0;
	int			pass = 0;
	uint64_t	total = (uint64_t) g->fw * g->fh;
	int			c;

	for (c = 0; c < clear; c++)
	{
		g->prefix[c] = 0;
		g->suffix[c] = (uint8_t) c;
		g->first[c] = (uint8_t) c;
	}
	while (g->npix < total)
	{
		int			code = read_code(g, size);
		int			sp = 0;

		if (code == -2)
			return mm_img_fail(g->ctx, MM_IMG_CORRUPT, "the GIF file is truncated");
		if (code < 0 || code == eoi)
			break;
		if (code == clear)
		{
			next = clear + 2;
			size = min_size + 1;
			prev = -1;
			continue;
		}
		if (prev < 0)
		{
			if (code > clear)
				return mm_img_fail(g->ctx, MM_IMG_CORRUPT, "invalid GIF code");
			g->stack[sp++] = (uint8_t) code;
		}
		else
		{
			int			s;

			if (code > next || (code == next && next >= LZW_MAX))
				return mm_img_fail(g->ctx, MM_IMG_CORRUPT, "invalid GIF code");
			if (code == next)
			{
				/* the KwKwK case: prev's string plus its own first pixel */
				g->stack[sp++] = g->first[prev];
				s = prev;
			}
			else
				s = code;
			while (s > eoi && sp < LZW_MAX - 1)
			{
				g->stack[sp++] = g->suffix[s];
				s = g->prefix[s];
			}
			if (s >= clear)
				return mm_img_fail(g->ctx, MM_IMG_CORRUPT, "invalid GIF code");
			g->stack[sp++] = (uint8_t) s;
			if (next < LZW_MAX)
			{
				g->prefix[next] = (uint16_t) prev;
				g->first[next] = g->first[prev];
				g->suffix[next] = code == next ? g->first[prev] : g->first[code];
				next++;
				if (next == (1 << size) && size < 12)
					size++;
			}
		}
		prev = code;
		while (sp > 0 && g->npix < total)
		{
			g->index[(size_t) row * g->fw + x] = g->stack[--sp];
			g->npix++;
			if (++x == g->fw)
			{
				x = 0;
				if (mm_img_poll(g->ctx))
					return g->ctx->status;
				if (!g->interlaced)
					row++;
				else
				{
					row += pass_step[pass];
					while (row >= g->fh && pass < 3)
					{
						pass++;
						row = pass_start[pass];
					}
				}
			}
		}
	}
	return MM_IMG_OK;
}

/* What a Graphic Control Extension says about the image after it. */
typedef struct gif_gce
{
	int			transparent;	/* palette index, or -1 */
	int			delay;			/* centiseconds */
	int			disposal;		/* 2: restore the image's rectangle to background */
	int			animation;		/* a NETSCAPE2.0 or ANIMEXTS1.0 loop extension was seen */
} gif_gce;

/*
 * Reads extensions up to the next image descriptor (its 0x2C consumed),
 * keeping the last Graphic Control Extension in *gce and noting a loop
 * extension (gce->animation is set by it, never cleared here).  Returns 1 at an
 * image, 0 at the trailer, -1 when the file ends or a block is bad.
 */
static int
read_extensions(gif_dec *g, gif_gce *gce)
{
	const uint8_t *p = g->p;

	gce->transparent = -1;
	gce->delay = 0;
	gce->disposal = 0;
	for (;;)
	{
		int			b = next_byte(g);

		if (b == 0x2C)
			return 1;
		if (b == 0x3B)
			return 0;
		if (b != 0x21 || (b = next_byte(g)) < 0)
			return -1;
		if (b == 0xFF && g->pos + 12 <= g->len && p[g->pos] == 11 &&
			(memcmp(p + g->pos + 1, "NETSCAPE2.0", 11) == 0 ||
			 memcmp(p + g->pos + 1, "ANIMEXTS1.0", 11) == 0))
			gce->animation = 1;
		if (b == 0xF9 && g->pos + 5 <= g->len && p[g->pos] >= 4)
		{
			gce->transparent = (p[g->pos + 1] & 1) ? p[g->pos + 4] : -1;
			gce->disposal = (p[g->pos + 1] >> 2) & 7;
			gce->delay = mm_le16(p + g->pos + 2);
		}
		if (skip_blocks(g) != 0)
			return -1;
	}
}

/*
 * Reads an image descriptor (after its 0x2C) and its local palette into
 * lct and *lct_n, checks the image's size and reads its LZW code size.
 */
static mm_img_status
read_descriptor(gif_dec *g, uint8_t *lct, int *lct_n, int *min_size)
{
	const uint8_t *p = g->p;

	if (g->len - g->pos < 10)
		return mm_img_fail(g->ctx, MM_IMG_CORRUPT, "the GIF file is truncated");
	g->fx = mm_le16(p + g->pos);
	g->fy = mm_le16(p + g->pos + 2);
	g->fw = mm_le16(p + g->pos + 4);
	g->fh = mm_le16(p + g->pos + 6);
	g->interlaced = (p[g->pos + 8] & 0x40) != 0;
	*lct_n = (p[g->pos + 8] & 0x80) ? 2 << (p[g->pos + 8] & 7) : 0;
	g->pos += 9;
	if (*lct_n > 0)
	{
		if ((size_t) *lct_n * 3 > g->len - g->pos)
			return mm_img_fail(g->ctx, MM_IMG_CORRUPT, "the GIF file is truncated");
		memcpy(lct, p + g->pos, (size_t) *lct_n * 3);
		g->pos += (size_t) *lct_n * 3;
	}
	if (g->fw == 0 || g->fh == 0)
		return mm_img_fail(g->ctx, MM_IMG_CORRUPT, "the GIF's first image is empty");
	if (mm_img_check_size(g->ctx, g->fw, g->fh) != MM_IMG_OK)
		return g->ctx->status;
	*min_size = next_byte(g);
	if (*min_size < 1 || *min_size > 11)
		return mm_img_fail(g->ctx, MM_IMG_CORRUPT, "bad GIF LZW code size");
	return MM_IMG_OK;
}

/*
 * Decodes the pixels of the image whose descriptor was just read into a
 * fresh g->index, then skips what is left of its data sub-blocks.
 */
static mm_img_status
decode_image(gif_dec *g, int min_size)
{
	mm_img_release(g->ctx, g->index);
	g->index = mm_img_alloc_array(g->ctx, (size_t) g->fw, (size_t) g->fh);
	if (g->index == NULL)
		return g->ctx->status;
	memset(g->index, 0, (size_t) g->fw * g->fh);
	g->blk_left = 0;
	g->blk_end = 0;
	g->bits = 0;
	g->nbits = 0;
	g->npix = 0;
	if (lzw_decode(g, min_size) != MM_IMG_OK)
		return g->ctx->status;
	/* codes past the pixel count, if any: skip to the data's terminator */
	g->pos = g->blk_left < g->len - g->pos ? g->pos + g->blk_left : g->len;
	if (!g->blk_end && skip_blocks(g) != 0)
		g->pos = g->len;
	return MM_IMG_OK;
}

/*
 * Draws row y of the screen from the current image into row (sw pixels of
 * nch channels); pixels of the image that are transparent or that the data
 * does not cover are left as they are.
 */
static void
draw_row(const gif_dec *g, const uint8_t *pal, int pal_n, int transparent, int y,
		 uint8_t *row, int sw, int nch)
{
	int			fy = y - g->fy;
	int			done;
	int			x;
	uint64_t	start;

	if (fy < 0 || fy >= g->fh)
		return;
	start = (uint64_t) data_row(g, fy) * g->fw;
	done = g->npix <= start ? 0 :
		(g->npix - start >= (uint64_t) g->fw ? g->fw : (int) (g->npix - start));
	for (x = 0; x < done && g->fx + x < sw; x++)
	{
		int			i = g->index[(size_t) fy * g->fw + x];
		uint8_t    *q = row + (size_t) (g->fx + x) * nch;

		if (i == transparent)
			continue;
		if (i < pal_n)
			memcpy(q, pal + i * 3, 3);
		else
			memset(q, 0, 3);
		if (nch == 4)
			q[3] = 255;
	}
}

/* Clears the screen rectangle x, y, w x h to transparent (disposal 2). */
static void
clear_rect(uint8_t *canvas, int sw, int sh, int x, int y, int w, int h)
{
	int			r;
	int			n = x >= sw ? 0 : (x + w > sw ? sw - x : w);

	for (r = y; r < sh && r < y + h && n > 0; r++)
		memset(canvas + ((size_t) r * sw + x) * 4, 0, (size_t) n * 4);
}

/*
 * The first frame made of several images: the first one is decoded, gce
 * (read after it) introduces the next.  Images are drawn on an RGBA
 * screen until one has a delay (that one ends the frame: the images
 * before it are shown for no time), the next covers the whole screen (an
 * animation without delays: it would replace the picture, so it starts
 * the next frame) or the file has no more; the previous image's disposal 2
 * clears its rectangle first.  Then the screen goes to the sink.
 */
static mm_img_status
compose_frame(gif_dec *g, mm_img_sink *sink, const uint8_t *gct, int gct_n, int sw, int sh,
			  const uint8_t *lct, int lct_n, int transparent, int disposal, gif_gce *gce,
			  uint8_t **canvasp)
{
	uint8_t		lct2[768];
	int			y;
	int			min_size;

	*canvasp = mm_img_alloc_array(g->ctx, (size_t) sw * sh, 4);
	if (*canvasp == NULL)
		return g->ctx->status;
	memset(*canvasp, 0, (size_t) sw * sh * 4);
	for (y = 0; y < sh; y++)
		draw_row(g, lct_n > 0 ? lct : gct, lct_n > 0 ? lct_n : gct_n, transparent, y,
				 *canvasp + (size_t) y * sw * 4, sw, 4);
	for (;;)
	{
		int			px = g->fx,
					py = g->fy,
					pw = g->fw,
					ph = g->fh;

		if (mm_img_poll(g->ctx) || read_descriptor(g, lct2, &lct_n, &min_size) != MM_IMG_OK)
			return g->ctx->status;
		/* an image over the whole screen replaces it: a new frame begins */
		if (g->fx == 0 && g->fy == 0 && g->fw >= sw && g->fh >= sh)
			break;
		if (disposal == 2)
			clear_rect(*canvasp, sw, sh, px, py, pw, ph);
		if (decode_image(g, min_size) != MM_IMG_OK)
			return g->ctx->status;
		for (y = 0; y < sh; y++)
			draw_row(g, lct_n > 0 ? lct2 : gct, lct_n > 0 ? lct_n : gct_n, gce->transparent, y,
					 *canvasp + (size_t) y * sw * 4, sw, 4);
		disposal = gce->disposal;
		if (gce->delay > 0 || read_extensions(g, gce) != 1)
			break;
	}
	if (sink->start(sink, sw, sh, 4) != MM_IMG_OK)
		return g->ctx->status;
	for (y = 0; y < sh; y++)
		if (sink->row(sink, *canvasp + (size_t) y * sw * 4) != MM_IMG_OK)
			return g->ctx->status;
	return MM_IMG_OK;
}

/*
 * Parses the GIF up to its first image, decodes it, and feeds the logical
 * screen to the sink row by row.  When that image has no delay and more
 * follow, the first frame is their composition (compose_frame).
 */
static mm_img_status
gif_run(gif_dec *g, mm_img_sink *sink, uint8_t **rowp)
{
	const uint8_t *p = g->p;
	uint8_t		gct[768];
	uint8_t		lct[768];
	int			gct_n = 0;
	int			lct_n = 0;
	const uint8_t *pal;
	int			pal_n;
	gif_gce		gce;
	int			transparent;
	int			sw;
	int			sh;
	int			nch;
	int			want_w;
	int			want_h;
	int			min_size;
	int			y;
	int			r;
	mm_img_header hdr;

	if (g->len < 13 || memcmp(p, "GIF8", 4) != 0)
		return mm_img_fail(g->ctx, g->len < 6 ? MM_IMG_CORRUPT : MM_IMG_UNSUPPORTED,
						   "not a GIF file");
	sw = mm_le16(p + 6);
	sh = mm_le16(p + 8);
	g->pos = 13;
	if (p[10] & 0x80)
	{
		gct_n = 2 << (p[10] & 7);
		if ((size_t) gct_n * 3 > g->len - g->pos)
			return mm_img_fail(g->ctx, MM_IMG_CORRUPT, "the GIF file is truncated");
		memcpy(gct, p + g->pos, (size_t) gct_n * 3);
		g->pos += (size_t) gct_n * 3;
	}
	if (sw > 0 && sh > 0 && mm_img_check_size(g->ctx, sw, sh) != MM_IMG_OK)
		return g->ctx->status;

	gce.animation = 0;
	r = read_extensions(g, &gce);
	if (r == 0)
		return mm_img_fail(g->ctx, MM_IMG_CORRUPT, "the GIF has no image");
	if (r < 0)
		return mm_img_fail(g->ctx, MM_IMG_CORRUPT, "the GIF file is truncated or has a bad block");
	transparent = gce.transparent;
	if (read_descriptor(g, lct, &lct_n, &min_size) != MM_IMG_OK)
		return g->ctx->status;
	if (sw == 0 || sh == 0)
	{
		sw = g->fx + g->fw;
		sh = g->fy + g->fh;
	}
	if (mm_img_check_size(g->ctx, sw, sh) != MM_IMG_OK)
		return g->ctx->status;

	memset(&hdr, 0, sizeof(hdr));
	hdr.width = sw;
	hdr.height = sh;
	hdr.orientation = 1;
	hdr.has_alpha = 1;
	want_w = sw;
	want_h = sh;
	if (sink->header(sink, &hdr, &want_w, &want_h) != MM_IMG_OK)
		return g->ctx->status;
	if (decode_image(g, min_size) != MM_IMG_OK)
		return g->ctx->status;
	if (gce.delay == 0 && !gce.animation)
	{
		int			disposal = gce.disposal;

		if (read_extensions(g, &gce) == 1)
			return compose_frame(g, sink, gct, gct_n, sw, sh, lct, lct_n, transparent, disposal,
								 &gce, rowp);
	}

	pal = lct_n > 0 ? lct : gct;
	pal_n = lct_n > 0 ? lct_n : gct_n;
	nch = (transparent >= 0 || g->fx > 0 || g->fy > 0 || g->fx + g->fw < sw ||
		   g->fy + g->fh < sh || g->npix < (uint64_t) g->fw * g->fh) ? 4 : 3;
	*rowp = mm_img_alloc_array(g->ctx, (size_t) sw, 4);
	if (*rowp == NULL)
		return g->ctx->status;
	if (sink->start(sink, sw, sh, nch) != MM_IMG_OK)
		return g->ctx->status;
	for (y = 0; y < sh; y++)
	{
		if (mm_img_poll(g->ctx))
			return g->ctx->status;
		memset(*rowp, 0, (size_t) sw * nch);
		draw_row(g, pal, pal_n, transparent, y, *rowp, sw, nch);
		if (sink->row(sink, *rowp) != MM_IMG_OK)
			return g->ctx->status;
	}
	return MM_IMG_OK;
}

/* Decodes the first frame of the GIF in src into sink. */
mm_img_status
mm_img_decode_gif(mm_img_ctx *ctx, const uint8_t *src, size_t len, mm_img_sink *sink)
{
	gif_dec    *g;
	uint8_t    *row = NULL;
	mm_img_status status;

	g = mm_img_zalloc(ctx, sizeof(*g));
	if (g == NULL)
		return ctx->status;
	g->ctx = ctx;
	g->p = src;
	g->len = len;
	status = gif_run(g, sink, &row);
	mm_img_release(ctx, row);
	mm_img_release(ctx, g->index);
	mm_img_release(ctx, g);
	return status;
}
