/*
 * util/deflate.c - zlib-format compression of stored parts, and inflation
 * that never writes or allocates past a cap.
 *
 * zlib counts in 32-bit units, so buffers are fed to it in pieces of at
 * most 1 GiB.  Inflation tells a full output buffer apart from a finished
 * stream by asking zlib for one more byte into a scratch byte: a stream
 * that has more to give is over the cap, whatever it would grow to, and is
 * refused at once (a decompression bomb costs the cap, not its claimed
 * size).
 *
 * With hooks, zlib's memory comes from the caller's allocator and work is
 * cut into slices of MM_ZLIB_STEP bytes with an interrupt poll between
 * them, so a long compression can be cancelled at once.
 */
#include "util/deflate.h"

#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#define ZCHUNK ((size_t) 1 << 30)

/* Bytes given to zlib per call: small slices when an interrupt is polled. */
static size_t
zslice(const mm_zlib_hooks *h)
{
	return (h != NULL && h->interrupted != NULL) ? MM_ZLIB_STEP : ZCHUNK;
}

/* Has the caller asked to stop? */
static int
zinterrupted(const mm_zlib_hooks *h)
{
	return h != NULL && h->interrupted != NULL && h->interrupted(h->arg);
}

/* zlib's allocator through the hooks (items * size overflow-checked). */
static voidpf
zalloc_hook(voidpf opaque, uInt items, uInt size)
{
	const mm_zlib_hooks *h = opaque;

	if (size != 0 && items > SIZE_MAX / size)
		return Z_NULL;
	return h->alloc(h->arg, (size_t) items * size);
}

/* zlib's free through the hooks. */
static void
zfree_hook(voidpf opaque, voidpf ptr)
{
	const mm_zlib_hooks *h = opaque;

	h->free(h->arg, ptr);
}

/* Zeroes a z_stream and routes its memory through the hooks when they have an allocator. */
static void
zstream_setup(z_stream *zs, const mm_zlib_hooks *h)
{
	memset(zs, 0, sizeof(*zs));
	if (h != NULL && h->alloc != NULL && h->free != NULL)
	{
		zs->zalloc = zalloc_hook;
		zs->zfree = zfree_hook;
		zs->opaque = (voidpf) (uintptr_t) h;
	}
}

/* Puts as much of src[*done..len) as one slice (of at most step bytes) into avail_in. */
static void
feed_in(z_stream *zs, const uint8_t *src, size_t len, size_t *done, size_t step)
{
	size_t		n;

	if (zs->avail_in > 0 || *done >= len)
		return;
	n = len - *done;
	if (n > step)
		n = step;
	zs->next_in = (Bytef *) (uintptr_t) (src + *done);
	zs->avail_in = (uInt) n;
	*done += n;
}

/*
 * zlib's worst case for len bytes at the default settings (compressBound),
 * saturating instead of overflowing.
 */
size_t
mm_deflate_bound(size_t len)
{
	size_t		extra = (len >> 12) + (len >> 14) + (len >> 25) + 13;

	if (len > SIZE_MAX - extra)
		return SIZE_MAX;
	return len + extra;
}

/*
 * Compresses src into dst in zlib format at level 1-9.  Fails (-1) when
 * the output does not fit in dst_cap, on a bad level, or when zlib fails.
 */
int
mm_deflate(const uint8_t *src, size_t len, int level,
		   uint8_t *dst, size_t dst_cap, size_t *out_len)
{
	return mm_deflate_hooked(src, len, level, dst, dst_cap, out_len, NULL);
}

/* mm_deflate with an allocator and an interrupt poll; see util/deflate.h. */
int
mm_deflate_hooked(const uint8_t *src, size_t len, int level,
				  uint8_t *dst, size_t dst_cap, size_t *out_len, const mm_zlib_hooks *hooks)
{
	z_stream	zs;
	size_t		in_done = 0;
	size_t		out_done = 0;
	size_t		step = zslice(hooks);
	int			ret;

	if (out_len != NULL)
		*out_len = 0;
	if (level < 1 || level > 9 || (src == NULL && len > 0) || dst == NULL || out_len == NULL)
		return -1;
	zstream_setup(&zs, hooks);
	if (deflateInit(&zs, level) != Z_OK)
		return -1;
	for (;;)
	{
		size_t		n;

		if (zinterrupted(hooks))
		{
			deflateEnd(&zs);
			return MM_DEFLATE_INTERRUPTED;
		}
		feed_in(&zs, src, len, &in_done, step);
		if (zs.avail_out == 0)
		{
			if (out_done >= dst_cap)
				break;			/* full, and zlib has more to write */
			n = dst_cap - out_done;
			if (n > step)
				n = step;
			zs.next_out = dst + out_done;
			zs.avail_out = (uInt) n;
			out_done += n;
		}
		ret = deflate(&zs, in_done >= len && zs.avail_in == 0 ? Z_FINISH : Z_NO_FLUSH);
		if (ret == Z_STREAM_END)
		{
			*out_len = out_done - zs.avail_out;
			deflateEnd(&zs);
			return 0;
		}
		/* Z_BUF_ERROR (no progress) only happens with the output full */
		if (ret != Z_OK && ret != Z_BUF_ERROR)
			break;
	}
	deflateEnd(&zs);
	return -1;
}

/* Maps a zlib error to a status; Z_BUF_ERROR means the input ran out. */
static mm_inflate_status
inflate_error(int ret)
{
	if (ret == Z_MEM_ERROR)
		return MM_INFLATE_NOMEM;
	if (ret == Z_BUF_ERROR)
		return MM_INFLATE_TRUNCATED;
	return MM_INFLATE_CORRUPT;
}

/*
 * Runs zlib on src until the stream ends, writing at most cap bytes
 * into buf; returns OK (stream complete, all input used), TOO_BIG with
 * *produced == cap when more output is pending, or an error.
 */
static mm_inflate_status
inflate_into(z_stream *zs, const uint8_t *src, size_t len, size_t *in_done,
			 uint8_t *buf, size_t cap, size_t *produced, const mm_zlib_hooks *hooks)
{
	size_t		out_done = *produced;
	size_t		step = zslice(hooks);

	for (;;)
	{
		int			ret;

		if (zinterrupted(hooks))
		{
			*produced = out_done - zs->avail_out;
			return MM_INFLATE_INTERRUPTED;
		}
		feed_in(zs, src, len, in_done, step);
		if (zs->avail_out == 0)
		{
			size_t		n = cap - out_done;

			if (n == 0)
				break;
			if (n > step)
				n = step;
			zs->next_out = buf + out_done;
			zs->avail_out = (uInt) n;
			out_done += n;
		}
		ret = inflate(zs, Z_NO_FLUSH);
		if (ret == Z_STREAM_END)
		{
			*produced = out_done - zs->avail_out;
			zs->avail_out = 0;
			/* trailing bytes after the stream mean it is not ours */
			if (zs->avail_in > 0 || *in_done < len)
				return MM_INFLATE_CORRUPT;
			return MM_INFLATE_OK;
		}
		if (ret == Z_BUF_ERROR && zs->avail_in == 0 && *in_done >= len)
			return MM_INFLATE_TRUNCATED;
		if (ret != Z_OK && ret != Z_BUF_ERROR)
			return inflate_error(ret);
	}
	*produced = out_done;
	return MM_INFLATE_TOO_BIG;
}

/*
 * After the buffer filled up: does the stream end here (OK), or is there
 * more output (TOO_BIG)?  Asks zlib for one byte into a scratch byte.
 */
static mm_inflate_status
inflate_probe(z_stream *zs, const uint8_t *src, size_t len, size_t *in_done)
{
	uint8_t		scratch;

	for (;;)
	{
		int			ret;

		feed_in(zs, src, len, in_done, ZCHUNK);
		zs->next_out = &scratch;
		zs->avail_out = 1;
		ret = inflate(zs, Z_NO_FLUSH);
		if (zs->avail_out == 0)
			return MM_INFLATE_TOO_BIG;
		if (ret == Z_STREAM_END)
			return (zs->avail_in > 0 || *in_done < len) ? MM_INFLATE_CORRUPT : MM_INFLATE_OK;
		if (ret == Z_BUF_ERROR && zs->avail_in == 0 && *in_done >= len)
			return MM_INFLATE_TRUNCATED;
		if (ret != Z_OK && ret != Z_BUF_ERROR)
			return inflate_error(ret);
	}
}

/* Inflates a zlib stream into dst, never writing past dst_cap. */
mm_inflate_status
mm_inflate(const uint8_t *src, size_t len, uint8_t *dst, size_t dst_cap, size_t *out_len)
{
	z_stream	zs;
	size_t		in_done = 0;
	size_t		produced = 0;
	mm_inflate_status st;

	if (out_len != NULL)
		*out_len = 0;
	if (src == NULL || len == 0)
		return MM_INFLATE_TRUNCATED;
	if (dst == NULL && dst_cap > 0)
		return MM_INFLATE_CORRUPT;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit(&zs) != Z_OK)
		return MM_INFLATE_NOMEM;
	st = inflate_into(&zs, src, len, &in_done, dst, dst_cap, &produced, NULL);
	if (st == MM_INFLATE_TOO_BIG)
		st = inflate_probe(&zs, src, len, &in_done);
	inflateEnd(&zs);
	if (st == MM_INFLATE_OK && out_len != NULL)
		*out_len = produced;
	return st;
}

/*
 * Inflates a zlib stream of unknown size into a malloc'd buffer; see
 * mm_inflate_alloc_hooked.
 */
mm_inflate_status
mm_inflate_alloc(const uint8_t *src, size_t len, size_t max_out,
				 uint8_t **out, size_t *out_len)
{
	return mm_inflate_alloc_hooked(src, len, max_out, out, out_len, NULL);
}

/* Output buffer memory: the hooks' allocator, or malloc. */
static void *
out_alloc(const mm_zlib_hooks *h, size_t size)
{
	if (h != NULL && h->alloc != NULL && h->free != NULL)
		return h->alloc(h->arg, size);
	return malloc(size);
}

static void
out_free(const mm_zlib_hooks *h, void *ptr)
{
	if (h != NULL && h->alloc != NULL && h->free != NULL)
		h->free(h->arg, ptr);
	else
		free(ptr);
}

/*
 * Inflates a zlib stream of unknown size into a buffer that starts at
 * twice the input (64 kB at least) and doubles, never past max_out (plus
 * the hooks' out_front bytes in front).
 */
mm_inflate_status
mm_inflate_alloc_hooked(const uint8_t *src, size_t len, size_t max_out,
						uint8_t **out, size_t *out_len, const mm_zlib_hooks *hooks)
{
	z_stream	zs;
	size_t		in_done = 0;
	size_t		produced = 0;
	size_t		front = hooks != NULL ? hooks->out_front : 0;
	size_t		cap;
	uint8_t    *buf;
	mm_inflate_status st;

	if (out != NULL)
		*out = NULL;
	if (out_len != NULL)
		*out_len = 0;
	if (out == NULL || out_len == NULL || front > 4096)
		return MM_INFLATE_CORRUPT;
	if (src == NULL || len == 0)
		return MM_INFLATE_TRUNCATED;
	if (max_out > SIZE_MAX - front)
		max_out = SIZE_MAX - front;
	cap = len < SIZE_MAX / 2 ? len * 2 : SIZE_MAX;
	if (cap < 65536)
		cap = 65536;
	if (cap > max_out)
		cap = max_out;
	buf = out_alloc(hooks, front + (cap > 0 ? cap : 1));
	if (buf == NULL)
		return MM_INFLATE_NOMEM;
	zstream_setup(&zs, hooks);
	if (inflateInit(&zs) != Z_OK)
	{
		out_free(hooks, buf);
		return MM_INFLATE_NOMEM;
	}
	for (;;)
	{
		uint8_t    *bigger;
		size_t		ncap;

		st = inflate_into(&zs, src, len, &in_done, buf + front, cap, &produced, hooks);
		if (st != MM_INFLATE_TOO_BIG)
			break;
		if (cap >= max_out)
		{
			st = inflate_probe(&zs, src, len, &in_done);
			break;
		}
		ncap = cap > max_out / 2 ? max_out : cap * 2;
		bigger = out_alloc(hooks, front + ncap);
		if (bigger == NULL)
		{
			st = MM_INFLATE_NOMEM;
			break;
		}
		memcpy(bigger, buf, front + produced);
		out_free(hooks, buf);
		buf = bigger;
		cap = ncap;
		zs.avail_out = 0;		/* inflate_into points zlib at the new space */
	}
	inflateEnd(&zs);
	if (st != MM_INFLATE_OK)
	{
		out_free(hooks, buf);
		return st;
	}
	*out = buf;
	*out_len = produced;
	return MM_INFLATE_OK;
}
