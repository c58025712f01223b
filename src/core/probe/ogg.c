/*
 * probe/ogg.c - Ogg: Vorbis, Opus, FLAC, Speex and OGM audio; Theora, OGM
 * (DirectShow "\001video" streams), VP8, Daala and Dirac video.
 *
 * The codec of every logical stream is in the first packet of its BOS
 * (beginning of stream) page, and all BOS pages come first, so the head of
 * the file names the streams and gives rate, channels and the frame size
 * (Theora, OGM, VP8; Daala and Dirac are named only).  Any video stream
 * makes the file video/ogg.
 *
 * The duration comes from the granule position of each stream's last page,
 * found by scanning the file's last OGG_TAIL bytes backwards (a page is at
 * most 65307 bytes, so the final page starts inside that window); a
 * candidate page counts only when it is whole and its CRC matches, and at
 * most OGG_MAX_CANDIDATES candidates are checked.  A stream whose last such
 * page has granule 0 (only header pages survive a truncation) has an
 * unknown duration, reported as such by probe.c's rule, never as 0 ms.
 * Nothing in between is read.  OGG_TAIL matches the glue's 64 KB head and tail windows.
 */
#include <string.h>

#include "probe/av.h"
#include "probe/formats.h"

#define OGG_MAX_BOS			16	/* BOS pages (logical streams) looked at */
#define OGG_TAIL			65536	/* bytes scanned at the end of the file */
#define OGG_MAX_CANDIDATES	64	/* "OggS" hits checked in the tail */
#define OGG_PKT				64	/* bytes of a first packet examined */

enum
{
	OGG_UNKNOWN = 0,
	OGG_VORBIS,
	OGG_OPUS,
	OGG_FLAC,
	OGG_SPEEX,
	OGG_OGM_AUDIO,
	OGG_THEORA,				/* the video codecs follow Theora */
	OGG_OGM_VIDEO,
	OGG_VP8,
	OGG_DAALA,
	OGG_DIRAC,
	OGG_SKELETON
};

/* Codec names reported, by the enum above. */
static const char *const ogg_names[] = {
	"", "vorbis", "opus", "flac", "speex", "ogm", "theora", "ogm", "vp8", "daala", "dirac", ""
};

/* Whether the codec is a video codec; whether it is an audio codec. */
#define OGG_IS_VIDEO(c) ((c) >= OGG_THEORA && (c) <= OGG_DIRAC)
#define OGG_IS_AUDIO(c) ((c) >= OGG_VORBIS && (c) <= OGG_OGM_AUDIO)

/* One logical stream. */
typedef struct ogg_stream
{
	uint32_t	serial;
	int			codec;
	uint32_t	rate;
	int			channels;
	uint32_t	preskip;		/* Opus */
	uint32_t	width;			/* Theora picture size */
	uint32_t	height;
	uint32_t	frn;			/* Theora frame rate numerator/denominator */
	uint32_t	frd;
	uint64_t	time_unit;		/* OGM: 100 ns units per granule (frame or sample) */
	int			kfgshift;
	int			old_theora;		/* before 3.2.1: granule counts from 0 */
	uint64_t	last_granule;
	int			have_last;
} ogg_stream;


/* Fills tab with the Ogg CRC table (polynomial 0x04c11db7, no reflection). */
static void
ogg_crc_table(uint32_t *tab)
{
	uint32_t	i;
	int			k;

	for (i = 0; i < 256; i++)
	{
		uint32_t	crc = i << 24;

		for (k = 0; k < 8; k++)
			crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04c11db7u : crc << 1;
		tab[i] = crc;
	}
}

/* The Ogg page CRC of a whole page, its CRC field taken as zero. */
static uint32_t
ogg_crc(const uint32_t *tab, const uint8_t *p, size_t len)
{
	uint32_t	crc = 0;
	size_t		i;

	for (i = 0; i < len; i++)
	{
		uint8_t		c = (i >= 22 && i < 26) ? 0 : p[i];

		crc = (crc << 8) ^ tab[((crc >> 24) ^ c) & 0xff];
	}
	return crc;
}

/*
 * Identifies the streams other than Xiph's own codecs from a first packet:
 * OGM's DirectShow stream header ("\001video\0\0\0", fourcc, ..., time unit
 * in 100 ns, ..., width and height, little-endian), OGM audio ("\001audio":
 * samples per unit is the rate, then channels), VP8 ("OVP80\001": width
 * and height big-endian), Daala ("\200daala") and Dirac ("BBCD\0").
 */
static void
ogg_identify_other(const uint8_t *p, size_t n, ogg_stream *s)
{
	if (n >= 53 && memcmp(p, "\001video\0\0\0", 9) == 0)
	{
		s->codec = OGG_OGM_VIDEO;
		s->time_unit = mm_le64(p + 17);
		s->width = mm_le32(p + 45);
		s->height = mm_le32(p + 49);
	}
	else if (n >= 47 && memcmp(p, "\001audio\0\0\0", 9) == 0)
	{
		s->codec = OGG_OGM_AUDIO;
		s->time_unit = mm_le64(p + 17);
		s->rate = (uint32_t) mm_le64(p + 25);
		s->channels = mm_le16(p + 45);
	}
	else if (n >= 12 && memcmp(p, "OVP80\001", 6) == 0)
	{
		s->codec = OGG_VP8;
		s->width = mm_be16(p + 8);
		s->height = mm_be16(p + 10);
	}
	else if (n >= 6 && memcmp(p, "\200daala", 6) == 0)
		s->codec = OGG_DAALA;
	else if (n >= 5 && memcmp(p, "BBCD\0", 5) == 0)
		s->codec = OGG_DIRAC;
}

/* Identifies a stream from its first packet (n bytes at p). */
static void
ogg_identify(const uint8_t *p, size_t n, ogg_stream *s)
{
	if (n >= 16 && memcmp(p, "\001vorbis", 7) == 0)
	{
		s->codec = OGG_VORBIS;
		s->channels = p[11];
		s->rate = mm_le32(p + 12);
	}
	else if (n >= 16 && memcmp(p, "OpusHead", 8) == 0)
	{
		s->codec = OGG_OPUS;
		s->channels = p[9];
		s->preskip = mm_le16(p + 10);
		s->rate = mm_le32(p + 12);
	}
	else if (n >= 42 && memcmp(p, "\200theora", 7) == 0)
	{
		s->codec = OGG_THEORA;
		s->width = ((uint32_t) p[14] << 16) | ((uint32_t) p[15] << 8) | p[16];
		s->height = ((uint32_t) p[17] << 16) | ((uint32_t) p[18] << 8) | p[19];
		s->frn = mm_be32(p + 22);
		s->frd = mm_be32(p + 26);
		s->kfgshift = ((p[40] & 3) << 3) | (p[41] >> 5);
		s->old_theora = (p[7] < 3 || (p[7] == 3 && (p[8] < 2 || (p[8] == 2 && p[9] < 1))));
	}
	else if (n >= 30 && memcmp(p, "\177FLAC", 5) == 0 && memcmp(p + 9, "fLaC", 4) == 0)
	{
		s->codec = OGG_FLAC;
		s->rate = ((uint32_t) p[27] << 12) | ((uint32_t) p[28] << 4) | (p[29] >> 4);
		s->channels = ((p[29] >> 1) & 7) + 1;
	}
	else if (n >= 52 && memcmp(p, "Speex   ", 8) == 0)
	{
		s->codec = OGG_SPEEX;
		s->rate = mm_le32(p + 36);
		s->channels = (int) mm_le32(p + 48);
	}
	else if (n >= 8 && memcmp(p, "fishead\0", 8) == 0)
		s->codec = OGG_SKELETON;
	else
		ogg_identify_other(p, n, s);
}

/* The stream's duration from its last granule position, or -1. */
static int64_t
ogg_stream_ms(const ogg_stream *s)
{
	uint64_t	g = s->last_granule;

	if (!s->have_last || g >= ((uint64_t) 1 << 63))
		return -1;
	switch (s->codec)
	{
		case OGG_VORBIS:
		case OGG_FLAC:
		case OGG_SPEEX:
		case OGG_OGM_AUDIO:
			return mm_units_to_ms(g, s->rate);
		case OGG_OGM_VIDEO:
			/* the granule counts frames of time_unit * 100 ns */
			if (s->time_unit == 0 || (g > 0 && s->time_unit > UINT64_MAX / g))
				return -1;
			return mm_units_to_ms(g * s->time_unit, 10000000);
		case OGG_OPUS:
			/* the granule counts 48 kHz samples, including pre-skip */
			return mm_units_to_ms(g > s->preskip ? g - s->preskip : 0, 48000);
		case OGG_THEORA:
			{
				int			sh = s->kfgshift;
				uint64_t	frames;

				if (s->frn == 0 || s->frd == 0)
					return -1;
				frames = sh == 0 ? g : (g >> sh) + (g & (((uint64_t) 1 << sh) - 1));
				if (s->old_theora)
					frames++;
				if (frames > UINT64_MAX / s->frd)
					return -1;
				return mm_units_to_ms(frames * s->frd, s->frn);
			}
	}
	return -1;
}

/*
 * Checks the candidate page at t (avail bytes from there to the end of
 * the file): capture pattern, version, a complete body and the CRC.
 * Returns 1 with the granule position and serial number of a valid page.
 * A truncated file's last page, cut off by the end, does not count: its
 * CRC cannot be checked, so its granule is not trusted (as FFmpeg).
 */
static int
ogg_tail_page(const uint32_t *tab, const uint8_t *t, size_t avail, uint64_t *g, uint32_t *serial)
{
	size_t		nsegs,
				body = 0,
				j;

	nsegs = t[26];
	if (avail < 27 + nsegs)
		return 0;
	for (j = 0; j < nsegs; j++)
		body += t[27 + j];
	if (avail - 27 - nsegs < body)
		return 0;				/* runs past the end: a truncated page */
	if (ogg_crc(tab, t, 27 + nsegs + body) != mm_le32(t + 22))
		return 0;
	*g = mm_le64(t + 6);
	*serial = mm_le32(t + 14);
	return 1;
}

/*
 * Scans backwards, from file offset hi - 1 down to lo, for each known
 * stream's last page with a granule position; t holds the file from tstart
 * to its end.  *candidates and *missing carry over between calls.
 */
static void
ogg_scan_range(const uint32_t *tab, const uint8_t *t, uint64_t tstart, uint64_t lo, uint64_t hi,
			   uint64_t size, ogg_stream *st, int nst, int *candidates, int *missing)
{
	uint64_t	pos;
	int			k;

	for (pos = hi; pos-- > lo && *missing > 0 && *candidates < OGG_MAX_CANDIDATES;)
	{
		const uint8_t *p = t + (pos - tstart);
		uint64_t	g;
		uint32_t	serial;

		if (size - pos < 27 || p[0] != 'O' || memcmp(p, "OggS", 4) != 0 || p[4] != 0)
			continue;
		(*candidates)++;
		if (!ogg_tail_page(tab, p, (size_t) (size - pos), &g, &serial) || g == UINT64_MAX)
			continue;			/* invalid, or no packet ends on this page */
		for (k = 0; k < nst; k++)
			if (st[k].serial == serial && !st[k].have_last &&
				st[k].codec != OGG_UNKNOWN && st[k].codec != OGG_SKELETON)
			{
				st[k].last_granule = g;
				st[k].have_last = 1;
				(*missing)--;
				break;
			}
	}
}

/*
 * Finds each known stream's last page with a granule position in the last
 * OGG_TAIL bytes, scanning backwards.  The scan first covers the file from
 * the start of the glue's tail window (the last OGG_TAIL bytes, but not
 * before OGG_TAIL) and only when a stream's last page is still missing the
 * rest of the last OGG_TAIL bytes: the order of the pages looked at is the
 * same either way, so the result does not depend on which windows the
 * source holds.  Returns MM_FMT_NEED when bytes must be fetched.
 */
static int
ogg_scan_tail(mm_source *src, ogg_stream *st, int nst)
{
	uint64_t	size = src->size;
	uint64_t	full = size > OGG_TAIL ? size - OGG_TAIL : 0;
	uint64_t	part = size > OGG_TAIL ? (full > OGG_TAIL ? full : OGG_TAIL) : 0;
	mm_src_status status;
	const uint8_t *t;
	int			candidates = 0,
				missing = 0,
				k;
	uint32_t	tab[256];

	for (k = 0; k < nst; k++)
		if (st[k].codec != OGG_UNKNOWN && st[k].codec != OGG_SKELETON)
			missing++;
	if (missing == 0 || size < 27)
		return MM_FMT_YES;
	ogg_crc_table(tab);
	t = mm_peek(src, part, (size_t) (size - part), &status);
	if (t == NULL)
		return status == MM_SRC_NEED ? MM_FMT_NEED : MM_FMT_YES;
	ogg_scan_range(tab, t, part, part, size, size, st, nst, &candidates, &missing);
	if (missing == 0 || candidates >= OGG_MAX_CANDIDATES || part == full)
		return MM_FMT_YES;
	t = mm_peek(src, full, (size_t) (size - full), &status);
	if (t == NULL)
		return status == MM_SRC_NEED ? MM_FMT_NEED : MM_FMT_YES;
	ogg_scan_range(tab, t, full, full, part, size, st, nst, &candidates, &missing);
	return MM_FMT_YES;
}

/* Fills *out from the streams found. */
static void
ogg_report(const ogg_stream *st, int nst, mm_probe *out)
{
	const ogg_stream *video = NULL,
			   *audio = NULL;
	int64_t		ms = -1;
	int			k;

	for (k = 0; k < nst; k++)
	{
		int64_t		m;

		if (OGG_IS_VIDEO(st[k].codec) && video == NULL)
			video = &st[k];
		else if (OGG_IS_AUDIO(st[k].codec) && audio == NULL)
			audio = &st[k];
		m = ogg_stream_ms(&st[k]);
		if (m > ms)
			ms = m;
	}
	if (video)
		mm_probe_set_type(out, "video/ogg");
	else if (audio)
		mm_probe_set_type(out, "audio/ogg");
	else
	{
		mm_probe_set_type(out, "application/ogg");
		return;
	}
	out->duration_ms = ms;
	if (video)
	{
		if (video->width > 0 && video->height > 0)
		{
			out->width = video->width;
			out->height = video->height;
		}
		mm_probe_add_str(out, "codec", ogg_names[video->codec]);
		if (audio)
			mm_probe_add_str(out, "audio_codec", ogg_names[audio->codec]);
	}
	else
		mm_probe_add_str(out, "codec", ogg_names[audio->codec]);
	mm_probe_add_bool(out, "has_video", video != NULL);
	mm_probe_add_bool(out, "has_audio", audio != NULL);
	if (audio)
	{
		if (audio->rate > 0)
			mm_probe_add_int(out, "sample_rate", audio->rate);
		if (audio->channels > 0)
			mm_probe_add_int(out, "channels", audio->channels);
		if (audio->codec == OGG_OPUS)
			mm_probe_add_int(out, "pre_skip", audio->preskip);
	}
}

/* Probes Ogg: reads the BOS pages at the start and the last pages at the end. */
int
mm_probe_ogg(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	ogg_stream	st[OGG_MAX_BOS];
	int			nst = 0;
	uint64_t	off = 0;
	int			r;

	if (headlen < 27 || memcmp(head, "OggS", 4) != 0 || head[4] != 0)
		return MM_FMT_NO;
	memset(st, 0, sizeof(st));
	while (nst < OGG_MAX_BOS && src->size - off >= 27)
	{
		uint8_t		h[27];
		uint8_t		segs[255];
		uint8_t		pkt[OGG_PKT];
		size_t		nsegs,
					j,
					body = 0,
					plen = 0;
		int			pkt_done = 0;
		mm_src_status s = mm_read(src, off, h, 27);

		if (s == MM_SRC_NEED)
			return MM_FMT_NEED;
		if (s != MM_SRC_OK || memcmp(h, "OggS", 4) != 0 || h[4] != 0 || !(h[5] & 0x02))
			break;				/* past the BOS pages */
		nsegs = h[26];
		if (src->size - off - 27 < nsegs)
			break;
		s = mm_read(src, off + 27, segs, nsegs);
		if (s == MM_SRC_NEED)
			return MM_FMT_NEED;
		if (s != MM_SRC_OK)
			break;
		for (j = 0; j < nsegs; j++)
		{
			body += segs[j];
			if (!pkt_done)
			{
				plen += segs[j];
				pkt_done = segs[j] < 255;
			}
		}
		st[nst].serial = mm_le32(h + 14);
		if (plen > OGG_PKT)
			plen = OGG_PKT;
		if (plen > src->size - off - 27 - nsegs)
			plen = (size_t) (src->size - off - 27 - nsegs);
		if (plen > 0)
		{
			s = mm_read(src, off + 27 + nsegs, pkt, plen);
			if (s == MM_SRC_NEED)
				return MM_FMT_NEED;
			if (s == MM_SRC_OK)
				ogg_identify(pkt, plen, &st[nst]);
		}
		nst++;
		if (src->size - off - 27 - nsegs < body)
			break;
		off += 27 + nsegs + body;
	}
	r = ogg_scan_tail(src, st, nst);
	if (r != MM_FMT_YES)
		return r;
	ogg_report(st, nst, out);
	return MM_FMT_YES;
}
