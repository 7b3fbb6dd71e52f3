/* The PostgreSQL backend's migrations: the versioned system tables from
 * the shared list (migrations.c), this backend's own steps (the trigram
 * extension for text search, the audit chain head), then for each register
 * its table and indexes, created or extended from the register's schema.
 *
 * Several servers may start on one database at once: the whole migration
 * runs under a session advisory lock (MIGRATE_LOCK), so one applies each
 * step and the others then find it applied. */
#include "store/pg_int.h"

#include "store/acl_sql.h"

#include "core/err.h"
#include "store/migrations.h"

#include <stdio.h>
#include <string.h>

#define MIGRATE_LOCK "7164917547437490002"

static const char create_migrations_sql[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations(version BIGINT PRIMARY KEY, "
	"applied_at TEXT)";

/* Steps of this backend only, run (idempotently) after the versioned
 * ones. pg_trgm is a trusted extension: the database's owner may create
 * it. audit_head is the one row every audit append locks and moves (seq,
 * chain value and time of the last entry; at NULL when there is no entry
 * to follow in time), see pg_auditlog.c. */
static const char pg_steps_sql[] =
	"CREATE EXTENSION IF NOT EXISTS pg_trgm;"
	"CREATE TABLE IF NOT EXISTS audit_head(id BIGINT PRIMARY KEY CHECK(id = 1), "
	"seq BIGINT NOT NULL, chain BYTEA NOT NULL, at BIGINT)";

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

/* Appends "CREATE [UNIQUE ]INDEX IF NOT EXISTS <table>_<field><suffix> ON
 * <table>". */
static void index_head(struct mm_buf *b, bool unique, const char *table, const char *field,
		       const char *suffix)
{
	mm_buf_adds(b,
		    unique ? "CREATE UNIQUE INDEX IF NOT EXISTS " : "CREATE INDEX IF NOT EXISTS ");
	add_index_name(b, table, field, suffix);
	mm_buf_adds(b, " ON ");
	mm_pg_add_ident(b, table, NULL);
}

static int max_version(struct mm_pg_conn *pc, int64_t *have)
{
	PGresult *res;
	int rc = mm_pg_query(pc, "SELECT coalesce(max(version), 0) FROM schema_migrations", NULL,
			     &res);

	if (!rc) {
		*have = mm_pg_int(res, 0, 0);
		PQclear(res);
	}
	return rc;
}

/* Applies system migration m unless the database has it; one transaction
 * each. */
static int apply_migration(struct mm_pg_conn *pc, const struct mm_migration *m, struct mm_buf *b)
{
	struct mm_pg_args a;
	PGresult *res = NULL;
	int rc;

	mm_pg_args_init(&a);
	rc = mm_pg_exec(pc, "BEGIN");
	if (rc)
		return rc;
	mm_pg_arg_int(&a, m->version);
	rc = mm_pg_query(pc, "SELECT 1 FROM schema_migrations WHERE version = $1", &a, &res);
	if (rc || PQntuples(res) > 0)
		goto out;
	mm_migration_sql(m, MM_DIALECT_PG, b);
	rc = mm_pg_exec_buf(pc, b);
	if (!rc)
		rc = mm_pg_query(
			pc,
			"INSERT INTO schema_migrations(version, applied_at) VALUES($1, "
			"to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))",
			&a, NULL);
out:
	PQclear(res);
	mm_pg_args_free(&a);
	if (!rc)
		rc = mm_pg_exec(pc, "COMMIT");
	if (rc)
		mm_pg_tx_rollback(&pc->base);
	return rc;
}

/* Runs sql with name (a table's, an index's or a register's) as $1. */
static int query_named(struct mm_pg_conn *pc, const char *sql, const char *name, PGresult **out)
{
	struct mm_pg_args a;
	int rc;

	mm_pg_args_init(&a);
	mm_pg_arg_text(&a, name);
	rc = mm_pg_query(pc, sql, &a, out);
	mm_pg_args_free(&a);
	return rc;
}

/* Reads the column names of table into an array from a. */
static int table_columns(struct mm_pg_conn *pc, const char *table, struct mm_arena *a,
			 const char ***out, size_t *n)
{
	PGresult *res;
	const char **v;
	int rc;

	*out = NULL;
	*n = 0;
	rc = query_named(pc,
			 "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass($1) "
			 "AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
			 table, &res);
	if (rc)
		return rc;
	v = mm_arena_alloc(a, ((size_t)PQntuples(res) + 1) * sizeof(*v));
	if (!v)
		rc = MM_ENOMEM;
	for (int i = 0; !rc && i < PQntuples(res); i++) {
		rc = mm_pg_dup_text(res, i, 0, a, &v[i]);
		if (!rc)
			(*n)++;
	}
	PQclear(res);
	*out = v;
	return rc;
}

int mm_pg_copy_columns(struct mm_conn *c, const char *table, struct mm_arena *a, const char ***cols,
		       size_t *n)
{
	*cols = NULL;
	*n = 0;
	if (!mm_store_ident_ok(table))
		return MM_EINVAL;
	return table_columns(mm_pg_conn(c), table, a, cols, n);
}

static bool has_column(const char **cols, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(cols[i], name) == 0)
			return true;
	return false;
}

static int exec_reset(struct mm_pg_conn *pc, struct mm_buf *b)
{
	int rc = mm_pg_exec_buf(pc, b);

	mm_buf_reset(b);
	return rc;
}

/* Whether the index called name (a safe identifier) takes changes through
 * a pending list (fastupdate, on unless made otherwise). */
static int fastupdate_on(struct mm_pg_conn *pc, const char *name, bool *on)
{
	PGresult *res = NULL;
	int rc = query_named(pc,
			     "SELECT 1 FROM pg_class WHERE relname = $1 AND "
			     "NOT coalesce('fastupdate=off' = ANY(reloptions), false)",
			     name, &res);

	if (!rc)
		*on = PQntuples(res) > 0;
	PQclear(res);
	return rc;
}

/* The register's search index: one trigram index over its searched
 * fields, written to at each change (fastupdate off). With the default, a
 * change went to the index's pending list, which every search reads
 * through until a vacuum empties it — on a million records, after 200,000
 * changes: a 166-page list made a search 4 ms instead of 1.1. An index made
 * before this is switched once and its pending list emptied: switching
 * locks the index against every reader, which deadlocked with a running
 * server's writes when it was done at every migration (a CLI command runs
 * one). */
static int search_index(struct mm_pg_conn *pc, const char *t, const struct mm_schema *s,
			struct mm_buf *b)
{
	static const char *const then[][2] = {
		{ "ALTER INDEX ", " SET (fastupdate = off)" },
		{ "SELECT gin_clean_pending_list('", "'::regclass)" },
	};
	char name[128];
	bool on = false;
	int rc;

	index_head(b, false, t, "_search", "_trgm");
	mm_buf_adds(b, " USING gin(");
	mm_pg_add_search_text(b, s);
	mm_buf_adds(b, " gin_trgm_ops) WITH (fastupdate = off)");
	rc = exec_reset(pc, b);
	snprintf(name, sizeof(name), "%s__search_trgm", t);
	if (!rc)
		rc = fastupdate_on(pc, name, &on);
	for (size_t i = 0; !rc && on && i < sizeof(then) / sizeof(then[0]); i++) {
		mm_buf_adds(b, then[i][0]);
		add_index_name(b, t, "_search", "_trgm");
		mm_buf_adds(b, then[i][1]);
		rc = exec_reset(pc, b);
	}
	return rc;
}

/* One index (retired, field, id) of a register; NULLs first, as SQLite
 * sorts them, so that lists in either direction walk it. */
static int field_index(struct mm_pg_conn *pc, const struct mm_schema *s, const struct mm_field *f,
		       struct mm_buf *b)
{
	index_head(b, false, s->name, f->name, "_idx");
	mm_buf_adds(b, "(retired, ");
	mm_pg_add_ident(b, f->name, NULL);
	mm_buf_adds(b, " NULLS FIRST, id)");
	return exec_reset(pc, b);
}

/* The indexes of one register: the orders by id and by update time, one
 * per sortable or filterable field, a partial unique index per unique
 * field and a trigram index per searched field. */
static int create_indexes(struct mm_pg_conn *pc, const struct mm_schema *s, struct mm_buf *b)
{
	const char *t = s->name;
	int rc;

	mm_buf_reset(b);
	index_head(b, false, t, "retired", "_idx");
	mm_buf_adds(b, "(retired, id)");
	rc = exec_reset(pc, b);
	if (rc)
		return rc;
	index_head(b, false, t, "updated_at", "_idx");
	mm_buf_adds(b, "(retired, updated_at, id)");
	rc = exec_reset(pc, b);
	for (size_t i = 0; i < s->nfields && !rc; i++) {
		const struct mm_field *f = &s->fields[i];
		if (f->flags & (MM_F_SORT | MM_F_FILTER))
			rc = field_index(pc, s, f, b);
		if (!rc && (f->flags & MM_F_UNIQUE)) {
			index_head(b, true, t, f->name, "_key");
			mm_buf_addc(b, '(');
			mm_pg_add_ident(b, f->name, NULL);
			mm_buf_adds(b, ") WHERE ");
			mm_pg_add_ident(b, f->name, NULL);
			mm_buf_adds(b, " IS NOT NULL");
			rc = exec_reset(pc, b);
		}
		/* (One index a field, before the search index.) */
		if (!rc && (f->flags & MM_F_SEARCH)) {
			mm_buf_adds(b, "DROP INDEX IF EXISTS ");
			add_index_name(b, t, f->name, "_trgm");
			rc = exec_reset(pc, b);
		}
	}
	if (!rc && mm_pg_count_search(s))
		rc = search_index(pc, t, s, b);
	return rc;
}

/* Runs the statement in b with the register's name as $1. */
static int run_named(struct mm_pg_conn *pc, const struct mm_buf *b, const char *name)
{
	return b->err ? MM_ENOMEM : query_named(pc, b->data, name, NULL);
}

int mm_pg_recount(struct mm_pg_conn *pc, const struct mm_schema *s)
{
	struct mm_sql_bind v[1];
	size_t nv = 0;
	struct mm_buf b;
	int rc;

	mm_buf_init(&b, MM_PG_SQL_CAP);
	mm_buf_adds(&b, "INSERT INTO record_counts(register, active, retired) "
			"SELECT $1, (SELECT count(*) FROM ");
	mm_pg_add_ident(&b, s->name, NULL);
	mm_buf_adds(&b, " WHERE retired = 0), (SELECT count(*) FROM ");
	mm_pg_add_ident(&b, s->name, NULL);
	mm_buf_adds(&b, " WHERE retired = 1) ON CONFLICT(register) DO UPDATE SET "
			"active = excluded.active, retired = excluded.retired");
	rc = run_named(pc, &b, s->name);
	mm_buf_reset(&b);
	mm_buf_adds(&b, "DELETE FROM level_counts WHERE register = $1");
	if (!rc)
		rc = run_named(pc, &b, s->name);
	mm_buf_reset(&b);
	if (!rc && mm_schema_level_field(s) >= 0) {
		mm_level_recount_sql(MM_DIALECT_PG, s, &b, v, &nv);
		rc = run_named(pc, &b, s->name);
	}
	mm_buf_free(&b);
	return rc;
}

static const char *col_type(const struct mm_field *f)
{
	/* Text sorts by code point, as in SQLite, whatever the database's
	 * locale. */
	return mm_pg_int_field(f) ? " BIGINT" : " TEXT COLLATE \"C\"";
}

/* Creates or extends one register's table and indexes. */
static int migrate_register(struct mm_pg_conn *pc, const struct mm_schema *s)
{
	const char *t = s->name;
	struct mm_arena a;
	struct mm_buf b;
	const char **cols;
	size_t ncols;
	int rc;

	mm_arena_init(&a, 0);
	mm_buf_init(&b, MM_PG_SQL_CAP);
	mm_buf_adds(&b, "CREATE TABLE IF NOT EXISTS ");
	mm_pg_add_ident(&b, t, NULL);
	mm_buf_adds(&b, "(id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
			"version BIGINT NOT NULL, retired BIGINT NOT NULL DEFAULT 0, "
			"created_at TEXT NOT NULL, updated_at TEXT NOT NULL, "
			"updated_by TEXT NOT NULL");
	for (size_t i = 0; i < s->nfields; i++) {
		mm_buf_adds(&b, ", ");
		mm_pg_add_ident(&b, s->fields[i].name, NULL);
		mm_buf_adds(&b, col_type(&s->fields[i]));
	}
	mm_buf_addc(&b, ')');
	rc = exec_reset(pc, &b);
	if (!rc)
		rc = table_columns(pc, t, &a, &cols, &ncols);
	for (size_t i = 0; !rc && i < s->nfields; i++) {
		const struct mm_field *f = &s->fields[i];
		if (has_column(cols, ncols, f->name))
			continue;
		mm_buf_adds(&b, "ALTER TABLE ");
		mm_pg_add_ident(&b, t, NULL);
		mm_buf_adds(&b, " ADD COLUMN ");
		mm_pg_add_ident(&b, f->name, NULL);
		mm_buf_adds(&b, col_type(f));
		rc = exec_reset(pc, &b);
	}
	if (!rc)
		rc = create_indexes(pc, s, &b);
	/* Servers already running may write meanwhile: their changes to the
	 * counts would be lost under the recount's. The lock lets the writes
	 * under way finish and holds new ones until the migration commits. */
	if (!rc) {
		mm_buf_reset(&b);
		mm_buf_adds(&b, "LOCK TABLE ");
		mm_pg_add_ident(&b, t, NULL);
		mm_buf_adds(&b, " IN SHARE MODE");
		rc = exec_reset(pc, &b);
	}
	if (!rc)
		rc = mm_pg_recount(pc, s);
	mm_buf_free(&b);
	mm_arena_free(&a);
	return rc;
}

int mm_pg_index(struct mm_conn *c, const struct mm_schema *s, const size_t *f, size_t n)
{
	struct mm_pg_conn *pc = mm_pg_conn(c);
	struct mm_buf name, b;
	int rc;

	if (mm_store_schema_check(s))
		return MM_EINVAL;
	mm_buf_init(&name, MM_PG_SQL_CAP);
	mm_buf_init(&b, MM_PG_SQL_CAP);
	mm_store_index_name(&name, s, f, n);
	mm_buf_adds(&b, "CREATE INDEX IF NOT EXISTS ");
	mm_pg_add_ident(&b, name.data, NULL);
	mm_buf_adds(&b, " ON ");
	mm_pg_add_ident(&b, s->name, NULL);
	mm_buf_adds(&b, "(retired");
	for (size_t i = 0; i < n; i++) {
		mm_buf_adds(&b, ", ");
		mm_pg_add_ident(&b, mm_store_index_column(s, f[i]), NULL);
	}
	mm_buf_adds(&b, ", id)");
	/* Servers starting together each ask for it: one at a time, under the
	 * migrations' lock, so that IF NOT EXISTS holds. */
	rc = name.err ? MM_ENOMEM : mm_pg_exec(pc, "SELECT pg_advisory_lock(" MIGRATE_LOCK ")");
	if (!rc) {
		rc = mm_pg_exec_buf(pc, &b);
		mm_pg_exec(pc, "SELECT pg_advisory_unlock(" MIGRATE_LOCK ")");
	}
	mm_buf_free(&name);
	mm_buf_free(&b);
	return rc;
}

/* The versioned migrations, then this backend's steps. */
static int migrate_system(struct mm_pg_conn *pc)
{
	struct mm_buf b;
	int64_t have = 0;
	int rc;

	rc = mm_pg_exec(pc, create_migrations_sql);
	if (!rc)
		rc = max_version(pc, &have);
	if (rc)
		return rc;
	if (have > mm_migration_latest()) {
		mm_pg_note(pc, "the database was made by a newer version of mamori");
		return MM_EDB;
	}
	mm_buf_init(&b, MM_PG_SQL_CAP);
	for (size_t i = 0; i < mm_nmigrations && !rc; i++)
		rc = apply_migration(pc, &mm_migrations[i], &b);
	mm_buf_free(&b);
	if (!rc)
		rc = mm_pg_exec(pc, pg_steps_sql);
	if (!rc)
		rc = mm_pg_alog_head_rebuild(pc, false);
	return rc;
}

int mm_pg_migrate(struct mm_conn *c, const struct mm_schema *const *schemas, size_t n)
{
	struct mm_pg_conn *pc = mm_pg_conn(c);
	int rc;

	for (size_t i = 0; i < n; i++) {
		if (mm_store_schema_check(schemas[i])) {
			mm_pg_note(pc, "schema has a name that is not a safe SQL identifier");
			return MM_EINVAL;
		}
	}
	/* Tables may change shape: statements prepared so far are rebuilt. */
	mm_pg_drop_cache(pc);
	rc = mm_pg_forget_prepared(pc);
	if (!rc)
		rc = mm_pg_exec(pc, "SELECT pg_advisory_lock(" MIGRATE_LOCK ")");
	if (rc)
		return rc;
	rc = migrate_system(pc);
	if (!rc)
		rc = mm_pg_exec(pc, "BEGIN");
	for (size_t i = 0; i < n && !rc; i++)
		rc = migrate_register(pc, schemas[i]);
	if (!rc)
		rc = mm_pg_exec(pc, "COMMIT");
	if (rc) {
		char keep[MM_CONN_ERRLEN];
		snprintf(keep, sizeof(keep), "%s", pc->base.errmsg);
		mm_pg_tx_rollback(c);
		mm_pg_note(pc, keep);
	}
	mm_pg_exec(pc, "SELECT pg_advisory_unlock(" MIGRATE_LOCK ")");
	return rc;
}
