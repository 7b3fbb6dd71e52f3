/* The PostgreSQL backend's audit queries (auditquery.h) and the search
 * for a period's range of seq. As in sqlite_auditquery.c the WHERE clause
 * is put together from fixed fragments, one per condition that is set,
 * and every value is a parameter. A period becomes a range of seq first,
 * found by binary search over seq (entries are in time order; see
 * sqlite_auditrange.c for the entries made before that was so), which
 * bounds the rows a query reads without an index on time. */
#include "store/pg_int.h"

#include "store/auditquery.h"

#include "core/err.h"

#include <string.h>

enum { SQL_CAP = 4096, MAX_LIMIT = 10000 };

#define AUDIT_COLS "seq, at, account_id, actor, ip, request_id, action, object, result, details"

/* JST local time of an event, for the working-hours condition: minutes
 * after midnight and the weekday (0 Sunday; 1970-01-01 was a Thursday). */
#define JST_AT	"(at + 32400)"
#define JST_MIN "((" JST_AT " % 86400) / 60)"
#define JST_WD	"((" JST_AT " / 86400 + 4) % 7)"

/* Appends " AND cond" (or " WHERE cond" for the first); each '?' in cond
 * becomes the next parameter's number. */
static void cond(struct mm_buf *b, bool *first, const char *sql, struct mm_pg_args *a)
{
	size_t k = a->n;

	mm_buf_adds(b, *first ? " WHERE " : " AND ");
	for (; *sql; sql++) {
		if (*sql == '?')
			mm_buf_printf(b, "$%zu", ++k);
		else
			mm_buf_addc(b, *sql);
	}
	*first = false;
}

struct span {
	bool set;
	int64_t first, last;
};

static void where(struct mm_buf *b, const struct mm_auditq *q, const struct span *sp,
		  struct mm_pg_args *a)
{
	bool first = true;

	if (sp->set) {
		cond(b, &first, "seq >= ? AND seq <= ?", a);
		mm_pg_arg_int(a, sp->first);
		mm_pg_arg_int(a, sp->last);
	}
	if (q->account_id && q->actor) {
		cond(b, &first, "(account_id = ? OR actor = ?)", a);
		mm_pg_arg_int(a, q->account_id);
		mm_pg_arg_text(a, q->actor);
	} else if (q->account_id) {
		cond(b, &first, "account_id = ?", a);
		mm_pg_arg_int(a, q->account_id);
	} else if (q->actor) {
		cond(b, &first, "actor = ?", a);
		mm_pg_arg_text(a, q->actor);
	}
	if (q->action) {
		cond(b, &first, "action = ?", a);
		mm_pg_arg_text(a, q->action);
	}
	if (q->object && q->object_exact) {
		cond(b, &first, "object = ?", a);
		mm_pg_arg_text(a, q->object);
	} else if (q->object && *q->object) {
		cond(b, &first, "starts_with(object, ?)", a);
		mm_pg_arg_text(a, q->object);
	}
	if (q->result) {
		cond(b, &first, "result = ?", a);
		mm_pg_arg_text(a, q->result);
	}
	if (q->from) {
		cond(b, &first, "at >= ?", a);
		mm_pg_arg_int(a, q->from);
	}
	if (q->until) {
		cond(b, &first, "at < ?", a);
		mm_pg_arg_int(a, q->until);
	}
	if (q->off_hours) {
		cond(b, &first, "(" JST_WD " IN (0, 6) OR " JST_MIN " < ? OR " JST_MIN " >= ?)", a);
		mm_pg_arg_int(a, q->start_min);
		mm_pg_arg_int(a, q->end_min);
	}
}

static int range(struct mm_conn *c, int64_t from, int64_t until, int64_t *first, int64_t *last);

static int list(struct mm_conn *c, const struct mm_auditq *q, struct mm_arena *ar,
		struct mm_audit_event **out, size_t *n, bool *more)
{
	struct mm_pg_conn *pc = mm_pg_conn(c);
	size_t limit = q->limit > MAX_LIMIT ? MAX_LIMIT : q->limit;
	struct span sp = { q->from || q->until, 0, 0 };
	struct mm_audit_event *v;
	struct mm_pg_args a;
	PGresult *res = NULL;
	struct mm_buf b;
	int rc, rows;

	*out = NULL;
	*n = 0;
	*more = false;
	if (!limit)
		return MM_EINVAL;
	v = mm_arena_alloc(ar, sizeof(*v) * limit);
	if (!v)
		return MM_ENOMEM;
	if (sp.set && (rc = range(c, q->from, q->until, &sp.first, &sp.last)))
		return rc;
	if (sp.set && sp.first > sp.last) {
		*out = v;
		return MM_OK;
	}
	mm_buf_init(&b, SQL_CAP);
	mm_pg_args_init(&a);
	mm_buf_adds(&b, "SELECT " AUDIT_COLS " FROM audit_events");
	where(&b, q, &sp, &a);
	mm_buf_printf(&b, " ORDER BY seq DESC LIMIT $%zu OFFSET $%zu", a.n + 1, a.n + 2);
	mm_pg_arg_int(&a, (int64_t)limit + 1);
	mm_pg_arg_int(&a, q->offset > (size_t)INT64_MAX ? INT64_MAX : (int64_t)q->offset);
	rc = b.err ? MM_ENOMEM : mm_pg_query(pc, b.data, &a, &res);
	mm_buf_free(&b);
	mm_pg_args_free(&a);
	if (rc)
		return rc;
	rows = PQntuples(res);
	if ((size_t)rows > limit) {
		*more = true;
		rows = (int)limit;
	}
	for (int i = 0; i < rows && !rc; i++)
		rc = mm_pg_read_event(res, i, ar, &v[i]);
	PQclear(res);
	if (!rc) {
		*out = v;
		*n = (size_t)rows;
	} else {
		*more = false;
	}
	return rc;
}

static int refusals(struct mm_conn *c, int64_t from, int64_t until, size_t limit,
		    struct mm_arena *ar, struct mm_audit_group **out, size_t *n)
{
	struct mm_pg_conn *pc = mm_pg_conn(c);
	struct mm_audit_group *v;
	int64_t first = 0, last = 0;
	struct mm_pg_args a;
	PGresult *res = NULL;
	struct mm_buf b;
	int rc, rows;

	*out = NULL;
	*n = 0;
	if (limit > MAX_LIMIT)
		limit = MAX_LIMIT;
	if (!limit)
		return MM_EINVAL;
	v = mm_arena_alloc(ar, sizeof(*v) * limit);
	if (!v)
		return MM_ENOMEM;
	if ((from || until) && (rc = range(c, from, until, &first, &last)))
		return rc;
	if (first > last) {
		*out = v;
		return MM_OK;
	}
	mm_buf_init(&b, SQL_CAP);
	mm_pg_args_init(&a);
	mm_buf_adds(&b, "SELECT account_id, actor, ip, count(*), min(at), max(at) "
			"FROM audit_events WHERE result IN ('refused', 'failed')");
	if (from || until) {
		mm_buf_printf(&b, " AND seq >= $%zu AND seq <= $%zu", a.n + 1, a.n + 2);
		mm_pg_arg_int(&a, first);
		mm_pg_arg_int(&a, last);
	}
	if (from) {
		mm_buf_printf(&b, " AND at >= $%zu", a.n + 1);
		mm_pg_arg_int(&a, from);
	}
	if (until) {
		mm_buf_printf(&b, " AND at < $%zu", a.n + 1);
		mm_pg_arg_int(&a, until);
	}
	mm_buf_printf(&b,
		      " GROUP BY account_id, actor, ip ORDER BY count(*) DESC, max(at) DESC, "
		      "account_id, actor COLLATE \"C\", ip COLLATE \"C\" LIMIT $%zu",
		      a.n + 1);
	mm_pg_arg_int(&a, (int64_t)limit);
	rc = b.err ? MM_ENOMEM : mm_pg_query(pc, b.data, &a, &res);
	mm_buf_free(&b);
	mm_pg_args_free(&a);
	if (rc)
		return rc;
	rows = PQntuples(res);
	for (int i = 0; i < rows && (size_t)i < limit && !rc; i++) {
		struct mm_audit_group *g = &v[i];
		memset(g, 0, sizeof(*g));
		g->account_id = mm_pg_int(res, i, 0);
		rc = mm_pg_dup_text(res, i, 1, ar, &g->actor);
		if (!rc)
			rc = mm_pg_dup_text(res, i, 2, ar, &g->ip);
		g->count = mm_pg_int(res, i, 3);
		g->first = mm_pg_int(res, i, 4);
		g->last = mm_pg_int(res, i, 5);
		if (!rc)
			(*n)++;
	}
	PQclear(res);
	if (rc)
		*n = 0;
	else
		*out = v;
	return rc;
}

/* The period's range of seq: the binary search of sqlite_auditrange.c,
 * whose comment explains the witnesses over entries made before
 * migration 14. */
enum rstmt { R_ORDER, R_ENDS, R_PROBE, R_COUNT };

static const char *const rsql[R_COUNT] = {
	[R_ORDER] = "SELECT legacy_last, legacy_slack FROM audit_order WHERE id = 1",
	[R_ENDS] = "SELECT coalesce((SELECT seq FROM audit_events ORDER BY seq LIMIT 1), 0), "
		   "coalesce((SELECT seq FROM audit_events ORDER BY seq DESC LIMIT 1), -1)",
	[R_PROBE] = "SELECT seq, at FROM audit_events WHERE seq >= $1 AND seq <= $2 "
		    "ORDER BY seq LIMIT 1",
};

struct order {
	int64_t first, last, legacy, slack;
};

/* Runs a statement of at most one row of two integers. */
static int row2(struct mm_pg_conn *pc, enum rstmt which, const struct mm_pg_args *a, bool *row,
		int64_t *x, int64_t *y)
{
	PGresult *res;
	int rc = mm_pg_lazy_run(pc, &pc->arange, R_COUNT, rsql, which, a, &res);

	*row = false;
	if (rc)
		return rc;
	if (PQntuples(res)) {
		*row = true;
		*x = mm_pg_int(res, 0, 0);
		*y = mm_pg_int(res, 0, 1);
	}
	PQclear(res);
	return MM_OK;
}

static int order(struct mm_pg_conn *pc, struct order *o)
{
	bool row;
	int rc;

	o->first = 0;
	o->last = -1;
	o->legacy = o->slack = 0;
	rc = row2(pc, R_ENDS, NULL, &row, &o->first, &o->last);
	if (!rc)
		rc = row2(pc, R_ORDER, NULL, &row, &o->legacy, &o->slack);
	if (o->slack < 0)
		o->slack = 0;
	if (o->legacy > o->last)
		o->legacy = o->last;
	return rc;
}

static int probe(struct mm_pg_conn *pc, int64_t lo, int64_t hi, bool *found, int64_t *seq,
		 int64_t *at)
{
	struct mm_pg_args a;
	int rc;

	mm_pg_args_init(&a);
	mm_pg_arg_int(&a, lo);
	mm_pg_arg_int(&a, hi);
	rc = row2(pc, R_PROBE, &a, found, seq, at);
	mm_pg_args_free(&a);
	return rc;
}

static int bisect(struct mm_pg_conn *pc, int64_t a, int64_t z, int64_t x, int64_t *b)
{
	int64_t lo = a, hi = z + 1, seq, at;
	bool found;
	int rc = MM_OK;

	while (lo < hi && !rc) {
		int64_t mid = lo + (hi - lo) / 2;

		rc = probe(pc, mid, hi - 1, &found, &seq, &at);
		if (!rc && found && at < x)
			lo = seq + 1;
		else if (!rc)
			hi = mid;
	}
	*b = lo;
	return rc;
}

static int64_t plus(int64_t t, int64_t d)
{
	return t > INT64_MAX - d ? INT64_MAX : t + d;
}

static int64_t minus(int64_t t, int64_t d)
{
	return t < INT64_MIN + d ? INT64_MIN : t - d;
}

static int range(struct mm_conn *c, int64_t from, int64_t until, int64_t *first, int64_t *last)
{
	struct mm_pg_conn *pc = mm_pg_conn(c);
	struct order o;
	int64_t b, e, start;
	int rc = order(pc, &o);

	*first = o.first;
	*last = o.last;
	if (!rc && from && o.first <= o.last) {
		b = o.first;
		if (o.legacy >= o.first)
			rc = bisect(pc, o.first, o.legacy, minus(from, o.slack), &b);
		if (!rc && b > o.legacy)
			rc = bisect(pc, b, o.last, from, &b);
		*first = b;
	}
	if (!rc && until && o.first <= o.last) {
		start = o.legacy >= o.first ? o.legacy + 1 : o.first;
		rc = bisect(pc, start, o.last, until, &e);
		if (!rc && e == start && o.legacy >= o.first)
			rc = bisect(pc, o.first, o.legacy, plus(until, o.slack), &e);
		*last = e - 1;
	}
	if (rc || *first > *last) {
		*first = 1;
		*last = 0;
	}
	return rc;
}

const struct mm_auditq_ops mm_pg_auditq = {
	.range = range,
	.list = list,
	.refusals = refusals,
};
