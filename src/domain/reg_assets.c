/* The 情報資産台帳 (3.1) with its valuation by 機密性, 完全性 and 可用性 (3.2,
 * 付表2). The columns follow the standard and the IPA 情報資産管理台帳. */
#include "domain/registers.h"

#include "core/err.h"
#include "domain/principal.h"
#include "domain/risk.h"
#include "domain/sod.h"

#include <string.h>

enum mm_value_method mm_asset_value_method = MM_VALUE_MAX;

static const struct mm_option asset_kinds[] = {
	{ "data", "データ", "Data" },
	{ "document", "ドキュメント", "Document" },
	{ "infrastructure", "インフラ", "Infrastructure" },
	{ "hardware", "ハード", "Hardware" },
	{ "software", "ソフト", "Software" },
};

static const struct mm_option personal_kinds[] = {
	{ "none", "なし", "None" },
	{ "personal", "個人情報", "Personal information" },
	{ "sensitive", "要配慮個人情報", "Sensitive personal information" },
	{ "my_number", "特定個人情報", "Specific personal information (My Number)" },
};

static const struct mm_option c_levels[] = {
	{ "1", "一般", "Public" },
	{ "2", "庁外秘", "Internal" },
	{ "3", "課外秘", "Section confidential" },
	{ "4", "極秘", "Strictly confidential" },
};

static const struct mm_option ia_levels[] = {
	{ "1", "低", "Low" },
	{ "2", "中", "Medium" },
	{ "3", "高", "High" },
};

static const struct mm_field asset_fields[] = {
	[AST_CODE] = { "code", "管理番号", "Asset no.", MM_FT_TEXT,
		       MM_F_UNIQUE | MM_F_AUTO | MM_F_LIST | MM_F_SORT | MM_F_SEARCH, 0, 20 },
	[AST_NAME] = { "name", "名称", "Name", MM_FT_TEXT,
		       MM_F_REQUIRED | MM_F_LIST | MM_F_SORT | MM_F_SEARCH, 0, 200 },
	[AST_KIND] = { "kind", "種別", "Kind", MM_FT_ENUM,
		       MM_F_REQUIRED | MM_F_LIST | MM_F_FILTER | MM_F_SORT, 0, 0, asset_kinds, 5 },
	[AST_CATEGORY] = { "category", "業務分類", "Business category", MM_FT_TEXT,
			   MM_F_SEARCH | MM_F_FILTER, 0, 100 },
	[AST_DESC] = { "description", "説明・備考", "Description and notes", MM_FT_TEXT,
		       MM_F_SEARCH | MM_F_MULTILINE, 0, 2000 },
	[AST_SECTION] = { "section_id", "所管課", "Owning section", MM_FT_REF,
			  MM_F_REQUIRED | MM_F_LIST | MM_F_FILTER | MM_F_SORT, 0, 0, NULL, 0,
			  "sections" },
	[AST_OWNER] = { "owner_id", "データ管理責任者", "Data manager", MM_FT_REF, MM_F_FILTER, 0,
			0, NULL, 0, "people" },
	[AST_USERS] = { "user_scope", "利用者範囲", "Users", MM_FT_TEXT, MM_F_SEARCH, 0, 200 },
	[AST_MEDIUM] = { "medium", "媒体・保存先", "Medium and storage", MM_FT_TEXT, MM_F_SEARCH, 0,
			 200 },
	[AST_LOCATION] = { "location", "所在", "Location", MM_FT_TEXT, MM_F_SEARCH, 0, 200 },
	[AST_SYSTEM] = { "system_id", "関連システム", "Related system", MM_FT_REF, MM_F_FILTER, 0,
			 0, NULL, 0, "systems" },
	[AST_PERSONAL] = { "personal_info", "個人情報", "Personal information", MM_FT_ENUM,
			   MM_F_REQUIRED | MM_F_LIST | MM_F_FILTER, 0, 0, personal_kinds, 4 },
	[AST_C] = { "confidentiality", "機密性", "Confidentiality", MM_FT_INT,
		    MM_F_LEVEL | MM_F_REQUIRED | MM_F_LIST | MM_F_FILTER | MM_F_SORT, 1, 4,
		    c_levels, 4 },
	[AST_I] = { "integrity", "完全性", "Integrity", MM_FT_INT,
		    MM_F_REQUIRED | MM_F_LIST | MM_F_FILTER | MM_F_SORT, 1, 3, ia_levels, 3 },
	[AST_A] = { "availability", "可用性", "Availability", MM_FT_INT,
		    MM_F_REQUIRED | MM_F_LIST | MM_F_FILTER | MM_F_SORT, 1, 3, ia_levels, 3 },
	[AST_VALUE] = { "asset_value", "資産価値", "Asset value", MM_FT_INT,
			MM_F_DERIVED | MM_F_LIST | MM_F_FILTER | MM_F_SORT, 1, 10 },
	[AST_RETENTION] = { "retention_until", "保存期限", "Retain until", MM_FT_DATE,
			    MM_F_FILTER | MM_F_SORT },
};

/* 付表2: criteria per level and asset kind, in the standard's own words. The
 * kinds are in asset_kinds order. */
enum { NKIND = 5 };

static const char *const c_ja[4][NKIND] = {
	{ "第三者に開示・提供可能", "第三者に開示・提供可能", "第三者がその存在を知り利用可能",
	  "第三者がその存在を知り利用可能", "第三者が利用可能" },
	{ "庁内では開示・提供可能（第三者には不可）", "庁内では開示・提供可能（第三者には不可）",
	  "庁内では庁内職員のみがその存在を知り利用可能",
	  "庁内では庁内職員のみがその存在を知り利用可能", "庁内職員のみが利用可能" },
	{ "特定の関係者または特定の部署のみに開示・提供可能",
	  "特定の関係者または特定の部署のみに開示・提供可能",
	  "特定の関係者または特定の部署の職員がその存在を知り利用可能",
	  "特定の関係者または特定の部署の職員がその存在を知り利用可能",
	  "特定の関係者または特定の部署の職員のみが利用可能" },
	{ "所定の関係者のみに開示・提供可能", "所定の関係者のみに開示・提供可能",
	  "所定の関係者のみがその存在を知り利用可能", "所定の関係者のみがその存在を知り利用可能",
	  "所定の関係者のみが利用可能" },
};

static const char *const c_en[4][NKIND] = {
	{ "May be disclosed to third parties", "May be disclosed to third parties",
	  "Third parties may know of it and use it", "Third parties may know of it and use it",
	  "Third parties may use it" },
	{ "May be disclosed within the city office, not to third parties",
	  "May be disclosed within the city office, not to third parties",
	  "Only city staff may know of it and use it", "Only city staff may know of it and use it",
	  "Only city staff may use it" },
	{ "Only for specific people or a specific section",
	  "Only for specific people or a specific section",
	  "Only specific people or a section's staff may know of it and use it",
	  "Only specific people or a section's staff may know of it and use it",
	  "Only specific people or a section's staff may use it" },
	{ "Only for the designated people", "Only for the designated people",
	  "Only the designated people may know of it and use it",
	  "Only the designated people may know of it and use it",
	  "Only the designated people may use it" },
};

static const char *const i_ja[3][NKIND] = {
	{ "情報の内容を変更された場合、行政事務の執行上への影響は小さい",
	  "情報の内容を変更された場合、行政事務の執行上への影響は小さい",
	  "情報設備の内容を変更された場合、行政事務の執行上への影響は小さい",
	  "情報設備の内容を変更された場合、行政事務の執行上への影響は小さい",
	  "ソフトウェアの内容を変更された場合、行政事務の執行上への影響は小さい" },
	{ "情報の内容を変更された場合、行政事務の執行上への影響は大きい",
	  "情報の内容を変更された場合、行政事務の執行上への影響は大きい",
	  "情報設備の内容を変更された場合、行政事務の執行上への影響は大きい",
	  "情報設備の内容を変更された場合、行政事務の執行上への影響は大きい",
	  "ソフトウェアの内容を変更された場合、行政事務の執行上への影響は大きい" },
	{ "情報の内容を変更された場合、行政事務の執行上への影響は深刻かつ重大",
	  "情報の内容を変更された場合、行政事務の執行上への影響は深刻かつ重大",
	  "情報設備の内容を変更された場合、行政事務の執行上への影響は深刻かつ重大",
	  "情報設備の内容を変更された場合、行政事務の執行上への影響は深刻かつ重大",
	  "ソフトウェアの内容を変更された場合、行政事務の執行上への影響は深刻かつ重大" },
};

static const char *const i_en[3][NKIND] = {
	{ "An altered content has a small effect on administrative work",
	  "An altered content has a small effect on administrative work",
	  "An altered facility has a small effect on administrative work",
	  "An altered facility has a small effect on administrative work",
	  "Altered software has a small effect on administrative work" },
	{ "An altered content has a large effect on administrative work",
	  "An altered content has a large effect on administrative work",
	  "An altered facility has a large effect on administrative work",
	  "An altered facility has a large effect on administrative work",
	  "Altered software has a large effect on administrative work" },
	{ "An altered content has a serious and grave effect on administrative work",
	  "An altered content has a serious and grave effect on administrative work",
	  "An altered facility has a serious and grave effect on administrative work",
	  "An altered facility has a serious and grave effect on administrative work",
	  "Altered software has a serious and grave effect on administrative work" },
};

static const char *const a_ja[3][NKIND] = {
	{ "1時間以上データの利用ができない状態が許容される",
	  "特別な状態を除き、取り出しにかかる時間を特に制限しない",
	  "1時間以上の設備停止が許容される", "1時間以上のハードウェアの停止が許容される",
	  "1時間以上のソフトウェアの停止が許容される" },
	{ "1時間のデータの利用ができない状態が許容される",
	  "利用に際し、取り出しまでの時間が1時間前後を許容する", "1時間の設備の停止が許容される",
	  "1時間のハードウェアの停止が許容される", "1時間のソフトウェアの停止が許容される" },
	{ "5分以上のデータの利用ができない状態が許容されない",
	  "必要とする場合即時利用できる必要がある", "5分以上の設備の停止が許容されない",
	  "5分以上のハードウェアの停止が許容されない",
	  "5分以上のソフトウェアの停止が許容されない" },
};

static const char *const a_en[3][NKIND] = {
	{ "Data may be unavailable for more than an hour", "No particular limit on retrieval time",
	  "An outage of more than an hour is acceptable",
	  "A hardware outage of more than an hour is acceptable",
	  "A software outage of more than an hour is acceptable" },
	{ "Data may be unavailable for about an hour", "Retrieval may take about an hour",
	  "An outage of an hour is acceptable", "A hardware outage of an hour is acceptable",
	  "A software outage of an hour is acceptable" },
	{ "Data may not be unavailable for 5 minutes or more",
	  "Must be available at once when needed",
	  "An outage of 5 minutes or more is not acceptable",
	  "A hardware outage of 5 minutes or more is not acceptable",
	  "A software outage of 5 minutes or more is not acceptable" },
};

static const char *asset_level_help(int field, const char *kind, int64_t v, enum mm_lang lang)
{
	size_t k = NKIND;

	for (size_t i = 0; i < NKIND; i++)
		if (kind && strcmp(kind, asset_kinds[i].code) == 0)
			k = i;
	if (k == NKIND)
		k = 0; /* before a kind is chosen, show the data criteria */
	if (field == AST_C && v >= 1 && v <= 4)
		return lang == MM_EN ? c_en[v - 1][k] : c_ja[v - 1][k];
	if (field == AST_I && v >= 1 && v <= 3)
		return lang == MM_EN ? i_en[v - 1][k] : i_ja[v - 1][k];
	if (field == AST_A && v >= 1 && v <= 3)
		return lang == MM_EN ? a_en[v - 1][k] : a_ja[v - 1][k];
	return NULL;
}

int mm_value_method_parse(const char *s, enum mm_value_method *out)
{
	if (strcmp(s, "max") == 0)
		*out = MM_VALUE_MAX;
	else if (strcmp(s, "sum") == 0)
		*out = MM_VALUE_SUM;
	else
		return MM_EINVAL;
	return MM_OK;
}

/* 資産価値: by default the highest of the three ratings. */
static void asset_derive(const struct mm_register *r, struct mm_record *rec)
{
	int64_t c = rec->v[AST_C].i, i = rec->v[AST_I].i, a = rec->v[AST_A].i;
	int64_t v;

	if (!rec->v[AST_C].set || !rec->v[AST_I].set || !rec->v[AST_A].set) {
		rec->v[AST_VALUE].set = false;
		return;
	}
	if (mm_asset_value_method == MM_VALUE_SUM) {
		v = c + i + a;
	} else {
		v = c > i ? c : i;
		v = v > a ? v : a;
	}
	rec->v[AST_VALUE].set = true;
	rec->v[AST_VALUE].i = v;
}

/* 2.2: the infrastructure administrator of the asset's system is neither
 * the data manager of the asset's section nor the data manager named on
 * the asset. */
static int asset_check(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_record *rec,
		       struct mm_ferrs *errs)
{
	const struct mm_field *f = &r->schema.fields[AST_SYSTEM];
	struct mm_record sys;
	bool on = false, conflict = false;
	const char *rule;
	int64_t admin;
	int rc;

	if (rec->retired || !rec->v[AST_SYSTEM].set)
		return MM_OK;
	rc = mm_rec_get(ctx->conn, &mm_reg_systems.schema, rec->v[AST_SYSTEM].i, ctx->a, &sys);
	if (rc == MM_ENOTFOUND || (!rc && (sys.retired || !sys.v[SYS_ADMIN].set)))
		return MM_OK;
	if (!rc)
		rc = mm_sod_rule(ctx, MM_DUTY_SYSTEM_ADMIN, MM_DUTY_DATA_MANAGER, &on, &rule);
	if (rc || !on)
		return rc;
	admin = sys.v[SYS_ADMIN].i;
	conflict = rec->v[AST_OWNER].set && rec->v[AST_OWNER].i == admin;
	if (!conflict && rec->v[AST_SECTION].set)
		rc = mm_roles_is_data_manager(ctx, admin, rec->v[AST_SECTION].i, &conflict);
	if (!rc && conflict)
		mm_sod_ferr(errs, f->name, "sod_asset_admin", rule);
	return rc;
}

/* A change of the asset's valuation changes its risks (3.3). */
static int asset_after(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_record *rec,
		       const char *op)
{
	(void)r;
	return strcmp(op, "update") == 0 ? mm_risk_asset_changed(ctx, rec) : MM_OK;
}

const struct mm_register mm_reg_assets = {
	.schema = { "assets", asset_fields, AST_NFIELDS },
	.label_ja = "情報資産台帳",
	.label_en = "Information asset register",
	.noun_ja = "情報資産",
	.noun_en = "asset",
	.retired_ja = "廃棄",
	.retired_en = "Disposed",
	.key_field = AST_CODE,
	.key_prefix = "A-",
	.title_field = AST_NAME,
	.owner_field = AST_SECTION,
	.derive = asset_derive,
	.check = asset_check,
	.after = asset_after,
	.level_help = asset_level_help,
	.class_field = AST_C,
	/* 事務局 compiles the register: it creates assets for any section. */
	.create_roles = MM_ROLE_BIT(MM_ROLE_SECRETARIAT),
	.edit_roles = MM_ROLE_BIT(MM_ROLE_SECRETARIAT),
	.retire_roles = MM_ROLE_BIT(MM_ROLE_SECRETARIAT),
	.manager_writes = true,
	.grant_edits = true,
};
