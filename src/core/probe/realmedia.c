/*
 * probe/realmedia.c - RealMedia (.rm/.rmvb): ".RMF" file header.
 *
 * The header chunk is followed by PROP (file properties: duration in ms),
 * MDPR (one per stream: MIME type of the stream, and for RealVideo a
 * "VIDO" type-specific block with codec, width and height) and CONT
 * chunks, then DATA.  Chunks are walked by their headers up to DATA, at
 * most RM_MAX_CHUNKS of them, reading at most RM_MAX_READ bytes of each.
 */
#include <string.h>

#include "probe/av.h"
#include "probe/formats.h"

#define RM_MAX_CHUNKS	32
#define RM_MAX_READ		640

/* What the chunks said. */
typedef struct rm_info
{
	int64_t		duration_ms;
	int			has_video;
	int			has_audio;
	int64_t		width;
	int64_t		height;
	char		vcodec[5];
} rm_info;

/* Reads an MDPR chunk (n bytes at p, chunk header included). */
static void
rm_mdpr(const uint8_t *p, size_t n, rm_info *r)
{
	size_t		pos = 40;
	size_t		name_len,
				mime_len;
	const uint8_t *mime;
	uint32_t	tsl;

	if (n < pos + 1)
		return;
	name_len = p[pos];
	pos += 1 + name_len;
	if (n < pos + 1)
		return;
	mime_len = p[pos];
	mime = p + pos + 1;
	pos += 1 + mime_len;
	if (n < pos)
		return;
	if (mime_len >= 6 && memcmp(mime, "audio/", 6) == 0)
		r->has_audio = 1;
	else if (mime_len >= 6 && memcmp(mime, "video/", 6) == 0 && !r->has_video)
	{
		r->has_video = 1;
		if (n < pos + 4)
			return;
		tsl = mm_be32(p + pos);
		pos += 4;
		if (tsl >= 16 && n - pos >= 16 && memcmp(p + pos + 4, "VIDO", 4) == 0)
		{
			int			i;

			for (i = 0; i < 4; i++)
			{
				uint8_t		c = p[pos + 8 + i];

				r->vcodec[i] = (c >= 0x20 && c < 0x7f) ? (char) c : '?';
			}
			r->vcodec[4] = '\0';
			r->width = mm_be16(p + pos + 12);
			r->height = mm_be16(p + pos + 14);
		}
	}
}

/* Probes RealMedia files. */
int
mm_probe_realmedia(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	rm_info		r;
	uint64_t	off;
	uint32_t	hsize;
	int			n;

	if (headlen < 18 || memcmp(head, ".RMF", 4) != 0)
		return MM_FMT_NO;
	hsize = mm_be32(head + 4);
	if (hsize < 10 || mm_be16(head + 8) > 1)
		return MM_FMT_NO;
	memset(&r, 0, sizeof(r));
	r.duration_ms = -1;
	r.width = r.height = -1;
	off = hsize;
	for (n = 0; n < RM_MAX_CHUNKS && off < src->size && src->size - off >= 10; n++)
	{
		uint8_t		b[RM_MAX_READ];
		uint64_t	rem = src->size - off;
		uint32_t	id,
					size;
		size_t		want;
		mm_src_status st = mm_read(src, off, b, 10);

		if (st == MM_SRC_NEED)
			return MM_FMT_NEED;
		if (st != MM_SRC_OK)
			break;
		id = mm_be32(b);
		size = mm_be32(b + 4);
		if (size < 10 || id == MM_FOURCC('D', 'A', 'T', 'A') || id == MM_FOURCC('I', 'N', 'D', 'X'))
			break;
		want = size < sizeof(b) ? size : sizeof(b);
		if (want > rem)
			want = (size_t) rem;
		if (id == MM_FOURCC('P', 'R', 'O', 'P') || id == MM_FOURCC('M', 'D', 'P', 'R'))
		{
			st = mm_read(src, off, b, want);
			if (st == MM_SRC_NEED)
				return MM_FMT_NEED;
			if (st != MM_SRC_OK)
				break;
			if (id == MM_FOURCC('P', 'R', 'O', 'P') && want >= 10 + 40)
				r.duration_ms = mm_be32(b + 10 + 20);
			else if (id == MM_FOURCC('M', 'D', 'P', 'R'))
				rm_mdpr(b, want, &r);
		}
		off += size;
	}

	mm_probe_set_type(out, "application/vnd.rn-realmedia");
	if (r.width > 0 && r.height > 0)
	{
		out->width = r.width;
		out->height = r.height;
	}
	out->duration_ms = r.duration_ms;
	if (r.vcodec[0])
		mm_probe_add_str(out, "codec", r.vcodec);
	mm_probe_add_bool(out, "has_video", r.has_video);
	mm_probe_add_bool(out, "has_audio", r.has_audio);
	return MM_FMT_YES;
}
