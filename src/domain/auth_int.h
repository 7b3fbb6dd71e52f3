/* Helpers shared by auth.c (sign-in, sessions, tokens) and account.c
 * (account management); not part of the domain's interface. */
#ifndef MM_DOMAIN_AUTH_INT_H
#define MM_DOMAIN_AUTH_INT_H

#include "domain/auth.h"
#include "store/identity.h"

enum { MM_AUTH_HASH_HEX = 65 };

/* ctx->now, or the clock when it is 0. */
int64_t mm_auth_clock(const struct mm_ctx *ctx);

/* 3..64 ASCII letters, digits, '.', '_' and '-'. */
bool mm_auth_login_valid(const char *login);

/* Hex SHA-256 of n bytes: how session and API tokens are stored. */
void mm_auth_hash_hex(const char *s, size_t n, char out[MM_AUTH_HASH_HEX]);

/* Records an audit event about account_id (object "accounts/ID", or none
 * when 0) with details built from the NULL-terminated key, value string
 * pairs that follow; a value that is not UTF-8 is written as "?". */
int mm_auth_audit(struct mm_ctx *ctx, const char *action, int64_t account_id, const char *result,
		  ...) __attribute__((sentinel));

/* Reads the person behind an account: MM_OK when employed and active, with
 * *name (may be NULL) their name; MM_EPERM with *why "left" or
 * "person_disabled" when they may not sign in; MM_ENOTFOUND. */
int mm_auth_person(struct mm_ctx *ctx, int64_t person_id, const char **name, const char **why);

/* Checks that the account behind a session or token may still act (enabled,
 * its person employed) and loads its principal into out. MM_ENOTFOUND with
 * *reason set when it may not. */
int mm_auth_load_active(struct mm_ctx *ctx, int64_t account_id, struct mm_account *acct,
			struct mm_principal *out, const char **reason);

/* Sessions and principals are touched at most this often (seconds). */
enum { MM_AUTH_TOUCH_EVERY = 60 };

#endif
