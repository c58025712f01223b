/*
 * util/deflate.h - zlib compression of stored parts, and bounded inflation.
 *
 * Inflation never writes or allocates past a caller-given cap, so a
 * decompression bomb is a clear error, not an out-of-memory.
 */
#ifndef MM_UTIL_DEFLATE_H
#define MM_UTIL_DEFLATE_H

#include <stddef.h>
#include <stdint.h>

typedef enum mm_inflate_status
{
	MM_INFLATE_OK = 0,
	MM_INFLATE_TOO_BIG,			/* the output would exceed the cap */
	MM_INFLATE_CORRUPT,			/* not a zlib stream, or a damaged one */
	MM_INFLATE_TRUNCATED,		/* the stream ends early */
	MM_INFLATE_NOMEM,			/* allocation failed */
	MM_INFLATE_INTERRUPTED		/* the hooks' interrupted() said stop */
} mm_inflate_status;

/* mm_deflate_hooked()'s return when the hooks' interrupted() said stop. */
#define MM_DEFLATE_INTERRUPTED (-2)

/*
 * What a caller can plug into compression and inflation (all optional).
 * interrupted is polled between slices of at most MM_ZLIB_STEP bytes of
 * input or output (without it, zlib gets up to 1 GiB per call), so a
 * cancel is seen within milliseconds; it must not longjmp.  alloc and free
 * take zlib's own memory and the output buffer of mm_inflate_alloc_hooked
 * (alloc returns NULL on failure, never longjmps).  out_front reserves that
 * many bytes in front of the inflated data in the output buffer (room for
 * a caller's header, so the result needs no copy).
 */
typedef struct mm_zlib_hooks
{
	int			(*interrupted) (void *arg);
	void	   *(*alloc) (void *arg, size_t size);
	void		(*free) (void *arg, void *ptr);
	void	   *arg;
	size_t		out_front;
} mm_zlib_hooks;

#define MM_ZLIB_STEP ((size_t) 256 * 1024)

/*
 * Compresses src (zlib format) at level 1-9 into dst; returns 0 and sets
 * *out_len, or -1 when the result would not fit in dst_cap bytes (callers
 * pass a cap below len to keep only worthwhile compression).
 */
int			mm_deflate(const uint8_t *src, size_t len, int level,
					   uint8_t *dst, size_t dst_cap, size_t *out_len);

/* mm_deflate with hooks (NULL: none); may also return MM_DEFLATE_INTERRUPTED. */
int			mm_deflate_hooked(const uint8_t *src, size_t len, int level,
							  uint8_t *dst, size_t dst_cap, size_t *out_len,
							  const mm_zlib_hooks *hooks);

/* Inflates a zlib stream into dst, never writing past dst_cap. */
mm_inflate_status mm_inflate(const uint8_t *src, size_t len,
							 uint8_t *dst, size_t dst_cap, size_t *out_len);

/*
 * Inflates a zlib stream of unknown output size into a malloc'd buffer
 * that grows geometrically but never beyond max_out bytes.
 */
mm_inflate_status mm_inflate_alloc(const uint8_t *src, size_t len, size_t max_out,
								   uint8_t **out, size_t *out_len);

/*
 * mm_inflate_alloc with hooks (NULL: none): the buffer comes from
 * hooks->alloc (free it with hooks->free) and holds hooks->out_front bytes
 * before the *out_len inflated ones; *out is the buffer's start.  Nothing
 * is left allocated on failure.
 */
mm_inflate_status mm_inflate_alloc_hooked(const uint8_t *src, size_t len, size_t max_out,
										  uint8_t **out, size_t *out_len,
										  const mm_zlib_hooks *hooks);

/* Worst-case size of mm_deflate()'s output for len input bytes. */
size_t		mm_deflate_bound(size_t len);

/* Is content of this MIME type worth compressing (not already compressed)? */
int			mm_mime_compresses(const char *mime);

#endif
