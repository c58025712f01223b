/*
 * test_thumbhash.c - ThumbHash placeholders and the dominant colour
 * (src/core/image/thumbhash.c).
 *
 * Against the format's reference: when node and the npm package "thumbhash"
 * are there (test/cli/node_modules, installed by cli/install-deps.sh test),
 * the same pixels must give the same hash bytes, and the same hash the same
 * decoded pixels (within 1 of 255: cos() may differ in the last bit between
 * C and JavaScript).  Without node those checks are skipped with a note, and
 * the properties below still run: round trips, aspect ratios, alpha,
 * truncated and hostile hashes.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mm_test.h"
#include "image/thumbhash.h"

#define REF_DIR "../cli"

/* A test picture: a gradient with a bright disc, optional alpha falling off to the right. */
static void
make_image(int w, int h, int alpha, unsigned seed, uint8_t *rgba)
{
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
		{
			uint8_t    *p = rgba + (size_t) (y * w + x) * 4;
			double		dx = x - w * 0.3,
						dy = y - h * 0.6;
			int			disc = dx * dx + dy * dy < (w * w) / 16.0;

			p[0] = (uint8_t) (disc ? 250 : (x * 255 / w + seed * 37) % 256);
			p[1] = (uint8_t) (disc ? 220 : (y * 255 / h + seed * 91) % 256);
			p[2] = (uint8_t) (disc ? 40 : ((x + y) * 127 / (w + h) + seed * 13) % 256);
			p[3] = alpha ? (uint8_t) (255 - x * 255 / w) : 255;
		}
}

/* Runs the reference; returns its first output line (static buffer) or NULL. */
static const char *
run_ref(const char *args)
{
	static char line[32768];
	char		cmd[512];
	FILE	   *f;

	snprintf(cmd, sizeof(cmd), "cd %s && node thumbhash_ref.mjs %s 2>/dev/null", REF_DIR, args);
	f = popen(cmd, "r");
	if (!f)
		return NULL;
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	if (pclose(f) != 0 || !line[0])
		return NULL;
	line[strcspn(line, "\n")] = 0;
	return line;
}

static void
to_hex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * n] = 0;
}

/*
 * Is the reference's hash (hex) ours?  Header bytes must be equal; each
 * four-bit AC term may differ by one, where a term sits on a rounding edge
 * and cos() differs in its last bit between glibc and V8.
 */
static int
hash_close(const char *ref_hex, const uint8_t *hash, size_t n, size_t header)
{
	if (strlen(ref_hex) != 2 * n)
		return 0;
	for (size_t i = 0; i < n; i++)
	{
		unsigned	v;

		sscanf(ref_hex + 2 * i, "%2x", &v);
		if (i < header ? v != hash[i]
			: abs((int) (v & 15) - (hash[i] & 15)) > 1 || abs((int) (v >> 4) - (hash[i] >> 4)) > 1)
			return 0;
	}
	return 1;
}

/* Compares hash and decode with the npm reference for one picture. */
static void
check_reference(int w, int h, int alpha, unsigned seed)
{
	uint8_t    *rgba = malloc((size_t) w * h * 4);
	uint8_t		hash[MM_THUMBHASH_MAX_LEN];
	uint8_t		px[MM_THUMBHASH_OUT_SIDE * MM_THUMBHASH_OUT_SIDE * 4];
	char		hex[2 * MM_THUMBHASH_MAX_LEN + 1],
				args[256],
				path[] = "/tmp/thumbhash_XXXXXX";
	size_t		n;
	int			fd,
				dw,
				dh,
				rw = 0,
				rh = 0,
				off = 0,
				maxdiff = 0;
	const char *got;

	make_image(w, h, alpha, seed, rgba);
	n = mm_thumbhash_encode(w, h, rgba, hash);
	to_hex(hash, n, hex);
	fd = mkstemp(path);
	if (fd < 0 || write(fd, rgba, (size_t) w * h * 4) != (ssize_t) w * h * 4)
	{
		MM_CHECK(0, "reference %dx%d: temp file", w, h);
		free(rgba);
		return;
	}
	close(fd);
	snprintf(args, sizeof(args), "encode %d %d %s", w, h, path);
	got = run_ref(args);
	unlink(path);
	MM_CHECK(got && hash_close(got, hash, n, alpha ? 6 : 5), "reference %dx%d%s: same hash (%s, npm %s)",
			 w, h, alpha ? " alpha" : "", hex, got ? got : "?");

	MM_CHECK(mm_thumbhash_decode(hash, n, px, &dw, &dh) == 0, "decode %dx%d", w, h);
	snprintf(args, sizeof(args), "decode %s", hex);
	got = run_ref(args);
	if (got && sscanf(got, "%d %d %n", &rw, &rh, &off) == 2 && rw == dw && rh == dh &&
		strlen(got + off) == (size_t) dw * dh * 8)
	{
		for (int i = 0; i < dw * dh * 4; i++)
		{
			unsigned	v;

			sscanf(got + off + 2 * i, "%2x", &v);
			if (abs((int) v - px[i]) > maxdiff)
				maxdiff = abs((int) v - px[i]);
		}
		MM_CHECK(maxdiff <= 1, "reference decode %dx%d%s: %dx%d pixels, largest difference %d",
				 w, h, alpha ? " alpha" : "", dw, dh, maxdiff);
	}
	else
		MM_CHECK(0, "reference decode %dx%d: npm gave %dx%d, C %dx%d", w, h, rw, rh, dw, dh);
	free(rgba);
}

int
main(void)
{
	uint8_t		img[100 * 100 * 4],
				hash[MM_THUMBHASH_MAX_LEN],
				px[MM_THUMBHASH_OUT_SIDE * MM_THUMBHASH_OUT_SIDE * 4],
				rgb[3];
	size_t		n;
	int			w,
				h;
	double		r = 0,
				g = 0,
				b = 0;
	int			have_ref = system("cd " REF_DIR " && node -e \"import('thumbhash')\" >/dev/null 2>&1") == 0;

	/* a flat colour comes back as that colour */
	for (int i = 0; i < 40 * 30; i++)
	{
		img[i * 4] = 200;
		img[i * 4 + 1] = 100;
		img[i * 4 + 2] = 50;
		img[i * 4 + 3] = 255;
	}
	n = mm_thumbhash_encode(40, 30, img, hash);
	MM_CHECK(n >= 5 && n <= MM_THUMBHASH_MAX_LEN, "flat 40x30: %zu bytes", n);
	MM_CHECK(mm_thumbhash_decode(hash, n, px, &w, &h) == 0, "flat: decodes");
	/* the aspect ratio kept is the luminance terms' 7:5 */
	MM_CHECK(w == 32 && h == 23, "flat 40x30 decodes landscape 32x23 (got %dx%d)", w, h);
	for (int i = 0; i < w * h; i++)
	{
		r += px[i * 4];
		g += px[i * 4 + 1];
		b += px[i * 4 + 2];
	}
	r /= w * h;
	g /= w * h;
	b /= w * h;
	MM_CHECK(fabs(r - 200) < 8 && fabs(g - 100) < 8 && fabs(b - 50) < 8,
			 "flat colour kept: %.0f,%.0f,%.0f", r, g, b);
	MM_CHECK(mm_dominant_colour(40, 30, img, rgb) == 0 && rgb[0] == 200 && rgb[1] == 100 && rgb[2] == 50,
			 "dominant colour of a flat image is that colour");

	/* portrait, alpha */
	make_image(30, 90, 1, 1, img);
	n = mm_thumbhash_encode(30, 90, img, hash);
	MM_CHECK(hash[2] & 0x80, "alpha flag set for a translucent image");
	w = h = 0;
	MM_CHECK(mm_thumbhash_decode(hash, n, px, &w, &h) == 0, "portrait 30x90 decodes");
	MM_CHECK(h == 32 && w < 16, "portrait 30x90 decodes portrait (%dx%d)", w, h);
	MM_CHECK(px[3] > px[(w - 1) * 4 + 3], "alpha falls off to the right as in the source (%d > %d)",
			 px[3], px[(w - 1) * 4 + 3]);

	/* the dominant colour is the disc's when the disc is the largest region */
	for (int i = 0; i < 20 * 20; i++)
	{
		int			in = i % 20 > 3;

		img[i * 4] = in ? 30 : 240;
		img[i * 4 + 1] = in ? 60 : 240;
		img[i * 4 + 2] = in ? 200 : 240;
		img[i * 4 + 3] = 255;
	}
	MM_CHECK(mm_dominant_colour(20, 20, img, rgb) == 0, "dominant colour of two regions");
	MM_CHECK(rgb[0] == 30 && rgb[1] == 60 && rgb[2] == 200,
			 "dominant colour is the larger region's (%d,%d,%d)", rgb[0], rgb[1], rgb[2]);
	memset(img, 0, 16);
	MM_CHECK(mm_dominant_colour(2, 2, img, rgb) == -1, "fully transparent: no dominant colour");

	/* bad input */
	MM_CHECK(mm_thumbhash_encode(101, 10, img, hash) == 0, "101 px wide refused");
	MM_CHECK(mm_thumbhash_encode(0, 10, img, hash) == 0, "0 px refused");
	make_image(64, 48, 0, 2, img);
	n = mm_thumbhash_encode(64, 48, img, hash);
	for (size_t cut = 0; cut < n; cut++)
		if (mm_thumbhash_decode(hash, cut, px, &w, &h) != -1)
		{
			MM_CHECK(0, "hash cut to %zu of %zu bytes is refused", cut, n);
			break;
		}
	MM_CHECK(1, "every truncation of a %zu-byte hash refused", n);
	{
		uint8_t		zero_side[MM_THUMBHASH_MAX_LEN] = {0};

		MM_CHECK(mm_thumbhash_decode(zero_side, sizeof(zero_side), px, &w, &h) == -1,
				 "a hash announcing a zero-term side is refused");
	}
	{
		uint8_t    *out = NULL;
		size_t		out_len = 0;
		char		err[128];

		mm_img_status st = mm_thumbhash_png(hash, n, NULL, &out, &out_len, err, sizeof(err));

		MM_CHECK(st == MM_IMG_OK && out_len > 8 && memcmp(out, "\x89PNG", 4) == 0,
				 "placeholder renders as a PNG (%zu bytes)", out_len);
		free(out);
		MM_CHECK(mm_thumbhash_png(hash, 3, NULL, &out, &out_len, err, sizeof(err)) == MM_IMG_CORRUPT,
				 "a truncated hash does not render (%s)", err);
	}

	if (!have_ref)
		printf("# npm thumbhash not installed in test/cli: reference comparison skipped\n");
	else
	{
		check_reference(40, 30, 0, 0);
		check_reference(100, 75, 0, 3);
		check_reference(32, 32, 0, 4);
		check_reference(17, 90, 0, 5);
		check_reference(90, 17, 1, 6);
		check_reference(50, 50, 1, 7);
		check_reference(1, 1, 0, 8);
		check_reference(100, 1, 0, 9);
	}
	return mm_test_done();
}
