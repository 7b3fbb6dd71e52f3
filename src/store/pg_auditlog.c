/* The PostgreSQL backend's audit log (auditlog.h). Appends serialise on
 * one row, audit_head (pg_schema.c), which holds the last entry's seq,
 * chain value and time: an append locks it (SELECT ... FOR UPDATE), takes
 * the next seq and the chain from it, and inserts the entry and moves the
 * head in one statement of the same transaction. So seqs have no gaps and
 * follow commit order with any number of writers, and an entry rolls back
 * with the transaction it is part of. No sequence object hands out seqs:
 * those skip values on rollback.
 *
 * The canonical bytes hashed are store/auditlog.c's, the same as SQLite's,
 * and times never go back, as in sqlite_auditlog.c (at_clock). */
#include "store/pg_int.h"

#include "core/err.h"

#include <stdlib.h>
#include <string.h>

enum stmt {
	A_HEAD,
	A_HEAD_LOCK,
	A_APPEND,
	A_SCAN,
	A_CKPT_ADD,
	A_CKPT_LIST,
	A_CKPT_LATEST,
	A_CUT_GET,
	A_CUT_SET,
	A_PRUNE,
	A_COUNT
};

enum { SCAN_BATCH = 2000 };

/* The head row and, beside it, the last entry of the table: rows written
 * into audit_events by hand, behind mamori's back, are followed as SQLite
 * follows them (verify then names them). Locked, the head row is read as
 * committed by the writer before (the entry's snapshot may be older, and
 * then its seq is not above the head's). */
#define HEAD_SQL                                                                                   \
	"SELECT h.seq, h.chain, h.at, e.seq, e.chain, e.at FROM audit_head AS h LEFT JOIN "        \
	"LATERAL "                                                                                 \
	"(SELECT seq, chain, at FROM audit_events ORDER BY seq DESC LIMIT 1) AS e ON true "        \
	"WHERE h.id = 1"

#define ENTRY_COLS                                                                                 \
	"seq, at, account_id, actor, ip, request_id, action, object, result, details, person_id"

static const char *const sql[A_COUNT] = {
	[A_HEAD] = HEAD_SQL,
	[A_HEAD_LOCK] = HEAD_SQL " FOR UPDATE OF h",
	[A_APPEND] = "WITH entry AS (INSERT INTO audit_events(" ENTRY_COLS ", chain) "
		     "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)) "
		     "UPDATE audit_head SET seq = $1, chain = $12, at = $2 WHERE id = 1",
	[A_SCAN] = "SELECT " ENTRY_COLS ", chain FROM audit_events WHERE seq >= $1 AND seq <= $2 "
		   "ORDER BY seq LIMIT "
		   "2000",
	[A_CKPT_ADD] = "INSERT INTO audit_checkpoints(size, root, at, clock, note, frontier) "
		       "VALUES($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
	[A_CKPT_LIST] = "SELECT size, root, at, clock, note, frontier FROM audit_checkpoints "
			"ORDER BY size",
	[A_CKPT_LATEST] = "SELECT size, root, at, clock, note, frontier FROM audit_checkpoints "
			  "ORDER BY size DESC LIMIT 1",
	[A_CUT_GET] = "SELECT size, chain, frontier, at FROM audit_cut WHERE id = 1",
	[A_CUT_SET] =
		"INSERT INTO audit_cut(id, size, chain, frontier, at) VALUES(1, $1, $2, $3, $4) "
		"ON CONFLICT(id) DO UPDATE SET size = excluded.size, chain = excluded.chain, "
		"frontier = excluded.frontier, at = excluded.at",
	[A_PRUNE] = "DELETE FROM audit_events WHERE seq <= $1",
};

/* The head row from the last entry, or the archive cut, or zeros; at NULL
 * when there is no entry to follow in time. */
#define HEAD_FROM_LOG                                                                              \
	"INSERT INTO audit_head(id, seq, chain, at) SELECT 1, coalesce(e.seq, c.size, 0), "        \
	"coalesce(e.chain, c.chain, decode(repeat('00', 32), 'hex')), e.at FROM (SELECT 1) AS "    \
	"one "                                                                                     \
	"LEFT JOIN (SELECT seq, chain, at FROM audit_events ORDER BY seq DESC LIMIT 1) AS e ON "   \
	"true LEFT JOIN audit_cut AS c ON c.id = 1 "

static int run(struct mm_pg_conn *pc, enum stmt which, const struct mm_pg_args *a, PGresult **out)
{
	return mm_pg_lazy_run(pc, &pc->alog, A_COUNT, sql, which, a, out);
}

int mm_pg_alog_head_rebuild(struct mm_pg_conn *pc, bool force)
{
	return mm_pg_exec(pc, force ? HEAD_FROM_LOG "ON CONFLICT(id) DO UPDATE SET "
						    "seq = excluded.seq, chain = excluded.chain, "
						    "at = excluded.at"
				    : HEAD_FROM_LOG "ON CONFLICT(id) DO NOTHING");
}

static void read_hash(const PGresult *r, int row, int col, uint8_t out[MM_HASH_LEN])
{
	size_t n;

	if (!mm_pg_bytes(r, row, col, out, MM_HASH_LEN, &n) || n != MM_HASH_LEN)
		memset(out, 0, MM_HASH_LEN);
}

static int cut_get(struct mm_pg_conn *pc, struct mm_arena *a, struct mm_alog_cut *out)
{
	PGresult *res;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = run(pc, A_CUT_GET, NULL, &res);
	if (rc)
		return rc;
	if (!PQntuples(res)) {
		PQclear(res);
		return MM_ENOTFOUND;
	}
	out->size = mm_pg_int(res, 0, 0);
	read_hash(res, 0, 1, out->chain);
	out->at = mm_pg_int(res, 0, 3);
	if (a)
		rc = mm_pg_dup_bytes(res, 0, 2, a, &out->frontier, &out->frontier_len);
	PQclear(res);
	return rc;
}

int mm_pg_alog_cut_get(struct mm_conn *c, struct mm_arena *a, struct mm_alog_cut *out)
{
	return cut_get(mm_pg_conn(c), a, out);
}

/* Begins an append outside a transaction: its transaction and the
 * head's lock in one round trip. */
#define BEGIN_LOCKED "BEGIN ISOLATION LEVEL READ COMMITTED; " HEAD_SQL " FOR UPDATE OF h"

/* The head's seq, chain value and time (INT64_MIN: none to follow);
 * lock: locked until the transaction ends; begin: that transaction is
 * begun here. */
static int head_at(struct mm_pg_conn *pc, bool lock, bool begin, int64_t *seq,
		   uint8_t chain[MM_HASH_LEN], int64_t *at)
{
	PGresult *res;
	int rc = begin ? mm_pg_exec_rows(pc, BEGIN_LOCKED, &res)
		       : run(pc, lock ? A_HEAD_LOCK : A_HEAD, NULL, &res);

	*seq = 0;
	*at = INT64_MIN;
	memset(chain, 0, MM_HASH_LEN);
	if (rc)
		return rc;
	if (PQntuples(res)) {
		int k = !mm_pg_null(res, 0, 3) && mm_pg_int(res, 0, 3) > mm_pg_int(res, 0, 0) ? 3
											      : 0;
		*seq = mm_pg_int(res, 0, k);
		read_hash(res, 0, k + 1, chain);
		if (!mm_pg_null(res, 0, k + 2))
			*at = mm_pg_int(res, 0, k + 2);
	}
	PQclear(res);
	return MM_OK;
}

static int head(struct mm_pg_conn *pc, bool lock, int64_t *seq, uint8_t chain[MM_HASH_LEN],
		int64_t *at)
{
	return head_at(pc, lock, false, seq, chain, at);
}

int mm_pg_alog_head(struct mm_conn *c, int64_t *seq, uint8_t chain[MM_HASH_LEN])
{
	int64_t at;

	return head(mm_pg_conn(c), false, seq, chain, &at);
}

/* Gives e the time last when its own is earlier, keeping its own first in
 * its details as "at_clock" (as sqlite_auditlog.c does). */
static int follow_time(struct mm_audit_event *e, int64_t last, struct mm_buf *d)
{
	const char *rest = e->details + 1;

	if (e->at >= last)
		return MM_OK;
	if (e->details[0] == '{') {
		while (*rest == ' ' || *rest == '\t' || *rest == '\n' || *rest == '\r')
			rest++;
		mm_buf_printf(d, "{\"at_clock\":%lld%s%s", (long long)e->at,
			      *rest == '}' ? "" : ",", rest);
		if (d->err)
			return MM_ENOMEM;
		e->details = d->data;
	}
	e->at = last;
	return MM_OK;
}

static void arg_entry(struct mm_pg_args *a, const struct mm_audit_event *e)
{
	const char *text[] = { e->actor,  e->ip,     e->request_id, e->action,
			       e->object, e->result, e->details };

	mm_pg_arg_int(a, e->seq);
	mm_pg_arg_int(a, e->at);
	mm_pg_arg_int(a, e->account_id);
	for (int i = 0; i < 7; i++)
		mm_pg_arg_text(a, text[i]);
	mm_pg_arg_int(a, e->person_id);
}

/* Appends inside the open transaction: lock the head, time, hashes, then
 * the entry and the new head in one statement. */
static int append(struct mm_pg_conn *pc, struct mm_audit_event *e, bool begin)
{
	uint8_t prev[MM_HASH_LEN], leaf[MM_HASH_LEN], chain[MM_HASH_LEN];
	struct mm_pg_args a;
	struct mm_buf details;
	int64_t seq, last;
	int rc;

	mm_buf_init(&details, MM_ALOG_CANON_CAP);
	mm_pg_args_init(&a);
	rc = head_at(pc, true, begin, &seq, prev, &last);
	if (!rc)
		rc = follow_time(e, last, &details);
	if (rc)
		goto out;
	e->seq = seq + 1;
	rc = mm_alog_leaf(e, &pc->canon, leaf);
	if (rc)
		goto out;
	mm_alog_chain(prev, leaf, chain);
	arg_entry(&a, e);
	mm_pg_arg_bytes(&a, chain, MM_HASH_LEN);
	rc = run(pc, A_APPEND, &a, NULL);
out:
	mm_pg_args_free(&a);
	mm_buf_free(&details);
	return rc;
}

int mm_pg_audit_insert(struct mm_conn *c, struct mm_audit_event *e)
{
	struct mm_pg_conn *pc = mm_pg_conn(c);
	struct mm_audit_event x;
	int rc;

	if (!e->action || !e->result)
		return MM_EINVAL;
	x = *e;
	x.actor = x.actor ? x.actor : "";
	x.ip = x.ip ? x.ip : "";
	x.request_id = x.request_id ? x.request_id : "";
	x.object = x.object ? x.object : "";
	x.details = x.details ? x.details : "{}";
	if (mm_pg_in_tx(pc)) {
		rc = append(pc, &x, false);
	} else {
		pc->gen_dirty = false;
		rc = append(pc, &x, true);
		if (rc)
			mm_pg_tx_rollback(c);
		else
			rc = mm_pg_tx_commit(c);
	}
	if (!rc) {
		e->seq = x.seq;
		e->at = x.at;
	}
	return rc;
}

/* The entry of a scan row; its strings stay the result's. */
static void read_entry(const PGresult *r, int i, struct mm_audit_event *e)
{
	const char **text[] = { &e->actor,  &e->ip,	&e->request_id, &e->action,
				&e->object, &e->result, &e->details };

	memset(e, 0, sizeof(*e));
	e->seq = mm_pg_int(r, i, 0);
	e->at = mm_pg_int(r, i, 1);
	e->account_id = mm_pg_int(r, i, 2);
	for (int k = 0; k < 7; k++)
		*text[k] = PQgetvalue(r, i, 3 + k);
	e->person_id = mm_pg_int(r, i, 10);
}

/* Reads the range in batches, so that a long log is never held in memory
 * at once. */
int mm_pg_alog_scan(struct mm_conn *c, int64_t from, int64_t to, mm_alog_fn fn, void *arg)
{
	struct mm_pg_conn *pc = mm_pg_conn(c);
	uint8_t chain[MM_HASH_LEN];
	struct mm_audit_event e;
	struct mm_pg_args a;
	int64_t next = from;
	int rc = MM_OK, rows = SCAN_BATCH;

	mm_pg_args_init(&a);
	while (!rc && rows == SCAN_BATCH) {
		PGresult *res;

		mm_pg_args_reset(&a);
		mm_pg_arg_int(&a, next);
		mm_pg_arg_int(&a, to > 0 ? to : INT64_MAX);
		rc = run(pc, A_SCAN, &a, &res);
		if (rc)
			break;
		rows = PQntuples(res);
		for (int i = 0; i < rows && !rc; i++) {
			read_entry(res, i, &e);
			read_hash(res, i, 11, chain);
			rc = fn(arg, &e, chain);
			next = e.seq + 1;
		}
		PQclear(res);
	}
	mm_pg_args_free(&a);
	return rc;
}

int mm_pg_alog_ckpt_add(struct mm_conn *c, const struct mm_alog_ckpt *ck)
{
	struct mm_pg_conn *pc = mm_pg_conn(c);
	struct mm_pg_args a;
	PGresult *res = NULL;
	int rc;

	if (!ck->clock || !ck->note || ck->size < 0)
		return MM_EINVAL;
	mm_pg_args_init(&a);
	mm_pg_arg_int(&a, ck->size);
	mm_pg_arg_bytes(&a, ck->root, MM_HASH_LEN);
	mm_pg_arg_int(&a, ck->at);
	mm_pg_arg_text(&a, ck->clock);
	mm_pg_arg_text(&a, ck->note);
	mm_pg_arg_bytes(&a, ck->frontier, ck->frontier_len);
	rc = run(pc, A_CKPT_ADD, &a, &res);
	if (!rc && mm_pg_changes(res) == 0)
		rc = MM_ECONFLICT; /* one of that size exists */
	PQclear(res);
	mm_pg_args_free(&a);
	return rc;
}

static int read_ckpt(const PGresult *r, int i, struct mm_arena *a, struct mm_alog_ckpt *ck)
{
	int rc;

	memset(ck, 0, sizeof(*ck));
	ck->size = mm_pg_int(r, i, 0);
	read_hash(r, i, 1, ck->root);
	ck->at = mm_pg_int(r, i, 2);
	rc = mm_pg_dup_text(r, i, 3, a, &ck->clock);
	if (!rc)
		rc = mm_pg_dup_text(r, i, 4, a, &ck->note);
	if (!rc)
		rc = mm_pg_dup_bytes(r, i, 5, a, &ck->frontier, &ck->frontier_len);
	return rc;
}

int mm_pg_alog_ckpt_list(struct mm_conn *c, struct mm_arena *a, struct mm_alog_ckpt **out,
			 size_t *n)
{
	struct mm_alog_ckpt *v;
	PGresult *res;
	int rc, rows;

	*out = NULL;
	*n = 0;
	rc = run(mm_pg_conn(c), A_CKPT_LIST, NULL, &res);
	if (rc)
		return rc;
	rows = PQntuples(res);
	v = mm_arena_zalloc(a, ((size_t)rows + 1) * sizeof(*v));
	if (!v)
		rc = MM_ENOMEM;
	for (int i = 0; i < rows && !rc; i++)
		rc = read_ckpt(res, i, a, &v[i]);
	PQclear(res);
	if (!rc) {
		*out = v;
		*n = (size_t)rows;
	}
	return rc;
}

int mm_pg_alog_ckpt_latest(struct mm_conn *c, struct mm_arena *a, struct mm_alog_ckpt *out)
{
	PGresult *res;
	int rc = run(mm_pg_conn(c), A_CKPT_LATEST, NULL, &res);

	if (rc)
		return rc;
	rc = PQntuples(res) ? read_ckpt(res, 0, a, out) : MM_ENOTFOUND;
	PQclear(res);
	return rc;
}

static int prune(struct mm_pg_conn *pc, const struct mm_alog_cut *cut)
{
	uint8_t chain[MM_HASH_LEN];
	struct mm_alog_cut old;
	struct mm_pg_args a;
	int64_t last, at;
	int rc;

	/* The head's lock keeps appends out until the cut is in place. */
	rc = head(pc, true, &last, chain, &at);
	if (rc)
		return rc;
	rc = cut_get(pc, NULL, &old);
	if (rc == MM_ENOTFOUND) {
		old.size = 0;
		rc = MM_OK;
	}
	if (!rc && (cut->size <= old.size || cut->size >= last))
		rc = MM_EINVAL;
	if (rc)
		return rc;
	mm_pg_args_init(&a);
	mm_pg_arg_int(&a, cut->size);
	mm_pg_arg_bytes(&a, cut->chain, MM_HASH_LEN);
	mm_pg_arg_bytes(&a, cut->frontier, cut->frontier_len);
	mm_pg_arg_int(&a, cut->at);
	rc = run(pc, A_CUT_SET, &a, NULL);
	mm_pg_args_reset(&a);
	mm_pg_arg_int(&a, cut->size);
	if (!rc)
		rc = run(pc, A_PRUNE, &a, NULL);
	mm_pg_args_free(&a);
	return rc;
}

int mm_pg_alog_prune(struct mm_conn *c, const struct mm_alog_cut *cut)
{
	struct mm_pg_conn *pc = mm_pg_conn(c);
	int rc = mm_pg_op_begin(pc, true);

	return rc ? rc : mm_pg_op_end(pc, prune(pc, cut));
}
