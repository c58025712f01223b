/*
 * bench/client_bench.c - pg_media measured as applications call it: a libpq
 * client that times each side of each comparison as its own statement(s),
 * parameters and results in binary format (as the README's examples send
 * them), wall time per call on the client.
 *
 *   client_bench CONNINFO REPS PARTS [MODE FILE BOX ...]
 *
 * PARTS is a comma list of put, base64, read, images (the MODE FILE BOX
 * triples are the image cases, see client_images.c).  Each comparison runs
 * its sides interleaved (a warm-up call each, then REPS rounds of one call
 * per side, the order reversed every other round, so machine load and
 * caches affect all sides alike) and compares medians.  Output, tab-separated:
 *
 *   T label reps min median max cpu_median             every timing (ms)
 *   R measurement pg_media baseline ratio goal met    every result row
 *
 * Times are the client's wall time per call (the verdict); cpu_median is the
 * CPU time of the backend and this client together per call, which waiting
 * for a CPU on a loaded machine does not inflate; result rows show both.
 *
 * Every call stores or reads different bytes where it matters: each put or
 * INSERT gets content no earlier call stored (the first 8 bytes are a
 * counter), so neither side deduplicates or hits a cache of its own input.
 */
#include "client_bench.h"
#include "bench_common.h"

#include <dirent.h>
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

PGconn	   *cb_conn;
int			cb_reps;

#define MIB (1024 * 1024)

/* Wall-clock milliseconds. */
double
cb_now(void)
{
	return bench_clock_ms(CLOCK_MONOTONIC);
}

/* Prints a timing line (wall and CPU medians, ms) and sets the side's medians (sorts the samples). */
static void
report_timing(cb_side *side, double *wall, double *cpu, int n)
{
	side->median = bench_median(wall, n);
	side->cpu_median = bench_median(cpu, n);
	printf("T\t%s\t%d\t%.3f\t%.3f\t%.3f\t%.3f\n", side->label, n, wall[0], side->median,
		   wall[n - 1], side->cpu_median);
	fflush(stdout);
}

/*
 * CPU time in ms used so far by this process and the backend together: the
 * backend's from /proc/PID/task/TID/schedstat of each of its threads (ns on
 * a CPU; the server runs on this machine), ours from the process CPU clock
 * (all threads).  Time spent waiting for a CPU on a loaded machine, which
 * wall time includes, is in neither.
 */
static double
cpu_ms(void)
{
	char		dir[64],
				path[384];
	unsigned long long total = 0;
	struct timespec ts;
	struct dirent *e;
	DIR		   *d;

	snprintf(dir, sizeof(dir), "/proc/%d/task", PQbackendPID(cb_conn));
	if ((d = opendir(dir)) == NULL)
	{
		fprintf(stderr, "client_bench: cannot read %s (the server must run on this machine)\n", dir);
		exit(2);
	}
	while ((e = readdir(d)) != NULL)
	{
		unsigned long long ns;
		FILE	   *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/schedstat", dir, e->d_name);
		if ((f = fopen(path, "r")) != NULL)
		{
			if (fscanf(f, "%llu", &ns) == 1)
				total += ns;
			fclose(f);
		}
	}
	closedir(d);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return total / 1e6 + ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Runs sides interleaved and sets their medians (see the file's comment). */
void
cb_run_group(cb_side *sides, int n)
{
	double	   *wall = calloc((size_t) n * cb_reps, sizeof(double));
	double	   *cpu = calloc((size_t) n * cb_reps, sizeof(double));

	if (!wall || !cpu)
	{
		fprintf(stderr, "client_bench: out of memory\n");
		exit(2);
	}
	for (int k = 0; k < n; k++)
		sides[k].fn(sides[k].arg, 0);
	for (int r = 0; r < cb_reps; r++)
		for (int k = 0; k < n; k++)
		{
			int			i = r % 2 ? n - 1 - k : k;
			double		c0 = cpu_ms();

			wall[i * cb_reps + r] = sides[i].fn(sides[i].arg, r + 1);
			cpu[i * cb_reps + r] = cpu_ms() - c0;
		}
	for (int k = 0; k < n; k++)
		report_timing(&sides[k], wall + k * cb_reps, cpu + k * cb_reps, cb_reps);
	free(wall);
	free(cpu);
}

/* Runs one statement with binary parameters; exits on failure. */
PGresult *
cb_exec(const char *sql, int n, const uint32_t *types, const char *const *vals,
		const int *lens, int result_binary)
{
	int			formats[8] = {1, 1, 1, 1, 1, 1, 1, 1};
	PGresult   *res;

	if (n > 8)
	{
		fprintf(stderr, "client_bench: too many parameters\n");
		exit(2);
	}
	res = PQexecParams(cb_conn, sql, n, types, vals, lens, formats, result_binary);
	if (PQresultStatus(res) != PGRES_TUPLES_OK && PQresultStatus(res) != PGRES_COMMAND_OK)
	{
		fprintf(stderr, "client_bench: %s: %s", sql, PQerrorMessage(cb_conn));
		exit(1);
	}
	return res;
}

/* An int8 parameter in binary form. */
const char *
cb_int8(int64_t v, char buf[8])
{
	uint64_t	be = htobe64((uint64_t) v);

	memcpy(buf, &be, 8);
	return buf;
}

/* The first value of a text-format result as an integer. */
int64_t
cb_result_int(PGresult *res)
{
	if (PQntuples(res) < 1 || PQgetisnull(res, 0, 0))
	{
		fprintf(stderr, "client_bench: expected a value\n");
		exit(1);
	}
	return strtoll(PQgetvalue(res, 0, 0), NULL, 10);
}

/* One side's figures for a result row: "12.3 ms (45 MiB/s); CPU 10.1 ms". */
static void
side_figures(char *out, size_t cap, const cb_side *side, double bytes)
{
	if (bytes > 0)
		snprintf(out, cap, "%.1f ms (%.0f MiB/s); CPU %.1f ms", side->median,
				 bytes / MIB / (side->median / 1000), side->cpu_median);
	else
		snprintf(out, cap, "%.1f ms; CPU %.1f ms", side->median, side->cpu_median);
}

/* Prints a result row (see client_bench.h). */
void
cb_report(const char *measurement, const cb_side *a, const cb_side *b, double bytes,
		  int higher_better, const char *goal, double limit)
{
	char		fa[96],
				fb[96];
	double		ratio = higher_better ? b->median / a->median : a->median / b->median;
	double		cpu_ratio = higher_better ? b->cpu_median / a->cpu_median : a->cpu_median / b->cpu_median;
	const char *met = limit < 0 ? "-" : (higher_better ? ratio >= limit : ratio <= limit) ? "yes" : "no";

	side_figures(fa, sizeof(fa), a, bytes);
	side_figures(fb, sizeof(fb), b, bytes);
	printf("R\t%s\t%s\t%s\t%.3f (CPU %.3f)\t%s\t%s\n", measurement, fa, fb, ratio, cpu_ratio, goal, met);
	fflush(stdout);
}

/* A statement without parameters whose result is ignored (setup, cleanup). */
static void
run_sql(const char *sql)
{
	PQclear(cb_exec(sql, 0, NULL, NULL, NULL, 0));
}

/* n random bytes (malloc'd), from a fixed-seed generator: incompressible, reproducible. */
static unsigned char *
random_bytes(size_t n)
{
	unsigned char *buf = malloc(n);
	uint64_t	x = 0x9e3779b97f4a7c15ULL ^ n;

	if (!buf)
	{
		fprintf(stderr, "client_bench: out of memory\n");
		exit(2);
	}
	for (size_t i = 0; i < n; i++)
	{
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (unsigned char) (x >> 24);
	}
	return buf;
}

/* Content no call stored before: a new counter value in the first 8 bytes. */
static uint64_t stamp_counter;

static void
restamp(unsigned char *buf)
{
	stamp_counter++;
	memcpy(buf, &stamp_counter, sizeof(stamp_counter));
}

/* ---- ingest: put / upload_* / put_base64 against INSERT --------------------- */

typedef struct ingest_arg
{
	unsigned char *buf;
	size_t		len;
	int			part;			/* upload_append part size */
} ingest_arg;

/* One statement with one bytea parameter, timed; the content is new. */
static double
time_bytea_statement(const char *sql, ingest_arg *a)
{
	uint32_t	type = CB_BYTEAOID;
	const char *val = (const char *) a->buf;
	int			len = (int) a->len;
	double		t0;
	PGresult   *res;

	restamp(a->buf);
	t0 = cb_now();
	res = cb_exec(sql, 1, &type, &val, &len, 0);
	t0 = cb_now() - t0;
	PQclear(res);
	return t0;
}

/* media.put($1) of new content. */
static double
side_put(void *arg, int rep)
{
	return time_bytea_statement("SELECT media.put($1)", arg);
}

/* INSERT of the same bytes as a bytea parameter into a plain table. */
static double
side_insert(void *arg, int rep)
{
	return time_bytea_statement("INSERT INTO cb_plain (b) VALUES ($1)", arg);
}

/* media.upload_begin(), one upload_append() per part, upload_finish(): each its own statement. */
static double
side_upload(void *arg, int rep)
{
	ingest_arg *a = arg;
	uint32_t	types[2] = {CB_INT8OID, CB_BYTEAOID};
	char		idbuf[8];
	const char *vals[2];
	int			lens[2] = {8, 0};
	double		t0;
	int64_t		id;
	PGresult   *res;

	restamp(a->buf);
	t0 = cb_now();
	res = cb_exec("SELECT media.upload_begin()", 0, NULL, NULL, NULL, 0);
	id = cb_result_int(res);
	PQclear(res);
	vals[0] = cb_int8(id, idbuf);
	for (size_t off = 0; off < a->len; off += a->part)
	{
		vals[1] = (const char *) a->buf + off;
		lens[1] = (int) (a->len - off < (size_t) a->part ? a->len - off : (size_t) a->part);
		PQclear(cb_exec("SELECT media.upload_append($1, $2)", 2, types, vals, lens, 0));
	}
	PQclear(cb_exec("SELECT media.upload_finish($1)", 1, types, vals, lens, 0));
	return cb_now() - t0;
}

/* put (or upload) of size bytes against INSERT of the same bytea. */
static void
compare_put(size_t size, int part)
{
	ingest_arg	a = {random_bytes(size), size, part};
	char		label_a[64],
				label_b[64],
				what[256];
	cb_side		s[2] = {{label_a, part ? side_upload : side_put, &a}, {label_b, side_insert, &a}};

	snprintf(label_a, sizeof(label_a), part ? "upload_* %zu MiB" : "put %zu MiB", size / MIB);
	snprintf(label_b, sizeof(label_b), "INSERT %zu MiB bytea", size / MIB);
	cb_run_group(s, 2);
	if (part)
		snprintf(what, sizeof(what), "client: %zu MiB through upload_begin + %zu upload_append of %d KiB + upload_finish (each a statement) vs INSERT INTO t(b) VALUES ($1) of the same bytea; ratio = throughput / INSERT's",
				 size / MIB, (size + part - 1) / part, part / 1024);
	else
		snprintf(what, sizeof(what), "client: SELECT media.put($1) of %zu MiB vs INSERT INTO t(b) VALUES ($1) of the same bytea; ratio = throughput / INSERT's",
				 size / MIB);
	cb_report(what, &s[0], &s[1], size, 1, ">= 0.9", 0.9);
	free(a.buf);
}

/* Standard base64 of n bytes with a newline after every 76 characters (PostgreSQL's encode()). */
static char *
base64_wrapped(const unsigned char *src, size_t n, size_t *out_len)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char	   *out = malloc((n + 2) / 3 * 4 + n / 57 + 2);
	size_t		o = 0,
				line = 0;

	if (!out)
	{
		fprintf(stderr, "client_bench: out of memory\n");
		exit(2);
	}
	for (size_t i = 0; i < n; i += 3)
	{
		uint32_t	v = (uint32_t) src[i] << 16 | (i + 1 < n ? (uint32_t) src[i + 1] << 8 : 0) |
			(i + 2 < n ? src[i + 2] : 0);

		if (line == 76)
		{
			out[o++] = '\n';
			line = 0;
		}
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = i + 1 < n ? alphabet[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? alphabet[v & 63] : '=';
		line += 4;
	}
	*out_len = o;
	return out;
}

typedef struct text_arg
{
	char	   *text;
	size_t		len;
} text_arg;

/* One statement with the base64 text as its parameter, timed; its first 12 characters are new. */
static double
time_text_statement(const char *sql, text_arg *a)
{
	unsigned char head[9] = {0};
	size_t		n;
	char	   *enc;
	uint32_t	type = CB_TEXTOID;
	const char *val = a->text;
	int			len = (int) a->len;
	double		t0;

	restamp(head);
	enc = base64_wrapped(head, 9, &n);
	memcpy(a->text, enc, 12);
	free(enc);
	t0 = cb_now();
	PQclear(cb_exec(sql, 1, &type, &val, &len, 0));
	return cb_now() - t0;
}

/* media.put_base64($1) of the text. */
static double
side_put_base64(void *arg, int rep)
{
	return time_text_statement("SELECT media.put_base64($1)", arg);
}

/* INSERT of decode($1, 'base64') into a plain table. */
static double
side_insert_decode(void *arg, int rep)
{
	return time_text_statement("INSERT INTO cb_plain (b) VALUES (decode($1, 'base64'))", arg);
}

/* media.decode_base64($1) alone (length() of it, so only a number comes back). */
static double
side_decode_base64(void *arg, int rep)
{
	return time_text_statement("SELECT length(media.decode_base64($1))", arg);
}

/* PostgreSQL's decode($1, 'base64') alone. */
static double
side_decode(void *arg, int rep)
{
	return time_text_statement("SELECT length(decode($1, 'base64'))", arg);
}

/* put_base64 against INSERT ... decode(), and the decoders alone, of raw bytes as wrapped base64. */
static void
compare_base64(size_t raw)
{
	unsigned char *bytes = random_bytes(raw);
	text_arg	a;
	cb_side		s[2] = {{"put_base64 wrapped", side_put_base64, &a}, {"INSERT decode(base64) wrapped", side_insert_decode, &a}};
	cb_side		d[2] = {{"media.decode_base64 wrapped", side_decode_base64, &a}, {"decode(base64) wrapped", side_decode, &a}};
	char		what[256];

	a.text = base64_wrapped(bytes, raw, &a.len);
	free(bytes);
	cb_run_group(s, 2);
	snprintf(what, sizeof(what), "client: SELECT media.put_base64($1) of %.1f MB of base64 text (newline every 76 chars; %.1f MB decoded) vs INSERT INTO t(b) VALUES (decode($1, 'base64')); ratio = speed-up",
			 a.len / 1e6, raw / 1e6);
	cb_report(what, &s[0], &s[1], 0, 1, ">= 4x faster", 4);
	cb_run_group(d, 2);
	snprintf(what, sizeof(what), "client: the decoders alone, SELECT length(media.decode_base64($1)) vs SELECT length(decode($1, 'base64')) of the same text (the README's former claim); ratio = speed-up");
	cb_report(what, &d[0], &d[1], 0, 1, "info (was >= 4x)", -1);
	free(a.text);
}

/* ---- reading: get / read / parts against SELECT of a bytea column and lo_get ---- */

typedef struct read_arg
{
	const unsigned char *expect;
	size_t		len;
	int64_t		id;				/* media file id, row id or large object oid */
	int			part;			/* media.read() length */
} read_arg;

/* Checks (on the warm-up, rep 0) that a read returned the stored bytes at offset off; exits if not. */
static void
check_bytes(const read_arg *a, int rep, size_t off, const char *got, size_t n)
{
	if (off + n > a->len || (rep == 0 && memcmp(a->expect + off, got, n) != 0))
	{
		fprintf(stderr, "client_bench: a read returned wrong bytes at %zu\n", off);
		exit(1);
	}
}

/* One statement with an int8 parameter returning one bytea value (binary), timed. */
static double
time_single_value(const char *sql, read_arg *a, int rep)
{
	uint32_t	type = CB_INT8OID;
	char		buf[8];
	const char *val = cb_int8(a->id, buf);
	int			len = 8;
	double		t0 = cb_now();
	PGresult   *res = cb_exec(sql, 1, &type, &val, &len, 1);

	t0 = cb_now() - t0;
	if (PQntuples(res) != 1 || (size_t) PQgetlength(res, 0, 0) != a->len)
	{
		fprintf(stderr, "client_bench: %s returned %d bytes\n", sql, PQntuples(res) ? PQgetlength(res, 0, 0) : -1);
		exit(1);
	}
	check_bytes(a, rep, 0, PQgetvalue(res, 0, 0), a->len);
	PQclear(res);
	return t0;
}

/* SELECT media.get($1): the whole file as one value. */
static double
side_get(void *arg, int rep)
{
	return time_single_value("SELECT media.get($1)", arg, rep);
}

/* The baseline: SELECT of a bytea column stored out of line, uncompressed. */
static double
side_select(void *arg, int rep)
{
	return time_single_value("SELECT b FROM cb_external WHERE id = $1", arg, rep);
}

/* The large-object baseline: lo_get(oid), the whole object as one value. */
static double
side_lo_get(void *arg, int rep)
{
	return time_single_value("SELECT lo_get($1::oid)", arg, rep);
}

/* The whole file in media.read() calls of a->part bytes, each its own statement. */
static double
side_read(void *arg, int rep)
{
	read_arg   *a = arg;
	uint32_t	types[3] = {CB_INT8OID, CB_INT8OID, 23};
	char		b0[8],
				b1[8];
	uint32_t	len_be = htobe32((uint32_t) a->part);
	const char *vals[3] = {cb_int8(a->id, b0), b1, (const char *) &len_be};
	int			lens[3] = {8, 8, 4};
	double		t0 = cb_now();

	for (size_t off = 0; off < a->len; off += a->part)
	{
		PGresult   *res;

		cb_int8((int64_t) off, b1);
		res = cb_exec("SELECT media.read($1, $2, $3)", 3, types, vals, lens, 1);
		check_bytes(a, rep, off, PQgetvalue(res, 0, 0), PQgetlength(res, 0, 0));
		PQclear(res);
	}
	return cb_now() - t0;
}

/* SELECT data FROM media.parts($1): every part of the file, one statement. */
static double
side_parts(void *arg, int rep)
{
	read_arg   *a = arg;
	uint32_t	type = CB_INT8OID;
	char		buf[8];
	const char *val = cb_int8(a->id, buf);
	int			len = 8;
	double		t0 = cb_now();
	PGresult   *res = cb_exec("SELECT data FROM media.parts($1)", 1, &type, &val, &len, 1);
	size_t		off = 0;

	t0 = cb_now() - t0;
	for (int r = 0; r < PQntuples(res); r++)
	{
		check_bytes(a, rep, off, PQgetvalue(res, r, 0), PQgetlength(res, r, 0));
		off += PQgetlength(res, r, 0);
	}
	if (off != a->len)
	{
		fprintf(stderr, "client_bench: media.parts() returned %zu bytes\n", off);
		exit(1);
	}
	PQclear(res);
	return t0;
}

/* Stores bytes with sql (one bytea parameter) and returns the id it yields. */
static int64_t
store_for_reading(const char *sql, const unsigned char *bytes, size_t n)
{
	uint32_t	type = CB_BYTEAOID;
	const char *val = (const char *) bytes;
	int			len = (int) n;
	PGresult   *res = cb_exec(sql, 1, &type, &val, &len, 0);
	int64_t		id = cb_result_int(res);

	PQclear(res);
	return id;
}

/* get/read/parts of a stored file against SELECT of a bytea column and lo_get(). */
static void
compare_read(size_t size, int part)
{
	unsigned char *bytes = random_bytes(size);
	read_arg	m = {bytes, size, store_for_reading("SELECT media.put($1)", bytes, size), part};
	read_arg	t = {bytes, size, store_for_reading("INSERT INTO cb_external (b) VALUES ($1) RETURNING id", bytes, size), part};
	read_arg	l = {bytes, size, store_for_reading("SELECT lo_from_bytea(0, $1)", bytes, size), part};
	char		lget[64],
				lread[64],
				lparts[64],
				lsel[64],
				llo[64];
	cb_side		s[5] = {{lget, side_get, &m}, {lread, side_read, &m}, {lparts, side_parts, &m},
	{lsel, side_select, &t}, {llo, side_lo_get, &l}};
	const char *how[3] = {"SELECT media.get($1)", "media.read($1, off, len) in %d KiB calls (each a statement)",
	"SELECT data FROM media.parts($1)"};

	snprintf(lget, sizeof(lget), "get %zu MiB", size / MIB);
	snprintf(lread, sizeof(lread), "read %zu MiB in %d KiB calls", size / MIB, part / 1024);
	snprintf(lparts, sizeof(lparts), "parts %zu MiB", size / MIB);
	snprintf(lsel, sizeof(lsel), "SELECT bytea EXTERNAL %zu MiB", size / MIB);
	snprintf(llo, sizeof(llo), "lo_get %zu MiB", size / MIB);
	run_sql("VACUUM ANALYZE media.chunks");
	cb_run_group(s, 5);
	for (int k = 0; k < 3; k++)
	{
		char		what[256],
					how_k[96];

		snprintf(how_k, sizeof(how_k), how[k], part / 1024);
		snprintf(what, sizeof(what), "client: %s of a %zu MiB file (binary result) vs SELECT b FROM t WHERE id = $1 (bytea, STORAGE EXTERNAL); ratio = throughput / SELECT's",
				 how_k, size / MIB);
		cb_report(what, &s[k], &s[3], size, 1, ">= 1.0", 1.0);
		snprintf(what, sizeof(what), "client: the same %s vs SELECT lo_get($1) of a large object; ratio = throughput / lo_get's",
				 k == 0 ? "get()" : k == 1 ? "read() calls" : "parts()");
		cb_report(what, &s[k], &s[4], size, 1, "info", -1);
	}
	free(bytes);
}

/* A setting's size in bytes (memory units such as "1MB"). */
static int
setting_bytes(const char *name)
{
	char		sql[160];
	PGresult   *res;
	int64_t		v;

	snprintf(sql, sizeof(sql), "SELECT pg_size_bytes(current_setting('%s'))", name);
	res = cb_exec(sql, 0, NULL, NULL, NULL, 0);
	v = cb_result_int(res);
	PQclear(res);
	return (int) v;
}

/* Does the comma list have this part? */
static int
wanted(const char *list, const char *part)
{
	size_t		n = strlen(part);

	for (const char *p = list; (p = strstr(p, part)) != NULL; p += n)
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

/* Connects, makes the baseline tables and runs the parts asked for. */
int
main(int argc, char **argv)
{
	int			chunk;

	if (argc < 4 || (cb_reps = atoi(argv[2])) < 1 || (argc - 4) % 3 != 0)
	{
		fprintf(stderr, "usage: client_bench CONNINFO REPS PARTS [MODE FILE BOX ...]\n");
		return 2;
	}
	cb_conn = PQconnectdb(argv[1]);
	if (PQstatus(cb_conn) != CONNECTION_OK)
	{
		fprintf(stderr, "client_bench: %s", PQerrorMessage(cb_conn));
		return 1;
	}
	/* the backend to profile (perf record -g -p PID) while a comparison runs */
	fprintf(stderr, "client_bench: backend pid %d\n", PQbackendPID(cb_conn));
	run_sql("SET client_min_messages = warning");
	run_sql("CREATE EXTENSION IF NOT EXISTS pg_media");
	run_sql("CREATE TABLE IF NOT EXISTS cb_plain (id bigserial PRIMARY KEY, b bytea)");
	run_sql("CREATE TABLE IF NOT EXISTS cb_external (id bigserial PRIMARY KEY, b bytea)");
	run_sql("ALTER TABLE cb_external ALTER COLUMN b SET STORAGE EXTERNAL");
	chunk = setting_bytes("media.chunk_size");
	if (wanted(argv[3], "put"))
	{
		compare_put((size_t) 1 * MIB, 0);
		compare_put((size_t) 20 * MIB, 0);
		compare_put((size_t) 200 * MIB, chunk);
	}
	if (wanted(argv[3], "base64"))
		compare_base64(9700000);
	if (wanted(argv[3], "read"))
	{
		compare_read((size_t) 1 * MIB, chunk);
		compare_read((size_t) 20 * MIB, chunk);
	}
	if (wanted(argv[3], "images") && argc > 4)
		cb_images((argc - 4) / 3, argv + 4);
	PQfinish(cb_conn);
	return 0;
}
