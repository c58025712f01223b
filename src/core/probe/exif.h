/*
 * probe/exif.h - bounded reader for TIFF-structured data: TIFF files, and the
 * EXIF blocks inside JPEG (APP1), PNG (eXIf) and others.
 *
 * Every offset in such a structure is relative to the TIFF header and is
 * checked against the block's length before use; one IFD is read with a
 * capped number of entries, and callers that follow the next-IFD chain keep
 * a visited list so that a cyclic chain cannot loop.
 */
#ifndef MM_PROBE_EXIF_H
#define MM_PROBE_EXIF_H

#include <stdint.h>

#include "probe/probe.h"

/* Entries looked at per IFD; the rest of a bigger IFD is ignored. */
#define MM_IFD_MAX_ENTRIES 1024

typedef enum mm_tiff_status
{
	MM_TIFF_OK = 0,
	MM_TIFF_BAD = 1,			/* not TIFF, or an offset points outside */
	MM_TIFF_NEED = 2			/* bytes outside the windows (src->need set) */
} mm_tiff_status;

/* A TIFF structure of len bytes starting at file offset base. */
typedef struct mm_tiff
{
	mm_source  *src;
	uint64_t	base;
	uint64_t	len;
	int			le;				/* "II": little-endian */
	int			big;			/* BigTIFF: 8-byte offsets and counts */
} mm_tiff;

/* One tag a caller wants from an IFD, with its first value when found. */
typedef struct mm_tiff_tag
{
	uint16_t	tag;			/* in */
	int			found;			/* out */
	uint16_t	type;
	uint64_t	count;
	uint64_t	value;			/* first value (integer types only) */
} mm_tiff_tag;

/*
 * Size in bytes of one value of TIFF field type type (BigTIFF's 8-byte
 * types included), 0 when unknown.
 */
unsigned	mm_tiff_type_size(uint16_t type);

/*
 * Reads the TIFF header at base (len bytes belong to the structure) into
 * *t and returns the offset of the first IFD in *ifd0.
 */
mm_tiff_status mm_tiff_open(mm_tiff *t, mm_source *src, uint64_t base,
							uint64_t len, uint64_t *ifd0);

/*
 * Reads the IFD at off (relative to the header): fills in the wanted tags
 * and the offset of the next IFD (0 when none).
 */
mm_tiff_status mm_tiff_read_ifd(mm_tiff *t, uint64_t off, mm_tiff_tag *tags,
								int ntags, uint64_t *next);

/*
 * Finds the EXIF orientation (1-8) in the TIFF structure of len bytes at
 * base; *orientation is 0 when absent or out of range.
 */
mm_tiff_status mm_exif_orientation(mm_source *src, uint64_t base, uint64_t len,
								   int *orientation);

/*
 * Records an orientation detail and, for 5-8 (the transposing ones), turns
 * the stored size into the display size: width and height swap and the
 * stored ones are kept as stored_width/stored_height.
 */
void		mm_apply_orientation(mm_probe *out, int orientation);

#endif
