/* The roles of 付表1 (情報セキュリティ管理体制と職務分掌) and who holds them
 * (2.1), with the separation of duties of 2.2: one person may not be both
 * the infrastructure administrator of a system and the data manager of the
 * information assets on it. */
#include "domain/registers.h"

#include "core/datetime.h"
#include "core/err.h"
#include "domain/audit.h"
#include "domain/principal.h"
#include "domain/privileges.h"
#include "domain/sod.h"

#include <stdio.h>
#include <string.h>

enum { PAGE = 256 };

/* Roles and their holders are kept by 事務局 and the application
 * administrator. */
#define ROLE_WRITERS (MM_ROLE_BIT(MM_ROLE_SECRETARIAT) | MM_ROLE_BIT(MM_ROLE_APP_ADMIN))

static const struct mm_option role_scopes[] = {
	{ "organisation", "全庁", "Whole organisation" },
	{ "section", "課ごと", "Per section" },
};

static const struct mm_option yes_no[] = {
	{ "yes", "はい", "Yes" },
	{ "no", "いいえ", "No" },
};

static const struct mm_field role_fields[] = {
	[ROLE_CODE] = { "code", "コード", "Code", MM_FT_TEXT,
			MM_F_REQUIRED | MM_F_UNIQUE | MM_F_LIST | MM_F_SORT | MM_F_SEARCH, 0, 40 },
	[ROLE_NAME] = { "name", "名称", "Name", MM_FT_TEXT,
			MM_F_REQUIRED | MM_F_LIST | MM_F_SORT | MM_F_SEARCH, 0, 100 },
	[ROLE_APPOINTED] = { "appointed_title", "任命職", "Appointed post", MM_FT_TEXT,
			     MM_F_LIST | MM_F_SEARCH, 0, 100 },
	[ROLE_DUTIES] = { "duties", "責任と権限", "Responsibilities and authority", MM_FT_TEXT,
			  MM_F_SEARCH | MM_F_MULTILINE, 0, 2000 },
	[ROLE_SCOPE] = { "scope", "適用範囲", "Scope", MM_FT_ENUM,
			 MM_F_REQUIRED | MM_F_LIST | MM_F_FILTER, 0, 0, role_scopes, 2 },
	[ROLE_PRIVILEGED] = { "privileged", "特権", "Privileged", MM_FT_ENUM,
			      MM_F_REQUIRED | MM_F_LIST | MM_F_FILTER, 0, 0, yes_no, 2 },
};

const struct mm_register mm_reg_roles = {
	.schema = { "roles", role_fields, ROLE_NFIELDS },
	.label_ja = "役割",
	.label_en = "Roles",
	.noun_ja = "役割",
	.noun_en = "role",
	.retired_ja = "廃止",
	.retired_en = "Abolished",
	.key_field = ROLE_CODE,
	.title_field = ROLE_NAME,
	.owner_field = -1,
	.default_class = 1,
	.create_roles = ROLE_WRITERS,
	.edit_roles = ROLE_WRITERS,
	.retire_roles = ROLE_WRITERS,
};

static const struct mm_field holder_fields[] = {
	[RH_CODE] = { "code", "番号", "No.", MM_FT_TEXT,
		      MM_F_UNIQUE | MM_F_AUTO | MM_F_LIST | MM_F_SORT | MM_F_SEARCH, 0, 20 },
	[RH_PERSON] = { "person_id", "担当者", "Person", MM_FT_REF,
			MM_F_REQUIRED | MM_F_LIST | MM_F_FILTER | MM_F_SORT, 0, 0, NULL, 0,
			"people" },
	[RH_ROLE] = { "role_id", "役割", "Role", MM_FT_REF,
		      MM_F_REQUIRED | MM_F_LIST | MM_F_FILTER | MM_F_SORT, 0, 0, NULL, 0, "roles" },
	[RH_SECTION] = { "section_id", "対象の課", "Section", MM_FT_REF,
			 MM_F_LIST | MM_F_FILTER | MM_F_SORT, 0, 0, NULL, 0, "sections" },
	[RH_FROM] = { "valid_from", "開始日", "Valid from", MM_FT_DATE,
		      MM_F_LIST | MM_F_FILTER | MM_F_SORT },
	[RH_UNTIL] = { "valid_until", "終了日", "Valid until", MM_FT_DATE,
		       MM_F_LIST | MM_F_FILTER | MM_F_SORT },
	[RH_NOTE] = { "note", "備考", "Note", MM_FT_TEXT, MM_F_SEARCH, 0, 200 },
};

void mm_ctx_today(const struct mm_ctx *ctx, char out[11])
{
	mm_date_iso(mm_date_from_time_jst(ctx->now ? ctx->now : mm_now()), out);
}

/* A holding that ended before today no longer counts. */
static bool ended(const struct mm_record *h, const char *today)
{
	return h->v[RH_UNTIL].set && strcmp(h->v[RH_UNTIL].s, today) < 0;
}

/* Whether an active asset owned by section is on system. */
static int asset_on(struct mm_ctx *ctx, int64_t system, int64_t section, bool *found)
{
	struct mm_filter f[2] = {
		{ AST_SYSTEM, MM_OP_EQ, { true, system, NULL } },
		{ AST_SECTION, MM_OP_EQ, { true, section, NULL } },
	};
	struct mm_query q = { f, 2, NULL, MM_SORT_ID, false, MM_ACTIVE, 0, 0, NULL, NULL };
	struct mm_page page;
	int rc = mm_rec_list(ctx->conn, &mm_reg_assets.schema, &q, ctx->a, &page);

	if (!rc && page.total > 0)
		*found = true;
	return rc;
}

/* Whether person administers the infrastructure of an active system that
 * carries an active asset of section. */
static int admin_of_section_system(struct mm_ctx *ctx, int64_t person, int64_t section,
				   bool *conflict)
{
	struct mm_filter f = { SYS_ADMIN, MM_OP_EQ, { true, person, NULL } };
	struct mm_query q = { &f, 1, NULL, MM_SORT_ID, false, MM_ACTIVE, PAGE, 0, NULL, NULL };
	struct mm_page page;
	int rc;

	do {
		rc = mm_rec_list(ctx->conn, &mm_reg_systems.schema, &q, ctx->a, &page);
		for (size_t i = 0; !rc && !*conflict && i < page.n; i++)
			rc = asset_on(ctx, page.recs[i].id, section, conflict);
		q.offset += PAGE;
	} while (!rc && !*conflict && page.n == PAGE);
	return rc;
}

/* Whether an active asset on system names person as its data manager. */
static int owner_on(struct mm_ctx *ctx, int64_t system, int64_t person, bool *found)
{
	struct mm_filter f[2] = {
		{ AST_SYSTEM, MM_OP_EQ, { true, system, NULL } },
		{ AST_OWNER, MM_OP_EQ, { true, person, NULL } },
	};
	struct mm_query q = { f, 2, NULL, MM_SORT_ID, false, MM_ACTIVE, 0, 0, NULL, NULL };
	struct mm_page page;
	int rc = mm_rec_list(ctx->conn, &mm_reg_assets.schema, &q, ctx->a, &page);

	if (!rc && page.total > 0)
		*found = true;
	return rc;
}

int mm_roles_sod_system(struct mm_ctx *ctx, int64_t system, int64_t person, bool *conflict)
{
	struct mm_value code = { true, 0, "data_manager" };
	struct mm_filter f[2] = { { RH_PERSON, MM_OP_EQ, { true, person, NULL } },
				  { RH_ROLE, MM_OP_EQ, { true, 0, NULL } } };
	struct mm_query q = { f, 2, NULL, MM_SORT_ID, false, MM_ACTIVE, PAGE, 0, NULL, NULL };
	struct mm_page page;
	char today[11];
	int rc;

	*conflict = false;
	rc = owner_on(ctx, system, person, conflict);
	if (rc || *conflict)
		return rc;
	rc = mm_rec_find(ctx->conn, &mm_reg_roles.schema, ROLE_CODE, &code, 0, &f[1].v.i);
	if (rc == MM_ENOTFOUND)
		return MM_OK;
	mm_ctx_today(ctx, today);
	while (!rc) {
		rc = mm_rec_list(ctx->conn, &mm_reg_role_holders.schema, &q, ctx->a, &page);
		for (size_t i = 0; !rc && !*conflict && i < page.n; i++) {
			const struct mm_record *h = &page.recs[i];
			if (h->v[RH_SECTION].set && !ended(h, today))
				rc = asset_on(ctx, system, h->v[RH_SECTION].i, conflict);
		}
		if (*conflict || page.n < PAGE)
			break;
		q.offset += PAGE;
	}
	return rc;
}

/* The section goes with the role's scope, the period is in order, and a data
 * manager does not administer the systems that carry the section's assets. */
static int holder_check(const struct mm_register *r, struct mm_ctx *ctx,
			const struct mm_record *rec, struct mm_ferrs *errs)
{
	const struct mm_field *fs = r->schema.fields;
	const struct mm_value *sec = &rec->v[RH_SECTION];
	struct mm_record role;
	bool per_section, conflict = false, on;
	const char *rule;
	char today[11];
	int rc;

	if (rec->v[RH_FROM].set && rec->v[RH_UNTIL].set &&
	    strcmp(rec->v[RH_UNTIL].s, rec->v[RH_FROM].s) < 0)
		mm_ferr_add(errs, &fs[RH_UNTIL], fs[RH_UNTIL].name, "until_before_from", ctx->lang);
	rc = mm_rec_get(ctx->conn, &mm_reg_roles.schema, rec->v[RH_ROLE].i, ctx->a, &role);
	if (rc)
		return rc;
	per_section = role.v[ROLE_SCOPE].set && strcmp(role.v[ROLE_SCOPE].s, "section") == 0;
	if (per_section && !sec->set)
		mm_ferr_add(errs, &fs[RH_SECTION], fs[RH_SECTION].name, "role_needs_section",
			    ctx->lang);
	else if (!per_section && sec->set)
		mm_ferr_add(errs, &fs[RH_SECTION], fs[RH_SECTION].name, "role_no_section",
			    ctx->lang);
	if (errs->n || !sec->set || rec->retired || strcmp(role.v[ROLE_CODE].s, "data_manager"))
		return MM_OK;
	mm_ctx_today(ctx, today);
	if (ended(rec, today))
		return MM_OK;
	rc = mm_sod_rule(ctx, MM_DUTY_SYSTEM_ADMIN, MM_DUTY_DATA_MANAGER, &on, &rule);
	if (!rc && on)
		rc = admin_of_section_system(ctx, rec->v[RH_PERSON].i, sec->i, &conflict);
	if (!rc && conflict)
		mm_sod_ferr(errs, fs[RH_PERSON].name, "sod_infra_data", rule);
	return rc;
}

int mm_roles_is_data_manager(struct mm_ctx *ctx, int64_t person, int64_t section, bool *yes)
{
	struct mm_value code = { true, 0, "data_manager" };
	struct mm_filter f[3] = { { RH_PERSON, MM_OP_EQ, { true, person, NULL } },
				  { RH_ROLE, MM_OP_EQ, { true, 0, NULL } },
				  { RH_SECTION, MM_OP_EQ, { true, section, NULL } } };
	struct mm_query q = { f, 3, NULL, MM_SORT_ID, false, MM_ACTIVE, PAGE, 0, NULL, NULL };
	struct mm_page page;
	char today[11];
	int rc;

	*yes = false;
	rc = mm_rec_find(ctx->conn, &mm_reg_roles.schema, ROLE_CODE, &code, 0, &f[1].v.i);
	if (rc == MM_ENOTFOUND)
		return MM_OK;
	if (!rc)
		rc = mm_rec_list(ctx->conn, &mm_reg_role_holders.schema, &q, ctx->a, &page);
	mm_ctx_today(ctx, today);
	for (size_t i = 0; !rc && i < page.n; i++)
		if (!ended(&page.recs[i], today) &&
		    (!page.recs[i].v[RH_FROM].set || strcmp(page.recs[i].v[RH_FROM].s, today) <= 0))
			*yes = true;
	return rc;
}

/* A privileged role is granted through an approved request (7.2(2)):
 * over the web nobody creates, edits or restores a privileged holding
 * directly. Revoking one (retiring) stays open to the role's writers. */
static int holder_guard(const struct mm_register *r, struct mm_ctx *ctx,
			const struct mm_record *rec)
{
	bool priv = false;
	int rc;

	(void)r;
	if (!ctx->who || ctx->by_workflow || !rec->v[RH_ROLE].set)
		return MM_OK;
	rc = mm_role_id_privileged(ctx, rec->v[RH_ROLE].i, &priv);
	if (rc || !priv)
		return rc;
	ctx->refusal = "privilege_via_request";
	return MM_EPERM;
}

/* Every change of a privileged holding is a privileged action in the audit
 * log: the CLI's bootstrap, a grant by approval, a revocation. */
static int holder_after(const struct mm_register *r, struct mm_ctx *ctx,
			const struct mm_record *rec, const char *op)
{
	char object[64], details[160];
	bool priv = false;
	int rc = mm_role_id_privileged(ctx, rec->v[RH_ROLE].i, &priv);

	if (rc || !priv)
		return rc;
	snprintf(object, sizeof(object), "%s/%lld", r->schema.name, (long long)rec->id);
	snprintf(details, sizeof(details),
		 "{\"op\":\"%s\",\"privileged\":true,\"via\":\"%s\",\"person_id\":%lld,"
		 "\"role_id\":%lld}",
		 op,
		 ctx->by_workflow ? "request"
		 : ctx->who	  ? "web"
				  : "cli",
		 (long long)rec->v[RH_PERSON].i, (long long)rec->v[RH_ROLE].i);
	return mm_audit(ctx,
			ctx->who || ctx->by_workflow ? "privilege_change" : "privilege_bootstrap",
			object, "ok", details);
}

const struct mm_register mm_reg_role_holders = {
	.schema = { "role_holders", holder_fields, RH_NFIELDS },
	.label_ja = "役割の担当者",
	.label_en = "Role holders",
	.noun_ja = "役割の担当",
	.noun_en = "role holding",
	.retired_ja = "無効",
	.retired_en = "Disabled",
	.key_field = RH_CODE,
	.key_prefix = "RH-",
	.title_field = RH_NOTE,
	.owner_field = -1,
	.check = holder_check,
	.guard = holder_guard,
	.after = holder_after,
	.default_class = 2,
	.create_roles = ROLE_WRITERS,
	.edit_roles = ROLE_WRITERS,
	.retire_roles = ROLE_WRITERS,
};
