/* The default profile: 付表1's management structure as data. Everything goes
 * through the register engine, so the seed is validated and has a history
 * like any other input. */
#include "domain/seed.h"

#include "core/err.h"
#include "domain/principal.h"
#include "domain/registers.h"
#include "domain/risk.h"
#include "domain/sod.h"

#include <string.h>

struct seed_role {
	const char *name, *appointed, *duties, *scope, *privileged;
};

/* In enum mm_role order; the codes are mm_role_codes. The duties of the
 * first seven are 付表1's words. */
static const struct seed_role roles[MM_ROLE_COUNT] = {
	[MM_ROLE_CISO] = { "情報管理最高責任者", "副市長",
			   "情報化推進及び情報セキュリティに対するの総責任者", "organisation",
			   "yes" },
	[MM_ROLE_DEPUTY] = { "情報管理統括責任者", "総務部次長",
			     "情報管理最高責任者を補佐し、情報化推進及び情報セキュリティに対するの"
			     "実質的な指揮を取る",
			     "organisation", "yes" },
	[MM_ROLE_SYSTEMS] = { "情報システム管理責任者", "行政管理課長",
			      "情報処理設備、情報処理周辺機器、ソフトウェア、システム設定情報を管理"
			      "\n"
			      "ネットワークを統括的に管理し、適正な状態を維持する",
			      "organisation", "yes" },
	[MM_ROLE_DATA_MANAGER] = { "データ管理責任者", "各所管課長",
				   "情報資産の内、データについての取扱及び管理", "section", "no" },
	[MM_ROLE_FACILITIES] = { "施設管理責任者", "総務課長",
				 "施設の統括的な管理と施設内における防犯を管理する", "organisation",
				 "no" },
	[MM_ROLE_DOCUMENTS] = { "文書管理責任者", "総務課長", "文書の統括的管理", "organisation",
				"no" },
	[MM_ROLE_SECRETARIAT] = { "事務局", "行政管理課 行政情報係",
				  "情報管理統括責任者の任務を補佐し、情報セキュリティ対策についての"
				  "運営上の実務を遂行する",
				  "organisation", "yes" },
	[MM_ROLE_STAFF] = { "職員", "",
			    "情報セキュリティポリシー及び実施手順を遵守し、情報資産を適正に取り扱う"
			    "。\n"
			    "情報セキュリティ事故を発見したときは、速やかに報告する。",
			    "organisation", "no" },
	[MM_ROLE_CONTRACTOR] = { "外部委託者", "",
				 "契約に定めるセキュリティ要求事項と守秘義務を遵守し、委託された範"
				 "囲"
				 "でのみ情報資産を取り扱う。\n"
				 "情報セキュリティ事故を発見したときは、速やかに報告する。",
				 "organisation", "no" },
	[MM_ROLE_AUDITOR] = { "監査人", "",
			      "情報セキュリティ対策の実施状況を独立した立場で監査する。\n"
			      "記録とアクセスログを閲覧するが、変更はしない。",
			      "organisation", "no" },
	[MM_ROLE_APP_ADMIN] = { "アプリケーション管理者", "",
				"mamori のアカウントと設定を管理する。\n"
				"課外秘・極秘の情報は、記録ごとに許可された場合を除き閲覧しない。",
				"organisation", "yes" },
};

struct seed_section {
	const char *code, *name, *kind, *parent;
};

/* The sections 付表1 names, with the codes the demo data uses. */
static const struct seed_section sections[] = {
	{ "0100", "総務部", "department", "" },
	{ "0110", "総務課", "division", "0100" },
	{ "0120", "行政管理課", "division", "0100" },
	{ "0121", "行政情報係", "unit", "0120" },
};

#define IN(name, value) ((struct mm_in){ (name), MM_IN_STR, (value), strlen(value), 0 })

/* Whether a record of r has key code, retired or not. */
static int exists(const struct mm_register *r, struct mm_ctx *ctx, const char *code, bool *yes)
{
	struct mm_value v = { true, 0, code };
	int64_t id;
	int rc = mm_rec_find(ctx->conn, &r->schema, r->key_field, &v, 0, &id);

	*yes = rc == MM_OK;
	return rc == MM_ENOTFOUND ? MM_OK : rc;
}

static int create(const struct mm_register *r, struct mm_ctx *ctx, struct mm_in *items, size_t n)
{
	struct mm_input in = { items, n, MM_IN_CSV };
	struct mm_ferrs errs = { .n = 0 };
	struct mm_record rec;

	return mm_reg_create(r, ctx, &in, &errs, &rec);
}

static int seed(struct mm_ctx *ctx, struct mm_seed_counts *out)
{
	bool have;
	int rc = MM_OK;

	for (size_t i = 0; !rc && i < MM_ROLE_COUNT; i++) {
		const struct seed_role *s = &roles[i];
		struct mm_in it[] = { IN("code", mm_role_codes[i]),
				      IN("name", s->name),
				      IN("appointed_title", s->appointed),
				      IN("duties", s->duties),
				      IN("scope", s->scope),
				      IN("privileged", s->privileged) };

		rc = exists(&mm_reg_roles, ctx, mm_role_codes[i], &have);
		if (rc || have)
			continue;
		rc = create(&mm_reg_roles, ctx, it, sizeof(it) / sizeof(it[0]));
		out->roles += !rc;
	}
	for (size_t i = 0; !rc && i < sizeof(sections) / sizeof(sections[0]); i++) {
		const struct seed_section *s = &sections[i];
		struct mm_in it[] = { IN("code", s->code), IN("name", s->name), IN("kind", s->kind),
				      IN("parent_id", s->parent) };

		rc = exists(&mm_reg_sections, ctx, s->code, &have);
		if (rc || have)
			continue;
		rc = create(&mm_reg_sections, ctx, it, sizeof(it) / sizeof(it[0]));
		out->sections += !rc;
	}
	if (!rc)
		rc = mm_sod_seed(ctx, &out->sod_rules);
	if (!rc)
		rc = mm_risk_seed(ctx, &out->threats, &out->vulnerabilities);
	return rc;
}

int mm_seed_profile(struct mm_ctx *ctx, struct mm_seed_counts *out)
{
	struct mm_seed_counts none;
	int rc;

	if (!out)
		out = &none;
	memset(out, 0, sizeof(*out));
	if (ctx->in_tx)
		return seed(ctx, out);
	rc = mm_tx_begin(ctx->conn, true);
	if (rc)
		return rc;
	ctx->in_tx = true;
	rc = seed(ctx, out);
	ctx->in_tx = false;
	if (rc) {
		mm_tx_rollback(ctx->conn);
		memset(out, 0, sizeof(*out));
		return rc;
	}
	return mm_tx_commit(ctx->conn);
}
