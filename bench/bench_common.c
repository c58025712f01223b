/*
 * bench/bench_common.c - helpers shared by the in-process comparison programs
 * of make bench (see bench_common.h).
 */
#include "bench_common.h"

#include <stdio.h>
#include <stdlib.h>

/* A whole file in memory; exits when it cannot be read (a benchmark input is missing). */
unsigned char *
bench_read_file(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	unsigned char *buf;
	long		n;

	if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
	{
		fprintf(stderr, "bench: cannot read %s\n", path);
		exit(2);
	}
	buf = malloc((size_t) n + 1);
	if (!buf || fread(buf, 1, (size_t) n, f) != (size_t) n)
	{
		fprintf(stderr, "bench: cannot read %s\n", path);
		exit(2);
	}
	fclose(f);
	*len = (size_t) n;
	return buf;
}

/* A clock's time in milliseconds. */
double
bench_clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* qsort order of doubles. */
static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

/* The median of n values (sorts them). */
double
bench_median(double *v, int n)
{
	qsort(v, n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* libvips' thumbnail of src into a box, as JPEG quality 80 (see bench_common.h). */
void
bench_vips_thumbnail(const unsigned char *src, size_t len, int box, VipsInteresting crop,
					 int *ow, int *oh)
{
	VipsImage  *img = NULL;
	void	   *out = NULL;
	size_t		out_len = 0;

	if (vips_thumbnail_buffer((void *) src, len, &img, box, "height", box,
							  "crop", crop, NULL) != 0 ||
		vips_image_write_to_buffer(img, ".jpg[Q=80]", &out, &out_len, NULL) != 0)
	{
		fprintf(stderr, "bench: vips failed: %s\n", vips_error_buffer());
		exit(1);
	}
	*ow = vips_image_get_width(img);
	*oh = vips_image_get_height(img);
	g_object_unref(img);
	g_free(out);
}
