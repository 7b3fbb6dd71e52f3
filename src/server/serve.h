/* The long-running server: open the database, listen, leave root and enter
 * the sandbox (sandbox.h), serve until told to stop. */
#ifndef MM_SERVER_SERVE_H
#define MM_SERVER_SERVE_H

#include "http/http.h"

#include <stdbool.h>

struct mm_serve_opts {
	const char *db_url;
	struct mm_http_config http;
	size_t pool_size;
	enum mm_lang lang;
	size_t cache_mb;  /* rendered-list cache; 0: none */
	const char *user; /* service user to switch to when started as root */
	bool allow_root;  /* serve as root when started as root with no user */
	bool seccomp;	  /* install the system call filter (default on) */
};

/* Serves until SIGINT or SIGTERM; prints its address and problems to stderr.
 * Returns 0 on a clean stop. */
int mm_serve(const struct mm_serve_opts *o);

#endif
