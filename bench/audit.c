/* The audit log's benchmark: what an append adds to its transaction, how
 * fast 'mamori audit verify' checks a large log, and what the viewer's
 * queries cost over it for one month. Prints figures; asserts nothing.
 * Usage: mamori-bench-audit [ENTRIES [verify]] (default 1000000; "verify"
 * skips the append figures). */
#include "core/arena.h"
#include "core/err.h"
#include "domain/auditlog.h"
#include "domain/checkpoint.h"
#include "store/auditlog.h"
#include "store/auditquery.h"
#include "store/sqlite_int.h"
#include "store/store.h"

#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { ROUNDS = 41, PER_ROUND = 100, ALONE = 50000, VERIFY_RUNS = 5, QUERY_RUNS = 7 };

/* Generated entries are 31 s apart: 1 000 000 of them span a year, and a
 * month holds about 86 000. */
enum { SPACING = 31, MONTH = 31 * 86400 };

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The process's CPU time, all threads. */
static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct mm_audit_event event(int64_t i)
{
	struct mm_audit_event e = {
		.at = 1700000000 + i * SPACING,
		.account_id = 12,
		.person_id = 340,
		.actor = "tanaka.hanako",
		.ip = "192.0.2.15",
		.request_id = "5f2c9a1e0b7d4c3a",
		.action = "record_read",
		.object = "assets/12345",
		.result = "ok",
		.details = "{\"classification\":3,\"register\":\"assets\"}",
	};
	return e;
}

static void die(const char *what, int rc)
{
	fprintf(stderr, "bench: %s: %s\n", what, mm_strerror(rc));
	exit(1);
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

/* Sorts v and returns its median. */
static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One round of transactions, each with a small write and optionally an
 * audit entry. Returns microseconds per transaction. */
static double round_of(struct mm_conn *c, bool audit, int64_t *seq)
{
	double t0 = now_s();
	char v[24];

	for (int i = 0; i < PER_ROUND; i++) {
		struct mm_audit_event e = event((*seq)++);
		int rc = mm_tx_begin(c, true);

		snprintf(v, sizeof(v), "%d", i);
		if (!rc)
			rc = mm_meta_set(c, "bench", v);
		if (!rc && audit)
			rc = mm_audit_insert(c, &e);
		if (!rc)
			rc = mm_tx_commit(c);
		if (rc)
			die("transaction", rc);
	}
	return (now_s() - t0) / PER_ROUND * 1e6;
}

/* Sets the connection's synchronous mode. The store always opens with
 * FULL; the bench reaches into the SQLite backend to measure without the
 * sync as well. */
static void set_sync(struct mm_conn *c, const char *mode)
{
	char q[64];

	snprintf(q, sizeof(q), "PRAGMA synchronous = %s", mode);
	if (sqlite3_exec(mm_sq_conn(c)->db, q, NULL, NULL, NULL) != SQLITE_OK)
		die("synchronous", MM_EDB);
}

/* ROUNDS pairs of rounds, with and without an entry, the order of each
 * pair alternating; the figures are medians over the pairs, the range the
 * smallest and largest difference of a pair. */
static void bench_commit(struct mm_conn *c, const char *sync, int64_t *seq)
{
	double base[ROUNDS], with[ROUNDS], diff[ROUNDS], lo, hi;

	set_sync(c, sync);
	(void)round_of(c, true, seq); /* warm up */
	for (int r = 0; r < ROUNDS; r++) {
		if (r % 2) {
			with[r] = round_of(c, true, seq);
			base[r] = round_of(c, false, seq);
		} else {
			base[r] = round_of(c, false, seq);
			with[r] = round_of(c, true, seq);
		}
		diff[r] = with[r] - base[r];
	}
	printf("append, per committed transaction (synchronous=%s, %d pairs of %d):\n", sync,
	       ROUNDS, PER_ROUND);
	printf("  baseline transaction   %8.2f us (median)\n", median(base, ROUNDS));
	printf("  with an audit entry    %8.2f us (median)\n", median(with, ROUNDS));
	qsort(diff, ROUNDS, sizeof(diff[0]), cmp_double);
	lo = diff[ROUNDS / 10];
	hi = diff[ROUNDS - 1 - ROUNDS / 10];
	printf("  added by the entry     %8.2f us (median of pairs; p10..p90 %.2f..%.2f)   "
	       "(target <= 20 us)\n",
	       median(diff, ROUNDS), lo, hi);
}

static void bench_append(struct mm_conn *c)
{
	int64_t seq = 0;
	double t0;
	int rc;

	bench_commit(c, "FULL", &seq);
	bench_commit(c, "OFF", &seq);
	set_sync(c, "FULL");
	/* Without commit costs: many appends in one transaction. */
	t0 = now_s();
	rc = mm_tx_begin(c, true);
	for (int i = 0; i < ALONE && !rc; i++) {
		struct mm_audit_event e = event(i);
		rc = mm_audit_insert(c, &e);
	}
	if (!rc)
		rc = mm_tx_commit(c);
	if (rc)
		die("append", rc);
	printf("  append alone (%d in one transaction) %5.2f us each\n", ALONE,
	       (now_s() - t0) / ALONE * 1e6);
}

static void fill(struct mm_conn *c, int64_t n)
{
	double t0 = now_s();
	int rc = MM_OK;

	for (int64_t done = 0; done < n && !rc;) {
		rc = mm_tx_begin(c, true);
		for (int i = 0; i < 100000 && done < n && !rc; i++, done++) {
			struct mm_audit_event e = event(done);
			rc = mm_audit_insert(c, &e);
		}
		if (!rc)
			rc = mm_tx_commit(c);
	}
	if (rc)
		die("fill", rc);
	printf("generated %lld entries in %.1f s\n", (long long)n, now_s() - t0);
}

static int nothing(void *arg, const struct mm_audit_event *e, const uint8_t chain[MM_HASH_LEN])
{
	(void)e;
	(void)chain;
	++*(int64_t *)arg;
	return 0;
}

static void bench_verify(struct mm_conn *c, const char *dir, int64_t n)
{
	char key[600];
	struct mm_buf s, v;
	struct mm_ckpt_skey sk;
	struct mm_ckpt_vkey vk;
	struct mm_alog_report r;
	struct mm_arena a;
	FILE *f;
	double t0, t, c0;
	int rc;

	mm_buf_init(&s, 4096);
	mm_buf_init(&v, 4096);
	snprintf(key, sizeof(key), "%s/signer.key", dir);
	if (mm_ckpt_keygen("bench/audit", &s, &v) || !(f = fopen(key, "w")))
		die("keygen", MM_EIO);
	fputs(s.data, f);
	fclose(f);
	chmod(key, 0600);
	if ((rc = mm_ckpt_skey_load(key, &sk)) || (rc = mm_ckpt_vkey_parse(v.data, &vk)))
		die("key", rc);
	fill(c, n);
	mm_arena_init(&a, 0);
	t0 = now_s();
	rc = mm_auditlog_checkpoint(c, &sk, 1700000000, "clock synced", &a, &r);
	if (rc || r.problem)
		die("checkpoint", rc ? rc : MM_EINVAL);
	printf("checkpoint of %lld entries (first, from scratch): %.2f s\n", (long long)r.new_size,
	       now_s() - t0);
	for (int i = 0; i < VERIFY_RUNS; i++) {
		c0 = cpu_s();
		t0 = now_s();
		rc = mm_auditlog_verify(c, &vk, NULL, 0, &a, &r);
		t = now_s() - t0;
		if (rc || r.problem)
			die("verify", rc ? rc : MM_EINVAL);
		printf("verify run %d: %lld entries in %.3f s = %.0f entries/s   (target >= "
		       "1000000; %d reader(s), %d retries, %.2f us CPU per entry)\n",
		       i + 1, (long long)r.last, t, (double)r.last / t, r.readers, r.retries,
		       (cpu_s() - c0) / (double)r.last * 1e6);
	}
	t0 = now_s();
	n = 0;
	mm_alog_scan(c, 1, 0, nothing, &n);
	t = now_s() - t0;
	printf("  of which reading the rows from SQLite: %.3f s = %.0f rows/s\n", t, (double)n / t);
	mm_arena_free(&a);
	mm_ckpt_skey_wipe(&sk);
	mm_buf_free(&s);
	mm_buf_free(&v);
	unlink(key);
}

/* One query of the viewer, timed QUERY_RUNS times; prints the median. */
static void time_query(struct mm_conn *c, const char *what, const struct mm_auditq *q,
		       bool refusals)
{
	double t[QUERY_RUNS];
	struct mm_audit_event *v;
	struct mm_audit_group *g;
	struct mm_arena a;
	size_t n = 0;
	bool more;
	int rc;

	for (int i = 0; i < QUERY_RUNS; i++) {
		double t0 = now_s();

		mm_arena_init(&a, 0);
		rc = refusals ? mm_auditq_refusals(c, q->from, q->until, 200, &a, &g, &n)
			      : mm_auditq_list(c, q, &a, &v, &n, &more);
		mm_arena_free(&a);
		if (rc)
			die(what, rc);
		t[i] = (now_s() - t0) * 1e3;
	}
	printf("  %-52s %8.2f ms (median of %d; %zu rows)\n", what, median(t, QUERY_RUNS),
	       QUERY_RUNS, n);
}

/* The viewer's queries over the last month of the n generated entries. A
 * filter that matches nothing reads every entry of the period: the worst
 * case of a period. */
static void bench_queries(struct mm_conn *c, int64_t n)
{
	int64_t end = 1700000000 + (n - 1) * SPACING + 1;
	struct mm_auditq q = { .from = end - MONTH, .until = end, .limit = 50 };

	printf("viewer queries, one month (%lld entries) of %lld:\n", (long long)(MONTH / SPACING),
	       (long long)n);
	time_query(c, "newest 50 of the month", &q, false);
	q.account_id = 13;
	time_query(c, "a person with no entries in the month", &q, false);
	q.account_id = 0;
	q.action = "export";
	time_query(c, "an action with no entries in the month", &q, false);
	q.action = NULL;
	q.result = "refused";
	time_query(c, "result refused (none in the month)", &q, false);
	q.result = NULL;
	q.off_hours = true;
	q.start_min = 0;
	q.end_min = 24 * 60;
	time_query(c, "off-hours, none on weekdays (weekends only)", &q, false);
	q.off_hours = false;
	time_query(c, "refusals report for the month", &q, true);
	q.from = end - 86400;
	q.account_id = 13;
	time_query(c, "a person with no entries, one day", &q, false);
	q = (struct mm_auditq){
		.action = "record_read", .object = "assets/12345", .object_exact = true, .limit = 50
	};
	time_query(c, "who viewed this (object index, newest 50)", &q, false);
}

int main(int argc, char **argv)
{
	int64_t n = argc > 1 ? strtoll(argv[1], NULL, 10) : 1000000;
	char dir[] = "/tmp/mamori-bench-audit.XXXXXX", db[600], p[640];
	struct mm_store *st;
	struct mm_conn *c;
	char why[256];
	int rc;

	if (n < 1 || !mkdtemp(dir))
		die("arguments or temporary directory", MM_EINVAL);
	snprintf(db, sizeof(db), "%s/append.db", dir);
	if ((rc = mm_store_open(db, 1, &st, why, sizeof(why))) ||
	    (rc = mm_store_migrate(st, NULL, 0)))
		die(why, rc);
	c = mm_store_acquire(st);
	if (!(argc > 2 && strcmp(argv[2], "verify") == 0))
		bench_append(c);
	mm_store_release(st, c);
	mm_store_close(st);
	snprintf(db, sizeof(db), "%s/verify.db", dir);
	if ((rc = mm_store_open(db, 1, &st, why, sizeof(why))) ||
	    (rc = mm_store_migrate(st, NULL, 0)))
		die(why, rc);
	c = mm_store_acquire(st);
	bench_verify(c, dir, n);
	bench_queries(c, n);
	mm_store_release(st, c);
	mm_store_close(st);
	for (int i = 0; i < 2; i++) {
		static const char *const names[] = { "append.db", "verify.db" };
		static const char *const sfx[] = { "", "-wal", "-shm" };
		for (int j = 0; j < 3; j++) {
			snprintf(p, sizeof(p), "%s/%s%s", dir, names[i], sfx[j]);
			unlink(p);
		}
	}
	rmdir(dir);
	return 0;
}
