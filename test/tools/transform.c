/*
 * transform.c - runs the core's mm_transform() on a file, for comparing
 * its results with other tools (vipsthumbnail) by hand or in tests.
 *
 *   transform SPEC IN OUT    e.g. transform 'w=256,h=256,resize=cover,gravity=attention,format=png' a.jpg a.png
 * Prints the output size and the crop window's offset ("WxH+LEFT+TOP"); exit
 * status 1 when the transform fails.
 * Build: cc -I src/core -o transform test/tools/transform.c test/unit/build/libmmcore.a \
 *        -lpng -ljpeg -lz -lwebp -lheif -lm
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "image/spec.h"

/* Reads a whole file into a malloc'd buffer. */
static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	unsigned char *p = NULL;
	long		n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		return NULL;
	p = malloc((size_t) n + 1);
	if (p != NULL && fread(p, 1, (size_t) n, f) != (size_t) n)
	{
		free(p);
		p = NULL;
	}
	fclose(f);
	*len = (size_t) n;
	return p;
}

int
main(int argc, char **argv)
{
	mm_xform	x;
	mm_thumb_info info;
	char		err[256] = "";
	unsigned char *src;
	uint8_t    *out = NULL;
	size_t		len;
	size_t		out_len;
	FILE	   *f;

	if (argc != 4)
	{
		fprintf(stderr, "usage: %s SPEC IN OUT\n", argv[0]);
		return 2;
	}
	mm_xform_init(&x);
	if (mm_xform_parse(argv[1], strlen(argv[1]), &x, err, sizeof(err)) != 0)
	{
		fprintf(stderr, "bad spec: %s\n", err);
		return 2;
	}
	src = slurp(argv[2], &len);
	if (src == NULL)
	{
		perror(argv[2]);
		return 2;
	}
	if (mm_transform(src, len, &x, NULL, &out, &out_len, &info, err, sizeof(err)) != MM_IMG_OK)
	{
		fprintf(stderr, "%s: %s\n", argv[2], err);
		return 1;
	}
	f = fopen(argv[3], "wb");
	if (f == NULL || fwrite(out, 1, out_len, f) != out_len || fclose(f) != 0)
	{
		perror(argv[3]);
		return 2;
	}
	printf("%dx%d+%d+%d\n", info.out_width, info.out_height, info.crop_left, info.crop_top);
	free(out);
	free(src);
	return 0;
}
