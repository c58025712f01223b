/*
 * thumb.c - mm_thumbnail() from the command line, for quality checks
 * against other tools (test/quality/compare_vips.sh).
 *
 *   thumb IN OUT.png BOX   writes the PNG thumbnail of IN fitted in BOX x BOX
 * Prints "WxH decoder" on success; exit status 1 with the core's message
 * on failure.
 */
#include <stdio.h>
#include <stdlib.h>

#include "image/image.h"
#include "mm_file.h"				/* test/unit's read_file() */

int
main(int argc, char **argv)
{
	FILE	   *f;
	size_t		n;
	uint8_t    *src;
	uint8_t    *out = NULL;
	size_t		out_len = 0;
	mm_thumb_info info;
	char		err[256];
	int			box;
	mm_img_status st;

	if (argc != 4 || (box = atoi(argv[3])) < 1)
	{
		fprintf(stderr, "usage: thumb IN OUT.png BOX\n");
		return 2;
	}
	src = read_file(argv[1], &n);
	if (src == NULL)
	{
		perror(argv[1]);
		return 2;
	}
	st = mm_thumbnail(src, n, box, box, MM_THUMB_PNG, 0, NULL, &out, &out_len, &info,
					  err, sizeof(err));
	free(src);
	if (st != MM_IMG_OK)
	{
		fprintf(stderr, "%s: %s: %s\n", argv[1], mm_img_status_name(st), err);
		return 1;
	}
	f = fopen(argv[2], "wb");
	if (f == NULL || fwrite(out, 1, out_len, f) != out_len || fclose(f) != 0)
	{
		perror(argv[2]);
		return 2;
	}
	mm_img_free(NULL, out);
	printf("%dx%d %s\n", info.out_width, info.out_height, info.decoder_name);
	return 0;
}
