/*
 * image/ctx.c - the per-call context of the image core: limits, the
 * allocator that enforces max_bytes, the first-error record, interrupt
 * polling and a growable output buffer.
 */
#include "image/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* malloc behind the mm_alloc interface (0 bytes still gives a pointer). */
static void *
default_alloc(void *arg, size_t size)
{
	(void) arg;
	return malloc(size ? size : 1);
}

/* free behind the mm_alloc interface. */
static void
default_free(void *arg, void *ptr)
{
	(void) arg;
	free(ptr);
}

/*
 * Sets up ctx for one call: zero limits mean the defaults, a NULL or
 * incomplete allocator means malloc/free.
 */
void
mm_img_ctx_init(mm_img_ctx *ctx, const mm_limits *lim, char *errbuf, size_t errlen)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->max_pixels = MM_IMG_DEFAULT_MAX_PIXELS;
	ctx->max_bytes = MM_IMG_DEFAULT_MAX_BYTES;
	ctx->max_memory = UINT64_MAX;
	ctx->alloc.alloc = default_alloc;
	ctx->alloc.free = default_free;
	if (lim != NULL)
	{
		if (lim->max_pixels > 0)
			ctx->max_pixels = lim->max_pixels;
		if (lim->max_bytes > 0)
			ctx->max_bytes = lim->max_bytes;
		if (lim->max_memory > 0)
			ctx->max_memory = lim->max_memory;
		ctx->interrupted = lim->interrupted;
		ctx->int_arg = lim->arg;
		if (lim->alloc != NULL && lim->alloc->alloc != NULL && lim->alloc->free != NULL)
			ctx->alloc = *lim->alloc;
	}
	ctx->status = MM_IMG_OK;
	ctx->errbuf = errbuf;
	ctx->errlen = errlen;
	if (errbuf != NULL && errlen > 0)
		errbuf[0] = '\0';
}

/*
 * Records the first failure of the call with its message; later failures
 * (usually consequences of the first) keep the first status and message.
 */
mm_img_status
mm_img_fail(mm_img_ctx *ctx, mm_img_status status, const char *fmt,...)
{
	va_list		ap;

	if (ctx->status != MM_IMG_OK)
		return ctx->status;
	ctx->status = status;
	if (ctx->errbuf != NULL && ctx->errlen > 0)
	{
		va_start(ap, fmt);
		vsnprintf(ctx->errbuf, ctx->errlen, fmt, ap);
		va_end(ap);
	}
	return status;
}

/* Room before each mm_img_alloc block for its size; keeps the allocator's alignment. */
#define BLOCK_HEADER 16

/*
 * Takes size bytes from the budget and the caller's allocator.  A request
 * over max_bytes or over what the budget has left is refused without
 * calling the allocator, so a lying header can never make the core ask for
 * a huge block.
 */
void *
mm_img_alloc_out(mm_img_ctx *ctx, size_t size)
{
	void	   *p;

	if ((uint64_t) size > ctx->max_bytes)
	{
		mm_img_fail(ctx, MM_IMG_TOO_BIG,
					"an allocation of %zu bytes exceeds the limit of %llu bytes",
					size, (unsigned long long) ctx->max_bytes);
		return NULL;
	}
	if ((uint64_t) size > ctx->max_memory - ctx->in_use)
	{
		mm_img_fail(ctx, MM_IMG_TOO_BIG,
					"decoding needs more than the memory budget of %llu bytes",
					(unsigned long long) ctx->max_memory);
		return NULL;
	}
	p = ctx->alloc.alloc(ctx->alloc.arg, size);
	if (p == NULL)
	{
		mm_img_fail(ctx, MM_IMG_NOMEM, "out of memory allocating %zu bytes", size);
		return NULL;
	}
	ctx->in_use += size;
	return p;
}

/* Returns a block of mm_img_alloc_out to the allocator and the budget. */
void
mm_img_release_out(mm_img_ctx *ctx, void *ptr, size_t size)
{
	if (ptr == NULL)
		return;
	ctx->alloc.free(ctx->alloc.arg, ptr);
	ctx->in_use -= size <= ctx->in_use ? size : ctx->in_use;
}

/* Allocates a block that remembers its size; see image/internal.h. */
void *
mm_img_alloc(mm_img_ctx *ctx, size_t size)
{
	uint8_t    *p;

	if (size > SIZE_MAX - BLOCK_HEADER)
	{
		mm_img_fail(ctx, MM_IMG_TOO_BIG, "an allocation of %zu bytes overflows", size);
		return NULL;
	}
	p = mm_img_alloc_out(ctx, size + BLOCK_HEADER);
	if (p == NULL)
		return NULL;
	memcpy(p, &size, sizeof(size));
	return p + BLOCK_HEADER;
}

/* Allocates a zeroed block; see image/internal.h. */
void *
mm_img_zalloc(mm_img_ctx *ctx, size_t size)
{
	void	   *p = mm_img_alloc(ctx, size);

	if (p != NULL)
		memset(p, 0, size);
	return p;
}

/* Refuses a whole-image buffer the budget cannot hold; see image/internal.h. */
mm_img_status
mm_img_check_budget(mm_img_ctx *ctx, uint64_t need, const char *what)
{
	if (need > ctx->max_bytes || need > ctx->max_memory - ctx->in_use)
		return mm_img_fail(ctx, MM_IMG_TOO_BIG,
						   "%s needs %llu bytes of memory to decode, over the memory budget of %llu bytes",
						   what, (unsigned long long) need,
						   (unsigned long long) (ctx->max_memory < ctx->max_bytes ? ctx->max_memory : ctx->max_bytes));
	return MM_IMG_OK;
}

/*
 * Charges memory that a library allocates on its own (libwebp, libtiff:
 * no allocator hook) to the budget for the time it is held, refusing it
 * like mm_img_check_budget when it does not fit.
 */
mm_img_status
mm_img_reserve(mm_img_ctx *ctx, uint64_t bytes, const char *what)
{
	if (mm_img_check_budget(ctx, bytes, what) != MM_IMG_OK)
		return ctx->status;
	ctx->in_use += bytes;
	return MM_IMG_OK;
}

/* Gives back what mm_img_reserve charged. */
void
mm_img_unreserve(mm_img_ctx *ctx, uint64_t bytes)
{
	ctx->in_use -= bytes <= ctx->in_use ? bytes : ctx->in_use;
}

/* Allocates n * size bytes, treating an overflowing product as too big. */
void *
mm_img_alloc_array(mm_img_ctx *ctx, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
	{
		mm_img_fail(ctx, MM_IMG_TOO_BIG, "an allocation of %zu x %zu bytes overflows", n, size);
		return NULL;
	}
	return mm_img_alloc(ctx, n * size);
}

/* Returns a block of mm_img_alloc to the caller's allocator and the budget. */
void
mm_img_release(mm_img_ctx *ctx, void *ptr)
{
	uint8_t    *p = ptr;
	size_t		size;

	if (p == NULL)
		return;
	p -= BLOCK_HEADER;
	memcpy(&size, p, sizeof(size));
	mm_img_release_out(ctx, p, size + BLOCK_HEADER);
}

/*
 * Refuses an empty image and one whose pixel count (computed without
 * overflow: both factors are below 2^32) is over max_pixels.
 */
mm_img_status
mm_img_check_size(mm_img_ctx *ctx, uint64_t w, uint64_t h)
{
	if (w == 0 || h == 0)
		return mm_img_fail(ctx, MM_IMG_CORRUPT, "the image is empty (%llux%llu)",
						   (unsigned long long) w, (unsigned long long) h);
	if (w > UINT32_MAX || h > UINT32_MAX || w * h > ctx->max_pixels || w > INT32_MAX / 8 ||
		h > INT32_MAX / 8)
		return mm_img_fail(ctx, MM_IMG_TOO_BIG,
						   "the image is %llux%llu pixels, over the limit of %llu pixels",
						   (unsigned long long) w, (unsigned long long) h,
						   (unsigned long long) ctx->max_pixels);
	return MM_IMG_OK;
}

/* Asks the caller's callback whether to stop; records MM_IMG_INTERRUPTED. */
int
mm_img_poll(mm_img_ctx *ctx)
{
	if (ctx->status != MM_IMG_OK)
		return 1;
	if (ctx->interrupted != NULL && ctx->interrupted(ctx->int_arg))
	{
		mm_img_fail(ctx, MM_IMG_INTERRUPTED, "interrupted");
		return 1;
	}
	return 0;
}

/*
 * Grows b geometrically so that extra more bytes fit.  The allocator has
 * no realloc, so growing copies into a new block.
 */
int
mm_outbuf_reserve(mm_outbuf *b, size_t extra)
{
	size_t		need;
	size_t		cap;
	uint8_t    *p;

	if (extra > SIZE_MAX - b->len)
	{
		mm_img_fail(b->ctx, MM_IMG_TOO_BIG, "output too large");
		return -1;
	}
	need = b->len + extra;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 16384;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if ((uint64_t) cap > b->ctx->max_bytes && (uint64_t) need <= b->ctx->max_bytes)
		cap = (size_t) b->ctx->max_bytes;
	p = mm_img_alloc_out(b->ctx, cap);
	if (p == NULL)
		return -1;
	if (b->len > 0)
		memcpy(p, b->data, b->len);
	mm_img_release_out(b->ctx, b->data, b->cap);
	b->data = p;
	b->cap = cap;
	return 0;
}

/* Frees an output of the API with the allocator the call used. */
void
mm_img_free(const mm_limits *lim, void *ptr)
{
	if (ptr == NULL)
		return;
	if (lim != NULL && lim->alloc != NULL && lim->alloc->alloc != NULL && lim->alloc->free != NULL)
		lim->alloc->free(lim->alloc->arg, ptr);
	else
		free(ptr);
}

/* Short names of the statuses, for messages and tests. */
const char *
mm_img_status_name(mm_img_status status)
{
	switch (status)
	{
		case MM_IMG_OK:
			return "ok";
		case MM_IMG_BAD_ARG:
			return "bad argument";
		case MM_IMG_UNSUPPORTED:
			return "unsupported";
		case MM_IMG_CORRUPT:
			return "corrupt";
		case MM_IMG_TOO_BIG:
			return "too big";
		case MM_IMG_NOMEM:
			return "out of memory";
		case MM_IMG_INTERRUPTED:
			return "interrupted";
		case MM_IMG_FAILED:
			return "failed";
	}
	return "unknown";
}
