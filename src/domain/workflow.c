/* The register engine's workflows: a record moves between the states of
 * its register only through a declared transition, taken by the roles the
 * transition names, from the states it leaves, with the separation of
 * duties of approvals (2.2), as a new version whose history says who, when
 * and why. */
#include "domain/register.h"
#include "domain/register_int.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "domain/audit.h"
#include "domain/audit_record.h"
#include "domain/principal.h"
#include "domain/sod.h"

#include <stdio.h>
#include <string.h>

enum { CHANGES_CAP = 1 << 20, COMMENT_MAX = 2000 };

const struct mm_transition *mm_wf_find(const struct mm_register *r, const char *name)
{
	const struct mm_workflow *wf = r->workflow;

	for (size_t i = 0; wf && name && i < wf->ntransitions; i++)
		if (strcmp(wf->transitions[i].name, name) == 0)
			return &wf->transitions[i];
	return NULL;
}

static bool leaves_from(const struct mm_transition *t, const struct mm_value *state)
{
	for (size_t i = 0; i < MM_WF_MAX_FROM && t->from[i]; i++)
		if (state->set && strcmp(state->s, t->from[i]) == 0)
			return true;
	return false;
}

/* Whether the actor holds a role of t, or is the requester where t lets
 * the requester take it. The CLI's operator may take every transition. */
static bool role_ok(const struct mm_register *r, const struct mm_ctx *ctx,
		    const struct mm_transition *t, const struct mm_record *rec)
{
	const struct mm_principal *p = ctx->who;
	int rf = r->workflow->requester_field;

	if (!p)
		return true;
	if (p->roles & t->roles)
		return true;
	return (t->flags & MM_TR_BY_REQUESTER) && rf >= 0 && rec->v[rf].set && p->person_id &&
	       rec->v[rf].i == p->person_id;
}

bool mm_wf_may(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_transition *t,
	       const struct mm_record *rec)
{
	return !rec->retired && leaves_from(t, &rec->v[r->workflow->state_field]) &&
	       role_ok(r, ctx, t, rec);
}

/* One rule of an approval: the actor is not the person in field fi when
 * the rule separating duty from approver is on. */
static int not_same(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_record *rec,
		    int fi, const char *duty, const char *msg, struct mm_ferrs *errs)
{
	const char *name;
	bool on;
	int rc;

	if (fi < 0 || !rec->v[fi].set || !ctx->who || rec->v[fi].i != ctx->who->person_id)
		return MM_OK;
	rc = mm_sod_rule(ctx, duty, MM_DUTY_APPROVER, &on, &name);
	if (!rc && on)
		mm_sod_ferr(errs, r->schema.fields[fi].name, msg, name);
	return rc;
}

static int approval_rules(const struct mm_register *r, struct mm_ctx *ctx,
			  const struct mm_record *rec, struct mm_ferrs *errs)
{
	const struct mm_workflow *wf = r->workflow;
	int rc = not_same(r, ctx, rec, wf->requester_field, MM_DUTY_REQUESTER,
			  "sod_requester_approver", errs);

	if (!rc)
		rc = not_same(r, ctx, rec, wf->grantee_field, MM_DUTY_GRANTEE,
			      "sod_grantee_approver", errs);
	if (!rc && errs->n)
		rc = MM_EVALIDATE;
	return rc;
}

/* The history's changes: the fields that changed, and the comment. */
static const char *changes_with(struct mm_ctx *ctx, const char *diff, const char *comment)
{
	struct mm_buf b;
	struct mm_json j;
	size_t n = diff ? strlen(diff) : 0;
	const char *out;

	if (!diff || n < 2)
		return NULL;
	if (!comment || !*comment)
		return diff;
	mm_buf_init(&b, CHANGES_CAP);
	mm_buf_add(&b, diff, n - 1);
	mm_buf_adds(&b, n > 2 ? ",\"comment\":" : "\"comment\":");
	mm_json_init(&j, &b);
	mm_json_str(&j, comment);
	mm_buf_addc(&b, '}');
	out = b.err ? NULL : mm_arena_strndup(ctx->a, b.data, b.len);
	mm_buf_free(&b);
	return out;
}

/* Moves rec to t's state, stamps who, when and the comment, runs the hook
 * and stores the new version with its history entry. */
static int apply(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_transition *t,
		 const char *comment, struct mm_record *rec, struct mm_ferrs *errs)
{
	const struct mm_workflow *wf = r->workflow;
	size_t size = sizeof(struct mm_value) * r->schema.nfields;
	struct mm_value *old = mm_arena_alloc(ctx->a, size);
	int64_t version = rec->version;
	const char *now = mm_reg_now_iso(ctx);
	int rc;

	if (!old || !now)
		return MM_ENOMEM;
	memcpy(old, rec->v, size);
	rec->v[wf->state_field] = (struct mm_value){ true, 0, t->to };
	if (wf->actor_field >= 0 && ctx->who && ctx->who->person_id)
		rec->v[wf->actor_field] = (struct mm_value){ true, ctx->who->person_id, NULL };
	if (wf->at_field >= 0)
		rec->v[wf->at_field] = (struct mm_value){ true, 0, now };
	if (wf->comment_field >= 0 && comment && *comment)
		rec->v[wf->comment_field] = (struct mm_value){ true, 0, comment };
	rc = t->hook ? t->hook(r, ctx, rec, errs) : MM_OK;
	if (!rc && errs->n)
		rc = MM_EVALIDATE;
	if (rc)
		return rc;
	rec->version = version + 1;
	rec->updated_at = now;
	rec->updated_by = ctx->actor;
	rc = mm_rec_update(ctx->conn, &r->schema, rec, version);
	if (!rc)
		rc = mm_reg_add_history(
			r, ctx, rec, t->name,
			changes_with(ctx, mm_reg_diff_json(r, ctx, old, rec->v), comment));
	if (!rc) {
		struct mm_record before = *rec;

		before.version = version;
		before.v = old;
		rc = mm_audit_change(r, ctx, "transition", t->name, &before, rec);
	}
	return rc;
}

/* Records a transition taken or refused in the audit log. */
static int audit(struct mm_ctx *ctx, const struct mm_register *r, int64_t id,
		 const struct mm_transition *t, const char *result, const char *reason)
{
	char object[96], details[256];

	snprintf(object, sizeof(object), "%s/%lld", r->schema.name, (long long)id);
	snprintf(details, sizeof(details), "{\"transition\":\"%s\",\"privileged\":%s%s%s%s}",
		 t->name, (t->flags & MM_TR_AUDIT) ? "true" : "false",
		 reason ? ",\"reason\":\"" : "", reason ? reason : "", reason ? "\"" : "");
	return mm_audit(ctx, strcmp(result, "ok") ? "transition_refused" : "transition", object,
			result, details);
}

/* Checks that t may be taken on rec at version; the reason of a refusal
 * goes to ctx->refusal. */
static int check(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_transition *t,
		 const struct mm_record *rec, int64_t version, struct mm_ferrs *errs)
{
	if (!role_ok(r, ctx, t, rec)) {
		ctx->refusal = "wf_forbidden";
		return MM_EPERM;
	}
	if (rec->version != version)
		return MM_ECONFLICT;
	if (rec->retired || !leaves_from(t, &rec->v[r->workflow->state_field])) {
		ctx->refusal = "wf_wrong_state";
		return MM_ECONFLICT;
	}
	return (t->flags & MM_TR_APPROVAL) ? approval_rules(r, ctx, rec, errs) : MM_OK;
}

int mm_reg_transition(const struct mm_register *r, struct mm_ctx *ctx, int64_t id, int64_t version,
		      const char *name, const char *comment, struct mm_ferrs *errs,
		      struct mm_record *out)
{
	const struct mm_transition *t = mm_wf_find(r, name);
	const char *denied = NULL;
	int rc;

	errs->n = 0;
	ctx->refusal = NULL;
	if (!t)
		return MM_ENOTFOUND;
	if (comment && strlen(comment) > COMMENT_MAX) {
		mm_sod_ferr(errs, "comment", "comment_too_long", "");
		return MM_EVALIDATE;
	}
	rc = mm_ctx_tx_begin(ctx);
	if (rc)
		return rc;
	rc = mm_reg_get_visible(r, ctx, id, out, &denied);
	if (!rc)
		rc = check(r, ctx, t, out, version, errs);
	if (!rc)
		rc = apply(r, ctx, t, comment, out, errs);
	if (!rc && (t->flags & MM_TR_AUDIT))
		rc = audit(ctx, r, id, t, "ok", NULL);
	rc = mm_reg_finish(r, ctx, id, rc, denied);
	if (denied ||
	    !(rc == MM_EPERM || rc == MM_EVALIDATE || (rc == MM_ECONFLICT && ctx->refusal)))
		return rc;
	if (ctx->in_tx || !ctx->who)
		return rc;
	{
		int arc = audit(ctx, r, id, t, "refused",
				rc == MM_EVALIDATE && errs->n ? errs->e[0].msg : ctx->refusal);
		return arc ? arc : rc;
	}
}
