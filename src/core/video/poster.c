/*
 * video/poster.c - mm_video_transform(): a video's poster frame through
 * FFmpeg (libavformat, libavcodec), fed to the image pipeline.
 *
 * The container is told by its magic bytes (video/poster.h) and opened
 * with that one demuxer over the caller's read callback (video/avio.c),
 * with FFmpeg's whitelists limiting it to the mov and Matroska demuxers
 * and MM_VIDEO_DECODERS, no other file ever opened, and no stream-info
 * probing (which would decode frames before any check).  The first video
 * stream's declared size is checked against max_pixels and the memory
 * its decoder will hold is charged to the budget before the decoder is
 * opened, single-threaded, with FFmpeg's own max_pixels set to that size;
 * no FFmpeg allocation may exceed the budget (av_max_alloc).  The poster
 * is the first key frame at or after min(1 s, 10% of the duration), or
 * failing that the last one before it; only that packet is decoded.
 * FFmpeg's log goes nowhere but into the error message.
 */
#include "video/internal.h"

#include <limits.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "image/spec.h"

/* FFmpeg's names of the demuxers the magic bytes may select (format_whitelist). */
#define DEMUXERS "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm"

/* The poster is taken at 10% of the duration, at most this far in. */
#define POSTER_MAX_US 1000000
/* How long past that to wait for a key frame when an earlier one was seen. */
#define KEYFRAME_WAIT_US ((int64_t) 10 * 1000000)
/* Container header bounds: bytes probed, streams accepted. */
#define PROBE_BYTES (1 << 20)
#define MAX_STREAMS 64

/*
 * What the decoder of a w x h video holds, charged to the budget before
 * it opens: the picture at up to 3 bytes a pixel (4:4:4, or 4:2:0 at 10
 * to 16 bits) twice (the frame and the decoder's own), and the tables of
 * the demuxer and decoder.
 */
#define FRAME_BYTES_PER_PIXEL 6
#define FFMPEG_FIXED_BYTES ((uint64_t) 4 << 20)
/*
 * Slack for what decoders allocate beyond the declared size: coded sizes
 * rounded up to whole macroblocks or superblocks, and the edges MPEG-4
 * Part 2 pads its pictures with (a 64x48 video allocates 192x280).
 */
#define CODED_SLACK 256

/* State of one poster. */
typedef struct poster
{
	mm_img_ctx *ctx;
	mm_video_reader rd;
	AVFormatContext *fmt;
	AVStream   *st;				/* the video stream */
	AVCodecContext *dec;
	AVPacket   *pkt;
	AVPacket   *key;			/* the key frame chosen */
	AVFrame    *frame;
	uint64_t	reserved;		/* charged to the budget for FFmpeg's memory */
	char		avlog[160];		/* FFmpeg's first error message */
} poster;

/* Where FFmpeg's log goes during a call (NULL: nowhere). */
static char *log_dest;
static size_t log_cap;

/*
 * FFmpeg's log callback: keeps the first error of the call, drops the
 * rest.  (Its format is FFmpeg's, so GCC's format-attribute hint does
 * not apply.)
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsuggest-attribute=format"
#endif
static void
log_first_error(void *avcl, int level, const char *fmt, va_list vl)
{
	size_t		n;

	(void) avcl;
	if (level > AV_LOG_ERROR || log_dest == NULL || log_dest[0] != '\0')
		return;
	vsnprintf(log_dest, log_cap, fmt, vl);
	n = strlen(log_dest);
	while (n > 0 && (log_dest[n - 1] == '\n' || log_dest[n - 1] == '.'))
		log_dest[--n] = '\0';
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

/*
 * FFmpeg's process-wide settings for one call: no allocation above the
 * call's budget (or max_bytes), and the log captured into p->avlog.
 */
static void
ffmpeg_enter(poster *p)
{
	mm_img_ctx *ctx = p->ctx;
	uint64_t	cap = ctx->max_bytes;

	if (ctx->max_memory - ctx->in_use < cap)
		cap = ctx->max_memory - ctx->in_use;
	if (cap > INT_MAX)
		cap = INT_MAX;
	av_max_alloc((size_t) cap);
	p->avlog[0] = '\0';
	log_dest = p->avlog;
	log_cap = sizeof(p->avlog);
	av_log_set_callback(log_first_error);
}

/* Undoes ffmpeg_enter (FFmpeg's default allocation cap is INT_MAX). */
static void
ffmpeg_leave(void)
{
	log_dest = NULL;
	av_max_alloc(INT_MAX);
}

/*
 * Records FFmpeg's error err while doing what: interrupted, the caller's
 * read failing, memory refused (over the budget), a feature FFmpeg lacks,
 * or else damaged data, with FFmpeg's message.
 */
static mm_img_status
av_fail(poster *p, int err, const char *what)
{
	mm_img_ctx *ctx = p->ctx;
	char		msg[AV_ERROR_MAX_STRING_SIZE];

	if (ctx->status != MM_IMG_OK || mm_img_poll(ctx))
		return ctx->status;
	if (p->rd.failed)
		return mm_img_fail(ctx, MM_IMG_CORRUPT, "the file could not be read while %s", what);
	if (err == AVERROR(ENOMEM))
		return mm_img_fail(ctx, MM_IMG_TOO_BIG, "%s needs more memory than the budget allows", what);
	av_strerror(err, msg, sizeof(msg));
	if (err == AVERROR_PATCHWELCOME || err == AVERROR(ENOSYS))
		return mm_img_fail(ctx, MM_IMG_UNSUPPORTED, "%s: %s%s%s", what, msg,
						   p->avlog[0] ? ": " : "", p->avlog);
	return mm_img_fail(ctx, MM_IMG_CORRUPT, "%s failed: %s%s%s", what, msg,
					   p->avlog[0] ? ": " : "", p->avlog);
}

/* Which container head starts; see video/poster.h. */
mm_video_container
mm_video_sniff(const uint8_t *head, size_t len)
{
	static const char *const boxes[] = {"ftyp", "moov", "mdat", "free", "skip", "wide", "pnot"};
	size_t		i;

	if (head == NULL)
		return MM_VIDEO_NONE;
	if (len >= 4 && memcmp(head, "\x1a\x45\xdf\xa3", 4) == 0)
		return MM_VIDEO_MATROSKA;
	if (len < 8 || mm_img_sniff(head, len) != MM_DEC_NONE)
		return MM_VIDEO_NONE;
	for (i = 0; i < sizeof(boxes) / sizeof(boxes[0]); i++)
		if (memcmp(head + 4, boxes[i], 4) == 0)
			return MM_VIDEO_ISOBMFF;
	return MM_VIDEO_NONE;
}

/* io_open of the format context: a poster never opens another file (mov's drefs). */
static int
refuse_open(AVFormatContext *s, AVIOContext **pb, const char *url, int flags, AVDictionary **options)
{
	(void) s;
	(void) pb;
	(void) url;
	(void) flags;
	(void) options;
	return AVERROR(EPERM);
}

/* Reads the file's head and says which demuxer reads it. */
static mm_img_status
pick_demuxer(poster *p, const mm_video_io *io, const AVInputFormat **ifmt)
{
	uint8_t		head[MM_VIDEO_SNIFF_LEN];
	size_t		want = io->size < sizeof(head) ? (size_t) io->size : sizeof(head);
	size_t		have = 0;
	mm_video_container c;

	while (have < want)
	{
		int64_t		got = io->read(io->arg, have, head + have, want - have);

		if (got <= 0 || (uint64_t) got > want - have)
		{
			p->rd.failed = got < 0;
			return mm_img_fail(p->ctx, MM_IMG_CORRUPT, "the file could not be read");
		}
		have += (size_t) got;
	}
	c = mm_video_sniff(head, have);
	if (c == MM_VIDEO_NONE)
		return mm_img_fail(p->ctx, MM_IMG_UNSUPPORTED, "not an MP4, MOV, WebM or MKV video");
	*ifmt = av_find_input_format(c == MM_VIDEO_MATROSKA ? "matroska" : "mov");
	if (*ifmt == NULL)
		return mm_img_fail(p->ctx, MM_IMG_UNSUPPORTED, "this FFmpeg has no demuxer for the container");
	return MM_IMG_OK;
}

/* Opens the container over io with the bounded, whitelisted settings. */
static mm_img_status
open_container(poster *p, const mm_video_io *io)
{
	const AVInputFormat *ifmt = NULL;
	AVDictionary *opts = NULL;
	int			ret;

	if (pick_demuxer(p, io, &ifmt) != MM_IMG_OK ||
		mm_video_reader_open(&p->rd, p->ctx, io) != MM_IMG_OK)
		return p->ctx->status;
	p->fmt = avformat_alloc_context();
	if (p->fmt == NULL)
		return mm_img_fail(p->ctx, MM_IMG_NOMEM, "out of memory for the format context");
	p->fmt->pb = p->rd.avio;
	p->fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
	p->fmt->interrupt_callback.callback = mm_video_interrupted;
	p->fmt->interrupt_callback.opaque = p->ctx;
	p->fmt->io_open = refuse_open;
	av_dict_set(&opts, "format_whitelist", DEMUXERS, 0);
	av_dict_set(&opts, "codec_whitelist", MM_VIDEO_DECODERS, 0);
	av_dict_set_int(&opts, "probesize", PROBE_BYTES, 0);
	av_dict_set_int(&opts, "analyzeduration", 1000000, 0);
	av_dict_set_int(&opts, "max_streams", MAX_STREAMS, 0);
	ret = avformat_open_input(&p->fmt, NULL, ifmt, &opts);	/* frees p->fmt on failure */
	av_dict_free(&opts);
	if (ret < 0)
		return av_fail(p, ret, "reading the video's header");
	return MM_IMG_OK;
}

/* Chooses the first video stream that is not cover art; the demuxer drops the others. */
static mm_img_status
choose_stream(poster *p)
{
	unsigned	i;

	for (i = 0; i < p->fmt->nb_streams; i++)
	{
		AVStream   *s = p->fmt->streams[i];

		if (p->st == NULL && s->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
			!(s->disposition & AV_DISPOSITION_ATTACHED_PIC))
			p->st = s;
		else
			s->discard = AVDISCARD_ALL;
	}
	if (p->st == NULL)
		return mm_img_fail(p->ctx, MM_IMG_UNSUPPORTED, "the file has no video stream");
	return MM_IMG_OK;
}

/* Is name one of MM_VIDEO_DECODERS? */
static int
decoder_allowed(const char *name)
{
	size_t		n = strlen(name);
	const char *p = MM_VIDEO_DECODERS;

	while (*p)
	{
		const char *end = strchr(p, ',');
		size_t		len = end ? (size_t) (end - p) : strlen(p);

		if (len == n && memcmp(p, name, n) == 0)
			return 1;
		p += len + (end ? 1 : 0);
	}
	return 0;
}

/*
 * The most pixels a picture of a stream that declares no size may have
 * (some 3GP writers leave the sample entry's size 0; the decoder finds it
 * in the bitstream): max_pixels, and what the budget (and max_bytes)
 * has left for the decoder.  open_decoder charges that much, and shrink_reservation gives
 * back what the picture turns out not to need.
 */
static uint64_t
unknown_size_bound(const mm_img_ctx *ctx)
{
	uint64_t	left = ctx->max_memory - ctx->in_use;
	uint64_t	px = ctx->max_pixels;

	if (left > ctx->max_bytes)
		left = ctx->max_bytes;

	if (px > (UINT64_MAX - FFMPEG_FIXED_BYTES) / FRAME_BYTES_PER_PIXEL)
		px = (UINT64_MAX - FFMPEG_FIXED_BYTES) / FRAME_BYTES_PER_PIXEL;
	if (left > FFMPEG_FIXED_BYTES && (left - FFMPEG_FIXED_BYTES) / FRAME_BYTES_PER_PIXEL < px)
		px = (left - FFMPEG_FIXED_BYTES) / FRAME_BYTES_PER_PIXEL;
	return px > 0 ? px : 1;
}

/*
 * Gives back to the budget what the reservation for the decoder holds
 * beyond what a picture of the decoded frame's size needs.
 */
static void
shrink_reservation(poster *p)
{
	uint64_t	need = ((uint64_t) p->frame->width + CODED_SLACK) *
		((uint64_t) p->frame->height + CODED_SLACK) * FRAME_BYTES_PER_PIXEL + FFMPEG_FIXED_BYTES;

	if (need < p->reserved)
	{
		mm_img_unreserve(p->ctx, p->reserved - need);
		p->reserved = need;
	}
}

/*
 * Checks the stream's codec and declared size, charges the decoder's
 * memory to the budget, then opens the decoder: single-threaded, refusing
 * pictures larger than the declared size (plus coded-size slack).
 */
static mm_img_status
open_decoder(poster *p)
{
	mm_img_ctx *ctx = p->ctx;
	const AVCodecParameters *par = p->st->codecpar;
	const AVCodec *codec = avcodec_find_decoder(par->codec_id);
	uint64_t	w = par->width > 0 ? (uint64_t) par->width : 0;
	uint64_t	h = par->height > 0 ? (uint64_t) par->height : 0;
	uint64_t	coded;
	AVDictionary *opts = NULL;
	int			ret;

	if (codec == NULL || !decoder_allowed(codec->name))
		return mm_img_fail(ctx, MM_IMG_UNSUPPORTED,
						   "posters are made of H.264, HEVC, VP8, VP9, AV1, MPEG-4 Part 2 and H.263 video, not %s",
						   avcodec_get_name(par->codec_id));
	if (w > 0 && h > 0)
	{
		if (mm_img_check_size(ctx, w, h) != MM_IMG_OK)
			return ctx->status;
		coded = (w + CODED_SLACK) * (h + CODED_SLACK);
	}
	else
		coded = unknown_size_bound(ctx);
	if (mm_img_reserve(ctx, coded * FRAME_BYTES_PER_PIXEL + FFMPEG_FIXED_BYTES,
					   "a video frame of this size") != MM_IMG_OK)
		return ctx->status;
	p->reserved = coded * FRAME_BYTES_PER_PIXEL + FFMPEG_FIXED_BYTES;
	p->dec = avcodec_alloc_context3(codec);
	if (p->dec == NULL)
		return mm_img_fail(ctx, MM_IMG_NOMEM, "out of memory for the decoder");
	ret = avcodec_parameters_to_context(p->dec, par);
	if (ret < 0)
		return av_fail(p, ret, "setting up the decoder");
	p->dec->thread_count = 1;
	p->dec->thread_type = 0;
	p->dec->max_pixels = coded < INT64_MAX ? (int64_t) coded : INT64_MAX;
	av_dict_set(&opts, "codec_whitelist", MM_VIDEO_DECODERS, 0);
	ret = avcodec_open2(p->dec, codec, &opts);
	av_dict_free(&opts);
	if (ret < 0)
		return av_fail(p, ret, "opening the decoder");
	return MM_IMG_OK;
}

/*
 * When the poster is taken, in the stream's time base: min(1 s, 10% of
 * the duration) after the stream's start.
 */
static int64_t
poster_time(const poster *p)
{
	const AVStream *st = p->st;
	int64_t		start = st->start_time != AV_NOPTS_VALUE ? st->start_time : 0;
	int64_t		dur_us = 0;
	int64_t		at;

	if (st->duration != AV_NOPTS_VALUE && st->duration > 0)
		dur_us = av_rescale_q(st->duration, st->time_base, AV_TIME_BASE_Q);
	else if (p->fmt->duration != AV_NOPTS_VALUE && p->fmt->duration > 0)
		dur_us = p->fmt->duration;
	at = av_rescale_q(dur_us > 0 && dur_us / 10 < POSTER_MAX_US ? dur_us / 10 : POSTER_MAX_US,
					  AV_TIME_BASE_Q, st->time_base);
	if (at == AV_NOPTS_VALUE || at < 0)
		return start;
	if (start > 0 && at > INT64_MAX - start)
		return INT64_MAX;
	return start + at;
}

/*
 * Positions the demuxer at the first key frame at or after at, else at
 * the last one before it; false when neither seek worked (a demuxer may
 * then be anywhere, even at the end).
 */
static bool
seek_near(poster *p, int64_t at)
{
	int			idx = p->st->index;

	return avformat_seek_file(p->fmt, idx, at, at, INT64_MAX, 0) >= 0 ||
		av_seek_frame(p->fmt, idx, at, AVSEEK_FLAG_BACKWARD) >= 0;
}

/*
 * Opens the container again, to read its packets from the start (after
 * seeks that failed or led nowhere); the decoder stays as it is.
 */
static mm_img_status
reopen_container(poster *p, const mm_video_io *io)
{
	avformat_close_input(&p->fmt);
	mm_video_reader_close(&p->rd);
	p->st = NULL;
	if (open_container(p, io) != MM_IMG_OK || choose_stream(p) != MM_IMG_OK)
		return p->ctx->status;
	return MM_IMG_OK;
}

/* A packet's time: its pts, else its dts (AV_NOPTS_VALUE when neither). */
static int64_t
packet_time(const AVPacket *pkt)
{
	return pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
}

/*
 * Reads packets into p->key: the first key frame of the stream at or
 * after at; or, when the stream ends, fails to read, or goes
 * KEYFRAME_WAIT_US past at without one, the last key frame before it.
 * The interrupt callback is polled before every packet.  1 when a key
 * frame was found, 0 when the stream ended without one, -1 on failure
 * (status in p->ctx).
 */
static int
find_keyframe(poster *p, int64_t at)
{
	int64_t		wait = av_rescale_q(KEYFRAME_WAIT_US, AV_TIME_BASE_Q, p->st->time_base);
	int64_t		give_up = wait > 0 && at < INT64_MAX - wait ? at + wait : INT64_MAX;
	int			have_key = 0;
	int			ret;

	for (;;)
	{
		int64_t		t;

		if (mm_img_poll(p->ctx))
			return -1;
		ret = av_read_frame(p->fmt, p->pkt);
		if (ret < 0)
			break;
		t = packet_time(p->pkt);
		if (p->pkt->stream_index != p->st->index)
		{
			av_packet_unref(p->pkt);
			continue;
		}
		if (!(p->pkt->flags & AV_PKT_FLAG_KEY))
		{
			av_packet_unref(p->pkt);
			if (have_key && t != AV_NOPTS_VALUE && t > give_up)
				return 1;
			continue;
		}
		av_packet_unref(p->key);
		av_packet_move_ref(p->key, p->pkt);
		have_key = 1;
		if (t == AV_NOPTS_VALUE || t >= at)
			return 1;
	}
	if (ret == AVERROR_EXIT || p->rd.failed || (ret != AVERROR_EOF && !have_key))
	{
		av_fail(p, ret, "reading the video");
		return -1;
	}
	return have_key;			/* the end, or damage after a usable key frame */
}

/*
 * Finds the poster's key frame (find_keyframe) after a seek near its
 * time; where the seeks fail, or lead to no key frame, the container is
 * read again from the start (Matroska files without cues, for one).
 */
static mm_img_status
take_keyframe(poster *p, const mm_video_io *io)
{
	int64_t		at = poster_time(p);
	bool		seeked = seek_near(p, at);
	int			found;

	if (!seeked && reopen_container(p, io) != MM_IMG_OK)
		return p->ctx->status;
	found = find_keyframe(p, at);
	if (found == 0 && seeked)
	{
		if (reopen_container(p, io) != MM_IMG_OK)
			return p->ctx->status;
		found = find_keyframe(p, at);
	}
	if (found < 0)
		return p->ctx->status;
	if (found == 0)
		return mm_img_fail(p->ctx, MM_IMG_CORRUPT, "the video stream has no key frame");
	return MM_IMG_OK;
}

/* Decodes the key frame alone (then drains the decoder) into p->frame. */
static mm_img_status
decode_keyframe(poster *p)
{
	int			ret = avcodec_send_packet(p->dec, p->key);

	if (ret < 0)
		return av_fail(p, ret, "decoding the key frame");
	if (mm_img_poll(p->ctx))
		return p->ctx->status;
	ret = avcodec_send_packet(p->dec, NULL);
	if (ret < 0 && ret != AVERROR_EOF)
		return av_fail(p, ret, "decoding the key frame");
	ret = avcodec_receive_frame(p->dec, p->frame);
	if (ret == AVERROR_EOF || ret == AVERROR(EAGAIN))
		return mm_img_fail(p->ctx, MM_IMG_CORRUPT, "the key frame decoded to no picture%s%s",
						   p->avlog[0] ? ": " : "", p->avlog);
	if (ret < 0)
		return av_fail(p, ret, "decoding the key frame");
	return MM_IMG_OK;
}

/* The poster's steps, from the container to the sink. */
static mm_img_status
poster_run(poster *p, const mm_video_io *io, mm_img_sink *sink, mm_thumb_info *info)
{
	if (open_container(p, io) != MM_IMG_OK || choose_stream(p) != MM_IMG_OK ||
		open_decoder(p) != MM_IMG_OK)
		return p->ctx->status;
	info->decoder_name = p->dec->codec->name;
	p->pkt = av_packet_alloc();
	p->key = av_packet_alloc();
	p->frame = av_frame_alloc();
	if (p->pkt == NULL || p->key == NULL || p->frame == NULL)
		return mm_img_fail(p->ctx, MM_IMG_NOMEM, "out of memory for a packet or frame");
	if (take_keyframe(p, io) != MM_IMG_OK || decode_keyframe(p) != MM_IMG_OK)
		return p->ctx->status;
	shrink_reservation(p);
	return mm_video_feed_frame(p->ctx, p->frame, p->st, sink);
}

/* Frees everything FFmpeg holds for p and gives its memory back to the budget. */
static void
poster_free(poster *p)
{
	av_frame_free(&p->frame);
	av_packet_free(&p->key);
	av_packet_free(&p->pkt);
	avcodec_free_context(&p->dec);
	avformat_close_input(&p->fmt);	/* leaves the custom I/O context to us */
	mm_video_reader_close(&p->rd);
	mm_img_unreserve(p->ctx, p->reserved);
}

/* The pipeline's source of rows for a video: its poster frame. */
static mm_img_status
decode_poster(mm_img_ctx *ctx, void *arg, mm_img_sink *sink, mm_thumb_info *info)
{
	const mm_video_io *io = arg;
	poster		p;
	mm_img_status st;

	info->decoder = MM_DEC_VIDEO;
	info->decoder_name = "video";
	if (io == NULL || io->read == NULL)
		return mm_img_fail(ctx, MM_IMG_BAD_ARG, "no input");
	memset(&p, 0, sizeof(p));
	p.ctx = ctx;
	ffmpeg_enter(&p);
	st = poster_run(&p, io, sink, info);
	poster_free(&p);
	ffmpeg_leave();
	if (st == MM_IMG_OK && ctx->status != MM_IMG_OK)
		st = ctx->status;
	return st;
}

/* A video's poster, transformed; see video/poster.h. */
mm_img_status
mm_video_transform(const mm_video_io *io, const mm_xform *x, const mm_limits *lim,
				   uint8_t **out, size_t *out_len, mm_thumb_info *info, char *errbuf, size_t errlen)
{
	return mm_transform_decoded(decode_poster, (void *) io, x, lim, out, out_len, info, errbuf, errlen);
}
