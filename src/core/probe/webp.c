/*
 * probe/webp.c - WebP (RIFF "WEBP": lossy VP8, lossless VP8L, extended VP8X).
 *
 * Simple files are one "VP8 " or "VP8L" chunk whose bitstream header holds
 * the size.  Extended files start with VP8X (canvas size and flags); their
 * chunks are walked, up to MM_SCAN_LIMIT, to count the ANMF frames of an
 * animation and to find the codec of the first image.
 */
#include <string.h>

#include "probe/scan.h"

/* Chunks walked in an extended file. */
#define WEBP_MAX_CHUNKS 100000

/*
 * Reads a VP8 (lossy) bitstream header of n bytes at p: a 3-byte frame tag,
 * the start code 9D 01 2A, then 14-bit width and height (the top two bits
 * of each are a scaling hint, not part of the size).
 */
static int
webp_vp8_size(const uint8_t *p, size_t n, int64_t *w, int64_t *h)
{
	if (n < 10 || p[3] != 0x9D || p[4] != 0x01 || p[5] != 0x2A)
		return 0;
	*w = mm_le16(p + 6) & 0x3FFF;
	*h = mm_le16(p + 8) & 0x3FFF;
	return 1;
}

/*
 * Reads a VP8L (lossless) header of n bytes at p: signature 0x2F, then
 * 14 bits width-1, 14 bits height-1, 1 bit alpha hint, 3 bits version.
 */
static int
webp_vp8l_size(const uint8_t *p, size_t n, int64_t *w, int64_t *h, int *alpha)
{
	uint32_t	bits;

	if (n < 5 || p[0] != 0x2F)
		return 0;
	bits = mm_le32(p + 1);
	*w = (int64_t) (bits & 0x3FFF) + 1;
	*h = (int64_t) ((bits >> 14) & 0x3FFF) + 1;
	*alpha = (bits >> 28) & 1;
	return 1;
}

/* Probes a simple (single-chunk) file whose first chunk header is at 12. */
static int
webp_simple(mm_source *src, const uint8_t *ch, mm_probe *out)
{
	uint8_t		p[10];
	int64_t		w;
	int64_t		h;
	int			alpha = 0;
	mm_src_status st;
	int			lossless = memcmp(ch, "VP8L", 4) == 0;

	mm_probe_add_str(out, "codec", lossless ? "vp8l" : "vp8");
	mm_probe_add_bool(out, "animated", 0);
	if ((st = mm_read(src, 20, p, lossless ? 5 : 10)) != MM_SRC_OK)
		return st == MM_SRC_NEED ? MM_FMT_NEED : MM_FMT_YES;
	if (lossless ? webp_vp8l_size(p, 5, &w, &h, &alpha) : webp_vp8_size(p, 10, &w, &h))
	{
		mm_set_size(out, w, h);
		mm_probe_add_bool(out, "has_alpha", alpha);
	}
	return MM_FMT_YES;
}

/*
 * Probes an extended file: VP8X at 12 gives flags and the canvas size; the
 * later chunks give the frame count and the first image's codec.
 */
static int
webp_extended(mm_source *src, uint64_t end, mm_probe *out)
{
	uint8_t		x[10];
	uint64_t	off;
	int64_t		frames = 0;
	int64_t		duration = 0;
	const char *codec = NULL;
	int			complete = 0;
	int			alpha_chunk = 0;
	long		n;
	mm_src_status st;

	if ((st = mm_read(src, 20, x, 10)) != MM_SRC_OK)
		return st == MM_SRC_NEED ? MM_FMT_NEED : MM_FMT_YES;
	mm_set_size(out, (int64_t) (x[4] | (x[5] << 8) | (x[6] << 16)) + 1,
				(int64_t) (x[7] | (x[8] << 8) | (x[9] << 16)) + 1);

	off = 12 + 8 + 10;
	for (n = 0; n < WEBP_MAX_CHUNKS; n++)
	{
		uint8_t		ch[8 + 16 + 8];
		uint32_t	len;

		if (off >= MM_SCAN_LIMIT)
			break;
		if (off + 8 > end)
		{
			complete = 1;
			break;
		}
		if ((st = mm_read(src, off, ch, 8)) != MM_SRC_OK)
		{
			if (st == MM_SRC_NEED)
			{
				mm_need_widen(src, MM_NEED_CHUNK);
				return MM_FMT_NEED;
			}
			complete = 1;		/* truncated */
			break;
		}
		len = mm_le32(ch + 4);
		if (memcmp(ch, "ANMF", 4) == 0)
		{
			frames++;
			/* 16 bytes of frame header (delay at 12..14), then the image */
			if (len >= 24 && (st = mm_read(src, off + 8, ch + 8, 24)) == MM_SRC_OK)
			{
				duration += ch[20] | (ch[21] << 8) | (ch[22] << 16);
				if (!codec && memcmp(ch + 24, "VP8L", 4) == 0)
					codec = "vp8l";
				else if (!codec && memcmp(ch + 24, "VP8 ", 4) == 0)
					codec = "vp8";
				else if (!codec && memcmp(ch + 24, "ALPH", 4) == 0)
					codec = "vp8";
			}
			else if (st == MM_SRC_NEED)
			{
				mm_need_widen(src, MM_NEED_CHUNK);
				return MM_FMT_NEED;
			}
		}
		else if (memcmp(ch, "ALPH", 4) == 0)
			alpha_chunk = 1;
		else if (!codec && memcmp(ch, "VP8 ", 4) == 0)
			codec = "vp8";
		else if (!codec && memcmp(ch, "VP8L", 4) == 0)
			codec = "vp8l";
		off += 8 + (uint64_t) len + (len & 1);
	}

	if (codec)
		mm_probe_add_str(out, "codec", codec);
	mm_probe_add_bool(out, "has_alpha", (x[0] & 0x10) != 0 || alpha_chunk);
	if (x[0] & 0x02)
	{
		if (complete)
		{
			mm_probe_add_int(out, "frames", frames);
			mm_probe_add_bool(out, "animated", frames > 1);
			out->duration_ms = duration;
		}
		else if (frames > 1)
			mm_probe_add_bool(out, "animated", 1);
	}
	else
		mm_probe_add_bool(out, "animated", 0);
	return MM_FMT_YES;
}

/* Probes WebP (RIFF....WEBPVP8, as WHATWG): simple or extended layout. */
int
mm_probe_webp(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	uint64_t	end;

	if (headlen < 16 || memcmp(head, "RIFF", 4) != 0 || memcmp(head + 8, "WEBPVP8", 7) != 0)
		return MM_FMT_NO;
	mm_probe_set_type(out, "image/webp");
	/* the RIFF size bounds the chunk walk; the file size bounds it too */
	end = 8 + (uint64_t) mm_le32(head + 4);
	if (end > src->size)
		end = src->size;
	if (head[15] == ' ' || head[15] == 'L')
		return webp_simple(src, head + 12, out);
	if (head[15] == 'X')
		return webp_extended(src, end, out);
	return MM_FMT_YES;
}
