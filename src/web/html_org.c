/* The organisation chart (2.1, 付表1): the management structure with each
 * role's post, responsibilities and current holders, then the tree of
 * 部/課/係 with the number of people in each. Read from the roles, role
 * holders, sections and people registers; every value is escaped. */
#include "web/html.h"

#include "core/err.h"
#include "domain/principal.h"
#include "domain/registers.h"

#include <stdlib.h>
#include <string.h>

enum { MAX_ROLES = 200, MAX_HOLDINGS = 10000, MAX_SECTIONS = 5000, MAX_DEPTH = 16 };

/* One current holding, with what sorting and display need. */
struct holding {
	int64_t role, person, section;
	const char *section_text; /* "0410 市民課", or "" */
};

struct org {
	struct mm_page roles, secs;
	struct holding *hold;
	size_t nhold;
	bool truncated;
};

static int by_role_section(const void *a, const void *b)
{
	const struct holding *x = a, *y = b;
	int c;

	if (x->role != y->role)
		return x->role < y->role ? -1 : 1;
	c = strcmp(x->section_text, y->section_text);
	if (c)
		return c;
	return x->person < y->person ? -1 : x->person > y->person;
}

/* Reads the active roles, the holdings valid today and the active sections. */
static int load(struct mm_html *h, struct org *o)
{
	struct mm_query q = {
		NULL, 0, NULL, MM_SORT_ID, false, MM_ACTIVE, MAX_ROLES, 0, NULL, NULL
	};
	struct mm_page page;
	char today[11];
	int rc;

	mm_ctx_today(h->ctx, today);
	rc = mm_reg_list(&mm_reg_roles, h->ctx, &q, &o->roles);
	if (!rc) {
		q.limit = MAX_SECTIONS;
		q.sort = SEC_CODE;
		rc = mm_reg_list(&mm_reg_sections, h->ctx, &q, &o->secs);
	}
	if (!rc) {
		q.limit = MAX_HOLDINGS;
		q.sort = MM_SORT_ID;
		rc = mm_reg_list(&mm_reg_role_holders, h->ctx, &q, &page);
	}
	if (rc)
		return rc;
	o->truncated = page.total > (int64_t)page.n;
	o->hold = mm_arena_zalloc(h->rq->a, sizeof(*o->hold) * (page.n + 1));
	if (!o->hold)
		return MM_ENOMEM;
	for (size_t i = 0; i < page.n; i++) {
		const struct mm_record *r = &page.recs[i];
		struct holding *x = &o->hold[o->nhold];

		if ((r->v[RH_FROM].set && strcmp(r->v[RH_FROM].s, today) > 0) ||
		    (r->v[RH_UNTIL].set && strcmp(r->v[RH_UNTIL].s, today) < 0))
			continue;
		x->role = r->v[RH_ROLE].i;
		x->person = r->v[RH_PERSON].i;
		x->section = r->v[RH_SECTION].set ? r->v[RH_SECTION].i : 0;
		x->section_text =
			x->section ? mm_html_ref_text(h, &mm_reg_sections, x->section) : "";
		o->nhold++;
	}
	qsort(o->hold, o->nhold, sizeof(*o->hold), by_role_section);
	return MM_OK;
}

/* Text with its line breaks kept. */
static void lines(struct mm_html *h, const char *s)
{
	while (s && *s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);

		mm_html_esc(h->b, s, n);
		if (!nl)
			break;
		mm_html_f(h, "<br>");
		s = nl + 1;
	}
}

/* The people holding role in section (0: organisation-wide), from i on;
 * returns the index past them. */
static size_t holders(struct mm_html *h, const struct org *o, size_t i)
{
	const struct holding *first = &o->hold[i];

	for (;
	     i < o->nhold && o->hold[i].role == first->role && o->hold[i].section == first->section;
	     i++) {
		struct mm_record p;
		bool ok = mm_reg_get(&mm_reg_people, h->ctx, o->hold[i].person, &p) == MM_OK;

		if (&o->hold[i] != first)
			mm_html_f(h, "<br>");
		mm_html_f(h, "<a href=\"/people/%D\">%s</a>", o->hold[i].person,
			  ok ? p.v[PER_NAME].s : "?");
		if (ok && p.v[PER_TITLE].set)
			mm_html_f(h, " <span class=\"muted\">%s</span>", p.v[PER_TITLE].s);
	}
	return i;
}

/* Who holds a role nobody is named for. */
static const char *implicit(const char *code, enum mm_lang lang)
{
	if (strcmp(code, "staff") == 0)
		return MM_L(lang, "在職中の全職員（雇用区分が委託先の者を除く）",
			    "Every employed person except contractors");
	if (strcmp(code, "contractor") == 0)
		return MM_L(lang, "雇用区分が委託先の者", "People employed as contractors");
	return MM_L(lang, "未任命", "Not appointed");
}

/* A role's name: the register's, or under the English switch the
 * catalogue's English name of a role of 付表1 (the register keeps one
 * name, in Japanese). */
static const char *role_label(struct mm_html *h, const struct mm_record *role)
{
	const char *code = role->v[ROLE_CODE].set ? role->v[ROLE_CODE].s : "";

	if (h->lang == MM_EN && mm_role_find(code) >= 0)
		return mm_msg(MM_EN, mm_html_str(h->rq, "role_%s", code));
	return role->v[ROLE_NAME].set ? role->v[ROLE_NAME].s : "";
}

/* One role: a group of rows, one per section it is held in. */
static void role_rows(struct mm_html *h, const struct org *o, const struct mm_record *role)
{
	const struct mm_field *scope = &mm_reg_roles.schema.fields[ROLE_SCOPE];
	size_t i = 0, nrows = 0;
	int64_t last = -1, span;

	while (i < o->nhold && o->hold[i].role != role->id)
		i++;
	for (size_t k = i; k < o->nhold && o->hold[k].role == role->id; k++) {
		nrows += o->hold[k].section != last;
		last = o->hold[k].section;
	}
	span = (int64_t)(nrows ? nrows : 1);
	mm_html_f(h,
		  "<tbody>\n<tr><th scope=\"rowgroup\" rowspan=\"%D\"><a href=\"/roles/%D\">%s</a>"
		  "</th>\n<td rowspan=\"%D\">",
		  span, role->id, role_label(h, role), span);
	if (role->v[ROLE_APPOINTED].set)
		mm_html_f(h, "%s", role->v[ROLE_APPOINTED].s);
	else
		mm_html_f(h, "<span class=\"muted\">—</span>");
	mm_html_f(h, "</td>\n<td rowspan=\"%D\">", span);
	lines(h, role->v[ROLE_DUTIES].set ? role->v[ROLE_DUTIES].s : "");
	mm_html_f(h, "</td>\n");
	if (!nrows)
		mm_html_f(h, "<td>%s</td><td class=\"muted\">%s</td></tr>\n",
			  mm_html_display(h, scope, &role->v[ROLE_SCOPE]),
			  implicit(role->v[ROLE_CODE].s, h->lang));
	for (size_t row = 0; row < nrows; row++) {
		const struct holding *x = &o->hold[i];

		mm_html_f(h, "%r<td>", row ? "<tr>" : "");
		if (x->section)
			mm_html_f(h, "<a href=\"/sections/%D\">%s</a>", x->section,
				  x->section_text);
		else
			mm_html_f(h, "%s", MM_L(h->lang, "全庁", "Organisation-wide"));
		mm_html_f(h, "</td>\n<td>");
		i = holders(h, o, i);
		mm_html_f(h, "</td></tr>\n");
	}
	mm_html_f(h, "</tbody>\n");
}

/* The roles of 付表1 in its order, then any the city added. */
static void structure(struct mm_html *h, const struct org *o)
{
	mm_html_f(h,
		  "<section>\n<h2>%s</h2>\n<div class=\"table-wrap\">\n<table class=\"grid\">\n"
		  "<caption class=\"sr-only\">%s</caption>\n<thead><tr><th scope=\"col\">%s</th>"
		  "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		  "<th scope=\"col\">%s</th></tr></thead>\n",
		  MM_L(h->lang, "管理体制と職務分掌（付表1）",
		       "Management structure and duties (Table 1)"),
		  MM_L(h->lang, "役割ごとの任命職、責任と権限、現在の担当者",
		       "Each role's post, responsibilities and current holders"),
		  MM_L(h->lang, "名称", "Role"), MM_L(h->lang, "任命職", "Appointed post"),
		  MM_L(h->lang, "責任と権限", "Responsibilities and authority"),
		  MM_L(h->lang, "対象", "Scope"), MM_L(h->lang, "担当者", "Holders"));
	for (int r = 0; r <= MM_ROLE_COUNT; r++) {
		for (size_t i = 0; i < o->roles.n; i++) {
			int known = mm_role_find(o->roles.recs[i].v[ROLE_CODE].s);

			if (r < MM_ROLE_COUNT ? known == r : known < 0)
				role_rows(h, o, &o->roles.recs[i]);
		}
	}
	mm_html_f(h, "</table>\n</div>\n");
	if (o->truncated)
		mm_html_f(h, "<p class=\"note\">%s</p>\n",
			  MM_L(h->lang, "担当者が多いため、一部を表示していません。",
			       "There are too many holders to show them all."));
	mm_html_f(
		h,
		"<p><a href=\"/role_holders\">%s</a> ・ <a href=\"/privileges\">%s</a> ・ "
		"<a href=\"/privilege_requests\">%s</a> ・ <a href=\"/sod/conflicts\">%s</a></p>\n"
		"</section>\n",
		MM_L(h->lang, "役割の担当者の一覧と編集", "List and edit the role holders"),
		MM_L(h->lang, "特権を持つアカウント", "Privileged accounts"),
		MM_L(h->lang, "特権の申請", "Privilege requests"),
		MM_L(h->lang, "職務分離の違反", "Separation-of-duties conflicts"));
}

/* The people in section now, not counting its sub-sections. */
static int64_t headcount(struct mm_html *h, int64_t section)
{
	struct mm_filter f[2] = {
		{ PER_SECTION, MM_OP_EQ, { true, section, NULL } },
		{ PER_STATUS, MM_OP_EQ, { true, 0, "employed" } },
	};
	struct mm_query q = { f, 2, NULL, MM_SORT_ID, false, MM_ACTIVE, 0, 0, NULL, NULL };
	struct mm_page page;

	return mm_reg_list(&mm_reg_people, h->ctx, &q, &page) ? -1 : page.total;
}

static bool listed(const struct mm_page *secs, int64_t id)
{
	for (size_t i = 0; i < secs->n; i++)
		if (secs->recs[i].id == id)
			return true;
	return false;
}

/* The sections under parent (0: the top, and those whose parent is not in
 * use), each with its children. */
static void tree(struct mm_html *h, const struct mm_page *secs, int64_t parent, int depth)
{
	const struct mm_field *kind = &mm_reg_sections.schema.fields[SEC_KIND];
	bool open = false;

	for (size_t i = 0; i < secs->n && depth < MAX_DEPTH; i++) {
		const struct mm_record *s = &secs->recs[i];
		int64_t up = s->v[SEC_PARENT].set ? s->v[SEC_PARENT].i : 0;
		int64_t n;

		if (parent ? up != parent : up && listed(secs, up))
			continue;
		if (!open)
			mm_html_f(h, "<ul>\n");
		open = true;
		n = headcount(h, s->id);
		mm_html_f(h, "<li><a href=\"/sections/%D\">%s</a> <span class=\"muted\">%s", s->id,
			  mm_html_rec_title(h, &mm_reg_sections, s),
			  mm_html_display(h, kind, &s->v[SEC_KIND]));
		if (n >= 0)
			mm_html_f(h, "・%D%s", n,
				  MM_L(h->lang, "人", n == 1 ? " person" : " people"));
		mm_html_f(h, "</span>\n");
		tree(h, secs, s->id, depth + 1);
		mm_html_f(h, "</li>\n");
	}
	if (open)
		mm_html_f(h, "</ul>\n");
}

void mm_html_org(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct org o = { .nhold = 0 };
	struct mm_ctx ctx;
	struct mm_html h;
	const char *title;
	int rc = mm_ctx_open(w, rq, &ctx);

	if (rc) {
		mm_ctx_close(w, &ctx);
		mm_html_fail(rq, rs, rc);
		return;
	}
	mm_html_init(&h, rq, rs, &ctx);
	rc = load(&h, &o);
	if (rc) {
		mm_ctx_close(w, &ctx);
		mm_html_fail(rq, rs, rc);
		return;
	}
	title = MM_L(h.lang, "情報セキュリティ管理体制", "Security organisation");
	mm_html_begin(&h, title);
	mm_html_f(&h, "<h1>%s</h1>\n", title);
	structure(&h, &o);
	mm_html_f(&h, "<section>\n<h2>%s</h2>\n", MM_L(h.lang, "組織", "Sections"));
	tree(&h, &o.secs, 0, 0);
	if (!o.secs.n)
		mm_html_f(&h, "<p class=\"muted\">%s</p>\n",
			  MM_L(h.lang, "組織が登録されていません。", "No sections yet."));
	mm_html_f(&h, "</section>\n");
	mm_html_end(&h);
	mm_ctx_close(w, &ctx);
	if (rs->body.err)
		mm_html_fail(rq, rs, rs->body.err);
}
