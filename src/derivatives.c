/*
 * derivatives.c - the derivative cache (media.derivatives): which
 * thumbnails are cached (media.thumbnail_sizes), finding them, and storing
 * them within media.max_derivatives_size by evicting the least recently
 * used.  So a caller who may only read files (or an anonymous client of
 * pg_media serve) can make the cache hold at most the configured sizes and
 * at most the configured bytes.  All calls but the allow-list's run inside
 * storage_enter().
 */
#include "storage.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"

#include "spi_util.h"
#include "storage_sql.h"

/* Skips blanks in a media.thumbnail_sizes list. */
static const char *
skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Reads one side of a WxH box: 1..MEDIA_THUMB_MAX_BOX; NULL if it is not one. */
static const char *
read_side(const char *p, int32 *side)
{
	long		v = 0;

	if (*p < '0' || *p > '9')
		return NULL;
	while (*p >= '0' && *p <= '9')
	{
		v = v * 10 + (*p++ - '0');
		if (v > MEDIA_THUMB_MAX_BOX)
			return NULL;
	}
	if (v < 1)
		return NULL;
	*side = (int32) v;
	return p;
}

/*
 * Walks a media.thumbnail_sizes list ("64x64, 128x128"; empty is allowed
 * and caches nothing).  Returns false when it is malformed; sets *listed
 * when the box width x height is in it.
 */
static bool
scan_sizes(const char *list, int32 width, int32 height, bool *listed)
{
	const char *p = skip_blanks(list ? list : "");

	*listed = false;
	while (*p != '\0')
	{
		int32		w,
					h;

		p = read_side(p, &w);
		if (p == NULL || (*p != 'x' && *p != 'X'))
			return false;
		p = read_side(p + 1, &h);
		if (p == NULL)
			return false;
		if (w == width && h == height)
			*listed = true;
		p = skip_blanks(p);
		if (*p == ',')
			p = skip_blanks(p + 1);
		else if (*p != '\0')
			return false;
	}
	return true;
}

/* Is this a well-formed media.thumbnail_sizes value? (its check hook) */
bool
media_thumbnail_sizes_valid(const char *list)
{
	bool		listed;

	return scan_sizes(list, 0, 0, &listed);
}

/*
 * Is this box in media.thumbnail_sizes?  Those are the boxes that are
 * cached, and the only ones media.http() serves as variants.
 */
bool
media_thumbnail_size_listed(int32 width, int32 height)
{
	bool		listed;

	return scan_sizes(media_thumbnail_sizes, width, height, &listed) && listed;
}

/* Are thumbnails of this box cached (media.thumbnail_sizes, a cap above 0)? */
bool
media_thumbnail_size_cached(int32 width, int32 height)
{
	return media_max_derivatives_size_kb > 0 && media_thumbnail_size_listed(width, height);
}

/*
 * Does media.derivatives have last_used_at?  A database still at 0.1.0's
 * schema (before ALTER EXTENSION pg_media UPDATE) does not: there the cache
 * evicts the oldest first.
 */
static bool
derivatives_track_use(void)
{
	return storage_has_column("derivatives", "last_used_at");
}

/*
 * The cached derivative spec of the content of source_blob_id, or NULL.
 * With touch (a writable primary), a hit is recorded for the
 * least-recently-used order; not under REPEATABLE READ or SERIALIZABLE,
 * where that write could fail a read with a serialization error.  The row
 * is found under the same snapshot as its chunks are read (read-only), so
 * a derivative stored earlier in the same statement (two thumbnails of one
 * file in one SELECT) is made again rather than found without its bytes.
 */
bytea *
derivative_find(int64 source_blob_id, const char *spec, bool touch)
{
	static SpiStatement find = {SQL_FIND_DERIVATIVE, 2, {INT8OID, TEXTOID}};
	static SpiStatement mark_used = {SQL_TOUCH_DERIVATIVE, 2, {INT8OID, TEXTOID}};
	Datum		values[2] = {Int64GetDatum(source_blob_id), CStringGetTextDatum(spec)};
	SpiRow		row;
	int64		blob_id = 0;
	int64		size = 0;
	bool		found;

	spi_begin();
	found = spi_run_row(&find, values, NULL, true, &row);
	if (found)
	{
		blob_id = spi_row_int64(&row, 1);
		size = spi_row_int64(&row, 2);
	}
	spi_end();
	if (!found)
		return NULL;
	if (touch && !IsolationUsesXactSnapshot() && derivatives_track_use())
		(void) spi_command(&mark_used, values, NULL);
	media_check_size(size, MEDIA_SIZE_READ);
	return storage_chunks_read_bytea(blob_id, 0, size);
}

/* Evicts the least recently used derivatives until the rest hold at most keep bytes. */
static void
evict_derivatives(int64 keep)
{
	static SpiStatement evict_lru = {SQL_EVICT_DERIVATIVES("last_used_at"), 1, {INT8OID}};
	static SpiStatement evict_oldest = {SQL_EVICT_DERIVATIVES("created_at"), 1, {INT8OID}};
	Datum		values[1] = {Int64GetDatum(keep)};

	(void) spi_command(derivatives_track_use() ? &evict_lru : &evict_oldest, values, NULL);
}

/*
 * Stores data as the derivative spec of the content of source_blob_id,
 * sharing a blob with identical bytes, after evicting what it takes to
 * stay within media.max_derivatives_size.  Additions are serialized so
 * concurrent sessions cannot pass the cap together.  Skipped when the
 * result alone exceeds the cap, or the source content has just been
 * removed (its blob is locked against removal while the row goes in).
 */
void
derivative_store(int64 source_blob_id, const char *spec, bytea *data, const char *mime,
				 int32 width, int32 height)
{
	static SpiStatement source_key = {SQL_SOURCE_BLOB_KEY, 1, {INT8OID}};
	static SpiStatement lock = {SQL_LOCK_DERIVATIVES, 0, {InvalidOid}};
	static SpiStatement insert = {SQL_INSERT_DERIVATIVE, 7,
	{BYTEAOID, TEXTOID, INT8OID, TEXTOID, INT4OID, INT4OID, INT8OID}};
	int64		cap = (int64) media_max_derivatives_size_kb * 1024;
	int64		len = VARSIZE_ANY_EXHDR(data);
	Datum		key_value[1] = {Int64GetDatum(source_blob_id)};
	SpiRow		row;
	bytea	   *key = NULL;
	uint8		sha[MM_SHA256_DIGEST_LEN];
	Datum		values[7];

	if (len > cap)
		return;
	spi_begin();
	if (spi_run_row(&source_key, key_value, NULL, false, &row))
		key = (bytea *) spi_row_varlena_copy(&row, 1);
	spi_end();
	if (key == NULL)
		return;
	(void) spi_command(&lock, NULL, NULL);
	evict_derivatives(cap - len);
	mm_sha256(VARDATA_ANY(data), (size_t) len, sha);
	values[0] = PointerGetDatum(key);
	values[1] = CStringGetTextDatum(spec);
	values[2] = Int64GetDatum(storage_blob_store_bytes(sha, VARDATA_ANY(data), len, false));
	values[3] = CStringGetTextDatum(mime);
	values[4] = Int32GetDatum(width);
	values[5] = Int32GetDatum(height);
	values[6] = Int64GetDatum(len);
	(void) spi_command(&insert, values, NULL);
}
