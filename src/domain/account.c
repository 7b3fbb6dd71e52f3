/* Account management: creation, passwords, disabling and TOTP enrolment.
 * Sign-in and sessions are in auth.c. */
#include "domain/auth.h"
#include "domain/auth_int.h"

#include "core/err.h"
#include "domain/password.h"
#include "domain/seal.h"

#include <sodium.h>
#include <string.h>

/* The fields account forms show, for field errors and their labels. */
static const struct mm_field f_login = {
	.name = "login",
	.label_ja = "ログイン名",
	.label_en = "Login",
	.type = MM_FT_TEXT,
	.min = MM_AUTH_LOGIN_MIN,
	.max = MM_AUTH_LOGIN_MAX,
};
static const struct mm_field f_person = {
	.name = "person_id",
	.label_ja = "職員",
	.label_en = "Person",
	.type = MM_FT_REF,
	.ref = "people",
};
static const struct mm_field f_password = {
	.name = "password",
	.label_ja = "パスワード",
	.label_en = "Password",
	.type = MM_FT_TEXT,
	.min = MM_PASSWORD_MIN,
	.max = MM_PASSWORD_MAX,
};

static void ferr(struct mm_ctx *ctx, struct mm_ferrs *errs, const struct mm_field *f,
		 const char *msg)
{
	mm_ferr_add(errs, f, f->name, msg, ctx->lang);
}

/* Validates the person of a new account; adds field errors. */
static int check_person(struct mm_ctx *ctx, int64_t person_id, const char **name,
			struct mm_ferrs *errs)
{
	struct mm_account other;
	const char *why = NULL;
	int rc;

	rc = mm_auth_person(ctx, person_id, name, &why);
	if (rc == MM_ENOTFOUND) {
		ferr(ctx, errs, &f_person, "bad_ref");
		return MM_OK;
	}
	if (rc == MM_EPERM) {
		ferr(ctx, errs, &f_person,
		     strcmp(why, "left") == 0 ? "person_left" : "retired_ref");
		return MM_OK;
	}
	if (rc)
		return rc;
	rc = mm_account_by_person(ctx->conn, person_id, ctx->a, &other);
	if (rc == MM_OK)
		ferr(ctx, errs, &f_person, "account_exists");
	return rc == MM_ENOTFOUND ? MM_OK : rc;
}

int mm_account_create(struct mm_ctx *ctx, const char *login, int64_t person_id,
		      const char *password, struct mm_ferrs *errs, int64_t *id)
{
	char hash[MM_PASSWORD_HASH_MAX] = "";
	struct mm_account acct = { 0 }, other;
	const char *name = NULL, *msg;
	int64_t now = mm_auth_clock(ctx);
	int rc;

	errs->n = 0;
	if (!mm_auth_login_valid(login)) {
		ferr(ctx, errs, &f_login, "login_invalid");
	} else {
		rc = mm_account_by_login(ctx->conn, login, ctx->a, &other);
		if (rc == MM_OK)
			ferr(ctx, errs, &f_login, "duplicate");
		else if (rc != MM_ENOTFOUND)
			return rc;
	}
	rc = check_person(ctx, person_id, &name, errs);
	if (rc)
		return rc;
	if (password) {
		msg = mm_password_policy(password, strlen(password), login, name);
		if (msg)
			ferr(ctx, errs, &f_password, msg);
	}
	if (errs->n)
		return MM_EVALIDATE;
	if (password) {
		rc = mm_password_hash(password, strlen(password), hash);
		if (rc)
			goto out;
	}
	acct.login = login;
	acct.person_id = person_id;
	acct.password_hash = password ? hash : NULL;
	acct.created_at = acct.updated_at = now;
	acct.password_changed_at = password ? now : 0;
	rc = mm_ctx_tx_begin(ctx);
	if (rc)
		goto out;
	rc = mm_account_insert(ctx->conn, &acct);
	if (rc == MM_ECONFLICT) {
		ferr(ctx, errs, &f_login, "duplicate");
		rc = MM_EVALIDATE;
	}
	if (!rc)
		rc = mm_auth_audit(ctx, "account_create", acct.id, "ok", "login", login, "password",
				   password ? "set" : "none", NULL);
	rc = mm_ctx_tx_end(ctx, rc);
	if (!rc && id)
		*id = acct.id;
out:
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

/* Ends the account's sessions but the one of keep_token. */
static int end_others(struct mm_ctx *ctx, int64_t account_id, const char *keep_token)
{
	char hash[MM_AUTH_HASH_HEX];
	struct mm_session keep;
	bool kept = false;
	int rc;

	if (keep_token) {
		mm_auth_hash_hex(keep_token, strlen(keep_token), hash);
		rc = mm_session_get(ctx->conn, hash, ctx->a, &keep);
		if (rc && rc != MM_ENOTFOUND)
			return rc;
		kept = rc == MM_OK && keep.account_id == account_id && !keep.mfa_pending;
	}
	rc = mm_session_delete_account(ctx->conn, account_id);
	if (!rc && kept)
		rc = mm_session_insert(ctx->conn, &keep);
	return rc;
}

int mm_account_set_password(struct mm_ctx *ctx, int64_t account_id, const char *password,
			    const char *keep_token, struct mm_ferrs *errs)
{
	char hash[MM_PASSWORD_HASH_MAX] = "";
	struct mm_account acct;
	const char *name = NULL, *why, *msg;
	int64_t now = mm_auth_clock(ctx);
	int rc;

	errs->n = 0;
	rc = mm_account_get(ctx->conn, account_id, ctx->a, &acct);
	if (rc)
		return rc;
	rc = mm_auth_person(ctx, acct.person_id, &name, &why);
	if (rc && rc != MM_EPERM && rc != MM_ENOTFOUND)
		return rc;
	msg = mm_password_policy(password, strlen(password), acct.login, name);
	if (msg) {
		ferr(ctx, errs, &f_password, msg);
		return MM_EVALIDATE;
	}
	rc = mm_password_hash(password, strlen(password), hash);
	if (rc)
		goto out;
	rc = mm_ctx_tx_begin(ctx);
	if (rc)
		goto out;
	rc = mm_account_get(ctx->conn, account_id, ctx->a, &acct);
	if (rc)
		goto end;
	acct.password_hash = hash;
	acct.password_changed_at = acct.updated_at = now;
	acct.failures = 0;
	acct.locked_until = 0;
	rc = mm_account_update(ctx->conn, &acct);
	if (!rc)
		rc = end_others(ctx, account_id, keep_token);
	if (!rc)
		rc = mm_auth_audit(ctx, "password_change", account_id, "ok", "login", acct.login,
				   NULL);
end:
	rc = mm_ctx_tx_end(ctx, rc);
out:
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

int mm_account_check_password(struct mm_ctx *ctx, int64_t account_id, const char *password)
{
	struct mm_account acct;
	int rc;

	rc = mm_account_get(ctx->conn, account_id, ctx->a, &acct);
	if (rc)
		return rc;
	if (!mm_password_verify(acct.password_hash, password, strlen(password)))
		return MM_EPERM;
	return MM_OK;
}

/* Applies a change to an account in a transaction and audits it: the
 * skeleton of the small account operations below. */
enum change { DISABLE, ENABLE, TOTP_REMOVE };

static int change(struct mm_ctx *ctx, int64_t account_id, enum change what)
{
	static const char *const action[] = { "account_disable", "account_enable", "totp_remove" };
	struct mm_account acct;
	int rc;

	rc = mm_ctx_tx_begin(ctx);
	if (rc)
		return rc;
	rc = mm_account_get(ctx->conn, account_id, ctx->a, &acct);
	if (rc)
		goto out;
	if (what == DISABLE) {
		acct.disabled = true;
	} else if (what == ENABLE) {
		acct.disabled = false;
		acct.failures = 0;
		acct.locked_until = 0;
	} else {
		acct.totp_secret = NULL;
		acct.totp_enabled = false;
		acct.totp_last_step = 0;
	}
	acct.updated_at = mm_auth_clock(ctx);
	rc = mm_account_update(ctx->conn, &acct);
	if (!rc && what == DISABLE)
		rc = mm_session_delete_account(ctx->conn, account_id);
	if (!rc)
		rc = mm_auth_audit(ctx, action[what], account_id, "ok", "login", acct.login, NULL);
out:
	return mm_ctx_tx_end(ctx, rc);
}

int mm_account_disable(struct mm_ctx *ctx, int64_t account_id)
{
	return change(ctx, account_id, DISABLE);
}

int mm_account_enable(struct mm_ctx *ctx, int64_t account_id)
{
	return change(ctx, account_id, ENABLE);
}

int mm_account_totp_remove(struct mm_ctx *ctx, int64_t account_id)
{
	return change(ctx, account_id, TOTP_REMOVE);
}

/* Seals sec into the account's secret (from ctx->a). */
static int store_secret(struct mm_ctx *ctx, struct mm_account *acct,
			const struct mm_totp_secret *sec)
{
	struct mm_buf b;
	int rc;

	mm_buf_init(&b, 4096);
	rc = mm_totp_seal(sec, &b);
	if (!rc) {
		acct->totp_secret = mm_arena_strndup(ctx->a, b.data, b.len);
		rc = acct->totp_secret ? MM_OK : MM_ENOMEM;
	}
	mm_buf_free(&b);
	return rc;
}

int mm_account_totp_start(struct mm_ctx *ctx, int64_t account_id, struct mm_buf *uri)
{
	struct mm_totp_secret sec;
	struct mm_account acct;
	int rc;

	rc = mm_totp_generate(&sec);
	if (rc)
		return rc;
	rc = mm_ctx_tx_begin(ctx);
	if (rc)
		goto out;
	rc = mm_account_get(ctx->conn, account_id, ctx->a, &acct);
	if (!rc && acct.totp_enabled)
		rc = MM_ECONFLICT;
	if (!rc)
		rc = store_secret(ctx, &acct, &sec);
	if (!rc) {
		acct.totp_last_step = 0;
		acct.updated_at = mm_auth_clock(ctx);
		rc = mm_account_update(ctx->conn, &acct);
	}
	if (!rc)
		rc = mm_totp_uri(acct.login, &sec, uri);
	if (!rc)
		rc = mm_auth_audit(ctx, "totp_enrol", account_id, "ok", "login", acct.login, "step",
				   "start", NULL);
	rc = mm_ctx_tx_end(ctx, rc);
out:
	mm_totp_wipe(&sec);
	return rc;
}

/* Shared by confirm and new_recovery: unseals the secret, checks the code
 * when confirming, writes new recovery codes and stores the secret. */
static int recovery(struct mm_ctx *ctx, int64_t account_id, const char *code,
		    struct mm_totp_codes *codes)
{
	bool confirm = code != NULL;
	struct mm_totp_secret sec;
	struct mm_account acct;
	int64_t step = 0;
	int rc;

	memset(&sec, 0, sizeof(sec));
	rc = mm_ctx_tx_begin(ctx);
	if (rc)
		return rc;
	rc = mm_account_get(ctx->conn, account_id, ctx->a, &acct);
	if (!rc && (!acct.totp_secret || acct.totp_enabled == confirm))
		rc = confirm ? MM_ECONFLICT : MM_ENOTFOUND;
	if (!rc)
		rc = mm_totp_unseal(acct.totp_secret, &sec);
	if (!rc && confirm &&
	    mm_totp_check(&sec, code, mm_auth_clock(ctx), acct.totp_last_step, &step) != MM_OK) {
		rc = mm_auth_audit(ctx, "totp_enrol", account_id, "failed", "login", acct.login,
				   "reason", "bad_code", NULL);
		rc = mm_ctx_tx_end(ctx, rc);
		mm_totp_wipe(&sec);
		return rc ? rc : MM_EINVAL;
	}
	if (!rc)
		rc = mm_totp_new_recovery(&sec, codes);
	if (!rc)
		rc = store_secret(ctx, &acct, &sec);
	if (!rc) {
		if (confirm) {
			acct.totp_enabled = true;
			acct.totp_last_step = step;
		}
		acct.updated_at = mm_auth_clock(ctx);
		rc = mm_account_update(ctx->conn, &acct);
	}
	if (!rc)
		rc = mm_auth_audit(ctx, confirm ? "totp_enrol" : "totp_recovery", account_id, "ok",
				   "login", acct.login, "step", confirm ? "confirm" : "new_codes",
				   NULL);
	rc = mm_ctx_tx_end(ctx, rc);
	mm_totp_wipe(&sec);
	if (rc)
		mm_totp_wipe_codes(codes);
	return rc;
}

int mm_account_totp_confirm(struct mm_ctx *ctx, int64_t account_id, const char *code,
			    struct mm_totp_codes *codes)
{
	return recovery(ctx, account_id, code ? code : "", codes);
}

int mm_account_totp_new_recovery(struct mm_ctx *ctx, int64_t account_id,
				 struct mm_totp_codes *codes)
{
	return recovery(ctx, account_id, NULL, codes);
}
