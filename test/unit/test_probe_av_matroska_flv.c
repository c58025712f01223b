/*
 * test_probe_av_matroska_flv.c - unit tests of the Matroska/WebM (EBML) and
 * FLV probes.
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
		b->p[at + i] = (uint8_t) (v >> (8 * (7 - i)));
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
		bb_set_be32(b, seekpos_at, (uint32_t) (b->len - segdata));
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
	MM_CHECK(strcmp(detail_str(&p, "codec"), "vp9") == 0 && strcmp(detail_str(&p, "audio_codec"), "opus") == 0 &&
			 det_i(&p, "sample_rate") == 48000, "WebM codec vp9, audio opus 48 kHz");
	truncations(&b, "video/webm", "webm");
	bb_reset(&b);

	mkv_build(&b, "matroska", 720, 576, 1, 90500.0, 4, 0);
	probe(&b, &p, "mkv");
	expect(&p, "video/x-matroska", 1440, 576, 90500, "Matroska: DisplayWidth/Height, 4-byte float");
	bb_reset(&b);

	mkv_build(&b, "webm", 0, 0, 0, 1234.0, 8, 0);
	probe(&b, &p, "webm audio");
	expect(&p, "audio/webm", -1, -1, 1234, "WebM audio only -> audio/webm");
	bb_reset(&b);

	mkv_build(&b, "matroska", 0, 0, 0, 1234.0, 8, 0);
	probe(&b, &p, "mka");
	expect(&p, "audio/x-matroska", -1, -1, 1234, "Matroska audio only -> audio/x-matroska");
	bb_reset(&b);

	mkv_build(&b, "webm", 320, 240, 0, 42.0, 8, 1);
	probe(&b, &p, "webm seekhead");
	expect(&p, "video/webm", 320, 240, 42, "WebM with Tracks after a Cluster, found by SeekHead");
	bb_reset(&b);

	mkv_build(&b, "foo", 320, 240, 0, 42.0, 8, 0);
	MM_CHECK(mm_probe_matroska(NULL, b.p, b.len, &p) == MM_FMT_NO, "EBML DocType foo is not claimed");
	bb_reset(&b);

	/* an all-zero vint as the Tracks size: parsing stops, type stays */
	mkv_build(&b, "webm", 640, 360, 0, 5000.0, 8, 0);
	for (i = 0; i + 4 < b.len; i++)
		if (mm_be32(b.p + i) == 0x1654AE6B)
		{
			b.p[i + 4] = 0x00;
			break;
		}
	probe(&b, &p, "zero vint");
	expect(&p, "video/webm", -1, -1, 5000, "Tracks with an all-zero size vint: no tracks, Info kept");
	bb_reset(&b);

	/* a Duration that is NaN, and a huge 8-byte size (0x01 ff.. ff = unknown) on Info */
	mkv_build(&b, "webm", 640, 360, 0, 0.0, 8, 0);
	for (i = 0; i + 2 < b.len; i++)
		if (b.p[i] == 0x44 && b.p[i + 1] == 0x89 && b.p[i + 2] == 0x88)
		{
			memset(b.p + i + 3, 0xff, 8);
			break;
		}
	probe(&b, &p, "nan duration");
	expect(&p, "video/webm", 640, 360, -1, "NaN Duration: unknown");
	bb_reset(&b);

	/* the EBML header itself with a zero vint size */
	bb_init(&b);
	bb_be(&b, 0x1A45DFA3, 4);
	bb_u8(&b, 0x00);
	bb_zeros(&b, 40);
	MM_CHECK(mm_probe_matroska(NULL, b.p, b.len, &p) == MM_FMT_NO, "EBML header with a zero size vint: not claimed");
	bb_reset(&b);
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
	b.p[tag] = 0;
	b.p[tag + 1] = (uint8_t) ((b.len - tag - 10) >> 8);
	b.p[tag + 2] = (uint8_t) (b.len - tag - 10);
	bb_be(&b, b.len - tag + 1, 4);
	bb_zeros(&b, 100);
	probe(&b, &p, "flv");
	expect(&p, "video/x-flv", 640, 360, 12500, "FLV onMetaData after a nested keyframes object");
	MM_CHECK(strcmp(detail_str(&p, "codec"), "h264") == 0 && det_i(&p, "channels") == 2,
			 "FLV codec h264, stereo");
	truncations(&b, "video/x-flv", "flv");
	bb_reset(&b);

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
	bb_reset(&b);
}

/* Runs this file's groups and prints the TAP plan. */
int
main(void)
{
	test_matroska();
	test_flv();
	return mm_test_done();
}
