/* The OpenAPI 3 description of the JSON API, generated from the register
 * declarations at request time so it cannot drift from the code. */
#include "web/handlers.h"

#include "core/json.h"

#include "mm_version.h"

#include <stdio.h>
#include <string.h>

static void field_schema(struct mm_json *j, const struct mm_field *f)
{
	mm_json_obj_open(j);
	mm_json_key(j, "description");
	mm_json_str(j, f->label_ja);
	mm_json_key(j, "title");
	mm_json_str(j, f->label_en);
	mm_json_key(j, "nullable");
	mm_json_bool(j, !(f->flags & MM_F_REQUIRED));
	if (f->flags & MM_F_DERIVED) {
		mm_json_key(j, "readOnly");
		mm_json_bool(j, true);
	}
	switch (f->type) {
	case MM_FT_TEXT:
		mm_json_key(j, "type");
		mm_json_str(j, "string");
		if (f->max) {
			mm_json_key(j, "maxLength");
			mm_json_int(j, f->max);
		}
		break;
	case MM_FT_INT:
		mm_json_key(j, "type");
		mm_json_str(j, "integer");
		mm_json_key(j, "minimum");
		mm_json_int(j, f->min);
		mm_json_key(j, "maximum");
		mm_json_int(j, f->max);
		break;
	case MM_FT_ENUM:
		mm_json_key(j, "type");
		mm_json_str(j, "string");
		mm_json_key(j, "enum");
		mm_json_arr_open(j);
		for (size_t i = 0; i < f->nopts; i++)
			mm_json_str(j, f->opts[i].code);
		mm_json_arr_close(j);
		break;
	case MM_FT_REF:
		mm_json_key(j, "type");
		mm_json_str(j, "integer");
		mm_json_key(j, "x-references");
		mm_json_str(j, f->ref);
		break;
	case MM_FT_DATE:
		mm_json_key(j, "type");
		mm_json_str(j, "string");
		mm_json_key(j, "format");
		mm_json_str(j, "date");
		break;
	}
	mm_json_obj_close(j);
}

static void int_prop(struct mm_json *j, const char *name, bool read_only)
{
	mm_json_key(j, name);
	mm_json_obj_open(j);
	mm_json_key(j, "type");
	mm_json_str(j, "integer");
	if (read_only) {
		mm_json_key(j, "readOnly");
		mm_json_bool(j, true);
	}
	mm_json_obj_close(j);
}

static void record_schema(struct mm_json *j, const struct mm_register *r)
{
	const struct mm_schema *s = &r->schema;

	mm_json_key(j, s->name);
	mm_json_obj_open(j);
	mm_json_key(j, "type");
	mm_json_str(j, "object");
	mm_json_key(j, "description");
	mm_json_str(j, r->label_ja);
	mm_json_key(j, "additionalProperties");
	mm_json_bool(j, false);
	mm_json_key(j, "required");
	mm_json_arr_open(j);
	for (size_t i = 0; i < s->nfields; i++)
		if (s->fields[i].flags & MM_F_REQUIRED)
			mm_json_str(j, s->fields[i].name);
	mm_json_arr_close(j);
	mm_json_key(j, "properties");
	mm_json_obj_open(j);
	int_prop(j, "id", true);
	int_prop(j, "version", false);
	mm_json_key(j, "retired");
	mm_json_raw(j, "{\"type\":\"boolean\",\"readOnly\":true}");
	for (size_t i = 0; i < s->nfields; i++) {
		mm_json_key(j, s->fields[i].name);
		field_schema(j, &s->fields[i]);
	}
	mm_json_key(j, "created_at");
	mm_json_raw(j, "{\"type\":\"string\",\"format\":\"date-time\",\"readOnly\":true}");
	mm_json_key(j, "updated_at");
	mm_json_raw(j, "{\"type\":\"string\",\"format\":\"date-time\",\"readOnly\":true}");
	mm_json_key(j, "updated_by");
	mm_json_raw(j, "{\"type\":\"string\",\"readOnly\":true}");
	mm_json_obj_close(j);
	mm_json_obj_close(j);
}

static void ref_response(struct mm_json *j, const char *code, const char *desc, const char *ref)
{
	mm_json_key(j, code);
	mm_json_obj_open(j);
	mm_json_key(j, "description");
	mm_json_str(j, desc);
	if (ref) {
		char buf[160];
		mm_json_key(j, "content");
		mm_json_obj_open(j);
		mm_json_key(j, "application/json");
		mm_json_obj_open(j);
		mm_json_key(j, "schema");
		mm_json_obj_open(j);
		mm_json_key(j, "$ref");
		snprintf(buf, sizeof(buf), "#/components/schemas/%s", ref);
		mm_json_str(j, buf);
		mm_json_obj_close(j);
		mm_json_obj_close(j);
		mm_json_obj_close(j);
	}
	mm_json_obj_close(j);
}

/* One operation: summary, the record body when it takes one, responses. */
static void operation(struct mm_json *j, const char *method, const char *summary,
		      const char *body_ref, const char *ok_code, const char *ok_ref, bool by_id)
{
	mm_json_key(j, method);
	mm_json_obj_open(j);
	mm_json_key(j, "summary");
	mm_json_str(j, summary);
	if (by_id) {
		mm_json_key(j, "parameters");
		mm_json_raw(j, "[{\"name\":\"id\",\"in\":\"path\",\"required\":true,"
			       "\"schema\":{\"type\":\"integer\",\"minimum\":1}}]");
	}
	if (body_ref) {
		char buf[160];
		snprintf(buf, sizeof(buf),
			 "{\"required\":true,\"content\":{\"application/json\":{\"schema\":"
			 "{\"$ref\":\"#/components/schemas/%s\"}}}}",
			 body_ref);
		mm_json_key(j, "requestBody");
		mm_json_raw(j, buf);
	}
	mm_json_key(j, "responses");
	mm_json_obj_open(j);
	ref_response(j, ok_code, "OK", ok_ref);
	ref_response(j, "400", "Malformed request", "Error");
	ref_response(j, "403", "Not permitted", "Error");
	if (by_id)
		ref_response(j, "404", "Not found", "Error");
	if (body_ref) {
		ref_response(j, "409", "Version conflict", "Error");
		ref_response(j, "413", "Body too large", "Error");
		ref_response(j, "415", "Not JSON", "Error");
		ref_response(j, "422", "Field errors", "Error");
	}
	mm_json_obj_close(j);
	mm_json_obj_close(j);
}

/* The grants of a record (7.1): who may read, edit or is named on it. */
static void grant_paths(struct mm_json *j, const char *n)
{
	char path[128];

	snprintf(path, sizeof(path), "/api/v1/%s/{id}/grants", n);
	mm_json_key(j, path);
	mm_json_obj_open(j);
	operation(j, "get", "Grants on the record (those who may grant)", NULL, "200", NULL, true);
	operation(j, "post", "Grant a person read, edit or named access", "GrantInput", "201",
		  "Grant", true);
	mm_json_obj_close(j);
	snprintf(path, sizeof(path), "/api/v1/%s/{id}/grants/{gid}/delete", n);
	mm_json_key(j, path);
	mm_json_obj_open(j);
	mm_json_key(j, "post");
	mm_json_obj_open(j);
	mm_json_key(j, "summary");
	mm_json_str(j, "Take a grant back");
	mm_json_key(j, "parameters");
	mm_json_raw(j, "[{\"name\":\"id\",\"in\":\"path\",\"required\":true,"
		       "\"schema\":{\"type\":\"integer\",\"minimum\":1}},"
		       "{\"name\":\"gid\",\"in\":\"path\",\"required\":true,"
		       "\"schema\":{\"type\":\"integer\",\"minimum\":1}}]");
	mm_json_key(j, "responses");
	mm_json_obj_open(j);
	ref_response(j, "200", "OK", NULL);
	ref_response(j, "403", "Not permitted", "Error");
	ref_response(j, "404", "Not found", "Error");
	mm_json_obj_close(j);
	mm_json_obj_close(j);
	mm_json_obj_close(j);
}

/* The transitions of a register with a workflow, one path each. */
static void transition_paths(struct mm_json *j, const struct mm_register *r)
{
	const struct mm_workflow *wf = r->workflow;
	char path[160];

	for (size_t i = 0; wf && i < wf->ntransitions; i++) {
		const struct mm_transition *t = &wf->transitions[i];

		snprintf(path, sizeof(path), "/api/v1/%s/{id}/transitions/%s", r->schema.name,
			 t->name);
		mm_json_key(j, path);
		mm_json_obj_open(j);
		operation(j, "post", t->label_en, "TransitionInput", "200", r->schema.name, true);
		mm_json_obj_close(j);
	}
}

#define QPX(name, type, req, desc)                                                                 \
	"{\"name\":\"" name "\",\"in\":\"query\",\"required\":" req ",\"description\":\"" desc     \
	"\",\"schema\":{\"type\":\"" type "\"}}"
#define QP(name, type, desc) QPX(name, type, "false", desc)
#define SECTION_QP	     QP("section_id", "integer", "Only the risks of this owning section")

/* Reports that are not registers: a GET each, with their query
 * parameters (unknown or malformed ones are refused with 400). */
static void report_paths(struct mm_json *j)
{
	static const char *const reports[][3] = {
		{ "/api/v1/privileges", "Who holds a privileged role now, and since when (7.2)",
		  NULL },
		{ "/api/v1/sod/conflicts", "Existing violations of the separation-of-duties rules",
		  NULL },
		{ "/api/v1/clock", "The clock's synchronisation and its verdict (7.7)", NULL },
		{ "/api/v1/risks/heatmap",
		  "Risk heat map: counts of the risks the reader may see by asset axis and "
		  "likelihood (3.3)",
		  NULL },
		{ "/api/v1/risks/report",
		  "Risk assessment report (リスク評価書): method, bands with counts, and the risks "
		  "the reader may see, highest value first (3.3)",
		  "[" SECTION_QP "]" },
		{ "/api/v1/risks/plan",
		  "Risk treatment plan (リスク対応計画): measures with a due date, earliest first, "
		  "overdue ones flagged (3.3)",
		  "[" SECTION_QP
		  "," QP("measure_by", "integer",
			 "Only the measures this person carries out") "," QP("overdue", "string",
									     "1 for the overdue "
									     "measures only") "]" },
		{ "/api/v1/risk_assessments/compare",
		  "Comparison of two yearly assessments: new, removed, raised and lowered risks "
		  "among those the reader may see; 404 when a year has no assessment",
		  "[" QPX("from", "integer", "true", "Fiscal year compared from") "," QPX(
			  "to", "integer", "true", "Fiscal year compared to") "]" },
	};

	for (size_t i = 0; i < sizeof(reports) / sizeof(reports[0]); i++) {
		mm_json_key(j, reports[i][0]);
		mm_json_obj_open(j);
		mm_json_key(j, "get");
		mm_json_obj_open(j);
		mm_json_key(j, "summary");
		mm_json_str(j, reports[i][1]);
		if (reports[i][2]) {
			mm_json_key(j, "parameters");
			mm_json_raw(j, reports[i][2]);
		}
		mm_json_key(j, "responses");
		mm_json_obj_open(j);
		ref_response(j, "200", "OK", NULL);
		ref_response(j, "400", "Malformed or unknown parameters", "Error");
		ref_response(j, "403", "Not permitted", "Error");
		if (strstr(reports[i][0], "compare"))
			ref_response(j, "404", "No assessment for a year", "Error");
		mm_json_obj_close(j);
		mm_json_obj_close(j);
		mm_json_obj_close(j);
	}
}

/* GET of a register's list, with the parameters every list reads
 * (query.c); per-field filters are the field names, with _min and _max for
 * levels and dates. The answer holds total, offset, limit, items and, when
 * records follow, next: the cursor for after. */
/* clang-format off */
static const char list_qps[] = "["
	QP("q", "string", "Free text over the searchable fields") ","
	QP("sort", "string", "Field to sort by; a leading - sorts descending") ","
	QP("status", "string", "active (default), retired or all") ","
	QP("limit", "integer", "Records per page (default 50)") ","
	QP("offset", "integer", "Records to skip") ","
	QP("page", "integer", "Page number from 1, instead of offset") ","
	QP("after", "string", "Keyset cursor: next of the previous page (not with offset or page)")
	"]";
/* clang-format on */

static void list_operation(struct mm_json *j, const struct mm_register *r)
{
	mm_json_key(j, "get");
	mm_json_obj_open(j);
	mm_json_key(j, "summary");
	mm_json_str(j, r->label_en);
	mm_json_key(j, "parameters");
	mm_json_raw(j, list_qps);
	mm_json_key(j, "responses");
	mm_json_obj_open(j);
	ref_response(j, "200", "OK", NULL);
	ref_response(j, "400", "Malformed or unknown parameters", "Error");
	mm_json_obj_close(j);
	mm_json_obj_close(j);
}

static void register_paths(struct mm_json *j, const struct mm_register *r)
{
	const char *n = r->schema.name;
	char path[128];

	snprintf(path, sizeof(path), "/api/v1/%s", n);
	mm_json_key(j, path);
	mm_json_obj_open(j);
	list_operation(j, r);
	operation(j, "post", "Create", n, "201", n, false);
	mm_json_obj_close(j);
	snprintf(path, sizeof(path), "/api/v1/%s/{id}", n);
	mm_json_key(j, path);
	mm_json_obj_open(j);
	operation(j, "get", "Read one", NULL, "200", n, true);
	operation(j, "put", "Update (send version or If-Match)", n, "200", n, true);
	mm_json_obj_close(j);
	snprintf(path, sizeof(path), "/api/v1/%s/{id}/retire", n);
	mm_json_key(j, path);
	mm_json_obj_open(j);
	operation(j, "post", "Retire", NULL, "200", n, true);
	mm_json_obj_close(j);
	snprintf(path, sizeof(path), "/api/v1/%s/{id}/restore", n);
	mm_json_key(j, path);
	mm_json_obj_open(j);
	operation(j, "post", "Restore", NULL, "200", n, true);
	mm_json_obj_close(j);
	snprintf(path, sizeof(path), "/api/v1/%s/{id}/history", n);
	mm_json_key(j, path);
	mm_json_obj_open(j);
	operation(j, "get", "History", NULL, "200", NULL, true);
	mm_json_obj_close(j);
	grant_paths(j, n);
	transition_paths(j, r);
	snprintf(path, sizeof(path), "/api/v1/%s/export.csv", n);
	mm_json_key(j, path);
	mm_json_obj_open(j);
	operation(j, "get", "Export CSV (encoding=cp932 for Shift_JIS)", NULL, "200", NULL, false);
	mm_json_obj_close(j);
	snprintf(path, sizeof(path), "/api/v1/%s/export.xlsx", n);
	mm_json_key(j, path);
	mm_json_obj_open(j);
	operation(j, "get", "Export XLSX", NULL, "200", NULL, false);
	mm_json_obj_close(j);
	snprintf(path, sizeof(path), "/api/v1/%s/import", n);
	mm_json_key(j, path);
	mm_json_obj_open(j);
	operation(j, "post", "Import CSV (text/csv body; dry_run=1 checks only)", NULL, "200", NULL,
		  false);
	mm_json_obj_close(j);
}

void mm_api_openapi(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	struct mm_json j;

	rs->content_type = "application/json; charset=utf-8";
	mm_json_init(&j, &rs->body);
	mm_json_obj_open(&j);
	mm_json_key(&j, "openapi");
	mm_json_str(&j, "3.0.3");
	mm_json_key(&j, "info");
	mm_json_obj_open(&j);
	mm_json_key(&j, "title");
	mm_json_str(&j, "mamori API");
	mm_json_key(&j, "version");
	mm_json_str(&j, MM_VERSION);
	mm_json_obj_close(&j);
	mm_json_key(&j, "paths");
	mm_json_obj_open(&j);
	for (size_t i = 0; i < mm_nregisters; i++)
		register_paths(&j, mm_registers[i]);
	report_paths(&j);
	mm_json_obj_close(&j);
	mm_json_key(&j, "components");
	mm_json_obj_open(&j);
	mm_json_key(&j, "schemas");
	mm_json_obj_open(&j);
	for (size_t i = 0; i < mm_nregisters; i++)
		record_schema(&j, mm_registers[i]);
	mm_json_key(&j, "GrantInput");
	mm_json_raw(&j, "{\"type\":\"object\",\"additionalProperties\":false,\"required\":"
			"[\"person_id\",\"kind\"],\"properties\":{\"person_id\":{\"type\":"
			"\"integer\",\"x-references\":\"people\"},\"kind\":{\"type\":\"string\","
			"\"enum\":[\"read\",\"edit\",\"named\"]}}}");
	mm_json_key(&j, "Grant");
	mm_json_raw(&j, "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},"
			"\"person_id\":{\"type\":\"integer\"},\"person\":{\"type\":\"string\"},"
			"\"kind\":{\"type\":\"string\",\"enum\":[\"read\",\"edit\",\"named\"]},"
			"\"kind_label\":{\"type\":\"string\"},\"granted_by\":{\"type\":"
			"\"string\"},\"granted_at\":{\"type\":\"string\",\"format\":"
			"\"date-time\"}}}");
	mm_json_key(&j, "TransitionInput");
	mm_json_raw(&j, "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":"
			"{\"comment\":{\"type\":\"string\",\"maxLength\":2000},\"version\":"
			"{\"type\":\"integer\",\"minimum\":1}}}");
	mm_json_key(&j, "Error");
	mm_json_raw(&j, "{\"type\":\"object\",\"properties\":{\"error\":{\"type\":\"object\","
			"\"properties\":{\"code\":{\"type\":\"string\"},\"message\":{\"type\":"
			"\"string\"},\"fields\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
			"\"properties\":{\"field\":{\"type\":\"string\"},\"code\":{\"type\":"
			"\"string\"},\"message\":{\"type\":\"string\"}}}}}}}}");
	mm_json_obj_close(&j);
	mm_json_obj_close(&j);
	mm_json_obj_close(&j);
}
