/*
 * thumbnail.c - media.thumbnail(): thumbnails made in the database.
 *
 * The pure-C core (image/image.h) decodes, orients, resamples and encodes;
 * here we give it PostgreSQL memory and a cancel check, turn its statuses
 * into SQLSTATEs, and cache results by (source SHA-256, spec) in
 * media.derivatives so the second request returns stored bytes.  On a hot
 * standby, or in a read-only transaction, thumbnails are computed and not
 * cached.
 */
#include "storage.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "image/image.h"
#include "storage_sql.h"
#include "spi_util.h"

PG_FUNCTION_INFO_V1(media_thumbnail_bytes);
PG_FUNCTION_INFO_V1(media_thumbnail_file);

#define THUMB_MAX_BOX 8192

/* The output format named by the format argument. */
static mm_thumb_format
thumb_format(text *format, const char **mime)
{
	char	   *f = text_to_cstring(format);

	if (pg_strcasecmp(f, "jpeg") == 0 || pg_strcasecmp(f, "jpg") == 0)
	{
		*mime = "image/jpeg";
		return MM_THUMB_JPEG;
	}
	if (pg_strcasecmp(f, "png") == 0)
	{
		*mime = "image/png";
		return MM_THUMB_PNG;
	}
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
	if (width < 1 || height < 1 || width > THUMB_MAX_BOX || height > THUMB_MAX_BOX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("thumbnail box %dx%d is out of range", width, height),
				 errdetail("Width and height must be between 1 and %d.", THUMB_MAX_BOX)));
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
					 errdetail("%s", err[0] ? err : "Thumbnails are made of JPEG, PNG, GIF and BMP images.")));
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
	const char *mime;
	mm_thumb_format fmt = thumb_format(PG_GETARG_TEXT_PP(3), &mime);
	mm_thumb_info info;

	check_box(width, height);
	PG_RETURN_BYTEA_P(make_thumbnail((const uint8 *) VARDATA_ANY(content),
									 VARSIZE_ANY_EXHDR(content), width, height, fmt, &info));
}

/* The cached derivative (blob id and size) for a spec, or false. */
static bool
find_cached(const uint8 *source_sha, const char *spec, int64 *blob_id, int64 *size)
{
	static SpiStatement find = {SQL_FIND_DERIVATIVE, 2, {BYTEAOID, TEXTOID}};
	Datum		values[2] = {PointerGetDatum(make_bytea(source_sha, MM_SHA256_DIGEST_LEN)),
	CStringGetTextDatum(spec)};
	SpiRow		row;
	bool		found;

	spi_begin();
	found = spi_run_row(&find, values, NULL, false, &row);
	if (found)
	{
		*blob_id = spi_row_int64(&row, 1);
		*size = spi_row_int64(&row, 2);
	}
	spi_end();
	return found;
}

/*
 * Stores a thumbnail as the derivative (source, spec), sharing a blob with
 * identical bytes.  Skipped when the source content has just been removed
 * (its blob is locked against removal while the row goes in).
 */
static void
cache_thumbnail(const uint8 *source_sha, const char *spec, bytea *thumb,
				const char *mime, const mm_thumb_info *info)
{
	static SpiStatement insert = {SQL_INSERT_DERIVATIVE, 7,
	{BYTEAOID, TEXTOID, INT8OID, TEXTOID, INT4OID, INT4OID, INT8OID}};
	uint8		sha[MM_SHA256_DIGEST_LEN];
	int64		len = VARSIZE_ANY_EXHDR(thumb);
	Datum		values[7];

	if (storage_blob_find(source_sha) == 0)
		return;
	mm_sha256(VARDATA_ANY(thumb), (size_t) len, sha);
	values[0] = PointerGetDatum(make_bytea(source_sha, MM_SHA256_DIGEST_LEN));
	values[1] = CStringGetTextDatum(spec);
	values[2] = Int64GetDatum(storage_blob_store_bytes(sha, VARDATA_ANY(thumb), len, false));
	values[3] = CStringGetTextDatum(mime);
	values[4] = Int32GetDatum(info->out_width);
	values[5] = Int32GetDatum(info->out_height);
	values[6] = Int64GetDatum(len);
	(void) spi_command(&insert, values, NULL);
}

/*
 * media.thumbnail(id bigint, width integer, height integer, format text) RETURNS bytea
 *
 * The file is read as the caller (privileges, row-level security and the
 * scan quarantine apply); the cache is shared by every file with the same
 * content, since a thumbnail depends only on the bytes and the spec.
 */
Datum
media_thumbnail_file(PG_FUNCTION_ARGS)
{
	int64		id = PG_GETARG_INT64(0);
	int32		width = PG_GETARG_INT32(1);
	int32		height = PG_GETARG_INT32(2);
	const char *mime;
	mm_thumb_format fmt = thumb_format(PG_GETARG_TEXT_PP(3), &mime);
	bool		can_cache = !RecoveryInProgress() && !XactReadOnly;
	MediaFile	file;
	StorageAccess access;
	char	   *spec;
	int64		blob_id;
	int64		size;
	bytea	   *source;
	bytea	   *thumb;
	mm_thumb_info info;

	check_box(width, height);
	storage_file_require(id, &file);
	media_check_servable(&file, false);
	spec = fmt == MM_THUMB_JPEG ?
		psprintf("thumbnail %dx%d jpeg q%d", width, height, media_thumbnail_quality) :
		psprintf("thumbnail %dx%d png", width, height);

	storage_enter(&access);
	if (find_cached(file.sha256, spec, &blob_id, &size))
	{
		media_check_size(size, MEDIA_SIZE_READ);
		thumb = storage_chunks_read_bytea(blob_id, 0, size);
		storage_leave(&access);
		PG_RETURN_BYTEA_P(thumb);
	}
	storage_leave(&access);

	source = media_read_bytes(&file, 0, file.byte_size);
	thumb = make_thumbnail((const uint8 *) VARDATA(source), file.byte_size, width, height, fmt, &info);
	pfree(source);

	if (can_cache)
	{
		storage_enter(&access);
		cache_thumbnail(file.sha256, spec, thumb, mime, &info);
		storage_leave(&access);
	}
	PG_RETURN_BYTEA_P(thumb);
}
