/* The register engine's shared steps, for the files that make up the
 * engine (register.c, workflow.c). Internal to domain/. */
#ifndef MM_DOMAIN_REGISTER_INT_H
#define MM_DOMAIN_REGISTER_INT_H

#include "domain/access.h"
#include "domain/register.h"

/* {"field": [old, new], ...} for the fields that differ (old may be NULL),
 * in ctx's arena; NULL when out of memory. */
const char *mm_reg_diff_json(const struct mm_register *r, struct mm_ctx *ctx,
			     const struct mm_value *old, const struct mm_value *now);

/* Adds the history entry of rec's current version. */
int mm_reg_add_history(const struct mm_register *r, struct mm_ctx *ctx, const struct mm_record *rec,
		       const char *action, const char *changes);

/* Now as UTC ISO 8601, in ctx's arena. */
const char *mm_reg_now_iso(struct mm_ctx *ctx);

/* Reads record id for the reader: MM_ENOTFOUND with *denied set when the
 * reader may not see it. */
int mm_reg_get_visible(const struct mm_register *r, struct mm_ctx *ctx, int64_t id,
		       struct mm_record *out, const char **denied);

/* MM_EPERM with *denied = name unless ctx's principal may take op on rec. */
int mm_reg_allow(const struct mm_register *r, struct mm_ctx *ctx, enum mm_access_op op,
		 const char *name, const struct mm_record *rec, const char **denied);

/* Ends the engine's transaction, then audits a refusal when there was one. */
int mm_reg_finish(const struct mm_register *r, struct mm_ctx *ctx, int64_t id, int rc,
		  const char *denied);

#endif
