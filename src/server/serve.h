/* The long-running server: open the database, listen, serve until told to
 * stop. Privilege drop and the sandbox will live here too. */
#ifndef MM_SERVER_SERVE_H
#define MM_SERVER_SERVE_H

#include "http/http.h"

struct mm_serve_opts {
	const char *db_url;
	struct mm_http_config http;
	size_t pool_size;
	enum mm_lang lang;
	size_t cache_mb; /* rendered-list cache; 0: none */
};

/* Serves until SIGINT or SIGTERM; prints its address and problems to stderr.
 * Returns 0 on a clean stop. */
int mm_serve(const struct mm_serve_opts *o);

#endif
