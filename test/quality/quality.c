/*
 * quality.c - the quality bar of the transform against libvips: for each
 * image of a list, the core's mm_transform() (PNG, in a box) beside
 * vipsthumbnail's thumbnail of the same file, made beforehand by run.sh.
 * The sizes must agree within one pixel and the PSNR (RGB composited on
 * white, test/tools/png_rgb.h) must be at least 30 dB.
 *
 *   quality BOX TMPDIR LIST [KNOWN.tsv]
 * LIST has one line per case: SUITE <TAB> MODE <TAB> SOURCE <TAB> VIPS.png
 * [<TAB> REFERENCE], MODE being contain or cover (vipsthumbnail
 * --smartcrop centre).  VIPS.png is missing when vipsthumbnail could not
 * draw the source.  REFERENCE is the suite's own expected pixels where it
 * ships them (gdk-pixbuf's GIF test suite: raw RGBA; golang.org/x/image's
 * BMPs: a PNG), for images under the box (drawn unscaled): when libvips
 * misses the bar but the core's output equals the reference within the
 * bar, the file passes and a note says that libvips deviates.  When the sizes
 * are a pixel apart (contain), vipsthumbnail is run again forced to ours
 * (on the fully decoded source, see vips_forced) so that the PSNR compares
 * the same grid.
 *
 * Prints TAP: one "# FAIL" or "# note" line per file that misses the bar or
 * is drawn by one side only, then one test per suite and mode (which fails
 * when a file fails or when no file could be compared at all).  Only the
 * formats the core claims (JPEG, PNG, GIF, BMP, WebP, AVIF, HEIC, TIFF,
 * JPEG XL, by the core's own probe) are compared, the others are counted;
 * "quality --claimed < PATHS" tells run.sh which.  Images neither side draws
 * do not count; one that libvips draws and the core refuses fails, unless
 * the core refuses it as damaged (it makes no partial images: a note).
 * Failures whose file name is in KNOWN.tsv (test/quality/known-failures.tsv,
 * each with its cause) are printed as "# KNOWN" and do not fail their
 * suite; a last test fails when a known failure that ran no longer fails,
 * so the list cannot go stale.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image/image.h"
#include "image/spec.h"
#include "probe/probe.h"
#include "mm_file.h"			/* test/unit's read_file() */
#include "png_rgb.h"			/* test/tools */

#define MIN_PSNR 30.0
#define MAX_SUITES 64

/* What happened to the files of one suite in one mode. */
typedef struct tally
{
	char		name[96];		/* "suite mode" */
	int			compared;		/* both drew it */
	int			passed;
	int			failed;			/* off the bar, or refused though claimed */
	int			unclaimed;		/* a format the core does not claim: not compared */
	int			vips_wrong;		/* passed on the suite's reference, libvips deviates */
	int			damaged;		/* refused as corrupt, libvips drew what it could */
	int			known;			/* failed, and listed in known-failures.tsv */
	int			ours_only;		/* the core drew it, libvips refused */
	int			neither;
	double		worst;			/* lowest PSNR of the compared files, known failures aside */
	char		worst_file[256];
} tally;

static tally tallies[MAX_SUITES];
static int	n_tallies;

/* The tally of suite/mode, made on first use. */
static tally *
tally_of(const char *suite, const char *mode)
{
	char		name[96];
	int			i;

	snprintf(name, sizeof(name), "%s %s", suite, mode);
	for (i = 0; i < n_tallies; i++)
		if (strcmp(tallies[i].name, name) == 0)
			return &tallies[i];
	if (n_tallies == MAX_SUITES)
		i = MAX_SUITES - 1;
	else
		i = n_tallies++;
	memset(&tallies[i], 0, sizeof(tallies[i]));
	snprintf(tallies[i].name, sizeof(tallies[i].name), "%s", name);
	tallies[i].worst = INFINITY;
	return &tallies[i];
}

/* known-failures.tsv: file names (no directory) whose failure is known, with its cause. */
#define MAX_KNOWN 64
static char known_names[MAX_KNOWN][128];
static char known_causes[MAX_KNOWN][256];
static int	known_seen[MAX_KNOWN];	/* it failed */
static int	known_run[MAX_KNOWN];	/* it was in the list */
static int	n_known;

/* The index of src_path's file name in the known failures, or -1. */
static int
known_index(const char *src_path)
{
	const char *base = strrchr(src_path, '/') ? strrchr(src_path, '/') + 1 : src_path;
	int			i;

	for (i = 0; i < n_known; i++)
		if (strcmp(base, known_names[i]) == 0)
			return i;
	return -1;
}

/* Reads the known failures (NAME <TAB> CAUSE lines, # comments) from path, if it exists. */
static void
load_known(const char *path)
{
	FILE	   *f = fopen(path, "r");
	char		line[512];

	if (f == NULL)
		return;
	while (n_known < MAX_KNOWN && fgets(line, sizeof(line), f))
	{
		char	   *tab = strchr(line, '\t');

		if (line[0] == '#' || tab == NULL)
			continue;
		*tab = '\0';
		tab[strcspn(tab + 1, "\n") + 1] = '\0';
		snprintf(known_names[n_known], sizeof(known_names[0]), "%.127s", line);
		snprintf(known_causes[n_known], sizeof(known_causes[0]), "%.255s", tab + 1);
		n_known++;
	}
	fclose(f);
}

/*
 * Counts a failure of src_path in t and prints it: "# FAIL", or "# KNOWN"
 * with the cause when its file name is in known-failures.tsv.
 */
static void
__attribute__((format(printf, 3, 4)))
fail(tally *t, const char *src_path, const char *fmt,...)
{
	char		msg[1400];
	va_list		ap;
	int			i = known_index(src_path);

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (i >= 0)
	{
		printf("# KNOWN %s -- %s\n", msg, known_causes[i]);
		known_seen[i] = 1;
		t->known++;
		return;
	}
	printf("# FAIL %s\n", msg);
	t->failed++;
}

/* Is mime one of the formats the core's transform claims to read? */
static int
claimed_format(const char *mime)
{
	static const char *const claimed[] = {
		"image/jpeg", "image/png", "image/apng", "image/gif", "image/bmp", "image/webp",
		"image/avif", "image/heic", "image/heif", "image/heic-sequence", "image/heif-sequence",
		"image/avif-sequence", "image/tiff", "image/jxl", NULL
	};
	int			i;

	for (i = 0; claimed[i]; i++)
		if (strcmp(mime, claimed[i]) == 0)
			return 1;
	return 0;
}

/*
 * For each path read from stdin (one a line), prints "yes" when the file is
 * of a format the core claims, else "no" (also when it cannot be read).
 */
static int
print_claimed(void)
{
	char		path[4096];

	while (fgets(path, sizeof(path), stdin))
	{
		size_t		len;
		uint8_t    *src;
		mm_probe	probe;

		path[strcspn(path, "\n")] = '\0';
		src = read_file(path, &len);
		if (src != NULL)
			mm_probe_buffer(src, len, &probe);
		printf("%s\n", src != NULL && claimed_format(probe.mime) ? "yes" : "no");
		free(src);
	}
	return 0;
}

/* Runs argv (a NULL-terminated list) with stderr silenced; 0 when it exits 0. */
static int
run_quietly(char *const argv[])
{
	pid_t		pid = fork();
	int			status;

	if (pid < 0)
		return -1;
	if (pid == 0)
	{
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(126);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	return 0;
}

/*
 * libvips' thumbnail of src forced to exactly w x h, as an 8-bit PNG in
 * out; 0 on success.  The source is first decoded whole (vips copy to a
 * .v file in tmpdir) so that libvips resamples full-size pixels: forcing a
 * size on a JPEG would otherwise make it shrink on load to a size that
 * does not divide evenly, a worse image than either side's own.
 */
static int
vips_forced(const char *src, const char *tmpdir, int w, int h, const char *out)
{
	char		full[1100];
	char		size[64];
	char		dest[1200];
	char	   *copy[] = {"vips", "copy", (char *) src, full, NULL};
	char	   *thumb[] = {"vipsthumbnail", full, "--size", size, "-o", dest, NULL};

	snprintf(full, sizeof(full), "%s/full.v", tmpdir);
	snprintf(size, sizeof(size), "%dx%d!", w, h);
	snprintf(dest, sizeof(dest), "%s[bitdepth=8]", out);
	if (run_quietly(copy) != 0)
		return -1;
	return run_quietly(thumb);
}

/* Writes len bytes to path; 0 on success. */
static int
write_file(const char *path, const uint8_t *p, size_t len)
{
	FILE	   *f = fopen(path, "wb");

	if (f == NULL)
		return -1;
	if (fwrite(p, 1, len, f) != len)
	{
		fclose(f);
		return -1;
	}
	return fclose(f) == 0 ? 0 : -1;
}

/*
 * Runs the core on src in mode and writes its PNG to ours_png; 0 on
 * success, else the status with the message in err.
 */
static mm_img_status
run_core(const uint8_t *src, size_t len, int box, const char *mode, const char *ours_png,
		 char *err, size_t errlen)
{
	char		spec[128];
	mm_xform	x;
	uint8_t    *out = NULL;
	size_t		out_len = 0;
	mm_img_status st;

	snprintf(spec, sizeof(spec), "w=%d,h=%d,resize=%s,format=png", box, box, mode);
	mm_xform_init(&x);
	if (mm_xform_parse(spec, strlen(spec), &x, err, errlen) != 0)
		return MM_IMG_BAD_ARG;
	st = mm_transform(src, len, &x, NULL, &out, &out_len, NULL, err, errlen);
	if (st != MM_IMG_OK)
		return st;
	if (write_file(ours_png, out, out_len) != 0)
	{
		snprintf(err, errlen, "cannot write the PNG");
		st = MM_IMG_FAILED;
	}
	mm_img_free(NULL, out);
	return st;
}

/*
 * PSNR of the RGB image ours (w x h) against the suite's reference: a PNG,
 * or raw 8-bit RGBA, composited on white; -1 when it cannot be read or is
 * not w x h.
 */
static double
reference_psnr(const char *ref_path, const unsigned char *ours, unsigned w, unsigned h)
{
	size_t		len = strlen(ref_path);
	size_t		i;
	size_t		n = (size_t) w * h;
	uint8_t    *ref;
	unsigned	rw,
				rh;
	double		p = -1;

	if (len > 4 && strcmp(ref_path + len - 4, ".png") == 0)
	{
		ref = png_rgb_read(ref_path, &rw, &rh);
		if (ref != NULL && rw == w && rh == h)
			p = png_rgb_psnr(ours, ref, n);
		free(ref);
		return p;
	}
	ref = read_file(ref_path, &len);
	if (ref != NULL && len == n * 4)
	{
		for (i = 0; i < n; i++)
		{
			int			a = ref[4 * i + 3];
			int			c;

			/* composite in place: the RGB of pixel i lands at or before its RGBA */
			for (c = 0; c < 3; c++)
				ref[3 * i + c] = (uint8_t) ((ref[4 * i + c] * a + 255 * (255 - a) + 127) / 255);
		}
		p = png_rgb_psnr(ours, ref, n);
	}
	free(ref);
	return p;
}

/* Compares one case and counts it in t; prints a line for anything but a pass. */
static void
check_case(tally *t, int box, const char *tmpdir, const char *mode, const char *src_path,
		   const char *vips_png, const char *ref_path)
{
	char		ours_png[1100];
	char		forced_png[1100];
	char		err[256] = "";
	uint8_t    *src;
	size_t		len;
	mm_probe	probe;
	mm_img_status st;
	unsigned char *ours = NULL,
			   *theirs = NULL;
	unsigned	ow = 0,
				oh = 0,
				vw = 0,
				vh = 0;
	double		psnr;
	double		ref_psnr = -1;

	if (known_index(src_path) >= 0)
		known_run[known_index(src_path)] = 1;
	snprintf(ours_png, sizeof(ours_png), "%s/ours.png", tmpdir);
	snprintf(forced_png, sizeof(forced_png), "%s/forced.png", tmpdir);
	src = read_file(src_path, &len);
	if (src == NULL)
	{
		fail(t, src_path, "%s: cannot read the source", src_path);
		return;
	}
	mm_probe_buffer(src, len, &probe);
	if (!claimed_format(probe.mime))
	{
		free(src);
		t->unclaimed++;
		return;
	}
	st = run_core(src, len, box, mode, ours_png, err, sizeof(err));
	free(src);
	if (st == MM_IMG_OK)
		ours = png_rgb_read(ours_png, &ow, &oh);
	theirs = png_rgb_read(vips_png, &vw, &vh);
	if (st == MM_IMG_OK && ours == NULL)
		fail(t, src_path, "%s: the core's PNG cannot be read back", src_path);
	else if (ours == NULL && theirs == NULL)
		t->neither++;
	else if (ours == NULL && st == MM_IMG_CORRUPT)
	{
		printf("# note %s (%s): refused as damaged (%s), libvips draws what it can (%ux%u): "
			   "the core makes no partial images\n", src_path, probe.mime, err, vw, vh);
		t->damaged++;
	}
	else if (ours == NULL)
		fail(t, src_path, "%s (%s): refused (%s: %s), libvips draws it %ux%u", src_path,
			 probe.mime, mm_img_status_name(st), err, vw, vh);
	else if (theirs == NULL)
	{
		printf("# note %s (%s): the core draws it %ux%u, libvips refuses it\n", src_path,
			   probe.mime, ow, oh);
		t->ours_only++;
	}
	else if (ref_path != NULL && (ref_psnr = reference_psnr(ref_path, ours, ow, oh)) >= MIN_PSNR &&
			 (ow != vw || oh != vh || png_rgb_psnr(ours, theirs, (size_t) ow * oh) < MIN_PSNR))
	{
		printf("# note %s (%s): libvips deviates from the suite's reference (%ux%u), the core "
			   "matches it (%.2f dB)\n", src_path, probe.mime, vw, vh, isinf(ref_psnr) ? 99.0 : ref_psnr);
		t->passed++;
		t->compared++;
		t->vips_wrong++;
	}
	else if (abs((int) ow - (int) vw) > 1 || abs((int) oh - (int) vh) > 1)
		fail(t, src_path, "%s (%s): size %ux%u, libvips %ux%u", src_path, probe.mime, ow, oh, vw, vh);
	else
	{
		if ((ow != vw || oh != vh) && strcmp(mode, "contain") == 0 &&
			vips_forced(src_path, tmpdir, (int) ow, (int) oh, forced_png) == 0)
		{
			free(theirs);
			theirs = png_rgb_read(forced_png, &vw, &vh);
		}
		if (theirs == NULL || ow != vw || oh != vh)
			fail(t, src_path, "%s (%s): size %ux%u, libvips %ux%u, no PSNR on one grid", src_path,
				 probe.mime, ow, oh, vw, vh);
		else
		{
			psnr = png_rgb_psnr(ours, theirs, (size_t) ow * oh);
			t->compared++;
			/* the worst PSNR of the files held to the bar: known failures are reported apart */
			if (psnr < t->worst && known_index(src_path) < 0)
			{
				t->worst = psnr;
				snprintf(t->worst_file, sizeof(t->worst_file), "%s", src_path);
			}
			if (psnr >= MIN_PSNR)
				t->passed++;
			else
				fail(t, src_path, "%s (%s): %ux%u, PSNR %.2f dB", src_path, probe.mime, ow, oh, psnr);
		}
	}
	free(ours);
	free(theirs);
}

int
main(int argc, char **argv)
{
	FILE	   *list;
	char		line[4096];
	int			box;
	int			i;
	int			bad = 0;

	if (argc == 2 && strcmp(argv[1], "--claimed") == 0)
		return print_claimed();
	if ((argc != 4 && argc != 5) || (box = atoi(argv[1])) < 1)
	{
		fprintf(stderr, "usage: quality BOX TMPDIR LIST [KNOWN.tsv] | quality --claimed < PATHS\n");
		return 2;
	}
	if (argc == 5)
		load_known(argv[4]);
	list = fopen(argv[3], "r");
	if (list == NULL)
	{
		perror(argv[3]);
		return 2;
	}
	while (fgets(line, sizeof(line), list))
	{
		char	   *suite = strtok(line, "\t\n");
		char	   *mode = strtok(NULL, "\t\n");
		char	   *src = strtok(NULL, "\t\n");
		char	   *vips = strtok(NULL, "\t\n");
		char	   *ref = strtok(NULL, "\t\n");

		if (suite == NULL || mode == NULL || src == NULL || vips == NULL)
			continue;
		check_case(tally_of(suite, mode), box, argv[2], mode, src, vips, ref);
		fflush(stdout);
	}
	fclose(list);
	printf("1..%d\n", n_tallies + 1);
	for (i = 0; i < n_tallies; i++)
	{
		tally	   *t = &tallies[i];

		printf("%s %d - %s: %d compared, %d within 1 px and %.0f dB of libvips, %d failed; "
			   "worst %.2f dB (%s) but for known failures %d; passed on the suite's reference where libvips "
			   "deviates %d; refused as damaged %d; drawn by the core only %d, by neither %d; "
			   "formats not claimed %d\n",
			   t->failed || t->compared == 0 ? "not ok" : "ok", i + 1, t->name, t->compared, t->passed, MIN_PSNR,
			   t->failed, isinf(t->worst) ? 99.0 : t->worst, t->worst_file[0] ? t->worst_file : "-",
			   t->known, t->vips_wrong, t->damaged, t->ours_only, t->neither, t->unclaimed);
		if (t->failed || t->compared == 0)
			bad = 1;
	}
	/* a known failure that no longer fails must leave the list */
	{
		int			stale = 0;

		for (i = 0; i < n_known; i++)
			if (known_run[i] && !known_seen[i])
			{
				printf("# known failure %s did not fail: drop it from the list\n", known_names[i]);
				stale++;
			}
		printf("%s %d - every known failure that ran still fails (%d listed)\n",
			   stale ? "not ok" : "ok", n_tallies + 1, n_known);
		bad |= stale != 0;
	}
	return bad;
}
