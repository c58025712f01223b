/*
 * blobs.c - content-addressed blobs in media.blobs: one blob per distinct
 * key (the content's SHA-256, per owner under media.dedup = owner), found,
 * stored once, or deleted.  storage_blob_store() is the one
 * place that decides how to store content that concurrent transactions may
 * be storing or removing at the same moment.  All calls run inside
 * storage_enter().
 */
#include "storage.h"

#include "catalog/pg_type.h"
#include "miscadmin.h"

#include "spi_util.h"
#include "storage_sql.h"

/* How often storage_blob_store() looks for, then claims, a blob before giving up. */
#define STORE_MAX_TRIES 100

/*
 * Does media.dedup keep each owner's content apart?  auto does whenever
 * owners are isolated from each other (media.isolation <> none): there an
 * owner must not learn, from a put that is faster or a blob that already
 * exists, that someone else stored the same bytes.
 */
static bool
dedup_per_owner(void)
{
	if (media_dedup == MEDIA_DEDUP_AUTO)
		return media_isolation != MEDIA_ISOLATION_NONE;
	return media_dedup == MEDIA_DEDUP_OWNER;
}

/*
 * The key under which content with this SHA-256, stored for owner, is
 * found in media.blobs (its sha256 column): the content's own SHA-256
 * under global dedup, else the SHA-256 of a domain tag, the owner namespace, the owner and the
 * content's SHA-256, so equal bytes of two owners are two blobs that no
 * lookup can confuse.  Blobs stored by 0.1.0 are global.
 */
void
storage_dedup_key(const uint8 *sha256, const char *owner, uint8 *key)
{
	static const char tag[] = "pg_media dedup owner";
	mm_sha256	ctx;
	const char *scope;

	if (!dedup_per_owner())
	{
		memcpy(key, sha256, MM_SHA256_DIGEST_LEN);
		return;
	}
	mm_sha256_init(&ctx);
	mm_sha256_update(&ctx, tag, sizeof(tag));	/* with its NUL: the namespace follows */
	/* the owner's namespace too: "alice" the login role is not "alice" the app user */
	scope = media_current_owner_scope();
	mm_sha256_update(&ctx, scope, strlen(scope) + 1);
	mm_sha256_update(&ctx, owner, strlen(owner) + 1);
	mm_sha256_update(&ctx, sha256, MM_SHA256_DIGEST_LEN);
	mm_sha256_final(&ctx, key);
}

/* Creates an empty blob for an upload in progress (no hash yet). */
int64
storage_blob_new(void)
{
	static SpiStatement new_blob = {SQL_NEW_BLOB, 0, {InvalidOid}};
	int64		id = 0;

	if (!spi_query_int64(&new_blob, NULL, NULL, false, &id))
		elog(ERROR, "pg_media: inserting a blob returned no id");
	return id;
}

/*
 * Finds the blob with this key (storage_dedup_key()) and locks it against
 * being freed (KEY SHARE, as a foreign key does) until the transaction
 * ends.  Returns 0 when there is none.
 */
int64
storage_blob_find(const uint8 *sha256)
{
	static SpiStatement find = {SQL_FIND_BLOB, 1, {BYTEAOID}};
	Datum		values[1] = {PointerGetDatum(make_bytea(sha256, MM_SHA256_DIGEST_LEN))};
	int64		id = 0;

	(void) spi_query_int64(&find, values, NULL, false, &id);
	return id;
}

/*
 * Inserts a blob row for new content unless another transaction has just
 * stored the same content; returns the new id, or 0 on such a conflict.
 */
static int64
claim_blob(const uint8 *sha256, int64 byte_size)
{
	static SpiStatement claim = {SQL_CLAIM_BLOB, 2, {BYTEAOID, INT8OID}};
	Datum		values[2] = {PointerGetDatum(make_bytea(sha256, MM_SHA256_DIGEST_LEN)),
	Int64GetDatum(byte_size)};
	int64		id = 0;

	(void) spi_query_int64(&claim, values, NULL, false, &id);
	return id;
}

/*
 * Returns the blob with this key (storage_dedup_key()), storing it when no blob
 * holds it yet: a new blob is claimed and fill() writes its bytes.  A
 * concurrent transaction storing the same content makes the claim wait for
 * it, then the lookup finds its blob; one removing it makes the lookup miss
 * and the claim succeed.  When that race repeats (under REPEATABLE READ the
 * blob a concurrent transaction stored stays invisible), the transaction
 * fails with 40001 so the application retries it: the one rule for every
 * caller (put, upload_finish, thumbnail cache).
 */
int64
storage_blob_store(const uint8 *sha256, int64 byte_size, StorageFill fill, void *arg)
{
	int			tries;

	for (tries = 0; tries < STORE_MAX_TRIES; tries++)
	{
		int64		blob_id;

		CHECK_FOR_INTERRUPTS();
		blob_id = storage_blob_find(sha256);
		if (blob_id != 0)
			return blob_id;
		blob_id = claim_blob(sha256, byte_size);
		if (blob_id != 0)
		{
			fill(blob_id, arg);
			return blob_id;
		}
	}
	ereport(ERROR,
			(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
			 errmsg("could not store content: it was removed and stored concurrently too often"),
			 errdetail("The same content was stored or removed by concurrent transactions %d times.",
					   STORE_MAX_TRIES),
			 errhint("Retry the transaction.")));
	return 0;					/* keep the compiler quiet */
}

/* Bytes in memory to write into a newly claimed blob (storage_blob_store_bytes()). */
typedef struct BytesToStore
{
	const char *data;
	int64		len;
	bool		compress;
} BytesToStore;

/* StorageFill for bytes in memory: writes them as the blob's chunks. */
static void
fill_from_bytes(int64 blob_id, void *arg)
{
	BytesToStore *bytes = (BytesToStore *) arg;

	storage_chunks_write(blob_id, 0, bytes->data, bytes->len, bytes->compress);
}

/* storage_blob_store() for content held in memory (deflated where it pays if compress). */
int64
storage_blob_store_bytes(const uint8 *sha256, const char *data, int64 len, bool compress)
{
	BytesToStore bytes = {data, len, compress};

	return storage_blob_store(sha256, len, fill_from_bytes, &bytes);
}

/* Deletes a blob; its chunks and any upload filling it go with it (release.c's blob_freed). */
void
storage_blob_delete(int64 blob_id)
{
	static SpiStatement delete_blob = {SQL_DELETE_BLOB, 1, {INT8OID}};
	Datum		values[1] = {Int64GetDatum(blob_id)};

	(void) spi_command(&delete_blob, values, NULL);
}
