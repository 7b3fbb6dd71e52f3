/* The account pages, shared by html_account.c (the page, the password and
 * personal API tokens) and html_account_totp.c (the TOTP second factor).
 * Internal to web/.
 *
 * Secrets (the TOTP seed, recovery codes, a new API token) appear once, in
 * the answer to the POST that made them, and never again. The domain
 * functions audit every change. An account whose roles require TOTP and
 * that has none reaches only these pages (the router lets /account through)
 * and may enrol, change its password and sign out, but not make API tokens,
 * which would get round the second factor. */
#ifndef MM_WEB_ACCOUNT_H
#define MM_WEB_ACCOUNT_H

#include "web/html.h"

#include "domain/auth.h"
#include "store/identity.h"

/* One request to the account page: the store context, the signed-in
 * account, and what the answer shows besides the account itself. Messages
 * are plain text (escaped when written). */
struct mm_acct {
	struct mm_ctx ctx;
	const struct mm_principal *p;
	struct mm_account acct;
	bool must_enrol; /* its roles require TOTP and it has none */
	int status;
	const char *done, *error;			 /* above the sections */
	const char *err_current, *err_new, *err_confirm; /* password form */
	const char *err_code;				 /* TOTP confirmation */
	const char *err_totp_pw;			 /* recovery codes and removal */
	const char *err_label;				 /* new API token */
};

/* Reads the form (for POSTs), opens a->ctx and reads the signed-in
 * account. On failure the error page is in rs and false is returned. */
bool mm_acct_begin(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs, struct mm_acct *a,
		   bool post);

/* Each of these ends a request begun with mm_acct_begin and closes a->ctx:
 * finish answers with the account page (status a->status, a's messages);
 * close keeps the page rendered into rs (an error page when it overflowed);
 * redirect answers with a redirect to location; fail with the error page
 * for err. */
void mm_acct_finish(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs, struct mm_acct *a);
void mm_acct_close(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs, struct mm_acct *a);
void mm_acct_redirect(struct mm_web *w, struct mm_resp *rs, struct mm_acct *a,
		      const char *location);
void mm_acct_fail(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs, struct mm_acct *a,
		  int err);

/* A form field's value, "" when absent. */
const char *mm_acct_field(const struct mm_req *rq, const char *name);

/* Checks a current password typed into one of the forms. Such checks are
 * no sign-in failures, but they are limited per account so that a session
 * left open cannot be used to guess. Sets *msg (and a->status) when the
 * password is empty or wrong or there were too many checks; returns a
 * store error or MM_OK. */
int mm_acct_check(struct mm_acct *a, struct mm_req *rq, const char *pw, const char **msg);

/* Page parts: a message box of class cls ("info", "warn", "error"; text
 * is plain, NULL writes nothing); the start of a page with its title and
 * the notice for an account that must enrol; a password input (id names it
 * in the page, name is the form field, err its message or NULL); a form
 * posting to action with its CSRF token, and its end with a submit button
 * of class cls; a link back to the account page. */
void mm_acct_box(struct mm_html *h, const char *cls, const char *text);
void mm_acct_head(struct mm_html *h, const struct mm_acct *a, const char *title);
void mm_acct_pw_field(struct mm_html *h, const char *id, const char *name, const char *label,
		      const char *autocomplete, const char *err);
void mm_acct_form_open(struct mm_html *h, const char *action);
void mm_acct_form_close(struct mm_html *h, const char *button, const char *cls);
void mm_acct_back(struct mm_html *h);

/* The TOTP section of the account page (html_account_totp.c). */
void mm_acct_totp_section(struct mm_html *h, const struct mm_acct *a);

#endif
