/*
 * probe/av.c - arithmetic and tags the audio and video probes share: the
 * millisecond conversion and the ID3v2 tags in front of an audio stream.
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

/* Total length of the ID3v2 tag whose 10-byte header is at p, or 0 if it is none. */
uint64_t
mm_id3v2_len(const uint8_t *p)
{
	uint64_t	len;

	if (p[0] != 'I' || p[1] != 'D' || p[2] != '3' || p[3] == 0xFF || p[4] == 0xFF ||
		((p[6] | p[7] | p[8] | p[9]) & 0x80))
		return 0;
	len = ((uint64_t) p[6] << 21) | ((uint64_t) p[7] << 14) | ((uint64_t) p[8] << 7) | p[9];
	len += 10;
	if (p[5] & 0x10)
		len += 10;				/* footer */
	return len;
}

/* Skips the ID3v2 tags at *off (see av.h). */
mm_src_status
mm_id3_skip(mm_source *src, uint64_t *off, int *ntags)
{
	*ntags = 0;
	while (*ntags < MM_ID3_MAX && *off < src->size && src->size - *off >= 10)
	{
		uint8_t		b[10];
		uint64_t	len;
		mm_src_status st = mm_read(src, *off, b, 10);

		if (st == MM_SRC_NEED)
			return MM_SRC_NEED;
		if (st != MM_SRC_OK || (len = mm_id3v2_len(b)) == 0)
			break;
		if (len > src->size - *off)
			len = src->size - *off;
		*off += len;
		(*ntags)++;
	}
	return MM_SRC_OK;
}
