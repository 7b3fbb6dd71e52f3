/* Parameters, catalogue names and the method in words for the risk
 * report, plan and comparison (see risk_web.h). */
#include "web/risk_web.h"

#include "core/err.h"
#include "core/slice.h"
#include "domain/registers.h"
#include "domain/risk_regs.h"

#include <stdarg.h>
#include <string.h>

/* Formats into the arena (printf rules); "" when out of memory. */
static const char *aprintf(struct mm_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static const char *aprintf(struct mm_arena *a, const char *fmt, ...)
{
	struct mm_buf b;
	va_list ap;
	const char *out;

	mm_buf_init(&b, 4096);
	va_start(ap, fmt);
	mm_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	out = b.err ? NULL : mm_arena_strndup(a, b.data, b.len);
	mm_buf_free(&b);
	return out ? out : "";
}

/* A positive id in text, naming an active record of r; false otherwise. */
static int id_param(struct mm_ctx *ctx, const struct mm_register *r, const char *text, int64_t *out,
		    bool *ok)
{
	*ok = mm_slice_to_i64(mm_slice_trim(mm_slice_cstr(text)), out) && *out > 0;
	if (*ok)
		*ok = *mm_reg_display(r, ctx, *out) != '\0';
	return MM_OK;
}

static bool flag_param(const char *v, bool *out)
{
	static const char *const yes[] = { "1", "yes", "true", "on" };
	static const char *const no[] = { "", "0", "no", "false", "off" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (strcmp(v, yes[i]) == 0)
			return (*out = true);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (strcmp(v, no[i]) == 0)
			return !(*out = false);
	return false;
}

int mm_risk_sel_read(struct mm_req *rq, struct mm_ctx *ctx, bool plan, struct mm_risk_sel *sel,
		     struct mm_ferrs *errs)
{
	const struct mm_field *fs = mm_reg_risks.schema.fields;

	memset(sel, 0, sizeof(*sel));
	errs->n = 0;
	for (size_t i = 0; i < rq->nquery; i++) {
		const struct mm_param *p = &rq->query[i];
		const char *v = p->value ? p->value : "";
		bool ok = true;

		if (strcmp(p->name, "lang") == 0)
			continue;
		if (strcmp(p->name, "section_id") == 0 && *v)
			id_param(ctx, &mm_reg_sections, v, &sel->section_id, &ok);
		else if (plan && strcmp(p->name, "measure_by") == 0 && *v)
			id_param(ctx, &mm_reg_people, v, &sel->measure_by, &ok);
		else if (plan && strcmp(p->name, "overdue") == 0)
			ok = flag_param(v, &sel->overdue_only);
		else if (strcmp(p->name, "section_id") != 0 &&
			 !(plan && strcmp(p->name, "measure_by") == 0)) {
			mm_ferr_add(errs, NULL, p->name, "unknown_field", rq->lang);
			continue;
		}
		if (!ok)
			mm_ferr_add(errs,
				    strcmp(p->name, "section_id") == 0	 ? &fs[RSK_SECTION]
				    : strcmp(p->name, "measure_by") == 0 ? &fs[RSK_MEASURE_BY]
									 : NULL,
				    p->name, "bad_query", rq->lang);
	}
	return errs->n ? MM_EINVAL : MM_OK;
}

static bool year_param(const char *v, int64_t *out)
{
	return v && mm_slice_to_i64(mm_slice_trim(mm_slice_cstr(v)), out) && *out >= 2000 &&
	       *out <= 2200;
}

int mm_risk_years_read(struct mm_req *rq, int64_t *from, int64_t *to, bool *given,
		       struct mm_ferrs *errs)
{
	const char *f = mm_param_get(rq->query, rq->nquery, "from");
	const char *t = mm_param_get(rq->query, rq->nquery, "to");

	errs->n = 0;
	*from = *to = 0;
	*given = (f && *f) || (t && *t);
	for (size_t i = 0; i < rq->nquery; i++) {
		const char *n = rq->query[i].name;
		if (strcmp(n, "from") != 0 && strcmp(n, "to") != 0 && strcmp(n, "lang") != 0)
			mm_ferr_add(errs, NULL, n, "unknown_field", rq->lang);
	}
	if (*given && !year_param(f, from))
		mm_ferr_add(errs, NULL, "from", "risk_bad_year", rq->lang);
	if (*given && !year_param(t, to))
		mm_ferr_add(errs, NULL, "to", "risk_bad_year", rq->lang);
	return errs->n ? MM_EINVAL : MM_OK;
}

int mm_risk_names_load(struct mm_ctx *ctx, struct mm_risk_names *n)
{
	struct mm_query q = {
		NULL, 0, NULL, MM_SORT_ID, false, MM_ANY_STATUS, 1000, 0, NULL, NULL
	};
	int rc = mm_reg_list(&mm_reg_threats, ctx, &q, &n->threats);

	n->lang = ctx->lang;
	if (!rc)
		rc = mm_reg_list(&mm_reg_vulnerabilities, ctx, &q, &n->vulns);
	return rc;
}

static const char *name_of(struct mm_ctx *ctx, const struct mm_page *p, int64_t id, int code,
			   int ja, int en, enum mm_lang lang)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct mm_value *v = p->recs[i].v;
		const char *name;
		if (p->recs[i].id != id)
			continue;
		name = lang == MM_EN && v[en].set && *v[en].s ? v[en].s : v[ja].s;
		return aprintf(ctx->a, "%s %s", v[code].set ? v[code].s : "", name ? name : "");
	}
	return "";
}

const char *mm_risk_threat_name(struct mm_ctx *ctx, const struct mm_risk_names *n, int64_t id)
{
	return name_of(ctx, &n->threats, id, THR_CODE, THR_NAME, THR_NAME_EN, n->lang);
}

const char *mm_risk_vuln_name(struct mm_ctx *ctx, const struct mm_risk_names *n, int64_t id)
{
	return name_of(ctx, &n->vulns, id, VUL_CODE, VUL_NAME, VUL_NAME_EN, n->lang);
}

const char *mm_risk_method_text(enum mm_lang lang)
{
	if (mm_risk_settings.method == MM_RISK_IPA)
		return MM_L(lang, "IPA 方式（リスク値 = 重要度 × 被害発生可能性）",
			    "IPA method (risk value = importance × likelihood of damage)");
	return MM_L(lang, "JIPDEC 方式（リスク値 = 資産価値 × 脅威 × 脆弱性）",
		    "JIPDEC method (risk value = asset value × threat × vulnerability)");
}

const char *mm_risk_band_range(struct mm_ctx *ctx, size_t i)
{
	size_t n;
	const struct mm_risk_band *b = mm_risk_bands(&mm_risk_settings, &n);

	if (i >= n)
		return "";
	if (i + 1 == n)
		return aprintf(ctx->a, "%lld%s", (long long)b[i].from,
			       MM_L(ctx->lang, " 以上", " and above"));
	if (b[i + 1].from - 1 == b[i].from)
		return aprintf(ctx->a, "%lld", (long long)b[i].from);
	return aprintf(ctx->a, "%lld–%lld", (long long)b[i].from, (long long)(b[i + 1].from - 1));
}

const char *mm_risk_ferrs_text(struct mm_ctx *ctx, const struct mm_ferrs *errs)
{
	struct mm_buf b;
	const char *out;

	mm_buf_init(&b, 8192);
	for (size_t i = 0; i < errs->n; i++) {
		if (i)
			mm_buf_addc(&b, ' ');
		const char *label = errs->e[i].label ? errs->e[i].label : errs->e[i].field;
		if (strcmp(errs->e[i].msg, "unknown_field") != 0)
			mm_buf_printf(&b, "%s: ", label);
		mm_msg_format(&b, ctx->lang, errs->e[i].msg, label, errs->e[i].min, errs->e[i].max);
	}
	out = b.err ? NULL : mm_arena_strndup(ctx->a, b.data, b.len);
	mm_buf_free(&b);
	return out ? out : "";
}
