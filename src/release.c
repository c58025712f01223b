/*
 * release.c - what keeps media.blobs and the tables that point at it
 * consistent, in place of foreign keys.
 *
 * pg_media's tables have no foreign keys among themselves: pg_restore -j
 * loads each extension table's rows in parallel, in any order, and ignores
 * the order pg_dump records between them, so with foreign keys (made by
 * CREATE EXTENSION before any row arrives) a parallel restore failed.  The
 * two triggers here do what the keys did:
 *
 *   media.release_blob()  after a media.files or media.derivatives row is
 *                         deleted: frees its blob when nothing refers to it
 *                         any more (what ON DELETE NO ACTION checked);
 *   media.blob_freed()    after a media.blobs row is deleted: refuses when a
 *                         file or derivative still refers to it, else deletes
 *                         its chunks, the upload filling it (ON DELETE
 *                         CASCADE did) and what was derived from its content.
 *
 * Whether a blob is still used is asked as PostgreSQL's own foreign-key
 * triggers ask it (ri_triggers.c): with the blob row locked FOR UPDATE, and
 * with the latest snapshot, so a reference committed after the
 * transaction's snapshot (REPEATABLE READ, SERIALIZABLE) is seen.  Every
 * path that attaches a reference to an existing blob (put's dedup,
 * upload_finish, the thumbnail cache: storage_blob_find()) first takes FOR
 * KEY SHARE on it, which FOR UPDATE waits for; once the lock is held no new
 * reference can appear, and every one committed before is in the latest
 * snapshot.  A put that was waiting then finds the blob gone and stores the
 * content anew (READ COMMITTED) or fails with 40001 so it is retried.
 * media.check_integrity() lists anything a restore or a hand edit broke.
 */
#include "storage.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "utils/rel.h"

#include "spi_util.h"
#include "storage_sql.h"

PG_FUNCTION_INFO_V1(media_release_blob);
PG_FUNCTION_INFO_V1(media_blob_freed);

/*
 * The deleted row of an AFTER DELETE ... FOR EACH ROW trigger on one of
 * pg_media's tables; an error when the function is called any other way.
 * The triggers work as the tables' owner, so a trigger someone put on a
 * table of their own (with a blob_id column of their choosing) must not
 * run them.
 */
static HeapTuple
deleted_row(FunctionCallInfo fcinfo, const char *name)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) || !TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s() must be called as an AFTER DELETE row trigger", name)));
	if (RelationGetNamespace(trigdata->tg_relation) != get_namespace_oid("media", false))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("%s() is a trigger of pg_media's own tables only", name)));
	return trigdata->tg_trigtuple;
}

/* Column column of the trigger's deleted row; *isnull says whether it was null. */
static Datum
deleted_column(FunctionCallInfo fcinfo, HeapTuple row, const char *column, bool *isnull)
{
	TupleDesc	desc = RelationGetDescr(((TriggerData *) fcinfo->context)->tg_relation);
	int			attnum = SPI_fnumber(desc, column);

	if (attnum <= 0)
		elog(ERROR, "pg_media: trigger table has no column \"%s\"", column);
	return heap_getattr(row, attnum, desc, isnull);
}

/*
 * Does a file or derivative refer to blob_id?  Asked with the latest
 * snapshot (spi_run_latest()), between spi_begin() and spi_end().
 */
static bool
blob_in_use(int64 blob_id)
{
	static SpiStatement in_use = {SQL_BLOB_IN_USE, 1, {INT8OID}};
	Datum		values[1] = {Int64GetDatum(blob_id)};
	SpiRow		row;

	if (spi_run_latest(&in_use, values, NULL, 1) != 1)
		elog(ERROR, "pg_media: the blob reference check returned no row");
	row.tuple = SPI_tuptable->vals[0];
	row.desc = SPI_tuptable->tupdesc;
	return spi_row_bool(&row, 1);
}

/*
 * Trigger after DELETE on media.files and media.derivatives: frees the
 * deleted row's blob when no file or derivative refers to it any more, in
 * the same transaction (so no sweeper is needed).  The blob row is locked
 * first: a put attaching a new file to it (holding FOR KEY SHARE) commits
 * first and its file is then seen; of two transactions removing the last
 * two files, the second to lock sees the first's removal.  A blob already
 * gone (freed earlier in this transaction) needs nothing.
 */
Datum
media_release_blob(PG_FUNCTION_ARGS)
{
	static SpiStatement lock_blob = {SQL_LOCK_BLOB, 1, {INT8OID}};
	static SpiStatement delete_blob = {SQL_DELETE_BLOB, 1, {INT8OID}};
	HeapTuple	row = deleted_row(fcinfo, "media.release_blob");
	bool		isnull;
	Datum		values[1];
	StorageAccess access;

	values[0] = deleted_column(fcinfo, row, "blob_id", &isnull);
	if (isnull)
		return PointerGetDatum(NULL);
	storage_enter(&access);
	spi_begin();
	if (spi_run(&lock_blob, values, NULL, false, 1) == 1 && !blob_in_use(DatumGetInt64(values[0])))
		(void) spi_run(&delete_blob, values, NULL, false, 0);
	spi_end();
	storage_leave(&access);
	return PointerGetDatum(NULL);
}

/*
 * Trigger after DELETE on media.blobs: a blob that a file or derivative
 * still refers to may not go (23503, as the foreign key said); otherwise
 * its chunks, the upload filling it and the derivatives of its content go
 * with it (each derivative's own blob is then released in turn).
 */
Datum
media_blob_freed(PG_FUNCTION_ARGS)
{
	static SpiStatement delete_upload = {SQL_DELETE_UPLOAD_OF_BLOB, 1, {INT8OID}};
	static SpiStatement delete_chunks = {SQL_DELETE_CHUNKS, 1, {INT8OID}};
	static SpiStatement delete_derived = {SQL_DELETE_DERIVATIVES_OF, 1, {BYTEAOID}};
	HeapTuple	row = deleted_row(fcinfo, "media.blob_freed");
	bool		isnull;
	Datum		id[1];
	Datum		key[1];
	int64		blob_id;
	StorageAccess access;

	id[0] = deleted_column(fcinfo, row, "id", &isnull);
	blob_id = DatumGetInt64(id[0]);
	key[0] = deleted_column(fcinfo, row, "sha256", &isnull);
	storage_enter(&access);
	spi_begin();
	if (blob_in_use(blob_id))
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("blob " INT64_FORMAT " is still used by a file or derivative", blob_id),
				 errdetail("media.files and media.derivatives rows point at it."),
				 errhint("Remove the files with media.remove(); their content is freed with the last one.")));
	/* the upload first: it is locked while a part is appended, whose chunks are then seen */
	(void) spi_run(&delete_upload, id, NULL, false, 0);
	(void) spi_run(&delete_chunks, id, NULL, false, 0);
	if (!isnull)
		(void) spi_run(&delete_derived, key, NULL, false, 0);
	spi_end();
	storage_leave(&access);
	return PointerGetDatum(NULL);
}
