/* The access condition (struct mm_acl, grants.h) as SQL, shared by the
 * backends. Values are collected in order while the text is built, and
 * bound by the caller. */
#ifndef MM_STORE_ACL_SQL_H
#define MM_STORE_ACL_SQL_H

#include "core/buf.h"
#include "store/grants.h"
#include "store/migrations.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A value bound to a generated list statement, collected while its SQL is
 * built. */
enum mm_sql_bkind { MM_SQL_B_NULL, MM_SQL_B_INT, MM_SQL_B_TEXT };

struct mm_sql_bind {
	enum mm_sql_bkind kind;
	int64_t i;
	const char *s;
};

/* The most values mm_acl_sql_where binds for acl. */
size_t mm_acl_sql_nbinds(const struct mm_acl *acl);

/* Appends to w the condition of acl on the records of s (" AND (...)"),
 * and its values to v (numbered from *nv + 1 in PostgreSQL's dialect).
 * Nothing when acl lets every record through. MM_EINVAL when acl names
 * fields s does not have. */
int mm_acl_sql_where(enum mm_dialect d, const struct mm_schema *s, const struct mm_acl *acl,
		     struct mm_buf *w, struct mm_sql_bind *v, size_t *nv);

/* The same records as mm_acl_sql_where's condition, in MM_ACL_SQL_PARTS
 * disjoint parts that can each be counted through an index: 0 the records
 * up to all_max, 1 the near sections' records above that, 2 the rest that
 * grants show. Appends part's condition (" AND ...") to w, or sets *none
 * when the part holds no record. others: the query has other filters. */
enum { MM_ACL_SQL_PARTS = 3 };
int mm_acl_sql_part(enum mm_dialect d, const struct mm_schema *s, const struct mm_acl *acl,
		    int part, bool others, struct mm_buf *w, struct mm_sql_bind *v, size_t *nv,
		    bool *none);

/* Whether part 0 of q's access condition is counted from level_counts
 * (migrations.c) rather than row by row: the query has neither filters nor
 * free text, and the rule's level is the schema's level field
 * (MM_F_LEVEL). */
bool mm_acl_level_counted(const struct mm_schema *s, const struct mm_query *q);

/* Appends the number of records in part 0 of q->acl with q->status, from
 * level_counts, as a scalar subquery "(SELECT ...)". */
void mm_acl_level_count_sql(enum mm_dialect d, const struct mm_schema *s, const struct mm_query *q,
			    struct mm_buf *w, struct mm_sql_bind *v, size_t *nv);

/* The statement that counts the records of s at each level into
 * level_counts, once its rows for s are deleted. Its value (the register's
 * name) goes to v. s has a level field. */
void mm_level_recount_sql(enum mm_dialect d, const struct mm_schema *s, struct mm_buf *w,
			  struct mm_sql_bind *v, size_t *nv);

/* Appends " WHERE " and the status and field filters of q (not its free
 * text, which each backend searches its own way), with their values to v.
 * MM_EINVAL for a filter the schema cannot take. */
int mm_filters_sql_where(enum mm_dialect d, const struct mm_schema *s, const struct mm_query *q,
			 struct mm_buf *w, struct mm_sql_bind *v, size_t *nv);

/* Appends the condition of q->after (keyset paging): the records after it
 * in the list's order, sort key then id, NULL before every value. */
int mm_keyset_sql_where(enum mm_dialect d, const struct mm_schema *s, const struct mm_query *q,
			struct mm_buf *w, struct mm_sql_bind *v, size_t *nv);

#endif
