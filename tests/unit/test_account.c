/* Tests of account management, TOTP enrolment and the TOTP step of
 * sign-in, the enrolment required of privileged roles, and personal API
 * tokens, over a real database with ctx->now as the clock; with the audit
 * events of each, which never hold a password, a token or a code. */
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "domain/auth.h"
#include "domain/password.h"
#include "domain/registers.h"
#include "domain/seal.h"
#include "domain/seed.h"
#include "domain/totp.h"
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

/* The one error of errs, which must be msg on field. */
static void assert_ferr(const struct mm_ferrs *errs, const char *field, const char *msg)
{
	assert_int_equal(errs->n, 1);
	assert_string_equal(errs->e[0].field, field);
	assert_string_equal(errs->e[0].msg, msg);
}

static void test_create_refusals(void **state)
{
	struct fx *f = *state;
	struct mm_ferrs errs;
	int64_t id = 0, other = person(f, "鈴木 花子", "employed");
	int64_t gone = person(f, "高橋 一郎", "left");

	assert_int_equal(mm_account_create(&f->ctx, "a b", other, PW, &errs, &id), MM_EVALIDATE);
	assert_ferr(&errs, "login", "login_invalid");
	assert_string_equal(errs.e[0].label, "ログイン名");
	assert_int_equal(errs.e[0].min, 3);
	assert_int_equal(errs.e[0].max, 64);
	assert_int_equal(mm_account_create(&f->ctx, "ab", other, PW, &errs, &id), MM_EVALIDATE);
	assert_ferr(&errs, "login", "login_invalid");
	assert_int_equal(mm_account_create(&f->ctx, "ユーザー", other, PW, &errs, &id),
			 MM_EVALIDATE);
	assert_ferr(&errs, "login", "login_invalid");
	assert_int_equal(mm_account_create(&f->ctx, "sato", other, PW, &errs, &id), MM_EVALIDATE);
	assert_ferr(&errs, "login", "duplicate");
	/* One person, one account; employed people only. */
	assert_int_equal(mm_account_create(&f->ctx, "taro2", f->person, PW, &errs, &id),
			 MM_EVALIDATE);
	assert_ferr(&errs, "person_id", "account_exists");
	assert_int_equal(mm_account_create(&f->ctx, "takahashi", gone, PW, &errs, &id),
			 MM_EVALIDATE);
	assert_ferr(&errs, "person_id", "person_left");
	assert_int_equal(mm_account_create(&f->ctx, "ghost", 9999, PW, &errs, &id), MM_EVALIDATE);
	assert_ferr(&errs, "person_id", "bad_ref");
	/* The password policy. */
	assert_int_equal(mm_account_create(&f->ctx, "suzuki", other, "short one", &errs, &id),
			 MM_EVALIDATE);
	assert_ferr(&errs, "password", "password_short");
	assert_int_equal(errs.e[0].min, MM_PASSWORD_MIN);
	assert_int_equal(mm_account_create(&f->ctx, "suzuki", other, "password1234", &errs, &id),
			 MM_EVALIDATE);
	assert_ferr(&errs, "password", "password_common");
	assert_int_equal(
		mm_account_create(&f->ctx, "suzuki", other, "i am suzuki, hello", &errs, &id),
		MM_EVALIDATE);
	assert_ferr(&errs, "password", "password_personal");
	assert_int_equal(
		mm_account_create(&f->ctx, "suzuki", other, "鈴木花子のパスワードです", &errs, &id),
		MM_EVALIDATE);
	assert_ferr(&errs, "password", "password_personal");
	/* Several problems at once. */
	assert_int_equal(mm_account_create(&f->ctx, "x", gone, "short", &errs, &id), MM_EVALIDATE);
	assert_int_equal(errs.n, 3);
	assert_int_equal(events(f, "account_create", NULL, NULL), 1); /* the fixture's */
	/* Finally right. */
	assert_int_equal(mm_account_create(&f->ctx, "suzuki", other, PW, &errs, &id), MM_OK);
	assert_true(id > 0);
	assert_int_equal(events(f, "account_create", "ok", "\"login\":\"suzuki\""), 1);
	assert_not_audited(f, PW);
}

static void test_no_password_yet(void **state)
{
	struct fx *f = *state;
	struct mm_signin out;
	struct mm_ferrs errs;
	int64_t id = account(f, "suzuki", person(f, "鈴木 花子", "employed"), NULL);

	assert_null(get_account(f, id).password_hash);
	assert_int_equal(events(f, "account_create", "ok", "\"password\":\"none\""), 1);
	assert_int_equal(signin(f, "suzuki", PW, &out), MM_AUTH_REFUSED);
	assert_int_equal(mm_account_set_password(&f->ctx, id, PW, NULL, &errs), MM_OK);
	assert_int_equal(signin(f, "suzuki", PW, &out), MM_AUTH_OK);
}

static void test_set_password(void **state)
{
	struct fx *f = *state;
	const char *pw2 = "spring rain on the tea field";
	struct mm_signin a, b, out;
	struct mm_ferrs errs;

	assert_int_equal(signin(f, "sato", PW, &a), MM_AUTH_OK);
	assert_int_equal(signin(f, "sato", PW, &b), MM_AUTH_OK);
	assert_int_equal(mm_account_set_password(&f->ctx, f->account, "too short", a.token, &errs),
			 MM_EVALIDATE);
	assert_ferr(&errs, "password", "password_short");
	assert_int_equal(mm_account_set_password(&f->ctx, f->account, "佐藤太郎です、よろしくね",
						 NULL, &errs),
			 MM_EVALIDATE);
	assert_ferr(&errs, "password", "password_personal");
	assert_int_equal(session(f, b.token), MM_OK);
	/* A new password ends the other sessions and keeps the caller's. */
	assert_int_equal(mm_account_set_password(&f->ctx, f->account, pw2, a.token, &errs), MM_OK);
	assert_int_equal(session(f, a.token), MM_OK);
	assert_int_equal(session(f, b.token), MM_ENOTFOUND);
	assert_int_equal(signin(f, "sato", PW, &out), MM_AUTH_REFUSED);
	assert_int_equal(signin(f, "sato", pw2, &out), MM_AUTH_OK);
	assert_int_equal(get_account(f, f->account).password_changed_at, T0);
	assert_int_equal(events(f, "password_change", "ok", "\"login\":\"sato\""), 1);
	assert_int_equal(mm_account_check_password(&f->ctx, f->account, pw2), MM_OK);
	assert_int_equal(mm_account_check_password(&f->ctx, f->account, PW), MM_EPERM);
	/* Without a session to keep, every session ends. */
	assert_int_equal(mm_account_set_password(&f->ctx, f->account, PW, NULL, &errs), MM_OK);
	assert_int_equal(session(f, a.token), MM_ENOTFOUND);
	assert_not_audited(f, PW);
	assert_not_audited(f, pw2);
}

/* The account's TOTP secret, opened. */
static void secret_of(struct fx *f, int64_t id, struct mm_totp_secret *s)
{
	struct mm_account acct = get_account(f, id);

	assert_non_null(acct.totp_secret);
	assert_int_equal(mm_totp_unseal(acct.totp_secret, s), MM_OK);
}

static void code_at(const struct mm_totp_secret *s, int64_t t, char out[7])
{
	assert_int_equal(mm_totp_code(s->seed, MM_TOTP_SEED_BYTES, t, 6, out), MM_OK);
}

/* A six-digit code that is none of the codes accepted at t. */
static void wrong_code(const struct mm_totp_secret *s, int64_t t, char out[7])
{
	char near[3][7];

	for (int d = -1; d <= 1; d++)
		code_at(s, t + d * MM_TOTP_STEP, near[d + 1]);
	for (unsigned v = 0;; v++) {
		snprintf(out, 7, "%06u", v * 7919 % 1000000);
		if (strcmp(out, near[0]) && strcmp(out, near[1]) && strcmp(out, near[2]))
			return;
	}
}

/* Enrols account id at ctx->now; returns its secret and recovery codes. */
static void enrol(struct fx *f, int64_t id, struct mm_totp_secret *s, struct mm_totp_codes *codes)
{
	struct mm_buf uri;
	char code[7];

	mm_buf_init(&uri, 1024);
	assert_int_equal(mm_account_totp_start(&f->ctx, id, &uri), MM_OK);
	assert_true(strncmp(uri.data, "otpauth://totp/mamori:", 22) == 0);
	secret_of(f, id, s);
	code_at(s, f->ctx.now, code);
	assert_int_equal(mm_account_totp_confirm(&f->ctx, id, code, codes), MM_OK);
	sodium_memzero(uri.data, uri.len);
	mm_buf_free(&uri);
}

static void test_totp_enrol(void **state)
{
	struct fx *f = *state;
	struct mm_totp_secret s;
	struct mm_totp_codes codes;
	struct mm_buf uri;
	char code[7];

	mm_buf_init(&uri, 1024);
	assert_int_equal(mm_account_totp_confirm(&f->ctx, f->account, "123456", &codes),
			 MM_ECONFLICT);
	assert_int_equal(mm_account_totp_start(&f->ctx, f->account, &uri), MM_OK);
	secret_of(f, f->account, &s);
	assert_false(get_account(f, f->account).totp_enabled);
	/* The seed never reaches the store or the log in the clear. */
	const char *p = strstr(uri.data, "secret=");
	char b32[33];
	assert_non_null(p);
	memcpy(b32, p + 7, 32);
	b32[32] = '\0';
	assert_null(strstr(get_account(f, f->account).totp_secret, b32));
	/* Not in force yet: sign-in needs no code. */
	struct mm_signin out;
	assert_int_equal(signin(f, "sato", PW, &out), MM_AUTH_OK);
	/* A wrong first code is refused; the right one puts TOTP in force. */
	code_at(&s, T0 + 300, code);
	assert_int_equal(mm_account_totp_confirm(&f->ctx, f->account, code, &codes), MM_EINVAL);
	assert_int_equal(events(f, "totp_enrol", "failed", "\"reason\":\"bad_code\""), 1);
	code_at(&s, T0, code);
	assert_int_equal(mm_account_totp_confirm(&f->ctx, f->account, code, &codes), MM_OK);
	assert_true(get_account(f, f->account).totp_enabled);
	assert_int_equal(get_account(f, f->account).totp_last_step, T0 / 30);
	assert_int_equal(strlen(codes.code[9]), 9);
	assert_int_equal(events(f, "totp_enrol", "ok", NULL), 2);
	char first[MM_TOTP_RECOVERY_SIZE];
	memcpy(first, codes.code[0], sizeof(first));
	/* Already in force: start again only after removing. */
	mm_buf_reset(&uri);
	assert_int_equal(mm_account_totp_start(&f->ctx, f->account, &uri), MM_ECONFLICT);
	assert_int_equal(mm_account_totp_confirm(&f->ctx, f->account, code, &codes), MM_ECONFLICT);
	assert_int_equal(mm_account_totp_remove(&f->ctx, f->account), MM_OK);
	assert_false(get_account(f, f->account).totp_enabled);
	assert_null(get_account(f, f->account).totp_secret);
	assert_int_equal(events(f, "totp_remove", "ok", NULL), 1);
	assert_int_equal(signin(f, "sato", PW, &out), MM_AUTH_OK);
	assert_not_audited(f, b32);
	assert_not_audited(f, code);
	assert_not_audited(f, first);
	mm_buf_free(&uri);
}

static void test_totp_signin(void **state)
{
	struct fx *f = *state;
	struct mm_totp_secret s;
	struct mm_totp_codes codes;
	struct mm_signin out, full;
	struct mm_principal p;
	const char *csrf = NULL;
	char code[7], used[7];

	enrol(f, f->account, &s, &codes);
	code_at(&s, T0, used);
	f->ctx.now = T0 + 5;
	assert_int_equal(signin(f, "sato", PW, &out), MM_AUTH_NEED_TOTP);
	assert_int_equal(out.account_id, f->account);
	assert_int_equal(events(f, "signin", "ok", "\"second_factor\":\"pending\""), 1);
	/* A pending session grants nothing. */
	assert_int_equal(session(f, out.token), MM_ENOTFOUND);
	assert_int_equal(mm_auth_pending(&f->ctx, out.token, &csrf), MM_OK);
	assert_string_equal(csrf, out.csrf);
	/* Wrong, then replayed (the code enrolment used): refused. */
	wrong_code(&s, f->ctx.now, code);
	assert_int_equal(mm_auth_totp(&f->ctx, out.token, code, &full), MM_OK);
	assert_int_equal(full.result, MM_AUTH_REFUSED);
	assert_int_equal(mm_auth_totp(&f->ctx, out.token, used, &full), MM_OK);
	assert_int_equal(full.result, MM_AUTH_REFUSED);
	assert_int_equal(events(f, "signin_totp", "failed", "\"reason\":\"bad_code\""), 1);
	assert_int_equal(events(f, "signin_totp", "failed", "\"reason\":\"totp_replay\""), 1);
	assert_int_equal(get_account(f, f->account).failures, 2);
	/* The next step's code: a full session under a new token. */
	f->ctx.now = T0 + 31;
	code_at(&s, f->ctx.now, code);
	assert_int_equal(mm_auth_totp(&f->ctx, out.token, code, &full), MM_OK);
	assert_int_equal(full.result, MM_AUTH_OK);
	assert_string_not_equal(full.token, out.token);
	assert_int_equal(mm_auth_pending(&f->ctx, out.token, NULL), MM_ENOTFOUND);
	assert_int_equal(session(f, out.token), MM_ENOTFOUND);
	assert_int_equal(mm_auth_session(&f->ctx, full.token, &p, NULL), MM_OK);
	assert_true(p.totp);
	assert_int_equal(get_account(f, f->account).failures, 0);
	assert_int_equal(events(f, "signin_totp", "ok", "\"method\":\"totp\""), 1);
	/* The same code cannot open a second session. */
	assert_int_equal(signin(f, "sato", PW, &out), MM_AUTH_NEED_TOTP);
	assert_int_equal(mm_auth_totp(&f->ctx, out.token, code, &full), MM_OK);
	assert_int_equal(full.result, MM_AUTH_REFUSED);
	/* A recovery code does, once. */
	assert_int_equal(mm_auth_totp(&f->ctx, out.token, codes.code[3], &full), MM_OK);
	assert_int_equal(full.result, MM_AUTH_OK);
	assert_int_equal(events(f, "signin_totp", "ok", "\"method\":\"recovery_code\""), 1);
	assert_int_equal(signin(f, "sato", PW, &out), MM_AUTH_NEED_TOTP);
	assert_int_equal(mm_auth_totp(&f->ctx, out.token, codes.code[3], &full), MM_OK);
	assert_int_equal(full.result, MM_AUTH_REFUSED);
	secret_of(f, f->account, &s);
	assert_int_equal(s.nrecovery, 9);
	/* Nothing but a pending session's token is accepted. */
	assert_int_equal(mm_auth_totp(&f->ctx, "rubbish", code, &full), MM_OK);
	assert_int_equal(full.result, MM_AUTH_REFUSED);
	assert_not_audited(f, code);
	assert_not_audited(f, used);
	assert_not_audited(f, codes.code[3]);
	assert_not_audited(f, out.token);
}

static void test_totp_pending_limits(void **state)
{
	struct fx *f = *state;
	struct mm_totp_secret s;
	struct mm_totp_codes codes;
	struct mm_signin out, full;
	char code[7], bad[7];

	enrol(f, f->account, &s, &codes);
	/* Five minutes to give the code. */
	f->ctx.now = T0 + 60;
	assert_int_equal(signin(f, "sato", PW, &out), MM_AUTH_NEED_TOTP);
	f->ctx.now = T0 + 60 + 300;
	code_at(&s, f->ctx.now, code);
	assert_int_equal(mm_auth_totp(&f->ctx, out.token, code, &full), MM_OK);
	assert_int_equal(full.result, MM_AUTH_REFUSED);
	assert_int_equal(events(f, "signin_totp", "refused", "\"reason\":\"expired\""), 1);
	/* Wrong codes count towards the lock, which ends the pending session. */
	mm_auth_settings.max_failures = 3;
	assert_int_equal(signin(f, "sato", PW, &out), MM_AUTH_NEED_TOTP);
	wrong_code(&s, f->ctx.now, bad);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(mm_auth_totp(&f->ctx, out.token, bad, &full), MM_OK);
		assert_int_equal(full.result, MM_AUTH_REFUSED);
	}
	assert_int_equal(events(f, "lockout", "ok", NULL), 1);
	assert_int_equal(mm_auth_pending(&f->ctx, out.token, NULL), MM_ENOTFOUND);
	assert_int_equal(mm_auth_totp(&f->ctx, out.token, code, &full), MM_OK);
	assert_int_equal(full.result, MM_AUTH_REFUSED);
	assert_int_equal(signin(f, "sato", PW, &out), MM_AUTH_REFUSED);
	/* After the lock, the password alone does not clear the count: the next
	 * wrong code locks again, for longer. */
	f->ctx.now += 60;
	assert_int_equal(signin(f, "sato", PW, &out), MM_AUTH_NEED_TOTP);
	assert_int_equal(get_account(f, f->account).failures, 3);
	wrong_code(&s, f->ctx.now, bad);
	assert_int_equal(mm_auth_totp(&f->ctx, out.token, bad, &full), MM_OK);
	assert_int_equal(get_account(f, f->account).locked_until, f->ctx.now + 120);
	assert_int_equal(events(f, "lockout", "ok", NULL), 2);
}

static void hold(struct fx *f, int64_t per, const char *role)
{
	int64_t rid = 0;

	assert_int_equal(mm_reg_resolve(&mm_reg_roles, &f->ctx, role, strlen(role), &rid), MM_OK);
	struct mm_in it[] = { I("person_id", per), I("role_id", rid) };
	create(f, &mm_reg_role_holders, it, 2);
}

static void test_privileged_enrol(void **state)
{
	struct fx *f = *state;
	struct mm_totp_secret s;
	struct mm_totp_codes codes;
	struct mm_signin out;
	struct mm_principal p;
	const char *csrf = NULL;

	hold(f, f->person, "secretariat");
	assert_int_equal(signin(f, "sato", PW, &out), MM_AUTH_NEED_ENROL);
	assert_int_equal(events(f, "signin", "ok", "\"second_factor\":\"enrol\""), 1);
	/* Signed in, but only to enrol. */
	assert_int_equal(mm_auth_session(&f->ctx, out.token, &p, &csrf), MM_EPERM);
	assert_int_equal(p.account_id, f->account);
	assert_true(mm_auth_privileged(&p));
	assert_string_equal(csrf, out.csrf);
	enrol(f, f->account, &s, &codes);
	assert_int_equal(mm_auth_session(&f->ctx, out.token, &p, NULL), MM_OK);
	assert_true(p.totp);
	/* The policy can be switched off. */
	assert_int_equal(mm_account_totp_remove(&f->ctx, f->account), MM_OK);
	assert_int_equal(mm_auth_session(&f->ctx, out.token, &p, NULL), MM_EPERM);
	mm_auth_settings.require_totp_for_privileged = false;
	assert_int_equal(mm_auth_session(&f->ctx, out.token, &p, NULL), MM_OK);
	assert_int_equal(signin(f, "sato", PW, &out), MM_AUTH_OK);
	/* Staff need no TOTP either way. */
	mm_auth_settings.require_totp_for_privileged = true;
	int64_t id = account(f, "suzuki", person(f, "鈴木 花子", "employed"), PW);
	assert_int_equal(signin(f, "suzuki", PW, &out), MM_AUTH_OK);
	assert_int_equal(mm_auth_session(&f->ctx, out.token, &p, NULL), MM_OK);
	assert_int_equal(p.account_id, id);
	assert_false(mm_auth_privileged(&p));
}

static void test_tokens(void **state)
{
	struct fx *f = *state;
	char tok[MM_AUTH_API_TOKEN_SIZE], tok2[MM_AUTH_API_TOKEN_SIZE];
	struct mm_principal p;
	struct mm_token *list;
	int64_t id = 0, id2 = 0;
	size_t n;

	assert_int_equal(mm_auth_token_create(&f->ctx, f->account, "backup script", 0, tok, &id),
			 MM_OK);
	assert_int_equal(strlen(tok), 47);
	assert_true(strncmp(tok, "mmt_", 4) == 0);
	assert_int_equal(strspn(tok + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					 "0123456789-_"),
			 43);
	assert_int_equal(mm_auth_bearer(&f->ctx, tok, &p), MM_OK);
	assert_int_equal(p.account_id, f->account);
	assert_string_equal(p.login, "sato");
	assert_true(p.via_token);
	assert_false(p.totp);
	assert_int_equal(mm_token_list(f->ctx.conn, f->account, &f->a, &list, &n), MM_OK);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].last_used, T0);
	assert_string_equal(list[0].label, "backup script");
	assert_null(strstr(list[0].hash, tok + 4));
	/* Only the owner's account can revoke it. */
	int64_t other = account(f, "suzuki", person(f, "鈴木 花子", "employed"), PW);
	assert_int_equal(mm_auth_token_revoke(&f->ctx, other, id), MM_ENOTFOUND);
	assert_int_equal(mm_auth_bearer(&f->ctx, tok, &p), MM_OK);
	assert_int_equal(mm_auth_token_revoke(&f->ctx, f->account, id), MM_OK);
	assert_int_equal(mm_auth_bearer(&f->ctx, tok, &p), MM_ENOTFOUND);
	assert_int_equal(events(f, "token_revoke", "ok", NULL), 1);
	assert_int_equal(events(f, "bearer", "refused", "\"reason\":\"revoked\""), 1);
	/* Expiry. */
	assert_int_equal(mm_auth_token_create(&f->ctx, f->account, NULL, T0 + 3600, tok2, &id2),
			 MM_OK);
	f->ctx.now = T0 + 3599;
	assert_int_equal(mm_auth_bearer(&f->ctx, tok2, &p), MM_OK);
	f->ctx.now = T0 + 3600;
	assert_int_equal(mm_auth_bearer(&f->ctx, tok2, &p), MM_ENOTFOUND);
	assert_int_equal(events(f, "bearer", "refused", "\"reason\":\"expired\""), 1);
	/* Disabled accounts and people who left. */
	f->ctx.now = T0;
	assert_int_equal(mm_auth_token_create(&f->ctx, other, "sync", 0, tok2, &id2), MM_OK);
	assert_int_equal(mm_auth_bearer(&f->ctx, tok2, &p), MM_OK);
	assert_int_equal(mm_account_disable(&f->ctx, other), MM_OK);
	assert_int_equal(mm_auth_bearer(&f->ctx, tok2, &p), MM_ENOTFOUND);
	assert_int_equal(events(f, "bearer", "refused", "\"reason\":\"disabled\""), 1);
	assert_int_equal(mm_auth_token_create(&f->ctx, other, "sync", 0, tok2, &id2), MM_EPERM);
	assert_int_equal(tok2[0], '\0');
	/* Malformed or unknown tokens. */
	assert_int_equal(mm_auth_bearer(&f->ctx, NULL, &p), MM_ENOTFOUND);
	assert_int_equal(mm_auth_bearer(&f->ctx, "", &p), MM_ENOTFOUND);
	assert_int_equal(mm_auth_bearer(&f->ctx, tok + 4, &p), MM_ENOTFOUND);
	tok[10] = tok[10] == 'A' ? 'B' : 'A';
	assert_int_equal(mm_auth_bearer(&f->ctx, tok, &p), MM_ENOTFOUND);
	/* Bad labels and expiries. */
	char label[128];
	memset(label, 'x', 101);
	label[101] = '\0';
	assert_int_equal(mm_auth_token_create(&f->ctx, f->account, label, 0, tok2, NULL),
			 MM_EINVAL);
	assert_int_equal(mm_auth_token_create(&f->ctx, f->account, "a\nb", 0, tok2, NULL),
			 MM_EINVAL);
	assert_int_equal(mm_auth_token_create(&f->ctx, f->account, "x", T0, tok2, NULL), MM_EINVAL);
	assert_int_equal(mm_auth_token_create(&f->ctx, 9999, "x", 0, tok2, NULL), MM_ENOTFOUND);
	assert_int_equal(events(f, "token_create", "ok", NULL), 3);
	assert_not_audited(f, tok + 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_password_yet, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_password, setup, teardown),
		cmocka_unit_test_setup_teardown(test_totp_enrol, setup, teardown),
		cmocka_unit_test_setup_teardown(test_totp_signin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_totp_pending_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_privileged_enrol, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
