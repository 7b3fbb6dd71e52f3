/* mamori db copy: every table of one database moved into another, empty,
 * one of the same migration version, on any pair of backends (SQLite to
 * PostgreSQL and back). */
#ifndef MM_STORE_COPY_H
#define MM_STORE_COPY_H

#include "store/store.h"

#include <stdint.h>

/* Why a copy was refused; nothing was changed in either database. */
enum mm_copy_refusal {
	MM_COPY_DONE = 0,
	MM_COPY_NOT_EMPTY, /* the destination holds rows of table */
	MM_COPY_VERSIONS,  /* the two are at different migration versions */
	MM_COPY_NO_SOURCE, /* the source is no mamori database (no migrations) */
	MM_COPY_COLUMNS,   /* the destination's table lacks column */
};

struct mm_copy_outcome {
	enum mm_copy_refusal refused;
	const char *table;		  /* the table concerned (static storage) */
	char column[64];		  /* MM_COPY_COLUMNS: the missing column */
	int64_t src_version, dst_version; /* the migration versions */
	char why[256];			  /* a failure's backend message, for logs */
};

/* Called after each table is copied (not yet committed) with its rows. */
typedef void (*mm_copy_progress_fn)(void *arg, const char *table, int64_t rows);

/* Brings dst to the current schema (the system migrations and the register
 * tables of schemas[0..n-1]), then copies every system table but the list
 * of applied migrations, and every register table, from src into dst: the
 * source read in one transaction (one consistent snapshot), the destination
 * written in one, so that a failure leaves it as it was. Refuses, setting
 * out->refused and returning MM_EINVAL, when dst holds any record, account
 * or audit entry, or when the two are at different migration versions.
 * A destination that is not empty is refused before its schema is touched.
 * Other failures return their error with the backend's message in out->why.
 * Copying a database onto itself is refused as not empty unless it is
 * empty, when it changes nothing. */
int mm_store_copy(struct mm_store *src, struct mm_store *dst,
		  const struct mm_schema *const *schemas, size_t n, mm_copy_progress_fn fn,
		  void *arg, struct mm_copy_outcome *out);

/* The newest system migration applied to the database of c; 0 when none
 * (not a mamori database, or an empty one). */
int mm_store_version(struct mm_conn *c, int64_t *out);

#endif
