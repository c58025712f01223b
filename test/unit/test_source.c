/*
 * test_source.c - unit tests of the windowed reader.
 */
#include <string.h>

#include "util/source.h"
#include "mm_test.h"

static uint8_t file[1000];

/* Is buf[0..len) equal to the file's bytes at off? */
static int
same(const uint8_t *buf, uint64_t off, size_t len)
{
	return memcmp(buf, file + off, len) == 0;
}

/* A source over the whole buffer. */
static void
test_mem(void)
{
	mm_source	src;
	uint8_t		buf[64];
	mm_src_status st;
	const uint8_t *p;

	mm_source_init_mem(&src, file, sizeof(file));
	MM_CHECK(src.size == 1000 && src.nwindows == 1, "init_mem: one window of 1000");
	MM_CHECK(mm_read(&src, 0, buf, 64) == MM_SRC_OK && same(buf, 0, 64), "read at 0");
	MM_CHECK(mm_read(&src, 936, buf, 64) == MM_SRC_OK && same(buf, 936, 64), "read to the end");
	MM_CHECK(mm_read(&src, 937, buf, 64) == MM_SRC_EOF && !src.need, "read past the end is EOF, no need");
	MM_CHECK(mm_read(&src, 1000, buf, 0) == MM_SRC_OK, "empty read at the end");
	MM_CHECK(mm_read(&src, 1001, buf, 0) == MM_SRC_EOF, "empty read past the end");
	MM_CHECK(mm_read(&src, UINT64_MAX, buf, 2) == MM_SRC_EOF, "off+len overflow is EOF");
	MM_CHECK(mm_read(&src, 2, buf, SIZE_MAX) == MM_SRC_EOF, "huge len is EOF");
	p = mm_peek(&src, 10, 20, &st);
	MM_CHECK(p == file + 10 && st == MM_SRC_OK, "peek points into the buffer");
	p = mm_peek(&src, 990, 20, &st);
	MM_CHECK(p == NULL && st == MM_SRC_EOF && !src.need, "peek past the end");
	p = mm_peek(&src, UINT64_MAX - 5, 10, &st);
	MM_CHECK(p == NULL && st == MM_SRC_EOF, "peek overflow");
	p = mm_peek(&src, 1000, 0, NULL);
	MM_CHECK(p != NULL, "empty peek at the end, NULL status allowed");

	mm_source_init_mem(&src, NULL, 0);
	MM_CHECK(src.size == 0 && src.nwindows == 0, "empty file");
	MM_CHECK(mm_read(&src, 0, buf, 1) == MM_SRC_EOF, "any read of an empty file is EOF");
	MM_CHECK(mm_read(&src, 0, NULL, 0) == MM_SRC_OK, "empty read of an empty file");
}

/* Windows: adding, reading across them, and the need record. */
static void
test_windows(void)
{
	mm_source	src;
	uint8_t		buf[300];
	mm_src_status st;
	const uint8_t *p;
	int			i;

	mm_source_init(&src, 1000);
	MM_CHECK(src.nwindows == 0 && !src.need, "init: no windows, no need");
	MM_CHECK(mm_read(&src, 0, buf, 4) == MM_SRC_NEED && src.need &&
			 src.need_off == 0 && src.need_len == 4, "read with no windows: need 0+4");
	MM_CHECK(mm_read(&src, 500, buf, 8) == MM_SRC_NEED && src.need_off == 0 &&
			 src.need_len == 4, "only the first unmet read is recorded");
	src.need = 0;

	MM_CHECK(mm_source_add(&src, 0, file, 100) == 0, "add head 0..100");
	MM_CHECK(mm_source_add(&src, 900, file + 900, 100) == 0, "add tail 900..1000");
	MM_CHECK(mm_source_add(&src, 950, file + 950, 51) == -1, "window past the end refused");
	MM_CHECK(mm_source_add(&src, 1001, file, 0) == -1, "window offset past the end refused");
	MM_CHECK(mm_source_add(&src, UINT64_MAX, file, 2) == -1, "overflowing window refused");
	MM_CHECK(mm_source_add(&src, 5, NULL, 5) == -1, "NULL window refused");
	MM_CHECK(mm_source_add(&src, 5, file, 0) == 0 && src.nwindows == 2, "empty window ignored");

	MM_CHECK(mm_read(&src, 10, buf, 50) == MM_SRC_OK && same(buf, 10, 50), "read inside the head");
	MM_CHECK(mm_read(&src, 920, buf, 80) == MM_SRC_OK && same(buf, 920, 80), "read inside the tail");
	memset(buf, 0xEE, sizeof(buf));
	MM_CHECK(mm_read(&src, 90, buf, 20) == MM_SRC_NEED && src.need_off == 90 &&
			 src.need_len == 20, "read over the head's end: need 90+20");
	MM_CHECK(buf[0] == 0xEE, "a NEED read copies nothing");
	MM_CHECK(mm_read(&src, 990, buf, 20) == MM_SRC_EOF && src.need_off == 90, "EOF does not touch need");
	src.need = 0;

	/* adjacent and overlapping windows serve one read together */
	MM_CHECK(mm_source_add(&src, 100, file + 100, 50) == 0, "add adjacent 100..150");
	MM_CHECK(mm_source_add(&src, 140, file + 140, 100) == 0, "add overlapping 140..240");
	MM_CHECK(mm_read(&src, 50, buf, 190) == MM_SRC_OK && same(buf, 50, 190) && !src.need,
			 "read across adjacent and overlapping windows");
	MM_CHECK(mm_read(&src, 50, buf, 191) == MM_SRC_NEED && src.need_off == 50 &&
			 src.need_len == 191, "one byte beyond the union: need");
	src.need = 0;

	p = mm_peek(&src, 100, 50, &st);
	MM_CHECK(p == file + 100 && st == MM_SRC_OK, "peek inside one window");
	p = mm_peek(&src, 90, 20, &st);
	MM_CHECK(p == NULL && st == MM_SRC_NEED && src.need && src.need_off == 90 &&
			 src.need_len == 20, "peek spanning two windows: NEED");
	src.need = 0;
	p = mm_peek(&src, 500, 1, &st);
	MM_CHECK(p == NULL && st == MM_SRC_NEED && src.need_off == 500, "peek outside windows: NEED");

	/* the table fills up */
	mm_source_init(&src, 1000);
	for (i = 0; i < MM_SOURCE_MAX_WINDOWS; i++)
		mm_source_add(&src, (uint64_t) i * 10, file + i * 10, 10);
	MM_CHECK(src.nwindows == MM_SOURCE_MAX_WINDOWS, "16 windows added");
	MM_CHECK(mm_source_add(&src, 500, file + 500, 10) == -1, "17th window refused");
	MM_CHECK(mm_read(&src, 0, buf, 160) == MM_SRC_OK && same(buf, 0, 160),
			 "read across 16 adjacent windows");
}

/* The integer helpers. */
static void
test_ints(void)
{
	static const uint8_t b[8] = {1, 2, 3, 4, 5, 6, 7, 8};

	MM_CHECK(mm_be16(b) == 0x0102 && mm_le16(b) == 0x0201, "16-bit reads");
	MM_CHECK(mm_be32(b) == 0x01020304 && mm_le32(b) == 0x04030201, "32-bit reads");
	MM_CHECK(mm_be64(b) == 0x0102030405060708ull && mm_le64(b) == 0x0807060504030201ull,
			 "64-bit reads");
}

int
main(void)
{
	size_t		i;

	for (i = 0; i < sizeof(file); i++)
		file[i] = (uint8_t) (i * 31 + 7);
	test_mem();
	test_windows();
	test_ints();
	return mm_test_done();
}
