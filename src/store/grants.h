/* Record grants and access filters (7.1): the part of the store interface
 * that says who may see which records. A grant names one person on one
 * record of one register with a kind: 'read' (read a record up to 課外秘),
 * 'edit' (edit it, and read it), 'named' (the person is one of the people a
 * 極秘 record is for; reads it at any level). An access filter (struct
 * mm_acl) is what the domain works out for one reader and one register
 * (domain/access.c); the backends turn it into a parameterised condition on
 * lists, counts and searches. Like store.h, backends implement this behind
 * struct mm_backend. */
#ifndef MM_STORE_GRANTS_H
#define MM_STORE_GRANTS_H

#include "store/store.h"

/* Grant kinds as bits, for mm_grant_kinds and mm_acl_allows. */
enum mm_grant_kind {
	MM_GRANT_READ = 1u << 0,
	MM_GRANT_EDIT = 1u << 1,
	MM_GRANT_NAMED = 1u << 2,
};

/* The kind's code ("read", "edit", "named"), or its bit from a code (0
 * for an unknown code). */
const char *mm_grant_kind_code(enum mm_grant_kind k);
unsigned mm_grant_kind_parse(const char *code);

struct mm_grant {
	int64_t id;
	const char *reg; /* the register's name */
	int64_t record_id;
	int64_t person_id;
	const char *kind; /* read, edit, named */
	const char *granted_by;
	int64_t granted_at; /* unix seconds */
};

/* Adds g and sets g->id. MM_ECONFLICT when the person already holds that
 * kind on the record, MM_EINVAL for a kind that is not one of the three or
 * a missing register name. Moves the store generation: lists show what
 * grants allow. */
int mm_grant_add(struct mm_conn *c, struct mm_grant *g);

/* Removes grant id of record record_id of register reg. MM_ENOTFOUND when
 * that record has no such grant. Moves the store generation. */
int mm_grant_remove(struct mm_conn *c, const char *reg, int64_t record_id, int64_t id);

/* The grants of one record, oldest first (strings from a). */
int mm_grant_list(struct mm_conn *c, const char *reg, int64_t record_id, struct mm_arena *a,
		  struct mm_grant **out, size_t *n);

/* Sets *kinds to the MM_GRANT_* bits person holds on the record (0: none). */
int mm_grant_kinds(struct mm_conn *c, const char *reg, int64_t record_id, int64_t person_id,
		   unsigned *kinds);

/* Which records of one register one reader may see. A record's level is the
 * value of its class field (4, the strictest, when unset) or fixed_level
 * for a register without one. The record is visible when
 *   level <= all_max, or
 *   level <= near_max and its owner field holds one of sections[], or
 *   level <= grant_max and person_id holds any grant on it, or
 *   person_id is named on it (a 'named' grant).
 * A person_id of 0 holds no grants; a filter of zeros shows nothing. The
 * sections belong to the caller and must live while the query runs. */
struct mm_acl {
	int class_field; /* INT field of the level, or -1 */
	int fixed_level; /* the level of every record when class_field is -1 */
	int owner_field; /* REF field of the owning section, or -1 */
	int all_max, near_max, grant_max;
	const int64_t *sections;
	size_t nsections;
	int64_t person_id;
};

/* The rule above for one record: its level, its owner (0: none) and the
 * grant kinds the reader holds on it. The backends' conditions say the same
 * in SQL. */
bool mm_acl_allows(const struct mm_acl *acl, int64_t level, int64_t owner, unsigned kinds);

#endif
