/*
 * video/frame.c - a decoded video frame into the image pipeline: its
 * display size (the pixel aspect ratio applied), the orientation its
 * display matrix asks for (as an EXIF orientation, so the pipeline turns
 * only the small result), and its pixels converted to RGB by libswscale
 * straight at the size the pipeline asks for (at most twice the target,
 * as JPEG's DCT scaling does), so no full-size RGB copy is ever made.
 */
#include "video/internal.h"

#include <math.h>

#include <libavutil/display.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

/*
 * The EXIF orientation (1-8) that shows the picture as stream st's
 * display matrix says: turns of 90, 180 and 270 degrees and their
 * mirrored forms, read as FFmpeg's own command-line tool reads them; 1
 * for no matrix or any other angle.
 */
static int
display_orientation(const AVStream *st)
{
	size_t		size = 0;
	const int32_t *m = (const int32_t *) av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
	double		theta;

	if (m == NULL || size < 9 * sizeof(int32_t))
		return 1;
	theta = -round(av_display_rotation_get(m));	/* clockwise degrees */
	if (isnan(theta))
		return 1;
	theta -= 360 * floor(theta / 360 + 0.9 / 360);
	if (fabs(theta - 90) < 1.0)
		return m[3] > 0 ? 5 : 6;	/* transposed, or turned clockwise */
	if (fabs(theta - 270) < 1.0)
		return m[3] < 0 ? 7 : 8;	/* transversed, or turned anti-clockwise */
	if (fabs(theta - 180) < 1.0)
	{
		if (m[0] < 0 && m[4] < 0)
			return 3;
		return m[0] < 0 ? 2 : (m[4] < 0 ? 4 : 1);
	}
	return 1;
}

/*
 * The width frame f is shown at: its stored width times its pixel aspect
 * ratio (from the frame, else the stream), when that ratio is sane.
 */
static int64_t
display_width(const AVFrame *f, const AVStream *st)
{
	AVRational	sar = av_guess_sample_aspect_ratio(NULL, (AVStream *) st, (AVFrame *) f);
	int64_t		w;

	if (sar.num <= 0 || sar.den <= 0 || sar.num == sar.den ||
		sar.num > 16 * (int64_t) sar.den || sar.den > 16 * (int64_t) sar.num)
		return f->width;
	w = av_rescale(f->width, sar.num, sar.den);
	return w < 1 ? 1 : w;
}

/*
 * Tells sws the source's YUV matrix (BT.601 when the stream does not say)
 * and full or video range, as the frame is tagged.
 */
static void
set_colorspace(struct SwsContext *sws, const AVFrame *f)
{
	int		   *inv;
	int		   *table;
	int			src_range;
	int			dst_range;
	int			brightness;
	int			contrast;
	int			saturation;
	int			cs = f->colorspace == AVCOL_SPC_UNSPECIFIED ? SWS_CS_DEFAULT : (int) f->colorspace;

	if (sws_getColorspaceDetails(sws, &inv, &src_range, &table, &dst_range,
								 &brightness, &contrast, &saturation) < 0)
		return;					/* an RGB source: nothing to say */
	if (f->color_range == AVCOL_RANGE_JPEG)
		src_range = 1;
	sws_setColorspaceDetails(sws, sws_getCoefficients(cs), src_range, table, dst_range,
							 brightness, contrast, saturation);
}

/* Feeds a frame to the sink; see video/internal.h. */
mm_img_status
mm_video_feed_frame(mm_img_ctx *ctx, const AVFrame *f, const AVStream *st, mm_img_sink *sink)
{
	const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(f->format);
	mm_img_header hdr;
	int64_t		dw = display_width(f, st);
	int			want_w;
	int			want_h;
	int			nch;
	size_t		stride;
	uint8_t    *px;
	struct SwsContext *sws;
	uint8_t    *dst[4] = {NULL, NULL, NULL, NULL};
	int			dst_stride[4] = {0, 0, 0, 0};
	int			rows;
	mm_img_status st_out;

	if (desc == NULL || !sws_isSupportedInput(f->format))
		return mm_img_fail(ctx, MM_IMG_UNSUPPORTED, "the video's pixel format %s cannot be converted",
						   desc != NULL ? desc->name : "(unknown)");
	if (mm_img_check_size(ctx, (uint64_t) dw, (uint64_t) f->height) != MM_IMG_OK ||
		mm_img_check_size(ctx, (uint64_t) f->width, (uint64_t) f->height) != MM_IMG_OK)
		return ctx->status;
	hdr.width = (int) dw;
	hdr.height = f->height;
	hdr.has_alpha = (desc->flags & AV_PIX_FMT_FLAG_ALPHA) != 0;
	hdr.orientation = display_orientation(st);
	if (sink->header(sink, &hdr, &want_w, &want_h) != MM_IMG_OK)
		return ctx->status;
	nch = hdr.has_alpha ? 4 : 3;
	stride = ((size_t) want_w * (size_t) nch + 63) & ~(size_t) 63;
	/* one spare row: swscale's vector code may write a little past the last */
	px = mm_img_alloc_array(ctx, (size_t) want_h + 1, stride);
	if (px == NULL)
		return ctx->status;
	sws = sws_getContext(f->width, f->height, f->format, want_w, want_h,
						 nch == 4 ? AV_PIX_FMT_RGBA : AV_PIX_FMT_RGB24,
						 SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT, NULL, NULL, NULL);
	if (sws == NULL)
	{
		mm_img_release(ctx, px);
		return mm_img_fail(ctx, MM_IMG_TOO_BIG, "no memory to convert the video frame");
	}
	set_colorspace(sws, f);
	dst[0] = px;
	dst_stride[0] = (int) stride;
	rows = sws_scale(sws, (const uint8_t *const *) f->data, f->linesize, 0, f->height, dst, dst_stride);
	sws_freeContext(sws);
	if (rows != want_h)
		st_out = mm_img_fail(ctx, MM_IMG_FAILED, "converting the video frame to RGB failed");
	else
		st_out = mm_img_feed_rows(ctx, sink, px, want_w, want_h, nch, stride);
	mm_img_release(ctx, px);
	return st_out;
}
