/* A fresh SQLite database for the store's own tests: a temporary file with
 * the system tables, one connection taken; and ways to reach the file as
 * other connections and other processes do. */
#ifndef MM_TEST_STORE_FIXTURE_H
#define MM_TEST_STORE_FIXTURE_H

#include "core/arena.h"
#include "core/schema.h"
#include "store/store.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mm_test_store {
	char path[64];
	struct mm_store *st;
	struct mm_conn *c;
	struct mm_arena a;
};

/* cmocka set-up and tear-down: *state is a struct mm_test_store. The
 * tear-down gives the connection back (when c is set) and deletes the
 * files. */
int mm_test_store_setup(void **state);
int mm_test_store_teardown(void **state);
/* The set-up with a pool of pool connections and the register tables of
 * schemas[0..n) too. */
int mm_test_store_setup_with(void **state, size_t pool, const struct mm_schema *const *schemas,
			     size_t n);

/* One integer read by a connection of its own, opened for the purpose; -1
 * when there is no row. */
int64_t mm_test_sql_int(const struct mm_test_store *f, const char *sql);

/* Runs sql with the sqlite3 shell: another process. */
void mm_test_shell(const struct mm_test_store *f, const char *sql);

/* A writer on a connection of its own, for races: runs sql, whose one
 * parameter is bound to first + 1, first + 2, … first + count, each in a
 * commit of its own, and publishes the last value whose commit returned. */
struct mm_test_writer {
	const char *path;
	const char *sql;
	int64_t first;
	int count;
	atomic_llong committed;
	atomic_bool done;
	int failed;
	pthread_t thread;
};

/* Sets w up to start at first (committed = first) and runs it on a
 * thread of its own; mm_test_writer_join waits for it. */
void mm_test_writer_start(struct mm_test_writer *w, const char *path, const char *sql,
			  int64_t first, int count);
void mm_test_writer_join(struct mm_test_writer *w);

#endif
