/* The SQLite backend's record grants (grants.h) and the access condition
 * that lists, counts and searches carry (struct mm_acl). The grants table
 * comes from migration 10 (migrations.c); its statements are listed
 * here and prepared on a connection at first use. The access condition is
 * built in acl_sql.c, shared with the PostgreSQL backend. Adding or removing a
 * grant changes what readers see, so it moves the store generation. */
#include "store/sqlite_int.h"

#include "core/err.h"

#include <stdlib.h>
#include <string.h>

enum stmt { S_ADD, S_REMOVE, S_LIST, S_KINDS, S_COUNT };

#define GRANT_COLS "id, register, record_id, person_id, kind, granted_by, granted_at"

static const char *const sql[S_COUNT] = {
	[S_ADD] = "INSERT INTO grants(register, record_id, person_id, kind, granted_by, "
		  "granted_at) VALUES(?, ?, ?, ?, ?, ?)",
	[S_REMOVE] = "DELETE FROM grants WHERE id = ? AND register = ? AND record_id = ?",
	[S_LIST] = "SELECT " GRANT_COLS " FROM grants WHERE register = ? AND record_id = ? "
		   "ORDER BY id",
	[S_KINDS] = "SELECT kind FROM grants WHERE register = ? AND record_id = ? "
		    "AND person_id = ?",
};

/* Returns the statement, preparing it on first use. */
static int stmt(struct mm_sq_conn *sc, enum stmt which, sqlite3_stmt **out)
{
	return mm_sq_lazy(sc, &sc->grants, S_COUNT, sql, which, out);
}

/* Binds the register and record every statement but S_ADD starts with
 * (S_REMOVE after the grant id). Text is bound SQLITE_STATIC. */
static int bind_record(sqlite3_stmt *st, int first, const char *reg, int64_t record_id)
{
	int src = sqlite3_bind_text(st, first, reg, -1, SQLITE_STATIC);

	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, first + 1, record_id);
	return src;
}

/* Runs a bound write as an operation of its own that moves the
 * generation. MM_ENOTFOUND when must_change and no row changed. */
static int run_write(struct mm_sq_conn *sc, sqlite3_stmt *st, int bound, bool must_change,
		     int64_t *rowid)
{
	int rc;

	if (bound != SQLITE_OK) {
		rc = mm_sq_fail(sc, bound);
		mm_sq_done(st);
		return rc;
	}
	rc = mm_sq_op_begin(sc, true);
	if (rc) {
		mm_sq_done(st);
		return rc;
	}
	rc = mm_sq_step_done(sc, st);
	if (!rc && must_change && sqlite3_changes64(sc->db) == 0)
		rc = MM_ENOTFOUND;
	if (!rc && rowid)
		*rowid = sqlite3_last_insert_rowid(sc->db);
	if (!rc)
		sc->gen_dirty = true;
	return mm_sq_op_end(sc, rc);
}

int mm_sq_grant_add(struct mm_conn *c, struct mm_grant *g)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	sqlite3_stmt *st;
	int64_t id = 0;
	int rc, src;

	if (!g->reg || !mm_grant_kind_parse(g->kind))
		return MM_EINVAL;
	rc = stmt(sc, S_ADD, &st);
	if (rc)
		return rc;
	src = bind_record(st, 1, g->reg, g->record_id);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 3, g->person_id);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 4, g->kind, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 5, g->granted_by ? g->granted_by : "", -1,
					SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 6, g->granted_at);
	rc = run_write(sc, st, src, false, &id);
	if (!rc)
		g->id = id;
	return rc;
}

int mm_sq_grant_remove(struct mm_conn *c, const char *reg, int64_t record_id, int64_t id)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	sqlite3_stmt *st;
	int rc, src;

	if (!reg)
		return MM_EINVAL;
	rc = stmt(sc, S_REMOVE, &st);
	if (rc)
		return rc;
	src = sqlite3_bind_int64(st, 1, id);
	if (src == SQLITE_OK)
		src = bind_record(st, 2, reg, record_id);
	return run_write(sc, st, src, true, NULL);
}

static int read_grant(sqlite3_stmt *st, struct mm_arena *a, struct mm_grant *g)
{
	int rc;

	memset(g, 0, sizeof(*g));
	g->id = sqlite3_column_int64(st, 0);
	rc = mm_sq_dup_text(st, 1, a, &g->reg);
	g->record_id = sqlite3_column_int64(st, 2);
	g->person_id = sqlite3_column_int64(st, 3);
	if (!rc)
		rc = mm_sq_dup_text(st, 4, a, &g->kind);
	if (!rc)
		rc = mm_sq_dup_text(st, 5, a, &g->granted_by);
	g->granted_at = sqlite3_column_int64(st, 6);
	return rc;
}

int mm_sq_grant_list(struct mm_conn *c, const char *reg, int64_t record_id, struct mm_arena *a,
		     struct mm_grant **out, size_t *n)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	struct mm_grant *v = NULL;
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc, src;

	*out = NULL;
	*n = 0;
	if (!reg)
		return MM_EINVAL;
	rc = stmt(sc, S_LIST, &st);
	if (rc)
		return rc;
	src = bind_record(st, 1, reg, record_id);
	while (src == SQLITE_OK || src == SQLITE_ROW) {
		src = mm_sq_step(sc, st);
		if (src != SQLITE_ROW)
			break;
		if (!mm_arena_grow(a, &v, *n, &cap, sizeof(*v), 8)) {
			rc = MM_ENOMEM;
			goto out;
		}
		rc = read_grant(st, a, &v[*n]);
		if (rc)
			goto out;
		(*n)++;
	}
	if (src != SQLITE_DONE)
		rc = mm_sq_fail(sc, src);
out:
	mm_sq_done(st);
	if (rc) {
		v = NULL;
		*n = 0;
	}
	*out = v;
	return rc;
}

int mm_sq_grant_kinds(struct mm_conn *c, const char *reg, int64_t record_id, int64_t person_id,
		      unsigned *kinds)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	sqlite3_stmt *st;
	int rc, src;

	*kinds = 0;
	if (!reg)
		return MM_EINVAL;
	rc = stmt(sc, S_KINDS, &st);
	if (rc)
		return rc;
	src = bind_record(st, 1, reg, record_id);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 3, person_id);
	while (src == SQLITE_OK || src == SQLITE_ROW) {
		src = mm_sq_step(sc, st);
		if (src == SQLITE_ROW)
			*kinds |= mm_grant_kind_parse((const char *)sqlite3_column_text(st, 0));
	}
	rc = src == SQLITE_DONE ? MM_OK : mm_sq_fail(sc, src);
	mm_sq_done(st);
	return rc;
}
