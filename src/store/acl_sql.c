/* The access condition of lists, counts and searches (struct mm_acl in
 * grants.h) in SQL, for every backend: the rule is written once here with
 * '?' for each value, and mm_acl_sql_where and mm_acl_sql_part give it in
 * the dialect asked for ($1, $2, ... and true/false for PostgreSQL). The
 * grants table comes from migration 10 (migrations.c). The keyset
 * condition of lists (struct mm_after) is shared the same way. */
#include "store/acl_sql.h"

#include "core/err.h"

#include <string.h>

static void add_ident(struct mm_buf *b, const char *name, const char *suffix)
{
	mm_buf_addc(b, '"');
	mm_buf_adds(b, name);
	if (suffix)
		mm_buf_adds(b, suffix);
	mm_buf_addc(b, '"');
}

size_t mm_acl_sql_nbinds(const struct mm_acl *acl)
{
	return 10 + acl->nsections;
}

/* Appends the level of a row: its class column, 4 (the strictest) when
 * that is empty. */
static void add_level(struct mm_buf *w, const struct mm_schema *s, const struct mm_acl *acl)
{
	mm_buf_adds(w, "coalesce(");
	add_ident(w, s->fields[acl->class_field].name, NULL);
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
static int acl_where(enum mm_dialect d, const struct mm_schema *s, const struct mm_acl *acl,
		     struct mm_buf *w, struct mm_sql_bind *v, size_t *nv)
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
		v[(*nv)++] = (struct mm_sql_bind){ MM_SQL_B_INT, acl->all_max, NULL };
	}
	if (acl->owner_field >= 0 && acl->nsections && acl->near_max > 0 &&
	    (!fixed || lvl <= acl->near_max)) {
		term(w, &first);
		mm_buf_addc(w, '(');
		if (!fixed) {
			add_level(w, s, acl);
			mm_buf_adds(w, " <= ? AND ");
			v[(*nv)++] = (struct mm_sql_bind){ MM_SQL_B_INT, acl->near_max, NULL };
		}
		add_ident(w, s->fields[acl->owner_field].name, NULL);
		mm_buf_adds(w, " IN (");
		for (size_t i = 0; i < acl->nsections; i++) {
			mm_buf_adds(w, i ? ", ?" : "?");
			v[(*nv)++] = (struct mm_sql_bind){ MM_SQL_B_INT, acl->sections[i], NULL };
		}
		mm_buf_adds(w, "))");
	}
	if (acl->person_id) {
		/* One probe of the grants' unique index serves both rules: any
		 * grant up to grant_max, a 'named' one at every level. */
		term(w, &first);
		mm_buf_adds(w, "EXISTS (SELECT 1 FROM grants WHERE register = ? AND record_id = ");
		add_ident(w, s->name, NULL);
		mm_buf_adds(w, ".id AND person_id = ?");
		v[(*nv)++] = (struct mm_sql_bind){ MM_SQL_B_TEXT, 0, s->name };
		v[(*nv)++] = (struct mm_sql_bind){ MM_SQL_B_INT, acl->person_id, NULL };
		if (!fixed) {
			mm_buf_adds(w, " AND (kind = 'named' OR ");
			add_level(w, s, acl);
			mm_buf_adds(w, " <= ?)");
			v[(*nv)++] = (struct mm_sql_bind){ MM_SQL_B_INT, acl->grant_max, NULL };
		} else if (lvl > acl->grant_max) {
			mm_buf_adds(w, " AND kind = 'named'");
		}
		mm_buf_addc(w, ')');
	}
	mm_buf_adds(w, first ? (d == MM_DIALECT_PG ? " AND false" : " AND 0") : ")");
	return MM_OK;
}

/* The parts. */

static void add_int(struct mm_buf *w, const char *text, int64_t i, struct mm_sql_bind *v,
		    size_t *nv)
{
	mm_buf_adds(w, text);
	v[(*nv)++] = (struct mm_sql_bind){ MM_SQL_B_INT, i, NULL };
}

/* Appends "owner IN (?, ...)" with the near sections. */
static void add_near(struct mm_buf *w, const struct mm_schema *s, const struct mm_acl *acl,
		     struct mm_sql_bind *v, size_t *nv)
{
	add_ident(w, s->fields[acl->owner_field].name, NULL);
	mm_buf_adds(w, " IN (");
	for (size_t i = 0; i < acl->nsections; i++) {
		mm_buf_adds(w, i ? ", ?" : "?");
		v[(*nv)++] = (struct mm_sql_bind){ MM_SQL_B_INT, acl->sections[i], NULL };
	}
	mm_buf_addc(w, ')');
}

/* Appends " AND id IN (the records person_id holds grants on)", only the
 * 'named' ones when named. Not correlated: SQLite reads the person's few
 * grants through grants_by_person and looks the records up by id. */
static void add_granted(struct mm_buf *w, const struct mm_schema *s, const struct mm_acl *acl,
			bool named, struct mm_sql_bind *v, size_t *nv)
{
	add_int(w, "id IN (SELECT record_id FROM grants WHERE person_id = ?", acl->person_id, v,
		nv);
	mm_buf_adds(w, " AND register = ?");
	v[(*nv)++] = (struct mm_sql_bind){ MM_SQL_B_TEXT, 0, s->name };
	mm_buf_adds(w, named ? " AND kind = 'named')" : ")");
}

/* Part 2: what only grants show (see mm_acl_sql_part). */
static void granted_part(enum mm_dialect d, const struct mm_schema *s, const struct mm_acl *acl,
			 bool near, struct mm_buf *w, struct mm_sql_bind *v, size_t *nv)
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
		mm_buf_adds(w, d == MM_DIALECT_PG ? ", false)" : ", 0)");
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

static int acl_part(enum mm_dialect d, const struct mm_schema *s, const struct mm_acl *acl,
		    int part, bool others, struct mm_buf *w, struct mm_sql_bind *v, size_t *nv,
		    bool *none)
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
	plus = others && d == MM_DIALECT_SQLITE ? " AND +" : " AND ";
	switch (part) {
	case 0: /* up to all_max, whoever owns it */
		*none = fixed ? lvl > acl->all_max : acl->all_max <= 0;
		if (!*none && !fixed) {
			mm_buf_adds(w, plus);
			add_ident(w, c, NULL);
			add_int(w, " <= ?", acl->all_max, v, nv);
		}
		return MM_OK;
	case 1: /* above that, up to near_max, of the near sections */
		*none = !near;
		if (*none)
			return MM_OK;
		if (!fixed) {
			mm_buf_adds(w, plus);
			add_ident(w, c, NULL);
			add_int(w, " > ?", acl->all_max, v, nv);
			mm_buf_adds(w, plus);
			add_ident(w, c, NULL);
			add_int(w, " <= ?", acl->near_max, v, nv);
		}
		mm_buf_adds(w, " AND ");
		add_near(w, s, acl, v, nv);
		return MM_OK;
	case 2: /* the rest, shown by grants */
		*none = !acl->person_id || (fixed && lvl <= acl->all_max);
		if (!*none)
			granted_part(d, s, acl, near, w, v, nv);
		return MM_OK;
	}
	*none = true;
	return MM_OK;
}

/* Appends t to w, numbering its '?'s from first + 1 for PostgreSQL. The
 * text holds no other '?': identifiers are checked names, the rest is
 * fixed. */
static void emit(enum mm_dialect d, struct mm_buf *w, const struct mm_buf *t, size_t first)
{
	if (t->err) {
		w->err = t->err;
		return;
	}
	if (d == MM_DIALECT_SQLITE) {
		mm_buf_add(w, t->data, t->len);
		return;
	}
	for (size_t i = 0; i < t->len; i++) {
		if (t->data[i] == '?')
			mm_buf_printf(w, "$%zu", ++first);
		else
			mm_buf_addc(w, t->data[i]);
	}
}

/* A buffer to write a condition in with '?' before emit numbers it, room
 * as large as w's. */
static void scratch(struct mm_buf *t, const struct mm_buf *w)
{
	mm_buf_init(t, w->cap ? w->cap : 1 << 16);
}

/* Unless rc, appends t, whose values start after v[first - 1], to w in
 * dialect d; frees t either way. */
static int finish(enum mm_dialect d, struct mm_buf *w, struct mm_buf *t, size_t first, int rc)
{
	if (!rc)
		emit(d, w, t, first);
	mm_buf_free(t);
	return rc;
}

/* Writes the status and field filters of q (" WHERE ..."). */
static int filters_where(enum mm_dialect d, const struct mm_schema *s, const struct mm_query *q,
			 struct mm_buf *w, struct mm_sql_bind *v, size_t *nv)
{
	static const char *const ops[] = {
		[MM_OP_EQ] = " = ?", [MM_OP_GE] = " >= ?", [MM_OP_LE] = " <= ?"
	};

	mm_buf_adds(w, d == MM_DIALECT_PG ? " WHERE true" : " WHERE 1");
	if (q->status == MM_ACTIVE)
		mm_buf_adds(w, " AND retired = 0");
	else if (q->status == MM_RETIRED)
		mm_buf_adds(w, " AND retired = 1");
	else if (q->status != MM_ANY_STATUS)
		return MM_EINVAL;
	for (size_t i = 0; i < q->nfilters; i++) {
		const struct mm_filter *fl = &q->filters[i];
		const struct mm_field *f;
		bool is_int;

		if (fl->field < 0 || (size_t)fl->field >= s->nfields ||
		    (fl->op != MM_OP_EQ && fl->op != MM_OP_GE && fl->op != MM_OP_LE))
			return MM_EINVAL;
		f = &s->fields[fl->field];
		is_int = f->type == MM_FT_INT || f->type == MM_FT_REF;
		mm_buf_adds(w, " AND ");
		add_ident(w, f->name, NULL);
		if (!fl->v.set || (!is_int && !fl->v.s)) {
			if (fl->op != MM_OP_EQ)
				return MM_EINVAL;
			mm_buf_adds(w, " IS NULL");
			continue;
		}
		mm_buf_adds(w, ops[fl->op]);
		v[(*nv)++] = is_int ? (struct mm_sql_bind){ MM_SQL_B_INT, fl->v.i, NULL }
				    : (struct mm_sql_bind){ MM_SQL_B_TEXT, 0, fl->v.s };
	}
	return MM_OK;
}

/* Appends the keyset condition of q->after: the records after it in the
 * order of add_order, where NULL comes before every value (both backends order so). The row
 * value comparison lets the index of the order start at the key instead
 * of walking every record before it. */
static int keyset_where(const struct mm_schema *s, const struct mm_query *q, struct mm_buf *w,
			struct mm_sql_bind *v, size_t *nv)
{
	const struct mm_after *af = q->after;
	const char *col = NULL;
	bool is_int = false;

	if (q->sort >= 0) {
		col = s->fields[q->sort].name;
		is_int = (s->fields[q->sort].type == MM_FT_INT ||
			  s->fields[q->sort].type == MM_FT_REF);
	} else if (q->sort == MM_SORT_UPDATED) {
		col = "updated_at";
	}
	if (!col || !af->key.set) {
		if (col && !q->desc) {
			mm_buf_adds(w, " AND ((");
			add_ident(w, col, NULL);
			mm_buf_adds(w, " IS NULL AND id > ?) OR ");
			add_ident(w, col, NULL);
			mm_buf_adds(w, " IS NOT NULL)");
		} else if (col) {
			mm_buf_adds(w, " AND ");
			add_ident(w, col, NULL);
			mm_buf_adds(w, " IS NULL AND id < ?");
		} else {
			mm_buf_adds(w, q->desc ? " AND id < ?" : " AND id > ?");
		}
		v[(*nv)++] = (struct mm_sql_bind){ MM_SQL_B_INT, af->id, NULL };
		return MM_OK;
	}
	if (!is_int && !af->key.s)
		return MM_EINVAL;
	mm_buf_adds(w, q->desc ? " AND ((" : " AND (");
	add_ident(w, col, NULL);
	mm_buf_adds(w, q->desc ? ", id) < (?, ?) OR " : ", id) > (?, ?)");
	if (q->desc) {
		add_ident(w, col, NULL);
		mm_buf_adds(w, " IS NULL)");
	}
	v[(*nv)++] = is_int ? (struct mm_sql_bind){ MM_SQL_B_INT, af->key.i, NULL }
			    : (struct mm_sql_bind){ MM_SQL_B_TEXT, 0, af->key.s };
	v[(*nv)++] = (struct mm_sql_bind){ MM_SQL_B_INT, af->id, NULL };
	return MM_OK;
}

int mm_keyset_sql_where(enum mm_dialect d, const struct mm_schema *s, const struct mm_query *q,
			struct mm_buf *w, struct mm_sql_bind *v, size_t *nv)
{
	size_t first = *nv;
	struct mm_buf t;

	scratch(&t, w);
	return finish(d, w, &t, first, keyset_where(s, q, &t, v, nv));
}

int mm_filters_sql_where(enum mm_dialect d, const struct mm_schema *s, const struct mm_query *q,
			 struct mm_buf *w, struct mm_sql_bind *v, size_t *nv)
{
	size_t first = *nv;
	struct mm_buf t;

	scratch(&t, w);
	return finish(d, w, &t, first, filters_where(d, s, q, &t, v, nv));
}

int mm_acl_sql_where(enum mm_dialect d, const struct mm_schema *s, const struct mm_acl *acl,
		     struct mm_buf *w, struct mm_sql_bind *v, size_t *nv)
{
	size_t first = *nv;
	struct mm_buf t;

	scratch(&t, w);
	return finish(d, w, &t, first, acl_where(d, s, acl, &t, v, nv));
}

int mm_acl_sql_part(enum mm_dialect d, const struct mm_schema *s, const struct mm_acl *acl,
		    int part, bool others, struct mm_buf *w, struct mm_sql_bind *v, size_t *nv,
		    bool *none)
{
	size_t first = *nv;
	struct mm_buf t;

	scratch(&t, w);
	return finish(d, w, &t, first, acl_part(d, s, acl, part, others, &t, v, nv, none));
}

/* Level counts. */

bool mm_acl_level_counted(const struct mm_schema *s, const struct mm_query *q)
{
	return q->acl && !q->nfilters && !(q->q && q->q[0]) && q->acl->all_max > 0 &&
	       q->acl->class_field >= 0 && q->acl->class_field == mm_schema_level_field(s);
}

void mm_acl_level_count_sql(enum mm_dialect d, const struct mm_schema *s, const struct mm_query *q,
			    struct mm_buf *w, struct mm_sql_bind *v, size_t *nv)
{
	static const char *const counted[] = { [MM_ACTIVE] = "active",
					       [MM_RETIRED] = "retired",
					       [MM_ANY_STATUS] = "active + retired" };
	size_t first = *nv;
	struct mm_buf t;

	scratch(&t, w);
	mm_buf_printf(&t, "(SELECT CAST(coalesce(sum(%s), 0) AS BIGINT) FROM level_counts ",
		      q->status == MM_RETIRED	   ? counted[MM_RETIRED]
		      : q->status == MM_ANY_STATUS ? counted[MM_ANY_STATUS]
						   : counted[MM_ACTIVE]);
	mm_buf_adds(&t, "WHERE register = ?");
	v[(*nv)++] = (struct mm_sql_bind){ MM_SQL_B_TEXT, 0, s->name };
	add_int(&t, " AND level <= ?)", q->acl->all_max, v, nv);
	finish(d, w, &t, first, MM_OK);
}

void mm_level_recount_sql(enum mm_dialect d, const struct mm_schema *s, struct mm_buf *w,
			  struct mm_sql_bind *v, size_t *nv)
{
	const char *level = s->fields[mm_schema_level_field(s)].name;
	size_t first = *nv;
	struct mm_buf t;

	scratch(&t, w);
	mm_buf_adds(&t, "INSERT INTO level_counts(register, level, active, retired) SELECT ?, "
			"coalesce(");
	v[(*nv)++] = (struct mm_sql_bind){ MM_SQL_B_TEXT, 0, s->name };
	add_ident(&t, level, NULL);
	mm_buf_adds(&t, ", 4), count(*) FILTER (WHERE retired = 0), "
			"count(*) FILTER (WHERE retired <> 0) FROM ");
	add_ident(&t, s->name, NULL);
	mm_buf_adds(&t, " GROUP BY coalesce(");
	add_ident(&t, level, NULL);
	mm_buf_adds(&t, ", 4)");
	finish(d, w, &t, first, MM_OK);
}
