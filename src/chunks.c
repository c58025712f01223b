/*
 * chunks.c - chunk I/O, the storage_chunks_*() part of the storage API
 * (storage.h): a blob's bytes in media.chunks: writing them in parts,
 * compressing the parts of types that compress, and reading any range back
 * at a cost proportional to the range.
 *
 * Each chunk row records the raw size of its part and whether the stored
 * data is deflated.  A raw chunk is read by slicing its TOAST value, so only
 * the TOAST pieces a range covers are fetched, straight into the caller's
 * buffer (no intermediate copy: media.get() of a large file moved each byte
 * once more than a SELECT of a bytea column did); a deflated chunk is inflated
 * whole, so a range of a compressed file costs the range plus at most one
 * chunk at each end.  All calls run inside storage_enter().
 */
#include "storage.h"

#include "access/detoast.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"

#include "util/deflate.h"
#include "storage_sql.h"
#include "spi_util.h"

/*
 * Deflates one part when that saves at least 10%; returns the compressed
 * bytes (palloc'd) and their length, or NULL to store the part raw.
 */
static char *
deflate_part(const char *data, int n, int *out_len)
{
	size_t		cap = (size_t) n - (size_t) n / 10;
	size_t		len = 0;
	char	   *buf;

	if (n < 256)
		return NULL;
	buf = palloc(cap);
	if (mm_deflate((const uint8_t *) data, (size_t) n, media_compression_level,
				   (uint8_t *) buf, cap, &len) != 0)
	{
		pfree(buf);
		return NULL;
	}
	*out_len = (int) len;
	return buf;
}

/*
 * Appends len bytes to a blob's chunks, starting at byte offset start, in
 * parts of at most media.chunk_size, deflating each part when compress is
 * set and it pays.  Memory stays bounded by one part.  Returns how many
 * parts were stored deflated.
 */
int
storage_chunks_write(int64 blob_id, int64 start, const char *data, int64 len, bool compress)
{
	static SpiStatement insert_chunk = {SQL_INSERT_CHUNK, 5, {INT8OID, INT8OID, INT4OID, BOOLOID, BYTEAOID}};
	MemoryContext part_cxt;
	MemoryContext oldcxt;
	int64		done = 0;
	int			chunk = media_chunk_size;
	int			deflated = 0;

	spi_begin();
	part_cxt = AllocSetContextCreate(CurrentMemoryContext, "pg_media chunk",
									 ALLOCSET_DEFAULT_SIZES);
	while (done < len)
	{
		int			n = (int) Min((int64) chunk, len - done);
		int			stored_len = n;
		char	   *stored = NULL;
		Datum		values[5];

		CHECK_FOR_INTERRUPTS();
		oldcxt = MemoryContextSwitchTo(part_cxt);
		if (compress)
			stored = deflate_part(data + done, n, &stored_len);
		values[0] = Int64GetDatum(blob_id);
		values[1] = Int64GetDatum(start + done);
		values[2] = Int32GetDatum(n);
		values[3] = BoolGetDatum(stored != NULL);
		values[4] = PointerGetDatum(make_bytea(stored ? stored : data + done, stored_len));
		spi_run(&insert_chunk, values, NULL, false, 0);
		MemoryContextSwitchTo(oldcxt);
		MemoryContextReset(part_cxt);
		if (stored)
			deflated++;
		done += n;
	}
	MemoryContextDelete(part_cxt);
	spi_end();
	return deflated;
}

/*
 * The raw bytes of a deflated chunk of size raw_size, inflated into a new
 * buffer.  A chunk that does not inflate to exactly its recorded size is
 * reported as damaged, or, when lenient, yields NULL.
 */
static char *
inflate_chunk(int64 blob_id, int64 start, struct varlena *stored, int32 raw_size, bool lenient)
{
	struct varlena *whole = pg_detoast_datum_packed(stored);
	char	   *raw = palloc(raw_size);
	size_t		len = 0;

	if (mm_inflate((const uint8_t *) VARDATA_ANY(whole), VARSIZE_ANY_EXHDR(whole),
				   (uint8_t *) raw, (size_t) raw_size, &len) != MM_INFLATE_OK ||
		len != (size_t) raw_size)
	{
		if (lenient)
		{
			pfree(raw);
			return NULL;
		}
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("stored content is damaged at offset " INT64_FORMAT, start),
				 errdetail("The compressed chunk of blob " INT64_FORMAT " does not inflate to its recorded size.",
						   blob_id),
				 errhint("Run media.verify() to find damaged files, and restore them from a backup.")));
	}
	if (whole != stored)
		pfree(whole);
	return raw;
}

/* Raised when the chunks of a blob do not cover a range they should. */
static void
report_gap(int64 blob_id, int64 pos)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("stored content is missing bytes at offset " INT64_FORMAT, pos),
			 errdetail("The chunks of blob " INT64_FORMAT " do not cover the requested range.", blob_id),
			 errhint("Run media.verify() to find damaged files, and restore them from a backup.")));
}

/*
 * Copies count bytes at offset from of a raw chunk's stored value into
 * dest.  An uncompressed on-disk TOAST value that holds them is fetched by
 * the table AM straight into dest (heap_fetch_toast_slice() writes only the
 * bytes after the varlena header it is given, so dest - VARHDRSZ stands in
 * for one); any other value is sliced and copied.  Returns false when the
 * value holds fewer bytes than asked (a damaged chunk).
 */
static bool
copy_raw_slice(struct varlena *stored, int32 from, int32 count, char *dest)
{
	struct varlena *slice;

	if (VARATT_IS_EXTERNAL_ONDISK(stored))
	{
		struct varatt_external pointer;

		VARATT_EXTERNAL_GET_POINTER(pointer, stored);
		if (!VARATT_EXTERNAL_IS_COMPRESSED(pointer) &&
			(int64) from + count <= VARATT_EXTERNAL_GET_EXTSIZE(pointer))
		{
			Relation	toastrel = table_open(pointer.va_toastrelid, AccessShareLock);

			table_relation_fetch_toast_slice(toastrel, pointer.va_valueid,
											 VARATT_EXTERNAL_GET_EXTSIZE(pointer), from, count,
											 (struct varlena *) (dest - VARHDRSZ));
			table_close(toastrel, AccessShareLock);
			return true;
		}
	}
	slice = pg_detoast_datum_slice(stored, from, count);
	if (VARSIZE_ANY_EXHDR(slice) != (Size) count)
		return false;
	memcpy(dest, VARDATA_ANY(slice), count);
	if (slice != stored)
		pfree(slice);
	return true;
}

/*
 * Copies bytes [offset, offset+length) of a blob into dest, fetching only
 * the chunks that hold them and, within each raw chunk, only the TOAST
 * pieces needed.  The caller has checked the range against the blob's size.
 */
void
storage_chunks_read(int64 blob_id, int64 offset, int64 length, char *dest)
{
	static SpiStatement read_range = {SQL_READ_RANGE, 3, {INT8OID, INT8OID, INT8OID}};
	Datum		values[3];
	Portal		portal;
	SpiRow		row;
	int64		pos = offset;
	int64		end = offset + length;

	if (length <= 0)
		return;
	values[0] = Int64GetDatum(blob_id);
	values[1] = Int64GetDatum(offset);
	values[2] = Int64GetDatum(end);
	spi_begin();
	portal = spi_open_cursor(&read_range, values, NULL, &row);
	while (pos < end)
	{
		int64		cstart;
		int32		csize;
		int32		from;
		int32		count;
		struct varlena *stored;

		CHECK_FOR_INTERRUPTS();
		if (!spi_fetch_row(portal, &row))
			break;
		cstart = spi_row_int64(&row, 1);
		csize = spi_row_int32(&row, 2);
		if (cstart > pos || cstart + csize <= pos)
			break;				/* a gap: reported below */
		from = (int32) (pos - cstart);
		count = (int32) Min((int64) (csize - from), end - pos);
		stored = (struct varlena *) DatumGetPointer(spi_row_datum(&row, 4));
		if (spi_row_bool(&row, 3))
		{
			char	   *raw = inflate_chunk(blob_id, cstart, stored, csize, false);

			memcpy(dest + (pos - offset), raw + from, count);
			pfree(raw);
		}
		else if (!copy_raw_slice(stored, from, count, dest + (pos - offset)))
			break;
		pos += count;
	}
	SPI_cursor_close(portal);
	spi_end();
	if (pos < end)
		report_gap(blob_id, pos);
}

/* storage_chunks_read() into a new bytea of length bytes (the caller has bounded length). */
bytea *
storage_chunks_read_bytea(int64 blob_id, int64 offset, int64 length)
{
	bytea	   *result = (bytea *) palloc(length + VARHDRSZ);

	SET_VARSIZE(result, length + VARHDRSZ);
	storage_chunks_read(blob_id, offset, length, VARDATA(result));
	return result;
}

/*
 * Returns the chunk of a blob that starts at or after offset from, with its
 * raw bytes (inflated if need be, in the caller's memory context) in *data;
 * -1 when there is none.  A chunk that does not inflate is an error, or,
 * when damaged is not NULL, sets *damaged and leaves *data NULL (so
 * media.verify() can report it and go on).
 */
int64
storage_chunks_next(int64 blob_id, int64 from, bytea **data, bool *damaged)
{
	static SpiStatement next_chunk = {SQL_NEXT_CHUNK, 2, {INT8OID, INT8OID}};
	Datum		values[2] = {Int64GetDatum(blob_id), Int64GetDatum(from)};
	MemoryContext caller_cxt = CurrentMemoryContext;
	SpiRow		row;
	int64		start = -1;

	spi_begin();
	if (spi_run_row(&next_chunk, values, NULL, true, &row))
	{
		int32		size = spi_row_int32(&row, 2);
		struct varlena *stored = (struct varlena *) DatumGetPointer(spi_row_datum(&row, 4));
		MemoryContext spi_cxt = MemoryContextSwitchTo(caller_cxt);

		start = spi_row_int64(&row, 1);
		if (spi_row_bool(&row, 3))
		{
			char	   *raw = inflate_chunk(blob_id, start, stored, size, damaged != NULL);

			if (raw == NULL)
				*damaged = true;
			else
			{
				*data = make_bytea(raw, size);
				pfree(raw);
			}
		}
		else
			*data = (bytea *) pg_detoast_datum_copy(stored);
		MemoryContextSwitchTo(spi_cxt);
	}
	spi_end();
	return start;
}

/* Does any chunk of this blob hold deflated data? */
bool
storage_chunks_compressed(int64 blob_id)
{
	static SpiStatement compressed = {SQL_BLOB_COMPRESSED, 1, {INT8OID}};
	Datum		values[1] = {Int64GetDatum(blob_id)};
	SpiRow		row;
	bool		result = false;

	spi_begin();
	/* not read-only: this transaction may have just written the chunks */
	if (spi_run_row(&compressed, values, NULL, false, &row))
		result = spi_row_bool(&row, 1);
	spi_end();
	return result;
}

/* Hands a blob's chunks to another blob (an upload's to its final blob) without copying data. */
void
storage_chunks_move(int64 from_blob_id, int64 to_blob_id)
{
	static SpiStatement move_chunks = {SQL_MOVE_CHUNKS, 2, {INT8OID, INT8OID}};
	Datum		values[2] = {Int64GetDatum(from_blob_id), Int64GetDatum(to_blob_id)};

	(void) spi_command(&move_chunks, values, NULL);
}

/* Deletes a blob's chunks, so it can be written again from offset 0. */
void
storage_chunks_delete(int64 blob_id)
{
	static SpiStatement delete_chunks = {SQL_DELETE_CHUNKS, 1, {INT8OID}};
	Datum		values[1] = {Int64GetDatum(blob_id)};

	(void) spi_command(&delete_chunks, values, NULL);
}

/*
 * Replaces a blob's first len bytes with data: its chunks that start
 * before len (which must all end by len) are deleted and data is written
 * at 0.  Used for an upload's first window once location was removed.
 */
void
storage_chunks_replace_head(int64 blob_id, const char *data, int64 len, bool compress)
{
	static SpiStatement delete_head = {SQL_DELETE_HEAD_CHUNKS, 2, {INT8OID, INT8OID}};
	Datum		values[2] = {Int64GetDatum(blob_id), Int64GetDatum(len)};

	(void) spi_command(&delete_head, values, NULL);
	(void) storage_chunks_write(blob_id, 0, data, len, compress);
}
