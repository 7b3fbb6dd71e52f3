/* libmicrohttpd glue. Each request gets an arena and a capped body buffer;
 * the web layer fills the response; every response carries the security
 * headers. A thread pool serves connections (a single epoll thread stalls at
 * a few hundred connections in libmicrohttpd 0.9.75). */
#include "http/http.h"

#include "core/err.h"
#include "core/slice.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

struct mm_http {
	struct MHD_Daemon *d;
	struct mm_web *w;
	struct mm_http_config c;
	atomic_uint_fast64_t next_id;
	/* Bytes of request body buffers held now. Bodies are read before the
	 * request is authenticated, so without a budget anyone could make
	 * the server hold body_cap bytes on every connection. */
	atomic_size_t body_bytes;
};

/* Per-request state, kept between libmicrohttpd's calls for one request. */
struct exchange {
	struct mm_buf body;
	size_t counted; /* bytes of this body's buffer in h->body_bytes */
	bool too_big;
};

enum { ARENA_CAP = 512u << 20, MAX_QUERY = 256, MAX_PARTS = 32, BODY_BUDGET_CAPS = 4 };

void mm_http_defaults(struct mm_http_config *c)
{
	c->bind = "127.0.0.1";
	c->port = 8080;
	c->threads = 4;
	c->conn_limit = 1024;
	c->per_ip_limit = 256;
	c->timeout = 30;
	c->body_cap = 32u << 20;
	c->body_budget = 0;
	c->resp_cap = 256u << 20;
	c->listen_fd = -1;
}

struct query_walk {
	struct mm_req *rq;
	size_t cap;
	bool bad;
};

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	struct query_walk *qw = cls;
	struct mm_req *rq = qw->rq;
	struct mm_param *p;

	(void)kind;
	if (rq->nquery == qw->cap) {
		qw->bad = true;
		return MHD_NO;
	}
	value = value ? value : "";
	if (!mm_utf8_valid(key, strlen(key)) || !mm_utf8_valid(value, strlen(value))) {
		qw->bad = true;
		return MHD_NO;
	}
	p = &rq->query[rq->nquery++];
	p->name = key;
	p->value = value;
	p->len = strlen(value);
	return MHD_YES;
}

/* Collects the parts of a multipart/form-data body (file uploads) as form
 * parameters; libmicrohttpd's post processor does the decoding. */
struct parts {
	struct mm_arena *a;
	size_t cap;
	struct mm_buf val[MAX_PARTS];
	const char *name[MAX_PARTS];
	size_t n;
	bool bad;
};

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *filename, const char *content_type,
			       const char *transfer_encoding, const char *data, uint64_t off,
			       size_t size)
{
	struct parts *p = cls;

	(void)kind, (void)filename, (void)content_type, (void)transfer_encoding;
	if (!key || p->bad)
		return MHD_NO;
	if (p->n == 0 || off == 0 || strcmp(p->name[p->n - 1], key) != 0) {
		if (p->n == MAX_PARTS) {
			p->bad = true;
			return MHD_NO;
		}
		p->name[p->n] = mm_arena_strdup(p->a, key);
		mm_buf_init(&p->val[p->n], p->cap);
		p->n++;
	}
	mm_buf_add(&p->val[p->n - 1], data, size);
	if (!p->name[p->n - 1] || p->val[p->n - 1].err) {
		p->bad = true;
		return MHD_NO;
	}
	return MHD_YES;
}

/* Decodes a multipart body into rq->form. Returns false when the body is not
 * valid multipart. */
static bool parse_parts(struct MHD_Connection *conn, struct mm_req *rq, size_t cap)
{
	struct parts p = { .a = rq->a, .cap = cap };
	struct MHD_PostProcessor *pp = MHD_create_post_processor(conn, 65536, on_part, &p);
	bool ok = pp != NULL;

	if (pp) {
		ok = MHD_post_process(pp, rq->body, rq->body_len) == MHD_YES && !p.bad;
		ok = MHD_destroy_post_processor(pp) == MHD_YES && ok;
	}
	rq->form = ok ? mm_arena_alloc(rq->a, sizeof(*rq->form) * (p.n + 1)) : NULL;
	for (size_t i = 0; i < p.n; i++) {
		if (rq->form) {
			rq->form[i].name = p.name[i];
			rq->form[i].len = p.val[i].len;
			rq->form[i].value = mm_arena_strndup(rq->a, p.val[i].data, p.val[i].len);
			ok = ok && rq->form[i].value;
		}
		mm_buf_free(&p.val[i]);
	}
	rq->nform = ok ? p.n : 0;
	if (!ok)
		rq->form = NULL;
	return ok;
}

static bool is_multipart(const char *ct)
{
	return ct && strncasecmp(ct, "multipart/form-data", 19) == 0;
}

/* Writes n in lower-case hex into out (at least 17 bytes). snprintf took
 * 1 % of a GET's CPU for this. */
static void hex_id(char *out, unsigned long long n)
{
	char tmp[16];
	size_t k = 0;

	do {
		tmp[k++] = "0123456789abcdef"[n & 15];
		n >>= 4;
	} while (n);
	for (size_t i = 0; i < k; i++)
		out[i] = tmp[k - 1 - i];
	out[k] = '\0';
}

/* The client's address as text in buf, which lives as long as the request. */
static const char *client_ip(struct MHD_Connection *conn, char buf[INET6_ADDRSTRLEN])
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	buf[0] = '\0';
	if (!ci || !ci->client_addr)
		return "-";
	if (ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, buf,
			  INET6_ADDRSTRLEN);
	else if (ci->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, buf,
			  INET6_ADDRSTRLEN);
	return buf;
}

/* Headers every response carries. Responses are not cached unless the
 * handler said otherwise (static files). */
static void add_security_headers(struct MHD_Response *r, const struct mm_resp *rs, bool https)
{
	bool cache_set = false;

	for (size_t i = 0; i < rs->nheaders; i++)
		cache_set = cache_set || strcasecmp(rs->headers[i].name, "Cache-Control") == 0;
	MHD_add_response_header(r, "Content-Security-Policy",
				"default-src 'self'; object-src 'none'; base-uri 'none'; "
				"frame-ancestors 'none'; form-action 'self'");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "same-origin");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	if (!cache_set)
		MHD_add_response_header(r, "Cache-Control", "no-store");
	if (https)
		MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
}

static enum MHD_Result respond(struct MHD_Connection *conn, struct mm_req *rq, struct mm_resp *rs)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	size_t len = 0;
	char *body = mm_buf_detach(&rs->body, &len);

	if (!body) {
		static const char fail[] = "{\"error\":{\"code\":\"too_big\"}}";
		rs->status = 500;
		rs->content_type = "application/json; charset=utf-8";
		r = MHD_create_response_from_buffer(sizeof(fail) - 1, (void *)fail,
						    MHD_RESPMEM_PERSISTENT);
	} else {
		r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	}
	if (!r) {
		free(body);
		return MHD_NO;
	}
	add_security_headers(r, rs, rq->https);
	if (rs->content_type)
		MHD_add_response_header(r, "Content-Type", rs->content_type);
	MHD_add_response_header(r, "X-Request-Id", rq->request_id);
	for (size_t i = 0; i < rs->nheaders; i++)
		MHD_add_response_header(r, rs->headers[i].name, rs->headers[i].value);
	ret = MHD_queue_response(conn, (unsigned)rs->status, r);
	MHD_destroy_response(r);
	return ret;
}

/* Gives back what ex counted in the budget of bodies held. */
static void release_body(struct mm_http *h, struct exchange *ex)
{
	atomic_fetch_sub(&h->body_bytes, ex->counted);
	ex->counted = 0;
}

/* Appends n bytes to the body of ex, within its cap and the budget of all
 * bodies held; past either, the body is dropped and marked too big (413).
 * What counts is the memory the bodies take (a buffer grows by doubling),
 * so that the budget bounds the server's size. */
static void take_body(struct mm_http *h, struct exchange *ex, const char *data, size_t n)
{
	size_t before = ex->body.alloc, grew, held;

	mm_buf_add(&ex->body, data, n);
	grew = ex->body.alloc > before ? ex->body.alloc - before : 0;
	held = atomic_fetch_add(&h->body_bytes, grew) + grew;
	ex->counted += grew;
	if (held > h->c.body_budget || ex->body.err) {
		ex->too_big = true;
		mm_buf_free(&ex->body);
		release_body(h, ex);
	}
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_size, void **state)
{
	struct mm_http *h = cls;
	struct exchange *ex = *state;
	struct query_walk qw;
	struct mm_arena a;
	struct mm_req rq;
	struct mm_resp rs;
	char rid[24], remote[INET6_ADDRSTRLEN];
	enum MHD_Result ret;
	int nargs;

	(void)version;
	if (!ex) {
		ex = calloc(1, sizeof(*ex));
		if (!ex)
			return MHD_NO;
		mm_buf_init(&ex->body, h->c.body_cap);
		*state = ex;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!ex->too_big)
			take_body(h, ex, upload_data, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}

	mm_arena_init(&a, ARENA_CAP);
	memset(&rq, 0, sizeof(rq));
	memset(&rs, 0, sizeof(rs));
	mm_buf_init(&rs.body, h->c.resp_cap);
	/* One record's answer fits, in a block the thread's malloc cache
	 * keeps (up to about 1 KiB); pages grow from it. */
	mm_buf_reserve(&rs.body, 1000);
	hex_id(rid, (unsigned long long)atomic_fetch_add(&h->next_id, 1));
	rq.method = method;
	rq.path = url;
	rq.a = &a;
	rq.request_id = rid;
	rq.body = ex->body.data;
	rq.body_len = ex->body.len;
	rq.body_too_big = ex->too_big;
	rq.content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
	rq.if_match = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-Match");
	rq.cookie = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Cookie");
	rq.accept_language = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept-Language");
	rq.authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
	rq.origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
	rq.csrf_header = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-CSRF-Token");
	rq.sec_fetch_site = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Sec-Fetch-Site");
	rq.host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
	rq.remote = client_ip(conn, remote);
	rq.https = h->c.tls_cert != NULL;
	if (!rq.https && h->c.trusted_proxy && strcmp(rq.remote, h->c.trusted_proxy) == 0) {
		const char *proto =
			MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-Proto");
		rq.https = proto && strcasecmp(proto, "https") == 0;
	}
	nargs = MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, NULL, NULL);
	nargs = nargs < 0 ? 0 : nargs > MAX_QUERY ? MAX_QUERY + 1 : nargs;
	rq.query = nargs ? mm_arena_alloc(&a, sizeof(*rq.query) * (size_t)nargs) : NULL;
	qw = (struct query_walk){ &rq, rq.query ? (size_t)nargs : 0, nargs > MAX_QUERY };
	if (nargs)
		MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, &qw);
	if (!qw.bad && !ex->too_big && is_multipart(rq.content_type) &&
	    !parse_parts(conn, &rq, h->c.body_cap))
		rq.form_bad = true;
	if (qw.bad || !mm_utf8_valid(url, strlen(url))) {
		rs.status = 400;
		rs.content_type = "application/json; charset=utf-8";
		mm_buf_adds(&rs.body, "{\"error\":{\"code\":\"bad_query\",\"message\":"
				      "\"URL が正しくありません。/ The URL is malformed.\"}}");
	} else {
		mm_web_handle(h->w, &rq, &rs);
	}
	ret = respond(conn, &rq, &rs);
	mm_buf_free(&rs.body);
	mm_arena_free(&a);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **state,
			 enum MHD_RequestTerminationCode code)
{
	struct exchange *ex = *state;

	(void)conn, (void)code;
	if (ex) {
		release_body(cls, ex);
		mm_buf_free(&ex->body);
		free(ex);
		*state = NULL;
	}
}

/* The socket address of c->bind and c->port; false when bind is not an
 * IPv4 or IPv6 address. */
static bool bind_addr(const struct mm_http_config *c, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, c->bind, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(c->port);
		*len = sizeof(*v4);
		return true;
	}
	if (inet_pton(AF_INET6, c->bind, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(c->port);
		*len = sizeof(*v6);
		return true;
	}
	return false;
}

int mm_http_listen(struct mm_http_config *c, char *why, size_t whylen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, on = 1;

	if (!bind_addr(c, &ss, &len)) {
		snprintf(why, whylen, "bad listen address: %s", c->bind);
		return MM_EINVAL;
	}
	/* Non-blocking: the threads of the pool all accept on it. */
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
	    (ss.ss_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) != 0) ||
	    bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, SOMAXCONN) != 0)
		goto fail;
	c->listen_fd = fd;
	return MM_OK;
fail:
	snprintf(why, whylen, "cannot listen on %s port %u: %s", c->bind, (unsigned)c->port,
		 strerror(errno));
	if (fd >= 0)
		close(fd);
	return MM_EIO;
}

int mm_http_start(const struct mm_http_config *c, struct mm_web *w, struct mm_http **out, char *why,
		  size_t whylen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct mm_http *h;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL_LINUX_ONLY;

	if (!bind_addr(c, &ss, &len)) {
		snprintf(why, whylen, "bad listen address: %s", c->bind);
		return MM_EINVAL;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h = calloc(1, sizeof(*h));
	if (!h)
		return MM_ENOMEM;
	h->w = w;
	h->c = *c;
	if (!h->c.body_budget)
		h->c.body_budget = BODY_BUDGET_CAPS * c->body_cap;
	atomic_init(&h->next_id, 1);
	atomic_init(&h->body_bytes, 0);
	{
		/* TLS 1.2 and 1.3 only, when a certificate is configured. */
		struct MHD_OptionItem o[] = {
			/* A socket bound already (mm_http_listen), else the address. */
			{ c->listen_fd >= 0 ? MHD_OPTION_LISTEN_SOCKET : MHD_OPTION_SOCK_ADDR,
			  c->listen_fd, c->listen_fd >= 0 ? NULL : &ss },
			{ MHD_OPTION_THREAD_POOL_SIZE, c->threads < 2 ? 2 : c->threads, NULL },
			{ MHD_OPTION_CONNECTION_LIMIT, c->conn_limit, NULL },
			{ MHD_OPTION_PER_IP_CONNECTION_LIMIT, c->per_ip_limit, NULL },
			{ MHD_OPTION_CONNECTION_TIMEOUT, c->timeout, NULL },
			{ MHD_OPTION_CONNECTION_MEMORY_LIMIT, 32 * 1024, NULL },
			{ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, h },
			{ MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)c->tls_cert },
			{ MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)c->tls_key },
			{ MHD_OPTION_HTTPS_PRIORITIES, 0,
			  "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:%SERVER_PRECEDENCE" },
			{ MHD_OPTION_END, 0, NULL },
		};
		if (c->tls_cert)
			flags |= MHD_USE_TLS;
		else
			o[7].option = MHD_OPTION_END;
		h->d = MHD_start_daemon(flags, c->port, NULL, NULL, on_request, h, MHD_OPTION_ARRAY,
					o, MHD_OPTION_END);
	}
	if (!h->d) {
		snprintf(why, whylen, "cannot listen on %s port %u%s", c->bind, (unsigned)c->port,
			 c->tls_cert ? " (or the TLS certificate and key do not load)" : "");
		free(h);
		return MM_EIO;
	}
	*out = h;
	return MM_OK;
}

uint16_t mm_http_port(const struct mm_http *h)
{
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);

	return di ? di->port : h->c.port;
}

void mm_http_stop(struct mm_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->d);
	free(h);
}
