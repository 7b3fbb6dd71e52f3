/* The route table and dispatch. A pattern's segments are literals, {reg} (a
 * register name), {id} (a positive record id) or {gid} (a second positive
 * id, such as a grant's) or {name} (a transition's name). */
#include "web/handlers.h"
#include "web/html.h"
#include "web/session.h"

#include "domain/audit_record.h"
#include "domain/principal.h"

#include "core/err.h"
#include "core/slice.h"

#include <pthread.h>
#include <string.h>
#include <strings.h>

typedef void handler_fn(struct mm_web *, struct mm_req *, struct mm_resp *);

/* Routes open to anyone; all others need a signed-in principal. */
enum { PUBLIC = 1, ENROL = 2 /* open to an account that must enrol TOTP first */ };

struct route {
	const char *method;
	const char *pattern;
	handler_fn *fn;
	unsigned flags;
};

static const struct route routes[] = {
	{ "GET", "/healthz", mm_api_health, PUBLIC },
	{ "GET", "/api/v1/openapi.json", mm_api_openapi, 0 },
	{ "GET", "/api/v1/privileges", mm_api_privileges, 0 },
	{ "GET", "/api/v1/sod/conflicts", mm_api_sod_conflicts, 0 },
	{ "GET", "/api/v1/clock", mm_api_clock, 0 },
	{ "GET", "/api/v1/audit", mm_api_audit, 0 },
	{ "GET", "/api/v1/audit/off-hours", mm_api_audit_off_hours, 0 },
	{ "GET", "/api/v1/audit/refused", mm_api_audit_refused, 0 },
	{ "GET", "/api/v1/risks/heatmap", mm_api_risk_heatmap, 0 },
	{ "GET", "/api/v1/risks/report", mm_api_risk_report, 0 },
	{ "GET", "/api/v1/risks/plan", mm_api_risk_plan, 0 },
	{ "GET", "/api/v1/risk_assessments/compare", mm_api_risk_compare, 0 },
	{ "GET", "/api/v1/{reg}", mm_api_list, 0 },
	{ "POST", "/api/v1/{reg}", mm_api_create, 0 },
	{ "GET", "/api/v1/{reg}/export.csv", mm_api_export_csv, 0 },
	{ "GET", "/api/v1/{reg}/export.xlsx", mm_api_export_xlsx, 0 },
	{ "POST", "/api/v1/{reg}/import", mm_api_import, 0 },
	{ "GET", "/api/v1/{reg}/{id}", mm_api_get, 0 },
	{ "PUT", "/api/v1/{reg}/{id}", mm_api_update, 0 },
	{ "POST", "/api/v1/{reg}/{id}/retire", mm_api_retire, 0 },
	{ "POST", "/api/v1/{reg}/{id}/restore", mm_api_restore, 0 },
	{ "GET", "/api/v1/{reg}/{id}/history", mm_api_history, 0 },
	{ "POST", "/api/v1/{reg}/{id}/transitions/{name}", mm_api_transition, 0 },
	{ "GET", "/api/v1/{reg}/{id}/grants", mm_api_grants, 0 },
	{ "POST", "/api/v1/{reg}/{id}/grants", mm_api_grant_add, 0 },
	{ "POST", "/api/v1/{reg}/{id}/grants/{gid}/delete", mm_api_grant_remove, 0 },
	{ "GET", "/", mm_html_home, 0 },
	{ "GET", "/static/mamori.css", mm_static_css, PUBLIC },
	{ "GET", "/lang", mm_html_lang, PUBLIC },
	{ "GET", "/signin", mm_html_signin_page, PUBLIC },
	{ "POST", "/signin", mm_html_signin, PUBLIC },
	{ "GET", "/signin/totp", mm_html_totp_page, PUBLIC },
	{ "POST", "/signin/totp", mm_html_totp, PUBLIC },
	{ "POST", "/signout", mm_html_signout, ENROL },
	{ "GET", "/org", mm_html_org, 0 },
	{ "GET", "/privileges", mm_html_privileges, 0 },
	{ "GET", "/sod/conflicts", mm_html_sod_conflicts, 0 },
	{ "GET", "/admin/clock", mm_html_clock, 0 },
	{ "GET", "/audit", mm_html_audit, 0 },
	{ "GET", "/audit/off-hours", mm_html_audit_off_hours, 0 },
	{ "GET", "/audit/refused", mm_html_audit_refused, 0 },
	{ "GET", "/risks/heatmap", mm_html_risk_heatmap, 0 },
	{ "GET", "/risks/report", mm_html_risk_report, 0 },
	{ "GET", "/risks/plan", mm_html_risk_plan, 0 },
	{ "GET", "/risk_assessments/compare", mm_html_risk_compare, 0 },
	{ "GET", "/account", mm_html_account, ENROL },
	{ "POST", "/account/password", mm_html_account_password, ENROL },
	{ "POST", "/account/totp/start", mm_html_account_totp_start, ENROL },
	{ "POST", "/account/totp/confirm", mm_html_account_totp_confirm, ENROL },
	{ "POST", "/account/totp/recovery", mm_html_account_totp_recovery, ENROL },
	{ "POST", "/account/totp/remove", mm_html_account_totp_remove, ENROL },
	{ "POST", "/account/tokens", mm_html_account_token_create, ENROL },
	{ "POST", "/account/tokens/{id}/revoke", mm_html_account_token_revoke, ENROL },
	{ "GET", "/{reg}", mm_html_list, 0 },
	{ "POST", "/{reg}", mm_html_create, 0 },
	{ "GET", "/{reg}/new", mm_html_new, 0 },
	{ "GET", "/{reg}/import", mm_html_import_page, 0 },
	{ "POST", "/{reg}/import", mm_html_import, 0 },
	{ "GET", "/{reg}/export.csv", mm_api_export_csv, 0 },
	{ "GET", "/{reg}/export.xlsx", mm_api_export_xlsx, 0 },
	{ "GET", "/{reg}/{id}", mm_html_detail, 0 },
	{ "POST", "/{reg}/{id}", mm_html_update, 0 },
	{ "GET", "/{reg}/{id}/edit", mm_html_edit, 0 },
	{ "POST", "/{reg}/{id}/retire", mm_html_retire, 0 },
	{ "POST", "/{reg}/{id}/restore", mm_html_restore, 0 },
	{ "POST", "/{reg}/{id}/grants", mm_html_grant_add, 0 },
	{ "POST", "/{reg}/{id}/transitions/{name}", mm_html_transition, 0 },
	{ "POST", "/{reg}/{id}/grants/{gid}/delete", mm_html_grant_remove, 0 },
};

/* One segment of a route's pattern: a placeholder ("{reg}", "{id}", ...)
 * takes the path's segment into rq, a literal must equal it. */
static bool match_segment(struct mm_slice pseg, struct mm_slice sseg, struct mm_req *rq)
{
	if (pseg.len == 0 || pseg.ptr[0] != '{')
		return mm_slice_eq(pseg, sseg);
	if (mm_slice_eqs(pseg, "{reg}")) {
		rq->reg = mm_register_findn(sseg.ptr, sseg.len);
		return rq->reg != NULL;
	}
	if (mm_slice_eqs(pseg, "{id}"))
		return sseg.len > 0 && sseg.ptr[0] != '+' && sseg.ptr[0] != '-' &&
		       mm_slice_to_i64(sseg, &rq->id) && rq->id > 0;
	if (mm_slice_eqs(pseg, "{gid}"))
		return sseg.len > 0 && sseg.ptr[0] != '+' && sseg.ptr[0] != '-' &&
		       mm_slice_to_i64(sseg, &rq->sub_id) && rq->sub_id > 0;
	if (mm_slice_eqs(pseg, "{name}")) {
		if (sseg.len == 0 || sseg.len > 40)
			return false;
		rq->sub_name = mm_arena_strndup(rq->a, sseg.ptr, sseg.len);
		return rq->sub_name != NULL;
	}
	return mm_slice_eq(pseg, sseg);
}

/* A path cut at its slashes: "/a/b/" is "a", "b", "". */
enum { MAX_SEGMENTS = 8 };
struct segments {
	struct mm_slice seg[MAX_SEGMENTS];
	size_t n; /* MAX_SEGMENTS + 1 when there are more */
};

/* Cuts s, which must start with '/'; n is 0 when it does not. */
static void cut_path(struct mm_slice s, struct segments *out)
{
	out->n = 0;
	if (s.len == 0 || s.ptr[0] != '/')
		return;
	s.ptr++, s.len--;
	while (s.ptr && out->n <= MAX_SEGMENTS) {
		struct mm_slice seg;

		s = mm_slice_cut(s, '/', &seg);
		if (out->n < MAX_SEGMENTS)
			out->seg[out->n] = seg;
		out->n++;
	}
}

/* The routes' patterns, cut once. */
static struct segments patterns[sizeof(routes) / sizeof(routes[0])];
static pthread_once_t patterns_once = PTHREAD_ONCE_INIT;

static void cut_patterns(void)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		cut_path(mm_slice_cstr(routes[i].pattern), &patterns[i]);
}

/* Whether the path's segments fit a route's pattern, filling the register
 * and id captures. */
static bool match(const struct segments *pattern, const struct segments *path, struct mm_req *rq)
{
	if (path->n == 0 || path->n > MAX_SEGMENTS || pattern->n != path->n)
		return false;
	for (size_t i = 0; i < path->n; i++)
		if (!match_segment(pattern->seg[i], path->seg[i], rq))
			return false;
	return true;
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

/* Refuses a request that may not go on, and says so in rs. */
static void refuse(struct mm_req *rq, struct mm_resp *rs, int status, const char *code)
{
	if (is_api(rq->path))
		mm_resp_json_error(rs, rq->lang, status, code, NULL);
	else
		mm_html_error(rq, rs, status, code);
}

/* Lets a request reach its handler: same-origin for writes, a principal for
 * routes that are not public (a Bearer token for the API, else the session
 * cookie) and, for writes by a session, its CSRF token. Urlencoded bodies are
 * read here so that the token in the form can be checked. */
static bool guard(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs, unsigned flags)
{
	bool writes = strcmp(rq->method, "GET") != 0 && strcmp(rq->method, "HEAD") != 0;
	bool api = is_api(rq->path);
	int rc;

	if (writes && !mm_web_same_origin(rq)) {
		refuse(rq, rs, 403, "cross_site");
		return false;
	}
	if (writes && !rq->form && rq->content_type &&
	    strncasecmp(rq->content_type, "application/x-www-form-urlencoded", 33) == 0 &&
	    !rq->body_too_big &&
	    mm_form_parse(rq->a, rq->body ? rq->body : "", rq->body_len, &rq->form, &rq->nform)) {
		refuse(rq, rs, 400, "bad_query");
		return false;
	}
	if (flags & PUBLIC)
		return true;
	rc = mm_web_authenticate(w, rq, api);
	if (rc == MM_EPERM && !(flags & ENROL) && strncmp(rq->path, "/account", 8) != 0) {
		if (api)
			refuse(rq, rs, 403, "enrol_totp");
		else
			mm_resp_redirect(rs, "/account");
		return false;
	}
	if (rc && rc != MM_EPERM) {
		if (api || writes) {
			refuse(rq, rs, 401, "unauthenticated");
		} else {
			mm_resp_redirect(rs,
					 mm_html_str(rq, "/signin?next=%s",
						     mm_html_url(rq, rq->path, NULL, NULL, NULL)));
		}
		if (rc != MM_ENOTFOUND)
			mm_resp_status_for(rs, rq->lang, rc);
		return false;
	}
	if (writes && !rq->who->via_token && !mm_web_csrf_ok(rq, rq->csrf_header)) {
		refuse(rq, rs, 403, "csrf");
		return false;
	}
	return true;
}

/* Records an internal error in the audit log: the route and the status,
 * never the request's body. A busy database (503) is not recorded: the
 * record would wait on the same lock. */
static void audit_failure(struct mm_web *w, struct mm_req *rq, const struct route *rt, int status)
{
	struct mm_ctx ctx;

	if (mm_ctx_open(w, rq, &ctx) == MM_OK)
		(void)mm_audit_internal_error(&ctx, rt->method, rt->pattern, status, "internal");
	mm_ctx_close(w, &ctx);
}

void mm_web_handle(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct segments path;
	bool path_known = false;

	pthread_once(&patterns_once, cut_patterns);
	cut_path(mm_slice_cstr(rq->path), &path);
	rq->lang = pick_lang(w, rq);
	rq->web = w;
	rs->status = 200;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		rq->reg = NULL;
		rq->id = 0;
		rq->sub_id = 0;
		rq->sub_name = NULL;
		if (!match(&patterns[i], &path, rq))
			continue;
		if (strcmp(routes[i].method, rq->method) != 0 &&
		    !(strcmp(rq->method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0)) {
			path_known = true;
			continue;
		}
		if (guard(w, rq, rs, routes[i].flags))
			routes[i].fn(w, rq, rs);
		if (rs->status >= 500 && rs->status != 503)
			audit_failure(w, rq, &routes[i], rs->status);
		return;
	}
	refuse(rq, rs, path_known ? 405 : 404, path_known ? "method_not_allowed" : "not_found");
}
