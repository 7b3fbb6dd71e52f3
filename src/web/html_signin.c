/* Signing in and out: the password form, the second-factor form, and the
 * session cookie. Every refusal reads the same, whatever its reason (the
 * audit log keeps the reason). */
#include "web/html.h"

#include "core/err.h"
#include "domain/auth.h"
#include "web/session.h"

#include <sodium.h>
#include <string.h>

/* Where to go after signing in: a local path only (never "//host"). */
static const char *next_target(struct mm_req *rq, const char *next)
{
	if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\')
		return "/";
	for (const char *p = next; *p; p++)
		if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
			return "/";
	return next;
}

static void signin_form(struct mm_html *h, const char *next, const char *message)
{
	mm_html_begin(h, MM_L(h->lang, "ログイン", "Sign in"));
	mm_html_f(h, "<h1>%s</h1>\n", MM_L(h->lang, "ログイン", "Sign in"));
	if (message)
		mm_html_f(h, "<div class=\"msg error\" role=\"alert\"><p>%s</p></div>\n", message);
	mm_html_f(h,
		  "<form class=\"record signin\" method=\"post\" action=\"/signin\">\n"
		  "<input type=\"hidden\" name=\"next\" value=\"%s\">\n"
		  "<div class=\"field\"><label for=\"login\">%s</label>\n"
		  "<input type=\"text\" id=\"login\" name=\"login\" autocomplete=\"username\" "
		  "required autofocus></div>\n"
		  "<div class=\"field\"><label for=\"password\">%s</label>\n"
		  "<input type=\"password\" id=\"password\" name=\"password\" "
		  "autocomplete=\"current-password\" required></div>\n"
		  "<div class=\"form-actions\"><button type=\"submit\" class=\"btn btn-primary\">%s"
		  "</button></div>\n</form>\n",
		  next ? next : "/", MM_L(h->lang, "ログイン名", "Login"),
		  MM_L(h->lang, "パスワード", "Password"), MM_L(h->lang, "ログイン", "Sign in"));
	mm_html_end(h);
}

void mm_html_signin_page(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_html h;

	(void)w;
	mm_html_init(&h, rq, rs, NULL);
	signin_form(&h, next_target(rq, mm_param_get(rq->query, rq->nquery, "next")), NULL);
}

/* Answers a sign-in step: the cookie and where to go, or the form again. */
static void answer(struct mm_req *rq, struct mm_resp *rs, const struct mm_signin *si,
		   const char *next, bool totp_step)
{
	struct mm_html h;
	const char *msg;

	switch (si->result) {
	case MM_AUTH_OK:
		mm_web_set_session(rq, rs, si->token);
		mm_resp_redirect(rs, next);
		return;
	case MM_AUTH_NEED_TOTP:
		mm_web_set_session(rq, rs, si->token);
		mm_resp_redirect(rs, mm_html_str(rq, "/signin/totp?next=%s", next));
		return;
	case MM_AUTH_NEED_ENROL:
		mm_web_set_session(rq, rs, si->token);
		mm_resp_redirect(rs, "/account");
		return;
	case MM_AUTH_RATE_LIMITED:
		msg = MM_L(rq->lang,
			   "試行回数が多すぎます。しばらく待ってから、もう一度お試しください。",
			   "Too many attempts. Wait a while and try again.");
		break;
	default:
		msg = totp_step ? MM_L(rq->lang, "確認コードが正しくないか、期限が切れています。",
				       "The code is wrong or has expired.")
				: MM_L(rq->lang, "ログイン名またはパスワードが正しくありません。",
				       "The login or the password is wrong.");
		break;
	}
	mm_html_init(&h, rq, rs, NULL);
	rs->status = si->result == MM_AUTH_RATE_LIMITED ? 429 : 401;
	if (totp_step) {
		mm_web_set_session(rq, rs, NULL);
		signin_form(&h, next, msg);
	} else {
		signin_form(&h, next, msg);
	}
}

void mm_html_signin(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_signin si = { .result = MM_AUTH_REFUSED };
	const char *login, *pw, *next;
	struct mm_ctx ctx;
	int rc;

	if (!mm_html_read_form(rq, rs))
		return;
	login = mm_param_get(rq->form, rq->nform, "login");
	pw = mm_param_get(rq->form, rq->nform, "password");
	next = next_target(rq, mm_param_get(rq->form, rq->nform, "next"));
	rc = mm_ctx_open(w, rq, &ctx);
	if (!rc && login && pw)
		rc = mm_auth_signin(&ctx, login, pw, strlen(pw), &si);
	mm_ctx_close(w, &ctx);
	if (rc) {
		mm_html_fail(rq, rs, rc);
		return;
	}
	answer(rq, rs, &si, next, false);
	sodium_memzero(&si, sizeof(si));
}

void mm_html_totp_page(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	const char *token = mm_web_session_token(rq), *csrf = NULL;
	struct mm_ctx ctx;
	struct mm_html h;
	int rc = mm_ctx_open(w, rq, &ctx);

	if (!rc)
		rc = token ? mm_auth_pending(&ctx, token, &csrf) : MM_ENOTFOUND;
	mm_ctx_close(w, &ctx);
	if (rc) {
		mm_resp_redirect(rs, "/signin");
		return;
	}
	rq->csrf = csrf;
	mm_html_init(&h, rq, rs, NULL);
	mm_html_begin(&h, MM_L(h.lang, "確認コード", "Verification code"));
	mm_html_f(&h,
		  "<h1>%s</h1>\n<p>%s</p>\n"
		  "<form class=\"record signin\" method=\"post\" action=\"/signin/totp\">\n"
		  "<input type=\"hidden\" name=\"next\" value=\"%s\">\n",
		  MM_L(h.lang, "確認コード", "Verification code"),
		  MM_L(h.lang,
		       "認証アプリに表示されている 6 "
		       "桁のコード、または回復コードを入力してください。",
		       "Enter the 6-digit code from your authenticator app, or a recovery code."),
		  next_target(rq, mm_param_get(rq->query, rq->nquery, "next")));
	mm_html_csrf(&h);
	mm_html_f(&h,
		  "<div class=\"field\"><label for=\"code\">%s</label>\n"
		  "<input type=\"text\" id=\"code\" name=\"code\" inputmode=\"numeric\" "
		  "autocomplete=\"one-time-code\" required autofocus class=\"short\"></div>\n"
		  "<div class=\"form-actions\"><button type=\"submit\" class=\"btn btn-primary\">%s"
		  "</button></div>\n</form>\n",
		  MM_L(h.lang, "コード", "Code"), MM_L(h.lang, "確認", "Verify"));
	mm_html_end(&h);
}

void mm_html_totp(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_signin si = { .result = MM_AUTH_REFUSED };
	const char *token = mm_web_session_token(rq), *code, *next;
	struct mm_ctx ctx;
	int rc;

	if (!mm_html_read_form(rq, rs))
		return;
	code = mm_param_get(rq->form, rq->nform, "code");
	next = next_target(rq, mm_param_get(rq->form, rq->nform, "next"));
	rc = mm_ctx_open(w, rq, &ctx);
	/* The pending session's CSRF token guards this form. */
	if (!rc && token && mm_auth_pending(&ctx, token, &rq->csrf) == MM_OK &&
	    !mm_web_csrf_ok(rq, rq->csrf_header)) {
		mm_ctx_close(w, &ctx);
		mm_html_error(rq, rs, 403, "csrf");
		return;
	}
	if (!rc && token && code)
		rc = mm_auth_totp(&ctx, token, code, &si);
	mm_ctx_close(w, &ctx);
	if (rc) {
		mm_html_fail(rq, rs, rc);
		return;
	}
	answer(rq, rs, &si, next, true);
	sodium_memzero(&si, sizeof(si));
}

void mm_html_signout(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_ctx ctx;

	if (rq->session && mm_ctx_open(w, rq, &ctx) == MM_OK) {
		mm_auth_signout(&ctx, rq->session);
		mm_ctx_close(w, &ctx);
	}
	mm_web_set_session(rq, rs, NULL);
	mm_resp_redirect(rs, "/signin");
}
