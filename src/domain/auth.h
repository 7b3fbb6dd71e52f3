/* Sign-in, sessions, personal API tokens and account management (7.2, 7.3).
 * Everything goes through struct mm_ctx: ctx->now is the clock when non-zero
 * (tests set it), ctx->ip the client's address for rate limits and the audit
 * log. Every outcome is recorded with mm_audit, with the real reason in the
 * details and never a password, token or code. Functions that write run in a
 * transaction of their own unless ctx->in_tx says the caller holds one; the
 * argon2 work happens before it, so a slow hash never holds the write lock.
 *
 * Sign-in in one picture:
 *   mm_auth_signin  → OK          a session (cookie token + CSRF token)
 *                   → NEED_TOTP   a pending session that grants nothing;
 *                                 mm_auth_totp with a code turns it into a
 *                                 full session under a new token
 *                   → NEED_ENROL  a session, but mm_auth_session answers
 *                                 MM_EPERM for it until TOTP is enrolled
 *                                 (privileged roles without TOTP, when
 *                                 require_totp_for_privileged is set)
 *                   → REFUSED / RATE_LIMITED  nothing, and the same answer
 *                                 whatever the reason. */
#ifndef MM_DOMAIN_AUTH_H
#define MM_DOMAIN_AUTH_H

#include "core/buf.h"
#include "domain/principal.h"
#include "domain/register.h"
#include "domain/totp.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Set by the server from its configuration before threads start;
 * mm_auth_settings_check tells whether values are acceptable. */
struct mm_auth_settings {
	int64_t idle_timeout;	  /* a session ends this long after its last request: 1800 s */
	int64_t absolute_timeout; /* and this long after sign-in whatever happens: 43200 s */
	int64_t mfa_timeout;	  /* time to give the TOTP code after the password: 300 s */
	int max_failures;	  /* failures in a row (password or TOTP) that lock: 10, 1..100 */
	int64_t lock_first;	  /* the first lock lasts 60 s; each further failure while */
	int64_t lock_max;	  /* still over the limit locks twice as long, up to 3600 s */
	int ip_limit;		  /* sign-in attempts (passwords and codes) per address */
	int64_t ip_window;	  /* per window: 30 per 300 s */
	bool require_totp_for_privileged; /* ciso, deputy, systems, secretariat, app_admin: true */
};

extern struct mm_auth_settings mm_auth_settings;

/* The defaults above. */
extern const struct mm_auth_settings mm_auth_defaults;

/* MM_OK when s is usable: max_failures 1..100, timeouts and windows > 0,
 * lock_first <= lock_max, ip_limit >= 1. MM_EINVAL otherwise. */
int mm_auth_settings_check(const struct mm_auth_settings *s);

enum mm_auth_result {
	MM_AUTH_OK,
	MM_AUTH_NEED_TOTP,
	MM_AUTH_NEED_ENROL,
	MM_AUTH_REFUSED,
	MM_AUTH_RATE_LIMITED,
};

enum {
	MM_AUTH_TOKEN_SIZE = 65,     /* session and CSRF tokens: 64 hex digits and a NUL */
	MM_AUTH_API_TOKEN_SIZE = 48, /* "mmt_", 43 base64url characters and a NUL */
	MM_AUTH_LOGIN_MIN = 3,
	MM_AUTH_LOGIN_MAX = 64,
};

/* What a sign-in step gives the caller: the result, and for OK, NEED_TOTP
 * and NEED_ENROL the account and the new session's cookie value and CSRF
 * token (empty strings otherwise). */
struct mm_signin {
	enum mm_auth_result result;
	int64_t account_id;
	char token[MM_AUTH_TOKEN_SIZE];
	char csrf[MM_AUTH_TOKEN_SIZE];
};

/* Checks login and the len bytes of password. Refused alike: unknown login
 * (verified against a dummy hash, so it costs the same), wrong password,
 * locked or disabled account, no password set, person who left or whose
 * record is retired. Failures count towards the lock; success clears them
 * and rehashes the password when the cost has risen. Each attempt counts
 * towards the address's limit first. Returns MM_OK with out filled, or a
 * store error (then out->result is MM_AUTH_REFUSED). */
int mm_auth_signin(struct mm_ctx *ctx, const char *login, const char *password, size_t len,
		   struct mm_signin *out);

/* Completes a pending session (NEED_TOTP) with a six-digit code or an unused
 * recovery code (which is then spent). On success the pending session ends
 * and out carries a new full session (result MM_AUTH_OK); a wrong code is
 * MM_AUTH_REFUSED and counts as a failure; a pending session older than
 * mfa_timeout, or one whose account locks, ends. */
int mm_auth_totp(struct mm_ctx *ctx, const char *token, const char *code, struct mm_signin *out);

/* MM_OK when token names a live pending session (for showing the code form);
 * *csrf (may be NULL) receives its CSRF token. MM_ENOTFOUND otherwise. */
int mm_auth_pending(struct mm_ctx *ctx, const char *token, const char **csrf);

/* Resolves a session cookie. MM_OK: out is the signed-in principal and *csrf
 * (may be NULL) the session's CSRF token (from ctx->a). MM_EPERM: the same,
 * but the account must enrol TOTP first — allow only enrolment and sign-out.
 * MM_ENOTFOUND: no such session, pending, expired (idle or absolute; then
 * deleted), disabled account or a person who left. Touches last_seen at most
 * once a minute. */
int mm_auth_session(struct mm_ctx *ctx, const char *token, struct mm_principal *out,
		    const char **csrf);

/* Ends the session of token (nothing when there is none). */
int mm_auth_signout(struct mm_ctx *ctx, const char *token);

/* Ends every session of an account. */
int mm_auth_end_sessions(struct mm_ctx *ctx, int64_t account_id);

/* True for the roles for which require_totp_for_privileged asks TOTP. */
bool mm_auth_privileged(const struct mm_principal *p);

/* Creates a personal API token for account_id and writes it to token_out:
 * "mmt_" and the base64url of 32 random bytes. Only its hash is stored; the
 * caller shows it once. expires_at is unix seconds (0: never; otherwise it
 * must lie in the future), label at most 100 characters (may be NULL).
 * *id (may be NULL) receives the token's id. MM_EINVAL for a bad label or
 * expiry, MM_ENOTFOUND for an unknown account, MM_EPERM for a disabled one. */
int mm_auth_token_create(struct mm_ctx *ctx, int64_t account_id, const char *label,
			 int64_t expires_at, char token_out[MM_AUTH_API_TOKEN_SIZE], int64_t *id);

/* Resolves an Authorization: Bearer token into out (via_token set).
 * MM_ENOTFOUND for unknown, revoked or expired tokens, disabled accounts and
 * people who left; refusals of known tokens are audited. Records last_used
 * (at most once a minute). */
int mm_auth_bearer(struct mm_ctx *ctx, const char *token, struct mm_principal *out);

/* Revokes token_id when it belongs to account_id; MM_ENOTFOUND otherwise.
 * Who may revoke whose tokens is the caller's decision. */
int mm_auth_token_revoke(struct mm_ctx *ctx, int64_t account_id, int64_t token_id);

/* Account management for the CLI and the UI; who may call these is decided
 * above this layer. Field problems come back as MM_EVALIDATE with errs
 * filled (fields login, person_id, password; message ids from the
 * catalogue). */

/* Creates an account for person_id: login of 3..64 ASCII letters, digits,
 * '.', '_' or '-', unique; the person must exist, be employed and have no
 * account yet; password (NULL: none, the account cannot sign in until one is
 * set) must pass the policy. *id (may be NULL) receives the new id. */
int mm_account_create(struct mm_ctx *ctx, const char *login, int64_t person_id,
		      const char *password, struct mm_ferrs *errs, int64_t *id);

/* Sets a new password (policy-checked), clears failures and lock, and ends
 * the account's sessions except the one of keep_token (may be NULL). */
int mm_account_set_password(struct mm_ctx *ctx, int64_t account_id, const char *password,
			    const char *keep_token, struct mm_ferrs *errs);

/* MM_OK when password is the account's current one, MM_EPERM otherwise (for
 * "type your current password" forms; not counted as a failure). */
int mm_account_check_password(struct mm_ctx *ctx, int64_t account_id, const char *password);

/* Disables an account and ends its sessions; enabling also clears the lock. */
int mm_account_disable(struct mm_ctx *ctx, int64_t account_id);
int mm_account_enable(struct mm_ctx *ctx, int64_t account_id);

/* TOTP enrolment: start stores a new sealed seed (not yet in force) and
 * appends the otpauth URI to uri (render it with mm_totp_qr_svg; it holds
 * the seed, so wipe it after use); confirm checks a first code, puts TOTP in
 * force and writes ten recovery codes to show once (MM_EINVAL for a wrong
 * code); remove takes TOTP off the account; new_recovery replaces the
 * recovery codes. start and confirm: MM_ECONFLICT when TOTP is already in
 * force, confirm also when nothing was started. seal.h's key must be open. */
int mm_account_totp_start(struct mm_ctx *ctx, int64_t account_id, struct mm_buf *uri);
int mm_account_totp_confirm(struct mm_ctx *ctx, int64_t account_id, const char *code,
			    struct mm_totp_codes *codes);
int mm_account_totp_remove(struct mm_ctx *ctx, int64_t account_id);
int mm_account_totp_new_recovery(struct mm_ctx *ctx, int64_t account_id,
				 struct mm_totp_codes *codes);

#endif
