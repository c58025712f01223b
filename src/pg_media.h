/*
 * pg_media.h - declarations shared by the SQL glue of pg_media.
 *
 * The glue turns the pure-C core's results (src/core) into SQL values and
 * ereport()s, and keeps the files in the media.* tables through SPI.
 */
#ifndef PG_MEDIA_H
#define PG_MEDIA_H

#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "datatype/timestamp.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "image/image.h"
#include "probe/probe.h"
#include "util/sha256.h"
#include "video/poster.h"

/* GUC variables (pg_media.c) */
extern int	media_max_file_size;	/* bytes: largest value put()/get() move whole */
extern int	media_chunk_size;		/* bytes per stored chunk */
extern int	media_max_upload_size_mb;	/* MB; 0 = no limit */
extern char *media_owner;			/* owner recorded for new files; "" = current_user */
extern int	media_isolation;		/* MEDIA_ISOLATION_* */
extern bool media_allow_active_content;
extern bool media_require_scan;
extern bool media_strip_location;
extern int	media_max_open_uploads;
extern int	media_compression;		/* MEDIA_COMPRESSION_* */
extern int	media_compression_level;
extern int	media_max_inflated_size;	/* bytes: cap for media.inflate() */
extern int	media_max_pixels;		/* decoded image size limit (thumbnails) */
extern int	media_thumbnail_quality;	/* JPEG quality of thumbnails */
extern int	media_optimize_jpeg;	/* MEDIA_OPTIMIZE_* */

/* Issue 12, items 3 and 4: dedup scope, derivative cache bounds (pg_media.c) */
extern int	media_dedup;			/* MEDIA_DEDUP_* */
extern char *media_thumbnail_sizes;	/* "WxH,WxH,...": the sizes whose thumbnails are cached */
extern int	media_max_derivatives_size_kb;	/* kB: cap of media.derivatives; 0 = cache nothing */

/* media.dedup: which puts of equal bytes share one blob */
#define MEDIA_DEDUP_AUTO 0			/* owner when media.isolation <> none, else global */
#define MEDIA_DEDUP_GLOBAL 1
#define MEDIA_DEDUP_OWNER 2

/* pg_media.c: refuses to run unless loaded by shared_preload_libraries (issue 12, item 1) */
extern void media_require_preload(void);

/* Issue 12, item 8 */
extern int	media_max_decode_memory;	/* MB: budget of one image decode */

/* Issue 13: the range cap of media.http() */
extern int	media_max_range_size;	/* bytes: most one media.http() body holds */

/* Issue 15: signed URLs (sign_url.c) */
extern char *media_url_signing_keys;	/* "id:secret,...": the first signs; superuser only */
extern bool media_url_signing_keys_valid(const char *value, char *err, size_t errlen);

/* media.optimize_jpeg */
#define MEDIA_OPTIMIZE_OFF 0
#define MEDIA_OPTIMIZE_HUFFMAN 1
#define MEDIA_OPTIMIZE_PROGRESSIVE 2

/* media.compression */
#define MEDIA_COMPRESSION_OFF 0
#define MEDIA_COMPRESSION_AUTO 1

/*
 * pg_media's own SQLSTATEs, class PM (README "Error codes").  Standard
 * codes are used wherever one names the condition (P0002 not found, 54000
 * limit, 53400 quota, 42501 privilege, 0A000 unsupported format, ...); a
 * PM code only where none does.  Classes beginning with a letter from I
 * to Z are implementation-defined in the SQL standard and PostgreSQL
 * itself uses only P0 and XX there, so PM cannot collide with its codes;
 * the digits are the HTTP status an application would answer with.
 */
#define ERRCODE_MEDIA_ACTIVE_CONTENT	MAKE_SQLSTATE('P','M','4','1','5')	/* refused type */
#define ERRCODE_MEDIA_QUARANTINED		MAKE_SQLSTATE('P','M','4','0','3')	/* scan: infected/error */
#define ERRCODE_MEDIA_SCAN_PENDING		MAKE_SQLSTATE('P','M','4','2','3')	/* scan: not yet */

/* media.isolation: which media.files rows a session sees (row-level security) */
#define MEDIA_ISOLATION_NONE 0
#define MEDIA_ISOLATION_ROLE 1
#define MEDIA_ISOLATION_SETTING 2

/* media.files.owner_scope: the two owner namespaces (issue 12, item 2) */
#define MEDIA_SCOPE_ROLE "role"
#define MEDIA_SCOPE_SETTING "setting"

/* A file row as the reading functions need it (storage_file_lookup()). */
typedef struct MediaFile
{
	int64		id;
	int64		blob_id;
	int64		byte_size;
	char	   *name;
	char	   *mime_type;
	char	   *etag;
	char	   *scan_status;
	TimestampTz created_at;
	uint8		sha256[MM_SHA256_DIGEST_LEN];
	bool		is_public;		/* shared caches may keep it (media.set_public()) */
} MediaFile;

/* storage.h declares the storage API (storage.c, blobs.c, chunks.c). */
extern bytea *make_bytea(const void *p, size_t len);

/* ingest.c: turning received bytes into a media.files row */
typedef struct IngestRequest
{
	text	   *name;			/* client's file name, or NULL */
	text	   *declared_type;	/* client's Content-Type, or NULL */
	Jsonb	   *attrs;			/* application attributes */
	char	   *owner;			/* owner to record */
} IngestRequest;

/* An image's placeholder as media.files stores it (placeholder.c); NULLs when it has none. */
typedef struct MediaPlaceholder
{
	char	   *hash;			/* the ThumbHash in base64 */
	char	   *colour;			/* the dominant colour, "#rrggbb" */
} MediaPlaceholder;

extern int64 ingest_file_row(const IngestRequest *req, int64 blob_id, int64 byte_size,
							 const uint8 *sha256, const mm_probe *probe,
							 const MediaPlaceholder *placeholder);
extern bool media_should_compress(const char *mime);

/* core_hooks.c: the core's code with PostgreSQL memory and interrupts */
struct mm_limits;
struct mm_alloc;
struct mm_zlib_hooks;
extern void media_image_limits(struct mm_limits *lim, struct mm_alloc *alloc, MemoryContext cxt);
extern void media_zlib_hooks(struct mm_zlib_hooks *hooks, MemoryContext cxt);

/* transform.c: what ingest may change before storing */
extern bool media_may_transform(const char *mime);
extern const char *media_transform(const char *data, int64 *len, const mm_probe *probe,
								   Jsonb **attrs);
extern Jsonb *media_attrs_add(Jsonb *attrs, const char *key, const char *value);
extern Jsonb *media_attrs_location_removed(Jsonb *attrs, int flags);

/* security.c */
extern char *media_current_owner(void);
extern const char *media_current_owner_scope(void);	/* "role" or "setting" */
extern void media_check_active_content(const mm_probe *probe);
extern void media_check_servable(const MediaFile *file, bool for_scanner);
extern void media_require_writable(const char *function);

/* shard.c: a shard's ids carry its number in bits 52..62 (issue 16) */
#define MEDIA_SHARD_SHIFT 52
extern int	media_shard_number(void);
extern int64 media_shard_random_id(void);

/* limits.c: every size and count limit, in one place */
typedef enum MediaSizeUse
{
	MEDIA_SIZE_STORE,			/* a file stored as one value (put) */
	MEDIA_SIZE_READ				/* bytes read as one value (get, read, thumbnail) */
} MediaSizeUse;

extern bool media_fits_in_memory(int64 size);
extern int64 media_response_cap(void);
extern void media_check_size(int64 size, MediaSizeUse use);
extern void media_check_value_size(size_t size, const char *what, const char *hint);
extern void media_check_upload_size(int64 received, int64 more);
extern void media_check_quota(const char *owner, int64 byte_size);
extern void media_check_upload_quota(const char *owner, int64 len);
extern void media_check_open_uploads(const char *owner);

/* Largest thumbnail box side (thumbnail.c, media.thumbnail_sizes). */
#define MEDIA_THUMB_MAX_BOX 8192

/* derivatives.c: the thumbnail cache (allow-list, lookup, least-recently-used cap) */
extern bool media_thumbnail_sizes_valid(const char *list);
extern bool media_thumbnail_size_listed(int32 width, int32 height);
extern bool media_thumbnail_size_cached(int32 width, int32 height);
extern bytea *derivative_find(int64 source_blob_id, const char *spec, bool touch);
extern void derivative_store(int64 source_blob_id, const char *spec, bytea *data, const char *mime,
							 int32 width, int32 height);

/* thumbnail.c: media.transform() and media.thumbnail() (issue 14: the transform spec) */
struct mm_xform;
extern bytea *media_derived_image(int64 id, const struct mm_xform *x, const char **mime);
extern void media_parse_spec(const char *text, const char *accept, struct mm_xform *x);

/* placeholder.c: image placeholders (issue 14) */
extern bool media_placeholders;		/* media.placeholders: make them at ingest */
extern bool media_placeholder_wanted(const mm_probe *probe);
extern void media_placeholder_for(int64 blob_id, int64 byte_size, const char *content,
								  MediaPlaceholder *placeholder);

/*
 * poster.c: the bytes of a video for the core's posters (issue 14), from
 * memory or read from the chunk store as the core asks; an error a read
 * raised inside FFmpeg is kept and re-thrown by media_video_rethrow().
 */
typedef struct MediaVideoSource
{
	mm_video_io io;
	mm_video_memory mem;		/* bytes in memory */
	const MediaFile *file;		/* or a stored file */
	MemoryContext error_cxt;	/* where a read's error is copied */
	ErrorData  *error;			/* that error, until re-thrown */
} MediaVideoSource;

extern bool media_video_from_bytes(MediaVideoSource *src, const uint8 *data, size_t len);
extern bool media_video_from_file(MediaVideoSource *src, const MediaFile *file);
extern void media_video_rethrow(MediaVideoSource *src);

/* read.c */
extern bytea *media_read_bytes(const MediaFile *file, int64 offset, int64 length);

/* base64_sql.c */
extern bytea *media_base64_decode(const char *src, size_t len);

/* probe_sql.c: probing bytes and stored blobs */
extern void probe_stored_blob(int64 blob_id, int64 byte_size, mm_probe *out);
extern Jsonb *probe_to_jsonb(const mm_probe *probe);

#endif
