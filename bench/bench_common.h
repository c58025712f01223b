/*
 * bench/bench_common.h - what the in-process comparison programs of make bench
 * share (bench/image_inproc.c, bench/client_bench.c): reading an input file,
 * clocks and medians, and libvips' thumbnail, the baseline both time.
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stddef.h>
#include <time.h>

#include <vips/vips.h>

/* A whole file in memory (malloc'd), its length in *len; exits when unreadable. */
unsigned char *bench_read_file(const char *path, size_t *len);

/* A clock's time in milliseconds. */
double		bench_clock_ms(clockid_t id);

/* The median of n values (sorts them). */
double		bench_median(double *v, int n);

/*
 * One libvips thumbnail as vipsthumbnail makes it: vips_thumbnail_buffer()
 * (shrink-on-load, resize, crop as crop says) into a box x box box, saved as
 * JPEG quality 80; its size in *ow x *oh.  Exits on failure.
 */
void		bench_vips_thumbnail(const unsigned char *src, size_t len, int box,
								 VipsInteresting crop, int *ow, int *oh);

#endif
