/*
 * image/dec_bmp.c - BMP decoding for thumbnails.
 *
 * Handles the OS/2 1.x core header, the OS/2 2.x header (16 to 64 bytes:
 * a Windows info header cut short, the missing fields zero), the Windows
 * info headers (40 bytes and the V2-V5 extensions), uncompressed 1/2/4/8-bit palette images, 16- and
 * 32-bit images with or without bit-field masks (an alpha mask gives an
 * alpha channel, unless every alpha value is zero, as in files whose
 * writers left that byte empty), 24-bit images, and RLE8/RLE4 (pixels the
 * RLE data skips are transparent).  Bottom-up and top-down row orders are
 * both read.  Uncompressed pixels are read in place from the file, so
 * memory is one row; RLE needs the whole image as indices.  Every header
 * value is checked against the file's length before use.
 */
#include "image/internal.h"

#include <string.h>

#include "util/source.h"

#define BI_RGB			0
#define BI_RLE8			1
#define BI_RLE4			2
#define BI_BITFIELDS	3
#define BI_ALPHABITFIELDS 6

/* One channel of a bit-field mask: value = ((px & mask) >> shift) * 255 / max. */
typedef struct bmp_field
{
	uint32_t	mask;
	int			shift;
	uint32_t	max;
} bmp_field;

typedef struct bmp_dec
{
	mm_img_ctx *ctx;
	const uint8_t *p;
	size_t		len;
	int64_t		w;
	int64_t		h;
	int			top_down;
	int			bpp;
	uint32_t	comp;
	size_t		off;			/* pixel data */
	uint64_t	stride;
	uint8_t		pal[256][3];
	int			pal_n;
	bmp_field	f[4];			/* R, G, B, A */
	int			alpha;
	uint16_t   *rle;			/* RLE images: w * h indices, 256 = skipped */
} bmp_dec;

/* Sets up field f from mask. */
static void
field_init(bmp_field *f, uint32_t mask)
{
	f->mask = mask;
	f->shift = 0;
	f->max = 0;
	if (mask == 0)
		return;
	while (!((mask >> f->shift) & 1))
		f->shift++;
	f->max = mask >> f->shift;
}

/* The 8-bit value of field f in pixel px. */
static inline uint8_t
field_get(const bmp_field *f, uint32_t px)
{
	uint32_t	v;

	if (f->max == 0)
		return 0;
	v = (px & f->mask) >> f->shift;
	if (f->max == 255)
		return (uint8_t) v;
	return (uint8_t) (((uint64_t) v * 255 + f->max / 2) / f->max);
}

/* The pixel (16 or 32 bits, little-endian) at q. */
static inline uint32_t
pixel_at(const bmp_dec *b, const uint8_t *q)
{
	return b->bpp == 16 ? mm_le16(q) : mm_le32(q);
}

/*
 * Whether a masked 32/16-bit image really uses its alpha: files whose
 * alpha is zero everywhere are meant to be opaque.
 */
static int
alpha_used(const bmp_dec *b)
{
	int64_t		x;
	int64_t		y;
	int			bytes = b->bpp / 8;

	for (y = 0; y < b->h; y++)
	{
		const uint8_t *row = b->p + b->off + (size_t) (y * b->stride);

		for (x = 0; x < b->w; x++)
			if (pixel_at(b, row + x * bytes) & b->f[3].mask)
				return 1;
	}
	return 0;
}

/* Reads the palette of n entries of esz bytes at off (what the file has). */
static void
read_palette(bmp_dec *b, size_t off, int n, int esz)
{
	int			i;

	b->pal_n = 0;
	if (n > 256)
		n = 256;
	for (i = 0; i < n; i++)
	{
		size_t		at = off + (size_t) i * esz;

		if (at > b->len || (size_t) esz > b->len - at)
			break;
		b->pal[i][0] = b->p[at + 2];
		b->pal[i][1] = b->p[at + 1];
		b->pal[i][2] = b->p[at];
		b->pal_n = i + 1;
	}
}

/*
 * Whether a DIB header of hs bytes is OS/2 2.x's BITMAPCOREHEADER2 (16 to
 * 64 bytes) rather than a Windows one (40, 52, 56, 108, 124): its
 * compression values 3 and 4 mean Huffman 1D and RLE24, not bit fields.
 */
static int
bmp_os2_header(uint32_t hs)
{
	return hs >= 16 && hs <= 64 && hs != 40 && hs != 52 && hs != 56;
}

/* Parses the file and info headers, masks and palette. */
static mm_img_status
parse_header(bmp_dec *b)
{
	const uint8_t *p = b->p;
	uint32_t	hs;
	uint32_t	clr_used = 0;
	size_t		pal_off;
	int			esz = 4;
	uint32_t	masks[4] = {0, 0, 0, 0};

	if (b->len < 26 || p[0] != 'B' || p[1] != 'M')
		return mm_img_fail(b->ctx, b->len < 26 ? MM_IMG_CORRUPT : MM_IMG_UNSUPPORTED,
						   "not a BMP file");
	b->off = mm_le32(p + 10);
	hs = mm_le32(p + 14);
	if (hs == 12)
	{
		b->w = mm_le16(p + 18);
		b->h = mm_le16(p + 20);
		b->bpp = mm_le16(p + 24);
		b->comp = BI_RGB;
		esz = 3;
	}
	else if (hs >= 16 && hs <= b->len - 14)
	{
		int32_t		h = (int32_t) mm_le32(p + 22);

		/* an OS/2 2.x header (16..64 bytes) is a Windows info header cut short */
		b->w = (int32_t) mm_le32(p + 18);
		if (h == INT32_MIN)
			return mm_img_fail(b->ctx, MM_IMG_CORRUPT, "bad BMP height");
		b->top_down = h < 0;
		b->h = h < 0 ? -(int64_t) h : h;
		b->bpp = mm_le16(p + 28);
		b->comp = hs >= 20 ? mm_le32(p + 30) : BI_RGB;
		clr_used = hs >= 36 ? mm_le32(p + 46) : 0;
		if (bmp_os2_header(hs) && b->comp >= BI_BITFIELDS)
			return mm_img_fail(b->ctx, MM_IMG_UNSUPPORTED,
							   "OS/2 BMP compression %u (%s) is not supported", b->comp,
							   b->comp == 3 ? "Huffman 1D" : b->comp == 4 ? "RLE24" : "unknown");
	}
	else if (hs >= 16)
		return mm_img_fail(b->ctx, MM_IMG_CORRUPT,
						   "the BMP header (%u bytes) runs past the end of the file", hs);
	else
		return mm_img_fail(b->ctx, MM_IMG_UNSUPPORTED,
						   "BMP header size %u is not supported: known sizes are 12 (OS/2 1.x), "
						   "16 to 64 (OS/2 2.x) and 40 or more (Windows)", hs);
	if (b->w <= 0 || b->h <= 0)
		return mm_img_fail(b->ctx, MM_IMG_CORRUPT, "bad BMP size %lldx%lld",
						   (long long) b->w, (long long) b->h);
	if (mm_img_check_size(b->ctx, (uint64_t) b->w, (uint64_t) b->h) != MM_IMG_OK)
		return b->ctx->status;

	pal_off = 14 + (size_t) hs;
	switch (b->comp)
	{
		case BI_RGB:
			if (b->bpp != 1 && b->bpp != 2 && b->bpp != 4 && b->bpp != 8 &&
				b->bpp != 16 && b->bpp != 24 && b->bpp != 32)
				return mm_img_fail(b->ctx, MM_IMG_CORRUPT, "bad BMP bit depth %d", b->bpp);
			if (b->bpp == 16)
			{
				masks[0] = 0x7C00;
				masks[1] = 0x03E0;
				masks[2] = 0x001F;
			}
			else if (b->bpp == 32)
			{
				masks[0] = 0x00FF0000;
				masks[1] = 0x0000FF00;
				masks[2] = 0x000000FF;
			}
			break;
		case BI_RLE8:
		case BI_RLE4:
			if (b->bpp != (b->comp == BI_RLE8 ? 8 : 4) || b->top_down)
				return mm_img_fail(b->ctx, MM_IMG_CORRUPT, "bad BMP RLE header");
			break;
		case BI_BITFIELDS:
		case BI_ALPHABITFIELDS:
			{
				int			n = b->comp == BI_ALPHABITFIELDS ? 4 : 3;
				size_t		at = 54;
				int			i;

				if (b->bpp != 16 && b->bpp != 32)
					return mm_img_fail(b->ctx, MM_IMG_CORRUPT, "bad BMP bit-field depth");
				if (hs == 40)
					pal_off += (size_t) n * 4;
				else if (hs >= 56)
					n = 4;
				if (at + (size_t) n * 4 > b->len)
					return mm_img_fail(b->ctx, MM_IMG_CORRUPT, "the BMP file is truncated");
				for (i = 0; i < n; i++)
					masks[i] = mm_le32(p + at + 4 * i);
				break;
			}
		default:
			return mm_img_fail(b->ctx, MM_IMG_UNSUPPORTED,
							   "BMP compression %u is not supported", b->comp);
	}
	if (b->bpp == 16)
	{
		int			i;

		for (i = 0; i < 4; i++)
			masks[i] &= 0xFFFF;
	}
	field_init(&b->f[0], masks[0]);
	field_init(&b->f[1], masks[1]);
	field_init(&b->f[2], masks[2]);
	field_init(&b->f[3], masks[3]);
	if (b->bpp <= 8)
	{
		int			n = clr_used > 0 && clr_used < 256 ? (int) clr_used : 1 << b->bpp;

		read_palette(b, pal_off, n, esz);
	}
	b->stride = (((uint64_t) b->w * b->bpp + 31) / 32) * 4;
	if (b->comp != BI_RLE8 && b->comp != BI_RLE4)
	{
		/* all rows, the last one's padding excepted, must be in the file */
		uint64_t	need = b->stride * (uint64_t) (b->h - 1) +
			((uint64_t) b->w * b->bpp + 7) / 8;

		if (b->off > b->len || need > b->len - b->off)
			return mm_img_fail(b->ctx, MM_IMG_CORRUPT, "the BMP file is truncated");
		b->alpha = b->f[3].mask != 0 && alpha_used(b);
	}
	return MM_IMG_OK;
}

/* Sets RLE pixel (x, y) (y from the bottom) when it is inside the image. */
static inline void
rle_set(bmp_dec *b, int64_t x, int64_t y, int v)
{
	if (x >= 0 && x < b->w && y >= 0 && y < b->h)
		b->rle[(size_t) (y * b->w + x)] = (uint16_t) v;
}

/* Decodes RLE8 or RLE4 data into b->rle, row 0 being the bottom row. */
static mm_img_status
decode_rle(bmp_dec *b)
{
	const uint8_t *p = b->p;
	size_t		pos = b->off;
	int			rle4 = b->comp == BI_RLE4;
	int64_t		x = 0;
	int64_t		y = 0;
	size_t		n = (size_t) (b->w * b->h);
	size_t		i;

	b->rle = mm_img_alloc_array(b->ctx, n, sizeof(uint16_t));
	if (b->rle == NULL)
		return b->ctx->status;
	for (i = 0; i < n; i++)
		b->rle[i] = 256;
	if (pos > b->len)
		return mm_img_fail(b->ctx, MM_IMG_CORRUPT, "the BMP file is truncated");
	while (y < b->h)
	{
		int			cnt;
		int			c;
		int			k;

		if (b->len - pos < 2)
			return mm_img_fail(b->ctx, MM_IMG_CORRUPT, "the BMP RLE data is truncated");
		cnt = p[pos];
		c = p[pos + 1];
		pos += 2;
		if (cnt > 0)
		{
			for (k = 0; k < cnt && x < b->w; k++, x++)
				rle_set(b, x, y, rle4 ? ((k & 1) ? (c & 15) : (c >> 4)) : c);
			continue;
		}
		if (c == 0)
		{
			x = 0;
			y++;
			if (mm_img_poll(b->ctx))
				return b->ctx->status;
		}
		else if (c == 1)
			break;
		else if (c == 2)
		{
			if (b->len - pos < 2)
				return mm_img_fail(b->ctx, MM_IMG_CORRUPT, "the BMP RLE data is truncated");
			x += p[pos];
			y += p[pos + 1];
			pos += 2;
		}
		else
		{
			size_t		bytes = rle4 ? (size_t) (c + 1) / 2 : (size_t) c;

			if (b->len - pos < bytes)
				return mm_img_fail(b->ctx, MM_IMG_CORRUPT, "the BMP RLE data is truncated");
			for (k = 0; k < c; k++, x++)
			{
				int			v = rle4 ? ((k & 1) ? (p[pos + k / 2] & 15) : (p[pos + k / 2] >> 4)) :
					p[pos + k];

				rle_set(b, x, y, v);
			}
			pos += bytes + (bytes & 1);
			if (pos > b->len)
				pos = b->len;
		}
	}
	for (i = 0; i < n; i++)
		if (b->rle[i] == 256)
		{
			b->alpha = 1;
			break;
		}
	return MM_IMG_OK;
}

/* Converts stored row sy (0 = first in the file) into RGB or RGBA. */
static void
convert_row(const bmp_dec *b, int64_t sy, uint8_t *out)
{
	int			nch = b->alpha ? 4 : 3;
	int64_t		x;

	if (b->rle != NULL)
	{
		const uint16_t *r = b->rle + (size_t) (sy * b->w);

		for (x = 0; x < b->w; x++)
		{
			uint8_t    *q = out + x * nch;
			int			v = r[x];

			if (v == 256)
				memset(q, 0, nch);
			else
			{
				if (v < b->pal_n)
					memcpy(q, b->pal[v], 3);
				else
					memset(q, 0, 3);
				if (nch == 4)
					q[3] = 255;
			}
		}
		return;
	}
	{
		const uint8_t *row = b->p + b->off + (size_t) ((uint64_t) sy * b->stride);

		for (x = 0; x < b->w; x++)
		{
			uint8_t    *q = out + x * nch;

			if (b->bpp <= 8)
			{
				int			bit = (int) (x * b->bpp);
				int			v = (row[bit >> 3] >> (8 - b->bpp - (bit & 7))) & ((1 << b->bpp) - 1);

				if (v < b->pal_n)
					memcpy(q, b->pal[v], 3);
				else
					memset(q, 0, 3);
			}
			else if (b->bpp == 24)
			{
				q[0] = row[x * 3 + 2];
				q[1] = row[x * 3 + 1];
				q[2] = row[x * 3];
			}
			else
			{
				uint32_t	px = pixel_at(b, row + x * (b->bpp / 8));

				q[0] = field_get(&b->f[0], px);
				q[1] = field_get(&b->f[1], px);
				q[2] = field_get(&b->f[2], px);
				if (nch == 4)
					q[3] = field_get(&b->f[3], px);
				continue;
			}
			if (nch == 4)
				q[3] = 255;
		}
	}
}

/* Parses, decodes and feeds the image to the sink top row first. */
static mm_img_status
bmp_run(bmp_dec *b, mm_img_sink *sink, uint8_t **rowp)
{
	mm_img_header hdr;
	int			want_w;
	int			want_h;
	int64_t		y;

	if (parse_header(b) != MM_IMG_OK)
		return b->ctx->status;
	memset(&hdr, 0, sizeof(hdr));
	hdr.width = (int) b->w;
	hdr.height = (int) b->h;
	hdr.orientation = 1;
	hdr.has_alpha = b->alpha || b->comp == BI_RLE8 || b->comp == BI_RLE4;
	want_w = hdr.width;
	want_h = hdr.height;
	if (sink->header(sink, &hdr, &want_w, &want_h) != MM_IMG_OK)
		return b->ctx->status;
	if ((b->comp == BI_RLE8 || b->comp == BI_RLE4) && decode_rle(b) != MM_IMG_OK)
		return b->ctx->status;
	*rowp = mm_img_alloc_array(b->ctx, (size_t) b->w, 4);
	if (*rowp == NULL)
		return b->ctx->status;
	if (sink->start(sink, (int) b->w, (int) b->h, b->alpha ? 4 : 3) != MM_IMG_OK)
		return b->ctx->status;
	for (y = 0; y < b->h; y++)
	{
		int64_t		sy = b->top_down ? y : b->h - 1 - y;

		if (mm_img_poll(b->ctx))
			return b->ctx->status;
		convert_row(b, sy, *rowp);
		if (sink->row(sink, *rowp) != MM_IMG_OK)
			return b->ctx->status;
	}
	return MM_IMG_OK;
}

/* Decodes the BMP in src into sink. */
mm_img_status
mm_img_decode_bmp(mm_img_ctx *ctx, const uint8_t *src, size_t len, mm_img_sink *sink)
{
	bmp_dec    *b;
	uint8_t    *row = NULL;
	mm_img_status status;

	b = mm_img_zalloc(ctx, sizeof(*b));
	if (b == NULL)
		return ctx->status;
	b->ctx = ctx;
	b->p = src;
	b->len = len;
	status = bmp_run(b, sink, &row);
	mm_img_release(ctx, row);
	mm_img_release(ctx, b->rle);
	mm_img_release(ctx, b);
	return status;
}
