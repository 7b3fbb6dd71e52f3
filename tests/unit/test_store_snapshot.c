/* Tests of the read snapshot an SQLite connection keeps between uses
 * (src/store/sqlite_snapshot.c): reads reuse it while nothing commits, see
 * every commit of another connection or process at once, never hold a write,
 * and let checkpoints through once the pool rests. Each test gets a fresh
 * database file in /tmp. */
#include "core/arena.h"
#include "core/err.h"
#include "store/auditlog.h"
#include "store/backend.h"
#include "store/identity.h"
#include "store/store.h"
#include "store_fixture.h"

#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

/* The setting key as f's connection reads it. */
static const char *get(struct mm_test_store *f, const char *key)
{
	const char *v = NULL;

	assert_int_equal(mm_meta_get(f->c, key, &f->a, &v), MM_OK);
	return v;
}

/* Reads go on in one snapshot while nothing commits, also after the
 * connection has been back in the pool; a commit by another connection of
 * the process or by another process is seen by the next read. */
static void test_reads_share_a_snapshot(void **state)
{
	struct mm_test_store *f = *state;
	char why[256];
	struct mm_store *other;
	struct mm_conn *oc;
	uint64_t kept;

	assert_int_equal(mm_meta_set(f->c, "k", "1"), MM_OK);
	assert_string_equal(get(f, "k"), "1");
	kept = f->c->snapshots_kept;
	assert_true(kept >= 1);
	for (int i = 0; i < 5; i++)
		assert_string_equal(get(f, "k"), "1");
	mm_store_release(f->st, f->c);
	f->c = mm_store_acquire(f->st);
	assert_string_equal(get(f, "k"), "1");
	assert_int_equal(f->c->snapshots_kept, kept);

	assert_int_equal(mm_store_open(f->path, 1, &other, why, sizeof(why)), MM_OK);
	oc = mm_store_acquire(other);
	assert_non_null(oc);
	assert_int_equal(mm_meta_set(oc, "k", "2"), MM_OK);
	mm_store_release(other, oc);
	mm_store_close(other);
	assert_string_equal(get(f, "k"), "2");
	assert_int_equal(f->c->snapshots_kept, kept + 1);
	assert_string_equal(get(f, "k"), "2");
	assert_int_equal(f->c->snapshots_kept, kept + 1);

	mm_test_shell(f, "UPDATE meta SET value = '3' WHERE key = 'k'");
	assert_string_equal(get(f, "k"), "3");
	assert_int_equal(f->c->snapshots_kept, kept + 2);

	/* Inside a transaction of the connection's users nothing is kept. */
	assert_int_equal(mm_tx_begin(f->c, false), MM_OK);
	assert_string_equal(get(f, "k"), "3");
	assert_int_equal(mm_tx_commit(f->c), MM_OK);
	assert_int_equal(f->c->snapshots_kept, kept + 2);
	assert_string_equal(get(f, "k"), "3");
	assert_int_equal(f->c->snapshots_kept, kept + 3);
}

/* Every way of writing, right after reads kept a snapshot, commits: a
 * connection of its own sees the change while f's is still held, and
 * giving the connection back to the pool does not undo it. */
static void test_writes_after_reads_commit(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_account acct = { .login = "tanaka", .person_id = 1 };
	struct mm_audit_event e = { .action = "test", .result = "ok" };
	int64_t seq = 0;

	/* One statement outside a transaction. */
	assert_int_equal(mm_meta_set(f->c, "k", "1"), MM_OK);
	get(f, "k");
	assert_int_equal(mm_meta_set(f->c, "a", "x"), MM_OK);
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM meta WHERE key = 'a'"), 1);
	/* An INSERT … RETURNING. */
	get(f, "a");
	assert_int_equal(mm_seq_next(f->c, "s", &seq), MM_OK);
	assert_int_equal(mm_test_sql_int(f, "SELECT value FROM sequences WHERE name = 's'"), seq);
	/* An operation of several statements in a transaction of its own. */
	get(f, "a");
	assert_int_equal(mm_account_insert(f->c, &acct), MM_OK);
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM accounts WHERE login = 'tanaka'"),
			 1);
	/* An audit append, which reads the chain's head before it writes. */
	get(f, "a");
	assert_int_equal(mm_audit_insert(f->c, &e), MM_OK);
	assert_int_equal(
		mm_test_sql_int(f, "SELECT count(*) FROM audit_events WHERE action = 'test'"), 1);
	/* A transaction of the caller's. */
	get(f, "a");
	assert_int_equal(mm_tx_begin(f->c, true), MM_OK);
	assert_int_equal(mm_meta_set(f->c, "b", "y"), MM_OK);
	assert_int_equal(mm_tx_commit(f->c), MM_OK);
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM meta WHERE key = 'b'"), 1);

	get(f, "b");
	mm_store_release(f->st, f->c);
	f->c = mm_store_acquire(f->st);
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM meta WHERE key IN ('a', 'b')"),
			 2);
	/* The write lock is free: another process can write. */
	mm_test_shell(f, "INSERT INTO meta(key, value) VALUES('c', 'z')");
	assert_string_equal(get(f, "c"), "z");
}

static off_t wal_size(struct mm_test_store *f)
{
	char p[96];
	struct stat sb;

	snprintf(p, sizeof(p), "%s-wal", f->path);
	return stat(p, &sb) == 0 ? sb.st_size : -1;
}

/* A snapshot kept by an idle connection holds back a checkpoint of the
 * frames committed after it; once the pool rests it does not. */
static void test_rest_lets_checkpoints_through(void **state)
{
	struct mm_test_store *f = *state;

	assert_int_equal(mm_meta_set(f->c, "k", "1"), MM_OK);
	get(f, "k");
	mm_store_release(f->st, f->c);
	f->c = NULL;
	mm_test_shell(f, "INSERT INTO meta(key, value) VALUES('d', '1')");
	/* Its first column: busy, 1 when it could not finish. */
	assert_int_equal(mm_test_sql_int(f, "PRAGMA wal_checkpoint(TRUNCATE)"), 1);
	assert_true(wal_size(f) > 0);

	mm_store_rest(f->st);
	assert_int_equal(mm_test_sql_int(f, "PRAGMA wal_checkpoint(TRUNCATE)"), 0);
	assert_int_equal(wal_size(f), 0);
	f->c = mm_store_acquire(f->st);
	assert_string_equal(get(f, "d"), "1");
}

/* Called for each entry of an audit log scan: on the first, another process
 * commits a change, and the scan's connection reads meanwhile. */
static int read_during_scan(void *arg, const struct mm_audit_event *e, const uint8_t *chain)
{
	struct mm_test_store *f = arg;

	(void)chain;
	if (e->seq == 1) {
		mm_test_shell(f, "UPDATE meta SET value = '2' WHERE key = 'k'");
		get(f, "k"); /* in the scan's snapshot, as SQLite reads */
	}
	return MM_OK;
}

/* A read while another statement of the connection is still stepping runs
 * in that statement's snapshot, which began before the last commit; it is
 * not kept as if it were the newest, and the next read sees the commit. */
static void test_no_stale_snapshot_kept(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_audit_event e = { .action = "test", .result = "ok" };

	assert_int_equal(mm_meta_set(f->c, "k", "1"), MM_OK);
	for (int i = 0; i < 3; i++)
		assert_int_equal(mm_audit_insert(f->c, &e), MM_OK);
	assert_string_equal(get(f, "k"), "1");
	assert_int_equal(mm_alog_scan(f->c, 1, 0, read_during_scan, f), MM_OK);
	assert_string_equal(get(f, "k"), "2");
}

/* Commits of a writer on a connection of its own, in the race below. */
enum { BUMPS = 1500 };

/* Every read sees at least the last value whose commit returned before the
 * read began, and never an older one than the read before. (How many reads
 * share a snapshot depends on the machine's speed, under ASan too: that
 * they do is test_reads_share_a_snapshot's part.) */
static void test_snapshot_races(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_test_writer b;
	int64_t last = 0, reads = 0;

	assert_int_equal(mm_meta_set(f->c, "n", "0"), MM_OK);
	get(f, "n");
	mm_test_writer_start(&b, f->path, "UPDATE meta SET value = ? WHERE key = 'n'", 0, BUMPS);
	while (!atomic_load(&b.done)) {
		int64_t before = atomic_load(&b.committed), v = atoll(get(f, "n"));

		assert_true(v >= before);
		assert_true(v >= last);
		last = v;
		reads++;
		mm_arena_free(&f->a);
	}
	mm_test_writer_join(&b);
	assert_int_equal(b.failed, 0);
	assert_int_equal(atoll(get(f, "n")), BUMPS);
	assert_true(reads > 100);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, mm_test_store_setup, mm_test_store_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_reads_share_a_snapshot),
		T(test_writes_after_reads_commit),
		T(test_rest_lets_checkpoints_through),
		T(test_no_stale_snapshot_kept),
		T(test_snapshot_races),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
