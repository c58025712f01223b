/*
 * test_corpus.c - probes every file of the shared corpus (MANIFEST.tsv) and
 * checks the MIME type of each valid file and the display size of each
 * valid image against the manifest.
 *
 * Each file is probed twice: from one buffer holding the whole file, and
 * through a windowed source that starts with only the first and the last
 * 64 KB and adds a 64 KB (or larger, when asked) window for each NEED, up
 * to 16 rounds, as a stored file is probed.  Both must give identical
 * results.  Invalid files only have to be probed without crashing.
 *
 * The corpus is found through $MM_CORPUS_DIR, else ../../../shared/corpus
 * (relative to test/unit, where the Makefile runs this); when absent the
 * test is skipped.  MIME aliases come from ../corpus/mime-aliases.tsv
 * ($MM_ALIASES overrides).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe.h"
#include "mm_test.h"
#include "mm_file.h"

#define WINDOW			((size_t) 64 * 1024)
#define MAX_ROUNDS		16
#define MAX_ALIASES		256
#define MAX_FORMATS		128

/* One manifest row (pointers into the manifest buffer). */
typedef struct row
{
	char	   *path;
	char	   *package;
	char	   *format;
	char	   *width;
	char	   *height;
	char	   *mime;
	char	   *valid;
	char	   *note;
} row;

/* Per-format tallies for the miss report. */
typedef struct format_stat
{
	const char *format;
	int			mime_total;
	int			mime_ok;
	int			size_total;
	int			size_ok;
} format_stat;

/* An alias: a manifest (libmagic) MIME and pg_media's spelling. */
typedef struct alias
{
	char	   *from;
	char	   *to;
} alias;

/* Splits a line at tabs into at most max fields; returns the count. */
static int
split_tabs(char *line, char **fields, int max)
{
	int			n = 0;

	fields[n++] = line;
	while (n < max && (line = strchr(line, '\t')) != NULL)
	{
		*line++ = '\0';
		fields[n++] = line;
	}
	return n;
}

/* Loads the alias table; returns the number of aliases. */
static int
load_aliases(const char *path, alias *aliases, char **keep)
{
	size_t		len;
	char	   *buf = (char *) read_file(path, &len);
	char	   *line;
	char	   *next;
	int			n = 0;

	*keep = buf;
	if (buf == NULL)
		return 0;
	for (line = buf; line && *line; line = next)
	{
		char	   *f[3];

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (split_tabs(line, f, 3) >= 2 && n < MAX_ALIASES)
		{
			aliases[n].from = f[0];
			aliases[n].to = f[1];
			n++;
		}
	}
	return n;
}

/* Whether got is the expected MIME type or one of its aliases. */
static int
mime_matches(const char *expected, const char *got, const alias *aliases, int naliases)
{
	int			i;

	if (strcmp(expected, got) == 0)
		return 1;
	for (i = 0; i < naliases; i++)
		if (strcmp(aliases[i].from, expected) == 0 && strcmp(aliases[i].to, got) == 0)
			return 1;
	return 0;
}

/* Whether two probe results are identical. */
static int
same_result(const mm_probe *a, const mm_probe *b)
{
	int			i;

	if (strcmp(a->mime, b->mime) != 0 || strcmp(a->media_type, b->media_type) != 0 ||
		a->width != b->width || a->height != b->height ||
		a->duration_ms != b->duration_ms || a->active_content != b->active_content ||
		a->ndetails != b->ndetails)
		return 0;
	for (i = 0; i < a->ndetails; i++)
	{
		const mm_detail *x = &a->details[i];
		const mm_detail *y = &b->details[i];

		if (strcmp(x->key, y->key) != 0 || x->kind != y->kind || x->i != y->i ||
			strcmp(x->s, y->s) != 0)
			return 0;
	}
	return 1;
}

/*
 * Probes data through a windowed source: a head window of head bytes and,
 * when tail is set, a 64 KB tail window; then one window per NEED of the
 * requested bytes, at least minwin of them.  Returns the number of rounds,
 * or -1 when it did not finish within MAX_ROUNDS (or the source ran out of
 * windows).
 */
static int
probe_windowed(const uint8_t *data, size_t len, size_t head, int tail, size_t minwin,
			   mm_probe *out)
{
	mm_source	src;
	int			round;

	mm_source_init(&src, len);
	if (len > 0)
	{
		mm_source_add(&src, 0, data, len < head ? len : head);
		if (tail && len > WINDOW)
			mm_source_add(&src, len - WINDOW, data + len - WINDOW, WINDOW);
	}
	for (round = 0; round < MAX_ROUNDS; round++)
	{
		uint64_t	off;
		size_t		n;

		if (mm_probe_source(&src, out) == MM_PROBE_OK)
			return round;
		off = src.need_off;
		n = src.need_len > minwin ? src.need_len : minwin;
		if (off >= len)
			return -1;
		if (n > len - off)
			n = len - (size_t) off;
		if (mm_source_add(&src, off, data + off, n) != 0)
			return -1;
	}
	return -1;
}

/* Finds or adds the tally for a format. */
static format_stat *
stat_for(format_stat *stats, int *nstats, const char *format)
{
	int			i;

	for (i = 0; i < *nstats; i++)
		if (strcmp(stats[i].format, format) == 0)
			return &stats[i];
	if (*nstats >= MAX_FORMATS)
		return &stats[MAX_FORMATS - 1];
	memset(&stats[*nstats], 0, sizeof(stats[0]));
	stats[*nstats].format = format;
	return &stats[(*nstats)++];
}

/* Runs every group and prints the TAP plan. */
int
main(void)
{
	const char *dir = getenv("MM_CORPUS_DIR");
	const char *apath = getenv("MM_ALIASES");
	char		path[4096];
	char	   *manifest;
	char	   *abuf;
	alias		aliases[MAX_ALIASES];
	int			naliases;
	size_t		mlen;
	char	   *line;
	char	   *next;
	int			first = 1;
	int			mime_total = 0;
	int			mime_ok = 0;
	int			size_total = 0;
	int			size_ok = 0;
	int			invalid = 0;
	int			files = 0;
	int			window_same = 0;
	int			max_rounds = 0;
	int			small_same = 0;
	int			small_unfinished = 0;
	int			small_max_rounds = 0;
	format_stat stats[MAX_FORMATS];
	int			nstats = 0;
	int			i;

	if (dir == NULL)
		dir = "../../../shared/corpus";
	snprintf(path, sizeof(path), "%s/MANIFEST.tsv", dir);
	manifest = (char *) read_file(path, &mlen);
	if (manifest == NULL)
	{
		printf("ok 1 # SKIP shared corpus not found\n1..1\n");
		return 0;
	}
	naliases = load_aliases(apath ? apath : "../corpus/mime-aliases.tsv", aliases, &abuf);

	for (line = manifest; line && *line; line = next)
	{
		char	   *f[8] = {NULL};
		row			r;
		uint8_t    *data;
		size_t		len;
		mm_probe	a;
		mm_probe	b;
		int			rounds;
		int			valid;
		format_stat *st;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (first)
		{
			first = 0;			/* header row */
			continue;
		}
		if (split_tabs(line, f, 8) < 7)
			continue;
		r.path = f[0];
		r.package = f[1];
		r.format = f[2];
		r.width = f[3];
		r.height = f[4];
		r.mime = f[5];
		r.valid = f[6];
		r.note = f[7] ? f[7] : (char *) "";
		valid = strcmp(r.valid, "yes") == 0;

		snprintf(path, sizeof(path), "%s/%s", dir, r.path);
		data = read_file(path, &len);
		if (data == NULL)
		{
			MM_CHECK(0, "read %s", r.path);
			continue;
		}
		files++;
		mm_probe_buffer(data, len, &a);
		rounds = probe_windowed(data, len, WINDOW, 1, WINDOW, &b);
		if (rounds > max_rounds)
			max_rounds = rounds;
		if (rounds >= 0 && same_result(&a, &b))
			window_same++;
		else
			printf("# windowed result differs (rounds %d): %s: %s %lldx%lld vs %s %lldx%lld\n",
				   rounds, r.path, a.mime, (long long) a.width, (long long) a.height,
				   b.mime, (long long) b.width, (long long) b.height);
		/* harder: a 4 KB head, no tail, windows of exactly what is asked */
		rounds = probe_windowed(data, len, 4096, 0, 1, &b);
		if (rounds > small_max_rounds)
			small_max_rounds = rounds;
		if (rounds < 0)
			small_unfinished++;
		else if (same_result(&a, &b))
			small_same++;
		else
			printf("# small-window result differs (rounds %d): %s: %s %lldx%lld vs %s %lldx%lld\n",
				   rounds, r.path, a.mime, (long long) a.width, (long long) a.height,
				   b.mime, (long long) b.width, (long long) b.height);
		if (!valid)
		{
			invalid++;
			free(data);
			continue;
		}

		st = stat_for(stats, &nstats, r.format);
		mime_total++;
		st->mime_total++;
		if (mime_matches(r.mime, a.mime, aliases, naliases))
		{
			mime_ok++;
			st->mime_ok++;
			MM_CHECK(1, "mime %s: %s", r.path, a.mime);
		}
		else
			MM_CHECK(0, "mime %s: expected %s, got %s (format %s)", r.path, r.mime, a.mime, r.format);

		if (strncmp(r.mime, "image/", 6) == 0 && r.width[0] && r.height[0])
		{
			long long	w = atoll(r.width);
			long long	h = atoll(r.height);
			int			ok;

			if (strstr(r.note, "displays as") != NULL)
			{
				long long	t = w;

				w = h;
				h = t;
			}
			ok = a.width == w && a.height == h;
			size_total++;
			st->size_total++;
			if (ok)
				size_ok++, st->size_ok++;
			MM_CHECK(ok, "size %s: expected %lldx%lld, got %lldx%lld (format %s)", r.path,
					 w, h, (long long) a.width, (long long) a.height, r.format);
		}
		free(data);
	}

	MM_CHECK(window_same == files, "windowed probing (64 KB head and tail) equals buffer probing for "
			 "%d/%d files (max %d NEED rounds)", window_same, files, max_rounds);
	MM_CHECK(small_same + small_unfinished == files,
			 "windowed probing (4 KB head, exact windows) equals buffer probing for %d/%d files "
			 "(max %d NEED rounds, %d unfinished in %d rounds)", small_same, files, small_max_rounds,
			 small_unfinished, MAX_ROUNDS);
	for (i = 0; i < nstats; i++)
	{
		if (stats[i].mime_ok < stats[i].mime_total || stats[i].size_ok < stats[i].size_total)
			printf("# corpus miss: format %s: mime %d/%d, size %d/%d\n", stats[i].format,
				   stats[i].mime_ok, stats[i].mime_total, stats[i].size_ok, stats[i].size_total);
	}
	printf("# corpus: mime %d/%d valid files (%.1f%%), size %d/%d images, %d invalid files probed\n",
		   mime_ok, mime_total, mime_total ? 100.0 * mime_ok / mime_total : 0.0,
		   size_ok, size_total, invalid);
	free(manifest);
	free(abuf);
	return mm_test_done();
}
