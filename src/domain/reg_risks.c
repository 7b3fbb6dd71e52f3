/* The リスク台帳 (3.3): each risk links an asset, or a group of assets
 * sharing a 業務分類, with a threat and a vulnerability from the
 * catalogues. Its values follow from the ratings and the asset's value by
 * the method in force (domain/risk.h); its classification and owning
 * section are its asset's, so a 極秘 asset's risks are as hidden as the
 * asset. A residual value at or above the threshold is accepted by the
 * acceptance role, never by the risk's owner; acceptance freezes the
 * version, and an edit of an accepted risk reopens it for acceptance. */
#include "domain/risk.h"
#include "domain/risk_regs.h"

#include "core/buf.h"
#include "core/err.h"
#include "domain/principal.h"
#include "domain/registers.h"

#include <string.h>

static const struct mm_option levels[] = {
	{ "1", "低", "Low" },
	{ "2", "中", "Medium" },
	{ "3", "高", "High" },
};

static const struct mm_option treatments[] = {
	{ "reduce", "低減", "Reduce" },
	{ "avoid", "回避", "Avoid" },
	{ "transfer", "移転", "Transfer" },
	{ "accept", "受容", "Accept" },
};

static const struct mm_option yes_no[] = {
	{ "yes", "要", "Needed" },
	{ "no", "不要", "Not needed" },
};

/* What became of a risk's planned measures (リスク対応計画). A measure
 * past its due date that is not 完了 is overdue. */
static const struct mm_option measure_states[] = {
	{ "planned", "未着手", "Not started" },
	{ "in_progress", "実施中", "In progress" },
	{ "done", "完了", "Done" },
};

struct mm_option mm_risk_band_opts[MM_RISK_BAND_OPTS_MAX] = {
	{ "低", "低", "Low" },
	{ "中", "中", "Medium" },
	{ "高", "高", "High" },
};
size_t mm_risk_band_nopts = 3;

static const struct mm_option states[] = {
	{ "assessing", "評価中", "Being assessed" },
	{ "accepted", "受容済", "Accepted" },
};

#define LEVEL(name, ja, en, flags)                                                                 \
	{                                                                                          \
		name, ja, en, MM_FT_INT, (flags) | MM_F_FILTER | MM_F_SORT, 1, 3, levels, 3        \
	}
#define DERIVED_INT(name, ja, en, max)                                                             \
	{                                                                                          \
		name, ja, en, MM_FT_INT, MM_F_DERIVED | MM_F_LIST | MM_F_FILTER | MM_F_SORT, 0,    \
			max                                                                        \
	}

/* Not const: the band fields' choices follow [risk] bands. */
static struct mm_field fields[] = {
	[RSK_CODE] = { "code", "リスク番号", "Risk no.", MM_FT_TEXT,
		       MM_F_UNIQUE | MM_F_AUTO | MM_F_LIST | MM_F_SORT | MM_F_SEARCH, 0, 20 },
	[RSK_NAME] = { "name", "リスク", "Risk", MM_FT_TEXT, MM_F_DERIVED | MM_F_LIST | MM_F_SEARCH,
		       0, 500 },
	[RSK_ASSET] = { "asset_id", "情報資産", "Asset", MM_FT_REF, MM_F_FILTER, 0, 0, NULL, 0,
			"assets" },
	[RSK_GROUP] = { "asset_group", "資産グループ（業務分類）", "Asset group (category)",
			MM_FT_TEXT, MM_F_FILTER | MM_F_SEARCH, 0, 100 },
	[RSK_THREAT] = { "threat_id", "脅威", "Threat", MM_FT_REF, MM_F_REQUIRED | MM_F_FILTER, 0,
			 0, NULL, 0, "threats" },
	[RSK_VULN] = { "vulnerability_id", "脆弱性", "Vulnerability", MM_FT_REF,
		       MM_F_REQUIRED | MM_F_FILTER, 0, 0, NULL, 0, "vulnerabilities" },
	[RSK_T] = LEVEL("threat_level", "脅威レベル", "Threat level", MM_F_REQUIRED | MM_F_LIST),
	[RSK_V] = LEVEL("vulnerability_level", "脆弱性レベル", "Vulnerability level",
			MM_F_REQUIRED | MM_F_LIST),
	[RSK_VALUE] = DERIVED_INT("asset_value", "資産価値", "Asset value", 10),
	[RSK_CLASS] = { "confidentiality", "機密性", "Confidentiality", MM_FT_INT,
			MM_F_LEVEL | MM_F_DERIVED | MM_F_FILTER, 1, 4 },
	[RSK_SECTION] = { "section_id", "所管課", "Owning section", MM_FT_REF,
			  MM_F_LIST | MM_F_FILTER | MM_F_SORT, 0, 0, NULL, 0, "sections" },
	[RSK_IMPORTANCE] = { "importance", "重要度（資産の軸）", "Importance (asset axis)",
			     MM_FT_INT, MM_F_DERIVED | MM_F_FILTER, 0, 10 },
	[RSK_LIKELIHOOD] = { "likelihood", "発生可能性", "Likelihood", MM_FT_INT,
			     MM_F_DERIVED | MM_F_FILTER | MM_F_SORT, 0, 9 },
	[RSK_RISK] = DERIVED_INT("risk_value", "リスク値", "Risk value", 90),
	[RSK_BAND] = { "band", "リスクレベル", "Risk level", MM_FT_ENUM,
		       MM_F_DERIVED | MM_F_LIST | MM_F_FILTER, 0, 0, mm_risk_band_opts, 3 },
	[RSK_TREATMENT] = { "treatment", "対応", "Treatment", MM_FT_ENUM,
			    MM_F_LIST | MM_F_FILTER | MM_F_SORT, 0, 0, treatments, 4 },
	[RSK_MEASURES] = { "measures", "対策の内容", "Planned measures", MM_FT_TEXT,
			   MM_F_SEARCH | MM_F_MULTILINE, 0, 4000 },
	[RSK_DUE] = { "measure_due", "対策の期限", "Measures due", MM_FT_DATE,
		      MM_F_FILTER | MM_F_SORT },
	[RSK_MEASURE_BY] = { "measure_by", "対策の担当者", "Measures by", MM_FT_REF, MM_F_FILTER, 0,
			     0, NULL, 0, "people" },
	[RSK_CLAUSE] = { "clause", "対策基準の条項", "Clause of the standard", MM_FT_TEXT,
			 MM_F_FILTER | MM_F_SEARCH, 0, 20 },
	[RSK_MSTATUS] = { "measure_status", "対策の状況", "Measures status", MM_FT_ENUM,
			  MM_F_FILTER | MM_F_SORT, 0, 0, measure_states, 3 },
	[RSK_RT] = LEVEL("residual_threat_level", "残留脅威レベル", "Residual threat level", 0),
	[RSK_RV] = LEVEL("residual_vulnerability_level", "残留脆弱性レベル",
			 "Residual vulnerability level", 0),
	[RSK_RESIDUAL] = DERIVED_INT("residual_value", "残留リスク値", "Residual risk value", 90),
	[RSK_RBAND] = { "residual_band", "残留リスクレベル", "Residual risk level", MM_FT_ENUM,
			MM_F_DERIVED | MM_F_FILTER, 0, 0, mm_risk_band_opts, 3 },
	[RSK_NEEDS] = { "acceptance", "受容の承認", "Acceptance", MM_FT_ENUM,
			MM_F_DERIVED | MM_F_LIST | MM_F_FILTER, 0, 0, yes_no, 2 },
	[RSK_OWNER] = { "owner_id", "リスク所有者", "Risk owner", MM_FT_REF, MM_F_FILTER, 0, 0,
			NULL, 0, "people" },
	[RSK_REVIEW] = { "review_date", "見直し日", "Review date", MM_FT_DATE,
			 MM_F_FILTER | MM_F_SORT },
	[RSK_STATE] = { "state", "状態", "State", MM_FT_ENUM,
			MM_F_DERIVED | MM_F_LIST | MM_F_FILTER | MM_F_SORT, 0, 0, states, 2 },
	[RSK_REQUESTER] = { "requester_id", "起票者", "Raised by", MM_FT_REF,
			    MM_F_DERIVED | MM_F_FILTER, 0, 0, NULL, 0, "people" },
	[RSK_DECIDED_BY] = { "accepted_by", "受容の承認者", "Accepted by", MM_FT_REF,
			     MM_F_DERIVED | MM_F_FILTER, 0, 0, NULL, 0, "people" },
	[RSK_DECIDED_AT] = { "accepted_at", "受容日時", "Accepted at", MM_FT_TEXT, MM_F_DERIVED, 0,
			     40 },
	[RSK_COMMENT] = { "acceptance_comment", "受容のコメント", "Acceptance comment", MM_FT_TEXT,
			  MM_F_DERIVED | MM_F_MULTILINE, 0, 2000 },
};

static const char *risk_level_help(int field, const char *kind, int64_t v, enum mm_lang lang)
{
	(void)kind;
	if (field == RSK_T || field == RSK_RT)
		return mm_risk_threat_criterion(v, lang);
	if (field == RSK_V || field == RSK_RV)
		return mm_risk_vuln_criterion(v, lang);
	return NULL;
}

/* The highest value of field fi among the active assets of group. */
static int group_max(struct mm_ctx *ctx, const char *group, int fi, int64_t *out)
{
	struct mm_filter f = { AST_CATEGORY, MM_OP_EQ, { true, 0, group } };
	struct mm_query q = { &f, 1, NULL, fi, true, MM_ACTIVE, 1, 0, NULL, NULL };
	struct mm_page page;
	int rc = mm_rec_list(ctx->conn, &mm_reg_assets.schema, &q, ctx->a, &page);

	*out = 0;
	if (!rc && page.n && page.recs[0].v[fi].set)
		*out = page.recs[0].v[fi].i;
	return rc;
}

/* Takes the asset value, classification, section and default owner from
 * the asset, or the highest value and classification of the group. */
static int from_asset(struct mm_ctx *ctx, struct mm_record *rec, const char **what,
		      struct mm_ferrs *errs)
{
	const struct mm_field *fs = fields;
	struct mm_record asset;
	int64_t value = 0, c = 0;
	int rc;

	if (!rec->v[RSK_ASSET].set) {
		rc = group_max(ctx, rec->v[RSK_GROUP].s, AST_VALUE, &value);
		if (!rc)
			rc = group_max(ctx, rec->v[RSK_GROUP].s, AST_C, &c);
		if (!rc && !value)
			mm_ferr_add(errs, &fs[RSK_GROUP], fs[RSK_GROUP].name, "risk_group_empty",
				    ctx->lang);
		*what = rec->v[RSK_GROUP].s;
	} else {
		rc = mm_rec_get(ctx->conn, &mm_reg_assets.schema, rec->v[RSK_ASSET].i, ctx->a,
				&asset);
		if (rc)
			return rc;
		value = asset.v[AST_VALUE].set ? asset.v[AST_VALUE].i : 1;
		c = asset.v[AST_C].set ? asset.v[AST_C].i : 4;
		rec->v[RSK_SECTION] = asset.v[AST_SECTION];
		if (!rec->v[RSK_OWNER].set)
			rec->v[RSK_OWNER] = asset.v[AST_OWNER];
		*what = asset.v[AST_NAME].s;
	}
	rec->v[RSK_VALUE] = (struct mm_value){ value > 0, value, NULL };
	rec->v[RSK_CLASS] = (struct mm_value){ true, c ? c : 4, NULL };
	return rc;
}

static struct mm_value text_value(const char *s)
{
	return (struct mm_value){ s != NULL, 0, s };
}

/* The values of the method in force, from the ratings and the asset value. */
static void compute(struct mm_ctx *ctx, struct mm_record *rec)
{
	const struct mm_risk_settings *s = &mm_risk_settings;
	const struct mm_risk_band *bands;
	int64_t av = rec->v[RSK_VALUE].i, t = rec->v[RSK_T].i, v = rec->v[RSK_V].i;
	int64_t rt = rec->v[RSK_RT].set ? rec->v[RSK_RT].i : t;
	int64_t rv = rec->v[RSK_RV].set ? rec->v[RSK_RV].i : v;
	int64_t risk = mm_risk_value(s->method, av, t, v);
	int64_t residual = mm_risk_value(s->method, av, rt, rv);
	size_t n;

	(void)ctx;
	bands = mm_risk_bands(s, &n);
	rec->v[RSK_IMPORTANCE] = (struct mm_value){ true, mm_risk_importance(s->method, av), NULL };
	rec->v[RSK_LIKELIHOOD] =
		(struct mm_value){ true, mm_risk_likelihood(s->method, t, v), NULL };
	rec->v[RSK_RISK] = (struct mm_value){ true, risk, NULL };
	rec->v[RSK_RESIDUAL] = (struct mm_value){ true, residual, NULL };
	rec->v[RSK_BAND] = text_value(bands[mm_risk_band_of(s, risk)].ja);
	rec->v[RSK_RBAND] = text_value(bands[mm_risk_band_of(s, residual)].ja);
	rec->v[RSK_NEEDS] = text_value(mm_risk_needs_acceptance(s, residual) ? "yes" : "no");
}

/* The risk's name: what is at risk, and from what. */
static int name(struct mm_ctx *ctx, struct mm_record *rec, const char *what)
{
	struct mm_record threat, vuln;
	struct mm_buf b;
	int rc = mm_rec_get(ctx->conn, &mm_reg_threats.schema, rec->v[RSK_THREAT].i, ctx->a,
			    &threat);

	if (!rc)
		rc = mm_rec_get(ctx->conn, &mm_reg_vulnerabilities.schema, rec->v[RSK_VULN].i,
				ctx->a, &vuln);
	if (rc)
		return rc;
	mm_buf_init(&b, 2048);
	mm_buf_printf(&b, "%s／%s（%s）", what ? what : "", threat.v[THR_NAME].s,
		      vuln.v[VUL_NAME].s);
	rec->v[RSK_NAME] = text_value(b.err ? NULL : mm_arena_strndup(ctx->a, b.data, b.len));
	mm_buf_free(&b);
	return rec->v[RSK_NAME].set ? MM_OK : MM_ENOMEM;
}

static int risk_derive(const struct mm_register *r, struct mm_ctx *ctx, struct mm_record *rec,
		       struct mm_ferrs *errs)
{
	const struct mm_field *fs = r->schema.fields;
	const char *what = NULL;
	int rc;

	if (rec->v[RSK_ASSET].set == rec->v[RSK_GROUP].set) {
		mm_ferr_add(errs, &fs[RSK_ASSET], fs[RSK_ASSET].name, "risk_asset_or_group",
			    ctx->lang);
		return MM_OK;
	}
	rc = from_asset(ctx, rec, &what, errs);
	if (!rc && !errs->n && !rec->v[RSK_SECTION].set)
		mm_ferr_add(errs, &fs[RSK_SECTION], fs[RSK_SECTION].name, "required", ctx->lang);
	if (rc || errs->n)
		return rc;
	compute(ctx, rec);
	return name(ctx, rec, what);
}

/* 受容: the approver is not the risk's owner. */
static int accept_hook(const struct mm_register *r, struct mm_ctx *ctx, struct mm_record *rec,
		       struct mm_ferrs *errs)
{
	const struct mm_field *f = &r->schema.fields[RSK_OWNER];

	if (ctx->who && rec->v[RSK_OWNER].set && rec->v[RSK_OWNER].i == ctx->who->person_id)
		mm_ferr_add(errs, f, f->name, "risk_owner_approver", ctx->lang);
	return errs->n ? MM_EVALIDATE : MM_OK;
}

/* The acceptance role is a setting, so the transition's roles are set at
 * start-up (mm_risk_acceptance_role_set). */
static struct mm_transition transitions[] = {
	{ "accept",
	  "受容を承認する",
	  "Accept the risk",
	  { "assessing" },
	  "accepted",
	  MM_ROLE_BIT(MM_ROLE_DEPUTY),
	  MM_TR_APPROVAL | MM_TR_AUDIT,
	  accept_hook },
};

void mm_risk_band_option_add(const char *ja, const char *en)
{
	size_t i = 0;

	while (i < mm_risk_band_nopts && strcmp(mm_risk_band_opts[i].code, ja) != 0)
		i++;
	if (i < mm_risk_band_nopts) {
		if (strcmp(en, ja) != 0)
			mm_risk_band_opts[i].en = en;
		return;
	}
	if (i == MM_RISK_BAND_OPTS_MAX)
		return;
	mm_risk_band_opts[i] = (struct mm_option){ ja, ja, en };
	mm_risk_band_nopts = i + 1;
	fields[RSK_BAND].nopts = fields[RSK_RBAND].nopts = mm_risk_band_nopts;
	mm_risk_snapshot_bands_sync();
}

const char *mm_risk_band_label(const char *stored, enum mm_lang lang)
{
	return mm_option_label(&fields[RSK_BAND], stored, lang);
}

int mm_risk_acceptance_role_set(const char *code)
{
	int role = mm_role_find(code);

	if (role < 0)
		return MM_EINVAL;
	mm_risk_settings.acceptance_role = role;
	transitions[0].roles = MM_ROLE_BIT(role);
	return MM_OK;
}

static const struct mm_workflow workflow = {
	.state_field = RSK_STATE,
	.initial = "assessing",
	.requester_field = RSK_REQUESTER,
	.grantee_field = -1,
	.actor_field = RSK_DECIDED_BY,
	.at_field = RSK_DECIDED_AT,
	.comment_field = RSK_COMMENT,
	.transitions = transitions,
	.ntransitions = sizeof(transitions) / sizeof(transitions[0]),
	.edit_reopens = true,
};

#define SECRETARIAT MM_ROLE_BIT(MM_ROLE_SECRETARIAT)

const struct mm_register mm_reg_risks = {
	.schema = { "risks", fields, RSK_NFIELDS },
	.label_ja = "リスク台帳",
	.label_en = "Risk register",
	.noun_ja = "リスク",
	.noun_en = "risk",
	.retired_ja = "廃止",
	.retired_en = "Retired",
	.key_field = RSK_CODE,
	.key_prefix = "R-",
	.title_field = RSK_NAME,
	.owner_field = RSK_SECTION,
	.derive_ctx = risk_derive,
	.level_help = risk_level_help,
	.class_field = RSK_CLASS,
	/* 事務局 runs the assessment; each section's data manager assesses
	 * the risks of the section's assets. */
	.create_roles = SECRETARIAT,
	.edit_roles = SECRETARIAT,
	.retire_roles = SECRETARIAT,
	.manager_writes = true,
	.workflow = &workflow,
};
