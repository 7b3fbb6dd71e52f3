/* Tests of the identity part of the store (identity.h) over its SQLite
 * backend: accounts, sessions, tokens, rate counters, audit events, their
 * migrations and refusals. Each test gets a fresh database file in /tmp. */
#include "core/arena.h"
#include "core/err.h"
#include "core/schema.h"
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

#include <cmocka.h>

static int64_t gen(struct mm_test_store *f)
{
	int64_t g = -1;

	assert_int_equal(mm_store_generation(f->c, &g), MM_OK);
	return g;
}

/* An account with every column set to a distinct value. */
static struct mm_account full_account(const char *login, int64_t person)
{
	struct mm_account a = {
		0,
		login,
		person,
		true,
		"$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA",
		"sealed:seed",
		true,
		57000001,
		2,
		1700000900,
		1700000000,
		1700000500,
		1700000400,
	};
	return a;
}

/* A fresh account: no password, no TOTP, nothing else set. */
static struct mm_account bare_account(const char *login, int64_t person)
{
	struct mm_account a = { 0 };

	a.login = login;
	a.person_id = person;
	a.created_at = 1700000000;
	a.updated_at = 1700000000;
	return a;
}

static int64_t add_account(struct mm_test_store *f, const char *login, int64_t person)
{
	struct mm_account a = bare_account(login, person);

	assert_int_equal(mm_account_insert(f->c, &a), MM_OK);
	assert_true(a.id > 0);
	return a.id;
}

static void assert_account_equal(const struct mm_account *x, const struct mm_account *y)
{
	assert_int_equal(x->id, y->id);
	assert_string_equal(x->login, y->login);
	assert_int_equal(x->person_id, y->person_id);
	assert_int_equal(x->disabled, y->disabled);
	if (x->password_hash || y->password_hash)
		assert_string_equal(x->password_hash, y->password_hash);
	if (x->totp_secret || y->totp_secret)
		assert_string_equal(x->totp_secret, y->totp_secret);
	assert_int_equal(x->totp_enabled, y->totp_enabled);
	assert_int_equal(x->totp_last_step, y->totp_last_step);
	assert_int_equal(x->failures, y->failures);
	assert_int_equal(x->locked_until, y->locked_until);
	assert_int_equal(x->created_at, y->created_at);
	assert_int_equal(x->updated_at, y->updated_at);
	assert_int_equal(x->password_changed_at, y->password_changed_at);
}

/* Migrations and names. */

static void test_migrate_twice(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_account got;
	int64_t id = add_account(f, "tanaka", 1);

	assert_int_equal(mm_store_migrate(f->st, NULL, 0), MM_OK);
	assert_int_equal(mm_store_migrate(f->st, NULL, 0), MM_OK);
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM schema_migrations"), 15);
	assert_int_equal(
		mm_test_sql_int(f, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND "
				   "name IN ('accounts', 'sessions', 'tokens', "
				   "'rate_counters', 'audit_events', 'audit_order')"),
		6);
	/* The audit log keeps one index: "who viewed this" (migration 14). */
	assert_int_equal(
		mm_test_sql_int(f, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND "
				   "name IN ('sessions_by_account', 'sessions_by_last_seen', "
				   "'tokens_by_account', 'audit_events_by_object')"),
		4);
	assert_int_equal(
		mm_test_sql_int(f, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND "
				   "tbl_name = 'audit_events'"),
		1);
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM pragma_table_info('accounts')"),
			 13);
	assert_int_equal(mm_account_get(f->c, id, &f->a, &got), MM_OK);
	assert_string_equal(got.login, "tanaka");
}

static void test_reserved_names(void **state)
{
	struct mm_test_store *f = *state;
	static const struct mm_field fl[] = {
		{ "a", "x", "x", MM_FT_INT, 0, 0, 0, NULL, 0, NULL },
	};
	static const char *const names[] = {
		"accounts", "sessions", "tokens", "rate_counters", "audit_events",
	};
	struct mm_record r;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct mm_schema s = { names[i], fl, 1 };
		const struct mm_schema *one[] = { &s };
		assert_int_equal(mm_store_migrate(f->st, one, 1), MM_EINVAL);
		assert_int_equal(mm_rec_get(f->c, &s, 1, &f->a, &r), MM_EINVAL);
	}
	/* The tables kept their own columns. */
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM pragma_table_info('accounts')"),
			 13);
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM pragma_table_info('tokens') "
					    "WHERE name IN ('a', 'version', 'retired')"),
			 0);
}

/* Accounts. */

static void test_account_roundtrip(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_account a = full_account("tanaka", 11);
	struct mm_account b = bare_account("suzuki", 12);
	struct mm_account got;

	assert_int_equal(mm_account_insert(f->c, &a), MM_OK);
	assert_true(a.id > 0);
	assert_int_equal(mm_account_get(f->c, a.id, &f->a, &got), MM_OK);
	assert_account_equal(&got, &a);

	assert_int_equal(mm_account_insert(f->c, &b), MM_OK);
	assert_true(b.id > a.id);
	assert_int_equal(mm_account_get(f->c, b.id, &f->a, &got), MM_OK);
	assert_account_equal(&got, &b);
	assert_null(got.password_hash);
	assert_null(got.totp_secret);
	assert_false(got.disabled);
	assert_false(got.totp_enabled);
	/* Stored as SQL NULL, not as an empty string. */
	assert_int_equal(mm_test_sql_int(f,
					 "SELECT count(*) FROM accounts WHERE login = 'suzuki' AND "
					 "password_hash IS NULL AND totp_secret IS NULL"),
			 1);
}

/* Inserting a refuses with want and writes nothing. */
static void assert_insert_refused(struct mm_test_store *f, struct mm_account *a, int want)
{
	int64_t g = gen(f), n = mm_test_sql_int(f, "SELECT count(*) FROM accounts");

	assert_int_equal(mm_account_insert(f->c, a), want);
	assert_int_equal(a->id, 0);
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM accounts"), n);
	assert_int_equal(gen(f), g);
}

static void test_account_insert_refused(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_account a = bare_account(NULL, 1);

	assert_insert_refused(f, &a, MM_EINVAL);
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM accounts"), 0);
}

static void test_account_unique(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_account same_login = full_account("tanaka", 2);
	struct mm_account same_person = bare_account("tanaka2", 1);

	add_account(f, "tanaka", 1);
	assert_insert_refused(f, &same_login, MM_ECONFLICT);
	assert_insert_refused(f, &same_person, MM_ECONFLICT);
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM accounts WHERE person_id = 2 OR "
					    "login = 'tanaka2'"),
			 0);
	/* Logins are case-sensitive: another case is another login. */
	same_login.login = "Tanaka";
	assert_int_equal(mm_account_insert(f->c, &same_login), MM_OK);
}

static void test_account_lookup(void **state)
{
	struct mm_test_store *f = *state;
	int64_t t = add_account(f, "tanaka", 100);
	int64_t s = add_account(f, "suzuki", 200);
	struct mm_account got;

	assert_int_equal(mm_account_by_login(f->c, "suzuki", &f->a, &got), MM_OK);
	assert_int_equal(got.id, s);
	assert_int_equal(got.person_id, 200);
	assert_int_equal(mm_account_by_person(f->c, 100, &f->a, &got), MM_OK);
	assert_int_equal(got.id, t);
	assert_string_equal(got.login, "tanaka");
	assert_int_equal(mm_account_get(f->c, s, &f->a, &got), MM_OK);
	assert_string_equal(got.login, "suzuki");

	assert_int_equal(mm_account_get(f->c, s + 100, &f->a, &got), MM_ENOTFOUND);
	assert_int_equal(mm_account_by_login(f->c, "sato", &f->a, &got), MM_ENOTFOUND);
	assert_int_equal(mm_account_by_login(f->c, "TANAKA", &f->a, &got), MM_ENOTFOUND);
	assert_int_equal(mm_account_by_login(f->c, "", &f->a, &got), MM_ENOTFOUND);
	assert_int_equal(mm_account_by_person(f->c, 300, &f->a, &got), MM_ENOTFOUND);
	assert_int_equal(mm_account_by_login(f->c, NULL, &f->a, &got), MM_EINVAL);
}

static void test_account_update(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_account a = bare_account("tanaka", 1);
	struct mm_account up, got;

	assert_int_equal(mm_account_insert(f->c, &a), MM_OK);
	/* Every column but id and created_at takes the new value. */
	up = full_account("tanaka.t", 5);
	up.id = a.id;
	up.created_at = 1600000000;
	assert_int_equal(mm_account_update(f->c, &up), MM_OK);
	assert_int_equal(mm_account_get(f->c, a.id, &f->a, &got), MM_OK);
	up.created_at = a.created_at;
	assert_account_equal(&got, &up);
	/* And back: the secrets become NULL again. */
	a.updated_at = 1700009999;
	assert_int_equal(mm_account_update(f->c, &a), MM_OK);
	assert_int_equal(mm_account_get(f->c, a.id, &f->a, &got), MM_OK);
	assert_account_equal(&got, &a);
	assert_null(got.password_hash);
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM accounts WHERE "
					    "password_hash IS NULL AND totp_secret IS NULL"),
			 1);
}

static void test_account_update_refused(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_account a = bare_account("tanaka", 1);
	struct mm_account b = bare_account("suzuki", 2);
	struct mm_account got, ghost = bare_account("ghost", 9);
	int64_t g;

	assert_int_equal(mm_account_insert(f->c, &a), MM_OK);
	assert_int_equal(mm_account_insert(f->c, &b), MM_OK);
	g = gen(f);
	ghost.id = b.id + 1;
	assert_int_equal(mm_account_update(f->c, &ghost), MM_ENOTFOUND);
	b.login = "tanaka";
	assert_int_equal(mm_account_update(f->c, &b), MM_ECONFLICT);
	b.login = "suzuki2";
	b.person_id = 1;
	assert_int_equal(mm_account_update(f->c, &b), MM_ECONFLICT);
	b.login = NULL;
	assert_int_equal(mm_account_update(f->c, &b), MM_EINVAL);
	assert_int_equal(gen(f), g);
	assert_int_equal(mm_account_get(f->c, b.id, &f->a, &got), MM_OK);
	assert_string_equal(got.login, "suzuki");
	assert_int_equal(got.person_id, 2);
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM accounts"), 2);
}

static void test_account_list(void **state)
{
	struct mm_test_store *f = *state;
	static const char *const logins[] = { "watanabe", "ito", "suzuki", "yamada", "abe" };
	static const char *const sorted[] = { "abe", "ito", "suzuki", "watanabe", "yamada" };
	struct mm_account *v = NULL;
	size_t n = 99;

	assert_int_equal(mm_account_list(f->c, &f->a, &v, &n), MM_OK);
	assert_int_equal(n, 0);
	for (size_t i = 0; i < 5; i++)
		add_account(f, logins[i], (int64_t)i + 1);
	assert_int_equal(mm_account_list(f->c, &f->a, &v, &n), MM_OK);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(v[i].login, sorted[i]);
	assert_int_equal(v[0].person_id, 5);
}

/* Many accounts: the list grows past its first allocation. */
static void test_account_list_many(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_account *v;
	char login[16];
	size_t n;

	assert_int_equal(mm_tx_begin(f->c, true), MM_OK);
	for (int i = 0; i < 40; i++) {
		snprintf(login, sizeof(login), "u%03d", 39 - i);
		add_account(f, login, i + 1);
	}
	assert_int_equal(mm_tx_commit(f->c), MM_OK);
	assert_int_equal(mm_account_list(f->c, &f->a, &v, &n), MM_OK);
	assert_int_equal(n, 40);
	assert_string_equal(v[0].login, "u000");
	assert_string_equal(v[39].login, "u039");
	assert_int_equal(v[39].person_id, 1);
}

/* Writes move the generation on; refused ones and rolled back ones do not,
 * and a write inside the caller's transaction goes with it. */
static void test_generation(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_account got;
	int64_t g0 = gen(f), id;

	id = add_account(f, "tanaka", 1);
	assert_true(gen(f) > g0);
	g0 = gen(f);
	assert_int_equal(mm_tx_begin(f->c, true), MM_OK);
	id = add_account(f, "suzuki", 2);
	mm_tx_rollback(f->c);
	assert_int_equal(mm_account_get(f->c, id, &f->a, &got), MM_ENOTFOUND);
	assert_int_equal(gen(f), g0);
	assert_int_equal(mm_tx_begin(f->c, true), MM_OK);
	id = add_account(f, "suzuki", 2);
	assert_int_equal(mm_tx_commit(f->c), MM_OK);
	assert_true(gen(f) > g0);
	assert_int_equal(mm_account_get(f->c, id, &f->a, &got), MM_OK);
}

/* Session touches, token use, rate counters and audit events change on
 * nearly every request; cached pages do not show them, so they leave the
 * generation be. */
static void test_generation_untouched(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_session s = { "ff00", 1, 1000, 1000, "c5rf", false, "192.0.2.1" };
	struct mm_token t = { 0, "bb22", 1, "ci", 1000, 0, false, 0 };
	struct mm_audit_event e = { 0, 1000, 1, "tanaka", "", "", "signin", "", "ok", NULL, 0 };
	int64_t g0 = gen(f), hits;

	assert_int_equal(mm_session_insert(f->c, &s), MM_OK);
	s.last_seen = 2000;
	assert_int_equal(mm_session_update(f->c, &s), MM_OK);
	assert_int_equal(mm_token_insert(f->c, &t), MM_OK);
	assert_int_equal(mm_token_used(f->c, t.id, 2000), MM_OK);
	assert_int_equal(mm_rate_hit(f->c, "signin-ip:192.0.2.1", 300, 2000, &hits), MM_OK);
	assert_int_equal(mm_audit_insert(f->c, &e), MM_OK);
	assert_int_equal(gen(f), g0);
}

/* Ending a session or revoking a token must reach every cache of
 * principals, in this process or another: each moves the generation. */
static void test_generation_ends(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_session s = { "ff00", 1, 1000, 1000, "c5rf", false, "192.0.2.1" };
	struct mm_session s2 = { "ff01", 1, 1000, 1000, "c5rf", false, "192.0.2.1" };
	struct mm_token t = { 0, "bb22", 1, "ci", 1000, 0, false, 0 };
	int64_t g;

	assert_int_equal(mm_session_insert(f->c, &s), MM_OK);
	assert_int_equal(mm_session_insert(f->c, &s2), MM_OK);
	assert_int_equal(mm_token_insert(f->c, &t), MM_OK);
	g = gen(f);
	assert_int_equal(mm_session_delete(f->c, "ff00"), MM_OK);
	assert_true(gen(f) > g);
	g = gen(f);
	assert_int_equal(mm_session_delete_account(f->c, 1), MM_OK);
	assert_true(gen(f) > g);
	g = gen(f);
	assert_int_equal(mm_token_revoke(f->c, t.id), MM_OK);
	assert_true(gen(f) > g);
}

/* Runs sql on the database in a process of its own, the sqlite3 shell,
 * as another program on the machine would. */
/* The generation is asked of the database once, then known without a
 * query for as long as nothing commits. Any commit, by another connection
 * of this process or by another process, makes the next read ask again and
 * see the new value at once; inside a transaction it is always asked. */
static void test_generation_known(void **state)
{
	struct mm_test_store *f = *state;
	char why[256];
	struct mm_store *other;
	struct mm_conn *oc;
	int64_t g, reads;

	/* The first read maps the WAL index, the second is the one known. */
	gen(f);
	g = gen(f);
	reads = (int64_t)f->c->generation_reads;
	assert_int_equal(gen(f), g);
	assert_int_equal(gen(f), g);
	assert_int_equal(f->c->generation_reads, reads);

	/* Another connection of this process. */
	assert_int_equal(mm_store_open(f->path, 1, &other, why, sizeof(why)), MM_OK);
	oc = mm_store_acquire(other);
	assert_non_null(oc);
	struct mm_account a = full_account("yamada", 3);
	assert_int_equal(mm_account_insert(oc, &a), MM_OK);
	mm_store_release(other, oc);
	mm_store_close(other);
	assert_true(gen(f) > g);
	assert_int_equal(f->c->generation_reads, reads + 1);
	g = gen(f);
	assert_int_equal(f->c->generation_reads, reads + 1);

	/* Another process: a change of the value, then a commit that leaves
	 * it be but is a commit all the same. */
	mm_test_shell(f, "UPDATE sequences SET value = value + 7 WHERE name = 'generation'");
	assert_int_equal(gen(f), g + 7);
	assert_int_equal(f->c->generation_reads, reads + 2);
	mm_test_shell(f,
		      "BEGIN; UPDATE sequences SET value = value + 1 WHERE name = 'generation'; "
		      "UPDATE sequences SET value = value - 1 WHERE name = 'generation'; COMMIT");
	assert_int_equal(gen(f), g + 7);
	assert_int_equal(f->c->generation_reads, reads + 3);
	assert_int_equal(gen(f), g + 7);
	assert_int_equal(f->c->generation_reads, reads + 3);

	/* A transaction of this connection: asked inside, and its commit
	 * (which moves the generation) is seen after. */
	assert_int_equal(mm_tx_begin(f->c, true), MM_OK);
	add_account(f, "suzuki", 2);
	assert_int_equal(gen(f), g + 7);
	assert_int_equal(f->c->generation_reads, reads + 4);
	assert_int_equal(mm_tx_commit(f->c), MM_OK);
	assert_true(gen(f) > g + 7);
	assert_int_equal(f->c->generation_reads, reads + 5);
}

/* A read transaction that has not read yet is answered without a query
 * too (the API's lists begin one, then ask); one that has read asks, and
 * that leaves the value known from before be. */
static void test_generation_known_in_transactions(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_account got;
	int64_t g, reads;

	gen(f);
	g = gen(f);
	reads = (int64_t)f->c->generation_reads;
	assert_int_equal(mm_tx_begin(f->c, false), MM_OK);
	assert_int_equal(gen(f), g);
	assert_int_equal(f->c->generation_reads, reads);
	assert_int_equal(mm_account_get(f->c, 1, &f->a, &got), MM_ENOTFOUND);
	assert_int_equal(gen(f), g);
	assert_int_equal(f->c->generation_reads, reads + 1);
	assert_int_equal(mm_tx_commit(f->c), MM_OK);
	assert_int_equal(gen(f), g);
	assert_int_equal(f->c->generation_reads, reads + 1);
}

/* Commits of a writer on a connection of its own, in the race below. */
enum { BUMPS = 1500 };

/* While another connection commits one change after another, every read
 * of the generation sees at least the last value whose commit had returned
 * before the read began, and never goes back: a header read while a commit
 * writes it is not taken for an unchanged one. */
static void test_generation_races(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_test_writer b;
	int64_t last, reads = 0;

	gen(f);
	last = gen(f);
	mm_test_writer_start(&b, f->path,
			     "INSERT INTO sequences(name, value) VALUES('generation', ?) "
			     "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
			     last, BUMPS);
	while (!atomic_load(&b.done)) {
		int64_t before = atomic_load(&b.committed), g = gen(f);

		assert_true(g >= before);
		assert_true(g >= last);
		last = g;
		reads++;
	}
	mm_test_writer_join(&b);
	assert_int_equal(b.failed, 0);
	assert_int_equal(gen(f), atomic_load(&b.committed));
	/* Most reads were answered without a query, between the commits. */
	assert_true(reads > BUMPS);
	assert_true((int64_t)f->c->generation_reads < reads);
}

/* Sessions. */

static struct mm_session session(const char *id_hash, int64_t account, int64_t created)
{
	struct mm_session s = { id_hash, account, created, created, "c5rf", false, "192.0.2.1" };
	return s;
}

static void test_session_roundtrip(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_session s = session("aa11", 7, 1000), got;

	s.mfa_pending = true;
	assert_int_equal(mm_session_insert(f->c, &s), MM_OK);
	assert_int_equal(mm_session_get(f->c, "aa11", &f->a, &got), MM_OK);
	assert_string_equal(got.id_hash, "aa11");
	assert_int_equal(got.account_id, 7);
	assert_int_equal(got.created_at, 1000);
	assert_int_equal(got.last_seen, 1000);
	assert_string_equal(got.csrf, "c5rf");
	assert_true(got.mfa_pending);
	assert_string_equal(got.ip, "192.0.2.1");
	/* No IP: stored as "". */
	s = session("bb22", 7, 1000);
	s.ip = NULL;
	assert_int_equal(mm_session_insert(f->c, &s), MM_OK);
	assert_int_equal(mm_session_get(f->c, "bb22", &f->a, &got), MM_OK);
	assert_string_equal(got.ip, "");
	assert_false(got.mfa_pending);
}

static void test_session_refused(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_session s = session("aa11", 7, 1000), got;

	assert_int_equal(mm_session_insert(f->c, &s), MM_OK);
	s.account_id = 8;
	assert_int_equal(mm_session_insert(f->c, &s), MM_ECONFLICT);
	s.id_hash = NULL;
	assert_int_equal(mm_session_insert(f->c, &s), MM_EINVAL);
	s.id_hash = "cc33";
	s.csrf = NULL;
	assert_int_equal(mm_session_insert(f->c, &s), MM_EINVAL);
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM sessions"), 1);
	assert_int_equal(mm_test_sql_int(f, "SELECT account_id FROM sessions"), 7);
	assert_int_equal(mm_session_get(f->c, "cc33", &f->a, &got), MM_ENOTFOUND);
	assert_int_equal(mm_session_get(f->c, NULL, &f->a, &got), MM_EINVAL);
}

static void test_session_update(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_session s = session("aa11", 7, 1000), got;

	s.mfa_pending = true;
	assert_int_equal(mm_session_insert(f->c, &s), MM_OK);
	/* Only last_seen and mfa_pending change. */
	s.last_seen = 1600;
	s.mfa_pending = false;
	s.csrf = "other";
	s.ip = "198.51.100.9";
	s.account_id = 99;
	s.created_at = 5;
	assert_int_equal(mm_session_update(f->c, &s), MM_OK);
	assert_int_equal(mm_session_get(f->c, "aa11", &f->a, &got), MM_OK);
	assert_int_equal(got.last_seen, 1600);
	assert_false(got.mfa_pending);
	assert_string_equal(got.csrf, "c5rf");
	assert_string_equal(got.ip, "192.0.2.1");
	assert_int_equal(got.account_id, 7);
	assert_int_equal(got.created_at, 1000);

	s.id_hash = "zz99";
	assert_int_equal(mm_session_update(f->c, &s), MM_ENOTFOUND);
	s.id_hash = NULL;
	assert_int_equal(mm_session_update(f->c, &s), MM_EINVAL);
}

static void test_session_delete(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_session s;
	static const char *const ids[] = { "a1", "a2", "b1", "b2", "b3" };
	static const int64_t owner[] = { 1, 1, 2, 2, 2 };

	for (size_t i = 0; i < 5; i++) {
		s = session(ids[i], owner[i], 1000);
		assert_int_equal(mm_session_insert(f->c, &s), MM_OK);
	}
	assert_int_equal(mm_session_delete(f->c, "a1"), MM_OK);
	assert_int_equal(mm_session_get(f->c, "a1", &f->a, &s), MM_ENOTFOUND);
	assert_int_equal(mm_session_get(f->c, "a2", &f->a, &s), MM_OK);
	/* Nothing to delete is not an error. */
	assert_int_equal(mm_session_delete(f->c, "a1"), MM_OK);
	assert_int_equal(mm_session_delete(f->c, NULL), MM_EINVAL);
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM sessions"), 4);

	assert_int_equal(mm_session_delete_account(f->c, 2), MM_OK);
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM sessions"), 1);
	assert_int_equal(mm_session_get(f->c, "a2", &f->a, &s), MM_OK);
	assert_int_equal(mm_session_delete_account(f->c, 2), MM_OK);
	assert_int_equal(mm_session_delete_account(f->c, 1), MM_OK);
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM sessions"), 0);
}

static void test_session_purge(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_session s;

	/* created_at, last_seen */
	s = session("old_idle", 1, 100); /* 100, 100 */
	assert_int_equal(mm_session_insert(f->c, &s), MM_OK);
	s = session("old_busy", 1, 100);
	s.last_seen = 990;
	assert_int_equal(mm_session_insert(f->c, &s), MM_OK);
	s = session("new_idle", 1, 500);
	s.last_seen = 600;
	assert_int_equal(mm_session_insert(f->c, &s), MM_OK);
	s = session("new_busy", 1, 500);
	s.last_seen = 995;
	assert_int_equal(mm_session_insert(f->c, &s), MM_OK);
	s = session("edge", 1, 400); /* exactly at both limits: stays */
	s.last_seen = 900;
	assert_int_equal(mm_session_insert(f->c, &s), MM_OK);

	/* Idle only: last seen before 900. */
	assert_int_equal(mm_session_purge(f->c, 900, 0), MM_OK);
	assert_int_equal(mm_session_get(f->c, "old_idle", &f->a, &s), MM_ENOTFOUND);
	assert_int_equal(mm_session_get(f->c, "new_idle", &f->a, &s), MM_ENOTFOUND);
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM sessions"), 3);
	/* Absolute only: created before 400. */
	assert_int_equal(mm_session_purge(f->c, 0, 400), MM_OK);
	assert_int_equal(mm_session_get(f->c, "old_busy", &f->a, &s), MM_ENOTFOUND);
	assert_int_equal(mm_session_get(f->c, "edge", &f->a, &s), MM_OK);
	assert_int_equal(mm_session_get(f->c, "new_busy", &f->a, &s), MM_OK);
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM sessions"), 2);
	/* Either limit is enough. */
	assert_int_equal(mm_session_purge(f->c, 901, 0), MM_OK);
	assert_int_equal(mm_session_get(f->c, "edge", &f->a, &s), MM_ENOTFOUND);
	assert_int_equal(mm_session_purge(f->c, 0, 501), MM_OK);
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM sessions"), 0);
}

/* Tokens. */

static void test_token(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_token t = { 0, "h1", 7, "CI", 1000, 5000, false, 0 };
	struct mm_token u = { 0, "h2", 7, NULL, 1001, 0, false, 0 };
	struct mm_token got;

	assert_int_equal(mm_token_insert(f->c, &t), MM_OK);
	assert_true(t.id > 0);
	assert_int_equal(mm_token_insert(f->c, &u), MM_OK);
	assert_true(u.id > t.id);
	assert_int_equal(mm_token_by_hash(f->c, "h1", &f->a, &got), MM_OK);
	assert_int_equal(got.id, t.id);
	assert_string_equal(got.hash, "h1");
	assert_int_equal(got.account_id, 7);
	assert_string_equal(got.label, "CI");
	assert_int_equal(got.created_at, 1000);
	assert_int_equal(got.expires_at, 5000);
	assert_false(got.revoked);
	assert_int_equal(got.last_used, 0);
	assert_int_equal(mm_token_by_hash(f->c, "h2", &f->a, &got), MM_OK);
	assert_string_equal(got.label, "");

	assert_int_equal(mm_token_used(f->c, t.id, 4321), MM_OK);
	assert_int_equal(mm_token_revoke(f->c, t.id), MM_OK);
	assert_int_equal(mm_token_by_hash(f->c, "h1", &f->a, &got), MM_OK);
	assert_true(got.revoked);
	assert_int_equal(got.last_used, 4321);
	assert_int_equal(got.expires_at, 5000);
	/* Revoking twice is fine; the other token is untouched. */
	assert_int_equal(mm_token_revoke(f->c, t.id), MM_OK);
	assert_int_equal(mm_token_by_hash(f->c, "h2", &f->a, &got), MM_OK);
	assert_false(got.revoked);
	assert_int_equal(got.last_used, 0);
}

static void test_token_refused(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_token t = { 0, "h1", 7, "CI", 1000, 0, false, 0 };
	struct mm_token got;
	int64_t g;

	assert_int_equal(mm_token_insert(f->c, &t), MM_OK);
	g = gen(f);
	t.id = 0;
	t.account_id = 8;
	assert_int_equal(mm_token_insert(f->c, &t), MM_ECONFLICT);
	assert_int_equal(t.id, 0);
	t.hash = NULL;
	assert_int_equal(mm_token_insert(f->c, &t), MM_EINVAL);
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM tokens"), 1);
	assert_int_equal(mm_token_by_hash(f->c, "h9", &f->a, &got), MM_ENOTFOUND);
	assert_int_equal(mm_token_by_hash(f->c, NULL, &f->a, &got), MM_EINVAL);
	assert_int_equal(mm_token_revoke(f->c, 999), MM_ENOTFOUND);
	assert_int_equal(mm_token_used(f->c, 999, 1), MM_ENOTFOUND);
	assert_int_equal(gen(f), g);
}

static void test_token_list(void **state)
{
	struct mm_test_store *f = *state;
	static const char *const hashes[] = { "a", "b", "c", "d", "e" };
	static const int64_t owner[] = { 1, 2, 1, 2, 1 };
	struct mm_token t, *v = NULL;
	size_t n = 99;

	for (size_t i = 0; i < 5; i++) {
		t = (struct mm_token){ 0, hashes[i], owner[i], hashes[i], 1000, 0, false, 0 };
		assert_int_equal(mm_token_insert(f->c, &t), MM_OK);
	}
	assert_int_equal(mm_token_list(f->c, 1, &f->a, &v, &n), MM_OK);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].hash, "a");
	assert_string_equal(v[1].hash, "c");
	assert_string_equal(v[2].hash, "e");
	assert_true(v[0].id < v[1].id && v[1].id < v[2].id);
	assert_int_equal(mm_token_list(f->c, 2, &f->a, &v, &n), MM_OK);
	assert_int_equal(n, 2);
	assert_string_equal(v[1].label, "d");
	assert_int_equal(mm_token_list(f->c, 3, &f->a, &v, &n), MM_OK);
	assert_int_equal(n, 0);
}

/* Rate counters. */

static int64_t hit(struct mm_test_store *f, const char *key, int64_t window, int64_t now)
{
	int64_t count = -1;

	assert_int_equal(mm_rate_hit(f->c, key, window, now, &count), MM_OK);
	return count;
}

static void test_rate_hit(void **state)
{
	struct mm_test_store *f = *state;

	/* The window of 60 s containing 1000 is [960, 1020). */
	assert_int_equal(hit(f, "ip:192.0.2.1", 60, 1000), 1);
	assert_int_equal(hit(f, "ip:192.0.2.1", 60, 960), 2);
	assert_int_equal(hit(f, "ip:192.0.2.1", 60, 1019), 3);
	assert_int_equal(hit(f, "ip:192.0.2.9", 60, 1001), 1);
	assert_int_equal(
		mm_test_sql_int(f, "SELECT hits FROM rate_counters WHERE key = 'ip:192.0.2.1' "
				   "AND window_start = 960"),
		3);
	/* The next window starts over and drops the key's old row. */
	assert_int_equal(hit(f, "ip:192.0.2.1", 60, 1020), 1);
	assert_int_equal(hit(f, "ip:192.0.2.1", 60, 1021), 2);
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM rate_counters WHERE "
					    "key = 'ip:192.0.2.1'"),
			 1);
	assert_int_equal(mm_test_sql_int(f, "SELECT window_start FROM rate_counters WHERE "
					    "key = 'ip:192.0.2.1'"),
			 1020);
	/* Other keys keep theirs. */
	assert_int_equal(
		mm_test_sql_int(f, "SELECT hits FROM rate_counters WHERE key = 'ip:192.0.2.9'"), 1);
	/* Skipping windows starts over too. */
	assert_int_equal(hit(f, "ip:192.0.2.1", 60, 5000), 1);
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM rate_counters"), 2);
}

static void test_rate_hit_refused(void **state)
{
	struct mm_test_store *f = *state;
	int64_t count = -1;

	assert_int_equal(mm_rate_hit(f->c, NULL, 60, 1000, &count), MM_EINVAL);
	assert_int_equal(mm_rate_hit(f->c, "k", 0, 1000, &count), MM_EINVAL);
	assert_int_equal(mm_rate_hit(f->c, "k", -60, 1000, &count), MM_EINVAL);
	assert_int_equal(mm_rate_hit(f->c, "k", 60, -1, &count), MM_EINVAL);
	assert_int_equal(count, -1);
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM rate_counters"), 0);
	/* A rolled back hit is not counted. */
	assert_int_equal(mm_tx_begin(f->c, true), MM_OK);
	assert_int_equal(hit(f, "k", 60, 1000), 1);
	mm_tx_rollback(f->c);
	assert_int_equal(hit(f, "k", 60, 1000), 1);
}

/* Audit events. */

static struct mm_audit_event event(const char *action, const char *result)
{
	struct mm_audit_event e = { 0,		 1700000000,  3,      "tanaka",
				    "192.0.2.1", "r-1",	      action, "accounts/3",
				    result,	 "{\"n\":1}", 0 };
	return e;
}

static void test_audit_roundtrip(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_audit_event e = event("signin", "ok");
	struct mm_audit_event bare = { 0 }, *v;
	size_t n;

	assert_int_equal(mm_audit_insert(f->c, &e), MM_OK);
	assert_true(e.seq > 0);
	bare.at = 1700000001;
	bare.action = "signin";
	bare.result = "failed";
	assert_int_equal(mm_audit_insert(f->c, &bare), MM_OK);
	assert_true(bare.seq > e.seq);

	assert_int_equal(mm_audit_list(f->c, NULL, 10, &f->a, &v, &n), MM_OK);
	assert_int_equal(n, 2);
	assert_int_equal(v[1].seq, e.seq);
	assert_int_equal(v[1].at, 1700000000);
	assert_int_equal(v[1].account_id, 3);
	assert_string_equal(v[1].actor, "tanaka");
	assert_string_equal(v[1].ip, "192.0.2.1");
	assert_string_equal(v[1].request_id, "r-1");
	assert_string_equal(v[1].action, "signin");
	assert_string_equal(v[1].object, "accounts/3");
	assert_string_equal(v[1].result, "ok");
	assert_string_equal(v[1].details, "{\"n\":1}");
	/* Missing strings are stored empty; missing details as {}. */
	assert_int_equal(v[0].seq, bare.seq);
	assert_int_equal(v[0].account_id, 0);
	assert_string_equal(v[0].actor, "");
	assert_string_equal(v[0].ip, "");
	assert_string_equal(v[0].request_id, "");
	assert_string_equal(v[0].object, "");
	assert_string_equal(v[0].result, "failed");
	assert_string_equal(v[0].details, "{}");
}

static void test_audit_refused(void **state)
{
	struct mm_test_store *f = *state;
	struct mm_audit_event e = event(NULL, "ok");

	assert_int_equal(mm_audit_insert(f->c, &e), MM_EINVAL);
	e = event("signin", NULL);
	assert_int_equal(mm_audit_insert(f->c, &e), MM_EINVAL);
	assert_int_equal(e.seq, 0);
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM audit_events"), 0);
	/* An event goes with the transaction it is part of. */
	e = event("signin", "ok");
	assert_int_equal(mm_tx_begin(f->c, true), MM_OK);
	assert_int_equal(mm_audit_insert(f->c, &e), MM_OK);
	mm_tx_rollback(f->c);
	assert_int_equal(mm_test_sql_int(f, "SELECT count(*) FROM audit_events"), 0);
}

static void test_audit_list(void **state)
{
	struct mm_test_store *f = *state;
	static const char *const actions[] = { "signin", "signout", "signin", "lockout",
					       "signin", "signin",  "signout" };
	struct mm_audit_event e, *v = NULL;
	int64_t last = 0;
	size_t n = 99;

	assert_int_equal(mm_audit_list(f->c, NULL, 10, &f->a, &v, &n), MM_OK);
	assert_int_equal(n, 0);
	for (size_t i = 0; i < 7; i++) {
		e = event(actions[i], "ok");
		e.at = 1000 + (int64_t)i;
		assert_int_equal(mm_audit_insert(f->c, &e), MM_OK);
		assert_true(e.seq > last);
		last = e.seq;
	}
	/* Newest first. */
	assert_int_equal(mm_audit_list(f->c, NULL, 100, &f->a, &v, &n), MM_OK);
	assert_int_equal(n, 7);
	for (size_t i = 0; i < 7; i++)
		assert_int_equal(v[i].at, 1006 - (int64_t)i);
	assert_int_equal(v[0].seq, last);
	/* A limit. */
	assert_int_equal(mm_audit_list(f->c, NULL, 3, &f->a, &v, &n), MM_OK);
	assert_int_equal(n, 3);
	assert_int_equal(v[2].at, 1004);
	assert_int_equal(mm_audit_list(f->c, NULL, 0, &f->a, &v, &n), MM_OK);
	assert_int_equal(n, 0);
	assert_int_equal(mm_audit_list(f->c, NULL, SIZE_MAX, &f->a, &v, &n), MM_OK);
	assert_int_equal(n, 7);
	/* One action, with and without a limit. */
	assert_int_equal(mm_audit_list(f->c, "signin", 100, &f->a, &v, &n), MM_OK);
	assert_int_equal(n, 4);
	assert_int_equal(v[0].at, 1005);
	assert_int_equal(v[3].at, 1000);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(v[i].action, "signin");
	assert_int_equal(mm_audit_list(f->c, "signout", 1, &f->a, &v, &n), MM_OK);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].at, 1006);
	assert_int_equal(mm_audit_list(f->c, "totp_enrol", 100, &f->a, &v, &n), MM_OK);
	assert_int_equal(n, 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, mm_test_store_setup, mm_test_store_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_migrate_twice),
		T(test_reserved_names),
		T(test_account_roundtrip),
		T(test_account_insert_refused),
		T(test_account_unique),
		T(test_account_lookup),
		T(test_account_update),
		T(test_account_update_refused),
		T(test_account_list),
		T(test_account_list_many),
		T(test_generation),
		T(test_generation_untouched),
		T(test_generation_ends),
		T(test_generation_known),
		T(test_generation_known_in_transactions),
		T(test_generation_races),
		T(test_session_roundtrip),
		T(test_session_refused),
		T(test_session_update),
		T(test_session_delete),
		T(test_session_purge),
		T(test_token),
		T(test_token_refused),
		T(test_token_list),
		T(test_rate_hit),
		T(test_rate_hit_refused),
		T(test_audit_roundtrip),
		T(test_audit_refused),
		T(test_audit_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
