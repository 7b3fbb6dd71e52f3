/* level_counts (migration 15): the number of active and retired records at
 * each level of a register with a level field (MM_F_LEVEL). Every insert
 * and update keeps it, a conflict or a rollback leaves it as it was, every
 * migration counts it again, and the totals of lists with an access
 * condition take their every-section part from it. The same cases run on
 * SQLite and, when the test cluster answers (MAMORI_PG_URL), on
 * PostgreSQL. */
#include "core/arena.h"
#include "core/err.h"
#include "core/schema.h"
#include "store/grants.h"
#include "store/store.h"

#include <libpq-fe.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

static const struct mm_field doc_fields[] = {
	{ "code", "コード", "Code", MM_FT_TEXT, MM_F_UNIQUE | MM_F_SORT, 0, 32, NULL, 0, NULL },
	{ "class", "機密性", "Class", MM_FT_INT, MM_F_LEVEL | MM_F_FILTER, 1, 4, NULL, 0, NULL },
	{ "owner", "所管課", "Owner", MM_FT_REF, MM_F_FILTER, 0, 0, NULL, 0, "units" },
};
enum { F_CODE, F_CLASS, F_OWNER, NF };

static const struct mm_schema docs = { "docs", doc_fields, NF };
static const struct mm_schema *const all_schemas[] = { &docs };

/* The level counts as rows "level,active,retired;", zero rows left out. */
static const char counts_sql[] =
	"SELECT level, active, retired FROM level_counts WHERE register = 'docs' "
	"AND (active <> 0 OR retired <> 0) ORDER BY level";
/* The same, counted from the records. */
static const char rows_sql[] = "SELECT coalesce(class, 4), count(*) FILTER (WHERE retired = 0), "
			       "count(*) FILTER (WHERE retired <> 0) FROM docs GROUP BY 1 "
			       "ORDER BY 1";

struct fx {
	bool pg;
	char admin[512];  /* PostgreSQL: the cluster's URL */
	char name[64];	  /* PostgreSQL: this test's database */
	char target[600]; /* the database file or URL */
	struct mm_store *st;
	struct mm_conn *c;
	struct mm_arena a;
	char out[512];
};

static const char *cluster_url(void)
{
	const char *u = getenv("MAMORI_PG_URL");

	return u && *u ? u : "postgresql://mamori@127.0.0.1:54329/postgres";
}

/* Runs sql on PostgreSQL at url; its rows, as counts_sql's, to out. */
static bool pg_run(const char *url, const char *sql, char *out, size_t n)
{
	PGconn *pg = PQconnectdb(url);
	bool ok = false;
	size_t k = 0;

	if (out)
		out[0] = '\0';
	if (PQstatus(pg) == CONNECTION_OK) {
		PGresult *r = PQexec(pg, sql);

		ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
		for (int i = 0; ok && out && i < PQntuples(r); i++)
			k += (size_t)snprintf(out + k, n - k, "%s,%s,%s;", PQgetvalue(r, i, 0),
					      PQgetvalue(r, i, 1), PQgetvalue(r, i, 2));
		PQclear(r);
	}
	PQfinish(pg);
	return ok;
}

/* Runs sql on the SQLite file path behind the store's back; rows to out. */
static bool sq_run(const char *path, const char *sql, char *out, size_t n)
{
	sqlite3_stmt *st;
	sqlite3 *db;
	size_t k = 0;
	int src = SQLITE_ERROR;

	if (out)
		out[0] = '\0';
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		return false;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		st = NULL;
	while (st && (src = sqlite3_step(st)) == SQLITE_ROW)
		if (out)
			k += (size_t)snprintf(out + k, n - k, "%lld,%lld,%lld;",
					      (long long)sqlite3_column_int64(st, 0),
					      (long long)sqlite3_column_int64(st, 1),
					      (long long)sqlite3_column_int64(st, 2));
	if (src != SQLITE_DONE)
		fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return src == SQLITE_DONE;
}

/* The rows of sql, as counts_sql's. */
static const char *rows(struct fx *f, const char *sql)
{
	bool ok = f->pg ? pg_run(f->target, sql, f->out, sizeof(f->out))
			: sq_run(f->target, sql, f->out, sizeof(f->out));

	assert_true(ok);
	return f->out;
}

/* level_counts agrees with the records, and holds want. */
static void check_counts(struct fx *f, const char *want)
{
	char counted[512];

	snprintf(counted, sizeof(counted), "%s", rows(f, rows_sql));
	assert_string_equal(rows(f, counts_sql), counted);
	assert_string_equal(counted, want);
}

static int open_store(struct fx *f)
{
	char why[256];

	if (mm_store_open(f->target, 2, &f->st, why, sizeof(why)) != MM_OK) {
		fprintf(stderr, "open: %s\n", why);
		return -1;
	}
	if (mm_store_migrate(f->st, all_schemas, 1) != MM_OK)
		return -1;
	f->c = mm_store_acquire(f->st);
	return f->c ? 0 : -1;
}

static int setup_sqlite(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	int fd;

	if (!f)
		return -1;
	*state = f;
	snprintf(f->target, sizeof(f->target), "/tmp/mm_levels_test_XXXXXX");
	fd = mkstemp(f->target);
	if (fd < 0)
		return -1;
	close(fd);
	mm_arena_init(&f->a, 0);
	return open_store(f);
}

static int setup_pg(void **state)
{
	static int serial;
	struct fx *f = calloc(1, sizeof(*f));
	const char *host, *slash;
	char sql[128];

	if (!f)
		return -1;
	*state = f;
	f->pg = true;
	mm_arena_init(&f->a, 0);
	snprintf(f->admin, sizeof(f->admin), "%s", cluster_url());
	snprintf(f->name, sizeof(f->name), "mm_levels_%d_%d", (int)getpid(), ++serial);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", f->name);
	if (!pg_run(f->admin, sql, NULL, 0)) {
		f->name[0] = '\0';
		return 0; /* no cluster: the test skips */
	}
	host = strstr(f->admin, "://");
	slash = host ? strchr(host + 3, '/') : NULL;
	snprintf(f->target, sizeof(f->target), "%.*s/%s",
		 (int)(slash ? (size_t)(slash - f->admin) : strlen(f->admin)), f->admin, f->name);
	return open_store(f);
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char sql[160];

	if (f->c)
		mm_store_release(f->st, f->c);
	mm_store_close(f->st);
	if (f->pg && f->name[0]) {
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", f->name);
		pg_run(f->admin, sql, NULL, 0);
	} else if (!f->pg && f->target[0]) {
		char side[700];

		unlink(f->target);
		snprintf(side, sizeof(side), "%s-wal", f->target);
		unlink(side);
		snprintf(side, sizeof(side), "%s-shm", f->target);
		unlink(side);
	}
	mm_arena_free(&f->a);
	free(f);
	return 0;
}

static struct mm_record *make(struct fx *f, const char *code, int64_t class, int64_t owner)
{
	struct mm_record *r = mm_arena_zalloc(&f->a, sizeof(*r));

	assert_non_null(r);
	r->v = mm_arena_zalloc(&f->a, NF * sizeof(*r->v));
	assert_non_null(r->v);
	r->created_at = r->updated_at = "2026-04-01T09:00:00Z";
	r->updated_by = "tanaka";
	r->v[F_CODE] = (struct mm_value){ true, 0, code };
	r->v[F_CLASS] = (struct mm_value){ class > 0, class, NULL };
	r->v[F_OWNER] = (struct mm_value){ owner > 0, owner, NULL };
	return r;
}

static struct mm_record *insert(struct fx *f, const char *code, int64_t class, int64_t owner)
{
	struct mm_record *r = make(f, code, class, owner);

	assert_int_equal(mm_rec_insert(f->c, &docs, r), MM_OK);
	return r;
}

/* Updates r to class and retired, from its version. */
static int change(struct fx *f, struct mm_record *r, int64_t class, bool retired)
{
	int rc;

	r->v[F_CLASS] = (struct mm_value){ class > 0, class, NULL };
	r->retired = retired;
	r->version++;
	rc = mm_rec_update(f->c, &docs, r, r->version - 1);
	if (rc)
		r->version--;
	return rc;
}

/* The total of a list for a reader who sees every section's records up to
 * all_max and section 7's up to 3; *n gets the number of rows, read with
 * the whole condition. */
static int64_t list_total(struct fx *f, int all_max, enum mm_status_filter status, size_t *n)
{
	static const int64_t near[] = { 7 };
	struct mm_acl acl = { .class_field = F_CLASS,
			      .owner_field = F_OWNER,
			      .all_max = all_max,
			      .near_max = 3,
			      .grant_max = 3,
			      .sections = near,
			      .nsections = 1 };
	struct mm_query q = { .sort = MM_SORT_ID, .status = status, .limit = 100, .acl = &acl };
	struct mm_page p;

	assert_int_equal(mm_rec_list(f->c, &docs, &q, &f->a, &p), MM_OK);
	*n = p.n;
	return p.total;
}

/* The same, checked against the rows. */
static int64_t total(struct fx *f, int all_max, enum mm_status_filter status)
{
	size_t n;
	int64_t t = list_total(f, all_max, status, &n);

	assert_int_equal(t, (int64_t)n);
	return t;
}

#define NEED_DB(f)                                                                                 \
	do {                                                                                       \
		if (!(f)->st)                                                                      \
			skip();                                                                    \
	} while (0)

/* Inserts count at their level (an empty one at 4); a duplicate insert,
 * alone or in a transaction that commits, counts nothing. */
static void test_inserts(void **state)
{
	struct fx *f = *state;

	NEED_DB(f);
	check_counts(f, "");
	insert(f, "D-1", 1, 0);
	insert(f, "D-2", 1, 7);
	insert(f, "D-3", 2, 0);
	insert(f, "D-4", 3, 7);
	insert(f, "D-5", 4, 0);
	insert(f, "D-6", 0, 0);
	assert_int_equal(mm_rec_insert(f->c, &docs, make(f, "D-1", 2, 0)), MM_ECONFLICT);
	assert_int_equal(mm_tx_begin(f->c, true), MM_OK);
	assert_int_equal(mm_rec_insert(f->c, &docs, make(f, "D-2", 3, 0)), MM_ECONFLICT);
	insert(f, "D-7", 3, 0);
	assert_int_equal(mm_tx_commit(f->c), MM_OK);
	check_counts(f, "1,2,0;2,1,0;3,2,0;4,2,0;");
	/* Levels 1–2 anywhere, and section 7's level 3. */
	assert_int_equal(total(f, 2, MM_ACTIVE), 4);
	assert_int_equal(total(f, 1, MM_ACTIVE), 3);
	assert_int_equal(total(f, 3, MM_ACTIVE), 5);
}

/* An update moves a record's count to its new level and state; a stale
 * version or a rolled-back transaction moves nothing. */
static void test_updates(void **state)
{
	struct fx *f = *state;
	struct mm_record *a, *b, *c;

	NEED_DB(f);
	a = insert(f, "U-1", 1, 0);
	b = insert(f, "U-2", 2, 0);
	c = insert(f, "U-3", 0, 7);
	check_counts(f, "1,1,0;2,1,0;4,1,0;");
	assert_int_equal(change(f, a, 3, false), MM_OK); /* level only */
	check_counts(f, "2,1,0;3,1,0;4,1,0;");
	assert_int_equal(change(f, b, 2, true), MM_OK); /* state only */
	check_counts(f, "2,0,1;3,1,0;4,1,0;");
	assert_int_equal(total(f, 2, MM_ACTIVE), 0);
	assert_int_equal(total(f, 2, MM_RETIRED), 1);
	assert_int_equal(total(f, 2, MM_ANY_STATUS), 1);
	assert_int_equal(change(f, c, 1, true), MM_OK); /* both */
	check_counts(f, "1,0,1;2,0,1;3,1,0;");
	assert_int_equal(change(f, c, 0, false), MM_OK); /* back, to empty */
	check_counts(f, "2,0,1;3,1,0;4,1,0;");
	assert_int_equal(change(f, a, 3, false), MM_OK); /* neither */
	check_counts(f, "2,0,1;3,1,0;4,1,0;");

	a->version--; /* stale */
	assert_int_equal(change(f, a, 1, true), MM_ECONFLICT);
	a->version++;
	assert_int_equal(mm_tx_begin(f->c, true), MM_OK);
	assert_int_equal(change(f, a, 1, true), MM_OK);
	insert(f, "U-4", 2, 0);
	mm_tx_rollback(f->c);
	check_counts(f, "2,0,1;3,1,0;4,1,0;");
	assert_int_equal(total(f, 3, MM_ANY_STATUS), 2);
}

/* Counts changed behind the store's back are counted again by the next
 * migration (every start). */
static void test_recount(void **state)
{
	struct fx *f = *state;
	size_t n;

	NEED_DB(f);
	insert(f, "R-1", 1, 0);
	insert(f, "R-2", 2, 0);
	rows(f, "UPDATE level_counts SET active = 999 WHERE register = 'docs' AND level = 1");
	rows(f, "DELETE FROM level_counts WHERE register = 'docs' AND level = 2");
	rows(f, "INSERT INTO level_counts(register, level, active, retired) "
		"VALUES('docs', 3, 5, 5)");
	/* The list's total is read from the counts, wrong as they are. */
	assert_int_equal(list_total(f, 2, MM_ACTIVE, &n), 999);
	assert_int_equal(n, 2);
	assert_int_equal(mm_store_migrate(f->st, all_schemas, 1), MM_OK);
	check_counts(f, "1,1,0;2,1,0;");
	assert_int_equal(total(f, 2, MM_ACTIVE), 2);
}

/* A schema's level field must be its only one, an INT within 1..4. */
static void test_level_field_refused(void **state)
{
	static const struct mm_field two[] = {
		{ "a", "a", "a", MM_FT_INT, MM_F_LEVEL, 1, 4, NULL, 0, NULL },
		{ "b", "b", "b", MM_FT_INT, MM_F_LEVEL, 1, 4, NULL, 0, NULL },
	};
	static const struct mm_field wide[] = {
		{ "a", "a", "a", MM_FT_INT, MM_F_LEVEL, 0, 10, NULL, 0, NULL },
	};
	static const struct mm_field text[] = {
		{ "a", "a", "a", MM_FT_TEXT, MM_F_LEVEL, 0, 10, NULL, 0, NULL },
	};
	static const struct mm_schema bad[] = { { "two", two, 2 },
						{ "wide", wide, 1 },
						{ "text", text, 1 } };
	struct fx *f = *state;

	NEED_DB(f);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct mm_schema *one[] = { &bad[i] };

		assert_int_equal(mm_store_migrate(f->st, one, 1), MM_EINVAL);
	}
}

#define ON_BOTH(t)                                                                                 \
	cmocka_unit_test_setup_teardown(t, setup_sqlite, teardown),                                \
		cmocka_unit_test_setup_teardown(t, setup_pg, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		ON_BOTH(test_inserts),
		ON_BOTH(test_updates),
		ON_BOTH(test_recount),
		ON_BOTH(test_level_field_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
