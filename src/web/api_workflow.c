/* The JSON API of workflows and of the reports of 7.2(2) and 2.2:
 * POST /api/v1/{reg}/{id}/transitions/{name}, GET /api/v1/privileges and
 * GET /api/v1/sod/conflicts. */
#include "web/handlers.h"

#include "core/err.h"
#include "core/slice.h"
#include "domain/privileges.h"
#include "domain/sod.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* Reads {"comment": "...", "version": N} (both optional; an empty body is
 * an empty object). Returns an error code id for the client or NULL; *field
 * names an unknown member. */
static const char *transition_input(struct mm_req *rq, const char **comment, int64_t *version,
				    const char **field)
{
	json_t *root, *c, *v, *val;
	const char *err = NULL, *key;

	*comment = NULL;
	*version = 0;
	*field = NULL;
	if (rq->body_too_big)
		return "too_big";
	if (!rq->body_len)
		return NULL;
	root = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
	if (!root)
		return "bad_json";
	if (!json_is_object(root)) {
		json_decref(root);
		return "not_object";
	}
	json_object_foreach(root, key, val)
	{
		if (!err && strcmp(key, "comment") != 0 && strcmp(key, "version") != 0) {
			*field = mm_arena_strdup(rq->a, key);
			err = "unknown_field";
		}
	}
	c = json_object_get(root, "comment");
	v = json_object_get(root, "version");
	if (err)
		;
	else if (c && !json_is_null(c) && !json_is_string(c))
		err = "bad_comment";
	else if (v && !json_is_integer(v))
		err = "bad_version";
	if (!err && json_is_string(c))
		*comment = mm_arena_strndup(rq->a, json_string_value(c), json_string_length(c));
	if (!err && v)
		*version = json_integer_value(v);
	json_decref(root);
	return err;
}

void mm_api_transition(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_ferrs errs = { .n = 0 };
	struct mm_record rec;
	struct mm_ctx ctx;
	struct mm_json j;
	const char *comment, *field;
	int64_t body_version, version;
	const char *bad = transition_input(rq, &comment, &body_version, &field);
	int rc;

	if (bad && field) {
		mm_ferr_add(&errs, NULL, field, "unknown_field", rq->lang);
		mm_resp_json_error(rs, rq->lang, 422, "validation", &errs);
		return;
	}
	if (bad) {
		mm_resp_json_error(rs, rq->lang, strcmp(bad, "too_big") ? 400 : 413, bad, NULL);
		return;
	}
	if (!mm_wf_find(rq->reg, rq->sub_name)) {
		mm_resp_json_error(rs, rq->lang, 404, "not_found", NULL);
		return;
	}
	if (!mm_api_edit_version(rq, body_version, &version)) {
		mm_resp_json_error(rs, rq->lang, 428, "bad_version", NULL);
		return;
	}
	rc = mm_ctx_open(w, rq, &ctx);
	if (!rc)
		rc = mm_reg_transition(rq->reg, &ctx, rq->id, version, rq->sub_name, comment, &errs,
				       &rec);
	mm_ctx_close(w, &ctx);
	if (rc) {
		mm_resp_refused(rs, rq->lang, rc, ctx.refusal, NULL, &errs);
		return;
	}
	rs->content_type = "application/json; charset=utf-8";
	mm_json_init(&j, &rs->body);
	mm_json_record(&j, rq->reg, &rec);
}

static void str_field(struct mm_json *j, const char *key, const char *v)
{
	mm_json_key(j, key);
	if (v && *v)
		mm_json_str(j, v);
	else
		mm_json_null(j);
}

static void privilege_json(struct mm_json *j, const void *item)
{
	const struct mm_privilege *p = item;

	mm_json_obj_open(j);
	mm_json_key(j, "holding_id");
	mm_json_int(j, p->holding_id);
	str_field(j, "holding_code", p->holding_code);
	mm_json_key(j, "person_id");
	mm_json_int(j, p->person_id);
	str_field(j, "person", p->person);
	str_field(j, "login", p->login);
	mm_json_key(j, "role_id");
	mm_json_int(j, p->role_id);
	str_field(j, "role", p->role);
	str_field(j, "section", p->section);
	str_field(j, "valid_from", p->valid_from);
	str_field(j, "valid_until", p->valid_until);
	mm_json_key(j, "granted_by");
	mm_json_str(j, p->request_id ? "request" : "bootstrap");
	mm_json_key(j, "request_id");
	if (p->request_id)
		mm_json_int(j, p->request_id);
	else
		mm_json_null(j);
	str_field(j, "request_code", p->request_code);
	str_field(j, "approver", p->approver);
	str_field(j, "approved_at", p->approved_at);
	mm_json_obj_close(j);
}

static void conflict_json(struct mm_json *j, const void *item)
{
	const struct mm_sod_conflict *c = item;

	mm_json_obj_open(j);
	mm_json_key(j, "person_id");
	mm_json_int(j, c->person_id);
	str_field(j, "person", c->person);
	str_field(j, "rule", c->rule);
	str_field(j, "duty_a", c->duty_a);
	str_field(j, "duty_b", c->duty_b);
	str_field(j, "scope_register", c->scope_register);
	mm_json_key(j, "scope_id");
	mm_json_int(j, c->scope_id);
	str_field(j, "scope", c->scope);
	str_field(j, "detail", c->detail);
	mm_json_obj_close(j);
}

/* Answers {"total": n, "items": [...]}: item writes each of the n elements
 * of size bytes at v; or the status of rc when the list could not be had. */
static void send_items(struct mm_req *rq, struct mm_resp *rs, int rc, const void *v, size_t n,
		       size_t size, void (*item)(struct mm_json *, const void *))
{
	struct mm_json j;

	if (!mm_resp_json_begin(rq, rs, rc, NULL, &j))
		return;
	mm_json_obj_open(&j);
	mm_json_key(&j, "total");
	mm_json_int(&j, (int64_t)n);
	mm_json_key(&j, "items");
	mm_json_arr_open(&j);
	for (size_t i = 0; i < n; i++)
		item(&j, (const char *)v + i * size);
	mm_json_arr_close(&j);
	mm_json_obj_close(&j);
}

void mm_api_privileges(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_privilege *v = NULL;
	struct mm_ctx ctx;
	size_t n = 0;
	int rc = mm_ctx_open(w, rq, &ctx);

	if (!rc)
		rc = mm_privileges_list(&ctx, &v, &n);
	mm_ctx_close(w, &ctx);
	send_items(rq, rs, rc, v, n, sizeof(*v), privilege_json);
}

void mm_api_sod_conflicts(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_sod_conflict *v = NULL;
	struct mm_ctx ctx;
	size_t n = 0;
	int rc = mm_ctx_open(w, rq, &ctx);

	if (!rc)
		rc = mm_sod_conflicts(&ctx, &v, &n);
	mm_ctx_close(w, &ctx);
	send_items(rq, rs, rc, v, n, sizeof(*v), conflict_json);
}
