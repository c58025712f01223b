/*
 * storage.c - access to the media.* tables: who may touch them, and the
 * media.files row as the caller sees it.  The blob and chunk parts of the
 * storage API are in blobs.c and chunks.c (all declared in storage.h).
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
#include "storage.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "spi_util.h"
#include "storage_sql.h"

/* Pins search_path to pg_catalog, pg_temp until unpin_search_path(). */
static int
pin_search_path(void)
{
	int			nestlevel = NewGUCNestLevel();

	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	return nestlevel;
}

/* Restores the search_path in force before pin_search_path(). */
static void
unpin_search_path(int nestlevel)
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
 * Has media.files the owner_scope column (owner namespaces, 0.2.0)?  False
 * only in a 0.1.0 catalog not yet updated, where owners share one
 * namespace; storage_sql.h's OWNER_STATEMENTS pairs are indexed by this.
 */
bool
storage_owner_scoped(void)
{
	return storage_has_column("files", "owner_scope");
}

/*
 * Has media.<table> this column?  The 0.2.0 library also serves a 0.1.0
 * catalog between a package upgrade and ALTER EXTENSION pg_media UPDATE;
 * the places that read a column 0.2.0 added ask here first.
 */
bool
storage_has_column(const char *table, const char *column)
{
	Oid			nsp = get_namespace_oid("media", true);
	Oid			relid = OidIsValid(nsp) ? get_relname_relid(table, nsp) : InvalidOid;

	return OidIsValid(relid) && get_attnum(relid, column) != InvalidAttrNumber;
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
	access->save_nestlevel = pin_search_path();
}

/* Returns to the caller's identity and settings. */
void
storage_leave(StorageAccess *access)
{
	unpin_search_path(access->save_nestlevel);
	SetUserIdAndSecContext(access->save_userid, access->save_sec_context);
}

/*
 * Does media.files have is_public?  Not in a 0.1.0 catalog that this
 * library serves between a package upgrade and ALTER EXTENSION pg_media
 * UPDATE: its files then read as not public, the safe answer.
 */
static bool
files_have_is_public(void)
{
	return storage_has_column("files", "is_public");
}

/*
 * Reads file id as the caller: privileges and row-level security on
 * media.files decide whether the row exists for them.  Returns false when it
 * does not.  Strings are allocated in the caller's memory context.
 */
bool
storage_file_lookup(int64 id, MediaFile *file)
{
	static SpiStatement lookup = {SQL_LOOKUP_FILE, 1, {INT8OID}};
	static SpiStatement lookup_0_1_0 = {SQL_LOOKUP_FILE_0_1_0, 1, {INT8OID}};
	Datum		values[1] = {Int64GetDatum(id)};
	SpiRow		row;
	bool		found;

	spi_begin();
	found = spi_run_row(files_have_is_public() ? &lookup : &lookup_0_1_0, values, NULL, true, &row);
	if (found)
	{
		Datum		sha_datum = spi_row_datum(&row, 9);
		bytea	   *sha = sha_datum ? DatumGetByteaPP(sha_datum) : NULL;

		file->id = spi_row_int64(&row, 1);
		file->blob_id = spi_row_int64(&row, 2);
		file->byte_size = spi_row_int64(&row, 3);
		file->name = spi_row_cstring(&row, 4);
		file->mime_type = spi_row_cstring(&row, 5);
		file->etag = spi_row_cstring(&row, 6);
		file->scan_status = spi_row_cstring(&row, 7);
		file->created_at = DatumGetTimestampTz(spi_row_datum(&row, 8));
		file->is_public = spi_row_bool(&row, 10);
		memset(file->sha256, 0, sizeof(file->sha256));
		if (sha != NULL && VARSIZE_ANY_EXHDR(sha) == MM_SHA256_DIGEST_LEN)
			memcpy(file->sha256, VARDATA_ANY(sha), MM_SHA256_DIGEST_LEN);
	}
	spi_end();
	return found;
}

/* Raises "does not exist" (P0002) for a file the caller cannot see. */
void
storage_file_not_found(int64 id)
{
	ereport(ERROR,
			(errcode(ERRCODE_NO_DATA_FOUND),
			 errmsg("media file " INT64_FORMAT " does not exist", id),
			 errdetail("No file has this id, or the current role or media.owner may not see it.")));
}

/* storage_file_lookup(), raising "does not exist" (P0002) when the caller cannot see it. */
void
storage_file_require(int64 id, MediaFile *file)
{
	if (!storage_file_lookup(id, file))
		storage_file_not_found(id);
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
