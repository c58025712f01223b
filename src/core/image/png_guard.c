/*
 * image/png_guard.c - libpng's error, warning and memory callbacks for the
 * image core.
 *
 * libpng reports a fatal error by calling the error function, which must
 * not return; ours records the message in the call's context and longjmps
 * to the setjmp of the core function that is driving libpng, which then
 * destroys the libpng structs and frees its own buffers.  Warnings (a bad
 * ancillary chunk, say) do not stop decoding or encoding.  All of libpng's
 * memory goes through the core's capped allocator.
 */
#include "image/png.h"

#include <string.h>

/* libpng's fatal error: record it and jump back to the guard's setjmp. */
static void
guard_error(png_structp png, png_const_charp msg)
{
	mm_png_guard *g = png_get_error_ptr(png);

	mm_img_fail(g->ctx, g->fail_status, "%s: %s", g->what, msg);
	longjmp(g->jb, 1);
}

/* libpng's warnings are ignored. */
static void
guard_warning(png_structp png, png_const_charp msg)
{
	(void) png;
	(void) msg;
}

/* libpng's allocations, through the core's capped allocator. */
static png_voidp
guard_malloc(png_structp png, png_alloc_size_t size)
{
	mm_png_guard *g = png_get_mem_ptr(png);

	return mm_img_alloc(g->ctx, size);
}

/* libpng's frees. */
static void
guard_free(png_structp png, png_voidp ptr)
{
	mm_png_guard *g = png_get_mem_ptr(png);

	mm_img_release(g->ctx, ptr);
}

/* Fills in the guard; see image/png.h. */
void
mm_png_guard_init(mm_png_guard *g, mm_img_ctx *ctx, mm_img_status fail_status, const char *what)
{
	memset(g, 0, sizeof(*g));
	g->ctx = ctx;
	g->fail_status = fail_status;
	g->what = what;
}

/* Creates the libpng structs with the guard's callbacks; see image/png.h. */
mm_img_status
mm_png_guard_create(mm_png_guard *g, int writing)
{
	g->writing = writing;
	if (writing)
		g->png = png_create_write_struct_2(PNG_LIBPNG_VER_STRING, g, guard_error, guard_warning,
										   g, guard_malloc, guard_free);
	else
		g->png = png_create_read_struct_2(PNG_LIBPNG_VER_STRING, g, guard_error, guard_warning,
										  g, guard_malloc, guard_free);
	if (g->png == NULL)
		return mm_img_fail(g->ctx, MM_IMG_NOMEM, "libpng could not start");
	g->info = png_create_info_struct(g->png);
	if (g->info == NULL)
		return mm_img_fail(g->ctx, MM_IMG_NOMEM, "libpng could not start");
	return MM_IMG_OK;
}

/* Frees the libpng structs; see image/png.h. */
void
mm_png_guard_destroy(mm_png_guard *g)
{
	if (g->png == NULL)
		return;
	if (g->writing)
		png_destroy_write_struct(&g->png, g->info ? &g->info : NULL);
	else
		png_destroy_read_struct(&g->png, g->info ? &g->info : NULL, NULL);
	g->png = NULL;
	g->info = NULL;
}
