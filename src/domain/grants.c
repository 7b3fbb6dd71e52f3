/* Grants on one record (7.1: rights per individual): listing, giving and
 * taking them, each checked against access.h and audited; and naming whoever
 * classifies a record as 極秘. */
#include "domain/access.h"

#include "core/datetime.h"
#include "core/err.h"
#include "domain/audit.h"
#include "domain/principal.h"
#include "domain/registers.h"

#include <stdio.h>
#include <string.h>

static const struct mm_option grant_kinds[] = {
	{ "read", "閲覧", "Read" },
	{ "edit", "編集", "Edit" },
	{ "named", "指名（極秘）", "Named (strictly confidential)" },
};

/* What a grant's inputs are called in field errors. */
static const struct mm_field grant_fields[] = {
	{ "person_id", "許可する人", "Person", MM_FT_REF, MM_F_REQUIRED, 0, 0, NULL, 0, "people" },
	{ "kind", "許可の種類", "Kind", MM_FT_ENUM, MM_F_REQUIRED, 0, 0, grant_kinds, 3, NULL },
};

const char *mm_grant_kind_label(const char *code, enum mm_lang lang)
{
	return mm_option_label(&grant_fields[1], code, lang);
}

bool mm_grants_offered(const struct mm_register *r, unsigned kind)
{
	switch (kind) {
	case MM_GRANT_READ:
		return true;
	case MM_GRANT_EDIT:
		return r->grant_edits;
	case MM_GRANT_NAMED:
		return r->default_class == 0 || r->default_class >= 4;
	}
	return false;
}

/* Records a grant given or taken ("grant", "ungrant") on record id. */
static int audit_grant(struct mm_ctx *ctx, const struct mm_register *r, int64_t id,
		       const char *action, const struct mm_grant *g, const char *why)
{
	char object[96], details[192];

	snprintf(object, sizeof(object), "%s/%lld", r->schema.name, (long long)id);
	snprintf(details, sizeof(details),
		 "{\"grant_id\":%lld,\"person_id\":%lld,\"kind\":\"%s\"%s%s%s}", (long long)g->id,
		 (long long)g->person_id, mm_grant_kind_code(mm_grant_kind_parse(g->kind)),
		 why ? ",\"reason\":\"" : "", why ? why : "", why ? "\"" : "");
	return mm_audit(ctx, action, object, "ok", details);
}

/* Reads record id for a change of its grants. A principal who may neither
 * read it nor grant on it gets MM_ENOTFOUND, one who reads it but may not
 * grant MM_EPERM; *denied names what was refused so the caller can record
 * it once its transaction is over. */
static int target(const struct mm_register *r, struct mm_ctx *ctx, int64_t id,
		  struct mm_record *rec, const char **denied)
{
	bool may = false, visible = false;
	int rc = mm_rec_get(ctx->conn, &r->schema, id, ctx->a, rec);

	*denied = NULL;
	if (!rc)
		rc = mm_access_may(ctx, r, MM_ACCESS_GRANT, rec, &may);
	if (rc || may)
		return rc;
	rc = mm_access_read(ctx, r, rec, &visible);
	if (rc)
		return rc;
	*denied = visible ? "grant" : "read";
	return visible ? MM_EPERM : MM_ENOTFOUND;
}

int mm_grants_list(const struct mm_register *r, struct mm_ctx *ctx, int64_t id,
		   struct mm_grant **out, size_t *n)
{
	struct mm_record rec;
	const char *denied;
	int rc = target(r, ctx, id, &rec, &denied);

	*out = NULL;
	*n = 0;
	if (denied)
		return mm_access_denied(ctx, r, id, denied, rc);
	if (rc)
		return rc;
	return mm_grant_list(ctx->conn, r->schema.name, id, ctx->a, out, n);
}

/* The person a grant is for must exist, be in service and be someone the
 * granting principal may see. */
static int check_person(struct mm_ctx *ctx, int64_t person, struct mm_ferrs *errs)
{
	const struct mm_field *f = &grant_fields[0];
	struct mm_record rec;
	bool visible = false;
	int rc = mm_rec_get(ctx->conn, &mm_reg_people.schema, person, ctx->a, &rec);

	if (rc == MM_ENOTFOUND) {
		mm_ferr_add(errs, f, f->name, "bad_ref", ctx->lang);
		return MM_OK;
	}
	if (!rc)
		rc = mm_access_read(ctx, &mm_reg_people, &rec, &visible);
	if (rc)
		return rc;
	if (!visible)
		mm_ferr_add(errs, f, f->name, "bad_ref", ctx->lang);
	else if (rec.v[PER_STATUS].set && strcmp(rec.v[PER_STATUS].s, "left") == 0)
		mm_ferr_add(errs, f, f->name, "grant_left", ctx->lang);
	else if (rec.retired)
		mm_ferr_add(errs, f, f->name, "retired_ref", ctx->lang);
	return MM_OK;
}

int mm_grants_add(const struct mm_register *r, struct mm_ctx *ctx, int64_t id, int64_t person,
		  const char *kind, struct mm_ferrs *errs, struct mm_grant *out)
{
	unsigned k = mm_grant_kind_parse(kind);
	struct mm_record rec;
	const char *denied = NULL;
	int rc;

	errs->n = 0;
	memset(out, 0, sizeof(*out));
	rc = mm_ctx_tx_begin(ctx);
	if (rc)
		return rc;
	rc = target(r, ctx, id, &rec, &denied);
	if (rc)
		goto out;
	if (!k || !mm_grants_offered(r, k))
		mm_ferr_add(errs, &grant_fields[1], grant_fields[1].name, "bad_choice", ctx->lang);
	rc = check_person(ctx, person, errs);
	if (!rc && errs->n)
		rc = MM_EVALIDATE;
	if (rc)
		goto out;
	*out = (struct mm_grant){ 0,
				  r->schema.name,
				  id,
				  person,
				  mm_grant_kind_code(k),
				  ctx->actor,
				  ctx->now ? ctx->now : mm_now() };
	rc = mm_grant_add(ctx->conn, out);
	if (rc == MM_ECONFLICT) {
		mm_ferr_add(errs, &grant_fields[0], grant_fields[0].name, "grant_duplicate",
			    ctx->lang);
		rc = MM_EVALIDATE;
	}
	if (!rc)
		rc = audit_grant(ctx, r, id, "grant", out, NULL);
out:
	rc = mm_ctx_tx_end(ctx, rc);
	return denied ? mm_access_denied(ctx, r, id, denied, rc) : rc;
}

int mm_grants_remove(const struct mm_register *r, struct mm_ctx *ctx, int64_t id, int64_t grant_id)
{
	struct mm_grant *all = NULL, *g = NULL;
	struct mm_record rec;
	const char *denied = NULL;
	size_t n = 0;
	int rc = mm_ctx_tx_begin(ctx);

	if (rc)
		return rc;
	rc = target(r, ctx, id, &rec, &denied);
	if (!rc)
		rc = mm_grant_list(ctx->conn, r->schema.name, id, ctx->a, &all, &n);
	for (size_t i = 0; !rc && i < n; i++)
		if (all[i].id == grant_id)
			g = &all[i];
	if (!rc && !g)
		rc = MM_ENOTFOUND;
	if (!rc)
		rc = mm_grant_remove(ctx->conn, r->schema.name, id, grant_id);
	if (!rc)
		rc = audit_grant(ctx, r, id, "ungrant", g, NULL);
	rc = mm_ctx_tx_end(ctx, rc);
	return denied ? mm_access_denied(ctx, r, id, denied, rc) : rc;
}

int mm_access_name_self(struct mm_ctx *ctx, const struct mm_register *r, int64_t id)
{
	const struct mm_principal *p = ctx->who;
	struct mm_grant g;
	unsigned kinds = 0;
	int rc;

	if (!p || !p->person_id)
		return MM_OK;
	rc = mm_grant_kinds(ctx->conn, r->schema.name, id, p->person_id, &kinds);
	if (rc || (kinds & MM_GRANT_NAMED))
		return rc;
	g = (struct mm_grant){ 0,
			       r->schema.name,
			       id,
			       p->person_id,
			       "named",
			       ctx->actor,
			       ctx->now ? ctx->now : mm_now() };
	rc = mm_grant_add(ctx->conn, &g);
	return rc ? rc : audit_grant(ctx, r, id, "grant", &g, "classified");
}

/* Whether cell holds kind for person. */
static bool cell_has(const struct mm_grant_cell *cell, int64_t person, unsigned kind)
{
	for (size_t i = 0; i < cell->n; i++)
		if (cell->v[i].person_id == person && cell->v[i].kind == kind)
			return true;
	return false;
}

/* Whether a grant in all[0..n) gives e. */
static bool held(const struct mm_grant *all, size_t n, const struct mm_grant_entry *e)
{
	for (size_t i = 0; i < n; i++)
		if (all[i].person_id == e->person_id && mm_grant_kind_parse(all[i].kind) == e->kind)
			return true;
	return false;
}

/* Refuses a change of the grants of id unless ctx's principal may grant. */
static int may_change(const struct mm_register *r, struct mm_ctx *ctx, int64_t id)
{
	struct mm_record rec;
	bool may = false;
	int rc = mm_rec_get(ctx->conn, &r->schema, id, ctx->a, &rec);

	if (!rc)
		rc = mm_access_may(ctx, r, MM_ACCESS_GRANT, &rec, &may);
	return rc ? rc : may ? MM_OK : MM_EPERM;
}

/* Gives the grants of cell that all[0..n) lacks; a person who has left
 * gets none (an error in errs). */
static int add_missing(const struct mm_register *r, struct mm_ctx *ctx, int64_t id,
		       const struct mm_grant_cell *cell, const struct mm_grant *all, size_t n,
		       struct mm_ferrs *errs)
{
	int rc = MM_OK;

	for (size_t i = 0; !rc && i < cell->n; i++) {
		const struct mm_grant_entry *e = &cell->v[i];
		struct mm_ferrs perr = { .n = 0 };
		struct mm_grant g;

		if (held(all, n, e))
			continue;
		rc = check_person(ctx, e->person_id, &perr);
		if (!rc && perr.n) {
			if (errs->n < MM_FERR_MAX)
				errs->e[errs->n++] =
					(struct mm_ferr){ mm_grants_heading(MM_JA), e->text,
							  "grant_person_left", 0, 0 };
			continue;
		}
		g = (struct mm_grant){ 0,
				       r->schema.name,
				       id,
				       e->person_id,
				       mm_grant_kind_code(e->kind),
				       ctx->actor,
				       ctx->now ? ctx->now : mm_now() };
		if (!rc)
			rc = mm_grant_add(ctx->conn, &g);
		if (!rc)
			rc = audit_grant(ctx, r, id, "grant", &g, NULL);
	}
	return rc;
}

int mm_grants_replace(const struct mm_register *r, struct mm_ctx *ctx, int64_t id,
		      const struct mm_grant_cell *cell, struct mm_ferrs *errs, bool *changed)
{
	struct mm_grant *all = NULL;
	size_t n = 0, gone = 0, added = 0, before = errs->n;
	int rc;

	*changed = false;
	if (!cell->set)
		return MM_OK;
	rc = mm_grant_list(ctx->conn, r->schema.name, id, ctx->a, &all, &n);
	for (size_t i = 0; !rc && i < n; i++)
		gone += !cell_has(cell, all[i].person_id, mm_grant_kind_parse(all[i].kind));
	for (size_t i = 0; !rc && i < cell->n; i++)
		added += !held(all, n, &cell->v[i]);
	if (rc || (!gone && !added))
		return rc;
	rc = may_change(r, ctx, id);
	for (size_t i = 0; !rc && i < n; i++) {
		if (cell_has(cell, all[i].person_id, mm_grant_kind_parse(all[i].kind)))
			continue;
		rc = mm_grant_remove(ctx->conn, r->schema.name, id, all[i].id);
		if (!rc)
			rc = audit_grant(ctx, r, id, "ungrant", &all[i], NULL);
	}
	if (!rc)
		rc = add_missing(r, ctx, id, cell, all, n, errs);
	if (!rc && errs->n > before)
		rc = MM_EVALIDATE;
	*changed = !rc;
	return rc;
}
