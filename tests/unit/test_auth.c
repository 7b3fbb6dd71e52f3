/* Tests of sign-in and sessions over a real database, with ctx->now as the
 * clock: success and every refusal (each with the same answer), lockout
 * with back-off, the per-address limit, idle and absolute timeouts,
 * sign-out, disabling, the TOTP step with replays and recovery codes, the
 * enrolment required of privileged roles, personal API tokens, account
 * management, and the audit events of each — which never hold a password,
 * a token or a code. */
#include "core/arena.h"
#include "core/err.h"
#include "domain/auth.h"
#include "domain/password.h"
#include "domain/principal.h"
#include "domain/registers.h"
#include "domain/seal.h"
#include "domain/seed.h"
#include "store/identity.h"

#include "auth_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

static void test_signin_ok(void **state)
{
	struct fx *f = *state;
	struct mm_signin out;
	struct mm_principal p;
	struct mm_audit_event *ev;
	const char *csrf = NULL;
	size_t n;

	assert_int_equal(signin(f, "sato", PW, &out), MM_AUTH_OK);
	assert_int_equal(out.account_id, f->account);
	assert_int_equal(strlen(out.token), 64);
	assert_int_equal(strspn(out.token, "0123456789abcdef"), 64);
	assert_int_equal(strlen(out.csrf), 64);
	assert_string_not_equal(out.token, out.csrf);
	assert_int_equal(mm_auth_session(&f->ctx, out.token, &p, &csrf), MM_OK);
	assert_int_equal(p.account_id, f->account);
	assert_int_equal(p.person_id, f->person);
	assert_string_equal(p.login, "sato");
	assert_true(mm_has_role(&p, MM_ROLE_STAFF));
	assert_false(p.via_token);
	assert_string_equal(csrf, out.csrf);
	/* The store keeps the token's hash, never the token. */
	struct mm_session s;
	char hash[65];
	unsigned char h[32];
	crypto_hash_sha256(h, (const unsigned char *)out.token, 64);
	sodium_bin2hex(hash, sizeof(hash), h, sizeof(h));
	assert_int_equal(mm_session_get(f->ctx.conn, out.token, &f->a, &s), MM_ENOTFOUND);
	assert_int_equal(mm_session_get(f->ctx.conn, hash, &f->a, &s), MM_OK);
	/* Recorded as the account that signed in. */
	assert_int_equal(mm_audit_list(f->ctx.conn, "signin", 10, &f->a, &ev, &n), MM_OK);
	assert_int_equal(n, 1);
	assert_string_equal(ev[0].result, "ok");
	assert_string_equal(ev[0].actor, "sato");
	assert_int_equal(ev[0].account_id, f->account);
	assert_string_equal(ev[0].ip, "192.0.2.1");
	assert_string_equal(ev[0].request_id, "req-1");
	assert_int_equal(ev[0].at, T0);
	assert_non_null(strstr(ev[0].details, "\"second_factor\":\"none\""));
	/* A second sign-in makes a second, different session. */
	struct mm_signin again;
	assert_int_equal(signin(f, "sato", PW, &again), MM_AUTH_OK);
	assert_string_not_equal(again.token, out.token);
	assert_int_equal(session(f, out.token), MM_OK);
	assert_int_equal(session(f, again.token), MM_OK);
	/* Malformed cookies. */
	assert_int_equal(session(f, NULL), MM_ENOTFOUND);
	assert_int_equal(session(f, ""), MM_ENOTFOUND);
	assert_int_equal(session(f, "zz"), MM_ENOTFOUND);
	assert_not_audited(f, PW);
	assert_not_audited(f, out.token);
}

static void test_refusals_identical(void **state)
{
	struct fx *f = *state;
	struct mm_signin bad, unknown, invalid, nopw, zero;
	int64_t other = person(f, "鈴木 花子", "employed");

	account(f, "suzuki", other, NULL);
	memset(&zero, 0, sizeof(zero));
	zero.result = MM_AUTH_REFUSED;
	assert_int_equal(signin(f, "sato", "wrong password here", &bad), MM_AUTH_REFUSED);
	assert_int_equal(signin(f, "nobody", PW, &unknown), MM_AUTH_REFUSED);
	assert_int_equal(signin(f, "x\xff<>", PW, &invalid), MM_AUTH_REFUSED);
	assert_int_equal(signin(f, "suzuki", PW, &nopw), MM_AUTH_REFUSED);
	/* The same answer, to the byte. */
	assert_memory_equal(&bad, &zero, sizeof(zero));
	assert_memory_equal(&unknown, &zero, sizeof(zero));
	assert_memory_equal(&invalid, &zero, sizeof(zero));
	assert_memory_equal(&nopw, &zero, sizeof(zero));
	/* The audit log knows the difference. */
	assert_int_equal(events(f, "signin", "failed", "\"reason\":\"bad_password\""), 1);
	assert_int_equal(events(f, "signin", "failed", "\"reason\":\"unknown_login\""), 2);
	assert_int_equal(events(f, "signin", "failed", "\"login\":\"nobody\""), 1);
	assert_int_equal(events(f, "signin", "failed", "\"login\":\"?\""), 1);
	assert_int_equal(events(f, "signin", "failed", "\"reason\":\"no_password\""), 1);
	/* Only the known account's failure counts. */
	assert_int_equal(get_account(f, f->account).failures, 1);
	assert_not_audited(f, PW);
	assert_not_audited(f, "wrong password here");
}

static void test_disabled(void **state)
{
	struct fx *f = *state;
	struct mm_signin out;

	assert_int_equal(signin(f, "sato", PW, &out), MM_AUTH_OK);
	assert_int_equal(mm_account_disable(&f->ctx, f->account), MM_OK);
	/* Disabling ends the sessions. */
	assert_int_equal(session(f, out.token), MM_ENOTFOUND);
	assert_int_equal(signin(f, "sato", PW, &out), MM_AUTH_REFUSED);
	assert_int_equal(events(f, "signin", "refused", "\"reason\":\"disabled\""), 1);
	assert_int_equal(events(f, "account_disable", "ok", "\"login\":\"sato\""), 1);
	assert_int_equal(mm_account_enable(&f->ctx, f->account), MM_OK);
	assert_int_equal(events(f, "account_enable", "ok", NULL), 1);
	assert_int_equal(signin(f, "sato", PW, &out), MM_AUTH_OK);
}

static void set_status(struct fx *f, int64_t per, const char *status)
{
	struct mm_in it[] = { S("employment_status", status) };
	struct mm_input in = { it, 1, MM_IN_JSON };
	struct mm_record rec;
	struct mm_ferrs errs;

	assert_int_equal(mm_reg_get(&mm_reg_people, &f->ctx, per, &rec), MM_OK);
	assert_int_equal(mm_reg_update(&mm_reg_people, &f->ctx, per, rec.version, &in, &errs, &rec),
			 MM_OK);
}

static void test_left(void **state)
{
	struct fx *f = *state;
	struct mm_signin out, later;

	assert_int_equal(signin(f, "sato", PW, &out), MM_AUTH_OK);
	set_status(f, f->person, "left");
	assert_int_equal(signin(f, "sato", PW, &later), MM_AUTH_REFUSED);
	assert_int_equal(events(f, "signin", "refused", "\"reason\":\"left\""), 1);
	/* The session from before ends too. */
	assert_int_equal(session(f, out.token), MM_ENOTFOUND);
	set_status(f, f->person, "employed");
	assert_int_equal(session(f, out.token), MM_ENOTFOUND);
	assert_int_equal(signin(f, "sato", PW, &out), MM_AUTH_OK);
}

static void test_lockout(void **state)
{
	struct fx *f = *state;
	struct mm_signin out;

	mm_auth_settings.max_failures = 3;
	for (int i = 0; i < 2; i++)
		assert_int_equal(signin(f, "sato", "not the password", &out), MM_AUTH_REFUSED);
	assert_int_equal(get_account(f, f->account).locked_until, 0);
	assert_int_equal(signin(f, "sato", "not the password", &out), MM_AUTH_REFUSED);
	assert_int_equal(get_account(f, f->account).locked_until, T0 + 60);
	assert_int_equal(events(f, "lockout", "ok", "\"seconds\":\"60\""), 1);
	/* Locked: the right password gets the same answer. */
	assert_int_equal(signin(f, "sato", PW, &out), MM_AUTH_REFUSED);
	f->ctx.now = T0 + 59;
	assert_int_equal(signin(f, "sato", PW, &out), MM_AUTH_REFUSED);
	assert_int_equal(events(f, "signin", "refused", "\"reason\":\"locked\""), 2);
	/* Each failure after the lock locks again, twice as long. */
	f->ctx.now = T0 + 60;
	assert_int_equal(signin(f, "sato", "not the password", &out), MM_AUTH_REFUSED);
	assert_int_equal(get_account(f, f->account).locked_until, T0 + 60 + 120);
	f->ctx.now = T0 + 60 + 119;
	assert_int_equal(signin(f, "sato", PW, &out), MM_AUTH_REFUSED);
	f->ctx.now = T0 + 60 + 120;
	assert_int_equal(signin(f, "sato", PW, &out), MM_AUTH_OK);
	assert_int_equal(get_account(f, f->account).failures, 0);
	assert_int_equal(get_account(f, f->account).locked_until, 0);
	/* Up to the cap of an hour. */
	int64_t t = f->ctx.now, expect[] = { 60, 120, 240, 480, 960, 1920, 3600, 3600 };
	for (size_t i = 0; i < 2; i++)
		assert_int_equal(signin(f, "sato", "not the password", &out), MM_AUTH_REFUSED);
	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		assert_int_equal(signin(f, "sato", "not the password", &out), MM_AUTH_REFUSED);
		assert_int_equal(get_account(f, f->account).locked_until, t + expect[i]);
		t += expect[i];
		f->ctx.now = t;
	}
	assert_int_equal(events(f, "lockout", "ok", NULL), 2 + 8);
	assert_not_audited(f, PW);
}

static void test_ip_limit(void **state)
{
	struct fx *f = *state;
	struct mm_signin out;

	mm_auth_settings.ip_limit = 5;
	for (int i = 0; i < 4; i++)
		assert_int_equal(signin(f, "nobody", "guess guess guess", &out), MM_AUTH_REFUSED);
	assert_int_equal(signin(f, "sato", PW, &out), MM_AUTH_OK);
	/* The sixth attempt of the window, right or wrong, is refused. */
	assert_int_equal(signin(f, "sato", PW, &out), MM_AUTH_RATE_LIMITED);
	assert_int_equal(out.token[0], '\0');
	assert_int_equal(signin(f, "nobody", "guess guess guess", &out), MM_AUTH_RATE_LIMITED);
	/* Another address is not affected. */
	f->ctx.ip = "198.51.100.7";
	assert_int_equal(signin(f, "sato", PW, &out), MM_AUTH_OK);
	/* The next window starts afresh. */
	f->ctx.ip = "192.0.2.1";
	f->ctx.now = T0 + 300;
	assert_int_equal(signin(f, "sato", PW, &out), MM_AUTH_OK);
	/* One event per flood, not one per attempt. */
	assert_int_equal(events(f, "signin", "refused", "\"reason\":\"rate_limited\""), 1);
}

static void test_idle_timeout(void **state)
{
	struct fx *f = *state;
	struct mm_signin out;
	struct mm_session s;
	char hash[65];
	unsigned char h[32];

	assert_int_equal(signin(f, "sato", PW, &out), MM_AUTH_OK);
	crypto_hash_sha256(h, (const unsigned char *)out.token, 64);
	sodium_bin2hex(hash, sizeof(hash), h, sizeof(h));
	/* last_seen moves at most once a minute. */
	f->ctx.now = T0 + 30;
	assert_int_equal(session(f, out.token), MM_OK);
	assert_int_equal(mm_session_get(f->ctx.conn, hash, &f->a, &s), MM_OK);
	assert_int_equal(s.last_seen, T0);
	f->ctx.now = T0 + 1799;
	assert_int_equal(session(f, out.token), MM_OK);
	assert_int_equal(mm_session_get(f->ctx.conn, hash, &f->a, &s), MM_OK);
	assert_int_equal(s.last_seen, T0 + 1799);
	f->ctx.now = T0 + 1799 + 1799;
	assert_int_equal(session(f, out.token), MM_OK);
	/* Thirty minutes without a request end it, for good. */
	f->ctx.now = T0 + 1799 + 1799 + 1800;
	assert_int_equal(session(f, out.token), MM_ENOTFOUND);
	assert_int_equal(mm_session_get(f->ctx.conn, hash, &f->a, &s), MM_ENOTFOUND);
	f->ctx.now = T0 + 1799 + 1799 + 10;
	assert_int_equal(session(f, out.token), MM_ENOTFOUND);
}

static void test_absolute_timeout(void **state)
{
	struct fx *f = *state;
	struct mm_signin out;

	assert_int_equal(signin(f, "sato", PW, &out), MM_AUTH_OK);
	for (int64_t t = T0; t < T0 + 43200; t += 1700) {
		f->ctx.now = t;
		assert_int_equal(session(f, out.token), MM_OK);
	}
	f->ctx.now = T0 + 43199;
	assert_int_equal(session(f, out.token), MM_OK);
	f->ctx.now = T0 + 43200;
	assert_int_equal(session(f, out.token), MM_ENOTFOUND);
}

static void test_signout(void **state)
{
	struct fx *f = *state;
	struct mm_signin a, b;

	assert_int_equal(signin(f, "sato", PW, &a), MM_AUTH_OK);
	assert_int_equal(signin(f, "sato", PW, &b), MM_AUTH_OK);
	assert_int_equal(mm_auth_signout(&f->ctx, a.token), MM_OK);
	assert_int_equal(session(f, a.token), MM_ENOTFOUND);
	assert_int_equal(session(f, b.token), MM_OK);
	assert_int_equal(events(f, "signout", "ok", NULL), 1);
	/* Signing out twice, or with rubbish, is harmless. */
	assert_int_equal(mm_auth_signout(&f->ctx, a.token), MM_OK);
	assert_int_equal(mm_auth_signout(&f->ctx, "rubbish"), MM_OK);
	assert_int_equal(events(f, "signout", "ok", NULL), 1);
	/* Sign out everywhere. */
	assert_int_equal(mm_auth_end_sessions(&f->ctx, f->account), MM_OK);
	assert_int_equal(session(f, b.token), MM_ENOTFOUND);
	assert_int_equal(events(f, "sessions_end", "ok", NULL), 1);
	assert_not_audited(f, a.token);
}

/* A holding of role for f's person from the date from (ISO). */
static void hold(struct fx *f, enum mm_role role, const char *from)
{
	const char *code = mm_role_codes[role];
	int64_t role_id;

	assert_int_equal(mm_reg_resolve(&mm_reg_roles, &f->ctx, code, strlen(code), &role_id),
			 MM_OK);
	struct mm_in it[] = { I("person_id", f->person), I("role_id", role_id),
			      S("valid_from", from) };
	create(f, &mm_reg_role_holders, it, 3);
}

/* The principal behind a cached credential follows a new role at once, and
 * a role that starts tomorrow at JST midnight, even within the minute in
 * which the credential is not checked in full. */
static void test_cached_principal_follows_roles(void **state)
{
	struct fx *f = *state;
	char token[MM_AUTH_API_TOKEN_SIZE];
	struct mm_principal p;

	/* 2025-06-01 23:59:30 JST. */
	f->ctx.now = T0 + 12 * 3600 - 30;
	assert_int_equal(mm_auth_token_create(&f->ctx, f->account, "ci", 0, token, NULL), MM_OK);
	assert_int_equal(mm_auth_bearer(&f->ctx, token, &p), MM_OK);
	assert_false(mm_has_role(&p, MM_ROLE_FACILITIES));
	hold(f, MM_ROLE_FACILITIES, "2025-06-01");
	assert_int_equal(mm_auth_bearer(&f->ctx, token, &p), MM_OK);
	assert_true(mm_has_role(&p, MM_ROLE_FACILITIES));
	hold(f, MM_ROLE_DOCUMENTS, "2025-06-02");
	assert_int_equal(mm_auth_bearer(&f->ctx, token, &p), MM_OK);
	assert_false(mm_has_role(&p, MM_ROLE_DOCUMENTS));
	f->ctx.now += 40;
	assert_int_equal(mm_auth_bearer(&f->ctx, token, &p), MM_OK);
	assert_true(mm_has_role(&p, MM_ROLE_DOCUMENTS));
	assert_string_equal(p.login, "sato");
	assert_true(p.via_token);
}

static void test_rehash(void **state)
{
	struct fx *f = *state;
	struct mm_signin out;
	const char *before = get_account(f, f->account).password_hash;

	mm_password_set_cost(crypto_pwhash_MEMLIMIT_MIN * 2, crypto_pwhash_OPSLIMIT_MIN + 1);
	assert_true(mm_password_needs_rehash(before));
	assert_int_equal(signin(f, "sato", PW, &out), MM_AUTH_OK);
	const char *after = get_account(f, f->account).password_hash;
	assert_string_not_equal(before, after);
	assert_false(mm_password_needs_rehash(after));
	assert_true(mm_password_verify(after, PW, strlen(PW)));
	/* A wrong password rehashes nothing. */
	mm_password_set_cost(crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_OPSLIMIT_MIN);
	assert_int_equal(signin(f, "sato", "not the password", &out), MM_AUTH_REFUSED);
	assert_string_equal(get_account(f, f->account).password_hash, after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_signin_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals_identical, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disabled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_left, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lockout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ip_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absolute_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cached_principal_follows_roles, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rehash, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
