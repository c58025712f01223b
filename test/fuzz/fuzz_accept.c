/*
 * fuzz_accept.c - libFuzzer harness for Accept header evaluation.
 *
 * The input is the Accept value, copied into an exact-size heap buffer so
 * ASan catches any read past the length the parser was given.  Checks the
 * invariants: q-values are -1..1000, an exact-only q is found only when the
 * value names the type, the image choice agrees with the q-values it is
 * made of, and the same call gives the same answer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/accept.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const types[] = {"image/avif", "image/webp", "image/jpeg", "image/png"};

/* Does hay[0..n) contain needle, ignoring ASCII case? */
static int
contains_ci(const char *hay, size_t n, const char *needle)
{
	size_t		m = strlen(needle);
	size_t		i;
	size_t		k;

	for (i = 0; i + m <= n; i++)
	{
		for (k = 0; k < m; k++)
		{
			char		c = hay[i + k];

			if (c >= 'A' && c <= 'Z')
				c += 'a' - 'A';
			if (c != needle[k])
				break;
		}
		if (k == m)
			return 1;
	}
	return 0;
}

/* Evaluates the value and checks the invariants. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *value = malloc(size ? size : 1);
	int			q[4];
	int			exact[4];
	int			i;
	mm_accept_image_choice c;

	if (value == NULL)
		abort();
	if (size > 0)
		memcpy(value, data, size);
	for (i = 0; i < 4; i++)
	{
		q[i] = mm_accept_q(value, size, types[i], 0);
		exact[i] = mm_accept_q(value, size, types[i], 1);
		if (q[i] < -1 || q[i] > 1000 || exact[i] < -1 || exact[i] > 1000)
			abort();
		if (exact[i] >= 0 && !contains_ci(value, size, types[i]))
			abort();
		if (q[i] >= 0 && memchr(value, '/', size) == NULL)
			abort();
		if (mm_accept_q(value, size, types[i], 0) != q[i])
			abort();
	}
	c = mm_accept_image(value, size);
	switch (c)
	{
		case MM_ACCEPT_AVIF:
			if (exact[0] <= 0 || exact[0] < exact[1] || exact[0] < q[2] || exact[0] < q[3])
				abort();
			break;
		case MM_ACCEPT_WEBP:
			if (exact[1] <= 0 || exact[1] < q[2] || exact[1] < q[3] || exact[1] <= exact[0])
				abort();
			break;
		case MM_ACCEPT_JPEG_OR_PNG:
			if (q[2] <= 0 || q[3] <= 0)
				abort();
			break;
		case MM_ACCEPT_JPEG:
			if (q[2] <= 0 || q[3] > 0)
				abort();
			break;
		case MM_ACCEPT_PNG:
			if (q[3] <= 0 || q[2] > 0)
				abort();
			break;
		case MM_ACCEPT_NONE:
			if (exact[0] > 0 || exact[1] > 0 || q[2] > 0 || q[3] > 0)
				abort();
			break;
		default:
			abort();
	}
	free(value);
	return 0;
}
