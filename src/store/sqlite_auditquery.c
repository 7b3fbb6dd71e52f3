/* The SQLite backend's audit queries (auditquery.h). The WHERE clause is
 * put together from fixed fragments, one per condition that is set, and
 * every value is bound: nothing a user typed reaches the SQL text. The
 * statements are prepared per call (they differ with the filters) and
 * finalized before returning. A period becomes a range of seq first
 * (sqlite_auditrange.c), which bounds the rows a query reads. */
#include "store/sqlite_int.h"

#include "store/auditquery.h"

#include "core/err.h"

#include <string.h>

enum { SQL_CAP = 4096, MAX_LIMIT = 10000 };

#define AUDIT_COLS "seq, at, account_id, actor, ip, request_id, action, object, result, details"

/* JST local time of an event, for the working-hours condition. */
#define JST_AT "at + 32400"
#define JST_MIN                                                                                    \
	"(CAST(strftime('%H', " JST_AT ", 'unixepoch') AS INTEGER) * 60 + "                        \
	"CAST(strftime('%M', " JST_AT ", 'unixepoch') AS INTEGER))"
#define JST_WD "strftime('%w', " JST_AT ", 'unixepoch')"

/* The values bound to the WHERE clause, in the order of its '?'s. */
struct param {
	bool text;
	int64_t i;
	const char *s;
	int len; /* of s, or -1 up to its NUL */
};

struct params {
	struct param v[16];
	size_t n;
};

static void param_int(struct params *p, int64_t i)
{
	if (p->n < sizeof(p->v) / sizeof(p->v[0]))
		p->v[p->n++] = (struct param){ false, i, NULL, 0 };
}

static void param_text(struct params *p, const char *s, int len)
{
	if (p->n < sizeof(p->v) / sizeof(p->v[0]))
		p->v[p->n++] = (struct param){ true, 0, s, len };
}

/* Appends " AND cond" (or " WHERE cond" for the first). */
static void cond(struct mm_buf *b, bool *first, const char *sql)
{
	mm_buf_adds(b, *first ? " WHERE " : " AND ");
	mm_buf_adds(b, sql);
	*first = false;
}

/* The seqs a period was found to span (sqlite_auditrange.c). */
struct span {
	bool set;
	int64_t first, last;
};

/* The WHERE clause of q. With a period, the range of seq bounds what is
 * read (the rowid's order, newest first) and every other condition is a
 * check on those rows; without, a prefix is a range on object, so the
 * index on (object, seq) serves it: every text that starts with the
 * prefix sorts at or after it and before the prefix followed by the byte
 * 0xFF, which UTF-8 never contains. An exact object keeps its index in
 * both cases ("who viewed this"). */
static void where(struct mm_buf *b, const struct mm_auditq *q, const struct span *sp, char *upper,
		  struct params *p)
{
	bool first = true;

	if (sp->set) {
		cond(b, &first, "seq >= ? AND seq <= ?");
		param_int(p, sp->first);
		param_int(p, sp->last);
	}
	if (q->account_id && q->actor) {
		cond(b, &first, "(account_id = ? OR actor = ?)");
		param_int(p, q->account_id);
		param_text(p, q->actor, -1);
	} else if (q->account_id) {
		cond(b, &first, "account_id = ?");
		param_int(p, q->account_id);
	} else if (q->actor) {
		cond(b, &first, "actor = ?");
		param_text(p, q->actor, -1);
	}
	if (q->action) {
		cond(b, &first, "action = ?");
		param_text(p, q->action, -1);
	}
	if (q->object && q->object_exact) {
		cond(b, &first, "object = ?");
		param_text(p, q->object, -1);
	} else if (q->object && *q->object) {
		size_t n = strlen(q->object);

		cond(b, &first,
		     sp->set ? "+object >= ? AND +object < ?" : "object >= ? AND object < ?");
		param_text(p, q->object, -1);
		memcpy(upper, q->object, n);
		upper[n] = (char)0xFF;
		param_text(p, upper, (int)n + 1);
	}
	if (q->result) {
		cond(b, &first, "result = ?");
		param_text(p, q->result, -1);
	}
	if (q->from) {
		cond(b, &first, "at >= ?");
		param_int(p, q->from);
	}
	if (q->until) {
		cond(b, &first, "at < ?");
		param_int(p, q->until);
	}
	if (q->off_hours) {
		cond(b, &first,
		     "(" JST_WD " IN ('0', '6') OR " JST_MIN " < ? OR " JST_MIN " >= ?)");
		param_int(p, q->start_min);
		param_int(p, q->end_min);
	}
}

static int bind_all(sqlite3_stmt *st, const struct params *p)
{
	int src = SQLITE_OK;

	for (size_t i = 0; i < p->n && src == SQLITE_OK; i++)
		src = p->v[i].text ? sqlite3_bind_text(st, (int)i + 1, p->v[i].s, p->v[i].len,
						       SQLITE_STATIC)
				   : sqlite3_bind_int64(st, (int)i + 1, p->v[i].i);
	return src;
}

static int read_event(sqlite3_stmt *st, struct mm_arena *a, struct mm_audit_event *r)
{
	const char **text[] = { &r->actor,  &r->ip,	&r->request_id, &r->action,
				&r->object, &r->result, &r->details };
	int rc = MM_OK;

	memset(r, 0, sizeof(*r));
	r->seq = sqlite3_column_int64(st, 0);
	r->at = sqlite3_column_int64(st, 1);
	r->account_id = sqlite3_column_int64(st, 2);
	for (size_t i = 0; i < sizeof(text) / sizeof(text[0]) && !rc; i++)
		rc = mm_sq_dup_text(st, 3 + (int)i, a, text[i]);
	return rc;
}

/* Prepares the text of b and binds p; *st is NULL on failure. */
static int prepare(struct mm_sq_conn *sc, struct mm_buf *b, const struct params *p,
		   sqlite3_stmt **st)
{
	int rc = mm_sq_prepare_buf(sc, b, false, st);
	int src;

	if (rc)
		return rc;
	src = bind_all(*st, p);
	if (src != SQLITE_OK) {
		rc = mm_sq_fail(sc, src);
		sqlite3_finalize(*st);
		*st = NULL;
	}
	return rc;
}

static int list(struct mm_conn *c, const struct mm_auditq *q, struct mm_arena *a,
		struct mm_audit_event **out, size_t *n, bool *more)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	size_t limit = q->limit > MAX_LIMIT ? MAX_LIMIT : q->limit;
	char *upper = q->object ? mm_arena_alloc(a, strlen(q->object) + 1) : NULL;
	struct span sp = { q->from || q->until, 0, 0 };
	struct params p = { .n = 0 };
	struct mm_audit_event *v;
	sqlite3_stmt *st = NULL;
	struct mm_buf b;
	int rc, src;

	*out = NULL;
	*n = 0;
	*more = false;
	if (!limit)
		return MM_EINVAL;
	v = mm_arena_alloc(a, sizeof(*v) * limit);
	if (!v || (q->object && !upper))
		return MM_ENOMEM;
	if (sp.set && (rc = mm_sq_auditq_range(c, q->from, q->until, &sp.first, &sp.last)))
		return rc;
	if (sp.first > sp.last) {
		*out = v;
		return MM_OK;
	}
	mm_buf_init(&b, SQL_CAP);
	mm_buf_adds(&b, "SELECT " AUDIT_COLS " FROM audit_events");
	where(&b, q, &sp, upper, &p);
	mm_buf_adds(&b, " ORDER BY seq DESC LIMIT ? OFFSET ?");
	param_int(&p, (int64_t)limit + 1);
	param_int(&p, q->offset > (size_t)INT64_MAX ? INT64_MAX : (int64_t)q->offset);
	rc = prepare(sc, &b, &p, &st);
	mm_buf_free(&b);
	while (!rc && (src = mm_sq_step(sc, st)) == SQLITE_ROW) {
		if (*n == limit) {
			*more = true;
			break;
		}
		rc = read_event(st, a, &v[(*n)++]);
	}
	if (!rc && src != SQLITE_ROW && src != SQLITE_DONE)
		rc = mm_sq_fail(sc, src);
	sqlite3_finalize(st);
	if (rc)
		*n = 0;
	else
		*out = v;
	return rc;
}

static int read_group(sqlite3_stmt *st, struct mm_arena *a, struct mm_audit_group *g)
{
	int rc;

	memset(g, 0, sizeof(*g));
	g->account_id = sqlite3_column_int64(st, 0);
	rc = mm_sq_dup_text(st, 1, a, &g->actor);
	if (!rc)
		rc = mm_sq_dup_text(st, 2, a, &g->ip);
	g->count = sqlite3_column_int64(st, 3);
	g->first = sqlite3_column_int64(st, 4);
	g->last = sqlite3_column_int64(st, 5);
	return rc;
}

static int refusals(struct mm_conn *c, int64_t from, int64_t until, size_t limit,
		    struct mm_arena *a, struct mm_audit_group **out, size_t *n)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	struct params p = { .n = 0 };
	struct mm_audit_group *v;
	sqlite3_stmt *st = NULL;
	int64_t first = 0, last = 0;
	struct mm_buf b;
	int rc, src = SQLITE_DONE;

	*out = NULL;
	*n = 0;
	if (limit > MAX_LIMIT)
		limit = MAX_LIMIT;
	if (!limit)
		return MM_EINVAL;
	v = mm_arena_alloc(a, sizeof(*v) * limit);
	if (!v)
		return MM_ENOMEM;
	if ((from || until) && (rc = mm_sq_auditq_range(c, from, until, &first, &last)))
		return rc;
	if (first > last) {
		*out = v;
		return MM_OK;
	}
	mm_buf_init(&b, SQL_CAP);
	mm_buf_adds(&b, "SELECT account_id, actor, ip, count(*), min(at), max(at) "
			"FROM audit_events WHERE result IN ('refused', 'failed')");
	if (from || until) {
		mm_buf_adds(&b, " AND seq >= ? AND seq <= ?");
		param_int(&p, first);
		param_int(&p, last);
	}
	if (from) {
		mm_buf_adds(&b, " AND at >= ?");
		param_int(&p, from);
	}
	if (until) {
		mm_buf_adds(&b, " AND at < ?");
		param_int(&p, until);
	}
	mm_buf_adds(&b, " GROUP BY account_id, actor, ip ORDER BY count(*) DESC, max(at) DESC "
			"LIMIT ?");
	param_int(&p, (int64_t)limit);
	rc = prepare(sc, &b, &p, &st);
	mm_buf_free(&b);
	while (!rc && *n < limit && (src = mm_sq_step(sc, st)) == SQLITE_ROW)
		rc = read_group(st, a, &v[(*n)++]);
	if (!rc && src != SQLITE_ROW && src != SQLITE_DONE)
		rc = mm_sq_fail(sc, src);
	sqlite3_finalize(st);
	if (rc)
		*n = 0;
	else
		*out = v;
	return rc;
}

const struct mm_auditq_ops mm_sq_auditq = {
	.range = mm_sq_auditq_range,
	.list = list,
	.refusals = refusals,
};
