/* The SQLite backend's record grants (grants.h) and the access condition
 * that lists, counts and searches carry (struct mm_acl). The grants table
 * comes from migration 10 in sqlite_schema.c; its statements are listed
 * here and prepared on a connection at first use. Adding or removing a
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
		src = sqlite3_step(st);
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
		src = sqlite3_step(st);
		if (src == SQLITE_ROW)
			*kinds |= mm_grant_kind_parse((const char *)sqlite3_column_text(st, 0));
	}
	rc = src == SQLITE_DONE ? MM_OK : mm_sq_fail(sc, src);
	mm_sq_done(st);
	return rc;
}

/* The access condition. */

size_t mm_sq_acl_nbinds(const struct mm_acl *acl)
{
	return 10 + acl->nsections;
}

/* Appends the level of a row: its class column, 4 (the strictest) when
 * that is empty. */
static void add_level(struct mm_buf *w, const struct mm_schema *s, const struct mm_acl *acl)
{
	mm_buf_adds(w, "coalesce(");
	mm_sq_add_ident(w, s->fields[acl->class_field].name, NULL);
	mm_buf_adds(w, ", 4)");
}

static bool field_is(const struct mm_schema *s, int fi, enum mm_ftype type)
{
	return fi >= 0 && (size_t)fi < s->nfields && s->fields[fi].type == type;
}

/* One term of the condition: "(" for the first, " OR " for the others. */
static void term(struct mm_buf *w, bool *first)
{
	mm_buf_adds(w, *first ? " AND (" : " OR ");
	*first = false;
}

static bool fields_ok(const struct mm_schema *s, const struct mm_acl *acl)
{
	return (acl->class_field < 0 || field_is(s, acl->class_field, MM_FT_INT)) &&
	       (acl->owner_field < 0 || field_is(s, acl->owner_field, MM_FT_REF));
}

/* Writes the rule of struct mm_acl in SQL. With a fixed level the level
 * terms are decided here and left out; a term that cannot hold is not
 * written at all. */
int mm_sq_acl_where(const struct mm_schema *s, const struct mm_acl *acl, struct mm_buf *w,
		    struct mm_sq_bind *v, size_t *nv)
{
	bool fixed = acl->class_field < 0, first = true;
	int64_t lvl = acl->fixed_level;

	if (!fields_ok(s, acl))
		return MM_EINVAL;
	if (fixed && lvl <= acl->all_max)
		return MM_OK;
	if (!fixed && acl->all_max > 0) {
		term(w, &first);
		add_level(w, s, acl);
		mm_buf_adds(w, " <= ?");
		v[(*nv)++] = (struct mm_sq_bind){ MM_SQ_B_INT, acl->all_max, NULL };
	}
	if (acl->owner_field >= 0 && acl->nsections && acl->near_max > 0 &&
	    (!fixed || lvl <= acl->near_max)) {
		term(w, &first);
		mm_buf_addc(w, '(');
		if (!fixed) {
			add_level(w, s, acl);
			mm_buf_adds(w, " <= ? AND ");
			v[(*nv)++] = (struct mm_sq_bind){ MM_SQ_B_INT, acl->near_max, NULL };
		}
		mm_sq_add_ident(w, s->fields[acl->owner_field].name, NULL);
		mm_buf_adds(w, " IN (");
		for (size_t i = 0; i < acl->nsections; i++) {
			mm_buf_adds(w, i ? ", ?" : "?");
			v[(*nv)++] = (struct mm_sq_bind){ MM_SQ_B_INT, acl->sections[i], NULL };
		}
		mm_buf_adds(w, "))");
	}
	if (acl->person_id) {
		/* One probe of the grants' unique index serves both rules: any
		 * grant up to grant_max, a 'named' one at every level. */
		term(w, &first);
		mm_buf_adds(w, "EXISTS (SELECT 1 FROM grants WHERE register = ? AND record_id = ");
		mm_sq_add_ident(w, s->name, NULL);
		mm_buf_adds(w, ".id AND person_id = ?");
		v[(*nv)++] = (struct mm_sq_bind){ MM_SQ_B_TEXT, 0, s->name };
		v[(*nv)++] = (struct mm_sq_bind){ MM_SQ_B_INT, acl->person_id, NULL };
		if (!fixed) {
			mm_buf_adds(w, " AND (kind = 'named' OR ");
			add_level(w, s, acl);
			mm_buf_adds(w, " <= ?)");
			v[(*nv)++] = (struct mm_sq_bind){ MM_SQ_B_INT, acl->grant_max, NULL };
		} else if (lvl > acl->grant_max) {
			mm_buf_adds(w, " AND kind = 'named'");
		}
		mm_buf_addc(w, ')');
	}
	mm_buf_adds(w, first ? " AND 0" : ")");
	return MM_OK;
}

/* The parts. */

static void add_int(struct mm_buf *w, const char *text, int64_t i, struct mm_sq_bind *v, size_t *nv)
{
	mm_buf_adds(w, text);
	v[(*nv)++] = (struct mm_sq_bind){ MM_SQ_B_INT, i, NULL };
}

/* Appends "owner IN (?, ...)" with the near sections. */
static void add_near(struct mm_buf *w, const struct mm_schema *s, const struct mm_acl *acl,
		     struct mm_sq_bind *v, size_t *nv)
{
	mm_sq_add_ident(w, s->fields[acl->owner_field].name, NULL);
	mm_buf_adds(w, " IN (");
	for (size_t i = 0; i < acl->nsections; i++) {
		mm_buf_adds(w, i ? ", ?" : "?");
		v[(*nv)++] = (struct mm_sq_bind){ MM_SQ_B_INT, acl->sections[i], NULL };
	}
	mm_buf_addc(w, ')');
}

/* Appends " AND id IN (the records person_id holds grants on)", only the
 * 'named' ones when named. Not correlated: SQLite reads the person's few
 * grants through grants_by_person and looks the records up by id. */
static void add_granted(struct mm_buf *w, const struct mm_schema *s, const struct mm_acl *acl,
			bool named, struct mm_sq_bind *v, size_t *nv)
{
	add_int(w, "id IN (SELECT record_id FROM grants WHERE person_id = ?", acl->person_id, v,
		nv);
	mm_buf_adds(w, " AND register = ?");
	v[(*nv)++] = (struct mm_sq_bind){ MM_SQ_B_TEXT, 0, s->name };
	mm_buf_adds(w, named ? " AND kind = 'named')" : ")");
}

/* Part 2: what only grants show (see mm_sq_acl_part). */
static void granted_part(const struct mm_schema *s, const struct mm_acl *acl, bool near,
			 struct mm_buf *w, struct mm_sq_bind *v, size_t *nv)
{
	bool fixed = acl->class_field < 0;

	if (!fixed) {
		mm_buf_adds(w, " AND ");
		add_level(w, s, acl);
		add_int(w, " > ?", acl->all_max, v, nv);
	}
	if (near) {
		mm_buf_adds(w, " AND NOT coalesce(");
		if (!fixed) {
			add_level(w, s, acl);
			add_int(w, " <= ? AND ", acl->near_max, v, nv);
		}
		add_near(w, s, acl, v, nv);
		mm_buf_adds(w, ", 0)");
	}
	mm_buf_adds(w, " AND ");
	add_granted(w, s, acl, fixed && acl->fixed_level > acl->grant_max, v, nv);
	if (!fixed) {
		mm_buf_adds(w, " AND (");
		add_level(w, s, acl);
		add_int(w, " <= ? OR ", acl->grant_max, v, nv);
		add_granted(w, s, acl, true, v, nv);
		mm_buf_addc(w, ')');
	}
}

int mm_sq_acl_part(const struct mm_schema *s, const struct mm_acl *acl, int part, bool others,
		   struct mm_buf *w, struct mm_sq_bind *v, size_t *nv, bool *none)
{
	bool fixed = acl->class_field < 0;
	int64_t lvl = acl->fixed_level;
	bool near = acl->owner_field >= 0 && acl->nsections && acl->near_max > acl->all_max &&
		    (!fixed || (lvl > acl->all_max && lvl <= acl->near_max));
	const char *c, *plus;

	*none = false;
	if (!fields_ok(s, acl))
		return MM_EINVAL;
	c = fixed ? NULL : s->fields[acl->class_field].name;
	/* With other filters, which usually select fewer records than a range
	 * of levels does, +column keeps the planner off the level's index. */
	plus = others ? " AND +" : " AND ";
	switch (part) {
	case 0: /* up to all_max, whoever owns it */
		*none = fixed ? lvl > acl->all_max : acl->all_max <= 0;
		if (!*none && !fixed) {
			mm_buf_adds(w, plus);
			mm_sq_add_ident(w, c, NULL);
			add_int(w, " <= ?", acl->all_max, v, nv);
		}
		return MM_OK;
	case 1: /* above that, up to near_max, of the near sections */
		*none = !near;
		if (*none)
			return MM_OK;
		if (!fixed) {
			mm_buf_adds(w, plus);
			mm_sq_add_ident(w, c, NULL);
			add_int(w, " > ?", acl->all_max, v, nv);
			mm_buf_adds(w, plus);
			mm_sq_add_ident(w, c, NULL);
			add_int(w, " <= ?", acl->near_max, v, nv);
		}
		mm_buf_adds(w, " AND ");
		add_near(w, s, acl, v, nv);
		return MM_OK;
	case 2: /* the rest, shown by grants */
		*none = !acl->person_id || (fixed && lvl <= acl->all_max);
		if (!*none)
			granted_part(s, acl, near, w, v, nv);
		return MM_OK;
	}
	*none = true;
	return MM_OK;
}
