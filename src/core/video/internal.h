/*
 * video/internal.h - what the poster's files share: the custom I/O
 * context over the caller's read callback (video/avio.c) and the step
 * that turns a decoded frame into the image pipeline's rows
 * (video/frame.c).  FFmpeg types appear only here and in the .c files
 * of video/.
 */
#ifndef MM_VIDEO_INTERNAL_H
#define MM_VIDEO_INTERNAL_H

#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>

#include "image/internal.h"
#include "video/poster.h"

/* An AVIOContext reading through an mm_video_io (video/avio.c). */
typedef struct mm_video_reader
{
	const mm_video_io *io;
	mm_img_ctx *ctx;
	uint64_t	pos;			/* where the next read starts */
	int			failed;			/* the caller's read callback failed */
	AVIOContext *avio;
} mm_video_reader;

/*
 * Sets up r and its AVIOContext over io; the interrupt callback of ctx
 * is polled before every read.  Fails (status in ctx) when FFmpeg cannot
 * allocate it.
 */
mm_img_status mm_video_reader_open(mm_video_reader *r, mm_img_ctx *ctx, const mm_video_io *io);

/* Frees r's AVIOContext and its buffer (a reader never opened is fine). */
void		mm_video_reader_close(mm_video_reader *r);

/* An AVIOInterruptCB callback: polls ctx (an mm_img_ctx *). */
int			mm_video_interrupted(void *ctx);

/*
 * Passes frame f of stream st to the pipeline's sink: its display size
 * (pixel aspect ratio applied), the orientation its display matrix asks
 * for, then its rows converted to RGB (RGBA when the format has alpha)
 * at the size the sink asks for.
 */
mm_img_status mm_video_feed_frame(mm_img_ctx *ctx, const AVFrame *f, const AVStream *st,
								  mm_img_sink *sink);

#endif
