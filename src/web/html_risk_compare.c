/* The comparison of two yearly risk assessments (年度), as a page and as
 * JSON: risks new in the later year, removed from it, and those whose
 * value rose or fell, each counted and linked. Both read the frozen
 * copies through the reader's access filter, as `mamori risk compare`
 * does, so a staff member compares only the risks they may read. */
#include "web/html.h"
#include "web/risk_web.h"

#include "core/err.h"
#include "core/json.h"
#include "domain/registers.h"
#include "domain/risk_regs.h"

#include <string.h>

struct part {
	const char *id, *ja, *en;
	const struct mm_risk_delta *d;
	size_t n;
};

static void parts(const struct mm_risk_compare *c, struct part p[4])
{
	p[0] = (struct part){ "new", "新規", "New", c->added, c->nadded };
	p[1] = (struct part){ "removed", "削除", "Removed", c->removed, c->nremoved };
	p[2] = (struct part){ "raised", "上昇", "Raised", c->raised, c->nraised };
	p[3] = (struct part){ "lowered", "低下", "Lowered", c->lowered, c->nlowered };
}

/* The years that have an assessment, latest first, into ys (up to max). */
static size_t years(struct mm_ctx *ctx, int64_t *ys, size_t max)
{
	struct mm_query q = { NULL, 0, NULL, RA_YEAR, true, MM_ACTIVE, max, 0, NULL, NULL };
	struct mm_page page = { .n = 0 };

	if (mm_reg_list(&mm_reg_risk_assessments, ctx, &q, &page))
		return 0;
	for (size_t i = 0; i < page.n; i++)
		ys[i] = page.recs[i].v[RA_YEAR].i;
	return page.n;
}

static void year_select(struct mm_html *h, const char *name, const char *label, const int64_t *ys,
			size_t n, int64_t sel)
{
	mm_html_f(h,
		  "<div class=\"ff\"><label for=\"f-%r\">%s</label>\n<select id=\"f-%r\" "
		  "name=\"%r\">\n",
		  name, label, name, name);
	for (size_t i = 0; i < n; i++)
		mm_html_f(h, "<option value=\"%D\"%r>%D%s</option>\n", ys[i],
			  ys[i] == sel ? " selected" : "", ys[i], MM_L(h->lang, "年度", ""));
	mm_html_f(h, "</select></div>\n");
}

static void form(struct mm_html *h, int64_t from, int64_t to)
{
	int64_t ys[50];
	size_t n = years(h->ctx, ys, 50);

	if (!from && n)
		from = n > 1 ? ys[1] : ys[0];
	if (!to && n)
		to = ys[0];
	mm_html_f(h, "<form class=\"filters no-print\" method=\"get\" "
		     "action=\"/risk_assessments/compare\">\n<div class=\"search-row\">\n");
	year_select(h, "from", MM_L(h->lang, "比較元の年度", "From"), ys, n, from);
	year_select(h, "to", MM_L(h->lang, "比較先の年度", "To"), ys, n, to);
	mm_html_f(h,
		  "<div class=\"ff actions\"><button type=\"submit\" class=\"btn "
		  "btn-primary\">%s</button></div>\n</div>\n",
		  MM_L(h->lang, "比較する", "Compare"));
	if (!n)
		mm_html_f(h, "<p class=\"note\">%s <a href=\"/risk_assessments\">%s</a></p>\n",
			  MM_L(h->lang, "年度リスク評価がまだありません。",
			       "No yearly assessment has been taken yet."),
			  MM_L(h->lang, "年度リスク評価へ", "Yearly assessments"));
	mm_html_f(h, "</form>\n");
}

static void part_table(struct mm_html *h, const struct part *p, int64_t from, int64_t to)
{
	mm_html_f(h,
		  "<section id=\"%r\"><h2>%s <span class=\"count\">%N %s</span></h2>\n"
		  "<div class=\"table-wrap\"><table class=\"grid\"><thead><tr><th "
		  "scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%D%s</th><th "
		  "scope=\"col\">%D%s</th></tr></thead>\n<tbody>\n",
		  p->id, MM_L(h->lang, p->ja, p->en), (int64_t)p->n, MM_L(h->lang, "件", ""),
		  MM_L(h->lang, "リスク番号", "Risk no."), MM_L(h->lang, "リスク", "Risk"), from,
		  MM_L(h->lang, "年度の値", " value"), to, MM_L(h->lang, "年度の値", " value"));
	for (size_t i = 0; i < p->n; i++) {
		const struct mm_risk_delta *d = &p->d[i];
		mm_html_f(h,
			  "<tr><td class=\"key\"><a href=\"/risks?status=all&amp;q=%U\">%s</a></td>"
			  "<td>%s</td><td class=\"num\">%r</td><td class=\"num\">%r</td></tr>\n",
			  d->code, d->code, d->name,
			  d->before ? mm_html_str(h->rq, "%lld", (long long)d->before) : "—",
			  d->after ? mm_html_str(h->rq, "%lld", (long long)d->after) : "—");
	}
	if (!p->n)
		mm_html_f(h, "<tr><td class=\"empty\" colspan=\"4\">%s</td></tr>\n",
			  MM_L(h->lang, "ありません。", "None."));
	mm_html_f(h, "</tbody></table></div></section>\n");
}

static void result(struct mm_html *h, const struct mm_risk_compare *c, int64_t from, int64_t to)
{
	struct part p[4];

	parts(c, p);
	mm_html_f(h,
		  "<p class=\"print-only\">%D → %D</p>\n<table class=\"grid summary\" "
		  "id=\"compare-counts\"><thead><tr><th scope=\"col\">%s</th><th "
		  "scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
		  from, to, MM_L(h->lang, "区分", "Change"), MM_L(h->lang, "件数", "Risks"));
	for (size_t i = 0; i < 4; i++)
		mm_html_f(h,
			  "<tr><th scope=\"row\"><a href=\"#%r\">%s</a></th><td class=\"num\" "
			  "data-part=\"%r\">%N</td></tr>\n",
			  p[i].id, MM_L(h->lang, p[i].ja, p[i].en), p[i].id, (int64_t)p[i].n);
	mm_html_f(h, "</tbody></table>\n");
	for (size_t i = 0; i < 4; i++)
		part_table(h, &p[i], from, to);
}

void mm_html_risk_compare(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_risk_compare c;
	struct mm_ferrs errs;
	struct mm_ctx ctx;
	struct mm_html h;
	const char *title;
	int64_t from, to;
	bool given;
	int rc;

	rq->reg = &mm_reg_risk_assessments;
	rc = mm_ctx_open(w, rq, &ctx);
	if (!rc)
		rc = mm_risk_years_read(rq, &from, &to, &given, &errs);
	if (!rc && given)
		rc = mm_risk_compare_years(&ctx, from, to, &c);
	if (rc) {
		if (rc == MM_EINVAL)
			mm_html_error_text(rq, rs, 400, mm_risk_ferrs_text(&ctx, &errs));
		else if (rc == MM_ENOTFOUND)
			mm_html_error(rq, rs, 404, "risk_no_year");
		else
			mm_html_fail(rq, rs, rc);
		mm_ctx_close(w, &ctx);
		return;
	}
	mm_html_init(&h, rq, rs, &ctx);
	title = MM_L(h.lang, "年度リスク評価の比較", "Comparing yearly assessments");
	mm_html_begin(&h, title);
	mm_html_f(&h, "<h1>%s</h1>\n", title);
	mm_html_related(&h, "risks");
	mm_html_f(
		&h, "<p class=\"note\">%s</p>\n",
		MM_L(h.lang,
		     "二つの年度の評価時点のリスク台帳を比べ、新規・削除・リスク値の上昇・低下を示"
		     "します。閲覧できるリスクだけを比べます。",
		     "Compares the register as frozen in two yearly assessments: new, removed, "
		     "raised and lowered risks, among those you may read."));
	form(&h, from, to);
	if (given)
		result(&h, &c, from, to);
	mm_html_end(&h);
	mm_ctx_close(w, &ctx);
	if (rs->body.err)
		mm_html_fail(rq, rs, rs->body.err);
}

static void deltas_json(struct mm_json *j, const struct part *p)
{
	mm_json_key(j, p->id);
	mm_json_arr_open(j);
	for (size_t i = 0; i < p->n; i++) {
		mm_json_obj_open(j);
		mm_json_key(j, "code");
		mm_json_str(j, p->d[i].code);
		mm_json_key(j, "name");
		mm_json_str(j, p->d[i].name);
		mm_json_key(j, "before");
		if (p->d[i].before)
			mm_json_int(j, p->d[i].before);
		else
			mm_json_null(j);
		mm_json_key(j, "after");
		if (p->d[i].after)
			mm_json_int(j, p->d[i].after);
		else
			mm_json_null(j);
		mm_json_obj_close(j);
	}
	mm_json_arr_close(j);
}

void mm_api_risk_compare(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_risk_compare c;
	struct mm_ferrs errs;
	struct mm_ctx ctx;
	struct mm_json j;
	struct part p[4];
	int64_t from, to;
	bool given;
	int rc = mm_risk_years_read(rq, &from, &to, &given, &errs);

	if (!rc && !given) {
		errs.n = 0;
		mm_ferr_add(&errs, NULL, "from", "risk_bad_year", rq->lang);
		mm_ferr_add(&errs, NULL, "to", "risk_bad_year", rq->lang);
		rc = MM_EINVAL;
	}
	if (rc) {
		mm_resp_json_error(rs, rq->lang, 400, "bad_query", &errs);
		return;
	}
	rc = mm_ctx_open(w, rq, &ctx);
	if (!rc)
		rc = mm_risk_compare_years(&ctx, from, to, &c);
	mm_ctx_close(w, &ctx);
	if (rc == MM_ENOTFOUND) {
		mm_resp_json_error(rs, rq->lang, 404, "risk_no_year", NULL);
		return;
	}
	if (rc) {
		mm_resp_status_for(rs, rq->lang, rc);
		return;
	}
	parts(&c, p);
	rs->content_type = "application/json; charset=utf-8";
	mm_json_init(&j, &rs->body);
	mm_json_obj_open(&j);
	mm_json_key(&j, "from");
	mm_json_int(&j, from);
	mm_json_key(&j, "to");
	mm_json_int(&j, to);
	mm_json_key(&j, "counts");
	mm_json_obj_open(&j);
	for (size_t i = 0; i < 4; i++) {
		mm_json_key(&j, p[i].id);
		mm_json_int(&j, (int64_t)p[i].n);
	}
	mm_json_obj_close(&j);
	for (size_t i = 0; i < 4; i++)
		deltas_json(&j, &p[i]);
	mm_json_obj_close(&j);
}
