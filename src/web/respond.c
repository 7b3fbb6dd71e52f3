/* Response helpers shared by the handlers: JSON errors with field messages,
 * status mapping, records as JSON, and the per-request domain context. */
#include "web/handlers.h"

#include "core/err.h"
#include "core/json.h"
#include "domain/principal.h"

#include <string.h>

void mm_resp_header(struct mm_resp *rs, const char *name, const char *value)
{
	if (rs->nheaders < MM_RESP_MAX_HEADERS)
		rs->headers[rs->nheaders++] = (struct mm_header){ name, value };
}

const char *mm_param_get(const struct mm_param *p, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(p[i].name, name) == 0)
			return p[i].value;
	return NULL;
}

void mm_resp_json_error(struct mm_resp *rs, enum mm_lang lang, int status, const char *code,
			const struct mm_ferrs *errs)
{
	struct mm_json j;

	mm_buf_reset(&rs->body);
	rs->status = status;
	rs->content_type = "application/json; charset=utf-8";
	mm_json_init(&j, &rs->body);
	mm_json_obj_open(&j);
	mm_json_key(&j, "error");
	mm_json_obj_open(&j);
	mm_json_key(&j, "code");
	mm_json_str(&j, code);
	mm_json_key(&j, "message");
	mm_json_str(&j, mm_msg(lang, code));
	if (errs && errs->n) {
		mm_json_key(&j, "fields");
		mm_json_arr_open(&j);
		for (size_t i = 0; i < errs->n; i++) {
			const struct mm_ferr *e = &errs->e[i];
			struct mm_buf m;

			mm_buf_init(&m, 4096);
			mm_msg_format(&m, lang, e->msg, e->label, e->min, e->max);
			mm_json_obj_open(&j);
			mm_json_key(&j, "field");
			mm_json_str(&j, e->field);
			mm_json_key(&j, "code");
			mm_json_str(&j, e->msg);
			mm_json_key(&j, "message");
			mm_json_strn(&j, m.data, m.len);
			mm_json_obj_close(&j);
			mm_buf_free(&m);
		}
		mm_json_arr_close(&j);
	}
	mm_json_obj_close(&j);
	mm_json_obj_close(&j);
}

void mm_resp_status_for(struct mm_resp *rs, enum mm_lang lang, int err)
{
	switch (err) {
	case MM_ENOTFOUND:
		mm_resp_json_error(rs, lang, 404, "not_found", NULL);
		break;
	case MM_ECONFLICT:
		mm_resp_json_error(rs, lang, 409, "conflict", NULL);
		break;
	case MM_EPERM:
		mm_resp_json_error(rs, lang, 403, "forbidden", NULL);
		break;
	case MM_ETOOBIG:
		mm_resp_json_error(rs, lang, 413, "too_big", NULL);
		break;
	case MM_EBUSY:
		mm_resp_json_error(rs, lang, 503, "busy", NULL);
		break;
	case MM_EIO:
		/* A full or failing disk: nothing was stored, and the server
		 * serves again once the disk does (tests/crash/iofail.test.js). */
		mm_resp_json_error(rs, lang, 503, "storage", NULL);
		break;
	default:
		mm_resp_json_error(rs, lang, 500, "internal", NULL);
		break;
	}
}

void mm_resp_refused(struct mm_resp *rs, enum mm_lang lang, int rc, const char *refusal,
		     const char *label, const struct mm_ferrs *errs)
{
	(void)label;
	if (rc == MM_EVALIDATE)
		mm_resp_json_error(rs, lang, 422, "validation", errs);
	else if (refusal && rc == MM_EPERM)
		mm_resp_json_error(rs, lang, 403, refusal, NULL);
	else if (refusal && rc == MM_ECONFLICT)
		mm_resp_json_error(rs, lang, 409, refusal, NULL);
	else
		mm_resp_status_for(rs, lang, rc);
}

void mm_resp_redirect(struct mm_resp *rs, const char *location)
{
	rs->status = 303;
	mm_buf_reset(&rs->body);
	rs->content_type = "text/plain; charset=utf-8";
	mm_resp_header(rs, "Location", location);
}

void mm_json_record(struct mm_json *j, const struct mm_register *r, const struct mm_record *rec)
{
	const struct mm_schema *s = &r->schema;

	mm_json_obj_open(j);
	mm_json_key(j, "id");
	mm_json_int(j, rec->id);
	mm_json_key(j, "version");
	mm_json_int(j, rec->version);
	mm_json_key(j, "retired");
	mm_json_bool(j, rec->retired);
	for (size_t i = 0; i < s->nfields; i++) {
		const struct mm_field *f = &s->fields[i];
		const struct mm_value *v = &rec->v[i];

		mm_json_key(j, f->name);
		if (!v->set)
			mm_json_null(j);
		else if (f->type == MM_FT_INT || f->type == MM_FT_REF)
			mm_json_int(j, v->i);
		else
			mm_json_str(j, v->s);
	}
	mm_json_key(j, "created_at");
	mm_json_str(j, rec->created_at);
	mm_json_key(j, "updated_at");
	mm_json_str(j, rec->updated_at);
	mm_json_key(j, "updated_by");
	mm_json_str(j, rec->updated_by);
	mm_json_obj_close(j);
}

int mm_ctx_open(struct mm_web *w, struct mm_req *rq, struct mm_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->conn = mm_store_acquire(w->store);
	if (!ctx->conn)
		return MM_EDB;
	ctx->a = rq->a;
	ctx->lang = rq->lang;
	ctx->who = rq->who;
	ctx->ip = rq->remote;
	ctx->request_id = rq->request_id;
	ctx->actor = rq->who ? rq->who->login : "";
	ctx->auth_cache = w->auth_cache;
	return MM_OK;
}

void mm_ctx_close(struct mm_web *w, struct mm_ctx *ctx)
{
	if (ctx->conn)
		mm_store_release(w->store, ctx->conn);
	ctx->conn = NULL;
}

bool mm_resp_json_begin(struct mm_req *rq, struct mm_resp *rs, int rc, const struct mm_ferrs *errs,
			struct mm_json *j)
{
	if (rc == MM_EVALIDATE && errs) {
		mm_resp_json_error(rs, rq->lang, 422, "validation", errs);
		return false;
	}
	if (rc) {
		mm_resp_status_for(rs, rq->lang, rc);
		return false;
	}
	rs->content_type = "application/json; charset=utf-8";
	mm_json_init(j, &rs->body);
	return true;
}
