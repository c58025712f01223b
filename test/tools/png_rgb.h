/*
 * png_rgb.h - reading a PNG as 8-bit RGB composited on white, and the PSNR
 * of two such images, for the quality checks against libvips
 * (test/tools/psnr.c, test/quality/quality.c).
 *
 * The low-level libpng API is used on purpose: its simplified API applies
 * gAMA chunks and treats 16-bit samples as linear light, which would make
 * two encoders of the same pixels differ.  Here samples are taken as they
 * are stored: palette and gray expanded, tRNS made alpha, 16-bit scaled to
 * 8 with rounding, no gamma.
 */
#ifndef PNG_RGB_H
#define PNG_RGB_H

#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest image read (pixels): the outputs compared are thumbnails. */
#define PNG_RGB_MAX_PIXELS ((png_uint_32) 1 << 26)

/*
 * Reads the PNG file at path into a malloc'd w x h x 3 RGB buffer, alpha
 * composited on white; NULL when it cannot be read.
 */
static unsigned char *
png_rgb_read(const char *path, unsigned *w, unsigned *h)
{
	FILE	   *f = fopen(path, "rb");
	png_structp png;
	png_infop	info;
	unsigned char *volatile rgba = NULL;
	unsigned char *volatile rgb = NULL;
	png_bytep  *volatile rows = NULL;
	png_uint_32 pw,
				ph,
				y;
	size_t		i;

	if (f == NULL)
		return NULL;
	png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	info = png ? png_create_info_struct(png) : NULL;
	if (info == NULL || setjmp(png_jmpbuf(png)))
	{
		png_destroy_read_struct(&png, &info, NULL);
		free(rgba);
		free(rgb);
		free(rows);
		fclose(f);
		return NULL;
	}
	png_init_io(png, f);
	png_read_info(png, info);
	pw = png_get_image_width(png, info);
	ph = png_get_image_height(png, info);
	if (pw == 0 || ph == 0 || (uint64_t) pw * ph > PNG_RGB_MAX_PIXELS)
		png_error(png, "image too large");
	png_set_expand(png);
	png_set_scale_16(png);
	png_set_gray_to_rgb(png);
	png_set_add_alpha(png, 0xff, PNG_FILLER_AFTER);
	(void) png_set_interlace_handling(png);
	png_read_update_info(png, info);
	rgba = malloc((size_t) pw * ph * 4);
	rgb = malloc((size_t) pw * ph * 3);
	rows = malloc(sizeof(png_bytep) * ph);
	if (rgba == NULL || rgb == NULL || rows == NULL)
		png_error(png, "out of memory");
	for (y = 0; y < ph; y++)
		rows[y] = rgba + (size_t) y * pw * 4;
	png_read_image(png, rows);
	png_read_end(png, NULL);
	png_destroy_read_struct(&png, &info, NULL);
	fclose(f);
	for (i = 0; i < (size_t) pw * ph; i++)
	{
		int			a = rgba[4 * i + 3];
		int			c;

		for (c = 0; c < 3; c++)
			rgb[3 * i + c] = (unsigned char) ((rgba[4 * i + c] * a + 255 * (255 - a) + 127) / 255);
	}
	free(rgba);
	free(rows);
	*w = pw;
	*h = ph;
	return rgb;
}

/* PSNR in dB of two RGB buffers of n pixels; INFINITY when they are equal. */
static double
png_rgb_psnr(const unsigned char *a, const unsigned char *b, size_t n)
{
	double		se = 0;
	size_t		i;

	for (i = 0; i < n * 3; i++)
	{
		double		d = (double) a[i] - (double) b[i];

		se += d * d;
	}
	if (se == 0)
		return INFINITY;
	return 10.0 * log10(255.0 * 255.0 / (se / (double) (n * 3)));
}

#endif
