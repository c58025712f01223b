/*
 * poster.c - video posters in the database: the bytes of a video for the
 * core's poster code (video/poster.h), from memory or from the chunk
 * store, read a chunk at a time as FFmpeg asks for them.
 *
 * FFmpeg calls the read callback from inside its own frames, so no error
 * may longjmp out of it: the chunk read runs under PG_TRY, an error
 * (damaged chunks, a cancel seen by CHECK_FOR_INTERRUPTS) is copied out
 * and flushed, FFmpeg is told EIO (and the callback refuses every later
 * call, since the SPI connection and user of the failed read are only
 * cleaned up by the transaction's abort), and the caller re-throws the
 * error once the core has returned and FFmpeg has freed what it held.
 * Nothing else PostgreSQL runs inside FFmpeg's frames: the core polls
 * cancels through core_hooks.c's flag check.
 */
#include "storage.h"

#include "image/spec.h"
#include "video/poster.h"

/*
 * The read callback over a stored file: copies bytes [offset, offset+len)
 * of the file, at most one chunk's worth, from the chunk store; -1 (the
 * error kept in the source) when the read raised one or an earlier one did.
 */
static int64_t
stored_read(void *arg, uint64_t offset, uint8_t *buf, size_t len)
{
	MediaVideoSource *src = arg;
	MemoryContext caller = CurrentMemoryContext;
	volatile int64 got = -1;

	if (src->error != NULL)
		return -1;
	if (offset >= (uint64_t) src->file->byte_size)
		return 0;
	if (len > (size_t) media_chunk_size)
		len = (size_t) media_chunk_size;
	if (len > (uint64_t) src->file->byte_size - offset)
		len = (size_t) ((uint64_t) src->file->byte_size - offset);
	PG_TRY();
	{
		StorageAccess access;

		storage_enter(&access);
		storage_chunks_read(src->file->blob_id, (int64) offset, (int64) len, (char *) buf);
		storage_leave(&access);
		got = (int64) len;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(src->error_cxt);
		src->error = CopyErrorData();
		FlushErrorState();
		MemoryContextSwitchTo(caller);
	}
	PG_END_TRY();
	return got;
}

/*
 * Sets src up over bytea content when its bytes are a video the core
 * makes posters of; false (src unused) for anything else.
 */
bool
media_video_from_bytes(MediaVideoSource *src, const uint8 *data, size_t len)
{
	memset(src, 0, sizeof(*src));
	if (mm_video_sniff(data, Min(len, (size_t) MM_VIDEO_SNIFF_LEN)) == MM_VIDEO_NONE)
		return false;
	mm_video_io_memory(&src->io, &src->mem, data, len);
	return true;
}

/*
 * Sets src up over stored file when its first bytes say it is a video
 * the core makes posters of; false (src unused) for anything else.  The
 * file is then read through the chunk store as the core asks, never
 * whole.
 */
bool
media_video_from_file(MediaVideoSource *src, const MediaFile *file)
{
	uint8		head[MM_VIDEO_SNIFF_LEN];
	int64		n = Min(file->byte_size, (int64) sizeof(head));
	StorageAccess access;

	memset(src, 0, sizeof(*src));
	storage_enter(&access);
	storage_chunks_read(file->blob_id, 0, n, (char *) head);
	storage_leave(&access);
	if (mm_video_sniff(head, (size_t) n) == MM_VIDEO_NONE)
		return false;
	src->file = file;
	src->error_cxt = CurrentMemoryContext;
	src->io.read = stored_read;
	src->io.size = (uint64_t) file->byte_size;
	src->io.arg = src;
	return true;
}

/* Re-throws the error a read of src raised inside FFmpeg, if any. */
void
media_video_rethrow(MediaVideoSource *src)
{
	if (src->error != NULL)
		ReThrowError(src->error);
}
