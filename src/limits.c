/*
 * limits.c - every size and count limit pg_media enforces, in one place:
 * media.max_file_size (one value in memory), media.max_range_size (one
 * media.http() body), media.max_upload_size, the
 * 1 GB limit of one PostgreSQL value, the per-owner quotas of media.quotas
 * (files and uploads in progress alike) and media.max_open_uploads.  Sizes raise 54000 program_limit_exceeded,
 * an owner's used-up allowance 53400 configuration_limit_exceeded.
 */
#include "pg_media.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"

#include "spi_util.h"
#include "storage.h"
#include "storage_sql.h"

/* Can a value of size bytes be held in memory whole (media.max_file_size)? */
bool
media_fits_in_memory(int64 size)
{
	return size <= (int64) media_max_file_size;
}

/*
 * The most bytes one media.http() body holds: media.max_range_size, or
 * media.max_file_size when that is smaller (a body is a value read whole,
 * media_read_bytes()).  At least 1, so a 206 always moves forward; under
 * a max_file_size of 0 that one byte is refused by media_check_size().
 */
int64
media_response_cap(void)
{
	return Max(1, Min((int64) media_max_range_size, (int64) media_max_file_size));
}

/*
 * Refuses to move more than media.max_file_size bytes as one value; the
 * message says what was being moved and the hint names the streaming
 * alternative for it.
 */
void
media_check_size(int64 size, MediaSizeUse use)
{
	static const char *const what[] = {"file", "read"};
	static const char *const hints[] = {
		"Store large files in parts with media.upload_begin(), media.upload_append() and media.upload_finish().",
		"Read large files in parts with media.parts(), or in ranges with media.read()."
	};

	if (!media_fits_in_memory(size))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s of " INT64_FORMAT " bytes exceeds media.max_file_size (%d bytes)",
						what[use], size, media_max_file_size),
				 errhint("%s", hints[use])));
}

/*
 * Refuses a result of size bytes that one PostgreSQL value cannot hold
 * (1 GB less its header), before anything that large is allocated.
 */
void
media_check_value_size(size_t size, const char *what, const char *hint)
{
	if (size > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s would need %zu bytes, more than one value can hold", what, size),
				 errdetail("A bytea or text value holds at most %zu bytes.", (size_t) (MaxAllocSize - VARHDRSZ)),
				 hint ? errhint("%s", hint) : 0));
}

/* Refuses to let an upload grow past media.max_upload_size. */
void
media_check_upload_size(int64 received, int64 more)
{
	int64		limit = (int64) media_max_upload_size_mb * 1024 * 1024;

	if (limit > 0 && more > limit - received)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("upload would exceed media.max_upload_size (%d MB)", media_max_upload_size_mb),
				 errdetail("The upload has received " INT64_FORMAT " bytes and the part has " INT64_FORMAT ".",
						   received, more)));
}

/*
 * Serializes an owner's quota-relevant work (new files, upload parts) until the
 * transaction ends, so concurrent sessions cannot both slip under a
 * limit.  The key space (first key) is pg_media's own.
 */
static void
lock_owner(const char *owner)
{
	static SpiStatement lock = {SQL_LOCK_OWNER, 1, {TEXTOID}};
	Datum		values[1] = {CStringGetTextDatum(owner)};

	(void) spi_command(&lock, values, NULL);
}

/* Does media.quotas have a row for this owner? */
static bool
owner_has_quota(const char *owner)
{
	static SpiStatement has_quota[2] = OWNER_STATEMENTS(SQL_HAS_QUOTA, 1, TEXTOID);
	Datum		values[1] = {CStringGetTextDatum(owner)};
	bool		found;

	spi_begin();
	found = spi_run(&has_quota[storage_owner_scoped()], values, NULL, false, 1) > 0;
	spi_end();
	return found;
}

/* An owner's quota and what counts against it (load_quota()). */
typedef struct QuotaUsage
{
	bool		limit_bytes;	/* max_bytes is set */
	bool		limit_files;	/* max_files is set */
	int64		max_bytes;
	int64		max_files;
	int64		file_bytes;		/* bytes of the owner's files */
	int64		files;			/* the owner's files */
	int64		upload_bytes;	/* bytes held by the owner's uploads in progress */
} QuotaUsage;

/*
 * Loads the owner's quota and use (inside storage_enter()), after taking
 * the owner's lock, which is held until the transaction ends: a concurrent
 * session adding bytes for the same owner waits, and in READ COMMITTED
 * then sees what this one added.  False when the owner has no quota (no
 * lock is taken then).
 */
static bool
load_quota(const char *owner, QuotaUsage *q)
{
	static SpiStatement usage[2] = OWNER_STATEMENTS(SQL_QUOTA_USAGE, 1, TEXTOID);
	Datum		values[1] = {CStringGetTextDatum(owner)};
	SpiRow		row;
	bool		found;

	/* only owners with a quota take the lock that serializes their new bytes */
	if (!owner_has_quota(owner))
		return false;
	lock_owner(owner);
	spi_begin();
	found = spi_run_row(&usage[storage_owner_scoped()], values, NULL, false, &row);	/* none: removed meanwhile */
	if (found)
	{
		q->limit_bytes = !spi_row_isnull(&row, 1);
		q->limit_files = !spi_row_isnull(&row, 2);
		q->max_bytes = spi_row_int64(&row, 1);
		q->max_files = spi_row_int64(&row, 2);
		q->file_bytes = spi_row_int64(&row, 3);
		q->files = spi_row_int64(&row, 4);
		q->upload_bytes = spi_row_int64(&row, 5);
	}
	spi_end();
	return found;
}

/*
 * Raises 53400 when adding more bytes would take the owner past max_bytes;
 * what names them ("file", "upload part").  Files and uploads in progress
 * count alike, so unfinished uploads cannot hold more than the quota.
 */
static void
check_quota_bytes(const char *owner, const QuotaUsage *q, int64 more, const char *what)
{
	if (q->limit_bytes && more > q->max_bytes - q->file_bytes - q->upload_bytes)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("storage quota of owner \"%s\" exceeded", owner),
				 errdetail("The owner's files hold " INT64_FORMAT " bytes and uploads in progress " INT64_FORMAT
						   ", of at most " INT64_FORMAT "; this %s has " INT64_FORMAT ".",
						   q->file_bytes, q->upload_bytes, q->max_bytes, what, more),
				 errhint("Remove files with media.remove(), abort uploads with media.upload_abort(), "
						 "or raise max_bytes in media.quotas.")));
}

/*
 * Checks media.quotas for a new file of byte_size bytes (inside
 * storage_enter()): raises 53400 when the owner would exceed max_bytes or
 * max_files.
 */
void
media_check_quota(const char *owner, int64 byte_size)
{
	QuotaUsage	q;

	if (!load_quota(owner, &q))
		return;
	check_quota_bytes(owner, &q, byte_size, "file");
	if (q.limit_files && q.files >= q.max_files)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("file quota of owner \"%s\" exceeded", owner),
				 errdetail("The owner has " INT64_FORMAT " of at most " INT64_FORMAT " files.", q.files, q.max_files),
				 errhint("Remove files with media.remove(), or raise max_files in media.quotas.")));
}

/*
 * Checks media.quotas before an upload in progress receives a part of len
 * bytes (inside storage_enter()): raises 53400 when the owner's files and
 * uploads would then exceed max_bytes.
 */
void
media_check_upload_quota(const char *owner, int64 len)
{
	QuotaUsage	q;

	if (load_quota(owner, &q))
		check_quota_bytes(owner, &q, len, "upload part");
}

/*
 * Refuses a new upload when the owner already has media.max_open_uploads
 * open.  Not serialized: sessions beginning uploads at the same instant may
 * each pass, so the cap holds to within the number of concurrent sessions.
 */
void
media_check_open_uploads(const char *owner)
{
	static SpiStatement open_uploads[2] = OWNER_STATEMENTS(SQL_OPEN_UPLOADS, 1, TEXTOID);
	Datum		values[1] = {CStringGetTextDatum(owner)};
	int64		open = 0;

	(void) spi_query_int64(&open_uploads[storage_owner_scoped()], values, NULL, false, &open);
	if (open >= media_max_open_uploads)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("owner \"%s\" has too many uploads in progress", owner),
				 errdetail("At most %d uploads may be open at once (media.max_open_uploads).", media_max_open_uploads),
				 errhint("Finish or abort uploads in progress; abandoned ones are removed by media.cleanup_uploads().")));
}
