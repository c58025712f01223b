/*
 * security.c - who owns a file, who may see it, and what may be stored or
 * served: owner isolation (row-level security), active content, the scan
 * quarantine and read-only refusals.  How much an owner may store (quotas,
 * open uploads) is in limits.c.
 */
#include "pg_media.h"

#include "catalog/namespace.h"
#include "miscadmin.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"


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
 * Refuses HTML, XHTML, XML and SVG unless media.allow_active_content is on,
 * with its own SQLSTATE (PM415) so an application answers 415 without
 * reading the message.
 */
void
media_check_active_content(const mm_probe *probe)
{
	if (probe->active_content && !media_allow_active_content)
		ereport(ERROR,
				(errcode(ERRCODE_MEDIA_ACTIVE_CONTENT),
				 errmsg("active content is not accepted: the file is %s", probe->mime),
				 errdetail("A browser could run scripts in HTML, XHTML, XML and SVG files served from your domain."),
				 errhint("An administrator can set media.allow_active_content = on; media.http() then serves such files inert.")));
}

/*
 * Refuses to serve content a scanner has not passed: PM423 while the scan
 * is pending (try again later), PM403 once it found a threat or failed.
 * Roles allowed to record scan verdicts (UPDATE on media.files.scan_status)
 * may still stream it with media.parts(), which is how a scanner reads it.
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
			(errcode(strcmp(file->scan_status, "pending") == 0 ?
					 ERRCODE_MEDIA_SCAN_PENDING : ERRCODE_MEDIA_QUARANTINED),
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
