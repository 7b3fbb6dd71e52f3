/* The account page (7.2, 7.3): who is signed in and with which roles,
 * changing the password, and personal API tokens; the TOTP part is in
 * html_account_totp.c. See account.h for what the pages promise. */
#include "web/account.h"

#include "core/datetime.h"
#include "core/err.h"
#include "domain/registers.h"

#include <sodium.h>
#include <string.h>

enum {
	CHECK_LIMIT = 10,   /* current-password checks per account ... */
	CHECK_WINDOW = 900, /* ... in this many seconds */
	MSG_CAP = 1024,
	DAY = 86400,
};

/* How long a new API token may be valid: the choices of the form. */
static const struct {
	const char *value, *ja, *en;
	int64_t days; /* 0: no expiry */
} validity[] = {
	{ "30", "30 日", "30 days", 30 },
	{ "90", "90 日", "90 days", 90 },
	{ "365", "1 年（365 日）", "1 year (365 days)", 365 },
	{ "0", "無期限", "No expiry", 0 },
};

const char *mm_acct_field(const struct mm_req *rq, const char *name)
{
	const char *v = mm_param_get(rq->form, rq->nform, name);

	return v ? v : "";
}

bool mm_acct_begin(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs, struct mm_acct *a,
		   bool post)
{
	int rc;

	memset(a, 0, sizeof(*a));
	a->status = 200;
	if (post && !mm_html_read_form(rq, rs))
		return false;
	if (!rq->who) {
		mm_resp_redirect(rs, "/signin?next=/account");
		return false;
	}
	a->p = rq->who;
	rc = mm_ctx_open(w, rq, &a->ctx);
	if (!rc)
		rc = mm_account_get(a->ctx.conn, a->p->account_id, rq->a, &a->acct);
	if (rc) {
		mm_ctx_close(w, &a->ctx);
		mm_html_fail(rq, rs, rc);
		return false;
	}
	a->must_enrol = mm_auth_settings.require_totp_for_privileged && !a->acct.totp_enabled &&
			mm_auth_privileged(a->p);
	return true;
}

/* The text of the first field error, formatted from the catalogue. */
static const char *ferr_text(struct mm_req *rq, const struct mm_ferrs *errs)
{
	const struct mm_ferr *e = &errs->e[0];
	struct mm_buf m;
	const char *out;

	if (!errs->n)
		return "";
	mm_buf_init(&m, MSG_CAP);
	mm_msg_format(&m, rq->lang, e->msg, e->label, e->min, e->max);
	out = m.err ? NULL : mm_arena_strndup(rq->a, m.data, m.len);
	mm_buf_free(&m);
	return out ? out : e->msg;
}

int mm_acct_check(struct mm_acct *a, struct mm_req *rq, const char *pw, const char **msg)
{
	char key[48];
	int64_t count = 0;
	int rc;

	*msg = NULL;
	if (!*pw) {
		*msg = MM_L(rq->lang, "現在のパスワードを入力してください。",
			    "Enter your current password.");
		a->status = 422;
		return MM_OK;
	}
	snprintf(key, sizeof(key), "account_check:%lld", (long long)a->acct.id);
	rc = mm_rate_hit(a->ctx.conn, key, CHECK_WINDOW, mm_now(), &count);
	if (rc)
		return rc;
	if (count > CHECK_LIMIT) {
		*msg = MM_L(rq->lang,
			    "確認の回数が多すぎます。しばらく待ってから、もう一度お試しください。",
			    "Too many attempts. Wait a while and try again.");
		a->status = 429;
		return MM_OK;
	}
	rc = mm_account_check_password(&a->ctx, a->acct.id, pw);
	if (rc == MM_EPERM) {
		*msg = MM_L(rq->lang, "現在のパスワードが正しくありません。",
			    "The current password is wrong.");
		a->status = 422;
		rc = MM_OK;
	}
	return rc;
}

/* ---- Rendering ---- */

/* An info or warning box (plain text). */
void mm_acct_box(struct mm_html *h, const char *cls, const char *text)
{
	if (text)
		mm_html_f(h, "<div class=\"msg %r\" role=\"%r\"><p>%s</p></div>\n", cls,
			  strcmp(cls, "info") == 0 ? "status" : "alert", text);
}

/* Starts a page of the account: the title, and the notice when the account
 * must enrol TOTP first. */
void mm_acct_head(struct mm_html *h, const struct mm_acct *a, const char *title)
{
	h->self = "/account";
	mm_html_begin(h, title);
	mm_html_f(h, "<h1>%s</h1>\n", title);
	if (!a->must_enrol)
		return;
	mm_acct_box(h, "warn",
		    MM_L(h->lang,
			 "この役割では二要素認証の登録が必要です。"
			 "登録が終わるまで他の画面は使えません。",
			 "Your role requires two-factor authentication. "
			 "Until you enrol, no other page is available."));
}

/* The name of role r. A person's own roles are theirs to know, whatever
 * they may read of the roles register (a contractor reads none of it): the
 * Japanese name is read from the register's record in the store, past the
 * reader's access filter and so without a refusal being recorded; English,
 * or a role missing from the register, takes the catalogue's fixed name. */
static const char *role_name(struct mm_html *h, enum mm_role r)
{
	const char *id = mm_html_str(h->rq, "role_%s", mm_role_codes[r]);
	struct mm_value code = { true, 0, mm_role_codes[r] };
	struct mm_record rec;
	int64_t rid = 0;

	if (h->lang == MM_EN)
		return mm_msg(MM_EN, id);
	if (mm_rec_find(h->ctx->conn, &mm_reg_roles.schema, ROLE_CODE, &code, 0, &rid) == MM_OK &&
	    mm_rec_get(h->ctx->conn, &mm_reg_roles.schema, rid, h->rq->a, &rec) == MM_OK &&
	    rec.v[ROLE_NAME].set)
		return rec.v[ROLE_NAME].s;
	return mm_msg(MM_JA, id);
}

/* The person's own section as "code name", read like role_name: a
 * contractor may read no section, yet knows their own. */
static const char *own_section(struct mm_html *h, int64_t id)
{
	struct mm_record rec;

	if (!id)
		return "—";
	if (mm_rec_get(h->ctx->conn, &mm_reg_sections.schema, id, h->rq->a, &rec) != MM_OK ||
	    !rec.v[SEC_CODE].set || !rec.v[SEC_NAME].set)
		return "—";
	return mm_html_str(h->rq, "%s %s", rec.v[SEC_CODE].s, rec.v[SEC_NAME].s);
}

/* The roles the account holds today, by name; a data manager's sections
 * follow in brackets. */
static void roles(struct mm_html *h, const struct mm_principal *p)
{
	bool first = true;

	for (int r = 0; r < MM_ROLE_COUNT; r++) {
		if (!mm_has_role(p, (enum mm_role)r))
			continue;
		mm_html_f(h, "%r<span class=\"role\">%s", first ? "" : MM_L(h->lang, "、", ", "),
			  role_name(h, (enum mm_role)r));
		for (size_t i = 0; r == MM_ROLE_DATA_MANAGER && i < p->nmanaged; i++)
			mm_html_f(h, "%r%s%r",
				  i ? MM_L(h->lang, "、", ", ") : MM_L(h->lang, "（", " ("),
				  own_section(h, p->managed[i]),
				  i + 1 == p->nmanaged ? MM_L(h->lang, "）", ")") : "");
		mm_html_f(h, "</span>");
		first = false;
	}
}

/* A JST time of unix seconds t, or a dash for 0. */
static const char *when(struct mm_html *h, int64_t t)
{
	char s[17];

	if (!t)
		return "—";
	mm_time_jst(t, s);
	return mm_arena_strdup(h->rq->a, s);
}

static void identity(struct mm_html *h, const struct mm_acct *a)
{
	const struct mm_principal *p = a->p;

	mm_html_f(h,
		  "<dl class=\"fields\">\n"
		  "<div class=\"row\"><dt>%s</dt><dd>%s</dd></div>\n"
		  "<div class=\"row\"><dt>%s</dt><dd>%s</dd></div>\n"
		  "<div class=\"row\"><dt>%s</dt><dd>%s</dd></div>\n"
		  "<div class=\"row\"><dt>%s</dt><dd id=\"roles\">",
		  MM_L(h->lang, "ログイン名", "Login"), p->login, MM_L(h->lang, "氏名", "Name"),
		  p->name, MM_L(h->lang, "所属", "Section"), own_section(h, p->section_id),
		  MM_L(h->lang, "役割", "Roles"));
	roles(h, p);
	mm_html_f(h,
		  "</dd></div>\n"
		  "<div class=\"row\"><dt>%s</dt><dd>%s</dd></div>\n"
		  "<div class=\"row\"><dt>%s</dt><dd>%s</dd></div>\n</dl>\n",
		  MM_L(h->lang, "二要素認証", "Two-factor authentication"),
		  a->acct.totp_enabled ? MM_L(h->lang, "登録済み", "Enrolled")
				       : MM_L(h->lang, "未登録", "Not enrolled"),
		  MM_L(h->lang, "パスワードの最終変更", "Password last changed"),
		  when(h, a->acct.password_changed_at));
}

/* A password input with its label and, when err is set, its message. id
 * names the input within the page; name is the form field. */
void mm_acct_pw_field(struct mm_html *h, const char *id, const char *name, const char *label,
		      const char *autocomplete, const char *err)
{
	mm_html_f(h, "<div class=\"field%r\"><label for=\"f-%r\">%s</label>\n",
		  err ? " invalid" : "", id, label);
	if (err)
		mm_html_f(h, "<p class=\"field-error\" id=\"e-%r\">%s</p>\n", id, err);
	mm_html_f(h,
		  "<input type=\"password\" id=\"f-%r\" name=\"%r\" autocomplete=\"%r\" "
		  "required%r%r%r>\n</div>\n",
		  id, name, autocomplete, err ? " aria-invalid=\"true\" aria-describedby=\"e-" : "",
		  err ? id : "", err ? "\"" : "");
}

void mm_acct_form_open(struct mm_html *h, const char *action)
{
	mm_html_f(h, "<form class=\"record\" method=\"post\" action=\"%r\">\n", action);
	mm_html_csrf(h);
}

void mm_acct_form_close(struct mm_html *h, const char *button, const char *cls)
{
	mm_html_f(h,
		  "<div class=\"form-actions\"><button type=\"submit\" class=\"btn %r\">%s</button>"
		  "</div>\n</form>\n",
		  cls, button);
}

static void password_section(struct mm_html *h, const struct mm_acct *a)
{
	mm_html_f(
		h, "<section id=\"password\">\n<h2>%s</h2>\n<p class=\"hint\">%s</p>\n",
		MM_L(h->lang, "パスワードの変更", "Change password"),
		MM_L(h->lang,
		     "12 文字以上。"
		     "よく使われるパスワードや、ログイン名・氏名を含むものは使えません。"
		     "変更すると、この画面以外のログインはすべて終了します。",
		     "At least 12 characters; no common passwords, nor ones containing your login "
		     "or name. Changing it signs you out everywhere else."));
	mm_acct_form_open(h, "/account/password");
	mm_acct_pw_field(h, "pw-current", "current",
			 MM_L(h->lang, "現在のパスワード", "Current password"), "current-password",
			 a->err_current);
	mm_acct_pw_field(h, "pw-new", "password", MM_L(h->lang, "新しいパスワード", "New password"),
			 "new-password", a->err_new);
	mm_acct_pw_field(h, "pw-confirm", "confirm",
			 MM_L(h->lang, "新しいパスワード（確認）", "New password again"),
			 "new-password", a->err_confirm);
	mm_acct_form_close(h, MM_L(h->lang, "パスワードを変更", "Change password"), "btn-primary");
	mm_html_f(h, "</section>\n");
}

/* The state of a token, for the list. */
static const char *token_state(struct mm_html *h, const struct mm_token *t, bool *live)
{
	*live = false;
	if (t->revoked)
		return MM_L(h->lang, "失効", "Revoked");
	if (t->expires_at && t->expires_at <= mm_now())
		return MM_L(h->lang, "期限切れ", "Expired");
	*live = true;
	return MM_L(h->lang, "有効", "Active");
}

static void token_rows(struct mm_html *h, const struct mm_token *v, size_t n)
{
	for (size_t i = n; i-- > 0;) {
		bool live;
		const char *state = token_state(h, &v[i], &live);

		mm_html_f(h, "<tr%r><td>%s</td><td class=\"nowrap\">%s</td><td class=\"nowrap\">%s",
			  live ? "" : " class=\"retired\"",
			  v[i].label[0] ? v[i].label
					: MM_L(h->lang, "（ラベルなし）", "(no label)"),
			  when(h, v[i].created_at),
			  v[i].expires_at ? when(h, v[i].expires_at)
					  : MM_L(h->lang, "無期限", "Never"));
		mm_html_f(h, "</td><td class=\"nowrap\">%s</td><td>%s</td><td>",
			  when(h, v[i].last_used), state);
		if (live) {
			mm_html_f(h,
				  "<form class=\"inline\" method=\"post\" "
				  "action=\"/account/tokens/%D/revoke\">",
				  v[i].id);
			mm_html_csrf(h);
			mm_html_f(h,
				  "<button type=\"submit\" class=\"btn "
				  "btn-danger\">%s</button></form>",
				  MM_L(h->lang, "失効させる", "Revoke"));
		}
		mm_html_f(h, "</td></tr>\n");
	}
}

static void token_form(struct mm_html *h, const struct mm_acct *a)
{
	mm_html_f(h, "<h3>%s</h3>\n", MM_L(h->lang, "トークンの作成", "New token"));
	mm_acct_form_open(h, "/account/tokens");
	mm_html_f(h, "<div class=\"field%r\"><label for=\"f-label\">%s</label>\n",
		  a->err_label ? " invalid" : "", MM_L(h->lang, "ラベル（用途）", "Label (use)"));
	if (a->err_label)
		mm_html_f(h, "<p class=\"field-error\" id=\"e-label\">%s</p>\n", a->err_label);
	mm_html_f(
		h,
		"<input type=\"text\" id=\"f-label\" name=\"label\" maxlength=\"100\"%r>\n</div>\n"
		"<div class=\"field\"><label for=\"f-days\">%s</label>\n"
		"<select id=\"f-days\" name=\"days\">\n",
		a->err_label ? " aria-invalid=\"true\" aria-describedby=\"e-label\"" : "",
		MM_L(h->lang, "有効期間", "Valid for"));
	for (size_t i = 0; i < sizeof(validity) / sizeof(validity[0]); i++)
		mm_html_f(h, "<option value=\"%r\"%r>%s</option>\n", validity[i].value,
			  i == 1 ? " selected" : "", MM_L(h->lang, validity[i].ja, validity[i].en));
	mm_html_f(h, "</select></div>\n");
	mm_acct_form_close(h, MM_L(h->lang, "トークンを作成", "Create token"), "btn-primary");
}

static int tokens_section(struct mm_html *h, const struct mm_acct *a)
{
	struct mm_token *v;
	size_t n;
	int rc = mm_token_list(h->ctx->conn, a->acct.id, h->rq->a, &v, &n);

	if (rc)
		return rc;
	mm_html_f(
		h, "<section id=\"tokens\">\n<h2>%s</h2>\n<p class=\"hint\">%s</p>\n",
		MM_L(h->lang, "個人用 API トークン", "Personal API tokens"),
		MM_L(h->lang,
		     "プログラムから API を使うための鍵です（Authorization: Bearer "
		     "ヘッダーで送ります）。あなたと同じ権限を持つので、他人に渡さないでください。",
		     "Keys for programs using the API (sent as Authorization: Bearer). They act "
		     "with your rights: never share them."));
	if (n) {
		mm_html_f(h,
			  "<div class=\"table-wrap\"><table class=\"grid small\">\n<thead><tr>"
			  "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
			  "</tr></thead>\n<tbody>\n",
			  MM_L(h->lang, "ラベル", "Label"), MM_L(h->lang, "作成", "Created"),
			  MM_L(h->lang, "有効期限", "Expires"),
			  MM_L(h->lang, "最終利用", "Last used"), MM_L(h->lang, "状態", "State"),
			  MM_L(h->lang, "操作", "Action"));
		token_rows(h, v, n);
		mm_html_f(h, "</tbody></table></div>\n");
	} else {
		mm_html_f(h, "<p class=\"muted\">%s</p>\n",
			  MM_L(h->lang, "トークンはありません。", "No tokens."));
	}
	token_form(h, a);
	mm_html_f(h, "</section>\n");
	return MM_OK;
}

/* The account page itself. */
static int main_page(struct mm_html *h, struct mm_acct *a)
{
	int rc = mm_account_get(h->ctx->conn, a->acct.id, h->rq->a, &a->acct);

	if (rc)
		return rc;
	mm_acct_head(h, a, MM_L(h->lang, "アカウント", "Account"));
	mm_acct_box(h, "info", a->done);
	mm_acct_box(h, "error", a->error);
	identity(h, a);
	if (a->must_enrol) {
		mm_acct_totp_section(h, a);
		password_section(h, a);
	} else {
		password_section(h, a);
		mm_acct_totp_section(h, a);
		rc = tokens_section(h, a);
	}
	mm_html_end(h);
	return rc;
}

/* Answers with the account page (status a->status) and ends the request. */
void mm_acct_finish(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs, struct mm_acct *a)
{
	struct mm_html h;
	int rc;

	mm_html_init(&h, rq, rs, &a->ctx);
	rc = main_page(&h, a);
	rs->status = a->status;
	mm_ctx_close(w, &a->ctx);
	if (rc || rs->body.err)
		mm_html_fail(rq, rs, rc ? rc : rs->body.err);
}

/* Ends a request that succeeded with a redirect to the page and a message. */
void mm_acct_redirect(struct mm_web *w, struct mm_resp *rs, struct mm_acct *a, const char *location)
{
	mm_ctx_close(w, &a->ctx);
	mm_resp_redirect(rs, location);
}

void mm_acct_fail(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs, struct mm_acct *a,
		  int err)
{
	mm_ctx_close(w, &a->ctx);
	mm_html_fail(rq, rs, err);
}

/* Ends a request whose page is rendered into h. */
void mm_acct_close(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs, struct mm_acct *a)
{
	mm_ctx_close(w, &a->ctx);
	if (rs->body.err)
		mm_html_fail(rq, rs, rs->body.err);
}

void mm_acct_back(struct mm_html *h)
{
	mm_html_f(h, "<p><a class=\"btn btn-primary\" href=\"/account\">%s</a></p>\n",
		  MM_L(h->lang, "アカウントに戻る", "Back to the account"));
}

/* ---- Handlers ---- */

void mm_html_account(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	static const struct {
		const char *code, *ja, *en;
	} done[] = {
		{ "password", "パスワードを変更しました。ほかの場所でのログインは終了しました。",
		  "Your password was changed. You were signed out everywhere else." },
		{ "totp_removed", "二要素認証の登録を解除しました。",
		  "Two-factor authentication was removed." },
		{ "token_revoked", "トークンを失効させました。", "The token was revoked." },
	};
	const char *which = mm_param_get(rq->query, rq->nquery, "done");
	struct mm_acct a;

	if (!mm_acct_begin(w, rq, rs, &a, false))
		return;
	for (size_t i = 0; which && i < sizeof(done) / sizeof(done[0]); i++)
		if (strcmp(which, done[i].code) == 0)
			a.done = MM_L(rq->lang, done[i].ja, done[i].en);
	mm_acct_finish(w, rq, rs, &a);
}

void mm_html_account_password(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_ferrs errs = { .n = 0 };
	const char *pw, *again;
	struct mm_acct a;
	int rc;

	if (!mm_acct_begin(w, rq, rs, &a, true))
		return;
	pw = mm_acct_field(rq, "password");
	again = mm_acct_field(rq, "confirm");
	rc = mm_acct_check(&a, rq, mm_acct_field(rq, "current"), &a.err_current);
	if (!rc && !a.err_current && strcmp(pw, again) != 0) {
		a.err_confirm = MM_L(rq->lang, "新しいパスワードが、確認用の入力と一致しません。",
				     "The new password and its repetition differ.");
		a.status = 422;
	}
	if (!rc && !a.err_current && !a.err_confirm) {
		rc = mm_account_set_password(&a.ctx, a.acct.id, pw, rq->session, &errs);
		if (rc == MM_EVALIDATE) {
			a.err_new = ferr_text(rq, &errs);
			a.status = 422;
			rc = MM_OK;
		} else if (!rc) {
			mm_acct_redirect(w, rs, &a, "/account?done=password");
			return;
		}
	}
	if (rc) {
		mm_acct_fail(w, rq, rs, &a, rc);
		return;
	}
	mm_acct_finish(w, rq, rs, &a);
}

/* The new token, shown once. */
static void token_page(struct mm_html *h, const struct mm_acct *a, const char *token,
		       const char *label, int64_t expires)
{
	mm_acct_head(
		h, a,
		MM_L(h->lang, "個人用 API トークンを作成しました", "Personal API token created"));
	mm_acct_box(h, "warn",
		    MM_L(h->lang,
			 "このトークンは今しか表示されません。"
			 "コピーして、パスワードと同じように安全な場所に保管してください。"
			 "なくしたときや漏れたおそれがあるときは、"
			 "失効させて作り直してください。",
			 "This token is shown only now. Copy it and keep it as safe as a "
			 "password. If you lose it or it may have leaked, revoke it and make "
			 "a new one."));
	mm_html_f(h,
		  "<p><code class=\"secret\" id=\"new-token\">%s</code></p>\n"
		  "<dl class=\"fields\">\n"
		  "<div class=\"row\"><dt>%s</dt><dd>%s</dd></div>\n"
		  "<div class=\"row\"><dt>%s</dt><dd>%s</dd></div>\n</dl>\n"
		  "<p class=\"note\">%s <code>Authorization: Bearer %s</code></p>\n",
		  token, MM_L(h->lang, "ラベル", "Label"), label,
		  MM_L(h->lang, "有効期限", "Expires"),
		  expires ? when(h, expires) : MM_L(h->lang, "無期限", "Never"),
		  MM_L(h->lang, "使い方: API へのリクエストに次のヘッダーを付けます。",
		       "Use: send this header with API requests:"),
		  MM_L(h->lang, "トークン", "TOKEN"));
	mm_acct_back(h);
	mm_html_end(h);
}

/* Refuses token work to an account that must enrol TOTP first: a token
 * would get round the second factor. */
static bool may_use_tokens(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs,
			   struct mm_acct *a)
{
	if (!a->must_enrol)
		return true;
	mm_ctx_close(w, &a->ctx);
	mm_html_error(rq, rs, 403, "enrol_totp");
	return false;
}

void mm_html_account_token_create(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	char token[MM_AUTH_API_TOKEN_SIZE];
	const char *label, *days;
	int64_t expires = 0;
	struct mm_html h;
	struct mm_acct a;
	size_t i;
	int rc;

	if (!mm_acct_begin(w, rq, rs, &a, true) || !may_use_tokens(w, rq, rs, &a))
		return;
	label = mm_acct_field(rq, "label");
	days = mm_acct_field(rq, "days");
	for (i = 0; i < sizeof(validity) / sizeof(validity[0]); i++)
		if (strcmp(days, validity[i].value) == 0)
			break;
	if (i == sizeof(validity) / sizeof(validity[0]))
		a.error = MM_L(rq->lang, "有効期間を選んでください。",
			       "Choose how long it is valid.");
	else if (validity[i].days)
		expires = mm_now() + validity[i].days * DAY;
	rc = a.error ? MM_EINVAL
		     : mm_auth_token_create(&a.ctx, a.acct.id, label, expires, token, NULL);
	if (rc == MM_EINVAL) {
		if (!a.error)
			a.err_label = MM_L(rq->lang,
					   "ラベルは 100 文字以内で、"
					   "改行などの制御文字を含めずに入力してください。",
					   "The label takes at most 100 characters, without line "
					   "breaks or other control characters.");
		a.status = 422;
		mm_acct_finish(w, rq, rs, &a);
		return;
	}
	if (rc) {
		mm_acct_fail(w, rq, rs, &a, rc);
		return;
	}
	mm_html_init(&h, rq, rs, &a.ctx);
	token_page(&h, &a, token, label, expires);
	mm_acct_close(w, rq, rs, &a);
	sodium_memzero(token, sizeof(token));
}

void mm_html_account_token_revoke(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_acct a;
	int rc;

	if (!mm_acct_begin(w, rq, rs, &a, true) || !may_use_tokens(w, rq, rs, &a))
		return;
	rc = mm_auth_token_revoke(&a.ctx, a.acct.id, rq->id);
	if (rc) {
		mm_acct_fail(w, rq, rs, &a, rc);
		return;
	}
	mm_acct_redirect(w, rs, &a, "/account?done=token_revoked");
}
