/*
 * probe/flv.c - Flash Video (FLV).
 *
 * The 9-byte header says whether audio and video tags follow.  When the
 * first tag is a script-data tag holding "onMetaData", its AMF0 object or
 * ECMA array gives duration (seconds), width, height and the codec ids.
 * The tag's body is loaded into memory (at most FLV_MAX_META bytes) and
 * parsed there; nested values are skipped with a depth cap and a budget on
 * the number of values, so a huge keyframe index costs nothing.
 */
#include <string.h>

#include "probe/formats.h"

#define FLV_MAX_META	(64 * 1024)
#define FLV_MAX_DEPTH	8
#define FLV_MAX_VALUES	4096

/* A cursor over an AMF0 byte string. */
typedef struct flv_amf
{
	const uint8_t *p;
	size_t		len;
	size_t		pos;
	int			budget;			/* values still allowed */
} flv_amf;

/* What onMetaData said; -1 = absent. */
typedef struct flv_meta
{
	double		duration;
	double		width;
	double		height;
	double		vcodec;
	double		acodec;
	double		rate;
	int			stereo;
} flv_meta;

/* Reads a big-endian IEEE double at p. */
static double
flv_double(const uint8_t *p)
{
	uint64_t	u = mm_be64(p);
	double		d;

	memcpy(&d, &u, sizeof(d));
	return d;
}

/* Does the cursor have n more bytes? */
static int
flv_has(const flv_amf *a, size_t n)
{
	return a->len - a->pos >= n;
}

static int	flv_skip_value(flv_amf *a, int depth);

/*
 * Skips (or, with m, reads the wanted numbers of) object properties until
 * the 00 00 09 end marker.  Returns 0 on malformed data.
 */
static int
flv_props(flv_amf *a, int depth, flv_meta *m)
{
	while (a->budget-- > 0)
	{
		size_t		klen;
		const uint8_t *key;

		if (!flv_has(a, 2))
			return 0;
		klen = mm_be16(a->p + a->pos);
		a->pos += 2;
		if (!flv_has(a, klen + 1))
			return 0;
		key = a->p + a->pos;
		a->pos += klen;
		if (klen == 0 && a->p[a->pos] == 9)
		{
			a->pos++;
			return 1;
		}
		if (m && a->p[a->pos] == 0 && flv_has(a, 9))
		{
			double		d = flv_double(a->p + a->pos + 1);

#define FLV_KEY(s) (klen == sizeof(s) - 1 && memcmp(key, s, klen) == 0)
			if (FLV_KEY("duration"))
				m->duration = d;
			else if (FLV_KEY("width"))
				m->width = d;
			else if (FLV_KEY("height"))
				m->height = d;
			else if (FLV_KEY("videocodecid"))
				m->vcodec = d;
			else if (FLV_KEY("audiocodecid"))
				m->acodec = d;
			else if (FLV_KEY("audiosamplerate"))
				m->rate = d;
#undef FLV_KEY
			a->pos += 9;
			continue;
		}
		if (m && a->p[a->pos] == 1 && flv_has(a, 2) &&
			klen == 6 && memcmp(key, "stereo", 6) == 0)
			m->stereo = a->p[a->pos + 1] != 0;
		if (!flv_skip_value(a, depth + 1))
			return 0;
	}
	return 0;
}

/* Skips one AMF0 value of any type.  Returns 0 on malformed data. */
static int
flv_skip_value(flv_amf *a, int depth)
{
	uint8_t		type;
	uint32_t	n,
				i;

	if (depth > FLV_MAX_DEPTH || a->budget-- <= 0 || !flv_has(a, 1))
		return 0;
	type = a->p[a->pos++];
	switch (type)
	{
		case 0:					/* number */
		case 11:				/* date: number + time zone */
			n = type == 0 ? 8 : 10;
			break;
		case 1:					/* boolean */
			n = 1;
			break;
		case 2:					/* string */
			if (!flv_has(a, 2))
				return 0;
			n = 2 + mm_be16(a->p + a->pos);
			break;
		case 7:					/* reference */
			n = 2;
			break;
		case 12:				/* long string */
		case 15:				/* XML document */
			if (!flv_has(a, 4))
				return 0;
			n = mm_be32(a->p + a->pos);
			a->pos += 4;
			break;
		case 5:					/* null */
		case 6:					/* undefined */
		case 13:				/* unsupported */
			return 1;
		case 3:					/* object */
			return flv_props(a, depth, NULL);
		case 8:					/* ECMA array: count, then properties */
			if (!flv_has(a, 4))
				return 0;
			a->pos += 4;
			return flv_props(a, depth, NULL);
		case 16:				/* typed object: class name, then properties */
			if (!flv_has(a, 2) || !flv_has(a, 2 + (size_t) mm_be16(a->p + a->pos)))
				return 0;
			a->pos += 2 + mm_be16(a->p + a->pos);
			return flv_props(a, depth, NULL);
		case 10:				/* strict array */
			if (!flv_has(a, 4))
				return 0;
			n = mm_be32(a->p + a->pos);
			a->pos += 4;
			for (i = 0; i < n; i++)
				if (!flv_skip_value(a, depth + 1))
					return 0;
			return 1;
		default:
			return 0;
	}
	if (!flv_has(a, n))
		return 0;
	a->pos += n;
	return 1;
}

/* Parses the onMetaData script tag body into *m. */
static void
flv_parse_meta(const uint8_t *p, size_t len, flv_meta *m)
{
	flv_amf		a;

	a.p = p;
	a.len = len;
	a.pos = 0;
	a.budget = FLV_MAX_VALUES;
	if (len < 13 || p[0] != 2 || mm_be16(p + 1) != 10 || memcmp(p + 3, "onMetaData", 10) != 0)
		return;
	a.pos = 13;
	if (!flv_has(&a, 1))
		return;
	if (p[a.pos] == 8)
	{
		if (!flv_has(&a, 5))
			return;
		a.pos += 5;
	}
	else if (p[a.pos] == 3)
		a.pos += 1;
	else
		return;
	(void) flv_props(&a, 1, m);
}

/* Is d a finite number in [lo, hi)? */
static int
flv_in(double d, double lo, double hi)
{
	return d == d && d >= lo && d < hi;
}

/* Names an FLV video codec id. */
static const char *
flv_vcodec(int id)
{
	switch (id)
	{
		case 2:
			return "h263";
		case 3:
			return "screen";
		case 4:
			return "vp6";
		case 5:
			return "vp6a";
		case 6:
			return "screen2";
		case 7:
			return "h264";
		case 12:
			return "hevc";
	}
	return NULL;
}

/* Names an FLV audio codec id. */
static const char *
flv_acodec(int id)
{
	switch (id)
	{
		case 0:
		case 3:
			return "pcm";
		case 1:
			return "adpcm";
		case 2:
		case 14:
			return "mp3";
		case 4:
		case 5:
		case 6:
			return "nellymoser";
		case 7:
			return "alaw";
		case 8:
			return "mulaw";
		case 10:
			return "aac";
		case 11:
			return "speex";
	}
	return NULL;
}

/* Probes FLV: header flags, then onMetaData in the first tag if present. */
int
mm_probe_flv(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	uint32_t	hdr;
	int			has_audio,
				has_video;
	flv_meta	m;
	const char *vc = NULL,
			   *ac = NULL;

	if (headlen < 9 || memcmp(head, "FLV", 3) != 0 || head[3] != 1 || (head[4] & 0xfa) != 0)
		return MM_FMT_NO;
	hdr = mm_be32(head + 5);
	if (hdr < 9)
		return MM_FMT_NO;
	has_audio = (head[4] & 4) != 0;
	has_video = (head[4] & 1) != 0;
	m.duration = m.width = m.height = m.vcodec = m.acodec = m.rate = -1;
	m.stereo = -1;

	/* PreviousTagSize0, then the first tag's 11-byte header */
	if (src->size >= (uint64_t) hdr + 15)
	{
		uint8_t		t[11];
		uint64_t	off = (uint64_t) hdr + 4;
		mm_src_status st = mm_read(src, off, t, 11);

		if (st == MM_SRC_NEED)
			return MM_FMT_NEED;
		if (st == MM_SRC_OK && (t[0] & 0x1f) == 18)
		{
			uint64_t	dlen = ((uint32_t) t[1] << 16) | ((uint32_t) t[2] << 8) | t[3];
			uint64_t	rem = src->size - off - 11;
			size_t		n;
			const uint8_t *p;

			if (dlen > rem)
				dlen = rem;
			n = dlen > FLV_MAX_META ? FLV_MAX_META : (size_t) dlen;
			if (n > 0)
			{
				p = mm_peek(src, off + 11, n, &st);
				if (p == NULL && st == MM_SRC_NEED)
					return MM_FMT_NEED;
				if (p)
					flv_parse_meta(p, n, &m);
			}
		}
	}

	mm_probe_set_type(out, "video/x-flv");
	if (flv_in(m.width, 1, 1e6) && flv_in(m.height, 1, 1e6))
	{
		out->width = (int64_t) (m.width + 0.5);
		out->height = (int64_t) (m.height + 0.5);
	}
	if (flv_in(m.duration, 0, 1e12))
		out->duration_ms = (int64_t) (m.duration * 1000 + 0.5);
	if (flv_in(m.vcodec, 0, 256))
		vc = flv_vcodec((int) m.vcodec);
	if (flv_in(m.acodec, 0, 256))
		ac = flv_acodec((int) m.acodec);
	if (has_video && vc)
		mm_probe_add_str(out, "codec", vc);
	else if (!has_video && has_audio && ac)
		mm_probe_add_str(out, "codec", ac);
	if (has_video && has_audio && ac)
		mm_probe_add_str(out, "audio_codec", ac);
	mm_probe_add_bool(out, "has_video", has_video);
	mm_probe_add_bool(out, "has_audio", has_audio);
	if (has_audio && flv_in(m.rate, 1, 1e7))
		mm_probe_add_int(out, "sample_rate", (int64_t) (m.rate + 0.5));
	if (has_audio && m.stereo >= 0)
		mm_probe_add_int(out, "channels", m.stereo ? 2 : 1);
	return MM_FMT_YES;
}
