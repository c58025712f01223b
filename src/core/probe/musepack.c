/*
 * probe/musepack.c - Musepack audio: SV7 ("MP+") and SV8 ("MPCK"), also
 * behind ID3v2 tags (an ID3v2 tag alone does not make a file MPEG audio).
 *
 * SV7: after "MP+" and the version byte (low nibble 7) comes the frame
 * count (32-bit little-endian) and the stream flags, whose sample rate
 * index gives 44100, 48000, 37800 or 32000 Hz; each frame holds 1152
 * samples, two channels.  SV8: packets of a two-letter key and a
 * variable-length size (7 bits a byte, high bit = more); the stream header
 * packet "SH" holds a CRC, the version, the sample count and the leading
 * silence (both variable-length), then the rate index (top 3 bits) and the
 * channel count less one (top 4 bits of the next byte).  At most
 * MPC_MAX_PACKETS packets in the first MPC_HEAD bytes are looked at.
 */
#include <string.h>

#include "probe/av.h"
#include "probe/scan.h"

#define MPC_HEAD		256		/* bytes read from the magic on */
#define MPC_NEED		8192	/* a NEED after ID3 tags asks for this much: mp3.c's
								 * window at the same offset, so one round serves both */
#define MPC_MAX_PACKETS	8

static const uint32_t mpc_rates[4] = {44100, 48000, 37800, 32000};

/*
 * Reads a Musepack SV8 variable-length number at p[*pos..n) (at most 9
 * bytes); returns 0 when it runs past n.
 */
static int
mpc_varint(const uint8_t *p, size_t n, size_t *pos, uint64_t *v)
{
	int			k;

	*v = 0;
	for (k = 0; k < 9 && *pos < n; k++)
	{
		uint8_t		c = p[(*pos)++];

		*v = (*v << 7) | (c & 0x7F);
		if (!(c & 0x80))
			return 1;
	}
	return 0;
}

/* Fills *out from an SV7 header (n bytes at p, "MP+" first). */
static void
mpc_sv7(const uint8_t *p, size_t n, mm_probe *out)
{
	uint32_t	frames,
				rate;

	mm_probe_add_str(out, "codec", "musepack7");
	if (n < 12)
		return;
	frames = mm_le32(p + 4);
	rate = mpc_rates[(mm_le32(p + 8) >> 16) & 3];
	mm_probe_add_int(out, "sample_rate", rate);
	mm_probe_add_int(out, "channels", 2);
	out->duration_ms = mm_units_to_ms((uint64_t) frames * 1152, rate);
}

/* Fills *out from the SV8 packets (n bytes at p, "MPCK" first). */
static void
mpc_sv8(const uint8_t *p, size_t n, mm_probe *out)
{
	size_t		pos = 4;
	int			k;

	mm_probe_add_str(out, "codec", "musepack8");
	for (k = 0; k < MPC_MAX_PACKETS && n - pos >= 3; k++)
	{
		size_t		start = pos,
					q;
		uint64_t	size,
					samples,
					silence;
		uint32_t	rate;

		pos += 2;
		if (!mpc_varint(p, n, &pos, &size) || size < pos - start || size > n - start)
			return;
		if (p[start] != 'S' || p[start + 1] != 'H')
		{
			pos = start + (size_t) size;
			continue;
		}
		q = pos + 5;			/* CRC, version */
		if (q > start + size || !mpc_varint(p, start + (size_t) size, &q, &samples) ||
			!mpc_varint(p, start + (size_t) size, &q, &silence) || q + 2 > start + size)
			return;
		rate = mpc_rates[(p[q] >> 5) & 3];
		mm_probe_add_int(out, "sample_rate", rate);
		mm_probe_add_int(out, "channels", (p[q + 1] >> 4) + 1);
		if (samples > silence)
			out->duration_ms = mm_units_to_ms(samples - silence, rate);
		return;
	}
}

/* Probes Musepack: "MP+" (version 7) or "MPCK" at 0 or after ID3v2 tags. */
int
mm_probe_musepack(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	uint64_t	off = 0;
	int			ntags = 0;
	uint8_t		b[MPC_HEAD];
	size_t		n;
	mm_src_status st;

	if (headlen < 4)
		return MM_FMT_NO;
	if (headlen >= 10 && mm_id3v2_len(head) > 0 && mm_id3_skip(src, &off, &ntags) == MM_SRC_NEED)
		return MM_FMT_NEED;
	n = src->size - off < MPC_HEAD ? (size_t) (src->size - off) : MPC_HEAD;
	if (n < 4)
		return MM_FMT_NO;
	st = mm_read(src, off, b, n);
	if (st == MM_SRC_NEED)
		return mm_fmt_need(src, MPC_NEED);
	if (st != MM_SRC_OK)
		return MM_FMT_NO;
	if (memcmp(b, "MP+", 3) == 0 && (b[3] & 0x0F) == 7)
	{
		mm_probe_set_type(out, "audio/x-musepack");
		mpc_sv7(b, n, out);
		return MM_FMT_YES;
	}
	if (memcmp(b, "MPCK", 4) == 0)
	{
		mm_probe_set_type(out, "audio/x-musepack");
		mpc_sv8(b, n, out);
		return MM_FMT_YES;
	}
	return MM_FMT_NO;
}
