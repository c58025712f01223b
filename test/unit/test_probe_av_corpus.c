/*
 * test_probe_av_corpus.c - the audio/video probes on the shared corpus's
 * A/V rows (MANIFEST.tsv in $MM_CORPUS_DIR, default ../../../shared/corpus):
 * MIME (or its alias in test/corpus/mime-aliases.tsv), dimensions, and
 * durations within 1%, each file probed from one buffer and through a
 * windowed source (see mm_av_bytes.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe.h"
#include "mm_file.h"
#include "mm_test.h"
#include "mm_av_bytes.h"

/* ---------- shared corpus ---------- */

/* Is manifest format fmt one of this file's formats? */
static int
corpus_is_av(const char *fmt)
{
	static const char *const av[] = {
		"wav", "au", "aiff", "aifc", "ogg-vorbis", "ogg-theora", "mp3", "webm", "voc", "rmvb",
		"mpeg-ps", "mp4", "mov", "mkv", "flv", "avif-seq", "avif", "asf", "8svx", "3gp", NULL
	};
	int			i;

	for (i = 0; av[i]; i++)
		if (strcmp(fmt, av[i]) == 0)
			return 1;
	return 0;
}

/* Is got an accepted spelling of the manifest's MIME (itself or its alias)? */
static int
corpus_mime_ok(const char *want, const char *got)
{
	FILE	   *f;
	char		line[512];
	int			ok = strcmp(want, got) == 0;

	if (ok)
		return 1;
	f = fopen("../corpus/mime-aliases.tsv", "r");
	if (f == NULL)
		return 0;
	while (!ok && fgets(line, sizeof(line), f))
	{
		char	   *a = strtok(line, "\t\n"),
				   *b = strtok(NULL, "\t\n");

		if (a && b && a[0] != '#' && strcmp(a, want) == 0 && strcmp(b, got) == 0)
			ok = 1;
	}
	fclose(f);
	return ok;
}

/* Parses "... 1.428s" or "...; 5.433s;" out of a manifest note: milliseconds, or -1. */
static int64_t
corpus_note_ms(const char *note)
{
	const char *p;
	int64_t		best = -1;

	for (p = note; *p; p++)
	{
		const char *q = p;
		int64_t		whole = 0,
					frac = 0;
		int			nf = 0;

		if (!(*q >= '0' && *q <= '9') || (p > note && ((p[-1] >= '0' && p[-1] <= '9') || p[-1] == '.')))
			continue;
		while (*q >= '0' && *q <= '9')
			whole = whole * 10 + (*q++ - '0');
		if (*q != '.')
			continue;
		q++;
		while (*q >= '0' && *q <= '9' && nf < 3)
		{
			frac = frac * 10 + (*q++ - '0');
			nf++;
		}
		if (nf != 3 || *q != 's')
			continue;
		best = whole * 1000 + frac;
	}
	return best;
}

/* Checks every A/V row of the shared corpus's MANIFEST.tsv. */
static void
test_corpus(void)
{
	const char *dir = getenv("MM_CORPUS_DIR");
	char		path[4096];
	char		line[4096];
	FILE	   *f;
	int			rows = 0;

	if (dir == NULL || dir[0] == '\0')
		dir = "../../../shared/corpus";
	snprintf(path, sizeof(path), "%s/MANIFEST.tsv", dir);
	f = fopen(path, "r");
	if (f == NULL)
	{
		mm_test_count++;
		printf("ok %d # SKIP shared corpus not found at %s\n", mm_test_count, dir);
		return;
	}
	while (fgets(line, sizeof(line), f))
	{
		char	   *col[8];
		char	   *s = line;
		int			n = 0;
		uint8_t    *data;
		size_t		len;
		mm_probe	p,
					w;
		wstats		ws;
		vfile		vf;
		int64_t		want_ms,
					tol;

		line[strcspn(line, "\r\n")] = '\0';
		while (n < 8)
		{
			col[n++] = s;
			s = strchr(s, '\t');
			if (s == NULL)
				break;
			*s++ = '\0';
		}
		if (n < 8 || strcmp(col[0], "path") == 0 || !corpus_is_av(col[2]))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, col[0]);
		data = read_file(path, &len);
		if (data == NULL)
		{
			MM_CHECK(0, "corpus %s: readable", col[0]);
			continue;
		}
		rows++;
		mm_probe_buffer(data, len, &p);
		MM_CHECK(corpus_mime_ok(col[5], p.mime) || (strcmp(col[6], "no") == 0 &&
													strcmp(p.mime, "application/octet-stream") == 0),
				 "corpus %s: MIME %s (got %s)", col[0], col[5], p.mime);
		if (col[3][0] && col[4][0])
			MM_CHECK(p.width == atoll(col[3]) && p.height == atoll(col[4]),
					 "corpus %s: %sx%s (got %lldx%lld)", col[0], col[3], col[4],
					 (long long) p.width, (long long) p.height);
		want_ms = corpus_note_ms(col[7]);
		if (want_ms >= 0)
		{
			tol = want_ms / 100 > 1 ? want_ms / 100 : 1;
			MM_CHECK(p.duration_ms >= want_ms - tol && p.duration_ms <= want_ms + tol,
					 "corpus %s: duration %lld ms within 1%% (got %lld)", col[0],
					 (long long) want_ms, (long long) p.duration_ms);
		}
		/* through 64 KB head/tail windows, as stored files are probed */
		vf = (vfile) {len, data, len, NULL, 0};
		probe_vfile(&vf, 65536, 65536, &w, &ws);
		MM_CHECK(!ws.gave_up && ws.rounds <= 2 && same_result(&p, &w),
				 "corpus %s: 64 KB windowed probe agrees (%d rounds)", col[0], ws.rounds);
		/* and through 4 KB windows: a few small NEED rounds */
		probe_vfile(&vf, 4096, 4096, &w, &ws);
		MM_CHECK(!ws.gave_up && ws.rounds <= 4 && same_result(&p, &w),
				 "corpus %s: 4 KB windowed probe agrees (%d rounds, %llu bytes fetched)", col[0],
				 ws.rounds, (unsigned long long) ws.fetched);
		free(data);
	}
	fclose(f);
	MM_CHECK(rows > 0, "corpus: %d A/V rows checked", rows);
}

/* Runs this file's groups and prints the TAP plan. */
int
main(void)
{
	test_corpus();
	return mm_test_done();
}
