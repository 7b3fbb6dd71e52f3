/* One record in HTML: the detail page with its change history. The forms
 * and the POST handlers that change a record are in html_form.c. */
#include "web/html.h"

#include "core/err.h"
#include "core/slice.h"
#include "domain/audit_record.h"
#include "domain/access.h"

#include <jansson.h>
#include <string.h>

static const char *retire_label(const struct mm_register *r, enum mm_lang lang)
{
	if (lang == MM_EN)
		return "Retire";
	if (strcmp(r->retired_ja, "無効") == 0)
		return "無効にする";
	return strcmp(r->retired_ja, "廃止") == 0 ? "廃止する" : "廃棄する";
}

static const char *action_label(const struct mm_register *r, const char *action, enum mm_lang lang)
{
	static const struct {
		const char *code, *ja, *en;
	} actions[] = {
		{ "create", "登録", "Created" },
		{ "update", "更新", "Updated" },
		{ "restore", "復元", "Restored" },
		{ "import", "取込", "Imported" },
	};

	const struct mm_transition *t = mm_wf_find(r, action);

	if (t)
		return MM_L(lang, t->label_ja, t->label_en);
	if (strcmp(action, "retire") == 0)
		return MM_L(lang, r->retired_ja, r->retired_en);
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strcmp(action, actions[i].code) == 0)
			return MM_L(lang, actions[i].ja, actions[i].en);
	return action;
}

/* ---- Detail page ---- */

void mm_html_level_help(struct mm_html *h, const struct mm_register *r, int fi, const char *kind,
			const struct mm_value *v)
{
	const char *text;

	if (!r->level_help || !v->set)
		return;
	text = r->level_help(fi, kind, v->i, h->lang);
	if (text)
		mm_html_f(h, "<span class=\"crit\">%s</span>", text);
}

static void field_rows(struct mm_html *h, const struct mm_record *rec)
{
	const struct mm_register *r = h->rq->reg;
	int kfi = mm_schema_field(&r->schema, "kind");
	const char *kind = kfi >= 0 && rec->v[kfi].set ? rec->v[kfi].s : NULL;

	mm_html_f(h, "<dl class=\"fields\">\n");
	for (size_t i = 0; i < r->schema.nfields; i++) {
		const struct mm_field *f = &r->schema.fields[i];
		const struct mm_value *v = &rec->v[i];
		const char *text = mm_html_display(h, f, v);

		mm_html_f(h, "<div class=\"row\"><dt>%s</dt><dd%r>", mm_field_label(f, h->lang),
			  f->flags & MM_F_MULTILINE ? " class=\"multiline\"" : "");
		if (!v->set)
			mm_html_f(h, "<span class=\"muted\">—</span>");
		else if (f->type == MM_FT_REF)
			mm_html_f(h, "<a href=\"/%U/%D\">%s</a>", f->ref, v->i, text);
		else
			mm_html_f(h, "%s", text);
		if (f->type == MM_FT_INT && f->opts)
			mm_html_level_help(h, r, (int)i, kind, v);
		mm_html_f(h, "</dd></div>\n");
	}
	mm_html_f(h, "</dl>\n");
}

static void system_rows(struct mm_html *h, const struct mm_record *rec)
{
	const struct mm_register *r = h->rq->reg;

	mm_html_f(h,
		  "<dl class=\"fields sys\">\n"
		  "<div class=\"row\"><dt>%s</dt><dd>%s</dd></div>\n"
		  "<div class=\"row\"><dt>ID</dt><dd>%D</dd></div>\n"
		  "<div class=\"row\"><dt>%s</dt><dd>%D</dd></div>\n"
		  "<div class=\"row\"><dt>%s</dt><dd>%s</dd></div>\n"
		  "<div class=\"row\"><dt>%s</dt><dd>%s</dd></div>\n"
		  "<div class=\"row\"><dt>%s</dt><dd>%s</dd></div>\n</dl>\n",
		  MM_L(h->lang, "状態", "Status"),
		  rec->retired ? MM_L(h->lang, r->retired_ja, r->retired_en)
			       : MM_L(h->lang, "使用中", "In use"),
		  rec->id, MM_L(h->lang, "版", "Version"), rec->version,
		  MM_L(h->lang, "登録日時", "Created"), mm_html_jst(h, rec->created_at),
		  MM_L(h->lang, "更新日時", "Updated"), mm_html_jst(h, rec->updated_at),
		  MM_L(h->lang, "更新者", "Updated by"), rec->updated_by);
}

/* A value stored in a history entry, read back into a record value. */
static struct mm_value json_to_value(struct mm_html *h, json_t *j)
{
	struct mm_value v = { .set = false };

	if (json_is_integer(j)) {
		v.set = true;
		v.i = json_integer_value(j);
	} else if (json_is_string(j)) {
		v.s = mm_arena_strndup(h->rq->a, json_string_value(j), json_string_length(j));
		v.set = v.s != NULL;
	}
	return v;
}

/* The changes of one history entry: "label: old → new" per field. */
static void changes(struct mm_html *h, const struct mm_hist *e)
{
	const struct mm_schema *s = &h->rq->reg->schema;
	const char *none = MM_L(h->lang, "（なし）", "(none)");
	json_t *root = e->changes ? json_loads(e->changes, 0, NULL) : NULL;
	bool open = false;
	const char *key;
	json_t *pair;

	json_object_foreach(root, key, pair)
	{
		int fi = mm_schema_field(s, key);
		struct mm_value o, n;
		const char *ot, *nt;

		if (fi < 0 && strcmp(key, "comment") == 0 && json_is_string(pair)) {
			mm_html_f(h, "%r<li><span class=\"k\">%s</span>: %s</li>\n",
				  open ? "" : "<ul class=\"changes\">\n",
				  MM_L(h->lang, "コメント", "Comment"), json_string_value(pair));
			open = true;
			continue;
		}
		if (fi < 0 || !json_is_array(pair) || json_array_size(pair) != 2)
			continue; /* "retired" is told by the action column */
		o = json_to_value(h, json_array_get(pair, 0));
		n = json_to_value(h, json_array_get(pair, 1));
		ot = mm_html_display(h, &s->fields[fi], &o);
		nt = mm_html_display(h, &s->fields[fi], &n);
		mm_html_f(h, "%r<li><span class=\"k\">%s</span>: ",
			  open ? "" : "<ul class=\"changes\">\n",
			  mm_field_label(&s->fields[fi], h->lang));
		open = true;
		/* A new record has no old values worth a column of （なし）. */
		if (o.set || (strcmp(e->action, "create") != 0 && strcmp(e->action, "import") != 0))
			mm_html_f(h,
				  "%s <span aria-hidden=\"true\">→</span><span "
				  "class=\"sr-only\">%s</span> ",
				  *ot ? ot : none, MM_L(h->lang, "から", "to"));
		mm_html_f(h, "%s</li>\n", *nt ? nt : none);
	}
	if (open)
		mm_html_f(h, "</ul>\n");
	json_decref(root);
}

static void history(struct mm_html *h, const struct mm_hist *hist, size_t n)
{
	mm_html_f(h,
		  "<section class=\"history\"><h2>%s</h2>\n<div class=\"table-wrap\">\n"
		  "<table class=\"grid\">\n<thead><tr><th scope=\"col\">%s</th>"
		  "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		  "<th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
		  MM_L(h->lang, "変更履歴", "History"), MM_L(h->lang, "版", "Version"),
		  MM_L(h->lang, "日時", "Date"), MM_L(h->lang, "変更者", "By"),
		  MM_L(h->lang, "操作", "Action"), MM_L(h->lang, "変更内容", "Changes"));
	for (size_t i = n; i-- > 0;) {
		const struct mm_hist *e = &hist[i];

		mm_html_f(h,
			  "<tr><td class=\"num\">%D</td><td class=\"nowrap\">%s</td><td>%s</td>"
			  "<td class=\"nowrap\">%s</td><td>",
			  e->version, mm_html_jst(h, e->at), e->actor,
			  action_label(h->rq->reg, e->action, h->lang));
		changes(h, e);
		mm_html_f(h, "</td></tr>\n");
	}
	if (n == 0)
		mm_html_f(h, "<tr><td class=\"empty\" colspan=\"5\">%s</td></tr>\n",
			  MM_L(h->lang, "履歴はありません。", "No history."));
	mm_html_f(h, "</tbody>\n</table>\n</div>\n</section>\n");
}

/* The edit and retire buttons, each only for those who may use it. */
static void detail_actions(struct mm_html *h, const struct mm_record *rec)
{
	const struct mm_register *r = h->rq->reg;
	bool edit = false, retire = false;

	if (mm_access_may(h->ctx, r, MM_ACCESS_EDIT, rec, &edit))
		edit = false;
	if (mm_access_may(h->ctx, r, MM_ACCESS_RETIRE, rec, &retire))
		retire = false;
	mm_html_f(h, "<div class=\"toolbar no-print\">\n");
	if (edit)
		mm_html_f(h, "<a class=\"btn btn-primary\" href=\"%s\">%s</a>\n",
			  mm_html_path(h->rq, rec->id, "edit"), MM_L(h->lang, "編集", "Edit"));
	if (retire) {
		mm_html_f(h,
			  "<form class=\"inline\" method=\"post\" action=\"%s\">\n"
			  "<input type=\"hidden\" name=\"version\" value=\"%D\">\n",
			  mm_html_path(h->rq, rec->id, rec->retired ? "restore" : "retire"),
			  rec->version);
		mm_html_csrf(h);
		mm_html_f(h, "<button type=\"submit\" class=\"btn %r\">%s</button>\n</form>\n",
			  rec->retired ? "" : "btn-danger",
			  rec->retired ? MM_L(h->lang, "元に戻す", "Restore")
				       : retire_label(r, h->lang));
	}
	mm_html_f(h,
		  "<span class=\"spacer\"></span>\n<a class=\"btn btn-plain\" href=\"/%U\">%s</a>\n"
		  "</div>\n",
		  r->schema.name, MM_L(h->lang, "一覧に戻る", "Back to the list"));
}

void mm_html_detail(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	const struct mm_register *r = rq->reg;
	struct mm_record rec;
	struct mm_hist *hist = NULL;
	struct mm_ctx ctx;
	struct mm_html h;
	size_t n = 0;
	const char *title;
	int rc = mm_ctx_open(w, rq, &ctx);

	if (!rc)
		rc = mm_reg_read(r, &ctx, rq->id, "page", &rec);
	if (!rc)
		rc = mm_reg_history(r, &ctx, rq->id, &hist, &n);
	if (rc) {
		mm_ctx_close(w, &ctx);
		mm_html_fail(rq, rs, rc);
		return;
	}
	mm_html_init(&h, rq, rs, &ctx);
	title = mm_html_rec_title(&h, r, &rec);
	mm_html_begin(&h, title);
	mm_html_f(&h, "<h1><span class=\"noun\">%s</span> %s", mm_html_reg_label(r, h.lang), title);
	if (rec.retired)
		mm_html_f(&h, " <span class=\"badge retired\">%s</span>",
			  MM_L(h.lang, r->retired_ja, r->retired_en));
	mm_html_f(&h, "</h1>\n");
	detail_actions(&h, &rec);
	mm_html_transitions(&h, &rec);
	mm_html_f(&h, "<section><h2>%s</h2>\n", MM_L(h.lang, "登録内容", "Details"));
	field_rows(&h, &rec);
	mm_html_f(&h, "</section>\n<section><h2>%s</h2>\n", MM_L(h.lang, "管理情報", "Record"));
	system_rows(&h, &rec);
	mm_html_f(&h, "</section>\n");
	mm_html_grants(&h, &rec);
	mm_html_viewers(&h, r, &rec);
	history(&h, hist, n);
	mm_html_end(&h);
	mm_ctx_close(w, &ctx);
	if (rs->body.err)
		mm_html_fail(rq, rs, rs->body.err);
}
