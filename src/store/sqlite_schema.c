/* The SQLite backend's migrations: the versioned system tables (their SQL
 * is shared, in migrations.c), then for
 * each register its table, indexes and full-text index, created or extended
 * from the register's schema. */
#include "store/sqlite_int.h"

#include "store/acl_sql.h"

#include "core/err.h"
#include "store/migrations.h"

#include <string.h>

int64_t mm_sq_latest_migration(void)
{
	return mm_migration_latest();
}

static const char create_migrations_sql[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, "
	"applied_at TEXT)";

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

/* The *n column names of table, from a (sqlite_copy.c; *n = 0 when the
 * table does not exist). */
static int table_columns(struct mm_sq_conn *sc, const char *table, struct mm_arena *a,
			 const char ***out, size_t *n)
{
	return mm_sq_copy_columns(&sc->base, table, a, out, n);
}

static bool has_column(const char **cols, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(cols[i], name) == 0)
			return true;
	return false;
}

/* Makes the FTS table match the schema's search fields. */
static int migrate_fts(struct mm_sq_conn *sc, const struct mm_schema *s, struct mm_arena *a)
{
	const char *t = s->name;
	const char **cols;
	size_t ncols, k = 0;
	struct mm_buf b;
	bool same = true;
	char *fts;
	int rc;

	mm_buf_init(&b, MM_SQ_SQL_CAP);
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
		mm_sq_add_ident(&b, t, "_fts");
		rc = mm_sq_exec_buf(sc, &b);
		if (rc)
			goto out;
	}
	if (k == 0)
		goto out;
	mm_buf_reset(&b);
	mm_buf_adds(&b, "CREATE VIRTUAL TABLE ");
	mm_sq_add_ident(&b, t, "_fts");
	mm_buf_adds(&b, " USING fts5(");
	for (size_t i = 0; i < s->nfields; i++) {
		if (s->fields[i].flags & MM_F_SEARCH) {
			mm_sq_add_ident(&b, s->fields[i].name, NULL);
			mm_buf_adds(&b, ", ");
		}
	}
	mm_buf_adds(&b, "content='");
	mm_buf_adds(&b, t);
	mm_buf_adds(&b, "', content_rowid='id', tokenize='trigram')");
	rc = mm_sq_exec_buf(sc, &b);
	if (rc)
		goto out;
	mm_buf_reset(&b);
	mm_buf_adds(&b, "INSERT INTO ");
	mm_sq_add_ident(&b, t, "_fts");
	mm_buf_addc(&b, '(');
	mm_sq_add_ident(&b, t, "_fts");
	mm_buf_adds(&b, ") VALUES('rebuild')");
	rc = mm_sq_exec_buf(sc, &b);
out:
	mm_buf_free(&b);
	return rc;
}

/* Creates the indexes of one register: one per sortable or filterable field
 * and one for each of the orders by id and by update time, each led by
 * retired so that lists of active records walk them in order; a partial
 * unique index per unique field. */
static int create_indexes(struct mm_sq_conn *sc, const struct mm_schema *s, struct mm_buf *b)
{
	const char *t = s->name;
	int rc;

	/* The default order: (retired) holds (retired, rowid), that is id. */
	mm_buf_reset(b);
	mm_buf_adds(b, "CREATE INDEX IF NOT EXISTS ");
	add_index_name(b, t, "retired", "_idx");
	mm_buf_adds(b, " ON ");
	mm_sq_add_ident(b, t, NULL);
	mm_buf_adds(b, "(retired)");
	rc = mm_sq_exec_buf(sc, b);
	if (rc)
		return rc;
	mm_buf_reset(b);
	mm_buf_adds(b, "CREATE INDEX IF NOT EXISTS ");
	add_index_name(b, t, "updated_at", "_idx");
	mm_buf_adds(b, " ON ");
	mm_sq_add_ident(b, t, NULL);
	mm_buf_adds(b, "(retired, updated_at, id)");
	rc = mm_sq_exec_buf(sc, b);
	if (rc)
		return rc;
	for (size_t i = 0; i < s->nfields; i++) {
		const struct mm_field *f = &s->fields[i];
		if (f->flags & (MM_F_SORT | MM_F_FILTER)) {
			mm_buf_reset(b);
			mm_buf_adds(b, "CREATE INDEX IF NOT EXISTS ");
			add_index_name(b, t, f->name, "_idx");
			mm_buf_adds(b, " ON ");
			mm_sq_add_ident(b, t, NULL);
			mm_buf_adds(b, "(retired, ");
			mm_sq_add_ident(b, f->name, NULL);
			mm_buf_adds(b, ", id)");
			rc = mm_sq_exec_buf(sc, b);
			if (rc)
				return rc;
		}
		if (f->flags & MM_F_UNIQUE) {
			mm_buf_reset(b);
			mm_buf_adds(b, "CREATE UNIQUE INDEX IF NOT EXISTS ");
			add_index_name(b, t, f->name, "_key");
			mm_buf_adds(b, " ON ");
			mm_sq_add_ident(b, t, NULL);
			mm_buf_addc(b, '(');
			mm_sq_add_ident(b, f->name, NULL);
			mm_buf_adds(b, ") WHERE ");
			mm_sq_add_ident(b, f->name, NULL);
			mm_buf_adds(b, " IS NOT NULL");
			rc = mm_sq_exec_buf(sc, b);
			if (rc)
				return rc;
		}
	}
	return MM_OK;
}

/* Runs the statement in b with name bound to its one parameter. */
static int run_named(struct mm_sq_conn *sc, struct mm_buf *b, const char *name)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = mm_sq_prepare_buf(sc, b, false, &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = mm_sq_step_done(sc, st);
	sqlite3_finalize(st);
	return rc;
}

/* Counts the register's active and retired records into record_counts,
 * and into level_counts by level when it has a level field. Inserts and
 * updates keep those numbers in step; counting again at every migration
 * (that is, at every start) forgets any drift, for instance from rows
 * changed with the sqlite3 shell. */
int mm_sq_recount(struct mm_sq_conn *sc, const struct mm_schema *s, struct mm_buf *b)
{
	struct mm_sql_bind v[1];
	size_t nv = 0;
	int rc;

	mm_buf_reset(b);
	mm_buf_adds(b, "REPLACE INTO record_counts(register, active, retired) "
		       "SELECT ?, (SELECT count(*) FROM ");
	mm_sq_add_ident(b, s->name, NULL);
	mm_buf_adds(b, " WHERE retired = 0), (SELECT count(*) FROM ");
	mm_sq_add_ident(b, s->name, NULL);
	mm_buf_adds(b, " WHERE retired = 1)");
	rc = run_named(sc, b, s->name);
	mm_buf_reset(b);
	mm_buf_adds(b, "DELETE FROM level_counts WHERE register = ?");
	if (!rc)
		rc = run_named(sc, b, s->name);
	mm_buf_reset(b);
	if (!rc && mm_schema_level_field(s) >= 0) {
		mm_level_recount_sql(MM_DIALECT_SQLITE, s, b, v, &nv);
		rc = run_named(sc, b, s->name);
	}
	return rc;
}

int mm_sq_index_exists(struct mm_sq_conn *sc, const char *name, bool *found)
{
	sqlite3_stmt *st;
	int rc, src;

	/* Kept prepared: lists ask it (sqlite_list.c, order_indexed). */
	rc = mm_sq_stmt_fixed(sc, FX_INDEX_EXISTS, &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	src = mm_sq_step(sc, st);
	*found = src == SQLITE_ROW;
	rc = src == SQLITE_ROW || src == SQLITE_DONE ? MM_OK : mm_sq_fail(sc, src);
	mm_sq_done(st);
	return rc;
}

int mm_sq_index(struct mm_conn *c, const struct mm_schema *s, const size_t *f, size_t n)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	struct mm_buf name, b;
	bool found = false;
	int rc;

	mm_buf_init(&name, MM_SQ_SQL_CAP);
	mm_buf_init(&b, MM_SQ_SQL_CAP);
	mm_store_index_name(&name, s, f, n);
	rc = name.err ? MM_ENOMEM : mm_sq_index_exists(sc, name.data, &found);
	if (rc || found)
		goto out;
	mm_buf_adds(&b, "CREATE INDEX ");
	mm_sq_add_ident(&b, name.data, NULL);
	mm_buf_adds(&b, " ON ");
	mm_sq_add_ident(&b, s->name, NULL);
	mm_buf_adds(&b, "(retired");
	for (size_t i = 0; i < n; i++) {
		mm_buf_adds(&b, ", ");
		mm_sq_add_ident(&b, mm_store_index_column(s, f[i]), NULL);
	}
	mm_buf_adds(&b, ", id)");
	rc = mm_sq_exec_buf(sc, &b);
	if (rc)
		goto out;
	/* Without statistics the planner takes a new index for the best way
	 * to walk the whole table, and sorts every list it serves. */
	mm_buf_reset(&b);
	mm_buf_adds(&b, "ANALYZE ");
	mm_sq_add_ident(&b, name.data, NULL);
	rc = mm_sq_exec_buf(sc, &b);
out:
	mm_buf_free(&name);
	mm_buf_free(&b);
	return rc;
}

/* Creates or extends one register's table, indexes and search index. */
static int migrate_register(struct mm_sq_conn *sc, const struct mm_schema *s)
{
	const char *t = s->name;
	struct mm_arena a;
	struct mm_buf b;
	const char **cols;
	size_t ncols;
	int rc;

	mm_arena_init(&a, 0);
	mm_buf_init(&b, MM_SQ_SQL_CAP);

	mm_buf_adds(&b, "CREATE TABLE IF NOT EXISTS ");
	mm_sq_add_ident(&b, t, NULL);
	mm_buf_adds(&b, "(id INTEGER PRIMARY KEY, version INTEGER NOT NULL, "
			"retired INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, "
			"updated_at TEXT NOT NULL, updated_by TEXT NOT NULL");
	for (size_t i = 0; i < s->nfields; i++) {
		mm_buf_adds(&b, ", ");
		mm_sq_add_ident(&b, s->fields[i].name, NULL);
		mm_buf_adds(&b, mm_sq_int_field(&s->fields[i]) ? " INTEGER" : " TEXT");
	}
	mm_buf_addc(&b, ')');
	rc = mm_sq_exec_buf(sc, &b);
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
		mm_sq_add_ident(&b, t, NULL);
		mm_buf_adds(&b, " ADD COLUMN ");
		mm_sq_add_ident(&b, f->name, NULL);
		mm_buf_adds(&b, mm_sq_int_field(f) ? " INTEGER" : " TEXT");
		rc = mm_sq_exec_buf(sc, &b);
		if (rc)
			goto out;
	}

	rc = create_indexes(sc, s, &b);
	if (rc)
		goto out;
	rc = migrate_fts(sc, s, &a);
	if (rc)
		goto out;
	rc = mm_sq_recount(sc, s, &b);
out:
	mm_buf_free(&b);
	mm_arena_free(&a);
	return rc;
}

/* Applies system migration m unless the database has it already; one
 * transaction each. */
static int apply_migration(struct mm_sq_conn *sc, const struct mm_migration *m, struct mm_buf *b)
{
	sqlite3_stmt *st;
	int rc, src;

	rc = mm_sq_run_fixed(sc, FX_BEGIN_WRITE);
	if (rc)
		return rc;
	rc = mm_sq_stmt_fixed(sc, FX_MIG_HAS, &st);
	if (rc)
		goto out;
	sqlite3_bind_int(st, 1, m->version);
	src = mm_sq_step(sc, st);
	rc = src == SQLITE_ROW || src == SQLITE_DONE ? MM_OK : mm_sq_fail(sc, src);
	mm_sq_done(st);
	if (rc || src == SQLITE_ROW)
		goto out;
	mm_migration_sql(m, MM_DIALECT_SQLITE, b);
	rc = mm_sq_exec_buf(sc, b);
	if (rc)
		goto out;
	rc = mm_sq_stmt_fixed(sc, FX_MIG_ADD, &st);
	if (rc)
		goto out;
	sqlite3_bind_int(st, 1, m->version);
	rc = mm_sq_step_done(sc, st);
out:
	/* A plain COMMIT: the generation counter may not exist yet. */
	if (!rc)
		rc = mm_sq_run_fixed(sc, FX_COMMIT);
	if (rc)
		mm_sq_tx_rollback(&sc->base);
	return rc;
}

int mm_sq_migrate(struct mm_conn *c, const struct mm_schema *const *schemas, size_t n)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	struct mm_buf b;
	sqlite3_stmt *st;
	int64_t have = 0;
	int rc, src;

	/* Tables may change shape: statements cached here are rebuilt later. */
	mm_sq_drop_cache(sc);
	mm_sq_lists_free(sc);
	for (size_t i = 0; i < n; i++) {
		if (mm_store_schema_check(schemas[i])) {
			mm_sq_note(sc, "schema has a name that is not a safe SQL identifier");
			return MM_EINVAL;
		}
	}
	rc = mm_sq_exec(sc, create_migrations_sql);
	if (rc)
		return rc;
	rc = mm_sq_stmt_fixed(sc, FX_MIG_MAX, &st);
	if (rc)
		return rc;
	src = mm_sq_step(sc, st);
	if (src == SQLITE_ROW)
		have = sqlite3_column_int64(st, 0);
	else
		rc = mm_sq_fail(sc, src);
	mm_sq_done(st);
	if (rc)
		return rc;
	if (have > mm_migration_latest()) {
		mm_sq_note(sc, "the database was made by a newer version of mamori");
		return MM_EDB;
	}
	mm_buf_init(&b, MM_SQ_SQL_CAP);
	for (size_t i = 0; i < mm_nmigrations && !rc; i++)
		rc = apply_migration(sc, &mm_migrations[i], &b);
	mm_buf_free(&b);
	if (rc)
		return rc;
	rc = mm_sq_alog_backfill(sc);
	if (rc)
		return rc;

	rc = mm_sq_run_fixed(sc, FX_BEGIN_WRITE);
	if (rc)
		return rc;
	for (size_t i = 0; i < n && !rc; i++)
		rc = migrate_register(sc, schemas[i]);
	if (rc) {
		mm_sq_tx_rollback(c);
		return rc;
	}
	rc = mm_sq_tx_commit(c);
	if (rc)
		return rc;
	/* Counting each register's records above used its indexes, so this
	 * runs ANALYZE on every register table that has no statistics yet (or
	 * has grown 25-fold since), and the query planner can tell a selective
	 * index from one that is not. A failure here costs speed, not data. */
	(void)mm_sq_exec(sc, "PRAGMA optimize");
	return MM_OK;
}
