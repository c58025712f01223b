/*
 * upload.c - resumable uploads of files of any size: media.upload_begin(),
 * upload_append(), upload_status(), upload_finish(), upload_abort().
 *
 * Each upload fills a blob of its own, part by part, straight into
 * media.chunks, keeping the running SHA-256 in its media.uploads row; so an
 * upload survives reconnects, memory stays bounded by the part being
 * appended, and finishing never rereads the content.  Upload ids are random
 * 52-bit numbers with the shard's number above them (shard.c), and are
 * honoured only for the owner that began them.
 *
 * The first window (UPLOAD_HEAD_WINDOW bytes, rounded up to the end of a
 * chunk) is where image metadata lives.  Its bytes are stored as they come
 * but held back from the hash; once the window is complete (or at finish,
 * for a smaller file) it is read back, location data is removed from it in
 * place (media.strip_location: same length, so every acknowledged offset
 * stays valid and a resumed upload goes on where it stopped), rewritten
 * when it changed, and only then hashed.  So files of any size lose their
 * location and the SHA-256 is always that of the stored bytes.
 */
#include "storage.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"

#include "image/strip.h"
#include "spi_util.h"
#include "storage_sql.h"

PG_FUNCTION_INFO_V1(media_upload_begin);
PG_FUNCTION_INFO_V1(media_upload_append);
PG_FUNCTION_INFO_V1(media_upload_status);
PG_FUNCTION_INFO_V1(media_upload_finish);
PG_FUNCTION_INFO_V1(media_upload_abort);

/* Bytes at the start of an upload that are cleaned before they are hashed. */
#define UPLOAD_HEAD_WINDOW ((int64) 1024 * 1024)

/* An upload row, as locked by lock_upload(). */
typedef struct Upload
{
	int64		id;
	int64		blob_id;
	int64		received;
	mm_sha256	hash;
	text	   *name;
	text	   *declared_type;
	Jsonb	   *attrs;
	bool		compress;		/* deflate parts: decided from the first part's type */
} Upload;

/*
 * Raised for an upload id that does not exist or belongs to someone else:
 * P0002, as for a file that does not exist.
 */
static void
upload_not_found(int64 id)
{
	ereport(ERROR,
			(errcode(ERRCODE_NO_DATA_FOUND),
			 errmsg("upload " INT64_FORMAT " does not exist", id),
			 errdetail("It was never begun by this owner, or it has already been finished or aborted."),
			 errhint("Start a new upload with media.upload_begin().")));
}

/*
 * Locks the caller's upload id (inside storage_enter()) and loads it;
 * raises "does not exist" for anyone else's.
 */
static void
lock_upload(int64 id, const char *owner, Upload *up)
{
	static SpiStatement lock[2] = OWNER_STATEMENTS(SQL_LOCK_UPLOAD, 2, INT8OID, TEXTOID);
	Datum		values[2] = {Int64GetDatum(id), CStringGetTextDatum(owner)};
	SpiRow		row;
	bytea	   *state;

	spi_begin();
	if (!spi_run_row(&lock[storage_owner_scoped()], values, NULL, false, &row))
		upload_not_found(id);
	up->id = id;
	up->blob_id = spi_row_int64(&row, 1);
	up->received = spi_row_int64(&row, 2);
	state = (bytea *) spi_row_varlena_copy(&row, 3);
	up->name = (text *) spi_row_varlena_copy(&row, 4);
	up->declared_type = (text *) spi_row_varlena_copy(&row, 5);
	up->attrs = (Jsonb *) spi_row_varlena_copy(&row, 6);
	up->compress = spi_row_bool(&row, 7);
	spi_end();
	/* the first window is hashed once it is complete; until then the state is empty */
	if (state == NULL ||
		mm_sha256_load(&up->hash, (const uint8_t *) VARDATA(state), VARSIZE(state) - VARHDRSZ) != 0 ||
		(up->received >= UPLOAD_HEAD_WINDOW && up->hash.total != (uint64) up->received))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("upload " INT64_FORMAT " is damaged", id),
				 errdetail("Its saved hash state does not match the bytes received."),
				 errhint("Abort it with media.upload_abort() and upload the file again.")));
	if (up->received < UPLOAD_HEAD_WINDOW)
		mm_sha256_init(&up->hash);
}

/*
 * Settles an upload's first window of window bytes, all stored: the first
 * old ones by earlier statements, the rest from part (just stored by this
 * one, which a read-only cursor would not see yet).  Removes location data
 * from the window in place (rewriting its chunks when that changed
 * anything, and recording what in up->attrs), then starts the hash with it.
 */
static void
settle_head(Upload *up, int64 window, int64 old, const char *part)
{
	char	   *head = palloc(Max(window, 1));

	storage_chunks_read(up->blob_id, 0, old, head);
	if (window > old)
		memcpy(head + old, part, window - old);
	if (media_strip_location && window > 0)
	{
		mm_probe	probe;
		int			removed = 0;

		mm_probe_buffer((const uint8_t *) head, (size_t) window, &probe);
		if (media_may_transform(probe.mime))
			removed = mm_strip_location((uint8_t *) head, (size_t) window);
		if (removed != 0)
		{
			storage_chunks_replace_head(up->blob_id, head, window, up->compress);
			up->attrs = media_attrs_location_removed(up->attrs, removed);
		}
	}
	mm_sha256_init(&up->hash);
	mm_sha256_update(&up->hash, head, (size_t) window);
	pfree(head);
}

/*
 * Hashes a part of len bytes just stored at offset old: a part wholly
 * after the first window is hashed; the part that completes the window
 * settles it (the window's end is rounded up to the end of the chunk
 * holding its last byte, so the window is made of whole chunks) and hashes
 * the rest; a part inside the window waits.
 */
static void
hash_part(Upload *up, int64 old, const char *part, int64 len)
{
	int64		chunk = media_chunk_size;
	int64		window;

	if (old >= UPLOAD_HEAD_WINDOW)
	{
		mm_sha256_update(&up->hash, part, (size_t) len);
		return;
	}
	if (old + len < UPLOAD_HEAD_WINDOW)
		return;
	window = old + ((UPLOAD_HEAD_WINDOW - old + chunk - 1) / chunk) * chunk;
	window = Min(window, old + len);
	settle_head(up, window, old, part);
	mm_sha256_update(&up->hash, part + (window - old), (size_t) (old + len - window));
}

/* The saved form of a hash state, as a bytea. */
static bytea *
hash_state_bytea(const mm_sha256 *hash)
{
	bytea	   *b = (bytea *) palloc(MM_SHA256_STATE_LEN + VARHDRSZ);

	SET_VARSIZE(b, MM_SHA256_STATE_LEN + VARHDRSZ);
	mm_sha256_save(hash, (uint8_t *) VARDATA(b));
	return b;
}

/* media.upload_begin(name, declared_type, attrs) RETURNS bigint */
Datum
media_upload_begin(PG_FUNCTION_ARGS)
{
	static SpiStatement new_upload = {SQL_NEW_UPLOAD, 7, {INT8OID, INT8OID, TEXTOID, TEXTOID, TEXTOID, JSONBOID, BYTEAOID}};
	char	   *owner = media_current_owner();
	int64		id = media_shard_random_id();
	StorageAccess access;
	mm_sha256	hash;
	Datum		values[7];
	char		nulls[7] = "       ";

	media_require_writable("media.upload_begin()");
	mm_sha256_init(&hash);
	storage_enter(&access);
	media_check_open_uploads(owner);
	values[0] = Int64GetDatum(id);
	values[1] = Int64GetDatum(storage_blob_new());
	values[2] = CStringGetTextDatum(owner);
	values[3] = PG_ARGISNULL(0) ? (nulls[3] = 'n', (Datum) 0) : PG_GETARG_DATUM(0);
	values[4] = PG_ARGISNULL(1) ? (nulls[4] = 'n', (Datum) 0) : PG_GETARG_DATUM(1);
	values[5] = PG_ARGISNULL(2) ? (nulls[5] = 'n', (Datum) 0) : PG_GETARG_DATUM(2);
	values[6] = PointerGetDatum(hash_state_bytea(&hash));
	(void) spi_command(&new_upload, values, nulls);
	storage_leave(&access);
	PG_RETURN_INT64(id);
}

/* media.upload_append(upload bigint, part bytea) RETURNS bigint: bytes received so far */
Datum
media_upload_append(PG_FUNCTION_ARGS)
{
	static SpiStatement progress = {SQL_UPLOAD_PROGRESS, 5, {INT8OID, INT8OID, BYTEAOID, BOOLOID, JSONBOID}};
	int64		id = PG_GETARG_INT64(0);
	bytea	   *part = PG_GETARG_BYTEA_PP(1);
	int64		len = VARSIZE_ANY_EXHDR(part);
	char	   *owner = media_current_owner();
	StorageAccess access;
	Upload		up;
	Datum		values[5];
	char		nulls[5] = "     ";

	media_require_writable("media.upload_append()");
	storage_enter(&access);
	lock_upload(id, owner, &up);
	if (len > 0)
	{
		media_check_upload_size(up.received, len);
		media_check_upload_quota(owner, len);
		if (up.received == 0)
		{
			/* the first part holds the file's header: decide on compression */
			mm_probe	head;

			mm_probe_buffer((const uint8_t *) VARDATA_ANY(part), (size_t) len, &head);
			up.compress = media_should_compress(head.mime);
		}
		storage_chunks_write(up.blob_id, up.received, VARDATA_ANY(part), len, up.compress);
		hash_part(&up, up.received, VARDATA_ANY(part), len);
		up.received += len;
		values[0] = Int64GetDatum(id);
		values[1] = Int64GetDatum(up.received);
		values[2] = PointerGetDatum(hash_state_bytea(&up.hash));
		values[3] = BoolGetDatum(up.compress);
		values[4] = up.attrs ? JsonbPGetDatum(up.attrs) : (nulls[4] = 'n', (Datum) 0);
		(void) spi_command(&progress, values, nulls);
	}
	storage_leave(&access);
	PG_RETURN_INT64(up.received);
}

/* media.upload_status(upload bigint) RETURNS bigint: bytes received so far */
Datum
media_upload_status(PG_FUNCTION_ARGS)
{
	static SpiStatement status[2] = OWNER_STATEMENTS(SQL_UPLOAD_STATUS, 2, INT8OID, TEXTOID);
	int64		id = PG_GETARG_INT64(0);
	Datum		values[2] = {Int64GetDatum(id), CStringGetTextDatum(media_current_owner())};
	StorageAccess access;
	int64		received = 0;

	storage_enter(&access);
	if (!spi_query_int64(&status[storage_owner_scoped()], values, NULL, true, &received))
		upload_not_found(id);
	storage_leave(&access);
	PG_RETURN_INT64(received);
}

/* StorageFill for an upload: its chunks become the new blob's, without copying data. */
static void
fill_from_upload(int64 blob_id, void *arg)
{
	storage_chunks_move(((const Upload *) arg)->blob_id, blob_id);
}

/*
 * Gives an upload's content its final blob: the existing blob with the same
 * key in owner's dedup scope (the upload's own chunks are then dropped), or a new one that
 * takes over the upload's chunks.  Returns the blob id; the upload's row
 * and provisional blob are gone afterwards.
 */
static int64
settle_upload_blob(const Upload *up, const uint8 *sha256, const char *owner)
{
	uint8		key[MM_SHA256_DIGEST_LEN];
	int64		blob_id;

	storage_dedup_key(sha256, owner, key);
	blob_id = storage_blob_store(key, up->received, fill_from_upload, (void *) up);

	/* drops the provisional blob, its remaining chunks and the upload row */
	storage_blob_delete(up->blob_id);
	return blob_id;
}

/*
 * Applies the ingest transforms (location removal, JPEG optimization) to a
 * finished upload of an image they may change: the content is read back,
 * transformed in memory and, if anything changed, its chunks are
 * rewritten, *sha256 recomputed and up->received set to the new length.
 * Returns the content as stored (so the placeholder is made without
 * reading it again), or NULL when it was not read.  Images too large to
 * hold in memory (media.max_file_size) had location removed from their
 * first window only and are not optimized, which attrs records.
 */
static const char *
transform_upload(Upload *up, const mm_probe *probe, uint8 *sha256, Jsonb **attrs)
{
	char	   *content;
	const char *result;
	int64		len = up->received;

	if (!media_may_transform(probe->mime))
		return NULL;
	if (!media_fits_in_memory(len))
	{
		*attrs = media_attrs_add(*attrs, "transforms",
								 "first window only: larger than media.max_file_size");
		return NULL;
	}
	content = palloc(Max(len, 1));
	storage_chunks_read(up->blob_id, 0, len, content);
	result = media_transform(content, &len, probe, attrs);
	if (result != content)
	{
		storage_chunks_delete(up->blob_id);
		storage_chunks_write(up->blob_id, 0, result, len, false);
		mm_sha256(result, (size_t) len, sha256);
		up->received = len;
	}
	return result;
}

/* media.upload_finish(upload bigint) RETURNS bigint: the new file's id */
Datum
media_upload_finish(PG_FUNCTION_ARGS)
{
	int64		id = PG_GETARG_INT64(0);
	IngestRequest req;
	StorageAccess access;
	Upload		up;
	uint8		sha256[MM_SHA256_DIGEST_LEN];
	mm_probe	probe;
	const char *content;
	MediaPlaceholder placeholder = {NULL, NULL};
	int64		blob_id;
	int64		file_id;

	media_require_writable("media.upload_finish()");
	req.owner = media_current_owner();
	storage_enter(&access);
	lock_upload(id, req.owner, &up);
	if (up.received < UPLOAD_HEAD_WINDOW)
		settle_head(&up, up.received, up.received, NULL);
	mm_sha256_final(&up.hash, sha256);
	probe_stored_blob(up.blob_id, up.received, &probe);
	media_check_active_content(&probe);
	req.attrs = up.attrs;
	content = transform_upload(&up, &probe, sha256, &req.attrs);
	blob_id = settle_upload_blob(&up, sha256, req.owner);
	/* content NULL: read back from the blob only when no other file of it has a placeholder */
	if (media_placeholder_wanted(&probe))
		media_placeholder_for(blob_id, up.received, content, &placeholder);
	req.name = up.name;
	req.declared_type = up.declared_type;
	file_id = ingest_file_row(&req, blob_id, up.received, sha256, &probe, &placeholder);
	storage_leave(&access);
	PG_RETURN_INT64(file_id);
}

/* media.upload_abort(upload bigint): discards the upload and its bytes */
Datum
media_upload_abort(PG_FUNCTION_ARGS)
{
	int64		id = PG_GETARG_INT64(0);
	char	   *owner = media_current_owner();
	StorageAccess access;
	Upload		up;

	media_require_writable("media.upload_abort()");
	storage_enter(&access);
	lock_upload(id, owner, &up);
	storage_blob_delete(up.blob_id);
	storage_leave(&access);
	PG_RETURN_VOID();
}
