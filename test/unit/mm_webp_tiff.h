/*
 * mm_webp_tiff.h - the WebP and TIFF files of test_webp_tiff.c, made with
 * libwebp's encoder and libwebpmux (still, alpha, EXIF chunk, animations)
 * and libtiff (any layout, depth and color model through tiff_opts).  Each
 * shows the test picture: a red top-left quadrant on blue (alpha 0 in the
 * bottom-right quadrant when there is alpha).  MM_WRITE_SAMPLES=dir also
 * writes every file made there.
 */
#ifndef MM_WEBP_TIFF_H
#define MM_WEBP_TIFF_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tiffio.h>
#include <webp/encode.h>
#include <webp/mux.h>

#include "mm_file.h"

/* An encoded test file. */
typedef struct sample
{
	const char *name;			/* also the file name with MM_WRITE_SAMPLES */
	uint8_t    *data;
	size_t		len;
} sample;

static const uint8_t RED[3] = {230, 20, 20};
static const uint8_t BLUE[3] = {20, 40, 220};

/* The test picture: a red top-left quadrant on blue; alpha (nch 4) is 255, 0 in the bottom-right quadrant. */
static uint8_t *
picture(int w, int h, int nch)
{
	uint8_t    *p = malloc((size_t) w * h * nch);
	int			x;
	int			y;

	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
		{
			uint8_t    *q = p + ((size_t) y * w + x) * nch;
			const uint8_t *c = (x < w / 2 && y < h / 2) ? RED : BLUE;

			memcpy(q, c, 3);
			if (nch == 4)
				q[3] = (x >= w / 2 && y >= h / 2) ? 0 : 255;
		}
	return p;
}

/* Writes s to $MM_WRITE_SAMPLES/name when that is set. */
static void
maybe_write(const sample *s)
{
	const char *dir = getenv("MM_WRITE_SAMPLES");
	char		path[512];
	FILE	   *f;

	if (dir == NULL || s->data == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, s->name);
	f = fopen(path, "wb");
	if (f == NULL)
		return;
	fwrite(s->data, 1, s->len, f);
	fclose(f);
}

/* Copies a libwebp-owned buffer into a sample (malloc'd). */
static sample
sample_of(const char *name, const uint8_t *p, size_t n)
{
	sample		s;

	s.name = name;
	s.data = malloc(n ? n : 1);
	memcpy(s.data, p, n);
	s.len = n;
	maybe_write(&s);
	return s;
}

/* ------------------------------------------------------------ WebP files */

/* A still WebP of the test picture: lossy (quality 90) or lossless, with alpha or not. */
static sample
webp_still(const char *name, int w, int h, int lossless, int alpha)
{
	uint8_t    *px = picture(w, h, alpha ? 4 : 3);
	uint8_t    *out = NULL;
	size_t		n;
	sample		s;

	if (lossless)
		n = alpha ? WebPEncodeLosslessRGBA(px, w, h, w * 4, &out) : WebPEncodeLosslessRGB(px, w, h, w * 3, &out);
	else
		n = alpha ? WebPEncodeRGBA(px, w, h, w * 4, 90, &out) : WebPEncodeRGB(px, w, h, w * 3, 90, &out);
	s = sample_of(name, out, n);
	WebPFree(out);
	free(px);
	return s;
}

/* A WebP of one flat color, lossless (for animation frames). */
static WebPData
webp_flat(int w, int h, uint8_t r, uint8_t g, uint8_t b)
{
	uint8_t    *px = malloc((size_t) w * h * 3);
	WebPData	d;
	uint8_t    *out = NULL;
	int			i;

	for (i = 0; i < w * h; i++)
	{
		px[i * 3] = r;
		px[i * 3 + 1] = g;
		px[i * 3 + 2] = b;
	}
	d.size = WebPEncodeLosslessRGB(px, w, h, w * 3, &out);
	d.bytes = out;
	free(px);
	return d;
}

/* Assembles mux into a sample and deletes it. */
static sample
mux_sample(const char *name, WebPMux *mux)
{
	WebPData	out;
	sample		s;

	WebPDataInit(&out);
	if (WebPMuxAssemble(mux, &out) != WEBP_MUX_OK)
		out.size = 0;
	s = sample_of(name, out.bytes, out.size);
	WebPDataClear(&out);
	WebPMuxDelete(mux);
	return s;
}

/* A tiny big-endian EXIF block with Orientation o. */
static WebPData
exif_block(int o, uint8_t *buf)
{
	static const uint8_t exif[] = {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1,
		0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0};
	WebPData	d;

	memcpy(buf, exif, sizeof(exif));
	buf[19] = (uint8_t) o;
	d.bytes = buf;
	d.size = sizeof(exif);
	return d;
}

/* The still picture with an EXIF chunk saying orientation o. */
static sample
webp_exif(const char *name, int w, int h, int o)
{
	sample		still = webp_still("tmp", w, h, 0, 0);
	WebPData	in = {still.data, still.len};
	WebPMux    *mux = WebPMuxCreate(&in, 1);
	uint8_t		buf[32];
	WebPData	exif = exif_block(o, buf);

	WebPMuxSetChunk(mux, "EXIF", &exif, 1);
	free(still.data);
	return mux_sample(name, mux);
}

/*
 * An animation on a cw x ch canvas: the test picture (fw x fh at fx, fy,
 * even offsets) first, then a green frame over the whole canvas.
 */
static sample
webp_anim(const char *name, int cw, int ch, int fx, int fy, int fw, int fh)
{
	sample		first = webp_still("tmp", fw, fh, 0, 0);
	WebPData	second = webp_flat(cw, ch, 0, 200, 0);
	WebPMux    *mux = WebPMuxNew();
	WebPMuxFrameInfo fr;
	WebPMuxAnimParams ap = {0xFFFFFFFF, 0};

	memset(&fr, 0, sizeof(fr));
	fr.id = WEBP_CHUNK_ANMF;
	fr.duration = 100;
	fr.dispose_method = WEBP_MUX_DISPOSE_NONE;
	fr.blend_method = WEBP_MUX_NO_BLEND;
	fr.bitstream.bytes = first.data;
	fr.bitstream.size = first.len;
	fr.x_offset = fx;
	fr.y_offset = fy;
	WebPMuxPushFrame(mux, &fr, 1);
	fr.bitstream = second;
	fr.x_offset = fr.y_offset = 0;
	WebPMuxPushFrame(mux, &fr, 1);
	WebPMuxSetAnimationParams(mux, &ap);
	WebPMuxSetCanvasSize(mux, cw, ch);
	free(first.data);
	WebPFree((void *) second.bytes);
	return mux_sample(name, mux);
}

/* ------------------------------------------------------------ TIFF files */

/* How to write a TIFF. */
typedef struct tiff_opts
{
	int			w;
	int			h;
	int			kind;			/* 'g' gray, 'c' RGB, 'a' RGBA, 'p' palette, 'k' CMYK */
	int			bps;			/* 8 or 16 */
	int			tile;			/* tile size, 0 for strips */
	int			rows_per_strip;	/* 0: libtiff's default */
	int			compression;
	int			orientation;	/* 0: no tag */
	int			pages;			/* 2: a second, different page follows */
	const void *icc;			/* an ICCProfile tag (NULL: none) */
	uint32_t	icc_len;
} tiff_opts;

/* The sample values of pixel (x, y) for kind, 8-bit. */
static void
tiff_pixel(int kind, int x, int y, int w, int h, unsigned *v, int *n)
{
	int			red = x < w / 2 && y < h / 2;
	const uint8_t *c = red ? RED : BLUE;

	switch (kind)
	{
		case 'g':
			v[0] = red ? 200 : 40;
			*n = 1;
			break;
		case 'p':
			v[0] = red ? 0 : 1;
			*n = 1;
			break;
		case 'k':
			v[0] = 255 - c[0];
			v[1] = 255 - c[1];
			v[2] = 255 - c[2];
			v[3] = 0;
			*n = 4;
			break;
		default:
			v[0] = c[0];
			v[1] = c[1];
			v[2] = c[2];
			v[3] = (x >= w / 2 && y >= h / 2) ? 0 : 255;
			*n = kind == 'a' ? 4 : 3;
	}
}

/* Sets the tags of one page and writes its pixels. */
static void
tiff_page(TIFF *t, const tiff_opts *o)
{
	int			spp = o->kind == 'g' || o->kind == 'p' ? 1 : o->kind == 'c' ? 3 : 4;
	size_t		bpp = (size_t) spp * (o->bps / 8);
	int			bw = o->tile ? o->tile : o->w;	/* a tile, or a scanline */
	int			bh = o->tile ? o->tile : 1;
	uint8_t    *blk = calloc((size_t) bw * bh, bpp);
	int			x0;
	int			y0;

	TIFFSetField(t, TIFFTAG_IMAGEWIDTH, o->w);
	TIFFSetField(t, TIFFTAG_IMAGELENGTH, o->h);
	TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, o->bps);
	TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, spp);
	TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
	TIFFSetField(t, TIFFTAG_COMPRESSION, o->compression ? o->compression : COMPRESSION_NONE);
	if (o->orientation)
		TIFFSetField(t, TIFFTAG_ORIENTATION, o->orientation);
	if (o->icc != NULL)
		TIFFSetField(t, TIFFTAG_ICCPROFILE, o->icc_len, o->icc);
	if (o->kind == 'g')
		TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
	else if (o->kind == 'k')
	{
		TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_SEPARATED);
		TIFFSetField(t, TIFFTAG_INKSET, INKSET_CMYK);
	}
	else if (o->kind == 'p')
	{
		static uint16_t r[256] = {230 * 257, 20 * 257};
		static uint16_t g[256] = {20 * 257, 40 * 257};
		static uint16_t b[256] = {20 * 257, 220 * 257};

		TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_PALETTE);
		TIFFSetField(t, TIFFTAG_COLORMAP, r, g, b);
	}
	else
		TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB);
	if (o->kind == 'a')
	{
		uint16_t	extra = EXTRASAMPLE_UNASSALPHA;

		TIFFSetField(t, TIFFTAG_EXTRASAMPLES, 1, &extra);
	}
	if (o->compression == COMPRESSION_JPEG)
		TIFFSetField(t, TIFFTAG_JPEGQUALITY, 95);
	if (o->tile)
	{
		TIFFSetField(t, TIFFTAG_TILEWIDTH, o->tile);
		TIFFSetField(t, TIFFTAG_TILELENGTH, o->tile);
	}
	else
		TIFFSetField(t, TIFFTAG_ROWSPERSTRIP,
					 o->rows_per_strip ? (uint32_t) o->rows_per_strip : TIFFDefaultStripSize(t, 0));
	for (y0 = 0; y0 < o->h; y0 += bh)
		for (x0 = 0; x0 < o->w; x0 += bw)
		{
			int			x;
			int			y;

			for (y = 0; y < bh; y++)
				for (x = 0; x < bw; x++)
				{
					unsigned	v[4];
					int			n;
					int			i;
					uint8_t    *q = blk + ((size_t) y * bw + x) * bpp;

					if (x0 + x >= o->w || y0 + y >= o->h)
						continue;
					tiff_pixel(o->kind, x0 + x, y0 + y, o->w, o->h, v, &n);
					for (i = 0; i < n; i++)
					{
						if (o->bps == 16)
						{
							uint16_t	s = (uint16_t) (v[i] * 257);

							memcpy(q + i * 2, &s, 2);
						}
						else
							q[i] = (uint8_t) v[i];
					}
				}
			if (o->tile)
				TIFFWriteTile(t, blk, (uint32_t) x0, (uint32_t) y0, 0, 0);
			else
				TIFFWriteScanline(t, blk, (uint32_t) y0, 0);
		}
	free(blk);
}

/* A TIFF made with libtiff (through a temporary file). */
static sample
tiff_file(const char *name, tiff_opts o)
{
	char		path[] = "/tmp/mm_tiff_XXXXXX";
	int			fd = mkstemp(path);
	TIFF	   *t;
	sample		s;

	s.name = name;
	s.data = NULL;
	s.len = 0;
	if (fd < 0)
		return s;
	close(fd);
	t = TIFFOpen(path, "w");
	tiff_page(t, &o);
	if (o.pages > 1)
	{
		tiff_opts	second = o;

		TIFFWriteDirectory(t);
		second.w = o.w / 2;
		second.h = o.h * 2;
		second.kind = 'g';
		second.bps = 8;
		second.tile = 0;
		second.orientation = 0;
		second.compression = COMPRESSION_LZW;
		tiff_page(t, &second);
	}
	TIFFClose(t);
	s.data = read_file(path, &s.len);
	unlink(path);
	maybe_write(&s);
	return s;
}

#endif
