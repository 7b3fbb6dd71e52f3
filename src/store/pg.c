/* The PostgreSQL backend: connections, durability checks, errors,
 * statements and transactions (see pg_int.h for which file does what).
 *
 * Transactions. mamori's domain reads and then writes inside one write
 * transaction (a unique value is free, a reference is active, the record
 * still has the version the user edited, the audit chain's head) and
 * relies on nothing changing in between, as SQLite's single writer
 * guarantees. A write transaction here is READ COMMITTED and takes one
 * transaction-level advisory lock at begin (WRITE_LOCK): writers run one at
 * a time, each statement sees everything committed before it, so what a
 * writer read cannot go stale before it writes, and no transaction ever
 * fails with a serialisation error that the domain would have to retry.
 * Readers are never blocked. A read transaction is REPEATABLE READ: a list
 * and its total, or the generation and what it covers, come from one
 * snapshot. A single write operation outside a transaction (a session
 * touch, a rate counter, an audit append) is a short READ COMMITTED
 * transaction of its own without the writers' lock: each is one atomic
 * statement, or serialises on the rows it changes (the audit chain head).
 *
 * Durability: a connection refuses a server that runs with fsync,
 * synchronous_commit or full_page_writes off (committed data could be lost
 * or torn by a crash), and recommends data checksums once. */
#include "store/pg_int.h"

#include "core/err.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Advisory lock key of writers (pg_schema.c has the migrations' own). */
#define WRITE_LOCK "7164917547437490001"

static const char begin_write[] =
	"BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(" WRITE_LOCK ")";
static const char begin_op_write[] = "BEGIN ISOLATION LEVEL READ COMMITTED";
static const char begin_read[] = "BEGIN ISOLATION LEVEL REPEATABLE READ";

#define GEN_BUMP                                                                                   \
	"INSERT INTO sequences(name, value) VALUES('generation', 1) ON CONFLICT(name) "            \
	"DO UPDATE SET value = sequences.value + 1"

/* The system columns every register table starts with, in read order. */
static const char system_cols[] = "id, version, retired, created_at, updated_at, updated_by";

/* Parameters. */

void mm_pg_args_init(struct mm_pg_args *a)
{
	memset(a, 0, sizeof(*a));
}

void mm_pg_args_free(struct mm_pg_args *a)
{
	free(a->v);
	memset(a, 0, sizeof(*a));
}

void mm_pg_args_reset(struct mm_pg_args *a)
{
	a->n = 0;
	a->err = false;
}

static void push(struct mm_pg_args *a, struct mm_pg_arg v)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		struct mm_pg_arg *p = realloc(a->v, cap * sizeof(*p));
		if (!p) {
			a->err = true;
			return;
		}
		a->v = p;
		a->cap = cap;
	}
	a->v[a->n++] = v;
}

void mm_pg_arg_int(struct mm_pg_args *a, int64_t i)
{
	push(a, (struct mm_pg_arg){ MM_PG_A_INT, i, NULL, 0 });
}

void mm_pg_arg_text(struct mm_pg_args *a, const char *s)
{
	push(a, (struct mm_pg_arg){ s ? MM_PG_A_TEXT : MM_PG_A_NULL, 0, s, 0 });
}

void mm_pg_arg_textn(struct mm_pg_args *a, const char *s, size_t n)
{
	push(a, (struct mm_pg_arg){ MM_PG_A_TEXT, 0, s ? s : "", n ? n : 0 });
	/* An empty text travels as "" in text format. */
	if (!n && !a->err)
		a->v[a->n - 1].s = "";
}

void mm_pg_arg_bytes(struct mm_pg_args *a, const void *p, size_t n)
{
	push(a, (struct mm_pg_arg){ MM_PG_A_BYTES, 0, p ? p : "", n });
}

void mm_pg_arg_null(struct mm_pg_args *a)
{
	push(a, (struct mm_pg_arg){ MM_PG_A_NULL, 0, NULL, 0 });
}

void mm_pg_add_param(struct mm_buf *b, const struct mm_pg_args *a)
{
	mm_buf_printf(b, "$%zu", a->n + 1);
}

/* The arrays libpq takes, from a; one allocation, freed with free(). */
struct wire {
	const char **v;
	int *len, *fmt;
	char (*num)[24];
};

static int wire_make(const struct mm_pg_args *a, struct wire *w)
{
	size_t n = a ? a->n : 0;
	char *mem;

	memset(w, 0, sizeof(*w));
	if (a && a->err)
		return MM_ENOMEM;
	if (!n)
		return MM_OK;
	mem = malloc(n * (sizeof(*w->v) + 2 * sizeof(int) + sizeof(*w->num)));
	if (!mem)
		return MM_ENOMEM;
	w->num = (char(*)[24])mem;
	w->v = (const char **)(mem + n * sizeof(*w->num));
	w->len = (int *)(mem + n * (sizeof(*w->num) + sizeof(*w->v)));
	w->fmt = w->len + n;
	for (size_t i = 0; i < n; i++) {
		const struct mm_pg_arg *x = &a->v[i];
		w->len[i] = 0;
		w->fmt[i] = 0;
		switch (x->kind) {
		case MM_PG_A_NULL:
			w->v[i] = NULL;
			break;
		case MM_PG_A_INT:
			snprintf(w->num[i], sizeof(w->num[i]), "%lld", (long long)x->i);
			w->v[i] = w->num[i];
			break;
		case MM_PG_A_TEXT:
			w->v[i] = x->s;
			if (x->len) { /* raw bytes: the binary form of text */
				w->len[i] = (int)x->len;
				w->fmt[i] = 1;
			}
			break;
		case MM_PG_A_BYTES:
			w->v[i] = x->s;
			w->len[i] = (int)x->len;
			w->fmt[i] = 1;
			break;
		}
	}
	return MM_OK;
}

/* Errors. */

void mm_pg_note(struct mm_pg_conn *pc, const char *msg)
{
	size_t n;

	snprintf(pc->base.errmsg, sizeof(pc->base.errmsg), "%s", msg ? msg : "");
	n = strlen(pc->base.errmsg);
	while (n && (pc->base.errmsg[n - 1] == '\n' || pc->base.errmsg[n - 1] == ' '))
		pc->base.errmsg[--n] = '\0';
}

/* Only the primary message: PostgreSQL's details may quote values. */
int mm_pg_fail(struct mm_pg_conn *pc, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	mm_pg_note(pc, msg ? msg : PQerrorMessage(pc->pg));
	if (!state)
		return PQstatus(pc->pg) == CONNECTION_BAD ? MM_EIO : MM_EDB;
	if (strcmp(state, "23505") == 0)
		return MM_ECONFLICT;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
	    strcmp(state, "55P03") == 0 || strcmp(state, "57014") == 0)
		return MM_EBUSY;
	if (strcmp(state, "53200") == 0)
		return MM_ENOMEM;
	if (strncmp(state, "53", 2) == 0 || strncmp(state, "08", 2) == 0 ||
	    strncmp(state, "58", 2) == 0 || strncmp(state, "57P", 3) == 0)
		return MM_EIO;
	return MM_EDB;
}

/* Checks a result: MM_OK for a command or rows; hands it to *out or
 * clears it. */
static int finish(struct mm_pg_conn *pc, PGresult *res, PGresult **out)
{
	ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	int rc = MM_OK;

	if (out)
		*out = NULL;
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		rc = mm_pg_fail(pc, res);
	if (!rc && out)
		*out = res;
	else
		PQclear(res);
	return rc;
}

/* A connection that broke between transactions is opened again; its
 * prepared statements are gone with it. */
static void revive(struct mm_pg_conn *pc)
{
	if (PQstatus(pc->pg) != CONNECTION_BAD)
		return;
	PQreset(pc->pg);
	pc->nprepared = 0;
	pc->epoch++;
	if (PQstatus(pc->pg) == CONNECTION_OK)
		PQclear(PQexec(pc->pg, "SET client_encoding = 'UTF8'; SET bytea_output = 'hex'; "
				       "SET client_min_messages = warning; SET jit = off"));
}

/* Makes the connection ready for a statement: the rows of an open COPY
 * (db copy) go first, and a lost connection is reopened. */
static int ready(struct mm_pg_conn *pc)
{
	int rc = mm_pg_copy_end(pc, true);

	revive(pc);
	return rc;
}

int mm_pg_exec(struct mm_pg_conn *pc, const char *sql)
{
	int rc = ready(pc);

	return rc ? rc : finish(pc, PQexec(pc->pg, sql), NULL);
}

int mm_pg_exec_rows(struct mm_pg_conn *pc, const char *sql, PGresult **out)
{
	int rc = ready(pc);

	*out = NULL;
	return rc ? rc : finish(pc, PQexec(pc->pg, sql), out);
}

int mm_pg_exec_buf(struct mm_pg_conn *pc, const struct mm_buf *b)
{
	if (b->err) {
		mm_pg_note(pc, "generated SQL too long");
		return MM_ENOMEM;
	}
	return mm_pg_exec(pc, b->data);
}

int mm_pg_query(struct mm_pg_conn *pc, const char *sql, const struct mm_pg_args *a, PGresult **out)
{
	struct wire w;
	int rc = wire_make(a, &w);

	if (out)
		*out = NULL;
	if (rc)
		return rc;
	rc = ready(pc);
	if (rc) {
		free(w.num);
		return rc;
	}
	rc = finish(pc, PQexecParams(pc->pg, sql, a ? (int)a->n : 0, NULL, w.v, w.len, w.fmt, 0),
		    out);
	free(w.num);
	return rc;
}

int mm_pg_run(struct mm_pg_conn *pc, struct mm_pg_stmt *slot, const char *sql,
	      const struct mm_pg_args *a, PGresult **out)
{
	char name[24];
	struct wire w;
	int rc;

	if (out)
		*out = NULL;
	rc = ready(pc);
	if (rc)
		return rc;
	if (!slot->id || slot->epoch != pc->epoch) {
		unsigned id = ++pc->nprepared;
		snprintf(name, sizeof(name), "mm%u", id);
		rc = finish(pc, PQprepare(pc->pg, name, sql, 0, NULL), NULL);
		if (rc)
			return rc;
		slot->id = id;
		slot->epoch = pc->epoch;
	}
	snprintf(name, sizeof(name), "mm%u", slot->id);
	rc = wire_make(a, &w);
	if (rc)
		return rc;
	rc = finish(pc, PQexecPrepared(pc->pg, name, a ? (int)a->n : 0, w.v, w.len, w.fmt, 0), out);
	free(w.num);
	return rc;
}

int mm_pg_lazy_run(struct mm_pg_conn *pc, struct mm_pg_lazy *set, size_t n, const char *const *sql,
		   size_t which, const struct mm_pg_args *a, PGresult **out)
{
	if (out)
		*out = NULL;
	if (!set->st) {
		set->st = calloc(n, sizeof(*set->st));
		if (!set->st)
			return MM_ENOMEM;
		set->n = n;
	}
	return mm_pg_run(pc, &set->st[which], sql[which], a, out);
}

void mm_pg_lazy_free(struct mm_pg_lazy *set)
{
	free(set->st);
	set->st = NULL;
	set->n = 0;
}

int mm_pg_forget_prepared(struct mm_pg_conn *pc)
{
	pc->epoch++;
	return mm_pg_exec(pc, "DEALLOCATE ALL");
}

/* Result values. */

int64_t mm_pg_int(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

bool mm_pg_null(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) != 0;
}

int mm_pg_dup_text(const PGresult *r, int row, int col, struct mm_arena *a, const char **out)
{
	*out = NULL;
	if (PQgetisnull(r, row, col))
		return MM_OK;
	*out = mm_arena_strndup(a, PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col));
	return *out ? MM_OK : MM_ENOMEM;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool unhex(const char *p, size_t len, uint8_t *out, size_t cap, size_t *n)
{
	*n = 0;
	if (len < 2 || p[0] != '\\' || p[1] != 'x' || len % 2)
		return false;
	for (size_t i = 2; i < len; i += 2) {
		int hi = hexval(p[i]), lo = hexval(p[i + 1]);
		if (hi < 0 || lo < 0 || *n >= cap)
			return false;
		out[(*n)++] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

bool mm_pg_bytes(const PGresult *r, int row, int col, uint8_t *out, size_t cap, size_t *n)
{
	*n = 0;
	if (PQgetisnull(r, row, col))
		return false;
	return unhex(PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col), out, cap, n);
}

int mm_pg_dup_bytes(const PGresult *r, int row, int col, struct mm_arena *a, const void **out,
		    size_t *n)
{
	size_t len = PQgetisnull(r, row, col) ? 0 : (size_t)PQgetlength(r, row, col);
	uint8_t *q;

	*out = NULL;
	*n = 0;
	if (len <= 2)
		return MM_OK;
	q = mm_arena_alloc(a, len / 2);
	if (!q)
		return MM_ENOMEM;
	if (!mm_pg_bytes(r, row, col, q, len / 2, n))
		return MM_EDB;
	*out = q;
	return MM_OK;
}

int64_t mm_pg_changes(const PGresult *r)
{
	const char *t = PQcmdTuples((PGresult *)r);

	return t && *t ? strtoll(t, NULL, 10) : 0;
}

/* SQL text helpers. */

void mm_pg_add_ident(struct mm_buf *b, const char *name, const char *suffix)
{
	mm_buf_addc(b, '"');
	mm_buf_adds(b, name);
	if (suffix)
		mm_buf_adds(b, suffix);
	mm_buf_addc(b, '"');
}

void mm_pg_add_columns(struct mm_buf *b, const struct mm_schema *s)
{
	mm_buf_adds(b, system_cols);
	for (size_t i = 0; i < s->nfields; i++) {
		mm_buf_adds(b, ", ");
		mm_pg_add_ident(b, s->fields[i].name, NULL);
	}
}

void mm_pg_add_search_text(struct mm_buf *b, const struct mm_schema *s)
{
	const char *sep = "(";

	for (size_t i = 0; i < s->nfields; i++) {
		if (!(s->fields[i].flags & MM_F_SEARCH))
			continue;
		mm_buf_adds(b, sep);
		mm_buf_adds(b, "coalesce(");
		mm_pg_add_ident(b, s->fields[i].name, NULL);
		mm_buf_adds(b, mm_pg_int_field(&s->fields[i]) ? "::text, '')" : ", '')");
		sep = " || chr(31) || ";
	}
	mm_buf_addc(b, ')');
}

size_t mm_pg_count_search(const struct mm_schema *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nfields; i++)
		if (s->fields[i].flags & MM_F_SEARCH)
			n++;
	return n;
}

/* Operations and transactions. */

bool mm_pg_in_tx(struct mm_pg_conn *pc)
{
	return PQtransactionStatus(pc->pg) != PQTRANS_IDLE &&
	       PQtransactionStatus(pc->pg) != PQTRANS_UNKNOWN;
}

/* Inside a transaction an operation is one statement (pg_records.c and
 * the others write with single statements, conflicts answered by ON
 * CONFLICT DO NOTHING rather than an error), so it needs no savepoint: a
 * statement that fails aborts the transaction, which the caller then rolls
 * back, as it does after any failure. */
int mm_pg_op_begin(struct mm_pg_conn *pc, bool write)
{
	int rc;

	pc->op_tx = false;
	if (mm_pg_in_tx(pc))
		return MM_OK;
	rc = mm_pg_exec(pc, write ? begin_op_write : begin_read);
	pc->op_tx = rc == MM_OK;
	pc->gen_dirty = false;
	return rc;
}

int mm_pg_op_end(struct mm_pg_conn *pc, int rc)
{
	if (!pc->op_tx)
		return rc;
	pc->op_tx = false;
	if (rc) {
		mm_pg_tx_rollback(&pc->base);
		return rc;
	}
	return mm_pg_tx_commit(&pc->base);
}

static int tx_begin(struct mm_conn *c, bool write)
{
	struct mm_pg_conn *pc = mm_pg_conn(c);

	pc->gen_dirty = false;
	return mm_pg_exec(pc, write ? begin_write : begin_read);
}

void mm_pg_tx_rollback(struct mm_conn *c)
{
	struct mm_pg_conn *pc = mm_pg_conn(c);

	mm_pg_copy_end(pc, false);
	if (mm_pg_in_tx(pc))
		mm_pg_exec(pc, "ROLLBACK");
	pc->gen_dirty = false;
}

/* COMMIT of a transaction that failed answers ROLLBACK, not an error. */
int mm_pg_tx_commit(struct mm_conn *c)
{
	struct mm_pg_conn *pc = mm_pg_conn(c);
	PGresult *res;
	int rc;

	rc = mm_pg_copy_end(pc, true);
	if (rc) {
		mm_pg_tx_rollback(c);
		return rc;
	}
	if (!mm_pg_in_tx(pc)) {
		pc->gen_dirty = false;
		return MM_OK;
	}
	/* As in SQLite's backend: changes to records, grants and accounts
	 * move the generation, so caches of what was read know they are
	 * stale; sessions, counters and audit events do not. The move and
	 * the commit travel together. */
	res = PQexec(pc->pg, pc->gen_dirty ? GEN_BUMP "; COMMIT" : "COMMIT");
	pc->gen_dirty = false;
	if (res && PQresultStatus(res) == PGRES_COMMAND_OK &&
	    strcmp(PQcmdStatus(res), "COMMIT") != 0) {
		mm_pg_note(pc, "the transaction failed and was rolled back");
		rc = MM_EDB;
		PQclear(res);
	} else {
		rc = finish(pc, res, NULL);
	}
	if (rc)
		mm_pg_tx_rollback(c);
	return rc;
}

/* Connections. */

static void close_conn(struct mm_conn *c)
{
	struct mm_pg_conn *pc = mm_pg_conn(c);

	if (!pc)
		return;
	mm_pg_drop_cache(pc);
	mm_pg_lazy_free(&pc->fixed);
	mm_pg_lazy_free(&pc->ident);
	mm_pg_lazy_free(&pc->grants);
	mm_pg_lazy_free(&pc->alog);
	mm_pg_lazy_free(&pc->arange);
	mm_buf_free(&pc->canon);
	mm_buf_free(&pc->copy_rows);
	free(pc->copy_sql);
	if (pc->pg)
		PQfinish(pc->pg);
	free(pc->target);
	free(pc);
}

/* mamori's connections report errors through results; notices such as
 * "relation already exists, skipping" would only clutter stderr. */
static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Refuses a server that can lose or tear committed data in a crash. */
static int check_durability(struct mm_pg_conn *pc)
{
	static atomic_bool told;
	static const char *const must[] = { "fsync", "synchronous_commit", "full_page_writes" };
	char msg[MM_CONN_ERRLEN];
	PGresult *res;
	int rc;

	rc = mm_pg_query(pc,
			 "SELECT current_setting('fsync'), current_setting('synchronous_commit'), "
			 "current_setting('full_page_writes'), current_setting('data_checksums')",
			 NULL, &res);
	if (rc)
		return rc;
	for (int i = 0; i < 3; i++) {
		if (strcmp(PQgetvalue(res, 0, i), "off") == 0) {
			snprintf(msg, sizeof(msg),
				 "PostgreSQL runs with %s = off: committed data could be lost in "
				 "a crash; mamori refuses to use it until %s is on",
				 must[i], must[i]);
			mm_pg_note(pc, msg);
			PQclear(res);
			return MM_EINVAL;
		}
	}
	if (strcmp(PQgetvalue(res, 0, 3), "off") == 0 && !atomic_exchange(&told, true))
		fprintf(stderr, "mamori: PostgreSQL data checksums are off; they are recommended "
				"(initdb --data-checksums, or pg_checksums --enable on a stopped "
				"cluster) so that corrupted pages are detected\n");
	PQclear(res);
	return MM_OK;
}

static int open_conn(const char *target, struct mm_conn **out, char *why, size_t whylen)
{
	struct mm_pg_conn *pc;
	int rc = MM_ENOMEM;

	*out = NULL;
	pc = calloc(1, sizeof(*pc));
	if (!pc)
		goto out;
	pc->base.be = &mm_pg_backend;
	pc->epoch = 1;
	mm_buf_init(&pc->copy_rows, 1 << 26); /* rows of db copy, sent at 64 KiB */
	pc->target = strdup(target);
	if (!pc->target)
		goto out;
	pc->pg = PQconnectdb(target);
	if (!pc->pg)
		goto out;
	if (PQstatus(pc->pg) != CONNECTION_OK) {
		mm_pg_note(pc, PQerrorMessage(pc->pg));
		rc = MM_EIO;
		goto out;
	}
	PQsetNoticeProcessor(pc->pg, quiet, NULL);
	/* JIT compiling a list's plan cost 35 ms of a 100 ms page on a
	 * million assets (bench/README.md, "Scale"): short queries only lose. */
	rc = mm_pg_exec(pc, "SET client_encoding = 'UTF8'; SET bytea_output = 'hex'; "
			    "SET client_min_messages = warning; SET jit = off");
	if (!rc)
		rc = check_durability(pc);
	if (rc)
		goto out;
	*out = &pc->base;
	pc = NULL;
out:
	/* The URL may hold a password: the reason never quotes it. */
	if (rc && why && whylen)
		snprintf(why, whylen, "PostgreSQL: %s",
			 pc && pc->base.errmsg[0] ? pc->base.errmsg : mm_strerror(rc));
	close_conn(pc ? &pc->base : NULL);
	return rc;
}

/* A connection for one thread of a split audit log scan (backend.h). */
static int alog_reader_open(struct mm_conn *c, struct mm_conn **out)
{
	struct mm_pg_conn *pc = mm_pg_conn(c);
	int rc;

	*out = NULL;
	if (mm_pg_in_tx(pc))
		return MM_EBUSY;
	rc = open_conn(pc->target, out, NULL, 0);
	if (!rc)
		rc = mm_pg_exec(mm_pg_conn(*out), "SET default_transaction_read_only = on");
	if (rc) {
		close_conn(*out);
		*out = NULL;
	}
	return rc;
}

const struct mm_backend mm_pg_backend = {
	.name = "postgresql",
	.open = open_conn,
	.close = close_conn,
	.migrate = mm_pg_migrate,
	.index = mm_pg_index,
	.backup = mm_pg_backup,
	.restore = mm_pg_restore,
	.tx_begin = tx_begin,
	.tx_commit = mm_pg_tx_commit,
	.tx_rollback = mm_pg_tx_rollback,
	.rec_get = mm_pg_rec_get,
	.rec_get_many = mm_pg_rec_get_many,
	.rec_insert = mm_pg_rec_insert,
	.rec_update = mm_pg_rec_update,
	.rec_list = mm_pg_rec_list,
	.rec_find = mm_pg_rec_find,
	.hist_add = mm_pg_hist_add,
	.hist_list = mm_pg_hist_list,
	.seq_next = mm_pg_seq_next,
	.meta_get = mm_pg_meta_get,
	.meta_set = mm_pg_meta_set,
	.generation = mm_pg_generation,
	.account_get = mm_pg_account_get,
	.account_by_login = mm_pg_account_by_login,
	.account_by_person = mm_pg_account_by_person,
	.account_insert = mm_pg_account_insert,
	.account_update = mm_pg_account_update,
	.account_list = mm_pg_account_list,
	.session_insert = mm_pg_session_insert,
	.session_get = mm_pg_session_get,
	.session_update = mm_pg_session_update,
	.session_delete = mm_pg_session_delete,
	.session_delete_account = mm_pg_session_delete_account,
	.session_purge = mm_pg_session_purge,
	.token_insert = mm_pg_token_insert,
	.token_by_hash = mm_pg_token_by_hash,
	.token_list = mm_pg_token_list,
	.token_revoke = mm_pg_token_revoke,
	.token_used = mm_pg_token_used,
	.rate_hit = mm_pg_rate_hit,
	.audit_insert = mm_pg_audit_insert,
	.audit_list = mm_pg_audit_list,
	.alog_head = mm_pg_alog_head,
	.alog_scan = mm_pg_alog_scan,
	.alog_ckpt_add = mm_pg_alog_ckpt_add,
	.alog_ckpt_latest = mm_pg_alog_ckpt_latest,
	.alog_ckpt_list = mm_pg_alog_ckpt_list,
	.alog_cut_get = mm_pg_alog_cut_get,
	.alog_prune = mm_pg_alog_prune,
	.alog_reader_open = alog_reader_open,
	.grant_add = mm_pg_grant_add,
	.grant_remove = mm_pg_grant_remove,
	.grant_list = mm_pg_grant_list,
	.grant_kinds = mm_pg_grant_kinds,
	.auditq = &mm_pg_auditq,
	.copy_columns = mm_pg_copy_columns,
	.copy_scan = mm_pg_copy_scan,
	.copy_clear = mm_pg_copy_clear,
	.copy_put = mm_pg_copy_put,
	.copy_finish = mm_pg_copy_finish,
};
