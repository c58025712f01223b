/*
 * bench/image_inproc.c - pg_media's image core against libvips, both called
 * in this one process, so neither side pays a process start or a library load.
 *
 *   image_inproc REPS FILE BOX [FILE BOX ...]
 *
 * For each FILE it makes a thumbnail that fits BOX x BOX, encoded as JPEG
 * quality 80, with mm_thumbnail() (the function media.thumbnail() calls) and
 * with vips_thumbnail_buffer() + JPEG save (what vipsthumbnail does), one
 * thread each (vips_concurrency_set(1)), libvips' operation cache off so every
 * call does the work.  The two are interleaved (pg_media, vips, pg_media, ...)
 * after one warm-up call each, so machine load affects both alike, and the
 * medians of REPS calls are compared.  One line per file:
 *
 *   FILE  WxH  pg_media_ms  vips_ms  ratio(pg_media/vips)  out_WxH(pg_media)  out_WxH(vips)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vips/vips.h>

#include "image/image.h"

/* Reads a whole file into memory (the benchmark's input, not timed). */
static unsigned char *
read_file(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	unsigned char *buf;
	long		n;

	if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
	{
		fprintf(stderr, "image_inproc: cannot read %s\n", path);
		exit(2);
	}
	buf = malloc((size_t) n);
	if (!buf || fread(buf, 1, (size_t) n, f) != (size_t) n)
	{
		fprintf(stderr, "image_inproc: cannot read %s\n", path);
		exit(2);
	}
	fclose(f);
	*len = (size_t) n;
	return buf;
}

/* Monotonic time in milliseconds. */
static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

/* Median of n timings (sorts them). */
static double
median(double *v, int n)
{
	qsort(v, n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One pg_media thumbnail; returns its time and the output size. */
static double
run_pg_media(const unsigned char *src, size_t len, int box, int *ow, int *oh)
{
	uint8_t    *out = NULL;
	size_t		out_len = 0;
	mm_thumb_info info;
	char		err[256];
	double		t0 = now_ms();
	mm_img_status st = mm_thumbnail(src, len, box, box, MM_THUMB_JPEG, 80, NULL,
									&out, &out_len, &info, err, sizeof(err));
	double		t = now_ms() - t0;

	if (st != MM_IMG_OK)
	{
		fprintf(stderr, "image_inproc: pg_media failed: %s\n", err);
		exit(1);
	}
	*ow = info.out_width;
	*oh = info.out_height;
	free(out);
	return t;
}

/* One libvips thumbnail (load with shrink-on-load, resize, save JPEG). */
static double
run_vips(const unsigned char *src, size_t len, int box, int *ow, int *oh)
{
	VipsImage  *img = NULL;
	void	   *out = NULL;
	size_t		out_len = 0;
	double		t0 = now_ms();
	double		t;

	if (vips_thumbnail_buffer((void *) src, len, &img, box, "height", box, NULL) != 0 ||
		vips_image_write_to_buffer(img, ".jpg[Q=80]", &out, &out_len, NULL) != 0)
	{
		fprintf(stderr, "image_inproc: vips failed: %s\n", vips_error_buffer());
		exit(1);
	}
	t = now_ms() - t0;
	*ow = vips_image_get_width(img);
	*oh = vips_image_get_height(img);
	g_object_unref(img);
	g_free(out);
	return t;
}

int
main(int argc, char **argv)
{
	int			reps;

	if (argc < 4 || (argc - 2) % 2 != 0 || (reps = atoi(argv[1])) < 1)
	{
		fprintf(stderr, "usage: image_inproc REPS FILE BOX [FILE BOX ...]\n");
		return 2;
	}
	if (VIPS_INIT(argv[0]))
		vips_error_exit(NULL);
	vips_concurrency_set(1);
	vips_cache_set_max(0);

	for (int a = 2; a < argc; a += 2)
	{
		size_t		len;
		unsigned char *src = read_file(argv[a], &len);
		int			box = atoi(argv[a + 1]);
		double	   *tp = malloc(sizeof(double) * reps);
		double	   *tv = malloc(sizeof(double) * reps);
		int			pw = 0,
					ph = 0,
					vw = 0,
					vh = 0;

		run_pg_media(src, len, box, &pw, &ph);	/* warm-up: page in code and data */
		run_vips(src, len, box, &vw, &vh);
		for (int i = 0; i < reps; i++)
		{
			tp[i] = run_pg_media(src, len, box, &pw, &ph);
			tv[i] = run_vips(src, len, box, &vw, &vh);
		}
		{
			double		mp = median(tp, reps),
						mv = median(tv, reps);

			printf("%s\t%d\t%.3f\t%.3f\t%.3f\t%dx%d\t%dx%d\n", argv[a], box, mp, mv, mp / mv,
				   pw, ph, vw, vh);
		}
		free(tp);
		free(tv);
		free(src);
	}
	vips_shutdown();
	return 0;
}
