/* Tests of the audit viewer's queries without indexes on time, person or
 * action: entry times kept in order at append (with the clock's own time
 * kept in the details), a period found as a range of seq by binary search
 * (equal times, gaps, and entries made before migration 14 that go back in
 * time), and filters by person, action and result checked within the
 * period, each against a brute-force reading of the whole table. */
#include "core/arena.h"
#include "core/err.h"
#include "store/auditlog.h"
#include "store/auditquery.h"
#include "store/store.h"
#include "store_fixture.h"

#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

enum { MAXN = 600, T0 = 1700000000 };

/* One row of the table as the truth: seq, time, account, action, result. */
struct row {
	int64_t seq, at, account;
	char action[16], result[16], actor[16];
};

static void sql(struct mm_test_store *f, const char *q)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_exec(db, q, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static int64_t sql_int(struct mm_test_store *f, const char *q)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* Every row of the table, in seq order. */
static size_t truth(struct mm_test_store *f, struct row *v)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	size_t n = 0;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT seq, at, account_id, action, result, actor "
					    "FROM audit_events ORDER BY seq",
					    -1, &st, NULL),
			 SQLITE_OK);
	while (n < MAXN && sqlite3_step(st) == SQLITE_ROW) {
		v[n].seq = sqlite3_column_int64(st, 0);
		v[n].at = sqlite3_column_int64(st, 1);
		v[n].account = sqlite3_column_int64(st, 2);
		snprintf(v[n].action, sizeof(v[n].action), "%s", sqlite3_column_text(st, 3));
		snprintf(v[n].result, sizeof(v[n].result), "%s", sqlite3_column_text(st, 4));
		snprintf(v[n].actor, sizeof(v[n].actor), "%s", sqlite3_column_text(st, 5));
		n++;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static const char *const actions[] = { "signin", "record_read", "export" };
static const char *const results[] = { "ok", "refused", "failed" };
static const char *const actors[] = { "tanaka", "suzuki", "sato", "ito" };

/* Appends one entry through mm_audit_insert; i chooses who, what, result. */
static void append(struct mm_test_store *f, int64_t at, int i)
{
	struct mm_audit_event e = { .at = at,
				    .account_id = 1 + i % 4,
				    .actor = actors[i % 4],
				    .ip = "192.0.2.1",
				    .action = actions[i % 3],
				    .object = "assets/1",
				    .result = results[(i / 2) % 3],
				    .details = "{}" };

	assert_int_equal(mm_audit_insert(f->c, &e), MM_OK);
}

/* The same by hand, as before migration 14 (times as given). */
static void plant(struct mm_test_store *f, int64_t at, int i)
{
	char q[256];

	snprintf(q, sizeof(q),
		 "INSERT INTO audit_events(at, account_id, actor, action, object, result) "
		 "VALUES(%lld, %d, '%s', '%s', 'assets/1', '%s')",
		 (long long)at, 1 + i % 4, actors[i % 4], actions[i % 3], results[(i / 2) % 3]);
	sql(f, q);
}

static bool matches(const struct row *r, const struct mm_auditq *q)
{
	if (q->from && r->at < q->from)
		return false;
	if (q->until && r->at >= q->until)
		return false;
	if (q->account_id && r->account != q->account_id &&
	    !(q->actor && strcmp(q->actor, r->actor) == 0))
		return false;
	if (!q->account_id && q->actor && strcmp(q->actor, r->actor))
		return false;
	if (q->action && strcmp(q->action, r->action))
		return false;
	return !q->result || strcmp(q->result, r->result) == 0;
}

/* mm_auditq_list gives exactly the matching rows, newest first, and the
 * range of the period holds every row of the period. */
static void check_query(struct mm_test_store *f, const struct row *v, size_t nv,
			struct mm_auditq *q)
{
	struct mm_audit_event *got;
	int64_t first, last;
	size_t n, k = 0;
	bool more;

	q->limit = MAXN;
	assert_int_equal(mm_auditq_list(f->c, q, &f->a, &got, &n, &more), MM_OK);
	assert_false(more);
	for (size_t i = nv; i-- > 0;) {
		if (!matches(&v[i], q))
			continue;
		assert_true(k < n);
		assert_int_equal(got[k].seq, v[i].seq);
		k++;
	}
	assert_int_equal(k, n);
	assert_int_equal(mm_auditq_range(f->c, q->from, q->until, &first, &last), MM_OK);
	for (size_t i = 0; i < nv; i++)
		if ((!q->from || v[i].at >= q->from) && (!q->until || v[i].at < q->until))
			assert_true(v[i].seq >= first && v[i].seq <= last);
	mm_arena_free(&f->a);
	mm_arena_init(&f->a, 0);
}

/* Every period with ends in [lo, hi) in steps of step seconds. */
static void check_periods(struct mm_test_store *f, int64_t lo, int64_t hi, int64_t step)
{
	static struct row v[MAXN];
	size_t nv = truth(f, v);

	for (int64_t from = lo; from < hi; from += step) {
		for (int64_t until = from + 1; until <= hi; until += step) {
			struct mm_auditq q = { .from = from, .until = until };
			check_query(f, v, nv, &q);
		}
		struct mm_auditq open_end = { .from = from };
		check_query(f, v, nv, &open_end);
		struct mm_auditq open_start = { .until = from };
		check_query(f, v, nv, &open_start);
	}
}

/* Re-runs migration 14 over what the table holds now, as an upgrade of a
 * database made before it would. */
static void upgrade(struct mm_test_store *f)
{
	sql(f, "DROP TABLE audit_order; DELETE FROM schema_migrations WHERE version = 14");
	assert_int_equal(mm_store_migrate(f->st, NULL, 0), MM_OK);
}

static void test_times_follow_the_head(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_audit_event e = { .at = T0, .action = "signin", .result = "ok" };
	struct mm_audit_event *v;
	struct mm_auditq q = { .limit = 10 };
	size_t n;
	bool more;

	assert_int_equal(mm_audit_insert(f->c, &e), MM_OK);
	e.at = T0 - 100;
	e.details = "{\"n\":1}";
	assert_int_equal(mm_audit_insert(f->c, &e), MM_OK);
	assert_int_equal(e.at, T0);
	e.at = T0 - 5;
	e.details = "{ }";
	assert_int_equal(mm_audit_insert(f->c, &e), MM_OK);
	e.at = T0 + 7;
	e.details = NULL;
	assert_int_equal(mm_audit_insert(f->c, &e), MM_OK);
	assert_int_equal(e.at, T0 + 7);
	assert_int_equal(mm_auditq_list(f->c, &q, &f->a, &v, &n, &more), MM_OK);
	assert_int_equal(n, 4);
	assert_int_equal(v[0].at, T0 + 7);
	assert_string_equal(v[0].details, "{}");
	assert_int_equal(v[1].at, T0);
	assert_string_equal(v[1].details, "{\"at_clock\":1699999995}");
	assert_int_equal(v[2].at, T0);
	assert_string_equal(v[2].details, "{\"at_clock\":1699999900,\"n\":1}");
	assert_string_equal(v[3].details, "{}");
}

static int rechain(void *arg, const struct mm_audit_event *e, const uint8_t chain[MM_HASH_LEN])
{
	uint8_t *prev = arg, leaf[MM_HASH_LEN];
	struct mm_buf b;

	mm_buf_init(&b, MM_ALOG_CANON_CAP);
	assert_int_equal(mm_alog_leaf(e, &b, leaf), MM_OK);
	mm_buf_free(&b);
	mm_alog_chain(prev, leaf, prev);
	assert_memory_equal(prev, chain, MM_HASH_LEN);
	return 0;
}

/* The stored chain covers the time and details as recorded. */
static void test_moved_times_chain(void **state)
{
	struct mm_test_store *f = *state;
	uint8_t prev[MM_HASH_LEN] = { 0 };

	for (int i = 0; i < 40; i++)
		append(f, T0 + (i % 5 == 4 ? -50 : i), i);
	assert_int_equal(mm_alog_scan(f->c, 1, 0, rechain, prev), MM_OK);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit_events a JOIN audit_events b "
				    "ON b.seq = a.seq + 1 WHERE b.at < a.at"),
			 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit_events "
				    "WHERE details LIKE '{\"at_clock\":%'"),
			 8);
}

/* Times in order with many equal ones, and a start removed (archive). */
static void test_range_equal_times(void **state)
{
	struct mm_test_store *f = *state;
	int64_t first, last;

	assert_int_equal(mm_auditq_range(f->c, T0, T0 + 10, &first, &last), MM_OK);
	assert_true(first > last);
	for (int i = 0; i < 150; i++)
		append(f, T0 + i / 7, i);
	assert_int_equal(mm_auditq_range(f->c, T0 + 3, T0 + 5, &first, &last), MM_OK);
	assert_int_equal(first, 22);
	assert_int_equal(last, 35);
	check_periods(f, T0 - 2, T0 + 25, 1);
	sql(f, "DELETE FROM audit_events WHERE seq <= 30 OR seq IN (60, 61, 62, 90)");
	check_periods(f, T0 - 2, T0 + 25, 1);
}

/* Entries made before migration 14 go back in time by up to 40 s; those
 * after are in order. Every period still finds exactly its entries. */
static void test_range_legacy_times(void **state)
{
	struct mm_test_store *f = *state;
	uint32_t x = 12345;
	int64_t at = T0;

	for (int i = 0; i < 120; i++) {
		x = x * 1103515245u + 12345u;
		at += (int64_t)(x >> 16) % 9 - 3; /* -3..5: equal and earlier too */
		if (i % 37 == 36)
			at -= 40; /* a clock set back */
		plant(f, at, i);
	}
	upgrade(f);
	assert_int_equal(sql_int(f, "SELECT legacy_last FROM audit_order"), 120);
	assert_true(sql_int(f, "SELECT legacy_slack FROM audit_order") >= 40);
	check_periods(f, T0 - 60, at + 10, 3);
	for (int i = 0; i < 80; i++)
		append(f, at - 30 + i, i);
	check_periods(f, T0 - 60, at + 60, 4);
}

/* A log made before migration 14 whose times never went back: no slack,
 * and the search is exact. */
static void test_range_legacy_in_order(void **state)
{
	struct mm_test_store *f = *state;
	int64_t first, last;

	for (int i = 0; i < 50; i++)
		plant(f, T0 + i / 3, i);
	upgrade(f);
	assert_int_equal(sql_int(f, "SELECT legacy_slack FROM audit_order"), 0);
	assert_int_equal(mm_auditq_range(f->c, T0 + 2, T0 + 3, &first, &last), MM_OK);
	assert_int_equal(first, 7);
	assert_int_equal(last, 9);
	check_periods(f, T0 - 1, T0 + 18, 1);
}

/* Person, action and result within a period: exactly the right entries,
 * newest first; and the refusal report counts the same. */
static void test_filters_in_period(void **state)
{
	static struct row v[MAXN];
	struct mm_test_store *f = *state;
	struct mm_audit_group *g;
	int64_t refused = 0, total = 0;
	size_t nv, n;

	for (int i = 0; i < 60; i++)
		plant(f, T0 + i * 60 - (i % 6 == 5 ? 200 : 0), i);
	upgrade(f);
	for (int i = 60; i < 300; i++)
		append(f, T0 + i * 60, i);
	nv = truth(f, v);
	for (int64_t from = T0; from < T0 + 300 * 60; from += 2501) {
		for (int k = 0; k < 4; k++) {
			struct mm_auditq q = { .from = from, .until = from + 7200 };

			if (k == 0)
				q.account_id = 2;
			if (k == 1)
				q.actor = "sato";
			if (k == 1 || k == 3)
				q.action = "record_read";
			if (k >= 2)
				q.result = "refused";
			check_query(f, v, nv, &q);
		}
	}
	assert_int_equal(mm_auditq_refusals(f->c, T0 + 600, T0 + 9000, 100, &f->a, &g, &n), MM_OK);
	for (size_t i = 0; i < n; i++)
		total += g[i].count;
	for (size_t i = 0; i < nv; i++)
		refused += v[i].at >= T0 + 600 && v[i].at < T0 + 9000 &&
			   (!strcmp(v[i].result, "refused") || !strcmp(v[i].result, "failed"));
	assert_true(refused > 0);
	assert_int_equal(total, refused);
}

/* The latest checkpoint is the largest, whatever the order they were added
 * in; none at first. */
static void test_latest_checkpoint(void **state)
{
	struct mm_test_store *f = *state;
	static const uint8_t root[MM_HASH_LEN] = { 1 };
	struct mm_alog_ckpt ck = { 0 }, got;
	const int64_t sizes[] = { 10, 30, 20 };

	assert_int_equal(mm_alog_ckpt_latest(f->c, &f->a, &got), MM_ENOTFOUND);
	for (size_t i = 0; i < 3; i++) {
		ck.size = sizes[i];
		memcpy(ck.root, root, sizeof(root));
		ck.at = T0 + sizes[i];
		ck.clock = "clock synced";
		ck.note = "note";
		ck.frontier = root;
		ck.frontier_len = sizeof(root);
		assert_int_equal(mm_alog_ckpt_add(f->c, &ck), MM_OK);
	}
	assert_int_equal(mm_alog_ckpt_latest(f->c, &f->a, &got), MM_OK);
	assert_int_equal(got.size, 30);
	assert_int_equal(got.at, T0 + 30);
	assert_string_equal(got.clock, "clock synced");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_times_follow_the_head, mm_test_store_setup,
						mm_test_store_teardown),
		cmocka_unit_test_setup_teardown(test_moved_times_chain, mm_test_store_setup,
						mm_test_store_teardown),
		cmocka_unit_test_setup_teardown(test_range_equal_times, mm_test_store_setup,
						mm_test_store_teardown),
		cmocka_unit_test_setup_teardown(test_range_legacy_times, mm_test_store_setup,
						mm_test_store_teardown),
		cmocka_unit_test_setup_teardown(test_range_legacy_in_order, mm_test_store_setup,
						mm_test_store_teardown),
		cmocka_unit_test_setup_teardown(test_filters_in_period, mm_test_store_setup,
						mm_test_store_teardown),
		cmocka_unit_test_setup_teardown(test_latest_checkpoint, mm_test_store_setup,
						mm_test_store_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
