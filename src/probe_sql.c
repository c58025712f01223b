/*
 * probe_sql.c - media.sniff() and media.probe(), and probing stored content.
 *
 * The core's parsers see a file through windows (util/source.h).  Here we
 * supply them: a header slice and a tail slice of a bytea argument or a
 * stored blob, then whatever further slice a parser asks for, so probing a
 * 2 GB video reads a few small slices instead of the file.
 */
#include "storage.h"

#include "access/detoast.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"

#include "miscadmin.h"

#include "probe/formats.h"
#include "util/source.h"

PG_FUNCTION_INFO_V1(media_sniff);
PG_FUNCTION_INFO_V1(media_probe);

#define PROBE_WINDOW (64 * 1024)	/* head and tail slices */
#define PROBE_MAX_FETCH (4 * 1024 * 1024)	/* largest slice a parser may ask for */
#define PROBE_MAX_ROUNDS 12

/* Reads len bytes at off of some content into a new buffer. */
typedef char *(*slice_fetcher) (void *ctx, int64 off, int64 len);

/* Fetches a slice of a (possibly TOASTed) bytea datum without detoasting the rest. */
static char *
fetch_datum_slice(void *ctx, int64 off, int64 len)
{
	struct varlena *slice = pg_detoast_datum_slice((struct varlena *) ctx, (int32) off, (int32) len);
	char	   *buf = palloc(len);

	memcpy(buf, VARDATA_ANY(slice), Min((int64) VARSIZE_ANY_EXHDR(slice), len));
	return buf;
}

/* Fetches a slice of a stored blob (inside storage_enter()). */
static char *
fetch_blob_slice(void *ctx, int64 off, int64 len)
{
	char	   *buf = palloc(len);

	storage_chunks_read(*(int64 *) ctx, off, len, buf);
	return buf;
}

/* Adds the window [off, off+len) clamped to the content, fetched with fetch. */
static bool
add_window(mm_source *src, slice_fetcher fetch, void *ctx, int64 off, int64 len)
{
	int64		size = (int64) src->size;

	if (off < 0 || off >= size || len <= 0)
		return false;
	len = Min(len, size - off);
	return mm_source_add(src, (uint64) off, (const uint8 *) fetch(ctx, off, len), (size_t) len) == 0;
}

/*
 * Probes content of the given size through slices: head and tail first,
 * then up to PROBE_MAX_ROUNDS further slices that parsers ask for.  A
 * parser still unsatisfied after that yields the generic result.
 */
static void
probe_slices(int64 size, slice_fetcher fetch, void *ctx, mm_probe *out)
{
	mm_source	src;
	int			round;

	mm_source_init(&src, (uint64) size);
	add_window(&src, fetch, ctx, 0, PROBE_WINDOW);
	if (size > PROBE_WINDOW)
		add_window(&src, fetch, ctx, Max(PROBE_WINDOW, size - PROBE_WINDOW), PROBE_WINDOW);
	for (round = 0;; round++)
	{
		CHECK_FOR_INTERRUPTS();
		if (mm_probe_source(&src, out) == MM_PROBE_OK)
			return;
		if (round >= PROBE_MAX_ROUNDS ||
			!add_window(&src, fetch, ctx, (int64) src.need_off,
						Min((int64) Max(src.need_len, 4096), PROBE_MAX_FETCH)))
			break;
	}
	/* give up on the details, keep what the magic bytes say */
	mm_probe_buffer((const uint8 *) src.win[0].data, src.win[0].len, out);
	if (out->mime == NULL)
		mm_probe_set_type(out, "application/octet-stream");
}

/* Probes a stored blob of byte_size bytes; call inside storage_enter(). */
void
probe_stored_blob(int64 blob_id, int64 byte_size, mm_probe *out)
{
	probe_slices(byte_size, fetch_blob_slice, &blob_id, out);
}

/* Probes the bytea argument n, fetching only the slices needed. */
static void
probe_argument(FunctionCallInfo fcinfo, int n, mm_probe *out)
{
	struct varlena *raw = (struct varlena *) PG_GETARG_POINTER(n);
	int64		size = (int64) toast_raw_datum_size(PointerGetDatum(raw)) - VARHDRSZ;

	probe_slices(size, fetch_datum_slice, raw, out);
}

/* Appends "key": to a JSON object under construction. */
static void
add_key(StringInfo buf, const char *key)
{
	if (buf->len > 1)
		appendStringInfoChar(buf, ',');
	escape_json(buf, key);
	appendStringInfoChar(buf, ':');
}

/* Appends "key": n, or "key": null for a negative (unknown) n. */
static void
add_number(StringInfo buf, const char *key, int64 n)
{
	add_key(buf, key);
	if (n >= 0)
		appendStringInfo(buf, INT64_FORMAT, n);
	else
		appendStringInfoString(buf, "null");
}

/* The probe result as jsonb: the main fields, then every format detail. */
Jsonb *
probe_to_jsonb(const mm_probe *probe)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	add_key(&buf, "mime_type");
	escape_json(&buf, probe->mime);
	add_key(&buf, "media_type");
	escape_json(&buf, probe->media_type);
	add_number(&buf, "width", probe->width);
	add_number(&buf, "height", probe->height);
	add_number(&buf, "duration_ms", probe->duration_ms);
	add_key(&buf, "active_content");
	appendStringInfoString(&buf, probe->active_content ? "true" : "false");
	for (i = 0; i < probe->ndetails; i++)
	{
		const mm_detail *d = &probe->details[i];

		add_key(&buf, d->key);
		if (d->kind == MM_DETAIL_INT)
			appendStringInfo(&buf, INT64_FORMAT, (int64) d->i);
		else if (d->kind == MM_DETAIL_BOOL)
			appendStringInfoString(&buf, d->i ? "true" : "false");
		else
		{
			/* details come from file bytes: keep only printable ASCII */
			char		s[sizeof(d->s)];
			size_t		j;

			for (j = 0; j < sizeof(d->s) && d->s[j]; j++)
				s[j] = (d->s[j] >= 0x20 && d->s[j] < 0x7f) ? d->s[j] : '?';
			s[Min(j, sizeof(d->s) - 1)] = '\0';
			escape_json(&buf, s);
		}
	}
	appendStringInfoChar(&buf, '}');
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}

/* media.sniff(content bytea) RETURNS text */
Datum
media_sniff(PG_FUNCTION_ARGS)
{
	mm_probe	probe;

	probe_argument(fcinfo, 0, &probe);
	PG_RETURN_TEXT_P(cstring_to_text(probe.mime));
}

/* media.probe(content bytea) RETURNS jsonb */
Datum
media_probe(PG_FUNCTION_ARGS)
{
	mm_probe	probe;

	probe_argument(fcinfo, 0, &probe);
	PG_RETURN_JSONB_P(probe_to_jsonb(&probe));
}

PG_FUNCTION_INFO_V1(media_probe_file);

/*
 * media.probe_file(id bigint) RETURNS jsonb: probes a stored file again, reading
 * only the slices its format needs (a header, a tail, a box or two), so a
 * 2 GB video costs about what a 2 MB one does.  The file is read as the
 * caller, so privileges and row-level security apply.
 */
Datum
media_probe_file(PG_FUNCTION_ARGS)
{
	MediaFile	file;
	StorageAccess access;
	mm_probe	probe;

	storage_file_require(PG_GETARG_INT64(0), &file);
	storage_enter(&access);
	probe_stored_blob(file.blob_id, file.byte_size, &probe);
	storage_leave(&access);
	PG_RETURN_JSONB_P(probe_to_jsonb(&probe));
}
