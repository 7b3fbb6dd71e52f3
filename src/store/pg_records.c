/* The PostgreSQL backend's single-record operations: the per-register
 * statements prepared once per connection, reading and writing records,
 * unique lookups, history, counters, settings and the generation. */
#include "store/pg_int.h"

#include "core/err.h"

#include <stdlib.h>
#include <string.h>

enum fixed {
	F_HIST_ADD,
	F_HIST_LIST,
	F_SEQ_NEXT,
	F_META_GET,
	F_META_SET,
	F_COUNTS_GET,
	F_GEN_GET,
	F_COUNT
};

static const char *const fixed_sql[F_COUNT] = {
	[F_HIST_ADD] = "INSERT INTO history(register, record_id, version, at, actor, action, "
		       "changes) VALUES($1, $2, $3, $4, $5, $6, $7)",
	[F_HIST_LIST] = "SELECT record_id, version, at, actor, action, changes FROM history "
			"WHERE register = $1 AND record_id = $2 ORDER BY version, id",
	[F_SEQ_NEXT] = "INSERT INTO sequences(name, value) VALUES($1, 1) ON CONFLICT(name) "
		       "DO UPDATE SET value = sequences.value + 1 RETURNING value",
	[F_META_GET] = "SELECT value FROM meta WHERE key = $1",
	[F_META_SET] = "INSERT INTO meta(key, value) VALUES($1, $2) ON CONFLICT(key) "
		       "DO UPDATE SET value = excluded.value",
	[F_COUNTS_GET] = "SELECT active, retired FROM record_counts WHERE register = $1",
	[F_GEN_GET] = "SELECT value FROM sequences WHERE name = 'generation'",
};

/* Statements of one register, prepared on one connection. */
struct mm_pg_cached {
	struct mm_pg_cached *next;
	const struct mm_schema *s;
	size_t nfields;
	char *get_sql, *insert_sql, *update_sql, *state_sql;
	struct mm_pg_stmt get, insert, update, state;
	char **find_sql; /* per field, built on first use */
	struct mm_pg_stmt *find;
};

static int fixed(struct mm_pg_conn *pc, enum fixed which, const struct mm_pg_args *a,
		 PGresult **out)
{
	return mm_pg_lazy_run(pc, &pc->fixed, F_COUNT, fixed_sql, which, a, out);
}

static void arg_value(struct mm_pg_args *a, const struct mm_field *f, const struct mm_value *v)
{
	if (!v->set || (!mm_pg_int_field(f) && !v->s))
		mm_pg_arg_null(a);
	else if (mm_pg_int_field(f))
		mm_pg_arg_int(a, v->i);
	else
		mm_pg_arg_text(a, v->s);
}

static int read_value(const PGresult *r, int row, int col, const struct mm_field *f,
		      struct mm_arena *a, struct mm_value *v)
{
	int rc;

	v->i = 0;
	v->s = NULL;
	v->set = !mm_pg_null(r, row, col);
	if (mm_pg_int_field(f)) {
		v->i = mm_pg_int(r, row, col);
		return MM_OK;
	}
	rc = mm_pg_dup_text(r, row, col, a, &v->s);
	v->set = v->s != NULL;
	return rc;
}

int mm_pg_read_record(const PGresult *r, int row, const struct mm_schema *s, struct mm_arena *a,
		      struct mm_record *rec)
{
	int rc;

	rec->id = mm_pg_int(r, row, 0);
	rec->version = mm_pg_int(r, row, 1);
	rec->retired = mm_pg_int(r, row, 2) != 0;
	rc = mm_pg_dup_text(r, row, 3, a, &rec->created_at);
	if (!rc)
		rc = mm_pg_dup_text(r, row, 4, a, &rec->updated_at);
	if (!rc)
		rc = mm_pg_dup_text(r, row, 5, a, &rec->updated_by);
	if (rc)
		return rc;
	rec->v = mm_arena_zalloc(a, (s->nfields ? s->nfields : 1) * sizeof(*rec->v));
	if (!rec->v)
		return MM_ENOMEM;
	for (size_t i = 0; i < s->nfields && !rc; i++)
		rc = read_value(r, row, 6 + (int)i, &s->fields[i], a, &rec->v[i]);
	return rc;
}

/* The statement cache. */

static void free_cached(struct mm_pg_cached *e)
{
	if (!e)
		return;
	free(e->get_sql);
	free(e->insert_sql);
	free(e->update_sql);
	free(e->state_sql);
	if (e->find_sql)
		for (size_t i = 0; i < e->nfields; i++)
			free(e->find_sql[i]);
	free(e->find_sql);
	free(e->find);
	free(e);
}

void mm_pg_drop_cache(struct mm_pg_conn *pc)
{
	while (pc->cache) {
		struct mm_pg_cached *e = pc->cache;
		pc->cache = e->next;
		free_cached(e);
	}
}

static char *take(struct mm_buf *b)
{
	char *s = b->err ? NULL : strdup(b->data);

	mm_buf_reset(b);
	return s;
}

/* Appends the part of a record's update that moves its count in
 * level_counts from its level and state before (upd.was_level, upd.was)
 * to those after ($level, $2), when either changed. The two rows of a
 * level are summed, so that no row of level_counts is changed twice in the
 * statement, and locked in the order of their levels, so that two updates
 * moving records in opposite directions cannot wait for each other. */
static void add_level_move(struct mm_buf *b, size_t reg, size_t level)
{
	mm_buf_printf(b,
		      ", lvl AS (INSERT INTO level_counts(register, level, active, retired) "
		      "SELECT $%zu, d.level, sum(d.a), sum(d.r) FROM upd CROSS JOIN LATERAL "
		      "(VALUES (upd.was_level, upd.was - 1, -upd.was), (coalesce($%zu::bigint, 4), "
		      "1 - $2, $2)) AS d(level, a, r) WHERE upd.was <> $2 OR upd.was_level <> "
		      "coalesce($%zu::bigint, 4) GROUP BY d.level ORDER BY d.level "
		      "ON CONFLICT(register, level) DO UPDATE SET "
		      "active = level_counts.active + excluded.active, "
		      "retired = level_counts.retired + excluded.retired)",
		      reg, level, level);
}

/* Appends the insert of a record of s: one statement, so that no
 * savepoint is needed inside a transaction; the record and its register's
 * counts change together, and a unique value already taken gives no row,
 * not an error. */
static void add_insert(struct mm_buf *b, const struct mm_schema *s)
{
	int lf = mm_schema_level_field(s);

	mm_buf_adds(b, "WITH ins AS (INSERT INTO ");
	mm_pg_add_ident(b, s->name, NULL);
	mm_buf_adds(b, "(version, retired, created_at, updated_at, updated_by");
	for (size_t i = 0; i < s->nfields; i++) {
		mm_buf_adds(b, ", ");
		mm_pg_add_ident(b, s->fields[i].name, NULL);
	}
	mm_buf_adds(b, ") VALUES(1, 0, $1, $2, $3");
	for (size_t i = 0; i < s->nfields; i++)
		mm_buf_printf(b, ", $%zu", i + 4);
	mm_buf_printf(b,
		      ") ON CONFLICT DO NOTHING RETURNING id), cnt AS (UPDATE record_counts "
		      "SET active = active + 1 WHERE register = $%zu AND EXISTS (SELECT 1 "
		      "FROM ins))",
		      s->nfields + 4);
	if (lf >= 0)
		mm_buf_printf(b,
			      ", lvl AS (INSERT INTO level_counts(register, level, active, "
			      "retired) SELECT $%zu, coalesce($%d::bigint, 4), 1, 0 FROM ins "
			      "ON CONFLICT(register, level) DO UPDATE SET active = "
			      "level_counts.active + 1)",
			      s->nfields + 4, lf + 4);
	mm_buf_adds(b, " SELECT id FROM ins");
}

/* Appends the update of a record of s, which returns whether the record
 * was retired before; its counts move with it in the same statement. */
static void add_update(struct mm_buf *b, const struct mm_schema *s)
{
	int lf = mm_schema_level_field(s);
	size_t k = 5 + s->nfields;

	mm_buf_adds(b, "WITH old AS (SELECT retired");
	if (lf >= 0) {
		mm_buf_adds(b, ", coalesce(");
		mm_pg_add_ident(b, s->fields[lf].name, NULL);
		mm_buf_adds(b, ", 4) AS level");
	}
	mm_buf_printf(b, " FROM \"%s\" WHERE id = $%zu), upd AS (UPDATE ", s->name, k);
	mm_pg_add_ident(b, s->name, NULL);
	mm_buf_adds(b, " SET version = $1, retired = $2, updated_at = $3, updated_by = $4");
	for (size_t i = 0; i < s->nfields; i++) {
		mm_buf_adds(b, ", ");
		mm_pg_add_ident(b, s->fields[i].name, NULL);
		mm_buf_printf(b, " = $%zu", i + 5);
	}
	mm_buf_printf(b,
		      " WHERE id = $%zu AND version = $%zu RETURNING (SELECT retired FROM old) "
		      "AS was",
		      k, k + 1);
	if (lf >= 0)
		mm_buf_adds(b, ", (SELECT level FROM old) AS was_level");
	mm_buf_printf(b,
		      "), cnt AS (UPDATE record_counts SET active = active + upd.was - $2, "
		      "retired = retired - upd.was + $2 FROM upd WHERE register = $%zu AND "
		      "upd.was <> $2)",
		      k + 2);
	if (lf >= 0)
		add_level_move(b, k + 2, (size_t)lf + 5);
	mm_buf_adds(b, " SELECT was FROM upd");
}

/* The SQL of a register's statements; prepared when first run. */
static int build_cached(const struct mm_schema *s, struct mm_pg_cached *e)
{
	struct mm_buf b;

	mm_buf_init(&b, MM_PG_SQL_CAP);
	mm_buf_adds(&b, "SELECT ");
	mm_pg_add_columns(&b, s);
	mm_buf_adds(&b, " FROM ");
	mm_pg_add_ident(&b, s->name, NULL);
	mm_buf_adds(&b, " WHERE id = $1");
	e->get_sql = take(&b);
	add_insert(&b, s);
	e->insert_sql = take(&b);
	add_update(&b, s);
	e->update_sql = take(&b);
	mm_buf_adds(&b, "SELECT retired FROM ");
	mm_pg_add_ident(&b, s->name, NULL);
	mm_buf_adds(&b, " WHERE id = $1");
	e->state_sql = take(&b);
	mm_buf_free(&b);
	return e->get_sql && e->insert_sql && e->update_sql && e->state_sql ? MM_OK : MM_ENOMEM;
}

/* Finds or builds the statements of schema s on this connection. Schemas
 * are static data keyed by address; they must outlive the store. */
int mm_pg_cached_for(struct mm_pg_conn *pc, const struct mm_schema *s, struct mm_pg_cached **out)
{
	struct mm_pg_cached *e;
	int rc;

	for (e = pc->cache; e; e = e->next) {
		if (e->s == s && e->nfields == s->nfields) {
			*out = e;
			return MM_OK;
		}
	}
	rc = mm_store_schema_check(s);
	if (rc) {
		mm_pg_note(pc, "schema has a name that is not a safe SQL identifier");
		return rc;
	}
	rc = MM_ENOMEM;
	e = calloc(1, sizeof(*e));
	if (!e)
		return rc;
	e->s = s;
	e->nfields = s->nfields;
	e->find_sql = calloc(s->nfields ? s->nfields : 1, sizeof(*e->find_sql));
	e->find = calloc(s->nfields ? s->nfields : 1, sizeof(*e->find));
	if (e->find_sql && e->find)
		rc = build_cached(s, e);
	if (rc) {
		free_cached(e);
		return rc;
	}
	e->next = pc->cache;
	pc->cache = e;
	*out = e;
	return MM_OK;
}

/* Records. */

int mm_pg_rec_get(struct mm_conn *c, const struct mm_schema *s, int64_t id, struct mm_arena *a,
		  struct mm_record *out)
{
	struct mm_pg_conn *pc = mm_pg_conn(c);
	struct mm_pg_cached *e;
	struct mm_pg_args args;
	PGresult *res;
	int rc;

	rc = mm_pg_cached_for(pc, s, &e);
	if (rc)
		return rc;
	mm_pg_args_init(&args);
	mm_pg_arg_int(&args, id);
	rc = mm_pg_run(pc, &e->get, e->get_sql, &args, &res);
	mm_pg_args_free(&args);
	if (rc)
		return rc;
	rc = PQntuples(res) ? mm_pg_read_record(res, 0, s, a, out) : MM_ENOTFOUND;
	PQclear(res);
	return rc;
}

int mm_pg_rec_get_many(struct mm_conn *c, const struct mm_schema *s, const int64_t *ids, size_t n,
		       struct mm_arena *a, struct mm_record *out, size_t *nout)
{
	struct mm_pg_conn *pc = mm_pg_conn(c);
	struct mm_pg_cached *e;
	struct mm_pg_args args;
	struct mm_buf b, list;
	PGresult *res = NULL;
	int rc, rows;

	rc = mm_pg_cached_for(pc, s, &e); /* checks the schema's names */
	if (rc)
		return rc;
	mm_buf_init(&b, MM_PG_SQL_CAP);
	mm_buf_init(&list, 32 * MM_GET_MANY_MAX);
	mm_buf_adds(&b, "SELECT ");
	mm_pg_add_columns(&b, s);
	mm_buf_adds(&b, " FROM ");
	mm_pg_add_ident(&b, s->name, NULL);
	mm_buf_adds(&b, " WHERE id = ANY($1::bigint[])");
	for (size_t i = 0; i < n; i++)
		mm_buf_printf(&list, "%s%lld", i ? "," : "{", (long long)ids[i]);
	mm_buf_addc(&list, '}');
	mm_pg_args_init(&args);
	mm_pg_arg_text(&args, list.data);
	rc = b.err || list.err ? MM_ENOMEM : mm_pg_query(pc, b.data, &args, &res);
	mm_pg_args_free(&args);
	mm_buf_free(&b);
	mm_buf_free(&list);
	if (rc)
		return rc;
	rows = PQntuples(res);
	for (int i = 0; !rc && i < rows && (size_t)i < n; i++) {
		rc = mm_pg_read_record(res, i, s, a, &out[i]);
		if (!rc)
			++*nout;
	}
	PQclear(res);
	return rc;
}

int mm_pg_counts_get(struct mm_pg_conn *pc, const struct mm_schema *s, int64_t *active,
		     int64_t *retired)
{
	struct mm_pg_args a;
	PGresult *res;
	int rc;

	mm_pg_args_init(&a);
	mm_pg_arg_text(&a, s->name);
	rc = fixed(pc, F_COUNTS_GET, &a, &res);
	mm_pg_args_free(&a);
	if (rc)
		return rc;
	if (PQntuples(res)) {
		*active = mm_pg_int(res, 0, 0);
		*retired = mm_pg_int(res, 0, 1);
	} else {
		rc = MM_ENOTFOUND;
	}
	PQclear(res);
	return rc;
}

static void arg_fields(struct mm_pg_args *a, const struct mm_schema *s, const struct mm_value *v)
{
	for (size_t i = 0; i < s->nfields; i++)
		arg_value(a, &s->fields[i], &v[i]);
}

int mm_pg_rec_insert(struct mm_conn *c, const struct mm_schema *s, struct mm_record *rec)
{
	struct mm_pg_conn *pc = mm_pg_conn(c);
	struct mm_pg_cached *e;
	struct mm_pg_args a;
	PGresult *res = NULL;
	int64_t id = 0;
	int rc;

	if (!rec->created_at || !rec->updated_at || !rec->updated_by || (s->nfields && !rec->v))
		return MM_EINVAL;
	rc = mm_pg_cached_for(pc, s, &e);
	if (rc)
		return rc;
	mm_pg_args_init(&a);
	mm_pg_arg_text(&a, rec->created_at);
	mm_pg_arg_text(&a, rec->updated_at);
	mm_pg_arg_text(&a, rec->updated_by);
	arg_fields(&a, s, rec->v);
	mm_pg_arg_text(&a, s->name);
	rc = mm_pg_op_begin(pc, true);
	if (rc)
		goto out;
	rc = mm_pg_run(pc, &e->insert, e->insert_sql, &a, &res);
	if (!rc && PQntuples(res) == 0)
		rc = MM_ECONFLICT; /* a unique value is taken */
	if (!rc) {
		id = mm_pg_int(res, 0, 0);
		pc->gen_dirty = true;
	}
	rc = mm_pg_op_end(pc, rc);
	if (!rc) {
		rec->id = id;
		rec->version = 1;
		rec->retired = false;
	}
out:
	PQclear(res);
	mm_pg_args_free(&a);
	return rc;
}

/* After an update that changed no row: MM_ENOTFOUND when the record is
 * absent, MM_ECONFLICT when its version differs. */
static int why_unchanged(struct mm_pg_conn *pc, struct mm_pg_cached *e, int64_t id)
{
	struct mm_pg_args a;
	PGresult *res;
	int rc;

	mm_pg_args_init(&a);
	mm_pg_arg_int(&a, id);
	rc = mm_pg_run(pc, &e->state, e->state_sql, &a, &res);
	mm_pg_args_free(&a);
	if (rc)
		return rc;
	rc = PQntuples(res) ? MM_ECONFLICT : MM_ENOTFOUND;
	PQclear(res);
	return rc;
}

int mm_pg_rec_update(struct mm_conn *c, const struct mm_schema *s, const struct mm_record *rec,
		     int64_t expected_version)
{
	struct mm_pg_conn *pc = mm_pg_conn(c);
	struct mm_pg_cached *e;
	struct mm_pg_args a;
	PGresult *res = NULL;
	int rc;

	if (!rec->updated_at || !rec->updated_by || (s->nfields && !rec->v))
		return MM_EINVAL;
	rc = mm_pg_cached_for(pc, s, &e);
	if (rc)
		return rc;
	mm_pg_args_init(&a);
	mm_pg_arg_int(&a, rec->version);
	mm_pg_arg_int(&a, rec->retired ? 1 : 0);
	mm_pg_arg_text(&a, rec->updated_at);
	mm_pg_arg_text(&a, rec->updated_by);
	arg_fields(&a, s, rec->v);
	mm_pg_arg_int(&a, rec->id);
	mm_pg_arg_int(&a, expected_version);
	mm_pg_arg_text(&a, s->name);
	rc = mm_pg_op_begin(pc, true);
	if (rc)
		goto out;
	rc = mm_pg_run(pc, &e->update, e->update_sql, &a, &res);
	if (!rc && PQntuples(res) == 0)
		rc = why_unchanged(pc, e, rec->id);
	if (!rc)
		pc->gen_dirty = true;
	rc = mm_pg_op_end(pc, rc);
out:
	PQclear(res);
	mm_pg_args_free(&a);
	return rc;
}

int mm_pg_rec_find(struct mm_conn *c, const struct mm_schema *s, int field,
		   const struct mm_value *value, int64_t exclude_id, int64_t *id)
{
	struct mm_pg_conn *pc = mm_pg_conn(c);
	const struct mm_field *f;
	struct mm_pg_cached *e;
	struct mm_pg_args a;
	PGresult *res;
	struct mm_buf b;
	int rc;

	rc = mm_pg_cached_for(pc, s, &e);
	if (rc)
		return rc;
	if (field < 0 || (size_t)field >= s->nfields)
		return MM_EINVAL;
	f = &s->fields[field];
	if (!value->set || (!mm_pg_int_field(f) && !value->s))
		return MM_ENOTFOUND;
	if (!e->find_sql[field]) {
		mm_buf_init(&b, MM_PG_SQL_CAP);
		mm_buf_adds(&b, "SELECT id FROM ");
		mm_pg_add_ident(&b, s->name, NULL);
		mm_buf_adds(&b, " WHERE ");
		mm_pg_add_ident(&b, f->name, NULL);
		mm_buf_adds(&b, " = $1 AND id <> $2 ORDER BY id LIMIT 1");
		e->find_sql[field] = take(&b);
		mm_buf_free(&b);
		if (!e->find_sql[field])
			return MM_ENOMEM;
	}
	mm_pg_args_init(&a);
	arg_value(&a, f, value);
	mm_pg_arg_int(&a, exclude_id);
	rc = mm_pg_run(pc, &e->find[field], e->find_sql[field], &a, &res);
	mm_pg_args_free(&a);
	if (rc)
		return rc;
	if (PQntuples(res))
		*id = mm_pg_int(res, 0, 0);
	else
		rc = MM_ENOTFOUND;
	PQclear(res);
	return rc;
}

/* History, counters, settings and the generation. */

int mm_pg_hist_add(struct mm_conn *c, const struct mm_schema *s, const struct mm_hist *h)
{
	struct mm_pg_conn *pc = mm_pg_conn(c);
	struct mm_pg_args a;
	int rc;

	if (!h->at || !h->actor || !h->action || !h->changes)
		return MM_EINVAL;
	mm_pg_args_init(&a);
	mm_pg_arg_text(&a, s->name);
	mm_pg_arg_int(&a, h->record_id);
	mm_pg_arg_int(&a, h->version);
	mm_pg_arg_text(&a, h->at);
	mm_pg_arg_text(&a, h->actor);
	mm_pg_arg_text(&a, h->action);
	mm_pg_arg_text(&a, h->changes);
	rc = fixed(pc, F_HIST_ADD, &a, NULL);
	mm_pg_args_free(&a);
	return rc;
}

int mm_pg_hist_list(struct mm_conn *c, const struct mm_schema *s, int64_t id, struct mm_arena *a,
		    struct mm_hist **out, size_t *n)
{
	struct mm_pg_conn *pc = mm_pg_conn(c);
	struct mm_pg_args args;
	struct mm_hist *v = NULL;
	PGresult *res;
	int rc, rows;

	*out = NULL;
	*n = 0;
	mm_pg_args_init(&args);
	mm_pg_arg_text(&args, s->name);
	mm_pg_arg_int(&args, id);
	rc = fixed(pc, F_HIST_LIST, &args, &res);
	mm_pg_args_free(&args);
	if (rc)
		return rc;
	rows = PQntuples(res);
	v = mm_arena_zalloc(a, ((size_t)rows + 1) * sizeof(*v));
	if (!v)
		rc = MM_ENOMEM;
	for (int i = 0; i < rows && !rc; i++) {
		struct mm_hist *h = &v[i];
		h->record_id = mm_pg_int(res, i, 0);
		h->version = mm_pg_int(res, i, 1);
		rc = mm_pg_dup_text(res, i, 2, a, &h->at);
		if (!rc)
			rc = mm_pg_dup_text(res, i, 3, a, &h->actor);
		if (!rc)
			rc = mm_pg_dup_text(res, i, 4, a, &h->action);
		if (!rc)
			rc = mm_pg_dup_text(res, i, 5, a, &h->changes);
	}
	PQclear(res);
	if (!rc) {
		*out = v;
		*n = (size_t)rows;
	}
	return rc;
}

int mm_pg_seq_next(struct mm_conn *c, const char *name, int64_t *out)
{
	struct mm_pg_conn *pc = mm_pg_conn(c);
	struct mm_pg_args a;
	PGresult *res;
	int rc;

	if (!name)
		return MM_EINVAL;
	mm_pg_args_init(&a);
	mm_pg_arg_text(&a, name);
	rc = fixed(pc, F_SEQ_NEXT, &a, &res);
	mm_pg_args_free(&a);
	if (!rc) {
		*out = mm_pg_int(res, 0, 0);
		PQclear(res);
	}
	return rc;
}

int mm_pg_meta_get(struct mm_conn *c, const char *key, struct mm_arena *a, const char **value)
{
	struct mm_pg_conn *pc = mm_pg_conn(c);
	struct mm_pg_args args;
	PGresult *res;
	int rc;

	*value = NULL;
	if (!key)
		return MM_EINVAL;
	mm_pg_args_init(&args);
	mm_pg_arg_text(&args, key);
	rc = fixed(pc, F_META_GET, &args, &res);
	mm_pg_args_free(&args);
	if (rc)
		return rc;
	rc = PQntuples(res) ? mm_pg_dup_text(res, 0, 0, a, value) : MM_ENOTFOUND;
	PQclear(res);
	return rc;
}

int mm_pg_meta_set(struct mm_conn *c, const char *key, const char *value)
{
	struct mm_pg_conn *pc = mm_pg_conn(c);
	struct mm_pg_args a;
	int rc;

	if (!key || !value)
		return MM_EINVAL;
	mm_pg_args_init(&a);
	mm_pg_arg_text(&a, key);
	mm_pg_arg_text(&a, value);
	rc = fixed(pc, F_META_SET, &a, NULL);
	mm_pg_args_free(&a);
	return rc;
}

int mm_pg_generation(struct mm_conn *c, int64_t *out)
{
	struct mm_pg_conn *pc = mm_pg_conn(c);
	PGresult *res;
	int rc = fixed(pc, F_GEN_GET, NULL, &res);

	c->generation_reads++;
	*out = 0;
	if (!rc) {
		if (PQntuples(res))
			*out = mm_pg_int(res, 0, 0);
		PQclear(res);
	}
	return rc;
}
