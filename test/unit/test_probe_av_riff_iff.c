/*
 * test_probe_av_riff_iff.c - unit tests of the RIFF (WAV, AVI) and IFF
 * (AIFF, AIFF-C, 8SVX) audio/video probes.
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
		bb_put(b, "\x00\x00\x00\x00\x10\x00\x80\x00\x00\xAA\x00\x38\x9B\x71", 14);
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
	bb_set_le32(&b, 4, (uint32_t) (b.len - 8));
	probe(&b, &p, "wav");
	expect(&p, "audio/wav", -1, -1, 250, "WAV PCM 16-bit stereo 44.1k, 44100 data bytes");
	MM_CHECK(det_i(&p, "channels") == 2 && det_i(&p, "sample_rate") == 44100 &&
			 det_i(&p, "bit_depth") == 16 && strcmp(detail_str(&p, "codec"), "pcm") == 0,
			 "WAV details: 2 ch, 44100 Hz, 16 bit, pcm");
	truncations(&b, "audio/wav", "wav");
	bb_reset(&b);

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
	MM_CHECK(strcmp(detail_str(&p, "codec"), "float") == 0, "WAV extensible: sub-format float");
	bb_reset(&b);

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
	MM_CHECK(p.duration_ms == 3000 && strcmp(detail_str(&p, "codec"), "ima_adpcm") == 0,
			 "WAV IMA ADPCM: duration from fact (got %lld)", (long long) p.duration_ms);
	bb_reset(&b);

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
		vf = (vfile) {h.len + data, h.p, h.len, NULL, 0};
		probe_vfile(&vf, 65536, 65536, &p, &ws);
		expect(&p, "audio/wav", -1, -1, (int64_t) (data * 1000 / 192000), "RF64 5 GB: duration from ds64");
		MM_CHECK(ws.rounds == 0, "RF64: no NEED rounds");
		bb_reset(&h);
	}

	bb_init(&b);
	bb_str(&b, "RIFF");
	bb_le(&b, 100, 4);
	bb_str(&b, "WEBPVP8 ");
	bb_zeros(&b, 100);
	MM_CHECK(mm_probe_riff(NULL, b.p, b.len, &p) == MM_FMT_NO, "RIFF WEBP is not claimed by the RIFF probe");
	bb_reset(&b);
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
	bb_set_le32(&b, strl, (uint32_t) (b.len - strl - 4));
	bb_set_le32(&b, hdrl, (uint32_t) (b.len - hdrl - 4));
	bb_str(&b, "LIST");
	bb_le(&b, 4 + 1000, 4);
	bb_str(&b, "movi");
	bb_zeros(&b, 1000);
	bb_set_le32(&b, 4, (uint32_t) (b.len - 8));
	probe(&b, &p, "avi");
	expect(&p, "video/avi", 720, 576, 10000, "AVI 720x576, 250 frames at 40 ms");
	MM_CHECK(strcmp(detail_str(&p, "codec"), "XVID") == 0, "AVI codec XVID");
	truncations(&b, "video/avi", "avi");
	bb_reset(&b);
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
	bb_set_be32(&b, 4, (uint32_t) (b.len - 8));
	probe(&b, &p, "aiff");
	expect(&p, "audio/aiff", -1, -1, 2000, "AIFF 44100 Hz, 88200 frames");
	MM_CHECK(det_i(&p, "sample_rate") == 44100 && det_i(&p, "bit_depth") == 24 &&
			 det_i(&p, "channels") == 2, "AIFF details from COMM and its 80-bit rate");
	truncations(&b, "audio/aiff", "aiff");
	bb_reset(&b);

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
	bb_put(&b, "\x40\x0D\xAD\xDD\x17\x45\xD1\x74\x5D\x17", 10);
	bb_str(&b, "sowt");
	bb_u8(&b, 0);
	bb_u8(&b, 0);
	bb_set_be32(&b, 4, (uint32_t) (b.len - 8));
	probe(&b, &p, "aifc");
	MM_CHECK(strcmp(p.mime, "audio/aiff") == 0 && det_i(&p, "sample_rate") == 22255 &&
			 strcmp(detail_str(&p, "codec"), "pcm") == 0 && p.duration_ms == 999,
			 "AIFC sowt, rate 22254.5454 rounds to 22255 (got %lld, %lld ms)",
			 (long long) det_i(&p, "sample_rate"), (long long) p.duration_ms);
	bb_reset(&b);

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
			bb_put(&b, bad[i], 10);
			mm_probe_buffer(b.p, b.len, &p);
			if (strcmp(p.mime, "audio/aiff") != 0 || p.duration_ms != -1 || det_i(&p, "sample_rate") != -999)
				ok = 0;
			bb_reset(&b);
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
	bb_set_be32(&b, 4, (uint32_t) (b.len - 8));
	probe(&b, &p, "8svx");
	expect(&p, "audio/x-8svx", -1, -1, 2000, "8SVX 8000 Hz, 16000 samples");
	bb_reset(&b);

	bb_init(&b);
	bb_str(&b, "FORM");
	bb_be(&b, 4, 4);
	bb_str(&b, "ILBM");
	MM_CHECK(mm_probe_iff(NULL, b.p, b.len, &p) == MM_FMT_NO, "FORM ILBM is not claimed");
	bb_reset(&b);
}

/* Runs this file's groups and prints the TAP plan. */
int
main(void)
{
	test_wav();
	test_avi();
	test_iff();
	return mm_test_done();
}
