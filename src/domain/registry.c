/* The table of registers and the small lookups every layer needs. */
#include "domain/registers.h"

#include "core/err.h"
#include "domain/inspect.h"
#include "domain/privileges.h"
#include "domain/risk_regs.h"
#include "domain/sod.h"

#include <string.h>

const struct mm_register *const mm_registers[] = {
	&mm_reg_assets,
	&mm_reg_systems,
	&mm_reg_sections,
	&mm_reg_people,
	&mm_reg_roles,
	&mm_reg_role_holders,
	&mm_reg_privilege_requests,
	&mm_reg_sod_rules,
	&mm_reg_inspections,
	&mm_reg_risks,
	&mm_reg_threats,
	&mm_reg_vulnerabilities,
	&mm_reg_risk_assessments,
	&mm_reg_risk_snapshot,
};
const size_t mm_nregisters = sizeof(mm_registers) / sizeof(mm_registers[0]);

const struct mm_register *mm_register_findn(const char *name, size_t len)
{
	for (size_t i = 0; i < mm_nregisters; i++) {
		const char *n = mm_registers[i]->schema.name;
		if (strlen(n) == len && memcmp(n, name, len) == 0)
			return mm_registers[i];
	}
	return NULL;
}

const struct mm_register *mm_register_find(const char *name)
{
	return mm_register_findn(name, strlen(name));
}

int mm_registers_migrate(struct mm_store *st)
{
	const struct mm_schema *schemas[sizeof(mm_registers) / sizeof(mm_registers[0])];
	int rc;

	for (size_t i = 0; i < mm_nregisters; i++)
		schemas[i] = &mm_registers[i]->schema;
	rc = mm_store_migrate(st, schemas, mm_nregisters);
	/* Readers who see a level only in their own sections have lists
	 * counted by owner and level: one index serves that. One section's
	 * records, newest first (a section may hold a tenth of the ledger),
	 * are read from another instead of sorting them all. */
	for (size_t i = 0; !rc && i < mm_nregisters; i++) {
		const struct mm_register *r = mm_registers[i];
		size_t f[2] = { (size_t)r->owner_field, (size_t)r->class_field };
		size_t u[2] = { (size_t)r->owner_field, MM_INDEX_UPDATED };

		if (r->owner_field >= 0 && r->class_field >= 0)
			rc = mm_store_index(st, &r->schema, f, 2);
		if (!rc && r->owner_field >= 0)
			rc = mm_store_index(st, &r->schema, u, 2);
	}
	/* A choice filtered with a level range (data of 課外秘 and above, say)
	 * is counted from one index too, rather than by reading the records
	 * of every matching level: the counts of a million-record ledger. */
	for (size_t i = 0; !rc && i < mm_nregisters; i++) {
		const struct mm_register *r = mm_registers[i];

		for (size_t k = 0; !rc && r->class_field >= 0 && k < r->schema.nfields; k++) {
			const struct mm_field *fd = &r->schema.fields[k];
			size_t f[2] = { k, (size_t)r->class_field };

			if (fd->type == MM_FT_ENUM && (fd->flags & MM_F_FILTER) &&
			    (int)k != r->class_field)
				rc = mm_store_index(st, &r->schema, f, 2);
		}
	}
	return rc;
}

const char *mm_field_label(const struct mm_field *f, enum mm_lang lang)
{
	return lang == MM_EN ? f->label_en : f->label_ja;
}

const char *mm_option_label(const struct mm_field *f, const char *code, enum mm_lang lang)
{
	if (!code)
		return "";
	for (size_t i = 0; i < f->nopts; i++)
		if (strcmp(f->opts[i].code, code) == 0)
			return lang == MM_EN ? f->opts[i].en : f->opts[i].ja;
	return code;
}

void mm_ferr_add(struct mm_ferrs *errs, const struct mm_field *f, const char *field,
		 const char *msg, enum mm_lang lang)
{
	struct mm_ferr *e;

	if (errs->n >= MM_FERR_MAX)
		return;
	e = &errs->e[errs->n++];
	e->field = field;
	e->label = f ? mm_field_label(f, lang) : field;
	e->msg = msg;
	e->min = f ? f->min : 0;
	e->max = f ? f->max : 0;
}
