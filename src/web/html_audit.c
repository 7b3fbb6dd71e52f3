/* The audit log's pages, read only: the viewer /audit with its filters,
 * the reports /audit/off-hours and /audit/refused, the "who viewed this"
 * section of a classified record's page, and the home page's notice of
 * an overdue inspection. No form here writes anything. */
#include "web/audit_params.h"
#include "web/html.h"

#include "core/datetime.h"
#include "core/err.h"
#include "core/slice.h"
#include "domain/auditlog.h"
#include "domain/principal.h"

#include <string.h>

enum { PAGE = 50, PAGE_MAX = 20000, VIEWERS = 50, GROUPS = 200 };

/* s with control characters shown as \xNN, so that a crafted login or
 * detail cannot fake lines or hide text. */
static const char *visible(struct mm_req *rq, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	struct mm_buf b;
	const char *out;

	if (!s)
		return "";
	mm_buf_init(&b, 1 << 20);
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c == 0x7f) {
			char e[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
			mm_buf_add(&b, e, 4);
		} else {
			mm_buf_addc(&b, (char)c);
		}
	}
	out = b.err ? "" : mm_arena_strndup(rq->a, b.data ? b.data : "", b.len);
	mm_buf_free(&b);
	return out ? out : "";
}

static const char *qp(struct mm_req *rq, const char *name)
{
	const char *v = mm_param_get(rq->query, rq->nquery, name);
	return v ? v : "";
}

static void th(struct mm_html *h, const char *ja, const char *en)
{
	mm_html_f(h, "<th scope=\"col\">%s</th>", MM_L(h->lang, ja, en));
}

static const char *jst(struct mm_req *rq, int64_t t)
{
	char buf[17];

	mm_time_jst(t, buf);
	return mm_html_str(rq, "%s", buf);
}

/* The field errors of the filter form. */
static void errors(struct mm_html *h, const struct mm_ferrs *errs)
{
	struct mm_buf m;

	if (!errs->n)
		return;
	mm_html_f(h, "<div class=\"msg error\" role=\"alert\"><ul>\n");
	for (size_t i = 0; i < errs->n; i++) {
		mm_buf_init(&m, 4096);
		mm_msg_format(&m, h->lang, errs->e[i].msg, errs->e[i].label, errs->e[i].min,
			      errs->e[i].max);
		mm_html_f(h, "<li>%s</li>\n", m.err ? "" : m.data);
		mm_buf_free(&m);
	}
	mm_html_f(h, "</ul></div>\n");
}

static void input(struct mm_html *h, const char *name, const char *ja, const char *en,
		  const char *type)
{
	mm_html_f(h,
		  "<div class=\"ff\"><label for=\"a-%s\">%s</label>\n"
		  "<input type=\"%r\" id=\"a-%s\" name=\"%s\" value=\"%s\" "
		  "maxlength=\"200\"></div>\n",
		  name, MM_L(h->lang, ja, en), type, name, name, qp(h->rq, name));
}

static void select_action(struct mm_html *h)
{
	const char *cur = qp(h->rq, "action");

	mm_html_f(h,
		  "<div class=\"ff\"><label for=\"a-action\">%s</label>\n"
		  "<select id=\"a-action\" name=\"action\">\n<option value=\"\">%s</option>\n",
		  MM_L(h->lang, "操作", "Action"), MM_L(h->lang, "（すべて）", "(all)"));
	for (size_t i = 0; i < mm_audit_action_count(); i++) {
		const char *c = mm_audit_action_code(i);
		mm_html_f(h, "<option value=\"%s\"%r>%s</option>\n", c,
			  strcmp(cur, c) == 0 ? " selected" : "",
			  mm_audit_action_label(c, h->lang));
	}
	mm_html_f(h, "</select></div>\n");
}

static void select_result(struct mm_html *h)
{
	static const char *const codes[] = { "ok", "refused", "failed" };
	const char *cur = qp(h->rq, "result");

	mm_html_f(h,
		  "<div class=\"ff\"><label for=\"a-result\">%s</label>\n"
		  "<select id=\"a-result\" name=\"result\">\n<option value=\"\">%s</option>\n",
		  MM_L(h->lang, "結果", "Result"), MM_L(h->lang, "（すべて）", "(all)"));
	for (size_t i = 0; i < 3; i++)
		mm_html_f(h, "<option value=\"%s\"%r>%s</option>\n", codes[i],
			  strcmp(cur, codes[i]) == 0 ? " selected" : "",
			  mm_audit_result_label(codes[i], h->lang));
	mm_html_f(h, "</select></div>\n");
}

/* The filter form; the reports show only the period (and person). */
static void filter_form(struct mm_html *h, const char *path, bool full)
{
	mm_html_f(h,
		  "<form class=\"filters no-print\" method=\"get\" action=\"%s\" role=\"search\">\n"
		  "<div class=\"filter-grid\">\n",
		  path);
	if (full) {
		input(h, "person", "職員（ログイン名・職員番号）", "Person (login or employee no.)",
		      "text");
		select_action(h);
		input(h, "object", "対象（前方一致。例: assets/12）",
		      "Object (prefix, e.g. assets/12)", "text");
		select_result(h);
	}
	input(h, "from", "期間（開始日）", "From (date)", "text");
	input(h, "to", "期間（終了日）", "To (date)", "text");
	mm_html_f(h,
		  "</div>\n<p class=\"hint\">%s</p>\n<p><button type=\"submit\" class=\"btn "
		  "btn-primary\">%s</button> <a class=\"btn btn-plain\" href=\"%s\">%s</a></p>\n"
		  "</form>\n",
		  MM_L(h->lang,
		       "日付は 2024-04-01、令和6年4月1日、R6.4.1 などで入力できます（日本時間）。",
		       "Dates as 2024-04-01, 令和6年4月1日 or R6.4.1 (JST)."),
		  MM_L(h->lang, "絞り込む", "Apply"), path, MM_L(h->lang, "条件をクリア", "Clear"));
}

/* The period the page covers, and why when it was not asked for. */
static void period_note(struct mm_html *h, const struct mm_auditq *q)
{
	char from[11], to[11];

	mm_audit_period_dates(q, from, to);
	mm_html_f(h, "<p class=\"note\" id=\"audit-period\">%s %s – %s",
		  MM_L(h->lang, "期間:", "Period:"), from, *to ? to : MM_L(h->lang, "現在", "now"));
	if (q->period_default)
		mm_html_f(
			h, "%s%D%s",
			MM_L(h->lang, "（開始日の指定がないため、直近 ",
			     " (no start date was given: the last "),
			(int64_t)MM_AUDIT_DEFAULT_DAYS,
			MM_L(h->lang,
			     " 日間を表示しています。それより前の記録は開始日を指定してください）",
			     " days are shown; give a start date for older entries)"));
	mm_html_f(h, "</p>\n");
}

/* The object, linked to its record when it names one. */
static void object_cell(struct mm_html *h, const char *object)
{
	const char *slash = strchr(object, '/');
	int64_t id;

	if (slash && mm_register_findn(object, (size_t)(slash - object)) &&
	    mm_slice_to_i64(mm_slice_cstr(slash + 1), &id) && id > 0)
		mm_html_f(h, "<td class=\"nowrap\"><a href=\"/%s\">%s</a></td>", object, object);
	else
		mm_html_f(h, "<td class=\"nowrap\">%s</td>", visible(h->rq, object));
}

static void event_row(struct mm_html *h, const struct mm_audit_event *e)
{
	mm_html_f(h, "<tr><td class=\"nowrap\">%s</td><td>%s</td><td class=\"nowrap\">%s</td>",
		  jst(h->rq, e->at), visible(h->rq, e->actor), visible(h->rq, e->ip));
	mm_html_f(h, "<td>%s <span class=\"muted\">%s</span></td>",
		  mm_audit_action_label(e->action, h->lang), e->action);
	object_cell(h, e->object);
	mm_html_f(h,
		  "<td class=\"nowrap\">%s</td><td><code>%s</code></td>"
		  "<td class=\"muted\">%s</td></tr>\n",
		  mm_audit_result_label(e->result, h->lang), visible(h->rq, e->details),
		  visible(h->rq, e->request_id));
}

static void events_table(struct mm_html *h, const struct mm_audit_event *v, size_t n)
{
	mm_html_f(h, "<div class=\"table-wrap\"><table class=\"grid small\">\n<thead><tr>");
	th(h, "日時（日本時間）", "When (JST)");
	th(h, "職員", "Who");
	th(h, "送信元", "Address");
	th(h, "操作", "Action");
	th(h, "対象", "Object");
	th(h, "結果", "Result");
	th(h, "詳細", "Details");
	th(h, "要求ID", "Request id");
	mm_html_f(h, "</tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < n; i++)
		event_row(h, &v[i]);
	if (!n)
		mm_html_f(h, "<tr><td class=\"empty\" colspan=\"8\">%s</td></tr>\n",
			  MM_L(h->lang, "該当する記録はありません。", "No matching entries."));
	mm_html_f(h, "</tbody></table></div>\n");
}

static void pager(struct mm_html *h, const char *path, size_t page, bool more)
{
	static const char *const drop[] = { "page", NULL };

	mm_html_f(h, "<nav class=\"pager\" aria-label=\"%s\">\n",
		  MM_L(h->lang, "ページ送り", "Pages"));
	if (page > 1)
		mm_html_f(
			h, "<a class=\"btn\" rel=\"prev\" href=\"%s\">%s</a>\n",
			mm_html_url(h->rq, path, drop, "page", mm_html_str(h->rq, "%zu", page - 1)),
			MM_L(h->lang, "← 新しい記録", "← Newer"));
	mm_html_f(h, "<span class=\"count\">%s %D</span>\n", MM_L(h->lang, "ページ", "Page"),
		  (int64_t)page);
	if (more)
		mm_html_f(
			h, "<a class=\"btn\" rel=\"next\" href=\"%s\">%s</a>\n",
			mm_html_url(h->rq, path, drop, "page", mm_html_str(h->rq, "%zu", page + 1)),
			MM_L(h->lang, "古い記録 →", "Older →"));
	mm_html_f(h, "</nav>\n");
}

static size_t page_param(struct mm_req *rq)
{
	int64_t n;

	if (!mm_slice_to_i64(mm_slice_trim(mm_slice_cstr(qp(rq, "page"))), &n) || n < 1 ||
	    n > PAGE_MAX)
		return 1;
	return (size_t)n;
}

static void report_links(struct mm_html *h)
{
	mm_html_f(
		h,
		"<p class=\"note\">%s <a href=\"/audit\">%s</a> ・ <a "
		"href=\"/audit/refused\">%s</a> ・ <a href=\"/audit/off-hours\">%s</a> ・ <a "
		"href=\"/inspections\">%s</a></p>\n",
		MM_L(h->lang,
		     "アクセスログ（監査ログ）は閲覧のみです。記録を変更・削除する操作はありません"
		     "（7.6）。",
		     "The audit log is read only; no operation changes or deletes an entry (7.6)."),
		MM_L(h->lang, "すべての記録", "All entries"),
		MM_L(h->lang, "拒否・失敗の集計", "Refusals"),
		MM_L(h->lang, "時間外の操作", "Off-hours activity"),
		MM_L(h->lang, "監査ログの検査", "Inspections"));
}

/* The viewer and the off-hours report: the same table, the report limited
 * to events outside working hours. */
static void events_page(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs, bool off)
{
	const char *path = off ? "/audit/off-hours" : "/audit";
	struct mm_ferrs errs = { .n = 0 };
	struct mm_audit_event *v = NULL;
	struct mm_audit_params p;
	struct mm_auditq q = { 0 };
	size_t n = 0, page = page_param(rq);
	bool more = false;
	struct mm_ctx ctx;
	struct mm_html h;
	const char *title;
	int rc = mm_ctx_open(w, rq, &ctx);

	if (!rc)
		rc = mm_inspect_check(&ctx, path);
	mm_audit_params_read(rq, &p);
	if (!rc)
		rc = mm_inspect_query(&ctx, &p, &q, &errs);
	if (!rc && off)
		mm_audit_off_hours(&q);
	q.limit = PAGE;
	q.offset = (page - 1) * PAGE;
	if (!rc)
		rc = mm_auditq_list(ctx.conn, &q, rq->a, &v, &n, &more);
	if (rc && rc != MM_EVALIDATE) {
		mm_ctx_close(w, &ctx);
		mm_html_fail(rq, rs, rc);
		return;
	}
	mm_html_init(&h, rq, rs, &ctx);
	if (rc)
		rs->status = 400;
	title = off ? MM_L(h.lang, "時間外の操作", "Activity outside working hours")
		    : MM_L(h.lang, "監査ログ", "Audit log");
	mm_html_begin(&h, title);
	mm_html_f(&h, "<h1>%s</h1>\n", title);
	report_links(&h);
	if (off)
		mm_html_f(&h, "<p class=\"note\">%s %s</p>\n",
			  MM_L(h.lang,
			       "土曜・日曜の全時間と、平日の勤務時間外の記録です。勤務時間:",
			       "All of Saturdays and Sundays, and weekdays outside working hours:"),
			  mm_html_str(rq, "%02d:%02d–%02d:%02d", q.start_min / 60, q.start_min % 60,
				      q.end_min / 60, q.end_min % 60));
	filter_form(&h, path, true);
	errors(&h, &errs);
	if (!rc)
		period_note(&h, &q);
	events_table(&h, v, n);
	if (!rc)
		pager(&h, path, page, more);
	mm_html_end(&h);
	mm_ctx_close(w, &ctx);
	if (rs->body.err)
		mm_html_fail(rq, rs, rs->body.err);
}

void mm_html_audit(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	events_page(w, rq, rs, false);
}

void mm_html_audit_off_hours(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	events_page(w, rq, rs, true);
}

static void group_row(struct mm_html *h, const struct mm_audit_group *g)
{
	const char *who = *g->actor ? g->actor : MM_L(h->lang, "（不明）", "(unknown)");

	mm_html_f(h, "<tr><td>%s</td><td class=\"nowrap\">%s</td><td class=\"num\">%N</td>",
		  visible(h->rq, who), visible(h->rq, g->ip), g->count);
	mm_html_f(h, "<td class=\"nowrap\">%s</td>", jst(h->rq, g->first));
	mm_html_f(h, "<td class=\"nowrap\">%s</td>", jst(h->rq, g->last));
	if (*g->actor)
		mm_html_f(h, "<td><a href=\"/audit?person=%U&amp;from=%U&amp;to=%U\">%s</a></td>",
			  g->actor, qp(h->rq, "from"), qp(h->rq, "to"),
			  MM_L(h->lang, "記録を見る", "Entries"));
	else
		mm_html_f(h, "<td></td>");
	mm_html_f(h, "</tr>\n");
}

void mm_html_audit_refused(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_ferrs errs = { .n = 0 };
	struct mm_audit_group *v = NULL;
	struct mm_audit_params p = { 0 };
	struct mm_auditq q = { 0 };
	struct mm_ctx ctx;
	struct mm_html h;
	size_t n = 0;
	const char *title;
	int rc = mm_ctx_open(w, rq, &ctx);

	if (!rc)
		rc = mm_inspect_check(&ctx, "/audit/refused");
	p.from = qp(rq, "from");
	p.to = qp(rq, "to");
	if (!rc)
		rc = mm_inspect_query(&ctx, &p, &q, &errs);
	if (!rc)
		rc = mm_auditq_refusals(ctx.conn, q.from, q.until, GROUPS, rq->a, &v, &n);
	if (rc && rc != MM_EVALIDATE) {
		mm_ctx_close(w, &ctx);
		mm_html_fail(rq, rs, rc);
		return;
	}
	mm_html_init(&h, rq, rs, &ctx);
	if (rc)
		rs->status = 400;
	title = MM_L(h.lang, "拒否されたアクセスと失敗したサインイン",
		     "Refused access and failed sign-ins");
	mm_html_begin(&h, title);
	mm_html_f(&h, "<h1>%s</h1>\n", title);
	report_links(&h);
	filter_form(&h, "/audit/refused", false);
	errors(&h, &errs);
	if (!rc)
		period_note(&h, &q);
	mm_html_f(&h, "<div class=\"table-wrap\"><table class=\"grid\">\n<thead><tr>");
	th(&h, "職員（ログイン名）", "Who (login)");
	th(&h, "送信元", "Address");
	th(&h, "件数", "Count");
	th(&h, "最初", "First");
	th(&h, "最後", "Last");
	th(&h, "記録", "Entries");
	mm_html_f(&h, "</tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < n; i++)
		group_row(&h, &v[i]);
	if (!n)
		mm_html_f(&h, "<tr><td class=\"empty\" colspan=\"6\">%s</td></tr>\n",
			  MM_L(h.lang, "拒否・失敗はありません。", "No refusals."));
	mm_html_f(&h, "</tbody></table></div>\n");
	mm_html_end(&h);
	mm_ctx_close(w, &ctx);
	if (rs->body.err)
		mm_html_fail(rq, rs, rs->body.err);
}

void mm_html_viewers(struct mm_html *h, const struct mm_register *r, const struct mm_record *rec)
{
	struct mm_audit_event *v = NULL;
	size_t n = 0;
	bool shown = false, more = false;

	if (mm_inspect_viewers_shown(h->ctx, r, rec, &shown) || !shown ||
	    mm_inspect_viewers(h->ctx, r, rec, VIEWERS, &v, &n, &more))
		return;
	mm_html_f(h,
		  "<section class=\"viewers\"><h2>%s</h2>\n<p class=\"note\">%s</p>\n"
		  "<div class=\"table-wrap\"><table class=\"grid small\">\n<thead><tr>",
		  MM_L(h->lang, "閲覧の記録（誰が見たか）", "Who viewed this"),
		  MM_L(h->lang,
		       "この記録（課外秘・極秘）を閲覧した人の記録です。事務局・監査人・所管課のデ"
		       "ータ管理責任者にだけ表示します。",
		       "Reads of this classified record. Shown only to the secretariat, auditors "
		       "and the owning section's data manager."));
	th(h, "日時（日本時間）", "When (JST)");
	th(h, "職員", "Who");
	th(h, "送信元", "Address");
	mm_html_f(h, "</tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < n; i++)
		mm_html_f(h, "<tr><td class=\"nowrap\">%s</td><td>%s</td><td>%s</td></tr>\n",
			  jst(h->rq, v[i].at), visible(h->rq, v[i].actor), visible(h->rq, v[i].ip));
	mm_html_f(h, "</tbody></table></div>\n");
	if (more)
		mm_html_f(h, "<p><a href=\"/audit?action=record_read&amp;object=%U\">%s</a></p>\n",
			  mm_html_str(h->rq, "%s/%lld", r->schema.name, (long long)rec->id),
			  MM_L(h->lang, "すべての閲覧記録", "All reads"));
	mm_html_f(h, "</section>\n");
}

/* A warning when the log's entries wait too long for a signed checkpoint:
 * the signer (mamori-checkpoint.timer) is not running. */
static void checkpoint_warning(struct mm_html *h, struct mm_ctx *ctx)
{
	struct mm_alog_status st;
	char since[17];

	if (mm_auditlog_status(ctx->conn, mm_now(), &st) != MM_OK || !st.overdue)
		return;
	mm_time_jst(st.unsigned_since, since);
	mm_html_f(h,
		  "<div class=\"msg warn\" role=\"alert\" "
		  "id=\"checkpoint-overdue\">%s%D%s%s%s</div>\n",
		  MM_L(h->lang, "監査ログの署名（チェックポイント）が遅れています。未署名の記録: ",
		       "The audit log's signed checkpoints are overdue. Entries not yet signed: "),
		  st.unsigned_count, MM_L(h->lang, " 件（最初の記録: ", " (the first at "), since,
		  MM_L(h->lang,
		       "）。署名を行うタイマー（mamori-checkpoint.timer）が動いているか確認して"
		       "ください。",
		       "). Check that the signer (mamori-checkpoint.timer) runs."));
}

/* The home page of those told of inspections: the state of the last one,
 * the log's signing, and the way to the log. */
bool mm_html_home_inspection(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	char last[11];
	bool overdue = false;
	struct mm_ctx ctx;
	struct mm_html h;
	const char *title;
	int rc = mm_ctx_open(w, rq, &ctx);

	if (rc || !mm_inspect_warned(&ctx) || mm_inspect_overdue(&ctx, &overdue, last)) {
		mm_ctx_close(w, &ctx);
		return false;
	}
	mm_html_init(&h, rq, rs, &ctx);
	title = MM_L(h.lang, "ホーム", "Home");
	mm_html_begin(&h, title);
	mm_html_f(&h, "<h1>%s</h1>\n", title);
	if (overdue && *last)
		mm_html_f(&h,
			  "<div class=\"msg warn\" role=\"alert\" "
			  "id=\"inspection-overdue\">%s%s%s%D%s</div>\n",
			  MM_L(h.lang,
			       "監査ログの検査が遅れています。最後に承認された検査の対象期間は ",
			       "The audit log inspection is overdue. The last signed-off "
			       "inspection covered up to "),
			  last, MM_L(h.lang, " までです（検査の間隔: ", " (interval: "),
			  (int64_t)mm_inspect_settings.interval_days,
			  MM_L(h.lang, "日）。", " days)."));
	else if (overdue)
		mm_html_f(&h,
			  "<div class=\"msg warn\" role=\"alert\" "
			  "id=\"inspection-overdue\">%s</div>\n",
			  MM_L(h.lang,
			       "監査ログの検査が一度も承認されていません。検査を記録してください。",
			       "No audit log inspection has been signed off yet. Please record "
			       "one."));
	else
		mm_html_f(&h, "<p class=\"note\" id=\"inspection-ok\">%s%s%s</p>\n",
			  MM_L(h.lang, "最後に承認された監査ログの検査の対象期間: ",
			       "Last signed-off audit log inspection covered up to "),
			  last, MM_L(h.lang, " まで", ""));
	checkpoint_warning(&h, &ctx);
	report_links(&h);
	mm_html_f(&h, "<p><a class=\"btn\" href=\"/%s\">%s</a></p>\n", mm_registers[0]->schema.name,
		  mm_html_reg_label(mm_registers[0], h.lang));
	mm_html_end(&h);
	mm_ctx_close(w, &ctx);
	if (rs->body.err)
		mm_html_fail(rq, rs, rs->body.err);
	return true;
}
