/* mamori-ping: the benchmark's ceiling. A bare libmicrohttpd server set up
 * the way src/http/http.c sets up mamori's (an epoll thread pool of four,
 * the same connection limits) that answers every request with 200 "ok".
 * Whatever mamori does per request costs what it loses against this.
 *
 * Usage: mamori-ping PORT (0 picks a free port). Binds 127.0.0.1 only and
 * runs until SIGINT or SIGTERM. */
#include <microhttpd.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* The same values as mm_http_defaults() and mm_http_start(). */
enum {
	THREADS = 4,
	CONN_LIMIT = 1024,
	PER_IP_LIMIT = 256,
	TIMEOUT = 30,
	CONN_MEMORY = 32 * 1024,
};

static const char body[] = "ok";

/* Answers every request with "ok". Like mamori, the first call for a request
 * only marks it as seen and any upload is skipped; the answer comes on the
 * call after the headers (and body) are in. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_size, void **state)
{
	static int seen;
	struct MHD_Response *r;
	enum MHD_Result ret;

	(void)cls, (void)url, (void)method, (void)version, (void)upload_data;
	if (!*state) {
		*state = &seen;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	r = MHD_create_response_from_buffer(sizeof(body) - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
	ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/* Reads a port number 0..65535; false when arg is anything else. */
static bool parse_port(const char *arg, unsigned short *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < 0 || v > 65535)
		return false;
	*out = (unsigned short)v;
	return true;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin;
	const union MHD_DaemonInfo *di;
	struct MHD_Daemon *d;
	unsigned short port;
	sigset_t set;
	int sig;

	if (argc != 2 || !parse_port(argv[1], &port)) {
		fprintf(stderr, "usage: mamori-ping PORT   (0 picks a free port)\n");
		return 2;
	}

	/* Block the stop signals in every thread; main waits for them. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL_LINUX_ONLY, port, NULL, NULL,
		on_request, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)THREADS, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned)CONN_LIMIT, MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)PER_IP_LIMIT,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)TIMEOUT,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "ping: cannot listen on 127.0.0.1 port %u\n", (unsigned)port);
		return 1;
	}
	di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	fprintf(stderr, "ping: serving http://127.0.0.1:%u/\n",
		di ? (unsigned)di->port : (unsigned)port);
	sigwait(&set, &sig);
	fprintf(stderr, "ping: stopping (%s)\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
	MHD_stop_daemon(d);
	return 0;
}
