/*
 * fuzz_inflate.c - libFuzzer harness for util/deflate.c.
 *
 * 1. Inflates the input as a zlib stream into a 64 kB buffer and through
 *    mm_inflate_alloc with a 1 MB cap: whatever the bytes, the result is a
 *    status, never a write or an allocation past the cap.
 * 2. Deflates the input at a level taken from its first byte and inflates
 *    it back: the round trip must be exact, and a cap of the compressed
 *    size minus one must be refused.
 * 3. The hooked variants (caller's allocator, sliced work with an interrupt
 *    poll, room in front of the output) give the same results, and every
 *    block they allocate is freed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/deflate.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts (a finding) when cond is false. */
static void
require(int cond)
{
	if (!cond)
		abort();
}

/* Blocks the hooks hold: must be back to 0 after each call (but an output). */
static long hooked_live;

static void *
hooked_alloc(void *arg, size_t size)
{
	(void) arg;
	hooked_live++;
	return malloc(size ? size : 1);
}

static void
hooked_free(void *arg, void *ptr)
{
	(void) arg;
	if (ptr != NULL)
		hooked_live--;
	free(ptr);
}

/* Never interrupts; being set makes the core work in slices. */
static int
hooked_interrupted(void *arg)
{
	(void) arg;
	return 0;
}

/* The hooked inflation agrees with the plain one and frees what it allocates. */
static void
check_hooked(const uint8_t *data, size_t size, mm_inflate_status plain, size_t plain_len)
{
	mm_zlib_hooks hooks = {hooked_interrupted, hooked_alloc, hooked_free, NULL, 4};
	uint8_t    *out = NULL;
	size_t		out_len = 0;
	mm_inflate_status st;

	hooked_live = 0;
	st = mm_inflate_alloc_hooked(data, size, 1024 * 1024, &out, &out_len, &hooks);
	require(st == plain && (st != MM_INFLATE_OK || out_len == plain_len));
	require(hooked_live == (st == MM_INFLATE_OK ? 1 : 0));
	hooked_free(NULL, out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t dst[65536];
	size_t		out_len = 0;
	uint8_t    *out = NULL;
	mm_inflate_status st;
	size_t		cap;
	uint8_t    *z;
	size_t		zlen = 0;
	int			level = size > 0 ? 1 + data[0] % 9 : 6;

	st = mm_inflate(data, size, dst, sizeof(dst), &out_len);
	require(st == MM_INFLATE_OK ? out_len <= sizeof(dst) : out_len == 0);
	st = mm_inflate_alloc(data, size, 1024 * 1024, &out, &out_len);
	check_hooked(data, size, st, out_len);
	if (st == MM_INFLATE_OK)
	{
		require(out != NULL && out_len <= 1024 * 1024);
		free(out);
	}
	else
		require(out == NULL && out_len == 0);

	cap = mm_deflate_bound(size);
	z = malloc(cap);
	require(z != NULL);
	require(mm_deflate(data, size, level, z, cap, &zlen) == 0 && zlen <= cap);
	st = mm_inflate_alloc(z, zlen, size, &out, &out_len);
	require(st == MM_INFLATE_OK && out_len == size && memcmp(out, data, size) == 0);
	free(out);
	if (size > 0)
		require(mm_inflate(z, zlen, dst, size - 1 < sizeof(dst) ? size - 1 : sizeof(dst),
						   &out_len) == MM_INFLATE_TOO_BIG || size - 1 >= sizeof(dst));
	if (zlen > 1)
		require(mm_deflate(data, size, level, z, zlen - 1, &out_len) == -1);
	free(z);
	return 0;
}
