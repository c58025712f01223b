/*
 * probe_image_misc.c - placeholder until the format probe lands: recognises nothing.
 */
#include "mm_formats.h"

/* Placeholder: not yet implemented, so the bytes are never claimed. */
int
mm_probe_image_misc(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	(void) src;
	(void) head;
	(void) headlen;
	(void) out;
	return MM_FMT_NO;
}
