/*
 * http_variant.c - media.http() for a derived image of a file (its variant
 * argument: a transform spec, e.g. 'w=256,h=256,resize=cover,format=webp',
 * image/spec.h, the same text media.transform_spec() reads), so an
 * application's thumbnail route is one SQL call too.
 *
 * Only the boxes of media.thumbnail_sizes are served: each one is cached
 * (derivatives.c) and a client cannot make the server decode an image at
 * every size it names.  The answer carries a weak ETag made from the
 * source's SHA-256 and the spec's canonical text (the same on every server and
 * for every call; weak because another version of the encoder may write
 * other bytes for the same image), 304 when If-None-Match matches it
 * (before any image work), the thumbnail's Content-Type, and the source
 * file's caching rule (a thumbnail of a private file stays private).
 * Range is ignored, as RFC 9110 allows: a thumbnail comes whole.
 */
#include "http.h"

#include "utils/builtins.h"

#include "image/spec.h"
#include "util/http.h"

/*
 * The ETag of a variant: W/"<hex SHA-256 of the source's SHA-256 and the
 * thumbnail spec>".  The spec names the box, the format and the JPEG
 * quality, so a change of any of them is a new ETag.
 */
static char *
variant_etag(const MediaFile *file, const char *spec)
{
	size_t		spec_len = strlen(spec);
	char	   *input = palloc(MM_SHA256_DIGEST_LEN + spec_len);
	uint8		digest[MM_SHA256_DIGEST_LEN];
	char		hex[2 * MM_SHA256_DIGEST_LEN + 1];

	memcpy(input, file->sha256, MM_SHA256_DIGEST_LEN);
	memcpy(input + MM_SHA256_DIGEST_LEN, spec, spec_len);
	mm_sha256(input, MM_SHA256_DIGEST_LEN + spec_len, digest);
	hex[hex_encode((const char *) digest, MM_SHA256_DIGEST_LEN, hex)] = '\0';
	pfree(input);
	return psprintf("W/\"%s\"", hex);
}

/*
 * The name a browser saves a variant under: the file's name without its
 * extension, the box and the output's extension from its MIME type
 * ("cat.png" at 256x256 in JPEG: "cat-256x256.jpg").
 */
static char *
variant_file_name(const MediaFile *file, const mm_xform *x, const char *mime)
{
	const char *name = file->name;
	const char *dot = strrchr(name, '.');
	int			stem = dot != NULL && dot != name ? (int) (dot - name) : (int) strlen(name);
	const char *ext = strcmp(mime, "image/jpeg") == 0 ? "jpg" : strchr(mime, '/') + 1;

	return psprintf("%.*s-%dx%d.%s", stem, name, x->width, x->height, ext);
}

/*
 * Reads a variant (a transform spec) into x, refusing one that does not
 * parse or whose box is not in media.thumbnail_sizes (22023, which
 * applications answer with 400).  Without an Accept header to go by,
 * format 'auto' means JPEG, or PNG for an image with alpha.  Also what
 * media.sign_url() checks a variant with (sign_url.c).
 */
void
media_check_variant(const char *text, size_t len, mm_xform *x)
{
	media_parse_spec(pnstrdup(text, len), NULL, x);
	if (!media_thumbnail_size_listed(x->width, x->height))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("variant size %dx%d is not in media.thumbnail_sizes", x->width, x->height),
				 errdetail("media.http() serves derived images of the boxes in media.thumbnail_sizes (now '%s') only.",
						   media_thumbnail_sizes ? media_thumbnail_sizes : ""),
				 errhint("Ask for one of those boxes, or have a superuser add this one to media.thumbnail_sizes.")));
}

/*
 * The (status, headers, body) answer for a variant of file, which the
 * caller has looked up and checked servable: 304 when If-None-Match
 * matches, else 200 with the thumbnail (no body for HEAD).
 */
Datum
http_variant_response(FunctionCallInfo fcinfo, const HttpRequest *rq, const MediaFile *file,
					  const char *variant, size_t variant_len)
{
	StringInfoData h;
	mm_xform	x;
	char		spec[MM_XFORM_TEXT_MAX];
	char	   *etag;
	const char *mime;
	bytea	   *thumb;

	media_check_variant(variant, variant_len, &x);
	if (mm_xform_canonical(&x, spec, sizeof(spec)) < 0)
		elog(ERROR, "transform spec too long");
	etag = variant_etag(file, spec);
	initStringInfo(&h);
	appendStringInfoChar(&h, '{');

	if (rq->inm != NULL && mm_http_etag_matches(rq->inm, rq->inm_len, etag))
	{
		http_add_cache_headers(&h, file, etag, 304);
		return http_result(fcinfo, 304, &h, NULL);
	}

	thumb = media_derived_image(file->id, &x, &mime);
	http_add_header(&h, "Content-Type", mime);
	http_add_header(&h, "X-Content-Type-Options", "nosniff");
	http_add_header(&h, "Accept-Ranges", "none");
	http_add_header(&h, "Content-Disposition",
					http_content_disposition("inline", variant_file_name(file, &x, mime)));
	http_add_cache_headers(&h, file, etag, 200);
	http_add_header(&h, "Content-Length", psprintf("%zu", VARSIZE_ANY_EXHDR(thumb)));
	return http_result(fcinfo, 200, &h, rq->head ? NULL : thumb);
}
