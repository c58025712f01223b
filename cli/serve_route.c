/*
 * serve_route.c - pg_media serve: libmicrohttpd's access handler (which
 * route a request takes) and its completion callback (the access log line,
 * the request's metrics, clean-up of an unfinished upload or tus request).
 */
#include "serve.h"
#include "serve_authorize.h"
#include "serve_tus.h"
#include "serve_sign.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* Is s a file id: 1 to 18 digits (always a valid bigint)? */
static bool
is_id(const char *s, size_t len)
{
	if (len == 0 || len > 18)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* libmicrohttpd's access handler: routes each request. */
enum MHD_Result
handle_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			   const char *version, const char *upload_data, size_t *upload_data_size,
			   void **con_cls)
{
	Request    *rq = *con_cls;
	bool		first_call = false;
	bool		get_or_head;

	if (rq == NULL)
	{
		const char *range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_RANGE);

		rq = calloc(1, sizeof(Request));
		if (rq == NULL)
			return MHD_NO;
		rq->srv = &server;
		rq->t0 = now_seconds();
		rq->slot = -1;
		snprintf(rq->method, sizeof(rq->method), "%s", method);
		rq->path = strdup(url);
		rq->range = range ? strdup(range) : NULL;
		rq->head = strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
		*con_cls = rq;
		pthread_mutex_lock(&server.mu);
		server.active++;
		pthread_mutex_unlock(&server.mu);
		first_call = true;
	}
	get_or_head = strcmp(method, MHD_HTTP_METHOD_GET) == 0 || rq->head;

	if (strcmp(url, "/media") == 0 && strcmp(method, MHD_HTTP_METHOD_POST) == 0)
		return handle_upload(c, rq, upload_data, upload_data_size, first_call);
	if (tus_route(url))
		return tus_handle(c, rq, url, method, upload_data, upload_data_size, first_call);
	if (first_call)
		return MHD_YES;			/* answer on the next call, once the request is whole */
	if (*upload_data_size > 0)
	{
		*upload_data_size = 0;	/* a body nobody asked for */
		return MHD_YES;
	}

	if (strncmp(url, "/media/", 7) == 0)
	{
		const char *rest = url + 7;
		size_t		idlen = strcspn(rest, "/");
		char		id[24];

		if (is_id(rest, idlen) && (rest[idlen] == '\0' ||
								   (rest[idlen] == '/' && rest[idlen + 1] && !strchr(rest + idlen + 1, '/'))))
		{
			if (!get_or_head)
				return respond_text(c, rq, 405, "method not allowed\n");
			snprintf(id, sizeof(id), "%.*s", (int) idlen, rest);
			return serve_media(c, rq, id, rest[idlen] ? rest + idlen + 1 : NULL);
		}
	}
	if (strcmp(url, "/healthz") == 0 || strcmp(url, "/metrics") == 0)
	{
		if (!get_or_head)
			return respond_text(c, rq, 405, "method not allowed\n");
		return url[1] == 'h' ? serve_healthz(c, rq) : serve_metrics(c, rq);
	}
	if (strcmp(url, "/media") == 0)
		return respond_text(c, rq, 405, "method not allowed\n");
	return respond_text(c, rq, 404, "not found\n");
}

/* Writes s to f with control characters, spaces and quotes escaped as %XX. */
static void
log_escaped(FILE *f, const char *s)
{
	for (; *s; s++)
	{
		unsigned char ch = (unsigned char) *s;

		if (ch <= 0x20 || ch == 0x7f || ch == '"' || ch == '%')
			fprintf(f, "%%%02X", ch);
		else
			fputc(ch, f);
	}
}

/*
 * libmicrohttpd's completion callback: writes the access log line, gives
 * up an unfinished upload, frees the request and counts it done.
 */
void
request_completed(void *cls, struct MHD_Connection *c, void **con_cls,
				  enum MHD_RequestTerminationCode toe)
{
	Request    *rq = *con_cls;
	const union MHD_ConnectionInfo *info;
	char		client[INET6_ADDRSTRLEN] = "-";
	char		when[64];
	struct timespec ts;
	struct tm	tm;

	if (rq == NULL)
		return;
	upload_release(rq);
	tus_release(rq);

	info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (info && info->client_addr)
	{
		const struct sockaddr *sa = info->client_addr;

		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *) sa)->sin_addr, client, sizeof(client));
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *) sa)->sin6_addr, client, sizeof(client));
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);

	pthread_mutex_lock(&server.log_mu);
	fprintf(server.log, "%s.%03ldZ %s %s ", when, ts.tv_nsec / 1000000, client, rq->method);
	log_escaped(server.log, rq->path ? rq->path : "-");
	fputs(" \"", server.log);
	log_escaped(server.log, rq->range ? rq->range : "-");
	fprintf(server.log, "\" %d %llu %.1fms%s\n", rq->status ? rq->status : 500,
			(unsigned long long) rq->bytes, (now_seconds() - rq->t0) * 1000,
			toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
	fflush(server.log);
	pthread_mutex_unlock(&server.log_mu);
	metrics_request_done(rq->status ? rq->status : 500, rq->bytes, now_seconds() - rq->t0,
						 toe != MHD_REQUEST_TERMINATED_COMPLETED_OK);

	free(rq->path);
	free(rq->range);
	free(rq->buf);
	free(rq->fail_message);
	grant_free(&rq->grant);
	free(rq);
	*con_cls = NULL;

	pthread_mutex_lock(&server.mu);
	if (--server.active == 0)
		pthread_cond_broadcast(&server.idle);
	pthread_mutex_unlock(&server.mu);
}
