/* The grants of a record as one spreadsheet cell (access.h): written for
 * exports, read back by imports. People are named by employee number, the
 * people register's key, so that a file moves between databases. */
#include "domain/access.h"

#include "core/err.h"
#include "core/slice.h"
#include "domain/registers.h"

#include <stdlib.h>
#include <string.h>

/* How each kind is written in a cell, and every other way it is read. */
static const struct {
	unsigned kind;
	const char *written;
	const char *also[4];
} kind_names[] = {
	{ MM_GRANT_READ, "閲覧", { "read", "Read", NULL, NULL } },
	{ MM_GRANT_EDIT, "編集", { "edit", "Edit", NULL, NULL } },
	{ MM_GRANT_NAMED, "指名", { "named", "Named", "指名（極秘）", NULL } },
};

bool mm_grants_in_files(const struct mm_register *r)
{
	return r->default_class == 0;
}

const char *mm_grants_heading(enum mm_lang lang)
{
	return MM_L(lang, "個別の権限", "Grants");
}

bool mm_grants_is_heading(const char *s, size_t len)
{
	struct mm_slice t = { s, len };

	return mm_slice_eqs(t, "個別の権限") || mm_slice_eqs(t, "Grants") ||
	       mm_slice_eqs(t, "grants");
}

struct cell_item {
	unsigned kind;
	const char *empno;
};

static int by_kind_then_number(const void *a, const void *b)
{
	const struct cell_item *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return strcmp(x->empno, y->empno);
}

static const char *written_kind(unsigned kind)
{
	for (size_t i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
		if (kind_names[i].kind == kind)
			return kind_names[i].written;
	return "?";
}

/* The employee number of person id, read from the store: whoever may see a
 * record's grants sees who holds them. */
static const char *employee_no(struct mm_ctx *ctx, int64_t id)
{
	struct mm_record p;

	if (mm_rec_get(ctx->conn, &mm_reg_people.schema, id, ctx->a, &p) != MM_OK ||
	    !p.v[PER_NO].set)
		return "?";
	return p.v[PER_NO].s;
}

int mm_grants_cell(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_record *rec,
		   const char **out)
{
	struct mm_grant *g = NULL;
	struct cell_item *items;
	struct mm_buf b;
	bool may = false;
	size_t n = 0;
	int rc = mm_access_may(ctx, r, MM_ACCESS_GRANT, rec, &may);

	*out = "";
	if (!rc && may)
		rc = mm_grant_list(ctx->conn, r->schema.name, rec->id, ctx->a, &g, &n);
	if (rc || !may || n == 0)
		return rc;
	items = mm_arena_alloc(ctx->a, sizeof(*items) * n);
	if (!items)
		return MM_ENOMEM;
	for (size_t i = 0; i < n; i++)
		items[i] = (struct cell_item){ mm_grant_kind_parse(g[i].kind),
					       employee_no(ctx, g[i].person_id) };
	qsort(items, n, sizeof(*items), by_kind_then_number);
	mm_buf_init(&b, 1 << 16);
	for (size_t i = 0; i < n; i++)
		mm_buf_printf(&b, "%s%s:%s", i ? " " : "", written_kind(items[i].kind),
			      items[i].empno);
	rc = b.err;
	if (!rc) {
		*out = mm_arena_strndup(ctx->a, b.data, b.len);
		rc = *out ? MM_OK : MM_ENOMEM;
	}
	mm_buf_free(&b);
	return rc;
}

/* The length of the separator at p (0: none): ASCII spaces and commas,
 * semicolons, the full-width space, 、 and the full-width comma. */
static size_t separator(const char *p, const char *end)
{
	static const char *const wide[] = { "\xe3\x80\x80", "、", "，" };

	if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || *p == ',' || *p == ';')
		return 1;
	for (size_t i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
		if ((size_t)(end - p) >= 3 && memcmp(p, wide[i], 3) == 0)
			return 3;
	return 0;
}

/* Splits an entry at its colon (':' or '：'); false when it has none. */
static bool split_entry(struct mm_slice e, struct mm_slice *kind, struct mm_slice *who)
{
	for (size_t i = 0; i < e.len; i++) {
		size_t w = e.ptr[i] == ':'				     ? 1
			   : (e.len - i >= 3 && !memcmp(e.ptr + i, "：", 3)) ? 3
									     : 0;

		if (w) {
			*kind = (struct mm_slice){ e.ptr, i };
			*who = (struct mm_slice){ e.ptr + i + w, e.len - i - w };
			return kind->len && who->len;
		}
	}
	return false;
}

static unsigned parse_kind(struct mm_slice k)
{
	for (size_t i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++) {
		if (mm_slice_eqs(k, kind_names[i].written))
			return kind_names[i].kind;
		for (size_t j = 0; j < 4 && kind_names[i].also[j]; j++)
			if (mm_slice_eqs(k, kind_names[i].also[j]))
				return kind_names[i].kind;
	}
	return 0;
}

static void entry_error(struct mm_ferrs *errs, const char *text, const char *msg)
{
	if (errs->n < MM_FERR_MAX)
		errs->e[errs->n++] = (struct mm_ferr){ mm_grants_heading(MM_JA), text, msg, 0, 0 };
}

/* Reads one entry into *e; a bad one is an error in errs. */
static int parse_entry(const struct mm_register *r, struct mm_ctx *ctx, struct mm_slice s,
		       struct mm_grant_entry *e, struct mm_ferrs *errs, bool *ok)
{
	struct mm_slice kind, who;
	int rc;

	*ok = false;
	e->text = mm_arena_strndup(ctx->a, s.ptr, s.len);
	if (!e->text)
		return MM_ENOMEM;
	if (!split_entry(s, &kind, &who)) {
		entry_error(errs, e->text, "grant_entry_bad");
		return MM_OK;
	}
	e->kind = parse_kind(kind);
	if (!e->kind) {
		entry_error(errs, e->text, "grant_kind_unknown");
		return MM_OK;
	}
	if (!mm_grants_offered(r, e->kind)) {
		entry_error(errs, e->text, "grant_kind_not_offered");
		return MM_OK;
	}
	rc = mm_reg_resolve(&mm_reg_people, ctx, who.ptr, who.len, &e->person_id);
	if (rc == MM_ENOTFOUND || rc == MM_ECONFLICT) {
		entry_error(errs, e->text,
			    rc == MM_ENOTFOUND ? "grant_person_unknown" : "grant_person_ambiguous");
		return MM_OK;
	}
	*ok = rc == MM_OK;
	return rc;
}

/* Whether out already holds e's person and kind. */
static bool has_entry(const struct mm_grant_cell *out, const struct mm_grant_entry *e)
{
	for (size_t i = 0; i < out->n; i++)
		if (out->v[i].person_id == e->person_id && out->v[i].kind == e->kind)
			return true;
	return false;
}

int mm_grants_cell_parse(const struct mm_register *r, struct mm_ctx *ctx, const char *text,
			 size_t len, struct mm_grant_cell *out, struct mm_ferrs *errs)
{
	const char *p = text, *end = text + len;
	struct mm_slice all = mm_slice_trim((struct mm_slice){ text, len });
	size_t before = errs->n;
	int rc = MM_OK;

	memset(out, 0, sizeof(*out));
	if (all.len == 0)
		return MM_OK;
	out->set = true;
	if (mm_slice_eqs(all, "なし") || mm_slice_eqs(all, "none"))
		return MM_OK;
	/* At most one entry per byte of the cell. */
	out->v = mm_arena_alloc(ctx->a, sizeof(*out->v) * (len / 3 + 1));
	if (!out->v)
		return MM_ENOMEM;
	while (!rc && p < end) {
		const char *start;
		struct mm_grant_entry e;
		bool ok;
		size_t w;

		while (p < end && (w = separator(p, end)) > 0)
			p += w;
		start = p;
		while (p < end && separator(p, end) == 0)
			p++;
		if (p == start)
			break;
		rc = parse_entry(r, ctx, (struct mm_slice){ start, (size_t)(p - start) }, &e, errs,
				 &ok);
		if (!rc && ok && !has_entry(out, &e))
			out->v[out->n++] = e;
	}
	if (!rc && errs->n > before)
		rc = MM_EVALIDATE;
	return rc;
}
