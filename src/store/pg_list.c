/* The PostgreSQL backend's lists: the WHERE clause of a query (filters,
 * status, free text, the reader's access condition from acl_sql.c), its
 * order, the total and one page of records, in the same order as SQLite's
 * (NULLs first ascending, ties broken by id).
 *
 * Free text: the searched fields, joined (mm_pg_add_search_text), are
 * matched with ILIKE '%q%' (the wildcards of q escaped), served by the
 * trigram index pg_schema.c makes; SQLite's trigram index and LIKE match
 * the same substrings. */
#include "store/pg_int.h"

#include "store/acl_sql.h"

#include "core/err.h"

#include <string.h>

static void to_args(const struct mm_sql_bind *v, size_t n, struct mm_pg_args *a)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i].kind == MM_SQL_B_INT)
			mm_pg_arg_int(a, v[i].i);
		else if (v[i].kind == MM_SQL_B_TEXT)
			mm_pg_arg_text(a, v[i].s);
		else
			mm_pg_arg_null(a);
	}
}

/* '%' q '%' with the LIKE wildcards and the escape character escaped. */
static char *like_pattern(struct mm_arena *a, const char *q)
{
	size_t n = 2, i, k = 0;
	char *p;

	for (i = 0; q[i]; i++)
		n += (q[i] == '%' || q[i] == '_' || q[i] == '\\') ? 2 : 1;
	p = mm_arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	p[k++] = '%';
	for (i = 0; q[i]; i++) {
		if (q[i] == '%' || q[i] == '_' || q[i] == '\\')
			p[k++] = '\\';
		p[k++] = q[i];
	}
	p[k++] = '%';
	p[k] = '\0';
	return p;
}

static int add_search(const struct mm_schema *s, const char *q, struct mm_arena *a,
		      struct mm_buf *w, struct mm_sql_bind *v, size_t *nv)
{
	char *pat;

	if (mm_pg_count_search(s) == 0) {
		mm_buf_adds(w, " AND false");
		return MM_OK;
	}
	pat = like_pattern(a, q);
	if (!pat)
		return MM_ENOMEM;
	v[*nv] = (struct mm_sql_bind){ MM_SQL_B_TEXT, 0, pat };
	mm_buf_adds(w, " AND ");
	mm_pg_add_search_text(w, s);
	mm_buf_printf(w, " ILIKE $%zu", ++*nv);
	return MM_OK;
}

/* Appends the WHERE clause of q to w and its values to v. */
static int build_where(const struct mm_schema *s, const struct mm_query *q, struct mm_arena *a,
		       struct mm_buf *w, struct mm_sql_bind *v, size_t *nv)
{
	int rc = mm_filters_sql_where(MM_DIALECT_PG, s, q, w, v, nv);

	if (!rc && q->q && q->q[0])
		rc = add_search(s, q->q, a, w, v, nv);
	return rc;
}

static bool sort_ok(const struct mm_schema *s, const struct mm_query *q)
{
	if (q->sort >= 0)
		return (size_t)q->sort < s->nfields;
	return q->sort == MM_SORT_ID || q->sort == MM_SORT_UPDATED;
}

/* SQLite puts NULLs first in ascending order and last in descending. The
 * time of the last change is never NULL: its order is written plain, as
 * its indexes (retired, ..., updated_at, id) give it either way. */
static void add_order(const struct mm_schema *s, const struct mm_query *q, struct mm_buf *b)
{
	const char *dir = q->desc ? " DESC NULLS LAST, " : " ASC NULLS FIRST, ";

	mm_buf_adds(b, " ORDER BY ");
	if (q->sort >= 0) {
		mm_pg_add_ident(b, s->fields[q->sort].name, NULL);
		mm_buf_adds(b, dir);
	} else if (q->sort == MM_SORT_UPDATED) {
		mm_buf_adds(b, q->desc ? "updated_at DESC, " : "updated_at ASC, ");
	}
	mm_buf_adds(b, q->desc ? "id DESC" : "id ASC");
}

static bool filtered(const struct mm_query *q)
{
	return q->nfilters > 0 || (q->q && q->q[0]) || q->acl;
}

/* Whether add_capped_count counts the access rule's parts (below). */
static bool count_parts(const struct mm_query *q)
{
	return q->acl && !q->nfilters && !(q->q && q->q[0]);
}

/* The number of matching rows, counted to MM_TOTAL_CAP + 1 at most
 * (store.h). wb is the WHERE clause without the access condition, w the
 * whole one. With an access condition and neither filters nor free text,
 * the condition's disjoint parts (mm_acl_sql_part) are counted one after
 * the other, each through its own index, and the count stops at the cap:
 * tested as one condition the access rule was evaluated on every row (a
 * member of staff's list page cost twice as much). Part 0, every record up
 * to a level, is then the sum of level_counts' rows, not counted at all:
 * counting its 10,001 rows was half of a list's time. Filters and searches
 * select few rows through their indexes, where planning the parts' union
 * cost 1–6 ms more than counting the rows (0.5 ms for one section's
 * assets). The parts' values go to v after the *nv there. */
static int add_capped_count(struct mm_buf *b, const struct mm_schema *s, const struct mm_query *q,
			    const struct mm_buf *wb, const struct mm_buf *w, struct mm_sql_bind *v,
			    size_t *nv)
{
	bool parts = count_parts(q), counted = mm_acl_level_counted(s, q);
	const char *sep = "";
	int rc = MM_OK;

	mm_buf_adds(b, "((SELECT count(*) FROM (");
	if (!parts)
		wb = w;
	for (int part = counted ? 1 : 0; !rc && part < (parts ? MM_ACL_SQL_PARTS : 1); part++) {
		bool none = false;
		struct mm_buf pw;

		mm_buf_init(&pw, MM_PG_SQL_CAP);
		mm_buf_add(&pw, wb->data, wb->len);
		if (parts)
			rc = mm_acl_sql_part(MM_DIALECT_PG, s, q->acl, part, false, &pw, v, nv,
					     &none);
		if (!rc && !none) {
			mm_buf_adds(b, sep);
			mm_buf_adds(b, "SELECT 1 FROM ");
			mm_pg_add_ident(b, s->name, NULL);
			mm_buf_add(b, pw.data, pw.len);
			sep = " UNION ALL ";
		}
		if (!rc && pw.err)
			rc = MM_ENOMEM;
		mm_buf_free(&pw);
	}
	if (!*sep)
		mm_buf_adds(b, "SELECT 1 WHERE false");
	mm_buf_printf(b, " LIMIT %d) AS capped)", MM_TOTAL_CAP + 1);
	if (!rc && counted) {
		mm_buf_adds(b, " + ");
		mm_acl_level_count_sql(MM_DIALECT_PG, s, q, b, v, nv);
	}
	mm_buf_addc(b, ')');
	return rc;
}

/* The number of records matching: from record_counts for a list without
 * filters, search or access condition, counted otherwise (to the cap). wb
 * and w as for list_rows, with the nv values in v that the count uses. */
static int list_total(struct mm_pg_conn *pc, const struct mm_schema *s, const struct mm_query *q,
		      const struct mm_buf *wb, const struct mm_buf *w, struct mm_sql_bind *v,
		      size_t nv, int64_t *total)
{
	int64_t active = 0, retired = 0;
	struct mm_pg_args a;
	struct mm_buf b;
	PGresult *res;
	int rc;

	if (!filtered(q)) {
		rc = mm_pg_counts_get(pc, s, &active, &retired);
		if (rc && rc != MM_ENOTFOUND)
			return rc;
		if (!rc) {
			*total = q->status == MM_ACTIVE	   ? active
				 : q->status == MM_RETIRED ? retired
							   : active + retired;
			return MM_OK;
		}
	}
	mm_buf_init(&b, MM_PG_SQL_CAP);
	mm_pg_args_init(&a);
	mm_buf_adds(&b, "SELECT ");
	rc = add_capped_count(&b, s, q, wb, w, v, &nv);
	to_args(v, nv, &a);
	if (!rc)
		rc = b.err ? MM_ENOMEM : mm_pg_query(pc, b.data, &a, &res);
	mm_pg_args_free(&a);
	mm_buf_free(&b);
	if (!rc) {
		*total = mm_pg_int(res, 0, 0);
		PQclear(res);
	}
	return rc;
}

/* One page and the total in one statement, so both come from one
 * snapshot without a transaction of their own: the total is a count of the
 * matching rows to the cap, or for a list without filters the register's
 * number in record_counts. wb is the WHERE clause without the access
 * condition, w with it, rw with the keyset condition too; their nv values
 * are in v. One row more than the page tells whether another follows.
 * *got_total is false when no row came back (the total is then counted
 * apart). */
static int list_rows(struct mm_pg_conn *pc, const struct mm_schema *s, const struct mm_query *q,
		     const struct mm_buf *wb, const struct mm_buf *w, const struct mm_buf *rw,
		     struct mm_sql_bind *v, size_t nv, struct mm_arena *ar, struct mm_page *out,
		     bool *got_total)
{
	static const char *const counts[] = { [MM_ACTIVE] = "active",
					      [MM_RETIRED] = "retired",
					      [MM_ANY_STATUS] = "active + retired" };
	PGresult *res = NULL;
	struct mm_pg_args a;
	struct mm_buf b;
	int rc = MM_OK, rows;

	*got_total = false;
	mm_buf_init(&b, MM_PG_SQL_CAP);
	mm_pg_args_init(&a);
	mm_buf_adds(&b, "SELECT ");
	mm_pg_add_columns(&b, s);
	mm_buf_adds(&b, ", ");
	if (filtered(q)) {
		rc = add_capped_count(&b, s, q, wb, w, v, &nv);
		to_args(v, nv, &a);
	} else {
		to_args(v, nv, &a);
		mm_buf_printf(&b, "(SELECT %s FROM record_counts WHERE register = $%zu)",
			      counts[q->status], a.n + 1);
		mm_pg_arg_text(&a, s->name);
	}
	mm_buf_adds(&b, " FROM ");
	mm_pg_add_ident(&b, s->name, NULL);
	mm_buf_add(&b, rw->data, rw->len);
	add_order(s, q, &b);
	mm_buf_printf(&b, " LIMIT $%zu OFFSET $%zu", a.n + 1, a.n + 2);
	mm_pg_arg_int(&a, (int64_t)q->limit + 1);
	mm_pg_arg_int(&a, (int64_t)q->offset);
	if (!rc)
		rc = b.err ? MM_ENOMEM : mm_pg_query(pc, b.data, &a, &res);
	mm_pg_args_free(&a);
	mm_buf_free(&b);
	if (rc)
		return rc;
	rows = PQntuples(res);
	out->recs = mm_arena_zalloc(ar, ((size_t)rows + 1) * sizeof(*out->recs));
	if (!out->recs)
		rc = MM_ENOMEM;
	if (!rc && rows && !mm_pg_null(res, 0, 6 + (int)s->nfields)) {
		out->total = mm_pg_int(res, 0, 6 + (int)s->nfields);
		*got_total = true;
	}
	for (int i = 0; !rc && i < rows; i++) {
		if (out->n == q->limit) {
			out->more = true;
			break;
		}
		rc = mm_pg_read_record(res, i, s, ar, &out->recs[out->n]);
		if (!rc)
			out->n++;
	}
	PQclear(res);
	return rc;
}

int mm_pg_rec_list(struct mm_conn *c, const struct mm_schema *s, const struct mm_query *q,
		   struct mm_arena *a, struct mm_page *out)
{
	struct mm_pg_conn *pc = mm_pg_conn(c);
	struct mm_pg_cached *e;
	struct mm_sql_bind *v;
	size_t nv = 0, nbase, nwhere, nacl;
	bool got_total = false;
	struct mm_buf wb, w, rw;
	int rc;

	out->recs = NULL;
	out->n = 0;
	out->total = 0;
	out->more = out->capped = false;
	if (q->offset > INT64_MAX || q->limit >= INT64_MAX || !sort_ok(s, q) ||
	    (q->after && q->offset))
		return MM_EINVAL;
	rc = mm_pg_cached_for(pc, s, &e); /* checks the schema's names */
	if (rc)
		return rc;
	/* The values of the filters, the access condition, the keyset
	 * condition, then of the access condition's parts and level_counts'
	 * two in the count. */
	nacl = q->acl ? mm_acl_sql_nbinds(q->acl) : 0;
	v = mm_arena_alloc(a, (q->nfilters + 9 + (1 + MM_ACL_SQL_PARTS) * nacl) * sizeof(*v));
	if (!v)
		return MM_ENOMEM;
	mm_buf_init(&wb, MM_PG_SQL_CAP);
	mm_buf_init(&w, MM_PG_SQL_CAP);
	mm_buf_init(&rw, MM_PG_SQL_CAP);
	rc = build_where(s, q, a, &wb, v, &nv);
	nbase = nv;
	mm_buf_add(&w, wb.data, wb.len);
	if (!rc && q->acl)
		rc = mm_acl_sql_where(MM_DIALECT_PG, s, q->acl, &w, v, &nv);
	nwhere = nv;
	mm_buf_add(&rw, w.data, w.len);
	if (!rc && q->after)
		rc = mm_keyset_sql_where(MM_DIALECT_PG, s, q, &rw, v, &nv);
	if (!rc && (wb.err || w.err || rw.err))
		rc = MM_ENOMEM;
	if (!rc && q->limit)
		rc = list_rows(pc, s, q, &wb, &w, &rw, v, nv, a, out, &got_total);
	/* Past the end, or no page asked for: the total alone. */
	if (!rc && !got_total && (q->offset > 0 || q->after || !q->limit || !filtered(q)))
		rc = list_total(pc, s, q, &wb, &w, v, count_parts(q) ? nbase : nwhere, &out->total);
	if (!rc && out->total > MM_TOTAL_CAP) {
		out->total = MM_TOTAL_CAP;
		out->capped = true;
	}
	mm_buf_free(&wb);
	mm_buf_free(&w);
	mm_buf_free(&rw);
	return rc;
}
