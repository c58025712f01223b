/*
 * psnr.c - PSNR in dB between two PNG images of the same size, for the
 * thumbnail tests: both are read as 8-bit RGB composited on white
 * (png_rgb.h), then compared over their RGB channels.
 *
 *   psnr a.png b.png      prints the PSNR (or "inf" for identical images)
 * Exit status 2 when an image cannot be read or the sizes differ.
 */
#include "png_rgb.h"

int
main(int argc, char **argv)
{
	unsigned	w1,
				h1,
				w2,
				h2;
	unsigned char *a,
			   *b;
	double		p;

	if (argc != 3)
	{
		fprintf(stderr, "usage: psnr a.png b.png\n");
		return 2;
	}
	a = png_rgb_read(argv[1], &w1, &h1);
	b = png_rgb_read(argv[2], &w2, &h2);
	if (!a || !b)
	{
		fprintf(stderr, "psnr: cannot read %s\n", !a ? argv[1] : argv[2]);
		return 2;
	}
	if (w1 != w2 || h1 != h2)
	{
		fprintf(stderr, "psnr: sizes differ: %ux%u and %ux%u\n", w1, h1, w2, h2);
		return 2;
	}
	p = png_rgb_psnr(a, b, (size_t) w1 * h1);
	if (isinf(p))
		printf("inf\n");
	else
		printf("%.2f\n", p);
	free(a);
	free(b);
	return 0;
}
