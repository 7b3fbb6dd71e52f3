/* The risk heat map (3.3): a server-rendered SVG, no script, with the
 * asset axis (資産価値, or 重要度 for IPA) down and the likelihood across;
 * each cell counts the risks the reader may see, is coloured by the band
 * of its value, and links to the risk list with the same filters, so that
 * a cell's count is the list's. Also as JSON for the API. */
#include "web/handlers.h"
#include "web/html.h"
#include "web/risk_web.h"

#include "core/err.h"
#include "core/json.h"
#include "domain/risk.h"

enum { CELL = 64, LEFT = 80, TOP = 40 };

/* Colours from low to high; a band's colour is picked by its rank. */
static const char *const colours[] = { "#cfe8cf", "#fff1b8", "#ffd0a8", "#f4a6a6", "#e06666" };

static const char *band_colour(int64_t value)
{
	size_t n, k = mm_risk_band_of(&mm_risk_settings, value);

	mm_risk_bands(&mm_risk_settings, &n);
	if (n <= 1)
		return colours[0];
	return colours[k * 4 / (n - 1)];
}

static void svg(struct mm_html *h, const struct mm_risk_heat *m)
{
	enum mm_risk_method meth = mm_risk_settings.method;
	int width = LEFT + CELL * (int)m->ncols + 10, height = TOP + CELL * (int)m->nrows + 40;

	mm_html_f(h,
		  "<svg class=\"heatmap\" role=\"img\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d "
		  "%d\" xmlns=\"http://www.w3.org/2000/svg\"><title>%s</title>\n",
		  width, height, width, height, MM_L(h->lang, "リスクマップ", "Risk heat map"));
	for (size_t y = 0; y < m->nrows; y++) {
		int py = TOP + CELL * (int)y;
		mm_html_f(h, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%D</text>\n", LEFT - 8,
			  py + CELL / 2 + 5, m->rows[y]);
		for (size_t x = 0; x < m->ncols; x++) {
			int px = LEFT + CELL * (int)x;
			int64_t value = m->rows[y] * m->cols[x];
			size_t k = mm_risk_band_of(&mm_risk_settings, value), nb;
			const struct mm_risk_band *b = mm_risk_bands(&mm_risk_settings, &nb);

			/* The band is said in words too, not by colour alone. */
			mm_html_f(h,
				  "<a href=\"/risks?importance=%D&amp;likelihood=%D\">"
				  "<title>%s %D: %N</title>"
				  "<rect class=\"band-%D\" x=\"%d\" y=\"%d\" width=\"%d\" "
				  "height=\"%d\" fill=\"%r\" stroke=\"#666\"/><text x=\"%d\" "
				  "y=\"%d\" "
				  "text-anchor=\"middle\">%N</text></a>\n",
				  m->rows[y], m->cols[x], MM_L(h->lang, b[k].ja, b[k].en), value,
				  m->count[y][x], (int64_t)k, px, py, CELL, CELL,
				  band_colour(value), px + CELL / 2, py + CELL / 2 + 5,
				  m->count[y][x]);
		}
	}
	for (size_t x = 0; x < m->ncols; x++)
		mm_html_f(h, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%D</text>\n",
			  LEFT + CELL * (int)x + CELL / 2, TOP + CELL * (int)m->nrows + 18,
			  m->cols[x]);
	mm_html_f(h,
		  "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>"
		  "<text x=\"4\" y=\"24\">%s</text></svg>\n",
		  LEFT + CELL * (int)m->ncols / 2, TOP + CELL * (int)m->nrows + 36,
		  meth == MM_RISK_IPA ? MM_L(h->lang, "被害発生可能性", "Likelihood of damage")
				      : MM_L(h->lang, "脅威 × 脆弱性", "Threat × vulnerability"),
		  meth == MM_RISK_IPA ? MM_L(h->lang, "重要度", "Importance")
				      : MM_L(h->lang, "資産価値", "Asset value"));
}

static void legend(struct mm_html *h)
{
	size_t n;
	const struct mm_risk_band *b = mm_risk_bands(&mm_risk_settings, &n);

	mm_html_f(h, "<ul class=\"legend\">");
	for (size_t i = 0; i < n; i++)
		mm_html_f(h, "<li>%s: %s</li>", MM_L(h->lang, b[i].ja, b[i].en),
			  mm_risk_band_range(h->ctx, i));
	mm_html_f(h, "</ul>\n<p class=\"note\">%s %D</p>\n",
		  MM_L(h->lang, "受容の承認が必要な残留リスク値:",
		       "Residual values that need acceptance: from"),
		  mm_risk_accept_at(&mm_risk_settings));
}

void mm_html_risk_heatmap(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_risk_heat m = { 0 };
	struct mm_ctx ctx;
	struct mm_html h;
	const char *title;
	int rc = mm_ctx_open(w, rq, &ctx);

	if (!rc)
		rc = mm_risk_heatmap(&ctx, &m);
	if (rc) {
		mm_ctx_close(w, &ctx);
		mm_html_fail(rq, rs, rc);
		return;
	}
	mm_html_init(&h, rq, rs, &ctx);
	title = MM_L(h.lang, "リスクマップ", "Risk heat map");
	mm_html_begin(&h, title);
	mm_html_f(&h, "<h1>%s</h1>\n", title);
	mm_html_related(&h, "risks");
	mm_html_f(&h,
		  "<p class=\"note\">%s</p>\n<p>%s %N %s ・ <a "
		  "href=\"/risks?sort=-risk_value\">%s</a> ・ <a "
		  "href=\"/risks?acceptance=yes&amp;state=assessing\">%s</a></p>\n",
		  MM_L(h.lang,
		       "情報資産ごとの脅威と脆弱性を評価し、資産価値と合わせたリスク値です（3.3）。"
		       "ます目を選ぶと、そのリスクの一覧を表示します。",
		       "Risks by asset value and likelihood (3.3). Choose a cell to list its "
		       "risks."),
		  MM_L(h.lang, "表示できるリスク", "Risks you can see:"), m.total,
		  MM_L(h.lang, "件", ""), MM_L(h.lang, "リスク値の高い順", "By risk value"),
		  MM_L(h.lang, "受容の承認待ち", "Awaiting acceptance"));
	svg(&h, &m);
	legend(&h);
	mm_html_end(&h);
	mm_ctx_close(w, &ctx);
	if (rs->body.err)
		mm_html_fail(rq, rs, rs->body.err);
}

void mm_api_risk_heatmap(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_risk_heat m = { 0 };
	struct mm_ctx ctx;
	struct mm_json j;
	int rc = mm_ctx_open(w, rq, &ctx);

	if (!rc)
		rc = mm_risk_heatmap(&ctx, &m);
	mm_ctx_close(w, &ctx);
	if (!mm_resp_json_begin(rq, rs, rc, NULL, &j))
		return;
	mm_json_obj_open(&j);
	mm_json_key(&j, "method");
	mm_json_str(&j, mm_risk_settings.method == MM_RISK_IPA ? "ipa" : "jipdec");
	mm_json_key(&j, "total");
	mm_json_int(&j, m.total);
	mm_json_key(&j, "cells");
	mm_json_arr_open(&j);
	for (size_t y = 0; y < m.nrows; y++)
		for (size_t x = 0; x < m.ncols; x++) {
			mm_json_obj_open(&j);
			mm_json_key(&j, "importance");
			mm_json_int(&j, m.rows[y]);
			mm_json_key(&j, "likelihood");
			mm_json_int(&j, m.cols[x]);
			mm_json_key(&j, "count");
			mm_json_int(&j, m.count[y][x]);
			mm_json_obj_close(&j);
		}
	mm_json_arr_close(&j);
	mm_json_obj_close(&j);
}
