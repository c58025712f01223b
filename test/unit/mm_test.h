/*
 * mm_test.h - a minimal TAP producer for the pure-C core's unit tests.
 *
 * Each test program includes this once, calls MM_CHECK for every assertion
 * and ends main() with "return mm_test_done();".  Output is TAP ("ok N - what"
 * / "not ok N - what", then "1..N"), which test/run-all.sh counts.
 */
#ifndef MM_TEST_H
#define MM_TEST_H

#include <stdio.h>
#include <stdarg.h>

static int	mm_test_count;
static int	mm_test_failed;

/* Records one assertion's outcome with a printf-style description. */
static void
mm_test_report(int ok, const char *file, int line, const char *fmt, ...)
{
	va_list		ap;

	mm_test_count++;
	if (!ok)
		mm_test_failed++;
	printf("%sok %d - ", ok ? "" : "not ", mm_test_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!ok)
		printf("  # at %s:%d", file, line);
	printf("\n");
	fflush(stdout);
}

#define MM_CHECK(cond, ...) mm_test_report(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

/* Prints the plan and returns the process exit status. */
static int
mm_test_done(void)
{
	printf("1..%d\n", mm_test_count);
	return mm_test_failed ? 1 : 0;
}

#endif
