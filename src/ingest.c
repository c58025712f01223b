/*
 * ingest.c - media.put() and media.put_base64(): store received bytes as a
 * file, once per distinct content.
 */
#include "storage.h"

#include "access/detoast.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "util/base64.h"
#include "util/deflate.h"
#include "util/name.h"
#include "storage_sql.h"
#include "spi_util.h"

PG_FUNCTION_INFO_V1(media_put);
PG_FUNCTION_INFO_V1(media_put_base64);

/* Lower-case hex of n bytes. */
static char *
to_hex(const uint8 *p, int n)
{
	static const char digits[] = "0123456789abcdef";
	char	   *out = palloc(n * 2 + 1);
	int			i;

	for (i = 0; i < n; i++)
	{
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
	return out;
}

/* The stored name: the client's name sanitized, or "file" when none is usable. */
static char *
stored_name(text *client_name)
{
	char		buf[MM_NAME_MAX + 1];
	size_t		len = 0;

	if (client_name)
		len = mm_sanitize_name(VARDATA_ANY(client_name), VARSIZE_ANY_EXHDR(client_name), buf);
	return len > 0 ? pstrdup(buf) : pstrdup("file");
}

/* A probe dimension as an int column value, or NULL when unknown or too large. */
static void
set_dimension(int64 v, Datum *value, char *null)
{
	if (v >= 0 && v <= PG_INT32_MAX)
	{
		*value = Int32GetDatum((int32) v);
		*null = ' ';
	}
	else
		*null = 'n';
}

/*
 * Inserts the media.files row for stored content and returns its id, after
 * checking the owner's quota.  Runs inside storage_enter(): the row is
 * written as the tables' owner, with the caller's owner name recorded in
 * it; under media.require_scan it starts out 'pending'.  placeholder
 * (NULL or NULL fields: none) is the image's (placeholder.c).
 */
int64
ingest_file_row(const IngestRequest *req, int64 blob_id, int64 byte_size,
				const uint8 *sha256, const mm_probe *probe, const MediaPlaceholder *placeholder)
{
	static SpiStatement insert_file = {SQL_INSERT_FILE, 17, {INT8OID, TEXTOID, TEXTOID, TEXTOID, TEXTOID,
		TEXTOID, INT8OID, INT4OID, INT4OID, INT8OID, BYTEAOID, TEXTOID, JSONBOID, JSONBOID, TEXTOID,
	TEXTOID, BOOLOID}};
	static SpiStatement insert_file_placeholder = {SQL_INSERT_FILE_PLACEHOLDER, 19, {INT8OID, TEXTOID,
		TEXTOID, TEXTOID, TEXTOID, TEXTOID, INT8OID, INT4OID, INT4OID, INT8OID, BYTEAOID, TEXTOID,
	JSONBOID, JSONBOID, TEXTOID, TEXTOID, BOOLOID, TEXTOID, TEXTOID}};
	Datum		values[19];
	char		nulls[19];
	char	   *hex = to_hex(sha256, MM_SHA256_DIGEST_LEN);
	int64		id = 0;

	memset(nulls, ' ', sizeof(nulls));

	values[0] = Int64GetDatum(blob_id);
	values[1] = CStringGetTextDatum(stored_name(req->name));
	if (req->name)
		values[2] = PointerGetDatum(req->name);
	else
		nulls[2] = 'n';
	if (req->declared_type)
		values[3] = PointerGetDatum(req->declared_type);
	else
		nulls[3] = 'n';
	values[4] = CStringGetTextDatum(probe->mime);
	values[5] = CStringGetTextDatum(probe->media_type);
	values[6] = Int64GetDatum(byte_size);
	set_dimension(probe->width, &values[7], &nulls[7]);
	set_dimension(probe->height, &values[8], &nulls[8]);
	if (probe->duration_ms >= 0)
		values[9] = Int64GetDatum(probe->duration_ms);
	else
		nulls[9] = 'n';
	values[10] = PointerGetDatum(make_bytea(sha256, MM_SHA256_DIGEST_LEN));
	values[11] = CStringGetTextDatum(psprintf("\"%s\"", hex));
	if (req->attrs)
		values[12] = JsonbPGetDatum(req->attrs);
	else
		values[12] = DirectFunctionCall1(jsonb_in, CStringGetDatum("{}"));
	values[13] = JsonbPGetDatum(probe_to_jsonb(probe));
	values[14] = CStringGetTextDatum(req->owner);
	values[15] = CStringGetTextDatum(media_require_scan ? "pending" : "clean");
	values[16] = BoolGetDatum(storage_chunks_compressed(blob_id));

	values[17] = placeholder && placeholder->hash ? CStringGetTextDatum(placeholder->hash) : (nulls[17] = 'n', (Datum) 0);
	values[18] = placeholder && placeholder->colour ? CStringGetTextDatum(placeholder->colour) : (nulls[18] = 'n', (Datum) 0);

	media_check_quota(req->owner, byte_size);
	/* a row with a placeholder needs the 0.2.0 catalog; none is made before (media_placeholder_wanted()) */
	if (!spi_query_int64(placeholder && placeholder->hash ? &insert_file_placeholder : &insert_file,
						 values, nulls, false, &id))
		elog(ERROR, "pg_media: inserting a file returned no id");
	return id;
}

/* Should content of this MIME type be stored compressed (media.compression)? */
bool
media_should_compress(const char *mime)
{
	return media_compression == MEDIA_COMPRESSION_AUTO && mm_mime_compresses(mime);
}

/*
 * Stores len bytes held in memory and returns the new file's id.  The
 * content is written only if no blob in the owner's dedup scope
 * (media.dedup) holds it yet; a concurrent put() of the same bytes in the
 * same scope waits for the first and then shares its blob.  An image gets
 * its placeholder (placeholder.c) from these bytes, or from another file
 * of the same blob.
 */
static int64
ingest_bytes(const char *data, int64 len, IngestRequest *req)
{
	uint8		sha256[MM_SHA256_DIGEST_LEN];
	uint8		key[MM_SHA256_DIGEST_LEN];
	mm_probe	probe;
	StorageAccess access;
	MediaPlaceholder placeholder = {NULL, NULL};
	int64		blob_id;
	int64		id;

	media_check_size(len, MEDIA_SIZE_STORE);
	mm_probe_buffer((const uint8_t *) data, (size_t) len, &probe);
	media_check_active_content(&probe);
	data = media_transform(data, &len, &probe, &req->attrs);
	mm_sha256(data, (size_t) len, sha256);

	storage_dedup_key(sha256, req->owner, key);

	storage_enter(&access);
	blob_id = storage_blob_store_bytes(key, data, len, media_should_compress(probe.mime));
	if (media_placeholder_wanted(&probe))
		media_placeholder_for(blob_id, len, data, &placeholder);
	id = ingest_file_row(req, blob_id, len, sha256, &probe, &placeholder);
	storage_leave(&access);
	return id;
}

/* Fills an IngestRequest from arguments 1..3 (name, declared_type, attrs). */
static void
request_from_args(FunctionCallInfo fcinfo, IngestRequest *req)
{
	req->name = PG_ARGISNULL(1) ? NULL : PG_GETARG_TEXT_PP(1);
	req->declared_type = PG_ARGISNULL(2) ? NULL : PG_GETARG_TEXT_PP(2);
	req->attrs = PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3);
	req->owner = media_current_owner();
}

/* Rejects a NULL content argument with a clear message. */
static void
require_content(FunctionCallInfo fcinfo)
{
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("content must not be null")));
}

/* media.put(content bytea, name, declared_type, attrs) RETURNS bigint */
Datum
media_put(PG_FUNCTION_ARGS)
{
	IngestRequest req;
	bytea	   *content;

	media_require_writable("media.put()");
	require_content(fcinfo);
	request_from_args(fcinfo, &req);
	/* check the stored size before detoasting a value we would refuse */
	media_check_size((int64) toast_raw_datum_size(PG_GETARG_DATUM(0)) - VARHDRSZ, MEDIA_SIZE_STORE);
	content = PG_GETARG_BYTEA_PP(0);
	PG_RETURN_INT64(ingest_bytes(VARDATA_ANY(content), VARSIZE_ANY_EXHDR(content), &req));
}

/* media.put_base64(content text, name, declared_type, attrs) RETURNS bigint */
Datum
media_put_base64(PG_FUNCTION_ARGS)
{
	IngestRequest req;
	text	   *encoded;
	bytea	   *decoded;

	media_require_writable("media.put_base64()");
	require_content(fcinfo);
	request_from_args(fcinfo, &req);
	encoded = PG_GETARG_TEXT_PP(0);
	decoded = media_base64_decode(VARDATA_ANY(encoded), VARSIZE_ANY_EXHDR(encoded));
	PG_RETURN_INT64(ingest_bytes(VARDATA(decoded), VARSIZE(decoded) - VARHDRSZ, &req));
}
