/* CSV import: detect the encoding, map headings to fields, validate every
 * row through the register engine inside one transaction, and commit only
 * when every row is good (and this is not a dry run). Every row meets the
 * access rules of the register engine: a row whose record the importer may
 * not see or write is a row error, and the refusals are audited once the
 * import is over. */
#include "domain/audit_record.h"
#include "domain/export.h"

#include "core/csv.h"
#include "core/encoding.h"
#include "core/err.h"
#include "core/slice.h"
#include "domain/access.h"

#include <string.h>

enum { MAX_ERRS = 200, MAX_COLS = 128 };

/* What a CSV column feeds: a field, the state, the record's grants, or
 * nothing (informational). */
enum { COL_IGNORE = -1, COL_STATE = -2, COL_GRANTS = -3 };

static void row_error(struct mm_ctx *ctx, struct mm_file_report *rep, size_t row, const char *col,
		      const char *msg_id, const char *label, int64_t min, int64_t max)
{
	struct mm_buf m;

	if (!rep->errs)
		rep->errs = mm_arena_zalloc(ctx->a, sizeof(*rep->errs) * MAX_ERRS);
	if (!rep->errs || rep->nerrs >= MAX_ERRS)
		return;
	mm_buf_init(&m, 4096);
	mm_msg_format(&m, ctx->lang, msg_id, label, min, max);
	rep->errs[rep->nerrs].row = row;
	rep->errs[rep->nerrs].column = col;
	rep->errs[rep->nerrs].message = m.err ? msg_id : mm_arena_strndup(ctx->a, m.data, m.len);
	rep->nerrs++;
	mm_buf_free(&m);
}

/* Brings the file to UTF-8 without a BOM; NULL data on an undetectable or
 * broken encoding. */
static int to_utf8(struct mm_ctx *ctx, const char *data, size_t len, struct mm_slice *out)
{
	enum mm_enc enc;
	struct mm_buf b;
	size_t bad;
	int rc = mm_enc_detect(data, len, &enc);

	if (rc)
		return rc;
	if (enc == MM_ENC_UTF8) {
		*out = (struct mm_slice){ data, len };
		return MM_OK;
	}
	if (enc == MM_ENC_UTF8_BOM) {
		*out = (struct mm_slice){ data + 3, len - 3 };
		return MM_OK;
	}
	mm_buf_init(&b, len * 3 + 16);
	rc = mm_cp932_to_utf8(data, len, &b, &bad);
	if (!rc) {
		char *p = mm_arena_strndup(ctx->a, b.data, b.len);
		if (!p)
			rc = MM_ENOMEM;
		*out = (struct mm_slice){ p, b.len };
	}
	mm_buf_free(&b);
	return rc;
}

/* Maps each heading to a field index (or COL_*); reports unknown and
 * duplicate headings. */
static void map_header(const struct mm_register *r, struct mm_ctx *ctx, struct mm_slice *h,
		       size_t n, int *map, struct mm_file_report *rep)
{
	const struct mm_schema *s = &r->schema;

	for (size_t c = 0; c < n; c++) {
		struct mm_slice t = mm_slice_trim(h[c]);
		const char *name = mm_arena_strndup(ctx->a, t.ptr, t.len);

		map[c] = COL_IGNORE - 100;
		for (size_t i = 0; i < s->nfields; i++)
			if (mm_slice_eqs(t, s->fields[i].label_ja) ||
			    mm_slice_eqs(t, s->fields[i].label_en) ||
			    mm_slice_eqs(t, s->fields[i].name))
				map[c] = (s->fields[i].flags & MM_F_DERIVED) ? COL_IGNORE : (int)i;
		/* 状態 is the in-use column unless a field has that name. */
		if (((mm_slice_eqs(t, "状態") || mm_slice_eqs(t, "State")) &&
		     map[c] == COL_IGNORE - 100) ||
		    mm_slice_eqs(t, "使用状況"))
			map[c] = COL_STATE;
		if (mm_grants_in_files(r) && mm_grants_is_heading(t.ptr, t.len))
			map[c] = COL_GRANTS;
		if (mm_slice_eqs(t, "登録日") || mm_slice_eqs(t, "更新日") || mm_slice_eqs(t, "ID"))
			map[c] = COL_IGNORE;
		if (map[c] == COL_IGNORE - 100) {
			row_error(ctx, rep, 1, name, "csv_unknown_column", name, 0, 0);
			continue;
		}
		for (size_t d = 0; d < c; d++)
			if (map[d] == map[c] && map[c] != COL_IGNORE)
				row_error(ctx, rep, 1, name, "csv_duplicate_column", name, 0, 0);
	}
}

/* Does the state cell say the record is retired? */
static bool state_retired(const struct mm_register *r, struct mm_slice v)
{
	v = mm_slice_trim(v);
	return mm_slice_eqs(v, r->retired_ja) || mm_slice_eqs(v, r->retired_en) ||
	       mm_slice_eqs(v, "retired");
}

struct import_state {
	const struct mm_register *r;
	struct mm_ctx *ctx;
	struct mm_file_report *rep;
	int *map;
	struct mm_slice *heads;
	size_t ncols;
	const char **seen; /* keys met so far: open addressing, a power of two */
	size_t seen_cap;
	size_t denied; /* rows refused by the access rules */
};

/* Records key as met; false when it was met before in this file. */
static bool first_time(struct import_state *st, const char *key)
{
	uint64_t h = 14695981039346656037u; /* FNV-1a */
	size_t i;

	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 1099511628211u;
	for (i = h & (st->seen_cap - 1); st->seen[i]; i = (i + 1) & (st->seen_cap - 1))
		if (strcmp(st->seen[i], key) == 0)
			return false;
	st->seen[i] = key;
	return true;
}

/* Room for the keys of every row: twice the number of lines, a power of two. */
static size_t seen_capacity(struct mm_slice text)
{
	size_t lines = 2, cap = 16;

	for (size_t i = 0; i < text.len; i++)
		lines += text.ptr[i] == '\n';
	while (cap < 2 * lines)
		cap *= 2;
	return cap;
}

static void report_ferrs(struct import_state *st, size_t row, const struct mm_ferrs *errs)
{
	for (size_t k = 0; k < errs->n; k++) {
		const struct mm_ferr *e = &errs->e[k];
		int fi = mm_schema_field(&st->r->schema, e->field);
		const char *col = fi >= 0 ? st->r->schema.fields[fi].label_ja : e->field;
		row_error(st->ctx, st->rep, row, col, e->msg, e->label, e->min, e->max);
	}
}

/* One row as input for the register engine, with its key, its state and
 * its grants cell (cell.set false when the row has none). */
struct row_in {
	struct mm_input in;
	const char *key;
	bool retire;
	struct mm_grant_cell cell;
};

/* Reads the cells of a row into ri; a bad grants cell adds to errs. */
static int read_row(struct import_state *st, struct mm_slice *cells, size_t n, struct row_in *ri,
		    struct mm_ferrs *errs)
{
	const struct mm_register *r = st->r;
	int rc = MM_OK;

	memset(ri, 0, sizeof(*ri));
	ri->in.mode = MM_IN_CSV;
	ri->in.items = mm_arena_zalloc(st->ctx->a, sizeof(*ri->in.items) * n);
	if (!ri->in.items)
		return MM_ENOMEM;
	for (size_t c = 0; !rc && c < n; c++) {
		struct mm_in *it = &ri->in.items[ri->in.n];

		if (st->map[c] == COL_STATE)
			ri->retire = state_retired(r, cells[c]);
		if (st->map[c] == COL_GRANTS)
			rc = mm_grants_cell_parse(r, st->ctx, cells[c].ptr, cells[c].len, &ri->cell,
						  errs);
		if (st->map[c] < 0)
			continue;
		*it = (struct mm_in){ r->schema.fields[st->map[c]].name, MM_IN_STR, cells[c].ptr,
				      cells[c].len, 0 };
		if (st->map[c] == r->key_field) {
			struct mm_slice k = mm_slice_trim(cells[c]);
			ri->key = k.len ? mm_arena_strndup(st->ctx->a, k.ptr, k.len) : NULL;
		}
		ri->in.n++;
	}
	return rc == MM_EVALIDATE ? MM_OK : rc;
}

/* Updates record id (0: creates one) from ri, counting what happened;
 * *same when the update changed nothing. */
static int write_row(struct import_state *st, const struct row_in *ri, int64_t id,
		     struct mm_ferrs *errs, struct mm_record *rec, bool *same)
{
	const struct mm_register *r = st->r;
	int64_t before = 0;
	int rc;

	if (!id) {
		rc = mm_reg_create(r, st->ctx, &ri->in, errs, rec);
		st->rep->created += !rc;
		return rc;
	}
	rc = mm_reg_get(r, st->ctx, id, rec);
	if (!rc)
		before = rec->version;
	if (!rc)
		rc = mm_reg_update(r, st->ctx, id, before, &ri->in, errs, rec);
	*same = !rc && rec->version == before;
	if (*same)
		st->rep->unchanged++;
	else if (!rc)
		st->rep->updated++;
	return rc;
}

/* Reports a row refused by the access rules (audited once the import is
 * over). */
static int refused(struct import_state *st, size_t row, const char *col, const char *msg)
{
	row_error(st->ctx, st->rep, row, col, msg, NULL, 0, 0);
	st->denied++;
	return MM_OK;
}

/* Imports one data row: update the record with the same key, or create;
 * then its state and its grants. */
static int import_row(struct import_state *st, size_t row, struct mm_slice *cells, size_t n)
{
	const struct mm_register *r = st->r;
	struct mm_ferrs errs = { .n = 0 }, gerrs = { .n = 0 };
	struct mm_record rec;
	struct row_in ri;
	bool changed = false, same = false;
	int64_t id = 0;
	int rc = read_row(st, cells, n, &ri, &gerrs);

	if (rc)
		return rc;
	if (ri.key) {
		struct mm_value kv = { true, 0, ri.key };

		if (!first_time(st, ri.key)) {
			const struct mm_field *kf = &r->schema.fields[r->key_field];
			row_error(st->ctx, st->rep, row, kf->label_ja, "csv_duplicate_key",
				  mm_field_label(kf, st->ctx->lang), 0, 0);
			return MM_OK;
		}
		rc = mm_rec_find(st->ctx->conn, &r->schema, r->key_field, &kv, 0, &id);
		if (rc && rc != MM_ENOTFOUND)
			return rc;
	}
	rc = write_row(st, &ri, id, &errs, &rec, &same);
	if (!rc && ri.retire != rec.retired)
		rc = mm_reg_set_retired(r, st->ctx, rec.id, rec.version, ri.retire, &rec);
	report_ferrs(st, row, &errs);
	report_ferrs(st, row, &gerrs);
	if (rc == MM_EVALIDATE || (!rc && gerrs.n))
		return MM_OK;
	/* A key the importer may not see reads as not found: a refusal too,
	 * told in the same words as one they may see but not change. */
	if (rc == MM_EPERM || (rc == MM_ENOTFOUND && id)) {
		/* A register's own refusal (a privileged holding) says why. */
		const char *why =
			rc == MM_EPERM && st->ctx->refusal ? st->ctx->refusal : "forbidden_row";

		st->ctx->refusal = NULL;
		return refused(st, row, NULL, why);
	}
	if (rc)
		return rc;
	rc = mm_grants_replace(r, st->ctx, rec.id, &ri.cell, &gerrs, &changed);
	report_ferrs(st, row, &gerrs);
	if (rc == MM_EPERM)
		return refused(st, row, mm_grants_heading(MM_JA), "forbidden_grants");
	if (changed && same) {
		/* Only the grants changed: the row still updated its record. */
		st->rep->unchanged--;
		st->rep->updated++;
	}
	return rc == MM_EVALIDATE ? MM_OK : rc;
}

static int import_rows(struct import_state *st, struct mm_csv_reader *rd)
{
	for (;;) {
		struct mm_slice *cells;
		size_t n;
		int rc = mm_csv_next(rd, st->ctx->a, &cells, &n);

		if (rc == MM_ENOTFOUND)
			return MM_OK;
		if (rc == MM_EINVAL || rc == MM_ETOOBIG) {
			row_error(st->ctx, st->rep, rd->line, NULL, "csv_malformed", NULL, 0, 0);
			return MM_OK;
		}
		if (rc)
			return rc;
		if (n == 1 && cells[0].len == 0)
			continue; /* a blank line */
		/* The export's quote before a formula-like text is not data. */
		for (size_t c = 0; c < n; c++)
			cells[c] = mm_csv_unneutralise(cells[c]);
		st->rep->rows++;
		if (n != st->ncols) {
			row_error(st->ctx, st->rep, rd->line, NULL, "csv_wrong_count", NULL, 0, 0);
			continue;
		}
		rc = import_row(st, rd->line, cells, n);
		if (rc)
			return rc;
	}
}

int mm_import_csv(const struct mm_register *r, struct mm_ctx *ctx, const char *data, size_t len,
		  bool dry_run, struct mm_file_report *rep)
{
	struct import_state st = { .r = r, .ctx = ctx, .rep = rep };
	struct mm_csv_reader rd;
	struct mm_slice text;
	bool own_tx = !ctx->in_tx;
	int rc;

	memset(rep, 0, sizeof(*rep));
	rc = to_utf8(ctx, data, len, &text);
	if (rc == MM_EENCODING || rc == MM_EINVAL) {
		row_error(ctx, rep, 0, NULL, "csv_bad_encoding", NULL, 0, 0);
		return MM_EVALIDATE;
	}
	if (rc)
		return rc;
	mm_csv_reader_init(&rd, text.ptr, text.len);
	rc = mm_csv_next(&rd, ctx->a, &st.heads, &st.ncols);
	if (rc == MM_ENOTFOUND || (rc == MM_OK && st.ncols == 1 && st.heads[0].len == 0)) {
		row_error(ctx, rep, 1, NULL, "csv_no_header", NULL, 0, 0);
		return MM_EVALIDATE;
	}
	if (rc || st.ncols > MAX_COLS) {
		row_error(ctx, rep, 1, NULL, "csv_malformed", NULL, 0, 0);
		return MM_EVALIDATE;
	}
	st.map = mm_arena_alloc(ctx->a, sizeof(*st.map) * st.ncols);
	st.seen_cap = seen_capacity(text);
	st.seen = mm_arena_zalloc(ctx->a, sizeof(*st.seen) * st.seen_cap);
	if (!st.map || !st.seen)
		return MM_ENOMEM;
	map_header(r, ctx, st.heads, st.ncols, st.map, rep);
	if (rep->nerrs)
		return MM_EVALIDATE;
	if (own_tx) {
		rc = mm_tx_begin(ctx->conn, true);
		if (rc)
			return rc;
		ctx->in_tx = true;
	}
	ctx->importing = true;
	rc = import_rows(&st, &rd);
	ctx->importing = false;
	if (!rc && rep->nerrs)
		rc = MM_EVALIDATE;
	if (rc)
		rep->created = rep->updated = rep->unchanged = 0; /* rolled back */
	/* A real import commits with its record; a dry run or a failure
	 * writes nothing, and is recorded after the rollback. */
	if (!rc && !dry_run)
		rc = mm_audit_import(r, ctx, false, "ok", rep);
	if (own_tx) {
		ctx->in_tx = false;
		if (rc || dry_run)
			mm_tx_rollback(ctx->conn);
		else
			rc = mm_tx_commit(ctx->conn);
	}
	if (rc)
		rep->created = rep->updated = rep->unchanged = 0;
	if (own_tx && (rc || dry_run)) {
		int arc = mm_audit_import(r, ctx, dry_run, rc ? "failed" : "ok", rep);
		if (arc && !rc)
			rc = arc;
	}
	return st.denied ? mm_access_denied(ctx, r, 0, "import", rc) : rc;
}
