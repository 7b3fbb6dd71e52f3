/* Personal API tokens: "mmt_" and 43 base64url characters, stored as their
 * SHA-256, for automation through Authorization: Bearer. */
#include "domain/auth.h"
#include "domain/auth_int.h"
#include "domain/authcache.h"

#include "core/err.h"
#include "core/slice.h"
#include "domain/password.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

enum {
	RAND_BYTES = 32,
	API_PREFIX_LEN = 4,
	API_TOKEN_LEN = MM_AUTH_API_TOKEN_SIZE - 1,
	LABEL_MAX = 100,
};

static bool label_valid(const char *label)
{
	size_t n = label ? strlen(label) : 0;

	if (!mm_utf8_valid(label ? label : "", n) ||
	    mm_utf8_count(label ? label : "", n) > LABEL_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)label[i] < 0x20 || label[i] == 0x7f)
			return false;
	return true;
}

int mm_auth_token_create(struct mm_ctx *ctx, int64_t account_id, const char *label,
			 int64_t expires_at, char token_out[MM_AUTH_API_TOKEN_SIZE], int64_t *id)
{
	unsigned char r[RAND_BYTES];
	char hash[MM_AUTH_HASH_HEX], tid[24];
	struct mm_account acct;
	struct mm_token tok = { 0 };
	int64_t now = mm_auth_clock(ctx);
	int rc;

	token_out[0] = '\0';
	if (!label_valid(label) || expires_at < 0 || (expires_at && expires_at <= now))
		return MM_EINVAL;
	if (!mm_sodium_ready())
		return MM_EIO;
	rc = mm_ctx_tx_begin(ctx);
	if (rc)
		return rc;
	rc = mm_account_get(ctx->conn, account_id, ctx->a, &acct);
	if (!rc && acct.disabled)
		rc = MM_EPERM;
	if (rc)
		goto out;
	memcpy(token_out, "mmt_", API_PREFIX_LEN);
	randombytes_buf(r, sizeof(r));
	sodium_bin2base64(token_out + API_PREFIX_LEN, MM_AUTH_API_TOKEN_SIZE - API_PREFIX_LEN, r,
			  sizeof(r), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(r, sizeof(r));
	mm_auth_hash_hex(token_out, API_TOKEN_LEN, hash);
	tok.hash = hash;
	tok.account_id = account_id;
	tok.label = label ? label : "";
	tok.created_at = now;
	tok.expires_at = expires_at;
	rc = mm_token_insert(ctx->conn, &tok);
	if (rc)
		goto out;
	snprintf(tid, sizeof(tid), "%lld", (long long)tok.id);
	rc = mm_auth_audit(ctx, "token_create", account_id, "ok", "token_id", tid, "label",
			   tok.label, NULL);
	if (!rc && id)
		*id = tok.id;
out:
	rc = mm_ctx_tx_end(ctx, rc);
	if (rc)
		sodium_memzero(token_out, MM_AUTH_API_TOKEN_SIZE);
	return rc;
}

static bool api_token_form(const char *t)
{
	size_t n;

	if (!t || strncmp(t, "mmt_", API_PREFIX_LEN) != 0)
		return false;
	for (n = API_PREFIX_LEN; t[n]; n++) {
		char c = t[n];

		if (n >= API_TOKEN_LEN)
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
	}
	return n == API_TOKEN_LEN;
}

/* The full check of an API token whose hash is hash: fills out, and
 * *fresh_until with when it must next be checked in full. */
static int check_bearer(struct mm_ctx *ctx, const char *hash, int64_t now, struct mm_principal *out,
			int64_t *fresh_until)
{
	const char *reason = NULL;
	struct mm_account acct;
	struct mm_token tok;
	char tid[24];
	int rc;

	rc = mm_token_by_hash(ctx->conn, hash, ctx->a, &tok);
	if (rc)
		return rc;
	if (tok.revoked)
		reason = "revoked";
	else if (tok.expires_at && tok.expires_at <= now)
		reason = "expired";
	else
		rc = mm_auth_load_active(ctx, tok.account_id, &acct, out, &reason);
	if (reason) {
		snprintf(tid, sizeof(tid), "%lld", (long long)tok.id);
		rc = mm_auth_audit(ctx, "bearer", tok.account_id, "refused", "reason", reason,
				   "token_id", tid, NULL);
		return rc ? rc : MM_ENOTFOUND;
	}
	if (rc)
		return rc;
	if (now - tok.last_used >= MM_AUTH_TOUCH_EVERY) {
		/* Bookkeeping, as a session's touch (auth.c): a failed write
		 * keeps the old time and is tried again on the next request. */
		rc = mm_token_used(ctx->conn, tok.id, now);
		if (rc && rc != MM_EIO)
			return rc;
		if (!rc)
			tok.last_used = now;
	}
	out->totp = false;
	out->via_token = true;
	*fresh_until = tok.last_used + MM_AUTH_TOUCH_EVERY;
	if (tok.expires_at && tok.expires_at < *fresh_until)
		*fresh_until = tok.expires_at;
	return MM_OK;
}

int mm_auth_bearer(struct mm_ctx *ctx, const char *token, struct mm_principal *out)
{
	char hash[MM_AUTH_HASH_HEX];
	int64_t now = mm_auth_clock(ctx), gen, fresh_until = 0;
	int rc;

	if (!api_token_form(token))
		return MM_ENOTFOUND;
	mm_auth_hash_hex(token, API_TOKEN_LEN, hash);
	if (!mm_auth_recall(ctx, 'b', hash, now, &gen, out, NULL, &rc)) {
		rc = check_bearer(ctx, hash, now, out, &fresh_until);
		mm_auth_remember(ctx, 'b', hash, gen, now, fresh_until, out, NULL, rc);
	}
	return rc;
}

int mm_auth_token_revoke(struct mm_ctx *ctx, int64_t account_id, int64_t token_id)
{
	struct mm_token *toks;
	char tid[24];
	size_t n, i;
	int rc;

	rc = mm_ctx_tx_begin(ctx);
	if (rc)
		return rc;
	rc = mm_token_list(ctx->conn, account_id, ctx->a, &toks, &n);
	if (rc)
		goto out;
	for (i = 0; i < n && toks[i].id != token_id; i++)
		;
	rc = i == n ? MM_ENOTFOUND : mm_token_revoke(ctx->conn, token_id);
	if (rc)
		goto out;
	snprintf(tid, sizeof(tid), "%lld", (long long)token_id);
	rc = mm_auth_audit(ctx, "token_revoke", account_id, "ok", "token_id", tid, NULL);
out:
	return mm_ctx_tx_end(ctx, rc);
}
