/*
 * video/avio.c - FFmpeg's custom I/O over the caller's read callback:
 * FFmpeg asks for bytes at its current position and seeks, the reader
 * keeps the position and calls the callback for exactly the range wanted
 * (at most one AVIO buffer, or one direct read, at a time).  Nothing of
 * the file is held beyond FFmpeg's buffer, and the interrupt callback is
 * polled before every read.  Also: an mm_video_io over memory.
 */
#include "video/internal.h"

#include <string.h>

/* FFmpeg's buffer between the reader and the demuxer. */
#define READ_BUFFER_SIZE (64 * 1024)

/* AVIO read: the next bytes from the caller, or EOF, EXIT (interrupted) or EIO. */
static int
reader_read(void *opaque, uint8_t *buf, int size)
{
	mm_video_reader *r = opaque;
	size_t		want;
	int64_t		got;

	if (mm_img_poll(r->ctx))
		return AVERROR_EXIT;
	if (r->failed)
		return AVERROR(EIO);
	if (size <= 0 || r->pos >= r->io->size)
		return AVERROR_EOF;
	want = (size_t) size;
	if ((uint64_t) want > r->io->size - r->pos)
		want = (size_t) (r->io->size - r->pos);
	got = r->io->read(r->io->arg, r->pos, buf, want);
	if (got < 0 || (uint64_t) got > want)
	{
		r->failed = 1;
		return AVERROR(EIO);
	}
	if (got == 0)
		return AVERROR_EOF;
	r->pos += (uint64_t) got;
	return (int) got;
}

/* AVIO seek: moves the position within the file, or reports its size. */
static int64_t
reader_seek(void *opaque, int64_t offset, int whence)
{
	mm_video_reader *r = opaque;
	int64_t		base;

	whence &= ~AVSEEK_FORCE;
	if (whence == AVSEEK_SIZE)
		return r->io->size <= INT64_MAX ? (int64_t) r->io->size : AVERROR(EINVAL);
	if (whence == SEEK_SET)
		base = 0;
	else if (whence == SEEK_CUR)
		base = (int64_t) r->pos;
	else if (whence == SEEK_END)
		base = (int64_t) r->io->size;
	else
		return AVERROR(EINVAL);
	if ((offset > 0 && base > INT64_MAX - offset) || base + offset < 0 ||
		(uint64_t) (base + offset) > r->io->size)
		return AVERROR(EINVAL);
	r->pos = (uint64_t) (base + offset);
	return (int64_t) r->pos;
}

/* Sets up the reader; see video/internal.h. */
mm_img_status
mm_video_reader_open(mm_video_reader *r, mm_img_ctx *ctx, const mm_video_io *io)
{
	uint8_t    *buffer;

	memset(r, 0, sizeof(*r));
	r->io = io;
	r->ctx = ctx;
	if (io->size > INT64_MAX)
		return mm_img_fail(ctx, MM_IMG_TOO_BIG, "the file is too large");
	buffer = av_malloc(READ_BUFFER_SIZE);
	if (buffer == NULL)
		return mm_img_fail(ctx, MM_IMG_NOMEM, "out of memory for the read buffer");
	r->avio = avio_alloc_context(buffer, READ_BUFFER_SIZE, 0, r, reader_read, NULL, reader_seek);
	if (r->avio == NULL)
	{
		av_free(buffer);
		return mm_img_fail(ctx, MM_IMG_NOMEM, "out of memory for the I/O context");
	}
	return MM_IMG_OK;
}

/* Frees the reader's context; see video/internal.h. */
void
mm_video_reader_close(mm_video_reader *r)
{
	if (r->avio == NULL)
		return;
	av_freep(&r->avio->buffer);
	avio_context_free(&r->avio);
}

/* Polls the interrupt callback for FFmpeg; see video/internal.h. */
int
mm_video_interrupted(void *ctx)
{
	return mm_img_poll((mm_img_ctx *) ctx);
}

/* mm_video_io read over memory: copies what the buffer has at offset. */
static int64_t
memory_read(void *arg, uint64_t offset, uint8_t *buf, size_t len)
{
	const mm_video_memory *m = arg;

	if (offset >= m->len)
		return 0;
	if (len > m->len - offset)
		len = (size_t) (m->len - offset);
	memcpy(buf, m->data + offset, len);
	return (int64_t) len;
}

/* Points io at a buffer; see video/poster.h. */
void
mm_video_io_memory(mm_video_io *io, mm_video_memory *mem, const uint8_t *data, size_t len)
{
	mem->data = data;
	mem->len = data != NULL ? len : 0;
	io->read = memory_read;
	io->size = mem->len;
	io->arg = mem;
}
