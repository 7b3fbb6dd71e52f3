/* The SQLite backend's identity tables (identity.h): accounts, sessions,
 * personal API tokens, rate counters and the list of audit events (appends
 * are in sqlite_auditlog.c). The tables come from
 * the versioned migrations in sqlite_schema.c; their statements are listed
 * here and prepared on a connection at first use. Every write runs between
 * mm_sq_op_begin and mm_sq_op_end: outside an explicit transaction it is a
 * transaction of its own. Writes to accounts, ended sessions and revoked
 * tokens move the store generation on (see mm_store_generation). */
#include "store/sqlite_int.h"

#include "core/err.h"

#include <stdlib.h>
#include <string.h>

enum stmt {
	S_ACCT_GET,
	S_ACCT_BY_LOGIN,
	S_ACCT_BY_PERSON,
	S_ACCT_INSERT,
	S_ACCT_UPDATE,
	S_ACCT_LIST,
	S_SESS_INSERT,
	S_SESS_GET,
	S_SESS_UPDATE,
	S_SESS_DELETE,
	S_SESS_DELETE_ACCT,
	S_SESS_PURGE,
	S_TOK_INSERT,
	S_TOK_BY_HASH,
	S_TOK_LIST,
	S_TOK_REVOKE,
	S_TOK_USED,
	S_RATE_HIT,
	S_RATE_TRIM,
	S_AUDIT_LIST,
	S_AUDIT_LIST_ACTION,
	S_COUNT
};

/* The columns each reader below reads, in its order. */
#define ACCOUNT_COLS                                                                               \
	"id, login, person_id, disabled, password_hash, totp_secret, totp_enabled, "               \
	"totp_last_step, failures, locked_until, created_at, updated_at, password_changed_at"
#define SESSION_COLS "id_hash, account_id, created_at, last_seen, csrf, mfa_pending, ip"
#define TOKEN_COLS   "id, hash, account_id, label, created_at, expires_at, revoked, last_used"
#define AUDIT_COLS                                                                                 \
	"seq, at, account_id, actor, ip, request_id, action, object, result, details, person_id"

/* bind_account binds the first eleven parameters of S_ACCT_INSERT and
 * S_ACCT_UPDATE; the twelfth is created_at or id. */
static const char *const sql[S_COUNT] = {
	[S_ACCT_GET] = "SELECT " ACCOUNT_COLS " FROM accounts WHERE id = ?",
	[S_ACCT_BY_LOGIN] = "SELECT " ACCOUNT_COLS " FROM accounts WHERE login = ?",
	[S_ACCT_BY_PERSON] = "SELECT " ACCOUNT_COLS " FROM accounts WHERE person_id = ?",
	[S_ACCT_INSERT] = "INSERT INTO accounts(login, person_id, disabled, password_hash, "
			  "totp_secret, totp_enabled, totp_last_step, failures, locked_until, "
			  "updated_at, password_changed_at, created_at) "
			  "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[S_ACCT_UPDATE] = "UPDATE accounts SET login = ?, person_id = ?, disabled = ?, "
			  "password_hash = ?, totp_secret = ?, totp_enabled = ?, "
			  "totp_last_step = ?, failures = ?, locked_until = ?, updated_at = ?, "
			  "password_changed_at = ? WHERE id = ?",
	[S_ACCT_LIST] = "SELECT " ACCOUNT_COLS " FROM accounts ORDER BY login",
	[S_SESS_INSERT] = "INSERT INTO sessions(" SESSION_COLS ") VALUES(?, ?, ?, ?, ?, ?, ?)",
	[S_SESS_GET] = "SELECT " SESSION_COLS " FROM sessions WHERE id_hash = ?",
	[S_SESS_UPDATE] = "UPDATE sessions SET last_seen = ?, mfa_pending = ? WHERE id_hash = ?",
	[S_SESS_DELETE] = "DELETE FROM sessions WHERE id_hash = ?",
	[S_SESS_DELETE_ACCT] = "DELETE FROM sessions WHERE account_id = ?",
	[S_SESS_PURGE] = "DELETE FROM sessions WHERE last_seen < ? OR created_at < ?",
	[S_TOK_INSERT] = "INSERT INTO tokens(hash, account_id, label, created_at, expires_at, "
			 "revoked, last_used) VALUES(?, ?, ?, ?, ?, ?, ?)",
	[S_TOK_BY_HASH] = "SELECT " TOKEN_COLS " FROM tokens WHERE hash = ?",
	[S_TOK_LIST] = "SELECT " TOKEN_COLS " FROM tokens WHERE account_id = ? ORDER BY id",
	[S_TOK_REVOKE] = "UPDATE tokens SET revoked = 1 WHERE id = ?",
	[S_TOK_USED] = "UPDATE tokens SET last_used = ? WHERE id = ?",
	[S_RATE_HIT] = "INSERT INTO rate_counters(key, window_start, hits) VALUES(?, ?, 1) "
		       "ON CONFLICT(key, window_start) DO UPDATE SET hits = hits + 1 "
		       "RETURNING hits",
	[S_RATE_TRIM] = "DELETE FROM rate_counters WHERE key = ? AND window_start < ?",
	[S_AUDIT_LIST] = "SELECT " AUDIT_COLS " FROM audit_events ORDER BY seq DESC LIMIT ?",
	[S_AUDIT_LIST_ACTION] = "SELECT " AUDIT_COLS " FROM audit_events WHERE action = ? "
				"ORDER BY seq DESC LIMIT ?",
};

/* Returns the statement, preparing it on first use. */
static int stmt(struct mm_sq_conn *sc, enum stmt which, sqlite3_stmt **out)
{
	return mm_sq_lazy(sc, &sc->ident, S_COUNT, sql, which, out);
}

/* Binds values to the parameters of st in order; the first error sticks and
 * is checked once, by run_write, read_one or read_all. Text is bound
 * SQLITE_STATIC: it must live until the statement is done. */
struct binder {
	sqlite3_stmt *st;
	int next;
	int src;
};

static struct binder binder(sqlite3_stmt *st)
{
	struct binder b = { st, 1, SQLITE_OK };
	return b;
}

static void bind_int(struct binder *b, int64_t v)
{
	if (b->src == SQLITE_OK)
		b->src = sqlite3_bind_int64(b->st, b->next, v);
	b->next++;
}

/* Binds s; NULL is bound as SQL NULL. */
static void bind_text(struct binder *b, const char *s)
{
	if (b->src == SQLITE_OK)
		b->src = s ? sqlite3_bind_text(b->st, b->next, s, -1, SQLITE_STATIC)
			   : sqlite3_bind_null(b->st, b->next);
	b->next++;
}

/* Binds s, or dflt when s is NULL. */
static void bind_or(struct binder *b, const char *s, const char *dflt)
{
	bind_text(b, s ? s : dflt);
}

/* Runs a bound statement that returns no rows. */
static int step_bound(struct mm_sq_conn *sc, struct binder *b)
{
	int rc;

	if (b->src != SQLITE_OK) {
		rc = mm_sq_fail(sc, b->src);
		mm_sq_done(b->st);
		return rc;
	}
	return mm_sq_step_done(sc, b->st);
}

/* Runs one bound write statement as an operation of its own. MM_ENOTFOUND
 * when must_change and no row changed; *rowid (if not NULL) gets the id of
 * the row inserted. */
static int run_write(struct mm_sq_conn *sc, struct binder *b, bool must_change, int64_t *rowid,
		     bool moves_generation)
{
	int rc = mm_sq_op_begin(sc, true);

	if (rc) {
		mm_sq_done(b->st);
		return rc;
	}
	rc = step_bound(sc, b);
	if (!rc && must_change && sqlite3_changes64(sc->db) == 0)
		rc = MM_ENOTFOUND;
	/* Read now: committing may bump the generation with an insert. */
	if (!rc && rowid)
		*rowid = sqlite3_last_insert_rowid(sc->db);
	if (!rc && moves_generation)
		sc->gen_dirty = true;
	return mm_sq_op_end(sc, rc);
}

/* Rows. Each reader fills one struct from a row of its *_COLS; strings are
 * copied into a. */

static int read_account(sqlite3_stmt *st, struct mm_arena *a, void *out)
{
	struct mm_account *r = out;
	int rc;

	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	rc = mm_sq_dup_text(st, 1, a, &r->login);
	r->person_id = sqlite3_column_int64(st, 2);
	r->disabled = sqlite3_column_int64(st, 3) != 0;
	if (!rc)
		rc = mm_sq_dup_text(st, 4, a, &r->password_hash);
	if (!rc)
		rc = mm_sq_dup_text(st, 5, a, &r->totp_secret);
	r->totp_enabled = sqlite3_column_int64(st, 6) != 0;
	r->totp_last_step = sqlite3_column_int64(st, 7);
	r->failures = sqlite3_column_int64(st, 8);
	r->locked_until = sqlite3_column_int64(st, 9);
	r->created_at = sqlite3_column_int64(st, 10);
	r->updated_at = sqlite3_column_int64(st, 11);
	r->password_changed_at = sqlite3_column_int64(st, 12);
	return rc;
}

static int read_session(sqlite3_stmt *st, struct mm_arena *a, void *out)
{
	struct mm_session *r = out;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = mm_sq_dup_text(st, 0, a, &r->id_hash);
	r->account_id = sqlite3_column_int64(st, 1);
	r->created_at = sqlite3_column_int64(st, 2);
	r->last_seen = sqlite3_column_int64(st, 3);
	if (!rc)
		rc = mm_sq_dup_text(st, 4, a, &r->csrf);
	r->mfa_pending = sqlite3_column_int64(st, 5) != 0;
	if (!rc)
		rc = mm_sq_dup_text(st, 6, a, &r->ip);
	return rc;
}

static int read_token(sqlite3_stmt *st, struct mm_arena *a, void *out)
{
	struct mm_token *r = out;
	int rc;

	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	rc = mm_sq_dup_text(st, 1, a, &r->hash);
	r->account_id = sqlite3_column_int64(st, 2);
	if (!rc)
		rc = mm_sq_dup_text(st, 3, a, &r->label);
	r->created_at = sqlite3_column_int64(st, 4);
	r->expires_at = sqlite3_column_int64(st, 5);
	r->revoked = sqlite3_column_int64(st, 6) != 0;
	r->last_used = sqlite3_column_int64(st, 7);
	return rc;
}

static int read_event(sqlite3_stmt *st, struct mm_arena *a, void *out)
{
	struct mm_audit_event *r = out;
	const char **text[] = { &r->actor,  &r->ip,	&r->request_id, &r->action,
				&r->object, &r->result, &r->details };
	int rc = MM_OK;

	memset(r, 0, sizeof(*r));
	r->seq = sqlite3_column_int64(st, 0);
	r->at = sqlite3_column_int64(st, 1);
	r->account_id = sqlite3_column_int64(st, 2);
	for (size_t i = 0; i < sizeof(text) / sizeof(text[0]) && !rc; i++)
		rc = mm_sq_dup_text(st, 3 + (int)i, a, text[i]);
	r->person_id = sqlite3_column_int64(st, 10);
	return rc;
}

/* Runs a bound query and reads its first row into out with read.
 * MM_ENOTFOUND when there is none. */
static int read_one(struct mm_sq_conn *sc, struct binder *b, struct mm_arena *a,
		    int (*read)(sqlite3_stmt *, struct mm_arena *, void *), void *out)
{
	int rc, src = b->src;

	if (src == SQLITE_OK)
		src = mm_sq_step(sc, b->st);
	if (src == SQLITE_ROW)
		rc = read(b->st, a, out);
	else
		rc = src == SQLITE_DONE ? MM_ENOTFOUND : mm_sq_fail(sc, src);
	mm_sq_done(b->st);
	return rc;
}

/* Runs a bound query and reads every row into an array of structs of size
 * bytes from a. On failure *out is NULL and *n is 0. */
static int read_all(struct mm_sq_conn *sc, struct binder *b, struct mm_arena *a, size_t size,
		    int (*read)(sqlite3_stmt *, struct mm_arena *, void *), void **out, size_t *n)
{
	char *v = NULL;
	size_t cap = 0;
	int rc = MM_OK, src = b->src;

	*n = 0;
	while (src == SQLITE_OK || src == SQLITE_ROW) {
		src = mm_sq_step(sc, b->st);
		if (src != SQLITE_ROW)
			break;
		if (!mm_arena_grow(a, &v, *n, &cap, size, 8)) {
			rc = MM_ENOMEM;
			goto out;
		}
		rc = read(b->st, a, v + *n * size);
		if (rc)
			goto out;
		(*n)++;
	}
	if (src != SQLITE_DONE)
		rc = mm_sq_fail(sc, src);
out:
	mm_sq_done(b->st);
	if (rc) {
		v = NULL;
		*n = 0;
	}
	*out = v;
	return rc;
}

/* Accounts. */

static int account_by(struct mm_sq_conn *sc, enum stmt which, int64_t key, const char *login,
		      struct mm_arena *a, struct mm_account *out)
{
	struct binder b;
	sqlite3_stmt *st;
	int rc = stmt(sc, which, &st);

	if (rc)
		return rc;
	b = binder(st);
	if (login)
		bind_text(&b, login);
	else
		bind_int(&b, key);
	return read_one(sc, &b, a, read_account, out);
}

int mm_sq_account_get(struct mm_conn *c, int64_t id, struct mm_arena *a, struct mm_account *out)
{
	return account_by(mm_sq_conn(c), S_ACCT_GET, id, NULL, a, out);
}

int mm_sq_account_by_login(struct mm_conn *c, const char *login, struct mm_arena *a,
			   struct mm_account *out)
{
	if (!login)
		return MM_EINVAL;
	return account_by(mm_sq_conn(c), S_ACCT_BY_LOGIN, 0, login, a, out);
}

int mm_sq_account_by_person(struct mm_conn *c, int64_t person_id, struct mm_arena *a,
			    struct mm_account *out)
{
	return account_by(mm_sq_conn(c), S_ACCT_BY_PERSON, person_id, NULL, a, out);
}

/* The parameters S_ACCT_INSERT and S_ACCT_UPDATE share, in their order. */
static void bind_account(struct binder *b, const struct mm_account *r)
{
	bind_text(b, r->login);
	bind_int(b, r->person_id);
	bind_int(b, r->disabled ? 1 : 0);
	bind_text(b, r->password_hash);
	bind_text(b, r->totp_secret);
	bind_int(b, r->totp_enabled ? 1 : 0);
	bind_int(b, r->totp_last_step);
	bind_int(b, r->failures);
	bind_int(b, r->locked_until);
	bind_int(b, r->updated_at);
	bind_int(b, r->password_changed_at);
}

int mm_sq_account_insert(struct mm_conn *c, struct mm_account *acct)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	struct binder b;
	sqlite3_stmt *st;
	int64_t id = 0;
	int rc;

	if (!acct->login)
		return MM_EINVAL;
	rc = stmt(sc, S_ACCT_INSERT, &st);
	if (rc)
		return rc;
	b = binder(st);
	bind_account(&b, acct);
	bind_int(&b, acct->created_at);
	rc = run_write(sc, &b, false, &id, true);
	if (!rc)
		acct->id = id;
	return rc;
}

int mm_sq_account_update(struct mm_conn *c, const struct mm_account *acct)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	struct binder b;
	sqlite3_stmt *st;
	int rc;

	if (!acct->login)
		return MM_EINVAL;
	rc = stmt(sc, S_ACCT_UPDATE, &st);
	if (rc)
		return rc;
	b = binder(st);
	bind_account(&b, acct);
	bind_int(&b, acct->id);
	/* Who holds which account changes what they see: caches must know. */
	return run_write(sc, &b, true, NULL, true);
}

int mm_sq_account_list(struct mm_conn *c, struct mm_arena *a, struct mm_account **out, size_t *n)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	struct binder b;
	sqlite3_stmt *st;
	void *v = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	rc = stmt(sc, S_ACCT_LIST, &st);
	if (rc)
		return rc;
	b = binder(st);
	rc = read_all(sc, &b, a, sizeof(**out), read_account, &v, n);
	*out = v;
	return rc;
}

/* Sessions. */

int mm_sq_session_insert(struct mm_conn *c, const struct mm_session *s)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	struct binder b;
	sqlite3_stmt *st;
	int rc;

	if (!s->id_hash || !s->csrf)
		return MM_EINVAL;
	rc = stmt(sc, S_SESS_INSERT, &st);
	if (rc)
		return rc;
	b = binder(st);
	bind_text(&b, s->id_hash);
	bind_int(&b, s->account_id);
	bind_int(&b, s->created_at);
	bind_int(&b, s->last_seen);
	bind_text(&b, s->csrf);
	bind_int(&b, s->mfa_pending ? 1 : 0);
	bind_or(&b, s->ip, "");
	return run_write(sc, &b, false, NULL, false);
}

/* Reads the one row statement which finds by the text key (MM_EINVAL for a
 * NULL key). */
static int get_by_text(struct mm_sq_conn *sc, enum stmt which, const char *key, struct mm_arena *a,
		       int (*reader)(sqlite3_stmt *, struct mm_arena *, void *), void *out)
{
	struct binder b;
	sqlite3_stmt *st;
	int rc;

	if (!key)
		return MM_EINVAL;
	rc = stmt(sc, which, &st);
	if (rc)
		return rc;
	b = binder(st);
	bind_text(&b, key);
	return read_one(sc, &b, a, reader, out);
}

int mm_sq_session_get(struct mm_conn *c, const char *id_hash, struct mm_arena *a,
		      struct mm_session *out)
{
	return get_by_text(mm_sq_conn(c), S_SESS_GET, id_hash, a, read_session, out);
}

int mm_sq_session_update(struct mm_conn *c, const struct mm_session *s)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	struct binder b;
	sqlite3_stmt *st;
	int rc;

	if (!s->id_hash)
		return MM_EINVAL;
	rc = stmt(sc, S_SESS_UPDATE, &st);
	if (rc)
		return rc;
	b = binder(st);
	bind_int(&b, s->last_seen);
	bind_int(&b, s->mfa_pending ? 1 : 0);
	bind_text(&b, s->id_hash);
	return run_write(sc, &b, true, NULL, false);
}

int mm_sq_session_delete(struct mm_conn *c, const char *id_hash)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	struct binder b;
	sqlite3_stmt *st;
	int rc;

	if (!id_hash)
		return MM_EINVAL;
	rc = stmt(sc, S_SESS_DELETE, &st);
	if (rc)
		return rc;
	b = binder(st);
	bind_text(&b, id_hash);
	/* Ending a session moves the generation: principal caches drop it. */
	return run_write(sc, &b, false, NULL, true);
}

/* Runs a write statement whose parameters are the integers v[0..n-1]. */
static int write_ints(struct mm_sq_conn *sc, enum stmt which, const int64_t *v, size_t n,
		      bool must_change, bool moves_generation)
{
	struct binder b;
	sqlite3_stmt *st;
	int rc = stmt(sc, which, &st);

	if (rc)
		return rc;
	b = binder(st);
	for (size_t i = 0; i < n; i++)
		bind_int(&b, v[i]);
	return run_write(sc, &b, must_change, NULL, moves_generation);
}

int mm_sq_session_delete_account(struct mm_conn *c, int64_t account_id)
{
	return write_ints(mm_sq_conn(c), S_SESS_DELETE_ACCT, &account_id, 1, false, true);
}

int mm_sq_session_purge(struct mm_conn *c, int64_t idle_before, int64_t absolute_before)
{
	const int64_t v[] = { idle_before, absolute_before };

	return write_ints(mm_sq_conn(c), S_SESS_PURGE, v, 2, false, false);
}

/* Tokens. */

int mm_sq_token_insert(struct mm_conn *c, struct mm_token *tok)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	struct binder b;
	sqlite3_stmt *st;
	int64_t id = 0;
	int rc;

	if (!tok->hash)
		return MM_EINVAL;
	rc = stmt(sc, S_TOK_INSERT, &st);
	if (rc)
		return rc;
	b = binder(st);
	bind_text(&b, tok->hash);
	bind_int(&b, tok->account_id);
	bind_or(&b, tok->label, "");
	bind_int(&b, tok->created_at);
	bind_int(&b, tok->expires_at);
	bind_int(&b, tok->revoked ? 1 : 0);
	bind_int(&b, tok->last_used);
	rc = run_write(sc, &b, false, &id, false);
	if (!rc)
		tok->id = id;
	return rc;
}

int mm_sq_token_by_hash(struct mm_conn *c, const char *hash, struct mm_arena *a,
			struct mm_token *out)
{
	return get_by_text(mm_sq_conn(c), S_TOK_BY_HASH, hash, a, read_token, out);
}

int mm_sq_token_list(struct mm_conn *c, int64_t account_id, struct mm_arena *a,
		     struct mm_token **out, size_t *n)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	struct binder b;
	sqlite3_stmt *st;
	void *v = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	rc = stmt(sc, S_TOK_LIST, &st);
	if (rc)
		return rc;
	b = binder(st);
	bind_int(&b, account_id);
	rc = read_all(sc, &b, a, sizeof(**out), read_token, &v, n);
	*out = v;
	return rc;
}

int mm_sq_token_revoke(struct mm_conn *c, int64_t id)
{
	return write_ints(mm_sq_conn(c), S_TOK_REVOKE, &id, 1, true, true);
}

int mm_sq_token_used(struct mm_conn *c, int64_t id, int64_t now)
{
	const int64_t v[] = { now, id };

	return write_ints(mm_sq_conn(c), S_TOK_USED, v, 2, true, false);
}

/* Rate counters. */

/* Adds the hit and reads the window's count. */
static int rate_add(struct mm_sq_conn *sc, sqlite3_stmt *st, const char *key, int64_t start,
		    int64_t *hits)
{
	struct binder b = binder(st);
	int rc, src;

	bind_text(&b, key);
	bind_int(&b, start);
	src = b.src;
	if (src == SQLITE_OK)
		src = mm_sq_step(sc, st);
	if (src == SQLITE_ROW) {
		*hits = sqlite3_column_int64(st, 0);
		src = mm_sq_step(sc, st);
	}
	rc = src == SQLITE_DONE ? MM_OK : mm_sq_fail(sc, src);
	mm_sq_done(st);
	return rc;
}

int mm_sq_rate_hit(struct mm_conn *c, const char *key, int64_t window, int64_t now, int64_t *count)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	sqlite3_stmt *hit, *trim;
	struct binder b;
	int64_t start, hits = 0;
	int rc;

	if (!key || window < 1 || now < 0)
		return MM_EINVAL;
	start = now - now % window;
	rc = stmt(sc, S_RATE_HIT, &hit);
	if (!rc)
		rc = stmt(sc, S_RATE_TRIM, &trim);
	if (rc)
		return rc;
	rc = mm_sq_op_begin(sc, true);
	if (rc)
		return rc;
	rc = rate_add(sc, hit, key, start, &hits);
	if (rc)
		goto out;
	/* The key's earlier windows are over: keep the table small. */
	b = binder(trim);
	bind_text(&b, key);
	bind_int(&b, start);
	rc = step_bound(sc, &b);
out:
	rc = mm_sq_op_end(sc, rc);
	if (!rc)
		*count = hits;
	return rc;
}

/* Audit events. */

int mm_sq_audit_list(struct mm_conn *c, const char *action, size_t limit, struct mm_arena *a,
		     struct mm_audit_event **out, size_t *n)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	struct binder b;
	sqlite3_stmt *st;
	void *v = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	rc = stmt(sc, action ? S_AUDIT_LIST_ACTION : S_AUDIT_LIST, &st);
	if (rc)
		return rc;
	b = binder(st);
	if (action)
		bind_text(&b, action);
	bind_int(&b, (uint64_t)limit > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)limit);
	rc = read_all(sc, &b, a, sizeof(**out), read_event, &v, n);
	*out = v;
	return rc;
}
