/*
 * test_probe_av_mpeg.c - unit tests of the MPEG audio and stream probes:
 * MP3 (Xing, behind ID3v2), ADTS AAC, and MPEG program and transport
 * streams (PES PTS).
 *
 * Every file is built by hand, byte by byte, so each test states exactly
 * which header field it exercises, and each one is probed twice: from one
 * buffer and through a windowed source (see mm_av_bytes.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe.h"
#include "mm_test.h"
#include "mm_expect.h"
#include "mm_av_bytes.h"

/* ---------- MP3 / ADTS ---------- */

/* Appends an MPEG-1 layer III frame 128 kbps 44.1 kHz mono (417 bytes), optionally with Xing. */
static void
mp3_frame(bb *b, int xing, uint32_t frames)
{
	size_t		at = b->len;

	bb_put(b, "\xFF\xFB\x90\xC0", 4);
	bb_zeros(b, 413);
	if (xing)
	{
		memcpy(b->p + at + 4 + 17, "Xing", 4);
		bb_set_be32(b, at + 4 + 17 + 4, 3);
		bb_set_be32(b, at + 4 + 17 + 8, frames);
		bb_set_be32(b, at + 4 + 17 + 12, 417 * frames);
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
	MM_CHECK(strcmp(detail_str(&p, "codec"), "mp3") == 0 && det_i(&p, "sample_rate") == 44100 &&
			 det_i(&p, "channels") == 1, "MP3 details");
	truncations(&b, "audio/mpeg", "mp3");
	bb_reset(&b);

	/* CBR, no tag: duration from size; an ID3v1 tail does not count */
	bb_init(&b);
	for (i = 0; i < 300; i++)
		mp3_frame(&b, 0, 0);
	bb_str(&b, "TAG");
	bb_zeros(&b, 125);
	probe(&b, &p, "mp3 cbr");
	expect(&p, "audio/mpeg", -1, -1, 300 * 417 * 8 / 128, "MP3 CBR: (size - ID3v1) * 8 / 128 kbps");
	bb_reset(&b);

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
		vf = (vfile) {100ull << 20, h.p, h.len, NULL, 0};
		probe_vfile(&vf, 65536, 65536, &p, &ws);
		expect(&p, "audio/mpeg", -1, -1, 2612244, "100 MB MP3 behind a 500 KB ID3v2 tag: Xing duration");
		MM_CHECK(ws.rounds <= 2 && ws.fetched <= 16384, "big ID3v2: %d rounds, %llu bytes",
				 ws.rounds, (unsigned long long) ws.fetched);
		bb_reset(&h);
	}

	/* one valid-looking header followed by garbage is not MP3 */
	bb_init(&b);
	bb_put(&b, "\xFF\xFB\x90\xC0", 4);
	bb_fill(&b, 0x11, 2000);
	mm_probe_buffer(b.p, b.len, &p);
	MM_CHECK(strcmp(p.mime, "audio/mpeg") != 0, "a lone frame header without ID3 is not claimed (got %s)", p.mime);
	bb_reset(&b);

	/* MPEG-2.5 layer III pair */
	bb_init(&b);
	for (i = 0; i < 10; i++)
	{
		/* FF E3: MPEG-2.5 L3 no CRC; 0x90: 64 kbps idx 9 = 80? -> use idx 8 (64 kbps), 11025 Hz */
		bb_put(&b, "\xFF\xE3\x80\xC0", 4);
		bb_zeros(&b, 72 * 64000 / 11025 - 4);
	}
	probe(&b, &p, "mpeg 2.5");
	MM_CHECK(strcmp(p.mime, "audio/mpeg") == 0 && det_i(&p, "sample_rate") == 11025,
			 "MPEG-2.5 layer III, 11025 Hz (got %s %lld)", p.mime, (long long) det_i(&p, "sample_rate"));
	bb_reset(&b);

	bb_init(&b);
	for (i = 0; i < 43; i++)
		adts_frame(&b, 300);
	probe(&b, &p, "adts");
	expect(&p, "audio/aac", -1, -1, 43 * 1024 * 1000 / 44100, "ADTS AAC: 43 frames of 1024 samples");
	MM_CHECK(det_i(&p, "channels") == 2 && det_i(&p, "sample_rate") == 44100, "ADTS details");
	bb_reset(&b);
}

/* Appends an MPEG-2 PES header with a PTS for stream sid, plus payload. */
static void
pes_pts(bb *b, unsigned sid, uint64_t pts, size_t payload)
{
	bb_put(b, "\x00\x00\x01", 3);
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
	bb_put(b, "\x00\x00\x01\xBA\x44\x00\x04\x00\x04\x01\x01\x89\xC3\xF8", 14);
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
	bb_put(&b, "\x00\x00\x01\xB3\x2D\x01\xE0\x24\xFF\xFF\xE0\x00", 12);	/* 720x480, 29.97 */
	for (i = 1; i < 100; i++)
	{
		pack_header(&b);
		pes_pts(&b, 0xE0, 90000 + (uint64_t) i * 3003, 1000);
	}
	probe(&b, &p, "mpeg-ps");
	expect(&p, "video/mpeg", 720, 480, 99 * 3003 / 90 + 33, "MPEG-PS 720x480: PTS span + one frame");
	{
		vfile		vf = {b.len, b.p, b.len, NULL, 0};
		wstats		ws;

		probe_vfile(&vf, 65536, 65536, &p, &ws);
		MM_CHECK(b.len > 65536 && p.duration_ms == 99 * 3003 / 90 + 33 && ws.rounds == 0,
				 "MPEG-PS of %zu bytes via 64 KB windows: no NEED (%d)", b.len, ws.rounds);
	}
	truncations(&b, "video/mpeg", "mpeg-ps");
	bb_reset(&b);

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
		vfile		vf = {b.len, b.p, b.len, NULL, 0};
		wstats		ws;

		probe_vfile(&vf, 65536, 65536, &p, &ws);
		MM_CHECK(p.duration_ms == 3990 && ws.rounds == 0, "MPEG-TS via 64 KB windows: no NEED (%d)", ws.rounds);
		b.len = 70 * 188;		/* a short file: head region only */
		probe(&b, &p, "short ts");
		expect(&p, "video/mp2t", -1, -1, 69 * 10, "short MPEG-TS: last PCR from the head region");
	}
	truncations(&b, "video/mp2t", "mpeg-ts");
	bb_reset(&b);

	bb_init(&b);
	bb_fill(&b, 'G', 2000);
	mm_probe_buffer(b.p, b.len, &p);
	MM_CHECK(strcmp(p.mime, "video/mp2t") != 0, "a file of 'G's is not MPEG-TS (got %s)", p.mime);
	bb_reset(&b);
}

/* Runs this file's groups and prints the TAP plan. */
int
main(void)
{
	test_mp3();
	test_mpeg();
	return mm_test_done();
}
