/*
 * image/resample.c - streaming downscaler: rows go in top to bottom, the
 * scaled image comes out as soon as each of its rows can be computed.
 *
 * Two stages, as libvips does it.  First an integer box reduction by
 * about half the scale factor on each axis (averaging fx x fy blocks, a
 * cheap anti-aliasing step that bounds the work of the second stage), then
 * a separable Lanczos-3 filter whose support is widened by the remaining
 * scale factor, so it low-passes properly while it downsamples.  Each box
 * row is filtered horizontally as soon as it is complete and kept in a
 * ring of as many rows as the vertical filter has taps; so memory is a few
 * rows, whatever the source height.  Pixels with alpha are premultiplied
 * before filtering so that transparent pixels do not bleed their color.
 * Samples are floats in 0..255; edges are extended (taps clamped).
 */
#include "image/internal.h"

#include <math.h>
#include <string.h>

#define MM_PI 3.14159265358979323846

/* The filter taps of one axis: out[i] = sum w[i][k] * in[start[i] + k]. */
typedef struct mm_axis
{
	int			n_out;
	int			maxtaps;
	int		   *start;
	int		   *count;
	float	   *w;				/* n_out rows of maxtaps weights */
} mm_axis;

struct mm_resampler
{
	mm_img_ctx *ctx;
	int			sw;
	int			sh;
	int			nch;
	int			dw;
	int			dh;
	int			fx;				/* box factors */
	int			fy;
	int			bw;				/* box-reduced size */
	int			bh;
	int			alpha;			/* index of the alpha channel, -1 if none */
	mm_axis		ax;
	mm_axis		ay;
	float	   *acc;			/* box row being summed, bw * nch */
	float	   *colw;			/* 1 / pixels per box column */
	float	   *ring;			/* ring rows of dw * nch */
	float	   *sum;			/* vertical accumulator, dw * nch */
	int			nring;
	int			in_y;			/* input rows received */
	int			acc_rows;		/* input rows in acc */
	int			box_y;			/* box rows made */
	int			out_y;			/* output rows made */
	uint8_t    *dst;
};

/* The Lanczos-3 kernel: sinc(x) sinc(x / 3) on |x| < 3. */
static double
lanczos3(double x)
{
	double		px;

	x = fabs(x);
	if (x < 1e-8)
		return 1.0;
	if (x >= 3.0)
		return 0.0;
	px = MM_PI * x;
	return 3.0 * sin(px) * sin(px / 3.0) / (px * px);
}

/*
 * Builds the taps mapping n_in samples to n_out, where scale is the
 * sampling step (>= 1) in input units.  Output i is centered on input
 * coordinate (i + 0.5) * scale - 0.5 - shift; the kernel is stretched by
 * scale;
 * taps outside the input are folded onto the edge sample; weights are
 * normalized to sum to 1.  An identity axis gets one tap of weight 1.
 */
static int
axis_init(mm_img_ctx *ctx, mm_axis *ax, int n_in, int n_out, double scale, double shift)
{
	int			identity = (n_in == n_out && fabs(scale - 1.0) < 1e-12 && fabs(shift) < 1e-12);
	double		support = 3.0 * (scale < 1.0 ? 1.0 : scale);
	double		kscale = scale < 1.0 ? 1.0 : scale;
	int			i;

	ax->n_out = n_out;
	ax->maxtaps = identity ? 1 : (int) ceil(2.0 * support) + 2;
	if (ax->maxtaps > n_in)
		ax->maxtaps = n_in;
	ax->start = mm_img_alloc_array(ctx, (size_t) n_out, sizeof(int));
	ax->count = mm_img_alloc_array(ctx, (size_t) n_out, sizeof(int));
	ax->w = mm_img_alloc_array(ctx, (size_t) n_out, (size_t) ax->maxtaps * sizeof(float));
	if (ax->start == NULL || ax->count == NULL || ax->w == NULL)
		return -1;
	for (i = 0; i < n_out; i++)
	{
		float	   *w = ax->w + (size_t) i * ax->maxtaps;
		double		center;
		double		total = 0.0;
		int			lo;
		int			hi;
		int			first;
		int			last;
		int			j;

		if (identity)
		{
			ax->start[i] = i;
			ax->count[i] = 1;
			w[0] = 1.0f;
			continue;
		}
		center = (i + 0.5) * scale - 0.5 - shift;
		lo = (int) ceil(center - support);
		hi = (int) floor(center + support);
		first = lo < 0 ? 0 : lo;
		last = hi > n_in - 1 ? n_in - 1 : hi;
		if (first > n_in - 1)
			first = n_in - 1;
		if (last < first)
			last = first;
		if (last - first + 1 > ax->maxtaps)
			last = first + ax->maxtaps - 1;
		memset(w, 0, (size_t) ax->maxtaps * sizeof(float));
		for (j = lo; j <= hi; j++)
		{
			double		k = lanczos3((j - center) / kscale);
			int			t = j < first ? first : (j > last ? last : j);

			w[t - first] += (float) k;
			total += k;
		}
		if (fabs(total) < 1e-9)
		{
			/* cannot happen with Lanczos-3, but never divide by zero */
			memset(w, 0, (size_t) ax->maxtaps * sizeof(float));
			j = (int) floor(center + 0.5);
			j = j < first ? first : (j > last ? last : j);
			w[j - first] = 1.0f;
			total = 1.0;
		}
		for (j = 0; j <= last - first; j++)
			w[j] = (float) (w[j] / total);
		ax->start[i] = first;
		ax->count[i] = last - first + 1;
	}
	return 0;
}

/* Frees the taps of an axis. */
static void
axis_free(mm_img_ctx *ctx, mm_axis *ax)
{
	mm_img_release(ctx, ax->start);
	mm_img_release(ctx, ax->count);
	mm_img_release(ctx, ax->w);
}

/*
 * The integer box factor for a scale factor: about half of it, so the
 * Lanczos stage still has a factor of 1.5-3 to work with (libvips' "gap"
 * of 2).
 */
static int
box_factor(double scale, int n_in)
{
	double		f = floor(scale / 2.0 + 0.5);

	if (f < 1.0)
		return 1;
	if (f > n_in)
		return n_in;
	return (int) f;
}

/*
 * The scale factor of one axis and the shift that centers the output on
 * the input.  Both axes use the same factor, the larger of the two, as
 * long as that overhangs the input by less than one output pixel (the
 * sizes only differ from the exact aspect ratio by rounding): so pixels
 * stay square and the rounding error is split evenly between the two
 * edges, as libvips does.  A size clamped far from the aspect ratio (a
 * 1-pixel side) gets its own factor.
 */
static void
axis_scale(int n_in, int n_out, double common, double *scale, double *shift)
{
	double		own = (double) n_in / n_out;
	double		over = n_out * common - n_in;

	if (common > own && over <= common)
	{
		*scale = common;
		*shift = over / 2.0;
	}
	else
	{
		*scale = own;
		*shift = 0.0;
	}
}

/*
 * Sets up scaling of sw x sh rows of nch channels to dw x dh (each at most
 * the source size), writing rows of dw * nch bytes into dst.
 */
mm_resampler *
mm_resample_new(mm_img_ctx *ctx, int sw, int sh, int nch, int dw, int dh, uint8_t *dst)
{
	mm_resampler *r;
	double		common;
	double		sx;
	double		sy;
	double		shx;
	double		shy;
	int			i;

	if (sw < 1 || sh < 1 || dw < 1 || dh < 1 || dw > sw || dh > sh || nch < 1 || nch > 4)
	{
		mm_img_fail(ctx, MM_IMG_FAILED, "bad resampling request %dx%d -> %dx%d",
					sw, sh, dw, dh);
		return NULL;
	}
	r = mm_img_zalloc(ctx, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->ctx = ctx;
	r->sw = sw;
	r->sh = sh;
	r->nch = nch;
	r->dw = dw;
	r->dh = dh;
	r->dst = dst;
	r->alpha = (nch == 2 || nch == 4) ? nch - 1 : -1;
	common = (double) sw / dw > (double) sh / dh ? (double) sw / dw : (double) sh / dh;
	axis_scale(sw, dw, common, &sx, &shx);
	axis_scale(sh, dh, common, &sy, &shy);
	r->fx = box_factor(sx, sw);
	r->fy = box_factor(sy, sh);
	r->bw = (sw + r->fx - 1) / r->fx;
	r->bh = (sh + r->fy - 1) / r->fy;
	/* box pixel k is centered on input k * f + (f - 1) / 2 */
	if (axis_init(ctx, &r->ax, r->bw, dw, sx / r->fx, shx / r->fx) != 0 ||
		axis_init(ctx, &r->ay, r->bh, dh, sy / r->fy, shy / r->fy) != 0)
		goto fail;
	r->nring = r->ay.maxtaps;
	r->acc = mm_img_alloc_array(ctx, (size_t) r->bw * nch, sizeof(float));
	r->colw = mm_img_alloc_array(ctx, (size_t) r->bw, sizeof(float));
	r->ring = mm_img_alloc_array(ctx, (size_t) r->nring * dw * nch, sizeof(float));
	r->sum = mm_img_alloc_array(ctx, (size_t) dw * nch, sizeof(float));
	if (r->acc == NULL || r->colw == NULL || r->ring == NULL || r->sum == NULL)
		goto fail;
	memset(r->acc, 0, (size_t) r->bw * nch * sizeof(float));
	for (i = 0; i < r->bw; i++)
	{
		int			n = (i == r->bw - 1) ? sw - i * r->fx : r->fx;

		r->colw[i] = 1.0f / (float) n;
	}
	return r;

fail:
	mm_resample_free(r);
	return NULL;
}

/*
 * Adds one input row to the box accumulator, premultiplying color by
 * alpha when there is alpha.  Box columns are walked block by block so the
 * inner loops have no division.
 */
static void
accumulate(mm_resampler *r, const uint8_t *row)
{
	int			nch = r->nch;
	int			fx = r->fx;
	float	   *acc = r->acc;
	int			bx;
	int			x = 0;
	int			c;

	if (r->alpha < 0 && fx == 1)
	{
		size_t		n = (size_t) r->sw * nch;
		size_t		k;

		for (k = 0; k < n; k++)
			acc[k] += row[k];
		return;
	}
	for (bx = 0; bx < r->bw; bx++)
	{
		float	   *a = acc + (size_t) bx * nch;
		int			end = x + fx > r->sw ? r->sw : x + fx;

		for (; x < end; x++)
		{
			const uint8_t *p = row + (size_t) x * nch;

			if (r->alpha < 0)
			{
				for (c = 0; c < nch; c++)
					a[c] += p[c];
			}
			else
			{
				float		alpha = p[nch - 1];
				float		m = alpha * (1.0f / 255.0f);

				for (c = 0; c < nch - 1; c++)
					a[c] += p[c] * m;
				a[nch - 1] += alpha;
			}
		}
	}
}

/*
 * Filters the finished box row horizontally into ring slot box_y and
 * clears the accumulator.
 */
static void
filter_row(mm_resampler *r)
{
	int			nch = r->nch;
	float	   *acc = r->acc;
	float	   *out = r->ring + (size_t) (r->box_y % r->nring) * r->dw * nch;
	float		rows = 1.0f / (float) r->acc_rows;
	int			i;
	int			c;

	for (i = 0; i < r->bw; i++)
	{
		float		m = r->colw[i] * rows;

		for (c = 0; c < nch; c++)
			acc[(size_t) i * nch + c] *= m;
	}
	for (i = 0; i < r->dw; i++)
	{
		const float *w = r->ax.w + (size_t) i * r->ax.maxtaps;
		const float *in = acc + (size_t) r->ax.start[i] * nch;
		int			n = r->ax.count[i];
		float		s[4] = {0, 0, 0, 0};
		int			k;

		switch (nch)
		{
			case 1:
				for (k = 0; k < n; k++)
					s[0] += w[k] * in[k];
				break;
			case 2:
				for (k = 0; k < n; k++)
				{
					s[0] += w[k] * in[2 * k];
					s[1] += w[k] * in[2 * k + 1];
				}
				break;
			case 3:
				for (k = 0; k < n; k++)
				{
					s[0] += w[k] * in[3 * k];
					s[1] += w[k] * in[3 * k + 1];
					s[2] += w[k] * in[3 * k + 2];
				}
				break;
			default:
				for (k = 0; k < n; k++)
				{
					s[0] += w[k] * in[4 * k];
					s[1] += w[k] * in[4 * k + 1];
					s[2] += w[k] * in[4 * k + 2];
					s[3] += w[k] * in[4 * k + 3];
				}
				break;
		}
		for (c = 0; c < nch; c++)
			out[(size_t) i * nch + c] = s[c];
	}
	memset(acc, 0, (size_t) r->bw * nch * sizeof(float));
	r->acc_rows = 0;
	r->box_y++;
}

/* Rounds a filtered sample into 0..255. */
static inline uint8_t
to_byte(float v)
{
	if (!(v > 0.0f))
		return 0;
	if (v >= 255.0f)
		return 255;
	return (uint8_t) (v + 0.5f);
}

/*
 * Computes output row out_y from the ring (its taps are all there) and
 * writes it to dst, un-premultiplying alpha.
 */
static void
emit_row(mm_resampler *r)
{
	int			nch = r->nch;
	size_t		n = (size_t) r->dw * nch;
	const float *w = r->ay.w + (size_t) r->out_y * r->ay.maxtaps;
	int			first = r->ay.start[r->out_y];
	int			count = r->ay.count[r->out_y];
	float	   *sum = r->sum;
	uint8_t    *dst = r->dst + (size_t) r->out_y * n;
	size_t		i;
	int			k;

	memset(sum, 0, n * sizeof(float));
	for (k = 0; k < count; k++)
	{
		const float *row = r->ring + (size_t) ((first + k) % r->nring) * n;
		float		wk = w[k];

		for (i = 0; i < n; i++)
			sum[i] += wk * row[i];
	}
	if (r->alpha < 0)
	{
		for (i = 0; i < n; i++)
			dst[i] = to_byte(sum[i]);
	}
	else
	{
		for (i = 0; i < n; i += nch)
		{
			float		a = sum[i + nch - 1];
			int			c;

			if (a < 0.5f)
			{
				memset(dst + i, 0, nch);
				continue;
			}
			if (a > 255.0f)
				a = 255.0f;
			for (c = 0; c < nch - 1; c++)
				dst[i + c] = to_byte(sum[i + c] * 255.0f / a);
			dst[i + nch - 1] = to_byte(a);
		}
	}
	r->out_y++;
}

/*
 * Takes the next input row (sw * nch bytes) and writes every output row
 * that it completes.  Extra rows past sh are ignored.
 */
mm_img_status
mm_resample_row(mm_resampler *r, const uint8_t *row)
{
	if (r->in_y >= r->sh)
		return MM_IMG_OK;
	accumulate(r, row);
	r->in_y++;
	r->acc_rows++;
	if (r->acc_rows < r->fy && r->in_y < r->sh)
		return MM_IMG_OK;
	filter_row(r);
	while (r->out_y < r->dh &&
		   r->ay.start[r->out_y] + r->ay.count[r->out_y] <= r->box_y)
	{
		if (mm_img_poll(r->ctx))
			return r->ctx->status;
		emit_row(r);
	}
	return MM_IMG_OK;
}

/* Whether every output row has been written. */
int
mm_resample_done(const mm_resampler *r)
{
	return r->out_y == r->dh;
}

/* Frees the resampler (not dst). */
void
mm_resample_free(mm_resampler *r)
{
	mm_img_ctx *ctx;

	if (r == NULL)
		return;
	ctx = r->ctx;
	axis_free(ctx, &r->ax);
	axis_free(ctx, &r->ay);
	mm_img_release(ctx, r->acc);
	mm_img_release(ctx, r->colw);
	mm_img_release(ctx, r->ring);
	mm_img_release(ctx, r->sum);
	mm_img_release(ctx, r);
}
