/*
 * probe/qoi.c - the Quite OK Image format.
 *
 * A 14-byte header: "qoif", big-endian width and height, channels (3 RGB,
 * 4 RGBA) and colour space (0 sRGB with linear alpha, 1 all linear).
 */
#include <string.h>

#include "probe/scan.h"

/* Probes QOI: the fixed 14-byte header. */
int
mm_probe_qoi(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	(void) src;
	if (headlen < 4 || memcmp(head, "qoif", 4) != 0)
		return MM_FMT_NO;
	mm_probe_set_type(out, "image/qoi");
	if (headlen < 14)
		return MM_FMT_YES;
	mm_set_size(out, mm_be32(head + 4), mm_be32(head + 8));
	if (head[12] == 3 || head[12] == 4)
	{
		mm_probe_add_int(out, "components", head[12]);
		mm_probe_add_bool(out, "has_alpha", head[12] == 4);
	}
	mm_probe_add_int(out, "bit_depth", 8);
	mm_probe_add_bool(out, "linear", head[13] == 1);
	return MM_FMT_YES;
}
