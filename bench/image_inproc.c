/*
 * bench/image_inproc.c - pg_media's image core against libvips, both called
 * in this one process, so neither side pays a process start or a library load.
 *
 *   image_inproc REPS MODE FILE BOX [MODE FILE BOX ...]
 *
 * For each FILE it makes a BOX x BOX thumbnail, encoded as JPEG quality 80,
 * with mm_transform() (the function media.transform() and media.thumbnail()
 * call) and with vips_thumbnail_buffer() + JPEG save (what vipsthumbnail
 * does), like with like by MODE:
 *
 *   contain          fit inside the box      vips_thumbnail (no crop)
 *   cover-centre     fill the box, centre    crop = VIPS_INTERESTING_CENTRE
 *   cover-attention  fill it, smart crop     crop = VIPS_INTERESTING_ATTENTION
 *
 * One thread each (vips_concurrency_set(1)), libvips' operation cache off so
 * every call does the work.  The two are interleaved (pg_media, vips,
 * pg_media, ...) after one warm-up call each, so machine load affects both
 * alike, and the medians of REPS calls are compared.  One line per case:
 *
 *   MODE FILE BOX pg_ms vips_ms ratio pg_cpu_ms vips_cpu_ms cpu_ratio pg_WxH vips_WxH
 *
 * _ms are medians of wall time, _cpu_ms medians of the process's CPU time
 * (all threads: libvips runs its pipeline in a worker thread), which time
 * spent waiting for a CPU on a loaded machine does not inflate; ratios are
 * pg_media / libvips.  With BENCH_SIDE=pg or BENCH_SIDE=vips in the
 * environment only that side runs, REPS times, and nothing is printed: a
 * loop to profile (perf record bench/build/image_inproc ...).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_common.h"

#include "image/image.h"
#include "image/spec.h"

/* One comparison: the resize mode on both sides. */
typedef struct bench_mode
{
	const char *name;
	mm_resize	resize;
	mm_gravity	gravity;
	VipsInteresting crop;
} bench_mode;

static const bench_mode modes[] = {
	{"contain", MM_RESIZE_CONTAIN, MM_GRAVITY_CENTRE, VIPS_INTERESTING_NONE},
	{"cover-centre", MM_RESIZE_COVER, MM_GRAVITY_CENTRE, VIPS_INTERESTING_CENTRE},
	{"cover-attention", MM_RESIZE_COVER, MM_GRAVITY_ATTENTION, VIPS_INTERESTING_ATTENTION},
};

/* The wall and CPU time of one call. */
typedef struct timing
{
	double		wall;
	double		cpu;
} timing;

/* Starts a timing. */
static void
timing_start(timing *t)
{
	t->wall = bench_clock_ms(CLOCK_MONOTONIC);
	t->cpu = bench_clock_ms(CLOCK_PROCESS_CPUTIME_ID);
}

/* Ends a timing: *t becomes the time spent since timing_start. */
static void
timing_stop(timing *t)
{
	t->wall = bench_clock_ms(CLOCK_MONOTONIC) - t->wall;
	t->cpu = bench_clock_ms(CLOCK_PROCESS_CPUTIME_ID) - t->cpu;
}

/* One pg_media thumbnail: its time, and its size in *ow x *oh. */
static timing
run_pg_media(const unsigned char *src, size_t len, int box, const bench_mode *m,
			 int *ow, int *oh)
{
	uint8_t    *out = NULL;
	size_t		out_len = 0;
	mm_thumb_info info;
	mm_xform	x;
	char		err[256];
	timing		t;
	mm_img_status st;

	mm_xform_init(&x);
	x.width = box;
	x.height = box;
	x.resize = m->resize;
	x.gravity = m->gravity;
	x.format = MM_THUMB_JPEG;
	x.quality = 80;
	timing_start(&t);
	st = mm_transform(src, len, &x, NULL, &out, &out_len, &info, err, sizeof(err));
	timing_stop(&t);
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

/* One libvips thumbnail (bench_vips_thumbnail()): its time, and its size in *ow x *oh. */
static timing
run_vips(const unsigned char *src, size_t len, int box, const bench_mode *m, int *ow, int *oh)
{
	timing		t;

	timing_start(&t);
	bench_vips_thumbnail(src, len, box, m->crop, ow, oh);
	timing_stop(&t);
	return t;
}

/* The mode called name, or NULL. */
static const bench_mode *
find_mode(const char *name)
{
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(modes[i].name, name) == 0)
			return &modes[i];
	return NULL;
}

/* Medians of the wall and CPU times of n calls (sorts scratch). */
static timing
median_timing(const timing *t, int n, double *scratch)
{
	timing		m;

	for (int i = 0; i < n; i++)
		scratch[i] = t[i].wall;
	m.wall = bench_median(scratch, n);
	for (int i = 0; i < n; i++)
		scratch[i] = t[i].cpu;
	m.cpu = bench_median(scratch, n);
	return m;
}

/*
 * Times one case: a warm-up call each (pages in code and data), then reps
 * rounds of one call each, the order swapped every round so neither side
 * always runs on the caches the other left; prints the case's line.  side
 * "pg" or "vips" runs that side alone, reps times, printing nothing.
 */
static void
run_case(const bench_mode *m, const char *path, int box, int reps, const char *side)
{
	size_t		len;
	unsigned char *src = bench_read_file(path, &len);
	timing	   *tp = calloc(reps, sizeof(timing));
	timing	   *tv = calloc(reps, sizeof(timing));
	double	   *scratch = calloc(reps, sizeof(double));
	int			pw = 0,
				ph = 0,
				vw = 0,
				vh = 0;

	if (!tp || !tv || !scratch)
	{
		fprintf(stderr, "image_inproc: out of memory\n");
		exit(2);
	}
	if (side != NULL)
	{
		for (int i = 0; i < reps; i++)
			if (strcmp(side, "vips") == 0)
				run_vips(src, len, box, m, &vw, &vh);
			else
				run_pg_media(src, len, box, m, &pw, &ph);
	}
	else
	{
		run_pg_media(src, len, box, m, &pw, &ph);
		run_vips(src, len, box, m, &vw, &vh);
		for (int i = 0; i < reps; i++)
		{
			if (i % 2 == 0)
			{
				tp[i] = run_pg_media(src, len, box, m, &pw, &ph);
				tv[i] = run_vips(src, len, box, m, &vw, &vh);
			}
			else
			{
				tv[i] = run_vips(src, len, box, m, &vw, &vh);
				tp[i] = run_pg_media(src, len, box, m, &pw, &ph);
			}
		}
		{
			timing		mp = median_timing(tp, reps, scratch),
						mv = median_timing(tv, reps, scratch);

			printf("%s\t%s\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%dx%d\t%dx%d\n",
				   m->name, path, box, mp.wall, mv.wall, mp.wall / mv.wall,
				   mp.cpu, mv.cpu, mp.cpu / mv.cpu, pw, ph, vw, vh);
			fflush(stdout);
		}
	}
	free(tp);
	free(tv);
	free(scratch);
	free(src);
}

int
main(int argc, char **argv)
{
	int			reps;
	const char *side = getenv("BENCH_SIDE");

	if (argc < 5 || (argc - 2) % 3 != 0 || (reps = atoi(argv[1])) < 1)
	{
		fprintf(stderr, "usage: image_inproc REPS MODE FILE BOX [MODE FILE BOX ...]\n"
				"  MODE: contain, cover-centre or cover-attention\n");
		return 2;
	}
	if (side != NULL && strcmp(side, "pg") != 0 && strcmp(side, "vips") != 0)
	{
		fprintf(stderr, "image_inproc: BENCH_SIDE must be pg or vips\n");
		return 2;
	}
	for (int a = 2; a < argc; a += 3)
		if (find_mode(argv[a]) == NULL || atoi(argv[a + 2]) < 1)
		{
			fprintf(stderr, "image_inproc: bad case %s %s %s\n", argv[a], argv[a + 1], argv[a + 2]);
			return 2;
		}
	if (VIPS_INIT(argv[0]))
		vips_error_exit(NULL);
	vips_concurrency_set(1);
	vips_cache_set_max(0);
	for (int a = 2; a < argc; a += 3)
		run_case(find_mode(argv[a]), argv[a + 1], atoi(argv[a + 2]), reps, side);
	vips_shutdown();
	return 0;
}
