/* The grants of one record over the JSON API (7.1): list them, grant a
 * person a kind of access, take a grant back. Who may do so is the
 * domain's decision (domain/access.h). */
#include "web/handlers.h"

#include "core/datetime.h"
#include "core/err.h"
#include "domain/access.h"

#include <jansson.h>
#include <string.h>

static void grant_json(struct mm_json *j, struct mm_ctx *ctx, const struct mm_grant *g)
{
	char at[21];

	mm_time_iso(g->granted_at, at);
	mm_json_obj_open(j);
	mm_json_key(j, "id");
	mm_json_int(j, g->id);
	mm_json_key(j, "person_id");
	mm_json_int(j, g->person_id);
	mm_json_key(j, "person");
	mm_json_str(j, mm_reg_display(mm_register_find("people"), ctx, g->person_id));
	mm_json_key(j, "kind");
	mm_json_str(j, g->kind);
	mm_json_key(j, "kind_label");
	mm_json_str(j, mm_grant_kind_label(g->kind, ctx->lang));
	mm_json_key(j, "granted_by");
	mm_json_str(j, g->granted_by);
	mm_json_key(j, "granted_at");
	mm_json_str(j, at);
	mm_json_obj_close(j);
}

void mm_api_grants(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_grant *g = NULL;
	struct mm_ctx ctx;
	struct mm_json j;
	size_t n = 0;
	int rc = mm_ctx_open(w, rq, &ctx);

	if (!rc)
		rc = mm_grants_list(rq->reg, &ctx, rq->id, &g, &n);
	if (rc) {
		mm_ctx_close(w, &ctx);
		mm_resp_status_for(rs, rq->lang, rc);
		return;
	}
	rs->content_type = "application/json; charset=utf-8";
	mm_json_init(&j, &rs->body);
	mm_json_obj_open(&j);
	mm_json_key(&j, "items");
	mm_json_arr_open(&j);
	for (size_t i = 0; i < n; i++)
		grant_json(&j, &ctx, &g[i]);
	mm_json_arr_close(&j);
	mm_json_obj_close(&j);
	mm_ctx_close(w, &ctx);
}

/* Reads {"person_id": N, "kind": "read"} from the body. Returns an error
 * code for the client and sets *status, or returns NULL. */
static const char *grant_input(struct mm_req *rq, int64_t *person, const char **kind, int *status)
{
	const char *ct = rq->content_type;
	json_t *root, *p, *k;
	const char *err = NULL;

	*status = 400;
	if (rq->body_too_big) {
		*status = 413;
		return "too_big";
	}
	if (!ct || strncasecmp(ct, "application/json", 16) != 0) {
		*status = 415;
		return "bad_media_type";
	}
	root = json_loadb(rq->body ? rq->body : "", rq->body_len, JSON_REJECT_DUPLICATES, NULL);
	if (!root)
		return "bad_json";
	p = json_object_get(root, "person_id");
	k = json_object_get(root, "kind");
	if (!json_is_object(root))
		err = "not_object";
	else if (json_object_size(root) != 2 || !json_is_integer(p) || !json_is_string(k))
		err = "bad_grant";
	if (!err) {
		*person = json_integer_value(p);
		*kind = mm_arena_strdup(rq->a, json_string_value(k));
		if (!*kind) {
			*status = 500;
			err = "internal";
		}
	}
	json_decref(root);
	return err;
}

void mm_api_grant_add(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_ferrs errs = { .n = 0 };
	struct mm_grant g;
	struct mm_ctx ctx;
	struct mm_json j;
	const char *kind = NULL, *bad;
	int64_t person = 0;
	int rc, status;

	bad = grant_input(rq, &person, &kind, &status);
	if (bad) {
		mm_resp_json_error(rs, rq->lang, status, bad, NULL);
		return;
	}
	rc = mm_ctx_open(w, rq, &ctx);
	if (!rc)
		rc = mm_grants_add(rq->reg, &ctx, rq->id, person, kind, &errs, &g);
	if (rc == MM_EVALIDATE)
		mm_resp_json_error(rs, rq->lang, 422, "validation", &errs);
	else if (rc)
		mm_resp_status_for(rs, rq->lang, rc);
	if (rc) {
		mm_ctx_close(w, &ctx);
		return;
	}
	rs->status = 201;
	rs->content_type = "application/json; charset=utf-8";
	mm_json_init(&j, &rs->body);
	grant_json(&j, &ctx, &g);
	mm_ctx_close(w, &ctx);
}

void mm_api_grant_remove(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_ctx ctx;
	int rc = mm_ctx_open(w, rq, &ctx);

	if (!rc)
		rc = mm_grants_remove(rq->reg, &ctx, rq->id, rq->sub_id);
	mm_ctx_close(w, &ctx);
	if (rc) {
		mm_resp_status_for(rs, rq->lang, rc);
		return;
	}
	rs->content_type = "application/json; charset=utf-8";
	mm_buf_adds(&rs->body, "{\"removed\":true}");
}
