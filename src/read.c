/*
 * read.c - media.get(), media.read() and media.parts(): a file's bytes,
 * whole, as a range, or as a stream of parts.
 *
 * The file row is read as the caller (their privileges and row-level
 * security decide); the chunks are read as the storage owner.  A range
 * costs in proportion to its length: only the chunks that hold it are
 * fetched, and only the TOAST pieces of those that it covers.
 */
#include "storage.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(media_get);
PG_FUNCTION_INFO_V1(media_read);
PG_FUNCTION_INFO_V1(media_parts);

/*
 * Returns bytes [offset, offset+length) of a file as a new bytea; the
 * caller has clamped the range to the file.
 */
bytea *
media_read_bytes(const MediaFile *file, int64 offset, int64 length)
{
	StorageAccess access;
	bytea	   *result;

	media_check_size(length, MEDIA_SIZE_READ);
	storage_enter(&access);
	result = storage_chunks_read_bytea(file->blob_id, offset, length);
	storage_leave(&access);
	return result;
}

/* media.get(id bigint) RETURNS bytea */
Datum
media_get(PG_FUNCTION_ARGS)
{
	MediaFile	file;

	storage_file_require(PG_GETARG_INT64(0), &file);
	media_check_servable(&file, false);
	PG_RETURN_BYTEA_P(media_read_bytes(&file, 0, file.byte_size));
}

/* media.read(id bigint, start bigint, length integer) RETURNS bytea */
Datum
media_read(PG_FUNCTION_ARGS)
{
	int64		start = PG_GETARG_INT64(1);
	int32		length = PG_GETARG_INT32(2);
	MediaFile	file;
	int64		n;

	if (start < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("start must not be negative"),
				 errdetail("start was " INT64_FORMAT ".", start)));
	if (length < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("length must not be negative"),
				 errdetail("length was %d.", length)));
	storage_file_require(PG_GETARG_INT64(0), &file);
	media_check_servable(&file, false);
	n = start >= file.byte_size ? 0 : Min((int64) length, file.byte_size - start);
	PG_RETURN_BYTEA_P(media_read_bytes(&file, start, n));
}

/* Position of a media.parts() stream between calls. */
typedef struct PartsState
{
	MediaFile	file;
	int64		next;			/* offset of the next part */
} PartsState;

/*
 * media.parts(id bigint) RETURNS TABLE(start bigint, data bytea)
 *
 * Returns one stored chunk per call, so a file of any size streams with
 * one chunk in memory.  All calls read under the query's snapshot, so a
 * concurrent remove() cannot cut the stream short.
 */
Datum
media_parts(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;
	PartsState *state;
	StorageAccess access;
	bytea	   *data = NULL;
	int64		start;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext oldcxt;
		TupleDesc	desc;

		funcctx = SRF_FIRSTCALL_INIT();
		oldcxt = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "pg_media: media.parts must return a composite type");
		funcctx->tuple_desc = BlessTupleDesc(desc);
		state = (PartsState *) palloc0(sizeof(PartsState));
		storage_file_require(PG_GETARG_INT64(0), &state->file);
		media_check_servable(&state->file, true);
		funcctx->user_fctx = state;
		MemoryContextSwitchTo(oldcxt);
	}
	funcctx = SRF_PERCALL_SETUP();
	state = (PartsState *) funcctx->user_fctx;

	if (state->next >= state->file.byte_size)
		SRF_RETURN_DONE(funcctx);

	storage_enter(&access);
	start = storage_chunks_next(state->file.blob_id, state->next, &data, NULL);
	storage_leave(&access);
	if (start != state->next || data == NULL || VARSIZE_ANY_EXHDR(data) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("content of media file " INT64_FORMAT " is missing bytes at offset " INT64_FORMAT,
						state->file.id, state->next),
				 errhint("Run media.verify() to find damaged files, and restore them from a backup.")));
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};
		HeapTuple	tuple;

		values[0] = Int64GetDatum(start);
		values[1] = PointerGetDatum(data);
		state->next = start + VARSIZE_ANY_EXHDR(data);
		tuple = heap_form_tuple(funcctx->tuple_desc, values, nulls);
		SRF_RETURN_NEXT(funcctx, HeapTupleGetDatum(tuple));
	}
}
