/*
 * mm_bytes.h - helpers for the probe and thumbnail unit tests: a growable
 * byte buffer to build hand-made files, lookups in a probe's details, and
 * a windowed probe loop that serves NEED requests from the whole file.
 */
#ifndef MM_BYTES_H
#define MM_BYTES_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe.h"

/* A growable byte buffer (aborts when out of memory: test code). */
typedef struct bb
{
	uint8_t    *p;
	size_t		len;
	size_t		cap;
} bb;

/* Starts an empty buffer that already owns memory (p is never NULL). */
static inline void
bb_init(bb *b)
{
	b->cap = 4096;
	b->len = 0;
	b->p = malloc(b->cap);
	if (b->p == NULL)
		abort();
}

/* Makes room for n more bytes. */
static inline void
bb_reserve(bb *b, size_t n)
{
	if (b->len + n > b->cap)
	{
		size_t		cap = b->cap ? b->cap : 256;

		while (cap < b->len + n)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (b->p == NULL)
			abort();
		b->cap = cap;
	}
}

/* Appends n bytes. */
static inline void
bb_put(bb *b, const void *d, size_t n)
{
	bb_reserve(b, n);
	if (n)
		memcpy(b->p + b->len, d, n);
	b->len += n;
}

/* Appends one byte. */
static inline void
bb_u8(bb *b, unsigned v)
{
	uint8_t		c = (uint8_t) v;

	bb_put(b, &c, 1);
}

/* Appends integers in big- and little-endian order. */
static inline void
bb_be16(bb *b, unsigned v)
{
	bb_u8(b, v >> 8);
	bb_u8(b, v);
}

static inline void
bb_be32(bb *b, uint32_t v)
{
	bb_be16(b, v >> 16);
	bb_be16(b, v & 0xFFFF);
}

static inline void
bb_le16(bb *b, unsigned v)
{
	bb_u8(b, v);
	bb_u8(b, v >> 8);
}

static inline void
bb_le32(bb *b, uint32_t v)
{
	bb_le16(b, v & 0xFFFF);
	bb_le16(b, v >> 16);
}

/* Appends a C string without its NUL. */
static inline void
bb_str(bb *b, const char *s)
{
	bb_put(b, s, strlen(s));
}

/* Appends n copies of byte c. */
static inline void
bb_fill(bb *b, unsigned c, size_t n)
{
	bb_reserve(b, n);
	if (n)
		memset(b->p + b->len, (int) (uint8_t) c, n);
	b->len += n;
}

/* Appends n zero bytes. */
static inline void
bb_zeros(bb *b, size_t n)
{
	bb_fill(b, 0, n);
}

/* Appends the n low bytes of v, most significant first. */
static inline void
bb_be(bb *b, uint64_t v, int n)
{
	int			i;

	for (i = n - 1; i >= 0; i--)
		bb_u8(b, (unsigned) (v >> (8 * i)) & 0xff);
}

/* Appends the n low bytes of v, least significant first. */
static inline void
bb_le(bb *b, uint64_t v, int n)
{
	int			i;

	for (i = 0; i < n; i++)
		bb_u8(b, (unsigned) (v >> (8 * i)) & 0xff);
}

/* Overwrites a big-/little-endian 32-bit value at off. */
static inline void
bb_set_be32(bb *b, size_t off, uint32_t v)
{
	b->p[off] = (uint8_t) (v >> 24);
	b->p[off + 1] = (uint8_t) (v >> 16);
	b->p[off + 2] = (uint8_t) (v >> 8);
	b->p[off + 3] = (uint8_t) v;
}

static inline void
bb_set_le32(bb *b, size_t off, uint32_t v)
{
	b->p[off] = (uint8_t) v;
	b->p[off + 1] = (uint8_t) (v >> 8);
	b->p[off + 2] = (uint8_t) (v >> 16);
	b->p[off + 3] = (uint8_t) (v >> 24);
}

/* Frees the buffer and empties it for reuse. */
static inline void
bb_reset(bb *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* The value of an INT or BOOL detail, or missing when absent. */
static inline int64_t
detail_int(const mm_probe *p, const char *key, int64_t missing)
{
	int			i;

	for (i = 0; i < p->ndetails; i++)
		if (strcmp(p->details[i].key, key) == 0 && p->details[i].kind != MM_DETAIL_STR)
			return p->details[i].i;
	return missing;
}

/* The value of a STR detail, or "" when absent. */
static inline const char *
detail_str(const mm_probe *p, const char *key)
{
	int			i;

	for (i = 0; i < p->ndetails; i++)
		if (strcmp(p->details[i].key, key) == 0 && p->details[i].kind == MM_DETAIL_STR)
			return p->details[i].s;
	return "";
}

/* Probes a buffer holding the whole file. */
static inline void
probe_bytes(const bb *b, mm_probe *out)
{
	mm_probe_buffer(b->p, b->len, out);
}

/*
 * Probes d through a source holding only its first head bytes; each NEED
 * is served by adding exactly the requested window.  Returns the number of
 * NEED rounds, or -1 when it did not finish within 16.
 */
static inline int
probe_windowed(const uint8_t *d, size_t n, size_t head, mm_probe *out)
{
	mm_source	src;
	int			round;

	mm_source_init(&src, n);
	mm_source_add(&src, 0, d, head < n ? head : n);
	for (round = 0; round < 16; round++)
	{
		if (mm_probe_source(&src, out) == MM_PROBE_OK)
			return round;
		if (src.need_off >= n || src.need_len > n - src.need_off ||
			mm_source_add(&src, src.need_off, d + src.need_off, src.need_len) != 0)
			return -1;
	}
	return -1;
}

#endif
