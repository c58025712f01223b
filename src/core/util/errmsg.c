/*
 * util/errmsg.c - writes a parser's error message (util/errmsg.h).
 */
#include "util/errmsg.h"

#include <stdarg.h>
#include <stdio.h>

/* Formats the message, if there is a buffer; returns -1. */
int
mm_errmsg(char *err, size_t errlen, const char *fmt,...)
{
	va_list		ap;

	if (err != NULL && errlen > 0)
	{
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}
