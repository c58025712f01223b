/*
 * maint.c - media.remove() and media.verify().
 */
#include "pg_media.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

#include "storage_sql.h"

PG_FUNCTION_INFO_V1(media_remove);
PG_FUNCTION_INFO_V1(media_verify);

/*
 * media.remove(id bigint) RETURNS boolean
 *
 * Deletes the file row as the caller, so their DELETE privilege and
 * row-level security apply; the files_release_blob trigger frees the
 * content in the same transaction when no other file shares it.
 */
Datum
media_remove(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[] = {INT8OID};
	Datum		values[1] = {PG_GETARG_DATUM(0)};
	bool		removed;

	media_require_writable("media.remove()");
	media_spi_connect();
	media_plan(&plan, SQL_REMOVE_FILE, 1, argtypes);
	media_exec(plan, values, NULL, false, 0);
	removed = SPI_processed > 0;
	SPI_finish();
	PG_RETURN_BOOL(removed);
}

/*
 * Recomputes a blob's SHA-256 by streaming its chunks in order, one in
 * memory at a time.  Returns true when the chunks are contiguous, add up
 * to byte_size and hash to expected.
 */
static bool
blob_matches(int64 blob_id, int64 byte_size, const uint8 *expected)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "pg_media verify",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext oldcxt = MemoryContextSwitchTo(cxt);
	StorageAccess access;
	mm_sha256	hash;
	uint8		digest[MM_SHA256_DIGEST_LEN];
	int64		pos = 0;
	bool		ok = true;

	mm_sha256_init(&hash);
	storage_enter(&access);
	while (pos < byte_size)
	{
		bytea	   *data = NULL;
		bool		damaged = false;
		int64		start;

		CHECK_FOR_INTERRUPTS();
		start = storage_next_chunk(blob_id, pos, &data, &damaged);
		if (damaged || start != pos || data == NULL || VARSIZE_ANY_EXHDR(data) == 0)
		{
			ok = false;
			break;
		}
		mm_sha256_update(&hash, VARDATA_ANY(data), VARSIZE_ANY_EXHDR(data));
		pos += VARSIZE_ANY_EXHDR(data);
		MemoryContextReset(cxt);
	}
	storage_leave(&access);
	if (ok)
	{
		mm_sha256_final(&hash, digest);
		ok = pos == byte_size && memcmp(digest, expected, MM_SHA256_DIGEST_LEN) == 0;
	}
	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(cxt);
	return ok;
}

/* Sets up a materialized set-returning call (InitMaterializedSRF before 15). */
static void
begin_materialized_srf(FunctionCallInfo fcinfo)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext oldcxt;
	TupleDesc	desc;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		(rsinfo->allowedModes & SFRM_Materialize) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	oldcxt = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "pg_media: return type must be a row type");
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setDesc = CreateTupleDescCopy(desc);
	rsinfo->setResult = tuplestore_begin_heap(true, false, work_mem);
	MemoryContextSwitchTo(oldcxt);
}

/*
 * media.verify(id bigint DEFAULT NULL) RETURNS TABLE(id bigint, ok boolean)
 *
 * Checks one file, or every file the caller can see, against its recorded
 * SHA-256.  Files are read through a cursor in batches, so the number of
 * files does not bound memory.
 */
Datum
media_verify(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[] = {INT8OID};
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum		arg[1];
	char		argnull[1];
	Portal		portal;

	begin_materialized_srf(fcinfo);
	arg[0] = PG_ARGISNULL(0) ? (Datum) 0 : PG_GETARG_DATUM(0);
	argnull[0] = PG_ARGISNULL(0) ? 'n' : ' ';

	media_spi_connect();
	media_plan(&plan, SQL_FILES_TO_VERIFY, 1, argtypes);
	portal = SPI_cursor_open(NULL, plan, arg, argnull, true);
	for (;;)
	{
		uint64		i;

		SPI_cursor_fetch(portal, true, 256);
		if (SPI_processed == 0)
			break;
		for (i = 0; i < SPI_processed; i++)
		{
			HeapTuple	tuple = SPI_tuptable->vals[i];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			bool		isnull;
			Datum		values[2];
			bool		nulls[2] = {false, false};
			bytea	   *sha = DatumGetByteaPP(SPI_getbinval(tuple, desc, 4, &isnull));
			bool		ok;

			ok = VARSIZE_ANY_EXHDR(sha) == MM_SHA256_DIGEST_LEN &&
				blob_matches(DatumGetInt64(SPI_getbinval(tuple, desc, 2, &isnull)),
							 DatumGetInt64(SPI_getbinval(tuple, desc, 3, &isnull)),
							 (const uint8 *) VARDATA_ANY(sha));
			values[0] = SPI_getbinval(tuple, desc, 1, &isnull);
			values[1] = BoolGetDatum(ok);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	SPI_finish();
	return (Datum) 0;
}
