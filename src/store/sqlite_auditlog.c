/* The SQLite backend's audit log (auditlog.h): appends that take the next
 * sequence number and chain value from the chain head inside the write,
 * ordered scans, signed checkpoints and the cut an archive leaves. The
 * tables come from migrations 9 and 12 in sqlite_schema.c.
 *
 * An entry's time is never before the previous entry's (migration 14):
 * when the time given is earlier (a request that began before one that
 * was recorded first, or a clock set back), the entry takes the previous
 * entry's time and keeps the time given in its details as "at_clock".
 * Periods are then ranges of seq (sqlite_auditrange.c). */
#include "store/sqlite_int.h"

#include "core/err.h"

#include <stdlib.h>
#include <string.h>

enum stmt {
	A_HEAD,
	A_INSERT,
	A_SCAN,
	A_CKPT_ADD,
	A_CKPT_LIST,
	A_CKPT_LATEST,
	A_CUT_GET,
	A_CUT_SET,
	A_PRUNE,
	A_UNCHAINED,
	A_SET_CHAIN,
	A_COUNT
};

#define ENTRY_COLS                                                                                 \
	"seq, at, account_id, actor, ip, request_id, action, object, result, details, person_id"

static const char *const sql[A_COUNT] = {
	[A_HEAD] = "SELECT seq, chain, at FROM audit_events ORDER BY seq DESC LIMIT 1",
	[A_INSERT] = "INSERT INTO audit_events(" ENTRY_COLS ", chain) "
		     "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[A_SCAN] = "SELECT " ENTRY_COLS ", chain FROM audit_events WHERE seq >= ? AND seq <= ? "
		   "ORDER BY seq",
	[A_CKPT_ADD] = "INSERT INTO audit_checkpoints(size, root, at, clock, note, frontier) "
		       "VALUES(?, ?, ?, ?, ?, ?)",
	[A_CKPT_LIST] = "SELECT size, root, at, clock, note, frontier FROM audit_checkpoints "
			"ORDER BY size",
	[A_CKPT_LATEST] = "SELECT size, root, at, clock, note, frontier FROM audit_checkpoints "
			  "ORDER BY size DESC LIMIT 1",
	[A_CUT_GET] = "SELECT size, chain, frontier, at FROM audit_cut WHERE id = 1",
	[A_CUT_SET] = "INSERT INTO audit_cut(id, size, chain, frontier, at) VALUES(1, ?, ?, ?, ?) "
		      "ON CONFLICT(id) DO UPDATE SET size = excluded.size, chain = excluded.chain, "
		      "frontier = excluded.frontier, at = excluded.at",
	[A_PRUNE] = "DELETE FROM audit_events WHERE seq <= ?",
	[A_UNCHAINED] = "SELECT count(*) FROM audit_events WHERE chain IS NULL",
	[A_SET_CHAIN] = "UPDATE audit_events SET chain = ? WHERE seq = ?",
};

static int stmt(struct mm_sq_conn *sc, enum stmt which, sqlite3_stmt **out)
{
	return mm_sq_lazy(sc, &sc->alog, A_COUNT, sql, which, out);
}

/* Steps a statement once; MM_OK with *row telling whether it gave one. */
static int step(struct mm_sq_conn *sc, sqlite3_stmt *st, bool *row)
{
	int src = mm_sq_step(sc, st);

	*row = src == SQLITE_ROW;
	return src == SQLITE_ROW || src == SQLITE_DONE ? MM_OK : mm_sq_fail(sc, src);
}

/* Copies a 32-byte blob column; false when it is not one. */
static bool read_hash(sqlite3_stmt *st, int col, uint8_t out[MM_HASH_LEN])
{
	const void *p = sqlite3_column_blob(st, col);

	if (!p || sqlite3_column_bytes(st, col) != MM_HASH_LEN) {
		memset(out, 0, MM_HASH_LEN);
		return false;
	}
	memcpy(out, p, MM_HASH_LEN);
	return true;
}

/* Copies a blob column into the arena. */
static int dup_blob(sqlite3_stmt *st, int col, struct mm_arena *a, const void **out, size_t *n)
{
	const void *p = sqlite3_column_blob(st, col);
	size_t len = (size_t)sqlite3_column_bytes(st, col);
	void *q;

	*out = NULL;
	*n = 0;
	if (!len)
		return MM_OK;
	q = mm_arena_alloc(a, len);
	if (!q)
		return MM_ENOMEM;
	memcpy(q, p, len);
	*out = q;
	*n = len;
	return MM_OK;
}

static int cut_get(struct mm_sq_conn *sc, struct mm_arena *a, struct mm_alog_cut *out)
{
	sqlite3_stmt *st;
	bool row;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = stmt(sc, A_CUT_GET, &st);
	if (rc)
		return rc;
	rc = step(sc, st, &row);
	if (!rc && !row)
		rc = MM_ENOTFOUND;
	if (!rc) {
		out->size = sqlite3_column_int64(st, 0);
		read_hash(st, 1, out->chain);
		out->at = sqlite3_column_int64(st, 3);
		rc = a ? dup_blob(st, 2, a, &out->frontier, &out->frontier_len) : MM_OK;
	}
	mm_sq_done(st);
	return rc;
}

int mm_sq_alog_cut_get(struct mm_conn *c, struct mm_arena *a, struct mm_alog_cut *out)
{
	return cut_get(mm_sq_conn(c), a, out);
}

/* The head's seq, chain value and time (INT64_MIN when the head is the
 * archive cut or the log is empty: no entry to follow in time). */
static int head(struct mm_sq_conn *sc, int64_t *seq, uint8_t chain[MM_HASH_LEN], int64_t *at)
{
	struct mm_alog_cut cut;
	sqlite3_stmt *st;
	bool row;
	int rc;

	*at = INT64_MIN;
	rc = stmt(sc, A_HEAD, &st);
	if (rc)
		return rc;
	rc = step(sc, st, &row);
	if (!rc && row) {
		*seq = sqlite3_column_int64(st, 0);
		read_hash(st, 1, chain);
		*at = sqlite3_column_int64(st, 2);
	}
	mm_sq_done(st);
	if (rc || row)
		return rc;
	rc = cut_get(sc, NULL, &cut);
	if (rc == MM_ENOTFOUND) {
		*seq = 0;
		memset(chain, 0, MM_HASH_LEN);
		return MM_OK;
	}
	if (!rc) {
		*seq = cut.size;
		memcpy(chain, cut.chain, MM_HASH_LEN);
	}
	return rc;
}

int mm_sq_alog_head(struct mm_conn *c, int64_t *seq, uint8_t chain[MM_HASH_LEN])
{
	int64_t at;

	return head(mm_sq_conn(c), seq, chain, &at);
}

/* Binds the entry's columns (ENTRY_COLS order) from parameter 1. */
static int bind_entry(sqlite3_stmt *st, const struct mm_audit_event *e)
{
	const char *text[] = { e->actor,  e->ip,     e->request_id, e->action,
			       e->object, e->result, e->details };
	int src;

	src = sqlite3_bind_int64(st, 1, e->seq);
	if (!src)
		src = sqlite3_bind_int64(st, 2, e->at);
	if (!src)
		src = sqlite3_bind_int64(st, 3, e->account_id);
	for (int i = 0; i < 7 && !src; i++)
		src = sqlite3_bind_text(st, 4 + i, text[i], -1, SQLITE_STATIC);
	if (!src)
		src = sqlite3_bind_int64(st, 11, e->person_id);
	return src;
}

/* Gives e the time last when its own is earlier, and puts its own time
 * first in its details as "at_clock" (details that are not a JSON object
 * stay as they are). d holds the new details; the caller frees it. */
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

/* Appends inside the open operation: head, time, hashes, insert. */
static int append(struct mm_sq_conn *sc, struct mm_audit_event *e)
{
	uint8_t prev[MM_HASH_LEN], leaf[MM_HASH_LEN], chain[MM_HASH_LEN];
	struct mm_buf details;
	sqlite3_stmt *st = NULL;
	int64_t seq, last;
	int rc, src;

	mm_buf_init(&details, MM_ALOG_CANON_CAP);
	rc = head(sc, &seq, prev, &last);
	if (!rc)
		rc = follow_time(e, last, &details);
	if (rc)
		goto out;
	e->seq = seq + 1;
	rc = mm_alog_leaf(e, &sc->canon, leaf);
	if (!rc)
		rc = stmt(sc, A_INSERT, &st);
	if (rc)
		goto out;
	mm_alog_chain(prev, leaf, chain);
	src = bind_entry(st, e);
	if (!src)
		src = sqlite3_bind_blob(st, 12, chain, MM_HASH_LEN, SQLITE_STATIC);
	if (src) {
		mm_sq_done(st);
		rc = mm_sq_fail(sc, src);
	} else {
		rc = mm_sq_step_done(sc, st);
	}
out:
	mm_buf_free(&details);
	return rc;
}

int mm_sq_audit_insert(struct mm_conn *c, struct mm_audit_event *e)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
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
	/* Inside a transaction the append needs no savepoint of its own: it
	 * reads the head and then writes with one INSERT, which SQLite makes
	 * atomic by itself, and the transaction's write lock keeps the head
	 * from moving in between. A savepoint would cost two more statements
	 * and a copy of every page the insert touches. */
	if (!mm_sq_autocommit(sc))
		rc = append(sc, &x);
	else if (!(rc = mm_sq_op_begin(sc, true)))
		rc = mm_sq_op_end(sc, append(sc, &x));
	if (!rc) {
		e->seq = x.seq;
		e->at = x.at;
	}
	return rc;
}

/* Reads the entry of a scan row; its strings stay SQLite's. */
static void read_entry(sqlite3_stmt *st, struct mm_audit_event *e)
{
	const char **text[] = { &e->actor,  &e->ip,	&e->request_id, &e->action,
				&e->object, &e->result, &e->details };

	e->seq = sqlite3_column_int64(st, 0);
	e->at = sqlite3_column_int64(st, 1);
	e->account_id = sqlite3_column_int64(st, 2);
	for (int i = 0; i < 7; i++) {
		const char *s = (const char *)sqlite3_column_text(st, 3 + i);
		*text[i] = s ? s : "";
	}
	e->person_id = sqlite3_column_int64(st, 10);
}

int mm_sq_alog_scan(struct mm_conn *c, int64_t from, int64_t to, mm_alog_fn fn, void *arg)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	uint8_t chain[MM_HASH_LEN];
	struct mm_audit_event e;
	sqlite3_stmt *st;
	bool row = true;
	int rc;

	rc = stmt(sc, A_SCAN, &st);
	if (rc)
		return rc;
	if (sqlite3_bind_int64(st, 1, from) || sqlite3_bind_int64(st, 2, to > 0 ? to : INT64_MAX)) {
		mm_sq_done(st);
		return MM_EDB;
	}
	while (!rc) {
		rc = step(sc, st, &row);
		if (rc || !row)
			break;
		read_entry(st, &e);
		read_hash(st, 11, chain);
		rc = fn(arg, &e, chain);
	}
	mm_sq_done(st);
	return rc;
}

int mm_sq_alog_ckpt_add(struct mm_conn *c, const struct mm_alog_ckpt *ck)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	sqlite3_stmt *st;
	int rc, src;

	if (!ck->clock || !ck->note || ck->size < 0)
		return MM_EINVAL;
	rc = stmt(sc, A_CKPT_ADD, &st);
	if (rc)
		return rc;
	src = sqlite3_bind_int64(st, 1, ck->size);
	if (!src)
		src = sqlite3_bind_blob(st, 2, ck->root, MM_HASH_LEN, SQLITE_STATIC);
	if (!src)
		src = sqlite3_bind_int64(st, 3, ck->at);
	if (!src)
		src = sqlite3_bind_text(st, 4, ck->clock, -1, SQLITE_STATIC);
	if (!src)
		src = sqlite3_bind_text(st, 5, ck->note, -1, SQLITE_STATIC);
	if (!src)
		src = sqlite3_bind_blob(st, 6, ck->frontier ? ck->frontier : "",
					(int)ck->frontier_len, SQLITE_STATIC);
	if (src) {
		mm_sq_done(st);
		return mm_sq_fail(sc, src);
	}
	rc = mm_sq_op_begin(sc, true);
	if (rc) {
		mm_sq_done(st);
		return rc;
	}
	rc = mm_sq_step_done(sc, st);
	return mm_sq_op_end(sc, rc);
}

static int read_ckpt(sqlite3_stmt *st, struct mm_arena *a, struct mm_alog_ckpt *ck)
{
	int rc;

	memset(ck, 0, sizeof(*ck));
	ck->size = sqlite3_column_int64(st, 0);
	read_hash(st, 1, ck->root);
	ck->at = sqlite3_column_int64(st, 2);
	rc = mm_sq_dup_text(st, 3, a, &ck->clock);
	if (!rc)
		rc = mm_sq_dup_text(st, 4, a, &ck->note);
	if (!rc)
		rc = dup_blob(st, 5, a, &ck->frontier, &ck->frontier_len);
	return rc;
}

int mm_sq_alog_ckpt_list(struct mm_conn *c, struct mm_arena *a, struct mm_alog_ckpt **out,
			 size_t *n)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	struct mm_alog_ckpt *v = NULL;
	size_t cap = 0;
	sqlite3_stmt *st;
	bool row = true;
	int rc;

	*out = NULL;
	*n = 0;
	rc = stmt(sc, A_CKPT_LIST, &st);
	while (!rc) {
		rc = step(sc, st, &row);
		if (rc || !row)
			break;
		if (!mm_arena_grow(a, &v, *n, &cap, sizeof(*v), 16)) {
			rc = MM_ENOMEM;
			break;
		}
		rc = read_ckpt(st, a, &v[*n]);
		if (!rc)
			(*n)++;
	}
	if (st)
		mm_sq_done(st);
	*out = v;
	return rc;
}

int mm_sq_alog_ckpt_latest(struct mm_conn *c, struct mm_arena *a, struct mm_alog_ckpt *out)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	sqlite3_stmt *st = NULL;
	bool row = false;
	int rc = stmt(sc, A_CKPT_LATEST, &st);

	if (!rc)
		rc = step(sc, st, &row);
	if (!rc && row)
		rc = read_ckpt(st, a, out);
	if (!rc && !row)
		rc = MM_ENOTFOUND;
	if (st)
		mm_sq_done(st);
	return rc;
}

int mm_sq_alog_prune(struct mm_conn *c, const struct mm_alog_cut *cut)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	uint8_t chain[MM_HASH_LEN];
	struct mm_alog_cut old;
	sqlite3_stmt *st;
	int64_t last, at;
	int rc, src;

	rc = mm_sq_op_begin(sc, true);
	if (rc)
		return rc;
	rc = head(sc, &last, chain, &at);
	if (!rc) {
		rc = cut_get(sc, NULL, &old);
		if (rc == MM_ENOTFOUND) {
			old.size = 0;
			rc = MM_OK;
		}
	}
	if (!rc && (cut->size <= old.size || cut->size >= last))
		rc = MM_EINVAL;
	if (!rc)
		rc = stmt(sc, A_CUT_SET, &st);
	if (!rc) {
		src = sqlite3_bind_int64(st, 1, cut->size);
		if (!src)
			src = sqlite3_bind_blob(st, 2, cut->chain, MM_HASH_LEN, SQLITE_STATIC);
		if (!src)
			src = sqlite3_bind_blob(st, 3, cut->frontier ? cut->frontier : "",
						(int)cut->frontier_len, SQLITE_STATIC);
		if (!src)
			src = sqlite3_bind_int64(st, 4, cut->at);
		rc = src ? mm_sq_fail(sc, src) : mm_sq_step_done(sc, st);
		if (src)
			mm_sq_done(st);
	}
	if (!rc)
		rc = stmt(sc, A_PRUNE, &st);
	if (!rc) {
		sqlite3_bind_int64(st, 1, cut->size);
		rc = mm_sq_step_done(sc, st);
	}
	return mm_sq_op_end(sc, rc);
}

/* Backfill: the chain values of entries written before migration 12. */
struct backfill {
	uint8_t prev[MM_HASH_LEN];
	struct mm_buf canon;
	int64_t *seq;
	uint8_t (*chain)[MM_HASH_LEN];
	size_t n, cap;
};

static int backfill_one(void *arg, const struct mm_audit_event *e, const uint8_t chain[MM_HASH_LEN])
{
	struct backfill *bf = arg;
	uint8_t leaf[MM_HASH_LEN];
	int rc;

	(void)chain;
	if (bf->n == bf->cap) {
		size_t cap = bf->cap ? bf->cap * 2 : 256;
		int64_t *s = realloc(bf->seq, cap * sizeof(*s));
		uint8_t(*h)[MM_HASH_LEN];

		if (s)
			bf->seq = s;
		h = s ? realloc(bf->chain, cap * sizeof(*h)) : NULL;
		if (!h)
			return MM_ENOMEM;
		bf->chain = h;
		bf->cap = cap;
	}
	rc = mm_alog_leaf(e, &bf->canon, leaf);
	if (rc)
		return rc;
	mm_alog_chain(bf->prev, leaf, bf->prev);
	bf->seq[bf->n] = e->seq;
	memcpy(bf->chain[bf->n++], bf->prev, MM_HASH_LEN);
	return MM_OK;
}

static int backfill_write(struct mm_sq_conn *sc, const struct backfill *bf)
{
	sqlite3_stmt *st;
	int rc = MM_OK;

	for (size_t i = 0; i < bf->n && !rc; i++) {
		rc = stmt(sc, A_SET_CHAIN, &st);
		if (rc)
			break;
		sqlite3_bind_blob(st, 1, bf->chain[i], MM_HASH_LEN, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, bf->seq[i]);
		rc = mm_sq_step_done(sc, st);
	}
	return rc;
}

int mm_sq_alog_backfill(struct mm_sq_conn *sc)
{
	struct backfill bf = { 0 };
	sqlite3_stmt *st;
	int64_t n = 0;
	bool row;
	int rc;

	rc = mm_sq_run_fixed(sc, FX_BEGIN_WRITE);
	if (rc)
		return rc;
	rc = stmt(sc, A_UNCHAINED, &st);
	if (!rc) {
		rc = step(sc, st, &row);
		n = row ? sqlite3_column_int64(st, 0) : 0;
		mm_sq_done(st);
	}
	/* Only a log that was never chained is chained here: entries of a
	 * chained log without a value stay so, and verify names them. */
	if (!rc && n > 0)
		rc = mm_sq_alog_scan(&sc->base, 1, 0, backfill_one, &bf);
	if (!rc && n > 0 && (int64_t)bf.n == n)
		rc = backfill_write(sc, &bf);
	if (!rc)
		rc = mm_sq_run_fixed(sc, FX_COMMIT);
	if (rc)
		mm_sq_tx_rollback(&sc->base);
	free(bf.seq);
	free(bf.chain);
	mm_buf_free(&bf.canon);
	return rc;
}
