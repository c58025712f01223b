/*
 * pg_media.c - module entry point and configuration (GUCs).
 */
#include "pg_media.h"

#include "miscadmin.h"
#include "utils/guc.h"

PG_MODULE_MAGIC;

/* Was the library loaded by shared_preload_libraries (issue 12, item 1)? */
static bool media_preloaded = false;

int			media_max_file_size = 256 * 1024 * 1024;
int			media_chunk_size = 1024 * 1024;
int			media_max_upload_size_mb = 0;
char	   *media_owner = NULL;
int			media_isolation = MEDIA_ISOLATION_NONE;
bool		media_allow_active_content = false;
bool		media_require_scan = false;
bool		media_strip_location = true;
int			media_max_open_uploads = 16;
int			media_compression = MEDIA_COMPRESSION_AUTO;
int			media_compression_level = 6;
int			media_max_inflated_size = 64 * 1024 * 1024;
int			media_max_decode_memory = 64;	/* Issue 12, item 8 */
int			media_max_pixels = 100000000;
int			media_thumbnail_quality = 82;
int			media_optimize_jpeg = MEDIA_OPTIMIZE_OFF;
int			media_dedup = MEDIA_DEDUP_AUTO;
char	   *media_thumbnail_sizes = NULL;
int			media_max_derivatives_size_kb = 256 * 1024;
int			media_max_range_size = 8 * 1024 * 1024;	/* Issue 13 */
bool		media_placeholders = true;	/* Issue 14: placeholders */
char	   *media_url_signing_keys = NULL;	/* Issue 15: signed URLs */

static const struct config_enum_entry optimize_options[] = {
	{"off", MEDIA_OPTIMIZE_OFF, false},
	{"huffman", MEDIA_OPTIMIZE_HUFFMAN, false},
	{"progressive", MEDIA_OPTIMIZE_PROGRESSIVE, false},
	{NULL, 0, false}
};

static const struct config_enum_entry compression_options[] = {
	{"off", MEDIA_COMPRESSION_OFF, false},
	{"auto", MEDIA_COMPRESSION_AUTO, false},
	{NULL, 0, false}
};

static const struct config_enum_entry dedup_options[] = {
	{"auto", MEDIA_DEDUP_AUTO, false},
	{"global", MEDIA_DEDUP_GLOBAL, false},
	{"owner", MEDIA_DEDUP_OWNER, false},
	{NULL, 0, false}
};

static const struct config_enum_entry isolation_options[] = {
	{"none", MEDIA_ISOLATION_NONE, false},
	{"role", MEDIA_ISOLATION_ROLE, false},
	{"setting", MEDIA_ISOLATION_SETTING, false},
	{NULL, 0, false}
};

void		_PG_init(void);

/* Accepts a media.thumbnail_sizes value only when every item reads WxH. */
static bool
check_thumbnail_sizes(char **newval, void **extra, GucSource source)
{
	if (media_thumbnail_sizes_valid(*newval))
		return true;
	GUC_check_errdetail("media.thumbnail_sizes is a comma-separated list of WIDTHxHEIGHT boxes, each side 1 to 8192, e.g. '64x64,256x256'.");
	return false;
}

/*
 * Accepts a media.url_signing_keys value only when it reads as a key list
 * (util/signed_url.h); the message never quotes the value, a secret.
 */
static bool
check_url_signing_keys(char **newval, void **extra, GucSource source)
{
	char		err[160];

	if (media_url_signing_keys_valid(*newval, err, sizeof(err)))
		return true;
	GUC_check_errdetail("media.url_signing_keys: %s.", err);
	GUC_check_errhint("It is a comma-separated list of id:secret keys, e.g. 'k2:<32 random characters>,k1:<the previous secret>'.");
	return false;
}

/* Registers pg_media's settings; each is documented in README.md. */
void
_PG_init(void)
{
	media_preloaded = process_shared_preload_libraries_in_progress;

	DefineCustomIntVariable("media.max_file_size",
							"Largest file that media.put() accepts and media.get() returns as one value.",
							"Larger files go through media.upload_*() and are read with media.parts() or media.read().",
							&media_max_file_size,
							256 * 1024 * 1024,
							0, MaxAllocSize - VARHDRSZ - 1,
							PGC_SUSET,
							GUC_UNIT_BYTE,
							NULL, NULL, NULL);

	DefineCustomIntVariable("media.chunk_size",
							"Size of the parts in which new content is stored.",
							"A range read fetches only the parts that hold it; memory use is bounded by a few parts.",
							&media_chunk_size,
							1024 * 1024,
							8 * 1024, 64 * 1024 * 1024,
							PGC_SUSET,
							GUC_UNIT_BYTE,
							NULL, NULL, NULL);

	DefineCustomIntVariable("media.max_upload_size",
							"Largest file that media.upload_*() accepts; 0 means no limit.",
							NULL,
							&media_max_upload_size_mb,
							0,
							0, PG_INT32_MAX,
							PGC_SUSET,
							GUC_UNIT_MB,
							NULL, NULL, NULL);

	DefineCustomStringVariable("media.owner",
							   "Owner recorded for new files; empty means the session's login role.",
							   "Applications that use one database role set it per transaction to the signed-in user.",
							   &media_owner,
							   "",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomEnumVariable("media.isolation",
							 "Which files each session sees: all, its role's, or media.owner's.",
							 "none: every file (privileges still apply); role: files of the session's login role; "
							 "setting: files whose owner is media.owner, for apps that use one database role.",
							 &media_isolation,
							 MEDIA_ISOLATION_NONE,
							 isolation_options,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("media.allow_active_content",
							 "Accept HTML, XHTML, XML and SVG files, whose scripts a browser could run.",
							 "media.http() always serves them inert (attachment or a sandboxing Content-Security-Policy).",
							 &media_allow_active_content,
							 false,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("media.require_scan",
							 "New files wait in scan_status 'pending' until media.set_scan_result() marks them clean.",
							 NULL,
							 &media_require_scan,
							 false,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("media.strip_location",
							 "Remove location (EXIF GPS, XMP GPS, PNG raw profiles) from JPEG, PNG, WebP and TIFF on ingest, leaving the pixels untouched.",
							 NULL,
							 &media_strip_location,
							 true,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("media.max_open_uploads",
							"Most uploads one owner may have in progress at once.",
							"Abandoned uploads are removed by media.cleanup_uploads().",
							&media_max_open_uploads,
							16,
							1, 100000,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);

	DefineCustomEnumVariable("media.compression",
							 "Compress the stored parts of types that compress (text, JSON, SVG, PDF, BMP, TIFF, WAV, ...).",
							 "auto: deflate each part of such types when that saves at least 10%; off: store bytes as they come. "
							 "Already-compressed formats (JPEG, PNG, MP4, ...) are never recompressed.",
							 &media_compression,
							 MEDIA_COMPRESSION_AUTO,
							 compression_options,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("media.compression_level",
							"zlib level (1 fastest .. 9 smallest) for compressed parts.",
							NULL,
							&media_compression_level,
							6,
							1, 9,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("media.max_inflated_size",
							"Largest result media.inflate() produces; larger is refused as a likely decompression bomb.",
							NULL,
							&media_max_inflated_size,
							64 * 1024 * 1024,
							1024, MaxAllocSize - VARHDRSZ - 1,
							PGC_SUSET,
							GUC_UNIT_BYTE,
							NULL, NULL, NULL);

	DefineCustomIntVariable("media.max_pixels",
							"Largest image (width times height, from its header) that thumbnails decode.",
							"Checked before any pixel memory is allocated, so a decompression bomb is refused at once.",
							&media_max_pixels,
							100000000,
							1, PG_INT32_MAX,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("media.thumbnail_quality",
							"JPEG quality (1-100) of thumbnails.",
							"Part of a cached thumbnail's key: changing it makes new thumbnails.",
							&media_thumbnail_quality,
							82,
							1, 100,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomEnumVariable("media.optimize_jpeg",
							 "Re-encode JPEGs losslessly on ingest: off, huffman (optimized tables) or progressive.",
							 "The decoded pixels stay identical; the file is kept as it came when re-encoding saves nothing.",
							 &media_optimize_jpeg,
							 MEDIA_OPTIMIZE_OFF,
							 optimize_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	/* Issue 12, items 3 and 4: dedup scope and the bounded derivative cache */
	DefineCustomEnumVariable("media.dedup",
							 "Which stores of equal bytes share one copy: every owner's (global) or each owner's own (owner).",
							 "auto (default): owner when media.isolation is not none, else global. Global dedup saves "
							 "storage but lets an owner learn, by timing, that someone stored the same bytes.",
							 &media_dedup,
							 MEDIA_DEDUP_AUTO,
							 dedup_options,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomStringVariable("media.thumbnail_sizes",
							   "Thumbnail boxes (WxH, comma-separated) whose results are cached in media.derivatives.",
							   "Other sizes are computed on every call and never stored, so readers cannot grow the cache at will.",
							   &media_thumbnail_sizes,
							   "64x64,128x128,256x256,512x512",
							   PGC_SUSET,
							   GUC_LIST_INPUT,
							   check_thumbnail_sizes, NULL, NULL);

	DefineCustomIntVariable("media.max_derivatives_size",
							"Most bytes media.derivatives (cached thumbnails) may hold; the least recently used are evicted.",
							"0 caches nothing.",
							&media_max_derivatives_size_kb,
							256 * 1024,
							0, PG_INT32_MAX,
							PGC_SUSET,
							GUC_UNIT_KB,
							NULL, NULL, NULL);

	/* Issue 12, item 8: a memory budget for decoding */
	DefineCustomIntVariable("media.max_decode_memory",
							"Most memory one image decode (thumbnail, JPEG optimization) may hold at once.",
							"Whole-image buffers (interlaced PNG, progressive JPEG) are estimated from the header "
							"and refused before anything is allocated for them.",
							&media_max_decode_memory,
							64,
							1, MaxAllocHugeSize / (1024 * 1024) > PG_INT32_MAX ? PG_INT32_MAX : (int) (MaxAllocHugeSize / (1024 * 1024)),
							PGC_SUSET,
							GUC_UNIT_MB,
							NULL, NULL, NULL);

	/* Issue 13: media.http() answers a range with at most this many bytes */
	DefineCustomIntVariable("media.max_range_size",
							"Most bytes one media.http() response carries: longer ranges get a shorter 206, larger files without a Range no body.",
							"Bounds the memory of each call (and of the application that relays it). Browsers and curl continue from the "
							"Content-Range they get; a file larger than this is streamed with media.parts() when no Range is asked.",
							&media_max_range_size,
							8 * 1024 * 1024,
							64 * 1024, MaxAllocSize - VARHDRSZ - 1,
							PGC_SUSET,
							GUC_UNIT_BYTE,
							NULL, NULL, NULL);

	/*
	 * Issue 14, placeholders: make them at ingest.  Only a cost (a decode
	 * to 100 px per stored image), bounded by the superuser's
	 * media.max_pixels and media.max_decode_memory and no more than a
	 * user can spend with media.transform(); so users may switch it (a
	 * bulk import switches it off and backfills with
	 * media.refresh_placeholders() later), and an administrator sets the
	 * default with ALTER SYSTEM, DATABASE or ROLE.
	 */
	DefineCustomBoolVariable("media.placeholders",
							 "Give each stored image a placeholder (ThumbHash and dominant colour in media.files).",
							 "An image that cannot be decoded within media.max_pixels and media.max_decode_memory is stored without one.",
							 &media_placeholders,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	/*
	 * Issue 15: the keys of signed URLs.  Superuser-only to set and to read
	 * (SHOW, current_setting(), pg_settings): media.sign_url() reads the
	 * variable in C and signs without revealing it.
	 */
	DefineCustomStringVariable("media.url_signing_keys",
							   "Keys of the signed URLs of pg_media serve (id:secret, comma-separated): the first signs, every one verifies.",
							   "List a new key first and keep the old one until the URLs it signed have expired.",
							   &media_url_signing_keys,
							   "",
							   PGC_SUSET,
							   GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE,
							   check_url_signing_keys, NULL, NULL);

	MarkGUCPrefixReserved("media");
}

/*
 * Refuses to go on (55000) unless pg_media was loaded at server start
 * through shared_preload_libraries.  Loaded later (by CREATE EXTENSION, a
 * first function call, session_preload_libraries), the superuser-only
 * settings were only placeholders until then: a client's "-c media.X=..."
 * outranked the administrator's ALTER ROLE / DATABASE / SYSTEM value, and
 * when the library defined the setting it rejected the client's value and
 * fell back to the built-in default, losing the administrator's.  Every
 * function whose behaviour depends on those settings passes through here
 * (spi_begin(), through which all of pg_media's table work goes; the
 * row-level security test, which plain SQL on media.files reaches; the
 * owner of new files; the decoding and inflating limits), so none of
 * them can run under a policy the administrator did not set.
 */
void
media_require_preload(void)
{
	if (!media_preloaded)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("pg_media must be loaded through shared_preload_libraries"),
				 errdetail("Loaded later, its superuser-only settings (media.isolation, media.require_scan, ...) can be overridden by any client's connection options."),
				 errhint("Add pg_media to shared_preload_libraries in postgresql.conf (shared_preload_libraries = 'pg_media') and restart the server.")));
}
