/*
 * fuzz_poster.c - libFuzzer harness for video posters (video/poster.c:
 * FFmpeg's mov and Matroska demuxers and the whitelisted decoders behind
 * the core's custom I/O) through mm_video_transform().
 *
 * Only inputs the core sniffs as MP4/MOV or Matroska/WebM are tried, read
 * from memory through the same read callback interface the database
 * uses.  Limits are small (1 Mpx, 64 MB per allocation, a 48 MB budget)
 * so a lying header is refused rather than decoded.  The last byte picks
 * the output format and, for one input in five, after how many polls the
 * call is interrupted.  Findings: a crash, anything left allocated, an
 * output on failure, or a poster outside the box.  FFmpeg is not
 * instrumented: coverage guides the fuzzer through the core's side only.
 */
#include "fuzz_image.h"

#include "image/spec.h"
#include "video/poster.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mm_alloc	a = {count_alloc, count_free, NULL};
	mm_limits	lim = {1000000, (uint64_t) 64 << 20, fuzz_interrupted, NULL, &a, (uint64_t) 48 << 20};
	int			sel = size > 0 ? data[size - 1] : 0;
	mm_video_memory mem;
	mm_video_io io;
	mm_xform	x;
	uint8_t    *out = NULL;
	size_t		out_len = 0;
	mm_thumb_info info;
	char		err[256];
	mm_img_status st;

	if (mm_video_sniff(data, size < MM_VIDEO_SNIFF_LEN ? size : MM_VIDEO_SNIFF_LEN) == MM_VIDEO_NONE)
		return 0;
	polls_left = size % 5 == 0 ? sel * 3 : -1;
	mm_xform_init(&x);
	x.width = 64;
	x.height = 64;
	x.resize = (mm_resize) (sel % 3);
	x.format = (sel & 8) ? MM_THUMB_PNG : MM_THUMB_JPEG;
	mm_video_io_memory(&io, &mem, data, size);
	live = 0;
	st = mm_video_transform(&io, &x, &lim, &out, &out_len, &info, err, sizeof(err));
	if (st == MM_IMG_OK)
	{
		require(out != NULL && out_len > 0);
		require(info.out_width >= 1 && info.out_width <= 64);
		require(info.out_height >= 1 && info.out_height <= 64);
		mm_img_free(&lim, out);
	}
	else
		require(out == NULL && out_len == 0 && err[0] != '\0');
	require(live == 0);
	require(st != MM_IMG_INTERRUPTED || size % 5 == 0);
	return 0;
}
