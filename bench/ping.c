/* mamori-ping: the benchmark's reference servers. A bare libmicrohttpd
 * server set up the way src/http/http.c sets up mamori's (an epoll thread
 * pool of four, the same connection limits and memory).
 *
 * Usage: mamori-ping PORT [DATABASE] (port 0 picks a free one). Binds
 * 127.0.0.1 only and runs until SIGINT or SIGTERM.
 *
 * - Without a database it is the ceiling: every request gets 200 "ok".
 *   Whatever mamori does per request costs what it loses against this.
 * - With a mamori SQLite database it is the floor of a record read: a
 *   request for a path ending in /ID gets the row of asset ID as JSON (numbers
 *   as numbers, text as strings; 404 when there is none), read with one prepared
 *   statement on a connection of the thread's own, which maps the file as
 *   mamori's connections do. No credential, access rule, routing or security
 *   header: the least any server that reads the record from SQLite per
 *   request must do. Each read is a transaction of its own; mamori keeps its
 *   read snapshot between requests while nothing commits
 *   (src/store/sqlite_snapshot.c), which the floor does not try. */
#include <microhttpd.h>
#include <sqlite3.h>

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

/* The floor's database, and each pool thread's connection and statement
 * (opened on the thread's first request, left to the process's exit). */
static const char *db_path;
static _Thread_local sqlite3 *db;
static _Thread_local sqlite3_stmt *get;

/* Appends s to out (of size cap) at *n as a JSON string. */
static void put_str(char *out, size_t cap, size_t *n, const char *s)
{
	if (*n < cap)
		out[(*n)++] = '"';
	for (; *s && *n + 7 < cap; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\') {
			out[(*n)++] = '\\';
			out[(*n)++] = (char)ch;
		} else if (ch < 0x20) {
			*n += (size_t)snprintf(out + *n, cap - *n, "\\u%04x", ch);
		} else {
			out[(*n)++] = (char)ch;
		}
	}
	if (*n < cap)
		out[(*n)++] = '"';
}

/* Appends v to out (of size cap) at *n in decimal. */
static void put_int(char *out, size_t cap, size_t *n, sqlite3_int64 v)
{
	char digits[24];
	size_t k = 0;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	do
		digits[k++] = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		digits[k++] = '-';
	while (k && *n < cap)
		out[(*n)++] = digits[--k];
}

/* The row of asset id as a JSON object in out (numbers as numbers, text as
 * strings, NULL as null); its length, or 0 when there is no such asset or
 * the database fails. */
static size_t read_row(const char *url, char *out, size_t cap)
{
	const char *slash = strrchr(url, '/');
	size_t n = 0;

	if (!get && (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
				     NULL) != SQLITE_OK ||
		     sqlite3_exec(db, "PRAGMA query_only = 1; PRAGMA mmap_size = 268435456", NULL,
				  NULL, NULL) != SQLITE_OK ||
		     sqlite3_prepare_v3(db, "SELECT * FROM assets WHERE id = ?", -1,
					SQLITE_PREPARE_PERSISTENT, &get, NULL) != SQLITE_OK)) {
		sqlite3_close(db); /* tried again on the next request */
		db = NULL;
		get = NULL;
		return 0;
	}
	sqlite3_bind_int64(get, 1, slash ? strtoll(slash + 1, NULL, 10) : 0);
	if (sqlite3_step(get) == SQLITE_ROW) {
		out[n++] = '{';
		for (int i = 0; i < sqlite3_column_count(get) && n + 32 < cap; i++) {
			const char *text;

			if (i)
				out[n++] = ',';
			put_str(out, cap - 32, &n, sqlite3_column_name(get, i));
			out[n++] = ':';
			switch (sqlite3_column_type(get, i)) {
			case SQLITE_INTEGER:
				put_int(out, cap - 2, &n, sqlite3_column_int64(get, i));
				break;
			case SQLITE_NULL:
				memcpy(out + n, "null", 4);
				n += 4;
				break;
			default:
				text = (const char *)sqlite3_column_text(get, i);
				put_str(out, cap - 32, &n, text ? text : "");
				break;
			}
		}
		out[n++] = '}';
	}
	sqlite3_reset(get);
	return n;
}

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
	char row[8192];
	size_t n;

	(void)cls, (void)method, (void)version, (void)upload_data;
	if (!*state) {
		*state = &seen;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (db_path) {
		n = read_row(url, row, sizeof(row));
		r = MHD_create_response_from_buffer(n, row, MHD_RESPMEM_MUST_COPY);
		if (!r)
			return MHD_NO;
		MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
		ret = MHD_queue_response(conn, n ? MHD_HTTP_OK : MHD_HTTP_NOT_FOUND, r);
		MHD_destroy_response(r);
		return ret;
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

	if (argc < 2 || argc > 3 || !parse_port(argv[1], &port)) {
		fprintf(stderr, "usage: mamori-ping PORT [DATABASE]   (0 picks a free port)\n");
		return 2;
	}
	db_path = argc == 3 ? argv[2] : NULL;

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
	fprintf(stderr, "%s: serving http://127.0.0.1:%u/\n", db_path ? "floor" : "ping",
		di ? (unsigned)di->port : (unsigned)port);
	sigwait(&set, &sig);
	fprintf(stderr, "%s: stopping (%s)\n", db_path ? "floor" : "ping",
		sig == SIGINT ? "SIGINT" : "SIGTERM");
	MHD_stop_daemon(d);
	return 0;
}
