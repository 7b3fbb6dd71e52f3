/* The conflicts report of 2.2: every existing assignment that breaks an
 * enabled separation-of-duties rule, whether it came from an import, a
 * change made while a rule was off, or data that moved underneath. */
#include "domain/sod.h"

#include "core/err.h"
#include "domain/principal.h"
#include "domain/privileges.h"
#include "domain/registers.h"

#include <string.h>

enum { PAGE = 256 };

#define READERS                                                                                    \
	(MM_ROLE_BIT(MM_ROLE_SECRETARIAT) | MM_ROLE_BIT(MM_ROLE_AUDITOR) |                         \
	 MM_ROLE_BIT(MM_ROLE_DEPUTY) | MM_ROLE_BIT(MM_ROLE_CISO))

struct list {
	struct mm_sod_conflict *v;
	size_t n, cap;
};

static bool listed(const struct list *l, int64_t person, const char *reg, int64_t id,
		   const char *detail)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].person_id == person && l->v[i].scope_id == id &&
		    strcmp(l->v[i].scope_register, reg) == 0 && strcmp(l->v[i].detail, detail) == 0)
			return true;
	return false;
}

/* Adds one conflict unless it is listed already. */
static int add(struct mm_ctx *ctx, struct list *l, const struct mm_sod_conflict *c)
{
	if (listed(l, c->person_id, c->scope_register, c->scope_id, c->detail))
		return MM_OK;
	if (!mm_arena_grow(ctx->a, &l->v, l->n, &l->cap, sizeof(*l->v), 32))
		return MM_ENOMEM;
	l->v[l->n] = *c;
	l->v[l->n].person = mm_person_name(ctx, c->person_id);
	l->n++;
	return MM_OK;
}

/* The assets on one system whose data manager is its administrator. */
static int system_conflicts(struct mm_ctx *ctx, const struct mm_record *sys, const char *rule,
			    struct list *l)
{
	struct mm_filter f = { AST_SYSTEM, MM_OP_EQ, { true, sys->id, NULL } };
	struct mm_query q = { &f, 1, NULL, MM_SORT_ID, false, MM_ACTIVE, PAGE, 0, NULL, NULL };
	int64_t admin = sys->v[SYS_ADMIN].i;
	struct mm_page page;
	int rc;

	do {
		rc = mm_rec_list(ctx->conn, &mm_reg_assets.schema, &q, ctx->a, &page);
		for (size_t i = 0; !rc && i < page.n; i++) {
			const struct mm_record *a = &page.recs[i];
			bool dm = false;
			struct mm_sod_conflict c = {
				.person_id = admin,
				.rule = rule,
				.duty_a = MM_DUTY_SYSTEM_ADMIN,
				.duty_b = MM_DUTY_DATA_MANAGER,
				.scope_register = "systems",
				.scope_id = sys->id,
				.scope = mm_reg_display(&mm_reg_systems, ctx, sys->id),
			};

			rc = mm_roles_is_data_manager(ctx, admin, a->v[AST_SECTION].i, &dm);
			if (!rc && dm) {
				c.detail =
					mm_reg_display(&mm_reg_sections, ctx, a->v[AST_SECTION].i);
				rc = add(ctx, l, &c);
			}
			if (!rc && a->v[AST_OWNER].set && a->v[AST_OWNER].i == admin) {
				c.detail = mm_reg_display(&mm_reg_assets, ctx, a->id);
				rc = add(ctx, l, &c);
			}
		}
		q.offset += PAGE;
	} while (!rc && page.n == PAGE);
	return rc;
}

static int infra_conflicts(struct mm_ctx *ctx, struct list *l)
{
	struct mm_query q = { NULL, 0, NULL, MM_SORT_ID, false, MM_ACTIVE, PAGE, 0, NULL, NULL };
	struct mm_page page;
	const char *rule;
	bool on;
	int rc = mm_sod_rule(ctx, MM_DUTY_SYSTEM_ADMIN, MM_DUTY_DATA_MANAGER, &on, &rule);

	if (rc || !on)
		return rc;
	do {
		rc = mm_rec_list(ctx->conn, &mm_reg_systems.schema, &q, ctx->a, &page);
		for (size_t i = 0; !rc && i < page.n; i++)
			if (page.recs[i].v[SYS_ADMIN].set)
				rc = system_conflicts(ctx, &page.recs[i], rule, l);
		q.offset += PAGE;
	} while (!rc && page.n == PAGE);
	return rc;
}

/* Decided requests whose decider was also the person in field fi. */
static int request_conflicts(struct mm_ctx *ctx, int fi, const char *duty, struct list *l)
{
	struct mm_query q = { NULL, 0, NULL, MM_SORT_ID, false, MM_ACTIVE, PAGE, 0, NULL, NULL };
	struct mm_page page;
	const char *rule;
	bool on;
	int rc = mm_sod_rule(ctx, duty, MM_DUTY_APPROVER, &on, &rule);

	if (rc || !on)
		return rc;
	do {
		rc = mm_rec_list(ctx->conn, &mm_reg_privilege_requests.schema, &q, ctx->a, &page);
		for (size_t i = 0; !rc && i < page.n; i++) {
			const struct mm_record *r = &page.recs[i];
			struct mm_sod_conflict c = {
				.person_id = r->v[fi].i,
				.rule = rule,
				.duty_a = duty,
				.duty_b = MM_DUTY_APPROVER,
				.scope_register = "privilege_requests",
				.scope_id = r->id,
				.scope = r->v[PRQ_CODE].s,
				.detail = "",
			};

			if (r->v[fi].set && r->v[PRQ_DECIDED_BY].set &&
			    r->v[PRQ_DECIDED_BY].i == r->v[fi].i)
				rc = add(ctx, l, &c);
		}
		q.offset += PAGE;
	} while (!rc && page.n == PAGE);
	return rc;
}

int mm_sod_conflicts(struct mm_ctx *ctx, struct mm_sod_conflict **out, size_t *n)
{
	struct list l = { NULL, 0, 0 };
	int rc;

	*out = NULL;
	*n = 0;
	if (ctx->who && !(ctx->who->roles & READERS))
		return MM_EPERM;
	rc = infra_conflicts(ctx, &l);
	if (!rc)
		rc = request_conflicts(ctx, PRQ_REQUESTER, MM_DUTY_REQUESTER, &l);
	if (!rc)
		rc = request_conflicts(ctx, PRQ_GRANTEE, MM_DUTY_GRANTEE, &l);
	if (rc)
		return rc;
	*out = l.v;
	*n = l.n;
	return MM_OK;
}
