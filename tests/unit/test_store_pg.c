/* Tests of the store over its PostgreSQL backend: what differs from SQLite
 * in how it is built (migrations under a lock, the writers' lock, the
 * audit chain head, trigram search, NULL order, the generation across
 * stores, the refusal of backup). Each test gets a new database on the
 * cluster at MAMORI_PG_URL (scripts/pg-cluster start); every test is
 * skipped when no cluster answers there. */
#include "core/arena.h"
#include "core/err.h"
#include "core/schema.h"
#include "store/auditlog.h"
#include "store/identity.h"
#include "store/store.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static const struct mm_field item_fields[] = {
	{ "code", "コード", "Code", MM_FT_TEXT, MM_F_UNIQUE | MM_F_SORT, 0, 32, NULL, 0, NULL },
	{ "name", "名称", "Name", MM_FT_TEXT, MM_F_SEARCH | MM_F_SORT, 0, 200, NULL, 0, NULL },
	{ "score", "点数", "Score", MM_FT_INT, MM_F_FILTER | MM_F_SORT, 0, 100, NULL, 0, NULL },
};
enum { F_CODE, F_NAME, F_SCORE, NF };

static const struct mm_schema items = { "items", item_fields, NF };
static const struct mm_schema *const all_schemas[] = { &items };

struct fx {
	char admin[512]; /* the cluster's URL */
	char url[600];	 /* this test's database */
	char name[64];
	struct mm_store *st;
	struct mm_conn *c;
	struct mm_arena a;
};

static const char *cluster_url(void)
{
	const char *u = getenv("MAMORI_PG_URL");

	return u && *u ? u : "postgresql://mamori@127.0.0.1:54329/postgres";
}

/* Runs one statement on the cluster's maintenance database. */
static bool admin_exec(const char *url, const char *sql)
{
	PGconn *pg = PQconnectdb(url);
	bool ok = false;

	if (PQstatus(pg) == CONNECTION_OK) {
		PGresult *r = PQexec(pg, sql);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
		PQclear(r);
	}
	PQfinish(pg);
	return ok;
}

/* The number of rows a query answers on the database at url; -1 on error. */
static int rows_of(const char *url, const char *sql)
{
	PGconn *pg = PQconnectdb(url);
	int n = -1;

	if (PQstatus(pg) == CONNECTION_OK) {
		PGresult *r = PQexec(pg, sql);

		if (PQresultStatus(r) == PGRES_TUPLES_OK)
			n = PQntuples(r);
		PQclear(r);
	}
	PQfinish(pg);
	return n;
}

/* The URL of database name on the cluster at url (its path replaced). */
static void db_url(const char *url, const char *name, char *out, size_t n)
{
	const char *host = strstr(url, "://");
	const char *slash = host ? strchr(host + 3, '/') : NULL;
	size_t keep = slash ? (size_t)(slash - url) : strlen(url);

	snprintf(out, n, "%.*s/%s", (int)keep, url, name);
}

static int setup(void **state)
{
	static int serial;
	struct fx *f = calloc(1, sizeof(*f));
	char sql[128], why[256];

	if (!f)
		return -1;
	*state = f;
	snprintf(f->admin, sizeof(f->admin), "%s", cluster_url());
	snprintf(f->name, sizeof(f->name), "mm_unit_%d_%d", (int)getpid(), ++serial);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", f->name);
	if (!admin_exec(f->admin, sql))
		return 0; /* no cluster: each test skips */
	db_url(f->admin, f->name, f->url, sizeof(f->url));
	if (mm_store_open(f->url, 4, &f->st, why, sizeof(why)) != MM_OK) {
		fprintf(stderr, "open: %s\n", why);
		return -1;
	}
	if (mm_store_migrate(f->st, all_schemas, 1) != MM_OK)
		return -1;
	f->c = mm_store_acquire(f->st);
	if (!f->c)
		return -1;
	mm_arena_init(&f->a, 0);
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char sql[160];

	if (f->c)
		mm_store_release(f->st, f->c);
	mm_store_close(f->st);
	if (f->url[0]) {
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", f->name);
		admin_exec(f->admin, sql);
		mm_arena_free(&f->a);
	}
	free(f);
	return 0;
}

#define NEED_CLUSTER(f)                                                                            \
	do {                                                                                       \
		if (!(f)->st) {                                                                    \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

static struct mm_record *make(struct fx *f, const char *code, const char *name, int64_t score)
{
	struct mm_record *r = mm_arena_zalloc(&f->a, sizeof(*r));

	assert_non_null(r);
	r->v = mm_arena_zalloc(&f->a, NF * sizeof(*r->v));
	assert_non_null(r->v);
	r->created_at = r->updated_at = "2024-04-01T09:00:00Z";
	r->updated_by = "tanaka";
	r->v[F_CODE] = (struct mm_value){ code != NULL, 0, code };
	r->v[F_NAME] = (struct mm_value){ name != NULL, 0, name };
	r->v[F_SCORE] = (struct mm_value){ score >= 0, score, NULL };
	return r;
}

static int64_t insert(struct fx *f, const char *code, const char *name, int64_t score)
{
	struct mm_record *r = make(f, code, name, score);

	assert_int_equal(mm_rec_insert(f->c, &items, r), MM_OK);
	return r->id;
}

/* A duplicate unique value is a conflict that leaves nothing behind, also
 * inside a transaction that goes on and commits. */
static void test_unique_conflict(void **state)
{
	struct fx *f = *state;
	struct mm_page p;
	struct mm_query q = { .sort = MM_SORT_ID, .status = MM_ACTIVE, .limit = 10 };

	NEED_CLUSTER(f);
	insert(f, "A-1", "机", 1);
	assert_int_equal(mm_rec_insert(f->c, &items, make(f, "A-1", "椅子", 2)), MM_ECONFLICT);
	assert_int_equal(mm_tx_begin(f->c, true), MM_OK);
	assert_int_equal(mm_rec_insert(f->c, &items, make(f, "A-1", "棚", 3)), MM_ECONFLICT);
	insert(f, "A-2", "棚", 3);
	assert_int_equal(mm_tx_commit(f->c), MM_OK);
	assert_int_equal(mm_rec_list(f->c, &items, &q, &f->a, &p), MM_OK);
	assert_int_equal(p.total, 2);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.recs[1].v[F_CODE].s, "A-2");
}

/* An update with a stale version is a conflict; a missing record is not
 * found; retiring moves the counts of active and retired records. */
static void test_update_versions(void **state)
{
	struct fx *f = *state;
	struct mm_record got, *r;
	struct mm_page p;
	struct mm_query q = { .sort = MM_SORT_ID, .status = MM_RETIRED, .limit = 10 };
	int64_t id;

	NEED_CLUSTER(f);
	id = insert(f, "B-1", "机", 1);
	r = make(f, "B-1", "机 (新)", 1);
	r->id = id;
	r->version = 2;
	r->retired = true;
	assert_int_equal(mm_rec_update(f->c, &items, r, 1), MM_OK);
	assert_int_equal(mm_rec_update(f->c, &items, r, 1), MM_ECONFLICT);
	r->id = id + 100;
	assert_int_equal(mm_rec_update(f->c, &items, r, 1), MM_ENOTFOUND);
	assert_int_equal(mm_rec_get(f->c, &items, id, &f->a, &got), MM_OK);
	assert_int_equal(got.version, 2);
	assert_true(got.retired);
	assert_string_equal(got.v[F_NAME].s, "机 (新)");
	assert_int_equal(mm_rec_list(f->c, &items, &q, &f->a, &p), MM_OK);
	assert_int_equal(p.total, 1);
	q.status = MM_ACTIVE;
	assert_int_equal(mm_rec_list(f->c, &items, &q, &f->a, &p), MM_OK);
	assert_int_equal(p.total, 0);
	assert_int_equal(p.n, 0);
}

/* Several records by id in one round trip: the ones that exist. */
static void test_get_many(void **state)
{
	struct fx *f = *state;
	struct mm_record got[3];
	int64_t a, b, ids[3];
	size_t n = 99;

	NEED_CLUSTER(f);
	a = insert(f, "M-1", "一", 1);
	b = insert(f, "M-2", "二", 2);
	ids[0] = b;
	ids[1] = 999999;
	ids[2] = a;
	assert_int_equal(mm_rec_get_many(f->c, &items, ids, 3, &f->a, got, &n), MM_OK);
	assert_int_equal(n, 2);
	assert_true((got[0].id == a && got[1].id == b) || (got[0].id == b && got[1].id == a));
	assert_string_equal(got[got[0].id == a ? 0 : 1].v[F_NAME].s, "一");
	assert_int_equal(mm_rec_get_many(f->c, &items, ids, 0, &f->a, got, &n), MM_OK);
	assert_int_equal(n, 0);
}

/* Search finds substrings in any case and takes % and _ literally; empty
 * values sort first ascending and last descending, ties by id. */
static void test_search_and_order(void **state)
{
	struct fx *f = *state;
	struct mm_query q = { .sort = F_SCORE, .status = MM_ACTIVE, .limit = 10 };
	struct mm_page p;

	NEED_CLUSTER(f);
	insert(f, "C-1", "Server room 50% full", 3);
	insert(f, "C-2", "server_backup", -1);
	insert(f, "C-3", "ファイルサーバ", 1);
	insert(f, "C-4", "Mail", 1);
	q.q = "SERVER";
	assert_int_equal(mm_rec_list(f->c, &items, &q, &f->a, &p), MM_OK);
	assert_int_equal(p.total, 2);
	q.q = "50%";
	assert_int_equal(mm_rec_list(f->c, &items, &q, &f->a, &p), MM_OK);
	assert_int_equal(p.total, 1);
	assert_string_equal(p.recs[0].v[F_CODE].s, "C-1");
	q.q = "r_b";
	assert_int_equal(mm_rec_list(f->c, &items, &q, &f->a, &p), MM_OK);
	assert_int_equal(p.total, 1);
	q.q = "サーバ";
	assert_int_equal(mm_rec_list(f->c, &items, &q, &f->a, &p), MM_OK);
	assert_int_equal(p.total, 1);
	q.q = "e%r";
	assert_int_equal(mm_rec_list(f->c, &items, &q, &f->a, &p), MM_OK);
	assert_int_equal(p.total, 0);

	q.q = NULL;
	assert_int_equal(mm_rec_list(f->c, &items, &q, &f->a, &p), MM_OK);
	assert_int_equal(p.n, 4);
	assert_string_equal(p.recs[0].v[F_CODE].s, "C-2"); /* no score */
	assert_string_equal(p.recs[1].v[F_CODE].s, "C-3");
	assert_string_equal(p.recs[2].v[F_CODE].s, "C-4");
	assert_string_equal(p.recs[3].v[F_CODE].s, "C-1");
	q.desc = true;
	q.offset = 1;
	assert_int_equal(mm_rec_list(f->c, &items, &q, &f->a, &p), MM_OK);
	assert_int_equal(p.total, 4);
	assert_int_equal(p.n, 3);
	assert_string_equal(p.recs[0].v[F_CODE].s, "C-4");
	assert_string_equal(p.recs[2].v[F_CODE].s, "C-2");
	q.offset = 10;
	assert_int_equal(mm_rec_list(f->c, &items, &q, &f->a, &p), MM_OK);
	assert_int_equal(p.total, 4);
	assert_int_equal(p.n, 0);
}

/* A change committed through one store moves the generation another store
 * (another process) reads; a rolled back one does not. */
static void test_generation_across_stores(void **state)
{
	struct fx *f = *state;
	struct mm_store *other;
	struct mm_conn *c2;
	int64_t g0, g1, g2;
	char why[256];

	NEED_CLUSTER(f);
	assert_int_equal(mm_store_open(f->url, 1, &other, why, sizeof(why)), MM_OK);
	c2 = mm_store_acquire(other);
	assert_non_null(c2);
	assert_int_equal(mm_store_generation(c2, &g0), MM_OK);
	insert(f, "D-1", "机", 1);
	assert_int_equal(mm_store_generation(c2, &g1), MM_OK);
	assert_true(g1 > g0);
	assert_int_equal(mm_tx_begin(f->c, true), MM_OK);
	insert(f, "D-2", "椅子", 1);
	mm_tx_rollback(f->c);
	assert_int_equal(mm_store_generation(c2, &g2), MM_OK);
	assert_int_equal(g2, g1);
	mm_store_release(other, c2);
	mm_store_close(other);
}

/* Writers in transactions run one at a time: read-then-write increments
 * from two threads lose nothing. */
struct counter_arg {
	struct mm_store *st;
	int rounds;
	int failures;
};

static void *count_up(void *p)
{
	struct counter_arg *ca = p;
	struct mm_conn *c = mm_store_acquire(ca->st);
	struct mm_arena a;

	mm_arena_init(&a, 0);
	for (int i = 0; c && i < ca->rounds; i++) {
		const char *v = NULL;
		char next[32];
		int rc = mm_tx_begin(c, true);
		if (!rc) {
			rc = mm_meta_get(c, "counter", &a, &v);
			snprintf(next, sizeof(next), "%d", rc == MM_ENOTFOUND ? 1 : atoi(v) + 1);
			rc = rc == MM_ENOTFOUND || !rc ? mm_meta_set(c, "counter", next) : rc;
		}
		rc = rc ? rc : mm_tx_commit(c);
		if (rc) {
			mm_tx_rollback(c);
			ca->failures++;
		}
	}
	mm_arena_free(&a);
	mm_store_release(ca->st, c);
	return NULL;
}

static void test_writers_serialised(void **state)
{
	struct fx *f = *state;
	struct counter_arg ca = { f ? f->st : NULL, 25, 0 };
	pthread_t t1, t2;
	const char *v = NULL;

	NEED_CLUSTER(f);
	assert_int_equal(pthread_create(&t1, NULL, count_up, &ca), 0);
	assert_int_equal(pthread_create(&t2, NULL, count_up, &ca), 0);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	assert_int_equal(ca.failures, 0);
	assert_int_equal(mm_meta_get(f->c, "counter", &f->a, &v), MM_OK);
	assert_string_equal(v, "50");
}

/* Audit appends from several connections get seqs without gaps, each
 * chained to the one before; one rolled back leaves no gap. */
struct append_arg {
	struct mm_store *st;
	int n;
	int failures;
};

static void *append_some(void *p)
{
	struct append_arg *aa = p;
	struct mm_conn *c = mm_store_acquire(aa->st);

	for (int i = 0; c && i < aa->n; i++) {
		struct mm_audit_event e = {
			.at = 1700000000 + i, .action = "test", .result = "ok", .details = "{}"
		};
		if (mm_audit_insert(c, &e))
			aa->failures++;
	}
	mm_store_release(aa->st, c);
	return NULL;
}

struct chain_check {
	int64_t next;
	uint8_t prev[MM_HASH_LEN];
	struct mm_buf canon;
	bool ok;
};

static int check_entry(void *arg, const struct mm_audit_event *e, const uint8_t chain[MM_HASH_LEN])
{
	struct chain_check *cc = arg;
	uint8_t leaf[MM_HASH_LEN];

	if (e->seq != cc->next++ || mm_alog_leaf(e, &cc->canon, leaf))
		cc->ok = false;
	mm_alog_chain(cc->prev, leaf, cc->prev);
	if (memcmp(cc->prev, chain, MM_HASH_LEN) != 0)
		cc->ok = false;
	return MM_OK;
}

static void test_audit_gap_free(void **state)
{
	struct fx *f = *state;
	struct append_arg aa = { f ? f->st : NULL, 20, 0 };
	struct chain_check cc = { .next = 1, .ok = true };
	struct mm_audit_event e = { .at = 1, .action = "lost", .result = "ok" };
	uint8_t head[MM_HASH_LEN];
	pthread_t t1, t2;
	int64_t seq;

	NEED_CLUSTER(f);
	assert_int_equal(mm_tx_begin(f->c, true), MM_OK);
	assert_int_equal(mm_audit_insert(f->c, &e), MM_OK);
	assert_int_equal(e.seq, 1);
	mm_tx_rollback(f->c);
	assert_int_equal(pthread_create(&t1, NULL, append_some, &aa), 0);
	assert_int_equal(pthread_create(&t2, NULL, append_some, &aa), 0);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	assert_int_equal(aa.failures, 0);
	mm_buf_init(&cc.canon, MM_ALOG_CANON_CAP);
	assert_int_equal(mm_alog_scan(f->c, 1, 0, check_entry, &cc), MM_OK);
	mm_buf_free(&cc.canon);
	assert_true(cc.ok);
	assert_int_equal(cc.next, 41);
	assert_int_equal(mm_alog_head(f->c, &seq, head), MM_OK);
	assert_int_equal(seq, 40);
	assert_memory_equal(head, cc.prev, MM_HASH_LEN);
}

/* A database made by a newer mamori is refused; migrating again is
 * harmless. */
static void test_migrations(void **state)
{
	struct fx *f = *state;

	NEED_CLUSTER(f);
	assert_int_equal(mm_store_migrate(f->st, all_schemas, 1), MM_OK);
	assert_true(admin_exec(f->url, "INSERT INTO schema_migrations(version) VALUES(9999)"));
	assert_int_equal(mm_store_migrate(f->st, all_schemas, 1), MM_EDB);
}

/* Free text goes through one trigram index over the searched fields; a
 * migrate replaces the index a field of an earlier version had with it,
 * and turns off its pending list. */
static void test_search_index(void **state)
{
	static const char fastupdate_off[] =
		"SELECT 1 FROM pg_class WHERE relname = 'items__search_trgm' AND "
		"'fastupdate=off' = ANY(reloptions)";
	struct fx *f = *state;
	const char *has = "SELECT 1 FROM pg_indexes WHERE indexname = '%s'";
	char sql[128];

	NEED_CLUSTER(f);
	assert_true(admin_exec(f->url, "CREATE INDEX items_name_trgm ON items USING gin(name "
				       "gin_trgm_ops)"));
	assert_int_equal(mm_store_migrate(f->st, all_schemas, 1), MM_OK);
	snprintf(sql, sizeof(sql), has, "items_name_trgm");
	assert_int_equal(rows_of(f->url, sql), 0);
	snprintf(sql, sizeof(sql), has, "items__search_trgm");
	assert_int_equal(rows_of(f->url, sql), 1);

	/* Written to at each change, not through a pending list that every
	 * search reads: also an index made with the default. */
	assert_int_equal(rows_of(f->url, fastupdate_off), 1);
	assert_true(admin_exec(f->url, "ALTER INDEX items__search_trgm SET (fastupdate = on)"));
	assert_int_equal(rows_of(f->url, fastupdate_off), 0);
	assert_int_equal(mm_store_migrate(f->st, all_schemas, 1), MM_OK);
	assert_int_equal(rows_of(f->url, fastupdate_off), 1);
}

/* Backup and restore point to pg_dump and pg_restore and change nothing. */
static void test_backup_refused(void **state)
{
	struct fx *f = *state;
	char why[512];

	NEED_CLUSTER(f);
	assert_int_equal(mm_store_backup(f->c, "/tmp/mm_pg_never", why, sizeof(why)), MM_EINVAL);
	assert_non_null(strstr(why, "pg_dump"));
	assert_int_equal(access("/tmp/mm_pg_never", F_OK), -1);
	assert_int_equal(mm_store_restore(f->c, "/tmp/mm_pg_never", why, sizeof(why)), MM_EINVAL);
	assert_non_null(strstr(why, "pg_restore"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unique_conflict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_versions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search_and_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_generation_across_stores, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writers_serialised, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_gap_free, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search_index, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup_refused, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
