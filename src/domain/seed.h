/* The default profile `mamori init` loads: the roles of 付表1 with their
 * posts and duties, plus the application's own, and the sections 付表1
 * names, and the default separation-of-duties rules of 2.2. Editable afterwards like any other
 * record. */
#ifndef MM_DOMAIN_SEED_H
#define MM_DOMAIN_SEED_H

#include "domain/register.h"

struct mm_seed_counts {
	size_t roles, sections, sod_rules; /* records created by this run */
	size_t threats, vulnerabilities;   /* catalogue entries of risk assessment */
};

/* Creates each default role (by code) and section (by code) that is missing;
 * a second run creates nothing. Runs in the caller's transaction when
 * ctx->in_tx is set, else in one of its own. out may be NULL. */
int mm_seed_profile(struct mm_ctx *ctx, struct mm_seed_counts *out);

#endif
