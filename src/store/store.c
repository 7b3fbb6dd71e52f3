/* The store front: picks a backend from the database URL, keeps a pool of
 * connections, and passes every operation to the backend of the connection. */
#include "store/store.h"

#include "core/err.h"
#include "store/backend.h"
#include "store/grants.h"
#include "store/identity.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mm_store {
	const struct mm_backend *be;
	char *target;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t size;  /* most connections the pool may open */
	size_t nopen; /* connections open or being opened */
	struct mm_conn **all;
	struct mm_conn *free;
};

/* Marks a pool slot whose connection is being opened. */
static struct mm_conn reserved;

static void set_why(char *why, size_t whylen, const char *msg)
{
	if (why && whylen)
		snprintf(why, whylen, "%s", msg);
}

/* The PostgreSQL backend (pg.c). */
extern const struct mm_backend mm_pg_backend;

static bool has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* Splits url into a backend and the target handed to it. */
static int parse_url(const char *url, const struct mm_backend **be, const char **target, char *why,
		     size_t whylen)
{
	if (has_prefix(url, "postgresql://") || has_prefix(url, "postgres://")) {
		/* libpq reads the whole URL: host, port, database, options. */
		*target = url;
		*be = &mm_pg_backend;
		return MM_OK;
	}
	if (has_prefix(url, "sqlite://"))
		*target = url + strlen("sqlite://");
	else if (has_prefix(url, "sqlite:"))
		*target = url + strlen("sqlite:");
	else if (strstr(url, "://")) {
		set_why(why, whylen, "unknown database URL scheme");
		return MM_EINVAL;
	} else
		*target = url;
	if (**target == '\0') {
		set_why(why, whylen, "database path is empty");
		return MM_EINVAL;
	}
	*be = &mm_sqlite_backend;
	return MM_OK;
}

/* Allocates an empty pool; NULL when out of memory. */
static struct mm_store *store_new(const struct mm_backend *be, const char *target, size_t size)
{
	struct mm_store *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->be = be;
	st->size = size;
	st->target = strdup(target);
	st->all = calloc(size, sizeof(*st->all));
	if (!st->target || !st->all)
		goto fail;
	if (pthread_mutex_init(&st->mu, NULL))
		goto fail;
	if (pthread_cond_init(&st->cv, NULL)) {
		pthread_mutex_destroy(&st->mu);
		goto fail;
	}
	return st;
fail:
	free(st->all);
	free(st->target);
	free(st);
	return NULL;
}

int mm_store_open(const char *url, size_t pool_size, struct mm_store **out, char *why,
		  size_t whylen)
{
	struct mm_store *st = NULL;
	const struct mm_backend *be = NULL;
	const char *target = NULL;
	struct mm_conn *c = NULL;
	int rc;

	*out = NULL;
	set_why(why, whylen, "");
	if (!url || pool_size == 0) {
		set_why(why, whylen, "no database URL or an empty pool");
		return MM_EINVAL;
	}
	rc = parse_url(url, &be, &target, why, whylen);
	if (rc)
		goto out;
	st = store_new(be, target, pool_size);
	if (!st) {
		rc = MM_ENOMEM;
		set_why(why, whylen, mm_strerror(rc));
		goto out;
	}
	/* Open one connection now so a bad path fails here, not later. */
	rc = be->open(st->target, &c, why, whylen);
	if (rc)
		goto out;
	st->all[0] = c;
	st->nopen = 1;
	st->free = c;
	*out = st;
	st = NULL;
out:
	mm_store_close(st);
	return rc;
}

void mm_store_close(struct mm_store *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->size; i++)
		if (st->all[i] && st->all[i] != &reserved)
			st->be->close(st->all[i]);
	pthread_cond_destroy(&st->cv);
	pthread_mutex_destroy(&st->mu);
	free(st->all);
	free(st->target);
	free(st);
}

struct mm_conn *mm_store_acquire(struct mm_store *st)
{
	struct mm_conn *c = NULL;
	size_t slot;
	char why[MM_CONN_ERRLEN];

	pthread_mutex_lock(&st->mu);
	while (!st->free && st->nopen == st->size)
		pthread_cond_wait(&st->cv, &st->mu);
	if (st->free) {
		c = st->free;
		st->free = c->next_free;
		c->next_free = NULL;
		pthread_mutex_unlock(&st->mu);
		return c;
	}
	/* Reserve a slot, then open outside the lock. */
	for (slot = 0; st->all[slot]; slot++)
		;
	st->all[slot] = &reserved;
	st->nopen++;
	pthread_mutex_unlock(&st->mu);

	if (st->be->open(st->target, &c, why, sizeof(why)))
		c = NULL;

	pthread_mutex_lock(&st->mu);
	st->all[slot] = c;
	if (!c) {
		st->nopen--;
		pthread_cond_signal(&st->cv);
	}
	pthread_mutex_unlock(&st->mu);
	return c;
}

void mm_store_release(struct mm_store *st, struct mm_conn *c)
{
	if (!c)
		return;
	/* A transaction left open by a failed caller must not leak into the
	 * next user of this connection. */
	c->be->tx_rollback(c);
	c->errmsg[0] = '\0';
	pthread_mutex_lock(&st->mu);
	c->next_free = st->free;
	st->free = c;
	pthread_cond_signal(&st->cv);
	pthread_mutex_unlock(&st->mu);
}

void mm_store_rest(struct mm_store *st)
{
	pthread_mutex_lock(&st->mu);
	for (struct mm_conn *c = st->free; c; c = c->next_free)
		if (c->be->rest)
			c->be->rest(c);
	pthread_mutex_unlock(&st->mu);
}

void mm_store_close_idle(struct mm_store *st)
{
	struct mm_conn *idle;

	pthread_mutex_lock(&st->mu);
	idle = st->free;
	st->free = NULL;
	for (struct mm_conn *c = idle; c; c = c->next_free) {
		for (size_t i = 0; i < st->size; i++)
			if (st->all[i] == c)
				st->all[i] = NULL;
		st->nopen--;
	}
	pthread_cond_broadcast(&st->cv);
	pthread_mutex_unlock(&st->mu);
	while (idle) {
		struct mm_conn *next = idle->next_free;

		st->be->close(idle);
		idle = next;
	}
}

int mm_store_migrate(struct mm_store *st, const struct mm_schema *const *schemas, size_t n)
{
	struct mm_conn *c = mm_store_acquire(st);
	int rc;

	if (!c)
		return MM_EDB;
	rc = c->be->migrate(c, schemas, n);
	mm_store_release(st, c);
	return rc;
}

int mm_store_backup(struct mm_conn *c, const char *path, char *why, size_t whylen)
{
	if (why && whylen)
		why[0] = '\0';
	return c->be->backup(c, path, why, whylen);
}

int mm_store_restore(struct mm_conn *c, const char *path, char *why, size_t whylen)
{
	if (why && whylen)
		why[0] = '\0';
	return c->be->restore(c, path, why, whylen);
}

const char *mm_store_index_column(const struct mm_schema *s, size_t f)
{
	return f == MM_INDEX_UPDATED ? "updated_at" : s->fields[f].name;
}

void mm_store_index_name(struct mm_buf *b, const struct mm_schema *s, const size_t *f, size_t n)
{
	mm_buf_adds(b, s->name);
	for (size_t i = 0; i < n; i++) {
		mm_buf_addc(b, '_');
		mm_buf_adds(b, mm_store_index_column(s, f[i]));
	}
	mm_buf_adds(b, "_idx");
}

int mm_store_index(struct mm_store *st, const struct mm_schema *s, const size_t *f, size_t n)
{
	struct mm_conn *c;
	int rc;

	if (n < 1 || n > 3)
		return MM_EINVAL;
	for (size_t i = 0; i < n; i++)
		if (f[i] >= s->nfields && f[i] != MM_INDEX_UPDATED)
			return MM_EINVAL;
	c = mm_store_acquire(st);
	if (!c)
		return MM_EDB;
	rc = c->be->index(c, s, f, n);
	mm_store_release(st, c);
	return rc;
}

const char *mm_conn_errmsg(const struct mm_conn *c)
{
	return c ? c->errmsg : "";
}

bool mm_store_ident_ok(const char *name)
{
	size_t i;

	if (!name || name[0] < 'a' || name[0] > 'z')
		return false;
	for (i = 1; name[i]; i++) {
		char ch = name[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_'))
			return false;
	}
	return i <= 63;
}

static const char *const system_columns[] = {
	"id", "version", "retired", "created_at", "updated_at", "updated_by", "rowid", "oid",
};

static const char *const system_tables[] = {
	"meta", "sequences", "history", "schema_migrations", "record_counts", "level_counts",
	/* identity */
	"accounts", "sessions", "tokens", "rate_counters", "audit_events", "grants",
	"audit_checkpoints", "audit_cut", "audit_order",
	"audit_head", /* PostgreSQL's audit chain head */
};

/* A level field (MM_F_LEVEL) is the schema's only one, an INT within
 * 1..4: level_counts has a row for each level a record may have. */
static bool level_field_ok(const struct mm_schema *s, size_t i)
{
	const struct mm_field *f = &s->fields[i];

	return f->type == MM_FT_INT && f->min >= 1 && f->max <= 4 && f->min <= f->max &&
	       mm_schema_level_field(s) == (int)i;
}

int mm_store_schema_check(const struct mm_schema *s)
{
	size_t i, j;

	if (!s || !mm_store_ident_ok(s->name) || has_prefix(s->name, "sqlite_") ||
	    (s->nfields && !s->fields))
		return MM_EINVAL;
	for (i = 0; i < sizeof(system_tables) / sizeof(system_tables[0]); i++)
		if (strcmp(s->name, system_tables[i]) == 0)
			return MM_EINVAL;
	for (i = 0; i < s->nfields; i++) {
		const char *f = s->fields[i].name;
		if (!mm_store_ident_ok(f))
			return MM_EINVAL;
		for (j = 0; j < sizeof(system_columns) / sizeof(system_columns[0]); j++)
			if (strcmp(f, system_columns[j]) == 0)
				return MM_EINVAL;
		for (j = 0; j < i; j++)
			if (strcmp(f, s->fields[j].name) == 0)
				return MM_EINVAL;
		if ((s->fields[i].flags & MM_F_LEVEL) && !level_field_ok(s, i))
			return MM_EINVAL;
	}
	return MM_OK;
}

/* Dispatch. */

int mm_tx_begin(struct mm_conn *c, bool write)
{
	return c->be->tx_begin(c, write);
}

int mm_tx_commit(struct mm_conn *c)
{
	return c->be->tx_commit(c);
}

void mm_tx_rollback(struct mm_conn *c)
{
	c->be->tx_rollback(c);
}

int mm_rec_get(struct mm_conn *c, const struct mm_schema *s, int64_t id, struct mm_arena *a,
	       struct mm_record *out)
{
	return c->be->rec_get(c, s, id, a, out);
}

int mm_rec_get_many(struct mm_conn *c, const struct mm_schema *s, const int64_t *ids, size_t n,
		    struct mm_arena *a, struct mm_record *out, size_t *nout)
{
	int rc = MM_OK;

	*nout = 0;
	if (n > MM_GET_MANY_MAX)
		return MM_EINVAL;
	if (c->be->rec_get_many)
		return n ? c->be->rec_get_many(c, s, ids, n, a, out, nout) : MM_OK;
	for (size_t i = 0; i < n && (!rc || rc == MM_ENOTFOUND); i++) {
		rc = c->be->rec_get(c, s, ids[i], a, &out[*nout]);
		if (!rc)
			++*nout;
	}
	return rc == MM_ENOTFOUND ? MM_OK : rc;
}

int mm_rec_insert(struct mm_conn *c, const struct mm_schema *s, struct mm_record *rec)
{
	return c->be->rec_insert(c, s, rec);
}

int mm_rec_update(struct mm_conn *c, const struct mm_schema *s, const struct mm_record *rec,
		  int64_t expected_version)
{
	return c->be->rec_update(c, s, rec, expected_version);
}

int mm_rec_list(struct mm_conn *c, const struct mm_schema *s, const struct mm_query *q,
		struct mm_arena *a, struct mm_page *out)
{
	return c->be->rec_list(c, s, q, a, out);
}

int mm_rec_find(struct mm_conn *c, const struct mm_schema *s, int field,
		const struct mm_value *value, int64_t exclude_id, int64_t *id)
{
	return c->be->rec_find(c, s, field, value, exclude_id, id);
}

int mm_hist_add(struct mm_conn *c, const struct mm_schema *s, const struct mm_hist *h)
{
	return c->be->hist_add(c, s, h);
}

int mm_hist_list(struct mm_conn *c, const struct mm_schema *s, int64_t id, struct mm_arena *a,
		 struct mm_hist **out, size_t *n)
{
	return c->be->hist_list(c, s, id, a, out, n);
}

int mm_seq_next(struct mm_conn *c, const char *name, int64_t *out)
{
	return c->be->seq_next(c, name, out);
}

int mm_meta_get(struct mm_conn *c, const char *key, struct mm_arena *a, const char **value)
{
	return c->be->meta_get(c, key, a, value);
}

int mm_store_generation(struct mm_conn *c, int64_t *out)
{
	return c->be->generation(c, out);
}

int mm_meta_set(struct mm_conn *c, const char *key, const char *value)
{
	return c->be->meta_set(c, key, value);
}

/* Identity dispatch. */

int mm_account_get(struct mm_conn *c, int64_t id, struct mm_arena *a, struct mm_account *out)
{
	return c->be->account_get(c, id, a, out);
}

int mm_account_by_login(struct mm_conn *c, const char *login, struct mm_arena *a,
			struct mm_account *out)
{
	return c->be->account_by_login(c, login, a, out);
}

int mm_account_by_person(struct mm_conn *c, int64_t person_id, struct mm_arena *a,
			 struct mm_account *out)
{
	return c->be->account_by_person(c, person_id, a, out);
}

int mm_account_insert(struct mm_conn *c, struct mm_account *acct)
{
	return c->be->account_insert(c, acct);
}

int mm_account_update(struct mm_conn *c, const struct mm_account *acct)
{
	return c->be->account_update(c, acct);
}

int mm_account_list(struct mm_conn *c, struct mm_arena *a, struct mm_account **out, size_t *n)
{
	return c->be->account_list(c, a, out, n);
}

int mm_session_insert(struct mm_conn *c, const struct mm_session *s)
{
	return c->be->session_insert(c, s);
}

int mm_session_get(struct mm_conn *c, const char *id_hash, struct mm_arena *a,
		   struct mm_session *out)
{
	return c->be->session_get(c, id_hash, a, out);
}

int mm_session_update(struct mm_conn *c, const struct mm_session *s)
{
	return c->be->session_update(c, s);
}

int mm_session_delete(struct mm_conn *c, const char *id_hash)
{
	return c->be->session_delete(c, id_hash);
}

int mm_session_delete_account(struct mm_conn *c, int64_t account_id)
{
	return c->be->session_delete_account(c, account_id);
}

int mm_session_purge(struct mm_conn *c, int64_t idle_before, int64_t absolute_before)
{
	return c->be->session_purge(c, idle_before, absolute_before);
}

int mm_token_insert(struct mm_conn *c, struct mm_token *tok)
{
	return c->be->token_insert(c, tok);
}

int mm_token_by_hash(struct mm_conn *c, const char *hash, struct mm_arena *a, struct mm_token *out)
{
	return c->be->token_by_hash(c, hash, a, out);
}

int mm_token_list(struct mm_conn *c, int64_t account_id, struct mm_arena *a, struct mm_token **out,
		  size_t *n)
{
	return c->be->token_list(c, account_id, a, out, n);
}

int mm_token_revoke(struct mm_conn *c, int64_t id)
{
	return c->be->token_revoke(c, id);
}

int mm_token_used(struct mm_conn *c, int64_t id, int64_t now)
{
	return c->be->token_used(c, id, now);
}

int mm_rate_hit(struct mm_conn *c, const char *key, int64_t window, int64_t now, int64_t *count)
{
	return c->be->rate_hit(c, key, window, now, count);
}

int mm_audit_insert(struct mm_conn *c, struct mm_audit_event *e)
{
	return c->be->audit_insert(c, e);
}

int mm_audit_list(struct mm_conn *c, const char *action, size_t limit, struct mm_arena *a,
		  struct mm_audit_event **out, size_t *n)
{
	return c->be->audit_list(c, action, limit, a, out, n);
}

/* Grants. */

static const char *const grant_codes[] = { "read", "edit", "named" };

const char *mm_grant_kind_code(enum mm_grant_kind k)
{
	for (size_t i = 0; i < sizeof(grant_codes) / sizeof(grant_codes[0]); i++)
		if (k == 1u << i)
			return grant_codes[i];
	return "";
}

unsigned mm_grant_kind_parse(const char *code)
{
	for (size_t i = 0; code && i < sizeof(grant_codes) / sizeof(grant_codes[0]); i++)
		if (strcmp(code, grant_codes[i]) == 0)
			return 1u << i;
	return 0;
}

bool mm_acl_allows(const struct mm_acl *acl, int64_t level, int64_t owner, unsigned kinds)
{
	if (level <= acl->all_max)
		return true;
	if (level <= acl->near_max && owner)
		for (size_t i = 0; i < acl->nsections; i++)
			if (acl->sections[i] == owner)
				return true;
	if (!acl->person_id)
		return false;
	if (level <= acl->grant_max && kinds)
		return true;
	return (kinds & MM_GRANT_NAMED) != 0;
}

int mm_grant_add(struct mm_conn *c, struct mm_grant *g)
{
	return c->be->grant_add(c, g);
}

int mm_grant_remove(struct mm_conn *c, const char *reg, int64_t record_id, int64_t id)
{
	return c->be->grant_remove(c, reg, record_id, id);
}

int mm_grant_list(struct mm_conn *c, const char *reg, int64_t record_id, struct mm_arena *a,
		  struct mm_grant **out, size_t *n)
{
	return c->be->grant_list(c, reg, record_id, a, out, n);
}

int mm_grant_kinds(struct mm_conn *c, const char *reg, int64_t record_id, int64_t person_id,
		   unsigned *kinds)
{
	return c->be->grant_kinds(c, reg, record_id, person_id, kinds);
}
