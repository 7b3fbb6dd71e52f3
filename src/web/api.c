/* The JSON API: the same handlers for every register, driven by its
 * declaration. Errors are JSON with per-field messages. */
#include "web/handlers.h"

#include "domain/audit_record.h"
#include "domain/principal.h"
#include "web/cache.h"
#include "web/html.h"

#include "core/err.h"
#include "core/json.h"
#include "core/slice.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static bool is_json(const struct mm_req *rq)
{
	const char *ct = rq->content_type;
	size_t n = strlen("application/json");

	return ct && strncasecmp(ct, "application/json", n) == 0 &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* Turns the JSON object body into engine input; version, when present, is
 * taken out into *version. Returns an error code id for the client or NULL. */
const char *mm_api_json_input(struct mm_req *rq, struct mm_input *in, int64_t *version)
{
	json_error_t jerr;
	json_t *root, *val;
	const char *key, *err = NULL;
	size_t n = 0;

	memset(in, 0, sizeof(*in));
	in->mode = MM_IN_JSON;
	if (rq->body_too_big)
		return "too_big";
	if (!is_json(rq))
		return "bad_media_type";
	root = json_loadb(rq->body ? rq->body : "", rq->body_len,
			  JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (!root)
		return "bad_json";
	if (!json_is_object(root)) {
		err = "not_object";
		goto out;
	}
	in->items = mm_arena_zalloc(rq->a, sizeof(*in->items) * (json_object_size(root) + 1));
	if (!in->items) {
		err = "internal";
		goto out;
	}
	json_object_foreach(root, key, val)
	{
		struct mm_in *it = &in->items[n];

		if (strcmp(key, "version") == 0) {
			if (!json_is_integer(val)) {
				err = "bad_version";
				goto out;
			}
			*version = json_integer_value(val);
			continue;
		}
		it->name = mm_arena_strdup(rq->a, key);
		if (json_is_null(val)) {
			it->kind = MM_IN_NULL;
		} else if (json_is_string(val)) {
			it->kind = MM_IN_STR;
			it->len = json_string_length(val);
			it->s = mm_arena_strndup(rq->a, json_string_value(val), it->len);
		} else if (json_is_integer(val)) {
			it->kind = MM_IN_INT;
			it->i = json_integer_value(val);
		} else {
			it->kind = MM_IN_OTHER;
		}
		if (!it->name || (it->kind == MM_IN_STR && !it->s)) {
			err = "internal";
			goto out;
		}
		n++;
	}
	in->n = n;
out:
	json_decref(root);
	return err;
}

static int input_error_status(const char *code)
{
	if (strcmp(code, "too_big") == 0)
		return 413;
	if (strcmp(code, "bad_media_type") == 0)
		return 415;
	if (strcmp(code, "internal") == 0)
		return 500;
	return 400;
}

static void send_record(struct mm_req *rq, struct mm_resp *rs, int status,
			const struct mm_record *rec)
{
	struct mm_json j;
	char *etag = mm_arena_alloc(rq->a, 32);

	rs->status = status;
	rs->content_type = "application/json; charset=utf-8";
	mm_json_init(&j, &rs->body);
	mm_json_record(&j, rq->reg, rec);
	if (etag) {
		snprintf(etag, 32, "\"%lld\"", (long long)rec->version);
		mm_resp_header(rs, "ETag", etag);
	}
}

/* Reports an engine result: field errors as 422, the engine's refusal
 * when it gave one, the rest by mm_resp_status_for. */
static void send_failure(struct mm_req *rq, struct mm_resp *rs, int rc, const struct mm_ferrs *errs,
			 const struct mm_ctx *ctx)
{
	mm_resp_refused(rs, rq->lang, rc, ctx->refusal, NULL, errs);
}

void mm_api_health(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_conn *c = mm_store_acquire(w->store);
	const char *v;
	int rc;

	rs->content_type = "application/json; charset=utf-8";
	if (!c) {
		rs->status = 503;
		mm_buf_adds(&rs->body, "{\"status\":\"db_unavailable\"}");
		return;
	}
	rc = mm_meta_get(c, "schema_version", rq->a, &v);
	mm_store_release(w->store, c);
	rs->status = rc == MM_OK || rc == MM_ENOTFOUND ? 200 : 503;
	mm_buf_adds(&rs->body,
		    rs->status == 200 ? "{\"status\":\"ok\"}" : "{\"status\":\"db_error\"}");
}

/* What decides which records a reader sees besides the data (whose
 * changes move the generation): the account, and the roles, section and
 * managed sections of today, which change at midnight when a role holding
 * begins or ends. */
static const char *viewer_key(struct mm_req *rq)
{
	const struct mm_principal *p = rq->who;
	struct mm_buf b;
	const char *out;

	if (!p)
		return "";
	mm_buf_init(&b, 1024);
	mm_buf_printf(&b, "%lld/%x/%lld", (long long)p->account_id, p->roles,
		      (long long)p->section_id);
	for (size_t i = 0; i < p->nmanaged; i++)
		mm_buf_printf(&b, ",%lld", (long long)p->managed[i]);
	out = b.err ? NULL : mm_arena_strndup(rq->a, b.data, b.len);
	mm_buf_free(&b);
	return out;
}

void mm_api_list(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_ferrs errs = { .n = 0 };
	struct mm_query q;
	struct mm_page page;
	struct mm_ctx ctx;
	struct mm_json j;
	const char *key;
	int64_t gen = 0;
	int rc;

	rc = mm_list_query(w, rq, true, &q, &errs);
	if (rc) {
		mm_resp_json_error(rs, rq->lang, 400, "bad_query", &errs);
		return;
	}
	/* Lists are read far more often than written: serve a copy rendered
	 * at the current generation when there is one. The list and the
	 * generation come from one snapshot. Readers see different records, so
	 * the key names the reader (viewer_key). */
	key = viewer_key(rq);
	key = key ? mm_cache_key(rq, key) : NULL;
	rc = mm_ctx_open(w, rq, &ctx);
	if (!rc)
		rc = mm_tx_begin(ctx.conn, false);
	if (!rc) {
		rc = mm_store_generation(ctx.conn, &gen);
		if (!rc && key && mm_cache_get(w->cache, key, gen, rs)) {
			mm_tx_commit(ctx.conn);
			mm_ctx_close(w, &ctx);
			return;
		}
		if (!rc)
			rc = mm_reg_list(rq->reg, &ctx, &q, &page);
		if (rc)
			mm_tx_rollback(ctx.conn);
		else
			rc = mm_tx_commit(ctx.conn);
	}
	mm_ctx_close(w, &ctx);
	if (rc) {
		mm_resp_status_for(rs, rq->lang, rc);
		return;
	}
	rs->content_type = "application/json; charset=utf-8";
	mm_buf_reserve(&rs->body, 256 + page.n * 768);
	mm_json_init(&j, &rs->body);
	mm_json_obj_open(&j);
	mm_json_key(&j, "total");
	mm_json_int(&j, page.total);
	if (page.capped) { /* at least total match; counting stopped there */
		mm_json_key(&j, "total_capped");
		mm_json_bool(&j, true);
	}
	mm_json_key(&j, "offset");
	mm_json_int(&j, (int64_t)q.offset);
	mm_json_key(&j, "limit");
	mm_json_int(&j, (int64_t)q.limit);
	if (page.more && page.n) {
		/* The next page by keyset: as fast at the millionth record as
		 * at the first, where an offset walks every record before. */
		struct mm_buf cur;
		mm_buf_init(&cur, 1024);
		mm_list_cursor(&cur, &rq->reg->schema, &q, &page.recs[page.n - 1]);
		mm_json_key(&j, "next");
		mm_json_strn(&j, cur.data, cur.len);
		mm_buf_free(&cur);
	}
	mm_json_key(&j, "items");
	mm_json_arr_open(&j);
	for (size_t i = 0; i < page.n; i++)
		mm_json_record(&j, rq->reg, &page.recs[i]);
	mm_json_arr_close(&j);
	mm_json_obj_close(&j);
	if (key)
		mm_cache_put(w->cache, key, gen, rs);
}

void mm_api_get(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_record rec;
	struct mm_ctx ctx;
	int rc = mm_ctx_open(w, rq, &ctx);

	if (!rc)
		rc = mm_reg_read(rq->reg, &ctx, rq->id, "api", &rec);
	mm_ctx_close(w, &ctx);
	if (rc) {
		mm_resp_status_for(rs, rq->lang, rc);
		return;
	}
	send_record(rq, rs, 200, &rec);
}

void mm_api_create(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_ferrs errs = { .n = 0 };
	struct mm_input in;
	struct mm_record rec;
	struct mm_ctx ctx;
	int64_t version = 0;
	const char *bad = mm_api_json_input(rq, &in, &version);
	char *loc;
	int rc;

	if (bad) {
		mm_resp_json_error(rs, rq->lang, input_error_status(bad), bad, NULL);
		return;
	}
	rc = mm_ctx_open(w, rq, &ctx);
	if (!rc)
		rc = mm_reg_create(rq->reg, &ctx, &in, &errs, &rec);
	mm_ctx_close(w, &ctx);
	if (rc) {
		send_failure(rq, rs, rc, &errs, &ctx);
		return;
	}
	send_record(rq, rs, 201, &rec);
	loc = mm_arena_alloc(rq->a, 128);
	if (loc) {
		snprintf(loc, 128, "/api/v1/%s/%lld", rq->reg->schema.name, (long long)rec.id);
		mm_resp_header(rs, "Location", loc);
	}
}

bool mm_api_edit_version(const struct mm_req *rq, int64_t body_version, int64_t *out)
{
	if (rq->if_match) {
		struct mm_slice s = mm_slice_trim(mm_slice_cstr(rq->if_match));
		if (s.len > 2 && s.ptr[0] == 'W' && s.ptr[1] == '/')
			s.ptr += 2, s.len -= 2;
		if (s.len >= 2 && s.ptr[0] == '"' && s.ptr[s.len - 1] == '"')
			s.ptr++, s.len -= 2;
		return mm_slice_to_i64(s, out) && *out > 0;
	}
	*out = body_version;
	return body_version > 0;
}

void mm_api_update(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_ferrs errs = { .n = 0 };
	struct mm_input in;
	struct mm_record rec;
	struct mm_ctx ctx;
	int64_t body_version = 0, version;
	const char *bad = mm_api_json_input(rq, &in, &body_version);
	int rc;

	if (bad) {
		mm_resp_json_error(rs, rq->lang, input_error_status(bad), bad, NULL);
		return;
	}
	if (!mm_api_edit_version(rq, body_version, &version)) {
		mm_resp_json_error(rs, rq->lang, 428, "bad_version", NULL);
		return;
	}
	rc = mm_ctx_open(w, rq, &ctx);
	if (!rc)
		rc = mm_reg_update(rq->reg, &ctx, rq->id, version, &in, &errs, &rec);
	mm_ctx_close(w, &ctx);
	if (rc) {
		send_failure(rq, rs, rc, &errs, &ctx);
		return;
	}
	send_record(rq, rs, 200, &rec);
}

static void set_retired(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs, bool retire)
{
	struct mm_input in;
	struct mm_record rec;
	struct mm_ctx ctx;
	int64_t body_version = 0, version;
	const char *bad = NULL;
	int rc;

	if (rq->body_len)
		bad = mm_api_json_input(rq, &in, &body_version);
	if (bad) {
		mm_resp_json_error(rs, rq->lang, input_error_status(bad), bad, NULL);
		return;
	}
	if (!mm_api_edit_version(rq, body_version, &version)) {
		mm_resp_json_error(rs, rq->lang, 428, "bad_version", NULL);
		return;
	}
	rc = mm_ctx_open(w, rq, &ctx);
	if (!rc)
		rc = mm_reg_set_retired(rq->reg, &ctx, rq->id, version, retire, &rec);
	mm_ctx_close(w, &ctx);
	if (rc == MM_EINVAL) {
		mm_resp_json_error(rs, rq->lang, 409, retire ? "already_retired" : "not_retired",
				   NULL);
		return;
	}
	if (rc) {
		send_failure(rq, rs, rc, NULL, &ctx);
		return;
	}
	send_record(rq, rs, 200, &rec);
}

void mm_api_retire(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	set_retired(w, rq, rs, true);
}

void mm_api_restore(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	set_retired(w, rq, rs, false);
}

void mm_api_history(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_record rec;
	struct mm_hist *h = NULL;
	struct mm_ctx ctx;
	struct mm_json j;
	size_t n = 0;
	int rc = mm_ctx_open(w, rq, &ctx);

	if (!rc)
		rc = mm_reg_read(rq->reg, &ctx, rq->id, "history", &rec);
	if (!rc)
		rc = mm_reg_history(rq->reg, &ctx, rq->id, &h, &n);
	mm_ctx_close(w, &ctx);
	if (!mm_resp_json_begin(rq, rs, rc, NULL, &j))
		return;
	mm_json_obj_open(&j);
	mm_json_key(&j, "items");
	mm_json_arr_open(&j);
	for (size_t i = 0; i < n; i++) {
		mm_json_obj_open(&j);
		mm_json_key(&j, "version");
		mm_json_int(&j, h[i].version);
		mm_json_key(&j, "at");
		mm_json_str(&j, h[i].at);
		mm_json_key(&j, "actor");
		mm_json_str(&j, h[i].actor);
		mm_json_key(&j, "action");
		mm_json_str(&j, h[i].action);
		mm_json_key(&j, "changes");
		mm_json_raw(&j, h[i].changes); /* stored as JSON by the engine */
		mm_json_obj_close(&j);
	}
	mm_json_arr_close(&j);
	mm_json_obj_close(&j);
}
