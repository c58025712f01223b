/*
 * probe/isobmff.c - ISO base media files: MP4, MOV, 3GP/3G2, M4A, AVIF,
 * HEIC and HEIF.
 *
 * The MIME type comes from the ftyp box's major and compatible brands (or,
 * for old QuickTime files without ftyp, from the first box's type).  Sizes
 * and duration come from the moov box (mvhd, mvex/mehd, the first video
 * track's tkhd and stsd) and, for the image formats, from the primary
 * item's properties in the top-level meta box (ispe, irot, clap).
 *
 * Top-level boxes are walked by their headers only, so a moov behind a
 * multi-gigabyte mdat costs one 16-byte read for the mdat header and one
 * read for the moov itself; mdat payload is never touched.  moov and meta
 * are read into memory in one piece, capped at ISO_MAX_MOOV/ISO_MAX_META
 * bytes (anything past the cap is ignored, for every kind of source alike),
 * and parsed there with bounded, depth-capped loops.
 */
#include <string.h>

#include "probe/isobmff.h"

#define ISO_MAX_TOP_BOXES	64	/* top-level boxes walked */
#define ISO_MAX_BRANDS		64	/* compatible brands looked at */
#define ISO_MAX_MOOV		(4 * 1024 * 1024)
#define ISO_MAX_META		(1024 * 1024)

/* What the brands say the file is. */
typedef enum iso_kind
{
	ISO_NONE = 0,
	ISO_MP4,
	ISO_M4A,
	ISO_M4V,
	ISO_QT,
	ISO_3GP,
	ISO_3G2,
	ISO_AVIF,
	ISO_HEIC,
	ISO_HEIF
} iso_kind;

/*
 * Reads the child box at *pos of the container payload p/len and advances
 * *pos past it.  Returns 0 at the end or when the header is malformed (size
 * below the header length), which ends the caller's loop.  A child that
 * claims more bytes than its parent holds is clipped to the parent: the
 * container was truncated (by the file's end or by our read cap).
 */
int
mm_iso_next(const uint8_t *p, size_t len, size_t *pos, mm_iso_box *box)
{
	size_t		rem;
	uint64_t	size;
	size_t		hdr = 8;

	if (*pos >= len || len - *pos < 8)
		return 0;
	rem = len - *pos;
	size = mm_be32(p + *pos);
	box->type = mm_be32(p + *pos + 4);
	if (size == 1)
	{
		if (rem < 16)
			return 0;
		size = mm_be64(p + *pos + 8);
		hdr = 16;
	}
	else if (size == 0)
		size = rem;				/* extends to the end of the parent */
	if (size < hdr)
		return 0;
	if (size > rem)
		size = rem;
	box->data = p + *pos + hdr;
	box->len = (size_t) size - hdr;
	*pos += (size_t) size;
	return 1;
}

/* Is the brand one of the plain MP4 family brands? */
static int
iso_brand_is_mp4(uint32_t b)
{
	static const uint32_t mp4[] = {
		MM_FOURCC('i', 's', 'o', 'm'), MM_FOURCC('i', 's', 'o', '2'), MM_FOURCC('i', 's', 'o', '3'),
		MM_FOURCC('i', 's', 'o', '4'), MM_FOURCC('i', 's', 'o', '5'), MM_FOURCC('i', 's', 'o', '6'),
		MM_FOURCC('i', 's', 'o', '7'), MM_FOURCC('i', 's', 'o', '8'), MM_FOURCC('i', 's', 'o', '9'),
		MM_FOURCC('m', 'p', '4', '1'), MM_FOURCC('m', 'p', '4', '2'), MM_FOURCC('m', 'p', '7', '1'),
		MM_FOURCC('a', 'v', 'c', '1'), MM_FOURCC('d', 'a', 's', 'h'), MM_FOURCC('m', 's', 'd', 'h'),
		MM_FOURCC('m', 's', 'i', 'x'), MM_FOURCC('c', 'm', 'f', 'c'), MM_FOURCC('c', 'm', 'f', 's'),
		MM_FOURCC('c', 'm', 'f', '2'), MM_FOURCC('m', 'm', 'p', '4'), MM_FOURCC('M', 'S', 'N', 'V'),
		MM_FOURCC('N', 'D', 'A', 'S'), MM_FOURCC('F', '4', 'V', ' '), MM_FOURCC('F', '4', 'P', ' '),
		MM_FOURCC('f', '4', 'v', ' '), MM_FOURCC('X', 'A', 'V', 'C'), MM_FOURCC('d', 'b', 'y', '1'),
		MM_FOURCC('a', 'v', '0', '1'), MM_FOURCC('i', 's', 'o', 'a'), MM_FOURCC('i', 's', 'o', 'b'),
		MM_FOURCC('i', 's', 'o', 'c'), MM_FOURCC('M', '4', 'V', ' '), MM_FOURCC('M', '4', 'V', 'H'),
		MM_FOURCC('M', '4', 'V', 'P'),
	};
	size_t		i;

	for (i = 0; i < sizeof(mp4) / sizeof(mp4[0]); i++)
		if (b == mp4[i])
			return 1;
	return 0;
}

/*
 * Classifies one brand.  Some writers pad a short brand with NUL instead
 * of spaces ("M4A\0"): trailing NULs are read as spaces, as libmagic and
 * FFmpeg do.
 */
static iso_kind
iso_brand_kind(uint32_t b)
{
	int			i;

	for (i = 0; i < 3 && ((b >> (8 * i)) & 0xFF) == 0; i++)
		b |= (uint32_t) 0x20 << (8 * i);
	switch (b)
	{
		case MM_FOURCC('a', 'v', 'i', 'f'):
		case MM_FOURCC('a', 'v', 'i', 's'):
			return ISO_AVIF;
		case MM_FOURCC('h', 'e', 'i', 'c'):
		case MM_FOURCC('h', 'e', 'i', 'x'):
		case MM_FOURCC('h', 'e', 'i', 'm'):
		case MM_FOURCC('h', 'e', 'i', 's'):
		case MM_FOURCC('h', 'e', 'v', 'c'):
		case MM_FOURCC('h', 'e', 'v', 'x'):
		case MM_FOURCC('h', 'e', 'v', 'm'):
		case MM_FOURCC('h', 'e', 'v', 's'):
			return ISO_HEIC;
		case MM_FOURCC('m', 'i', 'f', '1'):
		case MM_FOURCC('m', 's', 'f', '1'):
			return ISO_HEIF;
		case MM_FOURCC('q', 't', ' ', ' '):
			return ISO_QT;
		case MM_FOURCC('M', '4', 'A', ' '):
		case MM_FOURCC('M', '4', 'B', ' '):
		case MM_FOURCC('M', '4', 'P', ' '):
			return ISO_M4A;
		case MM_FOURCC('M', '4', 'V', ' '):
		case MM_FOURCC('M', '4', 'V', 'H'):
		case MM_FOURCC('M', '4', 'V', 'P'):
			return ISO_M4V;
	}
	if ((b >> 16) == (('3' << 8) | 'g'))
	{
		uint8_t		c = (uint8_t) (b >> 8);

		if (c == '2')
			return ISO_3G2;
		if (c == 'p' || c == 'g' || c == 'r' || c == 's' || c == 'e' || c == 'h' || c == 'm' || c == 't')
			return ISO_3GP;
	}
	if (iso_brand_is_mp4(b))
		return ISO_MP4;
	return ISO_NONE;
}

/*
 * Decides the kind from the ftyp payload (major, minor, compatibles...).
 * AVIF and HEIC brands anywhere win (a MIAF file's major brand is often the
 * generic mif1); otherwise a specific major brand wins; otherwise the
 * compatible brands decide.  Canon CR3 (major "crx ") is a camera raw
 * format, not video, and is not claimed.
 */
static iso_kind
iso_ftyp_kind(const uint8_t *p, size_t len, int *sequence)
{
	uint32_t	major;
	size_t		i,
				n;
	int			any_avif = 0,
				any_heic = 0,
				any_heif = 0;
	iso_kind	compat = ISO_NONE;
	iso_kind	mk;

	*sequence = 0;
	if (len < 8)
		return ISO_NONE;
	major = mm_be32(p);
	if (major == MM_FOURCC('c', 'r', 'x', ' '))
		return ISO_NONE;
	n = (len - 8) / 4;
	if (n > ISO_MAX_BRANDS)
		n = ISO_MAX_BRANDS;
	for (i = 0; i <= n; i++)
	{
		uint32_t	b = i == 0 ? major : mm_be32(p + 8 + (i - 1) * 4);
		iso_kind	k = iso_brand_kind(b);

		if (b == MM_FOURCC('a', 'v', 'i', 's') || b == MM_FOURCC('m', 's', 'f', '1') ||
			b == MM_FOURCC('h', 'e', 'v', 'c') || b == MM_FOURCC('h', 'e', 'v', 'x') ||
			b == MM_FOURCC('h', 'e', 'i', 's') || b == MM_FOURCC('h', 'e', 'v', 's'))
			*sequence = 1;
		if (k == ISO_AVIF)
			any_avif = 1;
		else if (k == ISO_HEIC)
			any_heic = 1;
		else if (k == ISO_HEIF)
			any_heif = 1;
		else if (i > 0 && compat == ISO_NONE && k != ISO_NONE)
			compat = k;
	}
	if (any_avif)
		return ISO_AVIF;
	if (any_heic)
		return ISO_HEIC;
	mk = iso_brand_kind(major);
	if (mk != ISO_NONE && mk != ISO_HEIF)
		return mk;
	if (any_heif)
		return ISO_HEIF;
	return compat;
}

/* Copies a four-character code into s[5] as printable text, trailing spaces (and NULs) trimmed. */
static void
iso_fourcc_str(uint32_t v, char *s)
{
	int			i;

	for (i = 0; i < 4; i++)
	{
		uint8_t		c = (uint8_t) (v >> (24 - 8 * i));

		s[i] = c == 0 ? ' ' : (c >= 0x20 && c < 0x7f) ? (char) c : '?';	/* NUL pads like space */
	}
	s[4] = '\0';
	for (i = 3; i > 0 && s[i] == ' '; i--)
		s[i] = '\0';
}

/*
 * Brings the payload of a top-level box (moov or meta) into memory, at most
 * cap bytes of it.  Returns the pointer, or NULL with *need set when the
 * bytes must be fetched first.
 */
static const uint8_t *
iso_load(mm_source *src, uint64_t off, uint64_t len, size_t cap, size_t *outlen, int *need)
{
	mm_src_status st;
	const uint8_t *p;
	size_t		n = len > cap ? cap : (size_t) len;

	*need = 0;
	*outlen = n;
	if (n == 0)
		return NULL;
	p = mm_peek(src, off, n, &st);
	if (p == NULL && st == MM_SRC_NEED)
		*need = 1;
	return p;
}

/* Is this box type one an old QuickTime file (no ftyp) may start with? */
static int
iso_qt_top_type(uint32_t type)
{
	switch (type)
	{
		case MM_FOURCC('m', 'o', 'o', 'v'):
		case MM_FOURCC('m', 'd', 'a', 't'):
		case MM_FOURCC('w', 'i', 'd', 'e'):
		case MM_FOURCC('f', 'r', 'e', 'e'):
		case MM_FOURCC('s', 'k', 'i', 'p'):
		case MM_FOURCC('p', 'n', 'o', 't'):
			return 1;
	}
	return 0;
}

/*
 * Recognises a QuickTime file without ftyp: it starts with moov or mdat,
 * or with a wide/free/skip/pnot box followed (within head) by one of them.
 */
static int
iso_qt_without_ftyp(const uint8_t *head, size_t headlen)
{
	size_t		pos = 0;
	int			n;

	for (n = 0; n < 4; n++)
	{
		uint64_t	size;
		uint32_t	type;

		if (headlen - pos < 8)
			return 0;
		size = mm_be32(head + pos);
		type = mm_be32(head + pos + 4);
		if (!iso_qt_top_type(type))
			return 0;
		if (type == MM_FOURCC('m', 'o', 'o', 'v') || type == MM_FOURCC('m', 'd', 'a', 't'))
			return size == 0 || size == 1 || size >= 8;
		if (size < 8 || size > headlen - pos)
			return 0;
		pos += (size_t) size;
	}
	return 0;
}

/* The MIME type for the kind, refined by what the tracks hold. */
static const char *
iso_mime(iso_kind kind, const mm_iso_info *info)
{
	int			audio_only = info->have_moov && info->has_audio && !info->has_video;

	switch (kind)
	{
		case ISO_AVIF:
			return "image/avif";
		case ISO_HEIC:
			return "image/heic";
		case ISO_HEIF:
			return "image/heif";
		case ISO_QT:
			return "video/quicktime";
		case ISO_3GP:
			return audio_only ? "audio/3gpp" : "video/3gpp";
		case ISO_3G2:
			return audio_only ? "audio/3gpp2" : "video/3gpp2";
		case ISO_M4A:
			return "audio/mp4";
		case ISO_M4V:
			return "video/mp4";
		case ISO_MP4:
		case ISO_NONE:
			break;
	}
	return audio_only ? "audio/mp4" : "video/mp4";
}

/* Fills *out from what the walk found. */
static void
iso_report(iso_kind kind, uint32_t major, const mm_iso_info *info, mm_probe *out)
{
	char		s[5];
	int			image = (kind == ISO_AVIF || kind == ISO_HEIC || kind == ISO_HEIF);
	int64_t		ms = -1;

	mm_probe_set_type(out, iso_mime(kind, info));
	if (image && info->img_width > 0 && info->img_height > 0)
	{
		out->width = info->img_width;
		out->height = info->img_height;
	}
	else if (info->width > 0 && info->height > 0)
	{
		out->width = info->width;
		out->height = info->height;
	}
	if (info->have_mvhd && info->duration > 0)
		ms = mm_units_to_ms(info->duration, info->timescale);
	else if (info->have_mehd && info->have_mvhd && info->frag_duration > 0)
		ms = mm_units_to_ms(info->frag_duration, info->timescale);
	else if (info->track_ms > 0)
		ms = info->track_ms;
	if (ms >= 0 && info->have_moov)
		out->duration_ms = ms;

	if (major != 0)
	{
		iso_fourcc_str(major, s);
		mm_probe_add_str(out, "brand", s);
	}
	if (image && (info->img_codec != 0 || kind == ISO_AVIF || kind == ISO_HEIC))
	{
		/* a grid's properties name no codec, but the brand does */
		iso_fourcc_str(info->img_codec != 0 ? info->img_codec :
					   kind == ISO_AVIF ? MM_FOURCC('a', 'v', '0', '1') : MM_FOURCC('h', 'v', 'c', '1'), s);
		mm_probe_add_str(out, "codec", s);
	}
	else if (info->vcodec != 0)
	{
		iso_fourcc_str(info->vcodec, s);
		mm_probe_add_str(out, "codec", s);
	}
	else if (info->acodec != 0)
	{
		iso_fourcc_str(info->acodec, s);
		mm_probe_add_str(out, "codec", s);
	}
	if (info->vcodec != 0 && info->acodec != 0)
	{
		iso_fourcc_str(info->acodec, s);
		mm_probe_add_str(out, "audio_codec", s);
	}
	if (info->have_moov)
	{
		mm_probe_add_bool(out, "has_video", info->has_video);
		mm_probe_add_bool(out, "has_audio", info->has_audio);
	}
	if (info->sample_rate > 0)
		mm_probe_add_int(out, "sample_rate", info->sample_rate);
	if (info->channels > 0)
		mm_probe_add_int(out, "channels", info->channels);
	if (image && info->img_rotation != 0 && info->img_width > 0)
		mm_probe_add_int(out, "rotation", info->img_rotation);
	else if (!image && info->rotation != 0)
		mm_probe_add_int(out, "rotation", info->rotation);
	if (info->fragmented)
		mm_probe_add_bool(out, "fragmented", 1);
}

/*
 * Probes ISO base media files.  Walks at most ISO_MAX_TOP_BOXES top-level
 * boxes by their 8- or 16-byte headers and loads only moov and meta.
 */
int
mm_probe_isobmff(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	iso_kind	kind;
	uint32_t	major = 0;
	int			sequence = 0;
	int			is_image;
	mm_iso_info	info;
	uint64_t	off = 0;
	int			n;

	if (headlen < 12)
		return MM_FMT_NO;
	if (mm_be32(head + 4) == MM_FOURCC('f', 't', 'y', 'p'))
	{
		uint32_t	fsize = mm_be32(head);
		size_t		flen;

		if (fsize < 16 && fsize != 0)
			return MM_FMT_NO;
		flen = (fsize == 0 || fsize > headlen) ? headlen : fsize;
		major = mm_be32(head + 8);
		kind = iso_ftyp_kind(head + 8, flen - 8, &sequence);
		if (kind == ISO_NONE)
			return MM_FMT_NO;
	}
	else if (iso_qt_without_ftyp(head, headlen))
		kind = ISO_QT;
	else
		return MM_FMT_NO;

	memset(&info, 0, sizeof(info));
	info.width = info.height = -1;
	info.img_width = info.img_height = -1;
	is_image = (kind == ISO_AVIF || kind == ISO_HEIC || kind == ISO_HEIF);

	for (n = 0; n < ISO_MAX_TOP_BOXES && off < src->size; n++)
	{
		uint8_t		hb[16];
		uint64_t	rem = src->size - off;
		size_t		avail = rem < 16 ? (size_t) rem : 16;
		uint64_t	size;
		uint32_t	size32,
					type;
		unsigned	hdr = 8;
		int			last = 0;
		mm_src_status st;

		if (avail < 8)
			break;
		st = mm_read(src, off, hb, avail);
		if (st == MM_SRC_NEED)
			return MM_FMT_NEED;
		if (st != MM_SRC_OK)
			break;
		size32 = mm_be32(hb);
		type = mm_be32(hb + 4);
		if (size32 == 1)
		{
			if (avail < 16)
				break;
			size = mm_be64(hb + 8);
			hdr = 16;
		}
		else if (size32 == 0)
		{
			size = rem;
			last = 1;
		}
		else
			size = size32;
		if (size < hdr)
			break;				/* malformed: stop, keep what we have */
		if (size >= rem)
		{
			size = rem;			/* truncated (or exactly the last box) */
			last = 1;
		}

		if ((type == MM_FOURCC('m', 'o', 'o', 'v') && !info.have_moov) ||
			(type == MM_FOURCC('m', 'e', 't', 'a') && !info.have_meta))
		{
			size_t		len;
			int			need;
			int			moov = (type == MM_FOURCC('m', 'o', 'o', 'v'));
			const uint8_t *p = iso_load(src, off + hdr, size - hdr,
										moov ? ISO_MAX_MOOV : ISO_MAX_META, &len, &need);

			if (need)
				return MM_FMT_NEED;
			if (moov)
			{
				info.have_moov = 1;
				info.boxes = 0;
				if (p)
					mm_iso_walk_moov(p, len, &info);
			}
			else
			{
				info.have_meta = 1;
				if (p)
					mm_iso_parse_meta(p, len, &info);
			}
		}
		else if (type == MM_FOURCC('m', 'o', 'o', 'f'))
			info.fragmented = 1;

		if (is_image ? (info.have_meta && (info.have_moov || !sequence)) : info.have_moov)
			break;
		if (last)
			break;
		off += size;
	}

	iso_report(kind, major, &info, out);
	return MM_FMT_YES;
}
