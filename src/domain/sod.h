/* Separation of duties (2.2) as data: the sod_rules register holds pairs of
 * duties one person may not hold for the same scope, each enabled or not.
 * The checks of the registers and of workflow approvals ask here whether a
 * rule is on, and the conflicts report lists every existing violation. */
#ifndef MM_DOMAIN_SOD_H
#define MM_DOMAIN_SOD_H

#include "domain/register.h"

/* The fixed vocabulary of duties a rule pairs. */
#define MM_DUTY_SYSTEM_ADMIN "system_admin" /* infrastructure administrator of a system */
#define MM_DUTY_DATA_MANAGER "data_manager" /* data manager of the assets on it */
#define MM_DUTY_REQUESTER    "requester"    /* requester of an approval */
#define MM_DUTY_APPROVER     "approver"	    /* approver of it */
#define MM_DUTY_GRANTEE	     "grantee"	    /* grantee of a privilege */

enum { SOD_CODE, SOD_NAME, SOD_DUTY_A, SOD_DUTY_B, SOD_EXPLAIN, SOD_ENABLED, SOD_NFIELDS };

extern const struct mm_register mm_reg_sod_rules;

/* Sets *on when the rule separating duties a and b (in either order) is
 * enabled, and *name to its name in ctx's language. A pair no active rule
 * names counts as enabled under its default name: the defaults of 2.2 hold
 * until 事務局 turns a rule off. */
int mm_sod_rule(struct mm_ctx *ctx, const char *a, const char *b, bool *on, const char **name);

/* Adds a field error msg whose {label} is the rule's name. */
void mm_sod_ferr(struct mm_ferrs *errs, const char *field, const char *msg, const char *rule);

/* Creates each default rule (by code) that is missing; for mamori init. */
int mm_sod_seed(struct mm_ctx *ctx, size_t *created);

/* One existing violation: the person, the two duties, the scope (a system,
 * a section, a request) and the rule's name. Texts are display texts. */
struct mm_sod_conflict {
	int64_t person_id;
	const char *person;
	const char *rule;
	const char *duty_a, *duty_b; /* duty codes */
	const char *scope_register;  /* systems, sections or privilege_requests */
	int64_t scope_id;
	const char *scope;
	const char *detail; /* e.g. the section whose assets are on the system */
};

/* Lists the violations of every enabled rule, in ctx's arena. MM_EPERM
 * unless ctx's principal is of 事務局, an auditor, 統括責任者 or
 * 最高責任者 (the CLI may always). */
int mm_sod_conflicts(struct mm_ctx *ctx, struct mm_sod_conflict **out, size_t *n);

/* The label of a duty code in lang. */
const char *mm_duty_label(const char *code, enum mm_lang lang);

#endif
