/*
 * placeholder.c - image placeholders (issue 14): the ThumbHash and the
 * dominant colour each image gets at ingest (media.files.placeholder and
 * dominant_color, so a page paints a blurred preview before the image
 * arrives), media.placeholder_url() that renders one back as a PNG data
 * URL, and media.refresh_placeholders() for files stored before.
 *
 * A placeholder is an optional extra: an image that cannot be decoded, or
 * would pass media.max_pixels or media.max_decode_memory, is stored
 * without one (NULL), never refused for it.  A cancel still cancels.  The
 * pure-C core does the work (image/thumbhash.h: the thumbnail pipeline to
 * 100 px, JPEGs shrunk on load, then the hash); a file whose blob another
 * file already uses copies that file's placeholder instead of decoding
 * again.  The blob is the content in the caller's dedup scope
 * (media.dedup), so the copy tells an owner nothing that dedup does not.
 */
#include "storage.h"

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "image/image.h"
#include "image/thumbhash.h"
#include "util/base64.h"
#include "spi_util.h"
#include "storage_sql.h"

PG_FUNCTION_INFO_V1(media_placeholder_url);
PG_FUNCTION_INFO_V1(media_placeholder_url_file);
PG_FUNCTION_INFO_V1(media_refresh_placeholders);

/* The longest text media.placeholder_url() decodes: a 25-byte hash is 36 base64 characters. */
#define PLACEHOLDER_TEXT_MAX 64

/* Bytes read to recognize an image before reading all of it: what mm_img_sniff() looks at, at most (a HEIF ftyp box). */
#define PLACEHOLDER_SNIFF_LEN 4096

/* Files media.refresh_placeholders() reads per query. */
#define REFRESH_BATCH 100

/* Does media.files have the placeholder columns?  Not in a 0.1.0 catalog before ALTER EXTENSION UPDATE. */
static bool
placeholders_stored(void)
{
	return storage_has_column("files", "placeholder");
}

/*
 * Should ingest make a placeholder for content probed as probe?  Images
 * only, under media.placeholders, once the catalog has the columns.
 */
bool
media_placeholder_wanted(const mm_probe *probe)
{
	return media_placeholders && strcmp(probe->media_type, "image") == 0 && placeholders_stored();
}

/* len bytes as base64 text (a C string in the current context). */
static char *
base64_cstring(const uint8 *data, size_t len)
{
	size_t		n = mm_base64_encoded_len(len, 1);
	char	   *out = palloc(n + 1);

	mm_base64_encode(data, len, out, 0, 1);
	out[n] = '\0';
	return out;
}

/* One call of the core: its memory context (deleted after it, whatever happened), limits and message. */
typedef struct CoreCall
{
	MemoryContext cxt;
	mm_alloc	alloc;
	mm_limits	lim;
	char		err[256];
} CoreCall;

/* Sets up a core call under media.max_pixels, media.max_decode_memory and the interrupt poll. */
static void
core_call_begin(CoreCall *call)
{
	call->cxt = AllocSetContextCreate(CurrentMemoryContext, "pg_media placeholder", ALLOCSET_SMALL_SIZES);
	media_image_limits(&call->lim, &call->alloc, call->cxt);
	call->err[0] = '\0';
}

/*
 * Computes the placeholder of content[0..len) into *ph (left NULL when the
 * content does not decode within the limits; that is logged at DEBUG1).
 */
static void
placeholder_of_bytes(const char *content, int64 len, MediaPlaceholder *ph)
{
	CoreCall	call;
	mm_placeholder made;
	mm_img_status st;

	core_call_begin(&call);
	st = mm_placeholder_make((const uint8_t *) content, (size_t) len, &call.lim, &made,
							 call.err, sizeof(call.err));
	MemoryContextDelete(call.cxt);
	if (st == MM_IMG_INTERRUPTED)
		CHECK_FOR_INTERRUPTS();
	if (st != MM_IMG_OK)
	{
		elog(DEBUG1, "pg_media: no placeholder: %s: %s", mm_img_status_name(st), call.err);
		return;
	}
	ph->hash = base64_cstring(made.hash, made.hash_len);
	if (made.has_colour)
		ph->colour = psprintf("#%02x%02x%02x", made.colour[0], made.colour[1], made.colour[2]);
}

/* Copies the placeholder of another file of blob_id into *ph; false when none has one. */
static bool
placeholder_of_blob(int64 blob_id, MediaPlaceholder *ph)
{
	static SpiStatement lookup = {SQL_PLACEHOLDER_OF_BLOB, 1, {INT8OID}};
	Datum		values[1] = {Int64GetDatum(blob_id)};
	SpiRow		row;
	bool		found;

	spi_begin();
	found = spi_run_row(&lookup, values, NULL, true, &row);
	if (found)
	{
		ph->hash = spi_row_cstring(&row, 1);
		ph->colour = spi_row_cstring(&row, 2);
	}
	spi_end();
	return found;
}

/*
 * Reads a blob of byte_size bytes whole, when it fits in memory
 * (media.max_file_size) and its first bytes are an image the core
 * decodes; NULL otherwise.
 */
static char *
read_image_blob(int64 blob_id, int64 byte_size)
{
	char		head[PLACEHOLDER_SNIFF_LEN];
	int64		head_len = Min(byte_size, (int64) sizeof(head));
	char	   *content;

	if (byte_size <= 0 || !media_fits_in_memory(byte_size))
		return NULL;
	storage_chunks_read(blob_id, 0, head_len, head);
	if (mm_img_sniff((const uint8 *) head, (size_t) head_len) == MM_DEC_NONE)
		return NULL;
	content = palloc(byte_size);
	storage_chunks_read(blob_id, 0, byte_size, content);
	return content;
}

/*
 * The placeholder of a file of blob_id (byte_size bytes) into *ph: another
 * file's of the same blob when one has it, else computed from content
 * (NULL: read from the blob, when it fits in memory).  Inside
 * storage_enter().  *ph is left NULL when there is none.
 */
void
media_placeholder_for(int64 blob_id, int64 byte_size, const char *content, MediaPlaceholder *ph)
{
	char	   *read = NULL;

	ph->hash = NULL;
	ph->colour = NULL;
	if (placeholder_of_blob(blob_id, ph))
		return;
	if (content == NULL)
		content = read = read_image_blob(blob_id, byte_size);
	if (content != NULL)
		placeholder_of_bytes(content, byte_size, ph);
	if (read != NULL)
		pfree(read);
}

/* Refuses a text that is not a placeholder (22023). */
static void
refuse_placeholder(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid placeholder"),
			 errdetail("%s", detail),
			 errhint("A placeholder is the base64 ThumbHash stored in media.files.placeholder.")));
}

/* The PNG data URL of a placeholder (a base64 ThumbHash), or 22023 when it is not one. */
static text *
placeholder_data_url(const text *placeholder)
{
	static const char prefix[] = "data:image/png;base64,";
	const char *hash = VARDATA_ANY(placeholder);
	size_t		len = VARSIZE_ANY_EXHDR(placeholder);
	uint8		raw[PLACEHOLDER_TEXT_MAX];
	size_t		raw_len = 0;
	size_t		err_offset = 0;
	CoreCall	call;
	uint8_t    *png = NULL;
	size_t		png_len = 0;
	mm_img_status st;
	text	   *url = NULL;

	StaticAssertStmt(PLACEHOLDER_TEXT_MAX >= MM_THUMBHASH_MAX_LEN * 2, "raw holds any decoded placeholder text");
	if (len > PLACEHOLDER_TEXT_MAX)
		refuse_placeholder(psprintf("It is %zu characters long; a placeholder has at most %d.",
									len, PLACEHOLDER_TEXT_MAX));
	if (mm_base64_decode(hash, len, raw, &raw_len, &err_offset) != MM_B64_OK)
		refuse_placeholder(psprintf("It is not base64 (at offset %zu).", err_offset));
	if (raw_len > MM_THUMBHASH_MAX_LEN)
		refuse_placeholder(psprintf("It decodes to %zu bytes; a ThumbHash has at most %d.",
									raw_len, MM_THUMBHASH_MAX_LEN));

	core_call_begin(&call);
	st = mm_thumbhash_png(raw, raw_len, &call.lim, &png, &png_len, call.err, sizeof(call.err));
	if (st == MM_IMG_OK)
	{
		size_t		url_len = sizeof(prefix) - 1 + mm_base64_encoded_len(png_len, 1);

		url = (text *) palloc(VARHDRSZ + url_len);
		SET_VARSIZE(url, VARHDRSZ + url_len);
		memcpy(VARDATA(url), prefix, sizeof(prefix) - 1);
		mm_base64_encode(png, png_len, VARDATA(url) + sizeof(prefix) - 1, 0, 1);
	}
	MemoryContextDelete(call.cxt);
	if (st == MM_IMG_CORRUPT)
		refuse_placeholder(psprintf("The ThumbHash is damaged: %s.", call.err));
	if (st != MM_IMG_OK)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_INVOCATION_EXCEPTION),
				 errmsg("placeholder could not be rendered: %s", call.err)));
	return url;
}

/* media.placeholder_url(hash text) RETURNS text: 'data:image/png;base64,...' */
Datum
media_placeholder_url(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(placeholder_data_url(PG_GETARG_TEXT_PP(0)));
}

/*
 * media.placeholder_url(id bigint) RETURNS text: the data URL of a file's
 * placeholder, NULL when it has none.  The row is read as the caller, so
 * privileges and row-level security apply as to media.files itself (P0002
 * for a file the caller cannot see).
 */
Datum
media_placeholder_url_file(PG_FUNCTION_ARGS)
{
	static SpiStatement lookup = {SQL_FILE_PLACEHOLDER, 1, {INT8OID}};
	int64		id = PG_GETARG_INT64(0);
	Datum		values[1] = {Int64GetDatum(id)};
	SpiRow		row;
	bool		found;
	text	   *placeholder = NULL;

	spi_begin();
	found = spi_run_row(&lookup, values, NULL, true, &row);
	if (found)
		placeholder = (text *) spi_row_varlena_copy(&row, 1);
	spi_end();
	if (!found)
		storage_file_not_found(id);
	if (placeholder == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(placeholder_data_url(placeholder));
}

/* One file media.refresh_placeholders() looks at. */
typedef struct RefreshFile
{
	int64		id;
	int64		blob_id;
	int64		byte_size;
} RefreshFile;

/* Reads up to max of the next images without a placeholder after id after into files; returns how many. */
static int
next_files(int64 after, int max, RefreshFile *files)
{
	static SpiStatement next = {SQL_FILES_WITHOUT_PLACEHOLDER, 2, {INT8OID, INT4OID}};
	Datum		values[2] = {Int64GetDatum(after), Int32GetDatum(max)};
	uint64		n;

	spi_begin();
	n = spi_run(&next, values, NULL, true, max);
	for (uint64 i = 0; i < n; i++)
	{
		SpiRow		row = {SPI_tuptable->vals[i], SPI_tuptable->tupdesc};

		files[i].id = spi_row_int64(&row, 1);
		files[i].blob_id = spi_row_int64(&row, 2);
		files[i].byte_size = spi_row_int64(&row, 3);
	}
	spi_end();
	return (int) n;
}

/* Stores a placeholder in file id's row. */
static void
set_placeholder(int64 id, const MediaPlaceholder *ph)
{
	static SpiStatement update = {SQL_SET_PLACEHOLDER, 3, {INT8OID, TEXTOID, TEXTOID}};
	Datum		values[3];
	char		nulls[3] = "   ";

	values[0] = Int64GetDatum(id);
	values[1] = CStringGetTextDatum(ph->hash);
	if (ph->colour)
		values[2] = CStringGetTextDatum(ph->colour);
	else
		nulls[2] = 'n';
	(void) spi_command(&update, values, nulls);
}

/*
 * media.refresh_placeholders(max_files integer DEFAULT 1000, after_id
 * bigint DEFAULT 0) RETURNS bigint
 *
 * Gives placeholders to images stored without one (before the update to
 * 0.2.0, or with media.placeholders off): up to max_files of them with an
 * id above after_id, in id order, every owner's (it works as the tables'
 * owner; EXECUTE is for administrators).  Returns the id of the last file
 * it looked at, to pass as after_id to the next call, or NULL when none
 * was left: images that do not decode keep a NULL placeholder and are
 * passed over, so a loop of calls ends.  Cancel stops it between and
 * inside files.
 */
Datum
media_refresh_placeholders(PG_FUNCTION_ARGS)
{
	int32		max_files = PG_GETARG_INT32(0);
	int64		last = PG_GETARG_INT64(1);
	int			done = 0;
	bool		any = false;
	MemoryContext cxt;
	MemoryContext oldcxt;
	StorageAccess access;
	RefreshFile files[REFRESH_BATCH];

	media_require_writable("media.refresh_placeholders()");
	if (max_files < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_files must be at least 1")));
	if (!placeholders_stored())
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("media.files has no placeholder column"),
				 errhint("Update the extension first: ALTER EXTENSION pg_media UPDATE.")));

	cxt = AllocSetContextCreate(CurrentMemoryContext, "pg_media refresh_placeholders",
								ALLOCSET_DEFAULT_SIZES);
	storage_enter(&access);
	while (done < max_files)
	{
		int			n = next_files(last, Min(max_files - done, REFRESH_BATCH), files);

		if (n == 0)
			break;
		for (int i = 0; i < n; i++)
		{
			MediaPlaceholder ph;

			CHECK_FOR_INTERRUPTS();
			oldcxt = MemoryContextSwitchTo(cxt);
			media_placeholder_for(files[i].blob_id, files[i].byte_size, NULL, &ph);
			if (ph.hash != NULL)
				set_placeholder(files[i].id, &ph);
			MemoryContextSwitchTo(oldcxt);
			MemoryContextReset(cxt);
			last = files[i].id;
		}
		done += n;
		any = true;
	}
	storage_leave(&access);
	MemoryContextDelete(cxt);
	if (!any)
		PG_RETURN_NULL();
	PG_RETURN_INT64(last);
}
