/*
 * probe/isobmff_movie.c - the moov box of ISO base media files: movie
 * header (mvhd), fragment duration (mvex/mehd) and, per trak, the handler,
 * track header (size and rotation), media header (duration) and the first
 * sample entry (codec, coded size, audio channels and rate).  The first
 * video and the first audio track give the file's facts.
 */
#include <string.h>

#include "probe/isobmff.h"

#define ISO_MAX_BOXES		4096	/* boxes looked at inside one moov */
#define ISO_MAX_DEPTH		10	/* container nesting inside moov/meta */

/* One track's facts, gathered inside its trak box. */
typedef struct iso_track
{
	uint32_t	handler;
	uint32_t	codec;
	int64_t		tk_width;		/* from tkhd, already rotated */
	int64_t		tk_height;
	int			rotation;
	int64_t		se_width;		/* from the visual sample entry */
	int64_t		se_height;
	int64_t		sample_rate;
	int64_t		channels;
	uint32_t	md_timescale;
	uint64_t	md_duration;
	int			have_mdhd;
} iso_track;

/*
 * Reads mvhd or mdhd (same layout up to the duration): timescale and
 * duration, version 0 (32-bit) or 1 (64-bit).  Returns 0 when too short.
 * An all-ones duration means "unknown" and is returned as 0.
 */
static int
iso_parse_hd(const uint8_t *p, size_t len, uint32_t *timescale, uint64_t *duration)
{
	if (len < 4)
		return 0;
	if (p[0] == 1)
	{
		if (len < 32)
			return 0;
		*timescale = mm_be32(p + 20);
		*duration = mm_be64(p + 24);
		if (*duration == UINT64_MAX)
			*duration = 0;
	}
	else
	{
		if (len < 20)
			return 0;
		*timescale = mm_be32(p + 12);
		*duration = mm_be32(p + 16);
		if (*duration == 0xFFFFFFFFu)
			*duration = 0;
	}
	return 1;
}

/*
 * Reads tkhd: the track's display size (16.16 fixed point, rounded) and a
 * 90/180/270 degree rotation from its matrix.  A rotated track's display
 * size is swapped.
 */
static void
iso_parse_tkhd(const uint8_t *p, size_t len, iso_track *t)
{
	size_t		m = (len >= 4 && p[0] == 1) ? 52 : 40;	/* matrix offset */
	int32_t		a,
				b,
				c,
				d;
	int64_t		w,
				h;

	if (len < m + 44)
		return;
	a = (int32_t) mm_be32(p + m);
	b = (int32_t) mm_be32(p + m + 4);
	c = (int32_t) mm_be32(p + m + 12);
	d = (int32_t) mm_be32(p + m + 16);
	w = ((int64_t) mm_be32(p + m + 36) + 0x8000) >> 16;
	h = ((int64_t) mm_be32(p + m + 40) + 0x8000) >> 16;
	t->rotation = 0;
	if (a == 0 && d == 0 && b > 0 && c < 0)
		t->rotation = 90;
	else if (a == 0 && d == 0 && b < 0 && c > 0)
		t->rotation = 270;
	else if (a < 0 && d < 0 && b == 0 && c == 0)
		t->rotation = 180;
	if (t->rotation == 90 || t->rotation == 270)
	{
		int64_t		tmp = w;

		w = h;
		h = tmp;
	}
	t->tk_width = w;
	t->tk_height = h;
}

/*
 * Reads stsd: the first sample entry's type is the codec; a visual entry
 * also gives the coded size, a sound entry (version 0 or 1) the channel
 * count and sample rate.
 */
static void
iso_parse_stsd(const uint8_t *p, size_t len, iso_track *t)
{
	size_t		pos = 8;
	mm_iso_box		e;

	if (len < 8 || mm_be32(p + 4) == 0)
		return;
	if (!mm_iso_next(p, len, &pos, &e))
		return;
	t->codec = e.type;
	if (t->handler == MM_FOURCC('v', 'i', 'd', 'e') || t->handler == MM_FOURCC('p', 'i', 'c', 't'))
	{
		if (e.len >= 28)
		{
			t->se_width = mm_be16(e.data + 24);
			t->se_height = mm_be16(e.data + 26);
		}
	}
	else if (t->handler == MM_FOURCC('s', 'o', 'u', 'n'))
	{
		if (e.len >= 28 && mm_be16(e.data + 8) <= 1)
		{
			t->channels = mm_be16(e.data + 16);
			t->sample_rate = mm_be32(e.data + 24) >> 16;
		}
	}
}

/* Is this a container box whose children the moov walk descends into? */
static int
iso_is_container(uint32_t type)
{
	switch (type)
	{
		case MM_FOURCC('m', 'o', 'o', 'v'):
		case MM_FOURCC('t', 'r', 'a', 'k'):
		case MM_FOURCC('m', 'd', 'i', 'a'):
		case MM_FOURCC('m', 'i', 'n', 'f'):
		case MM_FOURCC('s', 't', 'b', 'l'):
		case MM_FOURCC('m', 'v', 'e', 'x'):
			return 1;
	}
	return 0;
}

/* Folds a finished track into the file's facts: the first video and first audio track count. */
static void
iso_commit_track(mm_iso_info *info, const iso_track *t)
{
	if (t->have_mdhd)
	{
		int64_t		ms = mm_units_to_ms(t->md_duration, t->md_timescale);

		if (ms > info->track_ms)
			info->track_ms = ms;
	}
	if (t->handler == MM_FOURCC('v', 'i', 'd', 'e') || t->handler == MM_FOURCC('p', 'i', 'c', 't'))
	{
		if (info->has_video)
			return;
		info->has_video = 1;
		info->vcodec = t->codec;
		info->rotation = t->rotation;
		if (t->tk_width > 0 && t->tk_height > 0)
		{
			info->width = t->tk_width;
			info->height = t->tk_height;
		}
		else if (t->se_width > 0 && t->se_height > 0)
		{
			info->width = t->se_width;
			info->height = t->se_height;
		}
	}
	else if (t->handler == MM_FOURCC('s', 'o', 'u', 'n'))
	{
		if (info->has_audio)
			return;
		info->has_audio = 1;
		info->acodec = t->codec;
		if (t->sample_rate > 0)
			info->sample_rate = t->sample_rate;
		/* AMR sample entries carry a fixed, meaningless channel count */
		if (t->channels > 0 && t->codec != MM_FOURCC('s', 'a', 'm', 'r') &&
			t->codec != MM_FOURCC('s', 'a', 'w', 'b'))
			info->channels = t->channels;
	}
}

/*
 * Walks the children of a moov-family container held in memory.  Each trak
 * gets its own iso_track (track is NULL outside any trak).  Recursion is
 * capped at ISO_MAX_DEPTH and the whole moov at ISO_MAX_BOXES boxes.
 */
static void
iso_walk_moov(const uint8_t *p, size_t len, int depth, mm_iso_info *info, iso_track *track)
{
	size_t		pos = 0;
	int			n;
	mm_iso_box		b;

	if (depth > ISO_MAX_DEPTH)
		return;
	for (n = 0; n < ISO_MAX_CHILDREN && mm_iso_next(p, len, &pos, &b); n++)
	{
		if (++info->boxes > ISO_MAX_BOXES)
			return;
		switch (b.type)
		{
			case MM_FOURCC('t', 'r', 'a', 'k'):
				{
					iso_track	t;

					memset(&t, 0, sizeof(t));
					iso_walk_moov(b.data, b.len, depth + 1, info, &t);
					iso_commit_track(info, &t);
				}
				break;
			case MM_FOURCC('m', 'v', 'h', 'd'):
				if (!info->have_mvhd &&
					iso_parse_hd(b.data, b.len, &info->timescale, &info->duration))
					info->have_mvhd = 1;
				break;
			case MM_FOURCC('m', 'e', 'h', 'd'):
				if (b.len >= 8 && !info->have_mehd)
				{
					if (b.data[0] == 1 && b.len >= 12)
						info->frag_duration = mm_be64(b.data + 4);
					else
						info->frag_duration = mm_be32(b.data + 4);
					info->have_mehd = 1;
				}
				break;
			case MM_FOURCC('m', 'v', 'e', 'x'):
				info->fragmented = 1;
				iso_walk_moov(b.data, b.len, depth + 1, info, track);
				break;
			case MM_FOURCC('t', 'k', 'h', 'd'):
				if (track)
					iso_parse_tkhd(b.data, b.len, track);
				break;
			case MM_FOURCC('m', 'd', 'h', 'd'):
				if (track && !track->have_mdhd &&
					iso_parse_hd(b.data, b.len, &track->md_timescale, &track->md_duration))
					track->have_mdhd = 1;
				break;
			case MM_FOURCC('h', 'd', 'l', 'r'):
				/* version/flags, pre_defined (QuickTime: component type), handler */
				if (track && track->handler == 0 && b.len >= 12)
					track->handler = mm_be32(b.data + 8);
				break;
			case MM_FOURCC('s', 't', 's', 'd'):
				if (track && track->codec == 0)
					iso_parse_stsd(b.data, b.len, track);
				break;
			default:
				if (iso_is_container(b.type))
					iso_walk_moov(b.data, b.len, depth + 1, info, track);
				break;
		}
	}
}

/* Walks a moov box's payload from the top; see probe/isobmff.h. */
void
mm_iso_walk_moov(const uint8_t *p, size_t len, mm_iso_info *info)
{
	iso_walk_moov(p, len, 1, info, NULL);
}
