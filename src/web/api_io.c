/* Spreadsheet exports and CSV import over HTTP. Exports take the same
 * filters as the list; imports take the CSV as the request body. */
#include "web/handlers.h"

#include "core/err.h"
#include "core/json.h"
#include "domain/export.h"

#include <stdio.h>
#include <string.h>

static void json_report(struct mm_json *j, const struct mm_file_report *rep)
{
	mm_json_key(j, "rows");
	mm_json_int(j, (int64_t)rep->rows);
	mm_json_key(j, "errors");
	mm_json_arr_open(j);
	for (size_t i = 0; i < rep->nerrs; i++) {
		mm_json_obj_open(j);
		mm_json_key(j, "row");
		mm_json_int(j, (int64_t)rep->errs[i].row);
		mm_json_key(j, "column");
		mm_json_str(j, rep->errs[i].column);
		mm_json_key(j, "message");
		mm_json_str(j, rep->errs[i].message);
		mm_json_obj_close(j);
	}
	mm_json_arr_close(j);
}

static void export(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs,
		   enum mm_export_format fmt)
{
	struct mm_ferrs errs = { .n = 0 };
	struct mm_file_report rep;
	struct mm_query q;
	struct mm_ctx ctx;
	const char *ext = fmt == MM_EXPORT_XLSX ? "xlsx" : "csv";
	char *disp;
	int rc;

	if (mm_list_query(w, rq, false, &q, &errs)) {
		mm_resp_json_error(rs, rq->lang, 400, "bad_query", &errs);
		return;
	}
	rc = mm_ctx_open(w, rq, &ctx);
	if (!rc)
		rc = mm_export(rq->reg, &ctx, &q, fmt, &rs->body, &rep);
	mm_ctx_close(w, &ctx);
	if (rc == MM_EENCODING) {
		struct mm_json j;

		mm_buf_reset(&rs->body);
		rs->status = 422;
		rs->content_type = "application/json; charset=utf-8";
		mm_json_init(&j, &rs->body);
		mm_json_obj_open(&j);
		mm_json_key(&j, "error");
		mm_json_obj_open(&j);
		mm_json_key(&j, "code");
		mm_json_str(&j, "unencodable");
		mm_json_key(&j, "message");
		mm_json_str(
			&j,
			MM_L(rq->lang,
			     "Shift_JIS（CP932）で表せない文字があります。UTF-8 "
			     "で出力してください。",
			     "Some characters cannot be represented in CP932; export as UTF-8."));
		json_report(&j, &rep);
		mm_json_obj_close(&j);
		mm_json_obj_close(&j);
		return;
	}
	if (rc) {
		mm_resp_status_for(rs, rq->lang, rc);
		return;
	}
	if (fmt == MM_EXPORT_XLSX)
		rs->content_type =
			"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
	else if (fmt == MM_EXPORT_CSV_CP932)
		rs->content_type = "text/csv; charset=Shift_JIS";
	else
		rs->content_type = "text/csv; charset=utf-8";
	disp = mm_arena_alloc(rq->a, 128);
	if (disp) {
		snprintf(disp, 128, "attachment; filename=\"%s.%s\"", rq->reg->schema.name, ext);
		mm_resp_header(rs, "Content-Disposition", disp);
	}
}

void mm_api_export_csv(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	const char *enc = mm_param_get(rq->query, rq->nquery, "encoding");

	if (enc && strcmp(enc, "cp932") != 0 && strcmp(enc, "utf-8") != 0) {
		mm_resp_json_error(rs, rq->lang, 400, "bad_query", NULL);
		return;
	}
	export(w, rq, rs, enc && strcmp(enc, "cp932") == 0 ? MM_EXPORT_CSV_CP932 : MM_EXPORT_CSV);
}

void mm_api_export_xlsx(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	export(w, rq, rs, MM_EXPORT_XLSX);
}

void mm_api_import(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs)
{
	const char *ct = rq->content_type;
	bool dry_run = false;
	struct mm_file_report rep = { 0 };
	struct mm_ctx ctx;
	struct mm_json j;
	int rc;

	for (size_t i = 0; i < rq->nquery; i++) {
		const char *v = rq->query[i].value;
		bool yes = strcmp(v, "1") == 0 || strcmp(v, "true") == 0;
		bool no = strcmp(v, "0") == 0 || strcmp(v, "false") == 0;

		if (strcmp(rq->query[i].name, "dry_run") != 0 || (!yes && !no)) {
			struct mm_ferrs errs = { .n = 0 };
			mm_ferr_add(&errs, NULL, rq->query[i].name, "bad_query", rq->lang);
			mm_resp_json_error(rs, rq->lang, 400, "bad_query", &errs);
			return;
		}
		dry_run = yes;
	}
	if (rq->body_too_big) {
		mm_resp_json_error(rs, rq->lang, 413, "too_big", NULL);
		return;
	}
	if (!ct || (strncasecmp(ct, "text/csv", 8) != 0 &&
		    strncasecmp(ct, "application/octet-stream", 24) != 0)) {
		mm_resp_json_error(rs, rq->lang, 415, "bad_media_type", NULL);
		return;
	}
	rc = mm_ctx_open(w, rq, &ctx);
	if (!rc)
		rc = mm_import_csv(rq->reg, &ctx, rq->body ? rq->body : "", rq->body_len, dry_run,
				   &rep);
	mm_ctx_close(w, &ctx);
	if (rc && rc != MM_EVALIDATE) {
		mm_resp_status_for(rs, rq->lang, rc);
		return;
	}
	rs->status = rc ? 422 : 200;
	rs->content_type = "application/json; charset=utf-8";
	mm_json_init(&j, &rs->body);
	mm_json_obj_open(&j);
	mm_json_key(&j, "dry_run");
	mm_json_bool(&j, dry_run);
	mm_json_key(&j, "ok");
	mm_json_bool(&j, rc == MM_OK);
	mm_json_key(&j, "created");
	mm_json_int(&j, (int64_t)rep.created);
	mm_json_key(&j, "updated");
	mm_json_int(&j, (int64_t)rep.updated);
	mm_json_key(&j, "unchanged");
	mm_json_int(&j, (int64_t)rep.unchanged);
	json_report(&j, &rep);
	mm_json_obj_close(&j);
}
