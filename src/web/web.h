/* The web layer: requests and responses independent of the HTTP library, the
 * router, and the handlers behind it. The http layer fills an mm_req from the
 * wire, calls mm_web_handle, and sends the mm_resp back. */
#ifndef MM_WEB_WEB_H
#define MM_WEB_WEB_H

#include "core/arena.h"
#include "core/buf.h"
#include "domain/register.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mm_param {
	const char *name;
	const char *value;
	size_t len;
};

struct mm_req {
	const char *method;
	const char *path;
	struct mm_param *query;
	size_t nquery;
	const char *body;
	size_t body_len;
	bool body_too_big; /* the body passed the cap and was discarded */
	const char *content_type;
	const char *if_match;
	const char *cookie;
	const char *accept_language;
	const char *authorization; /* "Bearer …" for API tokens */
	const char *csrf_header;   /* X-CSRF-Token */
	const char *origin;
	const char *sec_fetch_site;
	const char *host;
	bool https; /* native TLS, or a trusted proxy said so */
	const char *remote;
	const char *request_id;
	struct mm_arena *a;
	/* Filled by the router and the handlers: */
	enum mm_lang lang;
	const struct mm_register *reg;
	int64_t id;
	int64_t sub_id;			/* a second id in the path: {gid} */
	const char *sub_name;		/* a name in the path: {name} */
	const struct mm_principal *who; /* signed-in principal, or NULL */
	const struct mm_web *web;	/* the server's settings, for the layout */
	const char *session;		/* the session token from the cookie */
	const char *csrf;		/* the session's CSRF token */
	struct mm_param *form;		/* parsed body: multipart by the http layer,
					 * urlencoded by the handler */
	size_t nform;
	bool form_bad; /* a multipart body that could not be decoded */
};

enum { MM_RESP_MAX_HEADERS = 8 };

struct mm_header {
	const char *name;
	const char *value;
};

struct mm_resp {
	int status;
	const char *content_type;
	struct mm_buf body;
	struct mm_header headers[MM_RESP_MAX_HEADERS];
	size_t nheaders;
};

/* What every handler shares: the store and settings read at start-up. */
struct mm_cache;
struct mm_auth_cache;
struct mm_clock_watch;

struct mm_web {
	struct mm_store *store;
	struct mm_cache *cache;		  /* rendered lists; may be NULL */
	struct mm_auth_cache *auth_cache; /* principals by credential; may be NULL */
	size_t page_max;		  /* largest page a list may ask for */
	size_t import_cap;		  /* largest CSV accepted for import, bytes */
	enum mm_lang default_lang;	  /* when neither cookie nor browser says */
	struct mm_clock_watch *clock;	  /* the clock check (7.7); NULL: kernel only */
};

/* Serves one request: routes it, runs the handler and fills rs (whose body
 * buffer the caller initialised). Always produces a response. */
void mm_web_handle(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);

/* Adds a response header; the strings must live as long as rs (arena). */
void mm_resp_header(struct mm_resp *rs, const char *name, const char *value);

/* The value of a query (or form) parameter, or NULL. */
const char *mm_param_get(const struct mm_param *p, size_t n, const char *name);

/* Parses application/x-www-form-urlencoded text into params in the arena.
 * Returns MM_EINVAL on bad percent-encoding or invalid UTF-8. */
int mm_form_parse(struct mm_arena *a, const char *s, size_t len, struct mm_param **out, size_t *n);

#endif
