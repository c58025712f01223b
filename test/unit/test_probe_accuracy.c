/*
 * test_probe_accuracy.c - regression tests for the probe classes that
 * running nine public test suites found wrong (issue 14, "Accuracy"):
 * each file here is built by hand from the format's specification and
 * reproduces one wrong answer the probes gave before the fix.
 *
 *   UTF-16 BOM + binary, ID3 + Musepack/garbage, "M4A\0" major brand,
 *   OGM video in Ogg, "%!PS" without -Adobe, raw MPEG-1/2 video, a single
 *   ADTS frame, ADTS duration by frame count, XV thumbnails, and the rule
 *   that an unknown duration is -1 (SQL NULL), never 0.
 */
#include <stdio.h>
#include <string.h>

#include "mm_bytes.h"
#include "mm_ogg.h"
#include "mm_test.h"
#include "mm_expect.h"

/* Probes b whole and through windows from a 64-byte head; both must agree. */
static void
probe_both(const bb *b, mm_probe *out, const char *what)
{
	mm_probe	w;
	int			rounds;

	probe_bytes(b, out);
	rounds = probe_windowed(b->p, b->len, 64, &w);
	MM_CHECK(rounds >= 0 && strcmp(w.mime, out->mime) == 0 && w.width == out->width &&
			 w.height == out->height && w.duration_ms == out->duration_ms,
			 "%s: windowed probe agrees (%d rounds, %s %lldms)", what, rounds, w.mime,
			 (long long) w.duration_ms);
}

/* Appends an ID3v2.4 tag with a body of n zero bytes. */
static void
id3_tag(bb *b, unsigned n)
{
	bb_str(b, "ID3");
	bb_u8(b, 4);
	bb_u8(b, 0);
	bb_u8(b, 0);
	bb_u8(b, (n >> 21) & 0x7F);
	bb_u8(b, (n >> 14) & 0x7F);
	bb_u8(b, (n >> 7) & 0x7F);
	bb_u8(b, n & 0x7F);
	bb_fill(b, 0, n);
}

/* FF FE alone does not make text: the code units behind it must be UTF-16 text. */
static void
test_utf16_bom(void)
{
	bb			b = {0};
	mm_probe	p;
	int			i;

	bb_u8(&b, 0xFF);
	bb_u8(&b, 0xFE);
	for (i = 0; i < 200; i++)
		bb_u8(&b, (unsigned) (i * 7) & 0xFF);	/* binary: NULs, controls */
	probe_bytes(&b, &p);
	expect(&p, "application/octet-stream", -1, -1, -1, "FF FE + binary bytes");
	bb_reset(&b);

	bb_u8(&b, 0xFF);
	bb_u8(&b, 0xFE);
	bb_le16(&b, 'h');
	bb_le16(&b, 0x00E9);		/* e acute */
	bb_le16(&b, 0xD83D);		/* a surrogate pair */
	bb_le16(&b, 0xDE00);
	bb_le16(&b, '\n');
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "text/plain") == 0 && strcmp(detail_str(&p, "charset"), "utf-16le") == 0,
			 "UTF-16LE text with BOM stays text/plain (got %s %s)", p.mime, detail_str(&p, "charset"));
	bb_reset(&b);

	bb_u8(&b, 0xFE);
	bb_u8(&b, 0xFF);
	bb_be16(&b, 'h');
	bb_be16(&b, 0xDC00);		/* a low surrogate alone */
	bb_be16(&b, 'i');
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "text/plain") != 0, "UTF-16BE with a lone low surrogate is not text (got %s)",
			 p.mime);
	bb_reset(&b);
}

/* ID3 in front of Musepack (SV7, SV8), of garbage and of nothing. */
static void
test_id3_container(void)
{
	bb			b = {0};
	mm_probe	p;

	/* SV7: 11 frames of 1152 samples at 44100 Hz */
	id3_tag(&b, 40);
	bb_str(&b, "MP+");
	bb_u8(&b, 0x17);
	bb_le32(&b, 11);
	bb_le32(&b, 0);				/* rate index 0 = 44100 */
	bb_fill(&b, 0x55, 64);
	probe_both(&b, &p, "ID3 + Musepack SV7");
	expect(&p, "audio/x-musepack", -1, -1, 11 * 1152 * 1000 / 44100, "ID3 + Musepack SV7");
	bb_reset(&b);

	/* SV8: SH packet, 24000 samples at 48000 Hz, no tag */
	bb_str(&b, "MPCK");
	bb_str(&b, "SH");
	bb_u8(&b, 14);				/* size: key, size byte, 12 bytes of payload */
	bb_be32(&b, 0);				/* CRC */
	bb_u8(&b, 8);				/* version */
	bb_u8(&b, 0x81);			/* 24000 = 1 0111011 1000000 as 7-bit groups */
	bb_u8(&b, 0xBB);
	bb_u8(&b, 0x40);
	bb_u8(&b, 0);				/* no leading silence */
	bb_u8(&b, 1 << 5);			/* rate index 1 = 48000 */
	bb_u8(&b, 1 << 4);			/* two channels */
	bb_str(&b, "SE");
	bb_u8(&b, 3);
	probe_both(&b, &p, "Musepack SV8");
	expect(&p, "audio/x-musepack", -1, -1, 500, "Musepack SV8: 24000 samples at 48 kHz");
	MM_CHECK(detail_int(&p, "channels", 0) == 2, "Musepack SV8 channels");
	bb_reset(&b);

	/* a tag followed by bytes that are no audio frames: not audio/mpeg */
	id3_tag(&b, 100);
	bb_fill(&b, 0x11, 3000);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "audio/mpeg") != 0, "ID3 + garbage is not audio/mpeg (got %s)", p.mime);
	bb_reset(&b);

	/* a tag and nothing else */
	id3_tag(&b, 100);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "audio/mpeg") != 0, "an ID3 tag alone is not audio/mpeg (got %s)", p.mime);
	bb_reset(&b);
}

/* Appends an ISOBMFF box header of the given total size. */
static void
box_head(bb *b, uint32_t size, const char *type)
{
	bb_be32(b, size);
	bb_str(b, type);
}

/* The major brand decides first, also when padded with NUL ("M4A\0"). */
static void
test_m4a_brand(void)
{
	bb			b = {0};
	mm_probe	p;

	box_head(&b, 24, "ftyp");
	bb_put(&b, "M4A\0", 4);
	bb_be32(&b, 0);
	bb_str(&b, "3gp5isom");
	box_head(&b, 16, "mdat");
	bb_fill(&b, 0, 8);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "audio/mp4") == 0, "major brand M4A\\0 beats compatible 3gp5 (got %s)",
			 p.mime);
	bb_reset(&b);
}

/* Appends an Ogg page with one packet of len (< 255) bytes and a correct CRC. */
static void
ogg_page1(bb *b, unsigned flags, uint64_t granule, uint32_t serial, const uint8_t *pkt, size_t len)
{
	size_t		at = b->len;

	bb_str(b, "OggS");
	bb_u8(b, 0);
	bb_u8(b, flags);
	bb_le32(b, (uint32_t) granule);
	bb_le32(b, (uint32_t) (granule >> 32));
	bb_le32(b, serial);
	bb_le32(b, 0);
	bb_le32(b, 0);
	bb_u8(b, 1);
	bb_u8(b, (unsigned) len);
	bb_put(b, pkt, len);
	bb_set_le32(b, at + 22, mm_test_ogg_crc(b->p + at, b->len - at));
}

/* OGM video (DirectShow header in Ogg) is video/ogg with its frame size. */
static void
test_ogm(void)
{
	bb			b = {0},
				h = {0};
	mm_probe	p;

	bb_u8(&h, 1);
	bb_put(&h, "video\0\0\0", 8);
	bb_str(&h, "DIVX");
	bb_le32(&h, 56);			/* size */
	bb_le32(&h, 400000);		/* time unit: 40 ms (25 fps) in 100 ns */
	bb_le32(&h, 0);
	bb_le32(&h, 1);				/* samples per unit */
	bb_le32(&h, 0);
	bb_le32(&h, 1);				/* default length */
	bb_le32(&h, 65536);			/* buffer size */
	bb_le16(&h, 24);			/* bits per sample */
	bb_le16(&h, 0);
	bb_le32(&h, 720);
	bb_le32(&h, 576);
	ogg_page1(&b, 2, 0, 7, h.p, h.len);
	ogg_page1(&b, 0, 24, 7, (const uint8_t *) "frame", 5);
	ogg_page1(&b, 4, 46, 7, (const uint8_t *) "frame", 5);
	probe_both(&b, &p, "OGM video");
	expect(&p, "video/ogg", 720, 576, 46 * 40, "OGM video: 47 frames of 40 ms (granule 46)");
	MM_CHECK(strcmp(detail_str(&p, "codec"), "ogm") == 0 && detail_int(&p, "has_video", 0) == 1,
			 "OGM codec and has_video");
	bb_reset(&b);
	bb_reset(&h);
}

/* A truncated Ogg Vorbis file whose whole pages all have granule 0: unknown, never 0 ms. */
static void
test_ogg_truncated(void)
{
	bb			b = {0};
	mm_probe	p;
	uint8_t		id[30];
	size_t		whole;

	memset(id, 0, sizeof(id));
	memcpy(id, "\001vorbis", 7);
	id[11] = 2;
	id[12] = 44100 & 0xFF;		/* rate, little-endian */
	id[13] = 44100 >> 8;
	id[28] = 0xb8;
	id[29] = 1;
	ogg_page1(&b, 2, 0, 9, id, sizeof(id));
	ogg_page1(&b, 0, 0, 9, (const uint8_t *) "\003vorbis comments", 16);
	ogg_page1(&b, 4, 176400, 9, (const uint8_t *) "audio data, 4 seconds", 21);
	whole = b.len;
	probe_both(&b, &p, "whole Ogg Vorbis");
	expect(&p, "audio/ogg", -1, -1, 4000, "whole Ogg Vorbis: last granule 176400 at 44100 Hz");
	b.len = whole - 10;			/* cut inside the last page */
	probe_both(&b, &p, "truncated Ogg Vorbis");
	expect(&p, "audio/ogg", -1, -1, -1, "truncated Ogg Vorbis: unknown duration, not 0");
	bb_reset(&b);
}

/* "%!PS" is PostScript with or without "-Adobe-", also after ^D. */
static void
test_postscript(void)
{
	bb			b = {0};
	mm_probe	p;

	bb_str(&b, "%!PS\n/Courier findfont 12 scalefont setfont\nshowpage\n");
	probe_bytes(&b, &p);
	expect(&p, "application/postscript", -1, -1, -1, "%!PS without -Adobe");
	bb_reset(&b);
	bb_u8(&b, 4);
	bb_str(&b, "%!PS-Adobe-2.0\nshowpage\n");
	probe_bytes(&b, &p);
	expect(&p, "application/postscript", -1, -1, -1, "^D%!PS-Adobe");
	bb_reset(&b);
}

/* Appends an MPEG-1/2 video sequence header (marker bit set unless bad). */
static void
mpeg_seq(bb *b, unsigned w, unsigned h, unsigned rate_code, int bad)
{
	bb_be32(b, 0x000001B3);
	bb_u8(b, w >> 4);
	bb_u8(b, ((w & 15) << 4) | (h >> 8));
	bb_u8(b, h & 0xFF);
	bb_u8(b, (1 << 4) | rate_code);	/* aspect 1:1 */
	bb_u8(b, 0x00);				/* bit rate ... */
	bb_u8(b, 0xC8);
	bb_u8(b, bad ? 0x00 : 0x20);	/* ... then the marker bit */
	bb_u8(b, 0x00);
}

/* Raw MPEG-1/2 video elementary streams are video/mpeg with their frame size. */
static void
test_mpeg_video_es(void)
{
	bb			b = {0};
	mm_probe	p;

	mpeg_seq(&b, 352, 288, 3, 0);
	bb_be32(&b, 0x000001B8);	/* GOP */
	bb_fill(&b, 0, 200);
	probe_bytes(&b, &p);
	expect(&p, "video/mpeg", 352, 288, -1, "MPEG-1 video stream");
	MM_CHECK(strcmp(detail_str(&p, "codec"), "mpeg1video") == 0 &&
			 detail_int(&p, "frame_rate_milli", 0) == 25000, "MPEG-1 codec and 25 fps");
	bb_reset(&b);

	mpeg_seq(&b, 720, 576, 3, 0);
	bb_be32(&b, 0x000001B5);	/* sequence extension */
	bb_u8(&b, 0x14);
	bb_fill(&b, 0, 200);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "video/mpeg") == 0 && strcmp(detail_str(&p, "codec"), "mpeg2video") == 0,
			 "MPEG-2 video stream (got %s %s)", p.mime, detail_str(&p, "codec"));
	bb_reset(&b);

	mpeg_seq(&b, 352, 288, 3, 1);
	bb_fill(&b, 0, 200);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "video/mpeg") != 0, "a sequence header without its marker bit is not claimed");
	bb_reset(&b);
}

/* Appends an ADTS frame (AAC LC, 44100 Hz, stereo) of len bytes. */
static void
adts(bb *b, unsigned len)
{
	bb_u8(b, 0xFF);
	bb_u8(b, 0xF1);
	bb_u8(b, (1 << 6) | (4 << 2));
	bb_u8(b, (2 << 6) | ((len >> 11) & 3));
	bb_u8(b, (len >> 3) & 0xFF);
	bb_u8(b, ((len & 7) << 5) | 0x1F);
	bb_u8(b, 0xFC);
	bb_fill(b, 0x21, len - 7);
}

/* One ADTS frame is enough when it fills the file; durations count frames. */
static void
test_adts(void)
{
	bb			b = {0};
	mm_probe	p;
	int			i;

	adts(&b, 371);
	probe_both(&b, &p, "single ADTS frame");
	expect(&p, "audio/aac", -1, -1, 1024 * 1000 / 44100, "one ADTS frame filling the file");
	bb_fill(&b, 0x33, 40);
	probe_bytes(&b, &p);
	MM_CHECK(strcmp(p.mime, "audio/aac") != 0, "one ADTS frame that does not fill the file is not claimed");
	bb_reset(&b);

	/* loud start (big frames in the first 8 KB), quiet rest: count, do not scale */
	for (i = 0; i < 20; i++)
		adts(&b, 700);
	for (i = 0; i < 380; i++)
		adts(&b, 120);
	probe_both(&b, &p, "ADTS with varying frame sizes");
	expect(&p, "audio/aac", -1, -1, (int64_t) 400 * 1024 * 1000 / 44100,
		   "ADTS duration: 400 frames counted, not the first frames' bitrate");
	bb_reset(&b);
}

/* xv's "P7 332" thumbnails are not PAM. */
static void
test_xv_thumbnail(void)
{
	bb			b = {0};
	mm_probe	p;

	bb_str(&b, "P7 332\n#XVVERSION:Version 2.28  Rev: 9/26/92\n#IMGINFO:64x40 Color JPEG\n"
		   "#END_OF_COMMENTS\n48 30 255\n");
	bb_fill(&b, 0x92, 48 * 30);
	probe_bytes(&b, &p);
	expect(&p, "image/x-xv-thumbnail", 48, 30, -1, "XV thumbnail");
	bb_reset(&b);

	bb_str(&b, "P7\nWIDTH 4\nHEIGHT 2\nDEPTH 3\nMAXVAL 255\nTUPLTYPE RGB\nENDHDR\n");
	bb_fill(&b, 0, 24);
	probe_bytes(&b, &p);
	expect(&p, "image/x-portable-arbitrarymap", 4, 2, -1, "PAM stays PAM");
	bb_reset(&b);
}

/* A WAV without samples: 0 ms is "unknown", reported as -1 (SQL NULL). */
static void
test_zero_duration(void)
{
	bb			b = {0};
	mm_probe	p;

	bb_str(&b, "RIFF");
	bb_le32(&b, 36);
	bb_str(&b, "WAVEfmt ");
	bb_le32(&b, 16);
	bb_le16(&b, 1);
	bb_le16(&b, 1);
	bb_le32(&b, 8000);
	bb_le32(&b, 8000);
	bb_le16(&b, 1);
	bb_le16(&b, 8);
	bb_str(&b, "data");
	bb_le32(&b, 0);
	probe_bytes(&b, &p);
	expect(&p, "audio/wav", -1, -1, -1, "WAV without samples: unknown duration, not 0");
	bb_reset(&b);
}

int
main(void)
{
	test_utf16_bom();
	test_id3_container();
	test_m4a_brand();
	test_ogm();
	test_ogg_truncated();
	test_postscript();
	test_mpeg_video_es();
	test_adts();
	test_xv_thumbnail();
	test_zero_duration();
	return mm_test_done();
}
