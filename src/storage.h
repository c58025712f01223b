/*
 * storage.h - the storage API: how the glue reaches the media.* tables.
 *
 * Three parts, one per file:
 *   storage.c  access: storage_enter()/storage_leave() switch to the
 *              tables' owner (a security-restricted operation with a
 *              pinned search_path); storage_file_*() read a media.files
 *              row as the caller, so GRANTs and row-level security decide.
 *   blobs.c    storage_blob_*(): content-addressed blobs in media.blobs:
 *              find by key (SHA-256, per owner under media.dedup),
 *              store once (one retry rule), delete.
 *   chunks.c   storage_chunks_*(): a blob's bytes in media.chunks: write
 *              in parts (deflated where it pays), read any range, stream.
 * Everything but storage_file_*() runs inside storage_enter().
 */
#ifndef STORAGE_H
#define STORAGE_H

#include "pg_media.h"

/* Saved state of a switch to the storage owner (storage.c). */
typedef struct StorageAccess
{
	Oid			save_userid;
	int			save_sec_context;
	int			save_nestlevel;
} StorageAccess;

/* storage.c: access */
extern void storage_enter(StorageAccess *access);
extern void storage_leave(StorageAccess *access);
extern bool storage_file_lookup(int64 id, MediaFile *file);
extern void storage_file_require(int64 id, MediaFile *file);
extern void storage_file_not_found(int64 id) pg_attribute_noreturn();
extern bool storage_owner_scoped(void);
extern bool storage_has_column(const char *table, const char *column);

/* blobs.c: blob find/store */

/* Fills a newly claimed blob with its content (storage_blob_store()). */
typedef void (*StorageFill) (int64 blob_id, void *arg);

extern void storage_dedup_key(const uint8 *sha256, const char *owner, uint8 *key);
extern int64 storage_blob_new(void);
extern int64 storage_blob_find(const uint8 *sha256);
extern int64 storage_blob_store(const uint8 *sha256, int64 byte_size, StorageFill fill, void *arg);
extern int64 storage_blob_store_bytes(const uint8 *sha256, const char *data, int64 len, bool compress);
extern void storage_blob_delete(int64 blob_id);

/* chunks.c: chunk I/O */
extern int	storage_chunks_write(int64 blob_id, int64 start, const char *data, int64 len,
								 bool compress);
extern void storage_chunks_read(int64 blob_id, int64 offset, int64 length, char *dest);
extern bytea *storage_chunks_read_bytea(int64 blob_id, int64 offset, int64 length);
extern int64 storage_chunks_next(int64 blob_id, int64 from, bytea **data, bool *damaged);
extern bool storage_chunks_compressed(int64 blob_id);
extern void storage_chunks_move(int64 from_blob_id, int64 to_blob_id);
extern void storage_chunks_delete(int64 blob_id);
extern void storage_chunks_replace_head(int64 blob_id, const char *data, int64 len, bool compress);

#endif
