#include "server/serve.h"

#include "core/clock.h"
#include "core/err.h"
#include "domain/authcache.h"
#include "domain/register.h"
#include "web/cache.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

/* Principals remembered by credential: one slot per concurrent user is
 * plenty; a collision only costs a full check. */
enum { AUTH_CACHE_SLOTS = 1024 };

int mm_serve(const struct mm_serve_opts *o)
{
	struct mm_store *st = NULL;
	struct mm_http *h = NULL;
	struct mm_web w = { 0 };
	char why[256] = "";
	sigset_t set;
	int rc, sig;

	/* Block the stop signals in every thread; this one waits for them. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	rc = mm_store_open(o->db_url, o->pool_size, &st, why, sizeof(why));
	if (rc) {
		fprintf(stderr, "mamori: cannot open database %s: %s\n", o->db_url,
			why[0] ? why : mm_strerror(rc));
		return 1;
	}
	rc = mm_registers_migrate(st);
	if (rc) {
		fprintf(stderr, "mamori: database schema update failed: %s\n", mm_strerror(rc));
		mm_store_close(st);
		return 1;
	}
	w.store = st;
	w.cache = o->cache_mb ? mm_cache_new(o->cache_mb << 20) : NULL;
	w.auth_cache = o->cache_mb ? mm_auth_cache_new(AUTH_CACHE_SLOTS) : NULL;
	w.page_max = 1000;
	w.import_cap = o->http.body_cap;
	w.default_lang = o->lang;
	if (mm_clock_watch_start(&mm_clock_settings, &w.clock) != MM_OK)
		fprintf(stderr, "mamori: cannot start the clock check; the kernel's state only\n");
	rc = mm_http_start(&o->http, &w, &h, why, sizeof(why));
	if (rc) {
		fprintf(stderr, "mamori: %s\n", why[0] ? why : mm_strerror(rc));
		mm_clock_watch_stop(w.clock);
		mm_cache_free(w.cache);
		mm_auth_cache_free(w.auth_cache);
		mm_store_close(st);
		return 1;
	}
	fprintf(stderr, "mamori: serving %s://%s%s%s:%u/\n", o->http.tls_cert ? "https" : "http",
		strchr(o->http.bind, ':') ? "[" : "", o->http.bind,
		strchr(o->http.bind, ':') ? "]" : "", (unsigned)mm_http_port(h));
	sigwait(&set, &sig);
	fprintf(stderr, "mamori: stopping (%s)\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
	mm_http_stop(h);
	mm_clock_watch_stop(w.clock);
	mm_cache_free(w.cache);
	mm_auth_cache_free(w.auth_cache);
	mm_store_close(st);
	return 0;
}
