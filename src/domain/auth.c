/* Sign-in, the TOTP step, sessions and personal API tokens. Account
 * management lives in account.c. */
#include "domain/auth.h"
#include "domain/auth_int.h"

#include "core/datetime.h"
#include "core/err.h"
#include "core/json.h"
#include "core/merkle.h"
#include "core/slice.h"
#include "domain/audit.h"
#include "domain/authcache.h"
#include "domain/password.h"
#include "domain/registers.h"
#include "domain/seal.h"

#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define DEFAULTS                                                                                   \
	{                                                                                          \
		.idle_timeout = 1800, .absolute_timeout = 43200, .mfa_timeout = 300,               \
		.max_failures = 10, .lock_first = 60, .lock_max = 3600, .ip_limit = 30,            \
		.ip_window = 300, .require_totp_for_privileged = true,                             \
	}

const struct mm_auth_settings mm_auth_defaults = DEFAULTS;
struct mm_auth_settings mm_auth_settings = DEFAULTS;

enum {
	TOKEN_HEX = 64,
	RAND_BYTES = 32,
	DETAIL_MAX = 256,
};

int mm_auth_settings_check(const struct mm_auth_settings *s)
{
	if (s->max_failures < 1 || s->max_failures > 100 || s->ip_limit < 1)
		return MM_EINVAL;
	if (s->idle_timeout < 1 || s->absolute_timeout < 1 || s->mfa_timeout < 1 ||
	    s->ip_window < 1 || s->lock_first < 1 || s->lock_max < s->lock_first)
		return MM_EINVAL;
	return MM_OK;
}

int64_t mm_auth_clock(const struct mm_ctx *ctx)
{
	return ctx->now ? ctx->now : mm_now();
}

bool mm_auth_login_valid(const char *login)
{
	size_t n;

	if (!login)
		return false;
	for (n = 0; login[n]; n++) {
		char c = login[n];

		if (n >= MM_AUTH_LOGIN_MAX)
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return n >= MM_AUTH_LOGIN_MIN;
}

/* libcrypto's SHA-256 (SHA-NI where the CPU has it) without EVP's fetch on
 * every call (see core/merkle.c): every authenticated request hashes its
 * credential. */
void mm_auth_hash_hex(const char *s, size_t n, char out[MM_AUTH_HASH_HEX])
{
	uint8_t h[MM_HASH_LEN];

	mm_sha256(s, n, h);
	sodium_bin2hex(out, MM_AUTH_HASH_HEX, h, sizeof(h));
}

int mm_auth_audit(struct mm_ctx *ctx, const char *action, int64_t account_id, const char *result,
		  ...)
{
	char object[40] = "";
	const char *k;
	struct mm_buf b;
	struct mm_json j;
	va_list ap;
	int rc;

	if (account_id)
		snprintf(object, sizeof(object), "accounts/%lld", (long long)account_id);
	mm_buf_init(&b, 8192);
	mm_json_init(&j, &b);
	mm_json_obj_open(&j);
	va_start(ap, result);
	while ((k = va_arg(ap, const char *))) {
		const char *v = va_arg(ap, const char *);
		size_t n = v ? strlen(v) : 0;

		mm_json_key(&j, k);
		if (!v)
			mm_json_null(&j);
		else if (n > DETAIL_MAX || !mm_utf8_valid(v, n))
			mm_json_str(&j, "?");
		else
			mm_json_str(&j, v);
	}
	va_end(ap);
	mm_json_obj_close(&j);
	rc = b.err ? b.err : mm_audit(ctx, action, object, result, b.data);
	mm_buf_free(&b);
	return rc;
}

int mm_auth_person(struct mm_ctx *ctx, int64_t person_id, const char **name, const char **why)
{
	struct mm_record rec;
	const struct mm_value *st;
	int rc;

	rc = mm_reg_get(&mm_reg_people, ctx, person_id, &rec);
	if (rc)
		return rc;
	if (name)
		*name = rec.v[PER_NAME].set ? rec.v[PER_NAME].s : NULL;
	st = &rec.v[PER_STATUS];
	if (rec.retired) {
		*why = "person_disabled";
		return MM_EPERM;
	}
	if (!st->set || strcmp(st->s, "employed") != 0) {
		*why = "left";
		return MM_EPERM;
	}
	return MM_OK;
}

bool mm_auth_privileged(const struct mm_principal *p)
{
	for (int r = 0; p && r < MM_ROLE_COUNT; r++)
		if (mm_has_role(p, (enum mm_role)r) && mm_role_privileged((enum mm_role)r))
			return true;
	return false;
}

static char dummy[MM_PASSWORD_HASH_MAX];
static pthread_mutex_t dummy_lock = PTHREAD_MUTEX_INITIALIZER;

/* A hash of a random password at today's cost, so that an unknown login
 * costs as much as a known one. */
static int dummy_hash(char out[MM_PASSWORD_HASH_MAX])
{
	int rc = MM_OK;

	pthread_mutex_lock(&dummy_lock);
	if (!dummy[0] || mm_password_needs_rehash(dummy)) {
		unsigned char r[16];
		char pw[sizeof(r) * 2 + 1];

		if (!mm_sodium_ready()) {
			rc = MM_EIO;
		} else {
			randombytes_buf(r, sizeof(r));
			sodium_bin2hex(pw, sizeof(pw), r, sizeof(r));
			rc = mm_password_hash(pw, sizeof(pw) - 1, dummy);
		}
	}
	memcpy(out, dummy, MM_PASSWORD_HASH_MAX);
	pthread_mutex_unlock(&dummy_lock);
	return rc;
}

/* Counts one attempt from ctx->ip; *limited when over the limit. A flood is
 * audited once per window, at its first refused attempt. */
static int ip_limited(struct mm_ctx *ctx, int64_t now, bool *limited)
{
	const struct mm_auth_settings *s = &mm_auth_settings;
	char key[96];
	int64_t n;
	int rc;

	*limited = false;
	snprintf(key, sizeof(key), "signin-ip:%s", ctx->ip ? ctx->ip : "");
	rc = mm_rate_hit(ctx->conn, key, s->ip_window, now, &n);
	if (rc)
		return rc;
	*limited = n > s->ip_limit;
	if (n == (int64_t)s->ip_limit + 1)
		rc = mm_auth_audit(ctx, "signin", 0, "refused", "reason", "rate_limited", NULL);
	return rc;
}

static bool hex_token(const char *t)
{
	size_t n;

	if (!t)
		return false;
	for (n = 0; t[n]; n++)
		if (n >= TOKEN_HEX ||
		    !((t[n] >= '0' && t[n] <= '9') || (t[n] >= 'a' && t[n] <= 'f')))
			return false;
	return n == TOKEN_HEX;
}

static void random_hex(char out[MM_AUTH_TOKEN_SIZE])
{
	unsigned char r[RAND_BYTES];

	randombytes_buf(r, sizeof(r));
	sodium_bin2hex(out, MM_AUTH_TOKEN_SIZE, r, sizeof(r));
	sodium_memzero(r, sizeof(r));
}

/* Creates a session for account_id and writes its tokens to out. */
static int new_session(struct mm_ctx *ctx, int64_t account_id, bool pending, int64_t now,
		       struct mm_signin *out)
{
	char hash[MM_AUTH_HASH_HEX];
	struct mm_session s = {
		.id_hash = hash,
		.account_id = account_id,
		.created_at = now,
		.last_seen = now,
		.csrf = out->csrf,
		.mfa_pending = pending,
		.ip = ctx->ip ? ctx->ip : "",
	};

	random_hex(out->token);
	random_hex(out->csrf);
	mm_auth_hash_hex(out->token, TOKEN_HEX, hash);
	out->account_id = account_id;
	return mm_session_insert(ctx->conn, &s);
}

/* Counts a failure on acct (written by the caller) and locks it when it is
 * over the limit: lock_first for the first lock, doubling with every further
 * failure, up to lock_max. */
static int count_failure(struct mm_ctx *ctx, struct mm_account *acct, int64_t now)
{
	const struct mm_auth_settings *s = &mm_auth_settings;
	char fails[24], secs[24];
	int64_t over, d = s->lock_first;

	acct->failures++;
	over = acct->failures - s->max_failures;
	if (over < 0)
		return MM_OK;
	for (int64_t i = 0; i < over && d < s->lock_max; i++)
		d *= 2;
	if (d > s->lock_max)
		d = s->lock_max;
	acct->locked_until = now + d;
	snprintf(fails, sizeof(fails), "%lld", (long long)acct->failures);
	snprintf(secs, sizeof(secs), "%lld", (long long)d);
	return mm_auth_audit(ctx, "lockout", acct->id, "ok", "login", acct->login, "failures",
			     fails, "seconds", secs, NULL);
}

static bool must_enrol(const struct mm_principal *p, bool totp_enabled)
{
	return mm_auth_settings.require_totp_for_privileged && !totp_enabled &&
	       mm_auth_privileged(p);
}

/* The part of a sign-in that writes, for a login that exists: re-reads the
 * account inside the transaction, decides, counts or clears failures and
 * opens the session. *reason is set when refused. */
static int signin_known(struct mm_ctx *ctx, struct mm_account *acct, bool match, const char *fresh,
			int64_t now, struct mm_signin *out, const char **reason)
{
	const char *checked = acct->password_hash, *why = NULL;
	struct mm_principal p;
	int rc;

	rc = mm_account_get(ctx->conn, acct->id, ctx->a, acct);
	if (rc)
		return rc;
	if (acct->locked_until > now)
		*reason = "locked";
	else if (acct->disabled)
		*reason = "disabled";
	else if (!acct->password_hash)
		*reason = "no_password";
	else if (!checked || strcmp(checked, acct->password_hash) != 0)
		*reason = "password_changed";
	if (*reason)
		return MM_OK;
	if (!match) {
		*reason = "bad_password";
		rc = count_failure(ctx, acct, now);
		return rc ? rc : mm_account_update(ctx->conn, acct);
	}
	rc = mm_auth_person(ctx, acct->person_id, NULL, &why);
	if (rc == MM_EPERM || rc == MM_ENOTFOUND) {
		*reason = rc == MM_EPERM ? why : "no_person";
		return MM_OK;
	}
	if (rc)
		return rc;
	/* With TOTP, only the second step clears failures: a known password
	 * must not reset the count of wrong codes. */
	if (!acct->totp_enabled) {
		acct->failures = 0;
		acct->locked_until = 0;
	}
	if (fresh[0])
		acct->password_hash = fresh;
	rc = mm_account_update(ctx->conn, acct);
	if (rc)
		return rc;
	if (acct->totp_enabled) {
		out->result = MM_AUTH_NEED_TOTP;
	} else {
		rc = mm_principal_load(ctx, acct->id, &p);
		if (rc)
			return rc;
		out->result = must_enrol(&p, acct->totp_enabled) ? MM_AUTH_NEED_ENROL : MM_AUTH_OK;
	}
	rc = new_session(ctx, acct->id, out->result == MM_AUTH_NEED_TOTP, now, out);
	if (rc)
		return rc;
	return mm_session_purge(ctx->conn, now - mm_auth_settings.idle_timeout,
				now - mm_auth_settings.absolute_timeout);
}

/* Records a successful step as the account that signed in. */
static int audit_success(struct mm_ctx *ctx, const char *action, const struct mm_account *acct,
			 const char *key, const char *value)
{
	struct mm_principal who = { .account_id = acct->id, .login = acct->login };
	struct mm_ctx as = *ctx;

	as.who = &who;
	return mm_auth_audit(&as, action, acct->id, "ok", "login", acct->login, key, value, NULL);
}

static const char *const second_factor[] = {
	[MM_AUTH_OK] = "none",
	[MM_AUTH_NEED_TOTP] = "pending",
	[MM_AUTH_NEED_ENROL] = "enrol",
};

static const char *refusal_result(const char *reason)
{
	static const char *const failed[] = { "unknown_login", "bad_password", "no_password",
					      "bad_code", "totp_replay" };

	for (size_t i = 0; i < sizeof(failed) / sizeof(failed[0]); i++)
		if (strcmp(reason, failed[i]) == 0)
			return "failed";
	return "refused";
}

int mm_auth_signin(struct mm_ctx *ctx, const char *login, const char *password, size_t len,
		   struct mm_signin *out)
{
	char dummy_pw[MM_PASSWORD_HASH_MAX], fresh[MM_PASSWORD_HASH_MAX] = "";
	const char *reason = NULL;
	struct mm_account acct;
	int64_t now = mm_auth_clock(ctx);
	bool found, match, limited;
	int rc;

	memset(out, 0, sizeof(*out));
	out->result = MM_AUTH_REFUSED;
	rc = ip_limited(ctx, now, &limited);
	if (rc || limited) {
		out->result = limited ? MM_AUTH_RATE_LIMITED : MM_AUTH_REFUSED;
		return rc;
	}
	rc = mm_auth_login_valid(login) ? mm_account_by_login(ctx->conn, login, ctx->a, &acct)
					: MM_ENOTFOUND;
	if (rc && rc != MM_ENOTFOUND)
		return rc;
	found = rc == MM_OK;
	rc = dummy_hash(dummy_pw);
	if (rc)
		return rc;
	/* Both paths run one argon2 verification of the same cost. */
	match = mm_password_verify(found && acct.password_hash ? acct.password_hash : dummy_pw,
				   password, len) &&
		found && acct.password_hash;
	if (match && mm_password_needs_rehash(acct.password_hash)) {
		rc = mm_password_hash(password, len, fresh);
		if (rc)
			return rc;
	}
	rc = mm_ctx_tx_begin(ctx);
	if (rc)
		goto out;
	if (found)
		rc = signin_known(ctx, &acct, match, fresh, now, out, &reason);
	else
		reason = "unknown_login";
	if (!rc && reason)
		rc = mm_auth_audit(ctx, "signin", found ? acct.id : 0, refusal_result(reason),
				   "reason", reason, "login", login, NULL);
	else if (!rc)
		rc = audit_success(ctx, "signin", &acct, "second_factor",
				   out->result <= MM_AUTH_NEED_ENROL ? second_factor[out->result]
								     : "none");
	rc = mm_ctx_tx_end(ctx, rc);
out:
	sodium_memzero(fresh, sizeof(fresh));
	if (rc || reason) {
		memset(out, 0, sizeof(*out));
		out->result = MM_AUTH_REFUSED;
	}
	return rc;
}

/* Reads the session of a cookie token; MM_ENOTFOUND for malformed tokens.
 * hash (may be NULL) gets the token's hash. */
static int get_session(struct mm_ctx *ctx, const char *token, struct mm_session *s,
		       char hash[MM_AUTH_HASH_HEX])
{
	char own[MM_AUTH_HASH_HEX];

	if (!hash)
		hash = own;
	hash[0] = '\0';
	if (!hex_token(token))
		return MM_ENOTFOUND;
	mm_auth_hash_hex(token, TOKEN_HEX, hash);
	return mm_session_get(ctx->conn, hash, ctx->a, s);
}

/* Checks the code of a pending session against the account's secret. On
 * success replaces the pending session with a full one in out; otherwise
 * sets *reason, and ends the pending session when it can no longer succeed. */
static int totp_step(struct mm_ctx *ctx, const struct mm_session *s, const char *code, int64_t now,
		     struct mm_account *acct, struct mm_signin *out, const char **reason,
		     const char **method)
{
	struct mm_totp_secret sec;
	struct mm_buf sealed;
	int64_t step;
	int rc, crc;

	mm_buf_init(&sealed, 4096);
	rc = mm_account_get(ctx->conn, s->account_id, ctx->a, acct);
	if (rc)
		goto out;
	if (acct->locked_until > now)
		*reason = "locked";
	else if (acct->disabled)
		*reason = "disabled";
	else if (!acct->totp_enabled || !acct->totp_secret)
		*reason = "not_enrolled";
	if (*reason) {
		rc = mm_session_delete(ctx->conn, s->id_hash);
		goto out;
	}
	rc = mm_totp_unseal(acct->totp_secret, &sec);
	if (rc)
		goto out;
	crc = mm_totp_check(&sec, code, now, acct->totp_last_step, &step);
	if (crc == MM_OK) {
		acct->totp_last_step = step;
		*method = "totp";
	} else if (mm_totp_use_recovery(&sec, code)) {
		rc = mm_totp_seal(&sec, &sealed);
		if (rc)
			goto out;
		acct->totp_secret = sealed.data;
		*method = "recovery_code";
	} else {
		*reason = crc == MM_ECONFLICT ? "totp_replay" : "bad_code";
		rc = count_failure(ctx, acct, now);
		if (!rc)
			rc = mm_account_update(ctx->conn, acct);
		if (!rc && acct->locked_until > now)
			rc = mm_session_delete(ctx->conn, s->id_hash);
		goto out;
	}
	acct->failures = 0;
	acct->locked_until = 0;
	rc = mm_account_update(ctx->conn, acct);
	if (!rc)
		rc = mm_session_delete(ctx->conn, s->id_hash);
	if (!rc)
		rc = new_session(ctx, acct->id, false, now, out);
	if (!rc)
		out->result = MM_AUTH_OK;
out:
	mm_totp_wipe(&sec);
	mm_buf_free(&sealed);
	return rc;
}

int mm_auth_totp(struct mm_ctx *ctx, const char *token, const char *code, struct mm_signin *out)
{
	const char *reason = NULL, *method = NULL;
	struct mm_account acct = { 0 };
	struct mm_session s;
	int64_t now = mm_auth_clock(ctx);
	bool limited;
	int rc;

	memset(out, 0, sizeof(*out));
	out->result = MM_AUTH_REFUSED;
	rc = ip_limited(ctx, now, &limited);
	if (rc || limited) {
		out->result = limited ? MM_AUTH_RATE_LIMITED : MM_AUTH_REFUSED;
		return rc;
	}
	rc = mm_ctx_tx_begin(ctx);
	if (rc)
		return rc;
	rc = get_session(ctx, token, &s, NULL);
	if (rc == MM_ENOTFOUND || (!rc && !s.mfa_pending)) {
		reason = "no_pending_session";
		rc = MM_OK;
	} else if (!rc && s.created_at + mm_auth_settings.mfa_timeout <= now) {
		reason = "expired";
		acct.id = s.account_id;
		rc = mm_session_delete(ctx->conn, s.id_hash);
	} else if (!rc) {
		rc = totp_step(ctx, &s, code, now, &acct, out, &reason, &method);
	}
	if (!rc && reason)
		rc = mm_auth_audit(ctx, "signin_totp", acct.id, refusal_result(reason), "reason",
				   reason, "login", acct.login, NULL);
	else if (!rc)
		rc = audit_success(ctx, "signin_totp", &acct, "method", method);
	rc = mm_ctx_tx_end(ctx, rc);
	if (rc || reason) {
		memset(out, 0, sizeof(*out));
		out->result = MM_AUTH_REFUSED;
	}
	return rc;
}

static bool expired(const struct mm_session *s, int64_t now)
{
	const struct mm_auth_settings *st = &mm_auth_settings;

	if (s->mfa_pending && s->created_at + st->mfa_timeout <= now)
		return true;
	return s->created_at + st->absolute_timeout <= now ||
	       s->last_seen + st->idle_timeout <= now;
}

int mm_auth_pending(struct mm_ctx *ctx, const char *token, const char **csrf)
{
	struct mm_session s;
	int rc;

	rc = get_session(ctx, token, &s, NULL);
	if (rc)
		return rc;
	if (!s.mfa_pending || expired(&s, mm_auth_clock(ctx)))
		return MM_ENOTFOUND;
	if (csrf)
		*csrf = s.csrf;
	return MM_OK;
}

int mm_auth_load_active(struct mm_ctx *ctx, int64_t account_id, struct mm_account *acct,
			struct mm_principal *out, const char **reason)
{
	int rc;

	rc = mm_account_get(ctx->conn, account_id, ctx->a, acct);
	if (rc == MM_ENOTFOUND)
		*reason = "no_account";
	if (rc)
		return rc;
	if (acct->disabled) {
		*reason = "disabled";
		return MM_ENOTFOUND;
	}
	rc = mm_auth_person(ctx, acct->person_id, NULL, reason);
	if (rc == MM_EPERM || rc == MM_ENOTFOUND) {
		*reason = rc == MM_ENOTFOUND ? "no_person" : *reason;
		return MM_ENOTFOUND;
	}
	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	return mm_principal_load(ctx, account_id, out);
}

/* The full check of a session whose token hashes to hash: fills out and
 * *csrf, and *fresh_until with when it must next be checked in full. */
static int check_session(struct mm_ctx *ctx, const char *hash, int64_t now,
			 struct mm_principal *out, const char **csrf, int64_t *fresh_until)
{
	const struct mm_auth_settings *st = &mm_auth_settings;
	const char *reason = NULL;
	struct mm_account acct;
	struct mm_session s;
	int rc;

	rc = mm_session_get(ctx->conn, hash, ctx->a, &s);
	if (rc)
		return rc;
	if (s.mfa_pending)
		return MM_ENOTFOUND;
	if (expired(&s, now)) {
		rc = mm_session_delete(ctx->conn, s.id_hash);
		return rc ? rc : MM_ENOTFOUND;
	}
	rc = mm_auth_load_active(ctx, s.account_id, &acct, out, &reason);
	if (rc == MM_ENOTFOUND && reason) {
		rc = mm_session_delete(ctx->conn, s.id_hash);
		return rc ? rc : MM_ENOTFOUND;
	}
	if (rc)
		return rc;
	if (now - s.last_seen >= MM_AUTH_TOUCH_EVERY) {
		/* The touch is bookkeeping: a disk that refuses writes must not
		 * stop reads. A failed one keeps the old time (the idle timeout
		 * only comes sooner) and is tried again on the next request. */
		int64_t seen = s.last_seen;

		s.last_seen = now;
		rc = mm_session_update(ctx->conn, &s);
		if (rc == MM_EIO)
			s.last_seen = seen;
		else if (rc)
			return rc;
	}
	out->totp = acct.totp_enabled;
	out->via_token = false;
	*csrf = s.csrf;
	*fresh_until = s.last_seen + MM_AUTH_TOUCH_EVERY;
	if (s.created_at + st->absolute_timeout < *fresh_until)
		*fresh_until = s.created_at + st->absolute_timeout;
	if (s.last_seen + st->idle_timeout < *fresh_until)
		*fresh_until = s.last_seen + st->idle_timeout;
	return must_enrol(out, acct.totp_enabled) ? MM_EPERM : MM_OK;
}

int mm_auth_session(struct mm_ctx *ctx, const char *token, struct mm_principal *out,
		    const char **csrf)
{
	char hash[MM_AUTH_HASH_HEX];
	const char *tok_csrf = NULL;
	int64_t now = mm_auth_clock(ctx), gen, fresh_until = 0;
	int rc;

	if (!hex_token(token))
		return MM_ENOTFOUND;
	mm_auth_hash_hex(token, TOKEN_HEX, hash);
	if (mm_auth_recall(ctx, 's', hash, now, &gen, out, &tok_csrf, &rc)) {
		/* The policy is read now: it is not part of what was cached. */
		rc = must_enrol(out, out->totp) ? MM_EPERM : MM_OK;
	} else {
		rc = check_session(ctx, hash, now, out, &tok_csrf, &fresh_until);
		mm_auth_remember(ctx, 's', hash, gen, now, fresh_until, out, tok_csrf, rc);
	}
	if (csrf && (rc == MM_OK || rc == MM_EPERM))
		*csrf = tok_csrf;
	return rc;
}

int mm_auth_signout(struct mm_ctx *ctx, const char *token)
{
	struct mm_session s;
	int rc;

	rc = get_session(ctx, token, &s, NULL);
	if (rc == MM_ENOTFOUND)
		return MM_OK;
	if (rc)
		return rc;
	rc = mm_ctx_tx_begin(ctx);
	if (rc)
		return rc;
	rc = mm_session_delete(ctx->conn, s.id_hash);
	if (!rc)
		rc = mm_auth_audit(ctx, "signout", s.account_id, "ok", NULL);
	return mm_ctx_tx_end(ctx, rc);
}

int mm_auth_end_sessions(struct mm_ctx *ctx, int64_t account_id)
{
	int rc;

	rc = mm_ctx_tx_begin(ctx);
	if (rc)
		return rc;
	rc = mm_session_delete_account(ctx->conn, account_id);
	if (!rc)
		rc = mm_auth_audit(ctx, "sessions_end", account_id, "ok", NULL);
	return mm_ctx_tx_end(ctx, rc);
}
