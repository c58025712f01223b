/*
 * test_probe_images_need.c - NEED round trips of the image probes: GIF
 * frames, a TIFF IFD and a JPEG SOF stored far from the head window.
 */
#include <stdio.h>

#include "mm_bytes.h"
#include "mm_test.h"
#include "mm_image_bytes.h"

/* ---- NEED: bytes stored far from the head ---- */

/* NEED round trips for data stored far from the head window. */
static void
test_need(void)
{
	bb			b = {0};
	mm_probe	p;
	mm_source	src;
	int			rounds;
	size_t		i;

	/* a GIF whose frames sit after a 300 KB comment */
	gif_start(&b, 5, 6);
	bb_u8(&b, 0x21);
	bb_u8(&b, 0xFE);
	for (i = 0; i < 1200; i++)
	{
		bb_u8(&b, 255);
		bb_fill(&b, 'c', 255);
	}
	bb_u8(&b, 0);
	gif_frame(&b, 10, 0);
	gif_frame(&b, 10, 0);
	gif_frame(&b, 10, 0);
	bb_u8(&b, 0x3B);

	mm_source_init(&src, b.len);
	mm_source_add(&src, 0, b.p, 65536);
	MM_CHECK(mm_probe_source(&src, &p) == MM_PROBE_NEED_DATA && src.need &&
			 src.need_off >= 65536 - 255 && src.need_off < b.len,
			 "need: gif frames past the head window -> NEED_DATA at %llu", (unsigned long long) src.need_off);
	MM_CHECK(src.need_len >= 65536, "need: the request is widened for the walk (%zu bytes)", src.need_len);
	MM_CHECK(mm_source_add(&src, src.need_off, b.p + src.need_off, src.need_len) == 0 &&
			 mm_probe_source(&src, &p) == MM_PROBE_OK, "need: OK after adding the window");
	MM_CHECK(detail_int(&p, "frames", NONE) == 3 && p.width == 5, "need: 3 frames counted after NEED");
	rounds = probe_windowed(b.p, b.len, 4096, &p);
	MM_CHECK(rounds >= 1 && detail_int(&p, "frames", NONE) == 3, "need: windowed loop, %d rounds", rounds);
	bb_reset(&b);

	/* a TIFF whose first IFD is 200 KB into the file */
	bb_str(&b, "II");
	bb_le16(&b, 42);
	bb_le32(&b, 200000);
	bb_fill(&b, 0, 200000 - 8);
	bb_le16(&b, 2);
	tiff_entry(&b, 256, 3, 1, 123);
	tiff_entry(&b, 257, 3, 1, 45);
	bb_le32(&b, 0);
	mm_source_init(&src, b.len);
	mm_source_add(&src, 0, b.p, 65536);
	MM_CHECK(mm_probe_source(&src, &p) == MM_PROBE_NEED_DATA && src.need_off == 200000,
			 "need: tiff IFD far away -> NEED_DATA at 200000");
	MM_CHECK(mm_source_add(&src, src.need_off, b.p + src.need_off, b.len - 200000) == 0 &&
			 mm_probe_source(&src, &p) == MM_PROBE_OK && p.width == 123 && p.height == 45,
			 "need: tiff 123x45 after adding the window");
	bb_reset(&b);

	/* a JPEG whose SOF follows 2 APP segments of 60 KB */
	bb_u8(&b, 0xFF);
	bb_u8(&b, 0xD8);
	for (i = 0; i < 2; i++)
	{
		bb_u8(&b, 0xFF);
		bb_u8(&b, 0xE2);
		bb_be16(&b, 60000);
		bb_fill(&b, 'i', 60000 - 2);
	}
	jpeg_sof(&b, 0xC0, 77, 88, 3, NULL);
	jpeg_end(&b);
	rounds = probe_windowed(b.p, b.len, 65536, &p);
	MM_CHECK(rounds == 1 && p.width == 77 && p.height == 88, "need: jpeg SOF at 120 KB, %d round", rounds);
	bb_reset(&b);
}

/* Runs this file's groups and prints the TAP plan. */
int
main(void)
{
	test_need();
	return mm_test_done();
}
