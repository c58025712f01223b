/*
 * probe/jxl.c - JPEG XL: a bare codestream (FF 0A) or the ISO BMFF-style
 * container ("JXL " signature box, then jxlc or jxlp codestream boxes).
 *
 * The codestream starts with a bit-packed SizeHeader and ImageMetadata
 * (ISO/IEC 18181-1); they are decoded from a small bounded copy of the
 * first bytes: size, orientation (5-8 swap into the display size),
 * animation, bit depth and whether the first extra channel is alpha.
 */
#include <string.h>

#include "probe/exif.h"
#include "probe/scan.h"

/* Codestream bytes copied for the header decoder; headers are far smaller. */
#define JXL_HEADER_BYTES 256

/* Container boxes walked to find the codestream (real files have ~4). */
#define JXL_MAX_BOXES 16

/* LSB-first bit reader over a bounded buffer; err is set on running out. */
typedef struct jxl_bits
{
	const uint8_t *p;
	size_t		len;
	size_t		pos;			/* in bits */
	int			err;
} jxl_bits;

/* One of the four choices of a U32 field: Val(offset) when bits is 0. */
typedef struct jxl_dist
{
	int			bits;
	uint32_t	offset;
} jxl_dist;

/* Reads n (0..32) bits; 0 with err set when the buffer runs out. */
static uint32_t
jxl_u(jxl_bits *b, int n)
{
	uint64_t	v = 0;
	int			i;

	if (b->err || (size_t) n > b->len * 8 - b->pos)
	{
		b->err = 1;
		return 0;
	}
	for (i = 0; i < n; i++, b->pos++)
		v |= (uint64_t) ((b->p[b->pos >> 3] >> (b->pos & 7)) & 1) << i;
	return (uint32_t) v;
}

/* Reads a U32 field: a 2-bit selector picks one of four distributions. */
static uint64_t
jxl_u32(jxl_bits *b, const jxl_dist d[4])
{
	const jxl_dist *s = &d[jxl_u(b, 2)];

	return (uint64_t) jxl_u(b, s->bits) + s->offset;
}

/* Reads a SizeHeader (also used for the intrinsic size). */
static void
jxl_size_header(jxl_bits *b, uint64_t *xs, uint64_t *ys)
{
	static const jxl_dist dims[4] = {{9, 1}, {13, 1}, {18, 1}, {30, 1}};
	static const uint32_t num[8] = {0, 1, 12, 4, 3, 16, 5, 2};
	static const uint32_t den[8] = {1, 1, 10, 3, 2, 9, 4, 1};
	int			small = jxl_u(b, 1);
	uint32_t	ratio;

	*ys = small ? ((uint64_t) jxl_u(b, 5) + 1) * 8 : jxl_u32(b, dims);
	ratio = jxl_u(b, 3);
	if (ratio == 0)
		*xs = small ? ((uint64_t) jxl_u(b, 5) + 1) * 8 : jxl_u32(b, dims);
	else
		*xs = *ys * num[ratio] / den[ratio];	/* ys < 2^31: no overflow */
}

/* Skips a PreviewHeader. */
static void
jxl_skip_preview(jxl_bits *b)
{
	static const jxl_dist div8[4] = {{0, 16}, {0, 32}, {5, 1}, {9, 33}};
	static const jxl_dist full[4] = {{6, 1}, {8, 65}, {10, 321}, {12, 1345}};
	int			d8 = jxl_u(b, 1);

	(void) jxl_u32(b, d8 ? div8 : full);
	if (jxl_u(b, 3) == 0)
		(void) jxl_u32(b, d8 ? div8 : full);
}

/* Skips an AnimationHeader. */
static void
jxl_skip_animation(jxl_bits *b)
{
	static const jxl_dist num[4] = {{0, 100}, {0, 1000}, {10, 1}, {30, 1}};
	static const jxl_dist den[4] = {{0, 1}, {8, 1}, {10, 1}, {30, 1}};
	static const jxl_dist loops[4] = {{0, 0}, {3, 0}, {16, 0}, {32, 0}};

	(void) jxl_u32(b, num);
	(void) jxl_u32(b, den);
	(void) jxl_u32(b, loops);
	(void) jxl_u(b, 1);
}

/* Decodes the codestream header in buf (len bytes, after FF 0A) into *out. */
static void
jxl_codestream(const uint8_t *buf, size_t len, mm_probe *out)
{
	static const jxl_dist int_bits[4] = {{0, 8}, {0, 10}, {0, 12}, {6, 1}};
	static const jxl_dist float_bits[4] = {{0, 32}, {0, 16}, {0, 24}, {6, 1}};
	static const jxl_dist nextra[4] = {{0, 0}, {0, 1}, {4, 2}, {12, 1}};
	static const jxl_dist enumd[4] = {{0, 0}, {0, 1}, {4, 2}, {6, 18}};
	jxl_bits	b = {buf, len, 0, 0};
	uint64_t	xs;
	uint64_t	ys;
	int			orientation = 1;
	int			animated = 0;
	uint64_t	depth;
	uint64_t	nec;

	jxl_size_header(&b, &xs, &ys);
	if (b.err)
		return;
	mm_set_size(out, (int64_t) xs, (int64_t) ys);

	if (jxl_u(&b, 1) == 0)		/* not all_default */
	{
		if (jxl_u(&b, 1))		/* extra_fields */
		{
			orientation = 1 + (int) jxl_u(&b, 3);
			if (jxl_u(&b, 1))
			{
				uint64_t	ix;
				uint64_t	iy;

				jxl_size_header(&b, &ix, &iy);
			}
			if (jxl_u(&b, 1))
				jxl_skip_preview(&b);
			if ((animated = (int) jxl_u(&b, 1)) != 0)
				jxl_skip_animation(&b);
		}
		if (jxl_u(&b, 1))		/* float samples */
		{
			depth = jxl_u32(&b, float_bits);
			(void) jxl_u(&b, 4);
		}
		else
			depth = jxl_u32(&b, int_bits);
		(void) jxl_u(&b, 1);	/* modular_16_bit_buffer_sufficient */
		nec = jxl_u32(&b, nextra);
		if (!b.err)
		{
			int			alpha = 0;

			mm_probe_add_int(out, "bit_depth", (int64_t) depth);
			/* the first extra channel: d_alpha, or an explicit type 0 */
			if (nec > 0)
			{
				if (jxl_u(&b, 1))
					alpha = 1;
				else
					alpha = jxl_u32(&b, enumd) == 0 && !b.err;
			}
			mm_probe_add_bool(out, "has_alpha", alpha);
		}
	}
	else
	{
		mm_probe_add_int(out, "bit_depth", 8);
		mm_probe_add_bool(out, "has_alpha", 0);
	}
	if (b.err)
		return;
	mm_probe_add_bool(out, "animated", animated);
	if (orientation != 1)
		mm_apply_orientation(out, orientation);
}

/*
 * Copies up to JXL_HEADER_BYTES of codestream at off (avail bytes there)
 * and decodes them.
 */
static int
jxl_decode_at(mm_source *src, uint64_t off, uint64_t avail, mm_probe *out)
{
	uint8_t		buf[JXL_HEADER_BYTES];
	size_t		n = avail < sizeof(buf) ? (size_t) avail : sizeof(buf);
	mm_src_status st;

	if (n == 0)
		return MM_FMT_YES;
	if ((st = mm_read(src, off, buf, n)) != MM_SRC_OK)
		return st == MM_SRC_NEED ? MM_FMT_NEED : MM_FMT_YES;
	jxl_codestream(buf, n, out);
	return MM_FMT_YES;
}

/* Walks the container's boxes to the first codestream box. */
static int
jxl_container(mm_source *src, mm_probe *out)
{
	uint64_t	off = 12;
	int			i;

	for (i = 0; i < JXL_MAX_BOXES && off < src->size; i++)
	{
		uint8_t		h[16];
		uint64_t	size;
		uint64_t	hlen = 8;
		mm_src_status st;

		if ((st = mm_read(src, off, h, 8)) != MM_SRC_OK)
			return st == MM_SRC_NEED ? mm_fmt_need(src, MM_NEED_HEADER) : MM_FMT_YES;
		size = mm_be32(h);
		if (size == 1)
		{
			if ((st = mm_read(src, off + 8, h + 8, 8)) != MM_SRC_OK)
				return st == MM_SRC_NEED ? MM_FMT_NEED : MM_FMT_YES;
			size = mm_be64(h + 8);
			hlen = 16;
		}
		else if (size == 0)
			size = src->size - off;		/* to the end of the file */
		if (size < hlen || size > src->size - off)
			size = src->size - off;		/* clip a box that overruns */
		if (size < hlen)
			return MM_FMT_YES;
		if (memcmp(h + 4, "jxlc", 4) == 0 || memcmp(h + 4, "jxlp", 4) == 0)
		{
			uint64_t	start = off + hlen + (h[7] == 'p' ? 4 : 0);
			uint8_t		sig[2];

			if (start + 2 > off + size)
				return MM_FMT_YES;
			if ((st = mm_read(src, start, sig, 2)) != MM_SRC_OK)
				return st == MM_SRC_NEED ? MM_FMT_NEED : MM_FMT_YES;
			if (sig[0] != 0xFF || sig[1] != 0x0A)
				return MM_FMT_YES;
			return jxl_decode_at(src, start + 2, off + size - start - 2, out);
		}
		off += size;
	}
	return MM_FMT_YES;
}

/* Probes JPEG XL: a bare codestream or the box container. */
int
mm_probe_jxl(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	static const uint8_t box_sig[12] = {0, 0, 0, 0x0C, 'J', 'X', 'L', ' ', 0x0D, 0x0A, 0x87, 0x0A};

	if (headlen >= 2 && head[0] == 0xFF && head[1] == 0x0A)
	{
		mm_probe_set_type(out, "image/jxl");
		return jxl_decode_at(src, 2, src->size - 2, out);
	}
	if (headlen >= 12 && memcmp(head, box_sig, 12) == 0)
	{
		mm_probe_set_type(out, "image/jxl");
		mm_probe_add_bool(out, "container", 1);
		return jxl_container(src, out);
	}
	return MM_FMT_NO;
}
