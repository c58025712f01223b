/*
 * probe/flac.c - native FLAC streams ("fLaC"), also behind ID3v2 tags.
 *
 * The first metadata block must be STREAMINFO: sample rate (20 bits),
 * channels (3 bits + 1), bits per sample (5 bits + 1) and total samples
 * (36 bits, 0 = unknown), which give the duration.  ID3v2 tags in front are
 * skipped by their declared (syncsafe) size, at most MM_ID3_MAX of them,
 * so a big embedded cover picture costs one small read, not a scan.
 */
#include <string.h>

#include "probe/av.h"
#include "probe/formats.h"


/*
 * Probes FLAC: "fLaC" at 0 or right after ID3v2 tags.  At each candidate
 * offset one read of up to 42 bytes covers both an ID3v2 header and
 * "fLaC" + STREAMINFO, so a tagged file costs a single NEED round.
 */
int
mm_probe_flac(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	uint64_t	off = 0;
	uint8_t		b[42];
	size_t		n = 0;
	int			i;
	mm_src_status st;
	uint32_t	rate;
	unsigned	channels,
				bits;
	uint64_t	total;

	if (headlen < 4)
		return MM_FMT_NO;
	if (memcmp(head, "fLaC", 4) != 0 && (headlen < 10 || mm_id3v2_len(head) == 0))
		return MM_FMT_NO;
	for (i = 0; i <= MM_ID3_MAX; i++)
	{
		uint64_t	len;

		n = src->size - off < sizeof(b) ? (size_t) (src->size - off) : sizeof(b);
		if (n < 4)
			return MM_FMT_NO;
		st = mm_read(src, off, b, n);
		if (st == MM_SRC_NEED)
			return MM_FMT_NEED;
		if (st != MM_SRC_OK)
			return MM_FMT_NO;
		if (memcmp(b, "fLaC", 4) == 0)
			break;
		if (n < 10 || (len = mm_id3v2_len(b)) == 0 || len > src->size - off)
			return MM_FMT_NO;
		off += len;
	}
	if (i > MM_ID3_MAX)
		return MM_FMT_NO;

	mm_probe_set_type(out, "audio/flac");
	mm_probe_add_str(out, "codec", "flac");
	/* block header: last-flag + type 0 (STREAMINFO), length >= 34 */
	if (n < 42 || (b[4] & 0x7f) != 0 || (((uint32_t) b[5] << 16) | (b[6] << 8) | b[7]) < 34)
		return MM_FMT_YES;
	rate = ((uint32_t) b[18] << 12) | ((uint32_t) b[19] << 4) | (b[20] >> 4);
	channels = ((b[20] >> 1) & 7) + 1;
	bits = (((unsigned) (b[20] & 1) << 4) | (b[21] >> 4)) + 1;
	total = ((uint64_t) (b[21] & 0x0f) << 32) | mm_be32(b + 22);
	if (rate == 0)
		return MM_FMT_YES;
	mm_probe_add_int(out, "sample_rate", rate);
	mm_probe_add_int(out, "channels", channels);
	mm_probe_add_int(out, "bit_depth", bits);
	if (total > 0)
		out->duration_ms = mm_units_to_ms(total, rate);
	return MM_FMT_YES;
}
