/* Tests of the store over its SQLite backend: migrations, records, lists,
 * search, history, counters, settings, transactions and the pool. Each test
 * gets a fresh database file in /tmp. */
#include "core/arena.h"
#include "core/err.h"
#include "core/schema.h"
#include "store/store.h"
#include "store_fixture.h"

#include <pthread.h>
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

static const struct mm_option levels[] = {
	{ "low", "低", "Low" },
	{ "high", "高", "High" },
};

/* Every field type and the flags the store acts on. */
static const struct mm_field item_fields[] = {
	{ "code", "コード", "Code", MM_FT_TEXT, MM_F_UNIQUE | MM_F_SORT, 0, 32, NULL, 0, NULL },
	{ "name", "名称", "Name", MM_FT_TEXT, MM_F_SEARCH | MM_F_SORT, 0, 200, NULL, 0, NULL },
	{ "note", "備考", "Note", MM_FT_TEXT, MM_F_SEARCH | MM_F_MULTILINE, 0, 2000, NULL, 0,
	  NULL },
	{ "score", "点数", "Score", MM_FT_INT, MM_F_FILTER | MM_F_SORT, 0, 100, NULL, 0, NULL },
	{ "level", "水準", "Level", MM_FT_ENUM, MM_F_FILTER, 0, 0, levels, 2, NULL },
	{ "owner", "所有者", "Owner", MM_FT_REF, MM_F_FILTER, 0, 0, NULL, 0, "people" },
	{ "due", "期限", "Due", MM_FT_DATE, MM_F_FILTER | MM_F_SORT, 0, 0, NULL, 0, NULL },
};
enum { F_CODE, F_NAME, F_NOTE, F_SCORE, F_LEVEL, F_OWNER, F_DUE, NF };

static const struct mm_schema items = { "items", item_fields, NF };

/* The same register one release later: one more searchable field. */
static const struct mm_field item_fields2[] = {
	{ "code", "コード", "Code", MM_FT_TEXT, MM_F_UNIQUE | MM_F_SORT, 0, 32, NULL, 0, NULL },
	{ "name", "名称", "Name", MM_FT_TEXT, MM_F_SEARCH | MM_F_SORT, 0, 200, NULL, 0, NULL },
	{ "note", "備考", "Note", MM_FT_TEXT, MM_F_SEARCH | MM_F_MULTILINE, 0, 2000, NULL, 0,
	  NULL },
	{ "score", "点数", "Score", MM_FT_INT, MM_F_FILTER | MM_F_SORT, 0, 100, NULL, 0, NULL },
	{ "level", "水準", "Level", MM_FT_ENUM, MM_F_FILTER, 0, 0, levels, 2, NULL },
	{ "owner", "所有者", "Owner", MM_FT_REF, MM_F_FILTER, 0, 0, NULL, 0, "people" },
	{ "due", "期限", "Due", MM_FT_DATE, MM_F_FILTER | MM_F_SORT, 0, 0, NULL, 0, NULL },
	{ "place", "場所", "Place", MM_FT_TEXT, MM_F_SEARCH | MM_F_FILTER, 0, 100, NULL, 0, NULL },
};

static const struct mm_schema items2 = { "items", item_fields2, NF + 1 };

static const struct mm_schema *const all_schemas[] = { &items };

static int setup(void **state)
{
	return mm_test_store_setup_with(state, 4, all_schemas, 1);
}

static struct mm_value text(const char *s)
{
	struct mm_value v = { s != NULL, 0, s };
	return v;
}

static struct mm_value num(int64_t i)
{
	struct mm_value v = { true, i, NULL };
	return v;
}

static const struct mm_value unset = { false, 0, NULL };

/* Builds a record of items (arena-backed values) ready to insert. */
static struct mm_record *make(struct mm_test_store *f, const char *code, const char *name,
			      int64_t score, const char *level, const char *due)
{
	struct mm_record *r = mm_arena_zalloc(&f->a, sizeof(*r));

	assert_non_null(r);
	r->v = mm_arena_zalloc(&f->a, (NF + 1) * sizeof(*r->v));
	assert_non_null(r->v);
	r->created_at = "2024-04-01T09:00:00Z";
	r->updated_at = "2024-04-01T09:00:00Z";
	r->updated_by = "tanaka";
	r->v[F_CODE] = text(code);
	r->v[F_NAME] = text(name);
	r->v[F_NOTE] = unset;
	r->v[F_SCORE] = score >= 0 ? num(score) : unset;
	r->v[F_LEVEL] = text(level);
	r->v[F_OWNER] = unset;
	r->v[F_DUE] = text(due);
	return r;
}

static int64_t add(struct mm_test_store *f, const char *code, const char *name, int64_t score,
		   const char *level, const char *due)
{
	struct mm_record *r = make(f, code, name, score, level, due);

	assert_int_equal(mm_rec_insert(f->c, &items, r), MM_OK);
	assert_true(r->id > 0);
	return r->id;
}

/* Runs a query and returns the total; the page goes to *p. */
static int64_t list(struct mm_test_store *f, const struct mm_query *q, struct mm_page *p)
{
	assert_int_equal(mm_rec_list(f->c, &items, q, &f->a, p), MM_OK);
	return p->total;
}

static struct mm_query query(void)
{
	struct mm_query q = { NULL, 0, NULL, MM_SORT_ID, false, MM_ACTIVE, 100, 0, NULL, NULL };
	return q;
}

static int64_t search(struct mm_test_store *f, const char *text_q)
{
	struct mm_query q = query();
	struct mm_page p;

	q.q = text_q;
	return list(f, &q, &p);
}

/* Runs sql on the database file directly, behind the store's back. */
static void sql_exec(struct mm_test_store *f, const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* Checks the search index against the table it indexes. */
static void assert_fts_consistent(struct mm_test_store *f)
{
	sql_exec(f, "INSERT INTO items_fts(items_fts, rank) VALUES('integrity-check', 1)");
}

/* Opening. */

static void test_open_urls(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_store *st = NULL;
	char why[256], url[128];

	(void)state;
	/* A PostgreSQL URL goes to libpq whole; nothing listens on port 1,
	 * and the reason never repeats the URL's password. */
	assert_int_equal(
		mm_store_open("postgresql://u:sekrit@127.0.0.1:1/mamori", 2, &st, why, sizeof(why)),
		MM_EIO);
	assert_null(st);
	assert_non_null(strstr(why, "PostgreSQL"));
	assert_null(strstr(why, "sekrit"));
	assert_int_equal(mm_store_open("mysql://x/y", 2, &st, why, sizeof(why)), MM_EINVAL);
	assert_int_equal(mm_store_open("sqlite:", 2, &st, why, sizeof(why)), MM_EINVAL);
	assert_int_equal(mm_store_open(f->path, 0, &st, why, sizeof(why)), MM_EINVAL);
	assert_int_equal(mm_store_open("/nonexistent-dir/x.db", 1, &st, why, sizeof(why)), MM_EIO);
	assert_null(st);
	assert_true(strlen(why) > 0);

	snprintf(url, sizeof(url), "sqlite:%s", f->path);
	assert_int_equal(mm_store_open(url, 1, &st, why, sizeof(why)), MM_OK);
	mm_store_close(st);
	snprintf(url, sizeof(url), "sqlite://%s", f->path);
	assert_int_equal(mm_store_open(url, 1, &st, why, sizeof(why)), MM_OK);
	mm_store_close(st);
	mm_store_close(NULL);
}

static void test_connection_settings(void **state)
{
	struct mm_test_store *f = *state;

	assert_int_equal(mm_test_sql_int(f, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"),
			 1);
}

/* Migrations. */

static void test_migrate_twice(void **state)
{
	struct mm_test_store *f = *state;

	add(f, "A-1", "台帳", 1, "low", NULL);
	assert_int_equal(mm_store_migrate(f->st, all_schemas, 1), MM_OK);
	assert_int_equal(mm_store_migrate(f->st, all_schemas, 1), MM_OK);
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM schema_migrations"), 15);
	assert_int_equal(mm_test_sql_int(f, "SELECT max(version) FROM schema_migrations"), 15);
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM items"), 1);
	assert_int_equal(mm_test_sql_int(f,
					 "SELECT count(*) FROM sqlite_schema WHERE type = 'index' "
					 "AND name IN ('items_code_key', 'items_score_idx', "
					 "'items_due_idx', 'items_code_idx', 'items_level_idx', "
					 "'items_retired_idx')"),
			 6);
	assert_int_equal(search(f, "台帳"), 1);
}

/* The query plan of sql, one line per step, into buf. */
static const char *plan(struct mm_test_store *f, const char *sql, char *buf, size_t len)
{
	char q[512];
	sqlite3 *db;
	sqlite3_stmt *st;
	size_t n = 0;

	snprintf(q, sizeof(q), "EXPLAIN QUERY PLAN %s", sql);
	assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
	buf[0] = '\0';
	while (sqlite3_step(st) == SQLITE_ROW && n < len)
		n += (size_t)snprintf(buf + n, len - n, "%s\n", sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return buf;
}

/* Migrate gives the planner statistics and the default order an index. */
static void test_migrate_analyzes(void **state)
{
	struct mm_test_store *f = *state;
	char buf[512];

	for (int i = 0; i < 30; i++)
		add(f, NULL, "統計", i, i % 2 ? "low" : "high", NULL);
	assert_int_equal(mm_store_migrate(f->st, all_schemas, 1), MM_OK);
	assert_true(mm_test_sql_int(f, "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'items' "
				       "AND idx = 'items_level_idx'") == 1);
	plan(f, "SELECT id FROM items WHERE retired = 0 ORDER BY id LIMIT 50", buf, sizeof(buf));
	assert_non_null(strstr(buf, "items_retired_idx"));
	assert_null(strstr(buf, "TEMP B-TREE"));
	plan(f, "SELECT id FROM items WHERE retired = 0 ORDER BY updated_at DESC, id DESC", buf,
	     sizeof(buf));
	assert_non_null(strstr(buf, "items_updated_at_idx"));
	assert_null(strstr(buf, "TEMP B-TREE"));
}

static void test_migrate_adds_column(void **state)
{
	struct mm_test_store *f = *state;
	const struct mm_schema *const v2[] = { &items2 };
	struct mm_record got, *r;
	struct mm_query q = query();
	struct mm_filter fl = { NF, MM_OP_EQ, text("本庁舎") };
	struct mm_page p;
	int64_t id;

	id = add(f, "A-1", "住民基本台帳システム", 5, "high", "2024-05-01");
	assert_int_equal(mm_store_migrate(f->st, v2, 1), MM_OK);
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM pragma_table_info('items') "
					    "WHERE name = 'place'"),
			 1);
	/* The old row keeps its values; the new field is NULL. */
	assert_int_equal(mm_rec_get(f->c, &items2, id, &f->a, &got), MM_OK);
	assert_string_equal(got.v[F_NAME].s, "住民基本台帳システム");
	assert_int_equal(got.v[F_SCORE].i, 5);
	assert_false(got.v[NF].set);
	/* The search index was rebuilt over the new column set. */
	r = make(f, "A-2", "庁内ネットワーク", 3, "low", NULL);
	r->v[NF] = text("本庁舎");
	assert_int_equal(mm_rec_insert(f->c, &items2, r), MM_OK);
	q.q = "基本台帳";
	assert_int_equal(mm_rec_list(f->c, &items2, &q, &f->a, &p), MM_OK);
	assert_int_equal(p.total, 1);
	q.q = "本庁舎";
	assert_int_equal(mm_rec_list(f->c, &items2, &q, &f->a, &p), MM_OK);
	assert_int_equal(p.total, 1);
	assert_int_equal(p.recs[0].id, r->id);
	q.q = NULL;
	q.filters = &fl;
	q.nfilters = 1;
	assert_int_equal(mm_rec_list(f->c, &items2, &q, &f->a, &p), MM_OK);
	assert_int_equal(p.total, 1);
	assert_int_equal(mm_store_migrate(f->st, v2, 1), MM_OK);
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM items"), 2);
}

static void test_bad_identifiers(void **state)
{
	struct mm_test_store *f = *state;
	static const struct mm_field bad_field[] = {
		{ "bad-name", "x", "x", MM_FT_TEXT, 0, 0, 0, NULL, 0, NULL },
	};
	static const struct mm_field quote_field[] = {
		{ "x\"; DROP TABLE items; --", "x", "x", MM_FT_TEXT, 0, 0, 0, NULL, 0, NULL },
	};
	static const struct mm_field system_field[] = {
		{ "version", "x", "x", MM_FT_INT, 0, 0, 0, NULL, 0, NULL },
	};
	static const struct mm_field dup_fields[] = {
		{ "a", "x", "x", MM_FT_INT, 0, 0, 0, NULL, 0, NULL },
		{ "a", "x", "x", MM_FT_INT, 0, 0, 0, NULL, 0, NULL },
	};
	static const struct mm_field ok_field[] = {
		{ "a", "x", "x", MM_FT_INT, 0, 0, 0, NULL, 0, NULL },
	};
	const struct mm_schema bad[] = {
		{ "Items", ok_field, 1 },
		{ "1items", ok_field, 1 },
		{ "items x", ok_field, 1 },
		{ "", ok_field, 1 },
		{ "meta", ok_field, 1 },
		{ "sqlite_x", ok_field, 1 },
		{ "t", bad_field, 1 },
		{ "t", quote_field, 1 },
		{ "t", system_field, 1 },
		{ "t", dup_fields, 2 },
		{ NULL, ok_field, 1 },
		{ "a_very_long_register_name_that_goes_past_the_limit_of_sixty_three", ok_field,
		  1 },
	};
	struct mm_record r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct mm_schema *one[] = { &bad[i] };
		assert_int_equal(mm_store_migrate(f->st, one, 1), MM_EINVAL);
		assert_int_equal(mm_rec_get(f->c, &bad[i], 1, &f->a, &r), MM_EINVAL);
	}
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM sqlite_schema WHERE name = 't'"),
			 0);
	assert_int_equal(
		mm_test_sql_int(f, "SELECT count(*) FROM sqlite_schema WHERE name = 'items'"), 1);
}

static void test_unmigrated_register(void **state)
{
	struct mm_test_store *f = *state;
	static const struct mm_field fl[] = {
		{ "a", "x", "x", MM_FT_INT, 0, 0, 0, NULL, 0, NULL },
	};
	const struct mm_schema other = { "other", fl, 1 };
	struct mm_record r;

	assert_int_equal(mm_rec_get(f->c, &other, 1, &f->a, &r), MM_EDB);
	assert_true(strlen(mm_conn_errmsg(f->c)) > 0);
}

/* Records. */

static void test_roundtrip(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_record *r = make(f, "A-1", "住民基本台帳システム", 42, "high", "2024-12-31");
	struct mm_record got;

	r->v[F_NOTE] = text("改行を\n含む備考 \"quoted\" 'single' %_\\");
	r->v[F_OWNER] = num(7);
	assert_int_equal(mm_rec_insert(f->c, &items, r), MM_OK);
	assert_int_equal(r->version, 1);
	assert_int_equal(mm_rec_get(f->c, &items, r->id, &f->a, &got), MM_OK);
	assert_int_equal(got.id, r->id);
	assert_int_equal(got.version, 1);
	assert_false(got.retired);
	assert_string_equal(got.created_at, "2024-04-01T09:00:00Z");
	assert_string_equal(got.updated_at, "2024-04-01T09:00:00Z");
	assert_string_equal(got.updated_by, "tanaka");
	assert_true(got.v[F_CODE].set);
	assert_string_equal(got.v[F_CODE].s, "A-1");
	assert_string_equal(got.v[F_NAME].s, "住民基本台帳システム");
	assert_string_equal(got.v[F_NOTE].s, "改行を\n含む備考 \"quoted\" 'single' %_\\");
	assert_true(got.v[F_SCORE].set);
	assert_int_equal(got.v[F_SCORE].i, 42);
	assert_string_equal(got.v[F_LEVEL].s, "high");
	assert_true(got.v[F_OWNER].set);
	assert_int_equal(got.v[F_OWNER].i, 7);
	assert_string_equal(got.v[F_DUE].s, "2024-12-31");

	/* Every field unset: NULL in storage, unset again when read. */
	r = make(f, NULL, NULL, -1, NULL, NULL);
	assert_int_equal(mm_rec_insert(f->c, &items, r), MM_OK);
	assert_int_equal(mm_rec_get(f->c, &items, r->id, &f->a, &got), MM_OK);
	for (int i = 0; i < NF; i++) {
		assert_false(got.v[i].set);
		assert_null(got.v[i].s);
	}
	/* Zero is a value, not NULL. */
	r = make(f, NULL, "", 0, NULL, NULL);
	assert_int_equal(mm_rec_insert(f->c, &items, r), MM_OK);
	assert_int_equal(mm_rec_get(f->c, &items, r->id, &f->a, &got), MM_OK);
	assert_true(got.v[F_SCORE].set);
	assert_int_equal(got.v[F_SCORE].i, 0);
	assert_true(got.v[F_NAME].set);
	assert_string_equal(got.v[F_NAME].s, "");

	r->created_at = NULL;
	assert_int_equal(mm_rec_insert(f->c, &items, r), MM_EINVAL);
}

static void test_not_found(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_record got, *r = make(f, "X", "x", 1, NULL, NULL);

	assert_int_equal(mm_rec_get(f->c, &items, 12345, &f->a, &got), MM_ENOTFOUND);
	r->id = 12345;
	r->version = 2;
	assert_int_equal(mm_rec_update(f->c, &items, r, 1), MM_ENOTFOUND);
}

/* Several records by id in one call: the ones that exist, at most
 * MM_GET_MANY_MAX asked. */
static void test_get_many(void **state)
{
	struct mm_test_store *f = *state;
	int64_t a = add(f, "M-1", "一", 1, NULL, NULL), b = add(f, "M-2", "二", 2, NULL, NULL);
	int64_t ids[3] = { b, 999999, a };
	struct mm_record got[3];
	size_t n = 99;

	assert_int_equal(mm_rec_get_many(f->c, &items, ids, 3, &f->a, got, &n), MM_OK);
	assert_int_equal(n, 2);
	assert_true((got[0].id == a && got[1].id == b) || (got[0].id == b && got[1].id == a));
	assert_string_equal(got[got[0].id == a ? 0 : 1].v[F_NAME].s, "一");
	assert_int_equal(mm_rec_get_many(f->c, &items, ids, 0, &f->a, got, &n), MM_OK);
	assert_int_equal(n, 0);
	assert_int_equal(mm_rec_get_many(f->c, &items, ids, MM_GET_MANY_MAX + 1, &f->a, got, &n),
			 MM_EINVAL);
}

static void test_update(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_record *r = make(f, "A-1", "旧名称", 10, "low", NULL);
	struct mm_record got;

	assert_int_equal(mm_rec_insert(f->c, &items, r), MM_OK);
	r->version = 2;
	r->updated_at = "2024-04-02T10:00:00Z";
	r->updated_by = "suzuki";
	r->created_at = "1999-01-01T00:00:00Z"; /* ignored: creation is fixed */
	r->v[F_NAME] = text("新名称");
	r->v[F_SCORE] = unset;
	assert_int_equal(mm_rec_update(f->c, &items, r, 1), MM_OK);
	assert_int_equal(mm_rec_get(f->c, &items, r->id, &f->a, &got), MM_OK);
	assert_int_equal(got.version, 2);
	assert_string_equal(got.v[F_NAME].s, "新名称");
	assert_false(got.v[F_SCORE].set);
	assert_string_equal(got.updated_by, "suzuki");
	assert_string_equal(got.updated_at, "2024-04-02T10:00:00Z");
	assert_string_equal(got.created_at, "2024-04-01T09:00:00Z");

	/* A writer that read version 1 is too late now. */
	r->version = 2;
	r->v[F_NAME] = text("別の名称");
	assert_int_equal(mm_rec_update(f->c, &items, r, 1), MM_ECONFLICT);
	assert_int_equal(mm_rec_get(f->c, &items, r->id, &f->a, &got), MM_OK);
	assert_string_equal(got.v[F_NAME].s, "新名称");
	assert_int_equal(got.version, 2);
	/* The failed update left the search index alone. */
	assert_int_equal(search(f, "新名称"), 1);
	assert_int_equal(search(f, "別の名称"), 0);
	assert_int_equal(search(f, "旧名称"), 0);
	assert_fts_consistent(f);
}

static void test_unique(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_record *r;
	int64_t id;

	add(f, "A-1", "一", 1, NULL, NULL);
	id = add(f, "A-2", "二", 1, NULL, NULL);
	r = make(f, "A-1", "重複", 1, NULL, NULL);
	assert_int_equal(mm_rec_insert(f->c, &items, r), MM_ECONFLICT);
	assert_int_equal(search(f, "重複"), 0);
	/* NULL is not a value: many records may leave it unset. */
	add(f, NULL, "三", 1, NULL, NULL);
	add(f, NULL, "四", 1, NULL, NULL);
	/* Updating into a taken value conflicts too. */
	r = make(f, "A-1", "二", 1, NULL, NULL);
	r->id = id;
	r->version = 2;
	assert_int_equal(mm_rec_update(f->c, &items, r, 1), MM_ECONFLICT);
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM items"), 4);
}

static void test_find(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_value v = text("A-2");
	int64_t a, b, id = 0;

	a = add(f, "A-1", "一", 10, NULL, NULL);
	b = add(f, "A-2", "二", 20, NULL, NULL);
	assert_int_equal(mm_rec_find(f->c, &items, F_CODE, &v, 0, &id), MM_OK);
	assert_int_equal(id, b);
	assert_int_equal(mm_rec_find(f->c, &items, F_CODE, &v, b, &id), MM_ENOTFOUND);
	v = num(10);
	assert_int_equal(mm_rec_find(f->c, &items, F_SCORE, &v, 0, &id), MM_OK);
	assert_int_equal(id, a);
	v = text("A-9");
	assert_int_equal(mm_rec_find(f->c, &items, F_CODE, &v, 0, &id), MM_ENOTFOUND);
	assert_int_equal(mm_rec_find(f->c, &items, F_CODE, &unset, 0, &id), MM_ENOTFOUND);
	assert_int_equal(mm_rec_find(f->c, &items, NF, &v, 0, &id), MM_EINVAL);
	assert_int_equal(mm_rec_find(f->c, &items, -1, &v, 0, &id), MM_EINVAL);
}

/* Lists. */

static void fill_five(struct mm_test_store *f)
{
	add(f, "C", "三番", 30, "high", "2024-03-01");
	add(f, "A", "一番", 10, "low", "2024-01-01");
	add(f, "E", "五番", 50, "high", NULL);
	add(f, "B", "二番", 20, "low", "2024-02-01");
	add(f, "D", "四番", 40, "high", "2024-04-01");
}

static void test_list_filters(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_query q = query();
	struct mm_filter fl[3];
	struct mm_page p;

	fill_five(f);
	q.filters = fl;
	q.nfilters = 1;

	fl[0] = (struct mm_filter){ F_LEVEL, MM_OP_EQ, text("high") };
	assert_int_equal(list(f, &q, &p), 3);
	fl[0] = (struct mm_filter){ F_SCORE, MM_OP_GE, num(30) };
	assert_int_equal(list(f, &q, &p), 3);
	fl[0] = (struct mm_filter){ F_SCORE, MM_OP_LE, num(30) };
	assert_int_equal(list(f, &q, &p), 3);
	fl[0] = (struct mm_filter){ F_SCORE, MM_OP_EQ, num(20) };
	assert_int_equal(list(f, &q, &p), 1);
	assert_string_equal(p.recs[0].v[F_CODE].s, "B");
	fl[0] = (struct mm_filter){ F_DUE, MM_OP_GE, text("2024-02-01") };
	assert_int_equal(list(f, &q, &p), 3);
	fl[0] = (struct mm_filter){ F_DUE, MM_OP_EQ, unset };
	assert_int_equal(list(f, &q, &p), 1);
	assert_string_equal(p.recs[0].v[F_CODE].s, "E");

	/* Filters combine with AND. */
	q.nfilters = 3;
	fl[0] = (struct mm_filter){ F_SCORE, MM_OP_GE, num(20) };
	fl[1] = (struct mm_filter){ F_SCORE, MM_OP_LE, num(40) };
	fl[2] = (struct mm_filter){ F_LEVEL, MM_OP_EQ, text("high") };
	assert_int_equal(list(f, &q, &p), 2);

	/* Refusals: unknown field, range over NULL, unknown sort. */
	q.nfilters = 1;
	fl[0] = (struct mm_filter){ NF, MM_OP_EQ, num(1) };
	assert_int_equal(mm_rec_list(f->c, &items, &q, &f->a, &p), MM_EINVAL);
	fl[0] = (struct mm_filter){ F_SCORE, MM_OP_GE, unset };
	assert_int_equal(mm_rec_list(f->c, &items, &q, &f->a, &p), MM_EINVAL);
	fl[0] = (struct mm_filter){ F_SCORE, (enum mm_op)9, num(1) };
	assert_int_equal(mm_rec_list(f->c, &items, &q, &f->a, &p), MM_EINVAL);
	q.nfilters = 0;
	q.sort = NF;
	assert_int_equal(mm_rec_list(f->c, &items, &q, &f->a, &p), MM_EINVAL);
	q.sort = -3;
	assert_int_equal(mm_rec_list(f->c, &items, &q, &f->a, &p), MM_EINVAL);
}

static void test_list_status(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_query q = query();
	struct mm_record *r;
	struct mm_page p;

	fill_five(f);
	r = make(f, "Z", "廃止予定", 1, NULL, NULL);
	assert_int_equal(mm_rec_insert(f->c, &items, r), MM_OK);
	r->retired = true;
	r->version = 2;
	assert_int_equal(mm_rec_update(f->c, &items, r, 1), MM_OK);

	assert_int_equal(list(f, &q, &p), 5);
	q.status = MM_RETIRED;
	assert_int_equal(list(f, &q, &p), 1);
	assert_true(p.recs[0].retired);
	assert_string_equal(p.recs[0].v[F_CODE].s, "Z");
	q.status = MM_ANY_STATUS;
	assert_int_equal(list(f, &q, &p), 6);
	/* Search honours the status too. */
	q.status = MM_ACTIVE;
	q.q = "廃止予定";
	assert_int_equal(list(f, &q, &p), 0);
	q.status = MM_RETIRED;
	assert_int_equal(list(f, &q, &p), 1);
}

static void assert_codes(const struct mm_page *p, const char *codes)
{
	assert_int_equal(p->n, strlen(codes));
	for (size_t i = 0; i < p->n; i++) {
		assert_non_null(p->recs[i].v[F_CODE].s);
		assert_int_equal(p->recs[i].v[F_CODE].s[0], codes[i]);
	}
}

static void test_list_sort(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_query q = query();
	struct mm_page p;

	fill_five(f);
	q.sort = F_SCORE;
	list(f, &q, &p);
	assert_codes(&p, "ABCDE");
	q.desc = true;
	list(f, &q, &p);
	assert_codes(&p, "EDCBA");
	q.sort = F_CODE;
	q.desc = false;
	list(f, &q, &p);
	assert_codes(&p, "ABCDE");
	q.sort = MM_SORT_ID;
	list(f, &q, &p);
	assert_codes(&p, "CAEBD");
	q.desc = true;
	list(f, &q, &p);
	assert_codes(&p, "DBEAC");
	/* NULL dates sort first ascending; equal keys fall back to id. */
	q.sort = F_DUE;
	q.desc = false;
	list(f, &q, &p);
	assert_codes(&p, "EABCD");
	q.sort = MM_SORT_UPDATED;
	list(f, &q, &p);
	assert_codes(&p, "CAEBD");
	q.desc = true;
	list(f, &q, &p);
	assert_codes(&p, "DBEAC");
}

/* The totals of unfiltered lists come from record_counts, which inserts and
 * updates keep in step. */
static void assert_totals(struct mm_test_store *f, int64_t active, int64_t retired)
{
	struct mm_query q = query();
	struct mm_page p;

	q.limit = 0;
	assert_int_equal(list(f, &q, &p), active);
	q.status = MM_RETIRED;
	assert_int_equal(list(f, &q, &p), retired);
	q.status = MM_ANY_STATUS;
	assert_int_equal(list(f, &q, &p), active + retired);
}

/* The same, committed, as seen by another connection. */
static void assert_stored_totals(struct mm_test_store *f, int64_t active, int64_t retired)
{
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM items WHERE retired = 0"),
			 active);
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM items WHERE retired = 1"),
			 retired);
	assert_int_equal(
		mm_test_sql_int(f, "SELECT active FROM record_counts WHERE register = 'items'"),
		active);
	assert_int_equal(
		mm_test_sql_int(f, "SELECT retired FROM record_counts WHERE register = 'items'"),
		retired);
}

static void test_list_totals(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_record *r, *dup, *gone;

	assert_totals(f, 0, 0);
	assert_stored_totals(f, 0, 0);
	r = make(f, "T-1", "一", 1, NULL, NULL);
	assert_int_equal(mm_rec_insert(f->c, &items, r), MM_OK);
	add(f, "T-2", "二", 2, NULL, NULL);
	add(f, "T-3", "三", 3, NULL, NULL);
	assert_totals(f, 3, 0);
	/* A refused insert counts nothing. */
	dup = make(f, "T-1", "重複", 1, NULL, NULL);
	assert_int_equal(mm_rec_insert(f->c, &items, dup), MM_ECONFLICT);
	assert_totals(f, 3, 0);
	assert_stored_totals(f, 3, 0);

	/* Retire, change while retired, restore. */
	r->retired = true;
	r->version = 2;
	assert_int_equal(mm_rec_update(f->c, &items, r, 1), MM_OK);
	assert_totals(f, 2, 1);
	r->version = 3;
	r->v[F_NAME] = text("一の改");
	assert_int_equal(mm_rec_update(f->c, &items, r, 2), MM_OK);
	assert_totals(f, 2, 1);
	r->retired = false;
	r->version = 4;
	assert_int_equal(mm_rec_update(f->c, &items, r, 3), MM_OK);
	assert_totals(f, 3, 0);
	assert_stored_totals(f, 3, 0);

	/* Refused retirements are rolled back with their counts: a stale
	 * version, a taken unique value, a missing record. */
	r->retired = true;
	r->version = 5;
	assert_int_equal(mm_rec_update(f->c, &items, r, 3), MM_ECONFLICT);
	r->v[F_CODE] = text("T-2");
	assert_int_equal(mm_rec_update(f->c, &items, r, 4), MM_ECONFLICT);
	r->v[F_CODE] = text("T-1");
	gone = make(f, "T-9", "無い", 1, NULL, NULL);
	gone->id = 9999;
	gone->retired = true;
	gone->version = 2;
	assert_int_equal(mm_rec_update(f->c, &items, gone, 1), MM_ENOTFOUND);
	assert_totals(f, 3, 0);
	assert_stored_totals(f, 3, 0);

	/* A refused update inside a transaction undoes only itself. */
	assert_int_equal(mm_tx_begin(f->c, true), MM_OK);
	r->v[F_CODE] = text("T-3");
	assert_int_equal(mm_rec_update(f->c, &items, r, 4), MM_ECONFLICT);
	r->v[F_CODE] = text("T-1");
	add(f, "T-4", "四", 4, NULL, NULL);
	assert_totals(f, 4, 0);
	assert_int_equal(mm_tx_commit(f->c), MM_OK);
	assert_totals(f, 4, 0);
	assert_stored_totals(f, 4, 0);

	/* A transaction rolled back takes its counts with it. */
	assert_int_equal(mm_tx_begin(f->c, true), MM_OK);
	add(f, "T-5", "五", 5, NULL, NULL);
	assert_int_equal(mm_rec_update(f->c, &items, r, 4), MM_OK);
	assert_totals(f, 4, 1);
	assert_stored_totals(f, 4, 0);
	mm_tx_rollback(f->c);
	assert_totals(f, 4, 0);
	assert_stored_totals(f, 4, 0);

	/* Every migration counts again, forgetting any drift. */
	sql_exec(f, "UPDATE record_counts SET active = 99, retired = 42 WHERE register = 'items'");
	assert_totals(f, 99, 42);
	assert_int_equal(mm_store_migrate(f->st, all_schemas, 1), MM_OK);
	assert_totals(f, 4, 0);
	assert_stored_totals(f, 4, 0);

	/* Without a row for the register, lists count their rows. */
	sql_exec(f, "DELETE FROM record_counts");
	assert_totals(f, 4, 0);
	add(f, "T-6", "六", 6, NULL, NULL);
	assert_totals(f, 5, 0);
}

/* Lists reuse their prepared statements: more distinct queries than the
 * cache holds, each run with changing values, give the same answers every
 * round. */
static void test_list_statement_cache(void **state)
{
	struct mm_test_store *f = *state;
	static const int sorts[] = { MM_SORT_ID, MM_SORT_UPDATED, F_CODE, F_NAME, F_SCORE, F_DUE };
	static const char *const codes[] = { "A", "B", "C", "D", "E" };
	enum { NSHAPES = 6 * 2 * 3 };
	int64_t totals[NSHAPES][6];
	int64_t first[NSHAPES][6];
	struct mm_filter fl;
	struct mm_page p;

	fill_five(f);
	for (int round = 0; round < 3; round++) {
		for (int k = 0; k < NSHAPES; k++) {
			struct mm_query q = query();
			int shape = round == 1 ? NSHAPES - 1 - k : k;

			q.sort = sorts[shape % 6];
			q.desc = (shape / 6) % 2;
			q.status = (enum mm_status_filter)(shape / 12);
			q.filters = &fl;
			q.nfilters = 1;
			/* One statement, six values: score >= 0, 10, ..., 50. */
			for (int i = 0; i < 6; i++) {
				fl = (struct mm_filter){ F_SCORE, MM_OP_GE, num(i * 10) };
				list(f, &q, &p);
				if (round == 0) {
					totals[shape][i] = p.total;
					first[shape][i] = p.n ? p.recs[0].id : 0;
					continue;
				}
				assert_int_equal(p.total, totals[shape][i]);
				assert_int_equal(p.n ? p.recs[0].id : 0, first[shape][i]);
			}
		}
	}
	/* The answers themselves: score >= 30 holds C, D and E. */
	for (int k = 0; k < NSHAPES; k++) {
		assert_int_equal(totals[k][0], k / 12 == MM_RETIRED ? 0 : 5);
		assert_int_equal(totals[k][3], k / 12 == MM_RETIRED ? 0 : 3);
	}
	/* Text values bound from memory that is gone by the next call. */
	for (int i = 0; i < 5; i++) {
		struct mm_query q = query();
		char *code = mm_arena_strdup(&f->a, codes[i]);

		fl = (struct mm_filter){ F_CODE, MM_OP_EQ, text(code) };
		q.filters = &fl;
		q.nfilters = 1;
		assert_int_equal(list(f, &q, &p), 1);
		assert_string_equal(p.recs[0].v[F_CODE].s, codes[i]);
		code[0] = 'x';
	}
}

/* A filter matching few records sorts its matches (ORDER BY +term); one
 * matching most walks the index of the order. Both give the same order. */
static void test_list_sort_filtered(void **state)
{
	struct mm_test_store *f = *state;
	static const struct {
		int sort;
		bool desc;
		const char *codes;
	} want[] = {
		{ F_SCORE, false, "CDE" },	   { F_SCORE, true, "EDC" },
		{ F_CODE, false, "CDE" },	   { F_NAME, false, "CED" },
		{ MM_SORT_ID, false, "CED" },	   { MM_SORT_ID, true, "DEC" },
		{ F_DUE, false, "ECD" },	   { F_DUE, true, "DCE" },
		{ MM_SORT_UPDATED, false, "CED" }, { MM_SORT_UPDATED, true, "DEC" },
	};
	struct mm_query q = query();
	struct mm_filter fl = { F_LEVEL, MM_OP_EQ, text("high") };
	struct mm_page p, all;

	fill_five(f);
	q.filters = &fl;
	q.nfilters = 1;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		q.sort = want[i].sort;
		q.desc = want[i].desc;
		assert_int_equal(list(f, &q, &p), 3);
		assert_codes(&p, want[i].codes);
		/* Pages of the sorted matches. */
		q.limit = 1;
		q.offset = 2;
		assert_int_equal(list(f, &q, &p), 3);
		assert_int_equal(p.n, 1);
		assert_int_equal(p.recs[0].v[F_CODE].s[0], want[i].codes[2]);
		q.limit = 100;
		q.offset = 0;
	}
	/* A filter that matches everything walks: same order as no filter. */
	fl = (struct mm_filter){ F_SCORE, MM_OP_GE, num(0) };
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct mm_query u = query();

		q.sort = u.sort = want[i].sort;
		q.desc = u.desc = want[i].desc;
		assert_int_equal(list(f, &q, &p), 5);
		list(f, &u, &all);
		assert_int_equal(p.n, all.n);
		for (size_t k = 0; k < p.n; k++)
			assert_int_equal(p.recs[k].id, all.recs[k].id);
	}
	/* A bad order is refused even when nothing matches. */
	fl = (struct mm_filter){ F_SCORE, MM_OP_GE, num(1000) };
	q.sort = NF;
	assert_int_equal(mm_rec_list(f->c, &items, &q, &f->a, &p), MM_EINVAL);
}

static void test_list_paging(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_query q = query();
	struct mm_page p;
	char code[8];

	for (int i = 0; i < 25; i++) {
		snprintf(code, sizeof(code), "P%02d", i);
		add(f, mm_arena_strdup(&f->a, code), "頁", i, NULL, NULL);
	}
	q.sort = F_SCORE;
	q.limit = 10;
	assert_int_equal(list(f, &q, &p), 25);
	assert_int_equal(p.n, 10);
	assert_int_equal(p.recs[0].v[F_SCORE].i, 0);
	q.offset = 10;
	list(f, &q, &p);
	assert_int_equal(p.n, 10);
	assert_int_equal(p.recs[0].v[F_SCORE].i, 10);
	q.offset = 20;
	assert_int_equal(list(f, &q, &p), 25);
	assert_int_equal(p.n, 5);
	assert_int_equal(p.recs[4].v[F_SCORE].i, 24);
	q.offset = 30;
	assert_int_equal(list(f, &q, &p), 25);
	assert_int_equal(p.n, 0);
	q.offset = 0;
	q.limit = 0;
	assert_int_equal(list(f, &q, &p), 25);
	assert_int_equal(p.n, 0);
}

/* Search. */

static void test_search_japanese(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_record *r;
	struct mm_page p;
	struct mm_query q = query();
	int64_t id;

	id = add(f, "S-1", "住民基本台帳システム", 1, NULL, NULL);
	add(f, "S-2", "財務会計システム", 1, NULL, NULL);
	r = make(f, "S-3", "庁内LAN", 1, NULL, NULL);
	r->v[F_NOTE] = text("戸籍台帳の端末を接続");
	assert_int_equal(mm_rec_insert(f->c, &items, r), MM_OK);

	/* Three or more characters: the trigram index. */
	q.q = "住民基本台帳";
	assert_int_equal(list(f, &q, &p), 1);
	assert_int_equal(p.recs[0].id, id);
	assert_int_equal(search(f, "基本台"), 1);
	assert_int_equal(search(f, "システム"), 2);
	assert_int_equal(search(f, "戸籍台帳"), 1);
	assert_int_equal(search(f, "lan"), 1);
	assert_int_equal(search(f, "存在しない語"), 0);
	/* Fewer than three: LIKE over the search columns. */
	assert_int_equal(search(f, "台帳"), 2);
	assert_int_equal(search(f, "財"), 1);
	assert_int_equal(search(f, "La"), 1);
	/* An empty query matches everything. */
	assert_int_equal(search(f, ""), 3);

	/* The index follows updates. */
	r->v[F_NOTE] = text("無線アクセスポイント");
	r->version = 2;
	assert_int_equal(mm_rec_update(f->c, &items, r, 1), MM_OK);
	assert_int_equal(search(f, "戸籍台帳"), 0);
	assert_int_equal(search(f, "アクセス"), 1);
	assert_int_equal(search(f, "台帳"), 1);
	assert_fts_consistent(f);
}

static void test_search_literal(void **state)
{
	struct mm_test_store *f = *state;
	static const char *const odd[] = {
		"\"",	 "\"\"",   "\"x",  "%",	    "_",     "\\",
		"%%",	 "a OR b", "OR",   "*",	    "台帳*", "NEAR(a b)",
		"a AND", "(",	   "^abc", "col:x", "-x",    "'; DROP TABLE items; --",
	};

	add(f, "L-1", "50% \"off\" OR *", 1, NULL, NULL);
	add(f, "L-2", "a_b", 1, NULL, NULL);
	add(f, "L-3", "axb", 1, NULL, NULL);
	add(f, "L-4", "c:\\dir", 1, NULL, NULL);
	add(f, "L-5", "or else", 1, NULL, NULL);

	assert_int_equal(search(f, "\"off\""), 1);
	assert_int_equal(search(f, "\"o"), 1);
	assert_int_equal(search(f, "%"), 1);
	assert_int_equal(search(f, "0%"), 1);
	assert_int_equal(search(f, "_"), 1);
	assert_int_equal(search(f, "a_b"), 1);
	assert_int_equal(search(f, "_b"), 1);
	assert_int_equal(search(f, "\\"), 1);
	assert_int_equal(search(f, ":\\d"), 1);
	assert_int_equal(search(f, "OR *"), 1);
	assert_int_equal(search(f, "*"), 1);
	assert_int_equal(search(f, "OR"), 2); /* "OR *" and "or else" */
	assert_int_equal(search(f, "a OR b"), 0);
	assert_int_equal(search(f, "a*"), 0);
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
		assert_in_range(search(f, odd[i]), 0, 5);
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM items"), 5);
}

/* History, counters, settings. */

static void test_history(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_hist h = { 1,	       1,	 "2024-04-01T09:00:00Z",
			     "tanaka", "create", "{\"name\":[null,\"一\"]}" };
	struct mm_hist *v;
	size_t n;

	assert_int_equal(mm_hist_add(f->c, &items, &h), MM_OK);
	h.version = 3;
	h.action = "retire";
	h.changes = "{}";
	assert_int_equal(mm_hist_add(f->c, &items, &h), MM_OK);
	h.version = 2;
	h.action = "update";
	h.actor = "鈴木";
	assert_int_equal(mm_hist_add(f->c, &items, &h), MM_OK);
	h.record_id = 2;
	h.version = 1;
	assert_int_equal(mm_hist_add(f->c, &items, &h), MM_OK);
	/* One entry per version. */
	h.record_id = 1;
	assert_int_equal(mm_hist_add(f->c, &items, &h), MM_ECONFLICT);
	h.changes = NULL;
	assert_int_equal(mm_hist_add(f->c, &items, &h), MM_EINVAL);

	assert_int_equal(mm_hist_list(f->c, &items, 1, &f->a, &v, &n), MM_OK);
	assert_int_equal(n, 3);
	assert_int_equal(v[0].version, 1);
	assert_string_equal(v[0].action, "create");
	assert_string_equal(v[0].changes, "{\"name\":[null,\"一\"]}");
	assert_int_equal(v[1].version, 2);
	assert_string_equal(v[1].actor, "鈴木");
	assert_int_equal(v[2].version, 3);
	assert_string_equal(v[2].action, "retire");
	assert_int_equal(v[2].record_id, 1);
	assert_int_equal(mm_hist_list(f->c, &items, 99, &f->a, &v, &n), MM_OK);
	assert_int_equal(n, 0);
}

static void test_history_many(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_hist h = { 5, 0, "2024-04-01T09:00:00Z", "tanaka", "update", "{}" };
	struct mm_hist *v;
	size_t n;

	for (int i = 1; i <= 40; i++) {
		h.version = i;
		assert_int_equal(mm_hist_add(f->c, &items, &h), MM_OK);
	}
	assert_int_equal(mm_hist_list(f->c, &items, 5, &f->a, &v, &n), MM_OK);
	assert_int_equal(n, 40);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(v[i].version, (int64_t)i + 1);
}

static void test_seq(void **state)
{
	struct mm_test_store *f = *state;
	int64_t v = 0;

	for (int64_t i = 1; i <= 3; i++) {
		assert_int_equal(mm_seq_next(f->c, "incident", &v), MM_OK);
		assert_int_equal(v, i);
	}
	assert_int_equal(mm_seq_next(f->c, "asset", &v), MM_OK);
	assert_int_equal(v, 1);
	assert_int_equal(mm_seq_next(f->c, "incident", &v), MM_OK);
	assert_int_equal(v, 4);
}

static void test_meta(void **state)
{
	struct mm_test_store *f = *state;
	const char *v = "x";

	assert_int_equal(mm_meta_get(f->c, "org_name", &f->a, &v), MM_ENOTFOUND);
	assert_null(v);
	assert_int_equal(mm_meta_set(f->c, "org_name", "みなと市"), MM_OK);
	assert_int_equal(mm_meta_get(f->c, "org_name", &f->a, &v), MM_OK);
	assert_string_equal(v, "みなと市");
	assert_int_equal(mm_meta_set(f->c, "org_name", "さくら市"), MM_OK);
	assert_int_equal(mm_meta_get(f->c, "org_name", &f->a, &v), MM_OK);
	assert_string_equal(v, "さくら市");
	assert_int_equal(mm_meta_set(f->c, "empty", ""), MM_OK);
	assert_int_equal(mm_meta_get(f->c, "empty", &f->a, &v), MM_OK);
	assert_string_equal(v, "");
}

/* Transactions. */

static void test_tx(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_record got;
	int64_t id, seq;

	assert_int_equal(mm_tx_begin(f->c, true), MM_OK);
	id = add(f, "T-1", "取消される", 1, NULL, NULL);
	assert_int_equal(mm_seq_next(f->c, "t", &seq), MM_OK);
	mm_tx_rollback(f->c);
	assert_int_equal(mm_rec_get(f->c, &items, id, &f->a, &got), MM_ENOTFOUND);
	assert_int_equal(search(f, "取消される"), 0);
	assert_int_equal(mm_seq_next(f->c, "t", &seq), MM_OK);
	assert_int_equal(seq, 1);

	assert_int_equal(mm_tx_begin(f->c, true), MM_OK);
	id = add(f, "T-2", "確定される", 1, NULL, NULL);
	assert_int_equal(mm_tx_commit(f->c), MM_OK);
	assert_int_equal(mm_rec_get(f->c, &items, id, &f->a, &got), MM_OK);
	assert_int_equal(search(f, "確定される"), 1);

	assert_int_equal(mm_tx_begin(f->c, false), MM_OK);
	assert_int_equal(mm_rec_get(f->c, &items, id, &f->a, &got), MM_OK);
	assert_int_equal(mm_tx_commit(f->c), MM_OK);
	/* Rolling back with nothing open does nothing. */
	mm_tx_rollback(f->c);
	/* A commit without a transaction fails. */
	assert_int_equal(mm_tx_commit(f->c), MM_EDB);
}

static int64_t gen(struct mm_conn *c)
{
	int64_t g = -1;

	assert_int_equal(mm_store_generation(c, &g), MM_OK);
	return g;
}

/* The generation moves on with every committed write, from any connection,
 * and with nothing else. */
static void test_generation(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_conn *other = mm_store_acquire(f->st);
	struct mm_record got;
	int64_t g0 = gen(f->c), id;

	assert_non_null(other);
	assert_int_equal(mm_tx_begin(f->c, true), MM_OK);
	id = add(f, "G-1", "世代", 1, NULL, NULL);
	mm_tx_rollback(f->c);
	assert_int_equal(gen(f->c), g0);
	assert_int_equal(mm_tx_begin(f->c, true), MM_OK);
	id = add(f, "G-2", "世代", 1, NULL, NULL);
	assert_int_equal(mm_tx_commit(f->c), MM_OK);
	assert_true(gen(other) > g0);
	g0 = gen(other);
	/* A read transaction, and a write transaction that wrote nothing. */
	assert_int_equal(mm_tx_begin(f->c, false), MM_OK);
	assert_int_equal(mm_rec_get(f->c, &items, id, &f->a, &got), MM_OK);
	assert_int_equal(mm_tx_commit(f->c), MM_OK);
	assert_int_equal(mm_tx_begin(f->c, true), MM_OK);
	assert_int_equal(mm_tx_commit(f->c), MM_OK);
	assert_int_equal(gen(f->c), g0);
	/* A write outside an explicit transaction (its own) counts too. */
	add(f, "G-3", "世代", 1, NULL, NULL);
	assert_true(gen(other) > g0);
	mm_store_release(f->st, other);
}

static void test_release_rolls_back(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_conn *c = mm_store_acquire(f->st);
	struct mm_record got;
	int64_t id;

	assert_non_null(c);
	assert_int_equal(mm_tx_begin(c, true), MM_OK);
	assert_int_equal(mm_meta_set(c, "left", "open"), MM_OK);
	mm_store_release(f->st, c);
	/* The write lock is free again and the change is gone. */
	id = add(f, "R-1", "解放後", 1, NULL, NULL);
	assert_int_equal(mm_rec_get(f->c, &items, id, &f->a, &got), MM_OK);
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM meta WHERE key = 'left'"), 0);
}

/* The pool. */

struct worker {
	struct mm_store *st;
	int n;
	int ok;
	int busy;
};

enum { PER_THREAD = 50 };

static void *insert_many(void *arg)
{
	struct worker *w = arg;
	struct mm_arena a;
	struct mm_conn *c;
	char code[32];

	mm_arena_init(&a, 0);
	c = mm_store_acquire(w->st);
	if (!c)
		return NULL;
	for (int i = 0; i < PER_THREAD; i++) {
		struct mm_value v[NF] = { 0 };
		struct mm_record r = {
			0, 0, false, "2024-04-01T09:00:00Z", "2024-04-01T09:00:00Z", "worker", v
		};
		struct mm_hist h = { 0, 1, "2024-04-01T09:00:00Z", "worker", "create", "{}" };
		int64_t seq;
		int rc;

		snprintf(code, sizeof(code), "W%d-%d", w->n, i);
		v[F_CODE] = text(code);
		v[F_NAME] = text("並行挿入テスト");
		v[F_SCORE] = num(i);
		/* Alternate explicit write transactions and autocommit. */
		if (i % 2) {
			rc = mm_tx_begin(c, true);
			if (!rc)
				rc = mm_rec_insert(c, &items, &r);
			h.record_id = r.id;
			if (!rc)
				rc = mm_hist_add(c, &items, &h);
			if (!rc)
				rc = mm_seq_next(c, "worker", &seq);
			if (!rc)
				rc = mm_tx_commit(c);
			else
				mm_tx_rollback(c);
		} else {
			rc = mm_rec_insert(c, &items, &r);
		}
		if (rc == MM_OK)
			w->ok++;
		else if (rc == MM_EBUSY)
			w->busy++;
	}
	mm_store_release(w->st, c);
	mm_arena_free(&a);
	return NULL;
}

static void test_pool_threads(void **state)
{
	struct mm_test_store *f = *state;
	pthread_t t[4];
	struct worker w[4];
	struct mm_query q = query();
	struct mm_page p;

	/* Give the fixture's connection back so four are free. */
	mm_store_release(f->st, f->c);
	f->c = NULL;
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){ f->st, i, 0, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, insert_many, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].busy, 0);
		assert_int_equal(w[i].ok, PER_THREAD);
	}
	f->c = mm_store_acquire(f->st);
	assert_non_null(f->c);
	q.limit = 1;
	assert_int_equal(list(f, &q, &p), 4 * PER_THREAD);
	assert_int_equal(search(f, "並行挿入"), 4 * PER_THREAD);
	assert_int_equal(mm_test_sql_int(f, "SELECT value FROM sequences WHERE name = 'worker'"),
			 4 * PER_THREAD / 2);
	assert_fts_consistent(f);
}

struct waiter {
	struct mm_store *st;
	struct mm_conn *got;
};

static void *acquire_one(void *arg)
{
	struct waiter *w = arg;

	w->got = mm_store_acquire(w->st);
	return NULL;
}

static void test_pool_blocks(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_store *st;
	struct mm_conn *c;
	struct waiter w;
	pthread_t t;
	char why[128];

	assert_int_equal(mm_store_open(f->path, 1, &st, why, sizeof(why)), MM_OK);
	c = mm_store_acquire(st);
	assert_non_null(c);
	w = (struct waiter){ st, NULL };
	assert_int_equal(pthread_create(&t, NULL, acquire_one, &w), 0);
	usleep(100 * 1000);
	assert_null(w.got); /* still waiting: the only connection is taken */
	mm_store_release(st, c);
	pthread_join(t, NULL);
	assert_ptr_equal(w.got, c);
	mm_store_release(st, w.got);
	mm_store_close(st);
}

/* Closing the idle connections leaves the one in use alone, and frees
 * their places in the pool: with a pool of two, two can be taken again. */
static void test_pool_close_idle(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_store *st;
	struct mm_conn *inuse, *idle;
	struct waiter w[2];
	pthread_t t[2];
	const char *v;
	char why[128];

	assert_int_equal(mm_store_open(f->path, 2, &st, why, sizeof(why)), MM_OK);
	inuse = mm_store_acquire(st);
	idle = mm_store_acquire(st);
	assert_non_null(inuse);
	assert_non_null(idle);
	assert_int_equal(mm_meta_set(idle, "k", "v"), MM_OK);
	mm_store_release(st, idle);
	mm_store_close_idle(st);
	assert_int_equal(mm_meta_get(inuse, "k", &f->a, &v), MM_OK);
	assert_string_equal(v, "v");
	mm_store_release(st, inuse);
	mm_store_close_idle(st);
	for (int i = 0; i < 2; i++) {
		w[i] = (struct waiter){ st, NULL };
		assert_int_equal(pthread_create(&t[i], NULL, acquire_one, &w[i]), 0);
	}
	for (int i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		assert_non_null(w[i].got);
		assert_int_equal(mm_meta_get(w[i].got, "k", &f->a, &v), MM_OK);
	}
	for (int i = 0; i < 2; i++)
		mm_store_release(st, w[i].got);
	mm_store_close(st);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, mm_test_store_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_open_urls),
		T(test_connection_settings),
		T(test_migrate_twice),
		T(test_migrate_analyzes),
		T(test_migrate_adds_column),
		T(test_bad_identifiers),
		T(test_unmigrated_register),
		T(test_roundtrip),
		T(test_not_found),
		T(test_get_many),
		T(test_update),
		T(test_unique),
		T(test_find),
		T(test_list_filters),
		T(test_list_status),
		T(test_list_sort),
		T(test_list_totals),
		T(test_list_statement_cache),
		T(test_list_sort_filtered),
		T(test_list_paging),
		T(test_search_japanese),
		T(test_search_literal),
		T(test_history),
		T(test_history_many),
		T(test_seq),
		T(test_meta),
		T(test_tx),
		T(test_generation),
		T(test_release_rolls_back),
		T(test_pool_threads),
		T(test_pool_blocks),
		T(test_pool_close_idle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
