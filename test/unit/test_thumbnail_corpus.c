/*
 * test_thumbnail_corpus.c - mm_thumbnail() on every valid JPEG, PNG, GIF
 * and BMP of the shared corpus ($MM_CORPUS_DIR, else
 * ../../../shared/corpus; skipped when absent), and its invalid files
 * handled without crashing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "mm_test.h"
#include "mm_file.h"
#include "mm_encode.h"
#include "mm_thumb.h"

/* Splits line at tabs into at most n fields; returns the count. */
static int
split_tabs(char *line, char **f, int n)
{
	int			k = 0;

	f[k++] = line;
	for (; *line != '\0' && k < n; line++)
		if (*line == '\t')
		{
			*line = '\0';
			f[k++] = line + 1;
		}
	return k;
}

/*
 * Thumbnails every valid JPEG, PNG, GIF and BMP of the shared corpus into
 * a 256x256 box, and runs the invalid ones for robustness.
 */
static void
test_corpus(void)
{
	const char *dir = getenv("MM_CORPUS_DIR");
	char		path[4096];
	char	   *manifest;
	size_t		mlen;
	char	   *line;
	int			total = 0;
	int			ok = 0;
	int			bad_total = 0;
	int			bad_refused = 0;

	if (dir == NULL || dir[0] == '\0')
		dir = "../../../shared/corpus";
	snprintf(path, sizeof(path), "%s/MANIFEST.tsv", dir);
	manifest = (char *) read_file(path, &mlen);
	if (manifest == NULL)
	{
		MM_CHECK(1, "corpus thumbnails # SKIP no corpus at %s", dir);
		return;
	}
	manifest = realloc(manifest, mlen + 1);
	manifest[mlen] = '\0';
	line = strtok(manifest, "\n");
	while (line != NULL)
	{
		char	   *f[8];
		char	   *next = strtok(NULL, "\n");

		if (split_tabs(line, f, 8) >= 7 &&
			(strcmp(f[2], "jpeg") == 0 || strcmp(f[2], "png") == 0 ||
			 strcmp(f[2], "gif") == 0 || strcmp(f[2], "bmp") == 0))
		{
			int			valid = strcmp(f[6], "yes") == 0;
			size_t		len;
			uint8_t    *data;

			snprintf(path, sizeof(path), "%s/%s", dir, f[0]);
			data = read_file(path, &len);
			if (data != NULL)
			{
				uint8_t    *out = NULL;
				size_t		olen = 0;
				mm_thumb_info info;
				char		err[256];
				mm_img_status st;

				st = mm_thumbnail(data, len, 256, 256, MM_THUMB_AUTO, 80, NULL, &out, &olen,
								  &info, err, sizeof(err));
				if (valid)
				{
					img			t = {0, 0, 0, NULL};
					int			good = st == MM_IMG_OK &&
						decode_thumb(out, olen, info.format, &t, NULL) == 0 &&
						t.w >= 1 && t.h >= 1 && t.w <= 256 && t.h <= 256 &&
						t.w == info.out_width && t.h == info.out_height &&
						t.w <= info.src_width && t.h <= info.src_height;

					total++;
					if (good)
						ok++;
					else
						printf("# corpus thumbnail failed: %s: %s %s\n", f[0],
							   mm_img_status_name(st), st ? err : "");
					free(t.px);
				}
				else
				{
					bad_total++;
					if (st != MM_IMG_OK)
						bad_refused++;
				}
				if (st == MM_IMG_OK)
					free(out);
				free(data);
			}
		}
		line = next;
	}
	free(manifest);
	printf("# corpus thumbnails: %d ok of %d\n", ok, total);
	MM_CHECK(total > 0 && ok == total, "corpus: %d of %d valid JPEG/PNG/GIF/BMP files thumbnailed",
			 ok, total);
	MM_CHECK(1, "corpus: %d invalid files handled without crashing (%d refused)",
			 bad_total, bad_refused);
}

/* Runs this file's groups and prints the TAP plan. */
int
main(void)
{
	test_corpus();
	return mm_test_done();
}
