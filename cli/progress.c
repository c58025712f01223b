/*
 * progress.c - progress display: a one-line bar on a terminal (files, bytes,
 * rate, ETA), plain log lines otherwise (a log file, a pipe, a test).
 */
#include "pg_media_cli.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Seconds since an arbitrary point, from the monotonic clock. */
double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Formats a byte count as "12.3 MB" (powers of 1024) into buf. */
char *
format_bytes(int64_t bytes, char *buf, size_t len)
{
	static const char *units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
	double		v = (double) bytes;
	int			u = 0;

	while (v >= 1024 && u < 5)
	{
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%lld B", (long long) bytes);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}

/* Starts a progress display for files/bytes of work. */
void
progress_init(Progress *p, const char *verb, int64_t files, int64_t bytes,
			  bool quiet)
{
	memset(p, 0, sizeof(*p));
	p->tty = isatty(STDERR_FILENO) && !quiet;
	p->quiet = quiet;
	p->verb = verb;
	p->total_files = files;
	p->total_bytes = bytes;
	p->start = now_seconds();
}

/* Erases the bar so that a log line can be printed. */
static void
progress_clear(Progress *p)
{
	if (p->tty && p->drawn)
	{
		fputs("\r\033[K", stderr);
		p->drawn = false;
	}
}

/* Draws the bar (terminal only), at most ten times a second unless forced. */
static void
progress_draw(Progress *p, const char *current, bool force)
{
	double		now = now_seconds();
	double		elapsed = now - p->start;
	double		rate = elapsed > 0 ? p->done_bytes / elapsed : 0;
	double		frac;
	char		done[32],
				total[32],
				ratebuf[32],
				eta[32];
	char		bar[21];
	int			filled;

	if (!p->tty || (!force && now - p->last_draw < 0.1))
		return;
	p->last_draw = now;
	frac = p->total_bytes > 0 ? (double) p->done_bytes / p->total_bytes :
		(p->total_files > 0 ? (double) p->done_files / p->total_files : 1);
	if (frac > 1)
		frac = 1;
	filled = (int) (frac * 20);
	for (int i = 0; i < 20; i++)
		bar[i] = i < filled ? '#' : '.';
	bar[20] = '\0';
	if (rate > 0 && p->total_bytes > p->done_bytes)
	{
		long		s = (long) ((p->total_bytes - p->done_bytes) / rate);

		snprintf(eta, sizeof(eta), "ETA %ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
	}
	else
		snprintf(eta, sizeof(eta), "ETA --:--:--");
	fprintf(stderr, "\r\033[K[%s] %lld/%lld files  %s/%s  %s/s  %s  %.30s",
			bar, (long long) p->done_files, (long long) p->total_files,
			format_bytes(p->done_bytes, done, sizeof(done)),
			format_bytes(p->total_bytes, total, sizeof(total)),
			format_bytes((int64_t) rate, ratebuf, sizeof(ratebuf)),
			eta, current ? current : "");
	fflush(stderr);
	p->drawn = true;
}

/* Counts bytes done (of the file named current) and redraws the bar. */
void
progress_bytes(Progress *p, int64_t bytes, const char *current)
{
	p->done_bytes += bytes;
	progress_draw(p, current, false);
}

/* Counts one file done. */
void
progress_file_done(Progress *p)
{
	p->done_files++;
	progress_draw(p, NULL, false);
}

/*
 * Prints a log line: on stderr above the bar on a terminal, else on stdout
 * (so that log lines and errors can be told apart in scripts).  Suppressed
 * by --quiet.
 */
void
progress_log(Progress *p, const char *fmt,...)
{
	va_list		ap;
	FILE	   *out = p->tty ? stderr : stdout;

	if (p->quiet)
		return;
	progress_clear(p);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	fflush(out);
	progress_draw(p, NULL, true);
}

/* Removes the bar before the summary is printed. */
void
progress_finish(Progress *p)
{
	progress_clear(p);
	fflush(stderr);
}

/* Prints "pg_media: error: ..." on stderr, above the bar; never suppressed. */
void
progress_error(Progress *p, const char *fmt,...)
{
	va_list		ap;

	progress_clear(p);
	fprintf(stderr, "%s: error: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	progress_draw(p, NULL, true);
}
