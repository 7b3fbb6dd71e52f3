/* The audit queries of auditquery.h, passed on to the backend. */
#include "store/auditquery.h"

#include "core/err.h"
#include "store/backend.h"

int mm_auditq_list(struct mm_conn *c, const struct mm_auditq *q, struct mm_arena *a,
		   struct mm_audit_event **out, size_t *n, bool *more)
{
	return c->be->auditq->list(c, q, a, out, n, more);
}

int mm_auditq_refusals(struct mm_conn *c, int64_t from, int64_t until, size_t limit,
		       struct mm_arena *a, struct mm_audit_group **out, size_t *n)
{
	return c->be->auditq->refusals(c, from, until, limit, a, out, n);
}

int mm_auditq_range(struct mm_conn *c, int64_t from, int64_t until, int64_t *first, int64_t *last)
{
	return c->be->auditq->range(c, from, until, first, last);
}
