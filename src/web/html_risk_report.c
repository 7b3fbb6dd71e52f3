/* The printable pages of risk assessment (3.3): the リスク評価書 (every
 * risk the reader may see, highest value first, with the method, the
 * bands, counts by band and a box for the seals of 決裁) and the リスク
 * 対応計画 (planned measures by due date, overdue ones marked in words as
 * well as by colour). Both print on A4 through the print stylesheet and
 * take the section filter the risk list takes; the plan also a person and
 * "overdue only". */
#include "web/html.h"
#include "web/risk_web.h"

#include "core/datetime.h"
#include "core/err.h"
#include "domain/registers.h"
#include "domain/risk_regs.h"

#include <string.h>

#define RF(i) (&mm_reg_risks.schema.fields[i])

/* The date as "2025-06-01（令和7年6月1日）", or in English as it is. */
static const char *date_text(struct mm_html *h, const char *iso)
{
	struct mm_date d;
	char w[MM_WAREKI_MAX];

	if (h->lang == MM_EN || mm_date_parse(mm_slice_cstr(iso), &d) ||
	    mm_date_wareki(d, false, w, sizeof(w)))
		return iso;
	return mm_html_str(h->rq, "%s（%s）", iso, w);
}

/* The filter form: section, and for the plan a person and overdue only. */
static void sel_form(struct mm_html *h, const char *action, bool plan,
		     const struct mm_risk_sel *sel)
{
	const char *all = MM_L(h->lang, "（すべて）", "(all)");

	mm_html_f(h,
		  "<form class=\"filters no-print\" method=\"get\" action=\"%r\" "
		  "role=\"search\">\n<div class=\"search-row\">\n<div class=\"ff\"><label "
		  "for=\"f-section_id\">%s</label>\n<select id=\"f-section_id\" "
		  "name=\"section_id\">\n<option value=\"\">%s</option>\n",
		  action, mm_field_label(RF(RSK_SECTION), h->lang), all);
	mm_html_ref_options(h, RF(RSK_SECTION), sel->section_id);
	mm_html_f(h, "</select></div>\n");
	if (plan) {
		mm_html_f(h,
			  "<div class=\"ff\"><label for=\"f-measure_by\">%s</label>\n<select "
			  "id=\"f-measure_by\" name=\"measure_by\">\n<option "
			  "value=\"\">%s</option>\n",
			  mm_field_label(RF(RSK_MEASURE_BY), h->lang), all);
		mm_html_ref_options(h, RF(RSK_MEASURE_BY), sel->measure_by);
		mm_html_f(h,
			  "</select></div>\n<div class=\"ff check\"><input type=\"checkbox\" "
			  "id=\"f-overdue\" name=\"overdue\" value=\"1\"%r> <label "
			  "for=\"f-overdue\">%s</label></div>\n",
			  sel->overdue_only ? " checked" : "",
			  MM_L(h->lang, "期限超過のみ", "Overdue only"));
	}
	mm_html_f(h,
		  "<div class=\"ff actions\"><button type=\"submit\" class=\"btn "
		  "btn-primary\">%s</button>\n<a class=\"btn btn-plain\" href=\"%r\">%s</a></div>\n"
		  "</div>\n<p class=\"note\">%s</p>\n</form>\n",
		  MM_L(h->lang, "表示", "Show"), action, MM_L(h->lang, "条件をクリア", "Clear"),
		  MM_L(h->lang,
		       "印刷はブラウザの印刷機能（Ctrl+P）で行います。A4 横向きで印刷されます。",
		       "Print with the browser's print command (Ctrl+P); pages come out A4 "
		       "landscape."));
}

/* The box for the seals of 決裁, printed at the top right. */
static void signoff(struct mm_html *h)
{
	static const char *const who[][2] = {
		{ "起案（事務局）", "Drafted (secretariat)" },
		{ "係長", "Unit chief" },
		{ "課長", "Section chief" },
		{ "情報管理統括責任者", "Chief information security officer" },
	};

	mm_html_f(h, "<table class=\"signoff\"><caption>%s</caption><tr>",
		  MM_L(h->lang, "決裁欄", "Approval"));
	for (size_t i = 0; i < sizeof(who) / sizeof(who[0]); i++)
		mm_html_f(h, "<th scope=\"col\">%s</th>", MM_L(h->lang, who[i][0], who[i][1]));
	mm_html_f(h, "</tr><tr>");
	for (size_t i = 0; i < sizeof(who) / sizeof(who[0]); i++)
		mm_html_f(h, "<td></td>");
	mm_html_f(h, "</tr></table>\n");
}

/* The heading of a report: organisation, title, date, scope, signoff. */
static void doc_head(struct mm_html *h, const char *title, const char *today, int64_t section)
{
	const char *org = mm_risk_settings.organisation;

	mm_html_f(h, "<header class=\"doc-head\">\n<div class=\"doc-title\">\n");
	if (org && *org)
		mm_html_f(h, "<p class=\"org\">%s</p>\n", org);
	mm_html_f(h, "<h1>%s</h1>\n<dl class=\"doc-meta\">\n<div><dt>%s</dt><dd>%s</dd></div>\n",
		  title, MM_L(h->lang, "基準日", "As of"), date_text(h, today));
	mm_html_f(h, "<div><dt>%s</dt><dd>%s</dd></div>\n</dl>\n</div>\n",
		  MM_L(h->lang, "対象", "Scope"),
		  section ? mm_html_ref_text(h, &mm_reg_sections, section)
			  : MM_L(h->lang, "全所管課（閲覧できる範囲）",
				 "Every section (as far as you may read)"));
	signoff(h);
	mm_html_f(h, "</header>\n");
}

/* The method, the bands with their counts, and the threshold. */
static void method_and_counts(struct mm_html *h, const struct mm_risk_report *r)
{
	size_t n;
	const struct mm_risk_band *b = mm_risk_bands(&mm_risk_settings, &n);

	mm_html_f(h,
		  "<h2>%s</h2>\n<dl class=\"fields\">\n<div class=\"row\"><dt>%s</dt><dd>%s</dd>"
		  "</div>\n<div class=\"row\"><dt>%s</dt><dd>%D %s</dd></div>\n</dl>\n",
		  MM_L(h->lang, "評価の方法", "Method"), MM_L(h->lang, "算定方法", "Calculation"),
		  mm_risk_method_text(h->lang),
		  MM_L(h->lang, "受容の承認が必要な残留リスク値",
		       "Residual values needing acceptance"),
		  mm_risk_accept_at(&mm_risk_settings), MM_L(h->lang, "以上", "and above"));
	mm_html_f(h,
		  "<h2>%s</h2>\n<table class=\"grid summary\"><thead><tr><th scope=\"col\">%s</th>"
		  "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
		  MM_L(h->lang, "リスクレベル別の件数", "Risks by level"),
		  MM_L(h->lang, "リスクレベル", "Level"), MM_L(h->lang, "リスク値", "Risk values"),
		  MM_L(h->lang, "件数", "Risks"));
	for (size_t i = n; i-- > 0;)
		mm_html_f(h,
			  "<tr><th scope=\"row\">%s</th><td>%s</td><td class=\"num\" "
			  "data-band=\"%s\">%N</td></tr>\n",
			  MM_L(h->lang, b[i].ja, b[i].en), mm_risk_band_range(h->ctx, i), b[i].ja,
			  r->by_band[i]);
	mm_html_f(h,
		  "<tr class=\"total\"><th scope=\"row\">%s</th><td></td><td class=\"num\" "
		  "id=\"risk-total\">%N</td></tr>\n<tr><th scope=\"row\">%s</th><td></td><td "
		  "class=\"num\">%N</td></tr>\n</tbody></table>\n",
		  MM_L(h->lang, "合計", "Total"), r->total,
		  MM_L(h->lang, "うち受容の承認待ち", "Of which awaiting acceptance"), r->awaiting);
}

static const char *level_text(struct mm_html *h, int64_t v, bool threat)
{
	const char *c =
		threat ? mm_risk_threat_criterion(v, h->lang) : mm_risk_vuln_criterion(v, h->lang);

	return mm_html_str(h->rq, "%lld %s", (long long)v, c ? c : "");
}

static void report_row(struct mm_html *h, const struct mm_risk_names *nm, size_t i,
		       const struct mm_record *rec)
{
	const struct mm_value *v = rec->v;
	const char *asset = v[RSK_ASSET].set ? mm_html_display(h, RF(RSK_ASSET), &v[RSK_ASSET])
					     : v[RSK_GROUP].s;

	mm_html_f(h,
		  "<tr><td class=\"num\">%D</td><td class=\"key\"><a href=\"/risks/%D\">%s</a></td>"
		  "<td>%s</td><td>%s</td><td>%s</td>",
		  (int64_t)i + 1, rec->id, v[RSK_CODE].s, asset,
		  mm_risk_threat_name(h->ctx, nm, v[RSK_THREAT].i),
		  mm_risk_vuln_name(h->ctx, nm, v[RSK_VULN].i));
	mm_html_f(h,
		  "<td>%s</td><td>%s</td><td class=\"num\">%D</td><td class=\"num "
		  "value\">%D</td><td class=\"band\">%s</td>",
		  level_text(h, v[RSK_T].i, true), level_text(h, v[RSK_V].i, false), v[RSK_VALUE].i,
		  v[RSK_RISK].i, mm_risk_band_label(v[RSK_BAND].s, h->lang));
	mm_html_f(h, "<td>%s</td><td class=\"num\">%D</td><td>%s</td></tr>\n",
		  mm_html_display(h, RF(RSK_TREATMENT), &v[RSK_TREATMENT]), v[RSK_RESIDUAL].i,
		  mm_html_display(h, RF(RSK_OWNER), &v[RSK_OWNER]));
}

static void heads(struct mm_html *h, const char *const (*t)[2], size_t n)
{
	mm_html_f(h, "<thead><tr>");
	for (size_t i = 0; i < n; i++)
		mm_html_f(h, "<th scope=\"col\">%s</th>", MM_L(h->lang, t[i][0], t[i][1]));
	mm_html_f(h, "</tr></thead>\n<tbody>\n");
}

static void report_table(struct mm_html *h, const struct mm_risk_report *r,
			 const struct mm_risk_names *nm)
{
	static const char *const t[][2] = {
		{ "No.", "No." },
		{ "リスク番号", "Risk no." },
		{ "情報資産", "Asset" },
		{ "脅威", "Threat" },
		{ "脆弱性", "Vulnerability" },
		{ "脅威レベル", "Threat level" },
		{ "脆弱性レベル", "Vulnerability level" },
		{ "資産価値", "Asset value" },
		{ "リスク値", "Risk value" },
		{ "リスクレベル", "Level" },
		{ "対応", "Treatment" },
		{ "残留リスク値", "Residual" },
		{ "リスク所有者", "Owner" },
	};

	mm_html_f(h, "<h2>%s</h2>\n",
		  MM_L(h->lang, "リスク一覧（リスク値の高い順）", "Risks, highest value first"));
	if (r->truncated)
		mm_html_f(h, "<p class=\"msg warn\">%s %N</p>\n",
			  MM_L(h->lang, "件数が多いため、先頭の分だけを表示しています。全件数:",
			       "Only the first risks are shown. Total:"),
			  r->total);
	mm_html_f(h, "<div class=\"table-wrap\"><table class=\"grid report\" id=\"risks\">\n");
	heads(h, t, sizeof(t) / sizeof(t[0]));
	for (size_t i = 0; i < r->n; i++)
		report_row(h, nm, i, &r->recs[i]);
	if (!r->n)
		mm_html_f(h, "<tr><td class=\"empty\" colspan=\"13\">%s</td></tr>\n",
			  MM_L(h->lang, "該当するリスクはありません。", "No risks match."));
	mm_html_f(h, "</tbody></table></div>\n");
}

/* Opens the store and reads the selection; on failure the error page is in
 * rs and false is returned (ctx closed). */
static bool begin(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs, struct mm_ctx *ctx,
		  bool plan, struct mm_risk_sel *sel)
{
	struct mm_ferrs errs;
	int rc;

	rq->reg = &mm_reg_risks; /* the print heading, the menu and "back to the list" */
	rc = mm_ctx_open(w, rq, ctx);
	if (!rc)
		rc = mm_risk_sel_read(rq, ctx, plan, sel, &errs);
	if (rc == MM_EINVAL)
		mm_html_error_text(rq, rs, 400, mm_risk_ferrs_text(ctx, &errs));
	else if (rc)
		mm_html_fail(rq, rs, rc);
	if (rc)
		mm_ctx_close(w, ctx);
	return rc == MM_OK;
}

static void finish(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs, struct mm_ctx *ctx,
		   struct mm_html *h)
{
	mm_html_end(h);
	mm_ctx_close(w, ctx);
	if (rs->body.err)
		mm_html_fail(rq, rs, rs->body.err);
}

void mm_html_risk_report(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_risk_report r;
	struct mm_risk_names nm;
	struct mm_risk_sel sel;
	struct mm_ctx ctx;
	struct mm_html h;
	const char *title;
	int rc;

	if (!begin(w, rq, rs, &ctx, false, &sel))
		return;
	rc = mm_risk_report(&ctx, &sel, &r);
	if (!rc)
		rc = mm_risk_names_load(&ctx, &nm);
	if (rc) {
		mm_ctx_close(w, &ctx);
		mm_html_fail(rq, rs, rc);
		return;
	}
	mm_html_init(&h, rq, rs, &ctx);
	title = h.lang == MM_EN
			? mm_html_str(rq, "Risk assessment report, fiscal %d", r.fiscal_year)
			: mm_html_str(rq, "%d年度 リスク評価書", r.fiscal_year);
	mm_html_begin(&h, title);
	mm_html_related(&h, "risks");
	sel_form(&h, "/risks/report", false, &sel);
	doc_head(&h, title, r.today, sel.section_id);
	method_and_counts(&h, &r);
	report_table(&h, &r, &nm);
	finish(w, rq, rs, &ctx, &h);
}

static void plan_row(struct mm_html *h, const struct mm_risk_plan *p, size_t i)
{
	const struct mm_record *rec = &p->recs[i];
	const struct mm_value *v = rec->v;
	const char *status = v[RSK_MSTATUS].set
				     ? mm_html_display(h, RF(RSK_MSTATUS), &v[RSK_MSTATUS])
				     : mm_option_label(RF(RSK_MSTATUS), "planned", h->lang);

	mm_html_f(h, "<tr%r><td class=\"num\">%D</td><td class=\"nowrap\">%s</td><td>%s",
		  p->overdue[i] ? " class=\"overdue\"" : "", (int64_t)i + 1, v[RSK_DUE].s, status);
	if (p->overdue[i])
		mm_html_f(h,
			  " <strong class=\"badge overdue\"><span aria-hidden=\"true\">⚠</span> "
			  "%s %D %s</strong>",
			  MM_L(h->lang, "期限超過", "Overdue by"), p->days_late[i],
			  MM_L(h->lang, "日", p->days_late[i] == 1 ? "day" : "days"));
	mm_html_f(h,
		  "</td><td class=\"key\"><a href=\"/risks/%D\">%s</a></td><td>%s</td>"
		  "<td class=\"multiline\">%s</td>",
		  rec->id, v[RSK_CODE].s, v[RSK_NAME].set ? v[RSK_NAME].s : "",
		  v[RSK_MEASURES].set ? v[RSK_MEASURES].s : "");
	mm_html_f(h,
		  "<td>%s</td><td>%s</td><td>%s</td><td>%s</td><td class=\"num\">%D → %D</td>"
		  "</tr>\n",
		  mm_html_display(h, RF(RSK_MEASURE_BY), &v[RSK_MEASURE_BY]),
		  v[RSK_CLAUSE].set ? v[RSK_CLAUSE].s : "",
		  mm_html_display(h, RF(RSK_TREATMENT), &v[RSK_TREATMENT]),
		  mm_html_display(h, RF(RSK_SECTION), &v[RSK_SECTION]), v[RSK_RISK].i,
		  v[RSK_RESIDUAL].i);
}

static void plan_table(struct mm_html *h, const struct mm_risk_plan *p)
{
	static const char *const t[][2] = {
		{ "No.", "No." },
		{ "対策の期限", "Due" },
		{ "対策の状況", "Status" },
		{ "リスク番号", "Risk no." },
		{ "リスク", "Risk" },
		{ "対策の内容", "Planned measures" },
		{ "対策の担当者", "Responsible" },
		{ "対策基準の条項", "Clause" },
		{ "対応", "Treatment" },
		{ "所管課", "Section" },
		{ "リスク値 → 残留", "Value → residual" },
	};

	mm_html_f(h,
		  "<p class=\"plan-count\">%s <strong id=\"plan-total\">%N</strong> %s ・ %s "
		  "<strong id=\"plan-overdue\">%N</strong> %s</p>\n",
		  MM_L(h->lang, "対策", "Measures:"), (int64_t)p->n, MM_L(h->lang, "件", ""),
		  MM_L(h->lang, "うち期限超過", "overdue:"), p->noverdue, MM_L(h->lang, "件", ""));
	if (p->noverdue)
		mm_html_f(h, "<p class=\"msg warn\" role=\"status\">%s</p>\n",
			  MM_L(h->lang,
			       "期限を過ぎて完了していない対策があります（「期限超過」と表示）。",
			       "Some measures are past their due date and not done (marked "
			       "\"Overdue\")."));
	mm_html_f(h, "<div class=\"table-wrap\"><table class=\"grid report plan\" id=\"plan\">\n");
	heads(h, t, sizeof(t) / sizeof(t[0]));
	for (size_t i = 0; i < p->n; i++)
		plan_row(h, p, i);
	if (!p->n)
		mm_html_f(h, "<tr><td class=\"empty\" colspan=\"11\">%s</td></tr>\n",
			  MM_L(h->lang, "期限の定められた対策はありません。",
			       "No measures with a due date."));
	mm_html_f(h, "</tbody></table></div>\n");
}

void mm_html_risk_plan(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_risk_plan p;
	struct mm_risk_sel sel;
	struct mm_ctx ctx;
	struct mm_html h;
	const char *title;
	int rc;

	if (!begin(w, rq, rs, &ctx, true, &sel))
		return;
	rc = mm_risk_plan(&ctx, &sel, &p);
	if (rc) {
		mm_ctx_close(w, &ctx);
		mm_html_fail(rq, rs, rc);
		return;
	}
	mm_html_init(&h, rq, rs, &ctx);
	title = MM_L(h.lang, "リスク対応計画", "Risk treatment plan");
	mm_html_begin(&h, title);
	mm_html_related(&h, "risks");
	sel_form(&h, "/risks/plan", true, &sel);
	doc_head(&h, title, p.today, sel.section_id);
	if (sel.measure_by)
		mm_html_f(&h, "<p>%s: %s</p>\n", mm_field_label(RF(RSK_MEASURE_BY), h.lang),
			  mm_html_ref_text(&h, &mm_reg_people, sel.measure_by));
	plan_table(&h, &p);
	finish(w, rq, rs, &ctx, &h);
}
