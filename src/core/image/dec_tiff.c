/*
 * image/dec_tiff.c - TIFF decoding for thumbnails through libtiff.
 *
 * The first image (directory) of the file, read from memory through
 * TIFFClientOpenExt with bounded reads.  libtiff's RGBA interface turns
 * every layout it knows (strips and tiles, contiguous or separate planes,
 * 1 to 16 bits, gray, RGB, palette, 8-bit CMYK, YCbCr, JPEG/LZW/Deflate/
 * PackBits...) into 8-bit RGBA; we ask it for one band of rows at a time
 * (a strip, or a row of tiles), so only that band is held, and pass the
 * rows on as gray, gray+alpha, RGB or RGBA (libtiff premultiplies alpha;
 * it is undone here).  CMYK with contiguous samples (8 or 16 bits; libtiff's
 * RGBA interface refuses 16 and converts 8 with a naive formula) is read
 * here from the decoded strips or tiles (tiff_run_cmyk) and converted to
 * RGB through the ICCProfile tag or the fallback CMYK profile
 * (image/cmyk.c), as libvips does.  The
 * Orientation tag is handed to the pipeline like JPEG's EXIF orientation;
 * libtiff's own flipping is turned off.
 *
 * Errors and warnings go to handlers of this call (TIFFOpenOptions), which
 * keep the first message and never print or longjmp.  libtiff allocates
 * with malloc (no allocator hook): every single allocation is capped at
 * what the budget has left (TIFFOpenOptionsSetMaxSingleMemAlloc), and the
 * buffers it holds while a band is decoded (a strip or a tile, raw and
 * decoded) are estimated and charged to the budget with the band itself.
 * The interrupt callback is polled between bands.
 */
#include "image/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <tiffio.h>

/* Room for libtiff's first error message. */
#define TIFF_MSG_LEN 200

typedef struct tiff_dec
{
	mm_img_ctx *ctx;
	mm_img_sink *sink;
	const uint8_t *src;
	size_t		len;
	uint64_t	pos;
	TIFF	   *tif;
	TIFFRGBAImage img;
	int			img_started;
	uint32_t   *band;
	uint8_t    *cmyk_band;		/* CMYK: a band of decoded samples */
	uint8_t    *cmyk_tile;		/* CMYK, tiled: one decoded tile */
	mm_cmyk    *cmyk;			/* CMYK: the colour converter */
	uint64_t	reserved;
	char		msg[TIFF_MSG_LEN];	/* libtiff's first error */
} tiff_dec;

/* libtiff's read: copies what is left of the buffer, at most n bytes. */
static tmsize_t
tiff_read(thandle_t h, void *buf, tmsize_t n)
{
	tiff_dec   *d = (tiff_dec *) h;
	uint64_t	left = d->pos < d->len ? d->len - d->pos : 0;

	if (n <= 0)
		return 0;
	if ((uint64_t) n > left)
		n = (tmsize_t) left;
	memcpy(buf, d->src + d->pos, (size_t) n);
	d->pos += (uint64_t) n;
	return n;
}

/* libtiff's write: the file is read-only. */
static tmsize_t
tiff_write(thandle_t h, void *buf, tmsize_t n)
{
	(void) h;
	(void) buf;
	(void) n;
	return -1;
}

/*
 * libtiff's seek.  Offsets relative to the current position or the end
 * come as two's-complement toff_t; a position before the start is
 * refused, one past the end is allowed and then reads nothing.
 */
static toff_t
tiff_seek(thandle_t h, toff_t off, int whence)
{
	tiff_dec   *d = (tiff_dec *) h;
	int64_t		base;
	int64_t		delta = (int64_t) off;

	if (whence == SEEK_SET)
	{
		if (off > (toff_t) INT64_MAX)
			return (toff_t) -1;
		d->pos = off;
		return d->pos;
	}
	if (whence != SEEK_CUR && whence != SEEK_END)
		return (toff_t) -1;
	base = (int64_t) (whence == SEEK_CUR ? d->pos : (uint64_t) d->len);
	if ((delta < 0 && base + delta < 0) || (delta > 0 && delta > INT64_MAX - base))
		return (toff_t) -1;
	d->pos = (uint64_t) (base + delta);
	return d->pos;
}

/* libtiff's close: nothing to close. */
static int
tiff_close(thandle_t h)
{
	(void) h;
	return 0;
}

/* libtiff's size of the file. */
static toff_t
tiff_size(thandle_t h)
{
	return ((tiff_dec *) h)->len;
}

/* libtiff's map: not offered (libtiff then never holds a pointer into the caller's bytes). */
static int
tiff_map(thandle_t h, void **base, toff_t *size)
{
	(void) h;
	(void) base;
	(void) size;
	return 0;
}

/* libtiff's unmap: nothing was mapped. */
static void
tiff_unmap(thandle_t h, void *base, toff_t size)
{
	(void) h;
	(void) base;
	(void) size;
}

/*
 * libtiff's error handler: keeps the first message; never prints.  (GCC
 * would have it marked as printf-like, which libtiff's handler type is not.)
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsuggest-attribute=format"
#endif
static int
tiff_error(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap)
{
	tiff_dec   *d = user;

	(void) tif;
	(void) module;
	if (d->msg[0] == '\0')
		vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	return 1;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

/* libtiff's warnings (unknown tags and the like) are ignored. */
static int
tiff_warning(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap)
{
	(void) tif;
	(void) user;
	(void) module;
	(void) fmt;
	(void) ap;
	return 1;
}

/* Records a libtiff failure with its message. */
static mm_img_status
tiff_fail(tiff_dec *d, mm_img_status status, const char *what)
{
	return mm_img_fail(d->ctx, status, "TIFF: %s%s%s", what, d->msg[0] ? ": " : "", d->msg);
}

/*
 * Opens the buffer with libtiff, with this call's error handlers and
 * every single allocation capped at what the budget has left.
 */
static mm_img_status
tiff_open(tiff_dec *d)
{
	TIFFOpenOptions *opts = TIFFOpenOptionsAlloc();
	uint64_t	cap = d->ctx->max_bytes;
	uint64_t	left = d->ctx->max_memory - d->ctx->in_use;

	if (opts == NULL)
		return mm_img_fail(d->ctx, MM_IMG_NOMEM, "TIFF: libtiff could not start");
	if (left < cap)
		cap = left;
	if (cap > (uint64_t) INT64_MAX)
		cap = (uint64_t) INT64_MAX;
	TIFFOpenOptionsSetMaxSingleMemAlloc(opts, (tmsize_t) cap);
	TIFFOpenOptionsSetErrorHandlerExtR(opts, tiff_error, d);
	TIFFOpenOptionsSetWarningHandlerExtR(opts, tiff_warning, d);
	/* "m": no memory mapping, so libtiff only ever gets copies through tiff_read */
	d->tif = TIFFClientOpenExt("image", "rm", (thandle_t) d, tiff_read, tiff_write, tiff_seek,
							   tiff_close, tiff_size, tiff_map, tiff_unmap, opts);
	TIFFOpenOptionsFree(opts);
	if (d->tif == NULL)
		return tiff_fail(d, MM_IMG_CORRUPT, "the file cannot be read");
	return MM_IMG_OK;
}

/*
 * Rows of one band (a strip, or a row of tiles) and what libtiff holds
 * while it decodes it: the encoded and decoded strip or tile (for
 * separate planes, one per sample), plus a fixed amount for codec state.
 */
static uint64_t
tiff_band(TIFF *tif, uint32_t h, uint32_t *rows)
{
	uint32_t	n = 0;
	uint64_t	unit;
	uint16_t	planar = PLANARCONFIG_CONTIG;
	uint16_t	spp = 1;

	TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &planar);
	TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &spp);
	if (TIFFIsTiled(tif))
	{
		TIFFGetField(tif, TIFFTAG_TILELENGTH, &n);
		unit = (uint64_t) TIFFTileSize64(tif);
	}
	else
	{
		TIFFGetFieldDefaulted(tif, TIFFTAG_ROWSPERSTRIP, &n);
		unit = (uint64_t) TIFFStripSize64(tif);
	}
	if (n == 0 || n > h)
		n = h;
	*rows = n;
	if (planar == PLANARCONFIG_SEPARATE)
		unit *= spp;
	return 2 * unit + ((uint64_t) 1 << 20);
}

/*
 * Converts a band row of libtiff's packed, premultiplied ABGR words in
 * place into nch-channel bytes with straight alpha.
 */
static void
tiff_convert_row(uint32_t *px, uint32_t w, int nch)
{
	uint8_t    *out = (uint8_t *) px;
	uint32_t	x;

	for (x = 0; x < w; x++)
	{
		uint32_t	v = px[x];
		unsigned	c[4];
		unsigned	a = TIFFGetA(v);
		int			i;

		c[0] = TIFFGetR(v);
		c[1] = TIFFGetG(v);
		c[2] = TIFFGetB(v);
		if (nch == 2 || nch == 4)
		{
			for (i = 0; i < 3; i++)
				c[i] = a == 0 ? 0 : c[i] >= a ? 255 : (c[i] * 255 + a / 2) / a;
		}
		/* out is at or behind px[x]'s bytes, so nothing unread is overwritten */
		if (nch <= 2)
		{
			out[0] = (uint8_t) c[0];
			if (nch == 2)
				out[1] = (uint8_t) a;
		}
		else
		{
			out[0] = (uint8_t) c[0];
			out[1] = (uint8_t) c[1];
			out[2] = (uint8_t) c[2];
			if (nch == 4)
				out[3] = (uint8_t) a;
		}
		out += nch;
	}
}

/*
 * Is the first directory 8- or 16-bit CMYK with contiguous samples (up to
 * seven extra samples after the four inks, ignored: lcms2's limit)?  *spp
 * gets the samples per pixel, *bytes the bytes per sample.
 */
static int
tiff_is_cmyk(TIFF *tif, uint16_t *spp, int *bytes)
{
	uint16_t	photometric = 0;
	uint16_t	bps = 1;
	uint16_t	inkset = INKSET_CMYK;
	uint16_t	planar = PLANARCONFIG_CONTIG;

	*spp = 1;
	TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photometric);
	TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bps);
	TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, spp);
	TIFFGetFieldDefaulted(tif, TIFFTAG_INKSET, &inkset);
	TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &planar);
	*bytes = bps / 8;
	return photometric == PHOTOMETRIC_SEPARATED && (bps == 8 || bps == 16) &&
		inkset == INKSET_CMYK && *spp >= 4 && *spp <= 4 + 7 && planar == PLANARCONFIG_CONTIG;
}

/* Sets up the CMYK converter from the ICCProfile tag (none or broken: the fallback). */
static mm_img_status
tiff_start_cmyk(tiff_dec *d, int spp, int bytes)
{
	uint32_t	icc_len = 0;
	void	   *icc = NULL;

	if (!TIFFGetField(d->tif, TIFFTAG_ICCPROFILE, &icc_len, &icc))
		icc_len = 0;
	d->cmyk = mm_cmyk_open(d->ctx, icc, icc != NULL ? icc_len : 0, bytes, spp, 0);
	return d->cmyk != NULL ? MM_IMG_OK : d->ctx->status;
}

/*
 * Decodes the n rows of CMYK from row y into d->cmyk_band (w x n pixels of
 * px bytes): one strip, or one row of tiles copied in tile by tile.
 */
static mm_img_status
tiff_read_cmyk_band(tiff_dec *d, uint32_t w, uint32_t y, uint32_t n, size_t px, uint32_t tw)
{
	uint32_t	x;
	uint32_t	r;

	if (!TIFFIsTiled(d->tif))
	{
		if (TIFFReadEncodedStrip(d->tif, TIFFComputeStrip(d->tif, y, 0), d->cmyk_band,
								 (tmsize_t) ((size_t) w * n * px)) < (tmsize_t) ((size_t) w * n * px))
			return tiff_fail(d, MM_IMG_CORRUPT, "the image data is damaged or truncated");
		return MM_IMG_OK;
	}
	for (x = 0; x < w; x += tw)
	{
		uint32_t	cols = w - x < tw ? w - x : tw;

		if (TIFFReadEncodedTile(d->tif, TIFFComputeTile(d->tif, x, y, 0, 0), d->cmyk_tile, -1) < 0)
			return tiff_fail(d, MM_IMG_CORRUPT, "the image data is damaged or truncated");
		for (r = 0; r < n; r++)
			memcpy(d->cmyk_band + ((size_t) r * w + x) * px, d->cmyk_tile + (size_t) r * tw * px,
				   (size_t) cols * px);
	}
	return MM_IMG_OK;
}

/*
 * Streams CMYK (spp samples of bytes each a pixel) as RGB, band by band (a
 * strip, or a row of tiles), after the sink took the header.  rows is the
 * band's height.
 */
static mm_img_status
tiff_run_cmyk(tiff_dec *d, uint32_t w, uint32_t h, uint32_t rows, int spp, int bytes)
{
	uint32_t	tw = 0;
	uint32_t	y;
	uint8_t    *rgb;
	size_t		px = (size_t) spp * (size_t) bytes;
	uint64_t	band_bytes = (uint64_t) w * rows * (uint64_t) px;
	uint64_t	tile_bytes = 0;

	if (TIFFIsTiled(d->tif))
	{
		TIFFGetField(d->tif, TIFFTAG_TILEWIDTH, &tw);
		tile_bytes = (uint64_t) TIFFTileSize64(d->tif);
		if (tw == 0 || tile_bytes < (uint64_t) tw * rows * (uint64_t) px)
			return tiff_fail(d, MM_IMG_CORRUPT, "the tile size is inconsistent");
	}
	else if ((uint64_t) TIFFStripSize64(d->tif) < band_bytes)
		return tiff_fail(d, MM_IMG_CORRUPT, "the strip size is inconsistent");
	if (mm_img_check_budget(d->ctx, band_bytes + tile_bytes + (uint64_t) w * 3,
							"the TIFF image's strip or tile row") != MM_IMG_OK)
		return d->ctx->status;
	d->cmyk_band = mm_img_alloc_array(d->ctx, (size_t) band_bytes, 1);
	if (d->cmyk_band == NULL)
		return d->ctx->status;
	if (tile_bytes > 0 && (d->cmyk_tile = mm_img_alloc_array(d->ctx, (size_t) tile_bytes, 1)) == NULL)
		return d->ctx->status;
	/* the RGB row reuses the band of 32-bit words that the RGBA path would use */
	d->band = mm_img_alloc_array(d->ctx, (size_t) w, 3);
	if (d->band == NULL)
		return d->ctx->status;
	rgb = (uint8_t *) d->band;
	if (tiff_start_cmyk(d, spp, bytes) != MM_IMG_OK)
		return d->ctx->status;
	if (d->sink->start(d->sink, (int) w, (int) h, 3) != MM_IMG_OK)
		return d->ctx->status;
	for (y = 0; y < h; y += rows)
	{
		uint32_t	n = h - y < rows ? h - y : rows;
		uint32_t	i;

		if (mm_img_poll(d->ctx) || tiff_read_cmyk_band(d, w, y, n, px, tw) != MM_IMG_OK)
			return d->ctx->status;
		for (i = 0; i < n; i++)
		{
			mm_cmyk_row(d->cmyk, d->cmyk_band + (size_t) i * w * px, rgb, w);
			if (d->sink->row(d->sink, rgb) != MM_IMG_OK)
				return d->ctx->status;
		}
	}
	return MM_IMG_OK;
}

/* Tells the sink the image's size, alpha and orientation (a TIFF tag value). */
static mm_img_status
tiff_header(tiff_dec *d, uint32_t w, uint32_t h, int alpha, uint16_t orientation)
{
	mm_img_header hdr;
	int			want_w = (int) w;
	int			want_h = (int) h;

	memset(&hdr, 0, sizeof(hdr));
	hdr.width = (int) w;
	hdr.height = (int) h;
	hdr.has_alpha = alpha;
	hdr.orientation = orientation >= 1 && orientation <= 8 ? orientation : 1;
	return d->sink->header(d->sink, &hdr, &want_w, &want_h);
}

/*
 * Reads the header of the first directory, checks its size, tells the
 * sink, and streams the image band by band.
 */
static mm_img_status
tiff_run(tiff_dec *d)
{
	char		emsg[1024] = "";
	uint32_t	w = 0;
	uint32_t	h = 0;
	uint16_t	orientation = ORIENTATION_TOPLEFT;
	uint32_t	rows;
	uint32_t	y;
	int			gray;
	int			nch;
	uint16_t	spp;
	int			bytes;
	uint64_t	lib_memory;

	if (tiff_open(d) != MM_IMG_OK)
		return d->ctx->status;
	if (!TIFFGetField(d->tif, TIFFTAG_IMAGEWIDTH, &w) || !TIFFGetField(d->tif, TIFFTAG_IMAGELENGTH, &h))
		return tiff_fail(d, MM_IMG_CORRUPT, "the image size is missing");
	if (mm_img_check_size(d->ctx, w, h) != MM_IMG_OK)
		return d->ctx->status;
	TIFFGetFieldDefaulted(d->tif, TIFFTAG_ORIENTATION, &orientation);
	if (tiff_is_cmyk(d->tif, &spp, &bytes))
	{
		if (tiff_header(d, w, h, 0, orientation) != MM_IMG_OK)
			return d->ctx->status;
		lib_memory = tiff_band(d->tif, h, &rows);
		if (mm_img_reserve(d->ctx, lib_memory, "libtiff's strip or tile buffers") != MM_IMG_OK)
			return d->ctx->status;
		d->reserved = lib_memory;
		return tiff_run_cmyk(d, w, h, rows, spp, bytes);
	}
	if (!TIFFRGBAImageOK(d->tif, emsg) || !TIFFRGBAImageBegin(&d->img, d->tif, 1, emsg))
		return mm_img_fail(d->ctx, MM_IMG_UNSUPPORTED, "TIFF: %s", emsg[0] ? emsg : "this layout is not supported");
	d->img_started = 1;
	/* we orient the thumbnail ourselves: libtiff must not flip the rows */
	d->img.req_orientation = ORIENTATION_TOPLEFT;
	d->img.orientation = ORIENTATION_TOPLEFT;
	gray = d->img.photometric == PHOTOMETRIC_MINISBLACK ||
		d->img.photometric == PHOTOMETRIC_MINISWHITE;
	nch = (gray ? 1 : 3) + (d->img.alpha != 0);

	if (tiff_header(d, w, h, d->img.alpha != 0, orientation) != MM_IMG_OK)
		return d->ctx->status;

	lib_memory = tiff_band(d->tif, h, &rows);
	if (mm_img_check_budget(d->ctx, (uint64_t) w * rows * 4 + lib_memory, "the TIFF image's strip or tile row") != MM_IMG_OK)
		return d->ctx->status;
	d->band = mm_img_alloc_array(d->ctx, (size_t) w * rows, sizeof(uint32_t));
	if (d->band == NULL)
		return d->ctx->status;
	if (mm_img_reserve(d->ctx, lib_memory, "libtiff's strip or tile buffers") != MM_IMG_OK)
		return d->ctx->status;
	d->reserved = lib_memory;
	if (d->sink->start(d->sink, (int) w, (int) h, nch) != MM_IMG_OK)
		return d->ctx->status;
	for (y = 0; y < h; y += rows)
	{
		uint32_t	n = h - y < rows ? h - y : rows;
		uint32_t	i;

		if (mm_img_poll(d->ctx))
			return d->ctx->status;
		d->img.row_offset = (int) y;
		d->img.col_offset = 0;
		if (!TIFFRGBAImageGet(&d->img, d->band, w, n))
			return tiff_fail(d, MM_IMG_CORRUPT, "the image data is damaged or truncated");
		for (i = 0; i < n; i++)
		{
			uint32_t   *row = d->band + (size_t) i * w;

			tiff_convert_row(row, w, nch);
			if (d->sink->row(d->sink, (const uint8_t *) row) != MM_IMG_OK)
				return d->ctx->status;
		}
	}
	return MM_IMG_OK;
}

/* Decodes the first image of the TIFF in src into sink. */
mm_img_status
mm_img_decode_tiff(mm_img_ctx *ctx, const uint8_t *src, size_t len, mm_img_sink *sink)
{
	tiff_dec   *d;
	mm_img_status status;

	d = mm_img_zalloc(ctx, sizeof(*d));
	if (d == NULL)
		return ctx->status;
	d->ctx = ctx;
	d->sink = sink;
	d->src = src;
	d->len = len;
	status = tiff_run(d);
	if (d->img_started)
		TIFFRGBAImageEnd(&d->img);
	if (d->tif != NULL)
		TIFFClose(d->tif);
	mm_img_unreserve(ctx, d->reserved);
	mm_img_release(ctx, d->band);
	mm_img_release(ctx, d->cmyk_band);
	mm_img_release(ctx, d->cmyk_tile);
	mm_cmyk_close(d->cmyk);
	mm_img_release(ctx, d);
	return status;
}
