/*
 * probe/iff.c - EA IFF 85 audio: AIFF, AIFF-C and 8SVX.
 *
 * AIFF/AIFC: the COMM chunk gives channels, sample frames, sample size and
 * the sample rate as an 80-bit IEEE extended float, which is converted with
 * integer arithmetic only (no long double, which differs between
 * platforms); AIFC adds a compression type.  8SVX: the VHDR chunk gives the
 * sample rate and the one-shot + repeat sample counts.  Other FORM types
 * (ILBM images and the like) are not claimed.
 *
 * Chunks are walked by their 8-byte big-endian headers, at most
 * IFF_MAX_CHUNKS of them; sample data is never read.
 */
#include <string.h>

#include "probe/av.h"
#include "probe/formats.h"

#define IFF_MAX_CHUNKS	64

/* What the chunk walk found. */
typedef struct iff_info
{
	int			have_comm;
	uint16_t	channels;
	uint32_t	frames;
	uint16_t	bits;
	uint32_t	rate;			/* Hz, rounded; 0 when unusable */
	uint32_t	compression;	/* AIFC compression type, 0 for AIFF */
	int			have_vhdr;
	uint32_t	svx_samples;
	int			svx_stereo;
	int			svx_compression;
	uint64_t	body_size;
	int			have_body;
} iff_info;

/*
 * Converts an 80-bit IEEE 754 extended float (sign, 15-bit exponent,
 * 64-bit mantissa with explicit integer bit) to the nearest integer, for
 * sample rates.  Returns 0 for negative, NaN, infinite, denormal values and
 * anything below 1 or above 2^32 - 1: no sample rate looks like that.
 */
static uint32_t
iff_ext80_to_u32(const uint8_t *p)
{
	int			exp = ((p[0] & 0x7f) << 8) | p[1];
	uint64_t	mant = mm_be64(p + 2);
	int			shift;
	uint64_t	v;

	if (p[0] & 0x80)
		return 0;				/* negative */
	if (exp == 0x7fff || mant == 0 || !(mant >> 63))
		return 0;				/* NaN/infinity, zero, denormal/unnormal */
	exp -= 16383;				/* value = mant * 2^(exp - 63) */
	if (exp < 0 || exp > 31)
		return 0;
	shift = 63 - exp;			/* 32..63 */
	v = mant >> shift;
	if ((mant >> (shift - 1)) & 1)
		v++;					/* round half up */
	if (v > 0xFFFFFFFFu)
		return 0;
	return (uint32_t) v;
}

/* Names an AIFC compression type as a codec. */
static const char *
iff_codec_name(uint32_t c)
{
	switch (c)
	{
		case 0:
		case MM_FOURCC('N', 'O', 'N', 'E'):
		case MM_FOURCC('s', 'o', 'w', 't'):
		case MM_FOURCC('t', 'w', 'o', 's'):
		case MM_FOURCC('r', 'a', 'w', ' '):
		case MM_FOURCC('i', 'n', '2', '4'):
		case MM_FOURCC('i', 'n', '3', '2'):
		case MM_FOURCC('4', '2', 'n', 'i'):
		case MM_FOURCC('2', '3', 'n', 'i'):
			return "pcm";
		case MM_FOURCC('f', 'l', '3', '2'):
		case MM_FOURCC('F', 'L', '3', '2'):
		case MM_FOURCC('f', 'l', '6', '4'):
		case MM_FOURCC('F', 'L', '6', '4'):
			return "float";
		case MM_FOURCC('u', 'l', 'a', 'w'):
		case MM_FOURCC('U', 'L', 'A', 'W'):
			return "mulaw";
		case MM_FOURCC('a', 'l', 'a', 'w'):
		case MM_FOURCC('A', 'L', 'A', 'W'):
			return "alaw";
		case MM_FOURCC('i', 'm', 'a', '4'):
			return "ima_adpcm";
		case MM_FOURCC('M', 'A', 'C', '3'):
		case MM_FOURCC('M', 'A', 'C', '6'):
			return "mace";
		case MM_FOURCC('Q', 'D', 'M', '2'):
			return "qdesign";
		case MM_FOURCC('Q', 'c', 'l', 'p'):
			return "qcelp";
		case MM_FOURCC('G', 'S', 'M', ' '):
			return "gsm";
	}
	return "other";
}

/* Reads the chunk payload prefix of up to want bytes; returns MM_FMT_* and *got. */
static int
iff_read(mm_source *src, uint64_t off, uint64_t avail, uint8_t *buf, size_t want, size_t *got)
{
	size_t		n = avail < want ? (size_t) avail : want;
	mm_src_status st;

	*got = 0;
	if (n == 0)
		return MM_FMT_YES;
	st = mm_read(src, off, buf, n);
	if (st == MM_SRC_NEED)
		return MM_FMT_NEED;
	if (st == MM_SRC_OK)
		*got = n;
	return MM_FMT_YES;
}

/* Fills *out from what the walk found. */
static void
iff_report(uint32_t form, const iff_info *f, mm_probe *out)
{
	if (form == MM_FOURCC('8', 'S', 'V', 'X'))
	{
		mm_probe_set_type(out, "audio/x-8svx");
		if (!f->have_vhdr)
			return;
		mm_probe_add_str(out, "codec", f->svx_compression == 1 ? "fibonacci_dpcm" :
						 f->svx_compression == 2 ? "exponential_dpcm" : "pcm");
		mm_probe_add_int(out, "channels", f->svx_stereo ? 2 : 1);
		mm_probe_add_int(out, "sample_rate", f->rate);
		mm_probe_add_int(out, "bit_depth", 8);
		if (f->svx_samples > 0)
			out->duration_ms = mm_units_to_ms(f->svx_samples, f->rate);
		else if (f->have_body && f->svx_compression == 0)
			out->duration_ms = mm_units_to_ms(f->body_size / (f->svx_stereo ? 2 : 1), f->rate);
		return;
	}
	mm_probe_set_type(out, "audio/aiff");
	if (form == MM_FOURCC('A', 'I', 'F', 'C'))
		mm_probe_add_bool(out, "aifc", 1);
	if (!f->have_comm)
		return;
	mm_probe_add_str(out, "codec", iff_codec_name(f->compression));
	mm_probe_add_int(out, "channels", f->channels);
	if (f->rate > 0)
		mm_probe_add_int(out, "sample_rate", f->rate);
	mm_probe_add_int(out, "bit_depth", f->bits);
	out->duration_ms = mm_units_to_ms(f->frames, f->rate);
}

/* Probes FORM/AIFF, FORM/AIFC and FORM/8SVX. */
int
mm_probe_iff(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	uint32_t	form;
	iff_info	f;
	uint64_t	off = 12;
	int			n;

	if (headlen < 12 || mm_be32(head) != MM_FOURCC('F', 'O', 'R', 'M'))
		return MM_FMT_NO;
	form = mm_be32(head + 8);
	if (form != MM_FOURCC('A', 'I', 'F', 'F') && form != MM_FOURCC('A', 'I', 'F', 'C') &&
		form != MM_FOURCC('8', 'S', 'V', 'X'))
		return MM_FMT_NO;

	memset(&f, 0, sizeof(f));
	for (n = 0; n < IFF_MAX_CHUNKS && off < src->size && src->size - off >= 8; n++)
	{
		uint8_t		h[8];
		uint8_t		b[24];
		size_t		got;
		uint32_t	id;
		uint64_t	size,
					rem;
		int			r = MM_FMT_YES;
		mm_src_status st = mm_read(src, off, h, 8);

		if (st == MM_SRC_NEED)
			return MM_FMT_NEED;
		if (st != MM_SRC_OK)
			break;
		id = mm_be32(h);
		size = mm_be32(h + 4);
		rem = src->size - off - 8;
		if (size > rem)
			size = rem;			/* truncated */
		if (id == MM_FOURCC('C', 'O', 'M', 'M') && !f.have_comm && form != MM_FOURCC('8', 'S', 'V', 'X'))
		{
			r = iff_read(src, off + 8, size, b, 22, &got);
			if (got >= 18)
			{
				f.have_comm = 1;
				f.channels = mm_be16(b);
				f.frames = mm_be32(b + 2);
				f.bits = mm_be16(b + 6);
				f.rate = iff_ext80_to_u32(b + 8);
				if (form == MM_FOURCC('A', 'I', 'F', 'C') && got >= 22)
					f.compression = mm_be32(b + 18);
			}
		}
		else if (id == MM_FOURCC('V', 'H', 'D', 'R') && !f.have_vhdr && form == MM_FOURCC('8', 'S', 'V', 'X'))
		{
			r = iff_read(src, off + 8, size, b, 16, &got);
			if (got >= 16)
			{
				uint64_t	s = (uint64_t) mm_be32(b) + mm_be32(b + 4);

				f.have_vhdr = 1;
				f.svx_samples = s > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t) s;
				f.rate = mm_be16(b + 12);
				f.svx_compression = b[15];
			}
		}
		else if (id == MM_FOURCC('C', 'H', 'A', 'N') && form == MM_FOURCC('8', 'S', 'V', 'X'))
		{
			r = iff_read(src, off + 8, size, b, 4, &got);
			if (got >= 4)
				f.svx_stereo = (mm_be32(b) == 6);
		}
		else if ((id == MM_FOURCC('S', 'S', 'N', 'D') || id == MM_FOURCC('B', 'O', 'D', 'Y')) && !f.have_body)
		{
			f.have_body = 1;
			f.body_size = size;
		}
		if (r != MM_FMT_YES)
			return r;
		if ((form == MM_FOURCC('8', 'S', 'V', 'X') ? (f.have_vhdr && f.have_body) : f.have_comm))
			break;
		off += 8 + size + (size & 1);
	}
	iff_report(form, &f, out);
	return MM_FMT_YES;
}
