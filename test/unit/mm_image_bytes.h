/*
 * mm_image_bytes.h - builders of hand-made image files for the image probe
 * unit tests (test_probe_images_*.c): PNG chunks and IHDR, an EXIF block,
 * JPEG marker segments, GIF headers and frames, the RIFF/WEBP frame, TIFF
 * IFD entries.  Include after mm_bytes.h.
 */
#ifndef MM_IMAGE_BYTES_H
#define MM_IMAGE_BYTES_H

#include <stdint.h>

#include "mm_bytes.h"

/* A detail's value when it is absent (detail_int's "missing"). */
#define NONE INT64_MIN

/* ---- PNG ---- */

/* Appends a PNG chunk (CRC left zero: the probe does not check it). */
static inline void
png_chunk(bb *b, const char *type, const void *data, uint32_t len)
{
	bb_be32(b, len);
	bb_str(b, type);
	bb_put(b, data, len);
	bb_be32(b, 0);
}

/* Appends the PNG signature and an IHDR. */
static inline void
png_start(bb *b, uint32_t w, uint32_t h, int depth, int ct, int interlace)
{
	static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	bb			ihdr = {0};

	bb_put(b, sig, 8);
	bb_be32(&ihdr, w);
	bb_be32(&ihdr, h);
	bb_u8(&ihdr, depth);
	bb_u8(&ihdr, ct);
	bb_u8(&ihdr, 0);
	bb_u8(&ihdr, 0);
	bb_u8(&ihdr, interlace);
	png_chunk(b, "IHDR", ihdr.p, 13);
	bb_reset(&ihdr);
}

/* A big-endian TIFF/EXIF block whose IFD0 holds one orientation entry. */
static inline void
exif_block(bb *b, int orientation)
{
	bb_str(b, "MM");
	bb_be16(b, 42);
	bb_be32(b, 8);
	bb_be16(b, 1);
	bb_be16(b, 0x0112);
	bb_be16(b, 3);
	bb_be32(b, 1);
	bb_be16(b, orientation);
	bb_be16(b, 0);
	bb_be32(b, 0);
}

/* ---- JPEG ---- */

/* Appends a marker segment with a body. */
static inline void
jpeg_seg(bb *b, int marker, const void *body, size_t len)
{
	bb_u8(b, 0xFF);
	bb_u8(b, marker);
	bb_be16(b, (unsigned) len + 2);
	bb_put(b, body, len);
}

/* Appends a SOFn for w x h with ncomp components (ids 1..n or given). */
static inline void
jpeg_sof(bb *b, int marker, int w, int h, int ncomp, const char *ids)
{
	bb			s = {0};
	int			i;

	bb_u8(&s, 8);
	bb_be16(&s, h);
	bb_be16(&s, w);
	bb_u8(&s, ncomp);
	for (i = 0; i < ncomp; i++)
	{
		bb_u8(&s, ids ? (uint8_t) ids[i] : i + 1);
		bb_u8(&s, 0x11);
		bb_u8(&s, 0);
	}
	jpeg_seg(b, marker, s.p, s.len);
	bb_reset(&s);
}

/* Appends an SOS and a few entropy bytes and EOI. */
static inline void
jpeg_end(bb *b)
{
	static const uint8_t sos[] = {1, 1, 0, 0, 63, 0};

	jpeg_seg(b, 0xDA, sos, sizeof(sos));
	bb_str(b, "\x12\x34\xff\x00\x56");
	bb_u8(b, 0xFF);
	bb_u8(b, 0xD9);
}

/* An Adobe APP14 body with transform t. */
static inline void
jpeg_adobe(bb *b, int t)
{
	uint8_t		a[12] = {'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0};

	a[11] = (uint8_t) t;
	jpeg_seg(b, 0xEE, a, sizeof(a));
}

/* ---- GIF ---- */

/* Appends a GIF header with a 2-entry global colour table. */
static inline void
gif_start(bb *b, int w, int h)
{
	bb_str(b, "GIF89a");
	bb_le16(b, w);
	bb_le16(b, h);
	bb_u8(b, 0x80);				/* global table of 2 entries */
	bb_u8(b, 0);
	bb_u8(b, 0);
	bb_fill(b, 0, 6);
}

/* Appends a graphic control extension and a 1x1 image. */
static inline void
gif_frame(bb *b, int delay_cs, int transparent)
{
	bb_str(b, "\x21\xf9\x04");
	bb_u8(b, transparent ? 1 : 0);
	bb_le16(b, delay_cs);
	bb_u8(b, 0);
	bb_u8(b, 0);
	bb_u8(b, 0x2C);
	bb_le16(b, 0);
	bb_le16(b, 0);
	bb_le16(b, 1);
	bb_le16(b, 1);
	bb_u8(b, 0);
	bb_u8(b, 2);				/* LZW minimum code size */
	bb_str(b, "\x02\x44\x01");
	bb_u8(b, 0);
}

/* ---- WebP ---- */

/* Appends a RIFF/WEBP header; the RIFF size is fixed up by webp_done. */
static inline void
webp_start(bb *b)
{
	bb_str(b, "RIFF");
	bb_le32(b, 0);
	bb_str(b, "WEBP");
}

/* Sets the RIFF size from the buffer length. */
static inline void
webp_done(bb *b)
{
	bb_set_le32(b, 4, (uint32_t) b->len - 8);
}

/* ---- TIFF ---- */

/* Appends a little-endian IFD entry. */
static inline void
tiff_entry(bb *b, int tag, int type, uint32_t count, uint32_t value)
{
	bb_le16(b, tag);
	bb_le16(b, type);
	bb_le32(b, count);
	if (type == 3 && count == 1)
	{
		bb_le16(b, value);
		bb_le16(b, 0);
	}
	else
		bb_le32(b, value);
}

#endif
