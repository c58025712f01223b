/*
 * storage.c - the media.* tables: who may touch them, and how bytes go in
 * and out of media.chunks.
 *
 * Application roles have no privileges on media.blobs, media.chunks and
 * media.uploads.  A function first reads the media.files row as the caller
 * (so GRANTs and row-level security decide), then switches to the tables'
 * owner for the storage work with storage_enter(), as a SECURITY DEFINER
 * function would, with search_path pinned so objects in the caller's
 * schemas can never be picked up.  An error anywhere restores the caller's
 * identity and settings through the usual transaction or subtransaction
 * abort.
 */
#include "pg_media.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "storage_sql.h"

/* Prepares sql once per backend and keeps the plan. */
SPIPlanPtr
media_plan(SPIPlanPtr *cache, const char *sql, int nargs, const Oid *argtypes)
{
	if (*cache == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(sql, nargs, (Oid *) argtypes);

		if (plan == NULL)
			elog(ERROR, "pg_media: SPI_prepare failed for \"%s\": %s",
				 sql, SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "pg_media: SPI_keepplan failed");
		*cache = plan;
	}
	return *cache;
}

/* Runs a kept plan and checks that SPI accepted it. */
int
media_exec(SPIPlanPtr plan, Datum *values, const char *nulls, bool read_only, long count)
{
	int			rc = SPI_execute_plan(plan, values, nulls, read_only, count);

	if (rc < 0)
		elog(ERROR, "pg_media: SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	return rc;
}

/* Connects to SPI, failing loudly. */
void
media_spi_connect(void)
{
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "pg_media: SPI_connect failed");
}

/* Pins search_path to pg_catalog, pg_temp until media_unpin_search_path(). */
int
media_pin_search_path(void)
{
	int			nestlevel = NewGUCNestLevel();

	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	return nestlevel;
}

/* Restores the search_path in force before media_pin_search_path(). */
void
media_unpin_search_path(int nestlevel)
{
	AtEOXact_GUC(true, nestlevel);
}

/* The role that owns pg_media's tables (the one that created the extension). */
static Oid
storage_owner(void)
{
	Oid			nsp = get_namespace_oid("media", false);
	Oid			relid = get_relname_relid("blobs", nsp);
	HeapTuple	tuple;
	Oid			owner;

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table media.blobs does not exist"),
				 errhint("Reinstall the extension with DROP EXTENSION pg_media; CREATE EXTENSION pg_media.")));
	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "pg_media: cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	return owner;
}

/*
 * Switches to the storage tables' owner, as a security-restricted operation
 * with a safe search_path.  Call only after the caller's right to the file
 * has been checked.
 */
void
storage_enter(StorageAccess *access)
{
	Oid			owner = storage_owner();

	GetUserIdAndSecContext(&access->save_userid, &access->save_sec_context);
	SetUserIdAndSecContext(owner, access->save_sec_context |
						   SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
	access->save_nestlevel = media_pin_search_path();
}

/* Returns to the caller's identity and settings. */
void
storage_leave(StorageAccess *access)
{
	media_unpin_search_path(access->save_nestlevel);
	SetUserIdAndSecContext(access->save_userid, access->save_sec_context);
}

/*
 * Reads file id as the caller: privileges and row-level security on
 * media.files decide whether the row exists for them.  Returns false when it
 * does not.  Strings are allocated in the caller's memory context.
 */
bool
storage_lookup_file(int64 id, MediaFile *file)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(id)};
	MemoryContext caller_cxt = CurrentMemoryContext;
	bool		found = false;

	media_spi_connect();
	media_plan(&plan, SQL_LOOKUP_FILE, 1, argtypes);
	media_exec(plan, values, NULL, true, 1);
	if (SPI_processed == 1)
	{
		HeapTuple	tuple = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		MemoryContext spi_cxt = MemoryContextSwitchTo(caller_cxt);

		file->id = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &isnull));
		file->blob_id = DatumGetInt64(SPI_getbinval(tuple, desc, 2, &isnull));
		file->byte_size = DatumGetInt64(SPI_getbinval(tuple, desc, 3, &isnull));
		file->name = TextDatumGetCString(SPI_getbinval(tuple, desc, 4, &isnull));
		file->mime_type = TextDatumGetCString(SPI_getbinval(tuple, desc, 5, &isnull));
		file->etag = TextDatumGetCString(SPI_getbinval(tuple, desc, 6, &isnull));
		file->scan_status = TextDatumGetCString(SPI_getbinval(tuple, desc, 7, &isnull));
		file->created_at = DatumGetTimestampTz(SPI_getbinval(tuple, desc, 8, &isnull));
		MemoryContextSwitchTo(spi_cxt);
		found = true;
	}
	SPI_finish();
	return found;
}

/* storage_lookup_file(), raising "does not exist" when the caller cannot see it. */
void
storage_require_file(int64 id, MediaFile *file)
{
	if (!storage_lookup_file(id, file))
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("media file " INT64_FORMAT " does not exist", id)));
}

/* Creates an empty blob for an upload in progress (no hash yet). */
int64
storage_new_blob(void)
{
	static SPIPlanPtr plan = NULL;
	int64		id;
	bool		isnull;

	media_spi_connect();
	media_plan(&plan, SQL_NEW_BLOB, 0, NULL);
	media_exec(plan, NULL, NULL, false, 1);
	id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	return id;
}

/* Builds a bytea datum for len bytes at p (palloc'd in the current context). */
static bytea *
make_bytea(const void *p, size_t len)
{
	bytea	   *b = (bytea *) palloc(len + VARHDRSZ);

	SET_VARSIZE(b, len + VARHDRSZ);
	memcpy(VARDATA(b), p, len);
	return b;
}

/*
 * Finds the blob holding content with this SHA-256 and locks it against
 * being freed (KEY SHARE, as a foreign key does) until the transaction
 * ends.  Returns 0 when there is none.
 */
int64
storage_find_blob(const uint8 *sha256)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[] = {BYTEAOID};
	Datum		values[1];
	int64		id = 0;
	bool		isnull;

	media_spi_connect();
	values[0] = PointerGetDatum(make_bytea(sha256, MM_SHA256_DIGEST_LEN));
	media_plan(&plan, SQL_FIND_BLOB, 1, argtypes);
	media_exec(plan, values, NULL, false, 1);
	if (SPI_processed == 1)
		id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	return id;
}

/*
 * Inserts a blob row for new content unless another transaction has just
 * stored the same content; returns the new id, or 0 on such a conflict (the
 * caller then looks the blob up again).
 */
int64
storage_claim_blob(const uint8 *sha256, int64 byte_size)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[] = {BYTEAOID, INT8OID};
	Datum		values[2];
	int64		id = 0;
	bool		isnull;

	media_spi_connect();
	values[0] = PointerGetDatum(make_bytea(sha256, MM_SHA256_DIGEST_LEN));
	values[1] = Int64GetDatum(byte_size);
	media_plan(&plan, SQL_CLAIM_BLOB, 2, argtypes);
	media_exec(plan, values, NULL, false, 1);
	if (SPI_processed == 1)
		id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	return id;
}

/*
 * Appends len bytes to a blob's chunks, starting at byte offset start, in
 * parts of at most media.chunk_size.  Memory stays bounded by one part.
 */
void
storage_write_chunks(int64 blob_id, int64 start, const char *data, int64 len)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[] = {INT8OID, INT8OID, INT4OID, BYTEAOID};
	MemoryContext part_cxt;
	MemoryContext oldcxt;
	int64		done = 0;
	int			chunk = media_chunk_size;

	media_spi_connect();
	media_plan(&plan, SQL_INSERT_CHUNK, 4, argtypes);
	part_cxt = AllocSetContextCreate(CurrentMemoryContext, "pg_media chunk",
									 ALLOCSET_DEFAULT_SIZES);
	while (done < len)
	{
		int			n = (int) Min((int64) chunk, len - done);
		Datum		values[4];

		CHECK_FOR_INTERRUPTS();
		oldcxt = MemoryContextSwitchTo(part_cxt);
		values[0] = Int64GetDatum(blob_id);
		values[1] = Int64GetDatum(start + done);
		values[2] = Int32GetDatum(n);
		values[3] = PointerGetDatum(make_bytea(data + done, n));
		media_exec(plan, values, NULL, false, 0);
		MemoryContextSwitchTo(oldcxt);
		MemoryContextReset(part_cxt);
		done += n;
	}
	MemoryContextDelete(part_cxt);
	SPI_finish();
}

/*
 * Copies bytes [offset, offset+length) of a blob into dest, fetching only
 * the chunks that hold them and, within each, only the TOAST pieces needed.
 * The caller has checked the range against the blob's size.
 */
void
storage_read_range(int64 blob_id, int64 offset, int64 length, char *dest)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[] = {INT8OID, INT8OID, INT8OID};
	Datum		values[3];
	Portal		portal;
	int64		pos = offset;
	int64		end = offset + length;

	if (length <= 0)
		return;
	media_spi_connect();
	values[0] = Int64GetDatum(blob_id);
	values[1] = Int64GetDatum(offset);
	values[2] = Int64GetDatum(end);
	media_plan(&plan, SQL_READ_RANGE, 3, argtypes);
	portal = SPI_cursor_open(NULL, plan, values, NULL, true);
	while (pos < end)
	{
		HeapTuple	tuple;
		TupleDesc	desc;
		bool		isnull;
		int64		cstart;
		int32		csize;
		int32		from;
		int32		count;
		struct varlena *raw;
		struct varlena *slice;

		CHECK_FOR_INTERRUPTS();
		SPI_cursor_fetch(portal, true, 1);
		if (SPI_processed != 1)
			break;
		tuple = SPI_tuptable->vals[0];
		desc = SPI_tuptable->tupdesc;
		cstart = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &isnull));
		csize = DatumGetInt32(SPI_getbinval(tuple, desc, 2, &isnull));
		if (cstart > pos || cstart + csize <= pos)
			break;				/* a gap: reported below */
		from = (int32) (pos - cstart);
		count = (int32) Min((int64) (csize - from), end - pos);
		raw = (struct varlena *) DatumGetPointer(SPI_getbinval(tuple, desc, 4, &isnull));
		slice = pg_detoast_datum_slice(raw, from, count);
		if (VARSIZE_ANY_EXHDR(slice) != (Size) count)
			break;
		memcpy(dest + (pos - offset), VARDATA_ANY(slice), count);
		if (slice != raw)
			pfree(slice);
		SPI_freetuptable(SPI_tuptable);
		pos += count;
	}
	SPI_cursor_close(portal);
	SPI_finish();
	if (pos < end)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("stored content is missing bytes at offset " INT64_FORMAT, pos),
				 errdetail("The chunks of blob " INT64_FORMAT " do not cover the requested range.", blob_id),
				 errhint("Run media.verify() to find damaged files, and restore them from a backup.")));
}

/*
 * Returns the chunk of a blob that starts at or after offset from, with its
 * whole data (detoasted into the caller's context) in *data; -1 when none.
 */
int64
storage_next_chunk(int64 blob_id, int64 from, bytea **data)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[] = {INT8OID, INT8OID};
	Datum		values[2];
	int64		start = -1;
	bool		isnull;
	MemoryContext caller_cxt = CurrentMemoryContext;

	media_spi_connect();
	values[0] = Int64GetDatum(blob_id);
	values[1] = Int64GetDatum(from);
	media_plan(&plan, SQL_NEXT_CHUNK, 2, argtypes);
	media_exec(plan, values, NULL, true, 1);
	if (SPI_processed == 1)
	{
		HeapTuple	tuple = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		struct varlena *raw;
		MemoryContext oldcxt;

		start = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &isnull));
		raw = (struct varlena *) DatumGetPointer(SPI_getbinval(tuple, desc, 2, &isnull));
		/* detoast straight into the caller's context: one copy of the chunk */
		oldcxt = MemoryContextSwitchTo(caller_cxt);
		*data = (bytea *) pg_detoast_datum_copy(raw);
		MemoryContextSwitchTo(oldcxt);
	}
	SPI_finish();
	return start;
}

/* Deletes a blob and, by cascade, its chunks and any upload filling it. */
void
storage_delete_blob(int64 blob_id)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(blob_id)};

	media_spi_connect();
	media_plan(&plan, SQL_DELETE_BLOB, 1, argtypes);
	media_exec(plan, values, NULL, false, 0);
	SPI_finish();
}
