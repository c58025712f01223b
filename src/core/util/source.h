/*
 * util/source.h - the read-at-offset view the format parsers work on.
 *
 * A source is a file of known size of which only some windows are in
 * memory: the whole of an in-memory bytea, or a few slices of a stored file
 * (head, tail, a box header).  A parser that reads outside the windows gets
 * MM_SRC_NEED and the source records which bytes it wanted; the caller
 * fetches them, adds a window and runs the parser again.  So the parsers
 * never call back into the database, and an error raised while fetching
 * never unwinds through parser or library frames.
 */
#ifndef MM_UTIL_SOURCE_H
#define MM_UTIL_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#define MM_SOURCE_MAX_WINDOWS 16

typedef struct mm_window
{
	uint64_t	off;
	size_t		len;
	const uint8_t *data;
} mm_window;

typedef struct mm_source
{
	uint64_t	size;			/* size of the whole file */
	int			nwindows;
	mm_window	win[MM_SOURCE_MAX_WINDOWS];
	int			need;			/* set when a read fell outside the windows */
	uint64_t	need_off;		/* first such read */
	size_t		need_len;
} mm_source;

typedef enum mm_src_status
{
	MM_SRC_OK = 0,
	MM_SRC_EOF = -1,			/* the range runs past the end of the file */
	MM_SRC_NEED = -2			/* the bytes exist but are not in a window */
} mm_src_status;

/* A source whose windows are empty; add them with mm_source_add. */
void		mm_source_init(mm_source *src, uint64_t size);

/* A source over one buffer holding the whole file. */
void		mm_source_init_mem(mm_source *src, const uint8_t *data, size_t len);

/* Adds a window (the memory stays the caller's); -1 when full or out of range. */
int			mm_source_add(mm_source *src, uint64_t off, const uint8_t *data, size_t len);

/* Copies len bytes at off into buf (all or nothing). */
mm_src_status mm_read(mm_source *src, uint64_t off, void *buf, size_t len);

/*
 * Returns a pointer to len contiguous bytes at off when one window holds
 * them, else NULL with *status set (EOF or NEED).
 */
const uint8_t *mm_peek(mm_source *src, uint64_t off, size_t len, mm_src_status *status);

/* Bounds-checked big- and little-endian integer reads from memory. */
static inline uint16_t mm_be16(const uint8_t *p) { return (uint16_t) ((p[0] << 8) | p[1]); }
static inline uint32_t mm_be32(const uint8_t *p) { return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) | ((uint32_t) p[2] << 8) | p[3]; }
static inline uint64_t mm_be64(const uint8_t *p) { return ((uint64_t) mm_be32(p) << 32) | mm_be32(p + 4); }
static inline uint16_t mm_le16(const uint8_t *p) { return (uint16_t) (p[0] | (p[1] << 8)); }
static inline uint32_t mm_le32(const uint8_t *p) { return p[0] | ((uint32_t) p[1] << 8) | ((uint32_t) p[2] << 16) | ((uint32_t) p[3] << 24); }
static inline uint64_t mm_le64(const uint8_t *p) { return mm_le32(p) | ((uint64_t) mm_le32(p + 4) << 32); }

#endif
