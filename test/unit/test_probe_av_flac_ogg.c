/*
 * test_probe_av_flac_ogg.c - unit tests of the FLAC probe (also behind a
 * big ID3v2 tag) and of the Ogg probe (Vorbis, Opus, FLAC, Theora).
 *
 * Every file is built by hand, byte by byte, so each test states exactly
 * which header field it exercises, and each one is probed twice: from one
 * buffer and through a windowed source (see mm_av_bytes.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe.h"
#include "mm_ogg.h"
#include "mm_test.h"
#include "mm_expect.h"
#include "mm_av_bytes.h"

/* ---------- FLAC ---------- */

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
	bb_reset(&b);

	bb_init(&b);
	id3v2(&b, 300000);			/* a big cover picture */
	flac_streaminfo(&b, 44100, 1, 16, 44100ull * 60);
	bb_zeros(&b, 200000);
	vf = (vfile) {b.len, b.p, b.len, NULL, 0};
	probe_vfile(&vf, 65536, 65536, &p, &ws);
	expect(&p, "audio/flac", -1, -1, 60000, "FLAC behind a 300 KB ID3v2 tag");
	MM_CHECK(ws.rounds == 1 && ws.fetched <= 64, "ID3v2 skipped by size: 1 small NEED (%d, %llu bytes)",
			 ws.rounds, (unsigned long long) ws.fetched);
	bb_reset(&b);

	bb_init(&b);
	flac_streaminfo(&b, 0, 1, 16, 1000);
	probe(&b, &p, "flac rate 0");
	expect(&p, "audio/flac", -1, -1, -1, "FLAC with sample rate 0: no duration");
	bb_reset(&b);
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
	bb_put(b, pkt, len);
	bb_set_le32(b, at + 22, mm_test_ogg_crc(b->p + at, b->len - at));
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
	MM_CHECK(strcmp(detail_str(&p, "codec"), "vorbis") == 0 && det_i(&p, "sample_rate") == 44100,
			 "Ogg Vorbis details");
	truncations(&b, "audio/ogg", "ogg vorbis");

	/* corrupt the last page's CRC: the previous page counts */
	b.p[b.len - 1] ^= 0xff;
	probe(&b, &p, "vorbis bad crc");
	expect(&p, "audio/ogg", -1, -1, 1000, "Ogg: last page with a bad CRC is ignored");
	bb_reset(&b);

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
	MM_CHECK(strcmp(detail_str(&p, "codec"), "opus") == 0 && det_i(&p, "pre_skip") == 312,
			 "Ogg Opus: codec opus, pre_skip 312");
	bb_reset(&b);

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
	MM_CHECK(strcmp(detail_str(&p, "codec"), "theora") == 0 && strcmp(detail_str(&p, "audio_codec"), "vorbis") == 0,
			 "Ogg Theora: codec theora, audio_codec vorbis");
	bb_reset(&b);

	bb_init(&b);
	ogg_page(&b, 2, 0, 5, 0, "\001unknown codec here", 19);
	probe(&b, &p, "ogg unknown");
	expect(&p, "application/ogg", -1, -1, -1, "Ogg with an unknown codec");
	bb_reset(&b);

	/* FLAC in Ogg */
	bb_init(&b);
	{
		bb			f;

		bb_init(&f);
		bb_put(&f, "\177FLAC\001\000\000\001", 9);
		flac_streaminfo(&f, 48000, 2, 16, 0);
		ogg_page(&b, 2, 0, 3, 0, f.p, f.len);
		bb_reset(&f);
	}
	ogg_page(&b, 4, 48000ull * 4, 3, 1, junk, 100);
	probe(&b, &p, "ogg flac");
	expect(&p, "audio/ogg", -1, -1, 4000, "FLAC in Ogg");
	MM_CHECK(strcmp(detail_str(&p, "codec"), "flac") == 0, "FLAC in Ogg: codec flac");
	bb_reset(&b);

	/* a 100 KB Ogg (between one and two windows): no NEED through 64 KB windows */
	{
		vfile		vf;
		wstats		ws;

		bb_init(&b);
		n = vorbis_ident(pkt, 2, 44100);
		ogg_page(&b, 2, 0, 8, 0, pkt, n);
		for (i = 0; i < 35; i++)
			ogg_page(&b, 0, 44100ull * (i + 1), 8, 1 + i, junk, 2900);
		vf = (vfile) {b.len, b.p, b.len, NULL, 0};
		probe_vfile(&vf, 65536, 65536, &p, &ws);
		expect(&p, "audio/ogg", -1, -1, 35000, "100 KB Ogg via 64 KB windows");
		MM_CHECK(b.len > 65536 && b.len < 131072 && ws.rounds == 0,
				 "100 KB Ogg: the last page is found in the tail window, no NEED (%d)", ws.rounds);
		/* the last page straddles the head/tail boundary: one 64 KB NEED, same result */
		bb_reset(&b);
		bb_init(&b);
		ogg_page(&b, 2, 0, 8, 0, pkt, n);
		while (b.len < 65536 - 2000)
			ogg_page(&b, 0, 44100, 8, 1, junk, 2900);
		ogg_page(&b, 0, 44100ull * 9, 8, 2, junk, 2900);
		bb_fill(&b, 0, 3000);	/* trailing junk, no page */
		vf = (vfile) {b.len, b.p, b.len, NULL, 0};
		probe_vfile(&vf, 65536, 65536, &p, &ws);
		expect(&p, "audio/ogg", -1, -1, 9000, "Ogg whose last page straddles 64 KB");
		MM_CHECK(ws.rounds == 1, "straddling last page: one NEED (%d)", ws.rounds);
		bb_reset(&b);
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
		vf = (vfile) {1ull << 30, h.p, h.len, t.p, t.len};
		probe_vfile(&vf, 65536, 65536, &p, &ws);
		expect(&p, "audio/ogg", -1, -1, 3ll * 3600 * 1000 - 1000, "1 GB Ogg: duration from the tail");
		MM_CHECK(ws.rounds == 0, "1 GB Ogg: no NEED rounds (%d)", ws.rounds);
		probe_vfile(&vf, 4096, 4096, &p, &ws);
		MM_CHECK(p.duration_ms == 3ll * 3600 * 1000 - 1000 && ws.rounds == 1 && ws.fetched == 65536,
				 "1 GB Ogg via 4 KB windows: one 64 KB tail NEED (%d rounds, %llu bytes)",
				 ws.rounds, (unsigned long long) ws.fetched);
		bb_reset(&h);
		bb_reset(&t);
	}
}

/* Runs this file's groups and prints the TAP plan. */
int
main(void)
{
	test_flac();
	test_ogg();
	return mm_test_done();
}
