/* Whole requests through the HTTP server on loopback: libmicrohttpd's
 * request line, headers and query string, the http layer's glue (query
 * parameters, multipart bodies such as the CSV import upload), the router,
 * cookies, urlencoded forms and JSON bodies, and the handlers behind them,
 * against a demo database.
 *
 * The input is "METHOD TARGET", header lines, an empty line and the body
 * (LF line ends). The target adds Host when missing, sets Content-Length and
 * Connection: close itself (dropping any the input gives) and replaces
 * @SESSION@, @CSRF@ and @BEARER@ with a live session cookie, its CSRF token
 * and "Bearer <API token>" of a 事務局 account, so that the fuzzer reaches
 * the handlers behind sign-in. Invariants: every request gets an answer
 * within 5 seconds, and the answer is never 500 (a user's mistake is
 * never an internal error). */
#include "fuzz.h"

#include "core/buf.h"
#include "core/err.h"
#include "http/http.h"
#include "web/cache.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static struct mm_web web;
static struct mm_http *server;
static uint16_t port;

static void stop(void)
{
	mm_http_stop(server);
	mm_cache_free(web.cache);
}

static void start(void)
{
	const struct fuzz_db *db = fuzz_db();
	struct mm_http_config c = { 0 };
	char why[256];

	mm_http_defaults(&c);
	c.port = 0;
	c.threads = 2;
	c.body_cap = 1u << 20;
	web.store = db->st;
	web.cache = mm_cache_new(1u << 20);
	web.page_max = 1000;
	web.import_cap = 1u << 20;
	web.default_lang = MM_JA;
	FUZZ_CHECK(mm_http_start(&c, &web, &server, why, sizeof(why)) == MM_OK);
	port = mm_http_port(server);
	atexit(stop);
}

/* Appends n bytes of s with the placeholders replaced. */
static void add_subst(struct mm_buf *b, const char *s, size_t n)
{
	const struct fuzz_db *db = fuzz_db();
	const struct {
		const char *from, *to;
	} subst[] = { { "@SESSION@", db->session },
		      { "@CSRF@", db->csrf },
		      { "@BEARER@", db->bearer } };

	for (size_t i = 0; i < n;) {
		bool done = false;

		for (size_t k = 0; k < 3 && !done; k++) {
			size_t len = strlen(subst[k].from);
			if (n - i >= len && memcmp(s + i, subst[k].from, len) == 0) {
				mm_buf_adds(b, subst[k].to);
				i += len;
				done = true;
			}
		}
		if (!done)
			mm_buf_addc(b, s[i++]);
	}
}

/* Headers the target sets itself. */
static bool dropped(const char *h, size_t n)
{
	static const char *const names[] = { "content-length:", "connection:", "transfer-encoding:",
					     "expect:" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t len = strlen(names[i]);
		if (n >= len && strncasecmp(h, names[i], len) == 0)
			return true;
	}
	return false;
}

/* Builds the wire form of the input in req. */
static void build(const char *in, size_t n, struct mm_buf *req)
{
	const char *p = in, *end = in + n, *nl;
	struct mm_buf body;
	bool host = false, first = true;

	mm_buf_init(&body, 4u << 20);
	while (p < end) {
		size_t len;

		nl = memchr(p, '\n', (size_t)(end - p));
		len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (len && p[len - 1] == '\r')
			len--;
		if (!first && len == 0) {
			p = nl ? nl + 1 : end;
			break;
		}
		if (first) {
			add_subst(req, p, len);
			mm_buf_adds(req, " HTTP/1.1\r\n");
			first = false;
		} else if (!dropped(p, len)) {
			host = host || (len >= 5 && strncasecmp(p, "host:", 5) == 0);
			add_subst(req, p, len);
			mm_buf_adds(req, "\r\n");
		}
		p = nl ? nl + 1 : end;
	}
	if (first)
		mm_buf_adds(req, "GET / HTTP/1.1\r\n");
	if (p < end)
		add_subst(&body, p, (size_t)(end - p));
	if (!host)
		mm_buf_adds(req, "Host: 127.0.0.1\r\n");
	mm_buf_printf(req, "Content-Length: %zu\r\nConnection: close\r\n\r\n", body.len);
	mm_buf_add(req, body.data, body.len);
	mm_buf_free(&body);
}

/* Sends req and reads the answer until the server closes; returns the
 * status, 0 for a connection closed without one. */
static int exchange(const struct mm_buf *req)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct timeval tv = { .tv_sec = 5 };
	char head[16] = "", chunk[65536];
	size_t got = 0, off = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0), status = 0;
	ssize_t r;

	FUZZ_CHECK(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	/* Close with a reset: hundreds of thousands of connections must not
	 * leave the loopback's ports in TIME_WAIT. */
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &(struct linger){ .l_onoff = 1, .l_linger = 0 },
		   sizeof(struct linger));
	/* libFuzzer's timer (SIGALRM) may interrupt any of these calls. */
	while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 && errno != EISCONN) {
		if (errno == EINTR || errno == EALREADY) {
			poll(&(struct pollfd){ .fd = fd, .events = POLLOUT }, 1, 1000);
			continue;
		}
		/* Say why: a server that stops accepting is a finding too. */
		fprintf(stderr, "connect to the server: %s\n", strerror(errno));
		FUZZ_CHECK(!"the server accepts the connection");
	}
	while (off < req->len) {
		r = send(fd, req->data + off, req->len - off, MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break; /* the server may refuse early and close */
		off += (size_t)r;
	}
	while ((r = recv(fd, chunk, sizeof(chunk), 0)) > 0 || (r < 0 && errno == EINTR)) {
		for (ssize_t i = 0; i < r && got < sizeof(head) - 1; i++)
			head[got++] = chunk[i];
	}
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		fprintf(stderr, "no answer within 5 s\n");
		FUZZ_CHECK(!"the server answered");
	}
	close(fd);
	if (got >= 12 && strncmp(head, "HTTP/1.", 7) == 0)
		status = (head[9] - '0') * 100 + (head[10] - '0') * 10 + (head[11] - '0');
	return status;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	start();
	return 0;
}

/* A known limit of libmicrohttpd 0.9.75, found here and left to it: query
 * parameters are stored in the connection's 32 KiB memory pool as the
 * request line is parsed, and when they exhaust it (about 500 of them in a
 * 2 KiB URL) the server answers nothing and drops the connection when its
 * idle timeout (30 s) ends. Such request lines are skipped so that the
 * fuzzer can look for other things; tests/fuzz/known/ keeps an example. */
static bool exhausts_pool(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t len = nl ? (size_t)(nl - data) : size, amps = 0;

	for (size_t i = 0; i < len; i++)
		amps += data[i] == '&';
	return len + 72 * amps > 24 * 1024;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mm_buf req;
	int status;

	if (!server)
		start();
	if (exhausts_pool(data, size))
		return 0;
	mm_buf_init(&req, 8u << 20);
	build((const char *)data, size, &req);
	FUZZ_CHECK(!req.err);
	status = exchange(&req);
	if (getenv("FUZZ_HTTP_VERBOSE")) /* to see what seeds reach */
		fprintf(stderr, "%d %.*s\n", status, (int)strcspn(req.data, "\r"), req.data);
	if (status == 500) {
		fprintf(stderr, "500 for:\n%.*s\n", (int)(req.len > 4096 ? 4096 : req.len),
			req.data);
		FUZZ_CHECK(status != 500);
	}
	mm_buf_free(&req);
	return 0;
}
