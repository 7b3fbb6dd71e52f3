/* What is recorded in the audit log beyond sign-ins and refusals: record
 * changes with digests, reads of classified records, exports, imports and
 * the server's own events (see audit_record.h). */
#include "domain/audit_record.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "domain/access.h"
#include "domain/audit.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

enum { CANON_CAP = 1 << 22, DETAILS_CAP = 1 << 16, OBJECT_MAX = 96 };

static void canon_value(struct mm_json *j, const struct mm_field *f, const struct mm_value *v)
{
	if (!v->set)
		mm_json_null(j);
	else if (f->type == MM_FT_INT || f->type == MM_FT_REF)
		mm_json_int(j, v->i);
	else
		mm_json_str(j, v->s ? v->s : "");
}

void mm_record_canonical(const struct mm_register *r, const struct mm_record *rec,
			 struct mm_buf *out)
{
	const struct mm_schema *s = &r->schema;
	struct mm_json j;

	mm_json_init(&j, out);
	mm_json_obj_open(&j);
	mm_json_key(&j, "register");
	mm_json_str(&j, s->name);
	mm_json_key(&j, "id");
	mm_json_int(&j, rec->id);
	mm_json_key(&j, "version");
	mm_json_int(&j, rec->version);
	mm_json_key(&j, "retired");
	mm_json_bool(&j, rec->retired);
	mm_json_key(&j, "fields");
	mm_json_obj_open(&j);
	for (size_t i = 0; i < s->nfields; i++) {
		mm_json_key(&j, s->fields[i].name);
		canon_value(&j, &s->fields[i], &rec->v[i]);
	}
	mm_json_obj_close(&j);
	mm_json_obj_close(&j);
}

int mm_record_digest(const struct mm_register *r, const struct mm_record *rec,
		     char out[MM_DIGEST_HEX])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	struct mm_buf b;
	int rc = MM_OK;

	out[0] = '\0';
	mm_buf_init(&b, CANON_CAP);
	mm_record_canonical(r, rec, &b);
	if (b.err)
		rc = MM_ENOMEM;
	else if (!EVP_Digest(b.data, b.len, md, &n, EVP_sha256(), NULL) || n != 32)
		rc = MM_EIO;
	mm_buf_free(&b);
	for (unsigned int i = 0; !rc && i < n; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	if (!rc)
		out[64] = '\0';
	return rc;
}

static bool same_value(const struct mm_field *f, const struct mm_value *a, const struct mm_value *b)
{
	if (a->set != b->set)
		return false;
	if (!a->set)
		return true;
	if (f->type == MM_FT_INT || f->type == MM_FT_REF)
		return a->i == b->i;
	return strcmp(a->s ? a->s : "", b->s ? b->s : "") == 0;
}

/* The names of the fields that differ between before and after (every set
 * field for a create). */
static void changed_fields(struct mm_json *j, const struct mm_register *r,
			   const struct mm_record *before, const struct mm_record *after)
{
	const struct mm_schema *s = &r->schema;

	mm_json_key(j, "fields");
	mm_json_arr_open(j);
	for (size_t i = 0; i < s->nfields; i++) {
		bool changed = before ? !same_value(&s->fields[i], &before->v[i], &after->v[i])
				      : after->v[i].set;
		if (changed)
			mm_json_str(j, s->fields[i].name);
	}
	mm_json_arr_close(j);
	if (before && before->retired != after->retired) {
		mm_json_key(j, "retired");
		mm_json_bool(j, after->retired);
	}
}

static void object_of(const struct mm_register *r, int64_t id, char out[OBJECT_MAX])
{
	if (id)
		snprintf(out, OBJECT_MAX, "%s/%lld", r->schema.name, (long long)id);
	else
		snprintf(out, OBJECT_MAX, "%s", r->schema.name);
}

int mm_audit_change(const struct mm_register *r, struct mm_ctx *ctx, const char *op,
		    const char *transition, const struct mm_record *before,
		    const struct mm_record *after)
{
	char dbefore[MM_DIGEST_HEX] = "", dafter[MM_DIGEST_HEX], object[OBJECT_MAX], action[48];
	struct mm_buf b;
	struct mm_json j;
	int rc = before ? mm_record_digest(r, before, dbefore) : MM_OK;

	if (!rc)
		rc = mm_record_digest(r, after, dafter);
	if (rc)
		return rc;
	object_of(r, after->id, object);
	snprintf(action, sizeof(action), "record_%s", op);
	mm_buf_init(&b, DETAILS_CAP);
	mm_json_init(&j, &b);
	mm_json_obj_open(&j);
	mm_json_key(&j, "register");
	mm_json_str(&j, r->schema.name);
	mm_json_key(&j, "version");
	mm_json_int(&j, after->version);
	if (transition) {
		mm_json_key(&j, "transition");
		mm_json_str(&j, transition);
	}
	changed_fields(&j, r, before, after);
	mm_json_key(&j, "before_sha256");
	if (before)
		mm_json_str(&j, dbefore);
	else
		mm_json_null(&j);
	mm_json_key(&j, "after_sha256");
	mm_json_str(&j, dafter);
	if (ctx->importing) {
		mm_json_key(&j, "import");
		mm_json_bool(&j, true);
	}
	mm_json_obj_close(&j);
	rc = b.err ? MM_ENOMEM : mm_audit(ctx, action, object, "ok", b.data);
	mm_buf_free(&b);
	return rc;
}

int mm_audit_tx(struct mm_ctx *ctx, const char *action, const char *object, const char *result,
		const char *details)
{
	int rc;

	if (ctx->in_tx)
		return mm_audit(ctx, action, object, result, details);
	rc = mm_tx_begin(ctx->conn, true);
	if (rc)
		return rc;
	rc = mm_audit(ctx, action, object, result, details);
	if (rc) {
		mm_tx_rollback(ctx->conn);
		return rc;
	}
	return mm_tx_commit(ctx->conn);
}

int mm_reg_read(const struct mm_register *r, struct mm_ctx *ctx, int64_t id, const char *via,
		struct mm_record *out)
{
	char object[OBJECT_MAX], details[160];
	int64_t level;
	int rc = mm_reg_get(r, ctx, id, out);

	if (rc || !ctx->who)
		return rc;
	level = mm_access_level(r, out);
	if (level < 3)
		return MM_OK;
	object_of(r, id, object);
	snprintf(details, sizeof(details), "{\"register\":\"%s\",\"level\":%lld,\"via\":\"%s\"}",
		 r->schema.name, (long long)level, via);
	return mm_audit_tx(ctx, "record_read", object, "ok", details);
}

static const char *op_name(enum mm_op op)
{
	return op == MM_OP_GE ? "ge" : op == MM_OP_LE ? "le" : "eq";
}

/* The filters of an export: field, operator and value (values are what
 * the exporter typed, not record content), and the search text. */
static void query_json(struct mm_json *j, const struct mm_register *r, const struct mm_query *q)
{
	const struct mm_schema *s = &r->schema;

	mm_json_key(j, "filters");
	mm_json_arr_open(j);
	for (size_t i = 0; q && i < q->nfilters; i++) {
		const struct mm_filter *f = &q->filters[i];

		if (f->field < 0 || (size_t)f->field >= s->nfields)
			continue;
		mm_json_obj_open(j);
		mm_json_key(j, "field");
		mm_json_str(j, s->fields[f->field].name);
		mm_json_key(j, "op");
		mm_json_str(j, op_name(f->op));
		mm_json_key(j, "value");
		canon_value(j, &s->fields[f->field], &f->v);
		mm_json_obj_close(j);
	}
	mm_json_arr_close(j);
	mm_json_key(j, "q");
	if (q && q->q)
		mm_json_str(j, q->q);
	else
		mm_json_null(j);
}

int mm_audit_export(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_query *q,
		    const char *format, const char *result, size_t rows)
{
	struct mm_buf b;
	struct mm_json j;
	int rc;

	mm_buf_init(&b, DETAILS_CAP);
	mm_json_init(&j, &b);
	mm_json_obj_open(&j);
	mm_json_key(&j, "register");
	mm_json_str(&j, r->schema.name);
	mm_json_key(&j, "format");
	mm_json_str(&j, format);
	mm_json_key(&j, "rows");
	mm_json_int(&j, (int64_t)rows);
	query_json(&j, r, q);
	mm_json_obj_close(&j);
	rc = b.err ? MM_ENOMEM : mm_audit_tx(ctx, "export", r->schema.name, result, b.data);
	mm_buf_free(&b);
	return rc;
}

int mm_audit_import(const struct mm_register *r, struct mm_ctx *ctx, bool dry_run,
		    const char *result, const struct mm_file_report *rep)
{
	char details[320];

	snprintf(details, sizeof(details),
		 "{\"register\":\"%s\",\"dry_run\":%s,\"rows\":%zu,\"created\":%zu,"
		 "\"updated\":%zu,\"unchanged\":%zu,\"errors\":%zu}",
		 r->schema.name, dry_run ? "true" : "false", rep->rows, rep->created, rep->updated,
		 rep->unchanged, rep->nerrs);
	return mm_audit_tx(ctx, "import", r->schema.name, result, details);
}

int mm_audit_server(struct mm_ctx *ctx, const char *action, const char *settings)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char details[128] = "{}";

	if (settings && EVP_Digest(settings, strlen(settings), md, &n, EVP_sha256(), NULL) &&
	    n == 32) {
		char h[65];

		for (unsigned int i = 0; i < n; i++) {
			h[2 * i] = hex[md[i] >> 4];
			h[2 * i + 1] = hex[md[i] & 15];
		}
		h[64] = '\0';
		snprintf(details, sizeof(details), "{\"settings_sha256\":\"%s\"}", h);
	} else if (settings) {
		return MM_EIO;
	}
	return mm_audit_tx(ctx, action, "server", "ok", details);
}

int mm_audit_internal_error(struct mm_ctx *ctx, const char *method, const char *route, int status,
			    const char *code)
{
	struct mm_buf b;
	struct mm_json j;
	int rc;

	mm_buf_init(&b, 4096);
	mm_json_init(&j, &b);
	mm_json_obj_open(&j);
	mm_json_key(&j, "method");
	mm_json_str(&j, method ? method : "");
	mm_json_key(&j, "route");
	mm_json_str(&j, route ? route : "");
	mm_json_key(&j, "status");
	mm_json_int(&j, status);
	mm_json_key(&j, "code");
	mm_json_str(&j, code ? code : "");
	mm_json_obj_close(&j);
	rc = b.err ? MM_ENOMEM
		   : mm_audit_tx(ctx, "internal_error", route ? route : "", "failed", b.data);
	mm_buf_free(&b);
	return rc;
}
