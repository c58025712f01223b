/*
 * spi_util.h - the SPI plumbing every glue function shares, so each one
 * shows only its decisions: which statement, with which arguments, and
 * what to do with the row that comes back.
 *
 * A statement is a static SpiStatement slot: its SQL (storage_sql.h), its
 * argument types, and the plan prepared on first use and kept for the
 * backend's life.  The helpers connect, run and finish; they never change
 * the current user or search_path: whether a statement runs as the caller
 * or as the tables' owner is decided around it with storage_enter().
 */
#ifndef SPI_UTIL_H
#define SPI_UTIL_H

#include "executor/spi.h"

#define SPI_STATEMENT_MAX_ARGS 19

/* One statement and its plan cache: static SpiStatement s = {SQL_X, 2, {INT8OID, TEXTOID}}; */
typedef struct SpiStatement
{
	const char *sql;
	int			nargs;
	Oid			argtypes[SPI_STATEMENT_MAX_ARGS];
	SPIPlanPtr	plan;			/* prepared and kept on first use */
} SpiStatement;

/* The row a statement returned, read with the spi_row_* getters before spi_end(). */
typedef struct SpiRow
{
	HeapTuple	tuple;
	TupleDesc	desc;
} SpiRow;

extern void spi_begin(void);
extern void spi_end(void);
extern uint64 spi_run(SpiStatement *st, Datum *values, const char *nulls, bool read_only, long count);
extern uint64 spi_run_latest(SpiStatement *st, Datum *values, const char *nulls, long count);
extern bool spi_run_row(SpiStatement *st, Datum *values, const char *nulls, bool read_only, SpiRow *row);
extern Portal spi_open_cursor(SpiStatement *st, Datum *values, const char *nulls, SpiRow *row);
extern bool spi_fetch_row(Portal portal, SpiRow *row);

/* Whole calls: connect, run, read, finish. */
extern uint64 spi_command(SpiStatement *st, Datum *values, const char *nulls);
extern bool spi_query_int64(SpiStatement *st, Datum *values, const char *nulls, bool read_only,
							int64 *result);

/* Column getters: a NULL column reads as 0 / false / NULL. */
extern int64 spi_row_int64(const SpiRow *row, int col);
extern int32 spi_row_int32(const SpiRow *row, int col);
extern bool spi_row_bool(const SpiRow *row, int col);
extern bool spi_row_isnull(const SpiRow *row, int col);
extern Datum spi_row_datum(const SpiRow *row, int col);
extern char *spi_row_cstring(const SpiRow *row, int col);
extern void *spi_row_varlena_copy(const SpiRow *row, int col);

#endif
