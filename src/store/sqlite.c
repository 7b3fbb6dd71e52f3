/* The SQLite backend: connections, errors, statements and transactions.
 * One connection per thread (opened NOMUTEX), WAL with synchronous=FULL,
 * defensive mode, no extension loading, untrusted schema.
 *
 * The SQL of this backend is in the sqlite*.c files of this folder (see
 * sqlite_int.h for which file does what). Fixed statements are in the
 * fixed_sql table below; per-register statements are built from a validated
 * schema and cached per connection. Identifiers come only from schemas
 * checked by mm_store_schema_check and are always double-quoted; values are
 * always bound.
 *
 * Free-text search uses an FTS5 table "<register>_fts" with the trigram
 * tokenizer over the register's MM_F_SEARCH columns (external content). With
 * trusted_schema=OFF SQLite refuses FTS5 inside triggers, so this backend
 * keeps the index in step itself: every insert and update runs inside a
 * savepoint together with its index change. Rows changed behind mamori's back
 * (for instance with the sqlite3 shell) need INSERT INTO x_fts(x_fts)
 * VALUES('rebuild'). */
#include "store/sqlite_int.h"

#include "core/analyzer.h"
#include "core/err.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { BUSY_MS = 5000 };

static const char *const fixed_sql[FX_COUNT] = {
	[FX_BEGIN] = "BEGIN",
	[FX_BEGIN_WRITE] = "BEGIN IMMEDIATE",
	[FX_COMMIT] = "COMMIT",
	[FX_ROLLBACK] = "ROLLBACK",
	[FX_SAVE] = "SAVEPOINT mm_op",
	[FX_RELEASE] = "RELEASE mm_op",
	[FX_UNDO] = "ROLLBACK TO mm_op",
	[FX_HIST_ADD] = "INSERT INTO history(register, record_id, version, at, actor, action, "
			"changes) VALUES(?, ?, ?, ?, ?, ?, ?)",
	[FX_HIST_LIST] = "SELECT record_id, version, at, actor, action, changes FROM history "
			 "WHERE register = ? AND record_id = ? ORDER BY version, id",
	[FX_SEQ_NEXT] = "INSERT INTO sequences(name, value) VALUES(?, 1) ON CONFLICT(name) "
			"DO UPDATE SET value = value + 1 RETURNING value",
	[FX_META_GET] = "SELECT value FROM meta WHERE key = ?",
	[FX_META_SET] = "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) "
			"DO UPDATE SET value = excluded.value",
	[FX_MIG_MAX] = "SELECT coalesce(max(version), 0) FROM schema_migrations",
	[FX_MIG_HAS] = "SELECT 1 FROM schema_migrations WHERE version = ?",
	[FX_MIG_ADD] = "INSERT INTO schema_migrations(version, applied_at) "
		       "VALUES(?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
	[FX_COLUMNS] = "SELECT name FROM pragma_table_info(?) ORDER BY cid",
	[FX_COUNTS_GET] = "SELECT active, retired FROM record_counts WHERE register = ?",
	[FX_COUNTS_ADD] = "UPDATE record_counts SET active = active + ?, retired = retired + ? "
			  "WHERE register = ?",
	[FX_LEVEL_ADD] = "INSERT INTO level_counts(register, level, active, retired) "
			 "VALUES(?, ?, ?, ?) ON CONFLICT(register, level) DO UPDATE SET "
			 "active = active + excluded.active, retired = retired + excluded.retired",
	[FX_INDEX_EXISTS] = "SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = ?",
	[FX_GEN_BUMP] = "INSERT INTO sequences(name, value) VALUES('generation', 1) "
			"ON CONFLICT(name) DO UPDATE SET value = value + 1",
	[FX_GEN_GET] = "SELECT value FROM sequences WHERE name = 'generation'",
};

/* The system columns every register table starts with, in read order. */
static const char system_cols[] = "id, version, retired, created_at, updated_at, updated_by";

void mm_sq_note(struct mm_sq_conn *sc, const char *msg)
{
	snprintf(sc->base.errmsg, sizeof(sc->base.errmsg), "%s", msg);
}

/* Maps an SQLite result code to an mm_err and keeps SQLite's message. */
int mm_sq_fail(struct mm_sq_conn *sc, int src)
{
	mm_sq_note(sc, sqlite3_errmsg(sc->db));
	switch (src & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return MM_EBUSY;
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
		return MM_EIO;
	case SQLITE_NOMEM:
		return MM_ENOMEM;
	case SQLITE_CONSTRAINT:
		if (src == SQLITE_CONSTRAINT_UNIQUE || src == SQLITE_CONSTRAINT_PRIMARYKEY)
			return MM_ECONFLICT;
		return MM_EDB;
	default:
		return MM_EDB;
	}
}

int mm_sq_prepare(struct mm_sq_conn *sc, const char *sql, bool persistent, sqlite3_stmt **out)
{
	int src = sqlite3_prepare_v3(sc->db, sql, -1, persistent ? SQLITE_PREPARE_PERSISTENT : 0,
				     out, NULL);

	if (src != SQLITE_OK) {
		*out = NULL;
		return mm_sq_fail(sc, src);
	}
	return MM_OK;
}

/* Returns the fixed statement, preparing it on first use. */
int mm_sq_stmt_fixed(struct mm_sq_conn *sc, enum mm_sq_fixed which, sqlite3_stmt **out)
{
	if (!sc->fixed[which]) {
		int rc = mm_sq_prepare(sc, fixed_sql[which], true, &sc->fixed[which]);
		if (rc)
			return rc;
	}
	*out = sc->fixed[which];
	return MM_OK;
}

/* Makes a statement ready for its next use; its bound text may die now. */
void mm_sq_done(sqlite3_stmt *st)
{
	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
}

/* The outcome of a statement that returns no rows, stepped as src. */
static int done_with(struct mm_sq_conn *sc, sqlite3_stmt *st, int src)
{
	int rc = src == SQLITE_DONE ? MM_OK : mm_sq_fail(sc, src);

	mm_sq_done(st);
	return rc;
}

/* Runs a statement that returns no rows. */
int mm_sq_step_done(struct mm_sq_conn *sc, sqlite3_stmt *st)
{
	return done_with(sc, st, mm_sq_step(sc, st));
}

int mm_sq_run_fixed(struct mm_sq_conn *sc, enum mm_sq_fixed which)
{
	sqlite3_stmt *st;
	int rc = mm_sq_stmt_fixed(sc, which, &st);

	if (rc)
		return rc;
	if (which > FX_UNDO)
		return mm_sq_step_done(sc, st);
	/* Transaction control: not inside a kept snapshot, and stepped
	 * directly (sqlite_snapshot.c). */
	mm_sq_snapshot_end(sc);
	return done_with(sc, st, sqlite3_step(st));
}

int mm_sq_exec(struct mm_sq_conn *sc, const char *sql)
{
	int src;

	mm_sq_snapshot_end(sc);
	src = sqlite3_exec(sc->db, sql, NULL, NULL, NULL);

	return src == SQLITE_OK ? MM_OK : mm_sq_fail(sc, sqlite3_extended_errcode(sc->db));
}

int mm_sq_lazy(struct mm_sq_conn *sc, struct mm_sq_lazy *set, size_t n, const char *const *sql,
	       size_t which, sqlite3_stmt **out)
{
	int rc;

	if (!set->st) {
		set->st = calloc(n, sizeof(*set->st));
		if (!set->st)
			return MM_ENOMEM;
		set->n = n;
	}
	if (!set->st[which]) {
		rc = mm_sq_prepare(sc, sql[which], true, &set->st[which]);
		if (rc)
			return rc;
	}
	*out = set->st[which];
	return MM_OK;
}

/* gcc 12's -fanalyzer, following a reader connection that fails after it
 * opened (alog_reader_open, then close_conn), reports a leak in here that
 * is not one: every statement is finalised and the array freed. */
MM_ANALYZER_LEAK_OFF
void mm_sq_lazy_free(struct mm_sq_lazy *set)
{
	for (size_t i = 0; set->st && i < set->n; i++)
		sqlite3_finalize(set->st[i]);
	free(set->st);
	set->st = NULL;
	set->n = 0;
}
MM_ANALYZER_LEAK_ON

/* SQL text helpers. Names reaching them were checked by mm_store_ident_ok. */

void mm_sq_add_ident(struct mm_buf *b, const char *name, const char *suffix)
{
	mm_buf_addc(b, '"');
	mm_buf_adds(b, name);
	if (suffix)
		mm_buf_adds(b, suffix);
	mm_buf_addc(b, '"');
}

void mm_sq_add_columns(struct mm_buf *b, const struct mm_schema *s)
{
	mm_buf_adds(b, system_cols);
	for (size_t i = 0; i < s->nfields; i++) {
		mm_buf_adds(b, ", ");
		mm_sq_add_ident(b, s->fields[i].name, NULL);
	}
}

size_t mm_sq_count_search(const struct mm_schema *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nfields; i++)
		if (s->fields[i].flags & MM_F_SEARCH)
			n++;
	return n;
}

/* Prepares the text in b, or reports the buffer's error. */
int mm_sq_prepare_buf(struct mm_sq_conn *sc, struct mm_buf *b, bool persistent, sqlite3_stmt **out)
{
	*out = NULL;
	if (b->err) {
		mm_sq_note(sc, "generated SQL too long");
		return MM_ENOMEM;
	}
	return mm_sq_prepare(sc, b->data, persistent, out);
}

int mm_sq_exec_buf(struct mm_sq_conn *sc, struct mm_buf *b)
{
	if (b->err) {
		mm_sq_note(sc, "generated SQL too long");
		return MM_ENOMEM;
	}
	return mm_sq_exec(sc, b->data);
}

int mm_sq_op_begin(struct mm_sq_conn *sc, bool write)
{
	int rc;

	mm_sq_snapshot_end(sc);
	if (write && sqlite3_get_autocommit(sc->db)) {
		rc = mm_sq_run_fixed(sc, FX_BEGIN_WRITE);
		sc->op_tx = rc == MM_OK;
		sc->gen_dirty = false;
		return rc;
	}
	sc->op_tx = false;
	return mm_sq_run_fixed(sc, FX_SAVE);
}

int mm_sq_op_end(struct mm_sq_conn *sc, int rc)
{
	if (sc->op_tx) {
		sc->op_tx = false;
		if (rc) {
			mm_sq_tx_rollback(&sc->base);
			return rc;
		}
		return mm_sq_tx_commit(&sc->base);
	}
	if (rc) {
		mm_sq_run_fixed(sc, FX_UNDO);
		mm_sq_run_fixed(sc, FX_RELEASE);
		return rc;
	}
	rc = mm_sq_run_fixed(sc, FX_RELEASE);
	if (rc) {
		mm_sq_run_fixed(sc, FX_UNDO);
		mm_sq_run_fixed(sc, FX_RELEASE);
	}
	return rc;
}

/* Connections. */

static void close_conn(struct mm_conn *c)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);

	if (!sc)
		return;
	/* Refreshes the planner's statistics of the tables this connection
	 * used if they are missing or stale; usually does nothing. */
	if (sc->db)
		mm_sq_snapshot_end(sc);
	if (sc->db && sqlite3_get_autocommit(sc->db))
		sqlite3_exec(sc->db, "PRAGMA optimize", NULL, NULL, NULL);
	mm_sq_drop_cache(sc);
	mm_sq_lists_free(sc);
	mm_sq_lazy_free(&sc->ident);
	mm_sq_lazy_free(&sc->grants);
	mm_sq_lazy_free(&sc->alog);
	mm_sq_lazy_free(&sc->arange);
	mm_sq_copy_free(sc);
	mm_buf_free(&sc->canon);
	for (int i = 0; i < FX_COUNT; i++)
		sqlite3_finalize(sc->fixed[i]);
	sqlite3_close(sc->db);
	free(sc);
}

/* Process-wide settings, made once before SQLite starts: no memory
 * statistics (they take a global mutex on every allocation, which the server
 * threads then fight over). */
static void configure_sqlite(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static int open_conn(const char *target, struct mm_conn **out, char *why, size_t whylen)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
			  SQLITE_OPEN_EXRESCODE;
	struct mm_sq_conn *sc;
	sqlite3_stmt *st = NULL;
	const char *mode;
	int rc = MM_ENOMEM, src;

	*out = NULL;
	pthread_once(&once, configure_sqlite);
	sc = calloc(1, sizeof(*sc));
	if (!sc)
		goto out;
	sc->base.be = &mm_sqlite_backend;
	src = sqlite3_open_v2(target, &sc->db, flags, NULL);
	if (src != SQLITE_OK) {
		rc = sc->db ? mm_sq_fail(sc, src) : MM_ENOMEM;
		if (rc == MM_EDB)
			rc = MM_EIO;
		goto out;
	}
	sqlite3_extended_result_codes(sc->db, 1);
	if (sqlite3_db_config(sc->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL) != SQLITE_OK ||
	    sqlite3_db_config(sc->db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL) !=
		    SQLITE_OK ||
	    sqlite3_db_config(sc->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL) != SQLITE_OK) {
		rc = mm_sq_fail(sc, sqlite3_extended_errcode(sc->db));
		goto out;
	}
	sqlite3_busy_timeout(sc->db, BUSY_MS);
	/* analysis_limit bounds the ANALYZE that PRAGMA optimize may run (at
	 * migrate and close) to about that many index entries per index.
	 * mmap_size maps the first 256 MiB of the file, so that reading a page
	 * is a memory access rather than a pread: a GET of one record took
	 * 5-8 us less CPU (bench/README.md, "Seventh session"). It saved
	 * little while every statement began a read transaction of its own,
	 * which checks the file's size again (sqlite_snapshot.c). The pages it
	 * touches count in the resident size as shared file pages: the page
	 * cache holds them either way. */
	rc = mm_sq_exec(sc, "PRAGMA trusted_schema = OFF; PRAGMA foreign_keys = ON; "
			    "PRAGMA analysis_limit = 1000; PRAGMA mmap_size = 268435456");
	if (rc)
		goto out;
	rc = mm_sq_prepare(sc, "PRAGMA journal_mode = WAL", false, &st);
	if (rc)
		goto out;
	src = sqlite3_step(st);
	if (src != SQLITE_ROW) {
		rc = mm_sq_fail(sc, src);
		goto out;
	}
	mode = (const char *)sqlite3_column_text(st, 0);
	if (!mode || sqlite3_stricmp(mode, "wal") != 0) {
		mm_sq_note(sc, "the database cannot use write-ahead logging");
		rc = MM_EIO;
		goto out;
	}
	/* synchronous is per connection and must follow journal_mode. */
	rc = mm_sq_exec(sc, "PRAGMA synchronous = FULL");
	if (rc)
		goto out;
	*out = &sc->base;
	sc = NULL;
out:
	sqlite3_finalize(st);
	if (sc && why && whylen)
		snprintf(why, whylen, "%s: %s", target,
			 sc->base.errmsg[0] ? sc->base.errmsg : mm_strerror(rc));
	else if (rc && why && whylen)
		snprintf(why, whylen, "%s", mm_strerror(rc));
	close_conn(sc ? &sc->base : NULL);
	return rc;
}

/* A connection for one thread of a split audit log scan (backend.h). It
 * maps the file (the server's connections do not: see open_conn) and keeps
 * a larger page cache, which only this short-lived connection pays for. */
static int alog_reader_open(struct mm_conn *c, struct mm_conn **out)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	const char *path = sqlite3_db_filename(sc->db, "main");
	int rc;

	*out = NULL;
	if (!mm_sq_autocommit(sc))
		return MM_EBUSY;
	if (!path || !path[0])
		return MM_ENOTFOUND; /* a temporary or in-memory database */
	rc = open_conn(path, out, NULL, 0);
	if (rc)
		return rc; /* (*out is NULL) */
	rc = mm_sq_exec(mm_sq_conn(*out), "PRAGMA query_only = 1; "
					  "PRAGMA mmap_size = 1073741824; "
					  "PRAGMA cache_size = -32768");
	if (rc) {
		close_conn(*out);
		*out = NULL;
	}
	return rc;
}

/* Transactions. */

static int tx_begin(struct mm_conn *c, bool write)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);

	sc->gen_dirty = false;
	return mm_sq_run_fixed(sc, write ? FX_BEGIN_WRITE : FX_BEGIN);
}

void mm_sq_tx_rollback(struct mm_conn *c)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);

	/* A kept snapshot is no transaction of the connection's users. */
	if (!mm_sq_autocommit(sc))
		mm_sq_run_fixed(sc, FX_ROLLBACK);
	sc->gen_dirty = false;
}

int mm_sq_tx_commit(struct mm_conn *c)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	int rc = MM_OK;

	/* A transaction that changed records or accounts moves the generation
	 * on, so that caches of what was read before know they are stale.
	 * Sessions, rate counters and audit events do not: they change on
	 * nearly every request and no cached page shows them. */
	if (!sqlite3_get_autocommit(sc->db) && sc->gen_dirty)
		rc = mm_sq_run_fixed(sc, FX_GEN_BUMP);
	if (!rc)
		rc = mm_sq_run_fixed(sc, FX_COMMIT);
	sc->gen_dirty = false;

	/* A failed commit leaves nothing half done: roll back. */
	if (rc)
		mm_sq_tx_rollback(c);
	return rc;
}

const struct mm_backend mm_sqlite_backend = {
	.generation = mm_sq_generation,
	.name = "sqlite",
	.open = open_conn,
	.close = close_conn,
	.migrate = mm_sq_migrate,
	.index = mm_sq_index,
	.backup = mm_sq_backup,
	.restore = mm_sq_restore,
	.tx_begin = tx_begin,
	.tx_commit = mm_sq_tx_commit,
	.tx_rollback = mm_sq_tx_rollback,
	.rest = mm_sq_rest,
	.rec_get = mm_sq_rec_get,
	.rec_insert = mm_sq_rec_insert,
	.rec_update = mm_sq_rec_update,
	.rec_list = mm_sq_rec_list,
	.rec_find = mm_sq_rec_find,
	.hist_add = mm_sq_hist_add,
	.hist_list = mm_sq_hist_list,
	.seq_next = mm_sq_seq_next,
	.meta_get = mm_sq_meta_get,
	.meta_set = mm_sq_meta_set,
	.account_get = mm_sq_account_get,
	.account_by_login = mm_sq_account_by_login,
	.account_by_person = mm_sq_account_by_person,
	.account_insert = mm_sq_account_insert,
	.account_update = mm_sq_account_update,
	.account_list = mm_sq_account_list,
	.session_insert = mm_sq_session_insert,
	.session_get = mm_sq_session_get,
	.session_update = mm_sq_session_update,
	.session_delete = mm_sq_session_delete,
	.session_delete_account = mm_sq_session_delete_account,
	.session_purge = mm_sq_session_purge,
	.token_insert = mm_sq_token_insert,
	.token_by_hash = mm_sq_token_by_hash,
	.token_list = mm_sq_token_list,
	.token_revoke = mm_sq_token_revoke,
	.token_used = mm_sq_token_used,
	.rate_hit = mm_sq_rate_hit,
	.audit_insert = mm_sq_audit_insert,
	.audit_list = mm_sq_audit_list,
	.alog_head = mm_sq_alog_head,
	.alog_scan = mm_sq_alog_scan,
	.alog_ckpt_add = mm_sq_alog_ckpt_add,
	.alog_ckpt_list = mm_sq_alog_ckpt_list,
	.alog_ckpt_latest = mm_sq_alog_ckpt_latest,
	.alog_cut_get = mm_sq_alog_cut_get,
	.alog_prune = mm_sq_alog_prune,
	.alog_reader_open = alog_reader_open,
	.grant_add = mm_sq_grant_add,
	.grant_remove = mm_sq_grant_remove,
	.grant_list = mm_sq_grant_list,
	.grant_kinds = mm_sq_grant_kinds,
	.auditq = &mm_sq_auditq,
	.copy_columns = mm_sq_copy_columns,
	.copy_scan = mm_sq_copy_scan,
	.copy_clear = mm_sq_copy_clear,
	.copy_put = mm_sq_copy_put,
	.copy_finish = mm_sq_copy_finish,
};
