/*
 * security.c - who owns a file, who may see it, and what may be stored:
 * owner isolation (row-level security), quotas, the cap on open uploads,
 * active content and the scan quarantine.
 */
#include "pg_media.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "storage_sql.h"

PG_FUNCTION_INFO_V1(media_visible_owner);

/* The name of the current role (the effective user, as current_user). */
static char *
current_role_name(void)
{
	return GetUserNameFromId(GetUserId(), false);
}

/*
 * The owner to record for new files and uploads, and to match uploads
 * against.  media.isolation decides whom to believe: under "role" only the
 * current role (so nobody can charge files to someone else), under
 * "setting" only media.owner (which must then be set), otherwise
 * media.owner when set, else the current role.
 */
char *
media_current_owner(void)
{
	bool		have_setting = media_owner != NULL && media_owner[0] != '\0';

	switch (media_isolation)
	{
		case MEDIA_ISOLATION_ROLE:
			return current_role_name();
		case MEDIA_ISOLATION_SETTING:
			if (!have_setting)
				ereport(ERROR,
						(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						 errmsg("media.owner is not set"),
						 errdetail("media.isolation is \"setting\", so every file belongs to the owner named by media.owner."),
						 errhint("Run SET LOCAL media.owner = '<user id>' at the start of each transaction.")));
			return pstrdup(media_owner);
		default:
			return have_setting ? pstrdup(media_owner) : current_role_name();
	}
}

/*
 * media.visible_owner(owner text) RETURNS boolean: the row-level security
 * policy on media.files.  Written in C so that calling it loads pg_media
 * (and its settings) in any session, and so no search_path can change it.
 */
Datum
media_visible_owner(PG_FUNCTION_ARGS)
{
	text	   *owner = PG_GETARG_TEXT_PP(0);
	const char *who;

	switch (media_isolation)
	{
		case MEDIA_ISOLATION_ROLE:
			who = current_role_name();
			break;
		case MEDIA_ISOLATION_SETTING:
			who = media_owner;
			if (who == NULL || who[0] == '\0')
				PG_RETURN_BOOL(false);
			break;
		default:
			PG_RETURN_BOOL(true);
	}
	PG_RETURN_BOOL(strlen(who) == VARSIZE_ANY_EXHDR(owner) &&
				   memcmp(who, VARDATA_ANY(owner), VARSIZE_ANY_EXHDR(owner)) == 0);
}

/*
 * Serializes an owner's quota-relevant work (new files, new uploads) until
 * the transaction ends, so concurrent sessions cannot both slip under a
 * limit.  The key space (first key) is pg_media's own.
 */
static void
lock_owner(const char *owner)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(owner)};

	media_spi_connect();
	media_plan(&plan, SQL_LOCK_OWNER, 1, argtypes);
	media_exec(plan, values, NULL, false, 0);
	SPI_finish();
}

/* Does media.quotas have a row for this owner? */
static bool
owner_has_quota(const char *owner)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(owner)};
	bool		found;

	media_spi_connect();
	media_plan(&plan, SQL_HAS_QUOTA, 1, argtypes);
	media_exec(plan, values, NULL, false, 1);
	found = SPI_processed > 0;
	SPI_finish();
	return found;
}

/*
 * Checks media.quotas for a new file of byte_size bytes (inside
 * storage_enter()): raises 53400 when the owner would exceed max_bytes or
 * max_files.
 */
void
media_check_quota(const char *owner, int64 byte_size)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(owner)};
	HeapTuple	tuple;
	TupleDesc	desc;
	bool		null_bytes,
				null_files,
				isnull;
	int64		max_bytes,
				max_files,
				used_bytes,
				used_files;

	/* only owners with a quota take the lock that serializes their new files */
	if (!owner_has_quota(owner))
		return;
	lock_owner(owner);
	media_spi_connect();
	media_plan(&plan, SQL_QUOTA_USAGE, 1, argtypes);
	media_exec(plan, values, NULL, false, 1);
	if (SPI_processed != 1)
	{
		SPI_finish();
		return;					/* no quota for this owner */
	}
	tuple = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	max_bytes = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &null_bytes));
	max_files = DatumGetInt64(SPI_getbinval(tuple, desc, 2, &null_files));
	used_bytes = DatumGetInt64(SPI_getbinval(tuple, desc, 3, &isnull));
	used_files = DatumGetInt64(SPI_getbinval(tuple, desc, 4, &isnull));
	SPI_finish();

	if (!null_bytes && byte_size > max_bytes - used_bytes)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("storage quota of owner \"%s\" exceeded", owner),
				 errdetail("The owner's files use " INT64_FORMAT " of " INT64_FORMAT " bytes; this file has " INT64_FORMAT ".",
						   used_bytes, max_bytes, byte_size),
				 errhint("Remove files with media.remove(), or raise max_bytes in media.quotas.")));
	if (!null_files && used_files >= max_files)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("file quota of owner \"%s\" exceeded", owner),
				 errdetail("The owner has " INT64_FORMAT " of at most " INT64_FORMAT " files.", used_files, max_files),
				 errhint("Remove files with media.remove(), or raise max_files in media.quotas.")));
}

/*
 * Refuses a new upload when the owner already has media.max_open_uploads
 * open.  Not serialized: sessions beginning uploads at the same instant may
 * each pass, so the cap holds to within the number of concurrent sessions.
 */
void
media_check_open_uploads(const char *owner)
{
	static SPIPlanPtr plan = NULL;
	static const Oid argtypes[] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(owner)};
	int64		open;
	bool		isnull;

	media_spi_connect();
	media_plan(&plan, SQL_OPEN_UPLOADS, 1, argtypes);
	media_exec(plan, values, NULL, false, 1);
	open = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	if (open >= media_max_open_uploads)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("owner \"%s\" has too many uploads in progress", owner),
				 errdetail("At most %d uploads may be open at once (media.max_open_uploads).", media_max_open_uploads),
				 errhint("Finish or abort uploads in progress; abandoned ones are removed by media.cleanup_uploads().")));
}

/* Refuses HTML, XHTML, XML and SVG unless media.allow_active_content is on. */
void
media_check_active_content(const mm_probe *probe)
{
	if (probe->active_content && !media_allow_active_content)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("active content is not accepted: the file is %s", probe->mime),
				 errdetail("A browser could run scripts in HTML, XHTML, XML and SVG files served from your domain."),
				 errhint("An administrator can set media.allow_active_content = on; media.http() then serves such files inert.")));
}

/*
 * Refuses to serve content a scanner has not passed.  Roles allowed to
 * record scan verdicts (UPDATE on media.files.scan_status) may still stream
 * it with media.parts(), which is how a scanner reads it.
 */
void
media_check_servable(const MediaFile *file, bool for_scanner)
{
	if (strcmp(file->scan_status, "clean") == 0)
		return;
	if (for_scanner)
	{
		Oid			relid = get_relname_relid("files", get_namespace_oid("media", false));
		AttrNumber	attnum = get_attnum(relid, "scan_status");

		if (pg_attribute_aclcheck(relid, attnum, GetUserId(), ACL_UPDATE) == ACLCHECK_OK)
			return;
	}
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("media file " INT64_FORMAT " is not available: its scan status is \"%s\"",
					file->id, file->scan_status),
			 errdetail("Files are served only once a virus scanner has marked them clean."),
			 errhint("The scanner records its verdict with media.set_scan_result().")));
}

/*
 * Refuses a writing function in a read-only transaction or on a hot
 * standby, with an error that names the function (SQLSTATE 25006) rather
 * than the internal statement that would fail.
 */
void
media_require_writable(const char *function)
{
	PreventCommandIfReadOnly(function);
	PreventCommandDuringRecovery(function);
}
