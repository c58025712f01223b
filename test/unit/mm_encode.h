/*
 * mm_encode.h - encoders and decoders of test images for the thumbnail
 * unit tests (test_thumbnail_*.c) on mm_bytes.h's byte buffer: an 8-bit
 * image of 1-4 channels; JPEG (baseline, progressive, arithmetic, gray,
 * CMYK and YCCK with an Adobe marker, every chroma subsampling, EXIF
 * orientations) and PNG (every color type and bit depth, palette and tRNS,
 * 16-bit, interlaced) through libjpeg and libpng; GIF and BMP built by
 * hand.
 */
#ifndef MM_ENCODE_H
#define MM_ENCODE_H

#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <png.h>
#include <zlib.h>

#include "mm_bytes.h"

/* ---------------------------------------------------------------- utils */

/* An 8-bit image of 1-4 channels. */
typedef struct img
{
	int			w;
	int			h;
	int			nch;
	uint8_t    *px;
} img;

/* A new zeroed image. */
static inline img
img_new(int w, int h, int nch)
{
	img			im;

	im.w = w;
	im.h = h;
	im.nch = nch;
	im.px = calloc((size_t) w * h, (size_t) nch);
	if (im.px == NULL)
		abort();
	return im;
}

/* Pointer to pixel (x, y). */
static inline uint8_t *
img_at(const img *im, int x, int y)
{
	return im->px + ((size_t) y * im->w + x) * im->nch;
}

/* ------------------------------------------------------------- JPEG */

typedef struct jpeg_opts
{
	int			quality;
	int			progressive;
	int			arith;
	int			hs;				/* luma sampling factors */
	int			vs;
	int			exif_o;			/* 0: no EXIF */
	int			cmyk;			/* 0 no, 1 CMYK, 2 YCCK (input is inverted CMYK) */
	int			markers;		/* add an ICC APP2 and a COM */
} jpeg_opts;

/* Encodes im (gray, RGB or inverted CMYK) as JPEG; malloc'd result. */
static inline uint8_t *
make_jpeg(const img *im, const jpeg_opts *o, size_t *len)
{
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr jerr;
	unsigned char *out = NULL;
	unsigned long size = 0;
	int			y;

	c.err = jpeg_std_error(&jerr);
	jpeg_create_compress(&c);
	jpeg_mem_dest(&c, &out, &size);
	c.image_width = (JDIMENSION) im->w;
	c.image_height = (JDIMENSION) im->h;
	c.input_components = im->nch;
	c.in_color_space = im->nch == 1 ? JCS_GRAYSCALE : im->nch == 3 ? JCS_RGB : JCS_CMYK;
	jpeg_set_defaults(&c);
	if (o->cmyk == 2)
		jpeg_set_colorspace(&c, JCS_YCCK);
	jpeg_set_quality(&c, o->quality ? o->quality : 90, TRUE);
	if (im->nch >= 3)
	{
		c.comp_info[0].h_samp_factor = o->hs ? o->hs : 1;
		c.comp_info[0].v_samp_factor = o->vs ? o->vs : 1;
	}
	if (o->progressive)
		jpeg_simple_progression(&c);
	c.arith_code = o->arith ? TRUE : FALSE;
	jpeg_start_compress(&c, TRUE);
	if (o->exif_o)
	{
		static const uint8_t exif_hdr[] = {'E', 'x', 'i', 'f', 0, 0, 'M', 'M', 0, 42,
			0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1};
		uint8_t		exif[sizeof(exif_hdr) + 8];

		memcpy(exif, exif_hdr, sizeof(exif_hdr));
		memset(exif + sizeof(exif_hdr), 0, 8);
		exif[sizeof(exif_hdr) + 1] = (uint8_t) o->exif_o;
		jpeg_write_marker(&c, JPEG_APP0 + 1, exif, sizeof(exif));
	}
	if (o->markers)
	{
		uint8_t		icc[14 + 64];
		const char *com = "made by test_thumbnail";

		memcpy(icc, "ICC_PROFILE\0\1\1", 14);
		for (y = 0; y < 64; y++)
			icc[14 + y] = (uint8_t) (y * 7);
		jpeg_write_marker(&c, JPEG_APP0 + 2, icc, sizeof(icc));
		jpeg_write_marker(&c, JPEG_COM, (const JOCTET *) com, (unsigned) strlen(com));
	}
	for (y = 0; y < im->h; y++)
	{
		JSAMPROW	row = img_at(im, 0, y);

		jpeg_write_scanlines(&c, &row, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	*len = size;
	return out;
}

/* Error manager for decoding test outputs: a failure is a test failure. */
typedef struct test_jerr
{
	struct jpeg_error_mgr pub;
	jmp_buf		jb;
} test_jerr;

/* Longjmps out of libjpeg on error. */
static inline void
test_jerr_exit(j_common_ptr cinfo)
{
	longjmp(((test_jerr *) cinfo->err)->jb, 1);
}

/* Prints nothing. */
static inline void
test_jerr_output(j_common_ptr cinfo)
{
	(void) cinfo;
}

/*
 * Decodes a JPEG into RGB (raw = 0) or its native components (raw = 1,
 * for pixel-identity checks); *ncomp gets the file's component count.
 * Returns 0 on success.
 */
static inline int
decode_jpeg(const uint8_t *p, size_t len, int raw, img *out, int *ncomp)
{
	struct jpeg_decompress_struct d;
	test_jerr	jerr;
	img			im = {0, 0, 0, NULL};

	d.err = jpeg_std_error(&jerr.pub);
	jerr.pub.error_exit = test_jerr_exit;
	jerr.pub.output_message = test_jerr_output;
	if (setjmp(jerr.jb))
	{
		jpeg_destroy_decompress(&d);
		free(im.px);
		return -1;
	}
	jpeg_create_decompress(&d);
	jpeg_mem_src(&d, p, (unsigned long) len);
	jpeg_read_header(&d, TRUE);
	if (ncomp != NULL)
		*ncomp = d.num_components;
	if (!raw)
		d.out_color_space = d.jpeg_color_space == JCS_GRAYSCALE ? JCS_GRAYSCALE :
			(d.num_components == 4 ? JCS_CMYK : JCS_RGB);
	jpeg_start_decompress(&d);
	im = img_new((int) d.output_width, (int) d.output_height, d.output_components);
	while (d.output_scanline < d.output_height)
	{
		JSAMPROW	row = img_at(&im, 0, (int) d.output_scanline);

		jpeg_read_scanlines(&d, &row, 1);
	}
	jpeg_finish_decompress(&d);
	jpeg_destroy_decompress(&d);
	if (!raw && im.nch == 1)
	{
		img			rgb = img_new(im.w, im.h, 3);
		size_t		i;

		for (i = 0; i < (size_t) im.w * im.h; i++)
			memset(rgb.px + i * 3, im.px[i], 3);
		free(im.px);
		im = rgb;
	}
	*out = im;
	return 0;
}

/* ------------------------------------------------------------- PNG */

/* Decodes a PNG into RGBA; *had_alpha says whether the file has alpha. */
static inline int
decode_png(const uint8_t *p, size_t len, img *out, int *had_alpha)
{
	png_image	pi;
	img			im;

	memset(&pi, 0, sizeof(pi));
	pi.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_memory(&pi, p, len))
		return -1;
	if (had_alpha != NULL)
		*had_alpha = (pi.format & PNG_FORMAT_FLAG_ALPHA) != 0;
	pi.format = PNG_FORMAT_RGBA;
	im = img_new((int) pi.width, (int) pi.height, 4);
	if (!png_image_finish_read(&pi, NULL, im.px, 0, NULL))
	{
		free(im.px);
		png_image_free(&pi);
		return -1;
	}
	*out = im;
	return 0;
}

/* png_write callbacks into a bb. */
static inline void
png_buf_write(png_structp png, png_bytep d, size_t n)
{
	bb_put(png_get_io_ptr(png), d, n);
}

/* Nothing to flush. */
static inline void
png_buf_flush(png_structp png)
{
	(void) png;
}

/*
 * A w x h PNG of color type ctype and bit depth depth, left half "A" and
 * right half "B":
 *   gray: black | white (tRNS: black is transparent)
 *   gray+alpha: transparent | opaque black
 *   RGB: red | blue (tRNS: red is transparent)
 *   RGBA: transparent | opaque blue
 *   palette: index 0 red | index 1 blue (tRNS: index 0 transparent)
 */
static inline uint8_t *
make_png(int w, int h, int ctype, int depth, int interlace, int trns, size_t *len)
{
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop	info = png_create_info_struct(png);
	int			bpp = (depth == 16 ? 2 : 1) * png_get_channels(png, info);
	int			chans;
	uint8_t    *data;
	png_bytep  *rows;
	bb			b = {NULL, 0, 0};
	int			maxv = (1 << (depth == 16 ? 8 : depth)) - 1;
	int			x;
	int			y;

	switch (ctype)
	{
		case PNG_COLOR_TYPE_GRAY:
		case PNG_COLOR_TYPE_PALETTE:
			chans = 1;
			break;
		case PNG_COLOR_TYPE_GRAY_ALPHA:
			chans = 2;
			break;
		case PNG_COLOR_TYPE_RGB:
			chans = 3;
			break;
		default:
			chans = 4;
			break;
	}
	bpp = chans * (depth == 16 ? 2 : 1);
	png_set_write_fn(png, &b, png_buf_write, png_buf_flush);
	png_set_IHDR(png, info, (png_uint_32) w, (png_uint_32) h, depth, ctype,
				 interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
				 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	if (ctype == PNG_COLOR_TYPE_PALETTE)
	{
		png_color	pal[4] = {{255, 0, 0}, {0, 0, 255}, {0, 255, 0}, {9, 9, 9}};
		png_byte	ta[2] = {0, 255};

		png_set_PLTE(png, info, pal, depth == 1 ? 2 : 4);
		if (trns)
			png_set_tRNS(png, info, ta, 2, NULL);
	}
	else if (trns)
	{
		png_color_16 tc;

		memset(&tc, 0, sizeof(tc));
		if (ctype == PNG_COLOR_TYPE_RGB)
			tc.red = (png_uint_16) (depth == 16 ? 65535 : 255);
		png_set_tRNS(png, info, NULL, 0, &tc);
	}
	png_write_info(png, info);
	if (depth < 8)
		png_set_packing(png);
	data = calloc((size_t) w * h, (size_t) bpp);
	rows = malloc(sizeof(png_bytep) * h);
	for (y = 0; y < h; y++)
	{
		rows[y] = data + (size_t) y * w * bpp;
		for (x = 0; x < w; x++)
		{
			uint8_t    *p = rows[y] + (size_t) x * bpp;
			int			right = x >= w / 2;
			int			v[4] = {0, 0, 0, 0};
			int			c;

			switch (ctype)
			{
				case PNG_COLOR_TYPE_GRAY:
					v[0] = right ? maxv : 0;
					break;
				case PNG_COLOR_TYPE_PALETTE:
					v[0] = right ? 1 : 0;
					break;
				case PNG_COLOR_TYPE_GRAY_ALPHA:
					v[0] = right ? 0 : maxv;
					v[1] = right ? maxv : 0;
					break;
				case PNG_COLOR_TYPE_RGB:
					v[0] = right ? 0 : maxv;
					v[2] = right ? maxv : 0;
					break;
				default:
					v[0] = right ? 0 : maxv;
					v[2] = right ? maxv : 0;
					v[3] = right ? maxv : 0;
					break;
			}
			for (c = 0; c < chans; c++)
			{
				if (depth == 16)
				{
					p[2 * c] = (uint8_t) v[c];
					p[2 * c + 1] = (uint8_t) v[c];
				}
				else
					p[c] = (uint8_t) v[c];
			}
		}
	}
	png_write_image(png, rows);
	png_write_end(png, info);
	png_destroy_write_struct(&png, &info);
	free(rows);
	free(data);
	*len = b.len;
	return b.p;
}

/* ------------------------------------------------------------- GIF */

/*
 * Appends LZW data for the indices (min code size 8) without compression:
 * a clear code every 250 literals keeps the code size at 9 bits.
 */
static inline void
gif_lzw(bb *b, const uint8_t *idx, size_t n)
{
	bb			codes = {NULL, 0, 0};
	uint32_t	acc = 0;
	int			nbits = 0;
	size_t		i;
	size_t		off;

#define EMIT(code) do { acc |= (uint32_t) (code) << nbits; nbits += 9; \
	while (nbits >= 8) { bb_u8(&codes, acc & 0xFF); acc >>= 8; nbits -= 8; } } while (0)
	for (i = 0; i < n; i++)
	{
		if (i % 250 == 0)
			EMIT(256);
		EMIT(idx[i]);
	}
	EMIT(257);
	if (nbits > 0)
		bb_u8(&codes, acc & 0xFF);
#undef EMIT
	bb_u8(b, 8);
	for (off = 0; off < codes.len; off += 255)
	{
		size_t		k = codes.len - off > 255 ? 255 : codes.len - off;

		bb_u8(b, (unsigned) k);
		bb_put(b, codes.p + off, k);
	}
	bb_u8(b, 0);
	free(codes.p);
}

/*
 * A GIF with a cw x ch screen and one fw x fh frame at (fx, fy): indices
 * 0 (red) on the left half of the frame, 1 (blue) on the right; the
 * bottom-right quarter uses index 2, which is transparent when trns is
 * set (else green).  local puts the palette in a local color table.
 */
static inline uint8_t *
make_gif(int cw, int ch, int fx, int fy, int fw, int fh, int trns, int interlaced,
		 int local, size_t *len)
{
	static const uint8_t pal[12] = {255, 0, 0, 0, 0, 255, 0, 255, 0, 0, 0, 0};
	bb			b = {NULL, 0, 0};
	uint8_t    *idx = malloc((size_t) fw * fh);
	size_t		n = 0;
	int			pass;
	int			y;
	int			x;

	bb_put(&b, "GIF89a", 6);
	bb_le16(&b, (unsigned) cw);
	bb_le16(&b, (unsigned) ch);
	bb_u8(&b, local ? 0x00 : 0x81);	/* global table of 4 entries */
	bb_u8(&b, 0);
	bb_u8(&b, 0);
	if (!local)
		bb_put(&b, pal, 12);
	/* a comment extension, to be skipped */
	bb_put(&b, "\x21\xFE\x05hello\x00", 9);
	if (trns)
		bb_put(&b, "\x21\xF9\x04\x01\x00\x00\x02\x00", 8);
	bb_u8(&b, 0x2C);
	bb_le16(&b, (unsigned) fx);
	bb_le16(&b, (unsigned) fy);
	bb_le16(&b, (unsigned) fw);
	bb_le16(&b, (unsigned) fh);
	bb_u8(&b, (interlaced ? 0x40 : 0) | (local ? 0x81 : 0));
	if (local)
		bb_put(&b, pal, 12);
	for (pass = 0; pass < (interlaced ? 4 : 1); pass++)
	{
		static const int start[4] = {0, 4, 2, 1};
		static const int step[4] = {8, 8, 4, 2};

		for (y = interlaced ? start[pass] : 0; y < fh; y += interlaced ? step[pass] : 1)
			for (x = 0; x < fw; x++)
				idx[n++] = (uint8_t) ((x >= fw / 2 && y >= fh / 2) ? 2 : (x >= fw / 2 ? 1 : 0));
	}
	gif_lzw(&b, idx, n);
	bb_u8(&b, 0x3B);
	free(idx);
	*len = b.len;
	return b.p;
}

/* ------------------------------------------------------------- BMP */

/*
 * A w x h BMP (h < 0: top-down) whose left half is red and right half
 * blue, in the given bit depth.  kind: 0 BITMAPINFOHEADER, 1 V5 header
 * with bit fields (16: 565, 32: with alpha, right half half-transparent),
 * 2 OS/2 core header, 3 RLE8, 4 OS/2 2.x header of 16 bytes (a
 * BITMAPINFOHEADER cut after the bit count; 4-byte palette entries).
 */
static inline uint8_t *
make_bmp(int w, int h, int bpp, int kind, size_t *len)
{
	bb			b = {NULL, 0, 0};
	int			ah = h < 0 ? -h : h;
	int			hs = kind == 1 ? 124 : kind == 2 ? 12 : kind == 4 ? 16 : 40;
	int			ncol = bpp <= 8 ? (1 << bpp) : 0;
	int			esz = kind == 2 ? 3 : 4;
	size_t		stride = (((size_t) w * bpp + 31) / 32) * 4;
	size_t		off = 14 + (size_t) hs + (size_t) ncol * esz;
	bb			px = {NULL, 0, 0};
	int			x;
	int			y;
	int			i;

	for (y = 0; y < ah; y++)
	{
		if (kind == 3)
		{
			/* RLE8: one run of index 0, one of index 1, end of line */
			bb_u8(&px, (unsigned) (w / 2));
			bb_u8(&px, 0);
			bb_u8(&px, (unsigned) (w - w / 2));
			bb_u8(&px, 1);
			bb_u8(&px, 0);
			bb_u8(&px, 0);
			continue;
		}
		{
			uint8_t    *row = calloc(stride, 1);

			for (x = 0; x < w; x++)
			{
				int			right = x >= w / 2;

				switch (bpp)
				{
					case 1:
					case 4:
					case 8:
						if (right)
							row[(x * bpp) / 8] |= (uint8_t) (1 << (8 - bpp - (x * bpp) % 8));
						break;
					case 16:
						if (kind == 1)
						{
							uint16_t	v = right ? 0x001F : 0xF800;

							row[2 * x] = v & 0xFF;
							row[2 * x + 1] = v >> 8;
						}
						else
						{
							uint16_t	v = right ? 0x001F : 0x7C00;

							row[2 * x] = v & 0xFF;
							row[2 * x + 1] = v >> 8;
						}
						break;
					case 24:
						row[3 * x] = right ? 255 : 0;
						row[3 * x + 2] = right ? 0 : 255;
						break;
					default:
						row[4 * x] = right ? 255 : 0;
						row[4 * x + 2] = right ? 0 : 255;
						row[4 * x + 3] = kind == 1 ? (right ? 128 : 255) : 0;
						break;
				}
			}
			bb_put(&px, row, stride);
			free(row);
		}
	}
	if (kind == 3)
	{
		bb_u8(&px, 0);
		bb_u8(&px, 1);
	}
	bb_put(&b, "BM", 2);
	bb_le32(&b, (uint32_t) (off + px.len));
	bb_le32(&b, 0);
	bb_le32(&b, (uint32_t) off);
	bb_le32(&b, (uint32_t) hs);
	if (kind == 2)
	{
		bb_le16(&b, (unsigned) w);
		bb_le16(&b, (unsigned) ah);
		bb_le16(&b, 1);
		bb_le16(&b, (unsigned) bpp);
	}
	else if (kind == 4)
	{
		bb_le32(&b, (uint32_t) w);
		bb_le32(&b, (uint32_t) h);
		bb_le16(&b, 1);
		bb_le16(&b, (unsigned) bpp);
	}
	else
	{
		bb_le32(&b, (uint32_t) w);
		bb_le32(&b, (uint32_t) h);
		bb_le16(&b, 1);
		bb_le16(&b, (unsigned) bpp);
		bb_le32(&b, kind == 3 ? 1 : (kind == 1 ? 3 : 0));
		bb_le32(&b, (uint32_t) px.len);
		bb_le32(&b, 2835);
		bb_le32(&b, 2835);
		bb_le32(&b, 0);
		bb_le32(&b, 0);
		if (kind == 1)
		{
			/* masks R, G, B, A, then the rest of the V5 header */
			if (bpp == 16)
			{
				bb_le32(&b, 0xF800);
				bb_le32(&b, 0x07E0);
				bb_le32(&b, 0x001F);
				bb_le32(&b, 0);
			}
			else
			{
				bb_le32(&b, 0x00FF0000);
				bb_le32(&b, 0x0000FF00);
				bb_le32(&b, 0x000000FF);
				bb_le32(&b, 0xFF000000);
			}
			bb_le32(&b, 0x73524742);	/* 'sRGB' */
			for (i = 0; i < 64 / 4; i++)
				bb_le32(&b, 0);	/* endpoints, gamma, intent, profile, reserved */
		}
	}
	for (i = 0; i < ncol; i++)
	{
		/* palette: 0 red, 1 blue, rest gray (BGR order) */
		uint8_t		e[4] = {0, 0, 0, 0};

		if (i == 0)
			e[2] = 255;
		else if (i == 1)
			e[0] = 255;
		else
			e[0] = e[1] = e[2] = 128;
		bb_put(&b, e, (size_t) esz);
	}
	bb_put(&b, px.p, px.len);
	free(px.p);
	*len = b.len;
	return b.p;
}

#endif
