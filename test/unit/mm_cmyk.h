/*
 * mm_cmyk.h - what the core's CMYK path (image/cmyk.c) should draw for a
 * test image made of RGB colours stored as CMYK inks 255 - R, 255 - G,
 * 255 - B and no black: the colour of those inks through the fallback
 * profile.  (The pixels' agreement with libvips is test/quality's job;
 * these tests check that the decoders hand the right samples over.)
 */
#ifndef MM_CMYK_H
#define MM_CMYK_H

#include <stdint.h>
#include <string.h>

#include "image/internal.h"

/*
 * out gets the RGB the core draws for the inks of rgb with the embedded
 * profile icc (NULL: none) (out is black if lcms2 failed).
 */
static void
mm_cmyk_expect_with(const uint8_t *icc, size_t icc_len, const uint8_t *rgb, uint8_t *out)
{
	mm_img_ctx	ctx;
	char		err[128];
	uint8_t		ink[4];
	mm_cmyk    *t;

	ink[0] = (uint8_t) (255 - rgb[0]);
	ink[1] = (uint8_t) (255 - rgb[1]);
	ink[2] = (uint8_t) (255 - rgb[2]);
	ink[3] = 0;
	memset(out, 0, 3);
	mm_img_ctx_init(&ctx, NULL, err, sizeof(err));
	t = mm_cmyk_open(&ctx, icc, icc_len, 1, 4, 0);
	if (t != NULL)
		mm_cmyk_row(t, ink, out, 1);
	mm_cmyk_close(t);
}

/* mm_cmyk_expect_with the fallback profile. */
static void
mm_cmyk_expect(const uint8_t *rgb, uint8_t *out)
{
	mm_cmyk_expect_with(NULL, 0, rgb, out);
}

#endif
