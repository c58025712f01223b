/*
 * sign_url.c - media.sign_url(): the path and query of a URL that
 * pg_media serve answers without an application route, for a limited time,
 * as a given media.owner; media.sign_upload(): the token with which a
 * browser uploads to serve's tus routes as a given owner, up to a size
 * (util/signed_url.h says what is signed).
 *
 * The keys are media.url_signing_keys, a superuser-only setting that no
 * other role can read (SHOW, current_setting(), pg_settings): this C
 * function reads the variable itself, so the role that signs never sees a
 * secret.  EXECUTE is revoked from PUBLIC: a URL it signs makes serve read
 * as any owner, so only the application's role should have it.
 */
#include "pg_media.h"
#include "http.h"

#include <math.h>
#include <time.h>

#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "image/spec.h"
#include "util/signed_url.h"

PG_FUNCTION_INFO_V1(media_sign_url);
PG_FUNCTION_INFO_V1(media_sign_upload);

#define SIGN_MAX_SECONDS (366 * 86400)	/* a signed URL lives a year at most */

/* Is value a valid key list?  (The check hook of media.url_signing_keys.) */
bool
media_url_signing_keys_valid(const char *value, char *err, size_t errlen)
{
	mm_sign_keys keys;
	bool		ok = mm_sign_keys_parse(value, value ? strlen(value) : 0, &keys, err, errlen) == 0;

	mm_sign_keys_clear(&keys);
	return ok;
}

/* The seconds of an interval, refused (22023) unless 1 s to a year. */
static int64
expires_in_seconds(const Interval *iv)
{
	/* months as 30 days, like interval comparison; the sum cannot overflow for in-range values */
	double		seconds = (double) iv->time / USECS_PER_SEC + (double) iv->day * SECS_PER_DAY +
		(double) iv->month * DAYS_PER_MONTH * SECS_PER_DAY;

	if (!(seconds >= 1 && seconds <= SIGN_MAX_SECONDS))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("expires_in must be between 1 second and 366 days"),
				 errdetail("A signed URL stays valid until it expires; it cannot be revoked except by removing its key.")));
	return (int64) ceil(seconds);
}

/*
 * Reads media.url_signing_keys into keys; 55000 when it holds none (the
 * caller clears keys once it has signed).
 */
static void
load_signing_keys(mm_sign_keys *keys)
{
	char		err[160];

	if (mm_sign_keys_parse(media_url_signing_keys, media_url_signing_keys ? strlen(media_url_signing_keys) : 0,
						   keys, err, sizeof(err)) != 0 || keys->n == 0)
	{
		mm_sign_keys_clear(keys);
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("no URL signing key is configured"),
				 errdetail("pg_media signs with the first key of media.url_signing_keys, which is empty."),
				 errhint("A superuser sets it, e.g. ALTER SYSTEM SET media.url_signing_keys = 'k1:<32 random characters>', and gives pg_media serve the same keys (--signing-keys FILE).")));
	}
}

/* The owner argument at argno as a C string, refused (22023) when empty. */
static char *
owner_argument(FunctionCallInfo fcinfo, int argno, const char *hint)
{
	char	   *owner = text_to_cstring(PG_GETARG_TEXT_PP(argno));

	if (owner[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("owner must not be empty"),
				 errhint("%s", hint)));
	return owner;
}

/*
 * media.sign_url(id bigint, expires_in interval, variant text DEFAULT NULL,
 * owner text DEFAULT NULL) RETURNS text: "/media/{id}[/{variant}]?exp=..
 * [&own=..]&kid=..&sig=..", signed with the first key of
 * media.url_signing_keys.  The variant (a transform spec, checked as
 * media.http() checks it: parsed and in media.thumbnail_sizes) is written
 * in its URL form (w_320,h_320,c_cover,f_auto).  NULL id or expires_in
 * gives NULL.
 */
Datum
media_sign_url(PG_FUNCTION_ARGS)
{
	mm_sign_keys keys;
	mm_signed_fields f = {0};
	char		id[24];
	char		url_variant[MM_XFORM_TEXT_MAX];
	char		canonical[MM_XFORM_TEXT_MAX];
	bool		has_variant = !PG_ARGISNULL(2);
	size_t		cap;
	char	   *url;
	int			n;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	media_require_preload();
	snprintf(id, sizeof(id), INT64_FORMAT, PG_GETARG_INT64(0));
	f.id = id;
	f.expires = (int64) time(NULL) + expires_in_seconds(PG_GETARG_INTERVAL_P(1));
	if (has_variant)
	{
		text	   *v = PG_GETARG_TEXT_PP(2);
		mm_xform	checked;
		mm_xform	as_written;

		media_check_variant(VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v), &checked);
		/* signed as written (quality not filled in), as serve reads the URL form back */
		mm_xform_init(&as_written);
		if (mm_xform_parse(VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v), &as_written, NULL, 0) != 0 ||
			mm_xform_url_text(&as_written, url_variant, sizeof(url_variant)) < 0 ||
			mm_xform_canonical(&as_written, canonical, sizeof(canonical)) < 0)
			elog(ERROR, "a checked variant does not read back");
		f.variant = canonical;
	}
	if (!PG_ARGISNULL(3))
		f.owner = owner_argument(fcinfo, 3, "Pass NULL for a URL that sets no media.owner.");

	load_signing_keys(&keys);
	cap = 256 + (f.owner ? 3 * strlen(f.owner) : 0);
	url = palloc(cap);
	n = mm_sign_url_path(&keys.key[0], &f, has_variant ? url_variant : NULL, url, cap);
	mm_sign_keys_clear(&keys);
	if (n < 0)
		elog(ERROR, "signed URL longer than %zu bytes", cap);
	PG_RETURN_TEXT_P(cstring_to_text(url));
}

/*
 * media.sign_upload(expires_in interval, owner text, max_bytes bigint
 * DEFAULT NULL) RETURNS text: the token a browser sends to pg_media
 * serve's tus routes (/uploads/) as "Authorization: Bearer {token}", on
 * every request of the upload, until it expires; the upload runs as
 * media.owner = owner and may not exceed max_bytes (NULL: no limit of its
 * own; media.max_upload_size still applies).  Signed with the first key of
 * media.url_signing_keys.  NULL expires_in gives NULL; an owner is required.
 */
Datum
media_sign_upload(PG_FUNCTION_ARGS)
{
	mm_sign_keys keys;
	mm_signed_fields f = {0};
	char		token[MM_SIGN_TOKEN_MAX + 1];
	int			n;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	media_require_preload();
	f.purpose = MM_SIGN_UPLOAD;
	f.expires = (int64) time(NULL) + expires_in_seconds(PG_GETARG_INTERVAL_P(0));
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("owner must not be null"),
				 errdetail("An upload token names the media.owner its uploads are stored as."),
				 errhint("For uploads as the server role's own owner, give pg_media serve PG_MEDIA_UPLOAD_TOKEN instead.")));
	f.owner = owner_argument(fcinfo, 1, "Pass the application's user, e.g. owner => 'user-42'.");
	if (strlen(f.owner) > MM_SIGN_OWNER_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("owner must have at most %d bytes", MM_SIGN_OWNER_MAX)));
	if (!PG_ARGISNULL(2))
	{
		f.max_bytes = PG_GETARG_INT64(2);
		if (f.max_bytes < 1 || f.max_bytes > MM_SIGN_MAX_BYTES_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("max_bytes must be between 1 and " INT64_FORMAT, (int64) MM_SIGN_MAX_BYTES_MAX),
					 errhint("Pass NULL for no limit other than media.max_upload_size.")));
	}
	load_signing_keys(&keys);
	n = mm_sign_upload_token(&keys.key[0], &f, token, sizeof(token));
	mm_sign_keys_clear(&keys);
	if (n < 0)
		elog(ERROR, "upload token longer than %d bytes", MM_SIGN_TOKEN_MAX);
	PG_RETURN_TEXT_P(cstring_to_text(token));
}
