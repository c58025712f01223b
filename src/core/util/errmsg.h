/*
 * util/errmsg.h - the core's parsers report what is wrong as text in a
 * caller's buffer; this writes it.
 */
#ifndef MM_UTIL_ERRMSG_H
#define MM_UTIL_ERRMSG_H

#include <stddef.h>

/*
 * Formats a message into err[0..errlen) (nothing when err is NULL or
 * errlen 0) and returns -1, so a parser can write "return mm_errmsg(...)".
 */
int			mm_errmsg(char *err, size_t errlen, const char *fmt,...)
#if defined(__GNUC__)
			__attribute__((format(printf, 3, 4)))
#endif
			;

#endif
