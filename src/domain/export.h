/* Exports and imports of a register as spreadsheets: CSV (UTF-8 with BOM or
 * CP932) and XLSX out, CSV in. Columns carry the Japanese field labels, so a
 * file exported from mamori imports back unchanged. */
#ifndef MM_DOMAIN_EXPORT_H
#define MM_DOMAIN_EXPORT_H

#include "core/buf.h"
#include "domain/register.h"

enum mm_export_format { MM_EXPORT_CSV, MM_EXPORT_CSV_CP932, MM_EXPORT_XLSX };

/* One problem found in a file: 1-based row (0 for the whole file; the header
 * is row 1), the column heading (or NULL) and a message in the context's
 * language. */
struct mm_row_err {
	size_t row;
	const char *column;
	const char *message;
};

struct mm_file_report {
	size_t rows; /* data rows read or written */
	size_t created, updated, unchanged;
	struct mm_row_err *errs;
	size_t nerrs;
};

/* Writes the records matching q (every page of it) to out in the given
 * format. For CP932, a character that cannot be encoded is reported in rep
 * (row and column) and MM_EENCODING is returned; nothing is replaced. */
int mm_export(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_query *q,
	      enum mm_export_format fmt, struct mm_buf *out, struct mm_file_report *rep);

/* The heading of the column that says whether a record is in use or retired:
 * "状態", or "使用状況" when a field of the register (a workflow's state) is
 * called 状態 already. The importer reads either. */
const char *mm_export_state_heading(const struct mm_register *r);

/* Imports CSV data (UTF-8, UTF-8 with BOM or CP932, detected). Rows whose key
 * matches a record update it; others create records. Every bad row is
 * reported; the import is all or nothing, and dry_run checks everything and
 * writes nothing. Returns MM_OK, MM_EVALIDATE (rep->errs filled) or a store
 * error; on failure the created/updated/unchanged counts are zero. */
int mm_import_csv(const struct mm_register *r, struct mm_ctx *ctx, const char *data, size_t len,
		  bool dry_run, struct mm_file_report *rep);

#endif
