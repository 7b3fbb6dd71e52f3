/* The store tests' database fixture (store_fixture.h). */
#include "store_fixture.h"

#include "core/err.h"

#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

int mm_test_store_setup(void **state)
{
	return mm_test_store_setup_with(state, 2, NULL, 0);
}

int mm_test_store_setup_with(void **state, size_t pool, const struct mm_schema *const *schemas,
			     size_t n)
{
	struct mm_test_store *f = calloc(1, sizeof(*f));
	char why[256];
	int fd;

	if (!f)
		return -1;
	snprintf(f->path, sizeof(f->path), "/tmp/mm_store_test_XXXXXX");
	fd = mkstemp(f->path);
	if (fd < 0)
		return -1;
	close(fd);
	if (mm_store_open(f->path, pool, &f->st, why, sizeof(why)) != MM_OK ||
	    mm_store_migrate(f->st, schemas, n) != MM_OK)
		return -1;
	f->c = mm_store_acquire(f->st);
	if (!f->c)
		return -1;
	mm_arena_init(&f->a, 0);
	*state = f;
	return 0;
}

int mm_test_store_teardown(void **state)
{
	struct mm_test_store *f = *state;
	static const char *const suffix[] = { "", "-wal", "-shm" };
	char p[96];

	if (f->c)
		mm_store_release(f->st, f->c);
	mm_store_close(f->st);
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", f->path, suffix[i]);
		unlink(p);
	}
	mm_arena_free(&f->a);
	free(f);
	return 0;
}

int64_t mm_test_sql_int(const struct mm_test_store *f, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

void mm_test_shell(const struct mm_test_store *f, const char *sql)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "sqlite3 '%s' \"%s\"", f->path, sql);
	assert_int_equal(system(cmd), 0);
}

static void *write_all(void *arg)
{
	struct mm_test_writer *w = arg;
	sqlite3 *db;
	sqlite3_stmt *st;

	if (sqlite3_open(w->path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA synchronous = OFF", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, w->sql, -1, &st, NULL) != SQLITE_OK) {
		w->failed = 1;
		atomic_store(&w->done, true);
		return NULL;
	}
	sqlite3_busy_timeout(db, 5000);
	for (int i = 1; i <= w->count && !w->failed; i++) {
		sqlite3_bind_int64(st, 1, w->first + i);
		if (sqlite3_step(st) != SQLITE_DONE)
			w->failed = 1;
		else
			atomic_store(&w->committed, w->first + i);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	atomic_store(&w->done, true);
	return NULL;
}

void mm_test_writer_start(struct mm_test_writer *w, const char *path, const char *sql,
			  int64_t first, int count)
{
	w->path = path;
	w->sql = sql;
	w->first = first;
	w->count = count;
	w->failed = 0;
	atomic_init(&w->committed, first);
	atomic_init(&w->done, false);
	assert_int_equal(pthread_create(&w->thread, NULL, write_all, w), 0);
}

void mm_test_writer_join(struct mm_test_writer *w)
{
	pthread_join(w->thread, NULL);
}
