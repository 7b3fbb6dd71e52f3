/* The clock (7.7): its page for the administrators (/admin/clock), its JSON
 * (/api/v1/clock), and the warning every page shows them when the clock is
 * not synchronised or is off by more than the threshold. The status comes
 * from the background watch (core/clock.h): no request waits on the
 * network. */
#include "web/html.h"

#include "core/clock.h"
#include "core/datetime.h"
#include "core/err.h"
#include "domain/principal.h"

#include <stdlib.h>
#include <string.h>

/* Who sees the clock: the application administrator, 事務局 and 監査人. */
static bool may_see(const struct mm_principal *p)
{
	return mm_has_role(p, MM_ROLE_APP_ADMIN) || mm_has_role(p, MM_ROLE_SECRETARIAT) ||
	       mm_has_role(p, MM_ROLE_AUDITOR);
}

static const struct mm_clock_settings *settings(const struct mm_web *w)
{
	return mm_clock_watch_settings(w ? w->clock : NULL);
}

static enum mm_clock_verdict status(const struct mm_web *w, struct mm_clock_status *s)
{
	mm_clock_watch_get(w ? w->clock : NULL, s);
	return mm_clock_verdict(s, settings(w));
}

static const char *verdict_code(enum mm_clock_verdict v)
{
	switch (v) {
	case MM_CLOCK_OK:
		return "ok";
	case MM_CLOCK_UNSYNCED:
		return "unsynchronised";
	case MM_CLOCK_NO_ANSWER:
		return "no_answer";
	default:
		return "offset";
	}
}

static const char *verdict_text(enum mm_clock_verdict v, enum mm_lang lang)
{
	switch (v) {
	case MM_CLOCK_OK:
		return MM_L(lang, "正常", "OK");
	case MM_CLOCK_UNSYNCED:
		return MM_L(lang, "警告: 同期していません", "Warning: not synchronised");
	case MM_CLOCK_NO_ANSWER:
		return MM_L(lang, "警告: 時刻サーバーが応答しません",
			    "Warning: the time server does not answer");
	default:
		return MM_L(lang, "警告: ずれが大きい", "Warning: the offset is too large");
	}
}

/* "YYYY-MM-DD HH:MM:SS JST" for Unix time t, in the request's arena. */
static const char *jst_seconds(struct mm_req *rq, int64_t t)
{
	char iso[21];

	mm_time_iso(t + MM_JST_OFFSET, iso);
	iso[10] = ' ';
	iso[19] = '\0';
	return mm_html_str(rq, "%s JST", iso);
}

/* Microseconds as "+1.234 ms". */
static const char *ms(struct mm_req *rq, int64_t us, bool sign)
{
	uint64_t a = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
	const char *pre = us < 0 ? "-" : sign ? "+" : "";

	return mm_html_str(rq, "%s%llu.%03llu ms", pre, (unsigned long long)(a / 1000),
			   (unsigned long long)(a % 1000));
}

void mm_html_clock_banner(struct mm_html *h)
{
	struct mm_clock_status s;
	enum mm_clock_verdict v;

	if (!h->rq->who || !may_see(h->rq->who))
		return;
	v = status(h->rq->web, &s);
	if (v == MM_CLOCK_OK)
		return;
	mm_html_f(h,
		  "<div class=\"msg error clock-warning\" role=\"alert\"><p><strong>%s</strong> "
		  "%s <a href=\"/admin/clock\">%s</a></p></div>\n",
		  MM_L(h->lang, "時刻同期の警告", "Clock warning"), verdict_text(v, h->lang),
		  MM_L(h->lang, "（記録の時刻が正しくない恐れがあります。7.7）",
		       "(recorded times may be wrong; 7.7)"),
		  MM_L(h->lang, "時刻の状態を見る", "See the clock status"));
}

static void row(struct mm_html *h, const char *ja, const char *en, const char *value)
{
	mm_html_f(h, "<div class=\"row\"><dt>%s</dt><dd>%s</dd></div>\n", MM_L(h->lang, ja, en),
		  value);
}

/* The server's part of the page. */
static void ntp_rows(struct mm_html *h, const struct mm_clock_status *s,
		     const struct mm_clock_settings *cfg)
{
	struct mm_req *rq = h->rq;

	row(h, "時刻サーバー", "Time server",
	    cfg->ntp_server ? cfg->ntp_server
			    : MM_L(h->lang, "設定なし（カーネルの状態のみ）",
				   "none configured (the kernel's state only)"));
	if (!cfg->ntp_server)
		return;
	if (!s->ntp_asked) {
		row(h, "確認日時", "Last checked", MM_L(h->lang, "確認中", "checking"));
		return;
	}
	row(h, "確認日時", "Last checked", jst_seconds(rq, s->checked_at));
	if (!s->ntp_known) {
		row(h, "応答", "Answer",
		    mm_html_str(rq, "%s: %s", MM_L(h->lang, "なし", "none"), s->ntp_error));
		return;
	}
	row(h, "ずれ（サーバー − 本機）", "Offset (server − this machine)",
	    ms(rq, s->ntp_offset_us, true));
	row(h, "往復遅延", "Round-trip delay", ms(rq, s->ntp_delay_us, false));
	row(h, "サーバーの階層（stratum）", "Server stratum",
	    mm_html_str(rq, "%d", s->ntp_stratum));
}

static void clock_body(struct mm_html *h, const struct mm_clock_status *s, enum mm_clock_verdict v,
		       const struct mm_clock_settings *cfg)
{
	struct mm_req *rq = h->rq;
	char line[512];

	mm_html_f(h, "<p class=\"msg %r\" role=\"status\"><strong>%s</strong></p>\n",
		  v == MM_CLOCK_OK ? "info" : "error", verdict_text(v, h->lang));
	mm_html_f(h, "<dl class=\"fields\">\n");
	row(h, "カーネルの同期", "Kernel synchronisation",
	    !s->kernel_known ? MM_L(h->lang, "不明（読み取れません）", "unknown (cannot be read)")
	    : s->synced ? MM_L(h->lang, "同期しています", "synchronised")
			: MM_L(h->lang, "同期していません", "not synchronised"));
	if (s->kernel_known) {
		row(h, "最大誤差", "Maximum error", ms(rq, s->maxerror_us, false));
		row(h, "推定誤差", "Estimated error", ms(rq, s->esterror_us, false));
	}
	row(h, "カーネルの同期を必須とする", "Kernel synchronisation required",
	    cfg->require_kernel_sync ? MM_L(h->lang, "はい", "yes")
				     : MM_L(h->lang, "いいえ", "no"));
	ntp_rows(h, s, cfg);
	row(h, "許容するずれ", "Threshold", ms(rq, cfg->max_offset_ms * 1000, false));
	row(h, "現在時刻", "Time now", jst_seconds(rq, mm_now()));
	mm_html_f(h, "</dl>\n");
	mm_clock_line(s, line, sizeof(line));
	mm_html_f(h, "<p class=\"note\">%s <code>%s</code></p>\n",
		  MM_L(h->lang, "チェックポイントに記録する行:", "Line recorded in checkpoints:"),
		  line);
}

void mm_html_clock(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_clock_status s;
	enum mm_clock_verdict v;
	struct mm_html h;
	const char *title;

	if (!may_see(rq->who)) {
		mm_html_error(rq, rs, 403, "forbidden");
		return;
	}
	v = status(w, &s);
	mm_html_init(&h, rq, rs, NULL);
	title = MM_L(h.lang, "時刻同期の状態", "Clock synchronisation");
	mm_html_begin(&h, title);
	mm_html_f(&h, "<h1>%s</h1>\n<p class=\"note\">%s</p>\n", title,
		  MM_L(h.lang,
		       "コンピュータの時計は日本標準時と同期を取ります（7.7）。"
		       "表示は日本標準時（JST）です。",
		       "Computer clocks are kept synchronised with Japan Standard Time (7.7). "
		       "Times are shown in JST."));
	clock_body(&h, &s, v, settings(w));
	mm_html_end(&h);
}

static void json_ntp(struct mm_json *j, const struct mm_clock_status *s,
		     const struct mm_clock_settings *cfg)
{
	char iso[21];

	mm_json_key(j, "ntp");
	mm_json_obj_open(j);
	mm_json_key(j, "server");
	if (cfg->ntp_server)
		mm_json_str(j, cfg->ntp_server);
	else
		mm_json_null(j);
	mm_json_key(j, "asked");
	mm_json_bool(j, s->ntp_asked);
	mm_json_key(j, "answered");
	mm_json_bool(j, s->ntp_known);
	if (s->ntp_known) {
		mm_json_key(j, "offset_us");
		mm_json_int(j, s->ntp_offset_us);
		mm_json_key(j, "delay_us");
		mm_json_int(j, s->ntp_delay_us);
		mm_json_key(j, "stratum");
		mm_json_int(j, s->ntp_stratum);
	} else if (s->ntp_asked) {
		mm_json_key(j, "error");
		mm_json_str(j, s->ntp_error);
	}
	mm_json_key(j, "checked_at");
	if (s->ntp_asked) {
		mm_time_iso(s->checked_at, iso);
		mm_json_str(j, iso);
	} else {
		mm_json_null(j);
	}
	mm_json_obj_close(j);
}

void mm_api_clock(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	const struct mm_clock_settings *cfg = settings(w);
	struct mm_clock_status s;
	enum mm_clock_verdict v;
	struct mm_json j;
	char line[512];

	if (!may_see(rq->who)) {
		mm_resp_status_for(rs, rq->lang, MM_EPERM);
		return;
	}
	v = status(w, &s);
	mm_clock_line(&s, line, sizeof(line));
	rs->content_type = "application/json; charset=utf-8";
	mm_json_init(&j, &rs->body);
	mm_json_obj_open(&j);
	mm_json_key(&j, "verdict");
	mm_json_str(&j, verdict_code(v));
	mm_json_key(&j, "message");
	mm_json_str(&j, verdict_text(v, rq->lang));
	mm_json_key(&j, "kernel");
	mm_json_obj_open(&j);
	mm_json_key(&j, "known");
	mm_json_bool(&j, s.kernel_known);
	mm_json_key(&j, "synced");
	mm_json_bool(&j, s.synced);
	mm_json_key(&j, "maxerror_us");
	mm_json_int(&j, s.maxerror_us);
	mm_json_key(&j, "esterror_us");
	mm_json_int(&j, s.esterror_us);
	mm_json_obj_close(&j);
	json_ntp(&j, &s, cfg);
	mm_json_key(&j, "max_offset_ms");
	mm_json_int(&j, cfg->max_offset_ms);
	mm_json_key(&j, "require_kernel_sync");
	mm_json_bool(&j, cfg->require_kernel_sync);
	mm_json_key(&j, "line");
	mm_json_str(&j, line);
	mm_json_obj_close(&j);
}
