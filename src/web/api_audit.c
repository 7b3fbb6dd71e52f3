/* The audit log's JSON API, read only: GET /api/v1/audit (filtered,
 * newest first, paged by offset and limit), /api/v1/audit/off-hours and
 * /api/v1/audit/refused. Each answer says the period it covers: the last
 * MM_AUDIT_DEFAULT_DAYS days when no start date was given. For 事務局 and 監査人; anyone else gets
 * 403 and the refusal is recorded. There is no route that writes. */
#include "web/audit_params.h"
#include "web/handlers.h"

#include "core/datetime.h"
#include "core/err.h"
#include "core/slice.h"

#include <jansson.h>
#include <string.h>

enum { LIMIT_DEFAULT = 50, LIMIT_MAX = 200, OFFSET_MAX = 1000000 };

/* Refuses parameters other than the known ones, and reads limit and
 * offset. False (and rs filled) on a bad query. */
static bool paging(struct mm_req *rq, struct mm_resp *rs, const char *const *known, size_t *limit,
		   size_t *offset)
{
	*limit = LIMIT_DEFAULT;
	*offset = 0;
	for (size_t i = 0; i < rq->nquery; i++) {
		const struct mm_param *p = &rq->query[i];
		struct mm_slice v = mm_slice_trim(mm_slice_cstr(p->value));
		bool ok = false;
		int64_t n;

		if (strcmp(p->name, "limit") == 0) {
			ok = mm_slice_to_i64(v, &n) && n >= 1 && n <= LIMIT_MAX;
			*limit = ok ? (size_t)n : *limit;
		} else if (strcmp(p->name, "offset") == 0) {
			ok = mm_slice_to_i64(v, &n) && n >= 0 && n <= OFFSET_MAX;
			*offset = ok ? (size_t)n : *offset;
		}
		for (size_t k = 0; !ok && known[k]; k++)
			ok = strcmp(p->name, known[k]) == 0;
		if (!ok) {
			mm_resp_json_error(rs, rq->lang, 400, "bad_query", NULL);
			return false;
		}
	}
	return true;
}

static void time_field(struct mm_json *j, const char *key, int64_t t)
{
	char iso[21];

	mm_time_iso(t, iso);
	mm_json_key(j, key);
	mm_json_str(j, iso);
}

static void str_field(struct mm_json *j, const char *key, const char *v)
{
	mm_json_key(j, key);
	mm_json_str(j, v ? v : "");
}

/* Details as stored are a JSON object; anything else goes out as a
 * string, so that a bad entry cannot break the answer. */
static void details_field(struct mm_json *j, const char *details)
{
	json_t *v = json_loads(details ? details : "", JSON_REJECT_DUPLICATES, NULL);

	mm_json_key(j, "details");
	if (v && json_is_object(v))
		mm_json_raw(j, details);
	else
		mm_json_str(j, details ? details : "");
	json_decref(v);
}

static void event_json(struct mm_json *j, const struct mm_audit_event *e, enum mm_lang lang)
{
	char jst[17];

	mm_time_jst(e->at, jst);
	mm_json_obj_open(j);
	mm_json_key(j, "seq");
	mm_json_int(j, e->seq);
	time_field(j, "at", e->at);
	str_field(j, "at_jst", jst);
	mm_json_key(j, "account_id");
	mm_json_int(j, e->account_id);
	str_field(j, "actor", e->actor);
	str_field(j, "ip", e->ip);
	str_field(j, "request_id", e->request_id);
	str_field(j, "action", e->action);
	str_field(j, "action_label", mm_audit_action_label(e->action, lang));
	str_field(j, "object", e->object);
	str_field(j, "result", e->result);
	details_field(j, e->details);
	mm_json_obj_close(j);
}

/* "period": the dates (JST, inclusive; null when open) the answer covers,
 * and whether they were chosen because none were given. */
static void period_json(struct mm_json *j, const struct mm_auditq *q)
{
	char from[11], to[11];

	mm_audit_period_dates(q, from, to);
	mm_json_key(j, "period");
	mm_json_obj_open(j);
	mm_json_key(j, "from");
	if (*from)
		mm_json_str(j, from);
	else
		mm_json_null(j);
	mm_json_key(j, "to");
	if (*to)
		mm_json_str(j, to);
	else
		mm_json_null(j);
	mm_json_key(j, "default");
	mm_json_bool(j, q->period_default);
	mm_json_key(j, "default_days");
	mm_json_int(j, MM_AUDIT_DEFAULT_DAYS);
	mm_json_obj_close(j);
}

static void list(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs, bool off)
{
	static const char *const known[] = { "person", "action", "object", "result",
					     "from",   "to",	 NULL };
	struct mm_ferrs errs = { .n = 0 };
	struct mm_audit_event *v = NULL;
	struct mm_audit_params p;
	struct mm_auditq q = { 0 };
	struct mm_ctx ctx;
	struct mm_json j;
	bool more = false;
	size_t n = 0;
	int rc;

	if (!paging(rq, rs, known, &q.limit, &q.offset))
		return;
	rc = mm_ctx_open(w, rq, &ctx);
	if (!rc)
		rc = mm_inspect_check(&ctx, off ? "/api/v1/audit/off-hours" : "/api/v1/audit");
	mm_audit_params_read(rq, &p);
	if (!rc)
		rc = mm_inspect_query(&ctx, &p, &q, &errs);
	if (!rc && off)
		mm_audit_off_hours(&q);
	if (!rc)
		rc = mm_auditq_list(ctx.conn, &q, rq->a, &v, &n, &more);
	mm_ctx_close(w, &ctx);
	if (!mm_resp_json_begin(rq, rs, rc, &errs, &j))
		return;
	mm_json_obj_open(&j);
	mm_json_key(&j, "offset");
	mm_json_int(&j, (int64_t)q.offset);
	mm_json_key(&j, "limit");
	mm_json_int(&j, (int64_t)q.limit);
	mm_json_key(&j, "more");
	mm_json_bool(&j, more);
	period_json(&j, &q);
	mm_json_key(&j, "items");
	mm_json_arr_open(&j);
	for (size_t i = 0; i < n; i++)
		event_json(&j, &v[i], rq->lang);
	mm_json_arr_close(&j);
	mm_json_obj_close(&j);
}

void mm_api_audit(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	list(w, rq, rs, false);
}

void mm_api_audit_off_hours(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	list(w, rq, rs, true);
}

static void group_json(struct mm_json *j, const struct mm_audit_group *g)
{
	mm_json_obj_open(j);
	mm_json_key(j, "account_id");
	mm_json_int(j, g->account_id);
	str_field(j, "actor", g->actor);
	str_field(j, "ip", g->ip);
	mm_json_key(j, "count");
	mm_json_int(j, g->count);
	time_field(j, "first", g->first);
	time_field(j, "last", g->last);
	mm_json_obj_close(j);
}

void mm_api_audit_refused(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	static const char *const known[] = { "from", "to", NULL };
	struct mm_ferrs errs = { .n = 0 };
	struct mm_audit_group *v = NULL;
	struct mm_audit_params p = { 0 };
	struct mm_auditq q = { 0 };
	struct mm_ctx ctx;
	struct mm_json j;
	size_t n = 0, limit, offset;
	int rc;

	if (!paging(rq, rs, known, &limit, &offset))
		return;
	rc = mm_ctx_open(w, rq, &ctx);
	if (!rc)
		rc = mm_inspect_check(&ctx, "/api/v1/audit/refused");
	p.from = mm_param_get(rq->query, rq->nquery, "from");
	p.to = mm_param_get(rq->query, rq->nquery, "to");
	if (!rc)
		rc = mm_inspect_query(&ctx, &p, &q, &errs);
	if (!rc)
		rc = mm_auditq_refusals(ctx.conn, q.from, q.until, limit, rq->a, &v, &n);
	mm_ctx_close(w, &ctx);
	if (!mm_resp_json_begin(rq, rs, rc, &errs, &j))
		return;
	mm_json_obj_open(&j);
	period_json(&j, &q);
	mm_json_key(&j, "items");
	mm_json_arr_open(&j);
	for (size_t i = 0; i < n; i++)
		group_json(&j, &v[i]);
	mm_json_arr_close(&j);
	mm_json_obj_close(&j);
}
