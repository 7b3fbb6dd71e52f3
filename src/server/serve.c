#include "server/serve.h"

#include "core/clock.h"
#include "core/err.h"
#include "domain/audit_record.h"
#include "domain/auth.h"
#include "domain/authcache.h"
#include "domain/inspect.h"
#include "domain/registers.h"
#include "domain/register.h"
#include "domain/risk.h"
#include "server/sandbox.h"
#include "web/cache.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Principals remembered by credential: one slot per concurrent user is
 * plenty; a collision only costs a full check. */
enum { AUTH_CACHE_SLOTS = 1024, TRIM_EVERY_S = 30 };

/* The effective settings as text, one "name=value" a line in a fixed
 * order, for the digest recorded at start-up. Paths of the TLS files are
 * not read here: their contents are secret; that TLS is on is enough. */
static void settings_text(const struct mm_serve_opts *o, struct mm_buf *b)
{
	const struct mm_http_config *h = &o->http;
	const struct mm_auth_settings *a = &mm_auth_settings;
	const struct mm_inspect_settings *i = &mm_inspect_settings;

	mm_buf_printf(b, "database=%s\nlisten=%s\nport=%u\nthreads=%u\n", o->db_url, h->bind,
		      (unsigned)h->port, h->threads);
	mm_buf_printf(b, "max_connections=%u\nmax_connections_per_ip=%u\ntimeout=%u\n",
		      h->conn_limit, h->per_ip_limit, h->timeout);
	mm_buf_printf(b, "body_cap=%zu\ntls=%s\ntrusted_proxy=%s\nlang=%s\ncache_mb=%zu\n",
		      h->body_cap, h->tls_cert ? "yes" : "no",
		      h->trusted_proxy ? h->trusted_proxy : "", o->lang == MM_EN ? "en" : "ja",
		      o->cache_mb);
	mm_buf_printf(b, "value_method=%d\nidle_timeout=%lld\nabsolute_timeout=%lld\n",
		      (int)mm_asset_value_method, (long long)a->idle_timeout,
		      (long long)a->absolute_timeout);
	mm_buf_printf(b, "max_failures=%d\nip_limit=%d\nrequire_totp_for_privileged=%d\n",
		      a->max_failures, a->ip_limit, a->require_totp_for_privileged);
	mm_buf_printf(b, "inspection_interval_days=%d\nwork_hours=%d-%d\n", i->interval_days,
		      i->work_start, i->work_end);
	mm_buf_printf(b, "user=%s\nallow_root=%d\nseccomp=%s\n", o->user ? o->user : "",
		      o->allow_root, o->seccomp ? "on" : "off");
}

/* Brings stored risk values in line with the [risk] and [assets] settings
 * in force (domain/risk.h), before serving anything that shows them. */
static int risk_sync(struct mm_store *st)
{
	struct mm_ctx ctx = { .actor = "server" };
	struct mm_arena a;
	size_t n = 0;
	int rc;

	ctx.conn = mm_store_acquire(st);
	if (!ctx.conn)
		return MM_EDB;
	mm_arena_init(&a, 0);
	ctx.a = &a;
	rc = mm_risk_settings_sync(&ctx, &n);
	if (!rc && n)
		fprintf(stderr, "mamori: risk settings changed: %zu risks recomputed\n", n);
	mm_arena_free(&a);
	mm_store_release(st, ctx.conn);
	return rc;
}

/* Records a server event (start with the digest of the settings, stop).
 * A server that cannot record its own start does not serve. */
static int audit_server(struct mm_store *st, const struct mm_serve_opts *o, bool start)
{
	struct mm_ctx ctx = { .actor = "server" };
	struct mm_buf b;
	int rc;

	ctx.conn = mm_store_acquire(st);
	if (!ctx.conn)
		return MM_EDB;
	mm_buf_init(&b, 1 << 16);
	if (start) {
		settings_text(o, &b);
		rc = b.err ? MM_ENOMEM : mm_audit_server(&ctx, "config_load", b.data);
		if (!rc)
			rc = mm_audit_server(&ctx, "server_start", NULL);
	} else {
		rc = mm_audit_server(&ctx, "server_stop", NULL);
	}
	mm_buf_free(&b);
	mm_store_release(st, ctx.conn);
	return rc;
}

/* Waits for a signal of set and returns it. Meanwhile, every second, lets
 * the idle database connections go of their read snapshots (store.h); and
 * every TRIM_EVERY_S seconds gives the memory that requests have freed back
 * to the system: glibc keeps it in its per-thread arenas, and under a
 * sustained load the resident size crept up by megabytes a minute while the
 * memory in use stayed flat (bench/README.md, "Sustained load"). */
static int wait_stop(const sigset_t *set, struct mm_store *st)
{
	const struct timespec second = { .tv_sec = 1 };
	unsigned ticks = 0;
	int sig;

	while ((sig = sigtimedwait(set, NULL, &second)) < 0) {
		if (errno != EAGAIN)
			continue;
		mm_store_rest(st);
		if (++ticks % TRIM_EVERY_S == 0)
			malloc_trim(0);
	}
	return sig;
}

/* Opens the database and brings it up to date (schema, risk values), and
 * records the start. Returns the store, or NULL after saying why. */
static struct mm_store *open_store(const struct mm_serve_opts *o)
{
	struct mm_store *st = NULL;
	char why[256] = "";
	int rc;

	rc = mm_store_open(o->db_url, o->pool_size, &st, why, sizeof(why));
	if (rc) {
		fprintf(stderr, "mamori: cannot open database %s: %s\n", o->db_url,
			why[0] ? why : mm_strerror(rc));
		return NULL;
	}
	rc = mm_registers_migrate(st);
	if (rc) {
		fprintf(stderr, "mamori: database schema update failed: %s\n", mm_strerror(rc));
		goto fail;
	}
	rc = risk_sync(st);
	if (rc) {
		fprintf(stderr, "mamori: cannot recompute the risks: %s\n", mm_strerror(rc));
		goto fail;
	}
	rc = audit_server(st, o, true);
	if (rc) {
		fprintf(stderr, "mamori: cannot write the audit log: %s\n", mm_strerror(rc));
		goto fail;
	}
	/* The updates above may have read the whole file through the
	 * connection's map of it (store/sqlite.c): requests start afresh. */
	mm_store_close_idle(st);
	return st;
fail:
	mm_store_close(st);
	return NULL;
}

/* The SQLite file of a database URL (the forms store.c accepts), or NULL
 * for a database reached over the network. */
static const char *db_file(const char *url)
{
	if (strncmp(url, "sqlite://", 9) == 0)
		return url + 9;
	if (strncmp(url, "sqlite:", 7) == 0)
		return url + 7;
	return strstr(url, "://") ? NULL : url;
}

/* Leaves root for the service user and enters the sandbox; the database
 * and the listening socket are open already. Returns 0, or 1 after saying
 * why. */
static int leave_root(const struct mm_serve_opts *o)
{
	struct mm_sandbox_user u = { o->user, o->allow_root, db_file(o->db_url) };
	bool en = o->lang == MM_EN;
	char why[512];

	switch (mm_sandbox_drop(&u, why, sizeof(why))) {
	case MM_SANDBOX_DROPPED:
	case MM_SANDBOX_AS_IS:
		break;
	case MM_SANDBOX_AS_ROOT:
		fprintf(stderr, en ? "mamori: warning: serving as root (--allow-root)\n"
				   : "mamori: 警告: root のまま動作します (--allow-root)\n");
		break;
	case MM_SANDBOX_REFUSED:
		fprintf(stderr,
			en ? "mamori: refusing to serve as root: name a service user with "
			     "[server] user or --user (or --allow-root)\n"
			   : "mamori: root では動作しません。[server] user か --user でサービス用の"
			     "利用者を指定してください（root のまま動かすには --allow-root）\n");
		return 1;
	case MM_SANDBOX_FAILED:
		fprintf(stderr, "mamori: %s\n", why);
		return 1;
	}
	if (mm_sandbox_enter(o->seccomp, why, sizeof(why)) != 0) {
		fprintf(stderr, "mamori: %s\n", why);
		return 1;
	}
	return 0;
}

int mm_serve(const struct mm_serve_opts *o)
{
	struct mm_store *st;
	struct mm_http *h = NULL;
	struct mm_http_config hc = o->http;
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

	st = open_store(o);
	if (!st)
		return 1;
	/* Bind as root (a port below 1024), serve as the user: nothing is
	 * served before the sandbox is in place. */
	rc = mm_http_listen(&hc, why, sizeof(why));
	if (rc) {
		fprintf(stderr, "mamori: %s\n", why);
		mm_store_close(st);
		return 1;
	}
	if (leave_root(o)) {
		close(hc.listen_fd);
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
	rc = mm_http_start(&hc, &w, &h, why, sizeof(why));
	if (rc) {
		/* (MHD owns the listening socket now; the process ends.) */
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
	sig = wait_stop(&set, st);
	fprintf(stderr, "mamori: stopping (%s)\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
	mm_http_stop(h);
	mm_clock_watch_stop(w.clock);
	if (audit_server(st, o, false))
		fprintf(stderr, "mamori: cannot record the stop in the audit log\n");
	mm_cache_free(w.cache);
	mm_auth_cache_free(w.auth_cache);
	mm_store_close(st);
	return 0;
}
