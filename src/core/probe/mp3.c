/*
 * probe/mp3.c - MPEG audio (MP3, MP2) and ADTS AAC elementary streams.
 *
 * ID3v2 tags in front are skipped by their declared size.  Frame sync is
 * weak evidence, so without an ID3v2 tag the file must start with a valid
 * frame header that is followed, exactly one frame length later, by a
 * second compatible header; after a tag the first such pair is looked for
 * in the next MP3_SEARCH bytes.  A single frame is enough when it ends
 * exactly at the end of the file, after a tag or, for ADTS, at offset 0.
 * An ID3v2 tag is only a container: when no MPEG audio or ADTS frames
 * follow it, the file is not claimed (Musepack and FLAC behind ID3 have
 * their own probes; anything else is left to the later probes).  Only MPEG
 * layers II and III are accepted.
 *
 * Duration: from the Xing/Info or VBRI header in the first frame when
 * present (frame count * samples per frame; encoder delay and padding are
 * not subtracted, as MediaInfo and file(1) do not); otherwise a constant-bitrate estimate from the file size
 * (less a trailing ID3v1 tag) and the first frame's bitrate.  For ADTS,
 * whose frames carry no count, the frames are walked by their 7-byte
 * headers up to MM_SCAN_LIMIT and counted (1024 samples per raw data block
 * at the sampling rate); only a stream longer than MM_SCAN_LIMIT has the
 * rest of its bytes scaled by the samples per byte of the frames walked.
 */
#include <string.h>

#include "probe/av.h"
#include "probe/scan.h"

#define MP3_SEARCH		4096	/* bytes searched for sync after ID3v2 */
#define MP3_WINDOW		8192	/* bytes loaded from the first candidate on */

/* A decoded MPEG audio or ADTS frame header. */
typedef struct mp3_hdr
{
	int			adts;
	int			version;		/* MPEG: 3 = 1, 2 = 2, 0 = 2.5; ADTS: 0 = MPEG-4, 1 = MPEG-2 */
	int			layer;			/* MPEG: 2 or 3 */
	uint32_t	bitrate;		/* bits per second (MPEG) */
	uint32_t	rate;
	int			channels;
	int			crc;
	uint32_t	len;			/* whole frame, header included */
	uint32_t	samples;		/* per frame */
	int			profile;		/* ADTS */
} mp3_hdr;


/* Decodes an MPEG audio layer II/III header (4 bytes at p). */
static int
mp3_parse_mpeg(const uint8_t *p, mp3_hdr *h)
{
	static const uint16_t br_v1[2][16] = {
		{0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 0},	/* L2 */
		{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0}	/* L3 */
	};
	static const uint16_t br_v2[16] = {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0};
	static const uint32_t rates[3] = {44100, 48000, 32000};
	int			version,
				layer,
				bri,
				sri,
				pad;

	if (p[0] != 0xFF || (p[1] & 0xE0) != 0xE0)
		return 0;
	version = (p[1] >> 3) & 3;
	layer = 4 - ((p[1] >> 1) & 3);	/* 01 = III, 10 = II, 11 = I */
	bri = p[2] >> 4;
	sri = (p[2] >> 2) & 3;
	pad = (p[2] >> 1) & 1;
	if (version == 1 || layer == 4 || layer == 1 || bri == 0 || bri == 15 || sri == 3 ||
		(p[3] & 3) == 2)
		return 0;
	memset(h, 0, sizeof(*h));
	h->version = version;
	h->layer = layer;
	h->bitrate = (uint32_t) (version == 3 ? br_v1[layer - 2][bri] : br_v2[bri]) * 1000;
	h->rate = rates[sri] >> (version == 3 ? 0 : version == 2 ? 1 : 2);
	h->channels = (p[3] >> 6) == 3 ? 1 : 2;
	h->crc = !(p[1] & 1);
	if (layer == 3 && version != 3)
	{
		h->samples = 576;
		h->len = 72 * h->bitrate / h->rate + pad;
	}
	else
	{
		h->samples = 1152;
		h->len = 144 * h->bitrate / h->rate + pad;
	}
	return h->len >= 24;
}

/* Decodes an ADTS header (7 bytes at p). */
static int
mp3_parse_adts(const uint8_t *p, mp3_hdr *h)
{
	static const uint32_t rates[13] = {
		96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350
	};
	int			sfi;

	if (p[0] != 0xFF || (p[1] & 0xF6) != 0xF0)
		return 0;
	sfi = (p[2] >> 2) & 0xF;
	if (sfi >= 13)
		return 0;
	memset(h, 0, sizeof(*h));
	h->adts = 1;
	h->version = (p[1] >> 3) & 1;
	h->crc = !(p[1] & 1);
	h->profile = p[2] >> 6;
	h->rate = rates[sfi];
	h->channels = ((p[2] & 1) << 2) | (p[3] >> 6);
	h->len = ((uint32_t) (p[3] & 3) << 11) | ((uint32_t) p[4] << 3) | (p[5] >> 5);
	h->samples = 1024 * ((p[6] & 3) + 1);
	return h->len >= (uint32_t) (h->crc ? 9 : 7);
}

/* Decodes either kind of header from the avail bytes at p. */
static int
mp3_parse(const uint8_t *p, size_t avail, mp3_hdr *h)
{
	if (avail >= 4 && mp3_parse_mpeg(p, h))
		return 1;
	return avail >= 7 && mp3_parse_adts(p, h);
}

/* Could b be the header of the frame following a? */
static int
mp3_same_stream(const mp3_hdr *a, const mp3_hdr *b)
{
	return a->adts == b->adts && a->version == b->version && a->layer == b->layer &&
		a->rate == b->rate && (!a->adts || a->channels == b->channels);
}

/*
 * Reads the Xing/Info or VBRI header in the first frame (avail bytes at
 * p): the number of frames.  The Xing tag follows the side information
 * (plus the CRC when the frame has one); VBRI sits 32 bytes after the
 * frame header.  Returns 1 when a frame count was found.
 */
static int
mp3_vbr_header(const uint8_t *p, size_t avail, const mp3_hdr *h, uint32_t *frames)
{
	size_t		side = h->version == 3 ? (h->channels == 1 ? 17 : 32) : (h->channels == 1 ? 9 : 17);
	size_t		x = 4 + side;
	size_t		k;

	if (avail > h->len)
		avail = h->len;
	for (k = 0; k < 2; k++, x += 2)
	{
		if (avail < x + 12 || (memcmp(p + x, "Xing", 4) != 0 && memcmp(p + x, "Info", 4) != 0))
			continue;
		if (!(mm_be32(p + x + 4) & 1))
			return 0;			/* no frame count */
		*frames = mm_be32(p + x + 8);
		return 1;
	}
	if (avail >= 36 + 18 && memcmp(p + 36, "VBRI", 4) == 0)
	{
		*frames = mm_be32(p + 36 + 14);
		return 1;
	}
	return 0;
}

/* Fills *out for MPEG audio whose first frame is at first (header h, frame bytes at p). */
static int
mp3_report_mpeg(mm_source *src, uint64_t first, const uint8_t *p, size_t avail,
				const mp3_hdr *h, mm_probe *out)
{
	uint32_t	frames;
	uint64_t	end = src->size;

	mm_probe_set_type(out, "audio/mpeg");
	if (mp3_vbr_header(p, avail, h, &frames))
	{
		if (frames > 0)
			out->duration_ms = mm_units_to_ms((uint64_t) frames * h->samples, h->rate);
		mm_probe_add_bool(out, "vbr_header", 1);
	}
	else
	{
		/* constant bitrate: bytes * 8 / bitrate, less an ID3v1 tag */
		if (end - first >= 128 + h->len)
		{
			uint8_t		t[3];
			mm_src_status st = mm_read(src, end - 128, t, 3);

			if (st == MM_SRC_NEED)
				return MM_FMT_NEED;
			if (st == MM_SRC_OK && memcmp(t, "TAG", 3) == 0)
				end -= 128;
		}
		out->duration_ms = mm_units_to_ms((end - first) * 8, h->bitrate);
	}
	mm_probe_add_str(out, "codec", h->layer == 3 ? "mp3" : "mp2");
	mm_probe_add_int(out, "sample_rate", h->rate);
	mm_probe_add_int(out, "channels", h->channels);
	mm_probe_add_int(out, "bitrate", h->bitrate);
	return MM_FMT_YES;
}

/*
 * Walks the ADTS frames of the stream h from file offset first by their
 * headers, up to the end of the file or MM_SCAN_LIMIT, whichever comes
 * first; stops at the first byte that is not a whole frame of the same
 * stream (a truncated last frame, a trailing tag).  Sets the samples and
 * bytes of the whole frames and *end, where the walk stopped.
 */
static int
mp3_walk_adts(mm_source *src, uint64_t first, const mp3_hdr *h,
			  uint64_t *samples, uint64_t *bytes, uint64_t *end)
{
	uint64_t	off = first;

	*samples = *bytes = 0;
	while (off < MM_SCAN_LIMIT && src->size - off >= 7)
	{
		uint8_t		b[7];
		mp3_hdr		f;
		mm_src_status st = mm_read(src, off, b, 7);

		if (st == MM_SRC_NEED)
			return mm_fmt_need(src, MM_NEED_CHUNK);
		if (st != MM_SRC_OK || !mp3_parse_adts(b, &f) || !mp3_same_stream(h, &f) ||
			f.len > src->size - off)
			break;
		*samples += f.samples;
		*bytes += f.len;
		off += f.len;
	}
	*end = off;
	return MM_FMT_YES;
}

/*
 * Fills *out for ADTS AAC whose first frame is at first.  The duration
 * counts the frames walked; only when the walk stopped at MM_SCAN_LIMIT
 * with stream left is the rest of the file scaled by the walked frames'
 * samples per byte.
 */
static int
mp3_report_adts(mm_source *src, uint64_t first, const mp3_hdr *h, mm_probe *out)
{
	uint64_t	samples,
				bytes,
				end;
	int			r = mp3_walk_adts(src, first, h, &samples, &bytes, &end);

	if (r != MM_FMT_YES)
		return r;
	mm_probe_set_type(out, "audio/aac");
	if (end >= MM_SCAN_LIMIT && end < src->size && bytes > 0)
	{
		uint64_t	audio = src->size - first;

		if (audio <= UINT64_MAX / (samples + 1))
			out->duration_ms = mm_units_to_ms(audio * samples / bytes, h->rate);
	}
	else
		out->duration_ms = mm_units_to_ms(samples, h->rate);
	mm_probe_add_str(out, "codec", "aac");
	mm_probe_add_int(out, "sample_rate", h->rate);
	if (h->channels > 0)
		mm_probe_add_int(out, "channels", h->channels);
	mm_probe_add_int(out, "profile", h->profile + 1);
	return MM_FMT_YES;
}

/* Probes MPEG audio and ADTS: ID3v2 tags, then a pair of consecutive frames. */
int
mm_probe_mp3(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	uint64_t	off = 0;
	int			id3 = 0;
	mm_src_status st;
	mp3_hdr		h,
				h2;
	const uint8_t *w;
	size_t		wlen,
				pos,
				search;

	if (headlen < 4)
		return MM_FMT_NO;
	if (headlen >= 10 && mm_id3v2_len(head) > 0)
	{
		if (mm_id3_skip(src, &off, &id3) == MM_SRC_NEED)
			return MM_FMT_NEED;
	}
	else if (!mp3_parse(head, headlen, &h))
		return MM_FMT_NO;			/* no tag and no frame at 0: not ours */

	wlen = src->size - off > MP3_WINDOW ? MP3_WINDOW : (size_t) (src->size - off);
	w = wlen > 0 ? mm_peek(src, off, wlen, &st) : NULL;
	if (w == NULL && wlen > 0)
	{
		if (st == MM_SRC_NEED)
			return MM_FMT_NEED;
		wlen = 0;
	}
	search = id3 ? (wlen < MP3_SEARCH ? wlen : MP3_SEARCH) : (wlen > 0 ? 1 : 0);
	for (pos = 0; pos < search; pos++)
	{
		if (w[pos] != 0xFF || !mp3_parse(w + pos, wlen - pos, &h))
			continue;
		if (h.len >= wlen - pos)
		{
			/* no second header: a lone frame ending the file, after a tag or ADTS */
			if ((id3 || h.adts) && off + pos + h.len == src->size)
				break;
			continue;
		}
		if (mp3_parse(w + pos + h.len, wlen - pos - h.len, &h2) && mp3_same_stream(&h, &h2))
			break;
	}
	if (pos >= search)
		return MM_FMT_NO;		/* an ID3v2 tag alone does not make MPEG audio */
	if (h.adts)
		return mp3_report_adts(src, off + pos, &h, out);
	return mp3_report_mpeg(src, off + pos, w + pos, wlen - pos, &h, out);
}
