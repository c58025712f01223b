/*
 * probe/riff.c - RIFF containers: WAVE (also RF64/BW64) and AVI.
 *
 * WAVE: the fmt chunk gives the codec, channels, sample rate and bit
 * depth; the duration is the data chunk's size over the byte rate (or the
 * fact chunk's sample count for compressed codecs).  AVI: the avih header
 * in LIST hdrl gives the frame size, and frames * microseconds per frame
 * the duration (OpenDML's dmlh holds the total of a >1 GB file).  RIFF WEBP
 * belongs to probe/webp.c and any other RIFF form is not claimed.
 *
 * Chunks are walked by their 8-byte headers (at most RIFF_MAX_CHUNKS), so
 * the data chunk's payload is never read.
 */
#include <stdio.h>
#include <string.h>

#include "probe/av.h"
#include "probe/formats.h"

#define RIFF_MAX_CHUNKS	64
#define RIFF_MAX_HDRL	(256 * 1024)	/* bytes of LIST hdrl parsed */
#define RIFF_MAX_LIST	256 /* children looked at per list */

/* What the WAVE walk found. */
typedef struct riff_wave
{
	int			have_fmt;
	uint16_t	tag;
	uint16_t	channels;
	uint32_t	rate;
	uint32_t	byte_rate;
	uint16_t	align;
	uint16_t	bits;
	int			have_data;
	uint64_t	data_size;
	int			have_fact;
	uint32_t	fact_samples;
	int			have_ds64;
	uint64_t	ds64_data;
} riff_wave;

/* Names a WAVEFORMATEX format tag; writes "0xNNNN" for unknown ones. */
static const char *
riff_tag_name(uint16_t tag, char *buf, size_t buflen)
{
	switch (tag)
	{
		case 0x0001:
			return "pcm";
		case 0x0002:
			return "adpcm";
		case 0x0003:
			return "float";
		case 0x0006:
			return "alaw";
		case 0x0007:
			return "mulaw";
		case 0x0011:
			return "ima_adpcm";
		case 0x0031:
			return "gsm";
		case 0x0050:
			return "mp2";
		case 0x0055:
			return "mp3";
		case 0x00FF:
		case 0x1610:
			return "aac";
		case 0x0160:
		case 0x0161:
		case 0x0162:
		case 0x0163:
			return "wma";
		case 0x2000:
			return "ac3";
		case 0x2001:
			return "dts";
		case 0xF1AC:
			return "flac";
	}
	snprintf(buf, buflen, "0x%04x", (unsigned) tag);
	return buf;
}

/* Copies a little-endian four-character code into s[5] as printable text. */
static void
riff_fourcc_str(const uint8_t *p, char *s)
{
	int			i;

	for (i = 0; i < 4; i++)
		s[i] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char) p[i] : '?';
	s[4] = '\0';
	for (i = 3; i > 0 && s[i] == ' '; i--)
		s[i] = '\0';
}

/*
 * Reads the fmt chunk at off (payload length len): WAVEFORMATEX, and for
 * WAVE_FORMAT_EXTENSIBLE the real tag from the sub-format GUID.
 */
static int
riff_read_fmt(mm_source *src, uint64_t off, uint64_t len, riff_wave *w)
{
	uint8_t		b[40];
	size_t		n = len > sizeof(b) ? sizeof(b) : (size_t) len;
	mm_src_status st;

	if (n < 16)
		return MM_FMT_YES;
	st = mm_read(src, off, b, n);
	if (st == MM_SRC_NEED)
		return MM_FMT_NEED;
	if (st != MM_SRC_OK)
		return MM_FMT_YES;
	w->have_fmt = 1;
	w->tag = mm_le16(b);
	w->channels = mm_le16(b + 2);
	w->rate = mm_le32(b + 4);
	w->byte_rate = mm_le32(b + 8);
	w->align = mm_le16(b + 12);
	w->bits = mm_le16(b + 14);
	if (w->tag == 0xFFFE && n >= 40)
		w->tag = mm_le16(b + 24);
	return MM_FMT_YES;
}

/* Fills *out for a WAVE file. */
static void
riff_report_wave(const riff_wave *w, mm_probe *out)
{
	char		buf[8];
	int64_t		ms = -1;

	mm_probe_set_type(out, "audio/wav");
	if (!w->have_fmt)
		return;
	mm_probe_add_str(out, "codec", riff_tag_name(w->tag, buf, sizeof(buf)));
	mm_probe_add_int(out, "format_tag", w->tag);
	mm_probe_add_int(out, "channels", w->channels);
	mm_probe_add_int(out, "sample_rate", w->rate);
	if (w->bits > 0)
		mm_probe_add_int(out, "bit_depth", w->bits);
	if (w->tag != 1 && w->tag != 3 && w->have_fact && w->rate > 0)
		ms = mm_units_to_ms(w->fact_samples, w->rate);
	else if (w->have_data)
	{
		uint64_t	br = w->byte_rate;

		if (br == 0)
			br = (uint64_t) w->align * w->rate;
		ms = mm_units_to_ms(w->data_size, br);
	}
	out->duration_ms = ms;
}

/*
 * Walks a WAVE file's chunks from offset 12 up to the data chunk (and past
 * it only while fmt is still missing).
 */
static int
riff_probe_wave(mm_source *src, int rf64, mm_probe *out)
{
	riff_wave	w;
	uint64_t	off = 12;
	int			n;

	memset(&w, 0, sizeof(w));
	for (n = 0; n < RIFF_MAX_CHUNKS && off < src->size && src->size - off >= 8; n++)
	{
		uint8_t		h[8];
		uint32_t	id;
		uint64_t	size,
					rem;
		mm_src_status st = mm_read(src, off, h, 8);

		if (st == MM_SRC_NEED)
			return MM_FMT_NEED;
		if (st != MM_SRC_OK)
			break;
		id = mm_be32(h);
		size = mm_le32(h + 4);
		rem = src->size - off - 8;
		if (id == MM_FOURCC('f', 'm', 't', ' ') && !w.have_fmt)
		{
			int			r = riff_read_fmt(src, off + 8, size < rem ? size : rem, &w);

			if (r != MM_FMT_YES)
				return r;
		}
		else if (id == MM_FOURCC('f', 'a', 'c', 't') && size >= 4 && rem >= 4 && !w.have_fact)
		{
			uint8_t		b[4];

			st = mm_read(src, off + 8, b, 4);
			if (st == MM_SRC_NEED)
				return MM_FMT_NEED;
			if (st == MM_SRC_OK)
			{
				w.fact_samples = mm_le32(b);
				w.have_fact = 1;
			}
		}
		else if (id == MM_FOURCC('d', 's', '6', '4') && rf64 && size >= 24 && rem >= 24)
		{
			uint8_t		b[24];

			st = mm_read(src, off + 8, b, 24);
			if (st == MM_SRC_NEED)
				return MM_FMT_NEED;
			if (st == MM_SRC_OK)
			{
				w.ds64_data = mm_le64(b + 8);
				w.have_ds64 = 1;
			}
		}
		else if (id == MM_FOURCC('d', 'a', 't', 'a') && !w.have_data)
		{
			/* RF64 keeps the real size in ds64; -1 is a streaming writer's "unknown" */
			if (size == 0xFFFFFFFFu)
				size = (rf64 && w.have_ds64) ? w.ds64_data : rem;
			if (size > rem)
				size = rem;		/* truncated file */
			w.have_data = 1;
			w.data_size = size;
			if (w.have_fmt)
				break;
		}
		if (size > rem)
			break;
		off += 8 + size + (size & 1);
	}
	riff_report_wave(&w, out);
	return MM_FMT_YES;
}

/* What the AVI header list said. */
typedef struct riff_avi
{
	int			have_avih;
	uint32_t	usec_per_frame;
	uint32_t	frames;
	uint32_t	width;
	uint32_t	height;
	uint32_t	dml_frames;
	int			has_video;
	int			has_audio;
	char		vcodec[5];
	char		acodec[8];
	uint32_t	vscale;
	uint32_t	vrate;
	uint32_t	vlength;
} riff_avi;

/* Parses one LIST strl (stream header strh and format strf). */
static void
riff_parse_strl(const uint8_t *p, size_t len, riff_avi *a)
{
	size_t		pos = 0;
	int			n;
	uint32_t	kind = 0;

	for (n = 0; n < RIFF_MAX_LIST && len - pos >= 8; n++)
	{
		uint32_t	id = mm_be32(p + pos);
		size_t		size = mm_le32(p + pos + 4);
		const uint8_t *d = p + pos + 8;

		if (size > len - pos - 8)
			size = len - pos - 8;
		if (id == MM_FOURCC('s', 't', 'r', 'h') && size >= 36)
		{
			kind = mm_be32(d);
			if (kind == MM_FOURCC('v', 'i', 'd', 's') && !a->has_video)
			{
				a->has_video = 1;
				riff_fourcc_str(d + 4, a->vcodec);
				a->vscale = mm_le32(d + 20);
				a->vrate = mm_le32(d + 24);
				a->vlength = mm_le32(d + 32);
			}
			else if (kind == MM_FOURCC('a', 'u', 'd', 's') && !a->has_audio)
			{
				a->has_audio = 1;
				kind = MM_FOURCC('A', 'U', 'D', '1');	/* the first audio stream */
			}
		}
		else if (id == MM_FOURCC('s', 't', 'r', 'f'))
		{
			if (kind == MM_FOURCC('v', 'i', 'd', 's') && size >= 20 && mm_le32(d + 16) > 0xFFFF)
				riff_fourcc_str(d + 16, a->vcodec);
			else if (kind == MM_FOURCC('A', 'U', 'D', '1') && size >= 2)
			{
				char		buf[8];

				snprintf(a->acodec, sizeof(a->acodec), "%s",
						 riff_tag_name(mm_le16(d), buf, sizeof(buf)));
			}
			kind = 0;
		}
		if (len - pos - 8 - size < (size & 1))
			break;
		pos += 8 + size + (size & 1);
	}
}

/* Parses LIST hdrl: avih, the strl lists and odml/dmlh. */
static void
riff_parse_hdrl(const uint8_t *p, size_t len, riff_avi *a)
{
	size_t		pos = 0;
	int			n;

	for (n = 0; n < RIFF_MAX_LIST && len - pos >= 8; n++)
	{
		uint32_t	id = mm_be32(p + pos);
		size_t		size = mm_le32(p + pos + 4);
		const uint8_t *d = p + pos + 8;

		if (size > len - pos - 8)
			size = len - pos - 8;
		if (id == MM_FOURCC('a', 'v', 'i', 'h') && size >= 40 && !a->have_avih)
		{
			a->have_avih = 1;
			a->usec_per_frame = mm_le32(d);
			a->frames = mm_le32(d + 16);
			a->width = mm_le32(d + 32);
			a->height = mm_le32(d + 36);
		}
		else if (id == MM_FOURCC('L', 'I', 'S', 'T') && size >= 4)
		{
			uint32_t	lt = mm_be32(d);

			if (lt == MM_FOURCC('s', 't', 'r', 'l'))
				riff_parse_strl(d + 4, size - 4, a);
			else if (lt == MM_FOURCC('o', 'd', 'm', 'l') && size >= 16 &&
					 mm_be32(d + 4) == MM_FOURCC('d', 'm', 'l', 'h'))
				a->dml_frames = mm_le32(d + 12);
		}
		if (len - pos - 8 - size < (size & 1))
			break;
		pos += 8 + size + (size & 1);
	}
}

/* Fills *out for an AVI file. */
static void
riff_report_avi(const riff_avi *a, mm_probe *out)
{
	mm_probe_set_type(out, "video/avi");
	if (!a->have_avih)
		return;
	if (a->width > 0 && a->height > 0 && a->width <= INT32_MAX && a->height <= INT32_MAX)
	{
		out->width = a->width;
		out->height = a->height;
	}
	if (a->usec_per_frame > 0)
	{
		uint32_t	frames = a->dml_frames > a->frames ? a->dml_frames : a->frames;

		out->duration_ms = (int64_t) ((uint64_t) frames * a->usec_per_frame / 1000);
	}
	else if (a->vrate > 0)
		out->duration_ms = mm_units_to_ms((uint64_t) a->vlength * a->vscale, a->vrate);
	if (a->vcodec[0])
		mm_probe_add_str(out, "codec", a->vcodec);
	if (a->acodec[0])
		mm_probe_add_str(out, a->vcodec[0] ? "audio_codec" : "codec", a->acodec);
	mm_probe_add_bool(out, "has_video", a->has_video);
	mm_probe_add_bool(out, "has_audio", a->has_audio);
}

/* Walks an AVI file's top-level chunks to LIST hdrl and parses it. */
static int
riff_probe_avi(mm_source *src, mm_probe *out)
{
	riff_avi	a;
	uint64_t	off = 12;
	int			n;

	memset(&a, 0, sizeof(a));
	for (n = 0; n < RIFF_MAX_CHUNKS && off < src->size && src->size - off >= 12; n++)
	{
		uint8_t		h[12];
		uint64_t	size,
					rem;
		mm_src_status st = mm_read(src, off, h, 12);

		if (st == MM_SRC_NEED)
			return MM_FMT_NEED;
		if (st != MM_SRC_OK)
			break;
		size = mm_le32(h + 4);
		rem = src->size - off - 8;
		if (size > rem)
			size = rem;
		if (mm_be32(h) == MM_FOURCC('L', 'I', 'S', 'T') &&
			mm_be32(h + 8) == MM_FOURCC('h', 'd', 'r', 'l') && size >= 4)
		{
			size_t		len = size - 4 > RIFF_MAX_HDRL ? RIFF_MAX_HDRL : (size_t) (size - 4);
			const uint8_t *p = mm_peek(src, off + 12, len, &st);

			if (p == NULL && st == MM_SRC_NEED)
				return MM_FMT_NEED;
			if (p)
				riff_parse_hdrl(p, len, &a);
			break;
		}
		if (mm_be32(h) == MM_FOURCC('L', 'I', 'S', 'T') &&
			mm_be32(h + 8) == MM_FOURCC('m', 'o', 'v', 'i'))
			break;
		off += 8 + size + (size & 1);
	}
	riff_report_avi(&a, out);
	return MM_FMT_YES;
}

/* Probes RIFF WAVE and AVI; RIFF WEBP and other forms are not claimed. */
int
mm_probe_riff(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	uint32_t	magic,
				form;

	if (headlen < 12)
		return MM_FMT_NO;
	magic = mm_be32(head);
	form = mm_be32(head + 8);
	if (magic == MM_FOURCC('R', 'I', 'F', 'F'))
	{
		if (form == MM_FOURCC('W', 'A', 'V', 'E'))
			return riff_probe_wave(src, 0, out);
		if (form == MM_FOURCC('A', 'V', 'I', ' '))
			return riff_probe_avi(src, out);
		return MM_FMT_NO;
	}
	if ((magic == MM_FOURCC('R', 'F', '6', '4') || magic == MM_FOURCC('B', 'W', '6', '4')) &&
		form == MM_FOURCC('W', 'A', 'V', 'E'))
		return riff_probe_wave(src, 1, out);
	return MM_FMT_NO;
}
