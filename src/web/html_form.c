/* The new and edit forms of one record, with their validation messages, and
 * the POST handlers that create, update, retire and restore. Forms work without JavaScript; a
 * form with mistakes comes back with the user's input kept and each message
 * next to its field. */
#include "web/html.h"

#include "core/err.h"
#include "core/slice.h"
#include "domain/access.h"
#include "domain/audit_record.h"

#include <string.h>

enum { MSG_CAP = 4096 };

/* What a form shows: one string per schema field as the user sees it (NULL
 * when absent), the problems found, and the record being edited (id 0 for a
 * new one). */
struct form {
	const char **vals;
	const char **typed; /* a reference's code or name as typed, or NULL */
	const struct mm_ferrs *errs;
	int64_t id, version;
};

/* The kind code that selects the 付表2 criteria: the field named "kind". */
static const char *kind_of(const struct mm_register *r, const char *const *vals)
{
	int fi = mm_schema_field(&r->schema, "kind");

	return fi >= 0 ? vals[fi] : NULL;
}

/* The text of a field error, formatted from the catalogue. */
static const char *ferr_text(struct mm_html *h, const struct mm_ferr *e)
{
	struct mm_buf m;
	const char *out;

	mm_buf_init(&m, MSG_CAP);
	mm_msg_format(&m, h->lang, e->msg, e->label, e->min, e->max);
	out = m.err ? NULL : mm_arena_strndup(h->rq->a, m.data, m.len);
	mm_buf_free(&m);
	return out ? out : e->msg;
}

static const struct mm_ferr *ferr_for(const struct mm_ferrs *errs, const char *field)
{
	for (size_t i = 0; errs && i < errs->n; i++)
		if (strcmp(errs->e[i].field, field) == 0)
			return &errs->e[i];
	return NULL;
}

/* ---- Forms ---- */

/* Opens a field block: label (or legend), 必須 mark, hint and message.
 * Returns the attributes every control of the field carries. */
static const char *field_open(struct mm_html *h, const struct form *fm, const struct mm_field *f,
			      bool group)
{
	const struct mm_ferr *e = ferr_for(fm->errs, f->name);
	bool auto_key = (f->flags & MM_F_AUTO) && !fm->id;
	const char *req = (f->flags & MM_F_REQUIRED) ? MM_L(h->lang, "必須", "Required") : NULL;
	struct mm_req *rq = h->rq;

	if (group)
		mm_html_f(h, "<fieldset class=\"field%r\"><legend>%s", e ? " invalid" : "",
			  mm_field_label(f, h->lang));
	else
		mm_html_f(h, "<div class=\"field%r\"><label for=\"f-%s\">%s", e ? " invalid" : "",
			  f->name, mm_field_label(f, h->lang));
	if (req)
		mm_html_f(h, " <span class=\"req\">%s</span>", req);
	mm_html_f(h, group ? "</legend>\n" : "</label>\n");
	if (auto_key)
		mm_html_f(h, "<p class=\"hint\" id=\"h-%s\">%s</p>\n", f->name,
			  MM_L(h->lang, "空欄なら自動で採番します。",
			       "Leave empty to number it automatically."));
	if (e)
		mm_html_f(h, "<p class=\"field-error\" id=\"e-%s\">%s</p>\n", f->name,
			  ferr_text(h, e));
	if (!e && !auto_key)
		return "";
	return mm_html_str(rq, "%s aria-describedby=\"%s%s%s%s%s\"",
			   e ? " aria-invalid=\"true\"" : "", e ? "e-" : "", e ? f->name : "",
			   e && auto_key ? " " : "", auto_key ? "h-" : "", auto_key ? f->name : "");
}

static void text_input(struct mm_html *h, const struct mm_field *f, const char *val,
		       const char *attrs)
{
	if (f->flags & MM_F_MULTILINE) {
		/* The newline after the tag keeps a value's own leading newline. */
		mm_html_f(h, "<textarea id=\"f-%s\" name=\"%s\" rows=\"5\"", f->name, f->name);
		if (f->max)
			mm_html_f(h, " maxlength=\"%D\"", f->max);
		mm_html_f(h, "%r>\n%s</textarea>\n", attrs, val);
		return;
	}
	mm_html_f(h, "<input type=\"%r\" id=\"f-%s\" name=\"%s\" value=\"%s\"",
		  f->type == MM_FT_DATE ? "date" : "text", f->name, f->name, val);
	if (f->type == MM_FT_TEXT && f->max)
		mm_html_f(h, " maxlength=\"%D\"%r", f->max, f->max <= 40 ? " class=\"short\"" : "");
	mm_html_f(h, "%r>\n", attrs);
}

static void enum_input(struct mm_html *h, const struct mm_field *f, const char *val,
		       const char *attrs)
{
	mm_html_f(h, "<select id=\"f-%s\" name=\"%s\"%r>\n", f->name, f->name, attrs);
	if (!(f->flags & MM_F_REQUIRED) || !*val)
		mm_html_f(h, "<option value=\"\">%s</option>\n",
			  MM_L(h->lang, "（選択してください）", "(choose)"));
	for (size_t i = 0; i < f->nopts; i++)
		mm_html_f(h, "<option value=\"%s\"%r>%s</option>\n", f->opts[i].code,
			  strcmp(val, f->opts[i].code) == 0 ? " selected" : "",
			  MM_L(h->lang, f->opts[i].ja, f->opts[i].en));
	mm_html_f(h, "</select>\n");
}

/* A reference: a choice list, or for a register too large to choose from
 * (a city's thousands of people, a prefecture's sections) its code or name
 * typed as <field>_ref, which form_input resolves. */
static void ref_input(struct mm_html *h, const struct mm_field *f, const char *val,
		      const char *typed, const char *attrs)
{
	const struct mm_register *t = mm_register_find(f->ref);
	int64_t id = 0;

	if (!mm_slice_to_i64(mm_slice_trim(mm_slice_cstr(val)), &id))
		id = 0;
	if (mm_html_ref_typed(h, t)) {
		mm_html_f(h,
			  "<input type=\"text\" id=\"f-%s\" name=\"%s_ref\" value=\"%s\" "
			  "placeholder=\"%s\"%r>\n",
			  f->name, f->name,
			  typed ? typed
			  : id	? mm_html_ref_text(h, t, id)
				: "",
			  MM_L(h->lang, "コードまたは名称", "Code or name"), attrs);
		return;
	}
	mm_html_f(h, "<select id=\"f-%s\" name=\"%s\"%r>\n<option value=\"\">%s</option>\n",
		  f->name, f->name, attrs, MM_L(h->lang, "（選択してください）", "(choose)"));
	mm_html_ref_options(h, f, id);
	mm_html_f(h, "</select>\n");
}

/* All of 付表2 for one field: a row per level, a column per kind. */
static void criteria_table(struct mm_html *h, const struct mm_field *f, int fi, const char *kind)
{
	const struct mm_register *r = h->rq->reg;
	int kfi = mm_schema_field(&r->schema, "kind");
	const struct mm_field *kf = kfi >= 0 ? &r->schema.fields[kfi] : NULL;
	const char *kl;

	if (!kf || kf->type != MM_FT_ENUM || !kf->nopts)
		return;
	/* level_help falls back to the first kind when none is chosen yet. */
	kl = mm_option_label(kf, kind && *kind ? kind : kf->opts[0].code, h->lang);
	mm_html_f(h, "<p class=\"hint\">%s%s%s</p>\n",
		  MM_L(h->lang, "基準は種別によって異なります。上は種別「",
		       "Criteria depend on the kind; shown for \""),
		  kl,
		  MM_L(h->lang, "」の基準です。ほかの種別は下の表をご覧ください。",
		       "\". See the table below for the other kinds."));
	mm_html_f(h,
		  "<details class=\"criteria\"><summary>%s%s</summary>\n<div class=\"table-wrap\">"
		  "<table class=\"grid small\">\n<thead><tr><th scope=\"col\">%s</th>",
		  mm_field_label(f, h->lang),
		  MM_L(h->lang, "の基準（付表2・種別ごと）", " criteria by kind (Appendix 2)"),
		  MM_L(h->lang, "レベル", "Level"));
	for (size_t k = 0; k < kf->nopts; k++)
		mm_html_f(h, "<th scope=\"col\">%s</th>",
			  MM_L(h->lang, kf->opts[k].ja, kf->opts[k].en));
	mm_html_f(h, "</tr></thead>\n<tbody>\n");
	for (int64_t v = f->min; v <= f->max; v++) {
		struct mm_value val = { .set = true, .i = v };

		mm_html_f(h, "<tr><th scope=\"row\">%s</th>", mm_html_display(h, f, &val));
		for (size_t k = 0; k < kf->nopts; k++)
			mm_html_f(h, "<td>%s</td>",
				  r->level_help(fi, kf->opts[k].code, v, h->lang));
		mm_html_f(h, "</tr>\n");
	}
	mm_html_f(h, "</tbody></table></div></details>\n");
}

/* Radio buttons for a level field, each with the criterion for the kind of
 * asset the form currently holds. */
static void level_input(struct mm_html *h, const struct form *fm, const struct mm_field *f, int fi,
			const char *attrs)
{
	const struct mm_register *r = h->rq->reg;
	const char *val = fm->vals[fi] ? fm->vals[fi] : "";
	const char *kind = kind_of(r, fm->vals);
	int64_t cur = 0;

	if (!mm_slice_to_i64(mm_slice_trim(mm_slice_cstr(val)), &cur))
		cur = f->min - 1;
	mm_html_f(h, "<div class=\"levels\">\n");
	if (!(f->flags & MM_F_REQUIRED))
		mm_html_f(h,
			  "<div class=\"level\"><input type=\"radio\" id=\"f-%s-0\" name=\"%s\" "
			  "value=\"\"%r%r><label for=\"f-%s-0\">%s</label></div>\n",
			  f->name, f->name, cur < f->min ? " checked" : "", attrs, f->name,
			  MM_L(h->lang, "未設定", "Not set"));
	for (int64_t v = f->min; v <= f->max; v++) {
		const struct mm_option *o = &f->opts[v - f->min];
		const char *help = r->level_help ? r->level_help(fi, kind, v, h->lang) : NULL;

		mm_html_f(h,
			  "<div class=\"level\"><input type=\"radio\" id=\"f-%s-%D\" name=\"%s\" "
			  "value=\"%D\"%r%r><label for=\"f-%s-%D\"><span class=\"lvl\">%D</span> "
			  "<span class=\"lvl-name\">%s</span>",
			  f->name, v, f->name, v, v == cur ? " checked" : "", attrs, f->name, v, v,
			  MM_L(h->lang, o->ja, o->en));
		if (help)
			mm_html_f(h, "<span class=\"crit\">%s</span>", help);
		mm_html_f(h, "</label></div>\n");
	}
	mm_html_f(h, "</div>\n");
	if (r->level_help)
		criteria_table(h, f, fi, kind);
}

static void field_input(struct mm_html *h, const struct form *fm, int fi)
{
	const struct mm_field *f = &h->rq->reg->schema.fields[fi];
	const char *val = fm->vals[fi] ? fm->vals[fi] : "";
	bool levels = f->type == MM_FT_INT && f->opts;
	const char *attrs = field_open(h, fm, f, levels);

	switch (f->type) {
	case MM_FT_TEXT:
	case MM_FT_DATE:
		text_input(h, f, val, attrs);
		break;
	case MM_FT_ENUM:
		enum_input(h, f, val, attrs);
		break;
	case MM_FT_REF:
		ref_input(h, f, val, fm->typed ? fm->typed[fi] : NULL, attrs);
		break;
	case MM_FT_INT:
		if (levels)
			level_input(h, fm, f, fi, attrs);
		else
			mm_html_f(h,
				  "<input type=\"number\" id=\"f-%s\" name=\"%s\" value=\"%s\" "
				  "min=\"%D\" max=\"%D\" class=\"short\"%r>\n",
				  f->name, f->name, val, f->min, f->max, attrs);
		break;
	}
	mm_html_f(h, levels ? "</fieldset>\n" : "</div>\n");
}

static void summary_item(struct mm_html *h, const struct mm_ferr *e, const struct mm_field *f)
{
	if (f && f->type == MM_FT_INT && f->opts)
		mm_html_f(h, "<li><a href=\"#f-%s-%D\">%s</a></li>\n", e->field,
			  (f->flags & MM_F_REQUIRED) ? f->min : 0, ferr_text(h, e));
	else if (f)
		mm_html_f(h, "<li><a href=\"#f-%s\">%s</a></li>\n", e->field, ferr_text(h, e));
	else
		mm_html_f(h, "<li>%s</li>\n", ferr_text(h, e));
}

/* The list of problems above the form, in the order of the fields, each a
 * link to its field. */
static void error_summary(struct mm_html *h, const struct mm_ferrs *errs)
{
	const struct mm_schema *s = &h->rq->reg->schema;

	if (!errs || !errs->n)
		return;
	mm_html_f(h, "<div class=\"msg error\" role=\"alert\"><p>%s</p>\n<ul>\n",
		  mm_msg(h->lang, "validation"));
	for (size_t i = 0; i < s->nfields; i++)
		for (size_t k = 0; k < errs->n; k++)
			if (strcmp(errs->e[k].field, s->fields[i].name) == 0)
				summary_item(h, &errs->e[k], &s->fields[i]);
	for (size_t k = 0; k < errs->n; k++)
		if (mm_schema_field(s, errs->e[k].field) < 0)
			summary_item(h, &errs->e[k], NULL);
	mm_html_f(h, "</ul></div>\n");
}

static void form_page(struct mm_html *h, const struct form *fm)
{
	const struct mm_register *r = h->rq->reg;
	const char *noun = mm_html_noun(r, h->lang);
	const char *title =
		fm->id ? mm_html_str(h->rq, MM_L(h->lang, "%sの編集", "Edit %s"), noun)
		       : mm_html_str(h->rq, MM_L(h->lang, "%sの新規登録", "New %s"), noun);

	h->self = fm->id ? mm_html_path(h->rq, fm->id, "edit")
			 : mm_html_str(h->rq, "/%s/new", r->schema.name);
	mm_html_begin(h, title);
	mm_html_f(h, "<h1>%s</h1>\n", title);
	error_summary(h, fm->errs);
	mm_html_f(
		h,
		"<p class=\"note\">%s</p>\n<form class=\"record\" method=\"post\" action=\"%s\">\n",
		MM_L(h->lang, "「必須」の項目は必ず入力してください。",
		     "Fields marked \"Required\" must be filled in."),
		fm->id ? mm_html_path(h->rq, fm->id, NULL) : mm_html_path(h->rq, 0, NULL));
	mm_html_csrf(h);
	if (fm->id)
		mm_html_f(h, "<input type=\"hidden\" name=\"version\" value=\"%D\">\n",
			  fm->version);
	for (size_t i = 0; i < r->schema.nfields; i++)
		if (!(r->schema.fields[i].flags & MM_F_DERIVED))
			field_input(h, fm, (int)i);
	mm_html_f(h,
		  "<div class=\"form-actions\"><button type=\"submit\" class=\"btn "
		  "btn-primary\">%s</button>\n"
		  "<a class=\"btn btn-plain\" href=\"%s\">%s</a></div>\n</form>\n",
		  MM_L(h->lang, "保存", "Save"),
		  fm->id ? mm_html_path(h->rq, fm->id, NULL) : mm_html_path(h->rq, 0, NULL),
		  MM_L(h->lang, "キャンセル", "Cancel"));
	mm_html_end(h);
}

/* A stored value as a form shows it. */
static const char *value_text(struct mm_req *rq, const struct mm_field *f, const struct mm_value *v)
{
	if (!v->set)
		return "";
	if (f->type == MM_FT_INT || f->type == MM_FT_REF)
		return mm_html_str(rq, "%lld", (long long)v->i);
	return v->s;
}

void mm_html_new(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct form fm = { .vals = mm_arena_zalloc(rq->a,
						   sizeof(char *) * rq->reg->schema.nfields) };
	struct mm_ctx ctx;
	struct mm_html h;
	int rc = fm.vals ? mm_ctx_open(w, rq, &ctx) : MM_ENOMEM;

	if (!rc && !mm_access_may_create_any(&ctx, rq->reg))
		rc = MM_EPERM;
	if (rc) {
		mm_ctx_close(w, &ctx);
		mm_html_fail(rq, rs, rc);
		return;
	}
	mm_html_init(&h, rq, rs, &ctx);
	form_page(&h, &fm);
	mm_ctx_close(w, &ctx);
	if (rs->body.err)
		mm_html_fail(rq, rs, rs->body.err);
}

void mm_html_edit(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	const struct mm_schema *s = &rq->reg->schema;
	struct form fm = { .vals = mm_arena_zalloc(rq->a, sizeof(char *) * s->nfields) };
	struct mm_record rec;
	struct mm_ctx ctx;
	struct mm_html h;
	bool may = true;
	int rc = fm.vals ? mm_ctx_open(w, rq, &ctx) : MM_ENOMEM;

	if (rc) {
		mm_html_fail(rq, rs, rc);
		return;
	}
	rc = mm_reg_read(rq->reg, &ctx, rq->id, "edit", &rec);
	if (!rc && mm_access_may(&ctx, rq->reg, MM_ACCESS_EDIT, &rec, &may) == MM_OK && !may)
		rc = MM_EPERM;
	if (rc) {
		mm_ctx_close(w, &ctx);
		mm_html_fail(rq, rs, rc);
		return;
	}
	for (size_t i = 0; i < s->nfields; i++)
		fm.vals[i] = value_text(rq, &s->fields[i], &rec.v[i]);
	fm.id = rec.id;
	fm.version = rec.version;
	mm_html_init(&h, rq, rs, &ctx);
	form_page(&h, &fm);
	mm_ctx_close(w, &ctx);
	if (rs->body.err)
		mm_html_fail(rq, rs, rs->body.err);
}

/* ---- Posted forms ---- */

/* The version the form was edited at; false when missing or malformed. */
static bool form_version(struct mm_req *rq, int64_t *version)
{
	const char *v = mm_param_get(rq->form, rq->nform, "version");

	return v && mm_slice_to_i64(mm_slice_trim(mm_slice_cstr(v)), version) && *version > 0;
}

/* The id a reference typed as its code or name (<field>_ref) names, as
 * text for the input, to *out; "" for an empty text. A text that names no
 * record the reader sees, or several, is an error of the field (*out
 * NULL). */
static int typed_ref(struct mm_req *rq, struct mm_ctx *ctx, const struct mm_field *f,
		     const char *text, struct mm_ferrs *errs, const char **out)
{
	struct mm_slice t = mm_slice_trim(mm_slice_cstr(text));
	int64_t id = 0;
	int rc;

	*out = "";
	if (t.len == 0)
		return MM_OK;
	rc = mm_reg_resolve(mm_register_find(f->ref), ctx, t.ptr, t.len, &id);
	if (rc == MM_ENOTFOUND || rc == MM_ECONFLICT) {
		mm_ferr_add(errs, f, f->name, "bad_ref", rq->lang);
		*out = NULL;
		return MM_OK;
	}
	*out = rc ? NULL : mm_html_str(rq, "%lld", (long long)id);
	return rc;
}

/* One input item per schema field the form sent, empty ones included so
 * that clearing a field works. An automatic key left empty on an edit keeps
 * its number. vals receives what the user typed, typed a reference typed as
 * its code or name (resolved here; errs gets those that name no record). */
static int form_input(struct mm_req *rq, struct mm_ctx *ctx, bool update, struct mm_input *in,
		      const char **vals, const char **typed, struct mm_ferrs *errs)
{
	const struct mm_register *r = rq->reg;
	const struct mm_schema *s = &r->schema;

	memset(in, 0, sizeof(*in));
	in->mode = MM_IN_FORM;
	in->items = mm_arena_zalloc(rq->a, sizeof(*in->items) * (s->nfields + 1));
	if (!in->items)
		return MM_ENOMEM;
	for (size_t i = 0; i < s->nfields; i++) {
		const struct mm_field *f = &s->fields[i];
		const char *v = mm_param_get(rq->form, rq->nform, f->name);

		if (!v && f->type == MM_FT_REF && !(f->flags & MM_F_DERIVED)) {
			int rc;

			typed[i] = mm_param_get(rq->form, rq->nform,
						mm_html_str(rq, "%s_ref", f->name));
			if (!typed[i])
				continue;
			rc = typed_ref(rq, ctx, f, typed[i], errs, &v);
			if (rc)
				return rc;
			if (!v)
				continue;
		}
		vals[i] = v;
		if (!v || (f->flags & MM_F_DERIVED))
			continue;
		if (update && (int)i == r->key_field && (f->flags & MM_F_AUTO) &&
		    mm_slice_trim(mm_slice_cstr(v)).len == 0)
			continue;
		in->items[in->n++] = (struct mm_in){
			.name = f->name, .kind = MM_IN_STR, .s = v, .len = strlen(v)
		};
	}
	return MM_OK;
}

/* Someone saved the record first: say so, link to the latest version and
 * show what this user typed so that nothing is lost. */
static void conflict_page(struct mm_html *h, int64_t id, const char *const *vals)
{
	const struct mm_schema *s = &h->rq->reg->schema;
	const char *title = MM_L(h->lang, "更新が競合しました", "Edit conflict");

	h->self = mm_html_path(h->rq, id, NULL);
	mm_html_begin(h, title);
	mm_html_f(h,
		  "<h1>%s</h1>\n<p class=\"msg error\" role=\"alert\">%s</p>\n"
		  "<p><a class=\"btn btn-primary\" href=\"%s\">%s</a></p>\n",
		  title, mm_msg(h->lang, "conflict"), mm_html_path(h->rq, id, NULL),
		  MM_L(h->lang, "最新の内容を表示", "Show the latest version"));
	if (vals) {
		mm_html_f(h, "<details open><summary>%s</summary>\n<dl class=\"fields\">\n",
			  MM_L(h->lang, "あなたが入力した内容（保存されていません）",
			       "What you entered (not saved)"));
		for (size_t i = 0; i < s->nfields; i++)
			if (vals[i])
				mm_html_f(h,
					  "<div class=\"row\"><dt>%s</dt><dd "
					  "class=\"multiline\">%s</dd></div>\n",
					  mm_field_label(&s->fields[i], h->lang), vals[i]);
		mm_html_f(h, "</dl></details>\n");
	}
	mm_html_end(h);
}

static void save(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs, bool update)
{
	struct mm_ferrs errs = { .n = 0 };
	struct form fm = { .errs = &errs, .id = update ? rq->id : 0 };
	struct mm_input in;
	struct mm_record rec;
	struct mm_ctx ctx;
	struct mm_html h;
	int rc;

	if (!mm_html_read_form(rq, rs))
		return;
	if (update && !form_version(rq, &fm.version)) {
		mm_html_error(rq, rs, 400, "bad_version");
		return;
	}
	fm.vals = mm_arena_zalloc(rq->a, sizeof(char *) * rq->reg->schema.nfields);
	fm.typed = mm_arena_zalloc(rq->a, sizeof(char *) * rq->reg->schema.nfields);
	rc = fm.vals && fm.typed ? mm_ctx_open(w, rq, &ctx) : MM_ENOMEM;
	if (rc) {
		mm_html_fail(rq, rs, rc);
		return;
	}
	rc = form_input(rq, &ctx, update, &in, fm.vals, fm.typed, &errs);
	/* A typed reference that names no record: nothing is saved. */
	if (!rc && errs.n)
		rc = MM_EVALIDATE;
	else if (!rc && update)
		rc = mm_reg_update(rq->reg, &ctx, rq->id, fm.version, &in, &errs, &rec);
	else if (!rc)
		rc = mm_reg_create(rq->reg, &ctx, &in, &errs, &rec);
	mm_html_init(&h, rq, rs, &ctx);
	if (rc == MM_EVALIDATE) {
		form_page(&h, &fm);
		rs->status = 422;
	} else if (rc == MM_ECONFLICT) {
		conflict_page(&h, rq->id, fm.vals);
		rs->status = 409;
	} else if (rc) {
		mm_html_refused(rq, rs, rc, ctx.refusal);
	} else {
		mm_resp_redirect(rs, mm_html_path(rq, rec.id, NULL));
	}
	mm_ctx_close(w, &ctx);
	if (rs->body.err)
		mm_html_fail(rq, rs, rs->body.err);
}

void mm_html_create(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	save(w, rq, rs, false);
}

void mm_html_update(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	save(w, rq, rs, true);
}

static void set_retired(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs, bool retire)
{
	struct mm_record rec;
	struct mm_ctx ctx;
	struct mm_html h;
	int64_t version;
	int rc;

	if (!mm_html_read_form(rq, rs))
		return;
	if (!form_version(rq, &version)) {
		mm_html_error(rq, rs, 400, "bad_version");
		return;
	}
	rc = mm_ctx_open(w, rq, &ctx);
	if (rc) {
		mm_html_fail(rq, rs, rc);
		return;
	}
	rc = mm_reg_set_retired(rq->reg, &ctx, rq->id, version, retire, &rec);
	if (rc == MM_EINVAL) {
		mm_html_error(rq, rs, 409, retire ? "already_retired" : "not_retired");
	} else if (rc == MM_ECONFLICT) {
		mm_html_init(&h, rq, rs, &ctx);
		conflict_page(&h, rq->id, NULL);
		rs->status = 409;
	} else if (rc) {
		mm_html_refused(rq, rs, rc, ctx.refusal);
	} else {
		mm_resp_redirect(rs, mm_html_path(rq, rq->id, NULL));
	}
	mm_ctx_close(w, &ctx);
}

void mm_html_retire(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	set_retired(w, rq, rs, true);
}

void mm_html_restore(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	set_retired(w, rq, rs, false);
}
