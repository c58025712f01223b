/*
 * probe/psd.c - Adobe Photoshop documents (PSD, and PSB "large documents").
 *
 * The 26-byte file header holds version (1 PSD, 2 PSB), channel count,
 * height, width, bits per channel and colour mode.
 */
#include <string.h>

#include "probe/scan.h"

/* The name of a PSD colour mode, or NULL. */
static const char *
psd_mode_name(int mode)
{
	switch (mode)
	{
		case 0:
			return "bitmap";
		case 1:
			return "gray";
		case 2:
			return "palette";
		case 3:
			return "rgb";
		case 4:
			return "cmyk";
		case 7:
			return "multichannel";
		case 8:
			return "duotone";
		case 9:
			return "lab";
		default:
			return NULL;
	}
}

/* Probes PSD/PSB: the fixed 26-byte header. */
int
mm_probe_psd(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	int			version;
	int			channels;
	int			mode;
	const char *name;

	(void) src;
	if (headlen < 6 || memcmp(head, "8BPS", 4) != 0)
		return MM_FMT_NO;
	version = mm_be16(head + 4);
	if (version != 1 && version != 2)
		return MM_FMT_NO;
	mm_probe_set_type(out, "image/vnd.adobe.photoshop");
	if (headlen < 26)
		return MM_FMT_YES;
	if (version == 2)
		mm_probe_add_bool(out, "large_document", 1);
	channels = mm_be16(head + 12);
	mode = mm_be16(head + 24);
	mm_set_size(out, mm_be32(head + 18), mm_be32(head + 14));
	mm_probe_add_int(out, "bit_depth", mm_be16(head + 22));
	mm_probe_add_int(out, "components", channels);
	if ((name = psd_mode_name(mode)) != NULL)
		mm_probe_add_str(out, "color_space", name);
	/* an extra channel beyond the mode's colour channels is usually alpha */
	mm_probe_add_bool(out, "has_alpha", (mode == 3 && channels > 3) || (mode == 1 && channels > 1) ||
					  (mode == 4 && channels > 4));
	return MM_FMT_YES;
}
