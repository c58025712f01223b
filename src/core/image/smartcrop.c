/*
 * image/smartcrop.c - which window of a scaled image cover keeps.
 *
 * centre: the middle.  attention and entropy follow libvips'
 * vips_smartcrop (8.14, the version Debian ships, itself from sharp and
 * smartcrop.js), so a cover crop keeps what vipsthumbnail --smartcrop keeps:
 *
 * attention: the image is shrunk to 32 x 32 (the precision of the
 * placement) and each of those pixels scores, where it is not dark (CIE Y
 * above 5): five times the absolute Laplacian of Y (edges), 100 less 100
 * times the distance of its normalised XYZ colour from a skin tone, and its
 * CIE a* (red saturation).  The scores are blurred with a Gaussian whose
 * sigma is a tenth of the crop's diagonal in grid pixels (at least 1), and
 * the window is centred on the best pixel, clamped to the image.
 *
 * entropy: slices are trimmed off the sides in about eight steps on the
 * axis that needs the most, each time dropping the one of two opposite
 * slices whose histogram (all channels together) has the lower entropy.
 *
 * Alpha is premultiplied first, as libvips does, so what is transparent
 * draws no attention.
 */
#include "image/internal.h"

#include <math.h>
#include <string.h>

#define GRID 32

/* sRGB 8-bit to linear light (0..1), built once per call (256 entries). */
static void
build_linear(float *lin)
{
	int			i;

	for (i = 0; i < 256; i++)
	{
		double		c = i / 255.0;

		lin[i] = (float) (c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4));
	}
}

/* The CIE L*a*b* f() of a ratio to the white point. */
static double
lab_f(double t)
{
	return t > 0.008856 ? cbrt(t) : 7.787 * t + 16.0 / 116.0;
}

/* A pixel's colour (premultiplied by its alpha) as 8-bit R, G, B. */
static void
pixel_rgb(const uint8_t *p, int nch, uint8_t rgb[3])
{
	uint8_t		c[4];
	int			k;

	mm_px_rgba(p, nch, c);
	for (k = 0; k < 3; k++)
		rgb[k] = (uint8_t) ((c[k] * c[3] + 127) / 255);
}

/*
 * The attention score of each pixel of the small image (gw x gh, nch
 * channels) before the edges are added: skin and red saturation, 0 where
 * it is dark.  Y gets the pixels' CIE Y (0..100).
 */
static void
score_colours(const uint8_t *px, int gw, int gh, int nch, double *score, double *Y)
{
	static const double skin[3] = {0.78, 0.57, 0.44};
	float		lin[256];
	int			i;

	build_linear(lin);
	for (i = 0; i < gw * gh; i++)
	{
		uint8_t		c[3];
		double		r,
					g,
					b,
					X,
					Z,
					norm,
					d = 0.0;
		int			k;

		pixel_rgb(px + (size_t) i * nch, nch, c);
		r = lin[c[0]];
		g = lin[c[1]];
		b = lin[c[2]];
		X = 100.0 * (0.4124 * r + 0.3576 * g + 0.1805 * b);
		Y[i] = 100.0 * (0.2126 * r + 0.7152 * g + 0.0722 * b);
		Z = 100.0 * (0.0193 * r + 0.1192 * g + 0.9505 * b);
		score[i] = 0.0;
		if (Y[i] <= 5.0)
			continue;
		norm = sqrt(X * X + Y[i] * Y[i] + Z * Z);
		for (k = 0; k < 3; k++)
		{
			double		v = (k == 0 ? X : (k == 1 ? Y[i] : Z)) / norm - skin[k];

			d += v * v;
		}
		/* skin tone, then CIE a* */
		score[i] = 100.0 - 100.0 * sqrt(d) +
			500.0 * (lab_f(X / 95.047) - lab_f(Y[i] / 100.0));
	}
}

/* Adds five times the absolute Laplacian of Y (edges extended) where it is not dark. */
static void
score_edges(const double *Y, int gw, int gh, double *score)
{
	int			x;
	int			y;

	for (y = 0; y < gh; y++)
		for (x = 0; x < gw; x++)
		{
			double		c = Y[y * gw + x];
			double		lap = 4.0 * c - Y[(y > 0 ? y - 1 : y) * gw + x] -
				Y[(y < gh - 1 ? y + 1 : y) * gw + x] - Y[y * gw + (x > 0 ? x - 1 : x)] -
				Y[y * gw + (x < gw - 1 ? x + 1 : x)];

			score[y * gw + x] += fabs(5.0 * lap);
		}
}

/*
 * Blurs v (gw x gh) with a Gaussian of sigma pixels, edges extended.  The
 * kernel stops where it falls below a fifth of its peak, as libvips'
 * gaussblur does by default (min_ampl 0.2).
 */
static void
blur_grid(double *v, int gw, int gh, double sigma)
{
	double		k[GRID + 1];
	double		tmp[GRID * GRID];
	int			radius = 0;
	int			i;
	int			x;
	int			y;
	int			pass;

	while (radius < GRID && exp(-(double) (radius + 1) * (radius + 1) / (2.0 * sigma * sigma)) >= 0.2)
		radius++;
	for (i = 0; i <= radius; i++)
		k[i] = exp(-(double) i * i / (2.0 * sigma * sigma));
	for (pass = 0; pass < 2; pass++)
	{
		for (y = 0; y < gh; y++)
		{
			for (x = 0; x < gw; x++)
			{
				double		acc = 0.0;
				double		norm = 0.0;

				for (i = -radius; i <= radius; i++)
				{
					int			xx = pass == 0 ? x + i : x;
					int			yy = pass == 0 ? y : y + i;

					xx = xx < 0 ? 0 : (xx >= gw ? gw - 1 : xx);
					yy = yy < 0 ? 0 : (yy >= gh ? gh - 1 : yy);
					acc += k[i < 0 ? -i : i] * v[yy * gw + xx];
					norm += k[i < 0 ? -i : i];
				}
				tmp[y * gw + x] = acc / norm;
			}
		}
		memcpy(v, tmp, sizeof(double) * gw * gh);
	}
}

/* The start of a window of size win centred on centre, clamped into 0..n-win. */
static int
clamp_window(int centre, int win, int n)
{
	int			start = centre - win / 2;

	if (start > n - win)
		start = n - win;
	return start < 0 ? 0 : start;
}

/* Shrinks img to gw x gh (the core's resampler) into small. */
static mm_img_status
shrink_image(mm_img_ctx *ctx, const mm_raster *img, int gw, int gh, uint8_t *small)
{
	mm_resampler *rs = mm_resample_new(ctx, img->w, img->h, img->nch, gw, gh, small);
	mm_img_status st = ctx->status;
	int			y;

	for (y = 0; rs != NULL && y < img->h && st == MM_IMG_OK; y++)
		st = mm_resample_row(rs, img->px + (size_t) y * img->w * img->nch);
	mm_resample_free(rs);
	return rs == NULL ? ctx->status : st;
}

/* The attention window; see the top of this file. */
static mm_img_status
crop_attention(mm_img_ctx *ctx, const mm_raster *img, int cw, int ch, int *left, int *top)
{
	int			gw = img->w < GRID ? img->w : GRID;
	int			gh = img->h < GRID ? img->h : GRID;
	double		hscale = (double) gw / img->w;
	double		vscale = (double) gh / img->h;
	uint8_t		small[GRID * GRID * 4];
	double		score[GRID * GRID];
	double		Y[GRID * GRID];
	int			best = 0;
	int			i;

	if (shrink_image(ctx, img, gw, gh, small) != MM_IMG_OK)
		return ctx->status;
	score_colours(small, gw, gh, img->nch, score, Y);
	score_edges(Y, gw, gh, score);
	blur_grid(score, gw, gh, fmax(sqrt(pow(cw * hscale, 2) + pow(ch * vscale, 2)) / 10.0, 1.0));
	for (i = 1; i < gw * gh; i++)
	{
		if (score[i] > score[best])
			best = i;
	}
	*left = clamp_window((int) ((best % gw) / hscale), cw, img->w);
	*top = clamp_window((int) ((best / gw) / vscale), ch, img->h);
	return MM_IMG_OK;
}

/*
 * The Shannon entropy (bits) of the histogram of the w x h area at x, y,
 * all channels in one histogram (colour premultiplied by alpha).
 */
static double
area_entropy(const mm_raster *img, int x, int y, int w, int h)
{
	uint32_t	hist[4 * 256];
	double		n = (double) w * h * img->nch;
	double		e = 0.0;
	int			alpha = img->nch == 2 || img->nch == 4;
	int			i;
	int			j;
	int			k;

	memset(hist, 0, sizeof(hist));
	for (j = 0; j < h; j++)
	{
		const uint8_t *p = img->px + ((size_t) (y + j) * img->w + x) * img->nch;

		for (i = 0; i < w; i++, p += img->nch)
			for (k = 0; k < img->nch; k++)
			{
				unsigned	v = p[k];

				if (alpha && k < img->nch - 1)
					v = (v * p[img->nch - 1] + 127) / 255;
				hist[k * 256 + v]++;
			}
	}
	for (i = 0; i < 256 * img->nch; i++)
	{
		if (hist[i] > 0)
		{
			double		p = hist[i] / n;

			e -= p * log2(p);
		}
	}
	return e;
}

/* The entropy window; see the top of this file. */
static mm_img_status
crop_entropy(mm_img_ctx *ctx, const mm_raster *img, int cw, int ch, int *left, int *top)
{
	int			w = img->w;
	int			h = img->h;
	int			dw = img->w - cw;
	int			dh = img->h - ch;
	int			step = ((dw > dh ? dw : dh) + 7) / 8;

	*left = 0;
	*top = 0;
	while (w > cw || h > ch)
	{
		int			sw = w - cw < step ? w - cw : step;
		int			sh = h - ch < step ? h - ch : step;

		if (mm_img_poll(ctx))
			return ctx->status;
		if (sw > 0)
		{
			double		l = area_entropy(img, *left, *top, sw, h);
			double		r = area_entropy(img, *left + w - sw, *top, sw, h);

			w -= sw;
			if (l < r)
				*left += sw;
		}
		if (sh > 0)
		{
			double		t = area_entropy(img, *left, *top, w, sh);
			double		b = area_entropy(img, *left, *top + h - sh, w, sh);

			h -= sh;
			if (t < b)
				*top += sh;
		}
	}
	return MM_IMG_OK;
}

/* Chooses the window; see image/internal.h. */
mm_img_status
mm_crop_choose(mm_img_ctx *ctx, const mm_raster *img, int crop_w, int crop_h,
			   mm_gravity g, int *left, int *top)
{
	*left = (img->w - crop_w) / 2;
	*top = (img->h - crop_h) / 2;
	if (crop_w >= img->w && crop_h >= img->h)
		return MM_IMG_OK;
	if (g == MM_GRAVITY_ATTENTION)
		return crop_attention(ctx, img, crop_w, crop_h, left, top);
	if (g == MM_GRAVITY_ENTROPY)
		return crop_entropy(ctx, img, crop_w, crop_h, left, top);
	return MM_IMG_OK;
}

/* Keeps a window of img in place; see image/internal.h. */
void
mm_img_crop(mm_raster *img, int left, int top, int crop_w, int crop_h)
{
	size_t		rowlen = (size_t) crop_w * img->nch;
	int			y;

	for (y = 0; y < crop_h; y++)
		memmove(img->px + (size_t) y * rowlen,
				img->px + ((size_t) (top + y) * img->w + left) * img->nch, rowlen);
	img->w = crop_w;
	img->h = crop_h;
}
