/*
 * pg_media.c - module entry point and configuration (GUCs).
 */
#include "pg_media.h"

#include "utils/guc.h"

PG_MODULE_MAGIC;

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

static const struct config_enum_entry isolation_options[] = {
	{"none", MEDIA_ISOLATION_NONE, false},
	{"role", MEDIA_ISOLATION_ROLE, false},
	{"setting", MEDIA_ISOLATION_SETTING, false},
	{NULL, 0, false}
};

void		_PG_init(void);

/* Registers pg_media's settings; each is documented in README.md. */
void
_PG_init(void)
{
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
							   "Owner recorded for new files; empty means the current role.",
							   "Applications that use one database role set it per transaction to the signed-in user.",
							   &media_owner,
							   "",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomEnumVariable("media.isolation",
							 "Which files each session sees: all, its role's, or media.owner's.",
							 "none: every file (privileges still apply); role: files whose owner is the current role; "
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

	MarkGUCPrefixReserved("media");
}
