/*
 * shard.c - which shard of a PL/Proxy cluster this database is (issue 16).
 *
 * The router (sql/router/pg_media_router--*.sql) sends a call for a file
 * or an upload to the shard its id names, without looking the id up: a
 * shard's ids carry its number in bits 52..62 (MEDIA_SHARD_SHIFT), so up to
 * 2047 shards each give 2^52 file ids.  The number is kept in one place, the
 * minimum of media.files' identity sequence (shard << 52; 1 for shard 0, as
 * in any database that was never made a shard), which
 * media.configure_shard() sets; file ids follow from the sequence and upload
 * ids (random) take the number from here.
 */
#include "pg_media.h"

#include "access/htup_details.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_sequence.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

PG_FUNCTION_INFO_V1(media_shard);

/* The shard number of this database: media.files' id sequence minimum >> 52. */
int
media_shard_number(void)
{
	Oid			files = get_relname_relid("files", get_namespace_oid("media", false));
	Oid			sequence;
	HeapTuple	tuple;
	int64		first_id;

	if (!OidIsValid(files))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table media.files does not exist")));
	sequence = getIdentitySequence(files, get_attnum(files, "id"), false);
	tuple = SearchSysCache1(SEQRELID, ObjectIdGetDatum(sequence));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for sequence %u", sequence);
	first_id = ((Form_pg_sequence) GETSTRUCT(tuple))->seqmin;
	ReleaseSysCache(tuple);
	return first_id > 0 ? (int) (first_id >> MEDIA_SHARD_SHIFT) : 0;
}

/*
 * An id of this shard made of random bits: the shard number above bit 52,
 * never 0 below it.  Upload ids are made this way, so they cannot be
 * guessed and still name their shard.
 */
int64
media_shard_random_id(void)
{
	uint64		shard = (uint64) media_shard_number() << MEDIA_SHARD_SHIFT;
	uint64		r = 0;

	while (r == 0)
	{
		if (!pg_strong_random(&r, sizeof(r)))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not generate a random id")));
		r &= (UINT64CONST(1) << MEDIA_SHARD_SHIFT) - 1;
	}
	return (int64) (shard | r);
}

/* media.shard() RETURNS integer: the number media.configure_shard() gave this database */
Datum
media_shard(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(media_shard_number());
}
