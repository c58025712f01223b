/*
 * probe/av.h - arithmetic and tags the audio and video probes share.
 */
#ifndef MM_PROBE_AV_H
#define MM_PROBE_AV_H

#include <stdint.h>

/* A four-character code as the big-endian 32-bit number files store. */
#define MM_FOURCC(a, b, c, d) (((uint32_t) (a) << 24) | ((uint32_t) (b) << 16) | \
							   ((uint32_t) (c) << 8) | (uint32_t) (d))

/* units * 1000 / rate in milliseconds; -1 when rate is 0 or it overflows. */
int64_t		mm_units_to_ms(uint64_t units, uint64_t rate);

#endif
