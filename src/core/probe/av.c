/*
 * probe/av.c - arithmetic and tags the audio and video probes share.
 */
#include "probe/av.h"

/* units * 1000 / rate in milliseconds; -1 when rate is 0 or it overflows. */
int64_t
mm_units_to_ms(uint64_t units, uint64_t rate)
{
	uint64_t	q,
				r,
				ms;

	if (rate == 0)
		return -1;
	q = units / rate;
	r = units % rate;
	if (q > (uint64_t) INT64_MAX / 1000)
		return -1;
	ms = q * 1000;
	if (r <= UINT64_MAX / 1000)
		ms += r * 1000 / rate;
	else
		ms += (uint64_t) ((double) r / (double) rate * 1000.0);
	if (ms > (uint64_t) INT64_MAX)
		return -1;
	return (int64_t) ms;
}
