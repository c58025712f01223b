/*
 * mm_file.h - reading a whole file for the unit tests (the corpus parts).
 */
#ifndef MM_FILE_H
#define MM_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Reads a whole file into a malloc'd buffer, NUL-terminated (not counted in *len); NULL when it cannot. */
static uint8_t *
read_file(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	uint8_t    *p;
	long		n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
	{
		fclose(f);
		return NULL;
	}
	p = malloc((size_t) n + 1);
	if (p == NULL || fread(p, 1, (size_t) n, f) != (size_t) n)
	{
		free(p);
		fclose(f);
		return NULL;
	}
	p[n] = '\0';
	fclose(f);
	*len = (size_t) n;
	return p;
}

#endif
