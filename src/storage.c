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
		{
			bytea	   *sha = DatumGetByteaPP(SPI_getbinval(tuple, desc, 9, &isnull));

			memset(file->sha256, 0, sizeof(file->sha256));
			if (!isnull && VARSIZE_ANY_EXHDR(sha) == MM_SHA256_DIGEST_LEN)
				memcpy(file->sha256, VARDATA_ANY(sha), MM_SHA256_DIGEST_LEN);
		}
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
bytea *
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
