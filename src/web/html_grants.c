/* The grants of a record in HTML (7.1): the "閲覧・編集を許可された人" part
 * of the detail page, with forms to grant and to take a grant back, shown
 * only to those who may grant on the record; and the POST handlers of
 * those forms. */
#include "web/html.h"

#include "core/datetime.h"
#include "core/err.h"
#include "core/slice.h"
#include "domain/access.h"
#include "domain/registers.h"

#include <string.h>

/* What the person input is called in its messages. */
static const struct mm_field person_field = {
	"person", "許可する人", "Person", MM_FT_REF, MM_F_REQUIRED, 0, 0, NULL, 0, "people"
};

static const unsigned kinds[] = { MM_GRANT_READ, MM_GRANT_EDIT, MM_GRANT_NAMED };

static void grant_row(struct mm_html *h, const struct mm_grant *g)
{
	const struct mm_register *people = mm_register_find("people");
	char at[21];

	mm_time_iso(g->granted_at, at);
	mm_html_f(h,
		  "<tr><td><a href=\"/people/%D\">%s</a></td><td>%s</td><td>%s</td>"
		  "<td class=\"nowrap\">%s</td><td class=\"no-print\">"
		  "<form class=\"inline\" method=\"post\" action=\"%s\">",
		  g->person_id, mm_html_ref_text(h, people, g->person_id),
		  mm_grant_kind_label(g->kind, h->lang), g->granted_by, mm_html_jst(h, at),
		  mm_html_path(h->rq, g->record_id,
			       mm_html_str(h->rq, "grants/%lld/delete", (long long)g->id)));
	mm_html_csrf(h);
	mm_html_f(h,
		  "<button type=\"submit\" class=\"btn btn-danger\">%s</button></form></td></tr>\n",
		  MM_L(h->lang, "取り消す", "Remove"));
}

static void add_form(struct mm_html *h, const struct mm_record *rec)
{
	const struct mm_register *r = h->rq->reg;

	mm_html_f(h,
		  "<form class=\"record no-print\" method=\"post\" action=\"%s\">\n"
		  "<div class=\"field\"><label for=\"g-person\">%s</label>\n"
		  "<p class=\"hint\" id=\"g-person-hint\">%s <a href=\"/people\">%s</a></p>\n"
		  "<input type=\"text\" id=\"g-person\" name=\"person\" required maxlength=\"200\" "
		  "autocomplete=\"off\" aria-describedby=\"g-person-hint\">\n",
		  mm_html_path(h->rq, rec->id, "grants"), MM_L(h->lang, "許可する人", "Person"),
		  MM_L(h->lang,
		       "職員番号（例: 10029）を入力してください。同じ氏名の人がいなければ、氏名でも"
		       "指定できます。",
		       "Enter the employee number (e.g. 10029), or the name when nobody else has "
		       "it."),
		  MM_L(h->lang, "職員番号を職員の一覧で探す",
		       "Look the number up in the people list"));
	mm_html_f(h,
		  "</div>\n<div class=\"field\"><label for=\"g-kind\">%s</label>\n"
		  "<select id=\"g-kind\" name=\"kind\">\n",
		  MM_L(h->lang, "許可の種類", "Kind"));
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		const char *code = mm_grant_kind_code(kinds[i]);

		if (mm_grants_offered(r, kinds[i]))
			mm_html_f(h, "<option value=\"%s\">%s</option>\n", code,
				  mm_grant_kind_label(code, h->lang));
	}
	mm_html_f(h, "</select></div>\n");
	mm_html_csrf(h);
	mm_html_f(h,
		  "<div class=\"form-actions\"><button type=\"submit\" class=\"btn\">%s</button>"
		  "</div>\n</form>\n",
		  MM_L(h->lang, "許可する", "Grant"));
}

void mm_html_grants(struct mm_html *h, const struct mm_record *rec)
{
	const struct mm_register *r = h->rq->reg;
	struct mm_grant *g = NULL;
	bool may = false;
	size_t n = 0;

	if (!h->ctx || mm_access_may(h->ctx, r, MM_ACCESS_GRANT, rec, &may) || !may ||
	    mm_grant_list(h->ctx->conn, r->schema.name, rec->id, h->rq->a, &g, &n))
		return;
	mm_html_f(
		h,
		"<section class=\"grants\" id=\"grants\"><h2>%s</h2>\n<p class=\"note\">%s</p>\n"
		"<div class=\"table-wrap\">\n<table class=\"grid\">\n<thead><tr>"
		"<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		"<th scope=\"col\">%s</th><th scope=\"col\" class=\"no-print\"></th></tr></thead>\n"
		"<tbody>\n",
		MM_L(h->lang, "閲覧・編集を許可された人", "People granted access"),
		MM_L(h->lang,
		     "課外秘までの記録は「閲覧」「編集」を許可された人も見られます。極秘の記録は"
		     "「指名（極秘）」された人だけが見られます。",
		     "People granted Read or Edit may see records up to section confidential; "
		     "strictly confidential records only the people named on them."),
		MM_L(h->lang, "氏名", "Name"), MM_L(h->lang, "許可の種類", "Kind"),
		MM_L(h->lang, "許可した人", "Granted by"), MM_L(h->lang, "日時", "Date"));
	for (size_t i = 0; i < n; i++)
		grant_row(h, &g[i]);
	if (n == 0)
		mm_html_f(h, "<tr><td class=\"empty\" colspan=\"5\">%s</td></tr>\n",
			  MM_L(h->lang, "許可された人はいません。",
			       "Nobody has been granted access."));
	mm_html_f(h, "</tbody>\n</table>\n</div>\n");
	add_form(h, rec);
	mm_html_f(h, "</section>\n");
}

/* The messages of a refused grant, one after the other. */
static const char *ferrs_text(struct mm_req *rq, const struct mm_ferrs *errs)
{
	struct mm_buf b;
	const char *out;

	mm_buf_init(&b, 4096);
	for (size_t i = 0; i < errs->n; i++) {
		mm_msg_format(&b, rq->lang, errs->e[i].msg, errs->e[i].label, errs->e[i].min,
			      errs->e[i].max);
		mm_buf_addc(&b, ' ');
	}
	out = b.err ? NULL : mm_arena_strndup(rq->a, b.data, b.len);
	mm_buf_free(&b);
	return out ? out : mm_msg(rq->lang, "validation");
}

/* The person the form's text names: an employee number, "number name" or
 * a name only they have, among the people the granter may see. An empty,
 * unknown or ambiguous text is a field error. */
static int find_person(struct mm_ctx *ctx, const char *text, struct mm_ferrs *errs, int64_t *id)
{
	const struct mm_field *f = &person_field;
	struct mm_slice t = mm_slice_trim(mm_slice_cstr(text));
	int rc;

	errs->n = 0;
	if (t.len == 0) {
		mm_ferr_add(errs, f, f->name, "required", ctx->lang);
		return MM_EVALIDATE;
	}
	rc = mm_reg_resolve(&mm_reg_people, ctx, t.ptr, t.len, id);
	if (rc == MM_ENOTFOUND)
		mm_ferr_add(errs, f, f->name, "person_unknown", ctx->lang);
	else if (rc == MM_ECONFLICT)
		mm_ferr_add(errs, f, f->name, "ambiguous_ref", ctx->lang);
	return errs->n ? MM_EVALIDATE : rc;
}

void mm_html_grant_add(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_ferrs errs = { .n = 0 };
	const char *person, *kind;
	struct mm_grant g;
	struct mm_ctx ctx;
	int64_t id = 0;
	int rc;

	if (!mm_html_read_form(rq, rs))
		return;
	person = mm_param_get(rq->form, rq->nform, "person");
	kind = mm_param_get(rq->form, rq->nform, "kind");
	rc = mm_ctx_open(w, rq, &ctx);
	if (!rc)
		rc = find_person(&ctx, person ? person : "", &errs, &id);
	if (!rc)
		rc = mm_grants_add(rq->reg, &ctx, rq->id, id, kind ? kind : "", &errs, &g);
	mm_ctx_close(w, &ctx);
	if (rc == MM_EVALIDATE)
		mm_html_error_text(rq, rs, 422, ferrs_text(rq, &errs));
	else if (rc)
		mm_html_fail(rq, rs, rc);
	else
		mm_resp_redirect(rs, mm_html_str(rq, "%s#grants", mm_html_path(rq, rq->id, NULL)));
}

void mm_html_grant_remove(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_ctx ctx;
	int rc;

	if (!mm_html_read_form(rq, rs))
		return;
	rc = mm_ctx_open(w, rq, &ctx);
	if (!rc)
		rc = mm_grants_remove(rq->reg, &ctx, rq->id, rq->sub_id);
	mm_ctx_close(w, &ctx);
	if (rc)
		mm_html_fail(rq, rs, rc);
	else
		mm_resp_redirect(rs, mm_html_str(rq, "%s#grants", mm_html_path(rq, rq->id, NULL)));
}
