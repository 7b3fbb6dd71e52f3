/* Inspection of the audit log: access, the viewer's filters, "who viewed
 * this" and the inspection interval (see inspect.h). */
#include "domain/inspect.h"

#include "core/datetime.h"
#include "core/err.h"
#include "core/slice.h"
#include "domain/access.h"
#include "domain/audit_record.h"
#include "domain/principal.h"
#include "domain/registers.h"
#include "store/identity.h"

#include <stdio.h>
#include <string.h>

enum { PERSON_MAX = 64, ACTION_MAX = 40, OBJECT_MAX = 200, JST_OFFSET = 9 * 3600 };

struct mm_inspect_settings mm_inspect_settings = { 31, 8 * 60, 19 * 60 };

/* "HH:MM" to minutes after midnight; -1 when malformed. */
static int hhmm(struct mm_slice s)
{
	struct mm_slice h;
	int64_t hv, mv;

	s = mm_slice_cut(mm_slice_trim(s), ':', &h);
	if (!s.ptr || h.len != 2 || s.len != 2 || !mm_slice_to_i64(h, &hv) ||
	    !mm_slice_to_i64(s, &mv) || hv < 0 || hv > 24 || mv < 0 || mv > 59 || (hv == 24 && mv))
		return -1;
	return (int)(hv * 60 + mv);
}

int mm_inspect_setting(const char *name, const char *value)
{
	struct mm_slice v = mm_slice_trim(mm_slice_cstr(value)), a;
	int64_t n;

	if (strcmp(name, "inspection_interval_days") == 0) {
		if (!mm_slice_to_i64(v, &n) || n < 1 || n > 3660)
			return 0;
		mm_inspect_settings.interval_days = (int)n;
		return 1;
	}
	if (strcmp(name, "work_hours") == 0) {
		int start, end;

		v = mm_slice_cut(v, '-', &a);
		start = hhmm(a);
		end = v.ptr ? hhmm(v) : -1;
		if (start < 0 || end < 0 || start >= end)
			return 0;
		mm_inspect_settings.work_start = start;
		mm_inspect_settings.work_end = end;
		return 1;
	}
	return 0;
}

bool mm_inspect_may(const struct mm_ctx *ctx)
{
	const unsigned readers = MM_ROLE_BIT(MM_ROLE_SECRETARIAT) | MM_ROLE_BIT(MM_ROLE_AUDITOR);

	return !ctx->who || (ctx->who->roles & readers) != 0;
}

int mm_inspect_check(struct mm_ctx *ctx, const char *what)
{
	char details[160];
	int rc;

	if (mm_inspect_may(ctx))
		return MM_OK;
	snprintf(details, sizeof(details), "{\"op\":\"read\",\"what\":\"%s\"}", what);
	rc = mm_audit_tx(ctx, "access_denied", "audit", "refused", details);
	return rc ? rc : MM_EPERM;
}

/* The viewer's parameters as fields, for the labels of their errors. */
static const struct mm_option results[] = {
	{ "ok", "成功", "Succeeded" },
	{ "refused", "拒否", "Refused" },
	{ "failed", "失敗", "Failed" },
};

enum { P_PERSON, P_ACTION, P_OBJECT, P_RESULT, P_FROM, P_TO };

static const struct mm_field params[] = {
	[P_PERSON] = { "person", "職員（ログイン名または職員番号）",
		       "Person (login or employee number)", MM_FT_TEXT, 0, 0, PERSON_MAX },
	[P_ACTION] = { "action", "操作", "Action", MM_FT_TEXT, 0, 0, ACTION_MAX },
	[P_OBJECT] = { "object", "対象", "Object", MM_FT_TEXT, 0, 0, OBJECT_MAX },
	[P_RESULT] = { "result", "結果", "Result", MM_FT_ENUM, 0, 0, 0, results, 3 },
	[P_FROM] = { "from", "期間（開始日）", "From", MM_FT_DATE },
	[P_TO] = { "to", "期間（終了日）", "To", MM_FT_DATE },
};

static void bad(struct mm_ctx *ctx, struct mm_ferrs *errs, int p, const char *msg)
{
	mm_ferr_add(errs, &params[p], params[p].name, msg, ctx->lang);
}

/* Text as typed, trimmed, in the arena; NULL when empty. */
static const char *text(struct mm_ctx *ctx, const char *s)
{
	struct mm_slice t = mm_slice_trim(mm_slice_cstr(s ? s : ""));

	return t.len ? mm_arena_strndup(ctx->a, t.ptr, t.len) : NULL;
}

static bool plain(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* Finds the account of a login or of an employee number. */
static int person(struct mm_ctx *ctx, const char *who, struct mm_auditq *q)
{
	struct mm_value v = { true, 0, who };
	struct mm_account acct;
	int64_t pid;
	int rc = mm_account_by_login(ctx->conn, who, ctx->a, &acct);

	q->actor = who;
	if (rc == MM_ENOTFOUND) {
		rc = mm_rec_find(ctx->conn, &mm_reg_people.schema, PER_NO, &v, 0, &pid);
		if (!rc)
			rc = mm_account_by_person(ctx->conn, pid, ctx->a, &acct);
	}
	if (rc == MM_ENOTFOUND)
		return MM_OK;
	if (rc)
		return rc;
	q->account_id = acct.id;
	q->actor = acct.login;
	return MM_OK;
}

/* A JST date to the unix time of its start; false when it does not parse. */
static bool day_start(const char *s, int64_t *t)
{
	struct mm_date d;

	if (mm_date_parse(mm_slice_cstr(s), &d))
		return false;
	*t = mm_date_to_days(d) * 86400 - JST_OFFSET;
	return true;
}

static bool action_ok(const char *s)
{
	size_t n = strlen(s);

	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || *p == '_'))
			return false;
	return n > 0 && n <= ACTION_MAX;
}

/* Without a start date the period is the MM_AUDIT_DEFAULT_DAYS days (JST)
 * up to its end, today when that is open too, so that no query reads the
 * whole log unless asked to. */
static void default_from(struct mm_ctx *ctx, struct mm_auditq *q)
{
	int64_t now = ctx->now ? ctx->now : mm_now();
	int64_t day = now + JST_OFFSET;
	int64_t end = q->until;

	if (!end) {
		day = day >= 0 ? day / 86400 : -((-day + 86399) / 86400);
		end = (day + 1) * 86400 - JST_OFFSET;
	}
	q->from = end - (int64_t)MM_AUDIT_DEFAULT_DAYS * 86400;
	q->period_default = true;
}

static void period(struct mm_ctx *ctx, const struct mm_audit_params *p, struct mm_auditq *q,
		   struct mm_ferrs *errs)
{
	const char *from = text(ctx, p->from), *to = text(ctx, p->to);

	if (from && !day_start(from, &q->from))
		bad(ctx, errs, P_FROM, "bad_date");
	if (to && !day_start(to, &q->until))
		bad(ctx, errs, P_TO, "bad_date");
	else if (to)
		q->until += 86400; /* the whole of the last day */
	if (!errs->n && q->from && q->until && q->until <= q->from)
		bad(ctx, errs, P_TO, "until_before_from");
	if (!errs->n && !from)
		default_from(ctx, q);
}

int mm_inspect_query(struct mm_ctx *ctx, const struct mm_audit_params *p, struct mm_auditq *q,
		     struct mm_ferrs *errs)
{
	const char *who = text(ctx, p->person), *action = text(ctx, p->action);
	const char *object = text(ctx, p->object), *result = text(ctx, p->result);
	int rc = MM_OK;

	errs->n = 0;
	q->account_id = q->from = q->until = 0;
	q->actor = q->action = q->object = q->result = NULL;
	q->object_exact = q->period_default = false;
	if (who && (strlen(who) > PERSON_MAX || !plain(who)))
		bad(ctx, errs, P_PERSON, strlen(who) > PERSON_MAX ? "too_long" : "bad_text");
	else if (who)
		rc = person(ctx, who, q);
	if (action && !action_ok(action))
		bad(ctx, errs, P_ACTION, "bad_choice");
	q->action = action;
	if (object && (strlen(object) > OBJECT_MAX || !plain(object)))
		bad(ctx, errs, P_OBJECT, strlen(object) > OBJECT_MAX ? "too_long" : "bad_text");
	q->object = object;
	if (result && strcmp(result, "ok") && strcmp(result, "refused") && strcmp(result, "failed"))
		bad(ctx, errs, P_RESULT, "bad_choice");
	q->result = result;
	period(ctx, p, q, errs);
	if (!rc && errs->n)
		rc = MM_EVALIDATE;
	return rc;
}

struct label {
	const char *code, *ja, *en;
};

static const struct label actions[] = {
	{ "signin", "サインイン", "Sign-in" },
	{ "signin_totp", "サインイン（確認コード）", "Sign-in (TOTP code)" },
	{ "signout", "サインアウト", "Sign-out" },
	{ "lockout", "アカウントのロック", "Account locked" },
	{ "bearer", "API トークンの使用", "API token use" },
	{ "password_change", "パスワードの変更", "Password change" },
	{ "totp_enrol", "二要素認証の登録", "TOTP enrolment" },
	{ "totp_recovery", "二要素認証の再登録", "TOTP recovery" },
	{ "sessions_end", "セッションの終了", "Sessions ended" },
	{ "token_create", "API トークンの発行", "API token created" },
	{ "token_revoke", "API トークンの失効", "API token revoked" },
	{ "account_create", "アカウントの作成", "Account created" },
	{ "user_add", "利用者の追加", "User added" },
	{ "role_change", "役割の変更", "Role change" },
	{ "sod_rule_change", "職務分離ルールの変更", "SoD rule change" },
	{ "access_denied", "アクセスの拒否", "Access refused" },
	{ "grant", "個別の権限の付与", "Grant given" },
	{ "ungrant", "個別の権限の取消し", "Grant taken back" },
	{ "transition", "承認などの操作（特権）", "Decision (privileged)" },
	{ "transition_refused", "承認などの操作の拒否", "Decision refused" },
	{ "record_create", "記録の登録", "Record created" },
	{ "record_update", "記録の変更", "Record changed" },
	{ "record_retire", "記録の廃止", "Record retired" },
	{ "record_restore", "記録の復元", "Record restored" },
	{ "record_transition", "記録の状態の変更", "Record state change" },
	{ "record_read", "記録の閲覧（課外秘・極秘）", "Record read (classified)" },
	{ "export", "エクスポート", "Export" },
	{ "import", "インポート", "Import" },
	{ "server_start", "サーバーの起動", "Server start" },
	{ "server_stop", "サーバーの停止", "Server stop" },
	{ "config_load", "設定の読込み", "Settings loaded" },
	{ "internal_error", "内部エラー", "Internal error" },
};

const char *mm_audit_action_label(const char *action, enum mm_lang lang)
{
	for (size_t i = 0; action && i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strcmp(actions[i].code, action) == 0)
			return MM_L(lang, actions[i].ja, actions[i].en);
	return action ? action : "";
}

size_t mm_audit_action_count(void)
{
	return sizeof(actions) / sizeof(actions[0]);
}

const char *mm_audit_action_code(size_t i)
{
	return i < mm_audit_action_count() ? actions[i].code : NULL;
}

const char *mm_audit_result_label(const char *result, enum mm_lang lang)
{
	return mm_option_label(&params[P_RESULT], result, lang);
}

int mm_inspect_viewers_shown(struct mm_ctx *ctx, const struct mm_register *r,
			     const struct mm_record *rec, bool *shown)
{
	const unsigned roles = MM_ROLE_BIT(MM_ROLE_SECRETARIAT) | MM_ROLE_BIT(MM_ROLE_AUDITOR);
	const struct mm_principal *p = ctx->who;
	int rc = MM_OK;

	*shown = mm_access_level(r, rec) >= 3;
	if (!*shown || !p)
		return MM_OK;
	rc = mm_access_read(ctx, r, rec, shown);
	if (rc || !*shown || (p->roles & roles))
		return rc;
	/* The owning section's data manager: the one whose grant right
	 * rests on managing the section (事務局 is covered above). */
	*shown = false;
	if (r->owner_field >= 0 && p->nmanaged)
		rc = mm_access_may(ctx, r, MM_ACCESS_GRANT, rec, shown);
	return rc;
}

int mm_inspect_viewers(struct mm_ctx *ctx, const struct mm_register *r, const struct mm_record *rec,
		       size_t limit, struct mm_audit_event **out, size_t *n, bool *more)
{
	char object[96];
	struct mm_auditq q = { .action = "record_read", .object = object, .object_exact = true };
	bool shown;
	int rc = mm_inspect_viewers_shown(ctx, r, rec, &shown);

	*out = NULL;
	*n = 0;
	*more = false;
	if (rc || !shown)
		return rc ? rc : MM_EPERM;
	snprintf(object, sizeof(object), "%s/%lld", r->schema.name, (long long)rec->id);
	q.limit = limit;
	return mm_auditq_list(ctx->conn, &q, ctx->a, out, n, more);
}

int mm_inspect_overdue(struct mm_ctx *ctx, bool *overdue, char last_to[11])
{
	const struct mm_schema *s = &mm_reg_inspections.schema;
	struct mm_filter f = { INS_STATE, MM_OP_EQ, { true, 0, "signed_off" } };
	struct mm_query q = { &f, 1, NULL, INS_TO, true, MM_ACTIVE, 1, 0, NULL, NULL };
	struct mm_page page;
	char today[11];
	struct mm_date d, t;
	int rc = mm_rec_list(ctx->conn, s, &q, ctx->a, &page);

	*overdue = true;
	last_to[0] = '\0';
	if (rc || page.n == 0 || !page.recs[0].v[INS_TO].set)
		return rc;
	snprintf(last_to, 11, "%s", page.recs[0].v[INS_TO].s);
	mm_ctx_today(ctx, today);
	if (mm_date_parse(mm_slice_cstr(last_to), &d) || mm_date_parse(mm_slice_cstr(today), &t))
		return MM_OK;
	*overdue = mm_date_to_days(t) - mm_date_to_days(d) > mm_inspect_settings.interval_days;
	return MM_OK;
}

bool mm_inspect_warned(const struct mm_ctx *ctx)
{
	const unsigned roles = MM_ROLE_BIT(MM_ROLE_SECRETARIAT) | MM_ROLE_BIT(MM_ROLE_AUDITOR) |
			       MM_ROLE_BIT(MM_ROLE_DEPUTY);

	return ctx->who && (ctx->who->roles & roles);
}
