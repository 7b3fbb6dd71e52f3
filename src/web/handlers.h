/* Handlers behind the router, and helpers they share. Internal to web/. */
#ifndef MM_WEB_HANDLERS_H
#define MM_WEB_HANDLERS_H

#include "core/json.h"
#include "web/web.h"

/* Helpers (respond.c). */
void mm_resp_json_error(struct mm_resp *rs, enum mm_lang lang, int status, const char *code,
			const struct mm_ferrs *errs);
void mm_resp_status_for(struct mm_resp *rs, enum mm_lang lang, int err);
/* Answers the error of rc (422 with errs' field messages for MM_EVALIDATE
 * when errs is given) and returns false; or, when rc is MM_OK, starts a JSON
 * body in j and returns true. */
bool mm_resp_json_begin(struct mm_req *rq, struct mm_resp *rs, int rc, const struct mm_ferrs *errs,
			struct mm_json *j);
void mm_resp_redirect(struct mm_resp *rs, const char *location);
/* The version a write edits: If-Match ("3" or W/"3") when sent, else the
 * body's version; false when neither gives a positive number. */
bool mm_api_edit_version(const struct mm_req *rq, int64_t body_version, int64_t *out);
/* An engine result: the refusal the engine gave (ctx->refusal) with 403
 * for MM_EPERM and 409 for MM_ECONFLICT, field errors as 422, the rest by
 * mm_resp_status_for. */
void mm_resp_refused(struct mm_resp *rs, enum mm_lang lang, int rc, const char *refusal,
		     const char *label, const struct mm_ferrs *errs);
/* Turns the request's JSON object body into engine input (strings and
 * integers typed; "version" taken out into *version). Returns NULL, or the
 * error code for the client (too_big, bad_media_type, bad_json, not_object,
 * bad_version, internal). Strings are copied into rq->a. */
const char *mm_api_json_input(struct mm_req *rq, struct mm_input *in, int64_t *version);
void mm_json_record(struct mm_json *j, const struct mm_register *r, const struct mm_record *rec);
int mm_ctx_open(struct mm_web *w, struct mm_req *rq, struct mm_ctx *ctx);
void mm_ctx_close(struct mm_web *w, struct mm_ctx *ctx);

/* Reads list parameters (q, sort, status, page/limit/offset and per-field
 * filters) into q. Unknown parameters are refused when strict. */
int mm_list_query(struct mm_web *w, struct mm_req *rq, bool strict, struct mm_query *q,
		  struct mm_ferrs *errs);
/* Writes the keyset cursor ("after") of the page that follows last, the
 * last record of a page listed with q. */
void mm_list_cursor(struct mm_buf *b, const struct mm_schema *s, const struct mm_query *q,
		    const struct mm_record *last);

/* JSON API (api.c, api_io.c, api_grants.c, openapi.c). */
void mm_api_health(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_api_list(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_api_get(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_api_create(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_api_update(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_api_retire(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_api_restore(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_api_history(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_api_export_csv(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_api_export_xlsx(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_api_import(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_api_openapi(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_api_grants(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_api_grant_add(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_api_grant_remove(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_api_transition(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_api_privileges(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_api_sod_conflicts(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_api_clock(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_api_audit(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_api_audit_off_hours(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_api_audit_refused(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);

/* HTML pages (html_*.c). */
void mm_html_home(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_list(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_detail(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_new(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_edit(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_create(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_update(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_retire(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_restore(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_import_page(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_import(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_grant_add(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_grant_remove(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_transition(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_privileges(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_risk_heatmap(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_api_risk_heatmap(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
/* The リスク評価書, the リスク対応計画 and the comparison of two years, as
 * pages and JSON (html_risk_report.c, html_risk_compare.c, api_risk.c). */
void mm_html_risk_report(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_risk_plan(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_risk_compare(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_api_risk_report(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_api_risk_plan(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_api_risk_compare(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_sod_conflicts(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_audit(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_audit_off_hours(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_audit_refused(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_signin_page(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_signin(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_totp_page(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_totp(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_signout(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_lang(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_org(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_clock(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_account(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_account_password(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_account_totp_start(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_account_totp_confirm(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_account_totp_recovery(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_account_totp_remove(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_account_token_create(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_html_account_token_revoke(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);
void mm_static_css(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);

#endif
