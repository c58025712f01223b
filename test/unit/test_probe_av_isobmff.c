/*
 * test_probe_av_isobmff.c - unit tests of the ISOBMFF probe (MP4, MOV, 3GP,
 * HEIF/AVIF): brands, moov before and after a (virtual, 3 GB) mdat, box
 * sizes, durations, rotation and HEIF image properties.
 *
 * Every file is built by hand, byte by byte, so each test states exactly
 * which header field it exercises, and each one is probed twice: from one
 * buffer and through a windowed source (see mm_av_bytes.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/formats.h"
#include "probe/probe.h"
#include "mm_test.h"
#include "mm_expect.h"
#include "mm_av_bytes.h"

/* ---------- ISOBMFF ---------- */

/* Appends an ftyp box with a major brand and compatible brands ("isomavc1"). */
static void
mp4_ftyp(bb *b, const char *major, const char *compat)
{
	size_t		at = box_begin(b, "ftyp");

	bb_put(b, major, 4);
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
	MM_CHECK(strcmp(detail_str(&p, "codec"), "avc1") == 0 && strcmp(detail_str(&p, "audio_codec"), "mp4a") == 0,
			 "mp4: codec avc1, audio_codec mp4a");
	MM_CHECK(det_i(&p, "has_video") == 1 && det_i(&p, "has_audio") == 1, "mp4: has_video, has_audio");
	MM_CHECK(det_i(&p, "sample_rate") == 44100 && det_i(&p, "channels") == 2, "mp4: audio 44100 Hz, 2 ch");
	MM_CHECK(strcmp(p.media_type, "video") == 0, "mp4: media_type video");
	truncations(&b, "video/mp4", "mp4");
	bb_reset(&b);
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
		bb_reset(&b);
	}
	/* not ISOBMFF video: CR3 raw and an unknown brand with no known compatible */
	{
		bb			b;
		mm_probe	p;

		bb_init(&b);
		mp4_ftyp(&b, "crx ", "crx isom");
		mp4_moov(&b, 600, 1200, 320, 240, 0);
		MM_CHECK(mm_probe_isobmff(NULL, b.p, b.len, &p) == MM_FMT_NO, "Canon CR3 (crx) is not claimed");
		bb_reset(&b);
		bb_init(&b);
		mp4_ftyp(&b, "abcd", "efgh");
		MM_CHECK(mm_probe_isobmff(NULL, b.p, b.len, &p) == MM_FMT_NO, "unknown brands are not claimed");
		bb_reset(&b);
	}
	/* old QuickTime without ftyp: moov first, and wide + mdat */
	{
		bb			b;
		mm_probe	p;

		bb_init(&b);
		mp4_moov(&b, 600, 3000, 320, 240, 1);
		probe(&b, &p, "qt no ftyp");
		expect(&p, "video/quicktime", 320, 240, 5000, "QuickTime without ftyp (moov first)");
		bb_reset(&b);
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
		bb_reset(&b);
		bb_init(&b);
		box_end(&b, box_begin(&b, "idat"));
		bb_zeros(&b, 100);
		mm_probe_buffer(b.p, b.len, &p);
		MM_CHECK(strcmp(p.mime, "video/quicktime") != 0, "a file starting with an idat box is not QuickTime");
		bb_reset(&b);
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
		vf = (vfile) {size, headb.p, headb.len, tailb.p, tailb.len};
		probe_vfile(&vf, 65536, 65536, &p, &ws);
		expect(&p, "video/mp4", 3840, 2160, 7200000, big ? "3 GB mp4, 200 KB moov at end" : "3 GB mp4, moov at end");
		MM_CHECK(!ws.gave_up && ws.rounds <= (big ? 2 : 0),
				 "moov at end (%s): %d NEED rounds", big ? "big moov" : "in tail window", ws.rounds);
		MM_CHECK(ws.fetched <= tailb.len + 64,
				 "moov at end: fetched %llu bytes, no mdat payload", (unsigned long long) ws.fetched);
		MM_CHECK(strcmp(detail_str(&p, "codec"), "hvc1") == 0, "moov at end: codec hvc1");

		/* only a 4 KB head and a 4 KB tail: every step NEEDs */
		probe_vfile(&vf, 4096, 4096, &p, &ws);
		expect(&p, "video/mp4", 3840, 2160, 7200000, "3 GB mp4 via 4 KB windows");
		MM_CHECK(!ws.gave_up && ws.rounds <= (big ? 2 : 0),
				 "moov at end via 4 KB windows: %d NEED rounds", ws.rounds);
		MM_CHECK(ws.max_need <= tailb.len, "moov at end: largest NEED %zu bytes", ws.max_need);
		bb_reset(&headb);
		bb_reset(&tailb);
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
	vf = (vfile) {2ull << 30, headb.p, headb.len, NULL, 0};
	probe_vfile(&vf, 65536, 65536, &p, &ws);
	expect(&p, "video/mp4", 1920, 1080, 3600000, "2 GB mp4, moov first, mdat size 0");
	MM_CHECK(ws.rounds == 0, "moov first: no NEED rounds (%d)", ws.rounds);
	probe_vfile(&vf, 200, 200, &p, &ws);
	expect(&p, "video/mp4", 1920, 1080, 3600000, "2 GB mp4, moov first, 200-byte windows");
	MM_CHECK(ws.rounds <= 2, "moov first via 200-byte windows: %d rounds", ws.rounds);
	bb_reset(&headb);
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
			b.p[at + 8 + i] = (uint8_t) (sz >> (56 - 8 * i));
	}
	bb_be(&b, 0, 4);
	bb_str(&b, "free");
	bb_zeros(&b, 10);
	probe(&b, &p, "largesize moov");
	expect(&p, "video/mp4", 1280, 720, 12345, "64-bit moov size, mvhd v1, size-0 last box");
	MM_CHECK(strcmp(detail_str(&p, "codec"), "av01") == 0, "largesize moov: codec av01");
	bb_reset(&b);

	/* moov itself with size 0 (runs to the end of the file) */
	bb_init(&b);
	mp4_ftyp(&b, "mp41", "mp41");
	at = box_begin(&b, "moov");
	mp4_mvhd(&b, 0, 1000, 4000);
	mp4_trak(&b, "vide", "avc1", 320, 200, 0);
	bb_set_be32(&b, at, 0);
	probe(&b, &p, "size-0 moov");
	expect(&p, "video/mp4", 320, 200, 4000, "size-0 moov runs to end of file");
	bb_reset(&b);

	/* a top-level box whose size is below its header */
	bb_init(&b);
	mp4_ftyp(&b, "mp41", "mp41");
	bb_be(&b, 4, 4);
	bb_str(&b, "moov");
	mp4_mvhd(&b, 0, 1000, 4000);
	probe(&b, &p, "short box");
	expect(&p, "video/mp4", -1, -1, -1, "box size 4 (< header) stops the walk");
	bb_reset(&b);

	/* a 64-bit size below 16, and one that overflows offset + size */
	bb_init(&b);
	mp4_ftyp(&b, "mp41", "mp41");
	bb_be(&b, 1, 4);
	bb_str(&b, "free");
	bb_be(&b, 8, 8);
	mp4_moov(&b, 1000, 1000, 10, 10, 0);
	probe(&b, &p, "largesize 8");
	expect(&p, "video/mp4", -1, -1, -1, "64-bit size 8 (< 16) stops the walk");
	bb_reset(&b);
	bb_init(&b);
	mp4_ftyp(&b, "mp41", "mp41");
	bb_be(&b, 1, 4);
	bb_str(&b, "free");
	bb_be(&b, UINT64_MAX - 3, 8);
	mp4_moov(&b, 1000, 1000, 10, 10, 0);
	probe(&b, &p, "largesize max");
	expect(&p, "video/mp4", -1, -1, -1, "64-bit size near 2^64 does not wrap");
	bb_reset(&b);

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
	bb_reset(&b);

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
			 strcmp(detail_str(&p, "codec"), "") == 0,
			 "nesting 40 deep: stops at the depth cap, keeps mvhd (got %lldx%lld codec '%s')",
			 (long long) p.width, (long long) p.height, detail_str(&p, "codec"));
	bb_reset(&b);
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
	bb_reset(&b);

	bb_init(&b);
	mp4_ftyp(&b, "isom", "isom");
	at = box_begin(&b, "moov");
	mp4_mvhd(&b, 1, 1, UINT64_MAX - 1);
	box_end(&b, at);
	probe(&b, &p, "huge duration");
	MM_CHECK(p.duration_ms == -1, "duration*1000 overflowing int64: unknown (got %lld)",
			 (long long) p.duration_ms);
	bb_reset(&b);

	bb_init(&b);
	mp4_ftyp(&b, "isom", "isom");
	at = box_begin(&b, "moov");
	mp4_mvhd(&b, 1, 3, 10);
	box_end(&b, at);
	probe(&b, &p, "v1 duration");
	MM_CHECK(p.duration_ms == 3333, "mvhd v1: 10/3 s = 3333 ms (got %lld)", (long long) p.duration_ms);
	bb_reset(&b);

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
	bb_reset(&b);

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
	bb_reset(&b);
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
	MM_CHECK(strcmp(detail_str(&p, "codec"), "av01") == 0 && strcmp(p.media_type, "image") == 0,
			 "AVIF: codec av01, media_type image");
	truncations(&b, "image/avif", "avif");
	bb_reset(&b);

	bb_init(&b);
	mp4_ftyp(&b, "mif1", "mif1heic");
	heif_meta(&b, 4032, 3024, 1, "hvcC");
	probe(&b, &p, "heic");
	expect(&p, "image/heic", 3024, 4032, -1, "HEIC (mif1 major, heic compatible), irot 90: swapped");
	MM_CHECK(det_i(&p, "rotation") == 270, "HEIC irot 1 (90 anticlockwise) = rotation 270");
	bb_reset(&b);

	bb_init(&b);
	mp4_ftyp(&b, "mif1", "mif1");
	heif_meta(&b, 640, 480, 0, "jpgC");
	probe(&b, &p, "heif");
	expect(&p, "image/heif", 640, 480, -1, "HEIF (mif1 only)");
	bb_reset(&b);

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
	bb_reset(&b);

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
	bb_reset(&b);
}

/* Runs this file's groups and prints the TAP plan. */
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
	return mm_test_done();
}
