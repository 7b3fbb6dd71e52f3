/* Queries over the audit events for inspection (7.6): a filtered list,
 * refusals grouped by person and address, and activity outside working
 * hours. A period is a range of seq found by binary search (entries are
 * in time order), and the other conditions are checked on the entries of
 * that range only, newest first; only "events of one object" has an
 * index of its own. Without a period a query may read the whole log, so
 * the viewer always gives one (mm_inspect_query). Read only: nothing here changes an event. Like
 * identity.h, a backend implements it (struct mm_auditq_ops, named by struct mm_backend's auditq);
 * every statement is parameterised. Times are unix seconds (UTC); strings returned come from the
 * caller's arena. */
#ifndef MM_STORE_AUDITQUERY_H
#define MM_STORE_AUDITQUERY_H

#include "store/identity.h"

/* Which events: each condition that is set must hold. */
struct mm_auditq {
	int64_t account_id;  /* 0: any; else events of this account ... */
	const char *actor;   /* ... or with this actor text (NULL: any) */
	const char *action;  /* exact, NULL: any */
	const char *object;  /* NULL: any; a prefix unless object_exact */
	bool object_exact;   /* object must equal it */
	const char *result;  /* exact, NULL: any */
	int64_t from, until; /* from <= at < until; 0: open */
	bool period_default; /* mm_inspect_query chose the period (none given) */
	/* Only events outside working hours (JST): before start or from end
	 * (minutes after midnight), and all of Saturdays and Sundays. */
	bool off_hours;
	int start_min, end_min;
	size_t limit, offset; /* newest first */
};

/* Events matching q, newest first, at most q->limit of them after skipping
 * q->offset; *more tells whether further events match. MM_EINVAL for a
 * limit of 0. */
int mm_auditq_list(struct mm_conn *c, const struct mm_auditq *q, struct mm_arena *a,
		   struct mm_audit_event **out, size_t *n, bool *more);

/* Refusals of one person from one address: refused events and failed
 * sign-ins in the period. */
struct mm_audit_group {
	int64_t account_id;
	const char *actor;
	const char *ip;
	int64_t count;
	int64_t first, last; /* times of the first and last event */
};

/* The refusals (result "refused" or "failed") in [from, until) (0: open),
 * grouped by account, actor and address, most first, at most limit. */
int mm_auditq_refusals(struct mm_conn *c, int64_t from, int64_t until, size_t limit,
		       struct mm_arena *a, struct mm_audit_group **out, size_t *n);

/* The seqs [*first, *last] that hold every event of [from, until) (0:
 * open): exactly those for entries in time order, possibly a few more
 * around an entry made before migration 14 that went back in time. An
 * empty range has *first > *last. */
int mm_auditq_range(struct mm_conn *c, int64_t from, int64_t until, int64_t *first, int64_t *last);

/* The backend's side. */
struct mm_auditq_ops {
	int (*range)(struct mm_conn *c, int64_t from, int64_t until, int64_t *first, int64_t *last);
	int (*list)(struct mm_conn *c, const struct mm_auditq *q, struct mm_arena *a,
		    struct mm_audit_event **out, size_t *n, bool *more);
	int (*refusals)(struct mm_conn *c, int64_t from, int64_t until, size_t limit,
			struct mm_arena *a, struct mm_audit_group **out, size_t *n);
};

#endif
