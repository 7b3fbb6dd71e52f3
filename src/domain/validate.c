/* Turning client input into a record: per-field parsing and checks driven by
 * the schema, then the register's own rules, reference and uniqueness
 * checks. Every problem becomes a field error; nothing is written here. */
#include "domain/register.h"

#include "core/datetime.h"
#include "core/err.h"
#include "core/slice.h"
#include "domain/access.h"

#include <string.h>

static const char *const system_fields[] = { "id",	   "version",	 "retired",
					     "created_at", "updated_at", "updated_by" };

static bool is_system_field(const char *name)
{
	for (size_t i = 0; i < sizeof(system_fields) / sizeof(system_fields[0]); i++)
		if (strcmp(name, system_fields[i]) == 0)
			return true;
	return false;
}

/* Copies s with full-width digits, signs and spaces folded to ASCII, so
 * "３" reads as "3" (Japanese input methods often produce them). */
static struct mm_slice fold_ascii(struct mm_arena *a, const char *s, size_t n)
{
	char *out = mm_arena_alloc(a, n + 1);
	size_t o = 0;

	if (!out)
		return (struct mm_slice){ s, n };
	for (size_t i = 0; i < n; i++) {
		const unsigned char *u = (const unsigned char *)s + i;
		if (i + 2 < n && u[0] == 0xef && u[1] == 0xbc && u[2] >= 0x90 && u[2] <= 0x99) {
			out[o++] = (char)('0' + (u[2] - 0x90));
			i += 2;
		} else if (i + 2 < n && u[0] == 0xef && u[1] == 0xbc && u[2] == 0x8d) {
			out[o++] = '-';
			i += 2;
		} else if (i + 2 < n && u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80) {
			out[o++] = ' ';
			i += 2;
		} else {
			out[o++] = (char)u[0];
		}
	}
	out[o] = '\0';
	return mm_slice_trim((struct mm_slice){ out, o });
}

static bool text_ok(const char *s, size_t n, bool multiline)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == 0x7f ||
		    (c < 0x20 && c != '\t' && !(multiline && (c == '\n' || c == '\r'))))
			return false;
	}
	return true;
}

static int parse_text(const struct mm_field *f, struct mm_ctx *ctx, const struct mm_in *in,
		      struct mm_value *v, const char **err)
{
	struct mm_slice s = mm_slice_trim((struct mm_slice){ in->s, in->len });

	if (!mm_utf8_valid(in->s, in->len)) {
		*err = "bad_utf8";
		return MM_OK;
	}
	if (!text_ok(s.ptr, s.len, f->flags & MM_F_MULTILINE)) {
		*err = "bad_text";
		return MM_OK;
	}
	if (f->max && mm_utf8_count(s.ptr, s.len) > (size_t)f->max) {
		*err = "too_long";
		return MM_OK;
	}
	if (s.len == 0)
		return MM_OK;
	v->s = mm_arena_strndup(ctx->a, s.ptr, s.len);
	if (!v->s)
		return MM_ENOMEM;
	v->set = true;
	return MM_OK;
}

static void parse_int(const struct mm_field *f, struct mm_ctx *ctx, const struct mm_in *in,
		      enum mm_in_mode mode, struct mm_value *v, const char **err)
{
	int64_t x;

	if (in->kind == MM_IN_INT) {
		x = in->i;
	} else if (in->kind == MM_IN_STR && mode != MM_IN_JSON) {
		struct mm_slice s = fold_ascii(ctx->a, in->s, in->len);
		struct mm_slice head;
		if (s.len == 0)
			return;
		/* "3 課外秘" (a level and its label) reads as 3. */
		mm_slice_cut(s, ' ', &head);
		if (!mm_slice_to_i64(head, &x)) {
			for (size_t i = 0; i < f->nopts; i++)
				if (mm_slice_eqs(s, f->opts[i].ja) ||
				    mm_slice_eqs(s, f->opts[i].en)) {
					v->set = true;
					v->i = f->min + (int64_t)i;
					return;
				}
			*err = "not_integer";
			return;
		}
	} else {
		*err = "not_integer";
		return;
	}
	if (x < f->min || x > f->max) {
		*err = "out_of_range";
		return;
	}
	v->set = true;
	v->i = x;
}

static void parse_enum(const struct mm_field *f, const struct mm_in *in, enum mm_in_mode mode,
		       struct mm_value *v, const char **err)
{
	struct mm_slice s;

	if (in->kind != MM_IN_STR) {
		*err = "bad_choice";
		return;
	}
	s = mm_slice_trim((struct mm_slice){ in->s, in->len });
	if (s.len == 0)
		return;
	for (size_t i = 0; i < f->nopts; i++) {
		const struct mm_option *o = &f->opts[i];
		if (mm_slice_eqs(s, o->code) ||
		    (mode != MM_IN_JSON && (mm_slice_eqs(s, o->ja) || mm_slice_eqs(s, o->en)))) {
			v->set = true;
			v->s = o->code;
			return;
		}
	}
	*err = "bad_choice";
}

static int parse_ref(const struct mm_field *f, struct mm_ctx *ctx, const struct mm_in *in,
		     enum mm_in_mode mode, struct mm_value *v, const char **err)
{
	const struct mm_register *target = mm_register_find(f->ref);
	int64_t id;
	int rc;

	if (in->kind == MM_IN_INT) {
		id = in->i;
	} else if (in->kind == MM_IN_STR && mode == MM_IN_FORM) {
		struct mm_slice s = mm_slice_trim((struct mm_slice){ in->s, in->len });
		if (s.len == 0)
			return MM_OK;
		if (!mm_slice_to_i64(s, &id)) {
			*err = "bad_ref";
			return MM_OK;
		}
	} else if (in->kind == MM_IN_STR && mode == MM_IN_CSV) {
		struct mm_slice s = mm_slice_trim((struct mm_slice){ in->s, in->len });
		if (s.len == 0)
			return MM_OK;
		rc = mm_reg_resolve(target, ctx, s.ptr, s.len, &id);
		if (rc == MM_ENOTFOUND || rc == MM_ECONFLICT) {
			*err = rc == MM_ENOTFOUND ? "bad_ref" : "ambiguous_ref";
			return MM_OK;
		}
		if (rc)
			return rc;
	} else {
		*err = "bad_ref";
		return MM_OK;
	}
	v->set = true;
	v->i = id;
	return MM_OK;
}

static void parse_date(struct mm_ctx *ctx, const struct mm_in *in, struct mm_value *v,
		       const char **err)
{
	struct mm_slice s;
	struct mm_date d;
	char iso[11];

	if (in->kind != MM_IN_STR) {
		*err = "bad_date";
		return;
	}
	s = mm_slice_trim((struct mm_slice){ in->s, in->len });
	if (s.len == 0)
		return;
	if (!mm_utf8_valid(s.ptr, s.len) || mm_date_parse(s, &d) != MM_OK) {
		*err = "bad_date";
		return;
	}
	mm_date_iso(d, iso);
	v->s = mm_arena_strdup(ctx->a, iso);
	v->set = v->s != NULL;
}

/* Parses one input item into v; a user's mistake sets *err, a system failure
 * is returned. */
static int parse_value(const struct mm_field *f, struct mm_ctx *ctx, const struct mm_in *in,
		       enum mm_in_mode mode, struct mm_value *v, const char **err)
{
	memset(v, 0, sizeof(*v));
	if (in->kind == MM_IN_NULL)
		return MM_OK;
	switch (f->type) {
	case MM_FT_TEXT:
		if (in->kind != MM_IN_STR) {
			*err = "not_text";
			return MM_OK;
		}
		return parse_text(f, ctx, in, v, err);
	case MM_FT_INT:
		parse_int(f, ctx, in, mode, v, err);
		return MM_OK;
	case MM_FT_ENUM:
		parse_enum(f, in, mode, v, err);
		return MM_OK;
	case MM_FT_REF:
		return parse_ref(f, ctx, in, mode, v, err);
	case MM_FT_DATE:
		parse_date(ctx, in, v, err);
		return MM_OK;
	}
	return MM_EINVAL;
}

static bool value_eq(const struct mm_field *f, const struct mm_value *a, const struct mm_value *b)
{
	if (a->set != b->set)
		return false;
	if (!a->set)
		return true;
	if (f->type == MM_FT_INT || f->type == MM_FT_REF)
		return a->i == b->i;
	return strcmp(a->s, b->s) == 0;
}

/* A reference must name an existing record that the writer may read (so
 * that nobody learns through references that a hidden record exists); a
 * new reference must name one that is not retired. */
static int check_ref(const struct mm_field *f, struct mm_ctx *ctx, const struct mm_value *v,
		     const struct mm_value *old, struct mm_ferrs *errs)
{
	const struct mm_register *target = mm_register_find(f->ref);
	struct mm_record rec;
	bool visible = true;
	int rc;

	if (!v->set || (old && value_eq(f, v, old)))
		return MM_OK;
	rc = mm_rec_get(ctx->conn, &target->schema, v->i, ctx->a, &rec);
	if (!rc && ctx->who)
		rc = mm_access_read(ctx, target, &rec, &visible);
	if (rc == MM_ENOTFOUND || (!rc && !visible)) {
		mm_ferr_add(errs, f, f->name, "bad_ref", ctx->lang);
		return MM_OK;
	}
	if (rc)
		return rc;
	if (rec.retired)
		mm_ferr_add(errs, f, f->name, "retired_ref", ctx->lang);
	return MM_OK;
}

static int check_unique(const struct mm_register *r, struct mm_ctx *ctx, int fi,
			const struct mm_record *rec, struct mm_ferrs *errs)
{
	const struct mm_field *f = &r->schema.fields[fi];
	int64_t other;
	int rc;

	if (!rec->v[fi].set)
		return MM_OK;
	rc = mm_rec_find(ctx->conn, &r->schema, fi, &rec->v[fi], rec->id, &other);
	if (rc == MM_ENOTFOUND)
		return MM_OK;
	if (rc)
		return rc;
	mm_ferr_add(errs, f, f->name, "duplicate", ctx->lang);
	return MM_OK;
}

static int apply_input(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_input *in,
		       struct mm_record *rec, struct mm_ferrs *errs)
{
	const struct mm_schema *s = &r->schema;

	for (size_t k = 0; k < in->n; k++) {
		const struct mm_in *it = &in->items[k];
		int fi = mm_schema_field(s, it->name);
		const char *err = NULL;
		struct mm_value v;
		int rc;

		if (fi < 0) {
			mm_ferr_add(errs, NULL, it->name,
				    is_system_field(it->name) ? "read_only" : "unknown_field",
				    ctx->lang);
			continue;
		}
		if (s->fields[fi].flags & MM_F_DERIVED) {
			mm_ferr_add(errs, &s->fields[fi], it->name, "read_only", ctx->lang);
			continue;
		}
		rc = parse_value(&s->fields[fi], ctx, it, in->mode, &v, &err);
		if (rc)
			return rc;
		if (err)
			mm_ferr_add(errs, &s->fields[fi], it->name, err, ctx->lang);
		else
			rec->v[fi] = v;
	}
	return MM_OK;
}

int mm_reg_validate(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_input *in,
		    struct mm_record *rec, struct mm_ferrs *errs)
{
	const struct mm_schema *s = &r->schema;
	struct mm_value *old = NULL;
	int rc;

	if (rec->id) {
		old = mm_arena_alloc(ctx->a, sizeof(*old) * s->nfields);
		if (!old)
			return MM_ENOMEM;
		memcpy(old, rec->v, sizeof(*old) * s->nfields);
	}
	rc = apply_input(r, ctx, in, rec, errs);
	if (rc)
		return rc;
	/* An automatic key, once given, stays when an edit leaves it empty. */
	if (old && r->key_field >= 0 && (s->fields[r->key_field].flags & MM_F_AUTO) &&
	    !rec->v[r->key_field].set)
		rec->v[r->key_field] = old[r->key_field];
	for (size_t i = 0; i < s->nfields; i++) {
		const struct mm_field *f = &s->fields[i];
		bool bad = false;

		for (size_t k = 0; k < errs->n; k++)
			bad = bad || strcmp(errs->e[k].field, f->name) == 0;
		if (bad)
			continue;
		if ((f->flags & MM_F_REQUIRED) && !rec->v[i].set)
			mm_ferr_add(errs, f, f->name, "required", ctx->lang);
		else if (f->type == MM_FT_REF)
			rc = check_ref(f, ctx, &rec->v[i], old ? &old[i] : NULL, errs);
		else if (f->flags & MM_F_UNIQUE)
			rc = check_unique(r, ctx, (int)i, rec, errs);
		if (rc)
			return rc;
	}
	if (r->derive)
		r->derive(r, rec);
	if (r->derive_ctx && errs->n == 0) {
		rc = r->derive_ctx(r, ctx, rec, errs);
		if (rc)
			return rc;
	}
	if (r->check && errs->n == 0) {
		rc = r->check(r, ctx, rec, errs);
		if (rc)
			return rc;
	}
	return errs->n ? MM_EVALIDATE : MM_OK;
}

bool mm_filter_value(struct mm_arena *a, const struct mm_field *f, const char *text,
		     struct mm_value *v)
{
	struct mm_slice sl = mm_slice_trim(mm_slice_cstr(text));
	struct mm_date d;
	char iso[11];

	memset(v, 0, sizeof(*v));
	v->set = true;
	switch (f->type) {
	case MM_FT_INT:
	case MM_FT_REF:
		return mm_slice_to_i64(sl, &v->i);
	case MM_FT_ENUM:
		for (size_t i = 0; i < f->nopts; i++)
			if (mm_slice_eqs(sl, f->opts[i].code)) {
				v->s = f->opts[i].code;
				return true;
			}
		return false;
	case MM_FT_DATE:
		if (mm_date_parse(sl, &d))
			return false;
		mm_date_iso(d, iso);
		v->s = mm_arena_strdup(a, iso);
		return v->s != NULL;
	case MM_FT_TEXT:
		v->s = mm_arena_strndup(a, sl.ptr, sl.len);
		return v->s != NULL;
	}
	return false;
}
