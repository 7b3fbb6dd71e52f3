/* The audit interface: one entry of the tamper-evident log per call. */
#include "domain/audit.h"

#include "core/buf.h"
#include "core/datetime.h"
#include "core/err.h"
#include "domain/principal.h"
#include "store/identity.h"

#include <string.h>

enum { TEXT_CAP = 1 << 20 };

/* Keys whose values are secrets: details that give one a value other than
 * a status word (numbers, true/false, "none", "set", ...) are withheld
 * whole. */
static const char *const secret_keys[] = { "password",	  "passwd", "token",  "secret",
					   "totp_secret", "seed",   "cookie", "csrf" };
static const char *const status_words[] = { "\"none\"", "\"set\"", "\"changed\"", "\"reset\"",
					    "\"removed\"" };

/* True when the value at p (after the colon) is not a status word. */
static bool secret_value(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '"')
		return false;
	for (size_t i = 0; i < sizeof(status_words) / sizeof(status_words[0]); i++)
		if (strncmp(p, status_words[i], strlen(status_words[i])) == 0)
			return false;
	return true;
}

static bool names_secret(const char *json)
{
	for (size_t i = 0; i < sizeof(secret_keys) / sizeof(secret_keys[0]); i++) {
		size_t n = strlen(secret_keys[i]);

		for (const char *p = json; (p = strchr(p, '"')) != NULL; p++) {
			const char *q = p + 1 + n;

			if (strncmp(p + 1, secret_keys[i], n) != 0 || *q != '"')
				continue;
			for (q++; *q == ' ' || *q == '\t'; q++)
				;
			if (*q == ':' && secret_value(q + 1))
				return true;
		}
	}
	return false;
}

/* Copies s into b with control characters escaped: \uXXXX in details
 * (valid JSON inside strings), \xXX elsewhere. Returns the copy. */
static const char *escaped(struct mm_buf *b, const char *s, bool json)
{
	size_t start = b->len;
	bool any = false;

	for (const char *p = s; *p && !any; p++)
		any = (unsigned char)*p < 0x20 || *p == 0x7f;
	if (!any)
		return s;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch < 0x20 || ch == 0x7f)
			mm_buf_printf(b, json ? "\\u%04x" : "\\x%02x", ch);
		else
			mm_buf_addc(b, (char)ch);
	}
	mm_buf_addc(b, '\0');
	return b->err ? "" : b->data + start;
}

int mm_audit(struct mm_ctx *ctx, const char *action, const char *object, const char *result,
	     const char *details)
{
	const struct mm_principal *who = ctx->who;
	struct mm_buf b[6];
	struct mm_audit_event e = {
		.at = ctx->now ? ctx->now : mm_now(),
		.account_id = who ? who->account_id : 0,
		.person_id = who ? who->person_id : 0,
		.actor = who && who->login ? who->login
			 : ctx->actor	   ? ctx->actor
					   : "",
		.ip = ctx->ip ? ctx->ip : "",
		.request_id = ctx->request_id ? ctx->request_id : "",
		.action = action,
		.object = object ? object : "",
		.result = result,
		.details = details ? details : "{}",
	};
	int rc;

	if (!action || !result)
		return MM_EINVAL;
	if (names_secret(e.details))
		e.details = "{\"withheld\":\"details named a secret\"}";
	for (size_t i = 0; i < 6; i++)
		mm_buf_init(&b[i], TEXT_CAP);
	e.actor = escaped(&b[0], e.actor, false);
	e.ip = escaped(&b[1], e.ip, false);
	e.request_id = escaped(&b[2], e.request_id, false);
	e.object = escaped(&b[3], e.object, false);
	e.details = escaped(&b[4], e.details, true);
	e.action = escaped(&b[5], e.action, false);
	rc = mm_audit_insert(ctx->conn, &e);
	for (size_t i = 0; i < 6; i++)
		mm_buf_free(&b[i]);
	return rc;
}
