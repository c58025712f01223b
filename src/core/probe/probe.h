/*
 * probe/probe.h - what a file is, from its bytes: MIME type, kind of media,
 * display size, duration and format details.
 *
 * The client's file name and Content-Type are never consulted.  MIME types
 * are spelled as the WHATWG MIME Sniffing standard and browsers spell them.
 * Every number read from a header is reported as data and never used to
 * size an allocation.
 */
#ifndef MM_PROBE_PROBE_H
#define MM_PROBE_PROBE_H

#include <stdint.h>
#include "util/source.h"

#define MM_PROBE_MAX_DETAILS 24

typedef enum mm_detail_kind
{
	MM_DETAIL_INT,
	MM_DETAIL_BOOL,
	MM_DETAIL_STR
} mm_detail_kind;

/* One format detail, e.g. {"bit_depth", INT, 8} or {"codec", STR, "vp9"}. */
typedef struct mm_detail
{
	const char *key;			/* static string */
	mm_detail_kind kind;
	int64_t		i;				/* INT and BOOL */
	char		s[32];			/* STR, NUL-terminated */
} mm_detail;

typedef struct mm_probe
{
	const char *mime;			/* static string, never NULL after a probe */
	const char *media_type;		/* "image", "video", "audio", "document" or "other" */
	int64_t		width;			/* display size; -1 when unknown or n/a */
	int64_t		height;
	int64_t		duration_ms;	/* -1 when unknown or n/a */
	int			active_content; /* HTML, XHTML, XML, SVG: scripts could run */
	int			ndetails;
	mm_detail	details[MM_PROBE_MAX_DETAILS];
} mm_probe;

typedef enum mm_probe_status
{
	MM_PROBE_OK = 0,			/* *out is filled in */
	MM_PROBE_NEED_DATA			/* add the window src->need_off/need_len and call again */
} mm_probe_status;

/*
 * Probes src.  Bytes that do not parse are not an error: they yield the
 * most specific type that the magic bytes establish, with unknown sizes, or
 * "application/octet-stream".
 */
mm_probe_status mm_probe_source(mm_source *src, mm_probe *out);

/* Convenience for a buffer holding the whole file. */
void		mm_probe_buffer(const uint8_t *data, size_t len, mm_probe *out);

/* The media_type for a MIME type ("image/png" -> "image"). */
const char *mm_media_type_of(const char *mime);

/* Adds a detail to out (ignored once MM_PROBE_MAX_DETAILS are set). */
void		mm_probe_add_int(mm_probe *out, const char *key, int64_t value);
void		mm_probe_add_bool(mm_probe *out, const char *key, int value);
void		mm_probe_add_str(mm_probe *out, const char *key, const char *value);

#endif
