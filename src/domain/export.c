/* Register export to CSV and XLSX. */
#include "domain/audit_record.h"
#include "domain/export.h"

#include "core/csv.h"
#include "core/encoding.h"
#include "core/err.h"
#include "domain/access.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

enum { PAGE = 1000, MAX_ERRS = 100 };

const char *mm_export_state_heading(const struct mm_register *r)
{
	for (size_t i = 0; i < r->schema.nfields; i++)
		if (strcmp(r->schema.fields[i].label_ja, "状態") == 0)
			return "使用状況";
	return "状態";
}

/* The in-use column's text for a record not retired. */
static const char *active_label(enum mm_lang lang)
{
	return MM_L(lang, "使用中", "In use");
}

/* The text of field f of rec as it appears in a spreadsheet cell. */
static const char *cell_text(const struct mm_register *r, struct mm_ctx *ctx, int fi,
			     const struct mm_record *rec, char *num, size_t numlen)
{
	const struct mm_field *f = &r->schema.fields[fi];
	const struct mm_value *v = &rec->v[fi];

	if (!v->set)
		return "";
	switch (f->type) {
	case MM_FT_INT:
		snprintf(num, numlen, "%lld", (long long)v->i);
		return num;
	case MM_FT_REF:
		return mm_reg_display(mm_register_find(f->ref), ctx, v->i);
	case MM_FT_ENUM:
		return mm_option_label(f, v->s, MM_JA);
	case MM_FT_TEXT:
	case MM_FT_DATE:
		return v->s;
	}
	return "";
}

static void report(struct mm_ctx *ctx, struct mm_file_report *rep, size_t row, const char *col,
		   const char *msg_id, const char *label)
{
	struct mm_buf m;

	if (!rep->errs)
		rep->errs = mm_arena_zalloc(ctx->a, sizeof(*rep->errs) * MAX_ERRS);
	if (!rep->errs || rep->nerrs >= MAX_ERRS)
		return;
	mm_buf_init(&m, 4096);
	mm_msg_format(&m, ctx->lang, msg_id, label, 0, 0);
	rep->errs[rep->nerrs].row = row;
	rep->errs[rep->nerrs].column = col;
	rep->errs[rep->nerrs].message = m.err ? msg_id : mm_arena_strndup(ctx->a, m.data, m.len);
	rep->nerrs++;
	mm_buf_free(&m);
}

/* Appends one CSV cell, converting to CP932 when asked. */
static void csv_cell(struct mm_ctx *ctx, struct mm_buf *out, const char *s, bool text, bool cp932,
		     size_t row, const char *col, struct mm_file_report *rep)
{
	struct mm_buf tmp;
	size_t bad;

	if (!cp932) {
		mm_csv_field(out, s, strlen(s), text);
		return;
	}
	mm_buf_init(&tmp, out->cap);
	mm_csv_field(&tmp, s, strlen(s), text);
	if (mm_utf8_to_cp932(tmp.data, tmp.len, out, &bad) != MM_OK)
		report(ctx, rep, row, col, "unencodable", col);
	mm_buf_free(&tmp);
}

/* Calls fn for every record matching q, a page at a time. */
static int each_record(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_query *q,
		       int (*fn)(void *arg, const struct mm_record *rec, size_t row), void *arg)
{
	struct mm_query pq = *q;
	size_t row = 2;

	pq.limit = PAGE;
	pq.offset = 0;
	for (;;) {
		struct mm_page page;
		int rc = mm_reg_list(r, ctx, &pq, &page);

		if (rc)
			return rc;
		for (size_t i = 0; i < page.n; i++) {
			rc = fn(arg, &page.recs[i], row++);
			if (rc)
				return rc;
		}
		if (page.n < PAGE)
			return MM_OK;
		pq.offset += PAGE;
	}
}

struct csv_job {
	const struct mm_register *r;
	struct mm_ctx *ctx;
	struct mm_buf *out;
	bool cp932;
	struct mm_file_report *rep;
};

static int csv_row(void *arg, const struct mm_record *rec, size_t row)
{
	struct csv_job *job = arg;
	const struct mm_schema *s = &job->r->schema;
	char num[24];

	for (size_t i = 0; i < s->nfields; i++) {
		const struct mm_field *f = &s->fields[i];
		const char *t = cell_text(job->r, job->ctx, (int)i, rec, num, sizeof(num));

		csv_cell(job->ctx, job->out, t, f->type != MM_FT_INT, job->cp932, row, f->label_ja,
			 job->rep);
		mm_buf_addc(job->out, ',');
	}
	csv_cell(job->ctx, job->out, rec->retired ? job->r->retired_ja : active_label(MM_JA), true,
		 job->cp932, row, mm_export_state_heading(job->r), job->rep);
	if (mm_grants_in_files(job->r)) {
		const char *g;
		int rc = mm_grants_cell(job->r, job->ctx, rec, &g);

		if (rc)
			return rc;
		mm_buf_addc(job->out, ',');
		csv_cell(job->ctx, job->out, g, true, job->cp932, row, mm_grants_heading(MM_JA),
			 job->rep);
	}
	mm_buf_adds(job->out, "\r\n");
	job->rep->rows++;
	return job->out->err;
}

static int export_csv(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_query *q,
		      bool cp932, struct mm_buf *out, struct mm_file_report *rep)
{
	struct csv_job job = { r, ctx, out, cp932, rep };
	int rc;

	if (!cp932)
		mm_buf_adds(out, "\xef\xbb\xbf");
	for (size_t i = 0; i < r->schema.nfields; i++) {
		csv_cell(ctx, out, r->schema.fields[i].label_ja, true, cp932, 1, NULL, rep);
		mm_buf_addc(out, ',');
	}
	csv_cell(ctx, out, mm_export_state_heading(r), true, cp932, 1, NULL, rep);
	if (mm_grants_in_files(r)) {
		mm_buf_addc(out, ',');
		csv_cell(ctx, out, mm_grants_heading(MM_JA), true, cp932, 1, NULL, rep);
	}
	mm_buf_adds(out, "\r\n");
	rc = each_record(r, ctx, q, csv_row, &job);
	if (rc)
		return rc;
	if (out->err)
		return out->err;
	return rep->nerrs ? MM_EENCODING : MM_OK;
}

struct xlsx_job {
	const struct mm_register *r;
	struct mm_ctx *ctx;
	lxw_worksheet *ws;
	struct mm_file_report *rep;
};

static int xlsx_row(void *arg, const struct mm_record *rec, size_t row)
{
	struct xlsx_job *job = arg;
	const struct mm_schema *s = &job->r->schema;
	lxw_row_t xr = (lxw_row_t)(row - 1);
	char num[24];

	for (size_t i = 0; i < s->nfields; i++) {
		const struct mm_field *f = &s->fields[i];
		lxw_col_t col = (lxw_col_t)i;

		if (!rec->v[i].set)
			continue;
		if (f->type == MM_FT_INT)
			worksheet_write_number(job->ws, xr, col, (double)rec->v[i].i, NULL);
		else /* strings are stored as text, never as formulas */
			worksheet_write_string(
				job->ws, xr, col,
				cell_text(job->r, job->ctx, (int)i, rec, num, sizeof(num)), NULL);
	}
	worksheet_write_string(job->ws, xr, (lxw_col_t)s->nfields,
			       rec->retired ? job->r->retired_ja : active_label(MM_JA), NULL);
	if (mm_grants_in_files(job->r)) {
		const char *g;
		int rc = mm_grants_cell(job->r, job->ctx, rec, &g);

		if (rc)
			return rc;
		if (*g)
			worksheet_write_string(job->ws, xr, (lxw_col_t)s->nfields + 1, g, NULL);
	}
	job->rep->rows++;
	return MM_OK;
}

/* Reads the whole file at path into out. */
static int slurp(const char *path, struct mm_buf *out)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;

	if (!f)
		return MM_EIO;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		mm_buf_add(out, chunk, n);
	if (ferror(f))
		out->err = out->err ? out->err : MM_EIO;
	fclose(f);
	return out->err;
}

static int export_xlsx(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_query *q,
		       struct mm_buf *out, struct mm_file_report *rep)
{
	const char *tmpdir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char path[512];
	lxw_workbook_options opt = { .constant_memory = LXW_TRUE, .tmpdir = (char *)tmpdir };
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *head;
	struct xlsx_job job;
	int fd, rc;

	snprintf(path, sizeof(path), "%s/mamori-export-XXXXXX", tmpdir);
	fd = mkstemp(path);
	if (fd < 0)
		return MM_EIO;
	close(fd);
	wb = workbook_new_opt(path, &opt);
	if (!wb) {
		unlink(path);
		return MM_EIO;
	}
	ws = workbook_add_worksheet(wb, r->label_ja);
	head = workbook_add_format(wb);
	format_set_bold(head);
	for (size_t i = 0; i < r->schema.nfields; i++) {
		worksheet_write_string(ws, 0, (lxw_col_t)i, r->schema.fields[i].label_ja, head);
		worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i,
				     r->schema.fields[i].type == MM_FT_INT ? 8 : 18, NULL);
	}
	worksheet_write_string(ws, 0, (lxw_col_t)r->schema.nfields, mm_export_state_heading(r),
			       head);
	if (mm_grants_in_files(r)) {
		worksheet_write_string(ws, 0, (lxw_col_t)r->schema.nfields + 1,
				       mm_grants_heading(MM_JA), head);
		worksheet_set_column(ws, (lxw_col_t)r->schema.nfields + 1,
				     (lxw_col_t)r->schema.nfields + 1, 30, NULL);
	}
	worksheet_freeze_panes(ws, 1, 0);
	job = (struct xlsx_job){ r, ctx, ws, rep };
	rc = each_record(r, ctx, q, xlsx_row, &job);
	if (workbook_close(wb) != LXW_NO_ERROR && !rc)
		rc = MM_EIO;
	if (!rc)
		rc = slurp(path, out);
	unlink(path);
	return rc;
}

int mm_export(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_query *q,
	      enum mm_export_format fmt, struct mm_buf *out, struct mm_file_report *rep)
{
	static const char *const names[] = { "csv", "csv_cp932", "xlsx" };
	int rc, arc;

	memset(rep, 0, sizeof(*rep));
	if (fmt == MM_EXPORT_XLSX)
		rc = export_xlsx(r, ctx, q, out, rep);
	else
		rc = export_csv(r, ctx, q, fmt == MM_EXPORT_CSV_CP932, out, rep);
	/* The file is handed out only once its export is on record. */
	arc = mm_audit_export(r, ctx, q, names[fmt], rc ? "failed" : "ok", rep->rows);
	if (arc && !rc)
		mm_buf_reset(out);
	return rc ? rc : arc;
}
