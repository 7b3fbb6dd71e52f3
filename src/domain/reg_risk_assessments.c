/* Yearly risk assessments (年度): taking one freezes a copy of every active
 * risk (its fields as JSON, with its values, classification and section
 * alongside) in the same transaction. Nobody edits or retires either; a
 * copy is read under the same rules as the risk it copies. */
#include "domain/risk.h"
#include "domain/risk_regs.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "domain/principal.h"
#include "domain/registers.h"

#include <stdio.h>
#include <string.h>

static const struct mm_field ra_fields[] = {
	[RA_CODE] = { "code", "評価番号", "Assessment no.", MM_FT_TEXT,
		      MM_F_UNIQUE | MM_F_AUTO | MM_F_LIST | MM_F_SORT, 0, 20 },
	[RA_NAME] = { "name", "名称", "Name", MM_FT_TEXT, MM_F_DERIVED | MM_F_LIST, 0, 100 },
	[RA_YEAR] = { "fiscal_year", "年度", "Fiscal year", MM_FT_INT,
		      MM_F_REQUIRED | MM_F_UNIQUE | MM_F_LIST | MM_F_SORT | MM_F_FILTER, 2000,
		      2200 },
	[RA_DATE] = { "taken_on", "基準日", "Taken on", MM_FT_DATE,
		      MM_F_DERIVED | MM_F_LIST | MM_F_SORT },
	[RA_NOTE] = { "note", "備考", "Note", MM_FT_TEXT, MM_F_MULTILINE | MM_F_SEARCH, 0, 2000 },
	[RA_COUNT] = { "risk_count", "リスク数", "Risks", MM_FT_INT, MM_F_DERIVED | MM_F_LIST, 0,
		       100000000 },
};

/* Not const: the band's choices follow [risk] bands. */
static struct mm_field rsi_fields[] = {
	[RSI_ASSESSMENT] = { "assessment_id", "年度評価", "Assessment", MM_FT_REF,
			     MM_F_REQUIRED | MM_F_LIST | MM_F_FILTER, 0, 0, NULL, 0,
			     "risk_assessments" },
	[RSI_RISK_CODE] = { "risk_code", "リスク番号", "Risk no.", MM_FT_TEXT,
			    MM_F_REQUIRED | MM_F_LIST | MM_F_FILTER | MM_F_SORT | MM_F_SEARCH, 0,
			    20 },
	[RSI_TITLE] = { "name", "リスク", "Risk", MM_FT_TEXT, MM_F_LIST | MM_F_SEARCH, 0, 500 },
	[RSI_RISK] = { "risk_value", "リスク値", "Risk value", MM_FT_INT,
		       MM_F_LIST | MM_F_SORT | MM_F_FILTER, 0, 90 },
	[RSI_RESIDUAL] = { "residual_value", "残留リスク値", "Residual risk value", MM_FT_INT,
			   MM_F_LIST | MM_F_SORT | MM_F_FILTER, 0, 90 },
	[RSI_BAND] = { "band", "リスクレベル", "Risk level", MM_FT_ENUM, MM_F_LIST | MM_F_FILTER, 0,
		       0, mm_risk_band_opts, 3 },
	[RSI_CLASS] = { "confidentiality", "機密性", "Confidentiality", MM_FT_INT,
			MM_F_LEVEL | MM_F_FILTER, 1, 4 },
	[RSI_SECTION] = { "section_id", "所管課", "Owning section", MM_FT_REF, MM_F_FILTER, 0, 0,
			  NULL, 0, "sections" },
	[RSI_DATA] = { "data", "記録（JSON）", "Record (JSON)", MM_FT_TEXT, MM_F_MULTILINE, 0,
		       100000 },
};

void mm_risk_snapshot_bands_sync(void)
{
	rsi_fields[RSI_BAND].nopts = mm_risk_band_nopts;
}

/* The count of active risks, and today's date, for a new assessment. */
static int ra_derive(const struct mm_register *r, struct mm_ctx *ctx, struct mm_record *rec,
		     struct mm_ferrs *errs)
{
	struct mm_query q = { NULL, 0, NULL, MM_SORT_ID, false, MM_ACTIVE, 0, 0, NULL, NULL };
	struct mm_page page;
	char today[11], name[64];
	int rc;

	(void)r;
	(void)errs;
	if (rec->v[RA_DATE].set)
		return MM_OK;
	snprintf(name, sizeof(name), "%lld年度 リスク評価", (long long)rec->v[RA_YEAR].i);
	rec->v[RA_NAME] = (struct mm_value){ true, 0, mm_arena_strdup(ctx->a, name) };
	rc = mm_rec_list(ctx->conn, &mm_reg_risks.schema, &q, ctx->a, &page);
	if (rc)
		return rc;
	mm_ctx_today(ctx, today);
	rec->v[RA_DATE] = (struct mm_value){ true, 0, mm_arena_strdup(ctx->a, today) };
	rec->v[RA_COUNT] = (struct mm_value){ true, page.total, NULL };
	return rec->v[RA_DATE].s && rec->v[RA_NAME].s ? MM_OK : MM_ENOMEM;
}

/* The risk's fields as a JSON object, in ctx's arena. */
static const char *risk_json(struct mm_ctx *ctx, const struct mm_record *rec)
{
	const struct mm_schema *s = &mm_reg_risks.schema;
	struct mm_buf b;
	struct mm_json j;
	const char *out;

	mm_buf_init(&b, 100000);
	mm_json_init(&j, &b);
	mm_json_obj_open(&j);
	mm_json_key(&j, "id");
	mm_json_int(&j, rec->id);
	mm_json_key(&j, "version");
	mm_json_int(&j, rec->version);
	for (size_t i = 0; i < s->nfields; i++) {
		const struct mm_field *f = &s->fields[i];
		mm_json_key(&j, f->name);
		if (!rec->v[i].set)
			mm_json_null(&j);
		else if (f->type == MM_FT_INT || f->type == MM_FT_REF)
			mm_json_int(&j, rec->v[i].i);
		else
			mm_json_str(&j, rec->v[i].s);
	}
	mm_json_obj_close(&j);
	out = b.err ? NULL : mm_arena_strndup(ctx->a, b.data, b.len);
	mm_buf_free(&b);
	return out;
}

#define INT_IN(n, v) ((struct mm_in){ (n), MM_IN_INT, NULL, 0, (v) })
#define STR_IN(n, v) ((struct mm_in){ (n), MM_IN_STR, (v), strlen(v), 0 })

static int copy_one(struct mm_ctx *ctx, int64_t assessment, const struct mm_record *risk)
{
	const struct mm_value *v = risk->v;
	const char *data = risk_json(ctx, risk);
	struct mm_in it[9];
	size_t n = 0;
	struct mm_ferrs errs;
	struct mm_record out;

	if (!data)
		return MM_ENOMEM;
	it[n++] = INT_IN("assessment_id", assessment);
	it[n++] = STR_IN("risk_code", v[RSK_CODE].s);
	it[n++] = STR_IN("name", v[RSK_NAME].set ? v[RSK_NAME].s : "");
	it[n++] = INT_IN("risk_value", v[RSK_RISK].i);
	it[n++] = INT_IN("residual_value", v[RSK_RESIDUAL].i);
	it[n++] = STR_IN("band", v[RSK_BAND].set ? v[RSK_BAND].s : "");
	it[n++] = INT_IN("confidentiality", v[RSK_CLASS].set ? v[RSK_CLASS].i : 4);
	it[n++] = INT_IN("section_id", v[RSK_SECTION].i);
	it[n++] = STR_IN("data", data);
	struct mm_input in = { it, n, MM_IN_JSON };

	return mm_reg_create(&mm_reg_risk_snapshot, ctx, &in, &errs, &out);
}

/* Copies every active risk into the new assessment, on the assessment's
 * behalf: the copy is of the whole register, whoever takes it. */
static int ra_after(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_record *rec,
		    const char *op)
{
	const struct mm_principal *who = ctx->who;
	bool in_tx = ctx->in_tx;
	size_t offset = 0;
	int rc = MM_OK;

	(void)r;
	if (strcmp(op, "create") != 0)
		return MM_OK;
	ctx->who = NULL;
	ctx->in_tx = true;
	for (;;) {
		struct mm_query q = { NULL,	 0,   NULL,   MM_SORT_ID, false,
				      MM_ACTIVE, 200, offset, NULL,	  NULL };
		struct mm_page page;

		rc = mm_rec_list(ctx->conn, &mm_reg_risks.schema, &q, ctx->a, &page);
		for (size_t i = 0; !rc && i < page.n; i++)
			rc = copy_one(ctx, rec->id, &page.recs[i]);
		if (rc || page.n < 200)
			break;
		offset += page.n;
	}
	ctx->who = who;
	ctx->in_tx = in_tx;
	return rc;
}

#define SECRETARIAT MM_ROLE_BIT(MM_ROLE_SECRETARIAT)

const struct mm_register mm_reg_risk_assessments = {
	.schema = { "risk_assessments", ra_fields, RA_NFIELDS },
	.label_ja = "年度リスク評価",
	.label_en = "Yearly risk assessments",
	.noun_ja = "年度リスク評価",
	.noun_en = "yearly assessment",
	.retired_ja = "無効",
	.retired_en = "Void",
	.key_field = RA_CODE,
	.key_prefix = "RA-",
	.title_field = RA_NAME,
	.owner_field = -1,
	.class_field = -1,
	.derive_ctx = ra_derive,
	.after = ra_after,
	.default_class = 2,
	/* Taken by 事務局, kept read-only. */
	.create_roles = SECRETARIAT,
	.edit_roles = 0,
	.retire_roles = 0,
	NULL,
};

const struct mm_register mm_reg_risk_snapshot = {
	.schema = { "risk_snapshot", rsi_fields, RSI_NFIELDS },
	.label_ja = "年度評価のリスク",
	.label_en = "Risks of yearly assessments",
	.noun_ja = "年度評価のリスク",
	.noun_en = "assessed risk",
	.retired_ja = "無効",
	.retired_en = "Void",
	.key_field = -1,
	.title_field = RSI_TITLE,
	.owner_field = RSI_SECTION,
	.class_field = RSI_CLASS,
	/* Written only by taking an assessment. */
	.create_roles = 0,
	.edit_roles = 0,
	.retire_roles = 0,
};
