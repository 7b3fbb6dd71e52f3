/* The frame every HTML page shares: escaping, the layout with the register
 * menu and the language switch, error pages, links that keep the list's
 * parameters, and how field values are shown. Also the two pages that are
 * only redirects: the home page and the language switch. */
#include "web/html.h"

#include "domain/principal.h"

#include "core/datetime.h"
#include "core/err.h"

#include <stdarg.h>
#include <string.h>
#include <strings.h>

enum {
	URL_CAP = 64 * 1024,
	TEXT_CAP = 16 * 1024,
	REF_OPTIONS_MAX = 500,
	NEXT_MAX = 2048,
};

void mm_html_init(struct mm_html *h, struct mm_req *rq, struct mm_resp *rs, struct mm_ctx *ctx)
{
	memset(h, 0, sizeof(*h));
	h->b = &rs->body;
	h->rq = rq;
	h->ctx = ctx;
	h->lang = rq->lang;
	mm_buf_reset(&rs->body);
	rs->status = 200;
	rs->content_type = "text/html; charset=utf-8";
}

void mm_html_esc(struct mm_buf *b, const char *s, size_t n)
{
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		const char *ref;

		switch (s[i]) {
		case '&':
			ref = "&amp;";
			break;
		case '<':
			ref = "&lt;";
			break;
		case '>':
			ref = "&gt;";
			break;
		case '"':
			ref = "&quot;";
			break;
		case '\'':
			ref = "&#39;";
			break;
		default:
			continue;
		}
		mm_buf_add(b, s + run, i - run);
		mm_buf_adds(b, ref);
		run = i + 1;
	}
	mm_buf_add(b, s + run, n - run);
}

void mm_html_urlenc(struct mm_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' || *p == '~') {
			mm_buf_addc(b, (char)*p);
		} else {
			mm_buf_addc(b, '%');
			mm_buf_addc(b, hex[*p >> 4]);
			mm_buf_addc(b, hex[*p & 15]);
		}
	}
}

/* Appends v with a comma every three digits: 1,234,567. */
static void add_grouped(struct mm_buf *b, int64_t v)
{
	char tmp[32];
	size_t n = 0, len;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		if (n % 4 == 3)
			tmp[n++] = ',';
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[n++] = '-';
	len = n;
	for (size_t i = 0; i < len; i++)
		mm_buf_addc(b, tmp[len - 1 - i]);
}

void mm_html_f(struct mm_html *h, const char *fmt, ...)
{
	va_list ap;
	const char *p = fmt;

	va_start(ap, fmt);
	while (*p) {
		const char *pct = strchr(p, '%');
		const char *s;

		if (!pct) {
			mm_buf_adds(h->b, p);
			break;
		}
		mm_buf_add(h->b, p, (size_t)(pct - p));
		switch (pct[1]) {
		case 's':
			s = va_arg(ap, const char *);
			if (s)
				mm_html_esc(h->b, s, strlen(s));
			break;
		case 'r':
			s = va_arg(ap, const char *);
			if (s)
				mm_buf_adds(h->b, s);
			break;
		case 'U':
			s = va_arg(ap, const char *);
			if (s)
				mm_html_urlenc(h->b, s);
			break;
		case 'd':
			mm_buf_addi(h->b, va_arg(ap, int));
			break;
		case 'D':
			mm_buf_addi(h->b, va_arg(ap, int64_t));
			break;
		case 'N':
			add_grouped(h->b, va_arg(ap, int64_t));
			break;
		case '%':
			mm_buf_addc(h->b, '%');
			break;
		default: /* a mistake in a literal format: show it rather than guess */
			mm_buf_addc(h->b, '%');
			if (!pct[1])
				goto out;
			mm_buf_addc(h->b, pct[1]);
			break;
		}
		p = pct + 2;
	}
out:
	va_end(ap);
}

const char *mm_html_str(struct mm_req *rq, const char *fmt, ...)
{
	struct mm_buf b;
	va_list ap;
	const char *out;

	mm_buf_init(&b, TEXT_CAP);
	va_start(ap, fmt);
	mm_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	out = b.err ? NULL : mm_arena_strndup(rq->a, b.data, b.len);
	mm_buf_free(&b);
	return out ? out : "";
}

const char *mm_html_reg_label(const struct mm_register *r, enum mm_lang lang)
{
	return MM_L(lang, r->label_ja, r->label_en);
}

const char *mm_html_noun(const struct mm_register *r, enum mm_lang lang)
{
	return MM_L(lang, r->noun_ja, r->noun_en);
}

/* The address the language switch returns to: this page for GET, otherwise
 * the register's list (a form that was posted cannot be fetched again). */
static const char *self_url(struct mm_html *h)
{
	struct mm_req *rq = h->rq;

	if (h->self)
		return h->self;
	if (strcmp(rq->method, "GET") == 0 || strcmp(rq->method, "HEAD") == 0)
		return mm_html_url(rq, rq->path, NULL, NULL, NULL);
	return rq->reg ? mm_html_path(rq, 0, NULL) : "/";
}

void mm_html_csrf(struct mm_html *h)
{
	if (h->rq->csrf)
		mm_html_f(h, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", h->rq->csrf);
}

static void site_header(struct mm_html *h)
{
	enum mm_lang other = h->lang == MM_EN ? MM_JA : MM_EN;

	mm_html_f(h,
		  "<a class=\"skip\" href=\"#main\">%s</a>\n"
		  "<header class=\"site\"><div class=\"bar\">\n"
		  "<a class=\"brand\" href=\"/\">mamori <span lang=\"ja\">守り</span></a>\n"
		  "<nav class=\"regs\" aria-label=\"%s\"><ul>\n",
		  MM_L(h->lang, "本文へ移動", "Skip to content"),
		  MM_L(h->lang, "台帳", "Registers"));
	for (size_t i = 0; i < mm_nregisters; i++) {
		const struct mm_register *r = mm_registers[i];

		mm_html_f(h, "<li><a href=\"/%U\"%r>%s</a></li>\n", r->schema.name,
			  r == h->rq->reg ? " aria-current=\"page\"" : "",
			  mm_html_reg_label(r, h->lang));
	}
	if (h->rq->who)
		mm_html_f(h, "<li><a href=\"/org\">%s</a></li>\n",
			  MM_L(h->lang, "管理体制", "Organisation"));
	if (h->rq->who && (mm_has_role(h->rq->who, MM_ROLE_SECRETARIAT) ||
			   mm_has_role(h->rq->who, MM_ROLE_AUDITOR)))
		mm_html_f(h, "<li><a href=\"/audit\">%s</a></li>\n",
			  MM_L(h->lang, "監査ログ", "Audit log"));
	mm_html_f(h, "</ul></nav>\n");
	if (h->rq->who) {
		mm_html_f(h,
			  "<a class=\"me\" href=\"/account\">%s</a>\n"
			  "<form class=\"inline signout\" method=\"post\" action=\"/signout\">",
			  h->rq->who->name ? h->rq->who->name : h->rq->who->login);
		mm_html_csrf(h);
		mm_html_f(h, "<button type=\"submit\" class=\"btn btn-plain\">%s</button></form>\n",
			  MM_L(h->lang, "ログアウト", "Sign out"));
	}
	mm_html_f(h,
		  "<a class=\"lang\" href=\"/lang?to=%r&amp;next=%U\" hreflang=\"%r\" "
		  "lang=\"%r\">%s</a>\n"
		  "</div></header>\n",
		  other == MM_EN ? "en" : "ja", self_url(h), other == MM_EN ? "en" : "ja",
		  other == MM_EN ? "en" : "ja", other == MM_EN ? "English" : "日本語");
}

void mm_html_begin(struct mm_html *h, const char *title)
{
	char now[17];

	mm_html_f(h,
		  "<!DOCTYPE html>\n<html lang=\"%r\">\n<head>\n<meta charset=\"utf-8\">\n"
		  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		  "<title>%s - mamori</title>\n"
		  "<link rel=\"stylesheet\" href=\"/static/mamori.css\">\n"
		  "</head>\n<body>\n",
		  h->lang == MM_EN ? "en" : "ja", title);
	site_header(h);
	mm_html_f(h, "<main id=\"main\" tabindex=\"-1\">\n");
	mm_html_clock_banner(h);
	mm_time_jst(mm_now(), now);
	mm_html_f(h,
		  "<div class=\"print-head print-only\"><span class=\"print-title\">%s</span>"
		  "<span class=\"print-date\">%s %s</span></div>\n",
		  h->rq->reg ? mm_html_reg_label(h->rq->reg, h->lang) : "mamori",
		  MM_L(h->lang, "出力日時", "Printed"), now);
}

void mm_html_end(struct mm_html *h)
{
	mm_html_f(h,
		  "</main>\n<footer class=\"site\"><p>mamori %s</p></footer>\n"
		  "</body>\n</html>\n",
		  MM_L(h->lang, "情報セキュリティ管理システム",
		       "information security management system"));
}

static const char *error_title(int status, const char *msg_id, enum mm_lang lang)
{
	if (msg_id && strcmp(msg_id, "storage") == 0)
		return MM_L(lang, "保存できませんでした", "Could not save");
	switch (status) {
	case 400:
		return MM_L(lang, "送信内容に誤りがあります", "Bad request");
	case 403:
		return MM_L(lang, "権限がありません", "Not permitted");
	case 404:
		return MM_L(lang, "見つかりません", "Not found");
	case 409:
		return MM_L(lang, "更新できませんでした", "Could not update");
	case 413:
		return MM_L(lang, "送信データが大きすぎます", "Request too large");
	case 415:
		return MM_L(lang, "受け付けられない形式です", "Unsupported format");
	case 503:
		return MM_L(lang, "ただいま混み合っています", "Server busy");
	default:
		return MM_L(lang, "エラーが発生しました", "An error occurred");
	}
}

/* The error page of status with its title (the status's, or msg_id's own
 * when it has one) and text. */
static void error_page(struct mm_req *rq, struct mm_resp *rs, int status, const char *msg_id,
		       const char *text)
{
	struct mm_html h;
	const char *title;

	mm_html_init(&h, rq, rs, NULL);
	rs->status = status;
	title = error_title(status, msg_id, h.lang);
	mm_html_begin(&h, title);
	mm_html_f(&h, "<h1>%s</h1>\n<p class=\"msg error\" role=\"alert\">%s</p>\n", title, text);
	if (rq->reg)
		mm_html_f(&h, "<p><a class=\"btn\" href=\"/%U\">%s</a></p>\n", rq->reg->schema.name,
			  MM_L(h.lang, "一覧に戻る", "Back to the list"));
	else
		mm_html_f(&h, "<p><a class=\"btn\" href=\"/\">%s</a></p>\n",
			  MM_L(h.lang, "トップへ戻る", "Back to the start"));
	mm_html_end(&h);
}

void mm_html_error_text(struct mm_req *rq, struct mm_resp *rs, int status, const char *text)
{
	error_page(rq, rs, status, NULL, text);
}

void mm_html_error(struct mm_req *rq, struct mm_resp *rs, int status, const char *msg_id)
{
	error_page(rq, rs, status, msg_id, mm_msg(rq->lang, msg_id));
}

void mm_html_refused(struct mm_req *rq, struct mm_resp *rs, int err, const char *refusal)
{
	if (refusal && err == MM_EPERM)
		mm_html_error(rq, rs, 403, refusal);
	else if (refusal && err == MM_ECONFLICT)
		mm_html_error(rq, rs, 409, refusal);
	else
		mm_html_fail(rq, rs, err);
}

void mm_html_fail(struct mm_req *rq, struct mm_resp *rs, int err)
{
	switch (err) {
	case MM_ENOTFOUND:
		mm_html_error(rq, rs, 404, "not_found");
		break;
	case MM_ECONFLICT:
		mm_html_error(rq, rs, 409, "conflict");
		break;
	case MM_EPERM:
		mm_html_error(rq, rs, 403, "forbidden");
		break;
	case MM_ETOOBIG:
		mm_html_error(rq, rs, 413, "too_big");
		break;
	case MM_EBUSY:
		mm_html_error(rq, rs, 503, "busy");
		break;
	case MM_EIO:
		mm_html_error(rq, rs, 503, "storage");
		break;
	default:
		mm_html_error(rq, rs, 500, "internal");
		break;
	}
}

static bool dropped(const char *name, const char *const *drop)
{
	for (; drop && *drop; drop++)
		if (strcmp(name, *drop) == 0)
			return true;
	return false;
}

const char *mm_html_url(struct mm_req *rq, const char *path, const char *const *drop,
			const char *name, const char *value)
{
	struct mm_buf b;
	char sep = '?';
	const char *out;

	mm_buf_init(&b, URL_CAP);
	mm_buf_adds(&b, path);
	for (size_t i = 0; i < rq->nquery; i++) {
		const struct mm_param *p = &rq->query[i];

		if (!p->value || !*p->value || dropped(p->name, drop) ||
		    (name && strcmp(p->name, name) == 0))
			continue;
		mm_buf_addc(&b, sep);
		sep = '&';
		mm_html_urlenc(&b, p->name);
		mm_buf_addc(&b, '=');
		mm_html_urlenc(&b, p->value);
	}
	if (name) {
		mm_buf_addc(&b, sep);
		mm_html_urlenc(&b, name);
		mm_buf_addc(&b, '=');
		mm_html_urlenc(&b, value);
	}
	out = b.err ? NULL : mm_arena_strndup(rq->a, b.data, b.len);
	mm_buf_free(&b);
	return out ? out : path;
}

const char *mm_html_path(struct mm_req *rq, int64_t id, const char *suffix)
{
	const char *name = rq->reg->schema.name;

	if (!id)
		return mm_html_str(rq, "/%s", name);
	if (!suffix)
		return mm_html_str(rq, "/%s/%lld", name, (long long)id);
	return mm_html_str(rq, "/%s/%lld/%s", name, (long long)id, suffix);
}

static void cache_ref(struct mm_html *h, const struct mm_register *r, int64_t id, const char *text)
{
	if (h->nrefs == h->caprefs) {
		size_t cap = h->caprefs ? h->caprefs * 2 : 64;
		struct mm_html_ref *n = mm_arena_alloc(h->rq->a, sizeof(*n) * cap);

		if (!n)
			return;
		if (h->nrefs)
			memcpy(n, h->refs, sizeof(*n) * h->nrefs);
		h->refs = n;
		h->caprefs = cap;
	}
	h->refs[h->nrefs++] = (struct mm_html_ref){ r, id, text };
}

static const char *cached_ref(const struct mm_html *h, const struct mm_register *r, int64_t id)
{
	for (size_t i = 0; i < h->nrefs; i++)
		if (h->refs[i].r == r && h->refs[i].id == id)
			return h->refs[i].text;
	return NULL;
}

void mm_html_ref_prefetch(struct mm_html *h, const struct mm_register *r, const int64_t *ids,
			  size_t n)
{
	int64_t *want;
	const char **texts;
	size_t k = 0;

	if (!h->ctx || !r || !n || n > MM_GET_MANY_MAX)
		return;
	want = mm_arena_alloc(h->rq->a, n * sizeof(*want));
	texts = mm_arena_alloc(h->rq->a, n * sizeof(*texts));
	if (!want || !texts)
		return;
	for (size_t i = 0; i < n; i++) {
		bool dup = cached_ref(h, r, ids[i]) != NULL;

		for (size_t j = 0; j < k && !dup; j++)
			dup = want[j] == ids[i];
		if (!dup)
			want[k++] = ids[i];
	}
	/* On failure the cells look their references up one by one. */
	if (k && mm_reg_display_many(r, h->ctx, want, k, texts) == MM_OK)
		for (size_t j = 0; j < k; j++)
			cache_ref(h, r, want[j], texts[j]);
}

const char *mm_html_ref_text(struct mm_html *h, const struct mm_register *r, int64_t id)
{
	const char *text = cached_ref(h, r, id);

	if (text)
		return text;
	if (!h->ctx || !r)
		return "";
	text = mm_reg_display(r, h->ctx, id);
	cache_ref(h, r, id, text);
	return text;
}

const char *mm_html_rec_title(struct mm_html *h, const struct mm_register *r,
			      const struct mm_record *rec)
{
	const struct mm_value *k = r->key_field >= 0 ? &rec->v[r->key_field] : NULL;
	const struct mm_value *t = &rec->v[r->title_field];
	const char *title = t->set ? t->s : "";

	if (!k || !k->set)
		return title;
	return mm_html_str(h->rq, "%s %s", k->s, title);
}

const char *mm_html_display(struct mm_html *h, const struct mm_field *f, const struct mm_value *v)
{
	const char *text;

	if (!v || !v->set)
		return "";
	switch (f->type) {
	case MM_FT_TEXT:
	case MM_FT_DATE:
		return v->s ? v->s : "";
	case MM_FT_ENUM:
		return mm_option_label(f, v->s, h->lang);
	case MM_FT_INT:
		if (f->opts && v->i >= f->min && v->i - f->min < (int64_t)f->nopts) {
			const struct mm_option *o = &f->opts[v->i - f->min];
			return mm_html_str(h->rq, "%lld %s", (long long)v->i,
					   MM_L(h->lang, o->ja, o->en));
		}
		return mm_html_str(h->rq, "%lld", (long long)v->i);
	case MM_FT_REF:
		text = mm_html_ref_text(h, mm_register_find(f->ref), v->i);
		return *text ? text : mm_html_str(h->rq, "#%lld", (long long)v->i);
	}
	return "";
}

bool mm_html_ref_typed(struct mm_html *h, const struct mm_register *r)
{
	struct mm_query q = { .sort = MM_SORT_ID, .status = MM_ACTIVE, .limit = 0 };
	struct mm_page page = { .n = 0 };

	return r && h->ctx && mm_reg_list(r, h->ctx, &q, &page) == MM_OK &&
	       page.total > REF_OPTIONS_MAX;
}

void mm_html_ref_options(struct mm_html *h, const struct mm_field *f, int64_t selected)
{
	const struct mm_register *t = mm_register_find(f->ref);
	struct mm_query q = { .sort = MM_SORT_ID, .status = MM_ACTIVE, .limit = REF_OPTIONS_MAX };
	struct mm_page page = { .n = 0 };
	bool found = false;

	if (t && h->ctx) {
		q.sort = t->key_field >= 0 ? t->key_field : t->title_field;
		if (mm_reg_list(t, h->ctx, &q, &page) != MM_OK)
			page.n = 0;
	}
	for (size_t i = 0; i < page.n; i++) {
		const struct mm_record *rec = &page.recs[i];
		const char *text = mm_html_rec_title(h, t, rec);

		cache_ref(h, t, rec->id, text);
		found = found || rec->id == selected;
		mm_html_f(h, "<option value=\"%D\"%r>%s</option>\n", rec->id,
			  rec->id == selected ? " selected" : "", text);
	}
	if (selected && !found) {
		const char *text = mm_html_ref_text(h, t, selected);
		mm_html_f(h, "<option value=\"%D\" selected>%s</option>\n", selected,
			  *text ? text : mm_html_str(h->rq, "#%lld", (long long)selected));
	}
}

const char *mm_html_jst(struct mm_html *h, const char *iso)
{
	int64_t t;
	char out[17];

	if (!iso)
		return "";
	if (mm_time_parse_iso(iso, &t) != MM_OK)
		return iso;
	mm_time_jst(t, out);
	return mm_html_str(h->rq, "%s", out);
}

static bool is_form(const struct mm_req *rq)
{
	const char *ct = rq->content_type;
	size_t n = strlen("application/x-www-form-urlencoded");

	return ct && strncasecmp(ct, "application/x-www-form-urlencoded", n) == 0 &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

bool mm_html_read_form(struct mm_req *rq, struct mm_resp *rs)
{
	int rc;

	if (rq->form)
		return true; /* read already (the router checks its CSRF token) */
	if (rq->body_too_big) {
		mm_html_error(rq, rs, 413, "too_big");
		return false;
	}
	if (!is_form(rq)) {
		mm_html_error(rq, rs, 415, "bad_media_type");
		return false;
	}
	rc = mm_form_parse(rq->a, rq->body ? rq->body : "", rq->body_len, &rq->form, &rq->nform);
	if (rc == MM_ETOOBIG || rc == MM_ENOMEM) {
		mm_html_error(rq, rs, 413, "too_big");
		return false;
	}
	if (rc) {
		mm_html_error_text(
			rq, rs, 400,
			MM_L(rq->lang,
			     "送信内容を読み取れませんでした（文字コードが正しくありません）。",
			     "The form could not be read (invalid encoding)."));
		return false;
	}
	return true;
}

void mm_html_home(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	if (mm_html_home_inspection(w, rq, rs))
		return;
	mm_resp_redirect(rs, mm_html_str(rq, "/%s", mm_registers[0]->schema.name));
}

/* A return address is a path on this site: one leading slash (not "//" or
 * "/\", which browsers read as another host), printable ASCII only. */
static bool safe_next(const char *next)
{
	size_t n;

	if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\')
		return false;
	n = strlen(next);
	if (n > NEXT_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)next[i];
		if (c <= 0x20 || c >= 0x7f || c == '\\')
			return false;
	}
	return true;
}

void mm_html_lang(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	const char *to = mm_param_get(rq->query, rq->nquery, "to");
	const char *next = mm_param_get(rq->query, rq->nquery, "next");
	bool en = to && strcmp(to, "en") == 0;

	mm_resp_redirect(rs, safe_next(next) ? next : "/");
	/* Secure over HTTPS, like the session cookie: a cookie set over
	 * HTTPS must not travel in clear. */
	mm_resp_header(
		rs, "Set-Cookie",
		mm_html_str(rq, "mm_lang=%s; Path=/; Max-Age=31536000; SameSite=Strict; HttpOnly%s",
			    en ? "en" : "ja", rq->https ? "; Secure" : ""));
}
