/* The list page of a register: a search and filter form, a sortable table of
 * the list columns, paging and the export links. Every parameter travels in
 * the query string, so a list can be bookmarked, printed and exported with
 * the same conditions. */
#include "web/html.h"

#include "core/err.h"
#include "core/slice.h"
#include "domain/access.h"

#include <string.h>

enum { PAGE_SIZE = 50 };

/* Parameters that select a page rather than records; exports drop them. */
static const char *const paging_params[] = { "page",	 "limit", "offset", "after",
					     "encoding", "lang",  NULL };

static const char *qparam(struct mm_req *rq, const char *name)
{
	const char *v = mm_param_get(rq->query, rq->nquery, name);

	return v ? v : "";
}

static const char *param_name(struct mm_req *rq, const char *field, const char *suffix)
{
	size_t n = strlen(field), m = strlen(suffix);
	char *s = mm_arena_alloc(rq->a, n + m + 1);

	if (!s)
		return field;
	memcpy(s, field, n);
	memcpy(s + n, suffix, m + 1);
	return s;
}

/* One <select> of a level field's values (min or max end of a range). */
static void level_select(struct mm_html *h, const struct mm_field *f, const char *name,
			 const char *aria)
{
	const char *cur = qparam(h->rq, name);
	int64_t sel = 0;

	if (!mm_slice_to_i64(mm_slice_cstr(cur), &sel))
		sel = f->min - 1;
	mm_html_f(h,
		  "<select id=\"f-%s\" name=\"%s\" aria-label=\"%s\">\n<option "
		  "value=\"\">—</option>\n",
		  name, name, aria);
	for (int64_t v = f->min; v <= f->max; v++) {
		struct mm_value val = { .set = true, .i = v };
		mm_html_f(h, "<option value=\"%D\"%r>%s</option>\n", v, v == sel ? " selected" : "",
			  mm_html_display(h, f, &val));
	}
	mm_html_f(h, "</select>\n");
}

/* A range filter (INT or DATE): name_min 〜 name_max. */
static void range_filter(struct mm_html *h, const struct mm_field *f, const char *label)
{
	const char *lo = param_name(h->rq, f->name, "_min");
	const char *hi = param_name(h->rq, f->name, "_max");
	const char *lo_aria =
		mm_html_str(h->rq, "%s%s", label, MM_L(h->lang, "（以上）", " (from)"));
	const char *hi_aria = mm_html_str(h->rq, "%s%s", label, MM_L(h->lang, "（以下）", " (to)"));
	const char *type = f->type == MM_FT_DATE ? "date" : "number";

	mm_html_f(h, "<fieldset class=\"ff range\"><legend>%s</legend>\n<div class=\"pair\">\n",
		  label);
	if (f->type == MM_FT_INT && f->opts) {
		level_select(h, f, lo, lo_aria);
		mm_html_f(h, "<span aria-hidden=\"true\">〜</span>\n");
		level_select(h, f, hi, hi_aria);
	} else {
		mm_html_f(h,
			  "<input type=\"%r\" id=\"f-%s\" name=\"%s\" value=\"%s\" "
			  "aria-label=\"%s\">\n"
			  "<span aria-hidden=\"true\">〜</span>\n"
			  "<input type=\"%r\" id=\"f-%s\" name=\"%s\" value=\"%s\" "
			  "aria-label=\"%s\">\n",
			  type, lo, lo, qparam(h->rq, lo), lo_aria, type, hi, hi, qparam(h->rq, hi),
			  hi_aria);
	}
	mm_html_f(h, "</div></fieldset>\n");
}

/* The filter of a reference to a register too large to choose from (a
 * city's thousands of people): its code or name, typed, as <field>_ref
 * (typed_refs reads it). */
static void typed_ref_filter(struct mm_html *h, const struct mm_field *f, const char *label,
			     int64_t id)
{
	const char *typed = qparam(h->rq, param_name(h->rq, f->name, "_ref"));
	const char *shown = *typed ? typed
			    : id   ? mm_html_ref_text(h, mm_register_find(f->ref), id)
				   : "";

	mm_html_f(h,
		  "<div class=\"ff\"><label for=\"f-%s\">%s</label>\n"
		  "<input type=\"text\" id=\"f-%s\" name=\"%s_ref\" value=\"%s\" "
		  "placeholder=\"%s\"></div>\n",
		  f->name, label, f->name, f->name, shown,
		  MM_L(h->lang, "コードまたは名称", "Code or name"));
}

static void field_filter(struct mm_html *h, const struct mm_field *f)
{
	const char *label = mm_field_label(f, h->lang);
	const char *cur = qparam(h->rq, f->name);
	const char *all = MM_L(h->lang, "（すべて）", "(all)");
	int64_t id = 0;

	switch (f->type) {
	case MM_FT_ENUM:
		mm_html_f(h,
			  "<div class=\"ff\"><label for=\"f-%s\">%s</label>\n"
			  "<select id=\"f-%s\" name=\"%s\">\n<option value=\"\">%s</option>\n",
			  f->name, label, f->name, f->name, all);
		for (size_t i = 0; i < f->nopts; i++)
			mm_html_f(h, "<option value=\"%s\"%r>%s</option>\n", f->opts[i].code,
				  strcmp(cur, f->opts[i].code) == 0 ? " selected" : "",
				  MM_L(h->lang, f->opts[i].ja, f->opts[i].en));
		mm_html_f(h, "</select></div>\n");
		break;
	case MM_FT_REF:
		if (!mm_slice_to_i64(mm_slice_cstr(cur), &id))
			id = 0;
		if (mm_html_ref_typed(h, mm_register_find(f->ref))) {
			typed_ref_filter(h, f, label, id);
			break;
		}
		mm_html_f(h,
			  "<div class=\"ff\"><label for=\"f-%s\">%s</label>\n"
			  "<select id=\"f-%s\" name=\"%s\">\n<option value=\"\">%s</option>\n",
			  f->name, label, f->name, f->name, all);
		mm_html_ref_options(h, f, id);
		mm_html_f(h, "</select></div>\n");
		break;
	case MM_FT_INT:
	case MM_FT_DATE:
		range_filter(h, f, label);
		break;
	case MM_FT_TEXT:
		mm_html_f(h,
			  "<div class=\"ff\"><label for=\"f-%s\">%s</label>\n"
			  "<input type=\"text\" id=\"f-%s\" name=\"%s\" value=\"%s\"></div>\n",
			  f->name, label, f->name, f->name, cur);
		break;
	}
}

/* The parameters every list reads (query.c). A field with one of these names
 * cannot be filtered on through the query string. */
static bool is_list_param(const char *name)
{
	static const char *const list_params[] = { "q",	   "sort",  "status", "limit",	 "offset",
						   "page", "after", "lang",   "encoding" };

	for (size_t k = 0; k < sizeof(list_params) / sizeof(list_params[0]); k++)
		if (strcmp(name, list_params[k]) == 0)
			return true;
	return false;
}

static bool has_field_filter(struct mm_req *rq)
{
	for (size_t i = 0; i < rq->nquery; i++)
		if (!is_list_param(rq->query[i].name) && rq->query[i].value && *rq->query[i].value)
			return true;
	return false;
}

static void filter_form(struct mm_html *h, const struct mm_query *q)
{
	const struct mm_register *r = h->rq->reg;
	const char *st = q->status == MM_RETIRED      ? "retired"
			 : q->status == MM_ANY_STATUS ? "all"
						      : "active";
	const char *sort = qparam(h->rq, "sort");

	mm_html_f(
		h,
		"<form class=\"filters no-print\" method=\"get\" action=\"/%U\" role=\"search\">\n"
		"<div class=\"search-row\">\n<div class=\"ff grow\"><label "
		"for=\"flt-q\">%s</label>\n"
		"<input type=\"search\" id=\"flt-q\" name=\"q\" value=\"%s\" "
		"maxlength=\"200\"></div>\n"
		"<div class=\"ff\"><label for=\"flt-status\">%s</label>\n"
		"<select id=\"flt-status\" name=\"status\">\n",
		r->schema.name, MM_L(h->lang, "キーワード", "Keywords"), qparam(h->rq, "q"),
		MM_L(h->lang, "状態", "Status"));
	mm_html_f(
		h,
		"<option value=\"active\"%r>%s</option>\n<option value=\"retired\"%r>%s</option>\n"
		"<option value=\"all\"%r>%s</option>\n</select></div>\n",
		strcmp(st, "active") == 0 ? " selected" : "", MM_L(h->lang, "使用中", "In use"),
		strcmp(st, "retired") == 0 ? " selected" : "",
		MM_L(h->lang, r->retired_ja, r->retired_en),
		strcmp(st, "all") == 0 ? " selected" : "", MM_L(h->lang, "すべて", "All"));
	if (*sort)
		mm_html_f(h, "<input type=\"hidden\" name=\"sort\" value=\"%s\">\n", sort);
	mm_html_f(h,
		  "<div class=\"ff actions\"><button type=\"submit\" class=\"btn "
		  "btn-primary\">%s</button>\n"
		  "<a class=\"btn btn-plain\" href=\"/%U\">%s</a></div>\n</div>\n"
		  "<details class=\"more\"%r><summary>%s</summary>\n<div class=\"filter-grid\">\n",
		  MM_L(h->lang, "検索", "Search"), r->schema.name,
		  MM_L(h->lang, "条件をクリア", "Clear"), has_field_filter(h->rq) ? " open" : "",
		  MM_L(h->lang, "絞り込み", "Filters"));
	for (size_t i = 0; i < r->schema.nfields; i++)
		if ((r->schema.fields[i].flags & MM_F_FILTER) &&
		    !is_list_param(r->schema.fields[i].name))
			field_filter(h, &r->schema.fields[i]);
	mm_html_f(h,
		  "</div>\n<p><button type=\"submit\" class=\"btn btn-primary\">%s</button></p>\n"
		  "</details>\n</form>\n",
		  MM_L(h->lang, "この条件で絞り込む", "Apply filters"));
}

/* The conditions in words, printed above the table for the approver. */
static void print_conditions(struct mm_html *h, const struct mm_query *q,
			     const struct mm_page *page)
{
	const struct mm_register *r = h->rq->reg;
	const char *sep = "";

	mm_html_f(h,
		  "<p class=\"print-only print-cond\">%s: ", MM_L(h->lang, "条件", "Conditions"));
	if (q->q) {
		mm_html_f(h, "%s「%s」", MM_L(h->lang, "キーワード", "Keywords"), q->q);
		sep = MM_L(h->lang, "、", ", ");
	}
	for (size_t i = 0; i < q->nfilters; i++) {
		const struct mm_filter *fl = &q->filters[i];
		const struct mm_field *f = &r->schema.fields[fl->field];
		const char *op = fl->op == MM_OP_GE   ? MM_L(h->lang, "以上", " or more")
				 : fl->op == MM_OP_LE ? MM_L(h->lang, "以下", " or less")
						      : "";

		mm_html_f(h, "%r%s: %s%s", sep, mm_field_label(f, h->lang),
			  mm_html_display(h, f, &fl->v), op);
		sep = MM_L(h->lang, "、", ", ");
	}
	mm_html_f(h, "%r%s: %s　%s %N %s</p>\n", sep, MM_L(h->lang, "状態", "Status"),
		  q->status == MM_ACTIVE    ? MM_L(h->lang, "使用中", "In use")
		  : q->status == MM_RETIRED ? MM_L(h->lang, r->retired_ja, r->retired_en)
					    : MM_L(h->lang, "すべて", "All"),
		  MM_L(h->lang, "件数", "Count"), page->total,
		  page->capped ? MM_L(h->lang, "件以上", " or more") : MM_L(h->lang, "件", ""));
}

static void heading(struct mm_html *h, const struct mm_query *q, int fi)
{
	static const char *const drop[] = { "page", "offset", NULL };
	const struct mm_field *f = &h->rq->reg->schema.fields[fi];
	bool sorted = q->sort == fi, asc = sorted && !q->desc;
	const char *label = mm_field_label(f, h->lang);
	const char *url;

	if (!(f->flags & MM_F_SORT)) {
		mm_html_f(h, "<th scope=\"col\">%s</th>\n", label);
		return;
	}
	/* A click sorts ascending; a second click on the same column descending. */
	url = mm_html_url(h->rq, mm_html_path(h->rq, 0, NULL), drop, "sort",
			  asc ? mm_html_str(h->rq, "-%s", f->name) : f->name);
	mm_html_f(h, "<th scope=\"col\"%r><a class=\"sort\" href=\"%s\">%s",
		  !sorted ? ""
		  : asc	  ? " aria-sort=\"ascending\""
			  : " aria-sort=\"descending\"",
		  url, label);
	if (sorted)
		mm_html_f(h, "<span class=\"arrow\" aria-hidden=\"true\">%r</span>",
			  asc ? "▲" : "▼");
	mm_html_f(h, "</a></th>\n");
}

/* The columns of the table: the key, then the list fields in order. */
static size_t columns(const struct mm_register *r, int *cols, size_t max)
{
	size_t n = 0;

	if (r->key_field >= 0)
		cols[n++] = r->key_field;
	for (size_t i = 0; i < r->schema.nfields && n < max; i++)
		if ((r->schema.fields[i].flags & MM_F_LIST) && (int)i != r->key_field)
			cols[n++] = (int)i;
	return n;
}

static void row(struct mm_html *h, const struct mm_record *rec, const int *cols, size_t ncols)
{
	const struct mm_register *r = h->rq->reg;
	const char *href = mm_html_path(h->rq, rec->id, NULL);

	mm_html_f(h, "<tr%r>\n", rec->retired ? " class=\"retired\"" : "");
	for (size_t c = 0; c < ncols; c++) {
		const struct mm_field *f = &r->schema.fields[cols[c]];
		const char *text = mm_html_display(h, f, &rec->v[cols[c]]);
		bool link = cols[c] == r->key_field || cols[c] == r->title_field;

		mm_html_f(h, "<td%r>",
			  cols[c] == r->key_field ? " class=\"key\""
			  : f->type == MM_FT_INT  ? " class=\"num\""
						  : "");
		if (link)
			mm_html_f(h, "<a href=\"%s\">%s</a>", href, *text ? text : "—");
		else
			mm_html_f(h, "%s", text);
		if (c == 0 && rec->retired)
			mm_html_f(h, " <span class=\"badge retired\">%s</span>",
				  MM_L(h->lang, r->retired_ja, r->retired_en));
		mm_html_f(h, "</td>\n");
	}
	mm_html_f(h, "</tr>\n");
}

/* The references the page's reference columns show, read in one go. */
static void prefetch_refs(struct mm_html *h, const struct mm_page *page, const int *cols,
			  size_t ncols)
{
	const struct mm_register *r = h->rq->reg;
	int64_t *ids = mm_arena_alloc(h->rq->a, (page->n ? page->n : 1) * sizeof(*ids));

	for (size_t c = 0; ids && c < ncols; c++) {
		const struct mm_field *f = &r->schema.fields[cols[c]];
		size_t n = 0;

		if (f->type != MM_FT_REF)
			continue;
		for (size_t i = 0; i < page->n; i++)
			if (page->recs[i].v[cols[c]].set)
				ids[n++] = page->recs[i].v[cols[c]].i;
		mm_html_ref_prefetch(h, mm_register_find(f->ref), ids, n);
	}
}

static void table(struct mm_html *h, const struct mm_query *q, const struct mm_page *page)
{
	const struct mm_register *r = h->rq->reg;
	int cols[64];
	size_t ncols = columns(r, cols, sizeof(cols) / sizeof(cols[0]));

	mm_html_f(h,
		  "<div class=\"table-wrap\">\n<table class=\"grid\">\n<caption "
		  "class=\"sr-only\">%s</caption>\n<thead><tr>\n",
		  mm_html_reg_label(r, h->lang));
	for (size_t c = 0; c < ncols; c++)
		heading(h, q, cols[c]);
	mm_html_f(h, "</tr></thead>\n<tbody>\n");
	prefetch_refs(h, page, cols, ncols);
	for (size_t i = 0; i < page->n; i++)
		row(h, &page->recs[i], cols, ncols);
	if (page->n == 0)
		mm_html_f(h, "<tr><td class=\"empty\" colspan=\"%d\">%s</td></tr>\n", (int)ncols,
			  MM_L(h->lang, "該当する記録はありません。", "No records match."));
	mm_html_f(h, "</tbody>\n</table>\n</div>\n");
}

/* "全 N 件中 X–Y 件" with 前へ and 次へ around it. */
static void pager(struct mm_html *h, const struct mm_query *q, const struct mm_page *page)
{
	static const char *const drop[] = { "offset", NULL };
	const char *path = mm_html_path(h->rq, 0, NULL);
	int64_t from = (int64_t)q->offset + 1, to = (int64_t)q->offset + (int64_t)page->n;
	size_t cur = q->offset / q->limit + 1;

	mm_html_f(h, "<nav class=\"pager\" aria-label=\"%s\">\n",
		  MM_L(h->lang, "ページ送り", "Pages"));
	if (cur > 1)
		mm_html_f(
			h, "<a class=\"btn\" rel=\"prev\" href=\"%s\">%s</a>\n",
			mm_html_url(h->rq, path, drop, "page", mm_html_str(h->rq, "%zu", cur - 1)),
			MM_L(h->lang, "← 前へ", "← Previous"));
	if (page->n && h->lang == MM_EN)
		mm_html_f(h, "<span class=\"count\">%N–%N of %N%s</span>\n", from, to, page->total,
			  page->capped ? "+" : "");
	else if (page->n)
		mm_html_f(h, "<span class=\"count\">全 %N 件%s中 %N–%N 件</span>\n", page->total,
			  page->capped ? "以上" : "", from, to);
	else
		mm_html_f(h, "<span class=\"count\">%s</span>\n",
			  MM_L(h->lang, "全 0 件", "0 records"));
	if (page->more)
		mm_html_f(
			h, "<a class=\"btn\" rel=\"next\" href=\"%s\">%s</a>\n",
			mm_html_url(h->rq, path, drop, "page", mm_html_str(h->rq, "%zu", cur + 1)),
			MM_L(h->lang, "次へ →", "Next →"));
	mm_html_f(h, "</nav>\n");
}

static void toolbar(struct mm_html *h)
{
	struct mm_req *rq = h->rq;
	const char *name = rq->reg->schema.name;
	const char *csv = mm_html_str(rq, "/%s/export.csv", name);
	const char *xlsx = mm_html_str(rq, "/%s/export.xlsx", name);

	mm_html_f(h, "<div class=\"toolbar no-print\">\n");
	/* Registering and importing only for those who may create records. */
	if (h->ctx && mm_access_may_create_any(h->ctx, rq->reg))
		mm_html_f(h,
			  "<a class=\"btn btn-primary\" href=\"/%U/new\">%s</a>\n"
			  "<a class=\"btn\" href=\"/%U/import\">%s</a>\n",
			  name, MM_L(h->lang, "新規登録", "New"), name,
			  MM_L(h->lang, "CSV取込", "Import CSV"));
	mm_html_f(h,
		  "<span class=\"spacer\"></span>\n"
		  "<a class=\"btn\" href=\"%s\" download>%s</a>\n"
		  "<a class=\"btn\" href=\"%s\" download>%s</a>\n"
		  "<a class=\"btn\" href=\"%s\" download>%s</a>\n"
		  "</div>\n",
		  mm_html_url(rq, csv, paging_params, NULL, NULL), MM_L(h->lang, "CSV出力", "CSV"),
		  mm_html_url(rq, csv, paging_params, "encoding", "cp932"),
		  MM_L(h->lang, "CSV出力（Shift_JIS）", "CSV (Shift_JIS)"),
		  mm_html_url(rq, xlsx, paging_params, NULL, NULL),
		  MM_L(h->lang, "Excel出力", "Excel"));
}

/* Pages of a register beyond its list (reports, maps), linked from its
 * list and from each other. */
static const struct {
	const char *reg, *href, *ja, *en;
} related[] = {
	{ "risks", "/risks", "リスク台帳", "Risk register" },
	{ "risks", "/risks/heatmap", "リスクマップ", "Heat map" },
	{ "risks", "/risks/report", "リスク評価書", "Risk assessment report" },
	{ "risks", "/risks/plan", "リスク対応計画", "Risk treatment plan" },
	{ "risks", "/risk_assessments/compare", "年度比較", "Compare years" },
	{ "risk_assessments", "/risk_assessments/compare", "年度比較", "Compare years" },
};

void mm_html_related(struct mm_html *h, const char *reg)
{
	const char *path = h->rq->path;
	bool any = false;

	for (size_t i = 0; i < sizeof(related) / sizeof(related[0]); i++) {
		if (strcmp(related[i].reg, reg) != 0)
			continue;
		if (!any)
			mm_html_f(
				h,
				"<nav class=\"no-print\" aria-label=\"%s\"><ul class=\"links\">\n",
				MM_L(h->lang, "関連するページ", "Related pages"));
		any = true;
		mm_html_f(h, "<li><a href=\"%r\"%r>%s</a></li>\n", related[i].href,
			  strcmp(path, related[i].href) == 0 ? " aria-current=\"page\"" : "",
			  MM_L(h->lang, related[i].ja, related[i].en));
	}
	if (any)
		mm_html_f(h, "</ul></nav>\n");
}

/* What a refused parameter is called on the page. */
static const char *param_label(struct mm_html *h, const struct mm_ferr *e)
{
	static const struct {
		const char *name, *ja, *en;
	} names[] = {
		{ "sort", "並び順", "Sort order" }, { "status", "状態", "Status" },
		{ "page", "ページ", "Page" },	    { "limit", "表示件数", "Page size" },
		{ "offset", "開始位置", "Offset" },
	};
	size_t n = strlen(e->field);

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(e->field, names[i].name) == 0)
			return MM_L(h->lang, names[i].ja, names[i].en);
	if (n > 4 && strcmp(e->field + n - 4, "_min") == 0)
		return mm_html_str(h->rq, "%s%s", e->label, MM_L(h->lang, "（以上）", " (from)"));
	if (n > 4 && strcmp(e->field + n - 4, "_max") == 0)
		return mm_html_str(h->rq, "%s%s", e->label, MM_L(h->lang, "（以下）", " (to)"));
	return e->label ? e->label : e->field;
}

/* Tells which conditions were not understood; the list still shows what the
 * valid ones select. */
static void query_errors(struct mm_html *h, const struct mm_ferrs *errs)
{
	if (!errs->n)
		return;
	mm_html_f(h, "<div class=\"msg error\" role=\"alert\"><p>%s</p>\n<ul>\n",
		  MM_L(h->lang, "次の検索条件は正しくないため、使わずに表示しています。",
		       "These conditions are invalid and were left out:"));
	for (size_t i = 0; i < errs->n; i++)
		mm_html_f(h, "<li>%s</li>\n", param_label(h, &errs->e[i]));
	mm_html_f(h, "</ul></div>\n");
}

/* Filters by a reference typed as its code or name (<field>_ref, see
 * typed_ref_filter), resolved among the records the reader sees and added
 * to q. One that names no record, or several, is reported and left out. */
static int typed_refs(struct mm_req *rq, struct mm_ctx *ctx, struct mm_query *q,
		      struct mm_ferrs *errs)
{
	const struct mm_schema *s = &rq->reg->schema;
	struct mm_filter *fl = NULL;
	size_t n = q->nfilters;

	for (size_t i = 0; i < s->nfields; i++) {
		const struct mm_field *f = &s->fields[i];
		const char *name = param_name(rq, f->name, "_ref");
		const char *text;
		int64_t id = 0;
		int rc;

		if (f->type != MM_FT_REF || !(f->flags & MM_F_FILTER) ||
		    !(text = mm_param_get(rq->query, rq->nquery, name)) || !*text)
			continue;
		if (!fl) {
			fl = mm_arena_alloc(rq->a, (n + s->nfields) * sizeof(*fl));
			if (!fl)
				return MM_ENOMEM;
			memcpy(fl, q->filters, n * sizeof(*fl));
		}
		rc = mm_reg_resolve(mm_register_find(f->ref), ctx, text, strlen(text), &id);
		if (rc == MM_ENOTFOUND || rc == MM_ECONFLICT) {
			mm_ferr_add(errs, f, name, "bad_ref", rq->lang);
			continue;
		}
		if (rc)
			return rc;
		fl[n++] = (struct mm_filter){ (int)i, MM_OP_EQ, { true, id, NULL } };
	}
	if (fl) {
		q->filters = fl;
		q->nfilters = n;
	}
	return MM_OK;
}

void mm_html_list(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_ferrs errs = { .n = 0 };
	struct mm_page page = { .n = 0 };
	struct mm_query q;
	struct mm_ctx ctx;
	struct mm_html h;
	int rc;

	rc = mm_list_query(w, rq, false, &q, &errs);
	if (rc && rc != MM_EINVAL) {
		mm_html_fail(rq, rs, rc);
		return;
	}
	if (q.limit == 0)
		q.limit = PAGE_SIZE;
	rc = mm_ctx_open(w, rq, &ctx);
	if (!rc)
		rc = typed_refs(rq, &ctx, &q, &errs);
	if (!rc)
		rc = mm_reg_list(rq->reg, &ctx, &q, &page);
	if (rc) {
		mm_ctx_close(w, &ctx);
		mm_html_fail(rq, rs, rc);
		return;
	}
	mm_html_init(&h, rq, rs, &ctx);
	mm_html_begin(&h, mm_html_reg_label(rq->reg, h.lang));
	mm_html_f(&h, "<h1 class=\"list-title\">%s</h1>\n", mm_html_reg_label(rq->reg, h.lang));
	mm_html_related(&h, rq->reg->schema.name);
	toolbar(&h);
	query_errors(&h, &errs);
	filter_form(&h, &q);
	print_conditions(&h, &q, &page);
	pager(&h, &q, &page);
	table(&h, &q, &page);
	if (page.total > (int64_t)page.n)
		pager(&h, &q, &page);
	mm_html_end(&h);
	mm_ctx_close(w, &ctx);
	if (rs->body.err)
		mm_html_fail(rq, rs, rs->body.err);
}
