/* The JSON of the risk assessment report and the treatment plan (3.3):
 * the same selection, order and counts as their pages, so a script gets
 * what the printed page shows. Unknown or malformed parameters are
 * refused with 400 and the fields at fault. */
#include "web/risk_web.h"

#include "core/err.h"
#include "core/json.h"
#include "domain/registers.h"
#include "domain/risk_regs.h"

#include <string.h>

#define RF(i) (&mm_reg_risks.schema.fields[i])

static void str_or_null(struct mm_json *j, const char *key, const struct mm_value *v)
{
	mm_json_key(j, key);
	if (v->set)
		mm_json_str(j, v->s);
	else
		mm_json_null(j);
}

static void int_kv(struct mm_json *j, const char *key, int64_t v)
{
	mm_json_key(j, key);
	mm_json_int(j, v);
}

static void str_kv(struct mm_json *j, const char *key, const char *v)
{
	mm_json_key(j, key);
	mm_json_str(j, v ? v : "");
}

/* A reference as its id and display text (null when unset). */
static void ref_kv(struct mm_json *j, struct mm_ctx *ctx, const char *key, const char *text_key,
		   const struct mm_register *r, const struct mm_value *v)
{
	mm_json_key(j, key);
	if (v->set)
		mm_json_int(j, v->i);
	else
		mm_json_null(j);
	mm_json_key(j, text_key);
	if (v->set)
		mm_json_str(j, mm_reg_display(r, ctx, v->i));
	else
		mm_json_null(j);
}

/* Opens the store and reads the selection, or answers 400 (or the store's
 * error) and returns false with ctx closed. */
static bool begin(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs, struct mm_ctx *ctx,
		  bool plan, struct mm_risk_sel *sel)
{
	struct mm_ferrs errs;
	int rc = mm_ctx_open(w, rq, ctx);

	if (!rc)
		rc = mm_risk_sel_read(rq, ctx, plan, sel, &errs);
	if (rc == MM_EINVAL)
		mm_resp_json_error(rs, rq->lang, 400, "bad_query", &errs);
	else if (rc)
		mm_resp_status_for(rs, rq->lang, rc);
	if (rc)
		mm_ctx_close(w, ctx);
	return rc == MM_OK;
}

/* The method, threshold and bands in force, each band with its count. */
static void settings_json(struct mm_json *j, struct mm_ctx *ctx, const int64_t *counts)
{
	size_t n;
	const struct mm_risk_band *b = mm_risk_bands(&mm_risk_settings, &n);

	str_kv(j, "method", mm_risk_settings.method == MM_RISK_IPA ? "ipa" : "jipdec");
	str_kv(j, "method_text", mm_risk_method_text(ctx->lang));
	int_kv(j, "accept_at", mm_risk_accept_at(&mm_risk_settings));
	mm_json_key(j, "bands");
	mm_json_arr_open(j);
	for (size_t i = 0; i < n; i++) {
		mm_json_obj_open(j);
		str_kv(j, "band", b[i].ja);
		str_kv(j, "label", MM_L(ctx->lang, b[i].ja, b[i].en));
		int_kv(j, "from", b[i].from);
		str_kv(j, "range", mm_risk_band_range(ctx, i));
		int_kv(j, "count", counts[i]);
		mm_json_obj_close(j);
	}
	mm_json_arr_close(j);
}

static void report_item(struct mm_json *j, struct mm_ctx *ctx, const struct mm_risk_names *nm,
			const struct mm_record *rec)
{
	const struct mm_value *v = rec->v;

	mm_json_obj_open(j);
	int_kv(j, "id", rec->id);
	str_kv(j, "code", v[RSK_CODE].s);
	str_or_null(j, "name", &v[RSK_NAME]);
	ref_kv(j, ctx, "asset_id", "asset", &mm_reg_assets, &v[RSK_ASSET]);
	str_or_null(j, "asset_group", &v[RSK_GROUP]);
	int_kv(j, "threat_id", v[RSK_THREAT].i);
	str_kv(j, "threat", mm_risk_threat_name(ctx, nm, v[RSK_THREAT].i));
	int_kv(j, "vulnerability_id", v[RSK_VULN].i);
	str_kv(j, "vulnerability", mm_risk_vuln_name(ctx, nm, v[RSK_VULN].i));
	int_kv(j, "threat_level", v[RSK_T].i);
	str_kv(j, "threat_criterion", mm_risk_threat_criterion(v[RSK_T].i, ctx->lang));
	int_kv(j, "vulnerability_level", v[RSK_V].i);
	str_kv(j, "vulnerability_criterion", mm_risk_vuln_criterion(v[RSK_V].i, ctx->lang));
	int_kv(j, "asset_value", v[RSK_VALUE].i);
	int_kv(j, "risk_value", v[RSK_RISK].i);
	str_or_null(j, "band", &v[RSK_BAND]);
	str_kv(j, "band_label", mm_risk_band_label(v[RSK_BAND].s, ctx->lang));
	str_or_null(j, "treatment", &v[RSK_TREATMENT]);
	str_kv(j, "treatment_label",
	       mm_option_label(RF(RSK_TREATMENT), v[RSK_TREATMENT].s, ctx->lang));
	int_kv(j, "residual_value", v[RSK_RESIDUAL].i);
	str_kv(j, "residual_band_label", mm_risk_band_label(v[RSK_RBAND].s, ctx->lang));
	str_or_null(j, "state", &v[RSK_STATE]);
	ref_kv(j, ctx, "owner_id", "owner", &mm_reg_people, &v[RSK_OWNER]);
	ref_kv(j, ctx, "section_id", "section", &mm_reg_sections, &v[RSK_SECTION]);
	mm_json_obj_close(j);
}

void mm_api_risk_report(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_risk_report r;
	struct mm_risk_names nm;
	struct mm_risk_sel sel;
	struct mm_ctx ctx;
	struct mm_json j;
	int rc;

	if (!begin(w, rq, rs, &ctx, false, &sel))
		return;
	rc = mm_risk_report(&ctx, &sel, &r);
	if (!rc)
		rc = mm_risk_names_load(&ctx, &nm);
	if (!mm_resp_json_begin(rq, rs, rc, NULL, &j)) {
		mm_ctx_close(w, &ctx);
		return;
	}
	mm_json_obj_open(&j);
	str_kv(&j, "organisation", mm_risk_settings.organisation);
	int_kv(&j, "fiscal_year", r.fiscal_year);
	str_kv(&j, "date", r.today);
	settings_json(&j, &ctx, r.by_band);
	int_kv(&j, "total", r.total);
	int_kv(&j, "awaiting_acceptance", r.awaiting);
	mm_json_key(&j, "truncated");
	mm_json_bool(&j, r.truncated);
	mm_json_key(&j, "items");
	mm_json_arr_open(&j);
	for (size_t i = 0; i < r.n; i++)
		report_item(&j, &ctx, &nm, &r.recs[i]);
	mm_json_arr_close(&j);
	mm_json_obj_close(&j);
	mm_ctx_close(w, &ctx);
}

static void plan_item(struct mm_json *j, struct mm_ctx *ctx, const struct mm_risk_plan *p, size_t i)
{
	const struct mm_record *rec = &p->recs[i];
	const struct mm_value *v = rec->v;
	const char *st = v[RSK_MSTATUS].set ? v[RSK_MSTATUS].s : "planned";

	mm_json_obj_open(j);
	int_kv(j, "id", rec->id);
	str_kv(j, "code", v[RSK_CODE].s);
	str_or_null(j, "name", &v[RSK_NAME]);
	str_or_null(j, "measures", &v[RSK_MEASURES]);
	str_or_null(j, "measure_due", &v[RSK_DUE]);
	ref_kv(j, ctx, "measure_by", "measure_by_name", &mm_reg_people, &v[RSK_MEASURE_BY]);
	str_or_null(j, "clause", &v[RSK_CLAUSE]);
	str_kv(j, "measure_status", st);
	str_kv(j, "measure_status_label", mm_option_label(RF(RSK_MSTATUS), st, ctx->lang));
	mm_json_key(j, "overdue");
	mm_json_bool(j, p->overdue[i]);
	int_kv(j, "days_overdue", p->days_late[i]);
	str_or_null(j, "treatment", &v[RSK_TREATMENT]);
	int_kv(j, "risk_value", v[RSK_RISK].i);
	int_kv(j, "residual_value", v[RSK_RESIDUAL].i);
	ref_kv(j, ctx, "section_id", "section", &mm_reg_sections, &v[RSK_SECTION]);
	mm_json_obj_close(j);
}

void mm_api_risk_plan(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_risk_plan p;
	struct mm_risk_sel sel;
	struct mm_ctx ctx;
	struct mm_json j;
	int rc;

	if (!begin(w, rq, rs, &ctx, true, &sel))
		return;
	rc = mm_risk_plan(&ctx, &sel, &p);
	if (!mm_resp_json_begin(rq, rs, rc, NULL, &j)) {
		mm_ctx_close(w, &ctx);
		return;
	}
	mm_json_obj_open(&j);
	str_kv(&j, "date", p.today);
	int_kv(&j, "total", (int64_t)p.n);
	int_kv(&j, "overdue", p.noverdue);
	mm_json_key(&j, "truncated");
	mm_json_bool(&j, p.truncated);
	mm_json_key(&j, "items");
	mm_json_arr_open(&j);
	for (size_t i = 0; i < p.n; i++)
		plan_item(&j, &ctx, &p, i);
	mm_json_arr_close(&j);
	mm_json_obj_close(&j);
	mm_ctx_close(w, &ctx);
}
