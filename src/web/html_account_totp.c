/* The TOTP second factor on the account page: enrolment (the otpauth URI
 * as a QR code and as base32 text, then the first code), recovery codes
 * shown once, new recovery codes and removal, both behind the current
 * password. Removal is refused when the account's roles require TOTP. */
#include "web/account.h"

#include "core/err.h"

#include <sodium.h>
#include <string.h>

enum { URI_CAP = 1024, SVG_CAP = 256 * 1024 };

/* The six-digit code input of the confirmation form. */
static void code_form(struct mm_html *h, const char *err)
{
	mm_acct_form_open(h, "/account/totp/confirm");
	mm_html_f(h, "<div class=\"field%r\"><label for=\"f-code\">%s</label>\n",
		  err ? " invalid" : "",
		  MM_L(h->lang, "認証アプリに表示された 6 桁のコード",
		       "The 6-digit code of the app"));
	if (err)
		mm_html_f(h, "<p class=\"field-error\" id=\"e-code\">%s</p>\n", err);
	mm_html_f(h,
		  "<input type=\"text\" id=\"f-code\" name=\"code\" class=\"short\" "
		  "inputmode=\"numeric\" autocomplete=\"one-time-code\" required%r>\n</div>\n",
		  err ? " aria-invalid=\"true\" aria-describedby=\"e-code\"" : "");
	mm_acct_form_close(h, MM_L(h->lang, "登録を完了", "Complete enrolment"), "btn-primary");
}

/* Enrolled: new recovery codes, and removal unless the roles require TOTP. */
static void totp_enrolled(struct mm_html *h, const struct mm_acct *a)
{
	bool required = mm_auth_settings.require_totp_for_privileged && mm_auth_privileged(a->p);

	mm_html_f(h, "<p><span class=\"badge ok\">%s</span> %s</p>\n",
		  MM_L(h->lang, "登録済み", "Enrolled"),
		  MM_L(h->lang, "ログインのたびに、パスワードの次に確認コードを入力します。",
		       "Every sign-in asks for a code after the password."));
	if (a->err_totp_pw)
		mm_acct_box(h, "error", a->err_totp_pw);
	mm_html_f(h, "<h3>%s</h3>\n<p class=\"hint\">%s</p>\n",
		  MM_L(h->lang, "回復コードの再発行", "New recovery codes"),
		  MM_L(h->lang,
		       "新しい回復コードを 10 個作ります。今までの回復コードは使えなくなります。",
		       "Makes ten new recovery codes; the old ones stop working."));
	mm_acct_form_open(h, "/account/totp/recovery");
	mm_acct_pw_field(h, "rec-current", "current",
			 MM_L(h->lang, "現在のパスワード", "Current password"), "current-password",
			 NULL);
	mm_acct_form_close(h, MM_L(h->lang, "回復コードを再発行", "Make new recovery codes"), "");
	mm_html_f(h, "<h3>%s</h3>\n", MM_L(h->lang, "登録の解除", "Remove"));
	if (required) {
		mm_html_f(h, "<p class=\"note\">%s</p>\n",
			  MM_L(h->lang,
			       "この役割では二要素認証が必要なため、登録を解除できません。",
			       "Your role requires two-factor authentication: it cannot be "
			       "removed."));
		return;
	}
	mm_acct_form_open(h, "/account/totp/remove");
	mm_acct_pw_field(h, "rm-current", "current",
			 MM_L(h->lang, "現在のパスワード", "Current password"), "current-password",
			 NULL);
	mm_acct_form_close(h, MM_L(h->lang, "二要素認証を解除", "Remove two-factor authentication"),
			   "btn-danger");
}

void mm_acct_totp_section(struct mm_html *h, const struct mm_acct *a)
{
	mm_html_f(h, "<section id=\"totp\">\n<h2>%s</h2>\n",
		  MM_L(h->lang, "二要素認証（TOTP）", "Two-factor authentication (TOTP)"));
	if (a->acct.totp_enabled) {
		totp_enrolled(h, a);
	} else if (a->acct.totp_secret) {
		mm_html_f(h, "<p>%s</p>\n",
			  MM_L(h->lang,
			       "登録の途中です。認証アプリに表示されている 6 桁のコードを"
			       "入力して、登録を完了してください。",
			       "Enrolment has started: enter the 6-digit code your app shows to "
			       "complete it."));
		code_form(h, a->err_code);
	} else {
		mm_html_f(
			h, "<p>%s</p>\n",
			MM_L(h->lang,
			     "スマートフォンなどの認証アプリ（Google Authenticator、Microsoft "
			     "Authenticator など）で、ログインのたびに確認コードを入力します。",
			     "An authenticator app (Google Authenticator, Microsoft Authenticator, "
			     "…) gives a code to enter at every sign-in."));
	}
	if (!a->acct.totp_enabled) {
		mm_acct_form_open(h, "/account/totp/start");
		mm_acct_form_close(h,
				   a->acct.totp_secret
					   ? MM_L(h->lang, "最初からやり直す（新しい QR コード）",
						  "Start again (new QR code)")
					   : MM_L(h->lang, "二要素認証を登録", "Enrol"),
				   a->acct.totp_secret ? "" : "btn-primary");
	}
	mm_html_f(h, "</section>\n");
}

/* The enrolment step after start: the QR code (svg, made here from the
 * otpauth URI, so raw), the seed in base32 for typing in, and the form for
 * the first code. */
static void enrol_page(struct mm_html *h, const struct mm_acct *a, const char *svg,
		       const char *secret, size_t n)
{
	mm_acct_head(h, a, MM_L(h->lang, "二要素認証の登録", "Enrol two-factor authentication"));
	mm_html_f(h,
		  "<ol class=\"steps\">\n<li><p>%s</p>\n<figure class=\"qr\">%r<figcaption>%s"
		  "</figcaption></figure></li>\n<li><p>%s</p>\n<p><code class=\"secret\" "
		  "id=\"totp-secret\">",
		  MM_L(h->lang,
		       "認証アプリ（Google Authenticator、Microsoft Authenticator など）で、"
		       "この QR コードを読み取ってください。",
		       "Scan this QR code with your authenticator app (Google Authenticator, "
		       "Microsoft Authenticator, …)."),
		  svg, MM_L(h->lang, "登録用 QR コード", "QR code for enrolment"),
		  MM_L(h->lang,
		       "読み取れないときは、次の秘密鍵を手で入力してください"
		       "（時間ベース、6 桁、30 秒）。",
		       "If you cannot scan it, type in this secret key (time-based, 6 digits, 30 "
		       "seconds)."));
	for (size_t i = 0; i < n; i += 4) {
		if (i)
			mm_html_f(h, " ");
		mm_html_esc(h->b, secret + i, n - i < 4 ? n - i : 4);
	}
	mm_html_f(h, "</code></p></li>\n<li><p>%s</p>\n",
		  MM_L(h->lang,
		       "アプリに表示された 6 桁のコードを入力して、登録を完了してください。",
		       "Enter the 6-digit code the app shows to complete the enrolment."));
	code_form(h, NULL);
	mm_html_f(h, "</li>\n</ol>\n");
	mm_html_end(h);
}

/* Recovery codes, shown once. */
static void codes_page(struct mm_html *h, const struct mm_acct *a, const char *title,
		       const char *done, const struct mm_totp_codes *codes)
{
	mm_acct_head(h, a, title);
	mm_acct_box(h, "info", done);
	mm_acct_box(h, "warn",
		    MM_L(h->lang,
			 "回復コードは今しか表示されません。"
			 "印刷するか書き写して、安全な場所に保管してください。"
			 "認証アプリを使えないとき、確認コードの代わりに、"
			 "1 つにつき 1 回だけ使えます。",
			 "These recovery codes are shown only now. Print or copy them and "
			 "keep them safe. When you cannot use your app, each one works once "
			 "instead of a code."));
	mm_html_f(h, "<ol class=\"codes\" id=\"recovery-codes\">\n");
	for (size_t i = 0; i < MM_TOTP_RECOVERY_CODES; i++)
		mm_html_f(h, "<li><code>%s</code></li>\n", codes->code[i]);
	mm_html_f(h, "</ol>\n");
	mm_acct_back(h);
	mm_html_end(h);
}

/* The seed in the otpauth URI ("secret=BASE32&..."), and its length. */
static const char *uri_secret(const struct mm_buf *uri, size_t *n)
{
	const char *s = strstr(uri->data, "secret=");

	if (!s)
		return *n = 0, "";
	s += 7;
	*n = strcspn(s, "&");
	return s;
}

void mm_html_account_totp_start(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_buf uri, svg;
	struct mm_html h;
	const char *secret;
	struct mm_acct a;
	size_t n;
	int rc;

	if (!mm_acct_begin(w, rq, rs, &a, true))
		return;
	mm_buf_init(&uri, URI_CAP);
	mm_buf_init(&svg, SVG_CAP);
	rc = mm_account_totp_start(&a.ctx, a.acct.id, &uri);
	if (!rc)
		rc = mm_totp_qr_svg(uri.data, &svg);
	if (rc == MM_ECONFLICT) {
		a.error = MM_L(rq->lang, "二要素認証は既に登録されています。",
			       "Two-factor authentication is already enrolled.");
		a.status = 409;
		mm_acct_finish(w, rq, rs, &a);
	} else if (rc) {
		mm_acct_fail(w, rq, rs, &a, rc);
	} else {
		secret = uri_secret(&uri, &n);
		mm_html_init(&h, rq, rs, &a.ctx);
		enrol_page(&h, &a, svg.data, secret, n);
		mm_acct_close(w, rq, rs, &a);
	}
	sodium_memzero(uri.data, uri.len);
	sodium_memzero(svg.data, svg.len);
	mm_buf_free(&uri);
	mm_buf_free(&svg);
}

void mm_html_account_totp_confirm(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_totp_codes codes;
	struct mm_html h;
	struct mm_acct a;
	bool was_enrolling;
	int rc;

	if (!mm_acct_begin(w, rq, rs, &a, true))
		return;
	was_enrolling = a.must_enrol;
	rc = mm_account_totp_confirm(&a.ctx, a.acct.id, mm_acct_field(rq, "code"), &codes);
	if (rc == MM_EINVAL) {
		a.err_code = mm_msg(rq->lang, "totp_invalid");
		a.status = 422;
		mm_acct_finish(w, rq, rs, &a);
	} else if (rc == MM_ECONFLICT) {
		a.error = MM_L(
			rq->lang,
			"登録を始めていないか、既に登録されています。もう一度操作してください。",
			"No enrolment was started, or it is complete already.");
		a.status = 409;
		mm_acct_finish(w, rq, rs, &a);
	} else if (rc) {
		mm_acct_fail(w, rq, rs, &a, rc);
	} else {
		a.must_enrol = false;
		mm_html_init(&h, rq, rs, &a.ctx);
		codes_page(&h, &a, MM_L(rq->lang, "二要素認証を登録しました", "Enrolment complete"),
			   was_enrolling ? MM_L(rq->lang, "これで他の画面も使えます。",
						"Every other page is now available.")
					 : NULL,
			   &codes);
		mm_acct_close(w, rq, rs, &a);
		mm_totp_wipe_codes(&codes);
	}
}

void mm_html_account_totp_recovery(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_totp_codes codes;
	struct mm_html h;
	struct mm_acct a;
	int rc;

	if (!mm_acct_begin(w, rq, rs, &a, true))
		return;
	rc = mm_acct_check(&a, rq, mm_acct_field(rq, "current"), &a.err_totp_pw);
	if (!rc && !a.err_totp_pw)
		rc = mm_account_totp_new_recovery(&a.ctx, a.acct.id, &codes);
	if (rc == MM_ENOTFOUND) {
		a.error = MM_L(rq->lang, "二要素認証が登録されていません。",
			       "Two-factor authentication is not enrolled.");
		a.status = 409;
	} else if (rc) {
		mm_acct_fail(w, rq, rs, &a, rc);
		return;
	}
	if (a.status != 200) {
		mm_acct_finish(w, rq, rs, &a);
		return;
	}
	mm_html_init(&h, rq, rs, &a.ctx);
	codes_page(&h, &a, MM_L(rq->lang, "新しい回復コード", "New recovery codes"),
		   MM_L(rq->lang, "今までの回復コードは使えなくなりました。",
			"The old recovery codes no longer work."),
		   &codes);
	mm_acct_close(w, rq, rs, &a);
	mm_totp_wipe_codes(&codes);
}

void mm_html_account_totp_remove(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_acct a;
	int rc;

	if (!mm_acct_begin(w, rq, rs, &a, true))
		return;
	if (mm_auth_settings.require_totp_for_privileged && mm_auth_privileged(a.p)) {
		a.err_totp_pw =
			MM_L(rq->lang, "この役割では二要素認証が必要なため、登録を解除できません。",
			     "Your role requires two-factor authentication: it cannot be removed.");
		a.status = 403;
		mm_acct_finish(w, rq, rs, &a);
		return;
	}
	rc = mm_acct_check(&a, rq, mm_acct_field(rq, "current"), &a.err_totp_pw);
	if (!rc && !a.err_totp_pw)
		rc = mm_account_totp_remove(&a.ctx, a.acct.id);
	if (rc) {
		mm_acct_fail(w, rq, rs, &a, rc);
	} else if (a.err_totp_pw) {
		mm_acct_finish(w, rq, rs, &a);
	} else {
		mm_acct_redirect(w, rs, &a, "/account?done=totp_removed");
	}
}
