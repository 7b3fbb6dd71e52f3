/* The list of privileged accounts (7.2(2)): every holding of a privileged
 * role valid today, with the account, the period and the approval it came
 * from, or none for the CLI's bootstrap. */
#include "domain/privileges.h"

#include "core/err.h"
#include "domain/principal.h"
#include "domain/registers.h"
#include "store/identity.h"

#include <string.h>

enum { PAGE = 256, MAX_ROLES = 200 };

#define READERS                                                                                    \
	(MM_ROLE_BIT(MM_ROLE_SECRETARIAT) | MM_ROLE_BIT(MM_ROLE_DEPUTY) |                          \
	 MM_ROLE_BIT(MM_ROLE_CISO) | MM_ROLE_BIT(MM_ROLE_SYSTEMS) | MM_ROLE_BIT(MM_ROLE_AUDITOR) | \
	 MM_ROLE_BIT(MM_ROLE_APP_ADMIN))

struct list {
	struct mm_privilege *v;
	size_t n, cap;
};

/* The request whose approval made holding, when there is one. */
static int request_of(struct mm_ctx *ctx, struct mm_privilege *x)
{
	struct mm_value v = { true, x->holding_id, NULL };
	struct mm_record rq;
	int64_t id;
	int rc = mm_rec_find(ctx->conn, &mm_reg_privilege_requests.schema, PRQ_HOLDING, &v, 0, &id);

	if (rc == MM_ENOTFOUND)
		return MM_OK;
	if (!rc)
		rc = mm_rec_get(ctx->conn, &mm_reg_privilege_requests.schema, id, ctx->a, &rq);
	if (rc)
		return rc;
	x->request_id = id;
	x->request_code = rq.v[PRQ_CODE].s;
	x->approver = rq.v[PRQ_DECIDED_BY].set ? mm_person_name(ctx, rq.v[PRQ_DECIDED_BY].i) : "";
	x->approved_at = rq.v[PRQ_DECIDED_AT].set ? rq.v[PRQ_DECIDED_AT].s : "";
	return MM_OK;
}

static int add(struct mm_ctx *ctx, struct list *l, const struct mm_record *h,
	       const struct mm_record *role)
{
	struct mm_privilege *x;
	struct mm_account acct;
	int rc;

	if (!mm_arena_grow(ctx->a, &l->v, l->n, &l->cap, sizeof(*l->v), 64))
		return MM_ENOMEM;
	x = &l->v[l->n++];
	memset(x, 0, sizeof(*x));
	x->holding_id = h->id;
	x->holding_code = h->v[RH_CODE].set ? h->v[RH_CODE].s : "";
	x->person_id = h->v[RH_PERSON].i;
	x->person = mm_person_name(ctx, x->person_id);
	x->role_id = role->id;
	x->role = role->v[ROLE_NAME].s;
	x->section = h->v[RH_SECTION].set
			     ? mm_reg_display(&mm_reg_sections, ctx, h->v[RH_SECTION].i)
			     : "";
	x->valid_from = h->v[RH_FROM].set ? h->v[RH_FROM].s : "";
	x->valid_until = h->v[RH_UNTIL].set ? h->v[RH_UNTIL].s : "";
	x->request_code = x->approver = x->approved_at = "";
	rc = mm_account_by_person(ctx->conn, x->person_id, ctx->a, &acct);
	x->login = rc == MM_OK ? acct.login : "";
	if (rc && rc != MM_ENOTFOUND)
		return rc;
	return request_of(ctx, x);
}

/* The holdings of role valid today. */
static int holdings(struct mm_ctx *ctx, const struct mm_record *role, const char *today,
		    struct list *l)
{
	struct mm_filter f = { RH_ROLE, MM_OP_EQ, { true, role->id, NULL } };
	struct mm_query q = { &f, 1, NULL, RH_PERSON, false, MM_ACTIVE, PAGE, 0, NULL, NULL };
	struct mm_page page;
	int rc;

	do {
		rc = mm_rec_list(ctx->conn, &mm_reg_role_holders.schema, &q, ctx->a, &page);
		for (size_t i = 0; !rc && i < page.n; i++) {
			const struct mm_record *h = &page.recs[i];

			if ((h->v[RH_FROM].set && strcmp(h->v[RH_FROM].s, today) > 0) ||
			    (h->v[RH_UNTIL].set && strcmp(h->v[RH_UNTIL].s, today) < 0))
				continue;
			rc = add(ctx, l, h, role);
		}
		q.offset += PAGE;
	} while (!rc && page.n == PAGE);
	return rc;
}

int mm_privileges_list(struct mm_ctx *ctx, struct mm_privilege **out, size_t *n)
{
	struct mm_query q = {
		NULL, 0, NULL, MM_SORT_ID, false, MM_ACTIVE, MAX_ROLES, 0, NULL, NULL
	};
	struct list l = { NULL, 0, 0 };
	struct mm_page roles;
	char today[11];
	int rc;

	*out = NULL;
	*n = 0;
	if (ctx->who && !(ctx->who->roles & READERS))
		return MM_EPERM;
	mm_ctx_today(ctx, today);
	rc = mm_rec_list(ctx->conn, &mm_reg_roles.schema, &q, ctx->a, &roles);
	for (size_t i = 0; !rc && i < roles.n; i++) {
		bool priv;

		rc = mm_role_id_privileged(ctx, roles.recs[i].id, &priv);
		if (!rc && priv)
			rc = holdings(ctx, &roles.recs[i], today, &l);
	}
	if (rc)
		return rc;
	*out = l.v;
	*n = l.n;
	return MM_OK;
}
