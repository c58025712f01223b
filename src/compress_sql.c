/*
 * compress_sql.c - media.deflate() and media.inflate(): zlib for SQL users,
 * with the inflated size capped by media.max_inflated_size so a
 * decompression bomb is an error, not an out-of-memory.  zlib works in
 * slices with an interrupt poll between them (a cancel stops it at once),
 * its memory and the inflated result are palloc'd (nothing leaks on error,
 * and the result becomes the returned bytea without a copy).
 */
#include "pg_media.h"

#include "miscadmin.h"

#include "util/deflate.h"

PG_FUNCTION_INFO_V1(media_deflate);
PG_FUNCTION_INFO_V1(media_inflate);

/* media.deflate(data bytea, level integer DEFAULT 6) RETURNS bytea (zlib format) */
Datum
media_deflate(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	int32		level = PG_GETARG_INT32(1);
	size_t		len = VARSIZE_ANY_EXHDR(in);
	size_t		cap = mm_deflate_bound(len);
	size_t		out_len = 0;
	bytea	   *out;
	mm_zlib_hooks hooks;
	int			rc;

	if (level < 1 || level > 9)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("compression level must be between 1 and 9"),
				 errdetail("level was %d.", level)));
	media_check_value_size(cap, "compressing the input", NULL);
	out = (bytea *) palloc(cap + VARHDRSZ);
	media_zlib_hooks(&hooks, CurrentMemoryContext);
	rc = mm_deflate_hooked((const uint8_t *) VARDATA_ANY(in), len, level,
						   (uint8_t *) VARDATA(out), cap, &out_len, &hooks);
	if (rc == MM_DEFLATE_INTERRUPTED)
	{
		CHECK_FOR_INTERRUPTS();
		ereport(ERROR,
				(errcode(ERRCODE_QUERY_CANCELED),
				 errmsg("canceling deflate because of an interrupt")));
	}
	if (rc != 0)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_INVOCATION_EXCEPTION),
				 errmsg("zlib could not compress the input")));
	SET_VARSIZE(out, out_len + VARHDRSZ);
	PG_RETURN_BYTEA_P(out);
}

/* media.inflate(data bytea) RETURNS bytea */
Datum
media_inflate(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	size_t		max_out = Min((size_t) media_max_inflated_size, MaxAllocSize - VARHDRSZ);
	uint8_t    *raw = NULL;
	size_t		raw_len = 0;
	bytea	   *out;
	mm_zlib_hooks hooks;
	mm_inflate_status status;

	media_require_preload();	/* media.max_inflated_size must be the administrator's */
	media_zlib_hooks(&hooks, CurrentMemoryContext);
	hooks.out_front = VARHDRSZ;
	status = mm_inflate_alloc_hooked((const uint8_t *) VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in),
									 max_out, &raw, &raw_len, &hooks);
	switch (status)
	{
		case MM_INFLATE_OK:
			break;
		case MM_INFLATE_INTERRUPTED:
			CHECK_FOR_INTERRUPTS();
			ereport(ERROR,
					(errcode(ERRCODE_QUERY_CANCELED),
					 errmsg("canceling inflate because of an interrupt")));
			break;
		case MM_INFLATE_TOO_BIG:
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("inflated data would exceed media.max_inflated_size (%d bytes)",
							media_max_inflated_size),
					 errdetail("%zu compressed bytes expand beyond the limit.", VARSIZE_ANY_EXHDR(in)),
					 errhint("Raise media.max_inflated_size if the data is trusted.")));
			break;
		case MM_INFLATE_NOMEM:
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory while inflating data")));
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid compressed data: %s",
							status == MM_INFLATE_TRUNCATED ? "the stream ends early" : "not a valid zlib stream"),
					 errhint("media.inflate() reads what media.deflate() writes (zlib format).")));
	}
	/* the buffer was allocated with room for the header: it is the result */
	out = (bytea *) raw;
	SET_VARSIZE(out, raw_len + VARHDRSZ);
	PG_RETURN_BYTEA_P(out);
}
