/* mamori db copy through the copy operations of backend.h: table by table,
 * row by row, the same code for every pair of backends. */
#include "store/copy.h"

#include "core/err.h"
#include "store/backend.h"

#include <stdio.h>
#include <string.h>

/* The system tables, in the order they are copied. schema_migrations is
 * left out: the destination's own migrations made it, and the two must be
 * at the same version anyway. A new system table must be named here (the
 * copy test compares a copy with its source table by table). */
static const char *const system_tables[] = {
	"meta",	    "sequences",	 "history",   "record_counts", "level_counts",
	"accounts", "sessions",		 "tokens",    "rate_counters", "audit_events",
	"grants",   "audit_checkpoints", "audit_cut", "audit_order",
};

enum { NSYSTEM = sizeof(system_tables) / sizeof(system_tables[0]) };

/* The tables whose rows make a database not empty, besides the registers. */
static const char *const guarded_tables[] = { "accounts", "audit_events" };

/* What copy_scan's callbacks return to stop at the first row. */
enum { STOP_FIRST = -1 };

static void keep_why(struct mm_copy_outcome *out, struct mm_conn *c, int rc)
{
	const char *m = mm_conn_errmsg(c);

	if (!out->why[0])
		snprintf(out->why, sizeof(out->why), "%s", m[0] ? m : mm_strerror(rc));
}

static int stop_first(void *arg, const struct mm_cval *row, size_t n)
{
	(void)arg, (void)row, (void)n;
	return STOP_FIRST;
}

/* Sets *any when table holds a row; a missing table holds none. */
static int has_rows(struct mm_conn *c, const char *table, struct mm_arena *a, bool *any)
{
	const char **cols;
	size_t n;
	int rc;

	*any = false;
	rc = c->be->copy_columns(c, table, a, &cols, &n);
	if (rc || n == 0)
		return rc;
	rc = c->be->copy_scan(c, table, cols, 1, stop_first, NULL);
	if (rc == STOP_FIRST) {
		*any = true;
		rc = MM_OK;
	}
	return rc;
}

static int max_version(void *arg, const struct mm_cval *row, size_t n)
{
	int64_t *v = arg;

	if (n == 1 && row[0].kind == MM_CV_INT && row[0].i > *v)
		*v = row[0].i;
	return MM_OK;
}

int mm_store_version(struct mm_conn *c, int64_t *out)
{
	static const char *const cols[] = { "version" };
	struct mm_arena a;
	const char **have;
	size_t n;
	int rc;

	*out = 0;
	mm_arena_init(&a, 0);
	rc = c->be->copy_columns(c, "schema_migrations", &a, &have, &n);
	if (!rc && n)
		rc = c->be->copy_scan(c, "schema_migrations", cols, 1, max_version, out);
	mm_arena_free(&a);
	return rc;
}

/* Refuses a destination that holds records, accounts or audit entries. */
static int check_empty(struct mm_conn *dst, const struct mm_schema *const *schemas, size_t n,
		       struct mm_copy_outcome *out)
{
	struct mm_arena a;
	bool any = false;
	int rc = MM_OK;

	mm_arena_init(&a, 0);
	for (size_t i = 0; i < sizeof(guarded_tables) / sizeof(guarded_tables[0]) && !rc && !any;
	     i++) {
		rc = has_rows(dst, guarded_tables[i], &a, &any);
		out->table = guarded_tables[i];
	}
	for (size_t i = 0; i < n && !rc && !any; i++) {
		rc = has_rows(dst, schemas[i]->name, &a, &any);
		out->table = schemas[i]->name;
	}
	mm_arena_free(&a);
	if (rc) {
		keep_why(out, dst, rc);
		return rc;
	}
	if (any) {
		out->refused = MM_COPY_NOT_EMPTY;
		return MM_EINVAL;
	}
	out->table = NULL;
	return MM_OK;
}

struct put_arg {
	struct mm_conn *dst;
	const char *table;
	const char *const *cols;
	int64_t rows;
};

static int put_row(void *arg, const struct mm_cval *row, size_t n)
{
	struct put_arg *p = arg;
	int rc = p->dst->be->copy_put(p->dst, p->table, p->cols, n, row);

	if (!rc)
		p->rows++;
	return rc;
}

/* Copies one table: the source's columns, each of which the destination
 * must have (it may have more: they take their defaults). A table the
 * source lacks (a register newer than the source) is left empty. */
static int copy_table(struct mm_conn *src, struct mm_conn *dst, const char *table,
		      struct mm_copy_outcome *out, int64_t *rows)
{
	struct put_arg p = { .dst = dst, .table = table };
	const char **sc, **dc;
	size_t ns, nd;
	struct mm_arena a;
	int rc;

	*rows = 0;
	out->table = table;
	mm_arena_init(&a, 0);
	rc = src->be->copy_columns(src, table, &a, &sc, &ns);
	if (rc) {
		keep_why(out, src, rc);
		goto out;
	}
	rc = dst->be->copy_columns(dst, table, &a, &dc, &nd);
	if (rc) {
		keep_why(out, dst, rc);
		goto out;
	}
	for (size_t i = 0; i < ns; i++) {
		size_t j = 0;

		while (j < nd && strcmp(sc[i], dc[j]) != 0)
			j++;
		if (j == nd) {
			out->refused = MM_COPY_COLUMNS;
			snprintf(out->column, sizeof(out->column), "%s", sc[i]);
			rc = MM_EINVAL;
			goto out;
		}
	}
	rc = dst->be->copy_clear(dst, table);
	if (rc) {
		keep_why(out, dst, rc);
		goto out;
	}
	if (ns == 0)
		goto out;
	p.cols = sc;
	rc = src->be->copy_scan(src, table, sc, ns, put_row, &p);
	if (rc)
		keep_why(out, dst->errmsg[0] ? dst : src, rc);
	*rows = p.rows;
out:
	mm_arena_free(&a);
	return rc;
}

/* Copies every table inside the two open transactions. */
static int copy_all(struct mm_conn *src, struct mm_conn *dst,
		    const struct mm_schema *const *schemas, size_t n, mm_copy_progress_fn fn,
		    void *arg, struct mm_copy_outcome *out)
{
	int64_t rows;
	int rc = MM_OK;

	for (size_t i = 0; i < NSYSTEM + n && !rc; i++) {
		const char *t = i < NSYSTEM ? system_tables[i] : schemas[i - NSYSTEM]->name;

		rc = copy_table(src, dst, t, out, &rows);
		if (!rc && fn)
			fn(arg, t, rows);
	}
	if (rc)
		return rc;
	out->table = NULL;
	rc = dst->be->copy_finish(dst, schemas, n);
	if (rc)
		keep_why(out, dst, rc);
	return rc;
}

/* The versions of the two databases; refuses when they differ. */
static int check_versions(struct mm_conn *src, struct mm_conn *dst, struct mm_copy_outcome *out)
{
	int rc = mm_store_version(src, &out->src_version);

	if (rc) {
		keep_why(out, src, rc);
		return rc;
	}
	rc = mm_store_version(dst, &out->dst_version);
	if (rc) {
		keep_why(out, dst, rc);
		return rc;
	}
	if (out->src_version == 0)
		out->refused = MM_COPY_NO_SOURCE;
	else if (out->src_version != out->dst_version)
		out->refused = MM_COPY_VERSIONS;
	return out->refused ? MM_EINVAL : MM_OK;
}

int mm_store_copy(struct mm_store *src, struct mm_store *dst,
		  const struct mm_schema *const *schemas, size_t n, mm_copy_progress_fn fn,
		  void *arg, struct mm_copy_outcome *out)
{
	struct mm_conn *sc = NULL, *dc = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	/* A destination that is not empty is refused before its schema is
	 * touched, and again below where nothing can slip in. */
	dc = mm_store_acquire(dst);
	if (!dc) {
		snprintf(out->why, sizeof(out->why), "no connection");
		return MM_EDB;
	}
	rc = check_empty(dc, schemas, n, out);
	mm_store_release(dst, dc);
	dc = NULL;
	if (rc)
		return rc;
	rc = mm_store_migrate(dst, schemas, n);
	if (rc) {
		snprintf(out->why, sizeof(out->why), "migrating the destination: %s",
			 mm_strerror(rc));
		return rc;
	}
	sc = mm_store_acquire(src);
	dc = mm_store_acquire(dst);
	if (!sc || !dc) {
		rc = MM_EDB;
		snprintf(out->why, sizeof(out->why), "no connection");
		goto out;
	}
	/* The source's snapshot starts at its first read, here: what the
	 * destination then writes (even if it were the same database) is not
	 * seen by the scans below. */
	rc = mm_tx_begin(sc, false);
	if (rc) {
		keep_why(out, sc, rc);
		goto out;
	}
	rc = check_versions(sc, dc, out);
	if (rc)
		goto out;
	rc = mm_tx_begin(dc, true);
	if (rc) {
		keep_why(out, dc, rc);
		goto out;
	}
	/* Checked inside the write transaction: nothing can slip in after. */
	rc = check_empty(dc, schemas, n, out);
	if (!rc)
		rc = copy_all(sc, dc, schemas, n, fn, arg, out);
	if (!rc) {
		rc = mm_tx_commit(dc);
		if (rc)
			keep_why(out, dc, rc);
	}
out:
	if (dc) {
		mm_tx_rollback(dc);
		mm_store_release(dst, dc);
	}
	if (sc) {
		mm_tx_rollback(sc);
		mm_store_release(src, sc);
	}
	return rc;
}
