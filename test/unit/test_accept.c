/*
 * test_accept.c - unit tests of Accept header evaluation: q-values,
 * wildcards and their precedence, q=0, malformed members, and the image
 * format a transform with format 'auto' picks for real browsers' values.
 */
#include <string.h>

#include "util/accept.h"
#include "mm_test.h"

/* Checks the q-value a value gives a type. */
static void
check_q(const char *accept, const char *type, int exact_only, int want)
{
	int			q = mm_accept_q(accept, strlen(accept), type, exact_only);

	MM_CHECK(q == want, "q(\"%s\", %s%s) = %d (want %d)", accept, type,
			 exact_only ? ", exact" : "", q, want);
}

/* Checks the format chosen for a value (NULL: no header). */
static void
check_image(const char *accept, mm_accept_image_choice want)
{
	mm_accept_image_choice got = mm_accept_image(accept, accept ? strlen(accept) : 0);

	MM_CHECK(got == want, "image(\"%s\") = %d (want %d)", accept ? accept : "(none)",
			 (int) got, (int) want);
}

/* q-values, their syntax and the most specific range's precedence. */
static void
test_q_values(void)
{
	check_q("image/webp", "image/webp", 0, 1000);
	check_q("image/webp;q=0.5", "image/webp", 0, 500);
	check_q("image/webp ; Q=0.125", "image/webp", 0, 125);
	check_q("IMAGE/WebP;q=1.000", "image/webp", 0, 1000);
	check_q("image/webp;q=0", "image/webp", 0, 0);
	check_q("image/png", "image/webp", 0, -1);
	check_q("", "image/webp", 0, -1);
	check_q("image/*;q=0.3", "image/webp", 0, 300);
	check_q("*/*;q=0.2", "image/webp", 0, 200);
	check_q("*/*;q=0.2", "image/webp", 1, -1);
	/* the most specific range wins, whatever the order */
	check_q("image/webp;q=0.1, image/*;q=0.9, */*", "image/webp", 0, 100);
	check_q("*/*, image/*;q=0.4", "image/jpeg", 0, 400);
	check_q("image/webp;q=0, */*", "image/webp", 0, 0);
	check_q("image/webp;q=0, */*", "image/png", 0, 1000);
	/* equally specific: the highest q */
	check_q("image/webp;q=0.2, image/webp;q=0.7", "image/webp", 0, 700);
	/* other parameters are skipped, also quoted ones holding commas and ';' */
	check_q("image/webp;foo=\"a,b;q=0\";q=0.6", "image/webp", 0, 600);
	check_q("image/webp;q=0.6;ext=1;q=0.1", "image/webp", 0, 600);
}

/* Malformed members are skipped; the rest of the value still counts. */
static void
test_malformed(void)
{
	check_q("image/webp;q=2", "image/webp", 0, -1);
	check_q("image/webp;q=1.5", "image/webp", 0, -1);
	check_q("image/webp;q=0.1234", "image/webp", 0, -1);
	check_q("image/webp;q=", "image/webp", 0, -1);
	check_q("image/webp;q=.5", "image/webp", 0, -1);
	check_q("image/webp;q=0.5x, image/*;q=0.3", "image/webp", 0, 300);
	check_q("imagewebp, image/webp;q=0.4", "image/webp", 0, 400);
	check_q("image/, /webp, image/webp", "image/webp", 0, 1000);
	check_q(",,, image/webp;q=0.9 ,", "image/webp", 0, 900);
	check_q("image/webp junk, image/png", "image/webp", 0, -1);
	check_q("image/webp;foo=\"unclosed", "image/webp", 0, -1);
	check_q("image/webp;;q=1", "image/webp", 0, -1);
	MM_CHECK(mm_accept_q(NULL, 0, "image/webp", 0) == -1, "a NULL value matches nothing");
	MM_CHECK(mm_accept_q("image/webp", 10, "webp", 0) == -1, "a type without '/' matches nothing");
	/* the length bounds the read: "image/webp" cut to "image/we" */
	MM_CHECK(mm_accept_q("image/webp", 8, "image/webp", 0) == -1, "the length bounds the value");
}

/* What format 'auto' gives for real and edge Accept values. */
static void
test_image_choice(void)
{
	check_image(NULL, MM_ACCEPT_JPEG_OR_PNG);
	/* Chrome, Firefox, Safari 17 and an old Chrome */
	check_image("image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8", MM_ACCEPT_AVIF);
	check_image("image/avif,image/webp,*/*", MM_ACCEPT_AVIF);
	check_image("image/webp,image/avif,image/jxl,image/heic,image/heic-sequence,video/*;q=0.8,"
				"image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5", MM_ACCEPT_AVIF);
	check_image("image/webp,image/apng,image/*,*/*;q=0.8", MM_ACCEPT_WEBP);
	/* wildcards alone never select AVIF or WebP */
	check_image("*/*", MM_ACCEPT_JPEG_OR_PNG);
	check_image("image/*", MM_ACCEPT_JPEG_OR_PNG);
	/* q=0 refuses; lower q loses */
	check_image("image/avif;q=0,image/webp,*/*", MM_ACCEPT_WEBP);
	check_image("image/avif;q=0.5,image/webp;q=0.9,*/*;q=0.1", MM_ACCEPT_WEBP);
	check_image("image/avif;q=0.4,image/jpeg,image/png", MM_ACCEPT_JPEG_OR_PNG);
	check_image("image/webp;q=0,image/avif;q=0", MM_ACCEPT_NONE);
	check_image("image/png", MM_ACCEPT_PNG);
	check_image("image/jpeg, image/png;q=0", MM_ACCEPT_JPEG);
	check_image("*/*, image/jpeg;q=0", MM_ACCEPT_PNG);
	check_image("text/html", MM_ACCEPT_NONE);
	check_image("", MM_ACCEPT_NONE);
}

int
main(void)
{
	test_q_values();
	test_malformed();
	test_image_choice();
	return mm_test_done();
}
