/*
 * mm_deflate.c - zlib compression of stored parts and bounded inflation.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "mm_deflate.h"

/* Largest amount handed to zlib in one call (its counters are 32-bit). */
#define ZCHUNK ((size_t) 1 << 30)

int
mm_deflate(const uint8_t *src, size_t len, int level,
		   uint8_t *dst, size_t dst_cap, size_t *out_len)
{
	z_stream	zs;
	int			rc;

	memset(&zs, 0, sizeof(zs));
	if (level < 1 || level > 9 || deflateInit(&zs, level) != Z_OK)
		return -1;
	zs.next_in = (Bytef *) src;
	zs.next_out = dst;
	do
	{
		size_t		in_left = len - (size_t) ((const uint8_t *) zs.next_in - src);
		size_t		out_left = dst_cap - (size_t) (zs.next_out - dst);

		zs.avail_in = (uInt) (in_left < ZCHUNK ? in_left : ZCHUNK);
		zs.avail_out = (uInt) (out_left < ZCHUNK ? out_left : ZCHUNK);
		rc = deflate(&zs, zs.avail_in == in_left ? Z_FINISH : Z_NO_FLUSH);
		if (rc == Z_STREAM_ERROR || (rc == Z_BUF_ERROR && zs.avail_out == 0 && out_left <= ZCHUNK))
			break;
	} while (rc != Z_STREAM_END && zs.avail_out > 0);
	*out_len = (size_t) (zs.next_out - dst);
	deflateEnd(&zs);
	return rc == Z_STREAM_END ? 0 : -1;
}

/*
 * Runs inflate over src into dst[0..dst_cap); *out_len is what was
 * produced.  TOO_BIG as soon as the output is full and more would follow.
 */
static mm_inflate_status
inflate_into(z_stream *zs, const uint8_t *src, size_t len, uint8_t *dst, size_t dst_cap,
			 size_t *out_len)
{
	int			rc = Z_OK;

	zs->next_out = dst + *out_len;
	for (;;)
	{
		size_t		in_left = len - (size_t) ((const uint8_t *) zs->next_in - src);
		size_t		out_left = dst_cap - (size_t) (zs->next_out - dst);

		if (out_left == 0)
		{
			*out_len = dst_cap;
			return MM_INFLATE_TOO_BIG;
		}
		zs->avail_in = (uInt) (in_left < ZCHUNK ? in_left : ZCHUNK);
		zs->avail_out = (uInt) (out_left < ZCHUNK ? out_left : ZCHUNK);
		rc = inflate(zs, Z_NO_FLUSH);
		*out_len = (size_t) (zs->next_out - dst);
		if (rc == Z_STREAM_END)
			return MM_INFLATE_OK;
		if (rc == Z_MEM_ERROR)
			return MM_INFLATE_NOMEM;
		if (rc == Z_NEED_DICT || rc == Z_DATA_ERROR || rc == Z_STREAM_ERROR)
			return MM_INFLATE_CORRUPT;
		if (rc == Z_BUF_ERROR && zs->avail_out > 0)
			return MM_INFLATE_TRUNCATED;	/* no input left, no end of stream */
		if ((const uint8_t *) zs->next_in - src == (ptrdiff_t) len && zs->avail_out > 0)
			return MM_INFLATE_TRUNCATED;
	}
}

mm_inflate_status
mm_inflate(const uint8_t *src, size_t len, uint8_t *dst, size_t dst_cap, size_t *out_len)
{
	z_stream	zs;
	mm_inflate_status st;

	memset(&zs, 0, sizeof(zs));
	*out_len = 0;
	if (inflateInit(&zs) != Z_OK)
		return MM_INFLATE_NOMEM;
	zs.next_in = (Bytef *) src;
	st = inflate_into(&zs, src, len, dst, dst_cap, out_len);
	/* a stream that exactly fills dst is fine if it ends there */
	if (st == MM_INFLATE_TOO_BIG)
	{
		uint8_t		probe;

		zs.next_out = &probe;
		zs.avail_out = 1;
		zs.avail_in = (uInt) (len - (size_t) ((const uint8_t *) zs.next_in - src));
		if (inflate(&zs, Z_NO_FLUSH) == Z_STREAM_END && zs.avail_out == 1)
			st = MM_INFLATE_OK;
	}
	inflateEnd(&zs);
	return st;
}

mm_inflate_status
mm_inflate_alloc(const uint8_t *src, size_t len, size_t max_out,
				 uint8_t **out, size_t *out_len)
{
	z_stream	zs;
	size_t		cap = len < 4096 ? 16384 : (len * 4 < max_out ? len * 4 : max_out);
	uint8_t    *buf;
	mm_inflate_status st;

	*out = NULL;
	*out_len = 0;
	if (cap > max_out)
		cap = max_out;
	if (cap == 0)
		cap = 1;
	buf = malloc(cap);
	if (buf == NULL)
		return MM_INFLATE_NOMEM;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit(&zs) != Z_OK)
	{
		free(buf);
		return MM_INFLATE_NOMEM;
	}
	zs.next_in = (Bytef *) src;
	for (;;)
	{
		st = inflate_into(&zs, src, len, buf, cap, out_len);
		if (st != MM_INFLATE_TOO_BIG || cap >= max_out)
			break;
		{
			size_t		grown = cap > max_out / 2 ? max_out : cap * 2;
			uint8_t    *bigger = realloc(buf, grown);

			if (bigger == NULL)
			{
				st = MM_INFLATE_NOMEM;
				break;
			}
			buf = bigger;
			cap = grown;
		}
	}
	if (st == MM_INFLATE_TOO_BIG)
	{
		/* full at the cap: fine only if the stream ends exactly there */
		uint8_t		probe;

		zs.next_out = &probe;
		zs.avail_out = 1;
		zs.avail_in = (uInt) (len - (size_t) ((const uint8_t *) zs.next_in - src));
		if (inflate(&zs, Z_NO_FLUSH) == Z_STREAM_END && zs.avail_out == 1)
			st = MM_INFLATE_OK;
	}
	inflateEnd(&zs);
	if (st != MM_INFLATE_OK)
	{
		free(buf);
		*out_len = 0;
		return st;
	}
	*out = buf;
	return MM_INFLATE_OK;
}

size_t
mm_deflate_bound(size_t len)
{
	/* zlib's compressBound, with 64-bit arithmetic */
	return len + (len >> 12) + (len >> 14) + (len >> 25) + 13 + 16;
}

int
mm_mime_compresses(const char *mime)
{
	static const char *const yes[] = {
		"application/json", "application/xml", "application/xhtml+xml", "image/svg+xml",
		"application/pdf", "image/bmp", "image/tiff", "audio/wav", "audio/aiff",
		"image/x-portable-bitmap", "image/x-portable-graymap", "image/x-portable-pixmap",
		"image/x-portable-anymap", "image/x-portable-arbitrarymap", "image/x-tga",
		"application/postscript", "application/x-tar", "font/ttf", "font/otf",
		"image/x-icon", "image/vnd.adobe.photoshop", "image/x-xcf", "image/x-xbitmap",
		"image/x-xpixmap", "image/x-sgi", "image/x-sun-raster", "image/x-exr",
		"audio/basic", "application/x-java-applet", NULL
	};
	int			i;

	if (strncmp(mime, "text/", 5) == 0)
		return 1;
	for (i = 0; yes[i]; i++)
		if (strcmp(mime, yes[i]) == 0)
			return 1;
	return 0;
}
