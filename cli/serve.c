/*
 * serve.c - pg_media serve: an HTTP server for stored files (libmicrohttpd).
 * This file: options, the listening socket, signals and graceful shutdown;
 * serve.h lists the files that do the rest.
 *
 *   GET|HEAD /media/{id}                        the file, with media.http() semantics
 *   GET|HEAD /media/{id}/thumbnail?w=W&h=H      media.thumbnail() when it exists, else 501
 *   GET|HEAD /media/{id}/w_W,h_H[,c_..,f_..]    a derived image (serve_variant.c)
 *   ...?exp=..&own=..&kid=..&sig=..             a signed URL (serve_sign.c)
 *   POST /media                                 an upload, when PG_MEDIA_UPLOAD_TOKEN is set
 *   OPTIONS|POST /uploads/, HEAD|PATCH|DELETE /uploads/{U}
 *                                               tus 1.0 resumable uploads (serve_tus.h)
 *
 * Every answer's status and headers come from media.http(id, Range,
 * If-None-Match, 'HEAD') (ETag, 304, 206, 416, Cache-Control, nosniff,
 * Content-Disposition, CSP for active content).  A small body is read in the
 * same statement; a larger one is streamed to the client in ranges of
 * media.chunk_size through libmicrohttpd's content-reader callback, each
 * range one media.read() on a pooled connection, so memory per request stays
 * bounded by a chunk whatever the file's size and a slow client holds no
 * database connection between ranges.
 *
 * Threads: libmicrohttpd runs one thread per HTTP connection; a pool of
 * --pool libpq connections is shared, each used by one request at a time.
 * With --read-dbname, reads (files, transforms, thumbnails) go through a
 * second pool, on read replicas (serve_read.c); writes stay on the first.
 * SIGINT/SIGTERM stop accepting, let requests in flight finish (up to
 * --shutdown-timeout seconds), then close everything.
 */
#include "serve.h"
#include "serve_tus.h"
#include "serve_sign.h"
#include "serve_cache.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

Server		server;

/* Prints the help of pg_media serve. */
static void
serve_help(void)
{
	printf("pg_media serve: an HTTP server for the stored files.\n"
		   "\n"
		   "Usage:\n"
		   "  pg_media serve [--listen HOST:PORT] [OPTION]...\n"
		   "\n"
		   "Routes:\n"
		   "  GET|HEAD /media/{id}                     the file: ETag, If-None-Match -> 304,\n"
		   "                                           Range -> 206 or 416, Cache-Control,\n"
		   "                                           nosniff (the headers of media.http())\n"
		   "  GET|HEAD /media/{id}/thumbnail?w=W&h=H   a thumbnail, when the database has\n"
		   "                                           media.thumbnail(); else 501\n"
		   "  GET|HEAD /media/{id}/w_W,h_H[,c_cover][,g_attention][,f_auto][,q_Q]\n"
		   "                                           a derived image in a media.thumbnail_sizes\n"
		   "                                           box; f_auto picks AVIF/WebP/JPEG/PNG by Accept\n"
		   "  GET|HEAD /media/{id}?w=W&h=H[&c=..][&g=..][&f=..][&q=..]\n"
		   "                                           the same, as query parameters\n"
		   "  ...?exp=E&own=O&kid=K&sig=S              a URL signed by media.sign_url(): served\n"
		   "                                           as media.owner O until E; altered or\n"
		   "                                           expired: 403\n"
		   "  POST /media                              store the request body (raw; name from\n"
		   "                                           X-File-Name or ?name=): only when the\n"
		   "                                           environment has PG_MEDIA_UPLOAD_TOKEN,\n"
		   "                                           with \"Authorization: Bearer TOKEN\"\n"
		   "  OPTIONS|POST /uploads/                   tus 1.0 resumable uploads (creation,\n"
		   "  HEAD|PATCH|DELETE /uploads/{U}           creation-with-upload, termination,\n"
		   "                                           expiration, checksum sha256): same\n"
		   "                                           token, or a token of media.sign_upload()\n"
		   "                                           (as its owner; needs signing keys); the\n"
		   "                                           PATCH that completes an upload answers\n"
		   "                                           Upload-File-Id\n"
		   "  GET /healthz                             200 when a pooled connection answers\n"
		   "                                           and pg_media is installed, else 503\n"
		   "                                           (for a load balancer)\n"
		   "  GET /metrics                             Prometheus text: requests, latency,\n"
		   "                                           pool, cache, uploads, read retries\n"
		   "\n"
		   "Options:\n"
		   "      --listen=HOST:PORT     address to listen on (default 127.0.0.1:8080;\n"
		   "                             [::1]:PORT for IPv6; port 0 picks a free one)\n"
		   "      --pool=N               database connections (default 4)\n"
		   "      --read-dbname=CONNSTR  serve files, transforms and thumbnails from these\n"
		   "                             connections (read replicas), e.g.\n"
		   "                               'host=replica1,primary dbname=app\n"
		   "                                target_session_attrs=prefer-standby'\n"
		   "                             uploads and settings stay on the primary\n"
		   "                             (-d/-h/-p).  A replica's 404 is asked again of\n"
		   "                             the primary (a file not replayed yet); with the\n"
		   "                             primary down it is 404 until replayed\n"
		   "      --read-pool=N          read connections (default: --pool)\n"
		   "      --max-connections=N    HTTP connections at once (default 64)\n"
		   "      --access-log=FILE      append the access log to FILE (default stderr)\n"
		   "      --shutdown-timeout=S   on SIGINT/SIGTERM, wait up to S seconds for\n"
		   "                             requests in flight (default 30)\n"
		   "      --upload-expiry=INTERVAL  the Upload-Expires of tus uploads: the age\n"
		   "                             media.cleanup_uploads() is run with (default\n"
		   "                             '1 day', its own default; 0: none announced)\n"
		   "      --signing-keys=FILE    keys of signed URLs (id:secret, comma- or\n"
		   "                             line-separated; mode 600), as the database's\n"
		   "                             media.url_signing_keys holds them\n"
		   "      --signing-keys-from-db read them from media.url_signing_keys (needs a\n"
		   "                             superuser or pg_read_all_settings role)\n"
		   "      --require-signed       answer signed URLs only (unsigned: 403)\n"
		   "      --cache-dir=DIR        the content cache's folder (made mode 700; its\n"
		   "                             entries are removed at start and stop); default:\n"
		   "                             a private folder under $TMPDIR, removed at stop\n"
		   "      --cache-size=BYTES     the content cache's cap, k/M/G suffixes (default\n"
		   "                             512M; 0: no cache, every body from the database)\n"
		   "\n"
		   "The access log has one line per request: time, client, method, path, Range\n"
		   "header, status, body bytes, duration.  Put a reverse proxy (nginx) in front\n"
		   "for TLS and caching; the server is meant for a trusted network.\n"
		   "\n"
		   COMMON_OPTIONS_HELP);
}


/* Parses HOST:PORT, [V6]:PORT or PORT into a socket address. */
static bool
parse_listen(const char *spec, struct sockaddr_storage *addr, socklen_t *len)
{
	char		host[256] = "127.0.0.1";
	const char *port;
	struct addrinfo hints = {0};
	struct addrinfo *ai;
	const char *colon = strrchr(spec, ':');

	if (spec[0] == '[')
	{
		const char *close = strchr(spec, ']');

		if (close == NULL || close[1] != ':' || (size_t) (close - spec - 1) >= sizeof(host))
			return false;
		snprintf(host, sizeof(host), "%.*s", (int) (close - spec - 1), spec + 1);
		port = close + 2;
	}
	else if (colon)
	{
		if ((size_t) (colon - spec) >= sizeof(host))
			return false;
		snprintf(host, sizeof(host), "%.*s", (int) (colon - spec), spec);
		port = colon + 1;
	}
	else
		port = spec;
	/* strtol, not atoi: "4294967297" must not wrap around to port 1 */
	errno = 0;
	if (*port == '\0' || strspn(port, "0123456789") != strlen(port) ||
		strtol(port, NULL, 10) > 65535 || errno != 0)
		return false;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	if (getaddrinfo(host, port, &hints, &ai) != 0)
		return false;
	memcpy(addr, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return true;
}

/* libmicrohttpd's own error messages go to stderr. */
static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s serve: ", progname);
	vfprintf(stderr, fmt, ap);
}

/*
 * The graceful stop after SIGINT/SIGTERM: stops accepting, lets the
 * requests in flight finish for up to timeout seconds (a download in
 * progress completes), then stops the daemon and closes what is left.
 */
static void
shut_down(struct MHD_Daemon *daemon, int signo, int timeout)
{
	MHD_socket lsock = MHD_quiesce_daemon(daemon);
	struct timespec deadline;
	int			waiting;

	pthread_mutex_lock(&server.mu);
	waiting = server.active;
	pthread_mutex_unlock(&server.mu);
	fprintf(stderr, "%s serve: %s received, finishing %d request(s) in flight\n",
			progname, signo == SIGINT ? "SIGINT" : "SIGTERM", waiting);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += timeout;
	pthread_mutex_lock(&server.mu);
	while (server.active > 0)
		if (pthread_cond_timedwait(&server.idle, &server.mu, &deadline) == ETIMEDOUT)
			break;
	waiting = server.active;
	pthread_mutex_unlock(&server.mu);
	if (waiting > 0)
		fprintf(stderr, "%s serve: %d request(s) still running after %d s, closing them\n",
				progname, waiting, timeout);
	MHD_stop_daemon(daemon);
	if (lsock != MHD_INVALID_SOCKET)
		close(lsock);
}

/* pg_media serve */
int
cmd_serve(int argc, char **argv)
{
	static const struct option long_options[] = {
		{"listen", required_argument, NULL, 1},
		{"pool", required_argument, NULL, 2},
		{"access-log", required_argument, NULL, 3},
		{"shutdown-timeout", required_argument, NULL, 4},
		{"max-connections", required_argument, NULL, 5},
		{"upload-expiry", required_argument, NULL, 9},
		{"signing-keys", required_argument, NULL, 6},
		{"signing-keys-from-db", no_argument, NULL, 7},
		{"require-signed", no_argument, NULL, 8},
		{"read-dbname", required_argument, NULL, 10},
		{"read-pool", required_argument, NULL, 11},
		{"cache-dir", required_argument, NULL, 12},
		{"cache-size", required_argument, NULL, 13},
		COMMON_LONG_OPTIONS
	};
	ConnOpts	opts = {0};
	const char *listen = "127.0.0.1:8080";
	const char *access_log = NULL;
	const char *upload_expiry = "1 day";
	int			pool_size = 4;
	int			read_pool_size = 0;
	ConnOpts	read_opts;
	int			shutdown_timeout = 30;
	int			max_connections = 64;
	const char *signing_keys = NULL;
	const char *read_dbname = NULL;
	bool		keys_from_db = false;
	const char *cache_dir = NULL;
	int64_t		cache_size = CACHE_DEFAULT_SIZE;
	static mm_sign_keys keys;
	struct sockaddr_storage addr;
	socklen_t	addrlen;
	struct MHD_Daemon *daemon;
	const union MHD_DaemonInfo *dinfo;
	sigset_t	sigs;
	int			signo;
	int			c;
	char		host[INET6_ADDRSTRLEN] = "?";
	unsigned	flags;

	while ((c = getopt_long(argc, argv, COMMON_SHORT_OPTIONS, long_options, NULL)) != -1)
	{
		if (common_option(&opts, c, optarg, serve_help))
			continue;
		switch (c)
		{
			case 1:
				listen = optarg;
				break;
			case 2:
				pool_size = (int) int_option("--pool", optarg, 1, 100);
				break;
			case 3:
				access_log = optarg;
				break;
			case 4:
				shutdown_timeout = (int) int_option("--shutdown-timeout", optarg, 0, 86400);
				break;
			case 5:
				max_connections = (int) int_option("--max-connections", optarg, 1, INT_MAX);
				break;
			case 6:
				signing_keys = optarg;
				break;
			case 9:
				upload_expiry = optarg;
				break;
			case 7:
				keys_from_db = true;
				break;
			case 8:
				server.require_signed = true;
				break;
			case 10:
				read_dbname = optarg;
				break;
			case 11:
				read_pool_size = (int) int_option("--read-pool", optarg, 1, 100);
				break;
			case 12:
				cache_dir = optarg;
				break;
			case 13:
				if ((cache_size = cache_parse_size(optarg)) < 0)
					pg_fatal_usage("--cache-size must be a number of bytes (k, M or G suffix), not \"%s\"", optarg);
				break;
		}
	}
	if (optind < argc)
		pg_fatal_usage("unexpected argument \"%s\"", argv[optind]);
	if (!parse_listen(listen, &addr, &addrlen))
		pg_fatal_usage("--listen must be HOST:PORT, [IPV6]:PORT or PORT, not \"%s\"", listen);
	if (signing_keys && keys_from_db)
		pg_fatal_usage("give --signing-keys or --signing-keys-from-db, not both");
	if (read_pool_size > 0 && read_dbname == NULL)
		pg_fatal_usage("--read-pool needs --read-dbname");
	if (server.require_signed && !signing_keys && !keys_from_db)
		pg_fatal_usage("--require-signed needs --signing-keys or --signing-keys-from-db");
	if (signing_keys)
	{
		sign_load_keys_file(signing_keys, &keys);
		server.sign_keys = &keys;
	}

	server.token = getenv("PG_MEDIA_UPLOAD_TOKEN");
	if (server.token && *server.token == '\0')
		server.token = NULL;
	if (server.token && strlen(server.token) < 16)
	{
		log_error("PG_MEDIA_UPLOAD_TOKEN must be at least 16 characters long");
		return EXIT_USAGE;
	}
	server.log = stderr;
	if (access_log && (server.log = fopen(access_log, "a")) == NULL)
	{
		log_error("cannot open the access log \"%s\": %s", access_log, strerror(errno));
		return EXIT_FATAL;
	}
	pthread_mutex_init(&server.log_mu, NULL);
	pthread_mutex_init(&server.mu, NULL);
	pthread_cond_init(&server.idle, NULL);
	pool_open(&server.pool, &opts, pool_size, "pg_media serve", "the database");
	if (read_dbname)
	{
		/* -U, -h and -p apply to it too, each unless the string sets its own (user=, host=, port=) */
		read_opts = opts;
		read_opts.dbname = read_dbname;
		pool_open(&server.read_pool, &read_opts, read_pool_size ? read_pool_size : pool_size,
				  "pg_media serve (reads)", "the read database (--read-dbname)");
	}
	server.read_size = db_chunk_size(server.pool.conns[0]);
	if (!tus_configure(server.pool.conns[0], upload_expiry))
		return EXIT_USAGE;
	if (keys_from_db)
	{
		sign_load_keys_setting(server.pool.conns[0], &keys);
		server.sign_keys = &keys;
	}
	if (server.sign_keys)
		sign_warn_isolation(server.pool.conns[0]);
	if (!cache_start(cache_dir, cache_size))
		return EXIT_FATAL;

	/* signals are taken by this thread alone, with sigwait() */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* a cache write past a file-size limit fails (EFBIG, the fill is discarded) instead of killing serve */
	signal(SIGXFSZ, SIG_IGN);

	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ITC |
		MHD_USE_ERROR_LOG;
	if (addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* the address is MHD_OPTION_SOCK_ADDR's; the port is given too only for libmicrohttpd's own
	 * messages ("Failed to bind to port 0" named the wrong port) */
	daemon = MHD_start_daemon(flags,
							  ntohs(addr.ss_family == AF_INET6 ? ((struct sockaddr_in6 *) &addr)->sin6_port
									: ((struct sockaddr_in *) &addr)->sin_port),
							  NULL, NULL, handle_request, NULL,
							  MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
							  MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &addr,
							  MHD_OPTION_NOTIFY_COMPLETED, request_completed, NULL,
							  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) 60,
							  MHD_OPTION_CONNECTION_LIMIT, (unsigned int) max_connections,
							  MHD_OPTION_END);
	if (daemon == NULL)
	{
		log_error("cannot listen on %s: %s", listen, strerror(errno));
		return EXIT_FATAL;
	}
	dinfo = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
	if (addr.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *) &addr)->sin_addr, host, sizeof(host));
	else
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *) &addr)->sin6_addr, host, sizeof(host));
	fprintf(stderr, "%s serve: listening on http://%s%s%s:%u/ (pool %d%s, uploads %s, signed URLs %s, cache %s)\n",
			progname, addr.ss_family == AF_INET6 ? "[" : "", host,
			addr.ss_family == AF_INET6 ? "]" : "", dinfo ? dinfo->port : 0, pool_size,
			server.read_pool.n > 0 ? ", reads on --read-dbname" : "",
			server.token && server.sign_keys ? "by token and signed tokens" :
			server.token ? "by token" : server.sign_keys ? "by signed tokens" : "disabled",
			server.require_signed ? "required" : server.sign_keys ? "enabled" : "disabled",
			cache_enabled() ? "enabled" : "disabled");
	fflush(stderr);

	sigwait(&sigs, &signo);

	shut_down(daemon, signo, shutdown_timeout);
	fill_background_stop();
	cache_stop();
	pool_close(&server.pool);
	if (server.read_pool.n > 0)
		pool_close(&server.read_pool);
	mm_sign_keys_clear(&keys);
	if (server.log != stderr)
		fclose(server.log);
	fprintf(stderr, "%s serve: stopped\n", progname);
	return EXIT_OK;
}

