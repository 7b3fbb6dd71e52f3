/* The 特権の申請 register (7.2(2)): anyone signed in asks for a privileged
 * role for themselves or another person; 情報システム管理責任者 approves or
 * rejects, never for their own request nor their own grant (2.2); the
 * approval creates the role holding in the same transaction. Each grant
 * ends on its valid_until: a privilege nobody renews lapses rather than
 * lingering, and each renewal is a new request, reviewed again. */
#include "domain/privileges.h"

#include "core/err.h"
#include "domain/principal.h"
#include "domain/registers.h"

#include <stdio.h>
#include <string.h>

static const struct mm_option states[] = {
	{ "requested", "申請中", "Requested" },
	{ "approved", "承認済", "Approved" },
	{ "rejected", "却下", "Rejected" },
	{ "withdrawn", "取下げ", "Withdrawn" },
};

static const struct mm_field fields[] = {
	[PRQ_CODE] = { "code", "申請番号", "Request no.", MM_FT_TEXT,
		       MM_F_UNIQUE | MM_F_AUTO | MM_F_LIST | MM_F_SORT | MM_F_SEARCH, 0, 20 },
	[PRQ_REQUESTER] = { "requester_id", "申請者", "Requester", MM_FT_REF,
			    MM_F_DERIVED | MM_F_LIST | MM_F_FILTER, 0, 0, NULL, 0, "people" },
	[PRQ_GRANTEE] = { "grantee_id", "付与対象者", "Grantee", MM_FT_REF,
			  MM_F_REQUIRED | MM_F_LIST | MM_F_FILTER, 0, 0, NULL, 0, "people" },
	[PRQ_ROLE] = { "role_id", "特権の役割", "Privileged role", MM_FT_REF,
		       MM_F_REQUIRED | MM_F_LIST | MM_F_FILTER, 0, 0, NULL, 0, "roles" },
	[PRQ_SECTION] = { "section_id", "対象の課", "Section", MM_FT_REF, MM_F_FILTER, 0, 0, NULL,
			  0, "sections" },
	[PRQ_FROM] = { "valid_from", "開始日", "Valid from", MM_FT_DATE, MM_F_LIST | MM_F_SORT },
	[PRQ_UNTIL] = { "valid_until", "終了日（期限）", "Valid until (expiry)", MM_FT_DATE,
			MM_F_REQUIRED | MM_F_LIST | MM_F_SORT },
	[PRQ_REASON] = { "reason", "申請理由", "Reason", MM_FT_TEXT,
			 MM_F_REQUIRED | MM_F_SEARCH | MM_F_MULTILINE, 0, 2000 },
	[PRQ_STATE] = { "state", "状態", "State", MM_FT_ENUM,
			MM_F_DERIVED | MM_F_LIST | MM_F_FILTER | MM_F_SORT, 0, 0, states, 4 },
	[PRQ_DECIDED_BY] = { "decided_by", "決定者", "Decided by", MM_FT_REF,
			     MM_F_DERIVED | MM_F_FILTER, 0, 0, NULL, 0, "people" },
	[PRQ_DECIDED_AT] = { "decided_at", "決定日時", "Decided at", MM_FT_TEXT, MM_F_DERIVED, 0,
			     40 },
	[PRQ_COMMENT] = { "decision_comment", "決定のコメント", "Decision comment", MM_FT_TEXT,
			  MM_F_DERIVED | MM_F_MULTILINE, 0, 2000 },
	[PRQ_HOLDING] = { "holding_id", "付与した役割の担当", "Holding granted", MM_FT_REF,
			  MM_F_DERIVED | MM_F_FILTER, 0, 0, NULL, 0, "role_holders" },
};

int mm_role_id_privileged(struct mm_ctx *ctx, int64_t role_id, bool *yes)
{
	struct mm_record role;
	int rc = mm_rec_get(ctx->conn, &mm_reg_roles.schema, role_id, ctx->a, &role);
	int known;

	*yes = false;
	if (rc == MM_ENOTFOUND)
		return MM_OK;
	if (rc)
		return rc;
	known = mm_role_find(role.v[ROLE_CODE].s);
	*yes = (role.v[ROLE_PRIVILEGED].set && strcmp(role.v[ROLE_PRIVILEGED].s, "yes") == 0) ||
	       (known >= 0 && mm_role_privileged((enum mm_role)known));
	return MM_OK;
}

/* The role is privileged, the section goes with its scope, the period is in
 * order and not over. */
static int request_check(const struct mm_register *r, struct mm_ctx *ctx,
			 const struct mm_record *rec, struct mm_ferrs *errs)
{
	const struct mm_field *fs = r->schema.fields;
	const struct mm_value *from = &rec->v[PRQ_FROM], *until = &rec->v[PRQ_UNTIL];
	struct mm_record role;
	bool priv, per_section;
	char today[11];
	int rc = mm_role_id_privileged(ctx, rec->v[PRQ_ROLE].i, &priv);

	if (!rc)
		rc = mm_rec_get(ctx->conn, &mm_reg_roles.schema, rec->v[PRQ_ROLE].i, ctx->a, &role);
	if (rc)
		return rc;
	if (!priv)
		mm_ferr_add(errs, &fs[PRQ_ROLE], fs[PRQ_ROLE].name, "privilege_not_privileged",
			    ctx->lang);
	per_section = role.v[ROLE_SCOPE].set && strcmp(role.v[ROLE_SCOPE].s, "section") == 0;
	if (per_section != rec->v[PRQ_SECTION].set)
		mm_ferr_add(errs, &fs[PRQ_SECTION], fs[PRQ_SECTION].name,
			    per_section ? "role_needs_section" : "role_no_section", ctx->lang);
	mm_ctx_today(ctx, today);
	if (from->set && until->set && strcmp(until->s, from->s) < 0)
		mm_ferr_add(errs, &fs[PRQ_UNTIL], fs[PRQ_UNTIL].name, "until_before_from",
			    ctx->lang);
	else if (until->set && strcmp(until->s, today) < 0)
		mm_ferr_add(errs, &fs[PRQ_UNTIL], fs[PRQ_UNTIL].name, "until_past", ctx->lang);
	return MM_OK;
}

/* The holding an approval creates, written on the workflow's behalf: the
 * approver holds no right to write role holdings, and the approval is the
 * authority. */
static int make_holding(struct mm_ctx *ctx, const struct mm_record *rq, struct mm_ferrs *errs,
			struct mm_record *out)
{
	const struct mm_principal *who = ctx->who;
	bool in_tx = ctx->in_tx;
	char today[11], note[160];
	struct mm_in it[6];
	size_t n = 0;
	int rc;

	mm_ctx_today(ctx, today);
	snprintf(note, sizeof(note), "特権の申請 %s の承認により付与", rq->v[PRQ_CODE].s);
	it[n++] = (struct mm_in){ "person_id", MM_IN_INT, NULL, 0, rq->v[PRQ_GRANTEE].i };
	it[n++] = (struct mm_in){ "role_id", MM_IN_INT, NULL, 0, rq->v[PRQ_ROLE].i };
	if (rq->v[PRQ_SECTION].set)
		it[n++] = (struct mm_in){ "section_id", MM_IN_INT, NULL, 0, rq->v[PRQ_SECTION].i };
	{
		const char *from = rq->v[PRQ_FROM].set && strcmp(rq->v[PRQ_FROM].s, today) > 0
					   ? rq->v[PRQ_FROM].s
					   : today;
		it[n++] = (struct mm_in){ "valid_from", MM_IN_STR, from, strlen(from), 0 };
	}
	it[n++] = (struct mm_in){ "valid_until", MM_IN_STR, rq->v[PRQ_UNTIL].s,
				  strlen(rq->v[PRQ_UNTIL].s), 0 };
	it[n++] = (struct mm_in){ "note", MM_IN_STR, note, strlen(note), 0 };
	struct mm_input in = { it, n, MM_IN_JSON };

	ctx->who = NULL;
	ctx->in_tx = true;
	ctx->by_workflow = true;
	rc = mm_reg_create(&mm_reg_role_holders, ctx, &in, errs, out);
	ctx->who = who;
	ctx->in_tx = in_tx;
	ctx->by_workflow = false;
	return rc;
}

static int approve_hook(const struct mm_register *r, struct mm_ctx *ctx, struct mm_record *rec,
			struct mm_ferrs *errs)
{
	const struct mm_field *fs = r->schema.fields;
	struct mm_record holding;
	char today[11];
	int rc;

	mm_ctx_today(ctx, today);
	if (strcmp(rec->v[PRQ_UNTIL].s, today) < 0) {
		mm_ferr_add(errs, &fs[PRQ_UNTIL], fs[PRQ_UNTIL].name, "until_past", ctx->lang);
		return MM_EVALIDATE;
	}
	rc = make_holding(ctx, rec, errs, &holding);
	if (rc)
		return rc;
	rec->v[PRQ_HOLDING] = (struct mm_value){ true, holding.id, NULL };
	return MM_OK;
}

#define SYSTEMS MM_ROLE_BIT(MM_ROLE_SYSTEMS)

static const struct mm_transition transitions[] = {
	{ "approve",
	  "承認する",
	  "Approve",
	  { "requested" },
	  "approved",
	  SYSTEMS,
	  MM_TR_APPROVAL | MM_TR_AUDIT,
	  approve_hook },
	{ "reject",
	  "却下する",
	  "Reject",
	  { "requested" },
	  "rejected",
	  SYSTEMS,
	  MM_TR_APPROVAL | MM_TR_AUDIT,
	  NULL },
	{ "withdraw",
	  "取り下げる",
	  "Withdraw",
	  { "requested" },
	  "withdrawn",
	  MM_ROLE_BIT(MM_ROLE_SECRETARIAT),
	  MM_TR_BY_REQUESTER,
	  NULL },
};

static const struct mm_workflow workflow = {
	.state_field = PRQ_STATE,
	.initial = "requested",
	.requester_field = PRQ_REQUESTER,
	.grantee_field = PRQ_GRANTEE,
	.actor_field = PRQ_DECIDED_BY,
	.at_field = PRQ_DECIDED_AT,
	.comment_field = PRQ_COMMENT,
	.transitions = transitions,
	.ntransitions = sizeof(transitions) / sizeof(transitions[0]),
};

const struct mm_register mm_reg_privilege_requests = {
	.schema = { "privilege_requests", fields, PRQ_NFIELDS },
	.label_ja = "特権の申請",
	.label_en = "Privilege requests",
	.noun_ja = "特権の申請",
	.noun_en = "privilege request",
	.retired_ja = "無効",
	.retired_en = "Void",
	.key_field = PRQ_CODE,
	.key_prefix = "PR-",
	.title_field = PRQ_REASON,
	.owner_field = -1,
	.check = request_check,
	.default_class = 2,
	/* Every employee may ask; nobody edits a request over the web (the
	 * requester withdraws and asks again); decisions are transitions. */
	.create_roles = MM_ROLE_BIT(MM_ROLE_STAFF),
	.edit_roles = 0,
	.retire_roles = MM_ROLE_BIT(MM_ROLE_SECRETARIAT),
	.workflow = &workflow,
};
