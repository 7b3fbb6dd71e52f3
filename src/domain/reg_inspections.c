/* The 監査ログの検査 register (7.6): 監査人 or 事務局 records who inspected
 * which period of the audit log, what was found, the result and the
 * follow-up; 情報管理統括責任者 or 最高責任者 signs it off (承認), never
 * the inspector themselves. A signed-off inspection is frozen. The home
 * page warns when the last one signed off is older than the interval
 * (inspect.h). */
#include "domain/inspect.h"

#include "core/err.h"
#include "domain/principal.h"
#include "domain/registers.h"

#include <string.h>

static const struct mm_option results[] = {
	{ "no_issue", "問題なし", "No issue" },
	{ "action", "要対応", "Action needed" },
};

static const struct mm_option states[] = {
	{ "recorded", "記録済（承認待ち）", "Recorded (awaiting sign-off)" },
	{ "signed_off", "承認済", "Signed off" },
};

static const struct mm_field fields[] = {
	[INS_CODE] = { "code", "検査番号", "Inspection no.", MM_FT_TEXT,
		       MM_F_UNIQUE | MM_F_AUTO | MM_F_LIST | MM_F_SORT | MM_F_SEARCH, 0, 20 },
	[INS_FROM] = { "period_from", "対象期間（開始日）", "Period from", MM_FT_DATE,
		       MM_F_REQUIRED | MM_F_LIST | MM_F_SORT },
	[INS_TO] = { "period_to", "対象期間（終了日）", "Period to", MM_FT_DATE,
		     MM_F_REQUIRED | MM_F_LIST | MM_F_SORT },
	[INS_INSPECTOR] = { "inspector_id", "検査者", "Inspector", MM_FT_REF,
			    MM_F_DERIVED | MM_F_LIST | MM_F_FILTER, 0, 0, NULL, 0, "people" },
	[INS_FINDINGS] = { "findings", "検査の所見", "Findings", MM_FT_TEXT,
			   MM_F_REQUIRED | MM_F_SEARCH | MM_F_MULTILINE, 0, 4000 },
	[INS_RESULT] = { "result", "検査結果", "Result", MM_FT_ENUM,
			 MM_F_REQUIRED | MM_F_LIST | MM_F_FILTER, 0, 0, results, 2 },
	[INS_FOLLOW_UP] = { "follow_up", "対応・フォローアップ", "Follow-up", MM_FT_TEXT,
			    MM_F_SEARCH | MM_F_MULTILINE, 0, 4000 },
	[INS_STATE] = { "state", "状態", "State", MM_FT_ENUM,
			MM_F_DERIVED | MM_F_LIST | MM_F_FILTER | MM_F_SORT, 0, 0, states, 2 },
	[INS_SIGNED_BY] = { "signed_by", "承認者", "Signed off by", MM_FT_REF,
			    MM_F_DERIVED | MM_F_FILTER, 0, 0, NULL, 0, "people" },
	[INS_SIGNED_AT] = { "signed_at", "承認日時", "Signed off at", MM_FT_TEXT, MM_F_DERIVED, 0,
			    40 },
	[INS_SIGN_COMMENT] = { "sign_comment", "承認のコメント", "Sign-off comment", MM_FT_TEXT,
			       MM_F_DERIVED | MM_F_MULTILINE, 0, 2000 },
};

/* The period is in order and over: one inspects what has happened. */
static int check(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_record *rec,
		 struct mm_ferrs *errs)
{
	const struct mm_field *fs = r->schema.fields;
	const struct mm_value *from = &rec->v[INS_FROM], *to = &rec->v[INS_TO];
	char today[11];

	mm_ctx_today(ctx, today);
	if (from->set && to->set && strcmp(to->s, from->s) < 0)
		mm_ferr_add(errs, &fs[INS_TO], fs[INS_TO].name, "until_before_from", ctx->lang);
	else if (to->set && strcmp(to->s, today) > 0)
		mm_ferr_add(errs, &fs[INS_TO], fs[INS_TO].name, "inspection_future", ctx->lang);
	return MM_OK;
}

/* Nobody signs off their own inspection, whatever the separation rules
 * say: the sign-off is the second pair of eyes. */
static int sign_off_hook(const struct mm_register *r, struct mm_ctx *ctx, struct mm_record *rec,
			 struct mm_ferrs *errs)
{
	const struct mm_field *fs = r->schema.fields;
	const struct mm_value *who = &rec->v[INS_INSPECTOR];

	if (ctx->who && who->set && who->i == ctx->who->person_id) {
		mm_ferr_add(errs, &fs[INS_INSPECTOR], fs[INS_INSPECTOR].name,
			    "inspection_self_sign_off", ctx->lang);
		return MM_EVALIDATE;
	}
	return MM_OK;
}

static const struct mm_transition transitions[] = {
	{ "sign_off",
	  "承認する",
	  "Sign off",
	  { "recorded" },
	  "signed_off",
	  MM_ROLE_BIT(MM_ROLE_CISO) | MM_ROLE_BIT(MM_ROLE_DEPUTY),
	  MM_TR_APPROVAL | MM_TR_AUDIT,
	  sign_off_hook },
};

static const struct mm_workflow workflow = {
	.state_field = INS_STATE,
	.initial = "recorded",
	.requester_field = INS_INSPECTOR,
	.grantee_field = -1,
	.actor_field = INS_SIGNED_BY,
	.at_field = INS_SIGNED_AT,
	.comment_field = INS_SIGN_COMMENT,
	.transitions = transitions,
	.ntransitions = sizeof(transitions) / sizeof(transitions[0]),
};

#define INSPECTORS (MM_ROLE_BIT(MM_ROLE_SECRETARIAT) | MM_ROLE_BIT(MM_ROLE_AUDITOR))

const struct mm_register mm_reg_inspections = {
	.schema = { "inspections", fields, INS_NFIELDS },
	.label_ja = "監査ログの検査",
	.label_en = "Audit log inspections",
	.noun_ja = "検査",
	.noun_en = "inspection",
	.retired_ja = "無効",
	.retired_en = "Void",
	.key_field = INS_CODE,
	.key_prefix = "IN-",
	.title_field = INS_FINDINGS,
	.owner_field = -1,
	.check = check,
	/* 庁外秘: 最高責任者, who signs off, reads no 課外秘 of its own. */
	.default_class = 2,
	.create_roles = INSPECTORS,
	.edit_roles = INSPECTORS,
	.retire_roles = MM_ROLE_BIT(MM_ROLE_SECRETARIAT),
	.workflow = &workflow,
};
