/*
 * psnr.c - PSNR in dB between two PNG images of the same size, for the
 * thumbnail tests: both are decoded to 8-bit RGBA with libpng and
 * composited on white, then compared over their RGB channels.
 *
 *   psnr a.png b.png      prints the PSNR (or "inf" for identical images)
 * Exit status 2 when an image cannot be read or the sizes differ.
 */
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads a PNG as RGBA composited on white into a malloc'd RGB buffer. */
static unsigned char *
read_rgb(const char *path, unsigned *w, unsigned *h)
{
	png_image	img;
	unsigned char *rgba;
	unsigned char *rgb;
	size_t		i,
				n;

	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&img, path))
		return NULL;
	img.format = PNG_FORMAT_RGBA;
	n = (size_t) img.width * img.height;
	rgba = malloc(n * 4);
	rgb = malloc(n * 3);
	if (!rgba || !rgb || !png_image_finish_read(&img, NULL, rgba, 0, NULL))
	{
		free(rgba);
		free(rgb);
		return NULL;
	}
	for (i = 0; i < n; i++)
	{
		int			a = rgba[4 * i + 3];
		int			c;

		for (c = 0; c < 3; c++)
			rgb[3 * i + c] = (unsigned char) ((rgba[4 * i + c] * a + 255 * (255 - a) + 127) / 255);
	}
	free(rgba);
	*w = img.width;
	*h = img.height;
	return rgb;
}

int
main(int argc, char **argv)
{
	unsigned	w1,
				h1,
				w2,
				h2;
	unsigned char *a,
			   *b;
	double		se = 0;
	size_t		i,
				n;

	if (argc != 3)
	{
		fprintf(stderr, "usage: psnr a.png b.png\n");
		return 2;
	}
	a = read_rgb(argv[1], &w1, &h1);
	b = read_rgb(argv[2], &w2, &h2);
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
	n = (size_t) w1 * h1 * 3;
	for (i = 0; i < n; i++)
	{
		double		d = (double) a[i] - (double) b[i];

		se += d * d;
	}
	if (se == 0)
		printf("inf\n");
	else
		printf("%.2f\n", 10.0 * log10(255.0 * 255.0 / (se / (double) n)));
	return 0;
}
