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

#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("media");
#else
	EmitWarningsOnPlaceholders("media");
#endif
}
