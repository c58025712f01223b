/*
 * image/png.h - how the image core calls libpng safely: an error handler
 * that longjmps back into the core function that called libpng (never
 * further), warnings ignored, and every allocation (zlib's included)
 * through the call's capped allocator.  Shared by the PNG decoder and
 * encoder, as image/jpeg.h is by the JPEG ones.
 */
#ifndef MM_IMAGE_PNG_H
#define MM_IMAGE_PNG_H

#include <setjmp.h>

#include <png.h>

#include "image/internal.h"

/*
 * Set up with mm_png_guard_init(), then setjmp(jb) before
 * mm_png_guard_create() and every other libpng call; a libpng error
 * records "<what>: <message>" with fail_status and lands at that setjmp.
 * mm_png_guard_destroy() frees the libpng structs afterwards.
 */
typedef struct mm_png_guard
{
	jmp_buf		jb;
	mm_img_ctx *ctx;
	mm_img_status fail_status;	/* status of a libpng error */
	const char *what;			/* message prefix, e.g. "PNG" */
	int			writing;		/* a write struct, not a read struct */
	png_structp png;
	png_infop	info;
} mm_png_guard;

/* Fills in the guard; call before setjmp(g->jb). */
void		mm_png_guard_init(mm_png_guard *g, mm_img_ctx *ctx, mm_img_status fail_status,
							  const char *what);

/*
 * Creates libpng's read (writing 0) or write struct and its info struct,
 * wired to the guard's error handler and allocator; MM_IMG_OK, or
 * MM_IMG_NOMEM (recorded) when libpng could not start.
 */
mm_img_status mm_png_guard_create(mm_png_guard *g, int writing);

/* Frees what mm_png_guard_create() made (nothing when it made nothing). */
void		mm_png_guard_destroy(mm_png_guard *g);

#endif
