/*
 * test_probe_av.c - unit tests of the audio/video probes (ISOBMFF, RIFF,
 * IFF, FLAC, Ogg, Matroska, FLV, MP3/ADTS, AU/VOC, ASF, RealMedia, MPEG).
 *
 * Every file is built by hand, byte by byte, so each test states exactly
 * which header field it exercises.  Each one is probed twice: from one
 * buffer (mm_probe_buffer) and through a windowed source that starts with
 * only a head and a tail window and answers every NEED with exactly the
 * bytes asked for, as the glue does; the two results must agree and the
 * number of rounds must stay small.  Large files (a 3 GB MP4 whose moov is
 * behind the mdat) are "virtual": only their head and tail exist, the rest
 * reads as zeros, so a probe that touched mdat payload would still pass
 * the result checks but fail the bytes-fetched check.
 *
 * The last section checks the shared corpus's A/V rows (MANIFEST.tsv in
 * $MM_CORPUS_DIR, default ../../../shared/corpus): MIME (or its alias in
 * test/corpus/mime-aliases.tsv), dimensions, and durations within 1%.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/formats.h"
#include "probe/probe.h"
#include "mm_ogg.h"
#include "mm_test.h"
#include "mm_expect.h"

/* ---------- byte builder ---------- */

typedef struct bb
{
	uint8_t    *d;
	size_t		len;
	size_t		cap;
} bb;

/* Starts an empty builder. */
static void
bb_init(bb *b)
{
	b->cap = 4096;
	b->len = 0;
	b->d = malloc(b->cap);
	if (b->d == NULL)
		abort();
}

/* Makes room for n more bytes. */
static void
bb_grow(bb *b, size_t n)
{
	while (b->len + n > b->cap)
	{
		b->cap *= 2;
		b->d = realloc(b->d, b->cap);
		if (b->d == NULL)
			abort();
	}
}

/* Appends raw bytes. */
static void
bb_bytes(bb *b, const void *p, size_t n)
{
	bb_grow(b, n);
	memcpy(b->d + b->len, p, n);
	b->len += n;
}

/* Appends n zero bytes. */
static void
bb_zeros(bb *b, size_t n)
{
	bb_grow(b, n);
	memset(b->d + b->len, 0, n);
	b->len += n;
}

/* Appends n copies of byte c. */
static void
bb_fill(bb *b, int c, size_t n)
{
	bb_grow(b, n);
	memset(b->d + b->len, c, n);
	b->len += n;
}

/* Appends a string's bytes (no NUL). */
static void
bb_str(bb *b, const char *s)
{
	bb_bytes(b, s, strlen(s));
}

/* Appends one byte. */
static void
bb_u8(bb *b, unsigned v)
{
	uint8_t		c = (uint8_t) v;

	bb_bytes(b, &c, 1);
}

/* Appends a big-endian integer of n bytes. */
static void
bb_be(bb *b, uint64_t v, int n)
{
	int			i;

	for (i = n - 1; i >= 0; i--)
		bb_u8(b, (unsigned) (v >> (8 * i)) & 0xff);
}

/* Appends a little-endian integer of n bytes. */
static void
bb_le(bb *b, uint64_t v, int n)
{
	int			i;

	for (i = 0; i < n; i++)
		bb_u8(b, (unsigned) (v >> (8 * i)) & 0xff);
}

/* Overwrites a big-endian 32-bit value at off. */
static void
bb_put_be32(bb *b, size_t off, uint32_t v)
{
	b->d[off] = (uint8_t) (v >> 24);
	b->d[off + 1] = (uint8_t) (v >> 16);
	b->d[off + 2] = (uint8_t) (v >> 8);
	b->d[off + 3] = (uint8_t) v;
}

/* Overwrites a little-endian 32-bit value at off. */
static void
bb_put_le32(bb *b, size_t off, uint32_t v)
{
	b->d[off] = (uint8_t) v;
	b->d[off + 1] = (uint8_t) (v >> 8);
	b->d[off + 2] = (uint8_t) (v >> 16);
	b->d[off + 3] = (uint8_t) (v >> 24);
}

/* Opens an ISOBMFF box (size patched by box_end); returns its offset. */
static size_t
box_begin(bb *b, const char *type)
{
	size_t		at = b->len;

	bb_be(b, 0, 4);
	bb_bytes(b, type, 4);
	return at;
}

/* Closes the box opened at at. */
static void
box_end(bb *b, size_t at)
{
	bb_put_be32(b, at, (uint32_t) (b->len - at));
}

/* Frees the builder. */
static void
bb_free(bb *b)
{
	free(b->d);
	b->d = NULL;
}

/* ---------- probing helpers ---------- */

/*
 * A virtual file: size bytes of which the first headlen come from head and
 * the last taillen from tail; everything else reads as zero.
 */
typedef struct vfile
{
	uint64_t	size;
	const uint8_t *head;
	size_t		headlen;
	const uint8_t *tail;
	size_t		taillen;
} vfile;

/* The byte of vf at off. */
static uint8_t
vf_byte(const vfile *vf, uint64_t off)
{
	if (off < vf->headlen)
		return vf->head[off];
	if (vf->taillen > 0 && off >= vf->size - vf->taillen)
		return vf->tail[off - (vf->size - vf->taillen)];
	return 0;
}

/* Copies vf's bytes [off, off+len) into a new buffer. */
static uint8_t *
vf_slice(const vfile *vf, uint64_t off, size_t len)
{
	uint8_t    *p = malloc(len ? len : 1);
	size_t		i;

	if (p == NULL)
		abort();
	if (off < vf->headlen && len <= vf->headlen - off)
		memcpy(p, vf->head + off, len);
	else
		for (i = 0; i < len; i++)
			p[i] = vf_byte(vf, off + i);
	return p;
}

/* How a windowed probe went. */
typedef struct wstats
{
	int			rounds;			/* NEED rounds answered */
	int			gave_up;		/* more than 12 rounds, or windows full */
	uint64_t	fetched;		/* bytes fetched for NEEDs */
	size_t		max_need;		/* largest single NEED */
} wstats;

/*
 * Probes vf through a source that starts with a head window of hw bytes
 * and a tail window of tw bytes, answering each NEED with exactly the bytes
 * asked for.
 */
static void
probe_windowed(const vfile *vf, size_t hw, size_t tw, mm_probe *out, wstats *ws)
{
	mm_source	src;
	uint8_t    *bufs[MM_SOURCE_MAX_WINDOWS];
	int			nbufs = 0;
	int			i;

	memset(ws, 0, sizeof(*ws));
	mm_source_init(&src, vf->size);
	if (hw > vf->size)
		hw = (size_t) vf->size;
	if (hw > 0)
	{
		bufs[nbufs] = vf_slice(vf, 0, hw);
		mm_source_add(&src, 0, bufs[nbufs++], hw);
	}
	if (vf->size > hw)
	{
		uint64_t	t = vf->size - hw < tw ? vf->size - hw : tw;

		if (t > 0)
		{
			bufs[nbufs] = vf_slice(vf, vf->size - t, (size_t) t);
			mm_source_add(&src, vf->size - t, bufs[nbufs++], (size_t) t);
		}
	}
	while (mm_probe_source(&src, out) == MM_PROBE_NEED_DATA)
	{
		if (ws->rounds >= 12 || nbufs >= MM_SOURCE_MAX_WINDOWS || src.need_len > (64u << 20))
		{
			ws->gave_up = 1;
			break;
		}
		ws->rounds++;
		ws->fetched += src.need_len;
		if (src.need_len > ws->max_need)
			ws->max_need = src.need_len;
		bufs[nbufs] = vf_slice(vf, src.need_off, src.need_len);
		if (mm_source_add(&src, src.need_off, bufs[nbufs++], src.need_len) != 0)
		{
			ws->gave_up = 1;
			break;
		}
	}
	for (i = 0; i < nbufs; i++)
		free(bufs[i]);
}

/* Are two probe results the same (type, sizes, duration, details)? */
static int
same_result(const mm_probe *a, const mm_probe *b)
{
	int			i;

	if (strcmp(a->mime, b->mime) != 0 || a->width != b->width || a->height != b->height ||
		a->duration_ms != b->duration_ms || a->ndetails != b->ndetails)
		return 0;
	for (i = 0; i < a->ndetails; i++)
		if (strcmp(a->details[i].key, b->details[i].key) != 0 ||
			a->details[i].kind != b->details[i].kind || a->details[i].i != b->details[i].i ||
			strcmp(a->details[i].s, b->details[i].s) != 0)
			return 0;
	return 1;
}

/*
 * Probes a whole in-memory file, and again through small windows (head and
 * tail of 64 bytes each), checking that both agree.
 */
static void
probe(const bb *b, mm_probe *out, const char *what)
{
	vfile		vf = {b->len, b->d, b->len, NULL, 0};
	mm_probe	w;
	wstats		ws;

	mm_probe_buffer(b->d, b->len, out);
	probe_windowed(&vf, 64, 64, &w, &ws);
	MM_CHECK(!ws.gave_up && same_result(out, &w),
			 "%s: windowed (64+64) probe agrees with buffer probe (%d rounds; %s vs %s)",
			 what, ws.rounds, w.mime, out->mime);
}

/* The INT/BOOL detail key's value, or -999 when absent. */
static int64_t
det_i(const mm_probe *p, const char *key)
{
	int			i;

	for (i = 0; i < p->ndetails; i++)
		if (strcmp(p->details[i].key, key) == 0 && p->details[i].kind != MM_DETAIL_STR)
			return p->details[i].i;
	return -999;
}

/* The STR detail key's value, or "" when absent. */
static const char *
det_s(const mm_probe *p, const char *key)
{
	int			i;

	for (i = 0; i < p->ndetails; i++)
		if (strcmp(p->details[i].key, key) == 0 && p->details[i].kind == MM_DETAIL_STR)
			return p->details[i].s;
	return "";
}

/*
 * Probes every truncation of b (every length below 512, then every 61st
 * byte) and checks that nothing crashes and that the result is either the
 * expected MIME or not a claim at all.
 */
static void
truncations(const bb *b, const char *mime, const char *what)
{
	size_t		n;
	int			ok = 1;
	mm_probe	p;

	for (n = 0; n < b->len; n += (n < 512 ? 1 : 61))
	{
		uint8_t    *copy = malloc(n ? n : 1);

		memcpy(copy, b->d, n);
		mm_probe_buffer(copy, n, &p);
		if (strcmp(p.mime, mime) != 0 && n > 64 && strcmp(p.mime, "application/octet-stream") != 0 &&
			strncmp(p.mime, "text/", 5) != 0)
		{
			ok = 0;
			printf("# %s: length %zu gave %s\n", what, n, p.mime);
		}
		if (p.width < -1 || p.height < -1 || p.duration_ms < -1)
			ok = 0;
		free(copy);
	}
	MM_CHECK(ok, "%s: every truncation probes safely", what);
}

/* ---------- ISOBMFF ---------- */

/* Appends an ftyp box with a major brand and compatible brands ("isomavc1"). */
static void
mp4_ftyp(bb *b, const char *major, const char *compat)
{
	size_t		at = box_begin(b, "ftyp");

	bb_bytes(b, major, 4);
	bb_be(b, 0x200, 4);
	bb_str(b, compat);
	box_end(b, at);
}

/* Appends mvhd version 0 or 1. */
static void
mp4_mvhd(bb *b, int version, uint32_t timescale, uint64_t duration)
{
	size_t		at = box_begin(b, "mvhd");

	bb_u8(b, version);
	bb_be(b, 0, 3);
	if (version == 1)
	{
		bb_be(b, 0, 8);
		bb_be(b, 0, 8);
		bb_be(b, timescale, 4);
		bb_be(b, duration, 8);
	}
	else
	{
		bb_be(b, 0, 4);
		bb_be(b, 0, 4);
		bb_be(b, timescale, 4);
		bb_be(b, duration, 4);
	}
	bb_be(b, 0x00010000, 4);	/* rate */
	bb_be(b, 0x0100, 2);		/* volume */
	bb_zeros(b, 10);
	bb_zeros(b, 36);			/* matrix */
	bb_zeros(b, 24);
	bb_be(b, 3, 4);				/* next track id */
	box_end(b, at);
}

/* Appends tkhd version 0 with a 16.16 display size and a rotation matrix. */
static void
mp4_tkhd(bb *b, uint32_t w, uint32_t h, int rot90)
{
	size_t		at = box_begin(b, "tkhd");

	bb_be(b, 7, 4);				/* version 0, flags enabled|in movie|in preview */
	bb_be(b, 0, 4);
	bb_be(b, 0, 4);
	bb_be(b, 1, 4);				/* track id */
	bb_be(b, 0, 4);
	bb_be(b, 0, 4);				/* duration */
	bb_zeros(b, 8);
	bb_zeros(b, 8);				/* layer, alt group, volume, reserved */
	if (rot90)
	{
		bb_be(b, 0, 4);
		bb_be(b, 0x00010000, 4);
		bb_be(b, 0, 4);
		bb_be(b, 0xFFFF0000, 4);
		bb_be(b, 0, 4);
		bb_be(b, 0, 4);
	}
	else
	{
		bb_be(b, 0x00010000, 4);
		bb_be(b, 0, 4);
		bb_be(b, 0, 4);
		bb_be(b, 0, 4);
		bb_be(b, 0x00010000, 4);
		bb_be(b, 0, 4);
	}
	bb_be(b, 0, 4);
	bb_be(b, 0, 4);
	bb_be(b, 0x40000000, 4);
	bb_be(b, (uint64_t) w << 16, 4);
	bb_be(b, (uint64_t) h << 16, 4);
	box_end(b, at);
}

/* Appends a trak: tkhd, mdia(mdhd, hdlr, minf(stbl(stsd(entry)))). */
static void
mp4_trak(bb *b, const char *handler, const char *codec, uint32_t w, uint32_t h, int rot90)
{
	size_t		trak = box_begin(b, "trak"),
				mdia,
				x,
				minf,
				stbl,
				stsd,
				e;

	mp4_tkhd(b, w, h, rot90);
	mdia = box_begin(b, "mdia");
	x = box_begin(b, "mdhd");
	bb_be(b, 0, 4);
	bb_be(b, 0, 8);
	bb_be(b, 48000, 4);
	bb_be(b, 48000 * 3, 4);
	bb_be(b, 0, 4);
	box_end(b, x);
	x = box_begin(b, "hdlr");
	bb_be(b, 0, 4);
	bb_be(b, 0, 4);
	bb_str(b, handler);
	bb_zeros(b, 12);
	bb_str(b, "handler");
	bb_u8(b, 0);
	box_end(b, x);
	minf = box_begin(b, "minf");
	stbl = box_begin(b, "stbl");
	stsd = box_begin(b, "stsd");
	bb_be(b, 0, 4);
	bb_be(b, 1, 4);
	e = box_begin(b, codec);
	bb_zeros(b, 6);
	bb_be(b, 1, 2);				/* data reference index */
	if (strcmp(handler, "soun") == 0)
	{
		bb_zeros(b, 8);
		bb_be(b, 2, 2);			/* channels */
		bb_be(b, 16, 2);
		bb_be(b, 0, 4);
		bb_be(b, (uint64_t) 44100 << 16, 4);
	}
	else
	{
		bb_zeros(b, 16);
		bb_be(b, w, 2);
		bb_be(b, h, 2);
		bb_zeros(b, 50);
	}
	box_end(b, e);
	box_end(b, stsd);
	x = box_begin(b, "stsz");
	bb_zeros(b, 12);
	box_end(b, x);
	box_end(b, stbl);
	box_end(b, minf);
	box_end(b, mdia);
	box_end(b, trak);
}

/* Appends a complete moov: mvhd, a video trak (unless w == 0) and an audio trak. */
static void
mp4_moov(bb *b, uint32_t timescale, uint64_t duration, uint32_t w, uint32_t h, int audio)
{
	size_t		at = box_begin(b, "moov");

	mp4_mvhd(b, 0, timescale, duration);
	if (w > 0)
		mp4_trak(b, "vide", "avc1", w, h, 0);
	if (audio)
		mp4_trak(b, "soun", "mp4a", 0, 0, 0);
	box_end(b, at);
}

/* A plain MP4: ftyp, moov, small mdat. */
static void
test_mp4_basic(void)
{
	bb			b;
	mm_probe	p;

	bb_init(&b);
	mp4_ftyp(&b, "isom", "isomiso2avc1mp41");
	mp4_moov(&b, 1000, 5000, 640, 480, 1);
	box_end(&b, box_begin(&b, "mdat"));
	probe(&b, &p, "mp4");
	expect(&p, "video/mp4", 640, 480, 5000, "mp4 basic");
	MM_CHECK(strcmp(det_s(&p, "codec"), "avc1") == 0 && strcmp(det_s(&p, "audio_codec"), "mp4a") == 0,
			 "mp4: codec avc1, audio_codec mp4a");
	MM_CHECK(det_i(&p, "has_video") == 1 && det_i(&p, "has_audio") == 1, "mp4: has_video, has_audio");
	MM_CHECK(det_i(&p, "sample_rate") == 44100 && det_i(&p, "channels") == 2, "mp4: audio 44100 Hz, 2 ch");
	MM_CHECK(strcmp(p.media_type, "video") == 0, "mp4: media_type video");
	truncations(&b, "video/mp4", "mp4");
	bb_free(&b);
}

/* Brand to MIME mapping. */
static void
test_mp4_brands(void)
{
	static const struct
	{
		const char *major;
		const char *compat;
		int			video;
		const char *mime;
	}			cases[] = {
		{"qt  ", "qt  ", 1, "video/quicktime"},
		{"3gp4", "isom3gp4", 1, "video/3gpp"},
		{"3g2a", "3g2a", 1, "video/3gpp2"},
		{"M4A ", "M4A mp42isom", 0, "audio/mp4"},
		{"M4B ", "M4B mp42", 0, "audio/mp4"},
		{"mp42", "mp42isom", 0, "audio/mp4"},	/* audio-only MP4 */
		{"mp42", "mp42isom", 1, "video/mp4"},
		{"M4V ", "M4V mp42", 1, "video/mp4"},
		{"dash", "iso6mp41", 1, "video/mp4"},
		{"XYZW", "isom", 1, "video/mp4"},	/* unknown major, MP4 compatible */
	};
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		bb			b;
		mm_probe	p;

		bb_init(&b);
		mp4_ftyp(&b, cases[i].major, cases[i].compat);
		mp4_moov(&b, 600, 1200, cases[i].video ? 320 : 0, 240, 1);
		probe(&b, &p, cases[i].major);
		MM_CHECK(strcmp(p.mime, cases[i].mime) == 0 && p.duration_ms == 2000,
				 "brand '%s' -> %s (got %s, %lld ms)", cases[i].major, cases[i].mime, p.mime,
				 (long long) p.duration_ms);
		bb_free(&b);
	}
	/* not ISOBMFF video: CR3 raw and an unknown brand with no known compatible */
	{
		bb			b;
		mm_probe	p;

		bb_init(&b);
		mp4_ftyp(&b, "crx ", "crx isom");
		mp4_moov(&b, 600, 1200, 320, 240, 0);
		MM_CHECK(mm_probe_isobmff(NULL, b.d, b.len, &p) == MM_FMT_NO, "Canon CR3 (crx) is not claimed");
		bb_free(&b);
		bb_init(&b);
		mp4_ftyp(&b, "abcd", "efgh");
		MM_CHECK(mm_probe_isobmff(NULL, b.d, b.len, &p) == MM_FMT_NO, "unknown brands are not claimed");
		bb_free(&b);
	}
	/* old QuickTime without ftyp: moov first, and wide + mdat */
	{
		bb			b;
		mm_probe	p;

		bb_init(&b);
		mp4_moov(&b, 600, 3000, 320, 240, 1);
		probe(&b, &p, "qt no ftyp");
		expect(&p, "video/quicktime", 320, 240, 5000, "QuickTime without ftyp (moov first)");
		bb_free(&b);
		bb_init(&b);
		box_end(&b, box_begin(&b, "wide"));
		{
			size_t		m = box_begin(&b, "mdat");

			bb_zeros(&b, 100);
			box_end(&b, m);
		}
		mp4_moov(&b, 600, 3000, 320, 240, 1);
		probe(&b, &p, "qt wide+mdat");
		expect(&p, "video/quicktime", 320, 240, 5000, "QuickTime without ftyp (wide, mdat, moov)");
		bb_free(&b);
		bb_init(&b);
		box_end(&b, box_begin(&b, "idat"));
		bb_zeros(&b, 100);
		mm_probe_buffer(b.d, b.len, &p);
		MM_CHECK(strcmp(p.mime, "video/quicktime") != 0, "a file starting with an idat box is not QuickTime");
		bb_free(&b);
	}
}

/*
 * A 3 GB MP4 whose moov sits at the end behind an mdat with a 64-bit
 * size, probed through 64 KB head and tail windows: small moov (inside the
 * tail window) and big moov (200 KB, so its header is outside the tail).
 */
static void
test_mp4_moov_at_end(void)
{
	int			big;

	for (big = 0; big < 2; big++)
	{
		bb			headb,
					tailb;
		vfile		vf;
		uint64_t	size = 3ull << 30;
		uint64_t	mdat_size;
		mm_probe	p;
		wstats		ws;
		size_t		moov_at,
					f;

		bb_init(&headb);
		mp4_ftyp(&headb, "mp42", "mp42isom");
		bb_init(&tailb);
		moov_at = box_begin(&tailb, "moov");
		mp4_mvhd(&tailb, 0, 90000, 90000ull * 3600 * 2);
		mp4_trak(&tailb, "vide", "hvc1", 3840, 2160, 0);
		mp4_trak(&tailb, "soun", "mp4a", 0, 0, 0);
		if (big)
		{
			f = box_begin(&tailb, "udta");
			bb_fill(&tailb, 'x', 200000);
			box_end(&tailb, f);
		}
		box_end(&tailb, moov_at);
		/* mdat with a 64-bit size fills the gap between ftyp and moov */
		mdat_size = size - headb.len - tailb.len;
		bb_be(&headb, 1, 4);
		bb_str(&headb, "mdat");
		bb_be(&headb, mdat_size, 8);
		vf.size = size;
		vf.head = headb.d;
		vf.headlen = headb.len;
		vf.tail = tailb.d;
		vf.taillen = tailb.len;
		probe_windowed(&vf, 65536, 65536, &p, &ws);
		expect(&p, "video/mp4", 3840, 2160, 7200000, big ? "3 GB mp4, 200 KB moov at end" : "3 GB mp4, moov at end");
		MM_CHECK(!ws.gave_up && ws.rounds <= (big ? 2 : 0),
				 "moov at end (%s): %d NEED rounds", big ? "big moov" : "in tail window", ws.rounds);
		MM_CHECK(ws.fetched <= tailb.len + 64,
				 "moov at end: fetched %llu bytes, no mdat payload", (unsigned long long) ws.fetched);
		MM_CHECK(strcmp(det_s(&p, "codec"), "hvc1") == 0, "moov at end: codec hvc1");

		/* only a 4 KB head and a 4 KB tail: every step NEEDs */
		probe_windowed(&vf, 4096, 4096, &p, &ws);
		expect(&p, "video/mp4", 3840, 2160, 7200000, "3 GB mp4 via 4 KB windows");
		MM_CHECK(!ws.gave_up && ws.rounds <= (big ? 2 : 0),
				 "moov at end via 4 KB windows: %d NEED rounds", ws.rounds);
		MM_CHECK(ws.max_need <= tailb.len, "moov at end: largest NEED %zu bytes", ws.max_need);
		bb_free(&headb);
		bb_free(&tailb);
	}
}

/* moov at the start of a huge file whose mdat runs "to end of file" (size 0). */
static void
test_mp4_moov_at_start(void)
{
	bb			headb;
	vfile		vf;
	mm_probe	p;
	wstats		ws;

	bb_init(&headb);
	mp4_ftyp(&headb, "isom", "isom");
	mp4_moov(&headb, 1000, 3600 * 1000, 1920, 1080, 1);
	bb_be(&headb, 0, 4);		/* size 0: to the end of the file */
	bb_str(&headb, "mdat");
	vf.size = 2ull << 30;
	vf.head = headb.d;
	vf.headlen = headb.len;
	vf.tail = NULL;
	vf.taillen = 0;
	probe_windowed(&vf, 65536, 65536, &p, &ws);
	expect(&p, "video/mp4", 1920, 1080, 3600000, "2 GB mp4, moov first, mdat size 0");
	MM_CHECK(ws.rounds == 0, "moov first: no NEED rounds (%d)", ws.rounds);
	probe_windowed(&vf, 200, 200, &p, &ws);
	expect(&p, "video/mp4", 1920, 1080, 3600000, "2 GB mp4, moov first, 200-byte windows");
	MM_CHECK(ws.rounds <= 2, "moov first via 200-byte windows: %d rounds", ws.rounds);
	bb_free(&headb);
}

/* Box size edge cases: 64-bit sizes, size 0, size below the header, deep nesting. */
static void
test_mp4_box_sizes(void)
{
	bb			b;
	mm_probe	p;
	size_t		at,
				i;

	/* moov with a 64-bit largesize, last box with size 0 */
	bb_init(&b);
	mp4_ftyp(&b, "mp41", "mp41");
	at = b.len;
	bb_be(&b, 1, 4);
	bb_str(&b, "moov");
	bb_be(&b, 0, 8);
	mp4_mvhd(&b, 1, 1000, 12345);
	mp4_trak(&b, "vide", "av01", 1280, 720, 0);
	{
		uint64_t	sz = b.len - at;

		for (i = 0; i < 8; i++)
			b.d[at + 8 + i] = (uint8_t) (sz >> (56 - 8 * i));
	}
	bb_be(&b, 0, 4);
	bb_str(&b, "free");
	bb_zeros(&b, 10);
	probe(&b, &p, "largesize moov");
	expect(&p, "video/mp4", 1280, 720, 12345, "64-bit moov size, mvhd v1, size-0 last box");
	MM_CHECK(strcmp(det_s(&p, "codec"), "av01") == 0, "largesize moov: codec av01");
	bb_free(&b);

	/* moov itself with size 0 (runs to the end of the file) */
	bb_init(&b);
	mp4_ftyp(&b, "mp41", "mp41");
	at = box_begin(&b, "moov");
	mp4_mvhd(&b, 0, 1000, 4000);
	mp4_trak(&b, "vide", "avc1", 320, 200, 0);
	bb_put_be32(&b, at, 0);
	probe(&b, &p, "size-0 moov");
	expect(&p, "video/mp4", 320, 200, 4000, "size-0 moov runs to end of file");
	bb_free(&b);

	/* a top-level box whose size is below its header */
	bb_init(&b);
	mp4_ftyp(&b, "mp41", "mp41");
	bb_be(&b, 4, 4);
	bb_str(&b, "moov");
	mp4_mvhd(&b, 0, 1000, 4000);
	probe(&b, &p, "short box");
	expect(&p, "video/mp4", -1, -1, -1, "box size 4 (< header) stops the walk");
	bb_free(&b);

	/* a 64-bit size below 16, and one that overflows offset + size */
	bb_init(&b);
	mp4_ftyp(&b, "mp41", "mp41");
	bb_be(&b, 1, 4);
	bb_str(&b, "free");
	bb_be(&b, 8, 8);
	mp4_moov(&b, 1000, 1000, 10, 10, 0);
	probe(&b, &p, "largesize 8");
	expect(&p, "video/mp4", -1, -1, -1, "64-bit size 8 (< 16) stops the walk");
	bb_free(&b);
	bb_init(&b);
	mp4_ftyp(&b, "mp41", "mp41");
	bb_be(&b, 1, 4);
	bb_str(&b, "free");
	bb_be(&b, UINT64_MAX - 3, 8);
	mp4_moov(&b, 1000, 1000, 10, 10, 0);
	probe(&b, &p, "largesize max");
	expect(&p, "video/mp4", -1, -1, -1, "64-bit size near 2^64 does not wrap");
	bb_free(&b);

	/* children inside moov with bad sizes: size 3, size 1 with largesize 2^63 */
	bb_init(&b);
	mp4_ftyp(&b, "mp41", "mp41");
	at = box_begin(&b, "moov");
	mp4_mvhd(&b, 0, 1000, 2000);
	bb_be(&b, 1, 4);
	bb_str(&b, "trak");
	bb_be(&b, 1ull << 63, 8);
	mp4_tkhd(&b, 100, 50, 0);
	box_end(&b, at);
	probe(&b, &p, "huge child");
	MM_CHECK(strcmp(p.mime, "video/mp4") == 0 && p.duration_ms == 2000, "child with 2^63 size is clipped");
	bb_free(&b);

	/* nesting too deep: 40 nested mdia boxes around the stsd */
	bb_init(&b);
	mp4_ftyp(&b, "mp41", "mp41");
	{
		size_t		stack[64];
		int			d;

		stack[0] = box_begin(&b, "moov");
		mp4_mvhd(&b, 0, 1000, 2000);
		stack[1] = box_begin(&b, "trak");
		mp4_tkhd(&b, 0, 0, 0);
		for (d = 2; d < 42; d++)
			stack[d] = box_begin(&b, "mdia");
		at = box_begin(&b, "hdlr");
		bb_be(&b, 0, 8);
		bb_str(&b, "vide");
		bb_zeros(&b, 13);
		box_end(&b, at);
		at = box_begin(&b, "stsd");
		bb_be(&b, 0, 4);
		bb_be(&b, 1, 4);
		{
			size_t		e = box_begin(&b, "avc1");

			bb_zeros(&b, 24);
			bb_be(&b, 64, 2);
			bb_be(&b, 48, 2);
			bb_zeros(&b, 50);
			box_end(&b, e);
		}
		box_end(&b, at);
		for (d = 41; d >= 0; d--)
			box_end(&b, stack[d]);
	}
	probe(&b, &p, "deep nesting");
	MM_CHECK(strcmp(p.mime, "video/mp4") == 0 && p.duration_ms == 2000 && p.width == -1 &&
			 strcmp(det_s(&p, "codec"), "") == 0,
			 "nesting 40 deep: stops at the depth cap, keeps mvhd (got %lldx%lld codec '%s')",
			 (long long) p.width, (long long) p.height, det_s(&p, "codec"));
	bb_free(&b);
}

/* Durations: timescale 0, mvhd v1, unknown duration, fragmented with mehd, rotation. */
static void
test_mp4_durations(void)
{
	bb			b;
	mm_probe	p;
	size_t		at,
				x;

	bb_init(&b);
	mp4_ftyp(&b, "isom", "isom");
	at = box_begin(&b, "moov");
	mp4_mvhd(&b, 0, 0, 5000);
	box_end(&b, at);
	probe(&b, &p, "timescale 0");
	MM_CHECK(strcmp(p.mime, "video/mp4") == 0 && p.duration_ms == -1, "timescale 0: duration unknown");
	bb_free(&b);

	bb_init(&b);
	mp4_ftyp(&b, "isom", "isom");
	at = box_begin(&b, "moov");
	mp4_mvhd(&b, 1, 1, UINT64_MAX - 1);
	box_end(&b, at);
	probe(&b, &p, "huge duration");
	MM_CHECK(p.duration_ms == -1, "duration*1000 overflowing int64: unknown (got %lld)",
			 (long long) p.duration_ms);
	bb_free(&b);

	bb_init(&b);
	mp4_ftyp(&b, "isom", "isom");
	at = box_begin(&b, "moov");
	mp4_mvhd(&b, 1, 3, 10);
	box_end(&b, at);
	probe(&b, &p, "v1 duration");
	MM_CHECK(p.duration_ms == 3333, "mvhd v1: 10/3 s = 3333 ms (got %lld)", (long long) p.duration_ms);
	bb_free(&b);

	/* fragmented: mvhd duration 0, mvex/mehd v1 gives it; moof after */
	bb_init(&b);
	mp4_ftyp(&b, "iso6", "iso6dash");
	at = box_begin(&b, "moov");
	mp4_mvhd(&b, 0, 1000, 0);
	mp4_trak(&b, "vide", "avc1", 854, 480, 0);
	x = box_begin(&b, "mvex");
	{
		size_t		m = box_begin(&b, "mehd");

		bb_u8(&b, 1);
		bb_be(&b, 0, 3);
		bb_be(&b, 61500, 8);
		box_end(&b, m);
	}
	box_end(&b, x);
	box_end(&b, at);
	box_end(&b, box_begin(&b, "moof"));
	probe(&b, &p, "fragmented");
	expect(&p, "video/mp4", 854, 480, 61500, "fragmented MP4: duration from mehd");
	MM_CHECK(det_i(&p, "fragmented") == 1, "fragmented MP4: detail fragmented");
	bb_free(&b);

	/* a rotated (90 degree) phone video: display size swapped */
	bb_init(&b);
	mp4_ftyp(&b, "qt  ", "qt  ");
	at = box_begin(&b, "moov");
	mp4_mvhd(&b, 0, 600, 600);
	mp4_trak(&b, "vide", "hvc1", 1920, 1080, 1);
	box_end(&b, at);
	probe(&b, &p, "rotated");
	expect(&p, "video/quicktime", 1080, 1920, 1000, "tkhd matrix rotated 90: display 1080x1920");
	MM_CHECK(det_i(&p, "rotation") == 90, "rotated: detail rotation 90");
	bb_free(&b);
}

/* Appends a HEIF meta box: pitm 1, iprp(ipco(ispe, codec config, [irot]), ipma). */
static void
heif_meta(bb *b, uint32_t w, uint32_t h, int irot, const char *config)
{
	size_t		meta = box_begin(b, "meta"),
				x,
				iprp,
				ipco;

	bb_be(b, 0, 4);
	x = box_begin(b, "hdlr");
	bb_be(b, 0, 8);
	bb_str(b, "pict");
	bb_zeros(b, 13);
	box_end(b, x);
	x = box_begin(b, "pitm");
	bb_be(b, 0, 4);
	bb_be(b, 2, 2);
	box_end(b, x);
	iprp = box_begin(b, "iprp");
	ipco = box_begin(b, "ipco");
	x = box_begin(b, "ispe");	/* 1: a thumbnail's size */
	bb_be(b, 0, 4);
	bb_be(b, 160, 4);
	bb_be(b, 90, 4);
	box_end(b, x);
	x = box_begin(b, "ispe");	/* 2: the primary item's size */
	bb_be(b, 0, 4);
	bb_be(b, w, 4);
	bb_be(b, h, 4);
	box_end(b, x);
	x = box_begin(b, config);	/* 3 */
	bb_zeros(b, 4);
	box_end(b, x);
	x = box_begin(b, "irot");	/* 4 */
	bb_u8(b, irot);
	box_end(b, x);
	box_end(b, ipco);
	x = box_begin(b, "ipma");
	bb_be(b, 0, 4);
	bb_be(b, 2, 4);
	bb_be(b, 1, 2);				/* item 1 (thumbnail): ispe #1 */
	bb_u8(b, 1);
	bb_u8(b, 0x81);
	bb_be(b, 2, 2);				/* item 2 (primary): ispe #2, config #3, irot #4 */
	bb_u8(b, 3);
	bb_u8(b, 0x02);
	bb_u8(b, 0x83);
	bb_u8(b, 0x04);
	box_end(b, x);
	box_end(b, iprp);
	box_end(b, meta);
}

/* AVIF, HEIC, HEIF: primary item's ispe and irot. */
static void
test_heif(void)
{
	bb			b;
	mm_probe	p;
	size_t		at;

	bb_init(&b);
	mp4_ftyp(&b, "avif", "avifmif1miaf");
	heif_meta(&b, 4000, 3000, 0, "av1C");
	at = box_begin(&b, "mdat");
	bb_zeros(&b, 64);
	box_end(&b, at);
	probe(&b, &p, "avif");
	expect(&p, "image/avif", 4000, 3000, -1, "AVIF: primary item's ispe (not the thumbnail's)");
	MM_CHECK(strcmp(det_s(&p, "codec"), "av01") == 0 && strcmp(p.media_type, "image") == 0,
			 "AVIF: codec av01, media_type image");
	truncations(&b, "image/avif", "avif");
	bb_free(&b);

	bb_init(&b);
	mp4_ftyp(&b, "mif1", "mif1heic");
	heif_meta(&b, 4032, 3024, 1, "hvcC");
	probe(&b, &p, "heic");
	expect(&p, "image/heic", 3024, 4032, -1, "HEIC (mif1 major, heic compatible), irot 90: swapped");
	MM_CHECK(det_i(&p, "rotation") == 270, "HEIC irot 1 (90 anticlockwise) = rotation 270");
	bb_free(&b);

	bb_init(&b);
	mp4_ftyp(&b, "mif1", "mif1");
	heif_meta(&b, 640, 480, 0, "jpgC");
	probe(&b, &p, "heif");
	expect(&p, "image/heif", 640, 480, -1, "HEIF (mif1 only)");
	bb_free(&b);

	/* AVIF image sequence: meta and moov */
	bb_init(&b);
	mp4_ftyp(&b, "avis", "avisavifmsf1mif1miaf");
	heif_meta(&b, 499, 479, 0, "av1C");
	at = box_begin(&b, "moov");
	mp4_mvhd(&b, 0, 1000, 2100);
	mp4_trak(&b, "pict", "av01", 499, 479, 0);
	box_end(&b, at);
	probe(&b, &p, "avis");
	expect(&p, "image/avif", 499, 479, 2100, "AVIF sequence (avis): ispe size, mvhd duration");
	bb_free(&b);

	/* no pitm: the first ispe is used */
	bb_init(&b);
	mp4_ftyp(&b, "heic", "mif1heic");
	at = box_begin(&b, "meta");
	bb_be(&b, 0, 4);
	{
		size_t		iprp = box_begin(&b, "iprp"),
					ipco = box_begin(&b, "ipco"),
					x = box_begin(&b, "ispe");

		bb_be(&b, 0, 4);
		bb_be(&b, 1024, 4);
		bb_be(&b, 768, 4);
		box_end(&b, x);
		box_end(&b, ipco);
		box_end(&b, iprp);
	}
	box_end(&b, at);
	probe(&b, &p, "heic no pitm");
	expect(&p, "image/heic", 1024, 768, -1, "HEIC without pitm: first ispe");
	bb_free(&b);
}

/* ---------- RIFF ---------- */

/* Appends a WAVE fmt chunk (WAVEFORMATEX, or EXTENSIBLE with sub-format tag). */
static void
wav_fmt(bb *b, unsigned tag, unsigned ch, uint32_t rate, unsigned bits, unsigned subtag)
{
	bb_str(b, "fmt ");
	bb_le(b, tag == 0xFFFE ? 40 : 16, 4);
	bb_le(b, tag, 2);
	bb_le(b, ch, 2);
	bb_le(b, rate, 4);
	bb_le(b, (uint64_t) rate * ch * bits / 8, 4);
	bb_le(b, ch * bits / 8, 2);
	bb_le(b, bits, 2);
	if (tag == 0xFFFE)
	{
		bb_le(b, 22, 2);
		bb_le(b, bits, 2);
		bb_le(b, 3, 4);
		bb_le(b, subtag, 2);
		bb_bytes(b, "\x00\x00\x00\x00\x10\x00\x80\x00\x00\xAA\x00\x38\x9B\x71", 14);
	}
}

/* WAVE: PCM, extensible float, streaming size, fact, RF64. */
static void
test_wav(void)
{
	bb			b;
	mm_probe	p;

	bb_init(&b);
	bb_str(&b, "RIFF");
	bb_le(&b, 0, 4);
	bb_str(&b, "WAVE");
	wav_fmt(&b, 1, 2, 44100, 16, 0);
	bb_str(&b, "LIST");
	bb_le(&b, 5, 4);
	bb_str(&b, "INFOx");
	bb_u8(&b, 0);				/* pad byte of the odd-sized chunk */
	bb_str(&b, "data");
	bb_le(&b, 176400 / 4, 4);
	bb_zeros(&b, 176400 / 4);
	bb_put_le32(&b, 4, (uint32_t) (b.len - 8));
	probe(&b, &p, "wav");
	expect(&p, "audio/wav", -1, -1, 250, "WAV PCM 16-bit stereo 44.1k, 44100 data bytes");
	MM_CHECK(det_i(&p, "channels") == 2 && det_i(&p, "sample_rate") == 44100 &&
			 det_i(&p, "bit_depth") == 16 && strcmp(det_s(&p, "codec"), "pcm") == 0,
			 "WAV details: 2 ch, 44100 Hz, 16 bit, pcm");
	truncations(&b, "audio/wav", "wav");
	bb_free(&b);

	bb_init(&b);
	bb_str(&b, "RIFF");
	bb_le(&b, 0xFFFFFFFF, 4);
	bb_str(&b, "WAVE");
	wav_fmt(&b, 0xFFFE, 1, 48000, 32, 3);
	bb_str(&b, "data");
	bb_le(&b, 0xFFFFFFFF, 4);	/* streaming writer: size unknown */
	bb_zeros(&b, 96000);
	probe(&b, &p, "wav float");
	expect(&p, "audio/wav", -1, -1, 500, "WAV extensible float, data size -1: to end of file");
	MM_CHECK(strcmp(det_s(&p, "codec"), "float") == 0, "WAV extensible: sub-format float");
	bb_free(&b);

	bb_init(&b);
	bb_str(&b, "RIFF");
	bb_le(&b, 0, 4);
	bb_str(&b, "WAVE");
	wav_fmt(&b, 0x11, 1, 8000, 4, 0);
	bb_str(&b, "fact");
	bb_le(&b, 4, 4);
	bb_le(&b, 24000, 4);
	bb_str(&b, "data");
	bb_le(&b, 100, 4);
	bb_zeros(&b, 100);
	probe(&b, &p, "wav adpcm");
	MM_CHECK(p.duration_ms == 3000 && strcmp(det_s(&p, "codec"), "ima_adpcm") == 0,
			 "WAV IMA ADPCM: duration from fact (got %lld)", (long long) p.duration_ms);
	bb_free(&b);

	/* RF64: data size in ds64; a virtual 5 GB file */
	{
		bb			h;
		vfile		vf;
		wstats		ws;
		uint64_t	data = 5ull << 30;

		bb_init(&h);
		bb_str(&h, "RF64");
		bb_le(&h, 0xFFFFFFFF, 4);
		bb_str(&h, "WAVE");
		bb_str(&h, "ds64");
		bb_le(&h, 28, 4);
		bb_le(&h, data + 72, 8);
		bb_le(&h, data, 8);
		bb_le(&h, data / 4, 8);
		bb_le(&h, 0, 4);
		wav_fmt(&h, 1, 2, 48000, 16, 0);
		bb_str(&h, "data");
		bb_le(&h, 0xFFFFFFFF, 4);
		vf.size = h.len + data;
		vf.head = h.d;
		vf.headlen = h.len;
		vf.tail = NULL;
		vf.taillen = 0;
		probe_windowed(&vf, 65536, 65536, &p, &ws);
		expect(&p, "audio/wav", -1, -1, (int64_t) (data * 1000 / 192000), "RF64 5 GB: duration from ds64");
		MM_CHECK(ws.rounds == 0, "RF64: no NEED rounds");
		bb_free(&h);
	}

	bb_init(&b);
	bb_str(&b, "RIFF");
	bb_le(&b, 100, 4);
	bb_str(&b, "WEBPVP8 ");
	bb_zeros(&b, 100);
	MM_CHECK(mm_probe_riff(NULL, b.d, b.len, &p) == MM_FMT_NO, "RIFF WEBP is not claimed by the RIFF probe");
	bb_free(&b);
}

/* AVI: avih size and frames * usec. */
static void
test_avi(void)
{
	bb			b;
	mm_probe	p;
	size_t		hdrl,
				strl;

	bb_init(&b);
	bb_str(&b, "RIFF");
	bb_le(&b, 0, 4);
	bb_str(&b, "AVI ");
	bb_str(&b, "LIST");
	hdrl = b.len;
	bb_le(&b, 0, 4);
	bb_str(&b, "hdrl");
	bb_str(&b, "avih");
	bb_le(&b, 56, 4);
	bb_le(&b, 40000, 4);		/* 25 fps */
	bb_le(&b, 0, 4);
	bb_le(&b, 0, 4);
	bb_le(&b, 0x10, 4);
	bb_le(&b, 250, 4);			/* frames */
	bb_le(&b, 0, 4);
	bb_le(&b, 2, 4);
	bb_le(&b, 0, 4);
	bb_le(&b, 720, 4);
	bb_le(&b, 576, 4);
	bb_zeros(&b, 16);
	bb_str(&b, "LIST");
	strl = b.len;
	bb_le(&b, 0, 4);
	bb_str(&b, "strl");
	bb_str(&b, "strh");
	bb_le(&b, 56, 4);
	bb_str(&b, "vidsXVID");
	bb_zeros(&b, 48);
	bb_str(&b, "strf");
	bb_le(&b, 40, 4);
	bb_le(&b, 40, 4);
	bb_le(&b, 720, 4);
	bb_le(&b, 576, 4);
	bb_le(&b, 1, 2);
	bb_le(&b, 24, 2);
	bb_str(&b, "XVID");
	bb_zeros(&b, 20);
	bb_put_le32(&b, strl, (uint32_t) (b.len - strl - 4));
	bb_put_le32(&b, hdrl, (uint32_t) (b.len - hdrl - 4));
	bb_str(&b, "LIST");
	bb_le(&b, 4 + 1000, 4);
	bb_str(&b, "movi");
	bb_zeros(&b, 1000);
	bb_put_le32(&b, 4, (uint32_t) (b.len - 8));
	probe(&b, &p, "avi");
	expect(&p, "video/avi", 720, 576, 10000, "AVI 720x576, 250 frames at 40 ms");
	MM_CHECK(strcmp(det_s(&p, "codec"), "XVID") == 0, "AVI codec XVID");
	truncations(&b, "video/avi", "avi");
	bb_free(&b);
}

/* ---------- IFF ---------- */

/* Appends an 80-bit extended float for an integer rate. */
static void
ext80(bb *b, uint32_t rate)
{
	int			e = 31;

	while (e > 0 && !(rate & (1u << e)))
		e--;
	bb_be(b, 16383 + e, 2);
	bb_be(b, (uint64_t) rate << (63 - e), 8);
}

/* AIFF, AIFC and 8SVX. */
static void
test_iff(void)
{
	bb			b;
	mm_probe	p;

	bb_init(&b);
	bb_str(&b, "FORM");
	bb_be(&b, 0, 4);
	bb_str(&b, "AIFF");
	bb_str(&b, "COMM");
	bb_be(&b, 18, 4);
	bb_be(&b, 2, 2);
	bb_be(&b, 88200, 4);
	bb_be(&b, 24, 2);
	ext80(&b, 44100);
	bb_str(&b, "SSND");
	bb_be(&b, 8 + 600, 4);
	bb_zeros(&b, 608);
	bb_put_be32(&b, 4, (uint32_t) (b.len - 8));
	probe(&b, &p, "aiff");
	expect(&p, "audio/aiff", -1, -1, 2000, "AIFF 44100 Hz, 88200 frames");
	MM_CHECK(det_i(&p, "sample_rate") == 44100 && det_i(&p, "bit_depth") == 24 &&
			 det_i(&p, "channels") == 2, "AIFF details from COMM and its 80-bit rate");
	truncations(&b, "audio/aiff", "aiff");
	bb_free(&b);

	/* AIFC with sowt, a fractional rate (22254.545...) */
	bb_init(&b);
	bb_str(&b, "FORM");
	bb_be(&b, 0, 4);
	bb_str(&b, "AIFC");
	bb_str(&b, "FVER");
	bb_be(&b, 4, 4);
	bb_be(&b, 0xA2805140, 4);
	bb_str(&b, "COMM");
	bb_be(&b, 24, 4);
	bb_be(&b, 1, 2);
	bb_be(&b, 22254, 4);
	bb_be(&b, 16, 2);
	bb_bytes(&b, "\x40\x0D\xAD\xDD\x17\x45\xD1\x74\x5D\x17", 10);
	bb_str(&b, "sowt");
	bb_u8(&b, 0);
	bb_u8(&b, 0);
	bb_put_be32(&b, 4, (uint32_t) (b.len - 8));
	probe(&b, &p, "aifc");
	MM_CHECK(strcmp(p.mime, "audio/aiff") == 0 && det_i(&p, "sample_rate") == 22255 &&
			 strcmp(det_s(&p, "codec"), "pcm") == 0 && p.duration_ms == 999,
			 "AIFC sowt, rate 22254.5454 rounds to 22255 (got %lld, %lld ms)",
			 (long long) det_i(&p, "sample_rate"), (long long) p.duration_ms);
	bb_free(&b);

	/* hostile 80-bit rates: infinity, huge exponent, denormal, negative */
	{
		static const uint8_t bad[4][10] = {
			{0x7F, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0},
			{0x40, 0x40, 0x80, 0, 0, 0, 0, 0, 0, 0},
			{0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 1},
			{0xC0, 0x0E, 0xAC, 0x44, 0, 0, 0, 0, 0, 0},
		};
		int			i,
					ok = 1;

		for (i = 0; i < 4; i++)
		{
			bb_init(&b);
			bb_str(&b, "FORM");
			bb_be(&b, 30, 4);
			bb_str(&b, "AIFF");
			bb_str(&b, "COMM");
			bb_be(&b, 18, 4);
			bb_be(&b, 1, 2);
			bb_be(&b, 0xFFFFFFFF, 4);
			bb_be(&b, 16, 2);
			bb_bytes(&b, bad[i], 10);
			mm_probe_buffer(b.d, b.len, &p);
			if (strcmp(p.mime, "audio/aiff") != 0 || p.duration_ms != -1 || det_i(&p, "sample_rate") != -999)
				ok = 0;
			bb_free(&b);
		}
		MM_CHECK(ok, "AIFF with infinite/huge/denormal/negative 80-bit rate: no rate, no duration");
	}

	bb_init(&b);
	bb_str(&b, "FORM");
	bb_be(&b, 0, 4);
	bb_str(&b, "8SVX");
	bb_str(&b, "VHDR");
	bb_be(&b, 20, 4);
	bb_be(&b, 16000, 4);
	bb_be(&b, 0, 4);
	bb_be(&b, 32, 4);
	bb_be(&b, 8000, 2);
	bb_u8(&b, 1);
	bb_u8(&b, 0);
	bb_be(&b, 0x10000, 4);
	bb_str(&b, "BODY");
	bb_be(&b, 16000, 4);
	bb_zeros(&b, 16000);
	bb_put_be32(&b, 4, (uint32_t) (b.len - 8));
	probe(&b, &p, "8svx");
	expect(&p, "audio/x-8svx", -1, -1, 2000, "8SVX 8000 Hz, 16000 samples");
	bb_free(&b);

	bb_init(&b);
	bb_str(&b, "FORM");
	bb_be(&b, 4, 4);
	bb_str(&b, "ILBM");
	MM_CHECK(mm_probe_iff(NULL, b.d, b.len, &p) == MM_FMT_NO, "FORM ILBM is not claimed");
	bb_free(&b);
}

/* ---------- FLAC ---------- */

/* Appends fLaC and a STREAMINFO block. */
static void
flac_streaminfo(bb *b, uint32_t rate, unsigned ch, unsigned bits, uint64_t total)
{
	bb_str(b, "fLaC");
	bb_u8(b, 0x80);				/* last block, STREAMINFO */
	bb_be(b, 34, 3);
	bb_be(b, 4096, 2);
	bb_be(b, 4096, 2);
	bb_be(b, 0, 3);
	bb_be(b, 0, 3);
	bb_u8(b, rate >> 12);
	bb_u8(b, (rate >> 4) & 0xff);
	bb_u8(b, ((rate & 0xf) << 4) | ((ch - 1) << 1) | ((bits - 1) >> 4));
	bb_u8(b, (((bits - 1) & 0xf) << 4) | (unsigned) ((total >> 32) & 0xf));
	bb_be(b, total & 0xffffffff, 4);
	bb_zeros(b, 16);
}

/* Appends an ID3v2.4 header declaring len body bytes, then the body. */
static void
id3v2(bb *b, uint32_t len)
{
	bb_str(b, "ID3");
	bb_u8(b, 4);
	bb_u8(b, 0);
	bb_u8(b, 0);
	bb_u8(b, (len >> 21) & 0x7f);
	bb_u8(b, (len >> 14) & 0x7f);
	bb_u8(b, (len >> 7) & 0x7f);
	bb_u8(b, len & 0x7f);
	bb_zeros(b, len);
}

/* FLAC STREAMINFO, also behind a big ID3v2 tag. */
static void
test_flac(void)
{
	bb			b;
	mm_probe	p;
	vfile		vf;
	wstats		ws;

	bb_init(&b);
	flac_streaminfo(&b, 96000, 2, 24, 96000ull * 90);
	bb_zeros(&b, 100);
	probe(&b, &p, "flac");
	expect(&p, "audio/flac", -1, -1, 90000, "FLAC 96 kHz, 90 s");
	MM_CHECK(det_i(&p, "bit_depth") == 24 && det_i(&p, "channels") == 2, "FLAC 24 bit stereo");
	truncations(&b, "audio/flac", "flac");
	bb_free(&b);

	bb_init(&b);
	id3v2(&b, 300000);			/* a big cover picture */
	flac_streaminfo(&b, 44100, 1, 16, 44100ull * 60);
	bb_zeros(&b, 200000);
	vf.size = b.len;
	vf.head = b.d;
	vf.headlen = b.len;
	vf.tail = NULL;
	vf.taillen = 0;
	probe_windowed(&vf, 65536, 65536, &p, &ws);
	expect(&p, "audio/flac", -1, -1, 60000, "FLAC behind a 300 KB ID3v2 tag");
	MM_CHECK(ws.rounds == 1 && ws.fetched <= 64, "ID3v2 skipped by size: 1 small NEED (%d, %llu bytes)",
			 ws.rounds, (unsigned long long) ws.fetched);
	bb_free(&b);

	bb_init(&b);
	flac_streaminfo(&b, 0, 1, 16, 1000);
	probe(&b, &p, "flac rate 0");
	expect(&p, "audio/flac", -1, -1, -1, "FLAC with sample rate 0: no duration");
	bb_free(&b);
}

/* ---------- Ogg ---------- */

/* Appends one Ogg page holding one packet (len < 255 * 255) with a correct CRC. */
static void
ogg_page(bb *b, int flags, uint64_t granule, uint32_t serial, uint32_t seq,
		 const void *pkt, size_t len)
{
	size_t		at = b->len;
	size_t		nsegs = len / 255 + 1;
	size_t		i;

	bb_str(b, "OggS");
	bb_u8(b, 0);
	bb_u8(b, flags);
	bb_le(b, granule, 8);
	bb_le(b, serial, 4);
	bb_le(b, seq, 4);
	bb_le(b, 0, 4);
	bb_u8(b, (unsigned) nsegs);
	for (i = 0; i + 1 < nsegs; i++)
		bb_u8(b, 255);
	bb_u8(b, (unsigned) (len % 255));
	bb_bytes(b, pkt, len);
	bb_put_le32(b, at + 22, mm_test_ogg_crc(b->d + at, b->len - at));
}

/* Builds a Vorbis identification packet. */
static size_t
vorbis_ident(uint8_t *p, unsigned ch, uint32_t rate)
{
	memset(p, 0, 30);
	memcpy(p, "\001vorbis", 7);
	p[11] = (uint8_t) ch;
	p[12] = (uint8_t) rate;
	p[13] = (uint8_t) (rate >> 8);
	p[14] = (uint8_t) (rate >> 16);
	p[15] = (uint8_t) (rate >> 24);
	p[28] = 0xb8;
	p[29] = 1;
	return 30;
}

/* Vorbis, Opus, Theora+Vorbis, unknown codec, bad CRC, big virtual file. */
static void
test_ogg(void)
{
	bb			b;
	mm_probe	p;
	uint8_t		pkt[64];
	uint8_t		junk[3000];
	size_t		n;
	int			i;

	memset(junk, 0x55, sizeof(junk));

	bb_init(&b);
	n = vorbis_ident(pkt, 2, 44100);
	ogg_page(&b, 2, 0, 7, 0, pkt, n);
	ogg_page(&b, 0, 44100, 7, 1, junk, 2000);
	ogg_page(&b, 4, 441000, 7, 2, junk, 1000);
	probe(&b, &p, "vorbis");
	expect(&p, "audio/ogg", -1, -1, 10000, "Ogg Vorbis: duration from the last page's granule");
	MM_CHECK(strcmp(det_s(&p, "codec"), "vorbis") == 0 && det_i(&p, "sample_rate") == 44100,
			 "Ogg Vorbis details");
	truncations(&b, "audio/ogg", "ogg vorbis");

	/* corrupt the last page's CRC: the previous page counts */
	b.d[b.len - 1] ^= 0xff;
	probe(&b, &p, "vorbis bad crc");
	expect(&p, "audio/ogg", -1, -1, 1000, "Ogg: last page with a bad CRC is ignored");
	bb_free(&b);

	bb_init(&b);
	memset(pkt, 0, sizeof(pkt));
	memcpy(pkt, "OpusHead", 8);
	pkt[8] = 1;
	pkt[9] = 2;
	pkt[10] = 0x38;				/* pre-skip 312 */
	pkt[11] = 0x01;
	pkt[12] = 0x80;				/* input rate 44100 */
	pkt[13] = 0xBB;
	ogg_page(&b, 2, 0, 99, 0, pkt, 19);
	ogg_page(&b, 0, 0, 99, 1, "OpusTags", 8);
	ogg_page(&b, 4, 48000ull * 7 + 312, 99, 2, junk, 500);
	probe(&b, &p, "opus");
	expect(&p, "audio/ogg", -1, -1, 7000, "Ogg Opus: (granule - pre-skip) / 48000");
	MM_CHECK(strcmp(det_s(&p, "codec"), "opus") == 0 && det_i(&p, "pre_skip") == 312,
			 "Ogg Opus: codec opus, pre_skip 312");
	bb_free(&b);

	/* Theora 3.2.1 (25 fps, kfgshift 6) + Vorbis */
	bb_init(&b);
	memset(pkt, 0, sizeof(pkt));
	memcpy(pkt, "\200theora", 7);
	pkt[7] = 3;
	pkt[8] = 2;
	pkt[9] = 1;
	pkt[10] = 0;
	pkt[11] = 40;				/* 640 / 16 */
	pkt[12] = 0;
	pkt[13] = 23;				/* 368 / 16 */
	pkt[15] = 0x02;
	pkt[16] = 0x80;				/* PICW 640 */
	pkt[18] = 0x01;
	pkt[19] = 0x68;				/* PICH 360 */
	pkt[25] = 25;				/* FRN 25 */
	pkt[29] = 1;				/* FRD 1 */
	pkt[40] = 0x00 | (6 >> 3);
	pkt[41] = (uint8_t) ((6 & 7) << 5);
	ogg_page(&b, 2, 0, 1, 0, pkt, 42);
	n = vorbis_ident(pkt, 1, 48000);
	ogg_page(&b, 2, 0, 2, 0, pkt, n);
	ogg_page(&b, 0, 0, 1, 1, junk, 100);
	ogg_page(&b, 0, 48000ull * 9, 2, 1, junk, 100);
	ogg_page(&b, 0, (uint64_t) 300 << 6, 1, 2, junk, 100);	/* frame 300 */
	probe(&b, &p, "theora");
	expect(&p, "video/ogg", 640, 360, 12000, "Ogg Theora 640x360, 300 frames at 25 fps + Vorbis 9 s");
	MM_CHECK(strcmp(det_s(&p, "codec"), "theora") == 0 && strcmp(det_s(&p, "audio_codec"), "vorbis") == 0,
			 "Ogg Theora: codec theora, audio_codec vorbis");
	bb_free(&b);

	bb_init(&b);
	ogg_page(&b, 2, 0, 5, 0, "\001unknown codec here", 19);
	probe(&b, &p, "ogg unknown");
	expect(&p, "application/ogg", -1, -1, -1, "Ogg with an unknown codec");
	bb_free(&b);

	/* FLAC in Ogg */
	bb_init(&b);
	{
		bb			f;

		bb_init(&f);
		bb_bytes(&f, "\177FLAC\001\000\000\001", 9);
		flac_streaminfo(&f, 48000, 2, 16, 0);
		ogg_page(&b, 2, 0, 3, 0, f.d, f.len);
		bb_free(&f);
	}
	ogg_page(&b, 4, 48000ull * 4, 3, 1, junk, 100);
	probe(&b, &p, "ogg flac");
	expect(&p, "audio/ogg", -1, -1, 4000, "FLAC in Ogg");
	MM_CHECK(strcmp(det_s(&p, "codec"), "flac") == 0, "FLAC in Ogg: codec flac");
	bb_free(&b);

	/* a 100 KB Ogg (between one and two windows): no NEED through 64 KB windows */
	{
		vfile		vf;
		wstats		ws;

		bb_init(&b);
		n = vorbis_ident(pkt, 2, 44100);
		ogg_page(&b, 2, 0, 8, 0, pkt, n);
		for (i = 0; i < 35; i++)
			ogg_page(&b, 0, 44100ull * (i + 1), 8, 1 + i, junk, 2900);
		vf.size = b.len;
		vf.head = b.d;
		vf.headlen = b.len;
		vf.tail = NULL;
		vf.taillen = 0;
		probe_windowed(&vf, 65536, 65536, &p, &ws);
		expect(&p, "audio/ogg", -1, -1, 35000, "100 KB Ogg via 64 KB windows");
		MM_CHECK(b.len > 65536 && b.len < 131072 && ws.rounds == 0,
				 "100 KB Ogg: the last page is found in the tail window, no NEED (%d)", ws.rounds);
		/* the last page straddles the head/tail boundary: one 64 KB NEED, same result */
		bb_free(&b);
		bb_init(&b);
		ogg_page(&b, 2, 0, 8, 0, pkt, n);
		while (b.len < 65536 - 2000)
			ogg_page(&b, 0, 44100, 8, 1, junk, 2900);
		ogg_page(&b, 0, 44100ull * 9, 8, 2, junk, 2900);
		bb_fill(&b, 0, 3000);	/* trailing junk, no page */
		vf.size = b.len;
		vf.head = b.d;
		vf.headlen = b.len;
		probe_windowed(&vf, 65536, 65536, &p, &ws);
		expect(&p, "audio/ogg", -1, -1, 9000, "Ogg whose last page straddles 64 KB");
		MM_CHECK(ws.rounds == 1, "straddling last page: one NEED (%d)", ws.rounds);
		bb_free(&b);
	}

	/* a 1 GB virtual Ogg: the tail window gives the duration, nothing else is read */
	{
		bb			h,
					t;
		vfile		vf;
		wstats		ws;

		bb_init(&h);
		n = vorbis_ident(pkt, 2, 48000);
		ogg_page(&h, 2, 0, 42, 0, pkt, n);
		bb_init(&t);
		bb_fill(&t, 0x4f, 1000);	/* the end of a page cut by the window */
		for (i = 0; i < 20; i++)
			ogg_page(&t, 0, 48000ull * 3600 * 3 - 48000ull * (20 - i), 42, 1000 + i, junk, 2900);
		vf.size = 1ull << 30;
		vf.head = h.d;
		vf.headlen = h.len;
		vf.tail = t.d;
		vf.taillen = t.len;
		probe_windowed(&vf, 65536, 65536, &p, &ws);
		expect(&p, "audio/ogg", -1, -1, 3ll * 3600 * 1000 - 1000, "1 GB Ogg: duration from the tail");
		MM_CHECK(ws.rounds == 0, "1 GB Ogg: no NEED rounds (%d)", ws.rounds);
		probe_windowed(&vf, 4096, 4096, &p, &ws);
		MM_CHECK(p.duration_ms == 3ll * 3600 * 1000 - 1000 && ws.rounds == 1 && ws.fetched == 65536,
				 "1 GB Ogg via 4 KB windows: one 64 KB tail NEED (%d rounds, %llu bytes)",
				 ws.rounds, (unsigned long long) ws.fetched);
		bb_free(&h);
		bb_free(&t);
	}
}

/* ---------- Matroska ---------- */

/* Appends an EBML ID (1-4 bytes as written). */
static void
ebml_id(bb *b, uint32_t id)
{
	if (id > 0xFFFFFF)
		bb_be(b, id, 4);
	else if (id > 0xFFFF)
		bb_be(b, id, 3);
	else if (id > 0xFF)
		bb_be(b, id, 2);
	else
		bb_u8(b, id);
}

/* Opens an element with an 8-byte size (patched by ebml_end); returns the size's offset. */
static size_t
ebml_begin(bb *b, uint32_t id)
{
	size_t		at;

	ebml_id(b, id);
	at = b->len;
	bb_u8(b, 0x01);
	bb_zeros(b, 7);
	return at;
}

/* Closes the element whose size is at at. */
static void
ebml_end(bb *b, size_t at)
{
	uint64_t	v = b->len - at - 8;
	int			i;

	for (i = 1; i < 8; i++)
		b->d[at + i] = (uint8_t) (v >> (8 * (7 - i)));
}

/* Appends an unsigned integer element (1-byte size). */
static void
ebml_uint(bb *b, uint32_t id, uint64_t v, int n)
{
	ebml_id(b, id);
	bb_u8(b, 0x80 | n);
	bb_be(b, v, n);
}

/* Appends a string element. */
static void
ebml_strel(bb *b, uint32_t id, const char *s)
{
	ebml_id(b, id);
	bb_u8(b, 0x80 | (unsigned) strlen(s));
	bb_str(b, s);
}

/* Appends a float element of 4 or 8 bytes. */
static void
ebml_float(bb *b, uint32_t id, double d, int n)
{
	ebml_id(b, id);
	bb_u8(b, 0x80 | n);
	if (n == 4)
	{
		float		f = (float) d;
		uint32_t	u;

		memcpy(&u, &f, 4);
		bb_be(b, u, 4);
	}
	else
	{
		uint64_t	u;

		memcpy(&u, &d, 8);
		bb_be(b, u, 8);
	}
}

/* Builds a Matroska/WebM file; video when w > 0, seek: Tracks after a Cluster via SeekHead. */
static void
mkv_build(bb *b, const char *doctype, int w, int h, int display, double dur, int fsize, int seek)
{
	size_t		ebml,
				seg,
				x,
				te,
				v,
				segdata,
				seekpos_at = 0;

	bb_init(b);
	ebml = ebml_begin(b, 0x1A45DFA3);
	ebml_uint(b, 0x4286, 1, 1);
	ebml_strel(b, 0x4282, doctype);
	ebml_uint(b, 0x4287, 4, 1);
	ebml_end(b, ebml);
	ebml_id(b, 0x18538067);
	bb_u8(b, 0x01);				/* unknown size (8 bytes of ones) */
	bb_fill(b, 0xff, 7);
	segdata = b->len;
	if (seek)
	{
		size_t		sh = ebml_begin(b, 0x114D9B74),
					sk = ebml_begin(b, 0x4DBB);

		ebml_id(b, 0x53AB);
		bb_u8(b, 0x84);
		bb_be(b, 0x1654AE6B, 4);
		ebml_id(b, 0x53AC);
		bb_u8(b, 0x84);
		seekpos_at = b->len;
		bb_be(b, 0, 4);
		ebml_end(b, sk);
		ebml_end(b, sh);
	}
	x = ebml_begin(b, 0x1549A966);
	ebml_uint(b, 0x2AD7B1, 1000000, 3);
	ebml_float(b, 0x4489, dur, fsize);
	ebml_end(b, x);
	if (seek)
	{
		size_t		c = ebml_begin(b, 0x1F43B675);

		bb_zeros(b, 5000);
		ebml_end(b, c);
		bb_put_be32(b, seekpos_at, (uint32_t) (b->len - segdata));
	}
	seg = ebml_begin(b, 0x1654AE6B);
	if (w > 0)
	{
		te = ebml_begin(b, 0xAE);
		ebml_uint(b, 0xD7, 1, 1);
		ebml_uint(b, 0x83, 1, 1);
		ebml_strel(b, 0x86, "V_VP9");
		v = ebml_begin(b, 0xE0);
		ebml_uint(b, 0xB0, w, 2);
		ebml_uint(b, 0xBA, h, 2);
		if (display)
		{
			ebml_uint(b, 0x54B0, w * 2, 2);
			ebml_uint(b, 0x54BA, h, 2);
		}
		ebml_end(b, v);
		ebml_end(b, te);
	}
	te = ebml_begin(b, 0xAE);
	ebml_uint(b, 0xD7, 2, 1);
	ebml_uint(b, 0x83, 2, 1);
	ebml_strel(b, 0x86, "A_OPUS");
	v = ebml_begin(b, 0xE1);
	ebml_float(b, 0xB5, 48000.0, 4);
	ebml_uint(b, 0x9F, 2, 1);
	ebml_end(b, v);
	ebml_end(b, te);
	ebml_end(b, seg);
	if (!seek)
	{
		size_t		c = ebml_begin(b, 0x1F43B675);

		bb_zeros(b, 3000);
		ebml_end(b, c);
	}
}

/* WebM, Matroska, audio-only, SeekHead, broken vints. */
static void
test_matroska(void)
{
	bb			b;
	mm_probe	p;
	size_t		i;

	mkv_build(&b, "webm", 640, 360, 0, 5000.0, 8, 0);
	probe(&b, &p, "webm");
	expect(&p, "video/webm", 640, 360, 5000, "WebM VP9 640x360, 8-byte float duration, unknown-size Segment");
	MM_CHECK(strcmp(det_s(&p, "codec"), "vp9") == 0 && strcmp(det_s(&p, "audio_codec"), "opus") == 0 &&
			 det_i(&p, "sample_rate") == 48000, "WebM codec vp9, audio opus 48 kHz");
	truncations(&b, "video/webm", "webm");
	bb_free(&b);

	mkv_build(&b, "matroska", 720, 576, 1, 90500.0, 4, 0);
	probe(&b, &p, "mkv");
	expect(&p, "video/x-matroska", 1440, 576, 90500, "Matroska: DisplayWidth/Height, 4-byte float");
	bb_free(&b);

	mkv_build(&b, "webm", 0, 0, 0, 1234.0, 8, 0);
	probe(&b, &p, "webm audio");
	expect(&p, "audio/webm", -1, -1, 1234, "WebM audio only -> audio/webm");
	bb_free(&b);

	mkv_build(&b, "matroska", 0, 0, 0, 1234.0, 8, 0);
	probe(&b, &p, "mka");
	expect(&p, "audio/x-matroska", -1, -1, 1234, "Matroska audio only -> audio/x-matroska");
	bb_free(&b);

	mkv_build(&b, "webm", 320, 240, 0, 42.0, 8, 1);
	probe(&b, &p, "webm seekhead");
	expect(&p, "video/webm", 320, 240, 42, "WebM with Tracks after a Cluster, found by SeekHead");
	bb_free(&b);

	mkv_build(&b, "foo", 320, 240, 0, 42.0, 8, 0);
	MM_CHECK(mm_probe_matroska(NULL, b.d, b.len, &p) == MM_FMT_NO, "EBML DocType foo is not claimed");
	bb_free(&b);

	/* an all-zero vint as the Tracks size: parsing stops, type stays */
	mkv_build(&b, "webm", 640, 360, 0, 5000.0, 8, 0);
	for (i = 0; i + 4 < b.len; i++)
		if (mm_be32(b.d + i) == 0x1654AE6B)
		{
			b.d[i + 4] = 0x00;
			break;
		}
	probe(&b, &p, "zero vint");
	expect(&p, "video/webm", -1, -1, 5000, "Tracks with an all-zero size vint: no tracks, Info kept");
	bb_free(&b);

	/* a Duration that is NaN, and a huge 8-byte size (0x01 ff.. ff = unknown) on Info */
	mkv_build(&b, "webm", 640, 360, 0, 0.0, 8, 0);
	for (i = 0; i + 2 < b.len; i++)
		if (b.d[i] == 0x44 && b.d[i + 1] == 0x89 && b.d[i + 2] == 0x88)
		{
			memset(b.d + i + 3, 0xff, 8);
			break;
		}
	probe(&b, &p, "nan duration");
	expect(&p, "video/webm", 640, 360, -1, "NaN Duration: unknown");
	bb_free(&b);

	/* the EBML header itself with a zero vint size */
	bb_init(&b);
	bb_be(&b, 0x1A45DFA3, 4);
	bb_u8(&b, 0x00);
	bb_zeros(&b, 40);
	MM_CHECK(mm_probe_matroska(NULL, b.d, b.len, &p) == MM_FMT_NO, "EBML header with a zero size vint: not claimed");
	bb_free(&b);
}

/* ---------- FLV ---------- */

/* Appends an AMF0 key + number. */
static void
amf_num(bb *b, const char *key, double d)
{
	uint64_t	u;

	bb_be(b, strlen(key), 2);
	bb_str(b, key);
	bb_u8(b, 0);
	memcpy(&u, &d, 8);
	bb_be(b, u, 8);
}

/* FLV onMetaData; nested objects; hostile depth. */
static void
test_flv(void)
{
	bb			b;
	mm_probe	p;
	size_t		tag;
	int			i;

	bb_init(&b);
	bb_str(&b, "FLV");
	bb_u8(&b, 1);
	bb_u8(&b, 5);
	bb_be(&b, 9, 4);
	bb_be(&b, 0, 4);
	bb_u8(&b, 18);
	tag = b.len;
	bb_be(&b, 0, 3);
	bb_be(&b, 0, 4);
	bb_be(&b, 0, 3);
	bb_u8(&b, 2);
	bb_be(&b, 10, 2);
	bb_str(&b, "onMetaData");
	bb_u8(&b, 8);
	bb_be(&b, 6, 4);
	amf_num(&b, "videocodecid", 7);
	bb_be(&b, 9, 2);			/* keyframes: { times: [1, 2], filepositions: [..] } */
	bb_str(&b, "keyframes");
	bb_u8(&b, 3);
	bb_be(&b, 5, 2);
	bb_str(&b, "times");
	bb_u8(&b, 10);
	bb_be(&b, 2, 4);
	bb_u8(&b, 0);
	bb_be(&b, 0, 8);
	bb_u8(&b, 1);
	bb_u8(&b, 1);
	bb_be(&b, 0, 2);
	bb_u8(&b, 9);
	amf_num(&b, "duration", 12.5);
	amf_num(&b, "width", 640);
	amf_num(&b, "height", 360);
	bb_be(&b, 6, 2);
	bb_str(&b, "stereo");
	bb_u8(&b, 1);
	bb_u8(&b, 1);
	bb_be(&b, 0, 2);
	bb_u8(&b, 9);
	b.d[tag] = 0;
	b.d[tag + 1] = (uint8_t) ((b.len - tag - 10) >> 8);
	b.d[tag + 2] = (uint8_t) (b.len - tag - 10);
	bb_be(&b, b.len - tag + 1, 4);
	bb_zeros(&b, 100);
	probe(&b, &p, "flv");
	expect(&p, "video/x-flv", 640, 360, 12500, "FLV onMetaData after a nested keyframes object");
	MM_CHECK(strcmp(det_s(&p, "codec"), "h264") == 0 && det_i(&p, "channels") == 2,
			 "FLV codec h264, stereo");
	truncations(&b, "video/x-flv", "flv");
	bb_free(&b);

	/* 10000 nested objects: depth cap, no stack overflow */
	bb_init(&b);
	bb_str(&b, "FLV");
	bb_u8(&b, 1);
	bb_u8(&b, 1);
	bb_be(&b, 9, 4);
	bb_be(&b, 0, 4);
	bb_u8(&b, 18);
	bb_be(&b, 0xFFFFFF, 3);
	bb_be(&b, 0, 7);
	bb_u8(&b, 2);
	bb_be(&b, 10, 2);
	bb_str(&b, "onMetaData");
	bb_u8(&b, 3);
	for (i = 0; i < 10000; i++)
	{
		bb_be(&b, 1, 2);
		bb_str(&b, "k");
		bb_u8(&b, 3);
	}
	probe(&b, &p, "flv deep");
	expect(&p, "video/x-flv", -1, -1, -1, "FLV with 10000 nested AMF objects");
	bb_free(&b);
}

/* ---------- MP3 / ADTS ---------- */

/* Appends an MPEG-1 layer III frame 128 kbps 44.1 kHz mono (417 bytes), optionally with Xing. */
static void
mp3_frame(bb *b, int xing, uint32_t frames)
{
	size_t		at = b->len;

	bb_bytes(b, "\xFF\xFB\x90\xC0", 4);
	bb_zeros(b, 413);
	if (xing)
	{
		memcpy(b->d + at + 4 + 17, "Xing", 4);
		bb_put_be32(b, at + 4 + 17 + 4, 3);
		bb_put_be32(b, at + 4 + 17 + 8, frames);
		bb_put_be32(b, at + 4 + 17 + 12, 417 * frames);
	}
}

/* Appends an ADTS frame (AAC LC, 44.1 kHz, stereo) of len bytes. */
static void
adts_frame(bb *b, unsigned len)
{
	bb_u8(b, 0xFF);
	bb_u8(b, 0xF1);
	bb_u8(b, (1 << 6) | (4 << 2) | 0);
	bb_u8(b, (2 << 6) | ((len >> 11) & 3));
	bb_u8(b, (len >> 3) & 0xff);
	bb_u8(b, ((len & 7) << 5) | 0x1f);
	bb_u8(b, 0xfc);
	bb_zeros(b, len - 7);
}

/* MP3 with ID3v2 + Xing, CBR with ID3v1, random sync, ADTS. */
static void
test_mp3(void)
{
	bb			b;
	mm_probe	p;
	int			i;

	bb_init(&b);
	id3v2(&b, 2000);
	mp3_frame(&b, 1, 1000);
	for (i = 0; i < 20; i++)
		mp3_frame(&b, 0, 0);
	probe(&b, &p, "mp3 xing");
	expect(&p, "audio/mpeg", -1, -1, 26122, "MP3 ID3v2 + Xing: 1000 frames * 1152 / 44100");
	MM_CHECK(strcmp(det_s(&p, "codec"), "mp3") == 0 && det_i(&p, "sample_rate") == 44100 &&
			 det_i(&p, "channels") == 1, "MP3 details");
	truncations(&b, "audio/mpeg", "mp3");
	bb_free(&b);

	/* CBR, no tag: duration from size; an ID3v1 tail does not count */
	bb_init(&b);
	for (i = 0; i < 300; i++)
		mp3_frame(&b, 0, 0);
	bb_str(&b, "TAG");
	bb_zeros(&b, 125);
	probe(&b, &p, "mp3 cbr");
	expect(&p, "audio/mpeg", -1, -1, 300 * 417 * 8 / 128, "MP3 CBR: (size - ID3v1) * 8 / 128 kbps");
	bb_free(&b);

	/* a big file with a big ID3v2 tag, windowed: few small NEEDs */
	{
		bb			h;
		vfile		vf;
		wstats		ws;

		bb_init(&h);
		id3v2(&h, 500000);
		mp3_frame(&h, 1, 100000);
		for (i = 0; i < 30; i++)
			mp3_frame(&h, 0, 0);
		vf.size = 100ull << 20;
		vf.head = h.d;
		vf.headlen = h.len;
		vf.tail = NULL;
		vf.taillen = 0;
		probe_windowed(&vf, 65536, 65536, &p, &ws);
		expect(&p, "audio/mpeg", -1, -1, 2612244, "100 MB MP3 behind a 500 KB ID3v2 tag: Xing duration");
		MM_CHECK(ws.rounds <= 2 && ws.fetched <= 16384, "big ID3v2: %d rounds, %llu bytes",
				 ws.rounds, (unsigned long long) ws.fetched);
		bb_free(&h);
	}

	/* one valid-looking header followed by garbage is not MP3 */
	bb_init(&b);
	bb_bytes(&b, "\xFF\xFB\x90\xC0", 4);
	bb_fill(&b, 0x11, 2000);
	mm_probe_buffer(b.d, b.len, &p);
	MM_CHECK(strcmp(p.mime, "audio/mpeg") != 0, "a lone frame header without ID3 is not claimed (got %s)", p.mime);
	bb_free(&b);

	/* MPEG-2.5 layer III pair */
	bb_init(&b);
	for (i = 0; i < 10; i++)
	{
		/* FF E3: MPEG-2.5 L3 no CRC; 0x90: 64 kbps idx 9 = 80? -> use idx 8 (64 kbps), 11025 Hz */
		bb_bytes(&b, "\xFF\xE3\x80\xC0", 4);
		bb_zeros(&b, 72 * 64000 / 11025 - 4);
	}
	probe(&b, &p, "mpeg 2.5");
	MM_CHECK(strcmp(p.mime, "audio/mpeg") == 0 && det_i(&p, "sample_rate") == 11025,
			 "MPEG-2.5 layer III, 11025 Hz (got %s %lld)", p.mime, (long long) det_i(&p, "sample_rate"));
	bb_free(&b);

	bb_init(&b);
	for (i = 0; i < 43; i++)
		adts_frame(&b, 300);
	probe(&b, &p, "adts");
	expect(&p, "audio/aac", -1, -1, 43 * 1024 * 1000 / 44100, "ADTS AAC: 43 frames of 1024 samples");
	MM_CHECK(det_i(&p, "channels") == 2 && det_i(&p, "sample_rate") == 44100, "ADTS details");
	bb_free(&b);
}

/* ---------- AU, VOC ---------- */

/* AU and VOC. */
static void
test_audio_misc(void)
{
	bb			b;
	mm_probe	p;

	bb_init(&b);
	bb_str(&b, ".snd");
	bb_be(&b, 32, 4);
	bb_be(&b, 16000, 4);
	bb_be(&b, 3, 4);
	bb_be(&b, 8000, 4);
	bb_be(&b, 1, 4);
	bb_zeros(&b, 8);
	bb_zeros(&b, 16000);
	probe(&b, &p, "au");
	expect(&p, "audio/basic", -1, -1, 1000, "AU 16-bit PCM 8 kHz mono, 16000 bytes");
	truncations(&b, "audio/basic", "au");
	bb_free(&b);

	bb_init(&b);
	bb_str(&b, ".snd");
	bb_be(&b, 24, 4);
	bb_be(&b, 0xFFFFFFFF, 4);
	bb_be(&b, 1, 4);
	bb_be(&b, 8000, 4);
	bb_be(&b, 2, 4);
	bb_zeros(&b, 8000);
	probe(&b, &p, "au unknown size");
	expect(&p, "audio/basic", -1, -1, 500, "AU mu-law, size unknown: to end of file");
	bb_free(&b);

	bb_init(&b);
	bb_str(&b, ".snd");
	bb_be(&b, 24, 4);
	bb_be(&b, 100, 4);
	bb_be(&b, 3, 4);
	bb_be(&b, 0xFFFFFFFF, 4);
	bb_be(&b, 0xFFFFFFFF, 4);
	bb_zeros(&b, 100);
	probe(&b, &p, "au huge");
	MM_CHECK(strcmp(p.mime, "audio/basic") == 0 && p.duration_ms == -1,
			 "AU with 2^32-1 channels: no duration, no overflow");
	bb_free(&b);

	bb_init(&b);
	bb_bytes(&b, "Creative Voice File\032", 20);
	bb_le(&b, 26, 2);
	bb_le(&b, 0x010A, 2);
	bb_le(&b, 0x1129, 2);
	bb_u8(&b, 1);				/* sound block: 10000 bytes + 2 */
	bb_le(&b, 10002, 3);
	bb_u8(&b, 256 - 100);		/* 1000000 / 100 = 10000 Hz */
	bb_u8(&b, 0);
	bb_zeros(&b, 10000);
	bb_u8(&b, 0);
	probe(&b, &p, "voc");
	expect(&p, "audio/x-voc", -1, -1, 1000, "VOC 8-bit 10 kHz, 10000 bytes");
	bb_free(&b);
}

/* ---------- ASF, RealMedia, MPEG ---------- */

/* ASF header with File Properties and a video Stream Properties object. */
static void
test_asf(void)
{
	static const uint8_t hdr[16] = {0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11, 0xA6, 0xD9, 0x00, 0xAA, 0x00, 0x62, 0xCE, 0x6C};
	static const uint8_t fp[16] = {0xA1, 0xDC, 0xAB, 0x8C, 0x47, 0xA9, 0xCF, 0x11, 0x8E, 0xE4, 0x00, 0xC0, 0x0C, 0x20, 0x53, 0x65};
	static const uint8_t sp[16] = {0x91, 0x07, 0xDC, 0xB7, 0xB7, 0xA9, 0xCF, 0x11, 0x8E, 0xE6, 0x00, 0xC0, 0x0C, 0x20, 0x53, 0x65};
	static const uint8_t vid[16] = {0xC0, 0xEF, 0x19, 0xBC, 0x4D, 0x5B, 0xCF, 0x11, 0xA8, 0xFD, 0x00, 0x80, 0x5F, 0x5C, 0x44, 0x2B};
	bb			b;
	mm_probe	p;
	size_t		at;

	bb_init(&b);
	bb_bytes(&b, hdr, 16);
	bb_le(&b, 0, 8);
	bb_le(&b, 2, 4);
	bb_u8(&b, 1);
	bb_u8(&b, 2);
	bb_bytes(&b, fp, 16);
	bb_le(&b, 104, 8);
	bb_zeros(&b, 16);
	bb_le(&b, 0, 8);
	bb_le(&b, 0, 8);
	bb_le(&b, 0, 8);
	bb_le(&b, 95000000, 8);		/* play duration 9.5 s */
	bb_le(&b, 95000000, 8);
	bb_le(&b, 1500, 8);			/* preroll 1.5 s */
	bb_le(&b, 2, 4);
	bb_le(&b, 0, 4);
	bb_le(&b, 0, 4);
	bb_le(&b, 0, 4);
	at = b.len;
	bb_bytes(&b, sp, 16);
	bb_le(&b, 0, 8);
	bb_bytes(&b, vid, 16);
	bb_zeros(&b, 16);
	bb_le(&b, 0, 8);
	bb_le(&b, 51, 4);
	bb_le(&b, 0, 4);
	bb_le(&b, 1, 2);
	bb_le(&b, 0, 4);
	bb_le(&b, 1280, 4);
	bb_le(&b, 720, 4);
	bb_u8(&b, 2);
	bb_le(&b, 40, 2);
	bb_le(&b, 40, 4);
	bb_le(&b, 1280, 4);
	bb_le(&b, 720, 4);
	bb_le(&b, 1, 2);
	bb_le(&b, 24, 2);
	bb_str(&b, "WMV3");
	bb_zeros(&b, 20);
	b.d[at + 16] = (uint8_t) (b.len - at);
	b.d[16] = (uint8_t) b.len;
	b.d[17] = (uint8_t) (b.len >> 8);
	bb_zeros(&b, 200);
	probe(&b, &p, "asf");
	expect(&p, "video/x-ms-asf", 1280, 720, 8000, "ASF: 9.5 s play - 1.5 s preroll, 1280x720");
	MM_CHECK(strcmp(det_s(&p, "codec"), "WMV3") == 0, "ASF codec WMV3");
	truncations(&b, "video/x-ms-asf", "asf");
	bb_free(&b);
}

/* RealMedia PROP and MDPR. */
static void
test_realmedia(void)
{
	bb			b;
	mm_probe	p;
	size_t		at;

	bb_init(&b);
	bb_str(&b, ".RMF");
	bb_be(&b, 18, 4);
	bb_be(&b, 0, 2);
	bb_be(&b, 0, 4);
	bb_be(&b, 2, 4);
	bb_str(&b, "PROP");
	bb_be(&b, 50, 4);
	bb_be(&b, 0, 2);
	bb_zeros(&b, 4 * 5);
	bb_be(&b, 7250, 4);			/* duration ms */
	bb_zeros(&b, 4 * 3);
	bb_be(&b, 1, 2);
	bb_be(&b, 0, 2);
	at = b.len;
	bb_str(&b, "MDPR");
	bb_be(&b, 0, 4);
	bb_be(&b, 0, 2);
	bb_be(&b, 0, 2);
	bb_zeros(&b, 4 * 7);
	bb_u8(&b, 5);
	bb_str(&b, "Video");
	bb_u8(&b, 20);
	bb_str(&b, "video/x-pn-realvideo");
	bb_be(&b, 34, 4);
	bb_be(&b, 34, 4);
	bb_str(&b, "VIDORV40");
	bb_be(&b, 640, 2);
	bb_be(&b, 480, 2);
	bb_zeros(&b, 18);
	bb_put_be32(&b, at + 4, (uint32_t) (b.len - at));
	bb_str(&b, "DATA");
	bb_be(&b, 18, 4);
	bb_zeros(&b, 10);
	probe(&b, &p, "rm");
	expect(&p, "application/vnd.rn-realmedia", 640, 480, 7250, "RealMedia PROP duration, VIDO size");
	MM_CHECK(strcmp(det_s(&p, "codec"), "RV40") == 0, "RealMedia codec RV40");
	truncations(&b, "application/vnd.rn-realmedia", "rm");
	bb_free(&b);
}

/* Appends an MPEG-2 PES header with a PTS for stream sid, plus payload. */
static void
pes_pts(bb *b, unsigned sid, uint64_t pts, size_t payload)
{
	bb_bytes(b, "\x00\x00\x01", 3);
	bb_u8(b, sid);
	bb_be(b, 8 + payload, 2);
	bb_u8(b, 0x80);
	bb_u8(b, 0x80);
	bb_u8(b, 5);
	bb_u8(b, 0x21 | (unsigned) ((pts >> 29) & 0x0e));
	bb_u8(b, (unsigned) (pts >> 22) & 0xff);
	bb_u8(b, 0x01 | (unsigned) ((pts >> 14) & 0xfe));
	bb_u8(b, (unsigned) (pts >> 7) & 0xff);
	bb_u8(b, 0x01 | (unsigned) ((pts << 1) & 0xfe));
	bb_fill(b, 0xAA, payload);
}

/* Appends an MPEG-2 pack header. */
static void
pack_header(bb *b)
{
	bb_bytes(b, "\x00\x00\x01\xBA\x44\x00\x04\x00\x04\x01\x01\x89\xC3\xF8", 14);
}

/* MPEG-PS (PTS span + one frame) and TS (PCR span). */
static void
test_mpeg(void)
{
	bb			b;
	mm_probe	p;
	int			i;

	bb_init(&b);
	pack_header(&b);
	pes_pts(&b, 0xE0, 90000, 0);
	bb_bytes(&b, "\x00\x00\x01\xB3\x2D\x01\xE0\x24\xFF\xFF\xE0\x00", 12);	/* 720x480, 29.97 */
	for (i = 1; i < 100; i++)
	{
		pack_header(&b);
		pes_pts(&b, 0xE0, 90000 + (uint64_t) i * 3003, 1000);
	}
	probe(&b, &p, "mpeg-ps");
	expect(&p, "video/mpeg", 720, 480, 99 * 3003 / 90 + 33, "MPEG-PS 720x480: PTS span + one frame");
	{
		vfile		vf = {b.len, b.d, b.len, NULL, 0};
		wstats		ws;

		probe_windowed(&vf, 65536, 65536, &p, &ws);
		MM_CHECK(b.len > 65536 && p.duration_ms == 99 * 3003 / 90 + 33 && ws.rounds == 0,
				 "MPEG-PS of %zu bytes via 64 KB windows: no NEED (%d)", b.len, ws.rounds);
	}
	truncations(&b, "video/mpeg", "mpeg-ps");
	bb_free(&b);

	bb_init(&b);
	for (i = 0; i < 400; i++)
	{
		size_t		at = b.len;
		uint64_t	pcr = 1000000 + (uint64_t) i * 900;	/* 10 ms per packet */

		bb_u8(&b, 0x47);
		bb_u8(&b, 0x41);
		bb_u8(&b, 0x00);
		bb_u8(&b, 0x30);
		bb_u8(&b, 7);
		bb_u8(&b, 0x10);
		bb_u8(&b, (unsigned) (pcr >> 25) & 0xff);
		bb_u8(&b, (unsigned) (pcr >> 17) & 0xff);
		bb_u8(&b, (unsigned) (pcr >> 9) & 0xff);
		bb_u8(&b, (unsigned) (pcr >> 1) & 0xff);
		bb_u8(&b, (unsigned) ((pcr & 1) << 7) | 0x7e);
		bb_u8(&b, 0);
		bb_fill(&b, 0xff, 188 - (b.len - at));
	}
	probe(&b, &p, "mpeg-ts");
	expect(&p, "video/mp2t", -1, -1, 3990, "MPEG-TS: last PCR - first PCR");
	{
		vfile		vf = {b.len, b.d, b.len, NULL, 0};
		wstats		ws;

		probe_windowed(&vf, 65536, 65536, &p, &ws);
		MM_CHECK(p.duration_ms == 3990 && ws.rounds == 0, "MPEG-TS via 64 KB windows: no NEED (%d)", ws.rounds);
		b.len = 70 * 188;		/* a short file: head region only */
		probe(&b, &p, "short ts");
		expect(&p, "video/mp2t", -1, -1, 69 * 10, "short MPEG-TS: last PCR from the head region");
	}
	truncations(&b, "video/mp2t", "mpeg-ts");
	bb_free(&b);

	bb_init(&b);
	bb_fill(&b, 'G', 2000);
	mm_probe_buffer(b.d, b.len, &p);
	MM_CHECK(strcmp(p.mime, "video/mp2t") != 0, "a file of 'G's is not MPEG-TS (got %s)", p.mime);
	bb_free(&b);
}

/* ---------- shared corpus ---------- */

/* Is manifest format fmt one of this file's formats? */
static int
corpus_is_av(const char *fmt)
{
	static const char *const av[] = {
		"wav", "au", "aiff", "aifc", "ogg-vorbis", "ogg-theora", "mp3", "webm", "voc", "rmvb",
		"mpeg-ps", "mp4", "mov", "mkv", "flv", "avif-seq", "avif", "asf", "8svx", "3gp", NULL
	};
	int			i;

	for (i = 0; av[i]; i++)
		if (strcmp(fmt, av[i]) == 0)
			return 1;
	return 0;
}

/* Is got an accepted spelling of the manifest's MIME (itself or its alias)? */
static int
corpus_mime_ok(const char *want, const char *got)
{
	FILE	   *f;
	char		line[512];
	int			ok = strcmp(want, got) == 0;

	if (ok)
		return 1;
	f = fopen("../corpus/mime-aliases.tsv", "r");
	if (f == NULL)
		return 0;
	while (!ok && fgets(line, sizeof(line), f))
	{
		char	   *a = strtok(line, "\t\n"),
				   *b = strtok(NULL, "\t\n");

		if (a && b && a[0] != '#' && strcmp(a, want) == 0 && strcmp(b, got) == 0)
			ok = 1;
	}
	fclose(f);
	return ok;
}

/* Reads a whole file; NULL when it cannot. */
static uint8_t *
read_file(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	uint8_t    *d;
	long		n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	d = malloc(n > 0 ? (size_t) n : 1);
	if (d == NULL || (n > 0 && fread(d, 1, (size_t) n, f) != (size_t) n))
	{
		free(d);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = (size_t) n;
	return d;
}

/* Parses "... 1.428s" or "...; 5.433s;" out of a manifest note: milliseconds, or -1. */
static int64_t
corpus_note_ms(const char *note)
{
	const char *p;
	int64_t		best = -1;

	for (p = note; *p; p++)
	{
		const char *q = p;
		int64_t		whole = 0,
					frac = 0;
		int			nf = 0;

		if (!(*q >= '0' && *q <= '9') || (p > note && ((p[-1] >= '0' && p[-1] <= '9') || p[-1] == '.')))
			continue;
		while (*q >= '0' && *q <= '9')
			whole = whole * 10 + (*q++ - '0');
		if (*q != '.')
			continue;
		q++;
		while (*q >= '0' && *q <= '9' && nf < 3)
		{
			frac = frac * 10 + (*q++ - '0');
			nf++;
		}
		if (nf != 3 || *q != 's')
			continue;
		best = whole * 1000 + frac;
	}
	return best;
}

/* Checks every A/V row of the shared corpus's MANIFEST.tsv. */
static void
test_corpus(void)
{
	const char *dir = getenv("MM_CORPUS_DIR");
	char		path[4096];
	char		line[4096];
	FILE	   *f;
	int			rows = 0;

	if (dir == NULL || dir[0] == '\0')
		dir = "../../../shared/corpus";
	snprintf(path, sizeof(path), "%s/MANIFEST.tsv", dir);
	f = fopen(path, "r");
	if (f == NULL)
	{
		mm_test_count++;
		printf("ok %d # SKIP shared corpus not found at %s\n", mm_test_count, dir);
		return;
	}
	while (fgets(line, sizeof(line), f))
	{
		char	   *col[8];
		char	   *s = line;
		int			n = 0;
		uint8_t    *data;
		size_t		len;
		mm_probe	p,
					w;
		wstats		ws;
		vfile		vf;
		int64_t		want_ms,
					tol;

		line[strcspn(line, "\r\n")] = '\0';
		while (n < 8)
		{
			col[n++] = s;
			s = strchr(s, '\t');
			if (s == NULL)
				break;
			*s++ = '\0';
		}
		if (n < 8 || strcmp(col[0], "path") == 0 || !corpus_is_av(col[2]))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, col[0]);
		data = read_file(path, &len);
		if (data == NULL)
		{
			MM_CHECK(0, "corpus %s: readable", col[0]);
			continue;
		}
		rows++;
		mm_probe_buffer(data, len, &p);
		MM_CHECK(corpus_mime_ok(col[5], p.mime) || (strcmp(col[6], "no") == 0 &&
													strcmp(p.mime, "application/octet-stream") == 0),
				 "corpus %s: MIME %s (got %s)", col[0], col[5], p.mime);
		if (col[3][0] && col[4][0])
			MM_CHECK(p.width == atoll(col[3]) && p.height == atoll(col[4]),
					 "corpus %s: %sx%s (got %lldx%lld)", col[0], col[3], col[4],
					 (long long) p.width, (long long) p.height);
		want_ms = corpus_note_ms(col[7]);
		if (want_ms >= 0)
		{
			tol = want_ms / 100 > 1 ? want_ms / 100 : 1;
			MM_CHECK(p.duration_ms >= want_ms - tol && p.duration_ms <= want_ms + tol,
					 "corpus %s: duration %lld ms within 1%% (got %lld)", col[0],
					 (long long) want_ms, (long long) p.duration_ms);
		}
		/* through 64 KB head/tail windows, as stored files are probed */
		vf.size = len;
		vf.head = data;
		vf.headlen = len;
		vf.tail = NULL;
		vf.taillen = 0;
		probe_windowed(&vf, 65536, 65536, &w, &ws);
		MM_CHECK(!ws.gave_up && ws.rounds <= 2 && same_result(&p, &w),
				 "corpus %s: 64 KB windowed probe agrees (%d rounds)", col[0], ws.rounds);
		/* and through 4 KB windows: a few small NEED rounds */
		probe_windowed(&vf, 4096, 4096, &w, &ws);
		MM_CHECK(!ws.gave_up && ws.rounds <= 4 && same_result(&p, &w),
				 "corpus %s: 4 KB windowed probe agrees (%d rounds, %llu bytes fetched)", col[0],
				 ws.rounds, (unsigned long long) ws.fetched);
		free(data);
	}
	fclose(f);
	MM_CHECK(rows > 0, "corpus: %d A/V rows checked", rows);
}

int
main(void)
{
	test_mp4_basic();
	test_mp4_brands();
	test_mp4_moov_at_end();
	test_mp4_moov_at_start();
	test_mp4_box_sizes();
	test_mp4_durations();
	test_heif();
	test_wav();
	test_avi();
	test_iff();
	test_flac();
	test_ogg();
	test_matroska();
	test_flv();
	test_mp3();
	test_audio_misc();
	test_asf();
	test_realmedia();
	test_mpeg();
	test_corpus();
	return mm_test_done();
}
