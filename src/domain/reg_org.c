/* The organisation registers: sections (部/課/係) and people. Minimal here;
 * accounts and roles build on them. */
#include "domain/registers.h"

#include "core/err.h"
#include "domain/principal.h"
#include "domain/sod.h"

#include <string.h>

/* Sections and people are kept by 事務局 and the application administrator;
 * systems by 情報システム管理責任者 and 事務局, and the data manager of the
 * owning section. */
#define ORG_WRITERS    (MM_ROLE_BIT(MM_ROLE_SECRETARIAT) | MM_ROLE_BIT(MM_ROLE_APP_ADMIN))
#define SYSTEM_WRITERS (MM_ROLE_BIT(MM_ROLE_SECRETARIAT) | MM_ROLE_BIT(MM_ROLE_SYSTEMS))

static const struct mm_option section_kinds[] = {
	{ "department", "部", "Department" },
	{ "division", "課", "Division" },
	{ "unit", "係", "Unit" },
};

static const struct mm_field section_fields[] = {
	[SEC_CODE] = { "code", "課コード", "Code", MM_FT_TEXT,
		       MM_F_UNIQUE | MM_F_AUTO | MM_F_LIST | MM_F_SORT | MM_F_SEARCH, 0, 20 },
	[SEC_NAME] = { "name", "名称", "Name", MM_FT_TEXT,
		       MM_F_REQUIRED | MM_F_LIST | MM_F_SORT | MM_F_SEARCH, 0, 100 },
	[SEC_KIND] = { "kind", "区分", "Kind", MM_FT_ENUM,
		       MM_F_REQUIRED | MM_F_LIST | MM_F_FILTER | MM_F_SORT, 0, 0, section_kinds,
		       3 },
	[SEC_PARENT] = { "parent_id", "上位組織", "Parent", MM_FT_REF, MM_F_LIST | MM_F_FILTER, 0,
			 0, NULL, 0, "sections" },
};

/* A section may not be its own ancestor. */
static int section_check(const struct mm_register *r, struct mm_ctx *ctx,
			 const struct mm_record *rec, struct mm_ferrs *errs)
{
	const struct mm_field *f = &r->schema.fields[SEC_PARENT];
	int64_t p = rec->v[SEC_PARENT].set ? rec->v[SEC_PARENT].i : 0;
	int depth = 0;

	if (!p || !rec->id)
		return MM_OK;
	while (p && depth++ < 16) {
		struct mm_record up;
		int rc;

		if (p == rec->id) {
			mm_ferr_add(errs, f, f->name, depth == 1 ? "self_ref" : "cycle", ctx->lang);
			return MM_OK;
		}
		rc = mm_rec_get(ctx->conn, &r->schema, p, ctx->a, &up);
		if (rc == MM_ENOTFOUND)
			return MM_OK;
		if (rc)
			return rc;
		p = up.v[SEC_PARENT].set ? up.v[SEC_PARENT].i : 0;
	}
	return MM_OK;
}

const struct mm_register mm_reg_sections = {
	.schema = { "sections", section_fields, SEC_NFIELDS },
	.label_ja = "組織",
	.label_en = "Sections",
	.noun_ja = "組織",
	.noun_en = "section",
	.retired_ja = "廃止",
	.retired_en = "Abolished",
	.key_field = SEC_CODE,
	.key_prefix = "S",
	.title_field = SEC_NAME,
	.owner_field = -1,
	.check = section_check,
	.default_class = 1,
	.create_roles = ORG_WRITERS,
	.edit_roles = ORG_WRITERS,
	.retire_roles = ORG_WRITERS,
};

static const struct mm_option employment_types[] = {
	{ "regular", "常勤", "Full-time" },
	{ "part_time", "非常勤", "Part-time" },
	{ "temporary", "臨時", "Temporary" },
	{ "contractor", "委託先", "Contractor" },
};

static const struct mm_option person_statuses[] = {
	{ "employed", "在職", "Employed" },
	{ "left", "離職", "Left" },
};

static const struct mm_field person_fields[] = {
	[PER_NO] = { "employee_no", "職員番号", "Employee no.", MM_FT_TEXT,
		     MM_F_UNIQUE | MM_F_AUTO | MM_F_LIST | MM_F_SORT | MM_F_SEARCH, 0, 20 },
	[PER_NAME] = { "name", "氏名", "Name", MM_FT_TEXT,
		       MM_F_REQUIRED | MM_F_LIST | MM_F_SORT | MM_F_SEARCH, 0, 100 },
	[PER_KANA] = { "name_kana", "氏名（かな）", "Name (kana)", MM_FT_TEXT,
		       MM_F_SEARCH | MM_F_SORT, 0, 100 },
	[PER_SECTION] = { "section_id", "所属", "Section", MM_FT_REF,
			  MM_F_REQUIRED | MM_F_LIST | MM_F_FILTER | MM_F_SORT, 0, 0, NULL, 0,
			  "sections" },
	[PER_TITLE] = { "job_title", "職名", "Job title", MM_FT_TEXT, MM_F_LIST | MM_F_SEARCH, 0,
			100 },
	[PER_EMPLOYMENT] = { "employment", "雇用区分", "Employment type", MM_FT_ENUM,
			     MM_F_REQUIRED | MM_F_LIST | MM_F_FILTER, 0, 0, employment_types, 4 },
	[PER_STATUS] = { "employment_status", "在職状況", "Status", MM_FT_ENUM,
			 MM_F_REQUIRED | MM_F_LIST | MM_F_FILTER, 0, 0, person_statuses, 2 },
	[PER_EMAIL] = { "email", "メールアドレス", "E-mail", MM_FT_TEXT, MM_F_SEARCH, 0, 254 },
};

const struct mm_register mm_reg_people = {
	.schema = { "people", person_fields, PER_NFIELDS },
	.label_ja = "職員",
	.label_en = "People",
	.noun_ja = "職員",
	.noun_en = "person",
	.retired_ja = "無効",
	.retired_en = "Disabled",
	.key_field = PER_NO,
	.key_prefix = "P",
	.title_field = PER_NAME,
	.owner_field = PER_SECTION,
	/* People hold personal data: 庁外秘. */
	.default_class = 2,
	.create_roles = ORG_WRITERS,
	.edit_roles = ORG_WRITERS,
	.retire_roles = ORG_WRITERS,
};

static const struct mm_field system_fields[] = {
	[SYS_CODE] = { "code", "システム番号", "System no.", MM_FT_TEXT,
		       MM_F_UNIQUE | MM_F_AUTO | MM_F_LIST | MM_F_SORT | MM_F_SEARCH, 0, 20 },
	[SYS_NAME] = { "name", "システム名", "Name", MM_FT_TEXT,
		       MM_F_REQUIRED | MM_F_LIST | MM_F_SORT | MM_F_SEARCH, 0, 200 },
	[SYS_SECTION] = { "section_id", "所管課", "Owning section", MM_FT_REF,
			  MM_F_REQUIRED | MM_F_LIST | MM_F_FILTER | MM_F_SORT, 0, 0, NULL, 0,
			  "sections" },
	[SYS_ADMIN] = { "infra_admin_id", "基盤管理者", "Infrastructure administrator", MM_FT_REF,
			MM_F_LIST | MM_F_FILTER, 0, 0, NULL, 0, "people" },
	[SYS_DESC] = { "description", "概要", "Description", MM_FT_TEXT,
		       MM_F_SEARCH | MM_F_MULTILINE, 0, 2000 },
};

/* 2.2: the infrastructure administrator is not the data manager of a section
 * whose assets are on the system. */
static int system_check(const struct mm_register *r, struct mm_ctx *ctx,
			const struct mm_record *rec, struct mm_ferrs *errs)
{
	const struct mm_field *f = &r->schema.fields[SYS_ADMIN];
	bool conflict = false, on;
	const char *rule;
	int rc;

	if (!rec->id || rec->retired || !rec->v[SYS_ADMIN].set)
		return MM_OK;
	rc = mm_sod_rule(ctx, MM_DUTY_SYSTEM_ADMIN, MM_DUTY_DATA_MANAGER, &on, &rule);
	if (!rc && on)
		rc = mm_roles_sod_system(ctx, rec->id, rec->v[SYS_ADMIN].i, &conflict);
	if (!rc && conflict)
		mm_sod_ferr(errs, f->name, "sod_infra_data", rule);
	return rc;
}

const struct mm_register mm_reg_systems = {
	.schema = { "systems", system_fields, SYS_NFIELDS },
	.label_ja = "情報システム",
	.label_en = "Systems",
	.noun_ja = "情報システム",
	.noun_en = "system",
	.retired_ja = "廃止",
	.retired_en = "Decommissioned",
	.key_field = SYS_CODE,
	.key_prefix = "SYS-",
	.title_field = SYS_NAME,
	.owner_field = SYS_SECTION,
	.check = system_check,
	.default_class = 2,
	.create_roles = SYSTEM_WRITERS,
	.edit_roles = SYSTEM_WRITERS,
	.retire_roles = SYSTEM_WRITERS,
	.manager_writes = true,
};

const char *mm_person_name(struct mm_ctx *ctx, int64_t person)
{
	struct mm_record p;

	if (mm_rec_get(ctx->conn, &mm_reg_people.schema, person, ctx->a, &p) != MM_OK ||
	    !p.v[PER_NAME].set)
		return "";
	return p.v[PER_NAME].s;
}
