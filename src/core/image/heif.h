/*
 * image/heif.h - what the HEIF files of the image core share: the parts of
 * the meta box, the item locations of iloc, and the items' layout
 * (image/heif_layout.c) that lets dec_heif.c decode a grid tile by tile.
 */
#ifndef MM_IMAGE_HEIF_H
#define MM_IMAGE_HEIF_H

#include "image/internal.h"
#include "probe/isobmff.h"

#define HEIF_MAX_EXTENTS	64	/* extents of one item followed */

/* The boxes of the first meta box that the decoder reads (have_x: found). */
typedef struct mm_heif_meta
{
	const uint8_t *file;
	size_t		file_len;
	mm_iso_box	iinf;
	mm_iso_box	iloc;
	mm_iso_box	idat;
	mm_iso_box	iref;
	mm_iso_box	iprp;
	uint32_t	primary;		/* pitm */
	int			have_iinf;
	int			have_iloc;
	int			have_idat;
	int			have_iref;
	int			have_iprp;
	int			have_primary;
} mm_heif_meta;

/* Finds the first meta box of the file and its parts; 0 when there is none. */
int			mm_heif_meta_find(const uint8_t *src, size_t len, mm_heif_meta *m);

/* Where one item's data lies (iloc): n extents, of which off/len hold the first 64. */
typedef struct mm_heif_extents
{
	uint32_t	id;
	int			method;			/* 0 file offsets, 1 idat offsets */
	uint64_t	base;
	uint32_t	n;
	uint64_t	off[HEIF_MAX_EXTENTS];
	uint64_t	len[HEIF_MAX_EXTENTS];
} mm_heif_extents;

/*
 * Calls fn for each item of iloc (versions 0-2) until fn returns non-zero
 * (which is returned); -1 when iloc is malformed before that.
 */
int			mm_heif_iloc_each(const mm_iso_box *iloc,
							  int (*fn) (const mm_heif_extents *e, void *arg), void *arg);

/*
 * The data of an item whose extents are e, as libheif sees it (the extents
 * joined): *p and *n, in the file when one extent, else in *joined (allocated
 * through ctx; release it).  MM_IMG_CORRUPT (not recorded) when the data
 * lies outside the file or idat; MM_IMG_NOMEM recorded.
 */
mm_img_status mm_heif_item_data(mm_img_ctx *ctx, const mm_heif_meta *m, const mm_heif_extents *e,
								const uint8_t **p, size_t *n, uint8_t **joined);

/* Where item id's data lies (iloc); 1 when found, 0 when not. */
int			mm_heif_item_extents(const mm_heif_meta *m, uint32_t id, mm_heif_extents *e);

/*
 * The property boxes ipma associates with item id, in ipma's order, into
 * prop[0..n) (at most ISO_MAX_PROPS); n, or -1 when there is no ipco.
 */
int			mm_heif_item_props(const mm_heif_meta *m, uint32_t id, mm_iso_box *prop);

/*
 * The largest picture item id's own codec configuration (hvcC, av1C) and
 * coded data state, as an area in *area (0 when none): what libheif's
 * decoder would allocate for it whatever its ispe says
 * (image/heif_coded.c).  MM_IMG_CORRUPT recorded, naming what, when a
 * parameter set cannot be read.
 */
mm_img_status mm_heif_item_coded_area(mm_img_ctx *ctx, const mm_heif_meta *m, uint32_t id,
									  const char *what, uint64_t *area);

/* A grid item: rows x cols tiles (item ids, row by row) pasted on a canvas. */
typedef struct mm_heif_grid
{
	int			rows;
	int			cols;
	uint32_t	width;			/* the canvas */
	uint32_t	height;
	uint32_t   *tiles;			/* rows * cols ids, through ctx's allocator */
} mm_heif_grid;

/*
 * Reads grid item id: its descriptor and its dimg references into g
 * (release g->tiles).  g->tiles stays NULL when id is not a grid that can
 * be decoded tile by tile (not a grid, references that do not match, tiles
 * that are derived or transformed).  Not MM_IMG_OK only when an allocation
 * failed (recorded in ctx).
 */
mm_img_status mm_heif_grid_read(mm_img_ctx *ctx, const mm_heif_meta *m, uint32_t id,
								mm_heif_grid *g);

/*
 * The transformations of item id as an EXIF orientation (1-8, irot and imir
 * composed in ipma's order); 0 when the item has a clap (crop) property,
 * which is left to libheif.
 */
int			mm_heif_orientation(const mm_heif_meta *m, uint32_t id);

/*
 * A small HEIF file holding item id alone, as a visible primary image with
 * its own properties: libheif decodes one grid tile from it exactly as it
 * does inside the grid.  *out is allocated through ctx (release it).
 */
mm_img_status mm_heif_item_file(mm_img_ctx *ctx, const mm_heif_meta *m, uint32_t id,
								uint8_t **out, size_t *out_len);

#endif
