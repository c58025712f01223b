/*
 * probe/av.h - arithmetic and tags the audio and video probes share.
 */
#ifndef MM_PROBE_AV_H
#define MM_PROBE_AV_H

#include <stdint.h>

#include "util/source.h"

/* A four-character code as the big-endian 32-bit number files store. */
#define MM_FOURCC(a, b, c, d) (((uint32_t) (a) << 24) | ((uint32_t) (b) << 16) | \
							   ((uint32_t) (c) << 8) | (uint32_t) (d))

/* units * 1000 / rate in milliseconds; -1 when rate is 0 or it overflows. */
int64_t		mm_units_to_ms(uint64_t units, uint64_t rate);

/* ID3v2 tags skipped in front of an audio stream, at most. */
#define MM_ID3_MAX	4

/*
 * Total length (header, body, footer) of the ID3v2 tag whose 10-byte
 * header is at p, or 0 when the bytes are not an ID3v2 header.
 */
uint64_t	mm_id3v2_len(const uint8_t *p);

/*
 * Skips the ID3v2 tags (at most MM_ID3_MAX) at *off of src by their
 * declared sizes, clipped to the file; *off ends on the first byte after
 * them and *ntags counts them.  Returns MM_SRC_NEED when a tag header must
 * be fetched first, else MM_SRC_OK.
 */
mm_src_status mm_id3_skip(mm_source *src, uint64_t *off, int *ntags);

#endif
