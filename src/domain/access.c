/* Who may read and write which records (7.1): the rules of access.h worked
 * out from the principal, the record's level and owner, the section tree
 * and the grants. Lists get the same rules as an access filter that the
 * store turns into a condition (store/grants.h). */
#include "domain/access.h"

#include "core/err.h"
#include "domain/audit.h"
#include "domain/principal.h"
#include "domain/registers.h"

#include <stdio.h>
#include <string.h>

enum {
	MAX_DEPTH = 16,	 /* deepest section tree walked (部 → 課 → 係 is 3) */
	MAX_NEAR = 256,	 /* most sections one reader's 課外秘 rule covers */
	CHILD_PAGE = 256 /* sections read at a time when walking down */
};

/* A set of section ids in the arena. Past its cap it takes no more, so a
 * reader sees less rather than more. */
struct idset {
	int64_t *v;
	size_t n, cap;
};

static bool idset_has(const struct idset *s, int64_t id)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == id)
			return true;
	return false;
}

static int idset_add(struct mm_ctx *ctx, struct idset *s, int64_t id)
{
	if (idset_has(s, id) || s->n == MAX_NEAR)
		return MM_OK;
	if (!s->v) {
		s->v = mm_arena_alloc(ctx->a, sizeof(*s->v) * MAX_NEAR);
		if (!s->v)
			return MM_ENOMEM;
		s->cap = MAX_NEAR;
	}
	s->v[s->n++] = id;
	return MM_OK;
}

int64_t mm_access_level(const struct mm_register *r, const struct mm_record *rec)
{
	const struct mm_schema *s = &r->schema;
	const struct mm_value *v;

	if (r->default_class > 0)
		return r->default_class;
	/* A declaration without a usable class field is read as 極秘. */
	if (r->class_field < 0 || (size_t)r->class_field >= s->nfields ||
	    s->fields[r->class_field].type != MM_FT_INT)
		return 4;
	v = &rec->v[r->class_field];
	return v->set ? v->i : 4;
}

static int64_t owner_of(const struct mm_register *r, const struct mm_record *rec)
{
	if (r->owner_field < 0 || !rec->v[r->owner_field].set)
		return 0;
	return rec->v[r->owner_field].i;
}

/* A principal with no role at all (not even 職員 or 外部委託者) is nobody. */
static bool nobody(const struct mm_principal *p)
{
	return p->roles == 0;
}

/* The level up to which p reads every record, whatever its owner: 課外秘
 * for 事務局, 統括責任者 and auditors, 庁外秘 for other employees, nothing
 * for contractors. */
static int all_max(const struct mm_principal *p)
{
	const unsigned broad = MM_ROLE_BIT(MM_ROLE_SECRETARIAT) | MM_ROLE_BIT(MM_ROLE_DEPUTY) |
			       MM_ROLE_BIT(MM_ROLE_AUDITOR);

	if (p->roles & broad)
		return 3;
	return mm_has_role(p, MM_ROLE_STAFF) ? 2 : 0;
}

/* The parent of a section; 0 for a top section or an unknown id. */
static int parent_of(struct mm_ctx *ctx, int64_t section, int64_t *parent)
{
	struct mm_record rec;
	int rc = mm_rec_get(ctx->conn, &mm_reg_sections.schema, section, ctx->a, &rec);

	*parent = 0;
	if (rc == MM_ENOTFOUND)
		return MM_OK;
	if (!rc && rec.v[SEC_PARENT].set)
		*parent = rec.v[SEC_PARENT].i;
	return rc;
}

/* Adds section and every section above it. */
static int add_ancestors(struct mm_ctx *ctx, int64_t section, struct idset *out)
{
	int rc = MM_OK;

	for (int depth = 0; section && !rc && depth < MAX_DEPTH; depth++) {
		rc = idset_add(ctx, out, section);
		if (!rc)
			rc = parent_of(ctx, section, &section);
	}
	return rc;
}

/* Adds section and every section below it, level by level. */
static int add_descendants(struct mm_ctx *ctx, int64_t section, struct idset *out)
{
	struct mm_filter f = { SEC_PARENT, MM_OP_EQ, { true, 0, NULL } };
	struct mm_query q = { &f,	  1, NULL, MM_SORT_ID, false, MM_ANY_STATUS,
			      CHILD_PAGE, 0, NULL, NULL };
	struct idset todo = { NULL, 0, 0 };
	struct mm_page page = { .n = 0 };
	int rc = idset_add(ctx, &todo, section);

	for (size_t i = 0; !rc && i < todo.n; i++) {
		rc = idset_add(ctx, out, todo.v[i]);
		f.v.i = todo.v[i];
		q.offset = 0;
		do {
			if (!rc)
				rc = mm_rec_list(ctx->conn, &mm_reg_sections.schema, &q, ctx->a,
						 &page);
			for (size_t k = 0; !rc && k < page.n; k++)
				rc = idset_add(ctx, &todo, page.recs[k].id);
			q.offset += CHILD_PAGE;
		} while (!rc && page.n == CHILD_PAGE);
	}
	return rc;
}

/* The owning sections whose 課外秘 records p reads: an employee's own
 * section and those above it; the sections p manages as data manager and
 * those below them. */
static int near_sections(struct mm_ctx *ctx, const struct mm_principal *p, struct idset *out)
{
	int rc = MM_OK;

	if (mm_has_role(p, MM_ROLE_STAFF) && p->section_id)
		rc = add_ancestors(ctx, p->section_id, out);
	for (size_t i = 0; !rc && i < p->nmanaged; i++)
		rc = add_descendants(ctx, p->managed[i], out);
	return rc;
}

int mm_access_acl(struct mm_ctx *ctx, const struct mm_register *r, struct mm_acl *acl,
		  const struct mm_acl **out)
{
	const struct mm_principal *p = ctx->who;
	struct idset near = { NULL, 0, 0 };
	int rc;

	*out = NULL;
	if (!p)
		return MM_OK;
	memset(acl, 0, sizeof(*acl));
	acl->class_field = r->default_class > 0 ? -1 : r->class_field;
	acl->fixed_level = r->default_class;
	acl->owner_field = r->owner_field;
	acl->grant_max = 3;
	*out = acl;
	if (nobody(p))
		return MM_OK; /* all zeros: nothing */
	acl->person_id = p->person_id;
	acl->all_max = all_max(p);
	if (r->default_class > 0 && r->default_class <= acl->all_max) {
		*out = NULL;
		return MM_OK;
	}
	if (r->owner_field < 0 || acl->all_max >= 3)
		return MM_OK;
	rc = near_sections(ctx, p, &near);
	if (rc)
		return rc;
	acl->sections = near.v;
	acl->nsections = near.n;
	acl->near_max = near.n ? 3 : 0;
	return MM_OK;
}

int mm_access_read(struct mm_ctx *ctx, const struct mm_register *r, const struct mm_record *rec,
		   bool *ok)
{
	const struct mm_principal *p = ctx->who;
	int64_t level = mm_access_level(r, rec), owner = owner_of(r, rec);
	const struct mm_acl *acl;
	struct mm_acl buf;
	unsigned kinds = 0;
	int rc;

	*ok = !p || (!nobody(p) && level <= all_max(p));
	if (*ok || !p || nobody(p))
		return MM_OK;
	/* Everyone reads their own person record (the account page, the
	 * password rules); lists show it by the general rules only. */
	*ok = r == &mm_reg_people && rec->id == p->person_id;
	if (*ok)
		return MM_OK;
	rc = mm_access_acl(ctx, r, &buf, &acl);
	if (rc)
		return rc;
	*ok = !acl || mm_acl_allows(acl, level, owner, 0);
	if (*ok || !acl->person_id)
		return MM_OK;
	rc = mm_grant_kinds(ctx->conn, r->schema.name, rec->id, acl->person_id, &kinds);
	if (!rc)
		*ok = mm_acl_allows(acl, level, owner, kinds);
	return rc;
}

/* Whether p is the data manager of section or of a section above it. */
static int manages(struct mm_ctx *ctx, const struct mm_principal *p, int64_t section, bool *yes)
{
	int rc = MM_OK;

	*yes = false;
	for (int depth = 0; p->nmanaged && section && !rc && depth < MAX_DEPTH; depth++) {
		for (size_t i = 0; i < p->nmanaged; i++)
			if (p->managed[i] == section)
				*yes = true;
		if (*yes)
			break;
		rc = parent_of(ctx, section, &section);
	}
	return rc;
}

int mm_access_may(struct mm_ctx *ctx, const struct mm_register *r, enum mm_access_op op,
		  const struct mm_record *rec, bool *ok)
{
	const struct mm_principal *p = ctx->who;
	int64_t owner = owner_of(r, rec);
	unsigned mask = 0, kinds = 0;
	int rc = MM_OK;

	*ok = !p;
	if (!p || nobody(p))
		return MM_OK;
	switch (op) {
	case MM_ACCESS_CREATE:
		mask = r->create_roles;
		break;
	case MM_ACCESS_EDIT:
		mask = r->edit_roles;
		break;
	case MM_ACCESS_RETIRE:
		mask = r->retire_roles;
		break;
	case MM_ACCESS_GRANT:
		mask = MM_ROLE_BIT(MM_ROLE_SECRETARIAT);
		break;
	}
	*ok = (p->roles & mask) != 0;
	/* 事務局 grants only on the records it may read. */
	if (*ok && op == MM_ACCESS_GRANT)
		rc = mm_access_read(ctx, r, rec, ok);
	if (!rc && !*ok && owner && (r->manager_writes || op == MM_ACCESS_GRANT))
		rc = manages(ctx, p, owner, ok);
	if (!rc && !*ok && op == MM_ACCESS_EDIT && r->grant_edits && rec->id && p->person_id) {
		rc = mm_grant_kinds(ctx->conn, r->schema.name, rec->id, p->person_id, &kinds);
		*ok = (kinds & MM_GRANT_EDIT) != 0;
	}
	return rc;
}

bool mm_access_may_create_any(const struct mm_ctx *ctx, const struct mm_register *r)
{
	const struct mm_principal *p = ctx->who;

	if (!p)
		return true;
	if (nobody(p))
		return false;
	return (p->roles & r->create_roles) ||
	       (r->manager_writes && r->owner_field >= 0 && p->nmanaged > 0);
}

int mm_access_denied(struct mm_ctx *ctx, const struct mm_register *r, int64_t id, const char *op,
		     int rc)
{
	char object[96], details[64];
	int arc;

	if (!ctx->who || ctx->in_tx)
		return rc;
	if (id)
		snprintf(object, sizeof(object), "%s/%lld", r->schema.name, (long long)id);
	else
		snprintf(object, sizeof(object), "%s", r->schema.name);
	snprintf(details, sizeof(details), "{\"op\":\"%s\"}", op);
	arc = mm_audit(ctx, "access_denied", object, "refused", details);
	return arc ? arc : rc;
}
