/*
 * spi_util.c - the SPI plumbing every glue function shares: prepare a
 * statement once per backend, run it with arguments, check SPI's answer
 * with one error message, and read the row that comes back.
 *
 * Failures here are can't-happen cases (the statements are fixed and their
 * tables belong to the extension), so they are elog()s; errors raised by
 * the statements themselves (constraints, privileges, row-level security)
 * reach the caller with their own SQLSTATEs.
 */
#include "pg_media.h"

#include "access/xact.h"
#include "utils/builtins.h"
#include "utils/snapmgr.h"

#include "spi_util.h"

/*
 * Connects to SPI; every spi_begin() is paired with an spi_end().  All of
 * pg_media's table work passes here, so this is where it refuses to run
 * without shared_preload_libraries (media_require_preload()).
 */
void
spi_begin(void)
{
	media_require_preload();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "pg_media: SPI_connect failed");
}

/* Disconnects from SPI, freeing everything allocated since spi_begin(). */
void
spi_end(void)
{
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "pg_media: SPI_finish failed");
}

/* The statement's plan, prepared and kept on first use. */
static SPIPlanPtr
statement_plan(SpiStatement *st)
{
	if (st->plan == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(st->sql, st->nargs, st->argtypes);

		if (plan == NULL)
			elog(ERROR, "pg_media: SPI_prepare failed for \"%s\": %s",
				 st->sql, SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "pg_media: SPI_keepplan failed");
		st->plan = plan;
	}
	return st->plan;
}

/*
 * Runs a statement (between spi_begin() and spi_end()) and returns the
 * number of rows it returned or changed.  nulls is SPI's ' '/'n' array, or
 * NULL when no argument is null.
 */
uint64
spi_run(SpiStatement *st, Datum *values, const char *nulls, bool read_only, long count)
{
	int			rc = SPI_execute_plan(statement_plan(st), values, nulls, read_only, count);

	if (rc < 0)
		elog(ERROR, "pg_media: SPI_execute_plan failed for \"%s\": %s",
			 st->sql, SPI_result_code_string(rc));
	return SPI_processed;
}

/*
 * spi_run() for a check that must see what committed since the
 * transaction's snapshot, as PostgreSQL's foreign-key triggers run theirs
 * (ri_triggers.c, ri_PerformCheck): under REPEATABLE READ and SERIALIZABLE
 * with the latest snapshot (the transaction's own as the crosscheck); under
 * READ COMMITTED every statement takes a new snapshot anyway.
 */
uint64
spi_run_latest(SpiStatement *st, Datum *values, const char *nulls, long count)
{
	Snapshot	test_snapshot = InvalidSnapshot;
	Snapshot	crosscheck_snapshot = InvalidSnapshot;
	int			rc;

	if (IsolationUsesXactSnapshot())
	{
		CommandCounterIncrement();	/* this transaction's own changes too */
		test_snapshot = GetLatestSnapshot();
		crosscheck_snapshot = GetTransactionSnapshot();
	}
	rc = SPI_execute_snapshot(statement_plan(st), values, nulls, test_snapshot, crosscheck_snapshot,
							  false, true, count);
	if (rc < 0)
		elog(ERROR, "pg_media: SPI_execute_snapshot failed for \"%s\": %s",
			 st->sql, SPI_result_code_string(rc));
	return SPI_processed;
}

/* Runs a statement that returns at most one row; false when it returned none. */
bool
spi_run_row(SpiStatement *st, Datum *values, const char *nulls, bool read_only, SpiRow *row)
{
	if (spi_run(st, values, nulls, read_only, 1) == 0)
		return false;
	row->tuple = SPI_tuptable->vals[0];
	row->desc = SPI_tuptable->tupdesc;
	return true;
}

/* Opens a read-only cursor over a statement's rows, read into row with spi_fetch_row(). */
Portal
spi_open_cursor(SpiStatement *st, Datum *values, const char *nulls, SpiRow *row)
{
	Portal		portal;

	row->tuple = NULL;
	portal = SPI_cursor_open(NULL, statement_plan(st), values, nulls, true);

	if (portal == NULL)
		elog(ERROR, "pg_media: SPI_cursor_open failed for \"%s\": %s",
			 st->sql, SPI_result_code_string(SPI_result));
	return portal;
}

/*
 * Fetches a cursor's next row, freeing the previous one (so a cursor over
 * many rows holds one at a time); false at the end.
 */
bool
spi_fetch_row(Portal portal, SpiRow *row)
{
	if (row->tuple != NULL && SPI_tuptable != NULL)
		SPI_freetuptable(SPI_tuptable);
	row->tuple = NULL;
	SPI_cursor_fetch(portal, true, 1);
	if (SPI_processed != 1)
		return false;
	row->tuple = SPI_tuptable->vals[0];
	row->desc = SPI_tuptable->tupdesc;
	return true;
}

/* Connects, runs a statement that writes, finishes; returns the rows it changed. */
uint64
spi_command(SpiStatement *st, Datum *values, const char *nulls)
{
	uint64		processed;

	spi_begin();
	processed = spi_run(st, values, nulls, false, 0);
	spi_end();
	return processed;
}

/*
 * Connects, runs a statement whose answer is one bigint (first column of
 * the first row), finishes.  Returns false when there was no row or the
 * value was null.
 */
bool
spi_query_int64(SpiStatement *st, Datum *values, const char *nulls, bool read_only, int64 *result)
{
	SpiRow		row;
	bool		found = false;

	spi_begin();
	if (spi_run_row(st, values, nulls, read_only, &row) && !spi_row_isnull(&row, 1))
	{
		*result = spi_row_int64(&row, 1);
		found = true;
	}
	spi_end();
	return found;
}

/* Is column col (1-based) null? */
bool
spi_row_isnull(const SpiRow *row, int col)
{
	bool		isnull;

	(void) SPI_getbinval(row->tuple, row->desc, col, &isnull);
	return isnull;
}

/* Any column as a datum in SPI memory, valid until spi_end(); (Datum) 0 when null. */
Datum
spi_row_datum(const SpiRow *row, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(row->tuple, row->desc, col, &isnull);

	return isnull ? (Datum) 0 : d;
}

/* A bigint column (0 when null, as (Datum) 0 reads). */
int64
spi_row_int64(const SpiRow *row, int col)
{
	return DatumGetInt64(spi_row_datum(row, col));
}

/* An integer column (0 when null). */
int32
spi_row_int32(const SpiRow *row, int col)
{
	return DatumGetInt32(spi_row_datum(row, col));
}

/* A boolean column (false when null). */
bool
spi_row_bool(const SpiRow *row, int col)
{
	return DatumGetBool(spi_row_datum(row, col));
}

/* A text column as a C string in the caller's memory (outlives spi_end()); NULL when null. */
char *
spi_row_cstring(const SpiRow *row, int col)
{
	Datum		d = spi_row_datum(row, col);
	char	   *s;
	char	   *copy;

	if (d == (Datum) 0)
		return NULL;
	s = TextDatumGetCString(d);
	copy = SPI_palloc(strlen(s) + 1);
	strcpy(copy, s);
	return copy;
}

/*
 * A varlena column, detoasted (4-byte header, so VARDATA() applies) and
 * copied into the caller's memory; NULL when null.
 */
void *
spi_row_varlena_copy(const SpiRow *row, int col)
{
	Datum		d = spi_row_datum(row, col);
	struct varlena *v;
	void	   *copy;

	if (d == (Datum) 0)
		return NULL;
	v = pg_detoast_datum((struct varlena *) DatumGetPointer(d));
	copy = SPI_palloc(VARSIZE(v));
	memcpy(copy, v, VARSIZE(v));
	return copy;
}
