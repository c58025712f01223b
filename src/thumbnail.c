/*
 * thumbnail.c - media.thumbnail(): thumbnails made in the database.
 *
 * The pure-C core (image/image.h) decodes, orients, resamples and encodes;
 * here we give it PostgreSQL memory and a cancel check, turn its statuses
 * into SQLSTATEs, and cache results of the boxes in media.thumbnail_sizes
 * in media.derivatives (derivatives.c) so the second request returns stored
 * bytes.  On a hot standby, or in a read-only transaction, thumbnails are
 * computed and not cached.  media_file_thumbnail() is also media.http()'s
 * way to a thumbnail (http_variant.c).
 */
#include "storage.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "image/image.h"

PG_FUNCTION_INFO_V1(media_thumbnail_bytes);
PG_FUNCTION_INFO_V1(media_thumbnail_file);


/* The output format named by the format argument. */
static mm_thumb_format
thumb_format(text *format)
{
	char	   *f = text_to_cstring(format);

	if (pg_strcasecmp(f, "jpeg") == 0 || pg_strcasecmp(f, "jpg") == 0)
		return MM_THUMB_JPEG;
	if (pg_strcasecmp(f, "png") == 0)
		return MM_THUMB_PNG;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unsupported thumbnail format \"%s\"", f),
			 errhint("Use 'jpeg' or 'png'.")));
	return MM_THUMB_JPEG;		/* keep the compiler quiet */
}

/* Refuses a box that is not positive or is absurdly large. */
static void
check_box(int32 width, int32 height)
{
	if (width < 1 || height < 1 || width > MEDIA_THUMB_MAX_BOX || height > MEDIA_THUMB_MAX_BOX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("thumbnail box %dx%d is out of range", width, height),
				 errdetail("Width and height must be between 1 and %d.", MEDIA_THUMB_MAX_BOX)));
}

/*
 * Makes a thumbnail of src[0..len) in the current memory context.  The
 * core runs in a context of its own, deleted afterwards, so nothing it
 * allocated outlives the call whatever happens.
 */
static bytea *
make_thumbnail(const uint8 *src, size_t len, int32 width, int32 height,
			   mm_thumb_format fmt, mm_thumb_info *info)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "pg_media thumbnail",
											  ALLOCSET_DEFAULT_SIZES);
	mm_alloc	alloc;
	mm_limits	lim;
	uint8_t    *out = NULL;
	size_t		out_len = 0;
	char		err[256] = "";
	mm_img_status st;
	bytea	   *result;

	media_image_limits(&lim, &alloc, cxt);
	lim.max_bytes = MaxAllocHugeSize;
	memset(info, 0, sizeof(*info));

	st = mm_thumbnail(src, len, width, height, fmt, media_thumbnail_quality, &lim,
					  &out, &out_len, info, err, sizeof(err));
	if (st == MM_IMG_OK)
	{
		if (out_len > MaxAllocSize - VARHDRSZ)
			st = MM_IMG_TOO_BIG;
		else
			result = make_bytea(out, out_len);
	}
	MemoryContextDelete(cxt);

	switch (st)
	{
		case MM_IMG_OK:
			return result;
		case MM_IMG_INTERRUPTED:
			CHECK_FOR_INTERRUPTS();
			ereport(ERROR,
					(errcode(ERRCODE_QUERY_CANCELED),
					 errmsg("canceling thumbnail because of an interrupt")));
			break;
		case MM_IMG_TOO_BIG:
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("image is too large to make a thumbnail of"),
					 errdetail("%s", err[0] ? err : "Its header declares more pixels than allowed."),
					 errhint("media.max_pixels (%d) and media.max_decode_memory (%dMB) limit the images that are decoded.",
							 media_max_pixels, media_max_decode_memory)));
			break;
		case MM_IMG_UNSUPPORTED:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot make a thumbnail of this file"),
					 errdetail("%s", err[0] ? err : "Thumbnails are made of JPEG, PNG, GIF, BMP, WebP and TIFF images.")));
			break;
		case MM_IMG_CORRUPT:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("image data is damaged: %s", err[0] ? err : "it could not be decoded")));
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
	return NULL;
}

/* media.thumbnail(content bytea, width integer, height integer, format text) RETURNS bytea */
Datum
media_thumbnail_bytes(PG_FUNCTION_ARGS)
{
	bytea	   *content = PG_GETARG_BYTEA_PP(0);
	int32		width = PG_GETARG_INT32(1);
	int32		height = PG_GETARG_INT32(2);
	mm_thumb_format fmt = thumb_format(PG_GETARG_TEXT_PP(3));
	mm_thumb_info info;

	check_box(width, height);
	PG_RETURN_BYTEA_P(make_thumbnail((const uint8 *) VARDATA_ANY(content),
									 VARSIZE_ANY_EXHDR(content), width, height, fmt, &info));
}

/* The MIME type of a thumbnail format. */
const char *
media_thumbnail_mime(mm_thumb_format fmt)
{
	return fmt == MM_THUMB_PNG ? "image/png" : "image/jpeg";
}

/*
 * The spec of a thumbnail: its key in the derivative cache (with the
 * source blob's key), and part of its ETag in media.http().  It names
 * everything the bytes depend on, the JPEG quality included.
 */
char *
media_thumbnail_spec(int32 width, int32 height, mm_thumb_format fmt)
{
	return fmt == MM_THUMB_JPEG ?
		psprintf("thumbnail %dx%d jpeg q%d", width, height, media_thumbnail_quality) :
		psprintf("thumbnail %dx%d png", width, height);
}

/*
 * A thumbnail of a file the caller may read (the caller has looked it up,
 * checked it is servable and checked the box): the cached one when the box is in
 * media.thumbnail_sizes, else made (and cached when the box is listed and
 * the transaction may write).  The cache is shared by every file of the
 * same blob, since a thumbnail depends only on the bytes and the spec.
 */
bytea *
media_file_thumbnail(const MediaFile *file, int32 width, int32 height, mm_thumb_format fmt)
{
	bool		cached_size;
	bool		can_cache;
	StorageAccess access;
	char	   *spec;
	bytea	   *source;
	bytea	   *thumb;
	mm_thumb_info info;

	cached_size = media_thumbnail_size_cached(width, height);
	can_cache = cached_size && !RecoveryInProgress() && !XactReadOnly;
	spec = media_thumbnail_spec(width, height, fmt);

	if (cached_size)
	{
		storage_enter(&access);
		thumb = derivative_find(file->blob_id, spec, can_cache);
		storage_leave(&access);
		if (thumb != NULL)
			return thumb;
	}

	source = media_read_bytes(file, 0, file->byte_size);
	thumb = make_thumbnail((const uint8 *) VARDATA(source), file->byte_size, width, height, fmt, &info);
	pfree(source);

	if (can_cache)
	{
		storage_enter(&access);
		derivative_store(file->blob_id, spec, thumb, media_thumbnail_mime(fmt),
						 info.out_width, info.out_height);
		storage_leave(&access);
	}
	return thumb;
}

/*
 * media.thumbnail(id bigint, width integer, height integer, format text) RETURNS bytea
 *
 * The file is read as the caller (privileges, row-level security and the
 * scan quarantine apply); only boxes in media.thumbnail_sizes are cached,
 * others are computed on every call.
 */
Datum
media_thumbnail_file(PG_FUNCTION_ARGS)
{
	int32		width = PG_GETARG_INT32(1);
	int32		height = PG_GETARG_INT32(2);
	mm_thumb_format fmt = thumb_format(PG_GETARG_TEXT_PP(3));
	MediaFile	file;

	check_box(width, height);
	storage_file_require(PG_GETARG_INT64(0), &file);
	media_check_servable(&file, false);
	PG_RETURN_BYTEA_P(media_file_thumbnail(&file, width, height, fmt));
}
