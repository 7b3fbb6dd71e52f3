/* The SQLite backend's lists: the WHERE clause of a query (filters, status,
 * free text, the reader's access filter from sqlite_grants.c), its order,
 * the total and one page of records. */
#include "store/sqlite_int.h"

#include "core/analyzer.h"

#include "core/err.h"
#include "core/slice.h"

#include <stdlib.h>
#include <string.h>

/* The list statement cache: the statements of the last few distinct list
 * queries of a connection, found by their SQL text. Values are bound, so
 * one entry serves every value of the same filters, order and status. The
 * least recently used entry makes way for a new one. */
enum { LIST_CACHE = 24 };

struct list_stmt {
	char *sql;
	size_t len;
	sqlite3_stmt *st;
	uint64_t used; /* when last used; 0: empty */
};

struct mm_sq_lists {
	struct list_stmt e[LIST_CACHE];
	uint64_t clock;
};

void mm_sq_lists_free(struct mm_sq_conn *sc)
{
	struct mm_sq_lists *l = sc->lists;

	if (!l)
		return;
	for (size_t i = 0; i < LIST_CACHE; i++) {
		sqlite3_finalize(l->e[i].st);
		free(l->e[i].sql);
	}
	free(l);
	sc->lists = NULL;
}

/* Returns the statement for the SQL text in b, from the cache or newly
 * prepared into it. The cache keeps it; give it back with mm_sq_done. */
static int list_stmt(struct mm_sq_conn *sc, const struct mm_buf *b, sqlite3_stmt **out)
{
	struct mm_sq_lists *l = sc->lists;
	struct list_stmt *e, *old;
	sqlite3_stmt *st;
	char *sql;
	int rc;

	*out = NULL;
	if (b->err) {
		mm_sq_note(sc, "generated SQL too long");
		return MM_ENOMEM;
	}
	if (!l) {
		l = sc->lists = calloc(1, sizeof(*l));
		if (!l)
			return MM_ENOMEM;
	}
	old = &l->e[0];
	for (size_t i = 0; i < LIST_CACHE; i++) {
		e = &l->e[i];
		if (e->used && e->len == b->len && memcmp(e->sql, b->data, b->len) == 0) {
			e->used = ++l->clock;
			*out = e->st;
			return MM_OK;
		}
		if (e->used < old->used)
			old = e;
	}
	rc = mm_sq_prepare(sc, b->data, true, &st);
	if (rc)
		return rc;
	sql = malloc(b->len + 1);
	if (!sql) {
		sqlite3_finalize(st);
		return MM_ENOMEM;
	}
	memcpy(sql, b->data, b->len + 1);
	sqlite3_finalize(old->st);
	free(old->sql);
	*old = (struct list_stmt){ sql, b->len, st, ++l->clock };
	*out = st;
	return MM_OK;
}

static int bind_all(sqlite3_stmt *st, const struct mm_sql_bind *v, size_t n)
{
	int src = SQLITE_OK;

	for (size_t i = 0; i < n && src == SQLITE_OK; i++) {
		int idx = (int)i + 1;
		switch (v[i].kind) {
		case MM_SQL_B_NULL:
			src = sqlite3_bind_null(st, idx);
			break;
		case MM_SQL_B_INT:
			src = sqlite3_bind_int64(st, idx, v[i].i);
			break;
		case MM_SQL_B_TEXT:
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
		       struct mm_buf *w, struct mm_sql_bind *v, size_t *nv)
{
	int rc = mm_filters_sql_where(MM_DIALECT_SQLITE, s, q, w, v, nv);

	if (rc)
		return rc;
	if (q->q && q->q[0]) {
		size_t nsearch = mm_sq_count_search(s);

		if (nsearch == 0) {
			mm_buf_adds(w, " AND 0");
		} else if (mm_utf8_count(q->q, strlen(q->q)) >= 3) {
			char *phrase = fts_phrase(a, q->q);
			if (!phrase)
				return MM_ENOMEM;
			mm_buf_adds(w, " AND id IN (SELECT rowid FROM ");
			mm_sq_add_ident(w, s->name, "_fts");
			mm_buf_adds(w, " WHERE ");
			mm_sq_add_ident(w, s->name, "_fts");
			mm_buf_adds(w, " MATCH ?)");
			v[(*nv)++] = (struct mm_sql_bind){ MM_SQL_B_TEXT, 0, phrase };
		} else {
			char *pat = like_escape(a, q->q);
			const char *sep = " AND (";
			if (!pat)
				return MM_ENOMEM;
			for (size_t i = 0; i < s->nfields; i++) {
				if (!(s->fields[i].flags & MM_F_SEARCH))
					continue;
				mm_buf_adds(w, sep);
				mm_sq_add_ident(w, s->fields[i].name, NULL);
				mm_buf_adds(w, " LIKE '%' || ? || '%' ESCAPE '\\'");
				v[(*nv)++] = (struct mm_sql_bind){ MM_SQL_B_TEXT, 0, pat };
				sep = " OR ";
			}
			mm_buf_addc(w, ')');
		}
	}
	return MM_OK;
}

static bool sort_ok(const struct mm_schema *s, const struct mm_query *q)
{
	if (q->sort >= 0)
		return (size_t)q->sort < s->nfields;
	return q->sort == MM_SORT_ID || q->sort == MM_SORT_UPDATED;
}

/* Appends the ORDER BY of q. With sort_matches, each term is written +term:
 * the same order, but no index can provide it, so SQLite reads the matching
 * rows through the filter's index and sorts them. */
static void add_order(const struct mm_schema *s, const struct mm_query *q, bool sort_matches,
		      struct mm_buf *b)
{
	const char *dir = q->desc ? " DESC, " : " ASC, ";
	const char *plus = sort_matches ? "+" : "";

	mm_buf_adds(b, " ORDER BY ");
	mm_buf_adds(b, plus);
	if (q->sort >= 0) {
		mm_sq_add_ident(b, s->fields[q->sort].name, NULL);
		mm_buf_adds(b, dir);
		mm_buf_adds(b, plus);
	} else if (q->sort == MM_SORT_UPDATED) {
		mm_buf_adds(b, "updated_at");
		mm_buf_adds(b, dir);
		mm_buf_adds(b, plus);
	}
	mm_buf_adds(b, "id");
	mm_buf_adds(b, q->desc ? " DESC" : " ASC");
}

/* Runs the statement in b, one number, with the values v and then *last
 * when last is not NULL bound to it. */
static int scalar(struct mm_sq_conn *sc, struct mm_buf *b, const struct mm_sql_bind *v, size_t nv,
		  const int64_t *last, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	int rc, src;

	/* The statement and its SQL text go to the connection's cache (freed
	 * with it); gcc 12's -fanalyzer loses them there and reports a leak. */
	MM_ANALYZER_LEAK_OFF
	rc = list_stmt(sc, b, &st);
	MM_ANALYZER_LEAK_ON
	if (rc)
		goto out;
	if (bind_all(st, v, nv) != SQLITE_OK ||
	    (last && sqlite3_bind_int64(st, (int)nv + 1, *last) != SQLITE_OK)) {
		rc = mm_sq_fail(sc, sqlite3_extended_errcode(sc->db));
		goto out;
	}
	src = mm_sq_step(sc, st);
	if (src == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else
		rc = mm_sq_fail(sc, src);
out:
	mm_sq_done(st);
	return rc;
}

/* Counts the rows of the WHERE clause in w, but no more than cap + 1. */
static int list_count(struct mm_sq_conn *sc, const struct mm_schema *s, struct mm_buf *w,
		      const struct mm_sql_bind *v, size_t nv, int64_t cap, int64_t *total)
{
	int64_t limit = cap + 1;
	struct mm_buf b;
	int rc;

	mm_buf_init(&b, MM_SQ_SQL_CAP);
	mm_buf_adds(&b, "SELECT count(*) FROM (SELECT 1 FROM ");
	mm_sq_add_ident(&b, s->name, NULL);
	mm_buf_add(&b, w->data, w->len);
	mm_buf_adds(&b, " LIMIT ?)");
	rc = scalar(sc, &b, v, nv, &limit, total);
	mm_buf_free(&b);
	return rc;
}

/* The number of records in part 0 of q's access condition, from
 * level_counts (mm_acl_level_counted). */
static int level_count(struct mm_sq_conn *sc, const struct mm_schema *s, const struct mm_query *q,
		       int64_t *n)
{
	struct mm_sql_bind v[2];
	size_t nv = 0;
	struct mm_buf b;
	int rc;

	mm_buf_init(&b, MM_SQ_SQL_CAP);
	mm_buf_adds(&b, "SELECT ");
	mm_acl_level_count_sql(MM_DIALECT_SQLITE, s, q, &b, v, &nv);
	rc = scalar(sc, &b, v, nv, NULL, n);
	mm_buf_free(&b);
	return rc;
}

/* Whether the query may select fewer records than record_counts holds. An
 * access filter does: its total must count only what the reader sees. */
static bool filtered(const struct mm_query *q)
{
	return q->nfilters > 0 || (q->q && q->q[0]) || q->acl;
}

/* Whether a page of a filtered list is better read by sorting the rows that
 * match than by walking the index of its order. Walking visits about
 * (offset + want) * all / total entries to find offset + want of the total
 * matching rows among all; sorting reads about total rows. Without
 * histograms (sqlite_stat4) the planner takes every value of a filter to be
 * average, and for a filter matching few rows would walk the whole index:
 * 165 ms for kind=document (80 of 97 298 assets) sorted by name. */
static bool sort_matches(const struct mm_query *q, const struct mm_page *page, int64_t all,
			 size_t want)
{
	double walk, sort = (double)page->total;
	int64_t total = page->total;

	/* Past the count cap the matching rows are at least a hundredth of a
	 * million-record register: walking finds a page among them sooner
	 * than sorting them all would (deep pages take the cursor). */
	if (!filtered(q) || all <= 0 || total <= 0 || page->capped)
		return false;
	walk = ((double)q->offset + (double)want) * (double)all / (double)total;
	return sort < walk;
}

/* Whether an index gives the list's order among the records of its one
 * filter, an equality: (retired, field, id) for the order of ids,
 * (retired, field, sort key, id) that mm_store_index made for another (one
 * section newest first). Walking it reads only the page: 0.25 ms where
 * sorting a section's 400 records took 2.7. */
static int order_indexed(struct mm_sq_conn *sc, const struct mm_schema *s, const struct mm_query *q,
			 bool *yes)
{
	const struct mm_filter *fl = q->filters;
	struct mm_buf name;
	size_t f[2];
	int rc;

	*yes = false;
	if (q->nfilters != 1 || fl->op != MM_OP_EQ || !fl->v.set || fl->field < 0 ||
	    (size_t)fl->field >= s->nfields)
		return MM_OK;
	f[0] = (size_t)fl->field;
	f[1] = q->sort >= 0 ? (size_t)q->sort : MM_INDEX_UPDATED;
	mm_buf_init(&name, MM_SQ_SQL_CAP);
	mm_store_index_name(&name, s, f, q->sort == MM_SORT_ID ? 1 : 2);
	rc = name.err ? MM_ENOMEM : mm_sq_index_exists(sc, name.data, yes);
	mm_buf_free(&name);
	return rc;
}

/* The total of a list with an access filter, counted as the sum of the
 * filter's disjoint parts (mm_acl_sql_part), each of which an index serves:
 * tested as one condition it would be evaluated on every row (90 ms for a
 * member of staff on 100 000 assets, 30 ms so). Part 0 of a list without
 * filters, all levels up to one, comes from level_counts. w and v hold the
 * rest of the WHERE clause. */
static int acl_total(struct mm_sq_conn *sc, const struct mm_schema *s, const struct mm_query *q,
		     struct mm_arena *a, struct mm_buf *w, const struct mm_sql_bind *v, size_t nv,
		     int64_t *total)
{
	bool counted = mm_acl_level_counted(s, q);
	int rc = counted ? level_count(sc, s, q, total) : MM_OK;

	if (!counted)
		*total = 0;
	for (int part = counted ? 1 : 0; !rc && part < MM_ACL_SQL_PARTS && *total <= MM_TOTAL_CAP;
	     part++) {
		struct mm_sql_bind *pv =
			mm_arena_alloc(a, (nv + mm_acl_sql_nbinds(q->acl)) * sizeof(*pv));
		size_t pnv = nv;
		bool none = false;
		struct mm_buf pw;
		int64_t n = 0;

		if (!pv)
			return MM_ENOMEM;
		memcpy(pv, v, nv * sizeof(*pv));
		mm_buf_init(&pw, MM_SQ_SQL_CAP);
		mm_buf_add(&pw, w->data, w->len);
		rc = mm_acl_sql_part(MM_DIALECT_SQLITE, s, q->acl, part,
				     q->nfilters || (q->q && q->q[0]), &pw, pv, &pnv, &none);
		if (!rc && pw.err)
			rc = MM_ENOMEM;
		if (!rc && !none)
			rc = list_count(sc, s, &pw, pv, pnv, MM_TOTAL_CAP - *total, &n);
		*total += n; /* past the cap, the rest need not be counted */
		mm_buf_free(&pw);
	}
	return rc;
}

/* Sets *total to the number of records matching the query. Lists without
 * filters, search or access filter take it from record_counts, the others
 * count their rows up to MM_TOTAL_CAP + 1. *all gets the number of records with the status asked
 * for, or -1 when record_counts has no row for the register. w and v are
 * the WHERE clause without the access filter. */
static int list_total(struct mm_sq_conn *sc, const struct mm_schema *s, const struct mm_query *q,
		      struct mm_arena *a, struct mm_buf *w, const struct mm_sql_bind *v, size_t nv,
		      int64_t *total, int64_t *all)
{
	int64_t active = 0, retired = 0;
	int rc;

	*all = -1;
	rc = mm_sq_counts_get(sc, s, &active, &retired);
	if (rc && rc != MM_ENOTFOUND)
		return rc;
	if (!rc) {
		if (q->status == MM_ACTIVE)
			*all = active;
		else if (q->status == MM_RETIRED)
			*all = retired;
		else
			*all = active + retired;
		if (!filtered(q)) {
			*total = *all;
			return MM_OK;
		}
	}
	if (q->acl)
		return acl_total(sc, s, q, a, w, v, nv, total);
	return list_count(sc, s, w, v, nv, MM_TOTAL_CAP, total);
}

static int list_rows(struct mm_sq_conn *sc, const struct mm_schema *s, const struct mm_query *q,
		     struct mm_buf *w, struct mm_sql_bind *v, size_t nv, size_t want, bool sorted,
		     struct mm_arena *a, struct mm_page *out)
{
	sqlite3_stmt *st = NULL;
	struct mm_buf b;
	int rc, src = SQLITE_DONE;

	mm_buf_init(&b, MM_SQ_SQL_CAP);
	mm_buf_adds(&b, "SELECT ");
	mm_sq_add_columns(&b, s);
	mm_buf_adds(&b, " FROM ");
	mm_sq_add_ident(&b, s->name, NULL);
	mm_buf_add(&b, w->data, w->len);
	add_order(s, q, sorted, &b);
	mm_buf_adds(&b, " LIMIT ? OFFSET ?");
	v[nv++] = (struct mm_sql_bind){ MM_SQL_B_INT, (int64_t)want, NULL };
	v[nv++] = (struct mm_sql_bind){ MM_SQL_B_INT, (int64_t)q->offset, NULL };
	rc = MM_ENOMEM;
	out->recs = mm_arena_zalloc(a, want * sizeof(*out->recs));
	if (!out->recs)
		goto out;
	/* The statement and its SQL text go to the connection's cache (freed
	 * with it); gcc 12's -fanalyzer loses them there and reports a leak. */
	MM_ANALYZER_LEAK_OFF
	rc = list_stmt(sc, &b, &st);
	MM_ANALYZER_LEAK_ON
	if (rc)
		goto out;
	if (bind_all(st, v, nv) != SQLITE_OK) {
		rc = mm_sq_fail(sc, sqlite3_extended_errcode(sc->db));
		goto out;
	}
	while (out->n < want && (src = mm_sq_step(sc, st)) == SQLITE_ROW) {
		rc = mm_sq_read_record(st, s, a, &out->recs[out->n]);
		if (rc)
			goto out;
		out->n++;
	}
	if (out->n < want && src != SQLITE_DONE)
		rc = mm_sq_fail(sc, src);
out:
	mm_sq_done(st);
	mm_buf_free(&b);
	return rc;
}

int mm_sq_rec_list(struct mm_conn *c, const struct mm_schema *s, const struct mm_query *q,
		   struct mm_arena *a, struct mm_page *out)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	size_t nv = 0, rnv, want = 0, nbind;
	struct mm_sql_bind *v, *rv;
	struct mm_sq_cached *e;
	struct mm_buf w, rw;
	bool indexed = false;
	int64_t all;
	int rc;

	out->recs = NULL;
	out->n = 0;
	out->total = 0;
	out->more = out->capped = false;
	if (q->offset > INT64_MAX || !sort_ok(s, q) || (q->after && q->offset))
		return MM_EINVAL;
	rc = mm_sq_cached_for(sc, s, &e); /* checks the schema's names */
	if (rc)
		return rc;
	mm_buf_init(&w, MM_SQ_SQL_CAP);
	mm_buf_init(&rw, MM_SQ_SQL_CAP);
	rc = MM_ENOMEM;
	nbind = q->nfilters + s->nfields + 6;
	v = mm_arena_alloc(a, nbind * sizeof(*v));
	rv = mm_arena_alloc(a, (nbind + (q->acl ? mm_acl_sql_nbinds(q->acl) : 0)) * sizeof(*rv));
	if (!v || !rv)
		goto out;
	rc = build_where(s, q, a, &w, v, &nv);
	if (rc)
		goto out;
	/* The rows take the access filter as one condition. */
	mm_buf_add(&rw, w.data, w.len);
	memcpy(rv, v, nv * sizeof(*v));
	rnv = nv;
	if (q->acl)
		rc = mm_acl_sql_where(MM_DIALECT_SQLITE, s, q->acl, &rw, rv, &rnv);
	if (!rc && q->after)
		rc = mm_keyset_sql_where(MM_DIALECT_SQLITE, s, q, &rw, rv, &rnv);
	if (!rc && (w.err || rw.err))
		rc = MM_ENOMEM;
	if (rc)
		goto out;
	/* Count and rows come from one snapshot. */
	rc = mm_sq_op_begin(sc, false);
	if (rc)
		goto out;
	rc = list_total(sc, s, q, a, &w, v, nv, &out->total, &all);
	if (out->total > MM_TOTAL_CAP) {
		out->total = MM_TOTAL_CAP;
		out->capped = true;
	}
	if (!rc && (q->after || out->capped) && out->total > 0) {
		/* Where the page falls among the records is not known: one
		 * more row tells whether another page follows. */
		want = q->limit + 1;
	} else if (!rc && (uint64_t)out->total > q->offset) {
		want = (size_t)((uint64_t)out->total - q->offset);
		if (want > q->limit)
			want = q->limit;
	}
	if (!rc && want && sort_matches(q, out, all, want))
		rc = order_indexed(sc, s, q, &indexed);
	if (!rc && want)
		rc = list_rows(sc, s, q, &rw, rv, rnv, want,
			       !indexed && sort_matches(q, out, all, want), a, out);
	if (!rc && out->n > q->limit) {
		out->n = q->limit;
		out->more = true;
	} else if (!rc && !q->after && !out->capped) {
		out->more = q->offset + out->n < (uint64_t)out->total;
	}
	rc = mm_sq_op_end(sc, rc);
out:
	mm_buf_free(&w);
	mm_buf_free(&rw);
	return rc;
}
