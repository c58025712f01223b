/*
 * sign_url.c - media.sign_url(): the path and query of a URL that
 * pg_media serve answers without an application route, for a limited time,
 * as a given media.owner (util/signed_url.h says what is signed).
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
	char		err[160];
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
	{
		f.owner = text_to_cstring(PG_GETARG_TEXT_PP(3));
		if (f.owner[0] == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("owner must not be empty"),
					 errhint("Pass NULL for a URL that sets no media.owner.")));
	}

	if (mm_sign_keys_parse(media_url_signing_keys, media_url_signing_keys ? strlen(media_url_signing_keys) : 0,
						   &keys, err, sizeof(err)) != 0 || keys.n == 0)
	{
		mm_sign_keys_clear(&keys);
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("no URL signing key is configured"),
				 errdetail("media.sign_url() signs with the first key of media.url_signing_keys, which is empty."),
				 errhint("A superuser sets it, e.g. ALTER SYSTEM SET media.url_signing_keys = 'k1:<32 random characters>', and gives pg_media serve the same keys (--signing-keys FILE).")));
	}
	cap = 256 + (f.owner ? 3 * strlen(f.owner) : 0);
	url = palloc(cap);
	n = mm_sign_url_path(&keys.key[0], &f, has_variant ? url_variant : NULL, url, cap);
	mm_sign_keys_clear(&keys);
	if (n < 0)
		elog(ERROR, "signed URL longer than %zu bytes", cap);
	PG_RETURN_TEXT_P(cstring_to_text(url));
}
