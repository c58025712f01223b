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

#include "probe/probe.h"
#include "util/sha256.h"

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

/* media.optimize_jpeg */
#define MEDIA_OPTIMIZE_OFF 0
#define MEDIA_OPTIMIZE_HUFFMAN 1
#define MEDIA_OPTIMIZE_PROGRESSIVE 2

/* media.compression */
#define MEDIA_COMPRESSION_OFF 0
#define MEDIA_COMPRESSION_AUTO 1

/* media.isolation: which media.files rows a session sees (row-level security) */
#define MEDIA_ISOLATION_NONE 0
#define MEDIA_ISOLATION_ROLE 1
#define MEDIA_ISOLATION_SETTING 2

/* A file row as the reading functions need it (storage.c). */
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
} MediaFile;

/* Saved state of a switch to the storage owner (storage.c). */
typedef struct StorageAccess
{
	Oid			save_userid;
	int			save_sec_context;
	int			save_nestlevel;
} StorageAccess;

/* storage.c: access to the media.* tables */
extern int	media_pin_search_path(void);
extern void media_unpin_search_path(int nestlevel);
extern void storage_enter(StorageAccess *access);
extern void storage_leave(StorageAccess *access);
extern bool storage_lookup_file(int64 id, MediaFile *file);
extern void storage_require_file(int64 id, MediaFile *file);
extern int64 storage_new_blob(void);
extern int64 storage_find_blob(const uint8 *sha256);
extern int64 storage_claim_blob(const uint8 *sha256, int64 byte_size);
extern void storage_delete_blob(int64 blob_id);
extern bytea *make_bytea(const void *p, size_t len);

/* chunks.c: a blob's bytes */
extern int	storage_write_chunks(int64 blob_id, int64 start, const char *data, int64 len,
								 bool compress);
extern void storage_read_range(int64 blob_id, int64 offset, int64 length, char *dest);
extern int64 storage_next_chunk(int64 blob_id, int64 from, bytea **data, bool *damaged);
extern bool storage_blob_compressed(int64 blob_id);

/* ingest.c: turning received bytes into a media.files row */
typedef struct IngestRequest
{
	text	   *name;			/* client's file name, or NULL */
	text	   *declared_type;	/* client's Content-Type, or NULL */
	Jsonb	   *attrs;			/* application attributes */
	char	   *owner;			/* owner to record */
} IngestRequest;

extern int64 ingest_file_row(const IngestRequest *req, int64 blob_id, int64 byte_size,
							 const uint8 *sha256, const mm_probe *probe);
extern void media_check_size(int64 size, bool reading);
extern bool media_should_compress(const char *mime);

/* transform.c: what ingest may change before storing */
extern bool media_may_transform(const char *mime);
extern const char *media_transform(const char *data, int64 *len, const mm_probe *probe,
								   Jsonb **attrs);
extern Jsonb *media_attrs_add(Jsonb *attrs, const char *key, const char *value);

/* security.c */
extern char *media_current_owner(void);
extern void media_check_quota(const char *owner, int64 byte_size);
extern void media_check_open_uploads(const char *owner);
extern void media_check_active_content(const mm_probe *probe);
extern void media_check_servable(const MediaFile *file, bool for_scanner);
extern void media_require_writable(const char *function);

/* read.c */
extern bytea *media_read_bytes(const MediaFile *file, int64 offset, int64 length);

/* base64_sql.c */
extern bytea *media_base64_decode(const char *src, size_t len);

/* probe_sql.c: probing bytes and stored blobs */
extern void probe_stored_blob(int64 blob_id, int64 byte_size, mm_probe *out);
extern Jsonb *probe_to_jsonb(const mm_probe *probe);

#endif
