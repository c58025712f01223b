/*
 * util/signed_url.h - the signed URLs of pg_media serve: the key list, the
 * signature of a URL's fields and its check.  media.sign_url() (SQL) signs
 * with the first key; serve checks with any key of the list, so a key is
 * rotated by listing the new one first and dropping the old one once the
 * URLs it signed have expired.
 *
 * A signed URL:
 *   /media/{id}[/{variant}]?exp={unix seconds}[&own={owner}]&kid={key id}&sig={signature}
 * The signature is HMAC-SHA256, base64url without padding (43 characters),
 * of the text
 *   "pg_media-url-v1\n" kid "\n" id "\n" variant "\n" exp "\n" owner-field
 * where variant is the canonical text of the transform spec (image/spec.h;
 * empty for the file itself) and owner-field is "-" without an owner, else
 * "=" followed by the owner (the last field, so it may hold any byte).
 * The key itself is never in the URL.
 *
 * A signed upload token (media.sign_upload(); what a browser sends to
 * serve's tus routes as "Authorization: Bearer {token}" on every request):
 *   pgmu1.{exp}.{max}.{owner}.{kid}.{signature}
 * max is the most bytes the upload may have, or "-" for no limit of its
 * own; owner is base64url without padding (never empty).  The signature
 * is HMAC-SHA256 of
 *   "pg_media-upload-v1\n" kid "\n" exp "\n" max "\n" "=" owner
 * Its first line differs from a URL's, so a URL's signature never verifies
 * as an upload token's, nor the other way round.
 */
#ifndef MM_UTIL_SIGNED_URL_H
#define MM_UTIL_SIGNED_URL_H

#include <stddef.h>
#include <stdint.h>

#define MM_SIGN_MAX_KEYS 8
#define MM_SIGN_KEY_ID_MAX 32		/* characters of a key id: A-Z a-z 0-9 _ - . */
#define MM_SIGN_SECRET_MIN 16		/* bytes of a secret, at least */
#define MM_SIGN_SECRET_MAX 256
#define MM_SIGN_SIG_LEN 43			/* base64url of an HMAC-SHA256 */
#define MM_SIGN_EXPIRES_MAX 11		/* digits of exp (well past year 5000) */
#define MM_SIGN_OWNER_MAX 256		/* bytes of an upload token's owner, at most */
#define MM_SIGN_MAX_BYTES_MAX 999999999999999999LL	/* an upload token's max: 18 digits */
#define MM_SIGN_TOKEN_PREFIX "pgmu1."
#define MM_SIGN_TOKEN_MAX 512		/* characters of an upload token, at most */

/* One key: its public id and its secret. */
typedef struct mm_sign_key
{
	char		id[MM_SIGN_KEY_ID_MAX + 1];
	uint8_t		secret[MM_SIGN_SECRET_MAX];
	size_t		secret_len;
} mm_sign_key;

/* The keys in force: key[0] signs, every one verifies. */
typedef struct mm_sign_keys
{
	mm_sign_key key[MM_SIGN_MAX_KEYS];
	int			n;
} mm_sign_keys;

/* What a signature allows: to read (a URL) or to upload (a token). */
typedef enum mm_sign_purpose
{
	MM_SIGN_READ = 0,			/* a signed URL: GET/HEAD of a file or variant */
	MM_SIGN_UPLOAD				/* an upload token: tus uploads as its owner */
} mm_sign_purpose;

/* The fields a signature covers (id and variant: a URL; max_bytes: a token). */
typedef struct mm_signed_fields
{
	const char *id;				/* the file id as written in the URL */
	const char *variant;		/* canonical transform spec, or NULL: the file */
	int64_t		expires;		/* unix seconds; valid while now <= expires */
	const char *owner;			/* media.owner to serve as, or NULL: none */
	mm_sign_purpose purpose;	/* MM_SIGN_READ unless set */
	int64_t		max_bytes;		/* an upload's most bytes, or 0: no limit of its own */
} mm_signed_fields;

/* Why a URL is refused (or MM_SIGN_OK). */
typedef enum mm_sign_status
{
	MM_SIGN_OK = 0,
	MM_SIGN_MALFORMED,			/* a missing or ill-formed kid, sig or exp */
	MM_SIGN_UNKNOWN_KEY,		/* kid names no key in force */
	MM_SIGN_BAD_SIGNATURE,		/* the fields or the signature were altered */
	MM_SIGN_EXPIRED				/* signed, but past exp */
} mm_sign_status;

/*
 * Reads a key list: items "id:secret" separated by commas or newlines,
 * blanks around items ignored, lines starting with '#' skipped (a key
 * file may hold comments).  Secrets are taken as bytes, MM_SIGN_SECRET_MIN
 * to MM_SIGN_SECRET_MAX of them, and may not hold ',', blanks or control
 * characters.  Returns 0 (keys->n may be 0: no keys), or -1 with a message
 * in err for a malformed item, a short secret, a repeated id, too many keys.
 */
int			mm_sign_keys_parse(const char *text, size_t len, mm_sign_keys *keys,
							   char *err, size_t errlen);

/* Overwrites the secrets (before the memory is freed or reused). */
void		mm_sign_keys_clear(mm_sign_keys *keys);

/* Writes the signature of the fields under key into sig (NUL-terminated). */
void		mm_sign_fields(const mm_sign_key *key, const mm_signed_fields *f,
						   char sig[MM_SIGN_SIG_LEN + 1]);

/*
 * Writes the signed path and query of the fields under key into buf:
 * "/media/{id}[/{url_variant}]?exp=..[&own=..]&kid=..&sig=..", the owner
 * percent-encoded.  url_variant is the variant's URL form (image/spec.h)
 * or NULL.  Returns the length, or -1 when buf is too small.
 */
int			mm_sign_url_path(const mm_sign_key *key, const mm_signed_fields *f,
							 const char *url_variant, char *buf, size_t buflen);

/*
 * Writes the upload token of the fields (purpose MM_SIGN_UPLOAD, an owner
 * of 1 to MM_SIGN_OWNER_MAX bytes, max_bytes 0 to MM_SIGN_MAX_BYTES_MAX)
 * under key into buf, NUL-terminated.
 * Returns its length, or -1 when the fields are not a token's or buf is
 * too small (MM_SIGN_TOKEN_MAX + 1 bytes are always enough).
 */
int			mm_sign_upload_token(const mm_sign_key *key, const mm_signed_fields *f,
								 char *buf, size_t buflen);

/* The texts read from an upload token; its fields point into them. */
typedef struct mm_sign_token_parts
{
	char		owner[MM_SIGN_OWNER_MAX + 1];
	char		kid[MM_SIGN_KEY_ID_MAX + 1];
	char		sig[MM_SIGN_SIG_LEN + 1];
} mm_sign_token_parts;

/*
 * Reads an upload token (len bytes, not NUL-terminated) into f (purpose
 * MM_SIGN_UPLOAD, f->owner pointing at parts->owner) and parts, ready for
 * mm_sign_verify(keys, parts->kid, parts->sig, f, now).  Returns 0, or -1
 * for anything that is not a well-formed token (an owner that is empty or
 * holds a NUL byte included).
 */
int			mm_sign_upload_token_parse(const char *token, size_t len, mm_signed_fields *f,
									   mm_sign_token_parts *parts);

/* Reads exp: 1 to MM_SIGN_EXPIRES_MAX digits.  Returns 0, or -1. */
int			mm_sign_parse_expires(const char *text, int64_t *out);

/*
 * Checks a URL's (or an upload token's) kid and sig against the keys for
 * the fields, at time now (unix seconds).  The signature is compared in constant time, and the
 * expiry is judged only for a URL whose signature is valid.
 */
mm_sign_status mm_sign_verify(const mm_sign_keys *keys, const char *kid, const char *sig,
							  const mm_signed_fields *f, int64_t now);

/* A short English description of a status, e.g. "the URL has expired". */
const char *mm_sign_status_text(mm_sign_status status);

#endif
