/*
 * probe/av.h - arithmetic and tags the audio and video probes share.
 */
#ifndef MM_AV_H
#define MM_AV_H

#include <stdint.h>

/* units * 1000 / rate in milliseconds; -1 when rate is 0 or it overflows. */
int64_t		mm_units_to_ms(uint64_t units, uint64_t rate);

#endif
