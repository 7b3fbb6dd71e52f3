/* Tests of mm_store_copy over two SQLite databases: what is copied (records
 * with every kind of value, history, counters, settings), what is rebuilt
 * (search, counts, the next id), and each refusal leaving the destination
 * as it was. */
#include "core/arena.h"
#include "core/err.h"
#include "core/schema.h"
#include "store/copy.h"
#include "store/store.h"

#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static const struct mm_field fields[] = {
	{ "code", "コード", "Code", MM_FT_TEXT, MM_F_UNIQUE | MM_F_SORT, 0, 32, NULL, 0, NULL },
	{ "name", "名称", "Name", MM_FT_TEXT, MM_F_SEARCH | MM_F_SORT, 0, 200, NULL, 0, NULL },
	{ "score", "点数", "Score", MM_FT_INT, MM_F_FILTER | MM_F_SORT, 0, 100, NULL, 0, NULL },
};
static const struct mm_schema items = { "items", fields, 3 };
static const struct mm_schema *const schemas[] = { &items };

/* The same register with a field the other has not. */
static const struct mm_field fields2[] = {
	{ "code", "コード", "Code", MM_FT_TEXT, MM_F_UNIQUE | MM_F_SORT, 0, 32, NULL, 0, NULL },
	{ "name", "名称", "Name", MM_FT_TEXT, MM_F_SEARCH | MM_F_SORT, 0, 200, NULL, 0, NULL },
	{ "score", "点数", "Score", MM_FT_INT, MM_F_FILTER | MM_F_SORT, 0, 100, NULL, 0, NULL },
	{ "place", "場所", "Place", MM_FT_TEXT, 0, 0, 100, NULL, 0, NULL },
};
static const struct mm_schema items2 = { "items", fields2, 4 };
static const struct mm_schema *const schemas2[] = { &items2 };

struct fx {
	char src_path[64], dst_path[64];
	struct mm_store *src, *dst;
	struct mm_arena a;
};

static int open_db(char *path, size_t n, struct mm_store **st)
{
	char why[256];
	int fd;

	snprintf(path, n, "/tmp/mm_copy_test_XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	unlink(path); /* a new database, made by the store */
	return mm_store_open(path, 2, st, why, sizeof(why)) == MM_OK ? 0 : -1;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f || open_db(f->src_path, sizeof(f->src_path), &f->src) ||
	    open_db(f->dst_path, sizeof(f->dst_path), &f->dst))
		return -1;
	if (mm_store_migrate(f->src, schemas, 1) != MM_OK)
		return -1;
	mm_arena_init(&f->a, 0);
	*state = f;
	return 0;
}

static void remove_db(const char *path)
{
	char p[80];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

static int teardown(void **state)
{
	struct fx *f = *state;

	mm_store_close(f->src);
	mm_store_close(f->dst);
	remove_db(f->src_path);
	remove_db(f->dst_path);
	mm_arena_free(&f->a);
	free(f);
	return 0;
}

/* Adds a record with its history entry. */
static int64_t add(struct mm_store *st, const char *code, const char *name, int64_t score)
{
	struct mm_conn *c = mm_store_acquire(st);
	struct mm_value v[3] = { { true, 0, code },
				 { name != NULL, 0, name },
				 { true, score, NULL } };
	struct mm_record r = { .created_at = "2026-01-01T00:00:00Z",
			       .updated_at = "2026-01-01T00:00:00Z",
			       .updated_by = "test",
			       .v = v };
	struct mm_hist h = { 0, 1, "2026-01-01T00:00:00Z", "test", "create", "{}" };

	assert_non_null(c);
	assert_int_equal(mm_tx_begin(c, true), MM_OK);
	assert_int_equal(mm_rec_insert(c, &items, &r), MM_OK);
	h.record_id = r.id;
	assert_int_equal(mm_hist_add(c, &items, &h), MM_OK);
	assert_int_equal(mm_tx_commit(c), MM_OK);
	mm_store_release(st, c);
	return r.id;
}

static void exec(const char *path, const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static int64_t count(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t n = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

struct seen {
	int tables;
	int64_t items;
};

static void progress(void *arg, const char *table, int64_t rows)
{
	struct seen *s = arg;

	s->tables++;
	if (strcmp(table, "items") == 0)
		s->items = rows;
}

static void copies_rows_and_rebuilds(void **state)
{
	struct fx *f = *state;
	struct mm_copy_outcome o;
	struct seen seen = { 0, 0 };
	struct mm_query q = {
		.q = "りんご", .sort = MM_SORT_ID, .status = MM_ANY_STATUS, .limit = 10
	};
	struct mm_page page;
	struct mm_hist *h;
	struct mm_conn *c;
	size_t nh;
	int64_t id;

	add(f->src, "A-1", "青いりんごの箱", 5);
	add(f->src, "A-2", NULL, 7);
	id = add(f->src, "A-3", "みかん", 9);
	/* A blob, a NULL and text with a NUL-free multibyte string. */
	exec(f->src_path, "INSERT INTO audit_cut(id, size, chain, frontier, at) "
			  "VALUES(1, 3, x'00ff10', x'', 42);"
			  "INSERT INTO meta(key, value) VALUES('origin', '市役所')");

	assert_int_equal(mm_store_copy(f->src, f->dst, schemas, 1, progress, &seen, &o), MM_OK);
	assert_int_equal(o.refused, MM_COPY_DONE);
	assert_int_equal(seen.items, 3);
	assert_int_equal(seen.tables, 15); /* 14 system tables and items */
	assert_int_equal(count(f->dst_path,
			       "SELECT count(*) FROM audit_cut WHERE chain = x'00ff10' "
			       "AND frontier = x'' AND typeof(frontier) = 'blob'"),
			 1);
	assert_int_equal(count(f->dst_path, "SELECT count(*) FROM items WHERE name IS NULL"), 1);
	assert_int_equal(count(f->dst_path, "SELECT count(*) FROM meta WHERE value = '市役所'"), 1);
	assert_int_equal(count(f->dst_path, "SELECT active FROM record_counts WHERE register = "
					    "'items'"),
			 3);

	c = mm_store_acquire(f->dst);
	assert_int_equal(mm_rec_list(c, &items, &q, &f->a, &page), MM_OK);
	assert_int_equal(page.total, 1); /* the search index was rebuilt */
	assert_string_equal(page.recs[0].v[0].s, "A-1");
	assert_int_equal(mm_hist_list(c, &items, id, &f->a, &h, &nh), MM_OK);
	assert_int_equal(nh, 1);
	mm_store_release(f->dst, c);
	assert_int_equal(add(f->dst, "A-4", "新しい", 1), id + 1);
}

static void refuses_a_destination_not_empty(void **state)
{
	struct fx *f = *state;
	struct mm_copy_outcome o;

	add(f->src, "A-1", "元", 1);
	assert_int_equal(mm_store_migrate(f->dst, schemas, 1), MM_OK);
	add(f->dst, "B-1", "先", 2);
	assert_int_equal(mm_store_copy(f->src, f->dst, schemas, 1, NULL, NULL, &o), MM_EINVAL);
	assert_int_equal(o.refused, MM_COPY_NOT_EMPTY);
	assert_string_equal(o.table, "items");
	assert_int_equal(count(f->dst_path, "SELECT count(*) FROM items WHERE code = 'B-1'"), 1);
	assert_int_equal(count(f->dst_path, "SELECT count(*) FROM items"), 1);

	/* Refused before its schema is touched: a destination one migration
	 * short stays so. */
	exec(f->dst_path, "DELETE FROM schema_migrations WHERE version = "
			  "(SELECT max(version) FROM schema_migrations)");
	assert_int_equal(mm_store_copy(f->src, f->dst, schemas, 1, NULL, NULL, &o), MM_EINVAL);
	assert_int_equal(o.refused, MM_COPY_NOT_EMPTY);
	assert_int_equal(count(f->dst_path, "SELECT count(*) FROM schema_migrations"),
			 count(f->src_path, "SELECT count(*) FROM schema_migrations") - 1);
}

static void refuses_another_version(void **state)
{
	struct fx *f = *state;
	struct mm_copy_outcome o;

	add(f->src, "A-1", "元", 1);
	exec(f->src_path, "DELETE FROM schema_migrations WHERE version = "
			  "(SELECT max(version) FROM schema_migrations)");
	assert_int_equal(mm_store_copy(f->src, f->dst, schemas, 1, NULL, NULL, &o), MM_EINVAL);
	assert_int_equal(o.refused, MM_COPY_VERSIONS);
	assert_int_equal(o.src_version + 1, o.dst_version);
	assert_int_equal(count(f->dst_path, "SELECT count(*) FROM items"), 0);
}

static void refuses_a_column_the_destination_lacks(void **state)
{
	struct fx *f = *state;
	struct mm_copy_outcome o;

	assert_int_equal(mm_store_migrate(f->src, schemas2, 1), MM_OK);
	add(f->src, "A-1", "元", 1);
	assert_int_equal(mm_store_copy(f->src, f->dst, schemas, 1, NULL, NULL, &o), MM_EINVAL);
	assert_int_equal(o.refused, MM_COPY_COLUMNS);
	assert_string_equal(o.table, "items");
	assert_string_equal(o.column, "place");
	assert_int_equal(count(f->dst_path, "SELECT count(*) FROM items"), 0);
}

static void refuses_a_source_that_is_no_mamori_database(void **state)
{
	struct fx *f = *state;
	struct mm_copy_outcome o;

	exec(f->src_path, "DROP TABLE schema_migrations");
	assert_int_equal(mm_store_copy(f->src, f->dst, schemas, 1, NULL, NULL, &o), MM_EINVAL);
	assert_int_equal(o.refused, MM_COPY_NO_SOURCE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(copies_rows_and_rebuilds, setup, teardown),
		cmocka_unit_test_setup_teardown(refuses_a_destination_not_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(refuses_another_version, setup, teardown),
		cmocka_unit_test_setup_teardown(refuses_a_column_the_destination_lacks, setup,
						teardown),
		cmocka_unit_test_setup_teardown(refuses_a_source_that_is_no_mamori_database, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
