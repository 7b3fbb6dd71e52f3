/* The SQLite backend. One connection per thread (opened NOMUTEX), WAL with
 * synchronous=FULL, defensive mode, no extension loading, untrusted schema.
 *
 * All SQL of this backend is in this file. Fixed statements are in the
 * fixed_sql table; per-register statements are built once per connection
 * from a validated schema and cached; list queries are built per call.
 * Identifiers come only from schemas checked by mm_store_schema_check and
 * are always double-quoted; values are always bound.
 *
 * Free-text search uses an FTS5 table "<register>_fts" with the trigram
 * tokenizer over the register's MM_F_SEARCH columns (external content). With
 * trusted_schema=OFF SQLite refuses FTS5 inside triggers, so this file keeps
 * the index in step itself: every insert and update runs inside a savepoint
 * together with its index change. Rows changed behind mamori's back (for
 * instance with the sqlite3 shell) need INSERT INTO x_fts(x_fts)
 * VALUES('rebuild'). */
#include "store/backend.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/slice.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SQL_CAP = 1 << 16, BUSY_MS = 5000 };

enum fixed {
	FX_BEGIN,
	FX_BEGIN_WRITE,
	FX_COMMIT,
	FX_ROLLBACK,
	FX_SAVE,
	FX_RELEASE,
	FX_UNDO,
	FX_HIST_ADD,
	FX_HIST_LIST,
	FX_SEQ_NEXT,
	FX_META_GET,
	FX_META_SET,
	FX_MIG_MAX,
	FX_MIG_HAS,
	FX_MIG_ADD,
	FX_COLUMNS,
	FX_COUNT
};

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
};

/* The versioned migrations of the system tables, in order. Append only:
 * never edit or renumber an entry that has been released. */
struct migration {
	int version;
	const char *sql;
};

static const struct migration migrations[] = {
    {1, "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)"},
    {2, "CREATE TABLE sequences(name TEXT PRIMARY KEY, value INTEGER NOT NULL)"},
    {3, "CREATE TABLE history(id INTEGER PRIMARY KEY, register TEXT NOT NULL, "
        "record_id INTEGER NOT NULL, version INTEGER NOT NULL, at TEXT NOT NULL, "
        "actor TEXT NOT NULL, action TEXT NOT NULL, changes TEXT NOT NULL, "
        "UNIQUE(register, record_id, version))"},
};

enum { NMIGRATIONS = sizeof(migrations) / sizeof(migrations[0]) };

static const char create_migrations_sql[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, "
    "applied_at TEXT)";

/* The system columns every register table starts with, in read order. */
static const char system_cols[] = "id, version, retired, created_at, updated_at, updated_by";
enum { NSYSCOLS = 6 };

/* Statements of one register, built for one connection. */
struct cached {
	struct cached *next;
	const struct mm_schema *s;
	size_t nfields;
	sqlite3_stmt *get, *insert, *update, *exists;
	sqlite3_stmt *fts_del, *fts_add; /* NULL without search fields */
	sqlite3_stmt **find;             /* per field, prepared on first use */
};

struct sconn {
	struct mm_conn base;
	sqlite3 *db;
	sqlite3_stmt *fixed[FX_COUNT];
	struct cached *cache;
};

/* A value to bind to a list query, collected while its SQL is built. */
enum bkind { B_NULL, B_INT, B_TEXT };

struct bind {
	enum bkind kind;
	int64_t i;
	const char *s;
};

static struct sconn *sconn(struct mm_conn *c)
{
	return (struct sconn *)c;
}

static void note(struct sconn *sc, const char *msg)
{
	snprintf(sc->base.errmsg, sizeof(sc->base.errmsg), "%s", msg);
}

/* Maps an SQLite result code to an mm_err and keeps SQLite's message. */
static int fail(struct sconn *sc, int src)
{
	note(sc, sqlite3_errmsg(sc->db));
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

static int prepare(struct sconn *sc, const char *sql, bool persistent, sqlite3_stmt **out)
{
	int src = sqlite3_prepare_v3(sc->db, sql, -1, persistent ? SQLITE_PREPARE_PERSISTENT : 0,
	                             out, NULL);

	if (src != SQLITE_OK) {
		*out = NULL;
		return fail(sc, src);
	}
	return MM_OK;
}

/* Returns the fixed statement, preparing it on first use. */
static int stmt_fixed(struct sconn *sc, enum fixed which, sqlite3_stmt **out)
{
	if (!sc->fixed[which]) {
		int rc = prepare(sc, fixed_sql[which], true, &sc->fixed[which]);
		if (rc)
			return rc;
	}
	*out = sc->fixed[which];
	return MM_OK;
}

/* Makes a statement ready for its next use; its bound text may die now. */
static void done(sqlite3_stmt *st)
{
	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
}

/* Runs a statement that returns no rows. */
static int step_done(struct sconn *sc, sqlite3_stmt *st)
{
	int src = sqlite3_step(st);
	int rc = src == SQLITE_DONE ? MM_OK : fail(sc, src);

	done(st);
	return rc;
}

static int run_fixed(struct sconn *sc, enum fixed which)
{
	sqlite3_stmt *st;
	int rc = stmt_fixed(sc, which, &st);

	return rc ? rc : step_done(sc, st);
}

static int exec(struct sconn *sc, const char *sql)
{
	int src = sqlite3_exec(sc->db, sql, NULL, NULL, NULL);

	return src == SQLITE_OK ? MM_OK : fail(sc, sqlite3_extended_errcode(sc->db));
}

static bool int_field(const struct mm_field *f)
{
	return f->type == MM_FT_INT || f->type == MM_FT_REF;
}

static int bind_value(sqlite3_stmt *st, int idx, const struct mm_field *f, const struct mm_value *v)
{
	if (!v->set)
		return sqlite3_bind_null(st, idx);
	if (int_field(f))
		return sqlite3_bind_int64(st, idx, v->i);
	if (!v->s)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, v->s, -1, SQLITE_STATIC);
}

static int bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	if (!s)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, s, -1, SQLITE_STATIC);
}

/* Copies a text column into the arena; NULL stays NULL. */
static int dup_text(sqlite3_stmt *st, int col, struct mm_arena *a, const char **out)
{
	const unsigned char *p;

	*out = NULL;
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return MM_OK;
	p = sqlite3_column_text(st, col);
	if (!p)
		return MM_ENOMEM;
	*out = mm_arena_strndup(a, (const char *)p, (size_t)sqlite3_column_bytes(st, col));
	return *out ? MM_OK : MM_ENOMEM;
}

static int read_value(sqlite3_stmt *st, int col, const struct mm_field *f, struct mm_arena *a,
                      struct mm_value *v)
{
	v->set = false;
	v->i = 0;
	v->s = NULL;
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return MM_OK;
	v->set = true;
	if (int_field(f)) {
		v->i = sqlite3_column_int64(st, col);
		return MM_OK;
	}
	return dup_text(st, col, a, &v->s);
}

/* Reads a row selected as system_cols followed by the schema's fields. */
static int read_record(sqlite3_stmt *st, const struct mm_schema *s, struct mm_arena *a,
                       struct mm_record *r)
{
	int rc;

	r->id = sqlite3_column_int64(st, 0);
	r->version = sqlite3_column_int64(st, 1);
	r->retired = sqlite3_column_int64(st, 2) != 0;
	rc = dup_text(st, 3, a, &r->created_at);
	if (!rc)
		rc = dup_text(st, 4, a, &r->updated_at);
	if (!rc)
		rc = dup_text(st, 5, a, &r->updated_by);
	if (rc)
		return rc;
	r->v = mm_arena_zalloc(a, (s->nfields ? s->nfields : 1) * sizeof(*r->v));
	if (!r->v)
		return MM_ENOMEM;
	for (size_t i = 0; i < s->nfields && !rc; i++)
		rc = read_value(st, NSYSCOLS + (int)i, &s->fields[i], a, &r->v[i]);
	return rc;
}

/* SQL text helpers. Names reaching them were checked by mm_store_ident_ok. */

static void add_ident(struct mm_buf *b, const char *name, const char *suffix)
{
	mm_buf_addc(b, '"');
	mm_buf_adds(b, name);
	if (suffix)
		mm_buf_adds(b, suffix);
	mm_buf_addc(b, '"');
}

static void add_index_name(struct mm_buf *b, const char *table, const char *field,
                           const char *suffix)
{
	mm_buf_addc(b, '"');
	mm_buf_adds(b, table);
	mm_buf_addc(b, '_');
	mm_buf_adds(b, field);
	mm_buf_adds(b, suffix);
	mm_buf_addc(b, '"');
}

static void add_columns(struct mm_buf *b, const struct mm_schema *s)
{
	mm_buf_adds(b, system_cols);
	for (size_t i = 0; i < s->nfields; i++) {
		mm_buf_adds(b, ", ");
		add_ident(b, s->fields[i].name, NULL);
	}
}

static void add_search_columns(struct mm_buf *b, const struct mm_schema *s, const char *prefix)
{
	for (size_t i = 0; i < s->nfields; i++) {
		if (!(s->fields[i].flags & MM_F_SEARCH))
			continue;
		mm_buf_adds(b, prefix);
		add_ident(b, s->fields[i].name, NULL);
	}
}

static size_t count_search(const struct mm_schema *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nfields; i++)
		if (s->fields[i].flags & MM_F_SEARCH)
			n++;
	return n;
}

/* Prepares the text in b, or reports the buffer's error. */
static int prepare_buf(struct sconn *sc, struct mm_buf *b, bool persistent, sqlite3_stmt **out)
{
	*out = NULL;
	if (b->err) {
		note(sc, "generated SQL too long");
		return MM_ENOMEM;
	}
	return prepare(sc, b->data, persistent, out);
}

static int exec_buf(struct sconn *sc, struct mm_buf *b)
{
	if (b->err) {
		note(sc, "generated SQL too long");
		return MM_ENOMEM;
	}
	return exec(sc, b->data);
}

/* The statement cache. */

static void free_cached(struct cached *e)
{
	if (!e)
		return;
	sqlite3_finalize(e->get);
	sqlite3_finalize(e->insert);
	sqlite3_finalize(e->update);
	sqlite3_finalize(e->exists);
	sqlite3_finalize(e->fts_del);
	sqlite3_finalize(e->fts_add);
	if (e->find)
		for (size_t i = 0; i < e->nfields; i++)
			sqlite3_finalize(e->find[i]);
	free(e->find);
	free(e);
}

static void drop_cache(struct sconn *sc)
{
	while (sc->cache) {
		struct cached *e = sc->cache;
		sc->cache = e->next;
		free_cached(e);
	}
}

static int build_cached(struct sconn *sc, const struct mm_schema *s, struct cached *e)
{
	const char *t = s->name;
	struct mm_buf b;
	int rc;

	mm_buf_init(&b, SQL_CAP);

	mm_buf_adds(&b, "SELECT ");
	add_columns(&b, s);
	mm_buf_adds(&b, " FROM ");
	add_ident(&b, t, NULL);
	mm_buf_adds(&b, " WHERE id = ?");
	rc = prepare_buf(sc, &b, true, &e->get);
	if (rc)
		goto out;

	mm_buf_reset(&b);
	mm_buf_adds(&b, "INSERT INTO ");
	add_ident(&b, t, NULL);
	mm_buf_adds(&b, "(version, retired, created_at, updated_at, updated_by");
	for (size_t i = 0; i < s->nfields; i++) {
		mm_buf_adds(&b, ", ");
		add_ident(&b, s->fields[i].name, NULL);
	}
	mm_buf_adds(&b, ") VALUES(1, 0, ?, ?, ?");
	for (size_t i = 0; i < s->nfields; i++)
		mm_buf_adds(&b, ", ?");
	mm_buf_addc(&b, ')');
	rc = prepare_buf(sc, &b, true, &e->insert);
	if (rc)
		goto out;

	mm_buf_reset(&b);
	mm_buf_adds(&b, "UPDATE ");
	add_ident(&b, t, NULL);
	mm_buf_adds(&b, " SET version = ?, retired = ?, updated_at = ?, updated_by = ?");
	for (size_t i = 0; i < s->nfields; i++) {
		mm_buf_adds(&b, ", ");
		add_ident(&b, s->fields[i].name, NULL);
		mm_buf_adds(&b, " = ?");
	}
	mm_buf_adds(&b, " WHERE id = ? AND version = ?");
	rc = prepare_buf(sc, &b, true, &e->update);
	if (rc)
		goto out;

	mm_buf_reset(&b);
	mm_buf_adds(&b, "SELECT 1 FROM ");
	add_ident(&b, t, NULL);
	mm_buf_adds(&b, " WHERE id = ?");
	rc = prepare_buf(sc, &b, true, &e->exists);
	if (rc)
		goto out;

	if (count_search(s) == 0)
		goto out;

	mm_buf_reset(&b);
	mm_buf_adds(&b, "INSERT INTO ");
	add_ident(&b, t, "_fts");
	mm_buf_addc(&b, '(');
	add_ident(&b, t, "_fts");
	mm_buf_adds(&b, ", rowid");
	add_search_columns(&b, s, ", ");
	mm_buf_adds(&b, ") SELECT 'delete', id");
	add_search_columns(&b, s, ", ");
	mm_buf_adds(&b, " FROM ");
	add_ident(&b, t, NULL);
	mm_buf_adds(&b, " WHERE id = ?");
	rc = prepare_buf(sc, &b, true, &e->fts_del);
	if (rc)
		goto out;

	mm_buf_reset(&b);
	mm_buf_adds(&b, "INSERT INTO ");
	add_ident(&b, t, "_fts");
	mm_buf_adds(&b, "(rowid");
	add_search_columns(&b, s, ", ");
	mm_buf_adds(&b, ") SELECT id");
	add_search_columns(&b, s, ", ");
	mm_buf_adds(&b, " FROM ");
	add_ident(&b, t, NULL);
	mm_buf_adds(&b, " WHERE id = ?");
	rc = prepare_buf(sc, &b, true, &e->fts_add);
out:
	mm_buf_free(&b);
	return rc;
}

/* Finds or builds the statements of schema s on this connection. Schemas are
 * static data keyed by address; they must outlive the store. */
static int cached_for(struct sconn *sc, const struct mm_schema *s, struct cached **out)
{
	struct cached *e;
	int rc;

	for (e = sc->cache; e; e = e->next) {
		if (e->s == s && e->nfields == s->nfields) {
			*out = e;
			return MM_OK;
		}
	}
	rc = mm_store_schema_check(s);
	if (rc) {
		note(sc, "schema has a name that is not a safe SQL identifier");
		return rc;
	}
	rc = MM_ENOMEM;
	e = calloc(1, sizeof(*e));
	if (!e)
		goto out;
	e->s = s;
	e->nfields = s->nfields;
	e->find = calloc(s->nfields ? s->nfields : 1, sizeof(*e->find));
	if (!e->find)
		goto out;
	rc = build_cached(sc, s, e);
	if (rc)
		goto out;
	e->next = sc->cache;
	sc->cache = e;
	*out = e;
	e = NULL;
out:
	free_cached(e);
	return rc;
}

/* A savepoint around a change that must land together with its index
 * change; works inside or outside a transaction. */
static int op_begin(struct sconn *sc)
{
	return run_fixed(sc, FX_SAVE);
}

static int op_end(struct sconn *sc, int rc)
{
	if (rc) {
		run_fixed(sc, FX_UNDO);
		run_fixed(sc, FX_RELEASE);
		return rc;
	}
	rc = run_fixed(sc, FX_RELEASE);
	if (rc) {
		run_fixed(sc, FX_UNDO);
		run_fixed(sc, FX_RELEASE);
	}
	return rc;
}

static int fts_step(struct sconn *sc, sqlite3_stmt *st, int64_t id)
{
	if (!st)
		return MM_OK;
	sqlite3_bind_int64(st, 1, id);
	return step_done(sc, st);
}

/* Connections. */

static void close_conn(struct mm_conn *c)
{
	struct sconn *sc = sconn(c);

	if (!sc)
		return;
	drop_cache(sc);
	for (int i = 0; i < FX_COUNT; i++)
		sqlite3_finalize(sc->fixed[i]);
	sqlite3_close(sc->db);
	free(sc);
}

static int open_conn(const char *target, struct mm_conn **out, char *why, size_t whylen)
{
	const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
	                  SQLITE_OPEN_EXRESCODE;
	struct sconn *sc;
	sqlite3_stmt *st = NULL;
	const char *mode;
	int rc = MM_ENOMEM, src;

	*out = NULL;
	sc = calloc(1, sizeof(*sc));
	if (!sc)
		goto out;
	sc->base.be = &mm_sqlite_backend;
	src = sqlite3_open_v2(target, &sc->db, flags, NULL);
	if (src != SQLITE_OK) {
		rc = sc->db ? fail(sc, src) : MM_ENOMEM;
		if (rc == MM_EDB)
			rc = MM_EIO;
		goto out;
	}
	sqlite3_extended_result_codes(sc->db, 1);
	if (sqlite3_db_config(sc->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL) != SQLITE_OK ||
	    sqlite3_db_config(sc->db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL) !=
	        SQLITE_OK ||
	    sqlite3_db_config(sc->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL) != SQLITE_OK) {
		rc = fail(sc, sqlite3_extended_errcode(sc->db));
		goto out;
	}
	sqlite3_busy_timeout(sc->db, BUSY_MS);
	rc = exec(sc, "PRAGMA trusted_schema = OFF; PRAGMA foreign_keys = ON");
	if (rc)
		goto out;
	rc = prepare(sc, "PRAGMA journal_mode = WAL", false, &st);
	if (rc)
		goto out;
	src = sqlite3_step(st);
	if (src != SQLITE_ROW) {
		rc = fail(sc, src);
		goto out;
	}
	mode = (const char *)sqlite3_column_text(st, 0);
	if (!mode || sqlite3_stricmp(mode, "wal") != 0) {
		note(sc, "the database cannot use write-ahead logging");
		rc = MM_EIO;
		goto out;
	}
	/* synchronous is per connection and must follow journal_mode. */
	rc = exec(sc, "PRAGMA synchronous = FULL");
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

/* Transactions. */

static int tx_begin(struct mm_conn *c, bool write)
{
	return run_fixed(sconn(c), write ? FX_BEGIN_WRITE : FX_BEGIN);
}

static void tx_rollback(struct mm_conn *c)
{
	struct sconn *sc = sconn(c);

	if (!sqlite3_get_autocommit(sc->db))
		run_fixed(sc, FX_ROLLBACK);
}

static int tx_commit(struct mm_conn *c)
{
	int rc = run_fixed(sconn(c), FX_COMMIT);

	/* A failed commit leaves nothing half done: roll back. */
	if (rc)
		tx_rollback(c);
	return rc;
}

/* Migrations. */

/* Reads the column names of table into a NULL-terminated array from a. */
static int table_columns(struct sconn *sc, const char *table, struct mm_arena *a, const char ***out,
                         size_t *n)
{
	sqlite3_stmt *st;
	const char **v = NULL;
	size_t cap = 0;
	int rc, src;

	*n = 0;
	rc = stmt_fixed(sc, FX_COLUMNS, &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n + 1 >= cap) {
			const char **nv;
			cap = cap ? cap * 2 : 16;
			nv = mm_arena_alloc(a, cap * sizeof(*nv));
			if (!nv) {
				rc = MM_ENOMEM;
				goto out;
			}
			if (*n)
				memcpy(nv, v, *n * sizeof(*nv));
			v = nv;
		}
		rc = dup_text(st, 0, a, &v[*n]);
		if (rc)
			goto out;
		(*n)++;
	}
	if (src != SQLITE_DONE)
		rc = fail(sc, src);
out:
	done(st);
	*out = v;
	return rc;
}

static bool has_column(const char **cols, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(cols[i], name) == 0)
			return true;
	return false;
}

/* Makes the FTS table match the schema's search fields. */
static int migrate_fts(struct sconn *sc, const struct mm_schema *s, struct mm_arena *a)
{
	const char *t = s->name;
	const char **cols;
	size_t ncols, k = 0;
	struct mm_buf b;
	bool same = true;
	char *fts;
	int rc;

	mm_buf_init(&b, SQL_CAP);
	rc = MM_ENOMEM;
	fts = mm_arena_alloc(a, strlen(t) + sizeof("_fts"));
	if (!fts)
		goto out;
	memcpy(fts, t, strlen(t));
	memcpy(fts + strlen(t), "_fts", sizeof("_fts"));
	rc = table_columns(sc, fts, a, &cols, &ncols);
	if (rc)
		goto out;
	for (size_t i = 0; i < s->nfields; i++) {
		if (!(s->fields[i].flags & MM_F_SEARCH))
			continue;
		if (k >= ncols || strcmp(cols[k], s->fields[i].name) != 0)
			same = false;
		k++;
	}
	if (k != ncols)
		same = false;
	if (same)
		goto out;

	if (ncols) {
		mm_buf_adds(&b, "DROP TABLE ");
		add_ident(&b, t, "_fts");
		rc = exec_buf(sc, &b);
		if (rc)
			goto out;
	}
	if (k == 0)
		goto out;
	mm_buf_reset(&b);
	mm_buf_adds(&b, "CREATE VIRTUAL TABLE ");
	add_ident(&b, t, "_fts");
	mm_buf_adds(&b, " USING fts5(");
	for (size_t i = 0; i < s->nfields; i++) {
		if (s->fields[i].flags & MM_F_SEARCH) {
			add_ident(&b, s->fields[i].name, NULL);
			mm_buf_adds(&b, ", ");
		}
	}
	mm_buf_adds(&b, "content='");
	mm_buf_adds(&b, t);
	mm_buf_adds(&b, "', content_rowid='id', tokenize='trigram')");
	rc = exec_buf(sc, &b);
	if (rc)
		goto out;
	mm_buf_reset(&b);
	mm_buf_adds(&b, "INSERT INTO ");
	add_ident(&b, t, "_fts");
	mm_buf_addc(&b, '(');
	add_ident(&b, t, "_fts");
	mm_buf_adds(&b, ") VALUES('rebuild')");
	rc = exec_buf(sc, &b);
out:
	mm_buf_free(&b);
	return rc;
}

/* Creates or extends one register's table, indexes and search index. */
static int migrate_register(struct sconn *sc, const struct mm_schema *s)
{
	const char *t = s->name;
	struct mm_arena a;
	struct mm_buf b;
	const char **cols;
	size_t ncols;
	int rc;

	mm_arena_init(&a, 0);
	mm_buf_init(&b, SQL_CAP);

	mm_buf_adds(&b, "CREATE TABLE IF NOT EXISTS ");
	add_ident(&b, t, NULL);
	mm_buf_adds(&b, "(id INTEGER PRIMARY KEY, version INTEGER NOT NULL, "
	                "retired INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, "
	                "updated_at TEXT NOT NULL, updated_by TEXT NOT NULL");
	for (size_t i = 0; i < s->nfields; i++) {
		mm_buf_adds(&b, ", ");
		add_ident(&b, s->fields[i].name, NULL);
		mm_buf_adds(&b, int_field(&s->fields[i]) ? " INTEGER" : " TEXT");
	}
	mm_buf_addc(&b, ')');
	rc = exec_buf(sc, &b);
	if (rc)
		goto out;

	rc = table_columns(sc, t, &a, &cols, &ncols);
	if (rc)
		goto out;
	for (size_t i = 0; i < s->nfields; i++) {
		const struct mm_field *f = &s->fields[i];
		if (has_column(cols, ncols, f->name))
			continue;
		mm_buf_reset(&b);
		mm_buf_adds(&b, "ALTER TABLE ");
		add_ident(&b, t, NULL);
		mm_buf_adds(&b, " ADD COLUMN ");
		add_ident(&b, f->name, NULL);
		mm_buf_adds(&b, int_field(f) ? " INTEGER" : " TEXT");
		rc = exec_buf(sc, &b);
		if (rc)
			goto out;
	}

	mm_buf_reset(&b);
	mm_buf_adds(&b, "CREATE INDEX IF NOT EXISTS ");
	add_index_name(&b, t, "updated_at", "_idx");
	mm_buf_adds(&b, " ON ");
	add_ident(&b, t, NULL);
	mm_buf_adds(&b, "(retired, updated_at, id)");
	rc = exec_buf(sc, &b);
	if (rc)
		goto out;
	for (size_t i = 0; i < s->nfields; i++) {
		const struct mm_field *f = &s->fields[i];
		if (f->flags & (MM_F_SORT | MM_F_FILTER)) {
			mm_buf_reset(&b);
			mm_buf_adds(&b, "CREATE INDEX IF NOT EXISTS ");
			add_index_name(&b, t, f->name, "_idx");
			mm_buf_adds(&b, " ON ");
			add_ident(&b, t, NULL);
			mm_buf_adds(&b, "(retired, ");
			add_ident(&b, f->name, NULL);
			mm_buf_adds(&b, ", id)");
			rc = exec_buf(sc, &b);
			if (rc)
				goto out;
		}
		if (f->flags & MM_F_UNIQUE) {
			mm_buf_reset(&b);
			mm_buf_adds(&b, "CREATE UNIQUE INDEX IF NOT EXISTS ");
			add_index_name(&b, t, f->name, "_key");
			mm_buf_adds(&b, " ON ");
			add_ident(&b, t, NULL);
			mm_buf_addc(&b, '(');
			add_ident(&b, f->name, NULL);
			mm_buf_adds(&b, ") WHERE ");
			add_ident(&b, f->name, NULL);
			mm_buf_adds(&b, " IS NOT NULL");
			rc = exec_buf(sc, &b);
			if (rc)
				goto out;
		}
	}
	rc = migrate_fts(sc, s, &a);
out:
	mm_buf_free(&b);
	mm_arena_free(&a);
	return rc;
}

/* Applies system migration m unless the database has it already; one
 * transaction each. */
static int apply_migration(struct sconn *sc, const struct migration *m)
{
	sqlite3_stmt *st;
	int rc, src;

	rc = run_fixed(sc, FX_BEGIN_WRITE);
	if (rc)
		return rc;
	rc = stmt_fixed(sc, FX_MIG_HAS, &st);
	if (rc)
		goto out;
	sqlite3_bind_int(st, 1, m->version);
	src = sqlite3_step(st);
	rc = src == SQLITE_ROW || src == SQLITE_DONE ? MM_OK : fail(sc, src);
	done(st);
	if (rc || src == SQLITE_ROW)
		goto out;
	rc = exec(sc, m->sql);
	if (rc)
		goto out;
	rc = stmt_fixed(sc, FX_MIG_ADD, &st);
	if (rc)
		goto out;
	sqlite3_bind_int(st, 1, m->version);
	rc = step_done(sc, st);
out:
	if (rc)
		tx_rollback(&sc->base);
	else
		rc = tx_commit(&sc->base);
	return rc;
}

static int migrate(struct mm_conn *c, const struct mm_schema *const *schemas, size_t n)
{
	struct sconn *sc = sconn(c);
	sqlite3_stmt *st;
	int64_t have = 0;
	int rc, src;

	/* Tables may change shape: statements cached here are rebuilt later. */
	drop_cache(sc);
	for (size_t i = 0; i < n; i++) {
		if (mm_store_schema_check(schemas[i])) {
			note(sc, "schema has a name that is not a safe SQL identifier");
			return MM_EINVAL;
		}
	}
	rc = exec(sc, create_migrations_sql);
	if (rc)
		return rc;
	rc = stmt_fixed(sc, FX_MIG_MAX, &st);
	if (rc)
		return rc;
	src = sqlite3_step(st);
	if (src == SQLITE_ROW)
		have = sqlite3_column_int64(st, 0);
	else
		rc = fail(sc, src);
	done(st);
	if (rc)
		return rc;
	if (have > migrations[NMIGRATIONS - 1].version) {
		note(sc, "the database was made by a newer version of mamori");
		return MM_EDB;
	}
	for (size_t i = 0; i < NMIGRATIONS; i++) {
		rc = apply_migration(sc, &migrations[i]);
		if (rc)
			return rc;
	}

	rc = run_fixed(sc, FX_BEGIN_WRITE);
	if (rc)
		return rc;
	for (size_t i = 0; i < n && !rc; i++)
		rc = migrate_register(sc, schemas[i]);
	if (rc)
		tx_rollback(c);
	else
		rc = tx_commit(c);
	return rc;
}

/* Records. */

static int rec_get(struct mm_conn *c, const struct mm_schema *s, int64_t id, struct mm_arena *a,
                   struct mm_record *out)
{
	struct sconn *sc = sconn(c);
	struct cached *e;
	int rc, src;

	rc = cached_for(sc, s, &e);
	if (rc)
		return rc;
	sqlite3_bind_int64(e->get, 1, id);
	src = sqlite3_step(e->get);
	if (src == SQLITE_ROW)
		rc = read_record(e->get, s, a, out);
	else if (src == SQLITE_DONE)
		rc = MM_ENOTFOUND;
	else
		rc = fail(sc, src);
	done(e->get);
	return rc;
}

static int bind_fields(sqlite3_stmt *st, int first, const struct mm_schema *s,
                       const struct mm_value *v)
{
	int src = SQLITE_OK;

	for (size_t i = 0; i < s->nfields && src == SQLITE_OK; i++)
		src = bind_value(st, first + (int)i, &s->fields[i], &v[i]);
	return src;
}

static int rec_insert(struct mm_conn *c, const struct mm_schema *s, struct mm_record *rec)
{
	struct sconn *sc = sconn(c);
	struct cached *e;
	int64_t id = 0;
	int rc;

	if (!rec->created_at || !rec->updated_at || !rec->updated_by || (s->nfields && !rec->v))
		return MM_EINVAL;
	rc = cached_for(sc, s, &e);
	if (rc)
		return rc;
	rc = op_begin(sc);
	if (rc)
		return rc;
	bind_text(e->insert, 1, rec->created_at);
	bind_text(e->insert, 2, rec->updated_at);
	bind_text(e->insert, 3, rec->updated_by);
	if (bind_fields(e->insert, 4, s, rec->v) != SQLITE_OK) {
		rc = fail(sc, sqlite3_extended_errcode(sc->db));
		done(e->insert);
		goto out;
	}
	rc = step_done(sc, e->insert);
	if (rc)
		goto out;
	id = sqlite3_last_insert_rowid(sc->db);
	rc = fts_step(sc, e->fts_add, id);
out:
	rc = op_end(sc, rc);
	if (!rc) {
		rec->id = id;
		rec->version = 1;
		rec->retired = false;
	}
	return rc;
}

/* Tells a stale version from a missing record after an update changed
 * nothing. */
static int why_unchanged(struct sconn *sc, struct cached *e, int64_t id)
{
	int src, rc;

	sqlite3_bind_int64(e->exists, 1, id);
	src = sqlite3_step(e->exists);
	if (src == SQLITE_ROW)
		rc = MM_ECONFLICT;
	else if (src == SQLITE_DONE)
		rc = MM_ENOTFOUND;
	else
		rc = fail(sc, src);
	done(e->exists);
	return rc;
}

static int rec_update(struct mm_conn *c, const struct mm_schema *s, const struct mm_record *rec,
                      int64_t expected_version)
{
	struct sconn *sc = sconn(c);
	struct cached *e;
	int rc, k;

	if (!rec->updated_at || !rec->updated_by || (s->nfields && !rec->v))
		return MM_EINVAL;
	rc = cached_for(sc, s, &e);
	if (rc)
		return rc;
	rc = op_begin(sc);
	if (rc)
		return rc;
	rc = fts_step(sc, e->fts_del, rec->id);
	if (rc)
		goto out;
	sqlite3_bind_int64(e->update, 1, rec->version);
	sqlite3_bind_int(e->update, 2, rec->retired ? 1 : 0);
	bind_text(e->update, 3, rec->updated_at);
	bind_text(e->update, 4, rec->updated_by);
	k = 5 + (int)s->nfields;
	if (bind_fields(e->update, 5, s, rec->v) != SQLITE_OK ||
	    sqlite3_bind_int64(e->update, k, rec->id) != SQLITE_OK ||
	    sqlite3_bind_int64(e->update, k + 1, expected_version) != SQLITE_OK) {
		rc = fail(sc, sqlite3_extended_errcode(sc->db));
		done(e->update);
		goto out;
	}
	rc = step_done(sc, e->update);
	if (rc)
		goto out;
	if (sqlite3_changes(sc->db) == 0) {
		rc = why_unchanged(sc, e, rec->id);
		goto out;
	}
	rc = fts_step(sc, e->fts_add, rec->id);
out:
	return op_end(sc, rc);
}

static int rec_find(struct mm_conn *c, const struct mm_schema *s, int field,
                    const struct mm_value *value, int64_t exclude_id, int64_t *id)
{
	struct sconn *sc = sconn(c);
	const struct mm_field *f;
	struct cached *e;
	sqlite3_stmt *st;
	struct mm_buf b;
	int rc, src;

	rc = cached_for(sc, s, &e);
	if (rc)
		return rc;
	if (field < 0 || (size_t)field >= s->nfields)
		return MM_EINVAL;
	f = &s->fields[field];
	if (!value->set || (!int_field(f) && !value->s))
		return MM_ENOTFOUND;
	if (!e->find[field]) {
		mm_buf_init(&b, SQL_CAP);
		mm_buf_adds(&b, "SELECT id FROM ");
		add_ident(&b, s->name, NULL);
		mm_buf_adds(&b, " WHERE ");
		add_ident(&b, f->name, NULL);
		mm_buf_adds(&b, " = ? AND id <> ? ORDER BY id LIMIT 1");
		rc = prepare_buf(sc, &b, true, &e->find[field]);
		mm_buf_free(&b);
		if (rc)
			return rc;
	}
	st = e->find[field];
	bind_value(st, 1, f, value);
	sqlite3_bind_int64(st, 2, exclude_id);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	rc = src == SQLITE_ROW ? MM_OK : src == SQLITE_DONE ? MM_ENOTFOUND : fail(sc, src);
	done(st);
	return rc;
}

/* Lists. */

static int bind_all(sqlite3_stmt *st, const struct bind *v, size_t n)
{
	int src = SQLITE_OK;

	for (size_t i = 0; i < n && src == SQLITE_OK; i++) {
		int idx = (int)i + 1;
		switch (v[i].kind) {
		case B_NULL:
			src = sqlite3_bind_null(st, idx);
			break;
		case B_INT:
			src = sqlite3_bind_int64(st, idx, v[i].i);
			break;
		case B_TEXT:
			src = sqlite3_bind_text(st, idx, v[i].s, -1, SQLITE_STATIC);
			break;
		}
	}
	return src;
}

/* Quotes q as one FTS5 phrase so none of it is read as query syntax. */
static char *fts_phrase(struct mm_arena *a, const char *q)
{
	size_t n = 2, i, k = 0;
	char *p;

	for (i = 0; q[i]; i++)
		n += q[i] == '"' ? 2 : 1;
	p = mm_arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	p[k++] = '"';
	for (i = 0; q[i]; i++) {
		if (q[i] == '"')
			p[k++] = '"';
		p[k++] = q[i];
	}
	p[k++] = '"';
	p[k] = '\0';
	return p;
}

/* Escapes the LIKE wildcards and the escape character itself. */
static char *like_escape(struct mm_arena *a, const char *q)
{
	size_t n = 0, i, k = 0;
	char *p;

	for (i = 0; q[i]; i++)
		n += (q[i] == '%' || q[i] == '_' || q[i] == '\\') ? 2 : 1;
	p = mm_arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	for (i = 0; q[i]; i++) {
		if (q[i] == '%' || q[i] == '_' || q[i] == '\\')
			p[k++] = '\\';
		p[k++] = q[i];
	}
	p[k] = '\0';
	return p;
}

/* Appends the WHERE clause of q to w and its values to v. */
static int build_where(const struct mm_schema *s, const struct mm_query *q, struct mm_arena *a,
                       struct mm_buf *w, struct bind *v, size_t *nv)
{
	static const char *const ops[] = {
	    [MM_OP_EQ] = " = ?", [MM_OP_GE] = " >= ?", [MM_OP_LE] = " <= ?"};

	mm_buf_adds(w, " WHERE 1");
	if (q->status == MM_ACTIVE)
		mm_buf_adds(w, " AND retired = 0");
	else if (q->status == MM_RETIRED)
		mm_buf_adds(w, " AND retired = 1");
	else if (q->status != MM_ANY_STATUS)
		return MM_EINVAL;

	for (size_t i = 0; i < q->nfilters; i++) {
		const struct mm_filter *fl = &q->filters[i];
		const struct mm_field *f;

		if (fl->field < 0 || (size_t)fl->field >= s->nfields ||
		    (fl->op != MM_OP_EQ && fl->op != MM_OP_GE && fl->op != MM_OP_LE))
			return MM_EINVAL;
		f = &s->fields[fl->field];
		mm_buf_adds(w, " AND ");
		add_ident(w, f->name, NULL);
		if (!fl->v.set || (!int_field(f) && !fl->v.s)) {
			if (fl->op != MM_OP_EQ)
				return MM_EINVAL;
			mm_buf_adds(w, " IS NULL");
			continue;
		}
		mm_buf_adds(w, ops[fl->op]);
		if (int_field(f))
			v[(*nv)++] = (struct bind){B_INT, fl->v.i, NULL};
		else
			v[(*nv)++] = (struct bind){B_TEXT, 0, fl->v.s};
	}

	if (q->q && q->q[0]) {
		size_t nsearch = count_search(s);

		if (nsearch == 0) {
			mm_buf_adds(w, " AND 0");
		} else if (mm_utf8_count(q->q, strlen(q->q)) >= 3) {
			char *phrase = fts_phrase(a, q->q);
			if (!phrase)
				return MM_ENOMEM;
			mm_buf_adds(w, " AND id IN (SELECT rowid FROM ");
			add_ident(w, s->name, "_fts");
			mm_buf_adds(w, " WHERE ");
			add_ident(w, s->name, "_fts");
			mm_buf_adds(w, " MATCH ?)");
			v[(*nv)++] = (struct bind){B_TEXT, 0, phrase};
		} else {
			char *pat = like_escape(a, q->q);
			const char *sep = " AND (";
			if (!pat)
				return MM_ENOMEM;
			for (size_t i = 0; i < s->nfields; i++) {
				if (!(s->fields[i].flags & MM_F_SEARCH))
					continue;
				mm_buf_adds(w, sep);
				add_ident(w, s->fields[i].name, NULL);
				mm_buf_adds(w, " LIKE '%' || ? || '%' ESCAPE '\\'");
				v[(*nv)++] = (struct bind){B_TEXT, 0, pat};
				sep = " OR ";
			}
			mm_buf_addc(w, ')');
		}
	}
	return MM_OK;
}

static int add_order(const struct mm_schema *s, const struct mm_query *q, struct mm_buf *b)
{
	const char *dir = q->desc ? " DESC" : " ASC";

	mm_buf_adds(b, " ORDER BY ");
	if (q->sort >= 0) {
		if ((size_t)q->sort >= s->nfields)
			return MM_EINVAL;
		add_ident(b, s->fields[q->sort].name, NULL);
		mm_buf_adds(b, dir);
		mm_buf_adds(b, ", ");
	} else if (q->sort == MM_SORT_UPDATED) {
		mm_buf_adds(b, "updated_at");
		mm_buf_adds(b, dir);
		mm_buf_adds(b, ", ");
	} else if (q->sort != MM_SORT_ID) {
		return MM_EINVAL;
	}
	mm_buf_adds(b, "id");
	mm_buf_adds(b, dir);
	return MM_OK;
}

/* Runs SELECT count(*) with the WHERE clause in w. */
static int list_count(struct sconn *sc, const struct mm_schema *s, struct mm_buf *w,
                      const struct bind *v, size_t nv, int64_t *total)
{
	sqlite3_stmt *st = NULL;
	struct mm_buf b;
	int rc, src;

	mm_buf_init(&b, SQL_CAP);
	mm_buf_adds(&b, "SELECT count(*) FROM ");
	add_ident(&b, s->name, NULL);
	mm_buf_add(&b, w->data, w->len);
	rc = prepare_buf(sc, &b, false, &st);
	if (rc)
		goto out;
	if (bind_all(st, v, nv) != SQLITE_OK) {
		rc = fail(sc, sqlite3_extended_errcode(sc->db));
		goto out;
	}
	src = sqlite3_step(st);
	if (src == SQLITE_ROW)
		*total = sqlite3_column_int64(st, 0);
	else
		rc = fail(sc, src);
out:
	sqlite3_finalize(st);
	mm_buf_free(&b);
	return rc;
}

static int list_rows(struct sconn *sc, const struct mm_schema *s, const struct mm_query *q,
                     struct mm_buf *w, struct bind *v, size_t nv, size_t want, struct mm_arena *a,
                     struct mm_page *out)
{
	sqlite3_stmt *st = NULL;
	struct mm_buf b;
	int rc, src = SQLITE_DONE;

	mm_buf_init(&b, SQL_CAP);
	mm_buf_adds(&b, "SELECT ");
	add_columns(&b, s);
	mm_buf_adds(&b, " FROM ");
	add_ident(&b, s->name, NULL);
	mm_buf_add(&b, w->data, w->len);
	rc = add_order(s, q, &b);
	if (rc)
		goto out;
	mm_buf_adds(&b, " LIMIT ? OFFSET ?");
	v[nv++] = (struct bind){B_INT, (int64_t)want, NULL};
	v[nv++] = (struct bind){B_INT, (int64_t)q->offset, NULL};
	rc = MM_ENOMEM;
	out->recs = mm_arena_zalloc(a, want * sizeof(*out->recs));
	if (!out->recs)
		goto out;
	rc = prepare_buf(sc, &b, false, &st);
	if (rc)
		goto out;
	if (bind_all(st, v, nv) != SQLITE_OK) {
		rc = fail(sc, sqlite3_extended_errcode(sc->db));
		goto out;
	}
	while (out->n < want && (src = sqlite3_step(st)) == SQLITE_ROW) {
		rc = read_record(st, s, a, &out->recs[out->n]);
		if (rc)
			goto out;
		out->n++;
	}
	if (out->n < want && src != SQLITE_DONE)
		rc = fail(sc, src);
out:
	sqlite3_finalize(st);
	mm_buf_free(&b);
	return rc;
}

static int rec_list(struct mm_conn *c, const struct mm_schema *s, const struct mm_query *q,
                    struct mm_arena *a, struct mm_page *out)
{
	struct sconn *sc = sconn(c);
	struct cached *e;
	struct bind *v;
	size_t nv = 0, want = 0;
	struct mm_buf w;
	int rc;

	out->recs = NULL;
	out->n = 0;
	out->total = 0;
	if (q->offset > INT64_MAX)
		return MM_EINVAL;
	rc = cached_for(sc, s, &e); /* checks the schema's names */
	if (rc)
		return rc;
	mm_buf_init(&w, SQL_CAP);
	rc = MM_ENOMEM;
	v = mm_arena_alloc(a, (q->nfilters + s->nfields + 4) * sizeof(*v));
	if (!v)
		goto out;
	rc = build_where(s, q, a, &w, v, &nv);
	if (rc)
		goto out;
	if (w.err) {
		rc = MM_ENOMEM;
		goto out;
	}
	/* Count and rows come from one snapshot. */
	rc = op_begin(sc);
	if (rc)
		goto out;
	rc = list_count(sc, s, &w, v, nv, &out->total);
	if (!rc && (uint64_t)out->total > q->offset) {
		want = (size_t)((uint64_t)out->total - q->offset);
		if (want > q->limit)
			want = q->limit;
	}
	if (!rc && want)
		rc = list_rows(sc, s, q, &w, v, nv, want, a, out);
	rc = op_end(sc, rc);
out:
	mm_buf_free(&w);
	return rc;
}

/* History, counters and settings. */

static int hist_add(struct mm_conn *c, const struct mm_schema *s, const struct mm_hist *h)
{
	struct sconn *sc = sconn(c);
	sqlite3_stmt *st;
	int rc;

	if (!h->at || !h->actor || !h->action || !h->changes)
		return MM_EINVAL;
	rc = stmt_fixed(sc, FX_HIST_ADD, &st);
	if (rc)
		return rc;
	bind_text(st, 1, s->name);
	sqlite3_bind_int64(st, 2, h->record_id);
	sqlite3_bind_int64(st, 3, h->version);
	bind_text(st, 4, h->at);
	bind_text(st, 5, h->actor);
	bind_text(st, 6, h->action);
	bind_text(st, 7, h->changes);
	return step_done(sc, st);
}

static int hist_list(struct mm_conn *c, const struct mm_schema *s, int64_t id, struct mm_arena *a,
                     struct mm_hist **out, size_t *n)
{
	struct sconn *sc = sconn(c);
	struct mm_hist *v = NULL;
	size_t cap = 0;
	sqlite3_stmt *st;
	int rc, src;

	*out = NULL;
	*n = 0;
	rc = stmt_fixed(sc, FX_HIST_LIST, &st);
	if (rc)
		return rc;
	bind_text(st, 1, s->name);
	sqlite3_bind_int64(st, 2, id);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		struct mm_hist *h;
		if (*n == cap) {
			struct mm_hist *nv;
			cap = cap ? cap * 2 : 8;
			nv = mm_arena_alloc(a, cap * sizeof(*nv));
			if (!nv) {
				rc = MM_ENOMEM;
				goto out;
			}
			if (*n)
				memcpy(nv, v, *n * sizeof(*nv));
			v = nv;
		}
		h = &v[*n];
		h->record_id = sqlite3_column_int64(st, 0);
		h->version = sqlite3_column_int64(st, 1);
		rc = dup_text(st, 2, a, &h->at);
		if (!rc)
			rc = dup_text(st, 3, a, &h->actor);
		if (!rc)
			rc = dup_text(st, 4, a, &h->action);
		if (!rc)
			rc = dup_text(st, 5, a, &h->changes);
		if (rc)
			goto out;
		(*n)++;
	}
	if (src != SQLITE_DONE)
		rc = fail(sc, src);
out:
	done(st);
	*out = v;
	if (rc)
		*n = 0;
	return rc;
}

static int seq_next(struct mm_conn *c, const char *name, int64_t *out)
{
	struct sconn *sc = sconn(c);
	sqlite3_stmt *st;
	int rc, src;

	if (!name)
		return MM_EINVAL;
	rc = stmt_fixed(sc, FX_SEQ_NEXT, &st);
	if (rc)
		return rc;
	bind_text(st, 1, name);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		src = sqlite3_step(st);
		if (src == SQLITE_DONE)
			src = SQLITE_ROW;
	}
	rc = src == SQLITE_ROW ? MM_OK : fail(sc, src);
	done(st);
	return rc;
}

static int meta_get(struct mm_conn *c, const char *key, struct mm_arena *a, const char **value)
{
	struct sconn *sc = sconn(c);
	sqlite3_stmt *st;
	int rc, src;

	*value = NULL;
	if (!key)
		return MM_EINVAL;
	rc = stmt_fixed(sc, FX_META_GET, &st);
	if (rc)
		return rc;
	bind_text(st, 1, key);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW)
		rc = dup_text(st, 0, a, value);
	else
		rc = src == SQLITE_DONE ? MM_ENOTFOUND : fail(sc, src);
	done(st);
	return rc;
}

static int meta_set(struct mm_conn *c, const char *key, const char *value)
{
	struct sconn *sc = sconn(c);
	sqlite3_stmt *st;
	int rc;

	if (!key || !value)
		return MM_EINVAL;
	rc = stmt_fixed(sc, FX_META_SET, &st);
	if (rc)
		return rc;
	bind_text(st, 1, key);
	bind_text(st, 2, value);
	return step_done(sc, st);
}

const struct mm_backend mm_sqlite_backend = {
    .name = "sqlite",
    .open = open_conn,
    .close = close_conn,
    .migrate = migrate,
    .tx_begin = tx_begin,
    .tx_commit = tx_commit,
    .tx_rollback = tx_rollback,
    .rec_get = rec_get,
    .rec_insert = rec_insert,
    .rec_update = rec_update,
    .rec_list = rec_list,
    .rec_find = rec_find,
    .hist_add = hist_add,
    .hist_list = hist_list,
    .seq_next = seq_next,
    .meta_get = meta_get,
    .meta_set = meta_set,
};
