/* The PostgreSQL backend's identity tables (identity.h): accounts,
 * sessions, personal API tokens, rate counters and the list of audit
 * events (appends are in pg_auditlog.c). The tables come from the shared
 * migrations (migrations.c); the statements below are prepared on a
 * connection at first use. Every write is one statement (run_write);
 * writes to accounts, ended sessions and revoked tokens move the store
 * generation on, as in the SQLite backend. */
#include "store/pg_int.h"

#include "core/err.h"

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
	S_AUDIT_LIST,
	S_AUDIT_LIST_ACTION,
	S_COUNT
};

#define ACCOUNT_COLS                                                                               \
	"id, login, person_id, disabled, password_hash, totp_secret, totp_enabled, "               \
	"totp_last_step, failures, locked_until, created_at, updated_at, password_changed_at"
#define SESSION_COLS "id_hash, account_id, created_at, last_seen, csrf, mfa_pending, ip"
#define TOKEN_COLS   "id, hash, account_id, label, created_at, expires_at, revoked, last_used"
#define AUDIT_COLS                                                                                 \
	"seq, at, account_id, actor, ip, request_id, action, object, result, details, person_id"

static const char *const sql[S_COUNT] = {
	[S_ACCT_GET] = "SELECT " ACCOUNT_COLS " FROM accounts WHERE id = $1",
	[S_ACCT_BY_LOGIN] = "SELECT " ACCOUNT_COLS " FROM accounts WHERE login = $1",
	[S_ACCT_BY_PERSON] = "SELECT " ACCOUNT_COLS " FROM accounts WHERE person_id = $1",
	[S_ACCT_INSERT] = "INSERT INTO accounts(login, person_id, disabled, password_hash, "
			  "totp_secret, totp_enabled, totp_last_step, failures, locked_until, "
			  "updated_at, password_changed_at, created_at) "
			  "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
			  "ON CONFLICT DO NOTHING RETURNING id",
	[S_ACCT_UPDATE] =
		"UPDATE accounts SET login = $1, person_id = $2, disabled = $3, "
		"password_hash = $4, totp_secret = $5, totp_enabled = $6, "
		"totp_last_step = $7, failures = $8, locked_until = $9, updated_at = $10, "
		"password_changed_at = $11 WHERE id = $12",
	[S_ACCT_LIST] = "SELECT " ACCOUNT_COLS " FROM accounts ORDER BY login COLLATE \"C\"",
	[S_SESS_INSERT] =
		"INSERT INTO sessions(" SESSION_COLS ") VALUES($1, $2, $3, $4, $5, $6, $7)",
	[S_SESS_GET] = "SELECT " SESSION_COLS " FROM sessions WHERE id_hash = $1",
	[S_SESS_UPDATE] = "UPDATE sessions SET last_seen = $1, mfa_pending = $2 WHERE id_hash = $3",
	[S_SESS_DELETE] = "DELETE FROM sessions WHERE id_hash = $1",
	[S_SESS_DELETE_ACCT] = "DELETE FROM sessions WHERE account_id = $1",
	[S_SESS_PURGE] = "DELETE FROM sessions WHERE last_seen < $1 OR created_at < $2",
	[S_TOK_INSERT] = "INSERT INTO tokens(hash, account_id, label, created_at, expires_at, "
			 "revoked, last_used) VALUES($1, $2, $3, $4, $5, $6, $7) "
			 "ON CONFLICT DO NOTHING RETURNING id",
	[S_TOK_BY_HASH] = "SELECT " TOKEN_COLS " FROM tokens WHERE hash = $1",
	[S_TOK_LIST] = "SELECT " TOKEN_COLS " FROM tokens WHERE account_id = $1 ORDER BY id",
	[S_TOK_REVOKE] = "UPDATE tokens SET revoked = 1 WHERE id = $1",
	[S_TOK_USED] = "UPDATE tokens SET last_used = $1 WHERE id = $2",
	/* The hit, then the key's earlier windows trimmed: one statement. */
	[S_RATE_HIT] = "WITH old AS (DELETE FROM rate_counters WHERE key = $1 AND "
		       "window_start < $2) INSERT INTO rate_counters(key, window_start, hits) "
		       "VALUES($1, $2, 1) ON CONFLICT(key, window_start) DO UPDATE SET "
		       "hits = rate_counters.hits + 1 RETURNING hits",
	[S_AUDIT_LIST] = "SELECT " AUDIT_COLS " FROM audit_events ORDER BY seq DESC LIMIT $1",
	[S_AUDIT_LIST_ACTION] = "SELECT " AUDIT_COLS " FROM audit_events WHERE action = $1 "
				"ORDER BY seq DESC LIMIT $2",
};

typedef int (*reader)(const PGresult *r, int row, struct mm_arena *a, void *out);

static int run(struct mm_pg_conn *pc, enum stmt which, const struct mm_pg_args *a, PGresult **out)
{
	return mm_pg_lazy_run(pc, &pc->ident, S_COUNT, sql, which, a, out);
}

/* How a write is checked and what it moves. */
enum {
	W_MUST_CHANGE = 1, /* MM_ENOTFOUND when no row changed */
	W_INSERT = 2,	   /* MM_ECONFLICT when no row was inserted (a unique key) */
	W_GEN = 4,	   /* moves the generation */
};

/* Runs one write statement. Outside a transaction, one that moves the
 * generation is a transaction of its own (the generation moves with it);
 * the others commit by themselves. *id (if not NULL) gets the id the
 * statement returned. */
static int run_write(struct mm_pg_conn *pc, enum stmt which, struct mm_pg_args *a, int flags,
		     int64_t *id)
{
	PGresult *res = NULL;
	bool own = (flags & W_GEN) && !mm_pg_in_tx(pc);
	int rc = own ? mm_pg_op_begin(pc, true) : MM_OK;

	if (rc) {
		mm_pg_args_free(a);
		return rc;
	}
	rc = run(pc, which, a, &res);
	if (!rc && (flags & W_MUST_CHANGE) && mm_pg_changes(res) == 0)
		rc = MM_ENOTFOUND;
	if (!rc && (flags & W_INSERT) && mm_pg_changes(res) == 0)
		rc = MM_ECONFLICT;
	if (!rc && id)
		*id = PQntuples(res) ? mm_pg_int(res, 0, 0) : 0;
	if (!rc && (flags & W_GEN))
		pc->gen_dirty = true;
	PQclear(res);
	if (own)
		rc = mm_pg_op_end(pc, rc);
	mm_pg_args_free(a);
	return rc;
}

static int read_account(const PGresult *r, int i, struct mm_arena *a, void *out)
{
	struct mm_account *x = out;
	int rc;

	memset(x, 0, sizeof(*x));
	x->id = mm_pg_int(r, i, 0);
	rc = mm_pg_dup_text(r, i, 1, a, &x->login);
	x->person_id = mm_pg_int(r, i, 2);
	x->disabled = mm_pg_int(r, i, 3) != 0;
	if (!rc)
		rc = mm_pg_dup_text(r, i, 4, a, &x->password_hash);
	if (!rc)
		rc = mm_pg_dup_text(r, i, 5, a, &x->totp_secret);
	x->totp_enabled = mm_pg_int(r, i, 6) != 0;
	x->totp_last_step = mm_pg_int(r, i, 7);
	x->failures = mm_pg_int(r, i, 8);
	x->locked_until = mm_pg_int(r, i, 9);
	x->created_at = mm_pg_int(r, i, 10);
	x->updated_at = mm_pg_int(r, i, 11);
	x->password_changed_at = mm_pg_int(r, i, 12);
	return rc;
}

static int read_session(const PGresult *r, int i, struct mm_arena *a, void *out)
{
	struct mm_session *x = out;
	int rc;

	memset(x, 0, sizeof(*x));
	rc = mm_pg_dup_text(r, i, 0, a, &x->id_hash);
	x->account_id = mm_pg_int(r, i, 1);
	x->created_at = mm_pg_int(r, i, 2);
	x->last_seen = mm_pg_int(r, i, 3);
	if (!rc)
		rc = mm_pg_dup_text(r, i, 4, a, &x->csrf);
	x->mfa_pending = mm_pg_int(r, i, 5) != 0;
	if (!rc)
		rc = mm_pg_dup_text(r, i, 6, a, &x->ip);
	return rc;
}

static int read_token(const PGresult *r, int i, struct mm_arena *a, void *out)
{
	struct mm_token *x = out;
	int rc;

	memset(x, 0, sizeof(*x));
	x->id = mm_pg_int(r, i, 0);
	rc = mm_pg_dup_text(r, i, 1, a, &x->hash);
	x->account_id = mm_pg_int(r, i, 2);
	if (!rc)
		rc = mm_pg_dup_text(r, i, 3, a, &x->label);
	x->created_at = mm_pg_int(r, i, 4);
	x->expires_at = mm_pg_int(r, i, 5);
	x->revoked = mm_pg_int(r, i, 6) != 0;
	x->last_used = mm_pg_int(r, i, 7);
	return rc;
}

int mm_pg_read_event(const PGresult *r, int i, struct mm_arena *a, struct mm_audit_event *x)
{
	const char **text[] = { &x->actor,  &x->ip,	&x->request_id, &x->action,
				&x->object, &x->result, &x->details };
	int rc = MM_OK;

	memset(x, 0, sizeof(*x));
	x->seq = mm_pg_int(r, i, 0);
	x->at = mm_pg_int(r, i, 1);
	x->account_id = mm_pg_int(r, i, 2);
	for (size_t k = 0; k < sizeof(text) / sizeof(text[0]) && !rc; k++)
		rc = mm_pg_dup_text(r, i, 3 + (int)k, a, text[k]);
	if (PQnfields(r) > 10)
		x->person_id = mm_pg_int(r, i, 10);
	return rc;
}

static int read_event(const PGresult *r, int i, struct mm_arena *a, void *out)
{
	return mm_pg_read_event(r, i, a, out);
}

/* Runs a query and reads its first row. MM_ENOTFOUND when there is none. */
static int read_one(struct mm_pg_conn *pc, enum stmt which, struct mm_pg_args *a,
		    struct mm_arena *ar, reader rd, void *out)
{
	PGresult *res;
	int rc = run(pc, which, a, &res);

	mm_pg_args_free(a);
	if (rc)
		return rc;
	rc = PQntuples(res) ? rd(res, 0, ar, out) : MM_ENOTFOUND;
	PQclear(res);
	return rc;
}

/* Runs a query and reads every row into an array of size-byte structs. */
static int read_all(struct mm_pg_conn *pc, enum stmt which, struct mm_pg_args *a,
		    struct mm_arena *ar, size_t size, reader rd, void **out, size_t *n)
{
	PGresult *res;
	char *v = NULL;
	int rc = run(pc, which, a, &res), rows;

	*out = NULL;
	*n = 0;
	mm_pg_args_free(a);
	if (rc)
		return rc;
	rows = PQntuples(res);
	v = mm_arena_alloc(ar, ((size_t)rows + 1) * size);
	if (!v)
		rc = MM_ENOMEM;
	for (int i = 0; i < rows && !rc; i++)
		rc = rd(res, i, ar, v + (size_t)i * size);
	PQclear(res);
	if (!rc) {
		*out = v;
		*n = (size_t)rows;
	}
	return rc;
}

/* Accounts. */

static int account_by(struct mm_conn *c, enum stmt which, int64_t key, const char *login,
		      struct mm_arena *a, struct mm_account *out)
{
	struct mm_pg_args args;

	mm_pg_args_init(&args);
	if (login)
		mm_pg_arg_text(&args, login);
	else
		mm_pg_arg_int(&args, key);
	return read_one(mm_pg_conn(c), which, &args, a, read_account, out);
}

int mm_pg_account_get(struct mm_conn *c, int64_t id, struct mm_arena *a, struct mm_account *out)
{
	return account_by(c, S_ACCT_GET, id, NULL, a, out);
}

int mm_pg_account_by_login(struct mm_conn *c, const char *login, struct mm_arena *a,
			   struct mm_account *out)
{
	if (!login)
		return MM_EINVAL;
	return account_by(c, S_ACCT_BY_LOGIN, 0, login, a, out);
}

int mm_pg_account_by_person(struct mm_conn *c, int64_t person_id, struct mm_arena *a,
			    struct mm_account *out)
{
	return account_by(c, S_ACCT_BY_PERSON, person_id, NULL, a, out);
}

static void arg_account(struct mm_pg_args *a, const struct mm_account *r)
{
	mm_pg_arg_text(a, r->login);
	mm_pg_arg_int(a, r->person_id);
	mm_pg_arg_int(a, r->disabled ? 1 : 0);
	mm_pg_arg_text(a, r->password_hash);
	mm_pg_arg_text(a, r->totp_secret);
	mm_pg_arg_int(a, r->totp_enabled ? 1 : 0);
	mm_pg_arg_int(a, r->totp_last_step);
	mm_pg_arg_int(a, r->failures);
	mm_pg_arg_int(a, r->locked_until);
	mm_pg_arg_int(a, r->updated_at);
	mm_pg_arg_int(a, r->password_changed_at);
}

int mm_pg_account_insert(struct mm_conn *c, struct mm_account *acct)
{
	struct mm_pg_args a;
	int64_t id = 0;
	int rc;

	if (!acct->login)
		return MM_EINVAL;
	mm_pg_args_init(&a);
	arg_account(&a, acct);
	mm_pg_arg_int(&a, acct->created_at);
	rc = run_write(mm_pg_conn(c), S_ACCT_INSERT, &a, W_INSERT | W_GEN, &id);
	if (!rc)
		acct->id = id;
	return rc;
}

int mm_pg_account_update(struct mm_conn *c, const struct mm_account *acct)
{
	struct mm_pg_args a;

	if (!acct->login)
		return MM_EINVAL;
	mm_pg_args_init(&a);
	arg_account(&a, acct);
	mm_pg_arg_int(&a, acct->id);
	return run_write(mm_pg_conn(c), S_ACCT_UPDATE, &a, W_MUST_CHANGE | W_GEN, NULL);
}

int mm_pg_account_list(struct mm_conn *c, struct mm_arena *a, struct mm_account **out, size_t *n)
{
	struct mm_pg_args args;
	void *v;
	int rc;

	mm_pg_args_init(&args);
	rc = read_all(mm_pg_conn(c), S_ACCT_LIST, &args, a, sizeof(**out), read_account, &v, n);
	*out = v;
	return rc;
}

/* Sessions. */

int mm_pg_session_insert(struct mm_conn *c, const struct mm_session *s)
{
	struct mm_pg_args a;

	if (!s->id_hash || !s->csrf)
		return MM_EINVAL;
	mm_pg_args_init(&a);
	mm_pg_arg_text(&a, s->id_hash);
	mm_pg_arg_int(&a, s->account_id);
	mm_pg_arg_int(&a, s->created_at);
	mm_pg_arg_int(&a, s->last_seen);
	mm_pg_arg_text(&a, s->csrf);
	mm_pg_arg_int(&a, s->mfa_pending ? 1 : 0);
	mm_pg_arg_text(&a, s->ip ? s->ip : "");
	return run_write(mm_pg_conn(c), S_SESS_INSERT, &a, W_INSERT, NULL);
}

static int get_by_text(struct mm_conn *c, enum stmt which, const char *key, struct mm_arena *a,
		       reader rd, void *out)
{
	struct mm_pg_args args;

	if (!key)
		return MM_EINVAL;
	mm_pg_args_init(&args);
	mm_pg_arg_text(&args, key);
	return read_one(mm_pg_conn(c), which, &args, a, rd, out);
}

int mm_pg_session_get(struct mm_conn *c, const char *id_hash, struct mm_arena *a,
		      struct mm_session *out)
{
	return get_by_text(c, S_SESS_GET, id_hash, a, read_session, out);
}

int mm_pg_session_update(struct mm_conn *c, const struct mm_session *s)
{
	struct mm_pg_args a;

	if (!s->id_hash)
		return MM_EINVAL;
	mm_pg_args_init(&a);
	mm_pg_arg_int(&a, s->last_seen);
	mm_pg_arg_int(&a, s->mfa_pending ? 1 : 0);
	mm_pg_arg_text(&a, s->id_hash);
	return run_write(mm_pg_conn(c), S_SESS_UPDATE, &a, W_MUST_CHANGE, NULL);
}

int mm_pg_session_delete(struct mm_conn *c, const char *id_hash)
{
	struct mm_pg_args a;

	if (!id_hash)
		return MM_EINVAL;
	mm_pg_args_init(&a);
	mm_pg_arg_text(&a, id_hash);
	/* Ending a session moves the generation: principal caches drop it. */
	return run_write(mm_pg_conn(c), S_SESS_DELETE, &a, W_GEN, NULL);
}

static int write_ints(struct mm_conn *c, enum stmt which, const int64_t *v, size_t n, int flags)
{
	struct mm_pg_args a;

	mm_pg_args_init(&a);
	for (size_t i = 0; i < n; i++)
		mm_pg_arg_int(&a, v[i]);
	return run_write(mm_pg_conn(c), which, &a, flags, NULL);
}

int mm_pg_session_delete_account(struct mm_conn *c, int64_t account_id)
{
	return write_ints(c, S_SESS_DELETE_ACCT, &account_id, 1, W_GEN);
}

int mm_pg_session_purge(struct mm_conn *c, int64_t idle_before, int64_t absolute_before)
{
	const int64_t v[] = { idle_before, absolute_before };

	return write_ints(c, S_SESS_PURGE, v, 2, 0);
}

/* Tokens. */

int mm_pg_token_insert(struct mm_conn *c, struct mm_token *tok)
{
	struct mm_pg_args a;
	int64_t id = 0;
	int rc;

	if (!tok->hash)
		return MM_EINVAL;
	mm_pg_args_init(&a);
	mm_pg_arg_text(&a, tok->hash);
	mm_pg_arg_int(&a, tok->account_id);
	mm_pg_arg_text(&a, tok->label ? tok->label : "");
	mm_pg_arg_int(&a, tok->created_at);
	mm_pg_arg_int(&a, tok->expires_at);
	mm_pg_arg_int(&a, tok->revoked ? 1 : 0);
	mm_pg_arg_int(&a, tok->last_used);
	rc = run_write(mm_pg_conn(c), S_TOK_INSERT, &a, W_INSERT, &id);
	if (!rc)
		tok->id = id;
	return rc;
}

int mm_pg_token_by_hash(struct mm_conn *c, const char *hash, struct mm_arena *a,
			struct mm_token *out)
{
	return get_by_text(c, S_TOK_BY_HASH, hash, a, read_token, out);
}

int mm_pg_token_list(struct mm_conn *c, int64_t account_id, struct mm_arena *a,
		     struct mm_token **out, size_t *n)
{
	struct mm_pg_args args;
	void *v;
	int rc;

	mm_pg_args_init(&args);
	mm_pg_arg_int(&args, account_id);
	rc = read_all(mm_pg_conn(c), S_TOK_LIST, &args, a, sizeof(**out), read_token, &v, n);
	*out = v;
	return rc;
}

int mm_pg_token_revoke(struct mm_conn *c, int64_t id)
{
	return write_ints(c, S_TOK_REVOKE, &id, 1, W_MUST_CHANGE | W_GEN);
}

int mm_pg_token_used(struct mm_conn *c, int64_t id, int64_t now)
{
	const int64_t v[] = { now, id };

	return write_ints(c, S_TOK_USED, v, 2, W_MUST_CHANGE);
}

/* Rate counters. */

int mm_pg_rate_hit(struct mm_conn *c, const char *key, int64_t window, int64_t now, int64_t *count)
{
	struct mm_pg_args a;
	int64_t hits = 0;
	int rc;

	if (!key || window < 1 || now < 0)
		return MM_EINVAL;
	mm_pg_args_init(&a);
	mm_pg_arg_text(&a, key);
	mm_pg_arg_int(&a, now - now % window);
	rc = run_write(mm_pg_conn(c), S_RATE_HIT, &a, 0, &hits);
	if (!rc)
		*count = hits;
	return rc;
}

/* Audit events. */

int mm_pg_audit_list(struct mm_conn *c, const char *action, size_t limit, struct mm_arena *a,
		     struct mm_audit_event **out, size_t *n)
{
	struct mm_pg_args args;
	void *v;
	int rc;

	mm_pg_args_init(&args);
	if (action)
		mm_pg_arg_text(&args, action);
	mm_pg_arg_int(&args, (uint64_t)limit > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)limit);
	rc = read_all(mm_pg_conn(c), action ? S_AUDIT_LIST_ACTION : S_AUDIT_LIST, &args, a,
		      sizeof(**out), read_event, &v, n);
	*out = v;
	return rc;
}
