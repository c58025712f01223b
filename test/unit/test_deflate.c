/*
 * test_deflate.c - unit tests of util/deflate.c and util/compressible.c: round
 * trips at several sizes and levels, the output cap of mm_deflate, exact
 * and short caps of mm_inflate, a decompression bomb (100 MB of zeros)
 * against a 1 MB cap, truncated, corrupt and trailing-garbage streams, and
 * the MIME predicate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/resource.h>

#include <zlib.h>

#include "util/deflate.h"
#include "mm_test.h"
#include "mm_alloc.h"

/* A deterministic PRNG. */
static uint32_t
lcg(uint32_t *state)
{
	*state = *state * 1664525u + 1013904223u;
	return *state >> 8;
}

/*
 * n bytes of test data: kind 0 random, 1 text-like (compressible),
 * 2 zeros.
 */
static uint8_t *
make_data(size_t n, int kind, uint32_t seed)
{
	static const char *words[] = {"media ", "thumbnail ", "chunk ", "postgres ", "the ",
	"bytea ", "\n", "compress ", "zlib ", "of "};
	uint8_t    *p = malloc(n > 0 ? n : 1);
	size_t		i = 0;

	if (p == NULL)
		abort();
	if (kind == 2)
		memset(p, 0, n);
	else if (kind == 0)
		for (i = 0; i < n; i++)
			p[i] = (uint8_t) lcg(&seed);
	else
		while (i < n)
		{
			const char *w = words[lcg(&seed) % 10];
			size_t		k = strlen(w);

			if (k > n - i)
				k = n - i;
			memcpy(p + i, w, k);
			i += k;
		}
	return p;
}

/* Peak resident set size of the process so far, in kB. */
static long
peak_rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* Seconds of CPU time used so far. */
static double
cpu_seconds(void)
{
	return (double) clock() / CLOCKS_PER_SEC;
}

/*
 * A zlib stream of n zero bytes, built with zlib directly in pieces so
 * that the test never holds the n bytes.
 */
static uint8_t *
zero_stream(size_t n, size_t *len)
{
	static uint8_t zeros[65536];
	z_stream	zs;
	size_t		cap = n / 500 + 4096;
	uint8_t    *out = malloc(cap);
	size_t		left = n;

	memset(&zs, 0, sizeof(zs));
	deflateInit(&zs, 9);
	zs.next_out = out;
	zs.avail_out = (uInt) cap;
	do
	{
		size_t		k = left > sizeof(zeros) ? sizeof(zeros) : left;

		zs.next_in = zeros;
		zs.avail_in = (uInt) k;
		left -= k;
		deflate(&zs, left == 0 ? Z_FINISH : Z_NO_FLUSH);
	} while (left > 0);
	*len = cap - zs.avail_out;
	deflateEnd(&zs);
	return out;
}

/* Inflating 100 MB of zeros with a 1 MB cap fails fast and stays small. */
static void
test_bomb(void)
{
	size_t		len;
	uint8_t    *bomb = zero_stream((size_t) 100 * 1024 * 1024, &len);
	long		rss0 = peak_rss_kb();
	double		t0 = cpu_seconds();
	uint8_t    *out = NULL;
	size_t		out_len = 0;
	mm_inflate_status st;
	uint8_t    *dst;

	st = mm_inflate_alloc(bomb, len, (size_t) 1024 * 1024, &out, &out_len);
	MM_CHECK(st == MM_INFLATE_TOO_BIG && out == NULL && out_len == 0,
			 "bomb (%zu bytes -> 100 MB), 1 MB cap: too big", len);
	MM_CHECK(cpu_seconds() - t0 < 0.5, "bomb: refused fast (%.3f s)", cpu_seconds() - t0);
	MM_CHECK(peak_rss_kb() - rss0 < 16 * 1024,
			 "bomb: memory stayed near the cap (peak grew %ld kB)", peak_rss_kb() - rss0);

	dst = malloc(1024 * 1024);
	st = mm_inflate(bomb, len, dst, 1024 * 1024, &out_len);
	MM_CHECK(st == MM_INFLATE_TOO_BIG, "bomb into a 1 MB buffer: too big");
	free(dst);
	free(bomb);

	/* a small stream inflating to 1000 bytes, capped just below and at */
	bomb = zero_stream(1000, &len);
	st = mm_inflate_alloc(bomb, len, 999, &out, &out_len);
	MM_CHECK(st == MM_INFLATE_TOO_BIG && out == NULL, "1000 bytes with a 999 cap: too big");
	st = mm_inflate_alloc(bomb, len, 1000, &out, &out_len);
	MM_CHECK(st == MM_INFLATE_OK && out_len == 1000, "1000 bytes with a 1000 cap: ok");
	free(out);
	free(bomb);
}

/* Round trips through every entry point. */
static void
test_round_trips(void)
{
	static const size_t sizes[] = {0, 1, 100, 4096, 65537, 1000000, 5000000};
	static const int levels[] = {1, 6, 9};
	size_t		i;
	int			kind;
	int			l;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (kind = 0; kind <= 2; kind++)
			for (l = 0; l < 3; l++)
			{
				size_t		n = sizes[i];
				uint8_t    *src = make_data(n, kind, (uint32_t) (n + kind));
				size_t		cap = mm_deflate_bound(n);
				uint8_t    *z = malloc(cap);
				uint8_t    *back = malloc(n + 1);
				uint8_t    *out = NULL;
				size_t		zlen = 0;
				size_t		blen = 0;
				int			rc;
				mm_inflate_status st;
				mm_inflate_status st2;

				rc = mm_deflate(src, n, levels[l], z, cap, &zlen);
				st = rc == 0 ? mm_inflate(z, zlen, back, n, &blen) : MM_INFLATE_CORRUPT;
				st2 = rc == 0 ? mm_inflate_alloc(z, zlen, n, &out, &blen) : MM_INFLATE_CORRUPT;
				MM_CHECK(rc == 0 && zlen <= cap && st == MM_INFLATE_OK && st2 == MM_INFLATE_OK &&
						 blen == n && memcmp(back, src, n) == 0 && out != NULL &&
						 memcmp(out, src, n) == 0,
						 "round trip: %zu bytes of %s at level %d (%zu compressed)", n,
						 kind == 0 ? "random" : kind == 1 ? "text" : "zeros", levels[l], zlen);
				if (kind == 1 && n >= 4096 && l == 1)
					MM_CHECK(zlen < n / 2, "text compresses well (%zu -> %zu)", n, zlen);
				free(out);
				free(src);
				free(z);
				free(back);
			}
}

/* mm_deflate refuses output that does not fit the cap. */
static void
test_caps(void)
{
	size_t		n = 100000;
	uint8_t    *rnd = make_data(n, 0, 7);
	uint8_t    *txt = make_data(n, 1, 7);
	uint8_t    *z = malloc(mm_deflate_bound(n));
	uint8_t    *back = malloc(n);
	size_t		zlen = 0;
	size_t		blen = 0;
	size_t		full = 0;

	MM_CHECK(mm_deflate(rnd, n, 6, z, n - n / 10, &zlen) == -1 && zlen == 0,
			 "random data does not fit 90%% of its size: refused");
	MM_CHECK(mm_deflate(txt, n, 6, z, n - n / 10, &zlen) == 0 && zlen < n / 2,
			 "text fits 90%% of its size");
	MM_CHECK(mm_deflate(txt, n, 6, z, zlen, &full) == 0 && full == zlen,
			 "a cap of exactly the compressed size fits");
	MM_CHECK(mm_deflate(txt, n, 6, z, zlen - 1, &full) == -1, "one byte less does not");
	MM_CHECK(mm_deflate(txt, n, 0, z, n, &full) == -1 && mm_deflate(txt, n, 10, z, n, &full) == -1,
			 "levels outside 1-9 are refused");
	MM_CHECK(mm_deflate_bound(0) > 0 && mm_deflate_bound(n) > n &&
			 mm_deflate_bound(SIZE_MAX) == SIZE_MAX, "deflate bound");

	MM_CHECK(mm_inflate(z, zlen, back, n, &blen) == MM_INFLATE_OK && blen == n &&
			 memcmp(back, txt, n) == 0, "inflate with the exact size as cap");
	MM_CHECK(mm_inflate(z, zlen, back, n - 1, &blen) == MM_INFLATE_TOO_BIG,
			 "inflate with one byte less: too big");
	MM_CHECK(mm_inflate(z, zlen, back, 0, &blen) == MM_INFLATE_TOO_BIG,
			 "inflate with no room: too big");
	free(rnd);
	free(txt);
	free(z);
	free(back);
}

/* Truncated, corrupt and padded streams fail with the right status. */
static void
test_damage(void)
{
	size_t		n = 50000;
	uint8_t    *txt = make_data(n, 1, 3);
	uint8_t    *z = malloc(mm_deflate_bound(n) + 16);
	uint8_t    *back = malloc(n);
	uint8_t    *copy;
	size_t		zlen = 0;
	size_t		blen;
	size_t		cut;
	int			all_truncated = 1;
	int			none_ok = 1;
	int			k;
	uint32_t	seed = 99;
	uint8_t    *out;

	mm_deflate(txt, n, 6, z, mm_deflate_bound(n), &zlen);
	copy = malloc(zlen + 16);
	for (cut = 1; cut < zlen; cut += 1 + zlen / 50)
	{
		mm_inflate_status st = mm_inflate(z, cut, back, n, &blen);
		mm_inflate_status st2 = mm_inflate_alloc(z, cut, n, &out, &blen);

		if (st != MM_INFLATE_TRUNCATED || st2 != MM_INFLATE_TRUNCATED)
			all_truncated = 0;
	}
	MM_CHECK(all_truncated, "every truncation of the stream is reported as truncated");
	MM_CHECK(mm_inflate(z, zlen - 1, back, n, &blen) == MM_INFLATE_TRUNCATED,
			 "missing the last checksum byte: truncated");
	MM_CHECK(mm_inflate(z, 0, back, n, &blen) == MM_INFLATE_TRUNCATED &&
			 mm_inflate_alloc(z, 0, n, &out, &blen) == MM_INFLATE_TRUNCATED,
			 "empty input: truncated");

	memcpy(copy, z, zlen);
	copy[0] = 0x00;
	MM_CHECK(mm_inflate(copy, zlen, back, n, &blen) == MM_INFLATE_CORRUPT,
			 "bad zlib header: corrupt");
	memcpy(copy, z, zlen);
	copy[zlen - 1] ^= 0x55;
	MM_CHECK(mm_inflate(copy, zlen, back, n, &blen) == MM_INFLATE_CORRUPT,
			 "bad checksum: corrupt");
	memcpy(copy, z, zlen);
	memcpy(copy + zlen, "garbage", 7);
	MM_CHECK(mm_inflate(copy, zlen + 7, back, n, &blen) == MM_INFLATE_CORRUPT &&
			 mm_inflate_alloc(copy, zlen + 7, n, &out, &blen) == MM_INFLATE_CORRUPT,
			 "trailing bytes after the stream: corrupt");
	MM_CHECK(mm_inflate((const uint8_t *) "hello world", 11, back, n, &blen) == MM_INFLATE_CORRUPT,
			 "text is not a zlib stream");
	for (k = 0; k < 500; k++)
	{
		mm_inflate_status st;

		memcpy(copy, z, zlen);
		copy[2 + lcg(&seed) % (zlen - 2)] ^= (uint8_t) (1 + lcg(&seed) % 255);
		st = mm_inflate(copy, zlen, back, n, &blen);
		if (st == MM_INFLATE_OK)
			none_ok = 0;
		st = mm_inflate_alloc(copy, zlen, n, &out, &blen);
		if (st == MM_INFLATE_OK)
		{
			none_ok = 0;
			free(out);
		}
		else if (out != NULL)
			none_ok = 0;
	}
	MM_CHECK(none_ok, "500 corrupted streams: all refused (checksum or structure)");

	/* a stream of nothing */
	{
		uint8_t		e[16];
		size_t		elen;

		MM_CHECK(mm_deflate(e, 0, 6, e, sizeof(e), &elen) == 0 &&
				 mm_inflate_alloc(e, elen, 0, &out, &blen) == MM_INFLATE_OK && out != NULL &&
				 blen == 0, "an empty stream inflates to an empty buffer");
		free(out);
	}
	free(copy);
	free(txt);
	free(z);
	free(back);
}

/* Which MIME types are worth compressing. */
static void
test_mime(void)
{
	static const char *yes[] = {"text/plain", "text/html; charset=utf-8", "TEXT/CSV",
		"application/json", "application/ld+json", "application/xml", "image/svg+xml",
		"application/pdf", "image/bmp", "image/tiff", "audio/wav", "audio/x-wav",
		"image/x-portable-pixmap", "image/x-portable-greymap", "image/x-tga",
		"application/postscript", "application/x-tar", "font/ttf", "font/otf",
		"image/x-icon", "image/vnd.adobe.photoshop", "image/x-xcf", "audio/aiff",
	"application/atom+xml", " text/markdown ", NULL};
	static const char *no[] = {"image/jpeg", "image/png", "image/gif", "image/webp",
		"image/avif", "audio/mpeg", "video/mp4", "video/webm", "audio/ogg", "application/zip",
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"application/gzip", "application/x-xz", "application/x-7z-compressed", "font/woff",
		"font/woff2", "application/octet-stream", "", "text/", "image/x-portable-",
	"application/epub+zip", NULL};
	int			i;
	int			good = 1;

	for (i = 0; yes[i] != NULL; i++)
		if (!mm_mime_compresses(yes[i]))
		{
			good = 0;
			printf("# should compress: %s\n", yes[i]);
		}
	MM_CHECK(good, "text, markup and uncompressed formats compress");
	good = 1;
	for (i = 0; no[i] != NULL; i++)
		if (mm_mime_compresses(no[i]))
		{
			good = 0;
			printf("# should not compress: %s\n", no[i]);
		}
	MM_CHECK(good, "already-compressed formats do not");
	MM_CHECK(!mm_mime_compresses(NULL), "NULL does not");
}

/* Polls seen by h_interrupted, and the one it says stop at (0: never). */
static int	polls;
static int	stop_after;

/* Interrupt hook that counts polls and stops at the stop_after-th. */
static int
h_interrupted(void *arg)
{
	(void) arg;
	polls++;
	return stop_after > 0 && polls >= stop_after;
}

/* Fresh counts for the next hooked call. */
static void
reset_hooks(alloc_stats *mem, int stop)
{
	memset(mem, 0, sizeof(*mem));
	polls = 0;
	stop_after = stop;
}

/*
 * Hooks: zlib's memory and the output buffer come from the caller, work is
 * sliced so an interrupt stops it at once and frees everything, and the
 * output keeps out_front bytes in front of the data.
 */
static void
test_hooks(void)
{
	size_t		n = (size_t) 8 * 1024 * 1024;
	uint8_t    *txt = make_data(n, 1, 7);
	size_t		cap = mm_deflate_bound(n);
	uint8_t    *z = malloc(cap);
	size_t		zlen = 0;
	uint8_t    *out = NULL;
	size_t		out_len = 0;
	alloc_stats mem;
	mm_zlib_hooks hooks = {h_interrupted, hook_alloc, hook_free, &mem, 8};
	int			rc;
	mm_inflate_status st;

	reset_hooks(&mem, 0);
	rc = mm_deflate_hooked(txt, n, 6, z, cap, &zlen, &hooks);
	MM_CHECK(rc == 0 && mem.live == 0 && mem.biggest > 0,
			 "deflate through the hooks' allocator: ok, all freed (%zu live)", mem.live);
	reset_hooks(&mem, 3);
	rc = mm_deflate_hooked(txt, n, 6, z, cap, &out_len, &hooks);
	MM_CHECK(rc == MM_DEFLATE_INTERRUPTED && polls == 3 && mem.live == 0,
			 "deflate of 8 MB stops at the third poll (%d polls), all freed", polls);

	reset_hooks(&mem, 0);
	st = mm_inflate_alloc_hooked(z, zlen, n, &out, &out_len, &hooks);
	MM_CHECK(polls >= (int) (n / MM_ZLIB_STEP), "inflate polled once per slice (%d polls)", polls);
	MM_CHECK(st == MM_INFLATE_OK && out_len == n && memcmp(out + 8, txt, n) == 0 && mem.live >= n + 8,
			 "inflate into the hooks' buffer, 8 bytes in front: ok (%s)", st == MM_INFLATE_OK ? "ok" : "failed");
	hook_free(&mem, out);
	MM_CHECK(mem.live == 0, "inflate: zlib's memory was freed, the output was all that was left");
	reset_hooks(&mem, 2);
	st = mm_inflate_alloc_hooked(z, zlen, n, &out, &out_len, &hooks);
	MM_CHECK(st == MM_INFLATE_INTERRUPTED && out == NULL && out_len == 0 && mem.live == 0,
			 "inflate interrupted: no output, nothing left allocated (%zu live)", mem.live);
	free(z);
	free(txt);
}

int
main(void)
{
	test_bomb();
	test_round_trips();
	test_caps();
	test_damage();
	test_mime();
	test_hooks();
	return mm_test_done();
}
