/* The set-up shared by the sign-in and account tests: a fresh database with
 * the default profile, a section, an employed person with an account whose
 * password is AUTH_PW, a sealing key, cheap argon2 and ctx->now as the clock;
 * and helpers to sign in and to read the audit events. */
#ifndef MM_TEST_AUTH_FIXTURE_H
#define MM_TEST_AUTH_FIXTURE_H

#include "core/arena.h"
#include "domain/auth.h"
#include "domain/register.h"
#include "store/identity.h"

#include "fixture.h"

/* 2025-06-01 12:00 JST. */
enum { T0 = 1748746800 };

extern const char *const PW;

#define S(name, value) ((struct mm_in){ (name), MM_IN_STR, (value), strlen(value), 0 })
#define I(name, value) ((struct mm_in){ (name), MM_IN_INT, NULL, 0, (value) })

struct fx {
	struct mm_test_db db;
	struct mm_arena a;
	struct mm_ctx ctx;
	char key[96];
	int64_t section, person, account;
};

int64_t create(struct fx *f, const struct mm_register *r, struct mm_in *items, size_t n);
/* A person of the fixture's section with the given employment status. */
int64_t person(struct fx *f, const char *name, const char *status);
int64_t account(struct fx *f, const char *login, int64_t per, const char *pw);
int setup(void **state);
int teardown(void **state);
enum mm_auth_result signin(struct fx *f, const char *login, const char *pw, struct mm_signin *out);
int session(struct fx *f, const char *token);
/* Events of action (NULL: all) whose result is result and whose details
 * hold the text detail (either may be NULL). */
size_t events(struct fx *f, const char *action, const char *result, const char *detail);
/* The account as stored now. */
struct mm_account get_account(struct fx *f, int64_t id);
/* No audit event holds secret anywhere. */
void assert_not_audited(struct fx *f, const char *secret);

#endif
