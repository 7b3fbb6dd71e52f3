/* The route table and dispatch. A pattern's segments are literals, {reg} (a
 * register name) or {id} (a positive record id). */
#include "web/handlers.h"
#include "web/html.h"

#include "core/err.h"
#include "core/slice.h"

#include <string.h>

typedef void handler_fn(struct mm_web *, struct mm_req *, struct mm_resp *);

struct route {
	const char *method;
	const char *pattern;
	handler_fn *fn;
};

static const struct route routes[] = {
	{ "GET", "/healthz", mm_api_health },
	{ "GET", "/api/v1/openapi.json", mm_api_openapi },
	{ "GET", "/api/v1/{reg}", mm_api_list },
	{ "POST", "/api/v1/{reg}", mm_api_create },
	{ "GET", "/api/v1/{reg}/export.csv", mm_api_export_csv },
	{ "GET", "/api/v1/{reg}/export.xlsx", mm_api_export_xlsx },
	{ "POST", "/api/v1/{reg}/import", mm_api_import },
	{ "GET", "/api/v1/{reg}/{id}", mm_api_get },
	{ "PUT", "/api/v1/{reg}/{id}", mm_api_update },
	{ "POST", "/api/v1/{reg}/{id}/retire", mm_api_retire },
	{ "POST", "/api/v1/{reg}/{id}/restore", mm_api_restore },
	{ "GET", "/api/v1/{reg}/{id}/history", mm_api_history },
	{ "GET", "/", mm_html_home },
	{ "GET", "/static/mamori.css", mm_static_css },
	{ "GET", "/lang", mm_html_lang },
	{ "GET", "/org", mm_html_org },
	{ "GET", "/{reg}", mm_html_list },
	{ "POST", "/{reg}", mm_html_create },
	{ "GET", "/{reg}/new", mm_html_new },
	{ "GET", "/{reg}/import", mm_html_import_page },
	{ "POST", "/{reg}/import", mm_html_import },
	{ "GET", "/{reg}/export.csv", mm_api_export_csv },
	{ "GET", "/{reg}/export.xlsx", mm_api_export_xlsx },
	{ "GET", "/{reg}/{id}", mm_html_detail },
	{ "POST", "/{reg}/{id}", mm_html_update },
	{ "GET", "/{reg}/{id}/edit", mm_html_edit },
	{ "POST", "/{reg}/{id}/retire", mm_html_retire },
	{ "POST", "/{reg}/{id}/restore", mm_html_restore },
};

/* Matches path against pattern, filling the register and id captures. */
static bool match(const char *pattern, const char *path, struct mm_req *rq)
{
	struct mm_slice p = mm_slice_cstr(pattern), s = mm_slice_cstr(path);

	if (s.len == 0 || s.ptr[0] != '/')
		return false;
	p.ptr++, p.len--;
	s.ptr++, s.len--;
	for (;;) {
		struct mm_slice pseg, sseg;
		bool pmore = p.ptr != NULL, smore = s.ptr != NULL;

		if (!pmore || !smore)
			return pmore == smore;
		p = mm_slice_cut(p, '/', &pseg);
		s = mm_slice_cut(s, '/', &sseg);
		if (mm_slice_eqs(pseg, "{reg}")) {
			rq->reg = mm_register_findn(sseg.ptr, sseg.len);
			if (!rq->reg)
				return false;
		} else if (mm_slice_eqs(pseg, "{id}")) {
			if (sseg.len == 0 || sseg.ptr[0] == '+' || sseg.ptr[0] == '-' ||
			    !mm_slice_to_i64(sseg, &rq->id) || rq->id <= 0)
				return false;
		} else if (!mm_slice_eq(pseg, sseg)) {
			return false;
		}
	}
}

/* Paths answered in JSON: the API and the health check. */
static bool is_api(const char *path)
{
	return strncmp(path, "/api/", 5) == 0 || strcmp(path, "/healthz") == 0;
}

/* Picks the language: the lang cookie (the UI's switch), then for API
 * clients Accept-Language, then the configured default (Japanese unless set).
 * Pages ignore the browser's language: the city works in Japanese. */
static enum mm_lang pick_lang(const struct mm_web *w, const struct mm_req *rq)
{
	const char *c = rq->cookie ? strstr(rq->cookie, "mm_lang=") : NULL;

	if (c)
		return strncmp(c + 8, "en", 2) == 0 ? MM_EN : MM_JA;
	if (is_api(rq->path) && rq->accept_language) {
		if (strncmp(rq->accept_language, "en", 2) == 0)
			return MM_EN;
		if (strncmp(rq->accept_language, "ja", 2) == 0)
			return MM_JA;
	}
	return w->default_lang;
}

void mm_web_handle(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	bool path_known = false;

	rq->lang = pick_lang(w, rq);
	rs->status = 200;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		rq->reg = NULL;
		rq->id = 0;
		if (!match(routes[i].pattern, rq->path, rq))
			continue;
		if (strcmp(routes[i].method, rq->method) != 0 &&
		    !(strcmp(rq->method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0)) {
			path_known = true;
			continue;
		}
		routes[i].fn(w, rq, rs);
		return;
	}
	if (!is_api(rq->path)) {
		mm_html_error(rq, rs, path_known ? 405 : 404,
			      path_known ? "method_not_allowed" : "not_found");
		return;
	}
	mm_resp_json_error(rs, rq->lang, path_known ? 405 : 404,
			   path_known ? "method_not_allowed" : "not_found", NULL);
}
