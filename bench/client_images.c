/*
 * bench/client_images.c - the image part of bench/client_bench: a thumbnail
 * or transform of a stored image as an application asks for it,
 * SELECT media.transform($1, box, box, resize, 'jpeg', 80) timed on the
 * client (reading the file from the chunk store, decode, resize, encode and
 * the round trip with the result), against libvips and ImageMagick called in
 * this client process on the same bytes (no round trip, no file read: the
 * bytes are in memory), one thread each.
 *
 * Cases are MODE FILE BOX triples: MODE contain (fit the box) or cover-centre
 * (fill it, crop the centre).  media.thumbnail_sizes is set to an unrelated
 * box for the session, so no call finds a cached derivative, and
 * media.max_decode_memory to 256MB, which a 12 MP HEIC needs.
 */
#include "client_bench.h"
#include "bench_common.h"

#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wand/MagickWand.h>

/* One image case and its inputs. */
typedef struct image_case
{
	const char *mode;
	unsigned char *bytes;
	size_t		len;
	int			box;
	int64_t		id;				/* the stored file */
	int			cover;
} image_case;

/* pg_media: SELECT media.transform(id, box, box, resize, 'jpeg', 80), binary result. */
static double
side_pg_media(void *arg, int rep)
{
	image_case *c = arg;
	uint32_t	types[3] = {CB_INT8OID, 23, CB_TEXTOID};
	char		idbuf[8];
	uint32_t	box = htobe32((uint32_t) c->box);
	const char *resize = c->cover ? "cover" : "contain";
	const char *vals[3] = {cb_int8(c->id, idbuf), (const char *) &box, resize};
	int			lens[3] = {8, 4, (int) strlen(resize)};
	double		t0 = cb_now();
	PGresult   *res = cb_exec("SELECT media.transform($1, $2, $2, $3, 'jpeg', 80)", 3, types, vals, lens, 1);

	t0 = cb_now() - t0;
	if (PQntuples(res) != 1 || PQgetlength(res, 0, 0) < 100)
	{
		fprintf(stderr, "client_bench: media.transform() returned no image\n");
		exit(1);
	}
	PQclear(res);
	return t0;
}

/* libvips in process: vips_thumbnail_buffer() + JPEG q80, crop=centre for cover. */
static double
side_vips(void *arg, int rep)
{
	image_case *c = arg;
	int			w,
				h;
	double		t0 = cb_now();

	bench_vips_thumbnail(c->bytes, c->len, c->box,
						 c->cover ? VIPS_INTERESTING_CENTRE : VIPS_INTERESTING_NONE, &w, &h);
	return cb_now() - t0;
}

/* ImageMagick in process (MagickWand, one thread): read, -thumbnail to fit the box, JPEG q80. */
static double
side_magick(void *arg, int rep)
{
	image_case *c = arg;
	double		t0 = cb_now();
	MagickWand *w = NewMagickWand();
	size_t		iw,
				ih,
				out_len = 0;
	double		scale;
	unsigned char *out;

	if (MagickReadImageBlob(w, c->bytes, c->len) == MagickFalse)
	{
		fprintf(stderr, "client_bench: ImageMagick cannot read the %s case\n", c->mode);
		exit(1);
	}
	iw = MagickGetImageWidth(w);
	ih = MagickGetImageHeight(w);
	scale = (double) c->box / (iw > ih ? iw : ih);
	MagickThumbnailImage(w, iw * scale < 1 ? 1 : (size_t) (iw * scale + 0.5),
						 ih * scale < 1 ? 1 : (size_t) (ih * scale + 0.5));
	MagickSetImageFormat(w, "JPEG");
	MagickSetImageCompressionQuality(w, 80);
	out = MagickGetImageBlob(w, &out_len);
	MagickRelinquishMemory(out);
	DestroyMagickWand(w);
	return cb_now() - t0;
}

/* Can ImageMagick read these bytes (its build may lack a coder, e.g. HEIC)? */
static int
magick_reads(const image_case *c)
{
	MagickWand *w = NewMagickWand();
	int			ok = MagickPingImageBlob(w, c->bytes, c->len) == MagickTrue;

	DestroyMagickWand(w);
	return ok;
}

/* Stores the case's file with media.put() and keeps its id. */
static void
store_case(image_case *c)
{
	uint32_t	type = CB_BYTEAOID;
	const char *val = (const char *) c->bytes;
	int			len = (int) c->len;
	PGresult   *res = cb_exec("SELECT media.put($1)", 1, &type, &val, &len, 0);

	c->id = cb_result_int(res);
	PQclear(res);
}

/* Times one case and reports pg_media against libvips (goal) and ImageMagick (info). */
static void
run_image_case(image_case *c, const char *file)
{
	const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	char		lp[128],
				lv[128],
				lm[128],
				what[384];
	cb_side		s[3] = {{lp, side_pg_media, c}, {lv, side_vips, c}, {lm, side_magick, c}};
	int			with_magick = !c->cover && magick_reads(c);

	snprintf(lp, sizeof(lp), "pg_media transform %s %s %d", c->mode, base, c->box);
	snprintf(lv, sizeof(lv), "libvips in process %s %s %d", c->mode, base, c->box);
	snprintf(lm, sizeof(lm), "ImageMagick in process %s %s %d", c->mode, base, c->box);
	store_case(c);
	cb_run_group(s, with_magick ? 3 : 2);
	snprintf(what, sizeof(what), "client: SELECT media.transform(id, %d, %d, '%s', 'jpeg', 80) of stored %s (%.1f MB; file read + transform + round trip) vs libvips in process (vips_thumbnail_buffer%s + JPEG q80, 1 thread); ratio = time / libvips' time",
			 c->box, c->box, c->cover ? "cover" : "contain", base, c->len / 1e6,
			 c->cover ? " crop=centre" : "");
	cb_report(what, &s[0], &s[1], 0, 0, "<= 1.0", 1.0);
	if (with_magick)
	{
		snprintf(what, sizeof(what), "client: the same media.transform() vs ImageMagick in process (MagickWand: read blob, MagickThumbnailImage, JPEG q80; 1 thread); ratio = time / ImageMagick's time");
		cb_report(what, &s[0], &s[2], 0, 0, "info", -1);
	}
}

/* The image comparisons: MODE FILE BOX triples. */
void
cb_images(int ncase, char **cases)
{
	PQclear(cb_exec("SET media.thumbnail_sizes = '17x17'", 0, NULL, NULL, NULL, 0));
	/* a 12 MP HEIC is decoded whole by libheif (187 MB): over the default 64MB budget */
	PQclear(cb_exec("SET media.max_decode_memory = '256MB'", 0, NULL, NULL, NULL, 0));
	if (VIPS_INIT("client_bench"))
		vips_error_exit(NULL);
	vips_concurrency_set(1);
	vips_cache_set_max(0);
	MagickWandGenesis();
	MagickSetResourceLimit(ThreadResource, 1);
	for (int i = 0; i < ncase; i++)
	{
		image_case	c = {cases[3 * i], NULL, 0, atoi(cases[3 * i + 2]), 0,
		strcmp(cases[3 * i], "cover-centre") == 0};

		if (c.box < 1 || (!c.cover && strcmp(c.mode, "contain") != 0))
		{
			fprintf(stderr, "client_bench: bad image case %s %s\n", c.mode, cases[3 * i + 2]);
			exit(2);
		}
		c.bytes = bench_read_file(cases[3 * i + 1], &c.len);
		run_image_case(&c, cases[3 * i + 1]);
		free(c.bytes);
	}
	MagickWandTerminus();
	vips_shutdown();
}
