/*
 * image/thumbhash.c - ThumbHash encoding and decoding, the dominant colour,
 * and the placeholder as a PNG.
 *
 * ThumbHash keeps a small DCT of the image in four channels (luminance L,
 * yellow-blue P, red-green Q, alpha A), DC terms and scales in a 5- or
 * 6-byte header and each AC term in four bits.  The arithmetic follows the
 * format's reference (npm "thumbhash") step by step, in double precision
 * and with JavaScript's rounding (half up), so the same pixels give the same
 * bytes; the unit test compares with that package when node has it.
 */
#include "image/thumbhash.h"

#include <math.h>
#include <string.h>

#include "image/internal.h"

#define TH_PI 3.14159265358979323846

/* Math.round: halves go up (C's round() takes them away from zero). */
static int
js_round(double x)
{
	return (int) floor(x + 0.5);
}

/* The image being encoded, with its alpha-weighted average colour. */
typedef struct th_image
{
	int			w;
	int			h;
	const uint8_t *rgba;
	double		avg[3];
} th_image;

/*
 * Channel ch (0 L, 1 P, 2 Q, 3 A) of pixel i, the pixel first composited
 * over the average colour, as the reference does.
 */
static double
channel_at(const th_image *im, int i, int ch)
{
	const uint8_t *p = im->rgba + (size_t) i * 4;
	double		alpha = p[3] / 255.0;
	double		r = im->avg[0] * (1 - alpha) + alpha / 255 * p[0];
	double		g = im->avg[1] * (1 - alpha) + alpha / 255 * p[1];
	double		b = im->avg[2] * (1 - alpha) + alpha / 255 * p[2];

	switch (ch)
	{
		case 0:
			return (r + g + b) / 3;
		case 1:
			return (r + g) / 2 - b;
		case 2:
			return r - g;
		default:
			return alpha;
	}
}

/* The DCT terms of one channel: the DC term, the AC terms scaled to 0..1, and their scale. */
typedef struct th_channel
{
	double		dc;
	double		ac[32];
	int			n_ac;
	double		scale;
} th_channel;

/* Encodes channel ch over an nx x ny triangle of frequencies. */
static void
encode_channel(const th_image *im, int ch, int nx, int ny, th_channel *out)
{
	double		fx[MM_THUMBHASH_MAX_SIDE];

	memset(out, 0, sizeof(*out));
	for (int cy = 0; cy < ny; cy++)
	{
		for (int cx = 0; cx * ny < nx * (ny - cy); cx++)
		{
			double		f = 0;

			for (int x = 0; x < im->w; x++)
				fx[x] = cos(TH_PI / im->w * cx * (x + 0.5));
			for (int y = 0; y < im->h; y++)
			{
				double		fy = cos(TH_PI / im->h * cy * (y + 0.5));

				for (int x = 0; x < im->w; x++)
					f += channel_at(im, x + y * im->w, ch) * fx[x] * fy;
			}
			f /= (double) im->w * im->h;
			if (cx || cy)
			{
				out->ac[out->n_ac++] = f;
				out->scale = fmax(out->scale, fabs(f));
			}
			else
				out->dc = f;
		}
	}
	if (out->scale > 0)
		for (int i = 0; i < out->n_ac; i++)
			out->ac[i] = 0.5 + 0.5 / out->scale * out->ac[i];
}

/* Packs the AC terms of c into four-bit slots after the header. */
static void
put_ac(uint8_t *hash, int start, int *index, const th_channel *c)
{
	for (int i = 0; i < c->n_ac; i++, (*index)++)
		hash[start + (*index >> 1)] |= (uint8_t) (js_round(15 * c->ac[i]) << ((*index & 1) << 2));
}

size_t
mm_thumbhash_encode(int w, int h, const uint8_t *rgba, uint8_t hash[MM_THUMBHASH_MAX_LEN])
{
	th_image	im = {w, h, rgba, {0, 0, 0}};
	double		avg_a = 0;
	int			has_alpha,
				l_limit,
				lx,
				ly,
				landscape,
				start,
				index = 0;
	long		header24,
				header16;
	th_channel	l,
				p,
				q,
				a;

	if (w < 1 || h < 1 || w > MM_THUMBHASH_MAX_SIDE || h > MM_THUMBHASH_MAX_SIDE || !rgba)
		return 0;
	for (int i = 0; i < w * h; i++)
	{
		double		alpha = rgba[i * 4 + 3] / 255.0;

		im.avg[0] += alpha / 255 * rgba[i * 4];
		im.avg[1] += alpha / 255 * rgba[i * 4 + 1];
		im.avg[2] += alpha / 255 * rgba[i * 4 + 2];
		avg_a += alpha;
	}
	if (avg_a > 0)
		for (int c = 0; c < 3; c++)
			im.avg[c] /= avg_a;

	has_alpha = avg_a < w * h;
	l_limit = has_alpha ? 5 : 7;	/* fewer luminance terms when alpha needs room */
	lx = js_round((double) l_limit * w / (w > h ? w : h));
	ly = js_round((double) l_limit * h / (w > h ? w : h));
	lx = lx < 1 ? 1 : lx;
	ly = ly < 1 ? 1 : ly;
	encode_channel(&im, 0, lx < 3 ? 3 : lx, ly < 3 ? 3 : ly, &l);
	encode_channel(&im, 1, 3, 3, &p);
	encode_channel(&im, 2, 3, 3, &q);
	if (has_alpha)
		encode_channel(&im, 3, 5, 5, &a);

	landscape = w > h;
	header24 = js_round(63 * l.dc) | (js_round(31.5 + 31.5 * p.dc) << 6) |
		(js_round(31.5 + 31.5 * q.dc) << 12) | (js_round(31 * l.scale) << 18) | ((long) has_alpha << 23);
	header16 = (landscape ? ly : lx) | (js_round(63 * p.scale) << 3) |
		(js_round(63 * q.scale) << 9) | ((long) landscape << 15);
	memset(hash, 0, MM_THUMBHASH_MAX_LEN);
	hash[0] = (uint8_t) header24;
	hash[1] = (uint8_t) (header24 >> 8);
	hash[2] = (uint8_t) (header24 >> 16);
	hash[3] = (uint8_t) header16;
	hash[4] = (uint8_t) (header16 >> 8);
	start = has_alpha ? 6 : 5;
	if (has_alpha)
		hash[5] = (uint8_t) (js_round(15 * a.dc) | (js_round(15 * a.scale) << 4));
	put_ac(hash, start, &index, &l);
	put_ac(hash, start, &index, &p);
	put_ac(hash, start, &index, &q);
	if (has_alpha)
		put_ac(hash, start, &index, &a);
	return (size_t) (start + (index + 1) / 2);
}

/* How many AC terms an nx x ny triangle holds (the encoder's loop, minus the DC term). */
static int
ac_count(int nx, int ny)
{
	int			n = 0;

	for (int cy = 0; cy < ny; cy++)
		for (int cx = cy ? 0 : 1; cx * ny < nx * (ny - cy); cx++)
			n++;
	return n;
}

/* Reads n AC terms from the four-bit slots, times scale. */
static void
get_ac(const uint8_t *hash, int start, int *index, int n, double scale, double *ac)
{
	for (int i = 0; i < n; i++, (*index)++)
		ac[i] = (((hash[start + (*index >> 1)] >> ((*index & 1) << 2)) & 15) / 7.5 - 1) * scale;
}

int
mm_thumbhash_decode(const uint8_t *hash, size_t len, uint8_t *rgba, int *w_out, int *h_out)
{
	long		header24,
				header16;
	int			has_alpha,
				landscape,
				lx,
				ly,
				raw_lx,
				raw_ly,
				start,
				index = 0,
				n_l,
				w,
				h;
	double		l_dc,
				p_dc,
				q_dc,
				l_scale,
				p_scale,
				q_scale,
				a_dc = 1,
				a_scale = 0,
				ratio;
	double		l_ac[32],
				p_ac[8],
				q_ac[8],
				a_ac[16];

	if (!hash || len < 5)
		return -1;
	header24 = hash[0] | (hash[1] << 8) | ((long) hash[2] << 16);
	header16 = hash[3] | (hash[4] << 8);
	has_alpha = (int) (header24 >> 23) & 1;
	landscape = (int) (header16 >> 15) & 1;
	raw_lx = landscape ? (has_alpha ? 5 : 7) : (int) (header16 & 7);
	raw_ly = landscape ? (int) (header16 & 7) : (has_alpha ? 5 : 7);
	if (raw_lx == 0 || raw_ly == 0)
		return -1;				/* no encoder writes 0: the aspect ratio would be 0 or infinite */
	lx = raw_lx < 3 ? 3 : raw_lx;
	ly = raw_ly < 3 ? 3 : raw_ly;
	start = has_alpha ? 6 : 5;
	n_l = ac_count(lx, ly);
	if (len < (size_t) start + (size_t) (n_l + 10 + (has_alpha ? 14 : 0) + 1) / 2)
		return -1;

	l_dc = (header24 & 63) / 63.0;
	p_dc = ((header24 >> 6) & 63) / 31.5 - 1;
	q_dc = ((header24 >> 12) & 63) / 31.5 - 1;
	l_scale = ((header24 >> 18) & 31) / 31.0;
	p_scale = ((header16 >> 3) & 63) / 63.0;
	q_scale = ((header16 >> 9) & 63) / 63.0;
	if (has_alpha)
	{
		a_dc = (hash[5] & 15) / 15.0;
		a_scale = (hash[5] >> 4) / 15.0;
	}
	/* saturation boosted by 1.25 to make up for quantisation, as the reference does */
	get_ac(hash, start, &index, n_l, l_scale, l_ac);
	get_ac(hash, start, &index, 5, p_scale * 1.25, p_ac);
	get_ac(hash, start, &index, 5, q_scale * 1.25, q_ac);
	if (has_alpha)
		get_ac(hash, start, &index, 14, a_scale, a_ac);

	ratio = (double) raw_lx / raw_ly;
	w = js_round(ratio > 1 ? MM_THUMBHASH_OUT_SIDE : MM_THUMBHASH_OUT_SIDE * ratio);
	h = js_round(ratio > 1 ? MM_THUMBHASH_OUT_SIDE / ratio : MM_THUMBHASH_OUT_SIDE);
	w = w < 1 ? 1 : w;
	h = h < 1 ? 1 : h;

	for (int y = 0, i = 0; y < h; y++)
	{
		for (int x = 0; x < w; x++, i += 4)
		{
			double		l = l_dc,
						p = p_dc,
						q = q_dc,
						a = a_dc,
						fx[8],
						fy[8],
						r,
						g,
						b;
			int			nfx = lx > (has_alpha ? 5 : 3) ? lx : (has_alpha ? 5 : 3);
			int			nfy = ly > (has_alpha ? 5 : 3) ? ly : (has_alpha ? 5 : 3);

			for (int cx = 0; cx < nfx; cx++)
				fx[cx] = cos(TH_PI / w * (x + 0.5) * cx);
			for (int cy = 0; cy < nfy; cy++)
				fy[cy] = cos(TH_PI / h * (y + 0.5) * cy);
			for (int cy = 0, j = 0; cy < ly; cy++)
			{
				double		fy2 = fy[cy] * 2;

				for (int cx = cy ? 0 : 1; cx * ly < lx * (ly - cy); cx++, j++)
					l += l_ac[j] * fx[cx] * fy2;
			}
			for (int cy = 0, j = 0; cy < 3; cy++)
			{
				double		fy2 = fy[cy] * 2;

				for (int cx = cy ? 0 : 1; cx < 3 - cy; cx++, j++)
				{
					double		f = fx[cx] * fy2;

					p += p_ac[j] * f;
					q += q_ac[j] * f;
				}
			}
			if (has_alpha)
				for (int cy = 0, j = 0; cy < 5; cy++)
				{
					double		fy2 = fy[cy] * 2;

					for (int cx = cy ? 0 : 1; cx < 5 - cy; cx++, j++)
						a += a_ac[j] * fx[cx] * fy2;
				}
			b = l - 2.0 / 3 * p;
			r = (3 * l - b + q) / 2;
			g = r - q;
			rgba[i] = (uint8_t) fmax(0, 255 * fmin(1, r));
			rgba[i + 1] = (uint8_t) fmax(0, 255 * fmin(1, g));
			rgba[i + 2] = (uint8_t) fmax(0, 255 * fmin(1, b));
			rgba[i + 3] = (uint8_t) fmax(0, 255 * fmin(1, a));
		}
	}
	*w_out = w;
	*h_out = h;
	return 0;
}

int
mm_dominant_colour(int w, int h, const uint8_t *rgba, uint8_t rgb[3])
{
	/* 8 levels a channel: coarse enough that shades of one colour share a cell */
	uint32_t	weight[512] = {0};
	uint64_t	sum[512][3] = {{0}};
	int			best = -1;

	for (int i = 0; i < w * h; i++)
	{
		const uint8_t *px = rgba + (size_t) i * 4;
		int			cell = (px[0] >> 5) << 6 | (px[1] >> 5) << 3 | (px[2] >> 5);

		weight[cell] += px[3];
		for (int c = 0; c < 3; c++)
			sum[cell][c] += (uint64_t) px[c] * px[3];
	}
	for (int cell = 0; cell < 512; cell++)
		if (weight[cell] > 0 && (best < 0 || weight[cell] > weight[best]))
			best = cell;
	if (best < 0)
		return -1;
	for (int c = 0; c < 3; c++)
		rgb[c] = (uint8_t) ((sum[best][c] + weight[best] / 2) / weight[best]);
	return 0;
}

mm_img_status
mm_thumbhash_png(const uint8_t *hash, size_t len, const mm_limits *lim,
				 uint8_t **out, size_t *out_len, char *errbuf, size_t errlen)
{
	uint8_t		px[MM_THUMBHASH_OUT_SIDE * MM_THUMBHASH_OUT_SIDE * 4];
	mm_img_ctx	ctx;
	mm_raster	img;

	mm_img_ctx_init(&ctx, lim, errbuf, errlen);
	if (!out || !out_len)
		return mm_img_fail(&ctx, MM_IMG_BAD_ARG, "no output");
	if (mm_thumbhash_decode(hash, len, px, &img.w, &img.h) != 0)
		return mm_img_fail(&ctx, MM_IMG_CORRUPT,
						   "placeholder hash of %zu bytes is shorter than its header announces", len);
	img.nch = 4;
	img.px = px;
	return mm_img_encode_png(&ctx, &img, out, out_len);
}
