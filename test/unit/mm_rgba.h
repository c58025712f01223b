/*
 * mm_rgba.h - what the unit tests that look at a result's pixels share:
 * reading data/<name>, decoding a PNG result to RGBA, and checking the
 * colour at the centre of each quadrant of the four-colour test pictures
 * (red top left, green top right, blue bottom left, white bottom right).
 */
#ifndef MM_RGBA_H
#define MM_RGBA_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

/* A decoded RGBA thumbnail. */
typedef struct rgba
{
	int			w;
	int			h;
	int			alpha;			/* the PNG had an alpha channel */
	uint8_t    *px;
} rgba;

/* Reads data/<name>; NULL when absent. */
static uint8_t *
load(const char *name, size_t *len)
{
	char		path[256];
	FILE	   *f;
	uint8_t    *p;
	long		n;

	snprintf(path, sizeof(path), "data/%s", name);
	f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc(n > 0 ? (size_t) n : 1);
	if (p == NULL || fread(p, 1, (size_t) n, f) != (size_t) n)
		abort();
	fclose(f);
	*len = (size_t) n;
	return p;
}

/* Decodes a PNG thumbnail to RGBA; 0 on success. */
static int
png_to_rgba(const uint8_t *p, size_t len, rgba *out)
{
	png_image	pi;

	memset(&pi, 0, sizeof(pi));
	pi.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_memory(&pi, p, len))
		return -1;
	out->alpha = (pi.format & PNG_FORMAT_FLAG_ALPHA) != 0;
	pi.format = PNG_FORMAT_RGBA;
	out->w = (int) pi.width;
	out->h = (int) pi.height;
	out->px = malloc(PNG_IMAGE_SIZE(pi));
	if (out->px == NULL || !png_image_finish_read(&pi, NULL, out->px, 0, NULL))
	{
		png_image_free(&pi);
		free(out->px);
		return -1;
	}
	return 0;
}

/* Colour names of the quadrants. */
static const uint8_t RED[3] = {255, 0, 0};
static const uint8_t GREEN[3] = {0, 255, 0};
static const uint8_t BLUE[3] = {0, 0, 255};
static const uint8_t WHITE[3] = {255, 255, 255};

/* Whether the pixel at the centre of quadrant (qx, qy) is near colour c. */
static int
quadrant_is(const rgba *im, int qx, int qy, const uint8_t *c)
{
	int			x = im->w / 4 + qx * im->w / 2;
	int			y = im->h / 4 + qy * im->h / 2;
	const uint8_t *p = im->px + ((size_t) y * im->w + x) * 4;
	int			i;

	for (i = 0; i < 3; i++)
		if (abs((int) p[i] - (int) c[i]) > 48)
			return 0;
	return 1;
}

#endif
