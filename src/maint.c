/*
 * maint.c - media.remove() and media.verify().
 */
#include "storage.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

#include "spi_util.h"
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
	static SpiStatement remove_file = {SQL_REMOVE_FILE, 1, {INT8OID}};
	Datum		values[1] = {PG_GETARG_DATUM(0)};

	media_require_writable("media.remove()");
	PG_RETURN_BOOL(spi_command(&remove_file, values, NULL) > 0);
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
		start = storage_chunks_next(blob_id, pos, &data, &damaged);
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
	static SpiStatement files = {SQL_FILES_TO_VERIFY, 1, {INT8OID}};
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum		arg[1];
	char		argnull[1];
	Portal		portal;
	SpiRow		row;

	begin_materialized_srf(fcinfo);
	arg[0] = PG_ARGISNULL(0) ? (Datum) 0 : PG_GETARG_DATUM(0);
	argnull[0] = PG_ARGISNULL(0) ? 'n' : ' ';

	spi_begin();
	portal = spi_open_cursor(&files, arg, argnull, &row);
	while (spi_fetch_row(portal, &row))
	{
		Datum		sha_datum = spi_row_datum(&row, 4);
		bytea	   *sha = sha_datum ? DatumGetByteaPP(sha_datum) : NULL;
		Datum		values[2];
		bool		nulls[2] = {false, false};

		values[0] = Int64GetDatum(spi_row_int64(&row, 1));
		values[1] = BoolGetDatum(sha != NULL && VARSIZE_ANY_EXHDR(sha) == MM_SHA256_DIGEST_LEN &&
								 blob_matches(spi_row_int64(&row, 2), spi_row_int64(&row, 3),
											  (const uint8 *) VARDATA_ANY(sha)));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	SPI_cursor_close(portal);
	spi_end();
	return (Datum) 0;
}
