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
PG_FUNCTION_INFO_V1(media_owner_scope);

/*
 * The name of the session's login role (session_user).  A role's files are
 * charged to and seen by its login, whatever SET ROLE or a SECURITY DEFINER
 * function makes the current role: otherwise a file stored after SET ROLE
 * to a group role would belong to every member of the group.
 */
static char *
login_role_name(void)
{
	return GetUserNameFromId(GetSessionUserId(), false);
}

/* Is media.owner set (non-empty)? */
static bool
owner_setting_present(void)
{
	return media_owner != NULL && media_owner[0] != '\0';
}

/*
 * The owner namespace of new files: "role" when the owner is a login role,
 * "setting" when it is an application's user named by media.owner.  The two
 * are kept apart (media.files.owner_scope), so an application that may set
 * media.owner can never name a login role's files, nor the reverse.
 */
const char *
media_current_owner_scope(void)
{
	media_require_preload();
	switch (media_isolation)
	{
		case MEDIA_ISOLATION_ROLE:
			return MEDIA_SCOPE_ROLE;
		case MEDIA_ISOLATION_SETTING:
			return MEDIA_SCOPE_SETTING;
		default:
			return owner_setting_present() ? MEDIA_SCOPE_SETTING : MEDIA_SCOPE_ROLE;
	}
}

/*
 * The owner to record for new files and uploads, and to match uploads
 * against (in the namespace media_current_owner_scope() names).  media.isolation
 * decides whom to believe: under "role" only the login role (so nobody can
 * charge files to someone else), under "setting" only media.owner (which
 * must then be set), otherwise media.owner when set, else the login role.
 */
char *
media_current_owner(void)
{
	if (strcmp(media_current_owner_scope(), MEDIA_SCOPE_ROLE) == 0)
		return login_role_name();
	if (!owner_setting_present())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("media.owner is not set"),
				 errdetail("media.isolation is \"setting\", so every file belongs to the owner named by media.owner."),
				 errhint("Run SET LOCAL media.owner = '<user id>' at the start of each transaction.")));
	return pstrdup(media_owner);
}

/*
 * media.owner_scope() RETURNS text: the owner namespace ("role" or
 * "setting") of files this session stores; the default of the owner_scope
 * columns and the namespace every owner comparison in SQL uses.
 */
Datum
media_owner_scope(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(media_current_owner_scope()));
}

/* Does the text value equal the C string? */
static bool
text_equals(text *value, const char *str)
{
	return strlen(str) == VARSIZE_ANY_EXHDR(value) &&
		memcmp(str, VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value)) == 0;
}

/*
 * media.visible_owner(owner text, owner_scope text) RETURNS boolean: the
 * row-level security policy on media.files.  Under "role" isolation a
 * session sees the files of its login role, under "setting" those of
 * media.owner, each only in its own namespace.  Written in C so that
 * calling it loads pg_media (and its settings) in any session, and so no
 * search_path can change it.
 */
Datum
media_visible_owner(PG_FUNCTION_ARGS)
{
	text	   *owner = PG_GETARG_TEXT_PP(0);

	/* 0.1.0's visible_owner(owner) has no scope: one namespace until the update */
	text	   *scope = PG_NARGS() > 1 ? PG_GETARG_TEXT_PP(1) : NULL;

	media_require_preload();
	switch (media_isolation)
	{
		case MEDIA_ISOLATION_ROLE:
			PG_RETURN_BOOL((scope == NULL || text_equals(scope, MEDIA_SCOPE_ROLE)) &&
						   text_equals(owner, login_role_name()));
		case MEDIA_ISOLATION_SETTING:
			PG_RETURN_BOOL(owner_setting_present() &&
						   (scope == NULL || text_equals(scope, MEDIA_SCOPE_SETTING)) &&
						   text_equals(owner, media_owner));
		default:
			PG_RETURN_BOOL(true);
	}
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
