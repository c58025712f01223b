/*
 * util/name.h - turning a client-supplied file name into a safe stored name.
 */
#ifndef MM_UTIL_NAME_H
#define MM_UTIL_NAME_H

#include <stddef.h>

#define MM_NAME_MAX 255			/* bytes, as most file systems allow */

/*
 * Writes a sanitized form of in[0..inlen) into out (MM_NAME_MAX + 1 bytes,
 * NUL-terminated) and returns its length, 0 when nothing usable is left.
 * Keeps only the last path component ('/' and '\\' both separate), drops
 * control characters (C0, DEL, C1) and invalid UTF-8, trims surrounding
 * spaces and dots (so "..", "." and hidden-file names cannot result), and
 * truncates to MM_NAME_MAX bytes on a character boundary, keeping a short
 * extension (up to 16 bytes) where there is one.
 */
size_t		mm_sanitize_name(const char *in, size_t inlen, char *out);

#endif
