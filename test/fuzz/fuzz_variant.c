/*
 * fuzz_variant.c - libFuzzer harness for the variant spec (image/variant.h).
 *
 * The input is the spec itself (libFuzzer passes it in an exact-size heap
 * buffer, so ASan catches any read past its length).  Whatever parses must be in
 * bounds, and its normalised form must parse to the same variant and
 * normalise to itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/variant.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parses the input and checks the invariants of a parsed variant. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *spec = (const char *) data;
	char		err[128];
	char		norm[64];
	char		again[64];
	mm_variant	v;
	mm_variant	w;
	size_t		n;

	if (mm_variant_parse(spec, size, 8192, &v, err, sizeof(err)) == 0)
	{
		if (v.width < 1 || v.width > 8192 || v.height < 1 || v.height > 8192 ||
			(v.format != MM_THUMB_JPEG && v.format != MM_THUMB_PNG))
			abort();
		n = mm_variant_format(&v, norm, sizeof(norm));
		if (n >= sizeof(norm) || strlen(norm) != n)
			abort();
		if (mm_variant_parse(norm, n, 8192, &w, err, sizeof(err)) != 0 ||
			w.width != v.width || w.height != v.height || w.format != v.format)
			abort();
		mm_variant_format(&w, again, sizeof(again));
		if (strcmp(norm, again) != 0)
			abort();
	}
	else if (memchr(err, '\0', sizeof(err)) == NULL || err[0] == '\0')
		abort();				/* a refusal always says why */
	return 0;
}
