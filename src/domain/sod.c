/* The separation-of-duties rules register (2.2) and the lookup every check
 * makes: is the rule separating two duties on, and what is it called. */
#include "domain/sod.h"

#include "core/err.h"
#include "domain/audit.h"
#include "domain/principal.h"

#include <stdio.h>
#include <string.h>

static const struct mm_option duties[] = {
	{ MM_DUTY_SYSTEM_ADMIN, "情報システムの基盤管理者", "Infrastructure administrator" },
	{ MM_DUTY_DATA_MANAGER, "データ管理責任者", "Data manager" },
	{ MM_DUTY_REQUESTER, "申請者", "Requester" },
	{ MM_DUTY_APPROVER, "承認者", "Approver" },
	{ MM_DUTY_GRANTEE, "特権の付与対象者", "Grantee of a privilege" },
};

static const struct mm_option yes_no[] = {
	{ "yes", "有効", "Enabled" },
	{ "no", "無効", "Disabled" },
};

static const struct mm_field sod_fields[] = {
	[SOD_CODE] = { "code", "コード", "Code", MM_FT_TEXT,
		       MM_F_REQUIRED | MM_F_UNIQUE | MM_F_LIST | MM_F_SORT | MM_F_SEARCH, 0, 40 },
	[SOD_NAME] = { "name", "名称", "Name", MM_FT_TEXT,
		       MM_F_REQUIRED | MM_F_LIST | MM_F_SORT | MM_F_SEARCH, 0, 100 },
	[SOD_DUTY_A] = { "duty_a", "職務1", "Duty 1", MM_FT_ENUM,
			 MM_F_REQUIRED | MM_F_LIST | MM_F_FILTER, 0, 0, duties, 5 },
	[SOD_DUTY_B] = { "duty_b", "職務2", "Duty 2", MM_FT_ENUM,
			 MM_F_REQUIRED | MM_F_LIST | MM_F_FILTER, 0, 0, duties, 5 },
	[SOD_EXPLAIN] = { "explanation", "説明", "Explanation", MM_FT_TEXT,
			  MM_F_SEARCH | MM_F_MULTILINE, 0, 2000 },
	[SOD_ENABLED] = { "enabled", "適用", "Enabled", MM_FT_ENUM,
			  MM_F_REQUIRED | MM_F_LIST | MM_F_FILTER, 0, 0, yes_no, 2 },
};

/* The pairs mamori knows how to check, with the defaults `mamori init`
 * loads. A rule of another pair could never be enforced, so none is taken. */
struct pair {
	const char *code, *a, *b, *name, *explanation;
};

static const struct pair pairs[] = {
	{ "infra_vs_data", MM_DUTY_SYSTEM_ADMIN, MM_DUTY_DATA_MANAGER,
	  "基盤管理者とデータ管理責任者の分離",
	  "同じ人が、情報システムの基盤管理者と、そのシステム上の情報資産のデータ管理責任者（所管課"
	  "のデータ管理責任者、または資産に指定されたデータ管理責任者）を兼ねない（2.2）。" },
	{ "requester_vs_approver", MM_DUTY_REQUESTER, MM_DUTY_APPROVER, "申請者と承認者の分離",
	  "申請した本人は、その申請を承認・却下しない（2.2、7.2(2)）。" },
	{ "grantee_vs_approver", MM_DUTY_GRANTEE, MM_DUTY_APPROVER,
	  "特権の付与対象者と承認者の分離",
	  "特権を付与される本人は、その付与を承認・却下しない（7.2(2)）。" },
};

enum { NPAIRS = sizeof(pairs) / sizeof(pairs[0]) };

static const struct pair *pair_of(const char *a, const char *b)
{
	for (size_t i = 0; a && b && i < NPAIRS; i++)
		if ((strcmp(pairs[i].a, a) == 0 && strcmp(pairs[i].b, b) == 0) ||
		    (strcmp(pairs[i].a, b) == 0 && strcmp(pairs[i].b, a) == 0))
			return &pairs[i];
	return NULL;
}

const char *mm_duty_label(const char *code, enum mm_lang lang)
{
	return mm_option_label(&sod_fields[SOD_DUTY_A], code, lang);
}

/* A rule pairs two different duties that mamori can check. */
static int sod_check(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_record *rec,
		     struct mm_ferrs *errs)
{
	const struct mm_field *f = &r->schema.fields[SOD_DUTY_B];

	if (!rec->v[SOD_DUTY_A].set || !rec->v[SOD_DUTY_B].set)
		return MM_OK;
	if (strcmp(rec->v[SOD_DUTY_A].s, rec->v[SOD_DUTY_B].s) == 0)
		mm_ferr_add(errs, f, f->name, "sod_same_duty", ctx->lang);
	else if (!pair_of(rec->v[SOD_DUTY_A].s, rec->v[SOD_DUTY_B].s))
		mm_ferr_add(errs, f, f->name, "sod_pair_unsupported", ctx->lang);
	return MM_OK;
}

/* Every change of a rule is a privileged action in the audit log; the
 * record's history keeps the versions. */
static int sod_after(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_record *rec,
		     const char *op)
{
	char object[64], details[96];

	snprintf(object, sizeof(object), "%s/%lld", r->schema.name, (long long)rec->id);
	snprintf(details, sizeof(details), "{\"op\":\"%s\",\"privileged\":true}", op);
	return mm_audit(ctx, "sod_rule_change", object, "ok", details);
}

#define SOD_WRITERS MM_ROLE_BIT(MM_ROLE_SECRETARIAT)

const struct mm_register mm_reg_sod_rules = {
	.schema = { "sod_rules", sod_fields, SOD_NFIELDS },
	.label_ja = "職務分離ルール",
	.label_en = "Separation-of-duties rules",
	.noun_ja = "職務分離ルール",
	.noun_en = "separation-of-duties rule",
	.retired_ja = "廃止",
	.retired_en = "Abolished",
	.key_field = SOD_CODE,
	.title_field = SOD_NAME,
	.owner_field = -1,
	.check = sod_check,
	.after = sod_after,
	.default_class = 1,
	.create_roles = SOD_WRITERS,
	.edit_roles = SOD_WRITERS,
	.retire_roles = SOD_WRITERS,
};

/* The active rules pairing a and b in this order. */
static int rules_of(struct mm_ctx *ctx, const char *a, const char *b, struct mm_page *page)
{
	struct mm_filter f[2] = {
		{ SOD_DUTY_A, MM_OP_EQ, { true, 0, a } },
		{ SOD_DUTY_B, MM_OP_EQ, { true, 0, b } },
	};
	struct mm_query q = { f, 2, NULL, MM_SORT_ID, false, MM_ACTIVE, 16, 0, NULL, NULL };

	return mm_rec_list(ctx->conn, &mm_reg_sod_rules.schema, &q, ctx->a, page);
}

int mm_sod_rule(struct mm_ctx *ctx, const char *a, const char *b, bool *on, const char **name)
{
	const struct pair *p = pair_of(a, b);
	struct mm_page page[2];
	bool found = false;
	int rc;

	*on = true;
	*name = p ? p->name : "";
	rc = rules_of(ctx, a, b, &page[0]);
	if (!rc)
		rc = rules_of(ctx, b, a, &page[1]);
	if (rc)
		return rc;
	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; i < page[k].n; i++) {
			const struct mm_record *rec = &page[k].recs[i];
			bool enabled = strcmp(rec->v[SOD_ENABLED].s, "yes") == 0;

			if (!found || (enabled && !*on))
				*name = rec->v[SOD_NAME].s;
			*on = found ? (*on || enabled) : enabled;
			found = true;
		}
	return MM_OK;
}

void mm_sod_ferr(struct mm_ferrs *errs, const char *field, const char *msg, const char *rule)
{
	struct mm_ferr *e;

	if (errs->n >= MM_FERR_MAX)
		return;
	e = &errs->e[errs->n++];
	memset(e, 0, sizeof(*e));
	e->field = field;
	e->label = rule;
	e->msg = msg;
}

#define IN(name, value) ((struct mm_in){ (name), MM_IN_STR, (value), strlen(value), 0 })

int mm_sod_seed(struct mm_ctx *ctx, size_t *created)
{
	int rc = MM_OK;

	for (size_t i = 0; !rc && i < NPAIRS; i++) {
		const struct pair *p = &pairs[i];
		struct mm_value key = { true, 0, p->code };
		struct mm_in it[] = { IN("code", p->code),
				      IN("name", p->name),
				      IN("duty_a", p->a),
				      IN("duty_b", p->b),
				      IN("explanation", p->explanation),
				      IN("enabled", "yes") };
		struct mm_input in = { it, sizeof(it) / sizeof(it[0]), MM_IN_CSV };
		struct mm_ferrs errs = { .n = 0 };
		struct mm_record rec;
		int64_t id;

		rc = mm_rec_find(ctx->conn, &mm_reg_sod_rules.schema, SOD_CODE, &key, 0, &id);
		if (rc == MM_OK)
			continue;
		if (rc != MM_ENOTFOUND)
			return rc;
		rc = mm_reg_create(&mm_reg_sod_rules, ctx, &in, &errs, &rec);
		if (!rc && created)
			(*created)++;
	}
	return rc;
}
