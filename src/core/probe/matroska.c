/*
 * probe/matroska.c - Matroska and WebM (EBML).
 *
 * The EBML header's DocType tells WebM from Matroska.  Inside the Segment,
 * Info gives TimecodeScale and Duration (a 4- or 8-byte float, in
 * TimecodeScale nanoseconds) and Tracks gives each track's type, CodecID
 * and video size (DisplayWidth/Height when in pixels, else PixelWidth/
 * Height).  The Segment's children are walked by their headers, at most
 * MKV_MAX_TOP of them; Info, Tracks and SeekHead are loaded into memory
 * (capped) and parsed there.  When the first Cluster comes before Info or
 * Tracks, the SeekHead's positions are followed instead of scanning.
 *
 * EBML variable-length integers are validated: an ID is 1-4 bytes, a size
 * 1-8 bytes (a first byte of 0 is invalid), and an all-ones size means
 * "unknown" (allowed for the Segment, which then runs to the end of file;
 * for any other element it stops the walk).
 */
#include <stdio.h>
#include <string.h>

#include "probe/formats.h"

#define MKV_MAX_TOP		64		/* Segment children walked */
#define MKV_MAX_CHILD	512		/* children looked at per loaded element */
#define MKV_MAX_TRACKS	64		/* TrackEntry elements looked at */
#define MKV_MAX_INFO	(64 * 1024)
#define MKV_MAX_TRACKS_LEN	(1024 * 1024)
#define MKV_MAX_SEEKHEAD	(64 * 1024)
#define MKV_MAX_EBML	4096

#define ID_EBML			0x1A45DFA3
#define ID_DOCTYPE		0x4282
#define ID_SEGMENT		0x18538067
#define ID_SEEKHEAD		0x114D9B74
#define ID_SEEK			0x4DBB
#define ID_SEEKID		0x53AB
#define ID_SEEKPOS		0x53AC
#define ID_INFO			0x1549A966
#define ID_TIMECODESCALE 0x2AD7B1
#define ID_DURATION		0x4489
#define ID_TRACKS		0x1654AE6B
#define ID_TRACKENTRY	0xAE
#define ID_TRACKTYPE	0x83
#define ID_CODECID		0x86
#define ID_VIDEO		0xE0
#define ID_PIXELWIDTH	0xB0
#define ID_PIXELHEIGHT	0xBA
#define ID_DISPLAYWIDTH	0x54B0
#define ID_DISPLAYHEIGHT 0x54BA
#define ID_DISPLAYUNIT	0x54B2
#define ID_AUDIO		0xE1
#define ID_SAMPLINGFREQ	0xB5
#define ID_CHANNELS		0x9F
#define ID_BITDEPTH		0x6264
#define ID_CLUSTER		0x1F43B675

/* What the walk found. */
typedef struct mkv_info
{
	int			webm;
	int			have_info;
	int			have_tracks;
	uint64_t	timescale;
	double		duration;
	int			have_duration;
	int			has_video;
	int			has_audio;
	int64_t		width;
	int64_t		height;
	char		vcodec[32];
	char		acodec[32];
	int64_t		sample_rate;
	int64_t		channels;
	int64_t		bit_depth;
	uint64_t	info_pos;		/* from SeekHead, relative to the Segment data */
	uint64_t	tracks_pos;
	int			have_info_pos;
	int			have_tracks_pos;
} mkv_info;

/* An element inside an in-memory parent. */
typedef struct mkv_elem
{
	uint32_t	id;
	const uint8_t *data;
	size_t		len;
} mkv_elem;

/*
 * Decodes an EBML variable-length integer of at most maxlen bytes from the
 * avail bytes at p.  Returns its length (0 when invalid or cut off); *value
 * gets the value without the length marker (keep_marker: with it, for IDs),
 * *all_ones whether every value bit is set (an "unknown" size).
 */
static int
mkv_vint(const uint8_t *p, size_t avail, int maxlen, int keep_marker,
		 uint64_t *value, int *all_ones)
{
	int			len = 1;
	uint8_t		mask = 0x80;
	uint64_t	v;
	int			i;

	if (avail < 1 || p[0] == 0)
		return 0;
	while (!(p[0] & mask))
	{
		mask >>= 1;
		len++;
	}
	if (len > maxlen || (size_t) len > avail)
		return 0;
	v = keep_marker ? p[0] : (uint64_t) (p[0] & (mask - 1));
	for (i = 1; i < len; i++)
		v = (v << 8) | p[i];
	*value = v;
	if (all_ones)
		*all_ones = !keep_marker && v == (((uint64_t) 1 << (7 * len)) - 1);
	return len;
}

/*
 * Reads the element header at *pos of the in-memory parent p/len and
 * advances past the element.  An unknown or oversized size is clipped to
 * the parent.  Returns 0 at the end or on a malformed header.
 */
static int
mkv_next(const uint8_t *p, size_t len, size_t *pos, mkv_elem *e)
{
	uint64_t	id,
				size;
	int			il,
				sl,
				unknown;
	size_t		rem;

	if (*pos >= len)
		return 0;
	rem = len - *pos;
	il = mkv_vint(p + *pos, rem, 4, 1, &id, NULL);
	if (il == 0)
		return 0;
	sl = mkv_vint(p + *pos + il, rem - il, 8, 0, &size, &unknown);
	if (sl == 0)
		return 0;
	rem -= il + sl;
	if (unknown || size > rem)
		size = rem;
	e->id = (uint32_t) id;
	e->data = p + *pos + il + sl;
	e->len = (size_t) size;
	*pos += il + sl + (size_t) size;
	return 1;
}

/* An unsigned integer element's value (0-8 bytes, big-endian). */
static uint64_t
mkv_uint(const mkv_elem *e)
{
	uint64_t	v = 0;
	size_t		i;

	for (i = 0; i < e->len && i < 8; i++)
		v = (v << 8) | e->data[i];
	return v;
}

/* A float element's value (4 or 8 bytes); 0 with *ok = 0 otherwise. */
static double
mkv_float(const mkv_elem *e, int *ok)
{
	*ok = 1;
	if (e->len == 4)
	{
		uint32_t	u = mm_be32(e->data);
		float		f;

		memcpy(&f, &u, sizeof(f));
		return f;
	}
	if (e->len == 8)
	{
		uint64_t	u = mm_be64(e->data);
		double		d;

		memcpy(&d, &u, sizeof(d));
		return d;
	}
	*ok = 0;
	return 0;
}

/* Copies a string element into buf (printable ASCII only). */
static void
mkv_string(const mkv_elem *e, char *buf, size_t buflen)
{
	size_t		i,
				n = 0;

	for (i = 0; i < e->len && n + 1 < buflen; i++)
	{
		uint8_t		c = e->data[i];

		if (c == 0)
			break;
		buf[n++] = (c >= 0x20 && c < 0x7f) ? (char) c : '?';
	}
	buf[n] = '\0';
}

/* Short name for a Matroska CodecID, else the CodecID itself. */
static const char *
mkv_codec_name(const char *id)
{
	static const char *const map[][2] = {
		{"V_VP8", "vp8"}, {"V_VP9", "vp9"}, {"V_AV1", "av1"},
		{"V_MPEG4/ISO/AVC", "h264"}, {"V_MPEGH/ISO/HEVC", "hevc"},
		{"V_MPEG4/ISO/SP", "mpeg4"}, {"V_MPEG4/ISO/ASP", "mpeg4"}, {"V_MPEG4/ISO/AP", "mpeg4"},
		{"V_MPEG1", "mpeg1video"}, {"V_MPEG2", "mpeg2video"}, {"V_THEORA", "theora"},
		{"A_VORBIS", "vorbis"}, {"A_OPUS", "opus"}, {"A_FLAC", "flac"},
		{"A_MPEG/L3", "mp3"}, {"A_MPEG/L2", "mp2"}, {"A_AC3", "ac3"}, {"A_EAC3", "eac3"},
		{"A_DTS", "dts"}, {"A_PCM/INT/LIT", "pcm"}, {"A_PCM/INT/BIG", "pcm"},
		{"A_PCM/FLOAT/IEEE", "pcm_float"}, {"A_TRUEHD", "truehd"},
	};
	size_t		i;

	if (strncmp(id, "A_AAC", 5) == 0)
		return "aac";
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(id, map[i][0]) == 0)
			return map[i][1];
	return id;
}

/* Parses Info: TimecodeScale and Duration. */
static void
mkv_parse_info(const uint8_t *p, size_t len, mkv_info *m)
{
	size_t		pos = 0;
	mkv_elem	e;
	int			n,
				ok;

	for (n = 0; n < MKV_MAX_CHILD && mkv_next(p, len, &pos, &e); n++)
	{
		if (e.id == ID_TIMECODESCALE && e.len >= 1 && e.len <= 8)
			m->timescale = mkv_uint(&e);
		else if (e.id == ID_DURATION)
		{
			double		d = mkv_float(&e, &ok);

			if (ok && d == d && d >= 0 && d < 1e300)
			{
				m->duration = d;
				m->have_duration = 1;
			}
		}
	}
}

/* Parses one TrackEntry and folds it into the first video/audio track seen. */
static void
mkv_parse_track(const uint8_t *p, size_t len, mkv_info *m)
{
	size_t		pos = 0;
	mkv_elem	e;
	int			n;
	uint64_t	type = 0;
	char		codec[32] = "";
	const uint8_t *video = NULL,
			   *audio = NULL;
	size_t		vlen = 0,
				alen = 0;

	for (n = 0; n < MKV_MAX_CHILD && mkv_next(p, len, &pos, &e); n++)
	{
		if (e.id == ID_TRACKTYPE)
			type = mkv_uint(&e);
		else if (e.id == ID_CODECID)
			mkv_string(&e, codec, sizeof(codec));
		else if (e.id == ID_VIDEO && video == NULL)
		{
			video = e.data;
			vlen = e.len;
		}
		else if (e.id == ID_AUDIO && audio == NULL)
		{
			audio = e.data;
			alen = e.len;
		}
	}
	if (type == 1 && !m->has_video)
	{
		uint64_t	pw = 0,
					ph = 0,
					dw = 0,
					dh = 0,
					unit = 0;

		m->has_video = 1;
		snprintf(m->vcodec, sizeof(m->vcodec), "%s", mkv_codec_name(codec));
		pos = 0;
		for (n = 0; video && n < MKV_MAX_CHILD && mkv_next(video, vlen, &pos, &e); n++)
		{
			if (e.id == ID_PIXELWIDTH)
				pw = mkv_uint(&e);
			else if (e.id == ID_PIXELHEIGHT)
				ph = mkv_uint(&e);
			else if (e.id == ID_DISPLAYWIDTH)
				dw = mkv_uint(&e);
			else if (e.id == ID_DISPLAYHEIGHT)
				dh = mkv_uint(&e);
			else if (e.id == ID_DISPLAYUNIT)
				unit = mkv_uint(&e);
		}
		if (unit == 0 && dw > 0 && dh > 0 && dw <= INT32_MAX && dh <= INT32_MAX)
		{
			m->width = (int64_t) dw;
			m->height = (int64_t) dh;
		}
		else if (pw > 0 && ph > 0 && pw <= INT32_MAX && ph <= INT32_MAX)
		{
			m->width = (int64_t) pw;
			m->height = (int64_t) ph;
		}
	}
	else if (type == 2 && !m->has_audio)
	{
		int			ok;

		m->has_audio = 1;
		snprintf(m->acodec, sizeof(m->acodec), "%s", mkv_codec_name(codec));
		pos = 0;
		for (n = 0; audio && n < MKV_MAX_CHILD && mkv_next(audio, alen, &pos, &e); n++)
		{
			if (e.id == ID_SAMPLINGFREQ)
			{
				double		f = mkv_float(&e, &ok);

				if (ok && f >= 1 && f < 1e9)
					m->sample_rate = (int64_t) (f + 0.5);
			}
			else if (e.id == ID_CHANNELS)
			{
				uint64_t	c = mkv_uint(&e);

				if (c > 0 && c < 65536)
					m->channels = (int64_t) c;
			}
			else if (e.id == ID_BITDEPTH)
			{
				uint64_t	b = mkv_uint(&e);

				if (b > 0 && b < 256)
					m->bit_depth = (int64_t) b;
			}
		}
	}
}

/* Parses Tracks: each TrackEntry. */
static void
mkv_parse_tracks(const uint8_t *p, size_t len, mkv_info *m)
{
	size_t		pos = 0;
	mkv_elem	e;
	int			n,
				t = 0;

	for (n = 0; n < MKV_MAX_CHILD && t < MKV_MAX_TRACKS && mkv_next(p, len, &pos, &e); n++)
		if (e.id == ID_TRACKENTRY)
		{
			mkv_parse_track(e.data, e.len, m);
			t++;
		}
}

/* Parses SeekHead: remembers where Info and Tracks are. */
static void
mkv_parse_seekhead(const uint8_t *p, size_t len, mkv_info *m)
{
	size_t		pos = 0;
	mkv_elem	e;
	int			n;

	for (n = 0; n < MKV_MAX_CHILD && mkv_next(p, len, &pos, &e); n++)
	{
		size_t		spos = 0;
		mkv_elem	s;
		uint64_t	id = 0,
					at = 0;
		int			k,
					have_at = 0;

		if (e.id != ID_SEEK)
			continue;
		for (k = 0; k < 8 && mkv_next(e.data, e.len, &spos, &s); k++)
		{
			if (s.id == ID_SEEKID && s.len >= 1 && s.len <= 4)
				id = mkv_uint(&s);
			else if (s.id == ID_SEEKPOS && s.len >= 1 && s.len <= 8)
			{
				at = mkv_uint(&s);
				have_at = 1;
			}
		}
		if (!have_at)
			continue;
		if (id == ID_INFO && !m->have_info_pos)
		{
			m->info_pos = at;
			m->have_info_pos = 1;
		}
		else if (id == ID_TRACKS && !m->have_tracks_pos)
		{
			m->tracks_pos = at;
			m->have_tracks_pos = 1;
		}
	}
}

/*
 * Reads the element header at off (within [off, end)): *id, *size (clipped
 * to end; *unknown when the size is all ones) and *hlen.  Returns MM_FMT_YES,
 * MM_FMT_NEED, or MM_FMT_NO when the header is malformed or cut off.
 */
static int
mkv_read_header(mm_source *src, uint64_t off, uint64_t end, uint32_t *id,
				uint64_t *size, int *unknown, unsigned *hlen)
{
	uint8_t		b[12];
	size_t		avail;
	uint64_t	v;
	int			il,
				sl;
	mm_src_status st;

	if (off >= end)
		return MM_FMT_NO;
	avail = end - off < sizeof(b) ? (size_t) (end - off) : sizeof(b);
	st = mm_read(src, off, b, avail);
	if (st == MM_SRC_NEED)
		return MM_FMT_NEED;
	if (st != MM_SRC_OK)
		return MM_FMT_NO;
	il = mkv_vint(b, avail, 4, 1, &v, NULL);
	if (il == 0)
		return MM_FMT_NO;
	*id = (uint32_t) v;
	sl = mkv_vint(b + il, avail - il, 8, 0, size, unknown);
	if (sl == 0)
		return MM_FMT_NO;
	*hlen = (unsigned) (il + sl);
	if (*size > end - off - *hlen)
		*size = end - off - *hlen;
	return MM_FMT_YES;
}

/*
 * Loads the payload of the element at off (hlen header bytes, size payload
 * bytes, at most cap of them) and hands it to parse.
 */
static int
mkv_load(mm_source *src, uint64_t off, unsigned hlen, uint64_t size, size_t cap,
		 void (*parse) (const uint8_t *, size_t, mkv_info *), mkv_info *m)
{
	size_t		n = size > cap ? cap : (size_t) size;
	mm_src_status st;
	const uint8_t *p;

	if (n == 0)
		return MM_FMT_YES;
	p = mm_peek(src, off + hlen, n, &st);
	if (p == NULL)
		return st == MM_SRC_NEED ? MM_FMT_NEED : MM_FMT_YES;
	parse(p, n, m);
	return MM_FMT_YES;
}

/* Loads the Info or Tracks element the SeekHead points at, if it is one. */
static int
mkv_seek_load(mm_source *src, uint64_t seg, uint64_t end, uint64_t rel, uint32_t want, mkv_info *m)
{
	uint32_t	id;
	uint64_t	size;
	int			unknown,
				r;
	unsigned	hlen;

	if (rel >= end - seg)
		return MM_FMT_YES;
	r = mkv_read_header(src, seg + rel, end, &id, &size, &unknown, &hlen);
	if (r != MM_FMT_YES)
		return r == MM_FMT_NEED ? r : MM_FMT_YES;
	if (id != want)
		return MM_FMT_YES;
	if (want == ID_INFO)
	{
		m->have_info = 1;
		return mkv_load(src, seg + rel, hlen, size, MKV_MAX_INFO, mkv_parse_info, m);
	}
	m->have_tracks = 1;
	return mkv_load(src, seg + rel, hlen, size, MKV_MAX_TRACKS_LEN, mkv_parse_tracks, m);
}

/* Walks the Segment's children for Info, Tracks and SeekHead. */
static int
mkv_walk_segment(mm_source *src, uint64_t seg, uint64_t end, mkv_info *m)
{
	uint64_t	off = seg;
	int			n,
				r;

	for (n = 0; n < MKV_MAX_TOP && off < end && !(m->have_info && m->have_tracks); n++)
	{
		uint32_t	id;
		uint64_t	size;
		int			unknown;
		unsigned	hlen;

		r = mkv_read_header(src, off, end, &id, &size, &unknown, &hlen);
		if (r == MM_FMT_NEED)
			return r;
		if (r != MM_FMT_YES)
			break;
		if (id == ID_CLUSTER || unknown)
			break;				/* media data (or unskippable): use the SeekHead */
		if (id == ID_INFO && !m->have_info)
		{
			m->have_info = 1;
			r = mkv_load(src, off, hlen, size, MKV_MAX_INFO, mkv_parse_info, m);
		}
		else if (id == ID_TRACKS && !m->have_tracks)
		{
			m->have_tracks = 1;
			r = mkv_load(src, off, hlen, size, MKV_MAX_TRACKS_LEN, mkv_parse_tracks, m);
		}
		else if (id == ID_SEEKHEAD && !m->have_info_pos && !m->have_tracks_pos)
			r = mkv_load(src, off, hlen, size, MKV_MAX_SEEKHEAD, mkv_parse_seekhead, m);
		if (r != MM_FMT_YES)
			return r;
		off += hlen + size;
	}
	if (!m->have_info && m->have_info_pos)
	{
		r = mkv_seek_load(src, seg, end, m->info_pos, ID_INFO, m);
		if (r != MM_FMT_YES)
			return r;
	}
	if (!m->have_tracks && m->have_tracks_pos)
	{
		r = mkv_seek_load(src, seg, end, m->tracks_pos, ID_TRACKS, m);
		if (r != MM_FMT_YES)
			return r;
	}
	return MM_FMT_YES;
}

/* Fills *out from what the walk found. */
static void
mkv_report(const mkv_info *m, mm_probe *out)
{
	int			audio_only = m->have_tracks && m->has_audio && !m->has_video;

	if (m->webm)
		mm_probe_set_type(out, audio_only ? "audio/webm" : "video/webm");
	else
		mm_probe_set_type(out, audio_only ? "audio/x-matroska" : "video/x-matroska");
	if (m->has_video && m->width > 0)
	{
		out->width = m->width;
		out->height = m->height;
	}
	if (m->have_duration && m->timescale > 0)
	{
		/* Duration counts TimecodeScale nanoseconds */
		double		ms = m->duration * ((double) m->timescale / 1e6);

		if (ms >= 0 && ms < 9.0e15)
			out->duration_ms = (int64_t) (ms + 0.5);
	}
	if (m->has_video && m->vcodec[0])
		mm_probe_add_str(out, "codec", m->vcodec);
	else if (m->has_audio && m->acodec[0])
		mm_probe_add_str(out, "codec", m->acodec);
	if (m->has_video && m->has_audio && m->acodec[0])
		mm_probe_add_str(out, "audio_codec", m->acodec);
	if (m->have_tracks)
	{
		mm_probe_add_bool(out, "has_video", m->has_video);
		mm_probe_add_bool(out, "has_audio", m->has_audio);
	}
	if (m->sample_rate > 0)
		mm_probe_add_int(out, "sample_rate", m->sample_rate);
	if (m->channels > 0)
		mm_probe_add_int(out, "channels", m->channels);
	if (m->bit_depth > 0)
		mm_probe_add_int(out, "bit_depth", m->bit_depth);
}

/* Probes EBML files whose DocType is "webm" or "matroska". */
int
mm_probe_matroska(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	mkv_info	m;
	uint64_t	size,
				v;
	int			il,
				sl,
				unknown,
				n,
				r;
	size_t		pos,
				len;
	mkv_elem	e;
	char		doctype[16] = "matroska";	/* the EBML default */
	uint64_t	off;

	if (headlen < 5 || mm_be32(head) != ID_EBML)
		return MM_FMT_NO;
	il = 4;
	sl = mkv_vint(head + il, headlen - il, 8, 0, &size, &unknown);
	if (sl == 0 || unknown || size > MKV_MAX_EBML || size > headlen - il - sl)
		return MM_FMT_NO;
	pos = 0;
	len = (size_t) size;
	for (n = 0; n < 32 && mkv_next(head + il + sl, len, &pos, &e); n++)
		if (e.id == ID_DOCTYPE)
			mkv_string(&e, doctype, sizeof(doctype));
	memset(&m, 0, sizeof(m));
	if (strcmp(doctype, "webm") == 0)
		m.webm = 1;
	else if (strcmp(doctype, "matroska") != 0)
		return MM_FMT_NO;
	m.timescale = 1000000;
	m.width = m.height = -1;

	/* find the Segment among the top-level elements */
	off = il + sl + size;
	for (n = 0; n < 8 && off < src->size; n++)
	{
		uint32_t	id;
		unsigned	hlen;

		r = mkv_read_header(src, off, src->size, &id, &v, &unknown, &hlen);
		if (r == MM_FMT_NEED)
			return r;
		if (r != MM_FMT_YES)
			break;
		if (id == ID_SEGMENT)
		{
			/* an unknown-size Segment runs to the end of the file */
			r = mkv_walk_segment(src, off + hlen, unknown ? src->size : off + hlen + v, &m);
			if (r != MM_FMT_YES)
				return r;
			break;
		}
		if (unknown)
			break;
		off += hlen + v;
	}
	mkv_report(&m, out);
	return MM_FMT_YES;
}
