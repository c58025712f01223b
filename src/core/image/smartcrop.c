/*
 * image/smartcrop.c - which window of a scaled image cover keeps.
 *
 * centre: the middle.  attention: the method of libvips' vips_smartcrop
 * (itself from sharp): each pixel scores the Sobel edge strength of its
 * CIE L*, plus 255 for a skin tone (a* 3..22, b* 4..31, L* >= 15), plus 255
 * for a saturated colour (chroma above 60); the scores are averaged into a
 * 32 x 32 grid, blurred with a Gaussian as wide as a sixth of the crop's
 * diagonal in grid cells, and the window is centred on the best cell
 * (clamped to the image).  entropy: libvips' method too: trim slices off
 * the sides in about eight steps per axis, each time dropping the slice of
 * the two opposite ones whose luma histogram has the lower entropy.
 */
#include "image/internal.h"

#include <math.h>
#include <string.h>

#define GRID 32

/* sRGB 8-bit to linear light, built once per call (256 entries). */
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

/* CIE L*a*b* (D65) of a pixel of nch channels (gray for 1 or 2). */
static void
pixel_lab(const float *lin, const uint8_t *p, int nch, double *L, double *a, double *b)
{
	double		r = lin[p[0]];
	double		g = nch >= 3 ? lin[p[1]] : r;
	double		bl = nch >= 3 ? lin[p[2]] : r;
	double		fx = lab_f((0.4124 * r + 0.3576 * g + 0.1805 * bl) / 0.95047);
	double		fy = lab_f(0.2126 * r + 0.7152 * g + 0.0722 * bl);
	double		fz = lab_f((0.0193 * r + 0.1192 * g + 0.9505 * bl) / 1.08883);

	*L = 116.0 * fy - 16.0;
	*a = 500.0 * (fx - fy);
	*b = 200.0 * (fy - fz);
}

/* The attention grid: cell sums of the scores and their pixel counts. */
typedef struct grid
{
	int			gw;
	int			gh;
	double		sum[GRID * GRID];
	double		count[GRID * GRID];
} grid;

/* The grid cell of pixel x, y of a w x h image. */
static int
cell_of(const grid *gr, int x, int y, int w, int h)
{
	return (int) ((int64_t) y * gr->gh / h) * gr->gw + (int) ((int64_t) x * gr->gw / w);
}

/*
 * Scores every pixel (Lab skin and saturation, then Sobel edges of L*) into
 * the grid.  L holds w * h floats of scratch.
 */
static mm_img_status
score_pixels(mm_img_ctx *ctx, const mm_raster *img, float *L, grid *gr)
{
	float		lin[256];
	int			x;
	int			y;

	build_linear(lin);
	for (y = 0; y < img->h; y++)
	{
		const uint8_t *row = img->px + (size_t) y * img->w * img->nch;

		if (mm_img_poll(ctx))
			return ctx->status;
		for (x = 0; x < img->w; x++)
		{
			double		l;
			double		a;
			double		b;
			double		s = 0.0;
			int			c = cell_of(gr, x, y, img->w, img->h);

			pixel_lab(lin, row + (size_t) x * img->nch, img->nch, &l, &a, &b);
			L[(size_t) y * img->w + x] = (float) l;
			if (a >= 3.0 && a <= 22.0 && b >= 4.0 && b <= 31.0 && l >= 15.0)
				s += 255.0;
			if (a * a + b * b > 60.0 * 60.0)
				s += 255.0;
			gr->sum[c] += s;
			gr->count[c] += 1.0;
		}
	}
	for (y = 0; y < img->h; y++)
	{
		int			ym = y > 0 ? y - 1 : 0;
		int			yp = y < img->h - 1 ? y + 1 : y;
		const float *r0 = L + (size_t) ym * img->w;
		const float *r1 = L + (size_t) y * img->w;
		const float *r2 = L + (size_t) yp * img->w;

		if (mm_img_poll(ctx))
			return ctx->status;
		for (x = 0; x < img->w; x++)
		{
			int			xm = x > 0 ? x - 1 : 0;
			int			xp = x < img->w - 1 ? x + 1 : x;
			double		gx = (r0[xp] + 2.0 * r1[xp] + r2[xp]) - (r0[xm] + 2.0 * r1[xm] + r2[xm]);
			double		gy = (r2[xm] + 2.0 * r2[x] + r2[xp]) - (r0[xm] + 2.0 * r0[x] + r0[xp]);

			gr->sum[cell_of(gr, x, y, img->w, img->h)] += fabs(gx) + fabs(gy);
		}
	}
	return MM_IMG_OK;
}

/* Blurs v (gw x gh) with a Gaussian of sigma cells, edges extended. */
static void
blur_grid(double *v, int gw, int gh, double sigma)
{
	double		k[GRID * 3 + 1];
	double		tmp[GRID * GRID];
	int			radius = (int) ceil(3.0 * sigma);
	int			i;
	int			x;
	int			y;
	int			pass;

	if (radius > GRID * 3)
		radius = GRID * 3;
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

/* Clamps the start of a window of size win centred on centre into 0..n-win. */
static int
clamp_window(double centre, int win, int n)
{
	double		start = floor(centre - win / 2.0 + 0.5);

	if (start > n - win)
		start = n - win;
	if (start < 0)
		start = 0;
	return (int) start;
}

/* The attention window; see the top of this file. */
static mm_img_status
crop_attention(mm_img_ctx *ctx, const mm_raster *img, int cw, int ch, int *left, int *top)
{
	grid	   *gr = mm_img_alloc(ctx, sizeof(grid));
	float	   *L = mm_img_alloc_array(ctx, (size_t) img->w * img->h, sizeof(float));
	mm_img_status st = ctx->status;
	double		cell_w;
	double		cell_h;
	int			best = 0;
	int			i;

	if (gr != NULL && L != NULL)
	{
		memset(gr, 0, sizeof(*gr));
		gr->gw = img->w < GRID ? img->w : GRID;
		gr->gh = img->h < GRID ? img->h : GRID;
		st = score_pixels(ctx, img, L, gr);
	}
	if (st == MM_IMG_OK)
	{
		cell_w = (double) img->w / gr->gw;
		cell_h = (double) img->h / gr->gh;
		for (i = 0; i < gr->gw * gr->gh; i++)
			gr->sum[i] = gr->count[i] > 0 ? gr->sum[i] / gr->count[i] : 0.0;
		blur_grid(gr->sum, gr->gw, gr->gh,
				  fmax(sqrt(pow(cw / cell_w, 2) + pow(ch / cell_h, 2)) / 6.0, 0.5));
		for (i = 1; i < gr->gw * gr->gh; i++)
		{
			if (gr->sum[i] > gr->sum[best])
				best = i;
		}
		*left = clamp_window(((best % gr->gw) + 0.5) * cell_w, cw, img->w);
		*top = clamp_window(((best / gr->gw) + 0.5) * cell_h, ch, img->h);
	}
	mm_img_release(ctx, L);
	mm_img_release(ctx, gr);
	return st;
}

/* The luma of each pixel of img into Y (w * h bytes). */
static void
luma_map(const mm_raster *img, uint8_t *Y)
{
	size_t		n = (size_t) img->w * img->h;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		const uint8_t *p = img->px + i * img->nch;

		Y[i] = img->nch >= 3 ? (uint8_t) ((p[0] * 299 + p[1] * 587 + p[2] * 114 + 500) / 1000) : p[0];
	}
}

/* The Shannon entropy (bits) of the luma histogram of a w x h area at x, y. */
static double
area_entropy(const uint8_t *Y, int stride, int x, int y, int w, int h)
{
	uint32_t	hist[256];
	double		n = (double) w * h;
	double		e = 0.0;
	int			i;
	int			j;

	memset(hist, 0, sizeof(hist));
	for (j = 0; j < h; j++)
	{
		const uint8_t *row = Y + (size_t) (y + j) * stride + x;

		for (i = 0; i < w; i++)
			hist[row[i]]++;
	}
	for (i = 0; i < 256; i++)
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
	uint8_t    *Y = mm_img_alloc(ctx, (size_t) img->w * img->h);
	int			w = img->w;
	int			h = img->h;
	int			dw = img->w - cw;
	int			dh = img->h - ch;
	int			step = dw > dh ? dw : dh;

	*left = 0;
	*top = 0;
	if (Y == NULL)
		return ctx->status;
	luma_map(img, Y);
	step = (step + 7) / 8;
	while (w > cw || h > ch)
	{
		int			sw = w - cw < step ? w - cw : step;
		int			sh = h - ch < step ? h - ch : step;

		if (mm_img_poll(ctx))
			break;
		if (sw > 0)
		{
			double		l = area_entropy(Y, img->w, *left, *top, sw, h);
			double		r = area_entropy(Y, img->w, *left + w - sw, *top, sw, h);

			w -= sw;
			if (l < r)
				*left += sw;
		}
		if (sh > 0)
		{
			double		t = area_entropy(Y, img->w, *left, *top, w, sh);
			double		b = area_entropy(Y, img->w, *left, *top + h - sh, w, sh);

			h -= sh;
			if (t < b)
				*top += sh;
		}
	}
	mm_img_release(ctx, Y);
	return ctx->status;
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
