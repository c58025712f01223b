/*
 * parser_one.h - the body of the per-parser libFuzzer harnesses
 * (fuzz_parser_<format>.c): feeds arbitrary bytes to one format probe
 * directly, through a windowed source that starts with a small head window
 * and serves each NEED with exactly the bytes asked for, as the server
 * does.  Checks that a probe never reports a zero or negative size other
 * than "unknown" (-1), always names a MIME type when it claims the bytes,
 * and asks only for bytes inside the file.
 *
 * Each harness defines PARSER (an mm_probe_* function) and includes this.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe/formats.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mm_source	src;
	mm_probe	out;
	uint8_t		head[MM_HEAD_LEN];
	size_t		headlen = size < MM_HEAD_LEN ? size : MM_HEAD_LEN;
	size_t		first = size < 512 ? size : 512;
	int			round;
	int			r = MM_FMT_NO;

	mm_source_init(&src, (uint64_t) size);
	if (first > 0)
		mm_source_add(&src, 0, data, first);
	memcpy(head, data, headlen);
	for (round = 0; round < 16; round++)
	{
		memset(&out, 0, sizeof(out));
		mm_probe_set_type(&out, "application/octet-stream");
		src.need = 0;
		r = PARSER(&src, head, headlen, &out);
		if (r != MM_FMT_NEED)
			break;
		if (!src.need || src.need_off >= size || src.need_len == 0)
			abort();			/* asked for bytes that are not in the file */
		if (mm_source_add(&src, src.need_off, data + src.need_off,
						  src.need_len < size - src.need_off ? src.need_len : size - src.need_off) != 0)
			break;				/* windows full: the server gives up here too */
	}
	if (r == MM_FMT_YES)
	{
		if (out.mime == NULL || out.media_type == NULL)
			abort();
		if (out.width == 0 || out.width < -1 || out.height == 0 || out.height < -1 ||
			out.duration_ms < -1)
			abort();
	}
	return 0;
}
