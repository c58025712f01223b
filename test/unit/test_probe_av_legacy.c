/*
 * test_probe_av_legacy.c - unit tests of the older audio/video container
 * probes: AU, VOC, ASF (WMA/WMV) and RealMedia.
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
	bb_reset(&b);

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
	bb_reset(&b);

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
	bb_reset(&b);

	bb_init(&b);
	bb_put(&b, "Creative Voice File\032", 20);
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
	bb_reset(&b);
}

/* ---------- ASF, RealMedia ---------- */

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
	bb_put(&b, hdr, 16);
	bb_le(&b, 0, 8);
	bb_le(&b, 2, 4);
	bb_u8(&b, 1);
	bb_u8(&b, 2);
	bb_put(&b, fp, 16);
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
	bb_put(&b, sp, 16);
	bb_le(&b, 0, 8);
	bb_put(&b, vid, 16);
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
	b.p[at + 16] = (uint8_t) (b.len - at);
	b.p[16] = (uint8_t) b.len;
	b.p[17] = (uint8_t) (b.len >> 8);
	bb_zeros(&b, 200);
	probe(&b, &p, "asf");
	expect(&p, "video/x-ms-asf", 1280, 720, 8000, "ASF: 9.5 s play - 1.5 s preroll, 1280x720");
	MM_CHECK(strcmp(detail_str(&p, "codec"), "WMV3") == 0, "ASF codec WMV3");
	truncations(&b, "video/x-ms-asf", "asf");
	bb_reset(&b);
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
	bb_set_be32(&b, at + 4, (uint32_t) (b.len - at));
	bb_str(&b, "DATA");
	bb_be(&b, 18, 4);
	bb_zeros(&b, 10);
	probe(&b, &p, "rm");
	expect(&p, "application/vnd.rn-realmedia", 640, 480, 7250, "RealMedia PROP duration, VIDO size");
	MM_CHECK(strcmp(detail_str(&p, "codec"), "RV40") == 0, "RealMedia codec RV40");
	truncations(&b, "application/vnd.rn-realmedia", "rm");
	bb_reset(&b);
}

/* Runs this file's groups and prints the TAP plan. */
int
main(void)
{
	test_audio_misc();
	test_asf();
	test_realmedia();
	return mm_test_done();
}
