/* Workflows and the reports of 7.2(2) and 2.2 in HTML: the buttons of a
 * record's transitions with a comment field (no JavaScript; each a form
 * with its CSRF token), the posted transition, the list of privileged
 * accounts and the separation-of-duties conflicts. */
#include "web/html.h"

#include "core/err.h"
#include "core/slice.h"
#include "domain/privileges.h"
#include "domain/sod.h"

#include <string.h>

void mm_html_transitions(struct mm_html *h, const struct mm_record *rec)
{
	const struct mm_register *r = h->rq->reg;
	const struct mm_workflow *wf = r->workflow;
	bool any = false;

	for (size_t i = 0; wf && i < wf->ntransitions; i++) {
		const struct mm_transition *t = &wf->transitions[i];

		if (!mm_wf_may(r, h->ctx, t, rec))
			continue;
		if (!any)
			mm_html_f(h, "<section class=\"workflow no-print\"><h2>%s</h2>\n",
				  MM_L(h->lang, "処理", "Decision"));
		any = true;
		mm_html_f(
			h,
			"<form class=\"record\" method=\"post\" action=\"%s\">\n"
			"<input type=\"hidden\" name=\"version\" value=\"%D\">\n",
			mm_html_path(h->rq, rec->id, mm_html_str(h->rq, "transitions/%s", t->name)),
			rec->version);
		mm_html_csrf(h);
		mm_html_f(h,
			  "<div class=\"field\"><label for=\"c-%s\">%s</label>\n"
			  "<textarea id=\"c-%s\" name=\"comment\" rows=\"2\" maxlength=\"2000\">"
			  "</textarea></div>\n<div class=\"form-actions\"><button type=\"submit\" "
			  "class=\"btn btn-primary\">%s</button></div>\n</form>\n",
			  t->name, MM_L(h->lang, "コメント（任意）", "Comment (optional)"), t->name,
			  MM_L(h->lang, t->label_ja, t->label_en));
	}
	if (any)
		mm_html_f(h, "</section>\n");
}

/* The messages of field errors of a refused transition. */
static const char *ferrs_text(struct mm_req *rq, const struct mm_ferrs *errs)
{
	struct mm_buf b;
	const char *out;

	mm_buf_init(&b, 8192);
	for (size_t i = 0; i < errs->n; i++) {
		if (i)
			mm_buf_addc(&b, ' ');
		mm_msg_format(&b, rq->lang, errs->e[i].msg, errs->e[i].label, errs->e[i].min,
			      errs->e[i].max);
	}
	out = b.err ? NULL : mm_arena_strndup(rq->a, b.data, b.len);
	mm_buf_free(&b);
	return out ? out : "";
}

void mm_html_transition(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_ferrs errs = { .n = 0 };
	const char *v, *comment;
	struct mm_record rec;
	struct mm_ctx ctx;
	int64_t version = 0;
	int rc;

	if (!mm_html_read_form(rq, rs))
		return;
	v = mm_param_get(rq->form, rq->nform, "version");
	comment = mm_param_get(rq->form, rq->nform, "comment");
	if (!v || !mm_slice_to_i64(mm_slice_trim(mm_slice_cstr(v)), &version) || version <= 0) {
		mm_html_error(rq, rs, 400, "bad_version");
		return;
	}
	rc = mm_ctx_open(w, rq, &ctx);
	if (!rc)
		rc = mm_reg_transition(rq->reg, &ctx, rq->id, version, rq->sub_name, comment, &errs,
				       &rec);
	mm_ctx_close(w, &ctx);
	if (rc == MM_EVALIDATE)
		mm_html_error_text(rq, rs, 422, ferrs_text(rq, &errs));
	else if (rc)
		mm_html_refused(rq, rs, rc, ctx.refusal);
	else
		mm_resp_redirect(rs, mm_html_path(rq, rq->id, NULL));
}

static void th(struct mm_html *h, const char *ja, const char *en)
{
	mm_html_f(h, "<th scope=\"col\">%s</th>", MM_L(h->lang, ja, en));
}

static void privilege_row(struct mm_html *h, const void *item)
{
	const struct mm_privilege *p = item;
	const char *none = "<span class=\"muted\">—</span>";

	mm_html_f(h, "<tr><td><a href=\"/people/%D\">%s</a></td><td>", p->person_id, p->person);
	mm_html_f(h, *p->login ? "%s" : "%r", *p->login ? p->login : none);
	mm_html_f(h, "</td><td><a href=\"/role_holders/%D\">%s</a>", p->holding_id, p->role);
	if (*p->section)
		mm_html_f(h, " <span class=\"muted\">%s</span>", p->section);
	mm_html_f(h, "</td><td class=\"nowrap\">%s</td><td class=\"nowrap\">%s</td><td>",
		  *p->valid_from ? p->valid_from : "—", *p->valid_until ? p->valid_until : "—");
	if (p->request_id)
		mm_html_f(h, "<a href=\"/privilege_requests/%D\">%s</a> %s（%s）", p->request_id,
			  p->request_code, p->approver, mm_html_jst(h, p->approved_at));
	else
		mm_html_f(h, "%s",
			  MM_L(h->lang, "CLI による初期設定（承認なし）",
			       "CLI bootstrap / initial setup (no approval)"));
	mm_html_f(h, "</td></tr>\n");
}

/* A report page: a title, a note with a link, and a table of n rows. */
struct report {
	const char *title_ja, *title_en;
	const char *note_ja, *note_en;
	const char *link, *link_ja, *link_en;
	const char *const (*heads)[2]; /* ja, en */
	size_t nheads;
	const char *empty_ja, *empty_en;
};

/* Renders the report r of the n items of size bytes at v (row draws one),
 * then closes ctx; or the error page of rc. */
static void report_page(struct mm_req *rq, struct mm_resp *rs, struct mm_web *w, struct mm_ctx *ctx,
			int rc, const struct report *r, const void *v, size_t n, size_t size,
			void (*row)(struct mm_html *, const void *))
{
	struct mm_html h;
	const char *title;

	if (rc) {
		mm_ctx_close(w, ctx);
		mm_html_fail(rq, rs, rc);
		return;
	}
	mm_html_init(&h, rq, rs, ctx);
	title = MM_L(h.lang, r->title_ja, r->title_en);
	mm_html_begin(&h, title);
	mm_html_f(&h,
		  "<h1>%s</h1>\n<p class=\"note\">%s <a href=\"%r\">%s</a></p>\n"
		  "<div class=\"table-wrap\"><table class=\"grid\">\n<thead><tr>",
		  title, MM_L(h.lang, r->note_ja, r->note_en), r->link,
		  MM_L(h.lang, r->link_ja, r->link_en));
	for (size_t i = 0; i < r->nheads; i++)
		th(&h, r->heads[i][0], r->heads[i][1]);
	mm_html_f(&h, "</tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < n; i++)
		row(&h, (const char *)v + i * size);
	if (!n)
		mm_html_f(&h, "<tr><td class=\"empty\" colspan=\"%D\">%s</td></tr>\n",
			  (int64_t)r->nheads, MM_L(h.lang, r->empty_ja, r->empty_en));
	mm_html_f(&h, "</tbody></table></div>\n");
	mm_html_end(&h);
	mm_ctx_close(w, ctx);
	if (rs->body.err)
		mm_html_fail(rq, rs, rs->body.err);
}

void mm_html_privileges(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	static const char *const heads[][2] = {
		{ "氏名", "Person" },  { "ログイン名", "Login" }, { "役割", "Role" },
		{ "開始日", "Since" }, { "終了日", "Until" },	  { "承認", "Approved by" },
	};
	static const struct report r = {
		"特権を持つアカウント",
		"Privileged accounts",
		"本日有効な特権の役割の担当者です（7.2(2)）。特権は申請と承認で付与します。",
		"Holders of privileged roles valid today (7.2(2)). Privileges are granted by "
		"request and approval.",
		"/privilege_requests",
		"特権の申請へ",
		"Privilege requests",
		heads,
		6,
		"特権を持つ人はいません。",
		"Nobody holds a privilege.",
	};
	struct mm_privilege *v = NULL;
	struct mm_ctx ctx;
	size_t n = 0;
	int rc = mm_ctx_open(w, rq, &ctx);

	if (!rc)
		rc = mm_privileges_list(&ctx, &v, &n);
	report_page(rq, rs, w, &ctx, rc, &r, v, n, sizeof(*v), privilege_row);
}

static void conflict_row(struct mm_html *h, const void *item)
{
	const struct mm_sod_conflict *c = item;

	mm_html_f(h,
		  "<tr><td><a href=\"/people/%D\">%s</a></td><td>%s</td><td>%s ／ %s</td>"
		  "<td><a href=\"/%U/%D\">%s</a>",
		  c->person_id, c->person, c->rule, mm_duty_label(c->duty_a, h->lang),
		  mm_duty_label(c->duty_b, h->lang), c->scope_register, c->scope_id, c->scope);
	if (*c->detail)
		mm_html_f(h, " <span class=\"muted\">%s</span>", c->detail);
	mm_html_f(h, "</td></tr>\n");
}

void mm_html_sod_conflicts(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	static const char *const heads[][2] = {
		{ "氏名", "Person" },
		{ "ルール", "Rule" },
		{ "兼ねている職務", "Duties held" },
		{ "対象", "Scope" },
	};
	static const struct report r = {
		"職務分離の違反",
		"Separation-of-duties conflicts",
		"有効な職務分離ルールに反する、現在の割当てです（2.2）。",
		"Current assignments that break an enabled separation-of-duties rule (2.2).",
		"/sod_rules",
		"職務分離ルール",
		"Rules",
		heads,
		4,
		"違反はありません。",
		"No conflicts.",
	};
	struct mm_sod_conflict *v = NULL;
	struct mm_ctx ctx;
	size_t n = 0;
	int rc = mm_ctx_open(w, rq, &ctx);

	if (!rc)
		rc = mm_sod_conflicts(&ctx, &v, &n);
	report_page(rq, rs, w, &ctx, rc, &r, v, n, sizeof(*v), conflict_row);
}
