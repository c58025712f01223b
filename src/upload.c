/*
 * upload.c - resumable uploads of files of any size: media.upload_begin(),
 * upload_append(), upload_status(), upload_finish(), upload_abort().
 *
 * Each upload fills a blob of its own, part by part, straight into
 * media.chunks, keeping the running SHA-256 in its media.uploads row; so an
 * upload survives reconnects, memory stays bounded by the part being
 * appended, and finishing never rereads the content.  Upload ids are random
 * 63-bit numbers and are honoured only for the owner that began them.
 */
#include "pg_media.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"

#include "storage_sql.h"

PG_FUNCTION_INFO_V1(media_upload_begin);
PG_FUNCTION_INFO_V1(media_upload_append);
PG_FUNCTION_INFO_V1(media_upload_status);
PG_FUNCTION_INFO_V1(media_upload_finish);
PG_FUNCTION_INFO_V1(media_upload_abort);

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

/* A random positive upload id that cannot be guessed. */
static int64
random_upload_id(void)
{
	uint64		r = 0;

	while (r == 0)
	{
		if (!pg_strong_random(&r, sizeof(r)))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not generate a random upload id")));
		r &= UINT64CONST(0x7FFFFFFFFFFFFFFF);
	}
	return (int64) r;
}

/* Raised for an upload id that does not exist or belongs to someone else. */
static void
upload_not_found(int64 id)
{
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("upload " INT64_FORMAT " does not exist", id),
			 errdetail("It was never begun by this owner, or it has already been finished or aborted."),
			 errhint("Start a new upload with media.upload_begin().")));
}

/* Copies a varlena datum from SPI memory into the caller's context, or NULL. */
static void *
copy_datum(HeapTuple tuple, TupleDesc desc, int col, MemoryContext cxt)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tuple, desc, col, &isnull);
	MemoryContext old;
	void	   *copy;

	if (isnull)
		return NULL;
	old = MemoryContextSwitchTo(cxt);
	copy = PG_DETOAST_DATUM_COPY(d);
	MemoryContextSwitchTo(old);
	return copy;
}

/*
 * Locks the caller's upload id (inside storage_enter()) and loads it;
 * raises "does not exist" for anyone else's.
 */
static void
lock_upload(int64 id, const char *owner, Upload *up)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[] = {INT8OID, TEXTOID};
	Datum		values[2];
	MemoryContext caller_cxt = CurrentMemoryContext;
	HeapTuple	tuple;
	TupleDesc	desc;
	bool		isnull;
	bytea	   *state;

	media_spi_connect();
	values[0] = Int64GetDatum(id);
	values[1] = CStringGetTextDatum(owner);
	media_plan(&plan, SQL_LOCK_UPLOAD, 2, argtypes);
	media_exec(plan, values, NULL, false, 1);
	if (SPI_processed != 1)
		upload_not_found(id);
	tuple = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	up->id = id;
	up->blob_id = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &isnull));
	up->received = DatumGetInt64(SPI_getbinval(tuple, desc, 2, &isnull));
	state = (bytea *) copy_datum(tuple, desc, 3, caller_cxt);
	if (mm_sha256_load(&up->hash, (const uint8_t *) VARDATA(state), VARSIZE(state) - VARHDRSZ) != 0 ||
		up->hash.total != (uint64) up->received)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("upload " INT64_FORMAT " is damaged", id),
				 errdetail("Its saved hash state does not match the bytes received."),
				 errhint("Abort it with media.upload_abort() and upload the file again.")));
	up->name = (text *) copy_datum(tuple, desc, 4, caller_cxt);
	up->declared_type = (text *) copy_datum(tuple, desc, 5, caller_cxt);
	up->attrs = (Jsonb *) copy_datum(tuple, desc, 6, caller_cxt);
	up->compress = DatumGetBool(SPI_getbinval(tuple, desc, 7, &isnull));
	SPI_finish();
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

/* Runs one of the upload statements that return nothing. */
static void
exec_simple(SPIPlanPtr *cache, const char *sql, int nargs, const Oid *types, Datum *values)
{
	media_spi_connect();
	media_plan(cache, sql, nargs, types);
	media_exec(*cache, values, NULL, false, 0);
	SPI_finish();
}

/* media.upload_begin(name, declared_type, attrs) RETURNS bigint */
Datum
media_upload_begin(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[] = {INT8OID, INT8OID, TEXTOID, TEXTOID, TEXTOID, JSONBOID, BYTEAOID};
	char	   *owner = media_current_owner();
	int64		id = random_upload_id();
	StorageAccess access;
	mm_sha256	hash;
	Datum		values[7];
	char		nulls[7] = "       ";

	media_require_writable("media.upload_begin()");
	mm_sha256_init(&hash);
	storage_enter(&access);
	media_check_open_uploads(owner);
	values[0] = Int64GetDatum(id);
	values[1] = Int64GetDatum(storage_new_blob());
	values[2] = CStringGetTextDatum(owner);
	values[3] = PG_ARGISNULL(0) ? (nulls[3] = 'n', (Datum) 0) : PG_GETARG_DATUM(0);
	values[4] = PG_ARGISNULL(1) ? (nulls[4] = 'n', (Datum) 0) : PG_GETARG_DATUM(1);
	values[5] = PG_ARGISNULL(2) ? (nulls[5] = 'n', (Datum) 0) : PG_GETARG_DATUM(2);
	values[6] = PointerGetDatum(hash_state_bytea(&hash));
	media_spi_connect();
	media_plan(&plan, SQL_NEW_UPLOAD, 7, argtypes);
	media_exec(plan, values, nulls, false, 0);
	SPI_finish();
	storage_leave(&access);
	PG_RETURN_INT64(id);
}

/* Refuses to let an upload grow past media.max_upload_size. */
static void
check_upload_size(int64 received, int64 more)
{
	int64		limit = (int64) media_max_upload_size_mb * 1024 * 1024;

	if (limit > 0 && more > limit - received)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("upload would exceed media.max_upload_size (%d MB)", media_max_upload_size_mb),
				 errdetail("The upload has received " INT64_FORMAT " bytes and the part has " INT64_FORMAT ".",
						   received, more)));
}

/* media.upload_append(upload bigint, part bytea) RETURNS bigint: bytes received so far */
Datum
media_upload_append(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[] = {INT8OID, INT8OID, BYTEAOID, BOOLOID};
	int64		id = PG_GETARG_INT64(0);
	bytea	   *part = PG_GETARG_BYTEA_PP(1);
	int64		len = VARSIZE_ANY_EXHDR(part);
	char	   *owner = media_current_owner();
	StorageAccess access;
	Upload		up;
	Datum		values[4];

	media_require_writable("media.upload_append()");
	storage_enter(&access);
	lock_upload(id, owner, &up);
	if (len > 0)
	{
		check_upload_size(up.received, len);
		if (up.received == 0)
		{
			/* the first part holds the file's header: decide on compression */
			mm_probe	head;

			mm_probe_buffer((const uint8_t *) VARDATA_ANY(part), (size_t) len, &head);
			up.compress = media_should_compress(head.mime);
		}
		storage_write_chunks(up.blob_id, up.received, VARDATA_ANY(part), len, up.compress);
		mm_sha256_update(&up.hash, VARDATA_ANY(part), (size_t) len);
		up.received += len;
		values[0] = Int64GetDatum(id);
		values[1] = Int64GetDatum(up.received);
		values[2] = PointerGetDatum(hash_state_bytea(&up.hash));
		values[3] = BoolGetDatum(up.compress);
		exec_simple(&plan, SQL_UPLOAD_PROGRESS, 4, argtypes, values);
	}
	storage_leave(&access);
	PG_RETURN_INT64(up.received);
}

/* media.upload_status(upload bigint) RETURNS bigint: bytes received so far */
Datum
media_upload_status(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[] = {INT8OID, TEXTOID};
	int64		id = PG_GETARG_INT64(0);
	char	   *owner = media_current_owner();
	StorageAccess access;
	Datum		values[2];
	int64		received;
	bool		isnull;

	storage_enter(&access);
	media_spi_connect();
	values[0] = Int64GetDatum(id);
	values[1] = CStringGetTextDatum(owner);
	media_plan(&plan, SQL_UPLOAD_STATUS, 2, argtypes);
	media_exec(plan, values, NULL, true, 1);
	if (SPI_processed != 1)
		upload_not_found(id);
	received = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	storage_leave(&access);
	PG_RETURN_INT64(received);
}

/*
 * Gives an upload's content its final blob: the existing blob with the same
 * SHA-256 (the upload's own chunks are then dropped), or a new one that
 * takes over the upload's chunks without copying their data.  Returns the
 * blob id; the upload's row and provisional blob are gone afterwards.
 */
static int64
settle_upload_blob(const Upload *up, const uint8 *sha256)
{
	static SPIPlanPtr move_plan = NULL;
	static const Oid move_types[] = {INT8OID, INT8OID};
	int64		blob_id = 0;
	int			tries;

	for (tries = 0; blob_id == 0; tries++)
	{
		if (tries >= 100)
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not store content: it was removed and stored concurrently too often"),
					 errhint("Retry the transaction.")));
		blob_id = storage_find_blob(sha256);
		if (blob_id != 0)
			break;
		blob_id = storage_claim_blob(sha256, up->received);
		if (blob_id != 0)
		{
			Datum		values[2] = {Int64GetDatum(up->blob_id), Int64GetDatum(blob_id)};

			exec_simple(&move_plan, SQL_MOVE_CHUNKS, 2, move_types, values);
		}
	}
	/* drops the provisional blob, its remaining chunks and the upload row */
	storage_delete_blob(up->blob_id);
	return blob_id;
}

/*
 * Applies the ingest transforms (location removal, JPEG optimization) to a
 * finished upload of an image they may change: the content is read back,
 * transformed in memory and, if anything changed, its chunks are
 * rewritten, *sha256 recomputed and up->received set to the new length.
 * Images too large to hold in memory (media.max_file_size) are kept as
 * they are, which attrs records.
 */
static void
transform_upload(Upload *up, const mm_probe *probe, uint8 *sha256, Jsonb **attrs)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[] = {INT8OID};
	char	   *content;
	const char *result;
	int64		len = up->received;
	Datum		values[1];

	if (!media_may_transform(probe->mime))
		return;
	if (len > (int64) media_max_file_size)
	{
		*attrs = media_attrs_add(*attrs, "transforms", "skipped: larger than media.max_file_size");
		return;
	}
	content = palloc(Max(len, 1));
	storage_read_range(up->blob_id, 0, len, content);
	result = media_transform(content, &len, probe, attrs);
	if (result != content)
	{
		values[0] = Int64GetDatum(up->blob_id);
		exec_simple(&plan, SQL_DELETE_CHUNKS, 1, argtypes, values);
		storage_write_chunks(up->blob_id, 0, result, len, false);
		mm_sha256(result, (size_t) len, sha256);
		up->received = len;
	}
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
	int64		blob_id;
	int64		file_id;

	media_require_writable("media.upload_finish()");
	req.owner = media_current_owner();
	storage_enter(&access);
	lock_upload(id, req.owner, &up);
	mm_sha256_final(&up.hash, sha256);
	probe_stored_blob(up.blob_id, up.received, &probe);
	media_check_active_content(&probe);
	req.attrs = up.attrs;
	transform_upload(&up, &probe, sha256, &req.attrs);
	blob_id = settle_upload_blob(&up, sha256);
	req.name = up.name;
	req.declared_type = up.declared_type;
	file_id = ingest_file_row(&req, blob_id, up.received, sha256, &probe);
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
	storage_delete_blob(up.blob_id);
	storage_leave(&access);
	PG_RETURN_VOID();
}
