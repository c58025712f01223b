/*
 * image/jpeg.h - how the image core calls libjpeg safely: an error
 * manager that longjmps back into the core function that called libjpeg
 * (never further), warning policy, scan limit, interrupt polling and a
 * memory cap, shared by the JPEG decoder, encoder and optimizer; and the
 * destination manager through which the encoder and the optimizer write
 * into a growable buffer.
 */
#ifndef MM_IMAGE_JPEG_H
#define MM_IMAGE_JPEG_H

#include <setjmp.h>
#include <stdio.h>

#include <jpeglib.h>

#include "image/internal.h"

/* Progressive scans allowed in one JPEG (libjpeg-turbo's advice: 500). */
#define MM_JPEG_MAX_SCANS 500

/*
 * Set up with mm_jpeg_guard_init() before jpeg_create_*(), and setjmp(jb)
 * before the first libjpeg call.  pub must stay the first member: libjpeg
 * hands back the error manager pointer and the guard is found from it.
 */
typedef struct mm_jpeg_guard
{
	struct jpeg_error_mgr pub;
	struct jpeg_progress_mgr progress;
	jmp_buf		jb;
	mm_img_ctx *ctx;
	mm_img_status fail_status;	/* status of a libjpeg error */
	int			strict;			/* corrupt-data warnings are errors */
} mm_jpeg_guard;

/* Fills in the error manager; call before jpeg_create_*(). */
void		mm_jpeg_guard_init(mm_jpeg_guard *g, mm_img_ctx *ctx, mm_img_status fail_status,
							   int strict);

/*
 * Attaches the guard's progress monitor and memory cap to a created
 * object; call right after jpeg_create_*().
 */
void		mm_jpeg_guard_attach(mm_jpeg_guard *g, j_common_ptr cinfo);

/*
 * Refuses (MM_IMG_TOO_BIG) a JPEG whose whole-image coefficient buffers
 * (progressive decoding, lossless re-encoding) the memory budget cannot
 * hold, estimated from the header just read, before libjpeg allocates them.
 */
mm_img_status mm_jpeg_check_coefficients(mm_jpeg_guard *g, j_decompress_ptr cinfo);

/* Records a failure with its message and longjmps to the guard. */
void		mm_jpeg_guard_throw(j_common_ptr cinfo, mm_img_status status, const char *msg);

/*
 * libjpeg's destination manager writing into a growable buffer of the
 * core's allocator (jpeg_mem_dest would use malloc).  pub must stay the
 * first member: libjpeg hands back cinfo->dest and the manager is found
 * from it.
 */
typedef struct mm_jpeg_dest
{
	struct jpeg_destination_mgr pub;
	mm_outbuf  *buf;
	size_t		first;			/* bytes reserved when compression starts */
} mm_jpeg_dest;

/*
 * Points cinfo's output at buf (reserving first bytes to start with, then
 * growing it geometrically); running out of memory is a libjpeg error
 * thrown through the guard.  Call after mm_jpeg_guard_attach().
 */
void		mm_jpeg_dest_attach(mm_jpeg_dest *d, j_compress_ptr cinfo, mm_outbuf *buf,
								size_t first);

#endif
