/*
 * serve_tus_headers.c - pg_media serve: reading and writing the headers of
 * the tus protocol (serve_tus.c answers the requests): the upload a path
 * names, Upload-Length and Upload-Offset, Upload-Checksum, Upload-Metadata,
 * Content-Type, Tus-Resumable and the HTTP date of Upload-Expires.
 */
#include "serve_tus.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/base64.h"

/* Is url one of the tus routes? */
bool
tus_route(const char *url)
{
	size_t		n = strlen(TUS_PREFIX);

	return strncmp(url, TUS_PREFIX, n) == 0 && (url[n] == '\0' || url[n] == '/');
}

/* Parses 1 to 19 decimal digits that fit an int64; false for anything else. */
static bool
parse_int64(const char *s, size_t len, int64_t *out)
{
	uint64_t	v = 0;

	if (len == 0 || len > 19)
		return false;
	for (size_t i = 0; i < len; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t) (s[i] - '0');
	}
	if (v > (uint64_t) INT64_MAX)
		return false;
	*out = (int64_t) v;
	return true;
}

/* Parses a whole header value as an int64 (false when absent or malformed). */
bool
header_int64(struct MHD_Connection *c, const char *name, int64_t *out)
{
	const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);

	return v != NULL && parse_int64(v, strlen(v), out);
}

/* Parses the upload of the path "{upload id}-{Upload-Length}" (after /uploads/). */
bool
parse_upload_path(const char *rest, char *id_text, size_t size, int64_t *length)
{
	const char *dash = strchr(rest, '-');
	int64_t		id;

	if (dash == NULL || !parse_int64(rest, dash - rest, &id) || id == 0 ||
		!parse_int64(dash + 1, strlen(dash + 1), length))
		return false;
	snprintf(id_text, size, "%lld", (long long) id);
	return true;
}

/* An HTTP date (RFC 9110 IMF-fixdate) seconds from now. */
void
http_date_after(int64_t seconds, char *buf, size_t size)
{
	time_t		t = time(NULL) + (time_t) seconds;
	struct tm	tm;
	static const char *days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
	"Sep", "Oct", "Nov", "Dec"};

	gmtime_r(&t, &tm);
	snprintf(buf, size, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
			 months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Is the request's Tus-Resumable the version this server speaks? */
bool
tus_version_ok(struct MHD_Connection *c)
{
	const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Tus-Resumable");

	return v != NULL && strcmp(v, TUS_VERSION) == 0;
}

/* Does the request say it carries a body (Content-Length > 0 or chunked)? */
bool
has_body(struct MHD_Connection *c)
{
	int64_t		len;

	if (MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING))
		return true;
	return header_int64(c, MHD_HTTP_HEADER_CONTENT_LENGTH, &len) && len > 0;
}

/* Is the request's Content-Type application/offset+octet-stream? */
bool
content_type_ok(struct MHD_Connection *c)
{
	const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);

	return ct != NULL && strncasecmp(ct, TUS_CONTENT_TYPE, strlen(TUS_CONTENT_TYPE)) == 0 &&
		(ct[strlen(TUS_CONTENT_TYPE)] == '\0' || ct[strlen(TUS_CONTENT_TYPE)] == ';');
}

/*
 * Reads Upload-Checksum ("sha256 <base64 digest>"): false with a message
 * for another algorithm or a malformed digest (400); absent is fine.
 */
bool
parse_checksum(struct MHD_Connection *c, uint8_t want[MM_SHA256_DIGEST_LEN], bool *present,
			   const char **error)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Upload-Checksum");
	const char *sp;
	uint8_t		digest[64];
	size_t		n;
	size_t		bad;

	if (h == NULL)
		return true;
	sp = strchr(h, ' ');
	if (sp == NULL || (size_t) (sp - h) != 6 || strncasecmp(h, "sha256", 6) != 0)
	{
		*error = "Upload-Checksum: the only algorithm is sha256 (Tus-Checksum-Algorithm)\n";
		return false;
	}
	if (mm_base64_decoded_max(strlen(sp + 1)) > sizeof(digest) ||
		mm_base64_decode(sp + 1, strlen(sp + 1), digest, &n, &bad) != MM_B64_OK ||
		n != MM_SHA256_DIGEST_LEN)
	{
		*error = "Upload-Checksum: the digest must be the base64 of 32 bytes\n";
		return false;
	}
	memcpy(want, digest, MM_SHA256_DIGEST_LEN);
	*present = true;
	return true;
}

/*
 * Reads Upload-Metadata ("key base64,key base64,..."): filename and
 * filetype become the file's name and declared type; other keys are
 * ignored.  False with a message for malformed metadata.
 */
bool
parse_metadata(const char *md, char **name, char **type, const char **error)
{
	while (md && *md)
	{
		size_t		len = strcspn(md, ",");
		const char *sp;
		size_t		klen;
		char	  **dest = NULL;

		while (*md == ' ')
			md++, len--;
		sp = memchr(md, ' ', len);
		klen = sp ? (size_t) (sp - md) : len;
		if (klen == 8 && strncmp(md, "filename", 8) == 0)
			dest = name;
		else if (klen == 8 && strncmp(md, "filetype", 8) == 0)
			dest = type;
		if (dest && sp)
		{
			size_t		vlen = len - klen - 1;
			size_t		n;
			size_t		bad;
			uint8_t    *out = malloc(mm_base64_decoded_max(vlen) + 1);

			if (out == NULL || mm_base64_decode(sp + 1, vlen, out, &n, &bad) != MM_B64_OK ||
				memchr(out, '\0', n) != NULL)
			{
				free(out);
				*error = "Upload-Metadata: filename and filetype must be base64 text\n";
				return false;
			}
			out[n] = '\0';
			free(*dest);
			*dest = (char *) out;
		}
		md += len;
		if (*md == ',')
			md++;
	}
	return true;
}
