/*
 * image/geometry.c - the sizes of a transform: what the display image is
 * scaled to and which window of that is kept, for each resize mode.
 * Nothing is ever enlarged: a side never grows past the source's.
 */
#include "image/internal.h"

/*
 * The largest size with the aspect ratio of w x h (rounded to the nearest
 * pixel) that fits in box_w x box_h without enlarging; at least 1x1.
 */
static void
fit_box(uint64_t w, uint64_t h, uint64_t box_w, uint64_t box_h, int *tw, int *th)
{
	uint64_t	rw;
	uint64_t	rh;

	if (w <= box_w && h <= box_h)
	{
		rw = w;
		rh = h;
	}
	else if (w * box_h >= h * box_w)
	{
		rw = box_w;
		rh = (2 * h * box_w + w) / (2 * w);
	}
	else
	{
		rh = box_h;
		rw = (2 * w * box_h + h) / (2 * h);
	}
	if (rw < 1)
		rw = 1;
	if (rh < 1)
		rh = 1;
	*tw = (int) (rw > w ? w : rw);
	*th = (int) (rh > h ? h : rh);
}

/*
 * The smallest size with the aspect ratio of w x h (rounded) that covers
 * box_w x box_h, but no larger than w x h: the side that is relatively
 * shorter meets the box, the other overflows it.
 */
static void
cover_box(uint64_t w, uint64_t h, uint64_t box_w, uint64_t box_h, int *tw, int *th)
{
	uint64_t	rw;
	uint64_t	rh;

	if (w * box_h >= h * box_w)
	{
		/* wider than the box: the height meets it */
		rh = box_h < h ? box_h : h;
		rw = (2 * w * rh + h) / (2 * h);
	}
	else
	{
		rw = box_w < w ? box_w : w;
		rh = (2 * h * rw + w) / (2 * w);
	}
	if (rw < 1)
		rw = 1;
	if (rh < 1)
		rh = 1;
	*tw = (int) (rw > w ? w : rw);
	*th = (int) (rh > h ? h : rh);
}

/*
 * The geometry of resize mode r of a w x h display image to box_w x box_h:
 * *scaled_w x *scaled_h is what the image is resampled to, *crop_w x
 * *crop_h the window of it that is kept (the whole of it but for cover).
 */
void
mm_xform_geometry(int w, int h, int box_w, int box_h, mm_resize r,
				  int *scaled_w, int *scaled_h, int *crop_w, int *crop_h)
{
	switch (r)
	{
		case MM_RESIZE_COVER:
			cover_box((uint64_t) w, (uint64_t) h, (uint64_t) box_w, (uint64_t) box_h,
					  scaled_w, scaled_h);
			*crop_w = *scaled_w < box_w ? *scaled_w : box_w;
			*crop_h = *scaled_h < box_h ? *scaled_h : box_h;
			return;
		case MM_RESIZE_FILL:
			*scaled_w = w < box_w ? w : box_w;
			*scaled_h = h < box_h ? h : box_h;
			break;
		case MM_RESIZE_CONTAIN:
		default:
			fit_box((uint64_t) w, (uint64_t) h, (uint64_t) box_w, (uint64_t) box_h,
					scaled_w, scaled_h);
			break;
	}
	*crop_w = *scaled_w;
	*crop_h = *scaled_h;
}
