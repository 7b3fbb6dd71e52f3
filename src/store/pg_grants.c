/* The PostgreSQL backend's record grants (grants.h). The grants table
 * comes from migration 10 (migrations.c); the access condition of lists is
 * built in acl_sql.c. Adding or removing a grant changes what readers see,
 * so it moves the store generation. */
#include "store/pg_int.h"

#include "core/err.h"

#include <string.h>

enum stmt { S_ADD, S_REMOVE, S_LIST, S_KINDS, S_COUNT };

#define GRANT_COLS "id, register, record_id, person_id, kind, granted_by, granted_at"

static const char *const sql[S_COUNT] = {
	[S_ADD] = "INSERT INTO grants(register, record_id, person_id, kind, granted_by, "
		  "granted_at) VALUES($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id",
	[S_REMOVE] = "DELETE FROM grants WHERE id = $1 AND register = $2 AND record_id = $3",
	[S_LIST] = "SELECT " GRANT_COLS " FROM grants WHERE register = $1 AND record_id = $2 "
		   "ORDER BY id",
	[S_KINDS] = "SELECT kind FROM grants WHERE register = $1 AND record_id = $2 "
		    "AND person_id = $3",
};

static int run(struct mm_pg_conn *pc, enum stmt which, const struct mm_pg_args *a, PGresult **out)
{
	return mm_pg_lazy_run(pc, &pc->grants, S_COUNT, sql, which, a, out);
}

/* Runs a write as an operation of its own that moves the generation.
 * MM_ENOTFOUND when must_change and no row changed. */
static int run_write(struct mm_pg_conn *pc, enum stmt which, struct mm_pg_args *a, bool must_change,
		     int64_t *id)
{
	PGresult *res = NULL;
	int rc = mm_pg_op_begin(pc, true);

	if (rc)
		goto out;
	rc = run(pc, which, a, &res);
	if (!rc && mm_pg_changes(res) == 0)
		rc = must_change ? MM_ENOTFOUND : MM_ECONFLICT; /* held already */
	if (!rc && id)
		*id = mm_pg_int(res, 0, 0);
	if (!rc)
		pc->gen_dirty = true;
	rc = mm_pg_op_end(pc, rc);
out:
	PQclear(res);
	mm_pg_args_free(a);
	return rc;
}

int mm_pg_grant_add(struct mm_conn *c, struct mm_grant *g)
{
	struct mm_pg_args a;
	int64_t id = 0;
	int rc;

	if (!g->reg || !mm_grant_kind_parse(g->kind))
		return MM_EINVAL;
	mm_pg_args_init(&a);
	mm_pg_arg_text(&a, g->reg);
	mm_pg_arg_int(&a, g->record_id);
	mm_pg_arg_int(&a, g->person_id);
	mm_pg_arg_text(&a, g->kind);
	mm_pg_arg_text(&a, g->granted_by ? g->granted_by : "");
	mm_pg_arg_int(&a, g->granted_at);
	rc = run_write(mm_pg_conn(c), S_ADD, &a, false, &id);
	if (!rc)
		g->id = id;
	return rc;
}

int mm_pg_grant_remove(struct mm_conn *c, const char *reg, int64_t record_id, int64_t id)
{
	struct mm_pg_args a;

	if (!reg)
		return MM_EINVAL;
	mm_pg_args_init(&a);
	mm_pg_arg_int(&a, id);
	mm_pg_arg_text(&a, reg);
	mm_pg_arg_int(&a, record_id);
	return run_write(mm_pg_conn(c), S_REMOVE, &a, true, NULL);
}

int mm_pg_grant_list(struct mm_conn *c, const char *reg, int64_t record_id, struct mm_arena *a,
		     struct mm_grant **out, size_t *n)
{
	struct mm_pg_conn *pc = mm_pg_conn(c);
	struct mm_pg_args args;
	struct mm_grant *v;
	PGresult *res;
	int rc, rows;

	*out = NULL;
	*n = 0;
	if (!reg)
		return MM_EINVAL;
	mm_pg_args_init(&args);
	mm_pg_arg_text(&args, reg);
	mm_pg_arg_int(&args, record_id);
	rc = run(pc, S_LIST, &args, &res);
	mm_pg_args_free(&args);
	if (rc)
		return rc;
	rows = PQntuples(res);
	v = mm_arena_zalloc(a, ((size_t)rows + 1) * sizeof(*v));
	if (!v)
		rc = MM_ENOMEM;
	for (int i = 0; i < rows && !rc; i++) {
		struct mm_grant *g = &v[i];
		g->id = mm_pg_int(res, i, 0);
		rc = mm_pg_dup_text(res, i, 1, a, &g->reg);
		g->record_id = mm_pg_int(res, i, 2);
		g->person_id = mm_pg_int(res, i, 3);
		if (!rc)
			rc = mm_pg_dup_text(res, i, 4, a, &g->kind);
		if (!rc)
			rc = mm_pg_dup_text(res, i, 5, a, &g->granted_by);
		g->granted_at = mm_pg_int(res, i, 6);
	}
	PQclear(res);
	if (!rc) {
		*out = v;
		*n = (size_t)rows;
	}
	return rc;
}

int mm_pg_grant_kinds(struct mm_conn *c, const char *reg, int64_t record_id, int64_t person_id,
		      unsigned *kinds)
{
	struct mm_pg_args a;
	PGresult *res;
	int rc;

	*kinds = 0;
	if (!reg)
		return MM_EINVAL;
	mm_pg_args_init(&a);
	mm_pg_arg_text(&a, reg);
	mm_pg_arg_int(&a, record_id);
	mm_pg_arg_int(&a, person_id);
	rc = run(mm_pg_conn(c), S_KINDS, &a, &res);
	mm_pg_args_free(&a);
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(res); i++)
		*kinds |= mm_grant_kind_parse(PQgetvalue(res, i, 0));
	PQclear(res);
	return MM_OK;
}
