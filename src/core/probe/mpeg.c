/*
 * probe/mpeg.c - MPEG-1/2 program streams, MPEG transport streams and raw
 * MPEG-1/2 video elementary streams.
 *
 * Program stream: a pack header (00 00 01 BA, MPEG-1 or MPEG-2 layout with
 * its marker bits) at offset 0, followed by another start code.  The first
 * video sequence header (00 00 01 B3) in the head region gives the frame
 * size and rate.  The duration is the largest presentation time stamp of
 * the chosen stream (first video stream, else first audio stream) in the
 * tail region (or, for a short file, the head region) minus the smallest
 * in the head region, plus one frame.
 *
 * Transport stream: the 0x47 sync byte repeats every 188 bytes (or every
 * 192 in M2TS/BDAV, after a 4-byte time code) for every packet in the
 * first MM_HEAD_LEN bytes, at least TS_MIN_PACKETS of them.  The duration
 * is the last PCR in the tail region (or, for a short file, the head
 * region) minus the first PCR in the head region, on the same PID.
 *
 * Raw video elementary stream: a valid sequence header at offset 0 gives
 * the frame size and rate; the duration stays unknown (no time stamps).
 *
 * The head region is the first MPEG_REGION bytes and the tail region the
 * last MPEG_REGION bytes that are not in the head region (empty for a
 * short file): the glue's two windows, fixed by the file size alone, so the
 * result does not depend on the source, the middle of the file is never
 * read and every loop is bounded by the region's size.
 */
#include <string.h>

#include "probe/av.h"
#include "probe/formats.h"

#define MPEG_REGION		65536
#define TS_MIN_PACKETS	3
#define TS_CHECK_PACKETS 16


/*
 * Loads the head region (tail = 0): the first MPEG_REGION bytes, or the
 * tail region (tail = 1): the last MPEG_REGION bytes but none of the head
 * region, which are exactly the glue's head and tail windows.  Returns NULL
 * (with *len 0 for an empty region) or with *need set when the bytes must
 * be fetched.
 */
static const uint8_t *
mpeg_region(mm_source *src, int tail, uint64_t *start, size_t *len, int *need)
{
	mm_src_status st;
	const uint8_t *p;
	uint64_t	size = src->size;

	*need = 0;
	if (!tail)
	{
		*start = 0;
		*len = size > MPEG_REGION ? MPEG_REGION : (size_t) size;
	}
	else
	{
		*start = size > MPEG_REGION ? size - MPEG_REGION : 0;
		if (*start < MPEG_REGION)
			*start = size > MPEG_REGION ? MPEG_REGION : size;
		*len = (size_t) (size - *start);
	}
	if (*len == 0)
		return NULL;
	p = mm_peek(src, *start, *len, &st);
	if (p == NULL && st == MM_SRC_NEED)
		*need = 1;
	return p;
}

/* Length of the pack header at p (n bytes available), or 0 if it is not one. */
static size_t
ps_pack_len(const uint8_t *p, size_t n)
{
	if (n < 12 || p[0] != 0 || p[1] != 0 || p[2] != 1 || p[3] != 0xBA)
		return 0;
	if ((p[4] & 0xF1) == 0x21)
	{
		/* MPEG-1: 0010 SCR[32..30] 1, markers after each SCR/mux-rate part */
		if (!(p[6] & 1) || !(p[8] & 1) || !(p[9] & 0x80) || !(p[11] & 1))
			return 0;
		return 12;
	}
	if ((p[4] & 0xC4) == 0x44)
	{
		/* MPEG-2: 01 SCR[32..30] 1 SCR[29..28] ..., then stuffing length */
		if (n < 14 || !(p[6] & 4) || !(p[8] & 4) || !(p[9] & 1) || (p[12] & 3) != 3)
			return 0;
		return 14 + (p[13] & 7);
	}
	return 0;
}

/* Reads a 33-bit time stamp in PES layout (5 bytes, marker bits checked). */
static int
ps_timestamp(const uint8_t *p, uint64_t *ts)
{
	if (!(p[0] & 1) || !(p[2] & 1) || !(p[4] & 1))
		return 0;
	*ts = ((uint64_t) ((p[0] >> 1) & 7) << 30) | ((uint64_t) p[1] << 22) |
		((uint64_t) (p[2] >> 1) << 15) | ((uint64_t) p[3] << 7) | (p[4] >> 1);
	return 1;
}

/* The PTS of the PES packet at p (n bytes available), MPEG-1 or MPEG-2 syntax. */
static int
ps_pes_pts(const uint8_t *p, size_t n, uint64_t *pts)
{
	size_t		i = 6;

	if (n < 14)
		return 0;
	if ((p[6] & 0xC0) == 0x80)
	{
		/* MPEG-2 PES header: flags, header length, then PTS */
		if (!(p[7] & 0x80) || p[8] < 5 || (p[9] & 0xE0) != 0x20)
			return 0;
		return ps_timestamp(p + 9, pts);
	}
	while (i < n && i < 6 + 16 && p[i] == 0xFF)
		i++;					/* MPEG-1 stuffing */
	if (i + 2 < n && (p[i] & 0xC0) == 0x40)
		i += 2;					/* STD buffer size */
	if (n - i < 5 || (p[i] & 0xE0) != 0x20)
		return 0;
	return ps_timestamp(p + i, pts);
}

/*
 * Scans a region for PES packets of stream sid (0: pick the first video,
 * else first audio stream, into *sid) and their smallest and largest PTS.
 */
static int
ps_scan_pts(const uint8_t *p, size_t n, uint8_t *sid, uint64_t *min_pts, uint64_t *max_pts)
{
	size_t		i;
	int			found = 0;
	uint8_t		first_audio = 0;

	if (*sid == 0)
	{
		for (i = 0; i + 14 <= n && *sid == 0; i++)
		{
			uint64_t	t;

			if (p[i] != 0 || p[i + 1] != 0 || p[i + 2] != 1)
				continue;
			if ((p[i + 3] & 0xF0) == 0xE0 && ps_pes_pts(p + i, n - i, &t))
				*sid = p[i + 3];
			else if ((p[i + 3] & 0xE0) == 0xC0 && first_audio == 0 && ps_pes_pts(p + i, n - i, &t))
				first_audio = p[i + 3];
		}
		if (*sid == 0)
			*sid = first_audio;
		if (*sid == 0)
			return 0;
	}
	for (i = 0; i + 14 <= n; i++)
	{
		uint64_t	t;

		if (p[i] != 0 || p[i + 1] != 0 || p[i + 2] != 1 || p[i + 3] != *sid)
			continue;
		if (!ps_pes_pts(p + i, n - i, &t))
			continue;
		if (!found || t < *min_pts)
			*min_pts = t;
		if (!found || t > *max_pts)
			*max_pts = t;
		found = 1;
	}
	return found;
}

/* An MPEG-1/2 video sequence header's fields. */
typedef struct mpeg_seq
{
	int64_t		width;
	int64_t		height;
	uint32_t	fr_num;			/* frame rate fr_num / fr_den */
	uint32_t	fr_den;
	int			mpeg2;			/* a sequence extension follows */
} mpeg_seq;

/*
 * Reads the video sequence header (00 00 01 B3) at p[0..n): a 12-bit width
 * and height (neither 0), aspect ratio and frame rate codes (neither 0 nor
 * unknown), the marker bit after the bit rate; then whether a sequence
 * extension (00 00 01 B5, id 1) follows within 140 bytes, which makes the
 * stream MPEG-2.  Returns 0 when the header is not valid.
 */
static int
mpeg_seq_at(const uint8_t *p, size_t n, mpeg_seq *seq)
{
	/* codes 9..13 are the Xing and libmpeg3 extensions FFmpeg also reads */
	static const uint32_t num[14] = {0, 24000, 24, 25, 30000, 30, 50, 60000, 60, 15, 5, 10, 12, 15};
	static const uint32_t den[14] = {1, 1001, 1, 1, 1001, 1, 1, 1001, 1, 1, 1, 1, 1, 1};
	int			code;
	size_t		i;

	if (n < 12 || p[0] != 0 || p[1] != 0 || p[2] != 1 || p[3] != 0xB3)
		return 0;
	seq->width = ((int64_t) p[4] << 4) | (p[5] >> 4);
	seq->height = ((int64_t) (p[5] & 0x0f) << 8) | p[6];
	code = p[7] & 0x0f;
	if (seq->width == 0 || seq->height == 0 || code == 0 || code > 13 ||
		(p[7] >> 4) == 0 || (p[7] >> 4) == 15 || !(p[10] & 0x20))
		return 0;
	seq->fr_num = num[code];
	seq->fr_den = den[code];
	seq->mpeg2 = 0;
	for (i = 12; i + 5 <= n && i < 12 + 140; i++)
		if (p[i] == 0 && p[i + 1] == 0 && p[i + 2] == 1)
		{
			seq->mpeg2 = (p[i + 3] == 0xB5 && (p[i + 4] >> 4) == 1);
			break;
		}
	return 1;
}

/*
 * Finds the first valid video sequence header in p[0..n); returns 1 and
 * fills *seq, else 0 with seq->fr_num 0.
 */
static int
mpeg_find_seq(const uint8_t *p, size_t n, mpeg_seq *seq)
{
	size_t		i;

	for (i = 0; i + 12 <= n; i++)
		if (p[i] == 0 && p[i + 1] == 0 && p[i + 2] == 1 && p[i + 3] == 0xB3 &&
			mpeg_seq_at(p + i, n - i, seq))
			return 1;
	memset(seq, 0, sizeof(*seq));
	return 0;
}

/* Reports a sequence header: frame size, codec and frame rate. */
static void
mpeg_report_seq(const mpeg_seq *seq, mm_probe *out)
{
	out->width = seq->width;
	out->height = seq->height;
	mm_probe_add_str(out, "codec", seq->mpeg2 ? "mpeg2video" : "mpeg1video");
	mm_probe_add_int(out, "frame_rate_milli", (int64_t) seq->fr_num * 1000 / seq->fr_den);
}

/* Probes an MPEG program stream. */
static int
ps_probe(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	size_t		plen = ps_pack_len(head, headlen);
	const uint8_t *h,
			   *t;
	uint64_t	hstart,
				tstart;
	size_t		hlen,
				tlen;
	int			need;
	mpeg_seq	seq;
	uint8_t		sid = 0;
	uint64_t	hmin = 0,
				hmax = 0,
				tmin = 0,
				tmax = 0;

	if (plen == 0 || headlen < plen + 4 || head[plen] != 0 || head[plen + 1] != 0 ||
		head[plen + 2] != 1 || head[plen + 3] < 0xB9)
		return MM_FMT_NO;

	h = mpeg_region(src, 0, &hstart, &hlen, &need);
	if (need)
		return MM_FMT_NEED;
	t = mpeg_region(src, 1, &tstart, &tlen, &need);
	if (need)
		return MM_FMT_NEED;

	mm_probe_set_type(out, "video/mpeg");
	if (h && mpeg_find_seq(h, hlen, &seq))
		mpeg_report_seq(&seq, out);
	if (h && ps_scan_pts(h, hlen, &sid, &hmin, &hmax))
	{
		uint64_t	last = hmax;
		uint64_t	span;
		int64_t		ms;

		if (t && ps_scan_pts(t, tlen, &sid, &tmin, &tmax))
			last = tmax;		/* the tail's stamps are the later ones, even across a wrap */
		span = last >= hmin ? last - hmin : last + ((uint64_t) 1 << 33) - hmin;
		ms = mm_units_to_ms(span, 90000);

		if (ms >= 0 && (sid & 0xF0) == 0xE0 && seq.fr_num > 0)
			ms += (int64_t) (1000 * (uint64_t) seq.fr_den / seq.fr_num);	/* the last frame's own time */
		out->duration_ms = ms;
	}
	return MM_FMT_YES;
}

/* The PCR base (90 kHz) of the TS packet at p, with its PID; 0 when it has none. */
static int
ts_pcr(const uint8_t *p, unsigned *pid, uint64_t *pcr)
{
	if (p[0] != 0x47 || !(p[3] & 0x20) || p[4] < 7 || !(p[5] & 0x10))
		return 0;
	*pid = ((unsigned) (p[1] & 0x1f) << 8) | p[2];
	*pcr = ((uint64_t) p[6] << 25) | ((uint64_t) p[7] << 17) | ((uint64_t) p[8] << 9) |
		((uint64_t) p[9] << 1) | (p[10] >> 7);
	return 1;
}

/*
 * Do all packets that start in head (at most TS_CHECK_PACKETS, at least
 * TS_MIN_PACKETS) have the sync byte and a valid adaptation_field_control?
 */
static int
ts_synced(const uint8_t *head, size_t headlen, size_t pkt, size_t sync)
{
	size_t		n,
				i;

	if (headlen <= sync)
		return 0;
	n = (headlen - sync + pkt - 1) / pkt;
	if (n > TS_CHECK_PACKETS)
		n = TS_CHECK_PACKETS;
	if (n < TS_MIN_PACKETS)
		return 0;
	for (i = 0; i < n; i++)
	{
		size_t		at = sync + i * pkt;

		if (head[at] != 0x47)
			return 0;
		if (headlen - at >= 4 && (head[at + 3] & 0x30) == 0)
			return 0;			/* adaptation_field_control 00 is reserved */
	}
	return 1;
}

/* Probes an MPEG transport stream (188-byte packets, or 192-byte M2TS). */
static int
ts_probe(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	size_t		pkt,
				sync,
				i;
	const uint8_t *h,
			   *t;
	uint64_t	hstart,
				tstart;
	size_t		hlen,
				tlen;
	int			need,
				have_first = 0,
				have_last = 0;
	unsigned	pcr_pid = 0;
	uint64_t	first = 0,
				last = 0;

	if (ts_synced(head, headlen, 188, 0))
	{
		pkt = 188;
		sync = 0;
	}
	else if (ts_synced(head, headlen, 192, 4))
	{
		pkt = 192;
		sync = 4;
	}
	else
		return MM_FMT_NO;

	h = mpeg_region(src, 0, &hstart, &hlen, &need);
	if (need)
		return MM_FMT_NEED;
	t = mpeg_region(src, 1, &tstart, &tlen, &need);
	if (need)
		return MM_FMT_NEED;
	mm_probe_set_type(out, "video/mp2t");
	if (pkt == 192)
		mm_probe_add_int(out, "packet_size", 192);
	for (i = sync; h && i + 188 <= hlen; i += pkt)
	{
		unsigned	pid;
		uint64_t	pcr;

		if (!ts_pcr(h + i, &pid, &pcr))
			continue;
		if (!have_first)
		{
			pcr_pid = pid;
			first = pcr;
			have_first = 1;
		}
		else if (pid == pcr_pid)
		{
			last = pcr;			/* a short file's last PCR may be in the head */
			have_last = 1;
		}
	}
	if (have_first && t)
	{
		/* the first packet boundary inside the tail region */
		uint64_t	k = (tstart + pkt - 1) / pkt;
		uint64_t	boundary = k * pkt;

		for (i = (size_t) (boundary - tstart) + sync; i + 188 <= tlen; i += pkt)
		{
			unsigned	pid;
			uint64_t	pcr;

			if (ts_pcr(t + i, &pid, &pcr) && pid == pcr_pid)
			{
				last = pcr;
				have_last = 1;
			}
		}
	}
	if (have_first && have_last)
	{
		uint64_t	span = last >= first ? last - first : last + ((uint64_t) 1 << 33) - first;

		out->duration_ms = mm_units_to_ms(span, 90000);
	}
	return MM_FMT_YES;
}

/*
 * Probes a raw MPEG-1/2 video elementary stream: a valid sequence header
 * at offset 0 (as libmagic's "MPEG sequence").  It carries no time stamps,
 * so the duration stays unknown.
 */
static int
es_probe(const uint8_t *head, size_t headlen, mm_probe *out)
{
	mpeg_seq	seq;

	if (!mpeg_seq_at(head, headlen, &seq))
		return MM_FMT_NO;
	mm_probe_set_type(out, "video/mpeg");
	mpeg_report_seq(&seq, out);
	return MM_FMT_YES;
}

/* Probes MPEG program and transport streams and raw MPEG-1/2 video. */
int
mm_probe_mpeg(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	if (headlen >= 16 && head[0] == 0 && head[1] == 0 && head[2] == 1 && head[3] == 0xBA)
		return ps_probe(src, head, headlen, out);
	if (headlen >= 12 && head[0] == 0 && head[1] == 0 && head[2] == 1 && head[3] == 0xB3)
		return es_probe(head, headlen, out);
	return ts_probe(src, head, headlen, out);
}
