/* The CSV import page: upload a file exported from mamori or kept in Excel,
 * check it (nothing written) or import it (all or nothing), and see every bad
 * row with its column and reason. */
#include "web/html.h"

#include "core/err.h"
#include "domain/export.h"

#include <string.h>

/* The hidden csrf field as text (the token is hex: nothing to escape). */
static const char *csrf_field(struct mm_html *h)
{
	return h->rq->csrf
		       ? mm_html_str(h->rq, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">",
				     h->rq->csrf)
		       : "";
}

static void upload_form(struct mm_html *h)
{
	mm_html_f(h,
		  "<form class=\"record no-print\" method=\"post\" action=\"%s\" "
		  "enctype=\"multipart/form-data\">\n%r"
		  "<p><label for=\"file\">%s</label><br>\n"
		  "<input type=\"file\" id=\"file\" name=\"file\" accept=\".csv,text/csv\" "
		  "required></p>\n"
		  "<p class=\"hint\">%s</p>\n"
		  "<p><button type=\"submit\" class=\"btn\" name=\"mode\" "
		  "value=\"check\">%s</button>\n"
		  "<button type=\"submit\" name=\"mode\" value=\"import\" class=\"btn "
		  "btn-primary\">%s"
		  "</button></p>\n</form>\n",
		  mm_html_path(h->rq, 0, "import"), csrf_field(h),
		  MM_L(h->lang, "CSV ファイル", "CSV file"),
		  MM_L(h->lang,
		       "UTF-8（BOM 付き可）または Shift_JIS の CSV を受け付けます。見出し行は CSV "
		       "出力と同じ項目名にしてください。管理番号が既存の記録と一致する行は更新、"
		       "それ以外の行は新規登録になります。1 行でも誤りがあれば何も取り込みません。",
		       "UTF-8 (with or without BOM) or Shift_JIS CSV, with the export's headings. "
		       "Rows whose code matches an existing record update it; other rows are "
		       "created. If any row is wrong, nothing is imported."),
		  MM_L(h->lang, "確認のみ（取り込まない）", "Check only"),
		  MM_L(h->lang, "取り込む", "Import"));
}

static void begin(struct mm_html *h)
{
	const struct mm_register *r = h->rq->reg;
	const char *title = mm_html_str(h->rq, "%s %s", mm_html_reg_label(r, h->lang),
					MM_L(h->lang, "CSV取込", "CSV import"));

	mm_html_begin(h, title);
	mm_html_f(h, "<h1>%s</h1>\n<p><a href=\"%s\">%s</a></p>\n", title,
		  mm_html_path(h->rq, 0, NULL), MM_L(h->lang, "一覧に戻る", "Back to the list"));
}

void mm_html_import_page(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_html h;

	(void)w;
	mm_html_init(&h, rq, rs, NULL);
	begin(&h);
	upload_form(&h);
	mm_html_end(&h);
}

static void report(struct mm_html *h, const struct mm_file_report *rep, int rc, bool dry)
{
	if (rc == MM_OK) {
		mm_html_f(h,
			  "<div class=\"msg info\" role=\"status\"><p>%s</p><p>%s %N / %s %N / "
			  "%s %N / %s %N</p></div>\n",
			  dry ? MM_L(h->lang, "誤りはありません。まだ取り込んでいません。",
				     "No problems found. Nothing has been imported yet.")
			      : MM_L(h->lang, "取り込みました。", "Imported."),
			  MM_L(h->lang, "行数", "Rows"), (int64_t)rep->rows,
			  MM_L(h->lang, "新規", "Created"), (int64_t)rep->created,
			  MM_L(h->lang, "更新", "Updated"), (int64_t)rep->updated,
			  MM_L(h->lang, "変更なし", "Unchanged"), (int64_t)rep->unchanged);
		return;
	}
	mm_html_f(h,
		  "<div class=\"msg error\" role=\"alert\"><p>%s</p></div>\n"
		  "<table class=\"grid\"><thead><tr><th>%s</th><th>%s</th><th>%s</th></tr></thead>"
		  "<tbody>\n",
		  MM_L(h->lang, "誤りがあるため、何も取り込んでいません。次の行を直してください。",
		       "Nothing was imported because of the problems below."),
		  MM_L(h->lang, "行", "Row"), MM_L(h->lang, "項目", "Column"),
		  MM_L(h->lang, "内容", "Problem"));
	for (size_t i = 0; i < rep->nerrs; i++)
		mm_html_f(h, "<tr><td>%D</td><td>%s</td><td>%s</td></tr>\n",
			  (int64_t)rep->errs[i].row, rep->errs[i].column ? rep->errs[i].column : "",
			  rep->errs[i].message);
	mm_html_f(h, "</tbody></table>\n");
}

void mm_html_import(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	const struct mm_param *file = NULL;
	struct mm_file_report rep = { 0 };
	struct mm_ctx ctx;
	struct mm_html h;
	const char *mode;
	bool dry;
	int rc;

	if (rq->body_too_big) {
		mm_html_error(rq, rs, 413, "too_big");
		return;
	}
	if (!rq->form || rq->form_bad) {
		mm_html_error(rq, rs, rq->form_bad ? 400 : 415, "bad_media_type");
		return;
	}
	for (size_t i = 0; i < rq->nform; i++)
		if (strcmp(rq->form[i].name, "file") == 0)
			file = &rq->form[i];
	mode = mm_param_get(rq->form, rq->nform, "mode");
	dry = !mode || strcmp(mode, "import") != 0;
	if (!file || file->len == 0) {
		mm_html_error_text(
			rq, rs, 400,
			MM_L(rq->lang, "CSV ファイルを選んでください。", "Choose a CSV file."));
		return;
	}
	rc = mm_ctx_open(w, rq, &ctx);
	if (!rc)
		rc = mm_import_csv(rq->reg, &ctx, file->value, file->len, dry, &rep);
	if (rc && rc != MM_EVALIDATE) {
		mm_ctx_close(w, &ctx);
		mm_html_fail(rq, rs, rc);
		return;
	}
	mm_html_init(&h, rq, rs, &ctx);
	rs->status = rc ? 422 : 200;
	begin(&h);
	report(&h, &rep, rc, dry);
	upload_form(&h);
	mm_html_end(&h);
	mm_ctx_close(w, &ctx);
	if (rs->body.err)
		mm_html_fail(rq, rs, rs->body.err);
}
