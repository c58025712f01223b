/*
 * image/cmyk.c - CMYK to sRGB through ICC profiles (Little CMS 2).
 *
 * CMYK has no single meaning: the ink values are converted the way
 * libvips does it, through the image's embedded CMYK profile (JPEG APP2
 * ICC_PROFILE, TIFF tag 34675) or, without one, libvips' own fallback
 * profile (cmyk_profile.c), relative colorimetric intent, no black point
 * compensation, to sRGB.  The embedded profile is attacker-controlled
 * bytes: it is used only when it is bounded in size, parses, describes
 * CMYK, reads in that intent and links; anything else falls back.
 *
 * lcms2 runs in a context of its own per image: its errors go to a
 * handler that only records them (nothing is printed, nothing aborts),
 * and every allocation goes through the core allocator (a memory plugin),
 * so the budget covers profiles, pipelines and transform.  Its mutexes are
 * replaced by no-ops (a mutex plugin): a context is used by one decode in
 * one thread, and lcms2 2.14 initialises a NULL mutex when the allocation
 * of one fails (a crash under a tight budget).
 */
#include "image/internal.h"

#include <string.h>

#include <lcms2.h>
#include <lcms2_plugin.h>

/* Larger embedded profiles are not parsed (real CMYK profiles stay well under this). */
#define MM_CMYK_MAX_ICC (4u << 20)

/* Room kept in front of each lcms2 block for its size (realloc needs it). */
#define MM_CMYK_HDR 16

struct mm_cmyk
{
	mm_img_ctx *ctx;
	cmsContext	lcms;
	cmsHTRANSFORM xform;
};

/* lcms2's malloc: a core allocation with its size in front. */
static void *
cmyk_malloc(cmsContext id, cmsUInt32Number size)
{
	mm_img_ctx *ctx = (mm_img_ctx *) cmsGetContextUserData(id);
	uint8_t    *p = mm_img_alloc(ctx, (size_t) size + MM_CMYK_HDR);

	if (p == NULL)
		return NULL;
	memcpy(p, &size, sizeof(size));
	return p + MM_CMYK_HDR;
}

/* lcms2's free. */
static void
cmyk_free(cmsContext id, void *ptr)
{
	if (ptr != NULL)
		mm_img_release((mm_img_ctx *) cmsGetContextUserData(id), (uint8_t *) ptr - MM_CMYK_HDR);
}

/* lcms2's realloc: a new block, the old contents, the old block freed. */
static void *
cmyk_realloc(cmsContext id, void *ptr, cmsUInt32Number size)
{
	cmsUInt32Number old = 0;
	void	   *q = cmyk_malloc(id, size);

	if (q == NULL || ptr == NULL)
		return q;
	memcpy(&old, (uint8_t *) ptr - MM_CMYK_HDR, sizeof(old));
	memcpy(q, ptr, old < size ? old : size);
	cmyk_free(id, ptr);
	return q;
}

/* lcms2's error log: silent (a failure shows as a NULL profile or transform, which falls back). */
static void
cmyk_log(cmsContext id, cmsUInt32Number code, const char *text)
{
	(void) id;
	(void) code;
	(void) text;
}

/* lcms2's mutexes: no-ops, one shared dummy (see the file's header). */
static void *
cmyk_mutex_create(cmsContext id)
{
	static int	dummy;

	(void) id;
	return &dummy;
}

/* Destroys nothing (the dummy mutex is static). */
static void
cmyk_mutex_destroy(cmsContext id, void *mtx)
{
	(void) id;
	(void) mtx;
}

/* Locks nothing: the context never leaves its thread. */
static cmsBool
cmyk_mutex_lock(cmsContext id, void *mtx)
{
	(void) id;
	(void) mtx;
	return TRUE;
}

/* Unlocks nothing. */
static void
cmyk_mutex_unlock(cmsContext id, void *mtx)
{
	(void) id;
	(void) mtx;
}

/* The plugins of every context: no-op mutexes, and memory from the core allocator. */
static cmsPluginMutex cmyk_mutex_plugin = {
	.base = {.Magic = cmsPluginMagicNumber, .ExpectedVersion = 2060, .Type = cmsPluginMutexSig},
	.CreateMutexPtr = cmyk_mutex_create,
	.DestroyMutexPtr = cmyk_mutex_destroy,
	.LockMutexPtr = cmyk_mutex_lock,
	.UnlockMutexPtr = cmyk_mutex_unlock,
};
static cmsPluginMemHandler cmyk_mem_plugin = {
	.base = {.Magic = cmsPluginMagicNumber, .ExpectedVersion = 2060, .Type = cmsPluginMemHandlerSig,
	.Next = &cmyk_mutex_plugin.base},
	.MallocPtr = cmyk_malloc,
	.FreePtr = cmyk_free,
	.ReallocPtr = cmyk_realloc,
};

/*
 * Links profile (NULL: none) to lcms2's sRGB for pixels of format fmt;
 * NULL when the profile is no usable CMYK input profile.  The profile is
 * closed here.
 */
static cmsHTRANSFORM
cmyk_link(cmsContext lcms, cmsHPROFILE profile, cmsUInt32Number fmt)
{
	cmsHPROFILE srgb;
	cmsHTRANSFORM xform = NULL;

	if (profile == NULL)
		return NULL;
	if (cmsGetColorSpace(profile) == cmsSigCmykData &&
		cmsIsIntentSupported(profile, INTENT_RELATIVE_COLORIMETRIC, LCMS_USED_AS_INPUT) &&
		(srgb = cmsCreate_sRGBProfileTHR(lcms)) != NULL)
	{
		xform = cmsCreateTransformTHR(lcms, profile, fmt, srgb, TYPE_RGB_8,
									  INTENT_RELATIVE_COLORIMETRIC, 0);
		cmsCloseProfile(srgb);
	}
	cmsCloseProfile(profile);
	return xform;
}

/*
 * Builds the converter of rows of CMYK to 8-bit RGB: bytes 1 or 2 per
 * sample, stride samples a pixel (the four inks first, the rest skipped),
 * inverted when 0 means full ink (Adobe's JPEGs).  icc/icc_len is the
 * embedded profile (NULL/0: none).  NULL after mm_img_fail.
 */
mm_cmyk *
mm_cmyk_open(mm_img_ctx *ctx, const uint8_t *icc, size_t icc_len, int bytes, int stride,
			 int inverted)
{
	cmsUInt32Number fmt;
	mm_cmyk    *t;

	if ((bytes != 1 && bytes != 2) || stride < 4 || stride > 4 + 7)
	{
		mm_img_fail(ctx, MM_IMG_UNSUPPORTED, "this CMYK layout is not supported");
		return NULL;
	}
	t = mm_img_zalloc(ctx, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->ctx = ctx;
	t->lcms = cmsCreateContext(&cmyk_mem_plugin, ctx);
	if (t->lcms == NULL)
	{
		mm_cmyk_close(t);
		if (ctx->status == MM_IMG_OK)
			mm_img_fail(ctx, MM_IMG_NOMEM, "out of memory for colour management");
		return NULL;
	}
	cmsSetLogErrorHandlerTHR(t->lcms, cmyk_log);
	fmt = COLORSPACE_SH(PT_CMYK) | CHANNELS_SH(4) | BYTES_SH(bytes) |
		EXTRA_SH(stride - 4) | FLAVOR_SH(inverted ? 1 : 0);
	if (icc != NULL && icc_len > 0 && icc_len <= MM_CMYK_MAX_ICC)
		t->xform = cmyk_link(t->lcms, cmsOpenProfileFromMemTHR(t->lcms, icc, (cmsUInt32Number) icc_len), fmt);
	if (t->xform == NULL && ctx->status == MM_IMG_OK)
		t->xform = cmyk_link(t->lcms, cmsOpenProfileFromMemTHR(t->lcms, mm_cmyk_fallback_icc,
															   (cmsUInt32Number) mm_cmyk_fallback_icc_len), fmt);
	if (t->xform == NULL)
	{
		mm_cmyk_close(t);
		if (ctx->status == MM_IMG_OK)
			mm_img_fail(ctx, MM_IMG_UNSUPPORTED, "the CMYK colour profile cannot be used");
		return NULL;
	}
	return t;
}

/* Converts w pixels of CMYK at in to 8-bit RGB at rgb (separate buffers). */
void
mm_cmyk_row(mm_cmyk *t, const void *in, uint8_t *rgb, uint32_t w)
{
	cmsDoTransform(t->xform, in, rgb, w);
}

/* Frees the converter (NULL is fine). */
void
mm_cmyk_close(mm_cmyk *t)
{
	if (t == NULL)
		return;
	if (t->xform != NULL)
		cmsDeleteTransform(t->xform);
	if (t->lcms != NULL)
		cmsDeleteContext(t->lcms);
	mm_img_release(t->ctx, t);
}
