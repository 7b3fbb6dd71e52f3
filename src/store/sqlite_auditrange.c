/* The SQLite backend's search for a period of the audit log: the range of
 * seq that holds every entry of [from, until), found by binary search over
 * seq with point lookups by rowid, so that the log needs no index on time.
 *
 * Entries appended since migration 14 never go back in time
 * (sqlite_auditlog.c), so over them the search is exact. Entries made
 * before may: audit_order keeps the last of them (legacy_last) and D
 * (legacy_slack), the most any of them is earlier than an entry before
 * it. So for t < s, at(t) <= at(s) + D, also when s came later: its time
 * is at least the last old entry's. An entry s with at(s) < x - D then
 * proves every entry before it earlier than x, and one with at(s) >= x + D
 * every entry after it at or after x; the search over the old entries
 * looks for such witnesses and may return a range up to D wider at each
 * end than the period. The caller checks the times within the range.
 *
 * Rows written into the table by hand with earlier times (not through
 * mm_audit_insert) break this; verify reports such rows as tampering. */
#include "store/sqlite_int.h"

#include "core/err.h"

enum stmt { R_ORDER, R_ENDS, R_PROBE, R_COUNT };

static const char *const sql[R_COUNT] = {
	[R_ORDER] = "SELECT legacy_last, legacy_slack FROM audit_order WHERE id = 1",
	[R_ENDS] = "SELECT coalesce((SELECT seq FROM audit_events ORDER BY seq LIMIT 1), 0), "
		   "coalesce((SELECT seq FROM audit_events ORDER BY seq DESC LIMIT 1), -1)",
	[R_PROBE] = "SELECT seq, at FROM audit_events WHERE seq >= ? AND seq <= ? "
		    "ORDER BY seq LIMIT 1",
};

/* What the search needs to know of the log. */
struct order {
	int64_t first, last; /* the seqs of the first and last entry; 0 and -1 when none */
	int64_t legacy;	     /* the last entry made before migration 14 (< first: none) */
	int64_t slack;	     /* D above, >= 0 */
};

static int stmt(struct mm_sq_conn *sc, enum stmt which, sqlite3_stmt **out)
{
	return mm_sq_lazy(sc, &sc->arange, R_COUNT, sql, which, out);
}

/* Runs a statement that gives at most one row of two integers. */
static int row2(struct mm_sq_conn *sc, sqlite3_stmt *st, bool *row, int64_t *x, int64_t *y)
{
	int src = mm_sq_step(sc, st);

	*row = src == SQLITE_ROW;
	if (*row) {
		*x = sqlite3_column_int64(st, 0);
		*y = sqlite3_column_int64(st, 1);
	}
	mm_sq_done(st);
	return src == SQLITE_ROW || src == SQLITE_DONE ? MM_OK : mm_sq_fail(sc, src);
}

static int order(struct mm_sq_conn *sc, struct order *o)
{
	sqlite3_stmt *st;
	bool row;
	int rc;

	o->first = 0;
	o->last = -1;
	o->legacy = o->slack = 0;
	rc = stmt(sc, R_ENDS, &st);
	if (!rc)
		rc = row2(sc, st, &row, &o->first, &o->last);
	if (!rc)
		rc = stmt(sc, R_ORDER, &st);
	if (!rc)
		rc = row2(sc, st, &row, &o->legacy, &o->slack);
	if (o->slack < 0)
		o->slack = 0;
	if (o->legacy > o->last)
		o->legacy = o->last;
	return rc;
}

/* The first entry with seq in [lo, hi]: *found tells whether there is one. */
static int probe(struct mm_sq_conn *sc, int64_t lo, int64_t hi, bool *found, int64_t *seq,
		 int64_t *at)
{
	sqlite3_stmt *st;
	int rc = stmt(sc, R_PROBE, &st);

	if (rc)
		return rc;
	if (sqlite3_bind_int64(st, 1, lo) || sqlite3_bind_int64(st, 2, hi)) {
		mm_sq_done(st);
		return MM_EDB;
	}
	return row2(sc, st, found, seq, at);
}

/* Binary search over the seqs in [a, z] for the first entry whose time is
 * at or after x: *b in [a, z + 1] is such that the last entry before *b
 * (if any in [a, z]) is earlier than x and the first entry from *b on (if
 * any) is not. Missing seqs are skipped. Over entries in time order that
 * is the boundary of x; over others, see the witnesses above. */
static int bisect(struct mm_sq_conn *sc, int64_t a, int64_t z, int64_t x, int64_t *b)
{
	int64_t lo = a, hi = z + 1, seq, at;
	bool found;
	int rc = MM_OK;

	while (lo < hi && !rc) {
		int64_t mid = lo + (hi - lo) / 2;

		rc = probe(sc, mid, hi - 1, &found, &seq, &at);
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

/* The first seq that may hold an entry at or after from. */
static int lower(struct mm_sq_conn *sc, const struct order *o, int64_t from, int64_t *first)
{
	int64_t b = o->first;
	int rc = MM_OK;

	if (o->legacy >= o->first)
		rc = bisect(sc, o->first, o->legacy, minus(from, o->slack), &b);
	if (!rc && b > o->legacy)
		rc = bisect(sc, b, o->last, from, &b);
	*first = b;
	return rc;
}

/* The last seq that may hold an entry before until. */
static int upper(struct mm_sq_conn *sc, const struct order *o, int64_t until, int64_t *last)
{
	int64_t start = o->legacy >= o->first ? o->legacy + 1 : o->first, e;
	int rc = bisect(sc, start, o->last, until, &e);

	if (!rc && e == start && o->legacy >= o->first)
		rc = bisect(sc, o->first, o->legacy, plus(until, o->slack), &e);
	*last = e - 1;
	return rc;
}

int mm_sq_auditq_range(struct mm_conn *c, int64_t from, int64_t until, int64_t *first,
		       int64_t *last)
{
	struct mm_sq_conn *sc = mm_sq_conn(c);
	struct order o;
	int rc = order(sc, &o);

	*first = o.first;
	*last = o.last;
	if (!rc && from && o.first <= o.last)
		rc = lower(sc, &o, from, first);
	if (!rc && until && o.first <= o.last)
		rc = upper(sc, &o, until, last);
	if (rc || *first > *last) {
		*first = 1;
		*last = 0;
	}
	return rc;
}
