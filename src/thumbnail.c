/*
 * thumbnail.c - media.transform() and its shorthand media.thumbnail():
 * derived images made in the database.
 *
 * The pure-C core (image/image.h, image/spec.h) decodes, orients,
 * resamples, crops and encodes; here we read the SQL arguments into one
 * transform spec, give the core PostgreSQL memory and a cancel check, turn
 * its statuses into SQLSTATEs, and cache results of the boxes in
 * media.thumbnail_sizes in media.derivatives (derivatives.c) under the
 * spec's canonical text, so the second request returns stored bytes
 * whichever way the spec was spelled.  media.thumbnail(id, w, h, format)
 * is media.transform(id, w, h, format => format): the same cache entries.
 * On a hot standby, or in a read-only transaction, results are computed
 * and not cached.  A video (MP4, MOV, WebM, MKV: video/poster.h) gives
 * its poster frame, read through the chunk store a chunk at a time
 * (poster.c) rather than whole, and then goes through the same spec,
 * cache and errors as an image.
 */
#include "storage.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "image/image.h"
#include "image/spec.h"

PG_FUNCTION_INFO_V1(media_thumbnail_bytes);
PG_FUNCTION_INFO_V1(media_thumbnail_file);
PG_FUNCTION_INFO_V1(media_transform_bytes);
PG_FUNCTION_INFO_V1(media_transform_file);
PG_FUNCTION_INFO_V1(media_transform_spec);

/* The argument positions of media.transform() after the source. */
enum
{
	ARG_WIDTH = 1, ARG_HEIGHT, ARG_RESIZE, ARG_FORMAT, ARG_QUALITY, ARG_GRAVITY, ARG_ACCEPT
};

/* Refuses a name that a lookup did not know, naming the ones it knows. */
static void
refuse_name(const char *what, const char *value, const char *known)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid %s \"%s\"", what, value),
			 errhint("Use %s.", known)));
}

/* Reads the output format named by a text argument into x. */
static void
read_format(text *format, mm_xform *x)
{
	char	   *f = text_to_cstring(format);

	if (!mm_xform_format_from_name(f, strlen(f), &x->format))
		refuse_name("output format", f, "'auto', 'jpeg', 'png', 'webp', 'webp-lossless' or 'avif'");
}

/* Refuses a quality out of range. */
static void
refuse_quality(int quality, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("quality %d is out of range", quality),
			 errdetail("%s", detail)));
}

/*
 * Checks x (box, quality) and gives it its quality: the given one, else
 * media.thumbnail_quality.
 */
static void
check_spec(mm_xform *x)
{
	char		detail[128];

	if (x->width < 1 || x->height < 1 || x->width > MEDIA_THUMB_MAX_BOX || x->height > MEDIA_THUMB_MAX_BOX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("image box %dx%d is out of range", x->width, x->height),
				 errdetail("Width and height must be between 1 and %d.", MEDIA_THUMB_MAX_BOX)));
	if (mm_xform_check(x, MEDIA_THUMB_MAX_BOX, detail, sizeof(detail)) != 0)
		refuse_quality(x->quality, detail);
	if (x->quality == 0)
		x->quality = media_thumbnail_quality;
}

/* Resolves format 'auto' for an Accept value (NULL: none), as SQL does it. */
static void
negotiate(mm_xform *x, text *accept)
{
	char	   *a = accept ? text_to_cstring(accept) : NULL;

	/* accepting none of them: SQL answers anyway (JPEG, or PNG with alpha) */
	(void) mm_xform_negotiate(x, a, a ? strlen(a) : 0);
}

/*
 * Reads media.transform()'s arguments after the source into x: the box
 * (NULL width or height: the result is NULL, as if STRICT), resize,
 * format, quality, gravity and the Accept value.  Returns false when the
 * result is NULL.
 */
static bool
read_transform_args(FunctionCallInfo fcinfo, mm_xform *x)
{
	mm_xform_init(x);
	if (PG_ARGISNULL(0) || PG_ARGISNULL(ARG_WIDTH) || PG_ARGISNULL(ARG_HEIGHT))
		return false;
	x->width = PG_GETARG_INT32(ARG_WIDTH);
	x->height = PG_GETARG_INT32(ARG_HEIGHT);
	if (!PG_ARGISNULL(ARG_RESIZE))
	{
		char	   *r = text_to_cstring(PG_GETARG_TEXT_PP(ARG_RESIZE));

		if (!mm_xform_resize_from_name(r, strlen(r), &x->resize))
			refuse_name("resize mode", r, "'contain', 'cover' or 'fill'");
	}
	if (!PG_ARGISNULL(ARG_FORMAT))
		read_format(PG_GETARG_TEXT_PP(ARG_FORMAT), x);
	if (!PG_ARGISNULL(ARG_QUALITY))
	{
		x->quality = PG_GETARG_INT32(ARG_QUALITY);
		/* 0 would mean "not given" to the core: out of range here */
		if (x->quality < 1)
			refuse_quality(x->quality, "Quality must be between 1 and 100.");
	}
	if (!PG_ARGISNULL(ARG_GRAVITY))
	{
		char	   *g = text_to_cstring(PG_GETARG_TEXT_PP(ARG_GRAVITY));

		if (!mm_xform_gravity_from_name(g, strlen(g), &x->gravity))
			refuse_name("gravity", g, "'centre', 'attention' or 'entropy'");
	}
	check_spec(x);
	negotiate(x, PG_ARGISNULL(ARG_ACCEPT) ? NULL : PG_GETARG_TEXT_PP(ARG_ACCEPT));
	return true;
}

/* Reads media.thumbnail()'s arguments: a contain transform in a format. */
static void
read_thumbnail_args(FunctionCallInfo fcinfo, mm_xform *x)
{
	mm_xform_init(x);
	x->width = PG_GETARG_INT32(1);
	x->height = PG_GETARG_INT32(2);
	read_format(PG_GETARG_TEXT_PP(3), x);
	check_spec(x);
	negotiate(x, NULL);
}

/* Raises the error of a failed core call on an image, or on a video when video is set. */
static void
report_image_error(mm_img_status st, const char *err, bool video)
{
	switch (st)
	{
		case MM_IMG_INTERRUPTED:
			CHECK_FOR_INTERRUPTS();
			ereport(ERROR,
					(errcode(ERRCODE_QUERY_CANCELED),
					 errmsg("canceling thumbnail because of an interrupt")));
			break;
		case MM_IMG_TOO_BIG:
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg(video ? "video is too large to make a poster of" : "image is too large to make a thumbnail of"),
					 errdetail("%s", err[0] ? err : "Its header declares more pixels than allowed."),
					 errhint("media.max_pixels (%d) and media.max_decode_memory (%dMB) limit the images that are decoded.",
							 media_max_pixels, media_max_decode_memory)));
			break;
		case MM_IMG_UNSUPPORTED:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot make a thumbnail of this file"),
					 errdetail("%s", err[0] ? err : "Thumbnails are made of JPEG, PNG, GIF and BMP images.")));
			break;
		case MM_IMG_CORRUPT:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("%s data is damaged: %s", video ? "video" : "image",
							err[0] ? err : "it could not be decoded")));
			break;
		case MM_IMG_NOMEM:
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory while making a thumbnail")));
			break;
		case MM_IMG_BAD_ARG:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid thumbnail request: %s", err)));
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_EXTERNAL_ROUTINE_INVOCATION_EXCEPTION),
					 errmsg("image encoder failed: %s", err)));
	}
}

/*
 * Transforms src[0..len), or the poster of video (not NULL), as x says,
 * in the current memory context.  The core runs in a context of its own,
 * deleted afterwards, so nothing it allocated outlives the call whatever
 * happens; an error a video read raised inside FFmpeg is re-thrown once
 * the core has returned.
 */
static bytea *
make_image(const uint8 *src, size_t len, MediaVideoSource *video, const mm_xform *x,
		   mm_thumb_info *info)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "pg_media transform",
											  ALLOCSET_DEFAULT_SIZES);
	mm_alloc	alloc;
	mm_limits	lim;
	uint8_t    *out = NULL;
	size_t		out_len = 0;
	char		err[256] = "";
	mm_img_status st;
	bytea	   *result = NULL;

	media_image_limits(&lim, &alloc, cxt);
	lim.max_bytes = MaxAllocHugeSize;
	if (video != NULL)
		st = mm_video_transform(&video->io, x, &lim, &out, &out_len, info, err, sizeof(err));
	else
		st = mm_transform(src, len, x, &lim, &out, &out_len, info, err, sizeof(err));
	if (st == MM_IMG_OK)
	{
		if (out_len > MaxAllocSize - VARHDRSZ)
			st = MM_IMG_TOO_BIG;
		else
			result = make_bytea(out, out_len);
	}
	MemoryContextDelete(cxt);
	if (video != NULL)
		media_video_rethrow(video);
	if (st != MM_IMG_OK)
		report_image_error(st, err, video != NULL);
	return result;
}

/* The MIME type of a result of format fmt (AUTO: JPEG or PNG, by its bytes). */
static const char *
result_mime(mm_thumb_format fmt, const bytea *data)
{
	if (fmt != MM_THUMB_AUTO)
		return mm_xform_format_mime(fmt);
	return mm_img_sniff((const uint8 *) VARDATA_ANY(data), VARSIZE_ANY_EXHDR(data)) == MM_DEC_PNG ?
		"image/png" : "image/jpeg";
}

/*
 * The image x derives from stored file id, read as the caller
 * (privileges, row-level security and the scan quarantine apply); *mime
 * (optional) gets its MIME type.  The cache (derivatives.c) is keyed by
 * the content's key and the spec's canonical text, so it is shared by
 * every file of the same bytes and every spelling of the spec; only
 * boxes in media.thumbnail_sizes are cached, others are computed on every
 * call.  For the HTTP answer too (x already negotiated).
 */
bytea *
media_derived_image(int64 id, const mm_xform *x, const char **mime)
{
	bool		cached_size = media_thumbnail_size_cached(x->width, x->height);
	bool		can_cache = cached_size && !RecoveryInProgress() && !XactReadOnly;
	char		spec[MM_XFORM_TEXT_MAX];
	MediaFile	file;
	StorageAccess access;
	bytea	   *source;
	bytea	   *image = NULL;
	mm_thumb_info info;

	if (mm_xform_canonical(x, spec, sizeof(spec)) < 0)
		elog(ERROR, "transform spec too long");
	storage_file_require(id, &file);
	media_check_servable(&file, false);
	if (cached_size)
	{
		storage_enter(&access);
		image = derivative_find(file.blob_id, spec, can_cache);
		storage_leave(&access);
	}
	if (image == NULL)
	{
		MediaVideoSource video;

		if (media_video_from_file(&video, &file))
			image = make_image(NULL, 0, &video, x, &info);
		else
		{
			source = media_read_bytes(&file, 0, file.byte_size);
			image = make_image((const uint8 *) VARDATA(source), file.byte_size, NULL, x, &info);
			pfree(source);
		}
		if (can_cache)
		{
			storage_enter(&access);
			derivative_store(file.blob_id, spec, image, result_mime(x->format, image),
							 info.out_width, info.out_height);
			storage_leave(&access);
		}
	}
	if (mime != NULL)
		*mime = result_mime(x->format, image);
	return image;
}

/* The derived image of bytea content (a video's poster when it is a video). */
static bytea *
derived_from_bytes(bytea *content, const mm_xform *x)
{
	const uint8 *data = (const uint8 *) VARDATA_ANY(content);
	size_t		len = VARSIZE_ANY_EXHDR(content);
	MediaVideoSource video;
	mm_thumb_info info;

	return make_image(data, len, media_video_from_bytes(&video, data, len) ? &video : NULL, x, &info);
}

/*
 * media.transform(content bytea, width, height, resize, format, quality,
 * gravity, accept) RETURNS bytea
 */
Datum
media_transform_bytes(PG_FUNCTION_ARGS)
{
	mm_xform	x;

	if (!read_transform_args(fcinfo, &x))
		PG_RETURN_NULL();
	PG_RETURN_BYTEA_P(derived_from_bytes(PG_GETARG_BYTEA_PP(0), &x));
}

/*
 * media.transform(id bigint, width, height, resize, format, quality,
 * gravity, accept) RETURNS bytea, cached as media_derived_image() says.
 */
Datum
media_transform_file(PG_FUNCTION_ARGS)
{
	mm_xform	x;

	if (!read_transform_args(fcinfo, &x))
		PG_RETURN_NULL();
	PG_RETURN_BYTEA_P(media_derived_image(PG_GETARG_INT64(0), &x, NULL));
}

/* media.thumbnail(content bytea, width integer, height integer, format text) RETURNS bytea */
Datum
media_thumbnail_bytes(PG_FUNCTION_ARGS)
{
	mm_xform	x;

	read_thumbnail_args(fcinfo, &x);
	PG_RETURN_BYTEA_P(derived_from_bytes(PG_GETARG_BYTEA_PP(0), &x));
}

/* media.thumbnail(id bigint, width integer, height integer, format text) RETURNS bytea */
Datum
media_thumbnail_file(PG_FUNCTION_ARGS)
{
	mm_xform	x;

	read_thumbnail_args(fcinfo, &x);
	PG_RETURN_BYTEA_P(media_derived_image(PG_GETARG_INT64(0), &x, NULL));
}

/*
 * Reads a spec's text form (image/spec.h) into x, checked, with its
 * quality given and format 'auto' resolved for accept (NULL: none).
 * For media.transform_spec() and the HTTP answer.
 */
void
media_parse_spec(const char *text, const char *accept, mm_xform *x)
{
	char		err[128];

	mm_xform_init(x);
	if (mm_xform_parse(text, strlen(text), x, err, sizeof(err)) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid transform spec \"%s\": %s", text, err),
				 errhint("A spec reads like 'w=256,h=256,resize=cover,gravity=attention,format=webp,q=80'.")));
	check_spec(x);
	(void) mm_xform_negotiate(x, accept, accept ? strlen(accept) : 0);
}

/*
 * media.transform_spec(spec text, accept text DEFAULT NULL) RETURNS text:
 * the canonical text of a spec, the key the cache stores its result under.
 */
Datum
media_transform_spec(PG_FUNCTION_ARGS)
{
	mm_xform	x;
	char		spec[MM_XFORM_TEXT_MAX];

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	media_parse_spec(text_to_cstring(PG_GETARG_TEXT_PP(0)),
					 PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1)), &x);
	if (mm_xform_canonical(&x, spec, sizeof(spec)) < 0)
		elog(ERROR, "transform spec too long");
	PG_RETURN_TEXT_P(cstring_to_text(spec));
}
