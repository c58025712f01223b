/*
 * serve.h - what the files of pg_media serve share: the server's state,
 * one request's state, and the functions each file offers the others.
 *
 *   serve.c            options, listening socket, signals, graceful shutdown
 *   serve_route.c      request routing, access log, request completion
 *   serve_pool.c       the pools of libpq connections (primary, read replicas)
 *   serve_response.c   status and headers from media.http(), bodies streamed
 *   serve_thumbnail.c  /media/{id}/thumbnail
 *   serve_variant.c    /media/{id}: its query, the file or its transform, e.g.
 *                      /media/{id}/w_320,h_320,c_cover,f_auto or ?w=320&h=320&c=cover&f=auto
 *   serve_sign.c       signed URLs (serve_sign.h)
 *   serve_upload.c     POST /media
 *   serve_read.c       which pool a read uses; a 404 of a lagging replica retried
 *   serve_metrics.c    /healthz and /metrics
 *   serve_tus.c        the tus 1.0 resumable uploads under /uploads/ (serve_tus.h)
 *   serve_tus_headers.c  the tus protocol's headers
 *   serve_authorize.c  who may upload, as which owner; running as a grant's owner
 *                      (serve_authorize.h)
 *   serve_cache.c      the content-addressed cache of files' bytes (serve_cache.h)
 *   serve_prepared.c   statements prepared once per pooled session
 *   serve_fill.c       cache fills in the background, for requests of a Range
 */
#ifndef PG_MEDIA_SERVE_H
#define PG_MEDIA_SERVE_H

#include "pg_media_cli.h"

#include <pthread.h>
#include <sys/types.h>

#include <microhttpd.h>

/* A fixed set of libpq connections, each lent to one request at a time. */
typedef struct Pool
{
	PGconn	  **conns;
	bool	   *busy;
	int			n;
	pthread_mutex_t mu;
	pthread_cond_t cv;
} Pool;

/*
 * The one server of this process: the pools, the access log, the upload
 * token and the count of requests in flight (for the graceful stop).
 */
typedef struct Server
{
	Pool		pool;			/* -d: the primary; writes, uploads, settings */
	Pool		read_pool;		/* --read-dbname: GET/HEAD and transforms; n == 0: none */
	int			read_size;		/* media.chunk_size */
	FILE	   *log;
	pthread_mutex_t log_mu;
	const char *token;			/* PG_MEDIA_UPLOAD_TOKEN, or NULL: no uploads */
	int64_t		upload_max;		/* media.max_upload_size in bytes, 0: no limit */
	int64_t		upload_expiry;	/* seconds an idle upload lives (--upload-expiry) */
	pthread_mutex_t mu;
	pthread_cond_t idle;
	int			active;			/* requests in flight */
	struct mm_sign_keys *sign_keys; /* --signing-keys, or NULL: signed URLs refused */
	bool		require_signed; /* --require-signed: unsigned /media requests get 403 */
} Server;

/*
 * Who a request runs as: what an upload's authorizer decided
 * (serve_authorize_upload()) or what a signed URL's check found
 * (sign_refusal()).  One result for every route, applied to a pooled
 * connection the one way grant_enter() and grant_leave() do it
 * (serve_authorize.h).
 */
typedef struct Grant
{
	int			status;			/* 0: allowed; else the HTTP status to refuse with */
	const char *reason;			/* the refusal, one line for the client */
	char	   *owner;			/* media.owner to run as (malloc'd), or NULL: the role's */
	int64_t		until;			/* the signature's exp (unix seconds), or 0: not signed */
	int64_t		max_bytes;		/* the most bytes an upload may have, or 0: no own limit */
} Grant;

struct TusRequest;

/* One HTTP request, from its headers to the end of its response. */
typedef struct Request
{
	Server	   *srv;
	Pool	   *pool;			/* the pool its reads use (read_pool_for()), or NULL */
	double		t0;
	char		method[8];
	char	   *path;
	char	   *range;			/* the Range header, for the log */
	int			status;
	uint64_t	bytes;			/* body bytes produced */
	bool		head;
	const char *vary;			/* a Vary header for every answer (f_auto: "Accept"), or NULL */
	/* a streamed body */
	char		id[24];
	int64_t		first;
	int64_t		length;
	/* an upload (POST /media) */
	int			slot;			/* pool connection held, or -1 */
	char		upload_id[24];
	char	   *buf;
	size_t		buflen;
	int64_t		received;
	int			fail_status;	/* an error to answer once the body is read */
	char	   *fail_message;
	struct TusRequest *tus;		/* a tus request under /uploads/ (serve_tus.c) */
	Grant		grant;			/* who the request runs as (an upload, a signed URL) */
} Request;

extern Server server;

/* serve_pool.c */
extern void pool_open(Pool *p, const ConnOpts *opts, int size, const char *appname,
					  const char *what);
extern void pool_close(Pool *p);
extern int	pool_get(Pool *p);
extern int	pool_try_get(Pool *p, double timeout);
extern void pool_put(Pool *p, int slot);
extern PGresult *pool_exec(Pool *p, int slot, const char *sql, int nparams,
						   const char *const *values, int result_format);

/* A statement prepared once per session (serve_prepared.c); its parameters' types come from its text. */
typedef struct PreparedStatement
{
	const char *name;
	const char *sql;
	int			nparams;
} PreparedStatement;

/* serve_read.c: what read_exec() did with a read pool's 404 (metrics_read_retried()) */
typedef enum ReadRetry
{
	READ_RETRY_FOUND,			/* the primary had the file: the replica lags */
	READ_RETRY_NOT_FOUND,		/* the primary has no such file either */
	READ_RETRY_PRIMARY_UNAVAILABLE	/* the primary did not answer: the replica's 404 stands */
} ReadRetry;

extern Pool *read_pool_for(Request *rq);
extern int	read_exec(Request *rq, const char *sql, int nparams, const char *const *values,
					  int result_format, PGresult **res);
extern int	read_exec_statement(Request *rq, const PreparedStatement *st, const char *const *values,
								int result_format, PGresult **res);

/* serve_prepared.c */
extern PGresult *exec_prepared(PGconn *conn, const PreparedStatement *st,
							   const char *const *values, int result_format);

/* serve_response.c */
extern int	http_status_for(PGconn *conn, PGresult *res, bool upload);
extern void add_headers_text(struct MHD_Response *resp, char *text, int64_t *length,
							 int64_t *first);
extern enum MHD_Result queue_response(struct MHD_Connection *c, Request *rq, int status,
									  struct MHD_Response *resp);
extern enum MHD_Result respond_text(struct MHD_Connection *c, Request *rq, int status,
									const char *text);
extern enum MHD_Result respond_db_error(struct MHD_Connection *c, Request *rq, PGconn *conn,
										PGresult *res, bool upload);
extern ssize_t read_content(Request *rq, const char *id, int64_t off, int64_t n, char *buf);
extern ssize_t read_body(void *cls, uint64_t pos, char *buf, size_t max);
extern enum MHD_Result serve_file(struct MHD_Connection *c, Request *rq, const char *id);

/* serve_fill.c */
struct CacheKey;
extern void fill_in_background(const Request *rq, const char *id, const struct CacheKey *key,
							   int64_t size);
extern void fill_background_stop(void);

/* serve_thumbnail.c */
extern enum MHD_Result serve_thumbnail(struct MHD_Connection *c, Request *rq, const char *id);
extern struct MHD_Response *http_row_response(Request *rq, PGresult *res, int *status);

/* serve_variant.c: sub is NULL (the file), "thumbnail" or a transform's URL form */
extern enum MHD_Result serve_media(struct MHD_Connection *c, Request *rq, const char *id,
								   const char *sub);

/* serve_upload.c */
extern enum MHD_Result handle_upload(struct MHD_Connection *c, Request *rq,
									 const char *upload_data, size_t *upload_data_size,
									 bool first_call);
extern void upload_release(Request *rq);

/* serve_metrics.c */
extern void metrics_request_done(int status, uint64_t bytes, double seconds, bool aborted);
extern void metrics_pool_waited(double seconds);
extern void metrics_upload_delta(int delta);
extern void metrics_read_retried(ReadRetry outcome);
extern enum MHD_Result serve_metrics(struct MHD_Connection *c, Request *rq);
extern enum MHD_Result serve_healthz(struct MHD_Connection *c, Request *rq);

/* serve_route.c */
extern enum MHD_Result handle_request(void *cls, struct MHD_Connection *c, const char *url,
									  const char *method, const char *version,
									  const char *upload_data, size_t *upload_data_size,
									  void **con_cls);
extern void request_completed(void *cls, struct MHD_Connection *c, void **con_cls,
							  enum MHD_RequestTerminationCode toe);

#endif							/* PG_MEDIA_SERVE_H */
