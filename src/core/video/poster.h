/*
 * video/poster.h - posters of videos: a still of an MP4, MOV, WebM or MKV
 * file (the first key frame at or after min(1 s, 10% of the duration)),
 * scaled, cropped and encoded by the image pipeline exactly as an image
 * would be (image/image.h, image/spec.h), through FFmpeg's libraries.
 *
 * The file is read through the caller's read callback, a slice at a time:
 * never a temporary file, never the whole file in memory.  Only the
 * ISOBMFF (mov) and Matroska demuxers and the decoders named in
 * MM_VIDEO_DECODERS are used, single-threaded; the picture size the
 * container declares is checked against max_pixels and the memory FFmpeg
 * will hold is charged to the memory budget before the decoder is opened;
 * no FFmpeg allocation may be larger than the budget; the interrupt
 * callback is polled on every read, between packets and between rows.
 */
#ifndef MM_VIDEO_POSTER_H
#define MM_VIDEO_POSTER_H

#include <stddef.h>
#include <stdint.h>

#include "image/image.h"

struct mm_xform;

/*
 * Where a video's bytes come from.  read copies up to len bytes starting
 * at offset into buf and returns how many it copied (0 only at or past
 * the end), or -1 on failure (a caller that keeps an error of its own
 * reports it after mm_video_transform returns).  It must not longjmp;
 * after a failure it may refuse every later call.  size is the file's
 * length in bytes.  The core keeps the position, so no seek callback is
 * needed.
 */
typedef struct mm_video_io
{
	int64_t		(*read) (void *arg, uint64_t offset, uint8_t *buf, size_t len);
	uint64_t	size;
	void	   *arg;
} mm_video_io;

/* A video held in memory, behind mm_video_io (for bytea arguments and the tests). */
typedef struct mm_video_memory
{
	const uint8_t *data;
	size_t		len;
} mm_video_memory;

/* Points io at data[0..len) (mem keeps the pointer and must outlive io). */
void		mm_video_io_memory(mm_video_io *io, mm_video_memory *mem, const uint8_t *data, size_t len);

/* The containers posters are made of. */
typedef enum mm_video_container
{
	MM_VIDEO_NONE = 0,
	MM_VIDEO_ISOBMFF,			/* MP4, MOV, 3GP (FFmpeg's mov demuxer) */
	MM_VIDEO_MATROSKA			/* MKV, WebM */
} mm_video_container;

/* Bytes of a file's head that mm_video_sniff wants to see (HEIF brands included). */
#define MM_VIDEO_SNIFF_LEN 512

/*
 * Which container head (a file's first bytes, MM_VIDEO_SNIFF_LEN or all
 * of a shorter file) starts: ISOBMFF that is not a HEIC or AVIF image
 * (those are images: mm_img_sniff), or EBML (Matroska, WebM).
 */
mm_video_container mm_video_sniff(const uint8_t *head, size_t len);

/* The FFmpeg decoders a poster may use (FFmpeg's codec_whitelist syntax). */
#define MM_VIDEO_DECODERS "h264,hevc,vp8,vp9,libdav1d,mpeg4,h263"

/*
 * mm_transform of a video read through io: its poster frame, scaled and
 * cropped as x says and encoded in x->format (AUTO: JPEG).  The display
 * matrix (90, 180 and 270 degree turns, and their mirrored forms) and the
 * pixel aspect ratio are applied.  info->decoder is MM_DEC_VIDEO and
 * info->decoder_name the FFmpeg decoder's name.  Statuses as mm_transform:
 * UNSUPPORTED for a file with no video stream or a codec not in
 * MM_VIDEO_DECODERS, CORRUPT for damaged data (and for a failed read),
 * TOO_BIG over max_pixels or the memory budget, INTERRUPTED when
 * lim->interrupted said stop.
 */
mm_img_status mm_video_transform(const mm_video_io *io, const struct mm_xform *x,
								 const mm_limits *lim, uint8_t **out, size_t *out_len,
								 mm_thumb_info *info, char *errbuf, size_t errlen);

#endif
