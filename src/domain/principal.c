/* Who is asking, read from the account, its person and the role holders
 * register. Access decisions read the principal only. */
#include "domain/principal.h"

#include "core/err.h"
#include "domain/registers.h"
#include "store/identity.h"

#include <string.h>

enum { PAGE = 256 };

const char *const mm_role_codes[MM_ROLE_COUNT] = {
	[MM_ROLE_CISO] = "ciso",
	[MM_ROLE_DEPUTY] = "deputy",
	[MM_ROLE_SYSTEMS] = "systems",
	[MM_ROLE_DATA_MANAGER] = "data_manager",
	[MM_ROLE_FACILITIES] = "facilities",
	[MM_ROLE_DOCUMENTS] = "documents",
	[MM_ROLE_SECRETARIAT] = "secretariat",
	[MM_ROLE_STAFF] = "staff",
	[MM_ROLE_CONTRACTOR] = "contractor",
	[MM_ROLE_AUDITOR] = "auditor",
	[MM_ROLE_APP_ADMIN] = "app_admin",
};

int mm_role_find(const char *code)
{
	for (int i = 0; code && i < MM_ROLE_COUNT; i++)
		if (strcmp(mm_role_codes[i], code) == 0)
			return i;
	return -1;
}

bool mm_role_privileged(enum mm_role r)
{
	return r == MM_ROLE_CISO || r == MM_ROLE_DEPUTY || r == MM_ROLE_SYSTEMS ||
	       r == MM_ROLE_SECRETARIAT || r == MM_ROLE_APP_ADMIN;
}

/* The role of the roles register's record id (-1 for one not in 付表1 or
 * the application's own). */
static int role_of(struct mm_ctx *ctx, int64_t id, int *out)
{
	struct mm_record role;
	int rc = mm_rec_get(ctx->conn, &mm_reg_roles.schema, id, ctx->a, &role);

	*out = -1;
	if (rc == MM_ENOTFOUND)
		return MM_OK;
	if (rc)
		return rc;
	if (!role.retired)
		*out = mm_role_find(role.v[ROLE_CODE].s);
	return MM_OK;
}

static void add_managed(struct mm_principal *p, int64_t section)
{
	for (size_t i = 0; i < p->nmanaged; i++)
		if (p->managed[i] == section)
			return;
	if (p->nmanaged < MM_MAX_SCOPES)
		p->managed[p->nmanaged++] = section;
}

/* Adds the roles of one holding when it is valid today. */
static int add_holding(struct mm_ctx *ctx, const struct mm_record *h, const char *today,
		       struct mm_principal *p)
{
	int role, rc;

	if (h->v[RH_FROM].set && strcmp(h->v[RH_FROM].s, today) > 0)
		return MM_OK;
	if (h->v[RH_UNTIL].set && strcmp(h->v[RH_UNTIL].s, today) < 0)
		return MM_OK;
	rc = role_of(ctx, h->v[RH_ROLE].i, &role);
	if (rc || role < 0)
		return rc;
	if (role == MM_ROLE_DATA_MANAGER) {
		if (!h->v[RH_SECTION].set)
			return MM_OK;
		add_managed(p, h->v[RH_SECTION].i);
	}
	p->roles |= 1u << role;
	return MM_OK;
}

static int load_roles(struct mm_ctx *ctx, struct mm_principal *p)
{
	struct mm_filter f = { RH_PERSON, MM_OP_EQ, { true, p->person_id, NULL } };
	struct mm_query q = { &f, 1, NULL, MM_SORT_ID, false, MM_ACTIVE, PAGE, 0, NULL, NULL };
	struct mm_page page;
	char today[11];
	int rc;

	mm_ctx_today(ctx, today);
	do {
		rc = mm_rec_list(ctx->conn, &mm_reg_role_holders.schema, &q, ctx->a, &page);
		for (size_t i = 0; !rc && i < page.n; i++)
			rc = add_holding(ctx, &page.recs[i], today, p);
		q.offset += PAGE;
	} while (!rc && page.n == PAGE);
	return rc;
}

int mm_principal_load(struct mm_ctx *ctx, int64_t account_id, struct mm_principal *out)
{
	struct mm_account acct;
	struct mm_record person;
	bool contractor;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = mm_account_get(ctx->conn, account_id, ctx->a, &acct);
	if (rc)
		return rc;
	if (acct.disabled)
		return MM_EPERM;
	rc = mm_rec_get(ctx->conn, &mm_reg_people.schema, acct.person_id, ctx->a, &person);
	if (rc)
		return rc;
	if (person.retired ||
	    (person.v[PER_STATUS].set && strcmp(person.v[PER_STATUS].s, "left") == 0))
		return MM_EPERM;
	out->account_id = acct.id;
	out->person_id = person.id;
	out->login = acct.login;
	out->name = person.v[PER_NAME].s;
	out->section_id = person.v[PER_SECTION].set ? person.v[PER_SECTION].i : 0;
	rc = load_roles(ctx, out);
	if (rc)
		return rc;
	contractor = person.v[PER_EMPLOYMENT].set &&
		     strcmp(person.v[PER_EMPLOYMENT].s, "contractor") == 0;
	out->roles &= ~((1u << MM_ROLE_STAFF) | (1u << MM_ROLE_CONTRACTOR));
	out->roles |= 1u << (contractor ? MM_ROLE_CONTRACTOR : MM_ROLE_STAFF);
	return MM_OK;
}
