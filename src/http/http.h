/* The HTTP server on libmicrohttpd: connection limits, body caps, security
 * headers, and the translation between the wire and mm_req/mm_resp. */
#ifndef MM_HTTP_HTTP_H
#define MM_HTTP_HTTP_H

#include "web/web.h"

#include <stddef.h>
#include <stdint.h>

struct mm_http_config {
	const char *bind;	   /* IPv4 or IPv6 address to listen on */
	uint16_t port;		   /* 0: pick a free port (see mm_http_port) */
	unsigned threads;	   /* worker threads (≥ 2) */
	unsigned conn_limit;	   /* connections in all */
	unsigned per_ip_limit;	   /* connections from one address */
	unsigned timeout;	   /* idle connection timeout, seconds */
	size_t body_cap;	   /* largest request body, bytes */
	size_t body_budget;	   /* request bodies held at once, all requests together;
				    * 0: BODY_BUDGET_CAPS times body_cap */
	size_t resp_cap;	   /* largest response body, bytes */
	const char *tls_cert;	   /* PEM text of the certificate (chain); NULL: plain HTTP */
	const char *tls_key;	   /* PEM text of its private key */
	const char *trusted_proxy; /* address whose X-Forwarded-Proto is believed, or NULL */
	int listen_fd;		   /* socket from mm_http_listen, or -1: bind in mm_http_start */
};

struct mm_http;

/* Fills c with the defaults. */
void mm_http_defaults(struct mm_http_config *c);

/* Binds and listens on c's address and port without serving, so that the
 * caller can drop privileges between the two (a port below 1024 needs root,
 * requests do not). Sets c->listen_fd, which mm_http_start then uses and
 * mm_http_stop closes. On failure returns an error and a reason in why. */
int mm_http_listen(struct mm_http_config *c, char *why, size_t whylen);

/* Starts serving w in background threads. On failure returns an error and a
 * reason in why. */
int mm_http_start(const struct mm_http_config *c, struct mm_web *w, struct mm_http **out, char *why,
		  size_t whylen);

/* The port actually bound. */
uint16_t mm_http_port(const struct mm_http *h);

/* Stops accepting, waits for requests in flight and frees h; NULL is fine. */
void mm_http_stop(struct mm_http *h);

#endif
