/*
 * mm_ogg.h - the Ogg page CRC for the probe unit tests that build Ogg
 * files by hand (polynomial 0x04c11db7, not reflected, initial value 0).
 */
#ifndef MM_OGG_H
#define MM_OGG_H

#include <stddef.h>
#include <stdint.h>

/* The Ogg CRC of a whole page of n bytes whose CRC field is zero. */
static inline uint32_t
mm_test_ogg_crc(const uint8_t *p, size_t n)
{
	uint32_t	crc = 0;
	size_t		i;
	int			k;

	for (i = 0; i < n; i++)
	{
		crc ^= (uint32_t) p[i] << 24;
		for (k = 0; k < 8; k++)
			crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04c11db7u : crc << 1;
	}
	return crc;
}

#endif
