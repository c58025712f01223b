/*
 * fuzz_name.c - libFuzzer harness for mm_sanitize_name.
 *
 * Whatever the input, the result must be a safe stored name: at most
 * MM_NAME_MAX bytes, NUL-terminated at its length, valid UTF-8 with no
 * control character (C0, DEL, C1) and no bidi or line-separator character,
 * no '/' or '\\', not starting or ending with a space or a dot.  Sanitizing
 * it again must change nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/name.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Decodes one strict UTF-8 character at s[0..n); 0 when invalid. */
static size_t
utf8_char(const uint8_t *s, size_t n, uint32_t *cp)
{
	size_t		len;
	uint32_t	c;
	size_t		i;

	if (s[0] < 0x80)
	{
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	c = s[0] & (0x7F >> len);
	for (i = 1; i < len; i++)
	{
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
		c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

/* Sanitizes the input and checks every property of the result. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *in = malloc(size ? size : 1);
	char		out[MM_NAME_MAX + 1];
	char		again[MM_NAME_MAX + 1];
	size_t		n;
	size_t		i;

	if (in == NULL)
		abort();
	if (size > 0)
		memcpy(in, data, size);
	n = mm_sanitize_name(in, size, out);
	free(in);

	if (n > MM_NAME_MAX || out[n] != '\0' || strlen(out) != n)
		abort();
	if (n > 0 && (out[0] == '.' || out[0] == ' ' ||
				  out[n - 1] == '.' || out[n - 1] == ' '))
		abort();
	for (i = 0; i < n;)
	{
		uint32_t	cp = 0;
		size_t		len = utf8_char((const uint8_t *) out + i, n - i, &cp);

		if (len == 0)
			abort();
		if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == '/' || cp == '\\')
			abort();
		if ((cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
			abort();
		i += len;
	}
	if (n > 0 && (strcmp(out, ".") == 0 || strcmp(out, "..") == 0))
		abort();

	/* idempotent */
	if (mm_sanitize_name(out, n, again) != n || memcmp(out, again, n + 1) != 0)
		abort();
	return 0;
}
