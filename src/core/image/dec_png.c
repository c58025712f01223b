/*
 * image/dec_png.c - PNG decoding for thumbnails through libpng.
 *
 * libpng's transforms turn every color type and bit depth into 8-bit gray,
 * gray+alpha, RGB or RGBA: palettes are expanded, tRNS becomes alpha, low
 * bit depths are scaled up and 16-bit samples are scaled down.  A
 * non-interlaced image is read and passed on one row at a time; an
 * interlaced one has to be assembled whole first (its passes interleave),
 * within max_bytes.  All of libpng's memory, zlib's included, goes through
 * the core's allocator, and its errors longjmp back to the setjmp here
 * (image/png_guard.c).
 * Ancillary chunks a thumbnail does not use (text, ICC, EXIF, APNG) are
 * skipped unparsed, so no compressed metadata is ever inflated.
 * Truncation: a file whose pixel data is whole but which ends inside the
 * last IDAT's CRC is completed and decoded (dec_complete_tail); a file
 * missing pixel data is refused ("the file is truncated"), as the JPEG,
 * GIF and BMP decoders refuse theirs: no partial thumbnails.
 */
#include "image/png.h"

#include <string.h>
#include <zlib.h>

#include "util/source.h"

typedef struct png_dec
{
	mm_png_guard guard;			/* libpng's structs, errors and memory */
	mm_img_ctx *ctx;
	const uint8_t *src;
	size_t		len;
	size_t		pos;
	mm_img_sink *sink;
	uint8_t    *row;
	uint8_t    *image;
	size_t		tail_at;		/* file offset where tail[] takes over */
	size_t		vlen;			/* bytes readable: len, or tail_at + 16 */
	uint8_t		tail[16];		/* the last IDAT's CRC, then an IEND chunk */
} png_dec;

/*
 * A file cut inside the CRC of its last IDAT chunk holds every pixel byte:
 * only the 4-byte checksum and IEND are missing (libvips draws such files).
 * When the chunk walk ends that way, and the CRC bytes that are there
 * agree with the CRC of the chunk, the missing tail is supplied from
 * d->tail: the CRC computed here and an IEND chunk.  A file cut anywhere
 * else is still refused as truncated (a missing IEND alone never mattered:
 * it is not read).  The walk is bounded by the file's length.
 */
static void
dec_complete_tail(png_dec *d)
{
	static const uint8_t iend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
	size_t		pos = 8;
	uint32_t	crc;
	size_t		i;

	d->tail_at = d->vlen = d->len;
	while (d->len - pos >= 12)
	{
		size_t		clen = mm_be32(d->src + pos);

		if (clen <= d->len - pos - 12)
		{
			pos += 12 + clen;
			continue;
		}
		if (clen > d->len - pos - 8 || memcmp(d->src + pos + 4, "IDAT", 4) != 0)
			return;				/* pixel data missing, or not an IDAT: truncated */
		crc = (uint32_t) crc32(crc32(0L, Z_NULL, 0), d->src + pos + 4, (uInt) (clen + 4));
		d->tail[0] = (uint8_t) (crc >> 24);
		d->tail[1] = (uint8_t) (crc >> 16);
		d->tail[2] = (uint8_t) (crc >> 8);
		d->tail[3] = (uint8_t) crc;
		for (i = pos + 8 + clen; i < d->len; i++)
			if (d->src[i] != d->tail[i - (pos + 8 + clen)])
				return;			/* the CRC bytes present disagree: damaged, not cut */
		memcpy(d->tail + 4, iend, sizeof(iend));
		d->tail_at = pos + 8 + clen;
		d->vlen = d->tail_at + sizeof(d->tail);
		return;
	}
}

/*
 * Reads from the in-memory file, then from the supplied tail (if any);
 * running off the end is an error.
 */
static void
dec_read(png_structp png, png_bytep out, size_t n)
{
	png_dec    *d = png_get_io_ptr(png);
	size_t		k;

	if (n > d->vlen - d->pos)
		png_error(png, "the file is truncated");
	k = d->pos < d->tail_at ? (n < d->tail_at - d->pos ? n : d->tail_at - d->pos) : 0;
	memcpy(out, d->src + d->pos, k);	/* the file's own bytes, in one copy */
	d->pos += k;
	for (; k < n; k++, d->pos++)
		out[k] = d->tail[d->pos - d->tail_at];
}

/* Ancillary chunks that a thumbnail does not need: skipped unread. */
static const png_byte skip_chunks[] =
	"iCCP\0" "iTXt\0" "tEXt\0" "zTXt\0" "sPLT\0" "eXIf\0" "hIST\0" "pCAL\0"
	"sCAL\0" "sTER\0" "tIME\0" "pHYs\0" "oFFs\0" "cHRM\0" "sBIT\0" "gAMA\0"
	"sRGB\0" "bKGD\0" "acTL\0" "fcTL\0" "fdAT\0";

/*
 * Does the decoding; every libpng error lands back at the setjmp here.
 * State lives in *d, so nothing is lost to longjmp.
 */
static mm_img_status
png_run(png_dec *d)
{
	png_uint_32 w;
	png_uint_32 h;
	int			depth;
	int			ctype;
	int			interlace;
	int			passes;
	int			nch;
	int			want_w;
	int			want_h;
	size_t		rowbytes;
	mm_img_header hdr;
	int			pass;
	png_uint_32 y;

	if (setjmp(d->guard.jb))
		return d->ctx->status != MM_IMG_OK ? d->ctx->status : MM_IMG_CORRUPT;
	if (mm_png_guard_create(&d->guard, 0) != MM_IMG_OK)
		return d->ctx->status;
	dec_complete_tail(d);
	png_set_read_fn(d->guard.png, d, dec_read);
	png_set_keep_unknown_chunks(d->guard.png, PNG_HANDLE_CHUNK_NEVER, NULL, 0);
	png_set_keep_unknown_chunks(d->guard.png, PNG_HANDLE_CHUNK_NEVER, skip_chunks,
								(int) (sizeof(skip_chunks) / 5));
	png_read_info(d->guard.png, d->guard.info);
	png_get_IHDR(d->guard.png, d->guard.info, &w, &h, &depth, &ctype, &interlace, NULL, NULL);
	if (mm_img_check_size(d->ctx, w, h) != MM_IMG_OK)
		return d->ctx->status;

	if (ctype == PNG_COLOR_TYPE_PALETTE)
		png_set_palette_to_rgb(d->guard.png);
	if (ctype == PNG_COLOR_TYPE_GRAY && depth < 8)
		png_set_expand_gray_1_2_4_to_8(d->guard.png);
	if (png_get_valid(d->guard.png, d->guard.info, PNG_INFO_tRNS))
		png_set_tRNS_to_alpha(d->guard.png);
	if (depth == 16)
		png_set_scale_16(d->guard.png);
	passes = png_set_interlace_handling(d->guard.png);
	png_read_update_info(d->guard.png, d->guard.info);
	nch = png_get_channels(d->guard.png, d->guard.info);
	rowbytes = png_get_rowbytes(d->guard.png, d->guard.info);
	if (nch < 1 || nch > 4 || rowbytes != (size_t) w * nch)
		return mm_img_fail(d->ctx, MM_IMG_UNSUPPORTED, "unexpected PNG layout");

	memset(&hdr, 0, sizeof(hdr));
	hdr.width = (int) w;
	hdr.height = (int) h;
	hdr.has_alpha = (nch == 2 || nch == 4);
	hdr.orientation = 1;
	want_w = hdr.width;
	want_h = hdr.height;
	if (d->sink->header(d->sink, &hdr, &want_w, &want_h) != MM_IMG_OK)
		return d->ctx->status;
	if (passes > 1)
	{
		/* the passes interleave: the whole image is held; refuse before allocating it */
		if (mm_img_check_budget(d->ctx, (uint64_t) h * rowbytes, "the interlaced PNG") != MM_IMG_OK)
			return d->ctx->status;
		d->image = mm_img_alloc_array(d->ctx, h, rowbytes);
		if (d->image == NULL)
			return d->ctx->status;
		memset(d->image, 0, (size_t) h * rowbytes);
		for (pass = 0; pass < passes; pass++)
			for (y = 0; y < h; y++)
			{
				if (mm_img_poll(d->ctx))
					return d->ctx->status;
				png_read_row(d->guard.png, d->image + (size_t) y * rowbytes, NULL);
			}
	}
	else
	{
		d->row = mm_img_alloc(d->ctx, rowbytes);
		if (d->row == NULL)
			return d->ctx->status;
	}
	if (d->sink->start(d->sink, (int) w, (int) h, nch) != MM_IMG_OK)
		return d->ctx->status;
	for (y = 0; y < h; y++)
	{
		const uint8_t *row;

		if (mm_img_poll(d->ctx))
			return d->ctx->status;
		if (d->image != NULL)
			row = d->image + (size_t) y * rowbytes;
		else
		{
			png_read_row(d->guard.png, d->row, NULL);
			row = d->row;
		}
		if (d->sink->row(d->sink, row) != MM_IMG_OK)
			return d->ctx->status;
	}
	return MM_IMG_OK;
}

/* Decodes the PNG in src into sink. */
mm_img_status
mm_img_decode_png(mm_img_ctx *ctx, const uint8_t *src, size_t len, mm_img_sink *sink)
{
	png_dec    *d;
	mm_img_status status;

	d = mm_img_zalloc(ctx, sizeof(*d));
	if (d == NULL)
		return ctx->status;
	d->ctx = ctx;
	d->src = src;
	d->len = len;
	d->sink = sink;
	mm_png_guard_init(&d->guard, ctx, MM_IMG_CORRUPT, "PNG");
	status = png_run(d);
	mm_png_guard_destroy(&d->guard);
	mm_img_release(ctx, d->row);
	mm_img_release(ctx, d->image);
	mm_img_release(ctx, d);
	return status;
}
