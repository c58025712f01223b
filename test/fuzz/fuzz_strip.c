/*
 * fuzz_strip.c - libFuzzer harness for mm_strip_location(): any bytes, as
 * JPEG, PNG or WebP (the first byte picks which header is put in front) or
 * as they are (TIFF files), must be handled without a crash, whole and as
 * a leading window (an upload's first part); a second pass removes nothing
 * more and the signature never changes.  Seeds hold each place location
 * hides: EXIF GPS from IFD0, the Exif IFD and IFD1, "Exif\0\xff", XMP in
 * JPEG, PNG iTXt, WebP and TIFF tag 700, PNG raw profiles (tEXt, zTXt).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/strip.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t jpeg[] = {0xFF, 0xD8};
	static const uint8_t png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	static const uint8_t webp[] = {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P'};
	const uint8_t *hdr;
	size_t		hlen;
	uint8_t    *buf;
	size_t		len;

	if (size < 1)
		return 0;
	switch (data[0] % 4)
	{
		case 0:
			hdr = jpeg;
			hlen = sizeof(jpeg);
			break;
		case 1:
			hdr = png;
			hlen = sizeof(png);
			break;
		case 2:
			hdr = webp;
			hlen = sizeof(webp);
			break;
		default:
			hdr = NULL;
			hlen = 0;
			break;
	}
	len = hlen + size - 1;
	buf = malloc(len ? len : 1);
	if (hlen)
		memcpy(buf, hdr, hlen);
	memcpy(buf + hlen, data + 1, size - 1);
	if (mm_strip_location(buf, len) > 0 && mm_strip_location(buf, len) != 0)
		abort();				/* stripping must be idempotent */
	if (memcmp(buf, hdr ? hdr : buf, hlen) != 0)
		abort();				/* the signature never changes */
	/* a leading window of the original bytes (an upload's first part) */
	if (hlen)
		memcpy(buf, hdr, hlen);
	memcpy(buf + hlen, data + 1, size - 1);
	(void) mm_strip_location(buf, hlen + (size - 1) / 2);
	free(buf);
	return 0;
}
