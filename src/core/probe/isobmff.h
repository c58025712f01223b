/*
 * probe/isobmff.h - what the ISO base media probe's files share (private to
 * probe/isobmff*.c; image/heif_coded.c uses the box reader): the facts
 * gathered from moov and meta, the in-memory
 * box reader, and the two walks that probe/isobmff.c hands the loaded
 * moov (probe/isobmff_movie.c) and meta (probe/isobmff_item.c) boxes to.
 */
#ifndef MM_PROBE_ISOBMFF_H
#define MM_PROBE_ISOBMFF_H

#include "probe/av.h"
#include "probe/formats.h"

#define ISO_MAX_CHILDREN	512 /* children looked at per container */

/* Everything the walk found. */
typedef struct mm_iso_info
{
	int			have_moov;
	int			have_meta;
	int			boxes;			/* budget counter inside one moov/meta */
	uint32_t	timescale;
	uint64_t	duration;
	int			have_mvhd;
	uint64_t	frag_duration;
	int			have_mehd;
	int			fragmented;
	int			has_video;
	int			has_audio;
	int64_t		width;
	int64_t		height;
	int			rotation;
	uint32_t	vcodec;
	uint32_t	acodec;
	int64_t		sample_rate;
	int64_t		channels;
	int64_t		track_ms;		/* longest track by mdhd, fallback */
	/* HEIF/AVIF primary item */
	int64_t		img_width;
	int64_t		img_height;
	int			img_rotation;
	uint32_t	img_codec;
} mm_iso_info;

/* A box inside an in-memory container. */
typedef struct mm_iso_box
{
	uint32_t	type;
	const uint8_t *data;		/* payload */
	size_t		len;
} mm_iso_box;

/*
 * Reads the child box at *pos of the container payload p/len and advances
 * *pos past it (probe/isobmff.c); 0 at the end or on a malformed header.
 */
int			mm_iso_next(const uint8_t *p, size_t len, size_t *pos, mm_iso_box *box);

/*
 * Walks a moov box's payload held in memory (probe/isobmff_movie.c): movie
 * header, fragments and the first video and audio tracks.
 */
void		mm_iso_walk_moov(const uint8_t *p, size_t len, mm_iso_info *info);

/*
 * Parses a HEIF/AVIF meta box held in memory (probe/isobmff_item.c): the
 * primary item's size, rotation, clean aperture and codec.
 */
void		mm_iso_parse_meta(const uint8_t *p, size_t len, mm_iso_info *info);

#define ISO_MAX_PROPS		64	/* property associations of one item */

/*
 * The property indices (1-based, in ipma's order) an ipma payload
 * associates with item_id, at most ISO_MAX_PROPS; 0 when none.  Also used
 * by image/heif_layout.c.
 */
int			mm_iso_ipma_find(const uint8_t *p, size_t len, uint32_t item_id, unsigned *props);

/* The ipco child with 1-based index idx (ipco payload p/len); 0 when absent. */
int			mm_iso_ipco_get(const uint8_t *p, size_t len, unsigned idx, mm_iso_box *out);

#endif
