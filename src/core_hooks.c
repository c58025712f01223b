/*
 * core_hooks.c - what the glue plugs into the pure-C core: PostgreSQL
 * memory (a memory context, NULL instead of an error when it runs out) and
 * an interrupt poll that only looks.
 *
 * The core polls interrupted() between slices of work; it returns true once
 * a cancel, statement_timeout or termination is pending, the core unwinds
 * and frees what it holds, and the glue then calls CHECK_FOR_INTERRUPTS()
 * after the library has returned: nothing ever longjmps through libpng,
 * libjpeg or zlib frames.
 */
#include "pg_media.h"

#include "miscadmin.h"

#include "image/image.h"
#include "util/deflate.h"

/* The core's allocator: a memory context, NULL instead of an error on failure. */
static void *
core_alloc(void *arg, size_t size)
{
	return MemoryContextAllocExtended((MemoryContext) arg, size,
									  MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
}

/* The core's free: pfree, accepting NULL as free() does. */
static void
core_free(void *arg, void *ptr)
{
	if (ptr != NULL)
		pfree(ptr);
}

/* The core's interrupt poll: true once a cancel or termination is pending. */
static int
core_interrupted(void *arg)
{
	return QueryCancelPending || ProcDiePending;
}

/*
 * Limits for one call of the core's image code (thumbnails, JPEG
 * optimization): media.max_pixels, media.max_decode_memory, memory from
 * cxt, and the interrupt poll.  alloc must live as long as lim is used.
 */
void
media_image_limits(struct mm_limits *lim, struct mm_alloc *alloc, MemoryContext cxt)
{
	media_require_preload();	/* media.max_pixels and the budget must be the administrator's */
	alloc->alloc = core_alloc;
	alloc->free = core_free;
	alloc->arg = cxt;
	memset(lim, 0, sizeof(*lim));
	lim->max_pixels = (uint64_t) media_max_pixels;
	lim->max_memory = (uint64_t) media_max_decode_memory * 1024 * 1024;
	lim->interrupted = core_interrupted;
	lim->alloc = alloc;
}

/*
 * Hooks for the core's zlib code: zlib's memory and inflated output in cxt
 * (so an error mid-stream leaks nothing), work in slices with the
 * interrupt poll between them.
 */
void
media_zlib_hooks(struct mm_zlib_hooks *hooks, MemoryContext cxt)
{
	memset(hooks, 0, sizeof(*hooks));
	hooks->interrupted = core_interrupted;
	hooks->alloc = core_alloc;
	hooks->free = core_free;
	hooks->arg = cxt;
}
