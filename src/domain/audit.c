/* The audit interface over the store's audit events. */
#include "domain/audit.h"

#include "core/datetime.h"
#include "domain/principal.h"
#include "store/identity.h"

int mm_audit(struct mm_ctx *ctx, const char *action, const char *object, const char *result,
	     const char *details)
{
	const struct mm_principal *who = ctx->who;
	struct mm_audit_event e = {
		.at = ctx->now ? ctx->now : mm_now(),
		.account_id = who ? who->account_id : 0,
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

	return mm_audit_insert(ctx->conn, &e);
}
