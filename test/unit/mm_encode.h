/*
 * test_thumbnail.c - unit tests of mm_thumbnail() and mm_jpeg_optimize().
 *
 * Images are synthesized here with libjpeg and libpng (JPEG: baseline,
 * progressive, arithmetic, grayscale, CMYK and YCCK with an Adobe marker,
 * every chroma subsampling, EXIF orientations 1-8; PNG: every color type
 * and bit depth, palette and tRNS, 16-bit, interlaced) and GIF and BMP are
 * built by hand.  Each thumbnail is decoded again and checked for size,
 * aspect ratio, orientation (a red top-left quadrant must land top left),
 * colors and alpha.  Limits, the interrupt callback, corrupt and truncated
 * inputs and the allocator hook (no leaks, no big allocation before the
 * pixel limit is checked) are tested too, then every valid JPEG, PNG, GIF
 * and BMP of the shared corpus ($MM_CORPUS_DIR, else
 * ../../../shared/corpus; skipped when absent).
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <png.h>
#include <zlib.h>

#include "image/image.h"
#include "mm_test.h"
#include "mm_alloc.h"
#include "mm_cmyk.h"
#include "mm_file.h"

/* ---------------------------------------------------------------- utils */

/* A growable byte buffer (test code: aborts when out of memory). */
typedef struct buf
{
	uint8_t    *p;
	size_t		len;
	size_t		cap;
} buf;

/* Appends n bytes to b. */
static void
buf_put(buf *b, const void *d, size_t n)
{
	if (b->len + n > b->cap)
	{
		size_t		cap = b->cap ? b->cap * 2 : 256;

		while (cap < b->len + n)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (b->p == NULL)
			abort();
		b->cap = cap;
	}
	memcpy(b->p + b->len, d, n);
	b->len += n;
}

/* Appends one byte. */
static void
buf_u8(buf *b, unsigned v)
{
	uint8_t		c = (uint8_t) v;

	buf_put(b, &c, 1);
}

/* Appends a little-endian 16-bit value. */
static void
buf_le16(buf *b, unsigned v)
{
	buf_u8(b, v & 0xFF);
	buf_u8(b, (v >> 8) & 0xFF);
}

/* Appends a little-endian 32-bit value. */
static void
buf_le32(buf *b, uint32_t v)
{
	buf_le16(b, v & 0xFFFF);
	buf_le16(b, v >> 16);
}

/* An 8-bit image of 1-4 channels. */
typedef struct img
{
	int			w;
	int			h;
	int			nch;
	uint8_t    *px;
} img;

/* A new zeroed image. */
static img
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
static uint8_t *
img_at(const img *im, int x, int y)
{
	return im->px + ((size_t) y * im->w + x) * im->nch;
}

/* Whether two colors differ by at most tol in each of n channels. */
static int
near(const uint8_t *a, const uint8_t *b, int n, int tol)
{
	int			i;

	for (i = 0; i < n; i++)
		if (abs((int) a[i] - (int) b[i]) > tol)
			return 0;
	return 1;
}

static const uint8_t RED[4] = {255, 0, 0, 255};
static const uint8_t GREEN[4] = {0, 255, 0, 255};
static const uint8_t BLUE[4] = {0, 0, 255, 255};
static const uint8_t WHITE[4] = {255, 255, 255, 255};
static const uint8_t BLACK[4] = {0, 0, 0, 255};

/* Quadrant colors of the orientation test image: red, green / blue, white. */
static const uint8_t *
quadrant(int X, int Y, int W, int H)
{
	if (Y < H / 2)
		return X < W / 2 ? RED : GREEN;
	return X < W / 2 ? BLUE : WHITE;
}

/* Display position of stored pixel (x, y) of a w x h image, orientation o. */
static void
orient_map(int o, int x, int y, int w, int h, int *X, int *Y)
{
	switch (o)
	{
		case 2:
			*X = w - 1 - x;
			*Y = y;
			break;
		case 3:
			*X = w - 1 - x;
			*Y = h - 1 - y;
			break;
		case 4:
			*X = x;
			*Y = h - 1 - y;
			break;
		case 5:
			*X = y;
			*Y = x;
			break;
		case 6:
			*X = h - 1 - y;
			*Y = x;
			break;
		case 7:
			*X = h - 1 - y;
			*Y = w - 1 - x;
			break;
		case 8:
			*X = y;
			*Y = w - 1 - x;
			break;
		default:
			*X = x;
			*Y = y;
			break;
	}
}

/* Absolute value of a double. */
static double
fabs_d(double v)
{
	return v < 0 ? -v : v;
}

/* Whether needle occurs in hay (memmem is not C99). */
static int
contains(const uint8_t *hay, size_t n, const void *needle, size_t k)
{
	size_t		i;

	for (i = 0; k <= n && i <= n - k; i++)
		if (memcmp(hay + i, needle, k) == 0)
			return 1;
	return 0;
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
static uint8_t *
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
static void
test_jerr_exit(j_common_ptr cinfo)
{
	longjmp(((test_jerr *) cinfo->err)->jb, 1);
}

/* Prints nothing. */
static void
test_jerr_output(j_common_ptr cinfo)
{
	(void) cinfo;
}

/*
 * Decodes a JPEG into RGB (raw = 0) or its native components (raw = 1,
 * for pixel-identity checks); *ncomp gets the file's component count.
 * Returns 0 on success.
 */
static int
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
static int
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

/* png_write callbacks into a buf. */
static void
png_buf_write(png_structp png, png_bytep d, size_t n)
{
	buf_put(png_get_io_ptr(png), d, n);
}

/* Nothing to flush. */
static void
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
static uint8_t *
make_png(int w, int h, int ctype, int depth, int interlace, int trns, size_t *len)
{
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop	info = png_create_info_struct(png);
	int			bpp = (depth == 16 ? 2 : 1) * png_get_channels(png, info);
	int			chans;
	uint8_t    *data;
	png_bytep  *rows;
	buf			b = {NULL, 0, 0};
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
static void
gif_lzw(buf *b, const uint8_t *idx, size_t n)
{
	buf			codes = {NULL, 0, 0};
	uint32_t	acc = 0;
	int			nbits = 0;
	size_t		i;
	size_t		off;

#define EMIT(code) do { acc |= (uint32_t) (code) << nbits; nbits += 9; \
	while (nbits >= 8) { buf_u8(&codes, acc & 0xFF); acc >>= 8; nbits -= 8; } } while (0)
	for (i = 0; i < n; i++)
	{
		if (i % 250 == 0)
			EMIT(256);
		EMIT(idx[i]);
	}
	EMIT(257);
	if (nbits > 0)
		buf_u8(&codes, acc & 0xFF);
#undef EMIT
	buf_u8(b, 8);
	for (off = 0; off < codes.len; off += 255)
	{
		size_t		k = codes.len - off > 255 ? 255 : codes.len - off;

		buf_u8(b, (unsigned) k);
		buf_put(b, codes.p + off, k);
	}
	buf_u8(b, 0);
	free(codes.p);
}

/*
 * A GIF with a cw x ch screen and one fw x fh frame at (fx, fy): indices
 * 0 (red) on the left half of the frame, 1 (blue) on the right; the
 * bottom-right quarter uses index 2, which is transparent when trns is
 * set (else green).  local puts the palette in a local color table.
 */
static uint8_t *
make_gif(int cw, int ch, int fx, int fy, int fw, int fh, int trns, int interlaced,
		 int local, size_t *len)
{
	static const uint8_t pal[12] = {255, 0, 0, 0, 0, 255, 0, 255, 0, 0, 0, 0};
	buf			b = {NULL, 0, 0};
	uint8_t    *idx = malloc((size_t) fw * fh);
	size_t		n = 0;
	int			pass;
	int			y;
	int			x;

	buf_put(&b, "GIF89a", 6);
	buf_le16(&b, (unsigned) cw);
	buf_le16(&b, (unsigned) ch);
	buf_u8(&b, local ? 0x00 : 0x81);	/* global table of 4 entries */
	buf_u8(&b, 0);
	buf_u8(&b, 0);
	if (!local)
		buf_put(&b, pal, 12);
	/* a comment extension, to be skipped */
	buf_put(&b, "\x21\xFE\x05hello\x00", 9);
	if (trns)
		buf_put(&b, "\x21\xF9\x04\x01\x00\x00\x02\x00", 8);
	buf_u8(&b, 0x2C);
	buf_le16(&b, (unsigned) fx);
	buf_le16(&b, (unsigned) fy);
	buf_le16(&b, (unsigned) fw);
	buf_le16(&b, (unsigned) fh);
	buf_u8(&b, (interlaced ? 0x40 : 0) | (local ? 0x81 : 0));
	if (local)
		buf_put(&b, pal, 12);
	for (pass = 0; pass < (interlaced ? 4 : 1); pass++)
	{
		static const int start[4] = {0, 4, 2, 1};
		static const int step[4] = {8, 8, 4, 2};

		for (y = interlaced ? start[pass] : 0; y < fh; y += interlaced ? step[pass] : 1)
			for (x = 0; x < fw; x++)
				idx[n++] = (uint8_t) ((x >= fw / 2 && y >= fh / 2) ? 2 : (x >= fw / 2 ? 1 : 0));
	}
	gif_lzw(&b, idx, n);
	buf_u8(&b, 0x3B);
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
static uint8_t *
make_bmp(int w, int h, int bpp, int kind, size_t *len)
{
	buf			b = {NULL, 0, 0};
	int			ah = h < 0 ? -h : h;
	int			hs = kind == 1 ? 124 : kind == 2 ? 12 : kind == 4 ? 16 : 40;
	int			ncol = bpp <= 8 ? (1 << bpp) : 0;
	int			esz = kind == 2 ? 3 : 4;
	size_t		stride = (((size_t) w * bpp + 31) / 32) * 4;
	size_t		off = 14 + (size_t) hs + (size_t) ncol * esz;
	buf			px = {NULL, 0, 0};
	int			x;
	int			y;
	int			i;

	for (y = 0; y < ah; y++)
	{
		if (kind == 3)
		{
			/* RLE8: one run of index 0, one of index 1, end of line */
			buf_u8(&px, (unsigned) (w / 2));
			buf_u8(&px, 0);
			buf_u8(&px, (unsigned) (w - w / 2));
			buf_u8(&px, 1);
			buf_u8(&px, 0);
			buf_u8(&px, 0);
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
			buf_put(&px, row, stride);
			free(row);
		}
	}
	if (kind == 3)
	{
		buf_u8(&px, 0);
		buf_u8(&px, 1);
	}
	buf_put(&b, "BM", 2);
	buf_le32(&b, (uint32_t) (off + px.len));
	buf_le32(&b, 0);
	buf_le32(&b, (uint32_t) off);
	buf_le32(&b, (uint32_t) hs);
	if (kind == 2)
	{
		buf_le16(&b, (unsigned) w);
		buf_le16(&b, (unsigned) ah);
		buf_le16(&b, 1);
		buf_le16(&b, (unsigned) bpp);
	}
	else if (kind == 4)
	{
		buf_le32(&b, (uint32_t) w);
		buf_le32(&b, (uint32_t) h);
		buf_le16(&b, 1);
		buf_le16(&b, (unsigned) bpp);
	}
	else
	{
		buf_le32(&b, (uint32_t) w);
		buf_le32(&b, (uint32_t) h);
		buf_le16(&b, 1);
		buf_le16(&b, (unsigned) bpp);
		buf_le32(&b, kind == 3 ? 1 : (kind == 1 ? 3 : 0));
		buf_le32(&b, (uint32_t) px.len);
		buf_le32(&b, 2835);
		buf_le32(&b, 2835);
		buf_le32(&b, 0);
		buf_le32(&b, 0);
		if (kind == 1)
		{
			/* masks R, G, B, A, then the rest of the V5 header */
			if (bpp == 16)
			{
				buf_le32(&b, 0xF800);
				buf_le32(&b, 0x07E0);
				buf_le32(&b, 0x001F);
				buf_le32(&b, 0);
			}
			else
			{
				buf_le32(&b, 0x00FF0000);
				buf_le32(&b, 0x0000FF00);
				buf_le32(&b, 0x000000FF);
				buf_le32(&b, 0xFF000000);
			}
			buf_le32(&b, 0x73524742);	/* 'sRGB' */
			for (i = 0; i < 64 / 4; i++)
				buf_le32(&b, 0);	/* endpoints, gamma, intent, profile, reserved */
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
		buf_put(&b, e, (size_t) esz);
	}
	buf_put(&b, px.p, px.len);
	free(px.p);
	*len = b.len;
	return b.p;
}

/* ------------------------------------------------------ thumbnail check */

/*
 * Decodes a thumbnail (JPEG or PNG, per fmt) into RGBA; returns 0 on
 * success and says whether the file had alpha.
 */
static int
decode_thumb(const uint8_t *p, size_t len, mm_thumb_format fmt, img *out, int *had_alpha)
{
	img			rgb;
	size_t		i;

	if (fmt == MM_THUMB_PNG)
		return decode_png(p, len, out, had_alpha);
	if (decode_jpeg(p, len, 0, &rgb, NULL) != 0)
		return -1;
	*out = img_new(rgb.w, rgb.h, 4);
	for (i = 0; i < (size_t) rgb.w * rgb.h; i++)
	{
		memcpy(out->px + i * 4, rgb.px + i * 3, 3);
		out->px[i * 4 + 3] = 255;
	}
	free(rgb.px);
	if (had_alpha != NULL)
		*had_alpha = 0;
	return 0;
}

/*
 * Makes a thumbnail of src into box and decodes it: checks the status,
 * that the result decodes, fits the box, is no larger than the display
 * size and keeps its aspect ratio within a pixel.  Returns the decoded
 * RGBA thumbnail (px NULL on failure).
 */
static img
thumb_check(const char *what, const uint8_t *src, size_t len, int box_w, int box_h,
			mm_thumb_format fmt, int disp_w, int disp_h, mm_thumb_info *info_out)
{
	uint8_t    *out = NULL;
	size_t		out_len = 0;
	mm_thumb_info info;
	char		err[256];
	mm_img_status st;
	img			im = {0, 0, 0, NULL};
	int			ok;
	double		aspect_w;
	double		aspect_h;

	st = mm_thumbnail(src, len, box_w, box_h, fmt, 90, NULL, &out, &out_len, &info,
					  err, sizeof(err));
	MM_CHECK(st == MM_IMG_OK, "%s: thumbnail ok (%s%s%s)", what, mm_img_status_name(st),
			 st ? ": " : "", st ? err : "");
	if (info_out != NULL)
		*info_out = info;
	if (st != MM_IMG_OK)
		return im;
	ok = decode_thumb(out, out_len, fmt, &im, NULL) == 0;
	MM_CHECK(ok, "%s: output decodes", what);
	free(out);
	if (!ok)
	{
		im.px = NULL;
		return im;
	}
	MM_CHECK(info.src_width == disp_w && info.src_height == disp_h,
			 "%s: source display size %dx%d (want %dx%d)", what,
			 info.src_width, info.src_height, disp_w, disp_h);
	/* aspect within one pixel: the other side computed from each side */
	aspect_h = (double) disp_h * im.w / disp_w;
	aspect_w = (double) disp_w * im.h / disp_h;
	MM_CHECK(im.w >= 1 && im.h >= 1 && im.w <= box_w && im.h <= box_h &&
			 im.w <= disp_w && im.h <= disp_h &&
			 (fabs_d(aspect_h - im.h) <= 1.0 || fabs_d(aspect_w - im.w) <= 1.0) &&
			 (im.w == box_w || im.h == box_h || (im.w == disp_w && im.h == disp_h)) &&
			 im.w == info.out_width && im.h == info.out_height,
			 "%s: %dx%d fits %dx%d with the aspect of %dx%d", what, im.w, im.h,
			 box_w, box_h, disp_w, disp_h);
	return im;
}

/*
 * Checks the colors at the centers of the four quadrants of a thumbnail
 * (red, green, blue, white; as CMYK inks through the fallback profile when
 * cmyk is set).
 */
static void
check_quadrants_of(const char *what, const img *im, int tol, int cmyk)
{
	static const char *names[4] = {"top-left red", "top-right green",
	"bottom-left blue", "bottom-right white"};
	const uint8_t *want[4] = {RED, GREEN, BLUE, WHITE};
	uint8_t		inked[4][3];
	int			q;

	for (q = 0; q < 4 && cmyk; q++)
	{
		mm_cmyk_expect(want[q], inked[q]);
		want[q] = inked[q];
	}

	for (q = 0; q < 4; q++)
	{
		int			x = (q % 2) ? im->w * 3 / 4 : im->w / 4;
		int			y = (q / 2) ? im->h * 3 / 4 : im->h / 4;
		const uint8_t *p = img_at(im, x, y);

		MM_CHECK(near(p, want[q], 3, tol), "%s: %s (got %d,%d,%d)", what, names[q],
				 p[0], p[1], p[2]);
	}
}

/* Checks the four quadrants' pure colors (see check_quadrants_of). */
static void
check_quadrants(const char *what, const img *im, int tol)
{
	check_quadrants_of(what, im, tol, 0);
}

/* The quadrant test image as stored for orientation o (display w x h). */
static img
quadrant_image(int dw, int dh, int o, int nch)
{
	int			swap = o >= 5;
	int			sw = swap ? dh : dw;
	int			sh = swap ? dw : dh;
	img			im = img_new(sw, sh, nch);
	int			x;
	int			y;

	for (y = 0; y < sh; y++)
		for (x = 0; x < sw; x++)
		{
			int			X;
			int			Y;
			const uint8_t *c;
			uint8_t    *p = img_at(&im, x, y);

			orient_map(o, x, y, sw, sh, &X, &Y);
			c = quadrant(X, Y, dw, dh);
			if (nch == 3)
				memcpy(p, c, 3);
			else if (nch == 1)
				p[0] = c == RED ? 60 : c == GREEN ? 120 : c == BLUE ? 180 : 240;
			else
			{
				/* Adobe (inverted) CMYK: 255 means no ink */
				p[0] = (uint8_t) c[0];
				p[1] = (uint8_t) c[1];
				p[2] = (uint8_t) c[2];
				p[3] = 255;
			}
		}
	return im;
}

/* ------------------------------------------------------------- tests */

/* JPEG flavors: sampling, progressive, arithmetic, gray, CMYK, YCCK. */
static void
test_jpeg_variants(void)
{
	static const struct
	{
		const char *name;
		int			nch;
		jpeg_opts	o;
	}			v[] = {
		{"baseline 4:4:4", 3, {90, 0, 0, 1, 1, 0, 0, 0}},
		{"baseline 4:2:2", 3, {90, 0, 0, 2, 1, 0, 0, 0}},
		{"baseline 4:2:0", 3, {90, 0, 0, 2, 2, 0, 0, 0}},
		{"baseline 4:4:0", 3, {90, 0, 0, 1, 2, 0, 0, 0}},
		{"baseline 4:1:1", 3, {90, 0, 0, 4, 1, 0, 0, 0}},
		{"progressive 4:2:0", 3, {90, 1, 0, 2, 2, 0, 0, 0}},
		{"progressive 4:4:4", 3, {90, 1, 0, 1, 1, 0, 0, 0}},
		{"arithmetic 4:2:0", 3, {90, 0, 1, 2, 2, 0, 0, 0}},
		{"grayscale", 1, {90, 0, 0, 1, 1, 0, 0, 0}},
		{"progressive grayscale", 1, {90, 1, 0, 1, 1, 0, 0, 0}},
		{"CMYK (Adobe)", 4, {90, 0, 0, 1, 1, 0, 1, 0}},
		{"YCCK (Adobe)", 4, {90, 0, 0, 2, 2, 0, 2, 0}},
		/* markers: a 64-byte APP2 "ICC profile" of junk, which must fall back */
		{"CMYK (Adobe), broken ICC profile", 4, {90, 0, 0, 1, 1, 0, 1, 1}},
	};
	size_t		i;
	int			big;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		for (big = 0; big <= 1; big++)
		{
			/* 480x320 into a 60 box is decoded with DCT scaling at 2/8 */
			int			w = big ? 480 : 120;
			int			h = big ? 320 : 80;
			img			src = quadrant_image(w, h, 1, v[i].nch);
			size_t		len;
			uint8_t    *jpg = make_jpeg(&src, &v[i].o, &len);
			char		what[64];
			mm_thumb_info info;
			img			t;

			snprintf(what, sizeof(what), "JPEG %s %dx%d", v[i].name, w, h);
			t = thumb_check(what, jpg, len, 60, 60, MM_THUMB_JPEG, w, h, &info);
			MM_CHECK(info.jpeg_scale == (big ? 2 : 8), "%s: decoded at %d/8", what,
					 info.jpeg_scale);
			if (t.px != NULL)
			{
				if (v[i].nch == 1)
				{
					static const int gray[4] = {60, 120, 180, 240};
					int			q;

					for (q = 0; q < 4; q++)
					{
						const uint8_t *p = img_at(&t, (q % 2) ? 45 : 15, (q / 2) ? 30 : 10);

						MM_CHECK(abs(p[0] - gray[q]) <= 12 && p[0] == p[1] && p[1] == p[2],
								 "%s: quadrant %d gray %d (got %d)", what, q, gray[q], p[0]);
					}
				}
				else
					check_quadrants_of(what, &t, 48, v[i].nch == 4);
				free(t.px);
			}
			t = thumb_check(what, jpg, len, 60, 60, MM_THUMB_PNG, w, h, NULL);
			free(t.px);
			free(jpg);
			free(src.px);
		}
}

/* The eight EXIF orientations: the red quadrant must land top left. */
static void
test_orientation(void)
{
	int			o;

	for (o = 1; o <= 8; o++)
	{
		img			src = quadrant_image(64, 48, o, 3);
		jpeg_opts	opts = {95, 0, 0, 1, 1, o, 0, 0};
		size_t		len;
		uint8_t    *jpg = make_jpeg(&src, &opts, &len);
		char		what[64];
		mm_thumb_info info;
		img			t;

		snprintf(what, sizeof(what), "EXIF orientation %d", o);
		t = thumb_check(what, jpg, len, 32, 32, MM_THUMB_JPEG, 64, 48, &info);
		MM_CHECK(info.orientation == o, "%s: reported as applied (%d)", what, info.orientation);
		if (t.px != NULL)
		{
			MM_CHECK(t.w == 32 && t.h == 24, "%s: display size 32x24 (got %dx%d)", what, t.w, t.h);
			check_quadrants(what, &t, 48);
			free(t.px);
		}
		snprintf(what, sizeof(what), "EXIF orientation %d to PNG", o);
		t = thumb_check(what, jpg, len, 32, 32, MM_THUMB_PNG, 64, 48, NULL);
		if (t.px != NULL)
		{
			check_quadrants(what, &t, 48);
			free(t.px);
		}
		free(jpg);
		free(src.px);
	}
}

/* A smooth test picture (gradients) of w x h RGB. */
static img
gradient_image(int w, int h)
{
	img			im = img_new(w, h, 3);
	int			x;
	int			y;

	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
		{
			uint8_t    *p = img_at(&im, x, y);

			p[0] = (uint8_t) (x * 255 / (w - 1));
			p[1] = (uint8_t) (y * 255 / (h - 1));
			p[2] = (uint8_t) (((x + y) / 8) % 2 ? 200 : 50);
		}
	return im;
}

/*
 * JPEGs smaller than 8x8 (1x1 to 7x7, and 5x3) keep their pixels: a tiny
 * JPEG in a big box is decoded at full size, not at 7/8 (whose rounded-up
 * size equals the full one but shows the block's padding, squeezed).  The
 * PNG thumbnail must equal libjpeg's own full decode within 1.
 */
static void
test_tiny_jpeg(void)
{
	static const int sizes[][2] = {{1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 5}, {6, 6}, {7, 7}, {5, 3}};
	size_t		i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
	{
		int			w = sizes[i][0];
		int			h = sizes[i][1];
		img			src = img_new(w, h, 3);
		jpeg_opts	opts = {95, 0, 0, 1, 1, 0, 0, 0};
		size_t		len;
		uint8_t    *jpg;
		img			ref;
		img			t;
		int			nc;
		int			x;
		int			y;
		int			worst = 0;
		char		what[64];

		for (y = 0; y < h; y++)
			for (x = 0; x < w; x++)
			{
				uint8_t    *p = img_at(&src, x, y);

				p[0] = (uint8_t) (40 + x * 30);
				p[1] = (uint8_t) (220 - y * 30);
				p[2] = (uint8_t) ((x + y) % 2 ? 200 : 60);
			}
		jpg = make_jpeg(&src, &opts, &len);
		snprintf(what, sizeof(what), "tiny JPEG %dx%d", w, h);
		t = thumb_check(what, jpg, len, 64, 64, MM_THUMB_PNG, w, h, NULL);
		if (t.px != NULL && decode_jpeg(jpg, len, 0, &ref, &nc) == 0)
		{
			for (y = 0; y < h && t.w == w && t.h == h; y++)
				for (x = 0; x < w; x++)
				{
					int			c;

					for (c = 0; c < 3; c++)
					{
						int			d = abs(img_at(&t, x, y)[c] - img_at(&ref, x, y)[c]);

						if (d > worst)
							worst = d;
					}
				}
			MM_CHECK(t.w == w && t.h == h && worst <= 1,
					 "%s: thumbnail equals libjpeg's full decode (%dx%d, worst difference %d)",
					 what, t.w, t.h, worst);
			free(ref.px);
		}
		free(t.px);
		free(jpg);
		free(src.px);
	}
}

/* JPEG shrink-on-load picks the smallest DCT scale above twice the target. */
static void
test_shrink_on_load(void)
{
	img			src = gradient_image(2000, 1500);
	jpeg_opts	opts = {85, 0, 0, 2, 2, 0, 0, 0};
	size_t		len;
	uint8_t    *jpg = make_jpeg(&src, &opts, &len);
	mm_thumb_info info;
	img			t;
	img			small;
	uint8_t    *sjpg;

	t = thumb_check("shrink 2000x1500 -> 100", jpg, len, 100, 100, MM_THUMB_JPEG, 2000, 1500, &info);
	MM_CHECK(info.jpeg_scale == 1 && info.decoded_width == 250 && info.decoded_height == 188,
			 "shrink-on-load at 1/8 (got %d/8, %dx%d)", info.jpeg_scale,
			 info.decoded_width, info.decoded_height);
	MM_CHECK(t.px != NULL && t.w == 100 && t.h == 75, "100x75 thumbnail");
	free(t.px);
	t = thumb_check("shrink 2000x1500 -> 600", jpg, len, 600, 600, MM_THUMB_JPEG, 2000, 1500, &info);
	MM_CHECK(info.jpeg_scale == 5 && info.decoded_width == 1250,
			 "shrink-on-load at 5/8 for a 600 box (got %d/8, %dx%d)", info.jpeg_scale,
			 info.decoded_width, info.decoded_height);
	free(t.px);
	free(jpg);
	free(src.px);

	/* never enlarged */
	small = gradient_image(200, 150);
	sjpg = make_jpeg(&small, &opts, &len);
	t = thumb_check("small source", sjpg, len, 256, 256, MM_THUMB_JPEG, 200, 150, &info);
	MM_CHECK(t.px != NULL && t.w == 200 && t.h == 150 && info.jpeg_scale == 8,
			 "a 200x150 source keeps its size in a 256 box");
	free(t.px);
	t = thumb_check("1-pixel box", sjpg, len, 1, 1, MM_THUMB_PNG, 200, 150, &info);
	MM_CHECK(t.px != NULL && t.w == 1 && t.h == 1, "a 1x1 box gives 1x1");
	free(t.px);
	t = thumb_check("thin box", sjpg, len, 1000, 2, MM_THUMB_PNG, 200, 150, &info);
	MM_CHECK(t.px != NULL && t.w == 3 && t.h == 2, "a 1000x2 box gives 3x2 (got %dx%d)",
			 t.w, t.h);
	free(t.px);
	free(sjpg);
	free(small.px);
}

/* Expected left/right halves of make_png() images: 0 transparent. */
static const uint8_t *
png_expect(int ctype, int trns, int right)
{
	switch (ctype)
	{
		case PNG_COLOR_TYPE_GRAY:
			return right ? WHITE : (trns ? NULL : BLACK);
		case PNG_COLOR_TYPE_GRAY_ALPHA:
			return right ? BLACK : NULL;
		case PNG_COLOR_TYPE_RGB:
		case PNG_COLOR_TYPE_PALETTE:
			return right ? BLUE : (trns ? NULL : RED);
		default:
			return right ? BLUE : NULL;
	}
}

/* Every PNG color type and bit depth, tRNS, 16-bit, interlaced. */
static void
test_png_variants(void)
{
	static const struct
	{
		int			ctype;
		int			depth;
		int			trns;
	}			v[] = {
		{PNG_COLOR_TYPE_GRAY, 1, 0}, {PNG_COLOR_TYPE_GRAY, 2, 0},
		{PNG_COLOR_TYPE_GRAY, 4, 0}, {PNG_COLOR_TYPE_GRAY, 8, 0},
		{PNG_COLOR_TYPE_GRAY, 16, 0}, {PNG_COLOR_TYPE_GRAY, 8, 1},
		{PNG_COLOR_TYPE_GRAY, 16, 1}, {PNG_COLOR_TYPE_GRAY, 2, 1},
		{PNG_COLOR_TYPE_GRAY_ALPHA, 8, 0}, {PNG_COLOR_TYPE_GRAY_ALPHA, 16, 0},
		{PNG_COLOR_TYPE_RGB, 8, 0}, {PNG_COLOR_TYPE_RGB, 16, 0},
		{PNG_COLOR_TYPE_RGB, 8, 1}, {PNG_COLOR_TYPE_RGB, 16, 1},
		{PNG_COLOR_TYPE_RGB_ALPHA, 8, 0}, {PNG_COLOR_TYPE_RGB_ALPHA, 16, 0},
		{PNG_COLOR_TYPE_PALETTE, 1, 0}, {PNG_COLOR_TYPE_PALETTE, 2, 0},
		{PNG_COLOR_TYPE_PALETTE, 4, 0}, {PNG_COLOR_TYPE_PALETTE, 8, 0},
		{PNG_COLOR_TYPE_PALETTE, 8, 1}, {PNG_COLOR_TYPE_PALETTE, 4, 1},
	};
	size_t		i;
	int			inter;
	int			fmt;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		for (inter = 0; inter <= 1; inter++)
			for (fmt = 0; fmt <= 1; fmt++)
			{
				size_t		len;
				uint8_t    *png = make_png(64, 32, v[i].ctype, v[i].depth, inter, v[i].trns, &len);
				char		what[96];
				img			t;
				int			side;
				int			alpha_src = v[i].trns || (v[i].ctype & PNG_COLOR_MASK_ALPHA);

				snprintf(what, sizeof(what), "PNG type %d depth %d%s%s to %s", v[i].ctype,
						 v[i].depth, v[i].trns ? " tRNS" : "", inter ? " interlaced" : "",
						 fmt ? "PNG" : "JPEG");
				t = thumb_check(what, png, len, 16, 16, fmt ? MM_THUMB_PNG : MM_THUMB_JPEG,
								64, 32, NULL);
				if (t.px != NULL)
				{
					MM_CHECK(t.w == 16 && t.h == 8, "%s: 16x8", what);
					for (side = 0; side <= 1; side++)
					{
						const uint8_t *want = png_expect(v[i].ctype, v[i].trns, side);
						const uint8_t *p = img_at(&t, side ? 13 : 2, 4);

						if (want == NULL && fmt)
							MM_CHECK(p[3] <= 8, "%s: %s side transparent (alpha %d)", what,
									 side ? "right" : "left", p[3]);
						else if (want == NULL)
							MM_CHECK(near(p, WHITE, 3, 12), "%s: %s side white (got %d,%d,%d)",
									 what, side ? "right" : "left", p[0], p[1], p[2]);
						else
							MM_CHECK(near(p, want, 3, fmt ? 10 : 40) && p[3] >= 247,
									 "%s: %s side color (got %d,%d,%d,%d)", what,
									 side ? "right" : "left", p[0], p[1], p[2], p[3]);
					}
					free(t.px);
				}
				if (fmt)
				{
					uint8_t    *out;
					size_t		olen;
					img			dec;
					int			had_alpha = -1;

					if (mm_thumbnail(png, len, 16, 16, MM_THUMB_PNG, 0, NULL, &out, &olen,
									 NULL, NULL, 0) == MM_IMG_OK)
					{
						if (decode_png(out, olen, &dec, &had_alpha) == 0)
							free(dec.px);
						free(out);
					}
					MM_CHECK(had_alpha == alpha_src, "%s: alpha %s in the output", what,
							 alpha_src ? "kept" : "absent");
				}
				free(png);
			}
}

/* Hand-made GIFs: palette, transparency, interlace, local table, offsets. */
static void
test_gif(void)
{
	int			fmt;

	for (fmt = 0; fmt <= 1; fmt++)
	{
		mm_thumb_format f = fmt ? MM_THUMB_PNG : MM_THUMB_JPEG;
		const char *fn = fmt ? "PNG" : "JPEG";
		int			variant;

		for (variant = 0; variant < 4; variant++)
		{
			int			trns = variant == 2;
			int			inter = variant == 1;
			int			local = variant == 3;
			size_t		len;
			uint8_t    *gif = make_gif(40, 30, 0, 0, 40, 30, trns, inter, local, &len);
			char		what[64];
			img			t;

			snprintf(what, sizeof(what), "GIF %s to %s",
					 trns ? "transparent" : inter ? "interlaced" : local ? "local palette" : "plain",
					 fn);
			t = thumb_check(what, gif, len, 20, 20, f, 40, 30, NULL);
			if (t.px != NULL)
			{
				const uint8_t *br = img_at(&t, 16, 12);

				MM_CHECK(near(img_at(&t, 4, 3), RED, 3, fmt ? 4 : 40), "%s: red top left", what);
				MM_CHECK(near(img_at(&t, 16, 3), BLUE, 3, fmt ? 4 : 40), "%s: blue top right", what);
				if (!trns)
					MM_CHECK(near(br, GREEN, 3, fmt ? 4 : 40), "%s: green bottom right", what);
				else if (fmt)
					MM_CHECK(br[3] == 0, "%s: transparent bottom right (alpha %d)", what, br[3]);
				else
					MM_CHECK(near(br, WHITE, 3, 12), "%s: white bottom right", what);
				free(t.px);
			}
			free(gif);
		}
	}

	/* a frame inside a bigger screen: the rest is transparent */
	{
		size_t		len;
		uint8_t    *gif = make_gif(40, 30, 10, 10, 20, 10, 0, 0, 0, &len);
		img			t = thumb_check("GIF frame inside the screen", gif, len, 40, 40,
									MM_THUMB_PNG, 40, 30, NULL);

		if (t.px != NULL)
		{
			MM_CHECK(img_at(&t, 2, 2)[3] == 0, "GIF: outside the frame is transparent");
			MM_CHECK(near(img_at(&t, 12, 12), RED, 4, 0), "GIF: frame pixels in place");
			MM_CHECK(near(img_at(&t, 25, 12), BLUE, 4, 0), "GIF: frame right half in place");
			free(t.px);
		}
		free(gif);
	}
}

/*
 * A GIF89a whose first frame is several images with no delay: four 1x1
 * tiles of a 2x2 screen (red, green, blue, white) compose one picture,
 * while full-screen images without delays are an animation whose first
 * frame is the first image (white dot on black).  Both files are from
 * gdk-pixbuf's GIF test suite (images-combine.gif, gif87a-animation.gif).
 */
static void
test_gif_composed(void)
{
	static const uint8_t tiles[] = {
		0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x02, 0x00, 0x02, 0x00, 0xf2, 0x01,
		0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0xff,
		0x00, 0x00, 0x00, 0xff, 0x00, 0xff, 0xff, 0xff, 0x00, 0xff, 0xff, 0xff,
		0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x03,
		0x02, 0x28, 0x09, 0x00, 0x2c, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01,
		0x00, 0x00, 0x03, 0x02, 0x38, 0x09, 0x00, 0x2c, 0x00, 0x00, 0x01, 0x00,
		0x01, 0x00, 0x01, 0x00, 0x00, 0x03, 0x02, 0x48, 0x09, 0x00, 0x2c, 0x01,
		0x00, 0x01, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x03, 0x02, 0x18, 0x09,
		0x00, 0x3b
	};
	static const uint8_t frames[] = {
		0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x02, 0x00, 0x02, 0x00, 0xf0, 0x00,
		0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0x2c, 0x00, 0x00, 0x00, 0x00,
		0x02, 0x00, 0x02, 0x00, 0x00, 0x02, 0x02, 0x0c, 0x5e, 0x00, 0x2c, 0x00,
		0x00, 0x00, 0x00, 0x02, 0x00, 0x02, 0x00, 0x00, 0x02, 0x03, 0x44, 0x00,
		0x05, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x02, 0x00, 0x00,
		0x02, 0x02, 0x84, 0x53, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00,
		0x02, 0x00, 0x00, 0x02, 0x03, 0x04, 0x02, 0x05, 0x00, 0x3b
	};
	static const uint8_t black[4] = {0, 0, 0, 255};
	img			t = thumb_check("GIF of four tiles without delays", tiles, sizeof(tiles), 2, 2,
								MM_THUMB_PNG, 2, 2, NULL);

	if (t.px != NULL)
	{
		MM_CHECK(near(img_at(&t, 0, 0), RED, 4, 0) && near(img_at(&t, 1, 0), GREEN, 4, 0) &&
				 near(img_at(&t, 0, 1), BLUE, 4, 0) && near(img_at(&t, 1, 1), WHITE, 4, 0),
				 "GIF: tiles without delays compose the first frame");
		free(t.px);
	}
	t = thumb_check("GIF animation without delays", frames, sizeof(frames), 2, 2, MM_THUMB_PNG,
					2, 2, NULL);
	if (t.px != NULL)
	{
		MM_CHECK(near(img_at(&t, 0, 0), WHITE, 4, 0) && near(img_at(&t, 1, 0), black, 4, 0) &&
				 near(img_at(&t, 1, 1), black, 4, 0),
				 "GIF: full-screen images without delays are frames: the first one is shown");
		free(t.px);
	}
}

/* An OS/2 2.x BMP compressed with Huffman 1D is refused, naming what is unsupported. */
static void
test_bmp_os2_huffman(void)
{
	size_t		len;
	uint8_t    *bmp = make_bmp(64, 32, 24, 0, &len);
	uint8_t    *out = NULL;
	size_t		olen = 0;
	char		err[256];
	mm_img_status st;

	bmp[14] = 64;				/* a 64-byte OS/2 2.x header ... */
	bmp[30] = 3;				/* ... whose compression 3 is Huffman 1D, not bit fields */
	st = mm_thumbnail(bmp, len, 16, 16, MM_THUMB_PNG, 0, NULL, &out, &olen, NULL, err, sizeof(err));
	MM_CHECK(st == MM_IMG_UNSUPPORTED && strstr(err, "OS/2") != NULL && strstr(err, "Huffman 1D") != NULL,
			 "OS/2 2.x BMP with Huffman 1D: unsupported, and the message says so (%s)", err);
	if (st == MM_IMG_OK)
		free(out);
	free(bmp);
}

/* Hand-made BMPs of every supported layout. */
static void
test_bmp(void)
{
	static const struct
	{
		const char *name;
		int			h;
		int			bpp;
		int			kind;
	}			v[] = {
		{"24-bit", 32, 24, 0}, {"24-bit top-down", -32, 24, 0},
		{"32-bit", 32, 32, 0}, {"16-bit 555", 32, 16, 0},
		{"8-bit palette", 32, 8, 0}, {"4-bit palette", 32, 4, 0},
		{"1-bit palette", 32, 1, 0}, {"V5 bit fields 565", 32, 16, 1},
		{"V5 bit fields 32 with alpha", 32, 32, 1}, {"OS/2 core 24-bit", 32, 24, 2},
		{"OS/2 core 8-bit", 32, 8, 2}, {"RLE8", 32, 8, 3},
		{"OS/2 2.x 16-byte header 24-bit", 32, 24, 4}, {"OS/2 2.x 16-byte header 8-bit", 32, 8, 4},
	};
	size_t		i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
	{
		size_t		len;
		uint8_t    *bmp = make_bmp(64, v[i].h, v[i].bpp, v[i].kind, &len);
		char		what[64];
		img			t;

		snprintf(what, sizeof(what), "BMP %s", v[i].name);
		t = thumb_check(what, bmp, len, 16, 16, MM_THUMB_PNG, 64, 32, NULL);
		if (t.px != NULL)
		{
			const uint8_t *l = img_at(&t, 2, 4);
			const uint8_t *r = img_at(&t, 13, 4);

			MM_CHECK(near(l, RED, 3, 4) && near(r, BLUE, 3, 4), "%s: red | blue (got %d,%d,%d | %d,%d,%d)",
					 what, l[0], l[1], l[2], r[0], r[1], r[2]);
			if (v[i].kind == 1 && v[i].bpp == 32)
				MM_CHECK(l[3] == 255 && abs(r[3] - 128) <= 2, "%s: alpha kept (%d, %d)",
						 what, l[3], r[3]);
			free(t.px);
		}
		free(bmp);
	}
	test_bmp_os2_huffman();
}

/* Alpha: kept in PNG output, composited on white in JPEG output. */
static void
test_alpha(void)
{
	size_t		len;
	uint8_t    *png = make_png(64, 32, PNG_COLOR_TYPE_RGB_ALPHA, 8, 0, 0, &len);
	mm_thumb_info info;
	uint8_t    *out;
	size_t		olen;
	mm_img_status st;

	st = mm_thumbnail(png, len, 32, 32, MM_THUMB_AUTO, 0, NULL, &out, &olen, &info, NULL, 0);
	MM_CHECK(st == MM_IMG_OK && info.format == MM_THUMB_PNG && info.has_alpha &&
			 olen > 8 && memcmp(out, "\x89PNG", 4) == 0, "AUTO gives PNG for an image with alpha");
	if (st == MM_IMG_OK)
		free(out);
	free(png);
	png = make_png(64, 32, PNG_COLOR_TYPE_RGB, 8, 0, 0, &len);
	st = mm_thumbnail(png, len, 32, 32, MM_THUMB_AUTO, 0, NULL, &out, &olen, &info, NULL, 0);
	MM_CHECK(st == MM_IMG_OK && info.format == MM_THUMB_JPEG && !info.has_alpha &&
			 olen > 3 && out[0] == 0xFF && out[1] == 0xD8, "AUTO gives JPEG for an opaque image");
	if (st == MM_IMG_OK)
		free(out);
	free(png);

	/* premultiplied filtering: a transparent red next to opaque blue stays blue */
	{
		img			t;

		png = make_png(64, 32, PNG_COLOR_TYPE_RGB_ALPHA, 8, 0, 0, &len);
		t = thumb_check("alpha edge", png, len, 16, 16, MM_THUMB_PNG, 64, 32, NULL);
		if (t.px != NULL)
		{
			const uint8_t *p = img_at(&t, 8, 4);

			MM_CHECK(p[0] <= 8 && p[2] >= 247, "no color bleeds from transparent pixels (%d,%d,%d,%d)",
					 p[0], p[1], p[2], p[3]);
			free(t.px);
		}
		free(png);
	}
}

/* A PNG file with just an IHDR claiming w x h, an IDAT and an IEND. */
static uint8_t *
png_header_only(uint32_t w, uint32_t h, size_t *len)
{
	buf			b = {NULL, 0, 0};
	uint8_t		ihdr[17] = {'I', 'H', 'D', 'R'};
	uint8_t		idat[4 + 11] = {'I', 'D', 'A', 'T', 0x78, 0x9c, 0x63, 0, 0, 0, 1, 0, 1, 0, 0};
	uint8_t		be[4];
	uint32_t	crc;

	ihdr[4] = (uint8_t) (w >> 24);
	ihdr[5] = (uint8_t) (w >> 16);
	ihdr[6] = (uint8_t) (w >> 8);
	ihdr[7] = (uint8_t) w;
	ihdr[8] = (uint8_t) (h >> 24);
	ihdr[9] = (uint8_t) (h >> 16);
	ihdr[10] = (uint8_t) (h >> 8);
	ihdr[11] = (uint8_t) h;
	ihdr[12] = 8;
	ihdr[13] = 6;				/* RGBA */
	buf_put(&b, "\x89PNG\r\n\x1a\n", 8);
	buf_put(&b, "\0\0\0\x0d", 4);
	buf_put(&b, ihdr, 17);
	crc = (uint32_t) crc32(0, ihdr, 17);
	be[0] = (uint8_t) (crc >> 24);
	be[1] = (uint8_t) (crc >> 16);
	be[2] = (uint8_t) (crc >> 8);
	be[3] = (uint8_t) crc;
	buf_put(&b, be, 4);
	buf_put(&b, "\0\0\0\x0b", 4);
	buf_put(&b, idat, sizeof(idat));
	crc = (uint32_t) crc32(0, idat, sizeof(idat));
	be[0] = (uint8_t) (crc >> 24);
	be[1] = (uint8_t) (crc >> 16);
	be[2] = (uint8_t) (crc >> 8);
	be[3] = (uint8_t) crc;
	buf_put(&b, be, 4);
	buf_put(&b, "\0\0\0\0IEND\xae\x42\x60\x82", 12);
	*len = b.len;
	return b.p;
}

/* Sets the size in a JPEG's SOFn marker. */
static void
jpeg_patch_size(uint8_t *p, size_t len, unsigned w, unsigned h)
{
	size_t		i;

	for (i = 2; i + 9 < len; i++)
		if (p[i] == 0xFF && (p[i + 1] == 0xC0 || p[i + 1] == 0xC2))
		{
			p[i + 5] = (uint8_t) (h >> 8);
			p[i + 6] = (uint8_t) h;
			p[i + 7] = (uint8_t) (w >> 8);
			p[i + 8] = (uint8_t) w;
			return;
		}
}

/* Runs a thumbnail with limits (max_memory too) and the counting allocator. */
static mm_img_status
limited_budget(const uint8_t *src, size_t len, uint64_t max_pixels, uint64_t max_bytes,
			   uint64_t max_memory, alloc_stats *stats, int_state *is, char *err, size_t errlen)
{
	mm_alloc	a = {hook_alloc, hook_free, stats};
	mm_limits	lim;
	uint8_t    *out = NULL;
	size_t		olen = 0;
	mm_img_status st;

	memset(&lim, 0, sizeof(lim));
	lim.max_pixels = max_pixels;
	lim.max_bytes = max_bytes;
	lim.max_memory = max_memory;
	lim.alloc = &a;
	if (is != NULL)
	{
		lim.interrupted = interrupt_cb;
		lim.arg = is;
	}
	st = mm_thumbnail(src, len, 64, 64, MM_THUMB_JPEG, 80, &lim, &out, &olen, NULL, err, errlen);
	if (st == MM_IMG_OK)
		mm_img_free(&lim, out);
	else if (out != NULL)
		st = MM_IMG_FAILED;		/* an error must not leave an output */
	return st;
}

/* Runs a thumbnail with pixel and byte limits and the counting allocator. */
static mm_img_status
limited(const uint8_t *src, size_t len, uint64_t max_pixels, uint64_t max_bytes,
		alloc_stats *stats, int_state *is, char *err, size_t errlen)
{
	return limited_budget(src, len, max_pixels, max_bytes, 0, stats, is, err, errlen);
}

/* Pixel and byte limits refuse before allocating. */
static void
test_limits(void)
{
	alloc_stats s;
	char		err[256];
	size_t		len;
	uint8_t    *p;
	mm_img_status st;

	/* PNG claiming 100000 x 100000 with a 10^8 pixel limit */
	p = png_header_only(100000, 100000, &len);
	memset(&s, 0, sizeof(s));
	st = limited(p, len, 100000000, 0, &s, NULL, err, sizeof(err));
	MM_CHECK(st == MM_IMG_TOO_BIG, "PNG 100000x100000: too big (%s: %s)", mm_img_status_name(st), err);
	MM_CHECK(s.biggest < 65536 && s.total < 262144,
			 "PNG 100000x100000: refused before any big allocation (biggest %zu, total %zu)",
			 s.biggest, s.total);
	MM_CHECK(s.live == 0, "PNG 100000x100000: everything freed");
	free(p);

	/* the same header within the limit gets to decode (and fails on data) */
	p = png_header_only(2000, 2000, &len);
	memset(&s, 0, sizeof(s));
	st = limited(p, len, 100000000, 0, &s, NULL, err, sizeof(err));
	MM_CHECK(st == MM_IMG_CORRUPT, "PNG 2000x2000 with one byte of data: corrupt (%s)",
			 mm_img_status_name(st));
	MM_CHECK(s.live == 0, "PNG 2000x2000: everything freed");
	free(p);

	/* GIF screen of 65535 x 65535 */
	{
		buf			b = {NULL, 0, 0};

		buf_put(&b, "GIF89a\xff\xff\xff\xff\x00\x00\x00", 13);
		buf_put(&b, "\x2c\0\0\0\0\x01\0\x01\0\0\x02\x02\x44\x01\0\x3b", 16);
		memset(&s, 0, sizeof(s));
		st = limited(b.p, b.len, 100000000, 0, &s, NULL, err, sizeof(err));
		MM_CHECK(st == MM_IMG_TOO_BIG && s.biggest < 65536 && s.live == 0,
				 "GIF 65535x65535: too big before allocating (%s, biggest %zu)",
				 mm_img_status_name(st), s.biggest);
		free(b.p);
	}

	/* BMP of 100000 x 100000 */
	p = make_bmp(64, 32, 24, 0, &len);
	p[18] = 0xA0;
	p[19] = 0x86;
	p[20] = 0x01;				/* width 100000 */
	p[22] = 0xA0;
	p[23] = 0x86;
	p[24] = 0x01;				/* height 100000 */
	memset(&s, 0, sizeof(s));
	st = limited(p, len, 100000000, 0, &s, NULL, err, sizeof(err));
	MM_CHECK(st == MM_IMG_TOO_BIG && s.biggest < 65536 && s.live == 0,
			 "BMP 100000x100000: too big before allocating (%s, biggest %zu)",
			 mm_img_status_name(st), s.biggest);
	free(p);

	/* JPEG whose SOF claims 60000 x 60000 */
	{
		img			src = gradient_image(64, 48);
		jpeg_opts	o = {80, 0, 0, 2, 2, 0, 0, 0};

		p = make_jpeg(&src, &o, &len);
		jpeg_patch_size(p, len, 60000, 60000);
		memset(&s, 0, sizeof(s));
		st = limited(p, len, 100000000, 0, &s, NULL, err, sizeof(err));
		MM_CHECK(st == MM_IMG_TOO_BIG && s.biggest < 65536 && s.live == 0,
				 "JPEG 60000x60000: too big before decoding (%s: %s)", mm_img_status_name(st), err);
		free(p);
		o.progressive = 1;
		p = make_jpeg(&src, &o, &len);
		jpeg_patch_size(p, len, 60000, 60000);
		st = limited(p, len, 100000000, 0, &s, NULL, err, sizeof(err));
		MM_CHECK(st == MM_IMG_TOO_BIG, "progressive JPEG 60000x60000: too big (%s)",
				 mm_img_status_name(st));
		free(p);
		free(src.px);
	}

	/* max_bytes: an interlaced PNG must be held whole, a plain one need not */
	p = make_png(1000, 1000, PNG_COLOR_TYPE_RGB_ALPHA, 8, 1, 0, &len);
	memset(&s, 0, sizeof(s));
	st = limited(p, len, 0, 1000000, &s, NULL, err, sizeof(err));
	MM_CHECK(st == MM_IMG_TOO_BIG && s.biggest <= 1000000 && s.live == 0,
			 "interlaced 1000x1000 RGBA PNG over a 1 MB cap: too big (%s, biggest %zu)",
			 mm_img_status_name(st), s.biggest);
	free(p);
	p = make_png(1000, 1000, PNG_COLOR_TYPE_RGB_ALPHA, 8, 0, 0, &len);
	memset(&s, 0, sizeof(s));
	st = limited(p, len, 0, 1000000, &s, NULL, err, sizeof(err));
	MM_CHECK(st == MM_IMG_OK && s.biggest <= 1000000 && s.live == 0,
			 "plain 1000x1000 RGBA PNG streams under a 1 MB cap (%s, biggest %zu)",
			 mm_img_status_name(st), s.biggest);
	free(p);

	/* a pixel limit below the image */
	p = make_png(100, 100, PNG_COLOR_TYPE_RGB, 8, 0, 0, &len);
	st = limited(p, len, 9999, 0, &s, NULL, err, sizeof(err));
	MM_CHECK(st == MM_IMG_TOO_BIG, "100x100 over a 9999-pixel limit: too big");
	st = limited(p, len, 10000, 0, &s, NULL, err, sizeof(err));
	MM_CHECK(st == MM_IMG_OK, "100x100 at a 10000-pixel limit: ok");
	free(p);
}

/* Runs a thumbnail under a memory budget with fresh counts. */
static mm_img_status
budgeted(const uint8_t *src, size_t len, uint64_t max_memory, alloc_stats *stats,
		 char *err, size_t errlen)
{
	memset(stats, 0, sizeof(*stats));
	return limited_budget(src, len, 0, 0, max_memory, stats, NULL, err, errlen);
}

/*
 * The memory budget (max_memory): whole-image buffers are estimated from
 * the header and refused before allocating; what fits decodes; the peak
 * never passes the budget.
 */
static void
test_budget(void)
{
	alloc_stats s;
	char		err[256];
	size_t		len;
	uint8_t    *p;
	mm_img_status st;
	const uint64_t mb = 1024 * 1024;

	/* the 69-byte attack: an interlaced RGBA PNG claiming 10000 x 10000 (400 MB held whole) */
	p = png_header_only(10000, 10000, &len);
	p[8 + 4 + 4 + 12] = 1;		/* interlace method: Adam7 */
	{
		uint32_t	crc = (uint32_t) crc32(0, p + 12, 17);

		p[29] = (uint8_t) (crc >> 24);
		p[30] = (uint8_t) (crc >> 16);
		p[31] = (uint8_t) (crc >> 8);
		p[32] = (uint8_t) crc;
	}
	st = budgeted(p, len, 64 * mb, &s, err, sizeof(err));
	MM_CHECK(st == MM_IMG_TOO_BIG && s.peak < mb && s.live == 0 && strstr(err, "interlaced PNG") != NULL,
			 "interlaced 10000x10000 PNG (%zu bytes) under a 64 MB budget: refused before allocating (%s, peak %zu: %s)",
			 len, mm_img_status_name(st), s.peak, err);
	free(p);

	/* an interlaced 1000 x 1000 RGBA PNG (4 MB whole): fits 64 MB, not 2 MB */
	p = make_png(1000, 1000, PNG_COLOR_TYPE_RGB_ALPHA, 8, 1, 0, &len);
	st = budgeted(p, len, 64 * mb, &s, err, sizeof(err));
	MM_CHECK(st == MM_IMG_OK && s.peak <= 64 * mb && s.live == 0,
			 "interlaced 1000x1000 PNG under a 64 MB budget: ok (%s, peak %zu)", mm_img_status_name(st), s.peak);
	st = budgeted(p, len, 2 * mb, &s, err, sizeof(err));
	MM_CHECK(st == MM_IMG_TOO_BIG && s.peak <= 2 * mb && s.live == 0,
			 "interlaced 1000x1000 PNG under a 2 MB budget: refused (%s, peak %zu)", mm_img_status_name(st), s.peak);
	free(p);

	/* a progressive JPEG claiming 8000 x 8000: 3 x 64 MB of coefficients, estimated from the header */
	{
		img			src = gradient_image(64, 48);
		jpeg_opts	o = {80, 0, 0, 1, 1, 0, 0, 0};

		o.progressive = 1;
		p = make_jpeg(&src, &o, &len);
		jpeg_patch_size(p, len, 8000, 8000);
		st = budgeted(p, len, 64 * mb, &s, err, sizeof(err));
		MM_CHECK(st == MM_IMG_TOO_BIG && s.peak < mb && s.live == 0 && strstr(err, "coefficient") != NULL,
				 "progressive 8000x8000 JPEG under a 64 MB budget: refused from the header (%s, peak %zu: %s)",
				 mm_img_status_name(st), s.peak, err);
		free(p);
		p = make_jpeg(&src, &o, &len);
		st = budgeted(p, len, 64 * mb, &s, err, sizeof(err));
		MM_CHECK(st == MM_IMG_OK && s.live == 0, "progressive 64x48 JPEG under a 64 MB budget: ok (%s)",
				 mm_img_status_name(st));
		free(p);
		free(src.px);
	}
}

/* A set of small valid inputs of every decoder path, for the tests below. */
typedef struct sample
{
	const char *name;
	uint8_t    *p;
	size_t		len;
	int			rows;			/* decoded rows (for the polling count) */
} sample;

#define NSAMPLES 8

/* Builds the samples (free them with free_samples). */
static void
make_samples(sample *s)
{
	img			src = gradient_image(200, 150);
	jpeg_opts	base = {85, 0, 0, 2, 2, 0, 0, 0};
	jpeg_opts	prog = {85, 1, 0, 2, 2, 0, 0, 0};

	s[0].name = "baseline JPEG";
	s[0].p = make_jpeg(&src, &base, &s[0].len);
	s[0].rows = 150;
	s[1].name = "progressive JPEG";
	s[1].p = make_jpeg(&src, &prog, &s[1].len);
	s[1].rows = 150;
	s[2].name = "PNG";
	s[2].p = make_png(200, 150, PNG_COLOR_TYPE_RGB_ALPHA, 8, 0, 0, &s[2].len);
	s[2].rows = 150;
	s[3].name = "interlaced PNG";
	s[3].p = make_png(200, 150, PNG_COLOR_TYPE_PALETTE, 4, 1, 1, &s[3].len);
	s[3].rows = 150;
	s[4].name = "GIF";
	s[4].p = make_gif(200, 150, 0, 0, 200, 150, 1, 0, 0, &s[4].len);
	s[4].rows = 150;
	s[5].name = "interlaced GIF";
	s[5].p = make_gif(200, 150, 0, 0, 200, 150, 0, 1, 1, &s[5].len);
	s[5].rows = 150;
	s[6].name = "BMP";
	s[6].p = make_bmp(200, 150, 24, 0, &s[6].len);
	s[6].rows = 150;
	s[7].name = "RLE8 BMP";
	s[7].p = make_bmp(200, 150, 8, 3, &s[7].len);
	s[7].rows = 150;
	free(src.px);
}

/* Frees the samples. */
static void
free_samples(sample *s)
{
	int			i;

	for (i = 0; i < NSAMPLES; i++)
		free(s[i].p);
}

/* The interrupt callback stops every decoder cleanly. */
static void
test_interrupt(const sample *s)
{
	int			i;

	for (i = 0; i < NSAMPLES; i++)
	{
		alloc_stats st;
		int_state	is;
		char		err[128];
		mm_img_status r;
		long		stops[3] = {0, 3, 60};
		int			k;

		memset(&st, 0, sizeof(st));
		memset(&is, 0, sizeof(is));
		is.stop_after = 1000000;
		r = limited(s[i].p, s[i].len, 0, 0, &st, &is, err, sizeof(err));
		MM_CHECK(r == MM_IMG_OK && is.calls >= s[i].rows,
				 "%s: polled at least once per row (%ld polls for %d rows)", s[i].name,
				 is.calls, s[i].rows);
		for (k = 0; k < 3; k++)
		{
			memset(&st, 0, sizeof(st));
			memset(&is, 0, sizeof(is));
			is.stop_after = stops[k];
			r = limited(s[i].p, s[i].len, 0, 0, &st, &is, err, sizeof(err));
			MM_CHECK(r == MM_IMG_INTERRUPTED && st.live == 0 && is.calls == stops[k] + 1,
					 "%s: interrupted after %ld polls, everything freed (%s, %zu bytes live)",
					 s[i].name, stops[k], mm_img_status_name(r), st.live);
		}
	}
}

/* Allocation failures at every point leave nothing allocated. */
static void
test_alloc_failures(const sample *s)
{
	int			i;

	for (i = 0; i < NSAMPLES; i++)
	{
		long		n;
		int			clean = 1;
		int			nomem = 0;
		long		total;
		alloc_stats st;
		char		err[128];

		memset(&st, 0, sizeof(st));
		limited(s[i].p, s[i].len, 0, 0, &st, NULL, err, sizeof(err));
		total = st.count;
		for (n = 1; n <= total; n++)
		{
			mm_img_status r;

			memset(&st, 0, sizeof(st));
			st.fail_after = n;
			r = limited(s[i].p, s[i].len, 0, 0, &st, NULL, err, sizeof(err));
			if (st.live != 0 || r == MM_IMG_OK)
				clean = 0;
			if (r == MM_IMG_NOMEM)
				nomem++;
		}
		MM_CHECK(clean && nomem == total,
				 "%s: each of %ld allocations failing gives out-of-memory and frees all (%d)",
				 s[i].name, total, nomem);
	}
}

/* A small deterministic PRNG for the corruption tests. */
static uint32_t
lcg(uint32_t *state)
{
	*state = *state * 1664525u + 1013904223u;
	return *state >> 8;
}

/* Truncated and corrupted inputs give errors, never crashes or leaks. */
static void
test_corrupt(const sample *s)
{
	int			i;
	uint32_t	seed = 12345;

	for (i = 0; i < NSAMPLES; i++)
	{
		alloc_stats st;
		char		err[128];
		mm_img_status r;
		size_t		cut;
		int			leaks = 0;
		int			k;
		uint8_t    *copy = malloc(s[i].len);

		memset(&st, 0, sizeof(st));
		/* the policy for every format: a truncated file is refused, saying so */
		r = limited(s[i].p, s[i].len / 2, 0, 0, &st, NULL, err, sizeof(err));
		MM_CHECK(r == MM_IMG_CORRUPT && st.live == 0 && strstr(err, "truncated") != NULL,
				 "%s cut in half: refused as truncated (%s: %s)",
				 s[i].name, mm_img_status_name(r), err);
		for (cut = 0; cut < s[i].len; cut += 1 + s[i].len / 97)
		{
			memset(&st, 0, sizeof(st));
			r = limited(s[i].p, cut, 0, 0, &st, NULL, err, sizeof(err));
			if (st.live != 0)
				leaks++;
		}
		MM_CHECK(leaks == 0, "%s truncated at ~100 points: no crash, no leak", s[i].name);
		leaks = 0;
		for (k = 0; k < 300; k++)
		{
			int			flips = 1 + (int) (lcg(&seed) % 4);
			int			f;

			memcpy(copy, s[i].p, s[i].len);
			for (f = 0; f < flips; f++)
				copy[lcg(&seed) % s[i].len] = (uint8_t) lcg(&seed);
			memset(&st, 0, sizeof(st));
			r = limited(copy, s[i].len, 0, 0, &st, NULL, err, sizeof(err));
			if (st.live != 0)
				leaks++;
		}
		MM_CHECK(leaks == 0, "%s with 300 random corruptions: no crash, no leak", s[i].name);
		free(copy);
	}
}

/*
 * Thumbnails src cut by `cut` bytes at its end into PNG; returns the status
 * and, on success, the output (malloc'd) in *out and *olen.
 */
static mm_img_status
thumb_cut(const uint8_t *src, size_t len, size_t cut, uint8_t **out, size_t *olen, char *err,
		  size_t errlen)
{
	*out = NULL;
	*olen = 0;
	err[0] = '\0';
	return mm_thumbnail(src, len - cut, 32, 32, MM_THUMB_PNG, 0, NULL, out, olen, NULL, err, errlen);
}

/*
 * The truncation policy, the same for every format: a file whose end is
 * cut off but whose pixels are all there is decoded exactly as the whole
 * file (a PNG cut inside its last CRC or IEND, a single-scan JPEG without
 * its EOI marker, a GIF without its trailer); a file missing pixel data is
 * refused with "... truncated", never drawn in part.  A progressive JPEG
 * cannot tell a missing EOI from missing scans, so it is refused.
 */
static void
test_truncation_policy(const sample *s)
{
	static const struct
	{
		int			sample;
		size_t		cut;
		int			ok;
	}			v[] = {
		{2, 12, 1}, {2, 14, 1}, {2, 16, 1}, {2, 17, 0},	/* PNG: IEND, CRC, one data byte */
		{0, 1, 1}, {0, 2, 1}, {0, 3, 0}, {0, 40, 0},	/* baseline JPEG: EOI, then scan data */
		{1, 2, 0},				/* progressive JPEG without EOI */
		{4, 1, 1}, {4, 3, 1},	/* GIF: trailer, terminator and the end code's byte, */
		{4, 40, 0},				/* then image data */
		{6, 1, 0},				/* BMP: one pixel byte */
	};
	size_t		i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
	{
		const sample *x = &s[v[i].sample];
		uint8_t    *whole,
				   *cut;
		size_t		wlen,
					clen;
		char		err[256];
		mm_img_status st;

		(void) thumb_cut(x->p, x->len, 0, &whole, &wlen, err, sizeof(err));
		st = thumb_cut(x->p, x->len, v[i].cut, &cut, &clen, err, sizeof(err));
		if (v[i].ok)
			MM_CHECK(st == MM_IMG_OK && whole != NULL && clen == wlen && memcmp(cut, whole, wlen) == 0,
					 "%s without its last %zu bytes: decoded as the whole file (%s %s)", x->name,
					 v[i].cut, mm_img_status_name(st), err);
		else
			MM_CHECK(st == MM_IMG_CORRUPT && strstr(err, "truncated") != NULL,
					 "%s without its last %zu bytes: refused as truncated (%s: %s)", x->name,
					 v[i].cut, mm_img_status_name(st), err);
		free(whole);
		free(cut);
	}
}

/* Arguments and unknown formats. */
static void
test_args(const sample *s)
{
	uint8_t    *out = (uint8_t *) "x";
	size_t		olen = 99;
	char		err[128];
	mm_img_status st;

	st = mm_thumbnail(s[0].p, s[0].len, 0, 64, MM_THUMB_JPEG, 80, NULL, &out, &olen, NULL,
					  err, sizeof(err));
	MM_CHECK(st == MM_IMG_BAD_ARG && out == NULL && olen == 0, "a 0-wide box is refused");
	st = mm_thumbnail(s[0].p, s[0].len, 64, 64, MM_THUMB_JPEG, 101, NULL, &out, &olen, NULL,
					  err, sizeof(err));
	MM_CHECK(st == MM_IMG_BAD_ARG, "quality 101 is refused");
	st = mm_thumbnail(s[0].p, s[0].len, 64, 64, MM_THUMB_JPEG, 80, NULL, NULL, &olen, NULL,
					  err, sizeof(err));
	MM_CHECK(st == MM_IMG_BAD_ARG, "no output pointer is refused");
	st = mm_thumbnail((const uint8_t *) "", 0, 64, 64, MM_THUMB_JPEG, 80, NULL, &out, &olen,
					  NULL, err, sizeof(err));
	MM_CHECK(st == MM_IMG_UNSUPPORTED, "empty input: unsupported");
	st = mm_thumbnail((const uint8_t *) "hello, world", 12, 64, 64, MM_THUMB_JPEG, 80, NULL,
					  &out, &olen, NULL, err, sizeof(err));
	MM_CHECK(st == MM_IMG_UNSUPPORTED && strlen(err) > 0, "text: unsupported (%s)", err);
	MM_CHECK(mm_img_sniff(s[0].p, s[0].len) == MM_DEC_JPEG &&
			 mm_img_sniff(s[2].p, s[2].len) == MM_DEC_PNG &&
			 mm_img_sniff(s[4].p, s[4].len) == MM_DEC_GIF &&
			 mm_img_sniff(s[6].p, s[6].len) == MM_DEC_BMP, "formats are sniffed from magic bytes");
	MM_CHECK(strcmp(mm_img_status_name(MM_IMG_TOO_BIG), "too big") == 0, "status names");
}

/* Decodes a JPEG to its native components; NULL px on failure. */
static img
raw_pixels(const uint8_t *p, size_t len)
{
	img			im = {0, 0, 0, NULL};

	if (decode_jpeg(p, len, 1, &im, NULL) != 0)
		im.px = NULL;
	return im;
}

/* mm_jpeg_optimize: same pixels, not larger, markers kept. */
static void
test_optimize(void)
{
	static const struct
	{
		const char *name;
		int			nch;
		jpeg_opts	o;
	}			v[] = {
		{"baseline 4:2:0 with EXIF, ICC, COM", 3, {92, 0, 0, 2, 2, 6, 0, 1}},
		{"baseline 4:4:4", 3, {75, 0, 0, 1, 1, 0, 0, 0}},
		{"progressive", 3, {85, 1, 0, 2, 2, 0, 0, 1}},
		{"arithmetic", 3, {85, 0, 1, 2, 1, 0, 0, 0}},
		{"grayscale", 1, {85, 0, 0, 1, 1, 0, 0, 1}},
		{"CMYK", 4, {85, 0, 0, 1, 1, 0, 1, 0}},
		{"YCCK", 4, {85, 0, 0, 2, 2, 0, 2, 1}},
	};
	size_t		i;
	int			prog;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
	{
		img			src = v[i].nch == 3 ? gradient_image(301, 203) : quadrant_image(301, 203, 1, v[i].nch);
		size_t		len;
		uint8_t    *jpg = make_jpeg(&src, &v[i].o, &len);
		img			a = raw_pixels(jpg, len);

		for (prog = 0; prog <= 1; prog++)
		{
			uint8_t    *out = NULL;
			size_t		olen = 0;
			int			optimized = -1;
			char		err[256];
			mm_img_status st;
			img			b;

			st = mm_jpeg_optimize(jpg, len, prog, NULL, &out, &olen, &optimized, err, sizeof(err));
			MM_CHECK(st == MM_IMG_OK && out != NULL && olen <= len && (optimized == 0 || olen < len),
					 "optimize %s%s: ok, %zu -> %zu bytes (%s)", v[i].name,
					 prog ? " to progressive" : "", len, olen, st ? err : "");
			if (st != MM_IMG_OK)
				continue;
			if (!optimized)
				MM_CHECK(olen == len && memcmp(out, jpg, len) == 0,
						 "optimize %s: no gain gives the input back", v[i].name);
			b = raw_pixels(out, olen);
			MM_CHECK(a.px != NULL && b.px != NULL && a.w == b.w && a.h == b.h && a.nch == b.nch &&
					 memcmp(a.px, b.px, (size_t) a.w * a.h * a.nch) == 0,
					 "optimize %s%s: decoded pixels identical", v[i].name,
					 prog ? " to progressive" : "");
			if (v[i].o.markers)
				MM_CHECK(contains(out, olen, "ICC_PROFILE", 11) &&
						 contains(out, olen, "made by test_thumbnail", 22),
						 "optimize %s: ICC and COM markers kept", v[i].name);
			if (v[i].o.exif_o)
			{
				mm_thumb_info info;
				uint8_t    *t;
				size_t		tlen;

				MM_CHECK(contains(out, olen, "Exif\0\0", 6), "optimize %s: EXIF kept", v[i].name);
				if (mm_thumbnail(out, olen, 64, 64, MM_THUMB_JPEG, 0, NULL, &t, &tlen, &info,
								 NULL, 0) == MM_IMG_OK)
					free(t);
				MM_CHECK(info.orientation == v[i].o.exif_o, "optimize %s: orientation still read",
						 v[i].name);
			}
			free(b.px);
			free(out);
		}
		free(a.px);
		free(jpg);
		free(src.px);
	}

	/* errors, limits, interrupts */
	{
		img			src = gradient_image(300, 200);
		jpeg_opts	o = {85, 0, 0, 2, 2, 0, 0, 0};
		size_t		len;
		uint8_t    *jpg = make_jpeg(&src, &o, &len);
		uint8_t    *out = NULL;
		size_t		olen;
		int			optimized;
		char		err[256];
		mm_img_status st;
		alloc_stats s;
		mm_alloc	a = {hook_alloc, hook_free, &s};
		int_state	is = {0, 2};
		mm_limits	lim;

		st = mm_jpeg_optimize((const uint8_t *) "\x89PNG\r\n\x1a\n", 8, 0, NULL, &out, &olen,
							  &optimized, err, sizeof(err));
		MM_CHECK(st == MM_IMG_UNSUPPORTED && out == NULL, "optimize: not a JPEG");
		st = mm_jpeg_optimize(jpg, len / 2, 0, NULL, &out, &olen, &optimized, err, sizeof(err));
		MM_CHECK(st == MM_IMG_CORRUPT && out == NULL, "optimize: truncated JPEG is corrupt (%s)", err);
		memset(&lim, 0, sizeof(lim));
		memset(&s, 0, sizeof(s));
		lim.max_pixels = 10000;
		lim.alloc = &a;
		st = mm_jpeg_optimize(jpg, len, 0, &lim, &out, &olen, &optimized, err, sizeof(err));
		MM_CHECK(st == MM_IMG_TOO_BIG && out == NULL && s.live == 0,
				 "optimize: 300x200 over a 10000-pixel limit");
		lim.max_pixels = 0;
		lim.max_bytes = 100000;
		st = mm_jpeg_optimize(jpg, len, 0, &lim, &out, &olen, &optimized, err, sizeof(err));
		MM_CHECK(st == MM_IMG_TOO_BIG && out == NULL && s.live == 0,
				 "optimize: coefficients over a 100 kB memory cap (%s: %s)",
				 mm_img_status_name(st), err);
		lim.max_bytes = 0;
		lim.interrupted = interrupt_cb;
		lim.arg = &is;
		st = mm_jpeg_optimize(jpg, len, 1, &lim, &out, &olen, &optimized, err, sizeof(err));
		MM_CHECK(st == MM_IMG_INTERRUPTED && out == NULL && s.live == 0,
				 "optimize: interrupted");
		lim.interrupted = NULL;
		st = mm_jpeg_optimize(jpg, len, 1, &lim, &out, &olen, &optimized, err, sizeof(err));
		MM_CHECK(st == MM_IMG_OK && s.live >= olen && s.live > 0,
				 "optimize: output from the caller's allocator");
		if (st == MM_IMG_OK)
			mm_img_free(&lim, out);
		MM_CHECK(s.live == 0, "optimize: all freed");
		free(jpg);
		free(src.px);
	}
}

/* ---------------------------------------------------------- corpus */

/* Splits line at tabs into at most n fields; returns the count. */
static int
split_tabs(char *line, char **f, int n)
{
	int			k = 0;

	f[k++] = line;
	for (; *line != '\0' && k < n; line++)
		if (*line == '\t')
		{
			*line = '\0';
			f[k++] = line + 1;
		}
	return k;
}

/*
 * Thumbnails every valid JPEG, PNG, GIF and BMP of the shared corpus into
 * a 256x256 box, and runs the invalid ones for robustness.
 */
static void
test_corpus(void)
{
	const char *dir = getenv("MM_CORPUS_DIR");
	char		path[4096];
	char	   *manifest;
	size_t		mlen;
	char	   *line;
	int			total = 0;
	int			ok = 0;
	int			bad_total = 0;
	int			bad_refused = 0;

	if (dir == NULL || dir[0] == '\0')
		dir = "../../../shared/corpus";
	snprintf(path, sizeof(path), "%s/MANIFEST.tsv", dir);
	manifest = (char *) read_file(path, &mlen);
	if (manifest == NULL)
	{
		MM_CHECK(1, "corpus thumbnails # SKIP no corpus at %s", dir);
		return;
	}
	manifest = realloc(manifest, mlen + 1);
	manifest[mlen] = '\0';
	line = strtok(manifest, "\n");
	while (line != NULL)
	{
		char	   *f[8];
		char	   *next = strtok(NULL, "\n");

		if (split_tabs(line, f, 8) >= 7 &&
			(strcmp(f[2], "jpeg") == 0 || strcmp(f[2], "png") == 0 ||
			 strcmp(f[2], "gif") == 0 || strcmp(f[2], "bmp") == 0))
		{
			int			valid = strcmp(f[6], "yes") == 0;
			size_t		len;
			uint8_t    *data;

			snprintf(path, sizeof(path), "%s/%s", dir, f[0]);
			data = read_file(path, &len);
			if (data != NULL)
			{
				uint8_t    *out = NULL;
				size_t		olen = 0;
				mm_thumb_info info;
				char		err[256];
				mm_img_status st;

				st = mm_thumbnail(data, len, 256, 256, MM_THUMB_AUTO, 80, NULL, &out, &olen,
								  &info, err, sizeof(err));
				if (valid)
				{
					img			t = {0, 0, 0, NULL};
					int			good = st == MM_IMG_OK &&
						decode_thumb(out, olen, info.format, &t, NULL) == 0 &&
						t.w >= 1 && t.h >= 1 && t.w <= 256 && t.h <= 256 &&
						t.w == info.out_width && t.h == info.out_height &&
						t.w <= info.src_width && t.h <= info.src_height;

					total++;
					if (good)
						ok++;
					else
						printf("# corpus thumbnail failed: %s: %s %s\n", f[0],
							   mm_img_status_name(st), st ? err : "");
					free(t.px);
				}
				else
				{
					bad_total++;
					if (st != MM_IMG_OK)
						bad_refused++;
				}
				if (st == MM_IMG_OK)
					free(out);
				free(data);
			}
		}
		line = next;
	}
	free(manifest);
	printf("# corpus thumbnails: %d ok of %d\n", ok, total);
	MM_CHECK(total > 0 && ok == total, "corpus: %d of %d valid JPEG/PNG/GIF/BMP files thumbnailed",
			 ok, total);
	MM_CHECK(1, "corpus: %d invalid files handled without crashing (%d refused)",
			 bad_total, bad_refused);
}

int
main(void)
{
	sample		s[NSAMPLES];

	test_jpeg_variants();
	test_orientation();
	test_shrink_on_load();
	test_tiny_jpeg();
	test_png_variants();
	test_gif();
	test_gif_composed();
	test_bmp();
	test_alpha();
	test_limits();
	test_budget();
	make_samples(s);
	test_interrupt(s);
	test_alloc_failures(s);
	test_corrupt(s);
	test_truncation_policy(s);
	test_args(s);
	free_samples(s);
	test_optimize();
	test_corpus();
	return mm_test_done();
}
